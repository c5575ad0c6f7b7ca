import CCurl
public import CertCycleConfig
public import Foundation

/// One message on its way: the SMTP envelope and the bytes for DATA.
public struct MailEnvelope: Sendable, Hashable {
    public var from: String
    public var recipients: [String]
    /// The RFC 5322 message, CRLF line ends.
    public var message: Data

    public init(from: String, recipients: [String], message: Data) {
        self.from = from
        self.recipients = recipients
        self.message = message
    }
}

/// The server's final answer to a message: 2xx accepted, 4xx try later, 5xx refused for good.
public struct SMTPReply: Sendable, Hashable {
    public var code: Int
    /// What libcurl said about a refusal (never the password: libcurl does not repeat it).
    public var text: String

    public init(code: Int, text: String = "") {
        self.code = code
        self.text = text
    }

    public var accepted: Bool { (200..<300).contains(code) }
}

/// Where and how to connect, with the password already read.
public struct MailConnection: Sendable {
    public var settings: MailSettings
    /// From `password_file` or the systemd credential; kept only in memory.
    public var password: String?

    public init(settings: MailSettings, password: String?) {
        self.settings = settings
        self.password = password
    }
}

/// The SMTP seam: libcurl in production, anything in tests.
public protocol MailTransport: Sendable {
    /// Sends every envelope, over at most `concurrency` connections each reused for many
    /// messages; results in index order. Messages not started by `notAfter` are `notSent`.
    func send(_ envelopes: [MailEnvelope], over connection: MailConnection, concurrency: Int, notAfter: Date?) -> [Result<SMTPReply, TransportError>]
}

/// SMTP and SMTPS through libcurl's easy interface: one handle per connection, reused for
/// message after message (libcurl keeps the connection open between transfers of the same
/// handle), several connections in parallel threads. TLS is verified; on smtp:// STARTTLS is
/// required (CURLUSESSL_ALL) unless plaintext is allowed; only smtp and smtps are spoken.
public struct CurlMailTransport: MailTransport {
    public init() {
        _ = CurlTransport()
    }

    public func send(_ envelopes: [MailEnvelope], over connection: MailConnection, concurrency: Int, notAfter: Date?) -> [Result<SMTPReply, TransportError>] {
        let box = ResultBox(count: envelopes.count)
        let workers = max(1, min(concurrency, envelopes.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let session: SMTPSession
            do {
                session = try SMTPSession(connection)
            } catch {
                let failure = error as? TransportError ?? TransportError(.other, "\(error)")
                while let index = box.next() { box.set(index, .failure(failure)) }
                return
            }
            while let index = box.next() {
                var timeout = connection.settings.timeout
                if let notAfter {
                    let remaining = notAfter.timeIntervalSinceNow
                    guard remaining > 0.001 else {
                        box.set(index, .failure(TransportError(.notSent, "not sent: the delivery time budget was spent")))
                        continue
                    }
                    timeout = min(timeout, remaining)
                }
                box.set(index, session.send(envelopes[index], timeout: timeout))
            }
        }
        return box.results()
    }
}

/// The results of the worker threads and the next index to take.
/// @unchecked Sendable: every access to the mutable state holds `lock`.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<SMTPReply, TransportError>?]
    private var cursor = 0

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard cursor < slots.count else { return nil }
        cursor += 1
        return cursor - 1
    }

    func set(_ index: Int, _ result: Result<SMTPReply, TransportError>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    func results() -> [Result<SMTPReply, TransportError>] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0 ?? .failure(TransportError(.other, "message was not sent")) }
    }
}

/// One easy handle, one connection, many messages; frees the handle in deinit.
final class SMTPSession {
    let handle: UnsafeMutableRawPointer
    private let source = UploadSource()
    private var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    // libcurl keeps pointers to none of the strings set below except through its own copies,
    // but the recipient list it does keep: it is freed after each transfer.
    private var recipients: UnsafeMutablePointer<curl_slist>?

    init(_ connection: MailConnection) throws(TransportError) {
        guard let handle = curl_easy_init() else { throw TransportError(.other, "curl_easy_init failed") }
        self.handle = handle
        let settings = connection.settings
        certcycle_easy_setopt_string(handle, CURLOPT_URL, settings.url)
        certcycle_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        certcycle_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        certcycle_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1)
        certcycle_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2)
        let tls = settings.requiresTLS ? CURLUSESSL_ALL : CURLUSESSL_TRY
        certcycle_easy_setopt_long(handle, CURLOPT_USE_SSL, Int(tls.rawValue))
        if let ca = settings.caFile { certcycle_easy_setopt_string(handle, CURLOPT_CAINFO, ca) }
        if let username = settings.username { certcycle_easy_setopt_string(handle, CURLOPT_USERNAME, username) }
        if let password = connection.password { certcycle_easy_setopt_string(handle, CURLOPT_PASSWORD, password) }
        certcycle_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(settings.connectTimeout * 1000)))
        certcycle_easy_setopt_long(handle, CURLOPT_UPLOAD, 1)
        errorBuffer.withUnsafeMutableBufferPointer { buffer in
            _ = certcycle_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, buffer.baseAddress)
        }
        certcycle_easy_setopt_read_function(handle) { buffer, size, count, context in
            let source = Unmanaged<UploadSource>.fromOpaque(context!).takeUnretainedValue()
            return source.read(into: buffer, max: size * count)
        }
        certcycle_easy_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(source).toOpaque())
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(recipients)
    }

    func send(_ envelope: MailEnvelope, timeout: Double) -> Result<SMTPReply, TransportError> {
        // Envelope addresses are MailAddress values (no CR, LF or spaces): safe in SMTP commands.
        certcycle_easy_setopt_string(handle, CURLOPT_MAIL_FROM, "<" + envelope.from + ">")
        curl_slist_free_all(recipients)
        recipients = nil
        for recipient in envelope.recipients { recipients = curl_slist_append(recipients, "<" + recipient + ">") }
        certcycle_easy_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients)
        certcycle_easy_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(envelope.message.count))
        certcycle_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, Int(timeout * 1000)))
        // libcurl waits up to this long for each reply, 120 s by default, however short the
        // transfer's timeout: a server that never answers the end of DATA (or QUIT, when the
        // handle is cleaned up) would otherwise hold a pass for two minutes per message.
        certcycle_easy_setopt_long(handle, CURLOPT_SERVER_RESPONSE_TIMEOUT, max(1, Int(timeout.rounded(.up))))
        source.reset(envelope.message)
        errorBuffer[0] = 0
        let code = curl_easy_perform(handle)
        var reply = 0
        certcycle_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &reply)
        if code == CURLE_OK { return .success(SMTPReply(code: reply == 0 ? 250 : reply)) }
        let detail = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        // A refusal the server gave in words (MAIL, RCPT, DATA or the greeting) is its verdict;
        // anything else is the connection's.
        if (400..<600).contains(reply) { return .success(SMTPReply(code: reply, text: message)) }
        let kind: TransportError.Kind = switch code {
        case CURLE_OPERATION_TIMEDOUT: .timeout
        case CURLE_COULDNT_CONNECT: .refused
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_USE_SSL_FAILED: .tls
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_WEIRD_SERVER_REPLY: .connection
        default: .other
        }
        return .failure(TransportError(kind, message))
    }
}

/// The message being uploaded, handed to libcurl's read callback piece by piece.
final class UploadSource {
    private var data = Data()
    private var offset = 0

    func reset(_ message: Data) {
        data = message
        offset = 0
    }

    func read(into buffer: UnsafeMutablePointer<CChar>?, max: Int) -> Int {
        guard let buffer, offset < data.count else { return 0 }
        let n = min(max, data.count - offset)
        data.withUnsafeBytes { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}
