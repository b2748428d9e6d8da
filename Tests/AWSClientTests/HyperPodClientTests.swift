import AWSClient
import AWSSigV4
import Foundation
import Testing

/// The clients for HyperPod (SageMaker clusters, FSx for Lustre, EKS over REST-JSON): what each
/// call sends, how it reads a realistic answer, and how errors read (not found, not
/// implemented, a missing required field).
@Suite struct HyperPodClientTests {
    static func header(_ request: AWSHTTPRequest?, _ name: String) -> String? {
        request?.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    static func json(_ request: AWSHTTPRequest?) -> AWSJSON {
        AWSJSON.parse(request?.body ?? []) ?? .null
    }

    static func restJSON(_ status: Int, _ body: String, errorType: String? = nil) -> FakeTransport.Step {
        var headers = ["content-type": "application/json"]
        if let errorType { headers["x-amzn-errortype"] = errorType }
        return .respond(AWSHTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
    }

    static let group = SageMaker.InstanceGroupSpecification(
        name: "workers", instanceType: "ml.p5.48xlarge", instanceCount: 2,
        lifeCycleConfig: .init(sourceS3Uri: "s3://sagemaker-lifecycle-dev/scripts/", onCreate: "on_create.sh"),
        executionRole: "arn:aws:iam::123456789012:role/hyperpod-exec", threadsPerCore: 1,
        instanceStorageConfigs: [.init(ebsVolumeSizeInGB: 500)])

    // MARK: Endpoints

    @Test("SageMaker, FSx and EKS resolve to their AWS hosts and signing names; AWS_ENDPOINT_URL_<SERVICE> overrides each")
    func endpoints() throws {
        let aws = AWSEndpointResolver(environment: [:])
        #expect(try aws.endpoint(for: .sageMaker, region: "us-west-2").host == "api.sagemaker.us-west-2.amazonaws.com")
        #expect(try aws.endpoint(for: .fsx, region: "us-west-2").host == "fsx.us-west-2.amazonaws.com")
        #expect(try aws.endpoint(for: .eks, region: "us-west-2").host == "eks.us-west-2.amazonaws.com")
        #expect(AWSService.sageMaker.signingName == "sagemaker")
        #expect(AWSService.fsx.signingName == "fsx")
        #expect(AWSService.eks.signingName == "eks")
        let specific = AWSEndpointResolver(environment: ["AWS_ENDPOINT_URL_SAGEMAKER": "http://sm:1", "AWS_ENDPOINT_URL_FSX": "http://fsx:2",
                                                         "AWS_ENDPOINT_URL_EKS": "http://eks:3"])
        #expect(try specific.endpoint(for: .sageMaker, region: "us-west-2").host == "sm")
        #expect(try specific.endpoint(for: .fsx, region: "us-west-2").host == "fsx")
        #expect(try specific.endpoint(for: .eks, region: "us-west-2").host == "eks")
    }

    // MARK: SageMaker

    @Test("CreateCluster sends every group with its lifecycle scripts, role, threads and storage, the VPC, tags, EKS orchestrator and node recovery")
    func createCluster() async throws {
        let transport = FakeTransport([FakeTransport.json(200, #"{"ClusterArn":"arn:aws:sagemaker:eu-west-1:123456789012:cluster/abc123"}"#)])
        let arn = try await SageMaker(core: Fixture.core(transport)).createCluster(.init(
            name: "train", instanceGroups: [Self.group], vpcConfig: .init(securityGroupIDs: ["sg-1"], subnetIDs: ["subnet-a"]),
            tags: [AWSTag("netloom:stack", "dev")], eksClusterArn: "arn:aws:eks:eu-west-1:123456789012:cluster/orchestrator",
            nodeRecovery: .automatic))
        #expect(arn == "arn:aws:sagemaker:eu-west-1:123456789012:cluster/abc123")
        let request = await transport.requests.first
        #expect(request?.method == "POST")
        #expect(request?.url == "https://api.sagemaker.eu-west-1.amazonaws.com/")
        #expect(Self.header(request, "X-Amz-Target") == "SageMaker.CreateCluster")
        #expect(Self.header(request, "Content-Type") == "application/x-amz-json-1.1")
        #expect(Self.header(request, "Authorization")?.contains("/eu-west-1/sagemaker/aws4_request") == true)
        let body = Self.json(request)
        #expect(body["ClusterName"] == "train")
        #expect(body["InstanceGroups"] == [[
            "InstanceGroupName": "workers", "InstanceType": "ml.p5.48xlarge", "InstanceCount": 2,
            "LifeCycleConfig": ["SourceS3Uri": "s3://sagemaker-lifecycle-dev/scripts/", "OnCreate": "on_create.sh"],
            "ExecutionRole": "arn:aws:iam::123456789012:role/hyperpod-exec", "ThreadsPerCore": 1,
            "InstanceStorageConfigs": [["EbsVolumeConfig": ["VolumeSizeInGB": 500]]],
        ]])
        #expect(body["VpcConfig"] == ["SecurityGroupIds": ["sg-1"], "Subnets": ["subnet-a"]])
        #expect(body["Tags"] == [["Key": "netloom:stack", "Value": "dev"]])
        #expect(body["Orchestrator"] == ["Eks": ["ClusterArn": "arn:aws:eks:eu-west-1:123456789012:cluster/orchestrator"]])
        #expect(body["NodeRecovery"] == "Automatic")
    }

    @Test("CreateCluster for Slurm sends no Orchestrator, NodeRecovery or storage; an answer without ClusterArn is an invalid answer")
    func createSlurmCluster() async throws {
        let transport = FakeTransport([FakeTransport.json(200, "{}")])
        var group = Self.group
        group.instanceStorageConfigs = []
        let error = await #expect(throws: AWSError.self) {
            try await SageMaker(core: Fixture.core(transport)).createCluster(.init(name: "slurm", instanceGroups: [group]))
        }
        #expect(error?.kind == .invalidAnswer)
        let body = Self.json(await transport.requests.first)
        #expect(Set(body.object.keys) == ["ClusterName", "InstanceGroups"])
        #expect(body["InstanceGroups"].array.first?["InstanceStorageConfigs"] == .null)
    }

    @Test("DescribeCluster reads status, groups with counts, VPC, orchestrator and node recovery; moto's empty FailureMessage reads as none")
    func describeCluster() async throws {
        let answer = """
            {"ClusterArn":"arn:aws:sagemaker:eu-west-1:1:cluster/abc","ClusterName":"train","ClusterStatus":"Creating","FailureMessage":"",
            "CreationTime":1.7e9,"InstanceGroups":[{"InstanceGroupName":"workers","InstanceType":"ml.p5.48xlarge","CurrentCount":0,"TargetCount":2,
            "ExecutionRole":"arn:aws:iam::1:role/exec","ThreadsPerCore":1,"LifeCycleConfig":{"SourceS3Uri":"s3://sagemaker-x/","OnCreate":"on_create.sh"},
            "InstanceStorageConfigs":[{"EbsVolumeConfig":{"VolumeSizeInGB":500}}]}],
            "VpcConfig":{"SecurityGroupIds":["sg-1"],"Subnets":["subnet-a"]},"Orchestrator":{"Eks":{"ClusterArn":"arn:aws:eks:eu-west-1:1:cluster/k"}},
            "NodeRecovery":"None"}
            """
        let transport = FakeTransport([FakeTransport.json(200, answer)])
        let cluster = try await SageMaker(core: Fixture.core(transport)).describeCluster(name: "train")
        #expect(Self.json(await transport.requests.first) == ["ClusterName": "train"])
        #expect(Self.header(await transport.requests.first, "X-Amz-Target") == "SageMaker.DescribeCluster")
        #expect(cluster.name == "train")
        #expect(cluster.status == "Creating")
        #expect(!cluster.isInService)
        #expect(cluster.failureMessage == nil)
        let group = try #require(cluster.instanceGroups.first)
        #expect(group.name == "workers")
        #expect(group.instanceType == "ml.p5.48xlarge")
        #expect(group.currentCount == 0)
        #expect(group.targetCount == 2)
        #expect(group.executionRole == "arn:aws:iam::1:role/exec")
        #expect(group.threadsPerCore == 1)
        #expect(group.lifeCycleConfig == .init(sourceS3Uri: "s3://sagemaker-x/", onCreate: "on_create.sh"))
        #expect(group.instanceStorageVolumeSizesInGB == [500])
        #expect(cluster.vpcConfig == .init(securityGroupIDs: ["sg-1"], subnetIDs: ["subnet-a"]))
        #expect(cluster.eksClusterArn == "arn:aws:eks:eu-west-1:1:cluster/k")
        #expect(cluster.nodeRecovery == SageMaker.NodeRecovery.disabled)

        let noStatus = FakeTransport([FakeTransport.json(200, #"{"ClusterArn":"a","ClusterName":"train"}"#)])
        let error = await #expect(throws: AWSError.self) { try await SageMaker(core: Fixture.core(noStatus)).describeCluster(name: "train") }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.message.contains("ClusterStatus") == true)
    }

    @Test("a missing cluster is not found both as AWS says it (ResourceNotFound) and as moto does (ValidationException 'Could not find cluster')")
    func clusterNotFound() async throws {
        let aws = FakeTransport([FakeTransport.json(400, #"{"__type":"ResourceNotFound","Message":"Cluster not found"}"#)])
        let awsError = await #expect(throws: AWSError.self) { try await SageMaker(core: Fixture.core(aws)).describeCluster(name: "gone") }
        #expect(awsError?.isNotFound == true)
        let moto = FakeTransport([FakeTransport.json(400, #"{"__type":"ValidationException","Message":"Could not find cluster 'gone'."}"#)])
        let motoError = await #expect(throws: AWSError.self) { try await SageMaker(core: Fixture.core(moto)).deleteCluster(name: "gone") }
        #expect(motoError?.isNotFound == true)
        // Any other validation error is the caller's mistake, not a missing cluster.
        let invalid = FakeTransport([FakeTransport.json(400, #"{"__type":"ValidationException","Message":"Value 'ml.x' at 'InstanceType' failed"}"#)])
        let invalidError = await #expect(throws: AWSError.self) { try await SageMaker(core: Fixture.core(invalid)).describeCluster(name: "x") }
        #expect(invalidError?.isNotFound == false)
    }

    @Test("ListClusterNodes and ListClusters follow NextToken over every page")
    func listNodesAndClusters() async throws {
        let transport = FakeTransport([
            FakeTransport.json(200, """
                {"ClusterNodeSummaries":[{"InstanceGroupName":"workers","InstanceId":"i-1","InstanceType":"ml.p5.48xlarge",
                "InstanceStatus":{"Status":"Running","Message":""}}],"NextToken":"page2"}
                """),
            FakeTransport.json(200, #"{"ClusterNodeSummaries":[{"InstanceGroupName":"workers","InstanceId":"i-2","InstanceStatus":{"Status":"Pending"}}]}"#),
            FakeTransport.json(200, #"{"ClusterSummaries":[{"ClusterName":"train","ClusterArn":"arn:c/1","ClusterStatus":"InService"}],"NextToken":""}"#),
        ])
        let sageMaker = SageMaker(core: Fixture.core(transport))
        let nodes = try await sageMaker.listClusterNodes(clusterName: "train")
        #expect(nodes.map(\.instanceID) == ["i-1", "i-2"])
        #expect(nodes.map(\.status) == ["Running", "Pending"])
        #expect(nodes.first?.instanceType == "ml.p5.48xlarge")
        #expect(nodes.last?.instanceType == nil)
        let clusters = try await sageMaker.listClusters(nameContains: "tra")
        #expect(clusters.map(\.name) == ["train"])
        #expect(clusters.first?.status == "InService")
        let requests = await transport.requests
        #expect(Self.json(requests[0]) == ["ClusterName": "train"])
        #expect(Self.json(requests[1]) == ["ClusterName": "train", "NextToken": "page2"])
        #expect(Self.header(requests[2], "X-Amz-Target") == "SageMaker.ListClusters")
        #expect(Self.json(requests[2]) == ["NameContains": "tra"])
    }

    @Test("UpdateCluster sends the groups and node recovery; moto's HTML 500 for it reads as not implemented")
    func updateCluster() async throws {
        let transport = FakeTransport([FakeTransport.json(200, #"{"ClusterArn":"arn:c/1"}"#)])
        let arn = try await SageMaker(core: Fixture.core(transport)).updateCluster(.init(name: "train", instanceGroups: [Self.group], nodeRecovery: .disabled))
        #expect(arn == "arn:c/1")
        let body = Self.json(await transport.requests.first)
        #expect(body["NodeRecovery"] == "None")
        #expect(body["InstanceGroups"].array.first?["InstanceCount"] == 2)

        let moto = FakeTransport([FakeTransport.html(500, "<!doctype html><html><title>500 Internal Server Error</title></html>")])
        let error = await #expect(throws: AWSError.self) {
            try await SageMaker(core: Fixture.core(moto)).updateCluster(.init(name: "train", instanceGroups: [Self.group]))
        }
        #expect(error?.isNotImplemented == true)
        #expect(await moto.requests.count == 3)
    }

    @Test("cluster tags are read with ListTags over every page and written with AddTags")
    func clusterTags() async throws {
        let transport = FakeTransport([
            FakeTransport.json(200, "{}"),
            FakeTransport.json(200, #"{"Tags":[{"Key":"b","Value":"2"}],"NextToken":"t"}"#),
            FakeTransport.json(200, #"{"Tags":[{"Key":"a","Value":"1"}]}"#),
        ])
        let sageMaker = SageMaker(core: Fixture.core(transport))
        try await sageMaker.addTags(arn: "arn:c/1", tags: [AWSTag("a", "1")])
        #expect(try await sageMaker.listTags(arn: "arn:c/1") == [AWSTag("a", "1"), AWSTag("b", "2")])
        let requests = await transport.requests
        #expect(Self.header(requests[0], "X-Amz-Target") == "SageMaker.AddTags")
        #expect(Self.json(requests[0]) == ["ResourceArn": "arn:c/1", "Tags": [["Key": "a", "Value": "1"]]])
        #expect(Self.json(requests[2]) == ["ResourceArn": "arn:c/1", "NextToken": "t"])
    }

    // MARK: FSx

    @Test("CreateFileSystem asks for a PERSISTENT_2 Lustre file system with token, subnets, groups, tags and throughput, and reads what AWS returns")
    func createFileSystem() async throws {
        let answer = """
            {"FileSystem":{"FileSystemId":"fs-0123","FileSystemType":"LUSTRE","Lifecycle":"CREATING","StorageCapacity":1200,"StorageType":"SSD",
            "VpcId":"vpc-1","SubnetIds":["subnet-a"],"NetworkInterfaceIds":["eni-1","eni-2"],"DNSName":"fs-0123.fsx.eu-west-1.amazonaws.com",
            "ResourceARN":"arn:aws:fsx:eu-west-1:1:file-system/fs-0123","Tags":[{"Key":"netloom:stack","Value":"dev"}],
            "LustreConfiguration":{"DeploymentType":"PERSISTENT_2","PerUnitStorageThroughput":250,"MountName":"abcdefgh","DataCompressionType":"LZ4"}}}
            """
        let transport = FakeTransport([FakeTransport.json(200, answer)])
        let fileSystem = try await FSx(core: Fixture.core(transport)).createLustreFileSystem(.init(
            storageCapacity: 1200, subnetIDs: ["subnet-a"], securityGroupIDs: ["sg-1"], tags: [AWSTag("netloom:stack", "dev")],
            clientRequestToken: "netloom-run1", lustre: .init(perUnitStorageThroughput: 250, dataCompressionType: "LZ4")))
        let request = await transport.requests.first
        #expect(request?.url == "https://fsx.eu-west-1.amazonaws.com/")
        #expect(Self.header(request, "X-Amz-Target") == "AWSSimbaAPIService_v20180301.CreateFileSystem")
        #expect(Self.header(request, "Authorization")?.contains("/eu-west-1/fsx/aws4_request") == true)
        #expect(Self.json(request) == [
            "FileSystemType": "LUSTRE", "StorageCapacity": 1200, "StorageType": "SSD", "SubnetIds": ["subnet-a"], "SecurityGroupIds": ["sg-1"],
            "Tags": [["Key": "netloom:stack", "Value": "dev"]], "ClientRequestToken": "netloom-run1",
            "LustreConfiguration": ["DeploymentType": "PERSISTENT_2", "PerUnitStorageThroughput": 250, "DataCompressionType": "LZ4"],
        ])
        #expect(fileSystem.id == "fs-0123")
        #expect(fileSystem.lifecycle == "CREATING")
        #expect(!fileSystem.isAvailable)
        #expect(fileSystem.dnsName == "fs-0123.fsx.eu-west-1.amazonaws.com")
        #expect(fileSystem.mountName == "abcdefgh")
        #expect(fileSystem.vpcID == "vpc-1")
        #expect(fileSystem.networkInterfaceIDs == ["eni-1", "eni-2"])
        #expect(fileSystem.storageCapacity == 1200)
        #expect(fileSystem.perUnitStorageThroughput == 250)
        #expect(fileSystem.deploymentType == "PERSISTENT_2")
        #expect(fileSystem.tags == [AWSTag("netloom:stack", "dev")])

        let noID = FakeTransport([FakeTransport.json(200, #"{"FileSystem":{"Lifecycle":"CREATING"}}"#)])
        let error = await #expect(throws: AWSError.self) {
            try await FSx(core: Fixture.core(noID)).createLustreFileSystem(.init(storageCapacity: 1200, subnetIDs: ["s"], securityGroupIDs: []))
        }
        #expect(error?.kind == .invalidAnswer)
    }

    @Test("DescribeFileSystems sends the ids and follows NextToken; FileSystemNotFound is not found; DeleteFileSystem sends id and token")
    func describeAndDeleteFileSystems() async throws {
        let transport = FakeTransport([
            FakeTransport.json(200, #"{"FileSystems":[{"FileSystemId":"fs-1","Lifecycle":"AVAILABLE"}],"NextToken":"n"}"#),
            FakeTransport.json(200, #"{"FileSystems":[{"FileSystemId":"fs-2","Lifecycle":"FAILED","FailureDetails":{"Message":"no capacity"}}]}"#),
            FakeTransport.json(400, #"{"__type":"FileSystemNotFound","Message":"File system 'fs-9' does not exist."}"#),
            FakeTransport.json(200, #"{"FileSystemId":"fs-1","Lifecycle":"DELETING"}"#),
        ])
        let fsx = FSx(core: Fixture.core(transport))
        let systems = try await fsx.describeFileSystems(ids: ["fs-1", "fs-2"])
        #expect(systems.map(\.id) == ["fs-1", "fs-2"])
        #expect(systems.first?.isAvailable == true)
        #expect(systems.last?.failureMessage == "no capacity")
        let missing = await #expect(throws: AWSError.self) { try await fsx.describeFileSystems(ids: ["fs-9"]) }
        #expect(missing?.isNotFound == true)
        #expect(try await fsx.deleteFileSystem(id: "fs-1", clientRequestToken: "netloom-del1") == "DELETING")
        let requests = await transport.requests
        #expect(Self.json(requests[0]) == ["FileSystemIds": ["fs-1", "fs-2"]])
        #expect(Self.json(requests[1]) == ["FileSystemIds": ["fs-1", "fs-2"], "NextToken": "n"])
        #expect(Self.header(requests[3], "X-Amz-Target") == "AWSSimbaAPIService_v20180301.DeleteFileSystem")
        #expect(Self.json(requests[3]) == ["FileSystemId": "fs-1", "ClientRequestToken": "netloom-del1"])
    }

    // MARK: EKS (REST-JSON)

    @Test("EKS CreateCluster POSTs /clusters with a JSON body: name, version, role, VPC config, API authentication, tags and token")
    func createEKSCluster() async throws {
        let answer = """
            {"cluster":{"name":"orchestrator","arn":"arn:aws:eks:eu-west-1:1:cluster/orchestrator","status":"CREATING","version":"1.31",
            "roleArn":"arn:aws:iam::1:role/eks","resourcesVpcConfig":{"subnetIds":["subnet-a","subnet-b"],"securityGroupIds":["sg-1"],
            "clusterSecurityGroupId":"sg-eks","vpcId":"vpc-1","endpointPublicAccess":false,"endpointPrivateAccess":true},
            "accessConfig":{"authenticationMode":"API"},"tags":{"netloom:stack":"dev"}}}
            """
        let transport = FakeTransport([Self.restJSON(200, answer)])
        let cluster = try await EKS(core: Fixture.core(transport)).createCluster(.init(
            name: "orchestrator", version: "1.31", roleArn: "arn:aws:iam::1:role/eks",
            vpcConfig: .init(subnetIDs: ["subnet-a", "subnet-b"], securityGroupIDs: ["sg-1"]),
            tags: [AWSTag("netloom:stack", "dev")], clientRequestToken: "netloom-run1"))
        let request = await transport.requests.first
        #expect(request?.method == "POST")
        #expect(request?.url == "https://eks.eu-west-1.amazonaws.com/clusters")
        #expect(Self.header(request, "Content-Type") == "application/json")
        #expect(Self.header(request, "X-Amz-Target") == nil)
        #expect(Self.header(request, "Authorization")?.contains("/eu-west-1/eks/aws4_request") == true)
        #expect(Self.json(request) == [
            "name": "orchestrator", "version": "1.31", "roleArn": "arn:aws:iam::1:role/eks",
            "resourcesVpcConfig": ["subnetIds": ["subnet-a", "subnet-b"], "securityGroupIds": ["sg-1"],
                                   "endpointPublicAccess": false, "endpointPrivateAccess": true],
            "accessConfig": ["authenticationMode": "API"], "tags": ["netloom:stack": "dev"], "clientRequestToken": "netloom-run1",
        ])
        #expect(cluster.status == "CREATING")
        #expect(!cluster.isActive)
        #expect(cluster.endpoint == nil)
        #expect(cluster.vpcConfig?.clusterSecurityGroupID == "sg-eks")
        #expect(cluster.vpcConfig?.endpointPublicAccess == false)
        #expect(cluster.authenticationMode == "API")
        #expect(cluster.tags == [AWSTag("netloom:stack", "dev")])
    }

    @Test("EKS DescribeCluster GETs /clusters/{name} with no body, the name encoded as one segment; DeleteCluster uses DELETE")
    func describeAndDeleteEKSCluster() async throws {
        let answer = #"{"cluster":{"name":"a b","arn":"arn:e/1","status":"ACTIVE","endpoint":"https://ABC.gr7.eu-west-1.eks.amazonaws.com"}}"#
        let transport = FakeTransport([Self.restJSON(200, answer), Self.restJSON(200, answer)])
        let eks = EKS(core: Fixture.core(transport))
        let cluster = try await eks.describeCluster(name: "a b")
        #expect(cluster.isActive)
        #expect(cluster.endpoint == "https://ABC.gr7.eu-west-1.eks.amazonaws.com")
        #expect(cluster.authenticationMode == nil)
        try await eks.deleteCluster(name: "a b")
        let requests = await transport.requests
        #expect(requests[0].method == "GET")
        #expect(requests[0].url == "https://eks.eu-west-1.amazonaws.com/clusters/a%20b")
        #expect(requests[0].body.isEmpty)
        #expect(Self.header(requests[0], "Content-Type") == nil)
        #expect(requests[1].method == "DELETE")
        #expect(requests[1].url == "https://eks.eu-west-1.amazonaws.com/clusters/a%20b")
    }

    @Test("EKS ListClusters follows nextToken in the query until an empty one")
    func listEKSClusters() async throws {
        let transport = FakeTransport([
            Self.restJSON(200, #"{"clusters":["a"],"nextToken":"t/2"}"#),
            Self.restJSON(200, #"{"clusters":["b"],"nextToken":""}"#),
        ])
        #expect(try await EKS(core: Fixture.core(transport)).listClusters() == ["a", "b"])
        let requests = await transport.requests
        #expect(requests[0].url == "https://eks.eu-west-1.amazonaws.com/clusters")
        #expect(requests[1].url == "https://eks.eu-west-1.amazonaws.com/clusters?nextToken=t%2F2")
    }

    @Test("EKS tags: TagResource posts the map to /tags/<ARN as one segment>, UntagResource deletes with one tagKeys per key; nothing to do sends nothing")
    func eksTags() async throws {
        let transport = FakeTransport([Self.restJSON(200, "{}"), Self.restJSON(200, "{}")])
        let eks = EKS(core: Fixture.core(transport))
        let arn = "arn:aws:eks:eu-west-1:123456789012:cluster/k"
        try await eks.tagResource(arn: arn, tags: [AWSTag("team", "ml")])
        try await eks.untagResource(arn: arn, keys: ["b", "a"])
        try await eks.tagResource(arn: arn, tags: [])
        try await eks.untagResource(arn: arn, keys: [])
        let requests = await transport.requests
        #expect(requests.count == 2)
        #expect(requests[0].method == "POST")
        #expect(requests[0].url == "https://eks.eu-west-1.amazonaws.com/tags/arn%3Aaws%3Aeks%3Aeu-west-1%3A123456789012%3Acluster%2Fk")
        #expect(Self.json(requests[0]) == ["tags": ["team": "ml"]])
        #expect(requests[1].method == "DELETE")
        #expect(requests[1].url == "https://eks.eu-west-1.amazonaws.com/tags/arn%3Aaws%3Aeks%3Aeu-west-1%3A123456789012%3Acluster%2Fk?tagKeys=a&tagKeys=b")
    }

    @Test("EKS errors: the x-amzn-ErrorType header names the code (AWS's with its URL suffix, moto's bare), the body's message the text")
    func eksErrors() async throws {
        let aws = FakeTransport([Self.restJSON(404, #"{"message":"No cluster found for name: gone."}"#,
                                               errorType: "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.eks/")])
        let notFound = await #expect(throws: AWSError.self) { try await EKS(core: Fixture.core(aws)).describeCluster(name: "gone") }
        #expect(notFound?.code == "ResourceNotFoundException")
        #expect(notFound?.message == "No cluster found for name: gone.")
        #expect(notFound?.isNotFound == true)
        #expect(notFound?.isNotImplemented == false)

        // moto: the header, and a body of every member it knows with `message` among them.
        let moto = FakeTransport([Self.restJSON(409, #"{"clusterName":null,"message":"Cluster already exists with name: k"}"#,
                                                errorType: "ResourceInUseException")])
        let inUse = await #expect(throws: AWSError.self) {
            try await EKS(core: Fixture.core(moto)).createCluster(.init(name: "k", roleArn: "arn:r", vpcConfig: .init(subnetIDs: ["s"])))
        }
        #expect(inUse?.code == "ResourceInUseException")
        #expect(inUse?.kind == .client)
        #expect(inUse?.isNotFound == false)

        // Without the header, the body's code.
        let bodyOnly = FakeTransport([Self.restJSON(400, #"{"code":"InvalidParameterException","message":"bad role"}"#)])
        let invalid = await #expect(throws: AWSError.self) { try await EKS(core: Fixture.core(bodyOnly)).describeCluster(name: "k") }
        #expect(invalid?.code == "InvalidParameterException")
        #expect(invalid?.message == "bad role")

        let throttled = FakeTransport([Self.restJSON(429, #"{"message":"Rate exceeded"}"#, errorType: "ThrottlingException")])
        let throttling = await #expect(throws: AWSError.self) {
            try await EKS(core: Fixture.core(throttled, maxAttempts: 2)).describeCluster(name: "k")
        }
        #expect(throttling?.kind == .throttling)
        #expect(await throttled.requests.count == 2)

        // An answer in another protocol's dress (a Query-style XML error) is named as not JSON.
        let foreign = FakeTransport([Self.restJSON(400, "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>")])
        let misdressed = await #expect(throws: AWSError.self) { try await EKS(core: Fixture.core(foreign)).listClusters() }
        #expect(misdressed?.description.contains("a body that is not JSON (status 400, starts \"<ErrorResponse>") == true)
        #expect(misdressed?.kind == .client)
    }

    @Test("EKS add-on calls send the right method, path and body; moto's HTML 404 for them reads as not implemented, not as not found")
    func addons() async throws {
        let addon = #"{"addon":{"addonName":"vpc-cni","clusterName":"k","status":"CREATING","addonVersion":"v1.19.0-eksbuild.1","tags":{}}}"#
        let transport = FakeTransport([
            Self.restJSON(200, addon),
            Self.restJSON(200, #"{"addon":{"addonName":"vpc-cni","clusterName":"k","status":"DEGRADED","health":{"issues":[{"code":"InsufficientNumberOfReplicas","message":"0 of 2"}]}}}"#),
            Self.restJSON(200, #"{"addons":["vpc-cni","coredns"]}"#),
            Self.restJSON(200, addon),
        ])
        let eks = EKS(core: Fixture.core(transport))
        let created = try await eks.createAddon(.init(clusterName: "k", addonName: "vpc-cni", resolveConflicts: "OVERWRITE", clientRequestToken: "t1"))
        #expect(created.status == "CREATING")
        #expect(created.version == "v1.19.0-eksbuild.1")
        let described = try await eks.describeAddon(clusterName: "k", addonName: "vpc-cni")
        #expect(described.healthIssues == ["InsufficientNumberOfReplicas: 0 of 2"])
        #expect(try await eks.listAddons(clusterName: "k") == ["vpc-cni", "coredns"])
        try await eks.deleteAddon(clusterName: "k", addonName: "vpc-cni", preserve: true)
        let requests = await transport.requests
        #expect(requests.map(\.method) == ["POST", "GET", "GET", "DELETE"])
        #expect(requests.map(\.url) == [
            "https://eks.eu-west-1.amazonaws.com/clusters/k/addons", "https://eks.eu-west-1.amazonaws.com/clusters/k/addons/vpc-cni",
            "https://eks.eu-west-1.amazonaws.com/clusters/k/addons", "https://eks.eu-west-1.amazonaws.com/clusters/k/addons/vpc-cni?preserve=true",
        ])
        #expect(Self.json(requests[0]) == ["addonName": "vpc-cni", "resolveConflicts": "OVERWRITE", "clientRequestToken": "t1"])

        let moto = FakeTransport([FakeTransport.html(404, "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>")])
        let error = await #expect(throws: AWSError.self) { try await EKS(core: Fixture.core(moto)).createAddon(.init(clusterName: "k", addonName: "vpc-cni")) }
        #expect(error?.isNotImplemented == true)
        #expect(error?.isNotFound == false)
        #expect(error?.action == "CreateAddon")
        #expect(error?.description.contains("404 Not Found") == true)
        #expect(await moto.requests.count == 1)

        let unknown = FakeTransport([Self.restJSON(404, #"{"message":"Unknown operation"}"#, errorType: "UnknownOperationException")])
        let unknownError = await #expect(throws: AWSError.self) { try await EKS(core: Fixture.core(unknown)).listAddons(clusterName: "k") }
        #expect(unknownError?.isNotImplemented == true)
    }

    @Test("a 2xx EKS answer that is not a JSON object (a proxy's HTML page) is refused, never read as a cluster")
    func eksForeignSuccess() async throws {
        let transport = FakeTransport([FakeTransport.html(200, "<html><title>Sign in</title></html>")])
        let error = await #expect(throws: AWSError.self) { try await EKS(core: Fixture.core(transport)).describeCluster(name: "k") }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.isForeignAnswer == true)
    }
}
