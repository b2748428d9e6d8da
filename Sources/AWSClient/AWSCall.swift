/// One AWS operation as the client core sends it: which service, which action, which HTTP
/// method. The one place that decides whether a call only reads.
public struct AWSCall: Sendable, Hashable, CustomStringConvertible {
    /// The signing name (`ec2`, `s3`, `logs`): what users see in messages and statistics.
    public var service: String
    public var action: String
    public var method: String

    public init(service: String, action: String, method: String = "POST") {
        self.service = service
        self.action = action
        self.method = method
    }

    /// True for calls that change nothing: Describe/List/Get/Head actions, and S3 GET and HEAD
    /// requests. Only a call that changes something can have "taken effect" when its answer is
    /// lost, and only such calls count as mutating.
    public var isReadOnly: Bool { Self.isReadOnly(action: action, method: method) }

    public static func isReadOnly(action: String, method: String = "POST") -> Bool {
        if method == "GET" || method == "HEAD" { return true }
        return readOnlyPrefixes.contains { action.hasPrefix($0) }
    }

    static let readOnlyPrefixes = ["Describe", "List", "Get", "Head"]

    public var description: String { "\(service) \(action)" }
}

/// How one attempt of a call ended, as far as the caller's uncertainty goes.
public enum AWSAttemptOutcome: Sendable, Hashable {
    /// The server answered with this status.
    case answered(status: Int)
    /// No connection was made: the request never left.
    case notConnected
    /// The request may have reached the server, but no answer came back (reset, closed,
    /// timed out).
    case answerLost
}

/// Told of every attempt the client core makes (for call counting and statistics). Called
/// from any task.
public protocol AWSCallObserver: Sendable {
    func attemptStarted(_ call: AWSCall)
    func attemptEnded(_ call: AWSCall, outcome: AWSAttemptOutcome)
}

/// What the core reports before it retries a call: `retrying ec2 DescribeVpcs: connection
/// refused, attempt 3 of 8`.
public struct AWSRetryNotice: Sendable, Hashable, CustomStringConvertible {
    public var call: AWSCall
    /// Why the last attempt failed, one short phrase, secrets already removed.
    public var reason: String
    /// The attempt about to be made (2 for the first retry).
    public var nextAttempt: Int
    public var maxAttempts: Int
    public var delay: Duration

    public var description: String { "retrying \(call): \(reason), attempt \(nextAttempt) of \(maxAttempts)" }
}

/// What the caller is working on when it makes calls, carried by the task: the client core
/// puts it on every log line of a call, so `--verbose` says which resource a call was for.
public enum AWSCallContext {
    /// The netloom address (`subnet:private/us-east-1a`), or what a read is reading (`read subnet`).
    @TaskLocal public static var resource: String?
}
