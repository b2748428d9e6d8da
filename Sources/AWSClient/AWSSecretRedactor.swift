import AWSSigV4
import Foundation

/// Replaces known secrets in text before it is printed or logged: the secret access key, the
/// session token and request signatures, in the forms a server may echo them (as sent, URL-
/// encoded, JSON-escaped), plus any `Signature=<hex>` or `X-Amz-Security-Token=` value at all.
///
/// A server that echoes the request into an error page (some proxies and login walls do) must
/// not get the caller's secrets onto a terminal or into a CI log.
public struct AWSSecretRedactor: Sendable, Hashable {
    public static let placeholder = "<redacted>"

    /// Exact strings to remove, longest first so a secret containing another goes whole.
    public private(set) var secrets: [String] = []

    public init() {}

    public init(credentials: AWSCredentials) {
        add(credentials.secretAccessKey)
        if let token = credentials.sessionToken { add(token) }
    }

    /// Adds a secret and its encoded forms. Values shorter than 8 characters are ignored: they
    /// would match ordinary words and could not be a key, token or signature.
    public mutating func add(_ secret: String) {
        guard secret.count >= 8 else { return }
        let forms = [secret, SigV4URIEncoding.encode(secret), secret.replacingAll("/", with: "\\/"),
                     secret.replacingAll("+", with: " ")]
        for form in forms where !secrets.contains(form) { secrets.append(form) }
        secrets.sort { $0.count > $1.count }
    }

    public func redact(_ text: String) -> String {
        var out = text
        for secret in secrets where out.contains(secret) {
            out = out.replacingAll(secret, with: Self.placeholder)
        }
        out = Self.redactingValues(after: "Signature=", in: out, while: { $0.isHexDigit })
        out = Self.redactingValues(after: "X-Amz-Security-Token=", in: out, while: { !" &,;\"'<\n\r\t".contains($0) })
        out = Self.redactingValues(after: "X-Amz-Security-Token: ", in: out, while: { !" ,;\"'<\n\r\t".contains($0) })
        return out
    }

    /// Replaces the run of characters after each (case-insensitive) `marker` that `keep` accepts.
    static func redactingValues(after marker: String, in text: String, while keep: (Character) -> Bool) -> String {
        guard text.range(of: marker, options: .caseInsensitive) != nil else { return text }
        var out = ""
        var rest = Substring(text)
        while let range = rest.range(of: marker, options: .caseInsensitive) {
            out += rest[..<range.upperBound]
            rest = rest[range.upperBound...]
            let value = rest.prefix(while: keep)
            if !value.isEmpty, value != Substring(placeholder) {
                out += placeholder
                rest = rest.dropFirst(value.count)
            }
        }
        return out + rest
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        return components(separatedBy: target).joined(separator: replacement)
    }
}
