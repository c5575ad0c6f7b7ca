import CertCyclePublish
public import Foundation
public import Logging

/// Pings a healthchecks.io-style URL: `URL/start` when a run starts, `URL` when it succeeds,
/// `URL/fail` when it fails. A ping that fails is logged and never fails the run.
public struct HealthCheck: Sendable {
    public enum Signal: Sendable {
        case start, success, fail
    }

    public let url: String
    let transport: any HTTPTransport

    public init(url: String) {
        self.url = url
        self.transport = CurlTransport()
    }

    init(url: String, transport: any HTTPTransport) {
        self.url = url
        self.transport = transport
    }

    public func ping(_ signal: Signal, message: String = "", logger: Logger) {
        let base = url.hasSuffix("/") ? String(url.dropLast()) : url
        let target = switch signal {
        case .start: base + "/start"
        case .success: base
        case .fail: base + "/fail"
        }
        let request = HTTPRequest(url: target, method: "POST", headers: ["content-type": "text/plain; charset=utf-8"],
                                  body: Data(message.utf8), connectTimeout: 10, timeout: 15)
        switch transport.send(request) {
        case .success(let response) where (200..<300).contains(response.status):
            break
        case .success(let response):
            logger.warning("health-check ping answered \(response.status)", metadata: ["signal": "\(signal)"])
        case .failure(let error):
            logger.warning("health-check ping failed: \(error)", metadata: ["signal": "\(signal)"])
        }
    }
}
