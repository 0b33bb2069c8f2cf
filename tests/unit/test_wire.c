/* test_wire.c -- protobuf round trips of submissions, acks and flags; the decoder's
 * distrust of its input (garbage, truncation, unknown enums, bad UTF-8, limits); and the
 * structural validation and rounding judgement the wire relies on. */
#include <check.h>
#include "testkit.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "huizong.pb-c.h"
#include "digest.h"
#include "group.h"
#include "amount.h"
#include "wire.h"
#include "csv.h"

static submission_t *sample(void)
{
    submission_t *s = submission_new("026", 2024);
    submission_new_id(s->id);
    s->scope = SCOPE_DECLARED;
    s->created_ms = 1732350000123ULL;
    submission_set_source(s, "dongxihu-2024.csv");
    ck_assert_int_eq(submission_add(s, TABLE_EXPENSE, "total", COL_TOTAL, 1773190000LL, "合计", 5), 0);
    ck_assert_int_eq(submission_add(s, TABLE_SUMMARY, "gpb", COL_AMOUNT, INT64_MAX, "一般公共预算拨款收入", 2), 0);
    ck_assert_int_eq(submission_add(s, TABLE_GPB_FUNC, "2101501", COL_BASIC, -1, "", 9), 0);
    ck_assert_int_eq(submission_add(s, TABLE_PROJECTS, "P01", COL_GPB, INT64_MIN, "信息化建设", 0), 0);
    return s;
}

static submission_t *round_trip(const submission_t *s, char *err, size_t errlen)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    ck_assert_int_eq(wire_pack_submission(s, &buf, &len), 0);
    submission_t *out = wire_unpack_submission(buf, len, err, errlen);
    free(buf);
    return out;
}

START_TEST(submission_round_trip)
{
    submission_t *s = sample();
    char err[256] = "";
    submission_t *r = round_trip(s, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    submission_sort(s);
    ck_assert_str_eq(r->id, s->id);
    ck_assert_uint_eq(strlen(r->id), 32);
    ck_assert_str_eq(r->entity, "026");
    ck_assert_uint_eq(r->year, 2024);
    ck_assert_int_eq(r->scope, SCOPE_DECLARED);
    ck_assert_uint_eq(r->created_ms, 1732350000123ULL);
    ck_assert_str_eq(r->source, "dongxihu-2024.csv");
    ck_assert_uint_eq(r->count, 4);
    for (size_t i = 0; i < 4; i++) {
        ck_assert_int_eq(r->facts[i].table, s->facts[i].table);
        ck_assert_int_eq(r->facts[i].column, s->facts[i].column);
        ck_assert_str_eq(r->facts[i].row, s->facts[i].row);
        ck_assert_str_eq(r->facts[i].name, s->facts[i].name);
        ck_assert_int_eq(r->facts[i].fen, s->facts[i].fen);
        ck_assert_uint_eq(r->facts[i].line, s->facts[i].line);
    }
    /* sorted by (table,row,column) */
    ck_assert_int_eq(r->facts[0].table, TABLE_SUMMARY);
    ck_assert_int_eq(r->facts[3].table, TABLE_PROJECTS);
    const fact_t *f = submission_find(r, TABLE_PROJECTS, "P01", COL_GPB);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->fen, INT64_MIN);
    ck_assert_ptr_null(submission_find(r, TABLE_PROJECTS, "P01", COL_GFB));
    ck_assert_ptr_null(submission_find(r, TABLE_EXPENSE, "208", COL_TOTAL));
    submission_destroy(&r);
    submission_destroy(&s);
    ck_assert_ptr_null(s);
}
END_TEST

/* A decoded submission keeps one copy of a row's code and of a name repeated by
 * consecutive facts (submission.h, "shared strings"), in sorted order whatever order the
 * message had, and frees each once (under ASan a double free would show here). */
START_TEST(shared_strings)
{
    submission_t *s = submission_new("026", 2024);
    ck_assert_ptr_nonnull(s);
    submission_new_id(s->id);
    /* out of order on purpose: r2 is sent before r10 ("r10" < "r2") */
    ck_assert_int_eq(submission_add(s, TABLE_EXPENSE, "r2", COL_TOTAL, 300, "same", 3), 0);
    ck_assert_int_eq(submission_add(s, TABLE_EXPENSE, "r10", COL_BASIC, 100, "same", 2), 0);
    ck_assert_int_eq(submission_add(s, TABLE_EXPENSE, "r10", COL_TOTAL, 200, "same", 2), 0);
    ck_assert_int_eq(submission_add(s, TABLE_EXPENSE, "r3", COL_TOTAL, 400, "other", 4), 0);
    ck_assert_int_eq(submission_add(s, TABLE_EXPENSE, "r4", COL_TOTAL, 500, "", 5), 0);
    ck_assert_int_eq(submission_add(s, TABLE_EXPENSE, "r5", COL_TOTAL, 600, "", 6), 0);
    uint8_t *buf;
    size_t len;
    ck_assert_int_eq(wire_pack_submission(s, &buf, &len), 0);
    char err[256] = "";
    submission_t *r = wire_unpack_submission(buf, len, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert_uint_eq(r->count, 6);
    ck_assert_str_eq(r->facts[0].row, "r10");
    ck_assert_int_eq(r->facts[0].column, COL_TOTAL);    /* (table, row, column) order */
    ck_assert_str_eq(r->facts[2].row, "r2");
    ck_assert_ptr_eq(r->facts[1].row, r->facts[0].row);            /* one row, two columns */
    ck_assert_ptr_eq(r->facts[1].name, r->facts[0].name);
    ck_assert_ptr_eq(r->facts[2].name, r->facts[1].name);          /* the next row's name */
    ck_assert_ptr_ne(r->facts[2].row, r->facts[1].row);
    ck_assert_str_eq(r->facts[3].name, "other");
    ck_assert_ptr_eq(r->facts[5].name, r->facts[4].name);          /* "" too */
    ck_assert_str_eq(r->facts[5].name, "");
    submission_sort(s);
    for (size_t i = 0; i < r->count; i++) {
        const fact_t *f = submission_find(s, r->facts[i].table, r->facts[i].row, r->facts[i].column);
        ck_assert_ptr_nonnull(f);
        ck_assert_str_eq(r->facts[i].name, f->name);
        ck_assert_int_eq(r->facts[i].fen, f->fen);
    }
    free(buf);
    submission_destroy(&r);
    submission_destroy(&s);
}
END_TEST

/* The printed precision travels with each fact (Fact.unit_fen, the message's last field),
 * is validated, and the rounding rules judge each term with half of it. */
START_TEST(printed_precision)
{
    submission_t *s = submission_new("608", 2024);
    submission_new_id(s->id);
    ck_assert_int_eq(submission_add_unit(s, TABLE_GPB_ECON, "30215", COL_BASIC, 22000000, "会议费", 3, 1000000), 0);
    ck_assert_int_eq(submission_add_unit(s, TABLE_GPB_ECON, "30201", COL_BASIC, 9780000, "办公费", 4, 0), 0);
    ck_assert_int_eq(submission_add_unit(s, TABLE_GPB_ECON, "30202", COL_BASIC, 2000000, "印刷费", 5, 1), 0);
    char err[256] = "";
    submission_t *r = round_trip(s, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    submission_sort(r);
    ck_assert_uint_eq(fact_unit_fen(submission_find(r, TABLE_GPB_ECON, "30215", COL_BASIC)), 1000000);
    ck_assert_uint_eq(fact_unit_fen(submission_find(r, TABLE_GPB_ECON, "30201", COL_BASIC)), FACT_UNIT_FEN_DEFAULT);
    ck_assert_uint_eq(fact_unit_fen(submission_find(r, TABLE_GPB_ECON, "30202", COL_BASIC)), 1);
    submission_destroy(&r);
    /* not a power of ten: refused by the sender's validation and by the receiver */
    s->facts[0].unit_fen = 5000;
    ck_assert_int_ne(submission_validate(s, err, sizeof err), 0);
    ck_assert_ptr_nonnull(strstr(err, "printed precision"));
    uint8_t *buf = NULL;
    size_t len = 0;
    ck_assert_int_eq(wire_pack_submission(s, &buf, &len), 0);
    ck_assert_ptr_null(wire_unpack_submission(buf, len, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "unit_fen"));
    free(buf);
    submission_destroy(&s);
    /* the v1 CSV's digits: "1773.19" 0.01 万元, "22" 1 万元, "0.000001" 1 fen */
    ck_assert_uint_eq(amount_printed_unit("1773.19", 7), 10000);
    ck_assert_uint_eq(amount_printed_unit("1,773.19", 8), 10000);
    ck_assert_uint_eq(amount_printed_unit("22", 2), 1000000);
    ck_assert_uint_eq(amount_printed_unit("0.000001", 8), 1);
    /* half of each term's unit: 3 terms at 0.01 万元 allow 0.015; one at 1 万元 allows 0.5 more */
    ck_assert_int_eq(rounding_classify_units(0, 15000, 3 * 10000), VERDICT_ROUNDING);
    ck_assert_int_eq(rounding_classify_units(0, 15001, 3 * 10000), VERDICT_MISMATCH);
    ck_assert_int_eq(rounding_classify_units(0, 510000, 2 * 10000 + 1000000), VERDICT_ROUNDING);
    ck_assert_int_eq(rounding_classify_units(0, 520001, 2 * 10000 + 1000000), VERDICT_MISMATCH);
    ck_assert_int_eq(rounding_classify_units(1, 0, 2), VERDICT_ROUNDING);     /* 2 x half a fen */
    ck_assert_int_eq(rounding_classify_units(INT64_MIN, INT64_MAX, UINT64_MAX), VERDICT_MISMATCH);
}
END_TEST

START_TEST(garbage_never_crashes)
{
    char err[256];
    static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff, 0x0f };
    ck_assert_ptr_null(wire_unpack_submission(junk, sizeof junk, err, sizeof err));
    ck_assert_str_eq(err, "malformed protobuf");
    /* zero bytes is a valid empty message: refused by validation, not by the parser */
    ck_assert_ptr_null(wire_unpack_submission((const uint8_t *)"", 0, err, sizeof err));
    ck_assert_str_eq(err, "year 0 out of range 1900..9999");

    /* every truncation and every single-byte corruption of a real message */
    submission_t *s = sample();
    uint8_t *buf;
    size_t len;
    ck_assert_int_eq(wire_pack_submission(s, &buf, &len), 0);
    for (size_t n = 0; n < len; n++) {
        submission_t *r = wire_unpack_submission(buf, n, err, sizeof err);
        submission_destroy(&r);
    }
    for (size_t i = 0; i < len; i++) {
        uint8_t saved = buf[i];
        for (int v = 0; v < 256; v += 37) {
            buf[i] = (uint8_t)v;
            submission_t *r = wire_unpack_submission(buf, len, err, sizeof err);
            if (r) ck_assert_int_eq(submission_validate(r, err, sizeof err), 0);
            submission_destroy(&r);
        }
        buf[i] = saved;
    }
    /* random bytes */
    srand(42);
    uint8_t rnd[256];
    for (int k = 0; k < 3000; k++) {
        size_t n = (size_t)(rand() % (int)sizeof rnd);
        for (size_t i = 0; i < n; i++) rnd[i] = (uint8_t)rand();
        submission_t *r = wire_unpack_submission(rnd, n, err, sizeof err);
        submission_destroy(&r);
    }
    free(buf);
    submission_destroy(&s);
}
END_TEST

/* Packs a hand-made protobuf submission (what a newer or hostile peer could send). */
static submission_t *unpack_raw(Huizong__Fact *facts, size_t n, const char *entity, uint32_t year,
                                char *err, size_t errlen)
{
    Huizong__Submission m = HUIZONG__SUBMISSION__INIT;
    Huizong__Fact *ptrs[8];
    for (size_t i = 0; i < n; i++) ptrs[i] = &facts[i];
    m.id = (char *)"abc123";
    m.entity = (char *)entity;
    m.year = year;
    m.n_facts = n;
    m.facts = ptrs;
    uint8_t buf[4096];
    ck_assert_uint_lt(huizong__submission__get_packed_size(&m), sizeof buf);
    size_t len = huizong__submission__pack(&m, buf);
    return wire_unpack_submission(buf, len, err, errlen);
}

static Huizong__Fact fact(int table, const char *row, int column, int64_t fen, uint32_t line)
{
    Huizong__Fact f = HUIZONG__FACT__INIT;
    f.table = (Huizong__Table)table;
    f.row = (char *)row;
    f.column = (Huizong__Column)column;
    f.amount_fen = fen;
    f.source_line = line;
    return f;
}

START_TEST(distrusts_fields)
{
    char err[256];
    Huizong__Fact fs[4];
    fs[0] = fact(TABLE_EXPENSE, "total", COL_TOTAL, 1, 2);
    fs[1] = fact(TABLE_EXPENSE, "208", COL_TOTAL, 1, 3);
    fs[2] = fact(42, "210", COL_TOTAL, 1, 4);
    ck_assert_ptr_null(unpack_raw(fs, 3, "026", 2024, err, sizeof err));
    ck_assert_str_eq(err, "fact 3: unknown table 42 (newer collector? upgrade the aggregator)");

    fs[2] = fact(TABLE_EXPENSE, "210", 99, 1, 4);
    ck_assert_ptr_null(unpack_raw(fs, 3, "026", 2024, err, sizeof err));
    ck_assert_str_eq(err, "fact 3: unknown column 99 (newer collector? upgrade the aggregator)");

    fs[2] = fact(TABLE_EXPENSE, "21\xff" "0", COL_TOTAL, 1, 4);
    submission_t *r = unpack_raw(fs, 3, "026", 2024, err, sizeof err);
    ck_assert_ptr_null(r);
    ck_assert_str_eq(err, "fact 3: row is not valid UTF-8");

    fs[2] = fact(TABLE_EXPENSE, "0123456789012345678901234567890123456789012345678", COL_TOTAL, 1, 4);
    ck_assert_ptr_null(unpack_raw(fs, 3, "026", 2024, err, sizeof err));
    ck_assert_str_eq(err, "fact 3: row longer than 48 bytes");

    fs[2] = fact(TABLE_EXPENSE, "210", COL_AMOUNT, 1, 7);
    ck_assert_ptr_null(unpack_raw(fs, 3, "026", 2024, err, sizeof err));
    ck_assert_str_eq(err, "fact 3 (line 7): table 'expense' has no column 'amount'");

    fs[2] = fact(TABLE_EXPENSE, "", COL_TOTAL, 1, 7);
    ck_assert_ptr_null(unpack_raw(fs, 3, "026", 2024, err, sizeof err));
    ck_assert_str_eq(err, "fact 3 (line 7): row is empty");

    fs[2] = fact(TABLE_EXPENSE, "21\t0", COL_TOTAL, 1, 0);
    ck_assert_ptr_null(unpack_raw(fs, 3, "026", 2024, err, sizeof err));
    ck_assert_str_eq(err, "fact 3: row contains a control character");

    fs[2] = fact(TABLE_EXPENSE, "total", COL_TOTAL, 5, 9);
    ck_assert_ptr_null(unpack_raw(fs, 3, "026", 2024, err, sizeof err));
    ck_assert_str_eq(err, "duplicate fact expense/total/total: line 2 and line 9");

    ck_assert_ptr_null(unpack_raw(fs, 0, "026", 2024, err, sizeof err));
    ck_assert_str_eq(err, "submission 026/2024 has no facts");

    ck_assert_ptr_null(unpack_raw(fs, 2, "026", 1899, err, sizeof err));
    ck_assert_str_eq(err, "year 1899 out of range 1900..9999");
    ck_assert_ptr_null(unpack_raw(fs, 2, "026", 10000, err, sizeof err));
    ck_assert_str_eq(err, "year 10000 out of range 1900..9999");

    ck_assert_ptr_null(unpack_raw(fs, 2, "", 2024, err, sizeof err));
    ck_assert_str_eq(err, "entity is empty");
    char longent[80];
    memset(longent, 'a', 65);
    longent[65] = '\0';
    ck_assert_ptr_null(unpack_raw(fs, 2, longent, 2024, err, sizeof err));
    ck_assert_str_eq(err, "entity longer than 64 bytes");
    ck_assert_ptr_null(unpack_raw(fs, 2, "02\n6", 2024, err, sizeof err));
    ck_assert_str_eq(err, "entity contains a control character");

    r = unpack_raw(fs, 2, "026", 2024, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert_uint_eq(r->count, 2);
    ck_assert_int_eq(r->scope, SCOPE_DEFAULT);
    submission_destroy(&r);
}
END_TEST

START_TEST(unknown_scope)
{
    Huizong__Fact f = fact(TABLE_EXPENSE, "total", COL_TOTAL, 1, 2), *pf = &f;
    Huizong__Submission m = HUIZONG__SUBMISSION__INIT;
    m.id = (char *)"x";
    m.entity = (char *)"026";
    m.year = 2024;
    m.n_facts = 1;
    m.facts = &pf;
    m.scope = (Huizong__Scope)9;
    uint8_t buf[256];
    size_t len = huizong__submission__pack(&m, buf);
    char err[256];
    ck_assert_ptr_null(wire_unpack_submission(buf, len, err, sizeof err));
    ck_assert_str_eq(err, "unknown scope 9 (newer collector? upgrade the aggregator)");
}
END_TEST

static finding_t sample_finding(void)
{
    finding_t f;
    memset(&f, 0, sizeof f);
    snprintf(f.rule, sizeof f.rule, "sum.function_class");
    f.severity = SEV_WARNING;
    f.verdict = VERDICT_MISMATCH;
    snprintf(f.entity, sizeof f.entity, "608");
    f.year = 2024;
    f.table = TABLE_GPB_FUNC;
    snprintf(f.row, sizeof f.row, "210");
    f.column = COL_BASIC;
    f.expected = 1773190000LL;
    f.actual = -1773180000LL;
    f.terms = 3;
    f.line = 44;
    f.source = (char *)"suzhou-2024.csv";
    f.explanation = (char *)"卫生健康支出 1773.19 ≠ 21011 + 21015";
    return f;
}

static void assert_same_finding(const finding_t *a, const finding_t *b)
{
    ck_assert_str_eq(a->rule, b->rule);
    ck_assert_int_eq(a->severity, b->severity);
    ck_assert_int_eq(a->verdict, b->verdict);
    ck_assert_str_eq(a->entity, b->entity);
    ck_assert_uint_eq(a->year, b->year);
    ck_assert_int_eq(a->table, b->table);
    ck_assert_str_eq(a->row, b->row);
    ck_assert_int_eq(a->column, b->column);
    ck_assert_int_eq(a->expected, b->expected);
    ck_assert_int_eq(a->actual, b->actual);
    ck_assert_uint_eq(a->terms, b->terms);
    ck_assert_uint_eq(a->line, b->line);
    ck_assert_str_eq(a->source, b->source);
    ck_assert_str_eq(a->explanation, b->explanation);
}

START_TEST(finding_and_ack_round_trip)
{
    finding_t f = sample_finding(), g;
    uint8_t *buf;
    size_t len;
    ck_assert_int_eq(wire_pack_finding(&f, &buf, &len), 0);
    ck_assert_int_eq(wire_unpack_finding(buf, len, &g), 0);
    assert_same_finding(&f, &g);
    finding_free(&g);
    ck_assert_int_eq(wire_unpack_finding((const uint8_t *)"\xff\xff", 2, &g), -1);
    free(buf);

    ack_t ack, back;
    ack_init(&ack);
    snprintf(ack.submission_id, sizeof ack.submission_id, "0123abcd");
    snprintf(ack.entity, sizeof ack.entity, "608");
    ack.year = 2024;
    ack.status = ACK_ACCEPTED;
    snprintf(ack.reason, sizeof ack.reason, "stored as version 3");
    ack.version = 3;
    ack.fact_count = 272;
    ack.replayed = 1;
    ck_assert_ptr_nonnull(findings_push(&ack.flags, &f));
    f.verdict = VERDICT_ROUNDING;
    f.severity = SEV_INFO;
    f.source = NULL;
    f.explanation = NULL;
    ck_assert_ptr_nonnull(findings_push(&ack.flags, &f));
    ck_assert_int_eq(wire_pack_ack(&ack, &buf, &len), 0);
    char err[256] = "";
    ck_assert_msg(wire_unpack_ack(buf, len, &back, err, sizeof err) == 0, "%s", err);
    free(buf);
    ck_assert_str_eq(back.submission_id, "0123abcd");
    ck_assert_str_eq(back.entity, "608");
    ck_assert_uint_eq(back.year, 2024);
    ck_assert_int_eq(back.status, ACK_ACCEPTED);
    ck_assert_str_eq(back.reason, "stored as version 3");
    ck_assert_uint_eq(back.version, 3);
    ck_assert_uint_eq(back.fact_count, 272);
    ck_assert_int_eq(back.replayed, 1);
    ck_assert_uint_eq(back.flags.count, 2);
    assert_same_finding(&back.flags.items[0], &ack.flags.items[0]);
    ck_assert_int_eq(back.flags.items[1].verdict, VERDICT_ROUNDING);
    ck_assert_ptr_null(back.flags.items[1].source);
    ck_assert_ptr_null(back.flags.items[1].explanation);
    ack_clear(&back);
    ack_clear(&ack);
    ck_assert_uint_eq(ack.flags.count, 0);

    ck_assert_int_eq(wire_unpack_ack((const uint8_t *)"\x0a\x05" "ab", 4, &back, err, sizeof err), -1);
    ck_assert_str_eq(err, "malformed protobuf");
}
END_TEST

START_TEST(rounding_and_names)
{
    /* |lhs - rhs| <= terms * 0.005 万元 (5000 fen) */
    ck_assert_int_eq(rounding_classify(1773190000LL, 1773190000LL, 3), VERDICT_EXACT);
    ck_assert_int_eq(rounding_classify(1773190000LL, 1773180000LL, 2), VERDICT_ROUNDING);
    ck_assert_int_eq(rounding_classify(1773190000LL, 1773180000LL, 1), VERDICT_MISMATCH);
    ck_assert_int_eq(rounding_classify(0, 15000, 3), VERDICT_ROUNDING);
    ck_assert_int_eq(rounding_classify(0, 15001, 3), VERDICT_MISMATCH);
    ck_assert_int_eq(rounding_classify(-5000, 0, 1), VERDICT_ROUNDING);
    ck_assert_int_eq(rounding_classify(1, 0, 0), VERDICT_MISMATCH);   /* terms 0: exact only */
    ck_assert_int_eq(rounding_classify(INT64_MIN, INT64_MAX, 1000), VERDICT_MISMATCH);
    ck_assert_str_eq(verdict_name(VERDICT_MISMATCH), "MISMATCH");
    ck_assert_str_eq(verdict_name(VERDICT_ROUNDING), "ROUNDING");
    ck_assert_str_eq(severity_name(SEV_ERROR), "error");
    ck_assert_int_eq(severity_from_name("warning"), SEV_WARNING);
    ck_assert_int_eq(severity_from_name("off"), SEV_OFF);
    ck_assert_int_eq(severity_from_name("loud"), SEV_NONE);
}
END_TEST

/* The narrative text: round trip byte for byte with its name; none stays none; a message
 * with a text over SUBMISSION_TEXT_MAX or with bytes that are not UTF-8 is refused with a
 * reason naming the text (the packer does not check: a hostile peer would not either). */
START_TEST(text_round_trip_and_limits)
{
    submission_t *s = sample();
    char err[256] = "";
    submission_t *r = round_trip(s, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert_ptr_null(r->text);
    ck_assert_uint_eq(r->text_len, 0);
    submission_destroy(&r);

    static const char T[] = "一、收入预算情况\n2024年收入预算1,773.19万元，增长 3.82 %。\n";
    ck_assert_int_eq(submission_set_text(s, "宿州-2024.txt", T, sizeof T - 1), 0);
    r = round_trip(s, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert_uint_eq(r->text_len, sizeof T - 1);
    ck_assert(memcmp(r->text, T, sizeof T - 1) == 0);
    ck_assert_str_eq(r->text_name, "宿州-2024.txt");
    submission_destroy(&r);

    size_t big = SUBMISSION_TEXT_MAX + 1;
    char *b = malloc(big);
    ck_assert_ptr_nonnull(b);
    memset(b, 'a', big);
    ck_assert_int_eq(submission_set_text(s, "big.txt", b, big), 0);
    ck_assert_ptr_null(round_trip(s, err, sizeof err));
    ck_assert_msg(strstr(err, "text") && strstr(err, "2097152"), "%s", err);
    ck_assert_int_eq(submission_validate(s, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "big.txt") && strstr(err, "2097152"), "%s", err);
    /* exactly at the limit is fine */
    ck_assert_int_eq(submission_set_text(s, "max.txt", b, SUBMISSION_TEXT_MAX), 0);
    r = round_trip(s, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert_uint_eq(r->text_len, SUBMISSION_TEXT_MAX);
    submission_destroy(&r);
    free(b);

    static const char BAD[] = "收入\xff\xfe预算";
    ck_assert_int_eq(submission_set_text(s, "bad.txt", BAD, sizeof BAD - 1), 0);
    ck_assert_ptr_null(round_trip(s, err, sizeof err));
    ck_assert_msg(strstr(err, "not valid UTF-8"), "%s", err);
    ck_assert_int_eq(submission_set_text(s, "bad\xc3.txt", T, sizeof T - 1), 0);
    ck_assert_ptr_null(round_trip(s, err, sizeof err));
    ck_assert_msg(strstr(err, "text name"), "%s", err);
    ck_assert_int_eq(submission_set_text(s, NULL, NULL, 0), 0);
    ck_assert_ptr_null(s->text);
    submission_destroy(&s);
}
END_TEST

/* A file of several parts travels whole: members, digests and the ack's members survive
 * the round trip; a part that fails validation names the part; a single-submission decoder
 * refuses a file instead of misreading it. */
START_TEST(file_of_parts_round_trip)
{
    char err[256];
    submission_group_t *g = group_new("mixed.csv");
    submission_t *a = sample(), *b = sample();
    snprintf(b->entity, sizeof b->entity, "608001");
    submission_new_id(b->id);
    ck_assert_int_eq(group_add(g, a), 0);
    ck_assert_int_eq(group_add(g, b), 0);
    group_seal(g);
    uint8_t *buf;
    size_t len;
    ck_assert_int_eq(wire_pack_group(g, &buf, &len), 0);
    ck_assert_ptr_null(wire_unpack_submission(buf, len, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "a file of 2 parts"));
    submission_t *one = NULL;
    submission_group_t *back = NULL;
    ck_assert_int_eq(wire_unpack_message(buf, len, &one, &back, err, sizeof err), 0);
    ck_assert_ptr_null(one);
    ck_assert_ptr_nonnull(back);
    ck_assert_str_eq(back->id, g->id);
    ck_assert_str_eq(back->source, "mixed.csv");
    ck_assert_uint_eq(back->count, 2);
    ck_assert_str_eq(back->members[1]->entity, "608001");
    ck_assert(submission_digest_ok(back->members[0]) && submission_digest_ok(back->members[1]));
    ck_assert_mem_eq(back->digest, g->digest, SUBMISSION_DIGEST_LEN);
    group_destroy(&back);
    free(buf);

    /* the same entity/year twice is not a file */
    snprintf(b->entity, sizeof b->entity, "%s", a->entity);
    ck_assert_int_eq(wire_pack_group(g, &buf, &len), 0);
    ck_assert_int_eq(wire_unpack_message(buf, len, &one, &back, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "part 2 ("));
    ck_assert_ptr_nonnull(strstr(err, "the same entity and year as part 1"));
    free(buf);
    group_destroy(&g);

    /* the ack of a file: members round-trip */
    ack_t ack, got;
    ack_init(&ack);
    snprintf(ack.submission_id, sizeof ack.submission_id, "file1");
    ack.status = ACK_REJECTED;
    snprintf(ack.reason, sizeof ack.reason, "file refused whole");
    ack_t *m1 = ack_add_member(&ack), *m2 = ack_add_member(&ack);
    ck_assert_ptr_nonnull(m1);
    ck_assert_ptr_nonnull(m2);
    m1 = &ack.members[0];
    snprintf(m1->entity, sizeof m1->entity, "026001");
    m1->status = ACK_REJECTED;
    snprintf(ack.members[1].entity, sizeof ack.members[1].entity, "608001");
    ack.members[1].has_digest = 1;
    ack.members[1].digest[0] = 0xab;
    ck_assert_int_eq(wire_pack_ack(&ack, &buf, &len), 0);
    ck_assert_int_eq(wire_unpack_ack(buf, len, &got, err, sizeof err), 0);
    ck_assert_uint_eq(got.nmembers, 2);
    ck_assert_str_eq(got.members[0].entity, "026001");
    ck_assert_str_eq(got.members[1].entity, "608001");
    ck_assert(got.members[1].has_digest && got.members[1].digest[0] == 0xab);
    ck_assert_str_eq(got.reason, "file refused whole");
    free(buf);
    ack_clear(&got);
    ack_clear(&ack);
}
END_TEST

/* The hand encoder's bytes (x) and protobuf-c's (y) are the same; frees both. */
static void equal_and_free(uint8_t *x, size_t xl, uint8_t *y, size_t yl)
{
    ck_assert_uint_eq(xl, yl);
    ck_assert_mem_eq(x, y, xl);
    free(x);
    free(y);
}

/* Both packers' bytes of a, alone and with b as the members of a file, must be identical. */
static void same_bytes(submission_t *a, submission_t *b)
{
    uint8_t *x = NULL, *y = NULL;
    size_t xl = 0, yl = 0;
    ck_assert_int_eq(wire_pack_submission(a, &x, &xl), 0);
    ck_assert_int_eq(wire_pack_submission_pbc(a, &y, &yl), 0);
    equal_and_free(x, xl, y, yl);
    submission_group_t *g = group_new(a->source);
    ck_assert_int_eq(group_add(g, a), 0);
    if (b) ck_assert_int_eq(group_add(g, b), 0);
    for (int sealed = 0; sealed < 2; sealed++) {
        if (sealed) group_seal(g);
        ck_assert_int_eq(wire_pack_group(g, &x, &xl), 0);
        ck_assert_int_eq(wire_pack_group_pbc(g, &y, &yl), 0);
        equal_and_free(x, xl, y, yl);
    }
    g->count = 0;   /* the caller keeps its submissions */
    group_destroy(&g);
}

/* The hand encoder (core/wire_encode.c) writes protobuf-c's bytes: on every example file,
 * and on the values where encodings differ (zero fields left out, negative and extreme
 * amounts, a negative enum's ten-byte varint, multi-byte lengths, a text, no digest). */
START_TEST(hand_encoder_is_protobuf_c)
{
    static const char *files[] = { "dongxihu-2024.csv", "suzhou-2024.csv", "dazhou-2023.csv" };
    char err[1024];
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", EXAMPLES_DIR, files[f]);
        submission_list_t list;
        submission_list_init(&list);
        ck_assert_msg(csv_read_file(path, CSV_ENCODING_AUTO, &list, err, sizeof err) == 0, "%s", err);
        for (size_t i = 0; i < list.count; i++) {
            same_bytes(list.items[i], i + 1 < list.count ? list.items[i + 1] : NULL);
            submission_seal(list.items[i]);
            same_bytes(list.items[i], NULL);
        }
        submission_list_free(&list);
    }
    submission_t *s = sample();
    same_bytes(s, NULL);
    submission_seal(s);
    char long_name[400];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    ck_assert_int_eq(submission_add_unit(s, TABLE_INCOME, "2", COL_TOTAL, 0, long_name, 70000, 100000000u), 0);
    ck_assert_int_eq(submission_add_unit(s, (table_id)-1, "x", (column_id)-3, 1, NULL, 0, 1), 0);
    ck_assert_int_eq(submission_set_text(s, "说明.txt", "一二三", strlen("一二三")), 0);
    s->created_ms = UINT64_MAX;
    s->year = UINT32_MAX;
    same_bytes(s, NULL);
    ck_assert_int_eq(submission_set_text(s, "", "", 0), 0);   /* an empty text: nothing of it */
    s->scope = SCOPE_DEFAULT;
    s->created_ms = 0;
    s->year = 0;
    same_bytes(s, NULL);
    submission_destroy(&s);
}
END_TEST

TESTKIT_MAIN("wire", NULL, NULL, 30,
             hand_encoder_is_protobuf_c,
             text_round_trip_and_limits,
             file_of_parts_round_trip,
             submission_round_trip,
             shared_strings,
             garbage_never_crashes,
             distrusts_fields,
             unknown_scope,
             finding_and_ack_round_trip,
             rounding_and_names,
             printed_precision)
