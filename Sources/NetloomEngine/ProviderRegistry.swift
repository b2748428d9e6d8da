import NetloomModel

/// The providers the engine uses, one per resource type; a value, so tests hand the engine
/// their own.
public struct ProviderRegistry: Sendable {
    private var providers: [ResourceType: any ResourceProvider]

    public init(_ providers: [any ResourceProvider]) {
        self.providers = Dictionary(providers.map { ($0.type, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Every type netloom manages, with the AWS providers.
    public static let standard = ProviderRegistry([
        VPCProvider(), InternetGatewayProvider(), SubnetProvider(), RouteTableProvider(), RouteProvider(), RouteTableAssociationProvider(),
        ElasticIPProvider(), NATGatewayProvider(), VPCEndpointProvider(), SecurityGroupProvider(), SecurityGroupRuleProvider(),
        NetworkACLProvider(), NetworkACLEntryProvider(), NetworkACLAssociationProvider(), LogGroupProvider(), IAMRoleProvider(),
        IAMRolePolicyProvider(), IAMRolePolicyAttachmentProvider(), IAMInstanceProfileProvider(), FlowLogProvider(), PlacementGroupProvider(),
        InstanceProvider(), BucketProvider(), BucketConfigurationProvider(type: .bucketVersioning), BucketConfigurationProvider(type: .bucketEncryption),
        BucketConfigurationProvider(type: .bucketPublicAccessBlock), BucketConfigurationProvider(type: .bucketLifecycle), BucketObjectProvider(),
        AlarmProvider(), TargetGroupProvider(), LoadBalancerProvider(), ListenerProvider(), TargetGroupAttachmentProvider(),
        FSxFileSystemProvider(), EKSClusterProvider(), EKSAddonProvider(), HyperPodClusterProvider(),
        HostedZoneProvider(), CertificateProvider(), CertificateValidationProvider(), DNSRecordProvider(),
        LaunchTemplateProvider(), AutoScalingGroupProvider(), ScalingPolicyProvider(),
    ])

    /// The same registry with `provider` in place of the one for its type.
    public func replacing(_ provider: any ResourceProvider) -> ProviderRegistry {
        var copy = self
        copy.providers[provider.type] = provider
        return copy
    }

    /// The provider of `type`; a type without one gets a provider that refuses every change
    /// and reads nothing, so the failure names the type instead of crashing.
    public func provider(for type: ResourceType) -> any ResourceProvider {
        providers[type] ?? MissingProvider(type: type)
    }

    public var types: [ResourceType] { providers.keys.sorted() }

    /// The deepest delete layer of any provider.
    var deepestLayer: Int { providers.values.map(\.deleteLayer).max() ?? 0 }
}

/// Stands for a type the registry has no provider for.
struct MissingProvider: ResourceProvider {
    let type: ResourceType
    let deleteLayer = 0

    struct Unsupported: Error, CustomStringConvertible {
        var type: ResourceType
        var description: String { "netloom has no provider for \(type.rawValue) resources" }
    }

    func read(_ scope: ReadScope, context: ProviderContext) async throws -> [ObservedResource] { [] }
    func comparable(_ desired: DesiredResource) -> [String: PropertyValue] { desired.properties }
    func create(_ desired: DesiredResource, context: ProviderContext) async throws -> ObservedResource { throw Unsupported(type: type) }
    func delete(_ observed: ObservedResource, context: ProviderContext) async throws { throw Unsupported(type: type) }
}
