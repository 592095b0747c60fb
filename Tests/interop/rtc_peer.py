"""An aiortc peer for Junction's data channels: offers, posts the offer to
Junction's POST /rtc/offer, applies the answer, and hands back the peer
connection and its channels once they are open.

aioice never gathers loopback addresses; on a machine whose only interface is
loopback it would offer no candidates at all, so gathering is pointed at
127.0.0.1 here.
"""
import asyncio
import json
import urllib.request

import aioice.ice
from aiortc import RTCPeerConnection, RTCSessionDescription

aioice.ice.get_host_addresses = lambda use_ipv4=True, use_ipv6=False: ["127.0.0.1"] if use_ipv4 else []


def post_offer(base, offer, as_json=True):
    """POST the offer; returns (answer sdp, session id)."""
    if as_json:
        body = json.dumps({"type": offer.type, "sdp": offer.sdp}).encode()
        ctype = "application/json"
    else:
        body = offer.sdp.encode()
        ctype = "application/sdp"
    req = urllib.request.Request(base + "/rtc/offer", data=body, method="POST", headers={"Content-Type": ctype})
    with urllib.request.urlopen(req, timeout=10) as r:
        text = r.read().decode()
        session = r.headers.get("X-Session-Id")
        if as_json:
            answer = json.loads(text)
            assert answer["type"] == "answer", answer
            return answer["sdp"], answer.get("session") or session
        assert r.headers.get("Content-Type", "").startswith("application/sdp")
        return text, session


async def wait_open(channel, timeout=40):
    if channel.readyState == "open":
        return
    opened = asyncio.get_running_loop().create_future()
    channel.on("open", lambda: opened.done() or opened.set_result(True))
    await asyncio.wait_for(opened, timeout)


async def connect(base, channels=({"label": "chat"},), as_json=True, tamper=None, prepare=None):
    """Opens a peer connection to Junction with the given channels (dicts of
    createDataChannel keyword arguments); returns (pc, [channels], session id).
    `tamper` may rewrite the answer SDP before it is applied; `prepare(pc)`
    runs before the offer (to register event handlers in time)."""
    pc = RTCPeerConnection()
    if prepare:
        prepare(pc)
    made = [pc.createDataChannel(**spec) for spec in channels]
    await pc.setLocalDescription(await pc.createOffer())
    loop = asyncio.get_running_loop()
    sdp, session = await loop.run_in_executor(None, post_offer, base, pc.localDescription, as_json)
    if tamper:
        sdp = tamper(sdp)
    await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="answer"))
    for ch in made:
        await wait_open(ch)
    return pc, made, session


class Inbox:
    """Collects a channel's messages; `await inbox.get()` waits for the next."""

    def __init__(self, channel):
        self.queue = asyncio.Queue()
        channel.on("message", self.queue.put_nowait)

    async def get(self, timeout=10):
        return await asyncio.wait_for(self.queue.get(), timeout)
