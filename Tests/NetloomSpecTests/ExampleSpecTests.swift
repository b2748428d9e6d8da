import Foundation
import NetloomModel
import NetloomSpec
import NetloomTestSupport
import Testing

@Suite("example specs")
struct ExampleSpecTests {
    @Test("the examples are valid", arguments: ExampleSpecs.names)
    func exampleIsValid(name: String) throws {
        let spec = try SpecLoader.load(contentsOf: ExampleSpecs.path(name))
        #expect(!spec.stack.isEmpty)
        #expect(!spec.subnets.isEmpty)
    }

    /// The specs of the first contract (`../shared/examples`) were written before `hyperpod:`,
    /// `zones:` and `autoscaling_groups:`: they must still load as they are.
    @Test("the first contract's examples still load", arguments: ExampleSpecs.names)
    func firstContractExampleStillLoads(name: String) throws {
        guard let path = ExampleSpecs.firstContractPath(name) else { return }
        let spec = try SpecLoader.load(contentsOf: path)
        #expect(!spec.stack.isEmpty && !spec.subnets.isEmpty)
    }

    @Test("the project's own examples are valid")
    func ownExamplesAreValid() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: ExampleSpecs.ownDirectory.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 4)
        for file in files {
            _ = try SpecLoader.load(contentsOf: ExampleSpecs.ownDirectory.appendingPathComponent(file).path)
        }
    }

    @Test("maps become name-sorted arrays and defaults are filled in")
    func defaults() throws {
        let spec = try SpecLoader.load(contentsOf: ExampleSpecs.path("inference.yaml"))
        #expect(spec.subnets.map(\.name) == ["app", "edge"])
        let api = try #require(spec.autoScalingGroup(named: "api"))
        #expect(api.launch.imdsv2Required)
        #expect(api.healthCheckGraceSeconds == 300)
        #expect((api.min, api.max, api.startingCapacity) == (2, 6, 2))
        #expect(spec.securityGroup(named: "api")?.egressIsDefault == true)
        #expect(spec.securityGroup(named: "alb")?.egressIsDefault == false)
        #expect(spec.usage.hours == 730)
        #expect(spec.usage.natGB == 50)
    }

    @Test("a cluster without az uses the alphabetically first AZ of its subnet set")
    func clusterDefaultAZ() throws {
        let spec = try SpecLoader.load(contentsOf: ExampleSpecs.path("hyperpod-slurm-dev.yaml"))
        #expect(spec.cluster(named: "gpu")?.az == "us-east-1a")
        #expect(spec.cluster(named: "gpu")?.placement == .cluster)
        // 8 workers, a controller and a login node: 10 × 32 × 1.25 = 400, and 2 FSx interfaces.
        #expect(spec.cluster(named: "gpu")?.addressDemand == 402)
    }

    @Test("interface endpoints without a group get netloom's HTTPS-from-the-VPC group")
    func defaultEndpointGroup() throws {
        let text = """
        stack: demo
        region: us-east-1
        network:
          cidr: 10.0.0.0/16
          azs: [us-east-1a]
          nat: none
          endpoints: { interface: [ssm] }
        subnets:
          private: { tier: private, size: /24 }
        """
        let spec = try SpecLoader.parse(text, file: "demo.yaml")
        #expect(spec.network.endpointSecurityGroup == "netloom-endpoints")
        #expect(spec.network.endpointSubnet == "private")
        let group = try #require(spec.securityGroup(named: "netloom-endpoints"))
        #expect(group.ingress.map { $0.key(group: group.name) } == ["netloom-endpoints/ingress/tcp/443/vpc"])
    }

    @Test("skip comments attach to the entry on their line or right below them, with their reason")
    func skipComments() throws {
        let text = """
        stack: demo
        region: us-east-1
        network: { cidr: 10.0.0.0/16, azs: [us-east-1a] }
        subnets:
          public: { tier: public, size: /24 }
        security_groups:
          # netloom:skip=NL-SG-001 bastion, reviewed in TICKET-12
          ssh:
            ingress: [{ from: any, protocol: tcp, ports: 22 }]
          web: # netloom:skip=NL-SG-009 public website
            ingress: [{ from: any, protocol: tcp, ports: 443 }]
        """
        let spec = try SpecLoader.parse(text, file: "demo.yaml")
        #expect(spec.skips.map { "\($0.section)/\($0.name)/\($0.ruleID)/\($0.reason)" } == [
            "security_groups/ssh/NL-SG-001/bastion, reviewed in TICKET-12",
            "security_groups/web/NL-SG-009/public website",
        ])
    }
}
