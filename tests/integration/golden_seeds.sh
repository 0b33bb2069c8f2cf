#!/usr/bin/env bash
# Golden output of the seeds: a real aggregator stores the four seed budgets, then
# `huizong flags --format json` (each seed year) and `huizong report` (each seed's province)
# must print exactly what tests/golden/ holds. This pins every finding and every flag text,
# so a refactor of the rules, the vocabulary or the formatters that changes one byte of what
# a person reads fails here. Values that differ run to run (submission ids, timestamps)
# are masked by golden_mask before the comparison.
#
# To accept an intended change: GOLDEN_UPDATE=1 bash tests/integration/golden_seeds.sh
# (with HZ_BIN, HZ_EXAMPLES, HZ_TESTS set as ctest sets them), then review the diff.
source "$(dirname "$0")/lib.sh.inc"
: "${HZ_TESTS:?HZ_TESTS must point at tests/}"
GOLDEN="$HZ_TESTS/golden"

# golden_mask: stdin -> stdout with run-dependent values replaced by fixed tokens.
golden_mask() {
  sed -E -e 's/("(submission_id|id)":")[0-9a-f]{8,}"/\1<id>"/g' \
         -e 's/("[a-z_]*_ms":)[0-9]+/\1<ms>/g' \
         -e 's/[0-9a-f]{32,}/<hex>/g' \
         -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z?/<time>/g'
}

# golden_check NAME CMD...: runs CMD (exit 0 or 1: 1 only says an error flag was shown),
# masks its output and compares it with $GOLDEN/NAME.
golden_check() {
  local name=$1 rc=0; shift
  "$@" >"$WORK/$name.raw" 2>"$WORK/$name.err" || rc=$?
  [ "$rc" -le 1 ] || fail "$* exited $rc: $(cat "$WORK/$name.err")"
  golden_mask <"$WORK/$name.raw" >"$WORK/$name"
  if [ "${GOLDEN_UPDATE:-0}" = 1 ]; then cp "$WORK/$name" "$GOLDEN/$name"; return 0; fi
  [ -f "$GOLDEN/$name" ] || fail "no golden file $GOLDEN/$name"
  diff -u "$GOLDEN/$name" "$WORK/$name" >"$WORK/$name.diff" ||
    { FAIL_SHOW="$name.diff"; fail "$name differs from the golden file"; }
}

start_aggregator
submit_seeds
[ "$(grep -c ACCEPTED "$WORK/submit.out")" -eq 6 ] || { cat "$WORK/submit.out"; fail "expected 6 accepted submissions"; }

for y in 2023 2024; do
  golden_check "flags-$y.json" "$HZ" flags --db "$DB" --year "$y" --format json
  golden_check "flags-$y.txt" "$HZ" flags --db "$DB" --year "$y"
done
# Each seed's top entity: 湖北省 (东西湖), 安徽省 (宿州), 四川省 (达州, 2023), 福建省 (宁德).
for ey in 420000:2024 340000:2024 510000:2023 350000:2024; do
  e=${ey%:*} y=${ey#*:}
  golden_check "report-$e-$y.txt" "$HZ" report --db "$DB" --entity "$e" --year "$y"
  golden_check "report-$e-$y.json" "$HZ" report --db "$DB" --entity "$e" --year "$y" --format json
done
stop_aggregator
echo "golden_seeds: all good"
