import Foundation
import JunctionNet
import Testing

@Suite("Retry-After")
struct HTTPRetryAfterTests {
    /// Sun, 06 Nov 1994 08:49:37 GMT, RFC 9110's example date.
    static let date = Date(timeIntervalSince1970: 784_111_777)

    @Test("delta-seconds")
    func deltaSeconds() {
        #expect(HTTPRetryAfter.seconds("120") == 120)
        #expect(HTTPRetryAfter.seconds("0") == 0)
        #expect(HTTPRetryAfter.seconds(" 7 ") == 7)
        #expect(HTTPRetryAfter.seconds("86400000") == 86_400_000)
    }

    @Test("HTTP-date in all three forms, relative to now; a past date is 0")
    func httpDates() {
        let before = Self.date.addingTimeInterval(-90)
        #expect(HTTPRetryAfter.seconds("Sun, 06 Nov 1994 08:49:37 GMT", now: before) == 90)
        #expect(HTTPRetryAfter.seconds("Sunday, 06-Nov-94 08:49:37 GMT", now: before) == 90)
        #expect(HTTPRetryAfter.seconds("Sun Nov  6 08:49:37 1994", now: before) == 90)
        #expect(HTTPRetryAfter.seconds("Sun, 06 Nov 1994 08:49:37 GMT", now: Self.date) == 0)
        #expect(HTTPRetryAfter.seconds("Sun, 06 Nov 1994 08:49:37 GMT") == 0)
        let future = Date().addingTimeInterval(3600)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let wait = HTTPRetryAfter.seconds(formatter.string(from: future)) ?? -1
        #expect(wait > 3590 && wait <= 3600)
    }

    @Test("Garbage is nil")
    func garbage() {
        for bad in ["", "  ", "soon", "-5", "1.5", "+30", "1e3", "120 seconds", "Sun, 99 Foo 1994 08:49:37 GMT", "GMT", String(repeating: "9", count: 400)] {
            #expect(HTTPRetryAfter.seconds(bad, now: Self.date) == nil, "\(bad)")
        }
    }
}
