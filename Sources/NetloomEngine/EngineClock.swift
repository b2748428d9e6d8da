import AWSClient

/// The engine's only notion of time: waiting. Injected so tests poll without sleeping.
public protocol EngineClock: Sendable {
    func sleep(for duration: Duration) async throws
}

/// Real time.
public struct SystemEngineClock: EngineClock {
    public init() {}
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}

/// What a wait for a resource to become ready looks like after one poll: for a status line
/// ("nat_gateway:public/us-east-1a: pending, 12s").
public struct ReadinessEvent: Sendable, Hashable {
    /// The address of the change that waits (the resource created or deleted), when known.
    public var address: String?
    /// What is waited for, as the engine says it: `NAT gateway nat-0a1b (nat_gateway:public/us-east-1a)`.
    public var subject: String
    /// The state AWS reported at this poll (`pending`, `provisioning`, `available`, ...).
    public var state: String
    /// Time spent waiting so far, by the engine's clock.
    public var waited: Duration
    /// The resource is ready: the wait is over.
    public var ready: Bool

    public init(address: String?, subject: String, state: String, waited: Duration, ready: Bool) {
        self.address = address
        self.subject = subject
        self.state = state
        self.waited = waited
        self.ready = ready
    }
}

/// Waits until `isReady` says so, polling with exponential backoff (0.5 s doubling to 10 s) and
/// giving up after `timeout` of accumulated waiting. AWS has no push notification for "NAT
/// gateway available" or "load balancer active"; polling is what its own waiters do.
struct ReadinessWaiter: Sendable {
    var clock: any EngineClock
    var timeout: Duration
    var firstDelay: Duration = .milliseconds(500)
    var maximumDelay: Duration = .seconds(10)
    /// Told after every poll, so a terminal can show what is waited for and its state.
    var observer: @Sendable (ReadinessEvent) -> Void = { _ in }

    struct TimedOut: Error, CustomStringConvertible {
        var what: String
        var waited: Duration
        var lastState: String
        var description: String { "\(what) was not ready after \(waited) (last state: \(lastState))" }
    }

    /// `poll` returns (ready, state text); a state that can never become ready should throw.
    func wait(for what: String, _ poll: () async throws -> (ready: Bool, state: String)) async throws {
        var waited = Duration.zero
        var delay = firstDelay
        // The change being made sets the address for the calls it makes (`DeployEngine.mutate`).
        let address = AWSCallContext.resource
        while true {
            let (ready, state) = try await poll()
            observer(ReadinessEvent(address: address, subject: what, state: state, waited: waited, ready: ready))
            if ready { return }
            if waited >= timeout { throw TimedOut(what: what, waited: waited, lastState: state) }
            try await clock.sleep(for: delay)
            waited += delay
            delay = min(delay * 2, maximumDelay)
        }
    }
}

/// Memoises describe calls for one refresh, so a route table describe serves the route
/// tables, their routes and their associations with one call.
actor DescribeCache {
    private var tasks: [String: Task<any Sendable, any Error>] = [:]

    func value<T: Sendable>(_ key: String, _ fetch: @escaping @Sendable () async throws -> T) async throws -> T {
        if let task = tasks[key] {
            guard let value = try await task.value as? T else { throw CancellationError() }
            return value
        }
        let task = Task<any Sendable, any Error> { try await fetch() }
        tasks[key] = task
        guard let value = try await task.value as? T else { throw CancellationError() }
        return value
    }
}
