import Foundation
import NetloomModel
import NetloomPlanning

/// How a whole apply or destroy run ended, for the command line to render.
public struct RunOutcome: Sendable {
    public enum Status: String, Sendable {
        case applied, destroyed
        case noChanges = "no changes"
        case cancelled, interrupted, failed
    }

    public var status: Status
    /// The plan that was shown (and, once approved, executed).
    public var plan: Plan?
    /// What was done; empty when the run stopped before its changes.
    public var report = RunReport()
    /// Why the run stopped before or between its changes: the state was locked or unreadable,
    /// the read of AWS failed, a name is held by another stack (`OwnershipConflicts`).
    public var error: (any Error)?

    public var succeeded: Bool { error == nil && [.applied, .destroyed, .noChanges].contains(status) }
}

/// What the caller is told, and asked, while a run goes on.
public struct RunHooks: Sendable {
    /// The plan is ready: show it, and say whether to go on (the approval).
    public var planned: @Sendable (DeployPlan) async -> Bool
    /// `n` change calls lost their answer and were retried: the stack is read again.
    public var rereading: @Sendable (_ uncertainCalls: Int) -> Void
    /// The plan made after reading again, about to be applied.
    public var replanned: @Sendable (Plan) -> Void

    public init(planned: @escaping @Sendable (DeployPlan) async -> Bool = { _ in true },
                rereading: @escaping @Sendable (Int) -> Void = { _ in },
                replanned: @escaping @Sendable (Plan) -> Void = { _ in }) {
        self.planned = planned
        self.rereading = rereading
        self.replanned = replanned
    }
}

extension DeployEngine {
    /// A whole apply: takes the run lock, plans against AWS, asks, applies, and after changes
    /// whose answer was lost reads the stack again and removes what a retry made twice (at
    /// most three rounds, each only while new answers were lost); records the run, what it
    /// adopted and the subnet allocations.
    public func applyStack(_ graph: ResourceGraph, allocations: [SubnetKey: CIDRBlock], hooks: RunHooks = RunHooks()) async -> RunOutcome {
        let runID: Int64
        do {
            runID = try state.beginRun(command: "apply")
        } catch {
            return RunOutcome(status: .failed, error: error)
        }
        var outcome = await applying(graph, runID: runID, hooks: hooks)
        if outcome.status != .cancelled, outcome.plan != nil {
            do {
                try state.saveAllocations(allocations)
            } catch {
                if outcome.error == nil { outcome.error = error }
                outcome.status = .failed
            }
        }
        try? state.finishRun(runID, outcome: outcome.status.rawValue, mutatingCalls: calls.mutating)
        return outcome
    }

    private func applying(_ graph: ResourceGraph, runID: Int64, hooks: RunHooks) async -> RunOutcome {
        let deploy: DeployPlan
        do {
            deploy = try await plan(graph)
            try state.saveResolution(deploy.resolution)
        } catch {
            return RunOutcome(status: .failed, error: error)
        }
        var outcome = RunOutcome(status: .failed, plan: deploy.plan)
        guard await hooks.planned(deploy) else {
            outcome.status = .cancelled
            return outcome
        }
        guard deploy.plan.hasChanges else {
            recordAdopted(deploy)
            outcome.status = .noChanges
            return outcome
        }
        var report = await apply(deploy, runID: runID)
        // A create whose answer was lost is retried, and where AWS takes no idempotency token
        // (a VPC, a route table) the retry makes a second one. Only a new read finds it.
        var handled = 0
        for _ in 0..<3 where report.succeeded && calls.uncertainMutatingCalls > handled {
            handled = calls.uncertainMutatingCalls
            hooks.rereading(handled)
            let check: DeployPlan
            do {
                check = try await plan(graph)
            } catch {
                outcome.report = report
                outcome.error = RereadFailure(cause: error)
                return outcome
            }
            guard check.plan.hasChanges else { break }
            hooks.replanned(check.plan)
            let followUp = await apply(check, runID: runID)
            report.completed.merge(followUp.completed) { _, new in new }
            report.failures += followUp.failures
            report.notAttempted += followUp.notAttempted
            report.interrupted = followUp.interrupted
        }
        outcome.report = report
        outcome.status = report.succeeded ? .applied : report.interrupted ? .interrupted : .failed
        return outcome
    }

    /// The read after lost answers failed: what was applied stands; the next apply checks it.
    public struct RereadFailure: Error, CustomStringConvertible {
        public var cause: any Error
        public var description: String { "reading the stack again after lost answers failed: \(cause); run apply again to check it" }
    }

    /// A whole destroy: takes the run lock, asks, deletes everything the stack has in AWS
    /// (whether or not the state knows it) deepest layer first, and records the run.
    public func destroyStack(_ graph: ResourceGraph, confirm: @Sendable () async -> Bool = { true }) async -> RunOutcome {
        let runID: Int64
        do {
            runID = try state.beginRun(command: "destroy")
        } catch {
            return RunOutcome(status: .failed, error: error)
        }
        var outcome = RunOutcome(status: .cancelled)
        if await confirm() {
            do {
                let (report, plan) = try await destroy(graph, runID: runID)
                outcome = RunOutcome(status: report.succeeded ? .destroyed : report.interrupted ? .interrupted : .failed, plan: plan, report: report)
            } catch {
                outcome = RunOutcome(status: .failed, error: error)
            }
        }
        try? state.finishRun(runID, outcome: outcome.status.rawValue, mutatingCalls: calls.mutating)
        return outcome
    }

    /// What changed in AWS outside netloom since the last apply.
    public func drift(_ graph: ResourceGraph) async throws -> [DriftItem] {
        let deploy = try await plan(graph)
        return comparer.drift(graph, live: deploy.live, resolution: deploy.resolution, state: try state.resources())
    }

    /// The spec against the state alone (no AWS call): what the last apply recorded stands for
    /// AWS, resolved as that run resolved it.
    public static func offlinePlan(_ graph: ResourceGraph, state: StateStore, providers: ProviderRegistry = .standard) throws -> Plan {
        let records = try state.resources()
        let observed = records.mapValues { ObservedResource(address: $0.address, type: $0.type, awsID: $0.awsID, properties: $0.properties, attributes: $0.attributes) }
        let live = LiveView(resources: observed, unmanaged: [])
        return StackComparer(providers: providers).plan(graph, live: live, resolution: try state.savedResolution().keepingNames(of: graph, live: observed),
                                                         state: records)
    }
}
