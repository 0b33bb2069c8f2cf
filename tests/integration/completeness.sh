#!/usr/bin/env bash
# completeness.sh -- nothing missing goes unnoticed (issue 12, items 1 and 2).
#
#  1. `check --hierarchy` of 东西湖 without its 基本支出经济分类表 (gpb_econ of 026): exit 1,
#     table.required names the table in Chinese; the seeds as shipped are clean of it except
#     where the document really lacks a table (宿州 三公经费).
#  2. `check --hierarchy` of a file with an entity the hierarchy does not hold: exit 2.
#  3. `--chart examples/chart.csv`: 2101588 (no such 项) is code.unknown, in check and in the
#     aggregator; the seeds have no unknown code.
#  4. A resubmission of 东西湖 without its 收支总表: version.table_withdrawn with the previous
#     支出总计 3311.22; the tree of the city marks it 已撤回 with 3311.22 instead of nothing.
#     A further version without one figure: version.figure_withdrawn with its previous value.
#  5. Only the unit 335001 submits: 335 is flagged level.not_declared; once 335 declares, the
#     flag is gone.
# Findings are matched in the JSON outputs (machine ids, stable), not in the text lines.
source "$(dirname "$0")/lib.sh.inc"
FAIL_SHOW="*.out *.err *.json"
DXH="$HZ_EXAMPLES/dongxihu-2024.csv"
CHART="$HZ_EXAMPLES/chart.csv"

# 1. A removed table, flagged by name.
grep -v '^026,2024,gpb_econ,' "$DXH" >"$WORK/no-econ.csv"
rc=0
"$COL" check --format json --hierarchy "$HIERARCHY" "$WORK/no-econ.csv" >"$WORK/no-econ.json" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "check without gpb_econ: exit $rc, expected 1"
grep -q '"rule":"table.required","severity":"error","verdict":"MISSING","table":"gpb_econ","row":"","column":"",[^}]*"explanation":"部门 026：缺少应公开的表“一般公共预算(基本)支出表(经济分类)”' "$WORK/no-econ.json" ||
  fail "the missing 基本支出经济分类表 is not flagged by name"
"$COL" check --format json --hierarchy "$HIERARCHY" "$DXH" >"$WORK/dxh.json" 2>&1 || true
grep -q '"rule":"table.required"' "$WORK/dxh.json" && grep -q '"table.required"[^}]*"table":"gpb_econ"' "$WORK/dxh.json" &&
  fail "the shipped 东西湖 is flagged for gpb_econ"
"$COL" check --format json --hierarchy "$HIERARCHY" "$HZ_EXAMPLES/suzhou-2024.csv" >"$WORK/sz.json" 2>&1 || true
grep -q '"rule":"table.required","severity":"error","verdict":"MISSING","table":"three_public"' "$WORK/sz.json" ||
  fail "宿州 has no 三公经费 table: not flagged"
[ "$(grep -o '"rule":"table.required"' "$WORK/sz.json" | wc -l)" -eq 1 ] ||
  fail "宿州: only 三公经费 is missing (its empty tables carry the marker)"
echo "ok: a removed table is flagged by name"

# 2. An entity not in the hierarchy is an input error of check.
sed 's/^026,/026-x,/' "$DXH" | grep -E '^(entity|026-x),' >"$WORK/stranger.csv"
rc=0
"$COL" check --hierarchy "$HIERARCHY" "$WORK/stranger.csv" >"$WORK/stranger.out" 2>"$WORK/stranger.err" || rc=$?
[ "$rc" -eq 2 ] || fail "an entity not in the hierarchy: exit $rc, expected 2"
grep -qF "单位代码 026-x 不在层级文件" "$WORK/stranger.err" || fail "no error naming 026-x"
grep -q 'checked as a department' "$WORK/stranger.out" && fail "still the old note"
echo "ok: an entity not in the hierarchy is an error"

# 3. The shipped chart: 2101588 is unknown; the seeds have no unknown code.
printf 'entity,year,table,row,name,column,amount\n026001,2024,gpb_func,21015,医疗保障管理事务,total,1.00\n026001,2024,gpb_func,2101588,医疗保障经办,total,1.00\n' >"$WORK/code.csv"
rc=0
"$COL" check --format json --chart "$CHART" --hierarchy "$HIERARCHY" "$WORK/code.csv" >"$WORK/code-check.json" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "2101588 with the chart: exit $rc, expected 1"
grep -q '"rule":"code.unknown","severity":"error","verdict":"MALFORMED","table":"gpb_func","row":"2101588",[^}]*项 2101588 不在 2024 年度支出功能分类科目表中' "$WORK/code-check.json" ||
  fail "2101588 is not flagged code.unknown"
"$COL" check --format json "$WORK/code.csv" >"$WORK/nochart.json" 2>&1 || true
grep -q '"code.unknown"' "$WORK/nochart.json" && fail "code.unknown without a chart"
for f in suzhou-2024 dazhou-2023 dongxihu-2024 ningde-2024; do
  "$COL" check --format json --chart "$CHART" "$HZ_EXAMPLES/$f.csv" >"$WORK/chart-$f.json" 2>&1 || true
  grep -q '"facts"' "$WORK/chart-$f.json" || fail "$f: check --chart gave no result"
  grep -q '"code.unknown"' "$WORK/chart-$f.json" && fail "$f: a seed code is not in examples/chart.csv"
done
printf 'kind,code,name,first_year,last_year\nfunk,210,x,,\n' >"$WORK/bad-chart.csv"
rc=0
"$COL" check --chart "$WORK/bad-chart.csv" "$WORK/code.csv" >/dev/null 2>"$WORK/bad-chart.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "bad-chart.csv:2: kind 'funk'" "$WORK/bad-chart.err" || fail "a bad chart file is not refused with its line"
rc=0
collector submit "$WORK/strict-spool" --strict --chart "$CHART" "$WORK/code.csv" >"$WORK/strict.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "submit --strict --chart with 2101588: exit $rc, expected 1"
[ "$(pb_count "$WORK/strict-spool")" -eq 0 ] || fail "submit --strict --chart spooled 2101588"
echo "ok: --chart in check and submit --strict"

start_aggregator --chart "$CHART"
submit "$WORK/code.csv" >"$WORK/code-submit.out" 2>&1 || true
"$HZ" flags --db "$DB" --year 2024 --entity 026001 --format json >"$WORK/code.json" || true
grep -q '"rule":"code.unknown","severity":"error","verdict":"MALFORMED","table":"gpb_func","row":"2101588"' "$WORK/code.json" ||
  fail "the aggregator with --chart does not flag 2101588"
echo "ok: --chart in the aggregator"

# 4. A dropped table on resubmission, then a dropped figure.
submit "$DXH" >"$WORK/v1.out" 2>&1 || fail "东西湖 v1 not accepted: $(cat "$WORK/v1.out")"
expect_figure 420100 2024 summary expense_total amount reported 3311.22
grep -v '^026,2024,summary,' "$DXH" >"$WORK/no-summary.csv"
submit "$WORK/no-summary.csv" >"$WORK/v2.out" 2>&1 || true
[ "$(versions_of 026 2024 | wc -l)" -eq 2 ] || fail "the resubmission is not v2: $(cat "$WORK/v2.out")"
"$HZ" flags --db "$DB" --year 2024 --entity 026 --format json >"$WORK/v2.json" || true
grep -q '"rule":"version.table_withdrawn","severity":"error","verdict":"MISSING","table":"summary","row":"","column":"","expected":"3311.22"' "$WORK/v2.json" ||
  fail "the dropped 收支总表 is not flagged with its previous 3311.22"
grep -q '新版本缺少整张“部门收支总表”（summary），上一版本 v1' "$WORK/v2.json" || fail "the flag does not name the table and version"
"$HZ" tree --db "$DB" --year 2024 --entity 420100 >"$WORK/tree.out"
grep -q 'expense_total/amount: 已撤回（026 上一版本 v1 为 3311.22）' "$WORK/tree.out" ||
  fail "the city's tree does not mark 支出总计 as withdrawn with 3311.22"
grep -q '报送数 —\|: 报送数 0.00  申报数 —  汇总数 —' "$WORK/tree.out" && fail "a silent — in the tree"
"$HZ" tree --db "$DB" --year 2024 --entity 420100 --depth 0 --format json >"$WORK/tree.json"
grep -q '"withdrawn":\[{"entity":"026","version":1,"table":"summary","row":"expense_total","label":"支出总计","column":"amount","previous":"3311.22","previous_fen":3311220000}' "$WORK/tree.json" ||
  fail "tree --format json does not list the withdrawn 支出总计"
grep -q '"figures":\[\]' "$WORK/tree.json" || fail "the city still lists figures nobody reports"
# the CSV says it too: a 状态 column with 已撤回 and the previous value, no row of 0.00
"$HZ" tree --db "$DB" --year 2024 --entity 420100 --depth 0 --format csv >"$WORK/tree.csv"
sed '1s/^\xEF\xBB\xBF//' "$WORK/tree.csv" | head -1 | grep -q ',计入下级数,状态,上一版本数(万元)$' ||
  { head -2 "$WORK/tree.csv"; fail "tree --format csv has no 状态 / 上一版本数 columns"; }
grep -q ',summary,expense_total,支出总计,amount,,,,,已撤回（026 上一版本 v1）,3311.22$' "$WORK/tree.csv" ||
  { cat "$WORK/tree.csv"; fail "tree --format csv does not mark the withdrawn 支出总计 with 3311.22"; }
grep -q ',summary,expense_total,支出总计,amount,0.00,' "$WORK/tree.csv" && fail "tree --format csv prints a withdrawn figure as 0.00"
# v3: the same without one gpb_func figure
line=$(grep -m1 '^026,2024,gpb_func,2101501,' "$WORK/no-summary.csv")
value=${line##*,}
grep -vxF "$line" "$WORK/no-summary.csv" >"$WORK/v3.csv"
submit "$WORK/v3.csv" >"$WORK/v3.out" 2>&1 || true
[ "$(versions_of 026 2024 | wc -l)" -eq 3 ] || fail "v3 not accepted: $(cat "$WORK/v3.out")"
"$HZ" flags --db "$DB" --year 2024 --entity 026 --format json >"$WORK/v3.json" || true
col=$(echo "$line" | cut -d, -f6)
grep -q "\"rule\":\"version.figure_withdrawn\",\"severity\":\"warning\",\"verdict\":\"MISSING\",\"table\":\"gpb_func\",\"row\":\"2101501\",\"column\":\"$col\",\"expected\":\"$value\"" "$WORK/v3.json" ||
  fail "the dropped figure 2101501/$col is not flagged with its previous $value"
grep -q version.table_withdrawn "$WORK/v3.json" && fail "v3 drops no table (v2 already had no summary)"
echo "ok: withdrawn tables and figures"

# 5. 335 never declares while 335001 does.
grep -E '^(entity|335001),' "$HZ_EXAMPLES/dazhou-2023.csv" >"$WORK/unit-only.csv"
submit "$WORK/unit-only.csv" >"$WORK/unit.out" 2>&1 || fail "335001 not accepted"
"$HZ" flags --db "$DB" --year 2023 --entity 335 --format json >"$WORK/335.json" || true
grep -q '"entity":"335","year":2023,"rule":"level.not_declared","severity":"error","verdict":"MISSING"' "$WORK/335.json" ||
  fail "335 is not flagged as not declared"
grep -q '335 达州市医疗保障事务中心（部门）未申报 2023 年度数据，而 1 个下级已报送：335001' "$WORK/335.json" || fail "the flag does not name 335001"
grep -E '^(entity|335),' "$HZ_EXAMPLES/dazhou-2023.csv" >"$WORK/dept.csv"
submit "$WORK/dept.csv" >"$WORK/dept.out" 2>&1 || fail "335 not accepted"
"$HZ" flags --db "$DB" --year 2023 --entity 335 --format json >"$WORK/335b.json" || true
grep -q level.not_declared "$WORK/335b.json" && fail "335 declared, the flag should be gone"
echo "ok: a department that never declared"
verify_clean
stop_aggregator
echo "completeness: ok"
