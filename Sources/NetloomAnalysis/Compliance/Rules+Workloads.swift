import NetloomModel
import NetloomSpec

extension RuleCatalog {
    static let instanceRules: [ComplianceRule] = [
        ComplianceRule("NL-EC2-001", .high, title: "Instance allows IMDSv1",
                       rationale: "IMDSv1 answers unauthenticated GETs, so an SSRF in a notebook or model server hands out the instance role's credentials.",
                       fix: "Remove imdsv2: optional (the default is required).",
                       checkov: ["CKV_AWS_79"], trivy: ["AVD-AWS-0028"]) { context in
            context.spec.instances.filter { !$0.imdsv2Required }.map { instance in
                RuleHit(address: .instance(instance.name),
                        message: "instance '\(instance.name)' (\(instance.type)) accepts IMDSv1 requests (imdsv2: optional)\(instance.role.map { "; its role '\($0)' is one SSRF away" } ?? "")",
                        location: instance.location)
            } + context.spec.autoScalingGroups.filter { !$0.launch.imdsv2Required }.map { group in
                RuleHit(address: .launchTemplate(group.name),
                        message: "auto scaling group '\(group.name)' launches \(group.type) instances that accept IMDSv1 requests (imdsv2: optional)\(group.launch.role.map { "; its role '\($0)' is one SSRF away" } ?? "")",
                        location: group.location)
            }
        },
        ComplianceRule("NL-EC2-002", .high, title: "Unencrypted root volume",
                       rationale: "Snapshots and detached copies of an unencrypted volume expose whatever the instance wrote: datasets, checkpoints, keys.",
                       fix: "Set root_volume.encrypted: true (replaces the instance).",
                       checkov: ["CKV_AWS_8"], trivy: ["AVD-AWS-0131"]) { context in
            context.spec.instances.filter { !$0.rootVolume.encrypted }.map { instance in
                RuleHit(address: .instance(instance.name),
                        message: "instance '\(instance.name)' has an unencrypted \(instance.rootVolume.sizeGB) GB \(instance.rootVolume.type) root volume",
                        location: instance.location)
            } + context.spec.autoScalingGroups.filter { !$0.launch.rootVolume.encrypted }.map { group in
                RuleHit(address: .launchTemplate(group.name),
                        message: "auto scaling group '\(group.name)' launches instances with an unencrypted \(group.launch.rootVolume.sizeGB) GB \(group.launch.rootVolume.type) root volume",
                        location: group.location)
            }
        },
        ComplianceRule("NL-EC2-003", .medium, title: "Instance with a public IP",
                       rationale: "A public IP makes the instance reachable from the internet wherever its security group allows, with no load balancer or bastion in between.",
                       fix: "Put the instance in a private subnet and reach it through SSM Session Manager or a load balancer; or skip the rule with the reason it must be public.",
                       checkov: ["CKV_AWS_88"]) { context in
            context.spec.instances.compactMap { instance in
                // In a private subnet the public IP is NL-NET-001's business.
                guard instance.publicIP, context.spec.subnet(named: instance.subnet)?.tier == .public else { return nil }
                return RuleHit(address: .instance(instance.name),
                               message: "instance '\(instance.name)' gets a public IPv4 address in subnet '\(instance.subnet)'\(instance.securityGroups.isEmpty ? "" : " behind \(instance.securityGroups.map { "'\($0)'" }.joined(separator: ", "))")",
                               location: instance.location)
            }
        },
    ]

    static let bucketRules: [ComplianceRule] = [
        ComplianceRule("NL-S3-001", .medium, title: "Bucket without default encryption configured",
                       rationale: "S3 has applied SSE-S3 to new objects since January 2023, but a bucket whose spec states no encryption can be reconfigured silently and fails audits that read the configuration.",
                       fix: "Set encryption: kms (or aes256).",
                       checkov: ["CKV_AWS_19"], trivy: ["AVD-AWS-0088"]) { context in
            context.spec.buckets.filter { $0.encryption == nil }.map { bucket in
                RuleHit(address: .bucket(bucket.name), message: "bucket '\(bucket.name)' configures no default encryption", location: bucket.location)
            }
        },
        ComplianceRule("NL-S3-002", .low, title: "Bucket encrypted with S3-managed keys instead of KMS",
                       rationale: "With SSE-S3 anyone who can read the bucket can read the data; a KMS key adds a second permission and an audit trail of decryptions.",
                       fix: "Set encryption: kms.",
                       checkov: ["CKV_AWS_145"], trivy: ["AVD-AWS-0132"]) { context in
            context.spec.buckets.filter { $0.encryption == .aes256 }.map { bucket in
                RuleHit(address: .bucketEncryption(bucket.name), message: "bucket '\(bucket.name)' uses SSE-S3 (aes256) rather than a KMS key", location: bucket.location)
            }
        },
        ComplianceRule("NL-S3-003", .medium, title: "Bucket without versioning",
                       rationale: "Without versioning an overwritten or deleted dataset or model checkpoint cannot be recovered.",
                       fix: "Set versioning: true, with a lifecycle rule for noncurrent versions.",
                       checkov: ["CKV_AWS_21"], trivy: ["AVD-AWS-0090"]) { context in
            context.spec.buckets.filter { !$0.versioning }.map { bucket in
                RuleHit(address: .bucket(bucket.name), message: "bucket '\(bucket.name)' keeps no object versions", location: bucket.location)
            }
        },
        ComplianceRule("NL-S3-004", .high, title: "Bucket without a public access block",
                       rationale: "Without the block, one public ACL or bucket policy exposes the training data or model weights to everyone.",
                       fix: "Remove public_access_block: false (the default is true).",
                       checkov: ["CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"], trivy: ["AVD-AWS-0094"]) { context in
            context.spec.buckets.filter { !$0.publicAccessBlock }.map { bucket in
                RuleHit(address: .bucket(bucket.name), message: "bucket '\(bucket.name)' has its public access block turned off", location: bucket.location)
            }
        },
        ComplianceRule("NL-S3-005", .low, title: "Versioned bucket keeps noncurrent versions forever",
                       rationale: "Every overwrite of a dataset or checkpoint keeps the old copy at full price; without a noncurrent-version rule the bucket only grows.",
                       fix: "Add a lifecycle rule with noncurrent_transition_days (e.g. 30 days to GLACIER).",
                       checkov: ["CKV2_AWS_61"]) { context in
            context.spec.buckets.filter { $0.versioning && !$0.lifecycle.contains { $0.noncurrentTransitionDays != nil } }.map { bucket in
                RuleHit(address: .bucketLifecycle(bucket.name),
                        message: "bucket '\(bucket.name)' is versioned but no lifecycle rule moves or expires noncurrent versions",
                        location: bucket.location)
            }
        },
    ]

    /// Services whose `*` permissions reach training data, model weights or secrets.
    static let dataServices: Set<String> = [
        "s3", "s3-object-lambda", "dynamodb", "kms", "secretsmanager", "ssm", "elasticfilesystem", "fsx",
        "glue", "athena", "rds", "redshift", "sagemaker", "bedrock",
    ]

    static let broadManagedPolicies: Set<String> = [
        "AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AmazonS3FullAccess", "AmazonDynamoDBFullAccess", "AmazonSageMakerFullAccess",
    ]

    static func service(of action: String) -> String { action.split(separator: ":").first.map { String($0).lowercased() } ?? "" }

    static let identityRules: [ComplianceRule] = [
        ComplianceRule("NL-IAM-001", .critical, title: "Policy allows every action (\"*\")",
                       rationale: "Action \"*\" makes the role an administrator: whoever gets the instance gets the account.",
                       fix: "List the actions the workload calls.",
                       checkov: ["CKV_AWS_62", "CKV_AWS_63"], trivy: ["AVD-AWS-0057"]) { context in
            context.spec.roles.flatMap { role in
                role.allow.filter { $0.actions.contains("*") || $0.actions.contains("*:*") }.map { statement in
                    RuleHit(address: .iamRolePolicy(role.name),
                            message: "role '\(role.name)' allows every action on \(statement.resources.joined(separator: ", "))", location: statement.location)
                }
            }
        },
        ComplianceRule("NL-IAM-002", .high, title: "Service-wide wildcard on a data service",
                       rationale: "s3:* or kms:* includes deleting buckets, rewriting policies and disabling keys, far beyond reading and writing data.",
                       fix: "Name the actions (s3:GetObject, s3:PutObject, s3:ListBucket, ...).",
                       trivy: ["AVD-AWS-0057"]) { context in
            context.spec.roles.flatMap { role in
                role.allow.compactMap { statement -> RuleHit? in
                    let wild = statement.actions.filter { $0.hasSuffix(":*") && dataServices.contains(service(of: $0)) }
                    guard !wild.isEmpty else { return nil }
                    return RuleHit(address: .iamRolePolicy(role.name),
                                   message: "role '\(role.name)' allows \(wild.joined(separator: ", ")) on \(statement.resources.joined(separator: ", "))",
                                   location: statement.location)
                }
            }
        },
        ComplianceRule("NL-IAM-003", .high, title: "Data-service actions on every resource (\"*\")",
                       rationale: "Data actions on \"*\" reach every bucket, table, key and secret in the account, not just this stack's.",
                       fix: "Scope the statement to bucket:NAME, log_group:NAME or the resource ARNs.",
                       checkov: ["CKV_AWS_355", "CKV_AWS_288"], trivy: ["AVD-AWS-0057"]) { context in
            context.spec.roles.flatMap { role in
                role.allow.compactMap { statement -> RuleHit? in
                    guard statement.resources.contains("*") else { return nil }
                    let data = statement.actions.filter { $0 != "*" && dataServices.contains(service(of: $0)) }
                    guard !data.isEmpty else { return nil }
                    return RuleHit(address: .iamRolePolicy(role.name),
                                   message: "role '\(role.name)' allows \(data.joined(separator: ", ")) on every resource (\"*\")", location: statement.location)
                }
            }
        },
        ComplianceRule("NL-IAM-004", .high, title: "Role carries a broad AWS managed policy",
                       rationale: "AdministratorAccess, PowerUserAccess and the *FullAccess policies grant far more than a workload needs, account-wide.",
                       fix: "Replace the managed policy with allow statements scoped to this stack's resources.",
                       checkov: ["CKV_AWS_274"]) { context in
            context.spec.roles.flatMap { role in
                role.managedPolicies.filter { broadManagedPolicies.contains(String($0.split(separator: "/").last ?? "")) }.map { policy in
                    RuleHit(address: .iamRolePolicyAttachment(role: role.name, policy: policy),
                            message: "role '\(role.name)' (assumed by \(role.assumedBy)) has the managed policy \(policy)", location: role.location)
                }
            }
        },
    ]

    static let loggingRules: [ComplianceRule] = [
        ComplianceRule("NL-LOG-001", .medium, title: "Log group keeps logs forever",
                       rationale: "Without retention CloudWatch Logs stores (and bills) every byte indefinitely, and audits ask for a stated retention.",
                       fix: "Set retention_days (flow logs: network.flow_logs.retention_days).",
                       checkov: ["CKV_AWS_66"]) { context in
            var hits = context.spec.logGroups.filter { $0.retentionDays == nil }.map { group in
                RuleHit(address: .logGroup(group.name), message: "log group '\(group.name)' has no retention_days, so its logs never expire", location: group.location)
            }
            if context.spec.network.flowLogsEnabled, context.spec.network.flowLogRetentionDays == nil {
                hits.append(RuleHit(address: .logGroup("netloom-flow-logs"), message: "the flow-log group has no retention_days, so flow logs never expire",
                                    location: context.spec.network.location))
            }
            return hits
        },
        ComplianceRule("NL-LOG-002", .low, title: "Instance without a status-check alarm",
                       rationale: "A GPU instance that fails its status checks keeps billing while doing nothing until someone notices.",
                       fix: "Add an alarm with metric: StatusCheckFailed for the instance.") { context in
            context.spec.instances.compactMap { instance in
                guard !context.spec.alarms.contains(where: { $0.instance == instance.name && $0.metric.hasPrefix("StatusCheckFailed") }) else { return nil }
                return RuleHit(address: .instance(instance.name),
                               message: "instance '\(instance.name)' (\(instance.type)\(instance.count > 1 ? " × \(instance.count)" : "")) has no StatusCheckFailed alarm",
                               location: instance.location)
            }
        },
    ]

    static let loadBalancerRules: [ComplianceRule] = [
        ComplianceRule("NL-LB-001", .medium, title: "Internet-facing listener without TLS",
                       rationale: "Plain HTTP from the internet exposes prompts, outputs and any tokens in headers to everyone on the path.",
                       fix: "Use protocol: HTTPS with a certificate on port 443, and keep port 80 only as `redirect: https`.",
                       checkov: ["CKV_AWS_2"], trivy: ["AVD-AWS-0054"]) { context in
            context.spec.loadBalancers.filter(\.isInternetFacing).flatMap { lb in
                // A `redirect: https` listener serves nothing over HTTP: it only sends clients to 443.
                lb.listeners.filter { $0.protocol.uppercased() == "HTTP" && !$0.redirectsToHTTPS }.map { listener in
                    RuleHit(address: .listener(loadBalancer: lb.name, port: listener.port),
                            message: "internet-facing load balancer '\(lb.name)' serves plain HTTP on port \(listener.port) (forwarding to '\(listener.actionLabel)')",
                            location: listener.location)
                }
            }
        },
        ComplianceRule("NL-LB-002", .medium, title: "Load-balancer target reachable directly",
                       rationale: "A target with a public IP can be reached directly, bypassing the listener's TLS, WAF and health routing.",
                       fix: "Set public_ip: false on the target instances and keep them (and Auto Scaling groups) in a private subnet.") { context in
            context.spec.targetGroups.flatMap { group in
                group.targets.compactMap { name -> RuleHit? in
                    guard let instance = context.spec.instance(named: name), instance.publicIP else { return nil }
                    return RuleHit(address: .instance(instance.name),
                                   message: "instance '\(instance.name)' is a target of '\(group.name)' but has a public IP of its own", location: instance.location)
                }
            } + context.spec.autoScalingGroups.compactMap { group -> RuleHit? in
                // A launch template asks for no public IP: a public subnet set gives each instance one.
                guard !group.targetGroups.isEmpty, context.spec.subnet(named: group.subnet)?.tier == .public else { return nil }
                return RuleHit(address: .autoScalingGroup(group.name),
                               message: "auto scaling group '\(group.name)' registers in \(group.targetGroups.map { "'\($0)'" }.joined(separator: ", ")) but launches into public subnet '\(group.subnet)', so each instance gets a public IP of its own",
                               location: group.location)
            }
        },
    ]
}
