"""Junction's WebRTC data channels against aiortc 1.16: offer/answer over
POST /rtc/offer, ICE-lite, DTLS, SCTP and DCEP, then the routes of the graph
(an echo route sends each message back to the channel it came from)."""
import asyncio
import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from rtc_peer import Inbox, connect, wait_open
from conftest import wait_healthy
from test_xrtc import free_port


CONFIG = """\
listen: 127.0.0.1:${PORT}
rtc:
  addresses: [127.0.0.1]
sources:
  chat_in: { type: datachannel, label: chat }
  bulk_in: { type: datachannel, label: bulk }
  fixed_in: { type: datachannel, label: fixed, id: 100 }
  push_a_in: { type: datachannel, label: push-a, open: true }
  push_b_in: { type: datachannel, label: push-b, open: true }
  push_c_in: { type: datachannel, label: push-c, open: true }
sinks:
  chat_out: { type: datachannel, label: chat }
  bulk_out: { type: datachannel, label: bulk }
  fixed_out: { type: datachannel, label: fixed, id: 100 }
routes:
  - { from: chat_in, to: chat_out }
  - { from: bulk_in, to: bulk_out }
  - { from: fixed_in, to: fixed_out }
  - { from: [push_a_in, push_b_in, push_c_in], to: chat_out }
"""


@pytest.fixture(scope="module")


def rtc(junction_bin, tmp_path_factory):
    port = free_port()
    cfg = tmp_path_factory.mktemp("rtc") / "routes.yaml"
    cfg.write_text(CONFIG)
    log = open(cfg.parent / "junction.log", "w+")
    proc = subprocess.Popen([junction_bin, "run", str(cfg)], env=dict(os.environ, PORT=str(port)), stderr=log)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, proc)
    yield {"base": base, "proc": proc, "log": log}
    proc.terminate()
    proc.wait(timeout=15)


def metric(base, name):
    text = urllib.request.urlopen(base + "/metrics", timeout=5).read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total

async def eventually(predicate, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return predicate()


def run(coro, timeout=90):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def test_chat_echo(rtc):
    async def go():
        pc, (chat,), session = await connect(rtc["base"])
        assert session
        assert chat.id % 2 == 1, "Junction answers setup:active, so aiortc (DTLS server) uses odd ids"
        inbox = Inbox(chat)
        for i in range(20):
            chat.send(f"ping {time.monotonic_ns()} {i}")
            reply = await inbox.get()
            assert reply.startswith("ping ") and reply.endswith(f" {i}")
        assert pc.sctp.transport.state == "connected"
        await pc.close()
    run(go())


def test_plain_sdp_offer(rtc):
    async def go():
        pc, (chat,), _ = await connect(rtc["base"], as_json=False)
        inbox = Inbox(chat)
        chat.send("over application/sdp")
        assert await inbox.get() == "over application/sdp"
        await pc.close()
    run(go())


def test_many_channels_stay_apart(rtc):
    async def go():
        specs = [{"label": "chat", "protocol": f"p{i}"} for i in range(10)]
        pc, channels, _ = await connect(rtc["base"], channels=specs)
        assert len({ch.id for ch in channels}) == 10
        inboxes = [Inbox(ch) for ch in channels]
        for i, ch in enumerate(channels):
            ch.send(f"to {i}")
        for i, inbox in enumerate(inboxes):
            assert await inbox.get() == f"to {i}"
        for inbox in inboxes:
            assert inbox.queue.empty()
        await pc.close()
    run(go())


def test_binary_text_and_empty_messages(rtc):
    async def go():
        pc, (chat,), _ = await connect(rtc["base"])
        inbox = Inbox(chat)
        for message in [b"\x00\x01binary", "", b"", "text é ✓", bytes(range(256))]:
            chat.send(message)
            got = await inbox.get()
            assert got == message and type(got) is type(message)
        await pc.close()
    run(go())


@pytest.mark.parametrize("spec", [
    {"label": "chat", "ordered": False, "maxPacketLifeTime": 500},
    {"label": "chat", "ordered": False, "maxRetransmits": 0},
    {"label": "chat", "maxRetransmits": 3},
])


def test_partial_reliability(rtc, spec):
    async def go():
        pc, (chat,), _ = await connect(rtc["base"], channels=[spec])
        assert chat.ordered == spec.get("ordered", True)
        inbox = Inbox(chat)
        sent = {f"m{i}" for i in range(50)}
        for m in sorted(sent):
            chat.send(m)
        got = {await inbox.get() for _ in sent}  # loopback loses nothing
        assert got == sent
        await pc.close()
    run(go())


def test_one_megabyte_each_way_paced_by_buffered_amount(rtc):
    async def go():
        pc, (bulk,), _ = await connect(rtc["base"], channels=[{"label": "bulk"}])
        data = os.urandom(1 << 20)
        inbox = Inbox(bulk)
        bulk.bufferedAmountLowThreshold = 64 * 1024
        low = asyncio.Event()
        bulk.on("bufferedamountlow", low.set)
        for off in range(0, len(data), 16 * 1024):
            if bulk.bufferedAmount > 256 * 1024:
                low.clear()
                await asyncio.wait_for(low.wait(), 10)
            bulk.send(data[off:off + 16 * 1024])
        back = bytearray()
        while len(back) < len(data):
            back += await inbox.get()
        assert hashlib.sha256(back).digest() == hashlib.sha256(data).digest()
        await pc.close()
    run(go())


def test_message_size_limit(rtc):
    async def go():
        pc, (bulk,), _ = await connect(rtc["base"], channels=[{"label": "bulk"}])
        assert pc.sctp._remote_max_message_size == 262144  # what our answer advertised
        inbox = Inbox(bulk)
        big = os.urandom(262144)
        bulk.send(big)
        assert await inbox.get(timeout=20) == big
        with pytest.raises(ValueError):
            bulk.send(os.urandom(262145))
        await pc.close()
    run(go())


def test_channels_junction_opens(rtc):
    """Three labels with open: true: every session gets them from Junction
    (DCEP, even stream ids 0/2/4 since Junction is the DTLS client)."""
    async def go():
        theirs = {}
        pc, (chat,), _ = await connect(
            rtc["base"], prepare=lambda pc: pc.on("datachannel", lambda ch: theirs.__setitem__(ch.label, ch)))
        assert await eventually(lambda: len(theirs) == 3 and all(c.readyState == "open" for c in theirs.values()))
        assert sorted(c.id for c in theirs.values()) == [0, 2, 4]
        assert set(theirs) == {"push-a", "push-b", "push-c"}
        inbox = Inbox(chat)
        theirs["push-b"].send("into a channel Junction opened")
        assert await inbox.get() == "into a channel Junction opened"
        await pc.close()
    run(go())


def test_negotiated_channel(rtc):
    async def go():
        pc, (fixed,), _ = await connect(rtc["base"], channels=[{"label": "fixed", "negotiated": True, "id": 100}])
        inbox = Inbox(fixed)
        fixed.send("pre-agreed")
        assert await inbox.get() == "pre-agreed"
        await pc.close()
    run(go())


def test_close_paths_release_sessions(rtc):
    async def go():
        base = rtc["base"]
        before = metric(base, "junction_rtc_sessions_open")
        pc, (chat, other), _ = await connect(base, channels=[{"label": "chat"}, {"label": "chat"}])
        assert await eventually(lambda: metric(base, "junction_rtc_sessions_open") == before + 1)
        channels_before = metric(base, "junction_rtc_channels_open")
        closed = asyncio.Event()
        chat.on("close", closed.set)
        chat.close()
        await asyncio.wait_for(closed.wait(), 5)
        assert await eventually(lambda: metric(base, "junction_rtc_channels_open") == channels_before - 1)
        inbox = Inbox(other)
        other.send("still here")
        assert await inbox.get() == "still here"
        await pc.close()
        assert await eventually(lambda: metric(base, "junction_rtc_sessions_open") == before)
    run(go())


def test_tampered_fingerprint_fails_dtls(rtc):
    def tamper(sdp):
        lines = []
        for line in sdp.split("\r\n"):
            if line.startswith("a=fingerprint:sha-256 "):
                head, hexes = line.rsplit(" ", 1)
                first = "00" if hexes[:2] != "00" else "11"
                line = head + " " + first + hexes[2:]
            lines.append(line)
        return "\r\n".join(lines)

    async def go():
        base = rtc["base"]
        failed_before = metric(base, "junction_rtc_sessions_failed_total")
        with pytest.raises((asyncio.TimeoutError, ConnectionError, Exception)):
            pc, _, _ = await asyncio.wait_for(connect(base, tamper=tamper), 20)
        assert await eventually(lambda: metric(base, "junction_rtc_sessions_failed_total") > failed_before, 40)
    run(go())


@pytest.mark.parametrize("body,ctype,needle", [
    (b"this is not sdp", "application/sdp", "SDP"),
    (b'{"type":"offer"}', "application/json", "sdp"),
    (b'{"type":"answer","sdp":"v=0"}', "application/json", "offer"),
    (b"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n"
     b"a=mid:0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
     b"a=fingerprint:sha-256 " + b":".join([b"AB"] * 32) + b"\r\na=setup:actpass\r\n", "application/sdp", "data"),
])


def test_bad_offers_get_clear_errors(rtc, body, ctype, needle):
    base = rtc["base"]
    before = metric(base, "junction_rtc_bad_offers_total")
    req = urllib.request.Request(base + "/rtc/offer", data=body, method="POST", headers={"Content-Type": ctype})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    assert err.value.code == 400
    message = json.loads(err.value.read())["error"]
    assert needle.lower() in message.lower(), message
    assert metric(base, "junction_rtc_bad_offers_total") == before + 1
    assert urllib.request.urlopen(base + "/health", timeout=5).status == 200


FLOW_CONFIG = """\
listen: 127.0.0.1:${PORT}
rtc:
  addresses: [127.0.0.1]
sources:
  slow_in: { type: datachannel, label: slow }
stages:
  trickle: { type: rate_limit, count: 64, interval: 1s, burst: 1 }
sinks:
  disk: { type: file, path: "${OUT}" }
routes:
  - { from: slow_in, via: [trickle], to: disk }
"""


def test_slow_route_pauses_the_sender_without_dropping(junction_bin, tmp_path):
    """16 MiB into a route that drains 64 messages/s: Junction stops reading
    SCTP (the sender's own bufferedAmount stays high), its memory stays
    bounded, and every message lands on disk in order."""
    port, out = free_port(), tmp_path / "out.txt"
    cfg = tmp_path / "routes.yaml"
    cfg.write_text(FLOW_CONFIG)
    proc = subprocess.Popen([junction_bin, "run", str(cfg)], env=dict(os.environ, PORT=str(port), OUT=str(out)),
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc)
        count, size = 256, 64 * 1024

        async def go():
            pc, (slow,), _ = await connect(base, channels=[{"label": "slow"}])
            for i in range(count):
                line = f"{i:08d}:"
                slow.send(line + "x" * (size - len(line)))
            await asyncio.sleep(1.5)
            held_by_sender = slow.bufferedAmount
            # All of it eventually: 256 messages at 64/s. The peer stays up until
            # the file has every line (closing aborts SCTP, dropping what is in flight).
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and (not out.exists() or out.read_text().count("\n") < count):
                await asyncio.sleep(0.1)
            await pc.close()
            return held_by_sender

        held = run(go(), timeout=180)
        print(f"sender held {held} bytes after 1.5 s")
        assert held > 6 * 1024 * 1024, f"the sender still held only {held} bytes: Junction read ahead instead of pausing"
        rss_kib = int(next(l for l in open(f"/proc/{proc.pid}/status") if l.startswith("VmHWM")).split()[1])
        assert rss_kib < 160 * 1024, f"Junction peaked at {rss_kib} KiB"
        lines = out.read_text().splitlines()
        assert len(lines) == count
        assert [int(l.split(":", 1)[0]) for l in lines] == list(range(count))
        assert all(len(l) == size for l in lines)
    finally:
        proc.terminate()
        proc.wait(timeout=15)


@pytest.mark.parametrize("config,needle", [
    ("rtc:\n  addresses: [0.0.0.0]\n", "wildcard"),
    ("rtc:\n  addresses: []\n", "at least one"),
    ("sources:\n  a: { type: datachannel, label: \"\" }\nsinks:\n  b: { type: stdout }\nroutes:\n  - { from: a, to: b }\n", "label"),
    ("sources:\n  a: { type: datachannel, label: x, id: 70000 }\nsinks:\n  b: { type: stdout }\nroutes:\n  - { from: a, to: b }\n", "id"),
])


def test_config_mistakes_are_located(junction_bin, write_config, config, needle):
    cfg = write_config("listen: 127.0.0.1:0\n" + config)
    got = subprocess.run([junction_bin, "validate", str(cfg)], capture_output=True, text=True, timeout=60)
    assert got.returncode == 1, got.stdout + got.stderr
    out = got.stdout + got.stderr
    assert needle in out and "routes.yaml:" in out, out


def test_two_labels_on_one_negotiated_id_stop_the_start(junction_bin, write_config):
    cfg = write_config("listen: 127.0.0.1:0\nsources:\n  a: { type: datachannel, label: x, id: 3 }\n"
                       "sinks:\n  b: { type: datachannel, label: y, id: 3 }\nroutes:\n  - { from: a, to: b }\n")
    got = subprocess.run([junction_bin, "run", str(cfg)], capture_output=True, text=True, timeout=60)
    assert got.returncode == 1, got.stdout + got.stderr
    assert "routes.yaml:" in got.stderr and "is already the negotiated channel" in got.stderr, got.stderr


def test_shutdown_closes_the_peers_channels(junction_bin, tmp_path):
    port = free_port()
    cfg = tmp_path / "routes.yaml"
    cfg.write_text(CONFIG)
    proc = subprocess.Popen([junction_bin, "run", str(cfg)], env=dict(os.environ, PORT=str(port)), stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, proc)

        async def go():
            pc, (chat,), _ = await connect(base)
            closed = asyncio.Event()
            chat.on("close", closed.set)
            proc.terminate()
            await asyncio.wait_for(closed.wait(), 15)
            await pc.close()
        run(go())
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


FEED_CONFIG = """\
listen: 127.0.0.1:${PORT}
rtc:
  addresses: [127.0.0.1]
sources:
  tail: { type: file, path: "${FEED}", follow: true, start_at: end, poll_interval: 50ms, max_message_size: 1MiB }
sinks:
  feed: { type: datachannel, label: feed }
routes:
  - { from: tail, to: feed }
"""


def test_thirty_two_mebibytes_to_a_peer_with_bounded_memory(junction_bin, tmp_path):
    """A file grows by 32 MiB while a peer listens: the sink waits on the
    channel's bufferedAmount, the file source pauses, Junction's memory stays
    bounded, and every line reaches the peer in order."""
    port, feed = free_port(), tmp_path / "feed.txt"
    feed.write_text("")
    cfg = tmp_path / "routes.yaml"
    cfg.write_text(FEED_CONFIG)
    proc = subprocess.Popen([junction_bin, "run", str(cfg)], env=dict(os.environ, PORT=str(port), FEED=str(feed)),
                            stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    count, size = 512, 64 * 1024  # 8, 32 and 64 MiB peaked at 59, 71 and 74 MiB (debug build)
    try:
        wait_healthy(base, proc)

        async def go():
            pc, (ch,), _ = await connect(base, channels=[{"label": "feed"}])
            got = []
            done = asyncio.Event()

            def on_message(m):
                got.append(m)
                if len(got) == count:
                    done.set()
            ch.on("message", on_message)
            with open(feed, "a") as f:
                for i in range(count):
                    line = f"{i:08d}:"
                    f.write(line + "y" * (size - len(line) - 1) + "\n")
            await asyncio.wait_for(done.wait(), 150)
            await pc.close()
            return got

        got = run(go(), timeout=200)
        assert [int(m.split(":", 1)[0]) for m in got] == list(range(count))
        assert all(len(m) == size - 1 for m in got)
        rss_kib = int(next(l for l in open(f"/proc/{proc.pid}/status") if l.startswith("VmHWM")).split()[1])
        assert rss_kib < 128 * 1024, f"Junction peaked at {rss_kib} KiB for 32 MiB sent"
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_lossy_path_reliable_channel_complete_partial_channel_goes_on(rtc):
    """10% of aiortc's SCTP packets are dropped after the handshake: a
    reliable channel still delivers everything in order (retransmission), an
    unordered maxRetransmits=0 channel loses some but never stalls."""
    import random

    async def go():
        pc, (reliable, partial), _ = await connect(
            rtc["base"], channels=[{"label": "chat"}, {"label": "chat", "ordered": False, "maxRetransmits": 0}])
        dtls = pc.sctp.transport
        send = dtls._send_data
        rng = random.Random(5)

        async def lossy(data):
            if rng.random() < 0.10:
                return
            await send(data)
        dtls._send_data = lossy
        inbox_r, inbox_p = Inbox(reliable), Inbox(partial)
        n = 200
        for i in range(n):
            reliable.send(f"r{i}")
            partial.send(f"p{i}")
            if i % 20 == 19:
                await asyncio.sleep(0.05)
        got_r = [await inbox_r.get(timeout=30) for _ in range(n)]
        assert got_r == [f"r{i}" for i in range(n)]
        got_p = []
        try:
            while True:
                got_p.append(await inbox_p.get(timeout=3))
        except asyncio.TimeoutError:
            pass
        assert 0 < len(got_p) <= n
        assert len(set(got_p)) == len(got_p)
        dtls._send_data = send
        await pc.close()
        return len(got_p)

    print("partial channel delivered", run(go(), timeout=120), "of 200")


PEER_SCRIPT = """
import asyncio, sys, time
sys.path.insert(0, sys.argv[2])
from rtc_peer import connect
async def main():
    pc, (chat,), session = await connect(sys.argv[1])
    print(session, flush=True)
    await asyncio.sleep(600)
asyncio.run(main())
"""


def test_killed_peer_fails_after_consent_timeout(junction_bin, tmp_path):
    """A peer killed without a goodbye: no more ICE consent checks, so Junction
    marks the session failed after consent_timeout and forgets it."""
    port = free_port()
    cfg = tmp_path / "routes.yaml"
    cfg.write_text(CONFIG.replace("  addresses: [127.0.0.1]\n", "  addresses: [127.0.0.1]\n  consent_timeout: 3s\n"))
    proc = subprocess.Popen([junction_bin, "run", str(cfg)], env=dict(os.environ, PORT=str(port)), stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc)
        here = os.path.dirname(os.path.abspath(__file__))
        peer = subprocess.Popen([sys.executable, "-c", PEER_SCRIPT, base, here], stdout=subprocess.PIPE, text=True)
        session = peer.stdout.readline().strip()
        assert session
        assert metric(base, "junction_rtc_sessions_open") == 1
        peer.kill()
        peer.wait(timeout=10)
        started = time.monotonic()
        deadline = started + 20
        while time.monotonic() < deadline and metric(base, "junction_rtc_sessions_open") != 0:
            time.sleep(0.2)
        assert metric(base, "junction_rtc_sessions_open") == 0
        assert metric(base, "junction_rtc_sessions_failed_total") == 1
        assert time.monotonic() - started < 10
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_garbage_datagrams_are_dropped_and_counted(rtc):
    """Random bytes, STUN with a wrong password and fake DTLS records sent to a
    live session's UDP port: dropped and counted; the session carries on."""
    import random
    import re
    import socket

    async def go():
        base = rtc["base"]
        before = metric(base, "junction_rtc_dropped_datagrams_total")
        pc, (chat,), _ = await connect(base)
        port = int(re.search(r"a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 (\d+) typ host", pc.remoteDescription.sdp).group(1))
        rng = random.Random(11)
        junk = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))) for _ in range(300)]
        junk += [bytes([0, 1, 0, 8, 0x21, 0x12, 0xA4, 0x42]) + bytes(12) + bytes([0, 6, 0, 4]) + b"abcd"] * 50  # unsigned check
        junk += [bytes([22, 254, 253]) + bytes(rng.randrange(256) for _ in range(40)) for _ in range(50)]      # fake DTLS
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for d in junk:
                s.sendto(d, ("127.0.0.1", port))
        inbox = Inbox(chat)
        chat.send("still fine")
        assert await inbox.get() == "still fine"
        await pc.close()
        assert await eventually(lambda: metric(base, "junction_rtc_dropped_datagrams_total") >= before + 300)
    run(go())
