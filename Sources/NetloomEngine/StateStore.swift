import Foundation
import GRDB
import NetloomModel
import NetloomPlanning

/// What the state remembers of one resource after a successful call.
public struct StateRecord: Sendable, Hashable {
    public var address: String
    public var type: ResourceType
    /// The AWS id the resource is known by (vpc-..., an ARN, a bucket or role name, or a
    /// composite such as `rtb-1|0.0.0.0/0` for sub-resources that have no id of their own).
    public var awsID: String
    /// Ids of the parts AWS made with it (an EIP's public IP, a load balancer's DNS name).
    public var attributes: [String: String]
    /// The properties last applied, `ref:` values resolved, as JSON.
    public var properties: [String: PropertyValue]

    public init(address: String, type: ResourceType, awsID: String, attributes: [String: String] = [:], properties: [String: PropertyValue] = [:]) {
        self.address = address
        self.type = type
        self.awsID = awsID
        self.attributes = attributes
        self.properties = properties
    }
}

/// Who holds the run lock.
public struct RunLockHolder: Sendable, Hashable, CustomStringConvertible {
    public var pid: Int32
    public var host: String
    public var startedAt: String
    public var command: String

    public var description: String { "pid \(pid) on \(host), \(command) started at \(startedAt)" }
}

/// Failures of the state database itself.
public struct StateError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case locked(RunLockHolder)
        case unreadable
    }

    public var kind: Kind
    public var path: String
    public var message: String

    public init(kind: Kind, path: String, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String {
        switch kind {
        case .locked(let holder):
            "the state \(path) is locked by another run (\(holder)); wait for it to finish, or run `netloom state unlock` if that process is gone from its host"
        case .unreadable:
            "cannot use the state \(path): \(message)"
        }
    }
}

/// The stack's state in SQLite through GRDB: resources, subnet allocations, runs, intents and the run lock.
///
/// Each write is its own transaction, so a run killed at any moment leaves every row it
/// committed and nothing half written (SQLite's journal takes care of the rest).
public final class StateStore: Sendable {
    public let path: String
    private let database: DatabaseQueue

    public init(path: String) throws {
        self.path = path
        do {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            var configuration = Configuration()
            // Two runs racing for the lock must wait for each other's short transactions, not fail.
            configuration.busyMode = .timeout(10)
            configuration.prepareDatabase { db in
                // An apply commits three rows per resource (intent, settlement, record). In the
                // default rollback journal with full sync each commit costs a few fsyncs, about
                // 2.5 ms here, and the single writer made that the bound of a 1,400-resource apply.
                // A write-ahead log without a sync per commit keeps every committed row through
                // a killed process, which is the crash this state must survive; after a power
                // loss the last rows may be missing, and the next run adopts those resources by tag.
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            database = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(database)
        } catch let error as StateError {
            throw error
        } catch {
            throw StateError(kind: .unreadable, path: path, message: String(describing: error))
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: resources, allocations, runs, intents, lock") { db in
            try db.create(table: "resource") { table in
                table.primaryKey("address", .text)
                table.column("type", .text).notNull()
                table.column("aws_id", .text).notNull()
                table.column("attributes", .text).notNull().defaults(to: "{}")
                table.column("properties", .text).notNull().defaults(to: "{}")
                table.column("updated_at", .text).notNull()
            }
            try db.create(table: "subnet_allocation") { table in
                table.column("subnet", .text).notNull()
                table.column("az", .text).notNull()
                table.column("cidr", .text).notNull()
                table.primaryKey(["subnet", "az"])
            }
            try db.create(table: "run") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("command", .text).notNull()
                table.column("pid", .integer).notNull()
                table.column("host", .text).notNull()
                table.column("started_at", .text).notNull()
                table.column("finished_at", .text)
                table.column("outcome", .text)
                table.column("mutating_calls", .integer)
            }
            try db.create(table: "intent") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("run_id", .integer).notNull()
                table.column("address", .text).notNull()
                table.column("action", .text).notNull()
                table.column("recorded_at", .text).notNull()
                table.column("outcome", .text)
            }
            try db.create(table: "run_lock") { table in
                table.primaryKey("id", .integer)
                table.column("run_id", .integer).notNull()
                table.column("pid", .integer).notNull()
                table.column("host", .text).notNull()
                table.column("command", .text).notNull()
                table.column("started_at", .text).notNull()
            }
        }
        migrator.registerMigration("v2: meta (account id and resolved AMIs, for offline plans)") { db in
            try db.create(table: "meta") { table in
                table.primaryKey("key", .text)
                table.column("value", .text).notNull()
            }
        }
        return migrator
    }

    // MARK: meta

    public func meta(_ key: String) throws -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key]) }
    }

    public func metaValues(prefix: String) throws -> [String: String] {
        try read { db in
            var values: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM meta WHERE key LIKE ?", arguments: [prefix + "%"]) {
                values[String((row["key"] as String).dropFirst(prefix.count))] = row["value"]
            }
            return values
        }
    }

    public func setMeta(_ key: String, _ value: String) throws {
        try write { db in try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", arguments: [key, value]) }
    }

    /// What a run resolved (account id, looked-up parameters), so an offline plan resolves alike.
    public func saveResolution(_ resolution: PropertyResolution) throws {
        try setMeta("account_id", resolution.accountID)
        for (key, value) in resolution.parameters { try setMeta("parameter:\(key)", value) }
    }

    public func savedResolution() throws -> PropertyResolution {
        var parameters = try metaValues(prefix: "parameter:")
        // States written before parameters were generic kept AMIs by SSM path.
        for (path, ami) in try metaValues(prefix: "ami:") where parameters["ssm:\(path)"] == nil { parameters["ssm:\(path)"] = ami }
        return PropertyResolution(accountID: try meta("account_id") ?? "${account_id}", parameters: parameters)
    }

    static func timestamp() -> String { ISO8601DateFormatter().string(from: Date()) }

    private func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try database.write(body)
        } catch let error as StateError {
            throw error
        } catch {
            throw StateError(kind: .unreadable, path: path, message: String(describing: error))
        }
    }

    private func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try database.read(body)
        } catch {
            throw StateError(kind: .unreadable, path: path, message: String(describing: error))
        }
    }

    // MARK: run lock

    /// Takes the lock for a new run and returns the run id; a live holder is an error at once,
    /// a holder whose pid is gone from this host is taken over.
    public func beginRun(command: String, processID: Int32 = getpid(), host: String = ProcessInfo.processInfo.hostName,
                         isAlive: @Sendable (Int32) -> Bool = StateStore.processIsAlive) throws -> Int64 {
        try write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT pid, host, command, started_at FROM run_lock WHERE id = 1") {
                let holder = RunLockHolder(pid: row["pid"], host: row["host"], startedAt: row["started_at"], command: row["command"])
                let stale = holder.host == host && (!isAlive(holder.pid) || holder.pid == processID)
                if !stale { throw StateError(kind: .locked(holder), path: path, message: "") }
                try db.execute(sql: "DELETE FROM run_lock WHERE id = 1")
                try db.execute(sql: "UPDATE run SET finished_at = ?, outcome = 'abandoned' WHERE finished_at IS NULL", arguments: [Self.timestamp()])
            }
            let now = Self.timestamp()
            try db.execute(sql: "INSERT INTO run (command, pid, host, started_at) VALUES (?, ?, ?, ?)", arguments: [command, processID, host, now])
            let runID = db.lastInsertedRowID
            try db.execute(sql: "INSERT INTO run_lock (id, run_id, pid, host, command, started_at) VALUES (1, ?, ?, ?, ?, ?)",
                           arguments: [runID, processID, host, command, now])
            return runID
        }
    }

    public func finishRun(_ runID: Int64, outcome: String, mutatingCalls: Int) throws {
        try write { db in
            try db.execute(sql: "UPDATE run SET finished_at = ?, outcome = ?, mutating_calls = ? WHERE id = ?",
                           arguments: [Self.timestamp(), outcome, mutatingCalls, runID])
            try db.execute(sql: "DELETE FROM run_lock WHERE id = 1 AND run_id = ?", arguments: [runID])
        }
    }

    /// Who holds the run lock, if anyone.
    public func lockHolder() throws -> RunLockHolder? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT pid, host, command, started_at FROM run_lock WHERE id = 1").map { row in
                RunLockHolder(pid: row["pid"], host: row["host"], startedAt: row["started_at"], command: row["command"])
            }
        }
    }

    /// Removes the run lock and marks its run abandoned (for a holder gone from another host).
    public func releaseLock() throws {
        try write { db in
            try db.execute(sql: "UPDATE run SET finished_at = ?, outcome = 'abandoned' WHERE id = (SELECT run_id FROM run_lock WHERE id = 1) AND finished_at IS NULL",
                           arguments: [Self.timestamp()])
            try db.execute(sql: "DELETE FROM run_lock WHERE id = 1")
        }
    }

    public static func processIsAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }

    // MARK: intents

    /// Committed before a mutating call, so a killed run leaves a record of what it was doing.
    public func recordIntent(runID: Int64, address: String, action: String) throws -> Int64 {
        try write { db in
            try db.execute(sql: "INSERT INTO intent (run_id, address, action, recorded_at) VALUES (?, ?, ?, ?)",
                           arguments: [runID, address, action, Self.timestamp()])
            return db.lastInsertedRowID
        }
    }

    public func settleIntent(_ intentID: Int64, outcome: String) throws {
        try write { db in
            try db.execute(sql: "UPDATE intent SET outcome = ? WHERE id = ?", arguments: [outcome, intentID])
        }
    }

    /// Intents of earlier runs that never learned their outcome (the run was killed mid-call).
    public func unsettledIntents() throws -> [(address: String, action: String)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT address, action FROM intent WHERE outcome IS NULL ORDER BY id").map { ($0["address"], $0["action"]) }
        }
    }

    /// Addresses whose last recorded call was a create that did not finish (killed, failed or
    /// superseded): what such a call made may be in AWS without the tags it was about to get.
    public func unfinishedCreates() throws -> Set<String> {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT address FROM intent AS last
                WHERE id = (SELECT MAX(id) FROM intent WHERE address = last.address)
                  AND action LIKE '%create' AND (outcome IS NULL OR outcome != 'done')
                """)
            return Set(rows.map { $0["address"] as String })
        }
    }

    public func clearUnsettledIntents(outcome: String) throws {
        try write { db in try db.execute(sql: "UPDATE intent SET outcome = ? WHERE outcome IS NULL", arguments: [outcome]) }
    }

    // MARK: resources

    public func resources() throws -> [String: StateRecord] {
        try read { db in
            var records: [String: StateRecord] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT address, type, aws_id, attributes, properties FROM resource") {
                let address: String = row["address"]
                guard let type = ResourceType(rawValue: row["type"]) else { continue }
                let attributes = (try? JSONDecoder().decode([String: String].self, from: Data((row["attributes"] as String).utf8))) ?? [:]
                let properties = (try? JSONDecoder().decode([String: PropertyValue].self, from: Data((row["properties"] as String).utf8))) ?? [:]
                records[address] = StateRecord(address: address, type: type, awsID: row["aws_id"], attributes: attributes, properties: properties)
            }
            return records
        }
    }

    public func save(_ record: StateRecord) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let attributes = String(decoding: (try? encoder.encode(record.attributes)) ?? Data("{}".utf8), as: UTF8.self)
        let properties = String(decoding: (try? encoder.encode(record.properties)) ?? Data("{}".utf8), as: UTF8.self)
        try write { db in
            try db.execute(sql: """
                INSERT INTO resource (address, type, aws_id, attributes, properties, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(address) DO UPDATE SET type = excluded.type, aws_id = excluded.aws_id, attributes = excluded.attributes,
                  properties = excluded.properties, updated_at = excluded.updated_at
                """, arguments: [record.address, record.type.rawValue, record.awsID, attributes, properties, Self.timestamp()])
        }
    }

    public func remove(address: String) throws {
        try write { db in try db.execute(sql: "DELETE FROM resource WHERE address = ?", arguments: [address]) }
    }

    // MARK: subnet allocations

    public func allocations() throws -> [SubnetKey: CIDRBlock] {
        try read { db in
            var allocations: [SubnetKey: CIDRBlock] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT subnet, az, cidr FROM subnet_allocation") {
                if let block = try? CIDRBlock(parsing: row["cidr"] as String) {
                    allocations[SubnetKey(subnet: row["subnet"], az: row["az"])] = block
                }
            }
            return allocations
        }
    }

    public func saveAllocations(_ allocations: [SubnetKey: CIDRBlock]) throws {
        try write { db in
            for (key, block) in allocations {
                try db.execute(sql: "INSERT OR REPLACE INTO subnet_allocation (subnet, az, cidr) VALUES (?, ?, ?)",
                               arguments: [key.subnet, key.az, block.description])
            }
        }
    }

    // MARK: the whole file, for a state kept elsewhere

    /// The state as the bytes of one consistent SQLite file, taken while a run may be writing
    /// (`VACUUM INTO` copies one read transaction's view).
    public func snapshot() throws -> [UInt8] {
        let copy = NSTemporaryDirectory() + "netloom-snapshot-\(getpid())-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        do {
            try database.writeWithoutTransaction { db in try db.execute(sql: "VACUUM INTO ?", arguments: [copy]) }
            return Array(try Data(contentsOf: URL(fileURLWithPath: copy)))
        } catch {
            throw StateError(kind: .unreadable, path: path, message: "cannot copy it: \(error)")
        }
    }

    /// Moves everything in the write-ahead log into the file itself, so that the file's bytes
    /// alone are the whole state (to push it as it is).
    public func checkpoint() throws {
        do {
            try database.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        } catch {
            throw StateError(kind: .unreadable, path: path, message: "cannot checkpoint it: \(error)")
        }
    }

    public func runCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run") ?? 0 }
    }
}
