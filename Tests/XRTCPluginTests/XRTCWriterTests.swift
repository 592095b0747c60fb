import Testing
@testable import XRTCPlugin

@Suite("XRTC answer bodies")
struct XRTCWriterTests {
    @Test("Integers are written in decimal, including the extremes")
    func integers() {
        for n: Int64 in [0, 7, -7, 10, 1_795_448_334_365, .max, .min] {
            var out: [UInt8] = []
            XRTCJSON.appendInteger(n, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == String(n))
        }
    }

    @Test("Strings are escaped, control characters as \\u00XX")
    func strings() {
        #expect(String(decoding: XRTCJSON.quoted("a\"b\\c\n\r\t\u{1}\u{1f}é"), as: UTF8.self)
                == #""a\"b\\c\n\r\t\u0001\u001fé""#)
    }

    @Test("Bodies: timestamp and items")
    func bodies() {
        #expect(String(decoding: XRTCRequests.timestampBody(1_700_000_000_123), as: UTF8.self) == #"{"servertimestamp":1700000000123}"#)
        let items = [
            XRTCItem(portalID: "p", payload: "x\"y", timestamp: 5, seq: 1, index: 1),
            XRTCItem(portalID: "q", payload: "", timestamp: 6, seq: 2, index: 1),
        ]
        #expect(String(decoding: XRTCRequests.itemsBody(items), as: UTF8.self)
                == #"{"items":[{"portalid":"p","payload":"x\"y","servertimestamp":5},{"portalid":"q","payload":"","servertimestamp":6}]}"#)
        #expect(String(decoding: XRTCRequests.itemsBody([]), as: UTF8.self) == #"{"items":[]}"#)
    }

    @Test("The session cookie is found among others, with spaces trimmed")
    func cookie() {
        func parse(_ header: String) -> String? {
            var h = header
            return h.withUTF8 { XRTCServer.sessionCookie(in: $0[...]) }
        }
        #expect(parse("JSESSIONID=abc") == "abc")
        #expect(parse("a=1; JSESSIONID=abc ; b=2") == "abc")
        #expect(parse(";;  JSESSIONID=") == "")
        #expect(parse("XJSESSIONID=abc") == nil)
        #expect(parse("a=1; b=2") == nil)
        #expect(parse("") == nil)
    }
}
