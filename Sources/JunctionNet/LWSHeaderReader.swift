import CWebSockets
import Foundation

/// Copies a request out of libwebsockets' header table (the "ah") into Swift
/// values. Service thread only; owns one scratch buffer big enough for any
/// header the ah can hold.
final class LWSHeaderReader {
    /// Header tokens lws parses itself, and their lowercased names at the
    /// same indices (apart, so the per-request scan touches no references).
    private let knownTokens: [lws_token_indexes]
    private let knownNames: [String]
    /// Non-standard headers to look up by name: (C name with ':', Swift name).
    private let extra: [(cName: [CChar], name: String)]
    /// Index into `knownTokens` by lowercased name.
    private let knownIndex: [String: Int]
    private let scratch: UnsafeMutablePointer<CChar>
    private let scratchSize: Int32

    init(maxHeaderSize: Int, extraHeaders: [String]) {
        var known: [(lws_token_indexes, String)] = []
        for raw in 0..<WSI_TOKEN_COUNT.rawValue {
            let token = lws_token_indexes(rawValue: raw)
            // Real headers are spelled "name:"; methods ("get "), the version,
            // URI args and h2 pseudo-headers (":path") are not.
            guard let cName = lws_token_to_string(token) else { continue }
            let spelled = String(cString: cName)
            guard spelled.hasSuffix(":"), !spelled.hasPrefix(":"), spelled.count > 1 else { continue }
            known.append((token, String(spelled.dropLast()).lowercased()))
        }
        self.knownTokens = known.map(\.0)
        self.knownNames = known.map(\.1)
        self.knownIndex = Dictionary(known.enumerated().map { ($1.1, $0) }, uniquingKeysWith: { first, _ in first })
        self.extra = extraHeaders.map { name in
            let lower = name.lowercased()
            return (Array((lower + ":").utf8CString), lower)
        }
        let size = max(maxHeaderSize, 1024) + 16
        scratch = .allocate(capacity: size)
        scratchSize = Int32(size)
    }

    deinit {
        scratch.deallocate()
    }

    /// The value of a well-known header, or `nil` when absent or unreadable.
    func value(_ wsi: OpaquePointer, _ token: lws_token_indexes) -> String? {
        guard lws_hdr_total_length(wsi, token) > 0 else { return nil }
        let n = lws_hdr_copy(wsi, scratch, scratchSize, token)
        guard n > 0 else { return nil }
        return string(count: Int(n))
    }

    /// Whether the request carries this well-known header at all.
    func has(_ wsi: OpaquePointer, _ token: lws_token_indexes) -> Bool {
        lws_hdr_total_length(wsi, token) > 0
    }

    /// The headers `selection` asks for, of those present.
    func headers(_ wsi: OpaquePointer, _ selection: HTTPHeaderSelection) -> HTTPHeaders {
        guard case .only(let names) = selection else { return headers(wsi) }
        var result = HTTPHeaders()
        result.reserveCapacity(names.count)
        for name in names {
            if let i = knownIndex[name] {
                if let value = value(wsi, knownTokens[i]) { result.add(lowercased: name, value) }
            } else if let value = custom(wsi, Array((name + ":").utf8CString)) {
                result.add(lowercased: name, value)
            }
        }
        return result
    }

    /// Every well-known header present, plus the configured extra ones.
    func headers(_ wsi: OpaquePointer) -> HTTPHeaders {
        var result = HTTPHeaders()
        result.reserveCapacity(8)
        knownTokens.withUnsafeBufferPointer { tokens in
            for i in tokens.indices where lws_hdr_total_length(wsi, tokens[i]) > 0 {
                let n = lws_hdr_copy(wsi, scratch, scratchSize, tokens[i])
                if n > 0 { result.add(lowercased: knownNames[i], string(count: Int(n))) }
            }
        }
        for (cName, name) in extra {
            if let value = custom(wsi, cName) { result.add(lowercased: name, value) }
        }
        return result
    }

    /// A non-standard header's value by its NUL-terminated `name:`; nil when absent.
    private func custom(_ wsi: OpaquePointer, _ cName: [CChar]) -> String? {
        let nlen = Int32(cName.count - 1)
        let n = cName.withUnsafeBufferPointer { namePtr -> Int32 in
            guard let base = namePtr.baseAddress, lws_hdr_custom_length(wsi, base, nlen) >= 0 else { return -1 }
            return lws_hdr_custom_copy(wsi, scratch, scratchSize, base, nlen)
        }
        return n >= 0 ? string(count: Int(n)) : nil
    }

    /// Query arguments (`?a=1&b`), already percent-decoded by lws.
    func query(_ wsi: OpaquePointer) -> [String: String] {
        guard lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS) > 0 else { return [:] }
        var result: [String: String] = [:]
        var index: Int32 = 0
        // Bounded: the ah holds at most maxHeaderSize bytes anyway.
        while index < 256 {
            let n = lws_hdr_copy_fragment(wsi, scratch, scratchSize, WSI_TOKEN_HTTP_URI_ARGS, index)
            if n < 0 { break }
            index += 1
            guard n > 0 else { continue }
            let pair = string(count: Int(n))
            if let eq = pair.firstIndex(of: "=") {
                result[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
            } else {
                result[pair] = ""
            }
        }
        return result
    }

    private func string(count: Int) -> String {
        scratch.withMemoryRebound(to: UInt8.self, capacity: count) {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }
    }
}
