/* template.c -- `huizong template`: the empty printed-layout workbook of one entity and year,
 * for a department or unit to type its budget into and hand to `huizong-collector check |
 * submit` as it is (issue 11).
 *
 * The layout is the export's (tools/export.c): one sheet per table with the export's sheet
 * names (export_sheet_name), a title "名称（代码）2024年 表名", 单位：万元, then a 编制单位 line
 * naming the entity (so the collector finds it without --entity), the Chinese column headers
 * of core/tables.c (column_label) and the fixed row labels of core/tables.c
 * (table_fixed_row_label): 收支总表 and 财政拨款收支总表 two-sided (收入 | 支出), 三公经费 with
 * its five items, the code tables with a 合计 line and empty lines for 科目编码 / 科目名称.
 * Amount cells are blank cells in the export's "#,##0.00" format. Nothing filled in reads
 * back as "没有数字" (exit 2); figures typed in read back as one submission.
 */
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "commands.h"
#include "export_rows.h"
#include "template.h"
#include "hierarchy.h"
#include "store.h"
#include "tables.h"

#ifdef HAVE_XLSXWRITER
#include <xlsxwriter.h>
#endif
#include "xlsx_amount.h"

#define TEMPLATE_BLANK_LINES 30      /* empty code/project lines per table (a unit prints 10-40) */
#define TEMPLATE_NAME_WIDTH 36
#define TEMPLATE_AMOUNT_WIDTH 16
#define TABLE_TEMPLATE_CLASSES_MAX 64   /* function classes on a 收支总表's expense side */

static void template_usage(FILE *f)
{
    fprintf(f,
        "usage: huizong template --entity CODE --year Y --out FILE.xlsx\n"
        "                        [--hierarchy entities.csv | --db DIR]\n"
        "\n"
        "Writes the empty budget workbook of one entity in the printed layout (the layout of\n"
        "`huizong export`): one sheet per table, Chinese headers, 单位：万元, the 编制单位 line\n"
        "with the entity's name (from --hierarchy or the store in --db). Type the figures in\n"
        "万元 (codes and names in the empty lines), then `huizong-collector check FILE.xlsx`.\n"
        "\n"
        "生成某单位某年度的空白预算工作簿（与 huizong export 相同的印刷版式，单位：万元）。\n"
        "填入金额后用 huizong-collector check / submit 读取。\n"
        "\n"
        "Exit status: 0 written, 2 usage error, 3 the entity is unknown or the file cannot be written.\n");
}

#ifdef HAVE_XLSXWRITER
typedef struct {
    lxw_workbook *wb;
    lxw_format *title, *header, *amount, *bold;
    const char *name, *code;
    unsigned year;
    const template_fact_t *facts;      /* of the table being written */
    size_t nfacts;
} template_t;

/* The figure of (row, column) in the current table's facts, or NULL. */
static const template_fact_t *template_find(const template_t *x, const char *row, column_id c)
{
    for (size_t i = 0; i < x->nfacts; i++)
        if (x->facts[i].column == c && strcmp(x->facts[i].row, row) == 0) return &x->facts[i];
    return NULL;
}

/* The amount cell of (row, c): the figure in 万元 when there is one, else a blank cell. */
static void template_amount(template_t *x, lxw_worksheet *ws, uint32_t r, int col, const char *row, column_id c)
{
    const template_fact_t *f = row ? template_find(x, row, c) : NULL;
    if (f) xlsx_write_amount(ws, r, (uint16_t)col, f->fen, x->amount);
    else worksheet_write_blank(ws, r, (lxw_col_t)col, x->amount);
}

/* The distinct rows of the current facts in their order, without the fixed ones. */
static size_t template_rows(const template_t *x, const char **rows, size_t max, int classes_only)
{
    size_t n = 0;
    for (size_t i = 0; i < x->nfacts && n < max; i++) {
        const char *row = x->facts[i].row;
        if (n && strcmp(rows[n - 1], row) == 0) continue;
        if (classes_only ? !(code_is_numeric(row) && strlen(row) == 3) : strcmp(row, TABLE_ROW_TOTAL) == 0)
            continue;
        rows[n++] = row;
    }
    return n;
}

static const char *template_name(const template_t *x, table_id t, const char *row)
{
    for (size_t i = 0; i < x->nfacts; i++)
        if (strcmp(x->facts[i].row, row) == 0 && x->facts[i].name && x->facts[i].name[0]) return x->facts[i].name;
    const char *n = code_known_name(code_kind_for_table(t), row);
    return n ? n : "";
}

/* Title, unit and 编制单位 lines; returns the sheet, the next row in *row. */
static lxw_worksheet *template_sheet(template_t *x, table_id t, int ncols, uint32_t *row)
{
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, export_sheet_name(t));
    if (!ws) return NULL;
    char title[768], org[600];
    snprintf(title, sizeof title, "%s（%s）%u年 %s", x->name, x->code, x->year, table_label(t));
    snprintf(org, sizeof org, "编制单位：%s", x->name);
    for (int c = 0; c < ncols; c++)
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, TEMPLATE_AMOUNT_WIDTH, NULL);
    worksheet_write_string(ws, 0, 0, title, x->title);
    worksheet_write_string(ws, 1, 0, "单位：万元", NULL);
    worksheet_write_string(ws, 2, 0, org, NULL);
    *row = 3;
    return ws;
}

static void template_blanks(template_t *x, lxw_worksheet *ws, uint32_t row, int from, int to)
{
    for (int c = from; c < to; c++) worksheet_write_blank(ws, row, (lxw_col_t)c, x->amount);
}

/* 收支总表 / 财政拨款收支总表: 收入 | 支出, the income labels on the left, the expense side's
 * class names left for the office to type, the totals on the last line. */
static int template_two_sided(template_t *x, table_id t)
{
    column_id ex[COL_COUNT];
    int nex = t == TABLE_FISCAL ? table_columns(t, ex) : 1;
    if (t != TABLE_FISCAL) ex[0] = COL_AMOUNT;
    int ncols = 2 + 1 + nex;
    uint32_t r;
    lxw_worksheet *ws = template_sheet(x, t, ncols, &r);
    if (!ws) return -1;
    worksheet_set_column(ws, 0, 0, TEMPLATE_NAME_WIDTH, NULL);
    worksheet_set_column(ws, 2, 2, TEMPLATE_NAME_WIDTH, NULL);
    worksheet_write_string(ws, r, 0, "收入", x->header);
    worksheet_write_string(ws, r, 1, "", x->header);
    worksheet_write_string(ws, r, 2, "支出", x->header);
    for (int c = 0; c < nex; c++) worksheet_write_string(ws, r, (lxw_col_t)(3 + c), "", x->header);
    r++;
    worksheet_write_string(ws, r, 0, "项目", x->header);
    worksheet_write_string(ws, r, 1, "预算数", x->header);
    worksheet_write_string(ws, r, 2, "项目", x->header);
    for (int c = 0; c < nex; c++)
        worksheet_write_string(ws, r, (lxw_col_t)(3 + c), nex == 1 ? "预算数" : column_label(t, ex[c]), x->header);
    r++;
    worksheet_freeze_panes(ws, r, 0);
    table_rows_t in = t == TABLE_FISCAL ? TABLE_FISCAL_INCOME : TABLE_SUMMARY_SOURCES;
    column_id in_col = t == TABLE_FISCAL ? COL_TOTAL : COL_AMOUNT;
    const char *cls[TABLE_TEMPLATE_CLASSES_MAX];
    size_t ncls = template_rows(x, cls, TABLE_TEMPLATE_CLASSES_MAX, 1);
    size_t lines = x->nfacts ? (in.n > ncls ? in.n : ncls)
                             : (in.n > TEMPLATE_BLANK_LINES / 2 ? in.n : TEMPLATE_BLANK_LINES / 2);
    for (size_t i = 0; i < lines; i++, r++) {
        if (i < in.n) {
            worksheet_write_string(ws, r, 0, table_fixed_row_label(t, in.rows[i]), NULL);
            template_amount(x, ws, r, 1, in.rows[i], in_col);
        }
        if (i < ncls) worksheet_write_string(ws, r, 2, template_name(x, TABLE_GPB_FUNC, cls[i]), NULL);
        for (int c = 0; c < nex; c++) template_amount(x, ws, r, 3 + c, i < ncls ? cls[i] : NULL, ex[c]);
    }
    if (t == TABLE_SUMMARY) {                  /* 结转下年 closes the expense side */
        worksheet_write_string(ws, r, 2, table_fixed_row_label(t, TABLE_ROW_CARRY_OUT), NULL);
        template_amount(x, ws, r, 3, TABLE_ROW_CARRY_OUT, COL_AMOUNT);
        r++;
    }
    worksheet_write_string(ws, r, 0, "收入总计", x->bold);
    template_amount(x, ws, r, 1, TABLE_ROW_INCOME_TOTAL, in_col);
    worksheet_write_string(ws, r, 2, "支出总计", x->bold);
    for (int c = 0; c < nex; c++) template_amount(x, ws, r, 3 + c, TABLE_ROW_EXPENSE_TOTAL, ex[c]);
    return 0;
}

/* A table of code lines (or projects, or 三公's items): 编码 | 名称 | its columns. */
static int template_table(template_t *x, table_id t)
{
    column_id cols[COL_COUNT];
    int n = table_columns(t, cols);
    uint32_t r;
    lxw_worksheet *ws = template_sheet(x, t, 2 + n, &r);
    if (!ws) return -1;
    worksheet_set_column(ws, 1, 1, TEMPLATE_NAME_WIDTH, NULL);
    int fixed = table_row_kind(t) == ROWS_FIXED || t == TABLE_PROJECTS;
    worksheet_write_string(ws, r, 0, fixed ? "项目编码" : "科目编码", x->header);
    worksheet_write_string(ws, r, 1, fixed ? "项目名称" : "科目名称", x->header);
    for (int c = 0; c < n; c++)
        worksheet_write_string(ws, r, (lxw_col_t)(2 + c),
                               t == TABLE_THREE_PUBLIC ? "预算数" : column_label(t, cols[c]), x->header);
    r++;
    worksheet_freeze_panes(ws, r, 0);
    worksheet_write_string(ws, r, 1, "合计", x->bold);
    for (int c = 0; c < n; c++) template_amount(x, ws, r, 2 + c, TABLE_ROW_TOTAL, cols[c]);
    r++;
    if (t == TABLE_THREE_PUBLIC) {
        for (size_t i = 0; i < TABLE_THREE_PUBLIC_ITEMS.n; i++, r++) {
            worksheet_write_string(ws, r, 1, TABLE_THREE_PUBLIC_ITEMS.labels[i], NULL);
            template_amount(x, ws, r, 2, TABLE_THREE_PUBLIC_ITEMS.rows[i], COL_AMOUNT);
        }
        return 0;
    }
    if (!x->nfacts) {
        for (int i = 0; i < TEMPLATE_BLANK_LINES; i++, r++) template_blanks(x, ws, r, 2, 2 + n);
        return 0;
    }
    for (size_t i = 0; i < x->nfacts; r++) {              /* one line per row, in order */
        const char *row = x->facts[i].row;
        size_t j = i;
        while (j < x->nfacts && strcmp(x->facts[j].row, row) == 0) j++;
        if (strcmp(row, TABLE_ROW_TOTAL) == 0) { i = j; r--; continue; }
        worksheet_write_string(ws, r, 0, row, NULL);
        worksheet_write_string(ws, r, 1, template_name(x, t, row), NULL);
        for (int c = 0; c < n; c++) template_amount(x, ws, r, 2 + c, row, cols[c]);
        i = j;
    }
    return 0;
}
#endif

int cmd_template(int argc, char **argv)
{
    const char *code = NULL, *out = NULL, *hier = NULL, *db = NULL;
    long year = 0;
    const opt_t options[] = { opt_text("entity", &code), opt_long("year", &year, 1900, 9999, NULL),
                              opt_text("out", &out), opt_text("hierarchy", &hier), opt_text("db", &db),
                              opt_end() };
    int parsed = options_parse("huizong template", options, argc, argv, template_usage);
    if (parsed != OPTIONS_OK) return parsed == OPTIONS_HELP ? EXIT_OK : EXIT_USAGE;
    if (!code || !out || year < 1900 || year > 9999 || (!hier && !db)) {
        fprintf(stderr, "huizong template: --entity, --year (1900..9999), --out and --hierarchy or --db are needed\n");
        template_usage(stderr);
        return EXIT_USAGE;
    }
    entity_t ent;
    memset(&ent, 0, sizeof ent);
    char err[512] = "";
    int found = 0;
    if (hier) {
        hierarchy_t h;
        if (hierarchy_load(&h, hier, err, sizeof err) != 0) {
            fprintf(stderr, "huizong template: %s\n", err);
            return EXIT_ERROR;
        }
        const entity_t *e = hierarchy_find(&h, code);
        if (e) { ent = *e; found = 1; }
        hierarchy_free(&h);
    } else {
        store_t *st = store_open(db, STORE_READONLY, err, sizeof err);
        if (!st) {
            fprintf(stderr, "huizong template: %s\n", err);
            return EXIT_ERROR;
        }
        found = store_entity(st, code, &ent) == 0;
        store_destroy(&st);
    }
    if (!found) {
        fprintf(stderr, "huizong template: 单位代码 %s 不在单位清单中（%s）\n", code, hier ? hier : db);
        return EXIT_ERROR;
    }
    if (template_write(out, ent.code, ent.name, (unsigned)year, NULL, 0) != 0) return EXIT_ERROR;
    fprintf(stderr, "huizong template: %s %s %ld → %s\n", ent.code, ent.name, year, out);
    return EXIT_OK;
}

int template_write(const char *path, const char *code, const char *name, unsigned year,
                   const template_fact_t *facts, size_t n)
{
    return template_write_opt(path, code, name, year, facts, n, false);
}

int template_write_opt(const char *path, const char *code, const char *name, unsigned year,
                       const template_fact_t *facts, size_t n, bool shared_strings)
{
#ifdef HAVE_XLSXWRITER
    template_t x = { 0 };
    /* constant_memory streams each row to its sheet as written and so can only write inline
     * strings (<is><t>); without it libxlsxwriter keeps the workbook and writes its texts
     * once in xl/sharedStrings.xml, as Excel saves every workbook */
    lxw_workbook_options opts = { .constant_memory = shared_strings ? LXW_FALSE : LXW_TRUE,
                                  .tmpdir = NULL, .use_zip64 = LXW_FALSE };
    x.wb = workbook_new_opt(path, &opts);
    if (!x.wb) {
        fprintf(stderr, "huizong template: cannot create %s\n", path);
        return -1;
    }
    x.name = name;
    x.code = code;
    x.year = year;
    x.title = workbook_add_format(x.wb);
    format_set_bold(x.title);
    format_set_font_size(x.title, 14);
    x.header = workbook_add_format(x.wb);
    format_set_bold(x.header);
    format_set_bg_color(x.header, 0xDDEBF7);
    format_set_border(x.header, LXW_BORDER_THIN);
    format_set_align(x.header, LXW_ALIGN_CENTER);
    x.amount = workbook_add_format(x.wb);
    format_set_num_format(x.amount, "#,##0.00");
    x.bold = workbook_add_format(x.wb);
    format_set_bold(x.bold);
    int rc = 0;
    for (size_t s = 0; rc == 0 && export_sheet_table(s) != TABLE_NONE; s++) {
        table_id t = export_sheet_table(s);
        size_t from = 0, to;                    /* this table's facts: one run */
        while (from < n && facts[from].table != t) from++;
        for (to = from; to < n && facts[to].table == t; to++) {}
        x.facts = facts ? facts + from : NULL;
        x.nfacts = to - from;
        if (n && !x.nfacts) continue;           /* a filled workbook prints the tables it has */
        rc = export_table_two_sided(t) ? template_two_sided(&x, t) : template_table(&x, t);
    }
    lxw_error e = workbook_close(x.wb);
    if (rc != 0 || e != LXW_NO_ERROR) {
        fprintf(stderr, "huizong template: cannot write %s%s%s\n", path, e ? ": " : "", e ? lxw_strerror(e) : "");
        return -1;
    }
    return 0;
#else
    (void)path; (void)code; (void)name; (void)year; (void)facts; (void)n; (void)shared_strings;
    fprintf(stderr, "huizong template: this build has no xlsx support (libxlsxwriter was not found)\n");
    return -1;
#endif
}
