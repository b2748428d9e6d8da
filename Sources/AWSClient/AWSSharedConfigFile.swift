/// The INI format of `~/.aws/credentials` and `~/.aws/config`: `[section]` headers, `key = value`
/// lines, `#` and `;` comments. In the config file a named profile's section is
/// `[profile name]` and the default one `[default]`; in the credentials file it is `[name]`.
public struct AWSSharedConfigFile: Sendable, Hashable {
    /// Section name as written between the brackets (trimmed) -> keys (lower-cased) -> values.
    public var sections: [String: [String: String]]

    public init(sections: [String: [String: String]] = [:]) {
        self.sections = sections
    }

    public init(parsing text: String) {
        var sections: [String: [String: String]] = [:]
        var current: String?
        var lastKey: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = String(rawLine).trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), let close = line.lastIndex(of: "]") {
                let name = String(line[line.index(after: line.startIndex)..<close]).trimmingWhitespace()
                current = name
                lastKey = nil
                sections[name, default: [:]] = sections[name, default: [:]]
                continue
            }
            guard let section = current else { continue }
            // An indented line without "=" continues a nested value (`s3 =` blocks); those
            // nested settings are not used here, so they are skipped.
            if rawLine.first?.isWhitespace == true, !line.contains("="), lastKey != nil { continue }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).trimmingWhitespace().lowercased()
            var value = String(line[line.index(after: equals)...]).trimmingWhitespace()
            // Inline comments need a space before the marker, as in the AWS CLI's parser.
            for marker in [" #", " ;"] {
                if let range = value.range(of: marker) { value = String(value[..<range.lowerBound]).trimmingWhitespace() }
            }
            sections[section, default: [:]][key] = value
            lastKey = key
        }
        self.sections = sections
    }

    /// The settings of a profile in a credentials file (`[name]`).
    public func credentialsProfile(_ profile: String) -> [String: String]? {
        sections[profile]
    }

    /// The settings of a profile in a config file (`[profile name]`, or `[default]`).
    public func configProfile(_ profile: String) -> [String: String]? {
        if profile == "default" {
            return sections["default"] ?? sections["profile default"]
        }
        return sections["profile \(profile)"]
    }
}
