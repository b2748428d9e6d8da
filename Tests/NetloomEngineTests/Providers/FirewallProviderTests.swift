import AWSClient
import Foundation
import NetloomModel
import Testing
@testable import NetloomEngine

private typealias F = ProviderFixture

private let vpcSet = "<vpcSet><item><vpcId>vpc-1</vpcId><cidrBlock>10.0.0.0/16</cidrBlock>\(FakeAWS.ec2Tags("vpc"))</item></vpcSet>"

/// The rules an Authorize* request asks for, as AWS lists them in its answer (`sgr-<port>`).
private func authorizedRules(_ request: SentRequest, onlyLast: Bool = false) -> String {
    let egress = request.action.hasSuffix("Egress")
    var items: [String] = []
    var index = 1
    while let proto = request["IpPermissions.\(index).IpProtocol"] {
        let from = request["IpPermissions.\(index).FromPort"] ?? "-1", to = request["IpPermissions.\(index).ToPort"] ?? "-1"
        let peer = request["IpPermissions.\(index).IpRanges.1.CidrIp"].map { "<cidrIpv4>\($0)</cidrIpv4>" }
            ?? request["IpPermissions.\(index).Groups.1.GroupId"].map { "<referencedGroupInfo><groupId>\($0)</groupId></referencedGroupInfo>" } ?? ""
        items.append("<item><securityGroupRuleId>sgr-\(from)</securityGroupRuleId><groupId>\(request["GroupId"] ?? "")</groupId><isEgress>\(egress)</isEgress><ipProtocol>\(proto)</ipProtocol><fromPort>\(from)</fromPort><toPort>\(to)</toPort>\(peer)</item>")
        index += 1
    }
    if onlyLast { items = Array(items.suffix(1)) }
    return FakeAWS.ec2(request.action, "<return>true</return><securityGroupRuleSet>\(items.joined())</securityGroupRuleSet>").bodyText
}

private func rule(_ port: Int, group: String = "sg-1", direction: String = "ingress", cidr: String = "10.1.0.0/16", peerGroup: String? = nil) -> DesiredResource {
    var properties: [String: PropertyValue] = ["security_group": .string(group), "direction": .string(direction), "protocol": "tcp",
                                               "from_port": .int(port), "to_port": .int(port)]
    if let peerGroup { properties["peer_security_group"] = .string(peerGroup) } else { properties["cidr"] = .string(cidr) }
    return F.desired("sg_rule:web/\(direction)/\(port)", .securityGroupRule, properties)
}

/// The engine's batch of `rules` (one group and direction), by address.
private func createAll(_ rules: [DesiredResource], provider: SecurityGroupRuleProvider = SecurityGroupRuleProvider(),
                       context: ProviderContext) async -> [String: Result<String, any Error>] {
    let results = await provider.create(batch: rules, context: context)
    #expect(results.count == rules.count)
    return Dictionary(zip(rules.map(\.address), results.map { $0.map(\.awsID) }), uniquingKeysWith: { first, _ in first })
}

extension AWSHTTPResponse {
    fileprivate static func text(_ xml: String) -> AWSHTTPResponse { FakeAWS.xml(200, xml) }
}

@Suite("Security group and network ACL providers against a fake AWS")
struct FirewallProviderTests {
    @Test("security group: CreateSecurityGroup with tags, then the default egress rule revoked unless the spec keeps it")
    func groupCreate() async throws {
        let fake = FakeAWS { $0.action == "CreateSecurityGroup" ? FakeAWS.ec2("CreateSecurityGroup", "<groupId>sg-9</groupId>") : nil }
        var desired = F.desired("security_group:web", .securityGroup, ["vpc": "vpc-1", "name": "s-web", "description": "web"])
        desired.properties["keeps_default_egress"] = false
        let created = try await SecurityGroupProvider().create(desired, context: F.context(fake))
        #expect(created.awsID == "sg-9")
        #expect(fake.actions == ["CreateSecurityGroup", "RevokeSecurityGroupEgress"])
        #expect(fake.requests[0]["GroupName"] == "s-web")
        #expect(fake.requests[0]["GroupDescription"] == "web")
        #expect(fake.requests[0]["TagSpecification.1.ResourceType"] == "security-group")
        #expect(fake.requests[1]["IpPermissions.1.IpProtocol"] == "-1")
        #expect(fake.requests[1]["IpPermissions.1.IpRanges.1.CidrIp"] == "0.0.0.0/0")

        desired.properties["keeps_default_egress"] = true
        let keeping = FakeAWS { $0.action == "CreateSecurityGroup" ? FakeAWS.ec2("CreateSecurityGroup", "<groupId>sg-8</groupId>") : nil }
        _ = try await SecurityGroupProvider().create(desired, context: F.context(keeping))
        #expect(keeping.actions == ["CreateSecurityGroup"])
    }

    @Test("security group: tags updated in place, deleted by id, read with its name; an answer without groupId fails")
    func groupUpdateDeleteRead() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "DescribeVpcs": FakeAWS.ec2("DescribeVpcs", vpcSet)
            case "DescribeSecurityGroups":
                FakeAWS.ec2("DescribeSecurityGroups", "<securityGroupInfo><item><groupId>sg-1</groupId><groupName>s-web</groupName><groupDescription>web</groupDescription><vpcId>vpc-1</vpcId>\(FakeAWS.ec2Tags("security_group:web"))</item><item><groupId>sg-2</groupId><groupName>other</groupName><vpcId>vpc-1</vpcId>\(FakeAWS.ec2Tags("security_group:x", stack: "other"))</item></securityGroupInfo>")
            case "CreateSecurityGroup": FakeAWS.ec2("CreateSecurityGroup", "<return>true</return>")
            default: nil
            }
        }
        let context = F.context(fake)
        let desired = F.desired("security_group:web", .securityGroup, ["vpc": "vpc-1", "name": "s-web", "description": "web"])
        _ = try await SecurityGroupProvider().update(desired, from: F.observed("security_group:web", .securityGroup, "sg-1"), changed: ["tags"], context: context)
        #expect(fake.actions == ["CreateTags"])
        #expect(fake.requests[0]["ResourceId.1"] == "sg-1")
        try await SecurityGroupProvider().delete(F.observed("security_group:web", .securityGroup, "sg-1"), context: context)
        #expect(fake.requests.last?["GroupId"] == "sg-1")
        let read = try await SecurityGroupProvider().read(F.scope(), context: context)
        #expect(read.map(\.awsID) == ["sg-1"])  // another stack's group is not read as ours
        #expect(read.first?.properties["name"] == "s-web")
        let error = await F.awsError { _ = try await SecurityGroupProvider().create(desired, context: context) }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.message.contains("groupId") == true)
    }

    @Test("rules of one group and direction created together go in ONE Authorize call; each gets its own id from the answer")
    func rulesBatched() async throws {
        let fake = FakeAWS { request in
            request.action.hasPrefix("Authorize") ? .text(authorizedRules(request)) : nil
        }
        let provider = SecurityGroupRuleProvider()
        let rules = [rule(8000), rule(8001), rule(8002)]
        let results = await createAll(rules, provider: provider, context: F.context(fake))
        #expect(fake.actions == ["AuthorizeSecurityGroupIngress"])
        let request = try #require(fake.requests.first)
        #expect(request["GroupId"] == "sg-1")
        #expect(Set(request.values("IpPermissions.").filter { $0.hasPrefix("80") }) == ["8000", "8001", "8002"])
        // One call tags every rule alike: the tags all three share, not one rule's address.
        #expect(request["TagSpecification.1.ResourceType"] == "security-group-rule")
        #expect(request.values("TagSpecification.1.Tag.") == ["netloom:stack", "s"])
        for port in [8000, 8001, 8002] {
            #expect(try results["sg_rule:web/ingress/\(port)"]?.get() == "sgr-\(port)")
        }
    }

    @Test("moto answers with only the last permission's rule: the others' ids come from one DescribeSecurityGroupRules")
    func rulesBatchedMotoAnswer() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "AuthorizeSecurityGroupIngress": .text(authorizedRules(request, onlyLast: true))
            case "DescribeSecurityGroupRules":
                FakeAWS.ec2("DescribeSecurityGroupRules", "<securityGroupRuleSet>" + [8000, 8001, 8002].map {
                    "<item><securityGroupRuleId>sgr-d\($0)</securityGroupRuleId><groupId>sg-1</groupId><isEgress>false</isEgress><ipProtocol>tcp</ipProtocol><fromPort>\($0)</fromPort><toPort>\($0)</toPort><cidrIpv4>10.1.0.0/16</cidrIpv4></item>"
                }.joined() + "</securityGroupRuleSet>")
            default: nil
            }
        }
        let results = await createAll([rule(8000), rule(8001), rule(8002)], context: F.context(fake))
        #expect(fake.actions.sorted() == ["AuthorizeSecurityGroupIngress", "DescribeSecurityGroupRules"])
        // The permissions go in the batch's order: the last one's id is the answer's.
        #expect(fake.requests(for: "AuthorizeSecurityGroupIngress").first?["IpPermissions.3.FromPort"] == "8002")
        for port in ["8000", "8001", "8002"] {
            #expect(try results["sg_rule:web/ingress/\(port)"]?.get() == (port == "8002" ? "sgr-\(port)" : "sgr-d\(port)"))
        }
    }

    @Test("a batch AWS refuses is tried rule by rule: the bad rule gets its own error, the others their ids")
    func rulesBatchFailure() async throws {
        let fake = FakeAWS { request in
            guard request.action == "AuthorizeSecurityGroupIngress" else { return nil }
            // All or none, as on AWS: a missing peer group fails the whole call.
            if request.values("IpPermissions.").contains("sg-missing") { return FakeAWS.ec2Error("InvalidGroup.NotFound") }
            return .text(authorizedRules(request))
        }
        let rules = [rule(8000), rule(8001, peerGroup: "sg-missing"), rule(8002)]
        let results = await createAll(rules, context: F.context(fake))
        #expect(fake.actions == Array(repeating: "AuthorizeSecurityGroupIngress", count: 4))
        #expect(try results["sg_rule:web/ingress/8000"]?.get() == "sgr-8000")
        #expect(try results["sg_rule:web/ingress/8002"]?.get() == "sgr-8002")
        // Alone, each rule carries all of its own tags again.
        #expect(fake.requests[1].values("TagSpecification.1.Tag.").contains { $0.hasPrefix("sg_rule:web/ingress/") })
        guard case .failure(let error)? = results["sg_rule:web/ingress/8001"] else {
            Issue.record("the rule with a missing peer did not fail")
            return
        }
        #expect((error as? AWSError)?.code == "InvalidGroup.NotFound")
    }

    @Test("rules share a batch key only with rules of their group and direction; AWS's default egress rule never batches")
    func ruleBatchKeys() {
        let provider = SecurityGroupRuleProvider()
        func key(_ desired: DesiredResource) -> String? { provider.createBatchKey(of: desired.resource) }
        #expect(key(rule(8000)) != nil)
        #expect(key(rule(8000)) == key(rule(8001, peerGroup: "sg-2")))
        #expect(key(rule(8000)) != key(rule(8000, group: "sg-2")))
        #expect(key(rule(8000)) != key(rule(8000, direction: "egress")))
        var awsDefault = rule(0, direction: "egress")
        awsDefault.resource.properties["aws_default"] = true
        #expect(key(awsDefault) == nil)
        let ingress = F.observed("sg_rule:web/ingress/1", .securityGroupRule, "sgr-1", attributes: ["group": "sg-1", "egress": "false"])
        let egress = F.observed("sg_rule:web/egress/1", .securityGroupRule, "sgr-2", attributes: ["group": "sg-1", "egress": "true"])
        #expect(provider.deleteBatchKey(of: ingress) != nil)
        #expect(provider.deleteBatchKey(of: ingress) != provider.deleteBatchKey(of: egress))
    }

    @Test("a rule alone is one Authorize call carrying all of its own tags")
    func ruleAlone() async throws {
        let fake = FakeAWS { request in request.action.hasPrefix("Authorize") ? .text(authorizedRules(request)) : nil }
        let results = await createAll([rule(8002, direction: "egress")], context: F.context(fake))
        #expect(fake.actions == ["AuthorizeSecurityGroupEgress"])
        #expect(fake.requests[0].values("TagSpecification.1.Tag.").contains("sg_rule:web/egress/8002"))
        #expect(try results["sg_rule:web/egress/8002"]?.get() == "sgr-8002")
    }

    @Test("a duplicate rule alone is looked up, not failed; an authorized rule AWS does not list is an error")
    func ruleDuplicate() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "AuthorizeSecurityGroupIngress": FakeAWS.ec2Error("InvalidPermission.Duplicate")
            case "DescribeSecurityGroupRules":
                FakeAWS.ec2("DescribeSecurityGroupRules", "<securityGroupRuleSet><item><securityGroupRuleId>sgr-old</securityGroupRuleId><groupId>sg-1</groupId><isEgress>false</isEgress><ipProtocol>tcp</ipProtocol><fromPort>8000</fromPort><toPort>8000</toPort><cidrIpv4>10.1.0.0/16</cidrIpv4></item></securityGroupRuleSet>")
            default: nil
            }
        }
        let provider = SecurityGroupRuleProvider()
        #expect(try await provider.create(rule(8000), context: F.context(fake)).awsID == "sgr-old")
        let error = await F.awsError { _ = try await provider.create(rule(9000), context: F.context(fake)) }
        #expect(error?.code == "RuleNotFound")
    }

    @Test("an answer listing a rule without its id is an invalid answer, never an empty id")
    func ruleWithoutID() async {
        let fake = FakeAWS { request in
            request.action == "AuthorizeSecurityGroupIngress"
                ? FakeAWS.ec2(request.action, "<securityGroupRuleSet><item><groupId>sg-1</groupId><ipProtocol>tcp</ipProtocol><fromPort>8000</fromPort><toPort>8000</toPort><cidrIpv4>10.1.0.0/16</cidrIpv4></item></securityGroupRuleSet>") : nil
        }
        let provider = SecurityGroupRuleProvider()
        let error = await F.awsError { _ = try await provider.create(rule(8000), context: F.context(fake)) }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.message.contains("securityGroupRuleId") == true)
    }

    @Test("rules deleted together are revoked in ONE call by their ids; a stale id sends them one by one")
    func rulesRevoked() async throws {
        let fake = FakeAWS()
        let provider = SecurityGroupRuleProvider()
        let context = F.context(fake)
        let observed = [1, 2, 3].map { F.observed("sg_rule:web/ingress/\($0)", .securityGroupRule, "sgr-\($0)", ["rule": .string("sg-1|ingress|tcp|\($0):\($0)|cidr:10.0.0.0/8")], attributes: ["group": "sg-1", "egress": "false"]) }
        #expect(await provider.delete(batch: observed, context: context).allSatisfy { $0 == nil })
        #expect(fake.actions == ["RevokeSecurityGroupIngress"])
        #expect(fake.requests[0].values("SecurityGroupRuleId.").sorted() == ["sgr-1", "sgr-2", "sgr-3"])

        let stale = FakeAWS { request in
            guard request.action == "RevokeSecurityGroupIngress" else {
                return request.action == "DescribeSecurityGroupRules" ? FakeAWS.ec2("DescribeSecurityGroupRules", "<securityGroupRuleSet/>") : nil
            }
            return request.values("SecurityGroupRuleId.").contains("sgr-2") ? FakeAWS.ec2Error("InvalidSecurityGroupRuleId.NotFound") : nil
        }
        let staleContext = F.context(stale)
        let results = await provider.delete(batch: observed, context: staleContext).map { $0 == nil }
        #expect(results == [true, true, true])  // the stale one is gone already: done
        #expect(stale.actions.filter { $0 == "RevokeSecurityGroupIngress" }.count == 4)
        #expect(stale.actions.contains("DescribeSecurityGroupRules"))
    }

    @Test("rule: a description change is one UpdateSecurityGroupRuleDescriptions call naming the rule")
    func ruleUpdate() async throws {
        let fake = FakeAWS()
        var desired = rule(8000, direction: "egress")
        desired.properties["description"] = "new words"
        let observed = F.observed(desired.address, .securityGroupRule, "sgr-1")
        _ = try await SecurityGroupRuleProvider().update(desired, from: observed, changed: ["description"], context: F.context(fake))
        #expect(fake.actions == ["UpdateSecurityGroupRuleDescriptionsEgress"])
        #expect(fake.requests[0]["IpPermissions.1.IpRanges.1.Description"] == "new words")
        #expect(fake.requests[0]["IpPermissions.1.FromPort"] == "8000")
    }

    @Test("rule read: content from the inline permissions, ids from the state; unknown rules cost one DescribeSecurityGroupRules")
    func ruleRead() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "DescribeVpcs": FakeAWS.ec2("DescribeVpcs", vpcSet)
            case "DescribeSecurityGroups":
                FakeAWS.ec2("DescribeSecurityGroups", "<securityGroupInfo><item><groupId>sg-1</groupId><groupName>s-web</groupName><vpcId>vpc-1</vpcId>\(FakeAWS.ec2Tags("security_group:web"))<ipPermissions><item><ipProtocol>tcp</ipProtocol><fromPort>8000</fromPort><toPort>8000</toPort><ipRanges><item><cidrIp>10.1.0.0/16</cidrIp></item><item><cidrIp>192.168.0.0/16</cidrIp></item></ipRanges></item></ipPermissions></item></securityGroupInfo>")
            case "DescribeSecurityGroupRules":
                FakeAWS.ec2("DescribeSecurityGroupRules", "<securityGroupRuleSet><item><securityGroupRuleId>sgr-x</securityGroupRuleId><groupId>sg-1</groupId><isEgress>false</isEgress><ipProtocol>tcp</ipProtocol><fromPort>8000</fromPort><toPort>8000</toPort><cidrIpv4>192.168.0.0/16</cidrIpv4></item></securityGroupRuleSet>")
            default: nil
            }
        }
        let known = StateRecord(address: "sg_rule:web/ingress/8000", type: .securityGroupRule, awsID: "sgr-1", attributes: [:],
                                properties: ["rule": "sg-1|ingress|tcp|8000:8000|cidr:10.1.0.0/16"])
        let read = try await SecurityGroupRuleProvider().read(F.scope([rule(8000)], state: [known]), context: F.context(fake))
        #expect(read.count == 2)
        #expect(read.first { $0.address == "sg_rule:web/ingress/8000" }?.awsID == "sgr-1")
        let outsider = try #require(read.first { $0.isUnmanaged })
        #expect(outsider.awsID == "sgr-x")
        #expect(fake.requests(for: "DescribeSecurityGroupRules").first?["Filter.1.Value.1"] == "sg-1")
    }

    @Test("network ACL: created tagged, tags updated, deleted; read by the stack tag in the stack's VPC")
    func networkACL() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "CreateNetworkAcl": FakeAWS.ec2("CreateNetworkAcl", "<networkAcl><networkAclId>acl-1</networkAclId><vpcId>vpc-1</vpcId></networkAcl>")
            case "DescribeVpcs": FakeAWS.ec2("DescribeVpcs", vpcSet)
            case "DescribeNetworkAcls":
                FakeAWS.ec2("DescribeNetworkAcls", "<networkAclSet><item><networkAclId>acl-1</networkAclId><vpcId>vpc-1</vpcId><entrySet><item><ruleNumber>100</ruleNumber><protocol>6</protocol><ruleAction>allow</ruleAction><egress>false</egress><cidrBlock>10.0.0.0/16</cidrBlock><portRange><from>443</from><to>443</to></portRange></item><item><ruleNumber>32767</ruleNumber><protocol>-1</protocol><ruleAction>deny</ruleAction><egress>false</egress><cidrBlock>0.0.0.0/0</cidrBlock></item></entrySet><associationSet><item><networkAclAssociationId>aclassoc-1</networkAclAssociationId><networkAclId>acl-1</networkAclId><subnetId>subnet-1</subnetId></item></associationSet>\(FakeAWS.ec2Tags("network_acl:private"))</item></networkAclSet>")
            default: nil
            }
        }
        let context = F.context(fake)
        let desired = F.desired("network_acl:private", .networkACL, ["vpc": "vpc-1"])
        #expect(try await NetworkACLProvider().create(desired, context: context).awsID == "acl-1")
        #expect(fake.requests[0]["TagSpecification.1.ResourceType"] == "network-acl")
        _ = try await NetworkACLProvider().update(desired, from: F.observed(desired.address, .networkACL, "acl-1"), changed: ["tags"], context: context)
        #expect(fake.actions.last == "CreateTags")
        try await NetworkACLProvider().delete(F.observed(desired.address, .networkACL, "acl-1"), context: context)
        #expect(fake.requests.last?["NetworkAclId"] == "acl-1")
        let read = try await NetworkACLProvider().read(F.scope(), context: context)
        #expect(read.first?.address == "network_acl:private")

        let entries = try await NetworkACLEntryProvider().read(F.scope(), context: context)
        // The `*` rule (32767) is AWS's own.
        #expect(entries.map(\.awsID) == ["acl-1|ingress|100"])
        #expect(entries.first?.properties["from_port"] == 443)
        #expect(entries.first?.isUnmanaged == true)
        let associations = try await NetworkACLAssociationProvider().read(F.scope([F.desired("network_acl_association:a", .networkACLAssociation, ["subnet": "subnet-1", "network_acl": "acl-1"], tags: false)]), context: context)
        #expect(associations.map(\.awsID) == ["aclassoc-1"])
        #expect(associations.first?.address == "network_acl_association:a")
        #expect(fake.requests(for: "DescribeNetworkAcls").count == 1)  // one describe serves all three reads
    }

    @Test("network ACL entry: CreateNetworkAclEntry with number, protocol number, ports; replaced on update; deleted; moto's HTML 500 on a gone entry reads the ACL")
    func networkACLEntry() async throws {
        let fake = FakeAWS()
        let context = F.context(fake)
        let desired = F.desired("network_acl_entry:private/ingress/100", .networkACLEntry, ["network_acl": "acl-1", "rule_number": 100, "egress": false, "protocol": "tcp",
                                                                                        "action": "allow", "cidr": "10.0.0.0/16", "from_port": 443, "to_port": 443], tags: false)
        let created = try await NetworkACLEntryProvider().create(desired, context: context)
        #expect(created.awsID == "acl-1|ingress|100")
        let create = fake.requests[0]
        #expect(create.action == "CreateNetworkAclEntry")
        #expect(create["Protocol"] == "6")
        #expect(create["RuleNumber"] == "100")
        #expect(create["PortRange.From"] == "443")
        #expect(create["Egress"] == "false")
        _ = try await NetworkACLEntryProvider().update(desired, from: created, changed: ["cidr"], context: context)
        #expect(fake.actions.last == "ReplaceNetworkAclEntry")
        try await NetworkACLEntryProvider().delete(created, context: context)
        #expect(fake.requests.last?.action == "DeleteNetworkAclEntry")
        #expect(fake.requests.last?["RuleNumber"] == "100")

        let html = FakeAWS { request in
            switch request.action {
            case "DeleteNetworkAclEntry": AWSHTTPResponse(status: 500, headers: ["content-type": "text/html"], body: Array("<html>boom</html>".utf8))
            case "DescribeNetworkAcls": FakeAWS.ec2("DescribeNetworkAcls", "<networkAclSet><item><networkAclId>acl-1</networkAclId><entrySet/></item></networkAclSet>")
            default: nil
            }
        }
        try await NetworkACLEntryProvider().delete(created, context: F.context(html))
        #expect(html.actions == ["DeleteNetworkAclEntry", "DescribeNetworkAcls"])
        let refusing = FakeAWS { $0.action == "CreateNetworkAclEntry" ? FakeAWS.ec2Error("NetworkAclEntryAlreadyExists") : nil }
        let error = await F.awsError { _ = try await NetworkACLEntryProvider().create(desired, context: F.context(refusing)) }
        #expect(error?.code == "NetworkAclEntryAlreadyExists")
    }

    @Test("network ACL association: moves the subnet from its current ACL; back to the VPC's default on delete; a subnet without one is an error")
    func networkACLAssociation() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "DescribeNetworkAcls" where request.values("Filter.").contains("default"):
                FakeAWS.ec2("DescribeNetworkAcls", "<networkAclSet><item><networkAclId>acl-default</networkAclId><vpcId>vpc-1</vpcId><default>true</default></item></networkAclSet>")
            case "DescribeNetworkAcls":
                FakeAWS.ec2("DescribeNetworkAcls", "<networkAclSet><item><networkAclId>acl-default</networkAclId><vpcId>vpc-1</vpcId><associationSet><item><networkAclAssociationId>aclassoc-1</networkAclAssociationId><subnetId>subnet-1</subnetId></item></associationSet></item></networkAclSet>")
            case "ReplaceNetworkAclAssociation": FakeAWS.ec2("ReplaceNetworkAclAssociation", "<newAssociationId>aclassoc-2</newAssociationId>")
            default: nil
            }
        }
        let context = F.context(fake)
        let desired = F.desired("network_acl_association:a", .networkACLAssociation, ["subnet": "subnet-1", "network_acl": "acl-1"], tags: false)
        let created = try await NetworkACLAssociationProvider().create(desired, context: context)
        #expect(created.awsID == "aclassoc-2")
        #expect(fake.requests.last?["AssociationId"] == "aclassoc-1")
        #expect(fake.requests.last?["NetworkAclId"] == "acl-1")
        _ = try await NetworkACLAssociationProvider().update(desired, from: created, changed: ["network_acl"], context: context)
        #expect(fake.requests.last?["AssociationId"] == "aclassoc-2")
        try await NetworkACLAssociationProvider().delete(created, context: context)
        #expect(fake.requests.last?["NetworkAclId"] == "acl-default")

        let none = FakeAWS { $0.action == "DescribeNetworkAcls" ? FakeAWS.ec2("DescribeNetworkAcls", "<networkAclSet/>") : nil }
        let error = await F.awsError { _ = try await NetworkACLAssociationProvider().create(desired, context: F.context(none)) }
        #expect(error?.code == "AssociationNotFound")
        let missing = FakeAWS { $0.action == "ReplaceNetworkAclAssociation" ? FakeAWS.ec2("ReplaceNetworkAclAssociation", "<return>true</return>") : nil }
        let invalid = await F.awsError { _ = try await NetworkACLAssociationProvider().update(desired, from: created, changed: [], context: F.context(missing)) }
        #expect(invalid?.kind == .invalidAnswer)
    }
}
