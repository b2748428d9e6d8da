import NetloomModel

/// The one comparison of the spec with AWS: `plan` turns it into changes, drift into what
/// changed outside netloom.
public struct StackComparer: Sendable {
    public var providers: ProviderRegistry

    public init(providers: ProviderRegistry = .standard) {
        self.providers = providers
    }

    /// The fields of `want` that AWS holds otherwise.
    static func differences(_ want: [String: PropertyValue], _ observed: ObservedResource) -> [String: PlannedChange.FieldChange] {
        var diff: [String: PlannedChange.FieldChange] = [:]
        for (key, value) in want where observed.properties[key] != value {
            diff[key] = PlannedChange.FieldChange(before: observed.properties[key], after: value)
        }
        return diff
    }

    /// Desired against live: create what is missing, update or replace what differs (saying
    /// why), delete what the stack has and the spec does not. `resolution` already keeps the
    /// names found in `live` (`keepingNames`).
    public func plan(_ graph: ResourceGraph, live: LiveView, resolution: PropertyResolution, state: [String: StateRecord]) -> Plan {
        let ids = IDRegistry.known(state.values.map { ($0.address, $0.awsID, $0.attributes) }
                                   + live.resources.map { ($0.key, $0.value.awsID, $0.value.attributes) })
        var attributeKeys: [String: [String]] = [:]
        for record in state.values { for key in record.attributes.keys { attributeKeys[record.address, default: []].append(ResourceReference.attributeKey(record.address, key)) } }
        for (address, item) in live.resources { for key in item.attributes.keys { attributeKeys[address, default: []].append(ResourceReference.attributeKey(address, key)) } }
        // What will change gets a new id: its dependents see "(known after apply)".
        var changes: [PlannedChange] = []
        var replacedOrCreated: Set<String> = []
        for resource in graph.resources {
            let provider = providers.provider(for: resource.type)
            var visibleIDs = ids
            for address in replacedOrCreated {
                visibleIDs[address] = nil
                // Its attributes (`ADDRESS#ATTRIBUTE`) are new too.
                for key in attributeKeys[address] ?? [] { visibleIDs[key] = nil }
            }
            let want = provider.comparable(resolution.resolve(resource, ids: visibleIDs))
            guard let observed = live.resources[resource.address] else {
                let reason = state[resource.address] != nil ? "deleted outside netloom: it is in the state but not in AWS" : "not in AWS yet"
                changes.append(PlannedChange(address: resource.address, type: resource.type, action: .create, reason: reason,
                                             diff: want.mapValues { PlannedChange.FieldChange(before: nil, after: $0) }))
                replacedOrCreated.insert(resource.address)
                continue
            }
            let diff = Self.differences(want, observed).filter { !provider.reportedOnly.contains($0.key) }
            guard !diff.isEmpty else { continue }
            let replacing = diff.keys.sorted().compactMap { key in provider.replacedOn[key].map { "\(key): \($0)" } }
            if !replacing.isEmpty {
                changes.append(PlannedChange(address: resource.address, type: resource.type, action: .replace,
                                             reason: replacing.joined(separator: "; "), diff: diff))
                replacedOrCreated.insert(resource.address)
            } else {
                let fields = diff.keys.sorted().joined(separator: ", ")
                changes.append(PlannedChange(address: resource.address, type: resource.type, action: .update,
                                             reason: "\(fields) differ\(diff.count == 1 ? "s" : "") from the spec", diff: diff,
                                             note: provider.updateNote(resolution.resolve(resource, ids: visibleIDs), changed: Set(diff.keys))))
            }
        }
        for item in live.all where graph[item.address] == nil {
            let reason: String
            if FoundAddress.isDuplicate(item.address) {
                reason = "a second \(item.type.rawValue) with the same address (left by an interrupted run)"
            } else if item.isUnmanaged && state[item.address] == nil {
                reason = "added outside netloom"
            } else {
                reason = "no longer in the spec"
            }
            changes.append(PlannedChange(address: item.address, type: item.type, action: .delete, reason: reason,
                                         diff: item.properties.mapValues { PlannedChange.FieldChange(before: $0, after: nil) }))
        }
        return Plan(changes: changes)
    }

    /// What changed in AWS since netloom applied the spec: fields that differ (each tag on its
    /// own), resources the state has and AWS no longer does, and rules, routes or entries added
    /// to the stack's resources. Fields whose value is known only after an apply are skipped.
    public func drift(_ graph: ResourceGraph, live: LiveView, resolution: PropertyResolution, state: [String: StateRecord]) -> [DriftItem] {
        let ids = IDRegistry.known(state.values.map { ($0.address, $0.awsID, $0.attributes) }
                                   + live.resources.map { ($0.key, $0.value.awsID, $0.value.attributes) })
        var items: [DriftItem] = []
        for resource in graph.resources {
            guard let observed = live.resources[resource.address] else {
                if state[resource.address] != nil {
                    items.append(DriftItem(address: resource.address, kind: .deleted, field: "", expected: "exists",
                                           actual: "missing from AWS", location: resource.location))
                }
                continue
            }
            let want = providers.provider(for: resource.type).comparable(resolution.resolve(resource, ids: ids))
            for (key, change) in Self.differences(want, observed) {
                guard let expected = change.after, !DesiredResource.containsUnknown(expected) else { continue }
                if key == "tags", let wantTags = expected.mapValue {
                    let haveTags = change.before?.mapValue ?? [:]
                    for tag in Set(wantTags.keys).union(haveTags.keys).sorted() where wantTags[tag] != haveTags[tag] {
                        items.append(DriftItem(address: resource.address, kind: .modified, field: "tags.\(tag)", expected: wantTags[tag]?.description ?? "(absent)",
                                               actual: haveTags[tag]?.description ?? "(absent)", location: resource.location))
                    }
                } else {
                    items.append(DriftItem(address: resource.address, kind: .modified, field: key, expected: expected.description,
                                           actual: change.before?.description ?? "(absent)", location: resource.location))
                }
            }
        }
        // The owner of an unmanaged item is the resource whose id its own id starts with (a route
        // table for a route, an ACL for an entry) or names (a group for a rule).
        // Only resources' own ids: `ids` also holds attributes (`launch_template:api#...`), whose
        // values can repeat a group's id and, in dictionary order, took its place.
        var addressByID: [String: String] = [:]
        for (address, id) in ids where !address.contains(ResourceReference.attributeSeparator) { addressByID[id] = address }
        for item in live.unmanaged where state[item.address] == nil {
            let parentID = item.attributes["group"] ?? CompositeID(parsing: item.awsID)[0] ?? ""
            let owner = addressByID[parentID].flatMap { graph[$0] }
            items.append(DriftItem(address: item.address, kind: .added, field: item.type.rawValue,
                                   expected: "(absent: not in the spec)", actual: DriftItem.describe(item), location: owner?.location))
        }
        return items.sorted { ($0.address, $0.field) < ($1.address, $1.field) }
    }
}
