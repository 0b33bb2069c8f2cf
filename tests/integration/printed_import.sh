#!/usr/bin/env bash
# Printed-layout input end to end: `huizong-collector check` shows the mapping it made for
# an .xls workbook and printed-sheet CSVs (text and JSON), refuses with exit 2 and sends
# nothing when a file has an error or no entity can be found, and the seeds submitted as
# printed tables (东西湖 .xls, 宿州 and 宁德 CSVs transcribed from their printed text)
# consolidate to the same figures and the same flags as their v1 CSVs (source and line aside).
source "$(dirname "$0")/lib.sh.inc"
P="$HZ_TESTS/data/printed"
tsv2csv() {
  awk -F'\t' 'BEGIN { OFS = "," } { for (i = 1; i <= NF; i++) { f = $i
      if (f ~ /[",]/) { gsub(/"/, "\"\"", f); f = "\"" f "\"" } $i = f } print }' "$1" >"$2"
}
tsv2csv "$P/suzhou-2024.tsv" "$WORK/宿州.csv"
tsv2csv "$P/ningde-2024.tsv" "$WORK/宁德.csv"

# 1. check prints the mapping
rc=0; "$COL" check "$P/dongxihu-2024.xls" --hierarchy "$HIERARCHY" --year 2024 >"$WORK/check.txt" 2>&1 || rc=$?
# 1: 026 prints no 收入总表 of its own (table.required, docs/seed-findings.md)
[ "$rc" -eq 1 ] && grep -q "table.required 缺失 income：部门 026" "$WORK/check.txt" ||
  { cat "$WORK/check.txt"; fail "check of the .xls failed"; }
grep -q "财政拨款收支总表 → fiscal" "$WORK/check.txt" || fail "mapping lacks the fiscal table"
grep -q "列 E「本年收入/一般公共预算」→ gpb" "$WORK/check.txt" || fail "mapping lacks the income gpb column"
grep -q "部门整体支出绩效目标申报表（无对应表，跳过）" "$WORK/check.txt" || fail "mapping does not report the skipped table"
grep -q "^026 2024：335 个数据" "$WORK/check.txt" || fail "026 should have 335 facts (334 printed + the empty 政府性基金 table)"
grep -q "^026001 2024：117 个数据" "$WORK/check.txt" || fail "026001 should have 117 facts"
"$COL" check "$P/dongxihu-2024.xls" --hierarchy "$HIERARCHY" --year 2024 --format json >"$WORK/check.json" || [ $? -eq 1 ]
grep -q '"mappings":\[{"file":' "$WORK/check.json" || fail "json check lacks mappings"
grep -q '"table":"projects"' "$WORK/check.json" || fail "json mapping lacks the projects table"

# 2. no entity: exit 2, the reason names the options
rc=0; "$COL" check "$WORK/宁德.csv" >"$WORK/noent.txt" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || fail "check without an entity: exit $rc, expected 2"
grep -q -- "--entity" "$WORK/noent.txt" || fail "no-entity error does not mention --entity"

# 3. an error in one file: nothing is sent or spooled, exit 2, the cell is named
sed 's/^30101\t基本工资\t101.46/30101\t基本工资\t101.4x/' "$P/dongxihu-2024.tsv" >"$WORK/bad.tsv"
tsv2csv "$WORK/bad.tsv" "$WORK/bad.csv"
rc=0; TO=$NOBODY collector submit "$WORK/spool-bad" "$WORK/bad.csv" --hierarchy "$HIERARCHY" --year 2024 \
  --deadline 1 >"$WORK/bad.out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || { cat "$WORK/bad.out"; fail "submit of a bad file: exit $rc, expected 2"; }
grep -q "bad.csv!C[0-9]*：值 '101.4x'：不是数字" "$WORK/bad.out" || { cat "$WORK/bad.out"; fail "error does not name the cell"; }
[ "$(pb_count "$WORK/spool-bad")" -eq 0 ] || fail "a rejected file left something in the spool"

# 4. the printed seeds consolidate like the v1 CSVs
start_aggregator
start_named_aggregator v1 "$HIERARCHY"
submit "$P/dongxihu-2024.xls" --hierarchy "$HIERARCHY" --year 2024 >"$WORK/s1.out" 2>&1 || { cat "$WORK/s1.out"; fail "submit xls"; }
submit "$WORK/宿州.csv" --hierarchy "$HIERARCHY" >"$WORK/s2.out" 2>&1 || { cat "$WORK/s2.out"; fail "submit 宿州"; }
submit "$WORK/宁德.csv" --entity nd-ybj >"$WORK/s3.out" 2>&1 || { cat "$WORK/s3.out"; fail "submit 宁德"; }
TO="ipc://$WORK/v1.sock" collector submit "$WORK/spool-v1" "$HZ_EXAMPLES/dongxihu-2024.csv" \
  "$HZ_EXAMPLES/suzhou-2024.csv" "$HZ_EXAMPLES/ningde-2024.csv" >"$WORK/s4.out" 2>&1 || { cat "$WORK/s4.out"; fail "submit v1"; }
[ "$(cat "$WORK"/s[123].out | grep -c ACCEPTED)" -eq 4 ] || { cat "$WORK"/s[123].out; fail "expected 4 accepted printed submissions"; }
for e in 026 420112 420100 420000; do expect_figure $e 2024 summary expense_total amount reported 3311.22; done
for e in 608 341300 340000; do expect_figure $e 2024 summary expense_total amount reported 1774.62; done
expect_figure nd-ybj 2024 summary expense_total amount reported 207172.81
# 5. one CSV per printed part, given together: one submission per entity, not one per file
start_named_aggregator split "$HIERARCHY"
awk -v work="$WORK" '/^表 5-1$/ { part = 1 } { print > (work (part ? "/part2.tsv" : "/part1.tsv")) }' \
  "$P/dongxihu-2024.tsv"
tsv2csv "$WORK/part1.tsv" "$WORK/东西湖-1.csv"
tsv2csv "$WORK/part2.tsv" "$WORK/东西湖-2.csv"
TO="ipc://$WORK/split.sock" collector submit "$WORK/spool-split" "$WORK/东西湖-1.csv" "$WORK/东西湖-2.csv" \
  --hierarchy "$HIERARCHY" --year 2024 >"$WORK/s5.out" 2>&1 || { cat "$WORK/s5.out"; fail "submit of two parts"; }
[ "$(grep -c ACCEPTED "$WORK/s5.out")" -eq 2 ] || { cat "$WORK/s5.out"; fail "two parts should give 2 submissions (026, 026001)"; }
grep -q "^026 2024 335 facts" "$WORK/s5.out" || { cat "$WORK/s5.out"; fail "026 should arrive whole (335 facts) from two files"; }
[ "$(versions_of 026 2024 "$WORK/split" | wc -l)" -eq 1 ] || fail "two parts made more than one version"
stop_named_aggregator split
stop_aggregator
stop_named_aggregator v1
# same flags, source file and line aside
norm() { sed -E 's/"(source|line|id|submission|version)":("[^"]*"|[0-9]+)//g'; }
"$HZ" flags --db "$DB" --year 2024 --format json | norm >"$WORK/flags-printed.json" || true
"$HZ" flags --db "$WORK/v1" --year 2024 --format json | norm >"$WORK/flags-v1.json" || true
[ -s "$WORK/flags-v1.json" ] || fail "no flags from the v1 database"
diff "$WORK/flags-v1.json" "$WORK/flags-printed.json" >"$WORK/flags.diff" || { head -20 "$WORK/flags.diff"; fail "flags differ"; }
echo "printed_import: all good"
