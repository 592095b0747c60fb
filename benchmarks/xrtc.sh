#!/usr/bin/env bash
# XRTC server throughput and latency, in one run:
#   (a) wrk keep-alive POST load on /v1/item/set and /v1/item/get (valid cookie)
#       against Junction, and against nginx answering a static
#       `200 {"servertimestamp":1}` on the same machine → ratio. The loads
#       alternate between the two servers for ROUNDS rounds and the medians
#       are compared, so a burst of other work on the machine moves both;
#   (b) set → stream delivery latency, p50/p99 over 1,000 items at 1 ms spacing,
#       measured ROUNDS times (a fresh reader and writer each round); the
#       medians are reported with every round's figures, beside a raw TCP
#       floor without a server (benchmarks/xrtc/latency.py) and the CPU time
#       the hypervisor took meanwhile (steal).
# For reference, the item/set load also goes to the least a libwebsockets
# server can do (benchmarks/xrtc/lwsstatic.c: C, one thread, a static answer),
# and the CPU each server used per request is read from /proc.
# Installs wrk and nginx (Debian) when missing. Writes the table into BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
ITEMS=${ITEMS:-1000}
BIN=.build/release/junction

source benchmarks/lib.sh
ensure_tools wrk:wrk nginx:nginx-light

swift build -c release --product junction >&2
make_work_dir

JPORT=$(free_port)
NPORT=$(free_port)
LPORT=$(free_port)
KEY=bench-key-0123456789abcdef0123
ACCOUNT=AC0987654321012345

cat > "$WORK/routes.yaml" <<Y
listen: 127.0.0.1:$JPORT
xrtc:
  accounts:
    - id: $ACCOUNT
      api_keys: ["$KEY"]
  limits:
    logins_per_window: 100
Y
"$BIN" run "$WORK/routes.yaml" --log-level warning 2>"$WORK/junction.log" &
PIDS+=($!)
JPID=$!

start_nginx "$NPORT" '{"servertimestamp":1}' "$WORK"
pkg-config --exists libwebsockets || scripts/bootstrap.sh >&2
cc -O2 -Wall -o "$WORK/lwsstatic" benchmarks/xrtc/lwsstatic.c $(pkg-config --cflags --libs libwebsockets)
"$WORK/lwsstatic" "$LPORT" &
LPID=$!; PIDS+=("$LPID")

for _ in $(seq 100); do curl -fs "http://127.0.0.1:$JPORT/health" >/dev/null && break; sleep 0.05; done
for _ in $(seq 100); do curl -fs -X POST "http://127.0.0.1:$NPORT/" >/dev/null && break; sleep 0.05; done
for _ in $(seq 100); do curl -fs --max-time 2 -d x "http://127.0.0.1:$LPORT/" >/dev/null && break; sleep 0.05; done
NPIDS=$(pgrep -P "$(cat "$WORK/nginx.pid")" | tr '\n' ' ')

login() {
  curl -fs -D - -o /dev/null -X POST "http://127.0.0.1:$JPORT/v1/auth/login" \
    -d "{\"accountid\":\"$ACCOUNT\",\"apikey\":\"$KEY\"}" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(JSESSIONID=[^;]*\).*/\1/p'
}
COOKIE=$(login)
[ -n "$COOKIE" ] || { echo "login failed"; cat "$WORK/junction.log"; exit 1; }

# One Lua script per body; the cookie stays valid while wrk keeps using it.
wrk_script() { # $1 = body
  cat <<L
wrk.method = "POST"
wrk.body = '$1'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "$COOKIE"
L
}
SET_BODY='{"items":[{"portalid":"bench","payload":"seq=1 level=info abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWX"}]}'
GET_BODY='{"portals":[{"portalid":"bench"}],"mode":"probe"}'
wrk_script "$SET_BODY" > "$WORK/set.lua"
wrk_script "$GET_BODY" > "$WORK/get.lua"

ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }
# url script body pids… → requests/s (wrk's figure) and the pids' CPU µs per
# request; fails on non-2xx answers.
rps() {
  local url=$1 script=$2 body=$3 out t0 t1 rate; shift 3
  t0=$(ticks "$@")
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s "$script" "$url")
  t1=$(ticks "$@")
  echo "$out" >&2
  if echo "$out" | grep -q "Non-2xx"; then
    echo "non-2xx answers during the run; one of them:" >&2
    curl -s -X POST -H "Cookie: $COOKIE" --data-binary "$body" "$url" >&2
    exit 1
  fi
  rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  echo "$rate $(python3 -c "print('%.1f' % (($t1 - $t0) / $(getconf CLK_TCK) * 1e6 / ($rate * $DURATION)))")"
}

declare -a J_SETS N_SETS J_GETS N_GETS L_SETS J_CPU N_CPU L_CPU
TICKS0=$(cpu_ticks)
for _ in $(seq "$ROUNDS"); do
  read -r rate cpu < <(rps "http://127.0.0.1:$JPORT/v1/item/set" "$WORK/set.lua" "$SET_BODY" "$JPID"); J_SETS+=("$rate"); J_CPU+=("$cpu")
  read -r rate cpu < <(rps "http://127.0.0.1:$NPORT/v1/item/set" "$WORK/set.lua" "$SET_BODY" $NPIDS); N_SETS+=("$rate"); N_CPU+=("$cpu")
  read -r rate cpu < <(rps "http://127.0.0.1:$LPORT/v1/item/set" "$WORK/set.lua" "$SET_BODY" "$LPID"); L_SETS+=("$rate"); L_CPU+=("$cpu")
  read -r rate _ < <(rps "http://127.0.0.1:$JPORT/v1/item/get" "$WORK/get.lua" "$GET_BODY" "$JPID"); J_GETS+=("$rate")
  read -r rate _ < <(rps "http://127.0.0.1:$NPORT/v1/item/get" "$WORK/get.lua" "$GET_BODY" $NPIDS); N_GETS+=("$rate")
done
LOAD_STEAL=$(steal_percent "$TICKS0" "$(cpu_ticks)")
J_SET=$(median "${J_SETS[@]}"); N_SET=$(median "${N_SETS[@]}"); L_SET=$(median "${L_SETS[@]}")
J_GET=$(median "${J_GETS[@]}"); N_GET=$(median "${N_GETS[@]}")
RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$JPID/status")

# Set → stream latency (benchmarks/xrtc/latency.py), alternating with a raw
# TCP floor: the same two processes talking straight to each other, which is
# what Python and the machine take by themselves.
LAT_P50S=(); LAT_P99S=(); FLOOR_P50S=(); FLOOR_P99S=()
TICKS0=$(cpu_ticks)
for _ in $(seq "$ROUNDS"); do
  LAT=$(python3 benchmarks/xrtc/latency.py "$JPORT" "$ACCOUNT" "$KEY" "$ITEMS" junction) || { cat "$WORK/junction.log" >&2; exit 1; }
  LAT_P50S+=("${LAT% *}"); LAT_P99S+=("${LAT#* }")
  LAT=$(python3 benchmarks/xrtc/latency.py 0 - - "$ITEMS" direct)
  FLOOR_P50S+=("${LAT% *}"); FLOOR_P99S+=("${LAT#* }")
done
LAT_STEAL=$(steal_percent "$TICKS0" "$(cpu_ticks)")
P50=$(median "${LAT_P50S[@]}")
P99=$(median "${LAT_P99S[@]}")

ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }
SET_RATIO=$(ratio "$J_SET" "$N_SET")
GET_RATIO=$(ratio "$J_GET" "$N_GET")
L_RATIO=$(ratio "$L_SET" "$N_SET")
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
NPROC=$(nproc)

REPORT=$(cat <<R
## XRTC server (benchmarks/xrtc.sh)

wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s keep-alive POSTs, $NPROC cores ($CPU), release build.
nginx answers a static \`200 {"servertimestamp":1}\` on the same machine.
Junction and nginx alternate, $ROUNDS rounds; the table has the medians.

| load | Junction req/s | nginx req/s | Junction / nginx | target |
|---|---:|---:|---:|---:|
| item/set (1 item, valid cookie) | $J_SET | $N_SET | $SET_RATIO | ≥ 0.60 |
| item/get probe (valid cookie) | $J_GET | $N_GET | $GET_RATIO | |
| reference: libwebsockets alone (C, one thread, static answer) to the item/set load | $L_SET | $N_SET | $L_RATIO | |

CPU per item/set request (µs, the server's processes, from /proc; median of the rounds): Junction $(median "${J_CPU[@]}"),
nginx $(median "${N_CPU[@]}"), the libwebsockets reference $(median "${L_CPU[@]}"). Junction runs one libwebsockets context per
core; the reference has one thread (Debian builds libwebsockets with LWS_MAX_SMP 1).

Every round (req/s): Junction set ${J_SETS[*]}; nginx set ${N_SETS[*]}; reference set ${L_SETS[*]}; Junction get ${J_GETS[*]}; nginx get ${N_GETS[*]}.
CPU µs per set request, every round: Junction ${J_CPU[*]}; nginx ${N_CPU[*]}; reference ${L_CPU[*]}.

Set → stream delivery over $ITEMS items at 1 ms spacing, $ROUNDS rounds (medians): p50 ${P50} ms, p99 ${P99} ms (target p99 ≤ 2 ms).
Every round: p50 ${LAT_P50S[*]} ms; p99 ${LAT_P99S[*]} ms.
A raw TCP floor (the same two Python processes and pacing, JSON lines over one TCP connection, no HTTP, no server), alternating with those rounds: p50 $(median "${FLOOR_P50S[@]}") ms, p99 $(median "${FLOOR_P99S[@]}") ms (medians); every round p50 ${FLOOR_P50S[*]} ms, p99 ${FLOOR_P99S[*]} ms.
CPU time the hypervisor took (steal, /proc/stat): ${LOAD_STEAL}% during the throughput rounds, ${LAT_STEAL}% during the latency rounds.
Junction peak RSS during the run: $((RSS_KB / 1024)) MiB.
R
)
echo "$REPORT"

write_section "$REPORT"
