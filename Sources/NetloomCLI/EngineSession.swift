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

    func validate() throws {
        guard (1...64).contains(parallelism) else { throw ValidationError("--parallelism must be between 1 and 64") }
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
    /// The throwaway state of a read-only command run where there was none; removed on close.
    var temporaryStatePath: String?

    static func statePath(_ options: SpecOptions, stack: String) -> String {
        if let path = options.state { return path }
        let directory = (options.specPath as NSString).deletingLastPathComponent
        return (directory.isEmpty ? "." : directory) + "/.netloom/\(stack).sqlite"
    }

    static func open(_ options: SpecOptions, parallelism: Int = 16, console: Console, stop: StopRequest = StopRequest(),
                     createsState: Bool = true) throws -> EngineSession {
        let spec = try SpecInput.load(options, console: console)
        let environment = ProcessInfo.processInfo.environment
        let resolver = AWSConfigurationResolver(environment: environment) { path in try? String(contentsOfFile: path, encoding: .utf8) }
        let resolved: AWSConfigurationResolver.Resolved
        do {
            resolved = try resolver.resolve(profile: options.profile)
        } catch {
            console.error(String(describing: error))
            throw ExitStatus.runtimeFailure
        }
        guard let credentials = resolved.credentials?.credentials else {
            console.error("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use --profile / AWS_PROFILE")
            throw ExitStatus.runtimeFailure
        }
        // Read-only commands (plan, drift) leave no state file behind where there was none.
        var path = statePath(options, stack: spec.stack)
        var temporaryStatePath: String?
        if !createsState && !FileManager.default.fileExists(atPath: path) {
            path = NSTemporaryDirectory() + "netloom-readonly-\(getpid())-\(UUID().uuidString).sqlite"
            temporaryStatePath = path
        }
        let state: StateStore
        do {
            state = try StateStore(path: path)
        } catch {
            console.error(String(describing: error))
            throw ExitStatus.runtimeFailure
        }
        let expanded: ExpandedStack
        do {
            expanded = try StackExpander.expand(spec, previousAllocations: (try? state.allocations()) ?? [:])
        } catch {
            console.report(error)
            throw ExitStatus.invalidSpec
        }
        let counter = CallCounter()
        let transport = AsyncHTTPClientTransport()
        let core = AWSClientCore(transport: CountingTransport(inner: transport, counter: counter), credentials: credentials,
                                 region: spec.region, endpoints: AWSEndpointResolver(environment: environment))
        let context = ProviderContext(services: AWSServices(core: core), stack: spec.stack, region: spec.region, clock: SystemEngineClock())
        let progressOnTerminal = isatty(STDERR_FILENO) == 1
        let engine = DeployEngine(context: context, state: state, parallelism: parallelism, stop: stop) { event in
            guard progressOnTerminal, !event.finished else { return }
            console.writeError("[\(event.done)/\(event.total)] \(event.action.rawValue) \(event.address)")
        }
        return EngineSession(expanded: expanded, state: state, engine: engine, counter: counter, transport: transport, console: console,
                             temporaryStatePath: temporaryStatePath)
    }

    func close() async {
        try? await transport.shutdown()
        if let temporaryStatePath {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: temporaryStatePath + suffix) }
        }
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
        console.warning("stack '\(expanded.spec.stack)' already has \(found) resource\(found == 1 ? "" : "s") in AWS that the state \(state.path) does not know: another state file may manage it. This run adopts what carries the stack's tags; if another state is in use, run from there instead.")
    }

    /// The failure text of SPEC.md section 5: address, action, AWS's code and message, and
    /// what was left as it was.
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
            console.error("\(done) change\(done == 1 ? "" : "s") made and recorded in \(state.path); \(left) not attempted and left as they were. Run the command again to continue.")
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
