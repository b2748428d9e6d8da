import AWSSigV4
import Foundation
import Testing

/// Vectors from AWS's published SigV4 test suite (`aws-sig-v4-test-suite`): AKIDEXAMPLE,
/// 2015-08-30T12:36:00Z, us-east-1, service `service`.
enum SuiteFixture {
    static let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let date = Date(timeIntervalSince1970: 1_440_938_160) // 20150830T123600Z
    static let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
    static let host = "example.amazonaws.com"
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let scopeLines = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"

    static func authorization(signedHeaders: String, signature: String) -> String {
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    static func request(_ method: String, path: String = "/", query: [SigV4Request.QueryItem] = [],
                        headers: [SigV4Request.HeaderField] = []) -> SigV4Request {
        SigV4Request(method: method, host: host, path: path, query: query,
                     headers: [.init("Host", host), .init("X-Amz-Date", "20150830T123600Z")] + headers)
    }
}

@Suite struct TestSuiteVectorTests {
    @Test func timestampFormatsInUTC() {
        let stamp = SigV4Timestamp(SuiteFixture.date)
        #expect(stamp.amzDate == "20150830T123600Z")
        #expect(stamp.dateStamp == "20150830")
        #expect(SigV4Timestamp(Date(timeIntervalSince1970: 951_782_400)).amzDate == "20000229T000000Z") // leap day
    }

    @Test func getVanilla() {
        let details = SuiteFixture.signer.signatureDetails(for: SuiteFixture.request("GET"), payload: .bytes([]), date: SuiteFixture.date)
        #expect(details.canonicalRequest == "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(SuiteFixture.emptyHash)")
        #expect(details.stringToSign == SuiteFixture.scopeLines + "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63")
        #expect(details.authorizationHeader == SuiteFixture.authorization(
            signedHeaders: "host;x-amz-date", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"))
    }

    @Test func getVanillaQueryOrderKeyCase() {
        let request = SuiteFixture.request("GET", query: [.init("Param2", "value2"), .init("Param1", "value1")])
        let details = SuiteFixture.signer.signatureDetails(for: request, payload: .bytes([]), date: SuiteFixture.date)
        #expect(details.canonicalRequest == "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(SuiteFixture.emptyHash)")
        #expect(details.stringToSign == SuiteFixture.scopeLines + "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0")
        #expect(details.authorizationHeader == SuiteFixture.authorization(
            signedHeaders: "host;x-amz-date", signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"))
    }

    @Test func getVanillaQueryOrderValue() {
        let request = SuiteFixture.request("GET", query: [.init("Param1", "value2"), .init("Param1", "value1")])
        let details = SuiteFixture.signer.signatureDetails(for: request, payload: .bytes([]), date: SuiteFixture.date)
        #expect(details.canonicalRequest == "GET\n/\nParam1=value1&Param1=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(SuiteFixture.emptyHash)")
        #expect(details.stringToSign == SuiteFixture.scopeLines + "c968629d70850097a2d8781c9bf7edcb988b04cac14cca9be4acc3595f884606")
        #expect(details.authorizationHeader == SuiteFixture.authorization(
            signedHeaders: "host;x-amz-date", signature: "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"))
    }

    @Test func postXWWWFormURLEncoded() {
        let request = SuiteFixture.request("POST", headers: [.init("Content-Type", "application/x-www-form-urlencoded")])
        let details = SuiteFixture.signer.signatureDetails(for: request, payload: .bytes(Array("Param1=value1".utf8)), date: SuiteFixture.date)
        #expect(details.canonicalRequest == "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e")
        #expect(details.stringToSign == SuiteFixture.scopeLines + "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281")
        #expect(details.authorizationHeader == SuiteFixture.authorization(
            signedHeaders: "content-type;host;x-amz-date", signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"))
    }

    @Test func getHeaderValueTrim() {
        let request = SuiteFixture.request("GET", headers: [.init("My-Header1", " value1"), .init("My-Header2", " \"a   b   c\"")])
        let details = SuiteFixture.signer.signatureDetails(for: request, payload: .bytes([]), date: SuiteFixture.date)
        #expect(details.canonicalRequest == "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\n\(SuiteFixture.emptyHash)")
        #expect(details.stringToSign == SuiteFixture.scopeLines + "a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7")
        #expect(details.authorizationHeader == SuiteFixture.authorization(
            signedHeaders: "host;my-header1;my-header2;x-amz-date", signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"))
    }

    @Test func postHeaderKeySort() {
        let request = SuiteFixture.request("POST", headers: [.init("My-Header1", "value1")])
        let details = SuiteFixture.signer.signatureDetails(for: request, payload: .bytes([]), date: SuiteFixture.date)
        #expect(details.signedHeaders == "host;my-header1;x-amz-date")
        #expect(details.authorizationHeader == SuiteFixture.authorization(
            signedHeaders: "host;my-header1;x-amz-date", signature: "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"))
    }

    @Test func getVanillaUTF8Query() {
        let request = SuiteFixture.request("GET", query: [.init("\u{1234}", "bar")])
        let details = SuiteFixture.signer.signatureDetails(for: request, payload: .bytes([]), date: SuiteFixture.date)
        #expect(details.canonicalRequest == "GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(SuiteFixture.emptyHash)")
        #expect(details.stringToSign == SuiteFixture.scopeLines + "eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073")
        #expect(details.authorizationHeader == SuiteFixture.authorization(
            signedHeaders: "host;x-amz-date", signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"))
    }

    @Test func getUnreserved() {
        let path = "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        let details = SuiteFixture.signer.signatureDetails(for: SuiteFixture.request("GET", path: path), payload: .bytes([]), date: SuiteFixture.date)
        #expect(details.canonicalRequest.hasPrefix("GET\n\(path)\n\n"))
        #expect(details.authorizationHeader == SuiteFixture.authorization(
            signedHeaders: "host;x-amz-date", signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"))
    }

    @Test func normalizePathGetSpace() {
        let details = SuiteFixture.signer.signatureDetails(for: SuiteFixture.request("GET", path: "/example space/"), payload: .bytes([]), date: SuiteFixture.date)
        #expect(details.canonicalRequest.hasPrefix("GET\n/example%20space/\n\n"))
        #expect(details.authorizationHeader == SuiteFixture.authorization(
            signedHeaders: "host;x-amz-date", signature: "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"))
    }

    @Test func postSTSHeaderBefore() {
        let token = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
        var credentials = SuiteFixture.credentials
        credentials.sessionToken = token
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
        let signed = signer.sign(SuiteFixture.request("POST"), payload: .bytes([]), date: SuiteFixture.date)
        #expect(signed.headerValues("X-Amz-Security-Token") == [token])
        #expect(signed.headerValues("Authorization") == [SuiteFixture.authorization(
            signedHeaders: "host;x-amz-date;x-amz-security-token", signature: "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead")])
        // The request's description is what may reach a log: neither token nor signature in it.
        #expect(!signed.description.contains(token))
        #expect(!signed.description.contains("85d96828115b5dc0"))
    }
}
