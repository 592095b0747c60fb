/// The status line of an HTTP/1.x response, `HTTP/1.1 404 Not Found`, with
/// the reason phrases of RFC 9110 (an empty phrase for codes it does not name).
///
/// ```swift
/// HTTPStatusLine.reason(413)  // "Content Too Large"
/// ```
enum HTTPStatusLine {
    static func reason(_ code: Int) -> StaticString {
        switch code {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 206: "Partial Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 411: "Length Required"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 422: "Unprocessable Content"
        case 426: "Upgrade Required"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: ""
        }
    }

    /// Appends `HTTP/1.x CODE Reason\r\n` (`code` is 100…999).
    static func append(_ code: Int, http10: Bool, to out: LWSWriteBuffer) {
        out.append(http10 ? "HTTP/1.0 " : "HTTP/1.1 ")
        out.appendDecimal(code)
        out.append(" ")
        out.append(reason(code))
        out.append("\r\n")
    }
}
