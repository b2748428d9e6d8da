import AWSClient
import NetloomModel

/// Shared pieces of the providers: grouping tagged resources by address, matching
/// sub-resources by content, and tag updates.
enum ProviderSupport {
    /// Resources of the stack, keyed by their `netloom:address` tag. A second resource with
    /// the same address (left by a run killed between a create and its state write, where the
    /// API ignores ClientToken) comes back as unmanaged so apply deletes it.
    ///
    /// Only what AWS's answer shows tagged `netloom:stack=<stack>` is kept: a describe's tag
    /// filter is a speed-up, not the check (moto ignores it on some calls, and an answer may
    /// hold more than was asked for). Anything else is never adopted, changed or deleted.
    ///
    /// `adoption` (from `apply --adopt`) names resources made outside netloom by their ids: they
    /// count as the stack's, under those addresses, although they carry no tag yet.
    static func byAddressTag<Item>(_ items: [Item], stack: String, adoption: [String: String] = [:], type: ResourceType, id: (Item) -> String,
                                   tags: (Item) -> [AWSTag], observe: (Item) -> ObservedResource) -> [ObservedResource] {
        var seen: Set<String> = []
        var result: [ObservedResource] = []
        var byID: [String: Item] = [:]
        for item in items { byID[id(item)] = item }
        for item in byID.values.sorted(by: { id($0) < id($1) }) where ProviderContext.belongs(tags(item), id: id(item), stack: stack, adoption: adoption) {
            var observed = observe(item)
            let address = adoption[id(item)] ?? tags(item).value(forKey: "netloom:address") ?? FoundAddress.untagged(type, id: id(item))
            observed.address = address
            observed.type = type
            observed.awsID = id(item)
            if !seen.insert(address).inserted || !address.hasPrefix(type.rawValue + ":") && address != type.rawValue {
                observed.address = FoundAddress.duplicate(of: address, id: id(item))
                observed.isUnmanaged = true
            }
            result.append(observed)
        }
        return result
    }

    /// Sub-resources without tags (routes, rules, entries, associations): each AWS item has an
    /// identity made of its parent's id and its content; a desired resource with the same
    /// identity owns it. Items no desired resource owns are unmanaged, named from the state
    /// when an earlier run made them.
    static func matchByIdentity(_ items: [(identity: String, observed: ObservedResource)], desired: [DesiredResource],
                                identity: (DesiredResource) -> String?, state: [String: StateRecord],
                                unmanagedAddress: (ObservedResource) -> String = { FoundAddress.unmanaged($0.type, id: $0.awsID) }) -> [ObservedResource] {
        var owners: [String: String] = [:]
        for resource in desired { if let key = identity(resource) { owners[key] = resource.address } }
        var stateByID: [String: String] = [:]
        for record in state.values { stateByID[record.awsID] = record.address }
        var claimed: Set<String> = []
        var result: [ObservedResource] = []
        for (key, item) in items {
            var observed = item
            if let owner = owners[key], claimed.insert(owner).inserted {
                observed.address = owner
            } else {
                observed.address = stateByID[observed.awsID].flatMap { owners.values.contains($0) ? nil : $0 } ?? unmanagedAddress(observed)
                observed.isUnmanaged = true
            }
            result.append(observed)
        }
        return result
    }

    /// Brings an EC2 resource's tags to the desired set: CreateTags for new or changed values,
    /// DeleteTags for keys no longer wanted (`aws:` tags are AWS's and left alone).
    static func updateEC2Tags(_ desired: DesiredResource, observed: ObservedResource, context: ProviderContext) async throws {
        try await updateTags(desired, observed: observed,
                             tag: { try await context.services.ec2.createTags(resourceIDs: [observed.awsID], tags: $0) },
                             untag: { try await context.services.ec2.deleteTags(resourceIDs: [observed.awsID], keys: $0) })
    }

    /// Turns the observed `tags` into the spec's through a service's own calls: `tag` writes the
    /// new or changed ones, `untag` removes keys added outside netloom (AWS's own `aws:` tags
    /// stay). Either is skipped when it has nothing to do.
    static func updateTags(_ desired: DesiredResource, observed: ObservedResource,
                           tag: ([AWSTag]) async throws -> Void, untag: ([String]) async throws -> Void) async throws {
        let want = desired.tags
        let have = observed.properties["tags"]?.mapValue ?? [:]
        let wantedKeys = Set(want.map(\.key))
        let changed = want.filter { have[$0.key]?.stringValue != $0.value }
        let removed = have.keys.filter { !wantedKeys.contains($0) && !$0.hasPrefix("aws:") }.sorted()
        if !changed.isEmpty { try await tag(changed) }
        if !removed.isEmpty { try await untag(removed) }
    }

    /// Deletes that find nothing to delete are done: the goal state is reached.
    static func ignoringNotFound(_ body: () async throws -> Void) async throws {
        do { try await body() } catch let error as AWSError where error.isNotFound { return }
    }

    /// `ref:` values resolve to ids; the part after the first `|` of a composite id is not an id.
    static func sortedIDs(_ values: [String]) -> PropertyValue { .list(values.sorted().map { .string($0) }) }
}

extension Array {
    /// One at a time, in order: the calls of a batch that failed together go again alone.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        results.reserveCapacity(count)
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

extension Result where Failure == any Error {
    init(awaiting body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
