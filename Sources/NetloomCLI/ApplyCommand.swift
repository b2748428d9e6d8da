import ArgumentParser
import Foundation
import NetloomEngine
import NetloomModel

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Make AWS match the spec: plan against live AWS, ask, then create, update, replace and delete.",
        discussion: """
        Reads the stack from AWS (one tag-filtered describe per resource type), shows the plan
        and asks for 'yes' on a terminal. Without a terminal, --auto-approve is required.
        A run that is interrupted (Ctrl-C, or killed) is resumed by the next apply: resources
        are tagged with their address when they are created, so nothing is made twice.

        Examples:
          netloom apply examples/ml-workstation.yaml
          netloom apply examples/inference.yaml --auto-approve --parallelism 8 --stats
          AWS_ENDPOINT_URL=http://127.0.0.1:5000 netloom apply spec.yaml --auto-approve
          netloom apply spec.yaml --auto-approve --format json | jq .summary
        """
    )

    @OptionGroup var spec: SpecOptions
    @OptionGroup var engineOptions: EngineOptions
    @OptionGroup var output: FormatOption

    @Flag(name: .long, help: "Apply without asking.")
    var autoApprove = false

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        let interactive = isatty(STDIN_FILENO) == 1
        if !autoApprove && !interactive {
            console.error("apply needs --auto-approve when standard input is not a terminal")
            throw ExitCode(64)
        }
        if !autoApprove && output.format == .json {
            console.error("--format json needs --auto-approve: the question and the document would share standard output")
            throw ExitCode(64)
        }
        let started = ContinuousClock.now
        let stop = StopRequest()
        InterruptHandler.install(stop, console: console)
        let session = try EngineSession.open(spec, parallelism: engineOptions.parallelism, timeout: engineOptions.runTimeout,
                                               console: console, stop: stop)
        var run = RunResult(command: "apply", stack: session.expanded.spec.stack, statePath: session.state.path)
        let outcome = await Self.deploy(session, autoApprove: autoApprove, json: output.format == .json, run: &run, console: console)
        if engineOptions.stats { session.printStats(elapsed: ContinuousClock.now - started) }
        await session.close()
        if output.format == .json { console.write(JSONText.render(run.document)) }
        if let outcome { throw outcome }
    }

    /// Returns the exit to take, nil for success.
    static func deploy(_ session: EngineSession, autoApprove: Bool, json: Bool, run: inout RunResult, console: Console) async -> ExitCode? {
        let runID: Int64
        do {
            runID = try session.state.beginRun(command: "apply")
        } catch {
            console.error(String(describing: error))
            run.error = String(describing: error)
            return ExitStatus.runtimeFailure
        }
        var mutating = 0
        defer { try? session.state.finishRun(runID, outcome: run.outcome, mutatingCalls: mutating) }
        let deploy: DeployPlan
        do {
            deploy = try await session.engine.plan(session.expanded.graph)
            try session.state.saveResolution(deploy.resolution)
        } catch {
            run.error = session.reportReadFailure(error, nothingDone: "nothing was changed")
            return ExitStatus.runtimeFailure
        }
        let stack = session.expanded.spec.stack
        run.plan = deploy.plan
        if !json { console.write(PlanRenderer(console: console).render(deploy.plan, stack: stack, offline: false)) }
        session.warnIfManagedElsewhere(deploy.live)
        if !deploy.plan.hasChanges {
            session.engine.recordAdopted(deploy)
            saveAllocations(session)
            run.outcome = "no changes"
            return nil
        }
        if !autoApprove {
            console.write("\nDo you want to perform these actions? Only 'yes' will be accepted.\n  Enter a value: ")
            guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
                console.error("apply cancelled; nothing was changed")
                run.outcome = "cancelled"
                return ExitStatus.runtimeFailure
            }
        }
        var report = await session.engine.apply(deploy, runID: runID)
        // A create whose answer was lost is retried, and where AWS takes no idempotency token
        // (a VPC, a route table) the retry makes a second one. Only a new read finds it, so
        // after such calls the stack is read again and what is left over is deleted. Each
        // round reads once; more rounds only follow if answers were lost again.
        var uncertainHandled = 0
        for _ in 0..<3 where report.succeeded && session.counter.uncertainMutatingCalls > uncertainHandled {
            uncertainHandled = session.counter.uncertainMutatingCalls
            let calls = uncertainHandled == 1 ? "1 change call was" : "\(uncertainHandled) change calls were"
            console.writeError("\(calls) retried after a lost answer; reading the stack again for duplicates")
            let check: DeployPlan
            do {
                check = try await session.engine.plan(session.expanded.graph)
            } catch {
                console.error("reading the stack again failed: \(error); run apply again to check it")
                run.report = report
                run.error = "reading the stack again failed: \(error)"
                return ExitStatus.runtimeFailure
            }
            guard check.plan.hasChanges else { break }
            if !json { console.write(PlanRenderer(console: console).render(check.plan, stack: stack, offline: false)) }
            let followUp = await session.engine.apply(check, runID: runID)
            report.completed.merge(followUp.completed) { _, new in new }
            report.failures += followUp.failures
            report.notAttempted += followUp.notAttempted
            report.interrupted = followUp.interrupted
        }
        mutating = session.counter.mutating
        saveAllocations(session)
        session.reportFailures(report, verb: "apply")
        run.report = report
        if report.succeeded {
            run.outcome = "applied"
            let counts = run.counts
            if !json {
                console.write("Apply complete! Resources: \(counts[.create] ?? 0) added, \(counts[.update] ?? 0) changed, \(counts[.replace] ?? 0) replaced, \(counts[.delete] ?? 0) destroyed.")
            }
            return nil
        }
        run.outcome = report.interrupted ? "interrupted" : "failed"
        return ExitStatus.runtimeFailure
    }

    static func saveAllocations(_ session: EngineSession) {
        let allocations = session.expanded.addressPlan.allocations.map { ($0.key, $0.cidr) }
        try? session.state.saveAllocations(Dictionary(allocations, uniquingKeysWith: { first, _ in first }))
    }
}
