/// Where a service's requests go and which region they are signed for.
public struct AWSEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int?
    /// A path prefix of a custom endpoint URL (`http://host:4566/prefix`), without trailing slash.
    public var basePath: String
    public var signingRegion: String
    /// True when set by `AWS_ENDPOINT_URL*`: S3 then uses path-style addressing.
    public var isCustom: Bool

    public init(scheme: String = "https", host: String, port: Int? = nil, basePath: String = "", signingRegion: String, isCustom: Bool = false) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = basePath
        self.signingRegion = signingRegion
        self.isCustom = isCustom
    }

    /// `host` or `host:port` when the port is not the scheme's default: what the Host header
    /// carries and therefore what is signed.
    public var hostHeader: String {
        guard let port, !(scheme == "https" && port == 443), !(scheme == "http" && port == 80) else { return host }
        return "\(host):\(port)"
    }

    public func url(pathAndQuery: String) -> String {
        "\(scheme)://\(hostHeader)\(basePath)\(pathAndQuery)"
    }

    public var description: String { url(pathAndQuery: "") + " (signing region \(signingRegion))" }

    /// Parses `scheme://host[:port][/path]`; nil for anything else.
    public init?(url: String, signingRegion: String, isCustom: Bool = true) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        var rest = Substring(url[schemeEnd.upperBound...])
        var basePath = ""
        if let slash = rest.firstIndex(of: "/") {
            basePath = String(rest[slash...])
            rest = rest[..<slash]
            while basePath.hasSuffix("/") { basePath.removeLast() }
        }
        var host = String(rest)
        var port: Int?
        if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
            guard let parsed = Int(rest[rest.index(after: colon)...]), (1...65535).contains(parsed) else { return nil }
            port = parsed
            host = String(rest[..<colon])
        }
        guard !host.isEmpty else { return nil }
        self.init(scheme: scheme, host: host, port: port, basePath: basePath, signingRegion: signingRegion, isCustom: isCustom)
    }
}

/// Default AWS hosts per service and region, overridden by `AWS_ENDPOINT_URL_<SERVICE>` and then
/// `AWS_ENDPOINT_URL` from an injected environment (as the AWS CLI v2 reads them).
public struct AWSEndpointResolver: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    public enum ResolutionError: Error, Sendable, Hashable, CustomStringConvertible {
        case invalidEndpointURL(variable: String, value: String)

        public var description: String {
            switch self {
            case .invalidEndpointURL(let variable, let value): return "\(variable) is not an http(s) URL: \(value)"
            }
        }
    }

    public func endpoint(for service: AWSService, region: String) throws -> AWSEndpoint {
        let signingRegion = service.isGlobal ? Self.defaultEndpoint(for: service, region: region).signingRegion : region
        for variable in ["AWS_ENDPOINT_URL_\(service.endpointEnvironmentSuffix)", "AWS_ENDPOINT_URL"] {
            if let value = environment[variable]?.trimmingWhitespace(), !value.isEmpty {
                guard let endpoint = AWSEndpoint(url: value, signingRegion: signingRegion) else {
                    throw ResolutionError.invalidEndpointURL(variable: variable, value: value)
                }
                return endpoint
            }
        }
        return Self.defaultEndpoint(for: service, region: region)
    }

    public static func defaultEndpoint(for service: AWSService, region: String) -> AWSEndpoint {
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        switch service {
        case .iam:
            if region.hasPrefix("cn-") { return AWSEndpoint(host: "iam.cn-north-1.amazonaws.com.cn", signingRegion: "cn-north-1") }
            if region.hasPrefix("us-gov-") { return AWSEndpoint(host: "iam.us-gov.amazonaws.com", signingRegion: "us-gov-west-1") }
            return AWSEndpoint(host: "iam.amazonaws.com", signingRegion: "us-east-1")
        case .route53:
            // https://docs.aws.amazon.com/general/latest/gr/r53.html: China signs for
            // cn-northwest-1, GovCloud for us-gov-west-1.
            if region.hasPrefix("cn-") { return AWSEndpoint(host: "route53.amazonaws.com.cn", signingRegion: "cn-northwest-1") }
            if region.hasPrefix("us-gov-") { return AWSEndpoint(host: "route53.us-gov.amazonaws.com", signingRegion: "us-gov-west-1") }
            return AWSEndpoint(host: "route53.amazonaws.com", signingRegion: "us-east-1")
        default:
            return AWSEndpoint(host: "\(service.endpointPrefix).\(region).\(suffix)", signingRegion: region)
        }
    }
}
