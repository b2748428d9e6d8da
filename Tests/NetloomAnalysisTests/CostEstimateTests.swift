import NetloomAnalysis
import NetloomModel
import Testing

@Suite("Cost estimates")
struct CostEstimateTests {
    func item(_ estimate: CostEstimate, _ address: String, _ component: String) -> CostItem? {
        estimate.items.first { $0.address == address && $0.component.hasPrefix(component) }
    }

    @Test("ml-workstation comes to about $67 a month as seed 004 says, plus public IPv4")
    func mlWorkstation() throws {
        let estimate = CostEstimator().estimate(try example("ml-workstation.yaml"))
        // Seed 004: EC2 $30, EBS $5 (50 GB gp3 is $4.00), NAT $32 + data: about $67.
        #expect(abs(estimate.monthlyUSDWithoutPublicIPv4 - 67.42) < 0.01)
        // The NAT's Elastic IP and the workstation's public IP: 2 × 730 h × $0.005.
        #expect(abs(estimate.publicIPv4USD - 7.30) < 0.001)
        #expect(abs(estimate.monthlyUSD - 74.72) < 0.01)
        #expect(item(estimate, "instance:workstation", "EC2 t3.medium")?.monthlyUSD.map { abs($0 - 30.368) < 0.001 } == true)
        #expect(item(estimate, "nat_gateway:us-east-1a", "NAT gateway")?.monthlyUSD.map { abs($0 - 32.85) < 0.001 } == true)
        #expect(estimate.unpriced.isEmpty)
    }

    @Test("hyperpod-eks bills two NAT gateways, 7 interface endpoints in 2 AZs, and marks 64 p5 nodes as SageMaker")
    func hyperpodEKS() throws {
        let estimate = CostEstimator().estimate(try example("hyperpod-eks.yaml"))
        let nats = estimate.items.filter { $0.component == "NAT gateway" }
        #expect(nats.map(\.address) == ["nat_gateway:us-west-2a", "nat_gateway:us-west-2b"])
        let endpoints = estimate.items.filter { $0.component.hasPrefix("interface endpoint ×") }
        #expect(endpoints.count == 7)
        #expect(endpoints.allSatisfy { $0.quantity == 2 * 730 && abs(($0.monthlyUSD ?? 0) - 14.60) < 0.001 })
        let cluster = try #require(item(estimate, "cluster:trainers/workers", "64 × ml.p5.48xlarge"))
        #expect(cluster.quantity == 64 * 730)
        #expect(cluster.unit == "node-hour")
        #expect(cluster.billedBy == "sagemaker")
        #expect(cluster.monthlyUSD == nil)
        #expect(item(estimate, "nat_gateway:*", "NAT data")?.monthlyUSD == 22.5)
        // 2 × 32.85 NAT + 22.50 data + 2 × 3.65 EIP + 7 × 14.60 endpoints + 2.00 endpoint data + 10.14 flow logs
        // + 2,400 GiB of FSx for Lustre at 250 MB/s/TiB × $0.21.
        #expect(item(estimate, "fsx_file_system:trainers", "FSx for Lustre")?.monthlyUSD.map { abs($0 - 504) < 0.001 } == true)
        #expect(abs(estimate.monthlyUSD - 713.84) < 0.01)
        #expect(estimate.advice.contains { $0.address == "nat_gateway:*" && abs($0.monthlySavingsUSD - 36.50) < 0.001 && $0.message.contains("availability") })
    }

    @Test("hyperpod-slurm-dev lists 8 p4d nodes for SageMaker and one NAT gateway")
    func slurmDev() throws {
        let estimate = CostEstimator().estimate(try example("hyperpod-slurm-dev.yaml"))
        let cluster = try #require(item(estimate, "cluster:gpu/workers", "8 × ml.p4d.24xlarge"))
        #expect(cluster.quantity == 8 * 730 && cluster.billedBy == "sagemaker")
        #expect(item(estimate, "cluster:gpu/controller", "1 × ml.m5.12xlarge")?.billedBy == "sagemaker")
        // NAT and its address, and 1,200 GiB of FSx for Lustre at $0.21/GB-month.
        #expect(abs(estimate.monthlyUSD - (32.85 + 3.65 + 252)) < 0.01)
    }

    @Test("inference bills the ALB hours, LCUs and one public IPv4 per load-balancer node")
    func inference() throws {
        let estimate = CostEstimator().estimate(try example("inference.yaml"))
        #expect(item(estimate, "load_balancer:public", "Application Load Balancer")?.monthlyUSD.map { abs($0 - 16.425) < 0.001 } == true)
        #expect(item(estimate, "load_balancer:public", "LCU")?.monthlyUSD.map { abs($0 - 5.84) < 0.001 } == true)
        #expect(item(estimate, "load_balancer:public", "public IPv4")?.quantity == 1460.0)
        #expect(item(estimate, "autoscaling_group:api", "EC2 g5.xlarge × 2 (desired)")?.monthlyUSD.map { abs($0 - 1468.76) < 0.001 } == true)
        // The group at max (6) is shown as a ceiling, outside the total.
        #expect(item(estimate, "autoscaling_group:api", "EC2 g5.xlarge × 6 (at max)")?.isCeiling == true)
        #expect(abs(estimate.publicIPv4USD - 10.95) < 0.001)
        // With its hosted zone ($0.50); the certificate and the alias queries are free.
        #expect(item(estimate, "hosted_zone:example.com", "Route 53 hosted zone")?.monthlyUSD == 0.5)
        #expect(abs(estimate.monthlyUSD - 1553.57) < 0.01)
    }

    @Test("an instance type missing from the price table is listed as price unknown, never zero")
    func unknownInstanceType() throws {
        let yaml = """
        stack: t
        region: us-east-1
        network: { cidr: 10.0.0.0/16, azs: [us-east-1a], nat: none }
        subnets:
          public: { tier: public, size: /24 }
        instances:
          odd:
            type: x9z.metal
            ami: ami-0123456789abcdef0
            subnet: public
            root_volume: { size_gb: 8, type: gp3, encrypted: true }
        """
        let estimate = CostEstimator().estimate(try expandSpec(yaml))
        let line = try #require(item(estimate, "instance:odd", "EC2 x9z.metal"))
        #expect(line.unitUSD == nil && line.monthlyUSD == nil)
        #expect(line.note?.contains("price unknown") == true)
        #expect(estimate.unpriced.map(\.address) == ["instance:odd"])
    }

    @Test("S3 through NAT earns advice to add the free gateway endpoint")
    func gatewayEndpointAdvice() throws {
        let yaml = """
        stack: t
        region: us-east-1
        network: { cidr: 10.0.0.0/16, azs: [us-east-1a], nat: single }
        subnets:
          public: { tier: public, size: /24 }
          private: { tier: private, size: /24 }
        usage: { nat_gb: 2000 }
        """
        let estimate = CostEstimator().estimate(try expandSpec(yaml))
        let advice = try #require(estimate.advice.first { $0.address == "vpc_endpoint:s3" })
        #expect(abs(advice.monthlySavingsUSD - 90) < 0.001)
    }

    @Test("every price in the table carries its date and source")
    func pricesAreDated() {
        let table = PriceTable.usEast1
        let prices = [table.natGatewayHour, table.natGatewayGB, table.publicIPv4Hour, table.interfaceEndpointAZHour, table.logsIngestGB]
            + Array(table.ebsGBMonth.values) + Array(table.instanceHour.values)
        #expect(prices.allSatisfy { !$0.asOf.isEmpty && !$0.source.isEmpty })
        #expect(table.instanceHour["p5.48xlarge"]?.usd == 55.04)
    }
}
