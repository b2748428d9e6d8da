import AWSSigV4
import Foundation
import Testing

@Suite struct DocumentationExampleTests {
    /// The worked IAM ListUsers example of the "Create a signed AWS API request" documentation.
    @Test func iamListUsers() {
        let signer = SigV4Signer(credentials: SuiteFixture.credentials, region: "us-east-1", service: "iam")
        let request = SigV4Request(
            method: "GET", host: "iam.amazonaws.com", path: "/",
            query: [.init("Action", "ListUsers"), .init("Version", "2010-05-08")],
            headers: [.init("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")])
        let details = signer.signatureDetails(for: request, payload: .bytes([]), date: SuiteFixture.date)
        #expect(details.canonicalRequest == """
            GET
            /
            Action=ListUsers&Version=2010-05-08
            content-type:application/x-www-form-urlencoded; charset=utf-8
            host:iam.amazonaws.com
            x-amz-date:20150830T123600Z

            content-type;host;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(details.stringToSign == "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\nf536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59")
        let key = SigV4Signer.signingKey(secretAccessKey: SuiteFixture.credentials.secretAccessKey, dateStamp: "20150830", region: "us-east-1", service: "iam")
        #expect(key.withUnsafeBytes { SigV4Hex.encode(Array($0)) } == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
        #expect(details.signature == "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
        #expect(details.authorizationHeader == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
    }

    /// The presigned GET of the S3 "Authenticating Requests: Using Query Parameters" example.
    @Test func s3PresignedURL() {
        let credentials = AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "s3")
        let date = Date(timeIntervalSince1970: 1_369_353_600) // 20130524T000000Z
        let request = SigV4Request(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt")
        let (presigned, details) = signer.presignatureDetails(for: request, expires: 86_400, date: date)
        #expect(details.canonicalRequest == """
            GET
            /test.txt
            X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host
            host:examplebucket.s3.amazonaws.com

            host
            UNSIGNED-PAYLOAD
            """)
        #expect(details.signature == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
        #expect(presigned.pathAndQuery == "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
        #expect(!presigned.description.contains("aeeed9bb"))
    }

    @Test func s3PathIsNotEncodedTwiceOtherServicesAre() {
        let s3 = SigV4Signer(credentials: SuiteFixture.credentials, region: "us-east-1", service: "s3")
        let other = SigV4Signer(credentials: SuiteFixture.credentials, region: "us-east-1", service: "service")
        let wirePath = SigV4URIEncoding.encodePath("/my bucket/a//b/../c.txt")
        #expect(wirePath == "/my%20bucket/a//b/../c.txt")
        let s3Request = s3.signatureDetails(for: SigV4Request(method: "GET", host: "h", path: wirePath), payload: .unsigned, date: SuiteFixture.date)
        #expect(s3Request.canonicalRequest.split(separator: "\n")[1] == "/my%20bucket/a//b/../c.txt")
        let otherRequest = other.signatureDetails(for: SigV4Request(method: "GET", host: "h", path: wirePath), payload: .unsigned, date: SuiteFixture.date)
        #expect(otherRequest.canonicalRequest.split(separator: "\n")[1] == "/my%2520bucket/a/c.txt")
        // S3 signs the payload hash as a header too.
        #expect(s3Request.signedHeaders == "host;x-amz-content-sha256;x-amz-date")
    }

    @Test func credentialsNeverShowTheSecret() {
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "SESSIONTOKENVALUE")
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in [credentials.description, credentials.debugDescription, "\(credentials)", String(reflecting: credentials), dumped, signer.description, "\(signer)"] {
            #expect(!text.contains("wJalrXUtnFEMI"), "secret shown in \(text)")
            #expect(!text.contains("SESSIONTOKENVALUE"), "token shown in \(text)")
        }
        #expect(credentials.description.contains("AKIDEXAMPLE"))
    }
}
