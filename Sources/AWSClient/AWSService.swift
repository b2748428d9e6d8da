/// The services Netloom talks to, with what each needs on the wire.
public enum AWSService: String, Sendable, Hashable, CaseIterable {
    case ec2
    case elasticLoadBalancingV2
    case iam
    case sts
    case s3
    case cloudWatchLogs
    case cloudWatch
    case ssm
    case certificateManager
    case route53
    case autoScaling
    case sageMaker
    case fsx
    case eks

    public enum WireProtocol: Sendable, Hashable {
        /// Form-encoded POST with `Action` and `Version`; EC2 has its own list and error shapes.
        case query(version: String)
        case restXML
        /// `X-Amz-Target: <prefix>.<Action>`, `application/x-amz-json-1.1`.
        case json11(targetPrefix: String)
        /// Method and path name the operation; JSON body (`application/json`), errors named by
        /// the `x-amzn-ErrorType` header or the body's `code`/`__type` (EKS).
        case restJSON
    }

    public var wireProtocol: WireProtocol {
        switch self {
        case .ec2: return .query(version: "2016-11-15")
        case .elasticLoadBalancingV2: return .query(version: "2015-12-01")
        case .iam: return .query(version: "2010-05-08")
        case .sts: return .query(version: "2011-06-15")
        case .cloudWatch: return .query(version: "2010-08-01")
        case .s3: return .restXML
        case .cloudWatchLogs: return .json11(targetPrefix: "Logs_20140328")
        case .ssm: return .json11(targetPrefix: "AmazonSSM")
        case .certificateManager: return .json11(targetPrefix: "CertificateManager")
        case .route53: return .restXML
        case .autoScaling: return .query(version: "2011-01-01")
        case .sageMaker: return .json11(targetPrefix: "SageMaker")
        case .fsx: return .json11(targetPrefix: "AWSSimbaAPIService_v20180301")
        case .eks: return .restJSON
        }
    }

    /// The service name in the credential scope (moto routes on it too).
    public var signingName: String {
        switch self {
        case .ec2: return "ec2"
        case .elasticLoadBalancingV2: return "elasticloadbalancing"
        case .iam: return "iam"
        case .sts: return "sts"
        case .s3: return "s3"
        case .cloudWatchLogs: return "logs"
        case .cloudWatch: return "monitoring"
        case .ssm: return "ssm"
        case .certificateManager: return "acm"
        case .route53: return "route53"
        case .autoScaling: return "autoscaling"
        case .sageMaker: return "sagemaker"
        case .fsx: return "fsx"
        case .eks: return "eks"
        }
    }

    /// The first label of the default host name.
    var endpointPrefix: String {
        switch self {
        case .elasticLoadBalancingV2: return "elasticloadbalancing"
        // The control plane of SageMaker is `api.sagemaker.<region>`; `runtime.sagemaker` is
        // for invoking endpoints.
        case .sageMaker: return "api.sagemaker"
        default: return signingName
        }
    }

    /// The suffix of `AWS_ENDPOINT_URL_<SERVICE>`: the service id upper-cased with spaces as
    /// underscores, as the AWS CLI's "service-specific endpoints" feature names them.
    public var endpointEnvironmentSuffix: String {
        switch self {
        case .ec2: return "EC2"
        case .elasticLoadBalancingV2: return "ELASTIC_LOAD_BALANCING_V2"
        case .iam: return "IAM"
        case .sts: return "STS"
        case .s3: return "S3"
        case .cloudWatchLogs: return "CLOUDWATCH_LOGS"
        case .cloudWatch: return "CLOUDWATCH"
        case .ssm: return "SSM"
        case .certificateManager: return "ACM"
        case .route53: return "ROUTE_53"
        case .autoScaling: return "AUTO_SCALING"
        case .sageMaker: return "SAGEMAKER"
        case .fsx: return "FSX"
        case .eks: return "EKS"
        }
    }

    /// IAM and Route 53 have one global endpoint per partition, signed for us-east-1 in the
    /// aws partition.
    public var isGlobal: Bool { self == .iam || self == .route53 }
}
