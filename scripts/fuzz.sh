#!/usr/bin/env bash
# Fuzzes the wire parsers of JunctionRTC with libFuzzer (swiftc -sanitize=fuzzer):
#   sdp   SDPOffer(parsing:) and SDPAnswer(offer:local:)   Fuzz/FuzzSDP.swift
#   stun  STUNPacket(bytes:), re-encoding, ICELiteAgent.handle   Fuzz/FuzzSTUN.swift
#   dcep  DCEPMessage(bytes:) and its re-encoding          Fuzz/FuzzDCEP.swift
#
# scripts/fuzz.sh [target …]         all three by default
#   RUNS=1000000   iterations per target        SANITIZE=fuzzer   or fuzzer,address
#   KEEP=1         keep the grown corpora (printed) instead of deleting them
#
# JunctionRTC is compiled once, instrumented, into a static library under
# .build-fuzz/ (swiftc directly: SwiftPM's normal build never sees libFuzzer);
# each target links it. Seeds in Fuzz/corpus/<target>/ are copied to a temp
# dir, so the repository is not modified. One process per target, one at a
# time (no -jobs/-workers: the machine has two shared cores). Crashes, traps
# and hangs (> 5 s) leave a reproducer in .build-fuzz/artifacts/<target>/,
# shown with a Swift backtrace, and make this exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-1000000}
SANITIZE=${SANITIZE:-fuzzer}
OUT=.build-fuzz/fuzz-${SANITIZE//,/-}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(sdp stun dcep)

declare -A SOURCE=([sdp]=Fuzz/FuzzSDP.swift [stun]=Fuzz/FuzzSTUN.swift [dcep]=Fuzz/FuzzDCEP.swift)
# Real offers are 1–4 KB, ICE checks ~100 bytes (datagrams stay under 1,500), DCEP OPENs tens of bytes.
declare -A MAX_LEN=([sdp]=8192 [stun]=1500 [dcep]=512)
declare -A EXTRA=([sdp]="-dict=Fuzz/sdp.dict")
for target in "${TARGETS[@]}"; do
  [ -n "${SOURCE[$target]:-}" ] || { echo "fuzz: unknown target '$target' (sdp, stun, dcep)" >&2; exit 2; }
done

# The C modules JunctionRTC imports: their module maps (and link lines) sit in Sources/<name>/.
C_MODULES=(-I Sources/COpenSSL -I Sources/CZlib -I Sources/CUsrsctp)
SWIFTC=(swiftc -O -g -sanitize="$SANITIZE" -parse-as-library -swift-version 6)

mkdir -p "$OUT"
LIB="$OUT/libJunctionRTC.a"
if [ ! -f "$LIB" ] || [ -n "$(find Sources/JunctionRTC Sources/COpenSSL Sources/CZlib Sources/CUsrsctp -newer "$LIB" -type f)" ]; then
  echo "fuzz: compiling JunctionRTC (instrumented, $SANITIZE)" >&2
  "${SWIFTC[@]}" -module-name JunctionRTC -enable-upcoming-feature ExistentialAny "${C_MODULES[@]}" \
    -emit-module -emit-module-path "$OUT/JunctionRTC.swiftmodule" \
    -emit-library -static -o "$LIB" Sources/JunctionRTC/*.swift
fi
for target in "${TARGETS[@]}"; do
  bin="$OUT/fuzz-$target"
  if [ ! -x "$bin" ] || [ "$LIB" -nt "$bin" ] || [ "${SOURCE[$target]}" -nt "$bin" ] || [ Fuzz/FuzzSupport.swift -nt "$bin" ]; then
    echo "fuzz: linking $bin" >&2
    "${SWIFTC[@]}" -I "$OUT" "${C_MODULES[@]}" Fuzz/FuzzSupport.swift "${SOURCE[$target]}" "$LIB" -o "$bin"
  fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/junction-fuzz.XXXXXX")
if [ -n "${KEEP:-}" ]; then echo "fuzz: corpora and logs kept in $WORK" >&2; else trap 'rm -rf "$WORK"' EXIT; fi

failed=()
summary=()
for target in "${TARGETS[@]}"; do
  corpus="$WORK/corpus-$target"
  artifacts=".build-fuzz/artifacts/$target/"
  rm -rf "$artifacts" && mkdir -p "$corpus" "$artifacts"  # reproducers of this run only
  cp Fuzz/corpus/"$target"/* "$corpus"/
  log="$WORK/$target.log"
  echo "fuzz: $target: $RUNS runs, max_len ${MAX_LEN[$target]} (log: $log)" >&2
  start=$(date +%s.%N)
  status=0
  # Swift's own crash handler would take the trap before libFuzzer saves the input.
  # shellcheck disable=SC2086  # EXTRA holds zero or more flags
  SWIFT_BACKTRACE=enable=no "$OUT/fuzz-$target" -runs="$RUNS" -max_len="${MAX_LEN[$target]}" -timeout=5 \
    -print_final_stats=1 -artifact_prefix="$artifacts" ${EXTRA[$target]:-} "$corpus" >"$log" 2>&1 || status=$?
  seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
  # The last status line: "#1000000 DONE cov: 812 ft: 2345 corp: 310/41Kb lim: 8192 exec/s: 9900 rss: 80Mb".
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  corp=$(sed -nE 's/.* corp: ([^ ]+).*/\1/p' <<<"$last")
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log")
  # libFuzzer's own average divides by whole seconds; this one by the wall time of the run.
  rate=$(awk -v n="${runs:-0}" -v t="$seconds" 'BEGIN { if (n > 0 && t > 0) printf "%d", n / t }')
  rss=$(sed -nE 's/^stat::peak_rss_mb: *([0-9]+)/\1/p' "$log")
  line=$(printf '%-5s runs %-8s %6.1f s  exec/s %-7s cov %-5s ft %-6s corpus %-12s rss %s MB' \
    "$target" "${runs:-?}" "$seconds" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${rss:-?}")
  if [ "$status" -ne 0 ]; then
    failed+=("$target")
    line+="  FAILED (exit $status)"
    echo "---- $target: last lines of $log" >&2
    grep -E 'Fatal error|ERROR: libFuzzer|^SUMMARY' "$log" >&2 || tail -20 "$log" >&2
    for input in "$artifacts"*; do
      [ -f "$input" ] || continue
      echo "---- reproducer $input, rerun with a Swift backtrace:" >&2
      # (Read through a process substitution: bash would announce the trap of a pipeline member.)
      grep -E 'Fatal error|^\*\*\* (Swift|Program)| in .* at [^ ]*\.swift:' \
        < <(SWIFT_BACKTRACE=enable=yes,interactive=no,color=no,preset=medium "$OUT/fuzz-$target" -timeout=5 "$input" 2>&1) \
        | head -12 >&2 || true
    done
  fi
  summary+=("$line")
done

echo "fuzz summary ($SANITIZE, $(nproc) cores):"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (reproduce: $OUT/fuzz-<target> <file>)" >&2
  exit 1
fi
