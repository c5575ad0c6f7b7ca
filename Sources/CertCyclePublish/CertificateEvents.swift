public import CertCycleCore
import CertCycleNotices
public import CertCycleRegister
public import Foundation
import Crypto

/// Turns changes of a certificate's public state into outbox events (INTERFACE.md "Webhook
/// events"): the type from the status change, else `renewed`, `scope_changed` or
/// `star_changed`; the body carries the full new public state.
public enum CertificateEvents {
    /// The event for a change found on its day.
    /// `suspension` is the suspension behind a `suspended` status: its start and period
    /// (9.3.2.3) go into the body as `suspended_from` and `suspended_until` (null for a pending
    /// licence, reason 5, which has no fixed period).
    public static func event(for change: PublicChange, certificate: Certificate, organization: Organization?,
                             issuedOn: CivilDate, foundAt: Date, suspension: Suspension? = nil) -> OutboxEvent {
        let type = "certificate." + change.kind.rawValue
        let id = "evt_" + digest("\(certificate.certNo)|\(change.date)|\(type)|\(change.status.rawValue)|\(change.scope)|\(change.star.rawValue)|\(change.validThrough)")
        let body = envelope(type: type, timestamp: foundAt, certificate: certificate, organization: organization, status: change.status,
                            previous: change.previousStatus, effectiveOn: change.date, scope: change.scope, star: change.star,
                            validThrough: change.validThrough, issuedOn: issuedOn, clause: change.clause, snapshot: false,
                            suspension: change.status == .suspended ? suspension : nil)
        return OutboxEvent(id: id, certificate: certificate.certNo, type: type, effectiveOn: change.date, body: body,
                           createdAt: foundAt.timeIntervalSince1970)
    }

    /// The current state of a certificate, for an endpoint's first publication. The type is
    /// the one its current status would have been announced with.
    public static func snapshot(of state: PublicState, endpoint: String, certificate: Certificate, organization: Organization?, foundAt: Date) -> OutboxEvent {
        let type = switch state.status {
        case .active: "certificate.issued"
        case .suspended: "certificate.suspended"
        case .withdrawn: "certificate.withdrawn"
        case .expired: "certificate.expired"
        }
        let id = "snap_" + digest("\(endpoint)|\(certificate.certNo)|\(state.since)|\(state.status.rawValue)|\(state.scope)|\(state.star.rawValue)|\(state.validThrough)")
        let body = envelope(type: type, timestamp: foundAt, certificate: certificate, organization: organization, status: state.status,
                            previous: nil, effectiveOn: state.since, scope: state.scope, star: state.star,
                            validThrough: state.validThrough, issuedOn: state.issuedOn, clause: state.clause, snapshot: true)
        return OutboxEvent(id: id, certificate: certificate.certNo, type: type, effectiveOn: state.since, body: body,
                           createdAt: foundAt.timeIntervalSince1970)
    }

    /// The `standard` body: `{"type","timestamp","data":{…}}` with the contract's fields first.
    static func envelope(type: String, timestamp: Date, certificate: Certificate, organization: Organization?, status: CertificateStatus,
                         previous: CertificateStatus?, effectiveOn: CivilDate, scope: String, star: StarGrade, validThrough: CivilDate,
                         issuedOn: CivilDate, clause: String, snapshot: Bool, suspension: Suspension? = nil) -> String {
        var data = JSONLine()
        data.add("certificate", certificate.certNo)
        data.add("organization", organization?.name ?? certificate.orgId)
        data.add("status", status.rawValue)
        data.add("previous_status", previous?.rawValue)
        data.add("effective_on", effectiveOn.description)
        data.add("scope", scope)
        data.add("star", star.rawValue)
        data.add("valid_through", validThrough.description)
        data.add("clause", clause)
        data.add("organization_id", certificate.orgId)
        data.add("issued_on", issuedOn.description)
        data.add("standard", certificate.standard)
        data.add("service_sites", number: "[" + certificate.serviceSites.map(JSONLine.quote).joined(separator: ",") + "]")
        data.add("snapshot", snapshot)
        if let suspension {
            data.add("suspended_from", suspension.startOn.description)
            data.add("suspended_until", suspension.reason == Suspension.licenceRenewalReason ? nil : suspension.startOn.addingMonths(6).description)
        }
        var envelope = JSONLine()
        envelope.add("type", type)
        envelope.add("timestamp", timestampFormatter.string(from: timestamp))
        envelope.add("data", number: data.string)
        return envelope.string
    }

    nonisolated(unsafe) static let timestampFormatter: ISO8601DateFormatter = {
        // ISO8601DateFormatter is thread-safe for formatting once configured (Foundation docs).
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter
    }()

    /// 32 hex digits of SHA-256: stable for the same change, distinct for different ones.
    static func digest(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).prefix(16).map { String($0, radix: 16).leftPadded(2) }.joined()
    }
}

/// The IAF CertSearch upload-cert JSON for an event.
public enum CertSearchPayload {
    /// certification_status: active, suspended, withdrawn or expired; dates as YYYYMMDD.
    public static func body(fromStandard body: String) -> Data? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
              let data = object["data"] as? [String: Any]
        else { return nil }
        func compact(_ key: String) -> String { ((data[key] as? String) ?? "").replacingOccurrences(of: "-", with: "") }
        var line = JSONLine()
        line.add("certificate_number", data["certificate"] as? String)
        line.add("certification_status", data["status"] as? String)
        line.add("certification_issue_date", compact("issued_on"))
        line.add("certification_expiry_date", compact("valid_through"))
        line.add("certified_entity_name", data["organization"] as? String)
        line.add("certification_scope", data["scope"] as? String)
        line.add("certification_standard", data["standard"] as? String)
        let sites = (data["service_sites"] as? [String]) ?? []
        line.add("certified_entity_sites", number: "[" + sites.map { "{\"address\":\(JSONLine.quote($0))}" }.joined(separator: ",") + "]")
        return Data(line.string.utf8)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
