/// Jittered exponential backoff over a bounded number of attempts, within a deadline.
///
/// The delay before attempt n+1 is a uniformly random value in [0, min(cap, base * 2^n)]
/// ("full jitter", as the AWS SDKs' standard retry mode does), so that many clients throttled
/// at once do not retry in lock step. Sleeping, randomness and the clock are injected so tests
/// can check the delays and deadlines without waiting.
public struct AWSRetryPolicy: Sendable {
    public typealias Sleeper = @Sendable (Duration) async throws -> Void
    /// Returns a value in [0, 1).
    public typealias RandomSource = @Sendable () -> Double
    public typealias Now = @Sendable () -> ContinuousClock.Instant

    public var maxAttempts: Int
    public var base: Duration
    public var cap: Duration
    public var sleep: Sleeper
    public var random: RandomSource
    /// The clock deadlines are measured with; a test's fake advances when its sleeper sleeps.
    public var now: Now

    public init(maxAttempts: Int = 8, base: Duration = .milliseconds(100), cap: Duration = .seconds(20),
                sleep: @escaping Sleeper = { try await Task.sleep(for: $0) },
                random: @escaping RandomSource = { Double.random(in: 0..<1) },
                now: @escaping Now = { ContinuousClock.now }) {
        self.maxAttempts = max(1, maxAttempts)
        self.base = base
        self.cap = cap
        self.sleep = sleep
        self.random = random
        self.now = now
    }

    /// One attempt only: for calls whose repetition is not safe or not wanted.
    public static let none = AWSRetryPolicy(maxAttempts: 1)

    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestLimitExceeded", "TooManyRequestsException",
        "RequestThrottled", "RequestThrottledException", "SlowDown", "ProvisionedThroughputExceededException",
        "BandwidthLimitExceeded", "EC2ThrottledException", "PriorRequestNotComplete",
    ]

    static let serverErrorCodes: Set<String> = [
        "InternalError", "InternalFailure", "InternalServerError", "ServiceUnavailable", "ServiceUnavailableException",
        "Unavailable", "RequestTimeout", "RequestTimeoutException",
    ]

    /// How often a call answered by a server error page is made before the action is taken to
    /// be missing from the endpoint: a crash seldom repeats three times, a missing action always does.
    static let guessedNotImplementedAttempts = 3

    public func isRetryable(_ error: AWSError) -> Bool {
        switch error.kind {
        case .throttling, .server, .transport, .timeout: return true
        case .client, .notImplemented, .invalidAnswer: return false
        }
    }

    /// The wait before the attempt after `attempt` (1-based).
    public func delay(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let ceiling = min(cap, base * (1 << exponent))
        let fraction = min(max(random(), 0), 1)
        return ceiling * fraction
    }

    /// Runs `operation` until it succeeds, fails with a non-retryable error, attempts run out,
    /// or `deadline` passes; `onRetry` is told of each retry before its backoff (for logging).
    ///
    /// A call that is not `readOnly` and whose attempt got no answer or a server error may have
    /// done its work: a later error then says so (`followsUncertainAttempt`). A read cannot have
    /// changed anything, and neither can a request that never left (no connection) or was
    /// throttled, so those never set it.
    public func run<Result: Sendable>(
        readOnly: Bool = false,
        deadline: AWSCallDeadline? = nil,
        _ operation: (_ attempt: Int) async throws -> Result,
        onRetry: (_ attempt: Int, _ error: AWSError, _ delay: Duration) -> Void = { _, _, _ in }
    ) async throws -> Result {
        var attempt = 1
        var uncertain = false
        while true {
            do {
                return try await operation(attempt)
            } catch var error as AWSError {
                error.attempts = attempt
                error.followsUncertainAttempt = error.followsUncertainAttempt || uncertain
                guard isRetryable(error) || (error.notImplementedIsGuessed && attempt < Self.guessedNotImplementedAttempts) else { throw error }
                if let deadline, now() >= deadline.instant {
                    error.deadlineExplanation = deadline.explanation
                    throw error
                }
                guard attempt < maxAttempts else { throw error }
                if !readOnly && error.kind != .throttling && !error.requestWasNotSent && !error.notImplementedIsGuessed { uncertain = true }
                let wait = delay(afterAttempt: attempt)
                // No point sleeping into the deadline: the next attempt would have no time.
                if let deadline, now() + wait >= deadline.instant {
                    error.deadlineExplanation = deadline.explanation
                    throw error
                }
                onRetry(attempt, error, wait)
                try await sleep(wait)
                attempt += 1
            }
        }
    }
}
