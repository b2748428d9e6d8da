import NetloomModel

/// The names resources get in an exported configuration (Terraform resource names, CloudFormation
/// logical ids), made from their netloom addresses alone.
///
/// A name is the address made readable for the engine (`subnet:app/us-east-1a` becomes
/// `app_us-east-1a` or `SubnetAppUsEast1a`). Making it readable can make two addresses alike
/// (`10.0.0.0/24` and `10.0.0.0_24`): those, and only those, both get a hash of their full
/// address appended. The names therefore depend on the set of addresses, never on the order
/// in which the spec lists things or the expansion returns them.
struct ExportNames {
    private var names: [String: String] = [:]

    /// `namespace` says which names must differ from one another (Terraform: per resource type;
    /// CloudFormation: all logical ids of a template).
    init(addresses: [String], stack: String, namespace: (String) -> String, readable: (String) -> String) {
        var groups: [String: [String]] = [:]
        for address in Set(addresses) {
            groups[namespace(address) + "\u{0}" + readable(address), default: []].append(address)
        }
        for (_, members) in groups {
            if members.count == 1 {
                names[members[0]] = readable(members[0])
            } else {
                for address in members {
                    names[address] = readable(address) + Self.hashSeparator(readable(address)) + DerivedName.hash(stack: stack, identity: address)
                }
            }
        }
    }

    /// `_` where the engine allows it (Terraform), nothing where names are letters and digits only.
    private static func hashSeparator(_ name: String) -> String {
        name.contains(where: { !$0.isLetter && !$0.isNumber }) || name.contains("_") ? "_" : ""
    }

    subscript(address: String) -> String? { names[address] }

    /// A Terraform name: the address without its type (the Terraform type says it), `/` and every
    /// character Terraform refuses as `_`; a name that would not start with a letter starts with `r_`.
    static func terraform(_ address: String) -> String {
        let parsed = ResourceAddress(parsing: address)
        let body = parsed.map { $0.parts.isEmpty ? $0.kind.prefix : $0.parts.joined(separator: "/") } ?? address
        let name = String(body.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
        return name.first.map { $0.isLetter || $0 == "_" } == true ? name : "r_" + name
    }

    /// A CloudFormation logical id: letters and digits only, each word of the address capitalised
    /// (`route_table:app/eu-west-1a` is `RouteTableAppEuWest1a`).
    static func cloudFormation(_ address: String) -> String {
        var result = ""
        var startsWord = true
        for character in address {
            if character.isASCII && (character.isLetter || character.isNumber) {
                result.append(startsWord ? Character(character.uppercased()) : character)
                startsWord = false
            } else {
                startsWord = true
            }
        }
        return result.first?.isLetter == true ? result : "R" + result
    }
}
