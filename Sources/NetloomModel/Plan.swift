/// What `apply` would do to one resource, and why.
public struct PlannedChange: Sendable, Hashable, Codable {
    public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
        case create, update, replace, delete

        /// Terraform's markers, which users already read fluently.
        public var symbol: String {
            switch self {
            case .create: "+"
            case .update: "~"
            case .replace: "-/+"
            case .delete: "-"
            }
        }
    }

    /// One changed field: what it was (nil when created) and what it will be (nil when deleted).
    public struct FieldChange: Sendable, Hashable, Codable {
        public var before: PropertyValue?
        public var after: PropertyValue?

        public init(before: PropertyValue?, after: PropertyValue?) {
            self.before = before
            self.after = after
        }
    }

    public var address: String
    public var type: ResourceType
    public var action: Action
    public var reason: String
    public var diff: [String: FieldChange]
    /// What the user should do or know beyond the change itself (a new launch template version
    /// reaches running instances only through an instance refresh); `nil` when nothing.
    public var note: String?

    public init(address: String, type: ResourceType, action: Action, reason: String, diff: [String: FieldChange], note: String? = nil) {
        self.address = address
        self.type = type
        self.action = action
        self.reason = reason
        self.diff = diff
        self.note = note
    }
}

/// A plan is a value: it can be shown, saved and applied.
public struct Plan: Sendable, Hashable {
    public var changes: [PlannedChange]

    public init(changes: [PlannedChange]) { self.changes = changes }

    public func count(_ action: PlannedChange.Action) -> Int { changes.count { $0.action == action } }

    public var hasChanges: Bool { !changes.isEmpty }

    /// Every resource of the graph created: the plan against an empty state.
    public static func creatingEverything(in graph: ResourceGraph, reason: String) -> Plan {
        Plan(changes: graph.resources.map { resource in
            PlannedChange(address: resource.address, type: resource.type, action: .create, reason: reason,
                          diff: resource.properties.mapValues { PlannedChange.FieldChange(before: nil, after: $0) })
        })
    }
}
