/* rules.c -- the rule engine over one submission: the grid, relations and the registry.
 *
 * The submission is first indexed into one grid per table (row -> printed value per column,
 * with the source line and name), rows sorted by id. Code tables also get their printed
 * hierarchy: each code row points at its nearest printed ancestor (a malformed code at the
 * well-formed ancestor its leading digits name, see code_nearest_parent), so sums follow
 * what is printed and one misprint does not cascade. Then every family of RULES_REGISTRY
 * runs in order (the order findings are reported in). Invariants: rules_engine.h.
 * Explanations spell the arithmetic out in Chinese labels and 万元.
 */
#include "rules_engine.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "amount.h"
#include "array.h"
#include "sort.h"

/* The registry: every rule id of the submission scopes in exactly one family (test_rules
 * checks it), in the order the families run. */
#define FAMILY(f, per, ...) { f, per, RULES_N(((rule_id[]){ __VA_ARGS__ })), { __VA_ARGS__ } }
static const rules_family_t RULES_REGISTRY[] = {
    FAMILY(rules_required, false, RULE_TABLE_REQUIRED),
    FAMILY(rules_codes, true, RULE_CODE_MALFORMED, RULE_CODE_KIND, RULE_CODE_UNKNOWN_CLASS,
           RULE_CODE_UNKNOWN, RULE_CODE_PARENT_PREFIX, RULE_CODE_NAME_MISMATCH),
    FAMILY(rules_code_sums, true, RULE_TABLE_FUNC_SUM, RULE_TABLE_ECON_SUM, RULE_TABLE_TOTAL_ROW),
    FAMILY(rules_expense_columns, false, RULE_TABLE_EXPENSE_COLUMNS),
    FAMILY(rules_basic_split, false, RULE_TABLE_BASIC_SPLIT),
    FAMILY(rules_funding_split, false, RULE_TABLE_FUNDING_SPLIT),
    FAMILY(rules_income_sources, false, RULE_TABLE_INCOME_SOURCES),
    FAMILY(rules_project_sources, false, RULE_TABLE_PROJECT_SOURCES),
    FAMILY(rules_fiscal_columns, false, RULE_TABLE_FISCAL_COLUMNS),
    FAMILY(rules_summary_totals, false, RULE_TABLE_SUMMARY_TOTALS),
    FAMILY(rules_fiscal_totals, false, RULE_TABLE_FISCAL_TOTALS),
    FAMILY(rules_fiscal_balance, false, RULE_TABLE_FISCAL_BALANCE),
    FAMILY(rules_summary_balance, false, RULE_CROSS_SUMMARY_BALANCE),
    FAMILY(rules_three_public_parts, false, RULE_CROSS_THREE_PUBLIC_PARTS),
    FAMILY(rules_projects_total_row, false, RULE_TABLE_PROJECTS_TOTAL_ROW),
    FAMILY(rules_summary_expense_classes, false, RULE_CROSS_SUMMARY_EXPENSE_CLASSES),
    FAMILY(rules_summary_income_sources, false, RULE_CROSS_SUMMARY_INCOME_SOURCES),
    FAMILY(rules_summary_fiscal, false, RULE_CROSS_SUMMARY_FISCAL),
    FAMILY(rules_fiscal_gpb_func, false, RULE_CROSS_FISCAL_GPB_FUNC),
    FAMILY(rules_econ_func_basic, false, RULE_CROSS_ECON_FUNC_BASIC),
    FAMILY(rules_three_public_reception, false, RULE_CROSS_THREE_PUBLIC_RECEPTION),
    FAMILY(rules_projects_expense, false, RULE_CROSS_PROJECTS_EXPENSE),
    FAMILY(rules_project_funding_cover, false, RULE_CROSS_PROJECT_FUNDING_COVER),
};
#undef FAMILY

static bool family_emits(const rules_family_t *fam, rule_id id)
{
    for (size_t i = 0; fam && i < fam->nids; i++)
        if (fam->ids[i] == id) return true;
    return false;
}

bool rules_submission_registered(rule_id id)
{
    size_t n = 0;
    for (size_t i = 0; i < RULES_N(RULES_REGISTRY); i++) n += family_emits(&RULES_REGISTRY[i], id);
    return n == 1;
}

static int engine_emit(rules_ctx_t *cx, rule_id id, finding_t *f)
{
    assert(family_emits(cx->running, id));      /* invariant 5 */
    return rules_emit(cx->out, cx->set, id, f);
}

bool rules_table_present(const rules_ctx_t *cx, table_id t) { return cx->tab[t].n > 0; }

bool rules_table_prints(const rules_ctx_t *cx, table_id t, column_id c)
{
    return (cx->tab[t].cols >> c) & 1u;
}

/* ---- the per-table grid ---- */

static int fact_cmp(const void *a, const void *b)
{
    const fact_t *x = *(const fact_t *const *)a, *y = *(const fact_t *const *)b;
    if (x->table != y->table) return (int)x->table - (int)y->table;
    int c = strcmp(x->row, y->row);
    if (c) return c;
    if (x->column != y->column) return (int)x->column - (int)y->column;
    return x < y ? -1 : x > y;    /* same key: submission order (a total order, see grid_build) */
}

static int grid_build(rules_ctx_t *cx)
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
    /* Validated submissions arrive sorted (submission_sort). Unsorted input may hold one key
     * twice; fact_cmp breaks that tie by position, so the later fact wins in the grid
     * whatever the sort algorithm, exactly as in the sorted scan. */
    if (!sorted) sort_array(idx, s->count, sizeof *idx, fact_cmp);
    size_t cap[TABLE_COUNT] = { 0 };
    for (size_t i = 0; i < s->count; i++) {
        const fact_t *f = idx[i];
        if (!table_valid(f->table) || f->table == TABLE_NONE || !column_valid(f->column)) continue;
        rules_tab_t *t = &cx->tab[f->table];
        rules_row_t *r = t->n ? &t->rows[t->n - 1] : NULL;
        if (!r || strcmp(r->row, f->row) != 0) {
            if (t->n == cap[f->table]) {
                size_t nc = cap[f->table] ? cap[f->table] * 2 : 32;
                rules_row_t *rows = realloc(t->rows, nc * sizeof *rows);
                if (!rows) { free(idx); return -1; }
                t->rows = rows;
                cap[f->table] = nc;
            }
            r = &t->rows[t->n++];
            memset(r, 0, sizeof *r);
            r->row = f->row;
            r->name = f->name ? f->name : "";
            r->parent = RULES_ROOT;
        }
        if (!r->name[0] && f->name) r->name = f->name;
        r->v[f->column] = f->fen;
        r->line[f->column] = f->line;
        r->unit[f->column] = fact_unit_fen(f);
        r->has |= 1u << f->column;
        t->cols |= 1u << f->column;
    }
    free(idx);
    return 0;
}

static void grid_free(rules_ctx_t *cx)
{
    for (int t = 0; t < TABLE_COUNT; t++) {
        free(cx->tab[t].rows);
        free(cx->tab[t].first);
        free(cx->tab[t].next);
    }
}

int rules_row_index(const rules_tab_t *t, const char *row)
{
    assert(t && row);
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

const rules_row_t *rules_row_find(const rules_ctx_t *cx, table_id t, const char *row)
{
    int i = rules_row_index(&cx->tab[t], row);
    return i < 0 ? NULL : &cx->tab[t].rows[i];
}

/* A figure, or NULL when it is not printed. */
const rules_row_t *rules_fig(const rules_ctx_t *cx, table_id t, const char *row, column_id c)
{
    assert(table_valid(t) && column_valid(c));
    const rules_row_t *r = rules_row_find(cx, t, row);
    return r && ROW_HAS(r, c) ? r : NULL;
}

bool rules_is_total(const rules_row_t *r) { return strcmp(r->row, TABLE_ROW_TOTAL) == 0; }

/* First printed line of a row (for findings about the row as a whole). */
uint32_t rules_row_line(const rules_row_t *r)
{
    uint32_t best = 0;
    for (int c = 1; c < COL_COUNT; c++)
        if (ROW_HAS(r, c) && r->line[c] && (!best || r->line[c] < best)) best = r->line[c];
    return best;
}

/* Appends src to out[*o..n) and keeps it NUL-terminated, cut at n - 1 bytes exactly like
 * snprintf "%s" (labels are built for every relation, checked or not: this is the hot
 * path of the rules, and snprintf's format parsing was a tenth of the aggregator's CPU). */
void rules_label_cat(char *out, size_t n, size_t *o, const char *src)
{
    if (*o + 1 >= n) return;
    size_t l = strlen(src);
    if (l > n - 1 - *o) l = n - 1 - *o;
    memcpy(out + *o, src, l);
    *o += l;
    out[*o] = '\0';
}

void rules_label_copy(char *out, size_t n, const char *src)
{
    size_t o = 0;
    if (n) out[0] = '\0';
    rules_label_cat(out, n, &o, src);
}

/* "20805 行政事业单位养老支出", "合计", "收入总计", "P01 异地就医工作". */
void rules_row_label(table_id t, const rules_row_t *r, char *out, size_t n)
{
    if (rules_is_total(r)) { rules_label_copy(out, n, "合计"); return; }
    const char *fixed = code_is_numeric(r->row) ? NULL : table_fixed_row_label(t, r->row);
    if (fixed) rules_label_copy(out, n, fixed);
    else if (r->name[0]) {
        size_t o = 0;
        rules_label_copy(out, n, r->row);
        o = strlen(out);
        rules_label_cat(out, n, &o, " ");
        rules_label_cat(out, n, &o, r->name);
    } else rules_label_copy(out, n, r->row);
}

/* Short label of a part: the code or project id, or the fixed row's label. */
void rules_part_label(table_id t, const rules_row_t *r, char *out, size_t n)
{
    rules_label_copy(out, n, rules_part_label_ref(t, r));
}

const char *rules_part_label_ref(table_id t, const rules_row_t *r)
{
    if (rules_is_total(r)) return "合计";
    const char *fixed = code_is_numeric(r->row) ? NULL : table_fixed_row_label(t, r->row);
    return fixed ? fixed : r->row;
}

bool rules_class_prefix(const char *row, char cls[4])
{
    if (!code_is_numeric(row) || strlen(row) < 3) return false;
    memcpy(cls, row, 3);
    cls[3] = '\0';
    return true;
}


/* ---- relations: lhs printed figure vs. the sum of parts ---- */

void rules_rel_init(rules_rel_t *r, rule_id rule, table_id t, const char *row, column_id c,
                     int64_t actual, uint32_t line)
{
    /* field by field: the label buffers are ~1 KB and a relation is built for every
     * printed figure; an empty string is all they need */
    r->ctx[0] = r->lhs[0] = r->note[0] = '\0';
    r->lhs_row = r->ctx_row = NULL;
    r->parts = r->inline_parts;
    r->nparts = 0;
    r->cap = RULES_REL_INLINE;
    r->text = NULL;
    r->text_len = r->text_cap = 0;
    r->extra_terms = 0;
    r->units = FACT_UNIT_FEN_DEFAULT;
    r->rule = rule;
    r->table = t;
    r->row = row;
    r->col = c;
    r->actual = actual;
    r->line = line;
}

void rules_rel_drop(rules_rel_t *r)
{
    if (r->parts != r->inline_parts) free(r->parts);
    free(r->text);
    r->parts = NULL;
    r->text = NULL;
}

void rules_rel_lhs_unit(rules_rel_t *r, uint32_t unit)
{
    r->units = r->units - FACT_UNIT_FEN_DEFAULT + (unit ? unit : FACT_UNIT_FEN_DEFAULT);
}

/* A new part slot (the inline ones first), or NULL with cx->err set. */
static rules_part_t *s_rel_slot(rules_ctx_t *cx, rules_rel_t *r)
{
    assert(r && r->parts && r->nparts <= r->cap);
    if (r->nparts == r->cap) {
        size_t cap = r->cap * 2;
        rules_part_t *p = r->parts == r->inline_parts ? malloc(cap * sizeof *p)
                                                      : realloc(r->parts, cap * sizeof *p);
        if (!p) { cx->err = -1; return NULL; }
        if (r->parts == r->inline_parts) memcpy(p, r->inline_parts, sizeof r->inline_parts);
        r->parts = p;
        r->cap = cap;
    }
    return &r->parts[r->nparts];
}

static void s_rel_add(rules_ctx_t *cx, rules_rel_t *r, const char *label, int64_t v, uint32_t unit,
                      bool copy)
{
    rules_part_t *p = s_rel_slot(cx, r);
    if (!p) return;
    p->label = label;
    p->off = 0;
    p->v = v;
    if (copy) {
        /* kept as rules_label_copy would: cut at RULES_LABEL_MAX - 1 bytes */
        size_t l = strlen(label);
        if (l > RULES_LABEL_MAX - 1) l = RULES_LABEL_MAX - 1;
        if (array_reserve(&r->text, &r->text_cap, r->text_len + l + 1, 1, 256)) { cx->err = -1; return; }
        memcpy(r->text + r->text_len, label, l);
        r->text[r->text_len + l] = '\0';
        p->label = NULL;
        p->off = r->text_len;
        r->text_len += l + 1;
    }
    r->nparts++;
    r->units += unit ? unit : FACT_UNIT_FEN_DEFAULT;
}

void rules_rel_part_unit(rules_ctx_t *cx, rules_rel_t *r, const char *label, int64_t v, uint32_t unit)
{
    s_rel_add(cx, r, label, v, unit, true);
}

void rules_rel_part(rules_ctx_t *cx, rules_rel_t *r, const char *label, int64_t v)
{
    s_rel_add(cx, r, label, v, 0, true);
}

void rules_rel_part_ref(rules_ctx_t *cx, rules_rel_t *r, const char *label, int64_t v, uint32_t unit)
{
    assert(strlen(label) < RULES_LABEL_MAX);
    s_rel_add(cx, r, label, v, unit, false);
}

static const char *s_part_label(const rules_rel_t *r, const rules_part_t *p)
{
    return p->label ? p->label : r->text + p->off;
}

static void explain_parts(rules_text_t *tx, const rules_rel_t *r)
{
    char a[AMOUNT_BUF];
    size_t shown = r->nparts > 8 ? 8 : r->nparts;
    for (size_t i = 0; i < shown; i++)
        rules_text_printf(tx, "%s%s %s", i ? " + " : "", s_part_label(r, &r->parts[i]),
                          amount_format(r->parts[i].v, a));
    if (r->nparts > shown) rules_text_printf(tx, " + … (%zu more)", r->nparts - shown);
    if (r->nparts == 0) rules_text_printf(tx, "0.00");
}

/* The summed printed precisions of a relation's terms: lhs and parts as given, extra terms
 * at the default (extra_terms -1: one default term less, the one not printed). */
static uint64_t rel_units(const rules_rel_t *r)
{
    int64_t u = (int64_t)r->units + (int64_t)r->extra_terms * (int64_t)FACT_UNIT_FEN_DEFAULT;
    return u > 0 ? (uint64_t)u : 0;
}

static void rel_finish(rules_ctx_t *cx, rules_rel_t *r, int64_t expected, uint32_t terms, verdict_t v,
                       const char *op)
{
    if (v != VERDICT_EXACT) {
        char a[AMOUNT_BUF], b[AMOUNT_BUF], d[AMOUNT_BUF], tol[AMOUNT_BUF];
        if (!r->lhs[0] && r->lhs_row) rules_row_label(r->table, r->lhs_row, r->lhs, sizeof r->lhs);
        if (!r->ctx[0] && r->ctx_row) {
            if (rules_is_total(r->ctx_row)) rules_label_copy(r->ctx, sizeof r->ctx, "合计行");
            else rules_row_label(r->table, r->ctx_row, r->ctx, sizeof r->ctx);
        }
        rules_text_t tx = { 0 };
        rules_text_printf(&tx, "%s %s：%s %s %s ", table_label(r->table),
                          r->ctx[0] ? r->ctx : column_label(r->table, r->col), r->lhs,
                          amount_format(r->actual, a), op);
        explain_parts(&tx, r);
        /* the explanation shows the exact sum and difference (128-bit): the stored
         * expected is clamped to int64, the printed arithmetic never is */
        __int128 exact = 0;
        for (size_t i = 0; i < r->nparts; i++) exact += r->parts[i].v;
        if (r->nparts > 1) rules_text_printf(&tx, " = %s", amount_format_wide(exact, b));
        rules_text_printf(&tx, " → %s（差 %s 万元，%u 个印刷数容差 %s 万元）",
                          verdict_label(v), amount_format_wide((__int128)r->actual - exact, d),
                          terms, amount_format((int64_t)(rel_units(r) / 2), tol));
        if (r->note[0]) rules_text_printf(&tx, "；%s", r->note);
        finding_t f;
        rules_finding_init(&f, cx->s->entity, cx->s->year, v, r->table, r->row, r->col, expected,
                           r->actual, terms);
        f.line = r->line;
        f.source = cx->s->source;
        f.explanation = tx.oom ? NULL : tx.buf;
        if (tx.oom || engine_emit(cx, r->rule, &f) < 0) cx->err = -1;
        rules_text_free(&tx);
    }
    rules_rel_drop(r);
}

/* lhs = sum of parts. */
void rules_rel_check(rules_ctx_t *cx, rules_rel_t *r)
{
    int64_t expected = 0;
    for (size_t i = 0; i < r->nparts; i++) expected = rules_sat_add(expected, r->parts[i].v);
    uint32_t terms = (uint32_t)((int64_t)1 + (int64_t)r->nparts + r->extra_terms);
    rel_finish(cx, r, expected, terms, rounding_classify_units(expected, r->actual, rel_units(r)), "≠");
}

/* lhs <= sum of parts (a cover: spending from a source is at most its income). */
void rules_rel_check_cover(rules_ctx_t *cx, rules_rel_t *r)
{
    int64_t expected = 0;
    for (size_t i = 0; i < r->nparts; i++) expected = rules_sat_add(expected, r->parts[i].v);
    uint32_t terms = 1 + (uint32_t)r->nparts;
    verdict_t v = r->actual <= expected ? VERDICT_EXACT
                                        : rounding_classify_units(expected, r->actual, r->units);
    rel_finish(cx, r, expected, terms, v, ">");
}

/* A finding that is not a relation (code rules). */
void rules_emit_plain(rules_ctx_t *cx, rule_id rule, verdict_t v, table_id t, const char *row,
                       column_id c, int64_t expected, int64_t actual, uint32_t line,
                       const char *explanation)
{
    finding_t f;
    rules_finding_init(&f, cx->s->entity, cx->s->year, v, t, row, c, expected, actual, 0);
    f.line = line;
    f.source = cx->s->source;
    f.explanation = (char *)explanation;
    if (engine_emit(cx, rule, &f) < 0) cx->err = -1;
}

void rules_check_refs(rules_ctx_t *cx, rule_id rule, rules_ref_t lhs, const rules_ref_t *parts, size_t n,
                       bool cover, const char *note)
{
    const rules_row_t *l = rules_fig(cx, lhs.t, lhs.row, lhs.c);
    if (!l) return;
    rules_rel_t r;
    rules_rel_init(&r, rule, lhs.t, lhs.row, lhs.c, l->v[lhs.c], l->line[lhs.c]);
    rules_rel_lhs_unit(&r, l->unit[lhs.c]);
    rules_row_label(lhs.t, l, r.lhs, sizeof r.lhs);
    for (size_t i = 0; i < n; i++) {
        const rules_row_t *p = rules_fig(cx, parts[i].t, parts[i].row, parts[i].c);
        if (!p) continue;
        char lab[RULES_LABEL_MAX], rl[200];
        rules_part_label(parts[i].t, p, rl, sizeof rl);
        snprintf(lab, sizeof lab, "%s %s %s", table_label(parts[i].t), rl,
                 column_label(parts[i].t, parts[i].c));
        rules_rel_part_unit(cx, &r, lab, p->v[parts[i].c], p->unit[parts[i].c]);
    }
    if (r.nparts == 0) { rules_rel_drop(&r); return; }
    if (note) snprintf(r.note, sizeof r.note, "%s", note);
    if (cover) rules_rel_check_cover(cx, &r);
    else rules_rel_check(cx, &r);
}


/* ---- code hierarchy ---- */

/* Sets each code row's parent (nearest printed ancestor) and malformed flag. */
static void hierarchy_link(rules_ctx_t *cx, table_id t, code_kind kind)
{
    rules_tab_t *tb = &cx->tab[t];
    for (size_t i = 0; i < tb->n; i++) {
        rules_row_t *r = &tb->rows[i];
        r->parent = RULES_ROOT;
        if (rules_is_total(r)) { r->parent = RULES_EXCLUDED; continue; }
        if (!code_is_numeric(r->row)) { r->parent = RULES_EXCLUDED; r->malformed = 1; continue; }
        char anc[SUBMISSION_ROW_MAX + 1];
        bool ok;
        if (code_well_formed(kind, r->row)) {
            ok = code_parent(kind, r->row, anc, sizeof anc);
        } else {
            r->malformed = 1;
            ok = code_nearest_parent(kind, r->row, anc, sizeof anc);
        }
        while (ok) {
            int p = rules_row_index(tb, anc);
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
        if (p == RULES_EXCLUDED) continue;
        int *head = p == RULES_ROOT ? &tb->roots : &tb->first[p];
        tb->next[i] = *head;
        *head = (int)i;
    }
}

int rules_check(const submission_t *s, const rule_settings_t *settings, findings_t *out)
{
    return rules_check_entity(s, LEVEL_NONE, settings, out);
}

int rules_check_entity(const submission_t *s, entity_level level, const rule_settings_t *settings,
                       findings_t *out)
{
    assert(s && out);
    rules_ctx_t cx = { 0 };
    size_t from = out->count;
    cx.s = s;
    cx.level = level;
    cx.set = settings;
    cx.out = out;
    if (grid_build(&cx) < 0) { grid_free(&cx); return -1; }
    for (int t = TABLE_NONE + 1; t < TABLE_COUNT; t++) {
        row_kind rk = table_row_kind((table_id)t);
        if (rk == ROWS_FUNCTION || rk == ROWS_ECONOMIC)
            hierarchy_link(&cx, (table_id)t, code_kind_for_table((table_id)t));
    }
    /* per-table families table by table (each table's findings together), then the rest */
    for (int t = TABLE_NONE + 1; t < TABLE_COUNT; t++)
        for (size_t i = 0; i < RULES_N(RULES_REGISTRY); i++)
            if (RULES_REGISTRY[i].per_table) {
                cx.running = &RULES_REGISTRY[i];
                RULES_REGISTRY[i].fn(&cx, (table_id)t);
            }
    for (size_t i = 0; i < RULES_N(RULES_REGISTRY); i++)
        if (!RULES_REGISTRY[i].per_table) {
            cx.running = &RULES_REGISTRY[i];
            RULES_REGISTRY[i].fn(&cx, TABLE_NONE);
        }
    grid_free(&cx);
    if (rules_fold(out, from) != 0) cx.err = -1;
    return cx.err;
}
