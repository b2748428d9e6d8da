#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Runs a program to the end and reports its wall time, peak memory and exit status. Built on
/// posix_spawn and wait4 rather than Foundation's Process, whose wait polls in 0.1 s steps and
/// would blur benchmark figures.
public enum TimedChild {
    public struct Outcome: Sendable {
        public var seconds: Double
        public var peakKiB: Int
        /// The exit status, or nil when a signal ended the program.
        public var exitCode: Int32?
    }

    public struct SpawnFailed: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Standard output and error go to the given files (default: discarded).
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           stdoutPath: String = "/dev/null", stderrPath: String = "/dev/null") throws -> Outcome {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let variables = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup($0) } + [nil]
        defer { envp.forEach { free($0) } }
        let start = DispatchTime.now()
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw SpawnFailed(description: "cannot start \(executable): error \(spawned)") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0, errno == EINTR {}
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let signalled = status & 0x7f != 0
        return Outcome(seconds: seconds, peakKiB: usage.ru_maxrss, exitCode: signalled ? nil : (status >> 8) & 0xff)
    }
}
