import CWebSockets
import Foundation

/// A protocol callback as a C function pointer.
typealias LWSCallback = @convention(c) (
    OpaquePointer?, lws_callback_reasons, UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, Int
) -> Int32

/// Owns one `lws_context` and the C memory it borrows (protocol table,
/// strings), and frees each exactly once. Created, used and destroyed on the
/// service thread only.
final class LWSContext {
    /// Valid until ``destroy()``.
    private(set) var pointer: OpaquePointer?
    private let protocols: UnsafeMutablePointer<lws_protocols>
    private var cStrings: [UnsafeMutablePointer<CChar>] = []

    /// The port the listener is bound to.
    private(set) var port = 0

    /// Creates the context and binds the listener, or throws why it could not.
    init(
        config: HTTPServerConfig,
        callback: LWSCallback,
        perSessionDataSize: Int,
        user: UnsafeMutableRawPointer
    ) throws(HTTPServerError) {
        protocols = .allocate(capacity: 2)
        protocols.initialize(repeating: lws_protocols(), count: 2)

        var info = lws_context_creation_info()
        let listen = Self.listenAddress(config.host)
        var options: UInt64 = junction_lws_option_fail_upon_unable_to_bind()
        if listen.ipv4Only { options |= junction_lws_option_disable_ipv6() }

        protocols[0].name = UnsafePointer(keep("junction-http"))
        protocols[0].callback = callback
        protocols[0].per_session_data_size = perSessionDataSize
        protocols[0].rx_buffer_size = 0

        info.protocols = UnsafePointer(protocols)
        info.port = Int32(config.port)
        info.iface = listen.iface.map { UnsafePointer(keep($0)) }
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

        guard let context = lws_create_context(&info) else {
            throw Self.diagnoseStartFailure(config: config, listen: listen)
        }
        pointer = context
        let vhost = lws_get_vhost_by_name(context, "junction")
        port = vhost.map { Int(lws_get_vhost_listen_port($0)) } ?? config.port
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
        protocols.deinitialize(count: 2)
        protocols.deallocate()
    }

    /// Copies `s` into C memory that lives as long as this handle.
    private func keep(_ s: String) -> UnsafeMutablePointer<CChar> {
        let copy = strdup(s) ?? UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        cStrings.append(copy)
        return copy
    }

    // MARK: - Listen address

    struct ListenAddress {
        var iface: String?
        var ipv4Only: Bool
        /// Used to probe why a bind failed.
        var probeHost: String
    }

    static func listenAddress(_ host: String) -> ListenAddress {
        switch host {
        case "", "*", "::":
            return ListenAddress(iface: nil, ipv4Only: false, probeHost: "::")
        case "0.0.0.0":
            return ListenAddress(iface: nil, ipv4Only: true, probeHost: "0.0.0.0")
        case "localhost":
            return ListenAddress(iface: "127.0.0.1", ipv4Only: true, probeHost: "127.0.0.1")
        default:
            var v4 = in_addr()
            if inet_pton(AF_INET, host, &v4) == 1 {
                return ListenAddress(iface: host, ipv4Only: true, probeHost: host)
            }
            return ListenAddress(iface: host, ipv4Only: false, probeHost: host)
        }
    }

    /// lws only logs why it failed; find out ourselves whether the port is taken.
    private static func diagnoseStartFailure(config: HTTPServerConfig, listen: ListenAddress) -> HTTPServerError {
        if config.port != 0, bindFails(host: listen.probeHost, port: config.port, with: EADDRINUSE) {
            return .portInUse(host: config.host, port: config.port)
        }
        if let tls = config.tls {
            return .startFailed("libwebsockets could not listen on \(config.host):\(config.port) with TLS (cert \(tls.certPath), key \(tls.keyPath))")
        }
        return .startFailed("libwebsockets could not listen on \(config.host):\(config.port)")
    }

    /// Binds a throwaway socket to see whether the error is `expected`.
    private static func bindFails(host: String, port: Int, with expected: Int32) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        let isV4 = inet_pton(AF_INET, host, &v4) == 1
        if !isV4 && inet_pton(AF_INET6, host, &v6) != 1 { return false }
        let fd = socket(isV4 ? AF_INET : AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let result: Int32
        if isV4 {
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr = v4
            result = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        } else {
            var addr = sockaddr_in6()
            addr.sin6_family = sa_family_t(AF_INET6)
            addr.sin6_port = in_port_t(UInt16(port).bigEndian)
            addr.sin6_addr = v6
            result = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        return result != 0 && errno == expected
    }
}
