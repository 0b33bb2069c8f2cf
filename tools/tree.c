/* tree.c -- `huizong tree`: the consolidated hierarchy, each node with its reported,
 * declared and computed figures and which of its subordinates have submitted.
 *
 * reported = declared where the node declared the figure, else computed; computed = a
 * unit's own figure or the sum of its children's reported figures. Showing all three side
 * by side is the point: a department's official 部门预算 is what its city sees, while the
 * sum of its units stays visible beside it.
 *
 * A figure a new version dropped (version.table_withdrawn / version.figure_withdrawn flags
 * of the node or of anyone in its subtree) is shown as 已撤回 with its previous value and
 * the entity that withdrew it, never as a bare —.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "amount.h"
#include "array.h"
#include "commands.h"
#include "csv.h"
#include "nodes.h"
#include "output.h"
#include "rules.h"

typedef struct {
    const char *db, *entity, *row;
    table_id table;
    column_id column;
    uint32_t year;
    int depth;              /* -1 = unlimited */
    output_format format;
    output_opts_t out;
} tree_opts;

/* One withdrawn figure: who dropped it, the key, and its value in the previous version. */
typedef struct {
    char entity[ENTITY_CODE_MAX + 1];
    uint32_t version;                 /* the version it was last in */
    store_figure_t fig;               /* key only (for tree_selects) */
    int64_t previous;
} withdrawn_t;

typedef struct {
    withdrawn_t *items;
    size_t count, cap;
} withdrawn_list_t;

typedef struct {
    size_t submitted, total;
    char missing[1024];     /* "code name, ..." (truncated with …) */
} child_status;

static void tree_usage(FILE *out)
{
    fprintf(out,
        "usage: huizong tree --db DIR --year Y [--entity CODE] [--table T] [--row R]\n"
        "                    [--column C] [--depth N] " OUTPUT_USAGE "\n\n"
        "Prints the hierarchy under CODE (default: every root) with, for each node, its code,\n"
        "Chinese name and level, its reported / declared / computed figures in 万元, and which\n"
        "subordinates have submitted for the year. Without --table/--row/--column it shows the\n"
        "summary table's 收入总计 and 支出总计. --table takes an id (gpb_func) or a Chinese name\n"
        "(一般公共预算支出表). A year without data says 无 Y 年数据; a row no node has, that it\n"
        "does not exist in the table.\n"
        "exit: 0 ok, 2 usage, 3 database error or unknown entity\n");
}

static int tree_parse(int argc, char **argv, tree_opts *o)
{
    memset(o, 0, sizeof *o);
    o->depth = -1;
    const char *table = NULL, *column = NULL;
    const opt_t options[] = {
        opt_text("db", &o->db), opt_call("year", &o->year, tool_option_year), opt_text("entity", &o->entity),
        opt_text("table", &table), opt_text("row", &o->row), opt_text("column", &column),
        opt_int("depth", &o->depth, -1, INT_MAX, NULL), opt_table(output_options(&o->out)), opt_end() };
    int parsed = options_parse("huizong tree", options, argc, argv, tree_usage);
    if (parsed != OPTIONS_OK) return parsed == OPTIONS_HELP ? -1 : EXIT_USAGE;
    if (table && (o->table = tool_parse_table("huizong tree", table)) == TABLE_NONE) return EXIT_USAGE;
    if (column && (o->column = column_from_name(column)) == COL_NONE) {
        fprintf(stderr, "huizong tree: 未知列 '%s'\n", column);
        return EXIT_USAGE;
    }
    o->format = o->out.format;
    if (!o->db || !o->year) { tree_usage(stderr); return EXIT_USAGE; }
    return EXIT_OK;
}

/* Whether a figure is selected by the filters (default: summary income/expense totals). */
static bool tree_selects(const tree_opts *o, const store_figure_t *f)
{
    if (!o->table && !o->row && !o->column)
        return f->key.table == TABLE_SUMMARY &&
               (!strcmp(f->key.row, TABLE_ROW_INCOME_TOTAL) || !strcmp(f->key.row, TABLE_ROW_EXPENSE_TOTAL));
    if (o->table && f->key.table != o->table) return false;
    if (o->row && strcmp(f->key.row, o->row) != 0) return false;
    if (o->column && f->key.column != o->column) return false;
    return true;
}

/* Direct children of node i and which of them are included for the year. */
static void tree_child_status(store_t *store, const nodes_t *nodes, size_t i, uint32_t year,
                              child_status *cs)
{
    memset(cs, 0, sizeof *cs);
    size_t end = nodes_subtree_end(nodes, i), used = 0;
    for (size_t j = i + 1; j < end; j++) {
        if (nodes->depth[j] != nodes->depth[i] + 1) continue;
        const entity_t *e = &nodes->h.items[j];
        cs->total++;
        if (nodes_included(store, e->code, year, TABLE_NONE)) { cs->submitted++; continue; }
        int w = snprintf(cs->missing + used, sizeof cs->missing - used, "%s%s %s",
                         used ? "、" : "", e->code, e->name);
        if (w < 0 || (size_t)w >= sizeof cs->missing - used) {
            strcpy(cs->missing + sizeof cs->missing - 8, " …");
            used = sizeof cs->missing - 1;
        } else {
            used += (size_t)w;
        }
    }
}

static void amount_or_dash(bool has, int64_t fen, char buf[AMOUNT_BUF])
{
    if (has) amount_format(fen, buf); else strcpy(buf, "—");
}

/* Consolidation without double counting: above a unit, money one member of the subtree
 * pays another (对附属单位补助支出 paid down, received as 上级补助收入) sits in both sides'
 * gross totals. Net expense = expense total − to_sub; net income = income total − upper. */
typedef struct {
    bool any;
    int64_t expense_gross, expense_internal, income_gross, income_internal;
} internal_flows;

static int64_t figure_reported(const store_figure_t *figs, size_t n, table_id t,
                               const char *row, column_id c, bool *found)
{
    for (size_t k = 0; k < n; k++)
        if (figs[k].key.table == t && figs[k].key.column == c && !strcmp(figs[k].key.row, row)) {
            *found = true;
            return store_figure_reported(&figs[k]);
        }
    return 0;
}

static internal_flows tree_internal_flows(const entity_t *e, const store_figure_t *figs, size_t n)
{
    internal_flows fl = { 0 };
    if (e->level == LEVEL_UNIT) return fl;
    bool g1 = false, g2 = false, i1 = false, i2 = false;
    fl.expense_gross = figure_reported(figs, n, TABLE_EXPENSE, TABLE_ROW_TOTAL, COL_TOTAL, &g1);
    fl.expense_internal = figure_reported(figs, n, TABLE_EXPENSE, TABLE_ROW_TOTAL, COL_TO_SUB, &i1);
    fl.income_gross = figure_reported(figs, n, TABLE_INCOME, TABLE_ROW_TOTAL, COL_TOTAL, &g2);
    fl.income_internal = figure_reported(figs, n, TABLE_INCOME, TABLE_ROW_TOTAL, COL_UPPER, &i2);
    if (!g1) fl.expense_internal = 0;
    if (!g2) fl.income_internal = 0;
    fl.any = (g1 && fl.expense_internal) || (g2 && fl.income_internal);
    return fl;
}

static void tree_text_flows(const internal_flows *fl, int depth)
{
    char a[AMOUNT_BUF], b[AMOUNT_BUF], c[AMOUNT_BUF];
    if (fl->expense_internal)
        printf("%*s  合并抵销 支出: 总额 %s − 对附属单位补助支出 %s = 净额 %s\n", depth * 2, "",
               amount_format(fl->expense_gross, a), amount_format(fl->expense_internal, b),
               amount_format_diff(fl->expense_gross, fl->expense_internal, c));
    if (fl->income_internal)
        printf("%*s  合并抵销 收入: 总额 %s − 上级补助收入 %s = 净额 %s\n", depth * 2, "",
               amount_format(fl->income_gross, a), amount_format(fl->income_internal, b),
               amount_format_diff(fl->income_gross, fl->income_internal, c));
}

static int withdrawn_push(withdrawn_list_t *w, const char *entity, uint32_t version,
                          table_id t, const char *row, column_id c, int64_t previous)
{
    if (array_reserve(&w->items, &w->cap, w->count + 1, sizeof *w->items, 16)) return -1;

    withdrawn_t *x = &w->items[w->count++];
    memset(x, 0, sizeof *x);
    snprintf(x->entity, sizeof x->entity, "%s", entity);
    x->version = version;
    x->fig.key.table = t;
    snprintf(x->fig.key.row, sizeof x->fig.key.row, "%s", row);
    x->fig.key.column = c;
    x->previous = previous;
    return 0;
}

/* Every figure withdrawn by a current version in the year: figure flags as they are, a
 * table flag expanded into the table's figures of the previous version. */
static void withdrawn_load(store_t *store, uint32_t year, withdrawn_list_t *w)
{
    memset(w, 0, sizeof *w);
    findings_t fl;
    findings_init(&fl);
    if (store_flags(store, year, NULL, &fl) != 0) { findings_clear(&fl); return; }
    for (size_t i = 0; i < fl.count; i++) {
        const finding_t *f = &fl.items[i];
        bool table = !strcmp(f->rule, rules_info(RULE_VERSION_TABLE_WITHDRAWN)->id);
        bool figure = !strcmp(f->rule, rules_info(RULE_VERSION_FIGURE_WITHDRAWN)->id);
        if (!table && !figure) continue;
        store_version_t *vs = NULL;
        size_t nv = 0;
        uint32_t prev = 0;
        if (store_versions(store, f->entity, year, &vs, &nv) == 0 && nv >= 2) prev = vs[nv - 2].version;
        free(vs);
        if (figure) {
            withdrawn_push(w, f->entity, prev, f->table, f->row, f->column, f->expected);
            continue;
        }
        submission_t *old = prev ? store_facts(store, f->entity, year, prev) : NULL;
        for (size_t k = 0; old && k < old->count; k++)
            if (old->facts[k].table == f->table)
                withdrawn_push(w, f->entity, prev, f->table, old->facts[k].row,
                               old->facts[k].column, old->facts[k].fen);
        submission_destroy(&old);
    }
    findings_clear(&fl);
}

/* Whether withdrawn figure x shows at node i: withdrawn by i or a descendant, selected by
 * the filters, and no longer carrying a value at i. */
static bool withdrawn_shows(const tree_opts *o, const nodes_t *nodes, size_t i, const withdrawn_t *x,
                            const store_figure_t *figs, size_t nfigs)
{
    if (!tree_selects(o, &x->fig)) return false;
    long at = nodes_find(nodes, x->entity);
    if (at < 0 || (size_t)at < i || (size_t)at >= nodes_subtree_end(nodes, i)) return false;
    for (size_t j = 0; j < nfigs; j++)
        if (figs[j].key.table == x->fig.key.table && figs[j].key.column == x->fig.key.column &&
            !strcmp(figs[j].key.row, x->fig.key.row) && (figs[j].has_declared || figs[j].has_computed))
            return false;
    return true;
}

static void tree_text_withdrawn(store_t *store, const tree_opts *o, const nodes_t *nodes, size_t i,
                                int depth, const withdrawn_list_t *w, const store_figure_t *figs,
                                size_t nfigs)
{
    for (size_t k = 0; k < w->count; k++) {
        const withdrawn_t *x = &w->items[k];
        if (!withdrawn_shows(o, nodes, i, x, figs, nfigs)) continue;
        char prev[AMOUNT_BUF];
        printf("%*s  %s %s/%s/%s: 已撤回（%s 上一版本 v%u 为 %s）\n", depth * 2, "",
               tool_row_label(store, x->fig.key.table, x->fig.key.row), table_name(x->fig.key.table),
               x->fig.key.row, column_name(x->fig.key.column), x->entity, x->version,
               amount_format(x->previous, prev));
    }
}

static void tree_text_node(store_t *store, const tree_opts *o, const entity_t *e, int depth,
                           bool submitted, const child_status *cs,
                           const store_figure_t *figs, size_t nfigs)
{
    printf("%*s%s %s [%s]", depth * 2, "", e->code, e->name, level_label(e->level));
    if (e->level == LEVEL_UNIT) printf(" %s", submitted ? "已报送" : "未报送");
    else if (submitted) printf(" 已申报");
    if (cs->total) printf("  下级报送 %zu/%zu", cs->submitted, cs->total);
    if (cs->submitted < cs->total) printf("  未报送: %s", cs->missing);
    putchar('\n');
    for (size_t k = 0; k < nfigs; k++) {
        const store_figure_t *f = &figs[k];
        if (!tree_selects(o, f)) continue;
        if (!f->has_declared && !f->has_computed) continue;   /* gone: tree_text_withdrawn */
        char rep[AMOUNT_BUF], dec[AMOUNT_BUF], com[AMOUNT_BUF];
        amount_format(store_figure_reported(f), rep);
        amount_or_dash(f->has_declared, f->declared, dec);
        amount_or_dash(f->has_computed, f->computed, com);
        printf("%*s  %s %s/%s/%s: 报送数 %s  申报数 %s  汇总数 %s", depth * 2, "",
               tool_row_label(store, f->key.table, f->key.row), table_name(f->key.table),
               f->key.row, column_name(f->key.column), rep, dec, com);
        if (f->has_declared && f->has_computed && f->declared != f->computed) {
            char diff[AMOUNT_BUF];
            printf("  差额 %s", amount_format_diff(f->declared, f->computed, diff));
        }
        putchar('\n');
    }
    internal_flows fl = tree_internal_flows(e, figs, nfigs);
    if (fl.any) tree_text_flows(&fl, depth);
}

static void tree_csv_row(store_t *store, const tree_opts *o, const entity_t *e, int depth,
                         bool submitted, const child_status *cs, const store_figure_t *f)
{
    char rep[AMOUNT_BUF] = "", dec[AMOUNT_BUF] = "", com[AMOUNT_BUF] = "";
    printf("%s,", e->code);
    csv_write_field(stdout, e->name);
    printf(",%s,%s,%d,%d,%zu,%zu,", o->out.header_ids ? level_name(e->level) : level_label(e->level),
           e->parent, depth, submitted, cs->submitted, cs->total);
    csv_write_field(stdout, cs->missing);
    if (!f) { printf(",,,,,,,,,,\n"); return; }
    if (f->has_declared) amount_format(f->declared, dec);
    if (f->has_computed) amount_format(f->computed, com);
    amount_format(store_figure_reported(f), rep);
    printf(",%s,%s,", table_name(f->key.table), f->key.row);
    csv_write_field(stdout, tool_row_label(store, f->key.table, f->key.row));
    printf(",%s,%s,%s,%s,%u,,\n", column_name(f->key.column), rep, dec, com, f->contributors);
}

/* The CSV rows of the figures withdrawn at node i (as tree_text_withdrawn shows them):
 * no figure, 状态 = 已撤回（ENTITY 上一版本 vN）, and the previous value. */
static void tree_csv_withdrawn(store_t *store, const tree_opts *o, const nodes_t *nodes, size_t i,
                               int depth, bool submitted, const child_status *cs,
                               const withdrawn_list_t *w, const store_figure_t *figs, size_t nfigs)
{
    const entity_t *e = &nodes->h.items[i];
    for (size_t k = 0; k < w->count; k++) {
        const withdrawn_t *x = &w->items[k];
        if (!withdrawn_shows(o, nodes, i, x, figs, nfigs)) continue;
        char prev[AMOUNT_BUF], status[160];
        printf("%s,", e->code);
        csv_write_field(stdout, e->name);
        printf(",%s,%s,%d,%d,%zu,%zu,", o->out.header_ids ? level_name(e->level) : level_label(e->level),
               e->parent, depth, submitted, cs->submitted, cs->total);
        csv_write_field(stdout, cs->missing);
        printf(",%s,%s,", table_name(x->fig.key.table), x->fig.key.row);
        csv_write_field(stdout, tool_row_label(store, x->fig.key.table, x->fig.key.row));
        if (o->out.header_ids) snprintf(status, sizeof status, "withdrawn (%s previous version v%u)", x->entity, x->version);
        else snprintf(status, sizeof status, "已撤回（%s 上一版本 v%u）", x->entity, x->version);
        printf(",%s,,,,,", column_name(x->fig.key.column));
        csv_write_field(stdout, status);
        printf(",%s\n", amount_format(x->previous, prev));
    }
}

static void json_amount(const char *key, bool has, int64_t fen)
{
    char buf[AMOUNT_BUF];
    if (!has) { printf("\"%s\":null,\"%s_fen\":null", key, key); return; }
    printf("\"%s\":\"%s\",\"%s_fen\":%lld", key, amount_format(fen, buf), key, (long long)fen);
}

/* "withdrawn":[...] of node i, when it has any (figures a new version dropped, with the
 * entity that dropped them and their previous value). */
static void tree_json_withdrawn(store_t *store, const tree_opts *o, const nodes_t *nodes, size_t i,
                                const withdrawn_list_t *w, const store_figure_t *figs, size_t nfigs)
{
    bool any = false;
    for (size_t k = 0; k < w->count; k++) {
        const withdrawn_t *x = &w->items[k];
        if (!withdrawn_shows(o, nodes, i, x, figs, nfigs)) continue;
        printf("%s{\"entity\":", any ? "," : ",\"withdrawn\":[");
        json_write_string(stdout, x->entity);
        printf(",\"version\":%u,\"table\":\"%s\",\"row\":", x->version, table_name(x->fig.key.table));
        json_write_string(stdout, x->fig.key.row);
        printf(",\"label\":");
        json_write_string(stdout, tool_row_label(store, x->fig.key.table, x->fig.key.row));
        printf(",\"column\":\"%s\",", column_name(x->fig.key.column));
        json_amount("previous", true, x->previous);
        putchar('}');
        any = true;
    }
    if (any) putchar(']');
}

static void tree_json_node(store_t *store, const tree_opts *o, const entity_t *e, int depth,
                           bool submitted, const child_status *cs,
                           const store_figure_t *figs, size_t nfigs, bool first,
                           const nodes_t *nodes, size_t i, const withdrawn_list_t *w)
{
    printf("%s\n{\"code\":", first ? "" : ",");
    json_write_string(stdout, e->code);
    printf(",\"name\":");
    json_write_string(stdout, e->name);
    printf(",\"level\":\"%s\",\"parent\":", level_name(e->level));
    json_write_string(stdout, e->parent);
    printf(",\"depth\":%d,\"submitted\":%s,\"children_submitted\":%zu,\"children_total\":%zu,"
           "\"missing\":", depth, submitted ? "true" : "false", cs->submitted, cs->total);
    json_write_string(stdout, cs->missing);
    printf(",\"figures\":[");
    bool firstf = true;
    for (size_t k = 0; k < nfigs; k++) {
        const store_figure_t *f = &figs[k];
        if (!tree_selects(o, f)) continue;
        if (!f->has_declared && !f->has_computed) continue;   /* gone: "withdrawn" */
        printf("%s{\"table\":\"%s\",\"row\":", firstf ? "" : ",", table_name(f->key.table));
        json_write_string(stdout, f->key.row);
        printf(",\"label\":");
        json_write_string(stdout, tool_row_label(store, f->key.table, f->key.row));
        printf(",\"column\":\"%s\",", column_name(f->key.column));
        json_amount("reported", true, store_figure_reported(f));
        putchar(',');
        json_amount("declared", f->has_declared, f->declared);
        putchar(',');
        json_amount("computed", f->has_computed, f->computed);
        printf(",\"contributors\":%u}", f->contributors);
        firstf = false;
    }
    printf("]");
    tree_json_withdrawn(store, o, nodes, i, w, figs, nfigs);
    internal_flows fl = tree_internal_flows(e, figs, nfigs);
    if (fl.any) {
        char a[AMOUNT_BUF], b[AMOUNT_BUF];
        printf(",\"net\":{\"expense\":\"%s\",\"income\":\"%s\"}",
               amount_format_diff(fl.expense_gross, fl.expense_internal, a),
               amount_format_diff(fl.income_gross, fl.income_internal, b));
    }
    printf("}");
}

/* Whether the selection is empty, and what to say: no data for the year at all, or no node
 * of the subtree with the requested row (in the requested table). */
static bool tree_empty(store_t *store, const tree_opts *o, const nodes_t *nodes, size_t start,
                       size_t end, char *msg, size_t n)
{
    if (!nodes_year_has_data(nodes, store, o->year)) {
        snprintf(msg, n, "无 %u 年数据", o->year);
        return true;
    }
    if (!o->row && !o->table && !o->column) return false;
    for (size_t i = start; i < end; i++) {
        store_figure_t *figs = NULL;
        size_t nfigs = 0;
        bool found = false;
        store_figures(store, nodes->h.items[i].code, o->year, o->table, &figs, &nfigs);
        for (size_t k = 0; k < nfigs && !found; k++) found = tree_selects(o, &figs[k]);
        free(figs);
        if (found) return false;
    }
    char what[128] = "", where[160];
    if (o->row) snprintf(what, sizeof what, "行 %s", o->row);
    if (o->column)
        snprintf(what + strlen(what), sizeof what - strlen(what), "%s列 %s", o->row ? " " : "",
                 column_name(o->column));
    if (o->table) snprintf(where, sizeof where, "%s（%s）", table_name(o->table), table_label(o->table));
    else snprintf(where, sizeof where, "任何表");
    if (what[0]) snprintf(msg, n, "%s 不存在于 %s 的 %u 年数据中", what, where, o->year);
    else snprintf(msg, n, "%u 年无 %s 数据", o->year, where);
    return true;
}

static void tree_emit(store_t *store, const tree_opts *o, const nodes_t *nodes, size_t i,
                      int rel_depth, bool *first, const withdrawn_list_t *w)
{
    const entity_t *e = &nodes->h.items[i];
    store_figure_t *figs = NULL;
    size_t nfigs = 0;
    store_figures(store, e->code, o->year, o->table, &figs, &nfigs);
    bool submitted = nodes_submitted(store, e->code, o->year);
    child_status cs;
    tree_child_status(store, nodes, i, o->year, &cs);
    if (o->format == FORMAT_TEXT) {
        tree_text_node(store, o, e, rel_depth, submitted, &cs, figs, nfigs);
        tree_text_withdrawn(store, o, nodes, i, rel_depth, w, figs, nfigs);
    } else if (o->format == FORMAT_JSON) {
        tree_json_node(store, o, e, rel_depth, submitted, &cs, figs, nfigs, *first, nodes, i, w);
    } else {
        bool any = false;
        for (size_t k = 0; k < nfigs; k++) {
            const store_figure_t *f = &figs[k];
            if (!tree_selects(o, f) || (!f->has_declared && !f->has_computed)) continue;
            tree_csv_row(store, o, e, rel_depth, submitted, &cs, f);   /* gone: tree_csv_withdrawn */
            any = true;
        }
        if (!any) tree_csv_row(store, o, e, rel_depth, submitted, &cs, NULL);
        tree_csv_withdrawn(store, o, nodes, i, rel_depth, submitted, &cs, w, figs, nfigs);
    }
    *first = false;
    free(figs);
}

int cmd_tree(int argc, char **argv)
{
    tree_opts o;
    int rc = tree_parse(argc, argv, &o);
    if (rc != EXIT_OK) return rc < 0 ? EXIT_OK : rc;
    store_t *store = tool_open_store(o.db);
    if (!store) return EXIT_ERROR;
    nodes_t nodes;
    if (nodes_load(&nodes, store) != 0) {
        fprintf(stderr, "huizong tree: cannot read the hierarchy from %s\n", o.db);
        store_destroy(&store);
        return EXIT_ERROR;
    }
    size_t start = 0, end = nodes.h.count;
    if (o.entity) {
        long at = nodes_find(&nodes, o.entity);
        if (at < 0) {
            fprintf(stderr, "huizong tree: 未知单位 '%s'（不在层级中）\n", o.entity);
            nodes_free(&nodes);
            store_destroy(&store);
            return EXIT_ERROR;
        }
        start = (size_t)at;
        end = nodes_subtree_end(&nodes, start);
    }
    char empty[256];
    rc = EXIT_OK;
    if (tree_empty(store, &o, &nodes, start, end, empty, sizeof empty)) {
        /* Nothing to show: say so instead of a tree of 未报送 or of bare names. Text says
         * it on stdout (it is the answer); CSV and JSON keep stdout parseable. */
        if (o.format == FORMAT_TEXT) {
            printf("%s\n", empty);
            goto done;
        }
        fprintf(stderr, "huizong tree: %s\n", empty);
    }
    if (output_begin(&o.out) != 0) { rc = EXIT_ERROR; goto done; }
    if (o.format == FORMAT_CSV && o.out.header_ids)
        printf("code,name,level,parent,depth,submitted,children_submitted,children_total,missing,"
               "table,row,label,column,reported,declared,computed,contributors,status,previous\n");
    else if (o.format == FORMAT_CSV)
        printf("单位代码,单位名称,层级,上级代码,深度,本级已报送,下级已报送,下级总数,未报送下级,"
               "表,行,行名称,列,报送数(万元),申报数(万元),汇总数(万元),计入下级数,状态,上一版本数(万元)\n");
    if (o.format == FORMAT_JSON) printf("[");
    int base = start < end ? nodes.depth[start] : 0;
    bool first = true;
    withdrawn_list_t w = { 0 };
    withdrawn_load(store, o.year, &w);
    for (size_t i = start; i < end; i++) {
        int rel = nodes.depth[i] - base;
        if (o.depth >= 0 && rel > o.depth) continue;
        tree_emit(store, &o, &nodes, i, rel, &first, &w);
    }
    free(w.items);
    if (o.format == FORMAT_JSON) printf("\n]\n");
    if (output_end(&o.out) != 0) rc = EXIT_ERROR;
done:
    nodes_free(&nodes);
    store_destroy(&store);
    return rc;
}
