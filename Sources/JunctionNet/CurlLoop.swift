import CCurl
import Dispatch
import Foundation
import Synchronization

/// The process's one libcurl multi handle and the dedicated thread that drives it.
///
/// Threading: started lazily by the first ``HTTPClient`` and shared by all of
/// them for the life of the process. The thread calls `curl_global_init`
/// once, creates the multi handle and loops over `curl_multi_perform`,
/// `curl_multi_info_read` and `curl_multi_poll`; every curl call happens
/// there. Other threads hand work over through ``inbox`` (a locked queue
/// plus `curl_multi_wakeup`). Callbacks only copy bytes; user closures run
/// on each transfer's ``TransferDelivery`` queue, never here, and nothing
/// here blocks except `curl_multi_poll` itself.
///
/// One multi handle means one connection cache: kept-alive connections are
/// reused by every later transfer to the same host, whichever client sends it.
/// Cookies stay per client (each has its own ``CurlShare``).
///
/// `@unchecked Sendable`: the mutable properties below are confined to the
/// curl thread; `inbox` and `ids` are themselves Sendable.
final class CurlLoop: @unchecked Sendable {
    /// The shared loop, started on first use, or why it could not start.
    static let shared: Result<CurlLoop, HTTPClientError> = CurlLoop.start()

    /// How long `curl_multi_poll` waits when curl has no timer of its own sooner.
    static let pollMilliseconds: Int32 = 1000

    let inbox = CurlInbox()
    private let ids = Atomic<UInt64>(0)
    private let threadID = Mutex<pthread_t?>(nil)

    // Curl-thread state.
    private struct Client {
        let share: CurlShare
        let maxConnectionsPerHost: Int
        var transfers: Set<UInt64> = []
    }

    private var multi: UnsafeMutableRawPointer?
    private var clients: [UInt64: Client] = [:]
    private var transfers: [UInt64: CurlEasy] = [:]
    private var transferByHandle: [UnsafeMutableRawPointer: UInt64] = [:]
    private var commandBuffer: [CurlCommand] = []
    /// Transfers finished in this pass, handed over by `flushFinished()`.
    private var finished: [(delivery: TransferDelivery, outcome: Result<HTTPClientResponse, HTTPClientError>)] = []
    private var hostLimit = 0

    private init() {}

    /// A process-unique id for a client or a transfer.
    func nextID() -> UInt64 {
        ids.wrappingAdd(1, ordering: .relaxed).newValue
    }

    // MARK: - From other threads

    /// Runs `body` on the curl thread and waits for its result. Never call on the curl thread.
    func sync<T: Sendable>(_ body: @escaping @Sendable (CurlLoop) -> T) -> T? {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        inbox.send(.run { loop in
            let value = body(loop)
            result.withLock { $0 = value }
            done.signal()
        })
        done.wait()
        return result.withLock { $0.take() }
    }

    /// Runs `body` on the curl thread: waits for it, except when called there
    /// (e.g. a client released by a curl-thread object), where it is queued.
    func run(_ body: @escaping @Sendable (CurlLoop) -> Void) {
        if isCurlThread {
            inbox.send(.run(body))
        } else {
            _ = sync(body)
        }
    }

    private var isCurlThread: Bool {
        threadID.withLock { id in id.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    // MARK: - Curl thread: clients

    /// Creates the client's cookie share and counts its host limit in.
    func register(client id: UInt64, maxConnectionsPerHost: Int) -> Result<Void, HTTPClientError> {
        do {
            clients[id] = Client(share: try CurlShare(), maxConnectionsPerHost: maxConnectionsPerHost)
        } catch {
            return .failure(error)
        }
        updateHostLimit()
        return .success(())
    }

    /// Ends the client's transfers with `.shutdown`, frees their handles, then its share.
    func unregister(client id: UInt64) {
        guard let client = clients.removeValue(forKey: id) else { return }
        for transferID in client.transfers.sorted() {
            guard let easy = detach(transferID) else { continue }
            easy.close()
            easy.delivery.complete(.failure(.shutdown))
        }
        client.share.close()
        updateHostLimit()
    }

    /// The client's cookies, name → value.
    func cookies(client id: UInt64) -> [String: String] {
        clients[id]?.share.cookies() ?? [:]
    }

    /// Idle connections kept for reuse, over all hosts.
    static let idleConnections = 256

    /// CURLMOPT_MAX_HOST_CONNECTIONS is per multi handle: the largest limit among live clients.
    private func updateHostLimit() {
        guard let multi else { return }
        let limit = clients.values.map(\.maxConnectionsPerHost).max() ?? 0
        guard limit > 0, limit != hostLimit else { return }
        hostLimit = limit
        _ = junction_curlm_set_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, limit)
    }

    // MARK: - Curl thread: the loop

    private static func start() -> Result<CurlLoop, HTTPClientError> {
        let loop = CurlLoop()
        let outcome = Mutex<Result<CurlLoop, HTTPClientError>?>(nil)
        let ready = DispatchSemaphore(value: 0)
        let thread = Thread {
            loop.threadMain { result in
                outcome.withLock { $0 = result.map { loop } }
                ready.signal()
            }
        }
        thread.name = "junction-curl"
        thread.stackSize = 1 << 20
        thread.start()
        ready.wait()
        return outcome.withLock { $0 } ?? .failure(.transfer("curl thread ended early"))
    }

    private func threadMain(ready: (Result<Void, HTTPClientError>) -> Void) {
        threadID.withLock { $0 = pthread_self() }
        let initCode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        guard initCode == CURLE_OK else {
            ready(.failure(.transfer("curl_global_init: \(String(cString: curl_easy_strerror(initCode)))")))
            return
        }
        guard let multi = curl_multi_init() else {
            ready(.failure(.transfer("curl_multi_init failed")))
            return
        }
        self.multi = multi
        // One connection cache serves every client of the process: keep
        // enough idle connections that many peers don't evict each other's
        // (curl's default grows with the handles added, from a small start).
        _ = junction_curlm_set_long(multi, CURLMOPT_MAXCONNECTS, Self.idleConnections)
        inbox.attach(multi: multi)
        commandBuffer.reserveCapacity(256)
        ready(.success(()))

        // The multi handle serves the whole process and is never freed.
        while true {
            drainInbox()
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            readMessages(multi)
            if curl_multi_poll(multi, nil, 0, Self.pollMilliseconds, nil) != CURLM_OK {
                // Should not happen; never spin if it does.
                usleep(10_000)
            }
        }
    }

    private func drainInbox() {
        inbox.drain(into: &commandBuffer)
        for command in commandBuffer {
            switch command {
            case .start(let job): start(job)
            case .cancel(let id): cancel(id)
            case .pause(let id): setPaused(id, true)
            case .resume(let id): setPaused(id, false)
            case .run(let body): body(self)
            }
        }
        commandBuffer.removeAll(keepingCapacity: true)
    }

    private func readMessages(_ multi: UnsafeMutableRawPointer) {
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                let id = transferByHandle[handle]
            else { continue }
            finish(id, code: message.pointee.data.result)
        }
        flushFinished()
    }

    /// Hands the transfers that finished in this pass to their queues: one
    /// block per queue, however many transfers share it (a webhook sink's).
    private func flushFinished() {
        guard !finished.isEmpty else { return }
        let done = finished
        finished.removeAll(keepingCapacity: true)
        if done.count == 1 {
            done[0].delivery.complete(done[0].outcome)
            return
        }
        var groups: [ObjectIdentifier: [(delivery: TransferDelivery, outcome: Result<HTTPClientResponse, HTTPClientError>)]] = [:]
        var order: [ObjectIdentifier] = []
        for item in done {
            let key = ObjectIdentifier(item.delivery.queue)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(item)
        }
        for key in order {
            guard let group = groups[key] else { continue }
            group[0].delivery.queue.async {
                for item in group { item.delivery.completeOnQueue(item.outcome) }
            }
        }
    }

    // MARK: - Curl thread: transfers

    private func start(_ job: CurlJob) {
        guard let multi, let client = clients[job.clientID], let share = client.share.handle else {
            job.delivery.complete(.failure(.shutdown))
            return
        }
        guard !job.delivery.isCancelled else {
            job.delivery.complete(.failure(.cancelled))
            return
        }
        let easy: CurlEasy
        do {
            easy = try CurlEasy(job: job, share: share)
        } catch {
            job.delivery.complete(.failure(error))
            return
        }
        guard let handle = easy.handle else {
            job.delivery.complete(.failure(.transfer("no easy handle")))
            return
        }
        let code = curl_multi_add_handle(multi, handle)
        guard code == CURLM_OK else {
            easy.close()
            job.delivery.complete(.failure(.transfer("curl_multi_add_handle: \(String(cString: curl_multi_strerror(code)))")))
            return
        }
        transfers[job.id] = easy
        transferByHandle[handle] = job.id
        clients[job.clientID]?.transfers.insert(job.id)
    }

    /// A finished transfer: take what it produced, free it, report (at the
    /// end of the pass, see ``flushFinished()``).
    private func finish(_ id: UInt64, code: CURLcode) {
        guard let easy = detach(id) else { return }
        let outcome: Result<HTTPClientResponse, HTTPClientError> =
            code == CURLE_OK ? .success(easy.response()) : .failure(easy.error(for: code))
        easy.close()
        finished.append((easy.delivery, outcome))
    }

    private func cancel(_ id: UInt64) {
        guard let easy = detach(id) else { return }
        easy.close()
        easy.delivery.complete(.failure(.cancelled))
    }

    private func setPaused(_ id: UInt64, _ paused: Bool) {
        guard let easy = transfers[id], let handle = easy.handle, easy.paused != paused else { return }
        easy.paused = paused
        _ = paused ? junction_curl_pause_recv(handle) : junction_curl_unpause(handle)
    }

    /// Forgets the transfer and takes its handle out of the multi handle (not yet freed).
    private func detach(_ id: UInt64) -> CurlEasy? {
        guard let easy = transfers.removeValue(forKey: id) else { return nil }
        clients[easy.clientID]?.transfers.remove(id)
        if let handle = easy.handle {
            transferByHandle.removeValue(forKey: handle)
            if let multi { _ = curl_multi_remove_handle(multi, handle) }
        }
        return easy
    }
}
