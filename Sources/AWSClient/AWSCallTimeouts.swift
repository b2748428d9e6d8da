/// How long one call may take.
///
/// Each attempt waits for its answer at most `readOnlyAnswer` (a Describe, List or Get) or
/// `changeAnswer` (a call that changes something: waiting longer is cheaper than retrying a
/// create whose answer was merely slow, which can make a second resource). The whole call,
/// retries and their backoff included, ends by `call`. The defaults end a call against an
/// endpoint that never answers within 100 s (a read waits 30 s per attempt, so 4 attempts at
/// most) and against a refused port within the backoff of the attempts (about 13 s at most).
public struct AWSCallTimeouts: Sendable, Hashable {
    public var readOnlyAnswer: Duration
    public var changeAnswer: Duration
    public var call: Duration

    public init(readOnlyAnswer: Duration = .seconds(30), changeAnswer: Duration = .seconds(60), call: Duration = .seconds(100)) {
        self.readOnlyAnswer = readOnlyAnswer
        self.changeAnswer = changeAnswer
        self.call = call
    }

    public func answer(for call: AWSCall) -> Duration {
        call.isReadOnly ? readOnlyAnswer : changeAnswer
    }
}

/// The end of a whole run (a command's `--timeout`): no call goes on past it.
public struct AWSRunDeadline: Sendable, Hashable {
    public var instant: ContinuousClock.Instant
    /// What set it, as the user wrote it (`--timeout 20s`), for the message of a call it cuts.
    public var source: String

    public init(instant: ContinuousClock.Instant, source: String) {
        self.instant = instant
        self.source = source
    }
}

/// When a call must be over, and why.
public struct AWSCallDeadline: Sendable, Hashable {
    public enum Reason: Sendable, Hashable {
        /// The call's own limit (`AWSCallTimeouts.call`).
        case call(Duration)
        /// The run's deadline, set by `source`.
        case run(source: String)
    }

    public var instant: ContinuousClock.Instant
    public var reason: Reason

    public init(instant: ContinuousClock.Instant, reason: Reason) {
        self.instant = instant
        self.reason = reason
    }

    /// The earlier of the call's own limit from `start` and the run's deadline.
    public static func earliest(start: ContinuousClock.Instant, callLimit: Duration, run: AWSRunDeadline?) -> AWSCallDeadline {
        let own = AWSCallDeadline(instant: start + callLimit, reason: .call(callLimit))
        guard let run, run.instant < own.instant else { return own }
        return AWSCallDeadline(instant: run.instant, reason: .run(source: run.source))
    }

    /// How the message of a call this deadline cut ends.
    var explanation: String {
        switch reason {
        case .call(let limit): return "gave up after \(AWSDurationText.seconds(limit)), the limit for one call"
        case .run(let source): return "stopped by \(source): the run's time ran out"
        }
    }
}

/// Durations as people read them in messages: `60 s`, `1.5 s`, `250 ms`.
enum AWSDurationText {
    static func seconds(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds < 1000 { return "\(milliseconds) ms" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000) s" }
        let tenths = (milliseconds + 50) / 100
        return tenths % 10 == 0 ? "\(tenths / 10) s" : "\(tenths / 10).\(tenths % 10) s"
    }
}
