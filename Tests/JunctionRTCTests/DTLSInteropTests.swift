import Dispatch
import Foundation
import Synchronization
import Testing
@testable import JunctionRTC

#if canImport(Glibc)
import Glibc
#endif

/// DTLSTransport against the openssl CLI (`s_server -dtls1_2` / `s_client
/// -dtls1_2`) over real UDP sockets on 127.0.0.1.
@Suite("DTLS interop with the openssl CLI", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")))
struct DTLSInteropTests {
    @Test("Our client connects to s_server, negotiates SRTP, exchanges data and closes")
    func clientToSServer() async throws {
        let peer = try OpenSSLPeer()
        let port = try UDPTestSocket.freePort()
        let server = try peer.launch(["s_server", "-dtls1_2", "-port", "\(port)", "-Verify", "1", "-use_srtp", "SRTP_AES128_CM_SHA1_80"])
        defer { server.stop() }
        #expect(await server.waitFor("ACCEPT"))

        let end = try DTLSEndpoint(role: .client, peerFingerprint: peer.fingerprint, socket: UDPTestSocket(connectTo: port))
        end.start()
        #expect(await end.wait { end.state == .connected }, "\(end.state)")
        #expect(end.queue.sync { end.transport.selectedSRTPProfile?.name } == "SRTP_AES128_CM_SHA1_80")

        try end.queue.sync { try end.transport.write(Array("ping from junction\n".utf8)) }
        #expect(await server.waitFor("ping from junction"))
        server.send("pong from openssl\n")
        #expect(await end.wait { end.received.contains(Array("pong from openssl\n".utf8)) })

        end.queue.sync { end.transport.close() }
        #expect(await server.waitFor("DONE"), "s_server saw close_notify")
    }

    @Test("Without use_srtp the handshake completes but the transport fails: WebRTC needs an SRTP profile")
    func noSRTP() async throws {
        let peer = try OpenSSLPeer()
        let port = try UDPTestSocket.freePort()
        let server = try peer.launch(["s_server", "-dtls1_2", "-port", "\(port)", "-Verify", "1"])
        defer { server.stop() }
        #expect(await server.waitFor("ACCEPT"))
        let end = try DTLSEndpoint(role: .client, peerFingerprint: peer.fingerprint, socket: UDPTestSocket(connectTo: port))
        end.start()
        #expect(await end.wait { end.state != .connecting })
        #expect(end.state == .failed(.noSRTPProfile))
    }

    @Test("s_client connects to our server and both directions carry data")
    func sClientToServer() async throws {
        let peer = try OpenSSLPeer()
        let socket = try UDPTestSocket(connectTo: nil)
        let end = try DTLSEndpoint(role: .server, peerFingerprint: peer.fingerprint, socket: socket)
        end.start()
        let client = try peer.launch([
            "s_client", "-dtls1_2", "-connect", "127.0.0.1:\(socket.port)", "-use_srtp", "SRTP_AEAD_AES_128_GCM", "-quiet",
        ])
        defer { client.stop() }
        #expect(await end.wait { end.state == .connected }, "\(end.state)")
        #expect(end.queue.sync { end.transport.selectedSRTPProfile?.name } == "SRTP_AEAD_AES_128_GCM")
        client.send("hello from s_client\n")
        #expect(await end.wait { end.received.contains(Array("hello from s_client\n".utf8)) })
        try end.queue.sync { try end.transport.write(Array("hello from junction\n".utf8)) }
        #expect(await client.waitFor("hello from junction"))
    }
}

/// A certificate and key in a temporary directory, made by the openssl
/// CLI, and the processes that use them.
private struct OpenSSLPeer {
    let directory: URL
    let fingerprint: DTLSFingerprint

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dtls-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Self.run([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=openssl",
            "-keyout", directory.appendingPathComponent("key.pem").path, "-out", directory.appendingPathComponent("cert.pem").path,
        ])
        let der = directory.appendingPathComponent("cert.der")
        try Self.run(["x509", "-in", directory.appendingPathComponent("cert.pem").path, "-outform", "DER", "-out", der.path])
        fingerprint = try DTLSFingerprint(certificateDER: Array(try Data(contentsOf: der)))
    }

    /// Starts `openssl <arguments> -cert … -key …` with piped stdin and output.
    func launch(_ arguments: [String]) throws -> OpenSSLProcess {
        try OpenSSLProcess(
            arguments + ["-cert", directory.appendingPathComponent("cert.pem").path, "-key", directory.appendingPathComponent("key.pem").path])
    }

    private static func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw OpenSSLError(function: "openssl \(arguments[0])", reason: "exit status \(process.terminationStatus)") }
    }
}

/// A running openssl command whose output is collected as it comes.
private final class OpenSSLProcess: Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Mutex("")

    init(_ arguments: [String]) throws {
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            self?.output.withLock { $0 += text }
        }
        try process.run()
    }

    func send(_ line: String) { input.fileHandleForWriting.write(Data(line.utf8)) }

    func waitFor(_ text: String) async -> Bool {
        await eventually { output.withLock { $0.contains(text) } }
    }

    /// SIGKILL: s_server and s_client blocked in their loops may not act on SIGTERM.
    func stop() {
        try? input.fileHandleForWriting.close()
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// A DTLSTransport on a UDP socket, recording what it receives.
private final class DTLSEndpoint: Sendable {
    let queue = DispatchQueue(label: "test.dtls.udp")
    let transport: DTLSTransport
    let socket: UDPTestSocket
    private let packets = Mutex<[[UInt8]]>([])

    init(role: DTLSTransport.Role, peerFingerprint: DTLSFingerprint, socket: UDPTestSocket) throws {
        self.socket = socket
        transport = try DTLSTransport(
            role: role, certificate: try DTLSCertificate(), remoteFingerprints: [peerFingerprint], queue: queue,
            handshakeTimeout: .seconds(10)
        ) { datagram in socket.send(datagram) }
        queue.sync {
            transport.onData = { [weak self] packet in self?.packets.withLock { $0.append(packet) } }
        }
    }

    var state: DTLSTransport.State { queue.sync { transport.state } }
    var received: [[UInt8]] { packets.withLock { $0 } }

    func start() {
        let transport = self.transport
        socket.startReading(on: queue) { transport.receive(datagram: $0) }
        queue.sync { transport.start() }
    }

    func wait(until condition: () -> Bool) async -> Bool {
        await eventually(condition)
    }
}

/// A non-blocking UDP socket on 127.0.0.1: connected to `port`, or bound to
/// a free port and connected to whoever sends first.
private final class UDPTestSocket: @unchecked Sendable {
    let descriptor: Int32
    let port: UInt16
    private var connected: Bool
    private var source: (any DispatchSourceRead)?

    init(connectTo remote: UInt16?) throws {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var local = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        var address = Self.loopback(port: remote ?? 0)
        guard Self.call(descriptor, &local, Glibc.bind) == 0,
            withUnsafeMutablePointer(to: &local, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }) == 0,
            remote == nil || Self.call(descriptor, &address, Glibc.connect) == 0
        else {
            close(descriptor)
            throw POSIXError(.EIO)
        }
        _ = fcntl(descriptor, F_SETFL, O_NONBLOCK)
        self.descriptor = descriptor
        port = UInt16(bigEndian: local.sin_port)
        connected = remote != nil
    }

    deinit {
        source?.cancel()
        if source == nil { close(descriptor) }
    }

    /// A port that was free a moment ago.
    static func freePort() throws -> UInt16 {
        let probe = try UDPTestSocket(connectTo: nil)
        return probe.port
    }

    func send(_ datagram: [UInt8]) {
        _ = datagram.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }
    }

    /// Reads every datagram on `queue`; connects to the first sender.
    func startReading(on queue: DispatchQueue, _ deliver: @escaping ([UInt8]) -> Void) {
        let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
        let descriptor = self.descriptor
        source.setEventHandler { [weak self] in
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                var from = sockaddr_in()
                var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                let count = buffer.withUnsafeMutableBytes { raw in
                    withUnsafeMutablePointer(to: &from) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(descriptor, raw.baseAddress, raw.count, 0, $0, &length) }
                    }
                }
                if count < 0 { return }  // EAGAIN (or ECONNREFUSED before the peer listens)
                if let self, !self.connected {
                    self.connected = true
                    _ = Self.call(descriptor, &from, Glibc.connect)
                }
                deliver(Array(buffer[0..<count]))
            }
        }
        source.setCancelHandler { close(descriptor) }
        source.resume()
        self.source = source
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    private static func call(
        _ descriptor: Int32, _ address: inout sockaddr_in, _ function: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32
    ) -> Int32 {
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { function(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}
