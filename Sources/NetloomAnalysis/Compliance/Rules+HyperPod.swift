import NetloomModel
import NetloomPlanning
import NetloomSpec

/// Rules for clusters netloom creates itself (`hyperpod:`): their file system, lifecycle
/// bucket, EKS control plane and the AWS APIs the nodes must reach while they are created.
extension RuleCatalog {
    /// Free addresses EKS asks for in each control-plane subnet: it needs six to create the
    /// cluster and recommends 16, because upgrades place new interfaces before removing the old.
    static let eksControlPlaneFreeAddresses = 16

    static let hyperPodRules: [ComplianceRule] = [
        ComplianceRule("NL-HP-001", .high, title: "Cluster cannot reach its file system on the Lustre ports",
                       rationale: "Lustre clients connect to the file system on TCP 988 and 1018-1023; FSx refuses a group without them at creation, and when a network ACL or a group rule drops them the nodes hang at mount in their lifecycle script and HyperPod marks them unhealthy.",
                       fix: "Allow TCP 988 and 1018-1023 between the cluster's groups and the file system's group (netloom adds them unless the spec overrides them), and in every network ACL between the cluster's and the file system's subnets.") { context in
            let clusters = context.spec.clusters.filter { $0.hyperPod?.fsxLustre != nil }
            guard !clusters.isEmpty, let analyzer = context.reachability else { return [] }
            return clusters.compactMap { cluster in
                guard let fsx = cluster.hyperPod?.fsxLustre else { return nil }
                let ports = [988] + Array(1018...1023)
                let blocked = ports.compactMap { port -> (Int, ReachabilityVerdict)? in
                    let verdict = analyzer.evaluate(ReachabilityQuery(from: .cluster(cluster.name), to: .fileSystem(cluster.name), ipProtocol: .tcp, port: port))
                    return verdict.reachable ? nil : (port, verdict)
                }
                guard let (firstPort, firstVerdict) = blocked.first else { return nil }
                let reason = firstVerdict.explanations.first.map { ": \($0)" } ?? ""
                return RuleHit(address: .fsxFileSystem(cluster.name),
                               message: "cluster '\(cluster.name)' cannot reach its file system on tcp \(blocked.map { String($0.0) }.joined(separator: ", ")) (port \(firstPort)\(reason))",
                               location: fsx.location)
            }
        },
        ComplianceRule("NL-HP-002", .medium, title: "File system in another AZ than its cluster",
                       rationale: "Every read and write then crosses AZs: slower I/O for training and checkpoints, and inter-AZ data transfer billed at $0.01/GB in each direction.",
                       fix: "Remove storage.fsx_lustre.az (the file system then sits in the cluster's AZ), or set it to the cluster's AZ.") { context in
            context.spec.clusters.compactMap { cluster in
                guard let fsx = cluster.hyperPod?.fsxLustre, let az = cluster.fileSystemAZ, az != cluster.az else { return nil }
                return RuleHit(address: .fsxFileSystem(cluster.name),
                               message: "the file system of cluster '\(cluster.name)' is in \(az) while the cluster's nodes are in \(cluster.az)",
                               location: fsx.location)
            }
        },
        ComplianceRule("NL-HP-003", .high, title: "Lifecycle bucket the cluster's role cannot read",
                       rationale: "AmazonSageMakerClusterInstanceRolePolicy grants reads only on buckets named sagemaker-*; with another name the nodes cannot fetch their lifecycle scripts and cluster creation fails.",
                       fix: "Name the bucket sagemaker-..., or drop lifecycle_bucket so netloom creates one with that prefix.") { context in
            context.spec.clusters.compactMap { cluster in
                guard let hyperPod = cluster.hyperPod, let bucket = hyperPod.lifecycleBucket, !bucket.hasPrefix("sagemaker-") else { return nil }
                return RuleHit(address: .hyperPodCluster(cluster.name),
                               message: "cluster '\(cluster.name)' takes its lifecycle scripts from '\(bucket)', which the managed policy (sagemaker-* buckets only) does not let its nodes read",
                               location: hyperPod.location)
            }
        },
        ComplianceRule("NL-HP-004", .high, title: "EKS control plane with room in only one AZ",
                       rationale: "EKS places the control plane's interfaces in the subnets given and needs free addresses in each (six at least, 16 recommended, more during upgrades); with room in one AZ only, the control plane cannot fail over or be upgraded when that AZ is impaired.",
                       fix: "Give eks.subnets a subnet set with at least 16 free addresses in two or more AZs (a larger size, or fewer placements in it).") { context in
            context.spec.clusters.compactMap { cluster in
                guard let eks = cluster.eks, let subnet = context.spec.subnet(named: eks.subnets) else { return nil }
                let room = context.spec.azs(of: subnet).map { az -> (az: String, free: Int?) in
                    let key = SubnetKey(subnet: subnet.name, az: az)
                    guard let allocation = context.expanded.addressPlan[key] else { return (az, nil) }
                    return (az, allocation.cidr.usableAddresses - context.expanded.demand.demand(of: key))
                }
                // A subnet the plan could not place is reported by the planner, not here.
                guard room.allSatisfy({ $0.free != nil }) else { return nil }
                let usable = room.filter { ($0.free ?? 0) >= eksControlPlaneFreeAddresses }
                guard usable.count < 2 else { return nil }
                let detail = room.map { "\($0.az) \($0.free ?? 0) free" }.joined(separator: ", ")
                return RuleHit(address: .eksCluster(cluster.name),
                               message: "the EKS control plane of cluster '\(cluster.name)' has \(eksControlPlaneFreeAddresses)+ free addresses in \(usable.count) AZ of subnet '\(subnet.name)' (\(detail))",
                               location: eks.location)
            }
        },
        ComplianceRule("NL-HP-005", .high, title: "HyperPod nodes without a route to S3 and the SageMaker API",
                       rationale: "While a node is created it downloads its lifecycle scripts from S3 and reports to the SageMaker API; without a path to either, creation stalls and the cluster ends Failed.",
                       fix: "Put the cluster in a private subnet with NAT, or add network.endpoints gateway: [s3] and interface: [sagemaker.api], with group rules that allow TCP 443 to them.") { context in
            let clusters = context.spec.clusters.filter { $0.hyperPod != nil }
            guard !clusters.isEmpty, let analyzer = context.reachability else { return [] }
            let spec = context.spec
            return clusters.compactMap { cluster in
                let sageMakerAPI: Endpoint = spec.network.interfaceEndpoints.contains("sagemaker.api") ? .interfaceEndpoint("sagemaker.api") : .internet
                let targets: [(what: String, end: Endpoint)] = [("S3", .service("s3")), ("the SageMaker API", sageMakerAPI)]
                var missing: [String] = []
                for group in cluster.nodeGroups where group.name != HyperPodSpec.loginGroup {
                    let from: Endpoint = .clusterGroup(cluster: cluster.name, group: group.name)
                    for target in targets {
                        let verdict = analyzer.evaluate(ReachabilityQuery(from: from, to: target.end, ipProtocol: .tcp, port: 443))
                        guard !verdict.reachable else { continue }
                        let via = target.end == .internet ? " through NAT (no sagemaker.api endpoint)" : ""
                        missing.append("\(group.name) → \(target.what)\(via)\(verdict.explanations.first.map { " (\($0.code))" } ?? "")")
                    }
                }
                guard !missing.isEmpty else { return nil }
                return RuleHit(address: .hyperPodCluster(cluster.name),
                               message: "cluster '\(cluster.name)' has no path on tcp 443 for \(missing.joined(separator: "; "))",
                               location: cluster.hyperPod?.location ?? cluster.location)
            }
        },
    ]
}
