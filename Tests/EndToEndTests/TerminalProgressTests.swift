#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import MotoHarness
import Testing

/// Whether tmux can be used here; under `CI=true` a missing tmux fails the test instead.
enum TmuxAvailability {
    static let executablePath: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/tmux" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var shouldRun: Bool { (executablePath != nil && MotoAvailability.executablePath != nil) || MotoAvailability.isCI }
}

/// A terminal of fixed size that a test types into and reads, as a person would look at it:
/// a detached tmux session on its own server socket, killed when the test ends.
final class TmuxTerminal {
    let tmux: String
    let socket = "netloom-test-\(UUID().uuidString.prefix(8))"
    let session = "run"

    init(tmux: String) {
        self.tmux = tmux
    }

    /// Runs one tmux command and returns what it printed.
    ///
    /// Spawned and waited for by hand, not with `Process`: on Linux, Foundation learns that a
    /// child ended from a descriptor the child inherits, and the server that `new-session`
    /// forks keeps it open, so `waitUntilExit` would never return.
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let outputPath = NSTemporaryDirectory() + "tmux-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Its own server (-L), no user configuration (-f).
        let argv = [tmux, "-L", socket, "-f", "/dev/null"] + arguments
        let cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        // The calling thread blocks most signals (the concurrency runtime's threads do), and a
        // spawned process inherits that mask: a tmux server with SIGTERM blocked ignores
        // kill-server. Start it with nothing blocked and the usual dispositions.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var nothing = sigset_t()
        sigemptyset(&nothing)
        posix_spawnattr_setsigmask(&attributes, &nothing)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGTERM, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, tmux, &actions, &attributes, cArguments, environ)
        guard spawned == 0 else { throw CommandRunner.CLIError(message: "cannot start tmux: error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED and WEXITSTATUS, which Swift does not import.
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw CommandRunner.CLIError(message: "tmux \(arguments.joined(separator: " ")) (status \(status)): \(text)")
        }
        return text
    }

    /// Starts `script` in a new session `columns` × `rows`.
    func start(script: String, columns: Int = 100, rows: Int = 30) throws {
        try run(["new-session", "-d", "-s", session, "-x", "\(columns)", "-y", "\(rows)", "sh \(script)"])
    }

    /// The visible screen, one string per row, trailing spaces removed (no colours).
    func screen() throws -> [String] {
        try run(["capture-pane", "-p", "-t", session]).components(separatedBy: "\n").map { line in
            String(line.reversed().drop { $0 == " " }.reversed())
        }
    }

    func kill() {
        _ = try? run(["kill-server"])
    }

    deinit {
        kill()
    }
}

/// `netloom apply` as it looks in a terminal: a real pseudo-terminal (tmux), a real moto behind
/// a proxy that makes the NAT gateway take a few polls to become available, as on AWS.
@Suite("apply and destroy on a terminal, and without one", .serialized, .enabled(if: TmuxAvailability.shouldRun, "tmux or moto_server is not installed"))
struct TerminalProgressTests {
    static let spec = """
        stack: termdemo
        region: us-east-1
        network:
          cidr: 10.0.0.0/16
          azs: [us-east-1a, us-east-1b]
          nat: single
        subnets:
          public: { tier: public, size: /24 }
          private: { tier: private, size: /24 }
        security_groups:
          app:
            description: HTTPS inside the VPC
            ingress:
              - { from: vpc, protocol: tcp, ports: 443, description: HTTPS }

        """

    /// The status line: `[3/21] 5s elapsed, about 12s left · creating ...`.
    static let statusLine = #"^\[\d+/\d+\] \d+[smh0-9]* elapsed"#
    /// A finished change's line: `[3/21] created vpc (0.2s)`.
    static let changeLine = #"^\[\d+/\d+\] (created|updated|replaced|deleted) "#

    struct Watched {
        var screens: [[String]] = []
        var last: [String] = []
    }

    func tools() throws -> String {
        guard let tmux = TmuxAvailability.executablePath else {
            throw CommandRunner.CLIError(message: "tmux is not on PATH (CI=true: this is a failure, not a skip)")
        }
        return tmux
    }

    /// Writes a script that runs netloom with `arguments` against `endpoint`, then says how it
    /// exited and keeps the pane open; starts it in `terminal` and reads the screen every 100
    /// ms until the exit line shows (at most two minutes).
    func watch(_ arguments: [String], runner: CommandRunner, endpoint: String, terminal: TmuxTerminal) async throws -> Watched {
        var environment = runner.environment
        environment["AWS_ENDPOINT_URL"] = endpoint
        environment["NO_COLOR"] = nil
        let exports = environment.sorted { $0.key < $1.key }.map { "export \($0.key)='\($0.value)'" }.joined(separator: "\n")
        let quoted = ([CommandRunner.netloomPath] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let script = runner.workDirectory + "/run-\(UUID().uuidString.prefix(6)).sh"
        try """
            \(exports)
            cd '\(runner.workDirectory)'
            \(quoted)
            echo "[exit $?]"
            exec sleep 600

            """.write(toFile: script, atomically: true, encoding: .utf8)
        try terminal.start(script: script)
        // Polled from threads of its own, so other tests waiting for their children on the
        // cooperative pool cannot hold the captures back until the run is over.
        return try await withTaskExecutorPreference(DedicatedTaskExecutor.polling) {
            var watched = Watched()
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline {
                let screen = try terminal.screen()
                watched.screens.append(screen)
                if screen.contains(where: { $0.hasPrefix("[exit ") }) {
                    watched.last = screen
                    return watched
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw CommandRunner.CLIError(message: "the run did not end in 120 s; the screen:\n" + (watched.screens.last ?? []).joined(separator: "\n"))
        }
    }

    static func matches(_ line: String, _ pattern: String) -> Bool { line.range(of: pattern, options: .regularExpression) != nil }

    @Test("apply shows n/total, the wait for the NAT gateway with its state, a line per change, and ends on the summary with no partial line left")
    func liveProgress() async throws {
        let tmux = try tools()
        let moto = try await SharedMotoServers.instance.server(for: #fileID)
        try moto.reset()
        let proxy = try await FaultInjectingProxy(upstream: moto.endpointURL, faultRate: 0, pendingPolls: 4, latency: .milliseconds(60))
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        let terminal = TmuxTerminal(tmux: tmux)
        defer { terminal.kill() }
        try Self.spec.write(toFile: runner.workDirectory + "/spec.yaml", atomically: true, encoding: .utf8)

        let watched = try await watch(["apply", "spec.yaml", "--auto-approve", "--parallelism", "2"], runner: runner, endpoint: proxy.endpointURL, terminal: terminal)
        await proxy.stop()
        let final = watched.last
        let shown = final.joined(separator: "\n")

        // While it ran, a person saw the status line at the bottom, with done < total.
        let statusLines = watched.screens.compactMap { screen in screen.last { !$0.isEmpty } }.filter { Self.matches($0, Self.statusLine) }
        #expect(!statusLines.isEmpty, "no status line was ever on the screen; last screen:\n\(shown)")
        let partial = statusLines.first { line in
            let numbers = line.dropFirst().prefix { $0 != "]" }.split(separator: "/").compactMap { Int($0) }
            return numbers.count == 2 && numbers[0] < numbers[1]
        }
        #expect(partial != nil, "no status line with done < total: \(statusLines.prefix(5))")
        #expect(statusLines.allSatisfy { $0.count <= 99 }, "a status line is wider than the terminal: \(statusLines.max { $0.count < $1.count } ?? "")")
        #expect(statusLines.contains { $0.contains("nat_gateway:") && $0.contains("(pending, ") },
                "the wait for the NAT gateway was never shown: \(statusLines.suffix(10))")

        // At the end: the summary, then the shell's line; no status line left behind.
        #expect(final.contains { $0.hasPrefix("Apply complete! Resources: ") && $0.hasSuffix(" added, 0 changed, 0 replaced, 0 destroyed.") }, "\(shown)")
        let exit = try #require(final.firstIndex { $0.hasPrefix("[exit ") })
        #expect(final[exit] == "[exit 0]", "\(shown)")
        #expect(final[exit - 1].hasPrefix("Apply complete!"), "the line above the exit is not the summary:\n\(shown)")
        #expect(!final.contains { Self.matches($0, Self.statusLine) || $0.contains("elapsed") }, "a status line was left:\n\(shown)")
        #expect(final.contains { Self.matches($0, Self.changeLine) }, "no per-change lines:\n\(shown)")
        print("the terminal at the end of apply (100x30):\n" + shown)
        if let screen = watched.screens.last(where: { $0.contains { $0.contains("(pending, ") } }) {
            print("the terminal while waiting for the NAT gateway:\n" + screen.joined(separator: "\n"))
        }
    }

    @Test("--quiet: no plan, no per-change lines, no status line; only the summary")
    func quiet() async throws {
        let tmux = try tools()
        let moto = try await SharedMotoServers.instance.server(for: #fileID)
        try moto.reset()
        let proxy = try await FaultInjectingProxy(upstream: moto.endpointURL, faultRate: 0, pendingPolls: 2, latency: .milliseconds(20))
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        try Self.spec.write(toFile: runner.workDirectory + "/spec.yaml", atomically: true, encoding: .utf8)

        for (arguments, summary) in [(["apply", "spec.yaml", "--auto-approve", "--quiet"], "Apply complete! Resources: "),
                                     (["destroy", "spec.yaml", "--auto-approve", "--quiet"], "Destroy complete! Resources: ")] {
            let terminal = TmuxTerminal(tmux: tmux)
            defer { terminal.kill() }
            let watched = try await watch(arguments, runner: runner, endpoint: proxy.endpointURL, terminal: terminal)
            let shown = watched.last.joined(separator: "\n")
            let everything = watched.screens.flatMap { $0 }
            #expect(!everything.contains { Self.matches($0, Self.statusLine) || Self.matches($0, Self.changeLine) },
                    "\(arguments[0]) --quiet showed progress:\n\(shown)")
            #expect(!everything.contains { $0.hasPrefix("netloom will perform") || $0.contains("# subnet") }, "the plan was printed:\n\(shown)")
            let visible = watched.last.filter { !$0.isEmpty }
            #expect(visible.count == 2 && visible[0].hasPrefix(summary) && visible[1] == "[exit 0]", "\(arguments[0]) --quiet:\n\(shown)")
            print("the terminal after \(arguments.joined(separator: " ")):\n" + shown)
        }
        await proxy.stop()
    }

    @Test("without a terminal nothing is drawn: no erase sequence and no status line, one plain line per finished change; --quiet leaves the summary alone")
    func withoutTerminal() async throws {
        let moto = try await SharedMotoServers.instance.server(for: #fileID)
        try moto.reset()
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        try Self.spec.write(toFile: runner.workDirectory + "/spec.yaml", atomically: true, encoding: .utf8)

        let apply = try await runner.netloom("apply", "spec.yaml", "--auto-approve")
        #expect(apply.status == 0, "\(apply.stderr)")
        for text in [apply.stdout, apply.stderr] {
            #expect(!text.contains("\r") && !text.contains("\u{1B}"), "terminal control in piped output: \(text.debugDescription.prefix(300))")
            #expect(!text.components(separatedBy: "\n").contains { Self.matches($0, Self.statusLine) })
        }
        // A CI log still shows the run going on: each finished change once, in order of finishing.
        let changeLines = apply.stderr.components(separatedBy: "\n").filter { Self.matches($0, Self.changeLine) }
        #expect(changeLines.count == 23, "\(apply.stderr)")
        #expect(changeLines.first?.hasPrefix("[1/23] ") == true && changeLines.last?.hasPrefix("[23/23] ") == true, "\(changeLines)")
        #expect(apply.stdout.contains("Plan: 23 to add") && apply.stdout.hasSuffix("Apply complete! Resources: 23 added, 0 changed, 0 replaced, 0 destroyed.\n"))

        let destroy = try await runner.netloom("destroy", "spec.yaml", "--auto-approve", "--quiet")
        #expect(destroy.status == 0, "\(destroy.stderr)")
        #expect(destroy.stdout == "Destroy complete! Resources: 23 destroyed.\n")
        #expect(destroy.stderr.isEmpty, "\(destroy.stderr)")
    }
}
