/// The stack the bench deploys: a VPC, 100 isolated subnet sets in 2 AZs (200 subnets, each with
/// its route table and association), 200 groups with 3 ingress rules each and no egress.
enum GeneratedStack {
    static let name = "deploy-bench", region = "us-east-1"
    static let subnetSets = 100, groups = 200, rulesPerGroup = 3

    static func yaml() -> String {
        var out = """
        stack: \(name)
        region: \(region)
        network:
          cidr: 10.0.0.0/16
          azs: [us-east-1a, us-east-1b]
          nat: none
        subnets:

        """
        for index in 0..<subnetSets { out += "  s\(index): { tier: isolated, size: /26 }\n" }
        out += "security_groups:\n"
        for group in 0..<groups {
            out += "  g\(group):\n    description: bench group \(group)\n    egress: []\n    ingress:\n"
            for rule in 0..<rulesPerGroup { out += "      - { from: 10.\(rule).0.0/16, protocol: tcp, ports: \(8000 + rule) }\n" }
        }
        return out
    }
}
