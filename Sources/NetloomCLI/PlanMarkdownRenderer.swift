import NetloomModel

/// `plan --format markdown`: a pull-request comment. The counts by action and by type, then
/// one collapsed section per action, riskiest first (replace, delete, update, create), each
/// change with why and what, cut to stay under the comment limit.
struct PlanMarkdownRenderer {
    var limit = MarkdownDocument.defaultLimit

    /// The tables count in the order of the `Plan:` line.
    static let counted: [PlannedChange.Action] = [.create, .update, .replace, .delete]
    /// The details come riskiest first: a replacement or a delete loses what was there.
    static let order: [PlannedChange.Action] = [.replace, .delete, .update, .create]

    func render(_ plan: Plan, stack: String, offline: Bool) -> String {
        var head = "### netloom plan: \(MarkdownDocument.escape(stack))\n\n"
        if offline { head += "_Offline: compared with the state only, no AWS call._\n\n" }
        if plan.hasChanges {
            head += "**Plan: \(plan.count(.create)) to add, \(plan.count(.update)) to change, \(plan.count(.replace)) to replace, \(plan.count(.delete)) to destroy.**\n\n"
        } else {
            head += "**No changes.** The stack matches the spec.\n\n"
        }
        head += "| action | changes |\n|:--|--:|\n"
        for action in Self.counted { head += MarkdownDocument.row([action.rawValue, "\(plan.count(action))"]) + "\n" }
        head += MarkdownDocument.row(["**total**", "**\(plan.changes.count)**"]) + "\n\n"
        guard plan.hasChanges else { return head }

        var sections = [typeSection(plan)]
        for action in Self.order {
            let changes = plan.changes.filter { $0.action == action }.sorted { $0.address < $1.address }
            guard !changes.isEmpty else { continue }
            sections.append(section(action, changes))
        }
        let document = MarkdownDocument(limit: limit, fullListHint: "`netloom plan --format json` lists every change.")
        return document.render(head: head, sections: sections)
    }

    /// The count of each action for each resource type.
    func typeSection(_ plan: Plan) -> MarkdownDocument.Section {
        let byType = Dictionary(grouping: plan.changes, by: \.type)
        let rows = byType.keys.sorted().map { type -> String in
            let changes = byType[type] ?? []
            return MarkdownDocument.row([MarkdownDocument.escape(type.rawValue)] + Self.counted.map { action in "\(changes.count { $0.action == action })" })
        }
        return MarkdownDocument.Section(
            summary: "By resource type (\(byType.count) type\(byType.count == 1 ? "" : "s"))",
            header: [MarkdownDocument.row(["type"] + Self.counted.map(\.rawValue)), "|:--|--:|--:|--:|--:|"],
            rows: rows, noun: "types")
    }

    func section(_ action: PlannedChange.Action, _ changes: [PlannedChange]) -> MarkdownDocument.Section {
        let noun = Self.plural(action)
        switch action {
        case .create:
            return MarkdownDocument.Section(
                summary: "\(changes.count) to create", header: ["| address | properties |", "|:--|:--|"],
                rows: changes.map { MarkdownDocument.row([Self.code($0.address), MarkdownDocument.escape(Self.properties(of: $0))]) },
                noun: noun)
        case .update, .replace, .delete:
            let verb = action == .update ? "change" : action == .replace ? "replace" : "destroy"
            return MarkdownDocument.Section(
                summary: "\(changes.count) to \(verb)", header: ["| address | why | fields |", "|:--|:--|:--|"],
                rows: changes.map { change in
                    MarkdownDocument.row([Self.code(change.address), MarkdownDocument.escape(change.reason + (change.note.map { "; note: " + $0 } ?? "")),
                                          MarkdownDocument.escape(action == .delete ? "" : Self.fields(of: change))])
                },
                noun: noun, open: action != .update)
        }
    }

    static func plural(_ action: PlannedChange.Action) -> String {
        switch action {
        case .create: "creates"
        case .update: "updates"
        case .replace: "replacements"
        case .delete: "deletes"
        }
    }

    /// An address in a table cell: escaped text, not a code span (a backtick in it could not be
    /// escaped inside one).
    static func code(_ address: String) -> String { MarkdownDocument.escape(address) }

    /// The few properties that say what a new resource is (`cidr=10.0.1.0/24 az=us-east-1a`);
    /// for a type that has none of them, its first properties by name (tags left out).
    static func properties(of change: PlannedChange) -> String {
        let keys = ["cidr", "az", "tier", "instance_type", "service_name", "bucket_name", "name", "port", "protocol",
                    "rule_number", "action", "from_port", "to_port"]
        var chosen = keys.filter { change.diff[$0] != nil }
        if chosen.isEmpty { chosen = change.diff.keys.filter { $0 != "tags" }.sorted() }
        let text = chosen.compactMap { key -> String? in
            guard let field = change.diff[key], let value = field.after ?? field.before else { return nil }
            return "\(key)=\(shortened("\(value)", to: 60))"
        }.prefix(4).joined(separator: " ")
        return shortened(text, to: 120)
    }

    /// `cidr: 10.0.1.0/24 → 10.0.2.0/24; tags.team: a → b`, at most 200 characters.
    static func fields(of change: PlannedChange) -> String {
        let text = change.diff.keys.sorted().map { key -> String in
            let field = change.diff[key]!
            return "\(key): \(field.before.map { shortened("\($0)", to: 60) } ?? "(none)") → \(field.after.map { shortened("\($0)", to: 60) } ?? "(none)")"
        }.joined(separator: "; ")
        return shortened(text, to: 200)
    }

    static func shortened(_ text: String, to length: Int) -> String {
        text.count > length ? String(text.prefix(length - 1)) + "…" : text
    }
}
