import NetloomAnalysis
import NetloomModel
import NetloomPlanning
import NetloomSpec
import NetloomTestSupport
import Testing

/// Properties that relate two stacks rather than a stack and an answer.
@Suite("opening filters only adds reachability")
struct MetamorphicTests {
    /// Every group allows all traffic both ways and every ACL starts with an allow-all entry.
    static func opened(_ spec: StackSpec) -> StackSpec {
        var spec = spec
        let prototype = spec.securityGroups.lazy.flatMap(\.rules).first
        spec.securityGroups = spec.securityGroups.map { group in
            var group = group
            guard var inbound = prototype else { return group }
            inbound.direction = .ingress
            inbound.peer = .any
            inbound.ipProtocol = .all
            inbound.ports = nil
            var outbound = inbound
            outbound.direction = .egress
            // The same rule twice is refused, as AWS refuses it.
            if !group.ingress.contains(where: { $0.key(group: group.name) == inbound.key(group: group.name) }) { group.ingress.append(inbound) }
            if !group.egress.contains(where: { $0.key(group: group.name) == outbound.key(group: group.name) }) { group.egress.append(outbound) }
            return group
        }
        spec.networkACLs = spec.networkACLs.map { acl in
            var acl = acl
            guard var entry = acl.ingress.first ?? acl.egress.first else {
                // An ACL with no entries denies everything; dropping it leaves the default ACL.
                return acl
            }
            entry.ruleNumber = 0
            entry.action = .allow
            entry.ipProtocol = .all
            entry.ports = nil
            entry.cidr = .anywhere
            var egress = entry
            entry.direction = .ingress
            egress.direction = .egress
            acl.ingress.insert(entry, at: 0)
            acl.egress.insert(egress, at: 0)
            return acl
        }
        spec.networkACLs.removeAll { $0.entries.isEmpty }
        return spec
    }

    @Test("allowing everything in groups and ACLs keeps every reachable query reachable, and leaves no group or ACL reason")
    func openingFilters() throws {
        var becameReachable = 0, checked = 0
        for seed in UInt64(9000)..<9300 {
            let stack = RandomStack.make(seed: seed, queryCount: 6)
            let spec = try #require(stack.stackSpec())
            // A rule to copy is needed; stacks whose groups have none at all are skipped.
            guard spec.securityGroups.contains(where: { !$0.rules.isEmpty }) else { continue }
            checked += 1
            let before = try ReachabilityAnalyzer(StackExpander.expand(spec))
            let after = try ReachabilityAnalyzer(StackExpander.expand(Self.opened(spec)))
            for query in stack.queries {
                let was = before.evaluate(query), now = after.evaluate(query)
                if was.reachable { #expect(now.reachable, "seed \(seed): \(query) stopped being reachable when filters opened") }
                if !was.reachable && now.reachable { becameReachable += 1 }
                #expect(!now.codes.contains("ENI_SG_RULES_MISMATCH") && !now.codes.contains("SUBNET_ACL_RESTRICTION"),
                        "seed \(seed): \(query): \(now.explanations)")
            }
        }
        #expect(becameReachable > 50)
        #expect(checked >= 250, "only \(checked) of 300 stacks had a rule to copy")
    }
}
