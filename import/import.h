/* import.h -- budgets as finance staff hold them: printed-layout workbooks (.xlsx/.xlsm,
 * .xls) and CSVs saved from one printed sheet, read into grids (core/grid.h) and handed to
 * the one table recogniser (core/recognise.h); v1 CSVs go to core/csv.c as before.
 *
 * Formats are told apart by content, never by extension: a zip holding [Content_Types].xml
 * with a workbook part is xlsx/xlsm; an OLE2 compound file is xls; "%PDF" is a published PDF
 * (import/pdf/: its text layer rebuilt into one grid per page, in a limited child process,
 * plus the narrative text outside the tables); text whose first record is a v1
 * header (entity,year,table,… / 单位代码,年度,表,…) is a v1 CSV; other text is a printed sheet.
 *
 * Hostile files get an error and bounded memory (limits below): declared and actual sizes
 * of zip entries are capped, XML with a DOCTYPE is refused before any entity is declared,
 * cell counts and positions are bounded.
 */
#ifndef HUIZONG_IMPORT_H
#define HUIZONG_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "csv.h"
#include "grid.h"
#include "hierarchy.h"
#include "recognise.h"
#include "submission.h"

#define IMPORT_ENTRY_MAX (64u << 20)   /* bytes of one unzipped xlsx part */
#define IMPORT_RATIO_MAX 200u          /* uncompressed/compressed beyond this (and > 1 MB) is a bomb */
#define IMPORT_CELLS_MAX 500000u       /* cells in one workbook: a budget has a few thousand */
#define IMPORT_SHEETS_MAX 256u
#define IMPORT_STRINGS_MAX 1000000u    /* shared strings */
#define IMPORT_MERGES_MAX 20000u       /* merged ranges in one sheet: a budget has dozens */

/* Length of text cut to at most max bytes at a UTF-8 character boundary. */
size_t import_utf8_cut(const char *text, size_t len, size_t max);

typedef enum {
    IMPORT_UNKNOWN = 0, IMPORT_V1_CSV, IMPORT_PRINTED_CSV, IMPORT_XLSX, IMPORT_XLS, IMPORT_PDF
} import_format;

typedef struct {
    const char *entity;               /* --entity or NULL */
    uint32_t year;                    /* --year or 0 */
    const hierarchy_t *hierarchy;     /* --hierarchy or NULL */
    const recognise_names_t *names;   /* recognise_names_new(hierarchy), kept by a caller that
                                       * reads many files; NULL: indexed again per file */
    csv_encoding enc;                 /* text files */
    size_t max_errors;                /* v1 CSV: errors kept per file (0: CSV_MAX_ERRORS_DEFAULT) */
} import_opts_t;

/* The format of a file by its content. IMPORT_UNKNOWN if it cannot be read. */
import_format import_detect(const char *path);
const char *import_format_name(import_format f);   /* "xlsx", "xls", "csv", "printed-csv", "pdf" */

/* Reads one file and appends its submissions to list (one per entity/year; several files
 * of the same entity and year merge into one; a fact given by two files is an error).
 * Returns 0, or -1 with every error in report->errors; on error list is unchanged.
 * *format (may be NULL) gets the detected format. */
int import_read_file(const char *path, const import_opts_t *opts, submission_list_t *list,
                     recognise_report_t *report, import_format *format);

/* ---- many files (read_ahead.c) ---- */
#define IMPORT_READERS_MAX 8u          /* worker threads reading workbooks ahead */

/* Called once per file, in the order given, after the file went into the list (rc 0) or
 * failed (rc -1, every error in report). report is freed when it returns. */
typedef void (*import_file_fn)(size_t index, int rc, import_format fmt, recognise_report_t *report,
                               void *ud);

/* Reads n files into list exactly as import_read_file of each in turn would (the same list,
 * errors and order), calling done after each. Workbooks and printed sheets are unzipped and
 * parsed into grids by up to `threads` worker threads (0: one per processor, at most
 * IMPORT_READERS_MAX; 1: none), a few files ahead of the one being recognised, so memory
 * stays bounded by a few files' grids. Returns the number of files that failed. */
size_t import_read_files(char *const *paths, size_t n, const import_opts_t *opts, unsigned threads,
                         submission_list_t *list, import_file_fn done, void *ud);
/* The readers import_read_files uses when given 0: the online processors, at most
 * IMPORT_READERS_MAX. */
unsigned import_readers_default(void);

/* The narrative text of the file import_read_file() read into report (a PDF's lines outside
 * its tables, in reading order, '\n'-terminated, an empty line between pages), or NULL when
 * the file has none (workbooks, CSVs). Valid until recognise_report_free(report). */
const char *import_narrative(const recognise_report_t *report);

/* What `check` shows for a PDF: per page (report->grids), the tables found there (title,
 * table id, cell range) and the grid built from the word positions, row by row (1-based
 * rows, column letters, as cell references in messages name them). Text, or JSON: an array
 * [{"page":"第3页","tables":[{"title","table","range","rows":[{"row":5,"cells":[{"col":"A",
 * "text":"…"}]}]}],"other_rows":[…rows outside every table…]}]. Nothing for other files. */
void import_print_pages_text(const recognise_report_t *report, FILE *out);
void import_print_pages_json(const recognise_report_t *report, FILE *out);

/* ---- the readers (one file each): grids out, 0 or -1 with a Chinese reason in err ---- */
typedef struct {
    grid_t **items;
    size_t count, cap;
} grid_list_t;

void grid_list_free(grid_list_t *l);
int xlsx_read(const char *path, grid_list_t *out, char *err, size_t errlen);
int xls_read(const char *path, grid_list_t *out, char *err, size_t errlen);
/* A CSV saved from one printed sheet (UTF-8, or GB18030 when asked or detected). */
int printed_csv_read(const char *path, csv_encoding enc, grid_list_t *out, char *err, size_t errlen);

#endif
