#!/usr/bin/env bash
# Between levels, through real processes: 宿州市医疗保障局 (608) declares its 部门预算 (the seed);
# its three registered units then submit their own budgets. The aggregator must flag
#  - the units that have not submitted (level.missing_subordinates, on 608),
#  - the department's declared 支出总计 1,774.62 against what its units add up to, with each
#    unit's contribution (level.declared_vs_computed),
#  - an internal transfer paid down (对附属单位补助支出) that the receiving unit does not show as
#    上级补助收入 (level.transfer_upper),
# and clear each flag when a resubmission fixes it.
source "$(dirname "$0")/lib.sh.inc"
start_aggregator
flags_csv() { "$HZ_BIN/huizong" flags --db "$DB" --year 2024 --entity 608 --format csv --header ids >"$WORK/flags.csv" || true; }
has_flag() { flags_csv; grep -q "^608,2024,$1," "$WORK/flags.csv"; }

submit "$HZ_EXAMPLES/suzhou-2024.csv" >/dev/null || fail "seed submission"
unit_csv() { # unit expense_total basic to_sub income_gpb income_upper
  local f="$WORK/$1.csv" u=$1 total=$2 basic=$3 tosub=$4 gpb=$5 upper=$6
  {
    echo "entity,year,table,row,name,column,amount"
    echo "$u,2024,summary,gpb,一般公共预算拨款收入,amount,$gpb"
    [ "$upper" != 0 ] && echo "$u,2024,summary,upper,上级补助收入,amount,$upper"
    echo "$u,2024,summary,210,卫生健康支出,amount,$total"
    echo "$u,2024,summary,income_total,收入总计,amount,$total"
    echo "$u,2024,summary,expense_total,支出总计,amount,$total"
    echo "$u,2024,income,total,合计,total,$total"
    echo "$u,2024,income,total,合计,gpb,$gpb"
    [ "$upper" != 0 ] && echo "$u,2024,income,total,合计,upper,$upper"
    echo "$u,2024,expense,total,合计,total,$total"
    echo "$u,2024,expense,total,合计,basic,$basic"
    [ "$tosub" != 0 ] && echo "$u,2024,expense,total,合计,to_sub,$tosub"
    true
  } >"$f"
  echo "$f"
}
# 608001 pays 100.00 down to its subordinate units; 608002 shows only 90.00 received.
submit "$(unit_csv 608001 1000.00 900.00 100.00 1000.00 0)" "$(unit_csv 608002 500.00 500.00 0 410.00 90.00)" \
  >"$WORK/s1.out" 2>&1 || { cat "$WORK/s1.out"; fail "unit submissions"; }
has_flag level.missing_subordinates || fail "no missing-subordinates flag on 608"
grep -q "608003 宿州市医保基金安全监管中心" "$WORK/flags.csv" || fail "missing flag does not name 608003"
grep "^608,2024,level.missing_subordinates," "$WORK/flags.csv" >"$WORK/missing.csv" || true
grep -q "608001" "$WORK/missing.csv" && fail "608001 listed as missing although it submitted"
has_flag level.transfer_upper || fail "no transfer flag for 100.00 paid vs 90.00 received"
grep "^608,2024,level.transfer_upper," "$WORK/flags.csv" >"$WORK/transfer.csv" || true
grep -q "100.00" "$WORK/transfer.csv" || fail "transfer flag lacks the figures"
echo "ok: missing subordinate and transfer mismatch flagged"

# 608003 submits: 1000 + 500 + 274 = 1774.00 ≠ declared 1774.62 → MISMATCH with contributions.
submit "$(unit_csv 608003 274.00 274.00 0 264.00 10.00)" >/dev/null || fail "608003 submission"
flags_csv
grep -q "^608,2024,level.missing_subordinates," "$WORK/flags.csv" && fail "missing flag not cleared after 608003 submitted"
line=$(grep "^608,2024,level.declared_vs_computed,error,MISMATCH,summary,expense_total,amount," "$WORK/flags.csv") ||
  fail "no declared-vs-computed mismatch for summary/expense_total: $(cat "$WORK/flags.csv")"
[[ $line == *",1774.00,1774.62,0.62,"* ]] || fail "mismatch figures wrong: $line"
for u in 608001 608002 608003; do [[ $line == *"$u"* ]] || fail "explanation lacks $u's contribution: $line"; done
grep -q "^608,2024,level.transfer_upper," "$WORK/flags.csv" && fail "transfer flag should be gone: 100.00 paid = 90.00 + 10.00 received"
expect_figure 608 2024 summary expense_total amount computed 1774.00
expect_figure 608 2024 summary expense_total amount reported 1774.62
echo "ok: declared vs computed mismatch with contributions"

# The city's workbook shows the same disagreement (issue 12 item 6): 宿州市 (341300) declares
# nothing, so its 汇总核对 rows come from 608; 608's own 分单位对比 puts its three units side
# by side with the sum and the declared (reported) totals; 下级报送情况 lists who must submit.
"$HZ_BIN/huizong" export --db "$DB" --year 2024 --entity 341300 --format csv --out "$WORK/city.csv" || fail "export 341300"
grep -q '^汇总核对,608,宿州市医疗保障局,部门,.*,支出总计,.*,1774.62,1774.00,0.62,3,不一致$' "$WORK/city.csv" ||
  { grep '^汇总核对' "$WORK/city.csv" | head; fail "汇总核对 of 341300 lacks 608's 支出总计 1774.62 vs 1774.00"; }
grep -q '^下级报送情况,34' "$WORK/city.csv" && fail "下级报送情况 lists the city or the province"
for u in 608 608001 608002 608003; do
  grep -q "^下级报送情况,$u,.*,已报送," "$WORK/city.csv" || fail "下级报送情况: $u not listed as submitted"
done
"$HZ_BIN/huizong" export --db "$DB" --year 2024 --entity 608 --format csv --out "$WORK/dept.csv" || fail "export 608"
grep '^分单位对比,' "$WORK/dept.csv" >"$WORK/compare.csv"
grep -q '^分单位对比,608001,.*,单位,有数,1000.00,1000.00,900.00,' "$WORK/compare.csv" || { cat "$WORK/compare.csv"; fail "分单位对比: 608001"; }
grep -q '^分单位对比,608003,.*,单位,有数,274.00,274.00,274.00,' "$WORK/compare.csv" || fail "分单位对比: 608003"
grep -q '^分单位对比,,下级报送数合计,,,1774.00,1774.00,1674.00,' "$WORK/compare.csv" || fail "分单位对比: sum of the units"
grep -q '^分单位对比,608,本级汇总数（报送数）,部门,,1774.62,1774.62,' "$WORK/compare.csv" || fail "分单位对比: 608's reported totals"
grep -q '^分单位对比,,差额（本级−下级合计）,,,0.62,0.62,' "$WORK/compare.csv" || fail "分单位对比: difference 0.62"
echo "ok: the workbook's 汇总核对, 分单位对比 and 下级报送情况 show it"

# 608003 corrects its budget (274.62): the level flag clears; the text report names the rule.
submit "$(unit_csv 608003 274.62 274.62 0 264.62 10.00)" >/dev/null || fail "608003 resubmission"
flags_csv
grep -q "^608,2024,level.declared_vs_computed,error,MISMATCH,summary,expense_total," "$WORK/flags.csv" &&
  fail "mismatch not cleared by the fixing resubmission"
expect_figure 608 2024 summary expense_total amount computed 1774.62
# Consolidated totals net of the internal transfer (100.00 paid down inside 608).
"$HZ_BIN/huizong" tree --db "$DB" --year 2024 --entity 341300 >"$WORK/tree.txt"
grep -q "合并抵销 支出: 总额 1774.62 − 对附属单位补助支出 100.00 = 净额 1674.62" "$WORK/tree.txt" ||
  fail "tree lacks the expense net of internal transfers: $(grep 合并抵销 "$WORK/tree.txt")"
"$HZ_BIN/huizong" report --db "$DB" --year 2024 --entity 341300 >"$WORK/report.txt" || true
grep -q "608 宿州市医疗保障局" "$WORK/report.txt" || fail "report lacks the department"
verify_clean
echo "level_flags: all good"
