import AWSClient
import Foundation

/// Counts every HTTP exchange with AWS by service and action (retries count: they are calls).
///
/// The client core tells it of each attempt (`AWSCallObserver`), with the action's real name
/// and whether it only reads (`AWSCall.isReadOnly`, the one rule for that).
public final class CallCounter: AWSCallObserver, @unchecked Sendable {
    // Guarded by `lock`; touched from many tasks at once.
    private var counts: [String: Int] = [:]
    private var uncertain = 0
    private let lock = NSLock()

    public init() {}

    /// A mutating call that may have taken effect without netloom learning of it: the connection
    /// dropped or timed out after the request was sent, or the server answered 5xx. Its retry
    /// may then have made a second resource, which only a new read can find.
    public func recordUncertain() {
        lock.lock()
        uncertain += 1
        lock.unlock()
    }

    public var uncertainMutatingCalls: Int {
        lock.lock()
        defer { lock.unlock() }
        return uncertain
    }

    public func record(service: String, action: String) {
        lock.lock()
        counts["\(service) \(action)", default: 0] += 1
        lock.unlock()
    }

    /// "service Action" -> calls.
    public var snapshot: [String: Int] {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }

    public var total: Int { snapshot.values.reduce(0, +) }

    /// Calls that change something: everything but Describe/List/Get/Head (and S3 GET/HEAD).
    public var mutating: Int { snapshot.filter { Self.isMutating($0.key) }.values.reduce(0, +) }

    /// For a "service Action" key (or "s3 GET tagging" from `CountingTransport`).
    public static func isMutating(_ key: String) -> Bool {
        let words = key.split(separator: " ")
        guard words.count >= 2 else { return false }
        let action = String(words[1])
        return !AWSCall.isReadOnly(action: action, method: words.count > 2 ? action : "POST")
    }

    public func attemptStarted(_ call: AWSCall) {
        record(service: call.service, action: call.action)
    }

    /// A call that changes something got no answer after its request may have left, or got a
    /// server error: it may have taken effect.
    public func attemptEnded(_ call: AWSCall, outcome: AWSAttemptOutcome) {
        guard !call.isReadOnly else { return }
        switch outcome {
        case .answered(let status) where status >= 500: recordUncertain()
        case .answerLost: recordUncertain()
        case .answered, .notConnected: break
        }
    }
}
