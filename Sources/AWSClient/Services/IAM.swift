import AWSSigV4
import Foundation

/// AWS IAM over the Query protocol; global, signed for us-east-1.
public struct IAM: Sendable {
    public let core: AWSClientCore

    public init(core: AWSClientCore) {
        self.core = core
    }

    /// Any IAM action; returns the `<ActionResult>` element.
    public func call(action: String, parameters: AWSQueryParameters = AWSQueryParameters()) async throws -> AWSXMLNode {
        try await core.queryResult(service: .iam, action: action, parameters: parameters)
    }

    public struct Role: Sendable, Hashable {
        public var roleName: String
        public var roleID: String
        public var arn: String
        public var path: String
        /// The trust policy, URL-decoded (IAM returns it percent-encoded).
        public var assumeRolePolicyDocument: String
        public var tags: [AWSTag]

        init(xml: AWSXMLNode) {
            roleName = xml.text("RoleName") ?? ""
            roleID = xml.text("RoleId") ?? ""
            arn = xml.text("Arn") ?? ""
            path = xml.text("Path") ?? "/"
            let document = xml.text("AssumeRolePolicyDocument") ?? ""
            assumeRolePolicyDocument = document.removingPercentEncoding ?? document
            tags = xml["Tags"].items.map { AWSTag($0.text("Key") ?? "", $0.text("Value") ?? "") }
        }

        /// The name and ARN are required: a role recorded without them could not be found again.
        init(decoding xml: AWSXMLNode, action: String) throws {
            self.init(xml: xml)
            try AWSError.require(roleName, field: "RoleName", service: "iam", action: action)
            try AWSError.require(arn, field: "Role Arn", service: "iam", action: action)
        }
    }

    /// `path` like `/netloom/dev/` keeps a stack's roles findable with `listRoles(pathPrefix:)`.
    public func createRole(name: String, path: String = "/", assumeRolePolicyDocument: String, description: String? = nil, tags: [AWSTag] = []) async throws -> Role {
        var parameters: AWSQueryParameters = ["RoleName": name, "Path": path, "AssumeRolePolicyDocument": assumeRolePolicyDocument]
        parameters.set("Description", description)
        parameters.setMemberTags(tags)
        return try Role(decoding: try await call(action: "CreateRole", parameters: parameters)["Role"], action: "CreateRole")
    }

    public func getRole(name: String) async throws -> Role {
        try Role(decoding: try await call(action: "GetRole", parameters: ["RoleName": name])["Role"], action: "GetRole")
    }

    /// Replaces a role's trust policy.
    public func updateAssumeRolePolicy(roleName: String, policyDocument: String) async throws {
        _ = try await call(action: "UpdateAssumeRolePolicy", parameters: ["RoleName": roleName, "PolicyDocument": policyDocument])
    }

    public func deleteRole(name: String) async throws {
        _ = try await call(action: "DeleteRole", parameters: ["RoleName": name])
    }

    /// All roles under a path prefix, following `Marker` while `IsTruncated` is true.
    public func listRoles(pathPrefix: String = "/") async throws -> [Role] {
        try await AWSPaging.collect { marker in
            var parameters: AWSQueryParameters = ["PathPrefix": pathPrefix]
            parameters.set("Marker", marker)
            let result = try await call(action: "ListRoles", parameters: parameters)
            let truncated = result.bool("IsTruncated") ?? false
            return (result["Roles"].items.map(Role.init(xml:)), truncated ? result.text("Marker") : nil)
        }
    }

    public func putRolePolicy(roleName: String, policyName: String, policyDocument: String) async throws {
        _ = try await call(action: "PutRolePolicy", parameters: ["RoleName": roleName, "PolicyName": policyName, "PolicyDocument": policyDocument])
    }

    /// The inline policy document, URL-decoded.
    public func getRolePolicy(roleName: String, policyName: String) async throws -> String {
        let document = try await call(action: "GetRolePolicy", parameters: ["RoleName": roleName, "PolicyName": policyName]).text("PolicyDocument") ?? ""
        return document.removingPercentEncoding ?? document
    }

    public func deleteRolePolicy(roleName: String, policyName: String) async throws {
        _ = try await call(action: "DeleteRolePolicy", parameters: ["RoleName": roleName, "PolicyName": policyName])
    }

    public func listRolePolicies(roleName: String) async throws -> [String] {
        try await AWSPaging.collect { marker in
            var parameters: AWSQueryParameters = ["RoleName": roleName]
            parameters.set("Marker", marker)
            let result = try await call(action: "ListRolePolicies", parameters: parameters)
            return (result["PolicyNames"].items.map(\.text), (result.bool("IsTruncated") ?? false) ? result.text("Marker") : nil)
        }
    }

    public func attachRolePolicy(roleName: String, policyARN: String) async throws {
        _ = try await call(action: "AttachRolePolicy", parameters: ["RoleName": roleName, "PolicyArn": policyARN])
    }

    public func detachRolePolicy(roleName: String, policyARN: String) async throws {
        _ = try await call(action: "DetachRolePolicy", parameters: ["RoleName": roleName, "PolicyArn": policyARN])
    }

    /// ARNs of the managed policies attached to a role.
    public func listAttachedRolePolicies(roleName: String) async throws -> [String] {
        try await AWSPaging.collect { marker in
            var parameters: AWSQueryParameters = ["RoleName": roleName]
            parameters.set("Marker", marker)
            let result = try await call(action: "ListAttachedRolePolicies", parameters: parameters)
            return (result["AttachedPolicies"].items.compactMap { $0.text("PolicyArn") }, (result.bool("IsTruncated") ?? false) ? result.text("Marker") : nil)
        }
    }

    public struct InstanceProfile: Sendable, Hashable {
        public var name: String
        public var arn: String
        public var path: String
        public var roleNames: [String]

        public init(name: String, arn: String, path: String, roleNames: [String]) {
            self.name = name
            self.arn = arn
            self.path = path
            self.roleNames = roleNames
        }

        /// The name and ARN are required: a profile without them cannot be named or used.
        init(decoding xml: AWSXMLNode, action: String) throws {
            name = try AWSError.require(xml.text("InstanceProfileName"), field: "InstanceProfileName", service: "iam", action: action)
            arn = try AWSError.require(xml.text("Arn"), field: "InstanceProfile Arn", service: "iam", action: action)
            path = xml.text("Path") ?? "/"
            roleNames = xml["Roles"].items.compactMap { $0.text("RoleName") }
        }
    }

    public func createInstanceProfile(name: String, path: String = "/", tags: [AWSTag] = []) async throws -> InstanceProfile {
        var parameters: AWSQueryParameters = ["InstanceProfileName": name, "Path": path]
        parameters.setMemberTags(tags)
        return try InstanceProfile(decoding: try await call(action: "CreateInstanceProfile", parameters: parameters)["InstanceProfile"], action: "CreateInstanceProfile")
    }

    public func getInstanceProfile(name: String) async throws -> InstanceProfile {
        try InstanceProfile(decoding: try await call(action: "GetInstanceProfile", parameters: ["InstanceProfileName": name])["InstanceProfile"], action: "GetInstanceProfile")
    }

    /// Every profile under a path prefix (`Marker` paging). moto ignores `PathPrefix` here and
    /// lists them all: callers check `path` themselves.
    public func listInstanceProfiles(pathPrefix: String = "/") async throws -> [InstanceProfile] {
        try await listProfiles(action: "ListInstanceProfiles", parameters: ["PathPrefix": pathPrefix])
    }

    /// The profiles a role is in (IAM refuses to delete a role that is still in one).
    public func listInstanceProfilesForRole(roleName: String) async throws -> [InstanceProfile] {
        try await listProfiles(action: "ListInstanceProfilesForRole", parameters: ["RoleName": roleName])
    }

    private func listProfiles(action: String, parameters: AWSQueryParameters) async throws -> [InstanceProfile] {
        try await AWSPaging.collect { marker in
            var page = parameters
            page.set("Marker", marker)
            let result = try await call(action: action, parameters: page)
            let profiles = try result["InstanceProfiles"].items.map { try InstanceProfile(decoding: $0, action: action) }
            return (profiles, (result.bool("IsTruncated") ?? false) ? result.text("Marker") : nil)
        }
    }

    public func addRoleToInstanceProfile(profileName: String, roleName: String) async throws {
        _ = try await call(action: "AddRoleToInstanceProfile", parameters: ["InstanceProfileName": profileName, "RoleName": roleName])
    }

    public func removeRoleFromInstanceProfile(profileName: String, roleName: String) async throws {
        _ = try await call(action: "RemoveRoleFromInstanceProfile", parameters: ["InstanceProfileName": profileName, "RoleName": roleName])
    }

    public func deleteInstanceProfile(name: String) async throws {
        _ = try await call(action: "DeleteInstanceProfile", parameters: ["InstanceProfileName": name])
    }

    // Users and access keys: not needed by deploys, but by the signature check against moto
    // (and handy for a bootstrap).

    public func createUser(name: String, path: String = "/") async throws {
        _ = try await call(action: "CreateUser", parameters: ["UserName": name, "Path": path])
    }

    public func attachUserPolicy(userName: String, policyARN: String) async throws {
        _ = try await call(action: "AttachUserPolicy", parameters: ["UserName": userName, "PolicyArn": policyARN])
    }

    /// The new key pair; the secret is only ever returned here, so keep it in an
    /// `AWSCredentials` (whose description redacts it).
    public func createAccessKey(userName: String) async throws -> AWSCredentials {
        let key = try await call(action: "CreateAccessKey", parameters: ["UserName": userName])["AccessKey"]
        return AWSCredentials(accessKeyID: try AWSError.require(key.text("AccessKeyId"), field: "AccessKeyId", service: "iam", action: "CreateAccessKey"),
                              secretAccessKey: try AWSError.require(key.text("SecretAccessKey"), field: "SecretAccessKey", service: "iam", action: "CreateAccessKey"))
    }
}
