/// Amazon FSx over JSON 1.1 (target prefix `AWSSimbaAPIService_v20180301`, signing name `fsx`):
/// Lustre file systems for training data and checkpoints.
///
/// A missing file system is `FileSystemNotFound` (read by `AWSError.isNotFound`).
public struct FSx: Sendable {
    public let core: AWSClientCore

    public init(core: AWSClientCore) {
        self.core = core
    }

    private func call(_ action: String, _ body: AWSJSON) async throws -> AWSJSON {
        try await core.jsonCall(service: .fsx, action: action, body: body)
    }

    private static func require(_ value: String?, _ field: String, _ action: String) throws -> String {
        try AWSError.require(value, field: field, service: "fsx", action: action)
    }

    // MARK: CreateFileSystem

    public struct LustreConfiguration: Sendable, Hashable {
        /// `PERSISTENT_2` (SSD, throughput per TiB chosen below), `PERSISTENT_1`, `SCRATCH_2`.
        public var deploymentType: String
        /// MB/s per TiB of storage: 125, 250, 500 or 1000 for `PERSISTENT_2`.
        public var perUnitStorageThroughput: Int?
        /// `LZ4` or `NONE`; nil leaves AWS's default (none).
        public var dataCompressionType: String?

        public init(deploymentType: String = "PERSISTENT_2", perUnitStorageThroughput: Int? = nil, dataCompressionType: String? = nil) {
            self.deploymentType = deploymentType
            self.perUnitStorageThroughput = perUnitStorageThroughput
            self.dataCompressionType = dataCompressionType
        }

        var json: AWSJSON {
            ["DeploymentType": .string(deploymentType),
             "PerUnitStorageThroughput": perUnitStorageThroughput.map { .number(Double($0)) } ?? .null,
             "DataCompressionType": dataCompressionType.map(AWSJSON.string) ?? .null]
        }
    }

    public struct CreateLustreFileSystemInput: Sendable, Hashable {
        /// GiB: 1200, 2400, then steps of 2400 for `PERSISTENT_2` at 125/250 MB/s/TiB.
        public var storageCapacity: Int
        /// One subnet: a Lustre file system lives in one Availability Zone.
        public var subnetIDs: [String]
        public var securityGroupIDs: [String]
        public var tags: [AWSTag]
        /// The same token returns the first call's file system instead of making a second one,
        /// which makes a retry safe. At most 63 characters. moto 5.2.1 ignores it.
        public var clientRequestToken: String?
        public var lustre: LustreConfiguration
        /// `SSD` or `HDD`.
        public var storageType: String

        public init(storageCapacity: Int, subnetIDs: [String], securityGroupIDs: [String], tags: [AWSTag] = [], clientRequestToken: String? = nil,
                    lustre: LustreConfiguration = LustreConfiguration(), storageType: String = "SSD") {
            self.storageCapacity = storageCapacity
            self.subnetIDs = subnetIDs
            self.securityGroupIDs = securityGroupIDs
            self.tags = tags
            self.clientRequestToken = clientRequestToken
            self.lustre = lustre
            self.storageType = storageType
        }

        var body: AWSJSON {
            var members: [String: AWSJSON] = [
                "FileSystemType": "LUSTRE", "StorageCapacity": .number(Double(storageCapacity)), "StorageType": .string(storageType),
                "SubnetIds": .array(subnetIDs.map(AWSJSON.string)), "LustreConfiguration": lustre.json,
            ]
            if !securityGroupIDs.isEmpty { members["SecurityGroupIds"] = .array(securityGroupIDs.map(AWSJSON.string)) }
            if !tags.isEmpty { members["Tags"] = FSx.json(tags) }
            if let clientRequestToken { members["ClientRequestToken"] = .string(clientRequestToken) }
            return .object(members)
        }
    }

    /// A file system as FSx reports it. Many members are optional because moto 5.2.1 leaves
    /// them out: it has no `Lifecycle`, `VpcId`, `NetworkInterfaceIds` or `MountName`, and
    /// echoes `LustreConfiguration` as it was sent.
    public struct FileSystem: Sendable, Hashable {
        public var id: String
        /// `LUSTRE`, `WINDOWS`, `ONTAP` or `OPENZFS`.
        public var type: String?
        /// `CREATING`, `AVAILABLE`, `UPDATING`, `DELETING`, `FAILED`, `MISCONFIGURED`…
        public var lifecycle: String?
        public var dnsName: String?
        /// What a Lustre client mounts: `<dnsName>@tcp:/<mountName>`.
        public var mountName: String?
        public var storageCapacity: Int?
        public var storageType: String?
        public var subnetIDs: [String]
        public var securityGroupIDs: [String]
        public var vpcID: String?
        public var networkInterfaceIDs: [String]
        public var deploymentType: String?
        public var perUnitStorageThroughput: Int?
        public var dataCompressionType: String?
        public var arn: String?
        public var tags: [AWSTag]
        /// Why a create failed, when `lifecycle` is `FAILED`.
        public var failureMessage: String?

        public var isAvailable: Bool { lifecycle == "AVAILABLE" }

        init(json: AWSJSON, action: String) throws {
            id = try FSx.require(json["FileSystemId"].string, "FileSystemId", action)
            type = json["FileSystemType"].string
            lifecycle = json["Lifecycle"].string
            dnsName = json["DNSName"].string
            let lustre = json["LustreConfiguration"]
            mountName = lustre["MountName"].string
            deploymentType = lustre["DeploymentType"].string
            perUnitStorageThroughput = lustre["PerUnitStorageThroughput"].int
            dataCompressionType = lustre["DataCompressionType"].string
            storageCapacity = json["StorageCapacity"].int
            storageType = json["StorageType"].string
            subnetIDs = json["SubnetIds"].array.compactMap(\.string)
            // Not part of AWS's FileSystem shape (groups are read from the interfaces); moto
            // 5.2.1 echoes them, so they are kept when present.
            securityGroupIDs = json["SecurityGroupIds"].array.compactMap(\.string)
            vpcID = json["VpcId"].string
            networkInterfaceIDs = json["NetworkInterfaceIds"].array.compactMap(\.string)
            arn = json["ResourceARN"].string
            tags = json["Tags"].array.compactMap { tag in tag["Key"].string.map { AWSTag($0, tag["Value"].string ?? "") } }.sorted()
            failureMessage = json["FailureDetails"]["Message"].string
        }
    }

    /// Starts creating a Lustre file system (`CREATING` for several minutes on AWS).
    public func createLustreFileSystem(_ input: CreateLustreFileSystemInput) async throws -> FileSystem {
        let answer = try await call("CreateFileSystem", input.body)
        guard case .object = answer["FileSystem"] else { throw AWSError.missingField("FileSystem", service: "fsx", action: "CreateFileSystem") }
        return try FileSystem(json: answer["FileSystem"], action: "CreateFileSystem")
    }

    // MARK: DescribeFileSystems, DeleteFileSystem

    /// The file systems with these ids, or every one when `ids` is empty; all pages. AWS
    /// answers `FileSystemNotFound` when an id does not exist; moto 5.2.1 leaves it out of the
    /// list instead, so a caller looking for one id must treat an absent one as not found too.
    public func describeFileSystems(ids: [String] = []) async throws -> [FileSystem] {
        try await AWSPaging.collect { token in
            let answer = try await call("DescribeFileSystems", [
                "FileSystemIds": ids.isEmpty ? .null : .array(ids.map(AWSJSON.string)), "NextToken": token.map(AWSJSON.string) ?? .null,
            ])
            return (try answer["FileSystems"].array.map { try FileSystem(json: $0, action: "DescribeFileSystems") }, answer["NextToken"].string)
        }
    }

    /// Starts deleting the file system; returns its lifecycle (`DELETING`). No final backup
    /// is asked for (for Lustre, `SkipFinalBackup` defaults to true). The token makes a retry
    /// safe. moto 5.2.1 answers an unknown id with an HTML 500 page (not
    /// `FileSystemNotFound`), so a caller should describe before deleting.
    @discardableResult
    public func deleteFileSystem(id: String, clientRequestToken: String? = nil) async throws -> String? {
        let answer = try await call("DeleteFileSystem", [
            "FileSystemId": .string(id), "ClientRequestToken": clientRequestToken.map(AWSJSON.string) ?? .null,
        ])
        return answer["Lifecycle"].string
    }

    // MARK: Tags

    public func tagResource(arn: String, tags: [AWSTag]) async throws {
        _ = try await call("TagResource", ["ResourceARN": .string(arn), "Tags": Self.json(tags)])
    }

    public func untagResource(arn: String, keys: [String]) async throws {
        _ = try await call("UntagResource", ["ResourceARN": .string(arn), "TagKeys": .array(keys.map(AWSJSON.string))])
    }

    /// The resource's tags, sorted, all pages.
    public func listTagsForResource(arn: String) async throws -> [AWSTag] {
        try await AWSPaging.collect { token in
            let answer = try await call("ListTagsForResource", ["ResourceARN": .string(arn), "NextToken": token.map(AWSJSON.string) ?? .null])
            let tags = try answer["Tags"].array.map { tag in
                AWSTag(try Self.require(tag["Key"].string, "Tag Key", "ListTagsForResource"), tag["Value"].string ?? "")
            }
            return (tags, answer["NextToken"].string)
        }.sorted()
    }

    static func json(_ tags: [AWSTag]) -> AWSJSON {
        .array(tags.map { ["Key": .string($0.key), "Value": .string($0.value)] })
    }
}
