import AWSClient
import AWSSigV4
import Foundation
import Testing

/// The clients for HTTPS, DNS and Auto Scaling (ACM, Route 53, EC2 launch templates, Auto
/// Scaling, ELBv2 listeners): what each call sends, how it reads a realistic answer, and that a
/// missing required field is an invalid answer rather than an empty value.
@Suite struct ServingClientTests {
    static func form(_ request: AWSHTTPRequest?) -> [String: String] {
        guard let request else { return [:] }
        return TypedCallTests.form(request)
    }

    static func header(_ request: AWSHTTPRequest?, _ name: String) -> String? {
        request?.headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    static func json(_ request: AWSHTTPRequest?) -> AWSJSON {
        AWSJSON.parse(request?.body ?? []) ?? .null
    }

    static func bodyText(_ request: AWSHTTPRequest?) -> String {
        String(decoding: request?.body ?? [], as: UTF8.self)
    }

    // MARK: Endpoints

    @Test("the new services resolve to their AWS hosts; Route 53 is global and signed for us-east-1; AWS_ENDPOINT_URL routes them all")
    func endpoints() throws {
        let aws = AWSEndpointResolver(environment: [:])
        #expect(try aws.endpoint(for: .certificateManager, region: "eu-west-1").host == "acm.eu-west-1.amazonaws.com")
        #expect(try aws.endpoint(for: .autoScaling, region: "eu-west-1").host == "autoscaling.eu-west-1.amazonaws.com")
        let route53 = try aws.endpoint(for: .route53, region: "eu-west-1")
        #expect(route53.host == "route53.amazonaws.com")
        #expect(route53.signingRegion == "us-east-1")
        #expect(try aws.endpoint(for: .route53, region: "cn-north-1").signingRegion == "cn-northwest-1")
        #expect(try aws.endpoint(for: .route53, region: "us-gov-east-1").host == "route53.us-gov.amazonaws.com")

        let moto = AWSEndpointResolver(environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:5000"])
        for service in [AWSService.certificateManager, .route53, .autoScaling] {
            let endpoint = try moto.endpoint(for: service, region: "eu-west-1")
            #expect(endpoint.hostHeader == "127.0.0.1:5000")
            #expect(endpoint.signingRegion == (service == .route53 ? "us-east-1" : "eu-west-1"))
        }
        let specific = AWSEndpointResolver(environment: ["AWS_ENDPOINT_URL_ROUTE_53": "http://dns:1", "AWS_ENDPOINT_URL_ACM": "http://acm:2",
                                                         "AWS_ENDPOINT_URL_AUTO_SCALING": "http://asg:3"])
        #expect(try specific.endpoint(for: .route53, region: "eu-west-1").host == "dns")
        #expect(try specific.endpoint(for: .certificateManager, region: "eu-west-1").host == "acm")
        #expect(try specific.endpoint(for: .autoScaling, region: "eu-west-1").host == "asg")
    }

    // MARK: ACM

    @Test("RequestCertificate asks for DNS validation with the names, token and tags, and returns the ARN")
    func requestCertificate() async throws {
        let transport = FakeTransport([FakeTransport.json(200, #"{"CertificateArn":"arn:aws:acm:eu-west-1:123456789012:certificate/abc"}"#)])
        let arn = try await ACM(core: Fixture.core(transport)).requestCertificate(.init(
            domainName: "api.example.com", subjectAlternativeNames: ["www.example.com"], idempotencyToken: "run1", tags: [AWSTag("netloom:stack", "dev")]))
        #expect(arn == "arn:aws:acm:eu-west-1:123456789012:certificate/abc")
        let request = await transport.requests.first
        #expect(request?.method == "POST")
        #expect(request?.url == "https://acm.eu-west-1.amazonaws.com/")
        #expect(Self.header(request, "X-Amz-Target") == "CertificateManager.RequestCertificate")
        #expect(Self.header(request, "Authorization")?.contains("/eu-west-1/acm/aws4_request") == true)
        let body = Self.json(request)
        #expect(body["DomainName"] == "api.example.com")
        #expect(body["ValidationMethod"] == "DNS")
        #expect(body["SubjectAlternativeNames"] == ["www.example.com"])
        #expect(body["IdempotencyToken"] == "run1")
        #expect(body["Tags"] == [["Key": "netloom:stack", "Value": "dev"]])
    }

    @Test("DescribeCertificate reads status, the validation CNAME and InUseBy; a certificate without Status is an invalid answer")
    func describeCertificate() async throws {
        let answer = """
            {"Certificate":{"CertificateArn":"arn:cert/1","DomainName":"api.example.com","SubjectAlternativeNames":["api.example.com"],
            "Status":"PENDING_VALIDATION","Type":"AMAZON_ISSUED","InUseBy":["arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/web/1"],
            "DomainValidationOptions":[{"DomainName":"api.example.com","ValidationMethod":"DNS","ValidationStatus":"PENDING_VALIDATION",
            "ResourceRecord":{"Name":"_x1.api.example.com.","Type":"CNAME","Value":"_y1.acm-validations.aws."}}]}}
            """
        let transport = FakeTransport([FakeTransport.json(200, answer)])
        let certificate = try await ACM(core: Fixture.core(transport)).describeCertificate(arn: "arn:cert/1")
        #expect(Self.json(await transport.requests.first)["CertificateArn"] == "arn:cert/1")
        #expect(certificate.status == "PENDING_VALIDATION")
        #expect(certificate.inUseBy == ["arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/web/1"])
        let validation = try #require(certificate.domainValidationOptions.first)
        #expect(validation.validationStatus == "PENDING_VALIDATION")
        #expect(validation.resourceRecord == ACM.ResourceRecord(name: "_x1.api.example.com.", type: "CNAME", value: "_y1.acm-validations.aws."))

        let broken = FakeTransport([FakeTransport.json(200, #"{"Certificate":{"CertificateArn":"arn:cert/1","DomainName":"api.example.com"}}"#)])
        let error = await #expect(throws: AWSError.self) { try await ACM(core: Fixture.core(broken)).describeCertificate(arn: "arn:cert/1") }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.description.contains("Status") == true)

        let noRecordValue = FakeTransport([FakeTransport.json(200, #"{"Certificate":{"CertificateArn":"a","DomainName":"d","Status":"ISSUED","DomainValidationOptions":[{"DomainName":"d","ResourceRecord":{"Name":"n","Type":"CNAME"}}]}}"#)])
        let recordError = await #expect(throws: AWSError.self) { try await ACM(core: Fixture.core(noRecordValue)).describeCertificate(arn: "a") }
        #expect(recordError?.description.contains("ResourceRecord Value") == true)
    }

    @Test("ListCertificates follows NextToken with the status filter; tags are added and listed; delete sends the ARN")
    func listAndTagCertificates() async throws {
        let transport = FakeTransport([
            FakeTransport.json(200, #"{"CertificateSummaryList":[{"CertificateArn":"arn:1","DomainName":"a.example.com","Status":"ISSUED"}],"NextToken":"t1"}"#),
            FakeTransport.json(200, #"{"CertificateSummaryList":[{"CertificateArn":"arn:2","DomainName":"b.example.com"}]}"#),
            FakeTransport.json(200, ""),
            FakeTransport.json(200, #"{"Tags":[{"Key":"b","Value":"2"},{"Key":"a"}]}"#),
            FakeTransport.json(200, ""),
        ])
        let acm = ACM(core: Fixture.core(transport))
        let summaries = try await acm.listCertificates(statuses: ["ISSUED", "PENDING_VALIDATION"])
        #expect(summaries.map(\.arn) == ["arn:1", "arn:2"])
        #expect(summaries.first?.status == "ISSUED")
        try await acm.addTagsToCertificate(arn: "arn:1", tags: [AWSTag("a", ""), AWSTag("b", "2")])
        #expect(try await acm.listTagsForCertificate(arn: "arn:1") == [AWSTag("a", ""), AWSTag("b", "2")])
        try await acm.deleteCertificate(arn: "arn:1")
        let requests = await transport.requests
        #expect(Self.json(requests[0])["CertificateStatuses"] == ["ISSUED", "PENDING_VALIDATION"])
        #expect(Self.json(requests[0])["NextToken"].isNull)
        #expect(Self.json(requests[1])["NextToken"] == "t1")
        #expect(Self.header(requests[2], "X-Amz-Target") == "CertificateManager.AddTagsToCertificate")
        #expect(Self.json(requests[2])["Tags"] == [["Key": "a", "Value": ""], ["Key": "b", "Value": "2"]])
        #expect(Self.header(requests[4], "X-Amz-Target") == "CertificateManager.DeleteCertificate")
        #expect(Self.json(requests[4])["CertificateArn"] == "arn:1")
    }

    @Test("an ACM not-found answer is classified as not found, and in-use as a client error")
    func acmErrors() async throws {
        let transport = FakeTransport([
            FakeTransport.json(400, #"{"__type":"ResourceNotFoundException","message":"Certificate with arn arn:1 not found"}"#),
            FakeTransport.json(400, #"{"__type":"com.amazonaws.acm#ResourceInUseException","message":"in use"}"#),
        ])
        let acm = ACM(core: Fixture.core(transport))
        let missing = await #expect(throws: AWSError.self) { try await acm.describeCertificate(arn: "arn:1") }
        #expect(missing?.isNotFound == true)
        let inUse = await #expect(throws: AWSError.self) { try await acm.deleteCertificate(arn: "arn:1") }
        #expect(inUse?.code == "ResourceInUseException")
        #expect(inUse?.kind == .client)
    }

    // MARK: Route 53

    @Test("CreateHostedZone posts the name, caller reference and VPC of a private zone, and reads id, change and name servers")
    func createHostedZone() async throws {
        let answer = """
            <?xml version="1.0"?>
            <CreateHostedZoneResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZone><Id>/hostedzone/Z1PA6795UKMFR9</Id>\
            <Name>internal.example.com.</Name><CallerReference>ref-1</CallerReference><Config><Comment>ml</Comment><PrivateZone>true</PrivateZone></Config>\
            <ResourceRecordSetCount>2</ResourceRecordSetCount></HostedZone><ChangeInfo><Id>/change/C1PA6795UKMFR9</Id><Status>PENDING</Status>\
            <SubmittedAt>2026-12-01T00:00:00Z</SubmittedAt></ChangeInfo><VPC><VPCRegion>eu-west-1</VPCRegion><VPCId>vpc-1</VPCId></VPC></CreateHostedZoneResponse>
            """
        let transport = FakeTransport([FakeTransport.xml(201, answer)])
        let created = try await Route53(core: Fixture.core(transport)).createHostedZone(.init(
            name: "internal.example.com", callerReference: "ref-1", comment: "ml", vpc: .init(id: "vpc-1", region: "eu-west-1")))
        #expect(created.zone.id == "Z1PA6795UKMFR9")
        #expect(created.zone.isPrivate)
        #expect(created.zone.recordSetCount == 2)
        #expect(created.change.id == "C1PA6795UKMFR9")
        #expect(!created.change.isInSync)
        #expect(created.nameServers.isEmpty)
        let request = await transport.requests.first
        #expect(request?.method == "POST")
        #expect(request?.url == "https://route53.amazonaws.com/2013-04-01/hostedzone")
        #expect(Self.header(request, "Authorization")?.contains("/us-east-1/route53/aws4_request") == true)
        let body = try #require(AWSXMLNode.parse(request?.body ?? []))
        #expect(body.name == "CreateHostedZoneRequest")
        #expect(body.text("Name") == "internal.example.com")
        #expect(body.text("CallerReference") == "ref-1")
        #expect(body["HostedZoneConfig"].bool("PrivateZone") == true)
        #expect(body["VPC"].text("VPCId") == "vpc-1")
        #expect(body["VPC"].text("VPCRegion") == "eu-west-1")
    }

    @Test("GetHostedZone reads the name servers and VPCs; a zone without its Id is an invalid answer")
    func getHostedZone() async throws {
        let answer = """
            <GetHostedZoneResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZone><Id>/hostedzone/Z1</Id><Name>example.com.</Name>\
            <CallerReference>r</CallerReference><Config><PrivateZone>false</PrivateZone></Config></HostedZone><DelegationSet><NameServers>\
            <NameServer>ns-1.awsdns-01.org</NameServer><NameServer>ns-2.awsdns-02.com</NameServer></NameServers></DelegationSet></GetHostedZoneResponse>
            """
        let transport = FakeTransport([
            FakeTransport.xml(200, answer),
            FakeTransport.xml(200, "<GetHostedZoneResponse><HostedZone><Name>example.com.</Name></HostedZone></GetHostedZoneResponse>"),
        ])
        let route53 = Route53(core: Fixture.core(transport))
        let details = try await route53.getHostedZone(id: "/hostedzone/Z1")
        #expect(details.zone.id == "Z1")
        #expect(!details.zone.isPrivate)
        #expect(details.nameServers == ["ns-1.awsdns-01.org", "ns-2.awsdns-02.com"])
        let request = await transport.requests.first
        #expect(request?.method == "GET")
        #expect(request?.url == "https://route53.amazonaws.com/2013-04-01/hostedzone/Z1")
        let error = await #expect(throws: AWSError.self) { try await route53.getHostedZone(id: "Z1") }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.description.contains("HostedZone Id") == true)
    }

    @Test("ListHostedZones follows NextMarker while IsTruncated; ListHostedZonesByName sends dnsname and reads where the next page starts")
    func listZones() async throws {
        let zone = { (id: String, name: String) in "<HostedZone><Id>/hostedzone/\(id)</Id><Name>\(name)</Name><CallerReference>r</CallerReference></HostedZone>" }
        let transport = FakeTransport([
            FakeTransport.xml(200, "<ListHostedZonesResponse><HostedZones>\(zone("Z1", "a.com."))</HostedZones><IsTruncated>true</IsTruncated><NextMarker>Z2</NextMarker><MaxItems>1</MaxItems></ListHostedZonesResponse>"),
            FakeTransport.xml(200, "<ListHostedZonesResponse><HostedZones>\(zone("Z2", "b.com."))</HostedZones><IsTruncated>false</IsTruncated><MaxItems>1</MaxItems></ListHostedZonesResponse>"),
            FakeTransport.xml(200, "<ListHostedZonesByNameResponse><HostedZones>\(zone("Z2", "b.com."))</HostedZones><DNSName>b.com</DNSName><IsTruncated>true</IsTruncated><NextDNSName>c.com.</NextDNSName><NextHostedZoneId>/hostedzone/Z3</NextHostedZoneId><MaxItems>1</MaxItems></ListHostedZonesByNameResponse>"),
        ])
        let route53 = Route53(core: Fixture.core(transport))
        #expect(try await route53.listHostedZones().map(\.id) == ["Z1", "Z2"])
        let page = try await route53.listHostedZonesByName(dnsName: "b.com", maxItems: 1)
        #expect(page.zones.map(\.name) == ["b.com."])
        #expect(page.nextDNSName == "c.com.")
        #expect(page.nextHostedZoneID == "Z3")
        let urls = await transport.requests.map(\.url)
        #expect(urls[0] == "https://route53.amazonaws.com/2013-04-01/hostedzone")
        #expect(urls[1] == "https://route53.amazonaws.com/2013-04-01/hostedzone?marker=Z2")
        #expect(urls[2].hasPrefix("https://route53.amazonaws.com/2013-04-01/hostedzonesbyname?"))
        #expect(urls[2].contains("dnsname=b.com") && urls[2].contains("maxitems=1"))
    }

    @Test("ChangeResourceRecordSets sends an alias UPSERT and a plain DELETE in one batch, and reads the change")
    func changeRecords() async throws {
        let transport = FakeTransport([FakeTransport.xml(200, "<ChangeResourceRecordSetsResponse><ChangeInfo><Id>/change/C2</Id><Status>PENDING</Status><SubmittedAt>2026-12-01T00:00:00Z</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>")])
        let change = try await Route53(core: Fixture.core(transport)).changeResourceRecordSets(zoneID: "/hostedzone/Z1", changes: [
            .init(.upsert, .init(name: "api.example.com", type: "A", alias: .init(hostedZoneID: "Z32O12XQLNTSW2", dnsName: "web-1.eu-west-1.elb.amazonaws.com", evaluateTargetHealth: true))),
            .init(.delete, .init(name: "old.example.com", type: "TXT", ttl: 300, values: ["\"v=1\""])),
        ], comment: "netloom")
        #expect(change.id == "C2")
        let request = await transport.requests.first
        #expect(request?.method == "POST")
        #expect(request?.url == "https://route53.amazonaws.com/2013-04-01/hostedzone/Z1/rrset/")
        let body = try #require(AWSXMLNode.parse(request?.body ?? []))
        #expect(body.name == "ChangeResourceRecordSetsRequest")
        let changes = body[path: "ChangeBatch", "Changes"].all("Change")
        #expect(changes.map { $0.text("Action") } == ["UPSERT", "DELETE"])
        let alias = changes[0][path: "ResourceRecordSet", "AliasTarget"]
        #expect(alias.text("HostedZoneId") == "Z32O12XQLNTSW2")
        #expect(alias.text("DNSName") == "web-1.eu-west-1.elb.amazonaws.com")
        #expect(alias.bool("EvaluateTargetHealth") == true)
        #expect(!changes[0]["ResourceRecordSet"]["TTL"].exists)
        #expect(changes[1]["ResourceRecordSet"].int("TTL") == 300)
        #expect(changes[1][path: "ResourceRecordSet", "ResourceRecords", "ResourceRecord"].text("Value") == "\"v=1\"")
        // Values are escaped, never sent as markup.
        #expect(Self.bodyText(request).contains("&quot;v=1&quot;"))
    }

    @Test("ListResourceRecordSets reads plain and alias records and starts the next page at NextRecordName and NextRecordType")
    func listRecords() async throws {
        let transport = FakeTransport([
            FakeTransport.xml(200, """
                <ListResourceRecordSetsResponse><ResourceRecordSets><ResourceRecordSet><Name>example.com.</Name><Type>NS</Type><TTL>172800</TTL>\
                <ResourceRecords><ResourceRecord><Value>ns-1.awsdns-01.org.</Value></ResourceRecord><ResourceRecord><Value>ns-2.awsdns-02.com.</Value></ResourceRecord></ResourceRecords>\
                </ResourceRecordSet></ResourceRecordSets><IsTruncated>true</IsTruncated><NextRecordName>api.example.com.</NextRecordName><NextRecordType>A</NextRecordType><MaxItems>1</MaxItems></ListResourceRecordSetsResponse>
                """),
            FakeTransport.xml(200, """
                <ListResourceRecordSetsResponse><ResourceRecordSets><ResourceRecordSet><Name>api.example.com.</Name><Type>A</Type><AliasTarget>\
                <HostedZoneId>Z32O12XQLNTSW2</HostedZoneId><DNSName>web-1.eu-west-1.elb.amazonaws.com.</DNSName><EvaluateTargetHealth>false</EvaluateTargetHealth></AliasTarget>\
                </ResourceRecordSet></ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>1</MaxItems></ListResourceRecordSetsResponse>
                """),
            FakeTransport.xml(200, "<ListResourceRecordSetsResponse><ResourceRecordSets><ResourceRecordSet><Name>a.</Name><Type>A</Type><AliasTarget><DNSName>x.</DNSName></AliasTarget></ResourceRecordSet></ResourceRecordSets><IsTruncated>false</IsTruncated></ListResourceRecordSetsResponse>"),
        ])
        let route53 = Route53(core: Fixture.core(transport))
        let records = try await route53.listResourceRecordSets(zoneID: "Z1")
        #expect(records.count == 2)
        #expect(records[0].ttl == 172800)
        #expect(records[0].values == ["ns-1.awsdns-01.org.", "ns-2.awsdns-02.com."])
        #expect(records[1].alias == Route53.AliasTarget(hostedZoneID: "Z32O12XQLNTSW2", dnsName: "web-1.eu-west-1.elb.amazonaws.com.", evaluateTargetHealth: false))
        let urls = await transport.requests.map(\.url)
        #expect(urls[0] == "https://route53.amazonaws.com/2013-04-01/hostedzone/Z1/rrset")
        #expect(urls[1].contains("name=api.example.com.") && urls[1].contains("type=A"))
        let error = await #expect(throws: AWSError.self) { try await route53.listResourceRecordSets(zoneID: "Z1") }
        #expect(error?.description.contains("AliasTarget HostedZoneId") == true)
    }

    @Test("GetChange, DeleteHostedZone, AssociateVPCWithHostedZone and the tag calls use their paths and methods")
    func changesTagsAndVPCs() async throws {
        let change = { (action: String, status: String) in "<\(action)Response><ChangeInfo><Id>/change/C9</Id><Status>\(status)</Status></ChangeInfo></\(action)Response>" }
        let transport = FakeTransport([
            FakeTransport.xml(200, change("GetChange", "INSYNC")),
            FakeTransport.xml(200, change("AssociateVPCWithHostedZone", "PENDING")),
            FakeTransport.xml(200, "<ChangeTagsForResourceResponse/>"),
            FakeTransport.xml(200, "<ListTagsForResourceResponse><ResourceTagSet><ResourceType>hostedzone</ResourceType><ResourceId>Z1</ResourceId><Tags><Tag><Key>netloom:stack</Key><Value>dev</Value></Tag></Tags></ResourceTagSet></ListTagsForResourceResponse>"),
            FakeTransport.xml(200, change("DeleteHostedZone", "PENDING")),
        ])
        let route53 = Route53(core: Fixture.core(transport))
        #expect(try await route53.getChange(id: "/change/C9").isInSync)
        try await route53.associateVPCWithHostedZone(id: "Z1", vpc: .init(id: "vpc-2", region: "eu-west-1"))
        try await route53.changeTagsForResource(id: "Z1", add: [AWSTag("netloom:stack", "dev")], removeKeys: ["old"])
        #expect(try await route53.listTagsForResource(id: "Z1") == [AWSTag("netloom:stack", "dev")])
        #expect(try await route53.deleteHostedZone(id: "Z1").id == "C9")
        let requests = await transport.requests
        #expect(requests.map(\.method) == ["GET", "POST", "POST", "GET", "DELETE"])
        #expect(requests.map { $0.url.replacingOccurrences(of: "https://route53.amazonaws.com/2013-04-01", with: "") }
            == ["/change/C9", "/hostedzone/Z1/associatevpc", "/tags/hostedzone/Z1", "/tags/hostedzone/Z1", "/hostedzone/Z1"])
        let associate = try #require(AWSXMLNode.parse(requests[1].body))
        #expect(associate["VPC"].text("VPCId") == "vpc-2")
        let tags = try #require(AWSXMLNode.parse(requests[2].body))
        #expect(tags[path: "AddTags", "Tag"].text("Key") == "netloom:stack")
        #expect(tags["RemoveTagKeys"].text("Key") == "old")
    }

    @Test("a Route 53 error document is read for its code; NoSuchHostedZone is not found and throttling is retried")
    func route53Errors() async throws {
        let error = { (code: String, status: Int) in
            FakeTransport.xml(status, "<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type><Code>\(code)</Code><Message>m</Message></Error><RequestId>req-1</RequestId></ErrorResponse>")
        }
        let transport = FakeTransport([error("NoSuchHostedZone", 404), error("PriorRequestNotComplete", 400), FakeTransport.xml(200, "<GetChangeResponse><ChangeInfo><Id>C</Id><Status>INSYNC</Status></ChangeInfo></GetChangeResponse>")])
        let route53 = Route53(core: Fixture.core(transport))
        let missing = await #expect(throws: AWSError.self) { try await route53.getHostedZone(id: "Z0") }
        #expect(missing?.code == "NoSuchHostedZone")
        #expect(missing?.isNotFound == true)
        #expect(missing?.requestID == "req-1")
        #expect(try await route53.getChange(id: "C").isInSync)
        #expect(await transport.requests.count == 3)
    }

    // MARK: EC2 launch templates

    @Test("CreateLaunchTemplate sends the image, type, profile, groups, IMDSv2, volume, instance tags and template tags")
    func createLaunchTemplate() async throws {
        let answer = """
            <CreateLaunchTemplateResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><launchTemplate>\
            <launchTemplateId>lt-0abc</launchTemplateId><launchTemplateName>web</launchTemplateName><createTime>2026-12-01T00:00:00.000Z</createTime>\
            <defaultVersionNumber>1</defaultVersionNumber><latestVersionNumber>1</latestVersionNumber>\
            <tagSet><item><key>netloom:stack</key><value>dev</value></item></tagSet></launchTemplate></CreateLaunchTemplateResponse>
            """
        let transport = FakeTransport([FakeTransport.xml(200, answer)])
        let data = EC2.LaunchTemplateData(
            imageID: "ami-1", instanceType: "g5.xlarge", iamInstanceProfileARN: "arn:aws:iam::1:instance-profile/web", securityGroupIDs: ["sg-1", "sg-2"],
            httpTokens: "required", blockDevices: [.init(deviceName: "/dev/xvda", volumeSize: 100, volumeType: "gp3", encrypted: true, deleteOnTermination: true)],
            tagSpecifications: [.init(resourceType: "instance", tags: [AWSTag("Name", "web")])])
        let template = try await EC2(core: Fixture.core(transport)).createLaunchTemplate(.init(
            name: "web", data: data, tags: [AWSTag("netloom:stack", "dev")], clientToken: "tok"))
        #expect(template.id == "lt-0abc")
        #expect(template.defaultVersion == 1 && template.latestVersion == 1)
        #expect(template.tags == [AWSTag("netloom:stack", "dev")])
        let sent = Self.form(await transport.requests.first)
        #expect(sent["Action"] == "CreateLaunchTemplate")
        #expect(sent["LaunchTemplateName"] == "web")
        #expect(sent["ClientToken"] == "tok")
        #expect(sent["LaunchTemplateData.ImageId"] == "ami-1")
        #expect(sent["LaunchTemplateData.InstanceType"] == "g5.xlarge")
        #expect(sent["LaunchTemplateData.IamInstanceProfile.Arn"] == "arn:aws:iam::1:instance-profile/web")
        #expect(sent["LaunchTemplateData.SecurityGroupId.2"] == "sg-2")
        #expect(sent["LaunchTemplateData.MetadataOptions.HttpTokens"] == "required")
        #expect(sent["LaunchTemplateData.BlockDeviceMapping.1.DeviceName"] == "/dev/xvda")
        #expect(sent["LaunchTemplateData.BlockDeviceMapping.1.Ebs.VolumeSize"] == "100")
        #expect(sent["LaunchTemplateData.BlockDeviceMapping.1.Ebs.Encrypted"] == "true")
        #expect(sent["LaunchTemplateData.TagSpecification.1.ResourceType"] == "instance")
        #expect(sent["LaunchTemplateData.TagSpecification.1.Tag.1.Value"] == "web")
        #expect(sent["TagSpecification.1.ResourceType"] == "launch-template")
        #expect(sent["TagSpecification.1.Tag.1.Key"] == "netloom:stack")
    }

    @Test("launch template versions are read with their data; ModifyLaunchTemplate sets the default; a template without its id is an invalid answer")
    func launchTemplateVersions() async throws {
        let version = """
            <item><launchTemplateId>lt-1</launchTemplateId><launchTemplateName>web</launchTemplateName><versionNumber>2</versionNumber>\
            <versionDescription>bigger disk</versionDescription><defaultVersion>false</defaultVersion><launchTemplateData><imageId>ami-2</imageId>\
            <instanceType>g5.2xlarge</instanceType><iamInstanceProfile><arn>arn:profile</arn></iamInstanceProfile>\
            <securityGroupIdSet><item>sg-1</item></securityGroupIdSet><metadataOptions><httpTokens>required</httpTokens></metadataOptions>\
            <blockDeviceMappingSet><item><deviceName>/dev/xvda</deviceName><ebs><volumeSize>200</volumeSize><volumeType>gp3</volumeType><encrypted>true</encrypted></ebs></item></blockDeviceMappingSet>\
            <tagSpecificationSet><item><resourceType>instance</resourceType><tagSet><item><key>Name</key><value>web</value></item></tagSet></item></tagSpecificationSet>\
            </launchTemplateData></item>
            """
        let transport = FakeTransport([
            FakeTransport.xml(200, "<CreateLaunchTemplateVersionResponse><launchTemplateVersion>\(version.dropFirst(6).dropLast(7))</launchTemplateVersion></CreateLaunchTemplateVersionResponse>"),
            FakeTransport.xml(200, "<DescribeLaunchTemplateVersionsResponse><launchTemplateVersionSet>\(version)</launchTemplateVersionSet></DescribeLaunchTemplateVersionsResponse>"),
            FakeTransport.xml(200, "<ModifyLaunchTemplateResponse><launchTemplate><launchTemplateId>lt-1</launchTemplateId><launchTemplateName>web</launchTemplateName><defaultVersionNumber>2</defaultVersionNumber><latestVersionNumber>2</latestVersionNumber></launchTemplate></ModifyLaunchTemplateResponse>"),
            FakeTransport.xml(200, "<DescribeLaunchTemplatesResponse><launchTemplates><item><launchTemplateName>web</launchTemplateName><defaultVersionNumber>2</defaultVersionNumber><latestVersionNumber>2</latestVersionNumber></item></launchTemplates></DescribeLaunchTemplatesResponse>"),
            FakeTransport.xml(200, "<DeleteLaunchTemplateResponse><launchTemplate><launchTemplateId>lt-1</launchTemplateId></launchTemplate></DeleteLaunchTemplateResponse>"),
        ])
        let ec2 = EC2(core: Fixture.core(transport))
        let created = try await ec2.createLaunchTemplateVersion(.id("lt-1"), data: .init(blockDevices: [.init(deviceName: "/dev/xvda", volumeSize: 200)]),
                                                                sourceVersion: "1", versionDescription: "bigger disk")
        #expect(created.versionNumber == 2)
        let versions = try await ec2.describeLaunchTemplateVersions(.id("lt-1"), versions: ["$Latest"])
        let data = try #require(versions.first?.data)
        #expect(data.imageID == "ami-2")
        #expect(data.iamInstanceProfileARN == "arn:profile")
        #expect(data.securityGroupIDs == ["sg-1"])
        #expect(data.httpTokens == "required")
        #expect(data.blockDevices == [.init(deviceName: "/dev/xvda", volumeSize: 200, volumeType: "gp3", encrypted: true)])
        #expect(data.tagSpecifications == [.init(resourceType: "instance", tags: [AWSTag("Name", "web")])])
        #expect(try await ec2.modifyLaunchTemplate(.id("lt-1"), defaultVersion: "2").defaultVersion == 2)
        let error = await #expect(throws: AWSError.self) { try await ec2.describeLaunchTemplates(names: ["web"]) }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.description.contains("launchTemplateId") == true)
        try await ec2.deleteLaunchTemplate(.name("web"))

        let requests = await transport.requests.map(Self.form)
        #expect(requests[0]["SourceVersion"] == "1")
        #expect(requests[0]["LaunchTemplateData.BlockDeviceMapping.1.Ebs.VolumeSize"] == "200")
        #expect(requests[1]["LaunchTemplateVersion.1"] == "$Latest")
        #expect(requests[2]["SetDefaultVersion"] == "2")
        #expect(requests[3]["LaunchTemplateName.1"] == "web")
        #expect(requests[4]["Action"] == "DeleteLaunchTemplate" && requests[4]["LaunchTemplateName"] == "web")
    }

    // MARK: Auto Scaling

    @Test("CreateAutoScalingGroup sends the template version, sizes, subnets, target groups, ELB health check and propagated tags")
    func createGroup() async throws {
        let transport = FakeTransport([FakeTransport.xml(200, "<CreateAutoScalingGroupResponse xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></CreateAutoScalingGroupResponse>")])
        try await AutoScaling(core: Fixture.core(transport)).createAutoScalingGroup(.init(
            name: "web", launchTemplate: .init(id: "lt-1", version: "$Latest"), minSize: 1, maxSize: 4, desiredCapacity: 2,
            subnetIDs: ["subnet-a", "subnet-b"], targetGroupARNs: ["arn:tg/web"], healthCheckType: "ELB", healthCheckGracePeriod: 300,
            tags: [.init("netloom:stack", "dev", propagateAtLaunch: true), .init("owner", "ml", propagateAtLaunch: false)]))
        let request = await transport.requests.first
        #expect(request?.url == "https://autoscaling.eu-west-1.amazonaws.com/")
        let sent = Self.form(request)
        #expect(sent["Action"] == "CreateAutoScalingGroup" && sent["Version"] == "2011-01-01")
        #expect(sent["LaunchTemplate.LaunchTemplateId"] == "lt-1")
        #expect(sent["LaunchTemplate.Version"] == "$Latest")
        #expect(sent["MinSize"] == "1" && sent["MaxSize"] == "4" && sent["DesiredCapacity"] == "2")
        #expect(sent["VPCZoneIdentifier"] == "subnet-a,subnet-b")
        #expect(sent["TargetGroupARNs.member.1"] == "arn:tg/web")
        #expect(sent["HealthCheckType"] == "ELB" && sent["HealthCheckGracePeriod"] == "300")
        #expect(sent["Tags.member.1.PropagateAtLaunch"] == "true")
        #expect(sent["Tags.member.2.PropagateAtLaunch"] == "false")
        #expect(sent["Tags.member.2.Key"] == "owner")
    }

    @Test("DescribeAutoScalingGroups follows NextToken and reads instances, template, target groups and tags; a group without sizes is an invalid answer")
    func describeGroups() async throws {
        let group = """
            <member><AutoScalingGroupName>web</AutoScalingGroupName><AutoScalingGroupARN>arn:asg/web</AutoScalingGroupARN>\
            <LaunchTemplate><LaunchTemplateId>lt-1</LaunchTemplateId><LaunchTemplateName>web</LaunchTemplateName><Version>$Latest</Version></LaunchTemplate>\
            <MinSize>1</MinSize><MaxSize>4</MaxSize><DesiredCapacity>2</DesiredCapacity><VPCZoneIdentifier>subnet-a,subnet-b</VPCZoneIdentifier>\
            <TargetGroupARNs><member>arn:tg/web</member></TargetGroupARNs><HealthCheckType>ELB</HealthCheckType><HealthCheckGracePeriod>300</HealthCheckGracePeriod>\
            <Instances><member><InstanceId>i-1</InstanceId><AvailabilityZone>eu-west-1a</AvailabilityZone><LifecycleState>InService</LifecycleState><HealthStatus>Healthy</HealthStatus></member></Instances>\
            <Tags><member><Key>netloom:stack</Key><Value>dev</Value><PropagateAtLaunch>true</PropagateAtLaunch><ResourceId>web</ResourceId></member></Tags></member>
            """
        let wrap = { (members: String, token: String) in
            "<DescribeAutoScalingGroupsResponse><DescribeAutoScalingGroupsResult><AutoScalingGroups>\(members)</AutoScalingGroups>\(token)</DescribeAutoScalingGroupsResult></DescribeAutoScalingGroupsResponse>"
        }
        let transport = FakeTransport([
            FakeTransport.xml(200, wrap(group, "<NextToken>t1</NextToken>")),
            FakeTransport.xml(200, wrap("", "")),
            FakeTransport.xml(200, wrap("<member><AutoScalingGroupName>web</AutoScalingGroupName><MinSize>1</MinSize></member>", "")),
        ])
        let autoScaling = AutoScaling(core: Fixture.core(transport))
        let groups = try await autoScaling.describeAutoScalingGroups(names: ["web"])
        let read = try #require(groups.first)
        #expect(groups.count == 1)
        #expect(read.launchTemplate == .init(id: "lt-1", name: "web", version: "$Latest"))
        #expect(read.desiredCapacity == 2)
        #expect(read.subnetIDs == ["subnet-a", "subnet-b"])
        #expect(read.targetGroupARNs == ["arn:tg/web"])
        #expect(read.instances.map(\.instanceID) == ["i-1"])
        #expect(read.instances.first?.lifecycleState == "InService")
        #expect(read.tags == [.init("netloom:stack", "dev", propagateAtLaunch: true)])
        let forms = await transport.requests.map(Self.form)
        #expect(forms[0]["AutoScalingGroupNames.member.1"] == "web")
        #expect(forms[1]["NextToken"] == "t1")
        let error = await #expect(throws: AWSError.self) { try await autoScaling.describeAutoScalingGroups() }
        #expect(error?.kind == .invalidAnswer)
    }

    @Test("Update, SetDesiredCapacity and DeleteAutoScalingGroup with ForceDelete send their parameters; a missing group reads as not found")
    func updateAndDeleteGroup() async throws {
        let empty = { (action: String) in FakeTransport.xml(200, "<\(action)Response><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></\(action)Response>") }
        let transport = FakeTransport([
            empty("UpdateAutoScalingGroup"), empty("SetDesiredCapacity"), empty("DeleteAutoScalingGroup"),
            FakeTransport.xml(400, "<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>AutoScalingGroup name not found - web</Message></Error><RequestId>r</RequestId></ErrorResponse>"),
        ])
        let autoScaling = AutoScaling(core: Fixture.core(transport))
        try await autoScaling.updateAutoScalingGroup(.init(name: "web", launchTemplate: .init(name: "web", version: "3"), maxSize: 8))
        try await autoScaling.setDesiredCapacity(groupName: "web", desiredCapacity: 3, honorCooldown: false)
        try await autoScaling.deleteAutoScalingGroup(name: "web", forceDelete: true)
        let missing = await #expect(throws: AWSError.self) { try await autoScaling.deleteAutoScalingGroup(name: "web", forceDelete: true) }
        #expect(missing?.isNotFound == true)
        let forms = await transport.requests.map(Self.form)
        #expect(forms[0]["LaunchTemplate.LaunchTemplateName"] == "web" && forms[0]["LaunchTemplate.Version"] == "3")
        #expect(forms[0]["MaxSize"] == "8" && forms[0]["MinSize"] == nil)
        #expect(forms[1]["DesiredCapacity"] == "3" && forms[1]["HonorCooldown"] == "false")
        #expect(forms[2]["ForceDelete"] == "true")
    }

    @Test("PutScalingPolicy sends a target-tracking configuration with the ALB metric's resource label; DescribePolicies reads it back")
    func scalingPolicies() async throws {
        let label = "app/web/0123456789abcdef/targetgroup/web/fedcba9876543210"
        let transport = FakeTransport([
            FakeTransport.xml(200, "<PutScalingPolicyResponse><PutScalingPolicyResult><PolicyARN>arn:policy/requests</PolicyARN><Alarms><member><AlarmName>TargetTracking-web-AlarmHigh</AlarmName><AlarmARN>arn:alarm</AlarmARN></member></Alarms></PutScalingPolicyResult></PutScalingPolicyResponse>"),
            FakeTransport.xml(200, """
                <DescribePoliciesResponse><DescribePoliciesResult><ScalingPolicies><member><AutoScalingGroupName>web</AutoScalingGroupName><PolicyName>requests</PolicyName>\
                <PolicyARN>arn:policy/requests</PolicyARN><PolicyType>TargetTrackingScaling</PolicyType><TargetTrackingConfiguration><PredefinedMetricSpecification>\
                <PredefinedMetricType>ALBRequestCountPerTarget</PredefinedMetricType><ResourceLabel>\(label)</ResourceLabel></PredefinedMetricSpecification>\
                <TargetValue>1000.0</TargetValue><DisableScaleIn>false</DisableScaleIn></TargetTrackingConfiguration></member>\
                <member><AutoScalingGroupName>web</AutoScalingGroupName><PolicyName>cpu</PolicyName><PolicyARN>arn:policy/cpu</PolicyARN>\
                <TargetTrackingConfiguration><PredefinedMetricSpecification><PredefinedMetricType>ASGAverageCPUUtilization</PredefinedMetricType></PredefinedMetricSpecification>\
                <TargetValue>50.0</TargetValue></TargetTrackingConfiguration></member></ScalingPolicies></DescribePoliciesResult></DescribePoliciesResponse>
                """),
            FakeTransport.xml(200, "<DeletePolicyResponse/>"),
            FakeTransport.xml(200, "<DescribePoliciesResponse><DescribePoliciesResult><ScalingPolicies><member><PolicyName>cpu</PolicyName><AutoScalingGroupName>web</AutoScalingGroupName></member></ScalingPolicies></DescribePoliciesResult></DescribePoliciesResponse>"),
        ])
        let autoScaling = AutoScaling(core: Fixture.core(transport))
        let put = try await autoScaling.putTargetTrackingPolicy(groupName: "web", policyName: "requests",
                                                               .init(metric: .albRequestCountPerTarget(resourceLabel: label), targetValue: 1000))
        #expect(put.policyARN == "arn:policy/requests")
        #expect(put.alarmNames == ["TargetTracking-web-AlarmHigh"])
        let policies = try await autoScaling.describePolicies(groupName: "web")
        #expect(policies.map(\.name) == ["requests", "cpu"])
        #expect(policies[0].targetTracking == .init(metric: .albRequestCountPerTarget(resourceLabel: label), targetValue: 1000, disableScaleIn: false))
        #expect(policies[1].targetTracking?.metric == .averageCPUUtilization)
        #expect(policies[1].targetTracking?.targetValue == 50)
        try await autoScaling.deletePolicy(groupName: "web", policyName: "cpu")
        let error = await #expect(throws: AWSError.self) { try await autoScaling.describePolicies(groupName: "web") }
        #expect(error?.description.contains("PolicyARN") == true)

        let forms = await transport.requests.map(Self.form)
        #expect(forms[0]["PolicyType"] == "TargetTrackingScaling")
        #expect(forms[0]["TargetTrackingConfiguration.PredefinedMetricSpecification.PredefinedMetricType"] == "ALBRequestCountPerTarget")
        #expect(forms[0]["TargetTrackingConfiguration.PredefinedMetricSpecification.ResourceLabel"] == label)
        #expect(forms[0]["TargetTrackingConfiguration.TargetValue"] == "1000")
        #expect(forms[1]["AutoScalingGroupName"] == "web")
        #expect(forms[2]["Action"] == "DeletePolicy" && forms[2]["PolicyName"] == "cpu")
    }

    // MARK: ELBv2 listeners

    @Test("an HTTPS listener sends its certificate and TLS policy; a redirect listener sends HTTPS, 443 and HTTP_301")
    func httpsAndRedirectListeners() async throws {
        let httpsAnswer = """
            <CreateListenerResponse><CreateListenerResult><Listeners><member><ListenerArn>arn:listener/https</ListenerArn><LoadBalancerArn>arn:lb</LoadBalancerArn>\
            <Port>443</Port><Protocol>HTTPS</Protocol><SslPolicy>ELBSecurityPolicy-TLS13-1-2-2021-06</SslPolicy><Certificates><member><CertificateArn>arn:cert/1</CertificateArn></member></Certificates>\
            <DefaultActions><member><Type>forward</Type><TargetGroupArn>arn:tg/web</TargetGroupArn></member></DefaultActions></member></Listeners></CreateListenerResult></CreateListenerResponse>
            """
        let redirectAnswer = """
            <CreateListenerResponse><CreateListenerResult><Listeners><member><ListenerArn>arn:listener/http</ListenerArn><Port>80</Port><Protocol>HTTP</Protocol>\
            <DefaultActions><member><Type>redirect</Type><RedirectConfig><Protocol>HTTPS</Protocol><Port>443</Port><Host>#{host}</Host><Path>/#{path}</Path>\
            <Query>#{query}</Query><StatusCode>HTTP_301</StatusCode></RedirectConfig></member></DefaultActions></member></Listeners></CreateListenerResult></CreateListenerResponse>
            """
        let transport = FakeTransport([FakeTransport.xml(200, httpsAnswer), FakeTransport.xml(200, redirectAnswer)])
        let elb = ELBv2(core: Fixture.core(transport))
        let https = try await elb.createListener(.init(loadBalancerARN: "arn:lb", listenerProtocol: "HTTPS", port: 443, defaultAction: .forward(targetGroupARN: "arn:tg/web"),
                                                       certificateARN: "arn:cert/1", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06"))
        #expect(https.certificateARNs == ["arn:cert/1"])
        #expect(https.sslPolicy == "ELBSecurityPolicy-TLS13-1-2-2021-06")
        #expect(https.defaultTargetGroupARNs == ["arn:tg/web"])
        let redirect = try await elb.createListener(.init(loadBalancerARN: "arn:lb", listenerProtocol: "HTTP", port: 80, defaultAction: .redirect(.toHTTPS)))
        #expect(redirect.defaultActions == [.redirect(.init(redirectProtocol: "HTTPS", port: "443", host: "#{host}", path: "/#{path}", query: "#{query}", statusCode: "HTTP_301"))])
        #expect(redirect.defaultTargetGroupARNs.isEmpty)

        let forms = await transport.requests.map(Self.form)
        #expect(forms[0]["Certificates.member.1.CertificateArn"] == "arn:cert/1")
        #expect(forms[0]["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06")
        #expect(forms[0]["DefaultActions.member.1.Type"] == "forward")
        #expect(forms[1]["DefaultActions.member.1.Type"] == "redirect")
        #expect(forms[1]["DefaultActions.member.1.RedirectConfig.Protocol"] == "HTTPS")
        #expect(forms[1]["DefaultActions.member.1.RedirectConfig.Port"] == "443")
        #expect(forms[1]["DefaultActions.member.1.RedirectConfig.StatusCode"] == "HTTP_301")
        #expect(forms[1]["DefaultActions.member.1.TargetGroupArn"] == nil)
        #expect(forms[1]["SslPolicy"] == nil)
    }

    @Test("ModifyListener changes certificate and policy, or turns the default action into a redirect, and reads the listener back; a listed action without its Type is an invalid answer")
    func modifyListener() async throws {
        let transport = FakeTransport([
            FakeTransport.xml(200, "<ModifyListenerResponse><ModifyListenerResult><Listeners><member><ListenerArn>arn:listener/https</ListenerArn><Port>443</Port><Protocol>HTTPS</Protocol><SslPolicy>ELBSecurityPolicy-TLS13-1-3-2021-06</SslPolicy><Certificates><member><CertificateArn>arn:cert/2</CertificateArn></member></Certificates><DefaultActions><member><Type>forward</Type><TargetGroupArn>arn:tg/web</TargetGroupArn></member></DefaultActions></member></Listeners></ModifyListenerResult></ModifyListenerResponse>"),
            FakeTransport.xml(200, "<ModifyListenerResponse><ModifyListenerResult><Listeners><member><ListenerArn>arn:listener/http</ListenerArn><Port>80</Port><Protocol>HTTP</Protocol><DefaultActions><member><Type>redirect</Type><RedirectConfig><Protocol>HTTPS</Protocol><Port>443</Port><StatusCode>HTTP_301</StatusCode></RedirectConfig></member></DefaultActions></member></Listeners></ModifyListenerResult></ModifyListenerResponse>"),
            FakeTransport.xml(200, "<DescribeListenersResponse><DescribeListenersResult><Listeners><member><ListenerArn>arn:listener/http</ListenerArn><DefaultActions><member><RedirectConfig><StatusCode>HTTP_301</StatusCode></RedirectConfig></member></DefaultActions></member></Listeners></DescribeListenersResult></DescribeListenersResponse>"),
        ])
        let elb = ELBv2(core: Fixture.core(transport))
        let modified = try await elb.modifyListener(.init(arn: "arn:listener/https", certificateARN: "arn:cert/2", sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06"))
        #expect(modified.certificateARNs == ["arn:cert/2"])
        #expect(modified.sslPolicy == "ELBSecurityPolicy-TLS13-1-3-2021-06")
        let sent = Self.form(await transport.requests.first)
        #expect(sent["Certificates.member.1.CertificateArn"] == "arn:cert/2")
        #expect(sent["Protocol"] == nil && sent["Port"] == nil && sent["DefaultActions.member.1.Type"] == nil)
        // An HTTP listener that forwarded now redirects to HTTPS.
        let redirected = try await elb.modifyListener(.init(arn: "arn:listener/http", defaultAction: .redirect(.toHTTPS)))
        #expect(redirected.defaultActions == [.redirect(.toHTTPS)])
        let redirect = Self.form(await transport.requests[1])
        #expect(redirect["DefaultActions.member.1.Type"] == "redirect")
        #expect(redirect["DefaultActions.member.1.RedirectConfig.Protocol"] == "HTTPS")
        #expect(redirect["DefaultActions.member.1.RedirectConfig.Port"] == "443")
        #expect(redirect["DefaultActions.member.1.RedirectConfig.StatusCode"] == "HTTP_301")
        #expect(redirect["Certificates.member.1.CertificateArn"] == nil)
        let error = await #expect(throws: AWSError.self) { try await elb.describeListeners(loadBalancerARN: "arn:lb") }
        #expect(error?.kind == .invalidAnswer)
        #expect(error?.description.contains("DefaultActions Type") == true)
    }

    @Test("DescribeLoadBalancers exposes CanonicalHostedZoneId for alias records")
    func canonicalHostedZone() async throws {
        let transport = FakeTransport([FakeTransport.xml(200, "<DescribeLoadBalancersResponse><DescribeLoadBalancersResult><LoadBalancers><member><LoadBalancerArn>arn:lb</LoadBalancerArn><LoadBalancerName>web</LoadBalancerName><DNSName>web-1.eu-west-1.elb.amazonaws.com</DNSName><CanonicalHostedZoneId>Z32O12XQLNTSW2</CanonicalHostedZoneId></member></LoadBalancers></DescribeLoadBalancersResult></DescribeLoadBalancersResponse>")])
        let balancers = try await ELBv2(core: Fixture.core(transport)).describeLoadBalancers(arns: ["arn:lb"])
        #expect(balancers.first?.canonicalHostedZoneID == "Z32O12XQLNTSW2")
    }
}
