/* paths.h -- the registered entities in memory: an entity's level and ancestors without
 * the store.
 *
 * Why: the intake stage (decode, digest, authorisation, rules) runs on its own thread
 * while the main thread commits the previous batch (aggregator/intake_worker.h). It needs
 * each submission's entity path for the authorisation and the rules, and it must not touch
 * the store to get it: the store's string cache and a map resize belong to the writer.
 * The entities change only when the hierarchy is synced at start-up, before serving, so a
 * copy taken then answers exactly what store_ancestors() would for the whole run.
 *
 * Invariants:
 *  1. Built once, read-only afterwards: any number of threads may call paths_resolve.
 *  2. paths_resolve(p, code) equals store_ancestors(store, code) for the store p was built
 *     from, as long as that store's entities do not change (asserted by a unit test).
 */
#ifndef HUIZONG_AGG_PATHS_H
#define HUIZONG_AGG_PATHS_H

#include "store.h"

typedef struct paths_t paths_t;

/* A copy of store's registered entities. NULL on failure, with the reason in err. */
paths_t *paths_new(store_t *store, char *err, size_t errlen);
void paths_destroy(paths_t **self_p);

/* The entity's path ([0] = the entity, last = its root) and level. Returns 0, or -1 if the
 * entity is not registered or its chain is deeper than HIERARCHY_DEPTH_MAX (out->count = 0). */
int paths_resolve(const paths_t *self, const char *code, store_path_t *out);

/* How many entities it holds. */
size_t paths_count(const paths_t *self);

#endif
