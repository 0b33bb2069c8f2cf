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

#include <assert.h>
#include <lmdb.h>
#include <stdint.h>
#include <string.h>

#include "errors.h"
#include "store.h"
#include "tables.h"

enum {
    DB_META, DB_STRINGS, DB_IDS, DB_ENTITIES, DB_CHILDREN, DB_SUBMISSIONS, DB_SUBIDS,
    DB_CURRENT, DB_FACTS, DB_COMPUTED, DB_FLAGS, DB_FLAGHIST, DB_LABELS, DB_TEXTS, DB_COUNT
};

/* The layout's format, in DB_META "schema". 1: one LMDB entry per fact and per computed
 * figure; 2: one packed value (pack.c) per (entity, year, version, table) in DB_FACTS
 * (facts.c) and per (entity, year, table) in DB_COMPUTED (computed.c). store_open refuses
 * any other. */
#define STORE_SCHEMA "2"
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

/* The writer's batch overlay between two batches (rollup.c): empty, its table kept so the
 * next batch neither allocates nor zeroes one; slots of a generation other than gen are
 * free. NULL slots when none is kept. */
typedef struct {
    struct ov_entry_s *slots;
    uint32_t *used;
    size_t cap;
    uint16_t gen;
} store_overlay_t;
/* Frees a kept overlay's table (rollup.c: a large one is mapped, not malloc'd). */
void store_overlay_free(store_overlay_t *ov);

struct store_t {
    store_cache_t *cache;     /* NULL when read-only */
    MDB_env *env;
    MDB_dbi dbi[DB_COUNT];
    int readonly;
    size_t mapsize;
    char dir[1024];
    char label[512];          /* store_row_label's returned buffer */
    size_t map_max;           /* --map-size: the map never grows beyond it; 0 = no ceiling */
    MDB_txn *snapshot;        /* store_snapshot_begin's read txn, NULL when none is open */
    store_overlay_t overlay;  /* the writer's (store_apply_batch); unused when read-only */
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

/* Key widths. Every key is a concatenation of these fields at fixed offsets. */
/* entity(4) year(4): the prefix of a node's records */
#define EYKEY_LEN 8
/* entity(4) year(4) version(4): a submission record; the prefix of its facts */
#define EYVKEY_LEN 12
/* A figure key inside one entity/year: table(1) row(4) column(1). */
#define FKEY_LEN 6
/* A computed figure of a node in memory (the batch overlay, verify): entity(4) year(4) fkey(6) */
#define NODEKEY_LEN 14
/* computed: entity(4) year(4) table(1): one value per node, year and table (rollup.c) */
#define NODETABLE_LEN 9
/* facts: entity(4) year(4) version(4) table(1): one value per version and table (facts.c) */
#define TABLEKEY_LEN 13
/* flags: entity(4) year(4) kind(1) row(4) table(1) column(1) seq(4) */
#define FLAGKEY_LEN 19
#define FLAGKEY_PREFIX 15
/* the flags of one kind of a node: entity(4) year(4) kind(1) */
#define FLAGKIND_LEN 9
/* flag history: entity(4) year(4) version(4) seq(4) */
#define HISTKEY_LEN 16
/* labels: table(1) row(4) -- the first bytes of a figure key */
#define LABELKEY_LEN 5
/* DB_CHILDREN: parent id(4) child id(4); a prefix scan on the parent lists its children */
#define CHILDKEY_LEN 8
/* DB_IDS: kind(1) id(4) */
#define IDKEY_LEN 5

_Static_assert(FKEY_LEN == 1 + 4 + 1, "figure key: table(1) row(4) column(1)");
_Static_assert(NODEKEY_LEN == EYKEY_LEN + FKEY_LEN, "node key: entity, year, figure key");
_Static_assert(TABLEKEY_LEN == EYVKEY_LEN + 1, "facts key: entity, year, version, table");
_Static_assert(NODETABLE_LEN == EYKEY_LEN + 1 && NODETABLE_LEN < NODEKEY_LEN,
               "computed key: entity, year, table = the first bytes of a node key");
_Static_assert(FLAGKEY_LEN == EYKEY_LEN + 1 + FKEY_LEN + 4, "flag key: entity, year, kind, fkey, seq");
_Static_assert(FLAGKEY_PREFIX == FLAGKEY_LEN - 4, "a flag key's prefix is all but its seq");
_Static_assert(FLAGKIND_LEN == EYKEY_LEN + 1, "flag kind prefix: entity, year, kind");
_Static_assert(HISTKEY_LEN == EYVKEY_LEN + 4, "history key: entity, year, version, seq");
_Static_assert(LABELKEY_LEN == 1 + 4 && LABELKEY_LEN < FKEY_LEN, "label key = a figure key's table and row");
_Static_assert(TABLE_COUNT <= 256 && COL_COUNT <= 256, "table and column ids are one key byte each");

/* Encoders (keys.c; the hot ones inline here, keys.c's invariant). */
static inline void key_fkey(uint8_t out[FKEY_LEN], table_id t, uint32_t row, column_id c)
{
    /* validated submissions and stored flags only: TABLE_NONE/COL_NONE for node-wide flags */
    assert((int)t >= 0 && (int)t < TABLE_COUNT && (int)c >= 0 && (int)c < COL_COUNT);
    out[0] = (uint8_t)t;
    be32_put(out + 1, row);
    out[5] = (uint8_t)c;
}
static inline void key_ey(uint8_t out[EYKEY_LEN], uint32_t ent, uint32_t year)
{
    be32_put(out, ent);
    be32_put(out + 4, year);
}
static inline void key_eyv(uint8_t out[EYVKEY_LEN], uint32_t ent, uint32_t year, uint32_t version)
{
    key_ey(out, ent, year);
    be32_put(out + EYKEY_LEN, version);
}
static inline void key_node(uint8_t out[NODEKEY_LEN], uint32_t ent, uint32_t year,
                            const uint8_t fkey[FKEY_LEN])
{
    key_ey(out, ent, year);
    memcpy(out + EYKEY_LEN, fkey, FKEY_LEN);
}
void key_table(uint8_t out[TABLEKEY_LEN], uint32_t ent, uint32_t year, uint32_t version, table_id t);
void key_node_table(uint8_t out[NODETABLE_LEN], uint32_t ent, uint32_t year, table_id t);
void key_flag(uint8_t out[FLAGKEY_LEN], uint32_t ent, uint32_t year, int kind,
              const uint8_t fkey[FKEY_LEN], uint32_t seq);
void key_flag_kind(uint8_t out[FLAGKIND_LEN], uint32_t ent, uint32_t year, int kind);
void key_hist(uint8_t out[HISTKEY_LEN], uint32_t ent, uint32_t year, uint32_t version, uint32_t seq);
void key_label(uint8_t out[LABELKEY_LEN], table_id t, uint32_t row);
void key_child(uint8_t out[CHILDKEY_LEN], uint32_t parent, uint32_t child);
void key_id(uint8_t out[IDKEY_LEN], int kind, uint32_t id);

/* Decoders (keys.c, or inline here), beside the encoders: the only code that knows the offsets. */
typedef struct {
    table_id table;
    uint32_t row;             /* interned row id */
    column_id column;
} fkey_t;
static inline fkey_t key_fkey_decode(const uint8_t fkey[FKEY_LEN])
{
    fkey_t f = { (table_id)fkey[0], be32_get(fkey + 1), (column_id)fkey[5] };
    return f;
}
/* The entity and year of any key that starts with them (node, fact, flag, history). */
static inline uint32_t key_entity(const uint8_t *key) { return be32_get(key); }
static inline uint32_t key_year(const uint8_t *key) { return be32_get(key + 4); }
/* The child id of a DB_CHILDREN key. */
uint32_t key_child_id(const uint8_t key[CHILDKEY_LEN]);
/* The figure key inside a node key. */
static inline const uint8_t *key_node_fkey(const uint8_t key[NODEKEY_LEN]) { return key + EYKEY_LEN; }
/* The table of a facts key. */
table_id key_table_id(const uint8_t key[TABLEKEY_LEN]);
/* The version of a submission or facts key. */
static inline uint32_t key_version(const uint8_t *key) { return be32_get(key + EYKEY_LEN); }
/* The figure key a flag key is about (its row and table are stored in the other order). */
void key_flag_fkey(const uint8_t key[FLAGKEY_LEN], uint8_t fkey[FKEY_LEN]);
/* The row id of a flag key (0: a node-wide flag). */
uint32_t key_flag_row(const uint8_t key[FLAGKEY_LEN]);
/* Whether fkeys[0..n) are in memcmp order already (sorting them would change nothing: the
 * level views hand over sorted keys, and a comparison sort of them still costs n log n). */
int key_fkeys_ascending(const uint8_t (*fkeys)[FKEY_LEN], size_t n);

/* ---- error helpers ---- */
/* "what: mdb_strerror(rc)" into err, returns -1 (or MDB_MAP_FULL unchanged for retry). */
int store_mdb_fail(int rc, char *err, size_t errlen, const char *what);

/* ---- interning (intern.c) ---- */
/* Looks up a string's id; MDB_NOTFOUND if absent. Row "" is always id 0. */
int intern_find(store_t *s, MDB_txn *txn, int kind, const char *str, uint32_t *id);
/* Finds or assigns an id (write txn). Returns 0 or an MDB error code. */
int intern_get(store_t *s, MDB_txn *txn, int kind, const char *str, uint32_t *id);
/* Writes the next ids intern_get assigned from the writer's cache into DB_META: store_write
 * calls it once before every commit. 0 or an MDB error code. */
int intern_flush(store_t *s, MDB_txn *txn);
/* The string of an id into buf (NUL-terminated). Returns 0 or MDB_NOTFOUND. */
int intern_string(store_t *s, MDB_txn *txn, int kind, uint32_t id, char *buf, size_t len);
/* The writer's caches: create (NULL on no memory), forget everything, free. */
store_cache_t *store_cache_new(void);
void store_cache_clear(store_cache_t *c);
void store_cache_free(store_cache_t *c);
/* The stored label of (table, row) (DB_LABELS: the first printed name of that row): 0 with
 * *str (not NUL-terminated, valid for the transaction) and *len, MDB_NOTFOUND, or an MDB
 * error. The writer's cache answers for a label it has seen. */
int label_find(store_t *s, MDB_txn *txn, table_id t, uint32_t row, const char **str, size_t *len);
/* Stores name as the label of (table, row), which has none (label_find said MDB_NOTFOUND). */
int label_put(store_t *s, MDB_txn *txn, table_id t, uint32_t row, const char *name, size_t len);

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
/* The facts of entity `id` (code `entity`)/year/version (0 = current) in txn, sorted, with
 * the version's id and source (query.c; store_facts is it in a read transaction). NULL if
 * there is no such version or on error. */
submission_t *facts_load(store_t *self, MDB_txn *txn, const char *entity, uint32_t id,
                         uint32_t year, uint32_t version);

/* ---- transactions ---- */
/* Begins a read txn, absorbing MDB_MAP_RESIZED (another process grew the map). */
int store_read_begin(store_t *s, MDB_txn **txn);
/* The read transaction of a public query: the open snapshot (store_snapshot_begin) if
 * there is one, else a fresh one. Every query ends it with store_read_close, which aborts
 * only a fresh one, so all the queries of one snapshot see one committed state. */
int store_read_open(store_t *s, MDB_txn **txn);
void store_read_close(store_t *s, MDB_txn *txn);
/* Runs fn in a write txn and commits; on MDB_MAP_FULL (from fn or the commit) aborts,
 * doubles the map and runs fn again from scratch. fn returns 0, -1 (error, err set) or
 * MDB_MAP_FULL. reset (may be NULL) is called before every retry. */
typedef int (*store_write_fn)(store_t *s, MDB_txn *txn, void *ctx, char *err, size_t errlen);
int store_write(store_t *s, store_write_fn fn, void (*reset)(void *ctx), void *ctx,
                char *err, size_t errlen);
/* Grows the map (while no transaction is open) so that `bytes` more than the file's used
 * pages fit, doubling as store_write's retry would, up to --map-size: a write expected to be
 * large is then applied once instead of once per doubling (each MDB_MAP_FULL aborts it and
 * runs it again from scratch). The map is address space, not disk: the file grows only
 * with what is written. 0, or -1 with err. */
int store_reserve(store_t *s, size_t bytes, char *err, size_t errlen);

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

/* ---- narrative texts (text.c) ---- */
/* For a submission that carries a text: extracts its claims and judges them
 * (narrative_check_rules) against the submission and, when the store holds one, the
 * entity's current version of year - 1 as this transaction sees it (so a prior year
 * applied earlier in the same batch counts); appends the findings to out and writes the
 * text with its summary under entity/year/version. Nothing for a submission without
 * text. 0, -1 (err) or MDB_MAP_FULL. */
int text_apply(store_t *s, MDB_txn *txn, uint32_t ent, const submission_t *sub, uint32_t version,
               const rule_settings_t *settings, findings_t *out, char *err, size_t errlen);

/* ---- level views (levels.c) ---- */
/* The computed figure of a higher node for a NODEKEY: 0 (present set) or an MDB error. The
 * writer passes the batch overlay, readers the stored figures. */
typedef int (*computed_fn)(void *ctx, MDB_txn *txn, store_t *s, const uint8_t key[NODEKEY_LEN],
                           int *present, int64_t *fen, uint32_t *contrib);
/* levels_check's working memory, kept from view to view of a batch: a department's view
 * over its units holds units x keys child values (~640 KB), which calloc'd afresh for
 * every view was zeroed and page-faulted each time. Zero-initialised; levels_scratch_free. */
typedef struct {
    void *mem;
    size_t cap;
    struct pack_entry_s *walk;   /* fact_walk_t's decoded entries, handed from view to view */
    size_t walk_cap;
} levels_scratch_t;
void levels_scratch_free(levels_scratch_t *sc);
/* Builds the level view of entity/year over fkeys, runs rules_check_level, replaces the
 * node's level flags for those keys (and node-wide) and appends the findings to out.
 * scratch may be NULL (its memory is then the call's own). */
int levels_check(store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year,
                 const uint8_t (*fkeys)[FKEY_LEN], size_t nkeys, computed_fn computed, void *ctx,
                 const rule_settings_t *settings, levels_scratch_t *scratch, findings_t *out,
                 char *err, size_t errlen);
/* reported(ent,k): the current fact if any, else (higher nodes) the computed figure. */
int levels_reported(store_t *s, MDB_txn *txn, const store_entity_t *e, uint32_t year,
                    const uint8_t fkey[FKEY_LEN], computed_fn computed, void *ctx,
                    int *present, int64_t *fen);


/* ---- packed figure lists (pack.c): the value of a DB_FACTS and of a DB_COMPUTED record ---- */
typedef struct pack_entry_s {
    uint32_t row;             /* interned row id */
    column_id column;
    int64_t fen;
    uint32_t aux;             /* a fact's source line; a computed figure's contributors */
    const char *name;         /* a fact's printed name where it is not the row's label, else
                                 NULL; decoded: points into the value */
    size_t name_len;
} pack_entry_t;
typedef struct {
    uint8_t *data;
    size_t len, cap;
} pack_buf_t;
typedef struct {
    const uint8_t *p, *end;
    unsigned scale;
    uint32_t row, aux;        /* the previous entry's, for the deltas */
    size_t count, left;
} pack_reader_t;
/* Encodes e[0..n) (ascending by row, column) into out (reused; grown as needed). 0 or ENOMEM. */
int pack_encode(pack_buf_t *out, const pack_entry_t *e, size_t n);
void pack_buf_free(pack_buf_t *b);
/* Reads a value: open (0 or MDB_CORRUPTED; r->count entries), then next: 0 with *e,
 * MDB_NOTFOUND at the end, MDB_CORRUPTED. */
int pack_open(pack_reader_t *r, const void *data, size_t len);
int pack_next(pack_reader_t *r, pack_entry_t *e);
/* The entry of (row, column): 0 with *e, MDB_NOTFOUND, or MDB_CORRUPTED. */
int pack_find(const void *data, size_t len, uint32_t row, column_id column, pack_entry_t *e);
/* Every entry of the packed values whose keys are prefix + table(1), in key order, i.e. in
 * fkey order: open (a prefix of up to EYVKEY_LEN bytes; empty: nothing to read, e.g.
 * version 0, so the scan is done at once), next (0 with fkey and *e, MDB_NOTFOUND at the
 * end, or an MDB error), close. */
typedef struct {
    MDB_cursor *c;
    uint8_t prefix[EYVKEY_LEN];
    size_t plen;
    table_id table;
    pack_reader_t r;
    int state;                /* 0 before the first value, 1 inside one, 2 done */
} pack_scan_t;
int pack_scan_open(pack_scan_t *sc, MDB_txn *txn, MDB_dbi dbi, const uint8_t *prefix, size_t plen,
                   int empty);
int pack_scan_next(pack_scan_t *sc, uint8_t fkey[FKEY_LEN], pack_entry_t *e);
void pack_scan_close(pack_scan_t *sc);

/* ---- the facts of a version (facts.c) ---- */
/* A fact by figure key, as the rollup merges them: fen, and its index in the submission. */
typedef struct {
    uint8_t fkey[FKEY_LEN];
    int64_t fen;
    size_t idx;               /* index into submission facts (new) */
} kfact_t;
/* Writes the facts of a new version, newf[0..n) sorted by fkey (idx into sub->facts): one
 * DB_FACTS value per table, and the first printed label of every row not labelled yet. */
int facts_write(store_t *s, MDB_txn *txn, uint32_t ent, const submission_t *sub, uint32_t version,
                const kfact_t *newf, size_t n);
/* The fact of entity/year/version for fkey: 0 with *present (version 0: none), or an MDB error. */
int facts_get(store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year, uint32_t version,
              const uint8_t fkey[FKEY_LEN], int *present, int64_t *fen);
/* Every fact of one version in fkey order (pack_scan_t over its DB_FACTS values). 0 or an
 * MDB error; then pack_scan_next, pack_scan_close. */
int fact_scan_open(pack_scan_t *sc, store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year,
                   uint32_t version);
/* ---- the computed figures of higher nodes (computed.c) ---- */
/* The stored computed figure of a node key: 0 with *present (and fen, contributors), or an
 * MDB error. */
int computed_get(store_t *s, MDB_txn *txn, const uint8_t key[NODEKEY_LEN], int *present,
                 int64_t *fen, uint32_t *contrib);
/* The stored computed figures of (entity, year, table): 0 with *r open on its value (no
 * entry when there is none), or an MDB error; then pack_next (e->aux = the contributors). */
int computed_table_open(pack_reader_t *r, store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year,
                        table_id t);
/* Point reads of stored computed figures, one (node, year, table) value decoded at a time
 * and searched from the last key found (the level views ask a child's keys in ascending
 * order): init (zeroed is initialised), get (0 with *present, fen, contributors, or an MDB
 * error), forget (the next get reads again), free. */
typedef struct {
    uint8_t key[NODETABLE_LEN];  /* the value decoded, when loaded */
    int loaded;
    struct pack_entry_s *e;
    size_t n, cap, pos;
} computed_walk_t;
int computed_walk_get(computed_walk_t *w, store_t *s, MDB_txn *txn, const uint8_t key[NODEKEY_LEN],
                      int *present, int64_t *fen, uint32_t *contrib);
void computed_walk_free(computed_walk_t *w);
/* Every computed figure of entity/year in fkey order: then pack_scan_next (e->aux = the
 * contributors), pack_scan_close. */
int computed_scan_open(pack_scan_t *sc, store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year);
/* A figure's new state for computed_update: present with fen and contributors, or gone. */
typedef struct {
    uint32_t row;
    column_id column;
    int present;
    int64_t fen;
    uint32_t contrib;
} computed_change_t;
/* computed_update's scratch, reused from value to value. */
typedef struct {
    pack_entry_t *e;
    size_t cap;
    pack_buf_t buf;
} computed_buf_t;
/* Merges ch[0..n) (ascending by row, column; one table of one node) into the stored value of
 * (ent, year, t) and rewrites it (deletes it when nothing is left). 0 or an MDB error. */
int computed_update(store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year, table_id t,
                    const computed_change_t *ch, size_t n, computed_buf_t *w);
void computed_buf_free(computed_buf_t *w);

/* Point reads of many keys of one version at a time (the level views): each table's value
 * is decoded once and searched in memory, from where the last key was found, so keys asked
 * for in ascending order (as the level views ask) cost a step or two each instead of a
 * binary search; any order is answered. start (version 0: nothing present), get (0 with
 * *present, or an MDB error), free. */
typedef struct {
    store_t *s;
    MDB_txn *txn;
    uint8_t key[TABLEKEY_LEN];   /* the version of start; byte 12: the decoded table */
    int loaded;
    pack_entry_t *e;
    size_t n, cap;
    size_t pos;                  /* e[0..pos) sort before the last key asked for */
} fact_walk_t;
void fact_walk_init(fact_walk_t *w, store_t *s, MDB_txn *txn);
void fact_walk_start(fact_walk_t *w, uint32_t ent, uint32_t year, uint32_t version);
int fact_walk_get(fact_walk_t *w, const uint8_t fkey[FKEY_LEN], int *present, int64_t *fen);
void fact_walk_free(fact_walk_t *w);

/* ---- id bindings (bindings.c): what DB_SUBIDS keeps with each id's ack ---- */
typedef struct {
    char sender[STORE_SENDER_MAX + 1];    /* the authenticated key ("" without CURVE) */
    char entity[SUBMISSION_ENTITY_MAX + 1];
    uint32_t year;
    uint8_t digest[SUBMISSION_DIGEST_LEN];
    int legacy;                           /* a record from before bindings: entity/year
                                             come from its ack, nothing else is known */
} binding_t;
/* The binding of an item: its sender, entity, year and this content digest. */
void binding_of(binding_t *b, const store_item_t *it, const uint8_t digest[SUBMISSION_DIGEST_LEN]);
/* The DB_SUBIDS record of b and a packed ack (*out malloc'd). 0 or -1 (no memory). */
int binding_encode(const binding_t *b, const uint8_t *ack, size_t acklen, uint8_t **out, size_t *outlen);
/* Splits a DB_SUBIDS record into its binding and its packed ack (pointing into v). A legacy
 * record leaves entity/year empty: the caller takes them from the unpacked ack. 0 or -1
 * (a damaged record). */
int binding_decode(const uint8_t *v, size_t n, binding_t *b, const uint8_t **ack, size_t *acklen);
/* Whether incoming may be answered with the ack stored under stored: same entity and year,
 * and (unless legacy) the same sender and digest. */
int binding_matches(const binding_t *stored, const binding_t *incoming);
/* The binding stored for id. 0, MDB_NOTFOUND, MDB_CORRUPTED or an MDB error. */
int binding_get(store_t *s, MDB_txn *txn, const char *id, binding_t *b);
/* Fills v's digest from the binding of its submission id (left unset for a legacy one). */
void binding_version_digest(store_t *s, MDB_txn *txn, store_version_t *v);

#endif
