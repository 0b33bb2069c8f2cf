/* test_hostile.c -- hostile input to the two parsers that read bytes from outside: the CSV
 * reader (what a collector is handed) and the protobuf submission decoder (what an
 * aggregator receives). Complements test_csv.c / test_wire.c with the attacks of issue #4:
 * wrong encodings, NUL bytes, broken quoting, ragged rows, absurd sizes, boundary amounts,
 * too many facts, unknown enum values from a newer peer, truncation and random bytes.
 *
 * Every refusal asserts the exact message (with the line for CSV) and, for CSV, that the
 * caller's submission list is exactly what it was before. The fuzz targets in tests/fuzz
 * explore further; this suite pins down the cases we know, and runs in every ctest.
 */
#include <check.h>
#include "testkit.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "huizong.pb-c.h"
#include "submission.h"
#include "wire.h"

#define H "entity,year,table,row,name,column,amount\n"
#define GBK_HINT "不是有效的 UTF-8；文件若由中文 Excel 保存，请加 --encoding gb18030"
#define MB (1024 * 1024)

/* 宿州 in GB18030 and in UTF-8: the oracle for the conversion, independent of iconv. */
#define SUZHOU_GB "\xcb\xde\xd6\xdd"
#define SUZHOU_UTF8 "\xe5\xae\xbf\xe5\xb7\x9e"

/* ---------------------------------------------------------------- CSV helpers */

/* A list that already holds one submission (608/2024, one fact from line 2). */
static void list_with_one(submission_list_t *list)
{
    static const char first[] = H "608,2024,summary,gpb,拨款,amount,\"1,773.19\"\n";
    char err[512] = "";
    submission_list_init(list);
    ck_assert_msg(csv_read_buffer("first.csv", first, strlen(first), CSV_ENCODING_UTF8, list,
                                  err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(list->count, 1);
}

/* The list is exactly as list_with_one left it: same submission object, same one fact. */
static void assert_list_unchanged(const submission_list_t *list, const submission_t *before)
{
    ck_assert_uint_eq(list->count, 1);
    ck_assert_ptr_eq(list->items[0], before);
    ck_assert_str_eq(before->entity, "608");
    ck_assert_uint_eq(before->year, 2024);
    ck_assert_uint_eq(before->count, 1);
    ck_assert_int_eq(before->facts[0].table, TABLE_SUMMARY);
    ck_assert_str_eq(before->facts[0].row, "gpb");
    ck_assert_int_eq(before->facts[0].fen, 1773190000LL);
    ck_assert_uint_eq(before->facts[0].line, 2);
}

/* Reads len bytes of text (strlen if 0) that must be refused with exactly `message`. */
static void csv_refused(const char *text, size_t len, csv_encoding enc, const char *message)
{
    submission_list_t list;
    list_with_one(&list);
    submission_t *before = list.items[0];
    char err[1024] = "";
    int rc = csv_read_buffer("t.csv", text, len ? len : strlen(text), enc, &list, err, sizeof err);
    ck_assert_int_eq(rc, -1);
    ck_assert_str_eq(err, message);
    assert_list_unchanged(&list, before);
    submission_list_free(&list);
}

/* Reads text that must be accepted into a fresh list. */
static void csv_accepted(const char *text, size_t len, csv_encoding enc, submission_list_t *list)
{
    char err[1024] = "";
    submission_list_init(list);
    int rc = csv_read_buffer("t.csv", text, len ? len : strlen(text), enc, list, err, sizeof err);
    ck_assert_msg(rc == 0, "refused: %s", err);
}

/* A heap string: prefix, then n copies of c, then suffix. */
static char *build(const char *prefix, size_t n, char c, const char *suffix, size_t *len)
{
    size_t p = strlen(prefix), s = strlen(suffix);
    char *buf = malloc(p + n + s + 1);
    ck_assert_ptr_nonnull(buf);
    memcpy(buf, prefix, p);
    memset(buf + p, c, n);
    memcpy(buf + p + n, suffix, s + 1);
    *len = p + n + s;
    return buf;
}

/* ---------------------------------------------------------------- CSV */

START_TEST(csv_gb18030_bytes)
{
    static const char row[] = H "608,2024,summary,gpb," SUZHOU_GB ",amount,1773.19\n";
    /* read as UTF-8: refused, naming the line and the column, with the hint */
    csv_refused(row, 0, CSV_ENCODING_UTF8, "t.csv:2: 列“名称”（name）：" GBK_HINT);
    /* in the entity column the column named is 'entity' */
    csv_refused(H "608,2024,summary,gpb,x,amount,1\n" SUZHOU_GB ",2024,summary,gpb,x,amount,1\n",
                0, CSV_ENCODING_UTF8, "t.csv:3: 列“单位代码”（entity）：" GBK_HINT);
    /* a GB18030 Chinese header: line 1 */
    csv_refused("\xb5\xa5\xce\xbb\xb4\xfa\xc2\xeb,year,table,row,name,column,amount\n"
                "608,2024,summary,gpb,x,amount,1\n", 0, CSV_ENCODING_UTF8, "t.csv:1: " GBK_HINT);

    /* the same bytes as GB18030, explicit or detected: accepted, the name converted */
    const csv_encoding encs[] = { CSV_ENCODING_GB18030, CSV_ENCODING_AUTO };
    for (size_t i = 0; i < 2; i++) {
        submission_list_t list;
        csv_accepted(row, 0, encs[i], &list);
        ck_assert_uint_eq(list.count, 1);
        const submission_t *s = list.items[0];
        ck_assert_str_eq(s->entity, "608");
        ck_assert_uint_eq(s->count, 1);
        ck_assert_str_eq(s->facts[0].name, SUZHOU_UTF8);
        ck_assert_int_eq(s->facts[0].fen, 1773190000LL);
        ck_assert_uint_eq(s->facts[0].line, 2);
        submission_list_free(&list);
    }
    /* 单位代码 header in GB18030 (单 B5A5 位 CEBB 代 B4FA 码 C2EB) is understood too */
    submission_list_t list;
    csv_accepted("\xb5\xa5\xce\xbb\xb4\xfa\xc2\xeb,year,table,row,name,column,amount\n"
                 "608,2024,summary,gpb," SUZHOU_GB ",amount,1\n", 0, CSV_ENCODING_GB18030, &list);
    ck_assert_uint_eq(list.count, 1);
    ck_assert_str_eq(list.items[0]->facts[0].name, SUZHOU_UTF8);
    submission_list_free(&list);
    /* bytes that are not GB18030 either: refused with the line */
    csv_refused(H "608,2024,summary,gpb,x,amount,1\n608,2024,summary,soe,\xff\xff,amount,1\n",
                0, CSV_ENCODING_GB18030, "t.csv:3: not valid GB18030 (byte 95 of the file)");
}
END_TEST

START_TEST(csv_nul_byte)
{
    static const char in_field[] = H "608,2024,summary,gpb,x\0y,amount,1\n";
    csv_refused(in_field, sizeof in_field - 1, CSV_ENCODING_UTF8, "t.csv:2: 文件中有 NUL 字节（NUL byte in the file）");
    static const char in_quotes[] = H "608,2024,summary,gpb,x,amount,1\n"
                                      "608,2024,summary,soe,\"x\0\",amount,1\n";
    csv_refused(in_quotes, sizeof in_quotes - 1, CSV_ENCODING_UTF8, "t.csv:3: 文件中有 NUL 字节（NUL byte in the file）");
    static const char after_quote[] = H "608,2024,summary,gpb,\"x\"\0,amount,1\n";
    csv_refused(after_quote, sizeof after_quote - 1, CSV_ENCODING_UTF8,
                "t.csv:2: 文件中有 NUL 字节（NUL byte in the file）");
    static const char in_header[] = "entity,year\0,table,row,name,column,amount\n"
                                    "608,2024,summary,gpb,x,amount,1\n";
    csv_refused(in_header, sizeof in_header - 1, CSV_ENCODING_UTF8, "t.csv:1: 文件中有 NUL 字节（NUL byte in the file）");
    /* a lone NUL at the very end */
    static const char at_end[] = H "608,2024,summary,gpb,x,amount,1\n\0";
    csv_refused(at_end, sizeof at_end - 1, CSV_ENCODING_UTF8, "t.csv:3: 文件中有 NUL 字节（NUL byte in the file）");
}
END_TEST

START_TEST(csv_unterminated_quote)
{
    /* the quote opens on line 3 and runs to the end of the file */
    csv_refused(H "608,2024,summary,gpb,x,amount,1\n608,2024,summary,soe,\"x,amount,1\n", 0,
                CSV_ENCODING_UTF8, "t.csv:3: 引号未闭合（unterminated quoted field）");
    csv_refused(H "608,2024,summary,gpb,x,amount,\"1", 0, CSV_ENCODING_UTF8,
                "t.csv:2: 引号未闭合（unterminated quoted field）");
    csv_refused(H "608,2024,summary,gpb,x,amount,\"", 0, CSV_ENCODING_UTF8,
                "t.csv:2: 引号未闭合（unterminated quoted field）");
    csv_refused("\"entity", 0, CSV_ENCODING_UTF8, "t.csv:1: 引号未闭合（unterminated quoted field）");
    /* text after a closing quote */
    csv_refused(H "608,2024,summary,gpb,\"x\"y,amount,1\n", 0, CSV_ENCODING_UTF8,
                "t.csv:2: 右引号后还有文字（unexpected text after a closing quote）");
}
END_TEST

START_TEST(csv_ragged_rows)
{
    csv_refused(H "608,2024,summary,gpb,x,amount\n", 0, CSV_ENCODING_UTF8,
                "t.csv:2: 应有 7 个字段，实有 6 个（金额含逗号时请加英文引号）");
    csv_refused(H "608,2024,summary,gpb,x,amount,1\n608,2024,summary,soe,x,amount,1,2\n", 0,
                CSV_ENCODING_UTF8, "t.csv:3: 应有 7 个字段，实有 8 个（金额含逗号时请加英文引号）");
    csv_refused(H "608,2024,summary,gpb,x,amount,1\n\n\n608\n", 0, CSV_ENCODING_UTF8,
                "t.csv:5: 应有 7 个字段，实有 1 个（金额含逗号时请加英文引号）");
    /* a quoted field with a line break in it: the error is on the line the record starts */
    csv_refused(H "608,2024,summary,gpb,\"two\nlines\",amount\n", 0, CSV_ENCODING_UTF8,
                "t.csv:2: 应有 7 个字段，实有 6 个（金额含逗号时请加英文引号）");
    csv_refused(H "608,2024,summary,gpb,\"two\nlines\",amount,1\n608,2024\n", 0,
                CSV_ENCODING_UTF8, "t.csv:4: 应有 7 个字段，实有 2 个（金额含逗号时请加英文引号）");
}
END_TEST

START_TEST(csv_bad_headers)
{
    csv_refused("608,2024,income,total,合计,total,3311.22\n", 0, CSV_ENCODING_UTF8,
                "t.csv:1: 缺少表头（应为 单位代码,年度,表,行,名称,列,金额 或 "
                "entity,year,table,row,name,column,amount）");
    csv_refused("entity,year,table,row,name,column,amount,remark\n608,2024,summary,gpb,x,amount,1,r\n",
                0, CSV_ENCODING_UTF8, "t.csv:1: 表头：未知列“remark”（可用：单位代码,年度,表,行,名称,列,金额）");
    csv_refused("entity,year,table,row,name,column\n608,2024,summary,gpb,x,amount\n", 0,
                CSV_ENCODING_UTF8, "t.csv:1: 表头：缺少列“金额”（amount）");
    csv_refused("entity,year,table,row,name,column,amount,entity\n", 0, CSV_ENCODING_UTF8,
                "t.csv:1: 表头两次写了列“单位代码”（entity）");
    /* the header after blank lines is on line 3 */
    csv_refused("\n\nentity,year,table,row,name,column,amount,备注\n", 0, CSV_ENCODING_UTF8,
                "t.csv:3: 表头：未知列“备注”（可用：单位代码,年度,表,行,名称,列,金额）");
}
END_TEST

START_TEST(csv_empty_files)
{
    csv_refused("", 0, CSV_ENCODING_UTF8, "t.csv:1: 缺少表头（文件为空）");
    csv_refused("\xef\xbb\xbf", 0, CSV_ENCODING_UTF8, "t.csv:1: 缺少表头（文件为空）");
    csv_refused("\r\n\n\r\n", 0, CSV_ENCODING_AUTO, "t.csv:1: 缺少表头（文件为空）");
    csv_refused(H, 0, CSV_ENCODING_UTF8, "t.csv: 没有数据（只有表头）");
    csv_refused(H ",,,,,,\n", 0, CSV_ENCODING_UTF8, "t.csv: 没有数据（只有表头）");
}
END_TEST

START_TEST(csv_one_megabyte_fields)
{
    size_t len;
    char *text = build(H "608,2024,summary,", MB, '1', ",x,amount,1\n", &len);
    csv_refused(text, len, CSV_ENCODING_UTF8, "t.csv:2: 列“行”（row）：超过 48 字节");
    free(text);
    text = build(H "608,2024,summary,gpb,\"", MB, 'n', "\",amount,1\n", &len);
    csv_refused(text, len, CSV_ENCODING_UTF8, "t.csv:2: 列“名称”（name）：超过 512 字节");
    free(text);
    text = build(H "608,2024,summary,gpb,x,amount,", MB, '9', "\n", &len);
    csv_refused(text, len, CSV_ENCODING_UTF8, "t.csv:2: 列“金额”（amount）：“"
                "9999999999999999999999999999999999999999…（共 1048576 字节）”：金额过大（超出可表示范围）");
    free(text);
    text = build(H, MB, 'e', ",2024,summary,gpb,x,amount,1\n", &len);
    csv_refused(text, len, CSV_ENCODING_UTF8, "t.csv:2: 列“单位代码”（entity）：超过 64 字节");
    free(text);
    /* a megabyte of commas: a record with 1 MB + 1 fields */
    text = build(H "608", MB, ',', "\n", &len);
    csv_refused(text, len, CSV_ENCODING_UTF8, "t.csv:2: 应有 7 个字段，实有 1048577 个（金额含逗号时请加英文引号）");
    free(text);
}
END_TEST

#define TOO_LARGE "金额过大（超出可表示范围）"
#define TOO_FINE "小数超过6位（万元的第7位小数不足一分）"
START_TEST(csv_amount_limits)
{
    /* INT64_MAX fen = 9223372036854.775807 万元; one fen more overflows, either sign */
    csv_refused(H "608,2024,summary,gpb,x,amount,9223372036854.775808\n", 0, CSV_ENCODING_UTF8,
                "t.csv:2: 列“金额”（amount）：“9223372036854.775808”：" TOO_LARGE);
    csv_refused(H "608,2024,summary,gpb,x,amount,-9223372036854.775809\n", 0, CSV_ENCODING_UTF8,
                "t.csv:2: 列“金额”（amount）：“-9223372036854.775809”：" TOO_LARGE);
    csv_refused(H "608,2024,summary,gpb,x,amount,\"99,999,999,999,999.00\"\n", 0,
                CSV_ENCODING_UTF8, "t.csv:2: 列“金额”（amount）：“99,999,999,999,999.00”：" TOO_LARGE);
    csv_refused(H "608,2024,summary,gpb,x,amount,1.0000001\n", 0, CSV_ENCODING_UTF8,
                "t.csv:2: 列“金额”（amount）：“1.0000001”：" TOO_FINE);
    csv_refused(H "608,2024,summary,gpb,x,amount,1\n608,2024,summary,soe,x,amount,0.1234567\n",
                0, CSV_ENCODING_UTF8,
                "t.csv:3: 列“金额”（amount）：“0.1234567”：" TOO_FINE);
    csv_refused(H "608,2024,summary,gpb,x,amount,1e6\n", 0, CSV_ENCODING_UTF8,
                "t.csv:2: 列“金额”（amount）：“1e6”：不是十进制数字（只可含半角数字、小数点、负号和引号内的千位分隔符）");

    submission_list_t list;
    csv_accepted(H "608,2024,summary,gpb,x,amount,9223372036854.775807\n"
                   "608,2024,summary,soe,x,amount,-9223372036854.775808\n"
                   "608,2024,summary,gfb,x,amount,0.000001\n", 0, CSV_ENCODING_UTF8, &list);
    const submission_t *s = list.items[0];
    ck_assert_uint_eq(s->count, 3);
    ck_assert_int_eq(submission_find(s, TABLE_SUMMARY, "gpb", COL_AMOUNT)->fen, INT64_MAX);
    ck_assert_int_eq(submission_find(s, TABLE_SUMMARY, "soe", COL_AMOUNT)->fen, INT64_MIN);
    ck_assert_int_eq(submission_find(s, TABLE_SUMMARY, "gfb", COL_AMOUNT)->fen, 1);
    submission_list_free(&list);
}
END_TEST

/* n facts for 608/2024 in memory, each with its own project row. */
static char *many_facts(size_t n, size_t *len)
{
    size_t cap = strlen(H) + n * 40 + 1, off = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    off += (size_t)snprintf(buf, cap, "%s", H);
    for (size_t i = 0; i < n; i++)
        off += (size_t)snprintf(buf + off, cap - off, "608,2024,projects,P%06zu,,total,1\n", i);
    *len = off;
    return buf;
}

START_TEST(csv_too_many_facts)
{
    size_t len;
    char *text = many_facts(SUBMISSION_FACTS_MAX + 1, &len);
    /* the header is line 1, so fact N is on line N + 1 */
    csv_refused(text, len, CSV_ENCODING_UTF8, "t.csv:100002: 608/2024 的数据超过 100000 条");
    free(text);
    /* exactly the limit is fine */
    text = many_facts(SUBMISSION_FACTS_MAX, &len);
    submission_list_t list;
    csv_accepted(text, len, CSV_ENCODING_UTF8, &list);
    ck_assert_uint_eq(list.items[0]->count, SUBMISSION_FACTS_MAX);
    submission_list_free(&list);
    free(text);
}
END_TEST

/* ---------------------------------------------------------------- protobuf helpers */

typedef struct {
    Huizong__Submission m;
    Huizong__Fact *facts;
    Huizong__Fact **ptrs;
} raw_t;

/* A hand-made message with n valid facts (summary rows r0000.., amount 1, line i+2):
 * what a hostile or newer peer could send. Tests then break one field. */
static void raw_init(raw_t *r, size_t n)
{
    Huizong__Submission init = HUIZONG__SUBMISSION__INIT;
    r->m = init;
    r->facts = calloc(n ? n : 1, sizeof *r->facts);
    r->ptrs = calloc(n ? n : 1, sizeof *r->ptrs);
    ck_assert(r->facts && r->ptrs);
    for (size_t i = 0; i < n; i++) {
        Huizong__Fact f = HUIZONG__FACT__INIT;
        char row[32];
        snprintf(row, sizeof row, "r%06zu", i);
        f.table = HUIZONG__TABLE__SUMMARY;
        f.row = strdup(row);
        f.column = HUIZONG__COLUMN__AMOUNT;
        f.amount_fen = 1;
        f.source_line = (uint32_t)i + 2;
        f.name = (char *)"";
        r->facts[i] = f;
        r->ptrs[i] = &r->facts[i];
    }
    r->m.id = (char *)"hostile-1";
    r->m.entity = (char *)"608";
    r->m.year = 2024;
    r->m.n_facts = n;
    r->m.facts = r->ptrs;
    r->m.source = (char *)"hostile.csv";
    r->m.created_ms = 1700000000000ULL;
}

/* Replaces fact i's row (the old one was strdup'ed by raw_init). */
static void raw_set_row(raw_t *r, size_t i, const char *row)
{
    free(r->facts[i].row);
    r->facts[i].row = strdup(row);
    ck_assert_ptr_nonnull(r->facts[i].row);
}

static uint8_t *raw_pack(const raw_t *r, size_t *len)
{
    uint8_t *buf = malloc(huizong__submission__get_packed_size(&r->m) + 1);
    ck_assert_ptr_nonnull(buf);
    *len = huizong__submission__pack(&r->m, buf);
    return buf;
}

static void raw_free(raw_t *r)
{
    for (size_t i = 0; i < r->m.n_facts; i++) free(r->facts[i].row);
    free(r->facts);
    free(r->ptrs);
}

/* Packs r and asserts the decoder refuses it with exactly `message`. */
static void wire_refused(const raw_t *r, const char *message)
{
    size_t len;
    uint8_t *buf = raw_pack(r, &len);
    char err[1024] = "";
    submission_t *s = wire_unpack_submission(buf, len, err, sizeof err);
    free(buf);
    ck_assert_ptr_null(s);
    ck_assert_str_eq(err, message);
}

static submission_t *wire_accepted(const raw_t *r)
{
    size_t len;
    uint8_t *buf = raw_pack(r, &len);
    char err[1024] = "";
    submission_t *s = wire_unpack_submission(buf, len, err, sizeof err);
    free(buf);
    ck_assert_msg(s != NULL, "refused: %s", err);
    return s;
}

/* ---------------------------------------------------------------- protobuf */

START_TEST(wire_years)
{
    raw_t r;
    raw_init(&r, 2);
    r.m.year = 0;
    wire_refused(&r, "year 0 out of range 1900..9999");
    r.m.year = UINT32_MAX;
    wire_refused(&r, "year 4294967295 out of range 1900..9999");
    r.m.year = 1900;
    submission_t *s = wire_accepted(&r);
    ck_assert_uint_eq(s->year, 1900);
    submission_destroy(&s);
    raw_free(&r);
}
END_TEST

START_TEST(wire_invalid_utf8)
{
    raw_t r;
    raw_init(&r, 3);
    raw_set_row(&r, 1, SUZHOU_GB);
    wire_refused(&r, "fact 2: row is not valid UTF-8");
    raw_set_row(&r, 1, "\xed\xa0\x80");   /* a UTF-16 surrogate, encoded */
    wire_refused(&r, "fact 2: row is not valid UTF-8");
    raw_set_row(&r, 1, "\xc0\xaf");       /* overlong '/' */
    wire_refused(&r, "fact 2: row is not valid UTF-8");
    raw_set_row(&r, 1, "r1");
    r.facts[2].name = (char *)"\xe5\xae";   /* truncated 宿 */
    wire_refused(&r, "fact 3: name is not valid UTF-8");
    r.facts[2].name = (char *)SUZHOU_UTF8;
    r.m.entity = (char *)SUZHOU_GB;
    wire_refused(&r, "entity is not valid UTF-8");
    r.m.entity = (char *)"608";
    r.m.source = (char *)"\xff.csv";
    wire_refused(&r, "source is not valid UTF-8");
    r.m.source = (char *)"";
    submission_t *s = wire_accepted(&r);
    ck_assert_str_eq(submission_find(s, TABLE_SUMMARY, "r000002", COL_AMOUNT)->name, SUZHOU_UTF8);
    submission_destroy(&s);
    raw_free(&r);
}
END_TEST

START_TEST(wire_one_megabyte_strings)
{
    size_t len;
    char *big = build("", MB, 'x', "", &len);
    raw_t r;
    raw_init(&r, 2);
    char *saved = r.facts[0].row;
    r.facts[0].row = big;
    wire_refused(&r, "fact 1: row longer than 48 bytes");
    r.facts[0].row = saved;
    r.facts[1].name = big;
    wire_refused(&r, "fact 2: name longer than 512 bytes");
    r.facts[1].name = (char *)"";
    r.m.entity = big;
    wire_refused(&r, "entity longer than 64 bytes");
    r.m.entity = (char *)"608";
    r.m.id = big;
    wire_refused(&r, "submission id longer than 64 bytes");
    r.m.id = (char *)"hostile-1";
    r.m.source = big;
    wire_refused(&r, "source longer than 4096 bytes");
    raw_free(&r);
    free(big);
}
END_TEST

START_TEST(wire_unknown_enums)
{
    raw_t r;
    raw_init(&r, 3);
    r.facts[1].table = (Huizong__Table)42;
    wire_refused(&r, "fact 2: unknown table 42 (newer collector? upgrade the aggregator)");
    r.facts[1].table = HUIZONG__TABLE__SUMMARY;
    r.facts[2].column = (Huizong__Column)42;
    wire_refused(&r, "fact 3: unknown column 42 (newer collector? upgrade the aggregator)");
    r.facts[2].column = HUIZONG__COLUMN__AMOUNT;
    r.m.scope = (Huizong__Scope)42;
    wire_refused(&r, "unknown scope 42 (newer collector? upgrade the aggregator)");
    r.m.scope = HUIZONG__SCOPE__DECLARED;
    /* negative enum numbers travel as 10-byte varints */
    r.facts[0].table = (Huizong__Table)-1;
    wire_refused(&r, "fact 1: unknown table -1 (newer collector? upgrade the aggregator)");
    r.facts[0].table = HUIZONG__TABLE__TABLE_UNSPECIFIED;
    wire_refused(&r, "fact 1: unknown table 0 (newer collector? upgrade the aggregator)");
    r.facts[0].table = HUIZONG__TABLE__SUMMARY;
    submission_t *s = wire_accepted(&r);
    ck_assert_int_eq(s->scope, SCOPE_DECLARED);
    submission_destroy(&s);
    raw_free(&r);
}
END_TEST

START_TEST(wire_duplicate_fact)
{
    raw_t r;
    raw_init(&r, 4);
    raw_set_row(&r, 3, "r000001");   /* fact 4 (line 5) repeats fact 2 (line 3) */
    wire_refused(&r, "duplicate fact summary/r000001/amount: line 3 and line 5");
    r.facts[3].column = HUIZONG__COLUMN__TOTAL;   /* summary has no 'total' column */
    wire_refused(&r, "fact 4 (line 5): table 'summary' has no column 'total'");
    raw_free(&r);
}
END_TEST

START_TEST(wire_extreme_amounts)
{
    raw_t r;
    raw_init(&r, 3);
    r.facts[0].amount_fen = INT64_MIN;
    r.facts[1].amount_fen = INT64_MAX;
    r.facts[2].amount_fen = -1;
    submission_t *s = wire_accepted(&r);
    ck_assert_uint_eq(s->count, 3);
    ck_assert_int_eq(submission_find(s, TABLE_SUMMARY, "r000000", COL_AMOUNT)->fen, INT64_MIN);
    ck_assert_int_eq(submission_find(s, TABLE_SUMMARY, "r000001", COL_AMOUNT)->fen, INT64_MAX);
    ck_assert_int_eq(submission_find(s, TABLE_SUMMARY, "r000002", COL_AMOUNT)->fen, -1);
    /* and they survive packing again */
    uint8_t *buf;
    size_t len;
    ck_assert_int_eq(wire_pack_submission(s, &buf, &len), 0);
    char err[256];
    submission_t *t = wire_unpack_submission(buf, len, err, sizeof err);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(submission_find(t, TABLE_SUMMARY, "r000000", COL_AMOUNT)->fen, INT64_MIN);
    ck_assert_int_eq(submission_find(t, TABLE_SUMMARY, "r000001", COL_AMOUNT)->fen, INT64_MAX);
    free(buf);
    submission_destroy(&t);
    submission_destroy(&s);
    raw_free(&r);
}
END_TEST

START_TEST(wire_too_many_facts)
{
    raw_t r;
    raw_init(&r, SUBMISSION_FACTS_MAX + 1);
    wire_refused(&r, "too many facts (100001, at most 100000)");
    r.m.n_facts = SUBMISSION_FACTS_MAX;
    submission_t *s = wire_accepted(&r);
    ck_assert_uint_eq(s->count, SUBMISSION_FACTS_MAX);
    submission_destroy(&s);
    r.m.n_facts = SUBMISSION_FACTS_MAX + 1;
    raw_free(&r);
}
END_TEST

START_TEST(wire_truncated)
{
    raw_t r;
    raw_init(&r, 5);
    size_t len;
    uint8_t *buf = raw_pack(&r, &len);
    char err[1024];
    /* the last byte belongs to created_ms's varint: cutting it is malformed */
    ck_assert_ptr_null(wire_unpack_submission(buf, len - 1, err, sizeof err));
    ck_assert_str_eq(err, "malformed protobuf");
    /* every prefix: refused with a reason, or (cut between fields) a smaller valid one */
    size_t decoded = 0;
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = malloc(n ? n : 1);   /* exact size, so ASan sees any over-read */
        memcpy(copy, buf, n);
        err[0] = '\0';
        submission_t *s = wire_unpack_submission(copy, n, err, sizeof err);
        if (s) {
            decoded++;
            ck_assert_uint_le(s->count, 5);
            ck_assert_int_eq(submission_validate(s, err, sizeof err), 0);
        } else {
            ck_assert_msg(err[0] != '\0', "prefix %zu refused without a reason", n);
        }
        submission_destroy(&s);
        free(copy);
    }
    /* facts are the middle fields: the cuts after each whole fact decode (1..5 facts) */
    ck_assert_uint_ge(decoded, 5);
    free(buf);
    raw_free(&r);
}
END_TEST

/* xorshift64*: fixed seed, same inputs on every machine. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

/* Decodes one input; whatever decodes must be valid, whatever is refused must say why. */
static int decode_one(const uint8_t *buf, size_t n)
{
    char err[1024] = "";
    submission_t *s = wire_unpack_submission(buf, n, err, sizeof err);
    if (!s) {
        ck_assert_msg(err[0] != '\0', "refused without a reason");
        return 0;
    }
    ck_assert_int_eq(submission_validate(s, err, sizeof err), 0);
    submission_destroy(&s);
    return 1;
}

START_TEST(wire_random_bytes)
{
    uint8_t *buf = malloc(1024);
    for (int k = 0; k < 10000; k++) {
        size_t n = (size_t)(rng() % 1024);
        for (size_t i = 0; i < n; i++) buf[i] = (uint8_t)rng();
        uint8_t *exact = malloc(n ? n : 1);
        memcpy(exact, buf, n);
        decode_one(exact, n);
        free(exact);
    }
    free(buf);

    /* random corruption of a real message reaches deeper than pure noise */
    raw_t r;
    raw_init(&r, 4);
    size_t len;
    uint8_t *orig = raw_pack(&r, &len);
    uint8_t *m = malloc(len);
    int survived = 0;
    for (int k = 0; k < 10000; k++) {
        memcpy(m, orig, len);
        int flips = 1 + (int)(rng() % 4);
        for (int j = 0; j < flips; j++) m[rng() % len] = (uint8_t)rng();
        survived += decode_one(m, len);
    }
    /* some corruptions only touch amounts, lines or names: those still decode */
    ck_assert_int_gt(survived, 0);
    free(m);
    free(orig);
    raw_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hostile");
    TCase *csv = tcase_create("csv");
    tcase_add_test(csv, csv_gb18030_bytes);
    tcase_add_test(csv, csv_nul_byte);
    tcase_add_test(csv, csv_unterminated_quote);
    tcase_add_test(csv, csv_ragged_rows);
    tcase_add_test(csv, csv_bad_headers);
    tcase_add_test(csv, csv_empty_files);
    tcase_add_test(csv, csv_one_megabyte_fields);
    tcase_add_test(csv, csv_amount_limits);
    tcase_add_test(csv, csv_too_many_facts);
    tcase_set_timeout(csv, 60);
    suite_add_tcase(s, csv);
    TCase *wire = tcase_create("wire");
    tcase_add_test(wire, wire_years);
    tcase_add_test(wire, wire_invalid_utf8);
    tcase_add_test(wire, wire_one_megabyte_strings);
    tcase_add_test(wire, wire_unknown_enums);
    tcase_add_test(wire, wire_duplicate_fact);
    tcase_add_test(wire, wire_extreme_amounts);
    tcase_add_test(wire, wire_too_many_facts);
    tcase_add_test(wire, wire_truncated);
    tcase_add_test(wire, wire_random_bytes);
    tcase_set_timeout(wire, 60);
    suite_add_tcase(s, wire);
    return testkit_run(s);
}
