import AWSSigV4

/// Amazon Route 53 over REST-XML: one global endpoint (`route53.amazonaws.com`, signed for
/// us-east-1), every path under `/2013-04-01/`, request bodies in the
/// `https://route53.amazonaws.com/doc/2013-04-01/` namespace.
///
/// Ids come back with a type prefix (`/hostedzone/Z123`, `/change/C456`); this client strips it
/// in what it returns and accepts either form in what it is given.
public struct Route53: Sendable {
    public let core: AWSClientCore

    public init(core: AWSClientCore) {
        self.core = core
    }

    static let namespace = "https://route53.amazonaws.com/doc/2013-04-01/"

    /// One Route 53 operation: its answer's root element, which must be `<ActionResponse>`
    /// unless `expect` says otherwise.
    @discardableResult
    private func call(_ action: String, method: String, path: String, query: [SigV4Request.QueryItem] = [],
                      body: String? = nil, expect: AWSExpectedAnswer? = nil) async throws -> AWSXMLNode {
        let endpoint = try core.endpoint(for: .route53)
        var headers: [SigV4Request.HeaderField] = []
        if body != nil { headers.append(.init("Content-Type", "application/xml")) }
        let request = SigV4Request(method: method, host: endpoint.hostHeader, path: endpoint.basePath + "/2013-04-01" + path,
                                   query: query, headers: headers)
        let response = try await core.send(service: .route53, action: action, request: request, body: Array((body ?? "").utf8),
                                           endpoint: endpoint, expect: expect ?? .xmlRoot("\(action)Response"),
                                           parseError: AWSRESTXMLProtocol.parseError)
        if response.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }), case .emptyOrXML? = expect { return .empty }
        guard let root = AWSXMLNode.parse(response.body) else {
            throw AWSError(kind: .invalidAnswer, service: "route53", action: action, statusCode: response.status, message: "answer is not XML")
        }
        return root
    }

    private static func require(_ value: String?, _ field: String, _ action: String) throws -> String {
        try AWSError.require(value, field: field, service: "route53", action: action)
    }

    /// `Z123` from `/hostedzone/Z123` (or `Z123`); `C456` from `/change/C456`.
    public static func bareID(_ id: String) -> String {
        id.split(separator: "/").last.map(String.init) ?? id
    }

    static func pathID(_ id: String) -> String {
        SigV4URIEncoding.encode(bareID(id))
    }

    static func element(_ name: String, _ value: String?) -> String {
        guard let value else { return "" }
        return "<\(name)>\(value.xmlEscaped)</\(name)>"
    }

    // MARK: Types

    /// A change's progress: `PENDING` until every Route 53 server has it, then `INSYNC`.
    public struct ChangeInfo: Sendable, Hashable {
        public var id: String
        public var status: String
        public var isInSync: Bool { status == "INSYNC" }

        init(xml: AWSXMLNode, action: String) throws {
            id = Route53.bareID(try Route53.require(xml.text("Id"), "ChangeInfo Id", action))
            status = try Route53.require(xml.text("Status"), "ChangeInfo Status", action)
        }
    }

    public struct VPC: Sendable, Hashable {
        public var id: String
        public var region: String

        public init(id: String, region: String) {
            self.id = id
            self.region = region
        }

        var xml: String { "<VPC>\(Route53.element("VPCRegion", region))\(Route53.element("VPCId", id))</VPC>" }
    }

    public struct HostedZone: Sendable, Hashable {
        /// Without the `/hostedzone/` prefix.
        public var id: String
        /// With the trailing dot, as Route 53 stores it (`example.com.`).
        public var name: String
        public var callerReference: String
        public var isPrivate: Bool
        public var comment: String?
        public var recordSetCount: Int?

        init(xml: AWSXMLNode, action: String) throws {
            id = Route53.bareID(try Route53.require(xml.text("Id"), "HostedZone Id", action))
            name = try Route53.require(xml.text("Name"), "HostedZone Name", action)
            callerReference = try Route53.require(xml.text("CallerReference"), "HostedZone CallerReference", action)
            isPrivate = xml["Config"].bool("PrivateZone") ?? false
            comment = xml["Config"].text("Comment")
            recordSetCount = xml.int("ResourceRecordSetCount")
        }
    }

    // MARK: Hosted zones

    public struct CreateHostedZoneInput: Sendable, Hashable {
        public var name: String
        /// Unique per request: a repeat with the same reference is refused
        /// (`HostedZoneAlreadyExists`) rather than making a second zone.
        public var callerReference: String
        public var comment: String?
        /// A private zone's first VPC; nil for a public zone.
        public var vpc: VPC?

        public init(name: String, callerReference: String, comment: String? = nil, vpc: VPC? = nil) {
            self.name = name
            self.callerReference = callerReference
            self.comment = comment
            self.vpc = vpc
        }

        var xml: String {
            var config = Route53.element("Comment", comment)
            if vpc != nil { config += "<PrivateZone>true</PrivateZone>" }
            return "<CreateHostedZoneRequest xmlns=\"\(Route53.namespace)\">\(Route53.element("Name", name))"
                + Route53.element("CallerReference", callerReference) + (vpc?.xml ?? "")
                + (config.isEmpty ? "" : "<HostedZoneConfig>\(config)</HostedZoneConfig>") + "</CreateHostedZoneRequest>"
        }
    }

    public struct CreatedHostedZone: Sendable, Hashable {
        public var zone: HostedZone
        public var change: ChangeInfo
        /// Empty for a private zone.
        public var nameServers: [String]
    }

    public func createHostedZone(_ input: CreateHostedZoneInput) async throws -> CreatedHostedZone {
        let root = try await call("CreateHostedZone", method: "POST", path: "/hostedzone", body: input.xml)
        return CreatedHostedZone(zone: try HostedZone(xml: root["HostedZone"], action: "CreateHostedZone"),
                                 change: try ChangeInfo(xml: root["ChangeInfo"], action: "CreateHostedZone"),
                                 nameServers: root[path: "DelegationSet", "NameServers"].all("NameServer").map(\.text))
    }

    public struct HostedZoneDetails: Sendable, Hashable {
        public var zone: HostedZone
        public var nameServers: [String]
        /// The VPCs a private zone answers in.
        public var vpcs: [VPC]
    }

    public func getHostedZone(id: String) async throws -> HostedZoneDetails {
        let root = try await call("GetHostedZone", method: "GET", path: "/hostedzone/\(Self.pathID(id))")
        return HostedZoneDetails(
            zone: try HostedZone(xml: root["HostedZone"], action: "GetHostedZone"),
            nameServers: root[path: "DelegationSet", "NameServers"].all("NameServer").map(\.text),
            vpcs: try root["VPCs"].all("VPC").map {
                VPC(id: try Self.require($0.text("VPCId"), "VPCId", "GetHostedZone"), region: $0.text("VPCRegion") ?? "")
            })
    }

    /// Every hosted zone of the account, all pages (`marker` in, `NextMarker` out).
    public func listHostedZones() async throws -> [HostedZone] {
        try await AWSPaging.collect { marker in
            let root = try await call("ListHostedZones", method: "GET", path: "/hostedzone", query: marker.map { [.init("marker", $0)] } ?? [])
            let zones = try root["HostedZones"].all("HostedZone").map { try HostedZone(xml: $0, action: "ListHostedZones") }
            return (zones, root.bool("IsTruncated") == true ? root.text("NextMarker") : nil)
        }
    }

    public struct ZonesByNamePage: Sendable, Hashable {
        public var zones: [HostedZone]
        /// Where the next page starts, when there is one.
        public var nextDNSName: String?
        public var nextHostedZoneID: String?
    }

    /// One page of zones in name order, starting at `dnsName` (and `hostedZoneID`, for zones
    /// that share a name): the way to find a zone by name without reading them all.
    public func listHostedZonesByName(dnsName: String? = nil, hostedZoneID: String? = nil, maxItems: Int? = nil) async throws -> ZonesByNamePage {
        var query: [SigV4Request.QueryItem] = []
        if let dnsName { query.append(.init("dnsname", dnsName)) }
        if let hostedZoneID { query.append(.init("hostedzoneid", Self.bareID(hostedZoneID))) }
        if let maxItems { query.append(.init("maxitems", String(maxItems))) }
        let root = try await call("ListHostedZonesByName", method: "GET", path: "/hostedzonesbyname", query: query)
        let truncated = root.bool("IsTruncated") == true
        return ZonesByNamePage(zones: try root["HostedZones"].all("HostedZone").map { try HostedZone(xml: $0, action: "ListHostedZonesByName") },
                               nextDNSName: truncated ? root.text("NextDNSName") : nil,
                               nextHostedZoneID: truncated ? root.text("NextHostedZoneId").map(Self.bareID) : nil)
    }

    /// A zone must hold only its SOA and NS records to be deleted (`HostedZoneNotEmpty`).
    @discardableResult
    public func deleteHostedZone(id: String) async throws -> ChangeInfo {
        let root = try await call("DeleteHostedZone", method: "DELETE", path: "/hostedzone/\(Self.pathID(id))")
        return try ChangeInfo(xml: root["ChangeInfo"], action: "DeleteHostedZone")
    }

    /// Lets a private zone answer in one more VPC.
    @discardableResult
    public func associateVPCWithHostedZone(id: String, vpc: VPC, comment: String? = nil) async throws -> ChangeInfo {
        let body = "<AssociateVPCWithHostedZoneRequest xmlns=\"\(Self.namespace)\">\(vpc.xml)\(Self.element("Comment", comment))</AssociateVPCWithHostedZoneRequest>"
        let root = try await call("AssociateVPCWithHostedZone", method: "POST", path: "/hostedzone/\(Self.pathID(id))/associatevpc", body: body)
        return try ChangeInfo(xml: root["ChangeInfo"], action: "AssociateVPCWithHostedZone")
    }

    // MARK: Records

    /// Where an alias record points: a load balancer's DNS name and its canonical hosted zone
    /// (ELBv2 `CanonicalHostedZoneId`), not the zone the record is in.
    public struct AliasTarget: Sendable, Hashable {
        public var hostedZoneID: String
        public var dnsName: String
        public var evaluateTargetHealth: Bool

        public init(hostedZoneID: String, dnsName: String, evaluateTargetHealth: Bool) {
            self.hostedZoneID = hostedZoneID
            self.dnsName = dnsName
            self.evaluateTargetHealth = evaluateTargetHealth
        }
    }

    /// A record set: plain (`ttl` and `values`) or an alias (`alias`, no TTL and no values).
    public struct RecordSet: Sendable, Hashable {
        public var name: String
        /// `A`, `AAAA`, `CNAME`, `TXT`, `NS`, `SOA` ...
        public var type: String
        public var ttl: Int?
        public var values: [String]
        public var alias: AliasTarget?
        /// For weighted, latency and other routing policies; nil for simple records.
        public var setIdentifier: String?

        public init(name: String, type: String, ttl: Int, values: [String], setIdentifier: String? = nil) {
            self.name = name
            self.type = type
            self.ttl = ttl
            self.values = values
            self.setIdentifier = setIdentifier
        }

        public init(name: String, type: String, alias: AliasTarget, setIdentifier: String? = nil) {
            self.name = name
            self.type = type
            self.values = []
            self.alias = alias
            self.setIdentifier = setIdentifier
        }

        init(xml: AWSXMLNode, action: String) throws {
            name = try Route53.require(xml.text("Name"), "ResourceRecordSet Name", action)
            type = try Route53.require(xml.text("Type"), "ResourceRecordSet Type", action)
            setIdentifier = xml.text("SetIdentifier")
            // An alias record has no TTL of its own; moto 5.2.1 lists one as `<TTL>0</TTL>`,
            // which would read as a difference from what was written.
            ttl = xml["AliasTarget"].exists ? nil : xml.int("TTL")
            values = xml["ResourceRecords"].all("ResourceRecord").compactMap { $0.text("Value") }
            let target = xml["AliasTarget"]
            if target.exists {
                alias = AliasTarget(hostedZoneID: try Route53.require(target.text("HostedZoneId"), "AliasTarget HostedZoneId", action),
                                    dnsName: try Route53.require(target.text("DNSName"), "AliasTarget DNSName", action),
                                    evaluateTargetHealth: target.bool("EvaluateTargetHealth") ?? false)
            }
        }

        var xml: String {
            var text = "<ResourceRecordSet>\(Route53.element("Name", name))\(Route53.element("Type", type))\(Route53.element("SetIdentifier", setIdentifier))"
            if let alias {
                text += "<AliasTarget>\(Route53.element("HostedZoneId", alias.hostedZoneID))\(Route53.element("DNSName", alias.dnsName))"
                    + "<EvaluateTargetHealth>\(alias.evaluateTargetHealth)</EvaluateTargetHealth></AliasTarget>"
            } else {
                text += Route53.element("TTL", ttl.map(String.init))
                text += "<ResourceRecords>" + values.map { "<ResourceRecord>\(Route53.element("Value", $0))</ResourceRecord>" }.joined() + "</ResourceRecords>"
            }
            return text + "</ResourceRecordSet>"
        }
    }

    public struct Change: Sendable, Hashable {
        public enum Action: String, Sendable, Hashable {
            case create = "CREATE"
            /// Creates the record, or replaces the one with the same name, type and set identifier.
            case upsert = "UPSERT"
            /// Must name the record exactly as it is (TTL and values included).
            case delete = "DELETE"
        }

        public var action: Action
        public var recordSet: RecordSet

        public init(_ action: Action, _ recordSet: RecordSet) {
            self.action = action
            self.recordSet = recordSet
        }
    }

    /// Applies every change or none (a batch is atomic).
    @discardableResult
    public func changeResourceRecordSets(zoneID: String, changes: [Change], comment: String? = nil) async throws -> ChangeInfo {
        let changeXML = changes.map { "<Change><Action>\($0.action.rawValue)</Action>\($0.recordSet.xml)</Change>" }.joined()
        let body = "<ChangeResourceRecordSetsRequest xmlns=\"\(Self.namespace)\"><ChangeBatch>\(Self.element("Comment", comment))"
            + "<Changes>\(changeXML)</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>"
        let root = try await call("ChangeResourceRecordSets", method: "POST", path: "/hostedzone/\(Self.pathID(zoneID))/rrset/", body: body)
        return try ChangeInfo(xml: root["ChangeInfo"], action: "ChangeResourceRecordSets")
    }

    /// Every record set of a zone, all pages: the next page starts at `NextRecordName`,
    /// `NextRecordType` (and `NextRecordIdentifier`) rather than at a token.
    public func listResourceRecordSets(zoneID: String) async throws -> [RecordSet] {
        var records: [RecordSet] = []
        var start: [SigV4Request.QueryItem] = []
        var seen: Set<[SigV4Request.QueryItem]> = []
        while true {
            let root = try await call("ListResourceRecordSets", method: "GET", path: "/hostedzone/\(Self.pathID(zoneID))/rrset", query: start)
            records += try root["ResourceRecordSets"].all("ResourceRecordSet").map { try RecordSet(xml: $0, action: "ListResourceRecordSets") }
            guard root.bool("IsTruncated") == true, let name = root.text("NextRecordName") else { return records }
            var next: [SigV4Request.QueryItem] = [.init("name", name)]
            if let type = root.text("NextRecordType") { next.append(.init("type", type)) }
            if let identifier = root.text("NextRecordIdentifier") { next.append(.init("identifier", identifier)) }
            // A service that repeats its start would loop for ever.
            guard seen.insert(next).inserted else { return records }
            start = next
        }
    }

    public func getChange(id: String) async throws -> ChangeInfo {
        let root = try await call("GetChange", method: "GET", path: "/change/\(Self.pathID(id))")
        return try ChangeInfo(xml: root["ChangeInfo"], action: "GetChange")
    }

    // MARK: Tags

    /// `hostedzone` or `healthcheck`.
    public enum TaggedResourceType: String, Sendable, Hashable {
        case hostedZone = "hostedzone"
        case healthCheck = "healthcheck"
    }

    public func changeTagsForResource(_ type: TaggedResourceType = .hostedZone, id: String, add: [AWSTag] = [], removeKeys: [String] = []) async throws {
        var body = "<ChangeTagsForResourceRequest xmlns=\"\(Self.namespace)\">"
        if !add.isEmpty {
            body += "<AddTags>" + add.map { "<Tag>\(Self.element("Key", $0.key))\(Self.element("Value", $0.value))</Tag>" }.joined() + "</AddTags>"
        }
        if !removeKeys.isEmpty {
            body += "<RemoveTagKeys>" + removeKeys.map { Self.element("Key", $0) }.joined() + "</RemoveTagKeys>"
        }
        body += "</ChangeTagsForResourceRequest>"
        // AWS answers `<ChangeTagsForResourceResponse/>`; moto 5.2.1 answers 200 with an empty
        // body. Nothing is read from it, so either will do (an HTML page still will not).
        try await call("ChangeTagsForResource", method: "POST", path: "/tags/\(type.rawValue)/\(Self.pathID(id))", body: body, expect: .emptyOrXML)
    }

    public func listTagsForResource(_ type: TaggedResourceType = .hostedZone, id: String) async throws -> [AWSTag] {
        let root = try await call("ListTagsForResource", method: "GET", path: "/tags/\(type.rawValue)/\(Self.pathID(id))")
        return try root[path: "ResourceTagSet", "Tags"].all("Tag").map {
            AWSTag(try Self.require($0.text("Key"), "Tag Key", "ListTagsForResource"), $0.text("Value") ?? "")
        }.sorted()
    }
}
