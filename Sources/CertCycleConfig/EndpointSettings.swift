public import Foundation

/// One `[[endpoints]]` entry of the configuration: where status changes are pushed.
public struct EndpointSettings: Sendable, Hashable {
    public enum Format: String, Sendable, Hashable, CaseIterable {
        /// The Standard Webhooks envelope of INTERFACE.md, signed.
        case standard
        /// The IAF CertSearch upload-cert JSON, with the API key in `x-http-authorization`.
        case certsearch
    }

    public enum SecretSource: Sendable, Hashable {
        case file(String)
        /// A file of that name in `$CREDENTIALS_DIRECTORY` (systemd LoadCredential).
        case credential(String)
    }

    /// Shown in logs and `outbox list`; the key deliveries are kept under.
    public var name: String
    public var url: String
    public var secret: SecretSource
    /// Event type patterns: `certificate.*`, `certificate.suspended`, …
    public var events: [String]
    public var format: Format
    public var allowHTTP: Bool
    /// A PEM bundle of CAs to trust instead of the system's.
    public var caFile: String?
    /// Seconds to connect (default 10) and for a whole request (default 30).
    public var connectTimeout: Double = 10
    public var timeout: Double = 30

    public init(name: String, url: String, secret: SecretSource, events: [String] = ["certificate.*"], format: Format = .standard,
                allowHTTP: Bool = false, caFile: String? = nil) {
        self.name = name
        self.url = url
        self.secret = secret
        self.events = events
        self.format = format
        self.allowHTTP = allowHTTP
        self.caFile = caFile
    }

    /// Whether events of `type` go to this endpoint.
    public func accepts(_ type: String) -> Bool {
        events.contains { pattern in
            pattern == "*" || pattern == type || (pattern.hasSuffix(".*") && type.hasPrefix(String(pattern.dropLast(1))))
        }
    }

    /// The event types there are.
    public static let eventTypes = [
        "certificate.issued", "certificate.suspended", "certificate.restored", "certificate.withdrawn",
        "certificate.expired", "certificate.renewed", "certificate.scope_changed", "certificate.star_changed",
    ]

    /// HTTPS, or plain HTTP to a loopback address, or plain HTTP where `allow_http` says so.
    static func urlProblem(_ url: String, allowHTTP: Bool) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty
        else { return "is not a URL" }
        switch scheme {
        case "https": return nil
        case "http":
            let loopback = host == "localhost" || host == "::1" || host == "[::1]" || Self.isIPv4Loopback(host)
            return loopback || allowHTTP ? nil : "uses plain http to a host that is not loopback; use https, or set allow_http = true"
        default: return "must be an https:// URL"
        }
    }

    /// 127.x.y.z written as an address: a host name that merely starts with "127." is not loopback.
    static func isIPv4Loopback(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) && UInt8($0) != nil }
    }

    /// The URL without its query or credentials, for logs and messages (a query may hold a token).
    public var displayURL: String {
        guard var components = URLComponents(string: url) else { return "(invalid URL)" }
        components.query = nil
        components.user = nil
        components.password = nil
        return components.string ?? "(invalid URL)"
    }
}
