import AWSClient
import Foundation
import NetloomModel

// Serving over HTTPS: Route 53 hosted zones and records, ACM certificates and their DNS
// validation.

/// Route 53 writes names with a trailing dot and may escape `*` as `\052`; the spec writes
/// neither.
func bareDNSName(_ name: String) -> String {
    var name = name.lowercased().replacingOccurrences(of: "\\052", with: "*")
    if name.hasSuffix(".") { name.removeLast() }
    return name
}

extension ProviderContext {
    /// The id of the hosted zone named `name` (public or private as asked), found by name: for
    /// `existing: true` zones, which netloom never makes.
    func existingZoneID(named name: String) async throws -> String {
        let page = try await services.route53.listHostedZonesByName(dnsName: name, maxItems: 100)
        let matches = page.zones.filter { bareDNSName($0.name) == name }
        guard let zone = matches.first(where: { !$0.isPrivate }) ?? matches.first else {
            throw AWSError(kind: .client, service: "route53", action: "ListHostedZonesByName", code: "NoSuchHostedZone",
                           message: "no hosted zone named \(name) in this account (the spec says existing: true)")
        }
        return zone.id
    }

    /// Every certificate of the account with its tags, once per refresh.
    func accountCertificates() async throws -> [(ACM.CertificateSummary, [AWSTag])] {
        try await cache.value("acm-certificates") { [self] in
            // Every status asked for by name: a certificate that failed or timed out must be
            // found too, whatever the default filter of ListCertificates includes.
            let all = try await services.acm.listCertificates(statuses: ["PENDING_VALIDATION", "ISSUED", "INACTIVE", "EXPIRED", "VALIDATION_TIMED_OUT", "REVOKED", "FAILED"])
            var result: [(ACM.CertificateSummary, [AWSTag])] = []
            for summary in all {
                do {
                    result.append((summary, try await services.acm.listTagsForCertificate(arn: summary.arn)))
                } catch let error as AWSError where error.isNotFound {
                    continue
                }
            }
            return result
        }
    }
}

/// Whether a type with no resource in the spec or the state need be read at all: only when an
/// unfinished create may have left one. Zones and certificates are listed account-wide (with a
/// tag call each), which every other stack's destroy would otherwise pay for.
func needsRead(_ type: ResourceType, _ scope: ReadScope) -> Bool {
    !scope.desired.isEmpty || scope.state.values.contains { $0.type == type }
        || scope.unfinishedCreates.contains { FoundAddress.type(of: $0) == type }
}

// MARK: hosted zones

/// A hosted zone netloom owns; its id is the zone id without `/hostedzone/`.
struct HostedZoneProvider: ResourceProvider {
    let type = ResourceType.hostedZone
    let replacedOn = ["name": "a hosted zone cannot be renamed", "private": "a zone is public or private for good"]

    /// Zones netloom makes carry this caller reference prefix, so a zone whose tagging call was
    /// lost is still recognised as the stack's.
    static func callerReferencePrefix(stack: String) -> String { "netloom-\(stack)-" }

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        guard needsRead(type, scope) else { return [] }
        let wanted = Dictionary(scope.desired.map { ($0.string("name"), $0.address) }, uniquingKeysWith: { first, _ in first })
        // (zone, its tags in AWS, the tags that say whose it is)
        var items: [(Route53.HostedZone, [AWSTag], [AWSTag])] = []
        for zone in try await context.services.route53.listHostedZones() {
            let tags = try await context.services.route53.listTagsForResource(id: zone.id)
            var ownership = tags
            // A zone made by this stack whose ChangeTagsForResource never ran (a killed run):
            // its caller reference says whose it is. Its tags compare as missing, so the plan
            // tags it.
            if tags.value(forKey: "netloom:stack") == nil, zone.callerReference.hasPrefix(Self.callerReferencePrefix(stack: context.stack)),
               let address = wanted[bareDNSName(zone.name)] {
                ownership += [AWSTag("netloom:stack", context.stack), AWSTag("netloom:address", address)]
            }
            items.append((zone, tags, ownership))
        }
        var observed: [ObservedResource] = []
        for item in ProviderSupport.byAddressTag(items, stack: context.stack, adoption: context.adoption, type: type, id: { $0.0.id }, tags: { $0.2 }, observe: { zone, tags, _ in
            ObservedResource(address: "", type: type, awsID: zone.id, properties: [
                "name": .string(bareDNSName(zone.name)), "private": .bool(zone.isPrivate), "tags": comparableTags(tags),
            ])
        }) {
            var item = item
            let details = try await context.services.route53.getHostedZone(id: item.awsID)
            if item.properties["private"]?.boolValue == true { item.properties["private_vpc"] = ProviderSupport.sortedIDs(details.vpcs.map(\.id)) }
            item.attributes["name_servers"] = details.nameServers.joined(separator: ",")
            observed.append(item)
        }
        return observed
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        var result: [String: PropertyValue] = ["name": .string(desired.string("name")), "private": .bool(desired.bool("private")), "tags": desired.tags.propertyMap]
        if desired.bool("private") { result["private_vpc"] = ProviderSupport.sortedIDs([desired.string("private_vpc")]) }
        return result
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let reference = Self.callerReferencePrefix(stack: context.stack) + String(Int(Date().timeIntervalSince1970 * 1000))
        let vpc = desired.bool("private") ? Route53.VPC(id: desired.string("private_vpc"), region: context.region) : nil
        let created = try await context.services.route53.createHostedZone(
            Route53.CreateHostedZoneInput(name: desired.string("name"), callerReference: reference, comment: "netloom stack \(context.stack)", vpc: vpc))
        try await context.services.route53.changeTagsForResource(id: created.zone.id, add: desired.tags)
        return ObservedResource(address: desired.address, type: type, awsID: created.zone.id, properties: comparable(desired),
                                attributes: ["name_servers": created.nameServers.joined(separator: ",")])
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        if changed.contains("tags") {
            try await context.services.route53.changeTagsForResource(id: observed.awsID, add: desired.tags)
        }
        if changed.contains("private_vpc"), desired.bool("private") {
            try await context.services.route53.associateVPCWithHostedZone(id: observed.awsID, vpc: Route53.VPC(id: desired.string("private_vpc"), region: context.region))
        }
        return updated(observed, to: desired)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        try await ProviderSupport.ignoringNotFound { try await context.services.route53.deleteHostedZone(id: observed.awsID) }
    }
}

// MARK: certificates

/// An ACM public certificate with DNS validation; its id is its ARN.
struct CertificateProvider: ResourceProvider {
    let type = ResourceType.certificate
    let replacedOn = ["domain": "a certificate's names are fixed", "alternative_names": "a certificate's names are fixed"]

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        guard needsRead(type, scope) else { return [] }
        let owned = try await context.accountCertificates().filter { context.belongs($0.1, id: $0.0.arn) }
        var observed: [ObservedResource] = []
        for item in ProviderSupport.byAddressTag(owned, stack: context.stack, adoption: context.adoption, type: type, id: { $0.0.arn }, tags: { $0.1 }, observe: { summary, tags in
            ObservedResource(address: "", type: type, awsID: summary.arn, properties: ["tags": comparableTags(tags)])
        }) {
            var item = item
            do {
                let certificate = try await context.services.acm.describeCertificate(arn: item.awsID)
                let domain = bareDNSName(certificate.domainName)
                item.properties["domain"] = .string(domain)
                item.properties["alternative_names"] = .list(Set(certificate.subjectAlternativeNames.map(bareDNSName)).subtracting([domain]).sorted().map { .string($0) })
                item.attributes["status"] = certificate.status
            } catch let error as AWSError where error.isNotFound {
                continue
            }
            observed.append(item)
        }
        return observed
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["domain": .string(desired.string("domain")), "alternative_names": .list(desired.strings("alternative_names").sorted().map { .string($0) }),
         "tags": desired.tags.propertyMap]
    }

    /// ACM's idempotency token: at most 32 word characters, the same for the same stack and
    /// address, so AWS answers a repeated request (within an hour) with the first certificate.
    static func idempotencyToken(stack: String, address: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(stack) \(address)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "netloom" + String(hash, radix: 16)
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let input = ACM.RequestCertificateInput(domainName: desired.string("domain"), subjectAlternativeNames: desired.strings("alternative_names"),
                                                idempotencyToken: Self.idempotencyToken(stack: context.stack, address: desired.address), tags: desired.tags)
        let arn: String
        do {
            arn = try await context.services.acm.requestCertificate(input)
        } catch let error as AWSError where error.kind != .client {
            // The answer may be lost after ACM made the certificate; moto 5.2.1 ignores the
            // IdempotencyToken, so a retry would make a second one. The tags were part of the
            // request: a certificate carrying this address is the one.
            let found = try await context.refreshed().accountCertificates().first {
                context.isOwned($0.1) && $0.1.value(forKey: "netloom:address") == desired.address
            }
            guard let found else { throw error }
            arn = found.0.arn
        }
        return ObservedResource(address: desired.address, type: type, awsID: arn, properties: comparable(desired))
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        if changed.contains("tags") { try await context.services.acm.addTagsToCertificate(arn: observed.awsID, tags: desired.tags) }
        return updated(observed, to: desired)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        // AWS refuses while a listener uses it (ResourceInUseException); destroy deletes
        // listeners first. moto 5.2.1 deletes a certificate in use, so only AWS proves the order.
        try await ProviderSupport.ignoringNotFound { try await context.services.acm.deleteCertificate(arn: observed.awsID) }
    }
}

// MARK: certificate validation

/// The DNS validation of a certificate: ACM's CNAME records written into the zone, and the
/// wait for `ISSUED`. Its id is `certificate ARN|zone id`. It exists (for a plan) once the
/// certificate is issued and its records are in the zone.
struct CertificateValidationProvider: ResourceProvider {
    let type = ResourceType.certificateValidation
    let readsAfterParents = true
    let replacedOn = ["certificate": "a validation belongs to one certificate", "zone": "a validation writes into one zone"]

    func resolveParameters(of resources: [Resource], context: ProviderContext) async throws -> [String: String] {
        try await resolveExistingZones(resources, context: context)
    }

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        var targets: [(address: String, certificate: String, zone: String)] = scope.desired.compactMap { desired in
            let certificate = desired.string("certificate"), zone = desired.string("zone")
            guard !desired.hasUnknownReference, !certificate.isEmpty, !zone.isEmpty else { return nil }
            return (desired.address, certificate, zone)
        }
        let desiredAddresses = Set(targets.map(\.address))
        for record in scope.state.values where record.type == type && !desiredAddresses.contains(record.address) {
            let parts = CompositeID(parsing: record.awsID, maximumParts: 2).parts
            if parts.count == 2 { targets.append((record.address, parts[0], parts[1])) }
        }
        var observed: [ObservedResource] = []
        for target in targets {
            let certificate: ACM.Certificate
            do {
                certificate = try await context.services.acm.describeCertificate(arn: target.certificate)
            } catch let error as AWSError where error.isNotFound {
                continue
            }
            let wanted = Self.validationRecords(of: certificate)
            let present = try await Self.recordSets(in: target.zone, context: context)
            let written = wanted.allSatisfy { record in
                present.contains { bareDNSName($0.name) == bareDNSName(record.name) && $0.type == record.type }
            }
            // Only a validation whose records are written and whose certificate is issued is
            // done; anything less is finished by an update (write the records, wait again).
            // moto 5.2.1 may issue a certificate that asks for no record at all: issued is done.
            observed.append(ObservedResource(address: target.address, type: type, awsID: CompositeID(target.certificate, target.zone).description, properties: [
                "certificate": .string(target.certificate), "zone": .string(target.zone), "issued": .bool(certificate.status == "ISSUED" && written),
            ], attributes: ["status": certificate.status]))
        }
        return observed
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        ["certificate": .string(desired.string("certificate")), "zone": .string(desired.string("zone")), "issued": true]
    }

    /// The CNAMEs ACM asks for, one per distinct record (a name and its wildcard share one).
    static func validationRecords(of certificate: ACM.Certificate) -> [ACM.ResourceRecord] {
        var seen: Set<String> = []
        return certificate.domainValidationOptions.compactMap(\.resourceRecord).filter { seen.insert(bareDNSName($0.name)).inserted }
    }

    static func recordSets(in zone: String, context: ProviderContext) async throws -> [Route53.RecordSet] {
        do {
            return try await context.services.route53.listResourceRecordSets(zoneID: zone)
        } catch let error as AWSError where error.isNotFound {
            return []
        }
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        let arn = desired.string("certificate"), zone = desired.string("zone")
        let name = desired.address
        // ACM adds the validation records to the description a few seconds after the request.
        var records: [ACM.ResourceRecord] = []
        try await context.waiter.wait(for: "DNS validation records of \(name)") {
            let certificate = try await context.services.acm.describeCertificate(arn: arn)
            records = Self.validationRecords(of: certificate)
            // moto 5.2.1 may describe an issued certificate without any record; nothing to write then.
            if certificate.status == "ISSUED" { return (true, certificate.status) }
            let complete = !certificate.domainValidationOptions.isEmpty && certificate.domainValidationOptions.allSatisfy { $0.resourceRecord != nil }
            return (complete, complete ? certificate.status : "waiting for ACM's validation records")
        }
        if !records.isEmpty {
            // UPSERT: a rerun after a lost answer writes the same records again.
            try await context.services.route53.changeResourceRecordSets(zoneID: zone, changes: records.map { record in
                Route53.Change(.upsert, Route53.RecordSet(name: record.name, type: record.type, ttl: 300, values: [record.value]))
            }, comment: "netloom: ACM validation of \(name)")
        }
        try await context.waiter.wait(for: "certificate \(name) to be issued") {
            let certificate = try await context.services.acm.describeCertificate(arn: arn)
            if ["FAILED", "VALIDATION_TIMED_OUT", "REVOKED", "EXPIRED"].contains(certificate.status) {
                throw AWSError(kind: .client, service: "acm", action: "DescribeCertificate", code: "Certificate\(certificate.status)",
                               message: "the certificate is \(certificate.status)\(certificate.failureReason.map { " (\($0))" } ?? "")")
            }
            return (certificate.status == "ISSUED", certificate.status)
        }
        return ObservedResource(address: desired.address, type: type, awsID: CompositeID(arn, zone).description, properties: comparable(desired),
                                attributes: ["status": "ISSUED"])
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        try await create(desired, context: context)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        let parts = CompositeID(parsing: observed.awsID, maximumParts: 2).parts
        guard parts.count == 2 else { return }
        let certificate: ACM.Certificate
        do {
            certificate = try await context.services.acm.describeCertificate(arn: parts[0])
        } catch let error as AWSError where error.isNotFound {
            return
        }
        let wanted = Set(Self.validationRecords(of: certificate).map { bareDNSName($0.name) })
        // A DELETE must name the record exactly as it is: take it from the zone.
        let present = try await Self.recordSets(in: parts[1], context: context).filter { $0.type == "CNAME" && wanted.contains(bareDNSName($0.name)) }
        guard !present.isEmpty else { return }
        try await ProviderSupport.ignoringNotFound {
            try await context.services.route53.changeResourceRecordSets(zoneID: parts[1], changes: present.map { Route53.Change(.delete, $0) })
        }
    }
}

/// `existing: true` zones, looked up by name once per run: property value -> zone id.
func resolveExistingZones(_ resources: [Resource], context: ProviderContext) async throws -> [String: String] {
    var values: [String: String] = [:]
    for resource in resources {
        guard let value = resource.properties["zone"]?.stringValue, let name = ExistingZone.name(in: value), values[value] == nil else { continue }
        values[value] = try await context.existingZoneID(named: name)
    }
    return values
}

// MARK: records

/// A record set netloom writes; its id is `zone id|name|type`. Records carry no tags: a record
/// is the stack's when the spec or the state names it, and no other record of a zone is ever
/// touched (an `existing: true` zone keeps everything else in it).
struct DNSRecordProvider: ResourceProvider {
    let type = ResourceType.dnsRecord
    let readsAfterParents = true
    let replacedOn = ["zone": "a record lives in one zone", "name": "a record is identified by its name", "type": "a record is identified by its type"]

    func resolveParameters(of resources: [Resource], context: ProviderContext) async throws -> [String: String] {
        try await resolveExistingZones(resources, context: context)
    }

    static func identity(zone: String, name: String, type: String) -> String { CompositeID(zone, bareDNSName(name), type).description }

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] {
        var identities: [String: String] = [:]
        var zones: Set<String> = []
        for desired in scope.desired where !desired.hasUnknownReference {
            identities[Self.identity(zone: desired.string("zone"), name: desired.string("name"), type: desired.string("type"))] = desired.address
            zones.insert(desired.string("zone"))
        }
        for record in scope.state.values where record.type == type {
            let parts = CompositeID(parsing: record.awsID, maximumParts: 3).parts
            guard parts.count == 3 else { continue }
            if identities[record.awsID] == nil { identities[record.awsID] = record.address }
            zones.insert(parts[0])
        }
        guard !zones.isEmpty else { return [] }
        // Alias targets are written as the load balancer's DNS name; the spec names its ARN.
        var balancerByDNSName: [String: String] = [:]
        for (balancer, _) in try await context.stackLoadBalancers(alsoNamed: Set(scope.observed.values.filter { $0.type == .loadBalancer }.compactMap { $0.properties["name"]?.stringValue })) {
            balancerByDNSName[bareDNSName(balancer.dnsName)] = balancer.arn
        }
        var observed: [ObservedResource] = []
        for zone in zones.sorted() {
            for record in try await CertificateValidationProvider.recordSets(in: zone, context: context) {
                let id = Self.identity(zone: zone, name: record.name, type: record.type)
                guard let address = identities[id] else { continue }
                var properties: [String: PropertyValue] = ["zone": .string(zone), "name": .string(bareDNSName(record.name)), "type": .string(record.type)]
                if let alias = record.alias {
                    var target = bareDNSName(alias.dnsName)
                    if target.hasPrefix("dualstack.") { target.removeFirst("dualstack.".count) }
                    properties["alias"] = .string(balancerByDNSName[target] ?? target)
                } else {
                    properties["values"] = .list(record.values.map { .string($0) })
                    properties["ttl"] = .int(record.ttl ?? 0)
                }
                observed.append(ObservedResource(address: address, type: type, awsID: id, properties: properties))
            }
        }
        return observed
    }

    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] {
        var result: [String: PropertyValue] = ["zone": .string(desired.string("zone")), "name": .string(desired.string("name")), "type": .string(desired.string("type"))]
        if desired.properties["alias"] != nil {
            result["alias"] = .string(desired.string("alias"))
        } else {
            result["values"] = .list(desired.strings("values").map { .string($0) })
            result["ttl"] = .int(desired.int("ttl") ?? 300)
        }
        return result
    }

    func recordSet(_ desired: DesiredResource, context: ProviderContext) async throws -> Route53.RecordSet {
        let name = desired.string("name"), recordType = desired.string("type")
        guard desired.properties["alias"] != nil else {
            return Route53.RecordSet(name: name, type: recordType, ttl: desired.int("ttl") ?? 300, values: desired.strings("values"))
        }
        guard let balancer = try await context.services.elb.describeLoadBalancers(arns: [desired.string("alias")]).first,
              let hostedZone = balancer.canonicalHostedZoneID else {
            throw AWSError(kind: .client, service: "elasticloadbalancing", action: "DescribeLoadBalancers", code: "LoadBalancerNotFound",
                           message: "the load balancer of alias record \(name) has no DNS name or canonical hosted zone yet")
        }
        return Route53.RecordSet(name: name, type: recordType, alias: Route53.AliasTarget(hostedZoneID: hostedZone, dnsName: balancer.dnsName, evaluateTargetHealth: true))
    }

    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource {
        // UPSERT rather than CREATE: a rerun after a lost answer finds its own record there.
        try await context.services.route53.changeResourceRecordSets(zoneID: desired.string("zone"), changes: [Route53.Change(.upsert, try await recordSet(desired, context: context))],
                                                                    comment: "netloom stack \(context.stack): \(desired.address)")
        return ObservedResource(address: desired.address, type: type,
                                awsID: Self.identity(zone: desired.string("zone"), name: desired.string("name"), type: desired.string("type")), properties: comparable(desired))
    }

    func update(_ desired: DesiredResource, from observed: ObservedResource, changed: Set<String>, context: ProviderContext) async throws -> ObservedResource {
        try await create(desired, context: context)
    }

    func delete(_ observed: ObservedResource, context: ProviderContext) async throws {
        let parts = CompositeID(parsing: observed.awsID, maximumParts: 3).parts
        guard parts.count == 3 else { return }
        // A DELETE must repeat the record exactly (alias target, TTL and values): read it first.
        let present = try await CertificateValidationProvider.recordSets(in: parts[0], context: context).filter {
            bareDNSName($0.name) == parts[1] && $0.type == parts[2]
        }
        guard !present.isEmpty else { return }
        try await ProviderSupport.ignoringNotFound {
            try await context.services.route53.changeResourceRecordSets(zoneID: parts[0], changes: present.map { Route53.Change(.delete, $0) })
        }
    }
}
