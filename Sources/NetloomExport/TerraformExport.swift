import Foundation
import NetloomModel

/// A stack as a Terraform configuration in JSON syntax for hashicorp/aws 5.x: the resources
/// `netloom expand` lists, with the same names, CIDRs, rules, settings and tags, each rule its
/// own resource, and references between them as Terraform references rather than ids. What
/// Terraform builds from it is what netloom would build: `netloom plan` against it finds
/// nothing to change, because netloom adopts what carries its `netloom:stack` and
/// `netloom:address` tags, paths and names.
public struct TerraformExport: Sendable {
    /// File name (`main.tf.json`, and `variables.tf.json` when a value must come from the
    /// user) → contents.
    public var files: [String: String]

    /// The provider's version constraint: the 5.x series, whose per-rule security group
    /// resources and S3 sub-resources the configuration uses.
    public static let providerVersion = "~> 5.0"

    public static func make(_ source: ExportSource) throws(ExportError) -> TerraformExport {
        var translator = TerraformTranslator(source)
        let document = try translator.document()
        var files = ["main.tf.json": JSONText.render(document) + "\n"]
        if !translator.variables.isEmpty {
            files["variables.tf.json"] = JSONText.render(.map(["variable": .map(translator.variables)])) + "\n"
        }
        return TerraformExport(files: files)
    }
}

/// The device name of the root volume a launch template sizes: Amazon Linux's, as netloom's
/// launch template provider writes it.
let launchTemplateRootDevice = "/dev/xvda"

/// The settings of a lifecycle rule both exports translate (as the expansion writes them).
let lifecycleRuleKeys: Set<String> = ["prefix", "transition_days", "noncurrent_transition_days", "storage_class", "expire_days"]

/// The work of one export: names first (so references resolve in any order), then one block
/// per resource, each property either mapped to an argument or reported.
struct TerraformTranslator {
    let source: ExportSource
    /// Address → Terraform resource type.
    var types: [String: String] = [:]
    let names: ExportNames
    var problems = ProblemList()
    var resources: [String: [String: PropertyValue]] = [:]
    var data: [String: [String: PropertyValue]] = [:]
    var variables: [String: PropertyValue] = [:]

    init(_ source: ExportSource) {
        self.source = source
        var types: [String: String] = [:]
        for resource in source.resources { types[resource.address] = Self.terraformType(of: resource) }
        self.types = types
        names = ExportNames(addresses: source.resources.map(\.address), stack: source.stack,
                            namespace: { types[$0] ?? "" }, readable: ExportNames.terraform)
    }

    static func terraformType(of resource: Resource) -> String {
        switch resource.type {
        case .vpc: "aws_vpc"
        case .internetGateway: "aws_internet_gateway"
        case .subnet: "aws_subnet"
        case .routeTable: "aws_route_table"
        case .route: "aws_route"
        case .routeTableAssociation: "aws_route_table_association"
        case .elasticIP: "aws_eip"
        case .natGateway: "aws_nat_gateway"
        case .vpcEndpoint: "aws_vpc_endpoint"
        case .securityGroup: "aws_security_group"
        case .securityGroupRule:
            resource.properties["direction"]?.stringValue == "egress" ? "aws_vpc_security_group_egress_rule" : "aws_vpc_security_group_ingress_rule"
        case .networkACL: "aws_network_acl"
        case .networkACLEntry: "aws_network_acl_rule"
        case .networkACLAssociation: "aws_network_acl_association"
        case .logGroup: "aws_cloudwatch_log_group"
        case .iamRole: "aws_iam_role"
        case .iamRolePolicy: "aws_iam_role_policy"
        case .iamRolePolicyAttachment: "aws_iam_role_policy_attachment"
        case .iamInstanceProfile: "aws_iam_instance_profile"
        case .flowLog: "aws_flow_log"
        case .placementGroup: "aws_placement_group"
        case .instance: "aws_instance"
        case .bucket: "aws_s3_bucket"
        case .bucketVersioning: "aws_s3_bucket_versioning"
        case .bucketEncryption: "aws_s3_bucket_server_side_encryption_configuration"
        case .bucketPublicAccessBlock: "aws_s3_bucket_public_access_block"
        case .bucketLifecycle: "aws_s3_bucket_lifecycle_configuration"
        case .bucketObject: "aws_s3_object"
        case .alarm: "aws_cloudwatch_metric_alarm"
        case .targetGroup: "aws_lb_target_group"
        case .loadBalancer: "aws_lb"
        case .listener: "aws_lb_listener"
        case .targetGroupAttachment: "aws_lb_target_group_attachment"
        case .fsxFileSystem: "aws_fsx_lustre_file_system"
        case .eksCluster: "aws_eks_cluster"
        case .eksAddon: "aws_eks_addon"
        // The hashicorp/aws provider has no HyperPod cluster resource.
        case .hyperPodCluster: "aws_sagemaker_cluster"
        case .hostedZone: "aws_route53_zone"
        case .certificate: "aws_acm_certificate"
        case .certificateValidation: "aws_acm_certificate_validation"
        case .dnsRecord: "aws_route53_record"
        case .launchTemplate: "aws_launch_template"
        case .autoScalingGroup: "aws_autoscaling_group"
        case .scalingPolicy: "aws_autoscaling_policy"
        }
    }

    // MARK: the document

    mutating func document() throws(ExportError) -> PropertyValue {
        for resource in source.resources { translate(resource) }
        try problems.check(engine: "terraform")
        var document: [String: PropertyValue] = [
            "terraform": .map(["required_providers": .map(["aws": .map(["source": "hashicorp/aws", "version": .string(TerraformExport.providerVersion)])])]),
            "provider": .map(["aws": .map(["region": .string(source.region)])]),
            "resource": .map(resources.mapValues { .map($0) }),
            "output": .map(outputs()),
        ]
        if !data.isEmpty { document["data"] = .map(data.mapValues { .map($0) }) }
        return .map(document)
    }

    /// The ids `netloom output` prints, under the same keys.
    func outputs() -> [String: PropertyValue] {
        func ids(_ type: ResourceType, _ attribute: String = "id") -> PropertyValue {
            .map(Dictionary(uniqueKeysWithValues: source.outputs(of: type).map { ($0.key, .string(expression($0.address, attribute))) }))
        }
        var outputs: [String: PropertyValue] = [
            "subnets": .map(["value": ids(.subnet)]),
            "security_groups": .map(["value": ids(.securityGroup)]),
            "buckets": .map(["value": ids(.bucket)]),
            "instances": .map(["value": ids(.instance)]),
            "load_balancers": .map(["value": .map(Dictionary(uniqueKeysWithValues: source.outputs(of: .loadBalancer).map { key, address in
                (key, PropertyValue.map(["arn": .string(expression(address, "arn")), "dns_name": .string(expression(address, "dns_name"))]))
            }))]),
        ]
        if source.resources.contains(where: { $0.type == .vpc }) { outputs["vpc_id"] = .map(["value": .string(expression("vpc", "id"))]) }
        if !source.clusters.isEmpty {
            outputs["hyperpod"] = .map(["value": .map(Dictionary(uniqueKeysWithValues: source.clusters.map { cluster in
                (cluster.name, PropertyValue.map(["VpcConfig": .map([
                    "SecurityGroupIds": .list(cluster.securityGroups.filter { types[$0] != nil }.map { .string(expression($0, "id")) }),
                    "Subnets": .list(types[cluster.subnet] == nil ? [] : [.string(expression(cluster.subnet, "id"))]),
                ])]))
            }))])
        }
        return outputs
    }

    // MARK: values

    /// A zone as Terraform names it: a zone of the export, or an `existing: true` zone read
    /// with a data source by its name.
    mutating func zoneID(_ zone: PropertyValue, of address: String) -> PropertyValue {
        if zone.reference != nil { return value(zone, of: address, attribute: "zone_id") }
        guard let name = zone.stringValue.flatMap(ExistingZone.name(in:)) else { return value(zone, of: address) }
        let label = "zone_" + ExportNames.terraform(name)
        data["aws_route53_zone", default: [:]][label] = .map(["name": .string(name)])
        return .string("${data.aws_route53_zone.\(label).zone_id}")
    }

    /// `${TYPE.NAME.ATTRIBUTE}` for a resource of the export.
    func expression(_ address: String, _ attribute: String) -> String {
        "${\(types[address] ?? "?").\(names[address] ?? "?").\(attribute)}"
    }

    /// The value as Terraform reads it: a reference becomes an expression (`attribute` of the
    /// resource referred to), `${account_id}` the account of the provider's credentials, and
    /// any other `${` or `%{` is escaped so that Terraform keeps it literally.
    mutating func value(_ property: PropertyValue, of address: String, attribute: String = "id") -> PropertyValue {
        switch property {
        case .string(let text):
            if let target = property.reference {
                guard types[target.description] != nil else {
                    problems.add(.malformedExpansion, address, "refers to \(target), which the expansion does not hold")
                    return property
                }
                return .string(expression(target.description, attribute))
            }
            return .string(template(text))
        case .list(let items): return .list(items.map { value($0, of: address, attribute: attribute) })
        case .map(let members): return .map(members.mapValues { value($0, of: address, attribute: attribute) })
        default: return property
        }
    }

    mutating func template(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "${", with: "$${").replacingOccurrences(of: "%{", with: "%%{")
        guard text.contains(accountIDPlaceholder) else { return escaped }
        data["aws_caller_identity", default: [:]]["current"] = .map([:])
        return escaped.replacingOccurrences(of: "$" + accountIDPlaceholder, with: "${data.aws_caller_identity.current.account_id}")
    }

    // MARK: resources

    mutating func translate(_ resource: Resource) {
        var reader = PropertyReader(resource)
        var block: [String: PropertyValue] = [:]
        let address = resource.address

        /// Sets `argument` from `key` when the resource has it.
        func set(_ argument: String, _ key: String, attribute: String = "id") {
            if let property = reader.take(key) { block[argument] = value(property, of: address, attribute: attribute) }
        }

        switch resource.type {
        case .vpc:
            set("cidr_block", "cidr"); set("enable_dns_support", "enable_dns_support"); set("enable_dns_hostnames", "enable_dns_hostnames")
        case .internetGateway:
            set("vpc_id", "vpc")
        case .subnet:
            set("vpc_id", "vpc"); set("cidr_block", "cidr"); set("availability_zone", "az"); set("map_public_ip_on_launch", "map_public_ip_on_launch")
            reader.planningNotes("tier", "usable_ips", "demand", "allocation")
        case .routeTable:
            // No inline `route`: the routes are aws_route resources, and an inline list would fight them.
            set("vpc_id", "vpc")
            reader.planningNotes("subnet")
        case .route:
            set("route_table_id", "route_table"); set("destination_cidr_block", "destination")
            if let target = reader.take("target") {
                switch target.reference?.kind {
                case .resource(.internetGateway): block["gateway_id"] = value(target, of: address)
                case .resource(.natGateway): block["nat_gateway_id"] = value(target, of: address)
                case .resource(.vpcEndpoint): block["vpc_endpoint_id"] = value(target, of: address)
                default: problems.add(.inexpressible, address, "a route to \(target) has no aws_route target argument")
                }
            }
        case .routeTableAssociation:
            set("subnet_id", "subnet"); set("route_table_id", "route_table")
        case .elasticIP:
            set("domain", "domain")
        case .natGateway:
            set("subnet_id", "subnet"); set("allocation_id", "eip"); set("connectivity_type", "connectivity")
            reader.planningNotes("az")
        case .vpcEndpoint:
            set("vpc_id", "vpc"); set("service_name", "service_name"); set("vpc_endpoint_type", "type"); set("route_table_ids", "route_tables")
            set("subnet_ids", "subnets"); set("security_group_ids", "security_groups"); set("private_dns_enabled", "private_dns")
        case .securityGroup:
            // Neither inline `ingress` nor `egress`: every rule is its own resource. The provider
            // revokes AWS's allow-all egress rule when it creates a group, as netloom does for a
            // group whose spec lists its egress; a group that keeps AWS's default has it back as
            // the `aws_default` egress rule resource.
            set("vpc_id", "vpc"); set("name", "name"); set("description", "description")
            reader.planningNotes("keeps_default_egress")
        case .securityGroupRule:
            translateRule(&reader, into: &block)
        case .networkACL:
            // No inline entries: each is an aws_network_acl_rule.
            set("vpc_id", "vpc")
        case .networkACLEntry:
            set("network_acl_id", "network_acl"); set("rule_number", "rule_number"); set("egress", "egress"); set("rule_action", "action")
            set("cidr_block", "cidr")
            let ipProtocol = reader.string("protocol") ?? ""
            // The provider takes the protocol number (tcp 6, udp 17, icmp 1, all -1), as EC2 does.
            let number = ["tcp": "6", "udp": "17", "icmp": "1", "all": "-1"][ipProtocol] ?? ipProtocol
            block["protocol"] = .string(number)
            let from = reader.int("from_port"), to = reader.int("to_port")
            if number == "6" || number == "17" {
                block["from_port"] = .int(from ?? 0)
                block["to_port"] = .int(to ?? 0)
            } else if number == "1" {
                // Every ICMP type and code, as netloom's entry without ports.
                block["icmp_type"] = -1
                block["icmp_code"] = -1
            }
        case .networkACLAssociation:
            set("network_acl_id", "network_acl"); set("subnet_id", "subnet")
        case .logGroup:
            set("name", "name"); set("retention_in_days", "retention_days")
        case .iamRole:
            set("name", "name"); set("path", "path")
            if let policy = reader.take("assume_role_policy") { block["assume_role_policy"] = .string(template(JSONText.compact(policy))) }
        case .iamRolePolicy:
            set("role", "role", attribute: "name"); set("name", "name")
            if let policy = reader.take("document") { block["policy"] = .string(template(JSONText.compact(policy))) }
        case .iamRolePolicyAttachment:
            set("role", "role", attribute: "name"); set("policy_arn", "policy_arn")
        case .iamInstanceProfile:
            set("name", "name"); set("path", "path"); set("role", "role", attribute: "name")
        case .flowLog:
            // By log group name, as netloom creates it (CreateFlowLogs LogGroupName): moto reports
            // no LogGroupName for a flow log made with a destination ARN.
            set("vpc_id", "vpc"); set("traffic_type", "traffic_type"); set("log_group_name", "log_group", attribute: "name")
            set("iam_role_arn", "role", attribute: "arn")
        case .placementGroup:
            set("name", "name"); set("strategy", "strategy")
            reader.planningNotes("az")
        case .instance:
            translateInstance(&reader, into: &block)
        case .bucket:
            set("bucket", "bucket_name")
            if let region = reader.string("region"), region != source.region {
                problems.add(.inexpressible, address, "the bucket is in \(region), not in the provider's region \(source.region)")
            }
            // netloom's destroy empties a bucket (every version) before deleting it; so does
            // Terraform's with force_destroy.
            block["force_destroy"] = true
        case .bucketVersioning:
            set("bucket", "bucket")
            if let status = reader.take("status") { block["versioning_configuration"] = .map(["status": status]) }
        case .bucketEncryption:
            set("bucket", "bucket")
            if let algorithm = reader.take("algorithm") {
                block["rule"] = .list([.map(["apply_server_side_encryption_by_default": .map(["sse_algorithm": algorithm])])])
            }
        case .bucketPublicAccessBlock:
            set("bucket", "bucket")
            for key in ["block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"] { set(key, key) }
        case .bucketLifecycle:
            set("bucket", "bucket")
            block["rule"] = .list(lifecycleRules(reader.take("rules")?.listValue ?? [], of: address))
        case .bucketObject:
            // A folder marker: an empty object whose key ends in `/`.
            set("bucket", "bucket"); set("key", "key")
            block["content"] = ""
        case .alarm:
            set("alarm_name", "name"); set("namespace", "namespace"); set("metric_name", "metric"); set("statistic", "statistic")
            set("comparison_operator", "comparison_operator"); set("threshold", "threshold"); set("period", "period_s")
            set("evaluation_periods", "evaluation_periods")
            if let instance = reader.take("instance") { block["dimensions"] = .map(["InstanceId": value(instance, of: address)]) }
        case .targetGroup:
            set("name", "name"); set("port", "port"); set("protocol", "protocol"); set("vpc_id", "vpc"); set("target_type", "target_type")
            if let health = reader.take("health")?.mapValue {
                var check: [String: PropertyValue] = [:]
                for (key, setting) in health {
                    switch key {
                    case "path": check["path"] = setting
                    case "interval_s": check["interval"] = setting
                    // The provider takes the port as text (it may be `traffic-port`).
                    case "port": check["port"] = .string(setting.description)
                    default: problems.add(.unknownProperty, address, "health check setting `\(key)` has no Terraform argument in this export")
                    }
                }
                block["health_check"] = .list([.map(check)])
            }
        case .loadBalancer:
            set("name", "name"); set("load_balancer_type", "type"); set("subnets", "subnets")
            if let scheme = reader.string("scheme") { block["internal"] = .bool(scheme == "internal") }
            let groups = reader.take("security_groups")
            // netloom gives a network load balancer no groups (CreateLoadBalancer without them).
            if resource.properties["type"]?.stringValue != "network", let groups { block["security_groups"] = value(groups, of: address) }
        case .listener:
            set("load_balancer_arn", "load_balancer"); set("port", "port"); set("protocol", "protocol"); set("certificate_arn", "certificate_arn")
            set("ssl_policy", "ssl_policy")
            if let group = reader.take("forward") {
                block["default_action"] = .list([.map(["type": "forward", "target_group_arn": value(group, of: address)])])
            }
            if reader.take("redirect") != nil {
                block["default_action"] = .list([.map(["type": "redirect", "redirect": .list([.map(["protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"])])])])
            }
        case .hostedZone:
            set("name", "name")
            _ = reader.take("private")
            if let vpc = reader.take("private_vpc") { block["vpc"] = .list([.map(["vpc_id": value(vpc, of: address)])]) }
        case .certificate:
            set("domain_name", "domain")
            if let names = reader.take("alternative_names"), !(names.listValue ?? []).isEmpty { block["subject_alternative_names"] = value(names, of: address) }
            block["validation_method"] = "DNS"
        case .certificateValidation:
            // ACM's validation CNAMEs as one aws_route53_record per name (for_each over the
            // certificate's domain_validation_options), and the wait for ISSUED.
            _ = reader.take("names")
            guard let certificate = reader.take("certificate")?.reference?.description, let zone = reader.take("zone") else { break }
            let records = "\(names[address] ?? "validation")_validation"
            resources["aws_route53_record", default: [:]][records] = .map([
                "for_each": .string("${{for option in \(expression(certificate, "domain_validation_options").dropFirst(2).dropLast()) : option.domain_name => option}}"),
                "zone_id": zoneID(zone, of: address), "name": "${each.value.resource_record_name}", "type": "${each.value.resource_record_type}",
                "records": ["${each.value.resource_record_value}"], "ttl": 300, "allow_overwrite": true,
            ])
            block["certificate_arn"] = .string(expression(certificate, "arn"))
            block["validation_record_fqdns"] = .string("${[for record in aws_route53_record.\(records) : record.fqdn]}")
        case .dnsRecord:
            if let zone = reader.take("zone") { block["zone_id"] = zoneID(zone, of: address) }
            set("name", "name"); set("type", "type"); set("ttl", "ttl"); set("records", "values")
            if let balancer = reader.take("alias")?.reference?.description {
                block["alias"] = .list([.map(["name": .string(expression(balancer, "dns_name")), "zone_id": .string(expression(balancer, "zone_id")),
                                              "evaluate_target_health": true])])
            }
        case .targetGroupAttachment:
            set("target_group_arn", "target_group"); set("target_id", "instance"); set("port", "port")
        case .fsxFileSystem, .eksCluster, .eksAddon, .hyperPodCluster:
            // HyperPod's pieces are made by `netloom apply`; this export does not translate them yet.
            problems.add(.inexpressible, address, "\(resource.type) (a cluster's hyperpod:) is not translated to Terraform by this export; apply it with netloom")
            return
        case .launchTemplate:
            translateLaunchTemplate(&reader, into: &block)
        case .autoScalingGroup:
            translateAutoScalingGroup(&reader, into: &block)
        case .scalingPolicy:
            translateScalingPolicy(&reader, into: &block)
        }

        if let tags = reader.take("tags") {
            if resource.type == .autoScalingGroup {
                // A group's tags are `tag` blocks; they stay on the group (as netloom's
                // CreateAutoScalingGroup does): its instances get theirs from the template.
                let map = tags.mapValue ?? [:]
                block["tag"] = .list(map.keys.sorted().map { key in
                    .map(["key": .string(key), "value": value(map[key] ?? "", of: address), "propagate_at_launch": false])
                })
            } else {
                block["tags"] = value(tags, of: address)
            }
        }
        for key in reader.unread {
            problems.add(.unknownProperty, address, "property `\(key)` of \(resource.type) has no \(types[address] ?? "Terraform") argument in this export")
        }
        // Dependencies that no reference already carries.
        let referenced = Set(resource.properties.values.flatMap(\.referencedAddresses))
        let extra = resource.dependsOn.filter { !referenced.contains($0) }
        if !extra.isEmpty {
            block["depends_on"] = .list(extra.compactMap { dependency in
                guard let type = types[dependency], let name = names[dependency] else {
                    problems.add(.malformedExpansion, address, "depends on \(dependency), which the expansion does not hold")
                    return nil
                }
                return .string("\(type).\(name)")
            })
        }
        if let type = types[address], let name = names[address] { resources[type, default: [:]][name] = .map(block) }
    }

    /// One rule as aws_vpc_security_group_ingress_rule or _egress_rule. netloom's protocol
    /// `all` is `-1` without ports, as in the EC2 API; AWS's default egress rule carries no
    /// description (netloom compares it as empty).
    mutating func translateRule(_ reader: inout PropertyReader, into block: inout [String: PropertyValue]) {
        let address = reader.address
        reader.planningNotes("direction")
        if let group = reader.take("security_group") { block["security_group_id"] = value(group, of: address) }
        let ipProtocol = reader.string("protocol") ?? "all"
        let awsProtocol = ipProtocol == "all" ? "-1" : ipProtocol
        block["ip_protocol"] = .string(awsProtocol)
        let from = reader.int("from_port"), to = reader.int("to_port")
        if awsProtocol != "-1" {
            block["from_port"] = .int(from ?? -1)
            block["to_port"] = .int(to ?? -1)
        }
        if let cidr = reader.string("cidr") {
            block[cidr.contains(":") ? "cidr_ipv6" : "cidr_ipv4"] = .string(cidr)
        }
        if let peer = reader.take("peer_security_group") { block["referenced_security_group_id"] = value(peer, of: address) }
        if let prefixList = reader.string("prefix_list") {
            let name = ExportNames.terraform(prefixList)
            data["aws_ec2_managed_prefix_list", default: [:]][name] = .map(["name": .string(prefixList)])
            block["prefix_list_id"] = .string("${data.aws_ec2_managed_prefix_list.\(name).id}")
        }
        let isAWSDefault = reader.bool("aws_default") == true
        if let description = reader.take("description"), !isAWSDefault { block["description"] = value(description, of: address) }
    }

    /// An AMI as Terraform reads it: `ssm:PATH` is resolved when planning, as netloom resolves
    /// it (SSM GetParameter). A public AMI parameter is no secret: insecure_value keeps the AMI
    /// id readable in plans.
    mutating func image(_ ami: String) -> PropertyValue {
        guard ami.hasPrefix("ssm:") else { return .string(template(ami)) }
        let path = String(ami.dropFirst("ssm:".count))
        let name = ExportNames.terraform("ami" + path)
        data["aws_ssm_parameter", default: [:]][name] = .map(["name": .string(path)])
        return .string("${data.aws_ssm_parameter.\(name).insecure_value}")
    }

    mutating func translateInstance(_ reader: inout PropertyReader, into block: inout [String: PropertyValue]) {
        let address = reader.address
        func set(_ argument: String, _ key: String, attribute: String = "id") {
            if let property = reader.take(key) { block[argument] = value(property, of: address, attribute: attribute) }
        }
        set("instance_type", "instance_type"); set("subnet_id", "subnet"); set("vpc_security_group_ids", "security_groups")
        set("iam_instance_profile", "instance_profile", attribute: "name")
        reader.planningNotes("az")
        if let ami = reader.string("ami") { block["ami"] = image(ami) }
        // netloom asks for a public address only when the spec does; otherwise the subnet decides.
        if reader.bool("public_ip") == true { block["associate_public_ip_address"] = true }
        if let volume = reader.take("root_volume")?.mapValue {
            var device: [String: PropertyValue] = [:]
            for (key, setting) in volume {
                switch key {
                case "size_gb": device["volume_size"] = setting
                case "type": device["volume_type"] = setting
                case "encrypted": device["encrypted"] = setting
                default: problems.add(.unknownProperty, address, "root volume setting `\(key)` has no Terraform argument in this export")
                }
            }
            block["root_block_device"] = .list([.map(device)])
        }
        // netloom launches with the metadata endpoint on and the spec's token setting.
        var metadata: [String: PropertyValue] = ["http_endpoint": "enabled"]
        if let tokens = reader.string("metadata_http_tokens"), !tokens.isEmpty { metadata["http_tokens"] = .string(tokens) }
        block["metadata_options"] = .list([.map(metadata)])
    }

    /// A launch template as netloom's CreateLaunchTemplate makes it: one version with the
    /// image, type, groups, instance profile (by name), IMDS token setting, the root volume
    /// (deleted with the instance) and the instance tags on instances and their volumes. A new
    /// version becomes the default, as netloom's update makes it.
    mutating func translateLaunchTemplate(_ reader: inout PropertyReader, into block: inout [String: PropertyValue]) {
        let address = reader.address
        if let name = reader.take("name") { block["name"] = value(name, of: address) }
        if let type = reader.take("instance_type") { block["instance_type"] = value(type, of: address) }
        if let ami = reader.string("ami") { block["image_id"] = image(ami) }
        if let groups = reader.take("security_groups") { block["vpc_security_group_ids"] = value(groups, of: address) }
        if let profile = reader.take("instance_profile") {
            block["iam_instance_profile"] = .list([.map(["name": value(profile, of: address, attribute: "name")])])
        }
        // netloom sends HttpTokens only (the endpoint stays AWS's default, enabled).
        if let tokens = reader.string("metadata_http_tokens"), !tokens.isEmpty {
            block["metadata_options"] = .list([.map(["http_tokens": .string(tokens)])])
        }
        if let volume = reader.take("root_volume")?.mapValue {
            var ebs: [String: PropertyValue] = ["delete_on_termination": "true"]
            for (key, setting) in volume {
                switch key {
                case "size_gb": ebs["volume_size"] = setting
                case "type": ebs["volume_type"] = setting
                // The provider's schema takes this flag as text ("true"/"false").
                case "encrypted": ebs["encrypted"] = .string(setting.boolValue == true ? "true" : "false")
                default: problems.add(.unknownProperty, address, "root volume setting `\(key)` has no Terraform argument in this export")
                }
            }
            block["block_device_mappings"] = .list([.map(["device_name": .string(launchTemplateRootDevice), "ebs": .list([.map(ebs)])])])
        }
        if let tags = reader.take("instance_tags"), !(tags.mapValue ?? [:]).isEmpty {
            let tags = value(tags, of: address)
            block["tag_specifications"] = .list(["instance", "volume"].map { .map(["resource_type": .string($0), "tags": tags]) })
        }
        block["update_default_version"] = true
        // The group's name, which netloom's plan notes name in their instance refresh hint.
        reader.planningNotes("autoscaling_group_name")
    }

    /// A group as netloom's CreateAutoScalingGroup makes it: over the set's subnets, launching
    /// the template's `$Latest`, registered with its target groups. Its desired size is set at
    /// creation and then belongs to scaling, which netloom never resets: Terraform ignores its
    /// changes likewise. A destroy terminates the instances with the group (force_delete), as
    /// netloom's delete does.
    mutating func translateAutoScalingGroup(_ reader: inout PropertyReader, into block: inout [String: PropertyValue]) {
        let address = reader.address
        if let name = reader.take("name") { block["name"] = value(name, of: address) }
        if let min = reader.take("min") { block["min_size"] = min }
        if let max = reader.take("max") { block["max_size"] = max }
        if let desired = reader.take("desired") { block["desired_capacity"] = desired }
        if let subnets = reader.take("subnets") { block["vpc_zone_identifier"] = value(subnets, of: address) }
        if let template = reader.take("launch_template") {
            block["launch_template"] = .list([.map(["id": value(template, of: address), "version": "$Latest"])])
        }
        if let groups = reader.take("target_groups"), !(groups.listValue ?? []).isEmpty {
            block["target_group_arns"] = value(groups, of: address, attribute: "arn")
        }
        if let check = reader.take("health_check_type") { block["health_check_type"] = check }
        if let grace = reader.take("health_check_grace_s") { block["health_check_grace_period"] = grace }
        block["force_delete"] = true
        block["lifecycle"] = .list([.map(["ignore_changes": ["desired_capacity"]])])
    }

    /// The group's target-tracking policy: average CPU, or requests per target, whose
    /// resource label is the balancer's and the target group's ARN suffixes
    /// (`app/NAME/ID/targetgroup/NAME/ID`, as netloom derives it from the two ARNs).
    mutating func translateScalingPolicy(_ reader: inout PropertyReader, into block: inout [String: PropertyValue]) {
        let address = reader.address
        if let name = reader.take("name") { block["name"] = value(name, of: address) }
        if let group = reader.take("group") { block["autoscaling_group_name"] = value(group, of: address, attribute: "name") }
        block["policy_type"] = "TargetTrackingScaling"
        var metric: [String: PropertyValue] = [:]
        if let type = reader.take("metric") { metric["predefined_metric_type"] = type }
        let balancer = reader.take("load_balancer"), targetGroup = reader.take("target_group")
        if let balancer, let targetGroup {
            guard let balancerAddress = balancer.reference?.description, let groupAddress = targetGroup.reference?.description,
                  types[balancerAddress] != nil, types[groupAddress] != nil else {
                problems.add(.malformedExpansion, address, "a requests-per-target policy needs a load balancer and a target group of the expansion")
                return
            }
            metric["resource_label"] = .string(expression(balancerAddress, "arn_suffix") + "/" + expression(groupAddress, "arn_suffix"))
        } else if balancer != nil || targetGroup != nil {
            problems.add(.malformedExpansion, address, "a requests-per-target policy needs both its load balancer and its target group")
        }
        var configuration: [String: PropertyValue] = ["predefined_metric_specification": .list([.map(metric)])]
        if let target = reader.take("target") { configuration["target_value"] = target }
        block["target_tracking_configuration"] = .list([.map(configuration)])
    }

    /// netloom's lifecycle rules as the provider's `rule` blocks, with the ids netloom gives them
    /// (`netloom-<index>`) and every rule enabled.
    mutating func lifecycleRules(_ rules: [PropertyValue], of address: String) -> [PropertyValue] {
        rules.enumerated().map { index, rule in
            let map = rule.mapValue ?? [:]
            for key in Set(map.keys).subtracting(lifecycleRuleKeys).sorted() {
                problems.add(.unknownProperty, address, "lifecycle rule setting `\(key)` has no Terraform argument in this export")
            }
            let storageClass = map["storage_class"] ?? "GLACIER"
            var block: [String: PropertyValue] = [
                "id": .string("netloom-\(index)"), "status": "Enabled", "filter": .list([.map(["prefix": map["prefix"] ?? ""])]),
            ]
            if let days = map["transition_days"] { block["transition"] = .list([.map(["days": days, "storage_class": storageClass])]) }
            if let days = map["noncurrent_transition_days"] {
                block["noncurrent_version_transition"] = .list([.map(["noncurrent_days": days, "storage_class": storageClass])])
            }
            if let days = map["expire_days"] { block["expiration"] = .list([.map(["days": days])]) }
            return .map(block)
        }
    }
}
