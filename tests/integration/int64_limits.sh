#!/usr/bin/env bash
# No wrap at the int64 limits (issue 10, finding 5): amounts at ±9223372036854.775807 万元
# (INT64_MAX / INT64_MIN fen, the largest the CSV parser takes) go through real files, a
# real aggregator and the real commands; every difference, net total and sum that `tree`,
# `flags`, `report` and `export` (汇总核对, 问题清单) display is exact (128-bit), and a sum the
# rules had to clamp to int64 is marked ≥/≤ instead of shown as if it were the figure.
# Before: `总额 -9223372036854.775808 − … 0.000001 = 净额 9223372036854.775807` (wrapped), then
# after the saturating fix still -9223372036854.775808 (clamped, unmarked).
source "$(dirname "$0")/lib.sh.inc"
MAX=9223372036854.775807 MIN=-9223372036854.775808
{
  echo "entity,year,table,row,name,column,amount"
  echo "608,2024,expense,total,合计,total,$MIN"        # the department declares INT64_MIN
  echo "608,2024,expense,total,合计,basic,$MAX"
  echo "608,2024,expense,total,合计,to_sub,0.000001"
  echo "608001,2024,expense,total,合计,total,$MAX"     # its unit reports INT64_MAX
  echo "608001,2024,expense,total,合计,basic,$MAX"
} >"$WORK/limits.csv"
start_aggregator
submit "$WORK/limits.csv" >"$WORK/submit.out" 2>&1 || { cat "$WORK/submit.out"; fail "submit"; }
grep -q "608 2024 .*ACCEPTED" "$WORK/submit.out" || fail "608 not accepted: $(cat "$WORK/submit.out")"
grep -q "608001 2024 .*ACCEPTED" "$WORK/submit.out" || fail "608001 not accepted: $(cat "$WORK/submit.out")"

# expect FILE TEXT WHAT: FILE holds TEXT literally.
expect() { grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$3: '$2' not printed"; }; echo "ok: $3"; }
# exact figures (Python integers): net = MIN − 1 fen; declared − computed = MIN − MAX;
# the rule's sum basic + to_sub = MAX + 1 fen and its difference MIN − (MAX + 1).
"$HZ" tree --db "$DB" --year 2024 --entity 608 --depth 0 --table expense >"$WORK/tree.txt"
expect "$WORK/tree.txt" "净额 -9223372036854.775809" "tree net = gross − internal, exact"
expect "$WORK/tree.txt" "差额 -18446744073709.551615" "tree 差额 = declared − computed, exact"
"$HZ" tree --db "$DB" --year 2024 --entity 608 --depth 0 --format json >"$WORK/tree.json"
expect "$WORK/tree.json" '"net":{"expense":"-9223372036854.775809"' "tree json net, exact"
"$HZ" flags --db "$DB" --year 2024 --entity 608 >"$WORK/flags.txt" || true
expect "$WORK/flags.txt" "应为 ≥$MAX 实为 $MIN 差 ≤-18446744073709.551615" "flags: clamped sum marked, difference exact"
expect "$WORK/flags.txt" "= 9223372036854.775808 → 不一致（差 -18446744073709.551616 万元" "flags explanation: the exact sum and difference"
"$HZ" flags --db "$DB" --year 2024 --entity 608 --format csv >"$WORK/flags.csv" || true
expect "$WORK/flags.csv" ",≥$MAX,$MIN,≤-18446744073709.551615," "flags csv"
"$HZ" report --db "$DB" --year 2024 --entity 608 >"$WORK/report.txt" || true
expect "$WORK/report.txt" "差 ≤-18446744073709.551615" "report"
"$HZ" export --db "$DB" --year 2024 --entity 608 --format csv --out "$WORK/x.csv" ||
  fail "export exited non-zero"
expect "$WORK/x.csv" "$MIN,$MAX,-18446744073709.551615," "export 汇总核对 差额, exact"
expect "$WORK/x.csv" "$MAX,$MIN,-18446744073709.551615," "export 问题清单 差额, exact"
# Nothing anywhere prints a wrapped figure: a positive net or difference from these inputs.
for f in tree.txt tree.json flags.txt flags.csv report.txt x.csv; do
  ! grep -qE "(净额|差额|差) 9223372036854\.775807|\"expense\":\"9223372036854" "$WORK/$f" ||
    fail "$f prints a wrapped figure"
done
verify_clean
echo "int64_limits: all good"
