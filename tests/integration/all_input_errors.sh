#!/usr/bin/env bash
# all_input_errors.sh -- every input error of a file is reported at once, and nothing is sent.
#
#  1. A copy of 东西湖 with three bad amounts (９.60 with a 全角 digit, 9，60 with a 全角
#     comma, 9.60万 with a unit): `check` and `submit` print all three, each with file:line,
#     the column, the value and a Chinese reason; exit 2; nothing is spooled or accepted.
#  2. --max-errors 2 prints two and says how many more there are.
#  3. An unquoted thousands separator is named as such (not "expected 7 fields").
source "$(dirname "$0")/lib.sh.inc"
FAIL_SHOW="*.out *.err"

start_aggregator

# 1. Three bad amounts, on the 三公经费 lines of 东西湖 (their line numbers as in the seed).
src="$HZ_EXAMPLES/dongxihu-2024.csv"
grep -n '^026,2024,three_public,' "$src" | head -3 >"$WORK/lines"
[ "$(wc -l <"$WORK/lines")" -eq 3 ] || fail "test setup: 东西湖 has fewer than 3 三公 lines"
l1=$(sed -n 1p "$WORK/lines" | cut -d: -f1); l2=$(sed -n 2p "$WORK/lines" | cut -d: -f1)
l3=$(sed -n 3p "$WORK/lines" | cut -d: -f1)
awk -F, -v OFS=, -v a="$l1" -v b="$l2" -v c="$l3" \
    'NR == a { $7 = "９.60" } NR == b { $7 = "9，60" } NR == c { $7 = "9.60万" } { print }' \
    "$src" >"$WORK/bad.csv"
rc=0
"$COL" check "$WORK/bad.csv" >"$WORK/check.out" 2>"$WORK/check.err" || rc=$?
[ "$rc" -eq 2 ] || fail "check of three bad amounts: exit $rc, expected 2"
grep -qF "bad.csv:$l1: 列“金额”（amount）：“９.60”：含全角数字“９”" "$WORK/check.err" || fail "９.60 not reported with its value"
grep -qF "bad.csv:$l2: 列“金额”（amount）：“9，60”：含全角逗号“，”" "$WORK/check.err" || fail "9，60 not reported with its value"
grep -qF "bad.csv:$l3: 列“金额”（amount）：“9.60万”：含单位“万”" "$WORK/check.err" || fail "9.60万 not reported with its value"
grep -qF "bad.csv: 共 3 处错误，整个文件未读入" "$WORK/check.err" || fail "no error count line"

rc=0
submit "$WORK/bad.csv" >"$WORK/submit.out" 2>"$WORK/submit.err" || rc=$?
[ "$rc" -eq 2 ] || fail "submit of three bad amounts: exit $rc, expected 2"
[ "$(grep -c "列“金额”（amount）" "$WORK/submit.err")" -eq 3 ] || fail "submit must print all three errors"
[ "$(pb_count "$WORK/spool")" -eq 0 ] || fail "a file with errors left something in the spool"
[ -z "$(versions_of 026 2024)" ] || fail "something was stored for 026"

# 2. --max-errors 2.
rc=0
"$COL" check --max-errors 2 "$WORK/bad.csv" >/dev/null 2>"$WORK/max.err" || rc=$?
[ "$rc" -eq 2 ] || fail "--max-errors 2: exit $rc, expected 2"
[ "$(grep -c "列“金额”（amount）" "$WORK/max.err")" -eq 2 ] || fail "--max-errors 2 must print 2 errors"
grep -qF "另有 1 处错误未列出（--max-errors 2）" "$WORK/max.err" || fail "--max-errors must say how many more"
rc=0
"$COL" check --max-errors 0 "$WORK/bad.csv" >/dev/null 2>"$WORK/max0.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q -- '--max-errors must be' "$WORK/max0.err" || fail "--max-errors 0 must be refused"

# 3. A thousands separator outside quotes.
printf 'entity,year,table,row,name,column,amount\n026,2024,summary,gpb,x,amount,1,773.19\n' >"$WORK/sep.csv"
rc=0
"$COL" check "$WORK/sep.csv" >/dev/null 2>"$WORK/sep.err" || rc=$?
[ "$rc" -eq 2 ] || fail "unquoted thousands separator: exit $rc, expected 2"
grep -qF "sep.csv:2: 列“金额”（amount）：“1,773.19”：千位分隔符在引号外" "$WORK/sep.err" || fail "unquoted separator not named"
stop_aggregator
echo "all_input_errors: ok"
