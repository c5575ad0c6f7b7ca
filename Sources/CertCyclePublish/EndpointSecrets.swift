public import CertCycleConfig
public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads an endpoint's secret from its file or from `$CREDENTIALS_DIRECTORY`. Messages name
/// the file, never its content.
public struct EndpointSecrets: Sendable {
    /// The signing secrets of a `standard` endpoint (one per non-empty line: several during a rotation).
    public var signing: [StandardWebhooks.Secret]
    /// The API key of a `certsearch` endpoint.
    public var apiKey: String?

    public static func load(_ endpoint: EndpointSettings, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> EndpointSecrets {
        let path: String
        switch endpoint.secret {
        case .file(let file): path = file
        case .credential(let name):
            guard let directory = environment["CREDENTIALS_DIRECTORY"] else {
                throw ConfigError(file: "endpoint '\(endpoint.name)'", "secret_credential '\(name)' needs $CREDENTIALS_DIRECTORY (systemd LoadCredential)")
            }
            guard !name.contains("/"), !name.hasPrefix(".") else {
                throw ConfigError(file: "endpoint '\(endpoint.name)'", "secret_credential must be a plain file name")
            }
            path = directory + "/" + name
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, "the secret of endpoint '\(endpoint.name)' cannot be read")
        }
        // As for the database password file: a secret every user can read is no secret. stat()
        // follows symlinks, as a Kubernetes Secret volume's files are (the link itself is 0777).
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IROTH != 0 {
            throw ConfigError(file: path, "the secret of endpoint '\(endpoint.name)' is readable by every user: chmod 600 it (or 640 for a group)")
        }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        switch endpoint.format {
        case .standard:
            var secrets: [StandardWebhooks.Secret] = []
            for (index, line) in lines.enumerated() {
                guard let secret = StandardWebhooks.Secret(line) else {
                    throw ConfigError(file: path, "line \(index + 1) is not a whsec_ secret (whsec_ followed by base64)")
                }
                secrets.append(secret)
            }
            guard !secrets.isEmpty else { throw ConfigError(file: path, "holds no whsec_ secret") }
            return EndpointSecrets(signing: secrets, apiKey: nil)
        case .certsearch:
            guard lines.count == 1 else { throw ConfigError(file: path, "must hold exactly one CertSearch API key") }
            return EndpointSecrets(signing: [], apiKey: lines[0])
        }
    }
}
