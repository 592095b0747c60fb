@testable import JunctionNet
import Testing

@Suite("HTTPHeaderLines")
struct HTTPHeaderLinesTests {
    @Test("Lines become a dictionary on demand: lower-cased names, trimmed values, repeats joined")
    func parsesOnDemand() {
        var lines = HTTPHeaderLines()
        for line in ["Content-Type:  application/json \r\n", "Set-Cookie: a=1\r\n", "set-cookie: b=2\n", "no colon here\r\n", "X-Empty:\r\n"] {
            Array(line.utf8).withUnsafeBytes { lines.append($0) }
        }
        let d = lines.dictionary
        #expect(d == ["content-type": "application/json", "set-cookie": "a=1, b=2", "x-empty": ""])
        let response = HTTPClientResponse(status: 200, headerLines: lines, body: [], newConnections: 0)
        #expect(response.header("CONTENT-TYPE") == "application/json")
        #expect(response.headers == d)
        lines.removeAll()
        #expect(lines.dictionary.isEmpty)
    }
}
