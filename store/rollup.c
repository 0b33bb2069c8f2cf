/* rollup.c -- store_apply_batch: versions, facts and the rollup by deltas, in one write
 * transaction per batch.
 *
 * Model (docs/store.md): reported(n,k) = declared(n,k) where n declared k, else
 * computed(n,k). A unit's computed figures are its current facts and a higher node's
 * declared figures are its current facts, so neither is stored twice: only the computed
 * figures of higher nodes live in DB_COMPUTED, with their contributor counts.
 *
 * Invariants:
 *  - Items are applied in order and the result is exactly that of applying them one by
 *    one: every read of a computed figure goes through the batch overlay (an in-memory
 *    hash of (node, year, key) -> value, contributors), which is written back sorted, each
 *    touched (node, year, table) value once (computed.c), just before commit. DB_COMPUTED
 *    itself is untouched until then.
 *  - A rejected item leaves nothing behind: the overlay changes of an item are undone from
 *    its undo log, and its facts are written only once its rollup succeeded. (An interned
 *    row string may stay: ids are names, not data.)
 *  - A key's walk up the tree stops where a node's reported figure does not move: the node
 *    declared the key (the declaration absorbs it) or its computed figure is unchanged.
 */
#include "array.h"
#include "clock.h"
#include "digest.h"
#include "sort.h"
#include "store_int.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

/* ---- the batch overlay ----
 *
 * Open addressing with linear probing, at most half full. A slot is in use when its
 * generation is the overlay's: emptying the overlay (the end of a batch, an attempt run
 * again, the undo of the first item) is one increment, not a pass over the table, and the
 * table is kept in the store handle from batch to batch (store_t.overlay, up to
 * OV_KEEP_SLOTS), so a batch neither allocates, zeroes nor rehashes it once it is large
 * enough (ov_grow and calloc's zeroing were 8 % of the aggregator's samples under aggdrive).
 * used[] lists the slots in use, so the passes over every entry (the sort for the level
 * views and the flush) cost the entries, not the table. */

typedef struct ov_entry_s {
    uint8_t key[NODEKEY_LEN];
    uint16_t gen;             /* == overlay_t.gen: in use in this batch */
    int64_t fen;
    uint32_t contrib;
    uint8_t present, dirty, touched, spare;
} ov_entry_t;
/* 32 bytes: a 100,000-fact submission puts 400,000 entries in the overlay, and every probe
 * is a cache miss. The key and the generation are the first 16 bytes, so a probe compares
 * two words: this key, and in use. */
_Static_assert(sizeof(ov_entry_t) == 32, "overlay entry: two per cache line");
_Static_assert(offsetof(ov_entry_t, gen) == NODEKEY_LEN && offsetof(ov_entry_t, fen) == 16,
               "key and generation: the entry's first two words");

typedef struct {
    ov_entry_t *slots;
    uint32_t *used;           /* the indices of the slots in use, count of them; room for cap / 2 */
    size_t cap, count;
    uint16_t gen;             /* >= 1; slots of a past generation (or calloc's 0) are free */
} overlay_t;

/* The largest table kept between batches (8 MiB of slots): the default --batch of 256
 * typical submissions (~63,000 facts, ~78,000 entries) fits in it; the table of a larger
 * batch (one 100,000-fact submission) is freed after it, so it does not stay in the heap. */
#define OV_KEEP_SLOTS ((size_t)1 << 18)
/* Entries a batch is presized for, per fact: its own key (a unit's entry marks it touched)
 * and its share of the ancestors' keys and of the figures the level views load (~1.25
 * measured for a batch of 256 units; more for a small batch, which grows once or twice). */
#define OV_ENTRIES_PER_FACT 2
#define OV_MIN_SLOTS 1024
#define OV_HUGE_BYTES ((size_t)2 << 20)
/* Slots per row in a node-table's run: 8. A row of more columns (COL_COUNT is 26) runs into
 * the next row's slots, which linear probing absorbs; a wider stride would leave most of a
 * one-column table's slots unused and alias rows onto each other once its rows outnumber
 * the table's cap / stride (a 100,000-row submission) */
#define OV_ROW_SHIFT 3
#define OV_PREFETCH_AHEAD 4               /* facts ahead whose walk's slots are prefetched */   /* a huge page (x86-64, arm64 with 4 KiB pages) */

typedef struct {
    ov_entry_t prior;
} undo_t;

_Static_assert(TABLE_COUNT <= 32, "node_info.loaded: one bit per table");

_Static_assert((OV_KEEP_SLOTS & (OV_KEEP_SLOTS - 1)) == 0 && (OV_MIN_SLOTS & (OV_MIN_SLOTS - 1)) == 0,
               "table sizes are powers of two");

/* A key's two probe words (the key, then the generation where the entry keeps it) and its
 * hash (of the key alone). */
typedef struct {
    uint64_t w[2];
    uint64_t hash;
} ov_probe_t;

static inline void ov_probe(const overlay_t *ov, const uint8_t *key, ov_probe_t *p)
{
    uint8_t b[16] = { 0 };
    memcpy(b, key, NODEKEY_LEN);
    memcpy(p->w, b, sizeof p->w);
    /* The node and table are hashed (splitmix64's finaliser), the row and column added: one
     * node-table's figures sit side by side in row order, so a submission's facts, walked in
     * key order up its ancestors, probe a few forward-moving runs of slots instead of a
     * random slot each (the probes were cache and TLB misses: most of the commit's time) */
    uint64_t x = p->w[0] + (uint64_t)key[EYKEY_LEN] * 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    uint64_t row = be32_get(key + EYKEY_LEN + 1), col = key[EYKEY_LEN + 5];
    p->hash = (x ^ (x >> 31)) + (row << OV_ROW_SHIFT) + col;
    memcpy(b + NODEKEY_LEN, &ov->gen, sizeof ov->gen);
    memcpy(&p->w[1], b + 8, sizeof p->w[1]);
}

static inline int ov_in_use(const overlay_t *ov, const ov_entry_t *e)
{
    return e->gen == ov->gen;
}

/* The slot of the key: its entry, or the free slot where it goes (ov_in_use says which). */
static ov_entry_t *ov_find(const overlay_t *ov, const ov_probe_t *p)
{
    size_t mask = ov->cap - 1;
    for (size_t i = p->hash & mask;; i = (i + 1) & mask) {
        ov_entry_t *e = &ov->slots[i];
        uint64_t w[2];
        memcpy(w, e, sizeof w);
        if ((w[0] == p->w[0] && w[1] == p->w[1]) || !ov_in_use(ov, e)) return e;
    }
}

static ov_entry_t *ov_slot(const overlay_t *ov, const uint8_t *key)
{
    ov_probe_t p;
    ov_probe(ov, key, &p);
    return ov_find(ov, &p);
}

/* Asks the CPU for the first slot each of the nodes' keys of fkey would probe: a hint,
 * nothing read or changed. */
static inline void ov_prefetch_walk(const overlay_t *ov, const uint32_t *nodes, size_t n,
                                    uint32_t year, const uint8_t fkey[FKEY_LEN])
{
    if (!ov->cap) return;
    for (size_t k = 0; k < n; k++) {
        uint8_t key[NODEKEY_LEN];
        key_node(key, nodes[k], year, fkey);
        ov_probe_t p;
        ov_probe(ov, key, &p);
        __builtin_prefetch(&ov->slots[p.hash & (ov->cap - 1)], 1);
    }
}

/* Puts key into the free slot e: an entry with no figure, in use. */
static void ov_claim(overlay_t *ov, ov_entry_t *e, const uint8_t *key)
{
    assert(!ov_in_use(ov, e) && (ov->count + 1) * 2 <= ov->cap);
    memset(e, 0, sizeof *e);
    memcpy(e->key, key, NODEKEY_LEN);
    e->gen = ov->gen;
    ov->used[ov->count++] = (uint32_t)(e - ov->slots);
}

/* A zeroed table of cap slots. One of OV_HUGE_BYTES or more is mapped on its own (already
 * zero: nothing written before use, pages zeroed by the kernel as they are first touched)
 * and asked for in huge pages: its probes are random, so with 4 KiB pages nearly each one
 * is a TLB miss as well as a cache miss (an 8 MiB table is 2,048 pages). NULL if out of
 * memory. Freed by s_slots_free with the same cap. */
static ov_entry_t *s_slots_alloc(size_t cap)
{
    size_t bytes = cap * sizeof(ov_entry_t);
    if (bytes < OV_HUGE_BYTES) return calloc(cap, sizeof(ov_entry_t));
    void *slots = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (slots == MAP_FAILED) return NULL;
    (void)madvise(slots, bytes, MADV_HUGEPAGE);     /* a hint: 4 KiB pages if refused */
    return slots;
}

static void s_slots_free(ov_entry_t *slots, size_t cap)
{
    if (!slots) return;
    if (cap * sizeof(ov_entry_t) < OV_HUGE_BYTES) free(slots);
    else munmap(slots, cap * sizeof(ov_entry_t));
}

void store_overlay_free(store_overlay_t *ov)
{
    s_slots_free(ov->slots, ov->cap);
    free(ov->used);
    *ov = (store_overlay_t){ 0 };
}

/* Room for n entries (the table at most half full): a larger table, the entries moved. 0 or -1. */
static int ov_reserve(overlay_t *ov, size_t n)
{
    if ((n + 1) * 2 <= ov->cap) return 0;
    size_t cap = ov->cap ? ov->cap : OV_MIN_SLOTS;
    while ((n + 1) * 2 > cap) cap *= 2;
    if (cap > UINT32_MAX) return -1;            /* used[] holds 32-bit indices */
    ov_entry_t *slots = s_slots_alloc(cap);
    uint32_t *used = malloc(cap / 2 * sizeof *used);
    if (!slots || !used) { free(slots); free(used); return -1; }
    overlay_t grown = { .slots = slots, .used = used, .cap = cap, .gen = ov->gen };
    for (size_t i = 0; i < ov->count; i++) {
        const ov_entry_t *old = &ov->slots[ov->used[i]];
        ov_entry_t *e = ov_slot(&grown, old->key);
        ov_claim(&grown, e, old->key);
        *e = *old;
    }
    s_slots_free(ov->slots, ov->cap);
    free(ov->used);
    *ov = grown;
    return 0;
}

/* Empties the overlay (keeping its table). */
static void ov_clear(overlay_t *ov)
{
    ov->count = 0;
    if (++ov->gen == 0) {                       /* wrapped: no slot may look in use */
        if (ov->slots) memset(ov->slots, 0, ov->cap * sizeof *ov->slots);
        ov->gen = 1;
    }
}

static void ov_free(overlay_t *ov)
{
    s_slots_free(ov->slots, ov->cap);
    free(ov->used);
    *ov = (overlay_t){ .gen = 1 };
}

/* The overlay entry of key, loaded from DB_COMPUTED on first use when load is set (units
 * have no stored computed figures: their entries only mark keys touched). NULL + *rc. */
static ov_entry_t *ov_get(store_t *s, MDB_txn *txn, overlay_t *ov, const uint8_t *key,
                          int load, int *rc)
{
    *rc = 0;
    if ((ov->count + 1) * 2 > ov->cap && ov_reserve(ov, ov->count + 1)) { *rc = ENOMEM; return NULL; }
    ov_entry_t *e = ov_slot(ov, key);
    if (ov_in_use(ov, e)) return e;
    ov_claim(ov, e, key);
    if (load) {
        int present;
        if ((*rc = computed_get(s, txn, key, &present, &e->fen, &e->contrib))) return NULL;
        e->present = (uint8_t)present;
    }
    return e;
}

/* ---- batch state ---- */

/* What item_apply decided for one item of the batch. */
typedef enum {
    ITEM_UNTOUCHED = 0,       /* not applied yet (batch_reset zeroes the states) */
    ITEM_REPLAYED,            /* its id was stored by an earlier batch: the stored ack */
    ITEM_DUPLICATE,           /* its id was accepted earlier in this batch: that ack */
    ITEM_REJECTED,            /* refused with a reason; nothing of it is stored */
    ITEM_ACCEPTED             /* a new version, rolled up and flagged */
} item_state_kind;

typedef struct {
    item_state_kind state;
    size_t dup_of;            /* ITEM_DUPLICATE: the index of the accepted item */
    uint32_t ent, year, version;
    findings_t text;          /* ITEM_ACCEPTED: the findings the store raises on the item in this
                                 attempt: what the new version withdrew (rules_version.c) and
                                 its narrative text's (text.c); reset with the attempt, so an
                                 attempt rerun (map grown, a file refused) raises them once */
} item_state_t;

typedef struct {
    store_item_t *items;
    size_t n;
    const rule_settings_t *settings;
    item_state_t *st;
    overlay_t ov;
    undo_t *undo;
    size_t nundo, capundo;
    int undo_off;             /* the item applied first touched an empty overlay: its undo is
                                 to empty it again, no log (400,000 entries for a large one) */
    int64_t now_ms;
    struct node_info {
        uint32_t ent, year, parent, cur;
        uint32_t loaded;      /* bit t: the node's stored figures of table t are in the overlay */
        uint8_t used;
    } *nodes;
    size_t nodecap, nodecount;   /* per-batch cache of (entity, year) -> parent, current */
    /* Files refused whole (groups.c's rule, below): for the first item of a group, the
     * reason of the part that failed and its index. Kept across the attempts of one
     * batch (batch_reset leaves them) so a rerun knows which files to refuse upfront. */
    char **gfail;
    size_t *gfail_at;
    int regroup;              /* the attempt stopped to rerun without a failed file */
    computed_walk_t cw;       /* the level views' reads of stored computed figures */
} batch_t;

static struct node_info *node_slot(batch_t *b, uint32_t ent, uint32_t year)
{
    size_t i = ((ent * 2654435761u) ^ year) & (b->nodecap - 1);
    while (b->nodes[i].used && (b->nodes[i].ent != ent || b->nodes[i].year != year))
        i = (i + 1) & (b->nodecap - 1);
    return &b->nodes[i];
}

/* Parent and current version of entity/year, read once per batch (item_apply keeps the
 * current version up to date when the entity itself submits). 0 or an MDB error. */
static int node_info(store_t *s, MDB_txn *txn, batch_t *b, uint32_t ent, uint32_t year,
                     struct node_info **out)
{
    if ((b->nodecount + 1) * 2 > b->nodecap) {
        struct node_info *old = b->nodes;
        size_t oldcap = b->nodecap;
        b->nodecap = oldcap ? oldcap * 2 : 256;
        b->nodes = calloc(b->nodecap, sizeof *b->nodes);
        if (!b->nodes) { b->nodes = old; b->nodecap = oldcap; return ENOMEM; }
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].used) *node_slot(b, old[i].ent, old[i].year) = old[i];
        free(old);
    }
    struct node_info *n = node_slot(b, ent, year);
    if (!n->used) {
        store_entity_t e;
        int rc = entity_read(s, txn, ent, &e, 0);
        if (rc) return rc;
        n->used = 1;
        n->ent = ent;
        n->year = year;
        n->parent = e.parent;
        n->cur = store_current(s, txn, ent, year);
        b->nodecount++;
    }
    *out = n;
    return 0;
}

/* Puts every stored computed figure of (entity, year, table) into the overlay, leaving the
 * entries already there (the batch's own state) alone: the first key of a (node, table) the
 * batch asks for loads them all, so the others are found (or known absent) in memory. A
 * value is decoded once either way (a point read decodes it up to the key), and a bulk
 * load asks a department or district for hundreds of keys of each table, mostly absent.
 * 0 or an MDB error. */
static int ov_load_table(store_t *s, MDB_txn *txn, overlay_t *ov, uint32_t ent, uint32_t year,
                         table_id t)
{
    pack_reader_t r;
    int rc = computed_table_open(&r, s, txn, ent, year, t);
    if (rc) return rc;
    if (ov_reserve(ov, ov->count + r.count)) return ENOMEM;
    uint8_t fkey[FKEY_LEN], key[NODEKEY_LEN];
    pack_entry_t pe;
    while ((rc = pack_next(&r, &pe)) == 0) {
        key_fkey(fkey, t, pe.row, pe.column);
        key_node(key, ent, year, fkey);
        ov_entry_t *e = ov_slot(ov, key);
        if (ov_in_use(ov, e)) continue;
        ov_claim(ov, e, key);
        e->present = 1;
        e->fen = pe.fen;
        e->contrib = pe.aux;
    }
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* ov_get for the batch: the same entry, with the node's figures of the key's table loaded
 * first if they are not yet (then a key not in the overlay is known to be absent). */
static ov_entry_t *batch_ov_get(store_t *s, MDB_txn *txn, batch_t *b, const uint8_t *key,
                                int load, int *rc)
{
    if (load) {
        if (b->ov.cap) {
            ov_entry_t *e = ov_slot(&b->ov, key);
            if (ov_in_use(&b->ov, e)) { *rc = 0; return e; }
        }
        struct node_info *ni;
        if ((*rc = node_info(s, txn, b, key_entity(key), key_year(key), &ni))) return NULL;
        table_id t = key_fkey_decode(key_node_fkey(key)).table;
        if (!(ni->loaded & (1u << t))) {
            if ((*rc = ov_load_table(s, txn, &b->ov, ni->ent, ni->year, t))) return NULL;
            ni->loaded |= 1u << t;
        }
        load = 0;   /* every stored figure of the node's table is in the overlay */
    }
    return ov_get(s, txn, &b->ov, key, load, rc);
}

static int undo_push(batch_t *b, const ov_entry_t *e)
{
    if (b->undo_off) return 0;
    if (b->nundo == b->capundo &&          /* the call only to grow: one push per entry moved */
        array_reserve(&b->undo, &b->capundo, b->nundo + 1, sizeof *b->undo, 256)) return -1;

    b->undo[b->nundo++].prior = *e;
    return 0;
}

static void undo_all(batch_t *b)
{
    if (b->undo_off) {
        /* nothing before this item is in the overlay: empty it, and forget which nodes'
         * figures it held (loaded), so they are read again when asked for */
        ov_clear(&b->ov);
        for (size_t i = 0; i < b->nodecap; i++) b->nodes[i].loaded = 0;
        return;
    }
    while (b->nundo) {
        const ov_entry_t *p = &b->undo[--b->nundo].prior;
        *ov_slot(&b->ov, p->key) = *p;   /* the entry is still there: entries are never removed */
    }
}

static int kfact_cmp(const void *a, const void *b)
{
    return memcmp(((const kfact_t *)a)->fkey, ((const kfact_t *)b)->fkey, FKEY_LEN);
}

/* Sorts a submission's facts by figure key: least significant key byte first, stable
 * passes, a byte all facts share skipped (one pass counts all six). The keys are unique (a
 * validated submission has no duplicate figure), so this is kfact_cmp's order; the facts
 * arrive sorted by row text, not by row id, and the comparison sort of them was 3 % of a
 * batch's instructions. Without memory for the second buffer: sort_array. */
static void kfact_sort(kfact_t *a, size_t n)
{
    if (n < 2) return;
    kfact_t *tmp = malloc(n * sizeof *tmp);
    if (!tmp) { sort_array(a, n, sizeof *a, kfact_cmp); return; }
    uint32_t count[FKEY_LEN][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < FKEY_LEN; d++) count[d][a[i].fkey[d]]++;
    kfact_t *src = a, *dst = tmp;
    for (int d = FKEY_LEN - 1; d >= 0; d--) {
        uint32_t *c = count[d];
        if (c[src[0].fkey[d]] == n) continue;    /* one value: the order stands */
        uint32_t at = 0;
        for (int v = 0; v < 256; v++) { uint32_t k = c[v]; c[v] = at; at += k; }
        for (size_t i = 0; i < n; i++) dst[c[src[i].fkey[d]]++] = src[i];
        kfact_t *t = src; src = dst; dst = t;
    }
    if (src != a) memcpy(a, src, n * sizeof *a);
    free(tmp);
}

/* Applies the change of child's reported figure for fkey, (op,ov) -> (np,nv), to node
 * and up. Returns 0, 1 on amount overflow, or an MDB error. */
static int rollup_walk(store_t *s, MDB_txn *txn, batch_t *b, uint32_t node, uint32_t year,
                       const uint8_t *fkey, int op, int64_t ov, int np, int64_t nv)
{
    for (int depth = 0; node; depth++) {
        if (depth == HIERARCHY_DEPTH_MAX) return MDB_CORRUPTED;   /* a corrupt parent chain */
        uint8_t key[NODEKEY_LEN];
        key_node(key, node, year, fkey);
        int rc;
        ov_entry_t *e = batch_ov_get(s, txn, b, key, 1, &rc);
        if (!e) return rc;
        if (undo_push(b, e)) return ENOMEM;
        int64_t val = e->present ? e->fen : 0;
        uint32_t cnt = e->present ? e->contrib : 0;
        int oldp = e->present;
        int64_t oldv = e->fen;
        if (op) {
            if (__builtin_sub_overflow(val, ov, &val)) return 1;
            if (cnt) cnt--;
        }
        if (np) {
            if (__builtin_add_overflow(val, nv, &val)) return 1;
            cnt++;
        }
        e->present = cnt > 0;
        e->fen = e->present ? val : 0;
        e->contrib = cnt;
        e->dirty = e->touched = 1;

        struct node_info *ni;
        if ((rc = node_info(s, txn, b, node, year, &ni))) return rc;
        int64_t dv;
        int d = 0;                                 /* no current version: nothing declared */
        if (ni->cur && (rc = facts_get(s, txn, node, year, ni->cur, fkey, &d, &dv))) return rc;
        if (d) return 0;                           /* declared here: absorbed */
        if (oldp == e->present && (!oldp || oldv == e->fen)) return 0;
        op = oldp; ov = oldv; np = e->present; nv = e->fen;
        node = ni->parent;
    }
    return 0;
}

/* Marks the item rejected with a reason (printf-style). The one place a store-side
 * rejection is worded. */
__attribute__((format(printf, 3, 4)))
static void item_reject(store_item_t *it, item_state_t *st, const char *fmt, ...)
{
    it->ack.status = ACK_REJECTED;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->ack.reason, sizeof it->ack.reason, fmt, ap);
    va_end(ap);
    st->state = ITEM_REJECTED;
}

/* Reads the facts of entity/year/version as sorted fkeys. */
static int facts_read(store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year, uint32_t version,
                      kfact_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    pack_scan_t sc;
    int rc = fact_scan_open(&sc, s, txn, ent, year, version);
    if (rc) return rc;
    uint8_t fkey[FKEY_LEN];
    pack_entry_t e;
    while ((rc = pack_scan_next(&sc, fkey, &e)) == 0) {
        if (array_reserve(out, &cap, *n + 1, sizeof **out, 256)) { rc = ENOMEM; break; }
        memcpy((*out)[*n].fkey, fkey, FKEY_LEN);
        (*out)[*n].fen = e.fen;
        (*out)[*n].idx = 0;
        (*n)++;
    }
    pack_scan_close(&sc);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Merges old and new facts of the entity and rolls every changed key up. 0, 1 overflow,
 * or MDB error. */
static int item_rollup(store_t *s, MDB_txn *txn, batch_t *b, const store_entity_t *ent,
                       uint32_t year, const kfact_t *oldf, size_t no, const kfact_t *newf,
                       size_t nn)
{
    size_t i = 0, j = 0;
    int unit = ent->level == LEVEL_UNIT;
    /* the entity and its ancestors: the slots a new fact's walk will probe, asked for
     * OV_PREFETCH_AHEAD facts ahead (each probe is otherwise a cache miss that stalls) */
    uint32_t chain[HIERARCHY_DEPTH_MAX];
    size_t depth = 0;
    for (uint32_t node = ent->id; node && depth < HIERARCHY_DEPTH_MAX; ) {
        chain[depth++] = node;
        struct node_info *ni;
        int rc = node == ent->id ? 0 : node_info(s, txn, b, node, year, &ni);
        if (rc) return rc;
        node = node == ent->id ? ent->parent : ni->parent;
    }
    while (i < no || j < nn) {
        if (j + OV_PREFETCH_AHEAD < nn) ov_prefetch_walk(&b->ov, chain, depth, year, newf[j + OV_PREFETCH_AHEAD].fkey);
        int c = i == no ? 1 : j == nn ? -1 : memcmp(oldf[i].fkey, newf[j].fkey, FKEY_LEN);
        const uint8_t *fkey = c <= 0 ? oldf[i].fkey : newf[j].fkey;
        int op = c <= 0, np = c >= 0;
        int64_t ov = op ? oldf[i].fen : 0, nv = np ? newf[j].fen : 0;
        if (op) i++;
        if (np) j++;
        if (op == np && ov == nv) continue;

        uint8_t key[NODEKEY_LEN];
        key_node(key, ent->id, year, fkey);
        int rc;
        ov_entry_t *e = batch_ov_get(s, txn, b, key, !unit, &rc);
        if (!e) return rc;
        if (undo_push(b, e)) return ENOMEM;
        e->touched = 1;
        if (!unit) {
            /* declared changed: reported moves from (declared or computed) to the same */
            int cp = e->present;
            int64_t cv = e->fen;
            int rop = op ? 1 : cp, rnp = np ? 1 : cp;
            int64_t rov = op ? ov : cv, rnv = np ? nv : cv;
            if (rop == rnp && (!rop || rov == rnv)) continue;
            op = rop; ov = rov; np = rnp; nv = rnv;
        }
        if ((rc = rollup_walk(s, txn, b, ent->parent, year, fkey, op, ov, np, nv))) return rc;
    }
    return 0;
}

/* Writes the new version: facts, labels, submission record, current. */
static int item_write(store_t *s, MDB_txn *txn, const store_entity_t *ent, const submission_t *sub,
                      uint32_t version, const kfact_t *newf, size_t nn, int64_t now_ms)
{
    int rc = facts_write(s, txn, ent->id, sub, version, newf, nn);
    if (rc) return rc;
    /* submission record: received(8) created(8) facts(4) scope(1) id NUL source NUL */
    const char *src = sub->source ? sub->source : "";
    size_t il = strlen(sub->id), sl = strlen(src);
    if (sl > 255) sl = 255;
    uint8_t rec[21 + SUBMISSION_ID_MAX + 1 + 256];
    be64_put(rec, (uint64_t)now_ms);
    be64_put(rec + 8, sub->created_ms);
    be32_put(rec + 16, (uint32_t)nn);
    rec[20] = (uint8_t)sub->scope;
    memcpy(rec + 21, sub->id, il + 1);
    memcpy(rec + 22 + il, src, sl);
    rec[22 + il + sl] = 0;
    uint8_t sk[EYVKEY_LEN];
    key_eyv(sk, ent->id, sub->year, version);
    MDB_val k = { EYVKEY_LEN, sk }, v = { 23 + il + sl, rec };
    if ((rc = mdb_put(txn, s->dbi[DB_SUBMISSIONS], &k, &v, 0))) return rc;
    uint8_t cb[5];
    be32_put(cb, version);
    cb[4] = (uint8_t)sub->scope;
    k.mv_size = EYKEY_LEN;          /* DB_CURRENT: the submission key without its version */
    v.mv_data = cb; v.mv_size = 5;
    return mdb_put(txn, s->dbi[DB_CURRENT], &k, &v, 0);
}

/* The submission's findings (the caller's rules_check) and those on its text, stored as
 * the entity/year's kind-0 flags. 0, -1 (err) or MDB_MAP_FULL. */
static int item_put_flags(store_t *s, MDB_txn *txn, const store_item_t *it, const item_state_t *st,
                          uint32_t ent, uint32_t version, char *err, size_t errlen)
{
    const submission_t *sub = it->submission;
    if (st->text.count == 0)
        return flags_put_submission(s, txn, ent, sub->year, version, &it->findings, err, errlen);
    findings_t all;
    findings_init(&all);
    for (size_t j = 0; j < it->findings.count; j++)
        if (!findings_push(&all, &it->findings.items[j])) goto oom;
    for (size_t j = 0; j < st->text.count; j++)
        if (!findings_push(&all, &st->text.items[j])) goto oom;
    int rc = flags_put_submission(s, txn, ent, sub->year, version, &all, err, errlen);
    findings_clear(&all);
    return rc;
oom:
    findings_clear(&all);
    return error_set(err, errlen, "out of memory");
}

/* The version rules (core/rules_version.c) when the new version lacks a key the current one
 * has: the current version is rebuilt as a submission (rows from the intern table) only
 * then, so a resubmission that drops nothing costs one merge of the two key lists. The
 * findings are appended to the new version's own (out). 0 or an MDB error. */
static int item_withdrawn(store_t *s, MDB_txn *txn, const rule_settings_t *settings,
                          const submission_t *sub, uint32_t cur, const kfact_t *oldf, size_t no,
                          const kfact_t *newf, size_t nn, findings_t *out)
{
    size_t i = 0, j = 0;
    bool dropped = false;
    while (i < no && !dropped) {
        int c = j < nn ? memcmp(oldf[i].fkey, newf[j].fkey, FKEY_LEN) : -1;
        if (c > 0) j++;
        else if (c == 0) { i++; j++; }
        else dropped = true;
    }
    if (!dropped) return 0;
    submission_t *prev = submission_new(sub->entity, sub->year);
    if (!prev) return ENOMEM;
    int rc = 0;
    for (i = 0; i < no && !rc; i++) {
        fkey_t fd = key_fkey_decode(oldf[i].fkey);
        char row[SUBMISSION_ROW_MAX + 1];
        if ((rc = intern_string(s, txn, KIND_ROW, fd.row, row, sizeof row))) break;
        if (submission_add(prev, fd.table, row, fd.column, oldf[i].fen, "", 0)) rc = ENOMEM;
    }
    if (!rc) {
        submission_sort(prev);
        if (rules_check_versions(prev, cur, sub, settings, out) != 0) rc = ENOMEM;
    }
    submission_destroy(&prev);
    return rc;
}

/* The item's content digest into its ack (which carries it to the collector and, stored
 * under the id, binds the id to it): the submission's own when it carries one (checked
 * against its content by the caller, store_item_t), else computed here. */
static void item_digest(store_item_t *it)
{
    const submission_t *sub = it->submission;
    if (sub->has_digest) memcpy(it->ack.digest, sub->digest, SUBMISSION_DIGEST_LEN);
    else submission_digest(it->submission, it->ack.digest);
    it->ack.has_digest = 1;
}

/* An id the store knows: the stored ack, replayed, if the id is bound to this sender,
 * entity, year and content (bindings.c); otherwise a refusal that carries nothing of the
 * stored ack. 0 or -1 (err). */
static int item_replay(store_item_t *it, item_state_t *st, const binding_t *mine, const MDB_val *v,
                       char *err, size_t errlen)
{
    binding_t stored;
    const uint8_t *packed;
    size_t plen;
    const char *id = it->submission->id;
    if (binding_decode(v->mv_data, v->mv_size, &stored, &packed, &plen) != 0)
        return error_set(err, errlen, "stored binding of '%s' unreadable", id);
    ack_t replay;
    char e2[256];
    if (wire_unpack_ack(packed, plen, &replay, e2, sizeof e2) != 0)
        return error_set(err, errlen, "stored ack of '%s' unreadable: %s", id, e2);
    if (stored.legacy) {   /* an old record: bound by the entity and year its ack names */
        snprintf(stored.entity, sizeof stored.entity, "%s", replay.entity);
        stored.year = replay.year;
    }
    if (!binding_matches(&stored, mine)) {
        ack_clear(&replay);
        item_reject(it, st, STORE_ID_TAKEN, id);
        return 0;
    }
    ack_clear(&it->ack);
    it->ack = replay;
    it->ack.replayed = 1;
    st->state = ITEM_REPLAYED;
    return 0;
}

/* One item: replay, rejection or a new version. 0, -1 (err) or MDB_MAP_FULL. */
static int item_apply(store_t *s, MDB_txn *txn, batch_t *b, size_t i, char *err, size_t errlen)
{
    assert(i < b->n && b->items[i].submission);   /* store_apply_batch's contract */
    store_item_t *it = &b->items[i];
    item_state_t *st = &b->st[i];
    submission_t *sub = it->submission;
    ack_t *ack = &it->ack;
    ack_identify(ack, sub);

    item_digest(it);
    binding_t mine;
    binding_of(&mine, it, it->ack.digest);
    for (size_t j = 0; j < i; j++)
        if (b->st[j].state == ITEM_ACCEPTED && strcmp(b->items[j].submission->id, sub->id) == 0) {
            binding_t first;
            binding_of(&first, &b->items[j], b->items[j].ack.digest);
            if (!binding_matches(&first, &mine)) {
                item_reject(it, st, STORE_ID_TAKEN, sub->id);
                return 0;
            }
            st->state = ITEM_DUPLICATE;
            st->dup_of = j;
            return 0;
        }
    MDB_val k = { strlen(sub->id), sub->id }, v;
    int rc = mdb_get(txn, s->dbi[DB_SUBIDS], &k, &v);
    if (rc == 0) return item_replay(it, st, &mine, &v, err, errlen);
    if (rc != MDB_NOTFOUND) return store_mdb_fail(rc, err, errlen, "read submission id");

    store_entity_t ent;
    rc = entity_by_code(s, txn, sub->entity, &ent);
    if (rc == MDB_NOTFOUND) {
        item_reject(it, st, STORE_UNKNOWN_ENTITY, sub->entity);   /* intake checked it first */
        return 0;
    }
    if (rc) return store_mdb_fail(rc, err, errlen, "read entity");
    int unit = ent.level == LEVEL_UNIT;
    if (unit && (sub->scope == SCOPE_DECLARED || sub->scope == SCOPE_CONSOLIDATED)) {
        item_reject(it, st, "entity '%s' is a unit: it reports its own budget, not declared or consolidated figures",
                    sub->entity);
        return 0;
    }
    if (!unit && sub->scope == SCOPE_OWN) {
        item_reject(it, st, "entity '%s' is a %s: it declares figures for everything under it, not an own budget",
                    sub->entity, level_name(ent.level));
        return 0;
    }

    uint32_t cur = store_current(s, txn, ent.id, sub->year);
    kfact_t *newf = malloc((sub->count ? sub->count : 1) * sizeof *newf), *oldf = NULL;
    size_t no = 0;
    if (!newf) return error_set(err, errlen, "out of memory");
    for (size_t j = 0; j < sub->count; j++) {
        uint32_t row;
        if ((rc = intern_get(s, txn, KIND_ROW, sub->facts[j].row, &row))) {
            free(newf);
            return store_mdb_fail(rc, err, errlen, "intern row");
        }
        key_fkey(newf[j].fkey, sub->facts[j].table, row, sub->facts[j].column);
        newf[j].fen = sub->facts[j].fen;
        newf[j].idx = j;
    }
    kfact_sort(newf, sub->count);
    if ((rc = facts_read(s, txn, ent.id, sub->year, cur, &oldf, &no))) {
        free(newf);
        return store_mdb_fail(rc, err, errlen, "read facts");
    }
    if (cur && (rc = item_withdrawn(s, txn, b->settings, sub, cur, oldf, no, newf, sub->count,
                                    &st->text))) {
        free(newf);
        free(oldf);
        return store_mdb_fail(rc, err, errlen, "compare with the current version");
    }
    b->nundo = 0;
    b->undo_off = b->ov.count == 0;
    rc = item_rollup(s, txn, b, &ent, sub->year, oldf, no, newf, sub->count);
    free(oldf);
    if (rc == 1) {
        undo_all(b);
        free(newf);
        item_reject(it, st, "amounts of '%s' overflow a consolidated total", sub->entity);
        return 0;
    }
    if (rc == 0) rc = item_write(s, txn, &ent, sub, cur + 1, newf, sub->count, b->now_ms);
    free(newf);
    if (rc) return store_mdb_fail(rc, err, errlen, "apply submission");
    if ((rc = text_apply(s, txn, ent.id, sub, cur + 1, b->settings, &st->text, err, errlen))) return rc;
    rc = item_put_flags(s, txn, it, st, ent.id, cur + 1, err, errlen);
    if (rc) return rc;
    struct node_info *ni;
    if ((rc = node_info(s, txn, b, ent.id, sub->year, &ni)))
        return store_mdb_fail(rc, err, errlen, "node cache");
    ni->cur = cur + 1;
    st->state = ITEM_ACCEPTED;
    st->ent = ent.id;
    st->year = sub->year;
    st->version = cur + 1;
    ack->status = ACK_ACCEPTED;
    ack->version = cur + 1;
    return 0;
}

/* The touched overlay entries in key order: the level views take their keys from it, and
 * the flush its dirty entries (every dirty entry is touched: rollup_walk sets both, and
 * nothing between the views and the flush changes a figure). One sort per batch, of the
 * (hi, lo) words of each 14-byte key held inline beside its slot: sorting reads no slot,
 * where a comparison through a pointer was a cache miss in a table of 400,000 entries. */
typedef struct {
    uint64_t hi, lo;          /* key bytes 0..7, 8..13 big-endian: memcmp order */
    uint32_t slot;
} ov_sorted_t;

/* Sorts a[0..n) by key, least significant byte first (stable passes; keys are unique, so
 * the order is total), into a or tmp (returned). One pass counts all fourteen bytes; a byte
 * every key shares (the year, most of an entity or row id) then costs nothing. A comparison
 * sort of these records was 15% of the instructions of a 100,000-fact submission. */
static ov_sorted_t *ov_radix_sort(ov_sorted_t *a, ov_sorted_t *tmp, size_t n)
{
    static_assert(NODEKEY_LEN == 14, "hi holds key bytes 0..7, lo 8..13");
    uint32_t count[NODEKEY_LEN][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        uint64_t hi = a[i].hi, lo = a[i].lo;
        for (int d = 0; d < 8; d++) count[d][(hi >> (56 - 8 * d)) & 0xff]++;
        for (int d = 0; d < 6; d++) count[8 + d][(lo >> (40 - 8 * d)) & 0xff]++;
    }
    for (int d = NODEKEY_LEN - 1; d >= 0 && n; d--) {
        uint32_t *c = count[d];
        int shift = d < 8 ? 56 - 8 * d : 40 - 8 * (d - 8);
        int word = d < 8;
        uint64_t first = (word ? a[0].hi : a[0].lo) >> shift & 0xff;
        if (c[first] == n) continue;          /* one value: the order stands */
        uint32_t at = 0;
        for (int v = 0; v < 256; v++) { uint32_t k = c[v]; c[v] = at; at += k; }
        for (size_t i = 0; i < n; i++) {
            uint64_t w = word ? a[i].hi : a[i].lo;
            tmp[c[(w >> shift) & 0xff]++] = a[i];
        }
        ov_sorted_t *t = a; a = tmp; tmp = t;
    }
    return a;
}

/* Copies of the touched entries, sorted by key: *out (malloc'd, *n of them) or ENOMEM. */
static int ov_touched_sorted(const overlay_t *ov, ov_entry_t **out, size_t *n)
{
    ov_sorted_t *list = malloc((ov->count + 1) * sizeof *list);
    ov_sorted_t *tmp = malloc((ov->count + 1) * sizeof *tmp);
    size_t k = 0;
    for (size_t i = 0; list && i < ov->count; i++) {
        const ov_entry_t *e = &ov->slots[ov->used[i]];
        if (!e->touched) continue;
        list[k].hi = be64_get(e->key);
        list[k].lo = (uint64_t)be32_get(e->key + 8) << 16 | (uint64_t)e->key[12] << 8 | e->key[13];
        list[k].slot = ov->used[i];
        k++;
    }
    ov_entry_t *copy = malloc((k + 1) * sizeof *copy);
    if (!list || !tmp || !copy) { free(list); free(tmp); free(copy); return ENOMEM; }
    const ov_sorted_t *sorted = ov_radix_sort(list, tmp, k);
    for (size_t i = 0; i < k; i++) copy[i] = ov->slots[sorted[i].slot];
    free(list);
    free(tmp);
    *out = copy;
    *n = k;
    return 0;
}

/* Writes every dirty entry of sorted[0..n) (ov_touched_sorted): one computed_update per
 * (node, year, table) with dirty entries, so each touched value is rewritten once per batch. */
static int ov_flush(store_t *s, MDB_txn *txn, const ov_entry_t *sorted, size_t n)
{
    computed_change_t *ch = malloc((n + 1) * sizeof *ch);
    computed_buf_t w = { 0 };
    int rc = ch ? 0 : ENOMEM;
    for (size_t i = 0; i < n && !rc;) {
        if (!sorted[i].dirty) { i++; continue; }
        const uint8_t *g = sorted[i].key;         /* the group: entity, year, table */
        size_t m = 0;
        for (; i < n && memcmp(sorted[i].key, g, NODETABLE_LEN) == 0; i++) {
            const ov_entry_t *e = &sorted[i];
            if (!e->dirty) continue;
            fkey_t fd = key_fkey_decode(key_node_fkey(e->key));
            ch[m++] = (computed_change_t){ .row = fd.row, .column = fd.column, .present = e->present,
                                           .fen = e->fen, .contrib = e->contrib };
        }
        rc = computed_update(s, txn, key_entity(g), key_year(g), key_fkey_decode(key_node_fkey(g)).table,
                             ch, m, &w);
    }
    computed_buf_free(&w);
    free(ch);
    return rc;
}

/* The computed figure as the batch sees it (levels.c reads through this): the overlay's
 * entry, else (the overlay holds every figure the batch changed, and DB_COMPUTED is written
 * only by the flush) the stored one, read through a computed walk without putting it into
 * the overlay. The views come after every item and change nothing, and inserting whole
 * tables of every viewed child was most of a small batch's view cost. */
static int batch_computed(void *ctx, MDB_txn *txn, store_t *s, const uint8_t key[NODEKEY_LEN],
                          int *present, int64_t *fen, uint32_t *contrib)
{
    batch_t *b = ctx;
    if (b->ov.cap) {
        const ov_entry_t *e = ov_slot(&b->ov, key);
        if (ov_in_use(&b->ov, e)) {
            *present = e->present;
            *fen = e->fen;
            *contrib = e->contrib;
            return 0;
        }
    }
    struct node_info *ni;
    int rc = node_info(s, txn, b, key_entity(key), key_year(key), &ni);
    if (rc) return rc;
    if (ni->loaded & (1u << key_fkey_decode(key_node_fkey(key)).table)) {
        *present = 0;                 /* the table's stored figures are all in the overlay */
        *fen = 0;
        *contrib = 0;
        return 0;
    }
    return computed_walk_get(&b->cw, s, txn, key, present, fen, contrib);
}

typedef struct {
    uint32_t ent, year;
    findings_t found;
} node_found_t;

static int nf_cmp(const void *a, const void *b)
{
    const node_found_t *x = a, *y = b;
    if (x->ent != y->ent) return x->ent < y->ent ? -1 : 1;
    return x->year < y->year ? -1 : x->year > y->year;
}

/* The internal-transfer keys every level view includes (TABLE_TRANSFERS in core/tables.h):
 * the level.transfer_* rules compare them between a node and its children even where no
 * key of them moved. */
#define TRANSFER_KEYS TABLE_TRANSFER_KEYS

static int transfer_keys(store_t *s, MDB_txn *txn, uint8_t out[TRANSFER_KEYS][FKEY_LEN])
{
    for (size_t i = 0; i < TRANSFER_KEYS; i++) {
        const table_key_t *k = table_transfer_key(i);
        uint32_t row;
        int rc = intern_get(s, txn, KIND_ROW, k->row, &row);
        if (rc) return rc;
        key_fkey(out[i], k->table, row, k->column);
    }
    return 0;
}

/* The level views of one batch, built in three passes (levels_pass_*). Invariant between
 * passes: nf[0..nn) holds one entry per (entity, year) viewed so far, sorted by nf_cmp;
 * a node is viewed at most once. fk is scratch for one view's figure keys. */
typedef struct {
    node_found_t *nf;
    size_t nn, capn;
    uint8_t (*fk)[FKEY_LEN];
    uint8_t xfer[TRANSFER_KEYS][FKEY_LEN];
    levels_scratch_t scratch;  /* levels_check's memory, from view to view */
} level_views_t;

/* Whether (ent, year) was viewed: nf[0..sorted) by binary search, the rest (this pass's
 * own views, not yet sorted) one by one. */
static int views_seen(const level_views_t *v, size_t sorted, uint32_t ent, uint32_t year)
{
    node_found_t probe = { .ent = ent, .year = year };
    if (sorted && bsearch(&probe, v->nf, sorted, sizeof *v->nf, nf_cmp)) return 1;
    for (size_t j = sorted; j < v->nn; j++)
        if (v->nf[j].ent == ent && v->nf[j].year == year) return 1;
    return 0;
}

/* Views one node over v->fk[0..nk) plus the transfer keys, storing its level flags and
 * keeping its findings in a new nf entry. 0 or -1 with err. */
static int views_add(store_t *s, MDB_txn *txn, batch_t *b, level_views_t *v, uint32_t ent,
                     uint32_t year, size_t nk, char *err, size_t errlen)
{
    assert(nk <= b->ov.count);   /* v->fk holds ov.count + TRANSFER_KEYS (batch_levels) */
    /* add the transfer keys not already there, in order: fk[0..nk) stays sorted, so the
     * consumers' sorts of it (levels_check, flags_put_level) find nothing to do */
    for (int x = 0; x < TRANSFER_KEYS; x++) {
        size_t lo = 0, hi = nk;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (memcmp(v->fk[mid], v->xfer[x], FKEY_LEN) < 0) lo = mid + 1;
            else hi = mid;
        }
        if (lo < nk && memcmp(v->fk[lo], v->xfer[x], FKEY_LEN) == 0) continue;
        memmove(v->fk[lo + 1], v->fk[lo], (nk - lo) * FKEY_LEN);
        memcpy(v->fk[lo], v->xfer[x], FKEY_LEN);
        nk++;
    }
    if (v->nn == v->capn) {
        size_t cap = v->capn ? v->capn * 2 : 64;
        node_found_t *a = realloc(v->nf, cap * sizeof *a);
        if (!a) return error_set(err, errlen, "out of memory");
        v->nf = a;
        v->capn = cap;
    }
    node_found_t *f = &v->nf[v->nn++];
    f->ent = ent;
    f->year = year;
    findings_init(&f->found);
    return levels_check(s, txn, ent, year, (const uint8_t (*)[FKEY_LEN])v->fk, nk,
                       batch_computed, b, b->settings, &v->scratch, &f->found, err, errlen);
}

/* Views (ent, year) over the transfer keys alone, unless it was viewed already (nf[0..sorted)
 * sorted, the rest this pass's). */
static int views_add_once(store_t *s, MDB_txn *txn, batch_t *b, level_views_t *v, size_t sorted,
                          uint32_t ent, uint32_t year, char *err, size_t errlen)
{
    if (views_seen(v, sorted, ent, year)) return 0;
    return views_add(s, txn, b, v, ent, year, 0, err, errlen);
}

static void views_sort(level_views_t *v)
{
    if (v->nn) sort_array(v->nf, v->nn, sizeof *v->nf, nf_cmp);   /* (ent, year) unique: total */
}

/* Pass 1: every node with touched keys, over exactly those keys. t[0..nt) are the
 * touched entries, sorted, so one node's keys are adjacent. */
static int levels_pass_touched(store_t *s, MDB_txn *txn, batch_t *b, level_views_t *v,
                               const ov_entry_t *t, size_t nt, char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; i < nt && !rc;) {
        uint32_t ent = key_entity(t[i].key), year = key_year(t[i].key);
        size_t nk = 0;
        for (; i < nt && key_entity(t[i].key) == ent && key_year(t[i].key) == year; i++)
            memcpy(v->fk[nk++], key_node_fkey(t[i].key), FKEY_LEN);
        rc = views_add(s, txn, b, v, ent, year, nk, err, errlen);
    }
    return rc;
}

/* Pass 2: accepted entities no key of which moved (a first submission of zeros still
 * changes "submitted" for its parent), over the transfer keys only. */
static int levels_pass_accepted(store_t *s, MDB_txn *txn, batch_t *b, level_views_t *v,
                                char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0, sorted = v->nn; i < b->n && !rc; i++)
        if (b->st[i].state == ITEM_ACCEPTED)
            rc = views_add_once(s, txn, b, v, sorted, b->st[i].ent, b->st[i].year, err, errlen);
    return rc;
}

/* Pass 3: the parent of every node viewed in passes 1 and 2, for its node-wide rules
 * (which children submitted), over the transfer keys only. */
static int levels_pass_parents(store_t *s, MDB_txn *txn, batch_t *b, level_views_t *v,
                               char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0, sorted = v->nn; i < sorted && !rc; i++) {
        struct node_info *ni;
        uint32_t year = v->nf[i].year;
        if ((rc = node_info(s, txn, b, v->nf[i].ent, year, &ni)))
            return store_mdb_fail(rc, err, errlen, "read entity");
        if (ni->parent) rc = views_add_once(s, txn, b, v, sorted, ni->parent, year, err, errlen);
    }
    return rc;
}

/* Level rules over every node the batch touched (and the parent of each, for its
 * node-wide evaluation), with their findings stored. found[] gets one entry per node,
 * sorted by (entity, year); *touched (malloc'd, *ntouched) the touched entries as they are
 * now, sorted, for ov_flush. 0 or -1 with err (found[] and touched are returned either way). */
static int batch_levels(store_t *s, MDB_txn *txn, batch_t *b, node_found_t **found, size_t *nfound,
                        ov_entry_t **touched, size_t *ntouched, char *err, size_t errlen)
{
    size_t nt = 0;
    /* the touched entries are copied out, sorted: the views load figures into the overlay,
     * which may grow and move its entries */
    level_views_t v = { .fk = malloc((b->ov.count + TRANSFER_KEYS) * FKEY_LEN) };
    ov_entry_t *t = NULL;
    int rc = 0;
    if (!v.fk || ov_touched_sorted(&b->ov, &t, &nt)) {
        rc = error_set(err, errlen, "out of memory");
        goto done;
    }
    if ((rc = transfer_keys(s, txn, v.xfer))) { rc = store_mdb_fail(rc, err, errlen, "intern"); goto done; }
    /* Each pass sees the views of the earlier ones sorted (level_views_t's invariant). */
    rc = levels_pass_touched(s, txn, b, &v, t, nt, err, errlen);
    views_sort(&v);
    if (!rc) rc = levels_pass_accepted(s, txn, b, &v, err, errlen);
    views_sort(&v);
    if (!rc) rc = levels_pass_parents(s, txn, b, &v, err, errlen);
    views_sort(&v);
done:
    free(v.fk);
    levels_scratch_free(&v.scratch);
    *found = v.nf;
    *nfound = v.nn;
    *touched = t;
    *ntouched = nt;
    return rc;
}

/* The ack's flags: the submission's findings, then the level findings raised in this
 * transaction on the entity and each of its ancestors. */
static int ack_fill_flags(store_t *s, MDB_txn *txn, store_item_t *it, const item_state_t *st,
                          const node_found_t *nf, size_t nn)
{
    for (size_t j = 0; j < it->findings.count; j++)
        if (!findings_push(&it->ack.flags, &it->findings.items[j])) return ENOMEM;
    for (size_t j = 0; j < st->text.count; j++)
        if (!findings_push(&it->ack.flags, &st->text.items[j])) return ENOMEM;
    uint32_t ids[HIERARCHY_DEPTH_MAX];
    size_t n;
    int rc = entity_ancestor_ids(s, txn, st->ent, ids, &n);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) {
        node_found_t probe = { .ent = ids[i], .year = st->year };
        const node_found_t *f = bsearch(&probe, nf, nn, sizeof *nf, nf_cmp);
        for (size_t j = 0; f && j < f->found.count; j++)
            if (!findings_push(&it->ack.flags, &f->found.items[j])) return ENOMEM;
    }
    return 0;
}

static int ack_copy(ack_t *dst, const ack_t *src)
{
    ack_clear(dst);
    *dst = *src;
    findings_init(&dst->flags);
    for (size_t j = 0; j < src->flags.count; j++)
        if (!findings_push(&dst->flags, &src->flags.items[j])) return ENOMEM;
    return 0;
}

/* ---- files applied whole (store_item_t.group) ----
 *
 * The parts of a file are applied in order like any items; then, if one was refused (or
 * some were stored before under their ids and others not: only a crafted message does
 * that), the file fails. When none of its parts was applied in this attempt, their acks
 * are rewritten as refusals at once; otherwise the attempt is abandoned (the transaction
 * aborts) and the batch runs again with that file refused upfront, so nothing of it is
 * ever written. Each rerun refuses one more file: at most one rerun per file. */

static size_t group_end(const batch_t *b, size_t i)
{
    size_t g = b->items[i].group, j = i + 1;
    if (!g) return j;
    while (j < b->n && b->items[j].group == g) j++;
    return j;
}

/* Refuses every part of the file items[i..end): part `at` with `why`, the others naming it. */
static void group_reject(batch_t *b, size_t i, size_t end, size_t at, const char *why)
{
    const submission_t *bad = b->items[at].submission;
    for (size_t j = i; j < end; j++) {
        store_item_t *it = &b->items[j];
        ack_clear(&it->ack);
        ack_init(&it->ack);
        ack_identify(&it->ack, it->submission);
        if (j == at)
            item_reject(it, &b->st[j], "%s", why);
        else
            item_reject(it, &b->st[j], "not stored: its file is applied whole, and %s %u of it was "
                        "refused: %s", bad->entity, bad->year, why);
    }
}

static int group_apply(store_t *s, MDB_txn *txn, batch_t *b, size_t i, size_t end,
                       char *err, size_t errlen)
{
    if (b->gfail[i]) {
        group_reject(b, i, end, b->gfail_at[i], b->gfail[i]);
        return 0;
    }
    int rc;
    for (size_t j = i; j < end; j++)
        if ((rc = item_apply(s, txn, b, j, err, errlen))) return rc;
    size_t bad = end, accepted = 0, earlier = 0;
    for (size_t j = i; j < end; j++) {
        item_state_kind k = b->st[j].state;
        if (k == ITEM_REJECTED && bad == end) bad = j;
        accepted += k == ITEM_ACCEPTED;
        earlier += k == ITEM_REPLAYED || k == ITEM_DUPLICATE;
    }
    if (bad == end && !(accepted && earlier)) return 0;       /* all applied, or all before */
    const char *why = bad < end ? b->items[bad].ack.reason
                                : "part of this file was stored before under the same ids and part "
                                  "was not: a file is applied whole (send it again with new ids)";
    if (bad == end) bad = i;
    b->gfail[i] = strdup(why);
    b->gfail_at[i] = bad;
    if (!b->gfail[i]) return error_set(err, errlen, "out of memory");
    if (accepted) {
        b->regroup = 1;
        return error_set(err, errlen, "a file is refused whole: applying the batch again without it");
    }
    group_reject(b, i, end, bad, b->gfail[i]);
    return 0;
}

static int apply_fn(store_t *s, MDB_txn *txn, void *ctx, char *err, size_t errlen)
{
    batch_t *b = ctx;
    int rc;
    for (size_t i = 0; i < b->n;) {
        size_t end = group_end(b, i);
        if (b->items[i].group) rc = group_apply(s, txn, b, i, end, err, errlen);
        else rc = item_apply(s, txn, b, i, err, errlen);
        if (rc) return rc;
        i = end;
    }

    node_found_t *nf = NULL;
    ov_entry_t *touched = NULL;
    size_t nn = 0, nt = 0;
    rc = batch_levels(s, txn, b, &nf, &nn, &touched, &nt, err, errlen);
    for (size_t i = 0; i < b->n && !rc; i++) {
        store_item_t *it = &b->items[i];
        if (b->st[i].state != ITEM_ACCEPTED) continue;
        if ((rc = ack_fill_flags(s, txn, it, &b->st[i], nf, nn))) {
            rc = store_mdb_fail(rc, err, errlen, "ack flags");
            break;
        }
        uint8_t *buf = NULL;
        size_t len = 0;
        if (wire_pack_ack(&it->ack, &buf, &len) != 0) {
            rc = error_set(err, errlen, "cannot pack the ack of '%s'", it->submission->id);
            break;
        }
        binding_t bound;
        binding_of(&bound, it, it->ack.digest);
        uint8_t *rec = NULL;
        size_t rlen = 0;
        rc = binding_encode(&bound, buf, len, &rec, &rlen);
        free(buf);
        if (rc) {
            rc = error_set(err, errlen, "out of memory");
            break;
        }
        MDB_val k = { strlen(it->submission->id), it->submission->id }, v = { rlen, rec };
        rc = mdb_put(txn, s->dbi[DB_SUBIDS], &k, &v, 0);
        free(rec);
        if (rc) rc = store_mdb_fail(rc, err, errlen, "store ack");
    }
    for (size_t i = 0; i < b->n && !rc; i++)
        if (b->st[i].state == ITEM_DUPLICATE) {
            if (ack_copy(&b->items[i].ack, &b->items[b->st[i].dup_of].ack)) {
                rc = error_set(err, errlen, "out of memory");
                break;
            }
            b->items[i].ack.replayed = 1;
        }
    for (size_t j = 0; j < nn; j++) findings_clear(&nf[j].found);
    free(nf);
    if (!rc && (rc = ov_flush(s, txn, touched, nt))) rc = store_mdb_fail(rc, err, errlen, "write computed");
    free(touched);
    return rc;
}

static void batch_reset(void *ctx)
{
    batch_t *b = ctx;
    ov_clear(&b->ov);
    b->cw.loaded = 0;
    free(b->nodes);
    b->nodes = NULL;
    b->nodecap = b->nodecount = 0;
    b->nundo = 0;
    for (size_t i = 0; i < b->n; i++) findings_clear(&b->st[i].text);
    memset(b->st, 0, b->n * sizeof *b->st);
    for (size_t i = 0; i < b->n; i++) {
        ack_clear(&b->items[i].ack);
        ack_init(&b->items[i].ack);
    }
}

/* What a batch may write, for store_reserve: per fact its record and its label (names at
 * their longest), its row interned, a computed figure at each ancestor; per finding its
 * flag, its history and its copy in the stored ack; doubled for half-full pages and the
 * branch pages copied on write. An overestimate costs address space only. */
#define BATCH_COMPUTED_BYTES_MAX (8 + 4 + 8)  /* a packed computed figure at its widest: fen, contributors, row/column */
#define BATCH_BYTES_PER_FACT (2 * (2 * (SUBMISSION_NAME_MAX + SUBMISSION_ROW_MAX) + \
                                   HIERARCHY_DEPTH_MAX * (NODEKEY_LEN + BATCH_COMPUTED_BYTES_MAX)))
#define BATCH_BYTES_PER_FINDING (2 * 3 * 1024)

static size_t batch_bytes(const store_item_t *items, size_t n)
{
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++)
        bytes += items[i].submission->count * (size_t)BATCH_BYTES_PER_FACT +
                 items[i].findings.count * (size_t)BATCH_BYTES_PER_FINDING;
    return bytes;
}

int store_apply_batch(store_t *self, store_item_t *items, size_t n,
                      const rule_settings_t *settings, char *err, size_t errlen)
{
    batch_t b = { .items = items, .n = n, .settings = settings };
    b.now_ms = (int64_t)clock_wall_ms();
    b.st = calloc(n ? n : 1, sizeof *b.st);
    b.gfail = calloc(n ? n : 1, sizeof *b.gfail);
    b.gfail_at = calloc(n ? n : 1, sizeof *b.gfail_at);
    if (!b.st || !b.gfail || !b.gfail_at) {
        free(b.st); free(b.gfail); free(b.gfail_at);
        return error_set(err, errlen, "out of memory");
    }
    for (size_t i = 0; i < n; i++) ack_init(&items[i].ack);
    /* the overlay the last batch left (empty), sized for this one */
    b.ov = (overlay_t){ .slots = self->overlay.slots, .used = self->overlay.used,
                        .cap = self->overlay.cap, .gen = self->overlay.gen ? self->overlay.gen : 1 };
    self->overlay = (store_overlay_t){ 0 };
    size_t facts = 0;
    for (size_t i = 0; i < n; i++) facts += items[i].submission->count;
    int rc = ov_reserve(&b.ov, facts * OV_ENTRIES_PER_FACT) ? error_set(err, errlen, "out of memory") : 0;
    /* room first: a large batch is applied once, not once per doubling of the map */
    if (rc == 0) rc = store_reserve(self, batch_bytes(items, n), err, errlen);
    for (; rc == 0;) {   /* one more attempt per file refused whole (group_apply) */
        b.regroup = 0;
        rc = store_write(self, apply_fn, batch_reset, &b, err, errlen);
        if (rc == 0 || !b.regroup) break;
        batch_reset(&b);
        rc = 0;
    }
    for (size_t i = 0; i < n; i++) free(b.gfail[i]);
    free(b.gfail);
    free(b.gfail_at);
    if (rc != 0)       /* nothing committed: no ack may be sent */
        for (size_t i = 0; i < n; i++) { ack_clear(&items[i].ack); ack_init(&items[i].ack); }
    ov_clear(&b.ov);
    if (b.ov.cap <= OV_KEEP_SLOTS)
        self->overlay = (store_overlay_t){ .slots = b.ov.slots, .used = b.ov.used, .cap = b.ov.cap,
                                           .gen = b.ov.gen };
    else
        ov_free(&b.ov);
    free(b.nodes);
    free(b.undo);
    computed_walk_free(&b.cw);
    for (size_t i = 0; i < n; i++) findings_clear(&b.st[i].text);
    free(b.st);
    return rc;
}
