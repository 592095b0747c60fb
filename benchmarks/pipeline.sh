#!/usr/bin/env bash
# Pipeline throughput: Junction vs the jq CLI on 1,000,000 JSON lines, in one run.
#   (a) stdin → jq stage 'select(.seq % 2 == 0) | {portalid, payload}' → stdout   vs  jq -c (same program)
#   (b) stdin → native filter level == alert → stdout                              vs  jq -c 'select(.level == "alert")'
#   (c) stdin → stdout passthrough
# Prints lines/s, ratios and peak RSS; writes the table into BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000000}
RUNS=${RUNS:-3}
BIN=.build/release/junction
swift build -c release --product junction >&2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - "$N" > "$WORK/in.jsonl" <<'PY'
import sys
n = int(sys.argv[1])
pad = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWX"  # 60 chars
w = sys.stdout.write
for i in range(n):
    level = "alert" if i % 10 == 0 else "info"
    w('{"seq":%d,"level":"%s","portalid":"p%d","payload":"%s"}\n' % (i, level, i % 32, pad))
PY

cat > "$WORK/jq.yaml" <<'Y'
sources: { in: { type: stdin } }
stages: { sel: { type: jq, expr: 'select(.seq % 2 == 0) | {portalid, payload}' } }
sinks: { out: { type: stdout } }
routes: [ { from: [in], via: [sel], to: [out] } ]
Y
cat > "$WORK/filter.yaml" <<'Y'
sources: { in: { type: stdin } }
stages: { alerts: { type: filter, where: { field: level, equals: alert } } }
sinks: { out: { type: stdout } }
routes: [ { from: [in], via: [alerts], to: [out] } ]
Y
cat > "$WORK/pass.yaml" <<'Y'
sources: { in: { type: stdin } }
sinks: { out: { type: stdout } }
routes: [ { from: [in], to: [out] } ]
Y

# best of RUNS: prints "seconds peak_rss_kib"
best() {
  local out=$1; shift
  local best_t="" best_r=0
  for _ in $(seq "$RUNS"); do
    read -r t r < <(python3 benchmarks/measure.py "$WORK/in.jsonl" "$out" -- "$@")
    if [ -z "$best_t" ] || python3 -c "import sys; sys.exit(0 if $t < $best_t else 1)"; then best_t=$t; fi
    [ "$r" -gt "$best_r" ] && best_r=$r
  done
  echo "$best_t $best_r"
}

rate() { python3 -c "print(f'{$N / $1:,.0f}')"; }
ratio() { python3 -c "print(f'{$2 / $1:.2f}')"; }

read -r ja_t ja_r < <(best "$WORK/a.junction" "$BIN" run "$WORK/jq.yaml" --log-level error)
read -r qa_t _ < <(best "$WORK/a.jq" jq -c 'select(.seq % 2 == 0) | {portalid, payload}')
cmp -s "$WORK/a.junction" "$WORK/a.jq" || { echo "jq stage output differs from jq CLI" >&2; exit 1; }
read -r jb_t jb_r < <(best "$WORK/b.junction" "$BIN" run "$WORK/filter.yaml" --log-level error)
read -r qb_t _ < <(best "$WORK/b.jq" jq -c 'select(.level == "alert")')
[ "$(wc -l < "$WORK/b.junction")" = "$(wc -l < "$WORK/b.jq")" ] || { echo "filter output count differs from jq CLI" >&2; exit 1; }
read -r jc_t jc_r < <(best "$WORK/c.junction" "$BIN" run "$WORK/pass.yaml" --log-level error)
cmp -s "$WORK/c.junction" "$WORK/in.jsonl" || { echo "passthrough changed the data" >&2; exit 1; }

peak=$(printf '%s\n' "$ja_r" "$jb_r" "$jc_r" | sort -n | tail -1)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
date=$(date -u +%Y-%m-%d)

table=$(cat <<T
| case | Junction lines/s | jq CLI lines/s | ratio | target | Junction peak RSS |
|---|---|---|---|---|---|
| (a) jq stage \`select(.seq % 2 == 0) \| {portalid, payload}\` | $(rate "$ja_t") | $(rate "$qa_t") | $(ratio "$ja_t" "$qa_t")× | ≥ 1.0× | $((ja_r / 1024)) MiB |
| (b) native filter \`level == alert\` | $(rate "$jb_t") | $(rate "$qb_t") | $(ratio "$jb_t" "$qb_t")× | ≥ 10× | $((jb_r / 1024)) MiB |
| (c) passthrough stdin → stdout | $(rate "$jc_t") | — | — | ≥ 2,000,000 lines/s | $((jc_r / 1024)) MiB |

Peak RSS over all Junction runs: $((peak / 1024)) MiB (target ≤ 64 MB).
T
)
echo "$table"

section=$(cat <<S
## Pipeline (benchmarks/pipeline.sh)

$N JSON lines of about 100 bytes, read from a file on stdin and written to a file (checked against the jq CLI's output);
best of $RUNS runs each; release build; $(nproc) cores ($cpu); measured $date.

$table
S
)
source benchmarks/lib.sh
write_section "$section"
