import Foundation
import NetloomModel
import NetloomSpec

/// The large generated stacks the benchmarks time. They live here, beside the random stacks of
/// the property tests, so every generator of specs is in one place.
public enum BenchmarkStacks {
    /// For `netloom-bench`: about 10,000 resources (40 private subnet sets in 3 AZs, 250 groups of 30 rules,
    /// 20 ACLs, 500 instances, 100 buckets and roles), as YAML.
    public static func expansionYAML() -> String {
        let subnetSets = 40, groups = 250, rulesPerGroup = 30, instances = 500, acls = 20, buckets = 100, roles = 100
        var out = """
        stack: bench
        region: us-east-1
        tags: { team: bench }
        network:
          cidr: 10.0.0.0/16
          azs: [us-east-1a, us-east-1b, us-east-1c]
          nat: per-az
          flow_logs: { retention_days: 7 }
          endpoints: { gateway: [s3], interface: [ssm, sts, logs] }
        subnets:
          edge: { tier: public, size: /24 }

        """
        for index in 0..<subnetSets { out += "  app\(index): { tier: private, size: /24 }\n" }
        out += "security_groups:\n"
        for group in 0..<groups {
            out += "  g\(group):\n    ingress:\n"
            for rule in 0..<rulesPerGroup {
                let peer = rule % 3 == 0 ? "sg:g\((group + 1) % groups)" : (rule % 3 == 1 ? "vpc" : "10.\(rule).0.0/16")
                out += "      - { from: \(peer), protocol: tcp, ports: \(1000 + rule) }\n"
            }
        }
        out += "network_acls:\n"
        for acl in 0..<acls {
            out += "  n\(acl):\n    subnets: [app\(acl)]\n    ingress:\n"
            for entry in 0..<10 { out += "      - { rule: \(100 + entry), action: allow, protocol: tcp, ports: \(2000 + entry), cidr: 10.0.0.0/16 }\n" }
            out += "    egress:\n"
            for entry in 0..<10 { out += "      - { rule: \(100 + entry), action: allow, protocol: tcp, ports: \"1024-65535\", cidr: 10.\(entry).0.0/16 }\n" }
        }
        out += "instances:\n"
        for instance in 0..<instances {
            out += "  i\(instance): { type: t3.medium, ami: ami-0123456789abcdef0, subnet: app\(instance % subnetSets), security_groups: [g\(instance % groups)], role: r\(instance % roles) }\n"
        }
        out += "buckets:\n"
        for bucket in 0..<buckets { out += "  b\(bucket): { versioning: true, encryption: aes256, folders: [raw/] }\n" }
        out += "roles:\n"
        for role in 0..<roles {
            out += "  r\(role):\n    assumed_by: ec2\n    allow:\n      - { actions: [s3:GetObject], resources: [bucket:b\(role % buckets)] }\n"
        }
        return out
    }

    /// For `deploy-bench`: 100 isolated subnet sets in 2 AZs (200 subnets, each associated with the
    /// route table isolated subnets share), 200 groups with 3 ingress rules each and no egress, as YAML.
    /// The region `deployYAML` names.
    public static let deployRegion = "us-east-1"

    public static func deployYAML() -> String {
        let subnetSets = 100, groups = 200, rulesPerGroup = 3
        var out = """
        stack: deploy-bench
        region: \(deployRegion)
        network:
          cidr: 10.0.0.0/16
          azs: [us-east-1a, us-east-1b]
          nat: none
        subnets:

        """
        for index in 0..<subnetSets { out += "  s\(index): { tier: isolated, size: /26 }\n" }
        out += "security_groups:\n"
        for group in 0..<groups {
            out += "  g\(group):\n    description: bench group \(group)\n    egress: []\n    ingress:\n"
            for rule in 0..<rulesPerGroup { out += "      - { from: 10.\(rule).0.0/16, protocol: tcp, ports: \(8000 + rule) }\n" }
        }
        return out
    }

    static let reachabilityPrototypeYAML = """
    stack: bench
    region: us-east-1
    network: { cidr: 10.0.0.0/16, azs: [us-east-1a], nat: single, endpoints: { gateway: [s3] } }
    subnets:
      s0: { tier: public, size: /24 }
      s1: { tier: private, size: /24 }
    security_groups:
      g0:
        ingress: [{ from: any, protocol: tcp, ports: 22 }]
    network_acls:
      a0:
        subnets: [s1]
        ingress: [{ rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }]
    instances:
      i0: { type: t3.micro, ami: ami-12345678, subnet: s1, security_groups: [g0] }
    """

    /// For `reach-bench`: 200 subnet sets in one AZ (/24 each), 500 groups with 2-6 rules (CIDR, vpc, any, self and
    /// sg references), 40 ACLs, and 2,000 instance specs of 5 instances each. Each subnet hosts a
    /// few roles (group combinations), as real stacks do, so classes are far fewer than interfaces.
    public static func reachabilitySpec() throws -> StackSpec {
        var spec = try SpecLoader.parse(reachabilityPrototypeYAML, file: "bench.yaml")
        guard let protoSubnet = spec.subnets.first, let protoGroup = spec.securityGroups.first, let protoRule = protoGroup.ingress.first,
              let protoACL = spec.networkACLs.first, let protoEntry = protoACL.ingress.first, let protoInstance = spec.instances.first else {
            throw SpecInvalidError(diagnostics: [])
        }
        var rng = SplitMix64(seed: 42)
        func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }
        let subnetNames = (0..<200).map { String(format: "s%03d", $0) }
        spec.subnets = subnetNames.enumerated().map { index, name in
            var subnet = protoSubnet
            subnet.name = name
            subnet.tier = index < 20 ? .public : index < 170 ? .private : .isolated
            subnet.size = .prefix(24)
            return subnet
        }
        let groupNames = (0..<500).map { String(format: "g%03d", $0) }
        let ports: [PortRange] = [PortRange(22), PortRange(80), PortRange(443), PortRange(5000), PortRange(8000, 8100), PortRange(1024, 65535), PortRange(6379)]
        spec.securityGroups = groupNames.map { name in
            var group = protoGroup
            group.name = name
            func rules(_ direction: RuleDirection, count: Int) -> [SecurityGroupRuleSpec] {
                var seen = Set<String>()
                return (0..<count).compactMap { _ in
                    var rule = protoRule
                    rule.direction = direction
                    rule.ipProtocol = pick([.tcp, .tcp, .tcp, .udp, .all])
                    rule.ports = rule.ipProtocol.hasPorts ? pick(ports) : nil
                    let third = UInt32(Int.random(in: 0..<256, using: &rng))
                    rule.peer = pick([.self, .vpc, .any, .securityGroup(pick(groupNames)), .securityGroup(pick(groupNames)),
                                      .cidr(CIDRBlock(base: IPv4Address(10 << 24 | third << 8), prefix: 24)), .prefixList("s3")])
                    return seen.insert(rule.key(group: name)).inserted ? rule : nil
                }
            }
            group.ingress = rules(.ingress, count: Int.random(in: 2...6, using: &rng))
            var anyEgress = protoRule
            anyEgress.direction = .egress
            anyEgress.peer = .any
            anyEgress.ipProtocol = .all
            anyEgress.ports = nil
            group.egress = Int.random(in: 0..<3, using: &rng) == 0 ? [anyEgress] : rules(.egress, count: Int.random(in: 1...4, using: &rng))
            group.egressIsDefault = false
            return group
        }
        spec.networkACLs = (0..<40).map { index in
            var acl = protoACL
            acl.name = "a\(index)"
            acl.subnets = [subnetNames[20 + index * 3]]
            func entries(_ direction: RuleDirection) -> [NetworkACLEntrySpec] {
                (1...Int.random(in: 3...8, using: &rng)).map { number in
                    var entry = protoEntry
                    entry.direction = direction
                    entry.ruleNumber = number * 10
                    entry.action = Int.random(in: 0..<4, using: &rng) == 0 ? .deny : .allow
                    entry.ipProtocol = pick([.tcp, .tcp, .udp, .all])
                    entry.ports = entry.ipProtocol.hasPorts ? pick(ports + [PortRange.linuxEphemeral]) : nil
                    entry.cidr = pick([CIDRBlock.anywhere, CIDRBlock(base: IPv4Address(10 << 24), prefix: 16), CIDRBlock(base: IPv4Address(10 << 24 | UInt32(Int.random(in: 0..<256, using: &rng)) << 8), prefix: 24)])
                    return entry
                } + [{ var last = protoEntry; last.direction = direction; last.ruleNumber = 1000; return last }()]
            }
            acl.ingress = entries(.ingress)
            acl.egress = entries(.egress)
            return acl
        }
        // Roles: each subnet has three group combinations; instances take one of them.
        let roles = subnetNames.map { _ in (0..<3).map { _ in Array(Set((0..<Int.random(in: 1...3, using: &rng)).map { _ in pick(groupNames) })).sorted() } }
        spec.instances = (0..<2000).map { index in
            var instance = protoInstance
            let subnet = index % 200
            instance.name = String(format: "i%04d", index)
            instance.subnet = subnetNames[subnet]
            instance.count = 5
            instance.securityGroups = pick(roles[subnet])
            instance.publicIP = subnet < 20 && Bool.random(using: &rng)
            return instance
        }
        return spec
    }
}
