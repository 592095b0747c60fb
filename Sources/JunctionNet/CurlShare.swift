import CCurl

/// One ``HTTPClient``'s cookie engine: a curl share handle sharing
/// `CURL_LOCK_DATA_COOKIE`, set on each of that client's easy handles.
/// Only the curl thread touches it, so it needs no lock callbacks.
/// ``close()`` frees it exactly once, after the easy handles using it.
final class CurlShare {
    /// Valid until ``close()``.
    private(set) var handle: UnsafeMutableRawPointer?

    init() throws(HTTPClientError) {
        guard let handle = curl_share_init() else { throw .transfer("curl_share_init failed") }
        self.handle = handle
        let code = junction_curlsh_set_lock_data(handle, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE)
        guard code == CURLSHE_OK else {
            close()
            throw .transfer("sharing cookies: \(String(cString: curl_share_strerror(code)))")
        }
    }

    deinit {
        close()
    }

    /// Frees the share. Every easy handle using it must be cleaned up first. Idempotent.
    func close() {
        guard let handle else { return }
        self.handle = nil
        curl_share_cleanup(handle)
    }

    /// The jar's cookies, name → value (for a name set by several domains, one of them).
    func cookies() -> [String: String] {
        guard let handle, let probe = curl_easy_init() else { return [:] }
        defer { curl_easy_cleanup(probe) }
        // An easy handle on this share reads the shared jar.
        guard junction_curl_set_pointer(probe, CURLOPT_SHARE, handle) == CURLE_OK else { return [:] }
        var raw: UnsafeMutableRawPointer?
        guard junction_curl_get_pointer(probe, CURLINFO_COOKIELIST, &raw) == CURLE_OK, let raw else { return [:] }
        let list = raw.assumingMemoryBound(to: curl_slist.self)
        defer { curl_slist_free_all(list) }
        var cookies: [String: String] = [:]
        var node: UnsafeMutablePointer<curl_slist>? = list
        while let current = node {
            if let data = current.pointee.data {
                // Netscape format: domain, subdomains, path, secure, expiry, name, value.
                let fields = String(cString: data).split(separator: "\t", omittingEmptySubsequences: false)
                if fields.count >= 6 {
                    cookies[String(fields[5])] = fields.count > 6 ? String(fields[6]) : ""
                }
            }
            node = current.pointee.next
        }
        return cookies
    }
}
