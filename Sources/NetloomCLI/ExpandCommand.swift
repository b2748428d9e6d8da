import ArgumentParser
import Foundation
import NetloomModel
import NetloomPlanning
import NetloomReport

/// `expand` draws as well as lists: the topology as Mermaid or Graphviz source.
enum ExpandFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
    case mermaid
    case dot
}

struct ExpandCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expand",
        abstract: "Show the AWS resources a spec expands into, with planned addresses.",
        discussion: """
        Text draws the topology as a tree (VPC, AZ, subnet with CIDR and
        usable/demanded addresses, what is placed there) followed by the
        resources per type. JSON lists every resource with its address,
        type, properties and dependencies. Mermaid and dot give the same topology
        as `netloom report` draws (VPC, AZs, tiers, subnets and what is in them,
        gateways, endpoints, load balancers, routes out) as a Mermaid flowchart
        or a Graphviz digraph (render it with `dot -Tsvg`).

        Examples:
          netloom expand examples/hyperpod-eks.yaml
          netloom expand examples/hyperpod-eks.yaml --format json | jq '.subnets'
          netloom expand examples/inference.yaml --format mermaid > topology.mmd
          netloom expand examples/inference.yaml --format dot | dot -Tsvg > topology.svg
        """
    )

    @OptionGroup var spec: SpecOptions
    @Option(name: .long, help: "Output format: text, json, mermaid or dot.")
    var format: ExpandFormat = .text

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        let expanded = try SpecInput.expand(spec, console: console)
        switch format {
        case .json: console.write(JSONText.render(JSONOutput.expandDocument(expanded)))
        case .text: console.write(TopologyTreeRenderer(console: console).render(expanded))
        case .mermaid: console.write(MermaidRenderer().render(TopologyDiagram(expanded)))
        case .dot: console.write(GraphvizRenderer().render(TopologyDiagram(expanded)))
        }
    }
}
