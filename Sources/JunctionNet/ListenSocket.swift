import Foundation
import Glibc

/// A bound, listening, non-blocking TCP socket that the server makes itself
/// and hands to a libwebsockets context, which watches it and adopts every
/// connection accepted from it.
///
/// Owning the socket lets several service threads listen on one port with
/// `SO_REUSEPORT` (libwebsockets 4.1 only sets that with its own threads,
/// which Debian's build does not have) and turns a taken port into a clear
/// error at once. The descriptor is closed exactly once: here, unless
/// ``release()`` handed it over.
///
/// ```swift
/// let socket = try ListenSocket(host: "127.0.0.1", port: 0, reusePort: false)
/// print(socket.port)   // the port the kernel picked
/// ```
final class ListenSocket: @unchecked Sendable {
    /// The descriptor; -1 once closed or released.
    private(set) var fd: Int32
    /// The bound port.
    let port: Int

    private static let backlog: Int32 = 1024

    /// Binds `host:port` (`""`, `"*"` or `"::"`: every address, dual stack;
    /// `"0.0.0.0"`: every IPv4 address; `"localhost"`: 127.0.0.1) and listens.
    init(host: String, port: Int, reusePort: Bool) throws(HTTPServerError) {
        let (family, address) = try Self.resolve(host: host, port: port)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .startFailed("socket(): \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        var zero: Int32 = 0
        let size = socklen_t(MemoryLayout<Int32>.size)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, size)
        if reusePort { setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, size) }
        if family == AF_INET6 { setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, size) }
        let bound = address.withUnsafeBytes { raw in
            bind(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        if bound != 0 {
            let error = errno
            close(fd)
            if error == EADDRINUSE { throw .portInUse(host: host, port: port) }
            throw .startFailed("cannot bind \(host):\(port): \(String(cString: strerror(error)))")
        }
        guard listen(fd, Self.backlog) == 0 else {
            let error = errno
            close(fd)
            throw .startFailed("cannot listen on \(host):\(port): \(String(cString: strerror(error)))")
        }
        self.fd = fd
        self.port = Self.boundPort(fd) ?? port
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Hands the descriptor over (libwebsockets closes it from now on).
    func release() -> Int32 {
        defer { fd = -1 }
        return fd
    }

    /// Whether something already listens on `host:port` (a plain bind fails).
    /// Checked before binding with `SO_REUSEPORT`, which would otherwise
    /// silently join another process's listener on the same port.
    static func isTaken(host: String, port: Int) -> Bool {
        do {
            _ = try ListenSocket(host: host, port: port, reusePort: false)
            return false
        } catch {
            return error == .portInUse(host: host, port: port)
        }
    }

    /// Accepts one pending connection, non-blocking with TCP_NODELAY; nil when none is pending.
    static func accept(from listener: Int32) -> Int32? {
        let fd = Glibc.accept(listener, nil, nil)
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    private static func boundPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard ok == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) } }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) } }
        default:
            return nil
        }
    }

    /// The socket family and address bytes for `host:port`.
    private static func resolve(host: String, port: Int) throws(HTTPServerError) -> (Int32, [UInt8]) {
        let wildcard6 = ["", "*", "::"].contains(host)
        let name = host == "localhost" ? "127.0.0.1" : (wildcard6 ? "::" : host)
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, name, &v4) == 1 {
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr = v4
            return (AF_INET, withUnsafeBytes(of: &addr) { Array($0) })
        }
        if inet_pton(AF_INET6, name, &v6) == 1 {
            var addr = sockaddr_in6()
            addr.sin6_family = sa_family_t(AF_INET6)
            addr.sin6_port = in_port_t(UInt16(port).bigEndian)
            addr.sin6_addr = v6
            return (AF_INET6, withUnsafeBytes(of: &addr) { Array($0) })
        }
        // A host name: its first address.
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, String(port), &hints, &result) == 0, let first = result else {
            throw .startFailed("cannot resolve listen host '\(host)'")
        }
        defer { freeaddrinfo(result) }
        let bytes = Array(UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen)))
        return (first.pointee.ai_family, bytes)
    }
}
