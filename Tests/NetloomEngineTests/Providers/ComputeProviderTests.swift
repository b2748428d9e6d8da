import AWSClient
import Foundation
import NetloomModel
import Testing
@testable import NetloomEngine

private typealias F = ProviderFixture

private let instanceXML = """
<reservationSet><item><instancesSet><item><instanceId>i-1</instanceId><imageId>ami-1</imageId><instanceType>t3.micro</instanceType>\
<instanceState><name>running</name></instanceState><subnetId>subnet-1</subnetId><privateIpAddress>10.0.1.5</privateIpAddress><groupSet/>\
<networkInterfaceSet><item><attachment><deviceIndex>0</deviceIndex></attachment><groupSet><item><groupId>sg-2</groupId></item><item><groupId>sg-1</groupId></item></groupSet></item></networkInterfaceSet>\
<metadataOptions><httpTokens>required</httpTokens></metadataOptions><iamInstanceProfile><arn>arn:aws:iam::123456789012:instance-profile/netloom/s/s-node</arn></iamInstanceProfile>\
\(FakeAWS.ec2Tags("instance:node"))</item><item><instanceId>i-0</instanceId><instanceState><name>terminated</name></instanceState>\(FakeAWS.ec2Tags("instance:node"))</item></instancesSet></item></reservationSet>
"""

@Suite("Instance, alarm and load balancing providers against a fake AWS")
struct ComputeProviderTests {
    let instance = F.desired("instance:node", .instance, [
        "ami": "ami-1", "instance_type": "t3.micro", "subnet": "subnet-1", "security_groups": ["sg-1", "sg-2"], "public_ip": true,
        "instance_profile": "s-node", "metadata_http_tokens": "required", "root_volume": ["size_gb": 30, "type": "gp3", "encrypted": true],
    ])

    @Test("instance: one RunInstances with the public IP on the primary interface, IMDSv2, encrypted root volume and tags; then it waits for running")
    func instanceCreate() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "RunInstances": FakeAWS.ec2("RunInstances", "<instancesSet><item><instanceId>i-1</instanceId><privateIpAddress>10.0.1.5</privateIpAddress><instanceState><name>pending</name></instanceState></item></instancesSet>")
            case "DescribeInstances": FakeAWS.ec2("DescribeInstances", instanceXML)
            default: nil
            }
        }
        let created = try await InstanceProvider().create(instance, context: F.context(fake))
        #expect(created.awsID == "i-1")
        #expect(created.attributes["private_ip"] == "10.0.1.5")
        #expect(fake.actions == ["RunInstances", "DescribeInstances"])
        let run = fake.requests[0]
        #expect(run["NetworkInterface.1.AssociatePublicIpAddress"] == "true")
        #expect(run["NetworkInterface.1.SubnetId"] == "subnet-1")
        #expect(run.values("NetworkInterface.1.SecurityGroupId.") == ["sg-1", "sg-2"])
        #expect(run["SubnetId"] == nil)
        #expect(run["MetadataOptions.HttpTokens"] == "required")
        #expect(run["BlockDeviceMapping.1.Ebs.Encrypted"] == "true")
        #expect(run["BlockDeviceMapping.1.Ebs.VolumeSize"] == "30")
        #expect(run["IamInstanceProfile.Name"] == "s-node")
        #expect(run["TagSpecification.1.ResourceType"] == "instance")
        #expect(run["MinCount"] == "1" && run["MaxCount"] == "1")
        #expect(run["ClientToken"]?.isEmpty == false)
    }

    @Test("instance: an answer without the instance id is an invalid answer naming it, and nothing is waited for")
    func instanceWithoutID() async {
        let fake = FakeAWS { $0.action == "RunInstances" ? FakeAWS.ec2("RunInstances", "<instancesSet><item><imageId>ami-1</imageId></item></instancesSet>") : nil }
        let error = await F.awsError { _ = try await InstanceProvider().create(instance, context: F.context(fake)) }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.message.contains("instanceId") == true)
        #expect(fake.actions == ["RunInstances"])
    }

    @Test("instance: update changes groups, IMDS and the profile association in place; delete terminates and waits")
    func instanceUpdateDelete() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "DescribeIamInstanceProfileAssociations":
                FakeAWS.ec2(request.action, "<iamInstanceProfileAssociationSet><item><associationId>iip-assoc-1</associationId><instanceId>i-1</instanceId><state>associated</state></item></iamInstanceProfileAssociationSet>")
            case "DescribeInstances": FakeAWS.ec2("DescribeInstances", "<reservationSet><item><instancesSet><item><instanceId>i-1</instanceId><instanceState><name>terminated</name></instanceState></item></instancesSet></item></reservationSet>")
            default: nil
            }
        }
        let context = F.context(fake)
        let observed = F.observed("instance:node", .instance, "i-1")
        _ = try await InstanceProvider().update(instance, from: observed, changed: ["security_groups", "metadata_http_tokens", "instance_profile"], context: context)
        #expect(fake.actions == ["ModifyInstanceAttribute", "ModifyInstanceMetadataOptions", "DescribeIamInstanceProfileAssociations", "ReplaceIamInstanceProfileAssociation"])
        #expect(fake.requests[0].values("GroupId.") == ["sg-1", "sg-2"])
        #expect(fake.requests[1]["HttpTokens"] == "required")
        #expect(fake.requests[3]["AssociationId"] == "iip-assoc-1")
        #expect(fake.requests[3]["IamInstanceProfile.Name"] == "s-node")

        var noProfile = instance
        noProfile.properties["instance_profile"] = ""
        _ = try await InstanceProvider().update(noProfile, from: observed, changed: ["instance_profile"], context: context)
        #expect(fake.actions.last == "DisassociateIamInstanceProfile")

        try await InstanceProvider().delete(observed, context: context)
        #expect(fake.actions.suffix(2) == ["TerminateInstances", "DescribeInstances"])
        #expect(fake.requests.suffix(2).first?["InstanceId.1"] == "i-1")
    }

    @Test("instance: the read takes the primary interface's groups when the instance lists none, skips terminated ones, and names the profile")
    func instanceRead() async throws {
        let fake = FakeAWS { $0.action == "DescribeInstances" ? FakeAWS.ec2("DescribeInstances", instanceXML) : nil }
        let read = try await InstanceProvider().read(F.scope(), context: F.context(fake))
        #expect(read.map(\.awsID) == ["i-1"])
        let item = try #require(read.first)
        #expect(item.properties["security_groups"] == ["sg-1", "sg-2"])
        #expect(item.properties["instance_profile"] == "s-node")
        #expect(item.properties["metadata_http_tokens"] == "required")
        #expect(item.attributes["private_ip"] == "10.0.1.5")
        #expect(fake.requests[0]["Filter.1.Name"] == "tag:netloom:stack")
    }

    @Test("alarm: PutMetricAlarm with tags on create, without on update; DeleteAlarms; read only what the stack's tags own")
    func alarm() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "DescribeAlarms":
                FakeAWS.query("DescribeAlarms", "<MetricAlarms><member><AlarmName>s-cpu</AlarmName><AlarmArn>arn:alarm:s-cpu</AlarmArn><MetricName>CPUUtilization</MetricName><Statistic>Average</Statistic><Period>300</Period><EvaluationPeriods>2</EvaluationPeriods><Threshold>80.0</Threshold><ComparisonOperator>GreaterThanThreshold</ComparisonOperator><Dimensions><member><Name>InstanceId</Name><Value>i-1</Value></member></Dimensions></member><member><AlarmName>s-x-cpu</AlarmName><AlarmArn>arn:alarm:s-x-cpu</AlarmArn></member></MetricAlarms>")
            case "ListTagsForResource":
                FakeAWS.query("ListTagsForResource", request["ResourceARN"] == "arn:alarm:s-cpu"
                    ? "<Tags><member><Key>netloom:stack</Key><Value>s</Value></member><member><Key>netloom:address</Key><Value>alarm:cpu</Value></member></Tags>"
                    : "<Tags><member><Key>netloom:stack</Key><Value>s-x</Value></member></Tags>")
            default: nil
            }
        }
        let context = F.context(fake)
        let desired = F.desired("alarm:cpu", .alarm, ["name": "s-cpu", "namespace": "AWS/EC2", "metric": "CPUUtilization", "statistic": "Average",
                                                    "comparison_operator": "GreaterThanThreshold", "threshold": 80, "period_s": 300, "evaluation_periods": 2, "instance": "i-1"])
        #expect(try await AlarmProvider().create(desired, context: context).awsID == "s-cpu")
        let put = fake.requests[0]
        #expect(put["Threshold"] == "80.0")
        #expect(put["Dimensions.member.1.Value"] == "i-1")
        #expect(put.values("Tags.member.").contains("alarm:cpu"))
        _ = try await AlarmProvider().update(desired, from: F.observed("alarm:cpu", .alarm, "s-cpu"), changed: ["threshold"], context: context)
        #expect(fake.requests[1]["Tags.member.1.Key"] == nil)
        try await AlarmProvider().delete(F.observed("alarm:cpu", .alarm, "s-cpu"), context: context)
        #expect(fake.requests[2]["AlarmNames.member.1"] == "s-cpu")
        let read = try await AlarmProvider().read(F.scope([desired]), context: context)
        #expect(read.map(\.awsID) == ["s-cpu"])
        #expect(read.first?.properties == AlarmProvider().comparable(desired))

        let refusing = FakeAWS { $0.action == "PutMetricAlarm" ? FakeAWS.queryError("LimitExceeded") : nil }
        #expect(await F.awsError { _ = try await AlarmProvider().create(desired, context: F.context(refusing)) }?.code == "LimitExceeded")
    }

    @Test("target group: CreateTargetGroup with health check and tags; tags updated; deleted; read by name prefix and tags")
    func targetGroup() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "CreateTargetGroup": FakeAWS.query("CreateTargetGroup", "<TargetGroups><member><TargetGroupArn>arn:tg/s-web</TargetGroupArn><TargetGroupName>s-web</TargetGroupName></member></TargetGroups>")
            case "DescribeTargetGroups": FakeAWS.query("DescribeTargetGroups", "<TargetGroups><member><TargetGroupArn>arn:tg/s-web</TargetGroupArn><TargetGroupName>s-web</TargetGroupName><Protocol>HTTP</Protocol><Port>80</Port><VpcId>vpc-1</VpcId></member><member><TargetGroupArn>arn:tg/other</TargetGroupArn><TargetGroupName>other</TargetGroupName></member></TargetGroups>")
            case "DescribeTags": FakeAWS.query("DescribeTags", "<TagDescriptions><member><ResourceArn>arn:tg/s-web</ResourceArn><Tags><member><Key>netloom:stack</Key><Value>s</Value></member><member><Key>netloom:address</Key><Value>target_group:web</Value></member></Tags></member></TagDescriptions>")
            default: nil
            }
        }
        let context = F.context(fake)
        let desired = F.desired("target_group:web", .targetGroup, ["name": "s-web", "protocol": "HTTP", "port": 80, "vpc": "vpc-1", "target_type": "instance",
                                                                 "health": ["path": "/health", "port": 8080, "interval_s": 15]])
        #expect(try await TargetGroupProvider().create(desired, context: context).awsID == "arn:tg/s-web")
        let create = fake.requests[0]
        #expect(create["HealthCheckPath"] == "/health")
        #expect(create["HealthCheckPort"] == "8080")
        #expect(create["HealthCheckIntervalSeconds"] == "15")
        #expect(create["TargetType"] == "instance")
        #expect(create.values("Tags.member.").contains("target_group:web"))
        _ = try await TargetGroupProvider().update(desired, from: F.observed("target_group:web", .targetGroup, "arn:tg/s-web"), changed: ["tags"], context: context)
        #expect(fake.requests[1].action == "AddTags")
        try await TargetGroupProvider().delete(F.observed("target_group:web", .targetGroup, "arn:tg/s-web"), context: context)
        #expect(fake.requests[2]["TargetGroupArn"] == "arn:tg/s-web")
        let read = try await TargetGroupProvider().read(F.scope(), context: context)
        #expect(read.map(\.address) == ["target_group:web"])
        #expect(fake.requests(for: "DescribeTags").first?["ResourceArns.member.1"] == "arn:tg/s-web")  // only the stack's prefix is asked about
    }

    @Test("target group: an answer without the ARN is an invalid answer, never an empty id")
    func targetGroupWithoutARN() async {
        let fake = FakeAWS { $0.action == "CreateTargetGroup" ? FakeAWS.query("CreateTargetGroup", "<TargetGroups><member><TargetGroupName>s-web</TargetGroupName></member></TargetGroups>") : nil }
        let desired = F.desired("target_group:web", .targetGroup, ["name": "s-web", "protocol": "HTTP", "port": 80, "vpc": "vpc-1"])
        let error = await F.awsError { _ = try await TargetGroupProvider().create(desired, context: F.context(fake)) }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.message.contains("TargetGroupArn") == true)
    }

    @Test("load balancer: created with subnets, groups and tags and waited for; subnets and groups set in place; deleted; a failed one is an error")
    func loadBalancer() async throws {
        let balancerXML = "<LoadBalancers><member><LoadBalancerArn>arn:lb/s-web</LoadBalancerArn><LoadBalancerName>s-web</LoadBalancerName><DNSName>web.example</DNSName><Type>application</Type><Scheme>internet-facing</Scheme><State><Code>active</Code></State><AvailabilityZones><member><SubnetId>subnet-1</SubnetId></member></AvailabilityZones><SecurityGroups><member>sg-1</member></SecurityGroups></member></LoadBalancers>"
        let fake = FakeAWS { request in
            switch request.action {
            case "CreateLoadBalancer": FakeAWS.query("CreateLoadBalancer", balancerXML)
            case "DescribeLoadBalancers": FakeAWS.query("DescribeLoadBalancers", balancerXML)
            case "DescribeTags": FakeAWS.query("DescribeTags", "<TagDescriptions><member><ResourceArn>arn:lb/s-web</ResourceArn><Tags><member><Key>netloom:stack</Key><Value>s</Value></member><member><Key>netloom:address</Key><Value>load_balancer:web</Value></member></Tags></member></TagDescriptions>")
            default: nil
            }
        }
        let context = F.context(fake)
        let desired = F.desired("load_balancer:web", .loadBalancer, ["name": "s-web", "type": "application", "scheme": "internet-facing",
                                                                   "subnets": ["subnet-1", "subnet-2"], "security_groups": ["sg-1"]])
        let created = try await LoadBalancerProvider().create(desired, context: context)
        #expect(created.awsID == "arn:lb/s-web")
        #expect(created.attributes["dns_name"] == "web.example")
        #expect(fake.actions == ["CreateLoadBalancer", "DescribeLoadBalancers"])
        #expect(fake.requests[0].values("Subnets.member.") == ["subnet-1", "subnet-2"])
        #expect(fake.requests[0]["SecurityGroups.member.1"] == "sg-1")
        _ = try await LoadBalancerProvider().update(desired, from: created, changed: ["subnets", "security_groups", "tags"], context: context)
        #expect(fake.actions.suffix(3) == ["SetSubnets", "SetSecurityGroups", "AddTags"])
        #expect(fake.requests(for: "SetSubnets").first?.values("Subnets.member.") == ["subnet-1", "subnet-2"])
        #expect(fake.requests(for: "SetSecurityGroups").first?["LoadBalancerArn"] == "arn:lb/s-web")
        try await LoadBalancerProvider().delete(created, context: context)
        #expect(fake.actions.last == "DeleteLoadBalancer")
        let read = try await LoadBalancerProvider().read(F.scope(), context: context)
        #expect(read.first?.properties["subnets"] == ["subnet-1"])

        let failed = FakeAWS { request in
            switch request.action {
            case "CreateLoadBalancer", "DescribeLoadBalancers": FakeAWS.query(request.action, balancerXML.replacingOccurrences(of: "<Code>active</Code>", with: "<Code>failed</Code>"))
            default: nil
            }
        }
        #expect(await F.awsError { _ = try await LoadBalancerProvider().create(desired, context: F.context(failed)) }?.code == "LoadBalancerFailed")
    }

    @Test("listener: CreateListener forwarding to the group; ModifyListener on update; deleted; read per load balancer")
    func listener() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "CreateListener": FakeAWS.query("CreateListener", "<Listeners><member><ListenerArn>arn:listener/1</ListenerArn></member></Listeners>")
            case "DescribeLoadBalancers": FakeAWS.query("DescribeLoadBalancers", "<LoadBalancers><member><LoadBalancerArn>arn:lb/s-web</LoadBalancerArn><LoadBalancerName>s-web</LoadBalancerName></member></LoadBalancers>")
            case "DescribeTags": FakeAWS.query("DescribeTags", "<TagDescriptions><member><ResourceArn>arn:lb/s-web</ResourceArn><Tags><member><Key>netloom:stack</Key><Value>s</Value></member></Tags></member></TagDescriptions>")
            case "DescribeListeners": FakeAWS.query("DescribeListeners", "<Listeners><member><ListenerArn>arn:listener/1</ListenerArn><Port>80</Port><Protocol>HTTP</Protocol><DefaultActions><member><Type>forward</Type><TargetGroupArn>arn:tg/s-web</TargetGroupArn></member></DefaultActions></member></Listeners>")
            default: nil
            }
        }
        let context = F.context(fake)
        let desired = F.desired("listener:web/80", .listener, ["load_balancer": "arn:lb/s-web", "port": 80, "protocol": "HTTP", "forward": "arn:tg/s-web"])
        let created = try await ListenerProvider().create(desired, context: context)
        #expect(created.awsID == "arn:listener/1")
        #expect(fake.requests[0]["DefaultActions.member.1.TargetGroupArn"] == "arn:tg/s-web")
        _ = try await ListenerProvider().update(desired, from: created, changed: ["forward"], context: context)
        let modify = fake.requests[1]
        #expect(modify.action == "ModifyListener")
        #expect(modify["ListenerArn"] == "arn:listener/1")
        #expect(modify["Port"] == "80")
        #expect(modify["DefaultActions.member.1.Type"] == "forward")
        try await ListenerProvider().delete(created, context: context)
        #expect(fake.requests[2]["ListenerArn"] == "arn:listener/1")
        let read = try await ListenerProvider().read(F.scope([desired]), context: context)
        #expect(read.first?.address == "listener:web/80")
        #expect(read.first?.properties["forward"] == "arn:tg/s-web")

        let refusing = FakeAWS { $0.action == "CreateListener" ? FakeAWS.queryError("TargetGroupNotFound") : nil }
        #expect(await F.awsError { _ = try await ListenerProvider().create(desired, context: F.context(refusing)) }?.code == "TargetGroupNotFound")
    }

    @Test("target registration: RegisterTargets and DeregisterTargets with the instance and port; read from DescribeTargetHealth; a target without id is an invalid answer")
    func targetGroupAttachment() async throws {
        let groups = "<TargetGroups><member><TargetGroupArn>arn:tg/s-web</TargetGroupArn><TargetGroupName>s-web</TargetGroupName><Port>80</Port></member></TargetGroups>"
        let tags = "<TagDescriptions><member><ResourceArn>arn:tg/s-web</ResourceArn><Tags><member><Key>netloom:stack</Key><Value>s</Value></member></Tags></member></TagDescriptions>"
        let fake = FakeAWS { request in
            switch request.action {
            case "DescribeTargetGroups": FakeAWS.query(request.action, groups)
            case "DescribeTags": FakeAWS.query(request.action, tags)
            case "DescribeTargetHealth": FakeAWS.query(request.action, "<TargetHealthDescriptions><member><Target><Id>i-1</Id><Port>8080</Port></Target><TargetHealth><State>healthy</State></TargetHealth></member></TargetHealthDescriptions>")
            default: nil
            }
        }
        let context = F.context(fake)
        let desired = F.desired("target_group_attachment:web/node", .targetGroupAttachment, ["target_group": "arn:tg/s-web", "instance": "i-1", "port": 8080], tags: false)
        let created = try await TargetGroupAttachmentProvider().create(desired, context: context)
        #expect(created.awsID == "arn:tg/s-web|i-1")
        #expect(fake.requests[0]["Targets.member.1.Id"] == "i-1")
        #expect(fake.requests[0]["Targets.member.1.Port"] == "8080")
        try await TargetGroupAttachmentProvider().delete(created, context: context)
        #expect(fake.requests[1].action == "DeregisterTargets")
        #expect(fake.requests[1]["TargetGroupArn"] == "arn:tg/s-web")
        let read = try await TargetGroupAttachmentProvider().read(F.scope([desired]), context: context)
        #expect(read.first?.address == "target_group_attachment:web/node")
        #expect(read.first?.properties["port"] == 8080)

        let broken = FakeAWS { request in
            switch request.action {
            case "DescribeTargetGroups": FakeAWS.query(request.action, groups)
            case "DescribeTags": FakeAWS.query(request.action, tags)
            case "DescribeTargetHealth": FakeAWS.query(request.action, "<TargetHealthDescriptions><member><Target><Port>8080</Port></Target></member></TargetHealthDescriptions>")
            default: nil
            }
        }
        let error = await F.awsError { _ = try await TargetGroupAttachmentProvider().read(F.scope([desired]), context: F.context(broken)) }
        #expect(error?.kind == .invalidAnswer)
    }
}
