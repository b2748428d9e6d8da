import NetloomModel
import Yams

// Serving a model over HTTPS: listeners with certificates and redirects, Route 53 zones,
// ACM certificates and records.

extension SpecBuilder {
    // MARK: listeners

    /// One listener of a load balancer. `type` is the balancer's (`application`, `network`), or
    /// `nil` when that was itself wrong.
    func readListener(_ item: Node, of what: String, type: String?) -> ListenerSpec? {
        guard let listener = reader.fields(item, "a listener of \(what)",
                                           allowed: ["port", "protocol", "forward", "redirect", "certificate", "certificate_arn", "ssl_policy"],
                                           required: ["port", "protocol"]) else { return nil }
        let port = listener["port"].flatMap { reader.int($0, "listener port", in: 1...65535) }
        let options = type == "network" ? ["TCP", "TLS", "UDP", "TCP_UDP"] : ["HTTP", "HTTPS"]
        let proto = listener["protocol"].flatMap { reader.oneOf($0, "listener protocol of \(type ?? "a") load balancer", options) }
        let forward = listener["forward"].flatMap { node in reader.string(node, "listener forward").map { refer(.targetGroup, $0, node); return $0 } }
        let redirect = listener["redirect"].flatMap { reader.oneOf($0, "listener redirect", ["https"]) }
        let certificateARN = listener["certificate_arn"].flatMap { reader.string($0, "listener certificate_arn") }
        let certificate = listener["certificate"].flatMap { node in reader.string(node, "listener certificate").map { refer(.certificate, $0, node); return $0 } }
        var sslPolicy = listener["ssl_policy"].flatMap { node -> String? in
            guard let policy = reader.string(node, "listener ssl_policy") else { return nil }
            guard policy.hasPrefix("ELBSecurityPolicy-"), policy.count <= 128 else {
                reader.error(node, "listener ssl_policy '\(policy.prefix(60))' is not an ELB security policy (such as \(ListenerSpec.defaultSSLPolicy))")
                return nil
            }
            return policy
        }
        switch (listener.has("forward"), listener.has("redirect")) {
        case (true, true): reader.error(listener.location, "a listener either forwards or redirects: give forward or redirect, not both")
        case (false, false): reader.error(listener.location, "a listener needs forward (a target group) or redirect: https")
        default: break
        }
        if let proto {
            let tls = proto == "HTTPS" || proto == "TLS"
            if tls {
                switch (listener.has("certificate"), listener.has("certificate_arn")) {
                case (true, true): reader.error(listener.location, "an \(proto) listener takes certificate (a certificate of the spec) or certificate_arn, not both")
                case (false, false): reader.error(listener.location, "an \(proto) listener needs certificate (a certificate of the spec) or certificate_arn (an ACM certificate)")
                default: break
                }
                if sslPolicy == nil, !listener.has("ssl_policy") { sslPolicy = ListenerSpec.defaultSSLPolicy }
            } else {
                for key in ["certificate", "certificate_arn", "ssl_policy"] where listener.has(key) {
                    reader.error(listener.keyNode(key)!, "a \(proto) listener takes no \(key): only HTTPS and TLS listeners use a certificate")
                }
            }
            if listener.has("redirect"), proto != "HTTP" {
                reader.error(listener.keyNode("redirect")!, "only an HTTP listener of an application load balancer can redirect, not a \(proto) listener")
            }
        }
        guard let port, let proto else { return nil }
        guard forward != nil || redirect != nil else { return nil }
        return ListenerSpec(port: port, protocol: proto, forward: redirect == nil ? forward : nil, certificateARN: certificateARN, location: listener.location,
                            certificate: certificate, sslPolicy: sslPolicy, redirectsToHTTPS: redirect != nil)
    }

    // MARK: zones

    func readZones(_ node: Node) -> [ZoneSpec] {
        guard case .mapping(let mapping) = node else {
            reader.error(node, "zones must be a mapping of DNS names, found \(YAMLReader.kind(node))")
            return []
        }
        var zones: [ZoneSpec] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode, !key.isNull else {
                reader.error(keyNode, "names in zones must be DNS names, found \(YAMLReader.kind(keyNode))")
                continue
            }
            let name = Self.normalizedDNSName(key.string)
            if let problem = Self.dnsNameProblem(name, wildcard: false) {
                reader.error(keyNode, "zone '\(key.string.prefix(80))' \(problem)")
                continue
            }
            guard name.contains(".") else {
                reader.error(keyNode, "zone '\(name)' must be a domain such as example.com, not a single label")
                continue
            }
            namedLines.append(("zones", name, reader.location(keyNode)))
            let what = "zone '\(name)'"
            // `example.com: {}` and `example.com:` (null) both mean a public zone netloom owns.
            var isPrivate = false, existing = false
            if case .scalar(let scalar) = value, scalar.isNull {
            } else if let fields = reader.fields(value, what, allowed: ["private", "existing"]) {
                isPrivate = fields["private"].flatMap { reader.bool($0, "\(what) private") } ?? false
                existing = fields["existing"].flatMap { reader.bool($0, "\(what) existing") } ?? false
            }
            zones.append(ZoneSpec(name: name, isPrivate: isPrivate, existing: existing, location: reader.location(keyNode)))
        }
        return zones
    }

    // MARK: certificates

    /// ACM's default quota: 10 names per certificate, the domain included.
    static let namesPerCertificate = 10

    func readCertificates(_ node: Node) -> [CertificateSpec] {
        reader.namedEntries(node, "certificates").compactMap { name, keyNode, value in
            namedLines.append(("certificates", name, reader.location(keyNode)))
            let what = "certificate '\(name)'"
            guard let fields = reader.fields(value, what, allowed: ["domain", "zone", "alternative_names"], required: ["domain", "zone"]) else { return nil }
            let domain = fields["domain"].flatMap { node -> String? in
                guard let text = reader.string(node, "\(what) domain") else { return nil }
                let domain = Self.normalizedDNSName(text)
                if let problem = Self.dnsNameProblem(domain, wildcard: true) {
                    reader.error(node, "\(what) domain '\(text.prefix(80))' \(problem)")
                    return nil
                }
                return domain
            }
            let zone = fields["zone"].flatMap { node in reader.string(node, "\(what) zone").map { refer(.zone, Self.normalizedDNSName($0), node); return Self.normalizedDNSName($0) } }
            var alternatives: [String] = []
            if let list = fields["alternative_names"].flatMap({ reader.stringList($0, "\(what) alternative_names") }) {
                for (text, itemNode) in list {
                    let alternative = Self.normalizedDNSName(text)
                    if let problem = Self.dnsNameProblem(alternative, wildcard: true) {
                        reader.error(itemNode, "\(what) alternative name '\(text.prefix(80))' \(problem)")
                    } else if alternative == domain || alternatives.contains(alternative) {
                        reader.error(itemNode, "\(what) lists '\(alternative)' twice")
                    } else {
                        alternatives.append(alternative)
                    }
                    certificateNameNodes.append((name, alternative, reader.location(itemNode)))
                }
                if list.count + 1 > Self.namesPerCertificate {
                    reader.error(fields["alternative_names"]!, "\(what) has \(list.count + 1) names; ACM allows \(Self.namesPerCertificate) per certificate by default")
                }
            }
            if let domain, let domainNode = fields["domain"] { certificateNameNodes.append((name, domain, reader.location(domainNode))) }
            guard let domain, let zone else { return nil }
            return CertificateSpec(name: name, domain: domain, zone: zone, alternativeNames: alternatives.sorted(), location: reader.location(keyNode))
        }
    }

    // MARK: records

    /// Record types netloom writes as plain records.
    static let recordTypes = ["A", "AAAA", "CNAME", "TXT", "MX", "SRV", "CAA"]

    func readRecords(_ node: Node) -> [RecordSpec] {
        guard let items = reader.list(node, "records") else { return [] }
        var records: [RecordSpec] = []
        var seen: [[String]: SourceLocation] = [:]
        for item in items {
            guard let fields = reader.fields(item, "a record", allowed: ["name", "zone", "alias", "type", "values", "ttl"], required: ["name", "zone"]) else { continue }
            let name = fields["name"].flatMap { node -> String? in
                guard let text = reader.string(node, "record name") else { return nil }
                let name = Self.normalizedDNSName(text)
                if let problem = Self.dnsNameProblem(name, wildcard: true) {
                    reader.error(node, "record name '\(text.prefix(80))' \(problem)")
                    return nil
                }
                return name
            }
            let what = "record '\(name ?? "?")'"
            let zone = fields["zone"].flatMap { node in reader.string(node, "\(what) zone").map { refer(.zone, Self.normalizedDNSName($0), node); return Self.normalizedDNSName($0) } }
            if let name, let zone, let zoneNode = fields["name"] { recordNameNodes.append((name, zone, reader.location(zoneNode))) }
            var type: String?, values: [String] = [], ttl: Int?, alias: String?
            if let aliasNode = fields["alias"] {
                for key in ["values", "ttl"] where fields.has(key) {
                    reader.error(fields.keyNode(key)!, "\(what) is an alias (alias: lb:NAME) and takes no \(key): Route 53 answers with the load balancer's addresses")
                }
                if let text = reader.string(aliasNode, "\(what) alias") {
                    if text.hasPrefix("lb:"), text.count > 3 {
                        alias = String(text.dropFirst(3))
                        refer(.loadBalancer, alias!, aliasNode)
                    } else {
                        reader.error(aliasNode, "\(what) alias '\(text.prefix(60))' must be lb:NAME (a load balancer of the spec)")
                    }
                }
                type = fields["type"].flatMap { reader.oneOf($0, "\(what) type of an alias", ["A", "AAAA"]) } ?? (fields.has("type") ? nil : "A")
            } else {
                if !fields.has("type") { reader.error(fields.location, "\(what) needs alias: lb:NAME, or type and values") }
                type = fields["type"].flatMap { reader.oneOf($0, "\(what) type", Self.recordTypes) }
                if let list = fields["values"].flatMap({ reader.stringList($0, "\(what) values") }) {
                    values = list.map(\.0)
                    if values.isEmpty { reader.error(fields["values"]!, "\(what) needs at least one value") }
                    if type == "CNAME", values.count > 1 { reader.error(fields["values"]!, "\(what) is a CNAME and takes exactly one value") }
                } else if !fields.has("values") {
                    reader.error(fields.location, "\(what) needs values (or alias: lb:NAME)")
                }
                ttl = fields["ttl"].flatMap { reader.int($0, "\(what) ttl", in: 0...604_800) } ?? 300
                if type == "CNAME", let name, let zone, name == zone {
                    reader.error(fields["type"]!, "\(what) is the zone's apex, which cannot hold a CNAME (use alias: lb:NAME)")
                }
            }
            guard let name, let zone, let type else { continue }
            let key = [zone, name, type]
            if let first = seen[key] {
                reader.error(fields.location, "\(what) of type \(type) is written twice in zone '\(zone)' (first on line \(first.line))")
                continue
            }
            seen[key] = fields.location
            records.append(RecordSpec(name: name, zone: zone, type: type, aliasLoadBalancer: alias, values: values, ttl: alias == nil ? ttl : nil,
                                      location: fields.location))
        }
        return records.sorted { ($0.zone, $0.name, $0.type) < ($1.zone, $1.name, $1.type) }
    }

    // MARK: DNS names

    /// Lowercased, without the trailing dot Route 53 writes.
    static func normalizedDNSName(_ text: String) -> String {
        var name = text.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        return name
    }

    /// Why `name` is not a DNS name netloom accepts (letters, digits and '-' in labels of 1 to 63
    /// characters, 253 in all; a leading `*.` where `wildcard`), or `nil`.
    static func dnsNameProblem(_ name: String, wildcard: Bool) -> String? {
        guard !name.isEmpty, name.utf8.count <= 253 else { return "is not a DNS name (1 to 253 characters)" }
        var labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if labels.first == "*" {
            guard wildcard else { return "cannot be a wildcard" }
            labels.removeFirst()
            guard !labels.isEmpty else { return "is a wildcard with no domain" }
        }
        for label in labels {
            guard (1...63).contains(label.utf8.count) else { return "is not a DNS name: every label holds 1 to 63 characters" }
            guard label.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }), label.first != "-", label.last != "-" else {
                return "is not a DNS name: labels hold letters, digits and '-' (not at either end)"
            }
        }
        return nil
    }

    /// Whether `name` lies in the zone `zone` (is it, or ends with `.zone`).
    static func isName(_ name: String, in zone: String) -> Bool {
        let bare = name.hasPrefix("*.") ? String(name.dropFirst(2)) : name
        return bare == zone || bare.hasSuffix("." + zone)
    }
}

extension SpecCrossChecks {
    /// Certificates validated through a public zone of the spec, with names in it; records in
    /// their zone.
    func checkServing() {
        let zones = Dictionary(spec.zones.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for (certificate, name, location) in builder.certificateNameNodes {
            guard let zoneName = spec.certificate(named: certificate)?.zone, let zone = zones[zoneName] else { continue }
            if !SpecBuilder.isName(name, in: zone.name) {
                reader.error(location, "certificate '\(certificate)' name '\(name)' is not in its zone '\(zone.name)': ACM validates it through a record in that zone")
            }
        }
        for certificate in spec.certificates {
            if let zone = zones[certificate.zone], zone.isPrivate {
                reader.error(certificate.location, "certificate '\(certificate.name)' is validated in private zone '\(zone.name)', which ACM cannot see: use a public zone")
            }
        }
        for (name, zoneName, location) in builder.recordNameNodes {
            guard let zone = zones[zoneName] else { continue }
            if !SpecBuilder.isName(name, in: zone.name) {
                reader.error(location, "record '\(name)' is outside its zone '\(zone.name)'")
            }
        }
    }
}
