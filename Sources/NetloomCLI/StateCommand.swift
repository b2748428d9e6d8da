import ArgumentParser
import Foundation
import NetloomEngine

struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Look after the state database.",
        subcommands: [StateUnlockCommand.self]
    )
}

struct StateUnlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Remove the run lock of a run that is gone (its machine rebooted, its CI job was killed).",
        discussion: """
        apply and destroy hold a lock in the state while they run, so that two runs never work
        on one stack at once. A run whose process is gone from this machine loses its lock by
        itself; a lock taken on another machine stays until this command removes it. A lock
        whose process still runs on this machine is removed only with --force.

        Examples:
          netloom state unlock examples/inference.yaml
          netloom state unlock spec.yaml --state ci/.netloom/inference.sqlite
        """
    )

    @OptionGroup var spec: SpecOptions

    @Flag(name: .long, help: "Remove the lock even though its process still runs on this machine.")
    var force = false

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        let loaded = try SpecInput.load(spec, console: console)
        let path = EngineSession.statePath(spec, stack: loaded.stack)
        guard FileManager.default.fileExists(atPath: path) else {
            console.error("there is no state at \(path); nothing to unlock")
            throw ExitStatus.runtimeFailure
        }
        do {
            let state = try StateStore(path: path)
            guard let holder = try state.lockHolder() else {
                console.write("The state \(path) is not locked.")
                return
            }
            let here = ProcessInfo.processInfo.hostName
            if holder.host == here, StateStore.processIsAlive(holder.pid), !force {
                console.error("the lock is held by \(holder), which is still running; stop it first, or use --force")
                throw ExitStatus.runtimeFailure
            }
            try state.releaseLock()
            console.write("Removed the lock of \(holder) from \(path).")
        } catch let error as StateError {
            console.error(error.description)
            throw ExitStatus.runtimeFailure
        }
    }
}
