import AWSClient
import Logging
import Testing

@Suite struct RetryAndErrorTests {
    static let describeVpcsAnswer = """
        <DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
          <requestId>r-1</requestId>
          <vpcSet><item><vpcId>vpc-1</vpcId><cidrBlock>10.0.0.0/16</cidrBlock><state>available</state>
            <tagSet><item><key>netloom:stack</key><value>dev</value></item></tagSet></item></vpcSet>
        </DescribeVpcsResponse>
        """

    static let throttled = """
        <Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>req-throttle</RequestID></Response>
        """

    @Test func retriesThrottlingThenSucceeds() async throws {
        let transport = FakeTransport([FakeTransport.xml(503, Self.throttled), FakeTransport.xml(503, Self.throttled), FakeTransport.xml(200, Self.describeVpcsAnswer)])
        let sleeps = SleepRecorder()
        let vpcs = try await EC2(core: Fixture.core(transport, sleeps: sleeps)).describeVpcs()
        #expect(vpcs.map(\.vpcID) == ["vpc-1"])
        #expect(vpcs.first?.tags.value("netloom:stack") == "dev")
        #expect(await transport.requests.count == 3)
        // random() = 1.0 gives the ceiling of each full-jitter window: 100 ms, then 200 ms.
        #expect(await sleeps.delays == [.milliseconds(100), .milliseconds(200)])
    }

    @Test("an HTML 500 is asked again twice, then read as not implemented; one that passes (a crash) is no error")
    func htmlServerErrorIsNotImplementedAfterThreeAttempts() async throws {
        let page = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1><p>The server encountered an internal error</p>"
        let transport = FakeTransport([FakeTransport.html(500, page)])
        let error = await #expect(throws: AWSError.self) {
            _ = try await EC2(core: Fixture.core(transport)).call(action: "DescribeCarrierGateways")
        }
        #expect(error?.kind == .notImplemented)
        #expect(error?.statusCode == 500)
        #expect(error?.message.contains("500 Internal Server Error") == true)
        #expect(error?.followsUncertainAttempt == false)
        #expect(await transport.requests.count == 3)

        let crashedOnce = FakeTransport([FakeTransport.html(500, page), FakeTransport.xml(200, "<DescribeCarrierGatewaysResponse/>")])
        _ = try await EC2(core: Fixture.core(crashedOnce)).call(action: "DescribeCarrierGateways")
        #expect(await crashedOnce.requests.count == 2)
    }

    @Test func attemptsAreBounded() async throws {
        let internalError = "<Response><Errors><Error><Code>InternalError</Code><Message>boom</Message></Error></Errors><RequestID>x</RequestID></Response>"
        let transport = FakeTransport([FakeTransport.xml(500, internalError)])
        let sleeps = SleepRecorder()
        let error = await #expect(throws: AWSError.self) {
            _ = try await EC2(core: Fixture.core(transport, sleeps: sleeps, maxAttempts: 4)).describeVpcs()
        }
        #expect(error?.kind == .server)
        #expect(error?.code == "InternalError")
        #expect(await transport.requests.count == 4)
        #expect(await sleeps.delays == [.milliseconds(100), .milliseconds(200), .milliseconds(400)])
    }

    @Test func defaultPolicyAllowsEightAttemptsAndCapsDelay() {
        let policy = AWSRetryPolicy(base: .milliseconds(100), cap: .seconds(2), sleep: { _ in }, random: { 0.999999 })
        #expect(policy.maxAttempts == 8)
        #expect(policy.delay(afterAttempt: 7) <= .seconds(2))
        #expect(policy.delay(afterAttempt: 7) > .milliseconds(1900))
        let noJitter = AWSRetryPolicy(sleep: { _ in }, random: { 0 })
        #expect(noJitter.delay(afterAttempt: 3) == .zero)
    }

    @Test func timeoutsAndResetsAreRetriedClientErrorsAreNot() async throws {
        let transport = FakeTransport([.fail(AWSTransportError(.readTimeout, "read timed out")),
                                       .fail(AWSTransportError(.connectionClosed, "connection reset by peer")),
                                       FakeTransport.xml(200, Self.describeVpcsAnswer)])
        #expect(try await EC2(core: Fixture.core(transport)).describeVpcs().count == 1)
        #expect(await transport.requests.count == 3)

        let notFound = "<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>The vpc ID 'vpc-9' does not exist</Message></Error></Errors><RequestID>r</RequestID></Response>"
        let failing = FakeTransport([FakeTransport.xml(400, notFound)])
        let error = await #expect(throws: AWSError.self) { try await EC2(core: Fixture.core(failing)).deleteVpc(id: "vpc-9") }
        #expect(error?.kind == .client)
        #expect(error?.isNotFound == true)
        #expect(error?.requestID == "r")
        #expect(await failing.requests.count == 1)
    }

    @Test func anErrorAfterALostAnswerSaysTheEarlierAttemptMayHaveWorked() async throws {
        let conflict = "<Response><Errors><Error><Code>InvalidSubnet.Conflict</Code><Message>The CIDR '10.0.0.0/24' conflicts with another subnet</Message></Error></Errors><RequestID>r</RequestID></Response>"
        let afterReset = FakeTransport([.fail(AWSTransportError(.connectionClosed, "connection reset by peer")), FakeTransport.xml(400, conflict)])
        let error = await #expect(throws: AWSError.self) { _ = try await EC2(core: Fixture.core(afterReset)).call(action: "CreateSubnet") }
        #expect(error?.code == "InvalidSubnet.Conflict")
        #expect(error?.followsUncertainAttempt == true)
        #expect(error?.description.contains("may have taken effect") == true)

        // Throttling is refused before any work is done: the conflict then is a plain one.
        let afterThrottle = FakeTransport([FakeTransport.xml(503, Self.throttled), FakeTransport.xml(400, conflict)])
        let plain = await #expect(throws: AWSError.self) { _ = try await EC2(core: Fixture.core(afterThrottle)).call(action: "CreateSubnet") }
        #expect(plain?.followsUncertainAttempt == false)
    }

    @Test func transportTimeoutBecomesTimeoutKind() async throws {
        let transport = FakeTransport([.fail(AWSTransportError(.connectTimeout, "connect timed out"))])
        let error = await #expect(throws: AWSError.self) { try await EC2(core: Fixture.core(transport, maxAttempts: 2)).describeVpcs() }
        #expect(error?.kind == .timeout)
        #expect(await transport.requests.count == 2)
    }

    @Test func parsesQueryErrorResponse() {
        let body = "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name x cannot be found.</Message></Error><RequestId>iam-req</RequestId></ErrorResponse>"
        let details = AWSQueryProtocol.parseError(AWSHTTPResponse(status: 404, headers: [:], body: Array(body.utf8)))
        #expect(details == AWSErrorDetails(code: "NoSuchEntity", message: "The role with name x cannot be found.", requestID: "iam-req"))
    }

    @Test func parsesEC2ErrorResponse() {
        let details = AWSQueryProtocol.parseError(AWSHTTPResponse(status: 503, headers: [:], body: Array(Self.throttled.utf8)))
        #expect(details.code == "RequestLimitExceeded")
        #expect(details.requestID == "req-throttle")
        #expect(!details.isForeignDocument)
    }

    @Test func parsesS3ErrorAndBodylessHead() {
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>b</BucketName><RequestId>s3-req</RequestId></Error>"
        let details = AWSRESTXMLProtocol.parseError(AWSHTTPResponse(status: 404, headers: [:], body: Array(body.utf8)))
        #expect(details == AWSErrorDetails(code: "NoSuchBucket", message: "The specified bucket does not exist", requestID: "s3-req"))
        let head = AWSRESTXMLProtocol.parseError(AWSHTTPResponse(status: 404, headers: ["x-amz-request-id": "h"], body: []))
        #expect(head.code == "NotFound")
        #expect(head.requestID == "h")
        #expect(!head.isForeignDocument)
    }

    @Test func parsesJSONErrors() {
        let body = "{\"__type\":\"com.amazonaws.logs#ResourceNotFoundException\",\"message\":\"The specified log group does not exist.\"}"
        let details = AWSJSONProtocol.parseError(AWSHTTPResponse(status: 400, headers: ["x-amzn-RequestId": "j"], body: Array(body.utf8)))
        #expect(details == AWSErrorDetails(code: "ResourceNotFoundException", message: "The specified log group does not exist.", requestID: "j"))
        let throttled = AWSJSONProtocol.parseError(AWSHTTPResponse(status: 400, headers: [:], body: Array("{\"__type\":\"ThrottlingException\",\"Message\":\"Rate exceeded\"}".utf8)))
        #expect(throttled.code == "ThrottlingException")
        #expect(throttled.message == "Rate exceeded")
    }

    @Test func jsonThrottlingIsRetried() async throws {
        let transport = FakeTransport([FakeTransport.json(400, "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}"),
                                       FakeTransport.json(200, "{\"Parameter\":{\"Name\":\"/p\",\"Value\":\"ami-123\",\"Type\":\"String\",\"Version\":1}}")])
        let parameter = try await SSM(core: Fixture.core(transport)).getParameter(name: "/p")
        #expect(parameter.value == "ami-123")
        let sent = await transport.requests
        #expect(sent.count == 2)
        #expect(sent.first?.headerValue("X-Amz-Target") == "AmazonSSM.GetParameter")
        #expect(sent.first?.headerValue("Content-Type") == "application/x-amz-json-1.1")
    }

    @Test func errorKindsFromCodes() {
        for code in ["Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "RequestThrottled", "SlowDown"] {
            let error = AWSErrorDetails(code: code, message: "").asError(status: 400)
            #expect(error.kind == .throttling, "\(code)")
        }
        #expect(AWSErrorDetails(code: "ServiceUnavailable", message: "").asError(status: 503).kind == .server)
        #expect(AWSErrorDetails(code: "InternalError", message: "").asError(status: 500).kind == .server)
        #expect(AWSErrorDetails(code: "InvalidParameterValue", message: "").asError(status: 400).kind == .client)
    }
}

extension AWSErrorDetails {
    func asError(status: Int) -> AWSError { makeError(service: "ec2", action: "Test", statusCode: status) }
}

@Suite struct MotoErrorShapeTests {
    /// moto's signature errors wrap the error in both ErrorResponse and Errors.
    @Test func parsesErrorResponseWithErrorsList() {
        let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error></Errors><RequestId>m</RequestId></ErrorResponse>"
        let details = AWSQueryProtocol.parseError(AWSHTTPResponse(status: 403, headers: [:], body: Array(body.utf8)))
        #expect(details.code == "SignatureDoesNotMatch")
        #expect(details.requestID == "m")
        #expect(!details.isForeignDocument)
    }
}
