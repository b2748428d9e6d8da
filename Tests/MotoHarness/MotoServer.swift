import Foundation
import NetloomTestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a moto server could not be used.
public enum MotoHarnessError: Error, CustomStringConvertible, Sendable {
    case notInstalled
    case didNotStart(port: Int, output: String)
    case resetFailed(status: Int)
    case socket(String)

    public var description: String {
        switch self {
        case .notInstalled:
            return "moto_server is not on PATH (pip install 'moto[server]'); moto tests are skipped, except under CI=true where this fails"
        case .didNotStart(let port, let output): return "moto_server did not answer on 127.0.0.1:\(port) in time; its output ends with:\n\(output)"
        case .resetFailed(let status): return "POST /moto-api/reset answered HTTP \(status)"
        case .socket(let message): return "socket error: \(message)"
        }
    }
}

/// Whether moto tests can run here, and whether a missing moto must fail them.
public enum MotoAvailability {
    /// `CI=true`: a missing tool is a failure, never a skip.
    public static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    public static let executablePath: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/moto_server"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    /// Use as `.enabled(if: MotoAvailability.shouldRun, ...)`: true when moto is installed, and
    /// also under CI, so that the test then runs and fails on the missing server.
    public static var shouldRun: Bool { executablePath != nil || isCI }
}

/// A `moto_server` on 127.0.0.1 at a free port, for the life of this object.
///
/// moto routes each request by the credential scope of its Authorization header, so one URL
/// serves every service. The server runs under a small `sh` watchdog that stops it on SIGTERM
/// (`stop()`) and also when the test process is gone, however it ended, so no server outlives
/// the tests.
public final class MotoServer: @unchecked Sendable {
    // `process` is set once in init and only touched again by `stop()`,
    // which is guarded by `lock`.
    private let process: Process
    private let lock = NSLock()
    private var stopped = false
    private let outputPath: String

    public let port: Int
    public var endpointURL: String { "http://127.0.0.1:\(port)" }

    /// Starts moto with `MOTO_IAM_LOAD_MANAGED_POLICIES=true` (so AWS managed policies such as
    /// AdministratorAccess exist) plus `extraEnvironment`, and waits until it answers.
    ///
    /// The wait is long because a whole test run starts several servers at once while CPU-bound
    /// suites run beside them on few cores: a Python start then takes tens of seconds. Success
    /// returns as soon as the server answers, so the bound only matters when moto is broken.
    public init(extraEnvironment: [String: String] = [:], readyTimeout: Duration = .seconds(120)) async throws {
        guard let executable = MotoAvailability.executablePath else { throw MotoHarnessError.notInstalled }
        port = try Self.freePort()
        outputPath = NSTemporaryDirectory() + "moto-\(port)-\(UUID().uuidString).log"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The watchdog polls the test process: a pipe-close signal is not reliable here because
        // the spawned shell can inherit the pipe's write end as well.
        process.arguments = ["-c", """
            "$0" -H 127.0.0.1 -p "$1" & child=$!
            trap 'kill -KILL $child 2>/dev/null; exit 0' TERM INT
            while kill -0 "$2" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done
            kill -KILL $child 2>/dev/null
            wait $child
            """, executable, String(port), String(getpid())]
        var environment = ProcessInfo.processInfo.environment
        environment["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        for (key, value) in extraEnvironment { environment[key] = value }
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let output = FileHandle(forWritingAtPath: outputPath)
        process.standardOutput = output
        process.standardError = output
        try process.run()

        let deadline = ContinuousClock.now + readyTimeout
        while ContinuousClock.now < deadline {
            // A slow first answer is waited for rather than abandoned: abandoning it and asking
            // again would queue more work on a server that is already behind.
            // On a thread of its own: a blocking read of up to 60 s on the cooperative pool,
            // with several servers starting at once, stalled every other test's tasks.
            let port = port
            if (try? await onOwnThread({ try Self.request(port: port, method: "GET", path: "/moto-api/", readTimeoutSeconds: 60) })) != nil { return }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let log = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        stop()
        throw MotoHarnessError.didNotStart(port: port, output: String(log.suffix(2000)))
    }

    deinit {
        stop()
    }

    /// Forgets every resource (`POST /moto-api/reset`).
    public func reset() throws {
        let status = try Self.request(port: port, method: "POST", path: "/moto-api/reset")
        guard status == 200 else { throw MotoHarnessError.resetFailed(status: status) }
    }

    /// Stops the server and waits for it; safe to call more than once.
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: outputPath)
    }

    /// Binds port 0 on 127.0.0.1 and returns the port the kernel chose. Another process could
    /// take it before moto binds it; on this test-only path that race is accepted.
    public static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw MotoHarnessError.socket("socket() failed") }
        defer { close(descriptor) }
        var address = loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw MotoHarnessError.socket("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw MotoHarnessError.socket("getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func loopbackAddress(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    /// A bodyless HTTP/1.0 request to 127.0.0.1:`port`; returns the status code. Plain sockets
    /// keep the harness free of the HTTP client under test.
    static func request(port: Int, method: String, path: String, readTimeoutSeconds: Int = 30) throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw MotoHarnessError.socket("socket() failed") }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: readTimeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopbackAddress(port: UInt16(port))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw MotoHarnessError.socket("connect() failed") }
        let message = Array("\(method) \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: 0\r\n\r\n".utf8)
        let written = message.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, 0) }
        guard written == message.count else { throw MotoHarnessError.socket("send() failed") }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            answer += buffer[0..<count]
            if answer.count > 12 { break }
        }
        // "HTTP/1.0 200 OK"
        let statusLine = String(decoding: answer.prefix(12), as: UTF8.self)
        guard statusLine.hasPrefix("HTTP/"), let status = Int(statusLine.dropFirst(9).prefix(3)) else {
            throw MotoHarnessError.socket("no HTTP status line")
        }
        return status
    }
}

/// Long-lived moto servers, one per key (a suite name). The tests of one `.serialized` suite
/// share its server and reset it before each test; suites run in parallel on separate servers,
/// so one suite's reset never wipes another's resources.
public actor SharedMotoServers {
    public static let instance = SharedMotoServers()
    private var servers: [String: MotoServer] = [:]

    /// `extraEnvironment` applies when the key's server is first started (a suite that needs
    /// `MOTO_ACM_VALIDATION_WAIT` asks for it under its own key).
    public func server(for key: String, extraEnvironment: [String: String] = [:]) async throws -> MotoServer {
        if let server = servers[key] { return server }
        let started = try await MotoServer(extraEnvironment: extraEnvironment)
        servers[key] = started
        return started
    }
}

/// A TCP socket on 127.0.0.1 that listens but never accepts nor answers: connections complete
/// in the kernel's backlog, and every read on them times out. For transport timeout tests.
public final class SilentListener: Sendable {
    public let port: Int
    private let descriptor: Int32

    public init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw MotoHarnessError.socket("socket() failed") }
        var address = MotoServer.loopbackAddress(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard bound == 0, named == 0, listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw MotoHarnessError.socket("bind/listen failed")
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(descriptor)
    }
}
