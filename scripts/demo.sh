#!/usr/bin/env bash
# The whole demo in one command: install what is missing, build, start an aggregator on a
# local ipc:// endpoint with a temporary database, submit the four shipped seed budgets,
# print the consolidated tree and the flags, stop the aggregator.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target huizong huizong-aggregator huizong-collector >/dev/null
BIN=build/bin
work=$(mktemp -d)
trap 'kill $agg 2>/dev/null; wait $agg 2>/dev/null; rm -rf "$work"' EXIT
endpoint="ipc://$work/aggregator.sock"
# --insecure: the demo runs on this machine only; see README "Running it for real" for CURVE.
$BIN/huizong-aggregator --db "$work/db" --bind "$endpoint" \
    --hierarchy examples/entities.csv --insecure 2>"$work/aggregator.log" &
agg=$!
echo "== submitting the seed budgets to $endpoint"
$BIN/huizong-collector submit examples/suzhou-2024.csv examples/dazhou-2023.csv \
    examples/dongxihu-2024.csv examples/ningde-2024.csv --to "$endpoint" --spool "$work/spool" || true
echo; echo "== consolidated tree, 2024 (万元): 报送数 reported, 申报数 declared, 汇总数 computed"
$BIN/huizong tree --db "$work/db" --year 2024
echo; echo "== consolidated tree, 2023 (万元), 四川省"
$BIN/huizong tree --db "$work/db" --year 2023 --entity 510000
for year in 2023 2024; do
  echo; echo "== flags, $year (错误 and 警告: --severity warning shows both; drop it for the 提示 of rounding)"
  $BIN/huizong flags --db "$work/db" --year $year --severity warning || true
done
