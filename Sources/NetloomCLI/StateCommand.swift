import ArgumentParser
import Foundation
import NetloomEngine
import NetloomModel
import NetloomSpec

struct StateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Look after the state: list and show what it records, move it between a file and S3, remove a stale lock.",
        discussion: """
        The state is a SQLite file (default .netloom/<stack>.sqlite beside the spec) or, for a
        team, an object in S3 named by --state s3://BUCKET/KEY, NETLOOM_STATE or the spec's
        `state:` key.

        Examples:
          netloom state list spec.yaml
          netloom state show spec.yaml vpc --format json
          netloom state push spec.yaml .netloom/ml.sqlite --state s3://team-state/netloom/ml.sqlite
          netloom state pull spec.yaml -o backup.sqlite
          netloom state unlock spec.yaml 3f2c9a1e-...
        """,
        subcommands: [StateListCommand.self, StateShowCommand.self, StatePullCommand.self, StatePushCommand.self, StateUnlockCommand.self]
    )
}

/// Opens the state for reading or fails with exit 1 and a message naming it.
private func readableState(_ spec: SpecOptions, console: Console) async throws -> (StateOptions.ReadableState, StackSpec) {
    let loaded = try SpecInput.load(spec, console: console)
    do {
        guard let readable = try await StateOptions.openForReading(spec, spec: loaded, console: console) else {
            console.error("there is no state at \((try? StateOptions.location(spec, spec: loaded).description) ?? "the state's location")")
            throw ExitStatus.runtimeFailure
        }
        return (readable, loaded)
    } catch let exit as ExitCode {
        throw exit
    } catch {
        console.error(String(describing: error))
        throw ExitStatus.runtimeFailure
    }
}

struct StateListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the resources the state records: address, type and AWS id.",
        discussion: """
        Examples:
          netloom state list examples/inference.yaml
          netloom state list spec.yaml --state s3://team-state/netloom/ml.sqlite --format json
        """
    )

    @OptionGroup var spec: SpecOptions
    @OptionGroup var output: FormatOption

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        let (readable, _) = try await readableState(spec, console: console)
        let records: [StateRecord]
        do {
            records = try readable.store.resources().values.sorted { $0.address < $1.address }
            await readable.done()
        } catch {
            await readable.done()
            console.error(String(describing: error))
            throw ExitStatus.runtimeFailure
        }
        switch output.format {
        case .json:
            console.write(JSONText.render(.map([
                "state": .string(readable.name),
                "resources": .list(records.map { .map(["address": .string($0.address), "type": .string($0.type.rawValue), "id": .string($0.awsID)]) }),
            ])))
        case .text:
            let width = min(records.map(\.address.count).max() ?? 0, 60)
            for record in records { console.write("\(record.address.padding(toLength: width))  \(record.awsID)") }
            console.write("\(records.count) resource\(records.count == 1 ? "" : "s") in \(readable.name)")
        }
    }
}

struct StateShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show what the state records of one resource: its AWS id, the ids AWS gave with it, and its fields.",
        discussion: """
        Examples:
          netloom state show examples/inference.yaml vpc
          netloom state show spec.yaml 'subnet:app/eu-west-1a' --format json
        """
    )

    @OptionGroup var spec: SpecOptions

    @Argument(help: ArgumentHelp("The resource's address, as `netloom state list` prints it.", valueName: "address"))
    var address: String

    @OptionGroup var output: FormatOption

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        let (readable, _) = try await readableState(spec, console: console)
        let records: [String: StateRecord]
        do {
            records = try readable.store.resources()
            await readable.done()
        } catch {
            await readable.done()
            console.error(String(describing: error))
            throw ExitStatus.runtimeFailure
        }
        guard let record = records[address] else {
            let hint = DidYouMean.hint(for: address, among: Array(records.keys))
            console.error("the state \(readable.name) has no resource '\(address)'\(hint)")
            throw ExitStatus.runtimeFailure
        }
        let document = PropertyValue.map([
            "address": .string(record.address), "type": .string(record.type.rawValue), "id": .string(record.awsID),
            "attributes": .map(record.attributes.mapValues(PropertyValue.string)), "properties": .map(record.properties),
        ])
        switch output.format {
        case .json: console.write(JSONText.render(document))
        case .text:
            console.write("\(record.address) (\(record.type.rawValue)): \(record.awsID)")
            for (key, value) in record.attributes.sorted(by: { $0.key < $1.key }) { console.write("  \(key) = \(value)") }
            for (key, value) in record.properties.sorted(by: { $0.key < $1.key }) { console.write("  \(key): \(JSONText.render(value).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " "))") }
        }
    }
}

struct StatePullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Copy the state, byte for byte, to a local file (a backup, or the first step of a migration).",
        discussion: """
        Examples:
          netloom state pull spec.yaml -o backup.sqlite
          netloom state pull spec.yaml --state s3://team-state/netloom/ml.sqlite -o ml.sqlite
        """
    )

    @OptionGroup var spec: SpecOptions

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The file to write.", valueName: "file"))
    var outputPath: String

    @Flag(name: .long, help: "Replace the file when it exists.")
    var force = false

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        let loaded = try SpecInput.load(spec, console: console)
        if FileManager.default.fileExists(atPath: outputPath), !force {
            console.error("\(outputPath) exists; use --force to replace it")
            throw ExitStatus.runtimeFailure
        }
        let bytes: [UInt8]?
        do {
            switch try StateOptions.location(spec, spec: loaded) {
            case .file(let path):
                guard FileManager.default.fileExists(atPath: path) else { bytes = nil; break }
                // The log's committed rows go into the file first, so its bytes are the whole state.
                try StateStore(path: path).checkpoint()
                bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            case .s3(let bucket, let key):
                let access = try await StateOptions.AWSAccess.open(profile: spec.profile, region: loaded.region, console: console)
                do {
                    bytes = try await S3StateSession.pull(bucket: bucket, key: key, s3: access.s3)
                    await access.close()
                } catch {
                    await access.close()
                    throw error
                }
            }
        } catch {
            console.error(String(describing: error))
            throw ExitStatus.runtimeFailure
        }
        guard let bytes else {
            console.error("there is no state at \((try? StateOptions.location(spec, spec: loaded).description) ?? "its location"); nothing was written")
            throw ExitStatus.runtimeFailure
        }
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: outputPath), options: .atomic)
        } catch {
            console.error("cannot write \(outputPath): \(error)")
            throw ExitStatus.runtimeFailure
        }
        console.writeError("Wrote \(bytes.count) bytes of state to \(outputPath).")
    }
}

struct StatePushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Replace the state with a local state file (to move a stack's state to S3, or restore a backup).",
        discussion: """
        The file must be a netloom state. Pushing to S3 takes the state's lock and writes only
        over the object it read (If-Match), so it never overwrites a state another run wrote in
        between; a local state is replaced only while no run holds its lock.

        Examples:
          netloom state push spec.yaml .netloom/ml.sqlite --state s3://team-state/netloom/ml.sqlite
          netloom state push spec.yaml backup.sqlite
        """
    )

    @OptionGroup var spec: SpecOptions

    @Argument(help: ArgumentHelp("The state file to push.", valueName: "file"))
    var file: String

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        let loaded = try SpecInput.load(spec, console: console)
        let bytes: [UInt8]
        do {
            // Only a readable netloom state goes out, with its log folded into the file.
            try StateStore(path: file).checkpoint()
            _ = try StateStore(path: file).resources()
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            console.error("\(file) is not a netloom state: \(error)")
            throw ExitStatus.runtimeFailure
        }
        do {
            switch try StateOptions.location(spec, spec: loaded) {
            case .file(let path):
                guard (path as NSString).standardizingPath != (file as NSString).standardizingPath else {
                    console.error("\(file) is the state itself; nothing to push")
                    throw ExitStatus.runtimeFailure
                }
                if FileManager.default.fileExists(atPath: path), let holder = try StateStore(path: path).lockHolder() {
                    throw StateError(kind: .locked(holder), path: path, message: "")
                }
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
                for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
                try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
                console.writeError("Pushed \(bytes.count) bytes of state to \(path).")
            case .s3(let bucket, let key):
                let access = try await StateOptions.AWSAccess.open(profile: spec.profile, region: loaded.region, console: console)
                do {
                    try await S3StateSession.push(bytes, bucket: bucket, key: key, s3: access.s3,
                                                  lock: .forThisProcess(command: "state push", environment: ProcessInfo.processInfo.environment))
                    await access.close()
                } catch {
                    await access.close()
                    throw error
                }
                console.writeError("Pushed \(bytes.count) bytes of state to s3://\(bucket)/\(key).")
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            console.error(String(describing: error))
            throw ExitStatus.runtimeFailure
        }
    }
}

struct StateUnlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock",
        abstract: "Remove the run lock of a run that is gone (its machine rebooted, its CI job was killed).",
        discussion: """
        apply and destroy hold a lock while they run, so that two runs never work on one stack
        at once. In a local state, a run whose process is gone from this machine loses its lock
        by itself; a lock taken on another machine stays until this command removes it, and one
        whose process still runs here is removed only with --force.

        In S3 the lock is the object KEY.lock beside the state. A run that cannot take it prints
        the lock's id and holder; give that id here. The lock is removed after you confirm
        (--yes confirms without asking), and only if it is still the lock with that id.

        Examples:
          netloom state unlock examples/inference.yaml
          netloom state unlock spec.yaml 3f2c9a1e-0c1b-4c43-9d0e-7f1f4c2b8a55 --state s3://team-state/netloom/ml.sqlite
        """
    )

    @OptionGroup var spec: SpecOptions

    @Argument(help: ArgumentHelp("The id of the S3 lock to remove, as the locked run printed it.", valueName: "lock-id"))
    var lockID: String?

    @Flag(name: .long, help: "Remove the lock even though its process still runs on this machine, or (S3) whatever lock is there.")
    var force = false

    @Flag(name: [.short, .long], help: "Do not ask before removing an S3 lock.")
    var yes = false

    func run() async throws {
        let console = Console.current(environment: ProcessInfo.processInfo.environment)
        let loaded = try SpecInput.load(spec, console: console)
        let location: StateLocation
        do {
            location = try StateOptions.location(spec, spec: loaded)
        } catch {
            console.error(String(describing: error))
            throw ExitStatus.runtimeFailure
        }
        switch location {
        case .file(let path): try unlockFile(path, console: console)
        case .s3(let bucket, let key): try await unlockS3(bucket: bucket, key: key, region: loaded.region, console: console)
        }
    }

    func unlockFile(_ path: String, console: Console) throws {
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

    func unlockS3(bucket: String, key: String, region: String, console: Console) async throws {
        let location = "s3://\(bucket)/\(key)"
        let access: StateOptions.AWSAccess
        do {
            access = try await StateOptions.AWSAccess.open(profile: spec.profile, region: region, console: console)
        } catch {
            console.error(String(describing: error))
            throw ExitStatus.runtimeFailure
        }
        do {
            try await unlockS3(bucket: bucket, key: key, access: access, console: console)
            await access.close()
        } catch {
            await access.close()
            throw error
        }
    }

    func unlockS3(bucket: String, key: String, access: StateOptions.AWSAccess, console: Console) async throws {
        let location = "s3://\(bucket)/\(key)"
        do {
            let holder: S3StateLock?
            do {
                holder = try await S3StateSession.lockHolder(bucket: bucket, key: key, s3: access.s3)
            } catch let error as S3StateError where force {
                console.warning(error.description)
                holder = nil
            }
            guard holder != nil || force else {
                console.write("The state \(location) is not locked.")
                return
            }
            if let holder, lockID != holder.id, !force {
                console.error(lockID == nil ? "the state \(location) is locked by \(holder); give its id to remove it: netloom state unlock \(spec.specPath) \(holder.id)"
                                            : S3StateError(kind: .otherLock(wanted: lockID ?? "", found: holder), location: location).description)
                throw ExitStatus.runtimeFailure
            }
            if !yes {
                guard isatty(STDIN_FILENO) == 1 else {
                    console.error("unlock asks before it removes an S3 lock; answer on a terminal, or pass --yes")
                    throw ExitCode(64)
                }
                console.write("Remove \(holder?.description ?? "the unreadable lock") from \(location)? A run that still holds it would lose it. Only 'yes' will be accepted.\n  Enter a value: ")
                guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else {
                    console.error("unlock cancelled; the lock stays")
                    throw ExitStatus.runtimeFailure
                }
            }
            let removed = try await S3StateSession.unlock(bucket: bucket, key: key, id: holder?.id ?? lockID, force: force, s3: access.s3)
            console.write("Removed \(removed?.description ?? "the lock") from \(location).")
        } catch let exit as ExitCode {
            throw exit
        } catch {
            console.error(String(describing: error))
            throw ExitStatus.runtimeFailure
        }
    }
}
