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

    /// The URL for `signal`: `/start` and `/fail` go on the path, never into a query string
    /// (`https://hc.example/ping/ID?rid=1` → `https://hc.example/ping/ID/fail?rid=1`; pasted
    /// onto the end, every ping would have hit the success path).
    static func target(_ url: String, _ signal: Signal) -> String {
        guard var components = URLComponents(string: url) else { return url }
        var path = components.percentEncodedPath
        if path.hasSuffix("/") { path.removeLast() }
        switch signal {
        case .start: path += "/start"
        case .success: break
        case .fail: path += "/fail"
        }
        components.percentEncodedPath = path
        return components.string ?? url
    }

    public func ping(_ signal: Signal, message: String = "", logger: Logger) {
        let request = HTTPRequest(url: Self.target(url, signal), method: "POST", headers: ["content-type": "text/plain; charset=utf-8"],
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
