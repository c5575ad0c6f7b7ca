import CCurl
import Foundation

/// HTTP over libcurl's multi interface. TLS verification is always on; redirects are never
/// followed; signals are not used (CURLOPT_NOSIGNAL), so it is safe in any thread.
public struct CurlTransport: HTTPTransport {
    public init() {
        CurlTransport.globalInit
    }

    /// curl_global_init once per process, before any handle exists.
    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_ALL))
    }()

    public func send(count: Int, concurrency: Int, request: (Int) -> HTTPRequest) -> [Result<HTTPResponse, TransportError>] {
        var results = [Result<HTTPResponse, TransportError>?](repeating: nil, count: count)
        guard let multi = curl_multi_init() else {
            return results.map { _ in .failure(TransportError(.other, "curl_multi_init failed")) }
        }
        defer { curl_multi_cleanup(multi) }
        var running: [UnsafeMutableRawPointer: (index: Int, exchange: CurlExchange)] = [:]
        var next = 0
        func start() {
            while running.count < max(1, concurrency), next < count {
                let index = next
                next += 1
                var item = request(index)
                if let notAfter = item.notAfter {
                    let remaining = notAfter.timeIntervalSinceNow
                    guard remaining > 0.001 else {
                        results[index] = .failure(TransportError(.notSent, "not sent: the delivery time budget was spent"))
                        continue
                    }
                    item.timeout = min(item.timeout, remaining)
                    item.connectTimeout = min(item.connectTimeout, remaining)
                }
                do {
                    let exchange = try CurlExchange(item)
                    curl_multi_add_handle(multi, exchange.handle)
                    running[exchange.handle] = (index, exchange)
                } catch {
                    results[index] = .failure(error)
                }
            }
        }
        start()
        while !running.isEmpty {
            var stillRunning: Int32 = 0
            curl_multi_perform(multi, &stillRunning)
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                      let (index, exchange) = running.removeValue(forKey: handle)
                else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, handle)
                results[index] = exchange.result(code)
            }
            start()
            if !running.isEmpty {
                var fds: Int32 = 0
                curl_multi_poll(multi, nil, 0, 100, &fds)
            }
        }
        return results.map { $0 ?? .failure(TransportError(.other, "request was not sent")) }
    }
}

/// One request and the handle that performs it; frees the handle and header list in deinit.
final class CurlExchange {
    let handle: UnsafeMutableRawPointer
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let body: Data
    private let sink = ResponseSink()
    private var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    private let url: String

    init(_ request: HTTPRequest) throws(TransportError) {
        guard let handle = curl_easy_init() else { throw TransportError(.other, "curl_easy_init failed") }
        self.handle = handle
        self.body = request.body
        self.url = request.url
        certcycle_easy_setopt_string(handle, CURLOPT_URL, request.url)
        certcycle_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        certcycle_easy_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        certcycle_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        certcycle_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        certcycle_easy_setopt_long(handle, CURLOPT_PROTOCOLS, Int(CURLPROTO_HTTP | CURLPROTO_HTTPS))
        certcycle_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(request.connectTimeout * 1000)))
        certcycle_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, Int(request.timeout * 1000)))
        if let ca = request.caBundle { certcycle_easy_setopt_string(handle, CURLOPT_CAINFO, ca) }
        certcycle_easy_setopt_string(handle, CURLOPT_USERAGENT, "certcycle")
        errorBuffer.withUnsafeMutableBufferPointer { buffer in
            _ = certcycle_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, buffer.baseAddress)
        }
        switch request.method {
        case "GET": certcycle_easy_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD": certcycle_easy_setopt_long(handle, CURLOPT_NOBODY, 1)
        default:
            certcycle_easy_setopt_long(handle, CURLOPT_POST, 1)
            certcycle_easy_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
            // COPYPOSTFIELDS copies the bytes, so nothing must outlive this call.
            body.withUnsafeBytes { bytes in
                _ = certcycle_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)))
            }
            if request.method != "POST" { certcycle_easy_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method) }
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) {
            list = curl_slist_append(list, "\(name): \(value)")
        }
        // Without this curl waits a second for "100 Continue" on larger bodies.
        list = curl_slist_append(list, "Expect:")
        headerList = list
        certcycle_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, list)
        let context = Unmanaged.passUnretained(sink).toOpaque()
        certcycle_easy_setopt_write_function(handle) { data, size, count, context in
            let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
            let room = HTTPResponse.maxBodyBytes - sink.body.count
            if let data, room > 0 {
                sink.body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: min(room, size * count))
            }
            guard size * count <= room else {
                // The status and the first 64 KiB are all that is used: stop reading (curl ends the
                // transfer with CURLE_WRITE_ERROR, which `result` turns back into the response).
                sink.truncated = true
                return 0
            }
            return size * count
        }
        certcycle_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, context)
        certcycle_easy_setopt_header_function(handle) { data, size, count, context in
            let sink = Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue()
            if let data {
                let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self)
                sink.header(line)
            }
            return size * count
        }
        certcycle_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, context)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
    }

    func result(_ code: CURLcode) -> Result<HTTPResponse, TransportError> {
        guard code == CURLE_OK || (code == CURLE_WRITE_ERROR && sink.truncated) else {
            let detail = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            let kind: TransportError.Kind = switch code {
            case CURLE_OPERATION_TIMEDOUT: .timeout
            case CURLE_COULDNT_CONNECT: .refused
            case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE: .tls
            case CURLE_COULDNT_RESOLVE_HOST, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE: .connection
            default: .other
            }
            return .failure(TransportError(kind, message))
        }
        var status = 0
        certcycle_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: sink.headers, body: sink.body))
    }
}

/// Collects a response's body and headers from curl's callbacks.
final class ResponseSink {
    var body = Data()
    /// The body went past `HTTPResponse.maxBodyBytes` and the rest was not read.
    var truncated = false
    var headers: [String: String] = [:]

    func header(_ line: String) {
        // A new status line (after a 1xx) starts a new set of headers.
        if line.hasPrefix("HTTP/") {
            headers = [:]
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        headers[name] = value
    }
}
