import AWSClient
import Foundation
import NetloomModel
import Testing
@testable import NetloomEngine

private typealias F = ProviderFixture

/// A DescribeCertificate answer for `api.example.com` in `status`, with ACM's validation record.
private func certificateJSON(_ status: String, record: Bool = true) -> String {
    let resourceRecord = record ? #","ResourceRecord":{"Name":"_x1.api.example.com.","Type":"CNAME","Value":"_y1.acm-validations.aws."}"# : ""
    return #"{"Certificate":{"CertificateArn":"arn:acm/1","DomainName":"api.example.com","SubjectAlternativeNames":["api.example.com"],"Status":""#
        + status + #"","DomainValidationOptions":[{"DomainName":"api.example.com","ValidationMethod":"DNS""# + resourceRecord + "}]}}"
}

private let changeInfo = "<ChangeResourceRecordSetsResponse><ChangeInfo><Id>/change/C1</Id><Status>PENDING</Status></ChangeInfo></ChangeResourceRecordSetsResponse>"
private let emptyRecords = "<ListResourceRecordSetsResponse><ResourceRecordSets></ResourceRecordSets><IsTruncated>false</IsTruncated></ListResourceRecordSetsResponse>"

@Suite("certificate, validation and record providers against a fake AWS")
struct ServingProviderTests {
    let certificate = F.desired("certificate:api", .certificate, ["domain": "api.example.com", "alternative_names": ["www.example.com"]])

    @Test("certificate: one RequestCertificate with DNS validation, the names, an idempotency token and the tags")
    func certificateRequest() async throws {
        let fake = FakeAWS { $0.action == "RequestCertificate" ? FakeAWS.json(#"{"CertificateArn":"arn:acm/1"}"#) : nil }
        let created = try await CertificateProvider().create(certificate, context: F.context(fake))
        #expect(created.awsID == "arn:acm/1")
        let body = try #require(fake.requests.first?.body)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        #expect(json["DomainName"] as? String == "api.example.com" && json["ValidationMethod"] as? String == "DNS")
        #expect(json["SubjectAlternativeNames"] as? [String] == ["www.example.com"])
        let token = try #require(json["IdempotencyToken"] as? String)
        #expect(token.count <= 32 && token.allSatisfy { $0.isLetter || $0.isNumber })
        #expect(token == CertificateProvider.idempotencyToken(stack: "s", address: "certificate:api"), "the same for every retry of this certificate")
        #expect((json["Tags"] as? [[String: String]])?.contains { $0["Key"] == "netloom:address" && $0["Value"] == "certificate:api" } == true)
    }

    @Test("certificate: a lost answer is recovered by finding the certificate that carries this address, not by requesting a second one")
    func certificateLostAnswer() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "RequestCertificate": FakeAWS.jsonError("InternalFailure", status: 500)
            case "ListCertificates": FakeAWS.json(#"{"CertificateSummaryList":[{"CertificateArn":"arn:acm/other","DomainName":"api.example.com"},{"CertificateArn":"arn:acm/1","DomainName":"api.example.com"}]}"#)
            case "ListTagsForCertificate":
                request.body.contains("arn:acm/1")
                    ? FakeAWS.json(#"{"Tags":[{"Key":"netloom:stack","Value":"s"},{"Key":"netloom:address","Value":"certificate:api"}]}"#)
                    : FakeAWS.json(#"{"Tags":[{"Key":"netloom:stack","Value":"other"},{"Key":"netloom:address","Value":"certificate:api"}]}"#)
            default: nil
            }
        }
        let created = try await CertificateProvider().create(certificate, context: F.context(fake))
        #expect(created.awsID == "arn:acm/1")
        #expect(fake.requests(for: "RequestCertificate").count == 1)
    }

    @Test("validation: waits for ACM's record, UPSERTs the CNAME into the zone, then waits for ISSUED")
    func validationWritesAndWaits() async throws {
        let describes = AnswerCount()
        let fake = FakeAWS { request in
            switch request.action {
            case "DescribeCertificate":
                // The first answer has no record yet, then pending with one, then issued.
                switch describes.next() {
                case 0: FakeAWS.json(certificateJSON("PENDING_VALIDATION", record: false))
                case 1, 2: FakeAWS.json(certificateJSON("PENDING_VALIDATION"))
                default: FakeAWS.json(certificateJSON("ISSUED"))
                }
            default:
                request.path.hasSuffix("/rrset/") ? FakeAWS.xml(200, changeInfo) : nil
            }
        }
        let desired = F.desired("certificate_validation:api", .certificateValidation, ["certificate": "arn:acm/1", "zone": "Z1", "names": ["api.example.com"]], tags: false)
        let created = try await CertificateValidationProvider().create(desired, context: F.context(fake))
        #expect(created.awsID == CompositeID("arn:acm/1", "Z1").description)
        let change = try #require(fake.requests.first { $0.path.hasSuffix("/rrset/") })
        #expect(change.path == "/2013-04-01/hostedzone/Z1/rrset/" || change.path.hasSuffix("/hostedzone/Z1/rrset/"))
        #expect(change.body.contains("<Action>UPSERT</Action>") && change.body.contains("<Name>_x1.api.example.com.</Name>") && change.body.contains("<Type>CNAME</Type>"))
        #expect(change.body.contains("<Value>_y1.acm-validations.aws.</Value>"))
        #expect(fake.requests(for: "DescribeCertificate").count == 4)
    }

    @Test("validation: a certificate that failed ends the wait with its status")
    func validationFails() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "DescribeCertificate": FakeAWS.json(certificateJSON("FAILED"))
            default: request.path.hasSuffix("/rrset/") ? FakeAWS.xml(200, changeInfo) : nil
            }
        }
        let desired = F.desired("certificate_validation:api", .certificateValidation, ["certificate": "arn:acm/1", "zone": "Z1"], tags: false)
        let error = await F.awsError { _ = try await CertificateValidationProvider().create(desired, context: F.context(fake)) }
        #expect(error?.code == "CertificateFAILED")
    }

    @Test("alias record: UPSERT with the load balancer's DNS name and canonical hosted zone, evaluating target health")
    func aliasRecord() async throws {
        let fake = FakeAWS { request in
            switch request.action {
            case "DescribeLoadBalancers": FakeAWS.query("DescribeLoadBalancers", "<LoadBalancers><member><LoadBalancerArn>arn:lb/1</LoadBalancerArn><LoadBalancerName>s-web</LoadBalancerName><DNSName>s-web-1.eu-west-1.elb.amazonaws.com</DNSName><CanonicalHostedZoneId>Z32O12XQLNTSW2</CanonicalHostedZoneId></member></LoadBalancers>")
            default: request.path.hasSuffix("/rrset/") ? FakeAWS.xml(200, changeInfo) : (request.path.hasSuffix("/rrset") ? FakeAWS.xml(200, emptyRecords) : nil)
            }
        }
        let desired = F.desired("dns_record:example.com/api.example.com/A", .dnsRecord, ["zone": "Z1", "name": "api.example.com", "type": "A", "alias": "arn:lb/1"], tags: false)
        let created = try await DNSRecordProvider().create(desired, context: F.context(fake))
        #expect(created.awsID == CompositeID("Z1", "api.example.com", "A").description)
        let change = try #require(fake.requests.first { $0.path.hasSuffix("/rrset/") })
        #expect(change.body.contains("<HostedZoneId>Z32O12XQLNTSW2</HostedZoneId>") && change.body.contains("<DNSName>s-web-1.eu-west-1.elb.amazonaws.com</DNSName>"))
        #expect(change.body.contains("<EvaluateTargetHealth>true</EvaluateTargetHealth>") && !change.body.contains("<TTL>"))
    }
}

extension ServingProviderTests {
    @Test("zone: one left untagged by a killed run is found by its caller reference, and its missing tags make the plan tag it; another stack's is not")
    func untaggedZoneFoundByCallerReference() async throws {
        let zones = "<ListHostedZonesResponse><HostedZones>"
            + "<HostedZone><Id>/hostedzone/Z1</Id><Name>example.com.</Name><CallerReference>netloom-s-1700000000000</CallerReference><Config><PrivateZone>false</PrivateZone></Config></HostedZone>"
            + "<HostedZone><Id>/hostedzone/Z2</Id><Name>example.com.</Name><CallerReference>netloom-other-1700000000000</CallerReference><Config><PrivateZone>false</PrivateZone></Config></HostedZone>"
            + "</HostedZones><IsTruncated>false</IsTruncated></ListHostedZonesResponse>"
        let fake = FakeAWS { request in
            if request.path.hasSuffix("/hostedzone") { return FakeAWS.xml(200, zones) }
            if request.path.contains("/tags/hostedzone/") { return FakeAWS.xml(200, "<ListTagsForResourceResponse><ResourceTagSet><Tags></Tags></ResourceTagSet></ListTagsForResourceResponse>") }
            if request.path.hasSuffix("/hostedzone/Z1") {
                return FakeAWS.xml(200, "<GetHostedZoneResponse><HostedZone><Id>/hostedzone/Z1</Id><Name>example.com.</Name><CallerReference>netloom-s-1700000000000</CallerReference></HostedZone><DelegationSet><NameServers><NameServer>ns-1.example.net</NameServer></NameServers></DelegationSet></GetHostedZoneResponse>")
            }
            return nil
        }
        let desired = F.desired("hosted_zone:example.com", .hostedZone, ["name": "example.com", "private": false])
        let read = try await HostedZoneProvider().read(F.scope([desired]), context: F.context(fake))
        #expect(read.map(\.awsID) == ["Z1"])
        let zone = try #require(read.first)
        #expect(zone.address == "hosted_zone:example.com" && zone.attributes["name_servers"] == "ns-1.example.net")
        #expect(zone.properties["tags"] != HostedZoneProvider().comparable(desired)["tags"], "the plan must tag it")
    }
}

/// Counts calls from the fake's answer closure, which runs on any task.
private final class AnswerCount: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func next() -> Int { lock.withLock { defer { value += 1 }; return value } }
}
