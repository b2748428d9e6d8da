import NetloomModel

/// A whole stack spec after loading. Every map of the YAML becomes an array sorted by name,
/// so the order things were written in never changes what gets built.
public struct StackSpec: Sendable, Hashable {
    public var file: String
    public var stack: String
    public var region: String
    public var tags: [String: String]
    public var network: NetworkSpec
    public var subnets: [SubnetSpec]
    public var securityGroups: [SecurityGroupSpec]
    public var networkACLs: [NetworkACLSpec]
    public var clusters: [ClusterSpec]
    public var instances: [InstanceSpec]
    public var buckets: [BucketSpec]
    public var roles: [RoleSpec]
    public var logGroups: [LogGroupSpec]
    public var alarms: [AlarmSpec]
    public var loadBalancers: [LoadBalancerSpec]
    public var targetGroups: [TargetGroupSpec]
    public var assertions: [AssertionSpec]
    public var usage: UsageSpec
    /// `# netloom:skip=ID reason` comments, attached to the named entity they sit on.
    public var skips: [SkipDirective]
    /// Where the stack name is written: the location for stack-wide findings.
    public var location: SourceLocation
    /// `state:`: where the state lives when neither `--state` nor `NETLOOM_STATE` says.
    public var state: StateLocation? = nil
    /// `autoscaling_groups:`, sorted by name.
    public var autoScalingGroups: [AutoScalingGroupSpec] = []

    public func autoScalingGroup(named name: String) -> AutoScalingGroupSpec? { autoScalingGroups.first { $0.name == name } }
    /// The Auto Scaling groups that register their instances in a target group.
    public func autoScalingGroups(feeding targetGroup: String) -> [AutoScalingGroupSpec] { autoScalingGroups.filter { $0.targetGroups.contains(targetGroup) } }

    public func subnet(named name: String) -> SubnetSpec? { subnets.first { $0.name == name } }
    public func securityGroup(named name: String) -> SecurityGroupSpec? { securityGroups.first { $0.name == name } }
    public func instance(named name: String) -> InstanceSpec? { instances.first { $0.name == name } }
    public func targetGroup(named name: String) -> TargetGroupSpec? { targetGroups.first { $0.name == name } }
    public func cluster(named name: String) -> ClusterSpec? { clusters.first { $0.name == name } }
    public func loadBalancer(named name: String) -> LoadBalancerSpec? { loadBalancers.first { $0.name == name } }
    public func role(named name: String) -> RoleSpec? { roles.first { $0.name == name } }
    public func bucket(named name: String) -> BucketSpec? { buckets.first { $0.name == name } }

    /// The AZs of a subnet set, sorted (the set's own list or the network's).
    public func azs(of subnet: SubnetSpec) -> [String] { (subnet.azs ?? network.azs).sorted() }
}

public enum NATMode: String, Sendable, Hashable, CaseIterable {
    case none
    case single
    case perAZ = "per-az"
}

public struct NetworkSpec: Sendable, Hashable {
    public var cidr: CIDRBlock
    /// Sorted alphabetically.
    public var azs: [String]
    public var nat: NATMode
    /// `nil` when flow logs are off.
    public var flowLogRetentionDays: Int?
    public var flowLogsEnabled: Bool
    public var gatewayEndpoints: [String]
    public var interfaceEndpoints: [String]
    /// The subnet set that holds interface endpoints, resolved (default: first private by name).
    public var endpointSubnet: String?
    /// The security group for interface endpoints, `nil` for the one Netloom makes.
    public var endpointSecurityGroup: String?
    public var location: SourceLocation
    public var cidrLocation: SourceLocation
}

public enum SubnetTier: String, Sendable, Hashable, CaseIterable {
    case `public`
    case `private`
    case isolated
}

public enum SubnetSize: Sendable, Hashable, CustomStringConvertible {
    case auto
    case prefix(Int)

    public var description: String {
        switch self {
        case .auto: "auto"
        case .prefix(let length): "/\(length)"
        }
    }
}

public struct SubnetSpec: Sendable, Hashable {
    public var name: String
    public var tier: SubnetTier
    public var size: SubnetSize
    /// `nil` means every AZ of the network.
    public var azs: [String]?
    /// Pinned CIDRs by AZ.
    public var cidrs: [String: CIDRBlock]
    public var location: SourceLocation
    public var cidrLocations: [String: SourceLocation]
}

/// Where a security group rule's traffic comes from or goes to.
public enum RulePeer: Sendable, Hashable, CustomStringConvertible {
    case `self`
    case vpc
    case any
    case securityGroup(String)
    case prefixList(String)
    case cidr(CIDRBlock)

    public var description: String {
        switch self {
        case .self: "self"
        case .vpc: "vpc"
        case .any: "any"
        case .securityGroup(let name): "sg:\(name)"
        case .prefixList(let service): "prefix:\(service)"
        case .cidr(let block): block.description
        }
    }
}

public enum RuleDirection: String, Sendable, Hashable, CaseIterable {
    case ingress
    case egress
}

public struct SecurityGroupRuleSpec: Sendable, Hashable {
    public var direction: RuleDirection
    public var peer: RulePeer
    public var ipProtocol: IPProtocol
    /// `nil` for `all` and `icmp`.
    public var ports: PortRange?
    public var description: String?
    public var location: SourceLocation

    /// Identity from content, never from list position: `efa/egress/all/self`.
    public func key(group: String) -> String { "\(group)/\(keyInGroup)" }

    /// The rule's key within its group: `ingress/tcp/443/sg:web`.
    public var keyInGroup: String {
        var key = "\(direction.rawValue)/\(ipProtocol.rawValue)"
        if let ports { key += "/\(ports)" }
        return key + "/\(peer)"
    }

    /// The rule's resource address: `sg_rule:web/ingress/tcp/443/sg:web`.
    public func address(group: String) -> ResourceAddress { .securityGroupRule(group: group, ruleKey: keyInGroup) }
}

public struct SecurityGroupSpec: Sendable, Hashable {
    public var name: String
    public var description: String
    public var ingress: [SecurityGroupRuleSpec]
    /// AWS's default (all traffic to 0.0.0.0/0) when the spec leaves `egress` out.
    public var egress: [SecurityGroupRuleSpec]
    public var egressIsDefault: Bool
    public var location: SourceLocation
    /// `aws_name`: the group's name in AWS when it is not `<stack>-<name>` (a group made
    /// elsewhere and imported: AWS cannot rename a group).
    public var awsName: String? = nil

    public var rules: [SecurityGroupRuleSpec] { ingress + egress }
}

public enum ACLAction: String, Sendable, Hashable, CaseIterable {
    case allow
    case deny
}

public struct NetworkACLEntrySpec: Sendable, Hashable {
    public var direction: RuleDirection
    public var ruleNumber: Int
    public var action: ACLAction
    public var ipProtocol: IPProtocol
    public var ports: PortRange?
    public var cidr: CIDRBlock
    public var location: SourceLocation
}

public struct NetworkACLSpec: Sendable, Hashable {
    public var name: String
    /// Subnet-set names, sorted.
    public var subnets: [String]
    public var ingress: [NetworkACLEntrySpec]
    public var egress: [NetworkACLEntrySpec]
    public var location: SourceLocation

    public var entries: [NetworkACLEntrySpec] { ingress + egress }
}

public enum Orchestrator: String, Sendable, Hashable, CaseIterable {
    case slurm
    case eks

    /// Seed 003's per-node figures: primary ENI and EFA ENIs, plus pod IPs for EKS.
    public var defaultIPsPerNode: Int {
        switch self {
        case .slurm: 32
        case .eks: 81
        }
    }
}

public enum PlacementStrategy: String, Sendable, Hashable, CaseIterable {
    case cluster
    case none
}

public struct ClusterSpec: Sendable, Hashable {
    public var name: String
    public var orchestrator: Orchestrator
    public var instanceType: String
    public var nodes: Int
    public var subnet: String
    /// Resolved: the given AZ or the alphabetically first AZ of the subnet set.
    public var az: String
    public var placement: PlacementStrategy
    /// A fraction: 25% is 0.25.
    public var headroom: Double
    public var ipsPerNode: Int
    public var securityGroups: [String]
    public var location: SourceLocation

    /// `ceil(nodes × IPs per node × (1 + headroom))`, SPEC.md section 2.
    public var addressDemand: Int {
        let exact = Double(nodes) * Double(ipsPerNode) * (1 + headroom)
        // The epsilon keeps 64 × 81 × 1.25 = 6480.000000001 from rounding up to 6481.
        return Int((exact - 1e-6).rounded(.up))
    }

    public var usesEFA: Bool { InstanceTypes.supportsEFA(instanceType) }
}

public struct RootVolumeSpec: Sendable, Hashable {
    public var sizeGB: Int
    public var type: String
    public var encrypted: Bool
}

public enum AMIReference: Sendable, Hashable, CustomStringConvertible {
    case id(String)
    case ssmParameter(String)

    public var description: String {
        switch self {
        case .id(let id): id
        case .ssmParameter(let path): "ssm:\(path)"
        }
    }
}

public struct InstanceSpec: Sendable, Hashable {
    public var name: String
    public var type: String
    public var ami: AMIReference
    public var subnet: String
    /// `nil`: instances are spread over the subnet set's AZs in alphabetical order.
    public var az: String?
    public var count: Int
    public var securityGroups: [String]
    public var publicIP: Bool
    public var role: String?
    public var rootVolume: RootVolumeSpec
    public var imdsv2Required: Bool
    public var location: SourceLocation
}

/// What the metric of a target-tracking policy is.
public enum ScalingMetric: String, Sendable, Hashable, CaseIterable {
    /// The group's average CPU utilisation, in percent (`ASGAverageCPUUtilization`).
    case cpu
    /// Requests per target per minute counted by an application load balancer (`ALBRequestCountPerTarget`).
    case requestsPerTarget = "requests_per_target"
}

public struct ScalingSpec: Sendable, Hashable {
    public var metric: ScalingMetric
    public var target: Double
    /// For `requests_per_target`: the target group (behind an application load balancer) whose
    /// request count is tracked, and that load balancer; resolved by validation.
    public var targetGroup: String?
    public var loadBalancer: String?
    public var location: SourceLocation
}

/// `autoscaling_groups: NAME`: instances launched from a launch template, spread over every AZ
/// of a subnet set, registered with target groups, sized between `min` and `max` by a policy.
public struct AutoScalingGroupSpec: Sendable, Hashable {
    public var name: String
    /// The launch settings an instance of the spec would have (`count`, `az` and `public_ip` unused).
    public var launch: InstanceSpec
    public var min: Int
    public var max: Int
    /// `nil`: AWS starts the group at `min`. Set at creation only; scaling owns it afterwards.
    public var desired: Int?
    /// Target group names, sorted.
    public var targetGroups: [String]
    public var scale: ScalingSpec?
    public var healthCheckGraceSeconds: Int
    public var location: SourceLocation

    public var type: String { launch.type }
    public var subnet: String { launch.subnet }
    public var securityGroups: [String] { launch.securityGroups }
    /// What the group runs at when nothing has scaled it: `desired`, else `min`.
    public var startingCapacity: Int { desired ?? min }

    /// How many of `max` instances the busiest AZ holds when AWS balances them over `azCount` AZs.
    public static func perAZ(max: Int, azCount: Int) -> Int { azCount == 0 ? max : (max + azCount - 1) / azCount }
}

public struct LifecycleRuleSpec: Sendable, Hashable {
    public var prefix: String
    public var transitionDays: Int?
    public var storageClass: String?
    public var expireDays: Int?
    public var noncurrentTransitionDays: Int?
    public var location: SourceLocation
}

public enum BucketEncryption: String, Sendable, Hashable, CaseIterable {
    case aes256
    case kms
}

public struct BucketSpec: Sendable, Hashable {
    public var name: String
    public var bucketName: String?
    public var versioning: Bool
    /// `nil`: no default encryption configured by the spec.
    public var encryption: BucketEncryption?
    public var publicAccessBlock: Bool
    public var lifecycle: [LifecycleRuleSpec]
    public var folders: [String]
    public var location: SourceLocation
}

public struct PolicyStatementSpec: Sendable, Hashable {
    public var actions: [String]
    public var resources: [String]
    public var location: SourceLocation
}

public struct RoleSpec: Sendable, Hashable {
    public var name: String
    public var assumedBy: String
    public var managedPolicies: [String]
    public var allow: [PolicyStatementSpec]
    public var location: SourceLocation
}

public struct LogGroupSpec: Sendable, Hashable {
    public var name: String
    public var retentionDays: Int?
    public var location: SourceLocation
}

public struct AlarmSpec: Sendable, Hashable {
    public var name: String
    public var instance: String
    public var metric: String
    public var statistic: String
    public var comparison: String
    public var threshold: Double
    public var periodSeconds: Int
    public var evaluationPeriods: Int
    public var location: SourceLocation

    /// CloudWatch's name for the comparison operator.
    public var comparisonOperator: String {
        switch comparison {
        case ">": "GreaterThanThreshold"
        case ">=": "GreaterThanOrEqualToThreshold"
        case "<": "LessThanThreshold"
        default: "LessThanOrEqualToThreshold"
        }
    }
}

public struct ListenerSpec: Sendable, Hashable {
    public var port: Int
    public var `protocol`: String
    public var forward: String
    public var certificateARN: String?
    public var location: SourceLocation
}

public struct LoadBalancerSpec: Sendable, Hashable {
    public var name: String
    public var type: String
    public var scheme: String
    public var subnet: String
    public var securityGroups: [String]
    public var listeners: [ListenerSpec]
    public var location: SourceLocation
    /// `aws_name`: its name in AWS when netloom did not derive it (a balancer made elsewhere).
    public var awsName: String? = nil

    public var isInternetFacing: Bool { scheme == "internet-facing" }
}

public struct HealthCheckSpec: Sendable, Hashable {
    public var path: String?
    public var port: Int?
    public var intervalSeconds: Int
}

public struct TargetGroupSpec: Sendable, Hashable {
    public var name: String
    public var port: Int
    public var `protocol`: String
    public var health: HealthCheckSpec
    /// Instance names (from `instance:NAME`), sorted.
    public var targets: [String]
    public var location: SourceLocation
    /// `aws_name`: its name in AWS when netloom did not derive it (a group made elsewhere).
    public var awsName: String? = nil
}

/// One end of a reachability question (SPEC.md section 3).
public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
    case instance(String)
    case cluster(String)
    case subnet(String)
    case loadBalancer(String)
    case interfaceEndpoint(String)
    case service(String)
    case internet
    case ip(IPv4Address)
    /// `asg:NAME`: the instances of an Auto Scaling group, in every AZ of its subnet set.
    case autoScalingGroup(String)

    public var description: String {
        switch self {
        // Instances and clusters are written as their addresses; a subnet by its set's name (no AZ).
        case .instance(let name): ResourceAddress(.resource(.instance), [name]).description
        case .cluster(let name): ResourceAddress.cluster(name).description
        case .subnet(let name): ResourceAddress(.resource(.subnet), [name]).description
        case .loadBalancer(let name): "lb:\(name)"
        case .interfaceEndpoint(let service): "endpoint:\(service)"
        case .service(let service): "service:\(service)"
        case .internet: "internet"
        case .ip(let address): "ip:\(address)"
        case .autoScalingGroup(let name): "asg:\(name)"
        }
    }
}

public enum Expectation: String, Sendable, Hashable {
    case reachable
    case unreachable
}

public struct AssertionSpec: Sendable, Hashable {
    public var name: String
    public var from: Endpoint
    public var to: Endpoint
    public var ipProtocol: IPProtocol
    public var port: Int?
    public var expect: Expectation
    public var location: SourceLocation
}

public struct UsageSpec: Sendable, Hashable {
    public var natGB: Double
    public var endpointGB: Double
    public var s3GB: Double
    public var logsGB: Double
    public var internetEgressGB: Double
    public var lbLCU: Double
    public var hours: Double
    public var location: SourceLocation?

    public static func defaults(at location: SourceLocation? = nil) -> UsageSpec {
        UsageSpec(natGB: 0, endpointGB: 0, s3GB: 0, logsGB: 0, internetEgressGB: 0, lbLCU: 0, hours: 730, location: location)
    }
}

/// `# netloom:skip=NL-SG-001 reason` on a resource's name line or the comment lines above it.
public struct SkipDirective: Sendable, Hashable {
    public var ruleID: String
    public var reason: String
    /// The map and entry the comment is attached to, e.g. `security_groups` / `ssh`.
    public var section: String
    public var name: String
    public var location: SourceLocation
}
