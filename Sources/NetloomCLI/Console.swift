#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AWSClient
import Foundation
import NetloomModel

/// Where output goes, and whether it may be coloured. Colour only on a terminal, never with NO_COLOR.
///
/// Every line passes through `redaction` first, which `EngineSession.open` arms with the
/// resolved credentials: whatever a server echoes into an error, no secret reaches the terminal.
struct Console {
    var colour: Bool
    var errorColour: Bool
    /// Shared by every copy of this console, so arming it once covers them all.
    let redaction = ConsoleRedaction()
    /// The status line redrawn in place at the bottom of a terminal while a run goes on; every
    /// line printed meanwhile goes above it (shared by every copy, like `redaction`).
    let statusLine = StatusLineSlot()

    static func current(environment: [String: String]) -> Console {
        let noColour = environment["NO_COLOR"].map { !$0.isEmpty } ?? false || environment["TERM"] == "dumb"
        return Console(colour: !noColour && isatty(STDOUT_FILENO) == 1, errorColour: !noColour && isatty(STDERR_FILENO) == 1)
    }

    func write(_ text: String) {
        var text = redaction.apply(text)
        if !text.hasSuffix("\n") { text += "\n" }
        statusLine.above { Self.writeAll(text, to: STDOUT_FILENO) }
    }

    func error(_ message: String) {
        let label = errorColour ? Style.red.wrap("error:") : "error:"
        writeError("\(label) \(message)")
    }

    func warning(_ message: String) {
        let label = errorColour ? Style.yellow.wrap("warning:") : "warning:"
        writeError("\(label) \(message)")
    }

    func report(_ error: SpecInvalidError) {
        for diagnostic in error.diagnostics {
            if errorColour {
                let label = diagnostic.severity == .error ? Style.red.wrap("error:") : Style.yellow.wrap("warning:")
                writeError("\(Style.bold.wrap("\(diagnostic.location):")) \(label) \(diagnostic.message)")
            } else {
                writeError(diagnostic.description)
            }
        }
        let count = error.errors.count
        writeError("\(count) error\(count == 1 ? "" : "s") in the spec; nothing was sent to AWS")
    }

    func writeError(_ line: String) {
        var text = redaction.apply(line)
        if !text.hasSuffix("\n") { text += "\n" }
        statusLine.above { Self.writeAll(text, to: STDERR_FILENO) }
    }

    static func writeAll(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    func style(_ text: String, _ style: Style) -> String { colour ? style.wrap(text) : text }
}

/// The secrets a console removes from what it prints: known keys and tokens once set, and any
/// request signature or token value in any case.
final class ConsoleRedaction: @unchecked Sendable {
    // Guarded by `lock`: set once on the main task, read from the engine's tasks.
    private var redactor = AWSSecretRedactor()
    private let lock = NSLock()

    func use(_ redactor: AWSSecretRedactor) {
        lock.withLock { self.redactor = redactor }
    }

    func apply(_ text: String) -> String {
        lock.withLock { redactor }.redact(text)
    }
}

enum Style: String {
    case bold = "1", dim = "2", red = "31", green = "32", yellow = "33", blue = "34", cyan = "36"

    func wrap(_ text: String) -> String { "\u{1B}[\(rawValue)m\(text)\u{1B}[0m" }
}
