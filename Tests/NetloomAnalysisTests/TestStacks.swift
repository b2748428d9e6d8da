import NetloomAnalysis
import NetloomModel
import NetloomPlanning
import NetloomSpec
import Testing

/// Specs for tests: the shared examples, and small YAML stacks written inline.
enum TestStacks {
    /// `examples/` of this package, which keeps copies of the shared examples.
    static let examplesDirectory: String = {
        let testFile = "\(#filePath)"
        let packageRoot = testFile.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
        return packageRoot + "/examples"
    }()

    static func example(_ name: String) throws -> ExpandedStack {
        try StackExpander.expand(SpecLoader.load(contentsOf: "\(examplesDirectory)/\(name)"))
    }

    static func expand(_ yaml: String) throws -> ExpandedStack {
        try StackExpander.expand(SpecLoader.parse(yaml, file: "test.yaml"))
    }

    /// Parses `instance:web`-style ends the way the spec does, so tests read like assertions.
    static func endpoint(_ text: String) -> Endpoint {
        if text == "internet" { return .internet }
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        switch parts[0] {
        case "instance": return .instance(parts[1])
        case "cluster": return .cluster(parts[1])
        case "subnet": return .subnet(parts[1])
        case "lb": return .loadBalancer(parts[1])
        case "endpoint": return .interfaceEndpoint(parts[1])
        case "service": return .service(parts[1])
        default: return .ip(IPv4Address(parts[1]) ?? IPv4Address(0))
        }
    }
}

extension ReachabilityAnalyzer {
    func check(_ from: String, _ to: String, _ ipProtocol: IPProtocol, _ port: Int? = nil) -> ReachabilityVerdict {
        evaluate(ReachabilityQuery(from: TestStacks.endpoint(from), to: TestStacks.endpoint(to), ipProtocol: ipProtocol, port: port))
    }
}

extension ReachabilityVerdict {
    var codes: Set<String> { Set(explanations.map(\.code)) }
    var addresses: [String] { path.map(\.address) }
}
