public import CertCycleCore
import CertCycleCSV
public import CertCycleRegister
import Foundation

/// `certcycle generate`: a synthetic register of N certificates with realistic histories, as the
/// register's CSV files, for demos, load tests and benchmarks.
///
/// The register is what staff would hold on `reference`: everything dated on or before it has
/// happened and is recorded; after it there are only planned audits (on-site dates, team and
/// man-days, no score or decision). Later dates are left blank: a nonconformity closed after
/// `reference` is still open, a suspension lifted after it is still in force.
///
/// Each certificate's life follows RULES.md §2–§4: first decisions spread evenly over the 4½ years
/// before `reference` (and a few weeks after it: not yet issued, or audited but undecided), two
/// surveillance audits a cycle (some late, some of those suspended under 9.3.2.1(4) and either
/// restored or withdrawn under 9.3.3.1(5)), recertification (some applications late or missing,
/// some audits after expiry or failed), five-star grades and their revocation, nonconformities,
/// and, for about one certificate in a hundred each, misuse cases, special audits, withdrawals for
/// other reasons, partial and licence suspensions, appeals and applications found not acceptable.
/// The rare events are dealt out at a steady rate (every 1/rate-th certificate that can take one)
/// rather than by chance, so that even a register of a few thousand certificates shows every
/// obligation kind and status.
///
/// Deterministic: the same (certificates, seed, reference) give byte-identical files. Every
/// certificate draws from its own xoshiro256** stream seeded from (seed, index), organisations
/// from theirs; nothing depends on the clock or on hash order. Streaming: rows are written as each
/// certificate is generated, through one open `CSVFileWriter` per table.
public struct RegisterGenerator: Sendable {
    public let certificates: Int
    public let seed: UInt64
    public let reference: CivilDate

    public init(certificates: Int, seed: UInt64 = 1, around reference: CivilDate = CivilDate(year: 2026, month: 6, day: 30)!) {
        precondition(certificates >= 0, "the number of certificates cannot be negative")
        self.certificates = certificates
        self.seed = seed
        self.reference = reference
    }

    /// Writes organizations.csv … misuse.csv (all 9 files of RegisterTable, header row = every column of
    /// RegisterTable.columns in order) into `directory` (created if missing), UTF-8 with BOM via CSVFileWriter.
    /// Returns the number of rows written per table.
    public func write(to directory: String, progress: WorkProgress = .none) throws -> [RegisterTable: Int] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let sink = try RegisterSink(directory: directory)
        var run = GeneratorRun(self)
        for index in 0..<certificates {
            try run.generateCertificate(index, into: sink)
            progress("generating certificates", index + 1, of: certificates)
        }
        return try sink.finish()
    }
}

// MARK: - Output

/// The nine table files, open at once, with the rows written to each.
private final class RegisterSink {
    private var writers: [CSVFileWriter] = []
    private var counts: [Int]
    private let columnCounts: [Int]

    init(directory: String) throws {
        let tables = RegisterTable.allCases
        counts = Array(repeating: 0, count: tables.count)
        columnCounts = tables.map(\.columns.count)
        for table in tables {
            let writer = try CSVFileWriter(path: directory + "/" + table.fileName, bom: true)
            try writer.write(table.columns.map(\.name))
            writers.append(writer)
        }
    }

    func write(_ table: RegisterTable, _ fields: [String]) throws {
        let index = table.ordinal
        assert(fields.count == columnCounts[index], "\(table.fileName): \(fields.count) fields for \(columnCounts[index]) columns")
        try writers[index].write(fields)
        counts[index] += 1
    }

    /// Closes every file (all of them, even after a failure) and returns the row counts.
    func finish() throws -> [RegisterTable: Int] {
        var firstError: (any Error)?
        for writer in writers {
            do { try writer.close() } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
        var result: [RegisterTable: Int] = [:]
        for (index, table) in RegisterTable.allCases.enumerated() { result[table] = counts[index] }
        return result
    }
}

/// `YYYY-MM-DD` for the days the generator uses, formatted once.
private struct DateText {
    private let first: Int
    private let texts: [String]

    init(from start: CivilDate, through end: CivilDate) {
        first = start.dayNumber
        texts = (start.dayNumber...max(start.dayNumber, end.dayNumber)).map { CivilDate(dayNumber: $0).description }
    }

    func callAsFunction(_ date: CivilDate) -> String {
        let index = date.dayNumber - first
        return index >= 0 && index < texts.count ? texts[index] : date.description
    }

    func optional(_ date: CivilDate?) -> String {
        date.map { self($0) } ?? ""
    }
}

// MARK: - Randomness

/// xoshiro256** seeded through SplitMix64: fast, and the same numbers on every platform and
/// Swift version (unlike the standard library's `random(in:)` helpers, whose algorithms may change).
private struct GeneratorRandom {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    init(seed: UInt64) {
        var state = seed
        s0 = Self.splitMix(&state)
        s1 = Self.splitMix(&state)
        s2 = Self.splitMix(&state)
        s3 = Self.splitMix(&state)
    }

    /// A seed for one independent stream (`stream` names what it is for, `index` which one).
    static func seed(_ seed: UInt64, stream: UInt64, index: Int) -> UInt64 {
        var state = seed ^ (stream &* 0xD1B5_4A32_D192_ED03)
        _ = splitMix(&state)
        state ^= UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15
        return splitMix(&state)
    }

    static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next() -> UInt64 {
        let result = rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotate(s3, 45)
        return result
    }

    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// 0 ..< n (n ≥ 1), by multiplication (Lemire, without the rejection step: the bias is < n / 2⁶⁴).
    mutating func below(_ n: Int) -> Int {
        precondition(n > 0)
        return Int(next().multipliedFullWidth(by: UInt64(n)).high)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    mutating func chance(_ probability: Double) -> Bool { unit() < probability }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

    /// An index into `weights`, each chosen in proportion to its weight.
    mutating func weighted(_ weights: [Int]) -> Int {
        var r = below(weights.reduce(0, +))
        for (index, weight) in weights.enumerated() {
            if r < weight { return index }
            r -= weight
        }
        return weights.count - 1
    }

    /// A day from `low` through `high` (`low` when the range is empty).
    mutating func date(_ low: CivilDate, _ high: CivilDate) -> CivilDate {
        high < low ? low : low.addingDays(below(low.days(to: high) + 1))
    }
}

// MARK: - Dates

private func weekdayOnOrBefore(_ date: CivilDate) -> CivilDate {
    switch date.isoWeekday {
    case 6: date.addingDays(-1)
    case 7: date.addingDays(-2)
    default: date
    }
}

private func weekdayOnOrAfter(_ date: CivilDate) -> CivilDate {
    switch date.isoWeekday {
    case 6: date.addingDays(2)
    case 7: date.addingDays(1)
    default: date
    }
}

/// The `n`-th Monday–Friday strictly after `date` (before it for negative `n`). Holidays are left
/// out on purpose: the generator has no calendar, and its "late" decisions are late by a margin.
private func addingWeekdays(_ date: CivilDate, _ n: Int) -> CivilDate {
    var day = date
    var left = abs(n)
    let step = n < 0 ? -1 : 1
    while left > 0 {
        day = day.addingDays(step)
        if !day.isWeekend { left -= 1 }
    }
    return day
}

private func zeroPadded(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}

// MARK: - The run

/// Events that about one certificate in a hundred has, dealt out at a steady rate.
private enum RareEvent: Int, CaseIterable {
    case otherWithdrawal, misuse, recentMisuse, specialAudit, appeal, notAccepted
    case partialSuspension, licenceSuspension, scopeExtension, change, printedExpiry

    /// Events per certificate.
    var rate: Double {
        switch self {
        case .otherWithdrawal: 0.010
        case .misuse: 0.008
        case .recentMisuse: 0.0025
        case .specialAudit: 0.010
        case .appeal: 0.005
        case .notAccepted: 0.020
        case .partialSuspension: 0.006
        case .licenceSuspension: 0.004
        case .scopeExtension: 0.010
        case .change: 0.010
        case .printedExpiry: 0.002
        }
    }
}

private struct RareSchedule {
    /// Accumulates `rate` per certificate; each whole unit makes one event pending.
    var credit: Double
    /// Events owed but not yet placed (the certificates since could not take one).
    var pending = 0
    /// Events placed so far; decides their outcome in turn (every 4th appeal unanswered…).
    var placed = 0
}

private struct GeneratorSettings {
    let reference: CivilDate
    /// Nothing later than this is simulated: it could only be blanked out.
    let horizon: CivilDate
    /// Rare events fall in the two years before `reference`.
    let recent: CivilDate
    let auditors: Int
    let deciders: Int
}

private struct OrganizationProfile {
    let id: String
    let name: String
    let address: String
    let creditCode: String
    let employees: Int
    let email: String
    let city: ChineseNames.City
    let industry: ChineseNames.Industry
}

private struct GeneratorRun {
    let count: Int
    let seed: UInt64
    let settings: GeneratorSettings
    let dates: DateText
    /// First decisions are spread over [firstDecisionFrom, firstDecisionFrom + spanDays).
    let firstDecisionFrom: CivilDate
    let spanDays: Int
    /// Digits of organisation numbers.
    let idWidth: Int
    /// Digits of certificate serial numbers (counted per year).
    let serialWidth: Int

    /// Draws that tie certificates together (which organisation holds which certificate).
    var structure: GeneratorRandom
    /// Organisations with one certificate that may still get a second one.
    var candidates: [Int] = []
    var organizations = 0
    var year = 0
    var serial = 0
    var schedules: [RareSchedule]

    init(_ generator: RegisterGenerator) {
        let reference = generator.reference
        count = generator.certificates
        seed = generator.seed
        settings = GeneratorSettings(
            reference: reference,
            horizon: reference.addingDays(150),
            recent: reference.addingYears(-2),
            auditors: max(12, min(9999, generator.certificates / 40)),
            deciders: max(4, min(99, generator.certificates / 400))
        )
        firstDecisionFrom = reference.addingMonths(-54)
        spanDays = firstDecisionFrom.days(to: reference.addingDays(60))
        dates = DateText(from: firstDecisionFrom.addingDays(-400), through: reference.addingDays(1200))
        idWidth = max(6, String(generator.certificates).count)
        // One first decision per slice of spanDays / count days: at most this many fall in a year.
        let perYear = 366 * generator.certificates / max(spanDays, 1) + 2
        serialWidth = max(6, String(perYear).count)
        structure = GeneratorRandom(seed: GeneratorRandom.seed(generator.seed, stream: 3, index: 0))
        var schedules: [RareSchedule] = []
        for _ in RareEvent.allCases { schedules.append(RareSchedule(credit: structure.unit())) }
        self.schedules = schedules
    }

    mutating func generateCertificate(_ index: Int, into sink: RegisterSink) throws {
        var rng = GeneratorRandom(seed: GeneratorRandom.seed(seed, stream: 1, index: index))
        // Stratified: certificate i's first decision falls in the i-th of `count` equal slices, so
        // decisions (and with them the year in the number) never go back as the index grows.
        let offset = Int((Double(index) + rng.unit()) * Double(spanDays) / Double(count))
        // Monotonic too, so the year in the number is the (planned) first decision's.
        let firstDecision = weekdayOnOrBefore(firstDecisionFrom.addingDays(min(offset, spanDays - 1)))
        if firstDecision.year != year {
            year = firstDecision.year
            serial = 0
        }
        serial += 1
        let core = "\(year)-\(zeroPadded(serial, serialWidth))"
        let certNo = "CAS-" + core

        // About 1.2 certificates per organisation: a sixth of certificates go to an organisation
        // that already holds one.
        let organization: OrganizationProfile
        if !candidates.isEmpty, structure.chance(1.0 / 6) {
            let slot = structure.below(candidates.count)
            organization = Self.organization(candidates[slot], seed: seed, width: idWidth)
            candidates.swapAt(slot, candidates.count - 1)
            candidates.removeLast()
        } else {
            organization = Self.organization(organizations, seed: seed, width: idWidth)
            if candidates.count < 2048 {
                candidates.append(organizations)
            } else {
                candidates[structure.below(candidates.count)] = organizations
            }
            organizations += 1
            try sink.write(.organizations, [organization.id, organization.name, organization.address, organization.creditCode,
                                            String(organization.employees), organization.email])
        }

        var life = CertificateLife(rng: rng, settings: settings, certNo: certNo, core: core, organization: organization)
        let sites = life.serviceSites()
        life.simulate(firstDecision: firstDecision)

        for event in RareEvent.allCases where event != .printedExpiry {
            schedules[event.rawValue].credit += event.rate
            if schedules[event.rawValue].credit >= 1 {
                schedules[event.rawValue].credit -= 1
                schedules[event.rawValue].pending += 1
            }
            if schedules[event.rawValue].pending > 0, life.add(event, turn: schedules[event.rawValue].placed) {
                schedules[event.rawValue].pending -= 1
                schedules[event.rawValue].placed += 1
            }
        }
        life.cutAtWithdrawal()
        life.keepOnlyWhatIsKnown()

        var printed: CivilDate?
        let p = RareEvent.printedExpiry.rawValue
        schedules[p].credit += RareEvent.printedExpiry.rate
        if schedules[p].credit >= 1 {
            schedules[p].credit -= 1
            schedules[p].pending += 1
        }
        if schedules[p].pending > 0, let date = life.printedExpiry() {
            printed = date
            schedules[p].pending -= 1
            schedules[p].placed += 1
        }

        try sink.write(.certificates, [certNo, organization.id, life.scope, Certificate.defaultStandard, sites, dates.optional(printed)])
        try life.write(into: sink, dates: dates)
    }

    /// Organisation `index` (0-based), the same every time it is asked for.
    static func organization(_ index: Int, seed: UInt64, width: Int) -> OrganizationProfile {
        var rng = GeneratorRandom(seed: GeneratorRandom.seed(seed, stream: 2, index: index))
        let city = ChineseNames.cities[rng.weighted(ChineseNames.cityWeights)]
        let industry = ChineseNames.industries[rng.weighted(ChineseNames.industryWeights)]
        let first = !city.tags.isEmpty && rng.chance(0.12) ? rng.pick(city.tags) : rng.pick(ChineseNames.brandFirst)
        var second = rng.pick(ChineseNames.brandSecond)
        while second.text == first.text { second = rng.pick(ChineseNames.brandSecond) }
        let form = ChineseNames.companyForms[rng.weighted(ChineseNames.companyForms.map { $0.weight })].form
        let name = city.name + first.text + second.text + rng.pick(industry.nameWords) + form
        let district = rng.pick(city.districts)
        let address = Self.address(in: city, district: district, rng: &rng)
        let creditCode = Self.creditCode(region: district.code, rng: &rng)
        // Service-related headcount, mostly small: Appendix A's bands, a few above 1000.
        let bands: [(ClosedRange<Int>, Int)] = [(5...20, 300), (21...50, 250), (51...100, 180), (101...200, 120),
                                               (201...500, 90), (501...1000, 35), (1001...3000, 25)]
        let employees = rng.int(bands[rng.weighted(bands.map { $0.1 })].0)
        var email = ""
        if rng.chance(0.9) {
            let local = rng.pick(ChineseNames.mailboxes)
            let domain = first.pinyin + second.pinyin + (rng.chance(0.4) ? city.pinyin : "") + rng.pick(ChineseNames.domainEndings)
            email = local + "@" + domain
        }
        return OrganizationProfile(id: "ORG-" + zeroPadded(index + 1, width), name: name, address: address, creditCode: creditCode,
                                   employees: employees, email: email, city: city, industry: industry)
    }

    /// "浙江省杭州市西湖区文三路 128 号".
    static func address(in city: ChineseNames.City, district: ChineseNames.District, rng: inout GeneratorRandom) -> String {
        let u = rng.unit()
        let number = 1 + Int(u * u * 998)
        return city.prefix + district.name + rng.pick(city.roads) + " \(number) 号"
    }

    private static let codeAlphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")

    /// "91" (enterprise registered with market regulation) + division code + a 9-character
    /// organisation code (GB 11714, with its own check character) + the GB 32100 check character.
    static func creditCode(region: String, rng: inout GeneratorRandom) -> String {
        var body: [Character]
        if rng.chance(0.55) {
            // Codes issued since 2015 start with MA.
            body = ["M", "A"]
            for _ in 0..<6 { body.append(codeAlphabet[rng.below(codeAlphabet.count)]) }
        } else {
            body = (0..<8).map { _ in codeAlphabet[rng.below(10)] }
        }
        let weights = [3, 7, 9, 10, 5, 8, 4, 2]
        var sum = 0
        for (character, weight) in zip(body, weights) {
            let value = character.wholeNumberValue ?? (Int(character.asciiValue!) - 55)
            sum += value * weight
        }
        let check = 11 - sum % 11
        let organizationCode = String(body) + (check == 10 ? "X" : check == 11 ? "0" : String(check))
        let first17 = "91" + region + organizationCode
        return first17 + String(CreditCode.checkCharacter(for: first17)!)
    }
}

// MARK: - One certificate

private struct AuditRecord {
    var id: String
    var kind: String
    var start: CivilDate
    var end: CivilDate
    /// In tenths of a point.
    var score: Int?
    var deductions: Int?
    var decision: CivilDate?
    var decidedBy: String?
    var team: String
    var manDays: String
    var dueOn: CivilDate?
    /// When the audit was planned: it is in the register from then on.
    var scheduledOn: CivilDate

    var passes: Bool { (score ?? 0) >= 700 && (deductions ?? 0) < AuditEvaluation.failingDeductions }
}

private struct NonconformityRecord {
    var id: String
    var audit: String
    var notified: CivilDate
    var due: CivilDate?
    var closed: CivilDate?
}

private struct SuspensionRecord {
    var id: String
    var reason: Int
    var cause: CivilDate
    var start: CivilDate
    var lifted: CivilDate?
    var reducedScope: String?
}

private struct WithdrawalRecord {
    var id: String
    var reason: Int
    var cause: CivilDate
    var decided: CivilDate
    var recalled: CivilDate?
}

private struct ApplicationRecord {
    var id: String
    var certNo: String?
    var kind: String
    var received: CivilDate
    var reviewed: CivilDate?
    var outcome: String
    var notified: CivilDate?
}

private struct AppealRecord {
    var id: String
    var received: CivilDate
    var replied: CivilDate?
}

private struct MisuseRecord {
    var id: String
    var requested: CivilDate
    var corrected: CivilDate?
}

private struct Evaluation {
    var tenths: Int
    var deductions: Int

    var passes: Bool { tenths >= 700 && deductions < AuditEvaluation.failingDeductions }
}

/// One certificate's records: simulated in full first, then cut at its withdrawal and at the
/// reference date, then written.
private struct CertificateLife {
    var rng: GeneratorRandom
    let settings: GeneratorSettings
    let certNo: String
    let core: String
    let organization: OrganizationProfile

    /// The scope's parts, so that a partial suspension can name what stays certified.
    let scopeHead: String
    let scopeItems: [String]
    let scopeEndsWithComplaints: Bool
    let scope: String

    var audits: [AuditRecord] = []
    var nonconformities: [NonconformityRecord] = []
    var suspensions: [SuspensionRecord] = []
    var withdrawals: [WithdrawalRecord] = []
    var applications: [ApplicationRecord] = []
    var appeals: [AppealRecord] = []
    var misuse: [MisuseRecord] = []
    /// Every cycle simulated: decision and the rule's valid-through.
    var cycles: [(decision: CivilDate, validThrough: CivilDate)] = []
    /// The earliest withdrawal decided, when there is one.
    var withdrawnOn: CivilDate?

    private var counters = [Int](repeating: 0, count: 7)

    init(rng: GeneratorRandom, settings: GeneratorSettings, certNo: String, core: String, organization: OrganizationProfile) {
        var rng = rng
        let industry = organization.industry
        var items = industry.services.filter { _ in rng.chance(0.7) }
        if items.count < 2 { items = Array(industry.services.prefix(2)) }
        let complaints = rng.chance(0.8)
        let sells = industry.sells && rng.chance(0.5)
        let head = industry.object + "的" + (sells ? "销售及" : "") + "售后服务"
        self.rng = rng
        self.settings = settings
        self.certNo = certNo
        self.core = core
        self.organization = organization
        scopeItems = items
        scopeEndsWithComplaints = complaints
        scopeHead = head
        scope = Self.scopeText(head, items, complaints)
    }

    static func scopeText(_ head: String, _ items: [String], _ complaints: Bool) -> String {
        head + "（" + (complaints ? items + [ChineseNames.complaintHandling] : items).joined(separator: "、") + "）"
    }

    /// 0–3 addresses where the service is also delivered, `;`-separated.
    mutating func serviceSites() -> String {
        let count = rng.weighted([40, 30, 20, 10])
        var sites: [String] = []
        for _ in 0..<count {
            var city = organization.city
            if rng.chance(0.3) {
                let sameProvince = ChineseNames.cities.filter { $0.province == city.province && !city.province.isEmpty }
                city = sameProvince.isEmpty ? rng.pick(ChineseNames.cities) : rng.pick(sameProvince)
            }
            sites.append(GeneratorRun.address(in: city, district: rng.pick(city.districts), rng: &rng))
        }
        return sites.joined(separator: ";")
    }

    // MARK: Ids and people

    private mutating func nextId(_ prefix: String, _ counter: Int) -> String {
        counters[counter] += 1
        return prefix + "-" + core + "-" + String(counters[counter])
    }

    private mutating func team() -> String {
        let lead = rng.int(1...settings.auditors)
        var second = rng.int(1...settings.auditors)
        while second == lead { second = rng.int(1...settings.auditors) }
        var members = [lead, second]
        if rng.chance(0.4), settings.auditors > 2 {
            var third = rng.int(1...settings.auditors)
            while members.contains(third) { third = rng.int(1...settings.auditors) }
            members.append(third)
        }
        return members.map { "AUD-" + zeroPadded($0, 4) }.joined(separator: ";")
    }

    /// Decision makers are never auditors (6.6): they come from their own list.
    private mutating func decider() -> String { "DM-" + zeroPadded(rng.int(1...settings.deciders), 2) }

    private mutating func manDays(_ kind: String) -> String {
        switch kind {
        case "initial": ManDays.format(ManDays(employees: organization.employees, audit: .initial).requiredHundredths)
        case "surveillance": ManDays.format(ManDays(employees: organization.employees, audit: .surveillance).requiredHundredths)
        case "recertification": ManDays.format(ManDays(employees: organization.employees, audit: .recertification).requiredHundredths)
        default: rng.pick(["1", "1.5", "2"])
        }
    }

    // MARK: Scores (6.5)

    /// A score in tenths between `low` and `high` whole points; one in five ends in .5.
    private mutating func score(_ low: Int, _ high: Int) -> Int {
        let whole = rng.int(low...high)
        return whole < high && rng.chance(0.2) ? whole * 10 + 5 : whole * 10
    }

    private mutating func passing(fiveStar: Bool) -> Evaluation {
        if fiveStar { return Evaluation(tenths: score(95, 99), deductions: rng.int(0...1)) }
        let tenths = rng.chance(0.05) ? score(70, 74) : score(75, 94)
        let deductions = tenths >= 850 ? rng.int(0...3) : rng.int(1...4)
        return Evaluation(tenths: tenths, deductions: deductions)
    }

    private mutating func failing() -> Evaluation {
        rng.chance(0.6)
            ? Evaluation(tenths: score(52, 69), deductions: rng.int(2...6))
            : Evaluation(tenths: score(70, 84), deductions: rng.int(5...6))
    }

    private mutating func surveillanceEvaluation(starred: Bool) -> Evaluation {
        if rng.chance(0.015) { return failing() }
        if starred {
            return rng.chance(0.7) ? Evaluation(tenths: score(95, 99), deductions: rng.int(0...1))
                                   : Evaluation(tenths: score(86, 94), deductions: rng.int(0...3))
        }
        let tenths = score(72, 96)
        return Evaluation(tenths: tenths, deductions: tenths >= 850 ? rng.int(0...3) : rng.int(1...4))
    }

    // MARK: Records

    private mutating func onsiteStart(endingOn end: CivilDate) -> CivilDate {
        addingWeekdays(end, -rng.int(0...2))
    }

    @discardableResult
    private mutating func addAudit(_ kind: String, start: CivilDate, end: CivilDate, evaluation: Evaluation?,
                                   decisionDays: ClosedRange<Int>, decision: CivilDate? = nil, dueOn: CivilDate? = nil,
                                   scheduledOn: CivilDate? = nil) -> AuditRecord {
        counters[0] += 1
        let audit = AuditRecord(
            id: "AU-" + core + "-" + zeroPadded(counters[0], 2), kind: kind, start: start, end: end,
            score: evaluation?.tenths, deductions: evaluation?.deductions,
            decision: evaluation == nil ? nil : decision ?? weekdayOnOrAfter(end.addingDays(rng.int(decisionDays))),
            decidedBy: evaluation == nil ? nil : decider(), team: team(), manDays: manDays(kind), dueOn: dueOn,
            scheduledOn: scheduledOn ?? start.addingDays(-75)
        )
        audits.append(audit)
        return audit
    }

    private mutating func addApplication(kind: String, certNo: String?, received: CivilDate, outcome: String = "accepted",
                                         notifiedAfterReview: ClosedRange<Int>? = 0...3) {
        let reviewed = weekdayOnOrAfter(received.addingDays(outcome == "accepted" ? rng.int(2...10) : rng.int(3...15)))
        applications.append(ApplicationRecord(
            id: nextId("AP", 1), certNo: certNo, kind: kind, received: received, reviewed: reviewed, outcome: outcome,
            notified: notifiedAfterReview.map { reviewed.addingDays(rng.int($0)) }
        ))
    }

    /// The decision on a verified cause: within 5 working days as 9.3.2.1 and 9.3.3.1 require,
    /// but one in ten later (a compliance warning in the staff digest).
    private mutating func decided(after cause: CivilDate) -> CivilDate {
        addingWeekdays(cause, rng.chance(0.9) ? rng.int(1...4) : rng.int(7...15))
    }

    private mutating func causeVerified(before decision: CivilDate) -> CivilDate {
        addingWeekdays(decision, rng.chance(0.9) ? -rng.int(1...4) : -rng.int(7...15))
    }

    private mutating func suspend(reason: Int, cause: CivilDate, start: CivilDate, lifted: CivilDate?, reducedScope: String? = nil) {
        suspensions.append(SuspensionRecord(id: nextId("SP", 2), reason: reason, cause: cause, start: start, lifted: lifted,
                                            reducedScope: reducedScope))
    }

    private mutating func withdraw(reason: Int, cause: CivilDate, decided: CivilDate) {
        let recalled: CivilDate? = rng.chance(0.7) ? decided.addingDays(rng.int(5...40)) : nil
        withdrawals.append(WithdrawalRecord(id: nextId("WD", 3), reason: reason, cause: cause, decided: decided, recalled: recalled))
        withdrawnOn = min(withdrawnOn ?? decided, decided)
    }

    /// 9.3.3.1(5): the suspension ran its 6 months without the cause being removed.
    private mutating func withdrawAfterSuspensionLimit(_ start: CivilDate) {
        let cause = weekdayOnOrAfter(start.addingMonths(6).addingDays(rng.int(1...5)))
        withdraw(reason: 5, cause: cause, decided: decided(after: cause))
    }

    /// 0–3 nonconformities, notified on the audit's last day, mostly closed within the 2 months
    /// of 7.5; some late, a few escalated to a suspension (9.3.2.1(1)) until closed, a few never.
    private mutating func addNonconformities(of audit: AuditRecord) {
        let count = rng.weighted([35, 30, 20, 15])
        var escalated = false
        for number in 0..<count {
            let notified = audit.end
            let stated: CivilDate? = rng.chance(0.05) ? notified.addingDays(rng.int(20...90)) : nil
            let r = rng.unit()
            var closed: CivilDate?
            if r < 0.015 {
                closed = nil
            } else if r < 0.025, !escalated {
                escalated = true
                let cause = addingWeekdays(stated ?? notified.addingMonths(2), rng.int(2...8))
                let start = decided(after: cause)
                let done = start.addingDays(rng.int(15...120))
                closed = done
                suspend(reason: 1, cause: cause, start: start, lifted: addingWeekdays(done, rng.int(0...2)))
            } else {
                closed = notified.addingDays(r < 0.10 ? rng.int(61...70) : rng.int(1...60))
            }
            nonconformities.append(NonconformityRecord(id: "NC" + audit.id.dropFirst(2) + "-" + String(number + 1), audit: audit.id,
                                                       notified: notified, due: stated, closed: closed))
        }
    }

    // MARK: Life (RULES §2–§4)

    mutating func simulate(firstDecision: CivilDate) {
        let reference = settings.reference
        // Initial certification (6): application, audit (3 % fail and are audited again), decision.
        let failsFirst = rng.chance(0.03)
        let passEnd = weekdayOnOrBefore(firstDecision.addingDays(-rng.int(5...40)))
        let firstEnd = failsFirst ? weekdayOnOrBefore(passEnd.addingDays(-rng.int(60...120))) : passEnd
        let firstStart = onsiteStart(endingOn: firstEnd)
        var received = weekdayOnOrBefore(firstStart.addingDays(-rng.int(20...90)))
        if received > reference { received = weekdayOnOrBefore(reference.addingDays(-rng.int(0...14))) }
        addApplication(kind: "initial", certNo: nil, received: received)
        if failsFirst {
            addAudit("initial", start: firstStart, end: firstEnd, evaluation: failing(), decisionDays: 5...40)
        }
        var star = rng.chance(0.10)
        var audit = addAudit("initial", start: failsFirst ? onsiteStart(endingOn: passEnd) : firstStart, end: passEnd,
                             evaluation: passing(fiveStar: star), decisionDays: 5...40, decision: firstDecision)
        while true {
            let decision = audit.decision!
            let validThrough = decision.addingYears(3).addingDays(-1)
            cycles.append((decision, validThrough))
            var base = audit.end
            for _ in 0..<2 {
                if base.addingMonths(9) > settings.horizon { return }
                guard let next = surveil(after: base, starred: &star) else { return }
                base = next
            }
            // Recertification (8): apply 3–6 months before expiry (some late, some never).
            if validThrough.addingMonths(-6) > settings.horizon { return }
            let r = rng.unit()
            if r < 0.05 { return }
            let applied = r < 0.15
                ? weekdayOnOrBefore(rng.date(validThrough.addingMonths(-3).addingDays(1), validThrough.addingMonths(-1)))
                : weekdayOnOrBefore(rng.date(validThrough.addingMonths(-6), validThrough.addingMonths(-3)))
            addApplication(kind: "recertification", certNo: certNo, received: applied)
            var end: CivilDate
            if rng.chance(0.05) {
                end = weekdayOnOrAfter(validThrough.addingDays(rng.int(1...60)))
            } else {
                let low = max(applied.addingDays(20), validThrough.addingMonths(-3))
                let high = validThrough.addingDays(-35)
                end = low <= high ? weekdayOnOrBefore(rng.date(low, high)) : weekdayOnOrAfter(applied.addingDays(rng.int(20...45)))
            }
            if end <= base { end = weekdayOnOrAfter(base.addingDays(30)) }
            let fails = rng.chance(0.03)
            star = !fails && rng.chance(0.10)
            audit = addAudit("recertification", start: onsiteStart(endingOn: end), end: end,
                             evaluation: fails ? failing() : passing(fiveStar: star), decisionDays: 5...30)
            if fails { return }
        }
    }

    /// One surveillance audit 9–12 months after `base` (7.1), or late; the new base, or nil when
    /// the certificate was withdrawn instead.
    private mutating func surveil(after base: CivilDate, starred: inout Bool) -> CivilDate? {
        let opens = base.addingMonths(9)
        let due = base.addingMonths(12)
        var end: CivilDate
        var lateSuspension: (cause: CivilDate, start: CivilDate)?
        if rng.chance(0.92) {
            end = weekdayOnOrBefore(rng.date(opens, due))
        } else {
            end = weekdayOnOrAfter(due.addingDays(rng.int(31...120)))
            if rng.chance(0.5) {
                // 9.3.2.1(4): not audited at the required frequency.
                let cause = addingWeekdays(due, rng.int(3...10))
                let start = decided(after: cause)
                if rng.chance(0.3) {
                    suspend(reason: 4, cause: cause, start: start, lifted: nil)
                    withdrawAfterSuspensionLimit(start)
                    return nil
                }
                end = weekdayOnOrAfter(start.addingDays(rng.int(10...110)))
                lateSuspension = (cause, start)
            }
        }
        let evaluation = surveillanceEvaluation(starred: starred)
        if evaluation.tenths < 950 { starred = false }
        let audit = addAudit("surveillance", start: onsiteStart(endingOn: end), end: end, evaluation: evaluation, decisionDays: 5...30)
        if let late = lateSuspension {
            suspend(reason: 4, cause: late.cause, start: late.start, lifted: addingWeekdays(audit.decision!, rng.int(0...2)))
        }
        addNonconformities(of: audit)
        if !evaluation.passes {
            // 9.3.2.1(1): the service system no longer meets the requirements.
            let cause = audit.decision!
            let start = decided(after: cause)
            if rng.chance(0.8) {
                suspend(reason: 1, cause: cause, start: start, lifted: weekdayOnOrAfter(start.addingDays(rng.int(30...150))))
            } else {
                suspend(reason: 1, cause: cause, start: start, lifted: nil)
                withdrawAfterSuspensionLimit(start)
                return nil
            }
        }
        return end
    }

    // MARK: Rare events

    /// The days the certificate is in force (issued, not expired, not withdrawn), as closed ranges.
    private func inForce() -> [(CivilDate, CivilDate)] {
        var result: [(CivilDate, CivilDate)] = []
        for cycle in cycles {
            var high = cycle.validThrough
            if let withdrawnOn { high = min(high, withdrawnOn.addingDays(-1)) }
            guard high >= cycle.decision else { continue }
            if let last = result.last, cycle.decision <= last.1.addingDays(1) {
                result[result.count - 1].1 = max(last.1, high)
            } else {
                result.append((cycle.decision, high))
            }
        }
        return result
    }

    /// A day in [low, high] on which the certificate is in force, or nil when there is none.
    private mutating func dayInForce(from low: CivilDate, through high: CivilDate) -> CivilDate? {
        let pieces = inForce().compactMap { piece -> (CivilDate, CivilDate)? in
            let a = max(piece.0, low)
            let b = min(piece.1, high)
            return a <= b ? (a, b) : nil
        }
        let total = pieces.reduce(0) { $0 + $1.0.days(to: $1.1) + 1 }
        guard total > 0 else { return nil }
        var r = rng.below(total)
        for piece in pieces {
            let length = piece.0.days(to: piece.1) + 1
            if r < length { return piece.0.addingDays(r) }
            r -= length
        }
        return nil
    }

    /// Adds one rare event when this certificate can take it; `turn` counts the events of the
    /// kind placed before, and settles outcomes that must not be left to chance.
    mutating func add(_ event: RareEvent, turn: Int) -> Bool {
        let reference = settings.reference
        let recent = settings.recent
        guard let issued = cycles.first?.decision, issued <= reference else {
            guard event == .notAccepted else { return false }
            addNotAccepted(on: rng.date(recent, reference), issued: nil, turn: turn)
            return true
        }
        switch event {
        case .otherWithdrawal:
            guard let day = dayInForce(from: max(issued.addingDays(60), recent), through: reference) else { return false }
            let reasons = [1, 2, 3, 4, 6, 8, 9, 10]
            let reason = reasons[rng.weighted([30, 8, 5, 10, 25, 7, 5, 10])]
            let decision = weekdayOnOrBefore(day)
            withdraw(reason: reason, cause: causeVerified(before: decision), decided: decision)
        case .misuse:
            guard let day = dayInForce(from: max(issued.addingDays(30), recent), through: reference.addingDays(-56)) else { return false }
            let requested = weekdayOnOrBefore(day)
            switch turn % 10 {
            case 9:
                // 9.3.3.1(7): not corrected within 2 months of the request.
                misuse.append(MisuseRecord(id: nextId("MU", 4), requested: requested, corrected: nil))
                let cause = weekdayOnOrAfter(requested.addingMonths(2).addingDays(rng.int(1...5)))
                withdraw(reason: 7, cause: cause, decided: decided(after: cause))
            case 8:
                misuse.append(MisuseRecord(id: nextId("MU", 4), requested: requested, corrected: requested.addingDays(rng.int(62...80))))
            default:
                misuse.append(MisuseRecord(id: nextId("MU", 4), requested: requested, corrected: requested.addingDays(rng.int(10...55))))
            }
        case .recentMisuse:
            guard inForce().contains(where: { $0.0 <= reference && reference <= $0.1 }),
                  let day = dayInForce(from: max(issued.addingDays(30), reference.addingDays(-55)), through: reference.addingDays(-1))
            else { return false }
            misuse.append(MisuseRecord(id: nextId("MU", 4), requested: day, corrected: nil))
        case .specialAudit:
            // 7.2: extra surveillance after a serious incident, a major change or many complaints.
            guard let day = dayInForce(from: max(issued.addingDays(60), recent), through: reference) else { return false }
            let ordered = weekdayOnOrBefore(day)
            let due = ordered.addingMonths(rng.int(1...3))
            let end = rng.chance(0.75)
                ? weekdayOnOrBefore(rng.date(min(ordered.addingDays(14), due), due))
                : weekdayOnOrAfter(due.addingDays(rng.int(1...30)))
            let start = max(onsiteStart(endingOn: end), ordered.addingDays(1))
            addAudit("special", start: min(start, end), end: end, evaluation: passing(fiveStar: false), decisionDays: 5...20,
                     dueOn: due, scheduledOn: ordered)
        case .appeal:
            let received = rng.date(max(issued, recent), reference)
            let replied: CivilDate? = turn % 4 == 3 ? nil : received.addingDays(rng.int(20...80))
            appeals.append(AppealRecord(id: nextId("AL", 5), received: received, replied: replied))
        case .notAccepted:
            addNotAccepted(on: rng.date(recent, reference), issued: issued, turn: turn)
        case .partialSuspension:
            guard let day = dayInForce(from: max(issued.addingDays(60), recent), through: reference), scopeItems.count >= 2 else { return false }
            let start = weekdayOnOrBefore(day)
            var kept = scopeItems
            kept.remove(at: rng.below(kept.count))
            suspend(reason: rng.chance(0.7) ? 1 : 7, cause: causeVerified(before: start), start: start,
                    lifted: weekdayOnOrAfter(start.addingDays(rng.int(30...150))),
                    reducedScope: Self.scopeText(scopeHead, kept, scopeEndsWithComplaints))
        case .licenceSuspension:
            // 9.3.2.1(5): a licence expired and its renewal is pending; no 6-month limit (9.3.2.2).
            guard let day = dayInForce(from: max(issued.addingDays(60), recent), through: reference) else { return false }
            let start = weekdayOnOrBefore(day)
            suspend(reason: 5, cause: causeVerified(before: start), start: start,
                    lifted: weekdayOnOrAfter(start.addingDays(rng.int(60...300))))
        case .scopeExtension:
            guard let day = dayInForce(from: max(issued.addingDays(60), recent), through: reference) else { return false }
            let received = weekdayOnOrBefore(day)
            addApplication(kind: "scope_extension", certNo: certNo, received: received)
            let end = weekdayOnOrAfter(received.addingDays(rng.int(30...75)))
            addAudit("scope_extension", start: onsiteStart(endingOn: end), end: end, evaluation: passing(fiveStar: false), decisionDays: 5...20)
        case .change:
            guard let day = dayInForce(from: max(issued.addingDays(30), recent), through: reference) else { return false }
            addApplication(kind: "change", certNo: certNo, received: weekdayOnOrBefore(day))
        case .printedExpiry:
            return false
        }
        return true
    }

    /// 6.1.5: an application found not acceptable; every 6th applicant is never told.
    private mutating func addNotAccepted(on received: CivilDate, issued: CivilDate?, turn: Int) {
        var extendsScope = false
        if let issued, issued < received { extendsScope = rng.chance(0.3) }
        addApplication(kind: extendsScope ? "scope_extension" : "initial", certNo: extendsScope ? certNo : nil, received: received,
                       outcome: "not_accepted", notifiedAfterReview: turn % 6 == 5 ? nil : 1...7)
    }

    /// A printed expiry that differs from the rule for the latest cycle (a data warning), or nil
    /// when no cycle has been decided. Call after `keepOnlyWhatIsKnown`.
    mutating func printedExpiry() -> CivilDate? {
        let decisions = audits.filter { ($0.kind == "initial" || $0.kind == "recertification") && $0.passes }.compactMap(\.decision)
        guard let last = decisions.max() else { return nil }
        let rule = last.addingYears(3).addingDays(-1)
        // Most often the printer forgot the "− 1 day".
        return rule.addingDays(rng.chance(0.7) ? 1 : rng.pick([-31, -1, 30]))
    }

    // MARK: Cutting

    /// Nothing happens to a withdrawn certificate after its withdrawal.
    mutating func cutAtWithdrawal() {
        guard let w = withdrawals.map(\.decided).min() else { return }
        withdrawals.removeAll { $0.decided > w }
        audits.removeAll { $0.end > w }
        nonconformities.removeAll { $0.notified > w }
        for i in nonconformities.indices where nonconformities[i].closed.map({ $0 > w }) ?? false { nonconformities[i].closed = nil }
        suspensions.removeAll { $0.start > w }
        for i in suspensions.indices where suspensions[i].lifted.map({ $0 > w }) ?? false { suspensions[i].lifted = nil }
        applications.removeAll { $0.received > w }
        misuse.removeAll { $0.requested > w }
        for i in misuse.indices where misuse[i].corrected.map({ $0 > w }) ?? false { misuse[i].corrected = nil }
    }

    /// The register as staff hold it on the reference date: what has happened, and planned audits.
    mutating func keepOnlyWhatIsKnown() {
        let reference = settings.reference
        func known(_ date: CivilDate?) -> CivilDate? { date.flatMap { $0 <= reference ? $0 : nil } }
        audits = audits.compactMap { audit in
            guard audit.scheduledOn <= reference else { return nil }
            var audit = audit
            if audit.end > reference {
                audit.score = nil
                audit.deductions = nil
            }
            if audit.decision.map({ $0 > reference }) ?? false {
                audit.decision = nil
                audit.decidedBy = nil
            }
            return audit
        }
        nonconformities = nonconformities.compactMap { nc in
            guard nc.notified <= reference else { return nil }
            var nc = nc
            nc.closed = known(nc.closed)
            return nc
        }
        suspensions = suspensions.compactMap { suspension in
            guard suspension.start <= reference else { return nil }
            var suspension = suspension
            suspension.lifted = known(suspension.lifted)
            return suspension
        }
        withdrawals = withdrawals.compactMap { withdrawal in
            guard withdrawal.decided <= reference else { return nil }
            var withdrawal = withdrawal
            withdrawal.recalled = known(withdrawal.recalled)
            return withdrawal
        }
        applications = applications.compactMap { application in
            guard application.received <= reference else { return nil }
            var application = application
            if known(application.reviewed) == nil {
                application.reviewed = nil
                application.outcome = "pending"
            }
            application.notified = known(application.notified)
            return application
        }
        appeals = appeals.compactMap { appeal in
            guard appeal.received <= reference else { return nil }
            var appeal = appeal
            appeal.replied = known(appeal.replied)
            return appeal
        }
        misuse = misuse.compactMap { record in
            guard record.requested <= reference else { return nil }
            var record = record
            record.corrected = known(record.corrected)
            return record
        }
    }

    // MARK: Writing

    /// The situations of 7.2 a)–d) that call for a special audit, as staff record them.
    static let specialAuditReasons = [
        "获证组织发生顾客重大投诉，经查实为获证组织责任",
        "获证组织的法人、组织机构和服务资源发生重大变更",
        "相关方对获证组织的售后服务多次投诉",
        "媒体曝光获证组织的服务质量问题，经查实为获证组织责任",
    ]

    /// Why applications are found not acceptable (6.1.2–6.1.4), as staff record them.
    static let notAcceptedReasons = [
        "申请资料不齐全：未提供服务管理体系有效运行 3 个月以上的证据（第 6.1.2 条第（6）项）",
        "申请的认证范围超出本机构具备实施能力的范围（第 6.1.4 条）",
        "营业执照已过期，申请组织的法律地位无法确认（第 6.1.3 条第（1）项）",
    ]

    /// A choice that depends only on the record's id (no random draw, so the rest of the
    /// register stays as the seed makes it).
    static func pick(_ texts: [String], by id: String) -> String {
        texts[id.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xFFFF } % texts.count]
    }

    func write(into sink: RegisterSink, dates: DateText) throws {
        for a in audits {
            try sink.write(.audits, [a.id, certNo, a.kind, dates(a.start), dates(a.end), a.score.map(Self.scoreText) ?? "",
                                     a.deductions.map(String.init) ?? "", dates.optional(a.decision), a.decidedBy ?? "", a.team,
                                     a.manDays, dates.optional(a.dueOn), a.kind == "special" ? Self.pick(Self.specialAuditReasons, by: a.id) : ""])
        }
        for n in nonconformities {
            try sink.write(.nonconformities, [n.id, certNo, n.audit, dates(n.notified), dates.optional(n.due), dates.optional(n.closed)])
        }
        for s in suspensions {
            try sink.write(.suspensions, [s.id, certNo, String(s.reason), dates(s.cause), dates(s.start), dates.optional(s.lifted),
                                          s.reducedScope ?? ""])
        }
        for w in withdrawals {
            try sink.write(.withdrawals, [w.id, certNo, String(w.reason), dates(w.cause), dates(w.decided), dates.optional(w.recalled)])
        }
        for a in applications {
            try sink.write(.applications, [a.id, organization.id, a.certNo ?? "", a.kind, dates(a.received), dates.optional(a.reviewed),
                                           a.outcome, dates.optional(a.notified),
                                           a.outcome == "not_accepted" ? Self.pick(Self.notAcceptedReasons, by: a.id) : ""])
        }
        for a in appeals {
            try sink.write(.appeals, [a.id, certNo, organization.id, dates(a.received), dates.optional(a.replied)])
        }
        for m in misuse {
            try sink.write(.misuse, [m.id, certNo, dates(m.requested), dates.optional(m.corrected)])
        }
    }

    /// Tenths as the register writes scores: "86", "86.5".
    static func scoreText(_ tenths: Int) -> String {
        tenths % 10 == 0 ? String(tenths / 10) : "\(tenths / 10).\(tenths % 10)"
    }
}
