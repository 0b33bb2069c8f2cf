/* api.c -- the JSON documents of /api/ (see api.h). */
#include "api.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "amount.h"
#include "codes.h"
#include "json.h"

#define WEB_YEAR_FIRST 1990
#define WEB_YEAR_LAST 2100
#define WEB_MISSING_MAX 200   /* unreported subordinates listed per node */
#define WEB_UNIT_COUNT_MAX 2000 /* subtrees up to this size also count their units */

/* ---- helpers --------------------------------------------------------------------------- */

static const char *s_row_label(store_t *store, table_id t, const char *row)
{
    const char *label = table_fixed_row_label(t, row);
    if (label) return label;
    if (code_is_numeric(row)) {
        code_kind kind = code_kind_for_table(t);
        if (kind == CODE_NONE) kind = CODE_FUNCTION;
        label = code_known_name(kind, row);
        if (label) return label;
    }
    label = store_row_label(store, t, row);
    return label ? label : "";
}

static void s_amount(FILE *out, const char *key, int has, int64_t fen)
{
    char buf[AMOUNT_BUF];
    if (!has) { fprintf(out, "\"%s\":null", key); return; }
    fprintf(out, "\"%s\":\"%s\"", key, amount_format(fen, buf));
}

static void s_time(FILE *out, uint64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char buf[32];
    localtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    json_write_string(out, buf);
}

static const store_figure_t *s_find(const store_figure_t *figs, size_t n, table_id t,
                                    const char *row, column_id c)
{
    for (size_t k = 0; k < n; k++)
        if (figs[k].key.table == t && figs[k].key.column == c && !strcmp(figs[k].key.row, row))
            return &figs[k];
    return NULL;
}

static void s_figure(FILE *out, const char *name, const store_figure_t *f)
{
    fprintf(out, "\"%s\":{", name);
    if (!f) { fprintf(out, "\"reported\":null,\"declared\":null,\"computed\":null}"); return; }
    s_amount(out, "reported", 1, store_figure_reported(f));
    fputc(',', out);
    s_amount(out, "declared", f->has_declared, f->declared);
    fputc(',', out);
    s_amount(out, "computed", f->has_computed, f->computed);
    fprintf(out, ",\"contributors\":%u}", f->contributors);
}

/* "<side>_gross", "<side>_internal" and "<side>_net" of one side's total and its internal
 * column (all null when the side has no total). */
static void s_net_side(FILE *out, const char *side, const store_figure_t *figs, size_t n,
                       table_id t, column_id internal)
{
    const store_figure_t *g = s_find(figs, n, t, "total", COL_TOTAL);
    const store_figure_t *i = s_find(figs, n, t, "total", internal);
    int64_t gv = g ? store_figure_reported(g) : 0, iv = g && i ? store_figure_reported(i) : 0;
    char key[32];
    snprintf(key, sizeof key, "%s_gross", side);
    s_amount(out, key, g != NULL, gv);
    snprintf(key, sizeof key, "%s_internal", side);
    fputc(',', out);
    s_amount(out, key, g != NULL, iv);
    snprintf(key, sizeof key, "%s_net", side);
    fputc(',', out);
    s_amount(out, key, g != NULL, gv - iv);
}

/* Net of internal transfers above unit level: expense − 对附属单位补助支出, income − 上级补助收入. */
static void s_net(FILE *out, const entity_t *e, const store_figure_t *figs, size_t n)
{
    if (e->level == LEVEL_UNIT) { fprintf(out, "\"net\":null"); return; }
    fprintf(out, "\"net\":{");
    s_net_side(out, "expense", figs, n, TABLE_EXPENSE, COL_TO_SUB);
    fputc(',', out);
    s_net_side(out, "income", figs, n, TABLE_INCOME, COL_UPPER);
    fputc('}', out);
}


typedef struct { long errors, warnings, info; } flag_counts;

static void s_count(flag_counts *c, severity_t s)
{
    if (s == SEV_ERROR) c->errors++;
    else if (s == SEV_WARNING) c->warnings++;
    else if (s == SEV_INFO) c->info++;
}

/* Flag counts of every node, own and of its subtree, in one pass over the year's flags:
 * each flag counts at its entity and at every ancestor (O(flags x depth), not per node). */
typedef struct { flag_counts *own, *sub; } tree_counts;

static int s_tree_counts(const nodes_t *ix, const findings_t *all, tree_counts *tc)
{
    size_t n = ix->h.count ? ix->h.count : 1;
    tc->own = calloc(n, sizeof *tc->own);
    tc->sub = calloc(n, sizeof *tc->sub);
    if (!tc->own || !tc->sub) { free(tc->own); free(tc->sub); return -1; }
    const char *last_entity = NULL;
    long at = -1;
    for (size_t k = 0; k < all->count; k++) {
        const finding_t *f = &all->items[k];
        if (!last_entity || strcmp(last_entity, f->entity)) {   /* flags come by entity */
            at = nodes_find(ix, f->entity);
            last_entity = f->entity;
        }
        if (at < 0) continue;
        s_count(&tc->own[at], f->severity);
        for (long p = at; p >= 0;) {
            s_count(&tc->sub[p], f->severity);
            p = ix->h.items[p].parent[0] ? nodes_find(ix, ix->h.items[p].parent) : -1;
        }
    }
    return 0;
}

static void s_tree_node(store_t *store, const nodes_t *ix, uint32_t year, size_t i,
                        const tree_counts *tc, FILE *out)
{
    const entity_t *e = &ix->h.items[i];
    store_figure_t *figs = NULL;
    size_t n = 0;
    store_figures(store, e->code, year, TABLE_NONE, &figs, &n);
    json_write_member(out, "{\"code\":", e->code);
    json_write_member(out, ",\"name\":", e->name);
    fprintf(out, ",\"level\":\"%s\",\"level_label\":\"%s\",\"parent\":", level_name(e->level),
            level_label(e->level));
    json_write_string(out, e->parent);
    int submitted = nodes_submitted(store, e->code, year);
    fprintf(out, ",\"submitted\":%s,\"included\":%s", submitted ? "true" : "false",
            submitted || n > 0 ? "true" : "false");
    /* direct subordinates and which of them are in */
    size_t end = nodes_subtree_end(ix, i), total = 0, in = 0, listed = 0, units = 0, units_in = 0;
    fprintf(out, ",\"missing\":[");
    for (size_t j = i + 1; j < end; j++) {
        const entity_t *c = &ix->h.items[j];
        /* units of the whole subtree: one version lookup each, so only for subtrees of a
         * size a page answers quickly (a province's 25,000 units are not counted) */
        if (c->level == LEVEL_UNIT && end - i <= WEB_UNIT_COUNT_MAX) {
            units++;
            if (nodes_submitted(store, c->code, year)) units_in++;
        }
        if (ix->depth[j] != ix->depth[i] + 1) continue;
        total++;
        if (nodes_included(store, c->code, year, TABLE_SUMMARY)) { in++; continue; }
        if (listed++ >= WEB_MISSING_MAX) continue;
        fprintf(out, "%s{\"code\":", listed > 1 ? "," : "");
        json_write_string(out, c->code);
        json_write_member(out, ",\"name\":", c->name);
        fputc('}', out);
    }
    fprintf(out, "],\"children_total\":%zu,\"children_submitted\":%zu,\"children_missing\":%zu,"
            "\"units_total\":%zu,\"units_submitted\":%zu,", total, in, total - in, units, units_in);
    flag_counts own = tc->own[i], sub = tc->sub[i];
    fprintf(out, "\"flags\":{\"errors\":%ld,\"warnings\":%ld,\"info\":%ld},"
            "\"subtree_flags\":{\"errors\":%ld,\"warnings\":%ld,\"info\":%ld},",
            own.errors, own.warnings, own.info, sub.errors, sub.warnings, sub.info);
    s_figure(out, "income_total", s_find(figs, n, TABLE_SUMMARY, "income_total", COL_AMOUNT));
    fputc(',', out);
    s_figure(out, "expense_total", s_find(figs, n, TABLE_SUMMARY, "expense_total", COL_AMOUNT));
    fputc(',', out);
    s_net(out, e, figs, n);
    fputc('}', out);
    free(figs);
}

int web_api_tree(store_t *store, const nodes_t *ix, uint32_t year, const char *code, FILE *out)
{
    long at = nodes_find(ix, code);
    if (at < 0) return -1;
    findings_t all;
    findings_init(&all);
    store_flags(store, year, NULL, &all);
    tree_counts tc;
    if (s_tree_counts(ix, &all, &tc) != 0) { findings_clear(&all); return -1; }
    size_t i = (size_t)at, end = nodes_subtree_end(ix, i);
    fprintf(out, "{\"year\":%u,\"path\":[", year);
    /* the ancestors, root first, for the breadcrumb */
    const char *chain[64];
    int depth = 0;
    for (long p = at; p >= 0 && depth < 64;) {
        chain[depth++] = ix->h.items[p].code;
        p = ix->h.items[p].parent[0] ? nodes_find(ix, ix->h.items[p].parent) : -1;
    }
    for (int k = depth - 1; k >= 0; k--) {
        const entity_t *e = &ix->h.items[nodes_find(ix, chain[k])];
        fprintf(out, "%s{\"code\":", k == depth - 1 ? "" : ",");
        json_write_string(out, e->code);
        json_write_member(out, ",\"name\":", e->name);
        fputc('}', out);
    }
    fprintf(out, "],\"node\":");
    s_tree_node(store, ix, year, i, &tc, out);
    fprintf(out, ",\"children\":[");
    int first = 1;
    for (size_t j = i + 1; j < end; j++) {
        if (ix->depth[j] != ix->depth[i] + 1) continue;
        if (!first) fputc(',', out);
        s_tree_node(store, ix, year, j, &tc, out);
        first = 0;
    }
    fprintf(out, "]}\n");
    free(tc.own);
    free(tc.sub);
    findings_clear(&all);
    return 0;
}

int web_api_node(store_t *store, const nodes_t *ix, uint32_t year, const char *code, FILE *out)
{
    long at = nodes_find(ix, code);
    if (at < 0) return -1;
    const entity_t *e = &ix->h.items[at];
    store_figure_t *figs = NULL;
    size_t n = 0;
    store_figures(store, code, year, TABLE_NONE, &figs, &n);
    fprintf(out, "{\"year\":%u,\"code\":", year);
    json_write_string(out, e->code);
    json_write_member(out, ",\"name\":", e->name);
    fprintf(out, ",\"level\":\"%s\",\"level_label\":\"%s\",", level_name(e->level), level_label(e->level));
    s_net(out, e, figs, n);
    fprintf(out, ",\"tables\":[");
    /* figures are sorted by table, row, column: one pass groups them */
    size_t k = 0;
    int first_table = 1;
    while (k < n) {
        table_id t = figs[k].key.table;
        column_id cols[COL_COUNT];
        int ncols = table_columns(t, cols);
        fprintf(out, "%s{\"table\":\"%s\",\"label\":", first_table ? "" : ",", table_name(t));
        json_write_string(out, table_label(t));
        fprintf(out, ",\"columns\":[");
        for (int c = 0; c < ncols; c++) {
            fprintf(out, "%s{\"column\":\"%s\",\"label\":", c ? "," : "", column_name(cols[c]));
            json_write_string(out, column_label(t, cols[c]));
            fputc('}', out);
        }
        fprintf(out, "],\"rows\":[");
        int first_row = 1;
        while (k < n && figs[k].key.table == t) {
            const char *row = figs[k].key.row;
            fprintf(out, "%s{\"row\":", first_row ? "" : ",");
            json_write_string(out, row);
            json_write_member(out, ",\"label\":", s_row_label(store, t, row));
            fprintf(out, ",\"cells\":{");
            int first_cell = 1;
            while (k < n && figs[k].key.table == t && !strcmp(figs[k].key.row, row)) {
                const store_figure_t *f = &figs[k];
                fprintf(out, "%s\"%s\":{", first_cell ? "" : ",", column_name(f->key.column));
                s_amount(out, "reported", 1, store_figure_reported(f));
                fputc(',', out);
                s_amount(out, "declared", f->has_declared, f->declared);
                fputc(',', out);
                s_amount(out, "computed", f->has_computed, f->computed);
                int differs = f->has_declared && f->has_computed && f->declared != f->computed;
                if (differs) { fputc(',', out); s_amount(out, "difference", 1, f->declared - f->computed); }
                fputc('}', out);
                first_cell = 0;
                k++;
            }
            fprintf(out, "}}");
            first_row = 0;
        }
        fprintf(out, "]}");
        first_table = 0;
    }
    fprintf(out, "]}\n");
    free(figs);
    return 0;
}

static void s_flag(FILE *out, const finding_t *f, const nodes_t *ix)
{
    char exp[AMOUNT_BUF], act[AMOUNT_BUF], diff[AMOUNT_BUF];
    long at = nodes_find(ix, f->entity);
    json_write_member(out, "{\"entity\":", f->entity);
    json_write_member(out, ",\"entity_name\":", at >= 0 ? ix->h.items[at].name : "");
    json_write_member(out, ",\"rule\":", f->rule);
    fprintf(out, ",\"severity\":\"%s\",\"verdict\":\"%s\",\"table\":\"%s\",\"table_label\":",
            severity_name(f->severity), verdict_name(f->verdict), f->table ? table_name(f->table) : "");
    json_write_string(out, f->table ? table_label(f->table) : "");
    json_write_member(out, ",\"row\":", f->row);
    fprintf(out, ",\"column\":\"%s\",\"column_label\":", f->column ? column_name(f->column) : "");
    json_write_string(out, f->table && f->column ? column_label(f->table, f->column) : "");
    fprintf(out, ",\"expected\":\"%s\",\"actual\":\"%s\",\"difference\":\"%s\",\"terms\":%u,"
            "\"explanation\":", amount_format(f->expected, exp), amount_format(f->actual, act),
            amount_format(f->actual - f->expected, diff), f->terms);
    json_write_string(out, f->explanation);
    json_write_member(out, ",\"source\":", f->source);
    fprintf(out, ",\"line\":%u}", f->line);
}

int web_api_flags(store_t *store, const nodes_t *ix, uint32_t year, const char *code,
                  const char *severity, const char *rule, FILE *out)
{
    if (nodes_find(ix, code) < 0) return -1;
    severity_t sev = severity && *severity ? severity_from_name(severity) : SEV_NONE;
    findings_t all;
    findings_init(&all);
    store_flags(store, year, NULL, &all);
    fprintf(out, "{\"year\":%u,\"entity\":", year);
    json_write_string(out, code);
    fprintf(out, ",\"flags\":[");
    int first = 1;
    for (size_t k = 0; k < all.count; k++) {
        const finding_t *f = &all.items[k];
        if (sev != SEV_NONE && f->severity != sev) continue;
        if (rule && *rule && strncmp(f->rule, rule, strlen(rule)) != 0) continue;
        if (!nodes_within(ix, f->entity, code)) continue;
        if (!first) fputc(',', out);
        fputc('\n', out);
        s_flag(out, f, ix);
        first = 0;
    }
    fprintf(out, "]}\n");
    findings_clear(&all);
    return 0;
}

static int s_fact_cmp(const fact_t *a, const fact_t *b)
{
    if (a->table != b->table) return (int)a->table - (int)b->table;
    int c = strcmp(a->row, b->row);
    return c ? c : (int)a->column - (int)b->column;
}

static void s_diff_line(FILE *out, store_t *store, const fact_t *f, int has_a, int64_t a,
                        int has_b, int64_t b, int *first)
{
    fprintf(out, "%s\n{\"table\":\"%s\",\"table_label\":", *first ? "" : ",", table_name(f->table));
    json_write_string(out, table_label(f->table));
    json_write_member(out, ",\"row\":", f->row);
    json_write_member(out, ",\"label\":", f->name && *f->name ? f->name : s_row_label(store, f->table, f->row));
    fprintf(out, ",\"column\":\"%s\",\"column_label\":", column_name(f->column));
    json_write_string(out, column_label(f->table, f->column));
    fputc(',', out);
    s_amount(out, "a", has_a, a);
    fputc(',', out);
    s_amount(out, "b", has_b, b);
    fputc(',', out);
    s_amount(out, "difference", 1, (has_b ? b : 0) - (has_a ? a : 0));
    fputc('}', out);
    *first = 0;
}

/* Figure-by-figure difference of two versions (facts are stored sorted). */
static void s_diff(FILE *out, store_t *store, const char *code, uint32_t year, uint32_t va, uint32_t vb)
{
    submission_t *a = store_facts(store, code, year, va), *b = store_facts(store, code, year, vb);
    fprintf(out, ",\"diff\":{\"a\":%u,\"b\":%u,\"changes\":[", va, vb);
    if (a && b) {
        submission_sort(a);
        submission_sort(b);
        size_t i = 0, j = 0;
        int first = 1;
        while (i < a->count || j < b->count) {
            int c = i == a->count ? 1 : j == b->count ? -1 : s_fact_cmp(&a->facts[i], &b->facts[j]);
            if (c < 0) { s_diff_line(out, store, &a->facts[i], 1, a->facts[i].fen, 0, 0, &first); i++; }
            else if (c > 0) { s_diff_line(out, store, &b->facts[j], 0, 0, 1, b->facts[j].fen, &first); j++; }
            else {
                if (a->facts[i].fen != b->facts[j].fen)
                    s_diff_line(out, store, &b->facts[j], 1, a->facts[i].fen, 1, b->facts[j].fen, &first);
                i++;
                j++;
            }
        }
    }
    fprintf(out, "]}");
    submission_destroy(&a);
    submission_destroy(&b);
}

/* Closes a flag object written by s_flag with its id and its 已核实 note. s_flag ended
 * with '}': step back over it (open_memstream: fseek then write). */
static void out_flag_extra(FILE *out, const char *id, const store_review_t *ver)
{
    fseek(out, -1, SEEK_CUR);
    json_write_member(out, ",\"id\":", id);
    if (ver) {
        json_write_member(out, ",\"verified\":{\"note\":", ver->reason);
        json_write_member(out, ",\"reviewer\":", ver->reviewer);
        fprintf(out, ",\"time\":");
        s_time(out, ver->time_ms);
        fputc('}', out);
    }
    fputc('}', out);
}

int web_api_submissions(store_t *store, const nodes_t *ix, uint32_t year, const char *code,
                        uint32_t a, uint32_t b, FILE *out)
{
    long at = nodes_find(ix, code);
    if (at < 0) return -1;
    const entity_t *e = &ix->h.items[at];
    store_version_t *v = NULL;
    size_t nv = 0;
    store_versions(store, code, year, &v, &nv);
    fprintf(out, "{\"year\":%u,\"code\":", year);
    json_write_string(out, e->code);
    json_write_member(out, ",\"name\":", e->name);
    fprintf(out, ",\"level_label\":\"%s\",\"versions\":[", level_label(e->level));
    store_review_t *rv = NULL;
    size_t nr = 0;
    store_reviews(store, code, year, &rv, &nr);
    for (size_t i = 0; i < nv; i++) {
        fprintf(out, "%s{\"version\":%u,\"submission_id\":", i ? "," : "", v[i].version);
        json_write_string(out, v[i].submission_id);
        fprintf(out, ",\"received\":");
        s_time(out, v[i].received_ms);
        fprintf(out, ",\"received_ms\":%llu,\"facts\":%u,\"source\":",
                (unsigned long long)v[i].received_ms, v[i].fact_count);
        json_write_string(out, v[i].source);
        const store_review_t *last = NULL;
        const char *st = store_review_state(rv, nr, v[i].version, &last);
        fprintf(out, ",\"current\":%s,\"review\":{\"state\":\"%s\"", i + 1 == nv ? "true" : "false", st);
        if (last) {
            json_write_member(out, ",\"reason\":", last->reason);
            json_write_member(out, ",\"reviewer\":", last->reviewer);
            fprintf(out, ",\"time\":");
            s_time(out, last->time_ms);
        }
        fprintf(out, "}}");
    }
    /* the history: submissions and decisions merged by time (submitted → 退回 → ...) */
    fprintf(out, "],\"history\":[");
    size_t i = 0, j = 0;
    int firsth = 1;
    while (i < nv || j < nr) {
        int take_version = j == nr || (i < nv && v[i].received_ms <= rv[j].time_ms);
        fprintf(out, "%s{", firsth ? "" : ",");
        firsth = 0;
        if (take_version) {
            fprintf(out, "\"kind\":\"submitted\",\"label\":\"%s\",\"version\":%u,\"time\":",
                    i ? "重新报送" : "报送", v[i].version);
            s_time(out, v[i].received_ms);
            fprintf(out, ",\"reason\":\"\",\"reviewer\":\"\"}");
            i++;
        } else {
            const store_review_t *r = &rv[j++];
            fprintf(out, "\"kind\":\"%s\",\"label\":\"%s\",\"version\":%u,\"time\":", r->decision,
                    !strcmp(r->decision, "approve") ? "通过" : !strcmp(r->decision, "return") ? "退回" : "已核实",
                    r->version);
            s_time(out, r->time_ms);
            json_write_member(out, ",\"reason\":", r->reason);
            json_write_member(out, ",\"flag\":", r->flag);
            json_write_member(out, ",\"reviewer\":", r->reviewer);
            fputc('}', out);
        }
    }
    fprintf(out, "],\"flags\":[");
    findings_t own;
    findings_init(&own);
    store_flags(store, year, code, &own);
    for (size_t k = 0; k < own.count; k++) {
        if (k) fputc(',', out);
        s_flag(out, &own.items[k], ix);
        /* 已核实: the last verify decision naming this flag (RULE/TABLE/ROW/COLUMN) */
        const finding_t *f = &own.items[k];
        char id[256];
        snprintf(id, sizeof id, "%s/%s/%s/%s", f->rule, f->table ? table_name(f->table) : "", f->row,
                 f->column ? column_name(f->column) : "");
        const store_review_t *ver = NULL;
        for (size_t r = 0; r < nr; r++)
            if (!strcmp(rv[r].decision, "verify") && !strcmp(rv[r].flag, id)) ver = &rv[r];
        out_flag_extra(out, id, ver);
    }
    fputc(']', out);
    findings_clear(&own);
    free(rv);
    if (a && b) s_diff(out, store, code, year, a, b);
    fprintf(out, "}\n");
    free(v);
    return 0;
}

int web_api_years(store_t *store, const nodes_t *ix, const char *code, FILE *out)
{
    if (nodes_find(ix, code) < 0) return -1;
    fprintf(out, "{\"years\":[");
    int first = 1;
    for (uint32_t y = WEB_YEAR_LAST; y >= WEB_YEAR_FIRST; y--) {
        store_figure_t *f = NULL;
        size_t n = 0;
        store_figures(store, code, y, TABLE_SUMMARY, &f, &n);
        free(f);
        if (!n) continue;
        fprintf(out, "%s%u", first ? "" : ",", y);
        first = 0;
    }
    fprintf(out, "]}\n");
    return 0;
}
