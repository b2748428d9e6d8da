import AWSClient
import AWSSigV4
import Foundation
import MotoHarness
import Testing

/// ACM, Route 53, launch templates, Auto Scaling and HTTPS listeners against moto, one round
/// trip per service. The suite has its own server, started with `MOTO_ACM_VALIDATION_WAIT=1`
/// so a DNS-validated certificate turns `ISSUED` after a second instead of moto's default 60.
@Suite(.serialized, .enabled(if: MotoAvailability.shouldRun, "moto_server not installed; skipped outside CI"))
struct MotoServingTests {
    static let stackTag = AWSTag("netloom:stack", "moto-serving")

    static func moto() async throws -> MotoServer {
        try await freshSharedMoto(extraEnvironment: ["MOTO_ACM_VALIDATION_WAIT": "1"])
    }

    /// Polls until the certificate leaves `PENDING_VALIDATION` (moto: after the wait above).
    static func waitForIssue(_ acm: ACM, _ arn: String) async throws -> ACM.Certificate {
        let deadline = ContinuousClock.now + .seconds(20)
        var certificate = try await acm.describeCertificate(arn: arn)
        while certificate.status == "PENDING_VALIDATION", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(300))
            certificate = try await acm.describeCertificate(arn: arn)
        }
        return certificate
    }

    /// A VPC with subnets in two zones, an ALB and a target group on port 80.
    struct Network {
        var vpcID: String
        var subnetIDs: [String]
        var loadBalancer: ELBv2.LoadBalancer
        var targetGroup: ELBv2.TargetGroup
    }

    static func network(_ core: AWSClientCore, cidr: String = "10.40") async throws -> Network {
        let ec2 = EC2(core: core)
        let elb = ELBv2(core: core)
        let vpc = try await ec2.createVpc(cidrBlock: "\(cidr).0.0/16", tags: [stackTag])
        let a = try await ec2.createSubnet(vpcID: vpc.vpcID, cidrBlock: "\(cidr).1.0/24", availabilityZone: "us-east-1a", tags: [stackTag])
        let b = try await ec2.createSubnet(vpcID: vpc.vpcID, cidrBlock: "\(cidr).2.0/24", availabilityZone: "us-east-1b", tags: [stackTag])
        let balancer = try await elb.createLoadBalancer(name: "web", subnetIDs: [a.subnetID, b.subnetID], tags: [stackTag])
        let group = try await elb.createTargetGroup(name: "web", targetProtocol: "HTTP", port: 80, vpcID: vpc.vpcID, tags: [stackTag])
        return Network(vpcID: vpc.vpcID, subnetIDs: [a.subnetID, b.subnetID], loadBalancer: balancer, targetGroup: group)
    }

    @Test("ACM: a DNS-validated certificate is requested, described with its validation records and tags, issued, listed and deleted")
    func certificateRoundTrip() async throws {
        try await withMotoCore(try await Self.moto()) { core in
            let acm = ACM(core: core)
            let arn = try await acm.requestCertificate(.init(domainName: "api.example.com", subjectAlternativeNames: ["api.example.com", "www.example.com"],
                                                             idempotencyToken: "netloomrun1", tags: [Self.stackTag]))
            #expect(arn.hasPrefix("arn:aws:acm:us-east-1:"))

            let pending = try await acm.describeCertificate(arn: arn)
            #expect(pending.domainName == "api.example.com")
            // moto keeps the names in a set, so their order varies; AWS keeps the request's.
            #expect(Set(pending.subjectAlternativeNames) == ["api.example.com", "www.example.com"])
            #expect(Set(pending.domainValidationOptions.map(\.domainName)) == ["api.example.com", "www.example.com"])
            let record = try #require(pending.domainValidationOptions.first { $0.domainName == "api.example.com" }?.resourceRecord)
            #expect(record.type == "CNAME")
            #expect(record.name.hasSuffix(".api.example.com."))
            #expect(record.value.hasSuffix(".acm-validations.aws."))

            // moto issues the certificate once MOTO_ACM_VALIDATION_WAIT has passed, whether or
            // not the CNAME exists anywhere; AWS waits for the record.
            let issued = try await Self.waitForIssue(acm, arn)
            #expect(issued.status == "ISSUED")

            #expect(try await acm.listCertificates(statuses: ["ISSUED"]).map(\.arn).contains(arn))
            try await acm.addTagsToCertificate(arn: arn, tags: [AWSTag("Name", "api")])
            #expect(try await acm.listTagsForCertificate(arn: arn) == [AWSTag("Name", "api"), Self.stackTag])

            try await acm.deleteCertificate(arn: arn)
            let error = await #expect(throws: AWSError.self) { try await acm.describeCertificate(arn: arn) }
            #expect(error?.isNotFound == true)
        }
    }

    @Test("Route 53: a public zone gets an alias UPSERT to a load balancer, is listed, tagged and deleted; a private zone is associated with a second VPC")
    func hostedZoneRoundTrip() async throws {
        try await withMotoCore(try await Self.moto()) { core in
            let route53 = Route53(core: core)
            let network = try await Self.network(core)
            let zoneID = try #require(network.loadBalancer.canonicalHostedZoneID)
            let reference = "netloom-\(UUID().uuidString)"

            let created = try await route53.createHostedZone(.init(name: "example.com", callerReference: reference, comment: "moto test"))
            #expect(created.zone.name == "example.com.")
            #expect(created.zone.callerReference == reference)
            #expect(!created.zone.isPrivate)
            #expect(created.nameServers.count == 4)
            // moto reports every change INSYNC at once; AWS starts at PENDING.
            #expect(try await route53.getChange(id: created.change.id).isInSync)

            let alias = Route53.RecordSet(name: "api.example.com", type: "A", alias: .init(
                hostedZoneID: zoneID, dnsName: network.loadBalancer.dnsName, evaluateTargetHealth: true))
            let change = try await route53.changeResourceRecordSets(zoneID: created.zone.id, changes: [
                .init(.upsert, alias),
                .init(.upsert, .init(name: "txt.example.com", type: "TXT", ttl: 300, values: ["\"netloom\""])),
            ])
            #expect(try await route53.getChange(id: change.id).status == "INSYNC")

            let records = try await route53.listResourceRecordSets(zoneID: created.zone.id)
            #expect(Set(records.map(\.type)) == ["NS", "SOA", "A", "TXT"])
            let listedAlias = try #require(records.first { $0.type == "A" })
            #expect(listedAlias.name == "api.example.com.")
            #expect(listedAlias.alias?.hostedZoneID == zoneID)
            #expect(listedAlias.alias?.dnsName.hasPrefix(network.loadBalancer.dnsName) == true)
            #expect(listedAlias.alias?.evaluateTargetHealth == true)
            #expect(listedAlias.ttl == nil)
            #expect(records.first { $0.type == "TXT" }?.values == ["\"netloom\""])

            try await route53.changeTagsForResource(id: created.zone.id, add: [Self.stackTag, AWSTag("old", "1")])
            try await route53.changeTagsForResource(id: created.zone.id, removeKeys: ["old"])
            #expect(try await route53.listTagsForResource(id: created.zone.id) == [Self.stackTag])
            #expect(try await route53.listHostedZones().map(\.id).contains(created.zone.id))
            #expect(try await route53.listHostedZonesByName(dnsName: "example.com").zones.first?.id == created.zone.id)

            // A private zone answers only in its VPCs.
            let second = try await EC2(core: core).createVpc(cidrBlock: "10.41.0.0/16", tags: [Self.stackTag])
            let privateZone = try await route53.createHostedZone(.init(name: "internal.example.com", callerReference: reference + "-private",
                                                                    vpc: .init(id: network.vpcID, region: "us-east-1")))
            #expect(privateZone.zone.isPrivate)
            try await route53.associateVPCWithHostedZone(id: privateZone.zone.id, vpc: .init(id: second.vpcID, region: "us-east-1"))
            #expect(Set(try await route53.getHostedZone(id: privateZone.zone.id).vpcs.map(\.id)) == [network.vpcID, second.vpcID])

            // AWS refuses to delete a zone that still has records of its own; remove them first.
            try await route53.changeResourceRecordSets(zoneID: created.zone.id, changes: [
                .init(.delete, alias), .init(.delete, .init(name: "txt.example.com", type: "TXT", ttl: 300, values: ["\"netloom\""])),
            ])
            #expect(Set(try await route53.listResourceRecordSets(zoneID: created.zone.id).map(\.type)) == ["NS", "SOA"])
            try await route53.deleteHostedZone(id: created.zone.id)
            try await route53.deleteHostedZone(id: privateZone.zone.id)
            let error = await #expect(throws: AWSError.self) { try await route53.getHostedZone(id: created.zone.id) }
            #expect(error?.code == "NoSuchHostedZone")
            #expect(error?.isNotFound == true)
        }
    }

    @Test("launch template and Auto Scaling group behind a target group with target-tracking policies: described, scaled by hand, deleted")
    func launchTemplateAndGroup() async throws {
        try await withMotoCore(try await Self.moto()) { core in
            let ec2 = EC2(core: core)
            let autoScaling = AutoScaling(core: core)
            let elb = ELBv2(core: core)
            let network = try await Self.network(core, cidr: "10.50")
            _ = try await elb.createListener(loadBalancerARN: network.loadBalancer.arn, listenerProtocol: "HTTP", port: 80, forwardTo: network.targetGroup.arn)
            let image = try await SSM(core: core).getParameter(name: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64").value
            let groupID = try await ec2.createSecurityGroup(name: "web", description: "web", vpcID: network.vpcID, tags: [Self.stackTag])

            let profile = try await IAM(core: core).createInstanceProfile(name: "web")
            let data = EC2.LaunchTemplateData(
                imageID: image, instanceType: "t3.micro", iamInstanceProfileARN: profile.arn, securityGroupIDs: [groupID], httpTokens: "required",
                blockDevices: [.init(deviceName: "/dev/xvda", volumeSize: 20, volumeType: "gp3", encrypted: true)],
                tagSpecifications: [.init(resourceType: "instance", tags: [Self.stackTag, AWSTag("Name", "web")])])
            let template = try await ec2.createLaunchTemplate(.init(name: "web", data: data, versionDescription: "first", tags: [Self.stackTag]))
            #expect(template.id.hasPrefix("lt-"))
            #expect(template.defaultVersion == 1)
            #expect(template.tags == [Self.stackTag])

            let second = try await ec2.createLaunchTemplateVersion(.id(template.id), data: .init(instanceType: "t3.small"), sourceVersion: "1")
            #expect(second.versionNumber == 2)
            #expect(try await ec2.modifyLaunchTemplate(.id(template.id), defaultVersion: "2").defaultVersion == 2)
            let first = try #require(try await ec2.describeLaunchTemplateVersions(.id(template.id), versions: ["1"]).first)
            #expect(first.data.imageID == image)
            #expect(first.data.httpTokens == "required")
            #expect(first.data.iamInstanceProfileARN == profile.arn)
            #expect(first.data.securityGroupIDs == [groupID])
            #expect(first.data.blockDevices.first?.volumeSize == 20)
            #expect(first.data.tagSpecifications.first?.tags.contains(AWSTag("Name", "web")) == true)
            #expect(try await ec2.describeLaunchTemplates(filters: [.tag("netloom:stack", "moto-serving")]).map(\.id) == [template.id])

            try await autoScaling.createAutoScalingGroup(.init(
                name: "web", launchTemplate: .init(id: template.id, version: "$Default"), minSize: 1, maxSize: 4, desiredCapacity: 1,
                subnetIDs: network.subnetIDs, targetGroupARNs: [network.targetGroup.arn], healthCheckType: "ELB", healthCheckGracePeriod: 120,
                tags: [.init("netloom:stack", "moto-serving", propagateAtLaunch: true)]))
            let group = try #require(try await autoScaling.describeAutoScalingGroups(names: ["web"]).first)
            #expect(group.launchTemplate?.id == template.id)
            #expect(group.launchTemplate?.version == "$Default")
            #expect(group.subnetIDs == network.subnetIDs)
            #expect(group.targetGroupARNs == [network.targetGroup.arn])
            #expect(group.healthCheckType == "ELB" && group.healthCheckGracePeriod == 120)
            #expect(group.tags == [.init("netloom:stack", "moto-serving", propagateAtLaunch: true)])
            #expect(group.instances.count == 1)

            // ResourceLabel: app/<lb name>/<lb id>/targetgroup/<tg name>/<tg id>.
            let label = try #require(network.loadBalancer.arn.components(separatedBy: ":loadbalancer/").last) + "/"
                + (try #require(network.targetGroup.arn.split(separator: ":").last))
            _ = try await autoScaling.putTargetTrackingPolicy(groupName: "web", policyName: "requests",
                                                              .init(metric: .albRequestCountPerTarget(resourceLabel: label), targetValue: 500))
            _ = try await autoScaling.putTargetTrackingPolicy(groupName: "web", policyName: "cpu", .init(metric: .averageCPUUtilization, targetValue: 60))
            let policies = try await autoScaling.describePolicies(groupName: "web")
            #expect(Set(policies.map(\.name)) == ["requests", "cpu"])
            #expect(policies.first { $0.name == "requests" }?.targetTracking == .init(metric: .albRequestCountPerTarget(resourceLabel: label), targetValue: 500))
            #expect(policies.first { $0.name == "cpu" }?.targetTracking?.metric == .averageCPUUtilization)
            #expect(policies.allSatisfy { $0.arn.hasPrefix("arn:aws:autoscaling:") })

            try await autoScaling.setDesiredCapacity(groupName: "web", desiredCapacity: 2)
            try await autoScaling.updateAutoScalingGroup(.init(name: "web", maxSize: 6))
            let scaled = try #require(try await autoScaling.describeAutoScalingGroups(names: ["web"]).first)
            #expect(scaled.desiredCapacity == 2 && scaled.maxSize == 6)
            // moto launches (and marks InService) at once; AWS takes minutes.
            #expect(scaled.instances.count == 2)

            try await autoScaling.deletePolicy(groupName: "web", policyName: "cpu")
            #expect(try await autoScaling.describePolicies(groupName: "web").map(\.name) == ["requests"])
            try await autoScaling.deleteAutoScalingGroup(name: "web", forceDelete: true)
            #expect(try await autoScaling.describeAutoScalingGroups(names: ["web"]).isEmpty)
            let missing = await #expect(throws: AWSError.self) { try await autoScaling.deleteAutoScalingGroup(name: "web", forceDelete: true) }
            #expect(missing?.isNotFound == true)

            try await ec2.deleteLaunchTemplate(.id(template.id))
            // AWS answers a deleted template's id with InvalidLaunchTemplateId.NotFound; moto
            // 5.2.1 with an empty list. Either says it is gone.
            do {
                #expect(try await ec2.describeLaunchTemplates(ids: [template.id]).isEmpty)
            } catch let error as AWSError {
                #expect(error.isNotFound, "\(error)")
            }
        }
    }

    @Test("an HTTPS listener with a moto-issued certificate and an HTTP listener redirecting to 443 are described with certificate, policy and redirect")
    func httpsListener() async throws {
        try await withMotoCore(try await Self.moto()) { core in
            let acm = ACM(core: core)
            let elb = ELBv2(core: core)
            let network = try await Self.network(core, cidr: "10.60")
            let arn = try await acm.requestCertificate(.init(domainName: "web.example.com", tags: [Self.stackTag]))
            #expect(try await Self.waitForIssue(acm, arn).status == "ISSUED")

            let policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
            let https = try await elb.createListener(.init(
                loadBalancerARN: network.loadBalancer.arn, listenerProtocol: "HTTPS", port: 443, defaultAction: .forward(targetGroupARN: network.targetGroup.arn),
                certificateARN: arn, sslPolicy: policy, tags: [Self.stackTag]))
            #expect(https.certificateARNs == [arn])
            #expect(https.sslPolicy == policy)
            let redirect = try await elb.createListener(.init(
                loadBalancerARN: network.loadBalancer.arn, listenerProtocol: "HTTP", port: 80, defaultAction: .redirect(.toHTTPS), tags: [Self.stackTag]))

            let listeners = try await elb.describeListeners(loadBalancerARN: network.loadBalancer.arn)
            let describedHTTPS = try #require(listeners.first { $0.arn == https.arn })
            #expect(describedHTTPS.listenerProtocol == "HTTPS" && describedHTTPS.port == 443)
            #expect(describedHTTPS.certificateARNs == [arn])
            #expect(describedHTTPS.sslPolicy == policy)
            #expect(describedHTTPS.defaultActions == [.forward(targetGroupARN: network.targetGroup.arn)])
            let describedRedirect = try #require(listeners.first { $0.arn == redirect.arn })
            #expect(describedRedirect.port == 80)
            guard case .redirect(let config)? = describedRedirect.defaultActions.first else {
                Issue.record("the HTTP listener's default action is not a redirect: \(describedRedirect.defaultActions)")
                return
            }
            #expect(config.redirectProtocol == "HTTPS" && config.port == "443" && config.statusCode == "HTTP_301")
            // moto 5.2.1 leaves out the #{host}/#{path}/#{query} defaults AWS fills in, and gives
            // the HTTP listener an SslPolicy (ELBSecurityPolicy-2016-08); neither is asserted.

            // moto lists the listener's ARN in InUseBy; AWS lists the load balancer's.
            #expect(try await acm.describeCertificate(arn: arn).inUseBy.contains { $0 == https.arn || $0 == network.loadBalancer.arn })

            let stricter = "ELBSecurityPolicy-TLS13-1-3-2021-06"
            let modified = try await elb.modifyListener(.init(arn: https.arn, sslPolicy: stricter))
            #expect(modified.sslPolicy == stricter)
            #expect(modified.certificateARNs == [arn])
            let rereadHTTPS = try await elb.describeListeners(loadBalancerARN: network.loadBalancer.arn).first { $0.arn == https.arn }
            #expect(rereadHTTPS?.sslPolicy == stricter)
        }
    }
}
