import NetloomModel

/// The address ranges the analysis needs beyond the spec: the public ranges of AWS services
/// and what counts as "the internet".
public enum AddressSpace {
    /// A representative public range per gateway-endpoint service. AWS publishes the real ones
    /// per region (ip-ranges.json, and the managed prefix list `com.amazonaws.REGION.s3`); the
    /// offline model needs only a block that is public and distinct, so it uses one block per
    /// service (S3's and DynamoDB's us-east-1 blocks). A `prefix:s3` rule matches exactly this.
    public static let servicePrefixLists: [String: [CIDRBlock]] = [
        "s3": [CIDRBlock(base: IPv4Address(52 << 24 | 216 << 16), prefix: 15)],
        "dynamodb": [CIDRBlock(base: IPv4Address(52 << 24 | 94 << 16), prefix: 22)],
    ]

    /// The internet host used when `internet` (or a service) is the source: 198.51.100.1 from
    /// TEST-NET-2 (RFC 5737), which no rule of a real stack names by accident.
    public static let sampleInternetHost = IPv4Address(198 << 24 | 51 << 16 | 100 << 8 | 1)

    /// Ranges that are never "the internet": private (RFC 1918), shared (RFC 6598), loopback,
    /// link-local, "this network", multicast and reserved.
    static let nonPublic: [CIDRBlock] = [
        block(0, 0, 8), block(10, 0, 8), block(100, 64, 10), block(127, 0, 8), block(169, 254, 16),
        block(172, 16, 12), block(192, 168, 16), block(224, 0, 3),
    ]

    private static func block(_ a: UInt32, _ b: UInt32, _ prefix: Int) -> CIDRBlock {
        CIDRBlock(base: IPv4Address(a << 24 | b << 16), prefix: prefix)
    }

    /// The public address space: everything but `nonPublic`, the VPC and the service ranges
    /// (which are reached as `service:NAME`), as sorted disjoint ranges.
    static func internet(excluding vpc: CIDRBlock) -> [ClosedRange<UInt32>] {
        let excluded = nonPublic + [vpc] + servicePrefixLists.values.flatMap { $0 }
        return subtract(excluded.map { $0.first...$0.last }, from: [0...UInt32.max])
    }

    static func ranges(of service: String) -> [ClosedRange<UInt32>] {
        (servicePrefixLists[service] ?? []).map { $0.first...$0.last }.sorted { $0.lowerBound < $1.lowerBound }
    }

    static func subtract(_ cuts: [ClosedRange<UInt32>], from ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var result = ranges
        for cut in cuts {
            result = result.flatMap { piece -> [ClosedRange<UInt32>] in
                guard piece.overlaps(cut) else { return [piece] }
                var kept: [ClosedRange<UInt32>] = []
                if piece.lowerBound < cut.lowerBound { kept.append(piece.lowerBound...(cut.lowerBound - 1)) }
                if piece.upperBound > cut.upperBound { kept.append((cut.upperBound + 1)...piece.upperBound) }
                return kept
            }
        }
        return result.sorted { $0.lowerBound < $1.lowerBound }
    }

    /// Addresses of `ranges` that stand for every behaviour a set of CIDR-based checks can
    /// show: every check is a union of CIDR tests, so it is constant between consecutive CIDR
    /// boundaries, and the first address of each such piece inside `ranges` is enough.
    static func representatives(of ranges: [ClosedRange<UInt32>], boundaries blocks: [CIDRBlock]) -> [IPv4Address] {
        var starts = Set<UInt32>()
        for block in blocks {
            starts.insert(block.first)
            if block.last < UInt32.max { starts.insert(block.last + 1) }
        }
        for range in ranges { starts.insert(range.lowerBound) }
        return starts.filter { start in ranges.contains { $0.contains(start) } }.sorted().map(IPv4Address.init)
    }
}
