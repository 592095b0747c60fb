// libFuzzer target: DCEP (RFC 8832) messages as they arrive with PPID 50.
// Built only by scripts/fuzz.sh (swiftc -sanitize=fuzzer), never by SwiftPM.
import JunctionRTC

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDCEP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let message: DCEPMessage
    do {
        message = try DCEPMessage(bytes: bytes)
    } catch {
        _ = error.description
        return 0
    }
    // A parsed message has one encoding: the bytes it came from.
    let encoded: [UInt8]
    do {
        encoded = try message.encode()
    } catch {
        fatalError("a parsed DCEP message does not encode: \(error)")
    }
    expect(encoded == bytes, "DCEP round trip changed the bytes")
    expect((try? DCEPMessage(bytes: encoded)) == message, "DCEP round trip changed the message")
    if case .open(let open) = message {
        // What the channel is created with maps back to the same channel type.
        let reliability = open.reliability
        expect(DCEPChannelType(ordered: open.ordered, reliability: reliability) == open.channelType, "channel type round trip")
        expect(reliability.parameter <= open.reliabilityParameter, "reliability parameter grew")
    }
    return 0
}
