"""The aiortc sender, the same code whichever peer answers at BASE (Junction
or the aiortc answerer). Prints one JSON object.

throughput: opens channel `bulk` and sends SIZE-byte binary messages for
SECONDS or MAX_MIB, whichever comes first, keeping bufferedAmount between
LOW_WATER and HIGH_WATER (bufferedAmountLowThreshold + bufferedamountlow).
The receiver's own byte counter, read by meter.py, gives the goodput.

rtt: opens channel `echo` (the receiver sends every message back), sends
WARMUP then COUNT pings at INTERVAL spacing, one at a time, and times each
reply on a monotonic clock.

    python sender.py throughput BASE METRICS_URL METRIC [label=value ...] [--size N] [--seconds S] [--max-mib M]
                                [--stats URL] [--receiver-pid PID]
    python sender.py rtt BASE [--count N] [--warmup N] [--interval S]
"""
import argparse
import asyncio
import json
import time
import urllib.request

from common import HIGH_WATER, LOW_WATER, MIB, cpu_seconds, idle_since, machine_jiffies, percentile, rtc_peer
from meter import Meter, goodput


async def throughput(args):
    labels = dict(arg.split("=", 1) for arg in args.labels)
    meter = Meter(args.metrics_url, args.metric, **labels)
    loop = asyncio.get_running_loop()
    pc, (channel,), _ = await rtc_peer.connect(args.base, channels=({"label": "bulk"},))
    try:
        if args.stats:
            urllib.request.urlopen(urllib.request.Request(args.stats + "/reset", method="POST"), timeout=5).read()
        base = await loop.run_in_executor(None, meter.value)
        meter.start()
        await asyncio.sleep(0.2)  # the meter has its first sample
        channel.bufferedAmountLowThreshold = LOW_WATER
        drained = asyncio.Event()
        channel.on("bufferedamountlow", drained.set)
        payload = bytes(i * 131 % 251 for i in range(args.size))
        limit = args.max_mib * MIB
        sent, peak = 0, 0
        cpu_before = (cpu_seconds(args.receiver_pids), time.process_time(), machine_jiffies())
        start = time.monotonic()
        end = start + args.seconds
        while sent < limit and time.monotonic() < end:
            while channel.bufferedAmount + args.size <= HIGH_WATER and sent + args.size <= limit:
                channel.send(payload)
                sent += args.size
            peak = max(peak, channel.bufferedAmount)
            if sent + args.size > limit:
                break
            drained.clear()
            if channel.bufferedAmount > LOW_WATER:
                await asyncio.wait_for(drained.wait(), 60)
        sending = time.monotonic() - start
        # Bounded wait for the receiver to count every byte.
        deadline = time.monotonic() + 120
        while await loop.run_in_executor(None, meter.value) < base + sent:
            if time.monotonic() > deadline:
                raise RuntimeError("the receiver did not count every byte within 120 s")
            await asyncio.sleep(0.05)
        window = time.monotonic() - start
        receiver_cpu = cpu_seconds(args.receiver_pids) - cpu_before[0]
        sender_cpu = time.process_time() - cpu_before[1]
        idle = idle_since(cpu_before[2])
        await asyncio.sleep(0.1)  # the meter has sampled the end too
        rate, seconds = goodput(meter.stop(), base, sent)
        result = {"bytes": sent, "messages": sent // args.size, "seconds": round(seconds, 3),
                  "mb_per_s": round(rate / 1e6, 2), "sender_seconds": round(sending, 3),
                  "peak_buffered": peak, "sender_cpu": round(sender_cpu / window, 3),
                  "receiver_cpu": round(receiver_cpu / window, 3) if args.receiver_pids else None,
                  "machine_idle": idle}
        if args.stats:
            exact = json.loads(urllib.request.urlopen(args.stats, timeout=5).read())
            span = exact["last"] - exact["first"]
            result["exact_mb_per_s"] = round((exact["bytes"] - exact["first_size"]) / span / 1e6, 2)
        return result
    finally:
        meter.kill()
        await pc.close()


async def rtt(args):
    pc, (channel,), _ = await rtc_peer.connect(args.base, channels=({"label": "echo"},))
    try:
        inbox = rtc_peer.Inbox(channel)
        times = []
        next_at = time.monotonic()
        for i in range(args.warmup + args.count):
            text = f"ping {i}"
            sent = time.perf_counter_ns()
            channel.send(text)
            reply = await inbox.get(timeout=10)
            took = time.perf_counter_ns() - sent
            if reply != text:
                raise RuntimeError(f"expected {text!r}, got {reply!r}")
            if i >= args.warmup:
                times.append(took / 1e6)
            next_at += args.interval
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        times.sort()
        return {"pings": len(times), "p50_ms": round(percentile(times, 50), 3),
                "p99_ms": round(percentile(times, 99), 3), "max_ms": round(times[-1], 3)}
    finally:
        await pc.close()


def main():
    parser = argparse.ArgumentParser()
    modes = parser.add_subparsers(dest="mode", required=True)
    t = modes.add_parser("throughput")
    t.add_argument("base")
    t.add_argument("metrics_url")
    t.add_argument("metric")
    t.add_argument("labels", nargs="*")
    t.add_argument("--size", type=int, default=64 * 1024)
    t.add_argument("--seconds", type=float, default=10)
    t.add_argument("--max-mib", type=int, default=256)
    t.add_argument("--stats", help="the aiortc answerer's /stats, for the exact cross-check")
    t.add_argument("--receiver-pid", dest="receiver_pids", type=int, action="append", default=[],
                   help="the receiving process, whose CPU use over the transfer is reported (a fraction of one core)")
    r = modes.add_parser("rtt")
    r.add_argument("base")
    r.add_argument("--count", type=int, default=1000)
    r.add_argument("--warmup", type=int, default=50)
    r.add_argument("--interval", type=float, default=0.01)
    args = parser.parse_args()
    run = throughput if args.mode == "throughput" else rtt
    print(json.dumps(asyncio.run(asyncio.wait_for(run(args), 300))))


if __name__ == "__main__":
    main()
