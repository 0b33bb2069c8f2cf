/* test_import.c -- the readers of import/ through import_read_file on real files in a temp
 * directory: an .xlsx written with libxlsxwriter (merged header, numbers, number formats,
 * shared strings) read back to exact fen; raw workbooks assembled with libzip for inline
 * strings, formulas with and without cached values; printed-sheet CSVs in UTF-8 and GB18030
 * (the 东西湖 transcription, giving the same 452 facts as its v1 CSV); a v1 CSV by content;
 * several files as one submission; and hostile files: zip bomb, billion laughs, shared-
 * string index out of range, a row beyond Excel's grid, a renamed zip, a PDF.
 */
#include <check.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "import.h"
#include "testkit.h"

static char tmpdir[256];

static void setup(void)
{
    testkit_tmpdir(tmpdir, sizeof tmpdir, "import");
}

static void teardown(void)
{
    testkit_rmtree(tmpdir);
}

static char *path_in(const char *name)
{
    static char p[2][512];
    static int k;
    k ^= 1;
    snprintf(p[k], sizeof p[k], "%s/%s", tmpdir, name);
    return p[k];
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* A zip with the given parts (name, text) pairs, NULL-terminated. */
static void write_zip(const char *path, const char *const *parts)
{
    int e;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &e);
    ck_assert_ptr_nonnull(z);
    for (int i = 0; parts[i]; i += 2) {
        zip_source_t *s = zip_source_buffer(z, parts[i + 1], strlen(parts[i + 1]), 0);
        ck_assert_ptr_nonnull(s);
        ck_assert_int_ge(zip_file_add(z, parts[i], s, ZIP_FL_ENC_UTF_8), 0);
    }
    ck_assert_int_eq(zip_close(z), 0);
}

#define CT "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">" \
    "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/></Types>"
#define WB "<workbook xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>" \
    "<sheet name=\"表1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
#define RELS "<Relationships><Relationship Id=\"rId1\" Type=\"x\" Target=\"worksheets/sheet1.xml\"/></Relationships>"

static void write_book(const char *path, const char *sheet, const char *sst)
{
    const char *parts[] = { "[Content_Types].xml", CT, "xl/workbook.xml", WB, "xl/_rels/workbook.xml.rels", RELS,
                            "xl/worksheets/sheet1.xml", sheet, sst ? "xl/sharedStrings.xml" : NULL, sst, NULL };
    write_zip(path, parts);
}

static int read_one(const char *path, const char *entity, uint32_t year, submission_list_t *l,
                    recognise_report_t *rep, import_format *fmt)
{
    import_opts_t o = { .entity = entity, .year = year, .enc = CSV_ENCODING_AUTO };
    recognise_report_init(rep);
    return import_read_file(path, &o, l, rep, fmt);
}

static bool any_error_has(const recognise_report_t *r, const char *needle)
{
    for (size_t i = 0; i < r->nerrors && i < RECOGNISE_ERRORS_MAX; i++)
        if (strstr(r->errors[i], needle)) return true;
    return false;
}

static size_t nfacts(const submission_list_t *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->count; i++) n += l->items[i]->count;
    return n;
}

/* An xlsx as finance staff make it: merged title and header, numbers with 2 decimals, a
 * 款 column stored as numbers, two tables on two sheets plus an unknown sheet. */
START_TEST(xlsx_written_by_libxlsxwriter)
{
    const char *p = path_in("部门预算.xlsx");
    lxw_workbook *wb = workbook_new(p);
    lxw_format *money = workbook_add_format(wb);
    format_set_num_format(money, "#,##0.00");
    lxw_worksheet *ws = workbook_add_worksheet(wb, "表5");
    worksheet_merge_range(ws, 0, 0, 0, 6, "武汉市东西湖区医疗保障局2024年一般公共预算支出表", NULL);
    worksheet_write_string(ws, 1, 0, "编制单位：武汉市东西湖区医疗保障局", NULL);
    worksheet_write_string(ws, 1, 6, "单位：万元", NULL);
    worksheet_merge_range(ws, 2, 0, 2, 2, "科目编码", NULL);
    worksheet_merge_range(ws, 2, 3, 3, 3, "科目名称", NULL);
    worksheet_merge_range(ws, 2, 4, 3, 4, "合计", NULL);
    worksheet_merge_range(ws, 2, 5, 2, 6, "基本支出", NULL);
    worksheet_write_string(ws, 3, 0, "类", NULL);
    worksheet_write_string(ws, 3, 1, "款", NULL);
    worksheet_write_string(ws, 3, 2, "项", NULL);
    worksheet_write_string(ws, 3, 5, "人员经费", NULL);
    worksheet_write_string(ws, 3, 6, "公用经费", NULL);
    worksheet_write_string(ws, 4, 3, "合计", NULL);
    worksheet_write_number(ws, 4, 4, 2361.22, money);
    worksheet_write_number(ws, 4, 5, 674.03, money);
    worksheet_write_number(ws, 4, 6, 0.1, money);
    worksheet_write_number(ws, 5, 0, 210, NULL);
    worksheet_write_number(ws, 5, 1, 11, NULL);
    worksheet_write_number(ws, 5, 2, 1, NULL);
    worksheet_write_string(ws, 5, 3, "  行政单位医疗", NULL);
    worksheet_write_formula_num(ws, 5, 4, "=F6+G6", money, 822.09);
    worksheet_write_number(ws, 5, 5, 22.09, money);
    worksheet_write_number(ws, 5, 6, 800, money);
    lxw_worksheet *w2 = workbook_add_worksheet(wb, "三公");
    worksheet_write_string(w2, 0, 0, "2024年一般公共预算“三公”经费支出表", NULL);
    worksheet_write_string(w2, 1, 0, "单位：元", NULL);
    worksheet_write_string(w2, 2, 0, "项目", NULL);
    worksheet_write_string(w2, 2, 1, "预算数", NULL);
    worksheet_write_string(w2, 3, 0, "合计", NULL);
    worksheet_write_number(w2, 3, 1, 8000, NULL);
    worksheet_write_string(w2, 4, 0, "公务接待费", NULL);
    worksheet_write_number(w2, 4, 1, 8000.5, NULL);
    /* a unit code typed as a number, shown with its zeros by the format 000000 */
    lxw_format *code6 = workbook_add_format(wb);
    format_set_num_format(code6, "000000");
    lxw_worksheet *w4 = workbook_add_worksheet(wb, "收入");
    worksheet_write_string(w4, 0, 0, "2024年部门收入总表", NULL);
    worksheet_write_string(w4, 1, 0, "单位：万元", NULL);
    worksheet_write_string(w4, 2, 0, "部门(单位)代码", NULL);
    worksheet_write_string(w4, 2, 1, "部门(单位)名称", NULL);
    worksheet_write_string(w4, 2, 2, "合计", NULL);
    worksheet_write_number(w4, 3, 0, 26001, code6);
    worksheet_write_string(w4, 3, 1, "武汉市东西湖区医疗保障局", NULL);
    worksheet_write_number(w4, 3, 2, 3311.22, money);
    lxw_worksheet *w3 = workbook_add_worksheet(wb, "绩效");
    worksheet_write_string(w3, 0, 0, "2024年项目支出绩效目标表", NULL);
    ck_assert_int_eq(workbook_close(wb), LXW_NO_ERROR);

    submission_list_t l;
    submission_list_init(&l);
    recognise_report_t rep;
    import_format fmt;
    int rc = read_one(p, "026", 0, &l, &rep, &fmt);
    if (rc) recognise_report_print_text(&rep, stderr);
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(fmt, IMPORT_XLSX);
    ck_assert_uint_eq(rep.year, 2024);
    ck_assert_int_eq(testkit_fen(&l, "026", TABLE_GPB_FUNC, "total", COL_TOTAL), 2361220000);
    ck_assert_int_eq(testkit_fen(&l, "026", TABLE_GPB_FUNC, "total", COL_PERSONNEL), 674030000);
    ck_assert_int_eq(testkit_fen(&l, "026", TABLE_GPB_FUNC, "total", COL_PUBLIC), 100000);
    ck_assert_int_eq(testkit_fen(&l, "026", TABLE_GPB_FUNC, "2101101", COL_TOTAL), 822090000);   /* cached formula value */
    ck_assert_int_eq(testkit_fen(&l, "026", TABLE_GPB_FUNC, "2101101", COL_PUBLIC), 800000000);
    ck_assert_int_eq(testkit_fen(&l, "026", TABLE_THREE_PUBLIC, "reception", COL_AMOUNT), 800050);
    ck_assert_int_eq(testkit_fen(&l, "026", TABLE_THREE_PUBLIC, "total", COL_AMOUNT), 800000);
    ck_assert_int_eq(testkit_fen(&l, "026001", TABLE_INCOME, "total", COL_TOTAL), 3311220000);
    ck_assert_uint_eq(rep.nskipped_blocks, 1);
    ck_assert_str_eq(rep.tables[0].grid, "表5");
    ck_assert_str_eq(rep.tables[0].range, "A1:G6");
    submission_list_free(&l);
    recognise_report_free(&rep);
}
END_TEST

/* Inline strings, exponent numbers, a formula without a cached value. */
START_TEST(xlsx_raw_parts)
{
    const char *p = path_in("raw.xlsx");
    write_book(p,
        "<worksheet><sheetData>"
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>2024年部门支出总表</t></is></c></row>"
        "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>单位：万元</t></is></c></row>"
        "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>科目编码</t></is></c><c r=\"B3\" t=\"inlineStr\"><is><t>科目名称</t></is></c>"
        "<c r=\"C3\" t=\"inlineStr\"><is><t>合计</t></is></c><c r=\"D3\" t=\"inlineStr\"><is><t>基本支出</t></is></c></row>"
        "<row r=\"4\"><c r=\"B4\" t=\"inlineStr\"><is><t>合计</t></is></c><c r=\"C4\"><v>1.5E-2</v></c><c r=\"D4\"><f>C4*2</f></c></row>"
        "</sheetData></worksheet>", NULL);
    submission_list_t l;
    submission_list_init(&l);
    recognise_report_t rep;
    ck_assert_int_eq(read_one(p, "026", 0, &l, &rep, NULL), -1);
    ck_assert(any_error_has(&rep, "表1!D4：值 '=C4*2'：公式没有缓存"));
    ck_assert_uint_eq(l.count, 0);
    recognise_report_free(&rep);
    /* with the cached value the same workbook reads, 1.5E-2 万元 exactly 15000 fen */
    write_book(p,
        "<worksheet><sheetData>"
        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>2024年部门支出总表</t></is></c></row>"
        "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>单位：万元</t></is></c></row>"
        "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>科目编码</t></is></c><c r=\"B3\" t=\"inlineStr\"><is><t>科目名称</t></is></c>"
        "<c r=\"C3\" t=\"inlineStr\"><is><t>合计</t></is></c><c r=\"D3\" t=\"inlineStr\"><is><t>基本支出</t></is></c></row>"
        "<row r=\"4\"><c r=\"B4\" t=\"inlineStr\"><is><t>合计</t></is></c><c r=\"C4\"><v>1.5E-2</v></c><c r=\"D4\"><f>C4*2</f><v>0.03</v></c></row>"
        "</sheetData></worksheet>", NULL);
    ck_assert_int_eq(read_one(p, "026", 0, &l, &rep, NULL), 0);
    ck_assert_int_eq(testkit_fen(&l, "026", TABLE_EXPENSE, "total", COL_TOTAL), 15000);
    ck_assert_int_eq(testkit_fen(&l, "026", TABLE_EXPENSE, "total", COL_BASIC), 30000);
    submission_list_free(&l);
    recognise_report_free(&rep);
}
END_TEST

/* A published PDF through import_read_file: the pages go to the recogniser (宿州: its 272
 * facts, 表1 continued on page 3 under its repeated header), the report keeps the pages
 * and the narrative (import_narrative); a scanned PDF is refused with the reason. */
START_TEST(pdf_through_import)
{
    submission_list_t l;
    submission_list_init(&l);
    recognise_report_t rep;
    import_format fmt = IMPORT_UNKNOWN;
    int rc = read_one(TESTS_DIR "/fixtures/printed/pdf/suzhou-2024.pdf", "608", 0, &l, &rep, &fmt);
    ck_assert_int_eq(fmt, IMPORT_PDF);
    if (rc != 0 && any_error_has(&rep, "poppler-glib")) {   /* built without poppler */
        recognise_report_free(&rep);
        submission_list_free(&l);
        return;
    }
    ck_assert_msg(rc == 0, "%s", rep.nerrors ? rep.errors[0] : "?");
    ck_assert_uint_eq(l.count, 1);
    ck_assert_str_eq(l.items[0]->entity, "608");
    ck_assert_uint_eq(l.items[0]->year, 2024);
    ck_assert_uint_eq(l.items[0]->count, 274);   /* 272 printed + 2 tables printed empty (markers) */
    /* 表1 财政拨款收支预算总表 runs over pages 2 and 3: 结转下年 stands on page 3 */
    ck_assert_int_eq(testkit_fen(&l, "608", TABLE_FISCAL, "expense_total", COL_TOTAL), 1773190000LL);
    ck_assert_uint_ge(rep.ngrids, 12);
    ck_assert_str_eq(rep.grids[0]->name, "第1页");
    const char *narr = import_narrative(&rep);
    ck_assert_ptr_nonnull(narr);
    ck_assert_ptr_nonnull(strstr(narr, "宿州市医疗保障部门2024年收入预算总表\n"));
    ck_assert_ptr_nonnull(strstr(narr, "单位：万元\n"));
    recognise_report_free(&rep);
    ck_assert_ptr_null(import_narrative(&rep));
    submission_list_free(&l);
    submission_list_init(&l);
    rc = read_one(TESTS_DIR "/fixtures/printed/pdf/hostile/scanned.pdf", "608", 2024, &l, &rep, &fmt);
    ck_assert_int_eq(rc, -1);
    ck_assert(any_error_has(&rep, "no text layer; scanned documents are not supported"));
    ck_assert(any_error_has(&rep, "scanned.pdf"));
    ck_assert_uint_eq(l.count, 0);
    recognise_report_free(&rep);
    submission_list_free(&l);
}
END_TEST

START_TEST(hostile_files)
{
    submission_list_t l;
    submission_list_init(&l);
    recognise_report_t rep;
    /* zip bomb: 4 MB of blanks compress to a few KB */
    size_t big = 4u << 20;
    char *blank = malloc(big + 64);
    memset(blank, ' ', big);
    memcpy(blank, "<Types>", 7);
    strcpy(blank + big, "</Types>");
    const char *bomb[] = { "[Content_Types].xml", blank, NULL };
    write_zip(path_in("bomb.xlsx"), bomb);
    free(blank);
    ck_assert_int_eq(read_one(path_in("bomb.xlsx"), "026", 2024, &l, &rep, NULL), -1);
    ck_assert(any_error_has(&rep, "zip 炸弹"));
    recognise_report_free(&rep);
    /* billion laughs */
    const char *laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>"
        "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>";
    write_book(path_in("laughs.xlsx"), laughs, NULL);
    ck_assert_int_eq(read_one(path_in("laughs.xlsx"), "026", 2024, &l, &rep, NULL), -1);
    ck_assert(any_error_has(&rep, "DOCTYPE"));
    recognise_report_free(&rep);
    /* an external entity (XXE): the DOCTYPE is refused before the file could be named */
    write_book(path_in("xxe.xlsx"), "<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
               "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&x;</t></is></c></row></sheetData></worksheet>", NULL);
    ck_assert_int_eq(read_one(path_in("xxe.xlsx"), "026", 2024, &l, &rep, NULL), -1);
    ck_assert(any_error_has(&rep, "DOCTYPE"));
    ck_assert(!any_error_has(&rep, "root:"));
    recognise_report_free(&rep);
    /* an entity never declared (no DTD): not well-formed, named with its part and line */
    write_book(path_in("undeclared.xlsx"), "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&lol;</t></is></c></row></sheetData></worksheet>", NULL);
    ck_assert_int_eq(read_one(path_in("undeclared.xlsx"), "026", 2024, &l, &rep, NULL), -1);
    ck_assert(any_error_has(&rep, "xl/worksheets/sheet1.xml：XML 格式错误（第 1 行"));
    recognise_report_free(&rep);
    /* a sheet cut short, read after the parts before it with the same parser */
    write_book(path_in("cut.xlsx"), "<worksheet>\n<sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c>", NULL);
    ck_assert_int_eq(read_one(path_in("cut.xlsx"), "026", 2024, &l, &rep, NULL), -1);
    ck_assert(any_error_has(&rep, "XML 格式错误（第 2 行"));
    recognise_report_free(&rep);
    /* shared-string index out of range */
    write_book(path_in("sst.xlsx"), "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>7</v></c></row></sheetData></worksheet>",
               "<sst><si><t>只有一个</t></si></sst>");
    ck_assert_int_eq(read_one(path_in("sst.xlsx"), "026", 2024, &l, &rep, NULL), -1);
    ck_assert(any_error_has(&rep, "共享字符串序号 7 超出范围"));
    recognise_report_free(&rep);
    /* a row beyond Excel's 1,048,576 */
    write_book(path_in("rows.xlsx"), "<worksheet><sheetData><row r=\"1048577\"><c r=\"A1048577\"><v>1</v></c></row></sheetData></worksheet>", NULL);
    ck_assert_int_eq(read_one(path_in("rows.xlsx"), "026", 2024, &l, &rep, NULL), -1);
    ck_assert(any_error_has(&rep, "超出范围"));
    recognise_report_free(&rep);
    /* the last row Excel has costs one cell, not a million rows */
    write_book(path_in("last.xlsx"), "<worksheet><sheetData><row r=\"1048576\"><c r=\"A1048576\" t=\"inlineStr\"><is><t>x</t></is></c></row></sheetData></worksheet>", NULL);
    ck_assert_int_eq(read_one(path_in("last.xlsx"), "026", 2024, &l, &rep, NULL), -1);
    ck_assert(any_error_has(&rep, "没有找到可识别的预算表"));
    recognise_report_free(&rep);
    /* a renamed zip of something else */
    const char *other[] = { "readme.txt", "hello", NULL };
    write_zip(path_in("renamed.xlsx"), other);
    ck_assert_int_eq(read_one(path_in("renamed.xlsx"), "026", 2024, &l, &rep, NULL), -1);
    ck_assert(any_error_has(&rep, "没有 Excel 工作簿"));
    recognise_report_free(&rep);
    /* a PDF by its content, whatever its name: read by import/pdf/ (damaged here) */
    write_file(path_in("a.xlsx"), "%PDF-1.7\n", 9);
    import_format fmt;
    ck_assert_int_eq(read_one(path_in("a.xlsx"), "026", 2024, &l, &rep, &fmt), -1);
    ck_assert_int_eq(fmt, IMPORT_PDF);
    ck_assert(any_error_has(&rep, "a.xlsx") && (any_error_has(&rep, "损坏") || any_error_has(&rep, "poppler")));
    recognise_report_free(&rep);
    /* an OLE2 file that is no workbook */
    write_file(path_in("b.xls"), "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1garbage", 15);
    ck_assert_int_eq(read_one(path_in("b.xls"), "026", 2024, &l, &rep, &fmt), -1);
    ck_assert_int_eq(fmt, IMPORT_XLS);
    recognise_report_free(&rep);
    ck_assert_uint_eq(l.count, 0);
    submission_list_free(&l);
}
END_TEST

/* One TSV cell as a CSV field: lines end in CRLF, as Excel writes them. */
static void s_csv_cell(void *ctx, uint32_t row, uint32_t col, const char *text)
{
    FILE *m = ctx;
    if (col) fputc(',', m);
    else if (row) fputs("\r\n", m);
    csv_write_field(m, text);
}

/* The 东西湖 transcription as a printed-sheet CSV, UTF-8 and GB18030: its v1 facts. */
static void tsv_to_csv(const char *out, bool gb)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    testkit_tsv(TESTS_DIR "/data/printed/dongxihu-2024.tsv", s_csv_cell, m);
    fputs("\r\n", m);
    fclose(m);
    if (gb) {
        iconv_t cd = iconv_open("GB18030", "UTF-8");
        size_t cap = len * 2, left = cap, inleft = len;
        char *o = malloc(cap), *op = o, *ip = buf;
        ck_assert_int_ne((int)iconv(cd, &ip, &inleft, &op, &left), -1);
        iconv_close(cd);
        write_file(out, o, cap - left);
        free(o);
    } else {
        write_file(out, buf, len);
    }
    free(buf);
}

START_TEST(printed_csv_dongxihu_utf8_and_gb18030)
{
    hierarchy_t h;
    char err[256];
    ck_assert_int_eq(hierarchy_load(&h, EXAMPLES_DIR "/entities.csv", err, sizeof err), 0);
    for (int gb = 0; gb < 2; gb++) {
        const char *p = path_in(gb ? "东西湖-gb.csv" : "东西湖.csv");
        tsv_to_csv(p, gb);
        submission_list_t l;
        submission_list_init(&l);
        recognise_report_t rep;
        import_opts_t o = { .year = 2024, .hierarchy = &h, .enc = CSV_ENCODING_AUTO };
        recognise_report_init(&rep);
        import_format fmt;
        int rc = import_read_file(p, &o, &l, &rep, &fmt);
        if (rc) recognise_report_print_text(&rep, stderr);
        ck_assert_int_eq(rc, 0);
        ck_assert_int_eq(fmt, IMPORT_PRINTED_CSV);
        ck_assert_uint_eq(nfacts(&l), 452);   /* 451 printed figures + the empty 政府性基金 table (FORMAT.md) */
        ck_assert_int_eq(testkit_fen(&l, "026001", TABLE_PROJECTS, "P10", COL_UNIT_FUNDS), 300000000);
        submission_list_free(&l);
        recognise_report_free(&rep);
    }
    hierarchy_free(&h);
}
END_TEST

/* A v1 CSV is told apart by content; two printed files of one entity/year are one
 * submission; the same printed file twice is an error. */
START_TEST(v1_by_content_and_files_merge)
{
    submission_list_t l;
    submission_list_init(&l);
    recognise_report_t rep;
    import_format fmt;
    ck_assert_int_eq(read_one(EXAMPLES_DIR "/dongxihu-2024.csv", NULL, 0, &l, &rep, &fmt), 0);
    ck_assert_int_eq(fmt, IMPORT_V1_CSV);
    ck_assert_uint_eq(nfacts(&l), 452);   /* 451 printed figures + the empty 政府性基金 table (FORMAT.md) */
    recognise_report_free(&rep);
    submission_list_free(&l);
    /* the same with the Chinese header, saved as GB18030 */
    const char *v1 = "单位代码,年度,表,行,名称,列,金额\r\n026,2024,summary,gpb,一般公共预算拨款收入,amount,2361.22\r\n";
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    char gb[512], *ip = (char *)v1, *op = gb;
    size_t inleft = strlen(v1), outleft = sizeof gb;
    ck_assert_int_ne((int)iconv(cd, &ip, &inleft, &op, &outleft), -1);
    iconv_close(cd);
    write_file(path_in("v1-gb.csv"), gb, sizeof gb - outleft);
    submission_list_init(&l);
    ck_assert_int_eq(read_one(path_in("v1-gb.csv"), NULL, 0, &l, &rep, &fmt), 0);
    ck_assert_int_eq(fmt, IMPORT_V1_CSV);
    ck_assert_int_eq(testkit_fen(&l, "026", TABLE_SUMMARY, "gpb", COL_AMOUNT), 2361220000);
    recognise_report_free(&rep);
    submission_list_free(&l);

    const char *a = "2024年部门支出总表\n单位：万元\n科目编码,科目名称,合计\n,合计,5.00\n";
    const char *b = "2024年一般公共预算支出表\n单位：万元\n科目编码,科目名称,合计\n,合计,\"1,234.50\"\n";
    write_file(path_in("a.csv"), a, strlen(a));
    write_file(path_in("b.csv"), b, strlen(b));
    submission_list_init(&l);
    ck_assert_int_eq(read_one(path_in("a.csv"), "026", 0, &l, &rep, NULL), 0);
    recognise_report_free(&rep);
    ck_assert_int_eq(read_one(path_in("b.csv"), "026", 0, &l, &rep, NULL), 0);
    recognise_report_free(&rep);
    ck_assert_uint_eq(l.count, 1);
    ck_assert_uint_eq(l.items[0]->count, 2);
    ck_assert_int_eq(testkit_fen(&l, "026", TABLE_GPB_FUNC, "total", COL_TOTAL), 1234500000);
    ck_assert_int_eq(read_one(path_in("a.csv"), "026", 0, &l, &rep, NULL), -1);
    ck_assert(any_error_has(&rep, "同一事实不能给两次"));
    recognise_report_free(&rep);
    ck_assert_uint_eq(l.items[0]->count, 2);
    submission_list_free(&l);
}
END_TEST

/* The facts of a list as one sorted text, for set comparison. */
static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static char *fact_text(const submission_list_t *l)
{
    size_t n = nfacts(l), k = 0;
    char **v = calloc(n + 1, sizeof *v);
    for (size_t i = 0; i < l->count; i++)
        for (size_t j = 0; j < l->items[i]->count; j++) {
            const fact_t *f = &l->items[i]->facts[j];
            char b[200];
            snprintf(b, sizeof b, "%s|%u|%s|%s|%s|%lld\n", l->items[i]->entity, l->items[i]->year,
                     table_name(f->table), f->row, column_name(f->column), (long long)f->fen);
            v[k++] = strdup(b);
        }
    qsort(v, k, sizeof *v, cmpstr);
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    for (size_t i = 0; i < k; i++) { fputs(v[i], m); free(v[i]); }
    fclose(m);
    free(v);
    return out;
}

/* tests/data/printed/dongxihu-2024.xls: the 东西湖 transcription saved as BIFF8 by
 * LibreOffice (soffice --headless --infilter="CSV:44,34,76,1,1/2" --convert-to xls; column
 * A as text so codes keep their zeros, amounts as numbers). Its facts are the v1 CSV's. */
START_TEST(xls_dongxihu_equals_v1)
{
    hierarchy_t h;
    char err[256];
    ck_assert_int_eq(hierarchy_load(&h, EXAMPLES_DIR "/entities.csv", err, sizeof err), 0);
    submission_list_t got, want;
    submission_list_init(&got);
    submission_list_init(&want);
    recognise_report_t rep;
    recognise_report_init(&rep);
    import_opts_t o = { .year = 2024, .hierarchy = &h };
    import_format fmt;
    int rc = import_read_file(TESTS_DIR "/data/printed/dongxihu-2024.xls", &o, &got, &rep, &fmt);
    if (rc) recognise_report_print_text(&rep, stderr);
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(fmt, IMPORT_XLS);
    ck_assert_int_eq(csv_read_file(EXAMPLES_DIR "/dongxihu-2024.csv", CSV_ENCODING_UTF8, &want, err, sizeof err), 0);
    char *a = fact_text(&got), *b = fact_text(&want);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    submission_list_free(&got);
    submission_list_free(&want);
    recognise_report_free(&rep);
    hierarchy_free(&h);
}
END_TEST

/* The xlsx reader's shortcut for a cell written with a double's 17 digits (664.4299999999999x)
 * gives exactly what the search of grid_number_text gives, carries (…9999 -> 1…) and the
 * bounds included. */
START_TEST(number_text_decimal_equals_search)
{
    static const char *const EDGE[] = { "664.42999999999995", "-664.42999999999995",
                                        "0.99999999999999999", "9999999999999999.9",
                                        "0.10000000000000001", "99999999999999999999",
                                        "0.000000000000000000000000000000000012345678901234567" };
    char t[64], a[64], b[64];
    size_t n = 0;
    for (size_t i = 0; i < sizeof EDGE / sizeof EDGE[0]; i++) {
        int ra = grid_number_text_decimal(EDGE[i], a), rb = grid_number_text(strtod(EDGE[i], NULL), b);
        ck_assert_int_eq(ra, rb);
        if (ra == 0) ck_assert_str_eq(a, b);
    }
    for (long cents = -300000; cents <= 300000; cents += 7) {      /* amounts as Excel stores them */
        for (int scale = 0; scale < 3; scale++) {
            double v = (double)cents / (scale == 0 ? 100.0 : scale == 1 ? 10000.0 : 3.0);
            snprintf(t, sizeof t, "%.17g", v);
            if (strchr(t, 'e')) continue;
            int ra = grid_number_text_decimal(t, a), rb = grid_number_text(strtod(t, NULL), b);
            ck_assert_int_eq(ra, rb);
            if (ra == 0) ck_assert_msg(strcmp(a, b) == 0, "%s: %s vs %s", t, a, b);
            n++;
        }
    }
    ck_assert_uint_gt(n, 200000);
}
END_TEST


/* ---- import_read_files: read-ahead threads give what one-by-one reading gives ---- */

/* What import_read_files told of each file, in the order it told it. */
typedef struct {
    char *log;
    size_t len;
    FILE *f;
} calls_t;

static void record_call(size_t i, int rc, import_format fmt, recognise_report_t *rep, void *ud)
{
    calls_t *c = ud;
    fprintf(c->f, "#%zu rc=%d %s entity=%s year=%u tables=%zu\n", i, rc, import_format_name(fmt),
            rep->entity, rep->year, rep->ntables);
    for (size_t k = 0; k < rep->nerrors && k < RECOGNISE_ERRORS_MAX; k++) fprintf(c->f, "  %s\n", rep->errors[k]);
}

/* Every real kind of file at once, in an order where later files repeat earlier ones: the
 * 东西湖 .xlsm after its .xlsx (every fact already given: an error naming the first file),
 * the 宿州 .xls after its v1 CSV, hostile workbooks between good ones, a missing file. */
static char *read_all(unsigned threads, const hierarchy_t *h, size_t *failed, char **facts)
{
    static const char *const FILES[] = {
        TESTS_DIR "/fixtures/printed/dongxihu-2024.xlsx", TESTS_DIR "/fixtures/printed/hostile/billion-laughs.xlsx",
        TESTS_DIR "/fixtures/printed/dazhou-2023.xlsx", TESTS_DIR "/fixtures/printed/dongxihu-2024.xlsm",
        TESTS_DIR "/fixtures/printed/hostile/zip-bomb-ratio.xlsx", EXAMPLES_DIR "/suzhou-2024.csv",
        TESTS_DIR "/fixtures/printed/ningde-2024.xlsx", TESTS_DIR "/fixtures/printed/hostile/renamed-zip.xlsx",
        TESTS_DIR "/fixtures/printed/suzhou-2024.xls", TESTS_DIR "/fixtures/printed/no-such-file.xlsx",
        TESTS_DIR "/fixtures/printed/hostile/text-and-date-in-amount.xlsx", TESTS_DIR "/fixtures/printed/all-on-one-sheet.xlsx",
    };
    enum { N = sizeof FILES / sizeof FILES[0] };
    char *paths[N];
    for (size_t i = 0; i < N; i++) paths[i] = (char *)FILES[i];
    recognise_names_t *names = recognise_names_new(h);
    import_opts_t o = { .hierarchy = h, .names = names, .enc = CSV_ENCODING_AUTO };
    submission_list_t l;
    submission_list_init(&l);
    calls_t c = { 0 };
    c.f = open_memstream(&c.log, &c.len);
    *failed = import_read_files(paths, N, &o, threads, &l, record_call, &c);
    fclose(c.f);
    *facts = fact_text(&l);
    submission_list_free(&l);
    recognise_names_destroy(&names);
    return c.log;
}

START_TEST(read_ahead_equals_one_by_one)
{
    hierarchy_t h;
    char err[256];
    ck_assert_int_eq(hierarchy_load(&h, EXAMPLES_DIR "/entities.csv", err, sizeof err), 0);
    size_t failed1, failedn;
    char *facts1, *factsn;
    char *log1 = read_all(1, &h, &failed1, &facts1);
    /* 4 hostile files, the missing one, and three that repeat figures of earlier files
     * (the .xlsm and the one-sheet workbook repeat 东西湖's .xlsx, the .xls 宿州's CSV) */
    ck_assert_uint_eq(failed1, 8);
    ck_assert_ptr_nonnull(strstr(log1, "#3 rc=-1 xlsx"));
    ck_assert_ptr_nonnull(strstr(log1, "同一事实不能给两次"));
    ck_assert_ptr_nonnull(strstr(log1, "#9 rc=-1 unknown"));
    ck_assert_ptr_nonnull(strstr(log1, "#0 rc=0 xlsx entity=026 year=2024"));
    for (unsigned threads = 2; threads <= 8; threads *= 2)
        for (int round = 0; round < 3; round++) {      /* the workers finish in any order */
            char *logn = read_all(threads, &h, &failedn, &factsn);
            ck_assert_uint_eq(failedn, failed1);
            ck_assert_str_eq(logn, log1);
            ck_assert_str_eq(factsn, facts1);
            free(logn);
            free(factsn);
        }
    free(log1);
    free(facts1);
    hierarchy_free(&h);
}
END_TEST

TESTKIT_MAIN("import", setup, teardown, 60,
             xlsx_written_by_libxlsxwriter, xlsx_raw_parts, hostile_files, pdf_through_import,
             printed_csv_dongxihu_utf8_and_gb18030, v1_by_content_and_files_merge,
             xls_dongxihu_equals_v1, number_text_decimal_equals_search, read_ahead_equals_one_by_one)
