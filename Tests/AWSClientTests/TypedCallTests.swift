import AWSClient
import AWSSigV4
import Foundation
import Testing

/// The typed calls the providers use: what each sends, and how it reads the answer, a missing
/// required field (an id, an ARN, a name) included.
@Suite struct TypedCallTests {
    /// The form parameters of a Query request.
    static func form(_ request: AWSHTTPRequest) -> [String: String] {
        var result: [String: String] = [:]
        for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            result[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return result
    }

    @Test("RunInstances with a public IP puts subnet and groups on the primary interface, and sends the volume, IMDS options and token")
    func runInstancesRequest() async throws {
        let transport = FakeTransport([FakeTransport.xml(200, "<RunInstancesResponse><instancesSet><item><instanceId>i-1</instanceId></item></instancesSet></RunInstancesResponse>")])
        let request = EC2.RunInstancesRequest(imageID: "ami-1", instanceType: "t3.micro", subnetID: "subnet-1", securityGroupIDs: ["sg-1", "sg-2"],
                                              associatePublicIPAddress: true, rootVolume: .init(sizeGB: 20, volumeType: "gp3", encrypted: true),
                                              metadataHTTPTokens: "required", metadataHTTPEndpoint: "enabled", clientToken: "token-1")
        let instances = try await EC2(core: Fixture.core(transport)).runInstances(request)
        #expect(instances.map(\.instanceID) == ["i-1"])
        let sent = Self.form(try #require(await transport.requests.first))
        #expect(sent["NetworkInterface.1.DeviceIndex"] == "0")
        #expect(sent["NetworkInterface.1.SubnetId"] == "subnet-1")
        #expect(sent["NetworkInterface.1.SecurityGroupId.2"] == "sg-2")
        #expect(sent["SubnetId"] == nil && sent["SecurityGroupId.1"] == nil)
        #expect(sent["BlockDeviceMapping.1.DeviceName"] == "/dev/xvda")
        #expect(sent["BlockDeviceMapping.1.Ebs.VolumeType"] == "gp3")
        #expect(sent["MetadataOptions.HttpTokens"] == "required")
        #expect(sent["ClientToken"] == "token-1")
    }

    @Test("one Authorize call carries every permission and the rule tags; a listed rule without its id is an invalid answer")
    func authorizeMany() async throws {
        let answer = "<AuthorizeSecurityGroupIngressResponse><securityGroupRuleSet><item><groupId>sg-1</groupId><ipProtocol>tcp</ipProtocol></item></securityGroupRuleSet></AuthorizeSecurityGroupIngressResponse>"
        let transport = FakeTransport([FakeTransport.xml(200, answer)])
        let error = await #expect(throws: AWSError.self) {
            try await EC2(core: Fixture.core(transport)).authorize(groupID: "sg-1", egress: false, permissions: [
                EC2SecurityGroupPermission(ipProtocol: "tcp", fromPort: 22, toPort: 22, peer: .cidrIPv4("10.0.0.0/8")),
                EC2SecurityGroupPermission(ipProtocol: "tcp", fromPort: 443, toPort: 443, peer: .securityGroup("sg-2"), description: "web"),
            ], tags: [AWSTag("netloom:stack", "dev")])
        }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.description.contains("securityGroupRuleId") == true)
        let sent = Self.form(try #require(await transport.requests.first))
        #expect(sent["Action"] == "AuthorizeSecurityGroupIngress")
        #expect(sent["IpPermissions.1.IpRanges.1.CidrIp"] == "10.0.0.0/8")
        #expect(sent["IpPermissions.2.Groups.1.GroupId"] == "sg-2")
        #expect(sent["IpPermissions.2.Groups.1.Description"] == "web")
        #expect(sent["TagSpecification.1.ResourceType"] == "security-group-rule")
        #expect(sent["TagSpecification.1.Tag.1.Value"] == "dev")
    }

    @Test("ListObjectVersions reads versions and delete markers and the markers of the next page")
    func objectVersions() async throws {
        let page = """
            <ListVersionsResult><IsTruncated>true</IsTruncated><NextKeyMarker>b</NextKeyMarker><NextVersionIdMarker>v3</NextVersionIdMarker>\
            <Version><Key>a</Key><VersionId>v1</VersionId></Version><DeleteMarker><Key>b</Key><VersionId>v2</VersionId></DeleteMarker></ListVersionsResult>
            """
        let transport = FakeTransport([FakeTransport.xml(200, page)])
        let s3 = S3(core: Fixture.core(transport), addressing: .pathStyle)
        let read = try await s3.listObjectVersions("bucket", prefix: "a", keyMarker: "a0", versionIDMarker: "v0")
        #expect(read.entries == [S3.ObjectVersion(key: "a", versionID: "v1", isDeleteMarker: false), S3.ObjectVersion(key: "b", versionID: "v2", isDeleteMarker: true)])
        #expect(read.nextKeyMarker == "b")
        #expect(read.nextVersionIDMarker == "v3")
        let url = try #require(await transport.requests.first?.url)
        #expect(url.contains("versions="))
        #expect(url.contains("key-marker=a0"))
        #expect(url.contains("version-id-marker=v0"))
    }

    @Test("IAM profile listings follow Marker, and a profile without a name is an invalid answer")
    func instanceProfiles() async throws {
        let first = "<ListInstanceProfilesResponse><ListInstanceProfilesResult><InstanceProfiles><member><InstanceProfileName>a</InstanceProfileName><Arn>arn:a</Arn><Path>/p/</Path><Roles><member><RoleName>r</RoleName></member></Roles></member></InstanceProfiles><IsTruncated>true</IsTruncated><Marker>m1</Marker></ListInstanceProfilesResult></ListInstanceProfilesResponse>"
        let second = "<ListInstanceProfilesResponse><ListInstanceProfilesResult><InstanceProfiles><member><InstanceProfileName>b</InstanceProfileName><Arn>arn:b</Arn></member></InstanceProfiles><IsTruncated>false</IsTruncated></ListInstanceProfilesResult></ListInstanceProfilesResponse>"
        let transport = FakeTransport([FakeTransport.xml(200, first), FakeTransport.xml(200, second)])
        let profiles = try await IAM(core: Fixture.core(transport)).listInstanceProfiles(pathPrefix: "/p/")
        #expect(profiles.map(\.name) == ["a", "b"])
        #expect(profiles.first?.roleNames == ["r"])
        #expect(Self.form(try #require(await transport.requests.last))["Marker"] == "m1")

        let nameless = FakeTransport([FakeTransport.xml(200, "<ListInstanceProfilesForRoleResponse><ListInstanceProfilesForRoleResult><InstanceProfiles><member><Arn>arn:a</Arn></member></InstanceProfiles></ListInstanceProfilesForRoleResult></ListInstanceProfilesForRoleResponse>")])
        let error = await #expect(throws: AWSError.self) { try await IAM(core: Fixture.core(nameless)).listInstanceProfilesForRole(roleName: "r") }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.description.contains("InstanceProfileName") == true)
    }

    @Test("CreateTargetGroup sends the health check settings, and an answer without the ARN is an invalid answer")
    func targetGroupWithoutARN() async throws {
        let transport = FakeTransport([FakeTransport.xml(200, "<CreateTargetGroupResponse><CreateTargetGroupResult><TargetGroups><member><TargetGroupName>t</TargetGroupName></member></TargetGroups></CreateTargetGroupResult></CreateTargetGroupResponse>")])
        let error = await #expect(throws: AWSError.self) {
            try await ELBv2(core: Fixture.core(transport)).createTargetGroup(name: "t", targetProtocol: "HTTP", port: 80, vpcID: "vpc-1",
                                                                            healthCheckPath: "/h", healthCheckPort: 8080, healthCheckIntervalSeconds: 10)
        }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.description.contains("TargetGroupArn") == true)
        let sent = Self.form(try #require(await transport.requests.first))
        #expect(sent["HealthCheckPort"] == "8080")
        #expect(sent["HealthCheckIntervalSeconds"] == "10")
    }

    @Test("a lifecycle rule with transitions is written and read back whole")
    func lifecycleXML() async throws {
        let rule = S3.LifecycleRule(id: "r", prefix: "logs/", expirationDays: 90, transitionDays: 30, transitionStorageClass: "GLACIER",
                                    noncurrentTransitionDays: 7, noncurrentTransitionStorageClass: "STANDARD_IA")
        let put = FakeTransport([FakeTransport.xml(200, "")])
        try await S3(core: Fixture.core(put), addressing: .pathStyle).putBucketLifecycle("bucket", rules: [rule])
        let body = String(decoding: try #require(await put.requests.first?.body), as: UTF8.self)
        #expect(body.contains("<Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition><Expiration><Days>90</Days></Expiration>"))
        let get = FakeTransport([FakeTransport.xml(200, body)])
        #expect(try await S3(core: Fixture.core(get), addressing: .pathStyle).getBucketLifecycle("bucket") == [rule])
    }
}
