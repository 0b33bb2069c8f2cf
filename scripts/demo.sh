#!/usr/bin/env bash
# The whole demo in one command: install what is missing, build, start an aggregator on a
# local ipc:// endpoint with a temporary database, submit the four shipped seed budgets with
# their 说明 texts, print the consolidated tree and the flags, then serve the web view on
# 127.0.0.1 (user demo, password huizong-demo) and print its address. On a terminal it
# serves until Ctrl-C; otherwise for HZ_DEMO_SERVE seconds (default 0), then stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target huizong huizong-aggregator huizong-collector >/dev/null
BIN=build/bin
work=$(mktemp -d)
serve=""
trap 'kill $serve $agg 2>/dev/null; wait $serve $agg 2>/dev/null; rm -rf "$work"' EXIT
endpoint="ipc://$work/aggregator.sock"
events="ipc://$work/events.sock"
# --insecure: the demo runs on this machine only; see README "Running it for real" for CURVE.
$BIN/huizong-aggregator --db "$work/db" --bind "$endpoint" --events "$events" \
    --hierarchy examples/entities.csv --insecure 2>"$work/aggregator.log" &
agg=$!
echo "== submitting the seed budgets to $endpoint, each with its 说明 (examples/text/)"
for seed in suzhou-2024 dazhou-2023 dongxihu-2024 ningde-2024; do
  $BIN/huizong-collector submit "examples/$seed.csv" --text "examples/text/$seed.txt" \
      --hierarchy examples/entities.csv --to "$endpoint" --spool "$work/spool" || true
done
echo; echo "== consolidated tree, 2024 (万元): 报送数 reported, 申报数 declared, 汇总数 computed"
$BIN/huizong tree --db "$work/db" --year 2024
echo; echo "== consolidated tree, 2023 (万元), 四川省"
$BIN/huizong tree --db "$work/db" --year 2023 --entity 510000
for year in 2023 2024; do
  echo; echo "== flags, $year (错误 and 警告: --severity warning shows both; drop it for the 提示 of rounding)"
  $BIN/huizong flags --db "$work/db" --year $year --severity warning || true
done

echo; echo "== the web view (汇总树, 问题清单, 报送记录与审核; docs/web.md)"
echo 'huizong-demo' | $BIN/huizong passwd --users "$work/users.txt" --user demo \
    --subtree 340000,510000,420000,350000 --role reviewer >/dev/null
$BIN/huizong serve --db "$work/db" --listen 127.0.0.1:0 --users "$work/users.txt" \
    --events "$events" --aggregator "$endpoint" >"$work/serve.log" 2>&1 &
serve=$!
for _ in $(seq 50); do grep -q 'serving http' "$work/serve.log" && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$work/serve.log" | head -1)
echo "web view: ${url:-not started (see $work/serve.log)}   user demo, password huizong-demo"
if [ -t 0 ]; then
  echo "serving until Ctrl-C"
  wait "$serve" || true
else
  sleep "${HZ_DEMO_SERVE:-0}"
fi
