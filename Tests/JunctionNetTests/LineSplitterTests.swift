@testable import JunctionNet
import Testing

@Suite("LineSplitter")
struct LineSplitterTests {
    private func text(_ lines: [[UInt8]]) -> [String] {
        lines.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Feeds `chunks` one by one and returns the lines, the final one included.
    private func split(_ chunks: [String]) -> [String] {
        var splitter = LineSplitter()
        var lines: [String] = []
        for chunk in chunks { lines += text(splitter.append(Array(chunk.utf8))) }
        if let last = splitter.finish() { lines.append(String(decoding: last, as: UTF8.self)) }
        return lines
    }

    @Test("Complete lines come out in order; LF and CRLF endings give the same lines")
    func wholeLines() {
        #expect(split(["a\nbb\r\nccc\n"]) == ["a", "bb", "ccc"])
        #expect(split(["one\r\n", "two\n"]) == ["one", "two"])
    }

    @Test("A line split across chunks is joined, wherever the cut falls")
    func acrossChunks() {
        let body = "alpha\r\nbeta\ngamma\r\n\r\ndelta"
        let expected = ["alpha", "beta", "gamma", "", "delta"]
        let bytes = Array(body.utf8)
        for cut in 0...bytes.count {
            var splitter = LineSplitter()
            var lines = text(splitter.append(Array(bytes[..<cut])))
            lines += text(splitter.append(Array(bytes[cut...])))
            if let last = splitter.finish() { lines.append(String(decoding: last, as: UTF8.self)) }
            #expect(lines == expected, "cut at \(cut)")
        }
        // One byte at a time.
        #expect(split(body.map { String($0) }) == expected)
    }

    @Test("CR and LF in different chunks still make one CRLF")
    func splitCRLF() {
        var splitter = LineSplitter()
        #expect(splitter.append(Array("x\r".utf8)).isEmpty)
        #expect(splitter.pendingCount == 2)
        #expect(text(splitter.append(Array("\ny".utf8))) == ["x"])
        #expect(splitter.finish() == Array("y".utf8))
    }

    @Test("The trailing unterminated line comes from finish(); nothing when the stream ended with a break")
    func trailingLine() {
        var splitter = LineSplitter()
        #expect(text(splitter.append(Array("a\npartial".utf8))) == ["a"])
        #expect(splitter.finish() == Array("partial".utf8))
        #expect(splitter.finish() == nil)

        var ended = LineSplitter()
        _ = ended.append(Array("a\r\n".utf8))
        #expect(ended.finish() == nil)

        var crAtEnd = LineSplitter()
        _ = crAtEnd.append(Array("last\r".utf8))
        #expect(crAtEnd.finish() == Array("last".utf8))
    }

    @Test("Empty chunks, empty lines and bare CRs inside a line")
    func edgeCases() {
        var splitter = LineSplitter()
        #expect(splitter.append([]).isEmpty)
        #expect(text(splitter.append(Array("\n\n".utf8))) == ["", ""])
        #expect(text(splitter.append(Array("a\rb\n".utf8))) == ["a\rb"])
        #expect(splitter.finish() == nil)
        let binary: [UInt8] = [0, 0xFF, 0x0D, 0x0D, 0x0A]
        #expect(splitter.append(binary) == [[0, 0xFF, 0x0D]])
    }

    @Test("Many lines in one big chunk")
    func bigChunk() {
        let lines = (0..<10_000).map { "line \($0)" }
        var splitter = LineSplitter()
        let out = text(splitter.append(Array(lines.joined(separator: "\n").utf8)))
        #expect(out == Array(lines.dropLast()))
        #expect(splitter.finish() == Array(lines[lines.count - 1].utf8))
    }
}
