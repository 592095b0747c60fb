import CCurl
import Foundation

/// The `Retry-After` response header (RFC 9110 §10.2.3) as a number of seconds.
///
/// It is either delta-seconds (`120`) or an HTTP-date (`Fri, 31 Dec 1999
/// 23:59:59 GMT`; the obsolete RFC 850 and asctime forms too, which recipients
/// must accept). Dates are parsed by libcurl's `curl_getdate`.
///
/// ```swift
/// if let header = response.header("Retry-After"), let wait = HTTPRetryAfter.seconds(header) {
///     retry(after: wait)
/// }
/// ```
public enum HTTPRetryAfter {
    /// Seconds to wait: delta-seconds as given; for a date, the time from
    /// `now` until it (`0` when it is already past). `nil` for anything else
    /// (empty, negative, fractional, words, malformed dates).
    ///
    /// ```swift
    /// HTTPRetryAfter.seconds("120")                                 // 120
    /// HTTPRetryAfter.seconds("Sun, 06 Nov 1994 08:49:37 GMT")       // 0 (in the past)
    /// HTTPRetryAfter.seconds("soon")                                // nil
    /// ```
    public static func seconds(_ value: String, now: Date = Date()) -> Double? {
        let text = value.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
        if text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) { return Double(text) }
        // Every HTTP-date names its month (and day) in letters; anything without one is not a date.
        guard text.unicodeScalars.contains(where: { $0.properties.isAlphabetic }), let date = httpDate(text) else {
            return nil
        }
        return max(0, date - now.timeIntervalSince1970)
    }

    /// Unix seconds of an HTTP-date, by `curl_getdate`; nil when it cannot parse it.
    static func httpDate(_ text: String) -> Double? {
        let time = curl_getdate(text, nil)
        return time == -1 ? nil : Double(time)
    }
}
