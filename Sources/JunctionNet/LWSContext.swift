import CWebSockets
import Foundation

/// A protocol callback as a C function pointer.
typealias LWSCallback = @convention(c) (
    OpaquePointer?, lws_callback_reasons, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int
) -> Int32

/// Owns one `lws_context` and the C memory it borrows (protocol table,
/// strings), and frees each exactly once. Created, used and destroyed on the
/// service thread only.
///
/// The context does not listen itself: the server's ``ListenSocket`` is
/// adopted as a watched descriptor of the `junction-accept` protocol, and
/// every connection accepted from it is adopted as an HTTP connection.
final class LWSContext {
    /// Valid until ``destroy()``.
    private(set) var pointer: OpaquePointer?
    private let protocols: UnsafeMutablePointer<lws_protocols>
    private var cStrings: [UnsafeMutablePointer<CChar>] = []
    private let tls: Bool
    /// Keepalive policy for WebSockets (ping after idle, hang up without answer).
    private let retryPolicy: UnsafeMutablePointer<lws_retry_bo_t>

    /// Name of the protocol the listening descriptor is bound to.
    static let acceptProtocol = "junction-accept"

    /// Creates the context (and its TLS setup), or throws why it could not.
    init(
        config: HTTPServerConfig,
        callback: LWSCallback,
        perSessionDataSize: Int,
        user: UnsafeMutableRawPointer
    ) throws(HTTPServerError) {
        protocols = .allocate(capacity: 3)
        protocols.initialize(repeating: lws_protocols(), count: 3)
        tls = config.tls != nil
        retryPolicy = .allocate(capacity: 1)
        retryPolicy.initialize(to: lws_retry_bo_t())
        if config.webSocketPingInterval > 0 {
            junction_retry_policy(
                retryPolicy, UInt16(clamping: config.webSocketPingInterval),
                UInt16(clamping: config.webSocketPingInterval + config.webSocketPingTimeout))
        }

        var info = lws_context_creation_info()
        var options: UInt64 = 0

        protocols[0].name = UnsafePointer(keep("junction-http"))
        protocols[0].callback = callback
        protocols[0].per_session_data_size = perSessionDataSize
        protocols[0].rx_buffer_size = 0
        protocols[1].name = UnsafePointer(keep(Self.acceptProtocol))
        protocols[1].callback = callback

        info.protocols = UnsafePointer(protocols)
        info.port = CONTEXT_PORT_NO_LISTEN_SERVER
        info.vhost_name = UnsafePointer(keep("junction"))
        info.user = user
        info.gid = -1
        info.uid = -1
        info.count_threads = 1
        info.fd_limit_per_thread = UInt32(clamping: config.maxConnections + 16)
        info.keepalive_timeout = Int32(clamping: config.keepAliveTimeout)
        info.timeout_secs = UInt32(clamping: config.requestTimeout)
        info.timeout_secs_ah_idle = UInt32(clamping: config.requestTimeout)
        info.max_http_header_data = UInt16(clamping: config.maxHeaderSize)
        info.pt_serv_buf_size = 64 * 1024
        if let tls = config.tls {
            options |= junction_lws_option_ssl_global_init()
            info.ssl_cert_filepath = UnsafePointer(keep(tls.certPath))
            info.ssl_private_key_filepath = UnsafePointer(keep(tls.keyPath))
            // Only HTTP/1.1: the response writer frames for h1.
            info.alpn = UnsafePointer(keep("http/1.1"))
        }
        info.options = options
        if config.webSocketPingInterval > 0 { info.retry_and_idle_policy = UnsafePointer(retryPolicy) }

        guard let context = lws_create_context(&info) else {
            if let tls = config.tls {
                throw .startFailed("libwebsockets could not set up TLS (cert \(tls.certPath), key \(tls.keyPath))")
            }
            throw .startFailed("libwebsockets could not create its context")
        }
        pointer = context
    }

    private var vhost: OpaquePointer? {
        pointer.flatMap { lws_get_vhost_by_name($0, "junction") }
    }

    /// Watches the listening descriptor; lws owns (and closes) it from now on.
    func adoptListener(_ socket: ListenSocket) throws(HTTPServerError) {
        guard let vhost else { throw .startFailed("libwebsockets has no vhost") }
        let fd = socket.release()
        let adopted = Self.acceptProtocol.withCString { name in
            lws_adopt_descriptor_vhost(vhost, LWS_ADOPT_RAW_FILE_DESC, lws_sock_file_fd_type(filefd: fd), name, nil)
        }
        // On failure lws has closed the descriptor.
        guard adopted != nil else { throw .startFailed("libwebsockets could not watch the listening socket") }
    }

    /// Hands an accepted connection to lws as HTTP (with TLS when configured).
    /// On failure (too many connections) lws closes it.
    func adoptConnection(_ fd: Int32) -> Bool {
        guard let vhost else {
            close(fd)
            return false
        }
        var type = LWS_ADOPT_SOCKET.rawValue | LWS_ADOPT_HTTP.rawValue
        if tls { type |= LWS_ADOPT_ALLOW_SSL.rawValue }
        return lws_adopt_descriptor_vhost(vhost, lws_adoption_type(type), lws_sock_file_fd_type(sockfd: fd), nil, nil) != nil
    }

    /// Destroys the context (closing the listener and every connection, with
    /// their close callbacks). Idempotent.
    func destroy() {
        guard let context = pointer else { return }
        pointer = nil
        lws_context_destroy(context)
    }

    deinit {
        destroy()
        freeMemory()
    }

    private var freed = false

    private func freeMemory() {
        guard !freed else { return }
        freed = true
        for s in cStrings { free(s) }
        cStrings.removeAll()
        protocols.deinitialize(count: 3)
        protocols.deallocate()
        retryPolicy.deallocate()
    }

    /// Copies `s` into C memory that lives as long as this handle.
    private func keep(_ s: String) -> UnsafeMutablePointer<CChar> {
        let copy = strdup(s) ?? UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        cStrings.append(copy)
        return copy
    }
}
