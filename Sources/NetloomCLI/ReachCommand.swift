import ArgumentParser
import Foundation
import NetloomAnalysis
import NetloomModel
import NetloomPlanning
import NetloomSpec

struct ReachCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reach",
        abstract: "Answer one reachability question offline: the path it takes, or every reason it is blocked.",
        discussion: """
        Applies AWS's rules to the expanded stack without any AWS call: security
        groups, network ACLs both ways (with the ephemeral return ports), routes,
        internet and NAT gateways, gateway and interface endpoints, load balancers
        as hops.

        Ends use the syntax of spec assertions: instance:NAME, cluster:NAME,
        cluster:NAME/GROUP (a HyperPod group: controller, login, workers),
        fsx:NAME (a HyperPod cluster's file system), subnet:NAME, lb:NAME,
        asg:NAME, endpoint:SERVICE, service:s3, internet, ip:A.B.C.D.
        Blocked verdicts carry AWS Reachability Analyzer explanation codes where one
        fits, netloom's own otherwise (docs/reachability-codes.md). Exit status: 0
        for a verdict either way, 64 for bad flags, 65 for an invalid spec.

        Examples:
          netloom reach examples/inference.yaml \\
            --from internet --to lb:public --protocol tcp --port 80
          netloom reach examples/hyperpod-eks.yaml \\
            --from cluster:trainers --to service:s3 --protocol tcp --port 443
          netloom reach examples/hyperpod-eks.yaml \\
            --from cluster:trainers --to cluster:trainers --protocol all
          netloom reach examples/hyperpod-slurm-dev.yaml \\
            --from cluster:gpu/controller --to fsx:gpu --protocol tcp --port 988
          netloom reach examples/inference.yaml \\
            --from internet --to asg:api --protocol tcp --port 5000
          netloom reach examples/ml-workstation.yaml --format json \\
            --from ip:198.51.100.7 --to instance:workstation --protocol tcp --port 22
        """
    )

    @OptionGroup var spec: SpecOptions

    @Option(name: .long, help: ArgumentHelp("Where the connection starts (instance:NAME, internet, ip:A.B.C.D, ...).", valueName: "end"))
    var from: String

    @Option(name: .long, help: ArgumentHelp("Where it goes (same syntax as --from).", valueName: "end"))
    var to: String

    @Option(name: .customLong("protocol"), help: ArgumentHelp("tcp, udp, icmp or all.", valueName: "protocol"))
    var ipProtocol: String

    @Option(name: .long, help: ArgumentHelp("Destination port (0-65535); required for tcp and udp, not taken by icmp or all.", valueName: "port"))
    var port: Int?

    @OptionGroup var output: FormatOption

    func validate() throws {
        guard let parsed = IPProtocol(rawValue: ipProtocol.lowercased()) else {
            throw ValidationError("--protocol '\(ipProtocol)' is not one of tcp, udp, icmp, all\(DidYouMean.hint(for: ipProtocol.lowercased(), among: IPProtocol.allCases.map(\.rawValue)))")
        }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port \(port) is outside 0-65535") }
        if parsed.hasPorts, port == nil { throw ValidationError("--protocol \(parsed) needs --port") }
        if !parsed.hasPorts, let port { throw ValidationError("--port \(port) does not apply to --protocol \(parsed) (it matches all of its traffic)") }
        for (flag, text) in [("--from", from), ("--to", to)] {
            if case .failure(let error) = Endpoint.parse(text) { throw ValidationError("\(flag): \(error.message)") }
        }
    }

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        let expanded = try SpecInput.expand(spec, console: console)
        // validate() already refused what does not parse; here names must resolve in the spec.
        var ends: [Endpoint] = []
        for (flag, text) in [("--from", from), ("--to", to)] {
            guard case .success(let end) = Endpoint.parse(text) else { throw ExitCode.validationFailure }
            if let problem = end.undefinedName(in: expanded.spec) {
                console.error("\(flag): \(problem)")
                throw ExitCode.validationFailure
            }
            ends.append(end)
        }
        let query = ReachabilityQuery(from: ends[0], to: ends[1], ipProtocol: IPProtocol(rawValue: ipProtocol.lowercased()) ?? .all, port: port)
        let verdict = ReachabilityAnalyzer(expanded).evaluate(query)
        switch output.format {
        case .json: console.write(JSONOutput.encode(verdict))
        case .text: console.write(render(verdict, query: query, console: console))
        }
    }

    func render(_ verdict: ReachabilityVerdict, query: ReachabilityQuery, console: Console) -> String {
        var lines: [String] = []
        let headline = "\(query.from) -> \(query.to) \(query.ipProtocol)\(query.port.map { "/\($0)" } ?? "")"
        if verdict.reachable {
            lines.append("\(console.style("reachable", .green)): \(headline)")
            let width = verdict.path.map(\.component.count).max() ?? 0
            for (index, hop) in verdict.path.enumerated() {
                let number = String(index + 1).leftPadded(to: 3)
                lines.append("\(number). \(hop.component.padded(to: width))  \(console.style(hop.address, .bold))")
                lines.append("     \(String(repeating: " ", count: width))  \(console.style(hop.detail, .dim))")
            }
        } else {
            lines.append("\(console.style("unreachable", .red)): \(headline)")
            for explanation in verdict.explanations {
                lines.append("  \(console.style(explanation.code, .yellow))  \(console.style(explanation.address, .bold))")
                lines.append("      \(explanation.detail)")
            }
        }
        return lines.joined(separator: "\n")
    }
}

private extension String {
    func padded(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
