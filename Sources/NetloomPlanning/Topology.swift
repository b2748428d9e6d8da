import NetloomModel
import NetloomSpec

/// The network as analysis sees it: subnets with their routes and ACL, and every network
/// interface with its groups. Derived from the same expansion as the resource graph.
public struct NetworkTopology: Sendable, Hashable {
    public var vpc: CIDRBlock
    public var subnets: [TopologySubnet]
    public var interfaces: [NetworkInterface]
    public var hasInternetGateway: Bool

    public func subnet(_ key: SubnetKey) -> TopologySubnet? { subnets.first { $0.key == key } }
}

public struct TopologySubnet: Sendable, Hashable {
    public var key: SubnetKey
    public var tier: SubnetTier
    public var cidr: CIDRBlock
    public var routes: [Route]
    /// The route table the subnet is associated with (isolated subnets share one).
    public var routeTable: ResourceAddress
    /// The network ACL's name, or `nil` for the VPC's default ACL (allow all both ways).
    public var networkACL: String?
}

public struct Route: Sendable, Hashable, CustomStringConvertible {
    public enum Destination: Sendable, Hashable, CustomStringConvertible {
        case cidr(CIDRBlock)
        /// A gateway endpoint's managed prefix list (`pl-...` on AWS).
        case prefixList(String)

        public var description: String {
            switch self {
            case .cidr(let block): block.description
            case .prefixList(let service): "prefix-list:\(service)"
            }
        }
    }

    public enum Target: Sendable, Hashable, CustomStringConvertible {
        case local
        case internetGateway
        case natGateway(az: String)
        case gatewayEndpoint(String)

        public var description: String {
            switch self {
            case .local: "local"
            case .internetGateway: ResourceAddress.internetGateway.description
            case .natGateway(let az): ResourceAddress.natGateway(az: az).description
            case .gatewayEndpoint(let service): ResourceAddress.vpcEndpoint(service).description
            }
        }
    }

    public var destination: Destination
    public var target: Target
    /// The resource address of the route, for explanations.
    public var address: String

    public var description: String { "\(destination) -> \(target)" }
}

public struct NetworkInterface: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case instance, clusterNode = "cluster_node", interfaceEndpoint = "interface_endpoint", natGateway = "nat_gateway", loadBalancer = "load_balancer"
        /// An FSx for Lustre file system's interfaces (AWS-managed, like an endpoint's).
        case fileSystem = "file_system"
        /// The instances of an Auto Scaling group in one AZ (`count` of them at `max`).
        case autoScalingInstance = "autoscaling_instance"
    }

    /// Unique: `instance:api/0`, `cluster:trainers` (a HyperPod cluster's groups: `cluster:gpu/controller`),
    /// `vpc_endpoint:ssm/us-west-2a`, `load_balancer:public/eu-west-1a`, `fsx_file_system:gpu`.
    public var id: String
    public var kind: Kind
    /// The resource (or cluster) the interface belongs to: `instance:api/0`, `vpc_endpoint:ssm`, `load_balancer:public`.
    public var owner: String
    public var subnet: SubnetKey
    public var privateIP: IPv4Address
    public var publicIP: Bool
    /// Security group names; empty for NAT gateways, which have none.
    public var securityGroups: [String]
    /// How many identical interfaces this one stands for (a cluster's nodes).
    public var count: Int
    /// For interface endpoints: the service, such as `ssm`.
    public var service: String?
}
