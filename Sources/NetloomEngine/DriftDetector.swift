import NetloomModel

/// One difference between AWS and what netloom last applied, with the spec line that owns it.
public struct DriftItem: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// The resource exists, a field differs.
        case modified
        /// The state has it, AWS does not: deleted outside netloom.
        case deleted
        /// A rule, route or entry present in AWS in one of the stack's resources, not in the spec.
        case added
    }

    public var address: String
    public var kind: Kind
    public var field: String
    public var expected: String
    public var actual: String
    public var location: SourceLocation?
}

/// Classifies the differences between the spec (as last applied) and AWS.
public enum DriftDetector {
    public static func detect(_ graph: ResourceGraph, live: LiveView, resolution: PropertyResolution, state: [String: StateRecord]) -> [DriftItem] {
        var ids = state.mapValues(\.awsID)
        for (address, item) in live.resources { ids[address] = item.awsID }
        var items: [DriftItem] = []
        for resource in graph.resources {
            let applied = state[resource.address] != nil
            guard let observed = live.resources[resource.address] else {
                if applied {
                    items.append(DriftItem(address: resource.address, kind: .deleted, field: "", expected: "exists",
                                           actual: "missing from AWS", location: resource.location))
                }
                continue
            }
            let desired = resolution.resolve(resource, ids: ids)
            for (key, want) in ProviderRegistry.provider(for: resource.type).comparable(desired) {
                let have = observed.properties[key]
                guard have != want, !DesiredResource.containsUnknown(want) else { continue }
                if key == "tags", let wantTags = want.mapValue {
                    let haveTags = have?.mapValue ?? [:]
                    for tag in Set(wantTags.keys).union(haveTags.keys).sorted() where wantTags[tag] != haveTags[tag] {
                        items.append(DriftItem(address: resource.address, kind: .modified, field: "tags.\(tag)", expected: wantTags[tag]?.description ?? "(absent)",
                                               actual: haveTags[tag]?.description ?? "(absent)", location: resource.location))
                    }
                } else {
                    items.append(DriftItem(address: resource.address, kind: .modified, field: key, expected: want.description,
                                           actual: have?.description ?? "(absent)", location: resource.location))
                }
            }
        }
        // The owner of an unmanaged item is the resource whose id its own id starts with (a route
        // table for a route, an ACL for an entry) or names (a group for a rule).
        var addressByID: [String: String] = [:]
        for (address, id) in ids { addressByID[id] = address }
        for item in live.unmanaged where state[item.address] == nil {
            let parentID = item.attributes["group"] ?? item.awsID.split(separator: "|").first.map(String.init) ?? ""
            let owner = addressByID[parentID].flatMap { graph[$0] }
            items.append(DriftItem(address: item.address, kind: .added, field: item.type.rawValue,
                                   expected: "(absent: not in the spec)", actual: describe(item), location: owner?.location))
        }
        return items.sorted { ($0.address, $0.field) < ($1.address, $1.field) }
    }

    static func describe(_ item: ObservedResource) -> String {
        let fields = item.properties.keys.sorted().map { "\($0)=\(item.properties[$0]?.description ?? "")" }
        return ([item.awsID] + fields).joined(separator: " ")
    }
}
