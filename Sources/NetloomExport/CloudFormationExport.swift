import Foundation
import NetloomModel

/// A stack as one CloudFormation template (YAML): the resources `netloom expand` lists, with
/// the same names, CIDRs, rules, settings and tags, so that `netloom plan` against the stack
/// CloudFormation built finds nothing to change.
///
/// CloudFormation has no resource of its own for some of netloom's: a managed-policy
/// attachment is the role's `ManagedPolicyArns`, a target registration the target group's
/// `Targets`, a bucket's versioning, encryption, public access block and lifecycle are the
/// bucket's properties, and an egress rule goes inside its group where it can (see
/// `egressPlacement`). What CloudFormation cannot express at all (folder objects, a group with
/// no outbound rule) is an error naming the address.
public struct CloudFormationExport: Sendable {
    public var template: String
    /// What CloudFormation builds differently from netloom without it mattering to netloom
    /// (tags it cannot put on some resources), said once so that it is never a surprise.
    public var notes: [String]

    public static func make(_ source: ExportSource) throws(ExportError) -> CloudFormationExport {
        var translator = CloudFormationTranslator(source)
        let document = try translator.document()
        return CloudFormationExport(template: YAMLText.render(document, keyOrder: CloudFormationTranslator.topLevelOrder), notes: translator.notes())
    }
}

struct CloudFormationTranslator {
    static let topLevelOrder = ["AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Resources", "Outputs",
                                "Type", "DependsOn", "Properties", "Key", "Value"]
    /// The device name netloom gives the root volume at launch (RunInstances BlockDeviceMapping).
    static let rootDeviceName = "/dev/xvda"

    let source: ExportSource
    let names: ExportNames
    let byAddress: [String: Resource]
    var problems = ProblemList()
    /// Logical id → resource (`Type`, `Properties`, `DependsOn` as addresses or logical ids).
    var resources: [String: [String: PropertyValue]] = [:]
    var dependsOn: [String: Set<String>] = [:]
    var parameters: [String: PropertyValue] = [:]
    /// Addresses whose tags CloudFormation cannot set, by type.
    var untagged: [ResourceType: [String]] = [:]
    /// Egress rules that go inside their group's SecurityGroupEgress, by group address.
    var inlineEgress: [String: [String]] = [:]
    /// Auto Scaling groups of the export (the notes say what CloudFormation builds differently).
    var autoScaling: [String] = []

    init(_ source: ExportSource) {
        self.source = source
        names = ExportNames(addresses: source.resources.map(\.address), stack: source.stack, namespace: { _ in "" },
                            readable: ExportNames.cloudFormation)
        byAddress = Dictionary(source.resources.map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func logicalID(_ address: String) -> String { names[address] ?? ExportNames.cloudFormation(address) }

    /// The VPCGatewayAttachment that attaches the internet gateway: what a route to it, a NAT
    /// gateway and an internet-facing load balancer really wait for.
    var gatewayAttachmentID: String { logicalID("internet_gateway") + "Attachment" }

    /// Where a resource folded into another (a managed-policy attachment into its role) lives.
    func host(of address: String) -> String? {
        guard let resource = byAddress[address] else { return nil }
        switch resource.type {
        case .iamRolePolicyAttachment: return resource.properties["role"]?.reference?.description
        case .targetGroupAttachment: return resource.properties["target_group"]?.reference?.description
        case .certificateValidation: return resource.properties["certificate"]?.reference?.description
        case .bucketVersioning, .bucketEncryption, .bucketPublicAccessBlock, .bucketLifecycle: return resource.properties["bucket"]?.reference?.description
        case .securityGroupRule:
            if resource.properties["aws_default"]?.boolValue == true { return resource.properties["security_group"]?.reference?.description }
            if let group = resource.properties["security_group"]?.reference?.description, inlineEgress[group]?.contains(address) == true { return group }
            return nil
        default: return nil
        }
    }

    /// The logical id a dependency on `address` means.
    func dependencyID(_ address: String) -> String {
        if address == "internet_gateway" { return gatewayAttachmentID }
        return logicalID(host(of: address) ?? address)
    }

    // MARK: the document

    mutating func document() throws(ExportError) -> PropertyValue {
        placeEgressRules()
        for resource in source.resources { translate(resource) }
        try problems.check(engine: "cloudformation")
        var finished: [String: PropertyValue] = [:]
        for (id, var resource) in resources {
            let referenced = Self.logicalIDs(in: resource["Properties"] ?? .null)
            let extra = (dependsOn[id] ?? []).subtracting(referenced).subtracting([id]).filter { resources[$0] != nil }
            if !extra.isEmpty { resource["DependsOn"] = .list(extra.sorted().map { .string($0) }) }
            finished[id] = .map(resource)
        }
        var document: [String: PropertyValue] = [
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": .string("netloom stack \(source.stack) (\(source.region)), exported from its spec"),
            "Resources": .map(finished),
        ]
        if !parameters.isEmpty { document["Parameters"] = .map(parameters) }
        let outputs = outputs()
        if !outputs.isEmpty { document["Outputs"] = .map(outputs) }
        return .map(document)
    }

    /// Logical ids a value names through Ref or Fn::GetAtt (which imply a dependency).
    static func logicalIDs(in value: PropertyValue) -> Set<String> {
        switch value {
        case .map(let members):
            var found: Set<String> = []
            if let target = members["Ref"]?.stringValue { found.insert(target) }
            if let target = members["Fn::GetAtt"]?.listValue?.first?.stringValue { found.insert(target) }
            for member in members.values { found.formUnion(logicalIDs(in: member)) }
            return found
        case .list(let items): return items.reduce(into: []) { $0.formUnion(logicalIDs(in: $1)) }
        default: return []
        }
    }

    /// The ids `netloom output` prints: one output each, described by its key there.
    func outputs() -> [String: PropertyValue] {
        var outputs: [String: PropertyValue] = [:]
        func add(_ key: String, _ value: PropertyValue, _ description: String) {
            outputs[key] = .map(["Description": .string(description), "Value": value])
        }
        if byAddress["vpc"] != nil { add(logicalID("vpc") + "Id", reference("vpc"), "vpc_id") }
        for (group, type) in [("subnets", ResourceType.subnet), ("security_groups", .securityGroup), ("buckets", .bucket), ("instances", .instance)] {
            for (key, address) in source.outputs(of: type) { add(logicalID(address) + "Id", reference(address), "\(group).\(key)") }
        }
        for (key, address) in source.outputs(of: .loadBalancer) {
            add(logicalID(address) + "Arn", reference(address), "load_balancers.\(key).arn")
            add(logicalID(address) + "DnsName", ["Fn::GetAtt": [.string(logicalID(address)), "DNSName"]], "load_balancers.\(key).dns_name")
        }
        for cluster in source.clusters {
            let prefix = "Hyperpod" + ExportNames.cloudFormation(cluster.name)
            let groups = cluster.securityGroups.filter { byAddress[$0] != nil }
            if !groups.isEmpty {
                add(prefix + "SecurityGroupIds", ["Fn::Join": [",", .list(groups.map { reference($0) })]], "hyperpod.\(cluster.name).VpcConfig.SecurityGroupIds")
            }
            if byAddress[cluster.subnet] != nil { add(prefix + "Subnets", reference(cluster.subnet), "hyperpod.\(cluster.name).VpcConfig.Subnets") }
        }
        return outputs
    }

    func notes() -> [String] {
        let reasons: [ResourceType: String] = [
            .securityGroupRule: "CloudFormation's security group rules take no tags; netloom finds rules by their content",
            .iamInstanceProfile: "AWS::IAM::InstanceProfile takes no tags; netloom finds profiles by their path",
            .listener: "AWS::ElasticLoadBalancingV2::Listener takes no tags; netloom finds listeners by load balancer and port",
        ]
        var notes = untagged.keys.sorted().compactMap { type -> String? in
            guard let addresses = untagged[type], !addresses.isEmpty else { return nil }
            return "\(addresses.count) \(type) resource\(addresses.count == 1 ? "" : "s") without tags: \(reasons[type] ?? "CloudFormation cannot tag them")"
        }
        if !autoScaling.isEmpty {
            // Both are CloudFormation's limits: its group takes no `$Latest`, its policy no name.
            notes.append("\(autoScaling.joined(separator: ", ")): CloudFormation's group launches the template's latest version number, not `$Latest`, "
                + "and names its scaling policy itself; netloom plan against the stack proposes `$Latest` and its own `netloom-target-tracking` policy")
        }
        return notes
    }

    // MARK: values

    /// What netloom means by a reference to `address` (its id), as CloudFormation writes it:
    /// most resources' Ref is their id, but an Elastic IP's is its address and a group's id
    /// is an attribute.
    func reference(_ address: String, attribute: String = "id") -> PropertyValue {
        let id = logicalID(address)
        switch (byAddress[address]?.type, attribute) {
        case (.elasticIP, _): return ["Fn::GetAtt": [.string(id), "AllocationId"]]
        case (.securityGroup, _): return ["Fn::GetAtt": [.string(id), "GroupId"]]
        case (_, "arn"): return ["Fn::GetAtt": [.string(id), "Arn"]]
        case (_, "dns_name"): return ["Fn::GetAtt": [.string(id), "DNSName"]]
        case (_, "canonical_zone"): return ["Fn::GetAtt": [.string(id), "CanonicalHostedZoneID"]]
        default: return ["Ref": .string(id)]
        }
    }

    /// The value as CloudFormation reads it: references become Ref/Fn::GetAtt, and a text
    /// holding `${account_id}` becomes an Fn::Sub of `${AWS::AccountId}` (with any other `${`
    /// written `${!` so that Sub keeps it).
    mutating func value(_ property: PropertyValue, of address: String, attribute: String = "id") -> PropertyValue {
        switch property {
        case .string(let text):
            if let target = property.reference {
                guard byAddress[target.description] != nil else {
                    problems.add(.malformedExpansion, address, "refers to \(target), which the expansion does not hold")
                    return property
                }
                if target.description == "internet_gateway" { dependsOn[logicalID(address), default: []].insert(gatewayAttachmentID) }
                return reference(target.description, attribute: attribute)
            }
            guard text.contains(accountIDPlaceholder) else { return property }
            let escaped = text.replacingOccurrences(of: "${", with: "${!").replacingOccurrences(of: "${!account_id}", with: "${AWS::AccountId}")
            return ["Fn::Sub": .string(escaped)]
        case .list(let items): return .list(items.map { value($0, of: address, attribute: attribute) })
        case .map(let members): return .map(members.mapValues { value($0, of: address, attribute: attribute) })
        default: return property
        }
    }

    func tagList(_ tags: PropertyValue?) -> PropertyValue? {
        guard let map = tags?.mapValue else { return nil }
        return .list(map.keys.sorted().map { ["Key": .string($0), "Value": map[$0]!] })
    }

    // MARK: security group egress

    /// A group whose spec lists its egress loses AWS's allow-all rule in netloom; in
    /// CloudFormation it does only when its SecurityGroupEgress lists a rule, and a separate
    /// AWS::EC2::SecurityGroupEgress does not remove it. So every egress rule that can sit
    /// inside its group does: a CIDR or prefix-list peer, or another group as long as the groups
    /// referring to each other from inside do not form a cycle (CloudFormation refuses
    /// circular references). A rule to the group itself cannot, and stays its own resource.
    /// A group left with no rule inside cannot be expressed (see `translate`).
    mutating func placeEgressRules() {
        var inlineTargets: [String: Set<String>] = [:]
        func reaches(_ from: String, _ to: String) -> Bool {
            var seen: Set<String> = [], pending = [from]
            while let next = pending.popLast() {
                if next == to { return true }
                guard seen.insert(next).inserted else { continue }
                pending.append(contentsOf: inlineTargets[next] ?? [])
            }
            return false
        }
        let rules = source.resources.filter {
            $0.type == .securityGroupRule && $0.properties["direction"]?.stringValue == "egress" && $0.properties["aws_default"]?.boolValue != true
        }.sorted { $0.address < $1.address }
        for rule in rules {
            guard let group = rule.properties["security_group"]?.reference?.description else { continue }
            if let peer = rule.properties["peer_security_group"]?.reference?.description {
                guard peer != group, !reaches(peer, group) else { continue }
                inlineTargets[group, default: []].insert(peer)
            }
            inlineEgress[group, default: []].append(rule.address)
        }
    }

    // MARK: resources

    mutating func add(_ address: String, _ type: String, _ properties: [String: PropertyValue], id: String? = nil) {
        let logical = id ?? logicalID(address)
        resources[logical] = ["Type": .string(type), "Properties": .map(properties)]
        let resource = byAddress[address]
        let referenced = Set(resource?.properties.values.flatMap(\.referencedAddresses) ?? [])
        for dependency in resource?.dependsOn ?? [] where !referenced.contains(dependency) || dependency == "internet_gateway" {
            dependsOn[logical, default: []].insert(dependencyID(dependency))
        }
    }

    /// Adds `properties` to the resource a folded one lives in (and its dependencies).
    mutating func fold(_ address: String, into hostAddress: String, _ update: (inout [String: PropertyValue]) -> Void) {
        let hostID = logicalID(hostAddress)
        guard var host = resources[hostID], var properties = host["Properties"]?.mapValue else {
            problems.add(.malformedExpansion, address, "belongs to \(hostAddress), which the export does not hold")
            return
        }
        update(&properties)
        host["Properties"] = .map(properties)
        resources[hostID] = host
        let resource = byAddress[address]
        let referenced = Set(resource?.properties.values.flatMap(\.referencedAddresses) ?? [])
        for dependency in resource?.dependsOn ?? [] where !referenced.contains(dependency) && dependency != hostAddress {
            dependsOn[hostID, default: []].insert(dependencyID(dependency))
        }
    }

    mutating func translate(_ resource: Resource) {
        var reader = PropertyReader(resource)
        var properties: [String: PropertyValue] = [:]
        let address = resource.address

        func set(_ name: String, _ key: String, attribute: String = "id") {
            if let property = reader.take(key) { properties[name] = value(property, of: address, attribute: attribute) }
        }
        func tags() {
            if let list = tagList(reader.take("tags")) { properties["Tags"] = list }
        }
        func untaggable() {
            if reader.take("tags") != nil { untagged[resource.type, default: []].append(address) }
        }
        func finish() {
            for key in reader.unread {
                problems.add(.unknownProperty, address, "property `\(key)` of \(resource.type) has no CloudFormation property in this export")
            }
        }

        switch resource.type {
        case .vpc:
            set("CidrBlock", "cidr"); set("EnableDnsSupport", "enable_dns_support"); set("EnableDnsHostnames", "enable_dns_hostnames"); tags()
            add(address, "AWS::EC2::VPC", properties)
        case .internetGateway:
            tags()
            add(address, "AWS::EC2::InternetGateway", properties)
            if let vpc = reader.take("vpc") {
                add(address, "AWS::EC2::VPCGatewayAttachment",
                    ["VpcId": value(vpc, of: address), "InternetGatewayId": ["Ref": .string(logicalID(address))]], id: gatewayAttachmentID)
            }
        case .subnet:
            set("VpcId", "vpc"); set("CidrBlock", "cidr"); set("MapPublicIpOnLaunch", "map_public_ip_on_launch"); tags()
            if let az = reader.string("az") { properties["AvailabilityZone"] = availabilityZone(az) }
            reader.planningNotes("tier", "usable_ips", "demand", "allocation")
            add(address, "AWS::EC2::Subnet", properties)
        case .routeTable:
            set("VpcId", "vpc"); tags()
            reader.planningNotes("subnet")
            add(address, "AWS::EC2::RouteTable", properties)
        case .route:
            set("RouteTableId", "route_table"); set("DestinationCidrBlock", "destination")
            if let target = reader.take("target") {
                switch target.reference?.kind {
                case .resource(.internetGateway): properties["GatewayId"] = value(target, of: address)
                case .resource(.natGateway): properties["NatGatewayId"] = value(target, of: address)
                case .resource(.vpcEndpoint): properties["VpcEndpointId"] = value(target, of: address)
                default: problems.add(.inexpressible, address, "a route to \(target) has no AWS::EC2::Route target property")
                }
            }
            add(address, "AWS::EC2::Route", properties)
        case .routeTableAssociation:
            set("SubnetId", "subnet"); set("RouteTableId", "route_table")
            add(address, "AWS::EC2::SubnetRouteTableAssociation", properties)
        case .elasticIP:
            set("Domain", "domain"); tags()
            add(address, "AWS::EC2::EIP", properties)
        case .natGateway:
            set("SubnetId", "subnet"); set("AllocationId", "eip"); set("ConnectivityType", "connectivity"); tags()
            reader.planningNotes("az")
            add(address, "AWS::EC2::NatGateway", properties)
        case .vpcEndpoint:
            set("VpcId", "vpc"); set("ServiceName", "service_name"); set("VpcEndpointType", "type"); set("RouteTableIds", "route_tables")
            set("SubnetIds", "subnets"); set("SecurityGroupIds", "security_groups"); set("PrivateDnsEnabled", "private_dns"); tags()
            add(address, "AWS::EC2::VPCEndpoint", properties)
        case .securityGroup:
            set("GroupName", "name"); set("GroupDescription", "description"); set("VpcId", "vpc"); tags()
            reader.planningNotes("keeps_default_egress")
            let keepsDefault = source.resources.contains {
                $0.type == .securityGroupRule && $0.properties["aws_default"]?.boolValue == true && $0.properties["security_group"]?.reference?.description == address
            }
            if !keepsDefault {
                let inside = inlineEgress[address] ?? []
                guard !inside.isEmpty else {
                    let selfOnly = source.resources.contains {
                        $0.type == .securityGroupRule && $0.properties["direction"]?.stringValue == "egress"
                            && $0.properties["security_group"]?.reference?.description == address
                    }
                    problems.add(.inexpressible, address, selfOnly
                        ? "AWS::EC2::SecurityGroup keeps AWS's allow-all egress rule unless its SecurityGroupEgress lists a rule, and this group's egress rules refer to itself or to groups that refer back, which CloudFormation cannot put inside it"
                        : "the group has no egress rule (`egress: []`), and AWS::EC2::SecurityGroup keeps AWS's allow-all egress rule unless its SecurityGroupEgress lists one; a placeholder rule would be drift netloom reports")
                    break
                }
                properties["SecurityGroupEgress"] = .list(inside.compactMap { byAddress[$0] }.map { rule in
                    var ruleReader = PropertyReader(rule)
                    return .map(ruleProperties(&ruleReader, peerPrefix: "Destination"))
                })
            }
            add(address, "AWS::EC2::SecurityGroup", properties)
        case .securityGroupRule:
            let egress = reader.string("direction") == "egress"
            if reader.bool("aws_default") == true {
                // AWS gives every new group this rule, and CloudFormation leaves it on a group
                // whose SecurityGroupEgress is empty (see the group).
                reader.planningNotes("security_group", "protocol", "from_port", "to_port", "cidr", "description")
                untaggable()
                break
            }
            if egress, host(of: address) != nil {
                // Inside its group (placeEgressRules); its properties are read there.
                reader.planningNotes("security_group", "protocol", "from_port", "to_port", "cidr", "peer_security_group", "prefix_list", "description")
                untaggable()
                break
            }
            var rule = ruleProperties(&reader, peerPrefix: egress ? "Destination" : "Source")
            if let group = reader.take("security_group") { rule["GroupId"] = value(group, of: address) }
            untaggable()
            properties = rule
            add(address, egress ? "AWS::EC2::SecurityGroupEgress" : "AWS::EC2::SecurityGroupIngress", properties)
        case .networkACL:
            set("VpcId", "vpc"); tags()
            add(address, "AWS::EC2::NetworkAcl", properties)
        case .networkACLEntry:
            set("NetworkAclId", "network_acl"); set("RuleNumber", "rule_number"); set("Egress", "egress"); set("RuleAction", "action"); set("CidrBlock", "cidr")
            let ipProtocol = reader.string("protocol") ?? ""
            let number = ["tcp": 6, "udp": 17, "icmp": 1, "all": -1][ipProtocol]
            guard let number else {
                problems.add(.inexpressible, address, "protocol `\(ipProtocol)` has no CloudFormation protocol number in this export")
                break
            }
            properties["Protocol"] = .int(number)
            let from = reader.int("from_port"), to = reader.int("to_port")
            if number == 6 || number == 17 {
                properties["PortRange"] = ["From": .int(from ?? 0), "To": .int(to ?? 0)]
            } else if number == 1 {
                properties["Icmp"] = ["Code": -1, "Type": -1]
            }
            add(address, "AWS::EC2::NetworkAclEntry", properties)
        case .networkACLAssociation:
            set("NetworkAclId", "network_acl"); set("SubnetId", "subnet")
            add(address, "AWS::EC2::SubnetNetworkAclAssociation", properties)
        case .logGroup:
            set("LogGroupName", "name"); set("RetentionInDays", "retention_days"); tags()
            add(address, "AWS::Logs::LogGroup", properties)
        case .iamRole:
            set("RoleName", "name"); set("Path", "path"); set("AssumeRolePolicyDocument", "assume_role_policy"); tags()
            add(address, "AWS::IAM::Role", properties)
        case .iamRolePolicy:
            set("RoleName", "role"); set("PolicyName", "name"); set("PolicyDocument", "document")
            add(address, "AWS::IAM::RolePolicy", properties)
        case .iamRolePolicyAttachment:
            let policy = reader.take("policy_arn")
            guard let role = reader.take("role")?.reference?.description, let policy else {
                problems.add(.malformedExpansion, address, "an attachment needs a role and a policy ARN")
                break
            }
            // CloudFormation attaches managed policies through the role's ManagedPolicyArns.
            fold(address, into: role) { properties in
                let arns = (properties["ManagedPolicyArns"]?.listValue ?? []) + [policy]
                properties["ManagedPolicyArns"] = .list(arns.sorted { $0.description < $1.description })
            }
        case .iamInstanceProfile:
            set("InstanceProfileName", "name"); set("Path", "path")
            if let role = reader.take("role") { properties["Roles"] = [value(role, of: address)] }
            untaggable()
            add(address, "AWS::IAM::InstanceProfile", properties)
        case .flowLog:
            set("ResourceId", "vpc"); set("TrafficType", "traffic_type"); set("LogGroupName", "log_group")
            set("DeliverLogsPermissionArn", "role", attribute: "arn"); tags()
            properties["ResourceType"] = "VPC"
            add(address, "AWS::EC2::FlowLog", properties)
        case .placementGroup:
            set("GroupName", "name"); set("Strategy", "strategy"); tags()
            reader.planningNotes("az")
            add(address, "AWS::EC2::PlacementGroup", properties)
        case .instance:
            translateInstance(&reader, into: &properties)
            tags()
            add(address, "AWS::EC2::Instance", properties)
        case .bucket:
            set("BucketName", "bucket_name"); tags()
            if let region = reader.string("region"), region != source.region {
                problems.add(.inexpressible, address, "the bucket is in \(region), not in the stack's region \(source.region)")
            }
            add(address, "AWS::S3::Bucket", properties)
        case .bucketVersioning, .bucketEncryption, .bucketPublicAccessBlock, .bucketLifecycle:
            guard let bucket = reader.take("bucket")?.reference?.description else {
                problems.add(.malformedExpansion, address, "a bucket setting needs its bucket")
                break
            }
            let setting = bucketSetting(&reader)
            fold(address, into: bucket) { properties in properties.merge(setting) { _, new in new } }
        case .bucketObject:
            problems.add(.inexpressible, address, "CloudFormation has no resource type for an S3 object, so the folder marker `\(resource.properties["key"]?.description ?? "")` cannot be made")
            reader.planningNotes("bucket", "key")
        case .alarm:
            set("AlarmName", "name"); set("Namespace", "namespace"); set("MetricName", "metric"); set("Statistic", "statistic")
            set("ComparisonOperator", "comparison_operator"); set("Threshold", "threshold"); set("Period", "period_s")
            set("EvaluationPeriods", "evaluation_periods"); tags()
            if let instance = reader.take("instance") { properties["Dimensions"] = [["Name": "InstanceId", "Value": value(instance, of: address)]] }
            add(address, "AWS::CloudWatch::Alarm", properties)
        case .targetGroup:
            set("Name", "name"); set("Port", "port"); set("Protocol", "protocol"); set("VpcId", "vpc"); set("TargetType", "target_type"); tags()
            for (key, setting) in reader.take("health")?.mapValue ?? [:] {
                switch key {
                case "path": properties["HealthCheckPath"] = setting
                case "interval_s": properties["HealthCheckIntervalSeconds"] = setting
                case "port": properties["HealthCheckPort"] = .string(setting.description)
                default: problems.add(.unknownProperty, address, "health check setting `\(key)` has no CloudFormation property in this export")
                }
            }
            add(address, "AWS::ElasticLoadBalancingV2::TargetGroup", properties)
        case .launchTemplate:
            translateLaunchTemplate(&reader, into: &properties)
            add(address, "AWS::EC2::LaunchTemplate", properties)
        case .autoScalingGroup:
            translateAutoScalingGroup(&reader, into: &properties)
            add(address, "AWS::AutoScaling::AutoScalingGroup", properties)
        case .scalingPolicy:
            translateScalingPolicy(&reader, into: &properties)
            add(address, "AWS::AutoScaling::ScalingPolicy", properties)
        case .targetGroupAttachment:
            let port = reader.take("port")
            guard let group = reader.take("target_group")?.reference?.description, let instance = reader.take("instance") else {
                problems.add(.malformedExpansion, address, "a registration needs a target group and an instance")
                break
            }
            var target: [String: PropertyValue] = ["Id": value(instance, of: address)]
            if let port { target["Port"] = port }
            // CloudFormation registers targets through the target group's Targets.
            fold(address, into: group) { properties in
                properties["Targets"] = .list((properties["Targets"]?.listValue ?? []) + [.map(target)])
            }
        case .loadBalancer:
            set("Name", "name"); set("Type", "type"); set("Scheme", "scheme"); set("Subnets", "subnets"); tags()
            let groups = reader.take("security_groups")
            if resource.properties["type"]?.stringValue != "network", let groups { properties["SecurityGroups"] = value(groups, of: address) }
            add(address, "AWS::ElasticLoadBalancingV2::LoadBalancer", properties)
        case .listener:
            set("LoadBalancerArn", "load_balancer"); set("Port", "port"); set("Protocol", "protocol")
            if let certificate = reader.take("certificate_arn") { properties["Certificates"] = [["CertificateArn": value(certificate, of: address)]] }
            set("SslPolicy", "ssl_policy")
            if let group = reader.take("forward") {
                properties["DefaultActions"] = [["Type": "forward", "TargetGroupArn": value(group, of: address)]]
            }
            if reader.take("redirect") != nil {
                properties["DefaultActions"] = [["Type": "redirect", "RedirectConfig": ["Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"]]]
            }
            untaggable()
            add(address, "AWS::ElasticLoadBalancingV2::Listener", properties)
        case .fsxFileSystem, .eksCluster, .eksAddon, .hyperPodCluster:
            // HyperPod's pieces are made by `netloom apply`; this export does not translate them yet.
            problems.add(.inexpressible, address, "\(resource.type) (a cluster's hyperpod:) is not translated to CloudFormation by this export; apply it with netloom")
            return
        case .hostedZone:
            set("Name", "name")
            _ = reader.take("private")
            if let vpc = reader.take("private_vpc") { properties["VPCs"] = [["VPCId": value(vpc, of: address), "VPCRegion": ["Ref": "AWS::Region"]]] }
            if let list = tagList(reader.take("tags")) { properties["HostedZoneTags"] = list }
            add(address, "AWS::Route53::HostedZone", properties)
        case .certificate:
            set("DomainName", "domain")
            if let names = reader.take("alternative_names"), !(names.listValue ?? []).isEmpty { properties["SubjectAlternativeNames"] = value(names, of: address) }
            properties["ValidationMethod"] = "DNS"
            // CloudFormation writes the validation records itself and waits for ISSUED: the
            // validation resource becomes the certificate's DomainValidationOptions.
            if let validation = byAddress[ResourceAddress.certificateValidation(ResourceAddress(parsing: address)?.name ?? "").description],
               let zone = validation.properties["zone"] {
                if zone.reference != nil {
                    let names = validation.properties["names"]?.listValue ?? []
                    properties["DomainValidationOptions"] = .list(names.map { ["DomainName": $0, "HostedZoneId": value(zone, of: address)] })
                } else {
                    problems.add(.inexpressible, address, "CloudFormation validates a certificate only in a zone given by id; an existing: true zone is looked up by name")
                }
            }
            tags()
            add(address, "AWS::CertificateManager::Certificate", properties)
        case .certificateValidation:
            // Part of the certificate (above).
            reader.takeAll()
        case .dnsRecord:
            if let zone = reader.take("zone") {
                if zone.reference != nil {
                    properties["HostedZoneId"] = value(zone, of: address)
                } else if let name = zone.stringValue.flatMap(ExistingZone.name(in:)) {
                    properties["HostedZoneName"] = .string(name + ".")
                }
            }
            set("Name", "name"); set("Type", "type")
            if let ttl = reader.take("ttl") { properties["TTL"] = .string(ttl.description) }
            set("ResourceRecords", "values")
            if let balancer = reader.take("alias")?.reference?.description {
                properties["AliasTarget"] = ["DNSName": reference(balancer, attribute: "dns_name"), "HostedZoneId": reference(balancer, attribute: "canonical_zone"),
                                             "EvaluateTargetHealth": true]
            }
            add(address, "AWS::Route53::RecordSet", properties)
        }
        finish()
    }

    /// An AZ as a parameter whose only allowed value is that AZ: cfn-lint warns about AZ names
    /// written into resources (W3010), and netloom's plan puts each subnet in a named AZ, so
    /// the parameter may not take another.
    mutating func availabilityZone(_ az: String) -> PropertyValue {
        let parameter = "AvailabilityZone" + ExportNames.cloudFormation(az)
        parameters[parameter] = [
            "Type": "AWS::EC2::AvailabilityZone::Name", "Default": .string(az), "AllowedValues": [.string(az)],
            "Description": .string("\(az): an AZ netloom's plan puts subnets in (the only value allowed, so the stack stays the one netloom plans)"),
        ]
        return ["Ref": .string(parameter)]
    }

    /// A rule's protocol, ports, peer and description, as both SecurityGroupIngress/Egress
    /// resources and the group's inline rules write them.
    mutating func ruleProperties(_ reader: inout PropertyReader, peerPrefix: String) -> [String: PropertyValue] {
        let address = reader.address
        reader.planningNotes("direction", "security_group", "tags")
        var rule: [String: PropertyValue] = [:]
        let ipProtocol = reader.string("protocol") ?? "all"
        let awsProtocol = ipProtocol == "all" ? "-1" : ipProtocol
        rule["IpProtocol"] = .string(awsProtocol)
        let from = reader.int("from_port"), to = reader.int("to_port")
        if awsProtocol != "-1" {
            rule["FromPort"] = .int(from ?? -1)
            rule["ToPort"] = .int(to ?? -1)
        }
        if let cidr = reader.string("cidr") { rule[cidr.contains(":") ? "CidrIpv6" : "CidrIp"] = .string(cidr) }
        if let peer = reader.take("peer_security_group") {
            rule[peerPrefix + "SecurityGroupId"] = value(peer, of: address)
        }
        if let prefixList = reader.string("prefix_list") {
            // CloudFormation cannot look a managed prefix list up by name: its id is a parameter.
            let parameter = "PrefixList" + ExportNames.cloudFormation(prefixList)
            parameters[parameter] = [
                "Type": "String", "AllowedPattern": "^pl-[0-9a-f]+$",
                "Description": .string("The id of the managed prefix list \(prefixList) (aws ec2 describe-managed-prefix-lists --filters Name=prefix-list-name,Values=\(prefixList))"),
            ]
            rule[peerPrefix + "PrefixListId"] = ["Ref": .string(parameter)]
        }
        if reader.bool("aws_default") != true, let description = reader.take("description") { rule["Description"] = description }
        return rule
    }

    mutating func translateInstance(_ reader: inout PropertyReader, into properties: inout [String: PropertyValue]) {
        let address = reader.address
        if let type = reader.take("instance_type") { properties["InstanceType"] = type }
        if let profile = reader.take("instance_profile") { properties["IamInstanceProfile"] = value(profile, of: address) }
        reader.planningNotes("az")
        if let ami = reader.string("ami") { properties["ImageId"] = image(ami) }
        let subnet = reader.take("subnet").map { value($0, of: address) }
        let groups = reader.take("security_groups").map { value($0, of: address) }
        if reader.bool("public_ip") == true {
            // A public address on launch is asked for on the primary interface, which then
            // carries the subnet and groups (as netloom's RunInstances does).
            var interface: [String: PropertyValue] = ["DeviceIndex": "0", "AssociatePublicIpAddress": true]
            if let subnet { interface["SubnetId"] = subnet }
            if let groups { interface["GroupSet"] = groups }
            properties["NetworkInterfaces"] = [.map(interface)]
        } else {
            if let subnet { properties["SubnetId"] = subnet }
            if let groups { properties["SecurityGroupIds"] = groups }
        }
        if let volume = reader.take("root_volume")?.mapValue {
            var ebs: [String: PropertyValue] = [:]
            for (key, setting) in volume {
                switch key {
                case "size_gb": ebs["VolumeSize"] = setting
                case "type": ebs["VolumeType"] = setting
                case "encrypted": ebs["Encrypted"] = setting
                default: problems.add(.unknownProperty, address, "root volume setting `\(key)` has no CloudFormation property in this export")
                }
            }
            properties["BlockDeviceMappings"] = [["DeviceName": .string(Self.rootDeviceName), "Ebs": .map(ebs)]]
        }
        var metadata: [String: PropertyValue] = ["HttpEndpoint": "enabled"]
        if let tokens = reader.string("metadata_http_tokens"), !tokens.isEmpty { metadata["HttpTokens"] = .string(tokens) }
        properties["MetadataOptions"] = .map(metadata)
    }

    /// An AMI as CloudFormation reads it: `ssm:PATH` is a parameter resolved when the stack is
    /// made, as netloom resolves it (SSM GetParameter).
    mutating func image(_ ami: String) -> PropertyValue {
        guard ami.hasPrefix("ssm:") else { return .string(ami) }
        let path = String(ami.dropFirst("ssm:".count))
        let parameter = "Ami" + ExportNames.cloudFormation(path)
        parameters[parameter] = [
            "Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": .string(path),
            "Description": .string("The SSM parameter that holds the AMI of the instances and launch templates that name it"),
        ]
        return ["Ref": .string(parameter)]
    }

    /// A launch template as netloom's CreateLaunchTemplate makes it: the image, type, groups,
    /// instance profile (by name), IMDS token setting, root volume (deleted with the
    /// instance), the instance tags on instances and their volumes, and the template's own tags.
    mutating func translateLaunchTemplate(_ reader: inout PropertyReader, into properties: inout [String: PropertyValue]) {
        let address = reader.address
        if let name = reader.take("name") { properties["LaunchTemplateName"] = value(name, of: address) }
        var data: [String: PropertyValue] = [:]
        if let type = reader.take("instance_type") { data["InstanceType"] = type }
        if let ami = reader.string("ami") { data["ImageId"] = image(ami) }
        if let groups = reader.take("security_groups") { data["SecurityGroupIds"] = value(groups, of: address) }
        // Ref of an AWS::IAM::InstanceProfile is its name.
        if let profile = reader.take("instance_profile") { data["IamInstanceProfile"] = ["Name": value(profile, of: address)] }
        if let tokens = reader.string("metadata_http_tokens"), !tokens.isEmpty { data["MetadataOptions"] = ["HttpTokens": .string(tokens)] }
        if let volume = reader.take("root_volume")?.mapValue {
            var ebs: [String: PropertyValue] = ["DeleteOnTermination": true]
            for (key, setting) in volume {
                switch key {
                case "size_gb": ebs["VolumeSize"] = setting
                case "type": ebs["VolumeType"] = setting
                case "encrypted": ebs["Encrypted"] = setting
                default: problems.add(.unknownProperty, address, "root volume setting `\(key)` has no CloudFormation property in this export")
                }
            }
            data["BlockDeviceMappings"] = [["DeviceName": .string(Self.rootDeviceName), "Ebs": .map(ebs)]]
        }
        if let tags = tagList(reader.take("instance_tags").map { value($0, of: address) }), !(tags.listValue ?? []).isEmpty {
            data["TagSpecifications"] = .list(["instance", "volume"].map { ["ResourceType": .string($0), "Tags": tags] })
        }
        properties["LaunchTemplateData"] = .map(data)
        if let tags = tagList(reader.take("tags")) { properties["TagSpecifications"] = [["ResourceType": "launch-template", "Tags": tags]] }
        // The group's name, which netloom's plan notes name in their instance refresh hint.
        reader.planningNotes("autoscaling_group_name")
    }

    /// A group as netloom's CreateAutoScalingGroup makes it, over the set's subnets and
    /// registered with its target groups. CloudFormation takes no `$Latest`: the group launches
    /// the template's latest version number, which a template change moves on with it.
    mutating func translateAutoScalingGroup(_ reader: inout PropertyReader, into properties: inout [String: PropertyValue]) {
        let address = reader.address
        if let name = reader.take("name") { properties["AutoScalingGroupName"] = value(name, of: address) }
        // CloudFormation's sizes are text.
        if let min = reader.take("min") { properties["MinSize"] = .string(min.description) }
        if let max = reader.take("max") { properties["MaxSize"] = .string(max.description) }
        if let desired = reader.take("desired") { properties["DesiredCapacity"] = .string(desired.description) }
        if let subnets = reader.take("subnets") { properties["VPCZoneIdentifier"] = value(subnets, of: address) }
        if let template = reader.take("launch_template")?.reference?.description, byAddress[template] != nil {
            properties["LaunchTemplate"] = ["LaunchTemplateId": reference(template),
                                            "Version": ["Fn::GetAtt": [.string(logicalID(template)), "LatestVersionNumber"]]]
        } else {
            problems.add(.malformedExpansion, address, "a group needs the launch template of the expansion")
        }
        // Ref of an AWS::ElasticLoadBalancingV2::TargetGroup is its ARN.
        if let groups = reader.take("target_groups"), !(groups.listValue ?? []).isEmpty { properties["TargetGroupARNs"] = value(groups, of: address) }
        if let check = reader.take("health_check_type") { properties["HealthCheckType"] = check }
        if let grace = reader.take("health_check_grace_s") { properties["HealthCheckGracePeriod"] = grace }
        // The group's tags stay on the group, as netloom's: its instances get theirs from the template.
        if let tags = reader.take("tags")?.mapValue {
            properties["Tags"] = .list(tags.keys.sorted().map { ["Key": .string($0), "Value": value(tags[$0] ?? "", of: address), "PropagateAtLaunch": false] })
        }
        autoScaling.append(address)
    }

    /// The group's target-tracking policy: average CPU, or requests per target, whose resource
    /// label joins the balancer's and the target group's full names
    /// (`app/NAME/ID/targetgroup/NAME/ID`, as netloom derives it from the two ARNs).
    mutating func translateScalingPolicy(_ reader: inout PropertyReader, into properties: inout [String: PropertyValue]) {
        let address = reader.address
        // AWS::AutoScaling::ScalingPolicy has no name property: CloudFormation names the policy.
        reader.planningNotes("name")
        if let group = reader.take("group") { properties["AutoScalingGroupName"] = value(group, of: address) }
        properties["PolicyType"] = "TargetTrackingScaling"
        var metric: [String: PropertyValue] = [:]
        if let type = reader.take("metric") { metric["PredefinedMetricType"] = type }
        let balancer = reader.take("load_balancer")?.reference?.description, targetGroup = reader.take("target_group")?.reference?.description
        if let balancer, let targetGroup, byAddress[balancer] != nil, byAddress[targetGroup] != nil {
            metric["ResourceLabel"] = ["Fn::Join": ["/", [["Fn::GetAtt": [.string(logicalID(balancer)), "LoadBalancerFullName"]],
                                                          ["Fn::GetAtt": [.string(logicalID(targetGroup)), "TargetGroupFullName"]]]]]
        } else if balancer != nil || targetGroup != nil {
            problems.add(.malformedExpansion, address, "a requests-per-target policy needs its load balancer and target group of the expansion")
        }
        var configuration: [String: PropertyValue] = ["PredefinedMetricSpecification": .map(metric)]
        if let target = reader.take("target") { configuration["TargetValue"] = target }
        properties["TargetTrackingConfiguration"] = .map(configuration)
    }

    /// A bucket setting as the properties of AWS::S3::Bucket it becomes.
    mutating func bucketSetting(_ reader: inout PropertyReader) -> [String: PropertyValue] {
        switch reader.resource.type {
        case .bucketVersioning:
            return ["VersioningConfiguration": ["Status": reader.take("status") ?? "Enabled"]]
        case .bucketEncryption:
            return ["BucketEncryption": ["ServerSideEncryptionConfiguration": [["ServerSideEncryptionByDefault": ["SSEAlgorithm": reader.take("algorithm") ?? "AES256"]]]]]
        case .bucketPublicAccessBlock:
            return ["PublicAccessBlockConfiguration": [
                "BlockPublicAcls": reader.take("block_public_acls") ?? false, "IgnorePublicAcls": reader.take("ignore_public_acls") ?? false,
                "BlockPublicPolicy": reader.take("block_public_policy") ?? false, "RestrictPublicBuckets": reader.take("restrict_public_buckets") ?? false,
            ]]
        case .bucketLifecycle:
            let rules = (reader.take("rules")?.listValue ?? []).enumerated().map { index, rule -> PropertyValue in
                let map = rule.mapValue ?? [:]
                for key in Set(map.keys).subtracting(lifecycleRuleKeys).sorted() {
                    problems.add(.unknownProperty, reader.address, "lifecycle rule setting `\(key)` has no CloudFormation property in this export")
                }
                let storageClass = map["storage_class"] ?? "GLACIER"
                var converted: [String: PropertyValue] = ["Id": .string("netloom-\(index)"), "Status": "Enabled", "Prefix": map["prefix"] ?? ""]
                if let days = map["transition_days"] { converted["Transitions"] = [["TransitionInDays": days, "StorageClass": storageClass]] }
                if let days = map["noncurrent_transition_days"] {
                    converted["NoncurrentVersionTransitions"] = [["TransitionInDays": days, "StorageClass": storageClass]]
                }
                if let days = map["expire_days"] { converted["ExpirationInDays"] = days }
                return .map(converted)
            }
            return ["LifecycleConfiguration": ["Rules": .list(rules)]]
        default:
            return [:]
        }
    }
}
