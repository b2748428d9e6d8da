import AWSClient
import Foundation
import NetloomModel
import Testing
@testable import NetloomEngine

private typealias F = ProviderFixture

private let bucketObserved = F.observed("bucket:data", .bucket, "s-data")

@Suite("S3 providers against a fake AWS")
struct StorageProviderTests {
    let bucket = F.desired("bucket:data", .bucket, ["bucket_name": "s-data"])

    @Test("bucket: CreateBucket then its tags; tags again on update; read owns only what the tags say; another account's name is a conflict")
    func bucketCreateRead() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "GET service": FakeAWS.xml(200, "<ListAllMyBucketsResult><Buckets><Bucket><Name>s-data</Name></Bucket><Bucket><Name>s-theirs</Name></Bucket><Bucket><Name>unrelated</Name></Bucket></Buckets></ListAllMyBucketsResult>")
            case "GET tagging" where request.path.hasPrefix("/s-data"):
                FakeAWS.xml(200, "<Tagging><TagSet><Tag><Key>netloom:stack</Key><Value>s</Value></Tag><Tag><Key>netloom:address</Key><Value>bucket:data</Value></Tag></TagSet></Tagging>")
            case "GET tagging": FakeAWS.s3Error("NoSuchTagSet", status: 404)
            default: nil
            }
        }
        let context = F.context(fake)
        #expect(try await BucketProvider().create(bucket, context: context).awsID == "s-data")
        #expect(fake.actions == ["PUT bucket", "PUT tagging"])
        #expect(fake.requests[0].path == "/s-data")
        #expect(fake.requests[1].body.contains("<Key>netloom:address</Key><Value>bucket:data</Value>"))
        _ = try await BucketProvider().update(bucket, from: bucketObserved, changed: ["tags"], context: context)
        #expect(fake.actions.last == "PUT tagging")
        let read = try await BucketProvider().read(F.scope([bucket]), context: context)
        #expect(read.map(\.awsID) == ["s-data"])  // s-theirs has no tag: not the stack's, and not wanted
        #expect(read.first?.address == "bucket:data")

        let taken = FakeAWS { $0.action == "PUT bucket" ? FakeAWS.s3Error("BucketAlreadyExists", status: 409) : nil }
        await #expect(throws: OwnershipConflict.self) { _ = try await BucketProvider().create(bucket, context: F.context(taken)) }
        #expect(taken.actions == ["PUT bucket"])
    }

    @Test("bucket: delete removes every version and delete marker by version id (all pages), then the bucket")
    func bucketDelete() async throws {
        let fake = FakeAWS { request in
            guard request.action == "GET versions" else { return nil }
            if request["key-marker"] == nil {
                return FakeAWS.xml(200, "<ListVersionsResult><IsTruncated>true</IsTruncated><NextKeyMarker>b</NextKeyMarker><NextVersionIdMarker>v2</NextVersionIdMarker><Version><Key>a</Key><VersionId>v1</VersionId></Version><DeleteMarker><Key>b</Key><VersionId>v2</VersionId></DeleteMarker></ListVersionsResult>")
            }
            return FakeAWS.xml(200, "<ListVersionsResult><IsTruncated>false</IsTruncated><Version><Key>c d</Key><VersionId>null</VersionId></Version></ListVersionsResult>")
        }
        try await BucketProvider().delete(bucketObserved, context: F.context(fake))
        #expect(fake.actions == ["GET versions", "DELETE object", "DELETE object", "GET versions", "DELETE object", "DELETE bucket"])
        #expect(fake.requests[1].path == "/s-data/a")
        #expect(fake.requests[1]["versionId"] == "v1")
        #expect(fake.requests[2]["versionId"] == "v2")
        #expect(fake.requests[3]["key-marker"] == "b")
        #expect(fake.requests[3]["version-id-marker"] == "v2")
        #expect(fake.requests[4].path == "/s-data/c d")
    }

    @Test("bucket: a version list entry without a key is an invalid answer; a bucket gone already is deleted")
    func bucketDeleteErrors() async throws {
        let broken = FakeAWS { $0.action == "GET versions" ? FakeAWS.xml(200, "<ListVersionsResult><Version><VersionId>v1</VersionId></Version></ListVersionsResult>") : nil }
        let error = await F.awsError { try await BucketProvider().delete(bucketObserved, context: F.context(broken)) }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.message.contains("Key") == true)
        let gone = FakeAWS { $0.action == "GET versions" ? FakeAWS.s3Error("NoSuchBucket", status: 404) : nil }
        try await BucketProvider().delete(bucketObserved, context: F.context(gone))
        #expect(gone.actions == ["GET versions"])
    }

    @Test("bucket versioning and encryption: the PUTs, their reads, and the deletes (Suspended; DeleteBucketEncryption)")
    func versioningAndEncryption() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "GET versioning": FakeAWS.xml(200, "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>")
            case "GET encryption": FakeAWS.xml(200, "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>")
            default: nil
            }
        }
        let context = F.context(fake)
        let versioning = BucketConfigurationProvider(type: .bucketVersioning)
        let desiredVersioning = F.desired("bucket_versioning:data", .bucketVersioning, ["bucket": "s-data", "status": "Enabled"], tags: false)
        _ = try await versioning.create(desiredVersioning, context: context)
        #expect(fake.requests.last?.action == "PUT versioning")
        #expect(fake.requests.last?.body.contains("<Status>Enabled</Status>") == true)
        try await versioning.delete(F.observed("bucket_versioning:data", .bucketVersioning, "s-data"), context: context)
        #expect(fake.requests.last?.body.contains("<Status>Suspended</Status>") == true)
        let readVersioning = try await versioning.read(F.scope([desiredVersioning], observed: [bucketObserved]), context: context)
        #expect(readVersioning.first?.properties["status"] == "Enabled")

        let encryption = BucketConfigurationProvider(type: .bucketEncryption)
        let desiredEncryption = F.desired("bucket_encryption:data", .bucketEncryption, ["bucket": "s-data", "algorithm": "AES256"], tags: false)
        _ = try await encryption.create(desiredEncryption, context: context)
        #expect(fake.requests.last?.action == "PUT encryption")
        #expect(fake.requests.last?.body.contains("<SSEAlgorithm>AES256</SSEAlgorithm>") == true)
        try await encryption.delete(F.observed("bucket_encryption:data", .bucketEncryption, "s-data"), context: context)
        #expect(fake.requests.last?.action == "DELETE encryption")
        #expect(fake.requests.last?.path == "/s-data")
        let readEncryption = try await encryption.read(F.scope([desiredEncryption], observed: [bucketObserved]), context: context)
        #expect(readEncryption.first?.properties["algorithm"] == "AES256")
    }

    @Test("public access block: PUT with the four flags, read back, DeletePublicAccessBlock; none configured reads as nothing")
    func publicAccessBlock() async throws {
        let fake = FakeAWS { request in
            request.action == "GET publicAccessBlock"
                ? FakeAWS.xml(200, "<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>false</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>") : nil
        }
        let context = F.context(fake)
        let provider = BucketConfigurationProvider(type: .bucketPublicAccessBlock)
        let desired = F.desired("bucket_public_access_block:data", .bucketPublicAccessBlock, ["bucket": "s-data", "block_public_acls": true, "ignore_public_acls": true,
                                                                                           "block_public_policy": false, "restrict_public_buckets": true], tags: false)
        _ = try await provider.create(desired, context: context)
        #expect(fake.requests.last?.body.contains("<BlockPublicPolicy>false</BlockPublicPolicy>") == true)
        try await provider.delete(F.observed(desired.address, .bucketPublicAccessBlock, "s-data"), context: context)
        #expect(fake.requests.last?.action == "DELETE publicAccessBlock")
        let read = try await provider.read(F.scope([desired], observed: [bucketObserved]), context: context)
        #expect(read.first?.properties == provider.comparable(desired))

        let none = FakeAWS { $0.action == "GET publicAccessBlock" ? FakeAWS.s3Error("NoSuchPublicAccessBlockConfiguration", status: 404) : nil }
        #expect(try await provider.read(F.scope([desired], observed: [bucketObserved]), context: F.context(none)).isEmpty)
    }

    @Test("lifecycle: rules with transitions and expiry written as S3's XML, read back the same; DeleteBucketLifecycle; none configured reads as nothing")
    func lifecycle() async throws {
        let fake = FakeAWS { request in
            request.action == "GET lifecycle"
                ? FakeAWS.xml(200, "<LifecycleConfiguration><Rule><ID>netloom-0</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition><Expiration><Days>365</Days></Expiration></Rule></LifecycleConfiguration>") : nil
        }
        let context = F.context(fake)
        let provider = BucketConfigurationProvider(type: .bucketLifecycle)
        let desired = F.desired("bucket_lifecycle:data", .bucketLifecycle, ["bucket": "s-data", "rules": [["prefix": "logs/", "transition_days": 30, "storage_class": "GLACIER", "expire_days": 365]]], tags: false)
        _ = try await provider.create(desired, context: context)
        let put = try #require(fake.requests.last)
        #expect(put.action == "PUT lifecycle")
        #expect(put.body.contains("<Rule><ID>netloom-0</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition><Expiration><Days>365</Days></Expiration></Rule>"))
        try await provider.delete(F.observed(desired.address, .bucketLifecycle, "s-data"), context: context)
        #expect(fake.requests.last?.action == "DELETE lifecycle")
        let read = try await provider.read(F.scope([desired], observed: [bucketObserved]), context: context)
        #expect(read.first?.properties == provider.comparable(desired))

        let none = FakeAWS { $0.action == "GET lifecycle" ? FakeAWS.s3Error("NoSuchLifecycleConfiguration", status: 404) : nil }
        #expect(try await provider.read(F.scope([desired], observed: [bucketObserved]), context: F.context(none)).isEmpty)
        let refusing = FakeAWS { $0.action == "PUT lifecycle" ? FakeAWS.s3Error("MalformedXML", status: 400) : nil }
        #expect(await F.awsError { _ = try await provider.create(desired, context: F.context(refusing)) }?.code == "MalformedXML")
    }

    @Test("folder marker: an empty PUT of the key; delete removes its versions only; read takes the spec's markers, not data")
    func bucketObject() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "GET list-type": FakeAWS.xml(200, "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>logs/</Key><Size>0</Size></Contents><Contents><Key>other/</Key><Size>0</Size></Contents><Contents><Key>logs/a.gz</Key><Size>10</Size></Contents></ListBucketResult>")
            case "GET versions": FakeAWS.xml(200, "<ListVersionsResult><IsTruncated>false</IsTruncated><Version><Key>logs/</Key><VersionId>v1</VersionId></Version><Version><Key>logs/a.gz</Key><VersionId>v2</VersionId></Version></ListVersionsResult>")
            default: nil
            }
        }
        let context = F.context(fake)
        let desired = F.desired("bucket_object:data/logs", .bucketObject, ["bucket": "s-data", "key": "logs/"], tags: false)
        #expect(try await BucketObjectProvider().create(desired, context: context).awsID == "s-data|logs/")
        #expect(fake.requests[0].action == "PUT object")
        #expect(fake.requests[0].path == "/s-data/logs/")
        #expect(fake.requests[0].body.isEmpty)
        try await BucketObjectProvider().delete(F.observed(desired.address, .bucketObject, "s-data|logs/"), context: context)
        #expect(fake.requests[1]["prefix"] == "logs/")
        #expect(fake.requests(for: "DELETE object").map { $0["versionId"] } == ["v1"])  // logs/a.gz is data, not the marker
        let read = try await BucketObjectProvider().read(F.scope([desired], observed: [bucketObserved]), context: context)
        #expect(read.map(\.awsID) == ["s-data|logs/"])

        let denied = FakeAWS { $0.action == "PUT object" ? FakeAWS.s3Error("AccessDenied", status: 403) : nil }
        #expect(await F.awsError { _ = try await BucketObjectProvider().create(desired, context: F.context(denied)) }?.code == "AccessDenied")
    }
}
