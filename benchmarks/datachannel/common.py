"""Shared by the benchmark's Python helpers: the interop suite's aiortc peer
(which points aioice's gathering at 127.0.0.1), a health wait and
percentiles."""
import os
import sys
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Tests", "interop"))

import rtc_peer  # noqa: E402  (patches aioice gathering to 127.0.0.1)

MIB = 1 << 20
LOW_WATER = 1 * MIB   # bufferedAmountLowThreshold: refill when the buffer drains to this
HIGH_WATER = 4 * MIB  # never queue more than this


def wait_healthy(base, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(base + "/health", timeout=1).status == 200:
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{base} did not become healthy in {timeout} s")


def cpu_seconds(pids):
    """User + system CPU seconds used so far by the processes `pids` (all their threads)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def machine_jiffies():
    """(idle, total) CPU time of the whole machine so far, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return fields[3] + fields[4], sum(fields[:8])  # idle + iowait; user…steal


def idle_since(before):
    """Fraction of the machine's CPU time that was idle since `before` (a machine_jiffies())."""
    idle, total = machine_jiffies()
    return round((idle - before[0]) / max(1, total - before[1]), 3)


def descendants(pid):
    """`pid` and every process below it."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]
