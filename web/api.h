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

#include "nodes.h"
#include "store.h"


/* {node, children[]}: 报送数/申报数/汇总数 of 收入总计/支出总计, 已报送/未报送 of subordinates,
 * error/warning counts of the node itself and of its subtree, net of internal transfers. */
int web_api_tree(store_t *store, const nodes_t *ix, uint32_t year, const char *code, FILE *out);
/* {entity, tables[]: {table, label, columns[], rows[]: {row, label, cells[]}}, net}. */
int web_api_node(store_t *store, const nodes_t *ix, uint32_t year, const char *code, FILE *out);
/* {flags[]} of the subtree of code; severity (NULL/"" = all) and rule prefix filter. */
int web_api_flags(store_t *store, const nodes_t *ix, uint32_t year, const char *code,
                  const char *severity, const char *rule, FILE *out);
/* {versions[], flags[], diff?}: diff between versions a and b when both non-zero. */
int web_api_submissions(store_t *store, const nodes_t *ix, uint32_t year, const char *code,
                        uint32_t a, uint32_t b, FILE *out);
/* {years[]}: the years for which code has figures (newest first). */
int web_api_years(store_t *store, const nodes_t *ix, const char *code, FILE *out);

#endif
