import NetloomModel
import NetloomSpec

/// One reachability question: can `from` open a connection to `to` with this protocol and port?
///
/// `port` is the destination port for `tcp` and `udp`. For `icmp` it is ignored. For `all`
/// without a port the question is "can any traffic at all get through" (SPEC.md section 3):
/// the analyzer looks for one packet, of any protocol and port, that passes every check, and
/// the path names that packet. With `all` and a port, tcp and udp are tried on that port and
/// icmp as well.
public struct ReachabilityQuery: Sendable, Hashable, CustomStringConvertible {
    public var from: Endpoint
    public var to: Endpoint
    public var ipProtocol: IPProtocol
    public var port: Int?

    public init(from: Endpoint, to: Endpoint, ipProtocol: IPProtocol, port: Int?) {
        self.from = from
        self.to = to
        self.ipProtocol = ipProtocol
        self.port = port
    }

    public var description: String {
        "\(from) -> \(to) \(ipProtocol)\(port.map { " \($0)" } ?? "")"
    }
}

/// One step of a path: the component the packet went through, its resource address, and the
/// rule, entry or route that let it through.
public struct PathHop: Sendable, Hashable, Codable, CustomStringConvertible {
    public var component: String
    public var address: String
    public var detail: String

    public init(component: String, address: String, detail: String) {
        self.component = component
        self.address = address
        self.detail = detail
    }

    public init(component: String, address: ResourceAddress, detail: String) {
        self.init(component: component, address: address.description, detail: detail)
    }

    public var description: String { "\(component) \(address): \(detail)" }
}

/// One reason a path is blocked: an explanation code, the resource that blocks, and why.
public struct BlockExplanation: Sendable, Hashable, Codable, CustomStringConvertible {
    public var code: String
    public var address: String
    public var detail: String

    public init(code: ExplanationCode, address: String, detail: String) {
        self.code = code.rawValue
        self.address = address
        self.detail = detail
    }

    public init(code: ExplanationCode, address: ResourceAddress, detail: String) {
        self.init(code: code, address: address.description, detail: detail)
    }

    public var description: String { "\(code) \(address): \(detail)" }
}

/// The answer to a query: reachable with the path taken, or unreachable with every reason found.
public struct ReachabilityVerdict: Sendable, Hashable, Codable {
    public var reachable: Bool
    public var path: [PathHop]
    public var explanations: [BlockExplanation]

    public init(reachable: Bool, path: [PathHop], explanations: [BlockExplanation]) {
        self.reachable = reachable
        self.path = path
        self.explanations = explanations
    }
}

/// Why a path is blocked. Codes without the `NETLOOM_` prefix are AWS Reachability Analyzer
/// explanation codes (https://docs.aws.amazon.com/vpc/latest/reachability/explanation-codes.html)
/// used with the meaning AWS gives them; `NETLOOM_` codes are netloom's own, for situations
/// the offline model can name more precisely. `docs/reachability-codes.md` lists them all.
public enum ExplanationCode: String, Sendable, Hashable, CaseIterable, Codable {
    /// No rule of the interface's security groups allows the traffic (egress at the source,
    /// ingress at the destination). Groups are allow-only and unioned.
    case securityGroupRulesMismatch = "ENI_SG_RULES_MISMATCH"
    /// A network ACL of a subnet on the path denies the request or its return traffic
    /// (the first matching entry denies, or none matches and `*` denies).
    case subnetACLRestriction = "SUBNET_ACL_RESTRICTION"
    /// The source subnet's route table has no route whose destination covers the address.
    case noRouteToDestination = "NO_ROUTE_TO_DESTINATION"
    /// The route goes to the internet gateway but the interface has no public IP, so the
    /// gateway cannot translate its address.
    case igwPublicIPAssociationForEgress = "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS"
    /// A NAT gateway only carries connections started inside the VPC: traffic from the
    /// internet cannot come in through it.
    case ngwRequiresSourceInVPC = "NGW_REQUIRES_SOURCE_IN_VPC"
    /// The load balancer has no listener on the port (AWS uses this code for Classic Load
    /// Balancers; netloom applies it to every load balancer type).
    case elbListenersMismatch = "ELB_LISTENERS_MISMATCH"

    /// Traffic from outside the VPC can only arrive at an interface with a public IP address
    /// (the internet gateway translates public to private addresses one to one).
    case noPublicIPForIngress = "NETLOOM_NO_PUBLIC_IP_FOR_INGRESS"
    /// The destination's subnet sends replies to outside addresses somewhere other than the
    /// internet gateway the request came through (a NAT gateway, a gateway endpoint, or no
    /// route), so the connection cannot complete.
    case asymmetricReturnRoute = "NETLOOM_ASYMMETRIC_RETURN_ROUTE"
    /// Every check on the path allows some traffic, but no single packet (protocol, port)
    /// passes all of them. Only possible for `protocol: all` without a port.
    case noCommonTraffic = "NETLOOM_NO_COMMON_TRAFFIC"
    /// Neither end is inside the VPC: netloom analyses paths through the stack's VPC only.
    case noEndInVPC = "NETLOOM_NO_END_IN_VPC"
    /// An end names something that is not in the expanded stack (unknown name), or that has no
    /// network interface (an instance with `count: 0`, a cluster that was not placed).
    case endHasNoInterfaces = "NETLOOM_END_HAS_NO_INTERFACES"
    /// An `ip:` end inside the VPC CIDR that no subnet holds.
    case addressNotInSubnet = "NETLOOM_ADDRESS_NOT_IN_SUBNET"
    /// A route targets a NAT gateway that the stack does not build (no public subnet in its AZ).
    case natGatewayMissing = "NETLOOM_NAT_GATEWAY_MISSING"
    /// The NAT gateway's own subnet does not route the destination to the internet gateway.
    case natWithoutInternetRoute = "NETLOOM_NAT_WITHOUT_INTERNET_ROUTE"
}
