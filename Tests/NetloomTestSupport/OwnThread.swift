import Foundation

/// Runs blocking work (a child process waited for to its end) on a thread of its own and
/// suspends the caller meanwhile, so the test process's cooperative pool (one thread per core)
/// stays free for every other test's tasks.
public func onOwnThread<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
