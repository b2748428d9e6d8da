import NetloomModel
import NetloomPlanning
import NetloomSpec

/// A slow reachability evaluator meant to be obviously right, against which the fast
/// `ReachabilityAnalyzer` is tested: it tries concrete packets one at a time (protocol,
/// destination address and port, client port, NAT port), walks each through routes, security
/// groups and network ACLs straight from the spec, then walks its reply back, and answers
/// reachable when one packet makes the round trip.
///
/// Values that cannot be enumerated outright are enumerated by representatives: every check is
/// built from CIDR and port-range tests, so it gives one answer between two consecutive
/// boundaries of the CIDRs and port ranges the spec names; trying one value per such piece
/// (and every value of small ranges) tries every behaviour. It shares only the resolution of
/// query ends with the fast analyzer.
public struct ReferenceReachability: Sendable {
    let expanded: ExpandedStack
    let resolver: EndResolver
    let addressBounds: [UInt32]
    let portBounds: [Int]

    public init(_ expanded: ExpandedStack) {
        self.expanded = expanded
        resolver = EndResolver(expanded)
        let spec = expanded.spec
        var blocks: [CIDRBlock] = [spec.network.cidr, .anywhere] + AddressSpace.nonPublic + AddressSpace.servicePrefixLists.values.flatMap { $0 }
        var ranges: [PortRange] = [.all, .linuxEphemeral, .awsManagedEphemeral]
        for group in spec.securityGroups {
            for rule in group.rules {
                if case .cidr(let block) = rule.peer { blocks.append(block) }
                if let ports = rule.ports { ranges.append(ports) }
            }
        }
        for acl in spec.networkACLs {
            for entry in acl.entries {
                blocks.append(entry.cidr)
                if let ports = entry.ports { ranges.append(ports) }
            }
        }
        blocks += expanded.topology.subnets.map(\.cidr)
        var addresses = Set<UInt32>()
        for block in blocks {
            addresses.insert(block.first)
            if block.last < UInt32.max { addresses.insert(block.last + 1) }
        }
        addressBounds = addresses.sorted()
        var ports = Set<Int>()
        for range in ranges {
            ports.insert(range.lower)
            if range.upper < 65535 { ports.insert(range.upper + 1) }
            // Small ranges are tried port by port.
            if range.count <= 64 { ports.formUnion(range.lower...range.upper) }
        }
        portBounds = ports.sorted()
    }

    public func isReachable(_ query: ReachabilityQuery) -> Bool {
        let sources = resolver.resolve(query.from), destinations = resolver.resolve(query.to)
        guard sources.problem == nil, destinations.problem == nil else { return false }
        if case .loadBalancer(let name) = query.to { return throughLoadBalancer(name, query, sources.ends, destinations.ends) }
        return sources.ends.contains { source in
            destinations.ends.contains { destination in connects(source, destination, query.ipProtocol, query.port) }
        }
    }

    func throughLoadBalancer(_ name: String, _ query: ReachabilityQuery, _ sources: [ConnectionEnd], _ balancers: [ConnectionEnd]) -> Bool {
        guard let balancer = expanded.spec.loadBalancer(named: name) else { return false }
        for listener in balancer.listeners {
            let udp = listener.protocol.uppercased() == "UDP" || listener.protocol.uppercased() == "TCP_UDP"
            let tcp = listener.protocol.uppercased() != "UDP"
            let fits = query.ipProtocol == .all || (query.ipProtocol == .tcp && tcp) || (query.ipProtocol == .udp && udp)
            guard fits, query.port == nil || query.port == listener.port else { continue }
            let used: IPProtocol = listener.protocol.uppercased() == "UDP" ? .udp : .tcp
            let group = listener.forward.flatMap(expanded.spec.targetGroup(named:))
            let targets = group.map(resolver.targets(of:)) ?? []
            for source in sources {
                for balancerEnd in balancers where connects(source, balancerEnd, used, listener.port) {
                    if targets.isEmpty { return true }
                    if targets.contains(where: { connects(balancerEnd, $0, used, group?.port ?? listener.port) }) { return true }
                }
            }
        }
        return false
    }

    // MARK: enumeration

    func ports(for ipProtocol: IPProtocol, in range: PortRange) -> [Int] {
        ipProtocol == .icmp ? [0] : portBounds.filter(range.contains) + [range.lower, range.upper]
    }

    func destinationAddresses(_ end: ConnectionEnd) -> [IPv4Address] {
        switch end {
        case .interface(let index): return [expanded.topology.interfaces[index].privateIP]
        case .subnetAddress(_, let address): return [address]
        case .outside(_, let ranges, let preferred):
            let starts = addressBounds + ranges.map(\.lowerBound)
            return [preferred] + starts.filter { start in ranges.contains { $0.contains(start) } }.map(IPv4Address.init)
        }
    }

    /// A host taking part in a connection.
    struct Host {
        var address: IPv4Address
        var interface: NetworkInterface?
        var subnet: TopologySubnet?
        var publicIP: Bool
        var ephemeral: PortRange
    }

    func host(_ end: ConnectionEnd, at address: IPv4Address) -> Host {
        switch end {
        case .interface(let index):
            let interface = expanded.topology.interfaces[index]
            let managed = interface.kind == .natGateway || interface.kind == .loadBalancer || interface.kind == .interfaceEndpoint
            return Host(address: interface.privateIP, interface: interface, subnet: expanded.topology.subnet(interface.subnet),
                        publicIP: interface.publicIP, ephemeral: managed ? .awsManagedEphemeral : .linuxEphemeral)
        case .subnetAddress(let subnet, let address):
            return Host(address: address, interface: nil, subnet: expanded.topology.subnets[subnet], publicIP: false, ephemeral: .linuxEphemeral)
        case .outside:
            return Host(address: address, interface: nil, subnet: nil, publicIP: false, ephemeral: .linuxEphemeral)
        }
    }

    func connects(_ source: ConnectionEnd, _ destination: ConnectionEnd, _ ipProtocol: IPProtocol, _ port: Int?) -> Bool {
        let protocols: [IPProtocol] = ipProtocol == .all ? [.tcp, .udp, .icmp] : [ipProtocol]
        let clientAddress: IPv4Address = if case .outside(_, _, let preferred) = source { preferred } else { IPv4Address(0) }
        let client = host(source, at: clientAddress)
        for candidate in protocols {
            let destinationPorts = candidate == .icmp ? [0] : port.map { [$0] } ?? ports(for: candidate, in: .all)
            let clientPorts = ports(for: candidate, in: client.ephemeral), natPorts = ports(for: candidate, in: .awsManagedEphemeral)
            for address in destinationAddresses(destination) {
                let server = host(destination, at: address)
                for destinationPort in destinationPorts {
                    // The request's fate does not depend on the ports its reply will use, so a
                    // request that fails is not tried again with every client and NAT port.
                    let request = Packet(ipProtocol: candidate, destinationPort: destinationPort, clientPort: 0, natPort: 0)
                    guard roundTrip(client, server, request, checkReply: false) else { continue }
                    for clientPort in clientPorts {
                        for natPort in natPorts
                        where roundTrip(client, server, Packet(ipProtocol: candidate, destinationPort: destinationPort, clientPort: clientPort, natPort: natPort)) {
                            return true
                        }
                    }
                }
            }
        }
        return false
    }

    struct Packet {
        var ipProtocol: IPProtocol
        var destinationPort: Int
        var clientPort: Int
        var natPort: Int
    }

    // MARK: one packet and its reply

    /// Walks the packet to the server and, with `checkReply`, the reply back to the client.
    func roundTrip(_ client: Host, _ server: Host, _ packet: Packet, checkReply: Bool = true) -> Bool {
        let p = packet.ipProtocol, port = packet.destinationPort, back = packet.clientPort
        let vpc = expanded.topology.vpc
        // A host inside the VPC is one with a subnet.
        switch (client.subnet, server.subnet) {
        case (let from?, let to?):
            guard securityGroupAllows(client.interface, .egress, p, port, remote: server.address, remoteInterface: server.interface),
                  case .local? = route(from, server.address)?.target, vpc.contains(server.address) else { return false }
            if from.key != to.key {
                guard aclAllows(from, .egress, p, port, server.address), aclAllows(to, .ingress, p, port, client.address) else { return false }
            }
            guard securityGroupAllows(server.interface, .ingress, p, port, remote: client.address, remoteInterface: client.interface) else { return false }
            guard checkReply else { return true }
            // The reply: routed back locally; ACLs again, on the client's port. Groups are stateful.
            guard case .local? = route(to, client.address)?.target else { return false }
            return from.key == to.key || (aclAllows(to, .egress, p, back, client.address) && aclAllows(from, .ingress, p, back, server.address))
        case (let from?, nil):
            guard securityGroupAllows(client.interface, .egress, p, port, remote: server.address, remoteInterface: nil),
                  let target = route(from, server.address)?.target else { return false }
            switch target {
            case .local:
                return false
            case .gatewayEndpoint(let service):
                let inRange = (AddressSpace.servicePrefixLists[service] ?? []).contains { $0.contains(server.address) }
                guard inRange, aclAllows(from, .egress, p, port, server.address) else { return false }
                return !checkReply || aclAllows(from, .ingress, p, back, server.address)
            case .internetGateway:
                guard client.publicIP, aclAllows(from, .egress, p, port, server.address) else { return false }
                return !checkReply || aclAllows(from, .ingress, p, back, server.address)
            case .natGateway(let az):
                guard let nat = expanded.topology.interfaces.first(where: { $0.kind == .natGateway && $0.id == ResourceAddress.natGateway(az: az).description }),
                      let natSubnet = expanded.topology.subnet(nat.subnet) else { return false }
                let sameSubnet = natSubnet.key == from.key
                // Into the NAT gateway's subnet, with the client's address.
                if !sameSubnet {
                    guard aclAllows(from, .egress, p, port, server.address), aclAllows(natSubnet, .ingress, p, port, client.address) else { return false }
                }
                // Out of the NAT with its own address and port, to the internet gateway.
                guard case .internetGateway? = route(natSubnet, server.address)?.target, nat.publicIP,
                      aclAllows(natSubnet, .egress, p, port, server.address) else { return false }
                guard checkReply else { return true }
                // The reply comes to the NAT's port, then goes back to the client's.
                guard aclAllows(natSubnet, .ingress, p, packet.natPort, server.address) else { return false }
                guard case .local? = route(natSubnet, client.address)?.target else { return false }
                return sameSubnet || (aclAllows(natSubnet, .egress, p, back, client.address) && aclAllows(from, .ingress, p, back, server.address))
            }
        case (nil, let to?):
            // Only the internet gateway brings outside traffic in, and only to a public IP.
            guard server.publicIP, expanded.topology.hasInternetGateway,
                  aclAllows(to, .ingress, p, port, client.address),
                  securityGroupAllows(server.interface, .ingress, p, port, remote: client.address, remoteInterface: nil) else { return false }
            guard checkReply else { return true }
            guard case .internetGateway? = route(to, client.address)?.target else { return false }
            return aclAllows(to, .egress, p, back, client.address)
        case (nil, nil):
            return false
        }
    }

    // MARK: the rules, straight from the spec

    func route(_ subnet: TopologySubnet, _ address: IPv4Address) -> Route? {
        var best: Route?, bestLength = -1
        for route in subnet.routes {
            let blocks: [CIDRBlock] = switch route.destination {
            case .cidr(let block): [block]
            case .prefixList(let service): AddressSpace.servicePrefixLists[service] ?? []
            }
            for block in blocks where block.contains(address) && block.prefix > bestLength {
                best = route
                bestLength = block.prefix
            }
        }
        return best
    }

    func securityGroupAllows(_ interface: NetworkInterface?, _ direction: RuleDirection, _ p: IPProtocol, _ port: Int,
                             remote: IPv4Address, remoteInterface: NetworkInterface?) -> Bool {
        // Subnet hosts stand for the subnet itself: no group applies.
        guard let interface else { return true }
        for name in interface.securityGroups {
            guard let group = expanded.spec.securityGroup(named: name) else { continue }
            for rule in direction == .ingress ? group.ingress : group.egress {
                guard rule.ipProtocol == .all || rule.ipProtocol == p else { continue }
                if let ports = rule.ports, p != .icmp, !ports.contains(port) { continue }
                let peerMatches: Bool = switch rule.peer {
                case .self: remoteInterface?.securityGroups.contains(name) ?? false
                case .securityGroup(let other): remoteInterface?.securityGroups.contains(other) ?? false
                case .vpc: expanded.spec.network.cidr.contains(remote)
                case .any: true
                case .cidr(let block): block.contains(remote)
                case .prefixList(let service): (AddressSpace.servicePrefixLists[service] ?? []).contains { $0.contains(remote) }
                }
                if peerMatches { return true }
            }
        }
        return false
    }

    func aclAllows(_ subnet: TopologySubnet, _ direction: RuleDirection, _ p: IPProtocol, _ port: Int, _ remote: IPv4Address) -> Bool {
        guard let name = subnet.networkACL, let acl = expanded.spec.networkACLs.first(where: { $0.name == name }) else { return true }
        let entries = (direction == .ingress ? acl.ingress : acl.egress).sorted { $0.ruleNumber < $1.ruleNumber }
        for entry in entries {
            guard entry.ipProtocol == .all || entry.ipProtocol == p, entry.cidr.contains(remote) else { continue }
            if let ports = entry.ports, p != .icmp, !ports.contains(port) { continue }
            return entry.action == .allow
        }
        return false
    }
}
