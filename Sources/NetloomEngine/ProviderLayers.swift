import NetloomModel

// The delete layers of the standard providers, side by side so the order of a destroy reads
// at once: 0 stands on nothing, 4 stands on the most.

extension VPCProvider { var deleteLayer: Int { 0 } }
extension ElasticIPProvider { var deleteLayer: Int { 0 } }
extension LogGroupProvider { var deleteLayer: Int { 0 } }
extension IAMRoleProvider { var deleteLayer: Int { 0 } }
extension BucketProvider { var deleteLayer: Int { 0 } }
extension HostedZoneProvider { var deleteLayer: Int { 0 } }
extension PlacementGroupProvider { var deleteLayer: Int { 0 } }

extension InternetGatewayProvider { var deleteLayer: Int { 1 } }
extension SubnetProvider { var deleteLayer: Int { 1 } }
extension RouteTableProvider { var deleteLayer: Int { 1 } }
extension SecurityGroupProvider { var deleteLayer: Int { 1 } }
extension NetworkACLProvider { var deleteLayer: Int { 1 } }
extension IAMRolePolicyProvider { var deleteLayer: Int { 1 } }
extension IAMRolePolicyAttachmentProvider { var deleteLayer: Int { 1 } }
extension IAMInstanceProfileProvider { var deleteLayer: Int { 1 } }
extension BucketObjectProvider { var deleteLayer: Int { 1 } }
extension TargetGroupProvider { var deleteLayer: Int { 1 } }
extension CertificateProvider { var deleteLayer: Int { 1 } }

extension RouteTableAssociationProvider { var deleteLayer: Int { 2 } }
extension NATGatewayProvider { var deleteLayer: Int { 2 } }
extension VPCEndpointProvider { var deleteLayer: Int { 2 } }
extension SecurityGroupRuleProvider { var deleteLayer: Int { 2 } }
extension NetworkACLEntryProvider { var deleteLayer: Int { 2 } }
extension NetworkACLAssociationProvider { var deleteLayer: Int { 2 } }
extension FlowLogProvider { var deleteLayer: Int { 2 } }
// Its CNAMEs go before the zone, and it goes before the certificate (whose listeners went first).
extension CertificateValidationProvider { var deleteLayer: Int { 2 } }

extension RouteProvider { var deleteLayer: Int { 3 } }
extension InstanceProvider { var deleteLayer: Int { 3 } }
extension LoadBalancerProvider { var deleteLayer: Int { 3 } }

extension ListenerProvider { var deleteLayer: Int { 4 } }
extension TargetGroupAttachmentProvider { var deleteLayer: Int { 4 } }
extension AlarmProvider { var deleteLayer: Int { 4 } }
// EKS add-ons (made after the cluster) go first, then the HyperPod cluster, its file system, its control plane.
extension EKSClusterProvider { var deleteLayer: Int { 2 } }
extension FSxFileSystemProvider { var deleteLayer: Int { 3 } }
extension EKSAddonProvider { var deleteLayer: Int { 5 } }
extension HyperPodClusterProvider { var deleteLayer: Int { 4 } }
extension DNSRecordProvider { var deleteLayer: Int { 4 } }
// A group goes before its launch template, and waits for its instances to end, which frees
// its subnets and security groups; its policy goes first of all.
extension LaunchTemplateProvider { var deleteLayer: Int { 3 } }
extension AutoScalingGroupProvider { var deleteLayer: Int { 4 } }
extension ScalingPolicyProvider { var deleteLayer: Int { 5 } }

extension BucketConfigurationProvider {
    /// A lifecycle rule goes before the others: moto refuses to drop versioning under one.
    var deleteLayer: Int { type == .bucketLifecycle ? 2 : 1 }
}
