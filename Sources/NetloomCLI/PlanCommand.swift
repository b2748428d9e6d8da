import ArgumentParser
import Foundation
import NetloomModel
import NetloomPlanning

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the changes apply would make.",
        discussion: """
        With --offline no AWS call is made: the plan compares the spec with the state only.

        Examples:
          netloom plan --offline examples/ml-workstation.yaml
          netloom plan --offline examples/inference.yaml --format json
          netloom plan --offline spec.yaml --detailed-exitcode   # exit 2 when there are changes
        """
    )

    @OptionGroup var spec: SpecOptions
    @OptionGroup var output: FormatOption

    @Flag(name: .long, help: "Plan against the state only, without calling AWS.")
    var offline = false

    @Flag(name: .long, help: "Exit 0 with no changes, 2 with changes (as Terraform does).")
    var detailedExitcode = false

    func validate() throws {
        if !offline {
            throw ValidationError("a live plan needs the AWS engine, which this build does not have yet; use --offline")
        }
    }

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        let expanded = try SpecInput.expand(spec, console: console)
        let plan = Plan.creatingEverything(in: expanded.graph, reason: "not in the state")
        switch output.format {
        case .json: console.write(JSONText.render(JSONOutput.planDocument(plan)))
        case .text: console.write(PlanRenderer(console: console).render(plan, stack: expanded.spec.stack, offline: true))
        }
        if detailedExitcode, plan.hasChanges { throw ExitStatus.changesPresent }
    }
}
