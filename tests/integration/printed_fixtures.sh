#!/usr/bin/env bash
# The printed-layout fixtures (tests/fixtures/printed/, issues 11 and 15) stay what
# EXPECTED.md says: every expected fact set is reproducible from the shipped v1 CSVs with
# csv2facts.sh (so a changed examples/*.csv cannot leave stale expectations behind), the
# 万元 → fen conversion is exact, every fixture the expectations name exists, and the
# hostile files stay small. It runs no reader: the reader tests use these files.
source "$(dirname "$0")/lib.sh.inc"
FX="$HZ_TESTS/fixtures/printed"
C2F="$FX/csv2facts.sh"
E="$FX/expected"

# 1. csv2facts.sh converts exactly and refuses what it cannot convert exactly
printf 'entity,year,table,row,name,column,amount\n026,2024,gpb_func,total,合计,total,"2,361.22"\n026,2024,summary,soe,x,amount,650\n608,2024,gpb_econ,30215,会议费,basic,22\nX,2024,t,r,n,c,-0.000001\nX,2024,t,r2,n,c,0.00\n' > "$WORK/in.csv"
sh "$C2F" "$WORK/in.csv" > "$WORK/out.facts" || fail "csv2facts.sh failed on a valid CSV"
cat > "$WORK/want.facts" <<'EOF'
026|2024|gpb_func|total|total|2361220000
026|2024|summary|soe|amount|650000000
608|2024|gpb_econ|30215|basic|22000000
X|2024|t|r2|c|0
X|2024|t|r|c|-1
EOF
LC_ALL=C sort "$WORK/want.facts" | cmp -s - "$WORK/out.facts" || fail "csv2facts.sh: $(diff "$WORK/out.facts" "$WORK/want.facts")"
printf 'entity,year,table,row,name,column,amount\nX,2024,t,r,n,c,1.1234567\n' > "$WORK/bad.csv"
rc=0; sh "$C2F" "$WORK/bad.csv" > /dev/null 2>"$WORK/bad.err" || rc=$?
[ "$rc" -ne 0 ] || fail "csv2facts.sh accepted 7 decimals of 万元 (not a whole fen)"
grep -q 'more than 6 decimals' "$WORK/bad.err" || fail "csv2facts.sh: no reason given: $(cat "$WORK/bad.err")"
echo "ok: csv2facts.sh exact"

# 2. every expected fact set equals what the seed's v1 CSV gives
# The empty-table markers of the v1 CSVs (a `total` of 0 named 本表无数据, examples/FORMAT.md)
# are the transcriber's: a printed empty table has no cell for a reader of the printing, so
# they are not part of what a printed fixture gives.
same() {   # same EXPECTED_FILE SEED [ENTITY TABLE]
  local want="$WORK/$(basename "$1").want" seed="$WORK/$2.printed.csv"
  grep -v ',本表无数据,' "$HZ_EXAMPLES/$2.csv" > "$seed"
  if [ $# -eq 4 ]; then
    sh "$C2F" "$seed" "$3" | grep "^$3|[0-9]*|$4|" > "$want" || true
  else
    sh "$C2F" "$seed" > "$want"
  fi
  [ -s "$1" ] || fail "missing or empty: $1"
  cmp -s "$want" "$1" || fail "$1 is stale against examples/$2.csv: $(diff "$want" "$1" | head -5)"
}
for f in dongxihu-2024.xlsx dongxihu-2024.xlsm dongxihu-2024.xls dongxihu-2024.pdf all-on-one-sheet.xlsx all-on-one-sheet.pdf; do
  same "$E/$f.facts" dongxihu-2024
done
for f in suzhou-2024.xlsx suzhou-2024.xls suzhou-2024.pdf suzhou-2024.csv-set; do same "$E/$f.facts" suzhou-2024; done
for f in dazhou-2023.xlsx dazhou-2023-yuan.xlsx dazhou-2023-yuan.pdf; do same "$E/$f.facts" dazhou-2023; done
for f in ningde-2024.xlsx ningde-2024.pdf; do same "$E/$f.facts" ningde-2024; done
same "$E/dongxihu-2024-表5-1.gb18030.csv.facts" dongxihu-2024 026 gpb_func
same "$E/hostile-valid-base.facts" dongxihu-2024 026 soe_func
[ "$(wc -l < "$E/dongxihu-2024.xlsx.facts")" -eq 451 ] || fail "东西湖 should give 451 facts"
[ "$(grep -c '^026001|' "$E/dongxihu-2024.xlsx.facts")" -eq 117 ] || fail "东西湖 unit 026001 should hold 117 facts"
echo "ok: expected fact sets reproducible from examples/"

# 3. every fixture the expectations name is there; the generated files are what they claim
for f in dongxihu-2024.xlsx dongxihu-2024.xlsm dongxihu-2024.xls suzhou-2024.xlsx suzhou-2024.xls dazhou-2023.xlsx \
         dazhou-2023-yuan.xlsx ningde-2024.xlsx all-on-one-sheet.xlsx \
         pdf/dongxihu-2024.pdf pdf/suzhou-2024.pdf pdf/dazhou-2023-yuan.pdf pdf/ningde-2024.pdf \
         pdf/all-on-one-sheet.pdf csv/dongxihu-2024-表5-1.gb18030.csv csv/suzhou-2024/表1.csv; do
  [ -s "$FX/$f" ] || fail "fixture missing: $f"
done
for f in "$FX"/*.xlsx "$FX"/*.xlsm "$FX"/hostile/*.xlsx; do
  case "$(basename "$f")" in truncated.xlsx) continue;; esac
  [ "$(head -c 2 "$f")" = "PK" ] || fail "$f is not a zip"
done
for f in "$FX"/*.xls; do
  [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = "d0cf11e0" ] || fail "$f is not an OLE2 (BIFF8) file"
done
for f in "$FX"/pdf/*.pdf; do [ "$(head -c 5 "$f")" = "%PDF-" ] || fail "$f is not a PDF"; done
# the GB18030 CSV is GB18030 (not UTF-8): 部门 is B2BF C3C5 there
hex=$(od -An -tx1 "$FX/csv/dongxihu-2024-表5-1.gb18030.csv" | tr -d ' \n')
case "$hex" in *b2bfc3c5*) ;; *) fail "the GB18030 CSV does not hold 部门 in GB18030";; esac
if command -v iconv >/dev/null; then
  iconv -f UTF-8 -t UTF-8 "$FX/csv/dongxihu-2024-表5-1.gb18030.csv" >/dev/null 2>&1 \
    && fail "the GB18030 CSV decodes as UTF-8: it was not converted"
fi
echo "ok: fixtures present and of their format"

# 4. hostile files: all there, each under 100 KB
for f in zip-bomb-declared zip-bomb-ratio billion-laughs sst-index-out-of-range row-1048576 \
         text-and-date-in-amount formula-no-cached-value formula-cached valid-base renamed-zip truncated; do
  [ -s "$FX/hostile/$f.xlsx" ] || fail "hostile fixture missing: $f.xlsx"
  grep -q "^$f.xlsx|" "$E/hostile.errors" || case $f in formula-cached|valid-base) ;; *) fail "no expected error for $f.xlsx";; esac
done
for f in scanned encrypted truncated deep-nesting page-count-bomb flate-bomb; do
  [ -s "$FX/pdf/hostile/$f.pdf" ] || fail "hostile PDF missing: $f.pdf"
  grep -q "^$f.pdf|" "$E/pdf-hostile.errors" || fail "no expected error for $f.pdf"
done
for f in "$FX"/hostile/* "$FX"/pdf/hostile/*; do
  [ "$(wc -c < "$f")" -lt 102400 ] || fail "$f is 100 KB or more"
done
echo "ok: hostile fixtures present, small, each with its expected error"
