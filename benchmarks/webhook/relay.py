"""The baseline for benchmarks/webhook.sh: a minimal aiohttp webhook relay.

POST /hooks/in → POST the same body (and Content-Type) to TARGET with one
kept-alive aiohttp client session, then answer 202 once the target answered
2xx (502 otherwise). Nothing is stored: it is the simplest relay that still
waits for the delivery, the usual "forward in the request handler" design.

    python relay.py PORT TARGET_URL
"""
import sys

from aiohttp import ClientSession, ClientTimeout, TCPConnector, web


async def main(port, target):
    session = None

    async def relay(request):
        body = await request.read()
        headers = {"Content-Type": request.headers.get("Content-Type", "application/octet-stream")}
        try:
            async with session.post(target, data=body, headers=headers) as response:
                await response.read()
                ok = 200 <= response.status < 300
        except Exception:
            ok = False
        if ok:
            return web.json_response({"status": "accepted"}, status=202)
        return web.json_response({"error": "target failed"}, status=502)

    async def on_startup(app):
        nonlocal session
        session = ClientSession(connector=TCPConnector(limit=64), timeout=ClientTimeout(total=15))

    async def on_cleanup(app):
        await session.close()

    app = web.Application()
    app.router.add_post("/hooks/in", relay)
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app


if __name__ == "__main__":
    port, target = int(sys.argv[1]), sys.argv[2]
    web.run_app(main(port, target), host="127.0.0.1", port=port, access_log=None, print=None)
