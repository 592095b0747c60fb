import Foundation
import Testing
@testable import Junction

final class RecordingService: LifecycleService, @unchecked Sendable {
    private let lock = NSLock()
    private var _events: [String] = []
    var events: [String] { lock.withLock { _events } }
    func start() throws { lock.withLock { _events.append("start") } }
    func pipelineStarted() { lock.withLock { _events.append("pipelineStarted") } }
    func stop() { lock.withLock { _events.append("stop") } }
}

struct ServiceSectionConfig: ComponentConfig {
    var name = ""
    static let fields: [ConfigField<ServiceSectionConfig>] = [.field("name", \.name, "A name.", required: true)]
}

@Suite struct LifecycleTests {
    func registry() -> PluginRegistry {
        var r = testRegistry()
        r.registerSection("service", config: ServiceSectionConfig.self, doc: "A test service.") { _, services in
            _ = services.shared(RecordingService.self) { RecordingService() }
        }
        return r
    }

    @Test func sectionsOnlyNeedNoRoutesAndServicesFollowThePipeline() throws {
        let services = ServiceRegistry()
        let graph = try GraphBuilder(registry: registry(), environment: ConfigEnvironment([:]), services: services)
            .load(yaml: "service: { name: x }\n")
        #expect(graph.routes.isEmpty)
        #expect(services.hasLifecycleServices)
        let pipeline = try Pipeline(graph: graph, services: services)
        try pipeline.start()
        let service = services.existing(RecordingService.self)!
        #expect(service.events == ["start", "pipelineStarted"])
        let done = DispatchSemaphore(value: 0)
        pipeline.shutdown(timeout: 5) { _ in done.signal() }
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(service.events == ["start", "pipelineStarted", "stop"])
    }

    @Test func sectionMistakesAreReportedAndEmptyFilesNeedRoutes() {
        do {
            _ = try GraphBuilder(registry: registry(), environment: ConfigEnvironment([:])).load(yaml: "service: { nam: x }\n", file: "s.yaml")
            Issue.record("expected errors")
        } catch let e as ConfigErrors {
            let text = e.description
            #expect(text.contains("missing required key 'name' in 'service' at s.yaml:1:10"))
            #expect(text.contains("unknown key 'nam' in 'service' at s.yaml:1:12; did you mean 'name'?"))
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(errors("sources: {}\n").contains { $0.hasPrefix("no routes declared") })
    }
}
