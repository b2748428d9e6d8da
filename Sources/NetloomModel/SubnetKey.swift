/// One subnet of a subnet set, in one AZ: `private/us-west-2a`.
public struct SubnetKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var subnet: String
    public var az: String

    public init(subnet: String, az: String) {
        self.subnet = subnet
        self.az = az
    }

    public var description: String { "\(subnet)/\(az)" }

    public static func < (lhs: SubnetKey, rhs: SubnetKey) -> Bool { (lhs.subnet, lhs.az) < (rhs.subnet, rhs.az) }
}
