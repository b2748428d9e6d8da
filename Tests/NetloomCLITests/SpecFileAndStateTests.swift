import Foundation
import NetloomEngine
import Testing

@Suite("spec files that are not files, and the run lock")
struct SpecFileAndStateTests {
    func scratch() throws -> String {
        let directory = NSTemporaryDirectory() + "netloom-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test("a FIFO, a device, a symlink loop and an oversized file each get a plain located message and exit 65, without blocking")
    func notRegularFiles() throws {
        let directory = try scratch()
        let fifo = directory + "/spec.yaml"
        #expect(mkfifo(fifo, 0o600) == 0)
        let fifoRun = try NetloomRun(["validate", fifo])
        #expect(fifoRun.status == 65)
        #expect(fifoRun.stderr.hasPrefix("\(fifo):1:1: error: is not a regular file (it is a FIFO)"), "\(fifoRun.stderr)")

        let device = try NetloomRun(["validate", "/dev/null"])
        #expect(device.status == 65)
        #expect(device.stderr.contains("/dev/null:1:1: error: is not a regular file (it is a device)"), "\(device.stderr)")

        let loop = directory + "/loop.yaml"
        try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: loop)
        let loopRun = try NetloomRun(["plan", "--offline", loop])
        #expect(loopRun.status == 65)
        #expect(loopRun.stderr.contains("\(loop):1:1: error: cannot read the spec: too many levels of symbolic links"), "\(loopRun.stderr)")
        #expect(!loopRun.stderr.contains("Error Domain"), "a raw Foundation error: \(loopRun.stderr)")

        let large = directory + "/large.yaml"
        try Data(repeating: UInt8(ascii: "#"), count: 9_332_000).write(to: URL(fileURLWithPath: large))
        let largeRun = try NetloomRun(["validate", large])
        #expect(largeRun.status == 65)
        #expect(largeRun.stderr.contains("error: the spec is 8.9 MiB; specs larger than 8 MiB are refused"), "\(largeRun.stderr)")
    }

    @Test("state unlock removes a lock left by another host, refuses a live one without --force, and says when there is none")
    func unlock() throws {
        let directory = try scratch()
        let spec = directory + "/spec.yaml"
        try String(contentsOfFile: NetloomRun.example("ml-workstation.yaml"), encoding: .utf8).write(toFile: spec, atomically: true, encoding: .utf8)
        let state = directory + "/state.sqlite"

        let none = try NetloomRun(["state", "unlock", spec, "--state", state])
        #expect(none.status == 1 && none.stderr.contains("there is no state at \(state)"), "\(none.stderr)")

        // A run on another machine that died holding the lock.
        _ = try StateStore(path: state).beginRun(command: "apply", processID: 4242, host: "ci-runner-7")
        let blocked = try NetloomRun(["state", "unlock", spec, "--state", state, "--format", "json"])
        #expect(blocked.status == 64, "unlock takes no --format")
        let foreign = try NetloomRun(["state", "unlock", spec, "--state", state])
        #expect(foreign.status == 0, "\(foreign.stderr)")
        #expect(foreign.stdout.contains("Removed the lock of pid 4242 on ci-runner-7"), "\(foreign.stdout)")
        #expect(try StateStore(path: state).lockHolder() == nil)
        let again = try NetloomRun(["state", "unlock", spec, "--state", state])
        #expect(again.status == 0 && again.stdout.contains("is not locked"), "\(again.stdout)")

        // A run on this machine that is still alive (this test process).
        _ = try StateStore(path: state).beginRun(command: "destroy", processID: getpid(), host: ProcessInfo.processInfo.hostName)
        let live = try NetloomRun(["state", "unlock", spec, "--state", state])
        #expect(live.status == 1 && live.stderr.contains("still running; stop it first, or use --force"), "\(live.stderr)")
        #expect(try StateStore(path: state).lockHolder()?.pid == getpid())
        let forced = try NetloomRun(["state", "unlock", spec, "--state", state, "--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try StateStore(path: state).lockHolder() == nil)
    }
}

@Suite("a damaged state file")
struct DamagedStateTests {
    /// Fake credentials and an endpoint where nothing listens: a command that got as far as
    /// calling AWS would say "connection refused" (and retry); one stopped by the state says
    /// nothing of the kind.
    static let environment = [
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
    ]

    @Test("truncated, garbage or a directory: plan, apply, drift and destroy exit 1 naming it, before any AWS call", arguments: ["truncated", "garbage", "directory"])
    func damaged(kind: String) throws {
        let directory = NSTemporaryDirectory() + "netloom-damaged-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let spec = directory + "/spec.yaml"
        try String(contentsOfFile: NetloomRun.example("ml-workstation.yaml"), encoding: .utf8).write(toFile: spec, atomically: true, encoding: .utf8)
        let state = directory + "/state.sqlite"
        switch kind {
        case "truncated":
            // A real state cut short: the header promises pages that are not there.
            _ = try StateStore(path: state).beginRun(command: "apply", processID: 1, host: "elsewhere")
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: state + suffix) }
            let whole = try Data(contentsOf: URL(fileURLWithPath: state))
            try whole.prefix(whole.count / 3).write(to: URL(fileURLWithPath: state))
        case "garbage":
            try Data((0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }).write(to: URL(fileURLWithPath: state))
        default:
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        }
        let before = try FileManager.default.attributesOfItem(atPath: state)[.size] as? Int
        for command in [["plan"], ["apply", "--auto-approve"], ["drift"], ["destroy", "--auto-approve"]] {
            let run = try NetloomRun(command + [spec, "--state", state], environment: Self.environment)
            #expect(run.status == 1, "\(command[0]) on a \(kind) state: \(run.stderr)")
            #expect(run.stderr.contains("cannot use the state \(state)"), "\(command[0]) on a \(kind) state: \(run.stderr)")
            #expect(!run.stderr.contains("connection refused") && !run.stderr.contains("retrying"), "\(command[0]) called AWS: \(run.stderr)")
        }
        #expect(try FileManager.default.attributesOfItem(atPath: state)[.size] as? Int == before, "the damaged state was written to")
    }
}
