/// An access key pair, optionally with the session token of temporary (STS) credentials.
///
/// The secret and the token never appear in `description`, `debugDescription` or a dump made
/// through either: only the access key id is shown, which AWS itself treats as non-secret (it is
/// part of every Authorization header's credential scope).
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var description: String {
        "AWSCredentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>"
            + (sessionToken == nil ? ")" : ", sessionToken: <redacted>)")
    }

    public var debugDescription: String { description }
}

// `dump()` and string interpolation of a containing struct go through reflection; a custom
// mirror keeps the secret out of those too.
extension AWSCredentials: CustomReflectable {
    public var customMirror: Mirror {
        Mirror(self, children: [
            "accessKeyID": accessKeyID,
            "secretAccessKey": "<redacted>",
            "sessionToken": sessionToken == nil ? "nil" : "<redacted>",
        ])
    }
}
