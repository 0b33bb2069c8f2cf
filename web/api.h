/* api.h -- the JSON answers of `huizong serve`'s /api/ (docs/web.md), built from the store's
 * read-only query API. Each function writes one JSON document to out and knows nothing of
 * HTTP, sessions or users: the caller (http.c) has already checked that the user may see
 * the entity. Amounts are exact decimal strings of 万元 from int64 fen (amount_format), with
 * the fen beside them as integers; never a float.
 *
 * Every function returns 0, or -1 if the entity is unknown (nothing written) -- the
 * caller answers 404.
 */
#ifndef HUIZONG_WEB_API_H
#define HUIZONG_WEB_API_H

#include <stdint.h>
#include <stdio.h>

#include "store.h"

/* The entity tree in depth-first order with each node's depth and a code index. */
typedef struct {
    hierarchy_t h;
    int *depth;
    size_t *by_code;
} web_index_t;

/* Loads the hierarchy from the store. 0 or -1. */
int web_index_load(web_index_t *ix, store_t *store);
void web_index_free(web_index_t *ix);
/* Position of code, or -1. */
long web_index_find(const web_index_t *ix, const char *code);
/* One past the last position of the subtree rooted at i. */
size_t web_index_subtree_end(const web_index_t *ix, size_t i);
/* Whether code lies in the subtree of root (code == root included). */
int web_index_within(const web_index_t *ix, const char *code, const char *root);

/* {node, children[]}: 报送数/申报数/汇总数 of 收入总计/支出总计, 已报送/未报送 of subordinates,
 * error/warning counts of the node itself and of its subtree, net of internal transfers. */
int web_api_tree(store_t *store, const web_index_t *ix, uint32_t year, const char *code, FILE *out);
/* {entity, tables[]: {table, label, columns[], rows[]: {row, label, cells[]}}, net}. */
int web_api_node(store_t *store, const web_index_t *ix, uint32_t year, const char *code, FILE *out);
/* {flags[]} of the subtree of code; severity (NULL/"" = all) and rule prefix filter. */
int web_api_flags(store_t *store, const web_index_t *ix, uint32_t year, const char *code,
                  const char *severity, const char *rule, FILE *out);
/* {versions[], flags[], diff?}: diff between versions a and b when both non-zero. */
int web_api_submissions(store_t *store, const web_index_t *ix, uint32_t year, const char *code,
                        uint32_t a, uint32_t b, FILE *out);
/* {years[]}: the years for which code has figures (newest first). */
int web_api_years(store_t *store, const web_index_t *ix, const char *code, FILE *out);

#endif
