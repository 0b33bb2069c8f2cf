#!/usr/bin/env bash
# The narrative text (说明) travels with a submission and is checked where it travels.
#
# A real aggregator stores the four seed budgets, each submitted with its published text
# (examples/text/*.txt, --text). Then:
#  - `huizong flags --format json` holds exactly the narrative findings docs/seed-findings.md
#    lists ("说明与表格核对"), each with its document line: errors 宿州 470 480 490 492 506
#    562 562, 东西湖 1057 1060 1074; 达州 and 宁德 none; ROUNDING (info) 宿州 504 522;
#  - `huizong show --text` returns each text byte for byte; `report` prints its summary;
#  - the previous year through the store: a synthetic 2023 version of 608, then a 2024
#    text claiming two changes against it, one holding, one slipped: text.prior_year on the
#    slipped line only;
#  - an oversize text (SUBMISSION_TEXT_MAX + 1 bytes) is refused by check and submit,
#    naming the file and the limit, with nothing spooled or stored;
#  - `check --text` attaches the text to the highest-level entity (026, not 026001) and
#    prints the per-document summary (text and json).
source "$(dirname "$0")/lib.sh.inc"
TXT="$HZ_EXAMPLES/text"

start_aggregator
for seed in suzhou-2024 dazhou-2023 dongxihu-2024 ningde-2024; do
  submit "$HZ_EXAMPLES/$seed.csv" --text "$TXT/$seed.txt" --hierarchy "$HIERARCHY" >>"$WORK/submit.out" 2>&1 ||
    { cat "$WORK/submit.out"; fail "submit $seed with its text"; }
done
[ "$(grep -c ACCEPTED "$WORK/submit.out")" -eq 6 ] || { cat "$WORK/submit.out"; fail "expected 6 accepted submissions"; }

# narrative_flags YEAR: "ENTITY SEVERITY RULE LINE" of every text.* flag, sorted.
narrative_flags() {
  "$HZ" flags --db "$DB" --year "$1" --format json >"$WORK/flags-$1.json" || true
  { grep -o '{"entity":"[^"]*","year":[0-9]*,"rule":"text\.[^"]*","severity":"[a-z]*"[^}]*"line":[0-9]*' "$WORK/flags-$1.json" || true; } |
    sed -E 's/^\{"entity":"([^"]*)".*"rule":"([^"]*)","severity":"([a-z]*)".*"line":([0-9]*)$/\1 \3 \2 \4/' | sort
}
narrative_flags 2024 >"$WORK/got-2024"
narrative_flags 2023 >"$WORK/got-2023"
cat >"$WORK/want-2024" <<'WANT'
026 error text.change_percent 1057
026 error text.change_percent 1060
026 error text.change_percent 1074
608 error text.change_percent 490
608 error text.change_percent 492
608 error text.change_percent 506
608 error text.change_percent 562
608 error text.project_funding 562
608 error text.share 470
608 error text.share 480
608 info text.change_percent 504
608 info text.change_percent 522
WANT
sort -o "$WORK/want-2024" "$WORK/want-2024"
diff -u "$WORK/want-2024" "$WORK/got-2024" || fail "2024 narrative flags differ from docs/seed-findings.md"
[ ! -s "$WORK/got-2023" ] || { cat "$WORK/got-2023"; fail "达州 2023: no narrative flag expected"; }
echo "ok: the narrative flags of docs/seed-findings.md, with their lines"
# each flag names its text and quotes the sentence of its line
grep -q '"rule":"text.change_percent".*第 490 行「[^"]*增长 31.29%.*"source":"suzhou-2024.txt","line":490' "$WORK/flags-2024.json" ||
  fail "the L490 flag does not quote its sentence and name suzhou-2024.txt:490"
"$HZ" flags --db "$DB" --year 2024 --entity 026 --rule text.change_percent >"$WORK/flags-026.txt" || true
grep -q '来源 dongxihu-2024.txt:1074' "$WORK/flags-026.txt" || { cat "$WORK/flags-026.txt"; fail "flags: no 来源 line for L1074"; }
grep -q '下降400%' "$WORK/flags-026.txt" || fail "flags: the L1074 sentence is not quoted"

# show --text: byte for byte
for pair in 608:2024:suzhou-2024 335:2023:dazhou-2023 026:2024:dongxihu-2024 nd-ybj:2024:ningde-2024; do
  IFS=: read -r e y seed <<<"$pair"
  "$HZ" show --text --db "$DB" --entity "$e" --year "$y" >"$WORK/$seed.shown" || fail "show --text $e $y"
  cmp "$TXT/$seed.txt" "$WORK/$seed.shown" || fail "show --text $e $y is not $seed.txt byte for byte"
done
rc=0; "$HZ" show --text --db "$DB" --entity 026001 --year 2024 >/dev/null 2>"$WORK/notext.err" || rc=$?
[ "$rc" -eq 3 ] && grep -q "has no text" "$WORK/notext.err" || fail "show --text of a unit sent without text: exit $rc"
"$HZ" show --text --db "$DB" --entity 608 --year 2024 --format json >"$WORK/text.json"
grep -q '"text_name":"suzhou-2024.txt","bytes":67234,"summary":{"claims":76,.*"mismatched":7,' "$WORK/text.json" ||
  fail "show --text --format json: $(head -c 400 "$WORK/text.json")"
echo "ok: show --text returns the four texts byte for byte"

# report: the per-document summary after the entity's flags
"$HZ" report --db "$DB" --entity 340000 --year 2024 >"$WORK/report.txt" || true
grep -q '说明 suzhou-2024.txt（67234 字节）：说明核对：声明 76 条.*不符 7' "$WORK/report.txt" ||
  { FAIL_SHOW=report.txt; fail "report: no narrative summary for 608"; }
# an entity none of whose flags is shown still gets its text's summary (达州: no text.share flag)
"$HZ" report --db "$DB" --entity 510000 --year 2023 --rule text.share >"$WORK/report-335.txt" || true
grep -q '^335 达州市医疗保障事务中心 2023 — 错误 0' "$WORK/report-335.txt" &&
  grep -q '说明 dazhou-2023.txt（43565 字节）：说明核对：.*不符 0' "$WORK/report-335.txt" ||
  { FAIL_SHOW=report-335.txt; fail "report: no summary for 335's text"; }

# The previous year through the store: 2023 of 608 with 2080505 = 68.15 (99.18 − 68.15 =
# 31.03 holds) and 2101501 = 490.00 (416.25 − 490.00 = −73.75, the text says 减少 77.94).
cat >"$WORK/608-2023.csv" <<'CSV'
entity,year,table,row,name,column,amount
608,2023,gpb_func,2080505,机关事业单位基本养老保险缴费支出,total,68.15
608,2023,gpb_func,2101501,行政运行,total,490.00
CSV
cat >"$WORK/608-2024.txt" <<'TEXT'
三、一般公共预算支出情况
1.社会保障和就业支出(类)行政事业单位离退休(款)机关事业单位基本养老保险缴费支出(项)2024 年预算 99.18 万元，比 2023 年预算增加 31.03 万元。
2.卫生健康支出(类)医疗保障管理事务(款)行政运行(项)2024 年预算 416.25 万元，比 2023 年预算减少 77.94 万元。
TEXT
submit "$WORK/608-2023.csv" >"$WORK/prior.out" 2>&1 || { cat "$WORK/prior.out"; fail "submit the 2023 version"; }
submit "$HZ_EXAMPLES/suzhou-2024.csv" --text "$WORK/608-2024.txt" >"$WORK/prior.out" 2>&1 ||
  { cat "$WORK/prior.out"; fail "submit 2024 with a text against 2023"; }
narrative_flags 2024 | grep '^608 ' >"$WORK/got-prior" || true
[ "$(cat "$WORK/got-prior")" = "608 error text.prior_year 3" ] ||
  { cat "$WORK/got-prior"; fail "prior year: expected exactly text.prior_year on line 3"; }
grep -q '第 3 行.*上年（2023 年.*490.00 万元 = -73.75 万元，说明为减少 77.94 万元' "$WORK/flags-2024.json" ||
  fail "the prior-year flag does not show 416.25 − 490.00 = −73.75 against 减少 77.94"
"$HZ" show --text --db "$DB" --entity 608 --year 2024 --version 1 | cmp - "$TXT/suzhou-2024.txt" ||
  fail "version 1 of 608 no longer shows its own text"
"$HZ" show --text --db "$DB" --entity 608 --year 2024 | cmp - "$WORK/608-2024.txt" || fail "version 2's text"
echo "ok: a change against the stored 2023 version: one holds, one slipped (text.prior_year line 3)"

# An oversize text: refused before anything is spooled or stored.
head -c $((2 * 1024 * 1024 + 1)) /dev/zero | tr '\0' 'a' >"$WORK/big.txt"
before=$(versions_of 608 2024 | wc -l)
rc=0; submit "$HZ_EXAMPLES/suzhou-2024.csv" --text "$WORK/big.txt" >"$WORK/big.out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || { cat "$WORK/big.out"; fail "oversize text: submit exited $rc, expected 2"; }
grep -q "big.txt.*超过上限 2097152 字节" "$WORK/big.out" || { cat "$WORK/big.out"; fail "the refusal does not name the file and the limit"; }
[ "$(pb_count "$WORK/spool")" -eq 0 ] || fail "an oversize text left something in the spool"
[ "$(versions_of 608 2024 | wc -l)" -eq "$before" ] || fail "an oversize text stored a version"
rc=0; "$COL" check "$HZ_EXAMPLES/suzhou-2024.csv" --text "$WORK/big.txt" >/dev/null 2>"$WORK/big.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "big.txt" "$WORK/big.err" || fail "check with an oversize text: exit $rc"
echo "ok: an oversize text is refused, nothing stored"

# check: the highest-level entity gets the text; the summary in text and json
"$COL" check "$HZ_EXAMPLES/dongxihu-2024.csv" --text "$TXT/dongxihu-2024.txt" --hierarchy "$HIERARCHY" \
    --format json >"$WORK/check.json" || true
grep -q '{"entity":"026","year":2024,[^{]*"text":"dongxihu-2024.txt","text_summary":{"claims":[0-9]*,.*"mismatched":3,' "$WORK/check.json" ||
  fail "check --format json: no text summary on 026"
grep -q '"entity":"026001"[^{]*"text"' "$WORK/check.json" && fail "the text went to the unit 026001"
rc=0; "$COL" check "$HZ_EXAMPLES/dongxihu-2024.csv" --text "$TXT/dongxihu-2024.txt" >"$WORK/check.txt" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "check with 3 narrative errors exited $rc"
grep -q '^  dongxihu-2024.txt: 说明核对：声明 [0-9]* 条.*不符 3' "$WORK/check.txt" || { cat "$WORK/check.txt" | tail; fail "check: no summary"; }
grep -q 'text.change_percent 不一致：第 1074 行' "$WORK/check.txt" || fail "check: the L1074 finding"
rc=0; "$COL" check "$HZ_EXAMPLES/dongxihu-2024.csv" --text "$TXT/dongxihu-2024.txt" --text-entity 999 >/dev/null 2>"$WORK/te.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q -- "--text-entity 999" "$WORK/te.err" || fail "--text-entity of an entity not read: exit $rc"
"$COL" check "$HZ_EXAMPLES/dongxihu-2024.csv" --text "$TXT/dongxihu-2024.txt" --text-entity 026001 --format json >"$WORK/te.json" || true
grep -q '"entity":"026001"[^{]*"text":"dongxihu-2024.txt"' "$WORK/te.json" || fail "--text-entity 026001 was not honoured"
# A GB18030 text (as Chinese Windows saves it): read with --text-encoding gb18030 or auto it
# gives the same findings; read as UTF-8 (the default) it is refused with the hint.
iconv -f UTF-8 -t GB18030 "$TXT/dongxihu-2024.txt" >"$WORK/dongxihu-gb.txt"
for e in gb18030 auto; do
  "$COL" check "$HZ_EXAMPLES/dongxihu-2024.csv" --text "$WORK/dongxihu-gb.txt" --text-encoding "$e" >"$WORK/check-$e.txt" 2>&1 || true
  sed 's/dongxihu-gb\.txt/dongxihu-2024.txt/g' "$WORK/check-$e.txt" | diff -u "$WORK/check.txt" - >"$WORK/gb.diff" ||
    { FAIL_SHOW=gb.diff; fail "a GB18030 text read with --text-encoding $e does not give the UTF-8 text's findings"; }
  grep -q '^  dongxihu-gb.txt: 说明核对：.*不符 3' "$WORK/check-$e.txt" || fail "GB18030 ($e): no summary"
done
rc=0; "$COL" check "$HZ_EXAMPLES/dongxihu-2024.csv" --text "$WORK/dongxihu-gb.txt" >/dev/null 2>"$WORK/gb.err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "不是合法的 UTF-8.*--encoding gb18030" "$WORK/gb.err" || fail "a GB18030 text read as UTF-8: exit $rc"
# submit --strict counts the text's errors: nothing is sent
rc=0; submit "$HZ_EXAMPLES/dongxihu-2024.csv" --text "$TXT/dongxihu-2024.txt" --strict >"$WORK/strict.out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] && grep -q "text.change_percent 不一致：第 1074 行" "$WORK/strict.out" ||
  { cat "$WORK/strict.out"; fail "submit --strict with narrative errors: exit $rc"; }
[ "$(pb_count "$WORK/spool")" -eq 0 ] || fail "submit --strict spooled a submission"
echo "ok: check --text"
verify_clean
stop_aggregator
echo "narrative: all good"
