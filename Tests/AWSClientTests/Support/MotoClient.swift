import AWSClient
import AWSSigV4
import Logging
import MotoHarness

/// Runs `body` with a client core pointed at `server` with fake credentials, over a real
/// AsyncHTTPClient transport that is shut down afterwards.
func withMotoCore<Result: Sendable>(
    _ server: MotoServer,
    credentials: AWSCredentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
    region: String = "us-east-1",
    retry: AWSRetryPolicy = AWSRetryPolicy(maxAttempts: 2, base: .milliseconds(10), cap: .milliseconds(50)),
    _ body: (AWSClientCore) async throws -> Result
) async throws -> Result {
    let transport = AsyncHTTPClientTransport(connectTimeout: .seconds(5), readTimeout: .seconds(30))
    let core = AWSClientCore(transport: transport, credentials: credentials, region: region, endpointURL: server.endpointURL,
                             retry: retry, logger: Logger(label: "moto-test", factory: { _ in SwiftLogNoOpLogHandler() }))
    do {
        let result = try await body(core)
        try await transport.shutdown()
        return result
    } catch {
        try? await transport.shutdown()
        throw error
    }
}

/// The calling suite's server, reset: for tests in a `.serialized` suite.
func freshSharedMoto(suite: String = #fileID, extraEnvironment: [String: String] = [:]) async throws -> MotoServer {
    let server = try await SharedMotoServers.instance.server(for: suite, extraEnvironment: extraEnvironment)
    try server.reset()
    return server
}

/// Passes requests on to another transport and counts them.
actor CountingTransport: HTTPTransport {
    let inner: any HTTPTransport
    private(set) var count = 0

    init(_ inner: any HTTPTransport) {
        self.inner = inner
    }

    func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        count += 1
        return try await inner.send(request)
    }
}
