/// A handle on one transfer started by ``HTTPClient``: cancel it, or pause
/// and resume a stream for backpressure. Every call is safe from any thread,
/// also from inside the transfer's own closures, and does nothing once the
/// transfer has completed.
///
/// ```swift
/// let task = client.stream(request,
///     onHead: { _, _ in },
///     onLine: { line in edge.push(line) },
///     completion: { result in edge.finish(result) })
/// edge.onFull { task.pause() }              // the server feels it: curl stops reading
/// edge.onBufferedAmountLow { task.resume() }
/// ```
public final class HTTPClientTask: Sendable {
    let id: UInt64
    private let delivery: TransferDelivery
    private let inbox: CurlInbox

    init(id: UInt64, delivery: TransferDelivery, inbox: CurlInbox) {
        self.id = id
        self.delivery = delivery
        self.inbox = inbox
    }

    /// Body bytes curl has received so far (for tests and diagnostics).
    var receivedBytes: Int {
        delivery.receivedBytes.load(ordering: .relaxed)
    }

    /// Stops the transfer and closes its connection; the completion gets
    /// `.cancelled` (unless it already ran) and no line is delivered after this returns.
    ///
    /// ```swift
    /// task.cancel()
    /// ```
    public func cancel() {
        delivery.cancel()
        inbox.send(.cancel(id))
    }

    /// Stops delivering lines at once and has curl stop reading the socket
    /// (`curl_easy_pause(CURLPAUSE_RECV)` on the curl thread), so the sender
    /// feels the backpressure. The request timeout keeps running while paused.
    ///
    /// ```swift
    /// task.pause()
    /// ```
    public func pause() {
        delivery.pause()
        inbox.send(.pause(id))
    }

    /// Delivers what arrived before the pause, in order, and reads on.
    ///
    /// ```swift
    /// task.resume()
    /// ```
    public func resume() {
        delivery.resume()
        inbox.send(.resume(id))
    }
}
