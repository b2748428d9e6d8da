import AWSSigV4
import Crypto
import Foundation

/// Amazon S3 over REST-XML.
///
/// Requests are signed with S3's rules (path not normalised nor encoded twice, and
/// `x-amz-content-sha256` on every request). Buckets are addressed virtual-host style
/// (`bucket.s3.region.amazonaws.com`) against AWS, and path-style (`endpoint/bucket`) against a
/// custom endpoint (moto, LocalStack) or for bucket names with dots, which break the TLS wildcard.
public struct S3: Sendable {
    public enum Addressing: Sendable, Hashable {
        case automatic
        case pathStyle
        case virtualHost
    }

    public let core: AWSClientCore
    public var addressing: Addressing

    public init(core: AWSClientCore, addressing: Addressing = .automatic) {
        self.core = core
        self.addressing = addressing
    }

    /// Where a request for `bucket`/`key` goes: host and wire path.
    public func location(bucket: String, key: String? = nil) throws -> (endpoint: AWSEndpoint, path: String) {
        var endpoint = try core.endpoint(for: .s3)
        let keyPath = key.map { "/" + SigV4URIEncoding.encodePath($0) } ?? "/"
        let useVirtualHost: Bool
        switch addressing {
        case .pathStyle: useVirtualHost = false
        case .virtualHost: useVirtualHost = true
        case .automatic: useVirtualHost = !endpoint.isCustom && !bucket.contains(".")
        }
        if useVirtualHost {
            endpoint.host = "\(bucket).\(endpoint.host)"
            return (endpoint, endpoint.basePath + keyPath)
        }
        let bucketPath = "/" + SigV4URIEncoding.encode(bucket) + (key == nil ? "" : keyPath)
        return (endpoint, endpoint.basePath + bucketPath)
    }

    /// Any S3 operation on a bucket (or object): method, sub-resource query and XML body.
    /// Returns the answer (2xx only; errors are thrown as `AWSError`). `expect` is what a
    /// success must carry: by default nothing or XML (never an HTML page); an operation that
    /// returns a document names its root (`.xmlRoot("ListBucketResult")`).
    public func call(action: String, method: String, bucket: String, key: String? = nil, query: [SigV4Request.QueryItem] = [],
                     headers: [SigV4Request.HeaderField] = [], body: [UInt8] = [],
                     expect: AWSExpectedAnswer = .emptyOrXML) async throws -> AWSHTTPResponse {
        let (endpoint, path) = try location(bucket: bucket, key: key)
        var request = SigV4Request(method: method, host: endpoint.hostHeader, path: path, query: query, headers: headers)
        if !body.isEmpty, request.headerValues("Content-MD5").isEmpty {
            // Several bucket configuration PUTs (tagging, lifecycle) are refused without a body
            // checksum; Content-MD5 is the one every S3 implementation accepts.
            request.setHeader("Content-MD5", Data(Insecure.MD5.hash(data: body)).base64EncodedString())
        }
        return try await core.send(service: .s3, action: action, request: request, body: body, endpoint: endpoint,
                                   expect: expect, parseError: AWSRESTXMLProtocol.parseError)
    }

    /// What an operation that returns a document must answer: its root element as AWS names
    /// it, or `<ActionResponse>`, the generic wrapper moto 5.2 uses for some S3 answers (an
    /// unversioned bucket's GetBucketVersioning).
    static func document(_ root: String, of action: String) -> AWSExpectedAnswer {
        .xmlRoot(root, alternatives: ["\(action)Response"])
    }

    private func xml(_ response: AWSHTTPResponse, action: String) throws -> AWSXMLNode {
        guard let root = AWSXMLNode.parse(response.body) else {
            throw AWSError(kind: .invalidAnswer, service: "s3", action: action, statusCode: response.status, message: "answer is not XML")
        }
        return root
    }

    // MARK: Buckets

    /// us-east-1 is the one region where a LocationConstraint must not be sent.
    public func createBucket(_ bucket: String) async throws {
        var body: [UInt8] = []
        let region = try core.endpoint(for: .s3).signingRegion
        if region != "us-east-1" {
            body = Array("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(region.xmlEscaped)</LocationConstraint></CreateBucketConfiguration>".utf8)
        }
        _ = try await call(action: "CreateBucket", method: "PUT", bucket: bucket, body: body)
    }

    /// Names of every bucket the caller owns (ListBuckets: one call, no paging by default).
    public func listBuckets() async throws -> [String] {
        let endpoint = try core.endpoint(for: .s3)
        let path = endpoint.basePath.isEmpty ? "/" : endpoint.basePath + "/"
        let request = SigV4Request(method: "GET", host: endpoint.hostHeader, path: path, query: [], headers: [])
        let response = try await core.send(service: .s3, action: "ListBuckets", request: request, body: [], endpoint: endpoint,
                                           expect: Self.document("ListAllMyBucketsResult", of: "ListBuckets"), parseError: AWSRESTXMLProtocol.parseError)
        return try xml(response, action: "ListBuckets")["Buckets"].all("Bucket").compactMap { $0.text("Name") }
    }

    public func deleteBucket(_ bucket: String) async throws {
        _ = try await call(action: "DeleteBucket", method: "DELETE", bucket: bucket)
    }

    /// True when the bucket exists and is ours to read; false on 404. A 403 (someone else's
    /// bucket) is thrown.
    public func bucketExists(_ bucket: String) async throws -> Bool {
        do {
            _ = try await call(action: "HeadBucket", method: "HEAD", bucket: bucket)
            return true
        } catch let error as AWSError where error.statusCode == 404 {
            return false
        }
    }

    public func putBucketTagging(_ bucket: String, tags: [AWSTag]) async throws {
        let tagXML = tags.map { "<Tag><Key>\($0.key.xmlEscaped)</Key><Value>\($0.value.xmlEscaped)</Value></Tag>" }.joined()
        let body = "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet>\(tagXML)</TagSet></Tagging>"
        _ = try await call(action: "PutBucketTagging", method: "PUT", bucket: bucket, query: [.init("tagging", "")], body: Array(body.utf8))
    }

    /// An untagged bucket answers `NoSuchTagSet`; that reads as no tags.
    public func getBucketTagging(_ bucket: String) async throws -> [AWSTag] {
        do {
            let response = try await call(action: "GetBucketTagging", method: "GET", bucket: bucket, query: [.init("tagging", "")], expect: Self.document("Tagging", of: "GetBucketTagging"))
            return try xml(response, action: "GetBucketTagging")["TagSet"].all("Tag").map { AWSTag($0.text("Key") ?? "", $0.text("Value") ?? "") }
        } catch let error as AWSError where error.code == "NoSuchTagSet" {
            return []
        }
    }

    public func deleteBucketTagging(_ bucket: String) async throws {
        _ = try await call(action: "DeleteBucketTagging", method: "DELETE", bucket: bucket, query: [.init("tagging", "")])
    }

    /// `Enabled` or `Suspended` (a bucket that never had versioning cannot go back to "off").
    public func putBucketVersioning(_ bucket: String, enabled: Bool) async throws {
        let body = "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>\(enabled ? "Enabled" : "Suspended")</Status></VersioningConfiguration>"
        _ = try await call(action: "PutBucketVersioning", method: "PUT", bucket: bucket, query: [.init("versioning", "")], body: Array(body.utf8))
    }

    /// `Enabled`, `Suspended`, or nil for a bucket that never had versioning.
    public func getBucketVersioning(_ bucket: String) async throws -> String? {
        let response = try await call(action: "GetBucketVersioning", method: "GET", bucket: bucket, query: [.init("versioning", "")], expect: Self.document("VersioningConfiguration", of: "GetBucketVersioning"))
        return try xml(response, action: "GetBucketVersioning").text("Status")
    }

    /// Default encryption: SSE-S3 (`AES256`) or SSE-KMS (`aws:kms` with a key id).
    public func putBucketEncryption(_ bucket: String, algorithm: String = "AES256", kmsKeyID: String? = nil, bucketKeyEnabled: Bool? = nil) async throws {
        let keyXML = kmsKeyID.map { "<KMSMasterKeyID>\($0.xmlEscaped)</KMSMasterKeyID>" } ?? ""
        let bucketKeyXML = bucketKeyEnabled.map { "<BucketKeyEnabled>\($0)</BucketKeyEnabled>" } ?? ""
        let body = "<ServerSideEncryptionConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>\(algorithm.xmlEscaped)</SSEAlgorithm>\(keyXML)</ApplyServerSideEncryptionByDefault>\(bucketKeyXML)</Rule></ServerSideEncryptionConfiguration>"
        _ = try await call(action: "PutBucketEncryption", method: "PUT", bucket: bucket, query: [.init("encryption", "")], body: Array(body.utf8))
    }

    /// The default encryption algorithm, nil when none is configured.
    public func getBucketEncryption(_ bucket: String) async throws -> String? {
        do {
            let response = try await call(action: "GetBucketEncryption", method: "GET", bucket: bucket, query: [.init("encryption", "")], expect: Self.document("ServerSideEncryptionConfiguration", of: "GetBucketEncryption"))
            return try xml(response, action: "GetBucketEncryption")["Rule"]["ApplyServerSideEncryptionByDefault"].text("SSEAlgorithm")
        } catch let error as AWSError where error.code == "ServerSideEncryptionConfigurationNotFoundError" {
            return nil
        }
    }

    public func deleteBucketEncryption(_ bucket: String) async throws {
        _ = try await call(action: "DeleteBucketEncryption", method: "DELETE", bucket: bucket, query: [.init("encryption", "")])
    }

    public struct PublicAccessBlock: Sendable, Hashable {
        public var blockPublicACLs: Bool
        public var ignorePublicACLs: Bool
        public var blockPublicPolicy: Bool
        public var restrictPublicBuckets: Bool

        public static let all = PublicAccessBlock(blockPublicACLs: true, ignorePublicACLs: true, blockPublicPolicy: true, restrictPublicBuckets: true)

        public init(blockPublicACLs: Bool, ignorePublicACLs: Bool, blockPublicPolicy: Bool, restrictPublicBuckets: Bool) {
            self.blockPublicACLs = blockPublicACLs
            self.ignorePublicACLs = ignorePublicACLs
            self.blockPublicPolicy = blockPublicPolicy
            self.restrictPublicBuckets = restrictPublicBuckets
        }
    }

    public func putPublicAccessBlock(_ bucket: String, _ block: PublicAccessBlock = .all) async throws {
        let body = "<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><BlockPublicAcls>\(block.blockPublicACLs)</BlockPublicAcls><IgnorePublicAcls>\(block.ignorePublicACLs)</IgnorePublicAcls><BlockPublicPolicy>\(block.blockPublicPolicy)</BlockPublicPolicy><RestrictPublicBuckets>\(block.restrictPublicBuckets)</RestrictPublicBuckets></PublicAccessBlockConfiguration>"
        _ = try await call(action: "PutPublicAccessBlock", method: "PUT", bucket: bucket, query: [.init("publicAccessBlock", "")], body: Array(body.utf8))
    }

    /// Nil when the bucket has no public access block.
    public func getPublicAccessBlock(_ bucket: String) async throws -> PublicAccessBlock? {
        do {
            let response = try await call(action: "GetPublicAccessBlock", method: "GET", bucket: bucket, query: [.init("publicAccessBlock", "")], expect: Self.document("PublicAccessBlockConfiguration", of: "GetPublicAccessBlock"))
            let root = try xml(response, action: "GetPublicAccessBlock")
            return PublicAccessBlock(blockPublicACLs: root.bool("BlockPublicAcls") ?? false, ignorePublicACLs: root.bool("IgnorePublicAcls") ?? false,
                                     blockPublicPolicy: root.bool("BlockPublicPolicy") ?? false, restrictPublicBuckets: root.bool("RestrictPublicBuckets") ?? false)
        } catch let error as AWSError where error.code == "NoSuchPublicAccessBlockConfiguration" {
            return nil
        }
    }

    public func deletePublicAccessBlock(_ bucket: String) async throws {
        _ = try await call(action: "DeletePublicAccessBlock", method: "DELETE", bucket: bucket, query: [.init("publicAccessBlock", "")])
    }

    public struct LifecycleRule: Sendable, Hashable {
        public var id: String
        public var prefix: String
        public var enabled: Bool
        public var expirationDays: Int?
        public var noncurrentVersionExpirationDays: Int?
        public var abortIncompleteMultipartUploadDays: Int?
        /// Moves current versions to `transitionStorageClass` after this many days.
        public var transitionDays: Int?
        public var transitionStorageClass: String?
        /// Moves noncurrent versions to `noncurrentTransitionStorageClass` after this many days.
        public var noncurrentTransitionDays: Int?
        public var noncurrentTransitionStorageClass: String?

        public init(id: String, prefix: String = "", enabled: Bool = true, expirationDays: Int? = nil,
                    noncurrentVersionExpirationDays: Int? = nil, abortIncompleteMultipartUploadDays: Int? = nil,
                    transitionDays: Int? = nil, transitionStorageClass: String? = nil,
                    noncurrentTransitionDays: Int? = nil, noncurrentTransitionStorageClass: String? = nil) {
            self.id = id
            self.prefix = prefix
            self.enabled = enabled
            self.expirationDays = expirationDays
            self.noncurrentVersionExpirationDays = noncurrentVersionExpirationDays
            self.abortIncompleteMultipartUploadDays = abortIncompleteMultipartUploadDays
            self.transitionDays = transitionDays
            self.transitionStorageClass = transitionStorageClass
            self.noncurrentTransitionDays = noncurrentTransitionDays
            self.noncurrentTransitionStorageClass = noncurrentTransitionStorageClass
        }

        var xml: String {
            var xml = "<Rule><ID>\(id.xmlEscaped)</ID><Filter><Prefix>\(prefix.xmlEscaped)</Prefix></Filter><Status>\(enabled ? "Enabled" : "Disabled")</Status>"
            if let days = transitionDays {
                xml += "<Transition><Days>\(days)</Days><StorageClass>\((transitionStorageClass ?? "GLACIER").xmlEscaped)</StorageClass></Transition>"
            }
            if let days = expirationDays { xml += "<Expiration><Days>\(days)</Days></Expiration>" }
            if let days = noncurrentTransitionDays {
                xml += "<NoncurrentVersionTransition><NoncurrentDays>\(days)</NoncurrentDays><StorageClass>\((noncurrentTransitionStorageClass ?? "GLACIER").xmlEscaped)</StorageClass></NoncurrentVersionTransition>"
            }
            if let days = noncurrentVersionExpirationDays { xml += "<NoncurrentVersionExpiration><NoncurrentDays>\(days)</NoncurrentDays></NoncurrentVersionExpiration>" }
            if let days = abortIncompleteMultipartUploadDays { xml += "<AbortIncompleteMultipartUpload><DaysAfterInitiation>\(days)</DaysAfterInitiation></AbortIncompleteMultipartUpload>" }
            return xml + "</Rule>"
        }

        init(xml rule: AWSXMLNode) {
            self.init(id: rule.text("ID") ?? "", prefix: rule["Filter"].text("Prefix") ?? rule.text("Prefix") ?? "",
                      enabled: rule.text("Status") == "Enabled", expirationDays: rule["Expiration"].int("Days"),
                      noncurrentVersionExpirationDays: rule["NoncurrentVersionExpiration"].int("NoncurrentDays"),
                      abortIncompleteMultipartUploadDays: rule["AbortIncompleteMultipartUpload"].int("DaysAfterInitiation"),
                      transitionDays: rule["Transition"].int("Days"), transitionStorageClass: rule["Transition"].text("StorageClass"),
                      noncurrentTransitionDays: rule["NoncurrentVersionTransition"].int("NoncurrentDays"),
                      noncurrentTransitionStorageClass: rule["NoncurrentVersionTransition"].text("StorageClass"))
        }
    }

    public func putBucketLifecycle(_ bucket: String, rules: [LifecycleRule]) async throws {
        let body = "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\(rules.map(\.xml).joined())</LifecycleConfiguration>"
        _ = try await call(action: "PutBucketLifecycleConfiguration", method: "PUT", bucket: bucket, query: [.init("lifecycle", "")], body: Array(body.utf8))
    }

    /// Empty when the bucket has no lifecycle configuration.
    public func getBucketLifecycle(_ bucket: String) async throws -> [LifecycleRule] {
        do {
            let response = try await call(action: "GetBucketLifecycleConfiguration", method: "GET", bucket: bucket, query: [.init("lifecycle", "")], expect: Self.document("LifecycleConfiguration", of: "GetBucketLifecycleConfiguration"))
            return try xml(response, action: "GetBucketLifecycleConfiguration").all("Rule").map(LifecycleRule.init(xml:))
        } catch let error as AWSError where error.code == "NoSuchLifecycleConfiguration" {
            return []
        }
    }

    public func deleteBucketLifecycle(_ bucket: String) async throws {
        _ = try await call(action: "DeleteBucketLifecycle", method: "DELETE", bucket: bucket, query: [.init("lifecycle", "")])
    }

    // MARK: Objects

    public func putObject(_ bucket: String, key: String, body: [UInt8], contentType: String = "application/octet-stream") async throws {
        _ = try await call(action: "PutObject", method: "PUT", bucket: bucket, key: key, headers: [.init("Content-Type", contentType)], body: body)
    }

    public func getObject(_ bucket: String, key: String) async throws -> [UInt8] {
        try await call(action: "GetObject", method: "GET", bucket: bucket, key: key, expect: .anyBody).body
    }

    /// What a conditional write requires of the object it replaces.
    public enum WriteCondition: Sendable, Hashable {
        /// No object may exist under the key (`If-None-Match: *`): creates, never replaces.
        case absent
        /// The object must still be the one read with this ETag (`If-Match`).
        case unchanged(etag: String)
    }

    /// A conditional PutObject: AWS answers 412 `PreconditionFailed` (or 409
    /// `ConditionalRequestConflict` while another conditional write is under way) when the
    /// condition does not hold, and writes nothing. Returns the new object's ETag.
    public func putObject(_ bucket: String, key: String, body: [UInt8], condition: WriteCondition,
                          contentType: String = "application/octet-stream") async throws -> String {
        let header: SigV4Request.HeaderField
        switch condition {
        case .absent: header = .init("If-None-Match", "*")
        case .unchanged(let etag): header = .init("If-Match", etag)
        }
        let answer = try await call(action: "PutObject", method: "PUT", bucket: bucket, key: key,
                                    headers: [.init("Content-Type", contentType), header], body: body)
        guard let etag = answer.headers["etag"], !etag.isEmpty else {
            throw AWSError(kind: .invalidAnswer, service: "s3", action: "PutObject", statusCode: answer.status, message: "the answer carries no ETag")
        }
        return etag
    }

    /// An object's content and ETag, or `nil` when the key holds nothing.
    public func getObjectIfPresent(_ bucket: String, key: String) async throws -> (body: [UInt8], etag: String)? {
        do {
            let answer = try await call(action: "GetObject", method: "GET", bucket: bucket, key: key, expect: .anyBody)
            guard let etag = answer.headers["etag"], !etag.isEmpty else {
                throw AWSError(kind: .invalidAnswer, service: "s3", action: "GetObject", statusCode: answer.status, message: "the answer carries no ETag")
            }
            return (answer.body, etag)
        } catch let error as AWSError where error.code == "NoSuchKey" || (error.statusCode == 404 && error.code != "NoSuchBucket") {
            return nil
        }
    }

    /// With a `versionID`, deletes that version for good (no delete marker is made).
    public func deleteObject(_ bucket: String, key: String, versionID: String? = nil) async throws {
        _ = try await call(action: "DeleteObject", method: "DELETE", bucket: bucket, key: key, query: versionID.map { [.init("versionId", $0)] } ?? [])
    }

    /// One entry of ListObjectVersions: a version of an object, or a delete marker.
    public struct ObjectVersion: Sendable, Hashable {
        public var key: String
        public var versionID: String?
        public var isDeleteMarker: Bool

        public init(key: String, versionID: String?, isDeleteMarker: Bool) {
            self.key = key
            self.versionID = versionID
            self.isDeleteMarker = isDeleteMarker
        }
    }

    /// One page of ListObjectVersions: versions first, then delete markers; the markers to
    /// pass for the next page when it is truncated.
    public struct ObjectVersionPage: Sendable, Hashable {
        public var entries: [ObjectVersion]
        public var nextKeyMarker: String?
        public var nextVersionIDMarker: String?
    }

    /// One page of every version and delete marker (of keys starting with `prefix`), from the
    /// markers of the page before. `nextKeyMarker` is nil on the last page.
    public func listObjectVersions(_ bucket: String, prefix: String? = nil, keyMarker: String? = nil, versionIDMarker: String? = nil) async throws -> ObjectVersionPage {
        var query: [SigV4Request.QueryItem] = [.init("versions", "")]
        if let prefix { query.append(.init("prefix", prefix)) }
        if let keyMarker {
            query.append(.init("key-marker", keyMarker))
            query.append(.init("version-id-marker", versionIDMarker ?? ""))
        }
        let response = try await call(action: "ListObjectVersions", method: "GET", bucket: bucket, query: query,
                                      expect: Self.document("ListVersionsResult", of: "ListObjectVersions"))
        let root = try xml(response, action: "ListObjectVersions")
        let entries = try (root.all("Version") + root.all("DeleteMarker")).map { entry in
            ObjectVersion(key: try AWSError.require(entry.text("Key"), field: "Key", service: "s3", action: "ListObjectVersions"),
                          versionID: entry.text("VersionId"), isDeleteMarker: entry.name == "DeleteMarker")
        }
        let truncated = root.bool("IsTruncated") == true
        return ObjectVersionPage(entries: entries, nextKeyMarker: truncated ? root.text("NextKeyMarker") : nil,
                                 nextVersionIDMarker: truncated ? root.text("NextVersionIdMarker") : nil)
    }

    public struct Object: Sendable, Hashable {
        public var key: String
        public var size: Int
        public var eTag: String
    }

    /// ListObjectsV2 over all pages (`continuation-token`).
    public func listObjects(_ bucket: String, prefix: String? = nil) async throws -> [Object] {
        try await AWSPaging.collect { token in
            var query: [SigV4Request.QueryItem] = [.init("list-type", "2")]
            if let prefix { query.append(.init("prefix", prefix)) }
            if let token { query.append(.init("continuation-token", token)) }
            let root = try xml(try await call(action: "ListObjectsV2", method: "GET", bucket: bucket, query: query, expect: Self.document("ListBucketResult", of: "ListObjectsV2")), action: "ListObjectsV2")
            let objects = root.all("Contents").map { Object(key: $0.text("Key") ?? "", size: $0.int("Size") ?? 0, eTag: $0.text("ETag") ?? "") }
            return (objects, (root.bool("IsTruncated") ?? false) ? root.text("NextContinuationToken") : nil)
        }
    }
}

extension String {
    /// Escapes the five XML special characters for element text.
    var xmlEscaped: String {
        var out = ""
        for character in self {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
