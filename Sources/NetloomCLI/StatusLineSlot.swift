#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import NetloomEngine

/// The one line a terminal shows at its bottom while a run goes on, redrawn in place (carriage
/// return, clear line). Anything printed meanwhile is written above it: the line is cleared,
/// the text written, the line drawn again; one lock keeps those three together.
final class StatusLineSlot: @unchecked Sendable {
    // Guarded by `lock`.
    private var current: String?
    private let lock = NSLock()

    /// Carriage return, then erase the whole line (ECMA-48 EL 2).
    static let clearLine = "\r\u{1B}[2K"

    /// Runs `write` (which prints whole lines) with the status line out of the way.
    func above(_ write: () -> Void) {
        lock.withLock {
            guard let current else { return write() }
            Console.writeAll(Self.clearLine, to: STDERR_FILENO)
            write()
            Console.writeAll(current, to: STDERR_FILENO)
        }
    }

    /// Draws `line` (already fitted to the width) in place of the one shown.
    func show(_ line: String) {
        lock.withLock {
            current = line
            Console.writeAll(Self.clearLine + line, to: STDERR_FILENO)
        }
    }

    /// Erases the line and leaves the cursor at the start of it: nothing partial stays.
    func clear() {
        lock.withLock {
            guard current != nil else { return }
            current = nil
            Console.writeAll(Self.clearLine, to: STDERR_FILENO)
        }
    }
}
