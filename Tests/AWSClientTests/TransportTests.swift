import AWSClient
import AWSSigV4
import Foundation
import Logging
import MotoHarness
import Testing

/// The AsyncHTTPClient transport's failure mapping, against local sockets only.
@Suite struct TransportTests {
    @Test func readTimeoutBecomesTimeoutAndIsRetried() async throws {
        let listener = try SilentListener()
        let transport = AsyncHTTPClientTransport(connectTimeout: .seconds(2), readTimeout: .milliseconds(200))
        let counting = CountingTransport(transport)
        let core = AWSClientCore(transport: counting, credentials: Fixture.credentials, region: "us-east-1",
                                 endpointURL: "http://127.0.0.1:\(listener.port)",
                                 retry: AWSRetryPolicy(maxAttempts: 2, sleep: { _ in }, random: { 0 }))
        let error = await #expect(throws: AWSError.self) { try await STS(core: core).getCallerIdentity() }
        try await transport.shutdown()
        #expect(error?.kind == .timeout)
        #expect(await counting.count == 2)
    }

    @Test func refusedConnectionIsATransportError() async throws {
        // A port that was free a moment ago and has no listener now.
        let port = try MotoServer.freePort()
        let transport = AsyncHTTPClientTransport(connectTimeout: .seconds(2), readTimeout: .seconds(2))
        let thrown: (any Error)?
        do {
            _ = try await transport.send(AWSHTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)/", headers: [], body: []))
            thrown = nil
        } catch {
            thrown = error
        }
        try await transport.shutdown()
        let transportError = try #require(thrown as? AWSTransportError)
        #expect(transportError.reason == .connectionFailed)
    }

    @Test func retriedCreatesResendTheSameClientToken() async throws {
        let throttled = "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>slow down</Message></Error></Errors><RequestID>r</RequestID></Response>"
        let launched = "<RunInstancesResponse><instancesSet><item><instanceId>i-1</instanceId><instanceState><name>pending</name></instanceState></item></instancesSet></RunInstancesResponse>"
        let transport = FakeTransport([FakeTransport.xml(503, throttled), FakeTransport.xml(200, launched)])
        let instances = try await EC2(core: Fixture.core(transport)).runInstances(.init(imageID: "ami-1", instanceType: "t3.micro"))
        #expect(instances.map(\.instanceID) == ["i-1"])
        #expect(instances.first?.state == "pending")
        let tokens = await transport.requests.map { request in
            String(decoding: request.body, as: UTF8.self).split(separator: "&").first { $0.hasPrefix("ClientToken=") }
        }
        #expect(tokens.count == 2)
        #expect(tokens[0] != nil)
        #expect(tokens[0] == tokens[1])
    }

    @Test func coreResolvesFromEnvironmentAndFiles() throws {
        let files = ["/home/me/.aws/credentials": "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = devsecret\n",
                     "/home/me/.aws/config": "[profile dev]\nregion = eu-west-3\n"]
        let core = try AWSClientCore.resolve(environment: ["HOME": "/home/me", "AWS_ENDPOINT_URL_EC2": "http://127.0.0.1:9"],
                                             readFile: { files[$0] }, profile: "dev", transport: FakeTransport([]))
        #expect(core.credentials.accessKeyID == "AKIDDEV")
        #expect(core.region == "eu-west-3")
        #expect(try core.endpoint(for: .ec2).hostHeader == "127.0.0.1:9")
        #expect(try core.endpoint(for: .sts).host == "sts.eu-west-3.amazonaws.com")
        #expect(!core.description.contains("devsecret"))

        #expect(throws: AWSClientCore.SetupError.noRegion(profile: "default")) {
            try AWSClientCore.resolve(environment: ["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "B"], readFile: { _ in nil },
                                      transport: FakeTransport([]))
        }
        #expect(throws: AWSClientCore.SetupError.noCredentials(profile: "default")) {
            try AWSClientCore.resolve(environment: ["AWS_REGION": "us-east-1"], readFile: { _ in nil }, transport: FakeTransport([]))
        }
    }
}
