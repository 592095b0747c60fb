import Dispatch
import Foundation

/// Uploads bytes or a file's contents with an HTTP `PUT` through an
/// ``HTTPClient`` (as RTM recordings go to their `upload_url`). Exactly
/// `200 OK` is success; any other status, and any transport error, is an
/// ``HTTPUploadError``.
///
/// Files are read whole into memory, on one serial queue of their own so
/// that disk reads never hold a pipeline or curl thread; files bigger than
/// ``maxFileSize`` are refused before they are read.
///
/// ```swift
/// let upload = HTTPUpload(client: client, maxFileSize: 64 << 20)
///
/// // async
/// let response = try await upload.put(fileAt: "/var/lib/junction/rec-42.json",
///                                     to: uploadURL, headers: [("Content-Type", "application/json")])
///
/// // callback
/// upload.put(Array(text.utf8), to: uploadURL) { result in
///     if case .failure(let error) = result { logger.warning("\(error)") }
/// }
/// ```
public struct HTTPUpload: Sendable {
    /// The client that sends the requests (its timeouts and connection cache apply).
    public let client: HTTPClient
    /// The largest file, in bytes, that ``put(fileAt:to:headers:timeout:completion:)`` sends.
    public var maxFileSize: Int
    /// How many bytes of a failed response's body its ``HTTPUploadError/status(_:excerpt:)`` keeps.
    public static let excerptLength = 200

    /// Disk reads for file uploads, one at a time.
    private static let fileQueue = DispatchQueue(label: "junction.upload.files")

    /// An uploader on `client`; files up to `maxFileSize` bytes (default 256 MiB).
    ///
    /// ```swift
    /// let upload = HTTPUpload(client: try HTTPClient(logger: logger))
    /// ```
    public init(client: HTTPClient, maxFileSize: Int = 256 << 20) {
        self.client = client
        self.maxFileSize = maxFileSize
    }

    /// PUTs `body` to `url` and calls `completion` once: the response when it
    /// is `200`, else why not. `timeout` overrides the client's request timeout.
    ///
    /// ```swift
    /// upload.put(bytes, to: url, headers: [("Content-Type", "application/octet-stream")]) { result in
    ///     print(result)
    /// }
    /// ```
    @discardableResult
    public func put(
        _ body: [UInt8], to url: String, headers: [(String, String)] = [], timeout: Double? = nil,
        completion: @escaping @Sendable (Result<HTTPClientResponse, HTTPUploadError>) -> Void
    ) -> HTTPClientTask {
        client.send(Self.request(body, url, headers, timeout)) { result in
            completion(result.mapError(HTTPUploadError.transport).flatMap(Self.check))
        }
    }

    /// Reads the file at `path` (off the caller's thread) and PUTs its
    /// contents to `url`; `completion` runs once. A missing, unreadable or
    /// too large file fails without a request.
    ///
    /// ```swift
    /// upload.put(fileAt: "/tmp/rec.json", to: url) { result in print(result) }
    /// ```
    public func put(
        fileAt path: String, to url: String, headers: [(String, String)] = [], timeout: Double? = nil,
        completion: @escaping @Sendable (Result<HTTPClientResponse, HTTPUploadError>) -> Void
    ) {
        let limit = maxFileSize
        Self.fileQueue.async {
            switch Self.read(path, limit: limit) {
            case .success(let body): put(body, to: url, headers: headers, timeout: timeout, completion: completion)
            case .failure(let error): completion(.failure(error))
            }
        }
    }

    /// PUTs `body` to `url` and returns the `200` response. Cancelling the
    /// calling task cancels the transfer (`.transport(.cancelled)`).
    ///
    /// ```swift
    /// let response = try await upload.put(Array(json.utf8), to: url)
    /// print(response.header("ETag") ?? "-")
    /// ```
    public func put(
        _ body: [UInt8], to url: String, headers: [(String, String)] = [], timeout: Double? = nil
    ) async throws(HTTPUploadError) -> HTTPClientResponse {
        let response: HTTPClientResponse
        do {
            response = try await client.send(Self.request(body, url, headers, timeout))
        } catch {
            throw .transport(error)
        }
        return try Self.check(response).get()
    }

    /// Reads the file at `path` (off the calling thread) and PUTs its
    /// contents to `url`; returns the `200` response.
    ///
    /// ```swift
    /// _ = try await upload.put(fileAt: recordingPath, to: uploadURL)
    /// ```
    public func put(
        fileAt path: String, to url: String, headers: [(String, String)] = [], timeout: Double? = nil
    ) async throws(HTTPUploadError) -> HTTPClientResponse {
        let limit = maxFileSize
        let read = await withCheckedContinuation { (continuation: CheckedContinuation<Result<[UInt8], HTTPUploadError>, Never>) in
            Self.fileQueue.async { continuation.resume(returning: Self.read(path, limit: limit)) }
        }
        return try await put(read.get(), to: url, headers: headers, timeout: timeout)
    }

    private static func request(_ body: [UInt8], _ url: String, _ headers: [(String, String)], _ timeout: Double?) -> HTTPClientRequest {
        HTTPClientRequest(method: "PUT", url: url, headers: headers, body: body, timeout: timeout)
    }

    /// `200` passes; any other status becomes `.status` with a body excerpt.
    static func check(_ response: HTTPClientResponse) -> Result<HTTPClientResponse, HTTPUploadError> {
        guard response.status != 200 else { return .success(response) }
        return .failure(.status(response.status, excerpt: excerpt(response.body)))
    }

    /// The start of a body as one line of text: at most `excerptLength` bytes,
    /// invalid UTF-8 repaired, control characters as spaces, `…` when cut.
    static func excerpt(_ body: [UInt8]) -> String {
        let cut = body.count > excerptLength
        var text = String(decoding: body.prefix(excerptLength), as: UTF8.self)
        // A multi-byte character split by the cut decodes as U+FFFD at the end; drop it.
        if cut, text.hasSuffix("\u{FFFD}") { text.removeLast() }
        let scalars = text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) }
        return String(scalars).trimmingCharacters(in: .whitespaces) + (cut ? "…" : "")
    }

    /// The whole file, or why not; never more than `limit` bytes.
    static func read(_ path: String, limit rawLimit: Int) -> Result<[UInt8], HTTPUploadError> {
        let limit = max(0, rawLimit)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(.file(path: path, reason: "no such file"))
        }
        guard !isDirectory.boolValue else { return .failure(.file(path: path, reason: "is a directory")) }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.int64Value > Int64(limit) {
            return .failure(.fileTooLarge(path: path, size: size.intValue, limit: limit))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(.file(path: path, reason: "cannot open it for reading"))
        }
        defer { try? handle.close() }
        let data: Data
        do {
            // One byte past the limit tells a file that grew since the size check.
            data = try handle.read(upToCount: limit < Int.max ? limit + 1 : limit) ?? Data()
        } catch {
            return .failure(.file(path: path, reason: "read failed: \(error.localizedDescription)"))
        }
        guard data.count <= limit else { return .failure(.fileTooLarge(path: path, size: data.count, limit: limit)) }
        return .success(Array(data))
    }
}
