/// AWS Certificate Manager over JSON 1.1 (target prefix `CertificateManager`, signing name
/// `acm`): public certificates validated through DNS, for HTTPS listeners.
public struct ACM: Sendable {
    public let core: AWSClientCore

    public init(core: AWSClientCore) {
        self.core = core
    }

    private func call(_ action: String, _ body: AWSJSON) async throws -> AWSJSON {
        try await core.jsonCall(service: .certificateManager, action: action, body: body)
    }

    static func missing(_ field: String, _ action: String) -> AWSError {
        AWSError.missingField(field, service: "acm", action: action)
    }

    // MARK: RequestCertificate

    public struct RequestCertificateInput: Sendable, Hashable {
        public var domainName: String
        public var subjectAlternativeNames: [String]
        /// The same token within an hour returns the first call's certificate instead of a
        /// second one: what makes retrying the request safe. At most 32 word characters.
        /// moto 5.2.1 ignores it (a repeat makes a second certificate), so only AWS proves it.
        public var idempotencyToken: String?
        public var tags: [AWSTag]

        public init(domainName: String, subjectAlternativeNames: [String] = [], idempotencyToken: String? = nil, tags: [AWSTag] = []) {
            self.domainName = domainName
            self.subjectAlternativeNames = subjectAlternativeNames
            self.idempotencyToken = idempotencyToken
            self.tags = tags
        }

        var body: AWSJSON {
            var members: [String: AWSJSON] = ["DomainName": .string(domainName), "ValidationMethod": "DNS"]
            if !subjectAlternativeNames.isEmpty { members["SubjectAlternativeNames"] = .array(subjectAlternativeNames.map(AWSJSON.string)) }
            if let idempotencyToken { members["IdempotencyToken"] = .string(idempotencyToken) }
            if !tags.isEmpty { members["Tags"] = ACM.json(tags) }
            return .object(members)
        }
    }

    /// Requests a DNS-validated certificate; returns its ARN.
    public func requestCertificate(_ input: RequestCertificateInput) async throws -> String {
        let answer = try await call("RequestCertificate", input.body)
        return try AWSError.require(answer["CertificateArn"].string, field: "CertificateArn", service: "acm", action: "RequestCertificate")
    }

    // MARK: DescribeCertificate

    /// The DNS record that proves control of one name: a CNAME to create in the zone.
    public struct ResourceRecord: Sendable, Hashable {
        public var name: String
        /// `CNAME`.
        public var type: String
        public var value: String

        public init(name: String, type: String, value: String) {
            self.name = name
            self.type = type
            self.value = value
        }
    }

    public struct DomainValidation: Sendable, Hashable {
        public var domainName: String
        /// `PENDING_VALIDATION`, `SUCCESS` or `FAILED`; nil when ACM has not said yet.
        public var validationStatus: String?
        /// `DNS` or `EMAIL`.
        public var validationMethod: String?
        /// Nil for a few seconds after the request, until ACM has made the record.
        public var resourceRecord: ResourceRecord?
    }

    public struct Certificate: Sendable, Hashable {
        public var arn: String
        public var domainName: String
        public var subjectAlternativeNames: [String]
        /// `PENDING_VALIDATION`, `ISSUED`, `INACTIVE`, `EXPIRED`, `VALIDATION_TIMED_OUT`,
        /// `REVOKED` or `FAILED`.
        public var status: String
        /// `AMAZON_ISSUED`, `IMPORTED` or `PRIVATE`.
        public var type: String?
        public var domainValidationOptions: [DomainValidation]
        /// ARNs of the load balancers (and other resources) using it: a certificate in use
        /// cannot be deleted. moto 5.2.1 lists the HTTPS listener's ARN here instead of the
        /// load balancer's.
        public var inUseBy: [String]
        public var failureReason: String?

        init(json: AWSJSON, action: String) throws {
            arn = try AWSError.require(json["CertificateArn"].string, field: "CertificateArn", service: "acm", action: action)
            domainName = try AWSError.require(json["DomainName"].string, field: "DomainName", service: "acm", action: action)
            status = try AWSError.require(json["Status"].string, field: "Status", service: "acm", action: action)
            subjectAlternativeNames = json["SubjectAlternativeNames"].array.compactMap(\.string)
            type = json["Type"].string
            inUseBy = json["InUseBy"].array.compactMap(\.string)
            failureReason = json["FailureReason"].string
            domainValidationOptions = try json["DomainValidationOptions"].array.map { option in
                let record = option["ResourceRecord"]
                var resourceRecord: ResourceRecord?
                if !record.isNull {
                    resourceRecord = ResourceRecord(
                        name: try AWSError.require(record["Name"].string, field: "ResourceRecord Name", service: "acm", action: action),
                        type: try AWSError.require(record["Type"].string, field: "ResourceRecord Type", service: "acm", action: action),
                        value: try AWSError.require(record["Value"].string, field: "ResourceRecord Value", service: "acm", action: action))
                }
                return DomainValidation(
                    domainName: try AWSError.require(option["DomainName"].string, field: "DomainValidationOption DomainName", service: "acm", action: action),
                    validationStatus: option["ValidationStatus"].string, validationMethod: option["ValidationMethod"].string,
                    resourceRecord: resourceRecord)
            }
        }
    }

    public func describeCertificate(arn: String) async throws -> Certificate {
        let answer = try await call("DescribeCertificate", ["CertificateArn": .string(arn)])
        guard case .object = answer["Certificate"] else { throw Self.missing("Certificate", "DescribeCertificate") }
        return try Certificate(json: answer["Certificate"], action: "DescribeCertificate")
    }

    // MARK: ListCertificates

    public struct CertificateSummary: Sendable, Hashable {
        public var arn: String
        public var domainName: String
        public var status: String?
    }

    /// Every certificate, all pages (`NextToken`); `statuses` filters (`ISSUED`,
    /// `PENDING_VALIDATION`), empty for all.
    public func listCertificates(statuses: [String] = []) async throws -> [CertificateSummary] {
        try await AWSPaging.collect { token in
            var body: [String: AWSJSON] = [:]
            if !statuses.isEmpty { body["CertificateStatuses"] = .array(statuses.map(AWSJSON.string)) }
            if let token { body["NextToken"] = .string(token) }
            let answer = try await call("ListCertificates", .object(body))
            let summaries = try answer["CertificateSummaryList"].array.map { item in
                CertificateSummary(
                    arn: try AWSError.require(item["CertificateArn"].string, field: "CertificateArn", service: "acm", action: "ListCertificates"),
                    domainName: item["DomainName"].string ?? "", status: item["Status"].string)
            }
            return (summaries, answer["NextToken"].string)
        }
    }

    // MARK: DeleteCertificate and tags

    /// Fails with `ResourceInUseException` while a listener still uses the certificate (moto
    /// 5.2.1 deletes it anyway, so a destroy order is only proved against AWS).
    public func deleteCertificate(arn: String) async throws {
        _ = try await call("DeleteCertificate", ["CertificateArn": .string(arn)])
    }

    public func addTagsToCertificate(arn: String, tags: [AWSTag]) async throws {
        _ = try await call("AddTagsToCertificate", ["CertificateArn": .string(arn), "Tags": Self.json(tags)])
    }

    /// The certificate's tags, sorted; a tag without a value reads as "".
    public func listTagsForCertificate(arn: String) async throws -> [AWSTag] {
        let answer = try await call("ListTagsForCertificate", ["CertificateArn": .string(arn)])
        return try answer["Tags"].array.map { tag in
            AWSTag(try AWSError.require(tag["Key"].string, field: "Tag Key", service: "acm", action: "ListTagsForCertificate"), tag["Value"].string ?? "")
        }.sorted()
    }

    static func json(_ tags: [AWSTag]) -> AWSJSON {
        .array(tags.map { ["Key": .string($0.key), "Value": .string($0.value)] })
    }
}
