/// Addresses for what a read finds in AWS that no resource of the spec names: the engine
/// plans to delete these, and shows them by these names. Printed and read only here.
public enum FoundAddress {
    static let duplicateMarker = "#duplicate/"

    /// A resource tagged with the stack whose `netloom:address` tag is missing: `subnet:untagged/subnet-1`.
    public static func untagged(_ type: ResourceType, id: String) -> String { "\(type.rawValue):untagged/\(id)" }

    /// A sub-resource (rule, route, entry, association) in one of the stack's resources that the
    /// spec does not have: `route:unmanaged/rtb-1|0.0.0.0/0`.
    public static func unmanaged(_ type: ResourceType, id: String) -> String { "\(type.rawValue):unmanaged/\(id)" }

    /// A security group rule added outside netloom, under its group: `sg_rule:unmanaged/sg-1/sgr-2`.
    public static func unmanagedRule(group: String, id: String) -> String { "\(ResourceType.securityGroupRule.rawValue):unmanaged/\(group)/\(id)" }

    /// A resource of the stack that a read found by name only (a role or log group under the
    /// stack's path, a bucket tagged with the stack): `iam_role:?ml-old-1a2b3c4d`.
    public static func named(_ type: ResourceType, name: String) -> String { "\(type.rawValue):?\(name)" }

    /// A second resource carrying `address` (a create whose answer was lost made it): `vpc#duplicate/vpc-2`.
    public static func duplicate(of address: String, id: String) -> String { address + duplicateMarker + id }

    /// The address a duplicate stands beside, for `vpc#duplicate/vpc-2` that is `vpc`.
    public static func original(ofDuplicate address: String) -> String? {
        address.firstRange(of: duplicateMarker).map { String(address[..<$0.lowerBound]) }
    }

    public static func isDuplicate(_ address: String) -> Bool { address.firstRange(of: duplicateMarker) != nil }

    /// The resource type an address of any of these forms (or a spec address) belongs to.
    public static func type(of address: String) -> ResourceType? {
        ResourceType(rawValue: String(address.prefix { $0 != ":" && $0 != "#" }))
    }
}
