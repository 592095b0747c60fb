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
  max_supervisors: 1
  token: rtm-test-token
  webhook_retry: { schedule: [0s, 1s, 1s], jitter: 0 }
sources:
  chat_in: { type: datachannel, label: chat }
  events: { type: rtm_events }
sinks:
  chat_out: { type: datachannel, label: chat }
  events_out: { type: file, path: "${EVENTS}" }
routes:
  - { from: chat_in, to: chat_out }
  - { from: events, to: events_out }
"""


AUTH = {"Authorization": "Bearer rtm-test-token"}


class Hooks(http.server.BaseHTTPRequestHandler):
    """Webhooks (POST, JSON; paths ending in /flaky answer the first POST with
    503, those ending in /gone answer 410) and uploads (PUT; paths ending in
    /fail answer 503)."""
    received = []
    uploads = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        first = all(path != self.path for path, _ in Hooks.received)
        Hooks.received.append((self.path, json.loads(body)))
        if self.path.endswith("/gone"):
            self.send_response(410)
        else:
            self.send_response(503 if self.path.endswith("/flaky") and first else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_PUT(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Hooks.uploads.append((self.path, body))
        self.send_response(503 if self.path.endswith("/fail") else 200)
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
    events = cfg.parent / "events.jsonl"
    proc = subprocess.Popen([junction_bin, "run", str(cfg)],
                            env=dict(os.environ, PORT=str(port), HOOK_PORT=str(hooks.server_port), EVENTS=str(events)), stderr=log)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, proc)
    yield {"base": base, "ws": f"ws://127.0.0.1:{port}/rtm", "hooks": f"http://127.0.0.1:{hooks.server_port}/hooks/", "events": events}
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


async def terminated(ws, timeout=20):
    """The next session_state TERMINATED (earlier states are skipped)."""
    while True:
        message, _ = await next_of(ws, "session_state", timeout)
        if message["data"]["state"] == "TERMINATED":
            return message


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
        async with websockets.connect(rtm["ws"], additional_headers=AUTH) as ws:
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
            # The same WebSocket may start the client's next session.
            pc2, chat2, states2 = await start_session(ws, client, session + "-next")
            assert states2 == ["SETUP", "ACTIVE"]
            await ws.send(envelope("session_stop", client, session + "-next"))
            await pc2.close()
        for _ in range(100):
            if Hooks.received:
                break
            await asyncio.sleep(0.05)
        path, body = Hooks.received[0]
        assert path == "/hooks/s1"
        assert body["status"] == "session_finished" and body["termination_cause"] == "TERM_BY_CLIENT"
        assert body["session_id"] == session and body["client_id"] == client
        # The same state changes reached the rtm_events route.
        for _ in range(100):
            seen = [json.loads(line) for line in rtm["events"].read_text().splitlines()] if rtm["events"].exists() else []
            mine = [e["data"]["state"] for e in seen if e["session_id"] == session]
            if "TERMINATED" in mine:
                break
            await asyncio.sleep(0.05)
        assert mine == ["SETUP", "ACTIVE", "SHUTDOWN", "TERMINATED"]

    run(go())


def test_one_live_session_per_client(rtm):
    async def go():
        async with websockets.connect(rtm["ws"], additional_headers=AUTH) as first, websockets.connect(rtm["ws"], additional_headers=AUTH) as second:
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
        async with websockets.connect(rtm["ws"], additional_headers=AUTH) as ws:
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
            ended = await terminated(ws)
            assert ended["data"]["termination_cause"] == "SDP_ERROR"
            # The connection still works.
            await ws.send(envelope("ping", "client-3", "s3-bad"))
            await next_of(ws, "pong")
            assert metric(rtm["base"], "junction_rtm_malformed_messages_total") >= before + 5
            await pc.close()

    run(go())


def test_a_new_offer_renegotiates_and_the_channel_goes_on(rtm):
    """sdp_update with a new offer on a live session: aiortc adds an audio
    section, Junction declines it with port 0 and the data channel keeps
    working; offers Junction can't take and answers get an error and change
    nothing."""
    async def go():
        client, session = "client-reneg", str(uuid.uuid4())
        async with websockets.connect(rtm["ws"], additional_headers=AUTH) as ws:
            pc, chat, _ = await start_session(ws, client, session)
            inbox = Inbox(chat)
            first = pc.remoteDescription.sdp
            pc.addTransceiver("audio")
            await pc.setLocalDescription(await pc.createOffer())
            offer = pc.localDescription.sdp
            await ws.send(envelope("sdp_update", client, session, {"sdp": {"type": "offer", "sdp": offer}}))
            answer, _ = await next_of(ws, "sdp_update")
            sdp = answer["data"]["sdp"]
            assert sdp["type"] == "answer"
            assert "\r\nm=audio 0 " in sdp["sdp"]
            version = lambda text: int(text.split("\r\n")[1].split()[2])
            assert version(sdp["sdp"]) == version(first) + 1
            await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp["sdp"], type="answer"))
            chat.send("after renegotiation")
            assert await inbox.get() == "after renegotiation"

            # Junction makes no offers, so an answer is refused; so is an
            # offer with another certificate. The session goes on.
            await ws.send(envelope("sdp_update", client, session, {"sdp": {"type": "answer", "sdp": first}}))
            error, _ = await next_of(ws, "error")
            assert error["data"]["in_reply_to"] == "sdp_update" and "offer" in error["data"]["message"]
            forged = "\r\n".join(
                line.split(" ")[0] + " " + ":".join(["00"] * 32) if line.startswith("a=fingerprint:sha-256") else line
                for line in offer.split("\r\n"))
            await ws.send(envelope("sdp_update", client, session, {"sdp": {"type": "offer", "sdp": forged}}))
            error, _ = await next_of(ws, "error")
            assert "fingerprint" in error["data"]["message"]
            chat.send("still here")
            assert await inbox.get() == "still here"

            await ws.send(envelope("session_stop", client, session))
            assert (await terminated(ws))["data"]["termination_cause"] == "TERM_BY_CLIENT"
            await pc.close()

    run(go())


def test_a_silent_client_is_ended_after_the_ping_timeout(rtm):
    async def go():
        async with websockets.connect(rtm["ws"], additional_headers=AUTH, ping_interval=None) as ws:
            pc, _, states = await start_session(ws, "client-4", "s4")
            assert states[-1] == "ACTIVE"
            # No RTM ping for longer than ping_timeout (2 s).
            ended = await terminated(ws)
            assert ended["data"]["termination_cause"] == "CONN_ERROR"
            await pc.close()

    run(go())


async def hook(path, status=None, timeout=10):
    """The body of the first webhook POSTed to `path` (with that `status`, when given)."""
    for _ in range(int(timeout / 0.05)):
        for got, body in Hooks.received:
            if got == path and status in (None, body["status"]):
                return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"no webhook at {path}; got {Hooks.received}")


def test_webhooks_are_tried_again_after_a_temporary_failure_but_not_after_410(rtm):
    async def go():
        failed = metric(rtm["base"], "junction_rtm_webhooks_failed_total")
        async with websockets.connect(rtm["ws"], additional_headers=AUTH) as ws:
            for name in ["flaky", "gone"]:
                session = f"s-hook-{name}"
                pc, _, _ = await start_session(ws, f"client-hook-{name}", session, webhook_url=rtm["hooks"] + f"{session}/{name}")
                await ws.send(envelope("session_stop", f"client-hook-{name}", session))
                await terminated(ws)
                await pc.close()
        # The 503 is followed by a second attempt a second later, which is taken.
        flaky = "/hooks/s-hook-flaky/flaky"
        for _ in range(100):
            if sum(path == flaky for path, _ in Hooks.received) >= 2:
                break
            await asyncio.sleep(0.05)
        bodies = [body for path, body in Hooks.received if path == flaky]
        assert len(bodies) == 2 and bodies[0] == bodies[1] and bodies[0]["status"] == "session_finished"
        # 410 is final: one attempt, counted as failed.
        await asyncio.sleep(1.5)
        assert sum(path == "/hooks/s-hook-gone/gone" for path, _ in Hooks.received) == 1
        assert sum(path == flaky for path, _ in Hooks.received) == 2
        assert metric(rtm["base"], "junction_rtm_webhooks_failed_total") == failed + 1
        assert metric(rtm["base"], "junction_rtm_webhook_retries_total") >= 1

    run(go())


def test_recording_is_uploaded_with_both_directions_and_reported(rtm):
    async def go():
        client, session = "client-5", "s5"
        async with websockets.connect(rtm["ws"], additional_headers=AUTH) as ws:
            pc, chat, _ = await start_session(ws, client, session)
            await ws.send(envelope("recording_start", client, session, {"upload_url": rtm["hooks"] + "upload/ok", "webhook_url": rtm["hooks"] + "r5"}))
            started, _ = await next_of(ws, "recording_state")
            assert started["data"]["state"] == "STARTED"
            recording_id = started["data"]["recording_id"]
            inbox = Inbox(chat)
            for i in range(5):
                chat.send(f"rec{i}")
            chat.send(b"\x00\x01binary")
            assert [await inbox.get() for _ in range(6)][-1] == b"\x00\x01binary"
            await ws.send(envelope("recording_stop", client, session))
            stopped, _ = await next_of(ws, "recording_state")
            assert stopped["data"] == {"recording_id": recording_id, "state": "STOPPED"}
            ready = await hook("/hooks/r5")
            assert ready["status"] == "upload_ready" and ready["rec_id"] == recording_id and ready["client_id"] == client
            path, body = next(u for u in Hooks.uploads if u[0] == "/hooks/upload/ok")
            assert ready["recording_file_size_bytes"] == len(body)
            lines = [json.loads(line) for line in body.decode().splitlines()]
            assert lines[0]["format"] == "junction-rtm-recording/1" and lines[0]["recording_id"] == recording_id
            messages = lines[1:]
            assert [m["data"] for m in messages if m["direction"] == "in" and m["kind"] == "text"] == [f"rec{i}" for i in range(5)]
            assert [m["data"] for m in messages if m["direction"] == "out" and m["kind"] == "text"] == [f"rec{i}" for i in range(5)]
            assert [m["data"] for m in messages if m["kind"] == "binary"] == ["AAFiaW5hcnk="] * 2
            assert all(m["label"] == "chat" for m in messages)
            # A second recording_stop has nothing to stop.
            await ws.send(envelope("recording_stop", client, session))
            error, _ = await next_of(ws, "error")
            assert error["data"]["in_reply_to"] == "recording_stop"
            await ws.send(envelope("session_stop", client, session))
            await pc.close()

    run(go())


def test_a_session_ending_while_recording_uploads_and_a_refused_upload_is_reported(rtm):
    async def go():
        client, session = "client-6", "s6"
        async with websockets.connect(rtm["ws"], additional_headers=AUTH) as ws:
            pc, chat, _ = await start_session(ws, client, session, webhook_url=rtm["hooks"] + "s6")
            await ws.send(envelope("recording_start", client, session, {"upload_url": "https://elsewhere.example/put"}))
            error, _ = await next_of(ws, "error")
            assert "upload_url" in error["data"]["message"]
            await ws.send(envelope("recording_start", client, session, {"upload_url": rtm["hooks"] + "upload/fail"}))
            started, _ = await next_of(ws, "recording_state")
            chat.send("last words")
            await asyncio.sleep(0.3)
            await ws.send(envelope("session_stop", client, session))
            states = []
            while "FAILED" not in states:
                message = json.loads(await asyncio.wait_for(ws.recv(), 20))
                if message["type"] == "recording_state":
                    states.append(message["data"]["state"])
            assert states == ["STOPPED", "FAILED"]
            failed = await hook("/hooks/s6", "upload_failed")
            finished = await hook("/hooks/s6", "session_finished")
            assert finished["termination_cause"] == "TERM_BY_CLIENT"
            assert failed["status"] == "upload_failed" and failed["upload_status_code"] == 503 and failed["rec_id"] == started["data"]["recording_id"]
            await pc.close()

    run(go())


def test_a_supervisor_gets_copies_and_ends_with_its_agent(rtm):
    async def go():
        async with websockets.connect(rtm["ws"], additional_headers=AUTH) as agent_ws, websockets.connect(rtm["ws"], additional_headers=AUTH) as sup_ws, websockets.connect(rtm["ws"], additional_headers=AUTH) as extra_ws:
            # No live session to watch.
            pc0 = RTCPeerConnection()
            pc0.createDataChannel("chat")
            await pc0.setLocalDescription(await pc0.createOffer())
            await extra_ws.send(envelope("supervisor_join_session", "sup-x", "v-x", {"sdp": {"type": "offer", "sdp": pc0.localDescription.sdp}, "session_id_to_monitor": "nobody"}))
            refused, _ = await next_of(extra_ws, "session_state")
            assert refused["data"] == {"state": "TERMINATED", "termination_cause": "NO_ACTIVE_AGENT"}

            agent_pc, agent_chat, _ = await start_session(agent_ws, "client-7", "s7")
            sup_pc = RTCPeerConnection()
            sup_chat = sup_pc.createDataChannel("chat")
            await sup_pc.setLocalDescription(await sup_pc.createOffer())
            await sup_ws.send(envelope("supervisor_join_session", "sup-1", "v7", {
                "sdp": {"type": "offer", "sdp": sup_pc.localDescription.sdp}, "session_id_to_monitor": "s7", "webhook_url": rtm["hooks"] + "v7"}))
            answer, _ = await next_of(sup_ws, "sdp_update")
            await sup_pc.setRemoteDescription(RTCSessionDescription(sdp=answer["data"]["sdp"]["sdp"], type="answer"))
            await wait_open(sup_chat)
            active, _ = await next_of(sup_ws, "session_state")
            while active["data"]["state"] != "ACTIVE":
                active, _ = await next_of(sup_ws, "session_state")
            # max_supervisors is 1 here.
            await extra_ws.send(envelope("supervisor_join_session", "sup-2", "v7b", {"sdp": {"type": "offer", "sdp": pc0.localDescription.sdp}, "session_id_to_monitor": "s7"}))
            refused, _ = await next_of(extra_ws, "session_state")
            assert refused["data"]["termination_cause"] == "MAX_SUPERVISORS_PER_AGENT"

            copies = Inbox(sup_chat)
            agent_inbox = Inbox(agent_chat)
            for i in range(3):
                agent_chat.send(f"watch{i}")
            assert [await agent_inbox.get() for _ in range(3)] == [f"watch{i}" for i in range(3)]
            got = [await copies.get() for _ in range(6)]  # what the agent sent, and the echo it got
            assert sorted(got) == sorted([f"watch{i}" for i in range(3)] * 2)

            await agent_ws.send(envelope("session_stop", "client-7", "s7"))
            ended = await terminated(sup_ws)
            assert ended["data"]["termination_cause"] == "AGENT_SESSION_TERM"
            finished = await hook("/hooks/v7")
            assert finished["status"] == "supervisor_session_finished" and finished["session_id_to_monitor"] == "s7"
            for pc in (pc0, agent_pc, sup_pc):
                await pc.close()

    run(go())


def test_the_bearer_token_is_required(rtm):
    async def go():
        for headers in ({}, {"Authorization": "Bearer wrong-token-x"}, {"Authorization": "Basic cnRtLXRlc3QtdG9rZW4="}):
            with pytest.raises((websockets.exceptions.InvalidStatus, websockets.exceptions.InvalidHandshake, ConnectionError)):
                async with websockets.connect(rtm["ws"], additional_headers=headers, open_timeout=5) as ws:
                    await ws.recv()
        async with websockets.connect(rtm["ws"], additional_headers={"authorization": "bearer rtm-test-token"}) as ws:
            await ws.send(envelope("ping", "c", "s"))
            await next_of(ws, "pong")

    run(go())


def test_junction_stopping_ends_sessions_with_service_shutdown(junction_bin, tmp_path):
    # No rtc: section and no datachannel components: the hub is made when the RTM endpoint starts.
    port = free_port()
    cfg = tmp_path / "routes.yaml"
    cfg.write_text(f"listen: 127.0.0.1:{port}\nrtm: {{path: /rtm}}\n")
    proc = subprocess.Popen([junction_bin, "run", str(cfg)], stderr=subprocess.DEVNULL)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc)

        async def go():
            async with websockets.connect(f"ws://127.0.0.1:{port}/rtm") as ws:
                pc, _, states = await start_session(ws, "client-8", "s8")
                assert states[-1] == "ACTIVE"
                proc.terminate()
                ended = await terminated(ws)
                assert ended["data"]["termination_cause"] == "SERVICE_SHUTDOWN"
                await pc.close()

        run(go())
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
