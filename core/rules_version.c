/* rules_version.c -- completeness: the tables an entity must publish (table.required) and
 * what a new version drops that the previous one had (version.*).
 *
 * Invariants:
 *  1. A table is present when the submission has at least one fact in it; an empty printed
 *     table (本表无数据) is present as its `total` row with amount 0 (examples/FORMAT.md).
 *  2. table.required runs only when the entity's level is known (rules_check_entity) and
 *     reports one finding per missing table, naming it in Chinese.
 *  3. rules_check_versions compares two versions of one entity/year key by key: a table
 *     that vanished entirely is one version.table_withdrawn finding (not one per figure);
 *     a figure that vanished from a table still printed is one version.figure_withdrawn.
 *     expected is always the previous value, actual 0, so the finding carries the number.
 */
#include "rules_engine.h"

#include <assert.h>
#include <string.h>

#include "amount.h"

/* ---- table.required ---- */

void rules_required(rules_ctx_t *cx, table_id t)
{
    (void)t;
    uint32_t need = rule_settings_required(cx->set, cx->level);
    for (int tb = TABLE_NONE + 1; tb < TABLE_COUNT; tb++) {
        if (!((need >> tb) & 1u) || rules_table_present(cx, (table_id)tb)) continue;
        char msg[600];
        snprintf(msg, sizeof msg, "%s %s：缺少应公开的表“%s”（%s）；无数据的表也须报送：写一行 %s,%u,%s,total,本表无数据,%s,0",
                 level_label(cx->level), cx->s->entity, table_label((table_id)tb),
                 table_name((table_id)tb), cx->s->entity, cx->s->year, table_name((table_id)tb),
                 table_has_column((table_id)tb, COL_TOTAL) ? "total" : "amount");
        finding_t f;
        rules_finding_init(&f, cx->s->entity, cx->s->year, VERDICT_MISSING, (table_id)tb, "",
                           COL_NONE, 0, 0, 0);
        f.source = cx->s->source;
        f.explanation = msg;
        assert(cx->running && cx->running->ids[0] == RULE_TABLE_REQUIRED);
        if (rules_emit(cx->out, cx->set, RULE_TABLE_REQUIRED, &f) < 0) cx->err = -1;
    }
}

/* ---- versions ---- */

bool rules_version_registered(rule_id id)
{
    return id == RULE_VERSION_TABLE_WITHDRAWN || id == RULE_VERSION_FIGURE_WITHDRAWN;
}

bool rules_table_main_figure(const submission_t *s, table_id t, const fact_t **main)
{
    static const struct { const char *row; column_id c; } MAIN[] = {
        { TABLE_ROW_TOTAL, COL_TOTAL }, { TABLE_ROW_TOTAL, COL_AMOUNT },
        { TABLE_ROW_EXPENSE_TOTAL, COL_AMOUNT }, { TABLE_ROW_EXPENSE_TOTAL, COL_TOTAL },
        { TABLE_ROW_TOTAL, COL_BASIC },
    };
    for (size_t i = 0; i < sizeof MAIN / sizeof MAIN[0]; i++) {
        const fact_t *f = submission_find(s, t, MAIN[i].row, MAIN[i].c);
        if (f) { *main = f; return true; }
    }
    for (size_t i = 0; i < s->count; i++)
        if (s->facts[i].table == t) { *main = &s->facts[i]; return true; }
    return false;
}

static int fact_key_cmp(const fact_t *a, const fact_t *b)
{
    if (a->table != b->table) return (int)a->table - (int)b->table;
    int c = strcmp(a->row, b->row);
    if (c) return c;
    return (int)a->column - (int)b->column;
}

static bool table_in(const submission_t *s, table_id t)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->facts[i].table == t) return true;
    return false;
}

static int emit_withdrawn(const submission_t *next, const rule_settings_t *set, findings_t *out,
                          rule_id id, table_id t, const char *row, column_id c, int64_t prev,
                          uint32_t line, const char *msg)
{
    finding_t f;
    rules_finding_init(&f, next->entity, next->year, VERDICT_MISSING, t, row, c, prev, 0, 0);
    f.line = line;
    f.source = next->source;
    f.explanation = (char *)msg;
    return rules_emit(out, set, id, &f);
}

int rules_check_versions(const submission_t *prev, uint32_t prev_version, const submission_t *next,
                         const rule_settings_t *settings, findings_t *out)
{
    assert(prev && next && out);
    int rc = 0;
    size_t from = out->count;
    bool gone[TABLE_COUNT] = { false };
    for (int t = TABLE_NONE + 1; t < TABLE_COUNT; t++) {
        if (!table_in(prev, (table_id)t) || table_in(next, (table_id)t)) continue;
        gone[t] = true;
        const fact_t *m = NULL;
        rules_table_main_figure(prev, (table_id)t, &m);
        size_t n = 0;
        for (size_t i = 0; i < prev->count; i++) n += prev->facts[i].table == (table_id)t;
        char a[AMOUNT_BUF], msg[700];
        snprintf(msg, sizeof msg, "%s %u：新版本缺少整张“%s”（%s），上一版本 v%u 有 %zu 个数字，其中 %s %s 为 %s 万元；该表已撤回",
                 next->entity, next->year, table_label((table_id)t), table_name((table_id)t),
                 prev_version, n, m->row, column_label((table_id)t, m->column),
                 amount_format(m->fen, a));
        if (emit_withdrawn(next, settings, out, RULE_VERSION_TABLE_WITHDRAWN, (table_id)t, "",
                           COL_NONE, m->fen, 0, msg) < 0)
            rc = -1;
    }
    /* both sorted by key (submission_sort): one merge */
    size_t i = 0, j = 0;
    while (i < prev->count) {
        const fact_t *p = &prev->facts[i];
        int c = j < next->count ? fact_key_cmp(p, &next->facts[j]) : -1;
        if (c > 0) { j++; continue; }
        i++;
        if (c == 0) { j++; continue; }
        if (gone[p->table]) continue;
        char a[AMOUNT_BUF], msg[700];
        const char *fixed = table_fixed_row_label(p->table, p->row);
        const char *label = fixed ? fixed : p->name && p->name[0] ? p->name : "";
        snprintf(msg, sizeof msg, "%s %u：新版本缺少“%s”行 %s%s%s 的“%s”，上一版本 v%u 为 %s 万元；该数字已撤回",
                 next->entity, next->year, table_label(p->table), p->row, label[0] ? " " : "",
                 label, column_label(p->table, p->column), prev_version, amount_format(p->fen, a));
        if (emit_withdrawn(next, settings, out, RULE_VERSION_FIGURE_WITHDRAWN, p->table, p->row,
                           p->column, p->fen, p->line, msg) < 0)
            rc = -1;
    }
    if (rules_fold(out, from) != 0) rc = -1;
    return rc;
}
