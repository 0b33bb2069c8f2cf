/* hierarchy.h -- the entity tree (entities.csv: code,name,level,parent).
 *
 * Invariants after hierarchy_load(): codes are unique, every parent exists, a child's
 * level is strictly below its parent's, there are no cycles.
 */
#ifndef HUIZONG_HIERARCHY_H
#define HUIZONG_HIERARCHY_H

#include <stddef.h>

/* The longest entity code, in bytes (buffers hold ENTITY_CODE_MAX + 1 with the NUL). The one
 * bound every module sizes codes by: submissions (SUBMISSION_ENTITY_MAX equals it, asserted
 * in hierarchy.c), findings, the store's keys and the aggregator's auth table. */
#define ENTITY_CODE_MAX 64

/* The deepest hierarchy any walk up the ancestors follows. The levels are five (unit to
 * province), so a real path is at most 5 nodes; the bound only stops a corrupt parent chain
 * (a cycle written by hand into a store) from looping forever. */
#define HIERARCHY_DEPTH_MAX 16

typedef enum {
    LEVEL_NONE = 0, LEVEL_UNIT = 1, LEVEL_DEPARTMENT = 2, LEVEL_DISTRICT = 3,
    LEVEL_CITY = 4, LEVEL_PROVINCE = 5
} entity_level;

typedef struct {
    char code[ENTITY_CODE_MAX + 1];
    char name[256];
    entity_level level;
    char parent[ENTITY_CODE_MAX + 1];     /* "" for a root */
} entity_t;

typedef struct {
    entity_t *items;
    size_t count, cap;
    const entity_t **by_code;   /* hierarchy_load: items sorted by code, for hierarchy_find */
} hierarchy_t;

/* Reads entities.csv. Returns 0, or -1 with "file:line: reason" in err. */
int hierarchy_load(hierarchy_t *h, const char *path, char *err, size_t errlen);
void hierarchy_free(hierarchy_t *h);
/* (Re)builds the code index of a hierarchy assembled by hand (hierarchy_load builds its
 * own); call it again after changing items. Returns 0, or -1 out of memory (the index is
 * then absent and hierarchy_find scans). */
int hierarchy_index(hierarchy_t *h);
/* The entity with this code, or NULL: a binary search once hierarchy_load built the index
 * (a province's 27,000 entities are looked up per line of every file), else a scan. */
const entity_t *hierarchy_find(const hierarchy_t *h, const char *code);
entity_level level_from_name(const char *name);   /* "department" -> LEVEL_DEPARTMENT */
const char *level_name(entity_level l);           /* "department" */
const char *level_label(entity_level l);          /* "部门" */

#endif
