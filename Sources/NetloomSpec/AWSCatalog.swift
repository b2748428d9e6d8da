/// Facts about AWS that validation needs and that no API call is made for.
public enum AWSRegions {
    /// Availability zones by region (the AZ names AWS shows every account), for the
    /// largest regions. A region missing here is reported as unknown rather than guessed.
    public static let availabilityZones: [String: [String]] = [
        "us-east-1": ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"],
        "us-east-2": ["us-east-2a", "us-east-2b", "us-east-2c"],
        "us-west-1": ["us-west-1a", "us-west-1b", "us-west-1c"],
        "us-west-2": ["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"],
        "ca-central-1": ["ca-central-1a", "ca-central-1b", "ca-central-1d"],
        "eu-west-1": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        "eu-west-2": ["eu-west-2a", "eu-west-2b", "eu-west-2c"],
        "eu-west-3": ["eu-west-3a", "eu-west-3b", "eu-west-3c"],
        "eu-central-1": ["eu-central-1a", "eu-central-1b", "eu-central-1c"],
        "eu-north-1": ["eu-north-1a", "eu-north-1b", "eu-north-1c"],
        "ap-northeast-1": ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"],
        "ap-northeast-2": ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d"],
        "ap-southeast-1": ["ap-southeast-1a", "ap-southeast-1b", "ap-southeast-1c"],
        "ap-southeast-2": ["ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"],
        "ap-south-1": ["ap-south-1a", "ap-south-1b", "ap-south-1c"],
        "sa-east-1": ["sa-east-1a", "sa-east-1b", "sa-east-1c"],
    ]

    public static var knownRegions: [String] { availabilityZones.keys.sorted() }
}

public enum InstanceTypes {
    /// Families whose larger sizes carry Elastic Fabric Adapter interfaces.
    static let efaFamilies: Set<String> = [
        "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "p6-b200", "p6e-gb200",
        "trn1", "trn1n", "trn2", "trn2u", "hpc6a", "hpc6id", "hpc7a", "hpc7g", "g6e", "gr6",
    ]

    /// `ml.p5.48xlarge` and `p5.48xlarge` are the same hardware; SageMaker adds the `ml.` prefix.
    public static func ec2Name(_ type: String) -> String {
        type.hasPrefix("ml.") ? String(type.dropFirst(3)) : type
    }

    public static func family(_ type: String) -> String {
        String(ec2Name(type).split(separator: ".").first ?? "")
    }

    public static func supportsEFA(_ type: String) -> Bool { efaFamilies.contains(family(type)) }

    /// `family.size`, optionally with SageMaker's `ml.` prefix.
    public static func isWellFormed(_ type: String) -> Bool {
        let parts = ec2Name(type).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let allowed: (Character) -> Bool = { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
        return parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(allowed) } && parts[0].first!.isLetter
    }
}

public enum AWSServices {
    public static let gatewayEndpointServices = ["dynamodb", "s3"]
    /// Interface endpoint services ML stacks use; names as in `com.amazonaws.REGION.NAME`.
    public static let interfaceEndpointServices = [
        "autoscaling", "bedrock", "bedrock-runtime", "cloudformation", "ec2", "ec2messages", "ecr.api", "ecr.dkr",
        "ecs", "ecs-agent", "ecs-telemetry", "eks", "eks-auth", "elasticfilesystem", "elasticloadbalancing",
        "events", "fsx", "kms", "lambda", "logs", "monitoring", "s3", "sagemaker.api", "sagemaker.runtime",
        "secretsmanager", "sns", "sqs", "ssm", "ssmmessages", "sts", "xray",
    ]
    public static let logRetentionDays = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]
    public static let volumeTypes = ["gp2", "gp3", "io1", "io2", "sc1", "st1", "standard"]
    public static let storageClasses = ["DEEP_ARCHIVE", "GLACIER", "GLACIER_IR", "INTELLIGENT_TIERING", "ONEZONE_IA", "STANDARD_IA"]
    public static let alarmStatistics = ["Average", "Maximum", "Minimum", "SampleCount", "Sum"]
    public static let ec2Metrics = [
        "CPUCreditBalance", "CPUCreditUsage", "CPUUtilization", "DiskReadBytes", "DiskReadOps", "DiskWriteBytes",
        "DiskWriteOps", "EBSByteBalance%", "EBSIOBalance%", "EBSReadBytes", "EBSReadOps", "EBSWriteBytes", "EBSWriteOps",
        "MetadataNoToken", "NetworkIn", "NetworkOut", "NetworkPacketsIn", "NetworkPacketsOut", "StatusCheckFailed",
        "StatusCheckFailed_AttachedEBS", "StatusCheckFailed_Instance", "StatusCheckFailed_System",
    ]
    public static let rolePrincipals = ["ec2", "ecs-tasks", "eks", "lambda", "sagemaker"]
}
