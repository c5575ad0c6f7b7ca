import CertCycleConfig
import CertCycleCore
@testable import CertCycleRegister
import CertCycleSampleData
import CertCycleStoreTestSupport
import CertCycleTestSupport
import Foundation
import Testing

@Suite("Generating a synthetic register")
struct GeneratorTests {
    static let reference = CivilDate(year: 2026, month: 6, day: 30)!

    /// A fresh folder under the system's temporary directory, removed after `body`.
    static func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("certcycle-generator-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        return try body(url.path)
    }

    /// Generates `certificates` into a temporary folder and imports it into a register there.
    static func withImportedRegister<T>(certificates: Int, seed: UInt64 = 1, store kind: StoreKind = .sqlite,
                                        _ body: (any Register, [RegisterTable: Int]) throws -> T) throws -> T {
        try withTemporaryDirectory { directory in
            let files = directory + "/files"
            let written = try RegisterGenerator(certificates: certificates, seed: seed, around: reference).write(to: files)
            let folder = try TemporaryFolder("generator-store")
            let store = try TestStore(kind, in: folder, name: "reg")
            defer {
                store.cleanUp()
                folder.cleanUp()
            }
            let register = store.register
            do {
                _ = try RegisterImporter(register: register).importDirectory(files)
            } catch let failure as ImportFailure {
                Issue.record("the generated register does not import:\n\(failure.description.prefix(4000))")
                throw failure
            }
            return try body(register, written)
        }
    }

    /// The shipped working-day calendar: `<package root>/Jobs/calendars`.
    static func calendar() throws -> WorkingCalendar {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try Jobs.loadCalendars(directory: root.appendingPathComponent("Jobs/calendars").path)
    }

    @Test("same seed, same files; another seed, other files")
    func sameSeedSameFiles() throws {
        try Self.withTemporaryDirectory { directory in
            let first = try RegisterGenerator(certificates: 300, seed: 7).write(to: directory + "/a")
            let second = try RegisterGenerator(certificates: 300, seed: 7).write(to: directory + "/b")
            let other = try RegisterGenerator(certificates: 300, seed: 8).write(to: directory + "/c")
            #expect(first == second)
            #expect(first[.certificates] == 300 && other[.certificates] == 300)
            var differs = false
            for table in RegisterTable.allCases {
                let a = FileManager.default.contents(atPath: "\(directory)/a/\(table.fileName)")
                let b = FileManager.default.contents(atPath: "\(directory)/b/\(table.fileName)")
                let c = FileManager.default.contents(atPath: "\(directory)/c/\(table.fileName)")
                #expect(a != nil && a == b, "\(table.fileName) differs between two runs with seed 7")
                if a != c { differs = true }
            }
            #expect(differs, "seed 8 gave the same files as seed 7")
        }
    }

    @Test("every file starts with a byte order mark and a header of every column in order")
    func headers() throws {
        try Self.withTemporaryDirectory { directory in
            _ = try RegisterGenerator(certificates: 0).write(to: directory + "/empty")
            for table in RegisterTable.allCases {
                let data = try #require(FileManager.default.contents(atPath: "\(directory)/empty/\(table.fileName)"))
                #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF])
                let header = String(decoding: data.dropFirst(3), as: UTF8.self)
                #expect(header == table.columns.map(\.name).joined(separator: ",") + "\r\n")
            }
        }
    }

    @Test("generated register imports cleanly, with the row counts write returned", arguments: StoreKind.all)
    func importsCleanly(_ kind: StoreKind) throws {
        try Self.withImportedRegister(certificates: 2000, store: kind) { register, written in
            #expect(Set(written.keys) == Set(RegisterTable.allCases))
            for table in RegisterTable.allCases {
                let stored = try register.count(table)
                #expect(stored == written[table], "\(table.fileName)")
                #expect(written[table, default: 0] > 0, "\(table.fileName) is empty")
            }
            #expect(written[.certificates] == 2000)
            // About 1.2 certificates per organisation.
            let perOrganization = Double(written[.certificates]!) / Double(written[.organizations]!)
            #expect((1.1...1.3).contains(perOrganization))
        }
    }

    @Test("organisations, certificates and credit codes look like real ones")
    func realisticRows() throws {
        try Self.withImportedRegister(certificates: 500) { register, _ in
            var previous = ""
            var employees: [Int] = []
            try register.forEachRow(of: .organizations) { row in
                guard case .text(let id)? = row[0], case .text(let name)? = row[1], case .text(let address)? = row[2],
                      case .text(let code)? = row[3], case .integer(let staff)? = row[4] else {
                    Issue.record("incomplete organisation row \(row)")
                    return
                }
                #expect(id > previous)
                previous = id
                #expect(id.hasPrefix("ORG-") && id.count == 10)
                #expect(name.hasSuffix("有限公司") || name.hasSuffix("有限责任公司"))
                #expect(address.hasSuffix(" 号") && address.contains("市"))
                #expect(code.hasPrefix("91") && CreditCode.problem(with: code) == nil)
                employees.append(staff)
            }
            #expect(employees.allSatisfy { (5...3000).contains($0) })
            #expect(employees.filter { $0 <= 100 }.count > employees.count / 2)
            try register.forEachRow(of: .certificates) { row in
                guard case .text(let certNo)? = row[0], case .text(let scope)? = row[2] else { return }
                #expect(certNo.wholeMatch(of: /CAS-20\d\d-\d{6}/) != nil)
                #expect(scope.contains("售后服务（") && scope.hasSuffix("）"))
            }
        }
    }

    @Test("generated register covers every obligation kind and status", arguments: [1, 2026] as [UInt64])
    func coverage(seed: UInt64) throws {
        let rules = CertificationRules(calendar: try Self.calendar())
        let dates = [Self.reference.addingDays(-180), Self.reference, Self.reference.addingDays(180)]
        try Self.withImportedRegister(certificates: 2000, seed: seed) { register, _ in
            var kinds: [ObligationKind: Int] = [:]
            var stages: [Stage: Int] = [:]
            var statuses: [CertificateStatus: Int] = [:]
            var fiveStars = 0
            var compliance = 0
            var onReference: [String: Int] = [:]
            try register.forEachCertificate { file in
                let history = CertificateHistory(file)
                for date in dates {
                    for obligation in rules.obligations(of: history, on: date) {
                        kinds[obligation.kind, default: 0] += 1
                        stages[obligation.stage, default: 0] += 1
                        if date == Self.reference { onReference["\(obligation.kind.rawValue)/\(obligation.stage.rawValue)", default: 0] += 1 }
                    }
                    if let state = rules.publicState(of: history, on: date) {
                        statuses[state.status, default: 0] += 1
                        if state.star == .fiveStar { fiveStars += 1 }
                        if date == Self.reference {
                            onReference["status/\(state.status.rawValue)", default: 0] += 1
                            onReference["star/\(state.star.rawValue)", default: 0] += 1
                        }
                    }
                    let warnings = rules.findings(of: history, on: date).filter { $0.kind == .compliance }.count
                    compliance += warnings
                    if date == Self.reference { onReference["finding/compliance", default: 0] += warnings }
                }
            }
            let appeals = try register.appeals()
            let notAccepted = try register.notAcceptedApplications()
            for date in dates {
                for obligation in appeals.compactMap({ rules.obligation(of: $0, on: date) }) + notAccepted.compactMap({ rules.obligation(of: $0, on: date) }) {
                    kinds[obligation.kind, default: 0] += 1
                    stages[obligation.stage, default: 0] += 1
                    if date == Self.reference { onReference["\(obligation.kind.rawValue)/\(obligation.stage.rawValue)", default: 0] += 1 }
                }
            }
            // The body's own obligations come from the ledger, not from register rows.
            for kind in ObligationKind.allCases where kind.subjectType != .body {
                #expect(kinds[kind, default: 0] > 0, "no \(kind.rawValue) obligation on any of \(dates)")
            }
            for stage in Stage.allCases {
                #expect(stages[stage, default: 0] > 0, "no obligation at stage \(stage.rawValue)")
            }
            for status in CertificateStatus.allCases {
                #expect(statuses[status, default: 0] > 0, "no certificate \(status.rawValue)")
            }
            #expect(fiveStars > 0)
            #expect(compliance > 0)
            print("On \(Self.reference), 2000 certificates, seed \(seed): "
                + onReference.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
    }
}
