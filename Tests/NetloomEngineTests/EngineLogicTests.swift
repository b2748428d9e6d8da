import AWSClient
import AWSSigV4
import Foundation
import NetloomModel
import Testing
@testable import NetloomEngine

/// Records requested sleeps instead of sleeping.
final class RecordingClock: EngineClock, @unchecked Sendable {
    private let lock = NSLock()
    private var slept: [Duration] = []
    var sleeps: [Duration] { lock.lock(); defer { lock.unlock() }; return slept }
    func sleep(for duration: Duration) async throws { record(duration) }
    private func record(_ duration: Duration) {
        lock.lock()
        slept.append(duration)
        lock.unlock()
    }
}

@Suite("Engine logic without AWS")
struct EngineLogicTests {
    let resolution = PropertyResolution(accountID: "123456789012", parameters: ["ssm:/aws/ami": "ami-123"])

    @Test("refs resolve to ids, unknown ones are marked, the account id is filled in")
    func resolution_() {
        let resource = Resource(address: "subnet:a/x", type: .subnet, properties: [
            "vpc": "ref:vpc", "other": "ref:missing", "arn": "arn:aws:logs:r:${account_id}:log-group:x",
        ])
        let desired = resolution.resolve(resource, ids: ["vpc": "vpc-1"])
        #expect(desired.string("vpc") == "vpc-1")
        #expect(desired.string("other") == DesiredResource.unknownID)
        #expect(desired.string("arn") == "arn:aws:logs:r:123456789012:log-group:x")
        #expect(desired.hasUnknownReference)
    }

    @Test("a missing resource is created, a changed CIDR replaces, a changed tag updates, a leftover is deleted")
    func compare() throws {
        let tags: PropertyValue = ["netloom:stack": "s", "netloom:address": "vpc"]
        let subnetTags: PropertyValue = ["netloom:stack": "s", "netloom:address": "subnet:a/x"]
        let graph = try ResourceGraph([
            Resource(address: "vpc", type: .vpc, properties: ["cidr": "10.0.0.0/16", "tags": tags]),
            Resource(address: "subnet:a/x", type: .subnet, properties: ["vpc": "ref:vpc", "cidr": "10.0.1.0/24", "az": "x", "tags": subnetTags], dependsOn: ["vpc"]),
            Resource(address: "security_group:web", type: .securityGroup, properties: ["vpc": "ref:vpc", "name": "s-web", "description": "d", "tags": tags], dependsOn: ["vpc"]),
        ])
        let live = LiveView(resources: [
            "vpc": ObservedResource(address: "vpc", type: .vpc, awsID: "vpc-1", properties: ["cidr": "10.0.0.0/16", "tags": ["netloom:stack": "s", "netloom:address": "vpc", "x": "y"]]),
            "subnet:a/x": ObservedResource(address: "subnet:a/x", type: .subnet, awsID: "subnet-1", properties: [
                "vpc": "vpc-1", "cidr": "10.0.2.0/24", "az": "x", "map_public_ip_on_launch": false, "tags": subnetTags,
            ]),
            "subnet:old/x": ObservedResource(address: "subnet:old/x", type: .subnet, awsID: "subnet-2"),
        ], unmanaged: [ObservedResource(address: "sg_rule:unmanaged/sg-1/sgr-1", type: .securityGroupRule, awsID: "sgr-1", isUnmanaged: true)])
        let plan = StackComparer().plan(graph, live: live, resolution: resolution, state: [:])
        let actions = Dictionary(plan.changes.map { ($0.address, $0.action) }, uniquingKeysWith: { first, _ in first })
        #expect(actions["vpc"] == .update)
        #expect(actions["subnet:a/x"] == .replace)
        #expect(plan.changes.first { $0.address == "subnet:a/x" }?.reason.contains("CIDR") == true)
        #expect(actions["security_group:web"] == .create)
        #expect(actions["subnet:old/x"] == .delete)
        #expect(plan.changes.first { $0.address == "sg_rule:unmanaged/sg-1/sgr-1" }?.reason == "added outside netloom")
    }

    @Test("drift: a changed tag is modified, a vanished resource deleted, a foreign rule added, each with its line")
    func drift() throws {
        let location = SourceLocation(file: "s.yaml", line: 7, column: 3)
        let tags: PropertyValue = ["netloom:stack": "s", "netloom:address": "security_group:web"]
        let graph = try ResourceGraph([
            Resource(address: "vpc", type: .vpc, properties: ["cidr": "10.0.0.0/16", "tags": ["netloom:stack": "s", "netloom:address": "vpc"]]),
            Resource(address: "security_group:web", type: .securityGroup, properties: ["vpc": "ref:vpc", "name": "s-web", "description": "d", "tags": tags],
                     dependsOn: ["vpc"], location: location),
        ])
        let live = LiveView(resources: [
            "security_group:web": ObservedResource(address: "security_group:web", type: .securityGroup, awsID: "sg-1", properties: [
                "vpc": "vpc-1", "name": "s-web", "description": "d", "tags": ["netloom:stack": "s", "netloom:address": "security_group:web", "team": "x"],
            ]),
        ], unmanaged: [ObservedResource(address: "sg_rule:unmanaged/sg-1/sgr-9", type: .securityGroupRule, awsID: "sgr-9", attributes: ["group": "sg-1"], isUnmanaged: true)])
        let state = ["vpc": StateRecord(address: "vpc", type: .vpc, awsID: "vpc-1"), "security_group:web": StateRecord(address: "security_group:web", type: .securityGroup, awsID: "sg-1")]
        let items = StackComparer().drift(graph, live: live, resolution: resolution, state: state)
        #expect(items.contains { $0.address == "vpc" && $0.kind == .deleted })
        #expect(items.contains { $0.address == "security_group:web" && $0.kind == .modified && $0.field == "tags.team" && $0.actual == "x" })
        let added = items.first { $0.kind == .added }
        #expect(added?.location == location)
    }

    @Test("readiness polling backs off through the injected clock and gives up after the timeout")
    func waiter() async throws {
        let clock = RecordingClock()
        let polls = ProgressCounter()
        try await ReadinessWaiter(clock: clock, timeout: .seconds(60)).wait(for: "nat") {
            let count = await polls.increment()
            return (count >= 4, "pending")
        }
        #expect(clock.sleeps == [.milliseconds(500), .seconds(1), .seconds(2)])
        await #expect(throws: ReadinessWaiter.TimedOut.self) {
            try await ReadinessWaiter(clock: clock, timeout: .seconds(5)).wait(for: "lb") { (false, "provisioning") }
        }
    }

    @Test("calls are counted by service and action; reads are not mutating")
    func counting() {
        let counter = CallCounter()
        counter.record(service: "ec2", action: "DescribeVpcs")
        counter.record(service: "ec2", action: "CreateVpc")
        counter.record(service: "s3", action: "GetBucketTagging")
        counter.record(service: "s3", action: "PutBucketTagging")
        #expect(counter.total == 4)
        #expect(counter.mutating == 2)
        #expect(counter.snapshot["ec2 CreateVpc"] == 1)
    }

    @Test("the client core tells the counter of each attempt with the action's own name; only changes whose answer was lost are uncertain")
    func coreTellsTheCounter() async throws {
        struct Scripted: HTTPTransport {
            let outcome: @Sendable (AWSHTTPRequest) throws -> AWSHTTPResponse
            func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse { try outcome(request) }
        }
        let counter = CallCounter()
        func core(_ outcome: @escaping @Sendable (AWSHTTPRequest) throws -> AWSHTTPResponse) -> AWSClientCore {
            AWSClientCore(transport: Scripted(outcome: outcome), credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secretsecret"),
                          region: "us-east-1", retry: AWSRetryPolicy(maxAttempts: 2, sleep: { _ in }), observer: counter)
        }
        let reset = core { _ in throw AWSTransportError.connectionClosed }
        let refused = core { _ in throw AWSTransportError.connectionRefused }
        _ = try? await EC2(core: reset).call(action: "CreateVpc")
        _ = try? await EC2(core: reset).call(action: "DescribeVpcs")
        _ = try? await EC2(core: refused).call(action: "CreateVpc")
        _ = try? await S3(core: core { _ in AWSHTTPResponse(status: 200, headers: [:], body: []) }).putBucketVersioning("b", enabled: true)
        // Two attempts each for the first three calls, one for the S3 call.
        #expect(counter.snapshot == ["ec2 CreateVpc": 4, "ec2 DescribeVpcs": 2, "s3 PutBucketVersioning": 1])
        #expect(counter.mutating == 5)
        #expect(counter.uncertainMutatingCalls == 2)
    }

    @Test("a refresh reads the types of the spec, of the state and of unfinished calls, and no other")
    func typesToRead() {
        let records = ["instance:old": StateRecord(address: "instance:old", type: .instance, awsID: "i-1")]
        let types = DeployEngine.typesToRead(specTypes: [.vpc, .subnet], records: records,
                                             unsettledIntents: ["bucket:data", "vpc", "nat_gateway:us-east-1a#duplicate/nat-1"])
        #expect(types == [.vpc, .subnet, .instance, .bucket, .natGateway])
    }

    @Test("of two resources with one address, the one the state recorded stays and the other is the duplicate")
    func duplicatesPreferTheRecordedID() {
        let first = ObservedResource(address: "route_table:edge/a", type: .routeTable, awsID: "rtb-1")
        let second = ObservedResource(address: "route_table:edge/a#duplicate/rtb-2", type: .routeTable, awsID: "rtb-2", isUnmanaged: true)
        let recorded = ["route_table:edge/a": StateRecord(address: "route_table:edge/a", type: .routeTable, awsID: "rtb-2")]
        let kept = DeployEngine.preferringRecordedIDs([first, second], records: recorded)
        #expect(kept.map(\.address) == ["route_table:edge/a#duplicate/rtb-1", "route_table:edge/a"])
        #expect(kept.map(\.isUnmanaged) == [true, false])
        // Without a record (or when it names the first) the read's choice stands.
        #expect(DeployEngine.preferringRecordedIDs([first, second], records: [:]) == [first, second])
        let recordedFirst = ["route_table:edge/a": StateRecord(address: "route_table:edge/a", type: .routeTable, awsID: "rtb-1")]
        #expect(DeployEngine.preferringRecordedIDs([first, second], records: recordedFirst) == [first, second])
    }

    @Test("the graph walk never exceeds its parallelism and runs dependencies first")
    func scheduler() async throws {
        let store = try StateStore(path: NSTemporaryDirectory() + "netloom-sched-\(UUID().uuidString).sqlite")
        let context = ProviderContext(services: AWSServices(core: AWSClientCore(transport: RefusingTransport(), credentials: .init(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "x"), region: "us-east-1")),
                                      stack: "s", region: "us-east-1", clock: RecordingClock())
        let engine = DeployEngine(context: context, state: store, parallelism: 3)
        let tracker = ConcurrencyTracker()
        let nodes = (0..<20).map { "n\($0)" }
        var dependencies: [String: [String]] = [:]
        for index in 1..<20 where index % 5 == 0 { dependencies["n\(index)"] = ["n\(index - 5)"] }
        let collector = ReportCollector()
        await engine.runGraph(nodes, dependencies: dependencies, report: collector) { unit in
            #expect(unit.count == 1)
            for node in unit {
                await tracker.start(node)
                try? await Task.sleep(for: .milliseconds(2))
                await tracker.finish(node)
            }
            return [:]
        }
        #expect(await tracker.maximum <= 3)
        let order = await tracker.finished
        #expect(order.count == 20)
        for (node, needs) in dependencies { for need in needs { #expect(order.firstIndex(of: need)! < order.firstIndex(of: node)!) } }
        #expect(await collector.report.succeeded)
    }

    @Test("nodes with one batch key that are ready together go to one unit; a failed node fails alone and stops its dependents")
    func batchedUnits() async throws {
        let store = try StateStore(path: NSTemporaryDirectory() + "netloom-batch-\(UUID().uuidString).sqlite")
        let context = ProviderContext(services: AWSServices(core: AWSClientCore(transport: RefusingTransport(), credentials: .init(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "x"), region: "us-east-1")),
                                      stack: "s", region: "us-east-1", clock: RecordingClock())
        let engine = DeployEngine(context: context, state: store, parallelism: 4)
        // Two groups, each with three rules that need it; one rule of b is refused; c needs that rule.
        let nodes = ["sg:a", "sg:b", "rule:a/1", "rule:a/2", "rule:a/3", "rule:b/1", "rule:b/2", "rule:b/3", "c"]
        var dependencies: [String: [String]] = ["c": ["rule:b/2"]]
        for group in ["a", "b"] { for rule in 1...3 { dependencies["rule:\(group)/\(rule)"] = ["sg:\(group)"] } }
        let units = UnitLog()
        let collector = ReportCollector()
        await engine.runGraph(nodes, dependencies: dependencies, report: collector,
                              batchKey: { $0.hasPrefix("rule:") ? String($0.dropFirst(5).prefix(1)) : nil }) { unit in
            await units.append(unit)
            return unit.contains("rule:b/2") ? ["rule:b/2": RefusedRule()] : [:]
        }
        let logged = await units.units
        #expect(logged.contains(["rule:a/1", "rule:a/2", "rule:a/3"]))
        #expect(logged.contains(["rule:b/1", "rule:b/2", "rule:b/3"]))
        #expect(logged.filter { $0.count == 1 }.map(\.[0]).sorted() == ["sg:a", "sg:b"])
        let report = await collector.report
        #expect(report.failures.map(\.address) == ["rule:b/2"])
        #expect(report.notAttempted == ["c"])
    }
}

extension EngineLogicTests {
    @Test("adoption takes untagged resources by id, never one another stack's tag claims")
    func adoptionOwnership() {
        let adoption = ["vpc-1": "vpc", "sg-2": "security_group:web"]
        #expect(ProviderContext.belongs([AWSTag("netloom:stack", "s")], id: "vpc-9", stack: "s", adoption: adoption))
        #expect(ProviderContext.belongs([AWSTag("Name", "research")], id: "vpc-1", stack: "s", adoption: adoption))
        #expect(!ProviderContext.belongs([AWSTag("netloom:stack", "other")], id: "sg-2", stack: "s", adoption: adoption))
        #expect(!ProviderContext.belongs([], id: "sg-3", stack: "s", adoption: adoption))
        let items = [("sg-1", [AWSTag("netloom:stack", "s"), AWSTag("netloom:address", "security_group:db")]),
                     ("sg-2", [AWSTag("netloom:stack", "other")]), ("sg-3", [AWSTag]()), ("sg-4", [AWSTag("Name", "web")])]
        let groups = ["sg-2": "security_group:api", "sg-4": "security_group:web"]
        let found = ProviderSupport.byAddressTag(items, stack: "s", adoption: groups, type: .securityGroup, id: \.0, tags: \.1) { _ in
            ObservedResource(address: "", type: .securityGroup, awsID: "")
        }
        #expect(found.map(\.awsID) == ["sg-1", "sg-4"])
        #expect(found.map(\.address) == ["security_group:db", "security_group:web"])
    }
}

extension EngineLogicTests {
    @Test("import names: a Name tag becomes a valid stack or set name, without its AZ, and names stay unique")
    func importNames() {
        #expect(VPCImporter.stackName(fromNameTag: "Research VPC (prod)") == "research-vpc-prod")
        #expect(VPCImporter.stackName(fromNameTag: nil) == "imported")
        #expect(VPCImporter.stackName(fromNameTag: "2024 lab") == "x-2024-lab")
        #expect(VPCImporter.stackName(fromNameTag: String(repeating: "a", count: 60)).count == 40)
        #expect(VPCImporter.setName("app-us-east-1a", az: "us-east-1a", fallback: "private") == "app")
        #expect(VPCImporter.setName("App_1a", az: "us-east-1a", fallback: "private") == "app")
        #expect(VPCImporter.setName("data-b", az: "us-east-1b", fallback: "isolated") == "data")
        #expect(VPCImporter.setName(nil, az: "us-east-1b", fallback: "public") == "public")
        var namer = SpecNamer()
        #expect([namer.unique("app"), namer.unique("app"), namer.unique("app")] == ["app", "app-2", "app-3"])
    }
}

struct RefusedRule: Error {}

actor UnitLog {
    var units: [[String]] = []
    func append(_ unit: [String]) { units.append(unit) }
}

struct RefusingTransport: HTTPTransport {
    func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse { throw AWSTransportError(.connectionFailed, "no network in unit tests") }
}

actor ConcurrencyTracker {
    var running = 0
    var maximum = 0
    var finished: [String] = []
    func start(_ node: String) {
        running += 1
        maximum = max(maximum, running)
    }
    func finish(_ node: String) {
        running -= 1
        finished.append(node)
    }
}
