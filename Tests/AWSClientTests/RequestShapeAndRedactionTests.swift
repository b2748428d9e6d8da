import AWSClient
import AWSSigV4
import Foundation
import Logging
import Testing

@Suite struct RequestShapeAndRedactionTests {
    @Test func ec2DescribeSendsFiltersAndSignedHeaders() async throws {
        let answer = "<DescribeSubnetsResponse><subnetSet/><nextToken></nextToken></DescribeSubnetsResponse>"
        let transport = FakeTransport([FakeTransport.xml(200, answer)])
        _ = try await EC2(core: Fixture.core(transport)).describeSubnets(filters: [.tag("netloom:stack", "dev stack"), AWSFilter("vpc-id", ["vpc-1", "vpc-2"])])
        let request = try #require(await transport.requests.first)
        #expect(request.method == "POST")
        #expect(request.url == "https://ec2.eu-west-1.amazonaws.com/")
        #expect(String(decoding: request.body, as: UTF8.self) == "Action=DescribeSubnets&Version=2016-11-15&Filter.1.Name=tag%3Anetloom%3Astack&Filter.1.Value.1=dev%20stack&Filter.2.Name=vpc-id&Filter.2.Value.1=vpc-1&Filter.2.Value.2=vpc-2")
        #expect(request.headerValue("X-Amz-Date") == "20150830T123600Z")
        #expect(request.headerValue("X-Amz-Security-Token") == Fixture.token)
        let authorization = try #require(request.headerValue("Authorization"))
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature="))
    }

    @Test func ec2CreateSendsTagSpecification() async throws {
        let answer = "<CreateVpcResponse><vpc><vpcId>vpc-9</vpcId><cidrBlock>10.1.0.0/16</cidrBlock><tagSet><item><key>Name</key><value>x</value></item></tagSet></vpc></CreateVpcResponse>"
        let transport = FakeTransport([FakeTransport.xml(200, answer)])
        let vpc = try await EC2(core: Fixture.core(transport)).createVpc(cidrBlock: "10.1.0.0/16", tags: [AWSTag("Name", "x"), AWSTag("netloom:stack", "dev")])
        #expect(vpc.vpcID == "vpc-9")
        let body = String(decoding: try #require(await transport.requests.first).body, as: UTF8.self)
        #expect(body.contains("TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=x&TagSpecification.1.Tag.2.Key=netloom%3Astack&TagSpecification.1.Tag.2.Value=dev"))
    }

    @Test func ec2PagesFollowNextToken() async throws {
        let first = "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-1</vpcId></item></vpcSet><nextToken>tok2</nextToken></DescribeVpcsResponse>"
        let second = "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-2</vpcId></item></vpcSet></DescribeVpcsResponse>"
        let transport = FakeTransport([FakeTransport.xml(200, first), FakeTransport.xml(200, second)])
        #expect(try await EC2(core: Fixture.core(transport)).describeVpcs().map(\.vpcID) == ["vpc-1", "vpc-2"])
        let bodies = await transport.requests.map { String(decoding: $0.body, as: UTF8.self) }
        #expect(!bodies[0].contains("NextToken"))
        #expect(bodies[1].hasSuffix("NextToken=tok2"))
    }

    @Test func iamPagesFollowMarkerWhileTruncated() async throws {
        let first = "<ListRolesResponse><ListRolesResult><IsTruncated>true</IsTruncated><Marker>m2</Marker><Roles><member><RoleName>a</RoleName><Path>/netloom/</Path></member></Roles></ListRolesResult></ListRolesResponse>"
        let second = "<ListRolesResponse><ListRolesResult><IsTruncated>false</IsTruncated><Roles><member><RoleName>b</RoleName><Path>/netloom/</Path></member></Roles></ListRolesResult></ListRolesResponse>"
        let transport = FakeTransport([FakeTransport.xml(200, first), FakeTransport.xml(200, second)])
        let roles = try await IAM(core: Fixture.core(transport)).listRoles(pathPrefix: "/netloom/")
        #expect(roles.map(\.roleName) == ["a", "b"])
        let requests = await transport.requests
        #expect(requests.allSatisfy { $0.url == "https://iam.amazonaws.com/" })
        #expect(requests[0].headerValue("Authorization")?.contains("/us-east-1/iam/aws4_request") == true)
        #expect(String(decoding: requests[1].body, as: UTF8.self).contains("Marker=m2"))
    }

    @Test func logsUsesJSONTargetAndPages() async throws {
        let transport = FakeTransport([
            FakeTransport.json(200, "{\"logGroups\":[{\"logGroupName\":\"/netloom/a\",\"retentionInDays\":7}],\"nextToken\":\"n2\"}"),
            FakeTransport.json(200, "{\"logGroups\":[{\"logGroupName\":\"/netloom/b\"}]}"),
        ])
        let groups = try await CloudWatchLogs(core: Fixture.core(transport)).describeLogGroups(prefix: "/netloom/")
        #expect(groups.map(\.name) == ["/netloom/a", "/netloom/b"])
        #expect(groups.first?.retentionInDays == 7)
        let requests = await transport.requests
        #expect(requests[0].headerValue("X-Amz-Target") == "Logs_20140328.DescribeLogGroups")
        #expect(String(decoding: requests[1].body, as: UTF8.self) == "{\"logGroupNamePrefix\":\"/netloom/\",\"nextToken\":\"n2\"}")
    }

    @Test func s3RequestsCarryPayloadHash() async throws {
        let transport = FakeTransport([FakeTransport.xml(200, "")])
        try await S3(core: Fixture.core(transport)).putBucketVersioning("b", enabled: true)
        let request = try #require(await transport.requests.first)
        #expect(request.method == "PUT")
        #expect(request.url == "https://b.s3.eu-west-1.amazonaws.com/?versioning=")
        #expect(request.headerValue("x-amz-content-sha256") == SigV4Hex.sha256(request.body))
        #expect(request.headerValue("Content-MD5") != nil)
    }

    @Test func nothingPrintedHoldsASecret() async throws {
        let logs = CapturedLogs()
        let logger = Logger(label: "capture", factory: { logs.handler(label: $0) })
        let failing = "<ErrorResponse><Error><Code>AccessDenied</Code><Message>User is not authorized</Message></Error><RequestId>q</RequestId></ErrorResponse>"
        let transport = FakeTransport([FakeTransport.xml(503, "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>"),
                                       FakeTransport.xml(403, failing)])
        let core = Fixture.core(transport, logger: logger)
        let error = await #expect(throws: AWSError.self) { try await STS(core: core).getCallerIdentity() }
        let request = try #require(await transport.requests.first)
        let signature = try #require(request.headerValue("Authorization")?.components(separatedBy: "Signature=").last)
        let presigned = SigV4Signer(credentials: Fixture.credentials, region: "us-east-1", service: "s3")
            .presign(SigV4Request(method: "GET", host: "b.s3.amazonaws.com", path: "/k"), expires: 60, date: Fixture.fixedDate)
        let presignedRequest = AWSHTTPRequest(method: "GET", url: "https://b.s3.amazonaws.com" + presigned.pathAndQuery, headers: [], body: [])
        #expect(logs.all.contains { $0.contains("aws.action=GetCallerIdentity") && $0.contains("aws.attempt=1") })
        let printed = [String(describing: error), core.description, request.description, presignedRequest.description,
                       String(describing: Fixture.credentials), presigned.description] + logs.all
        for text in printed {
            #expect(!text.contains(Fixture.secret), "secret in: \(text)")
            #expect(!text.contains(Fixture.token), "token in: \(text)")
            #expect(!text.contains(signature), "signature in: \(text)")
        }
        #expect(error?.description == "sts GetCallerIdentity failed (HTTP 403): AccessDenied: User is not authorized [request id q]")
    }

    @Test func xmlNodeWalksListsAndNamespaces() throws {
        let root = try #require(AWSXMLNode.parse(Array("<a:Root xmlns:a=\"urn:x\"><List><member><Name> one </Name></member><member><Name>two</Name></member></List><Flag>true</Flag></a:Root>".utf8)))
        #expect(root.name == "Root")
        #expect(root["List"].items.compactMap { $0.text("Name") } == ["one", "two"])
        #expect(root.bool("Flag") == true)
        #expect(!root["Missing"]["Deeper"].exists)
        #expect(AWSXMLNode.parse(Array("<!DOCTYPE html><html><body>oops".utf8)) == nil)
        #expect(AWSXMLNode.parse(Array("not xml".utf8)) == nil)
    }
}

@Suite struct PagingTests {
    @Test func elbv2PagesFollowNextMarker() async throws {
        let first = "<DescribeTargetGroupsResponse><DescribeTargetGroupsResult><TargetGroups><member><TargetGroupArn>arn:1</TargetGroupArn><Port>80</Port></member></TargetGroups><NextMarker>m2</NextMarker></DescribeTargetGroupsResult></DescribeTargetGroupsResponse>"
        let second = "<DescribeTargetGroupsResponse><DescribeTargetGroupsResult><TargetGroups><member><TargetGroupArn>arn:2</TargetGroupArn></member></TargetGroups></DescribeTargetGroupsResult></DescribeTargetGroupsResponse>"
        let transport = FakeTransport([FakeTransport.xml(200, first), FakeTransport.xml(200, second)])
        let groups = try await ELBv2(core: Fixture.core(transport)).describeTargetGroups()
        #expect(groups.map(\.arn) == ["arn:1", "arn:2"])
        #expect(groups.first?.port == 80)
        let bodies = await transport.requests.map { String(decoding: $0.body, as: UTF8.self) }
        #expect(bodies[0] == "Action=DescribeTargetGroups&Version=2015-12-01")
        #expect(bodies[1] == "Action=DescribeTargetGroups&Version=2015-12-01&Marker=m2")
    }

    @Test func repeatedTokenEndsPaging() async throws {
        let counter = PageCounter()
        let items = try await AWSPaging.collect { _ in
            await counter.increment()
            return ([1], "same-token")
        }
        // First page, then one page for the token; its repeat stops the loop.
        #expect(items == [1, 1])
        #expect(await counter.count == 2)
    }
}

actor PageCounter {
    private(set) var count = 0
    func increment() { count += 1 }
}
