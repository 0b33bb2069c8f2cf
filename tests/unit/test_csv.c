/* test_csv.c -- the v1 CSV reader: the four seed files, every refusal with its exact
 * message and line, all-or-nothing, encodings (GB18030 via iconv), headers, quoting. */
#include <check.h>
#include "testkit.h"
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"

#define H "entity,year,table,row,name,column,amount\n"
#define GBK_HINT "不是有效的 UTF-8；文件若由中文 Excel 保存，请加 --encoding gb18030"

static char tmpdir[64];

static void make_tmpdir(void)
{
    testkit_tmpdir(tmpdir, sizeof tmpdir, "csv");
}

static void remove_tmpdir(void)
{
    ck_assert_int_eq(testkit_rmtree(tmpdir), 0);
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

static size_t facts_for(const submission_list_t *l, const char *entity, uint32_t year)
{
    for (size_t i = 0; i < l->count; i++)
        if (!strcmp(l->items[i]->entity, entity) && l->items[i]->year == year)
            return l->items[i]->count;
    return (size_t)-1;
}

static const submission_t *sub_for(const submission_list_t *l, const char *entity)
{
    for (size_t i = 0; i < l->count; i++)
        if (!strcmp(l->items[i]->entity, entity)) return l->items[i];
    return NULL;
}

/* Reads text that must be refused; asserts the exact message and that the list, which
 * already holds one submission, is unchanged. */
static void expect_error(const char *text, size_t len, const char *message)
{
    submission_list_t list;
    submission_list_init(&list);
    char err[512] = "";
    ck_assert_int_eq(csv_read_buffer("first.csv", H "e1,2024,summary,gpb,x,amount,1\n",
                                     strlen(H) + 31, CSV_ENCODING_UTF8, &list, err, sizeof err), 0);
    ck_assert_uint_eq(list.count, 1);
    submission_t *before = list.items[0];
    int rc = csv_read_buffer("t.csv", text, len ? len : strlen(text), CSV_ENCODING_UTF8, &list,
                             err, sizeof err);
    ck_assert_int_eq(rc, -1);
    ck_assert_str_eq(err, message);
    ck_assert_uint_eq(list.count, 1);
    ck_assert_ptr_eq(list.items[0], before);
    ck_assert_uint_eq(before->count, 1);
    submission_list_free(&list);
}

START_TEST(seed_files_load)
{
    static const struct { const char *file, *entity; uint32_t year; size_t facts; } seeds[] = {
        { "dazhou-2023.csv", "335", 2023, 125 },   { "dazhou-2023.csv", "335001", 2023, 107 },
        { "dongxihu-2024.csv", "026", 2024, 335 }, { "dongxihu-2024.csv", "026001", 2024, 117 },
        { "ningde-2024.csv", "nd-ybj", 2024, 447 }, { "suzhou-2024.csv", "608", 2024, 274 },
    };
    static const struct { const char *file; size_t subs; } files[] = {
        { "dazhou-2023.csv", 2 }, { "dongxihu-2024.csv", 2 }, { "ningde-2024.csv", 1 },
        { "suzhou-2024.csv", 1 },
    };
    for (size_t f = 0; f < 4; f++) {
        submission_list_t list;
        submission_list_init(&list);
        char path[512], err[512] = "";
        snprintf(path, sizeof path, "%s/%s", EXAMPLES_DIR, files[f].file);
        ck_assert_msg(csv_read_file(path, CSV_ENCODING_UTF8, &list, err, sizeof err) == 0,
                      "%s", err);
        ck_assert_uint_eq(list.count, files[f].subs);
        for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
            if (!strcmp(seeds[i].file, files[f].file))
                ck_assert_uint_eq(facts_for(&list, seeds[i].entity, seeds[i].year), seeds[i].facts);
        for (size_t i = 0; i < list.count; i++) {
            submission_t *s = list.items[i];
            ck_assert_str_eq(s->source, files[f].file);
            ck_assert_uint_eq(strlen(s->id), 32);
            ck_assert(s->created_ms > 1700000000000ULL);
            ck_assert_msg(submission_validate(s, err, sizeof err) == 0, "%s", err);
        }
        if (list.count == 2) ck_assert_str_ne(list.items[0]->id, list.items[1]->id);
        submission_list_free(&list);
    }
}
END_TEST

START_TEST(seed_values_and_lines)
{
    submission_list_t list;
    submission_list_init(&list);
    char err[512];
    ck_assert_int_eq(csv_read_file(EXAMPLES_DIR "/suzhou-2024.csv", CSV_ENCODING_AUTO, &list,
                                   err, sizeof err), 0);
    const submission_t *s = sub_for(&list, "608");
    ck_assert_ptr_nonnull(s);
    /* line 3: 608,2024,fiscal,cur_gpb,本年收入-一般公共预算拨款,total,"1,512.56" */
    const fact_t *f = submission_find(s, TABLE_FISCAL, "cur_gpb", COL_TOTAL);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->fen, 1512560000LL);
    ck_assert_uint_eq(f->line, 3);
    ck_assert_str_eq(f->name, "本年收入-一般公共预算拨款");
    submission_list_free(&list);

    submission_list_init(&list);
    ck_assert_int_eq(csv_read_file(EXAMPLES_DIR "/dongxihu-2024.csv", CSV_ENCODING_UTF8, &list,
                                   err, sizeof err), 0);
    s = sub_for(&list, "026");
    f = submission_find(s, TABLE_SUMMARY, "gpb", COL_AMOUNT);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->fen, 2361220000LL);
    ck_assert_uint_eq(f->line, 2);
    f = submission_find(s, TABLE_SUMMARY, "soe", COL_AMOUNT);
    ck_assert_int_eq(f->fen, 650000000LL);
    submission_list_free(&list);
}
END_TEST

START_TEST(error_messages)
{
    expect_error(H "026,2024,expenses,total,合计,total,1.00\n",
                 0, "t.csv:2: 列“表”（table）：未知表“expenses”（表名见 examples/FORMAT.md，如 income、expense）");
    expect_error(H "026,2024,expense,total,合计,total,1.00\n026,2024,expense,total,合计,amount,1.00\n",
                 0, "t.csv:3: 列“列”（column）：表“部门支出总表”（expense）没有列“amount”");
    expect_error(H "026,2024,expense,total,合计,totl,1.00\n",
                 0, "t.csv:2: 列“列”（column）：未知列“totl”");
    expect_error(H "026,24,expense,total,合计,total,1.00\n",
                 0, "t.csv:2: 列“年度”（year）：“24”不是四位年份");
    expect_error(H "026,2024x,expense,total,合计,total,1.00\n",
                 0, "t.csv:2: 列“年度”（year）：“2024x”不是四位年份");
    expect_error(H ",2024,expense,total,合计,total,1.00\n",
                 0, "t.csv:2: 列“单位代码”（entity）：为空");
    expect_error(H "026,2024,expense,,合计,total,1.00\n",
                 0, "t.csv:2: 列“行”（row）：为空");
    expect_error(H "026,2024,expense,total,合计,total,1.00\n026,2024,expense,208,x,total,1.1234567\n",
                 0, "t.csv:3: 列“金额”（amount）：“1.1234567”：小数超过6位（万元的第7位小数不足一分）");
    expect_error(H "026,2024,expense,total,合计,total,\"17,73\"\n",
                 0, "t.csv:2: 列“金额”（amount）：“17,73”：千位分隔符位置不对（应每三位一个，如\"1,773.19\"）");
    expect_error(H "026,2024,expense,total,合计,total,abc\n",
                 0, "t.csv:2: 列“金额”（amount）：“abc”：不是十进制数字（只可含半角数字、小数点、负号和引号内的千位分隔符）");
    static const char nul[] = H "026,2024,expense,total,合计,total,1\n026,2024,expense,2\0,x,total,1\n";
    expect_error(nul, sizeof nul - 1, "t.csv:3: 文件中有 NUL 字节（NUL byte in the file）");
    expect_error(H "026,2024,expense,total,合计,total,\"1,773.19\n026,2024,expense,208,x,total,1\n",
                 0, "t.csv:2: 引号未闭合（unterminated quoted field）");
    expect_error(H "026,2024,expense,total,合计,total,\"1\"x\n",
                 0, "t.csv:2: 右引号后还有文字（unexpected text after a closing quote）");
    expect_error(H "026,2024,expense,total,total,1.00\n",
                 0, "t.csv:2: 应有 7 个字段，实有 6 个（金额含逗号时请加英文引号）");
    expect_error(H "026,2024,expense,total,合计,total,1.00,\n",
                 0, "t.csv:2: 应有 7 个字段，实有 8 个（金额含逗号时请加英文引号）");
    expect_error("026,2024,expense,total,合计,total,1.00\n", 0,
                 "t.csv:1: 缺少表头（应为 单位代码,年度,表,行,名称,列,金额 或 "
                 "entity,year,table,row,name,column,amount）");
    expect_error("", 0, "t.csv:1: 缺少表头（文件为空）");
    expect_error(H, 0, "t.csv: 没有数据（只有表头）");
    expect_error("entity,year,table,row,name,column\n026,2024,expense,total,合计,total\n",
                 0, "t.csv:1: 表头：缺少列“金额”（amount）");
    expect_error("entity,year,table,row,name,column,amount,note\n", 0,
                 "t.csv:1: 表头：未知列“note”（可用：单位代码,年度,表,行,名称,列,金额）");
    expect_error(H "026,2024,expense,total,合计,total,1.00\n"
                   "026,2024,expense,208,x,total,1.00\n"
                   "026,2024,expense,total,合计,total,2.00\n",
                 0, "t.csv:4: 与第 2 行重复（026/2024 expense/total/total）");
    /* every error of the file, in line order: a duplicate and a later row error */
    expect_error(H "026,2024,expense,208,x,total,1.00\n"
                   "026,2024,expense,208,x,total,1.00\n"
                   "026,2024,expense,210,x,total,oops\n",
                 0, "t.csv:3: 与第 2 行重复（026/2024 expense/208/total）\n"
                    "t.csv:4: 列“金额”（amount）：“oops”：不是十进制数字（只可含半角数字、小数点、负号和引号内的千位分隔符）");
    expect_error(H "026,2024,expense,total,\xBA\xCF\xBC\xC6,total,1.00\n",
                 0, "t.csv:2: 列“名称”（name）：" GBK_HINT);
    expect_error("entity,year,table,row,\xC3\xFB,column,amount\n", 0, "t.csv:1: " GBK_HINT);
    /* a quoted field spanning lines: the error is reported at the record's first line */
    expect_error(H "026,2024,projects,P01,\"two\nlines\",total,1.00\n"
                   "026,2024,projects,P02,\"x\",total,1.0000001\n",
                 0, "t.csv:4: 列“金额”（amount）：“1.0000001”：小数超过6位（万元的第7位小数不足一分）");
}
END_TEST

START_TEST(accepts_variants)
{
    /* BOM, CRLF, Chinese header in a different order, quoting, blank and empty lines,
     * empty amount cells skipped. */
    const char *text =
        "\xEF\xBB\xBF" "金额,单位代码,年度,表,行,名称,列\r\n"
        "\"1,773.19\",026,2024,expense,total,\"合计 \"\"全部\"\"\",total\r\n"
        "\r\n"
        ",026,2024,expense,total,合计,basic\r\n"
        ",,,,,,\r\n"
        "-0.5,026,2024,expense,208,\"社会保障,就业\",total\r\n"
        "22,026001,2024,summary,gpb,,amount";
    /* unnamed trailing header cells (Excel) are ignored */
    const char *excel = "entity,year,table,row,name,column,amount,,\n"
                        "026,2024,expense,total,合计,total,1.00,,\n";
    submission_list_t list;
    submission_list_init(&list);
    char err[512] = "";
    ck_assert_msg(csv_read_buffer("dir/v.csv", text, strlen(text), CSV_ENCODING_UTF8, &list, err,
                                  sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(list.count, 2);
    const submission_t *s = sub_for(&list, "026");
    ck_assert_uint_eq(s->count, 2);
    ck_assert_str_eq(s->source, "v.csv");
    const fact_t *f = submission_find(s, TABLE_EXPENSE, "total", COL_TOTAL);
    ck_assert_int_eq(f->fen, 1773190000LL);
    ck_assert_str_eq(f->name, "合计 \"全部\"");
    ck_assert_uint_eq(f->line, 2);
    ck_assert_ptr_null(submission_find(s, TABLE_EXPENSE, "total", COL_BASIC));
    f = submission_find(s, TABLE_EXPENSE, "208", COL_TOTAL);
    ck_assert_int_eq(f->fen, -500000);
    ck_assert_str_eq(f->name, "社会保障,就业");
    ck_assert_uint_eq(f->line, 6);
    s = sub_for(&list, "026001");
    ck_assert_uint_eq(s->count, 1);
    ck_assert_int_eq(s->facts[0].fen, 22000000);
    ck_assert_uint_eq(s->facts[0].line, 7);
    submission_list_free(&list);
    ck_assert_msg(csv_read_buffer("x.csv", excel, strlen(excel), CSV_ENCODING_UTF8, &list, err,
                                  sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(list.items[0]->count, 1);
    ck_assert_int_eq(list.items[0]->facts[0].fen, 1000000);
    submission_list_free(&list);
}
END_TEST

/* Converts UTF-8 text to GB18030 with iconv, as Chinese Excel would have saved it. */
static size_t to_gb18030(const char *in, char *out, size_t outcap)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    ck_assert(cd != (iconv_t)-1);
    char *ip = (char *)in, *op = out;
    size_t il = strlen(in), ol = outcap;
    ck_assert(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
    iconv_close(cd);
    return outcap - ol;
}

START_TEST(gb18030_files)
{
    make_tmpdir();
    const char *utf8 = H "026,2024,expense,total,合计,total,1.00\n"
                         "026,2024,expense,2101501,行政运行,total,\"1,000.5\"\n";
    char gb[512];
    size_t n = to_gb18030(utf8, gb, sizeof gb);
    ck_assert_uint_lt(n, strlen(utf8));   /* really converted: 2 bytes per hanzi */
    char path[128], err[512], want[512];
    snprintf(path, sizeof path, "%s/excel.csv", tmpdir);
    write_file(path, gb, n);

    submission_list_t list;
    submission_list_init(&list);
    ck_assert_int_eq(csv_read_file(path, CSV_ENCODING_UTF8, &list, err, sizeof err), -1);
    /* every line with GB18030 bytes is reported, the first one first */
    snprintf(want, sizeof want, "%s:2: 列“名称”（name）：" GBK_HINT "\n", path);
    ck_assert_msg(strncmp(err, want, strlen(want)) == 0, "%s", err);
    snprintf(want, sizeof want, "%s:3: 列“名称”（name）：" GBK_HINT, path);
    ck_assert_msg(strstr(err, want) != NULL, "%s", err);
    ck_assert_uint_eq(list.count, 0);

    const csv_encoding encs[] = { CSV_ENCODING_GB18030, CSV_ENCODING_AUTO };
    for (int i = 0; i < 2; i++) {
        ck_assert_msg(csv_read_file(path, encs[i], &list, err, sizeof err) == 0, "%s", err);
        ck_assert_uint_eq(list.count, (size_t)i + 1);
        const submission_t *s = list.items[i];
        ck_assert_uint_eq(s->count, 2);
        ck_assert_str_eq(submission_find(s, TABLE_EXPENSE, "total", COL_TOTAL)->name, "合计");
        const fact_t *f = submission_find(s, TABLE_EXPENSE, "2101501", COL_TOTAL);
        ck_assert_str_eq(f->name, "行政运行");
        ck_assert_int_eq(f->fen, 1000500000LL);
        ck_assert_uint_eq(f->line, 3);
    }
    submission_list_free(&list);

    /* Chinese header in GB18030, read with AUTO */
    n = to_gb18030("单位代码,年度,表,行,名称,列,金额\n026,2024,summary,gpb,一般公共预算拨款收入,amount,5\n",
                   gb, sizeof gb);
    ck_assert_int_eq(csv_read_buffer("zh.csv", gb, n, CSV_ENCODING_AUTO, &list, err, sizeof err), 0);
    ck_assert_str_eq(list.items[0]->facts[0].name, "一般公共预算拨款收入");
    submission_list_free(&list);

    /* bytes that are not GB18030 either: refused with the line */
    static const char bad[] = H "026,2024,expense,total,x,total,1\n026,2024,expense,208,\x81\x20,total,1\n";
    ck_assert_int_eq(csv_read_buffer("bad.csv", bad, sizeof bad - 1, CSV_ENCODING_GB18030, &list,
                                     err, sizeof err), -1);
    ck_assert_msg(!strncmp(err, "bad.csv:3: not valid GB18030", 28), "%s", err);
    ck_assert_uint_eq(list.count, 0);
    remove_tmpdir();
}
END_TEST

START_TEST(missing_file)
{
    submission_list_t list;
    submission_list_init(&list);
    char err[512];
    ck_assert_int_eq(csv_read_file("/nonexistent/x.csv", CSV_ENCODING_UTF8, &list, err, sizeof err), -1);
    ck_assert_str_eq(err, "/nonexistent/x.csv: No such file or directory");
}
END_TEST

START_TEST(encoding_names_and_write_field)
{
    ck_assert_int_eq(csv_encoding_from_name("utf-8"), CSV_ENCODING_UTF8);
    ck_assert_int_eq(csv_encoding_from_name("GBK"), CSV_ENCODING_GB18030);
    ck_assert_int_eq(csv_encoding_from_name("gb18030"), CSV_ENCODING_GB18030);
    ck_assert_int_eq(csv_encoding_from_name("auto"), CSV_ENCODING_AUTO);
    ck_assert_int_eq((int)csv_encoding_from_name("latin1"), -1);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    csv_write_field(f, "plain");
    fputc('|', f);
    csv_write_field(f, "1,773.19");
    fputc('|', f);
    csv_write_field(f, "say \"hi\"");
    fputc('|', f);
    csv_write_field(f, "a\nb");
    fputc('|', f);
    csv_write_field(f, "");
    fclose(f);
    ck_assert_str_eq(buf, "plain|\"1,773.19\"|\"say \"\"hi\"\"\"|\"a\nb\"|");
    free(buf);
}
END_TEST

/* Three bad amounts in one file: all three reported at once, each with its line, the
 * value and a Chinese reason; nothing is read. */
START_TEST(all_errors_at_once)
{
    static const char text[] = H
        "026,2024,three_public,abroad,因公出国(境)费,amount,\xEF\xBC\x99.60\n"   /* ９.60 */
        "026,2024,three_public,vehicle,公务用车,amount,1.00\n"
        "026,2024,three_public,reception,公务接待费,amount,9\xEF\xBC\x8C" "60\n" /* 9，60 */
        "026,2024,three_public,total,合计,amount,9.60\xE4\xB8\x87\n";          /* 9.60万 */
    submission_list_t list;
    submission_list_init(&list);
    csv_errors_t errs;
    csv_errors_init(&errs, 0);
    ck_assert_int_eq(csv_read_buffer_errors("t.csv", text, strlen(text), CSV_ENCODING_UTF8,
                                            &list, &errs), -1);
    ck_assert_uint_eq(list.count, 0);
    ck_assert_uint_eq(errs.count, 3);
    ck_assert_uint_eq(errs.total, 3);
    ck_assert_str_eq(errs.items[0].message,
                     "t.csv:2: 列“金额”（amount）：“９.60”：含全角数字“９”，应为半角数字“9”");
    ck_assert_str_eq(errs.items[1].message,
                     "t.csv:4: 列“金额”（amount）：“9，60”：含全角逗号“，”，"
                     "小数点应为半角“.”；千位分隔符应为半角“,”且整个金额加英文引号");
    ck_assert_str_eq(errs.items[2].message,
                     "t.csv:5: 列“金额”（amount）：“9.60万”：含单位“万”，金额列只写数字（单位为万元）");
    ck_assert_uint_eq(errs.items[2].line, 5);
    csv_errors_free(&errs);
}
END_TEST

/* Brackets, thousands separators outside quotes, and the limit on kept errors. */
START_TEST(amount_reasons_and_limit)
{
    static const char text[] = H
        "026,2024,summary,gpb,x,amount,(9.60)\n"
        "026,2024,summary,soe,x,amount,\xEF\xBC\x88" "9.60\xEF\xBC\x89\n"   /* （9.60） */
        "026,2024,summary,other,x,amount,1,773.19\n"
        "026,2024,summary,fsm,x,amount,9 60\n";
    submission_list_t list;
    submission_list_init(&list);
    csv_errors_t errs;
    csv_errors_init(&errs, 0);
    ck_assert_int_eq(csv_read_buffer_errors("t.csv", text, strlen(text), CSV_ENCODING_UTF8,
                                            &list, &errs), -1);
    ck_assert_uint_eq(errs.count, 4);
    ck_assert_str_eq(errs.items[0].message, "t.csv:2: 列“金额”（amount）：“(9.60)”："
                     "括号表示的负数（会计写法），应写作负号加数字，如“-9.60”");
    ck_assert_ptr_nonnull(strstr(errs.items[1].message, "“（9.60）”：括号表示的负数"));
    ck_assert_str_eq(errs.items[2].message, "t.csv:4: 列“金额”（amount）：“1,773.19”："
                     "千位分隔符在引号外，被读成了 2 列；应写作 \"1,773.19\"（加英文引号）或去掉逗号");
    ck_assert_ptr_nonnull(strstr(errs.items[3].message, "“9 60”：数字中间有空格"));
    csv_errors_free(&errs);

    /* at most max errors are kept; the rest are counted and the joined text says so */
    csv_errors_init(&errs, 2);
    ck_assert_int_eq(csv_read_buffer_errors("t.csv", text, strlen(text), CSV_ENCODING_UTF8,
                                            &list, &errs), -1);
    ck_assert_uint_eq(errs.count, 2);
    ck_assert_uint_eq(errs.total, 4);
    char err[4096];
    csv_errors_join(&errs, err, sizeof err);
    ck_assert_ptr_nonnull(strstr(err, "\n……另有 2 处错误未列出（--max-errors 2）"));
    ck_assert_uint_eq(list.count, 0);
    csv_errors_free(&errs);
}
END_TEST

TESTKIT_MAIN("csv", NULL, NULL, 0,
             all_errors_at_once,
             amount_reasons_and_limit,
             seed_files_load,
             seed_values_and_lines,
             error_messages,
             accepts_variants,
             gb18030_files,
             missing_file,
             encoding_names_and_write_field)
