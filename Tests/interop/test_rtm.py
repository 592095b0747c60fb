"""RTM (seed 003) over WebSocket against a real `junction run`: an aiortc
client with Python websockets drives sessions through their lifecycle, and
the session's data channel goes through a route and back."""
import asyncio
import http.server
import json
import os
import subprocess
import threading
import uuid

import pytest
import websockets
from aiortc import RTCPeerConnection, RTCSessionDescription

import rtc_peer  # noqa: F401  (points aioice's gathering at 127.0.0.1)
from conftest import wait_healthy
from rtc_peer import Inbox, wait_open
from test_datachannel import metric, run
from test_xrtc import free_port

CONFIG = """\
listen: 127.0.0.1:${PORT}
rtc:
  addresses: [127.0.0.1]
rtm:
  path: /rtm
  allowed_urls: ["http://127.0.0.1:${HOOK_PORT}/hooks/"]
  ping_timeout: 2s
sources:
  chat_in: { type: datachannel, label: chat }
sinks:
  chat_out: { type: datachannel, label: chat }
routes:
  - { from: chat_in, to: chat_out }
"""


class Hooks(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Hooks.received.append((self.path, json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def rtm(junction_bin, tmp_path_factory):
    hooks = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    port = free_port()
    cfg = tmp_path_factory.mktemp("rtm") / "routes.yaml"
    cfg.write_text(CONFIG)
    log = open(cfg.parent / "junction.log", "w+")
    proc = subprocess.Popen([junction_bin, "run", str(cfg)],
                            env=dict(os.environ, PORT=str(port), HOOK_PORT=str(hooks.server_port)), stderr=log)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, proc)
    yield {"base": base, "ws": f"ws://127.0.0.1:{port}/rtm", "hooks": f"http://127.0.0.1:{hooks.server_port}/hooks/"}
    proc.terminate()
    proc.wait(timeout=15)
    hooks.shutdown()


def envelope(kind, client, session, data=None):
    return json.dumps({"type": kind, "client_id": client, "session_id": session, "data": data or {}})


async def next_of(ws, kind, timeout=20):
    """The next message of type `kind` (others before it are skipped and returned too)."""
    skipped = []
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if message["type"] == kind:
            return message, skipped
        skipped.append(message)


async def start_session(ws, client, session, webhook_url=None):
    """session_start with an aiortc offer; returns (pc, chat channel, states seen until ACTIVE)."""
    pc = RTCPeerConnection()
    chat = pc.createDataChannel("chat")
    await pc.setLocalDescription(await pc.createOffer())
    data = {"sdp": {"type": "offer", "sdp": pc.localDescription.sdp}, "version": "test-1"}
    if webhook_url:
        data["webhook_url"] = webhook_url
    await ws.send(envelope("session_start", client, session, data))
    answer, before = await next_of(ws, "sdp_update")
    assert answer["data"]["sdp"]["type"] == "answer"
    assert answer["session_id"] == session and answer["client_id"] == client
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["data"]["sdp"]["sdp"], type="answer"))
    await wait_open(chat)
    active, between = await next_of(ws, "session_state")
    states = [m["data"]["state"] for m in before + between + [active] if m["type"] == "session_state"]
    return pc, chat, states


def test_session_lifecycle_route_and_stop(rtm):
    Hooks.received.clear()

    async def go():
        client, session = "client-1", str(uuid.uuid4())
        async with websockets.connect(rtm["ws"]) as ws:
            pc, chat, states = await start_session(ws, client, session, webhook_url=rtm["hooks"] + "s1")
            assert states == ["SETUP", "ACTIVE"]
            # The session's channel is the route's datachannel source and sink: it echoes.
            inbox = Inbox(chat)
            for i in range(20):
                chat.send(f"m{i}")
            assert [await inbox.get() for _ in range(20)] == [f"m{i}" for i in range(20)]
            # Application ping.
            await ws.send(envelope("ping", client, session))
            pong, _ = await next_of(ws, "pong")
            assert pong["session_id"] == session
            # Trickled candidates are taken quietly.
            await ws.send(envelope("candidate", client, session, {"candidate": {"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host", "sdpMid": "0", "sdpMLineIndex": 0}}))
            await ws.send(envelope("session_stop", client, session))
            shutdown, _ = await next_of(ws, "session_state")
            assert shutdown["data"]["state"] == "SHUTDOWN"
            terminated, _ = await next_of(ws, "session_state")
            assert terminated["data"] == {"state": "TERMINATED", "termination_cause": "TERM_BY_CLIENT"}
            await pc.close()
        for _ in range(100):
            if Hooks.received:
                break
            await asyncio.sleep(0.05)
        path, body = Hooks.received[0]
        assert path == "/hooks/s1"
        assert body["status"] == "session_finished" and body["termination_cause"] == "TERM_BY_CLIENT"
        assert body["session_id"] == session and body["client_id"] == client

    run(go())


def test_one_live_session_per_client(rtm):
    async def go():
        async with websockets.connect(rtm["ws"]) as first, websockets.connect(rtm["ws"]) as second:
            pc, _, states = await start_session(first, "client-2", "s-first")
            assert states[-1] == "ACTIVE"
            offer_pc = RTCPeerConnection()
            offer_pc.createDataChannel("chat")
            await offer_pc.setLocalDescription(await offer_pc.createOffer())
            await second.send(envelope("session_start", "client-2", "s-second", {"sdp": {"type": "offer", "sdp": offer_pc.localDescription.sdp}}))
            refused, _ = await next_of(second, "session_state")
            assert refused["session_id"] == "s-second"
            assert refused["data"] == {"state": "TERMINATED", "termination_cause": "TWO_TIMER"}
            # Closing the first WebSocket ends its session; then the client may start again.
            await first.close()
            await pc.close()
            for attempt in range(50):
                retry_pc = RTCPeerConnection()
                retry_pc.createDataChannel("chat")
                await retry_pc.setLocalDescription(await retry_pc.createOffer())
                await second.send(envelope("session_start", "client-2", f"s-retry-{attempt}", {"sdp": {"type": "offer", "sdp": retry_pc.localDescription.sdp}}))
                state, _ = await next_of(second, "session_state")
                await retry_pc.close()
                if state["data"]["state"] == "SETUP":
                    break
                assert state["data"]["termination_cause"] == "TWO_TIMER"
                await asyncio.sleep(0.1)
            assert state["data"]["state"] == "SETUP"

    run(go())


def test_disallowed_urls_and_malformed_messages_get_errors_and_the_session_lives_on(rtm):
    async def go():
        async with websockets.connect(rtm["ws"]) as ws:
            before = metric(rtm["base"], "junction_rtm_malformed_messages_total")
            pc = RTCPeerConnection()
            pc.createDataChannel("chat")
            await pc.setLocalDescription(await pc.createOffer())
            offer = {"type": "offer", "sdp": pc.localDescription.sdp}
            await ws.send(envelope("session_start", "client-3", "s3", {"sdp": offer, "webhook_url": "https://elsewhere.example/hook"}))
            error, _ = await next_of(ws, "error")
            assert "webhook_url" in error["data"]["message"] and error["data"]["in_reply_to"] == "session_start"
            for bad in ["not json", "[]", json.dumps({"type": "warp", "client_id": "c", "session_id": "s"}),
                        json.dumps({"type": "session_start", "client_id": "client-3", "session_id": "s3", "data": {"sdp": "v=0"}})]:
                await ws.send(bad)
                error, _ = await next_of(ws, "error")
                assert error["data"]["message"]
            # An SDP that is not an offer Junction can use ends that session with SDP_ERROR.
            await ws.send(envelope("session_start", "client-3", "s3-bad", {"sdp": {"type": "offer", "sdp": "v=0\r\nnonsense\r\n"}}))
            state, skipped = await next_of(ws, "session_state")
            assert state["data"]["state"] == "SETUP"
            terminated = None
            while terminated is None:
                message, _ = await next_of(ws, "session_state")
                if message["data"]["state"] == "TERMINATED":
                    terminated = message
            assert terminated["data"]["termination_cause"] == "SDP_ERROR"
            # The connection still works.
            await ws.send(envelope("ping", "client-3", "s3-bad"))
            await next_of(ws, "pong")
            assert metric(rtm["base"], "junction_rtm_malformed_messages_total") >= before + 5
            await pc.close()

    run(go())


def test_a_silent_client_is_ended_after_the_ping_timeout(rtm):
    async def go():
        async with websockets.connect(rtm["ws"], ping_interval=None) as ws:
            pc, _, states = await start_session(ws, "client-4", "s4")
            assert states[-1] == "ACTIVE"
            # No RTM ping for longer than ping_timeout (2 s).
            terminated = None
            while terminated is None:
                message, _ = await next_of(ws, "session_state", timeout=10)
                if message["data"]["state"] == "TERMINATED":
                    terminated = message
            assert terminated["data"]["termination_cause"] == "CONN_ERROR"
            await pc.close()

    run(go())
