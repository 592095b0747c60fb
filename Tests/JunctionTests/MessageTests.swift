import Testing
@testable import Junction

@Suite struct MessageTests {
    @Test func chunkBackedPayloadsShareBytesAndCopyOnWrite() {
        let chunk = ByteChunk(capacity: 11)
        Array("hello world".utf8).withUnsafeBytes { chunk.bytes.copyMemory(from: $0) }
        let hello = Message(chunk: chunk, offset: 0, count: 5, kind: .text, timestamp: 1)
        var world = Message(chunk: chunk, offset: 6, count: 5, kind: .text, timestamp: 1)
        #expect(hello.text == "hello" && world.text == "world")
        #expect(hello.byteSize == 5 && [hello, world].byteSize == 10)
        #expect(world.payload == Array("world".utf8))
        world.payload.append(UInt8(ascii: "!"))  // becomes an array of its own
        #expect(world.text == "world!" && world.byteSize == 6)
        #expect(hello.withPayloadBytes { Array($0) } == Array("hello".utf8))
        let empty = Message(chunk: chunk, offset: 11, count: 0, kind: .binary, timestamp: 1)
        #expect(empty.byteSize == 0 && empty.payload.isEmpty)
    }
}
