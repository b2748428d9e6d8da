import Foundation
import MotoHarness
import NetloomEngine
import NetloomTestSupport
import Testing

/// `netloom apply` against endpoints that are not AWS: a login page with status 200, one that
/// never answers, one that closes every connection, a port nothing listens on, and one that
/// echoes the request (signature and session token) in a 403. Each run must fail with exit
/// status 1, in bounded time, with one error line naming the endpoint and the action, without
/// printing a secret, and without recording anything in the state.
@Suite("netloom against hostile endpoints", .serialized)
struct HostileEndpointTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let token = "IQoJb3JpZ2luX2VjEHostileTestSessionToken+abc/def=="

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
        var elapsed: Duration
        var resourcesInState: Int
        var errorLines: [String] { stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix("error:") } }
    }

    /// Runs `netloom apply` on a copy of the ml-workstation example with its own state file,
    /// waiting on a Dispatch thread: blocking the concurrency pool's few threads for the whole
    /// run would slow every other test's tasks.
    static func apply(endpoint: String, extraArguments: [String] = []) async throws -> Run {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try runBlocking(endpoint: endpoint, extraArguments: extraArguments) })
            }
        }
    }

    static func runBlocking(endpoint: String, extraArguments: [String]) throws -> Run {
        let directory = NSTemporaryDirectory() + "netloom-hostile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spec = directory + "/ml-workstation.yaml"
        let source = ExampleSpecs.path("ml-workstation.yaml")
        try FileManager.default.copyItem(atPath: source, toPath: spec)
        let statePath = directory + "/state.sqlite"

        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandRunner.netloomPath)
        process.arguments = ["apply", spec, "--auto-approve", "--state", statePath] + extraArguments
        process.environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": directory,
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_SESSION_TOKEN": token,
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_CONFIG_FILE": directory + "/none",
            "AWS_SHARED_CREDENTIALS_FILE": directory + "/none",
            "NO_COLOR": "1",
        ]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let started = ContinuousClock.now
        try process.run()
        let finished = CommandRunner.finish((process, out, err))
        let elapsed = ContinuousClock.now - started
        var resources = 0
        if FileManager.default.fileExists(atPath: statePath) {
            resources = try StateStore(path: statePath).resources().count
        }
        return Run(status: finished.status, stdout: finished.stdout, stderr: finished.stderr, elapsed: elapsed, resourcesInState: resources)
    }

    /// What every hostile run must show.
    static func expectCleanFailure(_ run: Run, endpoint: String, within bound: Duration, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(run.status == 1, "exit status \(run.status); stderr: \(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.elapsed < bound, "took \(run.elapsed)", sourceLocation: sourceLocation)
        #expect(run.errorLines.count == 1, "error lines: \(run.errorLines)", sourceLocation: sourceLocation)
        let line = run.errorLines.first ?? ""
        #expect(line.contains(endpoint), "no endpoint in: \(line)", sourceLocation: sourceLocation)
        #expect(line.range(of: #"\b(ec2|sts|iam|s3|logs|ssm|monitoring|elasticloadbalancing) [A-Z][A-Za-z]+"#, options: .regularExpression) != nil,
                "no action in: \(line)", sourceLocation: sourceLocation)
        #expect(!line.contains("errno"), "raw socket text in: \(line)", sourceLocation: sourceLocation)
        for (name, text) in [("stdout", run.stdout), ("stderr", run.stderr)] {
            #expect(!text.contains(secret), "secret key on \(name)", sourceLocation: sourceLocation)
            #expect(!text.contains(token), "session token on \(name)", sourceLocation: sourceLocation)
            #expect(!text.contains(String(token.prefix(20))), "part of the session token on \(name)", sourceLocation: sourceLocation)
            #expect(text.range(of: #"Signature=[0-9a-fA-F]{6,}"#, options: .regularExpression) == nil, "a signature on \(name)", sourceLocation: sourceLocation)
        }
        #expect(run.resourcesInState == 0, "\(run.resourcesInState) resources recorded", sourceLocation: sourceLocation)
    }

    @Test("a login page with status 200 is refused as not an AWS answer; nothing is recorded")
    func loginPage() async throws {
        try await HostileEndpoint.with(.loginPage) { endpoint in
            let run = try await Self.apply(endpoint: endpoint.endpointURL)
            Self.expectCleanFailure(run, endpoint: endpoint.endpointURL, within: .seconds(30))
            #expect(run.errorLines.first?.contains("answered with an HTML page (status 200, title \"Sign in\"), not an AWS answer") == true, "\(run.errorLines)")
            #expect(!run.stdout.contains("Apply complete"))
        }
    }

    @Test("an endpoint that never answers is cut by --timeout, which the error names")
    func silent() async throws {
        try await HostileEndpoint.with(.silent) { endpoint in
            let run = try await Self.apply(endpoint: endpoint.endpointURL, extraArguments: ["--timeout", "20s"])
            Self.expectCleanFailure(run, endpoint: endpoint.endpointURL, within: .seconds(35))
            #expect(run.elapsed >= .seconds(19))
            #expect(run.errorLines.first?.contains("no answer within") == true, "\(run.errorLines)")
            #expect(run.errorLines.first?.contains("--timeout 20s") == true, "\(run.errorLines)")
            #expect(run.errorLines.first?.contains("may have taken effect") == false)
        }
    }

    @Test("an endpoint that closes every connection fails within 30 s, each retry shown")
    func closesAtOnce() async throws {
        try await HostileEndpoint.with(.closeAtOnce) { endpoint in
            let run = try await Self.apply(endpoint: endpoint.endpointURL)
            Self.expectCleanFailure(run, endpoint: endpoint.endpointURL, within: .seconds(30))
            let line = run.errorLines.first ?? ""
            #expect(line.contains("connection closed by the server") || line.contains("connection reset by the server"), "\(run.errorLines)")
            #expect(line.contains("8 attempts"), "\(run.errorLines)")
            #expect(run.errorLines.first?.contains("may have taken effect") == false)
            #expect(run.stderr.contains("retrying sts GetCallerIdentity: connection"), "\(run.stderr)")
            #expect(run.stderr.contains("attempt 8 of 8"))
        }
    }

    @Test("a port nothing listens on fails within 30 s with a clean message")
    func refused() async throws {
        let endpoint = "http://127.0.0.1:\(try MotoServer.freePort())"
        let run = try await Self.apply(endpoint: endpoint)
        Self.expectCleanFailure(run, endpoint: endpoint, within: .seconds(30))
        #expect(run.errorLines.first?.contains("connection refused (\(endpoint), 8 attempts)") == true, "\(run.errorLines)")
        #expect(run.errorLines.first?.contains("may have taken effect") == false)
        #expect(run.stderr.contains("retrying sts GetCallerIdentity: connection refused, attempt 2 of 8"), "\(run.stderr)")
    }

    @Test("a 403 that echoes the request prints neither the signature nor the session token")
    func echoForbidden() async throws {
        try await HostileEndpoint.with(.echoForbidden) { endpoint in
            let run = try await Self.apply(endpoint: endpoint.endpointURL)
            Self.expectCleanFailure(run, endpoint: endpoint.endpointURL, within: .seconds(30))
            #expect(run.errorLines.first?.contains("status 403") == true, "\(run.errorLines)")
            #expect(run.errorLines.first?.contains("<redacted>") == true, "\(run.errorLines)")
        }
    }

    @Test("--timeout must be a duration; a bad one exits 64 naming the flag before any call", arguments: ["10x", "0s", "90", "s", "25h"])
    func badTimeout(value: String) async throws {
        let endpoint = "http://127.0.0.1:\(try MotoServer.freePort())"
        let run = try await Self.apply(endpoint: endpoint, extraArguments: ["--timeout", value])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--timeout must be a duration such as 90s, 10m or 1h30m"), "\(run.stderr)")
        #expect(!run.stderr.contains("retrying"))
    }
}
