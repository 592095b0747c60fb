import Testing
@testable import JunctionRTC

@Suite("DCEP codec")
struct DCEPCodecTests {
    /// Every channel type, its parameter, and the bytes RFC 8832 §5.1 lays out.
    static let table: [(type: DCEPChannelType, parameter: UInt32, ordered: Bool, reliability: DataChannelReliability, hex: String)] = [
        (.reliable, 0, true, .reliable, "03 00 0100 00000000 0004 0000 63686174"),
        (.reliableUnordered, 0, false, .reliable, "03 80 0100 00000000 0004 0000 63686174"),
        (.partialReliableRexmit, 3, true, .maxRetransmits(3), "03 01 0100 00000003 0004 0000 63686174"),
        (.partialReliableRexmitUnordered, 0, false, .maxRetransmits(0), "03 81 0100 00000000 0004 0000 63686174"),
        (.partialReliableTimed, 500, true, .maxPacketLifeTime(500), "03 02 0100 000001f4 0004 0000 63686174"),
        (.partialReliableTimedUnordered, 65_535, false, .maxPacketLifeTime(65_535), "03 82 0100 0000ffff 0004 0000 63686174"),
    ]

    @Test("OPEN encodes and parses every channel type", arguments: 0..<6)
    func openTable(row: Int) throws {
        let entry = Self.table[row]
        let open = DCEPOpen(channelType: entry.type, priority: 256, reliabilityParameter: entry.parameter, label: "chat", protocol: "")
        let bytes = try DCEPMessage.open(open).encode()
        #expect(bytes == hex(entry.hex))
        let parsed = try DCEPMessage(bytes: bytes)
        #expect(parsed == .open(open))
        #expect(open.ordered == entry.ordered && open.reliability == entry.reliability)
        #expect(DCEPChannelType(ordered: entry.ordered, reliability: entry.reliability) == entry.type)
        #expect(entry.reliability.parameter == entry.parameter)
    }

    @Test("An OPEN as aiortc writes it: priority 0, a protocol, lengths in bytes")
    func aiortcOpen() throws {
        // pack("!BBHLHH", 3, 0x82, 0, 500, 4, 5) + b"game" + b"proto"
        let bytes = hex("03 82 0000 000001f4 0004 0005") + Array("gameproto".utf8)
        guard case .open(let open) = try DCEPMessage(bytes: bytes) else {
            Issue.record("not an OPEN")
            return
        }
        #expect(open.label == "game" && open.protocol == "proto" && open.priority == 0)
        #expect(!open.ordered && open.reliability == .maxPacketLifeTime(500))
        #expect(try DCEPMessage.open(open).encode() == bytes)
    }

    @Test("Label and protocol lengths count UTF-8 bytes")
    func utf8Lengths() throws {
        let open = DCEPOpen(channelType: .reliable, label: "čáp 🐦", protocol: "ü")
        let bytes = try DCEPMessage.open(open).encode()
        #expect(bytes.uint16(at: 8) == UInt16("čáp 🐦".utf8.count) && bytes.uint16(at: 10) == 2)
        #expect(try DCEPMessage(bytes: bytes) == .open(open))
    }

    @Test("ACK is the single byte 0x02")
    func ack() throws {
        #expect(try DCEPMessage.ack.encode() == [0x02])
        #expect(try DCEPMessage(bytes: [0x02]) == .ack)
    }

    @Test("A reliability parameter over 16 bits is clamped for the W3C attributes")
    func clamped() {
        #expect(DCEPChannelType.partialReliableRexmit.reliability(parameter: 70_000) == .maxRetransmits(65_535))
        #expect(DCEPChannelType.reliable.reliability(parameter: 9) == .reliable)
    }

    static let garbage: [(bytes: [UInt8], error: DCEPError)] = [
        ([], .empty),
        ([0x01], .unknownMessageType(0x01)),
        ([0xFF, 0x00], .unknownMessageType(0xFF)),
        ([0x02, 0x00], .trailingBytes(1)),
        ([0x03], .truncated(expected: 12, actual: 1)),
        (hex("03 00 0100 00000000 0004"), .truncated(expected: 12, actual: 10)),
        (hex("03 00 0100 00000000 0004 0000 6368"), .truncated(expected: 16, actual: 14)),
        (hex("03 00 0100 00000000 ffff ffff"), .truncated(expected: 131_082, actual: 12)),
        (hex("03 00 0100 00000000 0001 0000 61 62"), .trailingBytes(1)),
        (hex("03 03 0100 00000000 0000 0000"), .unknownChannelType(0x03)),
        (hex("03 7f 0100 00000000 0000 0000"), .unknownChannelType(0x7F)),
        (hex("03 00 0100 00000000 0002 0000 c328"), .invalidUTF8(field: "label")),
        (hex("03 00 0100 00000000 0000 0001 ff"), .invalidUTF8(field: "protocol")),
    ]

    @Test("Malformed messages throw the matching error", arguments: 0..<13)
    func malformed(row: Int) {
        let entry = Self.garbage[row]
        #expect(throws: entry.error) { try DCEPMessage(bytes: entry.bytes) }
    }

    @Test("Random bytes never trap, and whatever parses re-encodes to the same bytes")
    func fuzz() throws {
        var random = SplitMix64(state: 0xDCE9)
        var parsed = 0
        for round in 0..<20_000 {
            var bytes = (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            if round % 2 == 0, bytes.count >= 12 {
                // Make half of them plausible: an OPEN whose lengths fit.
                bytes[0] = 0x03
                bytes[1] = DCEPChannelType.allCases[round % 6].rawValue
                let room = bytes.count - 12
                let label = Int.random(in: 0...room, using: &random)
                bytes.set(bigEndian: UInt16(label), at: 8)
                bytes.set(bigEndian: UInt16(room - label), at: 10)
                for index in 12..<bytes.count { bytes[index] &= 0x7F }
            }
            guard let message = try? DCEPMessage(bytes: bytes) else { continue }
            parsed += 1
            #expect(try message.encode() == bytes)
        }
        #expect(parsed > 1_000)
    }

    @Test("Encoding refuses a label or protocol over 65535 bytes")
    func tooLong() {
        let long = String(repeating: "x", count: 65_536)
        #expect(throws: DCEPError.fieldTooLong(field: "label", bytes: 65_536)) {
            try DCEPMessage.open(DCEPOpen(channelType: .reliable, label: long, protocol: "")).encode()
        }
        #expect(throws: DCEPError.fieldTooLong(field: "protocol", bytes: 65_536)) {
            try DCEPMessage.open(DCEPOpen(channelType: .reliable, label: "", protocol: long)).encode()
        }
    }
}
