/* nodes.c -- depth-first entity tree with a code index (see nodes.h). */
#include "nodes.h"
#include "sort.h"

#include <stdlib.h>
#include <string.h>

static const nodes_t *sort_ctx;

static int by_code_cmp(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(sort_ctx->h.items[x].code, sort_ctx->h.items[y].code);
    return c ? c : x < y ? -1 : x > y;   /* by index on a tie: a total order */
}

long nodes_find(const nodes_t *n, const char *code)
{
    size_t lo = 0, hi = n->h.count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(n->h.items[n->by_code[mid]].code, code);
        if (c == 0) return (long)n->by_code[mid];
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    return -1;
}

int nodes_load(nodes_t *n, store_t *store)
{
    memset(n, 0, sizeof *n);
    if (store_entities(store, &n->h) != 0) return -1;
    size_t count = n->h.count;
    n->depth = calloc(count ? count : 1, sizeof *n->depth);
    n->by_code = calloc(count ? count : 1, sizeof *n->by_code);
    if (!n->depth || !n->by_code) { nodes_free(n); return -1; }
    for (size_t i = 0; i < count; i++) n->by_code[i] = i;
    sort_ctx = n;
    sort_array(n->by_code, count, sizeof *n->by_code, by_code_cmp);
    /* Parents come first, so a parent's depth is known when its child is reached. */
    for (size_t i = 0; i < count; i++) {
        long p = n->h.items[i].parent[0] ? nodes_find(n, n->h.items[i].parent) : -1;
        n->depth[i] = p >= 0 ? n->depth[p] + 1 : 0;
    }
    return 0;
}

void nodes_free(nodes_t *n)
{
    hierarchy_free(&n->h);
    free(n->depth);
    free(n->by_code);
    memset(n, 0, sizeof *n);
}

size_t nodes_subtree_end(const nodes_t *n, size_t i)
{
    size_t j = i + 1;
    while (j < n->h.count && n->depth[j] > n->depth[i]) j++;
    return j;
}

bool nodes_within(const nodes_t *n, const char *code, const char *root)
{
    long at = nodes_find(n, code);
    for (int guard = 0; at >= 0 && guard <= HIERARCHY_DEPTH_MAX; guard++) {
        const entity_t *e = &n->h.items[at];
        if (!strcmp(e->code, root)) return true;
        at = e->parent[0] ? nodes_find(n, e->parent) : -1;
    }
    return false;
}

bool nodes_submitted(store_t *store, const char *code, uint32_t year)
{
    store_version_t *v = NULL;
    size_t n = 0;
    store_versions(store, code, year, &v, &n);
    free(v);
    return n > 0;
}

bool nodes_included(store_t *store, const char *code, uint32_t year, table_id table)
{
    if (nodes_submitted(store, code, year)) return true;
    store_figure_t *f = NULL;
    size_t n = 0;
    store_figures(store, code, year, table, &f, &n);
    free(f);
    return n > 0;
}

int nodes_expense_total(store_t *store, const char *code, uint32_t year, int64_t *fen)
{
    store_figure_t *figs = NULL;
    size_t n = 0;
    int rc = -1;
    if (store_figures(store, code, year, TABLE_SUMMARY, &figs, &n) != 0) return -1;
    for (size_t i = 0; i < n && rc != 0; i++)
        if (figs[i].key.column == COL_AMOUNT && !strcmp(figs[i].key.row, TABLE_ROW_EXPENSE_TOTAL) &&
            (figs[i].has_declared || figs[i].has_computed)) {
            *fen = store_figure_reported(&figs[i]);
            rc = 0;
        }
    free(figs);
    return rc;
}

bool nodes_year_has_data(const nodes_t *n, store_t *store, uint32_t year)
{
    for (size_t i = 0; i < n->h.count; i++) {
        if (n->depth[i] != 0) continue;   /* every figure rolls up to a root */
        store_figure_t *f = NULL;
        store_version_t *v = NULL;
        size_t nf = 0, nv = 0;
        store_figures(store, n->h.items[i].code, year, TABLE_NONE, &f, &nf);
        if (!nf) store_versions(store, n->h.items[i].code, year, &v, &nv);
        free(f);
        free(v);
        if (nf || nv) return true;
    }
    return false;
}
