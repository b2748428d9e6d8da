import NetloomModel
import NetloomPlanning
import NetloomSpec

/// A concrete end of a connection. Query ends (`Endpoint`) resolve to one or more of these;
/// both the fast analyzer and the reference evaluator start from the same resolution.
enum ConnectionEnd: Sendable, Hashable {
    /// A network interface of the topology, by index.
    case interface(Int)
    /// An address of a subnet with no interface behind it (`subnet:NAME`, or an `ip:` no
    /// interface holds): only routes and network ACLs apply, no security group.
    case subnetAddress(subnet: Int, address: IPv4Address)
    /// Addresses outside the VPC. As a source only `preferred` is used; as a destination any
    /// address of `ranges` will do, `preferred` first.
    case outside(label: String, ranges: [ClosedRange<UInt32>], preferred: IPv4Address)
}

/// What a query end resolves to: concrete ends, or why there are none.
struct ResolvedEnds: Sendable {
    var ends: [ConnectionEnd]
    var problem: BlockExplanation?
}
