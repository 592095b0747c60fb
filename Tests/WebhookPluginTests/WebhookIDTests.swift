import Testing
import WebhookPlugin

@Suite("Webhook ids")
struct WebhookIDTests {
    @Test("msg_ and 26 lowercase Crockford base32 characters, all different")
    func shapeAndUniqueness() {
        let alphabet = Set("0123456789abcdefghjkmnpqrstvwxyz")
        var seen = Set<WebhookID>()
        for _ in 0..<20_000 {
            let id = WebhookID.random()
            #expect(id.rawValue.hasPrefix("msg_"))
            #expect(id.rawValue.count == 30)
            #expect(id.rawValue.dropFirst(4).allSatisfy(alphabet.contains))
            seen.insert(id)
        }
        #expect(seen.count == 20_000)
        // Every symbol turns up.
        let symbols = Set(seen.flatMap { $0.rawValue.dropFirst(4) })
        #expect(symbols == alphabet)
    }

    @Test("The generator is injectable")
    func injectable() {
        var zero = FixedGenerator(value: 0)
        #expect(WebhookID.random(using: &zero).description == "msg_" + String(repeating: "0", count: 26))
        #expect(WebhookID(rawValue: "msg_x").rawValue == "msg_x")
    }

    @Test("The fast generator gives distinct, well-spread ids, and two of them differ")
    func fastGenerator() {
        var a = WebhookID.Generator(), b = WebhookID.Generator()
        var seen = Set<WebhookID>()
        for _ in 0..<20_000 { seen.insert(WebhookID.random(using: &a)) }
        #expect(seen.count == 20_000)
        #expect(Set(seen.flatMap { $0.rawValue.dropFirst(4) }).count == 32)
        #expect(WebhookID.random(using: &a) != WebhookID.random(using: &b))
    }
}
