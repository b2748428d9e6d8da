import AWSClient
import Foundation
import NetloomModel

/// What `netloom import` made of an existing VPC: a spec, the AWS id behind each address it
/// expands to (for `apply --adopt`), and what the spec language cannot say.
public struct ImportedVPC: Sendable {
    /// The spec, as YAML; what could not be expressed is listed in comments at its end.
    public var yaml: String
    /// Address -> (type, AWS id) of every resource the spec names.
    public var adoptions: [StateRecord]
    /// Things left out of the spec, one sentence each.
    public var notExpressed: [String]
}

public struct ImportError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Reads one VPC and writes the spec that expands to it: subnet sets grouped by their Name tag
/// and tier with pinned CIDRs, the NAT layout, endpoints, groups with `sg:` references, ACLs
/// and instances. A resource whose shape netloom does not build (a route table shared by two
/// public subnets, a NAT outside the first public subnet of its AZ) is left out, with a note:
/// adopting it would need netloom to build it differently.
public struct VPCImporter: Sendable {
    public var ec2: EC2
    public var elb: ELBv2
    public var region: String
    public var stack: String

    public init(ec2: EC2, elb: ELBv2, region: String, stack: String) {
        self.ec2 = ec2
        self.elb = elb
        self.region = region
        self.stack = stack
    }

    struct SubnetSet {
        var name: String
        var tier: String
        var subnets: [EC2Subnet]
    }

    public func importVPC(_ vpcID: String) async throws -> ImportedVPC {
        guard let vpc = try await ec2.describeVpcs(ids: [vpcID]).first else { throw ImportError(message: "there is no VPC \(vpcID) in \(region)") }
        if let owner = vpc.tags.value(forKey: "netloom:stack") {
            throw ImportError(message: "\(vpcID) is netloom stack '\(owner)' (tag netloom:stack=\(owner)); its own spec and state manage it, so it is not imported")
        }
        let inVPC = [AWSFilter("vpc-id", [vpcID])]
        async let subnetsRead = ec2.describeSubnets(filters: inVPC)
        async let tablesRead = ec2.describeRouteTables(filters: inVPC)
        async let gatewaysRead = ec2.describeInternetGateways(filters: [AWSFilter("attachment.vpc-id", [vpcID])])
        async let natsRead = ec2.describeNatGateways(filters: inVPC)
        async let endpointsRead = ec2.describeVpcEndpoints(filters: inVPC)
        async let groupsRead = ec2.describeSecurityGroups(filters: inVPC)
        async let aclsRead = ec2.describeNetworkACLs(filters: inVPC)
        async let instancesRead = ec2.describeInstances(filters: inVPC)
        async let flowLogsRead = ec2.describeFlowLogs(filters: [AWSFilter("resource-id", [vpcID])])
        async let balancersRead = elb.describeLoadBalancers()
        async let targetGroupsRead = elb.describeTargetGroups()
        let subnets = try await subnetsRead.filter { $0.vpcID == vpcID }.sorted { $0.subnetID < $1.subnetID }
        let tables = try await tablesRead.filter { $0.vpcID == vpcID }
        let gateways = try await gatewaysRead.filter { $0.attachedVPCIDs.contains(vpcID) }
        let nats = try await natsRead.filter { $0.vpcID == vpcID && ["available", "pending"].contains($0.state) }
        let endpoints = try await endpointsRead.filter { $0.vpcID == vpcID && !["deleted", "deleting"].contains($0.state.lowercased()) }
        let groups = try await groupsRead.filter { $0.vpcID == vpcID }
        let acls = try await aclsRead.filter { $0.vpcID == vpcID }
        let instances = try await instancesRead.filter { $0.vpcID == vpcID && !["terminated", "shutting-down"].contains($0.state) }
        let flowLogs = try await flowLogsRead.filter { $0.resourceID == vpcID }
        let balancers = try await balancersRead.filter { $0.vpcID == vpcID }.sorted { $0.name < $1.name }
        let targetGroups = try await targetGroupsRead.filter { $0.vpcID == vpcID }.sorted { $0.name < $1.name }
        let dns = try await ec2.describeVpcDNSAttributes(vpcID: vpcID)

        var notes: [String] = []
        var records: [StateRecord] = []
        func adopt(_ address: ResourceAddress, _ type: ResourceType, _ id: String) {
            records.append(StateRecord(address: address.description, type: type, awsID: id))
        }
        adopt(.vpc, .vpc, vpcID)
        if !dns.support || !dns.hostnames {
            notes.append("the VPC's DNS support or DNS hostnames is off; netloom turns both on (an update apply --adopt shows)")
        }

        // MARK: tiers, from each subnet's route table
        let mainTable = tables.first { $0.associations.contains { $0.isMain } }
        func table(of subnet: EC2Subnet) -> EC2RouteTable? {
            tables.first { $0.associations.contains { $0.subnetID == subnet.subnetID } } ?? mainTable
        }
        func defaultRoute(_ table: EC2RouteTable?) -> EC2Route? { table?.routes.first { $0.destinationCIDRBlock == "0.0.0.0/0" } }
        func tier(of subnet: EC2Subnet) -> String {
            let route = defaultRoute(table(of: subnet))
            if let gateway = route?.gatewayID, gateway.hasPrefix("igw-") { return "public" }
            if route?.natGatewayID != nil { return "private" }
            return "isolated"
        }

        // MARK: subnet sets: Name tag without its AZ, per tier
        var namer = SpecNamer()
        var sets: [SubnetSet] = []
        for subnet in subnets.sorted(by: { ($0.tags.value(forKey: "Name") ?? "", $0.availabilityZone) < ($1.tags.value(forKey: "Name") ?? "", $1.availabilityZone) }) {
            let subnetTier = tier(of: subnet)
            let base = Self.setName(subnet.tags.value(forKey: "Name"), az: subnet.availabilityZone, fallback: subnetTier)
            if let index = sets.firstIndex(where: { $0.name == base && $0.tier == subnetTier && !$0.subnets.contains { $0.availabilityZone == subnet.availabilityZone } }) {
                sets[index].subnets.append(subnet)
            } else {
                sets.append(SubnetSet(name: base, tier: subnetTier, subnets: [subnet]))
            }
        }
        var setNames: [String: String] = [:]  // subnet id -> set name
        for index in sets.indices {
            sets[index].name = namer.unique(sets[index].name)
            for subnet in sets[index].subnets { setNames[subnet.subnetID] = sets[index].name }
        }
        let azs = Array(Set(subnets.map(\.availabilityZone))).sorted()
        func key(_ subnet: EC2Subnet) -> SubnetKey? { setNames[subnet.subnetID].map { SubnetKey(subnet: $0, az: subnet.availabilityZone) } }

        for set in sets {
            for subnet in set.subnets {
                guard let key = key(subnet) else { continue }
                adopt(.subnet(key), .subnet, subnet.subnetID)
                if subnet.mapPublicIPOnLaunch != (set.tier == "public") {
                    notes.append("subnet \(subnet.subnetID) (\(key)) \(subnet.mapPublicIPOnLaunch ? "gives" : "does not give") public IPs on launch; netloom's \(set.tier) subnets \(set.tier == "public" ? "do" : "do not") (an update apply --adopt shows)")
                }
            }
        }

        // MARK: route tables
        let isolatedSubnets = sets.filter { $0.tier == "isolated" }.flatMap(\.subnets)
        for set in sets where set.tier != "isolated" {
            for subnet in set.subnets {
                guard let key = key(subnet), let own = table(of: subnet) else { continue }
                let sharedWith = subnets.filter { table(of: $0)?.routeTableID == own.routeTableID }.count
                if sharedWith == 1, !own.associations.contains(where: \.isMain) {
                    adopt(.routeTable(key), .routeTable, own.routeTableID)
                } else {
                    notes.append("subnet \(subnet.subnetID) (\(key)) uses route table \(own.routeTableID)\(sharedWith > 1 ? " with \(sharedWith - 1) other subnet(s)" : " (the VPC's main table)"); netloom gives each \(set.tier) subnet its own table, so apply --adopt would make one")
                }
            }
        }
        if !isolatedSubnets.isEmpty {
            let isolatedTables = Set(isolatedSubnets.compactMap { table(of: $0)?.routeTableID })
            if isolatedTables.count == 1, let only = isolatedTables.first, !(mainTable?.routeTableID == only),
               !subnets.contains(where: { table(of: $0)?.routeTableID == only && tier(of: $0) != "isolated" }) {
                adopt(.isolatedRouteTable, .routeTable, only)
            } else {
                notes.append("the isolated subnets use \(isolatedTables.count == 1 ? "the VPC's main route table or one shared with other tiers" : "\(isolatedTables.count) route tables"); netloom gives them one table of their own, so apply --adopt would make it")
            }
        }

        // MARK: internet and NAT gateways
        if let gateway = gateways.first {
            adopt(.internetGateway, .internetGateway, gateway.internetGatewayID)
        }
        let privateSets = sets.filter { $0.tier == "private" }
        var natMode = "none"
        if !nats.isEmpty {
            let natAZ: [String: EC2NatGateway] = Dictionary(nats.compactMap { nat in subnets.first { $0.subnetID == nat.subnetID }.map { ($0.availabilityZone, nat) } },
                                                              uniquingKeysWith: { first, _ in first })
            let privateAZs = Set(privateSets.flatMap(\.subnets).map(\.availabilityZone))
            natMode = nats.count == 1 ? "single" : "per-az"
            if nats.count > 1, !privateAZs.isSubset(of: Set(natAZ.keys)) {
                notes.append("\(nats.count) NAT gateways do not cover every AZ with private subnets; netloom's per-az NAT would add the missing ones")
            }
            for (az, nat) in natAZ.sorted(by: { $0.key < $1.key }) {
                // Netloom puts a NAT in the alphabetically first public set covering its AZ.
                let expectedSet = sets.filter { $0.tier == "public" && $0.subnets.contains { $0.availabilityZone == az } }.map(\.name).min()
                let actualSet = setNames[nat.subnetID]
                let expectedAZ = natMode == "single" ? azs.first : az
                guard actualSet == expectedSet, expectedAZ == az else {
                    notes.append("NAT gateway \(nat.natGatewayID) sits in \(actualSet ?? nat.subnetID) in \(az); netloom would put it in the first public subnet set of \(expectedAZ ?? az), so apply --adopt would make another")
                    continue
                }
                adopt(.natGateway(az: az), .natGateway, nat.natGatewayID)
                if let allocation = nat.allocationIDs.first { adopt(.natElasticIP(az: az), .elasticIP, allocation) }
            }
        } else if !privateSets.isEmpty {
            natMode = "none"
        }

        // MARK: security groups
        let importedGroups = groups.filter { $0.groupName != "default" }.sorted { $0.groupName < $1.groupName }
        var groupNames: [String: String] = [:]
        var groupNamer = SpecNamer()
        for group in importedGroups {
            let stripped = group.groupName.hasPrefix(stack + "-") ? String(group.groupName.dropFirst(stack.count + 1)) : group.groupName
            groupNames[group.groupID] = groupNamer.unique(SpecNamer.sanitize(stripped, fallback: "group"))
        }
        let prefixListNames: [String: String]
        let prefixListIDs = Set(importedGroups.flatMap(\.rules).compactMap(\.prefixListID))
        if prefixListIDs.isEmpty {
            prefixListNames = [:]
        } else {
            let lists = try await ec2.describePrefixLists(names: ["com.amazonaws.\(region).s3", "com.amazonaws.\(region).dynamodb"])
            prefixListNames = Dictionary(lists.map { ($0.prefixListID, String($0.prefixListName.split(separator: ".").last ?? "")) }, uniquingKeysWith: { first, _ in first })
        }
        var groupYAML: [String] = []
        for group in importedGroups {
            guard let name = groupNames[group.groupID] else { continue }
            adopt(.securityGroup(name), .securityGroup, group.groupID)
            var lines = ["  \(name):", "    description: \(JSONText.quoted(group.description))"]
            if group.groupName != "\(stack)-\(name)" { lines.append("    aws_name: \(JSONText.quoted(group.groupName))") }
            func peer(_ rule: EC2SecurityGroupRule) -> String? {
                if let referenced = rule.referencedGroupID {
                    if referenced == group.groupID { return "self" }
                    return groupNames[referenced].map { "sg:\($0)" }
                }
                if let list = rule.prefixListID { return prefixListNames[list].map { "prefix:\($0)" } }
                if let cidr = rule.cidrIPv4 { return cidr == "0.0.0.0/0" ? "any" : cidr == vpc.cidrBlock ? "vpc" : cidr }
                return nil
            }
            for egress in [false, true] {
                let rules = group.rules.filter { $0.isEgress == egress }
                if egress, rules.count == 1, rules[0].ipProtocol == "-1", rules[0].cidrIPv4 == "0.0.0.0/0", (rules[0].description ?? "").isEmpty { continue }
                if rules.isEmpty {
                    if egress { lines.append("    egress: []") }
                    continue
                }
                var items: [String] = []
                for rule in rules.sorted(by: { ($0.ipProtocol, $0.fromPort ?? -1, peer($0) ?? "") < ($1.ipProtocol, $1.fromPort ?? -1, peer($1) ?? "") }) {
                    guard let peerText = peer(rule), let proto = Self.protocolName(rule.ipProtocol) else {
                        notes.append("group \(group.groupName) (\(group.groupID)) has a rule netloom cannot express (\(rule.ipProtocol) \(rule.cidrIPv6 ?? rule.prefixListID ?? rule.referencedGroupID ?? "")); it is left out, and apply --adopt, which would revoke it, refuses")
                        continue
                    }
                    var fields = ["\(egress ? "to" : "from"): \(JSONText.quoted(peerText))", "protocol: \(proto)"]
                    if proto == "tcp" || proto == "udp" {
                        let from = rule.fromPort ?? 0, to = rule.toPort ?? 65535
                        fields.append("ports: \(from == to ? "\(from)" : "\"\(from)-\(to)\"")")
                    } else if proto == "icmp", let from = rule.fromPort, from != -1 {
                        notes.append("group \(group.groupName) allows ICMP type \(from) only; netloom's icmp rules take every type, so the rule is left out (apply --adopt, which would revoke it, refuses)")
                        continue
                    }
                    if let description = rule.description, !description.isEmpty { fields.append("description: \(JSONText.quoted(description))") }
                    items.append("      - { \(fields.joined(separator: ", ")) }")
                }
                if items.isEmpty {
                    if egress { lines.append("    egress: []") }
                } else {
                    lines.append(egress ? "    egress:" : "    ingress:")
                    lines += items
                }
            }
            groupYAML += lines
        }

        // MARK: endpoints
        var gatewayServices: [String] = []
        var interfaceServices: [String] = []
        var endpointSubnetSet: String?
        var endpointGroup: String?
        let servicePrefix = "com.amazonaws.\(region)."
        for endpoint in endpoints.sorted(by: { $0.serviceName < $1.serviceName }) {
            guard endpoint.serviceName.hasPrefix(servicePrefix) else {
                notes.append("endpoint \(endpoint.vpcEndpointID) to \(endpoint.serviceName) is not an AWS service endpoint; left out")
                continue
            }
            let service = String(endpoint.serviceName.dropFirst(servicePrefix.count))
            if endpoint.endpointType.lowercased() == "gateway" {
                gatewayServices.append(service)
                adopt(.vpcEndpoint(service), .vpcEndpoint, endpoint.vpcEndpointID)
            } else {
                let sets = Set(endpoint.subnetIDs.compactMap { setNames[$0] })
                let group = endpoint.securityGroupIDs.first.flatMap { groupNames[$0] }
                guard sets.count == 1, endpointSubnetSet == nil || endpointSubnetSet == sets.first, let group, endpoint.securityGroupIDs.count == 1,
                      endpointGroup == nil || endpointGroup == group else {
                    notes.append("interface endpoint \(endpoint.vpcEndpointID) (\(service)) does not share one subnet set and one group with the others; left out")
                    continue
                }
                endpointSubnetSet = sets.first
                endpointGroup = group
                interfaceServices.append(service)
                adopt(.vpcEndpoint(service), .vpcEndpoint, endpoint.vpcEndpointID)
            }
        }

        // MARK: network ACLs
        var aclYAML: [String] = []
        var aclNamer = SpecNamer()
        for acl in acls.filter({ !$0.isDefault }).sorted(by: { $0.networkACLID < $1.networkACLID }) {
            let name = aclNamer.unique(SpecNamer.sanitize(acl.tags.value(forKey: "Name") ?? "", fallback: "acl"))
            let associated = acl.associations.compactMap { association in setNames[association.subnetID].map { (association.subnetID, $0) } }
            let aclSets = Set(associated.map(\.1)).sorted()
            let whole = aclSets.allSatisfy { set in
                let all = Set(sets.first { $0.name == set }?.subnets.map(\.subnetID) ?? [])
                return all.isSubset(of: Set(associated.map(\.0)))
            }
            guard !aclSets.isEmpty, whole else {
                notes.append("network ACL \(acl.networkACLID) \(aclSets.isEmpty ? "is associated with no subnet" : "covers only part of a subnet set"); netloom's ACLs cover whole sets, so it is left out")
                continue
            }
            adopt(.networkACL(name), .networkACL, acl.networkACLID)
            var lines = ["  \(name):", "    subnets: [\(aclSets.joined(separator: ", "))]"]
            for egress in [false, true] {
                let entries = acl.entries.filter { $0.isEgress == egress && $0.ruleNumber < 32767 }.sorted { $0.ruleNumber < $1.ruleNumber }
                guard !entries.isEmpty else { continue }
                lines.append(egress ? "    egress:" : "    ingress:")
                for entry in entries {
                    guard let proto = Self.protocolName(entry.ipProtocol), let cidr = entry.cidrBlock else {
                        notes.append("network ACL \(acl.networkACLID) entry \(entry.ruleNumber) (\(entry.ipProtocol)) cannot be expressed; left out")
                        continue
                    }
                    var fields = ["rule: \(entry.ruleNumber)", "action: \(entry.ruleAction)", "protocol: \(proto)"]
                    if proto == "tcp" || proto == "udp" {
                        let from = entry.fromPort ?? 0, to = entry.toPort ?? 65535
                        fields.append("ports: \(from == to ? "\(from)" : "\"\(from)-\(to)\"")")
                    }
                    fields.append("cidr: \(cidr)")
                    lines.append("      - { \(fields.joined(separator: ", ")) }")
                }
            }
            aclYAML += lines
        }

        // MARK: instances
        var instanceYAML: [String] = []
        var instanceNames: [String: String] = [:]  // instance id -> spec name
        var instanceNamer = SpecNamer()
        for instance in instances.sorted(by: { $0.instanceID < $1.instanceID }) {
            guard let subnetID = instance.subnetID, let subnet = subnets.first(where: { $0.subnetID == subnetID }), let set = setNames[subnetID] else { continue }
            let name = instanceNamer.unique(SpecNamer.sanitize(instance.tags.value(forKey: "Name") ?? "", fallback: "instance"))
            if let profile = instance.instanceProfileARN {
                notes.append("instance \(instance.instanceID) has the instance profile \(profile), which netloom did not make; the instance is left out (a role of the spec would replace the profile)")
                continue
            }
            let groupList = instance.effectiveSecurityGroupIDs.compactMap { groupNames[$0] }
            guard groupList.count == instance.effectiveSecurityGroupIDs.count else {
                notes.append("instance \(instance.instanceID) is in the VPC's default group, which netloom does not manage; left out")
                continue
            }
            adopt(ResourceAddress(.instance, name), .instance, instance.instanceID)
            instanceNames[instance.instanceID] = name
            var lines = ["  \(name):", "    type: \(instance.instanceType)", "    ami: \(instance.imageID)", "    subnet: \(set)",
                         "    az: \(subnet.availabilityZone)"]
            if !groupList.isEmpty { lines.append("    security_groups: [\(groupList.sorted().joined(separator: ", "))]") }
            lines.append("    imdsv2: \(instance.metadataHTTPTokens == "required" ? "required" : "optional")")
            instanceYAML += lines
        }

        // MARK: target groups and load balancers
        var targetGroupYAML: [String] = []
        var targetGroupNames: [String: String] = [:]  // ARN -> spec name
        var targetGroupNamer = SpecNamer()
        for group in targetGroups {
            guard group.targetType == "instance" else {
                notes.append("target group \(group.name) has \(group.targetType) targets; netloom's take instances, so it is left out")
                continue
            }
            let name = targetGroupNamer.unique(SpecNamer.sanitize(group.name, fallback: "targets"))
            targetGroupNames[group.arn] = name
            adopt(.targetGroup(name), .targetGroup, group.arn)
            var lines = ["  \(name):", "    aws_name: \(JSONText.quoted(group.name))", "    port: \(group.port)", "    protocol: \(group.targetProtocol)"]
            if let path = group.healthCheckPath, path.hasPrefix("/") { lines.append("    health: { path: \(JSONText.quoted(path)) }") }
            var targets: [String] = []
            for target in try await elb.describeTargetHealth(targetGroupARN: group.arn) {
                guard let instance = instanceNames[target.targetID], target.port == nil || target.port == group.port else {
                    notes.append("target \(target.targetID) of target group \(group.name) is not an imported instance on the group's port; left out (apply --adopt, which would deregister it, refuses)")
                    continue
                }
                targets.append(ResourceAddress(.instance, instance).description)
            }
            if !targets.isEmpty { lines.append("    targets: [\(Array(Set(targets)).sorted().joined(separator: ", "))]") }
            targetGroupYAML += lines
        }
        var balancerYAML: [String] = []
        var balancerNamer = SpecNamer()
        for balancer in balancers {
            let balancerSets = Set(balancer.subnetIDs.compactMap { setNames[$0] })
            guard balancerSets.count == 1, let set = balancerSets.first, ["application", "network"].contains(balancer.type) else {
                notes.append("load balancer \(balancer.name) spans \(balancerSets.count) subnet sets; netloom's sit in one set, so it is left out")
                continue
            }
            let setSize = sets.first { $0.name == set }?.subnets.count ?? 0
            if balancer.subnetIDs.count != setSize {
                notes.append("load balancer \(balancer.name) is in \(balancer.subnetIDs.count) of the \(setSize) subnets of set \(set); netloom uses every AZ of the set (an update apply --adopt shows)")
            }
            var listenerLines: [String] = []
            for listener in try await elb.describeListeners(loadBalancerARN: balancer.arn).sorted(by: { $0.port < $1.port }) {
                guard ["HTTP", "TCP", "UDP", "TCP_UDP"].contains(listener.listenerProtocol),
                      let forward = listener.defaultTargetGroupARNs.first.flatMap({ targetGroupNames[$0] }) else {
                    notes.append("listener \(listener.port)/\(listener.listenerProtocol) of \(balancer.name) \(["HTTPS", "TLS"].contains(listener.listenerProtocol) ? "has a certificate the import does not read" : "does not forward to an imported target group"); left out (apply --adopt, which would delete it, refuses)")
                    continue
                }
                listenerLines.append("      - { port: \(listener.port), protocol: \(listener.listenerProtocol), forward: \(forward) }")
            }
            guard !listenerLines.isEmpty else {
                notes.append("load balancer \(balancer.name) has no listener the spec can express; left out")
                continue
            }
            let name = balancerNamer.unique(SpecNamer.sanitize(balancer.name, fallback: "balancer"))
            adopt(.loadBalancer(name), .loadBalancer, balancer.arn)
            var lines = ["  \(name):", "    aws_name: \(JSONText.quoted(balancer.name))", "    type: \(balancer.type)"]
            if ["internet-facing", "internal"].contains(balancer.scheme) {
                lines.append("    scheme: \(balancer.scheme)")
            } else {
                notes.append("load balancer \(balancer.name) reports no scheme; the spec takes the default, internet-facing")
            }
            lines.append("    subnet: \(set)")
            let groupList = balancer.securityGroupIDs.compactMap { groupNames[$0] }
            if !groupList.isEmpty { lines.append("    security_groups: [\(groupList.sorted().joined(separator: ", "))]") }
            lines.append("    listeners:")
            balancerYAML += lines + listenerLines
        }

        for log in flowLogs {
            notes.append("flow log \(log.flowLogID) (to \(log.logGroupName ?? log.logDestination ?? "?")) is not imported: netloom's flow logs go to /netloom/<stack>/flow-logs with a role of its own")
        }

        // MARK: tags: the spec has stack-wide tags only, so those every resource shares
        let adoptedIDs = Set(records.map(\.awsID))
        var tagSets: [[String: String]] = []
        func collect(_ id: String, _ tags: [AWSTag]) {
            guard adoptedIDs.contains(id) else { return }
            tagSets.append(Dictionary(tags.filter { $0.key != "Name" && !$0.key.lowercased().hasPrefix("aws:") && !$0.key.hasPrefix("netloom:") }
                .map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first }))
        }
        collect(vpc.vpcID, vpc.tags)
        for subnet in subnets { collect(subnet.subnetID, subnet.tags) }
        for table in tables { collect(table.routeTableID, table.tags) }
        for gateway in gateways { collect(gateway.internetGatewayID, gateway.tags) }
        for nat in nats { collect(nat.natGatewayID, nat.tags) }
        for group in groups { collect(group.groupID, group.tags) }
        for acl in acls { collect(acl.networkACLID, acl.tags) }
        for instance in instances { collect(instance.instanceID, instance.tags) }
        for endpoint in endpoints { collect(endpoint.vpcEndpointID, endpoint.tags) }
        var common = tagSets.first ?? [:]
        for set in tagSets.dropFirst() { common = common.filter { set[$0.key] == $0.value } }
        let dropped = Set(tagSets.flatMap { $0.filter { common[$0.key] != $0.value }.map(\.key) })
        if !dropped.isEmpty {
            notes.append("tags not on every resource (\(dropped.sorted().joined(separator: ", "))) cannot be written: the spec's tags are stack-wide, so apply --adopt removes them (its plan shows each)")
        }
        notes.append("every resource's Name tag becomes netloom's `<stack>-<address>` on apply --adopt, unless `tags:` gives one Name for all")

        // MARK: the spec
        var out: [String] = [
            "# Imported by netloom from \(vpcID) in \(region).",
            "# `netloom apply --adopt` tags these resources as the stack's; it creates and deletes nothing.",
            "stack: \(stack)",
            "region: \(region)",
        ]
        if !common.isEmpty {
            out.append("tags:")
            for (key, value) in common.sorted(by: { $0.key < $1.key }) { out.append("  \(JSONText.quoted(key)): \(JSONText.quoted(value))") }
        }
        out += [
            "network:",
            "  cidr: \(vpc.cidrBlock)",
            "  azs: [\(azs.joined(separator: ", "))]",
            "  nat: \(natMode)",
        ]
        if !gatewayServices.isEmpty || !interfaceServices.isEmpty {
            out.append("  endpoints:")
            if !gatewayServices.isEmpty { out.append("    gateway: [\(gatewayServices.joined(separator: ", "))]") }
            if !interfaceServices.isEmpty {
                out.append("    interface: [\(interfaceServices.joined(separator: ", "))]")
                if let endpointSubnetSet { out.append("    subnet: \(endpointSubnetSet)") }
                if let endpointGroup { out.append("    security_group: \(endpointGroup)") }
            }
        }
        if !sets.isEmpty {
            out.append("subnets:")
            for set in sets.sorted(by: { $0.name < $1.name }) {
                let setAZs = set.subnets.map(\.availabilityZone).sorted()
                let cidrs = set.subnets.sorted { $0.availabilityZone < $1.availabilityZone }.map { "\($0.availabilityZone): \($0.cidrBlock)" }
                var fields = ["tier: \(set.tier)"]
                if setAZs != azs { fields.append("azs: [\(setAZs.joined(separator: ", "))]") }
                fields.append("cidrs: { \(cidrs.joined(separator: ", ")) }")
                out.append("  \(set.name): { \(fields.joined(separator: ", ")) }")
            }
        }
        if !groupYAML.isEmpty { out += ["security_groups:"] + groupYAML }
        if !aclYAML.isEmpty { out += ["network_acls:"] + aclYAML }
        if !instanceYAML.isEmpty { out += ["instances:"] + instanceYAML }
        if !targetGroupYAML.isEmpty { out += ["target_groups:"] + targetGroupYAML }
        if !balancerYAML.isEmpty { out += ["load_balancers:"] + balancerYAML }
        if !notes.isEmpty {
            out.append("")
            out.append("# Not expressed in this spec (\(notes.count)):")
            for note in notes { out.append("# - " + note.replacingOccurrences(of: "\n", with: " ")) }
        }
        return ImportedVPC(yaml: out.joined(separator: "\n") + "\n", adoptions: records, notExpressed: notes)
    }

    /// A VPC's Name tag as a stack name (`[a-z][a-z0-9-]{0,39}`), or `imported`.
    public static func stackName(fromNameTag tag: String?) -> String {
        SpecNamer.sanitize(tag ?? "", fallback: "imported", maximumLength: 40)
    }

    static func protocolName(_ awsProtocol: String) -> String? {
        switch awsProtocol {
        case "tcp", "6": "tcp"
        case "udp", "17": "udp"
        case "icmp", "1": "icmp"
        case "-1", "all": "all"
        default: nil
        }
    }

    /// A subnet's Name tag without its AZ (`app-us-east-1a`, `app-1a`, `app-a` -> `app`).
    static func setName(_ tag: String?, az: String, fallback: String) -> String {
        guard var name = tag?.lowercased(), !name.isEmpty else { return fallback }
        let zoneSuffix = String(az.drop { !$0.isNumber })  // "1a"
        for cut in [az, zoneSuffix, String(az.suffix(1))] where !cut.isEmpty {
            for separator in ["-", "_", " ", "."] where name.hasSuffix(separator + cut) {
                name = String(name.dropLast(cut.count + separator.count))
            }
            if name.hasSuffix(cut), name.count > cut.count, cut == az { name = String(name.dropLast(cut.count)) }
        }
        return SpecNamer.sanitize(name, fallback: fallback)
    }
}

/// Names the spec accepts (`[a-z][a-z0-9-]*`, at most 40), unique within one map.
struct SpecNamer {
    private var used: Set<String> = []

    static func sanitize(_ text: String, fallback: String, maximumLength: Int = 36) -> String {
        var name = String(text.lowercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "-" })
        while name.contains("--") { name = name.replacingOccurrences(of: "--", with: "-") }
        name = name.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        if name.isEmpty { name = fallback }
        if let first = name.first, !first.isLetter { name = "x-" + name }
        return String(name.prefix(maximumLength)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    mutating func unique(_ name: String) -> String {
        var candidate = name, index = 2
        while used.contains(candidate) {
            candidate = "\(name)-\(index)"
            index += 1
        }
        used.insert(candidate)
        return candidate
    }
}
