import AWSClient
import Foundation
import NetloomModel

/// One resource as AWS has it, in the vocabulary of the spec's properties (`ref:` values
/// appear as the AWS ids they resolve to).
public struct ObservedResource: Sendable, Hashable {
    public var address: String
    public var type: ResourceType
    public var awsID: String
    /// The fields a provider compares; keys as in the expanded resource's properties.
    public var properties: [String: PropertyValue]
    /// Other ids AWS gave it (ARN, DNS name, association id, public IP).
    public var attributes: [String: String]
    /// True for a sub-resource found in AWS that no resource of the spec owns (a rule or route
    /// added outside netloom); `address` is then made up from the parent and the AWS id.
    public var isUnmanaged: Bool
    /// Set when AWS holds what the spec's resource needs (its name) but the stack does not own
    /// it: the plan stops, and nothing is done to it.
    public var conflict: OwnershipConflict?

    public init(address: String, type: ResourceType, awsID: String, properties: [String: PropertyValue] = [:],
                attributes: [String: String] = [:], isUnmanaged: Bool = false) {
        self.address = address
        self.type = type
        self.awsID = awsID
        self.properties = properties
        self.attributes = attributes
        self.isUnmanaged = isUnmanaged
    }

    var stateRecord: StateRecord {
        StateRecord(address: address, type: type, awsID: awsID, attributes: attributes, properties: properties)
    }
}

/// A resource of the spec with its `ref:` values replaced by AWS ids (or marked unknown) and
/// `${account_id}` filled in.
public struct DesiredResource: Sendable, Hashable {
    public var resource: Resource
    public var properties: [String: PropertyValue]

    public var address: String { resource.address }
    public var type: ResourceType { resource.type }

    /// Stands for an id that exists only after apply; it never equals an observed value.
    public static let unknownID = "(known after apply)"

    public func string(_ key: String) -> String { properties[key]?.stringValue ?? "" }
    public func int(_ key: String) -> Int? { properties[key]?.intValue }
    public func bool(_ key: String) -> Bool { properties[key]?.boolValue ?? false }
    public func strings(_ key: String) -> [String] { properties[key]?.listValue?.compactMap(\.stringValue) ?? [] }

    /// The spec's tags, `netloom:stack` and `netloom:address` among them.
    public var tags: [AWSTag] {
        (properties["tags"]?.mapValue ?? [:]).compactMap { key, value in value.stringValue.map { AWSTag(key, $0) } }.sorted()
    }

    public var hasUnknownReference: Bool { Self.containsUnknown(.map(properties)) }

    static func containsUnknown(_ value: PropertyValue) -> Bool {
        switch value {
        case .string(let text): text == unknownID
        case .list(let values): values.contains(where: containsUnknown)
        case .map(let values): values.values.contains(where: containsUnknown)
        default: false
        }
    }
}

/// What a provider needs to talk to AWS; every side effect is in here, so tests inject fakes.
public struct ProviderContext: Sendable {
    public var services: AWSServices
    public var stack: String
    public var region: String
    public var clock: any EngineClock
    /// How long to wait for a NAT gateway or load balancer to become ready.
    public var readinessTimeout: Duration
    /// From STS GetCallerIdentity, for `${account_id}` and ARNs.
    public var accountID: String = ""
    /// Told after every poll of a wait for a resource to become ready (or gone): what is
    /// waited for and the state AWS reports. The command line draws it on a terminal.
    public var readinessObserver: @Sendable (ReadinessEvent) -> Void = { _ in }
    var cache = DescribeCache()
    /// Set by destroy: VPC-scoped types are read by the stack tag in every VPC, not only in the
    /// stack's own VPCs.
    var readsLeftoversOutsideStackVPCs = false
    /// `apply --adopt`: resources made outside netloom, AWS id -> address, which count as the
    /// stack's although they carry no tag yet (the apply tags them).
    public var adoption: [String: String] = [:]

    public init(services: AWSServices, stack: String, region: String, clock: any EngineClock, readinessTimeout: Duration = .seconds(900)) {
        self.services = services
        self.stack = stack
        self.region = region
        self.clock = clock
        self.readinessTimeout = readinessTimeout
    }

    var stackFilter: AWSFilter { .tag("netloom:stack", stack) }

    /// The adopted resources whose ids start with `prefix`, described by id; none without adoption.
    func adopted<Item>(_ prefix: String, describe: ([String]) async throws -> [Item]) async throws -> [Item] {
        let ids = adoption.keys.filter { $0.hasPrefix(prefix) }.sorted()
        return ids.isEmpty ? [] : try await describe(ids)
    }

    /// The ownership test for tagged resources: AWS's answer must show this stack's tag.
    func isOwned(_ tags: [AWSTag]) -> Bool { tags.value(forKey: "netloom:stack") == stack }

    /// Owned, or being adopted: an adopted resource must carry no other stack's tag, so an
    /// import can never hand one stack's resources to another.
    func belongs(_ tags: [AWSTag], id: String) -> Bool { Self.belongs(tags, id: id, stack: stack, adoption: adoption) }

    static func belongs(_ tags: [AWSTag], id: String, stack: String, adoption: [String: String]) -> Bool {
        let owner = tags.value(forKey: "netloom:stack")
        return owner == stack || owner == nil && adoption[id] != nil
    }

    /// The IAM path that marks the stack's roles and profiles (names are unique per account,
    /// and ListRoles carries no tags).
    var iamPath: String { "/netloom/\(stack)/" }

    var waiter: ReadinessWaiter { ReadinessWaiter(clock: clock, timeout: readinessTimeout, observer: readinessObserver) }

    /// A fresh describe cache: each refresh must see AWS as it is now.
    func refreshed() -> ProviderContext {
        var copy = self
        copy.cache = DescribeCache()
        return copy
    }
}

/// The clients of every service the engine uses, over one core.
public struct AWSServices: Sendable {
    public var ec2: EC2
    public var elb: ELBv2
    public var iam: IAM
    public var s3: S3
    public var logs: CloudWatchLogs
    public var cloudWatch: CloudWatch
    public var ssm: SSM
    public var sts: STS
    public var acm: ACM
    public var route53: Route53
    public var autoScaling: AutoScaling
    public var sageMaker: SageMaker
    public var fsx: FSx
    public var eks: EKS

    public init(core: AWSClientCore) {
        ec2 = EC2(core: core)
        elb = ELBv2(core: core)
        iam = IAM(core: core)
        s3 = S3(core: core)
        logs = CloudWatchLogs(core: core)
        cloudWatch = CloudWatch(core: core)
        ssm = SSM(core: core)
        sts = STS(core: core)
        acm = ACM(core: core)
        route53 = Route53(core: core)
        autoScaling = AutoScaling(core: core)
        sageMaker = SageMaker(core: core)
        fsx = FSx(core: core)
        eks = EKS(core: core)
    }
}

/// What the read of one type may use: the spec's resources of that type, and for sub-resources
/// what has been read of their parents.
public struct ReadScope: Sendable {
    public var desired: [DesiredResource]
    /// Observed parents and everything read before, by address.
    public var observed: [String: ObservedResource]
    /// Records of the state (to name leftovers that have no tags, such as IAM policies).
    public var state: [String: StateRecord]
    /// Addresses whose create an earlier run began and did not finish: an untagged resource
    /// with such an address's name is that run's, and may be adopted.
    public var unfinishedCreates: Set<String> = []

    /// What a read of names maps to addresses: the names the spec wants and the names an
    /// earlier netloom derived for the same resources.
    func addressesByName(_ key: String, accountID: String = "") -> [String: String] {
        var result: [String: String] = [:]
        for resource in desired {
            if let previous = resource.resource.previousNames[key] {
                result[previous.replacingOccurrences(of: "${account_id}", with: accountID)] = resource.address
            }
        }
        for resource in desired { result[resource.string(key)] = resource.address }
        return result
    }
}

/// A name the stack needs that AWS says belongs to someone else.
public struct OwnershipConflict: Error, Sendable, Hashable, CustomStringConvertible {
    public var address: String
    /// What it is, as a person says it: "S3 bucket", "IAM role".
    public var kind: String
    public var name: String
    /// Who holds it: "stack 'ml' (tag netloom:stack=ml)".
    public var owner: String
    /// The way out, naming the spec key to change.
    public var remedy: String

    public init(address: String, kind: String, name: String, owner: String, remedy: String) {
        self.address = address
        self.kind = kind
        self.name = name
        self.owner = owner
        self.remedy = remedy
    }

    public var description: String {
        "\(address): the \(kind) '\(name)' already exists and belongs to \(owner); netloom will not adopt, change or delete it. \(remedy)"
    }
}

/// Reads, creates, updates and deletes one resource type. The graph walk knows nothing of AWS.
public protocol ResourceProvider: Sendable {
    var type: ResourceType { get }
    /// How deep the type sits in what it needs (0: stands on nothing). Deletes run from the
    /// deepest layer up, so a leftover found only by its tag (with no dependency list) still
    /// goes before what it stands on: instances before subnets, NAT gateways before their
    /// Elastic IP.
    var deleteLayer: Int { get }
    /// Sub-resources are read after their parents (routes after route tables, rules after groups).
    var readsAfterParents: Bool { get }
    /// Fields AWS cannot change in place: a difference there replaces the resource.
    var replacedOn: [String: String] { get }
    /// Fields `drift` reports but a plan never acts on: the resource's health, which AWS
    /// restores itself or the user repairs, and which no call of netloom would fix (a HyperPod
    /// group running fewer nodes than its count).
    var reportedOnly: Set<String> { get }

    /// Everything of this type the stack has in AWS: one tag-filtered describe (all pages) or
    /// one call per parent, never one per resource.
    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource]
    /// The fields compared with AWS, from the resolved desired properties.
    func comparable(_ desired: DesiredResource) -> [String: PropertyValue]
    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource
    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource
    func delete(_ observed: ObservedResource, context: ProviderContext) async throws

    /// Values the type's properties name indirectly (an `ssm:` AMI parameter), looked up once
    /// per run: property value -> what it stands for.
    func resolveParameters(of resources: [Resource], context: ProviderContext) async throws -> [String: String]
    /// The resolved resource as the type's calls need it, given the whole graph (a group learns
    /// whether the spec keeps AWS's default egress rule).
    func prepare(_ desired: DesiredResource, in graph: ResourceGraph) -> DesiredResource

    /// What the user should know about an in-place update beyond its fields (a new launch
    /// template version reaches running instances only through an instance refresh); shown
    /// with the plan's reason. `nil`: nothing to add.
    func updateNote(_ desired: DesiredResource, changed: Set<String>) -> String?

    /// Resources AWS creates many of in one call (the rules of one group and direction) share a
    /// key: the engine hands those that are ready together to `create(batch:)`. `nil`: one call
    /// each, through `create`.
    func createBatchKey(of resource: Resource) -> String?
    /// The same for deletes, through `delete(batch:)`.
    func deleteBatchKey(of observed: ObservedResource) -> String?
    /// Creates resources of one batch key; one result per resource, in order, so one refused
    /// resource fails alone.
    func create(batch: [DesiredResource], context: ProviderContext) async -> [Result<ObservedResource, any Error>]
    /// Deletes resources of one batch key; one error (or `nil`) per resource, in order.
    func delete(batch: [ObservedResource], context: ProviderContext) async -> [(any Error)?]
}

extension ResourceProvider {
    public var readsAfterParents: Bool { false }
    public var replacedOn: [String: String] { [:] }
    public var reportedOnly: Set<String> { [] }
    public func resolveParameters(of resources: [Resource], context: ProviderContext) async throws -> [String: String] { [:] }
    public func prepare(_ desired: DesiredResource, in graph: ResourceGraph) -> DesiredResource { desired }
    public func createBatchKey(of resource: Resource) -> String? { nil }
    public func updateNote(_ desired: DesiredResource, changed: Set<String>) -> String? { nil }
    public func deleteBatchKey(of observed: ObservedResource) -> String? { nil }

    public func create(batch: [DesiredResource], context: ProviderContext) async -> [Result<ObservedResource, any Error>] {
        await batch.asyncMap { desired in await Result(awaiting: { try await create(desired, context: context) }) }
    }

    public func delete(batch: [ObservedResource], context: ProviderContext) async -> [(any Error)?] {
        await batch.asyncMap { observed in
            do {
                try await delete(observed, context: context)
                return nil
            } catch {
                return error
            }
        }
    }

    public func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        // Types without an in-place update only ever see replacements; keep what exists.
        observed
    }

    /// The update of an EC2 resource whose only field AWS changes in place is its tags.
    func updatingEC2Tags(_ desired: DesiredResource, from observed: ObservedResource, context: ProviderContext) async throws -> ObservedResource {
        try await ProviderSupport.updateEC2Tags(desired, observed: observed, context: context)
        return updated(observed, to: desired)
    }

    /// What an in-place update leaves: the same AWS resource, with the ids AWS gave it, now
    /// holding the spec's fields (under a new id where the update made one).
    func updated(_ observed: ObservedResource, to desired: DesiredResource, awsID: String? = nil) -> ObservedResource {
        var result = observed
        result.address = desired.address
        result.awsID = awsID ?? observed.awsID
        result.properties = comparable(desired)
        return result
    }
}

/// Tag helpers shared by the providers.
extension Array where Element == AWSTag {
    var propertyMap: PropertyValue { .map(Dictionary(map { ($0.key, PropertyValue.string($0.value)) }, uniquingKeysWith: { _, last in last })) }
    func value(forKey key: String) -> String? { last { $0.key == key }?.value }
}

/// Tags as compared: the spec's tags only (AWS may add its own `aws:` tags, which are not drift).
func comparableTags(_ tags: [AWSTag]) -> PropertyValue {
    tags.filter { !$0.key.hasPrefix("aws:") }.propertyMap
}
