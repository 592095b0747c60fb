@testable import JunctionNet
import Testing

@Suite("HTTP status line")
struct HTTPStatusLineTests {
    private func text(_ fill: (LWSWriteBuffer) -> Void) -> String {
        let out = LWSWriteBuffer()
        fill(out)
        return String(decoding: UnsafeBufferPointer(start: out.payload, count: out.count), as: UTF8.self)
    }

    @Test("Status lines carry the request's HTTP version, the code and RFC 9110's reason")
    func statusLines() {
        #expect(text { HTTPStatusLine.append(200, http10: false, to: $0) } == "HTTP/1.1 200 OK\r\n")
        #expect(text { HTTPStatusLine.append(413, http10: false, to: $0) } == "HTTP/1.1 413 Content Too Large\r\n")
        #expect(text { HTTPStatusLine.append(404, http10: true, to: $0) } == "HTTP/1.0 404 Not Found\r\n")
        #expect(text { HTTPStatusLine.append(299, http10: false, to: $0) } == "HTTP/1.1 299 \r\n")
    }

    @Test("Decimal numbers are written whole, from 0 to Int.max")
    func decimals() {
        for value in [0, 7, 10, 99, 100, 65535, 1_234_567_890, Int.max] {
            #expect(text { $0.appendDecimal(value) } == String(value))
        }
        #expect(text { $0.append("a"); $0.appendDecimal(42); $0.append("b") } == "a42b")
    }
}
