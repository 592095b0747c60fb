/// Why an ``HTTPUpload`` did not end in `200 OK`.
///
/// ```swift
/// do {
///     _ = try await upload.put(fileAt: path, to: url)
/// } catch .status(let code, let excerpt) {
///     logger.warning("upload refused: \(code) \(excerpt)")
/// } catch {
///     logger.warning("upload failed: \(error)")
/// }
/// ```
public enum HTTPUploadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with a status other than 200 (a 201 or 204 too),
    /// with the start of its body as text (at most ``HTTPUpload/excerptLength`` bytes).
    case status(Int, excerpt: String)
    /// No response: the transfer failed (connect, timeout, cancelled, …).
    case transport(HTTPClientError)
    /// The file is bigger than the upload's limit; nothing was sent.
    case fileTooLarge(path: String, size: Int, limit: Int)
    /// The file could not be read; nothing was sent.
    case file(path: String, reason: String)

    /// A one-line explanation.
    ///
    /// ```swift
    /// print(HTTPUploadError.status(500, excerpt: "boom"))  // "upload answered 500 (expected 200): boom"
    /// ```
    public var description: String {
        switch self {
        case .status(let code, let excerpt):
            return "upload answered \(code) (expected 200)" + (excerpt.isEmpty ? "" : ": \(excerpt)")
        case .transport(let error): return "upload failed: \(error)"
        case .fileTooLarge(let path, let size, let limit):
            return "cannot upload \(path): \(size) bytes is more than the limit of \(limit) bytes"
        case .file(let path, let reason): return "cannot upload \(path): \(reason)"
        }
    }
}
