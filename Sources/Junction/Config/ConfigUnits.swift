import Foundation

/// A byte count in routes.yaml: `1048576`, `64KiB`, `1MiB`, `2mb`, `512B`.
public struct ByteSize: Decodable, Sendable, Hashable, Comparable, ConfigDescribable, ExpressibleByIntegerLiteral {
    public var bytes: Int

    public init(_ bytes: Int) { self.bytes = bytes }
    public init(integerLiteral value: Int) { bytes = value }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = ByteSize.parse(raw) else {
            throw ConfigDiagnostic("invalid byte size '\(raw)'", at: decoder.configLocation, hint: "use a number of bytes or a unit: 512B, 64KiB, 1MiB, 1GiB")
        }
        self = parsed
    }

    /// Parses `64KiB`, `1 MB`, `100`; nil when malformed.
    public static func parse(_ text: String) -> ByteSize? {
        let s = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
        let digits = s.prefix { $0.isNumber || $0 == "." }
        guard let number = Double(digits), number >= 0 else { return nil }
        let unit = s.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        let scale: Double
        switch unit {
        case "", "b": scale = 1
        case "k", "kb", "kib": scale = 1024
        case "m", "mb", "mib": scale = 1024 * 1024
        case "g", "gb", "gib": scale = 1024 * 1024 * 1024
        default: return nil
        }
        return ByteSize(Int(number * scale))
    }

    public static func < (a: ByteSize, b: ByteSize) -> Bool { a.bytes < b.bytes }
    public static var configTypeName: String { "bytes" }
    public var configDescription: String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20)MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10)KiB" }
        return "\(bytes)B"
    }
}

/// A duration in routes.yaml: `250ms`, `5s`, `1m`, `2h`, or a plain number of seconds.
public struct Seconds: Decodable, Sendable, Hashable, Comparable, ConfigDescribable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    public var value: Double

    public init(_ value: Double) { self.value = value }
    public init(floatLiteral value: Double) { self.value = value }
    public init(integerLiteral value: Int) { self.value = Double(value) }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = Seconds.parse(raw) else {
            throw ConfigDiagnostic("invalid duration '\(raw)'", at: decoder.configLocation, hint: "use a number of seconds or a unit: 250ms, 5s, 1m, 1h")
        }
        self = parsed
    }

    public static func parse(_ text: String) -> Seconds? {
        let s = text.trimmingCharacters(in: .whitespaces)
        let digits = s.prefix { $0.isNumber || $0 == "." }
        guard let number = Double(digits), number >= 0 else { return nil }
        switch s.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased() {
        case "", "s", "sec": return Seconds(number)
        case "ms": return Seconds(number / 1000)
        case "us", "µs": return Seconds(number / 1_000_000)
        case "m", "min": return Seconds(number * 60)
        case "h": return Seconds(number * 3600)
        default: return nil
        }
    }

    /// Nanoseconds, for `DispatchTime` arithmetic.
    public var nanoseconds: UInt64 { UInt64((value * 1e9).rounded()) }
    public var dispatch: DispatchTimeInterval { .nanoseconds(Int(min(Double(Int.max), value * 1e9))) }

    public static func < (a: Seconds, b: Seconds) -> Bool { a.value < b.value }
    public static var configTypeName: String { "duration" }
    public var configDescription: String {
        if value == 0 { return "0s" }
        if value < 1 { return "\(Int((value * 1000).rounded()))ms" }
        if value == value.rounded() { return "\(Int(value))s" }
        return "\(value)s"
    }
}
