import Foundation
import NetloomModel
import NetloomPlanning

/// Stable JSON documents of SPEC.md section 4: fields may be added, never renamed.
enum JSONOutput {
    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Every value we encode is built from plain strings, numbers and maps; encoding cannot fail.
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    struct ExpandDocument: Encodable {
        struct ResourceEntry: Encodable {
            var address: String
            var type: String
            var properties: [String: PropertyValue]
            var depends_on: [String]
            var location: String?
        }

        struct SubnetEntry: Encodable {
            var address: String
            var cidr: String
            var az: String
            var tier: String
            var usable_ips: Int
            var demand: Int
            var allocation: String
            var placements: [String]
        }

        var stack: String
        var region: String
        var vpc_cidr: String
        var resources: [ResourceEntry]
        var subnets: [SubnetEntry]
        var summary: [String: Int]
    }

    static func expandDocument(_ expanded: ExpandedStack) -> ExpandDocument {
        let resources = expanded.graph.resources.map { resource in
            ExpandDocument.ResourceEntry(address: resource.address, type: resource.type.rawValue, properties: resource.properties,
                                         depends_on: resource.dependsOn, location: resource.location?.description)
        }
        let subnets = expanded.addressPlan.allocations.map { allocation in
            ExpandDocument.SubnetEntry(
                address: "subnet:\(allocation.key)", cidr: allocation.cidr.description, az: allocation.key.az,
                tier: expanded.spec.subnet(named: allocation.key.subnet)?.tier.rawValue ?? "", usable_ips: allocation.cidr.usableAddresses,
                demand: allocation.demand, allocation: allocation.origin.rawValue,
                placements: (expanded.demand.placements[allocation.key] ?? []).map(\.label))
        }
        var summary: [String: Int] = ["resources": expanded.graph.count]
        for resource in expanded.graph.resources { summary[resource.type.rawValue, default: 0] += 1 }
        return ExpandDocument(stack: expanded.spec.stack, region: expanded.spec.region, vpc_cidr: expanded.spec.network.cidr.description,
                              resources: resources, subnets: subnets, summary: summary)
    }

    struct PlanDocument: Encodable {
        struct Change: Encodable {
            var address: String
            var type: String
            var action: String
            var reason: String
            var diff: [String: PlannedChange.FieldChange]
        }
        var changes: [Change]
        var summary: [String: Int]
    }

    static func planDocument(_ plan: Plan) -> PlanDocument {
        PlanDocument(
            changes: plan.changes.map { .init(address: $0.address, type: $0.type.rawValue, action: $0.action.rawValue, reason: $0.reason, diff: $0.diff) },
            summary: Dictionary(uniqueKeysWithValues: PlannedChange.Action.allCases.map { ($0.rawValue, plan.count($0)) }))
    }
}
