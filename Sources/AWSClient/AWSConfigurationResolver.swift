import AWSSigV4

/// Finds credentials and region the way the AWS CLI does, from an injected environment and file
/// reader (no global state is read here, so tests pass dictionaries and strings).
///
/// Order for credentials: `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`)
/// in the environment; then the profile (`--profile`, else `AWS_PROFILE`, else `default`) in the
/// shared credentials file, then in the config file. An explicitly named profile that exists in
/// neither file is an error, as in the CLI. Region: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the
/// profile's `region` in the config file.
public struct AWSConfigurationResolver: Sendable {
    /// Reads a whole file; nil when it does not exist or cannot be read.
    public typealias FileReader = @Sendable (_ path: String) -> String?

    public var environment: [String: String]
    public var readFile: FileReader
    /// The home directory for `~/.aws/...`; defaults to `HOME` from `environment`.
    public var homeDirectory: String?

    public init(environment: [String: String], homeDirectory: String? = nil, readFile: @escaping FileReader) {
        self.environment = environment
        self.readFile = readFile
        self.homeDirectory = homeDirectory ?? environment["HOME"]
    }

    public struct Resolved: Sendable, CustomStringConvertible {
        public var credentials: AWSCredentialsWithSource?
        public var region: String?
        public var profile: String

        public var description: String {
            "profile \(profile), region \(region ?? "none"), credentials \(credentials.map { "\($0.credentials.accessKeyID) from \($0.source)" } ?? "none")"
        }
    }

    public struct AWSCredentialsWithSource: Sendable {
        public var credentials: AWSCredentials
        public var source: String
    }

    public enum ResolutionError: Error, Sendable, Hashable, CustomStringConvertible {
        case profileNotFound(String)
        case incompleteCredentials(source: String, missing: String)

        public var description: String {
            switch self {
            case .profileNotFound(let name): return "The config profile (\(name)) could not be found"
            case .incompleteCredentials(let source, let missing): return "Credentials in \(source) lack \(missing)"
            }
        }
    }

    var credentialsFilePath: String? {
        environment["AWS_SHARED_CREDENTIALS_FILE"].map(expandHome) ?? homeDirectory.map { $0 + "/.aws/credentials" }
    }

    var configFilePath: String? {
        environment["AWS_CONFIG_FILE"].map(expandHome) ?? homeDirectory.map { $0 + "/.aws/config" }
    }

    private func expandHome(_ path: String) -> String {
        guard path.hasPrefix("~/"), let homeDirectory else { return path }
        return homeDirectory + path.dropFirst(1)
    }

    private func file(at path: String?) -> AWSSharedConfigFile {
        guard let path, let text = readFile(path) else { return AWSSharedConfigFile() }
        return AWSSharedConfigFile(parsing: text)
    }

    /// `profile` is the `--profile` option when given.
    public func resolve(profile explicitProfile: String? = nil) throws -> Resolved {
        let profileName = nonEmpty(explicitProfile) ?? nonEmpty(environment["AWS_PROFILE"]) ?? "default"
        let profileWasNamed = nonEmpty(explicitProfile) != nil || nonEmpty(environment["AWS_PROFILE"]) != nil
        let credentialsFile = file(at: credentialsFilePath)
        let configFile = file(at: configFilePath)
        let fromCredentialsFile = credentialsFile.credentialsProfile(profileName)
        let fromConfigFile = configFile.configProfile(profileName)
        if profileWasNamed, fromCredentialsFile == nil, fromConfigFile == nil {
            throw ResolutionError.profileNotFound(profileName)
        }

        var credentials: AWSCredentialsWithSource?
        // An explicit --profile wins over the environment keys in the CLI; AWS_PROFILE does not.
        let environmentFirst = nonEmpty(explicitProfile) == nil
        let environmentCredentials = try credentialsFromEnvironment()
        if environmentFirst, let environmentCredentials {
            credentials = environmentCredentials
        } else if let settings = fromCredentialsFile, let found = try credentialsFrom(settings, source: "shared credentials file, profile \(profileName)") {
            credentials = found
        } else if let settings = fromConfigFile, let found = try credentialsFrom(settings, source: "config file, profile \(profileName)") {
            credentials = found
        } else {
            credentials = environmentCredentials
        }

        let region = nonEmpty(environment["AWS_REGION"]) ?? nonEmpty(environment["AWS_DEFAULT_REGION"]) ?? nonEmpty(fromConfigFile?["region"])
        return Resolved(credentials: credentials, region: region, profile: profileName)
    }

    private func credentialsFromEnvironment() throws -> AWSCredentialsWithSource? {
        let keyID = nonEmpty(environment["AWS_ACCESS_KEY_ID"])
        let secret = nonEmpty(environment["AWS_SECRET_ACCESS_KEY"])
        switch (keyID, secret) {
        case (nil, nil): return nil
        case (.some, nil): throw ResolutionError.incompleteCredentials(source: "environment", missing: "AWS_SECRET_ACCESS_KEY")
        case (nil, .some): throw ResolutionError.incompleteCredentials(source: "environment", missing: "AWS_ACCESS_KEY_ID")
        case (.some(let keyID), .some(let secret)):
            return AWSCredentialsWithSource(
                credentials: AWSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: nonEmpty(environment["AWS_SESSION_TOKEN"])),
                source: "environment")
        }
    }

    private func credentialsFrom(_ settings: [String: String], source: String) throws -> AWSCredentialsWithSource? {
        let keyID = nonEmpty(settings["aws_access_key_id"])
        let secret = nonEmpty(settings["aws_secret_access_key"])
        switch (keyID, secret) {
        case (nil, nil): return nil
        case (.some, nil): throw ResolutionError.incompleteCredentials(source: source, missing: "aws_secret_access_key")
        case (nil, .some): throw ResolutionError.incompleteCredentials(source: source, missing: "aws_access_key_id")
        case (.some(let keyID), .some(let secret)):
            return AWSCredentialsWithSource(
                credentials: AWSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: nonEmpty(settings["aws_session_token"])),
                source: source)
        }
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value = value?.trimmingWhitespace(), !value.isEmpty else { return nil }
        return value
    }
}
