import NetloomEngine
import NetloomModel

/// What an apply or destroy did, for `--format json`: the plan it executed, each change made,
/// each failure, what was left, and a summary. Fields may be added, never renamed.
struct RunResult {
    var command: String
    var stack: String
    var statePath: String
    var outcome: RunOutcome

    var document: PropertyValue {
        let report = outcome.report
        let failures: [PropertyValue] = report.failures.map { failure in
            var entry: [String: PropertyValue] = ["address": .string(failure.address), "operation": .string(failure.operation), "message": .string(failure.cause)]
            if let action = failure.awsAction { entry["aws_action"] = .string(action) }
            return .map(entry)
        }
        var summary: [String: PropertyValue] = ["failed": .int(report.failures.count), "not_attempted": .int(report.notAttempted.count)]
        let counts = report.counts
        for action in PlannedChange.Action.allCases { summary[action.rawValue] = .int(counts[action] ?? 0) }
        var document: [String: PropertyValue] = [
            "command": .string(command), "stack": .string(stack), "state": .string(statePath), "outcome": .string(outcome.status.rawValue),
            "plan": outcome.plan.map(JSONOutput.planDocument) ?? .null,
            "changes": .list(report.completed.sorted { $0.key < $1.key }.map { .map(["address": .string($0.key), "action": .string($0.value.rawValue)]) }),
            "failures": .list(failures),
            "not_attempted": .list(report.notAttempted.sorted().map { .string($0) }),
            "interrupted": .bool(report.interrupted),
            "summary": .map(summary),
        ]
        if let error = outcome.error { document["error"] = .string(String(describing: error)) }
        return .map(document)
    }
}

extension RunReport {
    /// Changes made, by action.
    var counts: [PlannedChange.Action: Int] {
        Dictionary(grouping: completed.values.map { $0 }, by: { $0 }).mapValues(\.count)
    }
}
