/* pdf.h -- a published budget PDF read through its text layer (libpoppler-glib) into grids of
 * cells (core/grid.h), one per page that holds a table, plus the document's narrative text;
 * the grids go to the one table recogniser (core/recognise.h) exactly like workbook sheets.
 *
 * Poppler never runs in the caller's process, nor is it linked into it: pdf_read_grids() forks
 * a child that sets RLIMIT_AS, RLIMIT_CPU and a wall-clock alarm and executes the helper
 * program huizong-pdf-pages (import/pdf/pdf_pages.c, found by pdf_helper_find()), which
 * opens the file, rebuilds every page (import/pdf/pdf_layout.c) and writes the result on
 * the pipe in a length-prefixed format (import/pdf/pdf_wire.h); the parent reads at most
 * result_bytes_max, kills the child at the wall-clock limit, and validates every length
 * before it builds a grid. A hostile PDF (deep nesting, a huge /Count, a decompression bomb)
 * therefore costs at most the limits and ends in an error; a program that reads no PDF
 * does not load poppler and glib's ~50 shared libraries at start-up.
 *
 * Grid layout: row = one printed line (titles, unit line, header rows, table rows, notes, in
 * order down the page); a table's columns come from its words' x-extents; text outside
 * tables sits in column 0, merged across the page's columns. Cells are GRID_TEXT holding the
 * printed text ("1,773.19"; "546. 13" repaired to "546.13"). A table over several pages gives
 * one grid per page, its header repeated as printed.
 * Narrative: every line outside the tables in reading order (top to bottom, page after page),
 * one '\n'-terminated line per printed line, an empty line between pages.
 */
#ifndef HUIZONG_PDF_H
#define HUIZONG_PDF_H

#include <stddef.h>
#include <stdint.h>

#include "grid.h"

#define PDF_PAGES_MAX 2000u                      /* a budget document has a few dozen */
#define PDF_FILE_BYTES_MAX (256ull << 20)        /* input file size */
#define PDF_MEMORY_BYTES (2ull << 30)            /* RLIMIT_AS of the poppler child */
#define PDF_CPU_SECONDS 60u                      /* RLIMIT_CPU of the child */
#define PDF_WALL_SECONDS 120u                    /* wall clock before the child is killed */
#define PDF_RESULT_BYTES_MAX (256ull << 20)      /* what the child may send back */
#define PDF_NARRATIVE_BYTES_MAX (64ull << 20)

#define PDF_ERR (-1)
#define PDF_ERR_NO_TEXT (-2)                     /* scanned: the caller exits 2 */

typedef struct {
    uint32_t pages_max;
    uint64_t file_bytes_max;
    uint64_t memory_bytes;       /* 0: no RLIMIT_AS (also skipped under AddressSanitizer) */
    uint32_t cpu_seconds;
    uint32_t wall_seconds;
    uint64_t result_bytes_max;
} pdf_limits_t;

/* The defaults above. */
void pdf_limits_default(pdf_limits_t *l);

/* Reads the PDF at path (limits NULL: the defaults). On success returns 0 and sets *grids to
 * an array of *n finished grids (labels "第3页"; a page without a table gives one only when it
 * comes before the first page with a table — the cover, whose title gives year and entity —
 * and a text-only page after that gives none: its lines are narrative only) and
 * *narrative to a malloc'd NUL-terminated UTF-8 string (never NULL); free them with
 * pdf_grids_free() and free(). Returns PDF_ERR_NO_TEXT with "PDF 无文字层：不支持扫描件（no
 * text layer; scanned documents are not supported）" in err when no page has any text, or
 * PDF_ERR with a reason naming the file (encrypted, damaged, over a limit, the child killed)
 * in err; then *grids, *n and *narrative are NULL/0. */
int pdf_read_grids(const char *path, const pdf_limits_t *limits, grid_t ***grids, size_t *n,
                   char **narrative, char *err, size_t errlen);

/* Destroys grids[0..n) and the array; sets *grids NULL and *n 0. */
void pdf_grids_free(grid_t ***grids, size_t *n);

/* What import_read_file() calls for a .pdf: pdf_read_grids() with the default limits, same
 * results and returns. */
int pdf_import_grids(const char *path, grid_t ***grids, size_t *n, char **narrative, char *err,
                     size_t errlen);

/* ---- the helper program ---- */

#define PDF_HELPER_NAME "huizong-pdf-pages"
#define PDF_HELPER_ENV "HUIZONG_PDF_PAGES"   /* its path, when set (the unit tests) */

/* Finds the helper: $HUIZONG_PDF_PAGES when set; else huizong-pdf-pages in the directory of
 * the running program (/proc/self/exe: build/bin, or an installed bin/); else the path it
 * was configured to be installed at. 0 with the path in out, or -1 with a reason naming
 * the places looked at in err. */
int pdf_helper_find(char *out, size_t outlen, char *err, size_t errlen);

#endif
