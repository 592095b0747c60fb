"""The data-channel examples of aiortc's documentation (seed 004), adapted so
that Junction is the far peer ("pc2"): its routes echo, with the examples'
"Echo: " prefix where they have one."""
import asyncio
import os
import subprocess

import pytest

from conftest import wait_healthy
from rtc_peer import Inbox, connect
from test_xrtc import free_port

CONFIG = """\
listen: 127.0.0.1:${PORT}
rtc:
  addresses: [127.0.0.1]
sources:
  control_in: { type: datachannel, label: control }
  meta_in: { type: datachannel, label: video-meta }
  bulk_in: { type: datachannel, label: bulk }
  game_in: { type: datachannel, label: game-state }
  chat_in: { type: datachannel, label: chat }
  file_in: { type: datachannel, label: file-transfer }
stages:
  echo: { type: transform, template: "Echo: {{.}}" }
sinks:
  control_out: { type: datachannel, label: control }
  meta_out: { type: datachannel, label: video-meta }
  bulk_out: { type: datachannel, label: bulk }
  game_out: { type: datachannel, label: game-state }
  chat_out: { type: datachannel, label: chat }
  file_out: { type: datachannel, label: file-transfer }
routes:
  - { from: control_in, via: [echo], to: control_out }
  - { from: meta_in, via: [echo], to: meta_out }
  - { from: bulk_in, via: [echo], to: bulk_out }
  - { from: game_in, to: game_out }
  - { from: chat_in, to: chat_out }
  - { from: file_in, to: file_out }
"""


@pytest.fixture(scope="module")
def junction(junction_bin, tmp_path_factory):
    port = free_port()
    cfg = tmp_path_factory.mktemp("seed") / "routes.yaml"
    cfg.write_text(CONFIG)
    proc = subprocess.Popen([junction_bin, "run", str(cfg)], env=dict(os.environ, PORT=str(port)), stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_healthy(base, proc)
    yield base
    proc.terminate()
    proc.wait(timeout=15)


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 90))


def test_multiple_channels_echo(junction):
    """multiple_channels(): control (ordered), video-meta (unordered), bulk (maxRetransmits=3); pc2 echoes."""
    async def go():
        specs = [{"label": "control", "ordered": True}, {"label": "video-meta", "ordered": False},
                 {"label": "bulk", "maxRetransmits": 3}]
        pc, channels, _ = await connect(junction, channels=specs)
        inboxes = [Inbox(ch) for ch in channels]
        for ch in channels:
            ch.send(f"hello {ch.label}")
        for ch, inbox in zip(channels, inboxes):
            assert await inbox.get() == f"Echo: hello {ch.label}"
        assert channels[2].maxRetransmits == 3 and channels[1].ordered is False
        await pc.close()
    run(go())


def test_custom_data_channel(junction):
    """custom_data_channel(): an unordered game channel (maxPacketLifeTime=100, protocol) and a chat channel."""
    async def go():
        pc, (game, chat), _ = await connect(junction, channels=[
            {"label": "game-state", "ordered": False, "maxPacketLifeTime": 100, "protocol": "game-protocol"},
            {"label": "chat", "ordered": True, "maxRetransmits": 5},
        ])
        assert (game.ordered, game.maxPacketLifeTime, game.protocol) == (False, 100, "game-protocol")
        g, c = Inbox(game), Inbox(chat)
        game.send('{"x": 1, "y": 2}')
        chat.send("gg")
        assert await g.get() == '{"x": 1, "y": 2}'
        assert await c.get() == "gg"
        await pc.close()
    run(go())


def test_binary_data_transfer(junction):
    """binary_data_transfer(): a file's bytes in one message, back byte for byte."""
    async def go():
        pc, (files,), _ = await connect(junction, channels=[{"label": "file-transfer"}])
        data = os.urandom(200_000)
        inbox = Inbox(files)
        files.send(data)
        assert await inbox.get() == data
        await pc.close()
    run(go())


def test_flow_control_example(junction):
    """flow_control_example(): send while bufferedAmount is under the threshold, more on bufferedamountlow."""
    async def go():
        pc, (bulk,), _ = await connect(junction, channels=[{"label": "bulk"}])
        bulk.bufferedAmountLowThreshold = 1024
        low = asyncio.Event()
        bulk.on("bufferedamountlow", low.set)
        inbox = Inbox(bulk)
        sent = 0
        for _ in range(20):
            if bulk.bufferedAmount >= bulk.bufferedAmountLowThreshold:
                low.clear()
                await asyncio.wait_for(low.wait(), 10)
            bulk.send(b"x" * 10000)
            sent += 1
        replies = [await inbox.get() for _ in range(sent)]
        assert all(r == "Echo: " + "x" * 10000 for r in replies)
        await pc.close()
    run(go())


def test_error_handling_close(junction):
    """error_handling(): send, then close; the channel ends closed with no error event."""
    async def go():
        pc, (test,), _ = await connect(junction, channels=[{"label": "chat"}])
        errors = []
        test.on("error", errors.append)
        closed = asyncio.Event()
        test.on("close", closed.set)
        test.send("Test message")
        test.close()
        await asyncio.wait_for(closed.wait(), 5)
        assert test.readyState == "closed" and not errors
        await pc.close()
    run(go())
