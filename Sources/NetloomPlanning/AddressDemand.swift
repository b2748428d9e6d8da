import NetloomModel
import NetloomSpec

/// Something that takes addresses in a subnet: a cluster's nodes, an instance's ENI, an endpoint, ...
public struct Placement: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case cluster, instance, interfaceEndpoint = "interface_endpoint", natGateway = "nat_gateway", loadBalancer = "load_balancer"
        case fileSystem = "file_system"
        /// An Auto Scaling group's share of its `max` instances in one AZ.
        case autoScalingGroup = "autoscaling_group"
    }

    public var kind: Kind
    /// The address of the resource (or cluster) that owns the addresses.
    public var owner: String
    public var addresses: Int
    /// A short human description for the topology tree.
    public var label: String
}

/// Where every address-consuming thing goes, computed from the spec alone.
public struct AddressDemand: Sendable {
    public private(set) var placements: [SubnetKey: [Placement]] = [:]
    /// The AZ each instance index lands in: `instance:api/1` -> eu-west-1b.
    public private(set) var instanceAZs: [String: String] = [:]
    /// The subnet of each NAT gateway, by AZ.
    public private(set) var natSubnets: [String: SubnetKey] = [:]

    public init(_ spec: StackSpec) {
        for cluster in spec.clusters {
            add(.init(kind: .cluster, owner: ResourceAddress.cluster(cluster.name).description, addresses: cluster.nodeAddressDemand,
                      label: Self.clusterLabel(cluster)),
                to: SubnetKey(subnet: cluster.subnet, az: cluster.az))
            if let fsx = cluster.hyperPod?.fsxLustre, let az = cluster.fileSystemAZ {
                add(.init(kind: .fileSystem, owner: ResourceAddress.fsxFileSystem(cluster.name).description, addresses: cluster.fileSystemInterfaces,
                          label: "FSx for Lustre of cluster \(cluster.name): \(fsx.capacityGiB.grouped) GiB, \(cluster.fileSystemInterfaces) interfaces"),
                    to: SubnetKey(subnet: cluster.subnet, az: az))
            }
        }
        for instance in spec.instances {
            guard let subnet = spec.subnet(named: instance.subnet) else { continue }
            let azs = spec.azs(of: subnet)
            for index in 0..<instance.count {
                let az = instance.az ?? azs[index % azs.count]
                let address = Self.instanceAddress(instance, index: index)
                instanceAZs[address] = az
                add(.init(kind: .instance, owner: address, addresses: 1, label: "instance \(Self.instanceLabel(instance, index: index)) (\(instance.type)\(instance.publicIP ? ", public IP" : ""))"),
                    to: SubnetKey(subnet: subnet.name, az: az))
            }
        }
        // An Auto Scaling group is counted at `max`: AWS balances the instances over the set's
        // AZs, so each AZ holds at most ceil(max / AZs) of them.
        for group in spec.autoScalingGroups {
            guard let subnet = spec.subnet(named: group.subnet) else { continue }
            let azs = spec.azs(of: subnet)
            let share = AutoScalingGroupSpec.perAZ(max: group.max, azCount: azs.count)
            for az in azs {
                add(.init(kind: .autoScalingGroup, owner: ResourceAddress.autoScalingGroup(group.name).description, addresses: share,
                          label: "auto scaling group \(group.name): up to \(share) of max \(group.max) × \(group.type)"),
                    to: SubnetKey(subnet: subnet.name, az: az))
            }
        }
        if let endpointSubnetName = spec.network.endpointSubnet, let subnet = spec.subnet(named: endpointSubnetName), !spec.network.interfaceEndpoints.isEmpty {
            for az in spec.azs(of: subnet) {
                add(.init(kind: .interfaceEndpoint, owner: ResourceAddress.vpcEndpoints.description, addresses: spec.network.interfaceEndpoints.count,
                          label: "interface endpoints: \(spec.network.interfaceEndpoints.joined(separator: ", "))"),
                    to: SubnetKey(subnet: subnet.name, az: az))
            }
        }
        for az in Self.natAZs(spec) {
            guard let subnet = spec.subnets.first(where: { $0.tier == .public && spec.azs(of: $0).contains(az) }) else { continue }
            let key = SubnetKey(subnet: subnet.name, az: az)
            natSubnets[az] = key
            add(.init(kind: .natGateway, owner: ResourceAddress.natGateway(az: az).description, addresses: 1, label: "NAT gateway \(az) (Elastic IP)"), to: key)
        }
        for lb in spec.loadBalancers {
            guard let subnet = spec.subnet(named: lb.subnet) else { continue }
            for az in spec.azs(of: subnet) {
                add(.init(kind: .loadBalancer, owner: ResourceAddress.loadBalancer(lb.name).description, addresses: 1, label: "\(lb.type) load balancer \(lb.name) (\(lb.scheme))"),
                    to: SubnetKey(subnet: subnet.name, az: az))
            }
        }
    }

    /// What the cluster's addresses are for: its nodes (every HyperPod group) and its file system.
    static func clusterLabel(_ cluster: ClusterSpec) -> String {
        let headroom = "\(cluster.ipsPerNode) IPs/node + \(Int((cluster.headroom * 100).rounded()))% headroom"
        guard let hyperPod = cluster.hyperPod else {
            return "cluster \(cluster.name): \(cluster.nodes) × \(cluster.instanceType), \(headroom)"
        }
        var groups = ["\(cluster.nodes) × \(cluster.instanceType)"]
        if let controller = hyperPod.controller { groups.append("controller \(controller.count) × \(controller.instanceType)") }
        if let login = hyperPod.login { groups.append("login \(login.count) × \(login.instanceType)") }
        return "cluster \(cluster.name): \(groups.joined(separator: ", ")), \(headroom)"
    }

    private mutating func add(_ placement: Placement, to key: SubnetKey) {
        placements[key, default: []].append(placement)
    }

    public func demand(of key: SubnetKey) -> Int { placements[key]?.reduce(0) { $0 + $1.addresses } ?? 0 }

    public static func instanceAddress(_ instance: InstanceSpec, index: Int) -> String {
        instanceResourceAddress(instance, index: index).description
    }

    /// `instance:api` for a single instance, `instance:api/1` for the second of several.
    public static func instanceResourceAddress(_ instance: InstanceSpec, index: Int) -> ResourceAddress {
        .instance(instance.name, index: instance.count == 1 ? nil : index)
    }

    static func instanceLabel(_ instance: InstanceSpec, index: Int) -> String {
        instance.count == 1 ? instance.name : "\(instance.name)/\(index)"
    }

    /// The AZs that get a NAT gateway: the first AZ for `single`, every AZ with a private subnet for `per-az`.
    public static func natAZs(_ spec: StackSpec) -> [String] {
        switch spec.network.nat {
        case .none: return []
        case .single: return spec.network.azs.first.map { [$0] } ?? []
        case .perAZ:
            return Set(spec.subnets.filter { $0.tier == .private }.flatMap { spec.azs(of: $0) }).sorted()
        }
    }
}
