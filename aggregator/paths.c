/* paths.c -- the registered entities in memory (see paths.h).
 *
 * One node per entity, sorted by code (binary search); a node's parent is an index into
 * the same array, so a path is a walk of indices with no string compared after the first
 * lookup. About 72 bytes per entity: a province's 27,611 entities take 2 MB.
 */
#include "paths.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "hierarchy.h"
#include "sort.h"

#define PATHS_NO_PARENT UINT32_MAX

typedef struct {
    char code[ENTITY_CODE_MAX + 1];
    entity_level level;
    uint32_t parent;            /* index of the parent node, or PATHS_NO_PARENT (a root) */
} s_node;

struct paths_t {
    s_node *nodes;              /* sorted by code (strcmp) */
    size_t count;
};

static int s_node_cmp(const void *a, const void *b)
{
    return strcmp(((const s_node *)a)->code, ((const s_node *)b)->code);
}

/* Index of the node with this code, or -1. */
static long s_find(const paths_t *self, const char *code)
{
    s_node probe;
    size_t n = strnlen(code, sizeof probe.code);
    if (n == sizeof probe.code || !self->count) return -1;     /* longer than any code */
    memcpy(probe.code, code, n + 1);
    const s_node *hit = bsearch(&probe, self->nodes, self->count, sizeof *self->nodes, s_node_cmp);
    return hit ? hit - self->nodes : -1;
}

paths_t *paths_new(store_t *store, char *err, size_t errlen)
{
    assert(store);
    hierarchy_t h;
    if (store_entities(store, &h) != 0) {
        error_set(err, errlen, "cannot read the registered entities from the store");
        return NULL;
    }
    paths_t *self = calloc(1, sizeof *self);
    if (self && h.count) self->nodes = calloc(h.count, sizeof *self->nodes);
    if (!self || (h.count && !self->nodes)) {
        if (self) free(self->nodes);
        free(self);
        hierarchy_free(&h);
        error_set(err, errlen, "out of memory for %zu entities", h.count);
        return NULL;
    }
    for (size_t i = 0; i < h.count; i++) {
        memcpy(self->nodes[i].code, h.items[i].code, sizeof self->nodes[i].code);
        self->nodes[i].level = h.items[i].level;
    }
    self->count = h.count;
    sort_array(self->nodes, self->count, sizeof *self->nodes, s_node_cmp);   /* codes are unique */
    for (size_t i = 0; i < h.count; i++) {
        const entity_t *e = &h.items[i];
        long me = s_find(self, e->code), up = e->parent[0] ? s_find(self, e->parent) : -1;
        assert(me >= 0);
        self->nodes[me].parent = up >= 0 ? (uint32_t)up : PATHS_NO_PARENT;
    }
    hierarchy_free(&h);
    return self;
}

void paths_destroy(paths_t **self_p)
{
    if (!self_p || !*self_p) return;
    free((*self_p)->nodes);
    free(*self_p);
    *self_p = NULL;
}

int paths_resolve(const paths_t *self, const char *code, store_path_t *out)
{
    assert(self && code && out);
    out->count = 0;
    long i = s_find(self, code);
    if (i < 0) return -1;
    size_t n = 0;
    for (uint32_t at = (uint32_t)i; at != PATHS_NO_PARENT; at = self->nodes[at].parent) {
        if (n == HIERARCHY_DEPTH_MAX) { out->count = 0; return -1; }   /* as the store: corrupt */
        memcpy(out->code[n++], self->nodes[at].code, sizeof out->code[0]);
    }
    out->count = n;
    out->level = self->nodes[i].level;
    return 0;
}

size_t paths_count(const paths_t *self)
{
    return self ? self->count : 0;
}
