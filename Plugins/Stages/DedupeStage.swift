import Junction
import JunctionJSON

/// Drops a message whose key passed within the last `window`.
///
/// Memory is bounded: only 64-bit hashes are kept, at most `max_keys`, the
/// oldest forgotten first. A window starts when a key passes (duplicates do
/// not extend it). With `key`, a message without that field passes unchecked
/// and a payload that is not valid JSON is rejected.
public final class DedupeStage: Stage {
    private let clock: StageClock.Source
    private let reader: JSONFieldReader?
    private let windowNs: UInt64
    private let maxKeys: Int
    /// Hash → when it passed.
    private var seen: [UInt64: UInt64] = [:]
    /// (hash, when) in pass order, for expiry and eviction.
    private var order = FIFO<(hash: UInt64, at: UInt64)>()

    /// An empty memory.
    /// - Throws: `ConfigDiagnostic` when the JSON parser cannot be allocated.
    public init(config: DedupeConfig, context: ComponentContext, clock: @escaping StageClock.Source = StageClock.now) throws {
        self.clock = clock
        windowNs = config.window.nanoseconds
        maxKeys = config.maxKeys
        if let key = config.key {
            do {
                reader = try JSONFieldReader(paths: [JSONPath(key)])
            } catch {
                throw ConfigDiagnostic(error.message)
            }
        } else {
            reader = nil
        }
    }

    /// Keys remembered now.
    public var keyCount: Int { seen.count }

    public func process(_ message: Message, into output: inout StageOutput) {
        let hash: UInt64
        if let reader {
            guard message.withPayloadBytes({ reader.read(raw: $0) }) else {
                output.reject(message, reason: "invalid JSON")
                return
            }
            guard let h = Self.hash(reader[0]) else {
                output.emit(message)
                return
            }
            hash = h
        } else {
            var hasher = Hasher()
            message.withPayloadBytes { hasher.combine(bytes: $0) }
            hash = UInt64(bitPattern: Int64(hasher.finalize()))
        }
        let now = clock()
        expire(now: now)
        if seen[hash] != nil { return }
        seen[hash] = now
        order.append((hash, now))
        while seen.count > maxKeys { dropOldest() }
        output.emit(message)
    }

    private func expire(now: UInt64) {
        guard windowNs > 0 else { return }
        while let oldest = order.first, now >= oldest.at &+ windowNs { dropOldest() }
    }

    private func dropOldest() {
        guard let (hash, at) = order.popFirst() else { return }
        if seen[hash] == at { seen[hash] = nil }
    }

    /// A hash of a field's kind and value (numbers by value: 5 and 5.0 agree); nil when missing.
    static func hash(_ field: JSONField) -> UInt64? {
        guard let kind = field.kind else { return nil }
        var hasher = Hasher()
        switch kind {
        case .null: hasher.combine(0 as UInt8)
        case .bool: hasher.combine(field.bool ? 1 as UInt8 : 2)
        case .number:
            hasher.combine(3 as UInt8)
            hasher.combine(field.number == 0 ? 0 : field.number)
        case .string:
            hasher.combine(4 as UInt8)
            hasher.combine(bytes: field.bytes)
        case .array, .object:
            hasher.combine(5 as UInt8)
            hasher.combine(bytes: field.bytes)
        }
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }
}
