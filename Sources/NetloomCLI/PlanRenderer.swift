import NetloomModel

/// Terraform-style plan text: one line per change, grouped by resource type, and a summary.
struct PlanRenderer {
    let console: Console

    func render(_ plan: Plan, stack: String, offline: Bool) -> String {
        var lines: [String] = []
        if !plan.hasChanges {
            return "No changes. The stack \(stack) matches the spec."
        }
        lines.append("netloom will perform the following actions on \(stack)\(offline ? " (offline: compared with the state only, no AWS call)" : ""):")
        let byType = Dictionary(grouping: plan.changes, by: \.type)
        for type in byType.keys.sorted() {
            let changes = byType[type]!
            lines.append("")
            lines.append(console.style("  # \(type.rawValue) (\(changes.count))", .dim))
            for change in changes {
                let colour: Style = switch change.action {
                case .create: .green
                case .update: .yellow
                case .replace, .delete: .red
                }
                let symbol = console.style(change.action.symbol.padding(toLength: 3), colour)
                let detail = summary(of: change)
                lines.append("  \(symbol) \(change.address)\(detail.isEmpty ? "" : "  " + console.style(detail, .dim))")
                if change.action != .create, !change.reason.isEmpty {
                    lines.append("        \(change.reason)")
                }
                if let note = change.note { lines.append("        " + console.style("note: \(note)", .yellow)) }
            }
        }
        lines.append("")
        let summary = "Plan: \(plan.count(.create)) to add, \(plan.count(.update)) to change, \(plan.count(.replace)) to replace, \(plan.count(.delete)) to destroy."
        lines.append(console.style(summary, .bold))
        return lines.joined(separator: "\n")
    }

    /// The few properties that identify a resource at a glance, kept short for a terminal.
    func summary(of change: PlannedChange) -> String {
        let keys = ["cidr", "az", "tier", "instance_type", "service_name", "bucket_name", "name", "port", "protocol", "rule_number", "action", "from_port", "to_port"]
        let values = keys.compactMap { key -> String? in
            guard let field = change.diff[key], let value = field.after ?? field.before else { return nil }
            return "\(key)=\(value)"
        }
        let text = values.prefix(4).joined(separator: " ")
        return text.count > 90 ? String(text.prefix(87)) + "..." : text
    }
}
