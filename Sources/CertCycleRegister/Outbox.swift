public import CertCycleCore

/// An event found by a run, kept in the register until every endpoint has accepted it.
/// Its body is fixed when it is found, so every retry sends the same bytes with the same id.
public struct OutboxEvent: Sendable, Hashable {
    /// The `webhook-id`: derived from the certificate and the change, so it is the same on
    /// every retry and after any crash.
    public var id: String
    public var certificate: String
    /// `certificate.suspended`, …
    public var type: String
    public var effectiveOn: CivilDate
    /// The JSON body of the `standard` format.
    public var body: String
    /// Unix seconds when the run found it.
    public var createdAt: Double

    public init(id: String, certificate: String, type: String, effectiveOn: CivilDate, body: String, createdAt: Double) {
        self.id = id
        self.certificate = certificate
        self.type = type
        self.effectiveOn = effectiveOn
        self.body = body
        self.createdAt = createdAt
    }
}

public enum DeliveryStatus: String, Sendable, Hashable, CaseIterable {
    /// Not yet accepted; retried on its schedule.
    case pending
    /// Accepted (2xx).
    case delivered
    /// Given up after the last attempt, or refused for good: an operator may redeliver it.
    case dead
}

/// One event on its way to one endpoint.
public struct Delivery: Sendable, Hashable {
    /// Order of creation: an endpoint gets a certificate's events in this order.
    public var seq: Int
    public var endpoint: String
    public var eventId: String
    public var certificate: String
    public var status: DeliveryStatus
    public var attempts: Int
    /// Unix seconds of the next attempt, while pending.
    public var nextAttemptAt: Double
    public var lastStatusCode: Int?
    public var lastError: String?
    public var deliveredAt: Double?

    public init(seq: Int, endpoint: String, eventId: String, certificate: String, status: DeliveryStatus, attempts: Int,
                nextAttemptAt: Double, lastStatusCode: Int? = nil, lastError: String? = nil, deliveredAt: Double? = nil) {
        self.seq = seq
        self.endpoint = endpoint
        self.eventId = eventId
        self.certificate = certificate
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastStatusCode = lastStatusCode
        self.lastError = lastError
        self.deliveredAt = deliveredAt
    }
}

/// One HTTP attempt, kept for `show CERT` and `outbox list`.
public struct DeliveryAttempt: Sendable, Hashable {
    public var endpoint: String
    public var eventId: String
    public var attempt: Int
    /// Unix seconds.
    public var at: Double
    public var statusCode: Int?
    public var error: String?
    public var milliseconds: Int

    public init(endpoint: String, eventId: String, attempt: Int, at: Double, statusCode: Int?, error: String?, milliseconds: Int) {
        self.endpoint = endpoint
        self.eventId = eventId
        self.attempt = attempt
        self.at = at
        self.statusCode = statusCode
        self.error = error
        self.milliseconds = milliseconds
    }
}

/// What the register remembers about an endpoint.
public struct EndpointState: Sendable, Hashable {
    public var name: String
    /// When every certificate's current state was queued for it (its first publication).
    public var syncedAt: Double?
    /// Set when the endpoint answered 410 Gone: nothing more is sent until it is enabled again.
    public var disabledAt: Double?
    public var disabledReason: String?

    public init(name: String, syncedAt: Double? = nil, disabledAt: Double? = nil, disabledReason: String? = nil) {
        self.name = name
        self.syncedAt = syncedAt
        self.disabledAt = disabledAt
        self.disabledReason = disabledReason
    }
}

/// The outbox: events, their deliveries to each endpoint, and the attempts.
public protocol Outbox: Sendable {
    /// Starts a publishing pass. A store that lets one publisher work at a time (the embedded
    /// SQLite file) returns its lock, and clears claims left by a publisher that died; one
    /// shared by several publishers (PostgreSQL: SKIP LOCKED claims) returns nil. Throws
    /// `RunLockHeld` when another publisher holds the lock.
    func beginPublishing(holder: String) throws -> (any RunLock)?

    /// Deliveries that may be attempted now for `endpoint`, oldest first, with their events:
    /// pending, due by `now`, not claimed by another publisher, and the earliest of their
    /// certificate that the endpoint has not accepted (so a certificate's events arrive in
    /// order). They are claimed until `claimUntil`, so a concurrent publisher skips them.
    func claimDueDeliveries(endpoint: String, now: Double, claimUntil: Double, limit: Int) throws -> [(Delivery, OutboxEvent)]

    /// The earliest time a pending delivery of these endpoints becomes due, if any.
    func nextDueTime(endpoints: [String]) throws -> Double?

    /// Records an attempt and the delivery's new state, and releases its claim.
    func recordAttempt(_ attempt: DeliveryAttempt, delivery: Delivery) throws

    /// Records a batch of attempts; a store may write them in one transaction.
    func recordAttempts(_ attempts: [(DeliveryAttempt, Delivery)]) throws

    /// Gives claimed deliveries back untouched (no attempt was made: the pass ran out of time),
    /// so the next publisher may send them at once.
    func releaseClaims(_ deliveries: [Delivery]) throws

    /// Counts by status, per endpoint.
    func deliveryCounts() throws -> [String: [DeliveryStatus: Int]]

    /// Deliveries with their events, filtered, in creation order.
    func deliveries(status: DeliveryStatus?, endpoint: String?, certificate: String?, limit: Int) throws -> [(Delivery, OutboxEvent)]

    /// Every attempt of one delivery, oldest first.
    func attempts(endpoint: String, eventId: String) throws -> [DeliveryAttempt]

    /// Puts deliveries back to pending, due at `now`: one event (all its endpoints), or every dead one.
    /// Returns how many.
    func redeliver(eventId: String?, deadOnly: Bool, now: Double) throws -> Int

    func endpointStates() throws -> [String: EndpointState]
    func setEndpointState(_ state: EndpointState) throws
}

extension Outbox {
    public func recordAttempts(_ attempts: [(DeliveryAttempt, Delivery)]) throws {
        for (attempt, delivery) in attempts { try recordAttempt(attempt, delivery: delivery) }
    }
}
