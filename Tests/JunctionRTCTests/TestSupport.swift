import Foundation
@testable import JunctionRTC

/// Bytes from a hex listing such as RFC 5769 prints ("00 01 00 58 …"); whitespace is ignored.
func hex(_ text: String) -> [UInt8] {
    let digits = text.filter { !$0.isWhitespace }
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        guard let byte = UInt8(digits[index..<next], radix: 16) else { preconditionFailure("not hex: \(digits[index..<next])") }
        bytes.append(byte)
        index = next
    }
    return bytes
}

/// `text` with every line ending turned into CRLF (fixtures are written with LF).
func crlf(_ text: String) -> String {
    text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
}

/// The lines of an SDP answer, without the CRLFs.
func sdpLines(_ sdp: String) -> [String] {
    sdp.components(separatedBy: "\r\n").filter { !$0.isEmpty }
}

/// A small deterministic generator for garbage inputs (tests must be reproducible).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
