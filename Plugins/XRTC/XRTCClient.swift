import Foundation
import Junction
import JunctionJSON
import JunctionNet
import Logging
import Synchronization

/// Why a call to a remote XRTC server failed.
enum XRTCClientError: Error, Sendable, CustomStringConvertible {
    /// No answer: connection, timeout, shutdown.
    case http(HTTPClientError)
    /// The server's error body (`errorcode`), with the HTTP status.
    case api(code: Int, status: Int, message: String)
    /// An answer that is not what the API documents.
    case badResponse(String)

    /// The session is gone or was never there: log in again.
    var needsLogin: Bool {
        if case .api(let code, let status, _) = self { return code == 10011 || status == 401 && code != 35 }
        return false
    }

    var description: String {
        switch self {
        case .http(let e): return "\(e)"
        case .api(let code, let status, let message): return "errorcode \(code) (HTTP \(status)): \(message)"
        case .badResponse(let why): return "unexpected answer: \(why)"
        }
    }
}

/// An item as a remote server returns it.
struct XRTCRemoteItem: Sendable, Equatable {
    var portalID: String
    var payload: String
    var timestamp: Int64
}

/// Where and as whom a remote portal is reached.
struct XRTCRemoteSettings: Sendable, Equatable {
    var loginURL: String
    var setURL: String
    var getURL: String
    var accountID: String
    var apiKey: String

    /// From the component's config, then its `env_file`, then the process
    /// environment, with the xrtc SDK's names (ACCOUNT_ID, API_KEY, LOGIN_URL,
    /// SET_URL, GET_URL). URLs come from `env_file` when it has them, else from `url`.
    static func resolve(_ config: XRTCPortalConfig, context: ComponentContext,
                        environment: [String: String] = ProcessInfo.processInfo.environment) throws -> XRTCRemoteSettings {
        var fromFile: [String: String] = [:]
        if let file = config.envFile {
            let path = context.resolve(path: file)
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw ConfigDiagnostic.field("env_file", "cannot read env file '\(path)'")
            }
            for (key, value) in try ConfigEnvironment.parseEnvFile(text, file: path) { fromFile[key] = value }
        }
        func value(_ field: String?, _ name: String) -> String? {
            field ?? environment[name].flatMap { $0.isEmpty ? nil : $0 } ?? fromFile[name]
        }
        let base = config.url.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        func endpoint(_ name: String, _ path: String) throws -> String {
            if let url = fromFile[name] { return url }
            if let base { return base + path }
            throw ConfigDiagnostic.field("url", "no \(name): give url, or an env_file with \(name)")
        }
        guard let account = value(config.accountID, "ACCOUNT_ID") else {
            throw ConfigDiagnostic.field("account_id", "no account id: set account_id, or ACCOUNT_ID in env_file or the environment")
        }
        guard let key = value(config.apiKey, "API_KEY") else {
            throw ConfigDiagnostic.field("api_key", "no API key: set api_key, or API_KEY in env_file or the environment")
        }
        return XRTCRemoteSettings(
            loginURL: try endpoint("LOGIN_URL", "/v1/auth/login"), setURL: try endpoint("SET_URL", "/v1/item/set"),
            getURL: try endpoint("GET_URL", "/v1/item/get"), accountID: account, apiKey: key)
    }
}

/// One login session on a remote XRTC server, with its own cookie jar; logs
/// in when needed and again when the server says the session is gone
/// (401 / errorcode 10011), then retries the call once.
///
/// ```swift
/// let client = try XRTCClient(settings: settings, timeout: 30, logger: logger)
/// try await client.set(body)
/// ```
final class XRTCClient: Sendable {
    let settings: XRTCRemoteSettings
    private let http: HTTPClient
    private let timeout: Double
    private let logger: Logger
    private let loggedIn = Atomic<Bool>(false)

    init(settings: XRTCRemoteSettings, timeout: Double, logger: Logger) throws {
        self.settings = settings
        self.timeout = timeout
        self.logger = logger
        var config = HTTPClientConfig()
        config.requestTimeout = timeout
        config.connectTimeout = min(timeout, 10)
        http = try HTTPClient(config: config, logger: logger)
    }

    deinit { http.shutdown() }

    /// Ends every call in flight.
    func shutdown() { http.shutdown() }

    func login() async throws(XRTCClientError) {
        let body = Array(#"{"accountid":"#.utf8) + XRTCJSON.quoted(settings.accountID) + Array(#","apikey":"#.utf8)
            + XRTCJSON.quoted(settings.apiKey) + [0x7D]
        _ = try await post(settings.loginURL, body, timeout: timeout)
        loggedIn.store(true, ordering: .releasing)
        logger.debug("logged in to XRTC server", metadata: ["url": "\(settings.loginURL)"])
    }

    /// Sends one `item/set` body.
    func set(_ body: [UInt8]) async throws(XRTCClientError) {
        _ = try await withSession { () async throws(XRTCClientError) in try await self.post(self.settings.setURL, body, timeout: self.timeout) }
    }

    /// One probe or watch `item/get`; `wait` adds to the timeout (watch).
    func get(_ body: [UInt8], wait: Double) async throws(XRTCClientError) -> [XRTCRemoteItem] {
        let answer = try await withSession { () async throws(XRTCClientError) in
            try await self.post(self.settings.getURL, body, timeout: self.timeout + wait)
        }
        return try Self.items(answer)
    }

    /// One stream `item/get`: `onItems` for every line until the server ends
    /// the stream. `started` receives the transfer, to pause and resume it.
    func stream(_ body: [UInt8], started: @escaping @Sendable (HTTPClientTask) -> Void,
                onItems: @escaping @Sendable ([XRTCRemoteItem]) -> Void) async throws(XRTCClientError) {
        try await withSession { () async throws(XRTCClientError) in
            try await self.streamOnce(body, started: started, onItems: onItems)
        }
    }

    private func streamOnce(_ body: [UInt8], started: @escaping @Sendable (HTTPClientTask) -> Void,
                            onItems: @escaping @Sendable ([XRTCRemoteItem]) -> Void) async throws(XRTCClientError) {
        let status = Mutex(0)
        let errorBody = Mutex<[UInt8]>([])
        let bad = Mutex<XRTCClientError?>(nil)
        let result: Result<Int, HTTPClientError> = await withCheckedContinuation { continuation in
            let task = http.stream(
                HTTPClientRequest(method: "POST", url: settings.getURL, headers: Self.jsonHeaders, body: body, timeout: 0),
                onHead: { code, _ in status.withLock { $0 = code } },
                onLine: { line in
                    guard status.withLock({ $0 }) == 200 else {
                        errorBody.withLock { $0 += line }
                        return
                    }
                    guard !line.isEmpty else { return }
                    do throws(XRTCClientError) {
                        let items = try Self.items(line)
                        if !items.isEmpty { onItems(items) }
                    } catch {
                        bad.withLock { $0 = error }
                    }
                },
                completion: { continuation.resume(returning: $0) })
            started(task)
        }
        switch result {
        case .failure(let error): throw .http(error)
        case .success(let code) where code != 200: throw Self.apiError(code, errorBody.withLock { $0 })
        case .success:
            if let error = bad.withLock({ $0 }) { throw error }
        }
    }

    private func withSession<T: Sendable>(_ call: @Sendable () async throws(XRTCClientError) -> T) async throws(XRTCClientError) -> T {
        if !loggedIn.load(ordering: .acquiring) { try await login() }
        do {
            return try await call()
        } catch where error.needsLogin {
            loggedIn.store(false, ordering: .releasing)
            logger.info("XRTC session gone; logging in again", metadata: ["url": "\(settings.loginURL)"])
            try await login()
            return try await call()
        }
    }

    private static let jsonHeaders = [("Content-Type", "application/json")]

    private func post(_ url: String, _ body: [UInt8], timeout: Double) async throws(XRTCClientError) -> [UInt8] {
        let response: HTTPClientResponse
        do {
            response = try await http.send(HTTPClientRequest(method: "POST", url: url, headers: Self.jsonHeaders, body: body, timeout: timeout))
        } catch {
            throw .http(error)
        }
        guard response.status == 200 else { throw Self.apiError(response.status, response.body) }
        return response.body
    }

    static func apiError(_ status: Int, _ body: [UInt8]) -> XRTCClientError {
        guard let object = try? XRTCJSON.object(body), let error = object["error"], case .object = error,
              let code = error["errorcode"].flatMap(XRTCJSON.integer) else {
            return .badResponse("HTTP \(status) without an XRTC error body")
        }
        return .api(code: Int(code), status: status, message: error["errormessage"]?.stringValue ?? "")
    }

    /// `{"items":[{"portalid","payload","servertimestamp"}, …]}`.
    static func items(_ body: [UInt8]) throws(XRTCClientError) -> [XRTCRemoteItem] {
        let object: JSONValue
        do { object = try XRTCJSON.object(body) } catch { throw .badResponse("not a JSON object") }
        guard case .array(let raw)? = object["items"] else { throw .badResponse("no items array") }
        var items: [XRTCRemoteItem] = []
        items.reserveCapacity(raw.count)
        for item in raw {
            guard case .object = item, let portal = item["portalid"]?.stringValue,
                  let payload = item["payload"]?.stringValue else { throw .badResponse("an item without portalid or payload") }
            let timestamp = item["servertimestamp"].flatMap(XRTCJSON.integer) ?? 0
            items.append(XRTCRemoteItem(portalID: portal, payload: payload, timestamp: timestamp))
        }
        return items
    }
}
