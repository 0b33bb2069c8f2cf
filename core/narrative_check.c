/* narrative_check.c -- the text.* rules: a narrative's claims against its tables.
 *
 * Two parts. Resolving a claim's subject to a table figure: the topic of the passage picks
 * the table (收入预算 -> 收入总表, 一般公共预算 -> 一般公共预算支出表, ...), the label picks the
 * row and column (a fund source, 基本支出, a function subject by code, by its 类/款/项 name
 * chain or by its name alone). Judging: every relation is checked with interval arithmetic
 * over the printed precision of each number, in doubled fen (so that half a unit of a
 * 6-decimal amount is still an integer) and with 128-bit cross-multiplication for ratios.
 *
 * Invariants:
 *  1. A relation is EXACT when it holds for the numbers as printed (a percentage: the exact
 *     ratio rounds to the printed digits), ROUNDING when it holds for some values within
 *     half a unit of every printed number, MISMATCH otherwise. Nothing else is an error.
 *  2. A subject that names no figure, or several different ones, is counted as not
 *     checkable with its reason; it is never matched loosely.
 *  3. Judging is linear in the number of claims: whatever looks at a claim's neighbours
 *     (the whole of a share, the shares' sum, the other funding lines) is computed once per
 *     paragraph or bounded by NEIGHBOURS_MAX.
 */
#include "narrative_check.h"

#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amount.h"
#include "json.h"
#include "rules_engine.h"

typedef __int128 i128;

/* Printed table figures carry 2 decimals of 万元: in doubled fen, one unit of their last digit. */
#define TABLE_UNIT_DOUBLED (2 * AMOUNT_HALF_PRINTED_UNIT)
/* Extra decimals shown beyond a printed percentage when spelling out a ratio. */
#define RATIO_EXTRA_DECIMALS 2
/* Longest Chinese subject name compared (bytes). */
#define NAME_MAX_BYTES 256
/* Claims of the same paragraph looked at for the cause of a funding mismatch. */
#define NEIGHBOURS_MAX 64
/* A row name found at the end of a longer label must be at least this long (bytes: three
 * Chinese characters), so that a short name like 其他 never matches by accident. */
#define NAME_SUFFIX_MIN 9

/* The rule ids this module emits, in the catalogue (core/rules_catalogue.c, scope text). */
static const rule_id TEXT_RULES[] = {
    RULE_TEXT_AMOUNT, RULE_TEXT_CHANGE_PERCENT, RULE_TEXT_CHANGE_SIGN, RULE_TEXT_SHARE,
    RULE_TEXT_PROJECT_FUNDING, RULE_TEXT_PRIOR_YEAR,
};

bool rules_text_registered(rule_id id)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof TEXT_RULES / sizeof TEXT_RULES[0]; i++) n += TEXT_RULES[i] == id;
    return n == 1;
}

const char *narrative_unchecked_label(narrative_unchecked u)
{
    switch (u) {
    case NARR_UNCHECKED_NO_FIGURE: return "表中无该科目的数";
    case NARR_UNCHECKED_NO_PRIOR: return "无上年数";
    case NARR_UNCHECKED_AMBIGUOUS: return "科目不明确（对应多个不同的数）";
    case NARR_UNCHECKED_NO_BASE: return "上年数为 0，增幅无定义";
    case NARR_UNCHECKED_NO_TABLE: return "该段所述事项无对应表格";
    default: return "?";
    }
}

/* ---- small text helpers ---- */

/* Explanations are built with rules_text_printf (core/rules.h), like every rule's. */

static bool s_has(const char *s, const char *lit) { return strstr(s, lit) != NULL; }

/* Copies s without blanks (names wrap and carry spaces in extracted text). */
static void s_squeeze(const char *s, size_t n, char out[NAME_MAX_BYTES])
{
    size_t o = 0;
    for (size_t i = 0; i < n && s[i] && o + 1 < NAME_MAX_BYTES; i++)
        if (s[i] != ' ') out[o++] = s[i];
    out[o] = '\0';
}

static bool s_ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return b <= a && memcmp(s + a - b, suffix, b) == 0;
}

/* Two subject names are the same when equal, or equal but for a trailing 支出. */
static bool s_same_name(const char *a, const char *b)
{
    if (strcmp(a, b) == 0) return true;
    size_t la = strlen(a), lb = strlen(b), lz = strlen("支出");
    if (la == lb + lz && s_ends_with(a, "支出") && memcmp(a, b, lb) == 0) return true;
    if (lb == la + lz && s_ends_with(b, "支出") && memcmp(a, b, la) == 0) return true;
    return false;
}

/* ---- numbers ---- */

static int64_t s_unit_doubled(int decimals)   /* one unit of the last digit, in fen (= half unit doubled) */
{
    int64_t u = 1;
    for (int i = decimals; i < 6; i++) u *= 10;
    return u;
}

static int64_t s_pow10(int n)
{
    int64_t v = 1;
    while (n-- > 0) v *= 10;
    return v;
}

/* a − b for figures that may come from hostile input: saturates instead of wrapping, so a
 * saturated difference can only make a relation fail. */
static int64_t s_sat_sub(int64_t a, int64_t b)
{
    i128 d = (i128)a - b;
    return d > INT64_MAX ? INT64_MAX : d < INT64_MIN ? INT64_MIN : (int64_t)d;
}

static int64_t s_sat_add(int64_t a, int64_t b)
{
    i128 d = (i128)a + b;
    return d > INT64_MAX ? INT64_MAX : d < INT64_MIN ? INT64_MIN : (int64_t)d;
}

static const char *s_amt(const narrative_number_t *n, char buf[NARRATIVE_NUM_BUF])
{
    return narrative_format_amount(n->value, n->decimals, buf);
}

static const char *s_fen(int64_t fen, char buf[NARRATIVE_NUM_BUF])
{
    return narrative_format_amount(fen, 2, buf);
}

/* num/den as a percentage with `decimals` decimals, rounded half up (den > 0, num >= 0). */
static const char *s_ratio(i128 num, i128 den, int decimals, char buf[NARRATIVE_NUM_BUF])
{
    if (den <= 0) { snprintf(buf, NARRATIVE_NUM_BUF, "∞"); return buf; }
    i128 scaled = num * 100 * s_pow10(decimals);
    i128 q = (2 * scaled + den) / (2 * den);
    if (q > INT64_MAX || q < INT64_MIN) { snprintf(buf, NARRATIVE_NUM_BUF, "∞"); return buf; }
    return narrative_format_scaled((int64_t)q, decimals, buf);
}

/* Whether n/d lies in the printed percentage's interval [(2p-1)/S, (2p+1)/S], S = 200·10^dp. */
typedef struct { i128 lo_n, lo_d, hi_n, hi_d; } s_range_t;   /* hi_d <= 0: no upper bound */

static verdict_t s_classify(i128 n0, i128 d0, s_range_t r, int64_t p, int dp)
{
    i128 S = (i128)200 * s_pow10(dp);
    i128 plo = 2 * (i128)p - 1, phi = 2 * (i128)p + 1;
    if (d0 > 0 && n0 * S >= plo * d0 && n0 * S <= phi * d0) return VERDICT_EXACT;
    if (r.lo_n < 0) r.lo_n = 0;
    bool lo_ok = r.lo_d > 0 && r.lo_n * S <= phi * r.lo_d;
    bool hi_ok = r.hi_d <= 0 || r.hi_n * S >= plo * r.hi_d;
    return lo_ok && hi_ok ? VERDICT_ROUNDING : VERDICT_MISMATCH;
}

/* Ratio a/b of two printed amounts (doubled fen, units ua, ub) as a range. */
static s_range_t s_range_div(i128 a2, i128 ua, i128 b2, i128 ub)
{
    s_range_t r = { a2 - ua, b2 + ub, a2 + ua, b2 - ub };
    return r;
}

/* ---- resolving a subject to a table figure ---- */

typedef enum { RES_FOUND, RES_NO_FIGURE, RES_AMBIGUOUS, RES_NO_TABLE } s_res_kind;

typedef struct {
    s_res_kind kind;
    table_id table;
    char row[SUBMISSION_ROW_MAX + 1];
    column_id column;
    int64_t fen;
    uint32_t terms;          /* printed figures summed */
    char what[384];          /* "项目支出表 合计 / 单位资金" */
    rule_id rule;            /* RULE_TEXT_AMOUNT or RULE_TEXT_PROJECT_FUNDING */
} s_fig_t;

static const fact_t *s_fact(const submission_t *s, table_id t, const char *row, column_id c)
{
    return submission_find(s, t, row, c);
}

static bool s_set_fact(s_fig_t *f, const submission_t *s, table_id t, const char *row, column_id c)
{
    const fact_t *x = s_fact(s, t, row, c);
    if (!x) return false;
    f->kind = RES_FOUND;
    f->table = t;
    snprintf(f->row, sizeof f->row, "%s", row);
    f->column = c;
    f->fen = x->fen;
    f->terms = 1;
    const char *rl = table_fixed_row_label(t, row);
    if (rl) snprintf(f->what, sizeof f->what, "%s %s / %s", table_label(t), rl, column_label(t, c));
    else snprintf(f->what, sizeof f->what, "%s %s %s / %s", table_label(t), row, x->name ? x->name : "",
                  column_label(t, c));
    return true;
}

/* Sum of the columns present on one row; false when none is. */
static bool s_set_sum(s_fig_t *f, const submission_t *s, table_id t, const char *row,
                      const column_id *cols, size_t ncols)
{
    int64_t sum = 0;
    uint32_t terms = 0;
    char names[256] = "";
    column_id first = COL_NONE;
    for (size_t i = 0; i < ncols; i++) {
        const fact_t *x = s_fact(s, t, row, cols[i]);
        if (!x) continue;
        sum = s_sat_add(sum, x->fen);
        if (!terms) first = cols[i];
        terms++;
        size_t l = strlen(names);
        snprintf(names + l, sizeof names - l, "%s%s", l ? " + " : "", column_label(t, cols[i]));
    }
    if (!terms) return false;
    f->kind = RES_FOUND;
    f->table = t;
    snprintf(f->row, sizeof f->row, "%s", row);
    f->column = terms == 1 ? first : COL_NONE;
    f->fen = sum;
    f->terms = terms;
    const char *rl = table_fixed_row_label(t, row);
    snprintf(f->what, sizeof f->what, "%s %s / %s", table_label(t), rl ? rl : row, names);
    return true;
}

/* Sum of one column over several rows (人员经费 = 301 + 303). */
static bool s_set_rows(s_fig_t *f, const submission_t *s, table_id t, const char *const *rows,
                       size_t nrows, column_id c)
{
    int64_t sum = 0;
    uint32_t terms = 0;
    char names[256] = "";
    for (size_t i = 0; i < nrows; i++) {
        const fact_t *x = s_fact(s, t, rows[i], c);
        if (!x) continue;
        sum = s_sat_add(sum, x->fen);
        terms++;
        size_t l = strlen(names);
        snprintf(names + l, sizeof names - l, "%s%s %s", l ? " + " : "", rows[i], x->name ? x->name : "");
    }
    if (!terms) return false;
    f->kind = RES_FOUND;
    f->table = t;
    snprintf(f->row, sizeof f->row, "%s", terms == 1 ? rows[0] : "");
    f->column = c;
    f->fen = sum;
    f->terms = terms;
    snprintf(f->what, sizeof f->what, "%s %s / %s", table_label(t), names, column_label(t, c));
    return true;
}

/* Whether the economic table has basic figures on classes other than 301/302/303, which
 * makes 人员经费/公用经费 not a sum of fixed classes. */
static bool s_econ_other_classes(const submission_t *s)
{
    for (size_t i = 0; i < s->count; i++) {
        const fact_t *x = &s->facts[i];
        if (x->table != TABLE_GPB_ECON || x->column != COL_BASIC || strlen(x->row) != 3) continue;
        if (strcmp(x->row, "301") && strcmp(x->row, "302") && strcmp(x->row, "303") && x->fen != 0) return true;
    }
    return false;
}

/* Strips a list marker ("- 3.", "(七)", "1、", "（一）") from the front of a label. */
static const char *s_skip_marker(const char *s)
{
    for (;;) {
        while (*s == ' ' || *s == '-') s++;
        const char *t = s;
        while (*t >= '0' && *t <= '9') t++;
        if (t > s && (*t == '.' || *t == ')' || strncmp(t, "、", strlen("、")) == 0)) {
            s = *t == '.' || *t == ')' ? t + 1 : t + strlen("、");
            continue;
        }
        if (*s == '(') {
            const char *e = strchr(s, ')');
            if (e && e - s <= 16 && !(e - s >= 3 && (strncmp(e - 3, "类", 3) == 0 || strncmp(e - 3, "款", 3) == 0 || strncmp(e - 3, "项", 3) == 0))) {
                s = e + 1;
                continue;
            }
        }
        return s;
    }
}

typedef struct {
    char part[3][NAME_MAX_BYTES];   /* 类, 款, 项 names ("" if not printed) */
    int level;                      /* 3, 5 or 7: the level of the last part printed; 0 if none */
    char code[8];                   /* a printed code, "" if none */
    char plain[NAME_MAX_BYTES];     /* the label as a plain name */
} s_subject_t;

/* Cuts a name at the first ASCII digit ("行政单位医疗 2024 年预算数" -> "行政单位医疗"). */
static size_t s_name_len(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= '0' && s[i] <= '9') return i;
    return n;
}

static void s_parse_subject(const char *label, s_subject_t *sub)
{
    memset(sub, 0, sizeof *sub);
    const char *s = s_skip_marker(label);
    /* a code: 3, 5 or 7 digits, then '-' or a name */
    size_t d = 0;
    while (s[d] >= '0' && s[d] <= '9') d++;
    if ((d == 3 || d == 5 || d == 7) && s[d] && s[d] != ' ' && s[d] != '.') {
        memcpy(sub->code, s, d);
        sub->code[d] = '\0';
        return;
    }
    static const char *MARK[3] = {"(类)", "(款)", "(项)"};
    const char *p = s;
    bool structured = false;
    for (;;) {
        const char *best = NULL;
        int bi = -1;
        for (int k = 0; k < 3; k++) {
            const char *m = strstr(p, MARK[k]);
            if (!m) {                         /* "(项)" may be printed with a blank: "机构 (项)" */
                continue;
            }
            if (!best || m < best) { best = m; bi = k; }
        }
        if (!best) break;
        structured = true;
        s_squeeze(p, (size_t)(best - p), sub->part[bi]);
        sub->level = bi == 0 ? 3 : bi == 1 ? 5 : 7;
        p = best + strlen(MARK[bi]);
    }
    if (structured) return;
    /* "类-款-项" */
    const char *dash = strchr(s, '-');
    if (dash && dash > s) {
        int k = 0;
        p = s;
        while (k < 3) {
            const char *e = strchr(p, '-');
            size_t n = e ? (size_t)(e - p) : strlen(p);
            if (!e) n = s_name_len(p, n);
            s_squeeze(p, n, sub->part[k]);
            k++;
            if (!e) break;
            p = e + 1;
        }
        sub->level = k == 1 ? 3 : k == 2 ? 5 : 7;
        if (k == 1) sub->level = 0;
        return;
    }
    s_squeeze(s, s_name_len(s, strlen(s)), sub->plain);
}

static bool s_row_is_code(const char *row, size_t len)
{
    if (strlen(row) != len) return false;
    for (size_t i = 0; i < len; i++)
        if (row[i] < '0' || row[i] > '9') return false;
    return true;
}

/* The name printed on a function row (code of length len), or NULL. */
static const char *s_row_name(const submission_t *s, table_id t, const char *code)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->facts[i].table == t && strcmp(s->facts[i].row, code) == 0 && s->facts[i].name)
            return s->facts[i].name;
    return NULL;
}

/* Resolves a function subject on table t (column total): by code, by 类/款/项 chain, or by
 * plain name. */
static void s_resolve_function(const submission_t *s, table_id t, const s_subject_t *sub, s_fig_t *f)
{
    f->kind = RES_NO_FIGURE;
    if (sub->code[0]) {
        if (!s_set_fact(f, s, t, sub->code, COL_TOTAL)) f->kind = RES_NO_FIGURE;
        return;
    }
    const char *want = NULL;
    size_t level = 0;
    if (sub->level) {
        want = sub->part[sub->level == 3 ? 0 : sub->level == 5 ? 1 : 2];
        level = (size_t)sub->level;
    } else if (sub->plain[0]) {
        want = sub->plain;
    }
    if (!want || !*want) return;
    /* candidates: rows of the wanted level (any level for a plain name) whose name matches */
    const char *found = NULL;
    int64_t found_fen = 0;
    size_t best_len = 0;
    bool ambiguous = false;
    for (int pass = 0; pass < 3; pass++) {    /* 0: filter by 类 and 款, 1: by 类, 2: none */
        found = NULL;
        ambiguous = false;
        best_len = 0;
        for (size_t i = 0; i < s->count; i++) {
            const fact_t *x = &s->facts[i];
            if (x->table != t || x->column != COL_TOTAL || !x->name) continue;
            size_t rl = strlen(x->row);
            if (!(rl == 3 || rl == 5 || rl == 7) || !s_row_is_code(x->row, rl)) continue;
            if (level && rl != level) continue;
            char nm[NAME_MAX_BYTES];
            s_squeeze(x->name, strlen(x->name), nm);
            size_t ml = 0;
            if (level) {
                if (!s_same_name(nm, want)) continue;
                ml = strlen(nm);
            } else {
                /* plain: the label ends with the row's name (or with it and 支出) */
                char withz[NAME_MAX_BYTES + 8];
                snprintf(withz, sizeof withz, "%s支出", nm);
                if (!(strcmp(want, nm) == 0 || strcmp(want, withz) == 0 ||
                      (strlen(nm) >= NAME_SUFFIX_MIN && (s_ends_with(want, nm) || s_ends_with(want, withz)))))
                    continue;
                ml = strlen(nm);
            }
            if (level && pass < 2 && sub->part[0][0] && level > 3) {
                char cls[4];
                memcpy(cls, x->row, 3);
                cls[3] = '\0';
                const char *cn = s_row_name(s, t, cls);
                char cnm[NAME_MAX_BYTES];
                s_squeeze(cn ? cn : "", cn ? strlen(cn) : 0, cnm);
                if (!cn || !s_same_name(cnm, sub->part[0])) continue;
            }
            if (level == 7 && pass < 1 && sub->part[1][0]) {
                char kuan[6];
                memcpy(kuan, x->row, 5);
                kuan[5] = '\0';
                const char *kn = s_row_name(s, t, kuan);
                char knm[NAME_MAX_BYTES];
                s_squeeze(kn ? kn : "", kn ? strlen(kn) : 0, knm);
                if (!kn || !s_same_name(knm, sub->part[1])) continue;
            }
            if (ml < best_len) continue;
            if (ml > best_len || !found) { found = x->row; found_fen = x->fen; best_len = ml; ambiguous = false; continue; }
            if (strcmp(found, x->row) != 0 && x->fen != found_fen) ambiguous = true;
        }
        if (found) break;
        if (!level) break;
    }
    if (!found) return;
    if (ambiguous) { f->kind = RES_AMBIGUOUS; return; }
    s_set_fact(f, s, t, found, COL_TOTAL);
}

static void s_resolve(const submission_t *s, const narrative_claim_t *c, s_fig_t *f)
{
    memset(f, 0, sizeof *f);
    f->kind = RES_NO_FIGURE;
    f->rule = RULE_TEXT_AMOUNT;
    if (!s) return;
    char L[NAME_MAX_BYTES];
    s_squeeze(c->label, strlen(c->label), L);
    s_subject_t sub;
    switch (c->topic) {
    case NARR_TOPIC_NONE:
    case NARR_TOPIC_OTHER:
    case NARR_TOPIC_OPEX:
        f->kind = RES_NO_TABLE;
        return;
    case NARR_TOPIC_THREE_PUBLIC: {
        const char *row = "total";
        if (s_has(L, "购置及运行") || s_has(L, "购置和运行")) row = "vehicle";
        else if (s_has(L, "购置")) row = "vehicle_purchase";
        else if (s_has(L, "运行")) row = "vehicle_operation";
        else if (s_has(L, "出国")) row = "abroad";
        else if (s_has(L, "接待")) row = "reception";
        s_set_fact(f, s, TABLE_THREE_PUBLIC, row, COL_AMOUNT);
        return;
    }
    case NARR_TOPIC_SUMMARY:
        if (s_has(L, "收支") || s_has(L, "总预算")) s_set_fact(f, s, TABLE_SUMMARY, "income_total", COL_AMOUNT);
        return;
    case NARR_TOPIC_INCOME: {
        static const struct { const char *kw; column_id col; } SRC[] = {
            {"一般公共预算", COL_GPB}, {"政府性基金", COL_GFB}, {"国有资本经营", COL_SOE},
            {"财政专户", COL_FSM}, {"事业单位经营", COL_OPS}, {"事业收入", COL_BIZ},
            {"上级补助", COL_UPPER}, {"附属单位上缴", COL_SUB}, {"其他收入", COL_OTHER},
            {"上年结转", COL_CARRY}, {"收入预算", COL_TOTAL}, {"收入合计", COL_TOTAL}, {"收入总计", COL_TOTAL},
        };
        for (size_t k = 0; k < sizeof SRC / sizeof SRC[0]; k++)
            if (s_has(L, SRC[k].kw)) { s_set_fact(f, s, TABLE_INCOME, "total", SRC[k].col); return; }
        return;
    }
    case NARR_TOPIC_EXPENSE: {
        static const struct { const char *kw; column_id col; } DST[] = {
            {"事业单位经营", COL_OPS}, {"上缴上级", COL_TO_UPPER}, {"对附属单位", COL_TO_SUB},
            {"基本支出", COL_BASIC}, {"项目支出", COL_PROJECT}, {"支出预算", COL_TOTAL}, {"支出合计", COL_TOTAL},
        };
        for (size_t k = 0; k < sizeof DST / sizeof DST[0]; k++)
            if (s_has(L, DST[k].kw)) { s_set_fact(f, s, TABLE_EXPENSE, "total", DST[k].col); return; }
        return;
    }
    case NARR_TOPIC_FISCAL: {
        if (s_has(L, "收支")) { s_set_fact(f, s, TABLE_FISCAL, "income_total", COL_TOTAL); return; }
        bool cur = s_has(L, "本年"), carry = s_has(L, "结转");
        const char *fund = s_has(L, "一般公共预算") ? "gpb" : s_has(L, "政府性基金") ? "gfb" :
                           s_has(L, "国有资本经营") ? "soe" : NULL;
        if (fund && (cur || carry)) {
            char row[16];
            snprintf(row, sizeof row, "%s_%s", cur ? "cur" : "carry", fund);
            s_set_fact(f, s, TABLE_FISCAL, row, COL_TOTAL);
            return;
        }
        if (cur || carry) {
            const char *rows[3][3] = {{"cur_gpb", "cur_gfb", "cur_soe"}, {"carry_gpb", "carry_gfb", "carry_soe"}};
            s_set_rows(f, s, TABLE_FISCAL, rows[cur ? 0 : 1], 3, COL_TOTAL);
            return;
        }
        if (fund && strcmp(fund, "gpb") == 0) {
            if (!s_set_fact(f, s, TABLE_FISCAL, "expense_total", COL_GPB))
                s_set_fact(f, s, TABLE_FISCAL, "cur_gpb", COL_TOTAL);
            return;
        }
        s_parse_subject(c->label, &sub);
        s_resolve_function(s, TABLE_FISCAL, &sub, f);
        return;
    }
    case NARR_TOPIC_GPB: {
        s_parse_subject(c->label, &sub);
        if (sub.code[0] || sub.level) { s_resolve_function(s, TABLE_GPB_FUNC, &sub, f); return; }
        /* 基本/项目支出: the function table's total line, else the economic table's */
        if (s_has(L, "基本支出") || s_has(L, "项目支出")) {
            column_id col = s_has(L, "基本支出") ? COL_BASIC : COL_PROJECT;
            if (!s_set_fact(f, s, TABLE_GPB_FUNC, "total", col)) s_set_fact(f, s, TABLE_GPB_ECON, "total", col);
            return;
        }
        if (s_has(L, "人员经费") || s_has(L, "公用经费")) {
            bool pers = s_has(L, "人员经费");
            column_id col = pers ? COL_PERSONNEL : COL_PUBLIC;
            if (s_set_fact(f, s, TABLE_GPB_FUNC, "total", col)) return;
            if (s_set_fact(f, s, TABLE_GPB_ECON, "total", col)) return;
            if (s_econ_other_classes(s)) { f->kind = RES_AMBIGUOUS; return; }
            static const char *PERS[] = {"301", "303"}, *PUB[] = {"302"};
            s_set_rows(f, s, TABLE_GPB_ECON, pers ? PERS : PUB, pers ? 2 : 1, COL_BASIC);
            return;
        }
        static const struct { const char *kw; const char *row; } ECON[] = {
            {"工资福利支出", "301"}, {"商品和服务支出", "302"}, {"对个人和家庭的补助", "303"},
        };
        for (size_t k = 0; k < sizeof ECON / sizeof ECON[0]; k++)
            if (s_has(L, ECON[k].kw)) { s_set_fact(f, s, TABLE_GPB_ECON, ECON[k].row, COL_BASIC); return; }
        s_resolve_function(s, TABLE_GPB_FUNC, &sub, f);
        if (f->kind != RES_NO_FIGURE) return;
        if (s_has(L, "一般公共预算") || s_has(L, "本年预算") || s_has(L, "合计"))
            s_set_fact(f, s, TABLE_GPB_FUNC, "total", COL_TOTAL);
        return;
    }
    case NARR_TOPIC_PROJECTS: {
        f->rule = RULE_TEXT_PROJECT_FUNDING;
        if (s_has(L, "单位资金")) { s_set_fact(f, s, TABLE_PROJECTS, "total", COL_UNIT_FUNDS); return; }
        if (s_has(L, "财政专户")) { s_set_fact(f, s, TABLE_PROJECTS, "total", COL_FSM); return; }
        if (s_has(L, "上级转移支付")) {
            static const column_id X[] = {COL_XFER_GPB, COL_XFER_GFB};
            s_set_sum(f, s, TABLE_PROJECTS, "total", X, 2);
            return;
        }
        static const struct { const char *kw; column_id cur, carry; } FUND[] = {
            {"一般公共预算", COL_GPB, COL_CARRY_GPB}, {"政府性基金", COL_GFB, COL_CARRY_GFB},
            {"国有资本经营", COL_SOE, COL_CARRY_SOE},
        };
        for (size_t k = 0; k < sizeof FUND / sizeof FUND[0]; k++)
            if (s_has(L, FUND[k].kw) && !s_has(L, "全部为")) {
                s_set_fact(f, s, TABLE_PROJECTS, "total", s_has(L, "结转") ? FUND[k].carry : FUND[k].cur);
                return;
            }
        if (s_has(L, "结转")) {
            static const column_id X[] = {COL_CARRY_GPB, COL_CARRY_GFB, COL_CARRY_SOE};
            s_set_sum(f, s, TABLE_PROJECTS, "total", X, 3);
            return;
        }
        if (s_has(L, "财政拨款")) {
            static const column_id X[] = {COL_GPB, COL_GFB, COL_SOE};
            s_set_sum(f, s, TABLE_PROJECTS, "total", X, 3);
            return;
        }
        f->rule = RULE_TEXT_AMOUNT;
        if (s_has(L, "项目支出")) { s_set_fact(f, s, TABLE_PROJECTS, "total", COL_TOTAL); return; }
        /* a project by its printed title */
        const char *sep = strrchr(c->label, ':');
        char want[NAME_MAX_BYTES];
        s_squeeze(sep ? sep + 1 : c->label, strlen(sep ? sep + 1 : c->label), want);
        const fact_t *hit = NULL;
        for (size_t i = 0; i < s->count; i++) {
            const fact_t *x = &s->facts[i];
            if (x->table != TABLE_PROJECTS || x->column != COL_TOTAL || !x->name || strcmp(x->row, "total") == 0) continue;
            char nm[NAME_MAX_BYTES];
            s_squeeze(x->name, strlen(x->name), nm);
            if (strcmp(nm, want) != 0) continue;
            if (hit && hit->fen != x->fen) { f->kind = RES_AMBIGUOUS; return; }
            hit = x;
        }
        if (hit) s_set_fact(f, s, TABLE_PROJECTS, hit->row, COL_TOTAL);
        return;
    }
    }
}

/* ---- the check ---- */

typedef struct {
    const narrative_t *n;
    const submission_t *s, *prior;
    const char *source;
    const rule_settings_t *set;
    findings_t *out;
    narrative_summary_t *sum;
    int mismatches;
    int oom;
    /* the paragraph of the claim being judged, computed once per paragraph so that a
     * hostile text with many claims in one paragraph stays linear (invariant 3) */
    int para_valid;
    size_t para_b, para_e;         /* its claims are items[para_b, para_e) */
    long whole;                    /* the whole its shares are of, -1 none, -2 not computed */
    int sums_valid;
    i128 printed, rounded;         /* sums of its printed and correctly rounded shares */
    int nshares, same_dp;
} s_ctx_t;

static void s_para(s_ctx_t *x, size_t i)
{
    if (x->para_valid && i >= x->para_b && i < x->para_e) return;
    uint32_t p = x->n->items[i].paragraph;
    size_t b = i, e = i + 1;
    while (b > 0 && x->n->items[b - 1].paragraph == p) b--;
    while (e < x->n->count && x->n->items[e].paragraph == p) e++;
    x->para_valid = 1;
    x->para_b = b;
    x->para_e = e;
    x->whole = -2;
    x->sums_valid = 0;
}

static void s_emit(s_ctx_t *x, rule_id rule, verdict_t v, const narrative_claim_t *c, uint32_t line,
                   const s_fig_t *fig, int64_t expected, int64_t actual, uint32_t terms, rules_text_t *expl)
{
    x->sum->checked++;
    if (v == VERDICT_EXACT) { x->sum->exact++; return; }
    if (v == VERDICT_ROUNDING) x->sum->rounding++;
    else x->sum->mismatched++;
    /* the summary counts the arithmetic; a rule switched off by the settings emits nothing */
    severity_t sev = rule_settings_severity(x->set, rule);
    if (sev == SEV_OFF) return;
    if (v == VERDICT_MISMATCH) x->mismatches++;
    finding_t f;
    memset(&f, 0, sizeof f);
    snprintf(f.rule, sizeof f.rule, "%s", rules_info(rule)->id);
    f.verdict = v;
    f.severity = v == VERDICT_ROUNDING ? SEV_INFO : sev;
    if (x->s) { snprintf(f.entity, sizeof f.entity, "%s", x->s->entity); f.year = x->s->year; }
    if (fig && fig->kind == RES_FOUND) {
        f.table = fig->table;
        snprintf(f.row, sizeof f.row, "%s", fig->row);
        f.column = fig->column;
    }
    f.expected = expected;
    f.actual = actual;
    f.terms = terms;
    f.line = line;
    f.source = (char *)x->source;
    (void)c;
    f.explanation = expl->oom ? NULL : expl->buf;
    if (!findings_push(x->out, &f)) x->oom = 1;
    if (expl->oom) x->oom = 1;
}

static void s_unchecked(s_ctx_t *x, narrative_unchecked why) { x->sum->unchecked[why]++; }

static void s_quote(rules_text_t *t, const narrative_claim_t *c, uint32_t line)
{
    rules_text_printf(t, "第 %u 行「%s」：", line, c->sentence);
}

static const char *s_verdict_zh(verdict_t v)
{
    return v == VERDICT_EXACT ? "相符" : v == VERDICT_ROUNDING ? "在舍入范围内（ROUNDING）" : "不符（MISMATCH）";
}

static void s_check_amount(s_ctx_t *x, const narrative_claim_t *c, const s_fig_t *fig)
{
    if (!c->amount.present) return;
    x->sum->items++;
    if (fig->kind == RES_NO_TABLE) { s_unchecked(x, NARR_UNCHECKED_NO_TABLE); return; }
    if (fig->kind == RES_AMBIGUOUS) { s_unchecked(x, NARR_UNCHECKED_AMBIGUOUS); return; }
    if (fig->kind != RES_FOUND) { s_unchecked(x, NARR_UNCHECKED_NO_FIGURE); return; }
    int64_t a = c->amount.value, t = fig->fen;
    i128 diff2 = 2 * ((i128)a - t);
    if (diff2 < 0) diff2 = -diff2;
    i128 tol2 = s_unit_doubled(c->amount.decimals) + (i128)fig->terms * TABLE_UNIT_DOUBLED;
    verdict_t v = a == t ? VERDICT_EXACT : diff2 <= tol2 ? VERDICT_ROUNDING : VERDICT_MISMATCH;
    rules_text_t e = {0};
    if (v != VERDICT_EXACT) {
        char b1[NARRATIVE_NUM_BUF], b2[NARRATIVE_NUM_BUF], b3[NARRATIVE_NUM_BUF], b4[NARRATIVE_NUM_BUF], b5[NARRATIVE_NUM_BUF];
        s_quote(&e, c, c->amount.line);
        rules_text_printf(&e, "说明「%s」%s 万元，%s 为 %s 万元，相差 %s 万元；舍入容差 %s 万元（说明数 ±%s，表中 %u 个数各 ±0.005）→ %s",
                 c->label, s_amt(&c->amount, b1), fig->what, s_fen(t, b2),
                 narrative_format_amount(a > t ? s_sat_sub(a, t) : s_sat_sub(t, a), 2, b3),
                 narrative_format_amount((int64_t)(tol2 / 2), 2, b4),
                 narrative_format_amount(s_unit_doubled(c->amount.decimals) / 2, c->amount.decimals + 1, b5),
                 fig->terms, s_verdict_zh(v));
        if (v == VERDICT_MISMATCH && fig->rule == RULE_TEXT_PROJECT_FUNDING) {
            /* the figure the table prints here may be another funding line of the narrative */
            size_t ci = (size_t)(c - x->n->items);
            s_para(x, ci);
            size_t lo = ci > x->para_b + NEIGHBOURS_MAX ? ci - NEIGHBOURS_MAX : x->para_b;
            size_t hi = ci + NEIGHBOURS_MAX < x->para_e ? ci + NEIGHBOURS_MAX : x->para_e;
            for (size_t i = lo; i < hi; i++) {
                const narrative_claim_t *o = &x->n->items[i];
                if (o == c || !o->amount.present || o->amount.value != t || t == 0) continue;
                rules_text_printf(&e, "。可能原因：表中此栏的 %s 万元正是说明中「%s」的金额，该数在项目支出表中列错了栏（或说明写错了来源）",
                         s_fen(t, b2), o->label);
                break;
            }
        }
    }
    s_emit(x, fig->rule, v, c, c->amount.line, fig, t, a, fig->terms, &e);
    free(e.buf);
}

/* One percentage formula checked: change / (this ± change). sign: -1 this − change, +1 this + change, 0 this. */
static verdict_t s_pct_formula(const narrative_claim_t *c, int sign, i128 *n0, i128 *d0, s_range_t *out)
{
    s_range_t dummy;
    if (!out) out = &dummy;
    i128 A = c->amount.value, C = c->change.value;
    i128 A2 = 2 * A, C2 = 2 * C, uA = s_unit_doubled(c->amount.decimals), uC = s_unit_doubled(c->change.decimals);
    *n0 = C;
    *d0 = A + sign * C;
    s_range_t r;
    r.lo_n = C2 - uC;
    r.hi_n = C2 + uC;
    if (sign < 0) { r.lo_d = A2 + uA - (C2 - uC); r.hi_d = A2 - uA - (C2 + uC); }
    else if (sign > 0) { r.lo_d = A2 + uA + C2 - uC; r.hi_d = A2 - uA + C2 + uC; }
    else { r.lo_d = A2 + uA; r.hi_d = A2 - uA; }
    if (*d0 <= 0) return VERDICT_MISMATCH;      /* this formula gives no percentage at all */
    if (r.lo_d <= 0) r.lo_d = 1, r.lo_n = 0;   /* base may be as small as we like: no lower bound */
    if (r.lo_n < 0) r.lo_n = 0;
    *out = r;
    return s_classify(*n0, *d0, r, c->pct.value, c->pct.decimals);
}

static void s_check_change(s_ctx_t *x, const narrative_claim_t *c)
{
    char b1[NARRATIVE_NUM_BUF], b2[NARRATIVE_NUM_BUF], b3[NARRATIVE_NUM_BUF], b4[NARRATIVE_NUM_BUF], b5[NARRATIVE_NUM_BUF];
    if (c->flat) {
        x->sum->items++;
        bool moved = (c->change.present && c->change.value != 0) || (c->pct.present && c->pct.value != 0);
        rules_text_t e = {0};
        if (moved) {
            s_quote(&e, c, c->flat_line);
            rules_text_printf(&e, "说明称与上年持平，却又称%s %s%s → 不符（MISMATCH）：持平即增减额与增幅均为 0",
                     c->change.present ? (c->change_dir > 0 ? "增加" : "减少") : (c->pct_dir > 0 ? "增长" : "下降"),
                     c->change.present ? s_amt(&c->change, b1) : narrative_format_scaled(c->pct.value, c->pct.decimals, b1),
                     c->change.present ? " 万元" : "%");
        }
        s_emit(x, RULE_TEXT_CHANGE_SIGN, moved ? VERDICT_MISMATCH : VERDICT_EXACT, c, c->flat_line, NULL, 0, 0, 0, &e);
        free(e.buf);
        return;
    }
    /* a percentage alone can only be judged against last year's figure (s_check_prior) */
    if (!c->pct.present || !c->change.present || !c->amount.present) return;
    x->sum->items++;
    if (c->change_dir != c->pct_dir) {
        rules_text_t e = {0};
        s_quote(&e, c, c->pct.line);
        rules_text_printf(&e, "说明称%s %s 万元，却又称%s %s%% → 不符（MISMATCH）：增减方向自相矛盾（符号写反）",
                 c->change_dir > 0 ? "增加" : "减少", s_amt(&c->change, b1), c->pct_dir > 0 ? "增长" : "下降",
                 narrative_format_scaled(c->pct.value, c->pct.decimals, b2));
        s_emit(x, RULE_TEXT_CHANGE_SIGN, VERDICT_MISMATCH, c, c->pct.line, NULL, 0, 0, 3, &e);
        free(e.buf);
        return;
    }
    int sign = c->change_dir > 0 ? -1 : 1;    /* last year = this − increase, this + decrease */
    i128 A = c->amount.value, C = c->change.value;
    if (A + sign * C == 0) { s_unchecked(x, NARR_UNCHECKED_NO_BASE); return; }
    if (A + sign * C < 0) {
        rules_text_t e = {0};
        s_quote(&e, c, c->change.line);
        rules_text_printf(&e, "增加额 %s 万元大于本年数 %s 万元，上年数将为负 → 不符（MISMATCH）",
                 s_amt(&c->change, b1), s_amt(&c->amount, b2));
        s_emit(x, RULE_TEXT_CHANGE_PERCENT, VERDICT_MISMATCH, c, c->change.line, NULL, 0, 0, 2, &e);
        free(e.buf);
        return;
    }
    i128 n0, d0;
    s_range_t rng;
    verdict_t v = s_pct_formula(c, sign, &n0, &d0, &rng);
    int64_t hundred = 100 * s_pow10(c->pct.decimals);
    bool over = c->pct_dir < 0 && c->pct.value > hundred;
    if (over) v = VERDICT_MISMATCH;
    rules_text_t e = {0};
    if (v != VERDICT_EXACT) {
        int dd = c->pct.decimals + RATIO_EXTRA_DECIMALS;
        char pb[NARRATIVE_NUM_BUF];
        narrative_format_scaled(c->pct.value, c->pct.decimals, pb);
        s_quote(&e, c, c->pct.line);
        rules_text_printf(&e, "本年 %s 万元，%s %s 万元，上年数 = %s %s %s = %s 万元；%s %s ÷ %s = %s%%，说明为 %s%%",
                 s_amt(&c->amount, b1), c->change_dir > 0 ? "增加" : "减少", s_amt(&c->change, b2),
                 b1, sign < 0 ? "−" : "+", b2, narrative_format_amount((int64_t)d0, c->amount.decimals > c->change.decimals ? c->amount.decimals : c->change.decimals, b3),
                 c->change_dir > 0 ? "增幅" : "降幅", b2, b3, s_ratio(n0, d0, dd, b4), pb);
        if (over) rules_text_printf(&e, " → 不符（MISMATCH）：下降幅度不能超过 100%%");
        else rules_text_printf(&e, "；计及各数 ± 半个末位单位，%s在 %s%%～%s%% 之间 → %s", c->change_dir > 0 ? "增幅" : "降幅",
                      s_ratio(rng.lo_n, rng.lo_d, dd, b4), s_ratio(rng.hi_n, rng.hi_d, dd, b5), s_verdict_zh(v));
        if (v == VERDICT_MISMATCH) {
            i128 n1, d1;
            if (s_pct_formula(c, 0, &n1, &d1, NULL) != VERDICT_MISMATCH)
                rules_text_printf(&e, "。可能原因：%s ÷ %s = %s%%：%s以本年数 %s 而非上年数 %s 为基数计算",
                         b2, b1, s_ratio(n1, d1, dd, b5), c->change_dir > 0 ? "增幅" : "降幅", b1, b3);
            else if (s_pct_formula(c, -sign, &n1, &d1, NULL) != VERDICT_MISMATCH)
                rules_text_printf(&e, "。可能原因：%s ÷ (%s %s %s) = %s%%：把%s当作%s来推算上年数（方向写反）",
                         b2, b1, sign < 0 ? "+" : "−", b2, s_ratio(n1, d1, dd, b5),
                         c->change_dir > 0 ? "增加" : "减少", c->change_dir > 0 ? "减少" : "增加");
        }
    }
    s_emit(x, RULE_TEXT_CHANGE_PERCENT, v, c, c->pct.line, NULL, 0, 0, 3, &e);
    free(e.buf);
}

/* The whole a share of claim i is taken of: per paragraph, the largest amount without a
 * share printed before the paragraph's first share (in the same paragraph, else in the
 * nearest earlier paragraph that has such amounts). Returns its index or -1. */
static long s_whole_of(const narrative_t *n, size_t para_b, size_t i)
{
    size_t first = para_b;
    while (first < i && !n->items[first].share.present) first++;
    uint32_t para = n->items[first].paragraph;
    for (long j = (long)first - 1; j >= 0; ) {
        uint32_t p = n->items[j].paragraph;
        long best = -1;
        for (; j >= 0 && n->items[j].paragraph == p; j--) {
            const narrative_claim_t *w = &n->items[j];
            if (!w->amount.present || w->share.present) continue;
            if (best < 0 || w->amount.value >= n->items[best].amount.value) best = j;   /* ties: the first */
        }
        if (best >= 0) return best;
        if (p != para && para - p > 2) return -1;   /* only the paragraph or the two before it */
    }
    return -1;
}

static void s_check_share(s_ctx_t *x, size_t i)
{
    const narrative_claim_t *c = &x->n->items[i];
    if (!c->share.present) return;
    x->sum->items++;
    s_para(x, i);
    if (x->whole == -2) x->whole = s_whole_of(x->n, x->para_b, i);
    long wi = x->whole;
    if (!c->amount.present || wi < 0 || x->n->items[wi].amount.value == 0) { s_unchecked(x, NARR_UNCHECKED_NO_FIGURE); return; }
    const narrative_claim_t *w = &x->n->items[wi];
    i128 P2 = 2 * (i128)c->amount.value, W2 = 2 * (i128)w->amount.value;
    s_range_t r = s_range_div(P2, s_unit_doubled(c->amount.decimals), W2, s_unit_doubled(w->amount.decimals));
    verdict_t v = s_classify(c->amount.value, w->amount.value, r, c->share.value, c->share.decimals);
    rules_text_t e = {0};
    if (v != VERDICT_EXACT) {
        char b1[NARRATIVE_NUM_BUF], b2[NARRATIVE_NUM_BUF], b3[NARRATIVE_NUM_BUF], b4[NARRATIVE_NUM_BUF];
        int dd = c->share.decimals + RATIO_EXTRA_DECIMALS;
        s_quote(&e, c, c->share.line);
        char b5[NARRATIVE_NUM_BUF], b6[NARRATIVE_NUM_BUF];
        rules_text_printf(&e, "%s %s 万元 ÷ %s（第 %u 行）%s 万元 = %s%%，说明为 %s%%；计及各数 ± 半个末位单位，占比在 %s%%～%s%% 之间 → %s",
                 c->label, s_amt(&c->amount, b1), w->label, w->amount.line, s_amt(&w->amount, b2),
                 s_ratio(c->amount.value, w->amount.value, dd, b3),
                 narrative_format_scaled(c->share.value, c->share.decimals, b4),
                 s_ratio(r.lo_n < 0 ? 0 : r.lo_n, r.lo_d, dd, b5), s_ratio(r.hi_n, r.hi_d, dd, b6), s_verdict_zh(v));
        if (v == VERDICT_MISMATCH) {
            /* shares forced to 100: the printed shares of this whole add up to exactly 100 */
            int dp = c->share.decimals;
            if (!x->sums_valid) {
                x->printed = x->rounded = 0;
                x->nshares = 0;
                x->same_dp = 1;
                for (size_t j = x->para_b; j < x->para_e; j++) {
                    const narrative_claim_t *o = &x->n->items[j];
                    if (!o->share.present || !o->amount.present) continue;
                    if (o->share.decimals != dp) x->same_dp = 0;
                    x->printed += o->share.value;
                    i128 sc = (i128)o->amount.value * 100 * s_pow10(dp);
                    x->rounded += (2 * sc + w->amount.value) / (2 * (i128)w->amount.value);
                    x->nshares++;
                }
                x->sums_valid = 1;
            }
            if (x->same_dp && x->nshares > 1 && x->printed == (i128)100 * s_pow10(dp) &&
                x->rounded != x->printed && x->rounded < INT64_MAX)
                rules_text_printf(&e, "。可能原因：本段 %d 项占比合计恰为 100%%，而按金额计算并四舍五入后合计为 %s%%：占比被调整以凑足 100%%",
                         x->nshares, narrative_format_scaled((int64_t)x->rounded, dp, b1));
        }
    }
    s_emit(x, RULE_TEXT_SHARE, v, c, c->share.line, NULL, 0, 0, 2, &e);
    free(e.buf);
}

/* The change against the previous year's submission. */
static void s_check_prior(s_ctx_t *x, const narrative_claim_t *c, const s_fig_t *fig)
{
    if (!c->change.present && !c->flat && !c->pct.present) return;
    x->sum->items++;
    if (!x->prior || (c->prior_year && c->prior_year != x->prior->year)) { s_unchecked(x, NARR_UNCHECKED_NO_PRIOR); return; }
    if (fig->kind == RES_NO_TABLE) { s_unchecked(x, NARR_UNCHECKED_NO_TABLE); return; }
    if (fig->kind == RES_AMBIGUOUS) { s_unchecked(x, NARR_UNCHECKED_AMBIGUOUS); return; }
    s_fig_t pf;
    s_resolve(x->prior, c, &pf);
    if (pf.kind != RES_FOUND) { s_unchecked(x, NARR_UNCHECKED_NO_PRIOR); return; }
    int64_t cur = fig->kind == RES_FOUND ? fig->fen : c->amount.present ? c->amount.value : 0;
    uint32_t cur_terms = fig->kind == RES_FOUND ? fig->terms : 1;
    if (fig->kind != RES_FOUND && !c->amount.present) { s_unchecked(x, NARR_UNCHECKED_NO_FIGURE); return; }
    int64_t actual_change = s_sat_sub(cur, pf.fen);
    char b1[NARRATIVE_NUM_BUF], b2[NARRATIVE_NUM_BUF], b3[NARRATIVE_NUM_BUF], b4[NARRATIVE_NUM_BUF];
    rules_text_t e = {0};
    verdict_t v;
    rule_id rule = RULE_TEXT_PRIOR_YEAR;
    uint32_t line = c->change.present ? c->change.line : c->flat ? c->flat_line : c->pct.line;
    if (c->change.present || c->flat) {
        int64_t claimed = c->change.present ? (c->change_dir > 0 ? c->change.value : -c->change.value) : 0;
        i128 diff2 = 2 * ((i128)claimed - actual_change);
        if (diff2 < 0) diff2 = -diff2;
        i128 tol2 = (c->change.present ? s_unit_doubled(c->change.decimals) : 0) + (i128)(cur_terms + pf.terms) * TABLE_UNIT_DOUBLED;
        v = claimed == actual_change ? VERDICT_EXACT : diff2 <= tol2 ? VERDICT_ROUNDING : VERDICT_MISMATCH;
        if (v == VERDICT_MISMATCH && claimed != 0 && actual_change != 0 && (claimed > 0) != (actual_change > 0)) rule = RULE_TEXT_CHANGE_SIGN;
        if (v != VERDICT_EXACT) {
            s_quote(&e, c, line);
            rules_text_printf(&e, "本年 %s 万元 − 上年（%u 年 %s）%s 万元 = %s 万元，说明为%s %s 万元 → %s",
                     s_fen(cur, b1), x->prior->year, pf.what, s_fen(pf.fen, b2), s_fen(actual_change, b3),
                     c->flat ? "持平，" : claimed >= 0 ? "增加" : "减少",
                     narrative_format_amount(claimed < 0 ? s_sat_sub(0, claimed) : claimed, c->change.present ? c->change.decimals : 2, b4),
                     s_verdict_zh(v));
            if (rule == RULE_TEXT_CHANGE_SIGN) rules_text_printf(&e, "：增减方向写反");
        }
        s_emit(x, rule, v, c, line, fig, actual_change, claimed, cur_terms + pf.terms + 1, &e);
    } else {
        /* a percentage alone: (this − last) ÷ last */
        if (pf.fen <= 0) { s_unchecked(x, NARR_UNCHECKED_NO_BASE); free(e.buf); return; }
        i128 d = actual_change < 0 ? -(i128)actual_change : actual_change;
        i128 u = (i128)(cur_terms + pf.terms) * TABLE_UNIT_DOUBLED;
        s_range_t r = { 2 * d - u, 2 * (i128)pf.fen + TABLE_UNIT_DOUBLED, 2 * d + u, 2 * (i128)pf.fen - TABLE_UNIT_DOUBLED };
        v = s_classify(d, pf.fen, r, c->pct.value, c->pct.decimals);
        if (v == VERDICT_MISMATCH || (actual_change != 0 && (actual_change > 0) != (c->pct_dir > 0))) {
            if (actual_change != 0 && (actual_change > 0) != (c->pct_dir > 0)) { rule = RULE_TEXT_CHANGE_SIGN; v = VERDICT_MISMATCH; }
        }
        if (v != VERDICT_EXACT) {
            s_quote(&e, c, line);
            rules_text_printf(&e, "(本年 %s − 上年 %s) ÷ %s = %s%s%%，说明为%s %s%% → %s", s_fen(cur, b1), s_fen(pf.fen, b2), b2,
                     actual_change < 0 ? "−" : "", s_ratio(d, pf.fen, c->pct.decimals + RATIO_EXTRA_DECIMALS, b3),
                     c->pct_dir > 0 ? "增长" : "下降", narrative_format_scaled(c->pct.value, c->pct.decimals, b4), s_verdict_zh(v));
        }
        s_emit(x, rule, v, c, line, fig, 0, 0, cur_terms + pf.terms, &e);
    }
    free(e.buf);
}

int narrative_check(const narrative_t *n, const submission_t *s, const submission_t *prior,
                    const char *source, findings_t *out, narrative_summary_t *summary)
{
    return narrative_check_rules(n, s, prior, source, NULL, out, summary);
}

int narrative_check_rules(const narrative_t *n, const submission_t *s, const submission_t *prior,
                          const char *source, const rule_settings_t *settings, findings_t *out,
                          narrative_summary_t *summary)
{
    narrative_summary_t local;
    if (!summary) summary = &local;
    memset(summary, 0, sizeof *summary);
    s_ctx_t x;
    memset(&x, 0, sizeof x);
    x.n = n; x.s = s; x.prior = prior; x.source = source; x.set = settings; x.out = out; x.sum = summary;
    summary->claims = n->count;
    size_t from = out->count;
    for (size_t i = 0; i < n->count && !x.oom; i++) {
        const narrative_claim_t *c = &n->items[i];
        s_fig_t fig;
        s_resolve(s, c, &fig);
        s_check_amount(&x, c, &fig);
        s_check_change(&x, c);
        s_check_share(&x, i);
        s_check_prior(&x, c, &fig);
    }
    if (!x.oom && rules_fold(out, from) != 0) x.oom = 1;
    return x.oom ? -1 : x.mismatches;
}

char *narrative_describe(const narrative_t *n, size_t i, const submission_t *s, char *buf, size_t len)
{
    assert(i < n->count);
    s_fig_t fig;
    s_resolve(s, &n->items[i], &fig);
    char b[NARRATIVE_NUM_BUF];
    switch (fig.kind) {
    case RES_FOUND: snprintf(buf, len, "%s = %s", fig.what, s_fen(fig.fen, b)); break;
    case RES_AMBIGUOUS: snprintf(buf, len, "无法核对：%s", narrative_unchecked_label(NARR_UNCHECKED_AMBIGUOUS)); break;
    case RES_NO_TABLE: snprintf(buf, len, "无法核对：%s", narrative_unchecked_label(NARR_UNCHECKED_NO_TABLE)); break;
    default: snprintf(buf, len, "无法核对：%s", narrative_unchecked_label(NARR_UNCHECKED_NO_FIGURE)); break;
    }
    return buf;
}

void narrative_summary_print(FILE *f, const narrative_summary_t *m)
{
    size_t un = 0;
    for (int i = 0; i < NARR_UNCHECKED_COUNT; i++) un += m->unchecked[i];
    fprintf(f, "说明核对：声明 %zu 条，可核对项 %zu 项；已核对 %zu（相符 %zu，舍入 %zu，不符 %zu），无法核对 %zu\n",
            m->claims, m->items, m->checked, m->exact, m->rounding, m->mismatched, un);
    for (int i = 0; i < NARR_UNCHECKED_COUNT; i++)
        if (m->unchecked[i]) fprintf(f, "  无法核对：%s %zu 项\n", narrative_unchecked_label((narrative_unchecked)i), m->unchecked[i]);
}

const char *narrative_unchecked_name(narrative_unchecked u)
{
    switch (u) {
    case NARR_UNCHECKED_NO_FIGURE: return "no_figure";
    case NARR_UNCHECKED_NO_PRIOR: return "no_prior";
    case NARR_UNCHECKED_AMBIGUOUS: return "ambiguous";
    case NARR_UNCHECKED_NO_BASE: return "no_base";
    case NARR_UNCHECKED_NO_TABLE: return "no_table";
    default: return "?";
    }
}

void narrative_summary_write_json(FILE *f, const narrative_summary_t *m)
{
    size_t un = 0;
    for (int i = 0; i < NARR_UNCHECKED_COUNT; i++) un += m->unchecked[i];
    fprintf(f, "{\"claims\":%zu,\"items\":%zu,\"checked\":%zu,\"exact\":%zu,\"rounding\":%zu,"
               "\"mismatched\":%zu,\"not_checkable\":%zu,\"reasons\":[",
            m->claims, m->items, m->checked, m->exact, m->rounding, m->mismatched, un);
    int first = 1;
    for (int i = 0; i < NARR_UNCHECKED_COUNT; i++) {
        if (!m->unchecked[i]) continue;
        fprintf(f, "%s{\"reason\":\"%s\",\"label\":", first ? "" : ",",
                narrative_unchecked_name((narrative_unchecked)i));
        json_write_string(f, narrative_unchecked_label((narrative_unchecked)i));
        fprintf(f, ",\"count\":%zu}", m->unchecked[i]);
        first = 0;
    }
    fputs("]}", f);
}
