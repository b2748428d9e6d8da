import AWSClient
import Foundation
import Logging
import NetloomEngine
import NetloomSpec

/// Where a command finds the stack's state, and how it opens it.
enum StateOptions {
    /// `--state`, else `NETLOOM_STATE`, else the spec's `state:`, else `.netloom/STACK.sqlite`
    /// beside the spec.
    static func location(_ options: SpecOptions, spec: StackSpec,
                         environment: [String: String] = ProcessInfo.processInfo.environment) throws(StateLocation.ParseError) -> StateLocation {
        if let flag = options.state { return try StateLocation(parsing: flag) }
        if let variable = environment["NETLOOM_STATE"], !variable.isEmpty { return try StateLocation(parsing: variable) }
        if let fromSpec = spec.state {
            guard case .file(let path) = fromSpec, !path.hasPrefix("/") else { return fromSpec }
            // A path in the spec is read from the spec's folder, wherever netloom runs.
            let directory = (options.specPath as NSString).deletingLastPathComponent
            return .file(directory.isEmpty ? path : directory + "/" + path)
        }
        return .file(EngineSession.statePath(options, stack: spec.stack))
    }

    /// AWS clients outside a deploying run (a state in S3, an import): the credential chain and
    /// region every command uses, secrets redacted from the console, no retry notices.
    struct AWSAccess {
        let core: AWSClientCore
        let transport: AsyncHTTPClientTransport

        var s3: S3 { S3(core: core) }

        static func open(profile: String?, region: String, console: Console) async throws -> AWSAccess {
            let transport = AsyncHTTPClientTransport()
            do {
                let core = try AWSClientCore.resolve(environment: ProcessInfo.processInfo.environment,
                                                     readFile: { path in try? String(contentsOfFile: path, encoding: .utf8) },
                                                     profile: profile, region: region, transport: transport,
                                                     logger: Logger(label: "netloom.aws", factory: { _ in SwiftLogNoOpLogHandler() }))
                console.redaction.use(AWSSecretRedactor(credentials: core.credentials))
                return AWSAccess(core: core, transport: transport)
            } catch {
                try? await transport.shutdown()
                throw error
            }
        }

        func close() async { try? await transport.shutdown() }
    }

    /// A state to read (output, plan --offline, state list/show): the file itself, or a
    /// local copy of the S3 object that is removed by `done`. `nil` when there is no state yet.
    struct ReadableState {
        let store: StateStore
        /// The path or `s3://` URL, for messages.
        let name: String
        let done: @Sendable () async -> Void
    }

    static func openForReading(_ options: SpecOptions, spec: StackSpec, console: Console) async throws -> ReadableState? {
        switch try location(options, spec: spec) {
        case .file(let path):
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            return ReadableState(store: try StateStore(path: path), name: path, done: {})
        case .s3(let bucket, let key):
            let access = try await AWSAccess.open(profile: options.profile, region: spec.region, console: console)
            do {
                guard let bytes = try await S3StateSession.pull(bucket: bucket, key: key, s3: access.s3) else {
                    await access.close()
                    return nil
                }
                let path = NSTemporaryDirectory() + "netloom-read-\(getpid())-\(UUID().uuidString).sqlite"
                guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
                    throw StateError(kind: .unreadable, path: path, message: "cannot write a local copy of s3://\(bucket)/\(key)")
                }
                let remove: @Sendable () async -> Void = {
                    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
                }
                do {
                    let store = try StateStore(path: path)
                    await access.close()
                    return ReadableState(store: store, name: "s3://\(bucket)/\(key)", done: remove)
                } catch {
                    await remove()
                    throw StateError(kind: .unreadable, path: "s3://\(bucket)/\(key)", message: "it is not a netloom state (\(error))")
                }
            } catch {
                await access.close()
                throw error
            }
        }
    }
}
