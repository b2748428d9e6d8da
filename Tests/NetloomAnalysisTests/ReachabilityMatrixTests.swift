import NetloomAnalysis
import NetloomModel
import NetloomPlanning
import NetloomSpec
import NetloomTestSupport
import Testing

@Suite("all pairs over interface classes")
struct ReachabilityMatrixTests {
    @Test("the class matrix says what the reference says for every class pair on sample ports")
    func matrixAgreesWithReference() throws {
        var checked = 0
        for seed in UInt64(5000)..<5150 {
            let stack = RandomStack.make(seed: seed)
            let expanded = try StackExpander.expand(#require(stack.stackSpec()))
            let analyzer = ReachabilityAnalyzer(expanded), reference = ReferenceReachability(expanded)
            let matrix = analyzer.allPairs(.tcp)
            let (_, representatives) = analyzer.interfaceClasses()
            var allowed: [[Int]: [ClosedRange<Int>]] = [:]
            for entry in matrix.entries { allowed[[entry.from, entry.to]] = entry.ports }
            for (from, source) in representatives.enumerated() {
                for (to, destination) in representatives.enumerated() {
                    let a = expanded.topology.interfaces[source].privateIP, b = expanded.topology.interfaces[destination].privateIP
                    for port in [22, 443, 8050, 50000] {
                        let inMatrix = (allowed[[from, to]] ?? []).contains { $0.contains(port) }
                        let expected = reference.isReachable(ReachabilityQuery(from: .ip(a), to: .ip(b), ipProtocol: .tcp, port: port))
                        #expect(inMatrix == expected, "seed \(seed): \(a) -> \(b) tcp \(port)\n\(stack.yaml)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 1000)
    }

    @Test("interfaces with the same subnet, groups and public IP share a class")
    func classesGroupAlikeInterfaces() throws {
        let analyzer = try ReachabilityAnalyzer(TestStacks.example("inference.yaml"))
        let (classes, representatives) = analyzer.interfaceClasses()
        #expect(classes.count == representatives.count)
        // The Auto Scaling group's instances sit in two AZs, hence two subnets: two classes.
        #expect(classes.filter { $0.members.contains { $0.hasPrefix("autoscaling_group:api/") } }.count == 2)
        let matrix = analyzer.allPairs(.tcp)
        let alb = try #require(classes.firstIndex { $0.securityGroups == ["alb"] })
        let api = try #require(classes.firstIndex { $0.securityGroups == ["api"] })
        let entry = try #require(matrix.entries.first { $0.from == alb && $0.to == api })
        #expect(entry.ports == [5000...5000])
        // The model servers may open HTTPS anywhere (their ACL lets 443 out, for weights), and
        // the load balancer's group takes 443 from anyone: that one port, nothing else.
        #expect(matrix.entries.filter { $0.from == api && $0.to == alb }.map(\.ports) == [[443...443]])
    }
}
