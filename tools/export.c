/* export.c -- `huizong export`: one node's consolidated tables as an Excel workbook (or the
 * same content as one CSV with a `sheet` column), for people who read budgets in Excel
 * (issue #6).
 *
 * Sheets: one per table present, laid out like the published tables (收支总表, 收入总表,
 * 支出总表, 财政拨款收支总表, 一般公共预算支出表, 基本支出经济分类表, 三公经费, 项目支出表, and the
 * 政府性基金 / 国有资本经营 tables when present) with the REPORTED figures (收支总表 and
 * 财政拨款收支总表 as printed: 收入 on the left, 支出 on the right, line i of each side on sheet
 * row i, the two totals together on the last row), numbered 表1…表10 as published and set
 * up to print (landscape, one page wide, header rows repeated); 汇总核对 (declared, computed
 * and their difference for every figure where both exist, for every node of the subtree);
 * 分单位对比 (each direct subordinate's main totals beside the consolidated ones); 问题清单
 * (the flags of the node and everything under it); 下级报送情况 (the departments and units
 * that must submit, submitted or missing; districts and cities only consolidate).
 *
 * Invariants: amounts stay int64 fen until the cell is written. In CSV they are printed by
 * amount_format (exact). In xlsx an amount is a NUMBER cell in 万元 with format
 * "#,##0.00": libxlsxwriter only takes a double, so the fen count is converted in
 * xlsx_write_amount (tools/xlsx_amount.h) and nowhere else: exactly below 2^53, as its
 * exact text above.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "amount.h"
#include "sort.h"
#include "codes.h"
#include "commands.h"
#include "csv.h"
#include "progress.h"
#include "export_rows.h"
#include "nodes.h"
#include "output.h"
#include "rules.h"

#ifdef HAVE_XLSXWRITER
#include <xlsxwriter.h>
#endif
#include "xlsx_amount.h"

/* ---- A tiny sheet writer with two back ends: xlsx and CSV. ---- */

/* CELL_DIFF: value − minus, computed exactly (128-bit) where it is written, never wrapped */
typedef enum { CELL_EMPTY, CELL_TEXT, CELL_AMOUNT, CELL_INT, CELL_DIFF } cell_kind;

typedef struct {
    cell_kind kind;
    const char *text;
    int64_t value;      /* fen for CELL_AMOUNT */
    int style;          /* added to the row's style: a bold side of a two-sided row */
    int64_t minus;      /* CELL_DIFF: the subtrahend (fen) */
} cell_t;

enum { STYLE_PLAIN = 0, STYLE_BOLD = 1, STYLE_WARN = 2 };   /* WARN: red (mismatch, missing, error) */
enum { EXPORT_PAPER_A4 = 9 };   /* Excel's paper code for A4 */

typedef struct {
    int xlsx;
    const char *path;
    FILE *csv;
    const char *sheet;        /* current sheet name (CSV column) */
    uint32_t row;             /* next row of the current sheet */
    uint32_t header_first;    /* first column header row of the current sheet (xlsx) */
#ifdef HAVE_XLSXWRITER
    lxw_workbook *wb;
    lxw_worksheet *ws;
    lxw_format *f_title, *f_header, *f_text, *f_bold, *f_amount, *f_amount_bold, *f_int,
               *f_warn_amount, *f_warn_text;
#endif
} exporter_t;

static cell_t cell_text(const char *s) { cell_t c = { CELL_TEXT, s ? s : "", 0, 0, 0 }; return c; }
static cell_t cell_amount(int64_t fen) { cell_t c = { CELL_AMOUNT, NULL, fen, 0, 0 }; return c; }
static cell_t cell_diff(int64_t a, int64_t b) { cell_t c = { CELL_DIFF, NULL, a, 0, b }; return c; }
static cell_t cell_int(int64_t v) { cell_t c = { CELL_INT, NULL, v, 0, 0 }; return c; }
static cell_t cell_empty(void) { cell_t c = { CELL_EMPTY, NULL, 0, 0, 0 }; return c; }

#ifdef HAVE_XLSXWRITER
/* An amount cell: xlsx_write_amount, the one place an amount becomes a double. */
static void export_amount_cell(exporter_t *x, uint32_t row, uint16_t col, int64_t fen, lxw_format *f)
{
    xlsx_write_amount(x->ws, row, col, fen, f);
}
#endif

static int export_open(exporter_t *x, const char *path, int xlsx)
{
    memset(x, 0, sizeof *x);
    x->xlsx = xlsx;
    x->path = path;
    if (!xlsx) {
        x->csv = fopen(path, "w");
        if (!x->csv) { perror(path); return -1; }
        return 0;
    }
#ifdef HAVE_XLSXWRITER
    lxw_workbook_options opts = { .constant_memory = LXW_TRUE, .tmpdir = NULL, .use_zip64 = LXW_TRUE };
    x->wb = workbook_new_opt(path, &opts);
    if (!x->wb) { fprintf(stderr, "huizong export: cannot create %s\n", path); return -1; }
    x->f_title = workbook_add_format(x->wb);
    format_set_bold(x->f_title);
    format_set_font_size(x->f_title, 14);
    x->f_header = workbook_add_format(x->wb);
    format_set_bold(x->f_header);
    format_set_bg_color(x->f_header, 0xDDEBF7);
    format_set_border(x->f_header, LXW_BORDER_THIN);
    format_set_text_wrap(x->f_header);
    format_set_align(x->f_header, LXW_ALIGN_CENTER);
    format_set_align(x->f_header, LXW_ALIGN_VERTICAL_CENTER);
    x->f_text = workbook_add_format(x->wb);
    x->f_bold = workbook_add_format(x->wb);
    format_set_bold(x->f_bold);
    x->f_amount = workbook_add_format(x->wb);
    format_set_num_format(x->f_amount, "#,##0.00");
    x->f_amount_bold = workbook_add_format(x->wb);
    format_set_num_format(x->f_amount_bold, "#,##0.00");
    format_set_bold(x->f_amount_bold);
    x->f_warn_amount = workbook_add_format(x->wb);
    format_set_num_format(x->f_warn_amount, "#,##0.00");
    format_set_font_color(x->f_warn_amount, LXW_COLOR_RED);
    x->f_warn_text = workbook_add_format(x->wb);
    format_set_font_color(x->f_warn_text, LXW_COLOR_RED);
    x->f_int = workbook_add_format(x->wb);
    format_set_num_format(x->f_int, "0");
    return 0;
#else
    fprintf(stderr, "huizong export: this build has no xlsx support (libxlsxwriter was not found); "
                    "use --format csv\n");
    return -1;
#endif
}

/* Starts a sheet: title line and unit line (xlsx only); the column header lines follow
 * with export_header. widths[i] <= 0: default. */
static int export_sheet_begin(exporter_t *x, const char *name, const char *title,
                              const double *widths, int ncols)
{
    x->sheet = name;
    x->row = 0;
    if (!x->xlsx) return 0;
#ifdef HAVE_XLSXWRITER
    x->ws = workbook_add_worksheet(x->wb, name);
    if (!x->ws) { fprintf(stderr, "huizong export: cannot add sheet %s\n", name); return -1; }
    for (int i = 0; i < ncols; i++)
        worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i, widths && widths[i] > 0 ? widths[i] : 14, NULL);
    worksheet_write_string(x->ws, 0, 0, title, x->f_title);
    worksheet_write_string(x->ws, 1, 0, "单位：万元", x->f_text);
    x->row = 2;
    x->header_first = x->row;
    /* Printed as the published tables: landscape A4, as wide as one page (as many pages
     * down as it takes), the column headers on every page. */
    worksheet_set_landscape(x->ws);
    worksheet_set_paper(x->ws, EXPORT_PAPER_A4);
    worksheet_fit_to_pages(x->ws, 1, 0);
    worksheet_center_horizontally(x->ws);
#else
    (void)title; (void)widths; (void)ncols;
#endif
    return 0;
}

/* One column header line; in xlsx the panes freeze below the last one written. */
static void export_header(exporter_t *x, const char *const *headers, int ncols)
{
    if (!x->xlsx) {
        csv_write_field(x->csv, x->sheet);
        for (int i = 0; i < ncols; i++) {
            fputc(',', x->csv);
            csv_write_field(x->csv, headers[i]);
        }
        fputc('\n', x->csv);
        return;
    }
#ifdef HAVE_XLSXWRITER
    for (int i = 0; i < ncols; i++)
        worksheet_write_string(x->ws, x->row, (lxw_col_t)i, headers[i], x->f_header);
    x->row++;
    worksheet_freeze_panes(x->ws, x->row, 0);
    worksheet_repeat_rows(x->ws, x->header_first, x->row - 1);
#endif
}

/* Starts a sheet with a single column header line. */
static int export_sheet(exporter_t *x, const char *name, const char *title,
                        const char *const *headers, const double *widths, int ncols)
{
    if (export_sheet_begin(x, name, title, widths, ncols)) return -1;
    export_header(x, headers, ncols);
    return 0;
}

static void export_row(exporter_t *x, const cell_t *cells, int n, int style)
{
    char buf[AMOUNT_BUF];
    if (!x->xlsx) {
        csv_write_field(x->csv, x->sheet);
        for (int i = 0; i < n; i++) {
            fputc(',', x->csv);
            switch (cells[i].kind) {
            case CELL_TEXT: csv_write_field(x->csv, cells[i].text); break;
            case CELL_AMOUNT: fputs(amount_format(cells[i].value, buf), x->csv); break;
            case CELL_DIFF: fputs(amount_format_diff(cells[i].value, cells[i].minus, buf), x->csv); break;
            case CELL_INT: fprintf(x->csv, "%" PRId64, cells[i].value); break;
            case CELL_EMPTY: break;
            }
        }
        fputc('\n', x->csv);
        return;
    }
#ifdef HAVE_XLSXWRITER
    int row_style = style;
    for (int i = 0; i < n; i++) {
        lxw_col_t col = (lxw_col_t)i;
        style = row_style | cells[i].style;
        int bold = style & STYLE_BOLD;
        switch (cells[i].kind) {
        case CELL_TEXT:
            worksheet_write_string(x->ws, x->row, col, cells[i].text,
                                   (style & STYLE_WARN) ? x->f_warn_text : bold ? x->f_bold : NULL);
            break;
        case CELL_AMOUNT:
            export_amount_cell(x, x->row, col, cells[i].value,
                               (style & STYLE_WARN) ? x->f_warn_amount : bold ? x->f_amount_bold : x->f_amount);
            break;
        case CELL_DIFF:
            if (amount_diff_fits(cells[i].value, cells[i].minus))
                export_amount_cell(x, x->row, col, cells[i].value - cells[i].minus,
                                   (style & STYLE_WARN) ? x->f_warn_amount : bold ? x->f_amount_bold : x->f_amount);
            else    /* beyond int64: its exact text, as export_amount_cell does beyond 2^53 */
                worksheet_write_string(x->ws, x->row, col,
                                       amount_format_diff(cells[i].value, cells[i].minus, buf),
                                       (style & STYLE_WARN) ? x->f_warn_amount : x->f_amount);
            break;
        case CELL_INT:
            /* a count or a version number, never money */
            worksheet_write_number(x->ws, x->row, col, (double)cells[i].value, x->f_int);
            break;
        case CELL_EMPTY: break;
        }
    }
    x->row++;
#else
    (void)style; (void)buf;
#endif
}

static int export_close(exporter_t *x)
{
    if (!x->xlsx) {
        if (ferror(x->csv) | fclose(x->csv)) {
            fprintf(stderr, "huizong export: error writing %s\n", x->path);
            return -1;
        }
        return 0;
    }
#ifdef HAVE_XLSXWRITER
    lxw_error e = workbook_close(x->wb);
    if (e != LXW_NO_ERROR) {
        fprintf(stderr, "huizong export: cannot write %s: %s\n", x->path, lxw_strerror(e));
        return -1;
    }
#endif
    return 0;
}

/* ---- Progress on stderr for large exports: core/progress.h, from 2,000 rows. ---- */

static void export_progress_start(progress_t *p, const char *what, size_t total)
{
    progress_start(p, what, total);
    p->min_total = 2000;
}

/* ---- The table sheets. ---- */


typedef struct {
    store_t *store;
    const char *code;
    entity_t entity;
    uint32_t year;
    int indent;               /* indent names by level (xlsx; CSV stays plain) */
    store_figure_t *figs;
    size_t nfigs;
    submission_t *names;      /* project titles: the node's or its first subordinate's facts */
} export_ctx_t;

static table_id sort_table;
static const store_figure_t *sort_figs;

static int fig_index_cmp(const void *pa, const void *pb)
{
    const store_figure_t *a = &sort_figs[*(const size_t *)pa], *b = &sort_figs[*(const size_t *)pb];
    int c = export_row_cmp(sort_table, a->key.row, b->key.row);
    if (c) return c;
    return (a->key.column > b->key.column) - (a->key.column < b->key.column);
}

/* Project ids (P01, ...) are numbered per entity, so their titles come from this node's
 * own submission, else from the first submitting node below it (depth-first), never from
 * whichever entity printed "P01" first (store_row_label is global). */
static void project_names_load(export_ctx_t *e, const nodes_t *nodes, size_t first, size_t end)
{
    for (size_t i = first; i < end && i < first + 1000 && !e->names; i++) {
        submission_t *s = store_facts(e->store, nodes->h.items[i].code, e->year, 0);
        if (!s) continue;
        for (size_t k = 0; k < s->count && !e->names; k++)
            if (s->facts[k].table == TABLE_PROJECTS && strcmp(s->facts[k].row, TABLE_ROW_TOTAL)) e->names = s;
        if (e->names != s) submission_destroy(&s);
    }
    if (e->names) submission_sort(e->names);
}

/* Label of a row: the chart or fixed-row name, else the printed one; "合计" for total. */
static const char *row_label(export_ctx_t *e, table_id t, const char *row)
{
    if (t == TABLE_PROJECTS && strcmp(row, TABLE_ROW_TOTAL)) {
        column_id cols[COL_COUNT];
        int n = table_columns(t, cols);
        for (int c = 0; e->names && c < n; c++) {
            const fact_t *f = submission_find(e->names, t, row, cols[c]);
            if (f && f->name && *f->name) return f->name;
        }
        return "";
    }
    const char *l = tool_row_label(e->store, t, row);
    if ((!l || !*l) && !strcmp(row, TABLE_ROW_TOTAL)) return "合计";
    return l ? l : "";
}

/* The code column: codes and project ids as printed, nothing for fixed ids like gpb. */
static const char *row_code(table_id t, const char *row)
{
    if (code_is_numeric(row)) return row;
    if (t == TABLE_PROJECTS && strcmp(row, TABLE_ROW_TOTAL)) return row;
    return "";
}

static int row_is_bold(table_id t, const char *row)
{
    if (!strcmp(row, TABLE_ROW_TOTAL) || !strcmp(row, TABLE_ROW_INCOME_TOTAL) || !strcmp(row, TABLE_ROW_EXPENSE_TOTAL))
        return 1;
    return code_is_numeric(row) && strlen(row) == 3 && t != TABLE_PROJECTS;
}

/* An indented name so 款 and 项 read under their 类 as in the printed tables. */
static void indent_name(char *out, size_t len, int indent, const char *row, const char *name)
{
    size_t n = code_is_numeric(row) ? strlen(row) : 3;
    const char *pad = !indent ? "" : n >= 7 ? "    " : n >= 5 ? "  " : "";
    snprintf(out, len, "%s%s", pad, name);
}

/* ---- 收支总表 and 财政拨款收支总表: income | expense side by side, as printed. ---- */

/* Place of a row in a two-sided table: income lines (by printed rank), expense lines (by
 * export_row_cmp), then income_total and expense_total, which share the last sheet row. */
enum { SIDE_INCOME, SIDE_EXPENSE, SIDE_INCOME_TOTAL, SIDE_EXPENSE_TOTAL };

static int side_of(table_id t, const char *row, int *rank)
{
    *rank = export_row_income_rank(t, row);
    if (!strcmp(row, TABLE_ROW_INCOME_TOTAL)) return SIDE_INCOME_TOTAL;
    if (!strcmp(row, TABLE_ROW_EXPENSE_TOTAL)) return SIDE_EXPENSE_TOTAL;
    return *rank >= 0 ? SIDE_INCOME : SIDE_EXPENSE;
}

static int side_index_cmp(const void *pa, const void *pb)
{
    const store_figure_t *a = &sort_figs[*(const size_t *)pa], *b = &sort_figs[*(const size_t *)pb];
    int ra, rb, sa = side_of(sort_table, a->key.row, &ra), sb = side_of(sort_table, b->key.row, &rb);
    if (sa != sb) return sa < sb ? -1 : 1;
    if (sa == SIDE_INCOME && ra != rb) return ra < rb ? -1 : 1;
    return fig_index_cmp(pa, pb);
}

/* One side of the table: its rows (runs of idx with one row id each) and its columns. */
typedef struct {
    size_t *start;            /* first idx position of each row */
    size_t nrows;
    size_t total;             /* idx position of the total row, or SIZE_MAX */
    column_id cols[COL_COUNT];
    int ncols;
} side_t;

/* The columns of t that the figures of one side use, in printed order; the table's first
 * column when the side has none, so each side keeps at least one amount column. */
static void side_columns(side_t *sd, export_ctx_t *e, table_id t, const size_t *idx, size_t n, int income)
{
    column_id cols[COL_COUNT];
    int ncols = table_columns(t, cols), rank;
    sd->ncols = 0;
    for (int c = 0; c < ncols; c++)
        for (size_t i = 0; i < n; i++) {
            int side = side_of(t, e->figs[idx[i]].key.row, &rank);
            int is_income = side == SIDE_INCOME || side == SIDE_INCOME_TOTAL;
            if (is_income == income && e->figs[idx[i]].key.column == cols[c]) {
                sd->cols[sd->ncols++] = cols[c];
                break;
            }
        }
    if (sd->ncols == 0 && ncols > 0) sd->cols[sd->ncols++] = cols[0];
}

/* Fills the label and amount cells of one side for the row starting at idx position p
 * (p == SIZE_MAX: that side has run out, its cells stay blank). Returns the cells used. */
static int side_cells(cell_t *cells, char *name, size_t len, export_ctx_t *e, table_id t,
                      const side_t *sd, const size_t *idx, size_t n, size_t p)
{
    cells[0] = cell_empty();
    for (int c = 0; c < sd->ncols; c++) cells[1 + c] = cell_empty();
    if (p == SIZE_MAX) return 1 + sd->ncols;
    const char *row = e->figs[idx[p]].key.row;
    int style = row_is_bold(t, row) ? STYLE_BOLD : STYLE_PLAIN;
    indent_name(name, len, e->indent, row, row_label(e, t, row));
    cells[0] = cell_text(name);
    cells[0].style = style;
    for (size_t j = p; j < n && !strcmp(e->figs[idx[j]].key.row, row); j++)
        for (int c = 0; c < sd->ncols; c++)
            if (sd->cols[c] == e->figs[idx[j]].key.column) {
                cells[1 + c] = cell_amount(store_figure_reported(&e->figs[idx[j]]));
                cells[1 + c].style = style;
            }
    return 1 + sd->ncols;
}

/* Header labels of one side: 项目 then 预算数 for a single amount column (as printed),
 * else the column names (财政拨款收支总表: 合计, 一般公共预算, ...). */
static int side_headers(const char **h, double *w, table_id t, const side_t *sd, int income)
{
    h[0] = "项目";
    w[0] = 36;
    for (int c = 0; c < sd->ncols; c++) {
        h[1 + c] = sd->ncols == 1 && (income || t == TABLE_SUMMARY) ? "预算数" : column_label(t, sd->cols[c]);
        w[1 + c] = 16;
    }
    return 1 + sd->ncols;
}

static int export_two_sided(exporter_t *x, export_ctx_t *e, table_id t, const char *sheet,
                            const char *title, size_t from, size_t to)
{
    size_t n = to - from, *idx = malloc((n ? n : 1) * sizeof *idx);
    size_t *starts = malloc((n ? n : 1) * sizeof *starts);
    if (!idx || !starts) { free(idx); free(starts); return -1; }
    for (size_t i = 0; i < n; i++) idx[i] = from + i;
    sort_table = t;
    sort_figs = e->figs;
    sort_array(idx, n, sizeof *idx, side_index_cmp);

    side_t in = { starts, 0, SIZE_MAX, { 0 }, 0 }, ex = { NULL, 0, SIZE_MAX, { 0 }, 0 };
    size_t nstarts = 0;
    for (size_t i = 0; i < n;) {
        const char *row = e->figs[idx[i]].key.row;
        int rank, side = side_of(t, row, &rank);
        if (side == SIDE_INCOME_TOTAL) in.total = i;
        else if (side == SIDE_EXPENSE_TOTAL) ex.total = i;
        else {
            if (side == SIDE_EXPENSE && !ex.start) ex.start = starts + nstarts;
            starts[nstarts++] = i;
            if (side == SIDE_INCOME) in.nrows++;
            else ex.nrows++;
        }
        while (i < n && !strcmp(e->figs[idx[i]].key.row, row)) i++;
    }
    side_columns(&in, e, t, idx, n, 1);
    side_columns(&ex, e, t, idx, n, 0);

    const char *h[2 * (1 + COL_COUNT)], *top[2 * (1 + COL_COUNT)];
    double w[2 * (1 + COL_COUNT)];
    int nin = side_headers(h, w, t, &in, 1);
    int ncols = nin + side_headers(h + nin, w + nin, t, &ex, 0);
    for (int c = 0; c < ncols; c++) top[c] = "";
    top[0] = "收入";
    top[nin] = "支出";
    int rc = -1;
    if (export_sheet_begin(x, sheet, title, w, ncols)) goto out;
    export_header(x, top, ncols);
    export_header(x, h, ncols);

    size_t lines = in.nrows > ex.nrows ? in.nrows : ex.nrows;
    for (size_t r = 0; r <= lines; r++) {
        cell_t cells[2 * (1 + COL_COUNT)];
        char lname[600], rname[600];
        int last = r == lines;
        if (last && in.total == SIZE_MAX && ex.total == SIZE_MAX) break;
        size_t lp = last ? in.total : r < in.nrows ? in.start[r] : SIZE_MAX;
        size_t rp = last ? ex.total : r < ex.nrows ? ex.start[r] : SIZE_MAX;
        int k = side_cells(cells, lname, sizeof lname, e, t, &in, idx, n, lp);
        k += side_cells(cells + k, rname, sizeof rname, e, t, &ex, idx, n, rp);
        export_row(x, cells, k, STYLE_PLAIN);
    }
    rc = 0;
out:
    free(starts);
    free(idx);
    return rc;
}

static int export_table(exporter_t *x, export_ctx_t *e, table_id t, size_t from, size_t to)
{
    column_id cols[COL_COUNT], used[COL_COUNT];
    int ncols = table_columns(t, cols), nused = 0;
    for (int c = 0; c < ncols; c++)
        for (size_t i = from; i < to; i++)
            if (e->figs[i].key.column == cols[c]) { used[nused++] = cols[c]; break; }

    const char *headers[2 + COL_COUNT];
    double widths[2 + COL_COUNT];
    headers[0] = table_row_kind(t) == ROWS_FIXED || t == TABLE_PROJECTS ? "项目编码" : "科目编码";
    headers[1] = table_row_kind(t) == ROWS_FIXED || t == TABLE_PROJECTS ? "项目名称" : "科目名称";
    widths[0] = 12;
    widths[1] = 40;
    for (int c = 0; c < nused; c++) {
        headers[2 + c] = column_label(t, used[c]);
        widths[2 + c] = 16;
    }
    char title[768];
    const char *sheet = export_sheet_name(t);
    /* "表5 一般公共预算支出表" -> the number, before the published title */
    char number[16] = "";
    if (strchr(sheet, ' ')) snprintf(number, sizeof number, "%.*s ", (int)(strchr(sheet, ' ') - sheet), sheet);
    snprintf(title, sizeof title, "%s%s（%s）%u年 %s", number, e->entity.name, e->code, e->year, table_label(t));
    if (export_table_two_sided(t)) return export_two_sided(x, e, t, sheet, title, from, to);
    if (export_sheet(x, sheet, title, headers, widths, 2 + nused)) return -1;

    size_t n = to - from, *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!idx) return -1;
    for (size_t i = 0; i < n; i++) idx[i] = from + i;
    sort_table = t;
    sort_figs = e->figs;
    sort_array(idx, n, sizeof *idx, fig_index_cmp);
    for (size_t i = 0; i < n;) {
        const char *row = e->figs[idx[i]].key.row;
        cell_t cells[2 + COL_COUNT];
        char name[600];
        indent_name(name, sizeof name, e->indent, row, row_label(e, t, row));
        cells[0] = cell_text(row_code(t, row));
        cells[1] = cell_text(name);
        for (int c = 0; c < nused; c++) cells[2 + c] = cell_empty();
        size_t j = i;
        for (; j < n && !strcmp(e->figs[idx[j]].key.row, row); j++) {
            const store_figure_t *f = &e->figs[idx[j]];
            for (int c = 0; c < nused; c++)
                if (used[c] == f->key.column) cells[2 + c] = cell_amount(store_figure_reported(f));
        }
        export_row(x, cells, 2 + nused, row_is_bold(t, row) ? STYLE_BOLD : STYLE_PLAIN);
        i = j;
    }
    free(idx);
    return 0;
}

/* Label of a row of another node than the exported one: project ids are numbered per
 * entity, so a project row shows its id only; everything else as row_label. */
static const char *node_row_label(export_ctx_t *e, table_id t, const char *row)
{
    if (t == TABLE_PROJECTS && strcmp(row, TABLE_ROW_TOTAL)) return "";
    return row_label(e, t, row);
}

/* 汇总核对: declared against computed wherever a node of the subtree has both, node by node
 * in tree order (the exported node first), so the city sees every department's check. */
static int export_reconcile(exporter_t *x, export_ctx_t *e, const nodes_t *nodes, size_t first, size_t end)
{
    static const char *const H[] = { "单位代码", "单位名称", "层级", "表", "行编码", "行名称", "列", "申报数",
                                      "汇总数", "差额(申报-汇总)", "汇总下级数", "核对" };
    static const double W[] = { 14, 30, 8, 28, 12, 36, 22, 16, 16, 16, 10, 8 };
    enum { N = 12 };
    char title[512];
    size_t rows = 0, nodes_checked = 0;
    snprintf(title, sizeof title, "%s（%s）%u年 汇总核对：本级及各下级的申报数与下级汇总数", e->entity.name,
             e->code, e->year);
    if (export_sheet(x, "汇总核对", title, H, W, N)) return -1;
    progress_t p;
    export_progress_start(&p, "huizong export: reconciliation", end - first);
    for (size_t i = first; i < end; i++) {
        const entity_t *n = &nodes->h.items[i];
        progress_step(&p);
        if (n->level == LEVEL_UNIT) continue;   /* a unit declares nothing above its own figures */
        store_figure_t *figs = NULL;
        size_t nfigs = 0;
        if (i == first) { figs = e->figs; nfigs = e->nfigs; }
        else if (store_figures(e->store, n->code, e->year, TABLE_NONE, &figs, &nfigs) != 0) nfigs = 0;
        bool any = false;
        for (size_t k = 0; k < nfigs; k++) {
            const store_figure_t *f = &figs[k];
            if (!f->has_declared || !f->has_computed) continue;
            bool diff = f->declared != f->computed;
            cell_t c[N] = {
                cell_text(n->code), cell_text(n->name), cell_text(level_label(n->level)),
                cell_text(table_label(f->key.table)), cell_text(row_code(f->key.table, f->key.row)),
                cell_text(i == first ? row_label(e, f->key.table, f->key.row)
                                     : node_row_label(e, f->key.table, f->key.row)),
                cell_text(column_label(f->key.table, f->key.column)), cell_amount(f->declared),
                cell_amount(f->computed), cell_diff(f->declared, f->computed), cell_int(f->contributors),
                cell_text(diff ? "不一致" : "一致"),
            };
            export_row(x, c, N, diff ? STYLE_WARN : STYLE_PLAIN);
            rows++;
            any = true;
        }
        nodes_checked += any;
        if (i != first) free(figs);
    }
    progress_end(&p);
    if (!rows) {
        cell_t c[1] = { cell_text("（无可核对的数字：本级及下级没有一个数字同时有申报数和下级汇总数）") };
        export_row(x, c, 1, STYLE_PLAIN);
    } else {
        cell_t c[3] = { cell_text("合计"), cell_text("核对的单位"), cell_int((int64_t)nodes_checked) };
        export_row(x, c, 3, STYLE_BOLD);
    }
    return 0;
}

/* ---- 分单位对比: the direct subordinates' main totals beside the consolidated ones. ---- */

static const struct { table_id table; const char *row; column_id column; const char *label; } MAIN_FIGURES[] = {
    { TABLE_SUMMARY, TABLE_ROW_INCOME_TOTAL, COL_AMOUNT, "收入总计" },
    { TABLE_SUMMARY, TABLE_ROW_EXPENSE_TOTAL, COL_AMOUNT, "支出总计" },
    { TABLE_EXPENSE, TABLE_ROW_TOTAL, COL_BASIC, "基本支出" },
    { TABLE_EXPENSE, TABLE_ROW_TOTAL, COL_PROJECT, "项目支出" },
    { TABLE_FISCAL, TABLE_ROW_INCOME_TOTAL, COL_TOTAL, "财政拨款收入总计" },
    { TABLE_GPB_FUNC, TABLE_ROW_TOTAL, COL_TOTAL, "一般公共预算支出" },
    { TABLE_THREE_PUBLIC, TABLE_ROW_TOTAL, COL_AMOUNT, "三公经费" },
};
enum { MAIN_FIGURE_COUNT = sizeof MAIN_FIGURES / sizeof MAIN_FIGURES[0] };

/* The reported value of main figure m among figs; false if the node has none. */
static bool main_figure(const store_figure_t *figs, size_t n, size_t m, int64_t *fen)
{
    for (size_t k = 0; k < n; k++)
        if (figs[k].key.table == MAIN_FIGURES[m].table && figs[k].key.column == MAIN_FIGURES[m].column &&
            !strcmp(figs[k].key.row, MAIN_FIGURES[m].row)) {
            *fen = store_figure_reported(&figs[k]);
            return true;
        }
    return false;
}

static int export_compare(exporter_t *x, export_ctx_t *e, const nodes_t *nodes, size_t first, size_t end)
{
    enum { LEAD = 4, N = LEAD + MAIN_FIGURE_COUNT };
    const char *h[N] = { "单位代码", "单位名称", "层级", "报送情况" };
    double w[N] = { 14, 36, 8, 10 };
    for (size_t m = 0; m < MAIN_FIGURE_COUNT; m++) { h[LEAD + m] = MAIN_FIGURES[m].label; w[LEAD + m] = 16; }
    char title[512];
    snprintf(title, sizeof title, "%s（%s）%u年 分单位对比：各直属下级的报送数与汇总数", e->entity.name,
             e->code, e->year);
    if (export_sheet(x, "分单位对比", title, h, w, N)) return -1;
    int64_t sum[MAIN_FIGURE_COUNT] = { 0 };
    bool any[MAIN_FIGURE_COUNT] = { false };
    size_t children = 0;
    for (size_t i = first + 1; i < end; i++) {
        if (nodes->depth[i] != nodes->depth[first] + 1) continue;
        const entity_t *n = &nodes->h.items[i];
        store_figure_t *figs = NULL;
        size_t nfigs = 0;
        if (store_figures(e->store, n->code, e->year, TABLE_NONE, &figs, &nfigs) != 0) nfigs = 0;
        cell_t c[N] = { cell_text(n->code), cell_text(n->name), cell_text(level_label(n->level)),
                        cell_text(nfigs ? "有数" : "无数") };
        for (size_t m = 0; m < MAIN_FIGURE_COUNT; m++) {
            int64_t fen;
            c[LEAD + m] = cell_empty();
            if (!main_figure(figs, nfigs, m, &fen)) continue;
            c[LEAD + m] = cell_amount(fen);
            sum[m] = amount_add_sat(sum[m], fen);
            any[m] = true;
        }
        export_row(x, c, N, nfigs ? STYLE_PLAIN : STYLE_WARN);
        free(figs);
        children++;
    }
    cell_t total[N] = { cell_text(""), cell_text("下级报送数合计"), cell_text(""), cell_text("") };
    cell_t own[N] = { cell_text(e->code), cell_text("本级汇总数（报送数）"), cell_text(level_label(e->entity.level)),
                      cell_text("") };
    cell_t diff[N] = { cell_text(""), cell_text("差额（本级−下级合计）"), cell_text(""), cell_text("") };
    bool differs = false;
    for (size_t m = 0; m < MAIN_FIGURE_COUNT; m++) {
        int64_t fen;
        bool has = main_figure(e->figs, e->nfigs, m, &fen);
        total[LEAD + m] = any[m] ? cell_amount(sum[m]) : cell_empty();
        own[LEAD + m] = has ? cell_amount(fen) : cell_empty();
        diff[LEAD + m] = has && any[m] ? cell_amount(amount_sub_sat(fen, sum[m])) : cell_empty();
        differs |= has && any[m] && fen != sum[m];
    }
    if (!children) {
        cell_t c[2] = { cell_text(""), cell_text("（无直属下级）") };
        export_row(x, c, 2, STYLE_PLAIN);
    }
    export_row(x, total, N, STYLE_BOLD);
    export_row(x, own, N, STYLE_BOLD);
    export_row(x, diff, N, differs ? STYLE_WARN : STYLE_PLAIN);
    return 0;
}

/* 问题清单: the flags of the node and of everything under it. */
static int export_flags(exporter_t *x, export_ctx_t *e, const nodes_t *nodes, size_t first, size_t end)
{
    static const char *const H[] = { "单位代码", "单位名称", "严重程度", "规则", "判定", "表", "行", "列",
                                      "应为", "实为", "差额", "说明", "来源" };
    static const double W[] = { 14, 30, 8, 28, 10, 28, 10, 16, 14, 14, 14, 80, 24 };
    char title[512];
    snprintf(title, sizeof title, "%s（%s）%u年 问题清单（含下级）", e->entity.name, e->code, e->year);
    if (export_sheet(x, "问题清单", title, H, W, 13)) return -1;
    findings_t fl;
    findings_init(&fl);
    if (store_flags(e->store, e->year, NULL, &fl) != 0) {
        fprintf(stderr, "huizong export: cannot read the flags of %u\n", e->year);
        return -1;
    }
    progress_t p;
    export_progress_start(&p, "huizong export: flags", fl.count);
    for (size_t i = 0; i < fl.count; i++) {
        const finding_t *f = &fl.items[i];
        progress_step(&p);
        long k = nodes_find(nodes, f->entity);
        if (k < 0 || (size_t)k < first || (size_t)k >= end) continue;
        char src[400] = "", rule[160];
        const char *zh = rules_name_zh(f->rule);
        snprintf(rule, sizeof rule, "%s%s%s", zh ? zh : "", zh ? " " : "", f->rule);
        if (f->line) snprintf(src, sizeof src, "%s:%u", f->source ? f->source : "", f->line);
        int money = f->verdict == VERDICT_MISMATCH || f->verdict == VERDICT_ROUNDING;
        cell_t c[13] = {
            cell_text(f->entity), cell_text(nodes->h.items[k].name), cell_text(severity_label(f->severity)),
            cell_text(rule), cell_text(verdict_label(f->verdict)),
            cell_text(table_valid(f->table) && f->table ? table_label(f->table) : ""),
            cell_text(f->row), cell_text(f->column ? column_label(f->table, f->column) : ""),
            money ? cell_amount(f->expected) : cell_empty(), money ? cell_amount(f->actual) : cell_empty(),
            money ? cell_diff(f->actual, f->expected) : cell_empty(),
            cell_text(f->explanation ? f->explanation : ""), cell_text(src),
        };
        export_row(x, c, 13, f->severity == SEV_ERROR ? STYLE_WARN : STYLE_PLAIN);
    }
    progress_end(&p);
    findings_clear(&fl);
    return 0;
}

/* Whether node i of the subtree rooted at first must submit for itself: units, and the
 * departments (部门预算) below the exported node. Districts, cities and provinces only
 * consolidate, so they are never 未报送; one that did submit is listed all the same. */
static bool must_submit(const nodes_t *nodes, size_t first, size_t i)
{
    if (i == first) return false;
    entity_level l = nodes->h.items[i].level;
    return l == LEVEL_UNIT || l == LEVEL_DEPARTMENT;
}

/* 下级报送情况: every node of the subtree that must submit (must_submit) or did, with its
 * current version or 未报送. */
static int export_status(exporter_t *x, export_ctx_t *e, const nodes_t *nodes, size_t first, size_t end)
{
    static const char *const H[] = { "单位代码", "单位名称", "层级", "上级代码", "报送情况", "计入方式",
                                      "版本", "报送时间(UTC)", "事实数", "来源文件" };
    static const double W[] = { 16, 40, 8, 14, 10, 12, 6, 20, 8, 30 };
    char title[512];
    size_t missing = 0, submitted = 0;
    snprintf(title, sizeof title, "%s（%s）%u年 下级报送情况（应报送的部门和单位）", e->entity.name, e->code, e->year);
    if (export_sheet(x, "下级报送情况", title, H, W, 10)) return -1;
    progress_t p;
    export_progress_start(&p, "huizong export: subordinates", end - first);
    for (size_t i = first; i < end; i++) {
        const entity_t *n = &nodes->h.items[i];
        store_version_t *v = NULL;
        size_t nv = 0;
        progress_step(&p);
        if (store_versions(e->store, n->code, e->year, &v, &nv) != 0) nv = 0;
        if (!nv && !must_submit(nodes, first, i)) { free(v); continue; }
        char name[400], when[32] = "";
        snprintf(name, sizeof name, "%*s%s", e->indent ? 2 * (nodes->depth[i] - nodes->depth[first]) : 0, "",
                 n->name);
        const store_version_t *cur = nv ? &v[nv - 1] : NULL;
        if (cur) {
            time_t t = (time_t)(cur->received_ms / 1000);
            struct tm tm;
            gmtime_r(&t, &tm);
            strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
            submitted++;
        } else {
            missing++;
        }
        cell_t c[10] = {
            cell_text(n->code), cell_text(name), cell_text(level_label(n->level)), cell_text(n->parent),
            cell_text(cur ? "已报送" : "未报送"),
            cell_text(!cur ? "" : n->level == LEVEL_UNIT ? "单位自有数" : "本级申报数"),
            cur ? cell_int(cur->version) : cell_empty(), cell_text(when),
            cur ? cell_int(cur->fact_count) : cell_empty(), cell_text(cur ? cur->source : ""),
        };
        export_row(x, c, 10, !cur ? STYLE_WARN | STYLE_BOLD : STYLE_PLAIN);
        free(v);
    }
    progress_end(&p);
    cell_t sum[5] = { cell_text("合计"), cell_text("已报送"), cell_int((int64_t)submitted),
                      cell_text("未报送"), cell_int((int64_t)missing) };
    export_row(x, sum, 5, STYLE_BOLD);
    return 0;
}

/* ---- Command line. ---- */

static void export_usage(FILE *out)
{
    fprintf(out,
        "usage: huizong export --db DIR --year Y --entity CODE --format xlsx|csv --out FILE\n\n"
        "Writes the consolidated (reported) tables of one node as an Excel workbook: one sheet\n"
        "per table present, numbered 表1…表10 as a 部门预算 publishes them and laid out like the\n"
        "published tables (Chinese headers, codes with names, amounts in 万元 as numbers\n"
        "formatted #,##0.00, 类 rows bold; 收支总表 and 财政拨款收支总表 with 收入 and 支出 side by\n"
        "side; printed landscape, one page wide, headers on every page), plus 汇总核对 (declared /\n"
        "computed / difference for every node of the subtree), 分单位对比 (each direct\n"
        "subordinate's main totals beside the consolidated ones), 问题清单 (flags of the node\n"
        "and its subtree) and 下级报送情况 (the departments and units that must submit: which\n"
        "did, which did not). --format csv writes the same content as one CSV whose first\n"
        "column names the sheet (each sheet starts with its header line).\n");
}

int cmd_export(int argc, char **argv)
{
    const char *db = NULL, *entity = NULL, *format = NULL, *out = NULL, *year_text = NULL;
    const opt_t options[] = { opt_text("db", &db), opt_text("year", &year_text), opt_text("entity", &entity),
                              opt_text("format", &format), opt_text("out", &out), opt_end() };
    int parsed = options_parse("huizong export", options, argc, argv, export_usage);
    if (parsed != OPTIONS_OK) return parsed == OPTIONS_HELP ? EXIT_OK : EXIT_USAGE;
    if (optind < argc) {
        fprintf(stderr, "huizong export: unexpected argument '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (!db || !year_text || !entity || !format || !out) {
        fprintf(stderr, "huizong export: --db, --year, --entity, --format and --out are required\n");
        export_usage(stderr);
        return EXIT_USAGE;
    }
    int xlsx = !strcmp(format, "xlsx");
    if (!xlsx && strcmp(format, "csv")) {
        fprintf(stderr, "huizong export: --format must be xlsx or csv, got '%s'\n", format);
        return EXIT_USAGE;
    }
    export_ctx_t e = { .code = entity, .indent = xlsx };
    if (!(e.year = tool_parse_year(year_text))) return EXIT_USAGE;
    if (!(e.store = tool_open_store(db))) return EXIT_ERROR;
    int rc = EXIT_ERROR;
    nodes_t nodes;
    int have_nodes = 0;
    exporter_t x;
    int opened = 0;
    if (store_entity(e.store, entity, &e.entity) != 0) {
        fprintf(stderr, "huizong export: entity '%s' is not in the hierarchy of %s\n", entity, db);
        goto done;
    }
    if (store_figures(e.store, entity, e.year, TABLE_NONE, &e.figs, &e.nfigs) != 0) {
        fprintf(stderr, "huizong export: cannot read the figures of %s %u\n", entity, e.year);
        goto done;
    }
    if (nodes_load(&nodes, e.store) != 0) {
        fprintf(stderr, "huizong export: cannot read the hierarchy of %s\n", db);
        goto done;
    }
    have_nodes = 1;
    long first = nodes_find(&nodes, entity);
    if (first < 0) {
        fprintf(stderr, "huizong export: entity '%s' missing from the tree\n", entity);
        goto done;
    }
    size_t end = nodes_subtree_end(&nodes, (size_t)first);
    if (e.nfigs == 0)
        fprintf(stderr, "huizong export: %s %s has no figures for %u; writing the status sheets only\n",
                entity, e.entity.name, e.year);
    project_names_load(&e, &nodes, (size_t)first, end);
    if (export_open(&x, out, xlsx)) goto done;
    opened = 1;
    /* Figures come sorted by table: each table is one contiguous run. */
    for (size_t s = 0; export_sheet_table(s) != TABLE_NONE; s++) {
        table_id t = export_sheet_table(s);
        size_t from = 0, to;
        while (from < e.nfigs && e.figs[from].key.table != t) from++;
        for (to = from; to < e.nfigs && e.figs[to].key.table == t; to++) {}
        if (from < to && export_table(&x, &e, t, from, to)) goto done;
    }
    if (export_reconcile(&x, &e, &nodes, (size_t)first, end) ||
        export_compare(&x, &e, &nodes, (size_t)first, end) ||
        export_flags(&x, &e, &nodes, (size_t)first, end) ||
        export_status(&x, &e, &nodes, (size_t)first, end))
        goto done;
    opened = 0;
    if (export_close(&x)) goto done;
    rc = EXIT_OK;
done:
    if (opened) export_close(&x);
    if (have_nodes) nodes_free(&nodes);
    free(e.figs);
    if (e.names) submission_destroy(&e.names);
    store_destroy(&e.store);
    return rc;
}
