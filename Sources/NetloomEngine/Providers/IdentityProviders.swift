import AWSClient
import Foundation
import NetloomModel

// IAM roles (with their inline policies, managed policy attachments and instance profiles)
// and CloudWatch log groups. These are found by name: IAM lists a stack's roles under the path
// `/netloom/<stack>/` in one call (ListRoles carries no tags), log groups under the prefix
// `/netloom/<stack>/`.

extension ProviderContext {
    /// The stack's roles: those whose path is exactly the stack's (the `PathPrefix` filter is
    /// a speed-up; moto ignores it on some calls, and `/netloom/ml/` must not take `/netloom/ml/x/`).
    func roles() async throws -> [IAM.Role] {
        try await cache.value("roles") { [self] in try await services.iam.listRoles(pathPrefix: iamPath).filter { $0.path == iamPath } }
    }

    /// Who holds an IAM name netloom wanted, for the error that stops the apply.
    func iamOwner(path: String) -> String {
        if path.hasPrefix("/netloom/"), let stack = path.dropFirst("/netloom/".count).split(separator: "/").first {
            return "stack '\(stack)' (path \(path))"
        }
        return "something other than netloom (path \(path))"
    }
}

/// JSON text of a policy document, keys sorted so that equal documents compare equal.
func policyJSON(_ value: PropertyValue) -> String {
    func render(_ value: PropertyValue) -> Any {
        switch value {
        case .string(let text): return text
        case .int(let number): return number
        case .double(let number): return number
        case .bool(let flag): return flag
        case .null: return NSNull()
        case .list(let values): return values.map(render)
        case .map(let values): return values.mapValues(render)
        }
    }
    guard let data = try? JSONSerialization.data(withJSONObject: render(value), options: [.sortedKeys, .withoutEscapingSlashes]) else { return "{}" }
    return String(decoding: data, as: UTF8.self)
}

/// A policy document AWS returns, normalised as `policyJSON` (single statements and actions
/// may come back as a string rather than a one-element list: both mean the same).
func normalisedPolicy(_ text: String) -> String {
    guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)),
          let data = try? JSONSerialization.data(withJSONObject: listify(object), options: [.sortedKeys, .withoutEscapingSlashes]) else { return text }
    return String(decoding: data, as: UTF8.self)
}

private func listify(_ object: Any) -> Any {
    if let map = object as? [String: Any] {
        var result: [String: Any] = [:]
        for (key, value) in map {
            if ["Statement", "Action", "Resource"].contains(key), !(value is [Any]) { result[key] = [listify(value)] } else { result[key] = listify(value) }
        }
        return result
    }
    if let list = object as? [Any] { return list.map(listify) }
    return object
}

struct IAMRoleProvider: ResourceProvider {
    let type = ResourceType.iamRole
    let replacedOn = ["name": "a role cannot be renamed", "path": "a role's path cannot be changed"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        let addressByName = scope.addressesByName("name")
        return try await context.roles().map { role in
            let address = addressByName[role.roleName] ?? FoundAddress.named(.iamRole, name: role.roleName)
            return ObservedResource(address: address, type: type, awsID: role.roleName, properties: [
                "name": .string(role.roleName), "path": .string(role.path), "assume_role_policy": .string(normalisedPolicy(role.assumeRolePolicyDocument)),
            ], attributes: ["arn": role.arn])
        }
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["name": .string(desired.string("name")), "path": .string(desired.string("path")),
         "assume_role_policy": .string(normalisedPolicy(policyJSON(desired.properties["assume_role_policy"] ?? .map([:]))))]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let document = policyJSON(desired.properties["assume_role_policy"] ?? .map([:]))
        do {
            let role = try await context.services.iam.createRole(name: desired.string("name"), path: desired.string("path"),
                                                                 assumeRolePolicyDocument: document, tags: desired.tags)
            return ObservedResource(address: desired.address, type: type, awsID: role.roleName, properties: comparable(desired), attributes: ["arn": role.arn])
        } catch let error as AWSError where error.code == "EntityAlreadyExists" {
            // Made by a run that was killed before it could record it, if its path is the
            // stack's; a role under any other path is someone else's.
            let role = try await context.services.iam.getRole(name: desired.string("name"))
            guard role.path == context.iamPath else {
                throw OwnershipConflict(address: desired.address, kind: "IAM role", name: role.roleName, owner: context.iamOwner(path: role.path),
                                        remedy: "Rename the role in the spec, or delete that role if nothing uses it.")
            }
            return ObservedResource(address: desired.address, type: type, awsID: role.roleName, properties: comparable(desired), attributes: ["arn": role.arn])
        }
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        if changed.contains("assume_role_policy") {
            try await context.services.iam.updateAssumeRolePolicy(roleName: observed.awsID,
                                                                  policyDocument: policyJSON(desired.properties["assume_role_policy"] ?? .map([:])))
        }
        return updated(observed, to: desired)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        let iam = context.services.iam
        // IAM refuses to delete a role that still has policies or sits in a profile; a leftover
        // role may have either.
        try await ProviderSupport.ignoringNotFound {
            for name in try await iam.listRolePolicies(roleName: observed.awsID) { try await iam.deleteRolePolicy(roleName: observed.awsID, policyName: name) }
            for arn in try await iam.listAttachedRolePolicies(roleName: observed.awsID) { try await iam.detachRolePolicy(roleName: observed.awsID, policyARN: arn) }
            for profile in try await iam.listInstanceProfilesForRole(roleName: observed.awsID) {
                try await iam.removeRoleFromInstanceProfile(profileName: profile.name, roleName: observed.awsID)
            }
            try await iam.deleteRole(name: observed.awsID)
        }
    }
}

/// An inline policy; its id is `role|policy`.
struct IAMRolePolicyProvider: ResourceProvider {
    let type = ResourceType.iamRolePolicy
    let readsAfterParents = true

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        var items: [(identity: String, observed: ObservedResource)] = []
        // One ListRolePolicies per role, and one GetRolePolicy per policy (IAM has no batch read).
        for role in try await context.roles() {
            for name in try await context.services.iam.listRolePolicies(roleName: role.roleName) {
                let document = try await context.services.iam.getRolePolicy(roleName: role.roleName, policyName: name)
                let id = CompositeID(role.roleName, name).description
                items.append((id, ObservedResource(address: "", type: type, awsID: id, properties: ["document": .string(normalisedPolicy(document))])))
            }
        }
        return ProviderSupport.matchByIdentity(items, desired: scope.desired, identity: { CompositeID($0.string("role"), $0.string("name")).description }, state: scope.state)
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["document": .string(normalisedPolicy(policyJSON(desired.properties["document"] ?? .map([:]))))]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        try await context.services.iam.putRolePolicy(roleName: desired.string("role"), policyName: desired.string("name"),
                                                     policyDocument: policyJSON(desired.properties["document"] ?? .map([:])))
        return ObservedResource(address: desired.address, type: type, awsID: CompositeID(desired.string("role"), desired.string("name")).description, properties: comparable(desired))
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        try await create(desired, context: context)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        let parts = CompositeID(parsing: observed.awsID, maximumParts: 2).parts
        guard parts.count == 2 else { return }
        try await ProviderSupport.ignoringNotFound { try await context.services.iam.deleteRolePolicy(roleName: parts[0], policyName: parts[1]) }
    }
}

/// A managed policy attached to a role; its id is `role|policy ARN`.
struct IAMRolePolicyAttachmentProvider: ResourceProvider {
    let type = ResourceType.iamRolePolicyAttachment
    let readsAfterParents = true

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        var items: [(identity: String, observed: ObservedResource)] = []
        for role in try await context.roles() {
            for arn in try await context.services.iam.listAttachedRolePolicies(roleName: role.roleName) {
                let id = CompositeID(role.roleName, arn).description
                items.append((id, ObservedResource(address: "", type: type, awsID: id, properties: ["policy_arn": .string(arn)])))
            }
        }
        return ProviderSupport.matchByIdentity(items, desired: scope.desired, identity: { CompositeID($0.string("role"), $0.string("policy_arn")).description }, state: scope.state)
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] { ["policy_arn": .string(desired.string("policy_arn"))] }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        try await context.services.iam.attachRolePolicy(roleName: desired.string("role"), policyARN: desired.string("policy_arn"))
        return ObservedResource(address: desired.address, type: type, awsID: CompositeID(desired.string("role"), desired.string("policy_arn")).description, properties: comparable(desired))
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        let parts = CompositeID(parsing: observed.awsID, maximumParts: 2).parts
        guard parts.count == 2 else { return }
        try await ProviderSupport.ignoringNotFound { try await context.services.iam.detachRolePolicy(roleName: parts[0], policyARN: parts[1]) }
    }
}

struct IAMInstanceProfileProvider: ResourceProvider {
    let type = ResourceType.iamInstanceProfile
    let replacedOn = ["name": "a profile cannot be renamed", "role": "netloom recreates a profile whose role changed"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        let addressByName = scope.addressesByName("name")
        // The path is the ownership marker; moto ignores `PathPrefix` here and lists them all.
        return try await context.services.iam.listInstanceProfiles(pathPrefix: context.iamPath).filter { $0.path == context.iamPath }.map { profile in
            // A profile holds at most one role; one without is read as "" and differs from the spec.
            let role = profile.roleNames.first ?? ""
            return ObservedResource(address: addressByName[profile.name] ?? FoundAddress.named(.iamInstanceProfile, name: profile.name), type: type, awsID: profile.name,
                                    properties: ["name": .string(profile.name), "role": .string(role)], attributes: ["arn": profile.arn, "role": role])
        }
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["name": .string(desired.string("name")), "role": .string(desired.string("role"))]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let name = desired.string("name")
        var arn = ""
        do {
            arn = try await context.services.iam.createInstanceProfile(name: name, path: desired.string("path"), tags: desired.tags).arn
        } catch let error as AWSError where error.code == "EntityAlreadyExists" {
            let existing = try await context.services.iam.getInstanceProfile(name: name)
            guard existing.path == context.iamPath else {
                throw OwnershipConflict(address: desired.address, kind: "IAM instance profile", name: name, owner: context.iamOwner(path: existing.path),
                                        remedy: "Rename the role in the spec, or delete that profile if nothing uses it.")
            }
            arn = existing.arn
        }
        do {
            try await context.services.iam.addRoleToInstanceProfile(profileName: name, roleName: desired.string("role"))
        } catch let error as AWSError where error.code == "LimitExceeded" {
            // The profile already holds its one role (made by a run that was killed after this call).
        }
        return ObservedResource(address: desired.address, type: type, awsID: name, properties: comparable(desired), attributes: ["arn": arn, "role": desired.string("role")])
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound {
            if let role = observed.attributes["role"], !role.isEmpty {
                do {
                    try await ProviderSupport.ignoringNotFound { try await context.services.iam.removeRoleFromInstanceProfile(profileName: observed.awsID, roleName: role) }
                } catch {
                    // When the first answer was lost, the retry finds the role already gone: AWS says
                    // NoSuchEntity (ignored above), moto 5.2.1 answers an HTML 500. Either way the
                    // profile itself tells whether the removal happened.
                    guard try await !context.services.iam.getInstanceProfile(name: observed.awsID).roleNames.contains(role) else { throw error }
                }
            }
            try await context.services.iam.deleteInstanceProfile(name: observed.awsID)
        }
    }
}

struct LogGroupProvider: ResourceProvider {
    let type = ResourceType.logGroup
    let replacedOn = ["name": "a log group cannot be renamed"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        let desiredByName = Dictionary(scope.desired.map { ($0.string("name"), $0.address) }, uniquingKeysWith: { first, _ in first })
        let prefix = "/netloom/\(context.stack)/"
        // The name prefix is the ownership marker (a stack name holds no '/'); the server's
        // prefix filter is only a speed-up.
        return try await context.services.logs.describeLogGroups(prefix: prefix).filter { $0.name.hasPrefix(prefix) }.map { group in
            var properties: [String: PropertyValue] = ["name": .string(group.name)]
            if let days = group.retentionInDays { properties["retention_days"] = .int(days) }
            return ObservedResource(address: desiredByName[group.name] ?? FoundAddress.named(.logGroup, name: group.name), type: type, awsID: group.name,
                                    properties: properties, attributes: ["arn": group.arn])
        }
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        var properties: [String: PropertyValue] = ["name": .string(desired.string("name"))]
        if let days = desired.int("retention_days") { properties["retention_days"] = .int(days) }
        return properties
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let name = desired.string("name")
        do {
            try await context.services.logs.createLogGroup(name: name, tags: desired.tags)
        } catch let error as AWSError where error.code == "ResourceAlreadyExistsException" {
            // Adopted: a killed run made it.
        }
        if let days = desired.int("retention_days") { try await context.services.logs.putRetentionPolicy(logGroupName: name, days: days) }
        return ObservedResource(address: desired.address, type: type, awsID: name, properties: comparable(desired))
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        if let days = desired.int("retention_days") {
            try await context.services.logs.putRetentionPolicy(logGroupName: observed.awsID, days: days)
        } else {
            try await context.services.logs.deleteRetentionPolicy(logGroupName: observed.awsID)
        }
        return updated(observed, to: desired)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.logs.deleteLogGroup(name: observed.awsID) }
    }
}
