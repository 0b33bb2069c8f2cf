#!/usr/bin/env bash
# `huizong template` (issue 11): the empty printed-layout workbook of an entity reads back
# with a clear "no figures" error (exit 2) naming nothing to send; the same workbook with
# figures typed into it (here: its sheet XML edited, as Excel would save typed cells) reads
# back as exactly those facts, for the entity its 编制单位 line names, and is stored.
source "$(dirname "$0")/lib.sh.inc"
FACTS="$HZ_BIN/hz-facts"
"$HZ" template --entity 026001 --year 2024 --out "$WORK/t.xlsx" --hierarchy "$HIERARCHY" 2>"$WORK/t.err" ||
  { cat "$WORK/t.err"; fail "template failed"; }
rc=0; "$HZ" template --entity nobody --year 2024 --out "$WORK/n.xlsx" --hierarchy "$HIERARCHY" 2>/dev/null || rc=$?
[ "$rc" -eq 3 ] || fail "template of an unknown entity: exit $rc, expected 3"

# 1. nothing filled in: exit 2, "没有数字", the mapping still shows every table found
rc=0; "$COL" check "$WORK/t.xlsx" --hierarchy "$HIERARCHY" >"$WORK/empty.out" 2>"$WORK/empty.err" || rc=$?
[ "$rc" -eq 2 ] || { cat "$WORK/empty.out" "$WORK/empty.err"; fail "an empty template: exit $rc, expected 2"; }
grep -q "没有数字" "$WORK/empty.err" || fail "an empty template should say 没有数字: $(cat "$WORK/empty.err")"
[ "$(grep -ac ' → ' "$WORK/empty.out" | tr -d ' ')" -eq 10 ] || fail "the mapping of the template lacks its tables"
grep -aq "识别结果：单位 026001，年度 2024，10 张表" "$WORK/empty.out" || fail "template not read as 026001 2024 with 10 tables"

# 2. figures typed in (万元): sheet1 收支总表, sheet5 一般公共预算支出表, sheet7 三公经费
python3 - "$WORK/t.xlsx" "$WORK/filled.xlsx" <<'PY'
import re, sys, zipfile
def cell(ref, v):
    if isinstance(v, str):
        return '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, v)
    return '<c r="%s" s="3"><v>%s</v></c>' % (ref, v)
def fill(xml, cells):
    for ref, v in cells.items():
        row = re.sub(r'[A-Z]+', '', ref)
        new = cell(ref, v)
        xml, n = re.subn(r'<c r="%s"[^>]*?/>|<c r="%s"[^>]*?>.*?</c>' % (ref, ref), new, xml, count=1)
        if n == 0:       # no cell yet (code and name columns): first in its row
            xml, n = re.subn(r'(<row r="%s"[^>]*>)' % row, r'\g<1>' + new, xml, count=1)
            assert n == 1, ref
    return xml
FILL = {
    'xl/worksheets/sheet1.xml': {'B6': 100, 'C6': '卫生健康支出', 'D6': 100, 'B22': 100, 'D22': 100},
    'xl/worksheets/sheet5.xml': {'C5': 100, 'D5': 60, 'G5': 40, 'A6': '2101501', 'B6': '行政运行',
                                 'C6': 100, 'D6': 60, 'G6': 40},
    'xl/worksheets/sheet7.xml': {'C5': 1.5, 'C10': 1.5},
}
src, dst = zipfile.ZipFile(sys.argv[1]), zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED)
for item in src.infolist():
    data = src.read(item.filename)
    if item.filename in FILL:
        data = fill(data.decode(), FILL[item.filename]).encode()
    dst.writestr(item, data)
dst.close()
PY
cat >"$WORK/want.facts" <<'F'
026001|2024|gpb_func|2101501|basic|60000000
026001|2024|gpb_func|2101501|project|40000000
026001|2024|gpb_func|2101501|total|100000000
026001|2024|gpb_func|total|basic|60000000
026001|2024|gpb_func|total|project|40000000
026001|2024|gpb_func|total|total|100000000
026001|2024|summary|210|amount|100000000
026001|2024|summary|expense_total|amount|100000000
026001|2024|summary|gpb|amount|100000000
026001|2024|summary|income_total|amount|100000000
026001|2024|three_public|reception|amount|1500000
026001|2024|three_public|total|amount|1500000
F
"$FACTS" --hierarchy "$HIERARCHY" "$WORK/filled.xlsx" >"$WORK/got.facts" 2>"$WORK/got.err" ||
  { cat "$WORK/got.err"; fail "the filled template does not read"; }
cmp -s "$WORK/want.facts" "$WORK/got.facts" || fail "filled template: $(diff "$WORK/want.facts" "$WORK/got.facts")"
echo "ok: the filled template gives exactly the typed figures"

# 3. and goes to the aggregator as one submission of the entity its 编制单位 line names
start_aggregator
submit "$WORK/filled.xlsx" --hierarchy "$HIERARCHY" >"$WORK/s.out" 2>&1 || { cat "$WORK/s.out"; fail "submit of the filled template"; }
grep -q "^026001 2024 12 facts ACCEPTED" "$WORK/s.out" || { cat "$WORK/s.out"; fail "expected 026001 2024 12 facts ACCEPTED"; }
stop_aggregator
# 4. the same writer filled by `huizong gen --format xlsx`: every generated budget as
#    printed workbooks reads back as exactly the facts of the generated v1 CSVs
"$HZ" gen --out "$WORK/gc" --seed 5 >/dev/null 2>&1 || fail "gen (csv)"
"$HZ" gen --out "$WORK/gx" --seed 5 --format xlsx >/dev/null 2>&1 || fail "gen --format xlsx"
[ "$(ls "$WORK/gx/submissions"/*.xlsx | wc -l)" -gt 10 ] || fail "gen --format xlsx wrote too few workbooks"
"$FACTS" --hierarchy "$WORK/gc/entities.csv" "$WORK/gc/submissions"/*.csv >"$WORK/gc.facts" || fail "reading the generated CSVs"
"$FACTS" --hierarchy "$WORK/gx/entities.csv" "$WORK/gx/submissions"/*.xlsx >"$WORK/gx.facts" 2>"$WORK/gx.err" ||
  { head "$WORK/gx.err"; fail "reading the generated workbooks"; }
[ -s "$WORK/gc.facts" ] && cmp -s "$WORK/gc.facts" "$WORK/gx.facts" ||
  fail "gen --format xlsx read back differs from the CSVs: $(diff "$WORK/gc.facts" "$WORK/gx.facts" | head -5)"
echo "ok: gen --format xlsx: $(wc -l <"$WORK/gx.facts") facts, the same as the CSVs'"
#    and as inline strings (--format xlsx-inline, what constant-memory writers make)
"$HZ" gen --out "$WORK/gi" --seed 5 --format xlsx-inline >/dev/null 2>&1 || fail "gen --format xlsx-inline"
python3 -c 'import zipfile,sys; sys.exit("xl/sharedStrings.xml" not in zipfile.ZipFile(sys.argv[1]).namelist())' \
  "$(ls "$WORK/gx/submissions"/*.xlsx | head -1)" || fail "gen --format xlsx wrote no shared strings"
"$FACTS" --hierarchy "$WORK/gi/entities.csv" "$WORK/gi/submissions"/*.xlsx >"$WORK/gi.facts" 2>"$WORK/gi.err" ||
  { head "$WORK/gi.err"; fail "reading the generated inline-string workbooks"; }
cmp -s "$WORK/gc.facts" "$WORK/gi.facts" ||
  fail "gen --format xlsx-inline read back differs from the CSVs: $(diff "$WORK/gc.facts" "$WORK/gi.facts" | head -5)"
echo "ok: gen --format xlsx-inline: the same facts"
echo "template: all good"
