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

/// A transport that tells a `CallCounter` of each request before sending it on, for a core
/// made elsewhere; a core made with the counter as its `observer` needs none (and names the
/// actions exactly, S3's included).
public struct CountingTransport: HTTPTransport {
    public let inner: any HTTPTransport
    public let counter: CallCounter

    public init(inner: any HTTPTransport, counter: CallCounter) {
        self.inner = inner
        self.counter = counter
    }

    public func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        let (service, action) = Self.classify(request)
        counter.record(service: service, action: action)
        let mutating = !AWSCall.isReadOnly(action: action, method: request.method)
        do {
            let response = try await inner.send(request)
            if mutating && response.status >= 500 { counter.recordUncertain() }
            return response
        } catch let error as AWSTransportError {
            // A connection that was never made carried no request.
            if mutating && !error.requestWasNotSent { counter.recordUncertain() }
            throw error
        } catch {
            if mutating { counter.recordUncertain() }
            throw error
        }
    }

    /// The service from the credential scope (`Credential=KEY/DATE/REGION/SERVICE/aws4_request`),
    /// the action from the Query body, the JSON target, or (S3) the method and sub-resource.
    static func classify(_ request: AWSHTTPRequest) -> (service: String, action: String) {
        var service = "unknown"
        if let authorization = request.headerValue("Authorization"), let range = authorization.range(of: "Credential=") {
            let scope = authorization[range.upperBound...].prefix { $0 != "," }.split(separator: "/")
            if scope.count >= 4 { service = String(scope[3]) }
        }
        if let target = request.headerValue("X-Amz-Target"), let action = target.split(separator: ".").last {
            return (service, String(action))
        }
        if request.method == "POST", let body = String(bytes: request.body, encoding: .utf8),
           let pair = body.split(separator: "&").first(where: { $0.hasPrefix("Action=") }) {
            return (service, String(pair.dropFirst("Action=".count)))
        }
        let urlParts = request.url.split(separator: "?", maxSplits: 1)
        // After the scheme and host, nothing at all (no bucket, no query) is ListBuckets.
        let pathParts = (urlParts.first ?? "").split(separator: "/", omittingEmptySubsequences: true).dropFirst(2)
        if pathParts.isEmpty && request.method == "GET" && urlParts.count == 1 { return (service, "ListBuckets") }
        var subresource = "object"
        if let query = urlParts.dropFirst().first {
            let names = query.split(separator: "&").map { $0.split(separator: "=").first.map(String.init) ?? "" }
            subresource = names.first { !["list-type", "prefix", "continuation-token", "key-marker", "version-id-marker", "versionId"].contains($0) } ?? "object"
        }
        return (service, "\(request.method) \(subresource)")
    }
}
