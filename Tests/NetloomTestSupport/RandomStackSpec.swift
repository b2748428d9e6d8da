
/// Random but valid-looking specs for us-east-1, written as YAML so the loader is exercised too:
/// subnets of random tiers, sizes and AZ subsets, and HyperPod clusters. For address planning.
public struct RandomStackSpec: Sendable {
    public struct Subnet: Sendable {
        public var name: String
        public var tier: String
        public var size: String
        public var azs: [String]?
    }

    public struct Cluster: Sendable {
        public var name: String
        public var orchestrator: String
        public var nodes: Int
        public var subnet: String
        public var az: String?
    }

    public var vpcPrefix: Int
    public var azs: [String]
    public var subnets: [Subnet]
    public var clusters: [Cluster]

    public static let regionAZs = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"]

    public init(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        vpcPrefix = Int.random(in: 16...20, using: &random)
        azs = Array(Self.regionAZs.shuffled(using: &random).prefix(Int.random(in: 1...4, using: &random)))
        let names = ["alpha", "bravo", "charlie", "delta", "echo"].shuffled(using: &random).prefix(Int.random(in: 1...5, using: &random))
        var subnets: [Subnet] = []
        for (index, name) in names.enumerated() {
            let tier = index == 0 ? "public" : ["public", "private", "isolated"].randomElement(using: &random)!
            let size = Bool.random(using: &random) ? "auto" : "/\(Int.random(in: 22...27, using: &random))"
            let subset = Bool.random(using: &random) ? nil : Array(azs.shuffled(using: &random).prefix(Int.random(in: 1...azs.count, using: &random)))
            subnets.append(Subnet(name: name, tier: tier, size: size, azs: subset))
        }
        self.subnets = subnets
        var clusters: [Cluster] = []
        for subnet in subnets where subnet.tier != "public" && subnet.size == "auto" && Bool.random(using: &random) {
            let az = Bool.random(using: &random) ? (subnet.azs ?? azs).randomElement(using: &random) : nil
            clusters.append(Cluster(name: "c\(clusters.count)", orchestrator: Bool.random(using: &random) ? "eks" : "slurm",
                                    nodes: Int.random(in: 1...48, using: &random), subnet: subnet.name, az: az))
        }
        self.clusters = clusters
    }

    /// The YAML text; `shuffle` writes every list and map in another order, which must change nothing.
    public func yaml(shuffledWith seed: UInt64? = nil) -> String {
        var random = SplitMix64(seed: seed ?? 0)
        func order<T>(_ items: [T]) -> [T] { seed == nil ? items : items.shuffled(using: &random) }
        var lines = ["stack: random", "region: us-east-1", "network:", "  cidr: 10.0.0.0/\(vpcPrefix)",
                     "  azs: [\(order(azs).joined(separator: ", "))]", "  nat: none", "subnets:"]
        for subnet in order(subnets) {
            lines.append("  \(subnet.name):")
            lines.append("    tier: \(subnet.tier)")
            lines.append("    size: \(subnet.size)")
            if let azs = subnet.azs { lines.append("    azs: [\(order(azs).joined(separator: ", "))]") }
        }
        if !clusters.isEmpty {
            lines.append("clusters:")
            for cluster in order(clusters) {
                lines.append("  \(cluster.name):")
                lines.append("    orchestrator: \(cluster.orchestrator)")
                lines.append("    instance_type: ml.g5.8xlarge")
                lines.append("    nodes: \(cluster.nodes)")
                lines.append("    subnet: \(cluster.subnet)")
                if let az = cluster.az { lines.append("    az: \(az)") }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same stack with one more AZ in the network (subnets without their own list grow into it).
    public func withExtraAZ() -> RandomStackSpec? {
        guard let extra = Self.regionAZs.first(where: { !azs.contains($0) }) else { return nil }
        var grown = self
        grown.azs.append(extra)
        return grown
    }
}
