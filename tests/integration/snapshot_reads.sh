#!/usr/bin/env bash
# Reads are snapshots (issue 10, finding 4): while resubmissions with changing amounts
# stream into the aggregator, every `huizong tree --format json` printed in a loop must add
# up: for every printed node above unit level and every printed figure, its computed
# figure equals the sum of its printed children's reported figures. Reading each node in
# its own read transaction (the old code) prints parents computed from one commit beside
# children from a later one.
source "$(dirname "$0")/lib.sh.inc"
READS=${SNAPSHOT_READS:-60}          # tree printouts checked
"$HZ" gen --out "$WORK/gen" --seed 7 --faults 0 --departments 2 --units 3 >/dev/null 2>&1 ||
  fail "huizong gen"
HIERARCHY="$WORK/gen/entities.csv"
start_aggregator --batch 4
files=("$WORK/gen/submissions/"*.csv)
submit "${files[@]}" >"$WORK/first.out" 2>&1 || { cat "$WORK/first.out"; fail "first submission"; }

# The stream: every department file again and again, each round every amount R fen more.
stream() {
  local r=1 f
  while :; do
    for f in "${files[@]}"; do
      bump_amounts $((r % 97 + 1)) "$f" "$WORK/round.csv"
      collector submit "$WORK/stream-spool" "$WORK/round.csv" >>"$WORK/stream.out" 2>&1 || true
      r=$((r + 1))
    done
  done
}
stream &
STREAM_PID=$!
bg_track "$STREAM_PID"

cat >"$WORK/check.py" <<'EOF'
import json, sys
nodes = json.load(open(sys.argv[1]))
by_code = {n["code"]: n for n in nodes}
bad = 0
for n in nodes:
    kids = [c for c in nodes if c["parent"] == n["code"]]
    if not kids:
        continue
    for f in n["figures"]:
        if f["computed_fen"] is None:
            continue
        key = (f["table"], f["row"], f["column"])
        total = sum(g["reported_fen"] for c in kids for g in c["figures"]
                    if (g["table"], g["row"], g["column"]) == key)
        if total != f["computed_fen"]:
            bad += 1
            print("%s %s/%s/%s: computed %d, children's reported sum to %d"
                  % (n["code"], key[0], key[1], key[2], f["computed_fen"], total))
sys.exit(1 if bad else 0)
EOF

reads=0 bad=0 changes=0 last=""
while [ "$reads" -lt "$READS" ]; do
  "$HZ" tree --db "$DB" --year 2024 --format json >"$WORK/tree.json" 2>"$WORK/tree.err" ||
    fail "huizong tree exited non-zero: $(cat "$WORK/tree.err")"
  if ! python3 "$WORK/check.py" "$WORK/tree.json" >>"$WORK/mismatch.txt"; then
    bad=$((bad + 1))
  fi
  sum=$(md5sum <"$WORK/tree.json")
  [ "$sum" != "$last" ] && changes=$((changes + 1))
  last=$sum
  reads=$((reads + 1))
done
echo "snapshot_reads: $reads tree reads, $changes distinct states, $bad that did not add up"
# The stream really moved the figures under the reads (else the test proves nothing).
[ "$changes" -ge 5 ] || fail "only $changes distinct trees in $reads reads: the stream did not run"
[ "$bad" -eq 0 ] || { head -n 20 "$WORK/mismatch.txt"; fail "$bad of $reads trees printed parents that are not the sum of their children"; }
pkill -P "$STREAM_PID" 2>/dev/null || true
kill "$STREAM_PID" 2>/dev/null || true
wait "$STREAM_PID" 2>/dev/null || true
verify_clean
echo "snapshot_reads: all good"
