import Foundation
@testable import JunctionNet
import Testing

@Suite("HTTPListener health")
struct HTTPListenerHealthTests {
    @Test("/health answers 503 starting while the sources start, 200 ok once they all have")
    func healthFollowsThePipeline() async throws {
        let listener = HTTPListener()
        listener.configure(try ListenConfig(address: "127.0.0.1:0"))
        try listener.start()
        defer { listener.stop() }
        let port = listener.port
        let before = try await onThread { try RawHTTPClient(port: port).roundTrip("GET", "/health") }
        #expect(before.status == 503)
        #expect(before.text == #"{"status":"starting"}"#)
        listener.pipelineStarted()
        let after = try await onThread { try RawHTTPClient(port: port).roundTrip("GET", "/health") }
        #expect(after.status == 200)
        #expect(after.text == #"{"status":"ok"}"#)
    }
}
