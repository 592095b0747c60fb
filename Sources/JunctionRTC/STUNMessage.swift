/// A STUN message (RFC 8489): type, transaction id and attributes.
/// ``encode(integrityKey:fingerprint:)`` writes it, computing
/// MESSAGE-INTEGRITY (HMAC-SHA1) and FINGERPRINT; ``STUNPacket`` reads one
/// and verifies both.
///
/// ```swift
/// // Answering an ICE connectivity check as the controlled ICE-lite agent.
/// let packet = try STUNPacket(bytes: datagram)
/// guard packet.fingerprintIsValid, packet.integrityIsValid(key: local.integrityKey) else { return }
/// let reply = STUNMessage.bindingSuccess(for: packet.message, mappedAddress: source)
/// send(try reply.encode(integrityKey: local.integrityKey))
/// ```
public struct STUNMessage: Sendable, Hashable {
    /// The magic cookie, 0x2112A442.
    public static let magicCookie: UInt32 = 0x2112_A442
    static let fingerprintXOR: UInt32 = 0x5354_554E

    /// Method and class, e.g. ``STUNMessageType/bindingRequest``.
    public var type: STUNMessageType
    /// Copied into every response to this message.
    public var transactionID: STUNTransactionID
    /// In wire order. When decoded: everything up to MESSAGE-INTEGRITY and
    /// FINGERPRINT included, attributes between them dropped (RFC 8489 §14.5).
    public var attributes: [STUNAttribute]

    /// A message to encode; see also the `binding…` builders below.
    public init(type: STUNMessageType, transactionID: STUNTransactionID, attributes: [STUNAttribute] = []) {
        self.type = type
        self.transactionID = transactionID
        self.attributes = attributes
    }

    // MARK: Builders

    /// A Binding request (an ICE connectivity check when it carries USERNAME, PRIORITY and a role).
    public static func bindingRequest(transactionID: STUNTransactionID, attributes: [STUNAttribute]) -> STUNMessage {
        STUNMessage(type: .bindingRequest, transactionID: transactionID, attributes: attributes)
    }

    /// A Binding success response to `request`: same transaction id,
    /// XOR-MAPPED-ADDRESS = where the request came from.
    public static func bindingSuccess(for request: STUNMessage, mappedAddress: STUNAddress) -> STUNMessage {
        STUNMessage(type: .bindingSuccess, transactionID: request.transactionID, attributes: [.xorMappedAddress(mappedAddress)])
    }

    /// A Binding error response to `request`; a 420 lists `unknownAttributes`.
    public static func bindingError(for request: STUNMessage, error: STUNErrorCode, unknownAttributes: [UInt16] = []) -> STUNMessage {
        var attributes: [STUNAttribute] = [.errorCode(error)]
        if !unknownAttributes.isEmpty { attributes.append(.unknownAttributes(unknownAttributes)) }
        return STUNMessage(type: .bindingError, transactionID: request.transactionID, attributes: attributes)
    }

    // MARK: Reading attributes

    /// The first attribute of each kind, or `nil` (`false`) when absent:
    /// `message.username == "\(local.ufrag):\(peerUfrag)"`.
    public var username: String? { firstValue { if case .username(let v) = $0 { v } else { nil } } }
    public var priority: UInt32? { firstValue { if case .priority(let v) = $0 { v } else { nil } } }
    public var useCandidate: Bool { attributes.contains(.useCandidate) }
    public var iceControlling: UInt64? { firstValue { if case .iceControlling(let v) = $0 { v } else { nil } } }
    public var iceControlled: UInt64? { firstValue { if case .iceControlled(let v) = $0 { v } else { nil } } }
    public var xorMappedAddress: STUNAddress? { firstValue { if case .xorMappedAddress(let v) = $0 { v } else { nil } } }
    public var errorCode: STUNErrorCode? { firstValue { if case .errorCode(let v) = $0 { v } else { nil } } }

    /// Comprehension-required types (< 0x8000) this codec does not know:
    /// a request carrying any gets 420 listing them.
    public var unknownComprehensionRequired: [UInt16] {
        attributes.compactMap { attribute in
            if case .other(let type, _) = attribute, STUNAttributeType.isComprehensionRequired(type) { return type }
            return nil
        }
    }

    private func firstValue<Value>(_ pick: (STUNAttribute) -> Value?) -> Value? {
        for attribute in attributes {
            if let value = pick(attribute) { return value }
        }
        return nil
    }

    // MARK: Encoding

    /// The wire form: the attributes in order (``STUNAttribute/messageIntegrity(_:)``
    /// and ``STUNAttribute/fingerprint(_:)`` entries skipped), then
    /// MESSAGE-INTEGRITY keyed with `integrityKey` when given, then
    /// FINGERPRINT when `fingerprint` is true. Padding bytes are zero.
    public func encode(integrityKey: [UInt8]? = nil, fingerprint: Bool = true) throws(STUNError) -> [UInt8] {
        try encode(integrityKey: integrityKey, fingerprint: fingerprint, padding: 0)
    }

    /// `padding` fills the gaps after unaligned values (RFC 5769's vectors use 0x20).
    func encode(integrityKey: [UInt8]?, fingerprint: Bool, padding: UInt8) throws(STUNError) -> [UInt8] {
        var out: [UInt8] = []
        out.append(bigEndian: type.rawValue)
        out.append(bigEndian: UInt16(0))
        out.append(bigEndian: Self.magicCookie)
        out += transactionID.bytes
        for attribute in attributes {
            switch attribute {
            case .messageIntegrity, .fingerprint: continue
            default: try Self.append(attribute.type, attribute.value(transactionID: transactionID), to: &out, padding: padding)
            }
        }
        if let integrityKey {
            try Self.setLength(&out, adding: 24)
            let mac: [UInt8]
            do {
                mac = try HMAC.sha1(key: integrityKey, data: out)
            } catch {
                throw .crypto(error)
            }
            try Self.append(STUNAttributeType.messageIntegrity, mac, to: &out, padding: padding)
        }
        if fingerprint {
            try Self.setLength(&out, adding: 8)
            var crc: [UInt8] = []
            crc.append(bigEndian: CRC32.checksum(out[...]) ^ Self.fingerprintXOR)
            try Self.append(STUNAttributeType.fingerprint, crc, to: &out, padding: padding)
        }
        try Self.setLength(&out, adding: 0)
        return out
    }

    private static func append(_ type: UInt16, _ value: [UInt8], to out: inout [UInt8], padding: UInt8) throws(STUNError) {
        guard value.count <= 0xFFFF - 3 else { throw .tooLarge("attribute \(STUNAttributeType.hex(type)) has \(value.count) bytes") }
        out.append(bigEndian: type)
        out.append(bigEndian: UInt16(value.count))
        out += value
        out += repeatElement(padding, count: (4 - value.count % 4) % 4)
    }

    /// Sets the header's length to the attributes so far plus `extra` bytes.
    private static func setLength(_ out: inout [UInt8], adding extra: Int) throws(STUNError) {
        let length = out.count - 20 + extra
        guard length <= 0xFFFC else { throw .tooLarge("\(length) bytes of attributes, the limit is 65532") }
        out.set(bigEndian: UInt16(length), at: 2)
    }
}
