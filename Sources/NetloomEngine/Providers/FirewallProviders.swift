import AWSClient
import NetloomModel

// Security groups and their rules; network ACLs, their entries and subnet associations.

extension ProviderContext {
    func securityGroups() async throws -> [EC2SecurityGroup] {
        try await cache.value("security-groups") { [self] in
            try await inStackVPCs(tags: \.tags, id: \.groupID) { try await services.ec2.describeSecurityGroups(filters: $0) }
        }
    }

    func networkACLs() async throws -> [EC2NetworkACL] {
        try await cache.value("network-acls") { [self] in
            try await inStackVPCs(tags: \.tags, id: \.networkACLID) { try await services.ec2.describeNetworkACLs(filters: $0) }
        }
    }
}

struct SecurityGroupProvider: ResourceProvider {
    let type = ResourceType.securityGroup
    let replacedOn = ["name": "a security group's name cannot be changed", "description": "a security group's description cannot be changed",
                      "vpc": "a security group cannot move to another VPC"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        ProviderSupport.byAddressTag(try await context.securityGroups(), stack: context.stack, adoption: context.adoption, type: type, id: \.groupID, tags: \.tags) { group in
            ObservedResource(address: "", type: type, awsID: group.groupID, properties: [
                "vpc": .string(group.vpcID), "name": .string(group.groupName), "description": .string(group.description), "tags": comparableTags(group.tags),
            ])
        }
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["vpc": .string(desired.string("vpc")), "name": .string(desired.string("name")), "description": .string(desired.string("description")),
         "tags": desired.tags.propertyMap]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let id = try await context.services.ec2.createSecurityGroup(name: desired.string("name"), description: desired.string("description"),
                                                                    vpcID: desired.string("vpc"), tags: desired.tags)
        if desired.properties["keeps_default_egress"]?.boolValue == false {
            // A new group allows all egress; a spec that lists its egress (or `egress: []`) does not.
            // NotFound: an earlier attempt whose answer was lost revoked it already.
            try await ProviderSupport.ignoringNotFound {
                try await context.services.ec2.revokeEgress(groupID: id, permissions: [EC2SecurityGroupPermission(ipProtocol: "-1", peer: .cidrIPv4("0.0.0.0/0"))])
            }
        }
        return ObservedResource(address: desired.address, type: type, awsID: id, properties: comparable(desired))
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        try await updatingEC2Tags(desired, from: observed, context: context)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.ec2.deleteSecurityGroup(id: observed.awsID) }
    }
}

/// One rule: one protocol and port range with one peer. AWS cannot change a rule's content,
/// only its description: other content is another rule (another address), and the
/// description is updated in place.
struct SecurityGroupRuleProvider: ResourceProvider {
    let type = ResourceType.securityGroupRule
    let readsAfterParents = true

    static func awsProtocol(_ name: String) -> String {
        switch name {
        case "all", "-1", "": "-1"
        case "6": "tcp"
        case "17": "udp"
        case "1": "icmp"
        default: name
        }
    }

    static func identity(group: String, egress: Bool, ipProtocol: String, from: Int?, to: Int?, peer: String) -> String {
        let proto = awsProtocol(ipProtocol)
        // AWS reports -1/-1 for "all protocols"; moto sometimes leaves the ports out.
        let ports = proto == "-1" ? "-1:-1" : "\(from ?? -1):\(to ?? -1)"
        return CompositeID(group, egress ? "egress" : "ingress", proto, ports, peer).description
    }

    static func peer(_ desired: DesiredResource) -> String {
        if let group = desired.properties["peer_security_group"]?.stringValue { return "sg:\(group)" }
        if let prefixList = desired.properties["prefix_list"]?.stringValue { return "pl:\(prefixList)" }
        return "cidr:\(desired.string("cidr"))"
    }

    func identity(_ desired: DesiredResource) -> String {
        Self.identity(group: desired.string("security_group"), egress: desired.string("direction") == "egress", ipProtocol: desired.string("protocol"),
                      from: desired.int("from_port"), to: desired.int("to_port"), peer: Self.peer(desired))
    }

    static func observed(_ rule: EC2SecurityGroupRule) -> (identity: String, observed: ObservedResource) {
        let peer = rule.referencedGroupID.map { "sg:\($0)" } ?? rule.prefixListID.map { "pl:\($0)" } ?? "cidr:\(rule.cidrIPv4 ?? rule.cidrIPv6 ?? "")"
        let key = identity(group: rule.groupID, egress: rule.isEgress, ipProtocol: rule.ipProtocol, from: rule.fromPort, to: rule.toPort, peer: peer)
        return (key, ObservedResource(address: "", type: .securityGroupRule, awsID: rule.ruleID,
                                      properties: ["rule": .string(key), "description": .string(rule.description ?? "")],
                                      attributes: ["group": rule.groupID, "egress": rule.isEgress ? "true" : "false"]))
    }

    /// The rules come inline with `DescribeSecurityGroups`, which the groups' read made already;
    /// their ids come from the state. Only groups holding a rule the state does not know (made
    /// outside netloom, or by a run killed before it recorded the rule) cost a
    /// `DescribeSecurityGroupRules`, one per 100 such groups, for the ids alone: the content
    /// stays the inline one (moto's rules API drops the description of group references).
    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        var ids: [String: String] = [:]
        for record in scope.state.values where record.type == type {
            if let key = record.properties["rule"]?.stringValue { ids[key] = record.awsID }
        }
        let items = try await context.securityGroups().flatMap { $0.rules.map(Self.observed) }
        let groupsWithUnknownRules = Array(Set(items.filter { ids[$0.identity] == nil }.compactMap { $0.observed.attributes["group"] })).sorted()
        var start = 0
        while start < groupsWithUnknownRules.count {
            let chunk = Array(groupsWithUnknownRules[start..<min(start + 100, groupsWithUnknownRules.count)])
            start += 100
            for rule in try await context.services.ec2.describeSecurityGroupRules(groupIDs: chunk) { ids[Self.observed(rule).identity] = rule.ruleID }
        }
        let identified = items.map { item in
            var copy = item
            copy.observed.awsID = ids[item.identity] ?? ""
            return copy
        }
        return ProviderSupport.matchByIdentity(identified, desired: scope.desired, identity: identity, state: scope.state,
                                               unmanagedAddress: { FoundAddress.unmanagedRule(group: $0.attributes["group"] ?? "", id: $0.awsID) })
    }

    /// The egress rule AWS gives every group carries no description, whatever the spec calls it.
    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        let description = desired.bool("aws_default") ? "" : desired.properties["description"]?.stringValue ?? ""
        return ["rule": .string(identity(desired)), "description": .string(description)]
    }

    /// One permission with one peer and its description, as Authorize*, Revoke* and
    /// UpdateSecurityGroupRuleDescriptions* take them (ports only for a protocol that has them).
    func permission(_ desired: DesiredResource, context: ProviderContext) async throws -> EC2SecurityGroupPermission {
        let proto = Self.awsProtocol(desired.string("protocol"))
        let description = desired.properties["description"]?.stringValue
        let peer: EC2SecurityGroupPermission.Peer
        if let peerGroup = desired.properties["peer_security_group"]?.stringValue {
            peer = .securityGroup(peerGroup)
        } else if let prefixList = desired.properties["prefix_list"]?.stringValue {
            peer = .prefixList(try await prefixListID(prefixList, context: context))
        } else {
            peer = .cidrIPv4(desired.string("cidr"))
        }
        return EC2SecurityGroupPermission(ipProtocol: proto, fromPort: proto == "-1" ? nil : desired.int("from_port"),
                                          toPort: proto == "-1" ? nil : desired.int("to_port"), peer: peer, description: description)
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let group = desired.string("security_group"), egress = desired.string("direction") == "egress"
        if desired.bool("aws_default") {
            // AWS gives every new group this egress rule: look for it before authorizing it, which
            // would fail with InvalidPermission.Duplicate and cost two calls instead of one.
            if let rule = try await context.services.ec2.describeSecurityGroupRules(groupID: group).first(where: { Self.observed($0).identity == identity(desired) }) {
                return created(desired, ruleID: rule.ruleID)
            }
        }
        let rule = try await toAuthorize(desired, context: context)
        return created(desired, ruleID: try await SecurityGroupRuleCalls.authorizeAlone(rule, group: group, egress: egress, ec2: context.services.ec2))
    }

    /// The rules of one group and direction go to AWS in one call (AWS's default egress rule,
    /// which is looked for first, never batches).
    func createBatchKey(of resource: Resource) -> String? {
        guard resource.properties["aws_default"]?.boolValue != true,
              let group = resource.properties["security_group"]?.stringValue, let direction = resource.properties["direction"]?.stringValue else { return nil }
        return CompositeID(group, direction).description
    }

    func create(batch: [DesiredResource], context: ProviderContext) async -> [Result<ObservedResource, any Error>] {
        guard batch.count > 1, let first = batch.first else {
            return await batch.asyncMap { desired in await Result(awaiting: { try await create(desired, context: context) }) }
        }
        let group = first.string("security_group"), egress = first.string("direction") == "egress"
        do {
            var rules: [RuleToAuthorize] = []
            for desired in batch { rules.append(try await toAuthorize(desired, context: context)) }
            let ids = try await SecurityGroupRuleCalls.authorizeTogether(rules, group: group, egress: egress, ec2: context.services.ec2)
            return batch.map { desired in
                ids[identity(desired)].map { .success(created(desired, ruleID: $0)) } ?? .failure(SecurityGroupRuleCalls.ruleNotFound(egress: egress))
            }
        } catch {
            // All or none: one bad rule (a duplicate, a missing peer group) failed the call.
            return await batch.asyncMap { desired in await Result(awaiting: { try await create(desired, context: context) }) }
        }
    }

    func toAuthorize(_ desired: DesiredResource, context: ProviderContext) async throws -> RuleToAuthorize {
        RuleToAuthorize(identity: identity(desired), permission: try await permission(desired, context: context), tags: desired.tags)
    }

    func created(_ desired: DesiredResource, ruleID: String) -> ObservedResource {
        ObservedResource(address: desired.address, type: type, awsID: ruleID, properties: comparable(desired),
                         attributes: ["group": desired.string("security_group"), "egress": desired.string("direction") == "egress" ? "true" : "false"])
    }

    /// A rule's description is the one thing AWS changes in place.
    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        if changed.contains("description") {
            try await context.services.ec2.updateRuleDescriptions(groupID: desired.string("security_group"), egress: desired.string("direction") == "egress",
                                                                  permissions: [try await permission(desired, context: context)])
        }
        return updated(observed, to: desired)
    }

    /// The id of a managed prefix list named like `com.amazonaws.us-east-1.s3`; a name no list
    /// has is sent as it is, for AWS to refuse with its own message.
    func prefixListID(_ name: String, context: ProviderContext) async throws -> String {
        try await context.services.ec2.describePrefixLists(names: [name]).first?.prefixListID ?? name
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        guard let group = observed.attributes["group"] else { return }
        try await SecurityGroupRuleCalls.revokeAlone(RuleToRevoke(ruleID: observed.awsID, identity: observed.properties["rule"]?.stringValue),
                                                     group: group, egress: observed.attributes["egress"] == "true", ec2: context.services.ec2)
    }

    func deleteBatchKey(of observed: ObservedResource) -> String? {
        guard let group = observed.attributes["group"], let egress = observed.attributes["egress"] else { return nil }
        return CompositeID(group, egress).description
    }

    func delete(batch: [ObservedResource], context: ProviderContext) async -> [(any Error)?] {
        if batch.count > 1, let group = batch.first?.attributes["group"] {
            do {
                try await context.services.ec2.revokeRules(groupID: group, ruleIDs: batch.map(\.awsID), egress: batch[0].attributes["egress"] == "true")
                return batch.map { _ in nil }
            } catch {
                // One id AWS does not know fails the call for all: each goes alone.
            }
        }
        return await batch.asyncMap { observed in
            do {
                try await delete(observed, context: context)
                return nil
            } catch {
                return error
            }
        }
    }
}

/// A rule on its way to `Authorize*`: its identity (to find its id in the answer), the
/// permission and the tags it would carry alone.
struct RuleToAuthorize: Sendable {
    var identity: String
    var permission: EC2SecurityGroupPermission
    var tags: [AWSTag]
}

/// A rule on its way to `Revoke*`: its id, and its identity for when the id is stale.
struct RuleToRevoke: Sendable {
    var ruleID: String
    var identity: String?
}

/// The Authorize and Revoke calls of rules, alone or many of one group and direction together.
///
/// AWS takes many `IpPermissions` (or `SecurityGroupRuleId`s) per call, all or none. When a
/// call for many fails, each rule goes again on its own, so each gets its own result or its
/// own error (`InvalidPermission.Duplicate` and a stale id are handled per rule). On AWS a
/// refused call applied nothing; moto applies the permissions one by one and stops at the bad
/// one, so the retry of an earlier rule meets `Duplicate` and reads its id.
enum SecurityGroupRuleCalls {
    /// Tags that every rule of the batch has with the same value (the stack's, the spec's);
    /// a rule's own `netloom:address` is left off, since one call tags every rule alike (rules
    /// are found by their content, never by their tags).
    static func sharedTags(_ rules: [RuleToAuthorize]) -> [AWSTag] {
        guard let first = rules.first else { return [] }
        return first.tags.filter { tag in rules.allSatisfy { $0.tags.contains(tag) } }
    }

    /// One call for all; the ids by identity. AWS lists every new rule in the answer, moto only
    /// the last permission's: the others are read back with one DescribeSecurityGroupRules.
    static func authorizeTogether(_ rules: [RuleToAuthorize], group: String, egress: Bool, ec2: EC2) async throws -> [String: String] {
        let answer = try await ec2.authorize(groupID: group, egress: egress, permissions: rules.map(\.permission), tags: sharedTags(rules))
        var ids: [String: String] = [:]
        for rule in answer { ids[SecurityGroupRuleProvider.observed(rule).identity] = rule.ruleID }
        if rules.contains(where: { ids[$0.identity] == nil }) {
            for rule in try await ec2.describeSecurityGroupRules(groupID: group) {
                let identity = SecurityGroupRuleProvider.observed(rule).identity
                if ids[identity] == nil { ids[identity] = rule.ruleID }
            }
        }
        return ids
    }

    /// One rule, one call, with all of its tags.
    static func authorizeAlone(_ rule: RuleToAuthorize, group: String, egress: Bool, ec2: EC2) async throws -> String {
        do {
            if let created = try await ec2.authorize(groupID: group, egress: egress, permissions: [rule.permission], tags: rule.tags)
                .first(where: { SecurityGroupRuleProvider.observed($0).identity == rule.identity }) {
                return created.ruleID
            }
        } catch let error as AWSError where error.code == "InvalidPermission.Duplicate" {
            // The rule exists already: the default egress rule of a new group, or one a killed run made.
        }
        let rules = try await ec2.describeSecurityGroupRules(groupID: group)
        guard let found = rules.first(where: { SecurityGroupRuleProvider.observed($0).identity == rule.identity }) else {
            throw ruleNotFound(egress: egress)
        }
        return found.ruleID
    }

    static func ruleNotFound(egress: Bool) -> AWSError {
        AWSError(kind: .client, service: "ec2", action: egress ? "AuthorizeSecurityGroupEgress" : "AuthorizeSecurityGroupIngress",
                 code: "RuleNotFound", message: "the rule was authorized but DescribeSecurityGroupRules does not list it")
    }

    static func revokeAlone(_ rule: RuleToRevoke, group: String, egress: Bool, ec2: EC2) async throws {
        do {
            try await ec2.revokeRules(groupID: group, ruleIDs: [rule.ruleID], egress: egress)
        } catch let error as AWSError where error.isNotFound {
            // The id came from the state; a rule with the same content may have been revoked and
            // authorized again outside netloom under a new id. The content decides.
            let current = try await ec2.describeSecurityGroupRules(groupID: group)
            guard let found = current.first(where: { SecurityGroupRuleProvider.observed($0).identity == rule.identity }), found.ruleID != rule.ruleID else { return }
            try await ProviderSupport.ignoringNotFound { try await ec2.revokeRules(groupID: group, ruleIDs: [found.ruleID], egress: egress) }
        }
    }
}

struct NetworkACLProvider: ResourceProvider {
    let type = ResourceType.networkACL
    let replacedOn = ["vpc": "a network ACL cannot move to another VPC"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        ProviderSupport.byAddressTag(try await context.networkACLs(), stack: context.stack, adoption: context.adoption, type: type, id: \.networkACLID, tags: \.tags) { acl in
            ObservedResource(address: "", type: type, awsID: acl.networkACLID, properties: ["vpc": .string(acl.vpcID), "tags": comparableTags(acl.tags)],
                             attributes: ["vpc": acl.vpcID])
        }
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["vpc": .string(desired.string("vpc")), "tags": desired.tags.propertyMap]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        // On AWS a new ACL holds the `*` deny entries; moto's has none. Netloom neither adds nor
        // compares them: only numbered entries are the spec's.
        let acl = try await context.services.ec2.createNetworkACL(vpcID: desired.string("vpc"), tags: desired.tags)
        return ObservedResource(address: desired.address, type: type, awsID: acl.networkACLID, properties: comparable(desired),
                                attributes: ["vpc": desired.string("vpc")])
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        try await updatingEC2Tags(desired, from: observed, context: context)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.ec2.deleteNetworkACL(id: observed.awsID) }
    }
}

struct NetworkACLEntryProvider: ResourceProvider {
    let type = ResourceType.networkACLEntry
    let readsAfterParents = true

    static func protocolNumber(_ name: String) -> String {
        switch name {
        case "tcp": "6"
        case "udp": "17"
        case "icmp": "1"
        case "all": "-1"
        default: name
        }
    }

    static func id(acl: String, egress: Bool, rule: Int) -> String { CompositeID(acl, egress ? "egress" : "ingress", String(rule)).description }

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        var items: [(identity: String, observed: ObservedResource)] = []
        for acl in try await context.networkACLs() {
            for entry in acl.entries where entry.ruleNumber < 32767 {
                let id = Self.id(acl: acl.networkACLID, egress: entry.isEgress, rule: entry.ruleNumber)
                var properties: [String: PropertyValue] = [
                    "action": .string(entry.ruleAction), "protocol": .string(entry.ipProtocol), "cidr": .string(entry.cidrBlock ?? ""),
                ]
                if entry.ipProtocol == "6" || entry.ipProtocol == "17" {
                    properties["from_port"] = .int(entry.fromPort ?? -1)
                    properties["to_port"] = .int(entry.toPort ?? -1)
                }
                items.append((id, ObservedResource(address: "", type: type, awsID: id, properties: properties)))
            }
        }
        return ProviderSupport.matchByIdentity(items, desired: scope.desired, identity: { Self.id(acl: $0.string("network_acl"), egress: $0.bool("egress"), rule: $0.int("rule_number") ?? 0) },
                                               state: scope.state)
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        var properties: [String: PropertyValue] = ["action": .string(desired.string("action")), "protocol": .string(Self.protocolNumber(desired.string("protocol"))),
                                                   "cidr": .string(desired.string("cidr"))]
        let proto = Self.protocolNumber(desired.string("protocol"))
        if proto == "6" || proto == "17" {
            properties["from_port"] = .int(desired.int("from_port") ?? -1)
            properties["to_port"] = .int(desired.int("to_port") ?? -1)
        }
        return properties
    }

    func entry(_ desired: DesiredResource) -> EC2NetworkACLEntry {
        EC2NetworkACLEntry(ruleNumber: desired.int("rule_number") ?? 0, ipProtocol: Self.protocolNumber(desired.string("protocol")),
                           ruleAction: desired.string("action"), isEgress: desired.bool("egress"), cidrBlock: desired.string("cidr"),
                           fromPort: desired.int("from_port"), toPort: desired.int("to_port"))
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        try await context.services.ec2.createNetworkACLEntry(networkACLID: desired.string("network_acl"), entry: entry(desired))
        return ObservedResource(address: desired.address, type: type,
                                awsID: Self.id(acl: desired.string("network_acl"), egress: desired.bool("egress"), rule: desired.int("rule_number") ?? 0),
                                properties: comparable(desired))
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        try await context.services.ec2.replaceNetworkACLEntry(networkACLID: desired.string("network_acl"), entry: entry(desired))
        return ObservedResource(address: desired.address, type: type, awsID: observed.awsID, properties: comparable(desired))
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        let parts = CompositeID(parsing: observed.awsID).parts
        guard parts.count == 3, let rule = Int(parts[2]) else { return }
        let egress = parts[1] == "egress"
        do {
            try await ProviderSupport.ignoringNotFound {
                try await context.services.ec2.deleteNetworkACLEntry(networkACLID: parts[0], ruleNumber: rule, egress: egress)
            }
        } catch let error as AWSError where error.kind == .notImplemented || error.kind == .server {
            // moto answers the delete of an entry that is already gone (a retry after a lost answer)
            // with an HTML 500. Read the ACL: if the entry is gone, the delete did happen.
            let acls = try await context.services.ec2.describeNetworkACLs(ids: [parts[0]])
            let stillThere = acls.contains { $0.entries.contains { $0.ruleNumber == rule && $0.isEgress == egress } }
            if stillThere { throw error }
        }
    }
}

/// Every subnet has exactly one ACL association; "creating" one moves the subnet from its
/// current ACL (the VPC's default) to ours, "deleting" moves it back to the default.
struct NetworkACLAssociationProvider: ResourceProvider {
    let type = ResourceType.networkACLAssociation
    let readsAfterParents = true

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        var items: [(identity: String, observed: ObservedResource)] = []
        for acl in try await context.networkACLs() {
            for association in acl.associations {
                items.append((association.subnetID, ObservedResource(address: "", type: type, awsID: association.associationID,
                                                                     properties: ["subnet": .string(association.subnetID), "network_acl": .string(acl.networkACLID)],
                                                                     attributes: ["subnet": association.subnetID, "vpc": acl.vpcID])))
            }
        }
        return ProviderSupport.matchByIdentity(items, desired: scope.desired, identity: { $0.string("subnet") }, state: scope.state)
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["subnet": .string(desired.string("subnet")), "network_acl": .string(desired.string("network_acl"))]
    }

    func currentAssociation(subnet: String, context: ProviderContext) async throws -> (associationID: String, vpc: String)? {
        let acls = try await context.services.ec2.describeNetworkACLs(filters: [AWSFilter("association.subnet-id", subnet)])
        for acl in acls {
            if let association = acl.associations.first(where: { $0.subnetID == subnet }) { return (association.associationID, acl.vpcID) }
        }
        return nil
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let subnet = desired.string("subnet")
        guard let current = try await currentAssociation(subnet: subnet, context: context) else {
            throw AWSError(kind: .client, service: "ec2", action: "DescribeNetworkAcls", code: "AssociationNotFound", message: "subnet \(subnet) has no network ACL association")
        }
        let id = try await context.services.ec2.replaceNetworkACLAssociation(associationID: current.associationID, networkACLID: desired.string("network_acl"))
        return ObservedResource(address: desired.address, type: type, awsID: id, properties: comparable(desired), attributes: ["subnet": subnet, "vpc": current.vpc])
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        let id = try await context.services.ec2.replaceNetworkACLAssociation(associationID: observed.awsID, networkACLID: desired.string("network_acl"))
        return updated(observed, to: desired, awsID: id)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        guard let vpc = observed.attributes["vpc"], !vpc.isEmpty else { return }
        let defaults = try await context.services.ec2.describeNetworkACLs(filters: [AWSFilter("vpc-id", vpc), AWSFilter("default", "true")])
        guard let defaultACL = defaults.first else { return }
        try await ProviderSupport.ignoringNotFound {
            _ = try await context.services.ec2.replaceNetworkACLAssociation(associationID: observed.awsID, networkACLID: defaultACL.networkACLID)
        }
    }
}

extension SecurityGroupProvider {
    /// A group whose spec keeps AWS's default egress rule (all to 0.0.0.0/0, marked
    /// `aws_default` on the rule) keeps it; the others lose it right after creation, so one
    /// apply converges.
    func prepare(_ desired: DesiredResource, in graph: ResourceGraph) -> DesiredResource {
        var prepared = desired
        let keeps = graph.resources(of: .securityGroupRule).contains { rule in
            rule.properties["aws_default"]?.boolValue == true && rule.properties["security_group"]?.reference?.description == desired.address
        }
        prepared.properties["keeps_default_egress"] = .bool(keeps)
        return prepared
    }
}
