import Testing
@testable import JunctionNet

@Suite("WebSocket bearer token")
struct WebSocketAuthorizationTests {
    @Test("Without a token every upgrade passes; with one, only `Bearer <token>` does")
    func bearer() {
        let endpoint = WebSocketEndpoint(path: "/rtm")
        #expect(endpoint.authorizes(nil))
        #expect(endpoint.authorizes("Basic x"))
        endpoint.requireBearerToken("s3cret")
        #expect(endpoint.authorizes("Bearer s3cret"))
        #expect(endpoint.authorizes("bearer s3cret"), "the scheme is case-insensitive")
        #expect(!endpoint.authorizes(nil))
        #expect(!endpoint.authorizes("Bearer s3cre"))
        #expect(!endpoint.authorizes("Bearer s3cret "))
        #expect(!endpoint.authorizes("Bearer S3CRET"), "the token is not")
        #expect(!endpoint.authorizes("Basic s3cret"))
        #expect(!endpoint.authorizes("Bearer"))
        endpoint.requireBearerToken(nil)
        #expect(endpoint.authorizes(nil))
    }
}
