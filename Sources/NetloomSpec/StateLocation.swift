/// Where a stack's state lives: a SQLite file on this machine, or an object in S3 that every
/// laptop and CI runner of a team reads and writes.
public enum StateLocation: Sendable, Hashable, CustomStringConvertible {
    case file(String)
    case s3(bucket: String, key: String)

    /// Why a text is not a state location.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var text: String
        public var reason: String
        public var description: String { "'\(text.prefix(80))' is not a state location: \(reason)" }
    }

    /// `s3://BUCKET/KEY`, or a file path.
    public init(parsing text: String) throws(ParseError) {
        guard !text.isEmpty else { throw ParseError(text: text, reason: "it is empty") }
        guard text.lowercased().hasPrefix("s3://") else {
            self = .file(text)
            return
        }
        let rest = text.dropFirst(5)
        guard let slash = rest.firstIndex(of: "/") else {
            throw ParseError(text: text, reason: "an S3 state needs a key after the bucket, as in s3://BUCKET/netloom/STACK.sqlite")
        }
        let bucket = String(rest[..<slash]), key = String(rest[rest.index(after: slash)...])
        if let problem = Self.bucketNameProblem(bucket) { throw ParseError(text: text, reason: problem) }
        guard !key.isEmpty, !key.hasSuffix("/") else {
            throw ParseError(text: text, reason: "the key must name an object, not a folder (it may not be empty or end with '/')")
        }
        guard key.utf8.count <= 1000, !key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw ParseError(text: text, reason: "the key must be at most 1,000 bytes (S3 allows 1,024 with the lock's suffix) without control characters")
        }
        self = .s3(bucket: bucket, key: key)
    }

    /// S3's rules for bucket names (general purpose buckets).
    static func bucketNameProblem(_ name: String) -> String? {
        guard (3...63).contains(name.count) else { return "bucket name '\(name)' must be 3 to 63 characters long" }
        let allowed = name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-" }
        guard allowed else { return "bucket name '\(name)' may hold only lower-case letters, digits, '.' and '-'" }
        guard let first = name.first, let last = name.last, first.isLetter || first.isNumber, last.isLetter || last.isNumber else {
            return "bucket name '\(name)' must begin and end with a letter or digit"
        }
        guard !name.contains("..") else { return "bucket name '\(name)' may not hold two dots in a row" }
        return nil
    }

    public var description: String {
        switch self {
        case .file(let path): path
        case .s3(let bucket, let key): "s3://\(bucket)/\(key)"
        }
    }
}
