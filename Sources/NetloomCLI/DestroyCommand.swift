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
          netloom destroy spec.yaml --auto-approve --quiet   # errors and the summary only

        On a terminal, a status line at the bottom shows the deletes done of the total,
        what is in flight and what AWS is waited for, the time elapsed and an estimate of
        what is left; each finished delete stays as a line above.
        """
    )

    @OptionGroup var spec: SpecOptions
    @OptionGroup var engineOptions: EngineOptions
    @OptionGroup var output: FormatOption

    @Flag(name: .long, help: "Destroy without asking.")
    var autoApprove = false

    @Flag(name: .long, help: "Print only errors, warnings and the summary: no progress, no retry notices.")
    var quiet = false

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
        let session = try await EngineSession.open(spec, parallelism: engineOptions.parallelism, timeout: engineOptions.runTimeout, logging: engineOptions.logging,
                                               console: console, stop: stop, showsProgress: !quiet, quiet: quiet, lockFor: "destroy")
        let stack = session.expanded.spec.stack
        let autoApprove = autoApprove
        let outcome = await session.engine.destroyStack(session.expanded.graph, confirm: {
            guard !autoApprove else { return true }
            console.write("Destroy every resource of \(stack)? Only 'yes' will be accepted.\n  Enter a value: ")
            return readLine()?.trimmingCharacters(in: .whitespaces) == "yes"
        })
        if engineOptions.stats { session.printStats(elapsed: ContinuousClock.now - started) }
        let saved = await session.close()
        let exit = session.report(outcome, verb: "destroy") ?? (saved ? nil : ExitStatus.runtimeFailure)
        switch output.format {
        case .json: console.write(JSONText.render(RunResult(command: "destroy", stack: stack, statePath: session.stateName, outcome: outcome).document))
        case .text: if outcome.status == .destroyed { console.write("Destroy complete! Resources: \(outcome.plan?.changes.count ?? 0) destroyed.") }
        }
        if let exit { throw exit }
    }
}
