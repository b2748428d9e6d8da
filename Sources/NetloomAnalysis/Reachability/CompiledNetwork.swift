import NetloomModel
import NetloomPlanning
import NetloomSpec

/// Which security groups an interface carries, as a bit set over group indices, so that an
/// `sg:NAME` peer is one bit test.
struct GroupMembership: Sendable, Hashable {
    var words: [UInt64]

    init(groupCount: Int) { words = Array(repeating: 0, count: max(1, (groupCount + 63) / 64)) }

    mutating func insert(_ index: Int) { words[index >> 6] |= 1 << UInt64(index & 63) }
    func contains(_ index: Int) -> Bool { words[index >> 6] & (1 << UInt64(index & 63)) != 0 }
}

/// A security group rule with its peer resolved.
struct CompiledRule: Sendable {
    enum Peer: Sendable {
        case blocks([CIDRBlock])
        /// Matches interfaces that carry the group, by their private address only.
        case group(Int)
    }

    var ipProtocol: IPProtocol
    var ports: PortSet
    var peer: Peer
    var group: String
    var rule: SecurityGroupRuleSpec

    /// `sg_rule:api/ingress/tcp/5000/sg:alb`; built only when a path is described.
    var address: ResourceAddress { rule.address(group: group) }

    var text: String {
        "\(rule.direction.rawValue) \(rule.ipProtocol)\(rule.ports.map { " \($0)" } ?? "") \(rule.direction == .ingress ? "from" : "to") \(rule.peer)"
    }
}

struct CompiledGroup: Sendable {
    var name: String
    var ingress: [CompiledRule]
    var egress: [CompiledRule]
}

struct CompiledACLEntry: Sendable {
    var number: Int
    var allows: Bool
    var ipProtocol: IPProtocol
    var ports: PortSet
    var cidr: CIDRBlock
    var acl: String
    var direction: RuleDirection

    /// `network_acl_entry:app/ingress/100`.
    var address: ResourceAddress { .networkACLEntry(acl: acl, direction: direction.rawValue, ruleNumber: number) }
}

/// A network ACL's entries per direction, in ascending rule number (first match wins).
struct CompiledACL: Sendable {
    var name: String
    var ingress: [CompiledACLEntry]
    var egress: [CompiledACLEntry]
}

struct CompiledRoute: Sendable {
    var blocks: [CIDRBlock]
    var target: Route.Target
    var route: Route
}

/// The peer a security group rule is matched against: an address, and the interface behind
/// it when the packet carries that interface's private address.
struct SecurityGroupPeer {
    var address: IPv4Address
    var interface: Int?
}

/// The expanded stack compiled for fast evaluation: indices instead of names, rules with their
/// peers resolved, ACL entries sorted, routes most specific first.
struct CompiledNetwork: Sendable {
    let topology: NetworkTopology
    let groups: [CompiledGroup]
    let groupIndex: [String: Int]
    /// Per interface: indices of its groups, and the same as a bit set.
    let interfaceGroups: [[Int]]
    let interfaceMembership: [GroupMembership]
    /// Per subnet: its ACL, `nil` for the VPC's default ACL (allow all both ways).
    let subnetACL: [CompiledACL?]
    /// Per subnet: routes, longest prefix first.
    let subnetRoutes: [[CompiledRoute]]
    let natInterfaceByAZ: [String: Int]
    let subnetIndexByKey: [SubnetKey: Int]
    /// Per interface: the index of its subnet (`nil` only if the topology is inconsistent).
    let interfaceSubnet: [Int?]

    init(_ expanded: ExpandedStack) {
        let topology = expanded.topology, spec = expanded.spec
        self.topology = topology
        var groupIndex: [String: Int] = [:]
        for (offset, group) in spec.securityGroups.enumerated() { groupIndex[group.name] = offset }
        self.groupIndex = groupIndex
        func compile(_ rule: SecurityGroupRuleSpec, of group: SecurityGroupSpec, index: Int) -> CompiledRule {
            let peer: CompiledRule.Peer = switch rule.peer {
            case .self: .group(index)
            case .securityGroup(let name): groupIndex[name].map(CompiledRule.Peer.group) ?? .blocks([])
            case .vpc: .blocks([spec.network.cidr])
            case .any: .blocks([.anywhere])
            case .cidr(let block): .blocks([block])
            case .prefixList(let service): .blocks(AddressSpace.servicePrefixLists[service] ?? [])
            }
            return CompiledRule(ipProtocol: rule.ipProtocol, ports: rule.ports.map(PortSet.init) ?? .all, peer: peer, group: group.name, rule: rule)
        }
        groups = spec.securityGroups.enumerated().map { index, group in
            CompiledGroup(name: group.name, ingress: group.ingress.map { compile($0, of: group, index: index) },
                          egress: group.egress.map { compile($0, of: group, index: index) })
        }
        interfaceGroups = topology.interfaces.map { interface in interface.securityGroups.compactMap { groupIndex[$0] } }
        interfaceMembership = interfaceGroups.map { indices in
            var membership = GroupMembership(groupCount: spec.securityGroups.count)
            for index in indices { membership.insert(index) }
            return membership
        }
        var acls: [String: CompiledACL] = [:]
        for acl in spec.networkACLs {
            func entries(_ list: [NetworkACLEntrySpec]) -> [CompiledACLEntry] {
                list.sorted { $0.ruleNumber < $1.ruleNumber }.map { entry in
                    CompiledACLEntry(number: entry.ruleNumber, allows: entry.action == .allow, ipProtocol: entry.ipProtocol,
                                     ports: entry.ports.map(PortSet.init) ?? .all, cidr: entry.cidr, acl: acl.name, direction: entry.direction)
                }
            }
            acls[acl.name] = CompiledACL(name: acl.name, ingress: entries(acl.ingress), egress: entries(acl.egress))
        }
        subnetACL = topology.subnets.map { subnet in subnet.networkACL.flatMap { acls[$0] } }
        subnetRoutes = topology.subnets.map { subnet in
            subnet.routes.map { route -> CompiledRoute in
                let blocks: [CIDRBlock] = switch route.destination {
                case .cidr(let block): [block]
                case .prefixList(let service): AddressSpace.servicePrefixLists[service] ?? []
                }
                return CompiledRoute(blocks: blocks, target: route.target, route: route)
            }
        }
        var nat: [String: Int] = [:]
        for (index, interface) in topology.interfaces.enumerated() where interface.kind == .natGateway {
            nat[ResourceAddress(parsing: interface.id)?.name ?? ""] = index
        }
        natInterfaceByAZ = nat
        var subnetIndex: [SubnetKey: Int] = [:]
        for (offset, subnet) in topology.subnets.enumerated() { subnetIndex[subnet.key] = offset }
        subnetIndexByKey = subnetIndex
        interfaceSubnet = topology.interfaces.map { subnetIndex[$0.subnet] }
    }

    // MARK: routes

    /// Longest-prefix match over the subnet's route table; a prefix-list route counts with the
    /// length of the list entry that matched (AWS compares prefix-list CIDRs like any other).
    func route(from subnet: Int, to address: IPv4Address) -> CompiledRoute? {
        var best: (route: CompiledRoute, prefix: Int)?
        for route in subnetRoutes[subnet] {
            for block in route.blocks where block.contains(address) {
                if block.prefix > (best?.prefix ?? -1) { best = (route, block.prefix) }
            }
        }
        return best?.route
    }

    // MARK: security groups

    private func matches(_ rule: CompiledRule, _ ipProtocol: IPProtocol, _ peer: SecurityGroupPeer) -> Bool {
        guard rule.ipProtocol.matches(ipProtocol) else { return false }
        switch rule.peer {
        case .blocks(let blocks): return blocks.contains { $0.contains(peer.address) }
        case .group(let group):
            // A group reference matches only the private address of an interface carrying the group.
            guard let interface = peer.interface else { return false }
            return interfaceMembership[interface].contains(group)
        }
    }

    /// Destination ports the interface's groups (unioned) allow in one direction to or from `peer`.
    func securityGroupPorts(_ interface: Int, direction: RuleDirection, _ ipProtocol: IPProtocol, peer: SecurityGroupPeer) -> PortSet {
        var allowed = PortSet.empty
        for group in interfaceGroups[interface] {
            for rule in direction == .ingress ? groups[group].ingress : groups[group].egress where matches(rule, ipProtocol, peer) {
                allowed = allowed.union(rule.ports)
                if allowed == .all { return allowed }
            }
        }
        return allowed
    }

    /// The first rule (by group, then rule order) that allows one concrete packet.
    func securityGroupRule(_ interface: Int, direction: RuleDirection, _ ipProtocol: IPProtocol, port: Int, peer: SecurityGroupPeer) -> (group: String, rule: CompiledRule)? {
        for group in interfaceGroups[interface] {
            for rule in direction == .ingress ? groups[group].ingress : groups[group].egress
            where matches(rule, ipProtocol, peer) && rule.ports.contains(port) {
                return (groups[group].name, rule)
            }
        }
        return nil
    }

    // MARK: network ACLs

    /// Ports the subnet's ACL lets through for packets of `ipProtocol` whose remote address
    /// (source for ingress, destination for egress) is `remote`: entries in ascending order,
    /// each taking the ports no earlier entry decided, allow or deny; the rest fall to `*`.
    func aclPorts(_ subnet: Int, direction: RuleDirection, _ ipProtocol: IPProtocol, remote: IPv4Address) -> PortSet {
        guard let acl = subnetACL[subnet] else { return .all }
        var undecided = PortSet.all, allowed = PortSet.empty
        for entry in direction == .ingress ? acl.ingress : acl.egress
        where entry.ipProtocol.matches(ipProtocol) && entry.cidr.contains(remote) {
            let decided = undecided.intersection(entry.ports)
            if entry.allows { allowed = allowed.union(decided) }
            undecided = undecided.subtracting(decided)
            if undecided.isEmpty { break }
        }
        return allowed
    }

    /// The entry that decides one concrete packet, or `nil` when `*` does (deny).
    func aclEntry(_ subnet: Int, direction: RuleDirection, _ ipProtocol: IPProtocol, port: Int, remote: IPv4Address) -> CompiledACLEntry? {
        guard let acl = subnetACL[subnet] else { return nil }
        return (direction == .ingress ? acl.ingress : acl.egress).first {
            $0.ipProtocol.matches(ipProtocol) && $0.cidr.contains(remote) && $0.ports.contains(port)
        }
    }
}
