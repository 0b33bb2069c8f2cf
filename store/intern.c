/* intern.c -- entity codes and row strings as u32 ids, and the rows' labels.
 *
 * DB_STRINGS maps kind(1) + string -> id(4, big-endian); DB_IDS maps kind(1) + id(4) ->
 * string. The next id of a kind is kept in DB_META under "next:<kind>" (by the writer's
 * cache during a transaction, written once before its commit: intern_flush). Invariants: ids
 * start at 1 and are never reused; the row "" is id 0 and never stored (it is the row of
 * node-wide flags). An id assigned in a transaction that aborts vanishes with it.
 * DB_LABELS maps table(1) row(4) -> the first non-empty name printed for that row; a label
 * is written once and never changed (facts.c relies on it to leave names out of facts).
 */
#include "store_int.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- the writer's caches (see store_int.h) ----
 * Every fact of every submission interns its row and compares its name with its row's
 * label (facts.c), and every level view names its keys' rows: without them each is an
 * LMDB lookup. Bounded by the number of distinct strings (entities + row codes) and of
 * labelled (table, row) pairs. */

/* One entry of either open-addressing table: a string (kind, str -> id) or a label
 * ((table, row) -> the stored name). Both tables keep each entry's hash, so growing one is
 * the same code for both (s_table_grow) and never recomputes a hash. */
typedef struct {
    char *str;                /* NULL = empty slot; a label is len bytes, not NUL-terminated */
    uint64_t hash;            /* strings: cache_hash(kind, str); labels: label_word(t, row) */
    size_t len;               /* labels only */
    uint32_t id;              /* strings only */
    uint8_t kind;             /* strings only */
} cache_entry_t;

typedef struct {
    cache_entry_t *slots;     /* a power of two of them, at most half used */
    size_t cap, count;
} cache_table_t;

typedef struct {
    char **names;             /* by id */
    size_t cap;
} cache_ids_t;

struct store_cache_t {
    cache_table_t strings;    /* on (kind, string) */
    cache_table_t labels;     /* on table << 32 | row, + 1 */
    cache_ids_t ids[2];       /* 0 = KIND_ENTITY, 1 = KIND_ROW */
    /* the next id of each kind (0 = not read yet) as the current write transaction has it;
     * dirty: not yet in DB_META, written once by intern_flush before the commit, not once
     * per new string (100,000 new rows were 100,000 puts of one key: ~8 % of the commit) */
    uint32_t next[2];
    int next_dirty[2];
};

/* The first capacity of a table; it doubles when half full. */
#define CACHE_SLOTS_MIN 1024

static uint64_t cache_hash(int kind, const char *str)
{
    uint64_t h = 1469598103934665603ULL ^ (uint64_t)kind;      /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)str; *p; p++) h = (h ^ *p) * 1099511628211ULL;
    return h;
}

static uint64_t label_word(table_id t, uint32_t row)
{
    return ((uint64_t)t << 32 | row) + 1;
}

/* Where a probe for hash starts in a table of cap slots (Fibonacci hashing: the label words
 * differ only in their low bits). */
static size_t s_probe_start(uint64_t hash, size_t cap)
{
    return (size_t)((hash * 0x9E3779B97F4A7C15ULL) >> 20) & (cap - 1);
}

store_cache_t *store_cache_new(void)
{
    return calloc(1, sizeof(store_cache_t));
}

static void s_table_clear(cache_table_t *t)
{
    for (size_t i = 0; i < t->cap; i++) free(t->slots[i].str);
    free(t->slots);
}

void store_cache_clear(store_cache_t *c)
{
    if (!c) return;
    s_table_clear(&c->strings);
    s_table_clear(&c->labels);
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < c->ids[k].cap; i++) free(c->ids[k].names[i]);
        free(c->ids[k].names);
    }
    memset(c, 0, sizeof *c);
}

void store_cache_free(store_cache_t *c)
{
    store_cache_clear(c);
    free(c);
}

/* Makes room for one more entry: doubles the table when it would be more than half full.
 * Returns 0, or -1 when out of memory (the table is unchanged). */
static int s_table_grow(cache_table_t *t)
{
    if ((t->count + 1) * 2 <= t->cap) return 0;
    size_t cap = t->cap ? t->cap * 2 : CACHE_SLOTS_MIN;
    cache_entry_t *n = calloc(cap, sizeof *n);
    if (!n) return -1;
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i].str) continue;
        size_t j = s_probe_start(t->slots[i].hash, cap);
        while (n[j].str) j = (j + 1) & (cap - 1);
        n[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = n;
    t->cap = cap;
    return 0;
}

/* The slot of (kind, str), whose cache_hash is h: its entry, or the empty slot where it
 * would go. cap > 0. */
static cache_entry_t *s_string_slot(const cache_table_t *t, uint64_t h, int kind, const char *str)
{
    assert(t->cap > 0);
    size_t i = s_probe_start(h, t->cap);
    while (t->slots[i].str && (t->slots[i].hash != h || t->slots[i].kind != kind ||
                               strcmp(t->slots[i].str, str) != 0))
        i = (i + 1) & (t->cap - 1);
    return &t->slots[i];
}

/* The slot of label word w: its entry, or the empty slot where it would go. cap > 0. */
static cache_entry_t *s_label_slot(const cache_table_t *t, uint64_t w)
{
    assert(t->cap > 0);
    size_t i = s_probe_start(w, t->cap);
    while (t->slots[i].str && t->slots[i].hash != w) i = (i + 1) & (t->cap - 1);
    return &t->slots[i];
}

static int cache_find(store_t *s, int kind, const char *str, uint32_t *id)
{
    store_cache_t *c = s->cache;
    if (!c || !c->strings.cap) return 0;
    const cache_entry_t *e = s_string_slot(&c->strings, cache_hash(kind, str), kind, str);
    if (!e->str) return 0;
    *id = e->id;
    return 1;
}

/* Remembers str <-> id. A failed allocation only means a later miss. */
static void cache_put(store_t *s, int kind, const char *str, uint32_t id)
{
    store_cache_t *c = s->cache;
    if (!c || s_table_grow(&c->strings) != 0) return;
    uint64_t h = cache_hash(kind, str);
    cache_entry_t *e = s_string_slot(&c->strings, h, kind, str);
    if (!e->str) {
        if (!(e->str = strdup(str))) return;
        e->hash = h;
        e->kind = (uint8_t)kind;
        e->id = id;
        c->strings.count++;
    }
    cache_ids_t *ix = &c->ids[kind == KIND_ROW];
    if (id >= ix->cap) {
        size_t cap = ix->cap ? ix->cap : 256;
        while (cap <= id) cap *= 2;
        char **n = realloc(ix->names, cap * sizeof *n);
        if (!n) return;
        memset(n + ix->cap, 0, (cap - ix->cap) * sizeof *n);
        ix->names = n;
        ix->cap = cap;
    }
    if (!ix->names[id]) ix->names[id] = strdup(str);
}

/* A label longer than this is not kept in the writer's cache (it is read from DB_LABELS
 * each time): the cache lives as long as the store, and 100,000 rows of 480-byte names
 * kept it at 48 MB for good. Printed row names are a few dozen bytes. */
#define LABEL_CACHE_LEN_MAX 128

/* Remembers the stored label of (t, row). A failed allocation only means a later miss. */
static void label_remember(store_t *s, table_id t, uint32_t row, const char *str, size_t len)
{
    store_cache_t *c = s->cache;
    if (!c || len > LABEL_CACHE_LEN_MAX || s_table_grow(&c->labels) != 0) return;
    uint64_t w = label_word(t, row);
    cache_entry_t *e = s_label_slot(&c->labels, w);
    if (e->str) return;
    if (!(e->str = malloc(len ? len : 1))) return;
    memcpy(e->str, str, len);
    e->len = len;
    e->hash = w;
    c->labels.count++;
}

int label_find(store_t *s, MDB_txn *txn, table_id t, uint32_t row, const char **str, size_t *len)
{
    store_cache_t *c = s->cache;
    if (c && c->labels.cap) {
        const cache_entry_t *e = s_label_slot(&c->labels, label_word(t, row));
        if (e->str) { *str = e->str; *len = e->len; return 0; }
    }
    uint8_t kb[LABELKEY_LEN];
    key_label(kb, t, row);
    MDB_val k = { LABELKEY_LEN, kb }, v;
    int rc = mdb_get(txn, s->dbi[DB_LABELS], &k, &v);
    if (rc) return rc;
    *str = v.mv_data;
    *len = v.mv_size;
    label_remember(s, t, row, v.mv_data, v.mv_size);
    return 0;
}

int label_put(store_t *s, MDB_txn *txn, table_id t, uint32_t row, const char *name, size_t len)
{
    uint8_t kb[LABELKEY_LEN];
    key_label(kb, t, row);
    MDB_val k = { LABELKEY_LEN, kb }, v = { len, (void *)name };
    int rc = mdb_put(txn, s->dbi[DB_LABELS], &k, &v, MDB_NOOVERWRITE);
    if (rc) return rc;        /* MDB_KEYEXIST too: the caller found none */
    label_remember(s, t, row, name, len);
    return 0;
}

static int intern_key(int kind, const char *str, uint8_t *buf, size_t cap, MDB_val *k)
{
    size_t len = strlen(str);
    if (len + 1 > cap) return MDB_BAD_VALSIZE;
    buf[0] = (uint8_t)kind;
    memcpy(buf + 1, str, len);
    k->mv_data = buf;
    k->mv_size = len + 1;
    return 0;
}

int intern_find(store_t *s, MDB_txn *txn, int kind, const char *str, uint32_t *id)
{
    if (kind == KIND_ROW && str[0] == '\0') { *id = 0; return 0; }
    if (cache_find(s, kind, str, id)) return 0;
    uint8_t buf[512];
    MDB_val k, v;
    int rc = intern_key(kind, str, buf, sizeof buf, &k);
    if (rc) return rc;
    rc = mdb_get(txn, s->dbi[DB_STRINGS], &k, &v);
    if (rc) return rc;
    if (v.mv_size != 4) return MDB_CORRUPTED;
    *id = be32_get(v.mv_data);
    cache_put(s, kind, str, *id);
    return 0;
}

int intern_get(store_t *s, MDB_txn *txn, int kind, const char *str, uint32_t *id)
{
    int rc = intern_find(s, txn, kind, str, id);
    if (rc != MDB_NOTFOUND) return rc;

    store_cache_t *c = s->cache;
    int ki = kind == KIND_ROW;
    char name[8] = { 'n', 'e', 'x', 't', ':', (char)kind, 0 };
    MDB_val mk = { strlen(name), name }, mv;
    uint32_t next = 1;
    if (c && c->next[ki]) {
        next = c->next[ki];
    } else {
        rc = mdb_get(txn, s->dbi[DB_META], &mk, &mv);
        if (rc == 0 && mv.mv_size == 4) next = be32_get(mv.mv_data);
        else if (rc != MDB_NOTFOUND && rc != 0) return rc;
    }

    uint8_t nb[4], buf[512], ib[IDKEY_LEN];
    if (c) {                    /* DB_META by intern_flush, before the commit */
        c->next[ki] = next + 1;
        c->next_dirty[ki] = 1;
    } else {
        be32_put(nb, next + 1);
        mv.mv_data = nb; mv.mv_size = 4;
        if ((rc = mdb_put(txn, s->dbi[DB_META], &mk, &mv, 0))) return rc;
    }

    MDB_val k, v;
    if ((rc = intern_key(kind, str, buf, sizeof buf, &k))) return rc;
    be32_put(nb, next);
    v.mv_data = nb; v.mv_size = 4;
    if ((rc = mdb_put(txn, s->dbi[DB_STRINGS], &k, &v, 0))) return rc;
    key_id(ib, kind, next);
    k.mv_data = ib; k.mv_size = IDKEY_LEN;
    v.mv_data = (void *)str; v.mv_size = strlen(str);
    if ((rc = mdb_put(txn, s->dbi[DB_IDS], &k, &v, 0))) return rc;
    *id = next;
    cache_put(s, kind, str, next);
    return 0;
}

int intern_flush(store_t *s, MDB_txn *txn)
{
    store_cache_t *c = s->cache;
    if (!c) return 0;
    static const int kinds[2] = { KIND_ENTITY, KIND_ROW };
    for (int ki = 0; ki < 2; ki++) {
        if (!c->next_dirty[ki]) continue;
        char name[8] = { 'n', 'e', 'x', 't', ':', (char)kinds[ki], 0 };
        uint8_t nb[4];
        be32_put(nb, c->next[ki]);
        MDB_val mk = { strlen(name), name }, mv = { 4, nb };
        int rc = mdb_put(txn, s->dbi[DB_META], &mk, &mv, 0);
        if (rc) return rc;
        c->next_dirty[ki] = 0;
    }
    return 0;
}

int intern_string(store_t *s, MDB_txn *txn, int kind, uint32_t id, char *buf, size_t len)
{
    if (kind == KIND_ROW && id == 0) { buf[0] = '\0'; return 0; }
    const cache_ids_t *ix = s->cache ? &s->cache->ids[kind == KIND_ROW] : NULL;
    if (ix && id < ix->cap && ix->names[id]) {
        size_t n = strlen(ix->names[id]);
        if (n > len - 1) n = len - 1;
        memcpy(buf, ix->names[id], n);
        buf[n] = '\0';
        return 0;
    }
    uint8_t ib[IDKEY_LEN];
    key_id(ib, kind, id);
    MDB_val k = { IDKEY_LEN, ib }, v;
    int rc = mdb_get(txn, s->dbi[DB_IDS], &k, &v);
    if (rc) return rc;
    size_t n = v.mv_size < len - 1 ? v.mv_size : len - 1;
    memcpy(buf, v.mv_data, n);
    buf[n] = '\0';
    if (s->cache && n == v.mv_size && !memchr(buf, 0, n)) cache_put(s, kind, buf, id);
    return 0;
}
