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
          netloom import --region us-east-1 --vpc vpc-0abc -o imported.yaml && netloom apply imported.yaml --adopt
          netloom apply spec.yaml --auto-approve --quiet   # errors and the summary only

        On a terminal, a status line at the bottom shows the changes done of the total,
        what is in flight and what AWS is waited for (a NAT gateway pending), the time
        elapsed and an estimate of what is left; each finished change stays as a line above.
        """
    )

    @OptionGroup var spec: SpecOptions
    @OptionGroup var engineOptions: EngineOptions
    @OptionGroup var output: FormatOption

    @Flag(name: .long, help: "Apply without asking.")
    var autoApprove = false

    @Flag(name: .long, help: ArgumentHelp(
        "Take over the resources `netloom import` recorded in the state: tag them as the stack's and bring their settings to the spec. Refuses, changing nothing, when the plan would create, replace or delete anything."))
    var adopt = false

    @Flag(name: .long, help: "Print only errors, warnings and the summary: no plan (unless asked to approve it), no progress, no retry notices.")
    var quiet = false

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
        let session = try await EngineSession.open(spec, parallelism: engineOptions.parallelism, timeout: engineOptions.runTimeout, logging: engineOptions.logging,
                                               console: console, stop: stop, showsProgress: !quiet, quiet: quiet, lockFor: "apply")
        let json = output.format == .json
        // A plan that must be approved is shown even with --quiet: no one approves blind.
        let showsPlan = !json && (!quiet || !autoApprove)
        let quiet = quiet
        let stack = session.expanded.spec.stack
        var engine = session.engine
        let adopt = adopt
        if adopt {
            let adoption = Dictionary(((try? session.state.resources()) ?? [:]).values.map { ($0.awsID, $0.address) }, uniquingKeysWith: { first, _ in first })
            guard !adoption.isEmpty else {
                console.error("--adopt needs the ids `netloom import` writes into the state, and \(session.stateName) has none; run netloom import first")
                await session.close()
                throw ExitStatus.runtimeFailure
            }
            engine.context.adoption = adoption
        }
        let outcome = await engine.applyStack(session.expanded.graph, allocations: session.allocations, hooks: RunHooks(
            planned: { deploy in
                if showsPlan || adopt && !json { console.write(PlanRenderer(console: console).render(deploy.plan, stack: stack, offline: false)) }
                if adopt {
                    let refused = deploy.plan.changes.filter { $0.action != .update }
                    if !refused.isEmpty {
                        for change in refused.prefix(20) { console.error("--adopt would \(change.action.rawValue) \(change.address) (\(change.reason))") }
                        if refused.count > 20 { console.error("... and \(refused.count - 20) more") }
                        console.error("apply --adopt refused: \(refused.count) change\(refused.count == 1 ? "" : "s") would create, replace or delete; only updates (tags, settings) are allowed when adopting. Edit the spec to match what exists (see the notes at the end of the imported spec).")
                        return false
                    }
                }
                if !adopt { session.warnIfManagedElsewhere(deploy.live) }
                guard deploy.plan.hasChanges, !autoApprove else { return true }
                console.write("\nDo you want to perform these actions? Only 'yes' will be accepted.\n  Enter a value: ")
                return readLine()?.trimmingCharacters(in: .whitespaces) == "yes"
            },
            rereading: { count in
                guard !quiet else { return }
                let calls = count == 1 ? "1 change call was" : "\(count) change calls were"
                console.writeError("\(calls) retried after a lost answer; reading the stack again for duplicates")
            },
            replanned: { plan in
                if !json && !quiet { console.write(PlanRenderer(console: console).render(plan, stack: stack, offline: false)) }
            }))
        if engineOptions.stats { session.printStats(elapsed: ContinuousClock.now - started) }
        let saved = await session.close()
        let exit = session.report(outcome, verb: "apply") ?? (saved ? nil : ExitStatus.runtimeFailure)
        if json {
            console.write(JSONText.render(RunResult(command: "apply", stack: stack, statePath: session.stateName, outcome: outcome).document))
        } else if outcome.status == .applied {
            let counts = outcome.report.counts
            console.write("Apply complete! Resources: \(counts[.create] ?? 0) added, \(counts[.update] ?? 0) changed, \(counts[.replace] ?? 0) replaced, \(counts[.delete] ?? 0) destroyed.")
        }
        // What netloom leaves to the user on purpose (an instance refresh), even with --quiet.
        if !json {
            for change in outcome.plan?.changes ?? [] where change.note != nil && outcome.report.completed[change.address] != nil {
                console.write("Next step for \(change.address): \(change.note ?? "")")
            }
        }
        if let exit { throw exit }
    }
}
