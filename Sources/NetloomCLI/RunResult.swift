import NetloomEngine
import NetloomModel

/// What an apply or destroy did, for `--format json`: the plan it executed, each change made,
/// each failure, what was left, and a summary. Fields may be added, never renamed.
struct RunResult {
    var command: String
    var stack: String
    var statePath: String
    var plan: Plan?
    var report: RunReport?
    /// applied, destroyed, no changes, cancelled, interrupted or failed.
    var outcome = "failed"
    /// Why the run stopped before its changes (a read that failed, a name held by another stack).
    var error: String?

    var counts: [PlannedChange.Action: Int] {
        Dictionary(grouping: report?.completed.values.map { $0 } ?? [], by: { $0 }).mapValues(\.count)
    }

    var document: PropertyValue {
        let completed = (report?.completed ?? [:]).sorted { $0.key < $1.key }
        let failures: [PropertyValue] = (report?.failures ?? []).map { failure in
            var entry: [String: PropertyValue] = ["address": .string(failure.address), "operation": .string(failure.operation), "message": .string(failure.cause)]
            if let action = failure.awsAction { entry["aws_action"] = .string(action) }
            return .map(entry)
        }
        var summary: [String: PropertyValue] = [
            "failed": .int(report?.failures.count ?? 0), "not_attempted": .int(report?.notAttempted.count ?? 0),
        ]
        for action in PlannedChange.Action.allCases { summary[action.rawValue] = .int(counts[action] ?? 0) }
        var document: [String: PropertyValue] = [
            "command": .string(command), "stack": .string(stack), "state": .string(statePath), "outcome": .string(outcome),
            "plan": plan.map(JSONOutput.planDocument) ?? .null,
            "changes": .list(completed.map { .map(["address": .string($0.key), "action": .string($0.value.rawValue)]) }),
            "failures": .list(failures),
            "not_attempted": .list((report?.notAttempted ?? []).sorted().map { .string($0) }),
            "interrupted": .bool(report?.interrupted ?? false),
            "summary": .map(summary),
        ]
        if let error { document["error"] = .string(error) }
        return .map(document)
    }
}
