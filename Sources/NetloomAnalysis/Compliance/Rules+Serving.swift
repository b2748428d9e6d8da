import NetloomModel
import NetloomSpec

extension RuleCatalog {
    /// TLS policies that accept nothing older than TLS 1.2: the name says where the range starts
    /// (`TLS13-1-2`, `TLS13-1-3`, `TLS-1-2`, `FS-1-2`). Every other policy (`ELBSecurityPolicy-2016-08`,
    /// `TLS-1-0-2015-04`, `TLS13-1-1-2021-06` ...) still accepts TLS 1.0 or 1.1.
    public static func isCurrentTLSPolicy(_ policy: String) -> Bool {
        ["TLS13-1-2", "TLS13-1-3", "-TLS-1-2-", "-FS-1-2-"].contains { policy.contains($0) }
    }

    static let servingRules: [ComplianceRule] = [
        ComplianceRule("NL-LB-003", .medium, title: "Listener accepts TLS older than 1.2",
                       rationale: "TLS 1.0 and 1.1 have known weaknesses and are refused by current clients and by PCI DSS; a listener that offers them invites downgrades.",
                       fix: "Leave ssl_policy out (netloom uses \(ListenerSpec.defaultSSLPolicy)) or name a TLS13-1-2 or TLS-1-2 policy.",
                       checkov: ["CKV_AWS_103"], trivy: ["AVD-AWS-0047"]) { context in
            context.spec.loadBalancers.flatMap { lb in
                lb.listeners.compactMap { listener -> RuleHit? in
                    guard listener.usesTLS, let policy = listener.sslPolicy, !isCurrentTLSPolicy(policy) else { return nil }
                    return RuleHit(address: .listener(loadBalancer: lb.name, port: listener.port),
                                   message: "listener \(listener.port) of '\(lb.name)' uses TLS policy \(policy), which accepts TLS versions older than 1.2",
                                   location: listener.location)
                }
            }
        },
        ComplianceRule("NL-LB-004", .high, title: "Certificate does not cover the name that points at its load balancer",
                       rationale: "Clients that reach the load balancer by this name get a certificate for other names and refuse the connection.",
                       fix: "Add the record's name to the certificate's domain or alternative_names (a *.zone name covers one label), or point the record elsewhere.") { context in
            context.spec.records.flatMap { record -> [RuleHit] in
                guard let balancer = record.aliasLoadBalancer.flatMap(context.spec.loadBalancer(named:)) else { return [] }
                return balancer.listeners.compactMap { listener -> RuleHit? in
                    guard listener.usesTLS, let certificate = listener.certificate.flatMap(context.spec.certificate(named:)),
                          !certificate.covers(record.name) else { return nil }
                    return RuleHit(address: record.address,
                                   message: "record '\(record.name)' points at '\(balancer.name)', whose listener \(listener.port) serves certificate '\(certificate.name)' for \(certificate.names.joined(separator: ", ")), not \(record.name)",
                                   location: record.location)
                }
            }
        },
    ]
}
