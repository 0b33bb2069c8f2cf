#!/usr/bin/env bash
# web.sh -- how fast `huizong serve` answers the two calls a page waits for:
#
#   bash bench/web.sh [--scale small|province] [--requests N] [--keep]
#
# Generates a hierarchy (`huizong gen`; province = 25,000 units), submits it to an
# aggregator on ipc://, starts `huizong serve` (no accounts, loopback, port 0), then times
# N sequential requests each (curl, keep-alive off: a fresh connection like a page load)
# of GET /api/tree for the root (province with its cities), for a department (with its
# units), and GET /api/node for that department. Prints p50 / p99 / max in ms per call
# and the target (p99 < 100 ms) as MET or MISSED. A benchmark, not a test: nothing fails.
# Builds nothing: uses build/bin (HZ_BIN to override). Stops only what it started, by pid.
set -uo pipefail
SCALE=small
N=200
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) SCALE=$2; shift 2 ;;
    --requests) N=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "web.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
case "$SCALE" in
  small)    GEN_ARGS=(--provinces 1 --cities 4 --districts 4 --departments 5 --units 10) ;;
  province) GEN_ARGS=(--provinces 1 --cities 10 --districts 10 --departments 25 --units 10) ;;
  *) echo "web.sh: --scale small|province" >&2; exit 2 ;;
esac
BIN=${HZ_BIN:-$(cd "$(dirname "$0")/.." && pwd)/build/bin}
W=$(mktemp -d /tmp/hz-bench-web.XXXXXX)
AGG=""; SERVE=""
cleanup() {
  [ -n "$SERVE" ] && kill "$SERVE" 2>/dev/null && wait "$SERVE" 2>/dev/null
  [ -n "$AGG" ] && kill "$AGG" 2>/dev/null && wait "$AGG" 2>/dev/null
  if [ "$KEEP" = 1 ]; then echo "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
"$BIN/huizong" gen --out "$W/data" --seed 42 "${GEN_ARGS[@]}" >"$W/gen.log" 2>&1 || { cat "$W/gen.log"; exit 3; }
"$BIN/huizong-aggregator" --db "$W/db" --bind "ipc://$W/agg.sock" --hierarchy "$W/data/entities.csv" \
  --insecure >"$W/agg.log" 2>&1 &
AGG=$!
for _ in $(seq 100); do grep -q "serving ipc" "$W/agg.log" && break; sleep 0.1; done
t0=$(date +%s)
"$BIN/huizong-collector" submit "$W"/data/submissions/*.csv --to "ipc://$W/agg.sock" --spool "$W/spool" \
  --deadline 3600 >"$W/submit.log" 2>&1
echo "ingested $(grep -c ACCEPTED "$W/submit.log") submissions in $(( $(date +%s) - t0 )) s"
"$BIN/huizong" serve --db "$W/db" --listen 127.0.0.1:0 >"$W/serve.log" 2>&1 &
SERVE=$!
for _ in $(seq 100); do grep -q "serving http" "$W/serve.log" && break; sleep 0.1; done
URL=$(sed -n 's|.*serving \(http://[^ ]*\) .*|\1|p' "$W/serve.log")
ROOT=$(awk -F, 'NR > 1 && $4 == "" { print $1; exit }' "$W/data/entities.csv")
DEPT=$(awk -F, 'NR > 1 && $3 == "department" { print $1; exit }' "$W/data/entities.csv")
YEAR=$(sed -n '2p' "$(ls "$W"/data/submissions/*.csv | head -n 1)" | cut -d, -f2)
UNITS=$(awk -F, '$3 == "unit"' "$W/data/entities.csv" | wc -l)
echo "scale $SCALE: $UNITS units, year $YEAR, root $ROOT, department $DEPT, $N requests per call"
# time_call NAME PATH: p50/p99/max of N requests in ms
time_call() {
  curl -s -o "$W/first.json" "$URL$2"
  for _ in $(seq "$N"); do curl -s -o /dev/null -w '%{time_total}\n' "$URL$2"; done |
    sort -n | awk -v n="$N" -v name="$1" -v bytes="$(wc -c <"$W/first.json")" '
      { t[NR] = $1 * 1000 }
      END { p50 = t[int(n * 0.5)]; p99 = t[int(n * 0.99)]; max = t[n];
            printf "%-44s p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms  (%d bytes)  %s\n", name, p50, p99, max,
                   bytes, p99 < 100 ? "MET" : "MISSED" }'
}
time_call "GET /api/tree (root and its children)" "/api/tree?year=$YEAR&entity=$ROOT"
time_call "GET /api/tree (a department and its units)" "/api/tree?year=$YEAR&entity=$DEPT"
time_call "GET /api/node (a department's tables)" "/api/node?year=$YEAR&entity=$DEPT"
