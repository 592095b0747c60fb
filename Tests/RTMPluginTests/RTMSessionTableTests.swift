import RTMPlugin
import Testing

@Suite("RTM sessions: lifecycle and the rules across sessions")
struct RTMSessionTableTests {
    @Test("States only move forward; TERMINATED is final")
    func lifecycle() {
        #expect(RTMSessionState.initial.canMove(to: .setup))
        #expect(RTMSessionState.setup.canMove(to: .active))
        #expect(RTMSessionState.setup.canMove(to: .shutdown))
        #expect(!RTMSessionState.active.canMove(to: .setup))
        #expect(!RTMSessionState.terminated.canMove(to: .shutdown))
        #expect(RTMSessionState.allCases.filter(\.isLive) == [.setup, .active])
    }

    @Test("One live session per client id: a second is TWO_TIMER until the first ends")
    func twoTimer() {
        let table = RTMSessionTable(maxSupervisors: 3)
        #expect(table.startClient(clientID: "c-0", sessionID: "s-1") == nil)
        #expect(table.startClient(clientID: "c-0", sessionID: "s-2") == .twoTimer)
        #expect(table.startClient(clientID: "c-1", sessionID: "s-1") == .twoTimer, "a session id in use")
        #expect(table.move("s-1", to: .active))
        #expect(table.startClient(clientID: "c-0", sessionID: "s-2") == .twoTimer)
        // Shutting down no longer counts as live.
        #expect(table.move("s-1", to: .shutdown))
        #expect(!table.move("s-1", to: .active))
        #expect(table.startClient(clientID: "c-0", sessionID: "s-2") == nil)
        table.end("s-1")
        #expect(table.entry("s-1") == nil)
        #expect(table.count == 1)
    }

    @Test("Supervisors: only of a live client session, at most max, and they learn when it ends")
    func supervisors() {
        let table = RTMSessionTable(maxSupervisors: 2)
        #expect(table.joinSupervisor(clientID: "sup-0", sessionID: "x", monitoring: "nobody") == .noActiveAgent)
        #expect(table.startClient(clientID: "c-0", sessionID: "s-1") == nil)
        #expect(table.joinSupervisor(clientID: "sup-1", sessionID: "v-1", monitoring: "s-1") == nil)
        #expect(table.joinSupervisor(clientID: "sup-2", sessionID: "v-2", monitoring: "s-1") == nil)
        #expect(table.joinSupervisor(clientID: "sup-3", sessionID: "v-3", monitoring: "s-1") == .maxSupervisorsPerAgent)
        #expect(table.joinSupervisor(clientID: "sup-1", sessionID: "v-4", monitoring: "s-1") == .twoTimer)
        #expect(table.joinSupervisor(clientID: "sup-4", sessionID: "v-5", monitoring: "v-1") == .noActiveAgent, "a supervisor is not an agent")
        #expect(table.entry("s-1")?.supervisors == ["v-1", "v-2"])
        // A supervisor leaving frees its place.
        #expect(table.end("v-1") == [])
        #expect(table.joinSupervisor(clientID: "sup-3", sessionID: "v-3", monitoring: "s-1") == nil)
        #expect(Set(table.end("s-1")) == ["v-2", "v-3"])
        #expect(table.entry("v-2")?.monitoring == "s-1", "the supervisors are ended by the caller")
    }
}

@Suite("RTM URL policy")
struct RTMURLPolicyTests {
    let policy = RTMURLPolicy(prefixes: ["https://hooks.example.com/rtm/", "http://127.0.0.1:9000", "https://Uploads.Example.com/"])

    @Test("URLs under an allowed prefix pass", arguments: [
        "https://hooks.example.com/rtm/session-1", "http://127.0.0.1:9000/put/1", "http://127.0.0.1:9000",
        "HTTPS://uploads.example.com/rec?x=1",
    ])
    func allowed(url: String) {
        #expect(policy.check(url, field: "upload_url") == nil)
    }

    @Test("Everything else is refused, with the field named", arguments: [
        "https://hooks.example.com/other", "https://hooks.example.com.evil.net/rtm/", "http://127.0.0.1:90001/x",
        "http://127.0.0.1:9000@evil.net/", "ftp://hooks.example.com/rtm/", "https://hooks.example.com/rtm/ x", "/relative",
    ])
    func refused(url: String) {
        let why = policy.check(url, field: "webhook_url")
        #expect(why?.hasPrefix("webhook_url") == true, "\(url): \(why ?? "allowed")")
    }

    @Test("No prefixes: no URL")
    func none() {
        #expect(RTMURLPolicy(prefixes: []).check("https://a.example/", field: "upload_url") != nil)
    }
}

@Suite("RTM config")
struct RTMConfigTests {
    @Test("Defaults, and mistakes named with their field")
    func config() throws {
        let defaults = try RTMConfig.decode(yaml: "{}")
        #expect(defaults.path == "/rtm")
        #expect(defaults.maxSupervisors == 3)
        #expect(defaults.allowedURLs.isEmpty)
        let set = try RTMConfig.decode(yaml: "{path: /io, allowed_urls: ['https://h.example/'], token: t, ping_timeout: 5s, max_supervisors: 1}")
        #expect(set.urlPolicy.check("https://h.example/x", field: "u") == nil)
        #expect(set.pingTimeout.value == 5)
        #expect(RTMConfig.diagnostic(yaml: "{path: io}")?.message == "path must start with '/'")
        #expect(RTMConfig.diagnostic(yaml: "{allowed_urls: ['https://']}")?.message.contains("with a host") == true)
        #expect(RTMConfig.diagnostic(yaml: "{allowed_urls: ['hooks.example.com/']}") != nil)
        #expect(RTMConfig.diagnostic(yaml: "{ping_timeout: 0s}") != nil)
        #expect(RTMConfig.diagnostic(yaml: "{max_supervisor: 2}") != nil, "unknown keys are refused")
        // Webhooks to client URLs: a short in-memory schedule by default, replaceable.
        #expect(defaults.webhookRetry.maxAttempts == 6)
        #expect(defaults.webhookRetry.schedule.first?.value == 0)
        let retry = try RTMConfig.decode(yaml: "{webhook_retry: {schedule: [0s, 1s], jitter: 0}}")
        #expect(retry.webhookRetry.maxAttempts == 2)
        #expect(retry.webhookRetry.delay(afterAttempt: 1, retryAfter: nil) == 1)
        #expect(retry.webhookRetry.delay(afterAttempt: 2, retryAfter: nil) == nil)
        #expect(RTMConfig.diagnostic(yaml: "{webhook_retry: {schedule: []}}")?.message.contains("schedule") == true)
    }
}
