import Dispatch
import Junction
import JunctionNet
import Logging
import Testing
@testable import RTMPlugin

@Suite("RTM server lifecycle")
struct RTMServerLifecycleTests {
    /// Its queue waits (suspended) from init until start: a server made for a
    /// routes file and never started (`junction validate`, a config error
    /// elsewhere) must still go away cleanly, as must one that was stopped
    /// without being started.
    @Test("A server that never started is released, or stopped, without a crash")
    func neverStarted() throws {
        let services = ServiceRegistry()
        let config = try RTMConfig.decode(yaml: "{path: /rtm}")
        weak var released: RTMServer?
        do {
            let server = RTMServer(config: config, services: services, listener: HTTPListener(services: services),
                                   recordings: "/tmp", logger: Logger(label: "test"))
            released = server
        }
        #expect(released == nil)

        let stopped = RTMServer(config: config, services: services, listener: HTTPListener(services: services),
                                recordings: "/tmp", logger: Logger(label: "test"))
        stopped.stop()
        stopped.stop()
    }
}
