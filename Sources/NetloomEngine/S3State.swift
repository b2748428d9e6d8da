import AWSClient
import Foundation

/// Who holds the lock of a state kept in S3: written as JSON next to the state (`KEY.lock`).
public struct S3StateLock: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Names this lock for `netloom state unlock`.
    public var id: String
    public var who: String
    public var host: String
    public var pid: Int32
    public var command: String
    public var startedAt: String

    enum CodingKeys: String, CodingKey {
        case id, who, host, pid, command
        case startedAt = "started_at"
    }

    public init(id: String = UUID().uuidString.lowercased(), who: String, host: String, pid: Int32, command: String, startedAt: String) {
        self.id = id
        self.who = who
        self.host = host
        self.pid = pid
        self.command = command
        self.startedAt = startedAt
    }

    /// This process, about to run `command`.
    public static func forThisProcess(command: String, environment: [String: String]) -> S3StateLock {
        S3StateLock(who: environment["USER"] ?? environment["LOGNAME"] ?? "unknown", host: ProcessInfo.processInfo.hostName,
                    pid: getpid(), command: command, startedAt: ISO8601DateFormatter().string(from: Date()))
    }

    public var description: String { "lock \(id): \(who) on \(host), pid \(pid), `\(command)` since \(startedAt)" }
}

/// What can go wrong with a state kept in S3; each names the object.
public struct S3StateError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// Another run holds the lock.
        case locked(S3StateLock)
        /// The lock object is there but is not netloom's JSON.
        case unreadableLock(String)
        /// The state changed in S3 since this run read it: the write was refused, and this
        /// run's copy was kept in a local file (when it could be written).
        case changedSinceRead(keptCopy: String?)
        /// The bucket does not exist: netloom never creates it.
        case noBucket
        /// `state unlock` named a lock that is not the one there.
        case otherLock(wanted: String, found: S3StateLock?)
        /// The object is not a netloom state.
        case unreadableState(String)
    }

    public var kind: Kind
    /// `s3://BUCKET/KEY` of the state.
    public var location: String

    public init(kind: Kind, location: String) {
        self.kind = kind
        self.location = location
    }

    public var description: String {
        switch kind {
        case .locked(let holder):
            "the state \(location) is locked by another run (\(holder)); wait for it to finish, or, if that run is gone, run `netloom state unlock SPEC \(holder.id)`"
        case .unreadableLock(let reason):
            "the lock of the state \(location) cannot be read (\(reason)); look at \(location).lock and remove it with `netloom state unlock SPEC --force` if it is stale"
        case .changedSinceRead(let keptCopy):
            "the state \(location) was changed by another writer since this run read it; netloom did not overwrite it"
                + (keptCopy.map { ". This run's state was kept in \($0): compare it with `netloom state pull`, and push it with `netloom state push` only if it is the one to keep" } ?? "")
        case .noBucket:
            "the bucket of the state \(location) does not exist; netloom never creates it: create it (with versioning) or name another"
        case .otherLock(let wanted, let found):
            found.map { "the state \(location) is locked by \($0), not by lock \(wanted); nothing was removed" }
                ?? "the state \(location) is not locked; nothing to unlock"
        case .unreadableState(let reason):
            "the object \(location) is not a netloom state: \(reason)"
        }
    }
}

/// A stack's state kept as one S3 object (the SQLite file's bytes), with a lock object beside it.
///
/// The run works on a local copy in a temporary file. Writes use S3's conditional requests: the
/// lock is created with `If-None-Match: *`, so only one run can hold it, and the state goes
/// back with `If-Match` on the ETag it was read (or last written) at, so a run that lost its
/// lock (removed by `state unlock`) can never overwrite a newer state.
public actor S3StateSession {
    public nonisolated let bucket: String
    public nonisolated let key: String
    /// The local copy the engine reads and writes.
    public nonisolated let store: StateStore
    /// Things to tell the user (an unversioned bucket).
    public nonisolated let warnings: [String]
    let s3: S3
    let lock: S3StateLock?
    /// The ETag of the object this copy descends from; `nil` when there was none.
    private var etag: String?
    private var uploaded: [UInt8]?
    private var released = false

    public nonisolated var location: String { "s3://\(bucket)/\(key)" }
    nonisolated var lockKey: String { key + ".lock" }

    init(bucket: String, key: String, store: StateStore, warnings: [String], s3: S3, lock: S3StateLock?, etag: String?, uploaded: [UInt8]?) {
        self.bucket = bucket
        self.key = key
        self.store = store
        self.warnings = warnings
        self.s3 = s3
        self.lock = lock
        self.etag = etag
        self.uploaded = uploaded
    }

    /// Reads the state into a local copy; with `lock`, takes the lock first (an error names the
    /// holder when another run has it). Without one (plan, drift), nothing is ever written back.
    public static func open(bucket: String, key: String, s3: S3, lock: S3StateLock?) async throws -> S3StateSession {
        let location = "s3://\(bucket)/\(key)"
        guard try await s3.bucketExists(bucket) else { throw S3StateError(kind: .noBucket, location: location) }
        var warnings: [String] = []
        if (try? await s3.getBucketVersioning(bucket)) != "Enabled" {
            warnings.append("the bucket '\(bucket)' of the state \(location) is not versioned: a state overwritten by mistake cannot be recovered. Turn versioning on.")
        }
        if let lock { try await acquire(lock, bucket: bucket, key: key, s3: s3) }
        do {
            let object = try await s3.getObjectIfPresent(bucket, key: key)
            let path = NSTemporaryDirectory() + "netloom-s3-state-\(getpid())-\(UUID().uuidString).sqlite"
            if let object {
                guard FileManager.default.createFile(atPath: path, contents: Data(object.body), attributes: [.posixPermissions: 0o600]) else {
                    throw StateError(kind: .unreadable, path: path, message: "cannot write the local copy")
                }
            }
            let store: StateStore
            do {
                store = try StateStore(path: path)
                _ = try store.resources()
            } catch {
                removeLocalCopy(path)
                throw S3StateError(kind: .unreadableState(String(describing: error)), location: location)
            }
            // The S3 lock is the one that counts: a run lock left in the SQLite copy by a run
            // killed elsewhere says nothing about this machine's processes.
            if lock != nil, try store.lockHolder() != nil { try store.releaseLock() }
            return S3StateSession(bucket: bucket, key: key, store: store, warnings: warnings, s3: s3, lock: lock,
                                  etag: object?.etag, uploaded: object?.body)
        } catch {
            if let lock { try? await release(lock, bucket: bucket, key: key, s3: s3) }
            throw error
        }
    }

    /// Writes the local copy back when it changed. Only a session that holds the lock writes.
    public func upload() async throws {
        guard lock != nil, !released else { return }
        let bytes = try store.snapshot()
        guard bytes != uploaded else { return }
        try await write(bytes)
    }

    /// Writes `bytes` over the object this session read (or creates it), never over a newer one.
    func write(_ bytes: [UInt8]) async throws {
        let condition: S3.WriteCondition = etag.map { .unchanged(etag: $0) } ?? .absent
        do {
            etag = try await s3.putObject(bucket, key: key, body: bytes, condition: condition)
            uploaded = bytes
        } catch let error as AWSError where error.isPreconditionFailed {
            // A retry of a write whose answer was lost meets its own write: the object then
            // holds exactly these bytes.
            if error.followsUncertainAttempt, let current = try? await s3.getObjectIfPresent(bucket, key: key), current.body == bytes {
                etag = current.etag
                uploaded = bytes
                return
            }
            throw S3StateError(kind: .changedSinceRead(keptCopy: Self.keepCopy(bytes, key: key)), location: location)
        }
    }

    /// Uploads what is left (when `upload` is true), releases the lock and removes the local copy.
    /// Returns the first failure: a refused or failed upload keeps the lock's removal.
    public func close(upload shouldUpload: Bool = true) async -> (any Error)? {
        var failure: (any Error)?
        if shouldUpload {
            do { try await upload() } catch { failure = error }
        }
        if let lock, !released {
            released = true
            do { try await Self.release(lock, bucket: bucket, key: key, s3: s3) } catch { failure = failure ?? error }
        }
        Self.removeLocalCopy(store.path)
        return failure
    }

    // MARK: the lock

    static func acquire(_ lock: S3StateLock, bucket: String, key: String, s3: S3) async throws {
        let location = "s3://\(bucket)/\(key)"
        let body = Array(try JSONEncoder.sorted.encode(lock))
        do {
            _ = try await s3.putObject(bucket, key: key + ".lock", body: body, condition: .absent, contentType: "application/json")
        } catch let error as AWSError where error.isPreconditionFailed {
            let holder = try await lockHolder(bucket: bucket, key: key, s3: s3)
            // A retry whose first attempt took the lock finds this run's own lock.
            if holder?.id == lock.id { return }
            if let holder { throw S3StateError(kind: .locked(holder), location: location) }
            // Released between the two calls: try once more.
            _ = try await s3.putObject(bucket, key: key + ".lock", body: body, condition: .absent, contentType: "application/json")
        }
    }

    /// Removes the lock when it is still `lock` (another run may have it since an unlock).
    static func release(_ lock: S3StateLock, bucket: String, key: String, s3: S3) async throws {
        guard let holder = try? await lockHolder(bucket: bucket, key: key, s3: s3), holder.id == lock.id else { return }
        try await s3.deleteObject(bucket, key: key + ".lock")
    }

    /// Who holds the lock of the state at `bucket`/`key`, if anyone.
    public static func lockHolder(bucket: String, key: String, s3: S3) async throws -> S3StateLock? {
        guard let object = try await s3.getObjectIfPresent(bucket, key: key + ".lock") else { return nil }
        do {
            return try JSONDecoder().decode(S3StateLock.self, from: Data(object.body))
        } catch {
            throw S3StateError(kind: .unreadableLock("it is not netloom's lock document: \(error)"), location: "s3://\(bucket)/\(key)")
        }
    }

    /// `state unlock`: removes the lock named `id`; any other lock stays. `force` removes a lock
    /// whatever it holds (one that cannot be read).
    @discardableResult
    public static func unlock(bucket: String, key: String, id: String?, force: Bool, s3: S3) async throws -> S3StateLock? {
        let location = "s3://\(bucket)/\(key)"
        let holder: S3StateLock?
        do {
            holder = try await lockHolder(bucket: bucket, key: key, s3: s3)
        } catch let error as S3StateError where force {
            _ = error
            try await s3.deleteObject(bucket, key: key + ".lock")
            return nil
        }
        guard let holder else { throw S3StateError(kind: .otherLock(wanted: id ?? "", found: nil), location: location) }
        guard force || holder.id == id else { throw S3StateError(kind: .otherLock(wanted: id ?? "(none given)", found: holder), location: location) }
        try await s3.deleteObject(bucket, key: key + ".lock")
        return holder
    }

    // MARK: moving a state between here and S3

    /// The object's bytes as they are, or `nil` when there is none.
    public static func pull(bucket: String, key: String, s3: S3) async throws -> [UInt8]? {
        try await s3.getObjectIfPresent(bucket, key: key)?.body
    }

    /// Replaces the state in S3 with `bytes` (a SQLite state file), under the lock.
    public static func push(_ bytes: [UInt8], bucket: String, key: String, s3: S3, lock: S3StateLock) async throws {
        let session = try await open(bucket: bucket, key: key, s3: s3, lock: lock)
        do {
            try await session.write(bytes)
        } catch {
            _ = await session.close(upload: false)
            throw error
        }
        if let error = await session.close(upload: false) { throw error }
    }

    // MARK: files

    /// Keeps a refused state where the user can find it (the working directory).
    static func keepCopy(_ bytes: [UInt8], key: String) -> String? {
        let name = (key as NSString).lastPathComponent
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let path = FileManager.default.currentDirectoryPath + "/\(name).unsaved-\(stamp)"
        return FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) ? path : nil
    }

    static func removeLocalCopy(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
