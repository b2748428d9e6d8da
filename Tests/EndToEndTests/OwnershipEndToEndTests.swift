import Foundation
import MotoHarness
import Testing

/// Two stacks in one account: neither may adopt, change or delete what the other owns.
@Suite("stacks never touch each other's resources (moto)", .serialized, .enabled(if: MotoAvailability.shouldRun, "moto_server is not installed"))
struct OwnershipEndToEndTests {
    func freshMoto() async throws -> MotoServer {
        let moto = try await SharedMotoServers.instance.server(for: #fileID)
        try moto.reset()
        return moto
    }

    /// A small stack: a VPC with a NAT gateway, a bucket, an EC2 role (so an instance profile)
    /// with an inline policy on the bucket. `bucketName` sets `bucket_name:`.
    static func spec(stack: String, bucket: String, role: String, cidr: String, bucketName: String? = nil) -> String {
        """
        stack: \(stack)
        region: us-east-1
        network:
          cidr: \(cidr).0.0/16
          azs: [us-east-1a]
          nat: single
        subnets:
          public:
            tier: public
            cidrs: { us-east-1a: \(cidr).1.0/24 }
          private:
            tier: private
            cidrs: { us-east-1a: \(cidr).11.0/24 }
        buckets:
          \(bucket):
            versioning: true\(bucketName.map { "\n    bucket_name: \($0)" } ?? "")
        roles:
          \(role):
            assumed_by: ec2
            allow:
              - actions: [s3:GetObject]
                resources: [bucket:\(bucket)]
        """
    }

    func write(_ text: String, named name: String, in runner: CommandRunner) throws -> String {
        let path = runner.workDirectory + "/\(name).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The AWS names `expand` gives, by address.
    func names(_ spec: String, runner: CommandRunner) async throws -> [String: String] {
        let result = try await runner.netloom("expand", spec, "--format", "json")
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        var names: [String: String] = [:]
        for resource in (document?["resources"] as? [[String: Any]]) ?? [] {
            guard let address = resource["address"] as? String, let properties = resource["properties"] as? [String: Any] else { continue }
            if let name = (properties["bucket_name"] ?? properties["name"]) as? String {
                names[address] = name.replacingOccurrences(of: "${account_id}", with: "123456789012")
            }
        }
        return names
    }

    struct Neighbour {
        var bucket: String
        var objectVersions: [String]
        var bucketTags: [String: String]
        var role: String
        var policy: String
        var profile: String
        var natGateway: String
    }

    /// What the neighbour has, read with the AWS CLI.
    func snapshot(stack: String, names: [String: String], runner: CommandRunner) async throws -> Neighbour {
        let bucket = try #require(names["bucket:x-data"])
        let versions = try await runner.awsList(["s3api", "list-object-versions", "--bucket", bucket], key: "Versions").compactMap { $0["VersionId"] as? String }
        let tags = Dictionary(try await runner.awsList(["s3api", "get-bucket-tagging", "--bucket", bucket], key: "TagSet")
            .compactMap { tag in (tag["Key"] as? String).map { ($0, tag["Value"] as? String ?? "") } }, uniquingKeysWith: { first, _ in first })
        let role = try #require(names["iam_role:x-app"])
        let policies = try await runner.aws(["iam", "list-role-policies", "--role-name", role]) as? [String: Any]
        let policyName = try #require((policies?["PolicyNames"] as? [String])?.first)
        let policy = try await runner.aws(["iam", "get-role-policy", "--role-name", role, "--policy-name", policyName]) as? [String: Any]
        let profile = try #require(names["iam_instance_profile:x-app"])
        _ = try await runner.aws(["iam", "get-instance-profile", "--instance-profile-name", profile])
        let gateways = try await runner.awsList(["ec2", "describe-nat-gateways"], key: "NatGateways").filter { gateway in
            ((gateway["Tags"] as? [[String: Any]]) ?? []).contains { $0["Key"] as? String == "netloom:stack" && $0["Value"] as? String == stack }
                && gateway["State"] as? String != "deleted"
        }
        return Neighbour(bucket: bucket, objectVersions: versions.sorted(), bucketTags: tags, role: role,
                         policy: try Self.canonicalJSON(policy?["PolicyDocument"] ?? ""), profile: profile,
                         natGateway: try #require(gateways.first?["NatGatewayId"] as? String))
    }

    static func canonicalJSON(_ value: Any) throws -> String {
        guard JSONSerialization.isValidJSONObject(value) else { return String(describing: value) }
        return String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test("stack ml-x applied and destroyed beside stack ml (bucket x-data vs data, role x-app vs app) leaves ml's bucket, objects, role, profile and NAT as they were")
    func neighbours() async throws {
        let moto = try await freshMoto()
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        let first = try write(Self.spec(stack: "own", bucket: "x-data", role: "x-app", cidr: "10.10"), named: "own", in: runner)
        let second = try write(Self.spec(stack: "own-x", bucket: "data", role: "app", cidr: "10.20"), named: "own-x", in: runner)

        let applyFirst = try await runner.netloom("apply", first, "--auto-approve")
        #expect(applyFirst.status == 0, "apply own: \(applyFirst.stderr)")
        let firstNames = try await names(first, runner: runner)
        let secondNames = try await names(second, runner: runner)
        #expect(Set(firstNames.values).isDisjoint(with: secondNames.values), "\(firstNames) vs \(secondNames)")
        let bucket = try #require(firstNames["bucket:x-data"])
        let objectFile = runner.workDirectory + "/object.txt"
        try "training data".write(toFile: objectFile, atomically: true, encoding: .utf8)
        for _ in 0..<2 { _ = try await runner.aws(["s3api", "put-object", "--bucket", bucket, "--key", "raw/part-0", "--body", objectFile]) }
        let before = try await snapshot(stack: "own", names: firstNames, runner: runner)
        #expect(before.objectVersions.count == 2)

        let applySecond = try await runner.netloom("apply", second, "--auto-approve", "--format", "json")
        #expect(applySecond.status == 0, "apply own-x: \(applySecond.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(applySecond.stdout.utf8)) as? [String: Any]
        let changes = (document?["changes"] as? [[String: Any]]) ?? []
        #expect(!changes.isEmpty && changes.allSatisfy { $0["action"] as? String == "create" }, "own-x's first apply: \(changes)")
        #expect(try await snapshot(stack: "own", names: firstNames, runner: runner).objectVersions == before.objectVersions)

        let destroySecond = try await runner.netloom("destroy", second, "--auto-approve")
        #expect(destroySecond.status == 0, "destroy own-x: \(destroySecond.stderr)")
        let after = try await snapshot(stack: "own", names: firstNames, runner: runner)
        #expect(after.objectVersions == before.objectVersions)
        #expect(after.bucketTags["netloom:stack"] == "own" && after.bucketTags["netloom:address"] == "bucket:x-data")
        #expect(after.policy == before.policy)
        #expect(after.profile == before.profile)
        #expect(after.natGateway == before.natGateway, "own's NAT gateway was replaced")
        let leftovers = try await runner.countTagged(stack: "own-x")
        #expect(leftovers.isEmpty, "own-x left \(leftovers)")
        let plan = try await runner.netloom("plan", first, "--detailed-exitcode")
        #expect(plan.status == 0, "own after its neighbour came and went: \(plan.stdout)\n\(plan.stderr)")
    }

    @Test("a bucket_name that another stack's bucket has stops the plan and the apply before any change, naming the owner")
    func takenBucketName() async throws {
        let moto = try await freshMoto()
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        let first = try write(Self.spec(stack: "own", bucket: "x-data", role: "x-app", cidr: "10.10"), named: "own", in: runner)
        #expect(try await runner.netloom("apply", first, "--auto-approve").status == 0)
        let taken = try #require(try await names(first, runner: runner)["bucket:x-data"])
        let second = try write(Self.spec(stack: "thief", bucket: "data", role: "app", cidr: "10.30", bucketName: taken), named: "thief", in: runner)

        let plan = try await runner.netloom("plan", second)
        #expect(plan.status == 1)
        #expect(plan.stderr.contains("bucket:data: the S3 bucket '\(taken)' already exists and belongs to stack 'own'"), "\(plan.stderr)")
        let apply = try await runner.netloom("apply", second, "--auto-approve", "--format", "json")
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("bucket_name:"), "the way out is named: \(apply.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(apply.stdout.utf8)) as? [String: Any]
        #expect(document?["outcome"] as? String == "failed")
        #expect((document?["error"] as? String)?.contains("stack 'own'") == true)
        #expect((document?["changes"] as? [Any])?.isEmpty == true)
        let made = try await runner.countTagged(stack: "thief")
        #expect(made.isEmpty, "the stopped apply made \(made)")
        let tags = try await runner.awsList(["s3api", "get-bucket-tagging", "--bucket", taken], key: "TagSet")
        #expect(tags.contains { $0["Key"] as? String == "netloom:stack" && $0["Value"] as? String == "own" })
    }

    @Test("an apply from a second state file warns, before any change, that the stack already exists in AWS, and makes nothing twice")
    func secondStateFile() async throws {
        let moto = try await freshMoto()
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        let spec = try write(Self.spec(stack: "twice", bucket: "data", role: "app", cidr: "10.60"), named: "twice", in: runner)
        #expect(try await runner.netloom("apply", spec, "--auto-approve").status == 0)
        let counts = try await runner.countTagged(stack: "twice")
        let other = runner.workDirectory + "/elsewhere.sqlite"
        let second = try await runner.netloom("apply", spec, "--auto-approve", "--state", other)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("warning: stack 'twice' already has"), "\(second.stderr)")
        #expect(second.stderr.contains("that the state \(other) does not know: another state file may manage it"), "\(second.stderr)")
        #expect(try await runner.countTagged(stack: "twice") == counts)
        let third = try await runner.netloom("apply", spec, "--auto-approve", "--state", other, "--verbose", "--log-format", "json")
        #expect(!third.stderr.contains("warning:"), "the state knows the stack now: \(third.stderr)")
        // --verbose: one JSON object per call attempt, with the resource it was for; no secret.
        let records = third.stderr.split(separator: "\n").compactMap { line in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
        }
        let attempts = records.filter { $0["message"] == "aws call attempt" }
        #expect(attempts.count >= 10, "\(third.stderr.prefix(2000))")
        #expect(attempts.allSatisfy { $0["aws.service"] != nil && $0["aws.action"] != nil && $0["aws.attempt"] != nil && $0["duration_ms"] != nil })
        #expect(attempts.contains { $0["resource"] == "read subnet" && $0["aws.action"] == "DescribeSubnets" }, "\(attempts.prefix(5))")
        #expect(!third.stderr.contains("wJalrXUtnFEMI"), "the secret key was logged")
    }

    @Test("an IAM role made by hand under the name a stack needs is not adopted: apply fails on it, naming the owner, and leaves it as it was")
    func roleMadeByHand() async throws {
        let moto = try await freshMoto()
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        let spec = try write(Self.spec(stack: "iam", bucket: "data", role: "app", cidr: "10.40"), named: "iam", in: runner)
        let role = try #require(try await names(spec, runner: runner)["iam_role:app"])
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
        _ = try await runner.aws(["iam", "create-role", "--role-name", role, "--assume-role-policy-document", trust])

        let apply = try await runner.netloom("apply", spec, "--auto-approve")
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("the IAM role '\(role)' already exists and belongs to something other than netloom (path /)"), "\(apply.stderr)")
        let after = try await runner.aws(["iam", "get-role", "--role-name", role]) as? [String: Any]
        let document = String(describing: (after?["Role"] as? [String: Any])?["AssumeRolePolicyDocument"] ?? "")
        #expect(document.contains("lambda.amazonaws.com") && !document.contains("ec2.amazonaws.com"), "the trust policy was rewritten: \(document)")
        #expect((try await runner.aws(["iam", "list-role-policies", "--role-name", role]) as? [String: Any])?["PolicyNames"] as? [String] == [])
    }

    @Test("a bucket and role made under the names of the old <stack>-<name> scheme are kept, not replaced, and policies name the kept bucket")
    func previousNamesKept() async throws {
        let moto = try await freshMoto()
        let runner = try CommandRunner(moto: moto, region: "us-east-1")
        let spec = try write(Self.spec(stack: "legacy", bucket: "data", role: "app", cidr: "10.50"), named: "legacy", in: runner)
        // What netloom made before names carried a hash.
        let oldBucket = "legacy-data-123456789012"
        _ = try await runner.aws(["s3api", "create-bucket", "--bucket", oldBucket])
        _ = try await runner.aws(["s3api", "put-bucket-tagging", "--bucket", oldBucket, "--tagging",
                            "TagSet=[{Key=netloom:stack,Value=legacy},{Key=netloom:address,Value=bucket:data}]"])
        let trust = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#
        _ = try await runner.aws(["iam", "create-role", "--role-name", "legacy-app", "--path", "/netloom/legacy/", "--assume-role-policy-document", trust])

        let plan = try await runner.netloom("plan", spec, "--format", "json")
        #expect(plan.status == 0, "plan: \(plan.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
        let changes = Dictionary(((document?["changes"] as? [[String: Any]]) ?? []).compactMap { change in
            (change["address"] as? String).map { ($0, change["action"] as? String ?? "") } }, uniquingKeysWith: { first, _ in first })
        #expect(changes["bucket:data"] == "update", "bucket:data: \(changes["bucket:data"] ?? "no change")")
        #expect(changes["iam_role:app"] == nil, "iam_role:app: \(changes["iam_role:app"] ?? "")")
        #expect(changes.values.allSatisfy { $0 != "delete" && $0 != "replace" }, "\(changes)")

        let apply = try await runner.netloom("apply", spec, "--auto-approve")
        #expect(apply.status == 0, "apply: \(apply.stderr)")
        let buckets = try await runner.awsList(["s3api", "list-buckets"], key: "Buckets").compactMap { $0["Name"] as? String }
        #expect(buckets == [oldBucket], "buckets: \(buckets)")
        let policy = try await runner.aws(["iam", "get-role-policy", "--role-name", "legacy-app", "--policy-name", "app-inline"]) as? [String: Any]
        let policyText = String(describing: policy?["PolicyDocument"] ?? "")
        #expect(policyText.contains("arn:aws:s3:::\(oldBucket)"), "\(policyText)")
        #expect(try await runner.netloom("plan", spec, "--detailed-exitcode").status == 0)
    }
}
