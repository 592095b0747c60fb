"""A minimal WebSocket relay on Python `websockets` (asyncio), the baseline of
benchmarks/websocket.sh: every message a client sends on /in is forwarded to
every client connected on /out. Each send is awaited, so a slow consumer slows
the producer down (the relay's buffers stay bounded, as Junction's do under
`when_full: block`).

    python relay.py PORT
"""

import asyncio
import sys

from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

consumers = set()


async def handler(ws):
    path = ws.request.path
    if path == "/out":
        consumers.add(ws)
        try:
            await ws.wait_closed()
        finally:
            consumers.discard(ws)
    elif path == "/in":
        try:
            async for message in ws:
                for consumer in list(consumers):
                    try:
                        await consumer.send(message)
                    except ConnectionClosed:
                        pass
        except ConnectionClosed:
            pass
    else:
        await ws.close(1008, "unknown path")


async def main(port):
    async with serve(handler, "127.0.0.1", port, compression=None, max_size=1 << 20, backlog=1024) as server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
