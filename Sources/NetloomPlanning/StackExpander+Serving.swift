import NetloomModel
import NetloomSpec

extension ResourceBuilder {
    /// The zone a record or validation writes into: a reference to a zone netloom owns, or the
    /// name of an existing one, which the engine looks up.
    func zoneValue(_ name: String) -> (value: PropertyValue, dependency: ResourceAddress?) {
        if let zone = spec.zone(named: name), !zone.existing { return (ref(.hostedZone(name)), .hostedZone(name)) }
        return (.string(ExistingZone.lookup(name)), nil)
    }

    // MARK: zones, certificates, records

    mutating func buildServing() {
        for zone in spec.zones where !zone.existing {
            var properties: [String: PropertyValue] = ["name": .string(zone.name), "private": .bool(zone.isPrivate)]
            if zone.isPrivate { properties["private_vpc"] = ref(.vpc) }
            add(.hostedZone(zone.name), .hostedZone, properties, dependsOn: zone.isPrivate ? [.vpc] : [], location: zone.location)
        }
        for certificate in spec.certificates {
            let address = ResourceAddress.certificate(certificate.name)
            add(address, .certificate, ["domain": .string(certificate.domain), "alternative_names": .list(certificate.alternativeNames.map { .string($0) })],
                location: certificate.location)
            let zone = zoneValue(certificate.zone)
            add(.certificateValidation(certificate.name), .certificateValidation,
                ["certificate": ref(address), "zone": zone.value, "names": .list(certificate.names.map { .string($0) })],
                dependsOn: [address] + (zone.dependency.map { [$0] } ?? []), location: certificate.location, taggable: false)
        }
        for record in spec.records {
            let zone = zoneValue(record.zone)
            var properties: [String: PropertyValue] = ["zone": zone.value, "name": .string(record.name), "type": .string(record.type)]
            var needs = zone.dependency.map { [$0] } ?? []
            if let balancer = record.aliasLoadBalancer {
                properties["alias"] = ref(.loadBalancer(balancer))
                needs.append(.loadBalancer(balancer))
            } else {
                properties["values"] = .list(record.values.map { .string($0) })
                properties["ttl"] = .int(record.ttl ?? 300)
            }
            add(record.address, .dnsRecord, properties, dependsOn: needs, location: record.location, taggable: false)
        }
    }
}
