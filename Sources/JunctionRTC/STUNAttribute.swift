/// One STUN attribute, decoded. Types JunctionRTC does not interpret stay
/// as ``other(type:value:)``.
///
/// ```swift
/// let attributes: [STUNAttribute] = [
///     .username("ourUfrag:peerUfrag"),
///     .priority(1_853_824_767),
///     .iceControlling(tieBreaker: 0x932F_F9B1_5126_3B36),
///     .useCandidate,
/// ]
/// ```
public enum STUNAttribute: Sendable, Hashable {
    /// USERNAME: `<receiver ufrag>:<sender ufrag>` in ICE; at most 513 bytes.
    case username(String)
    /// MESSAGE-INTEGRITY: the 20-byte HMAC-SHA1. Decoded only; the encoder computes it.
    case messageIntegrity([UInt8])
    /// FINGERPRINT: CRC-32 xor 0x5354554E. Decoded only; the encoder computes it.
    case fingerprint(UInt32)
    /// XOR-MAPPED-ADDRESS, shown un-xored.
    case xorMappedAddress(STUNAddress)
    /// PRIORITY: the prflx priority the sender would give this path.
    case priority(UInt32)
    /// USE-CANDIDATE: the controlling agent nominates this pair.
    case useCandidate
    /// ICE-CONTROLLING with the sender's tie-breaker.
    case iceControlling(tieBreaker: UInt64)
    /// ICE-CONTROLLED with the sender's tie-breaker.
    case iceControlled(tieBreaker: UInt64)
    /// ERROR-CODE.
    case errorCode(STUNErrorCode)
    /// UNKNOWN-ATTRIBUTES: the types a 420 response did not understand.
    case unknownAttributes([UInt16])
    /// SOFTWARE: a description of the agent; at most 763 bytes.
    case software(String)
    /// Any other attribute, value as received.
    case other(type: UInt16, value: [UInt8])

    /// The attribute's type number.
    public var type: UInt16 {
        switch self {
        case .username: return STUNAttributeType.username
        case .messageIntegrity: return STUNAttributeType.messageIntegrity
        case .fingerprint: return STUNAttributeType.fingerprint
        case .xorMappedAddress: return STUNAttributeType.xorMappedAddress
        case .priority: return STUNAttributeType.priority
        case .useCandidate: return STUNAttributeType.useCandidate
        case .iceControlling: return STUNAttributeType.iceControlling
        case .iceControlled: return STUNAttributeType.iceControlled
        case .errorCode: return STUNAttributeType.errorCode
        case .unknownAttributes: return STUNAttributeType.unknownAttributes
        case .software: return STUNAttributeType.software
        case .other(let type, _): return type
        }
    }

    /// The value bytes (unpadded). XOR-MAPPED-ADDRESS needs the transaction id.
    func value(transactionID: STUNTransactionID) -> [UInt8] {
        var out: [UInt8] = []
        switch self {
        case .username(let text), .software(let text): out = Array(text.utf8)
        case .messageIntegrity(let mac): out = mac
        case .fingerprint(let crc): out.append(bigEndian: crc)
        case .xorMappedAddress(let address): out = Self.xorAddress(address, transactionID: transactionID)
        case .priority(let priority): out.append(bigEndian: priority)
        case .useCandidate: break
        case .iceControlling(let tieBreaker), .iceControlled(let tieBreaker): out.append(bigEndian: tieBreaker)
        case .errorCode(let error):
            out = [0, 0, UInt8(error.code / 100), UInt8(error.code % 100)] + Array(error.reason.utf8)
        case .unknownAttributes(let types): for type in types { out.append(bigEndian: type) }
        case .other(_, let value): out = value
        }
        return out
    }

    /// Decodes one value; the slice is exactly the attribute's value bytes.
    static func decode(type: UInt16, value: ArraySlice<UInt8>, transactionID: STUNTransactionID) throws(STUNError) -> STUNAttribute {
        let start = value.startIndex
        func need(_ count: Int, _ what: String) throws(STUNError) {
            guard value.count == count else { throw .badAttribute(type: type, "\(what) needs \(count) bytes, got \(value.count)") }
        }
        switch type {
        case STUNAttributeType.username:
            return .username(try text(value, type: type, limit: 513))
        case STUNAttributeType.software:
            return .software(try text(value, type: type, limit: 763))
        case STUNAttributeType.messageIntegrity:
            try need(20, "MESSAGE-INTEGRITY")
            return .messageIntegrity(Array(value))
        case STUNAttributeType.fingerprint:
            try need(4, "FINGERPRINT")
            return .fingerprint(value.uint32(at: start))
        case STUNAttributeType.priority:
            try need(4, "PRIORITY")
            return .priority(value.uint32(at: start))
        case STUNAttributeType.useCandidate:
            try need(0, "USE-CANDIDATE")
            return .useCandidate
        case STUNAttributeType.iceControlling:
            try need(8, "ICE-CONTROLLING")
            return .iceControlling(tieBreaker: value.uint64(at: start))
        case STUNAttributeType.iceControlled:
            try need(8, "ICE-CONTROLLED")
            return .iceControlled(tieBreaker: value.uint64(at: start))
        case STUNAttributeType.xorMappedAddress:
            return .xorMappedAddress(try xorAddress(value, transactionID: transactionID))
        case STUNAttributeType.errorCode:
            return .errorCode(try errorCode(value))
        case STUNAttributeType.unknownAttributes:
            guard value.count % 2 == 0 else { throw .badAttribute(type: type, "odd length \(value.count)") }
            return .unknownAttributes(stride(from: start, to: value.endIndex, by: 2).map { value.uint16(at: $0) })
        default:
            return .other(type: type, value: Array(value))
        }
    }

    private static func text(_ value: ArraySlice<UInt8>, type: UInt16, limit: Int) throws(STUNError) -> String {
        guard value.count <= limit else { throw .badAttribute(type: type, "\(value.count) bytes, the limit is \(limit)") }
        guard let text = String(validating: value, as: UTF8.self) else { throw .badAttribute(type: type, "not valid UTF-8") }
        return text
    }

    private static func errorCode(_ value: ArraySlice<UInt8>) throws(STUNError) -> STUNErrorCode {
        let type = STUNAttributeType.errorCode
        guard value.count >= 4 else { throw .badAttribute(type: type, "ERROR-CODE needs at least 4 bytes, got \(value.count)") }
        let start = value.startIndex
        let code = Int(value[start + 2] & 0x07) * 100 + Int(value[start + 3])
        let reason = try text(value.dropFirst(4), type: type, limit: 763)
        guard value[start + 3] < 100, let error = STUNErrorCode(code: code, reason: reason) else {
            throw .badAttribute(type: type, "class \(value[start + 2] & 0x07) number \(value[start + 3]) is not a code from 300 to 699")
        }
        return error
    }

    /// The xor mask: the magic cookie, then (IPv6) the transaction id.
    private static func mask(_ transactionID: STUNTransactionID) -> [UInt8] {
        [0x21, 0x12, 0xA4, 0x42] + transactionID.bytes
    }

    private static func xorAddress(_ address: STUNAddress, transactionID: STUNTransactionID) -> [UInt8] {
        var out: [UInt8] = [0, address.family.rawValue]
        out.append(bigEndian: address.port ^ 0x2112)
        out += zip(address.bytes, mask(transactionID)).map { $0 ^ $1 }
        return out
    }

    private static func xorAddress(_ value: ArraySlice<UInt8>, transactionID: STUNTransactionID) throws(STUNError) -> STUNAddress {
        let type = STUNAttributeType.xorMappedAddress
        guard value.count >= 4 else { throw .badAttribute(type: type, "XOR-MAPPED-ADDRESS needs at least 4 bytes, got \(value.count)") }
        let start = value.startIndex
        guard let family = STUNAddress.Family(rawValue: value[start + 1]) else {
            throw .badAttribute(type: type, "unknown address family \(value[start + 1])")
        }
        let length = family == .ipv4 ? 4 : 16
        guard value.count == 4 + length else {
            throw .badAttribute(type: type, "an \(family == .ipv4 ? "IPv4" : "IPv6") address needs \(4 + length) bytes, got \(value.count)")
        }
        let port = value.uint16(at: start + 2) ^ 0x2112
        let bytes = zip(value.dropFirst(4), mask(transactionID)).map { $0 ^ $1 }
        guard let address = STUNAddress(bytes: bytes, port: port) else { throw .badAttribute(type: type, "bad address") }
        return address
    }
}
