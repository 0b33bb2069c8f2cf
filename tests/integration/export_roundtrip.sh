#!/usr/bin/env bash
# `huizong export --format xlsx` read back by the collector's readers gives the facts that
# were exported, for every seed entity (issue 11): the export's layout (titles, Chinese
# headers and row labels of core/tables.c, 单位：万元, numbers as doubles in 万元) is one the
# recogniser reads. The exported figures are the REPORTED ones, so they are the entity's v1
# facts except (intended, listed here): 026 declares no 收入总表, so its reported income is
# the sum of its unit 026001's (4 facts).
source "$(dirname "$0")/lib.sh.inc"
C2F="$HZ_TESTS/fixtures/printed/csv2facts.sh"
FACTS="$HZ_BIN/hz-facts"
start_aggregator
submit_seeds
stop_aggregator
for s in "026 2024 dongxihu-2024" "026001 2024 dongxihu-2024" "608 2024 suzhou-2024" \
         "335 2023 dazhou-2023" "335001 2023 dazhou-2023" "nd-ybj 2024 ningde-2024"; do
  set -- $s
  "$HZ" export --db "$DB" --year "$2" --entity "$1" --format xlsx --out "$WORK/$1.xlsx" >/dev/null 2>&1 ||
    fail "export of $1 $2"
  sh "$C2F" "$HZ_EXAMPLES/$3.csv" | grep "^$1|" >"$WORK/$1.want"
  if [ "$1" = 026 ]; then     # the intended difference above
    sh "$C2F" "$HZ_EXAMPLES/$3.csv" | grep '^026001|2024|income|total|' | sed 's/^026001|/026|/' >>"$WORK/$1.want"
    LC_ALL=C sort -o "$WORK/$1.want" "$WORK/$1.want"
  fi
  "$FACTS" --entity "$1" --year "$2" --hierarchy "$HIERARCHY" "$WORK/$1.xlsx" >"$WORK/$1.got" 2>"$WORK/$1.err" ||
    { cat "$WORK/$1.err"; fail "the export of $1 does not read back"; }
  cmp -s "$WORK/$1.want" "$WORK/$1.got" || fail "export of $1 read back differs: $(diff "$WORK/$1.want" "$WORK/$1.got" | head)"
  echo "ok: $1 $2: $(wc -l <"$WORK/$1.got") facts exported and read back"
done
echo "export_roundtrip: all good"
