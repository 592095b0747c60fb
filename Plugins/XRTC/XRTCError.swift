/// An XRTC API error: `{"error":{"errorgroup":G,"errorcode":C,"errormessage":"…"}}`.
///
/// Codes from the XRTC documentation: 20 wrong argument names or size
/// exceeded, 30 wrong argument values, 35 invalid credentials, 45 login too
/// often, 10011 session denied. Groups: 1 request, 2 authentication, 3 rate.
public struct XRTCError: Error, Sendable, Equatable {
    public let group: Int
    public let code: Int
    public let message: String
    /// The HTTP status the error is answered with.
    public let status: Int

    public static func names(_ message: String) -> XRTCError { XRTCError(group: 1, code: 20, message: message, status: 400) }
    public static func values(_ message: String) -> XRTCError { XRTCError(group: 1, code: 30, message: message, status: 400) }
    public static func tooLarge(_ message: String) -> XRTCError { XRTCError(group: 1, code: 20, message: message, status: 413) }
    public static let credentials = XRTCError(group: 2, code: 35, message: "Invalid credentials", status: 401)
    public static let session = XRTCError(group: 2, code: 10011, message: "Server session denied", status: 401)
    public static let loginRate = XRTCError(group: 3, code: 45, message: "Login called too often for this API key", status: 429)

    /// A request the HTTP layer refused before the API saw it (oversized,
    /// malformed, unknown path), in the API's error format: code 20, the
    /// HTTP layer's status.
    public static func http(_ status: Int, _ message: String) -> XRTCError {
        XRTCError(group: 1, code: 20, message: "Invalid arguments: \(message)", status: status)
    }

    /// The JSON body.
    public var body: [UInt8] {
        Array(#"{"error":{"errorgroup":\#(group),"errorcode":\#(code),"errormessage":"#.utf8) + XRTCJSON.quoted(message) + Array("}}".utf8)
    }
}
