#!/usr/bin/env bash
# spool.sh -- what happens to files and spool entries on every path.
#
#  1. A submission for an entity the aggregator does not know: exit 1, REJECTED, moved
#     to SPOOL/rejected/ with a .reason file naming the entity.
#  2. A malformed CSV: exit 2, nothing spooled; one bad file among good ones: the same
#     (all or nothing).
#  3. --strict with error-severity findings: exit 1, nothing spooled.
#  4. run --watch: a dropped file is sent and moved to done/; a bad one goes to failed/
#     with a .error file; a file dropped while the aggregator is down is spooled and
#     delivered once it comes up; SIGTERM stops the collector with exit 0.
set -uo pipefail

: "${HZ_BIN:?HZ_BIN must name the directory of the built binaries}"
: "${HZ_EXAMPLES:?HZ_EXAMPLES must name the examples directory}"
AGG="$HZ_BIN/huizong-aggregator"
COL="$HZ_BIN/huizong-collector"
tmp=$(mktemp -d)
EP="ipc://$tmp/agg.sock"
agg_pid=""
run_pid=""

cleanup() {
    [ -n "$run_pid" ] && { kill "$run_pid" 2>/dev/null; wait "$run_pid" 2>/dev/null; }
    if [ -n "$agg_pid" ]; then kill -9 "$agg_pid" 2>/dev/null; wait "$agg_pid" 2>/dev/null; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
    echo "FAIL: spool: $*" >&2
    for f in "$tmp"/*.out "$tmp"/*.err "$tmp"/agg.log; do
        [ -f "$f" ] && { echo "--- $f" >&2; cat "$f" >&2; }
    done
    exit 1
}

start_agg() {
    "$AGG" --db "$tmp/db" --bind "$EP" --hierarchy "$HZ_EXAMPLES/entities.csv" --insecure \
        2>>"$tmp/agg.log" &
    agg_pid=$!
    for _ in $(seq 50); do
        [ "$(grep -c "serving $EP" "$tmp/agg.log" 2>/dev/null)" -ge "$1" ] && return 0
        kill -0 "$agg_pid" 2>/dev/null || fail "aggregator died at start"
        sleep 0.1
    done
    fail "aggregator did not start serving within 5 s"
}

pb_count() { find "$1" -maxdepth 1 -name '*.pb' 2>/dev/null | wc -l; }

# Waits up to $2 seconds for the command in $1 to succeed.
wait_for() {
    for _ in $(seq $(( $2 * 10 ))); do
        eval "$1" && return 0
        sleep 0.1
    done
    return 1
}

start_agg 1

# 1. Unknown entity.
grep -v '^026' "$HZ_EXAMPLES/dongxihu-2024.csv" >"$tmp/unknown.csv"
sed 's/^026,/zz-nowhere,/' "$HZ_EXAMPLES/dongxihu-2024.csv" | grep '^zz-nowhere,' >>"$tmp/unknown.csv"
rc=0
"$COL" submit "$tmp/unknown.csv" --to "$EP" --spool "$tmp/spool" >"$tmp/unknown.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "unknown entity: exit $rc, expected 1"
grep -q "^zz-nowhere 2024 .* REJECTED: unknown entity 'zz-nowhere'" "$tmp/unknown.out" || fail "no REJECTED line naming the entity"
[ "$(pb_count "$tmp/spool")" -eq 0 ] || fail "a rejected submission must leave the spool"
[ "$(pb_count "$tmp/spool/rejected")" -eq 1 ] || fail "rejected/ should hold the submission"
reason=$(cat "$tmp"/spool/rejected/*.reason 2>/dev/null)
case "$reason" in *"unknown entity 'zz-nowhere'"*) ;; *) fail "rejected/*.reason is '$reason'" ;; esac

# 2. Malformed CSV: nothing spooled, even alongside a good file.
printf 'entity,year,table,row,name,column,amount\n335,2023,summary,gpb,x,amount,12.3.4\n' >"$tmp/bad.csv"
rc=0
"$COL" submit "$tmp/bad.csv" --to "$EP" --spool "$tmp/spool2" >"$tmp/bad.out" 2>"$tmp/bad.err" || rc=$?
[ "$rc" -eq 2 ] || fail "malformed CSV: exit $rc, expected 2"
grep -q 'bad.csv:2' "$tmp/bad.err" || fail "the error must name file and line"
[ "$(pb_count "$tmp/spool2")" -eq 0 ] || fail "malformed CSV: something was spooled"
rc=0
"$COL" submit "$HZ_EXAMPLES/dazhou-2023.csv" "$tmp/bad.csv" --to "$EP" --spool "$tmp/spool2" \
    >"$tmp/mixed.out" 2>"$tmp/mixed.err" || rc=$?
[ "$rc" -eq 2 ] || fail "good + bad file: exit $rc, expected 2"
[ "$(pb_count "$tmp/spool2")" -eq 0 ] || fail "good + bad file: something was spooled"
grep -q 'ACCEPTED' "$tmp/mixed.out" && fail "good + bad file: something was sent"

# 3. --strict refuses error-severity findings (a summary figure that contradicts the totals).
sed 's/^\(335,2023,summary,gpb,[^,]*,amount,\)461.49$/\1999.99/' "$HZ_EXAMPLES/dazhou-2023.csv" >"$tmp/wrong.csv"
cmp -s "$tmp/wrong.csv" "$HZ_EXAMPLES/dazhou-2023.csv" && fail "test setup: the sed did not change dazhou-2023.csv"
rc=0
"$COL" submit --strict --hierarchy "$HZ_EXAMPLES/entities.csv" "$tmp/wrong.csv" --to "$EP" \
    --spool "$tmp/spool3" >"$tmp/strict.out" 2>"$tmp/strict.err" || rc=$?
[ "$rc" -eq 1 ] || fail "--strict with errors: exit $rc, expected 1"
grep -q 'error-severity' "$tmp/strict.out" || fail "--strict must list the blocking findings"
[ "$(pb_count "$tmp/spool3")" -eq 0 ] || fail "--strict: something was spooled"

# 4. run --watch.
mkdir -p "$tmp/in"
"$COL" run --watch "$tmp/in" --to "$EP" --spool "$tmp/wspool" --timeout 500 --interval 200 \
    >"$tmp/run.out" 2>"$tmp/run.err" &
run_pid=$!
cp "$HZ_EXAMPLES/dazhou-2023.csv" "$tmp/dz.part" && mv "$tmp/dz.part" "$tmp/in/dz.csv"
cp "$tmp/bad.csv" "$tmp/in/broken.csv"
wait_for '[ -f "$tmp/in/done/dz.csv" ]' 10 || fail "run --watch did not move dz.csv to done/"
wait_for '[ "$(grep -c "ACCEPTED v1" "$tmp/run.out")" -ge 2 ]' 10 || fail "run --watch did not deliver dz.csv"
wait_for '[ -f "$tmp/in/failed/broken.csv.error" ]' 10 || fail "run --watch did not file broken.csv under failed/"
grep -q 'broken.csv:2' "$tmp/in/failed/broken.csv.error" || fail "failed/broken.csv.error does not name the line"
[ -f "$tmp/in/failed/broken.csv" ] || fail "failed/ should hold broken.csv itself"
[ "$(pb_count "$tmp/wspool")" -eq 0 ] || fail "spool not empty after delivery"

# ... aggregator away: the file is spooled, then delivered when it comes back.
kill -TERM "$agg_pid"; wait "$agg_pid"; agg_pid=""
cp "$HZ_EXAMPLES/suzhou-2024.csv" "$tmp/sz.part" && mv "$tmp/sz.part" "$tmp/in/sz.csv"
wait_for '[ -f "$tmp/in/done/sz.csv" ]' 10 || fail "run --watch did not take sz.csv while the aggregator was down"
[ "$(pb_count "$tmp/wspool")" -ge 1 ] || fail "sz.csv should be pending in the spool"
start_agg 2
wait_for '[ "$(pb_count "$tmp/wspool")" -eq 0 ]' 20 || fail "pending submissions not delivered after the aggregator came back"
grep -q '^608 2024 .*ACCEPTED v1' "$tmp/run.out" || fail "608 2024 not accepted"

kill -TERM "$run_pid"
rc=0
wait "$run_pid" || rc=$?
run_pid=""
[ "$rc" -eq 0 ] || fail "run exited $rc after SIGTERM, expected 0"
kill -TERM "$agg_pid"; wait "$agg_pid"; agg_pid=""
echo "spool: ok"
