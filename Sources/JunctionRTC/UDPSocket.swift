import Dispatch
import Glibc

/// One non-blocking UDP socket bound to one address (never the wildcard: a
/// reply must leave from the address the peer probed), read on a serial
/// queue. Owns its descriptor and closes it once.
///
/// ```swift
/// let socket = try UDPSocket(bindTo: "127.0.0.1", queue: pcQueue) { datagram, source in
///     demux(datagram, source)
/// }
/// socket.start()
/// socket.send(reply, to: source)
/// socket.close()
/// ```
public final class UDPSocket: @unchecked Sendable {
    /// Largest datagram read; WebRTC keeps packets under ~1200 bytes.
    public static let maxDatagram = 65_536
    /// Kernel buffer size asked for (capped by net.core.rmem_max/wmem_max).
    public static let bufferSize: Int32 = 2 << 20

    /// The bound address and port.
    public let local: STUNAddress
    private let fd: Int32
    private let source: any DispatchSourceRead
    private let queue: DispatchQueue
    private var buffer: [UInt8]
    private var closed = false
    private var started = false
    /// Datagrams `send` could not hand to the kernel (full buffer, unreachable …).
    public private(set) var sendFailures = 0

    /// `SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC` (Linux values). Spelled out:
    /// in whole-module builds the C headers that also declare them (usrsctp's,
    /// OpenSSL's) hide Glibc's `__socket_type` enum from this module.
    private static let datagramNonBlockingCloexec: Int32 = 2 | 0o4000 | 0o2000000

    /// Binds `host` (numeric IPv4 or IPv6) on `port` (0: any free port);
    /// `onDatagram` runs on `queue` for every datagram received.
    public init(
        bindTo host: String, port: UInt16 = 0, queue: DispatchQueue,
        onDatagram: @escaping (_ datagram: [UInt8], _ source: STUNAddress) -> Void
    ) throws(UDPSocketError) {
        guard let address = STUNAddress(host: host, port: port) else { throw .badAddress(host) }
        let family = address.family == .ipv4 ? AF_INET : AF_INET6
        let fd = Glibc.socket(family, Self.datagramNonBlockingCloexec, 0)
        guard fd >= 0 else { throw .system("socket", errno) }
        var size = Self.bufferSize
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        if family == AF_INET6 {
            var only: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &only, socklen_t(MemoryLayout<Int32>.size))
        }
        var storage = Self.socketAddress(address)
        let bound = withUnsafePointer(to: &storage.0) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, storage.1) }
        }
        guard bound == 0, let actual = Self.boundAddress(fd) else {
            let code = errno
            Glibc.close(fd)
            throw .system("bind \(address)", code)
        }
        self.fd = fd
        self.local = actual
        self.queue = queue
        self.buffer = [UInt8](repeating: 0, count: Self.maxDatagram)
        self.source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [weak self] in self?.drain(onDatagram) }
        source.setCancelHandler { Glibc.close(fd) }
    }

    deinit {
        if !closed { source.cancel() }
        // A source never resumed must be resumed once before it may be released.
        if !started { source.resume() }
    }

    /// Starts reading (call once).
    public func start() {
        guard !started, !closed else { return }
        started = true
        source.resume()
    }

    /// Stops reading and closes the descriptor (once the read source is cancelled).
    public func close() {
        guard !closed else { return }
        closed = true
        source.cancel()
    }

    /// Sends one datagram; a failure is counted, never thrown (UDP is lossy anyway).
    @discardableResult
    public func send(_ datagram: [UInt8], to destination: STUNAddress) -> Bool {
        guard !closed else { return false }
        var storage = Self.socketAddress(destination)
        let sent = datagram.withUnsafeBytes { bytes in
            withUnsafePointer(to: &storage.0) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), $0, storage.1)
                }
            }
        }
        if sent != datagram.count { sendFailures += 1 }
        return sent == datagram.count
    }

    /// Reads until the socket is empty (one wake-up can cover many datagrams).
    private func drain(_ onDatagram: ([UInt8], STUNAddress) -> Void) {
        while !closed {
            var from = sockaddr_storage()
            var fromLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let n = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(fd, bytes.baseAddress, bytes.count, 0, $0, &fromLength)
                    }
                }
            }
            if n < 0 {
                if errno == EINTR { continue }
                return  // EAGAIN, or an ICMP error surfaced on the socket: wait for the next event
            }
            guard let sender = Self.address(from) else { continue }
            onDatagram(Array(buffer[0..<n]), sender)
        }
    }

    private static func socketAddress(_ address: STUNAddress) -> (sockaddr_storage, socklen_t) {
        var storage = sockaddr_storage()
        switch address.family {
        case .ipv4:
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    sin.pointee.sin_family = sa_family_t(AF_INET)
                    sin.pointee.sin_port = address.port.bigEndian
                    withUnsafeMutableBytes(of: &sin.pointee.sin_addr) { $0.copyBytes(from: address.bytes) }
                }
            }
            return (storage, socklen_t(MemoryLayout<sockaddr_in>.size))
        case .ipv6:
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    sin6.pointee.sin6_family = sa_family_t(AF_INET6)
                    sin6.pointee.sin6_port = address.port.bigEndian
                    withUnsafeMutableBytes(of: &sin6.pointee.sin6_addr) { $0.copyBytes(from: address.bytes) }
                }
            }
            return (storage, socklen_t(MemoryLayout<sockaddr_in6>.size))
        }
    }

    private static func address(_ storage: sockaddr_storage) -> STUNAddress? {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    STUNAddress(bytes: withUnsafeBytes(of: sin.pointee.sin_addr) { Array($0) }, port: UInt16(bigEndian: sin.pointee.sin_port))
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    STUNAddress(bytes: withUnsafeBytes(of: sin6.pointee.sin6_addr) { Array($0) }, port: UInt16(bigEndian: sin6.pointee.sin6_port))
                }
            }
        default:
            return nil
        }
    }

    private static func boundAddress(_ fd: Int32) -> STUNAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return status == 0 ? address(storage) : nil
    }
}

/// Why a UDP socket could not be opened.
public enum UDPSocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not a numeric IPv4 or IPv6 address.
    case badAddress(String)
    /// A system call failed: what, and errno.
    case system(String, Int32)

    public var description: String {
        switch self {
        case .badAddress(let host): return "UDP: '\(host)' is not a numeric IP address"
        case .system(let what, let code): return "UDP: \(what): \(String(cString: strerror(code)))"
        }
    }
}
