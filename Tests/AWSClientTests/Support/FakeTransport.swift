import AWSClient
import AWSSigV4
import Foundation
import Logging

/// A transport that answers from a script and records what it was sent.
actor FakeTransport: HTTPTransport {
    enum Step: Sendable {
        case respond(AWSHTTPResponse)
        case fail(AWSTransportError)
        /// An endpoint that never answers: the attempt uses up its whole timeout on `clock`,
        /// then fails as the real transport does.
        case hang(FakeClock)
    }

    private var steps: [Step]
    /// When the script runs out, the last step repeats.
    private var lastStep: Step?
    private(set) var requests: [AWSHTTPRequest] = []

    init(_ steps: [Step]) {
        self.steps = steps
    }

    func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        requests.append(request)
        let step = steps.isEmpty ? lastStep : steps.removeFirst()
        lastStep = step
        switch step {
        case .respond(let response): return response
        case .fail(let error): throw error
        case .hang(let clock):
            let limit = request.timeout ?? .seconds(60)
            clock.advance(limit)
            throw AWSTransportError.noAnswer(within: limit)
        case nil: throw AWSTransportError(.other, "fake transport has no answer scripted")
        }
    }

    static func xml(_ status: Int, _ body: String, headers: [String: String] = [:]) -> Step {
        .respond(AWSHTTPResponse(status: status, headers: ["content-type": "text/xml"].merging(headers) { $1 }, body: Array(body.utf8)))
    }

    static func json(_ status: Int, _ body: String) -> Step {
        .respond(AWSHTTPResponse(status: status, headers: ["content-type": "application/x-amz-json-1.1"], body: Array(body.utf8)))
    }

    static func html(_ status: Int, _ body: String) -> Step {
        .respond(AWSHTTPResponse(status: status, headers: ["content-type": "text/html"], body: Array(body.utf8)))
    }
}

/// Records the delays the retry policy asks for instead of sleeping (and moves `clock` on by
/// them, when there is one).
actor SleepRecorder {
    private(set) var delays: [Duration] = []
    let clock: FakeClock?
    init(clock: FakeClock? = nil) { self.clock = clock }
    func record(_ delay: Duration) {
        delays.append(delay)
        clock?.advance(delay)
    }
}

/// Time that passes only when a test says so: deadlines are checked without waiting.
final class FakeClock: @unchecked Sendable {
    // Guarded by `lock`.
    private var offset: Duration = .zero
    private let lock = NSLock()
    let start = ContinuousClock.now

    func now() -> ContinuousClock.Instant { lock.withLock { start + offset } }
    func advance(_ duration: Duration) { lock.withLock { offset += duration } }
    var elapsed: Duration { lock.withLock { offset } }
}

/// Collects the retry notices a core reports.
final class RetryNotices: @unchecked Sendable {
    // Guarded by `lock`.
    private var storage: [String] = []
    private let lock = NSLock()
    var lines: [String] { lock.withLock { storage } }
    func append(_ notice: AWSRetryNotice) { lock.withLock { storage.append(notice.description) } }
}

/// Collects log lines (message and metadata) in memory.
final class CapturedLogs: Sendable {
    private let lines = LockedLines()

    var all: [String] { lines.value }

    func handler(label: String) -> any LogHandler { CapturingLogHandler(lines: lines) }
}

final class LockedLines: @unchecked Sendable {
    // Guarded by `lock`; the log handler is called from any task.
    private var storage: [String] = []
    private let lock = NSLock()
    var value: [String] { lock.withLock { storage } }
    func append(_ line: String) { lock.withLock { storage.append(line) } }
}

struct CapturingLogHandler: LogHandler {
    let lines: LockedLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.append("\(event.level) \(event.message) \(merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
    }
}

enum Fixture {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let token = "FAKESESSIONTOKEN+/=="
    static let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: secret, sessionToken: token)
    static let fixedDate = Date(timeIntervalSince1970: 1_440_938_160)

    static func core(_ transport: FakeTransport, sleeps: SleepRecorder = SleepRecorder(), maxAttempts: Int = 8,
                     random: Double = 1.0, logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                     clock: FakeClock? = nil, timeouts: AWSCallTimeouts = AWSCallTimeouts(), runDeadline: AWSRunDeadline? = nil,
                     notices: RetryNotices? = nil) -> AWSClientCore {
        let now: AWSRetryPolicy.Now
        if let clock { now = { clock.now() } } else { now = { ContinuousClock.now } }
        let retry = AWSRetryPolicy(maxAttempts: maxAttempts, base: .milliseconds(100), cap: .seconds(2),
                                   sleep: { await sleeps.record($0) }, random: { random }, now: now)
        var onRetry: (@Sendable (AWSRetryNotice) -> Void)?
        if let notices { onRetry = { notices.append($0) } }
        return AWSClientCore(transport: transport, credentials: credentials, region: "eu-west-1",
                             endpoints: AWSEndpointResolver(environment: [:]), retry: retry, logger: logger, now: { fixedDate },
                             timeouts: timeouts, runDeadline: runDeadline, onRetry: onRetry)
    }
}
