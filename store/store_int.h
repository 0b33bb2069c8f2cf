/* store_int.h -- private to store/: the environment handle, the named databases, the
 * fixed-width key codecs, string interning and the write-retry helper.
 *
 * Invariants (docs/store.md has the whole layout):
 *  - Every key is fixed-width big-endian, so memcmp order = numeric order of its fields
 *    and a prefix scan returns exactly one entity / year / version.
 *  - Entity codes and row strings are interned as u32 ids (row id 0 is the empty row of
 *    node-wide flags); ids are never reused or renumbered.
 *  - Only store_write() opens write transactions; it owns the MDB_MAP_FULL growth loop.
 */
#ifndef HUIZONG_STORE_INT_H
#define HUIZONG_STORE_INT_H

#include <lmdb.h>
#include <stdint.h>
#include <string.h>

#include "errors.h"
#include "store.h"

enum {
    DB_META, DB_STRINGS, DB_IDS, DB_ENTITIES, DB_CHILDREN, DB_SUBMISSIONS, DB_SUBIDS,
    DB_CURRENT, DB_FACTS, DB_COMPUTED, DB_FLAGS, DB_FLAGHIST, DB_LABELS, DB_COUNT
};

#define STORE_SCHEMA "1"
#define STORE_DEFAULT_MAP (64u << 20)

/* Interned string kinds (first byte of a DB_STRINGS key / DB_IDS key). */
#define KIND_ENTITY 'E'
#define KIND_ROW 'R'

/* Flag kinds (byte 8 of a DB_FLAGS key). */
#define FLAG_SUBMISSION 0
#define FLAG_LEVEL 1

/* The writer's in-memory caches (intern.c): string <-> id of both kinds, and the label
 * keys known to be stored. They hold what the database holds as the current write
 * transaction sees it, so store_write() clears them whenever a write transaction does not
 * commit (store_cache_clear); ids are immutable once committed, so they never go stale
 * otherwise. Read-only handles do not use them. Not locked: a handle is used by one
 * thread (the aggregator's loop), as its write transactions must be anyway. */
typedef struct store_cache_t store_cache_t;

struct store_t {
    store_cache_t *cache;     /* NULL when read-only */
    MDB_env *env;
    MDB_dbi dbi[DB_COUNT];
    int readonly;
    size_t mapsize;
    char dir[1024];
    char label[512];          /* store_row_label's returned buffer */
};

/* ---- big-endian codecs ---- */
static inline void be32_put(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline uint32_t be32_get(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline void be64_put(uint8_t *p, uint64_t v)
{
    be32_put(p, (uint32_t)(v >> 32)); be32_put(p + 4, (uint32_t)v);
}
static inline uint64_t be64_get(const uint8_t *p)
{
    return ((uint64_t)be32_get(p) << 32) | be32_get(p + 4);
}

/* A figure key inside one entity/year: table(1) row(4) column(1). */
#define FKEY_LEN 6
/* computed: entity(4) year(4) fkey(6) */
#define NODEKEY_LEN 14
/* facts: entity(4) year(4) version(4) fkey(6) */
#define FACTKEY_LEN 18
/* flags: entity(4) year(4) kind(1) row(4) table(1) column(1) seq(4) */
#define FLAGKEY_LEN 19
#define FLAGKEY_PREFIX 15

void key_fkey(uint8_t out[FKEY_LEN], table_id t, uint32_t row, column_id c);
void key_node(uint8_t out[NODEKEY_LEN], uint32_t ent, uint32_t year, const uint8_t fkey[FKEY_LEN]);
void key_fact(uint8_t out[FACTKEY_LEN], uint32_t ent, uint32_t year, uint32_t version,
              const uint8_t fkey[FKEY_LEN]);
void key_ey(uint8_t out[8], uint32_t ent, uint32_t year);
void key_eyv(uint8_t out[12], uint32_t ent, uint32_t year, uint32_t version);
void key_flag(uint8_t out[FLAGKEY_LEN], uint32_t ent, uint32_t year, int kind,
              const uint8_t fkey[FKEY_LEN], uint32_t seq);
/* hist: entity(4) year(4) version(4) seq(4) */
void key_hist(uint8_t out[16], uint32_t ent, uint32_t year, uint32_t version, uint32_t seq);

/* ---- error helpers ---- */
/* "what: mdb_strerror(rc)" into err, returns -1 (or MDB_MAP_FULL unchanged for retry). */
int store_mdb_fail(int rc, char *err, size_t errlen, const char *what);

/* ---- interning (intern.c) ---- */
/* Looks up a string's id; MDB_NOTFOUND if absent. Row "" is always id 0. */
int intern_find(store_t *s, MDB_txn *txn, int kind, const char *str, uint32_t *id);
/* Finds or assigns an id (write txn). Returns 0 or an MDB error code. */
int intern_get(store_t *s, MDB_txn *txn, int kind, const char *str, uint32_t *id);
/* The string of an id into buf (NUL-terminated). Returns 0 or MDB_NOTFOUND. */
int intern_string(store_t *s, MDB_txn *txn, int kind, uint32_t id, char *buf, size_t len);
/* The writer's caches: create (NULL on no memory), forget everything, free. */
store_cache_t *store_cache_new(void);
void store_cache_clear(store_cache_t *c);
void store_cache_free(store_cache_t *c);
/* Whether the label of fkey's (table, row) is known to be stored; mark it stored. */
int store_label_known(store_t *s, const uint8_t fkey[FKEY_LEN]);
void store_label_mark(store_t *s, const uint8_t fkey[FKEY_LEN]);

/* ---- entities (store.c) ---- */
typedef struct {
    uint32_t id;
    entity_level level;
    uint32_t parent;          /* 0 = root (entity ids start at 1) */
    entity_t e;               /* code, name, level, parent code */
} store_entity_t;

/* Reads entity record `id` (parent code left empty unless with_parent). 0 or MDB error. */
int entity_read(store_t *s, MDB_txn *txn, uint32_t id, store_entity_t *out, int with_parent);
/* By code. 0, MDB_NOTFOUND or an MDB error. */
int entity_by_code(store_t *s, MDB_txn *txn, const char *code, store_entity_t *out);
/* The entity id `ent` and its ancestors' ids, ent first: ids[0..*n). 0, or an MDB error
 * (MDB_CORRUPTED for a chain longer than HIERARCHY_DEPTH_MAX). Used by every walk up the
 * tree that is not a rollup step (store_ancestors, the ack's level flags). */
int entity_ancestor_ids(store_t *s, MDB_txn *txn, uint32_t ent, uint32_t ids[HIERARCHY_DEPTH_MAX],
                        size_t *n);
/* Current version of entity/year, 0 if none. */
uint32_t store_current(store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year);

/* ---- transactions ---- */
/* Begins a read txn, absorbing MDB_MAP_RESIZED (another process grew the map). */
int store_read_begin(store_t *s, MDB_txn **txn);
/* Runs fn in a write txn and commits; on MDB_MAP_FULL (from fn or the commit) aborts,
 * doubles the map and runs fn again from scratch. fn returns 0, -1 (error, err set) or
 * MDB_MAP_FULL. reset (may be NULL) is called before every retry. */
typedef int (*store_write_fn)(store_t *s, MDB_txn *txn, void *ctx, char *err, size_t errlen);
int store_write(store_t *s, store_write_fn fn, void (*reset)(void *ctx), void *ctx,
                char *err, size_t errlen);

/* ---- flags (flags.c) ---- */
/* Replaces the submission findings of entity/year by `f` and records them as the history
 * of `version`. 0, -1 or MDB_MAP_FULL. */
int flags_put_submission(store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year,
                         uint32_t version, const findings_t *f, char *err, size_t errlen);
/* Replaces the level findings of entity/year for each key in fkeys (and the node-wide
 * ones, row id 0) by `f`. */
int flags_put_level(store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year,
                    const uint8_t (*fkeys)[FKEY_LEN], size_t nkeys, const findings_t *f,
                    char *err, size_t errlen);

/* ---- level views (levels.c) ---- */
/* The computed figure of a higher node for a NODEKEY: 0 (present set) or an MDB error. The
 * writer passes the batch overlay, readers the stored figures. */
typedef int (*computed_fn)(void *ctx, MDB_txn *txn, store_t *s, const uint8_t key[NODEKEY_LEN],
                           int *present, int64_t *fen, uint32_t *contrib);
/* Builds the level view of entity/year over fkeys, runs rules_check_level, replaces the
 * node's level flags for those keys (and node-wide) and appends the findings to out. */
int levels_check(store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year,
                 const uint8_t (*fkeys)[FKEY_LEN], size_t nkeys, computed_fn computed, void *ctx,
                 const rule_settings_t *settings, findings_t *out, char *err, size_t errlen);
/* reported(ent,k): the current fact if any, else (higher nodes) the computed figure. */
int levels_reported(store_t *s, MDB_txn *txn, const store_entity_t *e, uint32_t year,
                    const uint8_t fkey[FKEY_LEN], computed_fn computed, void *ctx,
                    int *present, int64_t *fen);

/* Facts value: fen(8) line(4) name bytes (no NUL). */
#define FACTVAL_MIN 12

#endif
