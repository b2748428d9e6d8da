import AWSClient
import AWSSigV4
import Testing

@Suite struct ConfigurationTests {
    static let credentialsFile = """
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = defaultsecret

        [work]
        aws_access_key_id=AKIDWORK
        aws_secret_access_key=worksecret
        aws_session_token = worktoken   # a comment
        """

    static let configFile = """
        [default]
        region = us-west-2

        [profile work]
        region = eu-central-1

        [profile configonly]
        region = ap-southeast-2
        aws_access_key_id = AKIDCONFIG
        aws_secret_access_key = configsecret
        s3 =
          addressing_style = path
        """

    static func resolver(_ environment: [String: String], files: [String: String] = [
        "/home/me/.aws/credentials": credentialsFile, "/home/me/.aws/config": configFile,
    ]) -> AWSConfigurationResolver {
        AWSConfigurationResolver(environment: ["HOME": "/home/me"].merging(environment) { $1 }, readFile: { files[$0] })
    }

    @Test func environmentKeysComeFirst() throws {
        let resolved = try Self.resolver(["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SESSION_TOKEN": "envtoken",
                                          "AWS_PROFILE": "work"]).resolve()
        #expect(resolved.credentials?.credentials == AWSCredentials(accessKeyID: "AKIDENV", secretAccessKey: "envsecret", sessionToken: "envtoken"))
        #expect(resolved.credentials?.source == "environment")
        #expect(resolved.region == "eu-central-1")
        #expect(resolved.profile == "work")
    }

    @Test func explicitProfileBeatsEnvironmentKeys() throws {
        let resolved = try Self.resolver(["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "envsecret"]).resolve(profile: "work")
        #expect(resolved.credentials?.credentials == AWSCredentials(accessKeyID: "AKIDWORK", secretAccessKey: "worksecret", sessionToken: "worktoken"))
    }

    @Test func defaultProfileFromFiles() throws {
        let resolved = try Self.resolver([:]).resolve()
        #expect(resolved.credentials?.credentials.accessKeyID == "AKIDDEFAULT")
        #expect(resolved.region == "us-west-2")
    }

    @Test func credentialsInConfigFileUnderProfilePrefix() throws {
        let resolved = try Self.resolver(["AWS_PROFILE": "configonly"]).resolve()
        #expect(resolved.credentials?.credentials == AWSCredentials(accessKeyID: "AKIDCONFIG", secretAccessKey: "configsecret"))
        #expect(resolved.region == "ap-southeast-2")
    }

    @Test func regionEnvironmentOrder() throws {
        #expect(try Self.resolver(["AWS_REGION": "sa-east-1", "AWS_DEFAULT_REGION": "ca-central-1"]).resolve().region == "sa-east-1")
        #expect(try Self.resolver(["AWS_DEFAULT_REGION": "ca-central-1"]).resolve().region == "ca-central-1")
    }

    @Test func filePathOverrides() throws {
        let files = ["/etc/creds": "[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = cisecret\n", "/etc/conf": "[profile ci]\nregion = eu-north-1\n"]
        let resolved = try Self.resolver(["AWS_SHARED_CREDENTIALS_FILE": "/etc/creds", "AWS_CONFIG_FILE": "/etc/conf"], files: files).resolve(profile: "ci")
        #expect(resolved.credentials?.credentials.accessKeyID == "AKIDCI")
        #expect(resolved.region == "eu-north-1")
    }

    @Test func missingNamedProfileIsAnError() {
        #expect(throws: AWSConfigurationResolver.ResolutionError.profileNotFound("nope")) {
            try Self.resolver(["AWS_PROFILE": "nope"]).resolve()
        }
    }

    @Test func halfAKeyIsAnErrorThatNamesNoSecret() {
        let error = #expect(throws: AWSConfigurationResolver.ResolutionError.self) {
            try Self.resolver(["AWS_SECRET_ACCESS_KEY": "lonelysecret"]).resolve()
        }
        #expect(error?.description.contains("lonelysecret") == false)
    }

    @Test func nothingConfiguredGivesNoCredentials() throws {
        let resolved = try Self.resolver([:], files: [:]).resolve()
        #expect(resolved.credentials == nil)
        #expect(resolved.region == nil)
    }

    @Test func resolvedDescriptionRedactsSecrets() throws {
        let resolved = try Self.resolver(["AWS_PROFILE": "work"]).resolve()
        #expect(!resolved.description.contains("worksecret"))
        #expect(!resolved.description.contains("worktoken"))
        #expect(resolved.description.contains("AKIDWORK"))
    }
}

@Suite struct EndpointTests {
    @Test func defaultHosts() throws {
        let resolver = AWSEndpointResolver(environment: [:])
        #expect(try resolver.endpoint(for: .ec2, region: "eu-west-1").url(pathAndQuery: "/") == "https://ec2.eu-west-1.amazonaws.com/")
        #expect(try resolver.endpoint(for: .elasticLoadBalancingV2, region: "eu-west-1").host == "elasticloadbalancing.eu-west-1.amazonaws.com")
        #expect(try resolver.endpoint(for: .cloudWatch, region: "eu-west-1").host == "monitoring.eu-west-1.amazonaws.com")
        #expect(try resolver.endpoint(for: .cloudWatchLogs, region: "eu-west-1").host == "logs.eu-west-1.amazonaws.com")
        #expect(try resolver.endpoint(for: .sts, region: "eu-west-1").host == "sts.eu-west-1.amazonaws.com")
        let iam = try resolver.endpoint(for: .iam, region: "eu-west-1")
        #expect(iam.host == "iam.amazonaws.com")
        #expect(iam.signingRegion == "us-east-1")
    }

    @Test func serviceSpecificOverrideBeatsGlobalOverride() throws {
        let resolver = AWSEndpointResolver(environment: [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2": "http://localhost:4566/elb/",
        ])
        let elb = try resolver.endpoint(for: .elasticLoadBalancingV2, region: "eu-west-1")
        #expect(elb.url(pathAndQuery: "/") == "http://localhost:4566/elb/")
        #expect(elb.isCustom)
        let logs = try resolver.endpoint(for: .cloudWatchLogs, region: "eu-west-1")
        #expect(logs.hostHeader == "127.0.0.1:5000")
        #expect(logs.signingRegion == "eu-west-1")
        // IAM keeps its global signing region even at a custom URL.
        #expect(try resolver.endpoint(for: .iam, region: "eu-west-1").signingRegion == "us-east-1")
        #expect(AWSService.cloudWatch.endpointEnvironmentSuffix == "CLOUDWATCH")
        #expect(AWSService.cloudWatchLogs.endpointEnvironmentSuffix == "CLOUDWATCH_LOGS")
    }

    @Test func invalidOverrideIsAnError() {
        #expect(throws: AWSEndpointResolver.ResolutionError.self) {
            try AWSEndpointResolver(environment: ["AWS_ENDPOINT_URL_S3": "localhost:9000"]).endpoint(for: .s3, region: "us-east-1")
        }
    }

    @Test func s3AddressingStyles() throws {
        let transport = FakeTransport([])
        let awsCore = Fixture.core(transport)
        let virtual = try S3(core: awsCore).location(bucket: "my-bucket", key: "a b/c.txt")
        #expect(virtual.endpoint.host == "my-bucket.s3.eu-west-1.amazonaws.com")
        #expect(virtual.path == "/a%20b/c.txt")
        let dotted = try S3(core: awsCore).location(bucket: "my.bucket")
        #expect(dotted.endpoint.host == "s3.eu-west-1.amazonaws.com")
        #expect(dotted.path == "/my.bucket")
        var motoCore = awsCore
        motoCore.endpoints = AWSEndpointResolver(environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:5000"])
        let custom = try S3(core: motoCore).location(bucket: "my-bucket", key: "k")
        #expect(custom.endpoint.hostHeader == "127.0.0.1:5000")
        #expect(custom.path == "/my-bucket/k")
    }
}
