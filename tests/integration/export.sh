#!/usr/bin/env bash
# `huizong export`: the seeds go through a real aggregator, 武汉市 (420100) is exported to
# xlsx and read back with an independent reader (xlsx2csv, Debian package `xlsx2csv`):
# real figures arrive as numeric cells, and the flags and status sheets exist. The CSV
# export carries the same figures. 收支总表 and 财政拨款收支总表 are laid out as printed: income
# on the left, expense on the right, row by row, the totals side by side on the last row.
# Exit 77 (skip) only if xlsx2csv is not installed.
source "$(dirname "$0")/lib.sh.inc"
start_aggregator
submit_seeds
stop_aggregator

EXPORT="$HZ export --db $DB --year 2024 --entity 420100"

# CSV first: needs no reader. 支出总计 of 武汉市 is 东西湖's declaration, 3311.22.
$EXPORT --format csv --out "$WORK/wuhan.csv" || fail "export --format csv exited non-zero"
# 收支总表: income gpb/soe/other on the left, classes 208/210/221/223 on the right; the left side
# runs out first, so the 4th line has blank income cells.
grep '^收支总表,' "$WORK/wuhan.csv" >"$WORK/summary.csv"
cat >"$WORK/summary.want" <<'EOF'
收支总表,收入,,支出,
收支总表,项目,预算数,项目,预算数
收支总表,一般公共预算拨款收入,2361.22,社会保障和就业支出,107.62
收支总表,国有资本经营预算拨款收入,650.00,卫生健康支出,2479.60
收支总表,其他收入,300.00,住房保障支出,74.00
收支总表,,,国有资本经营预算支出,650.00
收支总表,收入总计,3311.22,支出总计,3311.22
EOF
diff "$WORK/summary.want" "$WORK/summary.csv" || fail "csv: 收支总表 is not laid out income | expense side by side"
grep -q '^收支总表,一般公共预算拨款收入,2361.22,' "$WORK/wuhan.csv" || fail "csv: 一般公共预算拨款收入 2361.22 not on the left"
grep -q '^收支总表,.*,卫生健康支出,2479.60$' "$WORK/wuhan.csv" || fail "csv: 卫生健康支出 2479.60 not on the right"
[ "$(tail -n 1 "$WORK/summary.csv")" = '收支总表,收入总计,3311.22,支出总计,3311.22' ] || fail "csv: 收支总表 totals not on the last row"
# 财政拨款收支总表: the same layout; 武汉市 prints a single 预算数 column (total).
grep '^财政拨款收支总表,' "$WORK/wuhan.csv" >"$WORK/fiscal.csv"
sed -n 2p "$WORK/fiscal.csv" | grep -qx '财政拨款收支总表,项目,预算数,项目,合计' || fail "csv: 财政拨款收支总表 sub-header"
grep -qx '财政拨款收支总表,一般公共预算拨款(本年),2361.22,社会保障和就业支出,107.62' "$WORK/fiscal.csv" || fail "csv: fiscal first line"
grep -qx '财政拨款收支总表,国有资本经营预算拨款(本年),650.00,卫生健康支出,2179.60' "$WORK/fiscal.csv" || fail "csv: fiscal 210 2179.60"
grep -qx '财政拨款收支总表,,,住房保障支出,74.00' "$WORK/fiscal.csv" || fail "csv: fiscal blank income side"
[ "$(tail -n 1 "$WORK/fiscal.csv")" = '财政拨款收支总表,收入总计,3011.22,支出总计,3011.22' ] || fail "csv: fiscal totals not on the last row"
# 宿州 (608) prints its fiscal expense side in two columns (合计, 一般公共预算), and its summary
# carries 上级转移支付 1.43, an income line.
$HZ export --db "$DB" --year 2024 --entity 608 --format csv --out "$WORK/suzhou.csv" || fail "export of 608 exited non-zero"
grep -qx '财政拨款收支总表,项目,预算数,项目,合计,一般公共预算' "$WORK/suzhou.csv" || fail "csv: 608 fiscal columns"
grep -qx '财政拨款收支总表,上年结转一般公共预算拨款,260.64,社会保障和就业支出,402.17,402.17' "$WORK/suzhou.csv" || fail "csv: 608 fiscal carry line"
grep -qx '财政拨款收支总表,收入总计,1773.19,支出总计,1773.19,1773.19' "$WORK/suzhou.csv" || fail "csv: 608 fiscal totals"
grep -qx '收支总表,上级转移支付(提前下达一般公共预算),1.43,社会保障和就业支出,402.17' "$WORK/suzhou.csv" || fail "csv: 608 xfer_gpb on the income side"
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
sum="$WORK/sheets/收支总表.csv"
sed -n 3p "$sum" | grep -qx '收入,,支出,' || { cat "$sum"; fail "xlsx: 收支总表 header 收入 | 支出"; }
sed -n 4p "$sum" | grep -qx '项目,预算数,项目,预算数' || fail "xlsx: 收支总表 sub-header"
grep -qx '一般公共预算拨款收入,2361.22,社会保障和就业支出,107.62' "$sum" || fail "xlsx: first line of 收支总表"
grep -qx '国有资本经营预算拨款收入,650,卫生健康支出,2479.6' "$sum" || fail "xlsx: 卫生健康支出 2479.6 (a number) not on the right"
grep -qx ',,国有资本经营预算支出,650' "$sum" || fail "xlsx: blank income side"
[ "$(tail -n 1 "$sum")" = '收入总计,3311.22,支出总计,3311.22' ] || fail "xlsx: 收支总表 totals not on the last row"
fis="$WORK/sheets/财政拨款收支总表.csv"
sed -n 4p "$fis" | grep -qx '项目,预算数,项目,合计' || { cat "$fis"; fail "xlsx: 财政拨款收支总表 sub-header"; }
grep -qx '国有资本经营预算拨款(本年),650,卫生健康支出,2179.6' "$fis" || fail "xlsx: fiscal 210 2179.6"
[ "$(tail -n 1 "$fis")" = '收入总计,3011.22,支出总计,3011.22' ] || fail "xlsx: fiscal totals not on the last row"
grep -q '^,合计,3311.22,776.16,2535.06' "$WORK/sheets/支出总表.csv" || fail "xlsx: 支出总表 合计 row"
# The cell must be a number: check the sheet XML (t="s"/"str"/"inlineStr" would be text).
mkdir -p "$WORK/x" && (cd "$WORK/x" && python3 -c 'import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extractall()' "$WORK/wuhan.xlsx")
sheet1="$WORK/x/xl/worksheets/sheet1.xml"
for col in B D; do   # 收入总计 (income amount column) and 支出总计 (expense amount column)
  grep -o "<c r=\"$col[0-9]*\"[^>]*><v>3311.2[0-9]*</v>" "$sheet1" >"$WORK/cells.txt" || true
  cell=$(head -n 1 "$WORK/cells.txt")
  [ -n "$cell" ] && [[ $cell != *' t='* ]] || fail "xlsx: 3311.22 is not a numeric cell in column $col of 收支总表"
done
grep -q 'numFmt[^>]*formatCode="#,##0.00"' "$WORK/x/xl/styles.xml" || fail "xlsx: no #,##0.00 number format"
grep -q '支出总计' "$WORK/sheets/收支总表.csv" || fail "xlsx: 支出总计 label missing"
grep -q '^026-hczx,.*未报送' "$WORK/sheets/下级报送情况.csv" || fail "xlsx: 026-hczx not listed as missing"
head -n 3 "$WORK/sheets/问题清单.csv" >"$WORK/flags-head.csv"
grep -q '严重程度' "$WORK/flags-head.csv" || fail "xlsx: 问题清单 header"
echo "export: all good"
