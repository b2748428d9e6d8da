import NetloomModel
import NetloomPlanning
import NetloomSpec

/// The network as people draw it: VPC, one column per AZ, subnets grouped by tier with what
/// sits in them, the gateways and endpoints around them, and the routes out as edges.
///
/// Built once from an expanded stack; the SVG, Mermaid and DOT renderers all read this value,
/// so the three pictures cannot disagree about what is where.
public struct TopologyDiagram: Sendable, Hashable {
    public struct Node: Sendable, Hashable {
        /// The netloom address (`subnet:app/us-east-1a`, `cluster:trainers`), as `expand` lists it.
        public var address: String
        public var label: String
        /// Properties shown on hover, in order.
        public var details: [String]
    }

    public struct SubnetBox: Sendable, Hashable {
        public var node: Node
        public var key: SubnetKey
        public var tier: SubnetTier
        public var cidr: String
        public var usableAddresses: Int
        public var usedAddresses: Int
        /// Clusters, instances, NAT gateways, endpoint interfaces, load-balancer nodes, in the
        /// order the address demand placed them.
        public var contents: [Content]
    }

    public struct Content: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable {
            case cluster, instance, natGateway = "nat_gateway", interfaceEndpoint = "interface_endpoint", loadBalancer = "load_balancer"
            case fileSystem = "file_system"
        }

        public var kind: Kind
        public var node: Node
        /// Parts drawn inside the item: a cluster's placement group, the services of an endpoint ENI set.
        public var parts: [Node]
    }

    public struct TierGroup: Sendable, Hashable {
        public var tier: SubnetTier
        public var subnets: [SubnetBox]
    }

    public struct AvailabilityZone: Sendable, Hashable {
        public var name: String
        public var tiers: [TierGroup]
    }

    public struct LoadBalancer: Sendable, Hashable {
        public var node: Node
        public var listeners: [Node]
        public var subnetAddresses: [String]
    }

    /// A route out of a subnet to something that is not the VPC itself.
    public struct RouteEdge: Sendable, Hashable {
        public enum Target: Sendable, Hashable { case internetGateway, natGateway, gatewayEndpoint }

        public var from: String
        public var to: String
        public var target: Target
        public var destination: String
        /// The route's own address (the route resource, or the endpoint that adds it).
        public var routeAddress: String
    }

    public var stack: String
    public var region: String
    public var vpc: Node
    public var azs: [AvailabilityZone]
    public var internetGateway: Node?
    public var gatewayEndpoints: [Node]
    public var interfaceEndpoints: [Node]
    public var loadBalancers: [LoadBalancer]
    public var routes: [RouteEdge]

    public var subnets: [SubnetBox] { azs.flatMap { $0.tiers.flatMap(\.subnets) } }

    public init(_ expanded: ExpandedStack) {
        let spec = expanded.spec
        let graph = expanded.graph
        func node(_ address: String, _ label: String, extra: [String] = []) -> Node {
            Node(address: address, label: label, details: extra + Self.propertyLines(graph[address]))
        }
        stack = spec.stack
        region = spec.region
        vpc = node(ResourceAddress.vpc.description, "VPC \(spec.network.cidr)")

        let routesBySubnet = Dictionary(expanded.topology.subnets.map { ($0.key, $0.routes) }, uniquingKeysWith: { first, _ in first })
        var azs: [AvailabilityZone] = []
        var routes: [RouteEdge] = []
        for az in spec.network.azs {
            var tiers: [TierGroup] = []
            for tier in SubnetTier.allCases {
                var boxes: [SubnetBox] = []
                for allocation in expanded.addressPlan.allocations where allocation.key.az == az {
                    guard let subnet = spec.subnet(named: allocation.key.subnet), subnet.tier == tier else { continue }
                    let address = ResourceAddress.subnet(allocation.key).description
                    let contents = (expanded.demand.placements[allocation.key] ?? []).map { Self.content($0, spec: spec, node: node) }
                    boxes.append(SubnetBox(
                        node: node(address, allocation.key.subnet),
                        key: allocation.key, tier: tier, cidr: allocation.cidr.description,
                        usableAddresses: allocation.cidr.usableAddresses, usedAddresses: allocation.demand, contents: contents))
                    for route in routesBySubnet[allocation.key] ?? [] {
                        let target: RouteEdge.Target
                        switch route.target {
                        case .local: continue
                        case .internetGateway: target = .internetGateway
                        case .natGateway: target = .natGateway
                        case .gatewayEndpoint: target = .gatewayEndpoint
                        }
                        routes.append(RouteEdge(from: address, to: route.target.description, target: target,
                                                destination: route.destination.description, routeAddress: route.address))
                    }
                }
                if !boxes.isEmpty { tiers.append(TierGroup(tier: tier, subnets: boxes)) }
            }
            azs.append(AvailabilityZone(name: az, tiers: tiers))
        }
        self.azs = azs
        self.routes = routes

        let igw = ResourceAddress.internetGateway.description
        internetGateway = graph[igw] == nil ? nil : node(igw, "Internet gateway")
        gatewayEndpoints = spec.network.gatewayEndpoints.map { node(ResourceAddress.vpcEndpoint($0).description, "\($0) gateway endpoint") }
        interfaceEndpoints = spec.network.interfaceEndpoints.map { node(ResourceAddress.vpcEndpoint($0).description, "\($0) interface endpoint") }
        loadBalancers = spec.loadBalancers.map { lb in
            let listeners = lb.listeners.map { listener in
                node(ResourceAddress.listener(loadBalancer: lb.name, port: listener.port).description,
                     "\(listener.protocol) \(listener.port) → \(listener.actionLabel)")
            }
            let subnets = spec.subnet(named: lb.subnet).map { subnet in
                spec.azs(of: subnet).map { ResourceAddress.subnet(SubnetKey(subnet: lb.subnet, az: $0)).description }
            } ?? []
            return LoadBalancer(node: node(ResourceAddress.loadBalancer(lb.name).description, "\(lb.name) (\(lb.type), \(lb.scheme))"),
                                listeners: listeners, subnetAddresses: subnets)
        }
    }

    static func content(_ placement: Placement, spec: StackSpec, node: (String, String, [String]) -> Node) -> Content {
        switch placement.kind {
        case .cluster:
            let name = String(placement.owner.drop(while: { $0 != ":" }).dropFirst())
            let cluster = spec.clusters.first { $0.name == name }
            var parts: [Node] = []
            var extra = ["\(placement.addresses) addresses"]
            if let cluster {
                extra.insert("\(cluster.nodes) × \(cluster.instanceType), \(cluster.orchestrator.rawValue), placement \(cluster.placement.rawValue)", at: 0)
                if cluster.hyperPod != nil {
                    extra.insert("HyperPod groups: " + cluster.nodeGroups.map { "\($0.name) \($0.count) × \($0.instanceType)" }.joined(separator: ", "), at: 1)
                }
                if cluster.placement == .cluster {
                    parts.append(node(ResourceAddress.placementGroup(cluster.name).description, "placement group (cluster)", []))
                }
            }
            let label = cluster.map { "\($0.name): \($0.nodes) × \($0.instanceType)" } ?? placement.label
            return Content(kind: .cluster, node: node(placement.owner, label, extra), parts: parts)
        case .instance:
            return Content(kind: .instance, node: node(placement.owner, String(placement.owner.drop(while: { $0 != ":" }).dropFirst()), [placement.label]), parts: [])
        case .autoScalingGroup:
            // Drawn as instances: they are, up to the group's share of `max` in this AZ.
            return Content(kind: .instance, node: node(placement.owner, String(placement.owner.drop(while: { $0 != ":" }).dropFirst()) + " (auto scaling)", [placement.label]), parts: [])
        case .natGateway:
            return Content(kind: .natGateway, node: node(placement.owner, "NAT gateway", []), parts: [])
        case .interfaceEndpoint:
            let parts = spec.network.interfaceEndpoints.map { node(ResourceAddress.vpcEndpoint($0).description, $0, []) }
            return Content(kind: .interfaceEndpoint, node: Node(address: placement.owner, label: "endpoint ENIs", details: [placement.label]), parts: parts)
        case .loadBalancer:
            return Content(kind: .loadBalancer, node: node(placement.owner, "LB " + String(placement.owner.drop(while: { $0 != ":" }).dropFirst()), [placement.label]), parts: [])
        case .fileSystem:
            return Content(kind: .fileSystem, node: node(placement.owner, "FSx " + String(placement.owner.drop(while: { $0 != ":" }).dropFirst()), [placement.label]), parts: [])
        }
    }

    /// A resource's properties as `key: value` lines, without tags (they repeat the address).
    static func propertyLines(_ resource: Resource?) -> [String] {
        guard let resource else { return [] }
        var lines = ["type: \(resource.type.rawValue)"]
        for key in resource.properties.keys.sorted() where key != "tags" {
            guard let value = resource.properties[key] else { continue }
            let text = value.description
            lines.append("\(key): \(text.count > 120 ? String(text.prefix(119)) + "…" : text)")
        }
        if let location = resource.location { lines.append("spec: \(location)") }
        return lines
    }
}
