import Testing
@testable import JunctionNet

@Suite("HTTPHeaders")
struct HTTPHeadersTests {
    @Test("Lookups ignore ASCII case; names are stored lowercased in order")
    func caseInsensitive() {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        headers.add("X-Trace", "abc")
        headers.add("x-trace", "second")
        #expect(headers["content-type"] == "application/json")
        #expect(headers["CONTENT-TYPE"] == "application/json")
        #expect(headers["X-TRACE"] == "abc")
        #expect(headers.map(\.name) == ["content-type", "x-trace", "x-trace"])
        #expect(headers.count == 3)
    }

    @Test("Names of another length or spelling do not match")
    func mismatches() {
        let headers: HTTPHeaders = ["cookie": "a=1"]
        #expect(headers["cookies"] == nil)
        #expect(headers["cooki"] == nil)
        #expect(headers["cookie "] == nil)
        #expect(headers["Cookíe"] == nil)
        #expect(HTTPHeaders().isEmpty)
        #expect(HTTPHeaders()["cookie"] == nil)
    }

    @Test("A request's header(_:) reads its headers")
    func requestHeader() {
        let request = HTTPRequest(method: "GET", path: "/", headers: ["Cookie": "JSESSIONID=x"])
        #expect(request.header("cookie") == "JSESSIONID=x")
        #expect(request.header("Cookie") == "JSESSIONID=x")
        #expect(request.header("host") == nil)
    }
}
