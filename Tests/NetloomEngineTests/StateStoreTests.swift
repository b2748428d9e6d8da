import Foundation
import NetloomModel
import NetloomPlanning
import Testing
@testable import NetloomEngine

@Suite("State in SQLite")
struct StateStoreTests {
    func temporaryPath() -> String {
        NSTemporaryDirectory() + "netloom-state-\(UUID().uuidString)/stack.sqlite"
    }

    @Test("a second run on a locked state fails at once naming the holder")
    func lockHeld() throws {
        let store = try StateStore(path: temporaryPath())
        _ = try store.beginRun(command: "apply", processID: 4242, host: "builder", isAlive: { _ in true })
        do {
            _ = try store.beginRun(command: "apply", processID: 4343, host: "builder", isAlive: { _ in true })
            Issue.record("the second run took a held lock")
        } catch let error as StateError {
            guard case .locked(let holder) = error.kind else { Issue.record("wrong error \(error)"); return }
            #expect(holder.pid == 4242)
            #expect(holder.host == "builder")
            #expect(error.description.contains("pid 4242 on builder"))
        }
    }

    @Test("the state keeps a write-ahead log: commits append to it instead of syncing the database file each time")
    func writeAheadLog() throws {
        let path = temporaryPath()
        let store = try StateStore(path: path)
        try store.save(StateRecord(address: "vpc", type: .vpc, awsID: "vpc-1"))
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))
        #expect(try StateStore(path: path).resources()["vpc"]?.awsID == "vpc-1")
        _ = store
    }

    @Test("a lock whose process is dead on this host is taken over")
    func staleLock() throws {
        let store = try StateStore(path: temporaryPath())
        _ = try store.beginRun(command: "apply", processID: 4242, host: "builder", isAlive: { _ in true })
        let run = try store.beginRun(command: "apply", processID: 4343, host: "builder", isAlive: { $0 != 4242 })
        #expect(run == 2)
        try store.finishRun(run, outcome: "applied", mutatingCalls: 0)
        // Released: a third run gets it.
        _ = try store.beginRun(command: "destroy", processID: 4444, host: "builder", isAlive: { _ in true })
    }

    @Test("a lock held on another host is never taken over")
    func otherHost() throws {
        let store = try StateStore(path: temporaryPath())
        _ = try store.beginRun(command: "apply", processID: 1, host: "elsewhere", isAlive: { _ in false })
        #expect(throws: StateError.self) { try store.beginRun(command: "apply", processID: 2, host: "here", isAlive: { _ in false }) }
    }

    @Test("resources, allocations, intents and meta survive reopening")
    func persistence() throws {
        let path = temporaryPath()
        do {
            let store = try StateStore(path: path)
            try store.save(StateRecord(address: "vpc", type: .vpc, awsID: "vpc-1", attributes: ["x": "y"], properties: ["cidr": "10.0.0.0/16"]))
            try store.saveAllocations([SubnetKey(subnet: "public", az: "us-east-1a"): try CIDRBlock(parsing: "10.0.1.0/24")])
            let run = try store.beginRun(command: "apply")
            _ = try store.recordIntent(runID: run, address: "vpc", action: "create")
            try store.saveResolution(PropertyResolution(accountID: "123456789012", parameters: ["ssm:/a/b": "ami-1"]))
        }
        let store = try StateStore(path: path)
        #expect(try store.resources()["vpc"]?.awsID == "vpc-1")
        #expect(try store.resources()["vpc"]?.properties["cidr"] == "10.0.0.0/16")
        #expect(try store.allocations()[SubnetKey(subnet: "public", az: "us-east-1a")]?.description == "10.0.1.0/24")
        #expect(try store.unsettledIntents().map(\.address) == ["vpc"])
        #expect(try store.savedResolution().accountID == "123456789012")
        #expect(try store.savedResolution().parameters["ssm:/a/b"] == "ami-1")
    }
}
