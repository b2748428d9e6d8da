import AWSClient
import AWSSigV4
import Foundation
import MotoHarness
import Testing

/// SageMaker HyperPod clusters, FSx for Lustre and EKS against moto 5.2.1, one round trip per
/// service, each on a real VPC, subnets, a security group, an IAM role and a `sagemaker-` bucket
/// made with the existing clients. What moto does differently from AWS is said where it is met.
@Suite(.serialized, .enabled(if: MotoAvailability.shouldRun, "moto_server not installed; skipped outside CI"))
struct MotoHyperPodTests {
    static let stackTag = AWSTag("netloom:stack", "moto-hyperpod")

    struct Network {
        var vpcID: String
        var subnetIDs: [String]
        var securityGroupID: String
        var roleArn: String
        var bucket: String
    }

    static func network(_ core: AWSClientCore, service: String) async throws -> Network {
        let ec2 = EC2(core: core)
        let vpc = try await ec2.createVpc(cidrBlock: "10.60.0.0/16", tags: [stackTag])
        let a = try await ec2.createSubnet(vpcID: vpc.vpcID, cidrBlock: "10.60.1.0/24", availabilityZone: "us-east-1a", tags: [stackTag])
        let b = try await ec2.createSubnet(vpcID: vpc.vpcID, cidrBlock: "10.60.2.0/24", availabilityZone: "us-east-1b", tags: [stackTag])
        let group = try await ec2.createSecurityGroup(name: "hyperpod", description: "HyperPod nodes", vpcID: vpc.vpcID, tags: [stackTag])
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"\#(service)"},"Action":"sts:AssumeRole"}]}"#
        let role = try await IAM(core: core).createRole(name: "hyperpod-\(service.split(separator: ".").first ?? "x")", assumeRolePolicyDocument: trust)
        let bucket = "sagemaker-netloom-moto-lifecycle"
        try await S3(core: core).createBucket(bucket)
        return Network(vpcID: vpc.vpcID, subnetIDs: [a.subnetID, b.subnetID], securityGroupID: group, roleArn: role.arn, bucket: bucket)
    }

    static func group(_ name: String, _ type: String, count: Int, _ network: Network) -> SageMaker.InstanceGroupSpecification {
        .init(name: name, instanceType: type, instanceCount: count,
              lifeCycleConfig: .init(sourceS3Uri: "s3://\(network.bucket)/lifecycle/", onCreate: "on_create.sh"),
              executionRole: network.roleArn, threadsPerCore: 1)
    }

    @Test("SageMaker: a HyperPod cluster is created, described with its groups, listed with its nodes and tags, and deleted; then it is not found")
    func hyperPodClusterRoundTrip() async throws {
        try await withMotoCore(try await freshSharedMoto()) { core in
            let network = try await Self.network(core, service: "sagemaker.amazonaws.com")
            let sageMaker = SageMaker(core: core)
            let arn = try await sageMaker.createCluster(.init(
                name: "train", instanceGroups: [Self.group("controller", "ml.m5.xlarge", count: 1, network),
                                                Self.group("workers", "ml.p4d.24xlarge", count: 2, network)],
                vpcConfig: .init(securityGroupIDs: [network.securityGroupID], subnetIDs: [network.subnetIDs[0]]),
                tags: [Self.stackTag], nodeRecovery: .automatic))
            #expect(arn.hasPrefix("arn:aws:sagemaker:us-east-1:"))
            #expect(arn.hasSuffix(":cluster/train"))

            let cluster = try await sageMaker.describeCluster(name: "train")
            #expect(cluster.arn == arn)
            // moto: InService at once; AWS spends many minutes in Creating.
            #expect(cluster.isInService)
            #expect(cluster.failureMessage == nil)
            #expect(cluster.vpcConfig == .init(securityGroupIDs: [network.securityGroupID], subnetIDs: [network.subnetIDs[0]]))
            // moto drops NodeRecovery and Orchestrator; AWS returns them.
            #expect(cluster.nodeRecovery == nil)
            #expect(cluster.eksClusterArn == nil)
            let workers = try #require(cluster.instanceGroups.first { $0.name == "workers" })
            #expect(workers.instanceType == "ml.p4d.24xlarge")
            #expect(workers.currentCount == 2)
            #expect(workers.targetCount == 2)
            #expect(workers.executionRole == network.roleArn)
            #expect(workers.threadsPerCore == 1)
            #expect(workers.lifeCycleConfig?.sourceS3Uri == "s3://\(network.bucket)/lifecycle/")
            #expect(try await sageMaker.describeCluster(name: arn).name == "train")

            let nodes = try await sageMaker.listClusterNodes(clusterName: "train")
            #expect(nodes.count == 3)
            #expect(nodes.filter { $0.instanceGroupName == "workers" }.count == 2)
            #expect(nodes.allSatisfy { $0.status == "Running" })
            #expect(Set(nodes.compactMap(\.instanceType)) == ["ml.m5.xlarge", "ml.p4d.24xlarge"])

            #expect(try await sageMaker.listClusters(nameContains: "tra").map(\.arn) == [arn])
            #expect(try await sageMaker.listTags(arn: arn) == [Self.stackTag])
            try await sageMaker.addTags(arn: arn, tags: [AWSTag("Name", "train")])
            #expect(try await sageMaker.listTags(arn: arn) == [AWSTag("Name", "train"), Self.stackTag])

            // moto does not implement UpdateCluster (HTML 500): it reads as not implemented.
            let update = await #expect(throws: AWSError.self) {
                try await sageMaker.updateCluster(.init(name: "train", instanceGroups: [Self.group("workers", "ml.p4d.24xlarge", count: 3, network)]))
            }
            #expect(update?.isNotImplemented == true)

            try await sageMaker.deleteCluster(name: "train")
            // moto: a missing cluster is ValidationException "Could not find cluster"; AWS says
            // ResourceNotFound. Both read as not found.
            let gone = await #expect(throws: AWSError.self) { try await sageMaker.describeCluster(name: "train") }
            #expect(gone?.isNotFound == true)
            let goneNodes = await #expect(throws: AWSError.self) { try await sageMaker.listClusterNodes(clusterName: "train") }
            #expect(goneNodes?.isNotFound == true)
            #expect(try await sageMaker.listClusters().isEmpty)
        }
    }

    @Test("SageMaker on moto refuses an instance type outside its list and a lifecycle bucket not named sagemaker-*")
    func hyperPodValidation() async throws {
        try await withMotoCore(try await freshSharedMoto()) { core in
            let network = try await Self.network(core, service: "sagemaker.amazonaws.com")
            let sageMaker = SageMaker(core: core)
            // moto's list lacks newer types such as ml.p5en.48xlarge, which AWS accepts.
            let type = await #expect(throws: AWSError.self) {
                try await sageMaker.createCluster(.init(name: "new", instanceGroups: [Self.group("w", "ml.p5en.48xlarge", count: 1, network)]))
            }
            #expect(type?.code == "ValidationException")
            #expect(type?.isNotFound == false)
            var group = Self.group("w", "ml.c5.xlarge", count: 1, network)
            group.lifeCycleConfig.sourceS3Uri = "s3://lifecycle-elsewhere/"
            let bucket = await #expect(throws: AWSError.self) { try await sageMaker.createCluster(.init(name: "bucket", instanceGroups: [group])) }
            #expect(bucket?.code == "ValidationException")
            #expect(try await sageMaker.listClusters().isEmpty)
        }
    }

    @Test("FSx: a PERSISTENT_2 Lustre file system is created with tags, described by id, tagged and deleted")
    func lustreRoundTrip() async throws {
        try await withMotoCore(try await freshSharedMoto()) { core in
            let network = try await Self.network(core, service: "sagemaker.amazonaws.com")
            let fsx = FSx(core: core)
            let created = try await fsx.createLustreFileSystem(.init(
                storageCapacity: 1200, subnetIDs: [network.subnetIDs[0]], securityGroupIDs: [network.securityGroupID], tags: [Self.stackTag],
                clientRequestToken: "netloom-moto-1", lustre: .init(perUnitStorageThroughput: 250, dataCompressionType: "LZ4")))
            #expect(created.id.hasPrefix("fs-"))
            #expect(created.type == "LUSTRE")
            #expect(created.storageCapacity == 1200)
            #expect(created.storageType == "SSD")
            #expect(created.subnetIDs == [network.subnetIDs[0]])
            #expect(created.dnsName == "\(created.id).fsx.us-east-1.amazonaws.com")
            #expect(created.deploymentType == "PERSISTENT_2")
            #expect(created.perUnitStorageThroughput == 250)
            #expect(created.tags == [Self.stackTag])
            // moto has no Lifecycle, MountName, VpcId or NetworkInterfaceIds; AWS has all four
            // (Lifecycle CREATING at first).
            #expect(created.lifecycle == nil)
            #expect(created.mountName == nil)
            #expect(created.vpcID == nil)
            #expect(created.networkInterfaceIDs.isEmpty)

            let described = try await fsx.describeFileSystems(ids: [created.id])
            #expect(described.map(\.id) == [created.id])
            #expect(try await fsx.describeFileSystems().map(\.id) == [created.id])
            let arn = try #require(created.arn)
            try await fsx.tagResource(arn: arn, tags: [AWSTag("Name", "scratch")])
            #expect(try await fsx.listTagsForResource(arn: arn) == [AWSTag("Name", "scratch"), Self.stackTag])

            // moto answers DELETING and removes the file system at once; AWS keeps it DELETING
            // for some minutes, then FileSystemNotFound.
            #expect(try await fsx.deleteFileSystem(id: created.id, clientRequestToken: "netloom-moto-del-1") == "DELETING")
            // moto: an unknown id in DescribeFileSystems is left out of the list; AWS answers
            // FileSystemNotFound.
            #expect(try await fsx.describeFileSystems(ids: [created.id]).isEmpty)
            // moto: deleting an unknown id is an HTML 500 page (KeyError), not FileSystemNotFound.
            let again = await #expect(throws: AWSError.self) { try await fsx.deleteFileSystem(id: created.id) }
            #expect(again?.isNotImplemented == true)
        }
    }

    @Test("EKS: a cluster with API authentication is created, described, listed and deleted; an add-on call is recognisably not implemented")
    func eksRoundTrip() async throws {
        try await withMotoCore(try await freshSharedMoto()) { core in
            let network = try await Self.network(core, service: "eks.amazonaws.com")
            let eks = EKS(core: core)
            let created = try await eks.createCluster(.init(
                name: "orchestrator", version: "1.31", roleArn: network.roleArn,
                vpcConfig: .init(subnetIDs: network.subnetIDs, securityGroupIDs: [network.securityGroupID]),
                tags: [Self.stackTag], clientRequestToken: "netloom-moto-1"))
            #expect(created.arn.hasSuffix(":cluster/orchestrator"))
            // moto: ACTIVE at once with an endpoint; AWS starts CREATING without one.
            #expect(created.isActive)
            let described = try await eks.describeCluster(name: "orchestrator")
            #expect(described.arn == created.arn)
            #expect(described.version == "1.31")
            #expect(described.roleArn == network.roleArn)
            #expect(described.endpoint?.hasPrefix("https://") == true)
            #expect(described.vpcConfig?.subnetIDs == network.subnetIDs)
            #expect(described.vpcConfig?.securityGroupIDs == [network.securityGroupID])
            #expect(described.tags == [Self.stackTag])
            // moto drops accessConfig; AWS returns the authentication mode asked for.
            #expect(described.authenticationMode == nil)
            #expect(try await eks.listClusters() == ["orchestrator"])

            // moto 5.2.1 has no add-on routes: Werkzeug's HTML 404 for every add-on call.
            let addon = await #expect(throws: AWSError.self) {
                try await eks.createAddon(.init(clusterName: "orchestrator", addonName: "vpc-cni"))
            }
            #expect(addon?.isNotImplemented == true)
            #expect(addon?.isNotFound == false)
            #expect(addon?.action == "CreateAddon")
            let list = await #expect(throws: AWSError.self) { try await eks.listAddons(clusterName: "orchestrator") }
            #expect(list?.isNotImplemented == true)

            try await eks.deleteCluster(name: "orchestrator")
            let gone = await #expect(throws: AWSError.self) { try await eks.describeCluster(name: "orchestrator") }
            #expect(gone?.code == "ResourceNotFoundException")
            #expect(gone?.isNotFound == true)
            #expect(try await eks.listClusters().isEmpty)
        }
    }
}
