import Crypto
import Foundation

/// What the signer hashes as the body.
public enum SigV4Payload: Sendable, Hashable {
    /// The body bytes; the signer hashes them.
    case bytes([UInt8])
    /// A SHA-256 already computed by the caller, lower-case hex.
    case sha256Hex(String)
    /// `UNSIGNED-PAYLOAD`: S3 over HTTPS and presigned URLs allow leaving the body out.
    case unsigned

    public static let emptySHA256Hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    public static let unsignedPayloadMarker = "UNSIGNED-PAYLOAD"

    public var hashValueForSigning: String {
        switch self {
        case .bytes(let bytes): return bytes.isEmpty ? Self.emptySHA256Hex : SigV4Hex.encode(SHA256.hash(data: bytes))
        case .sha256Hex(let hex): return hex
        case .unsigned: return Self.unsignedPayloadMarker
        }
    }
}

/// The intermediate and final values of one signature, for tests and diagnostics.
///
/// The description leaves the signature out: it is a bearer value until the request expires.
public struct SigV4Signature: Sendable, Hashable, CustomStringConvertible {
    public let canonicalRequest: String
    public let stringToSign: String
    public let signedHeaders: String
    public let credentialScope: String
    public let signature: String
    public let authorizationHeader: String

    public var description: String {
        "SigV4Signature(scope: \(credentialScope), signedHeaders: \(signedHeaders), signature: <redacted>)"
    }
}

/// AWS Signature Version 4 for one service in one region.
///
/// Nothing here reads a clock: every entry point takes the signing `date`.
public struct SigV4Signer: Sendable, CustomStringConvertible {
    /// How the path goes into the canonical request.
    public enum PathHandling: Sendable, Hashable {
        /// Every service but S3: dot segments removed, then the wire path encoded once more
        /// (so `%20` in the wire path is `%2520` in the canonical request: "double encoding").
        case normalizeAndEncodeAgain
        /// S3: the wire path as it is, no normalisation and no second encoding (a key may
        /// legitimately contain `//` or `..`). Only characters that are not already valid
        /// encoded output are escaped.
        case asIs
    }

    public static let algorithm = "AWS4-HMAC-SHA256"

    /// Headers never signed: hop-by-hop headers and `User-Agent`, which proxies and HTTP
    /// clients may add or rewrite on the way (the AWS SDKs and botocore leave the same set out,
    /// and so do the verifiers that recompute signatures from what they receive).
    public static let unsignedHeaderNames: Set<String> = [
        "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id", "authorization",
    ]

    public var credentials: AWSCredentials
    public var region: String
    public var service: String
    public var pathHandling: PathHandling
    /// S3 requires `x-amz-content-sha256` on every request, and signs it.
    public var addsContentSHA256Header: Bool

    public init(
        credentials: AWSCredentials,
        region: String,
        service: String,
        pathHandling: PathHandling? = nil,
        addsContentSHA256Header: Bool? = nil
    ) {
        self.credentials = credentials
        self.region = region
        self.service = service
        let isS3 = service == "s3"
        self.pathHandling = pathHandling ?? (isS3 ? .asIs : .normalizeAndEncodeAgain)
        self.addsContentSHA256Header = addsContentSHA256Header ?? isS3
    }

    public var description: String {
        "SigV4Signer(service: \(service), region: \(region), credentials: \(credentials))"
    }

    // MARK: Header signing

    /// Returns the request with `X-Amz-Date`, `Host` (if missing), `X-Amz-Security-Token` (for
    /// temporary credentials), `x-amz-content-sha256` (S3) and `Authorization` set.
    public func sign(_ request: SigV4Request, payload: SigV4Payload, date: Date) -> SigV4Request {
        var prepared = prepareForHeaderSigning(request, payload: payload, date: date)
        let signature = signature(forPrepared: prepared, payloadHash: payload.hashValueForSigning, timestamp: SigV4Timestamp(date))
        prepared.setHeader("Authorization", signature.authorizationHeader)
        return prepared
    }

    /// The canonical request, string to sign and Authorization value `sign` would produce.
    public func signatureDetails(for request: SigV4Request, payload: SigV4Payload, date: Date) -> SigV4Signature {
        let prepared = prepareForHeaderSigning(request, payload: payload, date: date)
        return signature(forPrepared: prepared, payloadHash: payload.hashValueForSigning, timestamp: SigV4Timestamp(date))
    }

    private func prepareForHeaderSigning(_ request: SigV4Request, payload: SigV4Payload, date: Date) -> SigV4Request {
        var prepared = request
        prepared.removeHeader("Authorization")
        if prepared.headerValues("host").isEmpty {
            prepared.headers.append(.init("Host", request.host))
        }
        prepared.setHeader("X-Amz-Date", SigV4Timestamp(date).amzDate)
        if let token = credentials.sessionToken {
            prepared.setHeader("X-Amz-Security-Token", token)
        }
        if addsContentSHA256Header {
            prepared.setHeader("x-amz-content-sha256", payload.hashValueForSigning)
        }
        return prepared
    }

    // MARK: Presigning

    /// Query-string signing: returns the request with the `X-Amz-*` query parameters and
    /// `X-Amz-Signature` added. Only `host` (and any headers the request already carries) is
    /// signed; the body is `UNSIGNED-PAYLOAD` unless given. `expires` is in seconds, 1...604800.
    public func presign(_ request: SigV4Request, expires: Int, date: Date, payload: SigV4Payload = .unsigned) -> SigV4Request {
        presignatureDetails(for: request, expires: expires, date: date, payload: payload).request
    }

    public func presignatureDetails(
        for request: SigV4Request, expires: Int, date: Date, payload: SigV4Payload = .unsigned
    ) -> (request: SigV4Request, signature: SigV4Signature) {
        let timestamp = SigV4Timestamp(date)
        var prepared = request
        if prepared.headerValues("host").isEmpty {
            prepared.headers.append(.init("Host", request.host))
        }
        let reserved: Set<String> = ["x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-expires",
                                     "x-amz-signedheaders", "x-amz-security-token", "x-amz-signature"]
        prepared.query.removeAll { reserved.contains($0.name.lowercased()) }
        prepared.query.append(.init("X-Amz-Algorithm", Self.algorithm))
        prepared.query.append(.init("X-Amz-Credential", "\(credentials.accessKeyID)/\(credentialScope(timestamp))"))
        prepared.query.append(.init("X-Amz-Date", timestamp.amzDate))
        prepared.query.append(.init("X-Amz-Expires", String(min(max(expires, 1), 604_800))))
        prepared.query.append(.init("X-Amz-SignedHeaders", signedHeaderNames(prepared.headers)))
        if let token = credentials.sessionToken {
            prepared.query.append(.init("X-Amz-Security-Token", token))
        }
        let signature = signature(forPrepared: prepared, payloadHash: payload.hashValueForSigning, timestamp: timestamp)
        prepared.query.append(.init("X-Amz-Signature", signature.signature))
        // The Host header was only needed for signing; the HTTP client sets its own.
        prepared.removeHeader("host")
        return (prepared, signature)
    }

    // MARK: The algorithm

    func credentialScope(_ timestamp: SigV4Timestamp) -> String {
        "\(timestamp.dateStamp)/\(region)/\(service)/aws4_request"
    }

    private func signature(forPrepared request: SigV4Request, payloadHash: String, timestamp: SigV4Timestamp) -> SigV4Signature {
        let signedHeaders = signedHeaderNames(request.headers)
        let canonicalRequest = [
            request.method.uppercased(),
            canonicalURI(request.path),
            canonicalQueryString(request.query),
            canonicalHeaders(request.headers) + "\n",
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
        let scope = credentialScope(timestamp)
        let stringToSign = [
            Self.algorithm,
            timestamp.amzDate,
            scope,
            SigV4Hex.encode(SHA256.hash(data: Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")
        let key = Self.signingKey(secretAccessKey: credentials.secretAccessKey, dateStamp: timestamp.dateStamp, region: region, service: service)
        let signature = SigV4Hex.encode(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
        let authorization = "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return SigV4Signature(canonicalRequest: canonicalRequest, stringToSign: stringToSign, signedHeaders: signedHeaders,
                              credentialScope: scope, signature: signature, authorizationHeader: authorization)
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
    public static func signingKey(secretAccessKey: String, dateStamp: String, region: String, service: String) -> SymmetricKey {
        var key = SymmetricKey(data: Array(("AWS4" + secretAccessKey).utf8))
        for part in [dateStamp, region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return key
    }

    func canonicalURI(_ path: String) -> String {
        switch pathHandling {
        case .normalizeAndEncodeAgain:
            return SigV4URIEncoding.encodePath(SigV4URIEncoding.normalizedPath(path))
        case .asIs:
            let path = path.isEmpty ? "/" : path
            return SigV4URIEncoding.encode(path, keeping: [UInt8(ascii: "/"), UInt8(ascii: "%")])
        }
    }

    /// Names and values encoded, then sorted by encoded name and, for repeated names, by value.
    func canonicalQueryString(_ items: [SigV4Request.QueryItem]) -> String {
        items.map { (SigV4URIEncoding.encode($0.name), SigV4URIEncoding.encode($0.value)) }
            .sorted { $0.0 != $1.0 ? $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) : $0.1.utf8.lexicographicallyPrecedes($1.1.utf8) }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// Lower-cased names, sorted; values trimmed with inner runs of whitespace collapsed to one
    /// space; repeated headers joined by commas in the order they appear.
    func canonicalHeaders(_ headers: [SigV4Request.HeaderField]) -> String {
        var valuesByName: [String: [String]] = [:]
        for field in headers where !Self.unsignedHeaderNames.contains(field.name.lowercased()) {
            let trimmed = field.value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
            valuesByName[field.name.lowercased(), default: []].append(trimmed)
        }
        return valuesByName.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { "\($0):\(valuesByName[$0, default: []].joined(separator: ","))" }
            .joined(separator: "\n")
    }

    func signedHeaderNames(_ headers: [SigV4Request.HeaderField]) -> String {
        Set(headers.map { $0.name.lowercased() }.filter { !Self.unsignedHeaderNames.contains($0) }).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.joined(separator: ";")
    }
}

/// Lower-case hex, the form SigV4 uses for hashes and signatures.
public enum SigV4Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func encode(_ digest: SHA256.Digest) -> String { encode(Array(digest)) }

    public static func encode(_ code: HashedAuthenticationCode<SHA256>) -> String { encode(Array(code)) }

    public static func sha256(_ bytes: [UInt8]) -> String { encode(SHA256.hash(data: bytes)) }
}
