import AWSClient
import NetloomModel

// EC2 instances, CloudWatch alarms, and Elastic Load Balancing: target groups, load
// balancers, listeners and target registrations.

struct InstanceProvider: ResourceProvider {
    let type = ResourceType.instance
    let replacedOn = ["instance_type": "netloom replaces rather than stops an instance to change its type", "ami": "an instance's AMI is fixed at launch",
                      "subnet": "an instance cannot move to another subnet"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        let instances = try await (context.services.ec2.describeInstances(filters: [context.stackFilter]) + context.adopted("i-") { try await context.services.ec2.describeInstances(ids: $0) })
            .filter { !["terminated", "shutting-down"].contains($0.state) }
            // An Auto Scaling group's instance is the group's (AWS tags it with the group's
            // name): never an instance of the stack's to adopt, replace or delete.
            .filter { $0.tags.value(forKey: "aws:autoscaling:groupName") == nil }
        return ProviderSupport.byAddressTag(instances, stack: context.stack, adoption: context.adoption, type: type, id: \.instanceID, tags: \.tags) { instance in
            ObservedResource(address: "", type: type, awsID: instance.instanceID, properties: [
                "instance_type": .string(instance.instanceType), "ami": .string(instance.imageID), "subnet": .string(instance.subnetID ?? ""),
                "security_groups": ProviderSupport.sortedIDs(instance.effectiveSecurityGroupIDs), "tags": comparableTags(instance.tags),
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
        let volume = desired.properties["root_volume"]?.mapValue
        let tokens = desired.string("metadata_http_tokens")
        // A public address on launch is asked for on the primary interface, which then also
        // carries the subnet and groups (the request type writes it so). Tagged in the same
        // call, so an instance never exists without its address.
        let request = EC2.RunInstancesRequest(
            imageID: desired.string("ami"), instanceType: desired.string("instance_type"), subnetID: desired.string("subnet"),
            securityGroupIDs: desired.strings("security_groups"), associatePublicIPAddress: desired.bool("public_ip"),
            instanceProfileName: desired.properties["instance_profile"]?.stringValue,
            rootVolume: volume.map { EC2.RunInstancesRequest.Volume(sizeGB: $0["size_gb"]?.intValue, volumeType: $0["type"]?.stringValue, encrypted: $0["encrypted"]?.boolValue) },
            metadataHTTPTokens: tokens.isEmpty ? nil : tokens, metadataHTTPEndpoint: "enabled", tags: desired.tags)
        // The client requires the instance id in the answer (an `.invalidAnswer` error otherwise).
        let instance = try await context.services.ec2.runInstances(request)[0]
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
            try await context.services.ec2.modifyInstanceSecurityGroups(instanceID: observed.awsID, groupIDs: desired.strings("security_groups"))
        }
        if changed.contains("metadata_http_tokens") {
            try await context.services.ec2.modifyInstanceMetadataOptions(instanceID: observed.awsID, httpTokens: desired.string("metadata_http_tokens"))
        }
        if changed.contains("instance_profile") { try await setInstanceProfile(desired.string("instance_profile"), instance: observed.awsID, context: context) }
        if changed.contains("tags") { try await ProviderSupport.updateEC2Tags(desired, observed: observed, context: context) }
        return updated(observed, to: desired)
    }

    /// An instance holds at most one profile association: replace it, remove it, or make one.
    func setInstanceProfile(_ profile: String, instance: String, context: ProviderContext) async throws {
        let associations = try await context.services.ec2.describeIamInstanceProfileAssociations(filters: [AWSFilter("instance-id", instance), AWSFilter("state", "associated")])
        let ec2 = context.services.ec2
        switch (associations.first?.associationID, profile.isEmpty) {
        case (let association?, false):
            try await ec2.replaceIamInstanceProfileAssociation(associationID: association, profileName: profile)
        case (let association?, true):
            try await ec2.disassociateIamInstanceProfile(associationID: association)
        case (nil, false):
            try await ec2.associateIamInstanceProfile(instanceID: instance, profileName: profile)
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
            ObservedResource(address: tags.value(forKey: "netloom:address") ?? addressByName[alarm.alarmName] ?? FoundAddress.named(.alarm, name: alarm.alarmName),
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

    /// The stack's load balancers: those named like its derived names, or with a name the spec
    /// gives (`aws_name`), that carry its tag (or are being adopted). Only those pay a DescribeTags.
    func stackLoadBalancers(alsoNamed names: Set<String> = []) async throws -> [(ELBv2.LoadBalancer, [AWSTag])] {
        try await cache.value(CompositeID(["load-balancers"] + names.sorted()).description) { [self] in
            let prefix = DerivedName.stackPrefix(.loadBalancer, stack: stack)
            let balancers = try await services.elb.describeLoadBalancers().filter { $0.name.hasPrefix(prefix) || names.contains($0.name) || adoption[$0.arn] != nil }
            let tags = try await elbTags(balancers.map(\.arn))
            return balancers.compactMap { balancer in
                let balancerTags = tags[balancer.arn] ?? []
                return belongs(balancerTags, id: balancer.arn) ? (balancer, balancerTags) : nil
            }
        }
    }

    /// The stack's target groups, found as `stackLoadBalancers` finds load balancers.
    func stackTargetGroups(alsoNamed names: Set<String> = []) async throws -> [(ELBv2.TargetGroup, [AWSTag])] {
        try await cache.value(CompositeID(["target-groups"] + names.sorted()).description) { [self] in
            let prefix = DerivedName.stackPrefix(.targetGroup, stack: stack)
            let groups = try await services.elb.describeTargetGroups().filter { $0.name.hasPrefix(prefix) || names.contains($0.name) || adoption[$0.arn] != nil }
            let tags = try await elbTags(groups.map(\.arn))
            return groups.compactMap { group in
                let groupTags = tags[group.arn] ?? []
                return belongs(groupTags, id: group.arn) ? (group, groupTags) : nil
            }
        }
    }
}

struct TargetGroupProvider: ResourceProvider {
    let type = ResourceType.targetGroup
    let replacedOn = ["name": "a target group cannot be renamed", "port": "a target group's port is fixed", "protocol": "a target group's protocol is fixed",
                      "vpc": "a target group belongs to one VPC"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        ProviderSupport.byAddressTag(try await context.stackTargetGroups(alsoNamed: Set(scope.desired.map { $0.string("name") })), stack: context.stack, adoption: context.adoption, type: type, id: { $0.0.arn }, tags: { $0.1 }) { group, tags in
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
        // CreateTargetGroup is idempotent by name with identical settings: a rerun gets the same
        // ARN. The client requires the ARN in the answer.
        let arn = try await context.services.elb.createTargetGroup(
            name: desired.string("name"), targetProtocol: desired.string("protocol"), port: desired.int("port") ?? 80, vpcID: desired.string("vpc"),
            targetType: desired.string("target_type"), healthCheckPath: health["path"]?.stringValue, healthCheckPort: health["port"]?.intValue,
            healthCheckIntervalSeconds: health["interval_s"]?.intValue, tags: desired.tags).arn
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
        ProviderSupport.byAddressTag(try await context.stackLoadBalancers(alsoNamed: Set(scope.desired.map { $0.string("name") })), stack: context.stack, adoption: context.adoption, type: type, id: { $0.0.arn }, tags: { $0.1 }) { balancer, tags in
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
            try await context.services.elb.setSubnets(loadBalancerARN: observed.awsID, subnetIDs: desired.strings("subnets"))
        }
        if changed.contains("security_groups") {
            try await context.services.elb.setSecurityGroups(loadBalancerARN: observed.awsID, securityGroupIDs: desired.strings("security_groups"))
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
        let parents = Set(scope.observed.values.filter { $0.type == .loadBalancer }.compactMap { $0.properties["name"]?.stringValue })
        for (balancer, _) in try await context.stackLoadBalancers(alsoNamed: parents) {
            for listener in try await context.services.elb.describeListeners(loadBalancerARN: balancer.arn) {
                var properties: [String: PropertyValue] = ["load_balancer": .string(balancer.arn), "port": .int(listener.port), "protocol": .string(listener.listenerProtocol)]
                switch listener.defaultActions.first {
                case .redirect(let redirect):
                    // moto 5.2.1 leaves host, path and query out of the answer (AWS fills in
                    // #{host}, /#{path}, #{query}); protocol, port and status say what it does.
                    properties["redirect"] = .string(redirect.redirectProtocol == "HTTPS" && redirect.port == "443" && redirect.statusCode == "HTTP_301"
                        ? "https" : "\(redirect.redirectProtocol ?? "#{protocol}"):\(redirect.port ?? "#{port}") \(redirect.statusCode)")
                default:
                    properties["forward"] = .string(listener.defaultTargetGroupARNs.first ?? "")
                }
                if ["HTTPS", "TLS"].contains(listener.listenerProtocol) {
                    properties["certificate_arn"] = .string(listener.certificateARNs.first ?? "")
                    properties["ssl_policy"] = .string(listener.sslPolicy ?? "")
                }
                items.append((CompositeID(balancer.arn, String(listener.port)).description, ObservedResource(address: "", type: type, awsID: listener.arn, properties: properties)))
            }
        }
        return ProviderSupport.matchByIdentity(items, desired: scope.desired, identity: { CompositeID($0.string("load_balancer"), String($0.int("port") ?? 0)).description },
                                               state: scope.state)
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        var result: [String: PropertyValue] = ["load_balancer": .string(desired.string("load_balancer")), "port": .int(desired.int("port") ?? 0),
                                               "protocol": .string(desired.string("protocol"))]
        if desired.properties["redirect"] != nil { result["redirect"] = .string(desired.string("redirect")) } else { result["forward"] = .string(desired.string("forward")) }
        if ["HTTPS", "TLS"].contains(desired.string("protocol")) {
            result["certificate_arn"] = .string(desired.string("certificate_arn"))
            result["ssl_policy"] = .string(desired.string("ssl_policy"))
        }
        return result
    }

    /// What the listener does: forward to its target group, or answer 301 to HTTPS on 443.
    func action(_ desired: DesiredResource) -> ELBv2.ListenerAction {
        desired.properties["redirect"] != nil ? .redirect(.toHTTPS) : .forward(targetGroupARN: desired.string("forward"))
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let tls = ["HTTPS", "TLS"].contains(desired.string("protocol"))
        let listener = try await context.services.elb.createListener(ELBv2.CreateListenerInput(
            loadBalancerARN: desired.string("load_balancer"), listenerProtocol: desired.string("protocol"), port: desired.int("port") ?? 80,
            defaultAction: action(desired), certificateARN: desired.properties["certificate_arn"]?.stringValue,
            sslPolicy: tls ? desired.properties["ssl_policy"]?.stringValue : nil, tags: desired.tags))
        return ObservedResource(address: desired.address, type: type, awsID: listener.arn, properties: comparable(desired))
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        let tls = ["HTTPS", "TLS"].contains(desired.string("protocol"))
        if !tls, desired.properties["redirect"] == nil {
            try await context.services.elb.modifyListener(arn: observed.awsID, listenerProtocol: desired.string("protocol"), port: desired.int("port") ?? 80,
                                                          forwardTo: desired.string("forward"))
            return ObservedResource(address: desired.address, type: type, awsID: observed.awsID, properties: comparable(desired))
        }
        try await context.services.elb.modifyListener(ELBv2.ModifyListenerInput(
            arn: observed.awsID, listenerProtocol: desired.string("protocol"), port: desired.int("port") ?? 80, defaultAction: action(desired),
            certificateARN: tls ? desired.properties["certificate_arn"]?.stringValue : nil, sslPolicy: tls ? desired.properties["ssl_policy"]?.stringValue : nil))
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
        let parents = Set(scope.observed.values.filter { $0.type == .targetGroup }.compactMap { $0.properties["name"]?.stringValue })
        // The stack's Auto Scaling groups register (and remove) their own instances: those are
        // not registrations of netloom's, to be deleted as added outside it. A target group a
        // group feeds has no registrations of netloom's at all (validation sees to that), which
        // also covers an instance launched after the group was read.
        let autoScalingGroups = scope.observed.values.filter { $0.type == .autoScalingGroup }
        let groupInstances = Set(autoScalingGroups.flatMap { ($0.attributes["instance_ids"] ?? "").split(separator: ",").map(String.init) })
        let fedByGroups = Set(autoScalingGroups.flatMap { $0.properties["target_groups"]?.listValue?.compactMap(\.stringValue) ?? [] })
        for (group, _) in try await context.stackTargetGroups(alsoNamed: parents) where !fedByGroups.contains(group.arn) {
            for target in try await context.services.elb.describeTargetHealth(targetGroupARN: group.arn) where !groupInstances.contains(target.targetID) {
                let id = CompositeID(group.arn, target.targetID).description
                items.append((id, ObservedResource(address: "", type: type, awsID: id, properties: ["port": .int(target.port ?? group.port)])))
            }
        }
        return ProviderSupport.matchByIdentity(items, desired: scope.desired, identity: { CompositeID($0.string("target_group"), $0.string("instance")).description },
                                               state: scope.state)
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] { ["port": .int(desired.int("port") ?? 0)] }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        try await context.services.elb.registerTargets(targetGroupARN: desired.string("target_group"),
                                                       targets: [ELBv2.Target(id: desired.string("instance"), port: desired.int("port"))])
        return ObservedResource(address: desired.address, type: type, awsID: CompositeID(desired.string("target_group"), desired.string("instance")).description,
                                properties: comparable(desired))
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        let parts = CompositeID(parsing: observed.awsID, maximumParts: 2).parts
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
