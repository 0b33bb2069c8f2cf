#!/usr/bin/env bash
# A unit resubmits with changed amounts: every ancestor moves by exactly the delta, up to
# the first one that declared that figure, whose reported figure stays as declared while
# its computed figure moves. The earlier version stays readable.
source "$(dirname "$0")/lib.sh.inc"
start_aggregator
submit "$HZ_EXAMPLES"/dongxihu-2024.csv >/dev/null || fail "first submission"
head -1 "$HZ_EXAMPLES/dongxihu-2024.csv" >"$WORK/unit.csv"
grep '^026001,' "$HZ_EXAMPLES/dongxihu-2024.csv" >>"$WORK/unit.csv"
# income/total/total 3311.22 -> 3311.32 (+0.10): not declared by 026, flows to the province.
# gpb_func/total/total 2,361.22 -> 2361.00 (-0.22): declared by 026, absorbed there.
sed -i -e 's/^026001,2024,income,total,\(.*\),total,3311.22$/026001,2024,income,total,\1,total,3311.32/' \
       -e 's/^026001,2024,gpb_func,total,\(.*\),total,"2,361.22"$/026001,2024,gpb_func,total,\1,total,2361.00/' "$WORK/unit.csv"
[ "$(diff <(grep '^026001,' "$HZ_EXAMPLES/dongxihu-2024.csv") <(tail -n +2 "$WORK/unit.csv") | grep -c '^>')" -eq 2 ] ||
  fail "test setup: expected exactly two changed lines"
expect_figure 420000 2024 income total total reported 3311.22
submit "$WORK/unit.csv" >"$WORK/resubmit.out" 2>&1 || { cat "$WORK/resubmit.out"; fail "resubmission"; }
grep -q "v2" "$WORK/resubmit.out" || fail "resubmission did not become version 2: $(cat "$WORK/resubmit.out")"
for e in 026001 026 420112 420100 420000; do expect_figure $e 2024 income total total reported 3311.32; done
expect_figure 026001 2024 gpb_func total total reported 2361.00
expect_figure 026 2024 gpb_func total total computed 2361.00
expect_figure 026 2024 gpb_func total total declared 2361.22
expect_figure 026 2024 gpb_func total total reported 2361.22
for e in 420112 420100 420000; do expect_figure $e 2024 gpb_func total total reported 2361.22; done
# The earlier version is still readable for audit.
"$HZ_BIN/huizong" show --db "$DB" --entity 026001 --year 2024 --version 1 --format csv --header ids >"$WORK/v1.csv"
grep -q '^026001,2024,1,income,total,.*,total,3311.22,' "$WORK/v1.csv" || fail "version 1 no longer readable"
"$HZ_BIN/huizong" show --db "$DB" --entity 026001 --year 2024 --format csv --header ids >"$WORK/v2.csv"
grep -q '^026001,2024,2,income,total,.*,total,3311.32,' "$WORK/v2.csv" || fail "current version is not v2"
verify_clean
echo "resubmission: all good"
