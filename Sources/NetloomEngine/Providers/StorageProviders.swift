import AWSClient
import Crypto
import Foundation
import NetloomModel

// S3 buckets and their configurations. A bucket's id is its name; a configuration's id is the
// bucket's name too (there is one of each kind per bucket); a folder marker's id is `bucket|key`.

extension ProviderContext {
    /// Buckets with their tags: one ListBuckets, then one GetBucketTagging per candidate (S3
    /// cannot filter by tag). Candidates are buckets named after the stack and those the spec
    /// wants; which of them the stack owns is decided by the read, from the tags.
    func candidateBuckets(wantedNames: Set<String>) async throws -> [(name: String, tags: [AWSTag])] {
        try await cache.value("buckets") { [self] in
            var result: [(name: String, tags: [AWSTag])] = []
            for name in try await services.s3.listBuckets() where name.hasPrefix("\(stack)-") || wantedNames.contains(name) {
                let tags: [AWSTag]
                do { tags = try await services.s3.getBucketTagging(name) } catch let error as AWSError where error.isNotFound || error.code == "NoSuchTagSet" { tags = [] }
                result.append((name, tags))
            }
            return result.sorted { $0.name < $1.name }
        }
    }

    func bucketNames(_ scope: ReadScope) async throws -> [String] {
        let desired = scope.observed.values.filter { $0.type == .bucket && !$0.isUnmanaged }.map(\.awsID)
        return desired.sorted()
    }
}

struct BucketProvider: ResourceProvider {
    let type = ResourceType.bucket
    let replacedOn = ["bucket_name": "a bucket cannot be renamed"]

    /// A bucket is the stack's when its tags say so. An untagged bucket the spec wants is
    /// adopted only when an earlier run's create of it never finished (S3 tags a bucket in a
    /// second call); one tagged for another stack, or untagged and not made by netloom, stops
    /// the plan with the owner's name.
    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        let addressByName = scope.addressesByName("bucket_name", accountID: context.accountID)
        var result: [ObservedResource] = []
        for bucket in try await context.candidateBuckets(wantedNames: Set(addressByName.keys)) {
            let wantedBy = addressByName[bucket.name]
            let address: String
            if context.isOwned(bucket.tags) {
                address = bucket.tags.value(forKey: "netloom:address") ?? wantedBy ?? FoundAddress.named(.bucket, name: bucket.name)
            } else if let wantedBy, bucket.tags.value(forKey: "netloom:stack") == nil, scope.unfinishedCreates.contains(wantedBy) {
                address = wantedBy
            } else if let wantedBy {
                let owner = bucket.tags.value(forKey: "netloom:stack").map { "stack '\($0)' (tag netloom:stack=\($0))" }
                    ?? "something other than netloom (it has no netloom:stack tag)"
                var held = ObservedResource(address: wantedBy, type: type, awsID: bucket.name)
                held.conflict = OwnershipConflict(address: wantedBy, kind: "S3 bucket", name: bucket.name, owner: owner,
                                                  remedy: "Give this bucket another name with `bucket_name:` in the spec.")
                result.append(held)
                continue
            } else {
                continue
            }
            result.append(ObservedResource(address: address, type: type, awsID: bucket.name,
                                           properties: ["bucket_name": .string(bucket.name), "tags": comparableTags(bucket.tags)]))
        }
        return result
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["bucket_name": .string(desired.string("bucket_name")), "tags": desired.tags.propertyMap]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let name = desired.string("bucket_name")
        do {
            try await context.services.s3.createBucket(name)
        } catch let error as AWSError where error.code == "BucketAlreadyOwnedByYou" && error.followsUncertainAttempt {
            // An earlier attempt of this very call made it, and its answer was lost.
        } catch let error as AWSError where error.code == "BucketAlreadyOwnedByYou" || error.code == "BucketAlreadyExists" {
            // It appeared after the plan read the account (or belongs to another account):
            // not this stack's to tag.
            throw OwnershipConflict(address: desired.address, kind: "S3 bucket", name: name,
                                    owner: error.code == "BucketAlreadyExists" ? "another AWS account" : "something this stack did not make (created since the plan read the account)",
                                    remedy: "Give this bucket another name with `bucket_name:` in the spec.")
        }
        // S3 has no tags on CreateBucket in this API version: the bucket is untagged for one
        // call. The intent recorded before this call lets the next run adopt it if this run
        // is killed in between.
        try await context.services.s3.putBucketTagging(name, tags: desired.tags)
        return ObservedResource(address: desired.address, type: type, awsID: name, properties: comparable(desired))
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        try await context.services.s3.putBucketTagging(observed.awsID, tags: desired.tags)
        return ObservedResource(address: desired.address, type: type, awsID: observed.awsID, properties: comparable(desired))
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        let s3 = context.services.s3
        // A bucket must be empty, every version and delete marker included, before it can go.
        try await ProviderSupport.ignoringNotFound {
            try await Self.deleteAllVersions(bucket: observed.awsID, key: nil, s3: s3)
            try await s3.deleteBucket(observed.awsID)
        }
    }
}

extension BucketProvider {
    /// Deletes every version of `key` (or of every key) by version id, so that no delete marker
    /// is made; markers already there are deleted last. moto 5.2 fails (HTML 500) on deleting a
    /// version whose key's latest entry is a delete marker, so markers are never created here.
    static func deleteAllVersions(bucket: String, key: String?, s3: S3) async throws {
        var marker: (key: String, version: String?)?
        for _ in 0..<1000 {
            let page = try await s3.listObjectVersions(bucket, prefix: key, keyMarker: marker?.key, versionIDMarker: marker?.version)
            for entry in page.entries where key == nil || entry.key == key {
                do {
                    try await s3.deleteObject(bucket, key: entry.key, versionID: entry.versionID)
                } catch let error as AWSError where error.kind == .notImplemented && entry.isDeleteMarker {
                    // See above: a marker moto cannot delete does not keep the bucket from going.
                }
            }
            guard let next = page.nextKeyMarker else { return }
            marker = (next, page.nextVersionIDMarker)
        }
    }
}

/// The configurations of a bucket: read one call per bucket, written with one PUT.
struct BucketConfigurationProvider: ResourceProvider {
    let type: ResourceType
    let readsAfterParents = true

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        let desiredByBucket = Dictionary(scope.desired.map { ($0.string("bucket"), $0.address) }, uniquingKeysWith: { first, _ in first })
        var result: [ObservedResource] = []
        for bucket in try await context.bucketNames(scope) {
            guard let properties = try await current(bucket, context: context) else { continue }
            // A configuration nobody asked for on a stack bucket is left alone: S3 buckets carry
            // defaults (SSE-S3 encryption since 2023) that are not drift.
            guard let address = desiredByBucket[bucket] else { continue }
            result.append(ObservedResource(address: address, type: type, awsID: bucket, properties: properties))
        }
        return result
    }

    func current(_ bucket: String, context: ProviderContext) async throws -> [String: PropertyValue]? {
        let s3 = context.services.s3
        switch type {
        case .bucketVersioning:
            guard let status = try await s3.getBucketVersioning(bucket) else { return nil }
            return ["status": .string(status)]
        case .bucketEncryption:
            guard let algorithm = try await s3.getBucketEncryption(bucket) else { return nil }
            return ["algorithm": .string(algorithm)]
        case .bucketPublicAccessBlock:
            let block: S3.PublicAccessBlock?
            do { block = try await s3.getPublicAccessBlock(bucket) } catch let error as AWSError where error.isNotFound { block = nil }
            guard let block else { return nil }
            return ["block_public_acls": .bool(block.blockPublicACLs), "ignore_public_acls": .bool(block.ignorePublicACLs),
                    "block_public_policy": .bool(block.blockPublicPolicy), "restrict_public_buckets": .bool(block.restrictPublicBuckets)]
        case .bucketLifecycle:
            let configured: [S3.LifecycleRule]
            do {
                configured = try await s3.getBucketLifecycle(bucket)
            } catch let error as AWSError where error.isNotFound {
                return nil
            }
            // S3 holds no configuration without a rule: none means none is configured.
            guard !configured.isEmpty else { return nil }
            let rules: [PropertyValue] = configured.map { rule in
                var map: [String: PropertyValue] = ["prefix": .string(rule.prefix)]
                if let days = rule.transitionDays { map["transition_days"] = .int(days) }
                if let days = rule.noncurrentTransitionDays { map["noncurrent_transition_days"] = .int(days) }
                if let storage = rule.transitionStorageClass ?? rule.noncurrentTransitionStorageClass { map["storage_class"] = .string(storage) }
                if let days = rule.expirationDays { map["expire_days"] = .int(days) }
                return .map(map)
            }
            return ["rules": .list(rules)]
        default:
            return nil
        }
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        var properties = desired.properties
        properties["bucket"] = nil
        properties["tags"] = nil
        return properties
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let s3 = context.services.s3
        let bucket = desired.string("bucket")
        switch type {
        case .bucketVersioning:
            try await s3.putBucketVersioning(bucket, enabled: desired.string("status") == "Enabled")
        case .bucketEncryption:
            try await s3.putBucketEncryption(bucket, algorithm: desired.string("algorithm"))
        case .bucketPublicAccessBlock:
            try await s3.putPublicAccessBlock(bucket, S3.PublicAccessBlock(
                blockPublicACLs: desired.bool("block_public_acls"), ignorePublicACLs: desired.bool("ignore_public_acls"),
                blockPublicPolicy: desired.bool("block_public_policy"), restrictPublicBuckets: desired.bool("restrict_public_buckets")))
        case .bucketLifecycle:
            let rules = (desired.properties["rules"]?.listValue ?? []).enumerated().map { index, rule -> S3.LifecycleRule in
                let map = rule.mapValue ?? [:]
                let storage = map["storage_class"]?.stringValue ?? "GLACIER"
                let noncurrentDays = map["noncurrent_transition_days"]?.intValue
                return S3.LifecycleRule(id: "netloom-\(index)", prefix: map["prefix"]?.stringValue ?? "", expirationDays: map["expire_days"]?.intValue,
                                        transitionDays: map["transition_days"]?.intValue, transitionStorageClass: storage,
                                        noncurrentTransitionDays: noncurrentDays, noncurrentTransitionStorageClass: noncurrentDays == nil ? nil : storage)
            }
            try await s3.putBucketLifecycle(bucket, rules: rules)
        default:
            break
        }
        return ObservedResource(address: desired.address, type: type, awsID: bucket, properties: comparable(desired))
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        try await create(desired, context: context)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        let s3 = context.services.s3
        try await ProviderSupport.ignoringNotFound {
            switch type {
            case .bucketVersioning: try await s3.putBucketVersioning(observed.awsID, enabled: false)
            case .bucketEncryption: try await s3.deleteBucketEncryption(observed.awsID)
            case .bucketPublicAccessBlock: try await s3.deletePublicAccessBlock(observed.awsID)
            case .bucketLifecycle: try await s3.deleteBucketLifecycle(observed.awsID)
            default: break
            }
        }
    }
}

/// A folder marker: an empty object whose key ends in `/`.
struct BucketObjectProvider: ResourceProvider {
    let type = ResourceType.bucketObject
    let readsAfterParents = true

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        // Objects with content (a HyperPod cluster's lifecycle scripts) are matched by key and
        // compared by their ETag, the MD5 of the content for a single PUT to an SSE-S3 bucket
        // (the lifecycle bucket's encryption): one listing per bucket, no download.
        let contentKeys = Set(scope.desired.filter { Self.body(of: $0) != nil }.map { CompositeID($0.string("bucket"), $0.string("key")).description })
        var items: [(identity: String, observed: ObservedResource)] = []
        for bucket in try await context.bucketNames(scope) {
            for object in try await context.services.s3.listObjects(bucket) {
                let id = CompositeID(bucket, object.key).description
                if contentKeys.contains(id) {
                    let etag = object.eTag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                    items.append((id, ObservedResource(address: "", type: type, awsID: id, properties: ["key": .string(object.key), "content_md5": .string(etag)])))
                } else if object.key.hasSuffix("/") && object.size == 0 {
                    items.append((id, ObservedResource(address: "", type: type, awsID: id, properties: ["key": .string(object.key)])))
                }
            }
        }
        // Objects users put in the bucket are data, not drift: only folder markers the spec
        // names are matched; other markers are left alone.
        return ProviderSupport.matchByIdentity(items, desired: scope.desired, identity: { CompositeID($0.string("bucket"), $0.string("key")).description }, state: scope.state).filter { !$0.isUnmanaged }
    }

    /// The bytes an object with content holds: `content` as written, or `json` rendered with
    /// sorted keys; `nil` for a folder marker.
    static func body(of desired: DesiredResource) -> [UInt8]? {
        if let content = desired.properties["content"]?.stringValue { return Array(content.utf8) }
        if let json = desired.properties["json"], json.mapValue != nil { return Array((JSONText.render(json) + "\n").utf8) }
        return nil
    }

    static func md5(_ bytes: [UInt8]) -> String { Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        var fields: [String: PropertyValue] = ["key": .string(desired.string("key"))]
        // Content that refers to what does not exist yet (the file system's DNS name) is unknown until then.
        if let body = Self.body(of: desired) {
            fields["content_md5"] = DesiredResource.containsUnknown(desired.properties["json"] ?? .null) ? .string(DesiredResource.unknownID) : .string(Self.md5(body))
        }
        return fields
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let body = Self.body(of: desired) ?? []
        try await context.services.s3.putObject(desired.string("bucket"), key: desired.string("key"), body: body,
                                                contentType: desired.string("key").hasSuffix(".json") ? "application/json" : "application/octet-stream")
        return ObservedResource(address: desired.address, type: type, awsID: CompositeID(desired.string("bucket"), desired.string("key")).description, properties: comparable(desired))
    }

    /// An edited script is uploaded again (the versioned bucket keeps the old one).
    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        _ = try await create(desired, context: context)
        return updated(observed, to: desired)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        let parts = CompositeID(parsing: observed.awsID, maximumParts: 2).parts
        guard parts.count == 2 else { return }
        try await ProviderSupport.ignoringNotFound { try await BucketProvider.deleteAllVersions(bucket: parts[0], key: parts[1], s3: context.services.s3) }
    }
}
