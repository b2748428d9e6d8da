import Foundation
import NetloomModel
import NetloomPlanning

/// Stable JSON documents of SPEC.md section 4: fields may be added, never renamed.
enum JSONOutput {
    /// Small documents (check, cost, reach) go through Foundation's encoder; the large ones
    /// (expand, plan) through `JSONText`, which is several times faster on 10,000 resources.
    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Every value encoded here is built from strings, numbers, arrays and maps, which cannot fail.
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func expandDocument(_ expanded: ExpandedStack) -> PropertyValue {
        let resources: [PropertyValue] = expanded.graph.resources.map { resource in
            var entry: [String: PropertyValue] = [
                "address": .string(resource.address), "type": .string(resource.type.rawValue), "properties": .map(resource.properties),
                "depends_on": .list(resource.dependsOn.map { .string($0) }),
            ]
            if let location = resource.location { entry["location"] = .string(location.description) }
            return .map(entry)
        }
        let subnets: [PropertyValue] = expanded.addressPlan.allocations.map { allocation in
            .map([
                "address": .string(ResourceAddress.subnet(allocation.key).description), "cidr": .string(allocation.cidr.description), "az": .string(allocation.key.az),
                "tier": .string(expanded.spec.subnet(named: allocation.key.subnet)?.tier.rawValue ?? ""),
                "usable_ips": .int(allocation.cidr.usableAddresses), "demand": .int(allocation.demand), "allocation": .string(allocation.origin.rawValue),
                "placements": .list((expanded.demand.placements[allocation.key] ?? []).map { .string($0.label) }),
            ])
        }
        var summary: [String: PropertyValue] = ["resources": .int(expanded.graph.count)]
        for resource in expanded.graph.resources { summary[resource.type.rawValue] = .int((summary[resource.type.rawValue]?.intValue ?? 0) + 1) }
        return .map([
            "stack": .string(expanded.spec.stack), "region": .string(expanded.spec.region), "vpc_cidr": .string(expanded.spec.network.cidr.description),
            "resources": .list(resources), "subnets": .list(subnets), "summary": .map(summary),
        ])
    }

    static func planDocument(_ plan: Plan) -> PropertyValue {
        let changes: [PropertyValue] = plan.changes.map { change in
            var fields: [String: PropertyValue] = [
                "address": .string(change.address), "type": .string(change.type.rawValue), "action": .string(change.action.rawValue),
                "reason": .string(change.reason),
                "diff": .map(change.diff.mapValues { field in .map(["before": field.before ?? .null, "after": field.after ?? .null]) }),
            ]
            if let note = change.note { fields["note"] = .string(note) }
            return .map(fields)
        }
        var summary: [String: PropertyValue] = [:]
        for action in PlannedChange.Action.allCases { summary[action.rawValue] = .int(plan.count(action)) }
        return .map(["changes": .list(changes), "summary": .map(summary)])
    }
}
