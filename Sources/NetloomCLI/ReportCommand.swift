import ArgumentParser
import Foundation
import NetloomAnalysis
import NetloomModel
import NetloomPlanning
import NetloomReport

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML page about the stack: topology, findings, reachability, cost and plan.",
        discussion: """
        The page draws the VPC with one column per AZ (subnets by tier with their
        CIDR and address use, gateways, endpoints, load balancers, clusters and
        instances, the routes out), then the findings of `netloom check` and the
        spec's assertions, a reachability matrix between the spec's ends (open a
        cell for the path or the reasons it is blocked), the monthly cost with its
        advice and, with --state, the offline plan against that state.

        Styles and script are inline and nothing is fetched: the file opens from
        disk, offline, in light or dark mode, and prints. It is written
        atomically: the path never holds half a page, and on any error what was
        there before is left as it was.

        Exit status: 0 written; 1 the file or the state could not be read or
        written; 65 invalid spec; 64 wrong option.

        Examples:
          netloom report examples/inference.yaml -o inference.html
          netloom report examples/hyperpod-eks.yaml -o eks.html --state ci/eks.sqlite
          netloom report spec.yaml --output /tmp/stack.html && open /tmp/stack.html
        """
    )

    @OptionGroup var spec: SpecOptions

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Where to write the HTML file.", valueName: "path"))
    var output: String

    func validate() throws {
        if output.isEmpty { throw ValidationError("--output is empty") }
    }

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        let expanded: ExpandedStack
        var plan: Plan?
        if spec.state != nil {
            (plan, expanded) = try await PlanCommand.offlinePlan(spec, console: console)
        } else {
            expanded = try SpecInput.expand(spec, console: console)
        }
        do {
            try ComplianceChecker.validateSkipComments(expanded.spec)
        } catch {
            console.report(error)
            throw ExitStatus.invalidSpec
        }
        let inputs = HTMLReport.Inputs(expanded: expanded, plan: plan, statePath: spec.state)
        let html = HTMLReport().render(inputs)
        let destination = URL(fileURLWithPath: output)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: destination.path, isDirectory: &isDirectory), isDirectory.boolValue {
            console.error("cannot write the report to \(output): it is a directory")
            throw ExitStatus.runtimeFailure
        }
        do {
            // `.atomic` writes a temporary file beside the destination and renames it over:
            // a reader never sees half a page, and a failed write leaves nothing behind.
            try Data(html.utf8).write(to: destination, options: .atomic)
        } catch {
            console.error("cannot write the report to \(output): \((error as NSError).localizedDescription)")
            throw ExitStatus.runtimeFailure
        }
        console.writeError("wrote \(output) (\(html.utf8.count.grouped) bytes)")
    }
}
