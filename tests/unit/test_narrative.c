/* test_narrative.c -- narrative claims (core/narrative.c) and their judgement against the
 * tables (core/narrative_check.c).
 *
 * On the four seed texts (examples/text/, as published) checked against the facts of
 * examples/<seed>.csv: the exact list of MISMATCH findings, each with its document line and
 * each checked by hand (docs/seed-findings.md, "说明与表格核对"), the ROUNDING ones (info),
 * and no other finding. On synthetic texts: every kind of injected slip is found, and the
 * same text without the slips gives no error.
 */
#include <check.h>
#include "testkit.h"
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "amount.h"
#include "csv.h"
#include "narrative.h"
#include "narrative_check.h"
#include "rules.h"

/* ---- helpers ---- */

static narrative_t *s_extract(const char *text)
{
    char err[256] = "";
    narrative_t *n = narrative_extract(text, strlen(text), err, sizeof err);
    ck_assert_msg(n != NULL, "extract: %s", err);
    return n;
}

static narrative_t *s_extract_file(const char *name)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/text/%s", EXAMPLES_DIR, name);
    char *raw, *text;
    size_t rawlen, len;
    ck_assert_msg(csv_slurp(path, &raw, &rawlen, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(narrative_text_utf8(raw, rawlen, &text, &len, err, sizeof err) == 0, "%s", err);
    free(raw);
    narrative_t *n = narrative_extract(text, len, err, sizeof err);
    free(text);
    ck_assert_msg(n != NULL, "%s: %s", name, err);
    return n;
}

static submission_t *s_seed(const char *file, const char *entity, submission_list_t *list)
{
    char path[512], err[512];
    snprintf(path, sizeof path, "%s/%s", EXAMPLES_DIR, file);
    submission_list_init(list);
    ck_assert_msg(csv_read_file(path, CSV_ENCODING_UTF8, list, err, sizeof err) == 0, "%s", err);
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->items[i]->entity, entity) == 0) {
            submission_sort(list->items[i]);
            return list->items[i];
        }
    ck_abort_msg("%s: no entity %s", file, entity);
    return NULL;
}

static const narrative_claim_t *s_claim_at(const narrative_t *n, uint32_t line, const char *label_part)
{
    for (size_t i = 0; i < n->count; i++)
        if (n->items[i].amount.present && n->items[i].amount.line == line && strstr(n->items[i].label, label_part))
            return &n->items[i];
    ck_abort_msg("no claim «%s» on line %u", label_part, line);
    return NULL;
}

static int64_t s_fen(const char *wan)
{
    int64_t fen;
    const char *reason;
    ck_assert(amount_parse(wan, strlen(wan), &fen, &reason) == 0);
    return fen;
}

typedef struct {
    const char *rule;
    uint32_t line;
    verdict_t verdict;
    const char *cause;        /* a phrase the explanation must hold, or NULL */
} want_t;

/* Asserts that `out` holds exactly the findings of `want` (in any order). */
static void s_assert_findings(const char *what, const findings_t *out, const want_t *want)
{
    size_t nwant = 0;
    while (want[nwant].rule) nwant++;
    for (size_t i = 0; i < out->count; i++) {
        const finding_t *f = &out->items[i];
        bool ok = false;
        for (size_t k = 0; k < nwant && !ok; k++)
            ok = strcmp(want[k].rule, f->rule) == 0 && want[k].line == f->line && want[k].verdict == f->verdict;
        ck_assert_msg(ok, "%s: unexpected %s %s line %u: %s", what, f->rule, verdict_name(f->verdict), f->line,
                      f->explanation ? f->explanation : "");
        ck_assert(f->explanation != NULL);
        ck_assert_int_eq(f->severity, f->verdict == VERDICT_ROUNDING ? SEV_INFO : SEV_ERROR);
    }
    for (size_t k = 0; k < nwant; k++) {
        bool found = false;
        for (size_t i = 0; i < out->count && !found; i++) {
            const finding_t *f = &out->items[i];
            if (strcmp(want[k].rule, f->rule) || want[k].line != f->line || want[k].verdict != f->verdict) continue;
            found = true;
            if (want[k].cause)
                ck_assert_msg(strstr(f->explanation, want[k].cause), "%s line %u: no «%s» in %s", what,
                              f->line, want[k].cause, f->explanation);
        }
        ck_assert_msg(found, "%s: missing %s %s on line %u", what, want[k].rule, verdict_name(want[k].verdict), want[k].line);
    }
}

static void s_assert_summary_adds_up(const narrative_summary_t *m, const findings_t *out)
{
    size_t un = 0;
    for (int i = 0; i < NARR_UNCHECKED_COUNT; i++) un += m->unchecked[i];
    ck_assert_uint_eq(m->items, m->checked + un);
    ck_assert_uint_eq(m->checked, m->exact + m->rounding + m->mismatched);
    ck_assert_uint_eq(out->count, m->rounding + m->mismatched);
}

/* ---- extraction ---- */

START_TEST(test_numbers_as_printed)
{
    narrative_t *n = s_extract(
        "2024年收入预算<u>1,773.19</u>万元，其中：基本支出_674.03 万元，占 3.82 %；\n"
        "项目支出 546. 13 万元，比上年减少 256. 33 万元，下降 31. 94 %。\n"
        "公务接待费１２．５万元，占１０．５％。\n"
        "| 1 | 999.00 万元 | 占 5% |\n"
        "\t基本支出\t88.00 万元\n"
        "住房公积金 92.02 万元，比 2023 年\n"
        "\n"
        "预算增加 22.10 万元，增\n"
        "长 31.61%。\n");
    ck_assert_uint_eq(n->count, 5);
    const narrative_claim_t *c = &n->items[0];
    ck_assert_int_eq(c->amount.value, s_fen("1773.19"));
    ck_assert_int_eq(c->amount.decimals, 2);
    ck_assert_uint_eq(c->amount.line, 1);
    ck_assert_int_eq(c->topic, NARR_TOPIC_INCOME);
    c = &n->items[1];
    ck_assert_str_eq(c->label, "基本支出");
    ck_assert_int_eq(c->amount.value, s_fen("674.03"));
    ck_assert_int_eq(c->share.value, 382);
    ck_assert_int_eq(c->share.decimals, 2);
    c = &n->items[2];
    ck_assert_int_eq(c->amount.value, s_fen("546.13"));
    ck_assert_int_eq(c->change_dir, -1);
    ck_assert_int_eq(c->change.value, s_fen("256.33"));
    ck_assert_int_eq(c->pct_dir, -1);
    ck_assert_int_eq(c->pct.value, 3194);
    ck_assert_uint_eq(c->pct.line, 2);
    c = &n->items[3];                      /* full-width digits and punctuation */
    ck_assert_int_eq(c->amount.value, s_fen("12.5"));
    ck_assert_int_eq(c->amount.decimals, 1);
    ck_assert_int_eq(c->share.value, 105);
    ck_assert_int_eq(c->share.decimals, 1);
    c = &n->items[4];                      /* wrapped over lines 6-9; table lines skipped */
    ck_assert_uint_eq(c->amount.line, 6);
    ck_assert_uint_eq(c->change.line, 8);
    ck_assert_uint_eq(c->pct.line, 9);
    ck_assert_int_eq(c->pct.value, 3161);
    ck_assert_uint_eq(c->prior_year, 2023);
    narrative_destroy(&n);
    ck_assert_ptr_null(n);
}
END_TEST

START_TEST(test_gb18030_and_invalid)
{
    const char *utf8 = "2024年支出预算 100.00 万元，比上年持平。\n";
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    ck_assert(cd != (iconv_t)-1);
    char gb[256], *ip = (char *)utf8, *op = gb;
    size_t il = strlen(utf8), ol = sizeof gb;
    ck_assert(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
    iconv_close(cd);
    char *out, err[256];
    size_t outlen;
    ck_assert_int_eq(narrative_text_utf8(gb, (size_t)(op - gb), &out, &outlen, err, sizeof err), 0);
    ck_assert_str_eq(out, utf8);
    narrative_t *n = s_extract(out);
    ck_assert_uint_eq(n->count, 1);
    ck_assert_int_eq(n->items[0].flat, 1);
    narrative_destroy(&n);
    free(out);
    /* bytes that are neither UTF-8 nor GB18030 to the extractor: refused with the line */
    ck_assert_ptr_null(narrative_extract("ok\n\xff\xfe bad\n", 10, err, sizeof err));
    ck_assert_msg(strstr(err, "第 2 行"), "%s", err);
}
END_TEST

START_TEST(test_seed_claims)
{
    narrative_t *n = s_extract_file("suzhou-2024.txt");
    /* "项目支出 685.92 万\n\n元，占 38.65%": the unit and the share wrap onto line 554 */
    const narrative_claim_t *c = s_claim_at(n, 552, "项目支出");
    ck_assert_int_eq(c->share.value, 3865);
    ck_assert_uint_eq(c->share.line, 554);
    ck_assert_int_eq(c->topic, NARR_TOPIC_EXPENSE);
    c = s_claim_at(n, 562, "单位资金");
    ck_assert_int_eq(c->topic, NARR_TOPIC_PROJECTS);
    ck_assert_int_eq(c->amount.value, 0);
    narrative_destroy(&n);
    n = s_extract_file("dongxihu-2024.txt");
    c = s_claim_at(n, 1056, "行政运行");
    ck_assert_int_eq(c->amount.value, s_fen("546.13"));
    ck_assert_int_eq(c->pct.value, 3194);
    narrative_destroy(&n);
    n = s_extract_file("ningde-2024.txt");
    c = s_claim_at(n, 350, "收入预算");
    ck_assert_int_eq(c->amount.value, s_fen("207172.81"));
    ck_assert_int_eq(c->change.value, s_fen("12220.83"));
    c = s_claim_at(n, 424, "公务用车运行费");
    ck_assert_int_eq(c->pct.value, 10000);
    narrative_destroy(&n);
}
END_TEST

/* ---- the seeds ---- */

static const want_t SUZHOU[] = {
    /* 118.02 ÷ 1773.19 = 6.6558%, printed 6.65; the four shares add to exactly 100.00 */
    { "text.share", 470, VERDICT_MISMATCH, "凑足 100%" },
    { "text.share", 480, VERDICT_MISMATCH, "凑足 100%" },
    /* 31.03 ÷ (99.18 − 31.03) = 45.53%, printed 31.29% = 31.03 ÷ 99.18 */
    { "text.change_percent", 490, VERDICT_MISMATCH, "以本年数 99.18 而非上年数 68.15" },
    /* 15.67 ÷ (49.89 − 15.67) = 45.79%, printed 31.41% = 15.67 ÷ 49.89 */
    { "text.change_percent", 492, VERDICT_MISMATCH, "以本年数 49.89 而非上年数 34.22" },
    /* 0.35 ÷ 4.43 = 7.90%, printed 7.98%: within [7.77%, 8.03%] */
    { "text.change_percent", 504, VERDICT_ROUNDING, NULL },
    /* 77.94 ÷ (416.25 + 77.94) = 15.77%, printed 23.04% = 77.94 ÷ (416.25 − 77.94) */
    { "text.change_percent", 506, VERDICT_MISMATCH, "方向写反" },
    /* 8.90 ÷ (26 − 8.90): 26 is printed without decimals, so 51.99%..52.11% holds 52.01% */
    { "text.change_percent", 522, VERDICT_ROUNDING, NULL },
    /* 706.31 ÷ (685.92 + 706.31) = 50.7323%, at least 50.7315%: printed 50.72% */
    { "text.change_percent", 562, VERDICT_MISMATCH, NULL },
    /* 单位资金安排 0 万元, the 项目支出表 prints 1.43 under 单位资金 */
    { "text.project_funding", 562, VERDICT_MISMATCH, "列错了栏" },
    { NULL, 0, 0, NULL }
};

static const want_t DONGXIHU[] = {
    /* 8.04 ÷ (218.06 + 8.04) = 3.56%, printed 3.82% */
    { "text.change_percent", 1057, VERDICT_MISMATCH, NULL },
    /* 134 ÷ (209 − 134) = 178.67%, printed 39.07% = 134 ÷ (209 + 134) */
    { "text.change_percent", 1060, VERDICT_MISMATCH, "方向写反" },
    /* 三公 0.8 万元, 减少 4 万元, 下降 400%: a fall cannot exceed 100% (4 ÷ 4.8 = 83.33%) */
    { "text.change_percent", 1074, VERDICT_MISMATCH, "不能超过 100%" },
    { NULL, 0, 0, NULL }
};

static const want_t NONE[] = { { NULL, 0, 0, NULL } };

typedef struct {
    const char *text, *csv, *entity;
    const want_t *want;
    size_t min_exact;          /* claims that hold exactly: at least this many */
} seed_case_t;

static const seed_case_t SEEDS[] = {
    { "suzhou-2024.txt", "suzhou-2024.csv", "608", SUZHOU, 60 },
    { "dazhou-2023.txt", "dazhou-2023.csv", "335", NONE, 30 },
    { "dongxihu-2024.txt", "dongxihu-2024.csv", "026", DONGXIHU, 70 },
    { "ningde-2024.txt", "ningde-2024.csv", "nd-ybj", NONE, 40 },
};

START_TEST(test_seed_findings)
{
    const seed_case_t *sc = &SEEDS[_i];
    narrative_t *n = s_extract_file(sc->text);
    submission_list_t list;
    submission_t *s = s_seed(sc->csv, sc->entity, &list);
    findings_t out;
    findings_init(&out);
    narrative_summary_t m;
    size_t nwant_mismatch = 0;
    for (const want_t *w = sc->want; w->rule; w++) nwant_mismatch += w->verdict == VERDICT_MISMATCH;
    ck_assert_int_eq(narrative_check(n, s, NULL, sc->text, &out, &m), (int)nwant_mismatch);
    s_assert_findings(sc->text, &out, sc->want);
    s_assert_summary_adds_up(&m, &out);
    ck_assert_msg(m.exact >= sc->min_exact, "%s: only %zu exact", sc->text, m.exact);
    ck_assert_uint_eq(m.claims, n->count);
    /* with no previous year, every change is "prior year not available" */
    ck_assert_uint_gt(m.unchecked[NARR_UNCHECKED_NO_PRIOR], 0);
    for (size_t i = 0; i < out.count; i++) {
        ck_assert_str_eq(out.items[i].source, sc->text);
        ck_assert_str_eq(out.items[i].entity, sc->entity);
    }
    findings_clear(&out);
    submission_list_free(&list);
    narrative_destroy(&n);
}
END_TEST

/* ---- synthetic texts ---- */

static submission_t *s_synthetic(uint32_t year, int64_t scale_num, int64_t scale_den)
{
    submission_t *s = submission_new("T1", year);
    ck_assert_ptr_nonnull(s);
    static const struct { table_id t; const char *row, *name; column_id c; const char *wan; } F[] = {
        { TABLE_INCOME, "total", "合计", COL_TOTAL, "1000.00" },
        { TABLE_INCOME, "total", "合计", COL_GPB, "800.00" },
        { TABLE_INCOME, "total", "合计", COL_OTHER, "200.00" },
        { TABLE_EXPENSE, "total", "合计", COL_TOTAL, "1000.00" },
        { TABLE_EXPENSE, "total", "合计", COL_BASIC, "600.00" },
        { TABLE_EXPENSE, "total", "合计", COL_PROJECT, "400.00" },
        { TABLE_GPB_FUNC, "total", "合计", COL_TOTAL, "800.00" },
        { TABLE_GPB_FUNC, "208", "社会保障和就业支出", COL_TOTAL, "300.00" },
        { TABLE_GPB_FUNC, "20805", "行政事业单位养老支出", COL_TOTAL, "300.00" },
        { TABLE_GPB_FUNC, "2080505", "机关事业单位基本养老保险缴费支出", COL_TOTAL, "300.00" },
        { TABLE_GPB_FUNC, "210", "卫生健康支出", COL_TOTAL, "500.00" },
        { TABLE_GPB_FUNC, "21011", "行政事业单位医疗", COL_TOTAL, "500.00" },
        { TABLE_GPB_FUNC, "2101101", "行政单位医疗", COL_TOTAL, "500.00" },
        { TABLE_THREE_PUBLIC, "total", "合计", COL_AMOUNT, "10.00" },
        { TABLE_THREE_PUBLIC, "reception", "公务接待费", COL_AMOUNT, "10.00" },
        { TABLE_PROJECTS, "total", "合计", COL_TOTAL, "400.00" },
        { TABLE_PROJECTS, "total", "合计", COL_GPB, "390.00" },
        { TABLE_PROJECTS, "total", "合计", COL_UNIT_FUNDS, "10.00" },
    };
    for (size_t i = 0; i < sizeof F / sizeof F[0]; i++)
        ck_assert_int_eq(submission_add(s, F[i].t, F[i].row, F[i].c, s_fen(F[i].wan) * scale_num / scale_den,
                                        F[i].name, 0), 0);
    submission_sort(s);
    return s;
}

/* Lines 1..14; every slip below replaces one of them. */
static const char *CLEAN[] = {
    "一、收入预算情况",
    "2024年收入预算1,000.00万元，其中：一般公共预算拨款收入800.00万元，占80.00%；其他收入200.00万元，占20.00%。",
    "二、支出预算情况",
    "2024年支出预算1000.00万元，比2023年预算增加100.00万元，增长11.11%。",
    "其中：基本支出600.00万元，占60.00%；项目支出400.00万元，占40.00%。",
    "三、一般公共预算支出情况",
    "2024年一般公共预算支出800.00万元。",
    "1.社会保障和就业支出(类)行政事业单位养老支出(款)机关事业单位基本养老保险缴费支出(项)2024年预算300.00万元，比2023年预算增加60万元，增长25.10%。",
    "2.卫生健康支出-行政事业单位医疗-行政单位医疗 2024年预算数 500.00 万元，比2023年预算减少100.00万元，下降16.67%。",
    "四、\"三公\"经费情况",
    "2024年\"三公\"经费预算10.00万元，比2023年减少10.00万元，下降50.00%。",
    "五、项目支出情况",
    "2024年预算共安排项目支出400.00万元，其中：本年财政拨款安排390.00万元，单位资金安排10.00万元。",
    "六、机关运行经费情况",
    NULL
};

static char *s_text(const char *const *lines, int replace_line, const char *with)
{
    size_t cap = 8192, len = 0;
    char *t = malloc(cap);
    ck_assert_ptr_nonnull(t);
    for (int i = 0; lines[i]; i++) {
        const char *l = i + 1 == replace_line ? with : lines[i];
        len += (size_t)snprintf(t + len, cap - len, "%s\n", l);
    }
    return t;
}

static void s_run(const char *text, const submission_t *s, const submission_t *prior, const want_t *want)
{
    narrative_t *n = s_extract(text);
    findings_t out;
    findings_init(&out);
    narrative_summary_t m;
    ck_assert_int_ge(narrative_check(n, s, prior, "synthetic.txt", &out, &m), 0);
    s_assert_findings(text, &out, want);
    s_assert_summary_adds_up(&m, &out);
    findings_clear(&out);
    narrative_destroy(&n);
}

START_TEST(test_synthetic_clean)
{
    submission_t *s = s_synthetic(2024, 1, 1);
    char *t = s_text(CLEAN, 0, NULL);
    /* 60 is printed without decimals: 59.5 ÷ (300.005 − 59.5) .. 60.5 ÷ (299.995 − 60.5) holds 25.10% */
    static const want_t W[] = { { "text.change_percent", 8, VERDICT_ROUNDING, NULL }, { NULL, 0, 0, NULL } };
    s_run(t, s, NULL, W);
    narrative_t *n = s_extract(t);
    findings_t out;
    findings_init(&out);
    narrative_summary_t m;
    ck_assert_int_eq(narrative_check(n, s, NULL, NULL, &out, &m), 0);
    ck_assert_uint_ge(m.exact, 14);
    findings_clear(&out);
    narrative_destroy(&n);
    free(t);
    submission_destroy(&s);
}
END_TEST

typedef struct {
    int line;
    const char *with;
    want_t want;
} slip_t;

static const slip_t SLIPS[] = {
    /* wrong base: 60 ÷ 300 = 20%, the increase over last year 240 is 25% */
    { 8, "1.社会保障和就业支出(类)行政事业单位养老支出(款)机关事业单位基本养老保险缴费支出(项)2024年预算300.00万元，比2023年预算增加60.00万元，增长20.00%。",
      { "text.change_percent", 8, VERDICT_MISMATCH, "以本年数 300.00 而非上年数 240.00" } },
    /* reversed sign: 增加 … 下降 */
    { 4, "2024年支出预算1000.00万元，比2023年预算增加100.00万元，下降11.11%。",
      { "text.change_sign", 4, VERDICT_MISMATCH, "方向自相矛盾" } },
    /* a fall computed on this year − decrease: 100 ÷ 400 = 25% instead of 100 ÷ 600 */
    { 9, "2.卫生健康支出-行政事业单位医疗-行政单位医疗 2024年预算数 500.00 万元，比2023年预算减少100.00万元，下降25.00%。",
      { "text.change_percent", 9, VERDICT_MISMATCH, "方向写反" } },
    /* share off by more than rounding: 600 ÷ 1000 = 60.00%, at most 60.0010% */
    { 5, "其中：基本支出600.00万元，占60.02%；项目支出400.00万元，占40.00%。",
      { "text.share", 5, VERDICT_MISMATCH, NULL } },
    /* amount off by 0.01 beyond rounding: 800.02 vs 800.00, tolerance 0.01 */
    { 2, "2024年收入预算1,000.00万元，其中：一般公共预算拨款收入800.02万元，占80.00%；其他收入200.00万元，占20.00%。",
      { "text.amount", 2, VERDICT_MISMATCH, "相差 0.02 万元" } },
    /* a fall over 100% */
    { 11, "2024年\"三公\"经费预算10.00万元，比2023年减少10.00万元，下降150.00%。",
      { "text.change_percent", 11, VERDICT_MISMATCH, "不能超过 100%" } },
    /* 项目支出 funding against the 项目支出表 */
    { 13, "2024年预算共安排项目支出400.00万元，其中：本年财政拨款安排390.00万元，单位资金安排0万元。",
      { "text.project_funding", 13, VERDICT_MISMATCH, NULL } },
    /* 持平 with a change */
    { 11, "2024年\"三公\"经费预算10.00万元，比2023年增加1.00万元，与上年持平。",
      { "text.change_sign", 11, VERDICT_MISMATCH, "持平" } },
};

START_TEST(test_synthetic_slip)
{
    const slip_t *sl = &SLIPS[_i];
    submission_t *s = s_synthetic(2024, 1, 1);
    char *t = s_text(CLEAN, sl->line, sl->with);
    want_t w[3] = { sl->want, { NULL, 0, 0, NULL }, { NULL, 0, 0, NULL } };
    if (sl->line != 8) w[1] = (want_t){ "text.change_percent", 8, VERDICT_ROUNDING, NULL };
    s_run(t, s, NULL, w);
    free(t);
    submission_destroy(&s);
}
END_TEST

START_TEST(test_prior_year)
{
    /* last year: every figure × 9/10 except 三公 which is × 2, so that "增加 100.00" on
     * 支出预算 (1000 − 900) holds, "减少 10.00" on 三公 (10 − 20) holds, and the 养老 line's
     * "增加 60" (300 − 270 = 30) does not. */
    submission_t *s = s_synthetic(2024, 1, 1);
    submission_t *p = s_synthetic(2023, 9, 10);
    const fact_t *tp = submission_find(p, TABLE_THREE_PUBLIC, "total", COL_AMOUNT);
    ((fact_t *)tp)->fen = s_fen("20.00");
    char *t = s_text(CLEAN, 0, NULL);
    static const want_t W[] = {
        { "text.change_percent", 8, VERDICT_ROUNDING, NULL },
        /* 300.00 − 270.00 = 30.00, the text says 增加 60 */
        { "text.prior_year", 8, VERDICT_MISMATCH, "= 30.00 万元" },
        /* 500.00 − 450.00 = +50.00, the text says 减少 100.00: the direction is reversed */
        { "text.change_sign", 9, VERDICT_MISMATCH, "增减方向写反" },
        { NULL, 0, 0, NULL }
    };
    s_run(t, s, p, W);
    /* a previous year of another year is not used */
    submission_t *q = s_synthetic(2022, 9, 10);
    narrative_t *n = s_extract(t);
    findings_t out;
    findings_init(&out);
    narrative_summary_t m;
    narrative_check(n, s, q, NULL, &out, &m);
    ck_assert_uint_eq(out.count, 1);                /* the ROUNDING only */
    ck_assert_uint_ge(m.unchecked[NARR_UNCHECKED_NO_PRIOR], 4);
    findings_clear(&out);
    narrative_destroy(&n);
    free(t);
    submission_destroy(&q);
    submission_destroy(&p);
    submission_destroy(&s);
}
END_TEST

START_TEST(test_hostile_text)
{
    /* numbers too long for fen, runs of units and keywords, a paragraph over the cap, NULs
     * excluded (the text is a C string here) — extraction never fails on valid UTF-8 */
    size_t cap = 200000, len = 0;
    char *t = malloc(cap);
    ck_assert_ptr_nonnull(t);
    len += (size_t)snprintf(t + len, cap - len, "收入预算 99999999999999999999.5 万元，占 1234567890123456789%%；");
    len += (size_t)snprintf(t + len, cap - len, "支出预算 999999999999.999999 万元，比上年减少 999999999999 万元，下降 100.000001%%。\n");
    unsigned seed = 7;
    static const char *PIECES[] = {"万元", "%", "占", "增加", "下降", "持平", "。", ";", "1", "9", ".", ",", " ",
                                   "(类)", "(项)", "-", "比", "2023", "年", "\n", "|", "\t", "<u>", "_", "１", "％"};
    while (len + 16 < cap) {
        seed = seed * 1103515245u + 12345u;
        const char *p = PIECES[(seed >> 16) % (sizeof PIECES / sizeof PIECES[0])];
        size_t l = strlen(p);
        memcpy(t + len, p, l);
        len += l;
    }
    t[len] = '\0';
    char err[256];
    narrative_t *n = narrative_extract(t, len, err, sizeof err);
    ck_assert_msg(n != NULL, "%s", err);
    ck_assert_uint_gt(n->count, 0);
    /* the first statement: 20 integer digits are not an amount, 18-digit fen is */
    submission_t *s = s_synthetic(2024, 1, 1);
    findings_t out;
    findings_init(&out);
    narrative_summary_t m;
    ck_assert_int_ge(narrative_check(n, s, s, "hostile", &out, &m), 0);
    s_assert_summary_adds_up(&m, &out);
    char d[256];
    for (size_t i = 0; i < n->count && i < 50; i++) ck_assert_ptr_nonnull(narrative_describe(n, i, s, d, sizeof d));
    findings_clear(&out);
    submission_destroy(&s);
    narrative_destroy(&n);
    free(t);
}
END_TEST

START_TEST(test_describe)
{
    narrative_t *n = s_extract("三、一般公共预算支出情况\n"
                               "1.社会保障和就业支出(类)行政事业单位养老支出(款)机关事业单位基本养老保险缴费支出(项)2024年预算300.00万元。\n"
                               "2.卫生健康支出(类)不存在的款(款)行政单位医疗(项)2024年预算500.00万元。\n"
                               "3.卫生健康支出(类)行政事业单位医疗(款)没有这一项(项)2024年预算1.00万元。\n"
                               "四、政府采购情况\n政府采购预算 5.00 万元。\n");
    submission_t *s = s_synthetic(2024, 1, 1);
    char d[512];
    ck_assert_uint_eq(n->count, 4);
    ck_assert_msg(strstr(narrative_describe(n, 0, s, d, sizeof d), "2080505") && strstr(d, "300.00"), "%s", d);
    /* a 款 name that does not match is not used to filter (the 项 name is unique) */
    ck_assert_msg(strstr(narrative_describe(n, 1, s, d, sizeof d), "2101101"), "%s", d);
    ck_assert_msg(strstr(narrative_describe(n, 2, s, d, sizeof d), "表中无该科目的数"), "%s", d);
    ck_assert_msg(strstr(narrative_describe(n, 3, s, d, sizeof d), "无对应表格"), "%s", d);
    submission_destroy(&s);
    narrative_destroy(&n);
}
END_TEST

/* The text rules are catalogue entries of scope text, each with its default severity. */
START_TEST(test_rule_table)
{
    static const rule_id IDS[] = { RULE_TEXT_AMOUNT, RULE_TEXT_CHANGE_PERCENT, RULE_TEXT_CHANGE_SIGN,
                                   RULE_TEXT_SHARE, RULE_TEXT_PROJECT_FUNDING, RULE_TEXT_PRIOR_YEAR };
    const rule_info_t *cat;
    size_t n = rules_catalogue(&cat), text = 0;
    for (size_t i = 0; i < n; i++) text += cat[i].scope == RULE_SCOPE_TEXT;
    ck_assert_uint_eq(text, sizeof IDS / sizeof IDS[0]);
    for (size_t i = 0; i < sizeof IDS / sizeof IDS[0]; i++) {
        const rule_info_t *r = rules_info(IDS[i]);
        ck_assert(strncmp(r->id, "text.", 5) == 0);
        ck_assert_int_eq(r->scope, RULE_SCOPE_TEXT);
        ck_assert_int_eq(r->severity, SEV_ERROR);
        ck_assert_ptr_eq(rules_find(r->id), r);
        ck_assert_str_eq(rules_scope_name(r->scope), "text");
    }
}
END_TEST

/* A settings file changes the text rules as any other: 宿州 with change_percent = warning
 * and share = off gives its five change_percent MISMATCHes as warnings, no share finding,
 * and the other findings unchanged; the summary still counts every judgement. */
START_TEST(test_settings)
{
    char dir[] = "/tmp/hz-narr-XXXXXX", path[600], err[512] = "";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/rules.conf", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("text.change_percent = warning\ntext.share = off\n", f);
    fclose(f);
    rule_settings_t *set = rule_settings_load(path, err, sizeof err);
    ck_assert_msg(set != NULL, "%s", err);
    narrative_t *n = s_extract_file("suzhou-2024.txt");
    submission_list_t list;
    submission_t *s = s_seed("suzhou-2024.csv", "608", &list);
    findings_t def, out;
    findings_init(&def);
    findings_init(&out);
    narrative_summary_t md, m;
    int nd = narrative_check(n, s, NULL, "suzhou-2024.txt", &def, &md);
    int ns = narrative_check_rules(n, s, NULL, "suzhou-2024.txt", set, &out, &m);
    ck_assert_int_eq(nd, 7);
    size_t warnings = 0, shares = 0, errors = 0;
    for (size_t i = 0; i < out.count; i++) {
        const finding_t *x = &out.items[i];
        shares += strcmp(x->rule, "text.share") == 0;
        if (strcmp(x->rule, "text.change_percent") == 0 && x->verdict == VERDICT_MISMATCH) {
            ck_assert_int_eq(x->severity, SEV_WARNING);
            warnings++;
        } else if (x->verdict == VERDICT_MISMATCH) {
            ck_assert_int_eq(x->severity, SEV_ERROR);
            errors++;
        } else {
            ck_assert_int_eq(x->severity, SEV_INFO);
        }
    }
    ck_assert_uint_eq(shares, 0);
    ck_assert_uint_eq(warnings, 4);       /* L490, L492, L506, L562 */
    ck_assert_uint_eq(errors, 1);         /* L562 text.project_funding */
    ck_assert_int_eq(ns, 5);              /* the MISMATCHes emitted: the two shares are off */
    ck_assert_uint_eq(out.count, def.count - 2);
    ck_assert_uint_eq(m.mismatched, md.mismatched);
    ck_assert_uint_eq(m.checked, md.checked);
    findings_clear(&def);
    findings_clear(&out);
    submission_list_free(&list);
    narrative_destroy(&n);
    rule_settings_destroy(&set);
    unlink(path);
    rmdir(dir);
}
END_TEST

static Suite *narrative_suite(void)
{
    Suite *s = suite_create("narrative");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_numbers_as_printed);
    tcase_add_test(tc, test_gb18030_and_invalid);
    tcase_add_test(tc, test_seed_claims);
    tcase_add_loop_test(tc, test_seed_findings, 0, (int)(sizeof SEEDS / sizeof SEEDS[0]));
    tcase_add_test(tc, test_synthetic_clean);
    tcase_add_loop_test(tc, test_synthetic_slip, 0, (int)(sizeof SLIPS / sizeof SLIPS[0]));
    tcase_add_test(tc, test_prior_year);
    tcase_add_test(tc, test_hostile_text);
    tcase_add_test(tc, test_describe);
    tcase_add_test(tc, test_rule_table);
    tcase_add_test(tc, test_settings);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return testkit_run(narrative_suite());
}
