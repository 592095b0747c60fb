import Testing
@testable import JunctionRTC

/// RFC 5769 §2.1–2.3, verbatim. The vectors pad with 0x20, so the encoder is
/// run with that padding byte to reproduce them bit for bit.
@Suite("STUN: RFC 5769 test vectors")
struct STUNVectorTests {
    static let password = Array("VOkJxbRl1RmTxUk/WvJxBt".utf8)
    static let transactionID = STUNTransactionID(bytes: hex("b7 e7 a7 01 bc 34 d6 86 fa 87 df ae"))!

    static let sampleRequest = hex("""
        00 01 00 58
        21 12 a4 42
        b7 e7 a7 01
        bc 34 d6 86
        fa 87 df ae
        80 22 00 10
        53 54 55 4e
        20 74 65 73
        74 20 63 6c
        69 65 6e 74
        00 24 00 04
        6e 00 01 ff
        80 29 00 08
        93 2f f9 b1
        51 26 3b 36
        00 06 00 09
        65 76 74 6a
        3a 68 36 76
        59 20 20 20
        00 08 00 14
        9a ea a7 0c
        bf d8 cb 56
        78 1e f2 b5
        b2 d3 f2 49
        c1 b5 71 a2
        80 28 00 04
        e5 7a 3b cf
        """)

    static let sampleIPv4Response = hex("""
        01 01 00 3c
        21 12 a4 42
        b7 e7 a7 01
        bc 34 d6 86
        fa 87 df ae
        80 22 00 0b
        74 65 73 74
        20 76 65 63
        74 6f 72 20
        00 20 00 08
        00 01 a1 47
        e1 12 a6 43
        00 08 00 14
        2b 91 f5 99
        fd 9e 90 c3
        8c 74 89 f9
        2a f9 ba 53
        f0 6b e7 d7
        80 28 00 04
        c0 7d 4c 96
        """)

    static let sampleIPv6Response = hex("""
        01 01 00 48
        21 12 a4 42
        b7 e7 a7 01
        bc 34 d6 86
        fa 87 df ae
        80 22 00 0b
        74 65 73 74
        20 76 65 63
        74 6f 72 20
        00 20 00 14
        00 02 a1 47
        01 13 a9 fa
        a5 d3 f1 79
        bc 25 f4 b5
        be d2 b9 d9
        00 08 00 14
        a3 82 95 4e
        4b e6 7b f1
        17 84 c9 7c
        82 92 c2 75
        bf e3 ed 41
        80 28 00 04
        c8 fb 0b 4c
        """)

    @Test("§2.1 sample request: decodes, integrity and fingerprint verify")
    func sampleRequestDecodes() throws {
        let packet = try STUNPacket(bytes: Self.sampleRequest)
        let message = packet.message
        #expect(message.type == .bindingRequest)
        #expect(message.transactionID == Self.transactionID)
        #expect(message.attributes.first == .software("STUN test client"))
        #expect(message.priority == 0x6E00_01FF)
        #expect(message.iceControlled == 0x932F_F9B1_5126_3B36)
        #expect(message.iceControlling == nil)
        #expect(message.username == "evtj:h6vY")
        #expect(!message.useCandidate)
        #expect(message.unknownComprehensionRequired.isEmpty)
        #expect(packet.fingerprintIsValid)
        #expect(packet.integrityIsValid(key: Self.password))
        #expect(!packet.integrityIsValid(key: Array("VOkJxbRl1RmTxUk/WvJxBu".utf8)))
        #expect(STUNPacket.looksLikeSTUN(Self.sampleRequest))
    }

    @Test("§2.1 sample request: the encoder reproduces it byte for byte")
    func sampleRequestEncodes() throws {
        let message = STUNMessage.bindingRequest(
            transactionID: Self.transactionID,
            attributes: [
                .software("STUN test client"), .priority(0x6E00_01FF), .iceControlled(tieBreaker: 0x932F_F9B1_5126_3B36),
                .username("evtj:h6vY"),
            ])
        #expect(try message.encode(integrityKey: Self.password, fingerprint: true, padding: 0x20) == Self.sampleRequest)
    }

    @Test("§2.2 IPv4 response: 192.0.2.1:32853, verifies, re-encodes byte for byte")
    func ipv4Response() throws {
        let packet = try STUNPacket(bytes: Self.sampleIPv4Response)
        #expect(packet.message.type == .bindingSuccess)
        #expect(packet.message.xorMappedAddress == STUNAddress(host: "192.0.2.1", port: 32_853))
        #expect(packet.message.attributes.first == .software("test vector"))
        #expect(packet.fingerprintIsValid && packet.integrityIsValid(key: Self.password))
        let rebuilt = STUNMessage(
            type: .bindingSuccess, transactionID: Self.transactionID,
            attributes: [.software("test vector"), .xorMappedAddress(try #require(STUNAddress(host: "192.0.2.1", port: 32_853)))])
        #expect(try rebuilt.encode(integrityKey: Self.password, fingerprint: true, padding: 0x20) == Self.sampleIPv4Response)
    }

    @Test("§2.3 IPv6 response: [2001:db8:1234:5678:11:2233:4455:6677]:32853, verifies, re-encodes")
    func ipv6Response() throws {
        let packet = try STUNPacket(bytes: Self.sampleIPv6Response)
        let address = try #require(packet.message.xorMappedAddress)
        #expect(address.family == .ipv6)
        #expect(address.description == "[2001:db8:1234:5678:11:2233:4455:6677]:32853")
        #expect(packet.fingerprintIsValid && packet.integrityIsValid(key: Self.password))
        let rebuilt = STUNMessage(
            type: .bindingSuccess, transactionID: Self.transactionID, attributes: [.software("test vector"), .xorMappedAddress(address)])
        #expect(try rebuilt.encode(integrityKey: Self.password, fingerprint: true, padding: 0x20) == Self.sampleIPv6Response)
    }

    @Test("Flipping any single bit of a vector breaks the integrity check, the fingerprint, or the decode")
    func everyBitMatters() {
        for vector in [Self.sampleRequest, Self.sampleIPv4Response, Self.sampleIPv6Response] {
            for index in 0..<vector.count {
                for bit in 0..<8 {
                    var bytes = vector
                    bytes[index] ^= 1 << bit
                    guard let packet = try? STUNPacket(bytes: bytes) else { continue }
                    let intact = packet.fingerprintIsValid && packet.integrityIsValid(key: Self.password)
                    #expect(!intact, "byte \(index) bit \(bit) went unnoticed")
                }
            }
        }
    }
}
