#!/usr/bin/env bash
# Webhook relay throughput and latency, in one run:
#   wrk keep-alive POSTs → relay → a local receiver (nginx answering 200),
#   for Junction (http source → webhook sink, durable SQLite outbox on disk)
#   and for a minimal aiohttp relay (benchmarks/webhook/relay.py) that
#   forwards inside its request handler. The two alternate for ROUNDS rounds
#   and the medians are compared: requests/s and wrk's p99 latency.
# Junction answers 202 once a message is committed to its outbox and
# delivers from there, so after each of its rounds the script waits until
# the outbox is empty and reports the end-to-end delivery rate too
# (messages delivered ÷ (load time + drain time)); every acknowledged
# message must have been delivered.
# Installs wrk and nginx (Debian) when missing. Writes the table into BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
SYNC=${SYNC:-normal}
BIN=.build/release/junction

source benchmarks/lib.sh
ensure_tools wrk:wrk nginx:nginx-light
scripts/bootstrap.sh --with-venv
PY=.venv/bin/python

swift build -c release --product junction >&2
make_work_dir "${BENCH_DIR:-$PWD/.build}"

JPORT=$(free_port)
APORT=$(free_port)
NPORT=$(free_port)
TARGET="http://127.0.0.1:$NPORT/hook"

start_nginx "$NPORT" '{"ok":true}' "$WORK" 1

cat > "$WORK/routes.yaml" <<Y
listen: 127.0.0.1:$JPORT
webhooks: { outbox: $WORK/outbox.db, sync: $SYNC }
sources:
  hooks: { type: http, path: /hooks/in }
sinks:
  out: { type: webhook, url: "$TARGET" }
routes:
  - { from: [hooks], to: [out] }
Y
"$BIN" run "$WORK/routes.yaml" --log-level warning 2>"$WORK/junction.log" &
PIDS+=($!)
JPID=$!
"$PY" benchmarks/webhook/relay.py "$APORT" "$TARGET" 2>"$WORK/relay.log" &
PIDS+=($!)

for _ in $(seq 200); do curl -fs "http://127.0.0.1:$JPORT/health" >/dev/null && break; sleep 0.05; done
for _ in $(seq 200); do curl -fs -o /dev/null -X POST -d '{}' "http://127.0.0.1:$APORT/hooks/in" && break; sleep 0.05; done
curl -fs -o /dev/null -X POST -d '{}' "$TARGET"

BODY='{"type":"invoice.paid","id":"evt_0123456789","data":{"amount":4200,"currency":"eur","customer":"cus_abcdefghijkl","note":"benchmark payload of about two hundred bytes"}}'
cat > "$WORK/post.lua" <<L
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
L

metric() { # name filter → value from Junction's /metrics
  curl -fs "http://127.0.0.1:$JPORT/metrics" | awk -v n="$1" -v f="$2" 'index($0, n) == 1 && index($0, f) { v = $NF } END { print v + 0 }'
}

# One wrk round: prints "req/s p99_ms completed"; fails on non-2xx answers.
round() { # url
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/post.lua" "$1")
  echo "$out" >&2
  if echo "$out" | grep -q "Non-2xx"; then echo "non-2xx answers from $1" >&2; exit 1; fi
  local rps p99 n
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {v = $2; if (v ~ /us$/) {sub(/us$/, "", v); v /= 1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v *= 1000}; print v}')
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  echo "$rps $p99 $n"
}

declare -a J_RPS J_P99 A_RPS A_P99 J_E2E
for _ in $(seq "$ROUNDS"); do
  before=$(metric junction_webhook_deliveries_total 'result="delivered"')
  read -r rps p99 n < <(round "http://127.0.0.1:$JPORT/hooks/in")
  t0=$(date +%s.%N)
  for _ in $(seq 1200); do
    [ $(( $(metric junction_webhook_deliveries_total 'result="delivered"') - before )) -ge "$n" ] && break
    sleep 0.05
  done
  drain=$(python3 -c "import time; print(max(0.0, time.time() - $t0))")
  after=$(metric junction_webhook_deliveries_total 'result="delivered"')
  delivered=$((after - before))
  if [ "$delivered" -lt "$n" ]; then
    echo "only $delivered of $n acknowledged messages were delivered" >&2; cat "$WORK/junction.log" >&2; exit 1
  fi
  J_RPS+=("$rps"); J_P99+=("$p99")
  J_E2E+=("$(python3 -c "print('%.0f' % ($delivered / ($DURATION + $drain)))")")
  read -r rps p99 n < <(round "http://127.0.0.1:$APORT/hooks/in")
  A_RPS+=("$rps"); A_P99+=("$p99")
done
RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$JPID/status")
OUTBOX_LEFT=$(sqlite3 "$WORK/outbox.db" 'SELECT COUNT(*) FROM outbox' 2>/dev/null || echo "?")

JR=$(median "${J_RPS[@]}"); AR=$(median "${A_RPS[@]}")
JP=$(median "${J_P99[@]}"); AP=$(median "${A_P99[@]}")
JE=$(median "${J_E2E[@]}")
RATIO=$(python3 -c "print('%.2f' % ($JR / $AR))")
E2E_RATIO=$(python3 -c "print('%.2f' % ($JE / $AR))")
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
NPROC=$(nproc)

REPORT=$(cat <<R
## Webhook relay (benchmarks/webhook.sh)

wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s keep-alive POSTs of a 200-byte JSON event, $NPROC cores ($CPU), release build.
Both relays forward to the same nginx answering \`200\`. Junction: http source → webhook sink
(default settings: 16 requests in flight) with the durable outbox on (SQLite WAL, \`sync: $SYNC\`, on disk); it answers 202 once the
message is committed. The aiohttp relay (benchmarks/webhook/relay.py) forwards inside its handler and answers
202 once the target did. They alternate, $ROUNDS rounds; the table has the medians.

| | Junction | aiohttp relay | Junction / aiohttp | target |
|---|---:|---:|---:|---:|
| requests/s (202 answers) | $JR | $AR | $RATIO | ≥ 5 |
| p99 latency (ms) | $JP | $AP | | lower |
| delivered/s end to end (load + drain) | $JE | $AR | $E2E_RATIO | |

Every round: Junction req/s ${J_RPS[*]}, p99 ms ${J_P99[*]}, delivered/s ${J_E2E[*]};
aiohttp req/s ${A_RPS[*]}, p99 ms ${A_P99[*]}.
Every acknowledged message was delivered (checked per round with junction_webhook_deliveries_total); outbox rows left: $OUTBOX_LEFT.
Junction peak RSS: $((RSS_KB / 1024)) MiB.
R
)
echo "$REPORT"

write_section "$REPORT"
