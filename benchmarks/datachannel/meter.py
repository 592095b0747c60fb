"""Receiver-side byte counting for the throughput runs, the same way for
every receiver: a small process polls a Prometheus-style counter over HTTP
(Junction's /metrics, or the aiortc receiver's) every INTERVAL seconds and
notes (time, value) whenever the value changes, on CLOCK_MONOTONIC, which
all processes of the machine share.

Goodput is then taken between two samples: the first that shows bytes
arrived and the first that shows all of them,
(value_last - value_first) / (t_last - t_first), so the sampling interval
adds no bias, only a jitter of about one interval over the ~10 s run.

    python meter.py URL NAME [label=value ...]   # polls until stdin closes, then prints the samples as JSON
"""
import http.client
import json
import select
import subprocess
import sys
import time
import urllib.parse

INTERVAL = 0.02
MAX_SECONDS = 900  # a bound on the polling loop, whatever happens to the parent


def read_counter(text, name, labels):
    """Sum of the series `name` whose labels include every `k="v"` in `labels`."""
    total = 0.0
    for line in text.splitlines():
        if not (line.startswith(name + " ") or line.startswith(name + "{")):
            continue
        head, _, value = line.rpartition(" ")
        if all(f'{k}="{v}"' in head for k, v in labels.items()):
            total += float(value)
    return total


class Poller:
    def __init__(self, url, name, labels):
        u = urllib.parse.urlsplit(url)
        self.host, self.port, self.path = u.hostname, u.port or 80, u.path or "/"
        self.name, self.labels = name, labels
        self.conn = None

    def sample(self):
        """(monotonic time at the middle of the request, counter value)."""
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=5)
                before = time.monotonic()
                self.conn.request("GET", self.path)
                text = self.conn.getresponse().read().decode()
                after = time.monotonic()
                return (before + after) / 2, read_counter(text, self.name, self.labels)
            except (OSError, http.client.HTTPException):
                self.conn = None
                if attempt:
                    raise


class Meter:
    """Runs this file as a child process; `stop()` returns its samples."""

    def __init__(self, url, name, **labels):
        self.url, self.name, self.labels = url, name, labels
        self.proc = None

    def value(self):
        return Poller(self.url, self.name, self.labels).sample()[1]

    def start(self):
        args = [sys.executable, __file__, self.url, self.name] + [f"{k}={v}" for k, v in self.labels.items()]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        return self

    def stop(self):
        try:
            out, _ = self.proc.communicate(input="", timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
            raise
        return json.loads(out)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def goodput(samples, base, total):
    """Bytes/s between the first sample above `base` and the first at `base + total`."""
    first = next((s for s in samples if s[1] > base), None)
    last = next((s for s in samples if s[1] >= base + total), None)
    if first is None or last is None or last[0] <= first[0]:
        raise RuntimeError(f"meter saw no complete transfer (base {base}, total {total}, {len(samples)} samples)")
    return (last[1] - first[1]) / (last[0] - first[0]), last[0] - first[0]


def main():
    url, name = sys.argv[1], sys.argv[2]
    labels = dict(arg.split("=", 1) for arg in sys.argv[3:])
    poller = Poller(url, name, labels)
    samples = []
    deadline = time.monotonic() + MAX_SECONDS
    next_at = time.monotonic()
    while time.monotonic() < deadline:
        t, v = poller.sample()
        if not samples or v != samples[-1][1]:
            samples.append((t, v))
        next_at += INTERVAL
        wait = max(0.0, next_at - time.monotonic())
        if select.select([sys.stdin], [], [], wait)[0]:
            if not sys.stdin.read():
                break
    json.dump(samples, sys.stdout)


if __name__ == "__main__":
    main()
