import AWSClient
import AWSSigV4
import Foundation
import NetloomModel
import Testing
@testable import NetloomEngine

/// What the engine told its progress and readiness callbacks, in order.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [ProgressEvent] = []
    private var recordedWaits: [ReadinessEvent] = []

    var events: [ProgressEvent] { lock.withLock { recorded } }
    var waits: [ReadinessEvent] { lock.withLock { recordedWaits } }
    func record(_ event: ProgressEvent) { lock.withLock { recorded.append(event) } }
    func record(_ wait: ReadinessEvent) { lock.withLock { recordedWaits.append(wait) } }
}

/// A NAT gateway that AWS reports `pending` to its first polls, as AWS does for a minute or two.
struct SlowGatewayProvider: ResourceProvider {
    let type = ResourceType.natGateway
    let deleteLayer = 2
    let cloud: FakeCloud
    let pendingPolls: Int

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] { await cloud.items(of: type) }
    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] { desired.properties.filter { $0.key != "tags" } }
    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let made = await cloud.create(desired, fields: comparable(desired))
        let polls = ProgressCounter()
        try await context.waiter.wait(for: "NAT gateway \(made.awsID) (\(desired.address))") {
            let count = await polls.increment()
            return count > pendingPolls ? (true, "available") : (false, "pending")
        }
        return made
    }
    func delete(_ observed: ObservedResource, context: ProviderContext) async throws { await cloud.delete(observed) }
}

/// Refuses every create of its type.
struct RefusingProvider: ResourceProvider {
    let type: ResourceType
    let deleteLayer = 1

    struct Refused: Error {}
    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] { [] }
    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] { [:] }
    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource { throw Refused() }
    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {}
}

@Suite("the engine reports progress through its callbacks")
struct ProgressReportingTests {
    func engine(_ providers: [any ResourceProvider], log: ProgressLog, clock: RecordingClock) throws -> DeployEngine {
        let core = AWSClientCore(transport: CallerIdentityOnly(), credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"),
                                 region: "us-east-1", endpointURL: "http://127.0.0.1:9")
        var context = ProviderContext(services: AWSServices(core: core), stack: "fake", region: "us-east-1", clock: clock)
        context.readinessObserver = { log.record($0) }
        let state = try StateStore(path: NSTemporaryDirectory() + "netloom-progress-\(UUID().uuidString).sqlite")
        return DeployEngine(context: context, state: state, providers: ProviderRegistry(providers), parallelism: 2) { log.record($0) }
    }

    var graph: ResourceGraph {
        get throws {
            try ResourceGraph([
                Resource(address: "vpc", type: .vpc, properties: ["cidr": "10.0.0.0/16"]),
                Resource(address: "subnet:a", type: .subnet, properties: ["vpc": "ref:vpc", "cidr": "10.0.1.0/24"], dependsOn: ["vpc"]),
                Resource(address: "nat_gateway:a", type: .natGateway, properties: ["subnet": "ref:subnet:a"], dependsOn: ["subnet:a"]),
            ])
        }
    }

    @Test("each change starts then finishes, done counts up to the total, and a wait tells its address and every state polled")
    func startsFinishesAndWaits() async throws {
        let cloud = FakeCloud()
        let log = ProgressLog()
        let clock = RecordingClock()
        let engine = try engine([FakeProvider(type: .vpc, deleteLayer: 0, cloud: cloud), FakeProvider(type: .subnet, deleteLayer: 1, cloud: cloud),
                                 SlowGatewayProvider(cloud: cloud, pendingPolls: 3)], log: log, clock: clock)
        let outcome = await engine.applyStack(try graph, allocations: [:])
        #expect(outcome.status == .applied, "\(outcome.report.failures)")

        let events = log.events
        for address in ["vpc", "subnet:a", "nat_gateway:a"] {
            let stages = events.filter { $0.address == address }.map(\.stage)
            #expect(stages == [.started, .finished], "\(address): \(stages)")
        }
        #expect(events.filter(\.finished).map(\.done) == [1, 2, 3])
        #expect(events.allSatisfy { $0.total == 3 })

        // Three polls answer pending after 0, 0.5 and 1.5 s of waiting, the fourth available.
        let waits = log.waits
        #expect(waits.map(\.state) == ["pending", "pending", "pending", "available"])
        #expect(waits.map(\.ready) == [false, false, false, true])
        #expect(waits.map(\.waited) == [.zero, .milliseconds(500), .milliseconds(1500), .milliseconds(3500)])
        #expect(waits.allSatisfy { $0.address == "nat_gateway:a" && $0.subject.contains("nat_gateway:a") })
        #expect(clock.sleeps == [.milliseconds(500), .seconds(1), .seconds(2)])
    }

    @Test("a change that fails is reported as failed, and what depends on it never starts")
    func failureIsReported() async throws {
        let cloud = FakeCloud()
        let log = ProgressLog()
        let engine = try engine([FakeProvider(type: .vpc, deleteLayer: 0, cloud: cloud), RefusingProvider(type: .subnet),
                                 SlowGatewayProvider(cloud: cloud, pendingPolls: 0)], log: log, clock: RecordingClock())
        let outcome = await engine.applyStack(try graph, allocations: [:])
        #expect(outcome.status == .failed)
        let events = log.events
        #expect(events.filter { $0.address == "subnet:a" }.map(\.stage) == [.started, .failed])
        #expect(!events.contains { $0.address == "nat_gateway:a" })
        #expect(events.last?.done == 1)
    }

    @Test("destroy reports its deletes the same way, deepest layer first")
    func destroyReports() async throws {
        let cloud = FakeCloud()
        let log = ProgressLog()
        let engine = try engine([FakeProvider(type: .vpc, deleteLayer: 0, cloud: cloud), FakeProvider(type: .subnet, deleteLayer: 1, cloud: cloud),
                                 SlowGatewayProvider(cloud: cloud, pendingPolls: 0)], log: log, clock: RecordingClock())
        #expect(await engine.applyStack(try graph, allocations: [:]).status == .applied)
        let applied = log.events.count
        #expect(await engine.destroyStack(try graph).status == .destroyed)
        let deletes = log.events.dropFirst(applied)
        #expect(deletes.allSatisfy { $0.action == .delete && $0.total == 3 })
        #expect(deletes.filter(\.finished).map(\.address) == ["nat_gateway:a", "subnet:a", "vpc"])
        #expect(deletes.filter(\.finished).map(\.done) == [1, 2, 3])
    }
}
