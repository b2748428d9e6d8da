/// AWS names netloom makes up for resources whose name must be unique in an account (or, for
/// buckets, in all of S3).
///
/// Stack and resource names may both hold '-', so `<stack>-<name>` alone is ambiguous: stack
/// `ml` with bucket `x-data` and stack `ml-x` with bucket `data` would share a bucket. A short
/// hash of the pair (stack, address) follows the readable part, so two different pairs give
/// two different names even where the readable part is the same or was cut to fit AWS's limit.
public enum DerivedName {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case bucket, iamRole = "iam_role", instanceProfile = "iam_instance_profile", loadBalancer = "load_balancer"
        case targetGroup = "target_group", placementGroup = "placement_group", alarm
        /// A HyperPod cluster's lifecycle bucket: `sagemaker-` first, because the managed
        /// AmazonSageMakerClusterInstanceRolePolicy reads only buckets named `sagemaker-*`.
        case lifecycleBucket = "lifecycle_bucket"
        case hyperPodCluster = "hyperpod_cluster", eksCluster = "eks_cluster"
        case launchTemplate = "launch_template", autoScalingGroup = "autoscaling_group"

        /// AWS's longest name for the kind.
        public var maxLength: Int {
            switch self {
            case .bucket, .lifecycleBucket: 63
            // SageMaker: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$; EKS: 1-100 of [0-9A-Za-z_-], a letter or digit first.
            case .hyperPodCluster: 63
            case .eksCluster: 100
            case .iamRole: 64
            case .instanceProfile: 128
            case .loadBalancer, .targetGroup: 32
            case .placementGroup, .alarm, .autoScalingGroup: 255
            case .launchTemplate: 128
            }
        }

        /// What follows the hash: a bucket ends in the account id (12 digits after a '-').
        var isBucket: Bool { self == .bucket || self == .lifecycleBucket }
        var suffix: String { isBucket ? "-${account_id}" : "" }
        var suffixLength: Int { isBucket ? 13 : 0 }
        /// What comes before the stack's name.
        public var prefix: String { self == .lifecycleBucket ? "sagemaker-" : "" }
    }

    static let hashLength = 8

    /// `<stack>-<name>-<hash>` (then `-${account_id}` for a bucket), the readable part cut so
    /// the whole fits `kind.maxLength`. `identity` is what makes the resource unique in its
    /// stack (its address); the hash is taken over the stack and it.
    public static func make(_ kind: Kind, stack: String, name: String, identity: String) -> String {
        let room = kind.maxLength - kind.suffixLength - hashLength - 1 - kind.prefix.count
        var readable = Substring("\(stack)-\(name)".prefix(room))
        while readable.last == "-" { readable = readable.dropLast() }
        return "\(kind.prefix)\(readable)-\(hash(stack: stack, identity: identity))\(kind.suffix)"
    }

    /// What every name `make` or `previous` gives a stack's resources of `kind` begins with:
    /// a listing can be cut to these before the ownership check.
    public static func stackPrefix(_ kind: Kind, stack: String) -> String {
        let room = kind.maxLength - kind.suffixLength - hashLength - 1 - kind.prefix.count
        // A name begins with a letter, so the readable part keeps the '-' after the stack
        // whenever one more character fits after it.
        if stack.count + 2 <= room { return "\(kind.prefix)\(stack)-" }
        var prefix = Substring(stack.prefix(room))
        while prefix.last == "-" { prefix = prefix.dropLast() }
        return kind.prefix + String(prefix)
    }

    /// The name netloom gave before this scheme (`<stack>-<name>`): resources made then keep it.
    public static func previous(_ kind: Kind, stack: String, name: String) -> String {
        "\(kind.prefix)\(stack)-\(name)\(kind.suffix)"
    }

    /// Eight characters of [a-z2-7] (40 bits) of FNV-1a over the stack and the identity, with a
    /// separator neither can hold. Public for the export, which tells apart two addresses that
    /// would otherwise get the same Terraform or CloudFormation name.
    public static func hash(stack: String, identity: String) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in stack.utf8 + [0] + identity.utf8 {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01b3
        }
        // FNV's low bits mix poorly; a finaliser spreads every input bit over the ones kept.
        value ^= value >> 33
        value &*= 0xff51_afd7_ed55_8ccd
        value ^= value >> 33
        value &*= 0xc4ce_b9fe_1a85_ec53
        value ^= value >> 33
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        var text = ""
        for _ in 0..<hashLength {
            text.append(alphabet[Int(value & 31)])
            value >>= 5
        }
        return text
    }
}
