#!/usr/bin/env bash
# hz-pdfgrid, the debugging view of the PDF feed: the TSV of a LibreOffice-made PDF, exit 2
# and the Chinese/English reason for a scanned one, exit 1 for a damaged one; skipped when
# the build has no poppler-glib (no hz-pdfgrid).
source "$(dirname "$0")/lib.sh.inc"
GRID="$HZ_BIN/hz-pdfgrid"
PDF="${HZ_TESTS:?}/data/pdf"
[ -x "$GRID" ] || { echo "skip: built without poppler-glib"; exit 77; }

"$GRID" --merges --narrative "$PDF/landscape.pdf" >"$WORK/out.tsv" 2>"$WORK/err" || fail "landscape.pdf: exit $?: $(cat "$WORK/err")"
[ "$(head -1 "$WORK/out.tsv")" = "## 第1页" ] || fail "first line is not the page label"
grep -qxF "# merge A1:G1" "$WORK/out.tsv" || fail "the title is not merged across the table"
printf '一、本年收入\t1,773.19\t一、本年支出\t1,773.19\t1,773.19\n' >"$WORK/want"
grep -qxFf "$WORK/want" "$WORK/out.tsv" || fail "row 一、本年收入 not found as five cells"
sed -n '/^## 说明文字$/,$p' "$WORK/out.tsv" | grep -qxF "单位：万元" || fail "unit line missing from the narrative"
echo "ok: grid and narrative"

rc=0; "$GRID" "$PDF/scanned.pdf" >/dev/null 2>"$WORK/err" || rc=$?
[ "$rc" -eq 2 ] || fail "scanned.pdf: exit $rc, want 2"
grep -qF "PDF 无文字层：不支持扫描件（no text layer; scanned documents are not supported）" "$WORK/err" || fail "scanned.pdf: reason: $(cat "$WORK/err")"
echo "ok: scanned refused with exit 2"

rc=0; "$GRID" "$PDF/damaged.pdf" >/dev/null 2>"$WORK/err" || rc=$?
[ "$rc" -eq 1 ] || fail "damaged.pdf: exit $rc, want 1"
grep -qF "damaged.pdf" "$WORK/err" || fail "damaged.pdf: reason does not name the file"
echo "ok: damaged refused"
