import NetloomModel
import NetloomPlanning
import NetloomSpec
import NetloomTestSupport
import Testing

/// What `zones:`, `certificates:`, `records:` and HTTPS listeners expand into.
@Suite("serving over HTTPS: spec and expansion")
struct ServingExpansionTests {
    static let yaml = """
        stack: serving
        region: us-east-1
        network:
          cidr: 10.0.0.0/16
          azs: [us-east-1a, us-east-1b]
        subnets:
          edge: { tier: public, size: /26 }
        instances:
          api: { type: t3.medium, ami: ami-0123456789abcdef0, subnet: edge }
        load_balancers:
          public:
            type: application
            subnet: edge
            listeners:
              - { port: 443, protocol: HTTPS, certificate: api, forward: api }
              - { port: 80, protocol: HTTP, redirect: https }
        target_groups:
          api: { port: 5000, protocol: HTTP, targets: [instance:api] }
        zones:
          Example.com.: {}
          internal.example.com: { private: true }
          corp.example.org: { existing: true }
        certificates:
          api: { domain: api.example.com, zone: example.com, alternative_names: [www.example.com] }
        records:
          - { name: api.example.com, zone: example.com, alias: lb:public }
          - { name: db.internal.example.com, zone: internal.example.com, type: CNAME, values: [db.example.net], ttl: 60 }
          - { name: api.corp.example.org, zone: corp.example.org, alias: lb:public }
        usage:
          dns_queries_m: 2.5
        """

    func expanded() throws -> ExpandedStack { try StackExpander.expand(try SpecLoader.parse(Self.yaml, file: "serving.yaml")) }

    func resource(_ stack: ExpandedStack, _ address: String) throws -> Resource {
        try #require(stack.graph.resources.first { $0.address == address }, "no \(address)")
    }

    @Test("the spec reads zones by DNS name, certificates, records, listener defaults and dns_queries_m")
    func specReadsServingKeys() throws {
        let spec = try SpecLoader.parse(Self.yaml, file: "serving.yaml")
        #expect(spec.zones.map(\.name) == ["corp.example.org", "example.com", "internal.example.com"])
        #expect(spec.zone(named: "internal.example.com")?.isPrivate == true && spec.zone(named: "corp.example.org")?.existing == true)
        #expect(spec.certificate(named: "api")?.names == ["api.example.com", "www.example.com"])
        let listeners = try #require(spec.loadBalancer(named: "public")).listeners
        #expect(listeners.map(\.port) == [80, 443])
        #expect(listeners[0].redirectsToHTTPS && listeners[0].forward == nil && listeners[0].sslPolicy == nil)
        #expect(listeners[1].certificate == "api" && listeners[1].sslPolicy == ListenerSpec.defaultSSLPolicy)
        #expect(spec.records.first { $0.name == "db.internal.example.com" }?.ttl == 60)
        #expect(spec.usage.dnsQueriesMillions == 2.5)
    }

    @Test("a zone, a certificate, its validation and records, each with the dependencies apply needs")
    func expansionDependencies() throws {
        let stack = try expanded()
        let zone = try resource(stack, "hosted_zone:example.com")
        #expect(zone.properties["private"] == false && zone.properties["private_vpc"] == nil)
        let privateZone = try resource(stack, "hosted_zone:internal.example.com")
        #expect(privateZone.properties["private_vpc"] == .reference(.vpc) && privateZone.dependsOn == ["vpc"])
        #expect(!stack.graph.resources.contains { $0.address == "hosted_zone:corp.example.org" }, "an existing zone is never made")

        let certificate = try resource(stack, "certificate:api")
        #expect(certificate.properties["domain"] == "api.example.com")
        let validation = try resource(stack, "certificate_validation:api")
        #expect(Set(validation.dependsOn) == ["certificate:api", "hosted_zone:example.com"])

        let https = try resource(stack, "listener:public/443")
        #expect(https.properties["certificate_arn"] == .reference(.certificate("api")))
        #expect(https.properties["ssl_policy"] == .string(ListenerSpec.defaultSSLPolicy))
        #expect(https.dependsOn.contains("certificate_validation:api"), "no listener may use the certificate before it is issued")
        let redirect = try resource(stack, "listener:public/80")
        #expect(redirect.properties["redirect"] == "https" && redirect.properties["forward"] == nil)

        let alias = try resource(stack, "dns_record:example.com/api.example.com/A")
        #expect(alias.properties["alias"] == .reference(.loadBalancer("public")))
        #expect(Set(alias.dependsOn) == ["hosted_zone:example.com", "load_balancer:public"])
        let plain = try resource(stack, "dns_record:internal.example.com/db.internal.example.com/CNAME")
        #expect(plain.properties["ttl"] == .int(60) && plain.properties["values"] == .list(["db.example.net"]))
        let inExisting = try resource(stack, "dns_record:corp.example.org/api.corp.example.org/A")
        #expect(inExisting.properties["zone"] == .string(ExistingZone.lookup("corp.example.org")))
        #expect(ResourceAddress(parsing: inExisting.address) == .dnsRecord(zone: "corp.example.org", name: "api.corp.example.org", type: "A"))
    }

    @Test("the graph orders certificate, validation, listener; and zone before its records")
    func graphOrder() throws {
        let order = try expanded().graph.resources.map(\.address)
        func index(_ address: String) throws -> Int { try #require(order.firstIndex(of: address), "\(address)") }
        #expect(try index("certificate:api") < index("certificate_validation:api"))
        #expect(try index("certificate_validation:api") < index("listener:public/443"))
        #expect(try index("hosted_zone:example.com") < index("dns_record:example.com/api.example.com/A"))
    }
}
