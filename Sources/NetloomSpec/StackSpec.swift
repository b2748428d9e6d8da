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
    /// `zones:`, sorted by name (the zone's DNS name).
    public var zones: [ZoneSpec] = []
    /// `certificates:`, sorted by name.
    public var certificates: [CertificateSpec] = []
    /// `records:`, sorted by zone, name and type.
    public var records: [RecordSpec] = []
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
    public func zone(named name: String) -> ZoneSpec? { zones.first { $0.name == name } }
    public func certificate(named name: String) -> CertificateSpec? { certificates.first { $0.name == name } }

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
    /// `hyperpod:`: netloom creates the SageMaker HyperPod cluster itself. `nil`: only its network, as before.
    public var hyperPod: HyperPodSpec? = nil
    /// `eks:`: the EKS control plane of an `orchestrator: eks` cluster with `hyperpod:`.
    public var eks: EKSControlPlaneSpec? = nil

    /// `ceil(nodes × IPs per node × (1 + headroom))`, SPEC.md section 2; with `hyperpod:`, the
    /// nodes are every group's (controller, login and workers), plus the file system's interfaces.
    public var addressDemand: Int { nodeAddressDemand + fileSystemInterfaces }

    /// The addresses the cluster takes in its own subnet and AZ: its nodes, and its file
    /// system's interfaces when the file system is in the same AZ.
    public var addressDemandInOwnAZ: Int { nodeAddressDemand + fileSystemInterfacesInOwnAZ }

    /// The file system's interfaces that sit in the cluster's AZ: all of them, or none when
    /// `storage.fsx_lustre.az` puts the file system in another AZ.
    public var fileSystemInterfacesInOwnAZ: Int { fileSystemAZ == az ? fileSystemInterfaces : 0 }

    /// The AZ of the cluster's file system: its `az:`, or the cluster's own.
    public var fileSystemAZ: String? {
        guard let fsx = hyperPod?.fsxLustre else { return nil }
        return fsx.az ?? az
    }

    /// The instance groups of a HyperPod cluster, controller and login first; for a cluster
    /// without `hyperpod:`, its nodes as one group named `workers`.
    public var nodeGroups: [(name: String, instanceType: String, count: Int)] {
        var groups: [(name: String, instanceType: String, count: Int)] = []
        if let controller = hyperPod?.controller { groups.append((HyperPodSpec.controllerGroup, controller.instanceType, controller.count)) }
        if let login = hyperPod?.login { groups.append((HyperPodSpec.loginGroup, login.instanceType, login.count)) }
        groups.append((HyperPodSpec.workerGroup, instanceType, nodes))
        return groups
    }

    /// The addresses of the nodes alone: `ceil(all nodes × IPs per node × (1 + headroom))`.
    public var nodeAddressDemand: Int {
        let exact = Double(totalNodes) * Double(ipsPerNode) * (1 + headroom)
        // The epsilon keeps 64 × 81 × 1.25 = 6480.000000001 from rounding up to 6481.
        return Int((exact - 1e-6).rounded(.up))
    }

    /// Workers, plus the HyperPod controller and login nodes.
    public var totalNodes: Int { nodes + (hyperPod?.controller?.count ?? 0) + (hyperPod?.login?.count ?? 0) }

    /// The network interfaces of the cluster's FSx for Lustre file system, which live in the
    /// cluster's subnet: netloom reserves one per 2,400 GiB storage unit (at least one) and one
    /// more for the metadata server, an estimate since FSx does not publish the count.
    public var fileSystemInterfaces: Int {
        guard let fsx = hyperPod?.fsxLustre else { return 0 }
        return max(1, (fsx.capacityGiB + 2399) / 2400) + 1
    }

    public var usesEFA: Bool { InstanceTypes.supportsEFA(instanceType) }
}

/// One HyperPod instance group other than the workers: the Slurm controller or the login nodes.
public struct HyperPodGroupSpec: Sendable, Hashable {
    public var instanceType: String
    public var count: Int
    public var location: SourceLocation
}

public enum NodeRecovery: String, Sendable, Hashable, CaseIterable {
    case automatic
    case none

    /// SageMaker's spelling in CreateCluster.
    public var awsValue: String { self == .automatic ? "Automatic" : "None" }
}

/// A file of the lifecycle scripts HyperPod runs on every node, uploaded to the lifecycle bucket.
public struct LifecycleFile: Sendable, Hashable {
    /// The object key below the cluster's prefix: the path relative to the `lifecycle:` directory.
    public var key: String
    public var content: String
}

/// `storage.fsx_lustre`: an FSx for Lustre PERSISTENT_2 file system beside the cluster.
public struct FSxLustreSpec: Sendable, Hashable {
    public var capacityGiB: Int
    public var throughputMBPerTiB: Int
    /// `az:` as written; `nil`: the cluster's AZ (see `ClusterSpec.fileSystemAZ`).
    public var az: String? = nil
    public var location: SourceLocation

    /// PERSISTENT_2 throughput tiers, MB/s per TiB.
    public static let throughputTiers = [125, 250, 500, 1000]

    /// PERSISTENT_2: 1,200 GiB or a multiple of 2,400 GiB (and FSx's largest is 2,400 × 1,000).
    public static func capacityProblem(_ gib: Int) -> String? {
        if gib == 1200 || (gib > 0 && gib % 2400 == 0 && gib <= 2_400_000) { return nil }
        return "must be 1200 or a multiple of 2400 GiB (FSx for Lustre PERSISTENT_2), found \(gib)"
    }
}

public struct HyperPodSpec: Sendable, Hashable {
    /// Slurm: required; EKS: `nil` (EKS is its own controller).
    public var controller: HyperPodGroupSpec?
    public var login: HyperPodGroupSpec?
    public var threadsPerCore: Int
    public var nodeRecovery: NodeRecovery
    /// `lifecycle:` as written, relative to the spec file; `nil`: netloom's generated scripts.
    public var lifecycleDirectory: String?
    /// The files of `lifecycle:` (sorted by key), read when the spec loads; empty without it.
    public var lifecycleFiles: [LifecycleFile]
    /// `lifecycle_bucket:` as given; `nil`: netloom derives `sagemaker-<stack>-...`.
    public var lifecycleBucket: String?
    public var fsxLustre: FSxLustreSpec?
    public var location: SourceLocation

    /// The script HyperPod runs when a node is created (`LifeCycleConfig.OnCreate`).
    public static let onCreateScript = "on_create.sh"
    /// The names of the instance groups netloom creates (SageMaker: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$).
    public static let controllerGroup = "controller"
    public static let loginGroup = "login"
    public static let workerGroup = "workers"
}

public struct EKSControlPlaneSpec: Sendable, Hashable {
    /// Kubernetes version, such as "1.31".
    public var version: String
    /// A subnet set in at least two AZs.
    public var subnets: String
    public var location: SourceLocation

    /// The add-ons netloom installs on the control plane, by EKS name.
    public static let addons = ["coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]
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
    /// The target group the listener forwards to; `nil` for a redirect listener.
    public var forward: String?
    public var certificateARN: String?
    public var location: SourceLocation
    /// `certificate:`: a certificate of the spec's `certificates:` (instead of `certificate_arn`).
    public var certificate: String? = nil
    /// The TLS policy of an HTTPS or TLS listener (the default when the spec gives none); `nil` otherwise.
    public var sslPolicy: String? = nil
    /// `redirect: https`: the listener only answers 301 to HTTPS on port 443.
    public var redirectsToHTTPS: Bool = false

    /// The TLS policy HTTPS and TLS listeners get when the spec names none: TLS 1.3 and 1.2 only.
    public static let defaultSSLPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    /// What the listener does with a request, as diagrams write it: the target group's name, or `redirect https`.
    public var actionLabel: String { forward ?? "redirect https" }
    public var usesTLS: Bool { ["HTTPS", "TLS"].contains(`protocol`.uppercased()) }
}

/// `zones:`: a Route 53 hosted zone, named by its DNS name (`example.com`).
public struct ZoneSpec: Sendable, Hashable {
    public var name: String
    /// Associated with the stack's VPC and answered only inside it.
    public var isPrivate: Bool
    /// Made elsewhere: looked up by name, never created or deleted (only netloom's records in it are).
    public var existing: Bool
    public var location: SourceLocation
}

/// `certificates:`: an ACM public certificate validated through DNS in one of the spec's zones.
public struct CertificateSpec: Sendable, Hashable {
    public var name: String
    public var domain: String
    public var zone: String
    /// Sorted, without the domain itself.
    public var alternativeNames: [String]
    public var location: SourceLocation

    /// The domain and every alternative name.
    public var names: [String] { [domain] + alternativeNames }

    /// Whether the certificate's names cover `host`: equal, or a `*.` name matching exactly one
    /// more label (`*.example.com` covers `api.example.com`, not `a.b.example.com` nor `example.com`).
    public func covers(_ host: String) -> Bool {
        let host = host.lowercased()
        return names.contains { name in
            let name = name.lowercased()
            if name == host { return true }
            guard name.hasPrefix("*.") else { return false }
            let suffix = name.dropFirst(1)
            guard host.hasSuffix(suffix) else { return false }
            let label = host.dropLast(suffix.count)
            return !label.isEmpty && !label.contains(".")
        }
    }
}

/// `records:`: a record set in one of the spec's zones: an alias to a load balancer, or a
/// plain record with its type, values and TTL.
public struct RecordSpec: Sendable, Hashable {
    /// The full DNS name, lowercased, without the trailing dot.
    public var name: String
    public var zone: String
    /// `A` for an alias.
    public var type: String
    /// The load balancer of an alias record (`lb:NAME`).
    public var aliasLoadBalancer: String?
    public var values: [String]
    public var ttl: Int?
    public var location: SourceLocation

    public var address: ResourceAddress { .dnsRecord(zone: zone, name: name, type: type) }
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
    /// One instance group of a HyperPod cluster: `cluster:NAME/controller`, `/login` or `/workers`.
    case clusterGroup(cluster: String, group: String)
    /// The FSx for Lustre file system of a HyperPod cluster, named by the cluster: `fsx:NAME`.
    case fileSystem(String)
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
        case .clusterGroup(let cluster, let group): ResourceAddress.clusterGroup(cluster, group).description
        case .fileSystem(let name): "fsx:\(name)"
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
    /// `dns_queries_m`: millions of DNS queries a month to the spec's plain records.
    public var dnsQueriesMillions: Double = 0

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
