import Foundation

/// Runs tasks on threads of their own instead of the test process's cooperative pool. That pool
/// has one thread per core (two here), and a test that waits for a child process (netloom, the
/// AWS CLI, tmux) blocks one of them for the whole wait: with two such tests in flight, an
/// in-process server (the fault-injecting proxy) answered nothing and a test that polls a
/// terminal saw no screen until the run was over. Tasks inherit the preference, so everything a
/// task started under `withTaskExecutorPreference` or `Task(executorPreference:)` runs here.
public final class DedicatedTaskExecutor: TaskExecutor, @unchecked Sendable {
    /// For tests that poll while a child runs.
    public static let polling = DedicatedTaskExecutor(label: "netloom.tests.polling")

    private let queue: DispatchQueue

    public init(label: String) {
        queue = DispatchQueue(label: label, attributes: .concurrent)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
