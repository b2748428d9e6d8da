import AWSClient
import NetloomModel

// EC2 instances, CloudWatch alarms, and Elastic Load Balancing: target groups, load
// balancers, listeners and target registrations.

struct InstanceProvider: ResourceProvider {
    let type = ResourceType.instance
    let replacedOn = ["instance_type": "netloom replaces rather than stops an instance to change its type", "ami": "an instance's AMI is fixed at launch",
                      "subnet": "an instance cannot move to another subnet"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        let reservations = try await context.services.ec2.describeAll(action: "DescribeInstances", setName: "reservationSet", filters: [context.stackFilter])
        let instances = reservations.flatMap { $0["instancesSet"].items }.map { item -> (EC2Instance, [String]) in
            let instance = EC2Instance(xml: item)
            // The instance's groups are its primary interface's. moto leaves the instance-level
            // list empty when the groups were given on the interface (as a public IP requires).
            let primary = item["networkInterfaceSet"].items.first { $0["attachment"].text("deviceIndex") == "0" } ?? item["networkInterfaceSet"].items.first
            let groups = instance.securityGroupIDs.isEmpty ? primary?["groupSet"].items.compactMap { $0.text("groupId") } ?? [] : instance.securityGroupIDs
            return (instance, groups)
        }.filter { !["terminated", "shutting-down"].contains($0.0.state) }
        return ProviderSupport.byAddressTag(instances, stack: context.stack, type: type, id: \.0.instanceID, tags: \.0.tags) { instance, groups in
            ObservedResource(address: "", type: type, awsID: instance.instanceID, properties: [
                "instance_type": .string(instance.instanceType), "ami": .string(instance.imageID), "subnet": .string(instance.subnetID ?? ""),
                "security_groups": ProviderSupport.sortedIDs(groups), "tags": comparableTags(instance.tags),
                "metadata_http_tokens": .string(instance.metadataHTTPTokens ?? "optional"),
                // The profile ARN ends in its path and name; netloom knows profiles by name.
                "instance_profile": .string(instance.instanceProfileARN.map { String($0.split(separator: "/").last ?? "") } ?? ""),
            ], attributes: ["private_ip": instance.privateIPAddress ?? ""])
        }
    }

    /// Whether the instance launched with a public IP is not compared: moto gives every
    /// instance one, and AWS decides by the subnet when none is asked for.
    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["instance_type": .string(desired.string("instance_type")), "ami": .string(desired.string("ami")), "subnet": .string(desired.string("subnet")),
         "security_groups": ProviderSupport.sortedIDs(desired.strings("security_groups")), "tags": desired.tags.propertyMap,
         "metadata_http_tokens": .string(desired.string("metadata_http_tokens").isEmpty ? "optional" : desired.string("metadata_http_tokens")),
         "instance_profile": .string(desired.string("instance_profile"))]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        var parameters: AWSQueryParameters = ["ImageId": desired.string("ami"), "InstanceType": desired.string("instance_type"), "MinCount": "1", "MaxCount": "1"]
        let groups = desired.strings("security_groups")
        if desired.bool("public_ip") {
            // A public address on launch is asked for on the primary interface, which then also
            // carries the subnet and groups.
            parameters.set("NetworkInterface.1.DeviceIndex", "0")
            parameters.set("NetworkInterface.1.SubnetId", desired.string("subnet"))
            parameters.set("NetworkInterface.1.AssociatePublicIpAddress", "true")
            for (index, group) in groups.enumerated() { parameters.set("NetworkInterface.1.SecurityGroupId.\(index + 1)", group) }
        } else {
            parameters.set("SubnetId", desired.string("subnet"))
            parameters.setEC2List("SecurityGroupId", groups)
        }
        if let profile = desired.properties["instance_profile"]?.stringValue { parameters.set("IamInstanceProfile.Name", profile) }
        if let volume = desired.properties["root_volume"]?.mapValue {
            parameters.set("BlockDeviceMapping.1.DeviceName", "/dev/xvda")
            parameters.set("BlockDeviceMapping.1.Ebs.VolumeSize", volume["size_gb"]?.intValue)
            parameters.set("BlockDeviceMapping.1.Ebs.VolumeType", volume["type"]?.stringValue)
            parameters.set("BlockDeviceMapping.1.Ebs.Encrypted", volume["encrypted"]?.boolValue)
        }
        parameters.set("MetadataOptions.HttpTokens", desired.string("metadata_http_tokens"))
        parameters.set("MetadataOptions.HttpEndpoint", "enabled")
        // Tagged in the same call, so an instance never exists without its address.
        parameters.setTagSpecification(resourceType: "instance", tags: desired.tags)
        let root = try await context.services.ec2.call(action: "RunInstances", parameters: parameters)
        guard let instance = root["instancesSet"].items.map(EC2Instance.init(xml:)).first else {
            throw AWSError(kind: .server, service: "ec2", action: "RunInstances", message: "the answer lists no instance")
        }
        try await context.waiter.wait(for: "instance \(instance.instanceID) (\(desired.address))") {
            let state = try await context.services.ec2.describeInstances(ids: [instance.instanceID]).first?.state ?? "pending"
            if state == "terminated" || state == "shutting-down" {
                throw AWSError(kind: .client, service: "ec2", action: "RunInstances", code: "InstanceTerminated", message: "instance \(instance.instanceID) ended while starting")
            }
            return (state == "running", state)
        }
        return ObservedResource(address: desired.address, type: type, awsID: instance.instanceID, properties: comparable(desired),
                                attributes: ["private_ip": instance.privateIPAddress ?? ""])
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        if changed.contains("security_groups") {
            var parameters: AWSQueryParameters = ["InstanceId": observed.awsID]
            parameters.setEC2List("GroupId", desired.strings("security_groups"))
            _ = try await context.services.ec2.call(action: "ModifyInstanceAttribute", parameters: parameters)
        }
        if changed.contains("metadata_http_tokens") {
            _ = try await context.services.ec2.call(action: "ModifyInstanceMetadataOptions", parameters: [
                "InstanceId": observed.awsID, "HttpTokens": desired.string("metadata_http_tokens"), "HttpEndpoint": "enabled",
            ])
        }
        if changed.contains("instance_profile") { try await setInstanceProfile(desired.string("instance_profile"), instance: observed.awsID, context: context) }
        if changed.contains("tags") { try await ProviderSupport.updateEC2Tags(desired, observed: observed, context: context) }
        return updated(observed, to: desired)
    }

    /// An instance holds at most one profile association: replace it, remove it, or make one.
    func setInstanceProfile(_ profile: String, instance: String, context: ProviderContext) async throws {
        let associations = try await context.services.ec2.describeAll(action: "DescribeIamInstanceProfileAssociations", setName: "iamInstanceProfileAssociationSet",
                                                                      filters: [AWSFilter("instance-id", instance), AWSFilter("state", "associated")])
        let current = associations.first?.text("associationId")
        switch (current, profile.isEmpty) {
        case (let association?, false):
            _ = try await context.services.ec2.call(action: "ReplaceIamInstanceProfileAssociation",
                                                    parameters: ["AssociationId": association, "IamInstanceProfile.Name": profile])
        case (let association?, true):
            _ = try await context.services.ec2.call(action: "DisassociateIamInstanceProfile", parameters: ["AssociationId": association])
        case (nil, false):
            _ = try await context.services.ec2.call(action: "AssociateIamInstanceProfile", parameters: ["InstanceId": instance, "IamInstanceProfile.Name": profile])
        case (nil, true):
            break
        }
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.ec2.terminateInstances(ids: [observed.awsID]) }
        // Its groups and subnet can go only once it is gone.
        try await context.waiter.wait(for: "termination of instance \(observed.awsID)") {
            let state = try await context.services.ec2.describeInstances(ids: [observed.awsID]).first?.state ?? "terminated"
            return (state == "terminated", state)
        }
    }
}

struct AlarmProvider: ResourceProvider {
    let type = ResourceType.alarm
    let replacedOn = ["name": "an alarm cannot be renamed"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        let addressByName = scope.addressesByName("name")
        // DescribeAlarms has no tag filter: the stack's name prefix narrows the list, and each
        // candidate's tags (one ListTagsForResource each) say whether the stack owns it; stack
        // `ml` must not take the alarms of stack `ml-x`.
        var owned: [(CloudWatch.MetricAlarm, [AWSTag])] = []
        for alarm in try await context.services.cloudWatch.describeAlarms(namePrefix: DerivedName.stackPrefix(.alarm, stack: context.stack)) {
            guard let arn = alarm.alarmARN else { continue }
            let tags = try await context.services.cloudWatch.listTagsForResource(arn: arn)
            if context.isOwned(tags) { owned.append((alarm, tags)) }
        }
        return owned.map { alarm, tags in
            ObservedResource(address: tags.value(forKey: "netloom:address") ?? addressByName[alarm.alarmName] ?? "alarm:?\(alarm.alarmName)",
                             type: type, awsID: alarm.alarmName, properties: [
                "name": .string(alarm.alarmName), "metric": .string(alarm.metricName), "statistic": .string(alarm.statistic),
                "comparison_operator": .string(alarm.comparisonOperator), "threshold": .string(String(alarm.threshold)), "period_s": .int(alarm.period),
                "evaluation_periods": .int(alarm.evaluationPeriods), "instance": .string(alarm.dimensions["InstanceId"] ?? ""),
            ])
        }
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        let threshold = desired.properties["threshold"].flatMap { value -> Double? in
            if case .double(let number) = value { return number }
            return value.intValue.map(Double.init)
        } ?? 0
        return ["name": .string(desired.string("name")), "metric": .string(desired.string("metric")), "statistic": .string(desired.string("statistic")),
                // As text: the state's JSON would read 80.0 back as the integer 80.
                "comparison_operator": .string(desired.string("comparison_operator")), "threshold": .string(String(threshold)),
                "period_s": .int(desired.int("period_s") ?? 0), "evaluation_periods": .int(desired.int("evaluation_periods") ?? 0),
                "instance": .string(desired.string("instance"))]
    }

    func put(_ desired: DesiredResource, tags: [AWSTag], context: ProviderContext) async throws -> ObservedResource {
        let values = comparable(desired)
        let threshold = Double(values["threshold"]?.stringValue ?? "") ?? 0
        let alarm = CloudWatch.MetricAlarm(alarmName: desired.string("name"), namespace: desired.string("namespace"), metricName: desired.string("metric"),
                                           statistic: desired.string("statistic"), period: desired.int("period_s") ?? 300,
                                           evaluationPeriods: desired.int("evaluation_periods") ?? 1, threshold: threshold,
                                           comparisonOperator: desired.string("comparison_operator"), dimensions: ["InstanceId": desired.string("instance")])
        try await context.services.cloudWatch.putMetricAlarm(alarm, tags: tags)
        return ObservedResource(address: desired.address, type: type, awsID: desired.string("name"), properties: values)
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        try await put(desired, tags: desired.tags, context: context)
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        // PutMetricAlarm replaces the alarm's definition in place (and ignores tags on update).
        try await put(desired, tags: [], context: context)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.cloudWatch.deleteAlarms(names: [observed.awsID]) }
    }
}

extension ProviderContext {
    /// Tags of ELB resources, 20 ARNs per DescribeTags (the API's limit).
    func elbTags(_ arns: [String]) async throws -> [String: [AWSTag]] {
        var tags: [String: [AWSTag]] = [:]
        var start = 0
        while start < arns.count {
            let chunk = Array(arns[start..<min(start + 20, arns.count)])
            start += 20
            tags.merge(try await services.elb.describeTags(resourceARNs: chunk)) { _, new in new }
        }
        return tags
    }

    func stackLoadBalancers() async throws -> [(ELBv2.LoadBalancer, [AWSTag])] {
        try await cache.value("load-balancers") { [self] in
            let prefix = DerivedName.stackPrefix(.loadBalancer, stack: stack)
            let balancers = try await services.elb.describeLoadBalancers().filter { $0.name.hasPrefix(prefix) }
            let tags = try await elbTags(balancers.map(\.arn))
            return balancers.compactMap { balancer in
                let balancerTags = tags[balancer.arn] ?? []
                return balancerTags.value(forKey: "netloom:stack") == stack ? (balancer, balancerTags) : nil
            }
        }
    }

    func stackTargetGroups() async throws -> [(ELBv2.TargetGroup, [AWSTag])] {
        try await cache.value("target-groups") { [self] in
            let prefix = DerivedName.stackPrefix(.targetGroup, stack: stack)
            let groups = try await services.elb.describeTargetGroups().filter { $0.name.hasPrefix(prefix) }
            let tags = try await elbTags(groups.map(\.arn))
            return groups.compactMap { group in
                let groupTags = tags[group.arn] ?? []
                return groupTags.value(forKey: "netloom:stack") == stack ? (group, groupTags) : nil
            }
        }
    }
}

struct TargetGroupProvider: ResourceProvider {
    let type = ResourceType.targetGroup
    let replacedOn = ["name": "a target group cannot be renamed", "port": "a target group's port is fixed", "protocol": "a target group's protocol is fixed",
                      "vpc": "a target group belongs to one VPC"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        ProviderSupport.byAddressTag(try await context.stackTargetGroups(), stack: context.stack, type: type, id: { $0.0.arn }, tags: { $0.1 }) { group, tags in
            ObservedResource(address: "", type: type, awsID: group.arn, properties: [
                "name": .string(group.name), "port": .int(group.port), "protocol": .string(group.targetProtocol), "vpc": .string(group.vpcID),
                "tags": comparableTags(tags),
            ])
        }
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["name": .string(desired.string("name")), "port": .int(desired.int("port") ?? 0), "protocol": .string(desired.string("protocol")),
         "vpc": .string(desired.string("vpc")), "tags": desired.tags.propertyMap]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let health = desired.properties["health"]?.mapValue ?? [:]
        var parameters: AWSQueryParameters = ["Name": desired.string("name"), "Protocol": desired.string("protocol"), "Port": String(desired.int("port") ?? 80),
                                              "VpcId": desired.string("vpc"), "TargetType": desired.string("target_type")]
        parameters.set("HealthCheckPath", health["path"]?.stringValue)
        parameters.set("HealthCheckPort", health["port"]?.intValue.map(String.init))
        parameters.set("HealthCheckIntervalSeconds", health["interval_s"]?.intValue)
        parameters.setMemberTags(desired.tags)
        // CreateTargetGroup is idempotent by name with identical settings: a rerun gets the same ARN.
        let result = try await context.services.elb.call(action: "CreateTargetGroup", parameters: parameters)
        let arn = result["TargetGroups"].items.first?.text("TargetGroupArn") ?? ""
        return ObservedResource(address: desired.address, type: type, awsID: arn, properties: comparable(desired))
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        try await context.services.elb.addTags(resourceARNs: [observed.awsID], tags: desired.tags)
        return ObservedResource(address: desired.address, type: type, awsID: observed.awsID, properties: comparable(desired))
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.elb.deleteTargetGroup(arn: observed.awsID) }
    }
}

struct LoadBalancerProvider: ResourceProvider {
    let type = ResourceType.loadBalancer
    let replacedOn = ["name": "a load balancer cannot be renamed", "type": "a load balancer's type is fixed", "scheme": "a load balancer's scheme is fixed"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        ProviderSupport.byAddressTag(try await context.stackLoadBalancers(), stack: context.stack, type: type, id: { $0.0.arn }, tags: { $0.1 }) { balancer, tags in
            ObservedResource(address: "", type: type, awsID: balancer.arn, properties: [
                "name": .string(balancer.name), "type": .string(balancer.type), "scheme": .string(balancer.scheme),
                "subnets": ProviderSupport.sortedIDs(balancer.subnetIDs), "security_groups": ProviderSupport.sortedIDs(balancer.securityGroupIDs),
                "tags": comparableTags(tags),
            ], attributes: ["dns_name": balancer.dnsName])
        }
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["name": .string(desired.string("name")), "type": .string(desired.string("type")), "scheme": .string(desired.string("scheme")),
         "subnets": ProviderSupport.sortedIDs(desired.strings("subnets")), "security_groups": ProviderSupport.sortedIDs(desired.strings("security_groups")),
         "tags": desired.tags.propertyMap]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        // CreateLoadBalancer is idempotent by name with identical settings, and takes tags.
        let balancer = try await context.services.elb.createLoadBalancer(
            name: desired.string("name"), type: desired.string("type"), scheme: desired.string("scheme"), subnetIDs: desired.strings("subnets"),
            securityGroupIDs: desired.string("type") == "network" ? [] : desired.strings("security_groups"), tags: desired.tags)
        try await context.waiter.wait(for: "load balancer \(desired.string("name")) (\(desired.address))") {
            let state = try await context.services.elb.describeLoadBalancers(arns: [balancer.arn]).first?.state ?? "provisioning"
            if state == "failed" {
                throw AWSError(kind: .client, service: "elasticloadbalancing", action: "CreateLoadBalancer", code: "LoadBalancerFailed", message: "the load balancer failed to provision")
            }
            return (state == "active", state)
        }
        return ObservedResource(address: desired.address, type: type, awsID: balancer.arn, properties: comparable(desired), attributes: ["dns_name": balancer.dnsName])
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        if changed.contains("subnets") {
            var parameters: AWSQueryParameters = ["LoadBalancerArn": observed.awsID]
            parameters.setMemberList("Subnets", desired.strings("subnets"))
            _ = try await context.services.elb.call(action: "SetSubnets", parameters: parameters)
        }
        if changed.contains("security_groups") {
            var parameters: AWSQueryParameters = ["LoadBalancerArn": observed.awsID]
            parameters.setMemberList("SecurityGroups", desired.strings("security_groups"))
            _ = try await context.services.elb.call(action: "SetSecurityGroups", parameters: parameters)
        }
        if changed.contains("tags") { try await context.services.elb.addTags(resourceARNs: [observed.awsID], tags: desired.tags) }
        return updated(observed, to: desired)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.elb.deleteLoadBalancer(arn: observed.awsID) }
    }
}

/// A listener: one per load balancer and port; its id is its ARN.
struct ListenerProvider: ResourceProvider {
    let type = ResourceType.listener
    let readsAfterParents = true
    let replacedOn = ["load_balancer": "a listener belongs to one load balancer", "port": "netloom identifies a listener by its port"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        var items: [(identity: String, observed: ObservedResource)] = []
        for (balancer, _) in try await context.stackLoadBalancers() {
            for listener in try await context.services.elb.describeListeners(loadBalancerARN: balancer.arn) {
                items.append(("\(balancer.arn)|\(listener.port)", ObservedResource(address: "", type: type, awsID: listener.arn, properties: [
                    "load_balancer": .string(balancer.arn), "port": .int(listener.port), "protocol": .string(listener.listenerProtocol),
                    "forward": .string(listener.defaultTargetGroupARNs.first ?? ""),
                ])))
            }
        }
        return ProviderSupport.matchByIdentity(items, desired: scope.desired, identity: { "\($0.string("load_balancer"))|\($0.int("port") ?? 0)" },
                                               state: scope.state, unmanagedAddress: { "listener:unmanaged/\($0.awsID)" })
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["load_balancer": .string(desired.string("load_balancer")), "port": .int(desired.int("port") ?? 0), "protocol": .string(desired.string("protocol")),
         "forward": .string(desired.string("forward"))]
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let listener = try await context.services.elb.createListener(loadBalancerARN: desired.string("load_balancer"), listenerProtocol: desired.string("protocol"),
                                                                     port: desired.int("port") ?? 80, forwardTo: desired.string("forward"),
                                                                     certificateARN: desired.properties["certificate_arn"]?.stringValue, tags: desired.tags)
        return ObservedResource(address: desired.address, type: type, awsID: listener.arn, properties: comparable(desired))
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        _ = try await context.services.elb.call(action: "ModifyListener", parameters: [
            "ListenerArn": observed.awsID, "Protocol": desired.string("protocol"), "Port": String(desired.int("port") ?? 80),
            "DefaultActions.member.1.Type": "forward", "DefaultActions.member.1.TargetGroupArn": desired.string("forward"),
        ])
        return ObservedResource(address: desired.address, type: type, awsID: observed.awsID, properties: comparable(desired))
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.elb.deleteListener(arn: observed.awsID) }
    }
}

/// An instance registered in a target group; its id is `target group ARN|instance id`.
struct TargetGroupAttachmentProvider: ResourceProvider {
    let type = ResourceType.targetGroupAttachment
    let readsAfterParents = true
    let replacedOn = ["port": "a registration's port is fixed"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        var items: [(identity: String, observed: ObservedResource)] = []
        for (group, _) in try await context.stackTargetGroups() {
            let result = try await context.services.elb.call(action: "DescribeTargetHealth", parameters: ["TargetGroupArn": group.arn])
            for description in result["TargetHealthDescriptions"].items {
                let target = description["Target"]
                guard let instance = target.text("Id") else { continue }
                let id = "\(group.arn)|\(instance)"
                items.append((id, ObservedResource(address: "", type: type, awsID: id, properties: ["port": .int(target.int("Port") ?? group.port)])))
            }
        }
        return ProviderSupport.matchByIdentity(items, desired: scope.desired, identity: { "\($0.string("target_group"))|\($0.string("instance"))" },
                                               state: scope.state, unmanagedAddress: { "target_group_attachment:unmanaged/\($0.awsID)" })
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] { ["port": .int(desired.int("port") ?? 0)] }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        try await context.services.elb.registerTargets(targetGroupARN: desired.string("target_group"),
                                                       targets: [ELBv2.Target(id: desired.string("instance"), port: desired.int("port"))])
        return ObservedResource(address: desired.address, type: type, awsID: "\(desired.string("target_group"))|\(desired.string("instance"))",
                                properties: comparable(desired))
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        let parts = observed.awsID.split(separator: "|", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return }
        try await ProviderSupport.ignoringNotFound {
            try await context.services.elb.deregisterTargets(targetGroupARN: parts[0], targets: [ELBv2.Target(id: parts[1])])
        }
    }
}

extension InstanceProvider {
    /// An `ssm:PATH` AMI is the value of that SSM parameter (AWS's latest Amazon Linux, say),
    /// looked up once per run for every instance that names it.
    func resolveParameters(of resources: [Resource], context: ProviderContext) async throws -> [String: String] {
        var values: [String: String] = [:]
        for resource in resources {
            guard let ami = resource.properties["ami"]?.stringValue, ami.hasPrefix("ssm:"), values[ami] == nil else { continue }
            values[ami] = try await context.services.ssm.getParameter(name: String(ami.dropFirst(4))).value
        }
        return values
    }
}
