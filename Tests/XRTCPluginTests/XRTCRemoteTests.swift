import Foundation
import Junction
import JunctionNet
import Logging
import Synchronization
import Testing
@testable import XRTCPlugin

@Suite("Remote XRTC client")
struct XRTCRemoteTests {
    @Test func setsArePackedWithinItemAndByteLimits() throws {
        let packer = XRTCSetPacker(portal: "ptz", itemsPerSet: 3, payloadBytesPerSet: 10)
        let packed = packer.pack(["a", "b", "c", "d", "1234567890", "x" * 11, "e"])
        #expect(packed.counts == [3, 1, 1, 1])  // 3 items; then d + 10 bytes > 10; then 10 + e > 10
        #expect(packed.oversized == [5])
        let bodies = try packed.bodies.map { try JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
        let payloads = bodies.map { ($0?["items"] as? [[String: Any]] ?? []).map { $0["payload"] as? String ?? "?" } }
        #expect(payloads.flatMap { $0 } == ["a", "b", "c", "d", "1234567890", "e"])
        #expect(bodies.allSatisfy { ($0?["items"] as? [[String: Any]] ?? []).allSatisfy { $0["portalid"] as? String == "ptz" } })
    }

    @Test func payloadsAreEscapedAndCountedInUTF8Bytes() throws {
        let packer = XRTCSetPacker(portal: "p", itemsPerSet: 10, payloadBytesPerSet: 4)
        let packed = packer.pack(["\"\\\n", "éé", "ééé"])
        #expect(packed.oversized == [2])                    // 6 bytes
        let object = try JSONSerialization.jsonObject(with: Data(packed.bodies[0])) as? [String: Any]
        #expect((object?["items"] as? [[String: Any]])?.first?["payload"] as? String == "\"\\\n")
    }

    @Test func getBodyCarriesModeScheduleAndCutoff() throws {
        var config = XRTCPortalConfig()
        config.portal = "cam"
        config.mode = .watch
        config.schedule = .lifo
        #expect(String(decoding: XRTCRemoteSource.getBody(config), as: UTF8.self)
            == #"{"portals":[{"portalid":"cam"}],"mode":"watch","schedule":"LIFO"}"#)
        config.cutoff = 500
        let parsed = try XRTCRequests.get(XRTCRemoteSource.getBody(config), limits: XRTCLimits())
        #expect(parsed.cutoff == 500 && parsed.mode == .watch && parsed.schedule == .lifo)
    }

    @Test func settingsComeFromConfigThenEnvironmentThenEnvFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("xrtc-env-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "ACCOUNT_ID=ACfile\nAPI_KEY=keyfile\nGET_URL=http://other/get\n".write(to: dir.appendingPathComponent("x.env"), atomically: true, encoding: .utf8)
        let context = ComponentContext(name: "r", type: "xrtc", baseDirectory: dir.path)
        var config = XRTCPortalConfig()
        config.portal = "p"
        config.url = "http://host:8080/"
        config.envFile = "x.env"
        var s = try XRTCRemoteSettings.resolve(config, context: context, environment: ["API_KEY": "keyenv"])
        #expect(s == XRTCRemoteSettings(loginURL: "http://host:8080/v1/auth/login", setURL: "http://host:8080/v1/item/set",
                                        getURL: "http://other/get", accountID: "ACfile", apiKey: "keyenv"))
        config.apiKey = "keyconfig"
        s = try XRTCRemoteSettings.resolve(config, context: context, environment: ["API_KEY": "keyenv"])
        #expect(s.apiKey == "keyconfig")
        config.envFile = nil
        #expect(throws: ConfigDiagnostic.self) { try XRTCRemoteSettings.resolve(config, context: context, environment: [:]) }
    }

    @Test func answersAreParsed() throws {
        let items = try XRTCClient.items(Array(#"{"items":[{"portalid":"p","payload":"x","servertimestamp":17}]}"#.utf8))
        #expect(items == [XRTCRemoteItem(portalID: "p", payload: "x", timestamp: 17)])
        #expect(throws: XRTCClientError.self) { try XRTCClient.items(Array("[]".utf8)) }
        let error = XRTCClient.apiError(401, XRTCError.session.body)
        guard case .api(10011, 401, _) = error else { Issue.record("got \(error)"); return }
        #expect(error.needsLogin)
        #expect(!XRTCClient.apiError(401, XRTCError.credentials.body).needsLogin)
    }

    /// Against the embedded server: the client logs in by itself, and again
    /// when its session is gone (the hub forgot it), then the set goes through.
    @Test func clientLogsInAgainWhenTheSessionIsGone() async throws {
        let clock = TestClock()
        let hub = makeHub(keys: ["key-1"], clock: clock)
        let listener = HTTPListener()
        listener.configure(try ListenConfig(address: "127.0.0.1:0"))
        XRTCServer(hub: hub, logger: Logger(label: "test")).mount(on: listener, path: "/v1")
        try listener.start()
        defer { listener.stop() }
        let base = "http://127.0.0.1:\(listener.port)"
        let settings = XRTCRemoteSettings(loginURL: base + "/v1/auth/login", setURL: base + "/v1/item/set",
                                          getURL: base + "/v1/item/get", accountID: "AC1", apiKey: "key-1")
        let client = try XRTCClient(settings: settings, timeout: 5, logger: Logger(label: "test"))
        defer { client.shutdown() }
        let packer = XRTCSetPacker(portal: "p", itemsPerSet: 10, payloadBytesPerSet: 1024)
        try await client.set(packer.pack(["one"]).bodies[0])
        clock.advance(seconds: 61)  // the session idles out
        try await client.set(packer.pack(["two"]).bodies[0])
        #expect(hub.items(account: "AC1", portal: "p", after: 0).map(\.payload) == ["one", "two"])
        let wrong = try XRTCClient(settings: XRTCRemoteSettings(loginURL: settings.loginURL, setURL: settings.setURL,
                                                                getURL: settings.getURL, accountID: "AC1", apiKey: "nope"),
                                   timeout: 5, logger: Logger(label: "test"))
        defer { wrong.shutdown() }
        await #expect(throws: XRTCClientError.self) { try await wrong.set(packer.pack(["three"]).bodies[0]) }
    }
}

@Suite("Remote XRTC sink")
struct XRTCRemoteSinkTests {
    /// Messages reach a (local) server in order, packed; one over the size
    /// limit is reported as failed and the rest still go.
    @Test func sinkSendsInOrderAndReportsWhatItCouldNotSend() async throws {
        let hub = makeHub(keys: ["key-1"])
        let listener = HTTPListener()
        listener.configure(try ListenConfig(address: "127.0.0.1:0"))
        XRTCServer(hub: hub, logger: Logger(label: "test")).mount(on: listener, path: "/v1")
        try listener.start()
        defer { listener.stop() }
        var config = XRTCPortalConfig()
        config.portal = "out"
        config.url = "http://127.0.0.1:\(listener.port)"
        config.accountID = "AC1"
        config.apiKey = "key-1"
        config.itemsPerSet = 2
        let sink = try XRTCRemoteSink(config: config, context: ComponentContext(name: "up", type: "xrtc"))
        let batch = ["a", "b", "x" * 2000, "c"].map { Message(text: $0) }
        let failed = await withCheckedContinuation { continuation in
            sink.write(batch, reporting: { continuation.resume(returning: $0) })
        }
        #expect(failed == 1)
        #expect(hub.items(account: "AC1", portal: "out", after: 0).map(\.payload) == ["a", "b", "c"])
        await withCheckedContinuation { continuation in sink.close { continuation.resume() } }
    }
}

private func * (s: String, n: Int) -> String { String(repeating: s, count: n) }

@Test func pluginReferenceDocumentsTheSectionsFieldByField() {
    var registry = PluginRegistry()
    JunctionNetPlugin.register(into: &registry)
    XRTCPlugin.register(into: &registry)
    let text = registry.reference()
    #expect(text.contains("    limits.ring_size: integer = 10\n"))
    #expect(text.contains("    accounts[].api_keys: [string] = required\n"))
    #expect(text.contains("    threads: int = one per core, at most 8\n"))
    #expect(text.contains("    mode: probe|watch|stream = stream\n"))
}
