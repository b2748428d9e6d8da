import NetloomModel
import NetloomPlanning
import NetloomSpec

extension RuleCatalog {
    static let networkRules: [ComplianceRule] = [
        ComplianceRule("NL-NET-001", .high, title: "Public IP on an instance in a private subnet",
                       rationale: "A public IP in a subnet without an internet-gateway route is either useless or a sign the instance was meant to be exposed; either way the spec and the intent disagree.",
                       fix: "Set public_ip: false, or move the instance to a public subnet if it must be reachable.",
                       checkov: ["CKV_AWS_88"]) { context in
            context.spec.instances.compactMap { instance in
                guard instance.publicIP, let subnet = context.spec.subnet(named: instance.subnet), subnet.tier != .public else { return nil }
                return RuleHit(address: .instance(instance.name),
                               message: "instance '\(instance.name)' asks for a public IP in the \(subnet.tier.rawValue) subnet '\(subnet.name)', which has no route to the internet gateway",
                               location: instance.location)
            }
        },
        ComplianceRule("NL-NET-002", .medium, title: "VPC without flow logs",
                       rationale: "Without flow logs there is no record of who talked to what, which rules out most incident investigation.",
                       fix: "Set network.flow_logs: { retention_days: 30 } (or longer).",
                       checkov: ["CKV2_AWS_11"], trivy: ["AVD-AWS-0178"]) { context in
            guard !context.spec.network.flowLogsEnabled else { return [] }
            return [RuleHit(address: .vpc, message: "the VPC of stack '\(context.spec.stack)' (\(context.spec.network.cidr)) records no flow logs",
                            location: context.spec.network.location)]
        },
        ComplianceRule("NL-NET-003", .medium, title: "One NAT gateway serves private subnets in several AZs",
                       rationale: "When the NAT gateway's AZ fails, private subnets in the other AZs lose their route out, and their traffic crosses AZs at $0.01/GB each way.",
                       fix: "Use network.nat: per-az for production stacks; keep single only where an AZ outage is acceptable (dev).") { context in
            guard context.spec.network.nat == .single, let natAZ = context.natAZs.first else { return [] }
            // Only AZs whose private subnets hold instances or cluster nodes lose anything in an outage.
            let dependent = context.spec.subnets.filter { $0.tier == .private }.flatMap { subnet in
                context.spec.azs(of: subnet).filter { $0 != natAZ }.map { SubnetKey(subnet: subnet.name, az: $0) }
            }.filter { !context.workloads(in: $0).isEmpty }
            guard !dependent.isEmpty else { return [] }
            let owners = Set(dependent.flatMap { context.workloads(in: $0).map(\.owner) }).sorted()
            return [RuleHit(address: .natGateway(az: natAZ),
                            message: "the single NAT gateway in \(natAZ) also carries \(dependent.map { ResourceAddress.subnet($0).description }.joined(separator: ", ")) (\(owners.joined(separator: ", "))); an outage of \(natAZ) cuts them off",
                            location: context.spec.network.location)]
        },
        ComplianceRule("NL-NET-004", .high, title: "Endpoint group refuses HTTPS from its clients",
                       rationale: "With private DNS on, every AWS API call from the VPC goes to the endpoint; if its group drops tcp 443 from a client, SSM, ECR pulls and log shipping time out.",
                       fix: "Add an ingress rule to the endpoint group: tcp 443 from vpc, or from each client group (sg:NAME).") { context in
            let spec = context.spec
            guard let groupName = spec.network.endpointSecurityGroup, !spec.network.interfaceEndpoints.isEmpty,
                  let group = spec.securityGroup(named: groupName) else { return [] }
            let topology = context.expanded.topology
            let clients = topology.interfaces.filter { $0.kind == .instance || $0.kind == .clusterNode || $0.kind == .autoScalingInstance }
            let refused = clients.filter { client in
                let subnet = topology.subnet(client.subnet)?.cidr
                return !group.ingress.contains { rule in
                    guard rule.admits(.tcp, port: 443) else { return false }
                    switch rule.peer {
                    case .any, .vpc: return true
                    case .cidr(let block): return subnet.map { block.contains($0) } ?? block.contains(client.privateIP)
                    case .self: return client.securityGroups.contains(groupName)
                    case .securityGroup(let other): return client.securityGroups.contains(other)
                    case .prefixList: return false
                    }
                }
            }
            guard !refused.isEmpty else { return [] }
            let names = refused.map { "\($0.owner) in \($0.subnet)" + ($0.securityGroups.isEmpty ? "" : " (groups \($0.securityGroups.joined(separator: ", ")))") }
            return [RuleHit(address: .securityGroup(groupName),
                            message: "the interface endpoints (\(spec.network.interfaceEndpoints.joined(separator: ", "))) use security group '\(groupName)', which does not admit tcp 443 from \(names.joined(separator: "; "))",
                            location: group.location)]
        },
        ComplianceRule("NL-NET-005", .medium, title: "Network ACL allows SSH or RDP from the internet",
                       rationale: "The subnet's ACL is the second layer of defence; allowing 22 or 3389 from 0.0.0.0/0 there leaves the security group as the only guard.",
                       fix: "Add a deny entry for tcp 22 and 3389 from 0.0.0.0/0 below the allow, or narrow the allow's CIDR.",
                       checkov: ["CKV_AWS_232", "CKV_AWS_231"], trivy: ["AVD-AWS-0105"]) { context in
            context.spec.networkACLs.flatMap { acl -> [RuleHit] in
                let ordered = acl.ingress.sorted { $0.ruleNumber < $1.ruleNumber }
                return remoteAdminPorts.compactMap { port -> RuleHit? in
                    // First match wins (AWS-NOTES.md): only the first entry that matches internet traffic to the port decides.
                    let decisive = ordered.first { entry in
                        entry.cidr.contains(IPv4Address(0xC633_6407)) // 198.51.100.7, a documentation address standing for "the internet"
                            && entry.ipProtocol.matches(.tcp) && (entry.ports?.contains(port.port) ?? true)
                    }
                    guard let decisive, decisive.action == .allow, decisive.cidr.prefix == 0 else { return nil }
                    // A wide range above 1023 is the return path for outbound connections (ephemeral
                    // ports, AWS-NOTES.md) and only covers 3389 incidentally; flag deliberate openings.
                    if let ports = decisive.ports, ports.lower >= 1024, ports.count > 1000 { return nil }
                    return RuleHit(address: .networkACLEntry(acl: acl.name, direction: "ingress", ruleNumber: decisive.ruleNumber),
                                   message: "network ACL '\(acl.name)' rule \(decisive.ruleNumber) allows \(port.name) (tcp \(port.port)) from \(decisive.cidr) into \(acl.subnets.joined(separator: ", "))",
                                   location: decisive.location)
                }
            }
        },
    ]
}
