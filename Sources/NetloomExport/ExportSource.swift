import NetloomModel
import NetloomPlanning

/// What an export is made from: the stack as `netloom expand` plans it (so the subnet CIDRs
/// and derived names are netloom's own), and the clusters whose `VpcConfig` `netloom output`
/// prints.
public struct ExportSource: Sendable {
    public var stack: String
    public var region: String
    public var resources: [Resource]
    /// Each HyperPod cluster's subnet and security groups, by address, for the outputs.
    public var clusters: [(name: String, subnet: String, securityGroups: [String])]

    public init(_ expanded: ExpandedStack) {
        stack = expanded.spec.stack
        region = expanded.spec.region
        resources = expanded.graph.resources
        clusters = expanded.spec.clusters.map { cluster in
            (cluster.name, ResourceAddress.subnet(SubnetKey(subnet: cluster.subnet, az: cluster.az)).description,
             cluster.securityGroups.map { ResourceAddress.securityGroup($0).description })
        }
    }

    /// The resources in `netloom output`'s groups, keyed by the address without its type, as
    /// `netloom output` prints them.
    func outputs(of type: ResourceType) -> [(key: String, address: String)] {
        resources.filter { $0.type == type }.map { resource in
            (ResourceAddress(parsing: resource.address)?.path ?? resource.address, resource.address)
        }.sorted { $0.key < $1.key }
    }
}

extension PropertyValue {
    /// `ref:ADDRESS` values this value holds, in lists and maps too.
    var referencedAddresses: [String] {
        switch self {
        case .string: reference.map { [$0.description] } ?? []
        case .list(let items): items.flatMap(\.referencedAddresses)
        case .map(let members): members.values.flatMap(\.referencedAddresses)
        default: []
        }
    }
}

/// Where netloom writes the AWS account id into a value (a bucket name, an ARN in a policy).
let accountIDPlaceholder = "${account_id}"

extension ExportSource {
    /// A source from resources alone (what a test or another tool holds), with clusters for the
    /// HyperPod outputs when there are any.
    public init(stack: String, region: String, resources: [Resource], clusters: [(name: String, subnet: String, securityGroups: [String])] = []) {
        self.stack = stack
        self.region = region
        self.resources = resources
        self.clusters = clusters
    }
}
