#!/usr/bin/env bash
# End to end: a real aggregator, the real collector submitting the four seed budgets, and
# `huizong tree --format csv` reading the LMDB while the aggregator is still running.
# Each seed department's 支出总计 must arrive unchanged at its city and province.
source "$(dirname "$0")/lib.sh.inc"
start_aggregator
submit_seeds
cat "$WORK/submit.out"
[ "$(grep -c ACCEPTED "$WORK/submit.out")" -eq 6 ] || fail "expected 6 accepted submissions"

# 东西湖区医疗保障局 declares 3311.22; district, city and province see exactly that.
for e in 026 420112 420100 420000; do
  expect_figure $e 2024 summary expense_total amount reported 3311.22
done
expect_figure 026 2024 summary expense_total amount declared 3311.22
# 宿州市医疗保障局 1,774.62 → 宿州市 → 安徽省
for e in 608 341300 340000; do expect_figure $e 2024 summary expense_total amount reported 1774.62; done
# 达州 2023: 461.49 → 达州市 → 四川省
for e in 335 511700 510000; do expect_figure $e 2023 summary expense_total amount reported 461.49; done
# 宁德 207172.81 → 宁德市 → 福建省
for e in nd-ybj 350900 350000; do expect_figure $e 2024 summary expense_total amount reported 207172.81; done
# A unit's own figures: 026001's income total is its own, and computed at 026 (not declared there).
expect_figure 026001 2024 income total total reported 3311.22
expect_figure 026 2024 income total total computed 3311.22
expect_figure 420000 2024 income total total reported 3311.22

# The text tree names the nodes in Chinese and tells who has not submitted.
"$HZ_BIN/huizong" tree --db "$DB" --year 2024 --entity 420000 >"$WORK/tree.txt"
grep -q "湖北省" "$WORK/tree.txt" || fail "tree text lacks 湖北省"
grep -q "未报送: .*026-hczx" "$WORK/tree.txt" || fail "tree text does not list 026-hczx as missing"
"$HZ_BIN/huizong" tree --db "$DB" --year 2024 --entity 420000 --format json >"$WORK/tree.json"
grep -q '"code":"420000"' "$WORK/tree.json" || fail "json tree lacks 420000"
stop_aggregator
# After a clean stop the same figures are there (durable), and verify finds the deltas exact.
expect_figure 420000 2024 summary expense_total amount reported 3311.22
verify_clean
echo "e2e_seeds: all good"
