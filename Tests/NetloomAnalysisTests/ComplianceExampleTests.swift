import NetloomAnalysis
import Testing

/// The findings on the shared examples, pinned so a rule change that alters them is noticed.
@Suite("Compliance on the shared examples")
struct ComplianceExampleTests {
    func ids(_ name: String) throws -> [String] {
        ComplianceChecker().check(try example(name)).findings.map { "\($0.ruleID) \($0.address)" }.sorted()
    }

    @Test("hyperpod-eks has correct EFA rules and a sized subnet, so only low findings remain")
    func hyperpodEKS() throws {
        #expect(try ids("hyperpod-eks.yaml") == [
            "NL-COST-002 nat_gateway:us-west-2b", "NL-SG-007 security_group:endpoints", "NL-SG-010 sg_rule:efa/egress/all/any",
        ])  // the file system's group netloom adds (netloom-fsx-trainers) is used by the file system: no NL-SG-008
    }

    @Test("hyperpod-slurm-dev lacks flow logs")
    func slurmDev() throws {
        #expect(try ids("hyperpod-slurm-dev.yaml") == [
            "NL-NET-002 vpc", "NL-SG-007 security_group:efa", "NL-SG-010 sg_rule:efa/egress/all/any",
        ])
    }

    @Test("inference serves HTTPS (port 80 only redirects), has one NAT for two AZs of servers and no flow logs")
    func inference() throws {
        #expect(try ids("inference.yaml") == [
            "NL-NET-002 vpc", "NL-NET-003 nat_gateway:eu-west-1a",
            "NL-SG-007 security_group:alb", "NL-SG-007 security_group:api", "NL-SG-010 sg_rule:api/egress/all/any",
        ])
    }

    @Test("ml-workstation has a public workstation and a NAT gateway with nothing behind it")
    func mlWorkstation() throws {
        #expect(try ids("ml-workstation.yaml") == [
            "NL-COST-002 nat_gateway:us-east-1a", "NL-EC2-003 instance:workstation", "NL-S3-002 bucket_encryption:datasets",
            "NL-S3-002 bucket_encryption:models", "NL-S3-005 bucket_lifecycle:datasets", "NL-SG-010 sg_rule:workstation/egress/all/any",
        ])
    }

    @Test("no shared example fails the default --fail-on high")
    func examplesPassHigh() throws {
        for name in ["hyperpod-eks.yaml", "hyperpod-slurm-dev.yaml", "inference.yaml", "ml-workstation.yaml"] {
            #expect(!ComplianceChecker().check(try example(name)).hasFinding(atOrAbove: .high), "\(name)")
        }
    }
}
