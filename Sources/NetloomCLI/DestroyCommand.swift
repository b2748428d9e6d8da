import ArgumentParser
import Foundation
import NetloomEngine
import NetloomModel

struct DestroyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy",
        abstract: "Delete every resource of the stack, dependents first.",
        discussion: """
        Finds the stack's resources in AWS by their netloom:stack tag (and, for IAM roles and log
        groups, by their /netloom/<stack>/ path), including leftovers the state no longer knows,
        and deletes them from the deepest layer up: load balancer listeners and instances
        before subnets and groups, NAT gateways before their Elastic IPs, the VPC last.

        Examples:
          netloom destroy examples/ml-workstation.yaml
          netloom destroy examples/inference.yaml --auto-approve --stats
          netloom destroy spec.yaml --auto-approve --format json | jq '.failures'
        """
    )

    @OptionGroup var spec: SpecOptions
    @OptionGroup var engineOptions: EngineOptions
    @OptionGroup var output: FormatOption

    @Flag(name: .long, help: "Destroy without asking.")
    var autoApprove = false

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        if !autoApprove && isatty(STDIN_FILENO) != 1 {
            console.error("destroy needs --auto-approve when standard input is not a terminal")
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
        var run = RunResult(command: "destroy", stack: session.expanded.spec.stack, statePath: session.state.path)
        let outcome = await destroy(session, run: &run, console: console)
        if engineOptions.stats { session.printStats(elapsed: ContinuousClock.now - started) }
        await session.close()
        if output.format == .json { console.write(JSONText.render(run.document)) }
        if let outcome { throw outcome }
    }

    func destroy(_ session: EngineSession, run: inout RunResult, console: Console) async -> ExitCode? {
        let runID: Int64
        do {
            runID = try session.state.beginRun(command: "destroy")
        } catch {
            console.error(String(describing: error))
            run.error = String(describing: error)
            return ExitStatus.runtimeFailure
        }
        defer { try? session.state.finishRun(runID, outcome: run.outcome, mutatingCalls: session.counter.mutating) }
        if !autoApprove {
            console.write("Destroy every resource of \(session.expanded.spec.stack)? Only 'yes' will be accepted.\n  Enter a value: ")
            guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
                console.error("destroy cancelled; nothing was changed")
                run.outcome = "cancelled"
                return ExitStatus.runtimeFailure
            }
        }
        do {
            let (report, plan) = try await session.engine.destroy(session.expanded.graph, runID: runID)
            run.plan = plan
            run.report = report
            session.reportFailures(report, verb: "destroy")
            guard report.succeeded else {
                run.outcome = report.interrupted ? "interrupted" : "failed"
                return ExitStatus.runtimeFailure
            }
            run.outcome = "destroyed"
            if output.format == .text { console.write("Destroy complete! Resources: \(plan.changes.count) destroyed.") }
            return nil
        } catch {
            run.error = session.reportReadFailure(error, nothingDone: "nothing was deleted")
            return ExitStatus.runtimeFailure
        }
    }
}
