/* recognise.h -- the one table recogniser: printed budget tables found in grids of cells
 * (core/grid.h) and turned into facts.
 *
 * Every printed-layout input feeds this code and nothing else: .xlsx/.xls sheets and a CSV
 * saved from one printed sheet (import/), and the pages of a published PDF rebuilt from word
 * positions (import/pdf.c). The recogniser finds each table by its printed title wherever it
 * stands, reads its unit line (单位：元 / 万元 ...), identifies its one-to-four header rows
 * (merged cells included) column by column through the synonyms in core/tables.c, reads codes
 * in one column or split 类/款/项, and converts every amount exactly to fen. It never guesses:
 * a column it cannot identify is reported by its header text.
 *
 * What it did is kept in a recognise_report_t (per table: grid, cell range, table id, column
 * mapping, unit, rows read, what was skipped and why) so `huizong-collector check` can show
 * it. Errors are collected, not returned one at a time: every error of every grid at once,
 * each naming file, sheet and cell ("表5!D12"), the value and the reason in Chinese.
 */
#ifndef HUIZONG_RECOGNISE_H
#define HUIZONG_RECOGNISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "grid.h"
#include "hierarchy.h"
#include "submission.h"
#include "tables.h"

#define RECOGNISE_ERRORS_MAX 100     /* errors kept per file; the count goes on */
#define RECOGNISE_MESSAGE_MAX 512

/* The hierarchy's names indexed for the recogniser's exact name match (编制单位 lines,
 * lines named as a unit): a reader of many files builds it once after loading the
 * hierarchy, so a file's lookups do not grow with the hierarchy. It refers to the
 * hierarchy's items: destroy it before the hierarchy is freed. NULL without memory. */
typedef struct recognise_names recognise_names_t;
recognise_names_t *recognise_names_new(const hierarchy_t *h);
void recognise_names_destroy(recognise_names_t **self_p);

typedef struct {
    const char *file;                 /* the input file's name, for messages */
    const char *entity;               /* --entity, or NULL: matched from 编制单位/title */
    uint32_t year;                    /* --year, or 0: read from the title */
    const hierarchy_t *hierarchy;     /* names for entity matching; may be NULL */
    const recognise_names_t *names;   /* recognise_names_new(hierarchy), or NULL: then each
                                       * call indexes the names itself */
    /* Grids are pages of one document (a PDF): rows above a page's first title (all of a
     * page without one) continue the previous page's last table, its header repeated. */
    bool continued_pages;
} recognise_opts_t;

/* One column of a recognised table: where it is and what it was taken for. */
typedef struct {
    uint32_t grid_col;
    char header[128];                 /* the header text as printed (rows joined by "/") */
    column_id column;                 /* COL_NONE: not an amount column (code, name ...) */
    const char *role;                 /* "code", "类", "款", "项", "name", "amount", "ignored" */
    char row[24];                     /* three_public printed across: the row id this column is */
    int side;                         /* double layout: 0 income (left), 1 expense (right) */
} recognised_column_t;

typedef struct {
    char grid[128];                   /* sheet name or page label */
    char range[32];                   /* "A1:H27" */
    char title[256];                  /* the title as printed */
    table_id table;
    int64_t fen_per_unit;             /* 100 for 元, 1,000,000 for 万元 ... */
    char unit[16];                    /* "元", "万元" */
    recognised_column_t *columns;
    size_t ncolumns;
    size_t rows_read;                 /* rows that gave facts */
    size_t facts;
    char **skipped;                   /* "第12行：注：…（说明，跳过）" */
    size_t nskipped;
} recognised_table_t;

/* One entity/year group the facts of a file went to (东西湖: 026 and 026001). */
typedef struct {
    char entity[SUBMISSION_ENTITY_MAX + 1];
    uint32_t year;
    size_t facts;
} recognised_submission_t;

typedef struct {
    recognised_table_t *tables;
    size_t ntables, captables;
    char **skipped_blocks;            /* unknown titles / sheets: "绩效目标表（未识别，跳过）" */
    size_t nskipped_blocks;
    char **errors;                    /* at most RECOGNISE_ERRORS_MAX kept */
    size_t nerrors;                   /* every error counted, also beyond the kept ones */
    char entity[SUBMISSION_ENTITY_MAX + 1];  /* the document's entity (its 编制单位) */
    uint32_t year;
    recognised_submission_t *submissions;   /* per entity/year: the facts each got */
    size_t nsubmissions;
    /* Set by the caller (import/import.c for a PDF), owned by the report and freed by
     * recognise_report_free(): the grids read (a PDF's pages, which `check` shows) and the
     * document's narrative text (NULL when the input has none). */
    grid_t **grids;
    size_t ngrids;
    char *narrative;
} recognise_report_t;

void recognise_report_init(recognise_report_t *r);
void recognise_report_free(recognise_report_t *r);
/* Human mapping (Chinese) or JSON, for `check`. print_text is the mapping and then the
 * errors; print_mapping the mapping alone (the collector prints the errors on stderr, once). */
void recognise_report_print_text(const recognise_report_t *r, FILE *out);
void recognise_report_print_mapping(const recognise_report_t *r, FILE *out);
void recognise_report_print_json(const recognise_report_t *r, FILE *out);

/* Classifies a printed title as the recogniser does ("表5-1 一般公共预算支出表(分功能科目)" ->
 * TABLE_GPB_FUNC). Returns 1 with *table set (TABLE_NONE for a known table without a v1 id,
 * such as 绩效目标表 or 政府采购支出表, which is skipped and reported), or 0 when the text is
 * not a title. */
int recognise_title(const char *text, table_id *table);

/* Recognises every table in grids[0..n) and appends its facts to list (one submission per
 * entity/year; the file name becomes the source; facts carry the grid row as line). Returns
 * 0 when there is no error; -1 when report->nerrors > 0, and then list is unchanged (all or
 * nothing per file). */
int recognise_grids(grid_t *const *grids, size_t n, const recognise_opts_t *opts,
                    submission_list_t *list, recognise_report_t *report);

#endif
