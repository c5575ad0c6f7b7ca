public import CertCycleConfig
public import CertCycleCore
public import CertCycleRegister
public import Foundation
public import Logging

/// An endpoint's first publication: every certificate's current state, queued before any
/// later change so that the endpoint learns the present before it hears about the future.
public struct EndpointSync {
    public let register: any Register
    public let jobs: Jobs
    public var logger: Logger
    public var now: @Sendable () -> Date

    public init(register: any Register, jobs: Jobs, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) {
        self.register = register
        self.jobs = jobs
        self.logger = logger
        self.now = now
    }

    /// Queues the state on `asOf` of every certificate for each endpoint not synced yet, and
    /// marks it synced. Idempotent: snapshot ids are stable, so a repeat adds nothing. The
    /// snapshots wait in a temporary file between the read and the write (see `EventSpool`).
    public func syncNew(_ endpoints: [EndpointSettings], asOf: CivilDate) throws {
        let states = try register.endpointStates()
        let fresh = endpoints.filter { states[$0.name]?.syncedAt == nil }
        guard !fresh.isEmpty else { return }
        let rules = jobs.rules
        let foundAt = now()
        let snapshots = try EventSpool()
        var queued: [String: Int] = [:]
        try register.forEachCertificate { file in
            guard let state = rules.publicState(of: CertificateHistory(file), on: asOf) else { return }
            for endpoint in fresh {
                let event = CertificateEvents.snapshot(of: state, endpoint: endpoint.name, certificate: file.certificate,
                                                       organization: file.organization, foundAt: foundAt)
                if endpoint.accepts(event.type) {
                    try snapshots.append(event, endpoint: endpoint.name)
                    queued[endpoint.name, default: 0] += 1
                }
            }
        }
        // The snapshots and the "synced" marks in one transaction: a crash between them would
        // otherwise queue every certificate's state again (harmless, the ids are stable) or,
        // worse, mark an endpoint synced whose snapshots were never queued.
        try register.write { writer in
            try snapshots.forEach { event, endpoint in try writer.enqueue(event, endpoints: [endpoint]) }
            // The states as they are now (a publisher may have disabled an endpoint meanwhile).
            let current = try writer.endpointStates()
            for endpoint in fresh {
                var state = current[endpoint.name] ?? EndpointState(name: endpoint.name)
                state.syncedAt = foundAt.timeIntervalSince1970
                try writer.setEndpointState(state)
            }
        }
        for endpoint in fresh {
            logger.info("first publication to a new endpoint: every certificate's current state queued",
                        metadata: ["endpoint": "\(endpoint.name)", "as_of": "\(asOf)", "events": "\(queued[endpoint.name] ?? 0)"])
        }
    }
}
