/// The address of one resource: `kind:part/part/...`, such as `vpc`, `subnet:private/us-east-1a`,
/// `sg_rule:web/ingress/tcp/443/10.0.0.0/16` or `instance:gpu/2`.
///
/// Addresses are how plans, state, diagnostics and JSON name things, so their text must never
/// change: this type is the one place that prints and parses them. The kind is a `ResourceType`
/// (its raw value is the prefix) or a cluster, which analysis names although AWS has no single
/// resource for it.
///
/// Parts are joined with `/`. Only the last part may itself contain `/` (a CIDR in a rule key,
/// a folder such as `raw/2024/`): parsing splits at most `kind.maximumParts - 1` times, so
/// `parse(print(x)) == x` whenever the earlier parts hold no `/`, which spec validation ensures
/// for every name.
public struct ResourceAddress: Sendable, Hashable, Comparable, CustomStringConvertible, LosslessStringConvertible {
    public enum Kind: Sendable, Hashable {
        case resource(ResourceType)
        /// A HyperPod cluster's node group: it takes addresses and is reached, but is not one AWS resource.
        case cluster

        public var prefix: String {
            switch self {
            case .resource(let type): type.rawValue
            case .cluster: "cluster"
            }
        }

        public init?(prefix: String) {
            if prefix == "cluster" { self = .cluster } else if let type = ResourceType(rawValue: prefix) { self = .resource(type) } else { return nil }
        }

        /// How many `/`-separated parts an address of this kind has at most; the last takes the rest of the text.
        public var maximumParts: Int {
            switch self {
            // `cluster:NAME`, or one of its HyperPod instance groups, `cluster:NAME/GROUP`.
            case .cluster: 2
            case .resource(let type):
                switch type {
                case .vpc, .internetGateway: 0
                case .subnet, .routeTable, .routeTableAssociation, .networkACLAssociation: 2
                case .route: 3
                case .networkACLEntry: 3
                case .elasticIP: 2
                // An interface endpoint's, load balancer's or Auto Scaling group's network interfaces add their AZ.
                case .vpcEndpoint, .loadBalancer, .autoScalingGroup: 2
                case .securityGroupRule, .iamRolePolicyAttachment, .bucketObject, .listener, .targetGroupAttachment: 2
                case .instance, .alarm: 2
                // An add-on is named by its cluster and the add-on's name.
                case .eksAddon: 2
                case .fsxFileSystem, .eksCluster, .hyperPodCluster: 1
                // A record is named by its zone, its name and its type: `dns_record:example.com/api.example.com/A`.
                case .dnsRecord: 3
                case .hostedZone, .certificate, .certificateValidation: 1
                case .natGateway, .securityGroup, .networkACL, .logGroup, .iamRole, .iamRolePolicy, .iamInstanceProfile, .flowLog,
                     .placementGroup, .bucket, .bucketVersioning, .bucketEncryption, .bucketPublicAccessBlock, .bucketLifecycle, .targetGroup,
                     .launchTemplate, .scalingPolicy:
                    1
                }
            }
        }
    }

    public let kind: Kind
    public let parts: [String]

    /// An address from its parts; `parts` must not exceed `kind.maximumParts`.
    public init(_ kind: Kind, _ parts: [String]) {
        precondition(parts.count <= kind.maximumParts, "\(kind.prefix) addresses have at most \(kind.maximumParts) parts, not \(parts)")
        self.kind = kind
        self.parts = parts
    }

    public init(_ type: ResourceType, _ parts: String...) { self.init(.resource(type), parts) }

    /// Reads `kind:part/part`; `nil` when the prefix names no kind or there are parts where the kind has none.
    public init?(parsing text: String) {
        let prefix: Substring, rest: Substring?
        if let colon = text.firstIndex(of: ":") {
            prefix = text[..<colon]
            rest = text[text.index(after: colon)...]
        } else {
            prefix = Substring(text)
            rest = nil
        }
        guard let kind = Kind(prefix: String(prefix)) else { return nil }
        guard let rest else { self.init(kind, []); return }
        guard kind.maximumParts > 0 else { return nil }
        self.init(kind, rest.split(separator: "/", maxSplits: kind.maximumParts - 1, omittingEmptySubsequences: false).map(String.init))
    }

    public init?(_ description: String) { self.init(parsing: description) }

    public var description: String {
        parts.isEmpty ? kind.prefix : kind.prefix + ":" + parts.joined(separator: "/")
    }

    /// The resource type, or `nil` for a cluster.
    public var type: ResourceType? { if case .resource(let type) = kind { type } else { nil } }

    /// The first part: the name the spec gave (`web` in `sg_rule:web/ingress/...`), or `""` for `vpc`.
    public var name: String { parts.first ?? "" }

    /// Everything after `kind:`: `private/us-east-1a` for a subnet.
    public var path: String { parts.joined(separator: "/") }

    /// The same address with one more part, such as a load balancer's interface in one AZ.
    public func appending(_ part: String) -> ResourceAddress { ResourceAddress(kind, parts + [part]) }

    /// Whether this address belongs to `type` (`load_balancer:web` is a load balancer).
    public func isKind(_ type: ResourceType) -> Bool { kind == .resource(type) }

    public static func < (lhs: ResourceAddress, rhs: ResourceAddress) -> Bool { lhs.description < rhs.description }
}

// MARK: one constructor per kind in use

extension ResourceAddress {
    /// The name a cost line or finding uses for "all resources of this kind" (`nat_gateway:*`).
    public static func all(_ type: ResourceType) -> ResourceAddress { ResourceAddress(type, "*") }

    public static let vpc = ResourceAddress(.vpc)
    public static let internetGateway = ResourceAddress(.internetGateway)

    public static func subnet(_ key: SubnetKey) -> ResourceAddress { ResourceAddress(.subnet, key.subnet, key.az) }
    public static func routeTable(_ key: SubnetKey) -> ResourceAddress { ResourceAddress(.routeTable, key.subnet, key.az) }
    /// The one route table every isolated subnet shares: their routes are the same (the VPC and
    /// the gateway endpoints), and a table per subnet would spend the VPC's quota of 200 tables.
    public static let isolatedRouteTable = ResourceAddress(.routeTable, "isolated")
    public static func routeTableAssociation(_ key: SubnetKey) -> ResourceAddress { ResourceAddress(.routeTableAssociation, key.subnet, key.az) }
    public static func route(_ key: SubnetKey, destination: CIDRBlock) -> ResourceAddress {
        ResourceAddress(.route, key.subnet, key.az, destination.description)
    }
    public static func natElasticIP(az: String) -> ResourceAddress { ResourceAddress(.elasticIP, "nat", az) }
    public static func natGateway(az: String) -> ResourceAddress { ResourceAddress(.natGateway, az) }
    /// A VPC endpoint by service (`s3`, `ssm`); with no service, the endpoints as one owner of addresses.
    public static func vpcEndpoint(_ service: String) -> ResourceAddress { ResourceAddress(.vpcEndpoint, service) }
    public static let vpcEndpoints = ResourceAddress(.vpcEndpoint)
    public static func securityGroup(_ name: String) -> ResourceAddress { ResourceAddress(.securityGroup, name) }
    /// `ruleKey` is the rule's key within its group (`ingress/tcp/443/10.0.0.0/16`).
    public static func securityGroupRule(group: String, ruleKey: String) -> ResourceAddress { ResourceAddress(.securityGroupRule, group, ruleKey) }
    public static func networkACL(_ name: String) -> ResourceAddress { ResourceAddress(.networkACL, name) }
    public static func networkACLEntry(acl: String, direction: String, ruleNumber: Int) -> ResourceAddress {
        ResourceAddress(.networkACLEntry, acl, direction, String(ruleNumber))
    }
    public static func networkACLAssociation(_ key: SubnetKey) -> ResourceAddress { ResourceAddress(.networkACLAssociation, key.subnet, key.az) }
    public static func logGroup(_ name: String) -> ResourceAddress { ResourceAddress(.logGroup, name) }
    public static func iamRole(_ name: String) -> ResourceAddress { ResourceAddress(.iamRole, name) }
    public static func iamRolePolicy(_ role: String) -> ResourceAddress { ResourceAddress(.iamRolePolicy, role) }
    /// `policy` is a managed policy's name or ARN; the address keeps its last path component.
    public static func iamRolePolicyAttachment(role: String, policy: String) -> ResourceAddress {
        ResourceAddress(.iamRolePolicyAttachment, role, String(policy.split(separator: "/").last ?? Substring(policy)))
    }
    public static func iamInstanceProfile(_ role: String) -> ResourceAddress { ResourceAddress(.iamInstanceProfile, role) }
    public static func flowLog(_ name: String) -> ResourceAddress { ResourceAddress(.flowLog, name) }
    public static func placementGroup(_ cluster: String) -> ResourceAddress { ResourceAddress(.placementGroup, cluster) }
    /// An instance; `index` only when the spec asks for more than one (`instance:gpu/2`).
    public static func instance(_ name: String, index: Int? = nil) -> ResourceAddress {
        index.map { ResourceAddress(.instance, name, String($0)) } ?? ResourceAddress(.instance, name)
    }
    public static func bucket(_ name: String) -> ResourceAddress { ResourceAddress(.bucket, name) }
    public static func bucketVersioning(_ bucket: String) -> ResourceAddress { ResourceAddress(.bucketVersioning, bucket) }
    public static func bucketEncryption(_ bucket: String) -> ResourceAddress { ResourceAddress(.bucketEncryption, bucket) }
    public static func bucketPublicAccessBlock(_ bucket: String) -> ResourceAddress { ResourceAddress(.bucketPublicAccessBlock, bucket) }
    public static func bucketLifecycle(_ bucket: String) -> ResourceAddress { ResourceAddress(.bucketLifecycle, bucket) }
    public static func bucketObject(bucket: String, key: String) -> ResourceAddress { ResourceAddress(.bucketObject, bucket, key) }
    /// An alarm; `index` only when its instance is one of several (`alarm:cpu/0`).
    public static func alarm(_ name: String, index: Int? = nil) -> ResourceAddress {
        index.map { ResourceAddress(.alarm, name, String($0)) } ?? ResourceAddress(.alarm, name)
    }
    public static func targetGroup(_ name: String) -> ResourceAddress { ResourceAddress(.targetGroup, name) }
    public static func targetGroupAttachment(group: String, target: ResourceAddress) -> ResourceAddress {
        ResourceAddress(.targetGroupAttachment, group, target.description)
    }
    public static func loadBalancer(_ name: String) -> ResourceAddress { ResourceAddress(.loadBalancer, name) }
    public static func listener(loadBalancer: String, port: Int) -> ResourceAddress { ResourceAddress(.listener, loadBalancer, String(port)) }
    /// A hosted zone by the spec's name for it, which is its DNS name (`hosted_zone:example.com`).
    public static func hostedZone(_ name: String) -> ResourceAddress { ResourceAddress(.hostedZone, name) }
    public static func certificate(_ name: String) -> ResourceAddress { ResourceAddress(.certificate, name) }
    public static func certificateValidation(_ certificate: String) -> ResourceAddress { ResourceAddress(.certificateValidation, certificate) }
    /// A record set; `name` is the full DNS name without the trailing dot.
    public static func dnsRecord(zone: String, name: String, type: String) -> ResourceAddress { ResourceAddress(.dnsRecord, zone, name, type) }
    public static func cluster(_ name: String) -> ResourceAddress { ResourceAddress(.cluster, [name]) }
    /// One HyperPod instance group of a cluster: `cluster:gpu/controller`.
    public static func clusterGroup(_ cluster: String, _ group: String) -> ResourceAddress { ResourceAddress(.cluster, [cluster, group]) }
    /// The SageMaker HyperPod cluster netloom creates for a spec cluster with `hyperpod:`.
    public static func hyperPodCluster(_ cluster: String) -> ResourceAddress { ResourceAddress(.hyperPodCluster, cluster) }
    /// The FSx for Lustre file system of a HyperPod cluster (`storage.fsx_lustre`).
    public static func fsxFileSystem(_ cluster: String) -> ResourceAddress { ResourceAddress(.fsxFileSystem, cluster) }
    /// The EKS control plane of a HyperPod cluster with `orchestrator: eks`.
    public static func eksCluster(_ cluster: String) -> ResourceAddress { ResourceAddress(.eksCluster, cluster) }
    public static func eksAddon(cluster: String, addon: String) -> ResourceAddress { ResourceAddress(.eksAddon, cluster, addon) }
    /// The launch template an Auto Scaling group launches from (one per group, named like it).
    public static func launchTemplate(_ group: String) -> ResourceAddress { ResourceAddress(.launchTemplate, group) }
    public static func autoScalingGroup(_ name: String) -> ResourceAddress { ResourceAddress(.autoScalingGroup, name) }
    /// A group's target-tracking policy (one per group).
    public static func scalingPolicy(_ group: String) -> ResourceAddress { ResourceAddress(.scalingPolicy, group) }
    /// The instances of an Auto Scaling group in one AZ, as analysis sees them: `autoscaling_group:api/us-east-1a`.
    public static func autoScalingInstances(group: String, az: String) -> ResourceAddress { ResourceAddress(.autoScalingGroup, group).appending(az) }
}
