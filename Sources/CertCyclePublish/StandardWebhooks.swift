import Crypto
public import Foundation

/// Signing per the Standard Webhooks specification: `webhook-signature` is `v1,` + base64
/// HMAC-SHA256 of `id.timestamp.body`, keyed by the bytes of a `whsec_` secret; several
/// secrets (during a rotation) give several signatures separated by spaces.
public enum StandardWebhooks {
    /// A signing key from a `whsec_…` secret (base64 after the prefix).
    public struct Secret: Sendable, CustomStringConvertible {
        let bytes: Data

        public init?(_ text: String) {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard trimmed.hasPrefix("whsec_"), let bytes = Data(base64Encoded: String(trimmed.dropFirst(6))), !bytes.isEmpty else { return nil }
            self.bytes = bytes
        }

        /// Never the secret itself, whatever prints it.
        public var description: String { "whsec_(redacted)" }
    }

    /// `v1,<base64>` for each secret, space-separated.
    public static func signature(id: String, timestamp: Int, body: Data, secrets: [Secret]) -> String {
        var message = Data("\(id).\(timestamp).".utf8)
        message.append(body)
        return secrets.map { secret in
            "v1," + Data(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret.bytes))).base64EncodedString()
        }.joined(separator: " ")
    }

    /// The three headers of a signed request.
    public static func headers(id: String, timestamp: Int, body: Data, secrets: [Secret]) -> [String: String] {
        [
            "webhook-id": id,
            "webhook-timestamp": String(timestamp),
            "webhook-signature": signature(id: id, timestamp: timestamp, body: body, secrets: secrets),
        ]
    }
}
