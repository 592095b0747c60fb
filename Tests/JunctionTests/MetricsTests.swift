import CoreMetrics
import Foundation
import Testing
@testable import Junction

/// swift-metrics can be bootstrapped once per process: every test that reads metrics shares this store.
let sharedMetrics: MetricsStore = {
    let store = MetricsStore()
    MetricsSystem.bootstrap(store)
    return store
}()

@Suite struct MetricsTests {
    @Test func countersAndGaugesPerComponentAndEdge() throws {
        let store = sharedMetrics
        let t = TestComponents()
        t.sources["m_src"] = CountingSource(count: 1_000, batchSize: 100, payloadSize: 50)
        let stalled = CollectingSink(stalled: true)
        t.sinks["m_out"] = stalled
        let pipeline = try t.pipeline("""
            sources: { m_src: { type: test } }
            sinks: { m_out: { type: test } }
            routes:
              - { name: m_route, from: m_src, to: m_out, when_full: drop_newest, high_water: 10KiB }
            """)
        try pipeline.start()
        let deadline = Date().addingTimeInterval(10)
        while store.value("junction_messages_total", [("component", "m_src"), ("kind", "source")]) != 1_000, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(store.value("junction_messages_total", [("component", "m_src"), ("kind", "source")]) == 1_000)
        #expect(store.value("junction_bytes_total", [("component", "m_src"), ("kind", "source")]) == 50_000)
        Thread.sleep(forTimeInterval: 0.2)
        let edge = pipeline.edges(into: "m_out")[0]
        let dropped = store.total("junction_dropped_total", matching: [("edge", "m_route→m_out")]) + store.total("junction_dropped_total", matching: [("edge", "m_route→stages")])
        #expect(dropped > 0)
        #expect(Int(dropped) == edge.droppedMessages + pipeline.inlets[0].droppedMessages)
        #expect(store.value("junction_buffered_amount_bytes", [("edge", "m_route→m_out")]) == Double(edge.bufferedAmount))
        stalled.unstall()
        #expect(waitFinished(pipeline))
        #expect(store.value("junction_messages_total", [("component", "m_out"), ("kind", "sink")]) == Double(stalled.messages.count))
        #expect(store.value("junction_buffered_amount_bytes", [("edge", "m_route→m_out")]) == 0)
        let text = store.prometheusText()
        #expect(text.contains("# TYPE junction_messages_total counter"))
        #expect(text.contains("junction_messages_total{component=\"m_src\",kind=\"source\"} 1000"))
        #expect(text.contains("# TYPE junction_buffered_amount_bytes gauge"))
    }
}
