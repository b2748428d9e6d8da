import AWSClient
import AWSSigV4
import Logging
import MotoHarness
import Testing

/// The retry policy against a proxy that throttles, fails and drops 30 % of the calls to moto.
@Suite(.serialized, .enabled(if: MotoAvailability.shouldRun, "moto_server not installed; skipped outside CI"))
struct FaultInjectionTests {
    @Test("idempotent calls of every protocol succeed through 30 % injected throttling, 500s and resets")
    func retriesThroughFaults() async throws {
        let moto = try await freshSharedMoto()
        let proxy = try await FaultInjectingProxy(upstream: moto.endpointURL, faultRate: 0.3, seed: 7)
        let transport = AsyncHTTPClientTransport(connectTimeout: .seconds(5), readTimeout: .seconds(30))
        let core = AWSClientCore(
            transport: transport, credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            region: "us-east-1", endpointURL: proxy.endpointURL,
            retry: AWSRetryPolicy(maxAttempts: 10, base: .milliseconds(1), cap: .milliseconds(5)),
            logger: Logger(label: "fault-test", factory: { _ in SwiftLogNoOpLogHandler() }))
        do {
            for _ in 0..<25 {
                _ = try await EC2(core: core).describeVpcs()                 // EC2 Query
                _ = try await STS(core: core).getCallerIdentity()             // Query
                _ = try await CloudWatchLogs(core: core).call(action: "DescribeLogGroups", body: [:])  // JSON 1.1
                _ = try await EKS(core: core).listClusters()                  // REST-JSON
            }
            let counts = proxy.counts
            #expect(counts.forwarded >= 100)
            for fault in FaultInjectingProxy.Fault.allCases {
                #expect((counts.faults[fault] ?? 0) > 0, "no \(fault) was injected in \(counts.total) calls")
            }
        } catch {
            Issue.record("a call failed through the proxy: \(error)")
        }
        try await transport.shutdown()
        await proxy.stop()
    }
}
