/* test_pdf.c -- the PDF feed (import/pdf): grids rebuilt from LibreOffice-made PDFs
 * (tests/data/pdf, made by make_fixtures.py), the page geometry on hand-made character
 * lists, the pipe format's validation, and refusal of scanned, encrypted, damaged and
 * hostile PDFs within the limits. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grid.h"
#include "pdf.h"
#include "pdf_layout.h"
#include "pdf_wire.h"
#include "testkit.h"

#define PDF_DIR TESTS_DIR "/data/pdf/"

/* The grid as TSV: one line per row, cells separated by tabs (as hz-pdfgrid prints). */
static char *s_tsv(const grid_t *g) {
    pdf_text_t t = {0};
    size_t i = 0;
    for (uint32_t r = 0; r < g->rows; r++) {
        uint32_t c = 0;
        for (; i < g->count && g->cells[i].row == r; i++) {
            for (; c < g->cells[i].col; c++) pdf_text_append(&t, "\t", 1);
            pdf_text_append(&t, g->cells[i].text, strlen(g->cells[i].text));
        }
        pdf_text_append(&t, "\n", 1);
    }
    return t.data ? t.data : strdup("");
}

typedef struct {
    grid_t **grids;
    size_t n;
    char *narrative;
    char err[1024];
    int rc;
} s_read_t;

static void s_read(const char *name, const pdf_limits_t *l, s_read_t *r) {
    memset(r, 0, sizeof *r);
    char path[1024];
    snprintf(path, sizeof path, "%s%s", PDF_DIR, name);
    r->rc = pdf_read_grids(path, l, &r->grids, &r->n, &r->narrative, r->err, sizeof r->err);
}

static void s_done(s_read_t *r) {
    pdf_grids_free(&r->grids, &r->n);
    free(r->narrative);
}

static void s_expect_grid(const grid_t *g, const char *name, const char *tsv) {
    ck_assert_str_eq(g->name, name);
    char *got = s_tsv(g);
    ck_assert_str_eq(got, tsv);
    free(got);
}

static int s_has_merge(const grid_t *g, uint32_t r0, uint32_t c0, uint32_t r1, uint32_t c1) {
    for (size_t i = 0; i < g->nmerges; i++)
        if (g->merges[i].r0 == r0 && g->merges[i].c0 == c0 && g->merges[i].r1 == r1 &&
            g->merges[i].c1 == c1)
            return 1;
    return 0;
}

START_TEST(portrait_table_and_narrative) {
    s_read_t r;
    s_read("portrait.pdf", NULL, &r);
    ck_assert_msg(r.rc == 0, "%s", r.err);
    ck_assert_uint_eq(r.n, 1);
    /* Group headers centred over two and three columns; the long name wrapped onto two
     * lines (code and amounts centred between them) is one cell; 1,546.13 printed centred
     * over the rows 208 and 20805 (a merged cell) goes to the upper row. */
    s_expect_grid(r.grids[0], "第1页",
                  "示例局2024年一般公共预算支出预算表\n"
                  "单位：元\n"
                  "\t功能分类科目\t\t预算数\n"
                  "科目编码\t科目名称\t合计\t基本支出\t项目支出\n"
                  "\t合计\t2,361.22\t1,546.13\t815.09\n"
                  "201\t一般公共服务支出\t815.09\t\t815.09\n"
                  "2010199\t其他一般公共服务支出（含机关事业单位专项业务经费）\t815.09\t\t815.09\n"
                  "208\t社会保障和就业支出\t1,546.13\t1,546.13\n"
                  "20805\t行政事业单位养老支出\t1,546.13\n"
                  "注：本表反映部门当年一般公共预算财政拨款支出情况。\n"
                  "一、收入预算：2024年收入预算2,361.22元，比上年增加12.5%。\n"
                  "二、支出预算：基本支出1,546.13元，项目支出815.09元。\n");
    ck_assert(s_has_merge(r.grids[0], 0, 0, 0, 4));   /* the title across the table */
    ck_assert(s_has_merge(r.grids[0], 9, 0, 9, 4));   /* the note */
    ck_assert_str_eq(r.narrative,
                     "示例局2024年一般公共预算支出预算表\n"
                     "单位：元\n"
                     "注：本表反映部门当年一般公共预算财政拨款支出情况。\n"
                     "一、收入预算：2024年收入预算2,361.22元，比上年增加12.5%。\n"
                     "二、支出预算：基本支出1,546.13元，项目支出815.09元。\n"
                     "\n");
    s_done(&r);
}
END_TEST

START_TEST(landscape_income_and_expense) {
    s_read_t r;
    s_read("landscape.pdf", NULL, &r);
    ck_assert_msg(r.rc == 0, "%s", r.err);
    ck_assert_uint_eq(r.n, 1);
    /* A right-aligned amount is not glued to the left-aligned name of the next column. */
    s_expect_grid(r.grids[0], "第1页",
                  "示例局2024年财政拨款收支预算总表\n"
                  "单位：万元\n"
                  "收入\t\t\t\t支出\n"
                  "项目\t预算数\t项目\t合计\t一般公共预算财政拨款\t政府性基金预算财政拨款\t国有资本经营预算拨款\n"
                  "一、本年收入\t1,773.19\t一、本年支出\t1,773.19\t1,773.19\n"
                  "（一）一般公共预算拨款\t1,773.19\t（一）卫生健康支出\t1,655.17\t1,655.17\n"
                  "\t\t（二）住房保障支出\t118.02\t118.02\n"
                  "收入总计\t1,773.19\t支出总计\t1,773.19\t1,773.19\n");
    ck_assert(s_has_merge(r.grids[0], 0, 0, 0, 6));
    s_done(&r);
}
END_TEST

START_TEST(two_tables_one_page) {
    s_read_t r;
    s_read("two_tables.pdf", NULL, &r);
    ck_assert_msg(r.rc == 0, "%s", r.err);
    ck_assert_uint_eq(r.n, 1);
    /* The 三公 table (万元, a data row of numbers only, centred headers over right-aligned
     * numbers) and an empty table with only its header and a note (元), each with its
     * own columns; the second title is not taken into the first table. */
    s_expect_grid(r.grids[0], "第1页",
                  "示例局2024年一般公共预算“三公”经费支出预算表\n"
                  "单位：万元\n"
                  "合计\t因公出国（境）费\t公务用车购置费\t公务用车运行费\t公务接待费\t备注\n"
                  "12.50\t0.00\t0.00\t8.00\t4.50\n"
                  "示例局2024年政府性基金预算支出表\n"
                  "单位：元\n"
                  "科目编码\t科目名称\t合计\t基本支出\t项目支出\n"
                  "注：本部门无政府性基金预算支出，故本表为空表。\n");
    ck_assert(s_has_merge(r.grids[0], 4, 0, 4, 5));
    s_done(&r);
}
END_TEST

START_TEST(table_over_a_page_break) {
    s_read_t r;
    s_read("pagebreak.pdf", NULL, &r);
    ck_assert_msg(r.rc == 0, "%s", r.err);
    ck_assert_uint_eq(r.n, 2);
    /* 科目名称 is merged over both header rows and printed centred between them: it goes
     * up into the first row, where a workbook keeps a merged cell's text. */
    const char *header = "\t功能分类科目编码\t\t科目名称\t本年基本支出\n"
                         "类\t款\t项\t\t人员经费\t公用经费\n";
    int next = 0;
    for (size_t p = 0; p < 2; p++) {
        char *tsv = s_tsv(r.grids[p]);
        char *at = tsv;
        if (p == 0) {
            const char *title = "示例局2024年一般公共预算基本支出预算表\n单位：元\n";
            ck_assert(!strncmp(at, title, strlen(title)));
            at += strlen(title);
        }
        ck_assert_msg(!strncmp(at, header, strlen(header)), "page %zu: header repeated", p + 1);
        at += strlen(header);
        char want[256];
        while (*at) {
            snprintf(want, sizeof want, "208\t%02d\t%02d\t支出科目%d\t1,%03d.%02d\t%d.50\n",
                     next % 99 + 1, next % 50 + 1, next + 1, next, next, next + 1);
            ck_assert_msg(!strncmp(at, want, strlen(want)), "row %d: %.60s", next + 1, at);
            at += strlen(want);
            next++;
        }
        free(tsv);
    }
    ck_assert_int_eq(next, 70);   /* every row once, none lost at the break */
    ck_assert_str_eq(r.grids[1]->name, "第2页");
    s_done(&r);
}
END_TEST

START_TEST(rotated_page) {
    /* /Rotate 90 with the text turned: poppler gives the page's own orientation. */
    s_read_t r;
    s_read("rotated.pdf", NULL, &r);
    ck_assert_msg(r.rc == 0, "%s", r.err);
    ck_assert_uint_eq(r.n, 1);
    s_expect_grid(r.grids[0], "第1页", "Code\tName\tTotal\n201\tAlpha\t546.13\n208\tBeta\t2,361.22\n");
    s_done(&r);
}
END_TEST

/* ---- geometry on hand-made pages ---- */

typedef struct {
    pdf_char_t c[512];
    size_t n;
} s_page_t;

/* Puts UTF-8 text at (x, baseline-ish y) in 10-point characters: CJK 10 wide, others 5;
 * a space advances 3 and is a character of the text layer, as poppler gives it. right:
 * x is the right edge. Ends the run with a newline. */
static void s_text(s_page_t *p, double x, double y, const char *t, int right) {
    if (right) {
        double w = 0;
        for (const unsigned char *q = (const unsigned char *)t; *q; q++)
            if ((*q & 0xC0) != 0x80) w += *q == ' ' ? 3 : *q >= 0x80 ? 10 : 5;
        x -= w;
    }
    for (const unsigned char *q = (const unsigned char *)t; *q;) {
        uint32_t u;
        int len = *q < 0x80 ? 1 : *q < 0xE0 ? 2 : *q < 0xF0 ? 3 : 4;
        u = len == 1 ? *q : (uint32_t)(*q & (0xFF >> (len + 1)));
        for (int k = 1; k < len; k++) u = (u << 6) | (q[k] & 0x3F);
        q += len;
        double w = u == ' ' ? 3 : u >= 0x80 ? 10 : 5;
        p->c[p->n++] = (pdf_char_t){ u, x, y - 10, x + w, y, 10 };
        x += w;
    }
    p->c[p->n++] = (pdf_char_t){ '\n', x, y - 10, x, y, 10 };
}

static grid_t *s_layout(s_page_t *p, pdf_text_t *narr) {
    grid_t *g = NULL;
    char err[256] = "";
    ck_assert_msg(pdf_layout_page(p->c, p->n, "第1页", &g, narr, err, sizeof err) == 0, "%s", err);
    return g;
}

START_TEST(broken_numbers_and_wrapped_name) {
    s_page_t p = { .n = 0 };
    s_text(&p, 50, 100, "201", 0);
    s_text(&p, 100, 100, "一般公共服务支出", 0);
    s_text(&p, 300, 100, "546. 13", 1);             /* a space from extraction */
    s_text(&p, 400, 100, "2, 361. 22", 1);
    s_text(&p, 50, 115, "2010199", 0);
    s_text(&p, 100, 115, "其他一般公共服务支出的名称", 0);   /* to the cell's edge */
    s_text(&p, 300, 115, "100.00", 1);
    s_text(&p, 400, 115, "200.00", 1);
    s_text(&p, 100, 127, "续", 0);                   /* the name's second line */
    s_text(&p, 50, 145, "20101", 0);
    s_text(&p, 100, 145, "行政运行", 0);
    s_text(&p, 400, 145, "300.00", 1);
    pdf_text_t narr = {0};
    grid_t *g = s_layout(&p, &narr);
    ck_assert_ptr_nonnull(g);
    s_expect_grid(g, "第1页",
                  "201\t一般公共服务支出\t546.13\t2,361.22\n"
                  "2010199\t其他一般公共服务支出的名称续\t100.00\t200.00\n"
                  "20101\t行政运行\t\t300.00\n");
    ck_assert_ptr_null(narr.data);   /* nothing outside the table */
    grid_destroy(&g);
    pdf_text_free(&narr);
}
END_TEST

/* A header whose cells wrap inside one header line (宿州 表6, 宁德 表二): the upper parts
 * 1.2 em above the lower ones, the one-line cells centred between them, and two of the
 * upper parts glued by extraction (a space, less than a phrase gap, between them). */
START_TEST(wrapped_header_cells) {
    s_page_t p = { .n = 0 };
    s_text(&p, 320, 100, "一般公共预算 政府性基金预", 0);
    s_text(&p, 50, 106, "科目编码", 0);
    s_text(&p, 100, 106, "科目名称", 0);
    s_text(&p, 265, 106, "合计", 0);
    s_text(&p, 320, 112, "拨款收入", 0);
    s_text(&p, 383, 112, "算", 0);
    s_text(&p, 50, 125, "201", 0);
    s_text(&p, 100, 125, "一般公共服务支出", 0);
    s_text(&p, 300, 125, "300.00", 1);
    s_text(&p, 380, 125, "100.00", 1);
    s_text(&p, 443, 125, "200.00", 1);
    pdf_text_t narr = {0};
    grid_t *g = s_layout(&p, &narr);
    ck_assert_ptr_nonnull(g);
    s_expect_grid(g, "第1页",
                  "科目编码\t科目名称\t合计\t一般公共预算拨款收入\t政府性基金预算\n"
                  "201\t一般公共服务支出\t300.00\t100.00\t200.00\n");
    grid_destroy(&g);
    pdf_text_free(&narr);
}
END_TEST

/* Pages of random characters on a coarse grid (so that lines, columns, wraps and glued
 * phrases occur) never crash the layout and always give a finished grid or an error: run
 * under AddressSanitizer by scripts/asan.sh. Deterministic (a fixed LCG seed). */
START_TEST(random_pages_are_laid_out) {
    static const char *alphabet[] = { "合", "计", "科", "目", "类", "款", "项", "收", "入", "1",
                                      "2", "0", ".", ",", "-", " ", "(", ")", "：", "5" };
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    s_page_t p;
    for (int page = 0; page < 300; page++) {
        p.n = 0;
        int chars = 20 + (int)(seed % 150);
        for (int k = 0; k < chars && p.n + 2 < sizeof p.c / sizeof p.c[0]; k++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            const char *t = alphabet[(seed >> 33) % (sizeof alphabet / sizeof *alphabet)];
            double x = 40 + (double)((seed >> 20) % 60) * 7.5;
            double y = 60 + (double)((seed >> 12) % 40) * 6.0;
            s_text(&p, x, y, t, (seed >> 7) & 1);
            if ((seed >> 5) % 7 == 0) p.c[p.n - 2].size = 14;   /* a title's font now and then */
        }
        pdf_text_t narr = {0};
        grid_t *g = NULL;
        int tables = 0;
        char err[256] = "";
        int rc = pdf_layout_page_text(p.c, p.n, "第1页", &g, &tables, &narr, err, sizeof err);
        ck_assert_msg(rc == 0, "page %d: %s", page, err);
        if (g) {
            for (size_t i = 1; i < g->count; i++)
                ck_assert(g->cells[i - 1].row < g->cells[i].row ||
                          (g->cells[i - 1].row == g->cells[i].row && g->cells[i - 1].col < g->cells[i].col));
            grid_destroy(&g);
        }
        pdf_text_free(&narr);
    }
}
END_TEST

START_TEST(number_between_rows_and_title) {
    s_page_t p = { .n = 0 };
    s_text(&p, 150, 60, "示例表", 0);
    p.c[0].size = p.c[1].size = p.c[2].size = 14;   /* a title's larger font */
    s_text(&p, 50, 100, "201", 0);
    s_text(&p, 100, 100, "甲", 0);
    s_text(&p, 300, 100, "10.00", 1);
    s_text(&p, 400, 100, "20.00", 1);
    s_text(&p, 50, 115, "202", 0);
    s_text(&p, 100, 115, "乙", 0);
    s_text(&p, 300, 115, "30.00", 1);
    s_text(&p, 400, 122.5, "40.00", 1);              /* centred over rows 202 and 203 */
    s_text(&p, 50, 130, "203", 0);
    s_text(&p, 100, 130, "丙", 0);
    s_text(&p, 300, 130, "50.00", 1);
    pdf_text_t narr = {0};
    grid_t *g = s_layout(&p, &narr);
    ck_assert_ptr_nonnull(g);
    s_expect_grid(g, "第1页",
                  "示例表\n"
                  "201\t甲\t10.00\t20.00\n"
                  "202\t乙\t30.00\t40.00\n"
                  "203\t丙\t50.00\n");
    ck_assert(s_has_merge(g, 0, 0, 0, 3));
    ck_assert_str_eq(narr.data, "示例表\n");
    grid_destroy(&g);
    pdf_text_free(&narr);
}
END_TEST

START_TEST(prose_page_has_no_grid) {
    s_page_t p = { .n = 0 };
    s_text(&p, 50, 100, "一、收入预算 2024 年收入 1,773.19 万元，", 0);
    s_text(&p, 50, 115, "比上年增加 12.5%。", 0);
    pdf_text_t narr = {0};
    grid_t *g = s_layout(&p, &narr);
    ck_assert_ptr_null(g);
    ck_assert_str_eq(narr.data, "一、收入预算2024年收入1,773.19万元，\n比上年增加12.5%。\n");
    pdf_text_free(&narr);
}
END_TEST

/* ---- refusals ---- */

START_TEST(scanned_pdf_has_no_text_layer) {
    s_read_t r;
    s_read("scanned.pdf", NULL, &r);
    ck_assert_int_eq(r.rc, PDF_ERR_NO_TEXT);
    ck_assert_ptr_nonnull(strstr(r.err, "PDF 无文字层：不支持扫描件"));
    ck_assert_ptr_nonnull(strstr(r.err, "scanned documents are not supported"));
    ck_assert_ptr_null(r.grids);
    ck_assert_ptr_null(r.narrative);
    s_done(&r);
}
END_TEST

START_TEST(encrypted_and_damaged) {
    s_read_t r;
    s_read("encrypted.pdf", NULL, &r);
    ck_assert_int_eq(r.rc, PDF_ERR);
    ck_assert_msg(strstr(r.err, "加密") != NULL, "%s", r.err);
    s_done(&r);
    s_read("damaged.pdf", NULL, &r);
    ck_assert_int_eq(r.rc, PDF_ERR);
    ck_assert_msg(strstr(r.err, "damaged.pdf") && strstr(r.err, "损坏"), "%s", r.err);
    s_done(&r);
    s_read("no-such-file.pdf", NULL, &r);
    ck_assert_int_eq(r.rc, PDF_ERR);
    ck_assert_msg(strstr(r.err, "无法打开") != NULL, "%s", r.err);
    s_done(&r);
}
END_TEST

START_TEST(hostile_structure) {
    s_read_t r;
    const char *files[] = { "deep_nesting.pdf", "huge_count.pdf" };
    for (size_t i = 0; i < 2; i++) {
        s_read(files[i], NULL, &r);
        ck_assert_msg(r.rc < 0, "%s accepted", files[i]);
        ck_assert_msg(strstr(r.err, files[i]) != NULL, "%s", r.err);
        ck_assert_ptr_null(r.grids);
        s_done(&r);
    }
}
END_TEST

START_TEST(decompression_bomb_stopped_by_cpu_limit) {
    /* 2 GiB of content behind two FlateDecode filters: poppler would chew for many seconds;
     * the child is stopped at its CPU limit and the parent reports it. */
    pdf_limits_t l;
    pdf_limits_default(&l);
    l.cpu_seconds = 1;
    l.wall_seconds = 60;
    s_read_t r;
    s_read("flate_bomb.pdf", &l, &r);
    ck_assert_int_eq(r.rc, PDF_ERR);
    ck_assert_msg(strstr(r.err, "CPU 时间上限（1 秒）") != NULL, "%s", r.err);
    s_done(&r);
}
END_TEST

START_TEST(limits_pages_bytes_memory) {
    pdf_limits_t l;
    pdf_limits_default(&l);
    l.pages_max = 1;
    s_read_t r;
    s_read("pagebreak.pdf", &l, &r);
    ck_assert_int_eq(r.rc, PDF_ERR);
    ck_assert_msg(strstr(r.err, "页数 2 超过上限 1") != NULL, "%s", r.err);
    s_done(&r);
    pdf_limits_default(&l);
    l.file_bytes_max = 1000;
    s_read("portrait.pdf", &l, &r);
    ck_assert_int_eq(r.rc, PDF_ERR);
    ck_assert_msg(strstr(r.err, "文件过大") != NULL, "%s", r.err);
    s_done(&r);
#if !defined(__SANITIZE_ADDRESS__)
    pdf_limits_default(&l);
    l.memory_bytes = 8u << 20;   /* poppler and glib cannot even start in 8 MiB */
    s_read("portrait.pdf", &l, &r);
    ck_assert_int_eq(r.rc, PDF_ERR);
    ck_assert_msg(strstr(r.err, "PDF 解析进程") != NULL, "%s", r.err);
    s_done(&r);
#endif
}
END_TEST

START_TEST(pipe_format_validated) {
    grid_t *g = grid_new("第1页");
    char err[256];
    ck_assert_int_eq(grid_set(g, 0, 0, GRID_TEXT, "合计", strlen("合计"), GRID_DECIMALS_UNKNOWN,
                              err, sizeof err), 0);
    ck_assert_int_eq(grid_set(g, 0, 2, GRID_TEXT, "1,773.19", 8, GRID_DECIMALS_UNKNOWN, err,
                              sizeof err), 0);
    ck_assert_int_eq(grid_merge(g, 1, 0, 1, 2, err, sizeof err), 0);
    grid_finish(g);
    pdf_text_t buf = {0};
    ck_assert_int_eq(pdf_result_encode(PDF_STATUS_OK, "", &g, 1, "说明\n", strlen("说明\n"), &buf), 0);
    pdf_limits_t l;
    pdf_limits_default(&l);
    grid_t **gs = NULL;
    size_t n = 0;
    char *narr = NULL;
    ck_assert_int_eq(pdf_result_decode((unsigned char *)buf.data, buf.len, &l, &gs, &n, &narr, err,
                                       sizeof err), 0);
    ck_assert_uint_eq(n, 1);
    char *tsv = s_tsv(gs[0]);
    ck_assert_str_eq(tsv, "合计\t\t1,773.19\n");
    ck_assert(s_has_merge(gs[0], 1, 0, 1, 2));
    ck_assert_str_eq(narr, "说明\n");
    free(tsv);
    free(narr);
    pdf_grids_free(&gs, &n);
    /* Every truncation, and a flipped length, is refused without reading beyond the buffer. */
    for (size_t cut = 0; cut < buf.len; cut++) {
        ck_assert_int_eq(pdf_result_decode((unsigned char *)buf.data, cut, &l, &gs, &n, &narr, err,
                                           sizeof err), PDF_ERR);
        ck_assert_ptr_null(gs);
    }
    unsigned char *bad = malloc(buf.len);
    memcpy(bad, buf.data, buf.len);
    bad[4 + 4 + 4 + 4 + 4 + 3] = 0x7F;   /* high byte of the grid name's length */
    ck_assert_int_eq(pdf_result_decode(bad, buf.len, &l, &gs, &n, &narr, err, sizeof err), PDF_ERR);
    ck_assert_str_eq(err, "PDF 解析进程返回的数据无效");
    free(bad);
    pdf_text_free(&buf);
    pdf_text_t nt = {0};
    ck_assert_int_eq(pdf_result_encode(PDF_STATUS_NO_TEXT, "无文字层", NULL, 0, "", 0, &nt), 0);
    ck_assert_int_eq(pdf_result_decode((unsigned char *)nt.data, nt.len, &l, &gs, &n, &narr, err,
                                       sizeof err), PDF_ERR_NO_TEXT);
    ck_assert_str_eq(err, "无文字层");
    pdf_text_free(&nt);
    grid_destroy(&g);
}
END_TEST

static Suite *s_suite(void) {
    Suite *s = suite_create("pdf");
    TCase *t = tcase_create("pdf");
    tcase_set_timeout(t, 90);
    tcase_add_test(t, portrait_table_and_narrative);
    tcase_add_test(t, landscape_income_and_expense);
    tcase_add_test(t, two_tables_one_page);
    tcase_add_test(t, table_over_a_page_break);
    tcase_add_test(t, rotated_page);
    tcase_add_test(t, broken_numbers_and_wrapped_name);
    tcase_add_test(t, number_between_rows_and_title);
    tcase_add_test(t, wrapped_header_cells);
    tcase_add_test(t, random_pages_are_laid_out);
    tcase_add_test(t, prose_page_has_no_grid);
    tcase_add_test(t, scanned_pdf_has_no_text_layer);
    tcase_add_test(t, encrypted_and_damaged);
    tcase_add_test(t, hostile_structure);
    tcase_add_test(t, decompression_bomb_stopped_by_cpu_limit);
    tcase_add_test(t, limits_pages_bytes_memory);
    tcase_add_test(t, pipe_format_validated);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return testkit_run(s_suite()); }
