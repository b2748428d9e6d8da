import ArgumentParser
import Foundation
import NetloomEngine
import NetloomModel
import NetloomPlanning

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the changes apply would make.",
        discussion: """
        By default the stack is read from AWS (one tag-filtered describe per resource type) and
        compared with the spec: each change says create, update, replace or delete, and why.
        With --offline no AWS call is made: the plan compares the spec with the state only.

        Examples:
          netloom plan examples/ml-workstation.yaml
          netloom plan examples/inference.yaml --format json --stats
          netloom plan --offline examples/ml-workstation.yaml
          netloom plan spec.yaml --detailed-exitcode   # exit 2 when there are changes
          netloom plan spec.yaml --format markdown > comment.md

        --format markdown writes a summary table and collapsible sections, kept under
        60,000 characters (GitHub comments hold 65,536): long lists end with how many
        changes were left out.
        """
    )

    /// `text` and `json` as every command; `markdown` for a pull-request comment.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, markdown
    }

    @OptionGroup var spec: SpecOptions

    @Option(name: .long, help: "Output format: text, json or markdown.")
    var format: Format = .text
    @OptionGroup var deadline: TimeoutOption
    @OptionGroup var logging: LoggingOptions

    @Flag(name: .long, help: "Plan against the state only, without calling AWS.")
    var offline = false

    @Flag(name: .long, help: "Exit 0 with no changes, 2 with changes (as Terraform does).")
    var detailedExitcode = false

    @Flag(name: .long, help: "Print the number of AWS calls by service and action on stderr.")
    var stats = false

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        let plan: Plan
        let stack: String
        if offline {
            (plan, stack) = try await offlinePlan(console: console)
        } else {
            let started = ContinuousClock.now
            let session = try await EngineSession.open(spec, timeout: deadline.runTimeout, logging: logging, console: console, createsState: false)
            stack = session.expanded.spec.stack
            do {
                plan = try await session.engine.plan(session.expanded.graph).plan
            } catch {
                if stats { session.printStats(elapsed: ContinuousClock.now - started) }
                await session.close()
                session.reportReadFailure(error, nothingDone: nil)
                throw ExitStatus.runtimeFailure
            }
            if stats { session.printStats(elapsed: ContinuousClock.now - started) }
            await session.close()
        }
        switch format {
        case .json: console.write(JSONText.render(JSONOutput.planDocument(plan)))
        case .text: console.write(PlanRenderer(console: console).render(plan, stack: stack, offline: offline))
        case .markdown: console.write(PlanMarkdownRenderer().render(plan, stack: stack, offline: offline))
        }
        if detailedExitcode, plan.hasChanges { throw ExitStatus.changesPresent }
    }

    /// The spec against the state: what the last apply recorded stands for AWS.
    func offlinePlan(console: Console) async throws -> (Plan, String) {
        let (plan, expanded) = try await Self.offlinePlan(spec, console: console)
        return (plan, expanded.spec.stack)
    }

    /// The offline plan and the expansion it compared, with the CIDRs the state recorded kept
    /// (`report --state` shows the same plan next to the same addresses).
    static func offlinePlan(_ spec: SpecOptions, console: Console) async throws -> (Plan, ExpandedStack) {
        let loaded = try SpecInput.load(spec, console: console)
        let readable: StateOptions.ReadableState?
        do {
            readable = try await StateOptions.openForReading(spec, spec: loaded, console: console)
        } catch {
            console.error(String(describing: error))
            throw ExitStatus.runtimeFailure
        }
        guard let readable else {
            let expanded = try SpecInput.expand(loaded, console: console)
            return (Plan.creatingEverything(in: expanded.graph, reason: "not in the state"), expanded)
        }
        do {
            let expanded = try SpecInput.expand(loaded, previousAllocations: try readable.store.allocations(), console: console)
            let plan = try DeployEngine.offlinePlan(expanded.graph, state: readable.store)
            await readable.done()
            return (plan, expanded)
        } catch let error as StateError {
            await readable.done()
            console.error(error.description)
            throw ExitStatus.runtimeFailure
        } catch {
            await readable.done()
            throw error
        }
    }
}
