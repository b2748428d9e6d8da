import AWSClient
import AWSSigV4
import Foundation
import NetloomModel
import Testing
@testable import NetloomEngine

/// A cloud in memory, for providers that stand in for AWS's.
actor FakeCloud {
    private(set) var items: [String: ObservedResource] = [:]
    /// "create ADDRESS" / "delete ADDRESS", in the order the engine asked.
    private(set) var log: [String] = []
    private var nextID = 1

    func items(of type: ResourceType) -> [ObservedResource] { items.values.filter { $0.type == type }.sorted { $0.address < $1.address } }

    func create(_ desired: DesiredResource, fields: [String: PropertyValue]) -> ObservedResource {
        let made = ObservedResource(address: desired.address, type: desired.type, awsID: "fake-\(nextID)", properties: fields)
        nextID += 1
        items[made.awsID] = made
        log.append("create \(desired.address)")
        return made
    }

    func delete(_ observed: ObservedResource) {
        items[observed.awsID] = nil
        log.append("delete \(observed.address)")
    }
}

/// Compares every property but tags, as they were resolved (so `ref:` values show the ids).
struct FakeProvider: ResourceProvider {
    let type: ResourceType
    let deleteLayer: Int
    let cloud: FakeCloud

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] { await cloud.items(of: type) }
    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] { desired.properties.filter { $0.key != "tags" } }
    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        await cloud.create(desired, fields: comparable(desired))
    }
    func delete(_ observed: ObservedResource, context: ProviderContext) async throws { await cloud.delete(observed) }
}

/// Answers STS GetCallerIdentity, the one AWS call the engine itself makes; anything else is
/// a test failure.
struct CallerIdentityOnly: HTTPTransport {
    func send(_ request: AWSHTTPRequest) async throws -> AWSHTTPResponse {
        let body = String(decoding: request.body, as: UTF8.self)
        guard body.contains("Action=GetCallerIdentity") else {
            Issue.record("the engine called AWS itself: \(body)")
            return AWSHTTPResponse(status: 400, headers: [:], body: [])
        }
        let answer = """
            <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>\
            <Arn>arn:aws:iam::123456789012:user/test</Arn><UserId>AIDATEST</UserId><Account>123456789012</Account>\
            </GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>
            """
        return AWSHTTPResponse(status: 200, headers: ["content-type": "text/xml"], body: Array(answer.utf8))
    }
}

@Suite("the engine with injected providers")
struct InjectedProviderTests {
    func engine(_ cloud: FakeCloud) throws -> DeployEngine {
        let core = AWSClientCore(transport: CallerIdentityOnly(), credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret"),
                                 region: "us-east-1", endpointURL: "http://127.0.0.1:9")
        let context = ProviderContext(services: AWSServices(core: core), stack: "fake", region: "us-east-1", clock: SystemEngineClock())
        let registry = ProviderRegistry([
            FakeProvider(type: .vpc, deleteLayer: 0, cloud: cloud),
            FakeProvider(type: .subnet, deleteLayer: 1, cloud: cloud),
            FakeProvider(type: .instance, deleteLayer: 3, cloud: cloud),
        ])
        let state = try StateStore(path: NSTemporaryDirectory() + "netloom-fake-\(UUID().uuidString).sqlite")
        return DeployEngine(context: context, state: state, providers: registry, parallelism: 4)
    }

    var graph: ResourceGraph {
        get throws {
            try ResourceGraph([
                Resource(address: "vpc", type: .vpc, properties: ["cidr": "10.0.0.0/16"]),
                Resource(address: "subnet:a", type: .subnet, properties: ["vpc": "ref:vpc", "cidr": "10.0.1.0/24"], dependsOn: ["vpc"]),
                Resource(address: "subnet:b", type: .subnet, properties: ["vpc": "ref:vpc", "cidr": "10.0.2.0/24"], dependsOn: ["vpc"]),
                Resource(address: "instance:x", type: .instance, properties: ["subnet": "ref:subnet:a"], dependsOn: ["subnet:a"]),
            ])
        }
    }

    @Test("apply creates through the injected providers in dependency order with ids resolved; a second apply changes nothing; destroy goes deepest layer first")
    func lifecycle() async throws {
        let cloud = FakeCloud()
        let engine = try engine(cloud)
        let graph = try graph

        let applied = await engine.applyStack(graph, allocations: [:])
        #expect(applied.status == .applied, "\(String(describing: applied.error)) \(applied.report.failures)")
        #expect(applied.report.completed.count == 4)
        let creates = await cloud.log
        // The instance needs only subnet:a; subnet:b may come before or after it.
        let position = { (entry: String) in creates.firstIndex(of: entry) ?? -1 }
        #expect(creates.first == "create vpc" && creates.count == 4, "\(creates)")
        #expect(position("create subnet:a") < position("create instance:x") && position("create subnet:b") > 0, "\(creates)")
        let vpcID = try #require(await cloud.items(of: .vpc).first?.awsID)
        let subnets = await cloud.items(of: .subnet)
        #expect(subnets.count == 2 && subnets.allSatisfy { $0.properties["vpc"] == .string(vpcID) }, "\(subnets)")
        #expect(try engine.state.resources().count == 4)

        let again = await engine.applyStack(graph, allocations: [:])
        #expect(again.status == .noChanges)
        #expect(await cloud.log.count == 4)

        let destroyed = await engine.destroyStack(graph)
        #expect(destroyed.status == .destroyed)
        let deletes = await cloud.log.dropFirst(4)
        #expect(Array(deletes.prefix(1)) == ["delete instance:x"] && deletes.last == "delete vpc", "\(deletes)")
        #expect(await cloud.items.isEmpty)
        #expect(try engine.state.resources().isEmpty)
    }

    @Test("a type the registry has no provider for fails its own change, naming the type, and nothing after it starts")
    func missingProvider() async throws {
        let cloud = FakeCloud()
        var engine = try engine(cloud)
        engine.providers = ProviderRegistry([FakeProvider(type: .vpc, deleteLayer: 0, cloud: cloud)])
        let outcome = await engine.applyStack(try graph, allocations: [:])
        #expect(outcome.status == .failed)
        #expect(outcome.report.failures.contains { $0.cause.contains("no provider for subnet resources") }, "\(outcome.report.failures)")
        #expect(outcome.report.notAttempted.contains("instance:x"))
        #expect(await cloud.log == ["create vpc"])
    }

    @Test("a declined plan changes nothing and is recorded as cancelled")
    func declined() async throws {
        let cloud = FakeCloud()
        let engine = try engine(cloud)
        let outcome = await engine.applyStack(try graph, allocations: [:], hooks: RunHooks(planned: { plan in plan.plan.changes.count != 4 }))
        #expect(outcome.status == .cancelled && outcome.plan?.changes.count == 4)
        #expect(await cloud.log.isEmpty)
    }
}
