public import Foundation

/// One HTTP request, as the publisher and the health-check pings send it.
public struct HTTPRequest: Sendable, Hashable {
    public var url: String
    public var method: String
    public var headers: [String: String]
    public var body: Data
    /// Seconds to connect (default 10) and for the whole exchange (default 30).
    public var connectTimeout: Double
    public var timeout: Double
    /// A PEM bundle of trusted CAs instead of the system's.
    public var caBundle: String?
    /// The end of the caller's time budget: a request due to start after it is not sent (it
    /// fails with `.notSent`), and one that starts before it is cut off there.
    public var notAfter: Date?

    public init(url: String, method: String = "POST", headers: [String: String] = [:], body: Data = Data(),
                connectTimeout: Double = 10, timeout: Double = 30, caBundle: String? = nil) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.caBundle = caBundle
    }
}

public struct HTTPResponse: Sendable, Hashable {
    /// The most of a response body that is kept: a receiver's body is read for logs only, and an
    /// endless one must not fill the memory (one reached 877 MB). The rest is not read.
    public static let maxBodyBytes = 64 * 1024

    public var status: Int
    /// Header names in lower case.
    public var headers: [String: String]
    /// At most `maxBodyBytes`.
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why a request got no HTTP response.
public struct TransportError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case timeout, connection, tls, refused, other
        /// Not sent at all: the caller's time budget (`HTTPRequest.notAfter`) was spent.
        case notSent
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}

/// The HTTP seam: libcurl in production, anything in tests.
public protocol HTTPTransport: Sendable {
    /// Sends `count` requests, at most `concurrency` at once; results in index order.
    /// `request(i)` is called when request i is about to start, so what it puts in the request
    /// (a signature's timestamp) is fresh however long the requests before it took.
    func send(count: Int, concurrency: Int, request: (Int) -> HTTPRequest) -> [Result<HTTPResponse, TransportError>]
}

extension HTTPTransport {
    public func send(_ requests: [HTTPRequest], concurrency: Int) -> [Result<HTTPResponse, TransportError>] {
        send(count: requests.count, concurrency: concurrency) { requests[$0] }
    }

    public func send(_ request: HTTPRequest) -> Result<HTTPResponse, TransportError> {
        send([request], concurrency: 1)[0]
    }
}
