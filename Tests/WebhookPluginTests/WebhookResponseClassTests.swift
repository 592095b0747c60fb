import JunctionNet
import Testing
import WebhookPlugin

@Suite("Webhook response classes")
struct WebhookResponseClassTests {
    @Test("Statuses: 2xx delivered; 408/409/425/429, 5xx and 3xx retried; other 4xx dead")
    func statusTable() {
        let table: [(Int, WebhookResponseClass)] = [
            (200, .delivered), (201, .delivered), (202, .delivered), (204, .delivered), (299, .delivered),
            (408, .retry), (409, .retry), (425, .retry), (429, .retry),
            (500, .retry), (502, .retry), (503, .retry), (504, .retry), (599, .retry),
            (300, .retry), (301, .retry), (302, .retry), (304, .retry), (307, .retry), (308, .retry),
            (400, .dead), (401, .dead), (403, .dead), (404, .dead), (405, .dead), (410, .dead),
            (413, .dead), (415, .dead), (422, .dead), (426, .dead), (451, .dead), (499, .dead),
            (100, .retry), (0, .retry), (600, .retry), (999, .retry),
        ]
        for (status, expected) in table {
            #expect(WebhookResponseClass(status: status) == expected, "status \(status)")
        }
    }

    @Test("Transport errors retry, except a URL curl cannot use")
    func transportErrors() {
        let table: [(HTTPClientError, WebhookResponseClass)] = [
            (.timeout, .retry), (.connect("refused"), .retry), (.transfer("reset"), .retry),
            (.cancelled, .retry), (.shutdown, .retry), (.invalidURL("ftp://x"), .dead),
        ]
        for (error, expected) in table {
            #expect(WebhookResponseClass(error: error) == expected, "\(error)")
            #expect(WebhookResponseClass(.failure(error)) == expected)
        }
        #expect(WebhookResponseClass(.success(HTTPClientResponse(status: 204, headers: [:], body: []))) == .delivered)
        #expect(WebhookResponseClass(.success(HTTPClientResponse(status: 404, headers: [:], body: []))) == .dead)
        #expect(WebhookResponseClass(.success(HTTPClientResponse(status: 503, headers: [:], body: []))).description == "retry")
    }
}
