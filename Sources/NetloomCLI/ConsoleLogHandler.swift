import ArgumentParser
import Foundation
import Logging
import NetloomModel

/// `--verbose` and `--log-format`, for the commands that talk to AWS.
struct LoggingOptions: ParsableArguments {
    @Flag(name: .long, help: "Log every AWS call on stderr: service, action, the resource it was for, attempt, status and duration.")
    var verbose = false

    @Option(name: .long, help: "How log lines look: text or json (one object per line).")
    var logFormat: LogFormat = .text

    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    /// The logger the AWS clients and the engine write to: stderr through the console (and so
    /// its redaction), debug with `--verbose`, warnings only without.
    func logger(label: String, console: Console) -> Logger {
        var logger = Logger(label: label) { _ in ConsoleLogHandler(console: console, format: logFormat) }
        logger.logLevel = verbose ? .debug : .warning
        return logger
    }
}

/// Writes each log record as one line on stderr: `time level message key=value ...`, or a JSON
/// object with the same fields.
struct ConsoleLogHandler: LogHandler {
    let console: Console
    let format: LoggingOptions.LogFormat
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .warning

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        write(level: event.level, message: event.message, metadata: event.metadata)
    }

    private func write(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?) {
        var fields = metadata
        for (key, value) in explicit ?? [:] { fields[key] = value }
        let time = Self.timestamp(Date())
        switch format {
        case .text:
            let pairs = fields.keys.sorted().map { "\($0)=\(fields[$0]!)" }.joined(separator: " ")
            console.writeError("\(time) \(level) \(message)\(pairs.isEmpty ? "" : " " + pairs)")
        case .json:
            var object = ["time": time, "level": level.rawValue, "message": message.description]
            for (key, value) in fields { object[key] = value.description }
            console.writeError(JSONText.line(object))
        }
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
