public import CertCycleCore
import Foundation

/// A register held in memory: the same contract as the SQLite and PostgreSQL stores (records,
/// ledger, run lock, outbox), nothing written anywhere. The runner's and the publisher's tests
/// run on it; the shared store suite proves the real stores behave the same.
///
/// A write transaction works on a copy of the state and puts it in place only when its body
/// returns, so a body that throws changes nothing, as in the real stores. One transaction at
/// a time; reads see the last committed state.
public final class MemoryRegister: Register, @unchecked Sendable {
    // @unchecked: every access to `state` and the lock holders goes through `lock`.
    private let lock = NSRecursiveLock()
    private var state = State()
    private var runHolder: String?
    private var publishHolder: String?

    public init() {}

    struct State {
        /// Rows by table, then by id; cells aligned to `table.columns`.
        var tables: [RegisterTable: [String: [CellValue?]]] = [:]
        /// The ids of each certificate's rows, per table that belongs to a certificate.
        var byCertificate: [RegisterTable: [String: Set<String>]] = [:]
        var ledger: [LedgerEntry] = []
        /// Each ledger key's as-of date, per kind (a key is unique within its kind).
        var ledgerKeys: [LedgerKind: [String: CivilDate]] = [:]
        var events: [String: OutboxEvent] = [:]
        /// Deliveries in creation order (`seq`).
        var deliveries: [StoredDelivery] = []
        var nextDeliverySeq = 1
        /// Attempts by endpoint and event, by attempt number.
        var attempts: [String: [Int: DeliveryAttempt]] = [:]
        var endpoints: [String: EndpointState] = [:]

        /// The rows of `table` in id order (byte order, as the SQL stores compare text); only
        /// those of one certificate when `certNo` is given.
        func rows(_ table: RegisterTable, of certNo: String? = nil) -> [[CellValue?]] {
            let all = tables[table] ?? [:]
            let ids: [String] = if let certNo { Array(byCertificate[table]?[certNo] ?? []) } else { Array(all.keys) }
            return ids.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.compactMap { all[$0] }
        }

        /// Reads stored values as a record through the catalogue's mapping.
        static func record<R>(_ table: RegisterTable, _ values: [CellValue?], _ map: (inout RecordReader<ValueCells>) throws -> R) rethrows -> R {
            var reader = RecordReader(table, ValueCells(values))
            return try map(&reader)
        }

        mutating func reindexLedger() {
            ledgerKeys = [:]
            for entry in ledger { ledgerKeys[entry.kind, default: [:]][entry.key] = entry.asOf }
        }
    }

    struct StoredDelivery {
        var delivery: Delivery
        var claimedUntil: Double = 0
    }

    private func withState<T>(_ body: (inout State) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }

    private func reading<T>(_ body: (State) throws -> T) rethrows -> T {
        lock.lock()
        let current = state
        lock.unlock()
        return try body(current)
    }

    static func attemptKey(_ endpoint: String, _ eventId: String) -> String { endpoint + "\u{0}" + eventId }

    // MARK: Writing

    public func write<T>(_ body: (any RegisterWriter) throws -> T) throws -> T {
        try withState { state in
            let writer = Writer(state: state)
            let result = try body(writer)
            state = writer.state
            return result
        }
    }

    private final class Writer: RegisterWriter {
        var state: State

        init(state: State) { self.state = state }

        func exists(_ table: RegisterTable, id: String) throws -> Bool {
            state.tables[table]?[id] != nil
        }

        func lastLedgerEntry(kind: LedgerKind?) throws -> LedgerEntry? {
            state.ledger.last(where: { kind == nil || $0.kind == kind })
        }

        func endpointStates() throws -> [String: EndpointState] { state.endpoints }

        func upsert(_ table: RegisterTable, columns: [Int], values: [CellValue?]) throws {
            let id = values[0]?.csvText ?? ""
            let old = state.tables[table]?[id]
            var row = old ?? [CellValue?](repeating: nil, count: table.columns.count)
            for index in columns { row[index] = values[index] }
            state.tables[table, default: [:]][id] = row
            if let column = table.columns.firstIndex(where: { $0.name == "cert_no" }) {
                if let before = old?[column]?.csvText { state.byCertificate[table]?[before]?.remove(id) }
                if let cert = row[column]?.csvText { state.byCertificate[table, default: [:]][cert, default: []].insert(id) }
            }
        }

        func append(_ entry: LedgerEntry) throws {
            let last = state.ledger.last?.seq ?? 0
            guard entry.seq == last + 1 else {
                throw RegisterError("ledger entry \(entry.seq) does not follow the last one (\(last)); was the ledger written by another run?")
            }
            // As the SQL stores' unique index on (kind, key).
            guard state.ledgerKeys[entry.kind]?[entry.key] == nil else {
                throw RegisterError("the ledger already has a \(entry.kind.rawValue) entry \(entry.key)")
            }
            state.ledger.append(entry)
            state.ledgerKeys[entry.kind, default: [:]][entry.key] = entry.asOf
        }

        func enqueue(_ event: OutboxEvent, endpoints: [String]) throws {
            if state.events[event.id] == nil { state.events[event.id] = event }
            for endpoint in endpoints {
                // A number is used up by every delivery offered, added or not, as the SQL stores'
                // sequences are (SQLite's AUTOINCREMENT, PostgreSQL's identity).
                let seq = state.nextDeliverySeq
                state.nextDeliverySeq += 1
                guard !state.deliveries.contains(where: { $0.delivery.endpoint == endpoint && $0.delivery.eventId == event.id }) else { continue }
                state.deliveries.append(StoredDelivery(delivery: Delivery(
                    seq: seq, endpoint: endpoint, eventId: event.id, certificate: event.certificate, status: .pending,
                    attempts: 0, nextAttemptAt: event.createdAt)))
            }
        }

        func setEndpointState(_ endpoint: EndpointState) throws {
            state.endpoints[endpoint.name] = endpoint
        }

        func removeLedgerEntries(fromSeq seq: Int) throws {
            state.ledger.removeAll { $0.seq >= seq }
            state.reindexLedger()
        }

        func removeUndeliveredEvents(effectiveAfter date: CivilDate) throws -> (removed: Int, delivered: Int) {
            let later = Set(state.events.values.filter { $0.effectiveOn > date }.map(\.id))
            for stored in state.deliveries where later.contains(stored.delivery.eventId) && stored.delivery.status != .delivered {
                state.attempts[MemoryRegister.attemptKey(stored.delivery.endpoint, stored.delivery.eventId)] = nil
            }
            state.deliveries.removeAll { later.contains($0.delivery.eventId) && $0.delivery.status != .delivered }
            let kept = Set(state.deliveries.map(\.delivery.eventId))
            var removed = 0
            for id in later where !kept.contains(id) {
                state.events[id] = nil
                removed += 1
            }
            return (removed, later.count - removed)
        }
    }

    // MARK: Reading records

    public func forEachCertificate(_ body: (CertificateFile) throws -> Void) throws {
        let current = reading { $0 }
        let byCertificate = try Self.recordsByCertificate(current)
        for values in current.rows(.certificates) {
            try body(try Self.file(values, current, byCertificate))
        }
    }

    public func certificateFile(_ certNo: String) throws -> CertificateFile? {
        let current = reading { $0 }
        guard let values = current.tables[.certificates]?[certNo] else { return nil }
        return try Self.file(values, current, try Self.recordsByCertificate(current, only: certNo))
    }

    /// What belongs to each certificate, in id order within each table.
    private struct Belonging {
        var audits: [String: [Audit]] = [:]
        var nonconformities: [String: [Nonconformity]] = [:]
        var suspensions: [String: [Suspension]] = [:]
        var withdrawals: [String: [Withdrawal]] = [:]
        var applications: [String: [Application]] = [:]
        var misuse: [String: [MisuseCase]] = [:]
    }

    private static func recordsByCertificate(_ state: State, only certNo: String? = nil) throws -> Belonging {
        func grouped<R>(_ table: RegisterTable, _ map: (inout RecordReader<ValueCells>) throws -> R) throws -> [String: [R]] {
            var result: [String: [R]] = [:]
            let position = RecordMapping.certificatePosition(table)!
            for values in state.rows(table, of: certNo) {
                guard let cert = values[position]?.csvText else { continue }
                result[cert, default: []].append(try State.record(table, values, map))
            }
            return result
        }
        return Belonging(
            audits: try grouped(.audits, RecordMapping.audit), nonconformities: try grouped(.nonconformities, RecordMapping.nonconformity),
            suspensions: try grouped(.suspensions, RecordMapping.suspension), withdrawals: try grouped(.withdrawals, RecordMapping.withdrawal),
            applications: try grouped(.applications, RecordMapping.application), misuse: try grouped(.misuse, RecordMapping.misuseCase))
    }

    private static func file(_ values: [CellValue?], _ state: State, _ belonging: Belonging) throws -> CertificateFile {
        let certificate = try State.record(.certificates, values, RecordMapping.certificate)
        let cert = certificate.certNo
        let organization = state.tables[.organizations]?[certificate.orgId].map { State.record(.organizations, $0, RecordMapping.organization) }
        return CertificateFile(
            certificate: certificate, organization: organization, audits: belonging.audits[cert] ?? [],
            nonconformities: belonging.nonconformities[cert] ?? [], suspensions: belonging.suspensions[cert] ?? [],
            withdrawals: belonging.withdrawals[cert] ?? [], applications: belonging.applications[cert] ?? [], misuseCases: belonging.misuse[cert] ?? [])
    }

    public func appeals() throws -> [Appeal] {
        try reading { try $0.rows(.appeals).map { try State.record(.appeals, $0, RecordMapping.appeal) } }
    }

    public func notAcceptedApplications() throws -> [Application] {
        try reading { try $0.rows(.applications).map { try State.record(.applications, $0, RecordMapping.application) }.filter { $0.outcome == .notAccepted } }
    }

    public func organizations(_ ids: Set<String>) throws -> [String: Organization] {
        reading { state in
            var result: [String: Organization] = [:]
            for id in ids {
                if let values = state.tables[.organizations]?[id] { result[id] = State.record(.organizations, values, RecordMapping.organization) }
            }
            return result
        }
    }

    public func forEachRow(of table: RegisterTable, _ body: ([CellValue?]) throws -> Void) throws {
        for values in reading({ $0.rows(table) }) { try body(values) }
    }

    public func count(_ table: RegisterTable) throws -> Int {
        reading { $0.tables[table]?.count ?? 0 }
    }

    // MARK: Runs and the ledger

    public func acquireRunLock(holder: String) throws -> any RunLock {
        try withState { _ in
            if let runHolder { throw RunLockHeld(holder: runHolder) }
            runHolder = holder
        }
        return MemoryLock { [weak self] in self?.withState { _ in self?.runHolder = nil } }
    }

    public func checkWritable() throws {}

    public func lastLedgerEntry(kind: LedgerKind?) throws -> LedgerEntry? {
        reading { state in state.ledger.last(where: { kind == nil || $0.kind == kind }) }
    }

    public func lastCompletedDay() throws -> CivilDate? {
        reading { state in state.ledger.filter { $0.kind == .run }.map(\.asOf).max() }
    }

    public func firstCompletedDay() throws -> CivilDate? {
        reading { state in state.ledger.filter { $0.kind == .run }.map(\.asOf).min() }
    }

    public func ledgerKeys(kind: LedgerKind, among keys: [String]) throws -> Set<String> {
        reading { state in
            let recorded = state.ledgerKeys[kind] ?? [:]
            return Set(keys.filter { recorded[$0] != nil })
        }
    }

    public func ledgerDays(kind: LedgerKind, among keys: [String]) throws -> [String: CivilDate] {
        reading { state in
            let recorded = state.ledgerKeys[kind] ?? [:]
            var found: [String: CivilDate] = [:]
            for key in keys { if let day = recorded[key] { found[key] = day } }
            return found
        }
    }

    public func forEachLedgerEntry(_ body: (LedgerEntry) throws -> Void) throws {
        for entry in reading({ $0.ledger }) { try body(entry) }
    }

    // MARK: Outbox

    public func beginPublishing(holder: String) throws -> (any RunLock)? {
        try withState { state in
            if let publishHolder { throw RunLockHeld(holder: publishHolder) }
            publishHolder = holder
            // One publisher at a time, as on the embedded file: any claim left is a dead one's.
            for index in state.deliveries.indices { state.deliveries[index].claimedUntil = 0 }
        }
        return MemoryLock { [weak self] in self?.withState { _ in self?.publishHolder = nil } }
    }

    /// Whether an earlier delivery of the same certificate to the same endpoint is not yet accepted.
    private static func waitsBehindEarlier(_ stored: StoredDelivery, in state: State) -> Bool {
        let d = stored.delivery
        return state.deliveries.contains { p in
            p.delivery.endpoint == d.endpoint && p.delivery.certificate == d.certificate && p.delivery.seq < d.seq && p.delivery.status != .delivered
        }
    }

    public func claimDueDeliveries(endpoint: String, now: Double, claimUntil: Double, limit: Int) throws -> [(Delivery, OutboxEvent)] {
        withState { state in
            var claimed: [(Delivery, OutboxEvent)] = []
            for index in state.deliveries.indices where claimed.count < limit {
                let stored = state.deliveries[index]
                let d = stored.delivery
                guard d.endpoint == endpoint, d.status == .pending, d.nextAttemptAt <= now, stored.claimedUntil <= now,
                      !Self.waitsBehindEarlier(stored, in: state), let event = state.events[d.eventId] else { continue }
                state.deliveries[index].claimedUntil = claimUntil
                claimed.append((d, event))
            }
            return claimed
        }
    }

    public func nextDueTime(endpoints: [String]) throws -> Double? {
        reading { state in
            state.deliveries.filter { endpoints.contains($0.delivery.endpoint) && $0.delivery.status == .pending && !Self.waitsBehindEarlier($0, in: state) }
                .map { max($0.delivery.nextAttemptAt, $0.claimedUntil) }.min()
        }
    }

    public func recordAttempt(_ attempt: DeliveryAttempt, delivery: Delivery) throws {
        try recordAttempts([(attempt, delivery)])
    }

    public func recordAttempts(_ attempts: [(DeliveryAttempt, Delivery)]) throws {
        withState { state in
            for (attempt, delivery) in attempts {
                state.attempts[Self.attemptKey(attempt.endpoint, attempt.eventId), default: [:]][attempt.attempt] = attempt
                guard let index = state.deliveries.firstIndex(where: { $0.delivery.endpoint == delivery.endpoint && $0.delivery.eventId == delivery.eventId })
                else { continue }
                var updated = state.deliveries[index].delivery
                updated.status = delivery.status
                updated.attempts = delivery.attempts
                updated.nextAttemptAt = delivery.nextAttemptAt
                updated.lastStatusCode = delivery.lastStatusCode
                updated.lastError = delivery.lastError
                updated.deliveredAt = delivery.deliveredAt
                state.deliveries[index] = StoredDelivery(delivery: updated, claimedUntil: 0)
            }
        }
    }

    public func releaseClaims(_ deliveries: [Delivery]) throws {
        withState { state in
            for delivery in deliveries {
                if let index = state.deliveries.firstIndex(where: { $0.delivery.endpoint == delivery.endpoint && $0.delivery.eventId == delivery.eventId }) {
                    state.deliveries[index].claimedUntil = 0
                }
            }
        }
    }

    public func deliveryCounts() throws -> [String: [DeliveryStatus: Int]] {
        reading { state in
            var counts: [String: [DeliveryStatus: Int]] = [:]
            for stored in state.deliveries { counts[stored.delivery.endpoint, default: [:]][stored.delivery.status, default: 0] += 1 }
            return counts
        }
    }

    public func deliveries(status: DeliveryStatus?, endpoint: String?, certificate: String?, limit: Int) throws -> [(Delivery, OutboxEvent)] {
        reading { state in
            let chosen = state.deliveries.lazy.map(\.delivery).filter { d in
                (status == nil || d.status == status) && (endpoint == nil || d.endpoint == endpoint) && (certificate == nil || d.certificate == certificate)
            }
            return Array(chosen.compactMap { d in state.events[d.eventId].map { (d, $0) } }.prefix(limit))
        }
    }

    public func attempts(endpoint: String, eventId: String) throws -> [DeliveryAttempt] {
        reading { state in
            (state.attempts[Self.attemptKey(endpoint, eventId)] ?? [:]).sorted { $0.key < $1.key }.map(\.value)
        }
    }

    public func redeliver(eventId: String?, deadOnly: Bool, now: Double) throws -> Int {
        withState { state in
            var changed = 0
            for index in state.deliveries.indices {
                var d = state.deliveries[index].delivery
                guard d.status != .pending, !deadOnly || d.status == .dead, eventId == nil || d.eventId == eventId else { continue }
                d.status = .pending
                d.attempts = 0
                d.nextAttemptAt = now
                state.deliveries[index] = StoredDelivery(delivery: d, claimedUntil: 0)
                changed += 1
            }
            return changed
        }
    }

    public func endpointStates() throws -> [String: EndpointState] {
        reading { $0.endpoints }
    }

    public func setEndpointState(_ endpoint: EndpointState) throws {
        withState { $0.endpoints[endpoint.name] = endpoint }
    }
}

/// The in-memory store's run and publish locks: released once, by `release` or when dropped.
private final class MemoryLock: RunLock, @unchecked Sendable {
    // @unchecked: `onRelease` is cleared under `lock`.
    private let lock = NSLock()
    private var onRelease: (() -> Void)?

    init(_ onRelease: @escaping () -> Void) {
        self.onRelease = onRelease
    }

    func release() {
        lock.lock()
        let action = onRelease
        onRelease = nil
        lock.unlock()
        action?()
    }

    deinit { release() }
}
