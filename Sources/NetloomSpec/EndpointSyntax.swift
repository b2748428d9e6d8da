import NetloomModel

/// The syntax of a reachability end, shared by spec assertions and `netloom reach --from/--to`.
public struct EndpointSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension Endpoint {
    public static let kinds = ["instance", "cluster", "fsx", "subnet", "lb", "asg", "endpoint", "service", "ip"]

    /// Parses `instance:NAME`, `cluster:NAME`, `cluster:NAME/GROUP`, `fsx:NAME`, `subnet:NAME`, `lb:NAME`, `asg:NAME`, `endpoint:SERVICE`,
    /// `service:s3`, `internet` or `ip:A.B.C.D`. Names are not resolved here (see `undefinedName(in:)`).
    public static func parse(_ text: String) -> Result<Endpoint, EndpointSyntaxError> {
        if text == "internet" { return .success(.internet) }
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty else {
            return .failure(.init(message: "'\(text.prefix(60))' is not a reachability end: use instance:NAME, cluster:NAME, cluster:NAME/GROUP, fsx:NAME, subnet:NAME, lb:NAME, asg:NAME, endpoint:SERVICE, service:s3, internet or ip:A.B.C.D"))
        }
        let (kind, name) = (parts[0], parts[1])
        switch kind {
        case "instance": return .success(.instance(name))
        case "cluster":
            let pieces = name.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard pieces.count <= 2, pieces.allSatisfy({ !$0.isEmpty }) else {
                return .failure(.init(message: "'\(text.prefix(60))' is not a cluster end: use cluster:NAME or cluster:NAME/GROUP (controller, login or workers)"))
            }
            return .success(pieces.count == 2 ? .clusterGroup(cluster: pieces[0], group: pieces[1]) : .cluster(name))
        case "fsx": return .success(.fileSystem(name))
        case "subnet": return .success(.subnet(name))
        case "lb": return .success(.loadBalancer(name))
        case "asg": return .success(.autoScalingGroup(name))
        case "endpoint": return .success(.interfaceEndpoint(name))
        case "service":
            guard AWSServices.gatewayEndpointServices.contains(name) else {
                return .failure(.init(message: "'\(text.prefix(60))': netloom knows the public ranges of service:s3 and service:dynamodb"))
            }
            return .success(.service(name))
        case "ip":
            guard let address = IPv4Address(name) else { return .failure(.init(message: "'\(name.prefix(40))' is not an IPv4 address")) }
            return .success(.ip(address))
        default:
            return .failure(.init(message: "'\(kind.prefix(40)):' is not a kind of reachability end\(DidYouMean.hint(for: kind, among: kinds)); use \(kinds.map { $0 + ":" }.joined(separator: ", ")) or internet"))
        }
    }

    /// The names this end can refer to in `spec`, and what they are called; `nil` for ends
    /// without a name to resolve.
    func candidates(in spec: StackSpec) -> (what: String, names: [String], name: String)? {
        switch self {
        case .instance(let name): ("instance", spec.instances.map(\.name), name)
        case .cluster(let name), .clusterGroup(let name, _): ("cluster", spec.clusters.map(\.name), name)
        case .fileSystem(let name): ("file system (a cluster with hyperpod.storage.fsx_lustre)", spec.clusters.filter { $0.hyperPod?.fsxLustre != nil }.map(\.name), name)
        case .subnet(let name): ("subnet", spec.subnets.map(\.name), name)
        case .loadBalancer(let name): ("load balancer", spec.loadBalancers.map(\.name), name)
        case .interfaceEndpoint(let name): ("interface endpoint", spec.network.interfaceEndpoints, name)
        case .autoScalingGroup(let name): ("auto scaling group", spec.autoScalingGroups.map(\.name), name)
        case .service, .internet, .ip: nil
        }
    }

    /// A message when the end names something `spec` does not define, with a did-you-mean.
    public func undefinedName(in spec: StackSpec) -> String? {
        if case .clusterGroup(let clusterName, let group) = self, let cluster = spec.cluster(named: clusterName) {
            let groups = cluster.hyperPod == nil ? [] : cluster.nodeGroups.map(\.name)
            guard groups.contains(group) else {
                return groups.isEmpty
                    ? "cluster '\(clusterName.prefix(60))' has no hyperpod: block, so no instance groups; use \(Endpoint.cluster(String(clusterName.prefix(60))))"
                    : "cluster '\(clusterName.prefix(60))' has no instance group '\(group.prefix(40))' (it has \(groups.joined(separator: ", ")))\(DidYouMean.hint(for: group, among: groups))"
            }
            return nil
        }
        guard let (what, names, name) = candidates(in: spec), !names.contains(name) else { return nil }
        let where_ = what == "interface endpoint" ? " in network.endpoints.interface" : ""
        return "\(what) '\(name.prefix(60))' is not defined\(where_)\(DidYouMean.hint(for: name, among: names.sorted()))"
    }
}
