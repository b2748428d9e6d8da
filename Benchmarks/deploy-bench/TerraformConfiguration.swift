import Foundation
import NetloomModel

/// The Terraform equivalent (JSON syntax, hashicorp/aws 5.x) of a stack as `netloom expand
/// --format json` plans it: the same resources with the same CIDRs, AZs, names, descriptions and
/// tags, so that both tools build the same thing in AWS. It is read from the expansion rather
/// than from the YAML so that the planned subnet CIDRs are netloom's own.
///
/// Only what the bench's stack uses is translated. Anything else (a type, a property, an egress
/// rule, a prefix-list peer) stops the translation with its address, so that a change to the
/// generated stack cannot quietly make the two tools build different things.
struct TerraformConfiguration {
    struct TranslationError: Error, CustomStringConvertible {
        enum Kind { case malformedExpansion, unknownType, unknownProperty, unsupportedValue }
        var kind: Kind
        var address: String
        var detail: String
        var description: String { "cannot write the Terraform equivalent of \(address): \(detail)" }
    }

    /// Where the provider sends its calls: every endpoint the configuration uses, plus STS.
    struct Provider {
        var region: String
        var endpointURL: String
        var accessKey: String
        var secretKey: String
    }

    /// One netloom resource type as a Terraform resource type: each property either becomes
    /// an argument or is one of netloom's own planning notes that AWS never sees.
    struct Mapping {
        var terraformType: String
        var arguments: [String: String]
        var planningNotes: Set<String> = []
        /// Arguments netloom's behaviour implies without a property for them.
        var fixed: [String: PropertyValue] = [:]
    }

    static let mappings: [String: Mapping] = [
        "vpc": Mapping(terraformType: "aws_vpc", arguments: [
            "cidr": "cidr_block", "enable_dns_support": "enable_dns_support", "enable_dns_hostnames": "enable_dns_hostnames", "tags": "tags",
        ]),
        "subnet": Mapping(terraformType: "aws_subnet", arguments: [
            "vpc": "vpc_id", "cidr": "cidr_block", "az": "availability_zone", "map_public_ip_on_launch": "map_public_ip_on_launch", "tags": "tags",
        ], planningNotes: ["tier", "usable_ips", "demand", "allocation"]),
        // No `route` argument: the tables of isolated subnets have only the local route, and
        // leaving the attribute unset keeps Terraform from managing routes inline.
        "route_table": Mapping(terraformType: "aws_route_table", arguments: ["vpc": "vpc_id", "tags": "tags"], planningNotes: ["subnet"]),
        "route_table_association": Mapping(terraformType: "aws_route_table_association", arguments: [
            "subnet": "subnet_id", "route_table": "route_table_id",
        ]),
        // No inline `ingress` (the rules are aws_vpc_security_group_ingress_rule resources; an
        // inline list would fight them) and `egress = []`: netloom revokes AWS's default
        // allow-all egress rule right after CreateSecurityGroup when the spec says `egress: []`
        // (SecurityGroupProvider.create, `keeps_default_egress` false). The provider revokes it
        // on create as well, and the explicit empty list makes it keep the group without egress.
        "security_group": Mapping(terraformType: "aws_security_group", arguments: [
            "vpc": "vpc_id", "name": "name", "description": "description", "tags": "tags",
        ], fixed: ["egress": .list([])]),
        "sg_rule": Mapping(terraformType: "aws_vpc_security_group_ingress_rule", arguments: [
            "security_group": "security_group_id", "protocol": "ip_protocol", "from_port": "from_port", "to_port": "to_port",
            "cidr": "cidr_ipv4", "peer_security_group": "referenced_security_group_id", "description": "description", "tags": "tags",
        ], planningNotes: ["direction"]),
    ]

    /// `main.tf.json` for the expansion, with the provider pointed at `provider.endpointURL`.
    static func document(expansion: PropertyValue, provider: Provider) throws -> PropertyValue {
        guard let resources = expansion["resources"]?.listValue else {
            throw TranslationError(kind: .malformedExpansion, address: "the expansion", detail: "no `resources` list")
        }
        // Every address gets its Terraform name first, so that references resolve in any order.
        var names: [String: (type: String, name: String)] = [:]
        var taken: Set<String> = []
        for resource in resources {
            let address = resource["address"]?.stringValue ?? "?"
            guard let type = resource["type"]?.stringValue else {
                throw TranslationError(kind: .malformedExpansion, address: address, detail: "no `type`")
            }
            guard let mapping = mappings[type] else {
                throw TranslationError(kind: .unknownType, address: address,
                                       detail: "netloom type `\(type)` has no Terraform translation here (known: \(mappings.keys.sorted().joined(separator: ", ")))")
            }
            guard names[address] == nil else {
                throw TranslationError(kind: .malformedExpansion, address: address, detail: "the expansion lists this address twice")
            }
            // Two addresses can sanitize alike (`10.0.0.0/16` and `10_0_0_0_16`): the later one
            // takes a numbered name.
            var name = terraformName(address), suffix = 1
            while taken.contains("\(mapping.terraformType).\(name)") {
                suffix += 1
                name = terraformName(address) + "_\(suffix)"
            }
            taken.insert("\(mapping.terraformType).\(name)")
            names[address] = (mapping.terraformType, name)
        }

        var blocks: [String: [String: PropertyValue]] = [:]
        for resource in resources {
            let address = resource["address"]!.stringValue!
            let mapping = mappings[resource["type"]!.stringValue!]!
            let properties = resource["properties"]?.mapValue ?? [:]
            var arguments = mapping.fixed
            var referenced: Set<String> = []

            func value(_ property: PropertyValue, of key: String) throws -> PropertyValue {
                switch property {
                case .string(let text) where text.hasPrefix("ref:"):
                    let target = String(text.dropFirst("ref:".count))
                    guard let named = names[target] else {
                        throw TranslationError(kind: .malformedExpansion, address: address, detail: "`\(key)` refers to \(target), which the expansion does not have")
                    }
                    referenced.insert(target)
                    return .string("${\(named.type).\(named.name).id}")
                case .string(let text):
                    guard !text.contains("${account_id}") else {
                        throw TranslationError(kind: .unsupportedValue, address: address, detail: "`\(key)` needs the account id")
                    }
                    return .string(literal(text))
                case .map(let members):
                    return .map(try members.mapValues { try value($0, of: key) })
                case .list(let items):
                    return .list(try items.map { try value($0, of: key) })
                default:
                    return property
                }
            }

            for (key, property) in properties.sorted(by: { $0.key < $1.key }) {
                if mapping.planningNotes.contains(key) { continue }
                guard let argument = mapping.arguments[key] else {
                    throw TranslationError(kind: .unknownProperty, address: address,
                                           detail: "property `\(key)` has no \(mapping.terraformType) argument here, so the two stacks would differ")
                }
                arguments[argument] = try value(property, of: key)
            }
            if resource["type"]!.stringValue == "sg_rule" { try adjustRule(&arguments, properties: properties, address: address) }

            let dependsOn = (resource["depends_on"]?.listValue ?? []).compactMap(\.stringValue).filter { !referenced.contains($0) }
            if !dependsOn.isEmpty {
                arguments["depends_on"] = .list(try dependsOn.map { dependency in
                    guard let named = names[dependency] else {
                        throw TranslationError(kind: .malformedExpansion, address: address, detail: "depends on \(dependency), which the expansion does not have")
                    }
                    return .string("\(named.type).\(named.name)")
                })
            }
            let named = names[address]!
            blocks[named.type, default: [:]][named.name] = .map(arguments)
        }

        return .map([
            "terraform": .map(["required_providers": .map(["aws": .map(["source": "hashicorp/aws", "version": "~> 5.0"])])]),
            "provider": .map(["aws": providerBlock(provider)]),
            "resource": .map(blocks.mapValues { .map($0) }),
        ])
    }

    /// The settings AWS-NOTES.md gives for moto: every endpoint at moto, STS included, because
    /// `skip_requesting_account_id = true` would leave a perpetual diff.
    static func providerBlock(_ provider: Provider) -> PropertyValue {
        .map([
            "region": .string(provider.region),
            "access_key": .string(provider.accessKey),
            "secret_key": .string(provider.secretKey),
            "skip_credentials_validation": .bool(true),
            "skip_metadata_api_check": .bool(true),
            "skip_requesting_account_id": .bool(false),
            "s3_use_path_style": .bool(true),
            "endpoints": .map(["ec2": .string(provider.endpointURL), "sts": .string(provider.endpointURL)]),
        ])
    }

    /// An ingress rule: only ingress is translated (an egress rule would need
    /// aws_vpc_security_group_egress_rule and a group that keeps no `egress = []`); netloom's
    /// protocol `all` is `-1` and takes no ports, as it does in the EC2 API.
    static func adjustRule(_ arguments: inout [String: PropertyValue], properties: [String: PropertyValue], address: String) throws {
        guard properties["direction"]?.stringValue == "ingress" else {
            throw TranslationError(kind: .unsupportedValue, address: address, detail: "only ingress rules are translated; this one is \(properties["direction"]?.stringValue ?? "without direction")")
        }
        guard properties["aws_default"] == nil, properties["prefix_list"] == nil else {
            throw TranslationError(kind: .unsupportedValue, address: address, detail: "AWS-default and prefix-list rules are not translated")
        }
        if let cidr = properties["cidr"]?.stringValue, cidr.contains(":") {
            throw TranslationError(kind: .unsupportedValue, address: address, detail: "an IPv6 peer (\(cidr)) is not translated")
        }
        let ipProtocol: String = switch properties["protocol"]?.stringValue ?? "" {
        case "all", "-1", "": "-1"
        case let other: other
        }
        arguments["ip_protocol"] = .string(ipProtocol)
        if ipProtocol == "-1" || properties["from_port"]?.intValue == -1 {
            arguments.removeValue(forKey: "from_port")
            arguments.removeValue(forKey: "to_port")
        }
    }

    /// A Terraform resource name for a netloom address: letters, digits, `_` and `-` only,
    /// starting with a letter (`subnet:s0/us-east-1a` is `subnet_s0_us-east-1a`).
    static func terraformName(_ address: String) -> String {
        let name = String(address.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "_" })
        return name.first.map { $0.isLetter || $0 == "_" } == true ? name : "r_" + name
    }

    /// A string as Terraform reads it literally: `${` and `%{` would start a template.
    static func literal(_ text: String) -> String {
        text.replacingOccurrences(of: "${", with: "$${").replacingOccurrences(of: "%{", with: "%%{")
    }

    /// The document as `main.tf.json` text.
    static func encoded(_ document: PropertyValue) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(document)
    }
}
