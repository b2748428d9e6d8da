import AWSClient
import Foundation
import NetloomModel
import Testing
@testable import NetloomEngine

private typealias F = ProviderFixture

private let trust: PropertyValue = ["Version": "2012-10-17", "Statement": [["Effect": "Allow", "Principal": ["Service": "ec2.amazonaws.com"], "Action": "sts:AssumeRole"]]]
private let roleXML = "<Role><RoleName>s-node</RoleName><RoleId>AROA1</RoleId><Arn>arn:aws:iam::123456789012:role/netloom/s/s-node</Arn><Path>/netloom/s/</Path></Role>"

@Suite("IAM and log group providers against a fake AWS")
struct IdentityProviderTests {
    let role = F.desired("iam_role:node", .iamRole, ["name": "s-node", "path": "/netloom/s/", "assume_role_policy": trust])

    @Test("role: CreateRole with path, trust policy and tags in one call; UpdateAssumeRolePolicy on update")
    func roleCreateUpdate() async throws {
        let fake = FakeAWS { $0.action == "CreateRole" ? FakeAWS.query("CreateRole", roleXML) : nil }
        let context = F.context(fake)
        let created = try await IAMRoleProvider().create(role, context: context)
        #expect(created.awsID == "s-node")
        #expect(created.attributes["arn"] == "arn:aws:iam::123456789012:role/netloom/s/s-node")
        let create = fake.requests[0]
        #expect(create["Path"] == "/netloom/s/")
        #expect(create["AssumeRolePolicyDocument"]?.contains("ec2.amazonaws.com") == true)
        #expect(create.values("Tags.member.").contains("iam_role:node"))
        #expect(fake.actions == ["CreateRole"])  // tagged at creation: no TagRole
        _ = try await IAMRoleProvider().update(role, from: created, changed: ["assume_role_policy"], context: context)
        #expect(fake.requests[1].action == "UpdateAssumeRolePolicy")
        #expect(fake.requests[1]["RoleName"] == "s-node")
        #expect(fake.requests[1]["PolicyDocument"]?.contains("sts:AssumeRole") == true)
    }

    @Test("role: a name another stack holds is an ownership conflict; one under this stack's path is adopted")
    func roleConflict() async throws {
        let other = FakeAWS { request in
            switch request.action {
            case "CreateRole": FakeAWS.queryError("EntityAlreadyExists", status: 409)
            case "GetRole": FakeAWS.query("GetRole", roleXML.replacingOccurrences(of: "<Path>/netloom/s/</Path>", with: "<Path>/netloom/t/</Path>"))
            default: nil
            }
        }
        await #expect(throws: OwnershipConflict.self) { _ = try await IAMRoleProvider().create(role, context: F.context(other)) }
        let ours = FakeAWS { request in
            switch request.action {
            case "CreateRole": FakeAWS.queryError("EntityAlreadyExists", status: 409)
            case "GetRole": FakeAWS.query("GetRole", roleXML)
            default: nil
            }
        }
        #expect(try await IAMRoleProvider().create(role, context: F.context(ours)).awsID == "s-node")
    }

    @Test("role: delete empties it first (inline policies, managed policies, profiles) and then deletes it")
    func roleDelete() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "ListRolePolicies": FakeAWS.query(request.action, "<PolicyNames><member>logs</member></PolicyNames><IsTruncated>false</IsTruncated>")
            case "ListAttachedRolePolicies": FakeAWS.query(request.action, "<AttachedPolicies><member><PolicyArn>arn:aws:iam::aws:policy/SSM</PolicyArn></member></AttachedPolicies>")
            case "ListInstanceProfilesForRole": FakeAWS.query(request.action, "<InstanceProfiles><member><InstanceProfileName>s-node</InstanceProfileName><Arn>arn:profile/s-node</Arn><Path>/netloom/s/</Path></member></InstanceProfiles><IsTruncated>false</IsTruncated>")
            default: nil
            }
        }
        try await IAMRoleProvider().delete(F.observed("iam_role:node", .iamRole, "s-node"), context: F.context(fake))
        #expect(fake.actions == ["ListRolePolicies", "DeleteRolePolicy", "ListAttachedRolePolicies", "DetachRolePolicy",
                                 "ListInstanceProfilesForRole", "RemoveRoleFromInstanceProfile", "DeleteRole"])
        #expect(fake.requests[5]["InstanceProfileName"] == "s-node")
        #expect(fake.requests[4]["RoleName"] == "s-node")

        let nameless = FakeAWS { request in
            request.action == "ListInstanceProfilesForRole" ? FakeAWS.query(request.action, "<InstanceProfiles><member><Arn>arn:profile/x</Arn></member></InstanceProfiles>") : nil
        }
        let error = await F.awsError { try await IAMRoleProvider().delete(F.observed("iam_role:node", .iamRole, "s-node"), context: F.context(nameless)) }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.message.contains("InstanceProfileName") == true)
    }

    @Test("role: the read keeps only roles at exactly the stack's path, with the trust policy decoded")
    func roleRead() async throws {
        let document = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"
        let fake = FakeAWS { request in
            request.action == "ListRoles"
                ? FakeAWS.query("ListRoles", "<Roles><member><RoleName>s-node</RoleName><Arn>arn:role/s-node</Arn><Path>/netloom/s/</Path><AssumeRolePolicyDocument>\(document)</AssumeRolePolicyDocument></member><member><RoleName>x</RoleName><Arn>arn:role/x</Arn><Path>/netloom/s/x/</Path></member></Roles><IsTruncated>false</IsTruncated>") : nil
        }
        let read = try await IAMRoleProvider().read(F.scope([role]), context: F.context(fake))
        #expect(read.map(\.awsID) == ["s-node"])
        #expect(read.first?.address == "iam_role:node")
        #expect(read.first?.properties["assume_role_policy"] == IAMRoleProvider().comparable(role)["assume_role_policy"])
        #expect(fake.requests[0]["PathPrefix"] == "/netloom/s/")
    }

    @Test("inline policy: PutRolePolicy on create and update, DeleteRolePolicy on delete, read per role; a refusal is AWS's error")
    func rolePolicy() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "ListRoles": FakeAWS.query("ListRoles", "<Roles><member><RoleName>s-node</RoleName><Arn>arn:role/s-node</Arn><Path>/netloom/s/</Path></member></Roles>")
            case "ListRolePolicies": FakeAWS.query(request.action, "<PolicyNames><member>logs</member></PolicyNames>")
            case "GetRolePolicy": FakeAWS.query(request.action, "<PolicyDocument>%7B%22Version%22%3A%222012-10-17%22%7D</PolicyDocument>")
            default: nil
            }
        }
        let context = F.context(fake)
        let desired = F.desired("iam_role_policy:node/logs", .iamRolePolicy, ["role": "s-node", "name": "logs", "document": ["Version": "2012-10-17"]], tags: false)
        #expect(try await IAMRolePolicyProvider().create(desired, context: context).awsID == "s-node|logs")
        #expect(fake.requests[0]["PolicyDocument"] == "{\"Version\":\"2012-10-17\"}")
        _ = try await IAMRolePolicyProvider().update(desired, from: F.observed(desired.address, .iamRolePolicy, "s-node|logs"), changed: ["document"], context: context)
        #expect(fake.requests[1].action == "PutRolePolicy")
        try await IAMRolePolicyProvider().delete(F.observed(desired.address, .iamRolePolicy, "s-node|logs"), context: context)
        #expect(fake.requests[2].action == "DeleteRolePolicy")
        #expect(fake.requests[2]["PolicyName"] == "logs")
        let read = try await IAMRolePolicyProvider().read(F.scope([desired]), context: context)
        #expect(read.first?.address == desired.address)
        #expect(read.first?.properties["document"] == IAMRolePolicyProvider().comparable(desired)["document"])

        let refusing = FakeAWS { $0.action == "PutRolePolicy" ? FakeAWS.queryError("MalformedPolicyDocument") : nil }
        #expect(await F.awsError { _ = try await IAMRolePolicyProvider().create(desired, context: F.context(refusing)) }?.code == "MalformedPolicyDocument")
    }

    @Test("policy attachment: AttachRolePolicy and DetachRolePolicy by ARN; read per role; a missing policy is AWS's error")
    func policyAttachment() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "ListRoles": FakeAWS.query("ListRoles", "<Roles><member><RoleName>s-node</RoleName><Path>/netloom/s/</Path></member></Roles>")
            case "ListAttachedRolePolicies": FakeAWS.query(request.action, "<AttachedPolicies><member><PolicyArn>arn:aws:iam::aws:policy/SSM</PolicyArn></member></AttachedPolicies>")
            default: nil
            }
        }
        let context = F.context(fake)
        let desired = F.desired("iam_role_policy_attachment:node/ssm", .iamRolePolicyAttachment, ["role": "s-node", "policy_arn": "arn:aws:iam::aws:policy/SSM"], tags: false)
        #expect(try await IAMRolePolicyAttachmentProvider().create(desired, context: context).awsID == "s-node|arn:aws:iam::aws:policy/SSM")
        #expect(fake.requests[0]["PolicyArn"] == "arn:aws:iam::aws:policy/SSM")
        try await IAMRolePolicyAttachmentProvider().delete(F.observed(desired.address, .iamRolePolicyAttachment, "s-node|arn:aws:iam::aws:policy/SSM"), context: context)
        #expect(fake.requests[1].action == "DetachRolePolicy")
        #expect(fake.requests[1]["RoleName"] == "s-node")
        let read = try await IAMRolePolicyAttachmentProvider().read(F.scope([desired]), context: context)
        #expect(read.first?.address == desired.address)

        let missing = FakeAWS { $0.action == "AttachRolePolicy" ? FakeAWS.queryError("NoSuchEntity", status: 404) : nil }
        #expect(await F.awsError { _ = try await IAMRolePolicyAttachmentProvider().create(desired, context: F.context(missing)) }?.code == "NoSuchEntity")
    }

    @Test("instance profile: CreateInstanceProfile with path and tags, then its role; removed and deleted; read filters by path itself")
    func instanceProfile() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "CreateInstanceProfile": FakeAWS.query(request.action, "<InstanceProfile><InstanceProfileName>s-node</InstanceProfileName><Arn>arn:profile/s-node</Arn><Path>/netloom/s/</Path></InstanceProfile>")
            case "ListInstanceProfiles":
                FakeAWS.query(request.action, "<InstanceProfiles><member><InstanceProfileName>s-node</InstanceProfileName><Arn>arn:profile/s-node</Arn><Path>/netloom/s/</Path><Roles><member><RoleName>s-node</RoleName></member></Roles></member><member><InstanceProfileName>other</InstanceProfileName><Arn>arn:profile/other</Arn><Path>/</Path></member></InstanceProfiles><IsTruncated>false</IsTruncated>")
            default: nil
            }
        }
        let context = F.context(fake)
        let desired = F.desired("iam_instance_profile:node", .iamInstanceProfile, ["name": "s-node", "path": "/netloom/s/", "role": "s-node"])
        let created = try await IAMInstanceProfileProvider().create(desired, context: context)
        #expect(created.attributes["arn"] == "arn:profile/s-node")
        #expect(fake.actions == ["CreateInstanceProfile", "AddRoleToInstanceProfile"])
        #expect(fake.requests[0]["Path"] == "/netloom/s/")
        #expect(fake.requests[0].values("Tags.member.").contains("iam_instance_profile:node"))
        #expect(fake.requests[1]["RoleName"] == "s-node")
        try await IAMInstanceProfileProvider().delete(created, context: context)
        #expect(fake.actions.suffix(2) == ["RemoveRoleFromInstanceProfile", "DeleteInstanceProfile"])
        let read = try await IAMInstanceProfileProvider().read(F.scope([desired]), context: context)
        #expect(read.map(\.awsID) == ["s-node"])  // moto ignores PathPrefix: the path is checked here
        #expect(read.first?.properties["role"] == "s-node")
        #expect(read.first?.attributes["arn"] == "arn:profile/s-node")

        let nameless = FakeAWS { request in
            request.action == "ListInstanceProfiles" ? FakeAWS.query(request.action, "<InstanceProfiles><member><Arn>arn:profile/x</Arn><Path>/netloom/s/</Path></member></InstanceProfiles>") : nil
        }
        let error = await F.awsError { _ = try await IAMInstanceProfileProvider().read(F.scope(), context: F.context(nameless)) }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.message.contains("InstanceProfileName") == true)
    }

    @Test("log group: CreateLogGroup with tags in the same call, retention set; update and delete; read by prefix; an existing group is adopted")
    func logGroup() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "CreateLogGroup": FakeAWS.jsonError("ResourceAlreadyExistsException")
            case "DescribeLogGroups": FakeAWS.json("{\"logGroups\":[{\"logGroupName\":\"/netloom/s/flow\",\"arn\":\"arn:logs:/netloom/s/flow\",\"retentionInDays\":30},{\"logGroupName\":\"/netloom/s-x/flow\",\"arn\":\"arn:x\"}]}")
            default: nil
            }
        }
        let context = F.context(fake)
        let desired = F.desired("log_group:flow", .logGroup, ["name": "/netloom/s/flow", "retention_days": 30])
        #expect(try await LogGroupProvider().create(desired, context: context).awsID == "/netloom/s/flow")
        #expect(fake.actions == ["CreateLogGroup", "PutRetentionPolicy"])
        let create = fake.requests[0].json
        #expect(create["logGroupName"] as? String == "/netloom/s/flow")
        #expect((create["tags"] as? [String: String])?["netloom:address"] == "log_group:flow")
        #expect(fake.requests[1].json["retentionInDays"] as? Int == 30)
        var forever = desired
        forever.properties["retention_days"] = nil
        _ = try await LogGroupProvider().update(forever, from: F.observed(desired.address, .logGroup, "/netloom/s/flow"), changed: ["retention_days"], context: context)
        #expect(fake.actions.last == "DeleteRetentionPolicy")
        try await LogGroupProvider().delete(F.observed(desired.address, .logGroup, "/netloom/s/flow"), context: context)
        #expect(fake.requests.last?.json["logGroupName"] as? String == "/netloom/s/flow")
        let read = try await LogGroupProvider().read(F.scope([desired]), context: context)
        #expect(read.map(\.awsID) == ["/netloom/s/flow"])
        #expect(read.first?.properties["retention_days"] == 30)

        let refusing = FakeAWS { $0.action == "CreateLogGroup" ? FakeAWS.jsonError("LimitExceededException") : nil }
        #expect(await F.awsError { _ = try await LogGroupProvider().create(desired, context: F.context(refusing)) }?.code == "LimitExceededException")
    }
}
