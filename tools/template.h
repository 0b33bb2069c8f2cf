/* template.h -- the printed-layout workbook writer shared by `huizong template` (empty) and
 * `huizong gen --format xlsx` (filled): the export's layout, see tools/template.c. */
#ifndef HUIZONG_TEMPLATE_H
#define HUIZONG_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tables.h"

/* One figure to print: rows of a table in printed order (export_row_cmp), any column order. */
typedef struct {
    table_id table;
    column_id column;
    const char *row;
    const char *name;      /* printed label, may be NULL or "" */
    int64_t fen;
} template_fact_t;

/* Writes the workbook of entity code/name for year to path: every table of the layout,
 * filled with facts[0..n) (n == 0: the empty template). Returns 0, or -1 with a reason on
 * stderr (no xlsx support, the file cannot be written). */
int template_write(const char *path, const char *code, const char *name, unsigned year,
                   const template_fact_t *facts, size_t n);

/* template_write with the texts as shared strings (xl/sharedStrings.xml, t="s": what Excel
 * writes when it saves a workbook) instead of inline strings (t="inlineStr": what
 * libxlsxwriter's constant-memory mode writes, and `huizong template`). */
int template_write_opt(const char *path, const char *code, const char *name, unsigned year,
                       const template_fact_t *facts, size_t n, bool shared_strings);

#endif
