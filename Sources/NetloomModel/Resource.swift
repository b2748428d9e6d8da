/// The kinds of AWS resource Netloom manages. The raw value is the address prefix.
public enum ResourceType: String, Sendable, Hashable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    case vpc
    case internetGateway = "internet_gateway"
    case subnet
    case routeTable = "route_table"
    case route
    case routeTableAssociation = "route_table_association"
    case elasticIP = "eip"
    case natGateway = "nat_gateway"
    case vpcEndpoint = "vpc_endpoint"
    case securityGroup = "security_group"
    case securityGroupRule = "sg_rule"
    case networkACL = "network_acl"
    case networkACLEntry = "network_acl_entry"
    case networkACLAssociation = "network_acl_association"
    case logGroup = "log_group"
    case iamRole = "iam_role"
    case iamRolePolicy = "iam_role_policy"
    case iamRolePolicyAttachment = "iam_role_policy_attachment"
    case iamInstanceProfile = "iam_instance_profile"
    case flowLog = "flow_log"
    case placementGroup = "placement_group"
    case instance
    case bucket
    case bucketVersioning = "bucket_versioning"
    case bucketEncryption = "bucket_encryption"
    case bucketPublicAccessBlock = "bucket_public_access_block"
    case bucketLifecycle = "bucket_lifecycle"
    case bucketObject = "bucket_object"
    case alarm
    case targetGroup = "target_group"
    case loadBalancer = "load_balancer"
    case listener
    case targetGroupAttachment = "target_group_attachment"
    // HyperPod clusters (a cluster with `hyperpod:`): appended so the existing order is kept.
    case fsxFileSystem = "fsx_file_system"
    case eksCluster = "eks_cluster"
    case eksAddon = "eks_addon"
    case hyperPodCluster = "hyperpod_cluster"
    /// A Route 53 hosted zone netloom owns (an `existing: true` zone is only looked up).
    case hostedZone = "hosted_zone"
    /// An ACM public certificate, validated through DNS.
    case certificate
    /// The DNS validation of a certificate: its CNAME records in the zone, and the wait for
    /// `ISSUED` that every listener using the certificate stands on.
    case certificateValidation = "certificate_validation"
    /// A Route 53 record set: an alias to a load balancer or a plain record.
    case dnsRecord = "dns_record"
    case launchTemplate = "launch_template"
    case autoScalingGroup = "autoscaling_group"
    case scalingPolicy = "scaling_policy"

    public var description: String { rawValue }

    /// Declaration order is a sensible reading order (network first, then what lives in it).
    public static func < (lhs: ResourceType, rhs: ResourceType) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One AWS resource after expansion, with a stable address that never depends on list order.
public struct Resource: Sendable, Hashable, Codable {
    public var address: String
    public var type: ResourceType
    public var properties: [String: PropertyValue]
    /// Addresses this resource needs to exist first, sorted.
    public var dependsOn: [String]
    /// The spec line that owns the resource, where there is one.
    public var location: SourceLocation?
    /// For a name netloom derives (property key -> the name an earlier netloom derived): a
    /// resource found in AWS under that name keeps it rather than being replaced.
    public var previousNames: [String: String] = [:]

    public init(address: String, type: ResourceType, properties: [String: PropertyValue],
                dependsOn: [String] = [], location: SourceLocation? = nil) {
        self.address = address
        self.type = type
        self.properties = properties
        self.dependsOn = Array(Set(dependsOn)).sorted()
        self.location = location
    }

    enum CodingKeys: String, CodingKey {
        case address, type, properties
        case dependsOn = "depends_on"
        case location
    }
}

/// The resources of one stack, keyed by address, in a dependency-respecting order.
public struct ResourceGraph: Sendable, Hashable {
    /// Topological order: every resource comes after the ones it depends on; ties by type, then address.
    public let resources: [Resource]
    private let indexByAddress: [String: Int]

    public enum GraphError: Error, Sendable, Equatable, CustomStringConvertible {
        case duplicateAddress(String)
        case missingDependency(address: String, dependency: String)
        case cycle([String])

        public var description: String {
            switch self {
            case .duplicateAddress(let address): "two resources share the address '\(address)'"
            case .missingDependency(let address, let dependency): "'\(address)' depends on '\(dependency)', which is not in the graph"
            case .cycle(let addresses): "dependency cycle among: \(addresses.joined(separator: ", "))"
            }
        }
    }

    public init(_ unordered: [Resource]) throws(GraphError) {
        var byAddress: [String: Resource] = [:]
        byAddress.reserveCapacity(unordered.count)
        for resource in unordered {
            guard byAddress.updateValue(resource, forKey: resource.address) == nil else {
                throw .duplicateAddress(resource.address)
            }
        }
        var pending: [String: Int] = [:]
        var dependents: [String: [String]] = [:]
        for resource in unordered {
            for dependency in resource.dependsOn {
                guard byAddress[dependency] != nil else {
                    throw .missingDependency(address: resource.address, dependency: dependency)
                }
                dependents[dependency, default: []].append(resource.address)
            }
            pending[resource.address] = resource.dependsOn.count
        }
        // Kahn's algorithm; taking the ready resources from a min-heap keeps the order deterministic.
        var ordered: [Resource] = []
        ordered.reserveCapacity(unordered.count)
        var heap = AddressHeap(unordered.filter { $0.dependsOn.isEmpty }.map { ($0.type, $0.address) })
        while let (_, next) = heap.pop() {
            ordered.append(byAddress[next]!)
            for dependent in dependents[next] ?? [] {
                pending[dependent]! -= 1
                if pending[dependent] == 0 { heap.push((byAddress[dependent]!.type, dependent)) }
            }
        }
        guard ordered.count == unordered.count else {
            throw .cycle(pending.filter { $0.value > 0 }.map(\.key).sorted())
        }
        resources = ordered
        var index: [String: Int] = [:]
        index.reserveCapacity(ordered.count)
        for (position, resource) in ordered.enumerated() { index[resource.address] = position }
        indexByAddress = index
    }

    public subscript(address: String) -> Resource? {
        indexByAddress[address].map { resources[$0] }
    }

    public var count: Int { resources.count }

    public func resources(of type: ResourceType) -> [Resource] { resources.filter { $0.type == type } }
}

/// A binary min-heap of (type, address) so topological ordering stays O(n log n) for big stacks.
struct AddressHeap {
    private var items: [(ResourceType, String)]

    init(_ initial: [(ResourceType, String)]) {
        items = []
        items.reserveCapacity(initial.count)
        for item in initial { push(item) }
    }

    private static func less(_ a: (ResourceType, String), _ b: (ResourceType, String)) -> Bool {
        a.0 != b.0 ? a.0 < b.0 : a.1 < b.1
    }

    mutating func push(_ item: (ResourceType, String)) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.less(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (ResourceType, String)? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count, Self.less(items[left], items[smallest]) { smallest = left }
            if right < items.count, Self.less(items[right], items[smallest]) { smallest = right }
            if smallest == parent { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
