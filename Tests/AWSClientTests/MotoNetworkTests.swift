import AWSClient
import AWSSigV4
import MotoHarness
import Testing

/// The EC2, ELBv2 and CloudWatch operations a deploy uses, end to end against moto, in the
/// order a deploy creates and a destroy deletes.
@Suite(.serialized, .enabled(if: MotoAvailability.shouldRun, "moto_server not installed; skipped outside CI"))
struct MotoNetworkTests {
    static let stack = [AWSTag("netloom:stack", "net")]

    @Test func publicAndPrivateNetworkLifecycle() async throws {
        try await withMotoCore(try await freshSharedMoto()) { core in
            let ec2 = EC2(core: core)
            let vpc = try await ec2.createVpc(cidrBlock: "10.40.0.0/16", tags: Self.stack)
            let publicSubnet = try await ec2.createSubnet(vpcID: vpc.vpcID, cidrBlock: "10.40.0.0/24", availabilityZone: "us-east-1a", tags: Self.stack)
            let privateSubnet = try await ec2.createSubnet(vpcID: vpc.vpcID, cidrBlock: "10.40.1.0/24", availabilityZone: "us-east-1a", tags: Self.stack)

            // Internet gateway
            let gateway = try await ec2.createInternetGateway(tags: Self.stack)
            try await ec2.attachInternetGateway(id: gateway.internetGatewayID, vpcID: vpc.vpcID)
            let gateways = try await ec2.describeInternetGateways(filters: [.tag("netloom:stack", "net")])
            #expect(gateways.map(\.internetGatewayID) == [gateway.internetGatewayID])
            #expect(gateways.first?.attachedVPCIDs == [vpc.vpcID])

            // Elastic IP and NAT gateway
            let address = try await ec2.allocateAddress(tags: Self.stack)
            #expect(address.allocationID.hasPrefix("eipalloc-"))
            #expect(try await ec2.describeAddresses(allocationIDs: [address.allocationID]).first?.publicIP == address.publicIP)
            let nat = try await ec2.createNatGateway(subnetID: publicSubnet.subnetID, allocationID: address.allocationID, tags: Self.stack)
            #expect(nat.natGatewayID.hasPrefix("nat-"))
            let nats = try await ec2.describeNatGateways(filters: [.tag("netloom:stack", "net")])
            #expect(nats.map(\.natGatewayID) == [nat.natGatewayID])
            #expect(nats.first?.subnetID == publicSubnet.subnetID)
            #expect(nats.first?.allocationIDs == [address.allocationID])

            // Route tables, routes and associations
            let publicTable = try await ec2.createRouteTable(vpcID: vpc.vpcID, tags: Self.stack)
            try await ec2.createRoute(routeTableID: publicTable.routeTableID, destinationCIDRBlock: "0.0.0.0/0", target: .internetGateway(gateway.internetGatewayID))
            let publicAssociation = try await ec2.associateRouteTable(routeTableID: publicTable.routeTableID, subnetID: publicSubnet.subnetID)
            #expect(publicAssociation.hasPrefix("rtbassoc-"))
            let privateTable = try await ec2.createRouteTable(vpcID: vpc.vpcID, tags: Self.stack)
            try await ec2.createRoute(routeTableID: privateTable.routeTableID, destinationCIDRBlock: "0.0.0.0/0", target: .internetGateway(gateway.internetGatewayID))
            try await ec2.replaceRoute(routeTableID: privateTable.routeTableID, destinationCIDRBlock: "0.0.0.0/0", target: .natGateway(nat.natGatewayID))
            try await ec2.createRoute(routeTableID: privateTable.routeTableID, destinationCIDRBlock: "192.168.0.0/16", target: .natGateway(nat.natGatewayID))
            try await ec2.deleteRoute(routeTableID: privateTable.routeTableID, destinationCIDRBlock: "192.168.0.0/16")
            let privateAssociation = try await ec2.associateRouteTable(routeTableID: privateTable.routeTableID, subnetID: privateSubnet.subnetID)

            let tables = try await ec2.describeRouteTables(filters: [.tag("netloom:stack", "net")])
            #expect(Set(tables.map(\.routeTableID)) == [publicTable.routeTableID, privateTable.routeTableID])
            let privateRoutes = try #require(tables.first { $0.routeTableID == privateTable.routeTableID })
            #expect(privateRoutes.routes.contains { $0.destinationCIDRBlock == "0.0.0.0/0" && $0.natGatewayID == nat.natGatewayID })
            #expect(!privateRoutes.routes.contains { $0.destinationCIDRBlock == "192.168.0.0/16" })
            #expect(privateRoutes.routes.contains { $0.destinationCIDRBlock == "10.40.0.0/16" && $0.gatewayID == "local" })
            #expect(privateRoutes.associations.map(\.subnetID) == [privateSubnet.subnetID])

            // VPC endpoints: S3 gateway on the private table, an interface endpoint in a subnet
            let endpointGroup = try await ec2.createSecurityGroup(name: "endpoints", description: "vpc endpoints", vpcID: vpc.vpcID)
            let s3Endpoint = try await ec2.createVpcEndpoint(vpcID: vpc.vpcID, serviceName: "com.amazonaws.us-east-1.s3", type: "Gateway",
                                                             routeTableIDs: [privateTable.routeTableID], tags: Self.stack)
            let ssmEndpoint = try await ec2.createVpcEndpoint(vpcID: vpc.vpcID, serviceName: "com.amazonaws.us-east-1.ssm", type: "Interface",
                                                              subnetIDs: [privateSubnet.subnetID], securityGroupIDs: [endpointGroup],
                                                              privateDNSEnabled: true, tags: Self.stack)
            let endpoints = try await ec2.describeVpcEndpoints(filters: [AWSFilter("vpc-id", vpc.vpcID)])
            let gatewayEndpoint = try #require(endpoints.first { $0.vpcEndpointID == s3Endpoint.vpcEndpointID })
            #expect(gatewayEndpoint.endpointType == "Gateway")
            #expect(gatewayEndpoint.routeTableIDs == [privateTable.routeTableID])
            let interfaceEndpoint = try #require(endpoints.first { $0.vpcEndpointID == ssmEndpoint.vpcEndpointID })
            #expect(interfaceEndpoint.subnetIDs == [privateSubnet.subnetID])
            #expect(interfaceEndpoint.tags.value("netloom:stack") == "net")

            // Network ACL with entries, moved onto the private subnet
            let acl = try await ec2.createNetworkACL(vpcID: vpc.vpcID, tags: Self.stack)
            try await ec2.createNetworkACLEntry(networkACLID: acl.networkACLID, entry: EC2NetworkACLEntry(
                ruleNumber: 100, ipProtocol: "6", ruleAction: "allow", isEgress: false, cidrBlock: "10.0.0.0/8", fromPort: 443, toPort: 443))
            try await ec2.replaceNetworkACLEntry(networkACLID: acl.networkACLID, entry: EC2NetworkACLEntry(
                ruleNumber: 100, ipProtocol: "6", ruleAction: "allow", isEgress: false, cidrBlock: "10.0.0.0/8", fromPort: 80, toPort: 443))
            try await ec2.createNetworkACLEntry(networkACLID: acl.networkACLID, entry: EC2NetworkACLEntry(
                ruleNumber: 200, ipProtocol: "-1", ruleAction: "deny", isEgress: true, cidrBlock: "0.0.0.0/0"))
            try await ec2.deleteNetworkACLEntry(networkACLID: acl.networkACLID, ruleNumber: 200, egress: true)
            let current = try await ec2.describeNetworkACLs(filters: [AWSFilter("association.subnet-id", privateSubnet.subnetID)])
            let currentAssociation = try #require(current.first?.associations.first { $0.subnetID == privateSubnet.subnetID })
            let newAssociation = try await ec2.replaceNetworkACLAssociation(associationID: currentAssociation.associationID, networkACLID: acl.networkACLID)
            #expect(newAssociation.hasPrefix("aclassoc-"))
            let described = try #require(try await ec2.describeNetworkACLs(ids: [acl.networkACLID]).first)
            let entry = try #require(described.entries.first { $0.ruleNumber == 100 })
            #expect(entry.fromPort == 80 && entry.toPort == 443 && entry.ruleAction == "allow")
            #expect(!described.entries.contains { $0.ruleNumber == 200 })
            #expect(described.associations.map(\.subnetID) == [privateSubnet.subnetID])

            // Flow logs to CloudWatch Logs
            try await CloudWatchLogs(core: core).createLogGroup(name: "/netloom/net/flow")
            let flowLogIDs = try await ec2.createFlowLogs(vpcID: vpc.vpcID, trafficType: "ALL", logGroupName: "/netloom/net/flow",
                                                          deliverLogsPermissionARN: "arn:aws:iam::123456789012:role/flow", tags: Self.stack)
            #expect(flowLogIDs.count == 1)
            let flowLogs = try await ec2.describeFlowLogs(ids: flowLogIDs)
            #expect(flowLogs.first?.resourceID == vpc.vpcID)
            #expect(flowLogs.first?.logGroupName == "/netloom/net/flow")

            // Placement groups: moto 5.2 does not implement them and answers with its HTML 500
            // page, which must surface as notImplemented (not retried, not a server error).
            let placementError = await #expect(throws: AWSError.self) {
                try await ec2.createPlacementGroup(name: "netloom-net-cluster", strategy: "cluster", tags: Self.stack)
            }
            #expect(placementError?.kind == .notImplemented)

            // An instance in the private subnet
            let image = try await SSM(core: core).getParameter(name: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64").value
            let instances = try await ec2.runInstances(.init(imageID: image, instanceType: "t3.micro", subnetID: privateSubnet.subnetID,
                                                             securityGroupIDs: [endpointGroup], tags: Self.stack))
            let instanceID = try #require(instances.first?.instanceID)
            let running = try await ec2.describeInstances(filters: [.tag("netloom:stack", "net")])
            #expect(running.map(\.instanceID) == [instanceID])
            #expect(running.first?.subnetID == privateSubnet.subnetID)

            // Tags added and removed after creation
            try await ec2.createTags(resourceIDs: [vpc.vpcID, instanceID], tags: [AWSTag("owner", "ml-team")])
            #expect(try await ec2.describeVpcs(ids: [vpc.vpcID]).first?.tags.value("owner") == "ml-team")
            try await ec2.deleteTags(resourceIDs: [vpc.vpcID], keys: ["owner"])
            #expect(try await ec2.describeVpcs(ids: [vpc.vpcID]).first?.tags.value("owner") == nil)

            // Teardown in dependency order.
            try await ec2.terminateInstances(ids: [instanceID])
            try await ec2.deleteFlowLogs(ids: flowLogIDs)
            #expect(try await ec2.replaceNetworkACLAssociation(associationID: newAssociation, networkACLID: currentAssociation.networkACLID) != "")
            try await ec2.deleteNetworkACL(id: acl.networkACLID)
            try await ec2.deleteVpcEndpoints(ids: [s3Endpoint.vpcEndpointID, ssmEndpoint.vpcEndpointID])
            try await ec2.disassociateRouteTable(associationID: privateAssociation)
            try await ec2.disassociateRouteTable(associationID: publicAssociation)
            try await ec2.deleteRouteTable(id: privateTable.routeTableID)
            try await ec2.deleteRouteTable(id: publicTable.routeTableID)
            try await ec2.deleteNatGateway(id: nat.natGatewayID)
            try await ec2.releaseAddress(allocationID: address.allocationID)
            try await ec2.detachInternetGateway(id: gateway.internetGatewayID, vpcID: vpc.vpcID)
            try await ec2.deleteInternetGateway(id: gateway.internetGatewayID)
            try await ec2.deleteSecurityGroup(id: endpointGroup)
            try await ec2.deleteSubnet(id: privateSubnet.subnetID)
            try await ec2.deleteSubnet(id: publicSubnet.subnetID)
            try await ec2.deleteVpc(id: vpc.vpcID)
            #expect(try await ec2.describeVpcs(filters: [.tag("netloom:stack", "net")]).isEmpty)
        }
    }

    @Test func loadBalancerTargetGroupListenerAndTags() async throws {
        try await withMotoCore(try await freshSharedMoto()) { core in
            let ec2 = EC2(core: core)
            let vpc = try await ec2.createVpc(cidrBlock: "10.50.0.0/16")
            let subnetA = try await ec2.createSubnet(vpcID: vpc.vpcID, cidrBlock: "10.50.0.0/24", availabilityZone: "us-east-1a")
            let subnetB = try await ec2.createSubnet(vpcID: vpc.vpcID, cidrBlock: "10.50.1.0/24", availabilityZone: "us-east-1b")
            let group = try await ec2.createSecurityGroup(name: "alb", description: "alb", vpcID: vpc.vpcID)

            let elb = ELBv2(core: core)
            let balancer = try await elb.createLoadBalancer(name: "netloom-inference", subnetIDs: [subnetA.subnetID, subnetB.subnetID],
                                                            securityGroupIDs: [group], tags: [AWSTag("netloom:stack", "lb")])
            #expect(balancer.arn.contains(":loadbalancer/app/netloom-inference/"))
            #expect(balancer.vpcID == vpc.vpcID)
            #expect(Set(balancer.subnetIDs) == [subnetA.subnetID, subnetB.subnetID])

            let targets = try await elb.createTargetGroup(name: "netloom-inference-tg", targetProtocol: "HTTP", port: 8080, vpcID: vpc.vpcID,
                                                          healthCheckPath: "/health", tags: [AWSTag("netloom:stack", "lb")])
            let listener = try await elb.createListener(loadBalancerARN: balancer.arn, listenerProtocol: "HTTP", port: 80, forwardTo: targets.arn)
            #expect(try await elb.describeListeners(loadBalancerARN: balancer.arn).map(\.defaultTargetGroupARNs) == [[targets.arn]])
            let described = try #require(try await elb.describeTargetGroups(arns: [targets.arn]).first)
            #expect(described.port == 8080)
            #expect(described.healthCheckPath == "/health")
            #expect(described.loadBalancerARNs == [balancer.arn])

            let image = try await SSM(core: core).getParameter(name: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64").value
            let instance = try #require(try await ec2.runInstances(.init(imageID: image, instanceType: "t3.micro", subnetID: subnetA.subnetID)).first)
            try await elb.registerTargets(targetGroupARN: targets.arn, targets: [.init(id: instance.instanceID, port: 8080)])
            #expect(try await elb.describeTargetHealth(targetGroupARN: targets.arn).map(\.targetID) == [instance.instanceID])
            #expect(try await elb.describeLoadBalancers(taggedWith: "netloom:stack", "lb").map(\.arn) == [balancer.arn])
            #expect(try await elb.describeTargetGroups(taggedWith: "netloom:stack", "lb").map(\.arn) == [targets.arn])
            #expect(try await elb.describeTargetGroups(taggedWith: "netloom:stack", "other").isEmpty)
            try await elb.deregisterTargets(targetGroupARN: targets.arn, targets: [.init(id: instance.instanceID, port: 8080)])

            try await elb.addTags(resourceARNs: [balancer.arn], tags: [AWSTag("owner", "ml")])
            try await elb.removeTags(resourceARNs: [balancer.arn], keys: ["netloom:stack"])
            let tags = try await elb.describeTags(resourceARNs: [balancer.arn, targets.arn])
            #expect(tags[balancer.arn] == [AWSTag("owner", "ml")])
            #expect(tags[targets.arn] == [AWSTag("netloom:stack", "lb")])

            try await elb.deleteListener(arn: listener.arn)
            try await elb.deleteLoadBalancer(arn: balancer.arn)
            try await elb.deleteTargetGroup(arn: targets.arn)
            #expect(try await elb.describeLoadBalancers().isEmpty)
            let error = await #expect(throws: AWSError.self) { try await elb.describeLoadBalancers(names: ["netloom-inference"]) }
            #expect(error?.code == "LoadBalancerNotFound")
        }
    }

    @Test func metricAlarmsWithTags() async throws {
        try await withMotoCore(try await freshSharedMoto()) { core in
            let cloudWatch = CloudWatch(core: core)
            let alarm = CloudWatch.MetricAlarm(alarmName: "netloom-nat-errors", namespace: "AWS/NATGateway", metricName: "ErrorPortAllocation",
                                               statistic: "Sum", period: 300, evaluationPeriods: 1, threshold: 1,
                                               comparisonOperator: "GreaterThanOrEqualToThreshold", dimensions: ["NatGatewayId": "nat-123"],
                                               treatMissingData: "notBreaching")
            try await cloudWatch.putMetricAlarm(alarm, tags: [AWSTag("netloom:stack", "cw")])
            let alarms = try await cloudWatch.describeAlarms(namePrefix: "netloom-")
            let found = try #require(alarms.first)
            #expect(alarms.count == 1)
            #expect(found.metricName == "ErrorPortAllocation")
            #expect(found.dimensions == ["NatGatewayId": "nat-123"])
            #expect(found.threshold == 1)
            #expect(found.treatMissingData == "notBreaching")
            let arn = try #require(found.alarmARN)
            #expect(try await cloudWatch.listTagsForResource(arn: arn) == [AWSTag("netloom:stack", "cw")])
            try await cloudWatch.deleteAlarms(names: ["netloom-nat-errors"])
            #expect(try await cloudWatch.describeAlarms(namePrefix: "netloom-").isEmpty)
        }
    }

    @Test func s3LifecycleRules() async throws {
        try await withMotoCore(try await freshSharedMoto()) { core in
            let s3 = S3(core: core)
            try await s3.createBucket("netloom-lifecycle")
            #expect(try await s3.getBucketLifecycle("netloom-lifecycle").isEmpty)
            let rule = S3.LifecycleRule(id: "expire-logs", prefix: "flow/", expirationDays: 30, noncurrentVersionExpirationDays: 7,
                                        abortIncompleteMultipartUploadDays: 2)
            try await s3.putBucketLifecycle("netloom-lifecycle", rules: [rule])
            #expect(try await s3.getBucketLifecycle("netloom-lifecycle") == [rule])
            try await s3.deleteBucketLifecycle("netloom-lifecycle")
            try await s3.deleteBucketTagging("netloom-lifecycle")
            #expect(try await s3.getBucketTagging("netloom-lifecycle").isEmpty)
            try await s3.deleteBucket("netloom-lifecycle")
            #expect(try await s3.bucketExists("netloom-lifecycle") == false)
        }
    }
}
