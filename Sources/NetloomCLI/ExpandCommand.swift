import ArgumentParser
import Foundation
import NetloomModel
import NetloomPlanning

struct ExpandCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expand",
        abstract: "Show the AWS resources a spec expands into, with planned addresses.",
        discussion: """
        Text draws the topology as a tree (VPC, AZ, subnet with CIDR and
        usable/demanded addresses, what is placed there) followed by the
        resources per type. JSON lists every resource with its address,
        type, properties and dependencies.

        Examples:
          netloom expand examples/hyperpod-eks.yaml
          netloom expand examples/hyperpod-eks.yaml --format json | jq '.subnets'
        """
    )

    @OptionGroup var spec: SpecOptions
    @OptionGroup var output: FormatOption

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        let expanded = try SpecInput.expand(spec, console: console)
        switch output.format {
        case .json: console.write(JSONText.render(JSONOutput.expandDocument(expanded)))
        case .text: console.write(TopologyTreeRenderer(console: console).render(expanded))
        }
    }
}
