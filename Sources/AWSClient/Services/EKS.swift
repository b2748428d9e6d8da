import AWSSigV4

/// Amazon EKS over REST-JSON (signing name `eks`, host `eks.<region>.amazonaws.com`): the
/// control plane a HyperPod cluster can be orchestrated by, and its add-ons.
///
/// A missing cluster or add-on is `ResourceNotFoundException` (HTTP 404, read by
/// `AWSError.isNotFound`). moto 5.2.1 has no add-on routes at all: every add-on call gets its
/// HTML 404 page, which reads as `AWSError.isNotImplemented` (not as "not found").
public struct EKS: Sendable {
    public let core: AWSClientCore

    public init(core: AWSClientCore) {
        self.core = core
    }

    private func call(_ action: String, _ method: String, _ path: String, query: [SigV4Request.QueryItem] = [],
                      body: AWSJSON? = nil) async throws -> AWSJSON {
        try await core.restJSONCall(service: .eks, action: action, method: method, path: path, query: query, body: body)
    }

    private static func require(_ value: String?, _ field: String, _ action: String) throws -> String {
        try AWSError.require(value, field: field, service: "eks", action: action)
    }

    private static func segment(_ value: String) -> String { AWSRESTJSONProtocol.pathSegment(value) }

    static func json(_ tags: [AWSTag]) -> AWSJSON {
        .object(Dictionary(tags.map { ($0.key, AWSJSON.string($0.value)) }, uniquingKeysWith: { _, last in last }))
    }

    /// EKS tags are a JSON map; read back sorted.
    static func tags(_ json: AWSJSON) -> [AWSTag] {
        json.object.compactMap { key, value in value.string.map { AWSTag(key, $0) } }.sorted()
    }

    // MARK: Clusters

    public struct VpcConfigRequest: Sendable, Hashable {
        /// At least two, in different Availability Zones.
        public var subnetIDs: [String]
        /// Extra groups for the control plane's interfaces (EKS makes its own cluster group).
        public var securityGroupIDs: [String]
        public var endpointPublicAccess: Bool
        public var endpointPrivateAccess: Bool

        public init(subnetIDs: [String], securityGroupIDs: [String] = [], endpointPublicAccess: Bool = false, endpointPrivateAccess: Bool = true) {
            self.subnetIDs = subnetIDs
            self.securityGroupIDs = securityGroupIDs
            self.endpointPublicAccess = endpointPublicAccess
            self.endpointPrivateAccess = endpointPrivateAccess
        }

        var json: AWSJSON {
            ["subnetIds": .array(subnetIDs.map(AWSJSON.string)), "securityGroupIds": .array(securityGroupIDs.map(AWSJSON.string)),
             "endpointPublicAccess": .bool(endpointPublicAccess), "endpointPrivateAccess": .bool(endpointPrivateAccess)]
        }
    }

    public struct CreateClusterInput: Sendable, Hashable {
        public var name: String
        /// Kubernetes version (`1.31`); nil for EKS's default.
        public var version: String?
        /// The cluster IAM role (trusts `eks.amazonaws.com`).
        public var roleArn: String
        public var vpcConfig: VpcConfigRequest
        /// `API` (access entries only, what HyperPod needs), `API_AND_CONFIG_MAP` or
        /// `CONFIG_MAP`; nil for EKS's default.
        public var authenticationMode: String?
        public var tags: [AWSTag]
        /// Makes a retry return the first call's cluster. moto 5.2.1 stores it and ignores it.
        public var clientRequestToken: String?

        public init(name: String, version: String? = nil, roleArn: String, vpcConfig: VpcConfigRequest, authenticationMode: String? = "API",
                    tags: [AWSTag] = [], clientRequestToken: String? = nil) {
            self.name = name
            self.version = version
            self.roleArn = roleArn
            self.vpcConfig = vpcConfig
            self.authenticationMode = authenticationMode
            self.tags = tags
            self.clientRequestToken = clientRequestToken
        }

        var body: AWSJSON {
            var members: [String: AWSJSON] = ["name": .string(name), "roleArn": .string(roleArn), "resourcesVpcConfig": vpcConfig.json]
            if let version { members["version"] = .string(version) }
            if let authenticationMode { members["accessConfig"] = ["authenticationMode": .string(authenticationMode)] }
            if !tags.isEmpty { members["tags"] = EKS.json(tags) }
            if let clientRequestToken { members["clientRequestToken"] = .string(clientRequestToken) }
            return .object(members)
        }
    }

    public struct VpcConfig: Sendable, Hashable {
        public var subnetIDs: [String]
        public var securityGroupIDs: [String]
        /// The group EKS made for the control plane and managed nodes.
        public var clusterSecurityGroupID: String?
        public var vpcID: String?
        public var endpointPublicAccess: Bool?
        public var endpointPrivateAccess: Bool?
    }

    /// A cluster as EKS reports it. moto 5.2.1 drops `accessConfig` (read as nil) and reports
    /// `ACTIVE` at once; AWS takes about ten minutes from `CREATING`.
    public struct Cluster: Sendable, Hashable {
        public var name: String
        public var arn: String
        /// `CREATING`, `ACTIVE`, `UPDATING`, `DELETING`, `FAILED` or `PENDING`.
        public var status: String
        /// The API server URL; nil until the cluster is active.
        public var endpoint: String?
        public var version: String?
        public var roleArn: String?
        public var vpcConfig: VpcConfig?
        public var authenticationMode: String?
        public var tags: [AWSTag]

        public var isActive: Bool { status == "ACTIVE" }
        public var isFailed: Bool { status == "FAILED" }

        init(json: AWSJSON, action: String) throws {
            guard case .object = json else { throw AWSError.missingField("cluster", service: "eks", action: action) }
            name = try EKS.require(json["name"].string, "cluster name", action)
            arn = try EKS.require(json["arn"].string, "cluster arn", action)
            status = try EKS.require(json["status"].string, "cluster status", action)
            endpoint = json["endpoint"].string
            version = json["version"].string
            roleArn = json["roleArn"].string
            let vpc = json["resourcesVpcConfig"]
            if case .object = vpc {
                vpcConfig = VpcConfig(subnetIDs: vpc["subnetIds"].array.compactMap(\.string), securityGroupIDs: vpc["securityGroupIds"].array.compactMap(\.string),
                                      clusterSecurityGroupID: vpc["clusterSecurityGroupId"].string, vpcID: vpc["vpcId"].string,
                                      endpointPublicAccess: vpc["endpointPublicAccess"].bool, endpointPrivateAccess: vpc["endpointPrivateAccess"].bool)
            }
            authenticationMode = json["accessConfig"]["authenticationMode"].string
            tags = EKS.tags(json["tags"])
        }
    }

    /// Starts creating the control plane (`CREATING`).
    public func createCluster(_ input: CreateClusterInput) async throws -> Cluster {
        try Cluster(json: try await call("CreateCluster", "POST", "/clusters", body: input.body)["cluster"], action: "CreateCluster")
    }

    public func describeCluster(name: String) async throws -> Cluster {
        try Cluster(json: try await call("DescribeCluster", "GET", "/clusters/\(Self.segment(name))")["cluster"], action: "DescribeCluster")
    }

    /// Starts deleting the cluster (`DELETING`); EKS refuses while node groups or Fargate
    /// profiles remain (`ResourceInUseException`).
    public func deleteCluster(name: String) async throws {
        _ = try await call("DeleteCluster", "DELETE", "/clusters/\(Self.segment(name))")
    }

    /// Every cluster name in the region, all pages (`nextToken`; moto 5.2.1 sends "" on the
    /// last page, which ends the paging too).
    public func listClusters() async throws -> [String] {
        try await AWSPaging.collect { token in
            let answer = try await call("ListClusters", "GET", "/clusters", query: token.map { [.init("nextToken", $0)] } ?? [])
            return (answer["clusters"].array.compactMap(\.string), answer["nextToken"].string)
        }
    }

    // MARK: Tags

    /// Adds or overwrites tags on a cluster or add-on, by its ARN (one path segment, every
    /// `:` and `/` percent-encoded).
    public func tagResource(arn: String, tags: [AWSTag]) async throws {
        guard !tags.isEmpty else { return }
        _ = try await call("TagResource", "POST", "/tags/\(Self.segment(arn))", body: .object(["tags": Self.json(tags)]))
    }

    /// Removes the tags with these keys.
    public func untagResource(arn: String, keys: [String]) async throws {
        guard !keys.isEmpty else { return }
        _ = try await call("UntagResource", "DELETE", "/tags/\(Self.segment(arn))", query: keys.sorted().map { .init("tagKeys", $0) })
    }

    // MARK: Add-ons

    public struct CreateAddonInput: Sendable, Hashable {
        public var clusterName: String
        /// `vpc-cni`, `coredns`, `kube-proxy`, `amazon-cloudwatch-observability`, …
        public var addonName: String
        /// Nil for the default version for the cluster's Kubernetes version.
        public var addonVersion: String?
        public var serviceAccountRoleArn: String?
        /// `OVERWRITE`, `NONE` or `PRESERVE`: what happens to fields changed by hand.
        public var resolveConflicts: String?
        public var tags: [AWSTag]
        public var clientRequestToken: String?

        public init(clusterName: String, addonName: String, addonVersion: String? = nil, serviceAccountRoleArn: String? = nil,
                    resolveConflicts: String? = nil, tags: [AWSTag] = [], clientRequestToken: String? = nil) {
            self.clusterName = clusterName
            self.addonName = addonName
            self.addonVersion = addonVersion
            self.serviceAccountRoleArn = serviceAccountRoleArn
            self.resolveConflicts = resolveConflicts
            self.tags = tags
            self.clientRequestToken = clientRequestToken
        }

        var body: AWSJSON {
            var members: [String: AWSJSON] = ["addonName": .string(addonName)]
            if let addonVersion { members["addonVersion"] = .string(addonVersion) }
            if let serviceAccountRoleArn { members["serviceAccountRoleArn"] = .string(serviceAccountRoleArn) }
            if let resolveConflicts { members["resolveConflicts"] = .string(resolveConflicts) }
            if !tags.isEmpty { members["tags"] = EKS.json(tags) }
            if let clientRequestToken { members["clientRequestToken"] = .string(clientRequestToken) }
            return .object(members)
        }
    }

    public struct Addon: Sendable, Hashable {
        public var name: String
        public var clusterName: String
        /// `CREATING`, `ACTIVE`, `CREATE_FAILED`, `UPDATING`, `DELETING`, `DELETE_FAILED`,
        /// `DEGRADED` or `UPDATE_FAILED`.
        public var status: String
        public var version: String?
        public var arn: String?
        public var serviceAccountRoleArn: String?
        /// What EKS says is wrong with it (`code: message`), for a failed or degraded add-on.
        public var healthIssues: [String]
        public var tags: [AWSTag]

        public var isActive: Bool { status == "ACTIVE" }

        init(json: AWSJSON, action: String) throws {
            guard case .object = json else { throw AWSError.missingField("addon", service: "eks", action: action) }
            name = try EKS.require(json["addonName"].string, "addonName", action)
            clusterName = try EKS.require(json["clusterName"].string, "clusterName", action)
            status = try EKS.require(json["status"].string, "addon status", action)
            version = json["addonVersion"].string
            arn = json["addonArn"].string
            serviceAccountRoleArn = json["serviceAccountRoleArn"].string
            healthIssues = json["health"]["issues"].array.map { "\($0["code"].string ?? "?"): \($0["message"].string ?? "")" }
            tags = EKS.tags(json["tags"])
        }
    }

    private static func addonsPath(_ clusterName: String) -> String { "/clusters/\(segment(clusterName))/addons" }

    public func createAddon(_ input: CreateAddonInput) async throws -> Addon {
        try Addon(json: try await call("CreateAddon", "POST", Self.addonsPath(input.clusterName), body: input.body)["addon"], action: "CreateAddon")
    }

    public func describeAddon(clusterName: String, addonName: String) async throws -> Addon {
        try Addon(json: try await call("DescribeAddon", "GET", Self.addonsPath(clusterName) + "/\(Self.segment(addonName))")["addon"],
                  action: "DescribeAddon")
    }

    /// Starts removing the add-on; `preserve` keeps its Kubernetes objects in the cluster.
    public func deleteAddon(clusterName: String, addonName: String, preserve: Bool = false) async throws {
        _ = try await call("DeleteAddon", "DELETE", Self.addonsPath(clusterName) + "/\(Self.segment(addonName))",
                           query: preserve ? [.init("preserve", "true")] : [])
    }

    /// The names of the cluster's add-ons, all pages.
    public func listAddons(clusterName: String) async throws -> [String] {
        try await AWSPaging.collect { token in
            let answer = try await call("ListAddons", "GET", Self.addonsPath(clusterName), query: token.map { [.init("nextToken", $0)] } ?? [])
            return (answer["addons"].array.compactMap(\.string), answer["nextToken"].string)
        }
    }
}
