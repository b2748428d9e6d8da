import Foundation
@testable import NetloomExport
import NetloomModel
import NetloomTestSupport
import Testing

/// The inference example's Auto Scaling group (2 to 6 g5.xlarge from an SSM AMI, behind the
/// load balancer's target group, scaling on requests per target) in both exports.
@Suite("exports: Auto Scaling launch templates, groups and target-tracking policies")
struct AutoScalingExportTests {
    func terraform(_ source: ExportSource) throws -> PropertyValue {
        let main = try #require(try TerraformExport.make(source).files["main.tf.json"])
        return try JSONDecoder().decode(PropertyValue.self, from: Data(main.utf8))
    }

    func cloudFormation(_ source: ExportSource) throws -> CloudFormationTranslator {
        var translator = CloudFormationTranslator(source)
        _ = try translator.document()
        return translator
    }

    func expanded(_ source: ExportSource, _ address: ResourceAddress) throws -> Resource {
        try #require(source.resources.first { $0.address == address.description })
    }

    @Test("Terraform: the launch template has the SSM image, type, groups, profile, IMDSv2, root volume and instance tags")
    func terraformLaunchTemplate() throws {
        let source = try ExportFixtures.source(example: "inference.yaml")
        let expandedTemplate = try expanded(source, .launchTemplate("api"))
        let document = try terraform(source)
        let template = try #require(document["resource"]?["aws_launch_template"]?["api"])
        #expect(template["name"] == expandedTemplate.properties["name"])
        #expect(template["instance_type"] == "g5.xlarge")
        // As aws_instance does it: the data source of the SSM parameter.
        let image = try #require(template["image_id"]?.stringValue)
        #expect(image.hasPrefix("${data.aws_ssm_parameter.") && image.hasSuffix(".insecure_value}"))
        #expect(document["data"]?["aws_ssm_parameter"]?.mapValue?.values.contains {
            $0["name"] == "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
        } == true)
        #expect(template["vpc_security_group_ids"] == ["${aws_security_group.api.id}"])
        let profile: PropertyValue = [["name": "${aws_iam_instance_profile.api.name}"]], metadata: PropertyValue = [["http_tokens": "required"]]
        #expect(template["iam_instance_profile"] == profile)
        #expect(template["metadata_options"] == metadata)
        let devices: PropertyValue = [["device_name": "/dev/xvda", "ebs": [[
            "volume_size": 100, "volume_type": "gp3", "encrypted": "true", "delete_on_termination": "true",
        ]]]]
        #expect(template["block_device_mappings"] == devices)
        let specifications = try #require(template["tag_specifications"]?.listValue)
        #expect(specifications.compactMap { $0["resource_type"]?.stringValue } == ["instance", "volume"])
        for specification in specifications {
            #expect(specification["tags"] == expandedTemplate.properties["instance_tags"])
            #expect(specification["tags"]?["Name"] == "model-api-api")
            #expect(specification["tags"]?["netloom:stack"] == nil, "instances of the group never carry netloom's own tags")
        }
        #expect(template["tags"]?["netloom:address"] == "launch_template:api")
        #expect(template["update_default_version"] == true)
    }

    @Test("Terraform: the group spans the set's subnets, launches $Latest, registers with the target group and leaves desired to scaling")
    func terraformGroup() throws {
        let source = try ExportFixtures.source(example: "inference.yaml")
        let expandedGroup = try expanded(source, .autoScalingGroup("api"))
        let group = try #require(try terraform(source)["resource"]?["aws_autoscaling_group"]?["api"])
        #expect(group["name"] == expandedGroup.properties["name"])
        #expect(group["min_size"] == 2 && group["max_size"] == 6 && group["desired_capacity"] == 2)
        let subnets: PropertyValue = ["${aws_subnet.app_eu-west-1a.id}", "${aws_subnet.app_eu-west-1b.id}"]
        #expect(group["vpc_zone_identifier"] == subnets)
        let launch: PropertyValue = [["id": "${aws_launch_template.api.id}", "version": "$Latest"]]
        #expect(group["launch_template"] == launch)
        #expect(group["target_group_arns"] == ["${aws_lb_target_group.api.arn}"])
        #expect(group["health_check_type"] == "ELB" && group["health_check_grace_period"] == expandedGroup.properties["health_check_grace_s"])
        let lifecycle: PropertyValue = [["ignore_changes": ["desired_capacity"]]]
        #expect(group["lifecycle"] == lifecycle)
        #expect(group["force_delete"] == true)
        let tags = try #require(group["tag"]?.listValue)
        #expect(tags.count == expandedGroup.properties["tags"]?.mapValue?.count)
        #expect(tags.allSatisfy { $0["propagate_at_launch"] == false })
        #expect(tags.contains { $0["key"] == "netloom:address" && $0["value"] == .string(ResourceAddress.autoScalingGroup("api").description) })
        // The route out of the private subnets comes first (a dependency no reference carries).
        let dependencies = try #require(group["depends_on"]?.listValue)
        #expect(dependencies.contains { $0.stringValue?.hasPrefix("aws_route_table_association.") == true })
    }

    @Test("Terraform: requests per target track the label made of the balancer's and target group's arn_suffix; CPU has no label")
    func terraformPolicy() throws {
        let source = try ExportFixtures.source(example: "inference.yaml")
        let policy = try #require(try terraform(source)["resource"]?["aws_autoscaling_policy"]?["api"])
        #expect(policy["name"] == "netloom-target-tracking")
        #expect(policy["autoscaling_group_name"] == "${aws_autoscaling_group.api.name}")
        #expect(policy["policy_type"] == "TargetTrackingScaling")
        let configuration = try #require(policy["target_tracking_configuration"]?.listValue?.first)
        #expect(configuration["target_value"].flatMap { Double($0.description) } == 1000)
        let expectedMetric: PropertyValue = [[
            "predefined_metric_type": "ALBRequestCountPerTarget",
            "resource_label": "${aws_lb.public.arn_suffix}/${aws_lb_target_group.api.arn_suffix}",
        ]]
        #expect(configuration["predefined_metric_specification"] == expectedMetric)

        let cpu = try ExportFixtures.source(example: "inference.yaml") {
            $0.replacingOccurrences(of: "scale: { metric: requests_per_target, target: 1000 }", with: "scale: { metric: cpu, target: 60 }")
        }
        let cpuPolicy = try #require(try terraform(cpu)["resource"]?["aws_autoscaling_policy"]?["api"])
        let cpuMetric: PropertyValue = [["predefined_metric_type": "ASGAverageCPUUtilization"]]
        #expect(cpuPolicy["target_tracking_configuration"]?.listValue?.first?["predefined_metric_specification"] == cpuMetric)
    }

    @Test("CloudFormation: LaunchTemplate, AutoScalingGroup (latest version number, sizes as text) and ScalingPolicy (label joined from full names)")
    func cloudFormationTypes() throws {
        let source = try ExportFixtures.source(example: "inference.yaml")
        let translator = try cloudFormation(source)
        let templateID = translator.logicalID(ResourceAddress.launchTemplate("api").description)
        let template = try #require(translator.resources[templateID])
        #expect(template["Type"] == "AWS::EC2::LaunchTemplate")
        let data = try #require(template["Properties"]?["LaunchTemplateData"])
        #expect(data["InstanceType"] == "g5.xlarge")
        #expect(data["ImageId"]?["Ref"]?.stringValue?.hasPrefix("Ami") == true)
        #expect(data["IamInstanceProfile"]?["Name"]?["Ref"] != nil)
        let metadata: PropertyValue = ["HttpTokens": "required"]
        #expect(data["MetadataOptions"] == metadata)
        let devices: PropertyValue = [["DeviceName": "/dev/xvda", "Ebs": ["VolumeSize": 100, "VolumeType": "gp3", "Encrypted": true, "DeleteOnTermination": true]]]
        #expect(data["BlockDeviceMappings"] == devices)
        #expect(data["TagSpecifications"]?.listValue?.compactMap { $0["ResourceType"]?.stringValue } == ["instance", "volume"])
        #expect(template["Properties"]?["TagSpecifications"]?.listValue?.first?["ResourceType"] == "launch-template")

        let groupID = translator.logicalID(ResourceAddress.autoScalingGroup("api").description)
        let group = try #require(translator.resources[groupID])
        #expect(group["Type"] == "AWS::AutoScaling::AutoScalingGroup")
        let properties = try #require(group["Properties"])
        #expect(properties["MinSize"] == "2" && properties["MaxSize"] == "6" && properties["DesiredCapacity"] == "2")
        #expect(properties["VPCZoneIdentifier"]?.listValue?.count == 2)
        let launch: PropertyValue = ["LaunchTemplateId": ["Ref": .string(templateID)], "Version": ["Fn::GetAtt": [.string(templateID), "LatestVersionNumber"]]]
        #expect(properties["LaunchTemplate"] == launch)
        #expect(properties["TargetGroupARNs"]?.listValue?.count == 1)
        #expect(properties["HealthCheckType"] == "ELB" && properties["HealthCheckGracePeriod"] != nil)
        let tags = try #require(properties["Tags"]?.listValue)
        #expect(tags.allSatisfy { $0["PropagateAtLaunch"] == false })
        #expect(tags.contains { $0["Key"] == "netloom:address" && $0["Value"] == .string(ResourceAddress.autoScalingGroup("api").description) })

        let policy = try #require(translator.resources[translator.logicalID(ResourceAddress.scalingPolicy("api").description)])
        #expect(policy["Type"] == "AWS::AutoScaling::ScalingPolicy")
        #expect(policy["Properties"]?["AutoScalingGroupName"] == ["Ref": .string(groupID)])
        #expect(policy["Properties"]?["PolicyType"] == "TargetTrackingScaling")
        let tracking = try #require(policy["Properties"]?["TargetTrackingConfiguration"])
        #expect(tracking["TargetValue"] == .double(1000))
        let metric = try #require(tracking["PredefinedMetricSpecification"])
        #expect(metric["PredefinedMetricType"] == "ALBRequestCountPerTarget")
        let balancerID = translator.logicalID(ResourceAddress.loadBalancer("public").description)
        let targetGroupID = translator.logicalID(ResourceAddress.targetGroup("api").description)
        let label: PropertyValue = ["Fn::Join": ["/", [["Fn::GetAtt": [.string(balancerID), "LoadBalancerFullName"]],
                                                       ["Fn::GetAtt": [.string(targetGroupID), "TargetGroupFullName"]]]]]
        #expect(metric["ResourceLabel"] == label)
        // What CloudFormation builds differently from netloom is said.
        #expect(translator.notes().contains { $0.contains("$Latest") && $0.contains("netloom-target-tracking") })
    }

    @Test("a property of an Auto Scaling resource the export does not know is an error in both engines, not dropped")
    func unknownAutoScalingProperty() throws {
        for address in [ResourceAddress.launchTemplate("api"), .autoScalingGroup("api"), .scalingPolicy("api")] {
            var source = try ExportFixtures.source(example: "inference.yaml")
            let index = try #require(source.resources.firstIndex { $0.address == address.description })
            source.resources[index].properties["warm_pool"] = true
            #expect {
                try TerraformExport.make(source)
            } throws: { error in
                let problems = (error as? ExportError)?.problems ?? []
                return problems.count == 1 && problems[0].address == address.description && problems[0].detail.contains("warm_pool")
            }
            #expect {
                try CloudFormationExport.make(source)
            } throws: { error in
                let problems = (error as? ExportError)?.problems ?? []
                return problems.count == 1 && problems[0].address == address.description && problems[0].kind == .unknownProperty
            }
        }
    }
}
