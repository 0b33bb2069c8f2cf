/* rules_level.c -- level rules over one node of the tree (a level_view_t from the store).
 *
 * Invariants: every finding has entity = view->entity and either a key among view->figures
 * or an empty row (node-wide); a figure is compared only when it has both a declared and a
 * computed value (tables no subordinate submitted are not compared); the rounding tolerance
 * counts the declared figure plus every contributing child's printed figure.
 */
#include "rules_engine.h"

#include <assert.h>

#include <string.h>

#include "amount.h"

/* Emits a finding of rule id about one figure key of the node, explained by tx (freed). */
static int emit_figure(const level_view_t *v, const rule_settings_t *set, findings_t *out,
                       rule_id id, verdict_t verdict, table_id t, const char *row, column_id c, int64_t expected,
                       int64_t actual, uint32_t terms, rules_text_t *tx)
{
    finding_t f;
    rules_finding_init(&f, v->entity, v->year, verdict, t, row, c, expected, actual, terms);
    f.explanation = tx->buf;
    int rc = tx->oom ? -1 : rules_emit(out, set, id, &f);
    rules_text_free(tx);
    return rc;
}

static size_t children_submitted(const level_view_t *v)
{
    size_t n = 0;
    for (size_t i = 0; i < v->nchildren; i++) n += v->children[i].submitted != 0;
    return n;
}

static const char *figure_row_label(const level_figure_t *fg)
{
    const char *l = table_fixed_row_label(fg->fig.key.table, fg->fig.key.row);
    return l ? l : fg->fig.key.row;
}

static int check_declared(const level_view_t *v, const level_figure_t *fg,
                          const rule_settings_t *set, findings_t *out, rule_id id)
{
    uint32_t terms = 1 + fg->fig.contributors;
    verdict_t verdict = rounding_classify(fg->fig.computed, fg->fig.declared, terms);
    if (verdict == VERDICT_EXACT) return 0;
    char a[AMOUNT_BUF], b[AMOUNT_BUF], d[AMOUNT_BUF], tol[AMOUNT_BUF];
    rules_text_t tx = { 0 };
    rules_text_printf(&tx, "%s %s %s %s：%s 申报 %s ≠ 下级合计 %s", v->entity, v->name ? v->name : "",
                      table_label(fg->fig.key.table), column_label(fg->fig.key.table, fg->fig.key.column),
                      figure_row_label(fg), amount_format(fg->fig.declared, a),
                      amount_format(fg->fig.computed, b));
    size_t shown = 0;
    for (size_t i = 0; i < fg->nchildren; i++) {
        const child_value_t *c = &fg->children[i];
        if (!c->has_reported) continue;
        if (shown == 8) { rules_text_printf(&tx, " + … (%zu more)", fg->nchildren - i); break; }
        rules_text_printf(&tx, "%s%s %s %s", shown ? " + " : " = ", c->code, c->name ? c->name : "",
                          amount_format(c->reported, a));
        shown++;
    }
    rules_text_printf(&tx, " → %s（差 %s 万元，%u 个印刷数容差 %s 万元）", verdict_label(verdict),
                      amount_format_diff(fg->fig.declared, fg->fig.computed, d), terms,
                      amount_format((int64_t)terms * AMOUNT_HALF_PRINTED_UNIT, tol));
    size_t sub = children_submitted(v);
    if (sub < v->nchildren)
        rules_text_printf(&tx, "；partial: %zu of %zu subordinates submitted（%zu 个下级中 %zu 个已报送）",
                          sub, v->nchildren, v->nchildren, sub);
    return emit_figure(v, set, out, id, verdict, fg->fig.key.table, fg->fig.key.row, fg->fig.key.column, fg->fig.computed, fg->fig.declared, terms, &tx);
}

static int check_missing(const level_view_t *v, const rule_settings_t *set, findings_t *out,
                         rule_id id, size_t arg)
{
    size_t sub = children_submitted(v);
    if (sub == v->nchildren || (sub == 0 && !v->declared_any)) return 0;
    rules_text_t tx = { 0 };
    rules_text_printf(&tx, "%s %s：%zu 个登记下级中 %zu 个未报送 %u 年度数据：", v->entity,
                      v->name ? v->name : "", v->nchildren, v->nchildren - sub, v->year);
    size_t k = 0;
    for (size_t i = 0; i < v->nchildren; i++) {
        if (v->children[i].submitted) continue;
        rules_text_printf(&tx, "%s%s %s", k++ ? "、" : "", v->children[i].code,
                          v->children[i].name ? v->children[i].name : "");
    }
    finding_t f;
    (void)arg;
    rules_finding_init(&f, v->entity, v->year, VERDICT_MISSING, TABLE_NONE, "", COL_NONE, 0, 0, 0);
    /* expected/actual stay 0: they are money, and the counts are in the explanation */
    f.explanation = tx.buf;
    int rc = tx.oom ? -1 : rules_emit(out, set, id, &f);
    rules_text_free(&tx);
    return rc;
}

static const level_figure_t *figure_find(const level_view_t *v, table_id t, const char *row, column_id c)
{
    for (size_t i = 0; i < v->nfigures; i++) {
        const level_figure_t *fg = &v->figures[i];
        if (fg->fig.key.table == t && fg->fig.key.column == c && strcmp(fg->fig.key.row, row) == 0) return fg;
    }
    return NULL;
}

/* Sum of the children's reported values of a figure; *n counts them. */
static int64_t children_sum(const level_figure_t *fg, uint32_t *n)
{
    int64_t s = 0;
    if (!fg) return 0;
    for (size_t i = 0; i < fg->nchildren; i++)
        if (fg->children[i].has_reported) {
            s = rules_sat_add(s, fg->children[i].reported);
            (*n)++;
        }
    return s;
}

static void explain_side(rules_text_t *tx, const level_figure_t *fg)
{
    char a[AMOUNT_BUF];
    size_t shown = 0;
    for (size_t i = 0; fg && i < fg->nchildren; i++) {
        if (!fg->children[i].has_reported) continue;
        if (shown == 8) { rules_text_printf(tx, " + …"); break; }
        rules_text_printf(tx, "%s%s %s", shown++ ? " + " : "", fg->children[i].code,
                          amount_format(fg->children[i].reported, a));
    }
    if (!shown) rules_text_printf(tx, "0.00");
}

/* One transfer (TABLE_TRANSFERS[arg]): what the children received, summed, equals what
 * the children paid, summed. */
static int check_transfer(const level_view_t *v, const rule_settings_t *set, findings_t *out,
                          rule_id id, size_t arg)
{
    static const char *const WHAT[TABLE_TRANSFER_COUNT] = { "下拨", "上缴" };
    assert(arg < TABLE_TRANSFER_COUNT);
    const table_key_t *rk = &TABLE_TRANSFERS[arg].received, *pk = &TABLE_TRANSFERS[arg].paid;
    const level_figure_t *recv = figure_find(v, rk->table, rk->row, rk->column);
    const level_figure_t *paid = figure_find(v, pk->table, pk->row, pk->column);
    uint32_t nr = 0, np = 0;
    int64_t r = children_sum(recv, &nr), p = children_sum(paid, &np);
    if (r == 0 && p == 0) return 0;
    uint32_t terms = nr + np;
    verdict_t verdict = rounding_classify(p, r, terms);
    if (verdict == VERDICT_EXACT) return 0;
    char a[AMOUNT_BUF], b[AMOUNT_BUF], d[AMOUNT_BUF];
    rules_text_t tx = { 0 };
    rules_text_printf(&tx, "%s %s 内部%s：下级%s合计 %s = ", v->entity, v->name ? v->name : "",
                      WHAT[arg], column_label(rk->table, rk->column), amount_format_bound(r, a));
    explain_side(&tx, recv);
    rules_text_printf(&tx, " ≠ 下级%s合计 %s = ", column_label(pk->table, pk->column),
                      amount_format_bound(p, b));
    explain_side(&tx, paid);
    rules_text_printf(&tx, " → %s（差 %s 万元）", verdict_label(verdict), amount_format_diff(r, p, d));
    return emit_figure(v, set, out, id, verdict, rk->table, rk->row, rk->column, p, r, terms, &tx);
}

/* A node that must declare (its level has required tables) but did not, while some of
 * its subordinates submitted. */
static int check_not_declared(const level_view_t *v, const rule_settings_t *set, findings_t *out,
                              rule_id id, size_t arg)
{
    (void)arg;
    size_t sub = children_submitted(v);
    if (v->declared_any || sub == 0 || rule_settings_required(set, v->level) == 0) return 0;
    rules_text_t tx = { 0 };
    rules_text_printf(&tx, "%s %s（%s）未申报 %u 年度数据，而 %zu 个下级已报送：", v->entity,
                      v->name ? v->name : "", level_label(v->level), v->year, sub);
    size_t k = 0;
    for (size_t i = 0; i < v->nchildren; i++) {
        if (!v->children[i].submitted) continue;
        if (k == 8) { rules_text_printf(&tx, "……"); break; }
        rules_text_printf(&tx, "%s%s %s", k++ ? "、" : "", v->children[i].code,
                          v->children[i].name ? v->children[i].name : "");
    }
    rules_text_printf(&tx, "；其%s预算未报送，上级看到的是下级之和", level_label(v->level));
    finding_t f;
    rules_finding_init(&f, v->entity, v->year, VERDICT_MISSING, TABLE_NONE, "", COL_NONE, 0, 0, 0);
    f.explanation = tx.buf;
    int rc = tx.oom ? -1 : rules_emit(out, set, id, &f);
    rules_text_free(&tx);
    return rc;
}

/* Every declared figure with a computed sum. */
static int check_declared_all(const level_view_t *v, const rule_settings_t *set, findings_t *out,
                              rule_id id, size_t arg)
{
    int rc = 0;
    (void)arg;
    for (size_t i = 0; i < v->nfigures; i++) {
        const level_figure_t *fg = &v->figures[i];
        if (fg->fig.has_declared && fg->fig.has_computed && check_declared(v, fg, set, out, id) < 0)
            rc = -1;
    }
    return rc;
}

/* The level registry, in the order the rules run: {id, function, its argument}. */
typedef int (*level_fn)(const level_view_t *v, const rule_settings_t *set, findings_t *out,
                        rule_id id, size_t arg);
static const struct { rule_id id; level_fn fn; size_t arg; } LEVEL_RULES[] = {
    { RULE_LEVEL_DECLARED_VS_COMPUTED, check_declared_all, 0 },
    { RULE_LEVEL_MISSING_SUBORDINATES, check_missing, 0 },
    { RULE_LEVEL_NOT_DECLARED, check_not_declared, 0 },
    { RULE_LEVEL_TRANSFER_UPPER, check_transfer, 0 },     /* TABLE_TRANSFERS[0]: upper/to_sub */
    { RULE_LEVEL_TRANSFER_SUB, check_transfer, 1 },       /* TABLE_TRANSFERS[1]: sub/to_upper */
};

bool rules_level_registered(rule_id id)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof LEVEL_RULES / sizeof LEVEL_RULES[0]; i++) n += LEVEL_RULES[i].id == id;
    return n == 1;
}

bool rules_registered(rule_id id)
{
    return rules_level_registered(id) + rules_submission_registered(id) +
           rules_version_registered(id) + rules_text_registered(id) == 1;
}

int rules_check_level(const level_view_t *view, const rule_settings_t *settings, findings_t *out)
{
    assert(view && out);
    int rc = 0;
    for (size_t i = 0; i < sizeof LEVEL_RULES / sizeof LEVEL_RULES[0]; i++)
        if (LEVEL_RULES[i].fn(view, settings, out, LEVEL_RULES[i].id, LEVEL_RULES[i].arg) < 0) rc = -1;
    return rc;
}
