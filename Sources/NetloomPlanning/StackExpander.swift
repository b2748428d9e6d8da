import NetloomModel
import NetloomSpec

/// A spec after blueprints and address planning: the resources to build and the network they make.
public struct ExpandedStack: Sendable {
    public var spec: StackSpec
    public var demand: AddressDemand
    public var addressPlan: AddressPlan
    public var graph: ResourceGraph
    public var topology: NetworkTopology
}

/// Turns a validated spec into AWS resources with stable addresses and explicit dependencies.
public enum StackExpander {
    /// `previousAllocations` come from the state so that a grown spec keeps every CIDR it had.
    public static func expand(_ spec: StackSpec, previousAllocations: [SubnetKey: CIDRBlock] = [:]) throws(SpecInvalidError) -> ExpandedStack {
        let demand = AddressDemand(spec)
        let plan = try AddressPlanner.plan(spec, demand: demand, previous: previousAllocations)
        var builder = ResourceBuilder(spec: spec, demand: demand, plan: plan)
        builder.build()
        let graph: ResourceGraph
        do {
            graph = try ResourceGraph(builder.resources)
        } catch {
            // Validation guarantees unique names and resolvable references, so this is a netloom bug;
            // it is still reported as a located error rather than a crash.
            throw SpecInvalidError(diagnostics: [Diagnostic(at: spec.location, "internal error while expanding: \(error.description)")])
        }
        return ExpandedStack(spec: spec, demand: demand, addressPlan: plan, graph: graph, topology: builder.topology())
    }
}

/// The address of a resource as a property value, so the engine can resolve it to an AWS id.
func ref(_ address: ResourceAddress) -> PropertyValue { .reference(address) }

struct ResourceBuilder {
    let spec: StackSpec
    let demand: AddressDemand
    let plan: AddressPlan
    var resources: [Resource] = []
    var routesBySubnet: [SubnetKey: [Route]] = [:]
    var sharesIsolatedRouteTable = false

    init(spec: StackSpec, demand: AddressDemand, plan: AddressPlan) {
        self.spec = spec
        self.demand = demand
        self.plan = plan
    }

    static let flowLogsName = "netloom-flow-logs"

    var hasInternetGateway: Bool {
        spec.subnets.contains { $0.tier == .public } || spec.loadBalancers.contains { $0.isInternetFacing }
    }

    func tags(_ address: ResourceAddress, name: String? = nil) -> PropertyValue {
        var tags = spec.tags.mapValues { PropertyValue.string($0) }
        tags["netloom:stack"] = .string(spec.stack)
        tags["netloom:address"] = .string(address.description)
        if tags["Name"] == nil {
            tags["Name"] = .string(name ?? "\(spec.stack)-" + String(address.description.map { $0 == ":" || $0 == "/" ? "-" : $0 }))
        }
        return .map(tags)
    }

    mutating func add(_ address: ResourceAddress, _ type: ResourceType, _ properties: [String: PropertyValue], dependsOn: [ResourceAddress] = [],
                      location: SourceLocation? = nil, taggable: Bool = true, previousNames: [String: String] = [:]) {
        var properties = properties
        if taggable { properties["tags"] = tags(address) }
        var resource = Resource(address: address.description, type: type, properties: properties, dependsOn: dependsOn.map(\.description),
                                location: location ?? spec.location)
        resource.previousNames = previousNames
        resources.append(resource)
    }

    /// The AWS name of a resource whose name is unique per account, and the one netloom
    /// derived before names carried a hash (kept by resources made then).
    func derivedName(_ kind: DerivedName.Kind, _ name: String, address: ResourceAddress) -> (name: PropertyValue, previous: String) {
        (.string(DerivedName.make(kind, stack: spec.stack, name: name, identity: address.description)), DerivedName.previous(kind, stack: spec.stack, name: name))
    }

    mutating func build() {
        buildNetwork()
        buildSecurityGroups()
        buildNetworkACLs()
        buildEndpoints()
        buildFlowLogs()
        buildRoles()
        buildBuckets()
        buildLogGroups()
        buildCompute()
        buildHyperPod()
        buildLoadBalancers()
        buildServing()
        buildAutoScalingGroups()
    }

    // MARK: VPC, subnets, gateways, routes

    mutating func buildNetwork() {
        add(.vpc, .vpc, ["cidr": .string(spec.network.cidr.description), "enable_dns_support": true, "enable_dns_hostnames": true],
            location: spec.network.location)
        if hasInternetGateway {
            add(.internetGateway, .internetGateway, ["vpc": ref(.vpc)], dependsOn: [.vpc], location: spec.network.location)
        }
        for allocation in plan.allocations {
            let key = allocation.key
            guard let subnet = spec.subnet(named: key.subnet) else { continue }
            let address = ResourceAddress.subnet(key)
            add(address, .subnet, [
                "vpc": ref(.vpc), "cidr": .string(allocation.cidr.description), "az": .string(key.az), "tier": .string(subnet.tier.rawValue),
                "usable_ips": .int(allocation.cidr.usableAddresses), "demand": .int(allocation.demand),
                "map_public_ip_on_launch": .bool(subnet.tier == .public), "allocation": .string(allocation.origin.rawValue),
            ], dependsOn: [.vpc], location: subnet.cidrLocations[key.az] ?? subnet.location)
            let table = Self.routeTable(of: key, tier: subnet.tier)
            if subnet.tier != .isolated {
                add(table, .routeTable, ["vpc": ref(.vpc), "subnet": .string(key.description)], dependsOn: [.vpc], location: subnet.location)
            } else if !sharesIsolatedRouteTable {
                sharesIsolatedRouteTable = true
                add(table, .routeTable, ["vpc": ref(.vpc), "subnet": "isolated"], dependsOn: [.vpc], location: subnet.location)
            }
            add(.routeTableAssociation(key), .routeTableAssociation, ["subnet": ref(address), "route_table": ref(table)],
                dependsOn: [address, table], location: subnet.location, taggable: false)
            var routes = [Route(destination: .cidr(spec.network.cidr), target: .local, address: table.description)]
            switch subnet.tier {
            case .public:
                let route = ResourceAddress.route(key, destination: .anywhere)
                add(route, .route, ["route_table": ref(table), "destination": "0.0.0.0/0", "target": ref(.internetGateway)],
                    dependsOn: [table, .internetGateway], location: subnet.location, taggable: false)
                routes.append(Route(destination: .cidr(.anywhere), target: .internetGateway, address: route.description))
            case .private:
                if let natAZ = natAZ(serving: key.az) {
                    let route = ResourceAddress.route(key, destination: .anywhere)
                    add(route, .route, ["route_table": ref(table), "destination": "0.0.0.0/0", "target": ref(.natGateway(az: natAZ))],
                        dependsOn: [table, .natGateway(az: natAZ)], location: subnet.location, taggable: false)
                    routes.append(Route(destination: .cidr(.anywhere), target: .natGateway(az: natAZ), address: route.description))
                }
                for service in spec.network.gatewayEndpoints {
                    routes.append(Route(destination: .prefixList(service), target: .gatewayEndpoint(service), address: ResourceAddress.vpcEndpoint(service).description))
                }
            case .isolated:
                for service in spec.network.gatewayEndpoints {
                    routes.append(Route(destination: .prefixList(service), target: .gatewayEndpoint(service), address: ResourceAddress.vpcEndpoint(service).description))
                }
            }
            routesBySubnet[key] = routes
        }
        for az in AddressDemand.natAZs(spec) {
            guard let subnetKey = demand.natSubnets[az] else { continue }
            let eip = ResourceAddress.natElasticIP(az: az)
            add(eip, .elasticIP, ["domain": "vpc"], location: spec.network.location)
            add(.natGateway(az: az), .natGateway, ["subnet": ref(.subnet(subnetKey)), "eip": ref(eip), "az": .string(az), "connectivity": "public"],
                dependsOn: [.subnet(subnetKey), eip, .internetGateway], location: spec.network.location)
        }
    }

    /// The table a subnet is associated with: its own, or for an isolated one the table all
    /// isolated subnets share.
    static func routeTable(of key: SubnetKey, tier: SubnetTier) -> ResourceAddress {
        tier == .isolated ? .isolatedRouteTable : .routeTable(key)
    }

    /// The NAT gateway a private subnet in `az` routes through: its own AZ's, or the single one.
    func natAZ(serving az: String) -> String? {
        let azs = AddressDemand.natAZs(spec)
        switch spec.network.nat {
        case .none: return nil
        case .single: return azs.first
        case .perAZ: return azs.contains(az) ? az : nil
        }
    }

    // MARK: security groups

    mutating func buildSecurityGroups() {
        for group in spec.securityGroups {
            let address = ResourceAddress.securityGroup(group.name)
            add(address, .securityGroup, ["vpc": ref(.vpc), "name": .string(group.awsName ?? "\(spec.stack)-\(group.name)"), "description": .string(group.description)],
                dependsOn: [.vpc], location: group.location)
            for rule in group.rules {
                var properties: [String: PropertyValue] = [
                    "security_group": ref(address), "direction": .string(rule.direction.rawValue), "protocol": .string(rule.ipProtocol.rawValue),
                    "from_port": .int(rule.ports?.lower ?? -1), "to_port": .int(rule.ports?.upper ?? -1),
                ]
                var dependencies = [address]
                switch rule.peer {
                case .self:
                    properties["peer_security_group"] = ref(address)
                case .securityGroup(let other):
                    properties["peer_security_group"] = ref(.securityGroup(other))
                    dependencies.append(.securityGroup(other))
                case .vpc:
                    properties["cidr"] = .string(spec.network.cidr.description)
                case .any:
                    properties["cidr"] = "0.0.0.0/0"
                case .cidr(let block):
                    properties["cidr"] = .string(block.description)
                case .prefixList(let service):
                    properties["prefix_list"] = .string("com.amazonaws.\(spec.region).\(service)")
                }
                if let description = rule.description { properties["description"] = .string(description) }
                if rule.direction == .egress, group.egressIsDefault { properties["aws_default"] = true }
                add(rule.address(group: group.name), .securityGroupRule, properties, dependsOn: dependencies, location: rule.location)
            }
        }
    }

    // MARK: network ACLs

    mutating func buildNetworkACLs() {
        for acl in spec.networkACLs {
            let address = ResourceAddress.networkACL(acl.name)
            add(address, .networkACL, ["vpc": ref(.vpc)], dependsOn: [.vpc], location: acl.location)
            for entry in acl.entries {
                var properties: [String: PropertyValue] = [
                    "network_acl": ref(address), "rule_number": .int(entry.ruleNumber), "egress": .bool(entry.direction == .egress),
                    "action": .string(entry.action.rawValue), "protocol": .string(entry.ipProtocol.rawValue), "cidr": .string(entry.cidr.description),
                ]
                if let ports = entry.ports {
                    properties["from_port"] = .int(ports.lower)
                    properties["to_port"] = .int(ports.upper)
                }
                add(.networkACLEntry(acl: acl.name, direction: entry.direction.rawValue, ruleNumber: entry.ruleNumber), .networkACLEntry, properties,
                    dependsOn: [address], location: entry.location, taggable: false)
            }
            for subnetName in acl.subnets {
                guard let subnet = spec.subnet(named: subnetName) else { continue }
                for az in spec.azs(of: subnet) {
                    let key = SubnetKey(subnet: subnetName, az: az)
                    add(.networkACLAssociation(key), .networkACLAssociation, ["network_acl": ref(address), "subnet": ref(.subnet(key))],
                        dependsOn: [address, .subnet(key)], location: acl.location, taggable: false)
                }
            }
        }
    }

    // MARK: endpoints and flow logs

    mutating func buildEndpoints() {
        for service in spec.network.gatewayEndpoints {
            var tables: [ResourceAddress] = []
            for allocation in plan.allocations {
                guard let subnet = spec.subnet(named: allocation.key.subnet), subnet.tier != .public else { continue }
                let table = Self.routeTable(of: allocation.key, tier: subnet.tier)
                if !tables.contains(table) { tables.append(table) }
            }
            add(.vpcEndpoint(service), .vpcEndpoint, [
                "vpc": ref(.vpc), "service_name": .string("com.amazonaws.\(spec.region).\(service)"), "type": "Gateway",
                "route_tables": .list(tables.map(ref)),
            ], dependsOn: [.vpc] + tables, location: spec.network.location)
        }
        guard let subnetName = spec.network.endpointSubnet, let subnet = spec.subnet(named: subnetName) else { return }
        let group = ResourceAddress.securityGroup(spec.network.endpointSecurityGroup ?? "")
        let subnets = spec.azs(of: subnet).map { ResourceAddress.subnet(SubnetKey(subnet: subnetName, az: $0)) }
        for service in spec.network.interfaceEndpoints {
            add(.vpcEndpoint(service), .vpcEndpoint, [
                "vpc": ref(.vpc), "service_name": .string("com.amazonaws.\(spec.region).\(service)"), "type": "Interface",
                "subnets": .list(subnets.map(ref)), "security_groups": .list([ref(group)]), "private_dns": true,
            ], dependsOn: [.vpc, group] + subnets, location: spec.network.location)
        }
    }

    mutating func buildFlowLogs() {
        guard spec.network.flowLogsEnabled else { return }
        let logGroup = ResourceAddress.logGroup(Self.flowLogsName), role = ResourceAddress.iamRole(Self.flowLogsName)
        var logProperties: [String: PropertyValue] = ["name": .string("/netloom/\(spec.stack)/flow-logs")]
        if let days = spec.network.flowLogRetentionDays { logProperties["retention_days"] = .int(days) }
        add(logGroup, .logGroup, logProperties, location: spec.network.location)
        let roleName = derivedName(.iamRole, Self.flowLogsName, address: role)
        add(role, .iamRole, [
            "name": roleName.name, "path": .string("/netloom/\(spec.stack)/"),
            "assume_role_policy": assumeRolePolicy(service: "vpc-flow-logs.amazonaws.com"),
        ], location: spec.network.location, previousNames: ["name": roleName.previous])
        add(.iamRolePolicy(Self.flowLogsName), .iamRolePolicy, [
            "role": ref(role), "name": "flow-logs-delivery",
            "document": policyDocument([(["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
                                         [logGroupARN("/netloom/\(spec.stack)/flow-logs"), logGroupARN("/netloom/\(spec.stack)/flow-logs") + ":*"])]),
        ], dependsOn: [role], location: spec.network.location, taggable: false)
        add(.flowLog("vpc"), .flowLog, ["vpc": ref(.vpc), "traffic_type": "ALL", "log_group": ref(logGroup), "role": ref(role)],
            dependsOn: [.vpc, logGroup, role, .iamRolePolicy(Self.flowLogsName)], location: spec.network.location)
    }

    // MARK: IAM

    func assumeRolePolicy(service: String) -> PropertyValue {
        ["Version": "2012-10-17", "Statement": [["Effect": "Allow", "Principal": ["Service": .string(service)], "Action": "sts:AssumeRole"]]]
    }

    func policyDocument(_ statements: [([String], [String])]) -> PropertyValue {
        .map(["Version": "2012-10-17", "Statement": .list(statements.map { actions, resources in
            .map(["Effect": "Allow", "Action": .list(actions.map { .string($0) }), "Resource": .list(resources.map { .string($0) })])
        })])
    }

    /// The account id is known only at apply time (STS GetCallerIdentity); `${account_id}` marks where it goes.
    func logGroupARN(_ name: String) -> String { "arn:aws:logs:\(spec.region):${account_id}:log-group:\(name)" }

    func bucketName(_ bucket: BucketSpec) -> String {
        bucket.bucketName ?? DerivedName.make(.bucket, stack: spec.stack, name: bucket.name, identity: ResourceAddress.bucket(bucket.name).description)
    }

    mutating func buildRoles() {
        for role in spec.roles {
            let address = ResourceAddress.iamRole(role.name)
            let roleName = derivedName(.iamRole, role.name, address: address)
            add(address, .iamRole, [
                "name": roleName.name, "path": .string("/netloom/\(spec.stack)/"),
                "assume_role_policy": assumeRolePolicy(service: "\(role.assumedBy).amazonaws.com"),
            ], location: role.location, previousNames: ["name": roleName.previous])
            if !role.allow.isEmpty {
                let statements = role.allow.map { statement in
                    (statement.actions, statement.resources.flatMap { resource -> [String] in
                        let named = ResourceAddress(parsing: resource)
                        if let named, named.isKind(.bucket), let bucket = spec.bucket(named: named.name) {
                            let name = bucketName(bucket)
                            return ["arn:aws:s3:::\(name)", "arn:aws:s3:::\(name)/*"]
                        }
                        if let named, named.isKind(.logGroup) {
                            let name = "/netloom/\(spec.stack)/\(named.name)"
                            return [logGroupARN(name), logGroupARN(name) + ":*"]
                        }
                        return [resource]
                    })
                }
                let dependencies = role.allow.flatMap(\.resources).compactMap { resource -> ResourceAddress? in
                    ResourceAddress(parsing: resource).flatMap { $0.isKind(.bucket) || $0.isKind(.logGroup) ? $0 : nil }
                }
                add(.iamRolePolicy(role.name), .iamRolePolicy, ["role": ref(address), "name": .string("\(role.name)-inline"), "document": policyDocument(statements)],
                    dependsOn: [address] + dependencies, location: role.location, taggable: false)
            }
            for policy in role.managedPolicies {
                let arn = policy.hasPrefix("arn:") ? policy : "arn:aws:iam::aws:policy/\(policy)"
                add(.iamRolePolicyAttachment(role: role.name, policy: policy), .iamRolePolicyAttachment,
                    ["role": ref(address), "policy_arn": .string(arn)], dependsOn: [address], location: role.location, taggable: false)
            }
            if role.assumedBy == "ec2" {
                let profile = ResourceAddress.iamInstanceProfile(role.name)
                let profileName = derivedName(.instanceProfile, role.name, address: profile)
                add(profile, .iamInstanceProfile, [
                    "name": profileName.name, "path": .string("/netloom/\(spec.stack)/"), "role": ref(address),
                ], dependsOn: [address], location: role.location, previousNames: ["name": profileName.previous])
            }
        }
    }

    // MARK: storage and logs

    mutating func buildBuckets() {
        for bucket in spec.buckets {
            let address = ResourceAddress.bucket(bucket.name)
            add(address, .bucket, ["bucket_name": .string(bucketName(bucket)), "region": .string(spec.region)], location: bucket.location,
                previousNames: bucket.bucketName == nil ? ["bucket_name": DerivedName.previous(.bucket, stack: spec.stack, name: bucket.name)] : [:])
            if bucket.versioning {
                add(.bucketVersioning(bucket.name), .bucketVersioning, ["bucket": ref(address), "status": "Enabled"],
                    dependsOn: [address], location: bucket.location, taggable: false)
            }
            if let encryption = bucket.encryption {
                add(.bucketEncryption(bucket.name), .bucketEncryption, ["bucket": ref(address), "algorithm": encryption == .kms ? "aws:kms" : "AES256"],
                    dependsOn: [address], location: bucket.location, taggable: false)
            }
            if bucket.publicAccessBlock {
                add(.bucketPublicAccessBlock(bucket.name), .bucketPublicAccessBlock, [
                    "bucket": ref(address), "block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": true,
                ], dependsOn: [address], location: bucket.location, taggable: false)
            }
            if !bucket.lifecycle.isEmpty {
                let rules: [PropertyValue] = bucket.lifecycle.map { rule in
                    var map: [String: PropertyValue] = ["prefix": .string(rule.prefix)]
                    if let days = rule.transitionDays { map["transition_days"] = .int(days) }
                    if let days = rule.noncurrentTransitionDays { map["noncurrent_transition_days"] = .int(days) }
                    if let storageClass = rule.storageClass { map["storage_class"] = .string(storageClass) }
                    if let days = rule.expireDays { map["expire_days"] = .int(days) }
                    return .map(map)
                }
                add(.bucketLifecycle(bucket.name), .bucketLifecycle, ["bucket": ref(address), "rules": .list(rules)],
                    dependsOn: [address] + (bucket.versioning ? [.bucketVersioning(bucket.name)] : []), location: bucket.location, taggable: false)
            }
            for folder in bucket.folders {
                add(.bucketObject(bucket: bucket.name, key: folder), .bucketObject, ["bucket": ref(address), "key": .string(folder)],
                    dependsOn: [address], location: bucket.location, taggable: false)
            }
        }
    }

    mutating func buildLogGroups() {
        for group in spec.logGroups {
            var properties: [String: PropertyValue] = ["name": .string("/netloom/\(spec.stack)/\(group.name)")]
            if let days = group.retentionDays { properties["retention_days"] = .int(days) }
            add(.logGroup(group.name), .logGroup, properties, location: group.location)
        }
    }

    // MARK: compute

    mutating func buildCompute() {
        for cluster in spec.clusters where cluster.placement == .cluster {
            let address = ResourceAddress.placementGroup(cluster.name)
            let groupName = derivedName(.placementGroup, cluster.name, address: address)
            add(address, .placementGroup, ["name": groupName.name, "strategy": "cluster", "az": .string(cluster.az)],
                location: cluster.location, previousNames: ["name": groupName.previous])
        }
        for instance in spec.instances {
            for index in 0..<instance.count {
                let address = AddressDemand.instanceResourceAddress(instance, index: index)
                guard let az = demand.instanceAZs[address.description] else { continue }
                let subnet = ResourceAddress.subnet(SubnetKey(subnet: instance.subnet, az: az))
                let groups = instance.securityGroups.map(ResourceAddress.securityGroup)
                var properties: [String: PropertyValue] = [
                    "instance_type": .string(instance.type), "ami": .string(instance.ami.description), "subnet": ref(subnet), "az": .string(az),
                    "security_groups": .list(groups.map(ref)), "public_ip": .bool(instance.publicIP),
                    "root_volume": ["size_gb": .int(instance.rootVolume.sizeGB), "type": .string(instance.rootVolume.type), "encrypted": .bool(instance.rootVolume.encrypted)],
                    "metadata_http_tokens": .string(instance.imdsv2Required ? "required" : "optional"),
                ]
                var dependencies = [subnet] + groups
                if let role = instance.role, spec.role(named: role) != nil {
                    properties["instance_profile"] = ref(.iamInstanceProfile(role))
                    dependencies.append(.iamInstanceProfile(role))
                    if let policy = spec.role(named: role), !policy.allow.isEmpty { dependencies.append(.iamRolePolicy(role)) }
                }
                // An instance in a private subnet needs its route out before boot scripts run.
                if let tier = spec.subnet(named: instance.subnet)?.tier, tier != .isolated {
                    dependencies.append(.routeTableAssociation(SubnetKey(subnet: instance.subnet, az: az)))
                }
                add(address, .instance, properties, dependsOn: dependencies, location: instance.location)
            }
        }
        for alarm in spec.alarms {
            guard let instance = spec.instance(named: alarm.instance) else { continue }
            for index in 0..<instance.count {
                let target = AddressDemand.instanceResourceAddress(instance, index: index)
                let address = ResourceAddress.alarm(alarm.name, index: instance.count == 1 ? nil : index)
                let alarmName = derivedName(.alarm, "\(alarm.name)\(instance.count == 1 ? "" : "-\(index)")", address: address)
                add(address, .alarm, [
                    "name": alarmName.name, "namespace": "AWS/EC2",
                    "metric": .string(alarm.metric), "statistic": .string(alarm.statistic), "comparison_operator": .string(alarm.comparisonOperator),
                    "threshold": .double(alarm.threshold), "period_s": .int(alarm.periodSeconds), "evaluation_periods": .int(alarm.evaluationPeriods),
                    "instance": ref(target),
                ], dependsOn: [target], location: alarm.location, previousNames: ["name": alarmName.previous])
            }
        }
    }

    // MARK: load balancing

    mutating func buildLoadBalancers() {
        for group in spec.targetGroups {
            let address = ResourceAddress.targetGroup(group.name)
            var health: [String: PropertyValue] = ["interval_s": .int(group.health.intervalSeconds)]
            if let path = group.health.path { health["path"] = .string(path) }
            if let port = group.health.port { health["port"] = .int(port) }
            let groupName = derivedName(.targetGroup, group.name, address: address)
            add(address, .targetGroup, ["name": group.awsName.map(PropertyValue.string) ?? groupName.name, "vpc": ref(.vpc), "port": .int(group.port),
                                        "protocol": .string(group.protocol), "target_type": "instance", "health": .map(health)],
                dependsOn: [.vpc], location: group.location, previousNames: group.awsName == nil ? ["name": groupName.previous] : [:])
            for instanceName in group.targets {
                guard let instance = spec.instance(named: instanceName) else { continue }
                for index in 0..<instance.count {
                    let target = AddressDemand.instanceResourceAddress(instance, index: index)
                    add(.targetGroupAttachment(group: group.name, target: target), .targetGroupAttachment,
                        ["target_group": ref(address), "instance": ref(target), "port": .int(group.port)],
                        dependsOn: [address, target], location: group.location, taggable: false)
                }
            }
        }
        for lb in spec.loadBalancers {
            guard let subnet = spec.subnet(named: lb.subnet) else { continue }
            let address = ResourceAddress.loadBalancer(lb.name)
            let subnets = spec.azs(of: subnet).map { ResourceAddress.subnet(SubnetKey(subnet: lb.subnet, az: $0)) }
            let groups = lb.securityGroups.map(ResourceAddress.securityGroup)
            let balancerName = derivedName(.loadBalancer, lb.name, address: address)
            add(address, .loadBalancer, [
                "name": lb.awsName.map(PropertyValue.string) ?? balancerName.name, "type": .string(lb.type), "scheme": .string(lb.scheme),
                "subnets": .list(subnets.map(ref)), "security_groups": .list(groups.map(ref)),
            ], dependsOn: subnets + groups + (lb.isInternetFacing ? [.internetGateway] : []), location: lb.location,
                previousNames: lb.awsName == nil ? ["name": balancerName.previous] : [:])
            for listener in lb.listeners {
                var properties: [String: PropertyValue] = ["load_balancer": ref(address), "port": .int(listener.port), "protocol": .string(listener.protocol)]
                var needs = [address]
                if let forward = listener.forward {
                    properties["forward"] = ref(.targetGroup(forward))
                    needs.append(.targetGroup(forward))
                }
                if listener.redirectsToHTTPS { properties["redirect"] = "https" }
                if let certificate = listener.certificateARN { properties["certificate_arn"] = .string(certificate) }
                if let certificate = listener.certificate {
                    // The listener stands on the validation, not only the certificate: AWS refuses
                    // (and moto accepts) a listener whose certificate is not ISSUED yet.
                    properties["certificate_arn"] = ref(.certificate(certificate))
                    needs += [.certificate(certificate), .certificateValidation(certificate)]
                }
                if let policy = listener.sslPolicy { properties["ssl_policy"] = .string(policy) }
                add(.listener(loadBalancer: lb.name, port: listener.port), .listener, properties, dependsOn: needs, location: listener.location)
            }
        }
    }

    // MARK: topology

    func topology() -> NetworkTopology {
        var aclBySubnet: [String: String] = [:]
        for acl in spec.networkACLs { for subnet in acl.subnets { aclBySubnet[subnet] = acl.name } }
        let subnets = plan.allocations.compactMap { allocation -> TopologySubnet? in
            guard let subnet = spec.subnet(named: allocation.key.subnet) else { return nil }
            return TopologySubnet(key: allocation.key, tier: subnet.tier, cidr: allocation.cidr, routes: routesBySubnet[allocation.key] ?? [],
                                  routeTable: Self.routeTable(of: allocation.key, tier: subnet.tier), networkACL: aclBySubnet[subnet.name])
        }
        var interfaces: [NetworkInterface] = []
        for allocation in plan.allocations {
            // Addresses are handed out in placement order from the first usable one (AWS keeps .0-.3).
            var next = allocation.cidr.base.value + 4
            for placement in demand.placements[allocation.key] ?? [] {
                let ip = IPv4Address(next)
                next += UInt32(placement.addresses)
                switch placement.kind {
                case .cluster:
                    guard let cluster = spec.cluster(named: ResourceAddress(parsing: placement.owner)?.name ?? "") else { continue }
                    guard cluster.hyperPod != nil else {
                        interfaces.append(NetworkInterface(id: placement.owner, kind: .clusterNode, owner: placement.owner, subnet: allocation.key, privateIP: ip,
                                                           publicIP: false, securityGroups: cluster.securityGroups, count: cluster.nodes, service: nil))
                        continue
                    }
                    // HyperPod gives every group the cluster's VpcConfig: same subnet, same groups.
                    // Each group is its own interface so `cluster:NAME/GROUP` can name it; workers first.
                    var groupIP = ip.value
                    for group in cluster.nodeGroups.sorted(by: { ($0.name == HyperPodSpec.workerGroup ? 0 : 1, $0.name) < ($1.name == HyperPodSpec.workerGroup ? 0 : 1, $1.name) }) {
                        interfaces.append(NetworkInterface(id: ResourceAddress.clusterGroup(cluster.name, group.name).description, kind: .clusterNode, owner: placement.owner,
                                                           subnet: allocation.key, privateIP: IPv4Address(groupIP), publicIP: false,
                                                           securityGroups: cluster.securityGroups, count: group.count, service: nil))
                        groupIP += UInt32(group.count * cluster.ipsPerNode)
                    }
                case .fileSystem:
                    guard let owner = ResourceAddress(parsing: placement.owner) else { continue }
                    interfaces.append(NetworkInterface(id: placement.owner, kind: .fileSystem, owner: placement.owner, subnet: allocation.key, privateIP: ip,
                                                       publicIP: false, securityGroups: [HyperPodNames.fileSystemGroup(owner.name)], count: 1, service: nil))
                case .instance:
                    guard let instance = instanceSpec(for: placement.owner) else { continue }
                    interfaces.append(NetworkInterface(id: placement.owner, kind: .instance, owner: placement.owner, subnet: allocation.key, privateIP: ip,
                                                       publicIP: instance.publicIP, securityGroups: instance.securityGroups, count: 1, service: nil))
                case .interfaceEndpoint:
                    let group = spec.network.endpointSecurityGroup ?? ""
                    for (offset, service) in spec.network.interfaceEndpoints.enumerated() {
                        let owner = ResourceAddress.vpcEndpoint(service)
                        interfaces.append(NetworkInterface(id: owner.appending(allocation.key.az).description, kind: .interfaceEndpoint, owner: owner.description,
                                                           subnet: allocation.key, privateIP: IPv4Address(ip.value + UInt32(offset)), publicIP: false,
                                                           securityGroups: [group], count: 1, service: service))
                    }
                case .natGateway:
                    interfaces.append(NetworkInterface(id: placement.owner, kind: .natGateway, owner: placement.owner, subnet: allocation.key, privateIP: ip,
                                                       publicIP: true, securityGroups: [], count: 1, service: nil))
                case .autoScalingGroup:
                    guard let owner = ResourceAddress(parsing: placement.owner), let group = spec.autoScalingGroup(named: owner.name),
                          let subnet = spec.subnet(named: group.subnet) else { continue }
                    // The subnet set's public IP setting decides: a launch template asks for none of its own.
                    interfaces.append(NetworkInterface(id: ResourceAddress.autoScalingInstances(group: group.name, az: allocation.key.az).description, kind: .autoScalingInstance,
                                                       owner: placement.owner, subnet: allocation.key, privateIP: ip, publicIP: subnet.tier == .public,
                                                       securityGroups: group.securityGroups, count: placement.addresses, service: nil))
                case .loadBalancer:
                    guard let owner = ResourceAddress(parsing: placement.owner), let lb = spec.loadBalancer(named: owner.name) else { continue }
                    interfaces.append(NetworkInterface(id: owner.appending(allocation.key.az).description, kind: .loadBalancer, owner: placement.owner, subnet: allocation.key,
                                                       privateIP: ip, publicIP: lb.isInternetFacing, securityGroups: lb.securityGroups, count: 1, service: nil))
                }
            }
        }
        return NetworkTopology(vpc: spec.network.cidr, subnets: subnets, interfaces: interfaces, hasInternetGateway: hasInternetGateway)
    }

    func instanceSpec(for address: String) -> InstanceSpec? {
        spec.instance(named: ResourceAddress(parsing: address)?.name ?? "")
    }
}
