import AWSClient
import AWSSigV4
import MotoHarness
import Testing

/// The service clients against a local moto_server (127.0.0.1 only, fake credentials). The
/// tests share one server and reset it, so they run one at a time.
@Suite(.serialized, .enabled(if: MotoAvailability.shouldRun, "moto_server not installed; skipped outside CI"))
struct MotoServiceTests {
    static let stackTag = AWSTag("netloom:stack", "moto-test")

    @Test func vpcAndSubnetWithTags() async throws {
        try await withMotoCore(try await freshSharedMoto()) { core in
            let ec2 = EC2(core: core)
            let vpc = try await ec2.createVpc(cidrBlock: "10.20.0.0/16", tags: [Self.stackTag, AWSTag("Name", "main")])
            #expect(vpc.vpcID.hasPrefix("vpc-"))
            #expect(vpc.cidrBlock == "10.20.0.0/16")
            try await ec2.modifyVpcAttribute(vpcID: vpc.vpcID, enableDNSSupport: true, enableDNSHostnames: true)

            let tagged = try await ec2.describeVpcs(filters: [.tag("netloom:stack", "moto-test")])
            #expect(tagged.map(\.vpcID) == [vpc.vpcID])
            #expect(tagged.first?.tags.value("Name") == "main")

            let subnet = try await ec2.createSubnet(vpcID: vpc.vpcID, cidrBlock: "10.20.1.0/24", availabilityZone: "us-east-1a", tags: [Self.stackTag])
            #expect(subnet.subnetID.hasPrefix("subnet-"))
            try await ec2.setMapPublicIPOnLaunch(subnetID: subnet.subnetID, true)
            let subnets = try await ec2.describeSubnets(filters: [AWSFilter("vpc-id", vpc.vpcID)])
            #expect(subnets.map(\.subnetID) == [subnet.subnetID])
            #expect(subnets.first?.availabilityZone == "us-east-1a")
            #expect(subnets.first?.mapPublicIPOnLaunch == true)
            #expect(subnets.first?.tags.value("netloom:stack") == "moto-test")

            try await ec2.deleteSubnet(id: subnet.subnetID)
            try await ec2.deleteVpc(id: vpc.vpcID)
            let error = await #expect(throws: AWSError.self) { try await ec2.describeVpcs(ids: [vpc.vpcID]) }
            #expect(error?.code == "InvalidVpcID.NotFound")
            #expect(error?.isNotFound == true)
            #expect(error?.kind == .client)
        }
    }

    @Test func securityGroupRules() async throws {
        try await withMotoCore(try await freshSharedMoto()) { core in
            let ec2 = EC2(core: core)
            let vpc = try await ec2.createVpc(cidrBlock: "10.30.0.0/16")
            let groupID = try await ec2.createSecurityGroup(name: "web", description: "web tier", vpcID: vpc.vpcID, tags: [Self.stackTag])
            #expect(groupID.hasPrefix("sg-"))
            try await ec2.authorizeIngress(groupID: groupID, permissions: [
                EC2SecurityGroupPermission(ipProtocol: "tcp", fromPort: 443, toPort: 443, peer: .cidrIPv4("10.0.0.0/8"), description: "https"),
            ])
            let rules = try await ec2.describeSecurityGroupRules(groupID: groupID)
            let ingress = try #require(rules.first { !$0.isEgress })
            #expect(ingress.groupID == groupID)
            #expect(ingress.ipProtocol == "tcp")
            #expect(ingress.fromPort == 443 && ingress.toPort == 443)
            #expect(ingress.cidrIPv4 == "10.0.0.0/8")
            #expect(ingress.ruleID.hasPrefix("sgr-"))
            // A new group allows all egress by default.
            #expect(rules.contains { $0.isEgress && $0.ipProtocol == "-1" })

            let groups = try await ec2.describeSecurityGroups(filters: [.tag("netloom:stack", "moto-test")])
            #expect(groups.map(\.groupID) == [groupID])
            #expect(groups.first?.groupName == "web")

            // The inline permissions of DescribeSecurityGroups are the same rules, without ids
            // (moto's DescribeSecurityGroupRules drops the description of group references).
            try await ec2.authorizeIngress(groupID: groupID, permissions: [
                EC2SecurityGroupPermission(ipProtocol: "udp", fromPort: 53, toPort: 53, peer: .securityGroup(groupID), description: "dns"),
                EC2SecurityGroupPermission(ipProtocol: "tcp", fromPort: 22, toPort: 22, peer: .cidrIPv6("2001:db8::/32")),
            ])
            func withoutIDs(_ rules: [EC2SecurityGroupRule]) -> Set<EC2SecurityGroupRule> {
                Set(rules.map { var rule = $0; rule.ruleID = ""; rule.tags = []; rule.description = nil; return rule })
            }
            let inline = try #require(try await ec2.describeSecurityGroups(ids: [groupID]).first).rules
            #expect(inline.count == 4)
            #expect(withoutIDs(inline) == withoutIDs(try await ec2.describeSecurityGroupRules(groupID: groupID)))
            #expect(inline.contains { $0.referencedGroupID == groupID && $0.description == "dns" && $0.fromPort == 53 })

            let ingressIDs = try await ec2.describeSecurityGroupRules(groupID: groupID).filter { !$0.isEgress }.map(\.ruleID)
            #expect(ingressIDs.count == 3 && ingressIDs.contains(ingress.ruleID))
            try await ec2.revokeRules(groupID: groupID, ruleIDs: ingressIDs, egress: false)
            #expect(try await ec2.describeSecurityGroupRules(groupID: groupID).allSatisfy(\.isEgress))
            try await ec2.deleteSecurityGroup(id: groupID)
            try await ec2.deleteVpc(id: vpc.vpcID)
        }
    }

    @Test func s3BucketWithVersioning() async throws {
        try await withMotoCore(try await freshSharedMoto(), region: "eu-west-1") { core in
            let s3 = S3(core: core)
            let bucket = "netloom-moto-test-bucket"
            try await s3.createBucket(bucket)
            #expect(try await s3.bucketExists(bucket))
            #expect(try await s3.getBucketVersioning(bucket) == nil)
            try await s3.putBucketVersioning(bucket, enabled: true)
            #expect(try await s3.getBucketVersioning(bucket) == "Enabled")
            try await s3.putBucketTagging(bucket, tags: [Self.stackTag])
            #expect(try await s3.getBucketTagging(bucket) == [Self.stackTag])
            try await s3.putPublicAccessBlock(bucket)
            #expect(try await s3.getPublicAccessBlock(bucket) == .all)
            try await s3.putBucketEncryption(bucket)
            #expect(try await s3.getBucketEncryption(bucket) == "AES256")

            try await s3.putObject(bucket, key: "dir/hello world.txt", body: Array("hi".utf8), contentType: "text/plain")
            #expect(try await s3.listObjects(bucket, prefix: "dir/").map(\.key) == ["dir/hello world.txt"])
            #expect(try await s3.getObject(bucket, key: "dir/hello world.txt") == Array("hi".utf8))
            try await s3.deleteObject(bucket, key: "dir/hello world.txt")
            // Versioned: the delete left a marker and a version; the bucket empties only when
            // those go too, so this test stops at checking the listing is empty.
            #expect(try await s3.listObjects(bucket).isEmpty)
            #expect(try await s3.bucketExists("netloom-no-such-bucket") == false)
        }
    }

    @Test func logGroupWithRetentionAndTags() async throws {
        try await withMotoCore(try await freshSharedMoto()) { core in
            let logs = CloudWatchLogs(core: core)
            try await logs.createLogGroup(name: "/netloom/moto/flow", tags: [Self.stackTag])
            try await logs.putRetentionPolicy(logGroupName: "/netloom/moto/flow", days: 14)
            let groups = try await logs.describeLogGroups(prefix: "/netloom/moto/")
            #expect(groups.map(\.name) == ["/netloom/moto/flow"])
            #expect(groups.first?.retentionInDays == 14)
            #expect(try await logs.listTagsLogGroup(name: "/netloom/moto/flow") == [Self.stackTag])
            try await logs.deleteLogGroup(name: "/netloom/moto/flow")
            #expect(try await logs.describeLogGroups(prefix: "/netloom/moto/").isEmpty)
            let error = await #expect(throws: AWSError.self) { try await logs.deleteLogGroup(name: "/netloom/moto/flow") }
            #expect(error?.code == "ResourceNotFoundException")
        }
    }

    @Test func iamRoleWithPathAndInlinePolicy() async throws {
        try await withMotoCore(try await freshSharedMoto()) { core in
            let iam = IAM(core: core)
            let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
            let role = try await iam.createRole(name: "netloom-node", path: "/netloom/moto/", assumeRolePolicyDocument: trust, tags: [Self.stackTag])
            #expect(role.path == "/netloom/moto/")
            #expect(role.arn.hasSuffix(":role/netloom/moto/netloom-node"))
            #expect(try await iam.listRoles(pathPrefix: "/netloom/moto/").map(\.roleName) == ["netloom-node"])
            #expect(try await iam.listRoles(pathPrefix: "/other/").isEmpty)

            let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#
            try await iam.putRolePolicy(roleName: "netloom-node", policyName: "read", policyDocument: policy)
            #expect(try await iam.getRolePolicy(roleName: "netloom-node", policyName: "read").contains("s3:GetObject"))
            try await iam.attachRolePolicy(roleName: "netloom-node", policyARN: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")
            #expect(try await iam.listAttachedRolePolicies(roleName: "netloom-node") == ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"])

            let profile = try await iam.createInstanceProfile(name: "netloom-node", path: "/netloom/moto/")
            try await iam.addRoleToInstanceProfile(profileName: profile.name, roleName: "netloom-node")
            #expect(try await iam.getInstanceProfile(name: "netloom-node").roleNames == ["netloom-node"])
            try await iam.removeRoleFromInstanceProfile(profileName: profile.name, roleName: "netloom-node")
            try await iam.deleteInstanceProfile(name: profile.name)
            try await iam.detachRolePolicy(roleName: "netloom-node", policyARN: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")
            try await iam.deleteRolePolicy(roleName: "netloom-node", policyName: "read")
            try await iam.deleteRole(name: "netloom-node")
            let error = await #expect(throws: AWSError.self) { try await iam.getRole(name: "netloom-node") }
            #expect(error?.code == "NoSuchEntity")
        }
    }

    @Test func stsAccountID() async throws {
        try await withMotoCore(try await freshSharedMoto()) { core in
            let identity = try await STS(core: core).getCallerIdentity()
            #expect(identity.account == "123456789012")
            #expect(identity.arn.hasPrefix("arn:aws:"))
        }
    }

    @Test func ssmPublicAMIParameter() async throws {
        try await withMotoCore(try await freshSharedMoto()) { core in
            let parameter = try await SSM(core: core).getParameter(name: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64")
            #expect(parameter.value.hasPrefix("ami-"))
            let error = await #expect(throws: AWSError.self) { try await SSM(core: core).getParameter(name: "/netloom/missing") }
            #expect(error?.code == "ParameterNotFound")
        }
    }

    /// moto answers an action it does not implement with an HTML 500 page, the same page as for
    /// a request it crashed on: three attempts, then not implemented.
    @Test func unimplementedActionIsNotImplementedAfterThreeAttempts() async throws {
        try await withMotoCore(try await freshSharedMoto()) { motoCore in
            let counting = CountingTransport(motoCore.transport)
            var core = motoCore
            core.transport = counting
            core.retry = AWSRetryPolicy(maxAttempts: 5, base: .milliseconds(1), cap: .milliseconds(1))
            let error = await #expect(throws: AWSError.self) {
                _ = try await EC2(core: core).call(action: "DescribeIpamPools")
            }
            #expect(error?.kind == .notImplemented)
            #expect(error?.statusCode == 500)
            #expect(await counting.count == 3)
        }
    }
}
