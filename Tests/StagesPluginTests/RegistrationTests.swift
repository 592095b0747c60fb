import Junction
import StagesPlugin
import Testing

@Suite struct RegistrationTests {
    @Test func registersEveryStage() {
        var registry = PluginRegistry()
        StagesPlugin.register(into: &registry)
        let names = registry.types(of: .stage).map(\.name)
        #expect(names == ["batch", "dedupe", "filter", "jq", "rate_limit", "split", "switch", "transform"])
        let jq = registry.type(.stage, "jq")
        #expect(jq?.fields.first?.key == "expr")
        #expect(jq?.fields.first?.required == true)
        #expect(registry.type(.stage, "switch")?.fields.map(\.key) == ["cases", "default", "first_match"])
    }
}
