#!/usr/bin/env bash
# file_whole.sh -- one verdict per file (issue 10, finding 3): every submission read from one
# input file (every entity and year in it) is applied in one transaction, or none is.
#
# The collector sends a file of several entity/years as ONE message (Submission.members,
# docs/protocol.md "One verdict per file"); the aggregator admits every part or refuses the
# file, and the store applies the parts all or none (store/rollup.c, group_apply). Real CURVE
# keys; the collector's own output names the part refused and why:
#   1. a CSV holding 026001 (东西湖) and 608001 (宿州), sent with 东西湖's key (authorised for
#      420112 only): exit 1, 608001's line gives the refusal, 026001's line says it was not
#      stored because 608001 of its file was refused; nothing of either is stored -- before,
#      026001 was stored and 608001 refused;
#   2. a CSV holding 026001 and 999999 (not in entities.csv): nothing stored, 999999 named;
#   3. a refusal only the store can make, after a part was applied in the transaction: two
#      units whose INT64_MAX fen overflow their department's total. The file is refused
#      whole (the transaction is run again without it), nothing of it stored;
#   4. the same file of 026001 and 026-hczx within bounds: both stored, v1, in one commit;
#   then `huizong verify` is clean.
source "$(dirname "$0")/lib.sh.inc"
export LC_ALL=C
AUTH="$WORK/authorized"
SERVER=$(keygen server) || fail "keygen server"
DXH=$(keygen dongxihu) || fail "keygen dongxihu"
printf '%s 420112\n' "$DXH" >"$AUTH"
start_aggregator --curve-secret "$KEYS/server_secret" --authorized "$AUTH"
KEY=(--key "$KEYS/dongxihu_secret" --server-key "$KEYS/server")
nothing() {
  local rc=0
  "$HZ" show --db "$DB" --entity "$1" --year "$2" >/dev/null 2>&1 || rc=$?
  [ "$rc" -eq 3 ] || fail "$1 $2 was stored (show exit $rc): the file was not refused whole"
}
# send NAME FILE: submit with 东西湖's key; output in NAME.out, exit code in $rc
send() { rc=0; collector submit "$WORK/spool-$1" "${KEY[@]}" --deadline 10 "$2" >"$WORK/$1.out" 2>&1 || rc=$?; }

# 1. 026001 + 608001 with 东西湖's key
{ grep -E '^(entity|026001),' "$HZ_EXAMPLES/dongxihu-2024.csv"
  grep -E '^608,' "$HZ_EXAMPLES/suzhou-2024.csv" | sed 's/^608,/608001,/'; } >"$WORK/mixed.csv"
send mixed "$WORK/mixed.csv"
[ "$rc" -eq 1 ] || fail "mixed: exit $rc, expected 1: $(cat "$WORK/mixed.out")"
grep '^608001 2024 274 facts REJECTED: key ' "$WORK/mixed.out" | grep -qF 'may not submit for 608001 (authorised: 420112)' ||
  fail "mixed: 608001's refusal not named: $(cat "$WORK/mixed.out")"
grep -q "^026001 2024 117 facts REJECTED: not stored: its file is applied whole, and 608001 2024 of it was refused: " "$WORK/mixed.out" ||
  fail "mixed: 026001's line: $(cat "$WORK/mixed.out")"
nothing 026001 2024
nothing 608001 2024
echo "ok: 026001 + 608001 with 东西湖's key: nothing stored, 608001's refusal named"

# 2. an entity missing from entities.csv
{ grep -E '^(entity|026001),' "$HZ_EXAMPLES/dongxihu-2024.csv"
  grep -E '^026001,' "$HZ_EXAMPLES/dongxihu-2024.csv" | sed 's/^026001,/999999,/'; } >"$WORK/unknown.csv"
send unknown "$WORK/unknown.csv"
[ "$rc" -eq 1 ] || fail "unknown: exit $rc: $(cat "$WORK/unknown.out")"
grep -q "^999999 2024 117 facts REJECTED: .*999999" "$WORK/unknown.out" || fail "unknown: 999999 not named: $(cat "$WORK/unknown.out")"
grep -q "^026001 2024 117 facts REJECTED: not stored: its file is applied whole, and 999999 2024 of it was refused" "$WORK/unknown.out" ||
  fail "unknown: 026001's line: $(cat "$WORK/unknown.out")"
nothing 026001 2024
echo "ok: a file with an entity not in entities.csv: nothing stored"

# 3. refused by the store after a part was applied: 026's total would overflow
printf 'entity,year,table,row,name,column,amount\n026001,2025,expense,total,合计,total,9223372036854.775807\n026-hczx,2025,expense,total,合计,total,1.00\n' >"$WORK/overflow.csv"
send overflow "$WORK/overflow.csv"
[ "$rc" -eq 1 ] || fail "overflow: exit $rc: $(cat "$WORK/overflow.out")"
grep -q "^026-hczx 2025 1 facts REJECTED: amounts of '026-hczx' overflow a consolidated total" "$WORK/overflow.out" ||
  fail "overflow: the part refused: $(cat "$WORK/overflow.out")"
grep -q "^026001 2025 1 facts REJECTED: not stored: its file is applied whole, and 026-hczx 2025 of it was refused" "$WORK/overflow.out" ||
  fail "overflow: 026001's line: $(cat "$WORK/overflow.out")"
nothing 026001 2025
nothing 026-hczx 2025
grep -q "a file is refused whole\|026-hczx 2025 .*REJECTED" "$AGG_LOG" || fail "overflow: the aggregator did not log the refusal"
echo "ok: a store-side refusal after a part was applied: nothing of the file stored"

# 4. the same two units within bounds: both stored
printf 'entity,year,table,row,name,column,amount\n026001,2025,expense,total,合计,total,2.00\n026-hczx,2025,expense,total,合计,total,1.00\n' >"$WORK/fine.csv"
send fine "$WORK/fine.csv"
[ "$rc" -eq 0 ] || fail "fine: exit $rc: $(cat "$WORK/fine.out")"
grep -q '^026001 2025 1 facts ACCEPTED v1 ' "$WORK/fine.out" && grep -q '^026-hczx 2025 1 facts ACCEPTED v1 ' "$WORK/fine.out" ||
  fail "fine: $(cat "$WORK/fine.out")"
expect_figure 026 2025 expense total total computed 3.00
verify_clean
echo "file_whole: ok"
