#!/usr/bin/env bash
# WebSocket relay throughput, latency and memory, in one run:
#   producer → relay → consumer, for two relays:
#   (a) Junction (release build): `{type: websocket, path: /in}` source →
#       `{type: websocket, path: /out}` sink (broadcast to every consumer),
#       `when_full: block`, on the shared listener;
#   (b) a minimal Python `websockets` relay (benchmarks/websocket/relay.py,
#       asyncio): every message received on /in is sent to every client on /out;
#   and, for reference, (c) the least a libwebsockets relay can do: C, one
#       thread, a ring from /in to /out (benchmarks/websocket/lwsrelay.c), the
#       bound for any relay on libwebsockets with this load program.
# The producer and consumer are one C program on libwebsockets
# (benchmarks/websocket/wsload.c, compiled here into a temporary directory), the
# same for both relays, so the ratio measures the relays:
#   1. throughput: 100-byte binary messages, at most WINDOW in flight
#      (sent and not yet received by the consumer), counted at the consumer
#      over DURATION s after a 1 s warm-up; order and loss checked;
#   2. one-way latency p50/p99 at RATE msg/s for LAT_SECONDS s, CLOCK_MONOTONIC
#      send time in the payload;
#   3. RSS with IDLE idle WebSocket connections open (VmRSS before/after,
#      per-connection KB), on freshly started relays.
# Throughput and latency alternate between the relays for ROUNDS rounds; the
# table has the medians (the reference relay is not in the memory test). Writes its section into BENCHMARKS.md and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
WINDOW=${WINDOW:-1000}
SIZE=${SIZE:-100}
RATE=${RATE:-1000}
LAT_SECONDS=${LAT_SECONDS:-5}
IDLE=${IDLE:-5000}
PY=${PY:-$PWD/.venv/bin/python}
BIN=$PWD/.build/release/junction

source benchmarks/lib.sh
if [ ! -x "$PY" ] || ! "$PY" -c 'import websockets' 2>/dev/null; then scripts/bootstrap.sh --with-venv >&2; PY=$PWD/.venv/bin/python; fi
pkg-config --exists libwebsockets || scripts/bootstrap.sh >&2

# Room for IDLE connections in this shell, the relays and the load program.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -ge $((IDLE + 1000)) ] || { echo "ulimit -n $(ulimit -n) is below $((IDLE + 1000))" >&2; exit 1; }

swift build -c release --product junction >&2
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
make_work_dir

cc -O2 -Wall -o "$WORK/wsload" benchmarks/websocket/wsload.c $(pkg-config --cflags --libs libwebsockets)
cc -O2 -Wall -o "$WORK/lwsrelay" benchmarks/websocket/lwsrelay.c $(pkg-config --cflags --libs libwebsockets)
LOAD=$WORK/wsload

JPORT=$(free_port)
APORT=$(free_port)
CPORT=$(free_port)
cat > "$WORK/routes.yaml" <<Y
listen: { address: 127.0.0.1:$JPORT, max_connections: $((IDLE + 1000)) }
sources:
  in: { type: websocket, path: /in }
sinks:
  out: { type: websocket, path: /out }
routes:
  - { from: in, to: out, when_full: block }
Y

JPID=""; APID=""; CPID=""
start_junction() {
  "$BIN" run "$WORK/routes.yaml" --log-level warning 2>>"$WORK/junction.log" &
  JPID=$!; PIDS+=("$JPID")
  for _ in $(seq 200); do curl -fs "http://127.0.0.1:$JPORT/health" >/dev/null && return 0; sleep 0.05; done
  echo "Junction did not start" >&2; cat "$WORK/junction.log" >&2; exit 1
}
start_python() {
  "$PY" benchmarks/websocket/relay.py "$APORT" 2>>"$WORK/relay.log" &
  APID=$!; PIDS+=("$APID")
  for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$APORT") 2>/dev/null && return 0; sleep 0.05; done
  echo "the Python relay did not start" >&2; cat "$WORK/relay.log" >&2; exit 1
}
start_reference() {
  "$WORK/lwsrelay" "$CPORT" 2>>"$WORK/lwsrelay.log" &
  CPID=$!; PIDS+=("$CPID")
  for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$CPORT") 2>/dev/null && return 0; sleep 0.05; done
  echo "the reference relay did not start" >&2; cat "$WORK/lwsrelay.log" >&2; exit 1
}
stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
field() { # key line → value
  echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | tr -d '%'
}

# 3. Idle connections, on fresh processes: one warm-up throughput burst
# first, so the relay's hot path has been allocated before "before".
idle_round() { # pid port → "before_kb after_kb per_conn_kb"
  local pid=$1 port=$2 before after
  "$LOAD" throughput 127.0.0.1 "$port" 1 "$WINDOW" "$SIZE" >/dev/null
  sleep 0.5
  before=$(rss_kb "$pid")
  "$LOAD" idle 127.0.0.1 "$port" /out "$IDLE" > "$WORK/idle.out" 2>>"$WORK/idle.log" &
  local lpid=$!
  for _ in $(seq 1200); do grep -q '^ready' "$WORK/idle.out" && break; kill -0 "$lpid" 2>/dev/null || break; sleep 0.05; done
  grep -q "^ready $IDLE" "$WORK/idle.out" || { echo "idle connections did not open" >&2; cat "$WORK/idle.log" >&2; exit 1; }
  sleep 1
  after=$(rss_kb "$pid")
  kill -0 "$lpid" 2>/dev/null || { echo "idle load exited early" >&2; cat "$WORK/idle.log" >&2; exit 1; }
  stop_pid "$lpid"
  : > "$WORK/idle.out"
  echo "$before $after $(python3 -c "print('%.1f' % (($after - $before) / $IDLE))")"
}

start_junction
read -r J_RSS0 J_RSS1 J_PERCONN < <(idle_round "$JPID" "$JPORT")
stop_pid "$JPID"
start_python
read -r A_RSS0 A_RSS1 A_PERCONN < <(idle_round "$APID" "$APORT")
stop_pid "$APID"
echo "idle: Junction $J_RSS0 → $J_RSS1 kB ($J_PERCONN KB/conn); Python $A_RSS0 → $A_RSS1 kB ($A_PERCONN KB/conn)" >&2

# 1 and 2, alternating, on fresh relays.
start_junction
start_python
start_reference
TICK=$(getconf CLK_TCK)
throughput() { # pid port → wsload's line + relay_cpu=%
  local t0 c0 out c1 t1
  t0=$(date +%s.%N); c0=$(cpu_ticks "$1")
  out=$("$LOAD" throughput 127.0.0.1 "$2" "$DURATION" "$WINDOW" "$SIZE")
  c1=$(cpu_ticks "$1"); t1=$(date +%s.%N)
  echo "$out relay_cpu=$(python3 -c "print('%.0f' % (100 * ($c1 - $c0) / $TICK / ($t1 - $t0)))")"
}
latency() { "$LOAD" latency 127.0.0.1 "$2" "$LAT_SECONDS" "$RATE" "$SIZE"; }

declare -a J_RATE A_RATE J_P50 A_P50 J_P99 A_P99 J_LCPU A_LCPU J_RCPU A_RCPU C_RATE C_LCPU C_P50 C_P99
for r in $(seq "$ROUNDS"); do
  out=$(throughput "$JPID" "$JPORT"); echo "round $r Junction: $out" >&2
  J_RATE+=("$(field rate "$out")"); J_LCPU+=("$(field cpu "$out")"); J_RCPU+=("$(field relay_cpu "$out")")
  out=$(throughput "$APID" "$APORT"); echo "round $r Python: $out" >&2
  A_RATE+=("$(field rate "$out")"); A_LCPU+=("$(field cpu "$out")"); A_RCPU+=("$(field relay_cpu "$out")")
  out=$(throughput "$CPID" "$CPORT"); echo "round $r reference: $out" >&2
  C_RATE+=("$(field rate "$out")"); C_LCPU+=("$(field cpu "$out")")
  out=$(latency "$JPID" "$JPORT"); echo "round $r Junction: $out" >&2
  J_P50+=("$(field p50_ms "$out")"); J_P99+=("$(field p99_ms "$out")")
  out=$(latency "$APID" "$APORT"); echo "round $r Python: $out" >&2
  A_P50+=("$(field p50_ms "$out")"); A_P99+=("$(field p99_ms "$out")")
  out=$(latency "$CPID" "$CPORT"); echo "round $r reference: $out" >&2
  C_P50+=("$(field p50_ms "$out")"); C_P99+=("$(field p99_ms "$out")")
done
J_PEAK=$(awk '/^VmHWM/ {print $2}' "/proc/$JPID/status")

JR=$(median "${J_RATE[@]}"); AR=$(median "${A_RATE[@]}")
J50=$(median "${J_P50[@]}"); A50=$(median "${A_P50[@]}")
J99=$(median "${J_P99[@]}"); A99=$(median "${A_P99[@]}")
CR=$(median "${C_RATE[@]}"); C50=$(median "${C_P50[@]}"); C99=$(median "${C_P99[@]}")
C_RATIO=$(python3 -c "print('%.2f' % ($CR / $AR))")
J_OF_C=$(python3 -c "print('%.0f' % (100 * $JR / $CR))")
C_LOAD=$(median "${C_LCPU[@]}")
C_NOTE=$(python3 -c "print(': there the load program, not the relay, ran out of CPU' if $C_LOAD >= 90 else '')")
RATIO=$(python3 -c "print('%.2f' % ($JR / $AR))")
ROUND_RATIOS=$(python3 -c "j='${J_RATE[*]}'.split(); a='${A_RATE[*]}'.split(); print(' '.join('%.2f' % (float(x) / float(y)) for x, y in zip(j, a)))")
verdict() { python3 -c "print('met' if $1 else '**missed**')"; }
V_RATE=$(verdict "$JR >= 10 * $AR")
V_P50=$(verdict "$J50 < $A50"); V_P99=$(verdict "$J99 < $A99")
wins() { python3 -c "j='$1'.split(); a='$2'.split(); print(sum(float(x) < float(y) for x, y in zip(j, a)))"; }
W50=$(wins "${J_P50[*]}" "${A_P50[*]}"); W99=$(wins "${J_P99[*]}" "${A_P99[*]}")
V_MEM=$(verdict "$J_PERCONN <= 50")
LOAD_PEAK=$(printf '%s\n' "${J_LCPU[@]}" "${A_LCPU[@]}" | sort -g | tail -1)
LOAD_VERDICT=$(python3 -c "print('not the bottleneck' if $LOAD_PEAK < 90 else '**possibly the bottleneck** (over 90% of a core)')")
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
NPROC=$(nproc)
LWS=$(pkg-config --modversion libwebsockets | sed 's/-$//')
WSV=$("$PY" -c 'import websockets; print(websockets.__version__)')
PYV=$("$PY" -c 'import platform; print(platform.python_version())')

REPORT=$(cat <<R
## WebSocket relay (benchmarks/websocket.sh)

producer → relay → consumer over loopback WebSockets, $NPROC cores ($CPU), release build; measured $(date -u +%F),
load average before the run $LOADAVG.
Junction: \`{type: websocket, path: /in}\` source → \`{type: websocket, path: /out}\` sink (broadcast), \`when_full: block\`,
default listener threads. Python relay: benchmarks/websocket/relay.py, websockets $WSV on asyncio (Python $PYV), one process,
every message from /in awaited into every /out client. Reference: benchmarks/websocket/lwsrelay.c, the least a relay on libwebsockets
can do (C, one thread, a ring from /in to /out, no pipeline). Throughput and latency alternate between the three for $ROUNDS rounds;
the table has the medians.

| measurement | Junction | Python websockets | Junction vs Python | target | reference (C lws relay) |
|---|---:|---:|---:|---:|---:|
| throughput, ${SIZE}-byte messages/s to one consumer | $JR | $AR | ${RATIO}× | ≥ 10× ($V_RATE) | $CR (${C_RATIO}× Python; Junction ${J_OF_C}% of it) |
| one-way latency p50 at $RATE msg/s (ms) | $J50 | $A50 | lower in $W50 of $ROUNDS rounds | below Python ($V_P50) | $C50 |
| one-way latency p99 at $RATE msg/s (ms) | $J99 | $A99 | lower in $W99 of $ROUNDS rounds | below Python ($V_P99) | $C99 |
| RSS per idle connection, $IDLE connections (KB) | $J_PERCONN | $A_PERCONN | | ≤ 50 KB ($V_MEM) | |

Method:
- Load: one C program on libwebsockets $LWS (benchmarks/websocket/wsload.c, \`cc -O2\`), the same for both relays. It opens the consumer
  on /out, then the producer on /in, and sends sync messages until one comes through. Throughput: the producer writes ${SIZE}-byte binary
  messages whenever fewer than $WINDOW are in flight (sent and not yet received; producer and consumer share the process, so it reads
  the consumer's count directly), which bounds what any relay can buffer. It writes them as ready-made masked frames, up to 64 KiB of
  them in one write and starting again once a quarter of the window is free, so that one send() per message does not make the load
  program the bottleneck; every relay still parses and forwards each message. After a 1 s warm-up the consumer's count over ${DURATION} s is the
  rate. Sequence numbers are checked: nothing lost, nothing out of order. Latency: $RATE messages/s for ${LAT_SECONDS} s, each stamped with
  CLOCK_MONOTONIC when written; one-way latency at arrival; the first 100 are not counted; none lost.
- Memory: on freshly started relays, after one 1 s throughput burst, VmRSS before and 1 s after $IDLE idle connections to /out are open
  (the same program, mode \`idle\`); (after − before) ÷ $IDLE. \`ulimit -n\` is raised to the hard limit; Junction's
  \`listen: {max_connections: $((IDLE + 1000))}\` (per network thread).
- CPU during throughput rounds (% of one core, from /proc and getrusage): load program Junction rounds ${J_LCPU[*]}, Python rounds ${A_LCPU[*]};
  relay Junction ${J_RCPU[*]}, Python ${A_RCPU[*]}. The load program is single-threaded and peaks at ${LOAD_PEAK}% of its core, so it is
  $LOAD_VERDICT; on $NPROC cores it does take CPU that a multi-threaded relay (Junction) could otherwise use, which the single-threaded Python relay cannot.
- The reference relay bounds what a relay on libwebsockets reaches with this load program on this machine: $CR msg/s
  (${C_RATIO}× Python), with the load program at ${C_LCPU[*]}% of a core (median $C_LOAD%)$C_NOTE. Junction reached ${J_OF_C}% of it;
  ten times Python's rate would be $((10 * ${AR%.*})) msg/s.

Every round: throughput msg/s Junction ${J_RATE[*]}, Python ${A_RATE[*]} (Junction ÷ Python ${ROUND_RATIOS}); p50 ms Junction ${J_P50[*]}, Python ${A_P50[*]};
p99 ms Junction ${J_P99[*]}, Python ${A_P99[*]}. Reference: throughput ${C_RATE[*]}; p50 ${C_P50[*]}; p99 ${C_P99[*]}.
Idle RSS: Junction $J_RSS0 → $J_RSS1 kB, Python $A_RSS0 → $A_RSS1 kB. Junction peak RSS over the throughput and latency rounds: $((J_PEAK / 1024)) MiB.
R
)
echo "$REPORT"

write_section "$REPORT"
