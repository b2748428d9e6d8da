import NetloomModel
import NetloomPlanning
import NetloomSpec

extension RuleCatalog {
    /// The APIs a HyperPod node calls while it boots and runs: image pulls, logs, credentials, objects.
    static let clusterBootstrapServices = ["ecr.api", "ecr.dkr", "logs", "sts"]

    static let machineLearningRules: [ComplianceRule] = [
        ComplianceRule("NL-ML-001", .critical, title: "EFA security group without both self rules",
                       rationale: "EFA traffic is admitted only by rules that reference the group itself, inbound and outbound; egress to 0.0.0.0/0 does not count, and NCCL then hangs with unresponsive receivers (awsome-distributed-training issue 546).",
                       fix: "Add `ingress: { from: self, protocol: all }` and `egress: { to: self, protocol: all }` to the cluster's group.") { context in
            context.spec.clusters.filter(\.usesEFA).compactMap { cluster in
                let groups = cluster.securityGroups.compactMap { context.spec.securityGroup(named: $0) }
                func selfRule(_ rule: SecurityGroupRuleSpec) -> Bool {
                    guard rule.ipProtocol == .all else { return false }
                    switch rule.peer {
                    case .self: return true
                    // Every node carries every group of the cluster, so a reference to a sibling group is as good as self.
                    case .securityGroup(let other): return cluster.securityGroups.contains(other)
                    default: return false
                    }
                }
                let inbound = groups.contains { $0.ingress.contains(where: selfRule) }
                let outbound = groups.contains { $0.egress.contains(where: selfRule) }
                guard !inbound || !outbound else { return nil }
                var missing: [String] = []
                if !inbound { missing.append("an inbound all-traffic rule from itself") }
                if !outbound {
                    let toInternet = groups.contains { $0.egress.contains { $0.peer.isInternet } }
                    missing.append("an outbound all-traffic rule to itself" + (toInternet ? " (its egress to 0.0.0.0/0 does not count for EFA)" : ""))
                }
                let target = groups.first
                return RuleHit(address: target.map { .securityGroup($0.name) } ?? .cluster(cluster.name),
                               message: "cluster '\(cluster.name)' (\(cluster.nodes) × \(cluster.instanceType), EFA) \(target.map { "uses group '\($0.name)', which lacks" } ?? "has no security group, so it lacks") \(missing.joined(separator: " and "))",
                               location: target?.location ?? cluster.location)
            }
        },
        ComplianceRule("NL-ML-002", .high, title: "EFA cluster without a cluster placement group",
                       rationale: "EFA's latency and bandwidth assume nodes on the same network spine; spread nodes make collective operations several times slower.",
                       fix: "Remove placement: none (EFA types default to placement: cluster).") { context in
            context.spec.clusters.filter { $0.usesEFA && $0.placement == .none }.map { cluster in
                RuleHit(address: .cluster(cluster.name),
                        message: "cluster '\(cluster.name)' runs \(cluster.nodes) × \(cluster.instanceType) with EFA but placement: none", location: cluster.location)
            }
        },
        ComplianceRule("NL-ML-003", .critical, title: "Cluster subnet too small for the cluster",
                       rationale: "Each node takes a primary ENI, EFA ENIs and (on EKS) pod IPs; when the subnet runs out, nodes fail to join or pods stay Pending.",
                       fix: "Use size: auto, or a larger pinned CIDR for the cluster's AZ.") { context in
            context.spec.clusters.compactMap { cluster in
                let key = SubnetKey(subnet: cluster.subnet, az: cluster.az)
                guard let allocation = context.expanded.addressPlan[key] else { return nil }
                let usable = allocation.cidr.usableAddresses
                let total = context.expanded.demand.demand(of: key)
                guard usable < total else { return nil }
                let own = cluster.addressDemandInOwnAZ, interfaces = cluster.fileSystemInterfacesInOwnAZ
                let others = total - own
                return RuleHit(address: .subnet(key),
                               message: "\(ResourceAddress.subnet(key)) (\(allocation.cidr), \(usable.grouped) usable) cannot hold cluster '\(cluster.name)': \(cluster.totalNodes) nodes × \(cluster.ipsPerNode) IPs × \(headroomText(cluster))\(interfaces > 0 ? " + \(interfaces) file system interfaces" : "") = \(own.grouped) addresses\(others > 0 ? " plus \(others.grouped) for other placements" : "") (\((total - usable).grouped) short)",
                               location: context.spec.subnet(named: cluster.subnet).map { $0.cidrLocations[cluster.az] ?? $0.location } ?? cluster.location)
            }
        },
        ComplianceRule("NL-ML-004", .medium, title: "Cluster subnet more than 80 % used",
                       rationale: "Scaling the cluster, replacing nodes or a node-IP surge during upgrades needs free addresses; above 80 % one of them fails first.",
                       fix: "Grow the subnet (size: auto with more headroom, or a larger CIDR).") { context in
            context.spec.clusters.compactMap { cluster in
                let key = SubnetKey(subnet: cluster.subnet, az: cluster.az)
                guard let allocation = context.expanded.addressPlan[key] else { return nil }
                let usable = allocation.cidr.usableAddresses
                let total = context.expanded.demand.demand(of: key)
                guard total <= usable, Double(total) > 0.8 * Double(usable) else { return nil }
                let percent = Int((Double(total) / Double(usable) * 100).rounded())
                return RuleHit(address: .subnet(key),
                               message: "\(ResourceAddress.subnet(key)) (\(allocation.cidr)) would be \(percent) % used: \(total.grouped) of \(usable.grouped) usable addresses, \(cluster.addressDemandInOwnAZ.grouped) of them for cluster '\(cluster.name)'",
                               location: context.spec.subnet(named: cluster.subnet).map { $0.cidrLocations[cluster.az] ?? $0.location } ?? cluster.location)
            }
        },
        ComplianceRule("NL-ML-005", .high, title: "Training cluster in a public subnet",
                       rationale: "HyperPod and self-managed training nodes belong in private subnets; in a public one they get public IPs and every open port faces the internet.",
                       fix: "Move the cluster to a private subnet set (tier: private).") { context in
            context.spec.clusters.compactMap { cluster in
                guard context.spec.subnet(named: cluster.subnet)?.tier == .public else { return nil }
                return RuleHit(address: .cluster(cluster.name),
                               message: "cluster '\(cluster.name)' (\(cluster.nodes) × \(cluster.instanceType)) is placed in the public subnet '\(cluster.subnet)'", location: cluster.location)
            }
        },
        ComplianceRule("NL-ML-006", .high, title: "Cluster nodes cannot reach the AWS APIs they boot from",
                       rationale: "Without a NAT route, nodes pull images, ship logs and fetch credentials only through endpoints; a missing one makes nodes fail health checks at creation.",
                       fix: "Add the missing interface endpoints (and gateway: [s3]), or put the cluster in a private subnet with NAT.") { context in
            let spec = context.spec
            return spec.clusters.compactMap { cluster in
                guard let subnet = spec.subnet(named: cluster.subnet), subnet.tier != .public else { return nil }
                let hasNAT = subnet.tier == .private && !context.natAZs.isEmpty
                guard !hasNAT else { return nil }
                var missing = clusterBootstrapServices.filter { !spec.network.interfaceEndpoints.contains($0) }
                if !spec.network.gatewayEndpoints.contains("s3") { missing.append("s3 (gateway)") }
                guard !missing.isEmpty else { return nil }
                return RuleHit(address: .cluster(cluster.name),
                               message: "cluster '\(cluster.name)' sits in \(subnet.tier.rawValue) subnet '\(subnet.name)' with no NAT route and no endpoint for \(missing.joined(separator: ", "))",
                               location: cluster.location)
            }
        },
    ]

    static func headroomText(_ cluster: ClusterSpec) -> String {
        let factor = 1 + cluster.headroom
        let text = String(factor)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }
}

