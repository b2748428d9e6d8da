import AWSClient
import AWSSigV4
import MotoHarness
import Testing

/// moto checks SigV4 signatures once `INITIAL_NO_AUTH_ACTION_COUNT` actions have run: the first
/// three calls below make a user and its key with auth still off, and every later call is
/// verified by moto with botocore against that key, so these tests show our signatures are
/// accepted by an independent verifier and that a wrong secret is refused.
@Suite(.serialized, .enabled(if: MotoAvailability.shouldRun, "moto_server not installed; skipped outside CI"))
struct MotoSignatureTests {
    @Test func realKeyIsAcceptedAndWrongSecretIsRefused() async throws {
        let server = try await MotoServer(extraEnvironment: ["INITIAL_NO_AUTH_ACTION_COUNT": "3"])
        defer { server.stop() }
        let once = AWSRetryPolicy(maxAttempts: 1)

        // Auth is off for these three actions (each counts once, so no retries).
        let userKey = try await withMotoCore(server, retry: once) { core in
            let iam = IAM(core: core)
            try await iam.createUser(name: "netloom-deployer")
            try await iam.attachUserPolicy(userName: "netloom-deployer", policyARN: "arn:aws:iam::aws:policy/AdministratorAccess")
            return try await iam.createAccessKey(userName: "netloom-deployer")
        }
        #expect(!userKey.accessKeyID.isEmpty)

        // Signed with the real key: accepted by every protocol.
        try await withMotoCore(server, credentials: userKey, region: "eu-west-1", retry: once) { core in
            let identity = try await STS(core: core).getCallerIdentity()
            #expect(identity.arn.hasSuffix(":user/netloom-deployer"))
            #expect(try await IAM(core: core).listRoles(pathPrefix: "/").isEmpty)
            let vpc = try await EC2(core: core).createVpc(cidrBlock: "10.9.0.0/16", tags: [AWSTag("netloom:stack", "auth")])
            #expect(try await EC2(core: core).describeVpcs(filters: [.tag("netloom:stack", "auth")]).map(\.vpcID) == [vpc.vpcID])
            try await S3(core: core).createBucket("netloom-signed-bucket")
            try await S3(core: core).putBucketVersioning("netloom-signed-bucket", enabled: true)
            try await CloudWatchLogs(core: core).createLogGroup(name: "/netloom/signed")
        }

        // Same key id, wrong secret: refused.
        let wrongSecret = AWSCredentials(accessKeyID: userKey.accessKeyID, secretAccessKey: "not-the-secret-at-all-0000000000000000000")
        try await withMotoCore(server, credentials: wrongSecret, retry: once) { core in
            let iamError = await #expect(throws: AWSError.self) { try await IAM(core: core).listRoles() }
            #expect(iamError?.code == "SignatureDoesNotMatch")
            #expect(iamError?.isAuthFailure == true)
            #expect(iamError?.kind == .client)
            let ec2Error = await #expect(throws: AWSError.self) { try await EC2(core: core).describeVpcs() }
            #expect(ec2Error?.code == "AuthFailure")
            for error in [iamError, ec2Error].compactMap({ $0 }) {
                #expect(!error.description.contains("not-the-secret"))
                #expect(!error.description.contains(userKey.secretAccessKey))
            }
        }

        // A key id moto never issued: refused as an unknown token.
        let unknownKey = AWSCredentials(accessKeyID: "AKIAUNKNOWNKEY000000", secretAccessKey: "whatever")
        try await withMotoCore(server, credentials: unknownKey, retry: once) { core in
            let error = await #expect(throws: AWSError.self) { try await IAM(core: core).listRoles() }
            #expect(error?.code == "InvalidClientTokenId")
        }
    }
}
