public import CertCycleCore
public import Foundation
import TOMLKit

/// The configuration file (`--config PATH` or `CERTCYCLE_CONFIG`); every setting has a default,
/// so no file is needed for the demo.
public struct Configuration: Sendable {
    /// The certification body's civil date: "today" for a run is the date here.
    public var timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!
    /// Job definitions, templates and calendars; nil means "find the shipped Jobs/".
    public var jobs: String?
    /// Where `NOTICES/YYYY-MM-DD/` folders go.
    public var notices: String = "notices"
    /// Register URL (`sqlite:PATH` or `postgres://…`); nil means the embedded default.
    public var db: String?
    /// A healthchecks.io-style URL pinged when a run starts, succeeds or fails.
    public var healthcheckURL: String?
    /// Webhook endpoints.
    public var endpoints: [EndpointSettings] = []
    /// E-mail of letters and the digest (`[mail]`); nil when the table is absent.
    public var mail: MailSettings?
    /// The most seconds `run` (and each `publish`) spends delivering webhooks; what is left
    /// stays pending for the next `publish`. A receiver that never answers cannot hold up the night.
    public var deliveryBudget: Double = 300
    /// The file this came from, if any.
    public var path: String?

    public init() {}

    static let keys: Set<String> = ["timezone", "jobs", "notices", "db", "healthcheck_url", "endpoints", "delivery_budget_seconds", "mail"]
    static let endpointKeys: Set<String> = ["name", "url", "secret_file", "secret_credential", "events", "format", "allow_http", "ca_file",
                                            "connect_timeout_seconds", "timeout_seconds"]

    /// Reads `path`; relative paths in it (`db`, `jobs`, `notices`, `secret_file`, `ca_file`) are
    /// taken from the file's folder, not the current one.
    public static func load(path: String) throws(ConfigError) -> Configuration {
        let file = try TOMLFile(path: path)
        try file.rejectUnknownKeys(keys)
        var configuration = Configuration()
        configuration.path = path
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).path }
        if let zone = try file.string("timezone") {
            // Only IANA names: an abbreviation such as CST is ambiguous (China, US Central, Cuba)
            // and Foundation reads it as US Central, eight hours off Beijing.
            guard zone == "UTC" || zone.contains("/"), let timeZone = TimeZone(identifier: zone) else {
                throw ConfigError(file: path, "'timezone' \(zone) is not an IANA time zone name: use a Region/City name such as Asia/Shanghai, "
                    + "or UTC (abbreviations such as CST or EST are ambiguous)")
            }
            configuration.timeZone = timeZone
        }
        if let jobs = try file.string("jobs") { configuration.jobs = resolve(jobs) }
        if let notices = try file.string("notices") { configuration.notices = resolve(notices) }
        if let db = try file.string("db") {
            if let problem = DatabaseLocation.problem(with: db) { throw ConfigError(file: path, "'db': \(problem)") }
            // A relative SQLite path is the file's folder's, like every path in this file.
            if db.hasPrefix("sqlite:") { configuration.db = "sqlite:" + resolve(String(db.dropFirst("sqlite:".count))) } else { configuration.db = db }
        }
        if let url = try file.string("healthcheck_url") {
            guard url.hasPrefix("https://") || url.hasPrefix("http://") else {
                throw ConfigError(file: path, "'healthcheck_url' must be an http(s) URL")
            }
            configuration.healthcheckURL = url
        }
        if let seconds = try file.double("delivery_budget_seconds", range: 1...86400) { configuration.deliveryBudget = seconds }
        for (index, entry) in (file.table["endpoints"]?.array ?? TOMLArray()).enumerated() {
            guard let table = entry.table else { throw ConfigError(file: path, "each [[endpoints]] must be a table") }
            let endpoint = try endpointSettings(table, index: index, file: file, resolve: resolve)
            if configuration.endpoints.contains(where: { $0.name == endpoint.name }) {
                throw ConfigError(file: path, "two endpoints are named '\(endpoint.name)'; names must be unique")
            }
            configuration.endpoints.append(endpoint)
        }
        if let value = file.table["mail"] {
            guard let table = value.table else { throw ConfigError(file: path, "[mail] must be a table") }
            configuration.mail = try MailSettings.load(table, file: file, resolve: resolve)
            if configuration.endpoints.contains(where: { $0.name == MailSettings.outboxEndpoint }) {
                throw ConfigError(file: path, "an endpoint is named '\(MailSettings.outboxEndpoint)', the name the outbox gives e-mail; rename it")
            }
        }
        return configuration
    }

    static func endpointSettings(_ table: TOMLTable, index: Int, file: TOMLFile, resolve: (String) -> String) throws(ConfigError) -> EndpointSettings {
        let path = file.path
        let context = "endpoints[\(index)]"
        try file.rejectUnknownKeys(endpointKeys, in: table, context: context + ".")
        guard let name = try file.string("name", in: table), !name.isEmpty,
              name.utf8.allSatisfy({ $0 >= 0x21 && $0 < 0x7F && $0 != 0x2C })
        else { throw ConfigError(file: path, "\(context): 'name' is required (printable ASCII, no spaces)") }
        guard let url = try file.string("url", in: table) else { throw ConfigError(file: path, "endpoint '\(name)': 'url' is required") }
        var allowHTTP = false
        if let value = table["allow_http"] {
            guard let flag = value.bool else { throw ConfigError(file: path, "endpoint '\(name)': 'allow_http' must be true or false") }
            allowHTTP = flag
        }
        if let problem = EndpointSettings.urlProblem(url, allowHTTP: allowHTTP) {
            // The URL itself is not repeated: it may carry a token.
            throw ConfigError(file: path, "endpoint '\(name)': 'url' \(problem)")
        }
        let secret: EndpointSettings.SecretSource
        switch (try file.string("secret_file", in: table), try file.string("secret_credential", in: table)) {
        case (let file?, nil): secret = .file(resolve(file))
        case (nil, let credential?): secret = .credential(credential)
        case (nil, nil): throw ConfigError(file: path, "endpoint '\(name)': set secret_file or secret_credential (secrets never go in this file)")
        default: throw ConfigError(file: path, "endpoint '\(name)': set only one of secret_file and secret_credential")
        }
        var events = ["certificate.*"]
        if let value = table["events"] {
            guard let array = value.array else { throw ConfigError(file: path, "endpoint '\(name)': 'events' must be a list") }
            events = []
            for element in array {
                guard let pattern = element.string,
                      pattern == "*" || pattern == "certificate.*" || EndpointSettings.eventTypes.contains(pattern)
                else {
                    throw ConfigError(file: path, "endpoint '\(name)': 'events' holds \(element.debugDescription); use certificate.* or one of \(EndpointSettings.eventTypes.joined(separator: ", "))")
                }
                events.append(pattern)
            }
        }
        var format = EndpointSettings.Format.standard
        if let text = try file.string("format", in: table) {
            guard let parsed = EndpointSettings.Format(rawValue: text) else {
                throw ConfigError(file: path, "endpoint '\(name)': 'format' must be standard or certsearch")
            }
            format = parsed
        }
        let caFile = try file.string("ca_file", in: table).map(resolve)
        var endpoint = EndpointSettings(name: name, url: url, secret: secret, events: events, format: format, allowHTTP: allowHTTP, caFile: caFile)
        if let seconds = try file.double("connect_timeout_seconds", in: table, range: 1...300) { endpoint.connectTimeout = seconds }
        if let seconds = try file.double("timeout_seconds", in: table, range: 1...600) { endpoint.timeout = seconds }
        return endpoint
    }

    /// Today's civil date in the configured time zone, whatever the server's TZ.
    public func today(now: Date = Date()) -> CivilDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        return CivilDate(year: parts.year!, month: parts.month!, day: parts.day!)!
    }
}

/// Where the register is: `sqlite:PATH` (embedded, the default) or `postgres://…` (shared).
public enum DatabaseLocation: Equatable, Sendable {
    case sqlite(path: String)
    case postgres(url: String)

    public static let defaultURL = "sqlite:certcycle.sqlite"

    public init(_ url: String) throws(ConfigError) {
        if let problem = Self.problem(with: url) { throw ConfigError(file: "--db", problem) }
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
            self = .postgres(url: url)
        } else {
            self = .sqlite(path: String(url.dropFirst("sqlite:".count)))
        }
    }

    static func problem(with url: String) -> String? {
        if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") { return nil }
        if url.hasPrefix("sqlite:"), url.count > "sqlite:".count { return nil }
        return "'\(url)' is not a register URL: use sqlite:PATH or postgres://USER@HOST/DB"
    }
}

extension Jobs {
    /// Where to look for `Jobs/` when neither `--jobs` nor the configuration names it, in order
    /// (INTERFACE.md "Installation layout"): `$CERTCYCLE_JOBS`, `./Jobs`, `/etc/certcycle/Jobs`,
    /// `../share/certcycle/Jobs` beside the executable's real path (an installed or unpacked
    /// package), then the `Jobs/` of a source tree the executable was built in (`.build/…`).
    public static func candidates(environment: [String: String] = ProcessInfo.processInfo.environment,
                                  executable: String = CommandLine.arguments[0]) -> [String] {
        var places: [String] = []
        if let fromEnvironment = environment["CERTCYCLE_JOBS"], !fromEnvironment.isEmpty { places.append(fromEnvironment) }
        places += ["./Jobs", "/etc/certcycle/Jobs"]
        let binary = URL(fileURLWithPath: executablePath(executable)).resolvingSymlinksInPath().deletingLastPathComponent()
        places.append(binary.deletingLastPathComponent().appendingPathComponent("share/certcycle/Jobs").standardizedFileURL.path)
        // A development build: .build/<triple>/debug/certcycle inside the source tree.
        var up = binary
        for _ in 0..<4 {
            up = up.deletingLastPathComponent()
            if up.lastPathComponent == ".build" || up.lastPathComponent.hasPrefix(".build-") {
                places.append(up.deletingLastPathComponent().appendingPathComponent("Jobs").path)
                break
            }
        }
        return places
    }

    /// The jobs folder to use: the one given (`--jobs`, else the configuration's `jobs`), else the
    /// first of `candidates()` that exists. Throws, naming every place looked in, when none does.
    public static func locate(_ given: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                              executable: String = CommandLine.arguments[0]) throws(ConfigError) -> String {
        if let given { return given }
        let places = candidates(environment: environment, executable: executable)
        for place in places {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: place, isDirectory: &isDirectory), isDirectory.boolValue { return place }
        }
        let named = places.enumerated().map { index, place in
            index == 0 && environment["CERTCYCLE_JOBS"].map { !$0.isEmpty } == true ? "$CERTCYCLE_JOBS=\(place)" : place
        }
        throw ConfigError(file: "Jobs", "no jobs folder found; looked in \(named.joined(separator: ", "))\(environment["CERTCYCLE_JOBS"]?.isEmpty == false ? "" : " ($CERTCYCLE_JOBS is not set)"); set --jobs or `jobs` in the configuration")
    }

    /// The executable's path: `argv[0]` when it names a file, else found on `$PATH`, else the
    /// running process's own (`/proc/self/exe`).
    static func executablePath(_ argument: String) -> String {
        if argument.contains("/") { return argument }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = folder + "/" + argument
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return Bundle.main.executablePath ?? "/proc/self/exe"
    }
}
