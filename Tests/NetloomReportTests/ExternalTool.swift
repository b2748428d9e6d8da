import Foundation
import NetloomTestSupport
import Testing

/// A program the report tests drive (chromium, dot, the netloom binary), found on PATH.
///
/// As with moto (Tests/MotoHarness): without `CI=true` a missing tool skips its tests with a
/// message; under `CI=true` the tests run anyway and fail on the missing tool, never skip.
struct ExternalTool {
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    static func find(_ names: [String]) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for name in names {
            for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
                return "\(directory)/\(name)"
            }
        }
        return nil
    }

    static let chromium = find(["chromium", "chromium-browser", "google-chrome"])
    static let dot = find(["dot"])

    /// Mermaid's own parser (mermaid.min.js), run in headless chromium. `.ci/run` installs the
    /// PyPI package `artoo-mermaid`, which vendors it, under `.build/mermaid`;
    /// `NETLOOM_MERMAID_JS` points elsewhere.
    static let mermaidScript: String? = {
        if let path = ProcessInfo.processInfo.environment["NETLOOM_MERMAID_JS"], FileManager.default.fileExists(atPath: path) { return path }
        let installed = ExampleSpecs.packageRoot.appendingPathComponent(".build/mermaid/artoo_mermaid/assets/mermaid.min.js").path
        return FileManager.default.fileExists(atPath: installed) ? installed : nil
    }()

    static var chromiumShouldRun: Bool { chromium != nil || isCI }
    static var dotShouldRun: Bool { dot != nil || isCI }
    static var mermaidShouldRun: Bool { (chromium != nil && mermaidScript != nil) || isCI }

    /// The tool's path, or a test failure naming how to install it.
    static func require(_ path: String?, _ what: String) throws -> String {
        try #require(path != nil, "\(what) is missing (.ci/run installs it); without CI=true these tests are skipped")
        return path!
    }

    struct Outcome: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs a program with a deadline; output goes through files so a large DOM cannot block
    /// the child on a full pipe.
    /// Waited for on a thread of its own, so a browser that takes a minute does not hold one of
    /// the test process's few cooperative threads.
    static func run(_ executable: String, _ arguments: [String], stdin: String? = nil, timeout: Double = 90) async throws -> Outcome {
        let (outcome, timedOut) = try await onOwnThread { try runBlocking(executable, arguments, stdin: stdin, timeout: timeout) }
        if timedOut { Issue.record("\(executable) \(arguments.joined(separator: " ")) did not finish in \(Int(timeout)) s") }
        return outcome
    }

    static func runBlocking(_ executable: String, _ arguments: [String], stdin: String?, timeout: Double) throws -> (Outcome, timedOut: Bool) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("netloom-tool-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("out"), errURL = directory.appendingPathComponent("err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        if let stdin {
            let inURL = directory.appendingPathComponent("in")
            try stdin.write(to: inURL, atomically: true, encoding: .utf8)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let timedOut = process.isRunning
        if timedOut { process.terminate() }
        process.waitUntilExit()
        return (Outcome(status: process.terminationStatus,
                        stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                        stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""), timedOut)
    }

    /// Headless chromium flags that make it usable in a container and keep it off the network
    /// (it would otherwise phone home for updates and field trials).
    static let chromiumFlags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]

    /// The netloom binary `swift test` built beside the test bundle.
    static var netloom: String {
        let besideTests = Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("netloom")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests.path }
        return ExampleSpecs.packageRoot.appendingPathComponent(".build/debug/netloom").path
    }
}
