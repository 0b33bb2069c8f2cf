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
source "$(dirname "$0")/lib.sh.inc"
FAIL_SHOW="*.out *.err"
FAIL_TAIL=100
run_pid=""

start_aggregator

# 1. Unknown entity.
grep -v '^026' "$HZ_EXAMPLES/dongxihu-2024.csv" >"$WORK/unknown.csv"
sed 's/^026,/zz-nowhere,/' "$HZ_EXAMPLES/dongxihu-2024.csv" | grep '^zz-nowhere,' >>"$WORK/unknown.csv"
rc=0
submit "$WORK/unknown.csv" >"$WORK/unknown.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "unknown entity: exit $rc, expected 1"
grep -q "^zz-nowhere 2024 .* REJECTED: unknown entity 'zz-nowhere'" "$WORK/unknown.out" || fail "no REJECTED line naming the entity"
[ "$(pb_count "$WORK/spool")" -eq 0 ] || fail "a rejected submission must leave the spool"
[ "$(pb_count "$WORK/spool/rejected")" -eq 1 ] || fail "rejected/ should hold the submission"
reason=$(cat "$WORK"/spool/rejected/*.reason 2>/dev/null || true)
case "$reason" in *"unknown entity 'zz-nowhere'"*) ;; *) fail "rejected/*.reason is '$reason'" ;; esac

# 2. Malformed CSV: nothing spooled, even alongside a good file.
printf 'entity,year,table,row,name,column,amount\n335,2023,summary,gpb,x,amount,12.3.4\n' >"$WORK/bad.csv"
rc=0
collector submit "$WORK/spool2" "$WORK/bad.csv" >"$WORK/bad.out" 2>"$WORK/bad.err" || rc=$?
[ "$rc" -eq 2 ] || fail "malformed CSV: exit $rc, expected 2"
grep -q 'bad.csv:2' "$WORK/bad.err" || fail "the error must name file and line"
[ "$(pb_count "$WORK/spool2")" -eq 0 ] || fail "malformed CSV: something was spooled"
rc=0
collector submit "$WORK/spool2" "$HZ_EXAMPLES/dazhou-2023.csv" "$WORK/bad.csv" \
    >"$WORK/mixed.out" 2>"$WORK/mixed.err" || rc=$?
[ "$rc" -eq 2 ] || fail "good + bad file: exit $rc, expected 2"
[ "$(pb_count "$WORK/spool2")" -eq 0 ] || fail "good + bad file: something was spooled"
grep -q 'ACCEPTED' "$WORK/mixed.out" && fail "good + bad file: something was sent"

# 3. --strict refuses error-severity findings (a summary figure that contradicts the totals).
sed 's/^\(335,2023,summary,gpb,[^,]*,amount,\)461.49$/\1999.99/' "$HZ_EXAMPLES/dazhou-2023.csv" >"$WORK/wrong.csv"
cmp -s "$WORK/wrong.csv" "$HZ_EXAMPLES/dazhou-2023.csv" && fail "test setup: the sed did not change dazhou-2023.csv"
rc=0
collector submit "$WORK/spool3" --strict --hierarchy "$HZ_EXAMPLES/entities.csv" "$WORK/wrong.csv" \
    >"$WORK/strict.out" 2>"$WORK/strict.err" || rc=$?
[ "$rc" -eq 1 ] || fail "--strict with errors: exit $rc, expected 1"
grep -q '条错误级问题' "$WORK/strict.out" || fail "--strict must list the blocking findings"
[ "$(pb_count "$WORK/spool3")" -eq 0 ] || fail "--strict: something was spooled"

# 4. run --watch.
mkdir -p "$WORK/in"
"$COL" run --watch "$WORK/in" --to "$ENDPOINT" --spool "$WORK/wspool" --timeout 500 --interval 200 \
    >"$WORK/run.out" 2>"$WORK/run.err" &
run_pid=$!; bg_track "$run_pid"
cp "$HZ_EXAMPLES/dazhou-2023.csv" "$WORK/dz.part" && mv "$WORK/dz.part" "$WORK/in/dz.csv"
cp "$WORK/bad.csv" "$WORK/in/broken.csv"
wait_for 10 '[ -f "$WORK/in/done/dz.csv" ]' || fail "run --watch did not move dz.csv to done/"
wait_for 10 '[ "$(grep -c "ACCEPTED v1" "$WORK/run.out")" -ge 2 ]' || fail "run --watch did not deliver dz.csv"
wait_for 10 '[ -f "$WORK/in/failed/broken.csv.error" ]' || fail "run --watch did not file broken.csv under failed/"
grep -q 'broken.csv:2' "$WORK/in/failed/broken.csv.error" || fail "failed/broken.csv.error does not name the line"
[ -f "$WORK/in/failed/broken.csv" ] || fail "failed/ should hold broken.csv itself"
[ "$(pb_count "$WORK/wspool")" -eq 0 ] || fail "spool not empty after delivery"

# ... aggregator away: the file is spooled, then delivered when it comes back.
stop_aggregator
cp "$HZ_EXAMPLES/suzhou-2024.csv" "$WORK/sz.part" && mv "$WORK/sz.part" "$WORK/in/sz.csv"
wait_for 10 '[ -f "$WORK/in/done/sz.csv" ]' || fail "run --watch did not take sz.csv while the aggregator was down"
[ "$(pb_count "$WORK/wspool")" -ge 1 ] || fail "sz.csv should be pending in the spool"
start_aggregator
wait_for 20 '[ "$(pb_count "$WORK/wspool")" -eq 0 ]' || fail "pending submissions not delivered after the aggregator came back"
grep -q '^608 2024 .*ACCEPTED v1' "$WORK/run.out" || fail "608 2024 not accepted"

kill -TERM "$run_pid"
rc=0
wait "$run_pid" || rc=$?
run_pid=""
[ "$rc" -eq 0 ] || fail "run exited $rc after SIGTERM, expected 0"
stop_aggregator
echo "spool: ok"
