import CertCycleTestSupport
import Foundation
import Testing

/// The deployment files in `Deploy/`: systemd units, the cron line, the Kubernetes manifests and
/// the example configuration. They are what operators copy, so they are checked like code:
/// their syntax, the keys that matter, and that every `certcycle` command they run exists with
/// every option they pass.
///
/// `systemd-analyze` (Debian package `systemd`) is used where it is installed; it works
/// offline, with no running systemd. YAML is read with python3 and PyYAML.
@Suite("Deploy files")
struct DeployTests {
    static let deploy = packageRoot.appendingPathComponent("Deploy")
    static let systemdFolder = deploy.appendingPathComponent("systemd")
    static let installedBinary = "/usr/local/bin/certcycle"

    // MARK: systemd

    @Test("systemd units verify")
    func systemdUnitsVerify() throws {
        let units = try Self.unitFiles()
        #expect(units.keys.contains("certcycle.service") && units.keys.contains("certcycle.timer"),
                "Deploy/systemd must hold certcycle.service and certcycle.timer; it has \(units.keys.sorted())")

        // Every file parses as a unit file: known sections, key=value lines only.
        var parsed: [String: UnitFile] = [:]
        for (name, text) in units {
            do {
                parsed[name] = try UnitFile(text, name: name)
            } catch {
                Issue.record("\(error)")
            }
        }

        let service = try #require(parsed["certcycle.service"])
        #expect(service.value("Service", "Type") == "oneshot")
        #expect(service.value("Service", "TimeoutStartSec").map { !$0.isEmpty } == true, "TimeoutStartSec must be set")
        #expect(service.value("Service", "DynamicUser") == "yes")
        #expect(service.value("Service", "StateDirectory") == "certcycle")
        #expect(service.value("Service", "ProtectSystem") == "strict")
        #expect(service.value("Service", "NoNewPrivileges") == "yes")
        #expect(service.value("Service", "CapabilityBoundingSet") == "", "CapabilityBoundingSet= must be empty")
        #expect(!service.values("Service", "LoadCredential").isEmpty, "LoadCredential missing")
        let execStart = try #require(service.value("Service", "ExecStart"))
        #expect(execStart.hasPrefix(Self.installedBinary + " run "), "ExecStart: \(execStart)")
        // OnFailure names a template that ships beside the unit.
        let onFailure = try #require(service.value("Unit", "OnFailure"), "OnFailure missing")
        let hook = try #require(onFailure.split(separator: "@").first.map { String($0) + "@.service" })
        #expect(units[hook] != nil, "OnFailure=\(onFailure) but Deploy/systemd/\(hook) is missing")
        // Every secret_credential of the example configuration is loaded by every unit that runs certcycle.
        let credentials = try Self.activeSecretCredentials()
        for (name, unit) in parsed where name.hasSuffix(".service") && Self.certcycleInvocation(unit.value("Service", "ExecStart") ?? "") != nil {
            let loaded = Set(unit.values("Service", "LoadCredential").map { String($0.prefix { $0 != ":" }) })
            for credential in credentials {
                #expect(loaded.contains(credential), "\(name) has no LoadCredential=\(credential):… for secret_credential = \"\(credential)\"")
            }
        }

        let timer = try #require(parsed["certcycle.timer"])
        let onCalendar = try #require(timer.value("Timer", "OnCalendar"), "OnCalendar missing")
        #expect(onCalendar.contains("Asia/Shanghai"), "OnCalendar=\(onCalendar)")
        #expect(timer.value("Timer", "Persistent") == "true")
        #expect(timer.value("Timer", "RandomizedDelaySec").map { !$0.isEmpty } == true, "RandomizedDelaySec must be set")
        #expect(timer.value("Timer", "Unit") == "certcycle.service")
        #expect(timer.value("Install", "WantedBy") == "timers.target")

        // Every timer starts a unit that ships.
        for (name, unit) in parsed where name.hasSuffix(".timer") {
            let target = unit.value("Timer", "Unit") ?? name.replacingOccurrences(of: ".timer", with: ".service")
            #expect(units[target] != nil, "\(name) starts \(target), which is not in Deploy/systemd")
        }

        try verifyWithSystemdAnalyze(units: units, parsed: parsed)
    }

    /// `systemd-analyze verify` on copies whose ExecStart binary is the built certcycle (verify
    /// insists that the binary exists), `security --offline` against an exposure ceiling, and
    /// `calendar` on each OnCalendar. Skipped, with a note, where systemd-analyze is missing
    /// or cannot run; the checks above still apply.
    func verifyWithSystemdAnalyze(units: [String: String], parsed: [String: UnitFile]) throws {
        guard let analyze = Self.findExecutable("systemd-analyze") else {
            print("note: systemd-analyze not found (Debian package systemd); unit files checked by the parser only")
            return
        }
        let tmp = try TemporaryFolder("deploy-systemd")
        defer { tmp.cleanUp() }

        // Probe: can systemd-analyze verify a trivial unit here at all?
        let probeFolder = tmp.url.appendingPathComponent("probe")
        try FileManager.default.createDirectory(at: probeFolder, withIntermediateDirectories: true)
        let probe = probeFolder.appendingPathComponent("certcycle-probe.service").path
        try "[Service]\nType=oneshot\nExecStart=/bin/sh -c true\n".write(toFile: probe, atomically: true, encoding: .utf8)
        let probed = try Self.runTool(analyze, ["verify", "--man=no", "--no-pager", probe], in: tmp.path)
        guard probed.status == 0 else {
            print("note: systemd-analyze cannot verify units on this machine (\(probed.stderr.trimmingCharacters(in: .whitespacesAndNewlines))); unit files checked by the parser only")
            return
        }

        let folder = tmp.url.appendingPathComponent("units")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let binary = certcycleExecutable()
        #expect(FileManager.default.isExecutableFile(atPath: binary), "the built certcycle is missing at \(binary)")
        var paths: [String] = []
        for (name, text) in units.sorted(by: { $0.key < $1.key }) {
            let path = folder.appendingPathComponent(name).path
            try text.replacingOccurrences(of: Self.installedBinary, with: binary).write(toFile: path, atomically: true, encoding: .utf8)
            paths.append(path)
        }
        let verified = try Self.runTool(analyze, ["verify", "--man=no", "--no-pager"] + paths, in: tmp.path)
        #expect(verified.status == 0, "systemd-analyze verify failed:\n\(verified.stderr)\(verified.stdout)")
        // verify exits 0 on unknown keys and bad values (it only warns), so any warning about
        // our units fails the test.
        let warnings = verified.stderr.split(separator: "\n").filter { line in
            units.keys.contains { line.contains($0) } || line.contains(folder.path)
                || line.contains("Unknown") || line.contains("Failed") || line.contains("ignoring")
        }
        #expect(warnings.isEmpty, "systemd-analyze verify warns:\n\(warnings.joined(separator: "\n"))")

        // The sandbox stays tight: exposure at most 2.0 of 10 ("OK"). Offline analysis needs systemd 250.
        if let version = try Self.systemdVersion(analyze), version >= 250 {
            for name in units.keys.sorted() where name.hasSuffix(".service") && !name.contains("@") {
                let path = folder.appendingPathComponent(name).path
                let security = try Self.runTool(analyze, ["security", "--offline=yes", "--threshold=20", "--no-pager", path], in: tmp.path)
                let overall = security.stdout.split(separator: "\n").filter { $0.contains("Overall exposure") }.joined()
                #expect(security.status == 0, "\(name): the sandbox got weaker: \(overall) (at most 2.0 allowed) \(security.stderr)")
            }
        }

        for (name, unit) in parsed where name.hasSuffix(".timer") {
            for spec in unit.values("Timer", "OnCalendar") {
                let calendar = try Self.runTool(analyze, ["calendar", "--no-pager", spec], in: tmp.path)
                #expect(calendar.status == 0 && calendar.stdout.contains("Next elapse"), "\(name): OnCalendar=\(spec): \(calendar.stderr)")
            }
        }
    }

    @Test("the unit parser refuses unknown sections and lines that are not key=value")
    func unitParserIsStrict() {
        #expect(throws: UnitFileError.self) { try UnitFile("[Unit]\nDescription=x\n[Servcie]\nType=oneshot\n", name: "x.service") }
        #expect(throws: UnitFileError.self) { try UnitFile("[Service]\nType oneshot\n", name: "x.service") }
        #expect(throws: UnitFileError.self) { try UnitFile("Type=oneshot\n[Service]\n", name: "x.service") }
        #expect(throws: UnitFileError.self) { try UnitFile("[Timer]\nOnCalendar=daily\n", name: "x.service") }
        #expect(throws: UnitFileError.self) { try UnitFile("[Service]\nType=oneshot # comment\nBad Key=1\n", name: "x.service") }
        let unit = try? UnitFile("# c\n; c\n[Service]\nExecStart=/bin/a \\\n  --b\nType = oneshot\nX=1\nX=2\n", name: "x.service")
        #expect(unit?.value("Service", "ExecStart") == "/bin/a --b")
        #expect(unit?.value("Service", "Type") == "oneshot")
        #expect(unit?.values("Service", "X") == ["1", "2"])
    }

    // MARK: The commands the deployment runs

    @Test("the commands in the units exist")
    func commandsExist() throws {
        var invocations: [(source: String, arguments: [String])] = []
        for (name, text) in try Self.unitFiles() where name.hasSuffix(".service") {
            let unit = try UnitFile(text, name: name)
            for exec in unit.values("Service", "ExecStart") {
                if let arguments = Self.certcycleInvocation(exec) { invocations.append(("systemd/\(name)", arguments)) }
            }
        }
        for line in try Self.cronJobLines() {
            let arguments = try #require(Self.certcycleInvocation(line), "cron line without \(Self.installedBinary): \(line)")
            invocations.append(("cron/certcycle.cron", arguments))
        }
        for (container, arguments) in try Self.cronJobContainers() {
            invocations.append(("kubernetes/cronjob.yaml container \(container)", arguments))
        }
        #expect(invocations.contains { $0.source.hasPrefix("systemd/") })
        #expect(invocations.contains { $0.source.hasPrefix("cron/") })
        #expect(invocations.contains { $0.source.hasPrefix("kubernetes/") })

        let tmp = try TemporaryFolder("deploy-help")
        defer { tmp.cleanUp() }
        var helpBySubcommand: [String: CommandResult] = [:]
        for (source, arguments) in invocations {
            let subcommand = try #require(arguments.first, "\(source): certcycle without a subcommand")
            #expect(!subcommand.hasPrefix("-"), "\(source): the subcommand must come first: \(arguments)")
            let help: CommandResult
            if let known = helpBySubcommand[subcommand] {
                help = known
            } else {
                help = try runCertcycle([subcommand, "--help"], in: tmp.path)
                helpBySubcommand[subcommand] = help
            }
            // An unknown subcommand makes certcycle print the top-level help, so look for its own usage line.
            guard help.status == 0, help.stdout.contains("USAGE: certcycle \(subcommand)") else {
                Issue.record("\(source): `certcycle \(subcommand) --help` exited \(help.status) without its usage line; is `\(subcommand)` a command?\n\(help.stderr)")
                continue
            }
            let documented = Self.longOptions(in: help.stdout)
            for flag in arguments.filter({ $0.hasPrefix("--") }).map({ String($0.prefix { $0 != "=" }) }) {
                #expect(documented.contains(flag), "\(source): `certcycle \(subcommand)` has no option \(flag) (its help lists \(documented.sorted()))")
            }
        }
    }

    @Test("the option check reads certcycle's help as intended")
    func optionCheckOnScan() throws {
        let tmp = try TemporaryFolder("deploy-scan-help")
        defer { tmp.cleanUp() }
        let help = try runCertcycle(["scan", "--help"], in: tmp.path)
        #expect(help.status == 0)
        let options = Self.longOptions(in: help.stdout)
        #expect(options.isSuperset(of: ["--config", "--db", "--jobs", "--as-of", "--format"]), "\(options.sorted())")
        // "--format" inside "--log-format" must not count as "--format", nor the reverse.
        #expect(Self.longOptions(in: "  --log-format <f>  text") == ["--log-format"])
        #expect(Self.certcycleInvocation("/usr/local/bin/certcycle run --config /e/c.toml 2>&1; echo done") == ["run", "--config", "/e/c.toml"])
        #expect(Self.certcycleInvocation("-/usr/local/bin/certcycle publish") == ["publish"])
        #expect(Self.certcycleInvocation("/usr/bin/logger -t certcycle") == nil)
    }

    // MARK: Kubernetes

    @Test("the CronJob is well formed")
    func cronJobWellFormed() throws {
        let documents = try Self.yamlDocuments(["kubernetes/cronjob.yaml", "kubernetes/pvc.yaml", "kubernetes/configmap.yaml"])
        let cronJobs = documents.filter { $0["kind"] as? String == "CronJob" }
        #expect(cronJobs.count == 1, "kubernetes/cronjob.yaml should hold one CronJob")
        let cronJob = try #require(cronJobs.first)
        #expect(cronJob["apiVersion"] as? String == "batch/v1")
        let spec = try #require(cronJob["spec"] as? [String: Any])
        #expect(spec["concurrencyPolicy"] as? String == "Forbid")
        #expect(spec["timeZone"] as? String == "Asia/Shanghai")
        #expect(spec["schedule"] as? String == "30 1 * * *")
        #expect((spec["startingDeadlineSeconds"] as? Int).map { $0 > 0 } == true, "startingDeadlineSeconds must be set")
        #expect(spec["successfulJobsHistoryLimit"] is Int && spec["failedJobsHistoryLimit"] is Int)
        let jobSpec = try #require(Self.dig(spec, "jobTemplate", "spec") as? [String: Any])
        #expect(jobSpec["backoffLimit"] is Int)
        #expect((jobSpec["activeDeadlineSeconds"] as? Int).map { $0 > 0 } == true)
        let pod = try #require(Self.dig(jobSpec, "template", "spec") as? [String: Any])
        #expect(["Never", "OnFailure"].contains(pod["restartPolicy"] as? String))
        #expect(Self.dig(pod, "securityContext", "runAsNonRoot") as? Bool == true)
        #expect(Self.dig(pod, "securityContext", "seccompProfile", "type") as? String == "RuntimeDefault")

        let containers = try #require(pod["containers"] as? [[String: Any]])
        let container = try #require(containers.first { $0["name"] as? String == "certcycle" }, "no container named certcycle")
        #expect((container["image"] as? String)?.isEmpty == false)
        #expect(Self.dig(container, "securityContext", "readOnlyRootFilesystem") as? Bool == true)
        #expect(Self.dig(container, "securityContext", "allowPrivilegeEscalation") as? Bool == false)
        #expect((Self.dig(container, "securityContext", "capabilities", "drop") as? [String])?.contains("ALL") == true)
        #expect(Self.dig(container, "resources", "limits", "memory") != nil && Self.dig(container, "resources", "requests", "memory") != nil)

        // Volumes: the register on the claim of pvc.yaml, the configuration from configmap.yaml,
        // the webhook secrets from a Secret.
        let volumes = Dictionary((pod["volumes"] as? [[String: Any]] ?? []).compactMap { v in (v["name"] as? String).map { ($0, v) } }) { a, _ in a }
        let mounts = container["volumeMounts"] as? [[String: Any]] ?? []
        func volume(mountedAt path: String) -> [String: Any]? {
            mounts.first { $0["mountPath"] as? String == path }.flatMap { $0["name"] as? String }.flatMap { volumes[$0] }
        }
        let data = try #require(volume(mountedAt: "/var/lib/certcycle"), "nothing is mounted at /var/lib/certcycle")
        let claimName = try #require(Self.dig(data, "persistentVolumeClaim", "claimName") as? String, "/var/lib/certcycle is not a PersistentVolumeClaim")
        let claim = try #require(documents.first { $0["kind"] as? String == "PersistentVolumeClaim" && Self.dig($0, "metadata", "name") as? String == claimName },
                                 "kubernetes/pvc.yaml has no claim \(claimName)")
        #expect((Self.dig(claim, "spec", "accessModes") as? [String]) == ["ReadWriteOnce"])

        let arguments = (container["args"] as? [String]) ?? []
        let configPath = try #require(arguments.firstIndex(of: "--config").flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil },
                                      "the CronJob passes no --config")
        let configFolder = (configPath as NSString).deletingLastPathComponent
        let config = try #require(volume(mountedAt: configFolder), "nothing is mounted at \(configFolder) for --config \(configPath)")
        let configMapName = try #require(Self.dig(config, "configMap", "name") as? String, "\(configFolder) is not a ConfigMap")
        let configMap = try #require(documents.first { $0["kind"] as? String == "ConfigMap" && Self.dig($0, "metadata", "name") as? String == configMapName },
                                     "kubernetes/configmap.yaml has no ConfigMap \(configMapName)")
        let toml = try #require(Self.dig(configMap, "data", (configPath as NSString).lastPathComponent) as? String,
                                "ConfigMap \(configMapName) has no \((configPath as NSString).lastPathComponent)")

        // secret_credential entries are read from $CREDENTIALS_DIRECTORY: it must be a Secret mount.
        if toml.contains("secret_credential") {
            let environment = container["env"] as? [[String: Any]] ?? []
            let directory = try #require(environment.first { $0["name"] as? String == "CREDENTIALS_DIRECTORY" }?["value"] as? String,
                                         "the configuration uses secret_credential but the container sets no CREDENTIALS_DIRECTORY")
            let secrets = try #require(volume(mountedAt: directory), "nothing is mounted at CREDENTIALS_DIRECTORY \(directory)")
            #expect(Self.dig(secrets, "secret", "secretName") is String, "\(directory) is not a Secret")
        }

        // The ConfigMap's configuration loads with the real loader.
        let tmp = try TemporaryFolder("deploy-configmap")
        defer { tmp.cleanUp() }
        try toml.write(toFile: tmp.path("certcycle.toml"), atomically: true, encoding: .utf8)
        try expectConfigurationLoads(tmp.path("certcycle.toml"), in: tmp)
    }

    // MARK: Configuration

    @Test("the example configuration loads, with its optional keys switched on too")
    func exampleConfigurationLoads() throws {
        let tmp = try TemporaryFolder("deploy-config")
        defer { tmp.cleanUp() }
        let example = Self.deploy.appendingPathComponent("certcycle.toml.example").path
        try expectConfigurationLoads(example, in: tmp)

        // Uncomment `# healthcheck_url = …` and the commented second endpoint.
        var lines: [String] = []
        var inCommentedTable = false
        for line in try String(contentsOfFile: example, encoding: .utf8).components(separatedBy: "\n") {
            if line.hasPrefix("# [[") { inCommentedTable = true }
            if line.hasPrefix("# healthcheck_url = ") || (inCommentedTable && line.hasPrefix("# ")) {
                lines.append(String(line.dropFirst(2)))
            } else {
                lines.append(line)
            }
        }
        let full = tmp.path("full.toml")
        try lines.joined(separator: "\n").write(toFile: full, atomically: true, encoding: .utf8)
        #expect(lines.contains { $0.hasPrefix("healthcheck_url = ") }, "the example should show healthcheck_url")
        try expectConfigurationLoads(full, in: tmp)
    }

    /// Loads `path` through `certcycle scan`, with the repository's Jobs/ and a scratch register
    /// in place of the installed ones; exit 78 would name the bad key.
    func expectConfigurationLoads(_ path: String, in tmp: TemporaryFolder) throws {
        // scan never makes a register: make the scratch one first (an empty import folder is refused).
        let fixture = packageRoot.appendingPathComponent("Tests/CertCycleRegisterTests/Fixtures/good-register").path
        let made = try runCertcycle(["import", fixture, "--db", "sqlite:" + tmp.path("scratch.sqlite")], in: tmp.path)
        #expect(made.status == 0, "\(made.stderr)")
        let result = try runCertcycle(["scan", "--config", path, "--jobs", packageRoot.appendingPathComponent("Jobs").path,
                                       "--db", "sqlite:" + tmp.path("scratch.sqlite"), "--as-of", "2026-01-05", "--format", "jsonl"], in: tmp.path)
        #expect(result.status == 0, "\((path as NSString).lastPathComponent) does not load: \(result.stderr)")
    }

    // MARK: Reading the files

    static func unitFiles() throws -> [String: String] {
        var units: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: systemdFolder.path) where name.hasSuffix(".service") || name.hasSuffix(".timer") {
            units[name] = try String(contentsOf: systemdFolder.appendingPathComponent(name), encoding: .utf8)
        }
        return units
    }

    /// The command part of `certcycle.cron`'s job lines (comments and VAR=value lines left out).
    static func cronJobLines() throws -> [String] {
        let text = try String(contentsOf: deploy.appendingPathComponent("cron/certcycle.cron"), encoding: .utf8)
        let lines = text.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            .filter { line in
                let name = line.prefix { $0 != "=" && $0 != " " }
                return !(line.dropFirst(name.count).trimmingCharacters(in: .whitespaces).hasPrefix("=") && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" })
            }
        #expect(!lines.isEmpty, "certcycle.cron has no job line")
        for line in lines {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            #expect(fields.count > 6 && fields.prefix(5).allSatisfy { $0.allSatisfy { "0123456789*/,-".contains($0) } },
                    "not a cron job line (five time fields, user, command): \(line)")
        }
        return lines
    }

    /// The `secret_credential` names set (not commented out) in the example configuration.
    static func activeSecretCredentials() throws -> [String] {
        let text = try String(contentsOf: deploy.appendingPathComponent("certcycle.toml.example"), encoding: .utf8)
        return text.components(separatedBy: "\n").compactMap { line in
            guard line.hasPrefix("secret_credential"), let open = line.firstIndex(of: "\"") else { return nil }
            return String(line[line.index(after: open)...].prefix { $0 != "\"" })
        }
    }

    /// Each container of the CronJob that runs certcycle: its arguments after the binary.
    static func cronJobContainers() throws -> [(String, [String])] {
        let documents = try yamlDocuments(["kubernetes/cronjob.yaml"])
        var result: [(String, [String])] = []
        for document in documents where document["kind"] as? String == "CronJob" {
            let containers = Self.dig(document, "spec", "jobTemplate", "spec", "template", "spec", "containers") as? [[String: Any]] ?? []
            for container in containers {
                let name = container["name"] as? String ?? "?"
                let command = container["command"] as? [String] ?? []
                let arguments = container["args"] as? [String] ?? []
                // No command: the image's entrypoint is certcycle; a command must name it.
                if command.isEmpty || (command.first.map { ($0 as NSString).lastPathComponent == "certcycle" } ?? false) {
                    result.append((name, Array(command.dropFirst()) + arguments))
                }
            }
        }
        return result
    }

    /// The arguments after an absolute `…/certcycle` path in a command line, up to the first
    /// shell operator or redirection; nil when the line does not run certcycle. systemd's
    /// ExecStart prefixes (`-`, `@`, `:`, `+`, `!`) are allowed before the path.
    static func certcycleInvocation(_ commandLine: String) -> [String]? {
        let tokens = commandLine.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let start = tokens.firstIndex(where: { token in
            let path = token.drop { "-@:+!".contains($0) }
            return path.hasPrefix("/") && path.hasSuffix("/certcycle")
        }) else { return nil }
        var arguments: [String] = []
        for token in tokens[(start + 1)...] {
            if [";", "|", "||", "&&", "&", "}", ")"].contains(token) || token.contains(">") || token.contains("<") { break }
            if token.hasSuffix(";") {
                arguments.append(String(token.dropLast()))
                break
            }
            arguments.append(token)
        }
        return arguments
    }

    /// Every `--option` named in a help text.
    static func longOptions(in help: String) -> Set<String> {
        var options = Set<String>()
        for match in help.matches(of: /--[a-z0-9][a-z0-9-]*/) {
            // "--format" inside "--log-format" is not an option of its own.
            if match.range.lowerBound > help.startIndex {
                let before = help[help.index(before: match.range.lowerBound)]
                if before.isLetter || before.isNumber || before == "-" { continue }
            }
            options.insert(String(match.output))
        }
        return options
    }

    /// The YAML documents of `files` (relative to Deploy/), read with python3 and PyYAML.
    static func yamlDocuments(_ files: [String]) throws -> [[String: Any]] {
        let python = try #require(Self.findExecutable("python3"), "python3 is needed to read the Kubernetes YAML")
        let script = """
        import json, sys
        try:
            import yaml
        except ImportError:
            sys.exit("PyYAML is missing: pip install PyYAML (or apt-get install python3-yaml)")
        documents = []
        for path in sys.argv[1:]:
            with open(path, encoding="utf-8") as f:
                documents += [d for d in yaml.safe_load_all(f) if d is not None]
        print(json.dumps(documents))
        """
        let tmp = try TemporaryFolder("deploy-yaml")
        defer { tmp.cleanUp() }
        let result = try Self.runTool(python, ["-c", script] + files.map { deploy.appendingPathComponent($0).path }, in: tmp.path)
        try #require(result.status == 0, "reading \(files) failed: \(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try #require(json as? [[String: Any]], "\(files): every YAML document should be a mapping")
    }
}

// MARK: - A strict reader of systemd unit files

struct UnitFileError: Error, CustomStringConvertible {
    var description: String
}

extension DeployTests {
    /// A systemd unit file: `[Section]` headers, `Key=Value` lines (repeatable), `#` and `;`
    /// comments on their own lines, and backslash continuations. Anything else is an error,
    /// and so is a section that the unit's type does not have.
    struct UnitFile {
        struct Entry {
            var section: String
            var key: String
            var value: String
            var line: Int
        }

        var entries: [Entry] = []

        static func sections(for name: String) -> Set<String> {
            if name.hasSuffix(".service") { return ["Unit", "Service", "Install"] }
            if name.hasSuffix(".timer") { return ["Unit", "Timer", "Install"] }
            return ["Unit", "Install"]
        }

        init(_ text: String, name: String) throws {
            let allowed = Self.sections(for: name)
            var section: String?
            var pending: (text: String, line: Int)?
            for (index, raw) in text.components(separatedBy: "\n").enumerated() {
                var line = raw.trimmingCharacters(in: .whitespaces)
                if let start = pending {
                    // Comment lines inside a continuation are skipped, as systemd does.
                    if line.hasPrefix("#") || line.hasPrefix(";") { continue }
                    line = start.text + " " + line
                } else if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") {
                    continue
                }
                let number = pending?.line ?? index + 1
                if line.hasSuffix("\\") {
                    pending = (String(line.dropLast()).trimmingCharacters(in: .whitespaces), number)
                    continue
                }
                pending = nil
                if line.hasPrefix("[") {
                    guard line.hasSuffix("]") else { throw UnitFileError(description: "\(name):\(number): bad section header: \(line)") }
                    let header = String(line.dropFirst().dropLast())
                    guard allowed.contains(header) else {
                        throw UnitFileError(description: "\(name):\(number): unknown section [\(header)]; this kind of unit has \(allowed.sorted())")
                    }
                    section = header
                    continue
                }
                guard let equals = line.firstIndex(of: "=") else {
                    throw UnitFileError(description: "\(name):\(number): not a Key=Value line: \(line)")
                }
                let key = line[..<equals].trimmingCharacters(in: .whitespaces)
                guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                    throw UnitFileError(description: "\(name):\(number): bad key '\(key)'")
                }
                guard let section else { throw UnitFileError(description: "\(name):\(number): \(key)= before any [Section]") }
                let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                entries.append(Entry(section: section, key: key, value: value, line: number))
            }
            if let pending { throw UnitFileError(description: "\(name):\(pending.line): the file ends inside a continuation line") }
        }

        func values(_ section: String, _ key: String) -> [String] {
            entries.filter { $0.section == section && $0.key == key }.map(\.value)
        }

        /// The value in force: the last assignment.
        func value(_ section: String, _ key: String) -> String? { values(section, key).last }
    }
}

// MARK: - Helpers

extension DeployTests {
    typealias ToolResult = CommandResult

    /// `object[k1][k2]…` through dictionaries (String keys) and arrays (Int keys).
    static func dig(_ object: Any?, _ path: Any...) -> Any? {
        var current = object
        for step in path {
            if let key = step as? String {
                current = (current as? [String: Any])?[key]
            } else if let index = step as? Int, let array = current as? [Any], array.indices.contains(index) {
                current = array[index]
            } else {
                return nil
            }
        }
        return current
    }

    /// The first `name` on $PATH (or in the usual system folders) that is executable.
    static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/local/bin", "/usr/bin", "/bin"]
        return folders.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// 252 for "systemd 252 (252.38-1~deb12u1)".
    static func systemdVersion(_ analyze: String) throws -> Int? {
        let result = try runTool(analyze, ["--version"], in: FileManager.default.temporaryDirectory.path)
        return result.stdout.split(separator: "\n").first?.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    /// Runs a tool with systemd's pager and colours off.
    static func runTool(_ executable: String, _ arguments: [String], in directory: String) throws -> ToolResult {
        var environment = ProcessInfo.processInfo.environment
        environment["SYSTEMD_PAGER"] = ""
        environment["SYSTEMD_COLORS"] = "0"
        return try runProcess(executable, arguments, in: directory, environment: environment)
    }
}
