import AWSSigV4
import Foundation
import Testing

/// Signs the same requests with botocore (the AWS CLI's signer) and with ours, and compares the
/// Authorization headers byte for byte. Skipped when python3 or botocore is missing, except under
/// `CI=true`, where a missing botocore fails the test instead of hiding it.
@Suite struct BotocoreCrossCheckTests {
    struct Case: Codable, Sendable {
        var name: String
        var service: String
        var region: String
        var method: String
        var host: String
        var path: String
        var query: [[String]]
        var headers: [[String]]
        var body: String
        var sessionToken: String?
        var isS3: Bool
    }

    static let cases: [Case] = [
        Case(name: "query API POST form body", service: "ec2", region: "eu-west-1", method: "POST", host: "ec2.eu-west-1.amazonaws.com", path: "/",
             query: [], headers: [["Content-Type", "application/x-www-form-urlencoded; charset=utf-8"]],
             body: "Action=DescribeVpcs&Filter.1.Name=tag%3Anetloom%3Astack&Filter.1.Value.1=dev%20stack&Version=2016-11-15",
             sessionToken: nil, isS3: false),
        Case(name: "S3 GET with query", service: "s3", region: "us-west-2", method: "GET", host: "examplebucket.s3.us-west-2.amazonaws.com",
             path: "/photos/my%20key%2Bplus.jpg", query: [["list-type", "2"], ["prefix", "a/b c"], ["max-keys", "10"]], headers: [],
             body: "", sessionToken: nil, isS3: true),
        Case(name: "JSON 1.1 POST with X-Amz-Target and a session token", service: "logs", region: "us-east-1", method: "POST",
             host: "logs.us-east-1.amazonaws.com", path: "/", query: [],
             headers: [["Content-Type", "application/x-amz-json-1.1"], ["X-Amz-Target", "Logs_20140328.DescribeLogGroups"]],
             body: "{\"logGroupNamePrefix\":\"/netloom/\"}", sessionToken: "FQoGZXIvYXdzEXAMPLETOKEN//+==", isS3: false),
        Case(name: "IAM GET with odd path characters", service: "iam", region: "us-east-1", method: "GET", host: "iam.amazonaws.com",
             path: "/a/./b/%7Ec/", query: [["Action", "ListRoles"], ["PathPrefix", "/netloom/"], ["Version", "2010-05-08"]],
             headers: [["X-Custom", "  spaced   value  "]], body: "", sessionToken: nil, isS3: false),
    ]

    static let script = #"""
import datetime, json, sys
try:
    import botocore.auth as auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:
    print("NO_BOTOCORE")
    sys.exit(3)
auth.get_current_datetime = lambda *a, **k: datetime.datetime(2015, 8, 30, 12, 36, 0)
out = []
for c in json.load(sys.stdin):
    creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", c.get("sessionToken"))
    query = "&".join(k + "=" + v for k, v in c["encodedQuery"])
    url = "https://" + c["host"] + c["path"] + ("?" + query if query else "")
    req = AWSRequest(method=c["method"], url=url, data=c["body"].encode("utf-8"), headers=dict(c["headers"]))
    signer = (auth.S3SigV4Auth if c["isS3"] else auth.SigV4Auth)(creds, c["service"], c["region"])
    signer.add_auth(req)
    authorization = req.headers["Authorization"]
    del req.headers["Authorization"]
    out.append({"authorization": authorization, "canonicalRequest": signer.canonical_request(req)})
print(json.dumps(out))
"""#

    struct BotocoreResult: Codable {
        var authorization: String
        var canonicalRequest: String
    }

    enum Availability {
        /// Asked once: does `python3 -c 'import botocore'` work?
        static let botocoreImports: Bool = (try? runPython(["-c", "import botocore.auth"], input: Data()))?.status == 0
        static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    }

    static func runPython(_ arguments: [String], input: Data) throws -> (status: Int32, output: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test(.enabled(if: Availability.botocoreImports || Availability.isCI,
                   "python3 with botocore not found (install the AWS CLI or `pip install botocore`); skipped outside CI"))
    func matchesBotocoreByteForByte() throws {
        try #require(Availability.botocoreImports, "python3 with botocore is required under CI=true (install the AWS CLI or botocore)")
        let date = Date(timeIntervalSince1970: 1_440_938_160)
        var payloads: [[String: Any]] = []
        var ours: [SigV4Signature] = []
        for testCase in Self.cases {
            let request = SigV4Request(
                method: testCase.method, host: testCase.host, path: testCase.path,
                query: testCase.query.map { .init($0[0], $0[1]) }, headers: testCase.headers.map { .init($0[0], $0[1]) })
            let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                             sessionToken: testCase.sessionToken)
            let signer = SigV4Signer(credentials: credentials, region: testCase.region, service: testCase.service)
            ours.append(signer.signatureDetails(for: request, payload: .bytes(Array(testCase.body.utf8)), date: date))
            var payload: [String: Any] = [
                "service": testCase.service, "region": testCase.region, "method": testCase.method, "host": testCase.host,
                "path": testCase.path, "headers": testCase.headers, "body": testCase.body, "isS3": testCase.isS3,
                // botocore takes the query string as it is on the URL, so it gets our wire form.
                "encodedQuery": request.query.map { [SigV4URIEncoding.encode($0.name), SigV4URIEncoding.encode($0.value)] },
            ]
            if let token = testCase.sessionToken { payload["sessionToken"] = token }
            payloads.append(payload)
        }
        let input = try JSONSerialization.data(withJSONObject: payloads)
        let (status, output) = try Self.runPython(["-c", Self.script], input: input)
        try #require(status == 0, "botocore script failed with status \(status)")
        let theirs = try JSONDecoder().decode([BotocoreResult].self, from: output)
        try #require(theirs.count == Self.cases.count)
        for (index, testCase) in Self.cases.enumerated() {
            #expect(ours[index].canonicalRequest == theirs[index].canonicalRequest, "canonical request differs: \(testCase.name)")
            #expect(ours[index].authorizationHeader == theirs[index].authorization, "Authorization differs: \(testCase.name)")
        }
    }
}
