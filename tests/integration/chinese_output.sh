#!/usr/bin/env bash
# Chinese first for people, ids for machines (issue 12 item 4), on the seeds in a real
# aggregator: `flags --format csv` starts with a UTF-8 byte order mark and Chinese headers
# and reads back through LibreOffice (CSV → xlsx) and xlsx2csv with its Chinese intact;
# `--encoding gb18030` is real GB18030; `--header ids` is the machine form without a mark;
# report text is Chinese (错误/警告/提示, 不一致/舍入差, rule names beside ids); --severity X
# means X and graver; verify has --format json/csv; empty results say so (无 2030 年数据,
# a row no table has); --table takes a Chinese name; an unknown table lists the valid ones.
source "$(dirname "$0")/lib.sh.inc"
start_aggregator
submit_seeds
stop_aggregator

# 1. flags CSV for Excel: BOM, Chinese headers, Chinese labels; JSON keeps the ids.
rc=0; "$HZ" flags --db "$DB" --year 2024 --format csv >"$WORK/问题.csv" || rc=$?
[ "$rc" -le 1 ] || fail "flags --format csv exited $rc"
[ "$(head -c 3 "$WORK/问题.csv" | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "flags csv does not start with a UTF-8 BOM"
head -n 1 "$WORK/问题.csv" | sed 's/^\xEF\xBB\xBF//' | grep -q '^单位代码,年度,规则,规则名称,严重程度,判定,表,表名,行,列,' ||
  fail "flags csv headers are not Chinese: $(head -n 1 "$WORK/问题.csv")"
grep -q '^608,2024,table.func_sum,功能分类逐级合计,提示,舍入差,' "$WORK/问题.csv" || fail "flags csv rows are not in Chinese"
grep -q ',error,\|,MISMATCH,\|,ROUNDING,' "$WORK/问题.csv" && fail "English severity/verdict in the Chinese csv"
rows=$(($(wc -l <"$WORK/问题.csv") - 1))
echo "ok: flags csv has a BOM and Chinese headers ($rows flags)"

# ... and opens as Chinese in a spreadsheet: LibreOffice converts the CSV, xlsx2csv reads the
# workbook back. Excel takes UTF-8 from the mark; LibreOffice's headless converter takes the
# character set from its filter options (76 = UTF-8), and the mark must then not leak into
# the first cell (the header must read exactly 单位代码).
if command -v soffice >/dev/null 2>&1 && command -v xlsx2csv >/dev/null 2>&1; then
  mkdir -p "$WORK/lo" "$WORK/lo-profile"
  cp "$WORK/问题.csv" "$WORK/lo/flags.csv"
  timeout 120 soffice -env:UserInstallation=file://"$WORK/lo-profile" --headless \
      --infilter="CSV:44,34,76,1" --convert-to xlsx --outdir "$WORK/lo" "$WORK/lo/flags.csv" >"$WORK/lo.log" 2>&1 ||
    { FAIL_SHOW=lo.log; fail "soffice could not convert the flags csv"; }
  xlsx2csv "$WORK/lo/flags.xlsx" >"$WORK/lo/back.csv" || fail "xlsx2csv cannot read LibreOffice's workbook"
  head -n 1 "$WORK/lo/back.csv" | grep -q '^单位代码,年度,规则,规则名称,严重程度,判定,' ||
    fail "the spreadsheet's header row is not Chinese: $(head -n 1 "$WORK/lo/back.csv")"
  grep -q '^608,2024,table.func_sum,功能分类逐级合计,提示,舍入差,' "$WORK/lo/back.csv" ||
    fail "the spreadsheet does not show the Chinese rows"
  [ "$(($(wc -l <"$WORK/lo/back.csv") - 1))" -ge "$rows" ] || fail "the spreadsheet lost rows"
  echo "ok: the flags csv opens in LibreOffice with its Chinese intact"
else
  echo "note: soffice or xlsx2csv missing; spreadsheet round trip not run"
fi

# GB18030 for Excel's native code page; ids for machines (plain UTF-8, no mark).
"$HZ" flags --db "$DB" --year 2024 --format csv --encoding gb18030 >"$WORK/gb.csv" || true
iconv -f GB18030 -t UTF-8 "$WORK/gb.csv" >"$WORK/gb.utf8" || fail "--encoding gb18030 output is not GB18030"
sed '1s/^\xEF\xBB\xBF//' "$WORK/问题.csv" | cmp -s - "$WORK/gb.utf8" || fail "gb18030 output differs from the UTF-8 one"
cmp -s "$WORK/gb.csv" "$WORK/gb.utf8" && fail "gb18030 output is byte-identical to UTF-8"
"$HZ" flags --db "$DB" --year 2024 --format csv --header ids >"$WORK/ids.csv" || true
[ "$(head -n 1 "$WORK/ids.csv")" = "entity,year,rule,severity,verdict,table,row,column,expected,actual,difference,terms,explanation,source,line" ] ||
  fail "--header ids: $(head -n 1 "$WORK/ids.csv")"
grep -q '^608,2024,table.func_sum,info,ROUNDING,' "$WORK/ids.csv" || fail "--header ids rows keep the ids"
"$HZ" flags --db "$DB" --year 2024 --format json >"$WORK/flags.json" || true
grep -q '"severity":"info","verdict":"ROUNDING"' "$WORK/flags.json" || fail "json lost its ids"
echo "ok: --encoding gb18030, --header ids, json unchanged"

# 2. report text in Chinese.
"$HZ" report --db "$DB" --year 2024 --entity 420000 >"$WORK/report.txt" || true
grep -q '^026 武汉市东西湖区医疗保障局 2024 — 错误 1，警告 3，提示 9$' "$WORK/report.txt" || fail "report group header not Chinese"
grep -q '^  警告  编码类别错用 code.kind .*编码不规范$' "$WORK/report.txt" || fail "report: no Chinese warning line"
grep -q '^  提示  功能分类逐级合计 table.func_sum .*舍入差  应为 107.61 实为 107.62 差 0.01$' "$WORK/report.txt" || fail "report: no Chinese rounding line"
grep -Eq '(^| )(error|warning|info|MISMATCH|ROUNDING|MALFORMED|MISSING)( |$)' "$WORK/report.txt" &&
  fail "report text still has English severities or verdicts: $(grep -E ' (error|warning|info|MISMATCH|ROUNDING) ' "$WORK/report.txt" | head -1)"
echo "ok: report in Chinese"

# 3. --severity X means X and graver.
count() {
  "$HZ" flags --db "$DB" --year 2024 --format csv --header ids "$@" >"$WORK/sev.csv" || true
  tail -n +2 "$WORK/sev.csv" | cut -d, -f4 | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }'
}
all=$(count); warn=$(count --severity warning); err=$(count --severity 错误)
case $all in *error=*) ;; *) fail "the seeds of 2024 have no error flag: $all" ;; esac
[ "$warn" = "$(echo "$all" | tr ' ' '\n' | grep -E '^(error|warning)=' | tr '\n' ' ')" ] ||
  fail "--severity warning shows '$warn', all is '$all'"
[ "$err" = "$(echo "$all" | tr ' ' '\n' | grep -E '^error=' | tr '\n' ' ')" ] || fail "--severity 错误 shows '$err'"
echo "ok: --severity warning = errors and warnings ($warn)"

# 4. verify --format.
out=$("$HZ" verify --db "$DB" --format json) || fail "verify --format json exited non-zero"
[ "$out" = $'{"discrepancies":[\n],"count":0}' ] || fail "verify json: $out"
"$HZ" verify --db "$DB" --format csv >"$WORK/verify.csv" || fail "verify --format csv exited non-zero"
sed '1s/^\xEF\xBB\xBF//' "$WORK/verify.csv" | grep -qx '单位代码,年度,表,行,列,维护的汇总数(万元),重算汇总数(万元),维护的计入下级数,重算计入下级数' ||
  fail "verify csv header: $(head -1 "$WORK/verify.csv")"
[ "$("$HZ" verify --db "$DB" --format csv --header ids | wc -l)" -eq 1 ] || fail "verify csv of a clean store has rows"
verify_clean
echo "ok: verify --format json/csv"

# 5. Empty results say so; Chinese table names; unknown tables listed.
[ "$("$HZ" tree --db "$DB" --year 2030)" = "无 2030 年数据" ] || fail "tree --year 2030 does not say 无 2030 年数据"
[ "$("$HZ" flags --db "$DB" --year 2030 | head -1)" = "无 2030 年数据" ] || fail "flags --year 2030 does not say 无 2030 年数据"
out=$("$HZ" tree --db "$DB" --year 2024 --entity 420000 --row 20801)
[ "$out" = "行 20801 不存在于 任何表 的 2024 年数据中" ] || fail "tree --row 20801: '$out'"
out=$("$HZ" tree --db "$DB" --year 2024 --entity 420000 --table gpb_func --row 20801)
[ "$out" = "行 20801 不存在于 gpb_func（一般公共预算支出表(功能分类)） 的 2024 年数据中" ] || fail "tree --table gpb_func --row 20801: '$out'"
"$HZ" tree --db "$DB" --year 2024 --entity 420112 --table 一般公共预算支出表 --row 21011 --depth 0 >"$WORK/zh-table.txt" ||
  fail "--table 一般公共预算支出表 refused"
grep -q 'gpb_func/21011/total: 报送数 844.02' "$WORK/zh-table.txt" || fail "--table 一般公共预算支出表 does not select gpb_func: $(cat "$WORK/zh-table.txt")"
rc=0; "$HZ" tree --db "$DB" --year 2024 --table 绩效目标表 >/dev/null 2>"$WORK/bad-table.err" || rc=$?
[ "$rc" -eq 2 ] || fail "unknown table: exit $rc"
grep -q "未知表 '绩效目标表'" "$WORK/bad-table.err" || fail "unknown table not named: $(cat "$WORK/bad-table.err")"
grep -q 'gpb_func  *一般公共预算支出表' "$WORK/bad-table.err" && grep -q 'summary  *' "$WORK/bad-table.err" ||
  fail "unknown table: valid tables not listed"
echo "ok: empty results and table names"
echo "chinese_output: all good"
