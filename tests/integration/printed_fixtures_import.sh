#!/usr/bin/env bash
# Every printed-layout fixture of tests/fixtures/printed (issue 11) read by the collector's
# readers gives exactly its expected fact set (expected/<fixture>.facts, EXPECTED.md);
# `huizong-collector check --format json` reports per file the same entity/year groups; every
# hostile file is refused with exit 2 and its expected cell and value, in bounded memory;
# and the four seeds submitted as workbooks consolidate to the same tree and flags as their
# v1 CSVs. Intended differences between a fixture and its expected set: none (every one of
# EXPECTED.md's "printed, not a fact" lines is dropped by the recogniser itself).
source "$(dirname "$0")/lib.sh.inc"
FX="$HZ_TESTS/fixtures/printed"
E="$FX/expected"
FACTS="$HZ_BIN/hz-facts"
MEM_KB=600000                          # address space of one reader run (ulimit -v)
# AddressSanitizer reserves terabytes of address space: no ulimit -v under it
limit_mem() { if is_sanitized "$FACTS"; then :; else ulimit -v "$MEM_KB"; fi; }

# An empty-table marker (examples/FORMAT.md: a total row of 0, given for a table printed empty
# with a note such as 本部门没有…安排的支出). expected/*.facts hold the printed figures only
# (it_printed_fixtures leaves the markers out as well), so markers are set aside here and
# checked on their own below (MARKERS).
MARKER_RE='\|total\|(total|amount)\|0$'
# facts_of EXPECTED FILE... [OPTIONS]: the facts of the files equal expected/EXPECTED exactly
facts_of() {
  local want="$E/$1.facts" got="$WORK/$1.got"; shift
  local rc=0
  ( limit_mem; "$FACTS" --hierarchy "$HIERARCHY" "$@" >"$got.all" 2>"$got.err" ) || rc=$?
  [ "$rc" -eq 0 ] || { cat "$got.err" >&2; fail "$(basename "$want" .facts): reader exit $rc"; }
  # markers the expected set does not hold (a printed 0 total it does hold stays compared)
  grep -E "$MARKER_RE" "$got.all" | grep -Fxv -f "$want" >"$got.markers" || true
  grep -Fxv -f "$got.markers" "$got.all" >"$got" || true
  [ -s "$got.markers" ] || cp "$got.all" "$got"
  cmp -s "$want" "$got" || fail "$(basename "$want" .facts): fact set differs from the expected one:
$(diff "$want" "$got" | head -20)"
  echo "ok: $(basename "$want" .facts) ($(wc -l <"$got") facts)"
}

# 1. every fixture, its exact fact set
for f in dongxihu-2024.xlsx dongxihu-2024.xlsm dongxihu-2024.xls all-on-one-sheet.xlsx \
         suzhou-2024.xlsx suzhou-2024.xls dazhou-2023.xlsx dazhou-2023-yuan.xlsx ningde-2024.xlsx; do
  facts_of "$f" "$FX/$f"
done
# MARKERS: 东西湖 prints 表8 政府性基金预算支出表 empty with its note (备注：…没有政府性基金预算财政
# 拨款预算安排的支出): the department's workbook gives the empty-table marker, as its v1 CSV does.
[ "$(cat "$WORK/dongxihu-2024.xlsx.got.markers")" = "026|2024|gfb_func|total|total|0" ] ||
  fail "dongxihu-2024.xlsx: the empty 表8 should give the marker 026|2024|gfb_func|total|total|0, got: $(cat "$WORK/dongxihu-2024.xlsx.got.markers")"
facts_of "dongxihu-2024-表5-1.gb18030.csv" "$FX/csv/dongxihu-2024-表5-1.gb18030.csv" --year 2024 --encoding auto
facts_of suzhou-2024.csv-set "$FX"/csv/suzhou-2024/*.csv          # given together: one submission
# 272 printed figures + the markers of its two tables printed empty (表7 政府性基金, 表8 国有资本经营)
[ "$("$FACTS" --submissions --hierarchy "$HIERARCHY" "$FX"/csv/suzhou-2024/*.csv)" = "608 2024 274" ] ||
  fail "the 12 宿州 CSVs should make one submission 608 2024 of 274 facts"
facts_of hostile-valid-base "$FX/hostile/valid-base.xlsx" --year 2024
facts_of hostile-valid-base "$FX/hostile/formula-cached.xlsx" --year 2024

# 1b. the printed precision of each fact (fact_t.unit_fen): 达州 in 元 prints 表1 in whole 元
#     (100 fen), the other tables with 2 decimals of 元 (1 fen), 三公 in 万元 with 2 (10000)
"$FACTS" --units --hierarchy "$HIERARCHY" "$FX/dazhou-2023-yuan.xlsx" >"$WORK/units" || fail "hz-facts --units"
units_of() { grep "^335|2023|$1|" "$WORK/units" | cut -d'|' -f7 | sort -u | tr '\n' ' '; }
[ "$(units_of summary)" = "100 " ] || fail "达州 表1 (whole 元) should have precision 100 fen: $(units_of summary)"
[ "$(units_of expense)" = "1 " ] || fail "达州 表1-2 (0.00 元) should have precision 1 fen: $(units_of expense)"
[ "$(units_of three_public)" = "10000 " ] || fail "达州 表3-3 (0.00 万元) should have precision 10000 fen: $(units_of three_public)"
"$FACTS" --units --hierarchy "$HIERARCHY" --year 2024 --encoding auto "$FX/csv/dongxihu-2024-表5-1.gb18030.csv" |
  cut -d'|' -f7 | sort -u | tr '\n' ' ' >"$WORK/units-csv"
[ "$(cat "$WORK/units-csv")" = "10000 " ] || fail "the GB18030 CSV prints 2 decimals of 万元: $(cat "$WORK/units-csv")"
echo "ok: printed precision per fact (元 whole / 0.01 元 / 0.01 万元)"

# 2. check --format json: the mapping of a file with two entities names both, with their counts
"$COL" check "$FX/dazhou-2023-yuan.xlsx" --hierarchy "$HIERARCHY" --format json >"$WORK/dz.json" || true
python3 - "$WORK/dz.json" "$E/dazhou-2023-yuan.xlsx.facts" "$WORK/dazhou-2023-yuan.xlsx.got.markers" <<'PY' ||
import json, sys, collections
d = json.load(open(sys.argv[1]))
# the printed figures, and the empty-table markers of the tables printed empty (section 1)
want = collections.Counter(l.split('|')[0] for f in sys.argv[2:4] for l in open(f))
subs = {s['entity']: s['facts'] for s in d['submissions']}
mapped = {s['entity']: s['facts'] for m in d['mappings'] for s in m['mapping']['submissions']}
assert subs == dict(want) == mapped, (subs, mapped, want)
units = {t['grid']: t['unit'] for t in d['mappings'][0]['mapping']['tables']}
assert units['表1-2 部门支出总表'] == '元' and units['表3-3 一般公共预算"三公"经费支出预算表'] == '万元', units
PY
  fail "check --format json of dazhou-2023-yuan.xlsx"
# text mode: an error is printed once (on stderr), not again in the mapping on stdout
rc=0; "$COL" check "$FX/hostile/text-and-date-in-amount.xlsx" --entity 026 --year 2024 >"$WORK/t.out" 2>"$WORK/t.err" || rc=$?
[ "$rc" -eq 2 ] || fail "check of a bad workbook: exit $rc, expected 2"
[ "$(grep -c '六百五十' "$WORK/t.err")" -eq 1 ] || fail "the error should be on stderr once"
! grep -q '六百五十' "$WORK/t.out" || fail "the error is repeated in the mapping on stdout"
echo "ok: check json per-submission entities, text errors once"

# 3. hostile files: exit 2, the expected location and value, bounded memory
while IFS='|' read -r file where value reason; do
  case "$file" in '#'*|'') continue;; esac
  rc=0
  ( limit_mem; "$COL" check "$FX/hostile/$file" --entity 026 --year 2024 >"$WORK/h.out" 2>"$WORK/h.err" ) || rc=$?
  [ "$rc" -eq 2 ] || { cat "$WORK/h.err"; fail "$file: exit $rc, expected 2 ($reason)"; }
  [ "$where" = - ] || grep -qF -- "$where" "$WORK/h.err" || { cat "$WORK/h.err"; fail "$file: the error does not name $where"; }
  [ "$value" = - ] || grep -qF -- "$value" "$WORK/h.err" || { cat "$WORK/h.err"; fail "$file: the error does not quote $value"; }
  echo "ok: hostile $file: $(head -c 160 "$WORK/h.err" | tr '\n' ' ')"
done <"$E/hostile.errors"

# 4. the four seeds as workbooks consolidate like the v1 CSVs: same tree, same flags
start_named_aggregator wb "$HIERARCHY"
start_named_aggregator v1 "$HIERARCHY"
TO="ipc://$WORK/wb.sock" collector submit "$WORK/spool-wb" "$FX/dongxihu-2024.xlsx" "$FX/suzhou-2024.xlsx" \
  "$FX/dazhou-2023.xlsx" "$FX/ningde-2024.xlsx" --hierarchy "$HIERARCHY" >"$WORK/wb.out" 2>&1 ||
  { cat "$WORK/wb.out"; fail "submit of the workbooks"; }
TO="ipc://$WORK/v1.sock" collector submit "$WORK/spool-v1" "$HZ_EXAMPLES/dongxihu-2024.csv" "$HZ_EXAMPLES/suzhou-2024.csv" \
  "$HZ_EXAMPLES/dazhou-2023.csv" "$HZ_EXAMPLES/ningde-2024.csv" >"$WORK/v1.out" 2>&1 ||
  { cat "$WORK/v1.out"; fail "submit of the v1 CSVs"; }
[ "$(grep -c ACCEPTED "$WORK/wb.out")" -eq "$(grep -c ACCEPTED "$WORK/v1.out")" ] ||
  { cat "$WORK/wb.out" "$WORK/v1.out"; fail "workbooks and v1 CSVs made different numbers of submissions"; }
stop_named_aggregator wb
stop_named_aggregator v1
norm() { sed -E 's/"(source|line|id|submission|version|submission_id|received_ms|created_ms)":("[^"]*"|[0-9]+),?//g'; }
for y in 2023 2024; do
  "$HZ" flags --db "$WORK/wb" --year $y --format json | norm >"$WORK/flags-wb-$y.json" || true
  "$HZ" flags --db "$WORK/v1" --year $y --format json | norm >"$WORK/flags-v1-$y.json" || true
  [ -s "$WORK/flags-v1-$y.json" ] || fail "no flags from the v1 database for $y"
  diff "$WORK/flags-v1-$y.json" "$WORK/flags-wb-$y.json" >"$WORK/flags.diff" || { head -20 "$WORK/flags.diff"; fail "flags $y differ"; }
  roots="420000 340000 350000"; [ $y = 2023 ] && roots=510000
  for root in $roots; do
    "$HZ" tree --db "$WORK/wb" --year $y --entity $root --format csv >"$WORK/tree-wb" 2>/dev/null || true
    "$HZ" tree --db "$WORK/v1" --year $y --entity $root --format csv >"$WORK/tree-v1" 2>/dev/null || true
    [ -s "$WORK/tree-v1" ] || fail "no tree for $root $y from the v1 database"
    cmp -s "$WORK/tree-v1" "$WORK/tree-wb" || { diff "$WORK/tree-v1" "$WORK/tree-wb" | head; fail "tree $root $y differs"; }
  done
done
echo "ok: the workbooks consolidate to the v1 CSVs' tree and flags"
echo "printed_fixtures_import: all good"
