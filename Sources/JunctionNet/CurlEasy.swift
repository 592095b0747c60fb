import CCurl

/// One transfer's curl easy handle and the C memory it borrows (header
/// list, error buffer, the retained ``CurlReceiver`` callback context);
/// ``close()`` frees each exactly once. Created, used and closed on the
/// curl thread only.
final class CurlEasy {
    let id: UInt64
    let clientID: UInt64
    let delivery: TransferDelivery
    /// Valid until ``close()``.
    private(set) var handle: UnsafeMutableRawPointer?
    /// Whether receiving is paused (`curl_easy_pause`).
    var paused = false

    private let receiver: Unmanaged<CurlReceiver>
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerList: UnsafeMutablePointer<curl_slist>?

    /// Creates and configures the handle for `job`, using the cookie jar in `share`.
    init(job: CurlJob, share: UnsafeMutableRawPointer) throws(HTTPClientError) {
        guard let handle = curl_easy_init() else { throw .transfer("curl_easy_init failed") }
        self.handle = handle
        id = job.id
        clientID = job.clientID
        delivery = job.delivery
        receiver = Unmanaged.passRetained(CurlReceiver(delivery: job.delivery))
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        do {
            try configure(handle, job: job, share: share)
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
    }

    /// Frees the handle and what it borrowed. Remove it from the multi handle first. Idempotent.
    func close() {
        guard let handle else { return }
        self.handle = nil
        curl_easy_cleanup(handle)
        if let headerList {
            curl_slist_free_all(headerList)
            self.headerList = nil
        }
        errorBuffer.deallocate()
        receiver.release()
    }

    /// The finished transfer as a response (for streams the body is empty). Call before ``close()``.
    func response() -> HTTPClientResponse {
        let r = receiver.takeUnretainedValue()
        var status = r.status
        if let handle {
            var code = 0
            if junction_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &code) == CURLE_OK, code > 0 { status = code }
        }
        return HTTPClientResponse(status: status, headerLines: r.headerLines, body: r.takeBody(), newConnections: newConnections)
    }

    /// Connections the transfer opened (0: it reused one).
    private var newConnections: Int {
        guard let handle else { return 0 }
        var count = 0
        return junction_curl_get_long(handle, CURLINFO_NUM_CONNECTS, &count) == CURLE_OK ? count : 0
    }

    /// What a failed transfer's `code` means, with curl's text. Call before ``close()``.
    func error(for code: CURLcode) -> HTTPClientError {
        var text = handle == nil ? "" : String(cString: errorBuffer)
        if text.isEmpty { text = String(cString: curl_easy_strerror(code)) }
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
            return .invalidURL(text)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT,
            CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER:
            return .connect(text)
        case CURLE_ABORTED_BY_CALLBACK:
            return .cancelled
        default:
            return .transfer(text)
        }
    }

    // MARK: - Options

    private func configure(_ h: UnsafeMutableRawPointer, job: CurlJob, share: UnsafeMutableRawPointer) throws(HTTPClientError) {
        let request = job.request
        let options = job.options
        try Self.validate(url: request.url)
        try set(h, CURLOPT_URL, request.url)
        try set(h, CURLOPT_PROTOCOLS_STR, "http,https")
        try set(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        // Threads: no signals (timeouts would use SIGALRM otherwise).
        try set(h, CURLOPT_NOSIGNAL, 1)
        try check(junction_curl_set_pointer(h, CURLOPT_ERRORBUFFER, errorBuffer), "CURLOPT_ERRORBUFFER")

        let context = receiver.toOpaque()
        try check(junction_curl_set_write_callback(h, curlWriteCallback), "CURLOPT_WRITEFUNCTION")
        try check(junction_curl_set_pointer(h, CURLOPT_WRITEDATA, context), "CURLOPT_WRITEDATA")
        try check(junction_curl_set_header_callback(h, curlHeaderCallback), "CURLOPT_HEADERFUNCTION")
        try check(junction_curl_set_pointer(h, CURLOPT_HEADERDATA, context), "CURLOPT_HEADERDATA")

        try set(h, CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeoutMilliseconds)
        try set(h, CURLOPT_TIMEOUT_MS, options.timeoutMilliseconds)
        try set(h, CURLOPT_TCP_KEEPALIVE, 1)
        try set(h, CURLOPT_USERAGENT, options.userAgent)
        if !options.verifyTLS {
            try set(h, CURLOPT_SSL_VERIFYPEER, 0)
            try set(h, CURLOPT_SSL_VERIFYHOST, 0)
        }

        if options.cookies {
            // This client's cookie engine: its share's jar, switched on by an empty cookie file.
            try check(junction_curl_set_pointer(h, CURLOPT_SHARE, share), "CURLOPT_SHARE")
            try set(h, CURLOPT_COOKIEFILE, "")
        }

        try setMethodAndBody(h, request)
        try setHeaders(h, request)
    }

    private func setMethodAndBody(_ h: UnsafeMutableRawPointer, _ request: HTTPClientRequest) throws(HTTPClientError) {
        let method = request.method
        guard HTTPToken.isValid(method) else {
            throw .transfer("invalid method \"\(method)\"")
        }
        let alwaysBody = ["POST", "PUT", "PATCH"].contains(method)
        if method == "HEAD" {
            try set(h, CURLOPT_NOBODY, 1)
        } else if alwaysBody || !request.body.isEmpty {
            try check(junction_curl_set_off(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)), "CURLOPT_POSTFIELDSIZE_LARGE")
            // curl copies the body (COPYPOSTFIELDS), using the size set just above.
            let code: CURLcode = request.body.isEmpty
                ? junction_curl_set_string(h, CURLOPT_COPYPOSTFIELDS, "")
                : request.body.withUnsafeBytes { junction_curl_set_pointer(h, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress)) }
            try check(code, "CURLOPT_COPYPOSTFIELDS")
            if method != "POST" { try set(h, CURLOPT_CUSTOMREQUEST, method) }
        } else if method != "GET" {
            try set(h, CURLOPT_CUSTOMREQUEST, method)
        }
    }

    private func setHeaders(_ h: UnsafeMutableRawPointer, _ request: HTTPClientRequest) throws(HTTPClientError) {
        var lines: [String] = []
        var hasContentType = false
        for (name, value) in request.headers {
            guard HTTPToken.isValid(name) else {
                throw .transfer("invalid header name \"\(name)\"")
            }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw .transfer("header \(name) contains a line break")
            }
            if name.utf8.count == 12, name.utf8.elementsEqual("content-type".utf8, by: { $0 | 0x20 == $1 | 0x20 }) { hasContentType = true }
            // "Name:" would remove a header; "Name;" sends it empty.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        // No invented form content type on bodies.
        if !hasContentType && !request.body.isEmpty { lines.append("Content-Type:") }
        guard !lines.isEmpty else { return }
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let appended = curl_slist_append(list, line) else {
                if let list { curl_slist_free_all(list) }
                throw .transfer("out of memory building headers")
            }
            list = appended
        }
        headerList = list
        try check(junction_curl_set_slist(h, CURLOPT_HTTPHEADER, list), "CURLOPT_HTTPHEADER")
    }

    /// Accepts absolute http(s) URLs only, with curl's own parser.
    private static func validate(url: String) throws(HTTPClientError) {
        guard let parsed = curl_url() else { throw .transfer("curl_url failed") }
        defer { curl_url_cleanup(parsed) }
        let code = curl_url_set(parsed, CURLUPART_URL, url, 0)
        guard code == CURLUE_OK else {
            throw .invalidURL("\(url): \(String(cString: curl_url_strerror(code)))")
        }
        var scheme: UnsafeMutablePointer<CChar>?
        guard curl_url_get(parsed, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK, let scheme else {
            throw .invalidURL("\(url): no scheme")
        }
        defer { curl_free(scheme) }
        let name = String(cString: scheme).lowercased()
        guard name == "http" || name == "https" else {
            throw .invalidURL("\(url): scheme \(name) is not http or https")
        }
    }

    private func set(_ h: UnsafeMutableRawPointer, _ option: CURLoption, _ value: Int) throws(HTTPClientError) {
        try check(junction_curl_set_long(h, option, value), "option \(option.rawValue)")
    }

    private func set(_ h: UnsafeMutableRawPointer, _ option: CURLoption, _ value: String) throws(HTTPClientError) {
        try check(junction_curl_set_string(h, option, value), "option \(option.rawValue)")
    }

    private func check(_ code: CURLcode, _ what: String) throws(HTTPClientError) {
        guard code == CURLE_OK else {
            throw .transfer("setting \(what): \(String(cString: curl_easy_strerror(code)))")
        }
    }
}

/// CURLOPT_WRITEFUNCTION: copies body bytes into the transfer's ``CurlReceiver``.
private func curlWriteCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?
) -> Int {
    let length = size * count
    guard let user else { return 0 }
    Unmanaged<CurlReceiver>.fromOpaque(user).takeUnretainedValue()
        .data(UnsafeRawBufferPointer(start: data, count: length))
    return length
}

/// CURLOPT_HEADERFUNCTION: one header line at a time.
private func curlHeaderCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?
) -> Int {
    let length = size * count
    guard let user else { return 0 }
    Unmanaged<CurlReceiver>.fromOpaque(user).takeUnretainedValue()
        .header(UnsafeRawBufferPointer(start: data, count: length))
    return length
}
