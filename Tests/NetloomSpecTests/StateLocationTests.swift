import NetloomSpec
import Testing

@Suite("state locations")
struct StateLocationTests {
    @Test("s3://BUCKET/KEY is an S3 state; anything else is a file")
    func parsing() throws {
        #expect(try StateLocation(parsing: "s3://team-state/netloom/ml.sqlite") == .s3(bucket: "team-state", key: "netloom/ml.sqlite"))
        #expect(try StateLocation(parsing: "S3://team.state/ml") == .s3(bucket: "team.state", key: "ml"))
        #expect(try StateLocation(parsing: "ci/.netloom/ml.sqlite") == .file("ci/.netloom/ml.sqlite"))
        #expect(StateLocation.s3(bucket: "b12", key: "a/b").description == "s3://b12/a/b")
    }

    @Test("a bad S3 location says what is wrong with it", arguments: [
        ("s3://team-state", "needs a key"),
        ("s3://team-state/", "must name an object"),
        ("s3://team-state/folder/", "must name an object"),
        ("s3://Team-State/x", "lower-case letters"),
        ("s3://ab/x", "3 to 63 characters"),
        ("s3://-team/x", "begin and end"),
        ("s3://team..state/x", "two dots"),
        ("", "empty"),
    ])
    func refused(text: String, reason: String) {
        #expect {
            _ = try StateLocation(parsing: text)
        } throws: { error in
            String(describing: error).contains(reason)
        }
    }

    @Test("the spec's state: key is read, and a bad one is a located error")
    func specKey() throws {
        let base = """
        stack: s
        region: us-east-1
        network: { cidr: 10.0.0.0/16, azs: [us-east-1a], nat: none }
        subnets:
          a: { tier: isolated, size: /24 }

        """
        let spec = try SpecLoader.parse(base + "state: s3://team-state/netloom/s.sqlite\n", file: "s.yaml")
        #expect(spec.state == .s3(bucket: "team-state", key: "netloom/s.sqlite"))
        #expect(try SpecLoader.parse(base, file: "s.yaml").state == nil)
        #expect {
            _ = try SpecLoader.parse(base + "state: s3://team-state\n", file: "s.yaml")
        } throws: { error in
            let text = String(describing: error)
            return text.contains("s.yaml:6:") && text.contains("needs a key")
        }
    }
}
