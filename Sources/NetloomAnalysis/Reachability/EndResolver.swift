import NetloomModel
import NetloomPlanning
import NetloomSpec

/// Resolves `Endpoint`s against an expanded stack (SPEC.md section 3, "from/to").
struct EndResolver: Sendable {
    let topology: NetworkTopology
    let spec: StackSpec
    let subnetIndexByKey: [SubnetKey: Int]
    /// Interface indices by the query end that names them (`instance:api` -> its interfaces).
    let interfacesByEnd: [Endpoint: [Int]]

    init(_ expanded: ExpandedStack) {
        topology = expanded.topology
        spec = expanded.spec
        var byEnd: [Endpoint: [Int]] = [:]
        for (index, interface) in expanded.topology.interfaces.enumerated() {
            let owner = ResourceAddress(parsing: interface.owner)?.name ?? ""
            let end: Endpoint? = switch interface.kind {
            case .instance: .instance(owner)
            case .clusterNode: .cluster(owner)
            case .loadBalancer: .loadBalancer(owner)
            case .autoScalingInstance: .autoScalingGroup(owner)
            case .interfaceEndpoint: interface.service.map(Endpoint.interfaceEndpoint)
            case .fileSystem: .fileSystem(owner)
            case .natGateway: nil
            }
            if let end { byEnd[end, default: []].append(index) }
            // A HyperPod group's interface answers to `cluster:NAME/GROUP` as well as `cluster:NAME`.
            if interface.kind == .clusterNode, let id = ResourceAddress(parsing: interface.id), id.parts.count == 2 {
                byEnd[.clusterGroup(cluster: owner, group: id.parts[1]), default: []].append(index)
            }
        }
        interfacesByEnd = byEnd
        var index: [SubnetKey: Int] = [:]
        for (offset, subnet) in expanded.topology.subnets.enumerated() { index[subnet.key] = offset }
        subnetIndexByKey = index
    }

    func resolve(_ endpoint: Endpoint) -> ResolvedEnds {
        let interfaces = topology.interfaces
        func owned() -> ResolvedEnds {
            let found = (interfacesByEnd[endpoint] ?? []).map(ConnectionEnd.interface)
            return found.isEmpty
                ? ResolvedEnds(ends: [], problem: BlockExplanation(code: .endHasNoInterfaces, address: endpoint.description,
                                                                   detail: "\(endpoint) has no network interface in the expanded stack"))
                : ResolvedEnds(ends: found, problem: nil)
        }
        switch endpoint {
        case .instance, .cluster, .clusterGroup, .fileSystem, .loadBalancer, .interfaceEndpoint, .autoScalingGroup:
            return owned()
        case .subnet(let name):
            let ends = topology.subnets.indices.filter { topology.subnets[$0].key.subnet == name }.map { index in
                // The last address AWS hands out (it keeps the broadcast one): a host of the subnet
                // that no planned interface takes, since the planner allocates from the start.
                ConnectionEnd.subnetAddress(subnet: index, address: IPv4Address(topology.subnets[index].cidr.last - 1))
            }
            return ends.isEmpty
                ? ResolvedEnds(ends: [], problem: BlockExplanation(code: .endHasNoInterfaces, address: endpoint.description, detail: "no subnet named '\(name)'"))
                : ResolvedEnds(ends: ends, problem: nil)
        case .service(let service):
            let ranges = AddressSpace.ranges(of: service)
            guard let first = ranges.first else {
                return ResolvedEnds(ends: [], problem: BlockExplanation(code: .endHasNoInterfaces, address: endpoint.description,
                                                                        detail: "netloom knows no public range for service '\(service)'"))
            }
            // A host inside the range rather than its network address, which reads better in a path.
            return ResolvedEnds(ends: [.outside(label: endpoint.description, ranges: ranges, preferred: IPv4Address(first.lowerBound + 1))], problem: nil)
        case .internet:
            return ResolvedEnds(ends: [.outside(label: "internet", ranges: AddressSpace.internet(excluding: topology.vpc), preferred: AddressSpace.sampleInternetHost)], problem: nil)
        case .ip(let address):
            guard topology.vpc.contains(address) else {
                return ResolvedEnds(ends: [.outside(label: "ip:\(address)", ranges: [address.value...address.value], preferred: address)], problem: nil)
            }
            if let index = interfaces.indices.first(where: { holds(interfaces[$0], address) }) {
                return ResolvedEnds(ends: [.interface(index)], problem: nil)
            }
            if let subnet = topology.subnets.indices.first(where: { topology.subnets[$0].cidr.contains(address) }) {
                return ResolvedEnds(ends: [.subnetAddress(subnet: subnet, address: address)], problem: nil)
            }
            return ResolvedEnds(ends: [], problem: BlockExplanation(code: .addressNotInSubnet, address: endpoint.description,
                                                                    detail: "\(address) is inside the VPC \(topology.vpc) but in none of its subnets"))
        }
    }

    /// Whether an interface holds an address: its own, or for a cluster (or one HyperPod group)
    /// any address of its nodes (each node takes `ips_per_node` consecutive addresses from the
    /// interface's first).
    func holds(_ interface: NetworkInterface, _ address: IPv4Address) -> Bool {
        if interface.privateIP == address { return true }
        if interface.kind == .autoScalingInstance {
            // A group's instances in one AZ take `count` consecutive addresses (its share of `max`).
            return address.value >= interface.privateIP.value && UInt64(address.value - interface.privateIP.value) < UInt64(interface.count)
        }
        guard interface.kind == .clusterNode,
              let cluster = spec.cluster(named: ResourceAddress(parsing: interface.owner)?.name ?? "") else { return false }
        let span = UInt64(interface.count) * UInt64(cluster.ipsPerNode)
        return address.value >= interface.privateIP.value && UInt64(address.value - interface.privateIP.value) < span
    }

    /// What a target group forwards to: the instances it lists, and the instances of every Auto
    /// Scaling group that registers in it.
    func targets(of group: TargetGroupSpec) -> [ConnectionEnd] {
        group.targets.flatMap { resolve(.instance($0)).ends } + spec.autoScalingGroups(feeding: group.name).flatMap { resolve(.autoScalingGroup($0.name)).ends }
    }

    /// How an end is named in paths and explanations.
    func label(_ end: ConnectionEnd) -> String {
        switch end {
        case .interface(let index): topology.interfaces[index].id
        case .subnetAddress(let subnet, _): ResourceAddress.subnet(topology.subnets[subnet].key).description
        case .outside(let label, _, _): label
        }
    }
}
