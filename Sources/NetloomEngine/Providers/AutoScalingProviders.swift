import AWSClient
import NetloomModel

// Auto Scaling: the launch template a group launches from, the group, and its target-tracking
// policy.

/// The device name of the root volume the template sizes: Amazon Linux's, as for instances.
let launchTemplateRootDevice = "/dev/xvda"

/// The hint every change to what a group launches ends with: AWS applies it to new instances
/// only, and replacing the running ones is the user's call.
func instanceRefreshHint(group: String) -> String {
    "instances running now keep their settings; to replace them, start an instance refresh: aws autoscaling start-instance-refresh --auto-scaling-group-name \(group)"
}

struct LaunchTemplateProvider: ResourceProvider {
    let type = ResourceType.launchTemplate
    let replacedOn = ["name": "a launch template cannot be renamed"]

    /// The fields a new template version carries; tags and the name are the template's own.
    static let versionFields: Set<String> = ["instance_type", "ami", "security_groups", "instance_profile", "metadata_http_tokens", "root_volume", "instance_tags"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        let ec2 = context.services.ec2
        let templates = try await ec2.describeLaunchTemplates(filters: [context.stackFilter])
            + context.adopted("lt-") { try await ec2.describeLaunchTemplates(ids: $0) }
        let owned = ProviderSupport.byAddressTag(templates, stack: context.stack, adoption: context.adoption, type: type, id: \.id, tags: \.tags) { template in
            ObservedResource(address: "", type: type, awsID: template.id, properties: ["name": .string(template.name), "tags": comparableTags(template.tags)],
                             attributes: ["latest_version": String(template.latestVersion), "default_version": String(template.defaultVersion)])
        }
        // What the group launches is the latest version: one call per template of the stack.
        return try await owned.asyncMap { item in
            guard !item.isUnmanaged, let latest = try await ec2.describeLaunchTemplateVersions(.id(item.awsID), versions: ["$Latest"]).first else { return item }
            var result = item
            result.properties.merge(Self.properties(of: latest.data)) { _, new in new }
            return result
        }
    }

    static func properties(of data: EC2.LaunchTemplateData) -> [String: PropertyValue] {
        let root = data.blockDevices.first { $0.deviceName == launchTemplateRootDevice } ?? data.blockDevices.first
        var volume: [String: PropertyValue] = [:]
        if let size = root?.volumeSize { volume["size_gb"] = .int(size) }
        if let type = root?.volumeType { volume["type"] = .string(type) }
        volume["encrypted"] = .bool(root?.encrypted ?? false)
        let instanceTags = data.tagSpecifications.first { $0.resourceType == "instance" }?.tags ?? []
        // A profile given by name may come back as its ARN, which ends in its path and name.
        let profile = data.iamInstanceProfileName ?? data.iamInstanceProfileARN.map { String($0.split(separator: "/").last ?? "") } ?? ""
        return ["instance_type": .string(data.instanceType ?? ""), "ami": .string(data.imageID ?? ""),
                "security_groups": ProviderSupport.sortedIDs(data.securityGroupIDs), "instance_profile": .string(profile),
                "metadata_http_tokens": .string(data.httpTokens ?? "optional"), "root_volume": .map(volume), "instance_tags": comparableTags(instanceTags)]
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        let volume = desired.properties["root_volume"]?.mapValue ?? [:]
        var root: [String: PropertyValue] = ["encrypted": .bool(volume["encrypted"]?.boolValue ?? false)]
        if let size = volume["size_gb"]?.intValue { root["size_gb"] = .int(size) }
        if let type = volume["type"]?.stringValue { root["type"] = .string(type) }
        return ["name": .string(desired.string("name")), "tags": desired.tags.propertyMap,
                "instance_type": .string(desired.string("instance_type")), "ami": .string(desired.string("ami")),
                "security_groups": ProviderSupport.sortedIDs(desired.strings("security_groups")), "instance_profile": .string(desired.string("instance_profile")),
                "metadata_http_tokens": .string(desired.string("metadata_http_tokens").isEmpty ? "optional" : desired.string("metadata_http_tokens")),
                "root_volume": .map(root), "instance_tags": Self.instanceTags(desired).propertyMap]
    }

    static func instanceTags(_ desired: DesiredResource) -> [AWSTag] {
        (desired.properties["instance_tags"]?.mapValue ?? [:]).compactMap { key, value in value.stringValue.map { AWSTag(key, $0) } }.sorted()
    }

    /// The version's contents: instances and their volumes get the instance tags.
    static func data(_ desired: DesiredResource) -> EC2.LaunchTemplateData {
        let volume = desired.properties["root_volume"]?.mapValue
        let tags = instanceTags(desired)
        let profile = desired.string("instance_profile")
        let tokens = desired.string("metadata_http_tokens")
        return EC2.LaunchTemplateData(
            imageID: desired.string("ami"), instanceType: desired.string("instance_type"), iamInstanceProfileName: profile.isEmpty ? nil : profile,
            securityGroupIDs: desired.strings("security_groups"), httpTokens: tokens.isEmpty ? nil : tokens,
            blockDevices: volume.map { [EC2.LaunchTemplateBlockDevice(deviceName: launchTemplateRootDevice, volumeSize: $0["size_gb"]?.intValue, volumeType: $0["type"]?.stringValue,
                                                                      encrypted: $0["encrypted"]?.boolValue, deleteOnTermination: true)] } ?? [],
            tagSpecifications: tags.isEmpty ? [] : [.init(resourceType: "instance", tags: tags), .init(resourceType: "volume", tags: tags)])
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        // Tagged in the same call: a template whose answer was lost is found again by its tag
        // (and a second CreateLaunchTemplate with its name is refused, so there is never two).
        let template = try await context.services.ec2.createLaunchTemplate(.init(name: desired.string("name"), data: Self.data(desired),
                                                                                 versionDescription: "netloom", tags: desired.tags))
        return ObservedResource(address: desired.address, type: type, awsID: template.id, properties: comparable(desired),
                                attributes: ["latest_version": String(template.latestVersion), "default_version": String(template.defaultVersion)])
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        var result = updated(observed, to: desired)
        if !changed.isDisjoint(with: Self.versionFields) {
            // A new version with every field (not a copy of the old one with some changed), made
            // the default too, so `$Default` and `$Latest` agree; the group launches `$Latest`.
            let version = try await context.services.ec2.createLaunchTemplateVersion(.id(observed.awsID), data: Self.data(desired), versionDescription: "netloom")
            try await context.services.ec2.modifyLaunchTemplate(.id(observed.awsID), defaultVersion: String(version.versionNumber))
            result.attributes["latest_version"] = String(version.versionNumber)
            result.attributes["default_version"] = String(version.versionNumber)
        }
        if changed.contains("tags") { try await ProviderSupport.updateEC2Tags(desired, observed: observed, context: context) }
        return result
    }

    func updateNote(_ desired: DesiredResource, changed: Set<String>) -> String? {
        guard !changed.isDisjoint(with: Self.versionFields) else { return nil }
        return "a new launch template version, which the group launches from now on; " + instanceRefreshHint(group: desired.string("autoscaling_group_name"))
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.ec2.deleteLaunchTemplate(.id(observed.awsID)) }
    }

    /// An `ssm:PATH` AMI is looked up as for instances.
    func resolveParameters(of resources: [Resource], context: ProviderContext) async throws -> [String: String] {
        try await InstanceProvider().resolveParameters(of: resources, context: context)
    }
}

extension ProviderContext {
    /// The stack's Auto Scaling groups: a `tag:netloom:stack` filtered describe (all pages),
    /// kept only where the answer shows the tag.
    func stackAutoScalingGroups() async throws -> [AutoScaling.Group] {
        try await cache.value("autoscaling-groups") { [self] in
            try await services.autoScaling.describeAutoScalingGroups(filters: [AWSFilter("tag:netloom:stack", stack)])
                .filter { group in belongs(group.tags.map { AWSTag($0.key, $0.value) }, id: group.name) }
        }
    }
}

struct AutoScalingGroupProvider: ResourceProvider {
    let type = ResourceType.autoScalingGroup
    let replacedOn = ["name": "an Auto Scaling group cannot be renamed"]
    /// The version of the template a group launches: the latest, so a new version needs no
    /// change to the group.
    static let templateVersion = "$Latest"

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        ProviderSupport.byAddressTag(try await context.stackAutoScalingGroups(), stack: context.stack, adoption: context.adoption, type: type, id: \.name,
                                     tags: { $0.tags.map { AWSTag($0.key, $0.value) } }) { group in
            ObservedResource(address: "", type: type, awsID: group.name, properties: [
                "name": .string(group.name), "launch_template": .string(group.launchTemplate?.id ?? ""),
                "launch_template_version": .string(group.launchTemplate?.version ?? ""), "min": .int(group.minSize), "max": .int(group.maxSize),
                "subnets": ProviderSupport.sortedIDs(group.subnetIDs), "target_groups": ProviderSupport.sortedIDs(group.targetGroupARNs),
                "health_check_type": .string(group.healthCheckType ?? "EC2"), "health_check_grace_s": .int(group.healthCheckGracePeriod ?? 0),
                "tags": comparableTags(group.tags.map { AWSTag($0.key, $0.value) }),
            ], attributes: Self.attributes(group))
        }
    }

    /// The group's instances now, its size and ARN: `output` prints the ids, and the target
    /// group registrations read leaves the group's instances to it.
    static func attributes(_ group: AutoScaling.Group) -> [String: String] {
        ["instance_ids": group.instances.map(\.instanceID).sorted().joined(separator: ","), "desired": String(group.desiredCapacity), "arn": group.arn ?? ""]
    }

    /// `desired` is not compared: it is set at creation, then belongs to scaling (a policy or a
    /// person); a plan that reset it would undo every scale-out.
    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["name": .string(desired.string("name")), "launch_template": .string(desired.string("launch_template")),
         "launch_template_version": .string(Self.templateVersion), "min": .int(desired.int("min") ?? 0), "max": .int(desired.int("max") ?? 0),
         "subnets": ProviderSupport.sortedIDs(desired.strings("subnets")), "target_groups": ProviderSupport.sortedIDs(desired.strings("target_groups")),
         "health_check_type": .string(desired.string("health_check_type")), "health_check_grace_s": .int(desired.int("health_check_grace_s") ?? 0),
         "tags": desired.tags.propertyMap]
    }

    /// The group's tags stay on the group: its instances get theirs from the launch template,
    /// without netloom's, so no read ever takes one of them for a resource of the stack.
    static func groupTags(_ desired: DesiredResource) -> [AutoScaling.Tag] {
        desired.tags.map { AutoScaling.Tag($0.key, $0.value, propagateAtLaunch: false) }
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let name = desired.string("name")
        // Tagged in the same call. A retry after a lost answer is refused (AlreadyExists), and
        // the engine then reads the groups again and finds this one by its tag.
        let input = AutoScaling.CreateGroupInput(
            name: name, launchTemplate: .init(id: desired.string("launch_template"), version: Self.templateVersion),
            minSize: desired.int("min") ?? 0, maxSize: desired.int("max") ?? 0, desiredCapacity: desired.int("desired"),
            subnetIDs: desired.strings("subnets"), targetGroupARNs: desired.strings("target_groups"), healthCheckType: desired.string("health_check_type"),
            healthCheckGracePeriod: desired.int("health_check_grace_s"), tags: Self.groupTags(desired))
        // AWS checks the template's instance profile when the group is made, and IAM is
        // eventually consistent: a profile made seconds ago can be refused as invalid. That
        // answer is waited out (through the engine's clock, with progress); any other is not.
        try await context.waiter.wait(for: "auto scaling group \(name) (\(desired.address)): its instance profile to be visible") {
            do {
                try await context.services.autoScaling.createAutoScalingGroup(input)
                return (true, "created")
            } catch let error as AWSError where Self.isProfileNotYetVisible(error) {
                return (false, "instance profile not yet visible to Auto Scaling")
            }
        }
        let group = try await context.services.autoScaling.describeAutoScalingGroups(names: [name]).first
        return ObservedResource(address: desired.address, type: type, awsID: name, properties: comparable(desired),
                                attributes: group.map(Self.attributes) ?? [:])
    }

    /// `ValidationError: ... Value (...) for parameter iamInstanceProfile.name is invalid. Invalid
    /// IAM Instance Profile name`, as AWS answers while a new profile propagates.
    static func isProfileNotYetVisible(_ error: AWSError) -> Bool {
        let message = error.message.lowercased()
        return error.code == "ValidationError" && (message.contains("iaminstanceprofile") || message.contains("instance profile"))
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        let autoScaling = context.services.autoScaling, name = observed.awsID
        let settings: Set<String> = ["launch_template", "launch_template_version", "min", "max", "subnets", "health_check_type", "health_check_grace_s"]
        if !changed.isDisjoint(with: settings) {
            // DesiredCapacity is left out: AWS moves it into the new min..max only when it falls outside.
            try await autoScaling.updateAutoScalingGroup(.init(
                name: name,
                launchTemplate: changed.contains("launch_template") || changed.contains("launch_template_version")
                    ? .init(id: desired.string("launch_template"), version: Self.templateVersion) : nil,
                minSize: changed.contains("min") ? desired.int("min") : nil, maxSize: changed.contains("max") ? desired.int("max") : nil,
                subnetIDs: changed.contains("subnets") ? desired.strings("subnets") : nil,
                healthCheckType: changed.contains("health_check_type") ? desired.string("health_check_type") : nil,
                healthCheckGracePeriod: changed.contains("health_check_grace_s") ? desired.int("health_check_grace_s") : nil))
        }
        if changed.contains("target_groups") {
            let want = Set(desired.strings("target_groups")), have = Set(observed.properties["target_groups"]?.listValue?.compactMap(\.stringValue) ?? [])
            if !want.subtracting(have).isEmpty { try await autoScaling.attachLoadBalancerTargetGroups(groupName: name, targetGroupARNs: want.subtracting(have).sorted()) }
            if !have.subtracting(want).isEmpty { try await autoScaling.detachLoadBalancerTargetGroups(groupName: name, targetGroupARNs: have.subtracting(want).sorted()) }
        }
        if changed.contains("tags") {
            let have = observed.properties["tags"]?.mapValue ?? [:]
            try await autoScaling.createOrUpdateTags(groupName: name, tags: Self.groupTags(desired).filter { have[$0.key]?.stringValue != $0.value })
            let wanted = Set(desired.tags.map(\.key))
            try await autoScaling.deleteTags(groupName: name, keys: have.keys.filter { !wanted.contains($0) && !$0.hasPrefix("aws:") }.sorted())
        }
        var result = updated(observed, to: desired)
        if let group = try await autoScaling.describeAutoScalingGroups(names: [name]).first { result.attributes = Self.attributes(group) }
        return result
    }

    func updateNote(_ desired: DesiredResource, changed: Set<String>) -> String? {
        changed.contains("launch_template") ? "the group now launches another launch template; " + instanceRefreshHint(group: desired.string("name")) : nil
    }

    /// A forced delete terminates the instances with the group; the group's subnets and
    /// security groups can go only when they are gone, so the delete waits for that.
    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        let autoScaling = context.services.autoScaling, name = observed.awsID
        try await ProviderSupport.ignoringNotFound { try await autoScaling.deleteAutoScalingGroup(name: name, forceDelete: true) }
        var instanceIDs = Set((observed.attributes["instance_ids"] ?? "").split(separator: ",").map(String.init))
        try await context.waiter.wait(for: "deletion of auto scaling group \(name)") {
            if let group = try await autoScaling.describeAutoScalingGroups(names: [name]).first {
                instanceIDs.formUnion(group.instances.map(\.instanceID))
                return (false, "\(group.status ?? "deleting"), \(group.instances.count) instance\(group.instances.count == 1 ? "" : "s") left")
            }
            guard !instanceIDs.isEmpty else { return (true, "deleted") }
            // moto drops the group at once and terminates its instances with it; AWS lists the
            // group (`Delete in progress`) until they are gone. Either way the instances decide.
            // An instance terminated long enough ago is no longer listed: AWS then answers
            // InvalidInstanceID.NotFound, which means gone too.
            let running: [EC2Instance]
            do {
                running = try await context.services.ec2.describeInstances(ids: instanceIDs.sorted()).filter { $0.state != "terminated" }
            } catch let error as AWSError where error.isNotFound {
                running = []
            }
            return (running.isEmpty, running.isEmpty ? "deleted, instances terminated" : "\(running.count) instance\(running.count == 1 ? "" : "s") terminating")
        }
    }
}

/// A group's target-tracking policy; its id is `group name|policy name`.
struct ScalingPolicyProvider: ResourceProvider {
    let type = ResourceType.scalingPolicy
    let readsAfterParents = true
    let replacedOn = ["group": "a policy belongs to one group", "name": "netloom identifies a policy by its name"]
    /// Policies of the stack's groups netloom names; others (a person's step or scheduled
    /// policy) are left alone rather than reported as added outside netloom.
    static let namePrefix = "netloom-"

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        var items: [(identity: String, observed: ObservedResource)] = []
        for group in try await context.stackAutoScalingGroups() {
            for policy in try await context.services.autoScaling.describePolicies(groupName: group.name) where policy.name.hasPrefix(Self.namePrefix) {
                let id = CompositeID(group.name, policy.name).description
                items.append((id, ObservedResource(address: "", type: type, awsID: id, properties: [
                    "group": .string(group.name), "name": .string(policy.name), "metric": .string(policy.targetTracking?.metric.type ?? policy.policyType ?? ""),
                    "target": .string(policy.targetTracking.map { Self.number($0.targetValue) } ?? ""),
                    "resource_label": .string(policy.targetTracking?.metric.resourceLabel ?? ""),
                ], attributes: ["arn": policy.arn])))
            }
        }
        return ProviderSupport.matchByIdentity(items, desired: scope.desired, identity: { CompositeID($0.string("group"), $0.string("name")).description },
                                               state: scope.state)
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["group": .string(desired.string("group")), "name": .string(desired.string("name")), "metric": .string(desired.string("metric")),
         "target": .string(Self.number(Self.target(desired))), "resource_label": .string(Self.resourceLabel(desired))]
    }

    static func target(_ desired: DesiredResource) -> Double {
        switch desired.properties["target"] {
        case .double(let value)?: value
        case let value?: value.intValue.map(Double.init) ?? Double(value.stringValue ?? "") ?? 0
        case nil: 0
        }
    }

    /// As text, `60` rather than `60.0`: the state's JSON would read 60.0 back as an integer.
    static func number(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// `app/<lb name>/<lb id>/targetgroup/<tg name>/<tg id>`, from the two ARNs
    /// (`...:loadbalancer/app/...` and `...:targetgroup/...`); empty for a CPU policy.
    static func resourceLabel(_ desired: DesiredResource) -> String {
        guard desired.string("metric") == "ALBRequestCountPerTarget" else { return "" }
        let balancer = desired.string("load_balancer"), group = desired.string("target_group")
        guard balancer != DesiredResource.unknownID, group != DesiredResource.unknownID,
              let balancerPart = balancer.components(separatedBy: ":loadbalancer/").last, let groupPart = group.split(separator: ":").last else {
            return DesiredResource.unknownID
        }
        return "\(balancerPart)/\(groupPart)"
    }

    func put(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let label = Self.resourceLabel(desired)
        let metric: AutoScaling.PredefinedMetric = desired.string("metric") == "ALBRequestCountPerTarget"
            ? .albRequestCountPerTarget(resourceLabel: label) : .averageCPUUtilization
        // PutScalingPolicy creates or replaces by group and name, so a retry is harmless. moto
        // 5.2.1 answers without the PolicyARN AWS returns; the policy's id here is its group and
        // name, and a read gets the ARN from DescribePolicies.
        _ = try await context.services.autoScaling.putTargetTrackingPolicy(groupName: desired.string("group"), policyName: desired.string("name"),
                                                                           .init(metric: metric, targetValue: Self.target(desired)))
        return ObservedResource(address: desired.address, type: type, awsID: CompositeID(desired.string("group"), desired.string("name")).description,
                                properties: comparable(desired))
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource { try await put(desired, context: context) }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        try await put(desired, context: context)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        let parts = CompositeID(parsing: observed.awsID, maximumParts: 2).parts
        guard parts.count == 2 else { return }
        try await ProviderSupport.ignoringNotFound { try await context.services.autoScaling.deletePolicy(groupName: parts[0], policyName: parts[1]) }
    }
}
