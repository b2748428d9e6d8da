import AWSClient
import AWSSigV4
import Foundation
import Testing

/// A success status is not enough: the body must be the protocol's document, and a create's
/// answer must carry the new id. Anything else is an error naming the endpoint and action.
@Suite struct AnswerShapeTests {
    static let loginPage = """
        <!DOCTYPE html>
        <html><head><title>Sign in</title></head><body><form action="/login"><input name="user"/></form></body></html>
        """
    /// Well-formed XHTML parses as XML: only the root element tells it from an AWS answer.
    static let xhtmlLoginPage = "<html><head><title>Sign in</title></head><body><p>Please sign in</p></body></html>"
    static let ec2Endpoint = "https://ec2.eu-west-1.amazonaws.com"

    @Test("an HTML login page with status 200 is an error naming the endpoint and action, and is not retried")
    func htmlPageWithStatus200() async throws {
        for page in [Self.loginPage, Self.xhtmlLoginPage] {
            let transport = FakeTransport([FakeTransport.html(200, page)])
            let error = await #expect(throws: AWSError.self) { try await EC2(core: Fixture.core(transport)).describeVpcs() }
            #expect(error?.kind == .invalidAnswer)
            #expect(error?.isForeignAnswer == true)
            #expect(error?.isNotFound == false)
            #expect(error?.description == "ec2 DescribeVpcs: \(Self.ec2Endpoint) answered with an HTML page (status 200, title \"Sign in\"), not an AWS answer")
            #expect(await transport.requests.count == 1)
        }
    }

    @Test("an empty 200 answer to a call that returns a document is an error")
    func emptyBodyWhereADocumentIsDue() async throws {
        let transport = FakeTransport([FakeTransport.xml(200, "")])
        let error = await #expect(throws: AWSError.self) { try await EC2(core: Fixture.core(transport)).describeSubnets() }
        #expect(error?.description == "ec2 DescribeSubnets: \(Self.ec2Endpoint) answered with an empty body (status 200), not an AWS answer")

        let logs = FakeTransport([FakeTransport.json(200, "")])
        let logsError = await #expect(throws: AWSError.self) { try await CloudWatchLogs(core: Fixture.core(logs)).describeLogGroups() }
        #expect(logsError?.kind == .invalidAnswer)
        #expect(logsError?.description.contains("answered with an empty body (status 200)") == true)

        // AWS answers CreateLogGroup with no body at all: that stays a success.
        let create = FakeTransport([FakeTransport.json(200, "")])
        try await CloudWatchLogs(core: Fixture.core(create)).createLogGroup(name: "/netloom/dev/flow")
        #expect(await create.requests.count == 1)
    }

    @Test("a JSON answer that is not an object is an error")
    func jsonThatIsNotAnObject() async throws {
        let transport = FakeTransport([FakeTransport.json(200, "[1, 2]")])
        let error = await #expect(throws: AWSError.self) { try await SSM(core: Fixture.core(transport)).getParameter(name: "/aws/x") }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.description.contains("a body that is not a JSON object (status 200") == true)
    }

    @Test("another action's document is refused by its root element")
    func wrongRootElement() async throws {
        let subnets = "<DescribeSubnetsResponse><subnetSet/></DescribeSubnetsResponse>"
        let transport = FakeTransport([FakeTransport.xml(200, subnets)])
        let error = await #expect(throws: AWSError.self) { try await EC2(core: Fixture.core(transport)).describeVpcs() }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.description == "ec2 DescribeVpcs: \(Self.ec2Endpoint) answered with an XML document <DescribeSubnetsResponse> where <DescribeVpcsResponse> was expected (status 200), not an AWS answer")

        let iam = FakeTransport([FakeTransport.xml(200, "<GetRoleResponse><GetRoleResult/></GetRoleResponse>")])
        let iamError = await #expect(throws: AWSError.self) {
            _ = try await IAM(core: Fixture.core(iam)).createRole(name: "r", assumeRolePolicyDocument: "{}")
        }
        #expect(iamError?.description.contains("<GetRoleResponse> where <CreateRoleResponse> was expected") == true)
    }

    @Test("S3: a document-returning call checks its root, a bodyless call refuses HTML but takes empty or XML")
    func s3AnswerShapes() async throws {
        let wrongRoot = FakeTransport([FakeTransport.xml(200, "<ListBucketResult/>")])
        let error = await #expect(throws: AWSError.self) { _ = try await S3(core: Fixture.core(wrongRoot)).getBucketVersioning("b") }
        #expect(error?.description.contains("<ListBucketResult> where <VersioningConfiguration> was expected") == true)

        // moto 5.2 wraps an unversioned bucket's answer in <GetBucketVersioningResponse>.
        let motoShape = FakeTransport([FakeTransport.xml(200, "<GetBucketVersioningResponse/>")])
        #expect(try await S3(core: Fixture.core(motoShape)).getBucketVersioning("b") == nil)

        let html = FakeTransport([FakeTransport.html(200, Self.loginPage)])
        let putError = await #expect(throws: AWSError.self) { try await S3(core: Fixture.core(html)).putBucketTagging("b", tags: [AWSTag("k", "v")]) }
        #expect(putError?.kind == .invalidAnswer)
        #expect(putError?.description.contains("s3 PutBucketTagging: https://b.s3.eu-west-1.amazonaws.com answered with an HTML page (status 200") == true)

        let garbage = FakeTransport([FakeTransport.html(200, "OK, stored it")])
        let garbageError = await #expect(throws: AWSError.self) { try await S3(core: Fixture.core(garbage)).deleteBucket("b") }
        #expect(garbageError?.description.contains("a body that is not XML (status 200, starts \"OK, stored it\")") == true)

        let fine = FakeTransport([FakeTransport.xml(200, ""), FakeTransport.xml(200, "<CreateBucketResult/>")])
        let s3 = S3(core: Fixture.core(fine))
        try await s3.putBucketTagging("b", tags: [AWSTag("k", "v")])
        try await s3.createBucket("b")
        // GetObject returns the object's own bytes, an HTML page included.
        let object = FakeTransport([FakeTransport.html(200, Self.loginPage)])
        #expect(try await S3(core: Fixture.core(object)).getObject("b", key: "index.html") == Array(Self.loginPage.utf8))
    }

    @Test("a create whose answer lacks the new id throws a decode error naming the field")
    func missingIDs() async throws {
        let core = { (body: String) in Fixture.core(FakeTransport([FakeTransport.xml(200, body)])) }
        let vpc = await #expect(throws: AWSError.self) {
            _ = try await EC2(core: core("<CreateVpcResponse><vpc><cidrBlock>10.0.0.0/16</cidrBlock></vpc></CreateVpcResponse>")).createVpc(cidrBlock: "10.0.0.0/16")
        }
        #expect(vpc?.kind == .invalidAnswer)
        #expect(vpc?.description == "ec2 CreateVpc failed (HTTP 200): the answer has no vpcId; nothing can be recorded for it")

        let group = await #expect(throws: AWSError.self) {
            _ = try await EC2(core: core("<CreateSecurityGroupResponse><groupId></groupId></CreateSecurityGroupResponse>"))
                .createSecurityGroup(name: "g", description: "d", vpcID: "vpc-1")
        }
        #expect(group?.message.contains("groupId") == true)

        let subnet = await #expect(throws: AWSError.self) {
            _ = try await EC2(core: core("<CreateSubnetResponse/>")).createSubnet(vpcID: "vpc-1", cidrBlock: "10.0.0.0/24")
        }
        #expect(subnet?.message.contains("subnetId") == true)

        let instances = await #expect(throws: AWSError.self) {
            _ = try await EC2(core: core("<RunInstancesResponse><instancesSet/></RunInstancesResponse>")).runInstances(.init(imageID: "ami-1", instanceType: "t3.micro"))
        }
        #expect(instances?.message.contains("instancesSet") == true)

        let loadBalancer = await #expect(throws: AWSError.self) {
            _ = try await ELBv2(core: core("<CreateLoadBalancerResponse><CreateLoadBalancerResult><LoadBalancers/></CreateLoadBalancerResult></CreateLoadBalancerResponse>"))
                .createLoadBalancer(name: "lb", subnetIDs: ["subnet-1"])
        }
        #expect(loadBalancer?.message.contains("LoadBalancerArn") == true)

        let role = await #expect(throws: AWSError.self) {
            _ = try await IAM(core: core("<CreateRoleResponse><CreateRoleResult><Role><RoleName>r</RoleName></Role></CreateRoleResult></CreateRoleResponse>"))
                .createRole(name: "r", assumeRolePolicyDocument: "{}")
        }
        #expect(role?.message.contains("Arn") == true)

        let nat = await #expect(throws: AWSError.self) {
            _ = try await EC2(core: core("<CreateNatGatewayResponse><natGateway><subnetId>s</subnetId></natGateway></CreateNatGatewayResponse>"))
                .createNatGateway(subnetID: "s", allocationID: "eipalloc-1")
        }
        #expect(nat?.message.contains("natGatewayId") == true)

        let created = try await EC2(core: core("<CreateVpcResponse><vpc><vpcId>vpc-9</vpcId></vpc></CreateVpcResponse>")).createVpc(cidrBlock: "10.0.0.0/16")
        #expect(created.vpcID == "vpc-9")
    }

    @Test("moto's HTML 500 for an unimplemented action stays notImplemented, with a message naming the endpoint")
    func htmlServerErrorStaysNotImplemented() async throws {
        let page = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>"
        let transport = FakeTransport([FakeTransport.html(500, page)])
        let error = await #expect(throws: AWSError.self) { _ = try await EC2(core: Fixture.core(transport)).call(action: "CreatePlacementGroup") }
        #expect(error?.kind == .notImplemented)
        #expect(error?.description == "ec2 CreatePlacementGroup: \(Self.ec2Endpoint) answered with an HTML page (status 500, title \"500 Internal Server Error\"), not an AWS answer")
    }

    @Test("a 403 page that echoes the request shows neither the secret key, the session token nor the signature")
    func echoedSecretsAreRedacted() async throws {
        // What the server echoes is filled in from the request it got, as a hostile endpoint would.
        actor EchoTransport: HTTPTransport {
            var asHTML: Bool
            var sent: AWSHTTPRequest?
            init(asHTML: Bool) { self.asHTML = asHTML }
            func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
                sent = request
                let headers = request.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
                let echo = "token \(request.headerValue("X-Amz-Security-Token") ?? "") secret \(Fixture.secret) \(headers)"
                let body = asHTML ? "<html><head><title>Denied \(echo)</title></head><body><pre>\(headers)</pre></body></html>" : "Forbidden. You sent: \(echo)"
                return AWSHTTPResponse(status: 403, headers: ["x-amzn-requestid": Fixture.token], body: Array(body.utf8))
            }
        }
        for asHTML in [true, false] {
            let transport = EchoTransport(asHTML: asHTML)
            let core = AWSClientCore(transport: transport, credentials: Fixture.credentials, region: "eu-west-1", now: { Fixture.fixedDate })
            let error = await #expect(throws: AWSError.self) { try await STS(core: core).getCallerIdentity() }
            let request = try #require(await transport.sent)
            let signature = try #require(request.headerValue("Authorization")?.components(separatedBy: "Signature=").last)
            let text = error.map { String(describing: $0) } ?? ""
            #expect(!text.contains(Fixture.secret), "secret in: \(text)")
            #expect(!text.contains(Fixture.token), "token in: \(text)")
            #expect(!text.contains(signature), "signature in: \(text)")
            #expect(!text.contains(String(signature.prefix(16))), "part of the signature in: \(text)")
            #expect(!text.contains("FAKESESSION"), "part of the token in: \(text)")
            #expect(text.contains("<redacted>"))
            #expect(text.hasPrefix("sts GetCallerIdentity: https://sts.eu-west-1.amazonaws.com answered with "))
        }
    }

    @Test("the redactor removes known secrets in their encoded forms and any signature or token value")
    func redactorForms() {
        var redactor = AWSSecretRedactor(credentials: Fixture.credentials)
        redactor.add("abc")
        let text = "a \(Fixture.secret) b \(SigV4URIEncoding.encode(Fixture.token)) c Signature=0123456789abcdef0123 d X-Amz-Security-Token=zzzzzzzzzz&x=1 abc"
        #expect(redactor.redact(text) == "a <redacted> b <redacted> c Signature=<redacted> d X-Amz-Security-Token=<redacted>&x=1 abc")
    }
}
