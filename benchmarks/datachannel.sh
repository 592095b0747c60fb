#!/usr/bin/env bash
# WebRTC data channel throughput and latency, in one run:
#   (a) aiortc → Junction vs aiortc → aiortc throughput, 64 KiB binary messages
#       for RUN_SECONDS or MAX_MIB, the sender keeping bufferedAmount between
#       1 and 4 MiB. The same sender code (benchmarks/datachannel/sender.py)
#       offers to either receiver at POST /rtc/offer. Junction routes the
#       channel into a file sink on /dev/null; the aiortc receiver is a second
#       aiortc peer in its own process. Goodput is counted at the receiver, the
#       same way for both (meter.py polls its byte counter: Junction's sink
#       junction_bytes_total, the aiortc receiver's own counter). The runs
#       alternate for ROUNDS rounds and the medians are compared;
#   (b) round trip p50/p99 over PINGS pings at 10 ms spacing after WARMUP,
#       aiortc ↔ Junction (echo route) vs aiortc ↔ aiortc (echo);
#   (c) Chromium → Junction throughput, 16 KiB messages, headless Debian
#       chromium driven by Selenium inside a private network namespace
#       (unshare -n, veth at 10.99.0.1) as the Chromium interop test does.
# Receiver and sender CPU use is read from /proc over each transfer.
# Installs what it needs (scripts/bootstrap.sh), builds Junction release,
# writes its section into BENCHMARKS.md and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
RUN_SECONDS=${RUN_SECONDS:-10}
MAX_MIB=${MAX_MIB:-256}
PINGS=${PINGS:-1000}
WARMUP=${WARMUP:-50}

if [ ! -x .venv/bin/python ] || ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  scripts/bootstrap.sh --with-venv >&2
fi
PY=$PWD/.venv/bin/python
HELPERS=$PWD/benchmarks/datachannel

BIN=$PWD/.build/release/junction
BUILD="release build"
swift build -c release --product junction >&2

source benchmarks/lib.sh
make_work_dir

JPORT=$(free_port)
APORT=$(free_port)
JBASE=http://127.0.0.1:$JPORT
ABASE=http://127.0.0.1:$APORT

cat > "$WORK/routes.yaml" <<Y
listen: 127.0.0.1:$JPORT
rtc:
  addresses: [127.0.0.1]
sources:
  bulk_in: { type: datachannel, label: bulk }
  echo_in: { type: datachannel, label: echo }
sinks:
  discard: { type: file, path: /dev/null, codec: raw }
  echo_out: { type: datachannel, label: echo }
routes:
  - { from: bulk_in, to: discard }
  - { from: echo_in, to: echo_out }
Y
"$BIN" run "$WORK/routes.yaml" --log-level warning 2>"$WORK/junction.log" &
JPID=$!
PIDS+=("$JPID")
(cd "$HELPERS" && exec "$PY" answerer.py "$APORT") 2>"$WORK/answerer.log" &
APID=$!
PIDS+=("$APID")
for base in "$JBASE" "$ABASE"; do
  for _ in $(seq 200); do curl -fs "$base/health" >/dev/null && break; sleep 0.05; done
  curl -fs "$base/health" >/dev/null || { echo "$base did not start"; cat "$WORK/junction.log" "$WORK/answerer.log"; exit 1; }
done

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
helper() { (cd "$HELPERS" && timeout 400 "$PY" "$@"); }
send_bulk() { # base metrics-url metric label... → one JSON line
  helper sender.py throughput "$@" --seconds "$RUN_SECONDS" --max-mib "$MAX_MIB" | tail -1
}

: > "$WORK/throughput.jsonl"
for round in $(seq "$ROUNDS"); do
  j=$(send_bulk "$JBASE" "$JBASE/metrics" junction_bytes_total component=discard kind=sink --receiver-pid "$JPID")
  echo "round $round aiortc → Junction: $j" >&2
  sleep 1
  a=$(send_bulk "$ABASE" "$ABASE/metrics" bench_received_bytes_total label=bulk --receiver-pid "$APID" --stats "$ABASE/stats")
  echo "round $round aiortc → aiortc:   $a" >&2
  sleep 1
  printf '{"junction": %s, "aiortc": %s}\n' "$j" "$a" >> "$WORK/throughput.jsonl"
done

sleep 2  # the bulk sessions are closed on both sides
J_RTT=$(helper sender.py rtt "$JBASE" --count "$PINGS" --warmup "$WARMUP" | tail -1)
echo "round trip aiortc ↔ Junction: $J_RTT" >&2
A_RTT=$(helper sender.py rtt "$ABASE" --count "$PINGS" --warmup "$WARMUP" | tail -1)
echo "round trip aiortc ↔ aiortc:   $A_RTT" >&2
RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$JPID/status")
kill "$JPID" "$APID"
wait "$JPID" "$APID" 2>/dev/null || true
PIDS=()

# Chromium gathers no loopback candidates: it and its own Junction run in a
# private network namespace whose only traffic is between the two of them.
NAMESPACE_SETUP="ip link set lo up && ip link add v0 type veth peer name v1 && ip addr add 10.99.0.1/24 dev v0 && ip link set v0 up && ip link set v1 up"
: > "$WORK/chromium.jsonl"
if unshare -n true 2>/dev/null; then
  for round in $(seq "$ROUNDS"); do
    c=$(cd "$HELPERS" && timeout 400 unshare -n sh -c "$NAMESPACE_SETUP"' && exec "$0" "$@"' \
          "$PY" chromium.py "$BIN" "$WORK" --seconds "$RUN_SECONDS" --max-mib "$MAX_MIB" | tail -1)
    echo "round $round Chromium → Junction: $c" >&2
    echo "$c" >> "$WORK/chromium.jsonl"
  done
else
  echo "datachannel bench: cannot make a network namespace (unshare -n); Chromium → Junction not measured" >&2
fi

SECTION=$("$PY" - "$WORK" "$J_RTT" "$A_RTT" "$ROUNDS" "$RUN_SECONDS" "$MAX_MIB" "$PINGS" "$WARMUP" "$RSS_KB" "$BUILD" "$LOAD_BEFORE" <<'PY'
import json, os, statistics, sys, time
work, j_rtt, a_rtt = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
rounds, seconds, max_mib, pings, warmup, rss_kb, build, load = sys.argv[4:12]
runs = [json.loads(l) for l in open(os.path.join(work, "throughput.jsonl")) if l.strip()]
chromium = [json.loads(l) for l in open(os.path.join(work, "chromium.jsonl")) if l.strip()]
med = lambda xs: statistics.median(xs)
j_mb = med([r["junction"]["mb_per_s"] for r in runs])
a_mb = med([r["aiortc"]["mb_per_s"] for r in runs])
ratio = j_mb / a_mb
added_p50 = j_rtt["p50_ms"] - a_rtt["p50_ms"]
added_p99 = j_rtt["p99_ms"] - a_rtt["p99_ms"]
c_mb = med([c["mb_per_s"] for c in chromium]) if chromium else None
def cores(rs, key): return med([r[key] for r in rs])
j_cpu = cores([r["junction"] for r in runs], "receiver_cpu")
a_cpu = cores([r["aiortc"] for r in runs], "receiver_cpu")
s_cpu_j = cores([r["junction"] for r in runs], "sender_cpu")
s_cpu_a = cores([r["aiortc"] for r in runs], "sender_cpu")
cpu = open("/proc/cpuinfo").read().split("model name")[1].split(":")[1].split("\n")[0].strip()
ok = lambda good: "met" if good else "**missed**"
lines = [
    "## WebRTC data channels (benchmarks/datachannel.sh)",
    "",
    f"{os.cpu_count()} cores ({cpu}), {build}; measured {time.strftime('%Y-%m-%d', time.gmtime())}, load average before the run {load}.",
    "All traffic on loopback, or inside a private network namespace for Chromium.",
    "",
    "| measurement | Junction | aiortc peer | Junction vs aiortc | target |",
    "|---|---:|---:|---:|---:|",
    f"| aiortc → receiver, 64 KiB messages, MB/s (median of {rounds}) | {j_mb:.2f} | {a_mb:.2f} | {ratio:.2f}× | ≥ 1.0× ({ok(ratio >= 1.0)}) |",
    f"| round trip p50, ms ({pings} pings, 10 ms apart) | {j_rtt['p50_ms']:.3f} | {a_rtt['p50_ms']:.3f} | {added_p50:+.3f} ms | |",
    f"| round trip p99, ms | {j_rtt['p99_ms']:.3f} | {a_rtt['p99_ms']:.3f} | {added_p99:+.3f} ms | ≤ +2 ms ({ok(added_p99 <= 2)}) |",
    (f"| Chromium → Junction, 16 KiB messages, MB/s (median of {len(chromium)}) | {c_mb:.2f} | — | — | ≥ 30 ({ok(c_mb >= 30)}) |"
     if chromium else "| Chromium → Junction, 16 KiB messages, MB/s | not measured (no network namespace) | — | — | ≥ 30 |"),
    "",
    "Method:",
    f"- Throughput: one aiortc 1.16 sender (benchmarks/datachannel/sender.py) sends binary messages on a channel `bulk` for {seconds} s or {max_mib} MiB,",
    "  refilling to at most 4 MiB of bufferedAmount whenever `bufferedamountlow` fires at 1 MiB (bufferedAmountLowThreshold).",
    "  Junction routes `bulk` into a `file` sink on /dev/null (codec raw), so every byte crosses the whole pipeline;",
    "  the aiortc receiver is a second aiortc peer in its own process that answers at the same POST /rtc/offer and counts bytes.",
    "  Goodput is measured at the receiver and the same way for both: meter.py polls the receiver's byte counter every 20 ms",
    "  (Junction's `junction_bytes_total{component=\"discard\",kind=\"sink\"}` on /metrics; the aiortc receiver's own counter)",
    "  and divides the bytes between the first sample showing arrivals and the first showing all of them by the time between the two.",
    "  Junction and aiortc runs alternate; CPU use is read from /proc over each transfer.",
    f"- Round trip: channel `echo` (Junction: an echo route `echo_in → echo_out`; aiortc: the receiver sends each message back), {warmup} warm-ups,",
    f"  then {pings} text pings one at a time, 10 ms apart, timed on a monotonic clock at the sender. Junction's added round trip is",
    "  Junction's percentile minus the aiortc echo peer's: the Python peer on the far side is replaced by Junction.",
    f"- Chromium: headless Debian chromium (Selenium) in `unshare -n` with a veth at 10.99.0.1 sends 16 KiB messages for {seconds} s or {max_mib} MiB",
    "  with the same 1–4 MiB bufferedAmount pacing to a Junction started in the namespace; goodput at Junction's sink counter as above.",
    "",
    "Every run (MB/s): aiortc → Junction " + ", ".join(f"{r['junction']['mb_per_s']:.2f}" for r in runs)
    + "; aiortc → aiortc " + ", ".join(f"{r['aiortc']['mb_per_s']:.2f}" for r in runs)
    + (" (exact arrival times at the aiortc receiver: " + ", ".join(f"{r['aiortc']['exact_mb_per_s']:.2f}" for r in runs) + ")")
    + ("; Chromium → Junction " + ", ".join(f"{c['mb_per_s']:.2f}" for c in chromium) if chromium else "") + ".",
    "",
    f"CPU over the aiortc transfers (median, fraction of one core): sender {s_cpu_j:.2f} when Junction receives, {s_cpu_a:.2f} when aiortc receives;"
    f" receiver Junction {j_cpu:.2f} (≈ {j_mb / j_cpu:.0f} MB/s per core of Junction CPU), aiortc {a_cpu:.2f}.",
]
if chromium:
    c_j = med([c["receiver_cpu"] for c in chromium]); c_s = med([c["sender_cpu"] for c in chromium])
    lines.append(f"CPU over the Chromium transfers (median, cores): Chromium (all its processes) {c_s:.2f}, Junction {c_j:.2f}"
                 f" (≈ {c_mb / c_j:.0f} MB/s per core of Junction CPU).")
idle = [r[k]["machine_idle"] for r in runs for k in ("junction", "aiortc")] + [c["machine_idle"] for c in chromium]
lines.append(f"Machine CPU left idle during the transfers: {min(idle):.0%}–{max(idle):.0%} of {os.cpu_count()} cores"
             " (near 0 % means the transfer competed for CPU with everything else on the machine).")
lines.append(f"Junction peak RSS during the aiortc runs: {int(rss_kb) // 1024} MiB.")
print("\n".join(lines))
PY
)
echo "$SECTION"

write_section "$SECTION"
