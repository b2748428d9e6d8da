import Foundation
import NetloomAnalysis
import NetloomEngine
import NetloomModel
import NetloomPlanning
import NetloomReport
import NetloomSpec
import NetloomTestSupport
import Testing

@Suite("netloom report: the command and the page's text")
struct ReportCommandTests {
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("netloom-report-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test("an invalid spec exits 65 and leaves the existing output file as it was")
    func invalidSpec() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = directory.appendingPathComponent("bad.yaml").path
        try "stack: x\nregion: nowhere-1\nnetwork: { cidr: 10.0.0.0/33 }\n".write(toFile: spec, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("out.html").path
        try "previous".write(toFile: output, atomically: true, encoding: .utf8)
        let run = try await ExternalTool.run(ExternalTool.netloom, ["report", spec, "-o", output])
        #expect(run.status == 65)
        #expect(run.stderr.contains("bad.yaml:"), "no located error: \(run.stderr)")
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "previous")
    }

    @Test("an output path that cannot be written exits 1 with the path in the message and leaves nothing")
    func unwritableOutput() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("missing/dir/out.html").path
        let run = try await ExternalTool.run(ExternalTool.netloom, ["report", ExampleSpecs.path("inference.yaml"), "-o", output])
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot write the report to \(output)"), "stderr: \(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
        let onDirectory = try await ExternalTool.run(ExternalTool.netloom, ["report", ExampleSpecs.path("inference.yaml"), "-o", directory.path])
        #expect(onDirectory.status == 1)
        #expect(onDirectory.stderr.contains("is a directory"))
    }

    @Test("without -o the command is a usage error")
    func missingOutput() async throws {
        let run = try await ExternalTool.run(ExternalTool.netloom, ["report", ExampleSpecs.path("inference.yaml")])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--output"))
    }

    @Test("with --state the page has the offline plan; without a state file everything is a create")
    func planFromState() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("plan.html").path
        let state = directory.appendingPathComponent("none.sqlite").path
        let run = try await ExternalTool.run(ExternalTool.netloom, ["report", ExampleSpecs.path("inference.yaml"), "-o", output, "--state", state])
        try #require(run.status == 0, "\(run.stderr)")
        let html = try String(contentsOfFile: output, encoding: .utf8)
        let expanded = try StackExpander.expand(try SpecLoader.load(contentsOf: ExampleSpecs.path("inference.yaml")))
        #expect(html.contains("id=\"plan\""))
        #expect(html.contains("\(expanded.graph.count) to create"))
        #expect(!FileManager.default.fileExists(atPath: state), "report created a state file")
    }

    @Test("with a state file the page's plan is the one plan --offline --state prints")
    func planMatchesPlanCommand() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let specPath = ExampleSpecs.path("inference.yaml")
        let expanded = try StackExpander.expand(try SpecLoader.load(contentsOf: specPath))
        // A state that knows every resource but the first subnet, as if its create had not run.
        let statePath = directory.appendingPathComponent("state.sqlite").path
        let state = try StateStore(path: statePath)
        let missing = try #require(expanded.graph.resources(of: .subnet).first).address
        for (index, resource) in expanded.graph.resources.enumerated() where resource.address != missing {
            try state.save(StateRecord(address: resource.address, type: resource.type, awsID: "id-\(index)", properties: resource.properties))
        }
        let plan = try await ExternalTool.run(ExternalTool.netloom, ["plan", "--offline", specPath, "--state", statePath, "--format", "json"])
        try #require(plan.status == 0, "\(plan.stderr)")
        let document = try #require(JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let summary = try #require(document["summary"] as? [String: Int])
        let changes = try #require(document["changes"] as? [[String: Any]])
        #expect((summary["create"] ?? 0) >= 1)

        let output = directory.appendingPathComponent("report.html").path
        let report = try await ExternalTool.run(ExternalTool.netloom, ["report", specPath, "-o", output, "--state", statePath])
        try #require(report.status == 0, "\(report.stderr)")
        let html = try String(contentsOfFile: output, encoding: .utf8)
        let counts = ["create", "update", "replace", "delete"].map { "\(summary[$0] ?? 0) to \($0)" }.joined(separator: ", ")
        #expect(html.contains(counts), "the page does not say \(counts)")
        for change in changes {
            let address = try #require(change["address"] as? String)
            #expect(html.contains("<code>\(HTMLText.escape(address))</code></td><td>"), "\(address) is not in the page's plan")
        }
    }

    @Test("text from the spec is escaped wherever the page shows it")
    func escaping() throws {
        let (text, path) = try ExampleSpecs.text("inference.yaml")
        let hostile = #"<script>alert("x")</script> & 'quoted'"#
        let edited = text.replacingOccurrences(of: "name: clients reach the API over HTTPS", with: "name: \"\(hostile.replacingOccurrences(of: "\"", with: "\\\""))\"")
        #expect(edited != text)
        let expanded = try StackExpander.expand(try SpecLoader.parse(edited, file: path))
        let html = HTMLReport().render(HTMLReport.Inputs(expanded: expanded))
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;"))
        #expect(HTMLText.escape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&#39;")
    }

    @Test("a subnet with many instances lists a few and sums up the rest")
    func longListsAreCapped() throws {
        let yaml = """
        stack: many
        region: us-east-1
        network: { cidr: 10.0.0.0/16, azs: [us-east-1a], nat: none }
        subnets:
          app: { tier: private, size: /24 }
        instances:
          worker: { type: t3.micro, ami: ami-0123456789abcdef0, subnet: app, count: 30 }
        """
        let spec = try SpecLoader.parse(yaml, file: "many.yaml")
        let diagram = TopologyDiagram(try StackExpander.expand(spec))
        let svg = TopologySVGRenderer().render(diagram)
        let fullest = try #require(diagram.subnets.max { $0.contents.count < $1.contents.count })
        #expect(fullest.contents.count > TopologySVGRenderer().maximumItemsPerSubnet)
        #expect(svg.contains("+\(fullest.contents.count - TopologySVGRenderer().maximumItemsPerSubnet + 1) more"))
        for subnet in diagram.subnets { #expect(svg.contains("data-address=\"\(subnet.node.address)\"")) }
    }

    @Test("the reachability matrix has the Auto Scaling group and the file system: the model servers answer the load balancer on 5000, never the internet")
    func matrixHasGroupsAndFileSystems() throws {
        let inference = try StackExpander.expand(SpecLoader.load(contentsOf: ExampleSpecs.path("inference.yaml")))
        let grid = ReachabilityGrid(inference, analyzer: ReachabilityAnalyzer(inference))
        let group = Endpoint.autoScalingGroup("api")
        let column = try #require(grid.destinations.firstIndex(of: group))
        #expect(grid.sources.contains(group))
        func verdict(from source: Endpoint) throws -> ReachabilityVerdict {
            let row = try #require(grid.sources.firstIndex(of: source))
            let cell = try #require(grid.cells[row][column])
            return try #require(cell.results.first { $0.probe.port == 5000 }?.verdict)
        }
        #expect(try verdict(from: .loadBalancer("public")).reachable)
        #expect(try !verdict(from: .internet).reachable)

        let hyperPod = try StackExpander.expand(SpecLoader.load(contentsOf: ExampleSpecs.path("hyperpod-slurm-dev.yaml")))
        let clusterGrid = ReachabilityGrid(hyperPod, analyzer: ReachabilityAnalyzer(hyperPod))
        #expect(clusterGrid.destinations.contains(.fileSystem("gpu")))
        let fileSystemColumn = try #require(clusterGrid.destinations.firstIndex(of: .fileSystem("gpu")))
        let clusterRow = try #require(clusterGrid.sources.firstIndex(of: .cluster("gpu")))
        #expect(clusterGrid.cells[clusterRow][fileSystemColumn]?.results.contains { $0.probe.port == 988 && $0.verdict.reachable } == true)
    }
}
