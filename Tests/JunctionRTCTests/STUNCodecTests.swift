import Testing
@testable import JunctionRTC

@Suite("STUN codec")
struct STUNCodecTests {
    private let id = STUNTransactionID(bytes: Array(1...12))!
    private let key = Array("m3Vt8Qz1Lp6Yc0Hs4Nw+Bd7Fj2Rk/Xu5".utf8)

    @Test("Message types pack and unpack method and class")
    func messageTypes() {
        #expect(STUNMessageType.bindingRequest.rawValue == 0x0001)
        #expect(STUNMessageType.bindingIndication.rawValue == 0x0011)
        #expect(STUNMessageType.bindingSuccess.rawValue == 0x0101)
        #expect(STUNMessageType.bindingError.rawValue == 0x0111)
        for raw in [UInt16(0x0001), 0x0111, 0x0003, 0x0113, 0x3EEF, 0x0FFF] {
            #expect(STUNMessageType(rawValue: raw).rawValue == raw)
        }
        #expect(STUNMessageType(rawValue: 0x0111) == STUNMessageType(method: 1, messageClass: .errorResponse))
    }

    @Test("An ICE check with every attribute round-trips and verifies")
    func roundTrip() throws {
        let request = STUNMessage.bindingRequest(transactionID: id, attributes: [
            .username("Jn7Rx2Lq+Wd/Ab9K:Tz9Q"), .priority(1_853_824_767), .iceControlling(tieBreaker: 0x0123_4567_89AB_CDEF),
            .useCandidate, .other(type: 0xC057, value: [0, 1, 0, 10]),
        ])
        let bytes = try request.encode(integrityKey: key)
        #expect(bytes.count % 4 == 0)
        let packet = try STUNPacket(bytes: bytes)
        #expect(packet.fingerprintIsValid && packet.integrityIsValid(key: key))
        #expect(packet.hasIntegrity && packet.hasFingerprint)
        let decoded = packet.message
        #expect(decoded.attributes.dropLast(2).map { $0 } == request.attributes)
        #expect(decoded.useCandidate && decoded.iceControlling == 0x0123_4567_89AB_CDEF && decoded.iceControlled == nil)
        #expect(decoded.unknownComprehensionRequired.isEmpty)  // 0xC057 is comprehension-optional
        // MESSAGE-INTEGRITY and FINGERPRINT entries in the list are recomputed, not copied.
        #expect(try decoded.encode(integrityKey: key) == bytes)
    }

    @Test("Success and error responses keep the transaction id")
    func responses() throws {
        let request = STUNMessage.bindingRequest(transactionID: id, attributes: [.username("a:b")])
        let source = try #require(STUNAddress(host: "::ffff:10.1.2.3", port: 9))
        let success = try STUNPacket(bytes: STUNMessage.bindingSuccess(for: request, mappedAddress: source).encode(integrityKey: key))
        #expect(success.message.type == .bindingSuccess && success.message.transactionID == id)
        #expect(success.message.xorMappedAddress == source)
        // 487 signed, 401 fingerprint only (as aioice sends them).
        let conflict = try STUNPacket(bytes: STUNMessage.bindingError(for: request, error: .roleConflict).encode(integrityKey: key))
        #expect(conflict.message.errorCode == .roleConflict && conflict.integrityIsValid(key: key))
        let unauthorized = try STUNPacket(bytes: STUNMessage.bindingError(for: request, error: .unauthorized).encode())
        #expect(unauthorized.message.errorCode?.code == 401 && !unauthorized.hasIntegrity && unauthorized.fingerprintIsValid)
        let unknown = STUNMessage.bindingError(for: request, error: .unknownAttribute, unknownAttributes: [0x0030, 0x0031])
        let decoded = try STUNPacket(bytes: unknown.encode()).message
        #expect(decoded.attributes.contains(.unknownAttributes([0x0030, 0x0031])))
        #expect(decoded.errorCode?.reason == "Unknown Attribute")
    }

    @Test("Unknown comprehension-required attributes are reported for a 420")
    func comprehensionRequired() throws {
        let message = STUNMessage.bindingRequest(transactionID: id, attributes: [.other(type: 0x0030, value: [1, 2, 3])])
        let decoded = try STUNPacket(bytes: message.encode()).message
        #expect(decoded.unknownComprehensionRequired == [0x0030])
        #expect(decoded.attributes == [.other(type: 0x0030, value: [1, 2, 3]), .fingerprint(decoded.attributes.last.flatMap {
            if case .fingerprint(let crc) = $0 { crc } else { nil }
        } ?? 0)])
    }

    @Test("Attributes after MESSAGE-INTEGRITY are ignored; after FINGERPRINT they are an error")
    func ordering() throws {
        var bytes = try STUNMessage.bindingRequest(transactionID: id, attributes: [.username("a:b")]).encode(integrityKey: key, fingerprint: false)
        // Append PRIORITY after MESSAGE-INTEGRITY.
        bytes += [0x00, 0x24, 0x00, 0x04, 0, 0, 0, 1]
        bytes[3] += 8
        let packet = try STUNPacket(bytes: bytes)
        #expect(packet.message.priority == nil)
        #expect(packet.integrityIsValid(key: key))

        var late = try STUNMessage.bindingRequest(transactionID: id, attributes: []).encode()
        late += [0x00, 0x25, 0x00, 0x00]
        late[3] += 4
        #expect(throws: STUNError.misplacedAttribute(type: 0x0025)) { try STUNPacket(bytes: late) }
    }

    @Test("Garbage is refused with a reason", arguments: [
        ([UInt8](), "0 bytes"),
        ([UInt8](repeating: 0, count: 19), "19 bytes"),
        (hex("00 01 00 00 21 12 a4 43 000000000000000000000000"), "magic cookie"),
        (hex("c0 01 00 00 21 12 a4 42 000000000000000000000000"), "first two bits"),
        (hex("00 01 00 02 21 12 a4 42 000000000000000000000000 0000"), "multiple of 4"),
        (hex("00 01 00 04 21 12 a4 42 000000000000000000000000"), "the datagram has 0"),
        (hex("00 01 00 04 21 12 a4 42 000000000000000000000000 00060005"), "runs past the end"),
        (hex("00 01 00 08 21 12 a4 42 000000000000000000000000 00240003 00000000"), "PRIORITY needs 4 bytes"),
        (hex("00 01 00 04 21 12 a4 42 000000000000000000000000 00250000 "), ""),  // valid: USE-CANDIDATE
        (hex("00 01 00 08 21 12 a4 42 000000000000000000000000 00060002 ffff0000"), "UTF-8"),
        (hex("00 01 00 0c 21 12 a4 42 000000000000000000000000 00200008 00030000 00000000"), "address family 3"),
        (hex("00 01 00 0c 21 12 a4 42 000000000000000000000000 00200008 00020000 00000000"), "IPv6 address needs 20"),
        (hex("00 01 00 08 21 12 a4 42 000000000000000000000000 00090004 00000200"), "not a code from 300 to 699"),
        (hex("00 01 00 08 21 12 a4 42 000000000000000000000000 00090004 00000464"), "not a code from 300 to 699"),
        (hex("00 01 00 08 21 12 a4 42 000000000000000000000000 000a0003 00010200"), "odd length"),
        (hex("00 01 00 08 21 12 a4 42 000000000000000000000000 00080004 00000000"), "MESSAGE-INTEGRITY needs 20"),
    ])
    func garbage(bytes: [UInt8], mentions: String) {
        do {
            _ = try STUNPacket(bytes: bytes)
            #expect(mentions.isEmpty, "decoded, expected an error mentioning \(mentions)")
        } catch {
            #expect(!mentions.isEmpty && error.description.contains(mentions), "\(error)")
        }
    }

    @Test("Checks on a message without MESSAGE-INTEGRITY or FINGERPRINT are false, not a crash")
    func absentChecks() throws {
        let bare = try STUNPacket(bytes: STUNMessage.bindingRequest(transactionID: id, attributes: []).encode(fingerprint: false))
        #expect(!bare.hasIntegrity && !bare.hasFingerprint)
        #expect(!bare.fingerprintIsValid && !bare.integrityIsValid(key: key))
    }

    @Test("Encoding refuses values over the 16-bit limits")
    func tooLarge() {
        let message = STUNMessage.bindingRequest(transactionID: id, attributes: [.other(type: 0x8001, value: [UInt8](repeating: 1, count: 70_000))])
        #expect(throws: STUNError.self) { try message.encode() }
        let many = STUNMessage.bindingRequest(
            transactionID: id, attributes: Array(repeating: .other(type: 0x8001, value: [UInt8](repeating: 1, count: 60_000)), count: 2))
        #expect(throws: STUNError.self) { try many.encode() }
    }

    @Test("Random bytes and mutated vectors never trap")
    func fuzz() {
        var random = SplitMix64(state: 0x5354_554E)
        let seeds = [STUNVectorTests.sampleRequest, STUNVectorTests.sampleIPv4Response, STUNVectorTests.sampleIPv6Response]
        var decoded = 0
        for round in 0..<20_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = seeds[round % 3]
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
                if round % 4 == 0 { bytes.removeLast(Int.random(in: 0...bytes.count, using: &random)) }
            } else {
                // A valid header over random attribute bytes: the attribute walker gets the garbage.
                let body = (0..<Int.random(in: 0...16, using: &random) * 4).map { _ in UInt8.random(in: 0...255, using: &random) }
                bytes = hex("00 01") + [UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + hex("21 12 a4 42") + Array(1...12) + body
            }
            guard let packet = try? STUNPacket(bytes: bytes) else { continue }
            decoded += 1
            _ = packet.fingerprintIsValid
            _ = packet.integrityIsValid(key: STUNVectorTests.password)
            _ = try? packet.message.encode(integrityKey: STUNVectorTests.password)
        }
        #expect(decoded > 0)
    }

    @Test("Addresses: text forms, demultiplexing by first byte")
    func addresses() {
        #expect(STUNAddress(host: "192.0.2.1", port: 1)?.description == "192.0.2.1:1")
        #expect(STUNAddress(host: "2001:db8::1", port: 443)?.description == "[2001:db8::1]:443")
        #expect(STUNAddress(host: "example.local", port: 1) == nil)
        #expect(STUNAddress(host: "300.1.1.1", port: 1) == nil)
        #expect(STUNAddress(bytes: [1, 2, 3], port: 1) == nil)
        var dtls = STUNVectorTests.sampleRequest
        dtls[0] = 22  // a DTLS handshake record
        #expect(!STUNPacket.looksLikeSTUN(dtls))
        #expect(!STUNPacket.looksLikeSTUN([0, 1]))
    }
}
