public import CertCycleCore
import TOMLKit

/// The `[mail]` table: where letters and the digest are sent by SMTP (INTERFACE.md "E-mail").
public struct MailSettings: Sendable, Equatable {
    public enum PasswordSource: Sendable, Equatable {
        case none
        case file(String)
        /// A systemd credential: `$CREDENTIALS_DIRECTORY/NAME`.
        case credential(String)
    }

    /// `smtps://HOST:465` or `smtp://HOST:587` (STARTTLS required unless plaintext is allowed).
    public var url: String
    public var from: MailMailbox
    public var username: String?
    public var password: PasswordSource = .none
    /// Plain SMTP without STARTTLS; also allowed, without this, for a relay on the loopback.
    public var allowPlaintext = false
    /// Each receives the morning digest.
    public var staff: [MailAddress] = []
    /// Each letter goes to its organisation's `contact_email`.
    public var letters = true
    public var caFile: String?
    public var connectTimeout: Double = 10
    /// For one message, from connecting to the server's answer to the end of DATA.
    public var timeout: Double = 60

    public init(url: String, from: MailMailbox) {
        self.url = url
        self.from = from
    }

    /// smtps://, or smtp:// whose session must be upgraded by STARTTLS (CURLUSESSL_ALL).
    public var requiresTLS: Bool { !url.lowercased().hasPrefix("smtps://") && !allowPlaintext && !Self.isLoopback(url) }

    static let keys: Set<String> = ["url", "from", "username", "password_file", "password_credential", "allow_plaintext", "staff",
                                    "letters", "ca_file", "connect_timeout_seconds", "timeout_seconds"]

    static func isLoopback(_ url: String) -> Bool {
        guard let host = url.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first else { return false }
        let name = host.hasPrefix("[") ? String(host.prefix { $0 != "]" }.dropFirst()) : String(host.split(separator: ":").first ?? "")
        return name == "127.0.0.1" || name == "localhost" || name == "::1"
    }

    static func load(_ table: TOMLTable, file: TOMLFile, resolve: (String) -> String) throws(ConfigError) -> MailSettings {
        let path = file.path
        try file.rejectUnknownKeys(keys, in: table, context: "mail.")
        guard let url = try file.string("url", in: table) else { throw ConfigError(file: path, "[mail]: 'url' is required (smtps://HOST:465 or smtp://HOST:587)") }
        let lower = url.lowercased()
        guard lower.hasPrefix("smtp://") || lower.hasPrefix("smtps://"), url.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
              !url.dropFirst(lower.hasPrefix("smtps://") ? 8 : 7).contains("@")
        else {
            // The URL is not repeated: it may carry a user name.
            throw ConfigError(file: path, "[mail]: 'url' must be smtps://HOST[:PORT] or smtp://HOST[:PORT], without a user name (use 'username')")
        }
        guard let fromText = try file.string("from", in: table) else { throw ConfigError(file: path, "[mail]: 'from' is required, e.g. \"认证中心 <cert@example.cn>\"") }
        let from: MailMailbox
        switch MailMailbox.parse(fromText) {
        case .success(let mailbox): from = mailbox
        case .failure(let problem): throw ConfigError(file: path, "[mail]: 'from': \(problem.message)")
        }
        var settings = MailSettings(url: url, from: from)
        if let username = try file.string("username", in: table) {
            guard !username.isEmpty, username.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                throw ConfigError(file: path, "[mail]: 'username' must be non-empty, without control characters")
            }
            settings.username = username
        }
        switch (try file.string("password_file", in: table), try file.string("password_credential", in: table)) {
        case (nil, nil): break
        case (let file?, nil): settings.password = .file(resolve(file))
        case (nil, let credential?):
            guard !credential.isEmpty, !credential.contains("/"), !credential.hasPrefix(".") else {
                throw ConfigError(file: path, "[mail]: 'password_credential' must be a plain credential name")
            }
            settings.password = .credential(credential)
        default: throw ConfigError(file: path, "[mail]: set only one of password_file and password_credential")
        }
        if settings.password != .none, settings.username == nil {
            throw ConfigError(file: path, "[mail]: a password needs 'username'")
        }
        for key in ["allow_plaintext", "letters"] {
            if let value = table[key] {
                guard let flag = value.bool else { throw ConfigError(file: path, "[mail]: '\(key)' must be true or false") }
                if key == "letters" { settings.letters = flag } else { settings.allowPlaintext = flag }
            }
        }
        if let value = table["staff"] {
            guard let array = value.array else { throw ConfigError(file: path, "[mail]: 'staff' must be a list of addresses") }
            for element in array {
                guard let text = element.string else { throw ConfigError(file: path, "[mail]: 'staff' must be a list of addresses") }
                guard let address = MailAddress(text) else {
                    throw ConfigError(file: path, "[mail]: staff address \(text.debugDescription) \(MailAddress.problem(with: text) ?? "")")
                }
                if !settings.staff.contains(address) { settings.staff.append(address) }
            }
        }
        settings.caFile = try file.string("ca_file", in: table).map(resolve)
        if let seconds = try file.double("connect_timeout_seconds", in: table, range: 1...300) { settings.connectTimeout = seconds }
        if let seconds = try file.double("timeout_seconds", in: table, range: 1...600) { settings.timeout = seconds }
        return settings
    }
}

extension MailSettings {
    /// The name e-mail has in the register's outbox (`outbox list`), beside the webhook endpoints.
    public static let outboxEndpoint = "mail"
}
