/* nodes.h -- the entity tree as the readers walk it (the `huizong` listings and the web
 * view): depth-first order (parents before children, as store_entities returns it), with
 * each node's depth and a code index, so a subtree is a contiguous run and lookups are
 * O(log n) even for a province. Built from the store's read API only. */
#ifndef HUIZONG_STORE_NODES_H
#define HUIZONG_STORE_NODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef struct {
    hierarchy_t h;          /* depth-first */
    int *depth;             /* per entity */
    size_t *by_code;        /* indices sorted by code */
} nodes_t;

int nodes_load(nodes_t *n, store_t *store);
void nodes_free(nodes_t *n);
/* Index of code, or -1. */
long nodes_find(const nodes_t *n, const char *code);
/* One past the last index of the subtree rooted at i. */
size_t nodes_subtree_end(const nodes_t *n, size_t i);
/* Whether code lies in the subtree of root (code == root included). */
bool nodes_within(const nodes_t *n, const char *code, const char *root);
/* Whether the entity itself has a version for the year. */
bool nodes_submitted(store_t *store, const char *code, uint32_t year);
/* Whether the entity is "in" for the year: its own submission, or figures of `table`
 * (TABLE_NONE: any table) rolled up from below -- a district that never submits itself is
 * in once its departments are. */
bool nodes_included(store_t *store, const char *code, uint32_t year, table_id table);
/* The reported 支出总计 of a node (summary/expense_total/amount) into *fen: 0, or -1 when
 * it has none (or the store could not be read). */
int nodes_expense_total(store_t *store, const char *code, uint32_t year, int64_t *fen);
/* Whether anything was submitted for year anywhere in the tree (a root has figures or a
 * version): what lets a listing say 无 2030 年数据 instead of printing nothing. */
bool nodes_year_has_data(const nodes_t *n, store_t *store, uint32_t year);

#endif
