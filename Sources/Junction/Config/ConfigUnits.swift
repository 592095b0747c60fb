import Foundation

/// A byte count in routes.yaml: `1048576`, `64KiB`, `1MiB`, `2mb`, `512B`.
public struct ByteSize: Decodable, Sendable, Hashable, Comparable, ConfigDescribable, ExpressibleByIntegerLiteral {
    public var bytes: Int

    public init(_ bytes: Int) { self.bytes = bytes }
    public init(integerLiteral value: Int) { bytes = value }

    /// The largest byte size a config may give: 1 PiB. Larger values would
    /// overflow the arithmetic that uses them.
    public static let maximum = ByteSize(1 << 50)

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let (number, scale) = ByteSize.split(raw) else {
            throw ConfigDiagnostic("invalid byte size '\(raw)'", at: decoder.configLocation, hint: "use a number of bytes or a unit: 512B, 64KiB, 1MiB, 1GiB")
        }
        guard let parsed = ByteSize.checked(number, scale) else {
            throw ConfigDiagnostic("byte size '\(raw)' is too large", at: decoder.configLocation, hint: "the most is 1 PiB (\(ByteSize.maximum.bytes >> 30)GiB)")
        }
        self = parsed
    }

    /// Parses `64KiB`, `1 MB`, `100`; nil when malformed or above `maximum`.
    public static func parse(_ text: String) -> ByteSize? {
        split(text).flatMap { checked($0, $1) }
    }

    /// The number and the unit's scale of a byte size; nil when malformed.
    private static func split(_ text: String) -> (Double, Double)? {
        let s = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
        let digits = s.prefix { $0.isNumber || $0 == "." }
        guard let number = Double(digits), number.isFinite, number >= 0 else { return nil }
        let unit = s.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        let scale: Double
        switch unit {
        case "", "b": scale = 1
        case "k", "kb", "kib": scale = 1024
        case "m", "mb", "mib": scale = 1024 * 1024
        case "g", "gb", "gib": scale = 1024 * 1024 * 1024
        default: return nil
        }
        return (number, scale)
    }

    private static func checked(_ number: Double, _ scale: Double) -> ByteSize? {
        let bytes = number * scale
        guard bytes <= Double(maximum.bytes) else { return nil }
        return ByteSize(Int(bytes))
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

    /// The longest duration a config may give: 100 years. Longer ones would
    /// overflow nanosecond arithmetic.
    public static let maximum = Seconds(100 * 365 * 86_400)

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let value = Seconds.seconds(raw) else {
            throw ConfigDiagnostic("invalid duration '\(raw)'", at: decoder.configLocation, hint: "use a number of seconds or a unit: 250ms, 5s, 1m, 1h")
        }
        guard value <= Seconds.maximum.value else {
            throw ConfigDiagnostic("duration '\(raw)' is too long", at: decoder.configLocation, hint: "the most is 100 years (\(Int(Seconds.maximum.value))s)")
        }
        self.init(value)
    }

    /// Parses `250ms`, `5s`, `1m`, `2h`, `30`; nil when malformed or above `maximum`.
    public static func parse(_ text: String) -> Seconds? {
        guard let value = seconds(text), value <= maximum.value else { return nil }
        return Seconds(value)
    }

    /// The number of seconds a duration spells; nil when malformed.
    private static func seconds(_ text: String) -> Double? {
        let s = text.trimmingCharacters(in: .whitespaces)
        let digits = s.prefix { $0.isNumber || $0 == "." }
        guard let number = Double(digits), number.isFinite, number >= 0 else { return nil }
        switch s.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased() {
        case "", "s", "sec": return number
        case "ms": return number / 1000
        case "us", "µs": return number / 1_000_000
        case "m", "min": return number * 60
        case "h": return number * 3600
        default: return nil
        }
    }

    /// Nanoseconds, for `DispatchTime` arithmetic; saturates instead of trapping
    /// (negative and NaN give 0, too large gives `UInt64.max`).
    public var nanoseconds: UInt64 {
        let ns = (value * 1e9).rounded()
        guard ns > 0 else { return 0 }
        guard ns < 0x1p64 else { return .max }
        return UInt64(ns)
    }

    /// The duration as a `DispatchTimeInterval`, capped at about 292 years.
    public var dispatch: DispatchTimeInterval {
        let ns = (value * 1e9).rounded()
        guard ns > 0 else { return .nanoseconds(0) }
        guard ns < 0x1p63 else { return .nanoseconds(Int(Int64.max)) }
        return .nanoseconds(Int(ns))
    }

    public static func < (a: Seconds, b: Seconds) -> Bool { a.value < b.value }
    public static var configTypeName: String { "duration" }
    public var configDescription: String {
        if value == 0 { return "0s" }
        if value < 1 { return "\(Int((value * 1000).rounded()))ms" }
        if value == value.rounded(), value < 0x1p53 { return "\(Int(value))s" }
        return "\(value)s"
    }
}
