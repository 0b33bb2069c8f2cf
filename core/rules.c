/* rules.c -- the rule engine over one submission: within-table, between-table and code rules.
 *
 * The submission is first indexed into one grid per table (row -> printed value per column,
 * with the source line and name), rows sorted by id. Code tables also get their printed
 * hierarchy: each code row points at its nearest printed ancestor (a malformed code at the
 * well-formed ancestor its leading digits name, see code_nearest_parent), so sums follow
 * what is printed and one misprint does not cascade.
 *
 * Invariants: every relation is judged by rounding_classify() with terms = the number of
 * printed amounts in it; a figure that is not printed is absent (0 in a sum), and a relation
 * with nothing printed on one side is not checked; no rule reads a table the submission does
 * not print. Explanations spell the arithmetic out in Chinese labels and 万元.
 */
#include "rules.h"

#include <stdlib.h>
#include <string.h>

#include "amount.h"
#include "codes.h"

/* ---- the per-table grid ---- */

typedef struct {
    const char *row;
    const char *name;
    int64_t v[COL_COUNT];
    uint32_t line[COL_COUNT];
    uint32_t has;                 /* bit c: column c printed */
    int parent;                   /* nearest printed ancestor, -1 for a root, -2 excluded */
    int malformed;
} trow_t;

typedef struct {
    trow_t *rows;
    size_t n;
    uint32_t cols;                /* columns printed anywhere in the table */
    int *first;                   /* code tables: first child of each row, or -1 */
    int *next;                    /* next sibling of each row, or -1 */
    int roots;                    /* first root (parent -1), or -1 */
} ttab_t;

typedef struct {
    const submission_t *s;
    const rule_settings_t *set;
    findings_t *out;
    ttab_t tab[TABLE_COUNT];
    int err;
} ctx_t;

#define HAS(r, c) (((r)->has >> (c)) & 1u)

static int fact_cmp(const void *a, const void *b)
{
    const fact_t *x = *(const fact_t *const *)a, *y = *(const fact_t *const *)b;
    if (x->table != y->table) return (int)x->table - (int)y->table;
    int c = strcmp(x->row, y->row);
    if (c) return c;
    return (int)x->column - (int)y->column;
}

static int grid_build(ctx_t *cx)
{
    const submission_t *s = cx->s;
    if (s->count == 0) return 0;
    const fact_t **idx = malloc(s->count * sizeof *idx);
    if (!idx) return -1;
    int sorted = 1;
    for (size_t i = 0; i < s->count; i++) {
        idx[i] = &s->facts[i];
        if (i && sorted && fact_cmp(&idx[i - 1], &idx[i]) > 0) sorted = 0;
    }
    /* validated submissions arrive sorted (submission_sort); qsort is stable, so skipping
     * it on sorted input changes nothing */
    if (!sorted) qsort(idx, s->count, sizeof *idx, fact_cmp);
    size_t cap[TABLE_COUNT] = { 0 };
    for (size_t i = 0; i < s->count; i++) {
        const fact_t *f = idx[i];
        if (!table_valid(f->table) || f->table == TABLE_NONE || !column_valid(f->column)) continue;
        ttab_t *t = &cx->tab[f->table];
        trow_t *r = t->n ? &t->rows[t->n - 1] : NULL;
        if (!r || strcmp(r->row, f->row) != 0) {
            if (t->n == cap[f->table]) {
                size_t nc = cap[f->table] ? cap[f->table] * 2 : 32;
                trow_t *rows = realloc(t->rows, nc * sizeof *rows);
                if (!rows) { free(idx); return -1; }
                t->rows = rows;
                cap[f->table] = nc;
            }
            r = &t->rows[t->n++];
            memset(r, 0, sizeof *r);
            r->row = f->row;
            r->name = f->name ? f->name : "";
            r->parent = -1;
        }
        if (!r->name[0] && f->name) r->name = f->name;
        r->v[f->column] = f->fen;
        r->line[f->column] = f->line;
        r->has |= 1u << f->column;
        t->cols |= 1u << f->column;
    }
    free(idx);
    return 0;
}

static void grid_free(ctx_t *cx)
{
    for (int t = 0; t < TABLE_COUNT; t++) {
        free(cx->tab[t].rows);
        free(cx->tab[t].first);
        free(cx->tab[t].next);
    }
}

static int row_index(const ttab_t *t, const char *row)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(t->rows[mid].row, row);
        if (c == 0) return (int)mid;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

static const trow_t *row_find(const ctx_t *cx, table_id t, const char *row)
{
    int i = row_index(&cx->tab[t], row);
    return i < 0 ? NULL : &cx->tab[t].rows[i];
}

/* A figure, or NULL when it is not printed. */
static const trow_t *fig(const ctx_t *cx, table_id t, const char *row, column_id c)
{
    const trow_t *r = row_find(cx, t, row);
    return r && HAS(r, c) ? r : NULL;
}

static bool is_total(const trow_t *r) { return strcmp(r->row, "total") == 0; }

/* First printed line of a row (for findings about the row as a whole). */
static uint32_t row_line(const trow_t *r)
{
    uint32_t best = 0;
    for (int c = 1; c < COL_COUNT; c++)
        if (HAS(r, c) && r->line[c] && (!best || r->line[c] < best)) best = r->line[c];
    return best;
}

/* Appends src to out[*o..n) and keeps it NUL-terminated, cut at n - 1 bytes exactly like
 * snprintf "%s" (labels are built for every relation, checked or not: this is the hot
 * path of the rules, and snprintf's format parsing was a tenth of the aggregator's CPU). */
static void label_cat(char *out, size_t n, size_t *o, const char *src)
{
    if (*o + 1 >= n) return;
    size_t l = strlen(src);
    if (l > n - 1 - *o) l = n - 1 - *o;
    memcpy(out + *o, src, l);
    *o += l;
    out[*o] = '\0';
}

static void label_copy(char *out, size_t n, const char *src)
{
    size_t o = 0;
    if (n) out[0] = '\0';
    label_cat(out, n, &o, src);
}

/* "20805 行政事业单位养老支出", "合计", "收入总计", "P01 异地就医工作". */
static void row_label(table_id t, const trow_t *r, char *out, size_t n)
{
    if (is_total(r)) { label_copy(out, n, "合计"); return; }
    const char *fixed = code_is_numeric(r->row) ? NULL : table_fixed_row_label(t, r->row);
    if (fixed) label_copy(out, n, fixed);
    else if (r->name[0]) {
        size_t o = 0;
        label_copy(out, n, r->row);
        o = strlen(out);
        label_cat(out, n, &o, " ");
        label_cat(out, n, &o, r->name);
    } else label_copy(out, n, r->row);
}

/* Short label of a part: the code or project id, or the fixed row's label. */
static void part_label(table_id t, const trow_t *r, char *out, size_t n)
{
    if (is_total(r)) { label_copy(out, n, "合计"); return; }
    const char *fixed = code_is_numeric(r->row) ? NULL : table_fixed_row_label(t, r->row);
    label_copy(out, n, fixed ? fixed : r->row);
}

/* ---- relations: lhs printed figure vs. the sum of parts ---- */

#define PART_LABEL 400
typedef struct { char label[PART_LABEL]; int64_t v; } part_t;

typedef struct {
    const char *rule;
    table_id table;
    const char *row;
    column_id col;
    int64_t actual;
    uint32_t line;
    char ctx[300];              /* where: the column (default) or, for identities between
                                   columns, the row */
    char lhs[300];              /* label of the checked figure */
    part_t *parts;
    size_t nparts, cap;
    int32_t extra_terms;        /* printed amounts beyond lhs and parts; -1 when lhs or a
                                   part is not printed (absent, so no rounding) */
    char note[400];             /* what a scope difference consists of, etc. */
} rel_t;

static void rel_init(rel_t *r, const char *rule, table_id t, const char *row, column_id c,
                     int64_t actual, uint32_t line)
{
    /* field by field: the label buffers are ~1 KB and a relation is built for every
     * printed figure; an empty string is all they need */
    r->ctx[0] = r->lhs[0] = r->note[0] = '\0';
    r->parts = NULL;
    r->nparts = r->cap = 0;
    r->extra_terms = 0;
    r->rule = rule;
    r->table = t;
    r->row = row;
    r->col = c;
    r->actual = actual;
    r->line = line;
}

static void rel_part(ctx_t *cx, rel_t *r, const char *label, int64_t v)
{
    if (r->nparts == r->cap) {
        size_t nc = r->cap ? r->cap * 2 : 16;
        part_t *p = realloc(r->parts, nc * sizeof *p);
        if (!p) { cx->err = -1; return; }
        r->parts = p;
        r->cap = nc;
    }
    label_copy(r->parts[r->nparts].label, PART_LABEL, label);
    r->parts[r->nparts++].v = v;
}

static void explain_parts(rules_text_t *tx, const rel_t *r)
{
    char a[AMOUNT_BUF];
    size_t shown = r->nparts > 8 ? 8 : r->nparts;
    for (size_t i = 0; i < shown; i++)
        rules_text_printf(tx, "%s%s %s", i ? " + " : "", r->parts[i].label,
                          amount_format(r->parts[i].v, a));
    if (r->nparts > shown) rules_text_printf(tx, " + … (%zu more)", r->nparts - shown);
    if (r->nparts == 0) rules_text_printf(tx, "0.00");
}

static void rel_finish(ctx_t *cx, rel_t *r, int64_t expected, uint32_t terms, verdict_t v,
                       const char *op)
{
    if (v != VERDICT_EXACT) {
        char a[AMOUNT_BUF], b[AMOUNT_BUF], d[AMOUNT_BUF], tol[AMOUNT_BUF];
        rules_text_t tx = { 0 };
        rules_text_printf(&tx, "%s %s：%s %s %s ", table_label(r->table),
                          r->ctx[0] ? r->ctx : column_label(r->table, r->col), r->lhs,
                          amount_format(r->actual, a), op);
        explain_parts(&tx, r);
        int64_t diff = rules_sat_sub(r->actual, expected);
        if (r->nparts > 1) rules_text_printf(&tx, " = %s", amount_format(expected, b));
        rules_text_printf(&tx, " → %s（差 %s 万元，%u 个印刷数容差 %s 万元）",
                          verdict_name(v), amount_format(diff, d),
                          terms, amount_format((int64_t)terms * AMOUNT_HALF_PRINTED_UNIT, tol));
        if (r->note[0]) rules_text_printf(&tx, "；%s", r->note);
        finding_t f = { 0 };
        snprintf(f.rule, sizeof f.rule, "%s", r->rule);
        f.verdict = v;
        snprintf(f.entity, sizeof f.entity, "%s", cx->s->entity);
        f.year = cx->s->year;
        f.table = r->table;
        snprintf(f.row, sizeof f.row, "%s", r->row);
        f.column = r->col;
        f.expected = expected;
        f.actual = r->actual;
        f.terms = terms;
        f.line = r->line;
        f.source = cx->s->source;
        f.explanation = tx.oom ? NULL : tx.buf;
        if (tx.oom || rules_emit(cx->out, cx->set, &f) < 0) cx->err = -1;
        rules_text_free(&tx);
    }
    free(r->parts);
    r->parts = NULL;
}

/* lhs = sum of parts. */
static void rel_check(ctx_t *cx, rel_t *r)
{
    int64_t expected = 0;
    for (size_t i = 0; i < r->nparts; i++) expected = rules_sat_add(expected, r->parts[i].v);
    uint32_t terms = (uint32_t)((int64_t)1 + (int64_t)r->nparts + r->extra_terms);
    rel_finish(cx, r, expected, terms, rounding_classify(expected, r->actual, terms), "≠");
}

/* lhs <= sum of parts (a cover: spending from a source is at most its income). */
static void rel_check_cover(ctx_t *cx, rel_t *r)
{
    int64_t expected = 0;
    for (size_t i = 0; i < r->nparts; i++) expected = rules_sat_add(expected, r->parts[i].v);
    uint32_t terms = 1 + (uint32_t)r->nparts;
    verdict_t v = r->actual <= expected ? VERDICT_EXACT
                                        : rounding_classify(expected, r->actual, terms);
    rel_finish(cx, r, expected, terms, v, ">");
}

/* A finding that is not a relation (code rules). */
static void emit_plain(ctx_t *cx, const char *rule, verdict_t v, table_id t, const char *row,
                       column_id c, int64_t expected, int64_t actual, uint32_t line,
                       const char *explanation)
{
    finding_t f = { 0 };
    snprintf(f.rule, sizeof f.rule, "%s", rule);
    f.verdict = v;
    snprintf(f.entity, sizeof f.entity, "%s", cx->s->entity);
    f.year = cx->s->year;
    f.table = t;
    snprintf(f.row, sizeof f.row, "%s", row);
    f.column = c;
    f.expected = expected;
    f.actual = actual;
    f.line = line;
    f.source = cx->s->source;
    f.explanation = (char *)explanation;
    if (rules_emit(cx->out, cx->set, &f) < 0) cx->err = -1;
}

/* ---- code hierarchy ---- */

/* Sets each code row's parent (nearest printed ancestor) and malformed flag. */
static void hierarchy_link(ctx_t *cx, table_id t, code_kind kind)
{
    ttab_t *tb = &cx->tab[t];
    for (size_t i = 0; i < tb->n; i++) {
        trow_t *r = &tb->rows[i];
        r->parent = -1;
        if (is_total(r)) { r->parent = -2; continue; }
        if (!code_is_numeric(r->row)) { r->parent = -2; r->malformed = 1; continue; }
        char anc[SUBMISSION_ROW_MAX + 1];
        bool ok;
        if (code_well_formed(kind, r->row)) {
            ok = code_parent(kind, r->row, anc, sizeof anc);
        } else {
            r->malformed = 1;
            ok = code_nearest_parent(kind, r->row, anc, sizeof anc);
        }
        while (ok) {
            int p = row_index(tb, anc);
            if (p >= 0) { r->parent = p; break; }
            char up[SUBMISSION_ROW_MAX + 1];
            ok = code_parent(kind, anc, up, sizeof up);
            if (ok) memcpy(anc, up, sizeof anc);
        }
    }
    /* Child lists, so each sum visits its own children only (linear in the table). */
    tb->roots = -1;
    if (tb->n == 0) return;
    tb->first = malloc(tb->n * sizeof *tb->first);
    tb->next = malloc(tb->n * sizeof *tb->next);
    if (!tb->first || !tb->next) { cx->err = -1; return; }
    for (size_t i = 0; i < tb->n; i++) tb->first[i] = tb->next[i] = -1;
    for (size_t i = tb->n; i-- > 0; ) {          /* backwards keeps children in code order */
        int p = tb->rows[i].parent;
        if (p == -2) continue;
        int *head = p < 0 ? &tb->roots : &tb->first[p];
        tb->next[i] = *head;
        *head = (int)i;
    }
}

/* Parent = sum of printed children, and total = sum of roots, column by column. */
static void check_hierarchy(ctx_t *cx, table_id t, const char *sum_rule)
{
    ttab_t *tb = &cx->tab[t];
    if (!tb->first) return;          /* empty table, or no memory (cx->err is set) */
    int total = row_index(tb, "total");
    for (int c = 1; c < COL_COUNT; c++) {
        if (!((tb->cols >> c) & 1u)) continue;
        for (int p = -1; p < (int)tb->n; p++) {
            const trow_t *pr = p < 0 ? (total >= 0 ? &tb->rows[total] : NULL) : &tb->rows[p];
            if (!pr || !HAS(pr, c) || (p >= 0 && pr->parent == -2)) continue;
            rel_t r;
            rel_init(&r, p < 0 ? "table.total_row" : sum_rule, t, pr->row, (column_id)c,
                     pr->v[c], pr->line[c]);
            row_label(t, pr, r.lhs, sizeof r.lhs);
            for (int k = p < 0 ? tb->roots : tb->first[p]; k >= 0; k = tb->next[k]) {
                const trow_t *ch = &tb->rows[k];
                if (!HAS(ch, c)) continue;
                char lab[PART_LABEL];
                part_label(t, ch, lab, sizeof lab);
                rel_part(cx, &r, lab, ch->v[c]);
            }
            if (r.nparts == 0) { free(r.parts); continue; }
            rel_check(cx, &r);
        }
    }
}

/* Removes blanks, ASCII/CJK punctuation and brackets, so 维修（护）费 == 维修(护)费. */
static void name_normalise(const char *in, char *out, size_t n)
{
    static const char *const drop[] = { "（", "）", "【", "】", "、", "，", "。", "：", "；",
                                        "“", "”", "‘", "’", "　", "·", "－", "—", NULL };
    size_t o = 0;
    for (const char *p = in; *p && o + 4 < n; ) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x80) {
            if (!strchr(" \t()[]{}<>,.:;\"'-_/\\", ch)) out[o++] = (char)ch;
            p++;
            continue;
        }
        int skip = 0;
        /* every dropped mark starts with C2, E2, E3 or EF; CJK ideographs (E4..E9) never do */
        for (int i = 0; (ch == 0xC2 || ch == 0xE2 || ch == 0xE3 || ch == 0xEF) && drop[i]; i++) {
            size_t l = strlen(drop[i]);
            if (strncmp(p, drop[i], l) == 0) { p += l; skip = 1; break; }
        }
        if (skip) continue;
        size_t l = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : 2;
        for (size_t i = 0; i < l && *p; i++) out[o++] = *p++;
    }
    out[o] = '\0';
}

static bool name_consistent(const char *known, const char *printed)
{
    char a[SUBMISSION_NAME_MAX + 8], b[SUBMISSION_NAME_MAX + 8];
    if (strcmp(known, printed) == 0) return true;    /* the usual case: printed as named */
    name_normalise(known, a, sizeof a);
    name_normalise(printed, b, sizeof b);
    if (!a[0] || !b[0]) return true;
    return strstr(a, b) || strstr(b, a);
}

static bool class_prefix(const char *row, char cls[4])
{
    if (!code_is_numeric(row) || strlen(row) < 3) return false;
    memcpy(cls, row, 3);
    cls[3] = '\0';
    return true;
}

/* Whether a function-table row carries an economic code (东西湖 soe_func 303/30399). */
static bool economic_in_function(code_kind kind, const char *row)
{
    char cls[4];
    return kind == CODE_FUNCTION && class_prefix(row, cls) && !code_class_exists(CODE_FUNCTION, cls) &&
           code_class_exists(CODE_ECONOMIC, cls) && code_well_formed(CODE_ECONOMIC, row);
}

static void check_codes(ctx_t *cx, table_id t, code_kind kind, bool hierarchical)
{
    ttab_t *tb = &cx->tab[t];
    int minlevel = 99;
    if (hierarchical)
        for (size_t i = 0; i < tb->n; i++) {
            int l = code_level(kind, tb->rows[i].row);
            if (l && !economic_in_function(kind, tb->rows[i].row) && l < minlevel) minlevel = l;
        }
    for (size_t i = 0; i < tb->n; i++) {
        const trow_t *r = &tb->rows[i];
        if (is_total(r)) continue;
        bool numeric = code_is_numeric(r->row);
        if (!hierarchical && !numeric) continue;       /* summary/fiscal fixed rows */
        char lab[400], msg[1200];
        lab[0] = '\0';          /* built on the first finding only (LAB): most rows have none */
#define LAB (lab[0] ? lab : (row_label(t, r, lab, sizeof lab), lab))
        uint32_t line = row_line(r);
        if (hierarchical && r->malformed) {
            char np[SUBMISSION_ROW_MAX + 1];
            const char *kname = kind == CODE_ECONOMIC ? "经济分类编码应为3或5位"
                                                      : "功能分类编码应为3、5或7位";
            if (numeric && code_nearest_parent(kind, r->row, np, sizeof np))
                snprintf(msg, sizeof msg, "%s 行 %s：%s，印为%zu位；金额按 %s 计入", table_label(t),
                         LAB, kname, strlen(r->row), np);
            else
                snprintf(msg, sizeof msg, "%s 行 %s：不是合计行也不是科目编码（%s）", table_label(t),
                         LAB, kname);
            emit_plain(cx, "code.malformed", VERDICT_MALFORMED, t, r->row, COL_NONE, 0, 0, line, msg);
        }
        if (!numeric) continue;
        char cls[4];
        if (economic_in_function(kind, r->row)) {
            snprintf(msg, sizeof msg, "%s 行 %s：功能分类表中印的是经济分类编码（类 %.3s 不在支出功能分类中，而是支出经济分类的类）；金额照列照加，不按功能分类归类",
                     table_label(t), LAB, r->row);
            emit_plain(cx, "code.kind", VERDICT_MALFORMED, t, r->row, COL_NONE, 0, 0, line, msg);
            continue;
        }
        if (class_prefix(r->row, cls) && !code_class_exists(kind, cls)) {
            snprintf(msg, sizeof msg, "%s 行 %s：类 %s 不在国家%s科目中", table_label(t), LAB, cls,
                     kind == CODE_ECONOMIC ? "支出经济分类" : "支出功能分类");
            emit_plain(cx, "code.unknown_class", VERDICT_MALFORMED, t, r->row, COL_NONE, 0, 0, line, msg);
        }
        int level = code_level(kind, r->row);
        if (hierarchical && level > minlevel && r->parent == -1) {
            snprintf(msg, sizeof msg, "%s 行 %s：编码不以任何所列上级科目编码开头（表中列有%s级科目）",
                     table_label(t), LAB, minlevel == 1 ? "类" : "款");
            emit_plain(cx, "code.parent_prefix", VERDICT_MALFORMED, t, r->row, COL_NONE, 0, 0, line, msg);
        }
        const char *known = level ? code_known_name(kind, r->row) : NULL;
        if (known && r->name[0] && !name_consistent(known, r->name)) {
            snprintf(msg, sizeof msg, "%s 行 %s：印刷名称“%s”与科目 %s 的国家名称“%s”不符",
                     table_label(t), r->row, r->name, r->row, known);
            emit_plain(cx, "code.name_mismatch", VERDICT_MALFORMED, t, r->row, COL_NONE, 0, 0, line, msg);
        }
    }
}
#undef LAB

/* ---- column identities within a row ---- */

/* For every row printing lhs and at least one part: lhs = sum of the printed parts. */
static void check_columns(ctx_t *cx, table_id t, const char *rule, column_id lhs,
                          const column_id *parts, size_t nparts)
{
    ttab_t *tb = &cx->tab[t];
    for (size_t i = 0; i < tb->n; i++) {
        const trow_t *row = &tb->rows[i];
        if (!HAS(row, lhs)) continue;
        rel_t r;
        rel_init(&r, rule, t, row->row, lhs, row->v[lhs], row->line[lhs]);
        if (is_total(row)) label_copy(r.ctx, sizeof r.ctx, "合计行");
        else row_label(t, row, r.ctx, sizeof r.ctx);
        label_copy(r.lhs, sizeof r.lhs, column_label(t, lhs));
        for (size_t k = 0; k < nparts; k++)
            if (HAS(row, parts[k])) rel_part(cx, &r, column_label(t, parts[k]), row->v[parts[k]]);
        if (r.nparts == 0) { free(r.parts); continue; }
        rel_check(cx, &r);
    }
}

static void rules_columns(ctx_t *cx)
{
    static const column_id EXPENSE[] = { COL_BASIC, COL_PROJECT, COL_OPS, COL_TO_UPPER, COL_TO_SUB };
    static const column_id SPLIT[] = { COL_BASIC, COL_PROJECT };
    static const column_id BASIC[] = { COL_PERSONNEL, COL_PUBLIC };
    static const column_id FUNDING[] = { COL_CURRENT, COL_CARRY };
    static const column_id INCOME[] = { COL_GPB, COL_GFB, COL_SOE, COL_FSM, COL_BIZ, COL_OPS,
                                        COL_UPPER, COL_SUB, COL_OTHER, COL_CARRY,
                                        COL_XFER_GPB, COL_XFER_GFB };
    static const column_id PROJECT[] = { COL_GPB, COL_GFB, COL_SOE, COL_CARRY_GPB, COL_CARRY_GFB,
                                         COL_CARRY_SOE, COL_FSM, COL_UNIT_FUNDS, COL_XFER_GPB,
                                         COL_XFER_GFB };
    static const column_id FUNDS[] = { COL_GPB, COL_GFB, COL_SOE };
#define N(a) (sizeof a / sizeof a[0])
    check_columns(cx, TABLE_EXPENSE, "table.expense_columns", COL_TOTAL, EXPENSE, N(EXPENSE));
    const table_id funcs[] = { TABLE_GPB_FUNC, TABLE_GFB_FUNC, TABLE_SOE_FUNC, TABLE_GPB_ECON };
    for (size_t i = 0; i < N(funcs); i++) {
        table_id t = funcs[i];
        /* A basic-only economic table has no project column: its total is not basic + 0. */
        if (t != TABLE_GPB_ECON || ((cx->tab[t].cols >> COL_PROJECT) & 1u))
            check_columns(cx, t, "table.basic_split", COL_TOTAL, SPLIT, N(SPLIT));
        check_columns(cx, t, "table.basic_split", COL_BASIC, BASIC, N(BASIC));
    }
    check_columns(cx, TABLE_GPB_FUNC, "table.funding_split", COL_TOTAL, FUNDING, N(FUNDING));
    check_columns(cx, TABLE_INCOME, "table.income_sources", COL_TOTAL, INCOME, N(INCOME));
    check_columns(cx, TABLE_PROJECTS, "table.project_sources", COL_TOTAL, PROJECT, N(PROJECT));
    check_columns(cx, TABLE_FISCAL, "table.fiscal_columns", COL_TOTAL, FUNDS, N(FUNDS));
#undef N
}

/* ---- fixed-row tables ---- */

/* lhs row = the listed rows (or, with rows == NULL, every numeric class row), in column c. */
static void check_rows(ctx_t *cx, const char *rule, table_id t, const char *lhs, column_id c,
                       const char *const *rows, bool classes)
{
    const trow_t *l = fig(cx, t, lhs, c);
    if (!l) return;
    rel_t r;
    rel_init(&r, rule, t, lhs, c, l->v[c], l->line[c]);
    row_label(t, l, r.lhs, sizeof r.lhs);
    const ttab_t *tb = &cx->tab[t];
    for (size_t i = 0; i < tb->n; i++) {
        const trow_t *row = &tb->rows[i];
        if (!HAS(row, c)) continue;
        bool take = false;
        if (classes) take = code_is_numeric(row->row);
        for (size_t k = 0; rows && rows[k]; k++)
            if (strcmp(rows[k], row->row) == 0) take = true;
        if (!take) continue;
        char lab[PART_LABEL];
        part_label(t, row, lab, sizeof lab);
        rel_part(cx, &r, lab, row->v[c]);
    }
    if (r.nparts == 0) { free(r.parts); return; }
    rel_check(cx, &r);
}

static const char *const SUMMARY_SOURCES[] = { "gpb", "gfb", "soe", "fsm", "biz", "ops", "upper",
                                               "sub", "other", "xfer_gpb", "xfer_gfb", "carry_in",
                                               NULL };

static void rules_fixed(ctx_t *cx)
{
    static const char *const CARRY_OUT[] = { "carry_out", NULL };
    static const char *const FISCAL_IN[] = { "cur_gpb", "cur_gfb", "cur_soe", "carry_gpb",
                                             "carry_gfb", "carry_soe", NULL };
    check_rows(cx, "table.summary_totals", TABLE_SUMMARY, "income_total", COL_AMOUNT,
               SUMMARY_SOURCES, false);
    check_rows(cx, "table.summary_totals", TABLE_SUMMARY, "expense_total", COL_AMOUNT,
               CARRY_OUT, true);
    for (int c = 1; c < COL_COUNT; c++) {
        if (!((cx->tab[TABLE_FISCAL].cols >> c) & 1u)) continue;
        check_rows(cx, "table.fiscal_totals", TABLE_FISCAL, "income_total", (column_id)c,
                   FISCAL_IN, false);
        check_rows(cx, "table.fiscal_totals", TABLE_FISCAL, "expense_total", (column_id)c,
                   NULL, true);
    }
    static const char *const INCOME_TOTAL[] = { "income_total", NULL };
    check_rows(cx, "table.fiscal_balance", TABLE_FISCAL, "expense_total", COL_TOTAL,
               INCOME_TOTAL, false);
    check_rows(cx, "cross.summary_balance", TABLE_SUMMARY, "expense_total", COL_AMOUNT,
               INCOME_TOTAL, false);
    static const char *const TP[] = { "abroad", "vehicle", "reception", NULL };
    static const char *const VEH[] = { "vehicle_purchase", "vehicle_operation", NULL };
    check_rows(cx, "cross.three_public_parts", TABLE_THREE_PUBLIC, "total", COL_AMOUNT, TP, false);
    check_rows(cx, "cross.three_public_parts", TABLE_THREE_PUBLIC, "vehicle", COL_AMOUNT, VEH, false);

    /* projects: 合计 = sum of projects, column by column */
    const ttab_t *pt = &cx->tab[TABLE_PROJECTS];
    int tot = row_index(pt, "total");
    for (int c = 1; tot >= 0 && c < COL_COUNT; c++) {
        const trow_t *tr = &pt->rows[tot];
        if (!HAS(tr, c)) continue;
        rel_t r;
        rel_init(&r, "table.projects_total_row", TABLE_PROJECTS, "total", (column_id)c, tr->v[c],
                 tr->line[c]);
        snprintf(r.lhs, sizeof r.lhs, "合计");
        for (size_t i = 0; i < pt->n; i++)
            if ((int)i != tot && HAS(&pt->rows[i], c)) rel_part(cx, &r, pt->rows[i].row, pt->rows[i].v[c]);
        if (r.nparts == 0) { free(r.parts); continue; }
        rel_check(cx, &r);
    }
}

/* ---- between tables ---- */

/* Class totals of a function table in column c, from the printed class rows or, where a
 * class is not printed, from the top printed rows under it (their leading 3 digits). */
typedef struct { char cls[4]; int64_t v; uint32_t n; } classsum_t;

static size_t class_sums(const ctx_t *cx, table_id t, column_id c, classsum_t *out, size_t max)
{
    const ttab_t *tb = &cx->tab[t];
    size_t n = 0;
    for (size_t i = 0; i < tb->n; i++) {
        const trow_t *r = &tb->rows[i];
        char cls[4];
        if (r->parent != -1 || !HAS(r, c) || !class_prefix(r->row, cls)) continue;
        if (!code_class_exists(CODE_FUNCTION, cls)) continue;   /* e.g. economic codes */
        size_t k = 0;
        while (k < n && strcmp(out[k].cls, cls) != 0) k++;
        if (k == n) {
            if (n == max) continue;
            memcpy(out[n].cls, cls, 4);
            out[n].v = 0;
            out[n++].n = 0;
        }
        out[k].v = rules_sat_add(out[k].v, r->v[c]);
        out[k].n++;
    }
    return n;
}

#define MAXCLASSES 64

/* "部门支出总表 208 类下所列 2 行 (2080109 367.04 + 2080505 41.96)": the rows a class total
 * was aggregated from, so the officer can redo the sum. */
static void class_rows_label(const ctx_t *cx, table_id t, const char *cls, uint32_t n,
                             char *out, size_t len)
{
    const ttab_t *tb = &cx->tab[t];
    size_t o = (size_t)snprintf(out, len, "%s %s 类下所列 %u 行 (", table_label(t), cls, n);
    uint32_t shown = 0;
    for (size_t i = 0; i < tb->n && o < len; i++) {
        const trow_t *r = &tb->rows[i];
        if (r->parent != -1 || !HAS(r, COL_TOTAL) || strncmp(r->row, cls, 3) != 0) continue;
        char a[AMOUNT_BUF];
        if (shown == 6) { o += (size_t)snprintf(out + o, len - o, " + …"); break; }
        o += (size_t)snprintf(out + o, len - o, "%s%s %s", shown++ ? " + " : "", r->row,
                              amount_format(r->v[COL_TOTAL], a));
    }
    if (o < len) snprintf(out + o, len - o, ")");
}

static int classsum_find(const classsum_t *a, size_t n, const char *cls)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(a[i].cls, cls) == 0) return (int)i;
    return -1;
}

/* Compares a fixed-row table's class rows (column tc) with class sums from other tables. */
static void compare_classes(ctx_t *cx, const char *rule, table_id t, column_id tc,
                            const table_id *src, size_t nsrc, bool only_src_classes,
                            const char *src_label)
{
    classsum_t sums[4][MAXCLASSES];
    size_t ns[4] = { 0 };
    char all[MAXCLASSES * 2][4];
    size_t nall = 0;
    for (size_t k = 0; k < nsrc; k++) {
        ns[k] = class_sums(cx, src[k], COL_TOTAL, sums[k], MAXCLASSES);
        for (size_t i = 0; i < ns[k]; i++) {
            size_t j = 0;
            while (j < nall && strcmp(all[j], sums[k][i].cls) != 0) j++;
            if (j == nall && nall < MAXCLASSES * 2) memcpy(all[nall++], sums[k][i].cls, 4);
        }
    }
    if (nall == 0) return;          /* the other tables print no class breakdown */
    const ttab_t *tb = &cx->tab[t];
    if (!only_src_classes)
        for (size_t i = 0; i < tb->n; i++) {
            const trow_t *r = &tb->rows[i];
            if (!code_is_numeric(r->row) || strlen(r->row) != 3 || !HAS(r, tc)) continue;
            size_t j = 0;
            while (j < nall && strcmp(all[j], r->row) != 0) j++;
            if (j == nall && nall < MAXCLASSES * 2) memcpy(all[nall++], r->row, 4);
        }
    for (size_t j = 0; j < nall; j++) {
        const trow_t *row = row_find(cx, t, all[j]);
        int64_t actual = row && HAS(row, tc) ? row->v[tc] : 0;
        rel_t r;
        rel_init(&r, rule, t, all[j], tc, actual, row && HAS(row, tc) ? row->line[tc] : 0);
        if (row) row_label(t, row, r.lhs, sizeof r.lhs);
        else snprintf(r.lhs, sizeof r.lhs, "%s %s（未列）", all[j],
                      code_known_name(CODE_FUNCTION, all[j]) ? code_known_name(CODE_FUNCTION, all[j]) : "");
        if (!row || !HAS(row, tc)) r.extra_terms = -1;
        for (size_t k = 0; k < nsrc; k++) {
            int i = classsum_find(sums[k], ns[k], all[j]);
            if (i < 0) continue;
            char lab[PART_LABEL];
            const trow_t *cr = row_find(cx, src[k], all[j]);
            if (cr && HAS(cr, COL_TOTAL))
                snprintf(lab, sizeof lab, "%s %s", table_label(src[k]), all[j]);
            else
                class_rows_label(cx, src[k], all[j], sums[k][i].n, lab, sizeof lab);
            rel_part(cx, &r, lab, sums[k][i].v);
            r.extra_terms += (int32_t)sums[k][i].n - 1;   /* every aggregated row is a printed amount */
        }
        snprintf(r.note, sizeof r.note, "%s", src_label ? src_label : "");
        rel_check(cx, &r);
    }
}

/* lhs figure (t,row,c) = the sum of the listed (table,row,col) figures that are printed;
 * checked only when lhs and at least one of them are printed. */
typedef struct { table_id t; const char *row; column_id c; } ref_t;

static void check_refs(ctx_t *cx, const char *rule, ref_t lhs, const ref_t *parts, size_t n,
                       bool cover, const char *note)
{
    const trow_t *l = fig(cx, lhs.t, lhs.row, lhs.c);
    if (!l) return;
    rel_t r;
    rel_init(&r, rule, lhs.t, lhs.row, lhs.c, l->v[lhs.c], l->line[lhs.c]);
    row_label(lhs.t, l, r.lhs, sizeof r.lhs);
    for (size_t i = 0; i < n; i++) {
        const trow_t *p = fig(cx, parts[i].t, parts[i].row, parts[i].c);
        if (!p) continue;
        char lab[PART_LABEL], rl[200];
        part_label(parts[i].t, p, rl, sizeof rl);
        snprintf(lab, sizeof lab, "%s %s %s", table_label(parts[i].t), rl,
                 column_label(parts[i].t, parts[i].c));
        rel_part(cx, &r, lab, p->v[parts[i].c]);
    }
    if (r.nparts == 0) { free(r.parts); return; }
    if (note) snprintf(r.note, sizeof r.note, "%s", note);
    if (cover) rel_check_cover(cx, &r);
    else rel_check(cx, &r);
}

static bool table_present(const ctx_t *cx, table_id t) { return cx->tab[t].n > 0; }

static void rules_cross(ctx_t *cx)
{
    /* summary class rows vs expense classes; expense_total vs expense total */
    if (table_present(cx, TABLE_SUMMARY) && table_present(cx, TABLE_EXPENSE)) {
        table_id src[] = { TABLE_EXPENSE };
        compare_classes(cx, "cross.summary_expense_classes", TABLE_SUMMARY, COL_AMOUNT, src, 1,
                        false, NULL);
        ref_t parts[] = { { TABLE_EXPENSE, "total", COL_TOTAL }, { TABLE_SUMMARY, "carry_out", COL_AMOUNT } };
        check_refs(cx, "cross.summary_expense_classes",
                   (ref_t){ TABLE_SUMMARY, "expense_total", COL_AMOUNT }, parts, 2, false, NULL);
    }
    /* summary income sources vs the income table's total row */
    if (table_present(cx, TABLE_SUMMARY) && row_find(cx, TABLE_INCOME, "total")) {
        for (size_t i = 0; SUMMARY_SOURCES[i]; i++) {
            const char *src = SUMMARY_SOURCES[i];
            column_id c = strcmp(src, "carry_in") == 0 ? COL_CARRY : column_from_name(src);
            const trow_t *srow = fig(cx, TABLE_SUMMARY, src, COL_AMOUNT);
            const trow_t *irow = fig(cx, TABLE_INCOME, "total", c);
            if (!srow && !irow) continue;
            rel_t r;
            rel_init(&r, "cross.summary_income_sources", TABLE_SUMMARY, src, COL_AMOUNT,
                     srow ? srow->v[COL_AMOUNT] : 0, srow ? srow->line[COL_AMOUNT] : 0);
            snprintf(r.lhs, sizeof r.lhs, "%s%s", table_fixed_row_label(TABLE_SUMMARY, src),
                     srow ? "" : "（未列）");
            char lab[PART_LABEL];
            snprintf(lab, sizeof lab, "%s 合计 %s", table_label(TABLE_INCOME), column_label(TABLE_INCOME, c));
            rel_part(cx, &r, lab, irow ? irow->v[c] : 0);
            if (!srow || !irow) r.extra_terms = -1;   /* one printed amount only */
            rel_check(cx, &r);
        }
        ref_t parts[] = { { TABLE_INCOME, "total", COL_TOTAL } };
        check_refs(cx, "cross.summary_income_sources",
                   (ref_t){ TABLE_SUMMARY, "income_total", COL_AMOUNT }, parts, 1, false, NULL);
    }
    /* summary income_total = fiscal income_total + the summary's non-fiscal sources */
    if (fig(cx, TABLE_SUMMARY, "income_total", COL_AMOUNT) &&
        fig(cx, TABLE_FISCAL, "income_total", COL_TOTAL)) {
        static const char *const NONFISCAL[] = { "fsm", "biz", "ops", "upper", "sub", "other",
                                                 "xfer_gpb", "xfer_gfb", "carry_in", NULL };
        static const char *const FISCAL_CARRY[] = { "carry_gpb", "carry_gfb", "carry_soe", NULL };
        const trow_t *l = fig(cx, TABLE_SUMMARY, "income_total", COL_AMOUNT);
        rel_t r;
        rel_init(&r, "cross.summary_fiscal", TABLE_SUMMARY, "income_total", COL_AMOUNT,
                 l->v[COL_AMOUNT], l->line[COL_AMOUNT]);
        row_label(TABLE_SUMMARY, l, r.lhs, sizeof r.lhs);
        char lab[PART_LABEL];
        snprintf(lab, sizeof lab, "%s 收入总计", table_label(TABLE_FISCAL));
        rel_part(cx, &r, lab, fig(cx, TABLE_FISCAL, "income_total", COL_TOTAL)->v[COL_TOTAL]);
        rules_text_t what = { 0 };
        for (size_t i = 0; NONFISCAL[i]; i++) {
            const trow_t *p = fig(cx, TABLE_SUMMARY, NONFISCAL[i], COL_AMOUNT);
            if (!p) continue;
            char a[AMOUNT_BUF];
            const char *name = table_fixed_row_label(TABLE_SUMMARY, NONFISCAL[i]);
            rel_part(cx, &r, name, p->v[COL_AMOUNT]);
            rules_text_printf(&what, "%s%s %s", what.len ? "、" : "", name,
                              amount_format(p->v[COL_AMOUNT], a));
        }
        /* With its own carry_in line the summary's fund lines are current-year only, while
         * the fiscal total includes the fiscal carry-over: that part is in carry_in. */
        if (fig(cx, TABLE_SUMMARY, "carry_in", COL_AMOUNT))
            for (size_t i = 0; FISCAL_CARRY[i]; i++) {
                const trow_t *p = fig(cx, TABLE_FISCAL, FISCAL_CARRY[i], COL_TOTAL);
                if (!p) continue;
                snprintf(lab, sizeof lab, "（减，已含在上年结转中）%s",
                         table_fixed_row_label(TABLE_FISCAL, FISCAL_CARRY[i]));
                rel_part(cx, &r, lab, rules_sat_sub(0, p->v[COL_TOTAL]));
            }
        snprintf(r.note, sizeof r.note, "收支总表含全部资金，财政拨款表仅含财政拨款；两者之差应为非财政拨款收入%s%s",
                 what.len ? "：" : "（收支总表未列）", what.len ? what.buf : "");
        rules_text_free(&what);
        rel_check(cx, &r);
    }
    /* fiscal appropriations by class vs the fund tables */
    if (table_present(cx, TABLE_FISCAL) &&
        (table_present(cx, TABLE_GPB_FUNC) || table_present(cx, TABLE_GFB_FUNC) ||
         table_present(cx, TABLE_SOE_FUNC))) {
        bool gpb_col = (cx->tab[TABLE_FISCAL].cols >> COL_GPB) & 1u;
        if (gpb_col) {
            if (table_present(cx, TABLE_GPB_FUNC)) {
                table_id src[] = { TABLE_GPB_FUNC };
                compare_classes(cx, "cross.fiscal_gpb_func", TABLE_FISCAL, COL_GPB, src, 1, false, NULL);
                ref_t parts[] = { { TABLE_GPB_FUNC, "total", COL_TOTAL } };
                check_refs(cx, "cross.fiscal_gpb_func",
                           (ref_t){ TABLE_FISCAL, "expense_total", COL_GPB }, parts, 1, false, NULL);
            }
        } else {
            table_id src[3];
            size_t n = 0;
            if (table_present(cx, TABLE_GPB_FUNC)) src[n++] = TABLE_GPB_FUNC;
            if (table_present(cx, TABLE_GFB_FUNC)) src[n++] = TABLE_GFB_FUNC;
            if (table_present(cx, TABLE_SOE_FUNC)) src[n++] = TABLE_SOE_FUNC;
            compare_classes(cx, "cross.fiscal_gpb_func", TABLE_FISCAL, COL_TOTAL, src, n, true,
                            "财政拨款表仅列合计列，比较一般公共预算、政府性基金、国有资本经营三张支出表之和");
            ref_t parts[3];
            for (size_t i = 0; i < n; i++) parts[i] = (ref_t){ src[i], "total", COL_TOTAL };
            check_refs(cx, "cross.fiscal_gpb_func",
                       (ref_t){ TABLE_FISCAL, "expense_total", COL_TOTAL }, parts, n, false, NULL);
        }
    }
    /* basic expenditure by economic vs function classification */
    if (table_present(cx, TABLE_GPB_ECON) && table_present(cx, TABLE_GPB_FUNC)) {
        const column_id cols[] = { COL_TOTAL, COL_BASIC, COL_PERSONNEL, COL_PUBLIC };
        for (size_t i = 0; i < 4; i++) {
            ref_t p[] = { { TABLE_GPB_FUNC, "total", cols[i] } };
            check_refs(cx, "cross.econ_func_basic", (ref_t){ TABLE_GPB_ECON, "total", cols[i] }, p, 1,
                       false, NULL);
        }
    }
    /* 三公 reception vs 30217 公务接待费 */
    {
        const trow_t *e = row_find(cx, TABLE_GPB_ECON, "30217");
        column_id c = e && HAS(e, COL_TOTAL) ? COL_TOTAL : COL_BASIC;
        ref_t p[] = { { TABLE_GPB_ECON, "30217", c } };
        check_refs(cx, "cross.three_public_reception",
                   (ref_t){ TABLE_THREE_PUBLIC, "reception", COL_AMOUNT }, p, 1, false, NULL);
    }
    /* projects vs expense project column */
    {
        ref_t p[] = { { TABLE_EXPENSE, "total", COL_PROJECT } };
        check_refs(cx, "cross.projects_expense", (ref_t){ TABLE_PROJECTS, "total", COL_TOTAL }, p, 1,
                   false, NULL);
    }
    /* project funding sources are covered by the income from that source */
    if (row_find(cx, TABLE_INCOME, "total")) {
        ref_t own[] = { { TABLE_INCOME, "total", COL_BIZ }, { TABLE_INCOME, "total", COL_OPS },
                        { TABLE_INCOME, "total", COL_UPPER }, { TABLE_INCOME, "total", COL_SUB },
                        { TABLE_INCOME, "total", COL_OTHER } };
        const trow_t *uf = fig(cx, TABLE_PROJECTS, "total", COL_UNIT_FUNDS);
        if (uf && uf->v[COL_UNIT_FUNDS] > 0) {
            size_t n = 0;
            for (size_t i = 0; i < 5; i++) if (fig(cx, own[i].t, own[i].row, own[i].c)) n++;
            if (n) check_refs(cx, "cross.project_funding_cover",
                              (ref_t){ TABLE_PROJECTS, "total", COL_UNIT_FUNDS }, own, 5, true,
                              "单位资金只能来自事业收入、经营收入、上级补助收入、附属单位上缴收入和其他收入");
            else {
                /* no own income printed at all: the cover is 0 */
                rel_t r;
                rel_init(&r, "cross.project_funding_cover", TABLE_PROJECTS, "total", COL_UNIT_FUNDS,
                         uf->v[COL_UNIT_FUNDS], uf->line[COL_UNIT_FUNDS]);
                snprintf(r.lhs, sizeof r.lhs, "合计");
                snprintf(r.note, sizeof r.note, "收入总表未列事业收入、经营收入、上级补助收入、附属单位上缴收入或其他收入，单位资金无来源");
                rel_check_cover(cx, &r);
            }
        }
        const column_id xf[] = { COL_XFER_GPB, COL_XFER_GFB };
        for (size_t i = 0; i < 2; i++) {
            const trow_t *p = fig(cx, TABLE_PROJECTS, "total", xf[i]);
            if (!p || p->v[xf[i]] <= 0) continue;
            rel_t r;
            rel_init(&r, "cross.project_funding_cover", TABLE_PROJECTS, "total", xf[i], p->v[xf[i]],
                     p->line[xf[i]]);
            snprintf(r.lhs, sizeof r.lhs, "合计");
            const trow_t *in = fig(cx, TABLE_INCOME, "total", xf[i]);
            char lab[PART_LABEL];
            snprintf(lab, sizeof lab, "%s 合计 %s", table_label(TABLE_INCOME), column_label(TABLE_INCOME, xf[i]));
            rel_part(cx, &r, lab, in ? in->v[xf[i]] : 0);
            rel_check_cover(cx, &r);
        }
    }
}

int rules_check_submission(const submission_t *s, entity_level level,
                           const rule_settings_t *settings, findings_t *out)
{
    (void)level;    /* the same relations hold for own and declared figures */
    ctx_t cx = { 0 };
    cx.s = s;
    cx.set = settings;
    cx.out = out;
    if (grid_build(&cx) < 0) { grid_free(&cx); return -1; }

    for (int t = 1; t < TABLE_COUNT; t++) {
        code_kind kind = code_kind_for_table((table_id)t);
        row_kind rk = table_row_kind((table_id)t);
        if (rk == ROWS_FUNCTION || rk == ROWS_ECONOMIC) {
            hierarchy_link(&cx, (table_id)t, kind);
            check_codes(&cx, (table_id)t, kind, true);
            check_hierarchy(&cx, (table_id)t, rk == ROWS_ECONOMIC ? "table.econ_sum" : "table.func_sum");
        } else if (kind != CODE_NONE) {
            check_codes(&cx, (table_id)t, kind, false);
        }
    }
    rules_columns(&cx);
    rules_fixed(&cx);
    rules_cross(&cx);
    grid_free(&cx);
    return cx.err;
}
