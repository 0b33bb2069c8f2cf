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
grep '^表1 收支总表,' "$WORK/wuhan.csv" >"$WORK/summary.csv"
cat >"$WORK/summary.want" <<'EOF'
表1 收支总表,收入,,支出,
表1 收支总表,项目,预算数,项目,预算数
表1 收支总表,一般公共预算拨款收入,2361.22,社会保障和就业支出,107.62
表1 收支总表,国有资本经营预算拨款收入,650.00,卫生健康支出,2479.60
表1 收支总表,其他收入,300.00,住房保障支出,74.00
表1 收支总表,,,国有资本经营预算支出,650.00
表1 收支总表,收入总计,3311.22,支出总计,3311.22
EOF
diff "$WORK/summary.want" "$WORK/summary.csv" || fail "csv: 收支总表 is not laid out income | expense side by side"
grep -q '^表1 收支总表,一般公共预算拨款收入,2361.22,' "$WORK/wuhan.csv" || fail "csv: 一般公共预算拨款收入 2361.22 not on the left"
grep -q '^表1 收支总表,.*,卫生健康支出,2479.60$' "$WORK/wuhan.csv" || fail "csv: 卫生健康支出 2479.60 not on the right"
[ "$(tail -n 1 "$WORK/summary.csv")" = '表1 收支总表,收入总计,3311.22,支出总计,3311.22' ] || fail "csv: 收支总表 totals not on the last row"
# 财政拨款收支总表: the same layout; 武汉市 prints a single 预算数 column (total).
grep '^表4 财政拨款收支总表,' "$WORK/wuhan.csv" >"$WORK/fiscal.csv"
sed -n 2p "$WORK/fiscal.csv" | grep -qx '表4 财政拨款收支总表,项目,预算数,项目,合计' || fail "csv: 财政拨款收支总表 sub-header"
grep -qx '表4 财政拨款收支总表,一般公共预算拨款(本年),2361.22,社会保障和就业支出,107.62' "$WORK/fiscal.csv" || fail "csv: fiscal first line"
grep -qx '表4 财政拨款收支总表,国有资本经营预算拨款(本年),650.00,卫生健康支出,2179.60' "$WORK/fiscal.csv" || fail "csv: fiscal 210 2179.60"
grep -qx '表4 财政拨款收支总表,,,住房保障支出,74.00' "$WORK/fiscal.csv" || fail "csv: fiscal blank income side"
[ "$(tail -n 1 "$WORK/fiscal.csv")" = '表4 财政拨款收支总表,收入总计,3011.22,支出总计,3011.22' ] || fail "csv: fiscal totals not on the last row"
# 宿州 (608) prints its fiscal expense side in two columns (合计, 一般公共预算), and its summary
# carries 上级转移支付 1.43, an income line.
$HZ export --db "$DB" --year 2024 --entity 608 --format csv --out "$WORK/suzhou.csv" || fail "export of 608 exited non-zero"
grep -qx '表4 财政拨款收支总表,项目,预算数,项目,合计,一般公共预算' "$WORK/suzhou.csv" || fail "csv: 608 fiscal columns"
grep -qx '表4 财政拨款收支总表,上年结转一般公共预算拨款,260.64,社会保障和就业支出,402.17,402.17' "$WORK/suzhou.csv" || fail "csv: 608 fiscal carry line"
grep -qx '表4 财政拨款收支总表,收入总计,1773.19,支出总计,1773.19,1773.19' "$WORK/suzhou.csv" || fail "csv: 608 fiscal totals"
grep -qx '表1 收支总表,上级转移支付(提前下达一般公共预算),1.43,社会保障和就业支出,402.17' "$WORK/suzhou.csv" || fail "csv: 608 xfer_gpb on the income side"
grep -q '^表3 支出总表,,合计,3311.22,776.16,2535.06' "$WORK/wuhan.csv" || fail "csv: 支出总表 合计 row"
grep -q '^表5 一般公共预算支出表,2080505,' "$WORK/wuhan.csv" || fail "csv: 项 2080505 missing"
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
for s in "表1 收支总表" "表2 收入总表" "表3 支出总表" "表4 财政拨款收支总表" "表5 一般公共预算支出表" \
         "表6 基本支出经济分类表" "表7 三公经费" "表10 项目支出表" 汇总核对 分单位对比 问题清单 下级报送情况; do
  [ -f "$WORK/sheets/$s.csv" ] || fail "sheet $s missing"
done
# xlsx2csv prints a numeric cell as its raw number ("2479.6"); a text cell would come back
# as typed ("2479.60").
sum="$WORK/sheets/表1 收支总表.csv"
sed -n 3p "$sum" | grep -qx '收入,,支出,' || { cat "$sum"; fail "xlsx: 收支总表 header 收入 | 支出"; }
sed -n 4p "$sum" | grep -qx '项目,预算数,项目,预算数' || fail "xlsx: 收支总表 sub-header"
grep -qx '一般公共预算拨款收入,2361.22,社会保障和就业支出,107.62' "$sum" || fail "xlsx: first line of 收支总表"
grep -qx '国有资本经营预算拨款收入,650,卫生健康支出,2479.6' "$sum" || fail "xlsx: 卫生健康支出 2479.6 (a number) not on the right"
grep -qx ',,国有资本经营预算支出,650' "$sum" || fail "xlsx: blank income side"
[ "$(tail -n 1 "$sum")" = '收入总计,3311.22,支出总计,3311.22' ] || fail "xlsx: 收支总表 totals not on the last row"
fis="$WORK/sheets/表4 财政拨款收支总表.csv"
sed -n 4p "$fis" | grep -qx '项目,预算数,项目,合计' || { cat "$fis"; fail "xlsx: 财政拨款收支总表 sub-header"; }
grep -qx '国有资本经营预算拨款(本年),650,卫生健康支出,2179.6' "$fis" || fail "xlsx: fiscal 210 2179.6"
[ "$(tail -n 1 "$fis")" = '收入总计,3011.22,支出总计,3011.22' ] || fail "xlsx: fiscal totals not on the last row"
grep -q '^,合计,3311.22,776.16,2535.06' "$WORK/sheets/表3 支出总表.csv" || fail "xlsx: 支出总表 合计 row"
# The cell must be a number: check the sheet XML (t="s"/"str"/"inlineStr" would be text).
mkdir -p "$WORK/x" && (cd "$WORK/x" && python3 -c 'import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extractall()' "$WORK/wuhan.xlsx")
sheet1="$WORK/x/xl/worksheets/sheet1.xml"
for col in B D; do   # 收入总计 (income amount column) and 支出总计 (expense amount column)
  grep -o "<c r=\"$col[0-9]*\"[^>]*><v>3311.2[0-9]*</v>" "$sheet1" >"$WORK/cells.txt" || true
  cell=$(head -n 1 "$WORK/cells.txt")
  [ -n "$cell" ] && [[ $cell != *' t='* ]] || fail "xlsx: 3311.22 is not a numeric cell in column $col of 收支总表"
done
grep -q 'numFmt[^>]*formatCode="#,##0.00"' "$WORK/x/xl/styles.xml" || fail "xlsx: no #,##0.00 number format"
grep -q '支出总计' "$WORK/sheets/表1 收支总表.csv" || fail "xlsx: 支出总计 label missing"
grep -q '^026-hczx,.*未报送' "$WORK/sheets/下级报送情况.csv" || fail "xlsx: 026-hczx not listed as missing"
head -n 3 "$WORK/sheets/问题清单.csv" >"$WORK/flags-head.csv"
grep -q '严重程度' "$WORK/flags-head.csv" || fail "xlsx: 问题清单 header"
echo "ok: xlsx table sheets"

# The city's workbook (issue 12 item 6). 武汉市 declares nothing itself: every 汇总核对 row
# comes from a node below it (东西湖's department 026), which the sheet must cover.
rec="$WORK/sheets/汇总核对.csv"
sed -n 3p "$rec" | grep -q '^单位代码,单位名称,层级,表,' || { head -4 "$rec"; fail "xlsx: 汇总核对 header"; }
grep -q '^026,武汉市东西湖区医疗保障局,部门,一般公共预算支出表(功能分类),,合计,合计,2361.22,2361.22,0,1,一致$' "$rec" ||
  { head -6 "$rec"; fail "xlsx: 汇总核对 does not cover department 026 under the city"; }
# 分单位对比: each direct subordinate's main totals beside the consolidated ones.
cmpf="$WORK/sheets/分单位对比.csv"
sed -n 3p "$cmpf" | grep -qx '单位代码,单位名称,层级,报送情况,收入总计,支出总计,基本支出,项目支出,财政拨款收入总计,一般公共预算支出,三公经费' ||
  { cat "$cmpf"; fail "xlsx: 分单位对比 header"; }
grep -qx '420112,东西湖区,区县,有数,3311.22,3311.22,776.16,2535.06,3011.22,2361.22,0.8' "$cmpf" || { cat "$cmpf"; fail "xlsx: 分单位对比 420112 row"; }
grep -qx ',下级报送数合计,,,3311.22,3311.22,776.16,2535.06,3011.22,2361.22,0.8' "$cmpf" || fail "xlsx: 分单位对比 sum of the subordinates"
grep -qx '420100,本级汇总数（报送数）,市,,3311.22,3311.22,776.16,2535.06,3011.22,2361.22,0.8' "$cmpf" || fail "xlsx: 分单位对比 consolidated row"
grep -qx ',差额（本级−下级合计）,,,0,0,0,0,0,0,0' "$cmpf" || fail "xlsx: 分单位对比 difference row"
# 下级报送情况: only who must submit (department and units), never the city or the district.
st="$WORK/sheets/下级报送情况.csv"
grep -q '^420100,\|^420112,' "$st" && { cat "$st"; fail "xlsx: 下级报送情况 lists the city or the district"; }
grep -q '^026,.*,部门,420112,已报送,本级申报数,1,' "$st" || fail "xlsx: 026 not listed as submitted"
grep -q '^026-fwzx,.*,未报送' "$st" || fail "xlsx: 026-fwzx not listed as missing"
grep -q '^合计,已报送,2,未报送,2,' "$st" || { tail -2 "$st"; fail "xlsx: 下级报送情况 totals (2 in, 2 missing)"; }
# Tables numbered as published, in that order, and printed landscape, one page wide, with
# the header rows repeated on every page (Print_Titles).
wb="$WORK/x/xl/workbook.xml"
grep -o '<sheet name="[^"]*"' "$wb" | sed 's/<sheet name="//; s/"$//' | tr '\n' '|' >"$WORK/sheet-names"
[ "$(cat "$WORK/sheet-names")" = "表1 收支总表|表2 收入总表|表3 支出总表|表4 财政拨款收支总表|表5 一般公共预算支出表|表6 基本支出经济分类表|表7 三公经费|表8 政府性基金预算支出表|表9 国有资本经营预算支出表|表10 项目支出表|汇总核对|分单位对比|问题清单|下级报送情况|" ] ||
  fail "xlsx: sheets are not numbered as published: $(cat "$WORK/sheet-names")"
for f in "$WORK"/x/xl/worksheets/sheet*.xml; do
  grep -q 'orientation="landscape"' "$f" || fail "xlsx: $(basename "$f") is not landscape"
  grep -q '<pageSetUpPr fitToPage="1"/>' "$f" && grep -q 'fitToHeight="0"' "$f" || fail "xlsx: $(basename "$f") is not fit to one page wide"
done
titles=$(grep -o '<definedName name="_xlnm.Print_Titles"[^>]*>[^<]*' "$wb" | wc -l)
[ "$titles" -eq "$(ls "$WORK"/x/xl/worksheets/sheet*.xml | wc -l)" ] || fail "xlsx: $titles sheets repeat their header rows"
grep -q "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"0\">'表1 收支总表'!\$3:\$4</definedName>" "$wb" ||
  fail "xlsx: 表1 does not repeat its two header rows: $(grep -o '_xlnm.Print_Titles[^<]*' "$wb" | head -2)"
echo "ok: the city's workbook (汇总核对 of the subtree, 分单位对比, who must submit, 表1…表10, print setup)"
echo "export: all good"
