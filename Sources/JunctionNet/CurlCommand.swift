/// Work handed to the curl thread through the ``CurlInbox``. Transfers are
/// named by id, never by pointer.
enum CurlCommand: Sendable {
    /// Create the easy handle for `job` and add it to the multi handle.
    case start(CurlJob)
    /// Remove the transfer and free its handle; its delivery reports `.cancelled`.
    case cancel(UInt64)
    /// `curl_easy_pause(CURLPAUSE_RECV)`: stop reading the socket.
    case pause(UInt64)
    /// `curl_easy_pause(CURLPAUSE_CONT)`.
    case resume(UInt64)
    /// Anything else (client registration, cookies, shutdown), run on the curl thread.
    case run(@Sendable (CurlLoop) -> Void)
}

/// Everything the curl thread needs to start one transfer.
struct CurlJob: Sendable {
    let id: UInt64
    let clientID: UInt64
    let request: HTTPClientRequest
    let options: CurlOptions
    let delivery: TransferDelivery
}

/// Per-client settings applied to each easy handle, in curl's units.
struct CurlOptions: Sendable {
    var connectTimeoutMilliseconds: Int
    /// `0`: no limit.
    var timeoutMilliseconds: Int
    var userAgent: String
    var verifyTLS: Bool
    var cookies: Bool

    init(config: HTTPClientConfig, requestTimeout: Double?) {
        connectTimeoutMilliseconds = Self.milliseconds(config.connectTimeout)
        timeoutMilliseconds = Self.milliseconds(requestTimeout ?? config.requestTimeout)
        userAgent = config.userAgent
        verifyTLS = config.verifyTLS
        cookies = config.cookies
    }

    /// Seconds to whole milliseconds, at least 1 for any positive time, 0 for none.
    static func milliseconds(_ seconds: Double) -> Int {
        guard seconds > 0, seconds.isFinite else { return 0 }
        return max(1, Int(min(seconds * 1000, Double(Int32.max))))
    }
}
