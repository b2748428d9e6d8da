import NetloomAnalysis
import NetloomModel
import NetloomPlanning
import NetloomSpec
import NetloomTestSupport
import Testing

/// HTTPS serving in analysis: the compliance rules about listeners and certificates, the
/// redirect listener in `reach`, and the DNS and certificate cost lines.
@Suite("serving over HTTPS: check, reach and cost")
struct ServingAnalysisTests {
    /// A public ALB in front of one instance, with `listeners`, `certificates` and `records` as given.
    static func spec(listeners: String, certificates: String = "  api: { domain: api.example.com, zone: example.com }",
                     records: String = "  - { name: api.example.com, zone: example.com, alias: lb:public }", usage: String = "") -> String {
        """
        stack: serving
        region: us-east-1
        network:
          cidr: 10.0.0.0/16
          azs: [us-east-1a, us-east-1b]
          nat: none
        subnets:
          edge: { tier: public, size: /26 }
          app: { tier: private, size: /24 }
        security_groups:
          alb:
            description: HTTPS and the redirect
            ingress:
              - { from: any, protocol: tcp, ports: 443 }
              - { from: any, protocol: tcp, ports: 80 }
            egress:
              - { to: sg:api, protocol: tcp, ports: 5000 }
          api:
            description: only from the load balancer
            ingress:
              - { from: sg:alb, protocol: tcp, ports: 5000 }
        instances:
          api: { type: t3.medium, ami: ami-0123456789abcdef0, subnet: app, security_groups: [api] }
        load_balancers:
          public:
            type: application
            subnet: edge
            security_groups: [alb]
            listeners:
        \(listeners)
        target_groups:
          api: { port: 5000, protocol: HTTP, targets: [instance:api] }
        zones:
          example.com: {}
        certificates:
        \(certificates)
        records:
        \(records)
        \(usage)
        """
    }

    static let httpsAndRedirect = """
              - { port: 443, protocol: HTTPS, certificate: api, forward: api }
              - { port: 80, protocol: HTTP, redirect: https }
        """

    func ruleIDs(_ yaml: String) throws -> [String] {
        ComplianceChecker().check(try expandSpec(yaml)).findings.filter { $0.ruleID.hasPrefix("NL-LB") }.map { "\($0.ruleID) \($0.address)" }.sorted()
    }

    @Test("a redirect on port 80 satisfies NL-LB-001; plain HTTP forwarding still raises it")
    func redirectSatisfiesPlainHTTPRule() throws {
        #expect(try ruleIDs(Self.spec(listeners: Self.httpsAndRedirect)) == [])
        let plain = Self.spec(listeners: """
                  - { port: 443, protocol: HTTPS, certificate: api, forward: api }
                  - { port: 80, protocol: HTTP, forward: api }
            """)
        #expect(try ruleIDs(plain) == ["NL-LB-001 listener:public/80"])
    }

    @Test("NL-LB-003 flags a TLS policy that still accepts TLS 1.0 or 1.1, not the default one")
    func oldTLSPolicy() throws {
        let old = Self.spec(listeners: """
                  - { port: 443, protocol: HTTPS, certificate: api, forward: api, ssl_policy: ELBSecurityPolicy-2016-08 }
                  - { port: 80, protocol: HTTP, redirect: https }
            """)
        let findings = ComplianceChecker().check(try expandSpec(old)).findings.filter { $0.ruleID == "NL-LB-003" }
        #expect(findings.map(\.address) == ["listener:public/443"])
        #expect(findings.first?.message.contains("ELBSecurityPolicy-2016-08") == true)
        let rule = try #require(RuleCatalog.rule("NL-LB-003"))
        #expect(!rule.rationale.isEmpty && rule.fix.contains("ssl_policy"))
        #expect(RuleCatalog.isCurrentTLSPolicy("ELBSecurityPolicy-TLS13-1-2-2021-06"))
        #expect(RuleCatalog.isCurrentTLSPolicy("ELBSecurityPolicy-TLS-1-2-Ext-2018-06"))
        #expect(!RuleCatalog.isCurrentTLSPolicy("ELBSecurityPolicy-TLS13-1-1-2021-06"))
        #expect(!RuleCatalog.isCurrentTLSPolicy("ELBSecurityPolicy-TLS-1-1-2017-01"))
    }

    @Test("NL-LB-004 flags a record its load balancer's certificate does not cover; a wildcard covers one label")
    func certificateCoversRecords() throws {
        let other = Self.spec(listeners: Self.httpsAndRedirect,
                              records: "  - { name: www.example.com, zone: example.com, alias: lb:public }")
        let findings = ComplianceChecker().check(try expandSpec(other)).findings.filter { $0.ruleID == "NL-LB-004" }
        #expect(findings.map(\.address) == ["dns_record:example.com/www.example.com/A"])
        #expect(findings.first?.severity == .high)

        let wildcard = Self.spec(listeners: Self.httpsAndRedirect, certificates: "  api: { domain: '*.example.com', zone: example.com }",
                                 records: """
                                   - { name: www.example.com, zone: example.com, alias: lb:public }
                                   - { name: a.b.example.com, zone: example.com, alias: lb:public }
                                 """)
        let wildcardFindings = ComplianceChecker().check(try expandSpec(wildcard)).findings.filter { $0.ruleID == "NL-LB-004" }
        #expect(wildcardFindings.map(\.address) == ["dns_record:example.com/a.b.example.com/A"])
    }

    @Test("reach: 443 goes through the HTTPS listener to the targets; 80 ends at the redirect, which only answers")
    func reachThroughHTTPSAndRedirect() throws {
        let analyzer = ReachabilityAnalyzer(try expandSpec(Self.spec(listeners: Self.httpsAndRedirect)))
        let https = analyzer.evaluate(ReachabilityQuery(from: .internet, to: .loadBalancer("public"), ipProtocol: .tcp, port: 443))
        #expect(https.reachable)
        let listenerHop = try #require(https.path.first { $0.component == "listener" })
        #expect(listenerHop.address == "listener:public/443")
        #expect(listenerHop.detail.contains("TLS ends here with certificate:api") && listenerHop.detail.contains("target_group:api on port 5000"))
        #expect(https.path.last?.address.hasPrefix("instance:api") == true || https.path.contains { $0.address.hasPrefix("instance:api") })

        let redirect = analyzer.evaluate(ReachabilityQuery(from: .internet, to: .loadBalancer("public"), ipProtocol: .tcp, port: 80))
        #expect(redirect.reachable)
        #expect(redirect.path.last?.address == "listener:public/80")
        #expect(redirect.path.last?.detail.contains("answers 301") == true)

        let direct = analyzer.evaluate(ReachabilityQuery(from: .internet, to: .instance("api"), ipProtocol: .tcp, port: 5000))
        #expect(!direct.reachable)
    }

    @Test("cost: an owned zone a month, queries from usage.dns_queries_m, certificates free, each price sourced and dated")
    func dnsAndCertificateCost() throws {
        let withPlain = Self.spec(listeners: Self.httpsAndRedirect, records: """
              - { name: api.example.com, zone: example.com, alias: lb:public }
              - { name: example.com, zone: example.com, type: TXT, values: ['"v=spf1 -all"'] }
            """, usage: "usage:\n  dns_queries_m: 10")
        let estimate = CostEstimator().estimate(try expandSpec(withPlain))
        let zone = try #require(estimate.items.first { $0.address == "hosted_zone:example.com" })
        #expect(zone.monthlyUSD == 0.5)
        let queries = try #require(estimate.items.first { $0.address == "dns_record:*" })
        #expect(queries.quantity == 10 && abs((queries.monthlyUSD ?? 0) - 4.0) < 1e-9)
        let certificate = try #require(estimate.items.first { $0.address == "certificate:api" })
        #expect(certificate.monthlyUSD == 0 && certificate.component.contains("free"))

        // Only alias records: their queries are free.
        let aliasOnly = CostEstimator().estimate(try expandSpec(Self.spec(listeners: Self.httpsAndRedirect, usage: "usage:\n  dns_queries_m: 10")))
        #expect(aliasOnly.items.first { $0.address == "dns_record:*" }?.monthlyUSD == 0)

        let prices = PriceTable.usEast1
        for price in [prices.hostedZoneMonth, prices.dnsQueriesMillion, prices.aliasQueriesMillion, prices.publicCertificate] {
            #expect(!price.source.isEmpty && !price.asOf.isEmpty)
        }
    }

    @Test("the worktree's inference example serves HTTPS: no NL-LB finding, and its assertions hold")
    func inferenceExampleServesHTTPS() throws {
        let path = ExampleSpecs.ownDirectory.appendingPathComponent("inference.yaml").path
        let expanded = try expandSpec(try String(contentsOfFile: path, encoding: .utf8), file: path)
        #expect(!ComplianceChecker().check(expanded).findings.contains { $0.ruleID.hasPrefix("NL-LB") })
        let analyzer = ReachabilityAnalyzer(expanded)
        #expect(expanded.spec.assertions.contains { $0.port == 443 && $0.expect == .reachable })
        for assertion in expanded.spec.assertions {
            let (passed, verdict) = analyzer.evaluate(assertion)
            #expect(passed, "'\(assertion.name)': \(verdict.path) \(verdict.explanations)")
        }
    }
}
