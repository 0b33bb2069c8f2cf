#!/usr/bin/env bash
# install.sh -- `cmake --install` into a temp prefix gives working programs, man pages made
# from their --help, and systemd units that start the installed programs (issue 12, ops);
# the PDF helper huizong-pdf-pages installed beside the collector, which finds it there.
source "$(dirname "$0")/lib.sh.inc"
BUILD_DIR=$(cd "$HZ_BIN/.." && pwd)
PREFIX="$WORK/prefix"
cmake --install "$BUILD_DIR" --prefix "$PREFIX" > "$WORK/install.log" 2>&1 \
  || { FAIL_SHOW="install.log"; fail "cmake --install failed"; }

programs="huizong huizong-aggregator huizong-collector"
# the PDF reader's helper, beside the programs that run it (built only with poppler-glib)
[ -x "$HZ_BIN/huizong-pdf-pages" ] && programs="$programs huizong-pdf-pages"
for p in $programs; do
  [ -x "$PREFIX/bin/$p" ] || fail "$p not installed in bin/"
  "$PREFIX/bin/$p" --help > "$WORK/$p.help" 2>&1 || fail "installed $p --help exits non-zero"
  grep -q "usage: $p" "$WORK/$p.help" || fail "installed $p --help does not print its usage"
  man="$PREFIX/share/man/man1/$p.1"
  [ -s "$man" ] || fail "no man page $man"
  grep -q "^\.TH $(echo "$p" | tr a-z A-Z) 1" "$man" || fail "$man has no .TH header"
  # The page holds the program's own --help text (so it cannot drift from it).
  first_usage=$(head -1 "$WORK/$p.help")
  grep -qF -- "$first_usage" "$man" || fail "$man does not hold '$first_usage'"
done
grep -q 'huizong-collector submit' "$PREFIX/share/man/man1/huizong-collector.1" \
  || fail "collector man page lacks the submit subcommand's help"

# The installed programs work: a real aggregator from the prefix takes a seed.
AGG="$PREFIX/bin/huizong-aggregator" COL="$PREFIX/bin/huizong-collector" HZ="$PREFIX/bin/huizong"
start_aggregator
"$COL" submit "$HZ_EXAMPLES/dongxihu-2024.csv" --to "$ENDPOINT" --spool "$WORK/spool" \
  > "$WORK/submit.out" 2>&1 || { FAIL_SHOW="submit.out"; fail "installed collector could not submit"; }
"$HZ" tree --db "$DB" --year 2024 --entity 420112 > "$WORK/tree.out" 2>&1 || fail "installed huizong tree failed"
grep -q 3311.22 "$WORK/tree.out" || { FAIL_SHOW="tree.out"; fail "installed tree lacks 3311.22"; }
if [ -x "$HZ_BIN/huizong-pdf-pages" ]; then
  # a published PDF read and submitted by the installed collector: it finds the installed
  # helper beside itself (no HUIZONG_PDF_PAGES), not the build tree's
  PDF="$HZ_TESTS/fixtures/printed/pdf/suzhou-2024.pdf"
  rc=0; env -u HUIZONG_PDF_PAGES "$COL" check "$PDF" --hierarchy "$HIERARCHY" > "$WORK/pdfcheck.out" 2>&1 || rc=$?
  [ "$rc" -le 1 ] || { FAIL_SHOW="pdfcheck.out"; fail "installed collector could not check a PDF (exit $rc)"; }
  grep -q "^  第2页：" "$WORK/pdfcheck.out" || { FAIL_SHOW="pdfcheck.out"; fail "installed check shows no PDF pages"; }
  env -u HUIZONG_PDF_PAGES "$COL" submit "$PDF" --hierarchy "$HIERARCHY" --to "$ENDPOINT" --spool "$WORK/spool" \
    > "$WORK/pdfsubmit.out" 2>&1 || { FAIL_SHOW="pdfsubmit.out"; fail "installed collector could not submit a PDF"; }
  grep -q ACCEPTED "$WORK/pdfsubmit.out" || { FAIL_SHOW="pdfsubmit.out"; fail "the installed collector's PDF was not accepted"; }
  # without the helper beside it the installed collector says what is missing, naming the file
  rm "$PREFIX/bin/huizong-pdf-pages"
  rc=0; env -u HUIZONG_PDF_PAGES "$COL" check "$PDF" --hierarchy "$HIERARCHY" > "$WORK/nohelper.out" 2>&1 || rc=$?
  [ "$rc" -eq 2 ] || { FAIL_SHOW="nohelper.out"; fail "no installed helper: exit $rc (want 2)"; }
  grep -qF "suzhou-2024.pdf：无法读取 PDF：找不到 PDF 解析程序 huizong-pdf-pages（找过：$PREFIX/bin/huizong-pdf-pages" \
    "$WORK/nohelper.out" || { FAIL_SHOW="nohelper.out"; fail "no installed helper: the reason does not say so"; }
fi

for unit in huizong-aggregator.service huizong-collector@.service; do
  f="$PREFIX/lib/systemd/system/$unit"
  [ -s "$f" ] || fail "no unit $f"
  grep -q "^ExecStart=$PREFIX/bin/huizong-" "$f" || fail "$unit does not start the installed program"
  grep -q '@HZ_' "$f" && fail "$unit has an unfilled @HZ_ placeholder"
  if command -v systemd-analyze >/dev/null; then
    # man: lookups fail for a temp prefix; every other complaint is a defect
    systemd-analyze verify "$f" 2>&1 | grep -v -e "man " -e "Command 'man" > "$WORK/verify.$unit" || true
    [ ! -s "$WORK/verify.$unit" ] || { FAIL_SHOW="verify.$unit"; fail "systemd-analyze verify $unit complains"; }
  fi
done
[ -f "$PREFIX/share/doc/huizong/operations.md" ] || fail "docs not installed"
echo "ok: install: programs, man pages, units under $PREFIX"
