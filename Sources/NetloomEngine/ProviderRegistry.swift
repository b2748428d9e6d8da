import NetloomModel

/// One provider per resource type.
public enum ProviderRegistry {
    public static func provider(for type: ResourceType) -> any ResourceProvider {
        switch type {
        case .vpc: VPCProvider()
        case .internetGateway: InternetGatewayProvider()
        case .subnet: SubnetProvider()
        case .routeTable: RouteTableProvider()
        case .route: RouteProvider()
        case .routeTableAssociation: RouteTableAssociationProvider()
        case .elasticIP: ElasticIPProvider()
        case .natGateway: NATGatewayProvider()
        case .vpcEndpoint: VPCEndpointProvider()
        case .securityGroup: SecurityGroupProvider()
        case .securityGroupRule: SecurityGroupRuleProvider()
        case .networkACL: NetworkACLProvider()
        case .networkACLEntry: NetworkACLEntryProvider()
        case .networkACLAssociation: NetworkACLAssociationProvider()
        case .logGroup: LogGroupProvider()
        case .iamRole: IAMRoleProvider()
        case .iamRolePolicy: IAMRolePolicyProvider()
        case .iamRolePolicyAttachment: IAMRolePolicyAttachmentProvider()
        case .iamInstanceProfile: IAMInstanceProfileProvider()
        case .flowLog: FlowLogProvider()
        case .placementGroup: PlacementGroupProvider()
        case .instance: InstanceProvider()
        case .bucket: BucketProvider()
        case .bucketVersioning, .bucketEncryption, .bucketPublicAccessBlock, .bucketLifecycle: BucketConfigurationProvider(type: type)
        case .bucketObject: BucketObjectProvider()
        case .alarm: AlarmProvider()
        case .targetGroup: TargetGroupProvider()
        case .loadBalancer: LoadBalancerProvider()
        case .listener: ListenerProvider()
        case .targetGroupAttachment: TargetGroupAttachmentProvider()
        }
    }

    /// How deep a type sits in what it needs: deletes run from the deepest layer up, so a
    /// leftover found only by its tag (with no dependency list) still goes before what it
    /// stands on (instances before subnets, NAT gateways before their Elastic IP).
    public static func layer(of type: ResourceType) -> Int {
        switch type {
        case .vpc, .elasticIP, .logGroup, .iamRole, .bucket, .placementGroup: 0
        case .internetGateway, .subnet, .routeTable, .securityGroup, .networkACL, .iamRolePolicy, .iamRolePolicyAttachment,
             .iamInstanceProfile, .bucketVersioning, .bucketEncryption, .bucketPublicAccessBlock, .bucketObject, .targetGroup: 1
        case .bucketLifecycle, .routeTableAssociation, .natGateway, .vpcEndpoint, .securityGroupRule, .networkACLEntry,
             .networkACLAssociation, .flowLog: 2
        case .route, .instance, .loadBalancer: 3
        case .listener, .targetGroupAttachment, .alarm: 4
        }
    }
}
