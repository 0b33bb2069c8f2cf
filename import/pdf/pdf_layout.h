/* pdf_layout.h -- the geometry of one PDF page: characters with their boxes in, a grid of
 * cells (core/grid.h) and the page's narrative lines out. No poppler here: pdf.c extracts the
 * characters, this module only measures, so it can be tested with hand-made pages.
 *
 * What it does (all in units of the font size, "em", so it does not depend on the scale):
 *   1. words: consecutive characters with no whitespace between them and a horizontal gap
 *      below PDF_WORD_GAP em;
 *   2. lines: words clustered by the vertical centre of their boxes (PDF_LINE_TOL em);
 *   3. phrases: words of a line joined when close (PDF_PHRASE_GAP em) unless both are numbers
 *      or one is a code-like digit string; letter-spaced single characters ("收  入") joined
 *      up to PDF_LETTERSPACE_GAP em; numbers broken by extraction ("546. 13", "2, 361. 22")
 *      repaired to "546.13", "2,361.22";
 *   4. table regions: runs of lines holding two or more phrases, with the one-phrase lines
 *      among and after them that are no title (larger font) and no note (across two cells)
 *      and either stand between rows (at most PDF_SANDWICH_MAX) or align with a cell;
 *   5. columns of a region: the union of the x-extents of the phrases on lines that hold a
 *      number (the body), leaving out phrases that span a gap other lines show; cell ranges
 *      between columns from the values' alignment (amounts right-aligned, names and codes
 *      left-aligned); header phrases are placed onto those ranges (a header over two
 *      columns' values becomes a merged cell), and a header with no values under it (an
 *      empty column) gets a column of its own; a table with no number at all (printed
 *      empty) takes its columns from its header lines;
 *   5a. the header (the region's lines above its first number): header cells side by side
 *      that step 3 glued into one phrase are split where another line's cell text starts
 *      (before step 4); a header cell's text wrapped onto lines ~1.2 em apart (less than
 *      PDF_HEADER_WRAP_EM), starting or centred where it starts, is one cell; cells whose
 *      centres agree within PDF_HEADER_ROW_EM are one header row (a wrapped cell's centre
 *      is between its lines); a cell merged down several rows, printed centred half a row
 *      lower, goes up into the row above when its columns are free there; a header in the
 *      gap between names and amounts goes to the column whose cell, centred on it, can hold
 *      it (else the amounts': centred or left-aligned there), or over both as a group;
 *      whole amounts ("650") right of names are amounts; a 款 typed as a number ("5") in a
 *      column of text codes stays in that column;
 *   6. a text-only line in one column (no number, no code) joins the row above when that
 *      row's text in the column ran to the cell's edge (a wrapped 科目名称), or, when it ran
 *      to the edge itself, the nearest row (code and numbers printed lower, centred); a line
 *      of numbers only, with nothing in the first column (a number vertically centred in a
 *      merged cell), gives each number to the nearest row (within PDF_ORPHAN_PITCH of the
 *      row pitch; the upper one on a tie) that has no value in that column;
 *   7. lines outside every region (titles, unit lines, notes, prose) become one cell in
 *      column 0 merged across the page's columns, and are appended to the narrative; a page
 *      without a table gives such a grid only through pdf_layout_page_text().
 * HZ_PDF_DEBUG in the environment prints every line's phrases with their x-extents.
 * It never reads what the text means beyond "is this a number / a digit code".
 */
#ifndef HUIZONG_PDF_LAYOUT_H
#define HUIZONG_PDF_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "grid.h"

#define PDF_WORD_GAP 0.12        /* em: a gap wider than this inside a run splits the word */
#define PDF_LINE_TOL 0.45        /* em: centres closer than this are on one baseline */
#define PDF_PHRASE_GAP 0.8       /* em: words closer than this are one cell's text */
#define PDF_LETTERSPACE_GAP 4.0  /* em: "收  入": single characters spaced out in a header */
#define PDF_REPAIR_GAP 1.0       /* em: "546. 13" is one number up to this gap */
#define PDF_REGION_GAP 6.0       /* em: a wider vertical gap ends a table (blank rows) */
#define PDF_SANDWICH_MAX 2       /* one-phrase lines allowed between two table rows */
#define PDF_ORPHAN_PITCH 0.75    /* a lone number belongs to a row closer than this x pitch */
#define PDF_CONT_PITCH 1.6       /* a wrapped name belongs to a row closer than this x pitch */
#define PDF_CHARS_MAX 2000000u   /* characters of one page we accept */

/* One character of the text layer: a Unicode code point and its box in points, y downwards,
 * in the page's own (rotated) orientation; size is the font size (or the box height). */
typedef struct {
    uint32_t ch;
    double x0, y0, x1, y1;
    double size;
} pdf_char_t;

/* A growing UTF-8 buffer (the narrative). */
typedef struct {
    char *data;
    size_t len, cap;
} pdf_text_t;

/* Appends len bytes; 0 or -1 when memory runs out. */
int pdf_text_append(pdf_text_t *t, const char *s, size_t len);
void pdf_text_free(pdf_text_t *t);

/* Rebuilds one page. chars[0..n) in the text layer's order. On success returns 0, sets *grid
 * to a finished grid named label (or NULL when the page holds no table) and appends every
 * line outside the tables to narrative, one '\n'-terminated line each. Returns -1 with a
 * reason in err (memory, n > PDF_CHARS_MAX, a grid limit). */
int pdf_layout_page(const pdf_char_t *chars, size_t n, const char *label, grid_t **grid,
                    pdf_text_t *narrative, char *err, size_t errlen);
/* The same, but *grid is set for every page with text (a page without a table: its lines
 * in column 0, e.g. a cover whose title gives the year and the entity) and *tables to the
 * number of table regions found (0: a text-only page). */
int pdf_layout_page_text(const pdf_char_t *chars, size_t n, const char *label, grid_t **grid,
                         int *tables, pdf_text_t *narrative, char *err, size_t errlen);

#endif
