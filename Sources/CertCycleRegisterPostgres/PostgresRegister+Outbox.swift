import CertCycleCore
public import CertCycleRegister
import PostgresNIO

/// The outbox, as the SQLite store keeps it; claims are row locks so that publishers on several
/// hosts never attempt the same delivery at the same time.
extension PostgresRegister {

    static func delivery(_ r: inout CellReader) throws -> Delivery {
        let seq = r.int() ?? 0
        return Delivery(seq: seq, endpoint: r.requiredText(), eventId: r.requiredText(), certificate: r.requiredText(),
                 status: try r.choice(table: "deliveries", row: String(seq), column: "status"), attempts: r.int() ?? 0, nextAttemptAt: r.double() ?? 0,
                 lastStatusCode: r.int(), lastError: r.text(), deliveredAt: r.double())
    }

    static func event(_ r: inout CellReader) -> OutboxEvent {
        OutboxEvent(id: r.requiredText(), certificate: r.requiredText(), type: r.requiredText(), effectiveOn: r.requiredDate(),
                    body: r.requiredText(), createdAt: r.double() ?? 0)
    }

    static func deliveriesWithEvents(_ result: PostgresQueryResult) throws -> [(Delivery, OutboxEvent)] {
        try result.rows.map { row in
            var r = CellReader(row)
            let delivery = try delivery(&r)
            return (delivery, event(&r))
        }
    }

    /// Publishers on several hosts share the outbox: claims are row locks with an expiry, so
    /// there is no lock to take, and a dead publisher's claims simply run out.
    public func beginPublishing(holder: String) throws -> (any RunLock)? {
        nil
    }

    /// The same rule as the SQLite store: pending, due, unclaimed, and the earliest of its
    /// certificate not yet delivered to the endpoint. The candidates are locked `FOR UPDATE SKIP
    /// LOCKED` and claimed in the same statement, so a concurrent publisher skips the ones being
    /// claimed; once committed, `claimed_until` keeps them skipped until the claim runs out.
    public func claimDueDeliveries(endpoint: String, now: Double, claimUntil: Double, limit: Int) throws -> [(Delivery, OutboxEvent)] {
        try withSession { session in
            var binds = PostgresBindings()
            binds.append(endpoint)
            binds.append(now)
            binds.append(claimUntil)
            binds.append(limit)
            let result = try session.query("""
                WITH due AS (
                    SELECT d.seq FROM deliveries d
                    WHERE d.endpoint = $1 AND d.status = 'pending' AND d.next_attempt_at <= $2 AND d.claimed_until <= $2
                      AND NOT EXISTS (SELECT 1 FROM deliveries p
                                      WHERE p.endpoint = d.endpoint AND p.cert_no = d.cert_no AND p.seq < d.seq AND p.status <> 'delivered')
                    ORDER BY d.seq LIMIT $4
                    FOR UPDATE OF d SKIP LOCKED
                ), claimed AS (
                    UPDATE deliveries d SET claimed_until = $3 FROM due WHERE d.seq = due.seq RETURNING d.*
                )
                SELECT \(StoreCatalogue.deliverySelect), \(StoreCatalogue.eventSelect)
                FROM claimed d JOIN events e ON e.event_id = d.event_id ORDER BY d.seq
                """, binds, doing: "claiming deliveries for \(endpoint)")
            return try Self.deliveriesWithEvents(result)
        }
    }

    public func nextDueTime(endpoints: [String]) throws -> Double? {
        guard !endpoints.isEmpty else { return nil }
        // As the SQLite store: only deliveries claimDueDeliveries could hand out, the earliest
        // undelivered one of their certificate.
        return try withSession { session in
            var binds = PostgresBindings()
            binds.append(endpoints)
            let result = try session.query("""
                SELECT min(greatest(d.next_attempt_at, d.claimed_until)) FROM deliveries d
                WHERE d.status = 'pending' AND d.endpoint = ANY($1)
                  AND NOT EXISTS (SELECT 1 FROM deliveries p
                                  WHERE p.endpoint = d.endpoint AND p.cert_no = d.cert_no AND p.seq < d.seq AND p.status <> 'delivered')
                """, binds, doing: "reading the outbox")
            guard let row = result.rows.first else { return nil }
            var r = CellReader(row)
            return r.double()
        }
    }

    public func recordAttempt(_ attempt: DeliveryAttempt, delivery: Delivery) throws {
        try transaction("BEGIN", doing: "recording a delivery attempt") { session in
            var binds = PostgresBindings()
            binds.append(attempt.endpoint)
            binds.append(attempt.eventId)
            binds.append(attempt.attempt)
            binds.append(attempt.at)
            binds.append(int: attempt.statusCode)
            binds.append(text: attempt.error)
            binds.append(attempt.milliseconds)
            let inserted = session.send("""
                INSERT INTO delivery_attempts (endpoint, event_id, attempt, at, status_code, error, milliseconds)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (endpoint, event_id, attempt) DO UPDATE SET at = EXCLUDED.at, status_code = EXCLUDED.status_code,
                    error = EXCLUDED.error, milliseconds = EXCLUDED.milliseconds
                """, binds)
            var update = PostgresBindings()
            update.append(delivery.status.rawValue)
            update.append(delivery.attempts)
            update.append(delivery.nextAttemptAt)
            update.append(int: delivery.lastStatusCode)
            update.append(text: delivery.lastError)
            update.append(double: delivery.deliveredAt)
            update.append(delivery.endpoint)
            update.append(delivery.eventId)
            let updated = session.send("""
                UPDATE deliveries SET status = $1, attempts = $2, next_attempt_at = $3, claimed_until = 0, last_status_code = $4,
                    last_error = $5, delivered_at = $6 WHERE endpoint = $7 AND event_id = $8
                """, update)
            _ = try session.wait(inserted, doing: "recording a delivery attempt")
            _ = try session.wait(updated, doing: "recording a delivery attempt")
        }
    }

    public func releaseClaims(_ deliveries: [Delivery]) throws {
        guard !deliveries.isEmpty else { return }
        try transaction("BEGIN", doing: "releasing delivery claims") { session in
            var pending: [EventLoopFuture<PostgresQueryResult>] = []
            for delivery in deliveries {
                var binds = PostgresBindings()
                binds.append(delivery.endpoint)
                binds.append(delivery.eventId)
                pending.append(session.send("UPDATE deliveries SET claimed_until = 0 WHERE endpoint = $1 AND event_id = $2", binds))
            }
            for future in pending { _ = try session.wait(future, doing: "releasing delivery claims") }
        }
    }

    public func deliveryCounts() throws -> [String: [DeliveryStatus: Int]] {
        try withSession { session in
            var counts: [String: [DeliveryStatus: Int]] = [:]
            for row in try session.query("SELECT endpoint, status, count(*) FROM deliveries GROUP BY endpoint, status", doing: "reading the outbox").rows {
                var r = CellReader(row)
                let endpoint = r.requiredText()
                if let status = DeliveryStatus(rawValue: r.requiredText()) { counts[endpoint, default: [:]][status] = r.int() ?? 0 }
            }
            return counts
        }
    }

    public func deliveries(status: DeliveryStatus?, endpoint: String?, certificate: String?, limit: Int) throws -> [(Delivery, OutboxEvent)] {
        try withSession { session in
            var conditions: [String] = []
            var binds = PostgresBindings()
            if let status { binds.append(status.rawValue); conditions.append("d.status = $\(binds.count)") }
            if let endpoint { binds.append(endpoint); conditions.append("d.endpoint = $\(binds.count)") }
            if let certificate { binds.append(certificate); conditions.append("d.cert_no = $\(binds.count)") }
            binds.append(limit)
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Self.deliveriesWithEvents(try session.query("""
                SELECT \(StoreCatalogue.deliverySelect), \(StoreCatalogue.eventSelect)
                FROM deliveries d JOIN events e ON e.event_id = d.event_id \(filter) ORDER BY d.seq LIMIT $\(binds.count)
                """, binds, doing: "reading the outbox"))
        }
    }

    public func attempts(endpoint: String, eventId: String) throws -> [DeliveryAttempt] {
        try withSession { session in
            var binds = PostgresBindings()
            binds.append(endpoint)
            binds.append(eventId)
            return try session.query("""
                SELECT endpoint, event_id, attempt, at, status_code, error, milliseconds FROM delivery_attempts
                WHERE endpoint = $1 AND event_id = $2 ORDER BY attempt
                """, binds, doing: "reading delivery attempts").rows.map { row in
                var r = CellReader(row)
                return DeliveryAttempt(endpoint: r.requiredText(), eventId: r.requiredText(), attempt: r.int() ?? 0, at: r.double() ?? 0,
                                       statusCode: r.int(), error: r.text(), milliseconds: r.int() ?? 0)
            }
        }
    }

    public func redeliver(eventId: String?, deadOnly: Bool, now: Double) throws -> Int {
        try withSession { session in
            var binds = PostgresBindings()
            binds.append(now)
            var sql = "UPDATE deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1, claimed_until = 0 WHERE status <> 'pending'"
            if deadOnly { sql += " AND status = 'dead'" }
            if let eventId { binds.append(eventId); sql += " AND event_id = $2" }
            return try session.execute(sql, binds, doing: "putting deliveries back in the outbox")
        }
    }

    public func endpointStates() throws -> [String: EndpointState] {
        try withSession { session in
            Self.endpointStates(try session.query(Self.endpointStatesSQL, doing: "reading endpoints"))
        }
    }

    static let endpointStatesSQL = "SELECT name, synced_at, disabled_at, disabled_reason FROM endpoints"

    static func endpointStates(_ result: PostgresQueryResult) -> [String: EndpointState] {
        var states: [String: EndpointState] = [:]
        for row in result.rows {
            var r = CellReader(row)
            let state = EndpointState(name: r.requiredText(), syncedAt: r.double(), disabledAt: r.double(), disabledReason: r.text())
            states[state.name] = state
        }
        return states
    }

    public func setEndpointState(_ state: EndpointState) throws {
        _ = try withSession { session in
            try session.execute(Self.saveEndpointStateSQL, Self.endpointStateBinds(state), doing: "saving the state of endpoint \(state.name)")
        }
    }

    static let saveEndpointStateSQL = """
        INSERT INTO endpoints (name, synced_at, disabled_at, disabled_reason) VALUES ($1, $2, $3, $4)
        ON CONFLICT (name) DO UPDATE SET synced_at = EXCLUDED.synced_at, disabled_at = EXCLUDED.disabled_at,
            disabled_reason = EXCLUDED.disabled_reason
        """

    static func endpointStateBinds(_ state: EndpointState) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(state.name)
        binds.append(double: state.syncedAt)
        binds.append(double: state.disabledAt)
        binds.append(text: state.disabledReason)
        return binds
    }
}
