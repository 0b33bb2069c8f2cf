#!/usr/bin/env bash
# Published PDFs through huizong-collector (issue 15): every fixture PDF made by LibreOffice
# from the printed-layout workbooks (tests/fixtures/printed/pdf) and every hand-made one
# (tests/data/pdf) is read by `check`, which shows per page the tables found and the grid
# built (text and --format json); the facts of each fixture PDF are compared with
# expected/<fixture>.pdf.facts; hostile PDFs are refused with their reason, exit 2, under
# `ulimit -v` and a time bound; 宿州 and 东西湖 submitted as PDFs consolidate like their v1 CSVs;
# run --watch takes a PDF (delivered) and a scanned one (failed/ with the reason); poppler is
# only in the helper huizong-pdf-pages, which gets the limits and none of the caller's files.
# Skipped when the build has no poppler-glib.
source "$(dirname "$0")/lib.sh.inc"
FACTS="$HZ_BIN/hz-facts"
P="$HZ_TESTS/fixtures/printed"
D="$HZ_TESTS/data/pdf"
[ -x "$HZ_BIN/hz-pdfgrid" ] || { echo "skip: built without poppler-glib"; exit 77; }
# seconds: a behaviour check, above the poppler child's own wall-clock limit (PDF_WALL_SECONDS,
# 120 s) so that a loaded machine cannot fail it; on an idle one every file takes < 15 s
# (tests/data/pdf/flate_bomb.pdf: ~10 s of CPU, poppler parsing 2 GiB of inflated content)
TIME_BOUND=150
MEMORY_KB=1048576             # ulimit -v for the collector and its poppler child: 1 GiB
# AddressSanitizer reserves terabytes of address space: no ulimit -v under it
sanitized=0
is_sanitized "$COL" && sanitized=1
bounded() {   # bounded OUT ERR CMD...: the command under the memory and time bounds
  local out=$1 err=$2; shift 2
  ( [ "$sanitized" -eq 1 ] || ulimit -v "$MEMORY_KB"; exec timeout "$TIME_BOUND" "$@" ) >"$out" 2>"$err"
}

# 1. each fixture PDF gives exactly the facts of its workbook (expected/<fixture>.pdf.facts),
#    with no option: year and entity come from the cover page
for pdf in "$P"/pdf/*.pdf; do
  x=$(basename "$pdf" .pdf)
  [ -f "$P/expected/$x.pdf.facts" ] || fail "$x.pdf: no expected/$x.pdf.facts"
  "$FACTS" --hierarchy "$HIERARCHY" "$pdf" 2>"$WORK/$x.err" | LC_ALL=C sort >"$WORK/$x.all" ||
    { head -5 "$WORK/$x.err"; fail "$x.pdf refused"; }
  # the empty-table markers of tables printed empty with a note (examples/FORMAT.md) are not
  # in expected/ (printed figures only, as it_printed_fixtures keeps them): set them aside
  grep -E '\|total\|(total|amount)\|0$' "$WORK/$x.all" | grep -Fxv -f "$P/expected/$x.pdf.facts" >"$WORK/$x.markers" || true
  if [ -s "$WORK/$x.markers" ]; then grep -Fxv -f "$WORK/$x.markers" "$WORK/$x.all" >"$WORK/$x.facts" || true
  else cp "$WORK/$x.all" "$WORK/$x.facts"; fi
  diff "$WORK/$x.facts" "$P/expected/$x.pdf.facts" >"$WORK/$x.diff" ||
    { head -20 "$WORK/$x.diff"; fail "$x.pdf: $(grep -c '^[<>]' "$WORK/$x.diff") lines differ from expected/$x.pdf.facts"; }
  echo "ok: $x.pdf: exactly its $(wc -l <"$WORK/$x.facts") facts"
  # check shows the pages (exit 0, or 1 for the seeds' own findings)
  rc=0
  bounded "$WORK/$x.check" "$WORK/$x.check.err" "$COL" check "$pdf" --hierarchy "$HIERARCHY" || rc=$?
  [ "$rc" -le 1 ] || { head -5 "$WORK/$x.check.err"; fail "$x.pdf: check exit $rc"; }
  grep -q "^各页（表与从文字位置重建的单元格）：" "$WORK/$x.check" || fail "$x.pdf: check shows no pages"
  grep -q "^  第2页：" "$WORK/$x.check" || fail "$x.pdf: check does not show 第2页"
done
# 宁德 reads: its 收入总表 header wraps inside one header line (一般公共预算拨款/收入)
[ "$(grep -c '|income|' "$WORK/ningde-2024.facts")" -eq "$(grep -c '|income|' "$P/expected/ningde-2024.pdf.facts")" ] ||
  fail "宁德 表二 (wrapped header cells) does not give its income facts"
grep -q "列 D「[^」]*一般公共预算拨款收入」→ gpb" "$WORK/ningde-2024.check" || fail "宁德 表二: the wrapped header is not one cell"
grep -q "列 G「[^」]*上级转移支付(提前下达一般公共预算)」→ xfer_gpb" "$WORK/suzhou-2024.check" ||
  fail "宿州 表6: the wrapped header 上级转移支付(提前下达一般公共预算) is not one cell"
grep -q "^  第3页：2024年度收入预算总表（A2:M[0-9]*）→ income$" "$WORK/ningde-2024.check" || fail "宁德: page 3 does not list its table"
grep -qF " │ 2080501 │ 行政单位离退休 │ 127.66 │ 127.66 │ 0.00" "$WORK/ningde-2024.check" || fail "宁德: the grid of page 3 is not shown"
grep -q "^表外文字（说明等）：[1-9][0-9]* 行，随文件保留供说明核对$" "$WORK/suzhou-2024.check" || fail "宿州: the narrative is not reported as kept"
echo "ok: fixture PDFs read, pages shown"

# 2. check --format json: pages -> tables -> rows -> cells
bounded "$WORK/n.json" "$WORK/n.json.err" "$COL" check "$P/pdf/ningde-2024.pdf" --entity nd-ybj --format json || true
grep -q '"format":"pdf","mapping":{' "$WORK/n.json" || fail "json: no pdf mapping"
grep -q '"pages":\[{"page":"第1页","tables":\[\],"other_rows":\[{"row":1,' "$WORK/n.json" || fail "json: no pages (the cover first)"
grep -q '{"page":"第3页","tables":\[{"title":"2024年度收入预算总表","table":"income","range":"A2:M[0-9]*","rows":\[' "$WORK/n.json" ||
  fail "json: page 3 does not list its table with rows"
grep -qE '\{"row":[0-9]+,"cells":\[\{"col":"A","text":"2080501"\},\{"col":"B","text":"行政单位离退休"\},\{"col":"C","text":"127.66"\}' "$WORK/n.json" ||
  fail "json: the cells of a row are missing"
grep -q '"other_rows":\[{"row":1,"cells":\[{"col":"A","text":"二、收入预算总表"}' "$WORK/n.json" || fail "json: rows outside the tables missing"
grep -q '"narrative_lines":[1-9]' "$WORK/n.json" || fail "json: narrative_lines missing"
echo "ok: json pages"

# 3. hand-made PDFs: portrait, landscape, a table across a page break, two tables on a page
for x in portrait pagebreak two_tables landscape; do
  rc=0
  bounded "$WORK/$x.check" "$WORK/$x.err" "$COL" check "$D/$x.pdf" --entity 608 --year 2024 || rc=$?
  [ "$rc" -le 2 ] || fail "$x.pdf: check exit $rc"
  grep -q "^  第1页：" "$WORK/$x.check" || fail "$x.pdf: no page shown"
done
"$FACTS" --entity 608 --year 2024 "$D/portrait.pdf" >"$WORK/portrait.facts" || fail "portrait.pdf: $(cat "$WORK/portrait.facts")"
[ -s "$WORK/portrait.facts" ] || fail "portrait.pdf gave no facts"
"$FACTS" --entity 608 --year 2024 "$D/landscape.pdf" >"$WORK/land.facts" || fail "landscape.pdf refused"
grep -qx "608|2024|fiscal|expense_total|total|1773190000" "$WORK/land.facts" || fail "landscape.pdf: 支出总计 1,773.19 not read"
grep -qx "608|2024|fiscal|221|gpb|118020000" "$WORK/land.facts" || fail "landscape.pdf: 住房保障支出 (an expense line with an empty income side) not read"
"$FACTS" --entity 608 --year 2024 "$D/two_tables.pdf" >"$WORK/two.facts" || fail "two_tables.pdf refused"
grep -q "^  第1页：.*（A1:F4）→ three_public；.*（A5:E8）→ gfb_func$" "$WORK/two_tables.check" ||
  fail "two_tables.pdf: page 1 does not show its two tables (三公 in 万元, an empty table in 元)"
grep -q "单位：元，读取 0 行" "$WORK/two_tables.check" || fail "two_tables.pdf: the empty 元 table is not read as empty"
grep -q "^608|2024|three_public|total|amount|12500000$" "$WORK/two.facts" || fail "two_tables.pdf: 三公 total 12.50 万元 not read"
"$FACTS" --entity 608 --year 2024 "$D/pagebreak.pdf" >"$WORK/pb.facts" || fail "pagebreak.pdf refused"
[ "$(wc -l <"$WORK/pb.facts")" -gt 50 ] || fail "pagebreak.pdf: the continued table lost its rows"
echo "ok: hand-made PDFs"

# 4. hostile PDFs: exit 2 with the reason, within the time and memory bounds, nothing spooled
while IFS='|' read -r file want; do
  case "$file" in '#'*|'') continue ;; esac
  f="$P/pdf/hostile/$file"
  [ -f "$f" ] || fail "hostile PDF $file missing"
  rc=0; bounded "$WORK/h.out" "$WORK/h.err" "$COL" check "$f" --entity 608 --year 2024 || rc=$?
  [ "$rc" -eq 2 ] || fail "$file: exit $rc (want 2): $(head -c 300 "$WORK/h.err")"
  grep -qF "$file" "$WORK/h.err" || fail "$file: the reason does not name the file: $(head -c 300 "$WORK/h.err")"
  case "$file" in
    scanned.pdf) grep -qF "no text layer; scanned documents are not supported" "$WORK/h.err" || fail "$file: $(cat "$WORK/h.err")" ;;
    encrypted.pdf) grep -qF "加密" "$WORK/h.err" || fail "$file: $(cat "$WORK/h.err")" ;;
    truncated.pdf) grep -qF "损坏" "$WORK/h.err" || fail "$file: $(cat "$WORK/h.err")" ;;
    page-count-bomb.pdf) grep -qE "没有页面|页数" "$WORK/h.err" || fail "$file: $(cat "$WORK/h.err")" ;;
  esac
  echo "ok: $file refused: $(head -1 "$WORK/h.err")"
done <"$P/expected/pdf-hostile.errors"
for x in scanned damaged encrypted deep_nesting flate_bomb huge_count; do
  rc=0; bounded "$WORK/h.out" "$WORK/h.err" "$COL" check "$D/$x.pdf" --entity 608 --year 2024 || rc=$?
  [ "$rc" -eq 2 ] || fail "$x.pdf: exit $rc (want 2): $(head -c 300 "$WORK/h.err")"
  grep -qF "$x.pdf" "$WORK/h.err" || fail "$x.pdf: no reason naming the file"
  echo "ok: $x.pdf refused: $(head -1 "$WORK/h.err")"
done
# submit of a scanned PDF: exit 2, nothing spooled
rc=0; TO=$NOBODY collector submit "$WORK/spool" "$P/pdf/hostile/scanned.pdf" --entity 608 --year 2024 --deadline 1 \
  >"$WORK/s.out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] || { cat "$WORK/s.out"; fail "submit of a scanned PDF: exit $rc, want 2"; }
[ "$(pb_count "$WORK/spool")" -eq 0 ] || fail "a refused PDF left something in the spool"
# 4b. poppler runs only in the helper program huizong-pdf-pages: the collector and huizong do
#    not link it (their start-up would load ~50 more shared libraries), the helper does; the
#    helper is started with the limits, none of the caller's descriptors and the file after "--"
if command -v ldd >/dev/null && [ "$sanitized" -eq 0 ]; then
  # ldd's output is read whole first: `ldd | grep -q` under pipefail fails when grep stops
  # reading early and ldd dies of SIGPIPE (seen in CI)
  for p in huizong-collector huizong; do
    libs=$(ldd "$HZ_BIN/$p")
    case "$libs" in *libpoppler*|*libglib*) fail "$p links poppler/glib";; esac
  done
  libs=$(ldd "$HZ_BIN/huizong-pdf-pages")
  case "$libs" in *libpoppler-glib*) ;; *) fail "huizong-pdf-pages does not link poppler-glib";; esac
fi
cat >"$WORK/fake-helper" <<EOF
#!/bin/sh
{ echo "args: \$*"; echo "as: \$(ulimit -v)"; echo "cpu: \$(ulimit -t)"; echo "core: \$(ulimit -c)"
  [ -e /proc/\$\$/fd/7 ] && echo "fd 7 inherited"; } >"$WORK/fake.out" 2>&1
exit 1
EOF
chmod +x "$WORK/fake-helper"
rc=0; ( exec 7>"$WORK/fd7"; HUIZONG_PDF_PAGES="$WORK/fake-helper" exec "$COL" check "$D/portrait.pdf" --entity 608 --year 2024 ) \
  >"$WORK/fh.out" 2>"$WORK/fh.err" || rc=$?
[ "$rc" -eq 2 ] || fail "a failing helper: exit $rc (want 2): $(cat "$WORK/fh.err")"
grep -qF "portrait.pdf：PDF 解析进程失败（退出码 1" "$WORK/fh.err" || fail "a failing helper: $(cat "$WORK/fh.err")"
grep -qxF "args: --pages-max 2000 -- $D/portrait.pdf" "$WORK/fake.out" || fail "helper arguments: $(cat "$WORK/fake.out")"
grep -qxF "cpu: 60" "$WORK/fake.out" || fail "the helper runs without its CPU limit: $(cat "$WORK/fake.out")"
grep -qxF "core: 0" "$WORK/fake.out" || fail "the helper may dump core: $(cat "$WORK/fake.out")"
[ "$sanitized" -eq 1 ] || grep -qxF "as: 2097152" "$WORK/fake.out" || fail "the helper runs without its memory limit: $(cat "$WORK/fake.out")"
! grep -q "fd 7 inherited" "$WORK/fake.out" || fail "the helper inherited the collector's descriptors"
# a helper that is not there: the reason names the file and where it looked
rc=0; HUIZONG_PDF_PAGES="$WORK/no-such-helper" "$COL" check "$D/portrait.pdf" --entity 608 --year 2024 \
  >"$WORK/nh.out" 2>"$WORK/nh.err" || rc=$?
[ "$rc" -eq 2 ] || fail "no helper: exit $rc (want 2)"
grep -qF "portrait.pdf：无法读取 PDF：找不到 PDF 解析程序" "$WORK/nh.err" || fail "no helper: $(cat "$WORK/nh.err")"
grep -qF "no-such-helper" "$WORK/nh.err" || fail "no helper: the reason does not say where it looked: $(cat "$WORK/nh.err")"
echo "ok: PDFs read by huizong-pdf-pages under the limits; a missing helper said so"
# 5. submit: the published PDFs of 宿州 and 东西湖 consolidate to the same figures as their v1 CSVs
start_aggregator
submit "$P/pdf/suzhou-2024.pdf" --hierarchy "$HIERARCHY" >"$WORK/s1.out" 2>&1 || { cat "$WORK/s1.out"; fail "submit 宿州 PDF"; }
submit "$P/pdf/dongxihu-2024.pdf" --hierarchy "$HIERARCHY" >"$WORK/s2.out" 2>&1 || { cat "$WORK/s2.out"; fail "submit 东西湖 PDF"; }
[ "$(cat "$WORK"/s[12].out | grep -c ACCEPTED)" -eq 3 ] || { cat "$WORK"/s[12].out; fail "expected 3 accepted submissions (608, 026, 026001)"; }
for e in 608 341300 340000; do expect_figure $e 2024 summary expense_total amount reported 1774.62; done
# the text outside the tables travelled with 608's submission (the narrative checks read it):
# stored with the version under the PDF's name, holding what the PDF prints around its tables
"$HZ" show --text --db "$DB" --entity 608 --year 2024 --format json >"$WORK/608-text.json" ||
  fail "608 has no text stored with its PDF submission"
grep -q '"text_name":"suzhou-2024.pdf"' "$WORK/608-text.json" || fail "the stored text is not named after the PDF: $(head -c 300 "$WORK/608-text.json")"
"$HZ" show --text --db "$DB" --entity 608 --year 2024 >"$WORK/608-text.txt"
grep -aq '宿州市医疗保障部门' "$WORK/608-text.txt" || fail "the PDF's narrative (its cover) is not in the stored text"
for e in 026 420112 420100 420000; do expect_figure $e 2024 summary expense_total amount reported 3311.22; done
# 6. run --watch takes published PDFs too: 宁德 delivered, a scanned one filed under failed/
mkdir -p "$WORK/in"
"$COL" run --watch "$WORK/in" --to "$ENDPOINT" --spool "$WORK/wspool" --hierarchy "$HIERARCHY" \
  --timeout 500 --interval 200 >"$WORK/run.out" 2>"$WORK/run.err" &
run_pid=$!; bg_track "$run_pid"
cp "$P/pdf/ningde-2024.pdf" "$WORK/nd.part" && mv "$WORK/nd.part" "$WORK/in/宁德.pdf"
cp "$P/pdf/hostile/scanned.pdf" "$WORK/in/scanned.pdf"
wait_for 30 '[ -f "$WORK/in/done/宁德.pdf" ]' || fail "run --watch did not take 宁德.pdf"
wait_for 30 '[ -f "$WORK/in/failed/scanned.pdf.error" ]' || fail "run --watch did not file scanned.pdf under failed/"
grep -qF "no text layer" "$WORK/in/failed/scanned.pdf.error" || fail "failed/scanned.pdf.error: $(cat "$WORK/in/failed/scanned.pdf.error")"
wait_for 30 '[ "$(pb_count "$WORK/wspool")" -eq 0 ] && grep -q ACCEPTED "$WORK/run.out"' || fail "run --watch did not deliver 宁德.pdf"
kill -TERM "$run_pid"; wait "$run_pid" || true
expect_figure nd-ybj 2024 summary expense_total amount reported 207172.81
stop_aggregator
echo "ok: PDFs submitted and consolidated"
echo "pdf_import: all good"
