import AWSClient
import Foundation
import NetloomModel

/// What AWS holds of the stack right now, by address.
public struct LiveView: Sendable {
    /// Resources the spec (or an earlier run) owns, by address.
    public var resources: [String: ObservedResource]
    /// Sub-resources in the stack's parents that no resource of the spec owns, and duplicates.
    public var unmanaged: [ObservedResource]
    /// Names the spec needs that AWS holds for someone else: a plan with any stops.
    public var conflicts: [OwnershipConflict]

    public var all: [ObservedResource] { Array(resources.values) + unmanaged }

    public init(resources: [String: ObservedResource], unmanaged: [ObservedResource], conflicts: [OwnershipConflict] = []) {
        self.resources = resources
        self.unmanaged = unmanaged
        self.conflicts = conflicts
    }
}

/// The plan cannot go on: names the stack needs are held by others.
public struct OwnershipConflicts: Error, Sendable, CustomStringConvertible {
    public var conflicts: [OwnershipConflict]
    public var description: String { conflicts.map(\.description).joined(separator: "\n") }
}

/// The plan with what it was computed from, so apply executes exactly what was shown.
public struct DeployPlan: Sendable {
    public var plan: Plan
    public var live: LiveView
    public var graph: ResourceGraph
    /// Resolved values at planning time (the account id and AMIs do not change during a run).
    public var resolution: PropertyResolution
}

/// Replaces `ref:ADDRESS` with the AWS id the address has, `${account_id}` with the account,
/// and values that name a parameter (an `ssm:` AMI) with what the providers looked up.
public struct PropertyResolution: Sendable {
    public var accountID: String
    /// Property value -> what it stands for, from the providers' `resolveParameters`.
    public var parameters: [String: String]
    /// Derived name -> the name an earlier netloom gave the same resource, which it keeps;
    /// every string that holds the first (a policy's bucket ARN too) gets the second.
    public var keptNames: [String: String] = [:]

    public init(accountID: String, parameters: [String: String] = [:]) {
        self.accountID = accountID
        self.parameters = parameters
    }

    /// Resources found in AWS under the name an earlier netloom derived for them keep it: a
    /// bucket or role is never replaced only because the naming scheme changed.
    public func keepingNames(of graph: ResourceGraph, live: [String: ObservedResource]) -> PropertyResolution {
        var base = self
        base.keptNames = [:]
        var result = base
        for resource in graph.resources where !resource.previousNames.isEmpty {
            guard let observed = live[resource.address] else { continue }
            for (key, previous) in resource.previousNames {
                let previousName = previous.replacingOccurrences(of: "${account_id}", with: accountID)
                guard let derived = base.resolve(resource.properties[key] ?? .null, ids: [:]).stringValue, derived != previousName,
                      observed.awsID == previousName || observed.properties[key]?.stringValue == previousName else { continue }
                result.keptNames[derived] = previousName
            }
        }
        return result
    }

    public func resolve(_ resource: Resource, ids: [String: String]) -> DesiredResource {
        DesiredResource(resource: resource, properties: resource.properties.mapValues { resolve($0, ids: ids) })
    }

    func resolve(_ value: PropertyValue, ids: [String: String]) -> PropertyValue {
        switch value {
        case .string(let text):
            if text.hasPrefix(ResourceReference.prefix) {
                // A reference to no address the vocabulary knows can have no id either.
                return .string(ResourceReference(parsing: text).flatMap { ids[$0.key] } ?? DesiredResource.unknownID)
            }
            if let value = parameters[text] { return .string(value) }
            // `${ref:...}` inside a longer string (an ARN ending in a subnet id): unknown as a whole until every part is known.
            guard var text = ResourceReference.replacingEmbedded(in: text, { ids[$0.key] }) else { return .string(DesiredResource.unknownID) }
            if text.contains("${account_id}") { text = text.replacingOccurrences(of: "${account_id}", with: accountID) }
            for (derived, kept) in keptNames where text.contains(derived) { text = text.replacingOccurrences(of: derived, with: kept) }
            return .string(text)
        case .list(let values): return .list(values.map { resolve($0, ids: ids) })
        case .map(let values): return .map(values.mapValues { resolve($0, ids: ids) })
        default: return value
        }
    }
}

/// A failed AWS operation on one resource, with what was left as it was.
public struct ResourceOperationError: Error, Sendable, CustomStringConvertible {
    public var address: String
    /// create, update, replace or delete.
    public var operation: String
    public var cause: String
    /// The AWS action that failed, when it was an AWS call.
    public var awsAction: String?
    public var isNotImplemented: Bool
    /// A resource AWS made that did not become ready (a wait timed out or it failed): it
    /// exists, so the state records it although the change failed.
    var made: ObservedResource?

    init(address: String, operation: String, error: any Error) {
        self.address = address
        self.operation = operation
        var error = error
        if let unready = error as? MadeButNotReady {
            made = unready.made
            error = unready.cause
        }
        if let aws = error as? AWSError {
            awsAction = aws.action
            isNotImplemented = aws.kind == .notImplemented
            var text = aws.description
            if aws.kind == .notImplemented { text += " (the endpoint does not implement \(aws.action))" }
            cause = text
        } else {
            awsAction = nil
            isNotImplemented = false
            cause = String(describing: error)
        }
    }

    public var description: String { "\(operation) \(address) failed: \(cause)" }
}

/// How an apply or destroy ended.
public struct RunReport: Sendable {
    public var completed: [String: PlannedChange.Action] = [:]
    public var failures: [ResourceOperationError] = []
    /// Changes not attempted: a dependency failed, or the run was stopped.
    public var notAttempted: [String] = []
    public var interrupted = false

    public var succeeded: Bool { failures.isEmpty && notAttempted.isEmpty && !interrupted }
}

/// Set from a signal handler: finish the calls in flight, start no new ones.
public final class StopRequest: @unchecked Sendable {
    private var requested = false
    private let lock = NSLock()

    public init() {}

    public func request() {
        lock.lock()
        requested = true
        lock.unlock()
    }

    public var isRequested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return requested
    }
}

/// One step of progress, for a terminal's status line: a change started, finished or failed.
/// A replacement starts twice (its delete, then its create) and finishes once.
public struct ProgressEvent: Sendable, Hashable {
    public enum Stage: String, Sendable, Hashable {
        case started, finished, failed
    }

    public var address: String
    public var action: PlannedChange.Action
    public var stage: Stage
    /// Changes finished so far in this pass (the event's own included when it finished).
    public var done: Int
    /// Changes in the plan being executed.
    public var total: Int

    public var finished: Bool { stage == .finished }

    public init(address: String, action: PlannedChange.Action, stage: Stage, done: Int, total: Int) {
        self.address = address
        self.action = action
        self.stage = stage
        self.done = done
        self.total = total
    }
}

/// Ids known so far, updated as resources are created.
actor IDRegistry {
    private(set) var ids: [String: String]

    init(_ ids: [String: String]) { self.ids = ids }

    func set(_ address: String, _ id: String, attributes: [String: String] = [:]) {
        ids[address] = id
        for (key, value) in attributes { ids[ResourceReference.attributeKey(address, key)] = value }
    }
    func remove(_ address: String) { ids[address] = nil }

    /// Ids by address, and each attribute by `ADDRESS#ATTRIBUTE` for `ref:ADDRESS#ATTRIBUTE`;
    /// later entries win.
    static func known(_ items: [(address: String, id: String, attributes: [String: String])]) -> [String: String] {
        var ids: [String: String] = [:]
        for item in items {
            ids[item.address] = item.id
            for (key, value) in item.attributes { ids[ResourceReference.attributeKey(item.address, key)] = value }
        }
        return ids
    }
}

/// Plans and applies a stack: batched reads, a bounded-parallel graph walk, state written after
/// every call, intents before every mutating one.
public struct DeployEngine: Sendable {
    public var context: ProviderContext
    public var state: StateStore
    public var providers: ProviderRegistry
    public var parallelism: Int
    public var stop: StopRequest
    /// Told of every AWS call by the client core: how many changes a run made, and which lost
    /// their answer (a retry may then have made a second resource).
    public var calls: CallCounter
    public var progress: @Sendable (ProgressEvent) -> Void

    public init(context: ProviderContext, state: StateStore, providers: ProviderRegistry = .standard, parallelism: Int = 16,
                stop: StopRequest = StopRequest(), calls: CallCounter = CallCounter(),
                progress: @escaping @Sendable (ProgressEvent) -> Void = { _ in }) {
        self.context = context
        self.state = state
        self.providers = providers
        self.parallelism = max(1, parallelism)
        self.stop = stop
        self.calls = calls
        self.progress = progress
    }

    var comparer: StackComparer { StackComparer(providers: providers) }

    // MARK: resolution and refresh

    /// The account id (STS) and the parameters each type's properties name, once per run.
    public func resolution(for graph: ResourceGraph) async throws -> PropertyResolution {
        let account = try await context.services.sts.getCallerIdentity().account
        var parameters: [String: String] = [:]
        for (type, resources) in Dictionary(grouping: graph.resources, by: \.type).sorted(by: { $0.key < $1.key }) {
            let found = try await providers.provider(for: type).resolveParameters(of: resources, context: context)
            parameters.merge(found) { first, _ in first }
        }
        return PropertyResolution(accountID: account, parameters: parameters)
    }

    /// Reads the stack from AWS: one batched read per type, parents before sub-resources.
    /// `everywhere` also finds resources tagged with the stack outside its VPCs (for destroy).
    public func refresh(_ graph: ResourceGraph, resolution: PropertyResolution, everywhere: Bool = false) async throws -> LiveView {
        var context = self.context.refreshed()
        context.accountID = resolution.accountID
        context.readsLeftoversOutsideStackVPCs = everywhere
        let records = try state.resources()
        var ids = IDRegistry.known(records.values.map { ($0.address, $0.awsID, $0.attributes) })
        let byType = Dictionary(grouping: graph.resources, by: \.type)
        var observed: [String: ObservedResource] = [:]
        var unmanaged: [ObservedResource] = []
        var conflicts: [OwnershipConflict] = []
        let unfinishedCreates = try state.unfinishedCreates()
        let inUse = everywhere ? Set(ResourceType.allCases)
            : Self.typesToRead(specTypes: Set(byType.keys), records: records, unsettledIntents: try state.unsettledIntents().map(\.address))

        for phase in [false, true] {
            let types = ResourceType.allCases.filter { providers.provider(for: $0).readsAfterParents == phase && inUse.contains($0) }
            let currentIDs = ids
            let snapshot = observed
            let results = try await withThrowingTaskGroup(of: [ObservedResource].self) { group in
                for type in types {
                    let provider = providers.provider(for: type)
                    let desired = (byType[type] ?? []).map { resolution.resolve($0, ids: currentIDs) }
                    let scope = ReadScope(desired: desired, observed: snapshot, state: records, unfinishedCreates: unfinishedCreates)
                    let readContext = context
                    group.addTask {
                        try await AWSCallContext.$resource.withValue("read \(type.rawValue)") { try await provider.read(scope, context: readContext) }
                    }
                }
                var all: [ObservedResource] = []
                for try await items in group { all += items }
                return all
            }
            for item in Self.preferringRecordedIDs(results, records: records) {
                if let conflict = item.conflict {
                    conflicts.append(conflict)
                } else if item.isUnmanaged || observed[item.address] != nil {
                    var extra = item
                    extra.isUnmanaged = true
                    unmanaged.append(extra)
                } else {
                    observed[item.address] = item
                    ids[item.address] = item.awsID
                    for (key, value) in item.attributes { ids[ResourceReference.attributeKey(item.address, key)] = value }
                }
            }
        }
        return LiveView(resources: observed, unmanaged: unmanaged.sorted { $0.address < $1.address },
                        conflicts: conflicts.sorted { $0.address < $1.address })
    }

    /// A type the spec does not use, the state does not hold and no unfinished call touched
    /// has nothing netloom made, so its read is skipped (most of the calls of a no-op plan of a
    /// network without instances, buckets or load balancers). Destroy reads every type, to also
    /// find what was tagged with the stack by other means.
    static func typesToRead(specTypes: Set<ResourceType>, records: [String: StateRecord], unsettledIntents: [String]) -> Set<ResourceType> {
        var types = specTypes.union(records.values.map(\.type))
        for address in unsettledIntents {
            if let type = FoundAddress.type(of: address) { types.insert(type) }
        }
        return types
    }

    /// Of the resources that share an address, a read keeps the lowest id and calls the others
    /// duplicates. When the state recorded one of them, that one is what its dependents were
    /// built on (the others come from creates whose answer was lost), so it stays.
    static func preferringRecordedIDs(_ items: [ObservedResource], records: [String: StateRecord]) -> [ObservedResource] {
        var result = items
        for (index, item) in items.enumerated() {
            guard let address = FoundAddress.original(ofDuplicate: item.address) else { continue }
            guard records[address]?.awsID == item.awsID,
                  let kept = result.firstIndex(where: { $0.address == address && $0.type == item.type }) else { continue }
            result[kept].address = FoundAddress.duplicate(of: address, id: result[kept].awsID)
            result[kept].isUnmanaged = true
            result[index].address = address
            result[index].isUnmanaged = false
        }
        return result
    }

    // MARK: planning

    /// Throws `OwnershipConflicts`, before any change, when a name the spec needs is someone else's.
    public func plan(_ graph: ResourceGraph) async throws -> DeployPlan {
        let base = try await resolution(for: graph)
        let live = try await refresh(graph, resolution: base)
        guard live.conflicts.isEmpty else { throw OwnershipConflicts(conflicts: live.conflicts) }
        let resolution = base.keepingNames(of: graph, live: live.resources)
        return DeployPlan(plan: comparer.plan(graph, live: live, resolution: resolution, state: try state.resources()),
                          live: live, graph: graph, resolution: resolution)
    }

    // MARK: apply

    /// Executes a plan. Deletes go first, deepest layer first; then creates, updates and
    /// replacements walk the dependency graph with at most `parallelism` calls in flight.
    public func apply(_ deploy: DeployPlan, runID: Int64) async -> RunReport {
        var prepared = self.context
        prepared.accountID = deploy.resolution.accountID
        let context = prepared
        let report = ReportCollector()
        let total = deploy.plan.changes.count
        let counter = ProgressCounter()
        do {
            try state.clearUnsettledIntents(outcome: "superseded: resolved by reading AWS")
        } catch {
            await report.fail(ResourceOperationError(address: "(state)", operation: "record", error: error))
            return await report.report
        }
        recordAdopted(deploy)

        // A replacement's delete goes with the deletes, deepest layer first, so what depends
        // on the old resource (and is replaced with it) is gone before it; its create then
        // walks the graph with the others.
        let deletes = deploy.plan.changes.filter { $0.action == .delete || $0.action == .replace }
        let liveByAddress = Dictionary(deploy.live.all.map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first })
        for layer in stride(from: providers.deepestLayer, through: 0, by: -1) {
            let wave = deletes.filter { providers.provider(for: $0.type).deleteLayer == layer }
            guard !wave.isEmpty else { continue }
            let waveByAddress = Dictionary(wave.map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first })
            let batchKey = { (address: String) -> String? in
                guard let item = liveByAddress[address] else { return nil }
                return self.providers.provider(for: item.type).deleteBatchKey(of: item).map { CompositeID(item.type.rawValue, $0).description }
            }
            await runGraph(wave.map(\.address), dependencies: [:], report: report, batchKey: batchKey) { addresses in
                let items = addresses.compactMap { address in waveByAddress[address].flatMap { change in liveByAddress[address].map { (change, $0) } } }
                for (change, item) in items {
                    self.progress(ProgressEvent(address: item.address, action: change.action, stage: .started, done: await counter.value, total: total))
                }
                let outcomes = await self.mutateAll(runID: runID, addresses: items.map(\.1.address),
                                                    action: { waveByAddress[$0]?.action == .replace ? "replace: delete" : "delete" }) {
                    await self.delete(batch: items.map(\.1), context: context, known: { deploy.live.resources }).map { error in
                        error.map { Result<Void, any Error>.failure($0) } ?? .success(())
                    }
                }
                var errors: [String: any Error] = [:]
                for (change, item) in items {
                    do {
                        try outcomes[item.address]?.get()
                        try self.state.remove(address: item.address)
                    } catch {
                        errors[item.address] = error
                        self.progress(ProgressEvent(address: item.address, action: change.action, stage: .failed, done: await counter.value, total: total))
                        continue
                    }
                    guard change.action != .replace else { continue }
                    await report.complete(item.address, .delete)
                    self.progress(ProgressEvent(address: item.address, action: .delete, stage: .finished, done: await counter.increment(), total: total))
                }
                return errors
            }
        }
        if await !report.report.failures.isEmpty || stop.isRequested {
            let remaining = deploy.plan.changes.filter { $0.action != .delete }.map(\.address)
            await report.skip(remaining)
            return await report.finish(interrupted: stop.isRequested)
        }

        let others = deploy.plan.changes.filter { $0.action != .delete }
        let changing = Set(others.map(\.address))
        let recorded = (try? state.resources().values.map { ($0.address, $0.awsID, $0.attributes) }) ?? []
        let registry = IDRegistry(IDRegistry.known(recorded + deploy.live.resources.map { ($0.key, $0.value.awsID, $0.value.attributes) }))
        var dependencies: [String: [String]] = [:]
        for change in others { dependencies[change.address] = deploy.graph[change.address]?.dependsOn.filter(changing.contains) ?? [] }
        let byAddress = Dictionary(others.map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first })
        let known: @Sendable () async -> [String: ObservedResource] = { await self.known(deploy, registry: registry) }
        let batchKey = { (address: String) -> String? in
            guard let change = byAddress[address], change.action == .create || change.action == .replace,
                  let resource = deploy.graph[address] else { return nil }
            return self.providers.provider(for: resource.type).createBatchKey(of: resource).map { CompositeID(resource.type.rawValue, $0).description }
        }
        await runGraph(others.map(\.address), dependencies: dependencies, report: report, batchKey: batchKey) { addresses in
            var errors: [String: any Error] = [:]
            var creates: [DesiredResource] = []
            var updates: [(PlannedChange, DesiredResource)] = []
            for address in addresses {
                guard let change = byAddress[address], let resource = deploy.graph[address] else { continue }
                self.progress(ProgressEvent(address: address, action: change.action, stage: .started, done: await counter.value, total: total))
                let provider = self.providers.provider(for: resource.type)
                let desired = provider.prepare(deploy.resolution.resolve(resource, ids: await registry.ids), in: deploy.graph)
                if DesiredResource.containsUnknown(.map(desired.properties)) {
                    errors[address] = ResourceOperationError(address: address, operation: change.action.rawValue, error: UnresolvedReference(address: address))
                } else if change.action == .update {
                    updates.append((change, desired))
                } else if change.action != .delete {
                    creates.append(desired)
                }
            }
            // A replacement's old resource went with the deletes: what is left of it is a create.
            let actionName = { (address: String) in byAddress[address]?.action == .replace ? "replace: create" : "create" }
            var outcomes = await self.mutateAll(runID: runID, addresses: creates.map(\.address), action: actionName) {
                await self.create(batch: creates, context: context, known: known)
            }
            for (change, desired) in updates {
                guard let observed = deploy.live.resources[change.address] else { continue }
                let provider = self.providers.provider(for: desired.type)
                let outcome = await self.mutateAll(runID: runID, addresses: [change.address], action: { _ in "update" }) {
                    do { return [.success(try await provider.update(desired, from: observed, changed: Set(change.diff.keys), context: context))] } catch { return [.failure(error)] }
                }
                outcomes.merge(outcome) { first, _ in first }
            }
            for (address, outcome) in outcomes.sorted(by: { $0.key < $1.key }) {
                guard let change = byAddress[address] else { continue }
                do {
                    var result = try outcome.get()
                    guard !result.awsID.isEmpty else {
                        throw ResourceOperationError(address: address, operation: change.action.rawValue, error: AnswerWithoutID(type: change.type))
                    }
                    result.address = address
                    result.type = change.type
                    try self.state.save(result.stateRecord)
                    await registry.set(address, result.awsID, attributes: result.attributes)
                } catch {
                    // A cluster whose wait ran out is still AWS's and the stack's: recorded, so
                    // output, drift and destroy know it, while the change counts as failed.
                    if var made = (error as? ResourceOperationError)?.made, !made.awsID.isEmpty {
                        made.address = address
                        made.type = change.type
                        try? self.state.save(made.stateRecord)
                        await registry.set(address, made.awsID, attributes: made.attributes)
                    }
                    errors[address] = error
                    continue
                }
                await report.complete(address, change.action)
                self.progress(ProgressEvent(address: address, action: change.action, stage: .finished, done: await counter.increment(), total: total))
            }
            for (address, _) in errors.sorted(by: { $0.key < $1.key }) {
                guard let change = byAddress[address] else { continue }
                self.progress(ProgressEvent(address: address, action: change.action, stage: .failed, done: await counter.value, total: total))
            }
            return errors
        }
        return await report.finish(interrupted: stop.isRequested)
    }

    /// Records what AWS has of the stack and the state missed (a killed run, another state
    /// file): the state then knows every resource the plan was computed from.
    public func recordAdopted(_ deploy: DeployPlan) {
        for (address, item) in deploy.live.resources where deploy.graph[address] != nil {
            try? state.save(item.stateRecord)
        }
    }

    // MARK: reading again after a failure

    /// A create that fails may still have made the resource: an earlier attempt whose answer was
    /// lost (a reset connection, a server error) did the work, and the retry then fails on a
    /// name or address conflict. The type is read again before such a failure counts; what now
    /// carries the address is the result. `batch` holds resources of one type.
    func create(batch: [DesiredResource], context: ProviderContext, known: @Sendable () async -> [String: ObservedResource]) async -> [Result<ObservedResource, any Error>] {
        guard let type = batch.first?.type else { return [] }
        var results = await providers.provider(for: type).create(batch: batch, context: context)
        let uncertain = batch.indices.filter { index in
            if case .failure(let error) = results[index] { return Self.mayHaveTakenEffect(error) }
            return false
        }
        guard !uncertain.isEmpty,
              let found = try? await reread(type, desired: uncertain.map { batch[$0] }, known: await known(), context: context) else { return results }
        for index in uncertain {
            if let item = found.first(where: { $0.address == batch[index].address && !$0.isUnmanaged }) { results[index] = .success(item) }
        }
        return results
    }

    /// A delete that fails may have deleted the resource all the same (an earlier attempt
    /// did, and the retry found nothing); when the read no longer lists its id, it is done.
    /// `batch` holds resources of one type.
    func delete(batch: [ObservedResource], context: ProviderContext, known: @Sendable () async -> [String: ObservedResource]) async -> [(any Error)?] {
        guard let type = batch.first?.type else { return [] }
        var errors = await providers.provider(for: type).delete(batch: batch, context: context)
        let uncertain = batch.indices.filter { errors[$0].map(Self.mayHaveTakenEffect) ?? false }
        guard !uncertain.isEmpty,
              let remaining = try? await reread(type, desired: [], known: await known(), context: context) else { return errors }
        for index in uncertain where !remaining.contains(where: { $0.awsID == batch[index].awsID }) { errors[index] = nil }
        return errors
    }

    /// Any AWS error but an action the endpoint does not implement (reading such a type answers
    /// nothing, which would pass for "gone"), unless an earlier attempt's answer was lost: moto
    /// then answers some retries (a replaced ACL association) with its HTML error page.
    static func mayHaveTakenEffect(_ error: any Error) -> Bool {
        guard let error = error as? AWSError else { return false }
        return error.kind != .notImplemented || error.followsUncertainAttempt
    }

    /// Reads by the stack tag in every VPC: a resource a destroy found outside the stack's VPCs
    /// must not pass for gone because a VPC-scoped read cannot see it.
    func reread(_ type: ResourceType, desired: [DesiredResource], known: [String: ObservedResource], context: ProviderContext) async throws -> [ObservedResource] {
        let scope = ReadScope(desired: desired, observed: known, state: try state.resources())
        var fresh = context.refreshed()
        fresh.readsLeftoversOutsideStackVPCs = true
        return try await providers.provider(for: type).read(scope, context: fresh)
    }

    /// What a read of sub-resources may need of their parents: the live view, and what this
    /// run has made since.
    func known(_ deploy: DeployPlan, registry: IDRegistry) async -> [String: ObservedResource] {
        var known = deploy.live.resources
        for (address, id) in await registry.ids where known[address] == nil {
            guard let resource = deploy.graph[address] else { continue }
            known[address] = ObservedResource(address: address, type: resource.type, awsID: id)
        }
        return known
    }

    /// An intent row is committed before the call and settled after it: a run killed in
    /// between leaves the intent, and the next run reads AWS to learn what happened. One call
    /// may change several resources (a batch); each has its intent and its outcome. A state
    /// that cannot record the intents stops the call before it is made.
    func mutateAll<T: Sendable>(runID: Int64, addresses: [String], action: (String) -> String,
                                _ call: () async -> [Result<T, any Error>]) async -> [String: Result<T, ResourceOperationError>] {
        guard !addresses.isEmpty else { return [:] }
        var intents: [Int64] = []
        do {
            for address in addresses { intents.append(try state.recordIntent(runID: runID, address: address, action: action(address))) }
        } catch {
            for intent in intents { try? state.settleIntent(intent, outcome: "failed: \(error)") }
            return Dictionary(addresses.map { ($0, .failure(ResourceOperationError(address: $0, operation: action($0), error: error))) },
                              uniquingKeysWith: { first, _ in first })
        }
        let label = addresses.count == 1 ? addresses[0] : "\(addresses[0]) and \(addresses.count - 1) more"
        let results = await AWSCallContext.$resource.withValue(label) { await call() }
        var outcomes: [String: Result<T, ResourceOperationError>] = [:]
        for (index, address) in addresses.enumerated() {
            let result = index < results.count ? results[index] : .failure(MissingBatchResult(answered: results.count, asked: addresses.count))
            switch result {
            case .success(let value):
                do {
                    try state.settleIntent(intents[index], outcome: "done")
                    outcomes[address] = .success(value)
                } catch {
                    outcomes[address] = .failure(ResourceOperationError(address: address, operation: action(address), error: error))
                }
            case .failure(let error):
                try? state.settleIntent(intents[index], outcome: "failed: \(error)")
                outcomes[address] = .failure(ResourceOperationError(address: address, operation: action(address), error: error))
            }
        }
        return outcomes
    }

    /// An answer that says it worked but names nothing is not recorded: the next read decides.
    struct AnswerWithoutID: Error, CustomStringConvertible {
        var type: ResourceType
        var description: String { "the answer gave no id for the \(type.rawValue); nothing was recorded" }
    }

    /// A provider's batch call must answer for every resource it was given.
    struct MissingBatchResult: Error, CustomStringConvertible {
        var answered: Int
        var asked: Int
        var description: String { "the provider answered for \(answered) of \(asked) resources; the rest were not recorded" }
    }

    struct UnresolvedReference: Error, CustomStringConvertible {
        var address: String
        var description: String { "a resource \(address) refers to has no AWS id (it was not created)" }
    }

    /// Runs `work` for each node once all its dependencies succeeded, at most `parallelism` at
    /// a time. Ready nodes with the same `batchKey` (at most `largestBatch`) go to one `work`
    /// together, which returns the error of each node that failed. A failure stops new work
    /// (calls in flight finish); dependents of a failed node and everything not started are
    /// reported as not attempted.
    func runGraph(_ nodes: [String], dependencies: [String: [String]], report: ReportCollector,
                  batchKey: (String) -> String? = { _ in nil },
                  work: @escaping @Sendable ([String]) async -> [String: any Error]) async {
        var pending: [String: Int] = [:]
        var dependents: [String: [String]] = [:]
        for node in nodes {
            let needs = dependencies[node] ?? []
            pending[node] = needs.count
            for need in needs { dependents[need, default: []].append(node) }
        }
        var ready = nodes.filter { pending[$0] == 0 }
        var started: Set<String> = []
        var failed = false
        await withTaskGroup(of: ([String], [String: any Error]).self) { group in
            var running = 0
            func launch() {
                while running < parallelism, !failed, !stop.isRequested, !ready.isEmpty {
                    var unit = [ready.removeFirst()]
                    if let key = batchKey(unit[0]) {
                        var rest: [String] = []
                        for node in ready {
                            if unit.count < Self.largestBatch, batchKey(node) == key { unit.append(node) } else { rest.append(node) }
                        }
                        ready = rest
                    }
                    started.formUnion(unit)
                    running += 1
                    group.addTask { [unit] in (unit, await work(unit)) }
                }
            }
            launch()
            while let (unit, errors) = await group.next() {
                running -= 1
                for node in unit {
                    if let error = errors[node] {
                        failed = true
                        let failure = error as? ResourceOperationError ?? ResourceOperationError(address: node, operation: "apply", error: error)
                        await report.fail(failure)
                    } else {
                        for dependent in dependents[node] ?? [] {
                            pending[dependent, default: 1] -= 1
                            if pending[dependent] == 0 { ready.append(dependent) }
                        }
                    }
                }
                launch()
            }
        }
        await report.skip(nodes.filter { !started.contains($0) })
    }

    /// AWS takes many permissions per Authorize call; a group holds at most 60 rules per
    /// direction unless its quota was raised, so a batch of 100 is one call in practice.
    static let largestBatch = 100

    // MARK: destroy

    /// Deletes everything the stack has in AWS, whether or not the state knows it, deepest layer first.
    public func destroy(_ graph: ResourceGraph, runID: Int64) async throws -> (RunReport, Plan) {
        let resolution = try await resolution(for: graph)
        let live = try await refresh(graph, resolution: resolution, everywhere: true)
        // In address order, so the plan reads as the state does.
        let changes = live.all.sorted { $0.address < $1.address }.map { item in
            PlannedChange(address: item.address, type: item.type, action: .delete, reason: "destroy", diff: [:])
        }
        let plan = Plan(changes: changes)
        let report = await apply(DeployPlan(plan: plan, live: live, graph: try ResourceGraph([]), resolution: resolution), runID: runID)
        if report.succeeded {
            for address in try state.resources().keys { try state.remove(address: address) }
        }
        return (report, plan)
    }
}

actor ReportCollector {
    private(set) var report = RunReport()

    func complete(_ address: String, _ action: PlannedChange.Action) { report.completed[address] = action }
    func fail(_ error: ResourceOperationError) { report.failures.append(error) }
    func skip(_ addresses: [String]) { report.notAttempted += addresses }
    func finish(interrupted: Bool) -> RunReport {
        report.interrupted = interrupted
        return report
    }
}

actor ProgressCounter {
    private(set) var value = 0
    func increment() -> Int {
        value += 1
        return value
    }
}

/// Thrown by a provider whose resource AWS created but which did not become ready (its wait
/// timed out, or it failed): the run fails for it, and the state still records it.
struct MadeButNotReady: Error, CustomStringConvertible {
    var made: ObservedResource
    var cause: any Error
    var description: String { String(describing: cause) }
}
