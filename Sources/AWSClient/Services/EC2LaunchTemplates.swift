/// EC2 launch templates: what an Auto Scaling group launches (image, type, profile, groups,
/// IMDSv2, volumes, instance tags), versioned, with one default version.
extension EC2 {
    public struct LaunchTemplateBlockDevice: Sendable, Hashable {
        public var deviceName: String
        public var volumeSize: Int?
        /// `gp3`, `gp2`, `io2` ...
        public var volumeType: String?
        public var encrypted: Bool?
        public var deleteOnTermination: Bool?

        public init(deviceName: String, volumeSize: Int? = nil, volumeType: String? = nil, encrypted: Bool? = nil, deleteOnTermination: Bool? = nil) {
            self.deviceName = deviceName
            self.volumeSize = volumeSize
            self.volumeType = volumeType
            self.encrypted = encrypted
            self.deleteOnTermination = deleteOnTermination
        }
    }

    /// The tags a launch puts on what it makes: `instance`, `volume`, `network-interface`.
    public struct LaunchTemplateTagSpecification: Sendable, Hashable {
        public var resourceType: String
        public var tags: [AWSTag]

        public init(resourceType: String, tags: [AWSTag]) {
            self.resourceType = resourceType
            self.tags = tags
        }
    }

    /// A launch template version's contents; nil and empty fields are left out.
    public struct LaunchTemplateData: Sendable, Hashable {
        public var imageID: String?
        public var instanceType: String?
        /// Instance profile ARN (`arn:aws:iam::...:instance-profile/...`).
        public var iamInstanceProfileARN: String?
        /// Instance profile name, when no ARN is given.
        public var iamInstanceProfileName: String?
        public var securityGroupIDs: [String]
        /// `required` for IMDSv2 only, `optional` to allow IMDSv1.
        public var httpTokens: String?
        public var httpPutResponseHopLimit: Int?
        public var blockDevices: [LaunchTemplateBlockDevice]
        public var tagSpecifications: [LaunchTemplateTagSpecification]
        /// Base64, as the API wants it.
        public var userData: String?

        public init(imageID: String? = nil, instanceType: String? = nil, iamInstanceProfileARN: String? = nil, iamInstanceProfileName: String? = nil,
                    securityGroupIDs: [String] = [], httpTokens: String? = nil, httpPutResponseHopLimit: Int? = nil,
                    blockDevices: [LaunchTemplateBlockDevice] = [], tagSpecifications: [LaunchTemplateTagSpecification] = [], userData: String? = nil) {
            self.imageID = imageID
            self.instanceType = instanceType
            self.iamInstanceProfileARN = iamInstanceProfileARN
            self.iamInstanceProfileName = iamInstanceProfileName
            self.securityGroupIDs = securityGroupIDs
            self.httpTokens = httpTokens
            self.httpPutResponseHopLimit = httpPutResponseHopLimit
            self.blockDevices = blockDevices
            self.tagSpecifications = tagSpecifications
            self.userData = userData
        }

        /// `LaunchTemplateData.ImageId`, `LaunchTemplateData.SecurityGroupId.1`, ... (the
        /// request's names are capitalised and lists are `Name.N`).
        func write(to parameters: inout AWSQueryParameters, prefix: String = "LaunchTemplateData") {
            parameters.set("\(prefix).ImageId", imageID)
            parameters.set("\(prefix).InstanceType", instanceType)
            parameters.set("\(prefix).IamInstanceProfile.Arn", iamInstanceProfileARN)
            parameters.set("\(prefix).IamInstanceProfile.Name", iamInstanceProfileName)
            parameters.setEC2List("\(prefix).SecurityGroupId", securityGroupIDs)
            parameters.set("\(prefix).MetadataOptions.HttpTokens", httpTokens)
            parameters.set("\(prefix).MetadataOptions.HttpPutResponseHopLimit", httpPutResponseHopLimit)
            for (index, device) in blockDevices.enumerated() {
                let base = "\(prefix).BlockDeviceMapping.\(index + 1)"
                parameters.set("\(base).DeviceName", device.deviceName)
                parameters.set("\(base).Ebs.VolumeSize", device.volumeSize)
                parameters.set("\(base).Ebs.VolumeType", device.volumeType)
                parameters.set("\(base).Ebs.Encrypted", device.encrypted)
                parameters.set("\(base).Ebs.DeleteOnTermination", device.deleteOnTermination)
            }
            for (index, specification) in tagSpecifications.enumerated() {
                let base = "\(prefix).TagSpecification.\(index + 1)"
                parameters.set("\(base).ResourceType", specification.resourceType)
                for (tagIndex, tag) in specification.tags.enumerated() {
                    parameters.set("\(base).Tag.\(tagIndex + 1).Key", tag.key)
                    parameters.set("\(base).Tag.\(tagIndex + 1).Value", tag.value)
                }
            }
            parameters.set("\(prefix).UserData", userData)
        }

        /// From `<launchTemplateData>` (the answer's names are camel-case and lists are
        /// `<item>`s).
        init(xml: AWSXMLNode) {
            imageID = xml.text("imageId")
            instanceType = xml.text("instanceType")
            iamInstanceProfileARN = xml["iamInstanceProfile"].text("arn")
            iamInstanceProfileName = xml["iamInstanceProfile"].text("name")
            securityGroupIDs = xml["securityGroupIdSet"].items.map(\.text)
            httpTokens = xml["metadataOptions"].text("httpTokens")
            httpPutResponseHopLimit = xml["metadataOptions"].int("httpPutResponseHopLimit")
            blockDevices = xml["blockDeviceMappingSet"].items.map { item in
                let ebs = item["ebs"]
                return LaunchTemplateBlockDevice(deviceName: item.text("deviceName") ?? "", volumeSize: ebs.int("volumeSize"), volumeType: ebs.text("volumeType"),
                                                 encrypted: ebs.bool("encrypted"), deleteOnTermination: ebs.bool("deleteOnTermination"))
            }
            tagSpecifications = xml["tagSpecificationSet"].items.map {
                LaunchTemplateTagSpecification(resourceType: $0.text("resourceType") ?? "", tags: $0.ec2Tags)
            }
            userData = xml.text("userData")
        }
    }

    public struct LaunchTemplate: Sendable, Hashable {
        public var id: String
        public var name: String
        public var defaultVersion: Int
        public var latestVersion: Int
        public var tags: [AWSTag]

        init(xml: AWSXMLNode, action: String) throws {
            id = try AWSError.require(xml.text("launchTemplateId"), field: "launchTemplateId", service: "ec2", action: action)
            name = try AWSError.require(xml.text("launchTemplateName"), field: "launchTemplateName", service: "ec2", action: action)
            guard let defaultVersion = xml.int("defaultVersionNumber"), let latestVersion = xml.int("latestVersionNumber") else {
                throw AWSError.missingField("defaultVersionNumber or latestVersionNumber", service: "ec2", action: action)
            }
            self.defaultVersion = defaultVersion
            self.latestVersion = latestVersion
            tags = xml.ec2Tags
        }
    }

    public struct LaunchTemplateVersion: Sendable, Hashable {
        public var templateID: String
        public var templateName: String?
        public var versionNumber: Int
        public var description: String?
        public var isDefault: Bool
        public var data: LaunchTemplateData

        init(xml: AWSXMLNode, action: String) throws {
            templateID = try AWSError.require(xml.text("launchTemplateId"), field: "launchTemplateId", service: "ec2", action: action)
            templateName = xml.text("launchTemplateName")
            guard let versionNumber = xml.int("versionNumber") else {
                throw AWSError.missingField("versionNumber", service: "ec2", action: action)
            }
            self.versionNumber = versionNumber
            description = xml.text("versionDescription")
            isDefault = xml.bool("defaultVersion") ?? false
            data = LaunchTemplateData(xml: xml["launchTemplateData"])
        }
    }

    /// How a call names its template: by id or by name.
    public enum LaunchTemplateSelector: Sendable, Hashable {
        case id(String)
        case name(String)

        func write(to parameters: inout AWSQueryParameters) {
            switch self {
            case .id(let id): parameters.set("LaunchTemplateId", id)
            case .name(let name): parameters.set("LaunchTemplateName", name)
            }
        }
    }

    public struct CreateLaunchTemplateInput: Sendable, Hashable {
        public var name: String
        public var data: LaunchTemplateData
        public var versionDescription: String?
        /// Tags on the template itself (`TagSpecification` of type `launch-template`).
        public var tags: [AWSTag]
        public var clientToken: String?

        public init(name: String, data: LaunchTemplateData, versionDescription: String? = nil, tags: [AWSTag] = [], clientToken: String? = EC2.newClientToken()) {
            self.name = name
            self.data = data
            self.versionDescription = versionDescription
            self.tags = tags
            self.clientToken = clientToken
        }
    }

    public func createLaunchTemplate(_ input: CreateLaunchTemplateInput) async throws -> LaunchTemplate {
        var parameters: AWSQueryParameters = ["LaunchTemplateName": input.name]
        parameters.set("VersionDescription", input.versionDescription)
        parameters.set("ClientToken", input.clientToken)
        input.data.write(to: &parameters)
        parameters.setTagSpecification(resourceType: "launch-template", tags: input.tags)
        let root = try await call(action: "CreateLaunchTemplate", parameters: parameters)
        return try LaunchTemplate(xml: root["launchTemplate"], action: "CreateLaunchTemplate")
    }

    /// A new version with `data`; with `sourceVersion`, the fields `data` leaves out are copied
    /// from that version.
    public func createLaunchTemplateVersion(_ template: LaunchTemplateSelector, data: LaunchTemplateData, sourceVersion: String? = nil,
                                            versionDescription: String? = nil, clientToken: String? = EC2.newClientToken()) async throws -> LaunchTemplateVersion {
        var parameters = AWSQueryParameters()
        template.write(to: &parameters)
        parameters.set("SourceVersion", sourceVersion)
        parameters.set("VersionDescription", versionDescription)
        parameters.set("ClientToken", clientToken)
        data.write(to: &parameters)
        let root = try await call(action: "CreateLaunchTemplateVersion", parameters: parameters)
        return try LaunchTemplateVersion(xml: root["launchTemplateVersion"], action: "CreateLaunchTemplateVersion")
    }

    public func describeLaunchTemplates(ids: [String] = [], names: [String] = [], filters: [AWSFilter] = []) async throws -> [LaunchTemplate] {
        var parameters = AWSQueryParameters()
        parameters.setEC2List("LaunchTemplateName", names)
        return try await describeAll(action: "DescribeLaunchTemplates", setName: "launchTemplates", ids: ids, idParameter: "LaunchTemplateId",
                                     filters: filters, parameters: parameters).map { try LaunchTemplate(xml: $0, action: "DescribeLaunchTemplates") }
    }

    /// Versions of one template: `versions` as numbers, `$Latest` or `$Default`; all when empty.
    public func describeLaunchTemplateVersions(_ template: LaunchTemplateSelector, versions: [String] = []) async throws -> [LaunchTemplateVersion] {
        var parameters = AWSQueryParameters()
        template.write(to: &parameters)
        parameters.setEC2List("LaunchTemplateVersion", versions)
        return try await describeAll(action: "DescribeLaunchTemplateVersions", setName: "launchTemplateVersionSet", parameters: parameters)
            .map { try LaunchTemplateVersion(xml: $0, action: "DescribeLaunchTemplateVersions") }
    }

    /// Makes `defaultVersion` the version launches use when they ask for `$Default`.
    @discardableResult
    public func modifyLaunchTemplate(_ template: LaunchTemplateSelector, defaultVersion: String) async throws -> LaunchTemplate {
        var parameters = AWSQueryParameters()
        template.write(to: &parameters)
        parameters.set("SetDefaultVersion", defaultVersion)
        let root = try await call(action: "ModifyLaunchTemplate", parameters: parameters)
        return try LaunchTemplate(xml: root["launchTemplate"], action: "ModifyLaunchTemplate")
    }

    /// Deletes the template and all its versions.
    public func deleteLaunchTemplate(_ template: LaunchTemplateSelector) async throws {
        var parameters = AWSQueryParameters()
        template.write(to: &parameters)
        _ = try await call(action: "DeleteLaunchTemplate", parameters: parameters)
    }
}
