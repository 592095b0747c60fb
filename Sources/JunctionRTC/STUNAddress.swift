import Glibc

/// An IP address and port as STUN carries them (XOR-MAPPED-ADDRESS).
///
/// ```swift
/// let v4 = STUNAddress(host: "192.0.2.1", port: 32_853)
/// let v6 = STUNAddress(host: "2001:db8::1", port: 443)
/// v6?.description  // "[2001:db8::1]:443"
/// ```
public struct STUNAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Family: UInt8, Sendable {
        case ipv4 = 1
        case ipv6 = 2
    }

    /// 4 bytes for IPv4, 16 for IPv6, network order.
    public let bytes: [UInt8]
    public let port: UInt16

    /// `nil` unless `bytes` has 4 or 16 bytes.
    public init?(bytes: [UInt8], port: UInt16) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
        self.port = port
    }

    /// Parses a numeric IPv4 or IPv6 address (`inet_pton`); `nil` for anything else.
    public init?(host: String, port: UInt16) {
        var buffer = [UInt8](repeating: 0, count: 16)
        let family = host.contains(":") ? AF_INET6 : AF_INET
        let status = buffer.withUnsafeMutableBytes { inet_pton(family, host, $0.baseAddress) }
        guard status == 1 else { return nil }
        self.init(bytes: Array(buffer.prefix(family == AF_INET ? 4 : 16)), port: port)
    }

    public var family: Family { bytes.count == 4 ? .ipv4 : .ipv6 }

    /// The address in text form (`inet_ntop`): `192.0.2.1`, `2001:db8::1`.
    public var host: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = self.family == .ipv4 ? AF_INET : AF_INET6
        let written = bytes.withUnsafeBytes { raw in
            text.withUnsafeMutableBufferPointer { inet_ntop(family, raw.baseAddress, $0.baseAddress, socklen_t($0.count)) }
        }
        guard written != nil else { return "?" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `192.0.2.1:32853` or `[2001:db8::1]:443`.
    public var description: String {
        family == .ipv4 ? "\(host):\(port)" : "[\(host)]:\(port)"
    }
}
