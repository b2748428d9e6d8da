import NetloomAnalysis
import NetloomModel
import NetloomSpec

/// A random small stack: a few subnets of random tiers, random groups with random rules
/// (self and sg references among them), random network ACLs with allow and deny entries,
/// instances with and without public IPs, NAT none or single, maybe an S3 gateway endpoint and
/// a cluster; plus random queries. Ports and CIDRs come from small pools so that rules overlap
/// often and the reference evaluator's enumeration stays quick.
///
/// The shape renders two ways: as YAML for the real loader, and straight into a `StackSpec`
/// (much faster, for the 10,000-case property check). A test checks that both give the same
/// topology, so the fast path exercises exactly what the loader would build.
public struct RandomStack: Sendable {
    public struct Rule: Sendable {
        public var peer: String
        public var ipProtocol: IPProtocol
        public var ports: String?
    }

    public struct Group: Sendable {
        public var name: String
        public var ingress: [Rule]
        /// `nil`: AWS's default egress (all traffic to 0.0.0.0/0).
        public var egress: [Rule]?
    }

    public struct Entry: Sendable {
        public var number: Int
        public var allows: Bool
        public var ipProtocol: IPProtocol
        public var ports: String?
        public var cidr: String
    }

    public struct ACL: Sendable {
        public var name: String
        public var subnet: String
        public var ingress: [Entry]
        public var egress: [Entry]
    }

    public struct Instance: Sendable {
        public var name: String
        public var subnet: String
        public var az: String?
        public var count: Int
        public var publicIP: Bool
        public var groups: [String]
    }

    public var azs: [String]
    public var nat: NATMode
    public var gatewayS3: Bool
    public var subnets: [(name: String, tier: SubnetTier)]
    public var groups: [Group]
    public var acls: [ACL]
    public var instances: [Instance]
    public var cluster: (subnet: String, group: String)?
    /// An interface endpoint for SSM: its subnet and group.
    public var interfaceEndpoint: (subnet: String, group: String)?
    public var loadBalancer: LoadBalancer?
    public var queries: [ReachabilityQuery]

    public struct LoadBalancer: Sendable {
        public var internetFacing: Bool
        public var subnet: String
        public var group: String
        public var listenerPort: Int
        public var targetPort: Int
        public var targets: [String]
    }

    public static let portPool = ["22", "80", "443", "1024-65535", "32768-60999", "0-1023", "8000-8100", "40000-65535"]
    public static let cidrPool = ["0.0.0.0/0", "0.0.0.0/0", "10.0.0.0/16", "10.0.0.0/20", "10.0.16.0/20", "198.51.100.0/24", "203.0.113.0/24", "52.216.0.0/15", "10.0.8.0/21"]
    public static let queryPorts = [22, 80, 443, 1000, 8050, 33000, 50000]

    public static func make(seed: UInt64, queryCount: Int = 4) -> RandomStack {
        var rng = SplitMix64(seed: seed)
        func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }
        func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }

        let azs = chance(50) ? ["us-east-1a"] : ["us-east-1a", "us-east-1b"]
        var subnets: [(name: String, tier: SubnetTier)] = ["app", "data", "pub"].prefix(Int.random(in: 1...3, using: &rng)).map {
            ($0, pick([SubnetTier.public, .private, .isolated]))
        }
        if !subnets.contains(where: { $0.tier == .public }), chance(40) { subnets[0].tier = .public }
        let hasPublic = subnets.contains { $0.tier == .public }
        let nat: NATMode = hasPublic && chance(60) ? (chance(70) ? .single : .perAZ) : .none
        let gatewayS3 = chance(50)

        let groupNames = Array(["g0", "g1", "g2"].prefix(Int.random(in: 1...3, using: &rng)))
        func rule() -> Rule {
            let peers = ["self", "self", "vpc", "vpc", "any", "any", "any", "prefix:s3"] + groupNames.map { "sg:\($0)" } + cidrPool
            let ipProtocol = pick([IPProtocol.tcp, .tcp, .udp, .icmp, .all, .all])
            return Rule(peer: pick(peers), ipProtocol: ipProtocol, ports: ipProtocol.hasPorts ? pick(portPool) : nil)
        }
        func rules() -> [Rule] {
            // The loader refuses a repeated rule (same peer, protocol, ports), as AWS does.
            var seen = Set<String>()
            return (0..<Int.random(in: 0...4, using: &rng)).map { _ in rule() }.filter {
                seen.insert("\($0.peer) \($0.ipProtocol) \($0.ports ?? "")").inserted
            }
        }
        let groups = groupNames.map { Group(name: $0, ingress: rules(), egress: chance(30) ? nil : rules()) }

        var acls: [ACL] = []
        var claimed = Set<String>()
        for index in 0..<Int.random(in: 0...2, using: &rng) {
            guard let subnet = subnets.map(\.name).filter({ !claimed.contains($0) }).randomElement(using: &rng) else { break }
            claimed.insert(subnet)
            func entries() -> [Entry] {
                var numbers = Set<Int>()
                let count = Int.random(in: 0...4, using: &rng)
                while numbers.count < count { numbers.insert(Int.random(in: 1...200, using: &rng)) }
                var list = numbers.sorted().map { number in
                    let ipProtocol = pick([IPProtocol.tcp, .tcp, .udp, .icmp, .all, .all])
                    return Entry(number: number, allows: chance(60), ipProtocol: ipProtocol, ports: ipProtocol.hasPorts ? pick(portPool) : nil, cidr: pick(cidrPool))
                }
                // Most real ACLs end in a broad allow after their specific entries.
                if chance(60) { list.append(Entry(number: 300, allows: true, ipProtocol: .all, ports: nil, cidr: "0.0.0.0/0")) }
                return list
            }
            acls.append(ACL(name: "a\(index)", subnet: subnet, ingress: entries(), egress: entries()))
        }

        let instances = (0..<Int.random(in: 1...4, using: &rng)).map { index in
            Instance(name: "i\(index)", subnet: pick(subnets).name, az: chance(50) ? pick(azs) : nil, count: chance(20) ? 2 : 1,
                     publicIP: chance(50), groups: Array(Set((0..<Int.random(in: 1...2, using: &rng)).map { _ in pick(groupNames) })).sorted())
        }
        let cluster: (subnet: String, group: String)? = chance(30) ? (pick(subnets).name, pick(groupNames)) : nil
        let hidden = subnets.filter { $0.tier != .public }.map(\.name)
        let interfaceEndpoint: (subnet: String, group: String)? = !hidden.isEmpty && chance(25) ? (pick(hidden), pick(groupNames)) : nil
        let loadBalancer: LoadBalancer? = chance(30) ? LoadBalancer(
            internetFacing: chance(60), subnet: pick(subnets).name, group: pick(groupNames), listenerPort: pick([80, 443]),
            targetPort: pick([22, 443, 8050]), targets: Array(Set((0..<Int.random(in: 0...2, using: &rng)).map { _ in pick(instances).name })).sorted()) : nil

        var inside: [Endpoint] = instances.map { .instance($0.name) } + instances.map { .instance($0.name) } + subnets.map { .subnet($0.name) }
        if cluster != nil { inside.append(.cluster("c0")) }
        if interfaceEndpoint != nil { inside.append(.interfaceEndpoint("ssm")) }
        if loadBalancer != nil { inside += [.loadBalancer("lb0"), .loadBalancer("lb0")] }
        let outside: [Endpoint] = [.internet, .service("s3"), .ip(IPv4Address(198 << 24 | 51 << 16 | 100 << 8 | 7)), .ip(IPv4Address(203 << 24 | 113 << 8 | 9))]
        let queries = (0..<queryCount).map { _ -> ReachabilityQuery in
            let ipProtocol = pick([IPProtocol.tcp, .tcp, .tcp, .udp, .icmp, .all])
            var port: Int? = ipProtocol.hasPorts ? pick(queryPorts) : (ipProtocol == .all && chance(30) ? pick(queryPorts) : nil)
            if port != nil, chance(30), let balancer = loadBalancer { port = balancer.listenerPort }
            // Inside ends are picked more often: that is where groups, ACLs and routes interact.
            let from = chance(15) ? pick(outside) : pick(inside)
            let to = chance(35) ? pick(outside) : pick(inside)
            return ReachabilityQuery(from: from, to: to, ipProtocol: ipProtocol, port: port)
        }
        return RandomStack(azs: azs, nat: nat, gatewayS3: gatewayS3, subnets: subnets, groups: groups, acls: acls,
                           instances: instances, cluster: cluster, interfaceEndpoint: interfaceEndpoint, loadBalancer: loadBalancer, queries: queries)
    }

    // MARK: YAML

    public var yaml: String {
        func quoted(_ ports: String) -> String { ports.contains("-") ? "\"\(ports)\"" : ports }
        func rule(_ rule: Rule, _ way: String) -> String {
            "      - { \(way): \(rule.peer), protocol: \(rule.ipProtocol)\(rule.ports.map { ", ports: \(quoted($0))" } ?? "") }"
        }
        var lines = ["stack: rt", "region: us-east-1", "network:", "  cidr: 10.0.0.0/16", "  azs: [\(azs.joined(separator: ", "))]", "  nat: \(nat.rawValue)"]
        var endpoints: [String] = []
        if gatewayS3 { endpoints.append("gateway: [s3]") }
        if let interfaceEndpoint { endpoints.append("interface: [ssm], subnet: \(interfaceEndpoint.subnet), security_group: \(interfaceEndpoint.group)") }
        if !endpoints.isEmpty { lines.append("  endpoints: { \(endpoints.joined(separator: ", ")) }") }
        lines.append("subnets:")
        for subnet in subnets { lines.append("  \(subnet.name): { tier: \(subnet.tier.rawValue), size: /24 }") }
        lines.append("security_groups:")
        for group in groups {
            lines.append("  \(group.name):")
            lines.append(group.ingress.isEmpty ? "    ingress: []" : "    ingress:")
            lines += group.ingress.map { rule($0, "from") }
            if let egress = group.egress {
                lines.append(egress.isEmpty ? "    egress: []" : "    egress:")
                lines += egress.map { rule($0, "to") }
            }
        }
        if !acls.isEmpty {
            lines.append("network_acls:")
            for acl in acls {
                lines += ["  \(acl.name):", "    subnets: [\(acl.subnet)]"]
                for (way, entries) in [("ingress", acl.ingress), ("egress", acl.egress)] {
                    lines.append(entries.isEmpty ? "    \(way): []" : "    \(way):")
                    lines += entries.map { entry in
                        "      - { rule: \(entry.number), action: \(entry.allows ? "allow" : "deny"), protocol: \(entry.ipProtocol)\(entry.ports.map { ", ports: \(quoted($0))" } ?? ""), cidr: \(entry.cidr) }"
                    }
                }
            }
        }
        lines.append("instances:")
        for instance in instances {
            lines.append("  \(instance.name): { type: t3.micro, ami: ami-12345678, subnet: \(instance.subnet)\(instance.az.map { ", az: \($0)" } ?? "")"
                         + ", count: \(instance.count), public_ip: \(instance.publicIP), security_groups: [\(instance.groups.joined(separator: ", "))] }")
        }
        if let cluster {
            lines += ["clusters:", "  c0: { orchestrator: slurm, instance_type: ml.p4d.24xlarge, nodes: 2, subnet: \(cluster.subnet), security_groups: [\(cluster.group)] }"]
        }
        if let balancer = loadBalancer {
            lines += ["load_balancers:",
                      "  lb0: { type: network, scheme: \(balancer.internetFacing ? "internet-facing" : "internal"), subnet: \(balancer.subnet), security_groups: [\(balancer.group)], listeners: [{ port: \(balancer.listenerPort), protocol: TCP, forward: tg0 }] }",
                      "target_groups:",
                      "  tg0: { port: \(balancer.targetPort), protocol: TCP, targets: [\(balancer.targets.map { "instance:\($0)" }.joined(separator: ", "))] }"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: StackSpec directly

    /// One of each kind of spec value, loaded once; random specs are copies with fields changed.
    public static let prototype: StackSpec? = try? SpecLoader.parse("""
        stack: rt
        region: us-east-1
        network: { cidr: 10.0.0.0/16, azs: [us-east-1a], nat: none }
        subnets:
          app: { tier: private, size: /24 }
        security_groups:
          g0:
            ingress: [{ from: any, protocol: tcp, ports: 22 }]
        network_acls:
          a0:
            subnets: [app]
            ingress: [{ rule: 100, action: allow, protocol: all, cidr: 0.0.0.0/0 }]
        instances:
          i0: { type: t3.micro, ami: ami-12345678, subnet: app, security_groups: [g0] }
        clusters:
          c0: { orchestrator: slurm, instance_type: ml.p4d.24xlarge, nodes: 2, subnet: app, security_groups: [g0] }
        load_balancers:
          lb0: { type: network, scheme: internal, subnet: app, security_groups: [g0], listeners: [{ port: 80, protocol: TCP, forward: tg0 }] }
        target_groups:
          tg0: { port: 8050, protocol: TCP, targets: [instance:i0] }
        """, file: "prototype.yaml")

    public func stackSpec() -> StackSpec? {
        guard var spec = RandomStack.prototype, let protoSubnet = spec.subnets.first, let protoGroup = spec.securityGroups.first,
              let protoRule = protoGroup.ingress.first, let protoACL = spec.networkACLs.first, let protoEntry = protoACL.ingress.first,
              let protoInstance = spec.instances.first, let protoCluster = spec.clusters.first,
              let protoBalancer = spec.loadBalancers.first, let protoTargets = spec.targetGroups.first else { return nil }
        spec.network.azs = azs
        spec.network.nat = nat
        spec.network.gatewayEndpoints = gatewayS3 ? ["s3"] : []
        spec.network.interfaceEndpoints = interfaceEndpoint == nil ? [] : ["ssm"]
        spec.network.endpointSubnet = interfaceEndpoint?.subnet
        spec.network.endpointSecurityGroup = interfaceEndpoint?.group
        spec.loadBalancers = []
        spec.targetGroups = []
        if let shape = loadBalancer {
            var balancer = protoBalancer, targets = protoTargets
            balancer.scheme = shape.internetFacing ? "internet-facing" : "internal"
            balancer.subnet = shape.subnet
            balancer.securityGroups = [shape.group]
            balancer.listeners[0].port = shape.listenerPort
            targets.port = shape.targetPort
            targets.targets = shape.targets
            spec.loadBalancers = [balancer]
            spec.targetGroups = [targets]
        }
        spec.subnets = subnets.map { shape in
            var subnet = protoSubnet
            subnet.name = shape.name
            subnet.tier = shape.tier
            return subnet
        }.sorted { $0.name < $1.name }
        func ruleSpec(_ shape: Rule, _ direction: RuleDirection) -> SecurityGroupRuleSpec {
            var rule = protoRule
            rule.direction = direction
            rule.ipProtocol = shape.ipProtocol
            rule.ports = shape.ports.flatMap { try? PortRange(parsing: $0) }
            rule.peer = switch shape.peer {
            case "self": .self
            case "vpc": .vpc
            case "any": .any
            case let peer where peer.hasPrefix("sg:"): .securityGroup(String(peer.dropFirst(3)))
            case let peer where peer.hasPrefix("prefix:"): .prefixList(String(peer.dropFirst(7)))
            default: (try? CIDRBlock(parsing: shape.peer)).map(RulePeer.cidr) ?? .any
            }
            return rule
        }
        spec.securityGroups = groups.map { shape in
            var group = protoGroup
            group.name = shape.name
            group.ingress = shape.ingress.map { ruleSpec($0, .ingress) }
            group.egress = (shape.egress ?? [Rule(peer: "any", ipProtocol: .all, ports: nil)]).map { ruleSpec($0, .egress) }
            group.egressIsDefault = shape.egress == nil
            return group
        }
        spec.networkACLs = acls.map { shape in
            var acl = protoACL
            acl.name = shape.name
            acl.subnets = [shape.subnet]
            func entrySpec(_ entry: Entry, _ direction: RuleDirection) -> NetworkACLEntrySpec {
                var spec = protoEntry
                spec.direction = direction
                spec.ruleNumber = entry.number
                spec.action = entry.allows ? .allow : .deny
                spec.ipProtocol = entry.ipProtocol
                spec.ports = entry.ports.flatMap { try? PortRange(parsing: $0) }
                spec.cidr = (try? CIDRBlock(parsing: entry.cidr)) ?? .anywhere
                return spec
            }
            acl.ingress = shape.ingress.map { entrySpec($0, .ingress) }
            acl.egress = shape.egress.map { entrySpec($0, .egress) }
            return acl
        }
        spec.instances = instances.map { shape in
            var instance = protoInstance
            instance.name = shape.name
            instance.subnet = shape.subnet
            instance.az = shape.az
            instance.count = shape.count
            instance.publicIP = shape.publicIP
            instance.securityGroups = shape.groups
            return instance
        }
        spec.clusters = cluster.map { shape in
            var cluster = protoCluster
            cluster.subnet = shape.subnet
            cluster.az = azs.sorted()[0]
            cluster.securityGroups = [shape.group]
            return [cluster]
        } ?? []
        return spec
    }
}
