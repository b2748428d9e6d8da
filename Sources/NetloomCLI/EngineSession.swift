import AWSClient
import ArgumentParser
import Dispatch
import Foundation
import NetloomEngine
import NetloomModel
import NetloomPlanning
import NetloomSpec

/// Options of the commands that talk to AWS.
struct EngineOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the number of AWS calls by service and action on stderr.")
    var stats = false

    @Option(name: .long, help: ArgumentHelp("How many AWS calls may be in flight at once (1-64).", valueName: "n"))
    var parallelism: Int = 16

    @OptionGroup var deadline: TimeoutOption
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (1...64).contains(parallelism) else { throw ValidationError("--parallelism must be between 1 and 64") }
    }

    /// The run's limit, nil without `--timeout`.
    var runTimeout: RunTimeout? { deadline.runTimeout }
}

/// `--timeout`, for every command that talks to AWS.
struct TimeoutOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Stop every AWS call after this long from the start of the run, retries included (like 90s, 10m, 1h30m). Without it each call still ends within 100 s.",
        valueName: "duration"))
    var timeout: String?

    func validate() throws {
        if let timeout, RunTimeout(timeout) == nil {
            throw ValidationError("--timeout must be a duration such as 90s, 10m or 1h30m (more than zero, at most 24h); got '\(timeout)'")
        }
    }

    var runTimeout: RunTimeout? { timeout.flatMap(RunTimeout.init) }
}

/// `--timeout`: a duration written as numbers with units `ms`, `s`, `m`, `h` (`90s`, `1m30s`).
struct RunTimeout: Hashable {
    var duration: Duration
    /// As the user wrote it, for messages.
    var text: String

    init?(_ text: String) {
        let units: [(suffix: String, milliseconds: Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        var total: Int64 = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 9, let value = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.suffix) }) else { return nil }
            rest = rest.dropFirst(unit.suffix.count)
            total += value * unit.milliseconds
        }
        guard total > 0, total <= 24 * 3_600_000 else { return nil }
        duration = .milliseconds(total)
        self.text = text
    }
}

/// Everything a deploying command sets up: the spec expanded with the state's allocations,
/// the state, AWS clients with call counting, and the engine.
struct EngineSession {
    let expanded: ExpandedStack
    let state: StateStore
    let engine: DeployEngine
    let counter: CallCounter
    let transport: AsyncHTTPClientTransport
    let console: Console
    /// The live status line of an apply or destroy on a terminal; nil elsewhere and with `--quiet`.
    let live: LiveProgress?

    /// The subnet allocations of this expansion, for the state to keep.
    var allocations: [SubnetKey: CIDRBlock] {
        Dictionary(expanded.addressPlan.allocations.map { ($0.key, $0.cidr) }, uniquingKeysWith: { first, _ in first })
    }

    /// The throwaway state of a read-only command run where there was none; removed on close.
    var temporaryStatePath: String?
    /// The state kept in S3, when it is; `state` is then its local copy.
    var remote: S3StateSession?
    /// Uploads the S3 state while a run goes on, so a killed run loses little.
    var uploader: Task<Void, Never>?

    /// The state as the user names it: its path, or its `s3://` URL.
    var stateName: String { remote?.location ?? state.path }

    static func statePath(_ options: SpecOptions, stack: String) -> String {
        if let path = options.state { return path }
        let directory = (options.specPath as NSString).deletingLastPathComponent
        return (directory.isEmpty ? "." : directory) + "/.netloom/\(stack).sqlite"
    }

    /// `timeout` is the run's `--timeout`: no AWS call goes on past it. `showsProgress` draws the
    /// live status line when stderr is a terminal; `quiet` keeps the retry notices to itself.
    /// `lockFor` names the run (apply, destroy) that takes the state's lock; read-only commands
    /// pass `createsState: false` and never write a state back.
    static func open(_ options: SpecOptions, parallelism: Int = 16, timeout: RunTimeout? = nil, logging: LoggingOptions, console: Console,
                     stop: StopRequest = StopRequest(), createsState: Bool = true, showsProgress: Bool = false,
                     quiet: Bool = false, lockFor command: String? = nil) async throws -> EngineSession {
        let runDeadline = timeout.map { AWSRunDeadline(instant: .now + $0.duration, source: "--timeout \($0.text)") }
        let spec = try SpecInput.load(options, console: console)
        let transport = AsyncHTTPClientTransport()
        let counter = CallCounter()
        let core: AWSClientCore
        do {
            // The credential chain of the AWS CLI; the region is the spec's. The core tells
            // the counter of each attempt, and the console of each retry: a run against an
            // endpoint that does not answer shows that it waits, and why.
            var resolved = try AWSClientCore.resolve(environment: ProcessInfo.processInfo.environment,
                                                     readFile: { path in try? String(contentsOfFile: path, encoding: .utf8) },
                                                     profile: options.profile, region: spec.region, transport: transport,
                                                     logger: logging.logger(label: "netloom.aws", console: console))
            resolved.runDeadline = runDeadline
            resolved.observer = counter
            if !quiet { resolved.onRetry = { notice in console.writeError(notice.description) } }
            core = resolved
        } catch {
            try? await transport.shutdown()
            console.error(String(describing: error))
            throw ExitStatus.runtimeFailure
        }
        // From here on nothing printed may hold the secret key or the session token.
        console.redaction.use(AWSSecretRedactor(credentials: core.credentials))
        // A state that cannot be read is an error naming it, never an empty state: an empty one
        // would re-plan every subnet's CIDR.
        let state: StateStore
        let previousAllocations: [SubnetKey: CIDRBlock]
        var temporaryStatePath: String?
        var remote: S3StateSession?
        do {
            switch try StateOptions.location(options, spec: spec) {
            case .s3(let bucket, let key):
                let lock = command.map { S3StateLock.forThisProcess(command: $0, environment: ProcessInfo.processInfo.environment) }
                let session = try await S3StateSession.open(bucket: bucket, key: key, s3: S3(core: core), lock: createsState ? lock : nil)
                for warning in session.warnings { console.warning(warning) }
                remote = session
                state = session.store
            case .file(var path):
                // Read-only commands (plan, drift) leave no state file behind where there was none.
                if !createsState && !FileManager.default.fileExists(atPath: path) {
                    path = NSTemporaryDirectory() + "netloom-readonly-\(getpid())-\(UUID().uuidString).sqlite"
                    temporaryStatePath = path
                }
                state = try StateStore(path: path)
            }
            previousAllocations = try state.allocations()
        } catch {
            if let remote { _ = await remote.close(upload: false) }
            try? await transport.shutdown()
            console.error(String(describing: error))
            throw ExitStatus.runtimeFailure
        }
        let expanded: ExpandedStack
        do {
            expanded = try StackExpander.expand(spec, previousAllocations: previousAllocations)
        } catch {
            if let remote { _ = await remote.close(upload: false) }
            try? await transport.shutdown()
            console.report(error)
            throw ExitStatus.invalidSpec
        }
        var context = ProviderContext(services: AWSServices(core: core), stack: spec.stack, region: spec.region, clock: SystemEngineClock())
        // Without a terminal nothing is drawn: a CI log gets one plain line per finished change.
        let live = showsProgress ? LiveProgress(console: console, drawsStatusLine: LiveProgress.isAvailable(environment: ProcessInfo.processInfo.environment)) : nil
        if let live { context.readinessObserver = { wait in live.handle(wait) } }
        let engine = DeployEngine(context: context, state: state, parallelism: parallelism, stop: stop, calls: counter) { event in
            live?.handle(event)
        }
        var uploader: Task<Void, Never>?
        if let remote, command != nil {
            uploader = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(5))
                    guard !Task.isCancelled else { return }
                    do {
                        try await remote.upload()
                    } catch {
                        // Another writer has the state now: stop making changes it will not know of.
                        console.error(String(describing: error))
                        stop.request()
                        return
                    }
                }
            }
        }
        return EngineSession(expanded: expanded, state: state, engine: engine, counter: counter, transport: transport, console: console,
                             live: live, temporaryStatePath: temporaryStatePath, remote: remote, uploader: uploader)
    }

    /// Writes an S3 state back and releases its lock; false (with the reason printed) when the
    /// state could not be saved.
    @discardableResult
    func close() async -> Bool {
        live?.finish()
        uploader?.cancel()
        var saved = true
        if let remote, let error = await remote.close() {
            console.error(String(describing: error))
            saved = false
        }
        try? await transport.shutdown()
        if let temporaryStatePath {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: temporaryStatePath + suffix) }
        }
        return saved
    }

    func printStats(elapsed: Duration) {
        let counts = counter.snapshot
        console.writeError("AWS calls: \(counter.total) (\(counter.mutating) mutating) in \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds], width: .abbreviated)))")
        for key in counts.keys.sorted() {
            console.writeError("  \(key.padding(toLength: 48)) \(counts[key] ?? 0)")
        }
    }

    /// A failed read of the stack, printed; returns the text for a JSON document. Names held by
    /// another stack get one line each, with the way out.
    @discardableResult
    func reportReadFailure(_ error: any Error, nothingDone: String?) -> String {
        let tail = nothingDone.map { "; \($0)" } ?? ""
        if let conflicts = error as? OwnershipConflicts {
            for conflict in conflicts.conflicts { console.error(conflict.description) }
            let count = conflicts.conflicts.count
            console.error("\(count) name\(count == 1 ? " is" : "s are") held by others\(tail)")
            return conflicts.description
        }
        let text = "reading the stack from AWS failed: \(error)"
        console.error(text + tail)
        return text
    }

    /// A state that knows nothing of a stack AWS already has: another state file (another
    /// laptop, a CI runner) may be managing it, and two managers undo each other's work.
    func warnIfManagedElsewhere(_ live: LiveView) {
        guard let records = try? state.resources(), records.isEmpty else { return }
        let found = live.all.filter { !$0.isUnmanaged }.count
        guard found > 0 else { return }
        console.warning("stack '\(expanded.spec.stack)' already has \(found) resource\(found == 1 ? "" : "s") in AWS that the state \(stateName) does not know: another state file may manage it. This run adopts what carries the stack's tags; if another state is in use, run from there instead.")
    }

    /// Prints how a run ended (what stopped it, or each failure and what was left) and returns
    /// the exit to take, nil for success.
    func report(_ outcome: RunOutcome, verb: String) -> ExitCode? {
        if let error = outcome.error {
            if let stateError = error as? StateError {
                console.error(stateError.description)
            } else if outcome.plan == nil {
                reportReadFailure(error, nothingDone: verb == "destroy" ? "nothing was deleted" : "nothing was changed")
            } else {
                console.error(String(describing: error))
            }
        }
        if outcome.status == .cancelled { console.error("\(verb) cancelled; nothing was changed") }
        reportFailures(outcome.report, verb: verb)
        return outcome.succeeded ? nil : ExitStatus.runtimeFailure
    }

    /// The failure text: address, action, AWS's code and message, and what was left as it was.
    func reportFailures(_ report: RunReport, verb: String) {
        for failure in report.failures {
            console.error(failure.description)
        }
        if report.interrupted {
            console.error("\(verb) interrupted: the calls in flight finished and are recorded in the state")
        }
        let done = report.completed.count
        let left = report.notAttempted.count
        if !report.succeeded {
            console.error("\(done) change\(done == 1 ? "" : "s") made and recorded in \(stateName); \(left) not attempted and left as they were. Run the command again to continue.")
        }
    }
}

/// SIGINT: finish the calls in flight, record them, stop.
enum InterruptHandler {
    nonisolated(unsafe) static var source: DispatchSourceSignal?

    static func install(_ stop: StopRequest, console: Console) {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            console.writeError("interrupt: finishing the calls in flight, then stopping (no new calls)")
            stop.request()
        }
        source.resume()
        Self.source = source
    }
}
