#!/usr/bin/env bash
# `huizong export`: the seeds go through a real aggregator, 武汉市 (420100) is exported to
# xlsx and read back with an independent reader (xlsx2csv, Debian package `xlsx2csv`):
# real figures arrive as numeric cells, and the flags and status sheets exist. The CSV
# export carries the same figures. Exit 77 (skip) only if xlsx2csv is not installed.
source "$(dirname "$0")/lib.sh.inc"
start_aggregator
submit_seeds
stop_aggregator

EXPORT="$HZ export --db $DB --year 2024 --entity 420100"

# CSV first: needs no reader. 支出总计 of 武汉市 is 东西湖's declaration, 3311.22.
$EXPORT --format csv --out "$WORK/wuhan.csv" || fail "export --format csv exited non-zero"
grep -q '^收支总表,,支出总计,3311.22$' "$WORK/wuhan.csv" || { head -n 20 "$WORK/wuhan.csv"; fail "csv: 收支总表 支出总计 3311.22 missing"; }
grep -q '^收支总表,210,卫生健康支出,2479.60$' "$WORK/wuhan.csv" || fail "csv: 210 卫生健康支出 2479.60 missing"
grep -q '^支出总表,,合计,3311.22,776.16,2535.06' "$WORK/wuhan.csv" || fail "csv: 支出总表 合计 row"
grep -q '^一般公共预算支出表,2080505,' "$WORK/wuhan.csv" || fail "csv: 项 2080505 missing"
grep -q '^问题清单,单位代码,' "$WORK/wuhan.csv" || fail "csv: 问题清单 header missing"
grep -q '^下级报送情况,026001,.*,已报送,' "$WORK/wuhan.csv" || fail "csv: 026001 not listed as submitted"
grep -q '^下级报送情况,026-hczx,.*,未报送,' "$WORK/wuhan.csv" || fail "csv: 026-hczx not listed as missing"
echo "ok: csv export"

# Usage and error exits.
rc=0; "$HZ_BIN/huizong" export --db "$DB" --year 2024 --entity 420100 --format pdf --out "$WORK/x" 2>/dev/null || rc=$?
[ "$rc" -eq 2 ] || fail "--format pdf: expected exit 2, got $rc"
rc=0; "$HZ_BIN/huizong" export --db "$DB" --year 2024 --entity nosuch --format csv --out "$WORK/x" 2>/dev/null || rc=$?
[ "$rc" -eq 3 ] || fail "unknown entity: expected exit 3, got $rc"

if ! command -v xlsx2csv >/dev/null 2>&1; then
  echo "SKIP xlsx read-back: xlsx2csv is not installed (apt-get install xlsx2csv)"
  exit 77
fi
$EXPORT --format xlsx --out "$WORK/wuhan.xlsx" || fail "export --format xlsx exited non-zero"
[ -s "$WORK/wuhan.xlsx" ] || fail "no workbook written"
xlsx2csv -a "$WORK/wuhan.xlsx" "$WORK/sheets" >/dev/null 2>&1 || fail "xlsx2csv cannot read the workbook"
ls "$WORK/sheets"
for s in 收支总表 收入总表 支出总表 财政拨款收支总表 一般公共预算支出表 基本支出经济分类表 三公经费 项目支出表 \
         汇总核对 问题清单 下级报送情况; do
  [ -f "$WORK/sheets/$s.csv" ] || fail "sheet $s missing"
done
# xlsx2csv prints a numeric cell as its raw number ("2479.6"); a text cell would come back
# as typed ("2479.60").
grep -q ',支出总计,3311.22$' "$WORK/sheets/收支总表.csv" || { cat "$WORK/sheets/收支总表.csv"; fail "xlsx: 支出总计 3311.22 missing"; }
grep -q '^210,卫生健康支出,2479.6$' "$WORK/sheets/收支总表.csv" || fail "xlsx: 210 2479.6 (a number) missing"
grep -q '^,合计,3311.22,776.16,2535.06' "$WORK/sheets/支出总表.csv" || fail "xlsx: 支出总表 合计 row"
# The cell must be a number: check the sheet XML (t="s"/"str"/"inlineStr" would be text).
mkdir -p "$WORK/x" && (cd "$WORK/x" && python3 -c 'import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extractall()' "$WORK/wuhan.xlsx")
sheet1="$WORK/x/xl/worksheets/sheet1.xml"
grep -o '<c r="C[0-9]*"[^>]*><v>3311.2[0-9]*</v>' "$sheet1" >"$WORK/cells.txt" || true
cell=$(head -n 1 "$WORK/cells.txt")
[ -n "$cell" ] && [[ $cell != *' t='* ]] || fail "xlsx: 3311.22 is not a numeric cell in 收支总表"
grep -q 'numFmt[^>]*formatCode="#,##0.00"' "$WORK/x/xl/styles.xml" || fail "xlsx: no #,##0.00 number format"
grep -q '支出总计' "$WORK/sheets/收支总表.csv" || fail "xlsx: 支出总计 label missing"
grep -q '^026-hczx,.*未报送' "$WORK/sheets/下级报送情况.csv" || fail "xlsx: 026-hczx not listed as missing"
head -n 3 "$WORK/sheets/问题清单.csv" >"$WORK/flags-head.csv"
grep -q '严重程度' "$WORK/flags-head.csv" || fail "xlsx: 问题清单 header"
echo "export: all good"
