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

    @Test func accountedSizeHasAFloorAndAnOverhead() {
        #expect(Message(payload: []).accountedSize == 1 + Message.accountingOverhead)
        #expect(Message(text: "hello").accountedSize == 5 + Message.accountingOverhead)
        #expect([Message(text: ""), Message(text: "ab")].accountedSize == 1 + 2 + 2 * Message.accountingOverhead)
    }

    @Test func compactCopiesOutOfTheChunkAndKeepsTheSize() {
        weak var weakChunk: ByteChunk?
        var m: Message
        do {
            let chunk = ByteChunk(capacity: 4096)
            Array("hello world".utf8).withUnsafeBytes { chunk.bytes.copyMemory(from: $0) }
            weakChunk = chunk
            m = Message(chunk: chunk, offset: 6, count: 5, kind: .text, timestamp: 1)
        }
        let size = m.accountedSize
        #expect(m.isChunkBacked && weakChunk != nil)
        m.compact()
        #expect(!m.isChunkBacked && weakChunk == nil)
        #expect(m.text == "world" && m.accountedSize == size && m.kind == .text)
    }
}
