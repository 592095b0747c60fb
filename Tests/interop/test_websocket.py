"""WebSocket source and sink against a real `junction run`, with the PyPI
`websockets` library as the peer: echo routes, fan-in, text and binary,
oversized messages (1009), a slow consumer under `when_full: block`, and
client mode against a Python server that restarts."""
import asyncio
import json
import re
import time
import urllib.request

import pytest
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

from conftest import log_tail, start_junction, wait_healthy
from webhook_peers import free_port


def metric(port, name, component):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    m = re.search(rf'^{name}\{{component="{component}"\}} (\d+)$', text, re.M)
    return int(m.group(1)) if m else None


def echo_config(port, extra=""):
    return (f"listen: 127.0.0.1:{port}\n"
            "sources:\n"
            f"  ws_in: {{ type: websocket, path: /ws{extra} }}\n"
            "sinks:\n"
            "  ws_out: { type: websocket, path: /ws }\n"
            "routes:\n"
            "  - { from: [ws_in], to: [ws_out] }\n")


def test_source_metadata_names_the_connection_the_path_and_the_kind(junction):
    port = free_port()
    junction(f"listen: 127.0.0.1:{port}\n"
             "sources:\n"
             "  ws_in: { type: websocket, path: /ws }\n"
             "stages:\n"
             "  describe: { type: transform, template: '{{meta.type}} {{meta.path}} {{meta.remote_address}} {{meta.connection_id}}' }\n"
             "sinks:\n"
             "  ws_out: { type: websocket, path: /ws }\n"
             "routes:\n"
             "  - { from: ws_in, via: [describe], to: ws_out }\n")

    async def main():
        url = f"ws://127.0.0.1:{port}/ws"
        async with connect(url) as a, connect(url) as b:
            # Interleaved, so one batch of the source holds both connections.
            for i in range(20):
                await a.send(f"a{i}" if i % 2 else bytes([i]))
                await b.send(f"b{i}")
            seen = {}
            for ws, name in [(a, "a"), (b, "b")]:
                lines = [await asyncio.wait_for(ws.recv(), 10) for _ in range(20)]
                kinds = [line.split(" ")[0] for line in lines]
                assert kinds == (["binary", "text"] * 10 if name == "a" else ["text"] * 20)
                assert {line.split(" ")[1] for line in lines} == {"/ws"}
                host, port_ = ws.local_address[:2]
                assert {line.split(" ")[2] for line in lines} == {f"{host}:{port_}"}
                ids = {line.split(" ")[3] for line in lines}
                assert len(ids) == 1 and ids.pop().isdigit()
                seen[name] = lines[0].split(" ")[3]
            assert seen["a"] != seen["b"]

    asyncio.run(main())


def test_echo_text_and_binary_back_to_the_sender_only(junction):
    port = free_port()
    junction(echo_config(port))

    async def main():
        url = f"ws://127.0.0.1:{port}/ws"
        async with connect(url) as a, connect(url) as b:
            await a.send("héllo")
            assert await asyncio.wait_for(a.recv(), 10) == "héllo"
            await a.send(b"\x00\x01\xff")
            got = await asyncio.wait_for(a.recv(), 10)
            assert got == b"\x00\x01\xff" and isinstance(got, bytes)
            # b's first message is its own echo: nothing of a's reached it.
            await b.send("from b")
            assert await asyncio.wait_for(b.recv(), 10) == "from b"
            # Many messages keep their order and kinds.
            sent = [f"t{i}" if i % 3 else bytes([i % 256]) * (i + 1) for i in range(300)]
            for m in sent:
                await a.send(m)
            echoed = [await asyncio.wait_for(a.recv(), 10) for _ in sent]
            assert echoed == sent

    asyncio.run(main())


def test_fan_in_from_three_clients(junction):
    port = free_port()
    junction(f"listen: 127.0.0.1:{port}\n"
             "sources:\n"
             "  ws_in: { type: websocket, path: /in }\n"
             "sinks:\n"
             "  ws_out: { type: websocket, path: /out }\n"
             "routes:\n"
             "  - { from: [ws_in], to: [ws_out] }\n")
    per_client = 200

    async def main():
        async with connect(f"ws://127.0.0.1:{port}/out") as listener:
            async def produce(k):
                async with connect(f"ws://127.0.0.1:{port}/in") as ws:
                    for i in range(per_client):
                        await ws.send(json.dumps({"client": k, "n": i}))
                    # Leave only after Junction has read everything (it echoes nothing here).
                    await ws.close()

            producers = asyncio.gather(*(produce(k) for k in range(3)))
            got = []
            while len(got) < 3 * per_client:
                got.append(json.loads(await asyncio.wait_for(listener.recv(), 20)))
            await producers
            return got

    got = asyncio.run(main())
    assert len(got) == 3 * per_client
    for k in range(3):
        assert [m["n"] for m in got if m["client"] == k] == list(range(per_client)), f"client {k} out of order or incomplete"


def test_oversized_message_closes_with_1009_and_is_counted(junction):
    port = free_port()
    junction(echo_config(port, ", max_message_size: 1KiB"))

    async def main():
        async with connect(f"ws://127.0.0.1:{port}/ws") as ws:
            await ws.send(b"x" * 1024)  # exactly the limit passes
            assert await asyncio.wait_for(ws.recv(), 10) == b"x" * 1024
            await ws.send("y" * 1025)
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
        # The others are still served.
        async with connect(f"ws://127.0.0.1:{port}/ws") as ws:
            await ws.send("still here")
            assert await asyncio.wait_for(ws.recv(), 10) == "still here"

    asyncio.run(main())
    deadline = time.monotonic() + 10
    while metric(port, "junction_websocket_oversized_total", "ws_in") != 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert metric(port, "junction_websocket_oversized_total", "ws_in") == 1


def test_slow_consumer_with_when_full_block_loses_nothing(junction):
    """The consumer stops reading: Junction's sink waits on the connection's
    bufferedAmount, the route fills and pauses the source, the source stops
    reading its socket, and the producer's own sends block. Then the consumer
    reads: every message arrives, in order."""
    port = free_port()
    junction(f"listen: 127.0.0.1:{port}\n"
             "sources:\n"
             "  ws_in: { type: websocket, path: /in }\n"
             "sinks:\n"
             "  ws_out: { type: websocket, path: /out, high_water_mark: 64KiB }\n"
             "routes:\n"
             "  - { from: [ws_in], to: [ws_out], when_full: block, high_water: 64KiB }\n")
    total = 4000
    size = 8192

    async def main():
        # max_queue=4: the consumer's library stops reading its socket after 4 unread messages.
        async with connect(f"ws://127.0.0.1:{port}/out", max_queue=4, max_size=None) as consumer, \
                connect(f"ws://127.0.0.1:{port}/in", max_size=None) as producer:
            progress = {"sent": 0}

            async def produce():
                for i in range(total):
                    await producer.send(i.to_bytes(4, "big") * (size // 4))
                    progress["sent"] = i + 1

            task = asyncio.create_task(produce())
            # Wait until the producer makes no progress for a second.
            last, still_since = -1, time.monotonic()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not task.done():
                await asyncio.sleep(0.1)
                if progress["sent"] != last:
                    last, still_since = progress["sent"], time.monotonic()
                elif time.monotonic() - still_since >= 1.0:
                    break
            blocked_at = progress["sent"]
            assert not task.done() and blocked_at < total, \
                f"the producer was never held back (sent {blocked_at} of {total})"
            received = []
            while len(received) < total:
                m = await asyncio.wait_for(consumer.recv(), 30)
                received.append(int.from_bytes(m[:4], "big"))
                assert m == m[:4] * (size // 4)
            await asyncio.wait_for(task, 30)
            return blocked_at, received

    blocked_at, received = asyncio.run(main())
    assert received == list(range(total)), "messages lost or reordered"
    assert blocked_at < total


class RestartingServer:
    """A Python websockets server on a fixed port that can be stopped and
    started again; it records the handshake headers and what it receives,
    and sends `greeting` messages to every client that connects."""

    def __init__(self, port):
        self.port = port
        self.server = None
        self.headers = []
        self.received = []
        self.connections = 0
        self.greeting = []

    async def handler(self, ws):
        self.connections += 1
        self.headers.append(ws.request.headers)  # case-insensitive
        for m in self.greeting:
            await ws.send(m)
        async for m in ws:
            self.received.append(m)

    async def start(self):
        self.server = await serve(self.handler, "127.0.0.1", self.port)

    async def stop(self):
        self.server.close()
        await self.server.wait_closed()


async def until(condition, timeout=20):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


def test_client_mode_reconnects_to_a_restarting_server(junction):
    port = free_port()
    upstream = free_port()
    url = f"ws://127.0.0.1:{upstream}/feed"
    client = (f'{{ type: websocket, url: "{url}", headers: {{ Authorization: "Bearer s3cret" }}, '
              'reconnect_delay: 50ms, max_reconnect_delay: 500ms }')
    config = (f"listen: 127.0.0.1:{port}\n"
              "sources:\n"
              f"  feed: {client}\n"
              "  ws_in: { type: websocket, path: /in }\n"
              "sinks:\n"
              f"  up: {client}\n"
              "  ws_out: { type: websocket, path: /out }\n"
              "routes:\n"
              "  - { from: [feed], to: [ws_out] }\n"
              "  - { from: [ws_in], to: [up] }\n")

    async def main():
        server = RestartingServer(upstream)
        server.greeting = [f"a{i}" for i in range(10)] + [b"\x01\x02"]
        await server.start()
        proc = junction(config)
        try:
            await until(lambda: server.connections == 1)
            assert server.headers[0].get("Authorization") == "Bearer s3cret"
            async with connect(f"ws://127.0.0.1:{port}/out") as out, connect(f"ws://127.0.0.1:{port}/in") as inp:
                # The greeting may have passed before `out` connected; a sentinel round trip settles it.
                await inp.send("ping-1")
                await until(lambda: "ping-1" in server.received)

                await server.stop()
                server.greeting = [f"b{i}" for i in range(10)]
                await asyncio.sleep(0.3)  # let Junction fail some attempts while the server is down
                await inp.send("while-down")  # queued in Junction until it reconnects
                await server.start()
                await until(lambda: server.connections == 2)
                assert server.headers[1].get("Authorization") == "Bearer s3cret"
                got = []
                while len(got) < 10:
                    got.append(await asyncio.wait_for(out.recv(), 20))
                assert got == [f"b{i}" for i in range(10)]
                await until(lambda: "while-down" in server.received)
                await inp.send("after")
                await until(lambda: "after" in server.received)
        finally:
            if proc.poll() is not None:
                print(log_tail(proc))
            await server.stop()

    asyncio.run(main())


def self_signed(tmp_path):
    """A throwaway certificate for 127.0.0.1 / localhost (PEM files) and its key."""
    import datetime
    import ipaddress
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_wss_both_ways(junction_bin, tmp_path):
    """Junction serves wss on a TLS listener, and connects out to a wss server."""
    import ssl
    cert, key = self_signed(tmp_path)
    port, upstream = free_port(), free_port()
    path = tmp_path / "routes.yaml"
    path.write_text(f"listen: {{ address: 127.0.0.1:{port}, tls: {{ cert: {cert}, key: {key} }} }}\n"
                    "sources:\n"
                    "  ws_in: { type: websocket, path: /ws }\n"
                    "sinks:\n"
                    f'  up: {{ type: websocket, url: "wss://127.0.0.1:{upstream}/tls", insecure: true }}\n'
                    "routes:\n"
                    "  - { from: [ws_in], to: [up] }\n")

    async def main():
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(cert, key)
        server = RestartingServer(upstream)
        server.server = await serve(server.handler, "127.0.0.1", upstream, ssl=server_ctx)
        proc = start_junction(junction_bin, path)
        try:
            client_ctx = ssl.create_default_context(cafile=str(cert))
            deadline = time.monotonic() + 15
            while True:  # until Junction listens
                try:
                    async with connect(f"wss://127.0.0.1:{port}/ws", ssl=client_ctx) as ws:
                        await ws.send("over tls")
                        await ws.send(b"\x00binary")
                        await ws.close()
                        break
                except OSError:
                    assert proc.poll() is None, log_tail(proc)
                    assert time.monotonic() < deadline, "junction did not serve wss in time"
                    await asyncio.sleep(0.1)
            await until(lambda: server.received == ["over tls", b"\x00binary"])
            assert server.connections == 1
        finally:
            proc.terminate()
            proc.wait(timeout=20)
            await server.stop()

    asyncio.run(main())
