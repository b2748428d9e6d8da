import NetloomAnalysis
import NetloomModel
import NetloomPlanning
import NetloomSpec
import NetloomTestSupport
import PropertyBased
import Testing

/// The fast analyzer and the packet-by-packet reference must give the same verdict on every
/// query of every random stack.
@Suite("the fast analyzer agrees with the reference evaluator")
struct ReferenceAgreementTests {
    struct Outcome {
        var mismatches: [String] = []
        var reachable = 0
        var unreachable = 0
    }

    static func compare(_ expanded: ExpandedStack, _ stack: RandomStack, seed: UInt64) -> Outcome {
        let fast = ReachabilityAnalyzer(expanded), reference = ReferenceReachability(expanded)
        var outcome = Outcome()
        // Ends by address inside the VPC: an interface's own, and a free host of a subnet.
        var queries = stack.queries
        let interfaces = expanded.topology.interfaces
        if let first = interfaces.first, let last = interfaces.last, let subnet = expanded.topology.subnets.last {
            queries.append(ReachabilityQuery(from: .ip(last.privateIP), to: .ip(first.privateIP), ipProtocol: .tcp, port: 22))
            queries.append(ReachabilityQuery(from: .ip(first.privateIP), to: .ip(IPv4Address(subnet.cidr.base.value + 100)), ipProtocol: .all, port: nil))
        }
        for query in queries {
            let verdict = fast.evaluate(query)
            let expected = reference.isReachable(query)
            if verdict.reachable { outcome.reachable += 1 } else { outcome.unreachable += 1 }
            if verdict.reachable != expected {
                outcome.mismatches.append("seed \(seed): \(query): fast says \(verdict.reachable), reference \(expected)\npath \(verdict.path)\nexplanations \(verdict.explanations)\n\(stack.yaml)")
            }
            // A verdict always carries its evidence.
            if verdict.reachable ? verdict.path.isEmpty : verdict.explanations.isEmpty {
                outcome.mismatches.append("seed \(seed): \(query): verdict without path or reasons")
            }
        }
        return outcome
    }

    /// 10,000 random stacks, 4 queries each, split in two so that the halves run in parallel.
    @Test("random stacks and queries: same verdict (property check, 2 × 5,000 stacks)", arguments: [0, 1])
    func randomStacksAgree(half: Int) async {
        await propertyCheck(count: 5_000, input: Gen.int(in: 0...Int.max)) { seed in
            let stack = RandomStack.make(seed: UInt64(seed))
            guard let spec = stack.stackSpec(), let expanded = try? StackExpander.expand(spec) else {
                Issue.record("seed \(seed): the random stack does not expand\n\(stack.yaml)")
                return
            }
            let outcome = Self.compare(expanded, stack, seed: UInt64(seed))
            #expect(outcome.mismatches.isEmpty, "\(outcome.mismatches.first ?? "")")
        }
    }

    @Test("a fixed corpus of 200 seeded stacks through the YAML loader: same verdict, both verdicts common")
    func fixedCorpusAgrees() throws {
        var reachable = 0, unreachable = 0, valid = 0
        for seed in UInt64(0)..<200 {
            let stack = RandomStack.make(seed: seed)
            guard let spec = try? SpecLoader.parse(stack.yaml, file: "random.yaml"), let expanded = try? StackExpander.expand(spec) else { continue }
            valid += 1
            let outcome = Self.compare(expanded, stack, seed: seed)
            reachable += outcome.reachable
            unreachable += outcome.unreachable
            #expect(outcome.mismatches.isEmpty, "\(outcome.mismatches.first ?? "")")
        }
        // The generator must make real stacks and both kinds of answer, or agreement means little.
        #expect(valid >= 195)
        #expect(reachable * 5 >= reachable + unreachable, "only \(reachable) of \(reachable + unreachable) queries were reachable")
    }

    @Test("building a random stack directly gives the topology the YAML loader gives")
    func directSpecsMatchTheLoader() throws {
        for seed in UInt64(1000)..<1100 {
            let stack = RandomStack.make(seed: seed)
            let loaded = try StackExpander.expand(SpecLoader.parse(stack.yaml, file: "random.yaml"))
            let direct = try StackExpander.expand(#require(stack.stackSpec()))
            #expect(direct.topology == loaded.topology, "seed \(seed)\n\(stack.yaml)")
            #expect(direct.spec.securityGroups.map { group in group.rules.map { $0.key(group: group.name) } }
                    == loaded.spec.securityGroups.map { group in group.rules.map { $0.key(group: group.name) } })
            #expect(direct.spec.networkACLs.map { $0.entries.map { "\($0.ruleNumber) \($0.action) \($0.ipProtocol) \($0.ports?.description ?? "") \($0.cidr)" } }
                    == loaded.spec.networkACLs.map { $0.entries.map { "\($0.ruleNumber) \($0.action) \($0.ipProtocol) \($0.ports?.description ?? "") \($0.cidr)" } })
        }
    }
}
