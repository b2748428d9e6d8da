/// Amazon SageMaker HyperPod clusters over JSON 1.1 (target prefix `SageMaker`, signing name
/// `sagemaker`, host `api.sagemaker.<region>.amazonaws.com`): clusters of instance groups in a
/// VPC, orchestrated by Slurm (no orchestrator) or by an EKS cluster.
///
/// A missing cluster is `ResourceNotFound` on AWS and `ValidationException` "Could not find
/// cluster" on moto 5.2.1; `AWSError.isNotFound` reads both.
public struct SageMaker: Sendable {
    public let core: AWSClientCore

    public init(core: AWSClientCore) {
        self.core = core
    }

    private func call(_ action: String, _ body: AWSJSON) async throws -> AWSJSON {
        try await core.jsonCall(service: .sageMaker, action: action, body: body)
    }

    private static func require(_ value: String?, _ field: String, _ action: String) throws -> String {
        try AWSError.require(value, field: field, service: "sagemaker", action: action)
    }

    // MARK: Types

    /// The lifecycle scripts every node of a group runs: `onCreate` is a file name inside the
    /// S3 prefix `sourceS3Uri`.
    public struct LifeCycleConfig: Sendable, Hashable {
        public var sourceS3Uri: String
        public var onCreate: String

        public init(sourceS3Uri: String, onCreate: String) {
            self.sourceS3Uri = sourceS3Uri
            self.onCreate = onCreate
        }

        var json: AWSJSON { ["SourceS3Uri": .string(sourceS3Uri), "OnCreate": .string(onCreate)] }

        init?(json: AWSJSON) {
            guard let source = json["SourceS3Uri"].string, let onCreate = json["OnCreate"].string else { return nil }
            self.init(sourceS3Uri: source, onCreate: onCreate)
        }
    }

    /// An extra EBS volume on each node of a group, mounted at `/opt/sagemaker`.
    public struct InstanceStorageConfig: Sendable, Hashable {
        public var ebsVolumeSizeInGB: Int

        public init(ebsVolumeSizeInGB: Int) {
            self.ebsVolumeSizeInGB = ebsVolumeSizeInGB
        }

        var json: AWSJSON { ["EbsVolumeConfig": ["VolumeSizeInGB": .number(Double(ebsVolumeSizeInGB))]] }
    }

    /// One instance group as CreateCluster and UpdateCluster take it. AWS makes `ThreadsPerCore`
    /// optional; moto 5.2.1 needs it, `ExecutionRole` and `LifeCycleConfig` on every group (a
    /// group without one is a server error that leaves a half-made cluster behind), so this
    /// type always sends them.
    public struct InstanceGroupSpecification: Sendable, Hashable {
        public var name: String
        /// `ml.p5.48xlarge`, `ml.c5.xlarge`, … (moto 5.2.1 accepts only a fixed list: p4d, p4de,
        /// p5.48xlarge, trn1, g5, c5, c5n, m5, t3).
        public var instanceType: String
        public var instanceCount: Int
        public var lifeCycleConfig: LifeCycleConfig
        public var executionRole: String
        /// 1 turns hyperthreading off, 2 on.
        public var threadsPerCore: Int
        public var instanceStorageConfigs: [InstanceStorageConfig]

        public init(name: String, instanceType: String, instanceCount: Int, lifeCycleConfig: LifeCycleConfig, executionRole: String,
                    threadsPerCore: Int = 1, instanceStorageConfigs: [InstanceStorageConfig] = []) {
            self.name = name
            self.instanceType = instanceType
            self.instanceCount = instanceCount
            self.lifeCycleConfig = lifeCycleConfig
            self.executionRole = executionRole
            self.threadsPerCore = threadsPerCore
            self.instanceStorageConfigs = instanceStorageConfigs
        }

        var json: AWSJSON {
            var members: [String: AWSJSON] = [
                "InstanceGroupName": .string(name), "InstanceType": .string(instanceType),
                "InstanceCount": .number(Double(instanceCount)), "LifeCycleConfig": lifeCycleConfig.json,
                "ExecutionRole": .string(executionRole), "ThreadsPerCore": .number(Double(threadsPerCore)),
            ]
            if !instanceStorageConfigs.isEmpty { members["InstanceStorageConfigs"] = .array(instanceStorageConfigs.map(\.json)) }
            return .object(members)
        }
    }

    public struct VpcConfig: Sendable, Hashable {
        public var securityGroupIDs: [String]
        public var subnetIDs: [String]

        public init(securityGroupIDs: [String], subnetIDs: [String]) {
            self.securityGroupIDs = securityGroupIDs
            self.subnetIDs = subnetIDs
        }

        var json: AWSJSON {
            ["SecurityGroupIds": .array(securityGroupIDs.map(AWSJSON.string)), "Subnets": .array(subnetIDs.map(AWSJSON.string))]
        }

        init?(json: AWSJSON) {
            guard case .object = json else { return nil }
            self.init(securityGroupIDs: json["SecurityGroupIds"].array.compactMap(\.string), subnetIDs: json["Subnets"].array.compactMap(\.string))
        }
    }

    /// Whether SageMaker replaces a faulty node by itself. AWS's `None` is `.disabled` here:
    /// a case named `none` would be mistaken for `Optional.none` where the value is optional.
    public enum NodeRecovery: String, Sendable, Hashable {
        case automatic = "Automatic"
        case disabled = "None"
    }

    // MARK: CreateCluster

    public struct CreateClusterInput: Sendable, Hashable {
        public var name: String
        public var instanceGroups: [InstanceGroupSpecification]
        /// Nil puts the nodes in SageMaker's own VPC (no access to the caller's network).
        public var vpcConfig: VpcConfig?
        public var tags: [AWSTag]
        /// The EKS cluster that orchestrates the nodes; nil for Slurm.
        public var eksClusterArn: String?
        public var nodeRecovery: NodeRecovery?

        public init(name: String, instanceGroups: [InstanceGroupSpecification], vpcConfig: VpcConfig? = nil, tags: [AWSTag] = [],
                    eksClusterArn: String? = nil, nodeRecovery: NodeRecovery? = nil) {
            self.name = name
            self.instanceGroups = instanceGroups
            self.vpcConfig = vpcConfig
            self.tags = tags
            self.eksClusterArn = eksClusterArn
            self.nodeRecovery = nodeRecovery
        }

        var body: AWSJSON {
            var members: [String: AWSJSON] = ["ClusterName": .string(name), "InstanceGroups": .array(instanceGroups.map(\.json))]
            if let vpcConfig { members["VpcConfig"] = vpcConfig.json }
            if !tags.isEmpty { members["Tags"] = SageMaker.json(tags) }
            if let eksClusterArn { members["Orchestrator"] = ["Eks": ["ClusterArn": .string(eksClusterArn)]] }
            if let nodeRecovery { members["NodeRecovery"] = .string(nodeRecovery.rawValue) }
            return .object(members)
        }
    }

    /// Starts creating a cluster (status `Creating`; moto 5.2.1: `InService` at once); returns
    /// its ARN.
    public func createCluster(_ input: CreateClusterInput) async throws -> String {
        let answer = try await call("CreateCluster", input.body)
        return try Self.require(answer["ClusterArn"].string, "ClusterArn", "CreateCluster")
    }

    // MARK: DescribeCluster

    /// An instance group as DescribeCluster reports it. Everything but the name is optional:
    /// AWS leaves out what does not apply, and moto 5.2.1 echoes only what it was sent.
    public struct InstanceGroup: Sendable, Hashable {
        public var name: String
        public var instanceType: String?
        public var currentCount: Int?
        public var targetCount: Int?
        public var executionRole: String?
        public var threadsPerCore: Int?
        public var lifeCycleConfig: LifeCycleConfig?
        public var instanceStorageVolumeSizesInGB: [Int]

        init(json: AWSJSON, action: String) throws {
            name = try SageMaker.require(json["InstanceGroupName"].string, "InstanceGroupName", action)
            instanceType = json["InstanceType"].string
            currentCount = json["CurrentCount"].int
            targetCount = json["TargetCount"].int
            executionRole = json["ExecutionRole"].string
            threadsPerCore = json["ThreadsPerCore"].int
            lifeCycleConfig = LifeCycleConfig(json: json["LifeCycleConfig"])
            instanceStorageVolumeSizesInGB = json["InstanceStorageConfigs"].array.compactMap { $0["EbsVolumeConfig"]["VolumeSizeInGB"].int }
        }
    }

    public struct Cluster: Sendable, Hashable {
        public var name: String
        public var arn: String
        /// `Creating`, `InService`, `Updating`, `SystemUpdating`, `RollingBack`, `Deleting` or
        /// `Failed`.
        public var status: String
        /// Why the cluster failed; nil (or empty on moto 5.2.1, read here as nil) otherwise.
        public var failureMessage: String?
        public var instanceGroups: [InstanceGroup]
        public var vpcConfig: VpcConfig?
        /// moto 5.2.1 drops `Orchestrator` and `NodeRecovery`: both read as nil there.
        public var eksClusterArn: String?
        public var nodeRecovery: NodeRecovery?

        public var isInService: Bool { status == "InService" }
        public var isFailed: Bool { status == "Failed" }

        init(json: AWSJSON, action: String) throws {
            name = try SageMaker.require(json["ClusterName"].string, "ClusterName", action)
            arn = try SageMaker.require(json["ClusterArn"].string, "ClusterArn", action)
            status = try SageMaker.require(json["ClusterStatus"].string, "ClusterStatus", action)
            failureMessage = json["FailureMessage"].string.flatMap { $0.isEmpty ? nil : $0 }
            instanceGroups = try json["InstanceGroups"].array.map { try InstanceGroup(json: $0, action: action) }
            vpcConfig = VpcConfig(json: json["VpcConfig"])
            eksClusterArn = json["Orchestrator"]["Eks"]["ClusterArn"].string
            nodeRecovery = json["NodeRecovery"].string.flatMap(NodeRecovery.init(rawValue:))
        }
    }

    /// The cluster by name or ARN; a missing one is an error with `isNotFound`.
    public func describeCluster(name: String) async throws -> Cluster {
        try Cluster(json: try await call("DescribeCluster", ["ClusterName": .string(name)]), action: "DescribeCluster")
    }

    // MARK: ListClusterNodes

    public struct ClusterNode: Sendable, Hashable {
        public var instanceID: String
        public var instanceGroupName: String
        public var instanceType: String?
        /// `Running`, `Pending`, `ShuttingDown`, `SystemUpdating`, `DeepHealthCheckInProgress`
        /// or `Failure`.
        public var status: String?
    }

    /// Every node of the cluster, all pages (`NextToken`).
    public func listClusterNodes(clusterName: String) async throws -> [ClusterNode] {
        try await AWSPaging.collect { token in
            let answer = try await call("ListClusterNodes", ["ClusterName": .string(clusterName), "NextToken": token.map(AWSJSON.string) ?? .null])
            let nodes = try answer["ClusterNodeSummaries"].array.map { node in
                ClusterNode(instanceID: try Self.require(node["InstanceId"].string, "InstanceId", "ListClusterNodes"),
                            instanceGroupName: try Self.require(node["InstanceGroupName"].string, "InstanceGroupName", "ListClusterNodes"),
                            instanceType: node["InstanceType"].string, status: node["InstanceStatus"]["Status"].string)
            }
            return (nodes, answer["NextToken"].string)
        }
    }

    // MARK: UpdateCluster, DeleteCluster, ListClusters

    public struct UpdateClusterInput: Sendable, Hashable {
        public var name: String
        /// Every group as it should be (counts, lifecycle scripts, role).
        public var instanceGroups: [InstanceGroupSpecification]
        public var nodeRecovery: NodeRecovery?

        public init(name: String, instanceGroups: [InstanceGroupSpecification], nodeRecovery: NodeRecovery? = nil) {
            self.name = name
            self.instanceGroups = instanceGroups
            self.nodeRecovery = nodeRecovery
        }

        var body: AWSJSON {
            var members: [String: AWSJSON] = ["ClusterName": .string(name), "InstanceGroups": .array(instanceGroups.map(\.json))]
            if let nodeRecovery { members["NodeRecovery"] = .string(nodeRecovery.rawValue) }
            return .object(members)
        }
    }

    /// Changes the groups (status `Updating`); returns the cluster's ARN. moto 5.2.1 does not
    /// implement UpdateCluster (an HTML 500 page): the error's `isNotImplemented` says so.
    public func updateCluster(_ input: UpdateClusterInput) async throws -> String {
        let answer = try await call("UpdateCluster", input.body)
        return try Self.require(answer["ClusterArn"].string, "ClusterArn", "UpdateCluster")
    }

    /// Starts deleting the cluster (status `Deleting`; moto 5.2.1 removes it at once).
    public func deleteCluster(name: String) async throws {
        _ = try await call("DeleteCluster", ["ClusterName": .string(name)])
    }

    public struct ClusterSummary: Sendable, Hashable {
        public var name: String
        public var arn: String
        public var status: String?
    }

    /// Every cluster, all pages; `nameContains` filters on the server.
    public func listClusters(nameContains: String? = nil) async throws -> [ClusterSummary] {
        try await AWSPaging.collect { token in
            let answer = try await call("ListClusters", ["NameContains": nameContains.map(AWSJSON.string) ?? .null,
                                                         "NextToken": token.map(AWSJSON.string) ?? .null])
            let clusters = try answer["ClusterSummaries"].array.map { item in
                ClusterSummary(name: try Self.require(item["ClusterName"].string, "ClusterName", "ListClusters"),
                               arn: try Self.require(item["ClusterArn"].string, "ClusterArn", "ListClusters"),
                               status: item["ClusterStatus"].string)
            }
            return (clusters, answer["NextToken"].string)
        }
    }

    // MARK: Tags

    /// DescribeCluster does not carry tags; they are read by the cluster's ARN.
    public func listTags(arn: String) async throws -> [AWSTag] {
        try await AWSPaging.collect { token in
            let answer = try await call("ListTags", ["ResourceArn": .string(arn), "NextToken": token.map(AWSJSON.string) ?? .null])
            let tags = try answer["Tags"].array.map { tag in
                AWSTag(try Self.require(tag["Key"].string, "Tag Key", "ListTags"), tag["Value"].string ?? "")
            }
            return (tags, answer["NextToken"].string)
        }.sorted()
    }

    /// Adds or overwrites tags (moto 5.2.1 appends, so a repeated key is listed twice there).
    public func addTags(arn: String, tags: [AWSTag]) async throws {
        _ = try await call("AddTags", ["ResourceArn": .string(arn), "Tags": Self.json(tags)])
    }

    public func deleteTags(arn: String, keys: [String]) async throws {
        _ = try await call("DeleteTags", ["ResourceArn": .string(arn), "TagKeys": .array(keys.map(AWSJSON.string))])
    }

    static func json(_ tags: [AWSTag]) -> AWSJSON {
        .array(tags.map { ["Key": .string($0.key), "Value": .string($0.value)] })
    }
}
