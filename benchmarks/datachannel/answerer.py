"""The aiortc baseline receiver: a second aiortc peer, in its own process,
that answers offers exactly where Junction does (POST /rtc/offer, JSON
{type, sdp} -> {type, sdp, session}), so the sender code is the same for
both receivers.

  * channels labelled `echo` send every message straight back;
  * channels labelled `bulk` count bytes: GET /metrics serves
    `bench_received_bytes_total{label="bulk"} N` for the meter, GET /stats the
    exact first/last arrival times (CLOCK_MONOTONIC) as a cross-check.

    python answerer.py PORT
"""
import asyncio
import json
import sys
import time
import uuid

from aiohttp import web
from aiortc import RTCPeerConnection, RTCSessionDescription

import common  # noqa: F401  (aioice gathering on 127.0.0.1)

pcs = set()
stats = {"bytes": 0, "messages": 0, "first": None, "last": None, "first_size": 0}


def on_channel(channel):
    if channel.label == "echo":
        channel.on("message", channel.send)
    elif channel.label == "bulk":
        @channel.on("message")
        def count(message):
            now = time.monotonic()
            if stats["first"] is None:
                stats["first"], stats["first_size"] = now, len(message)
            stats["last"] = now
            stats["bytes"] += len(message)
            stats["messages"] += 1


async def offer(request):
    body = await request.json()
    pc = RTCPeerConnection()
    pcs.add(pc)
    pc.on("datachannel", on_channel)

    @pc.on("connectionstatechange")
    async def on_state():
        if pc.connectionState in ("failed", "closed"):
            pcs.discard(pc)
            await pc.close()

    await pc.setRemoteDescription(RTCSessionDescription(sdp=body["sdp"], type=body["type"]))
    await pc.setLocalDescription(await pc.createAnswer())
    return web.json_response({"type": "answer", "sdp": pc.localDescription.sdp, "session": uuid.uuid4().hex})


async def metrics(_):
    return web.Response(text=f'bench_received_bytes_total{{label="bulk"}} {stats["bytes"]}\n')


async def get_stats(_):
    return web.json_response(stats)


async def reset(_):
    stats.update(bytes=0, messages=0, first=None, last=None, first_size=0)
    return web.json_response(stats)


async def health(_):
    return web.Response(text="ok")


async def shutdown(_app):
    await asyncio.gather(*(pc.close() for pc in list(pcs)))


def main():
    app = web.Application()
    app.add_routes([
        web.post("/rtc/offer", offer), web.get("/metrics", metrics), web.get("/stats", get_stats),
        web.post("/stats/reset", reset), web.get("/health", health),
    ])
    app.on_shutdown.append(shutdown)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)


if __name__ == "__main__":
    main()
