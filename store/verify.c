/* verify.c -- store_verify: recompute every computed figure from scratch and compare.
 *
 * The rollup maintains DB_COMPUTED by deltas; this file is the independent check. It
 * walks the tree bottom-up by level (a child's level is always below its parent's): a
 * node's reported figures are its current facts where it has them, else its recomputed
 * figures, and each is added to the parent's recomputed sum with a contributor count. The
 * result is compared with DB_COMPUTED figure by figure (computed.c's packed values), in one
 * read transaction.
 */
#include "store_int.h"
#include "sort.h"

#include <stdlib.h>

#include "amount.h"

typedef struct {
    uint8_t key[NODEKEY_LEN];
    uint8_t used, seen;
    int64_t fen;
    uint32_t contrib;
} rc_entry_t;

typedef struct {
    rc_entry_t *slots;
    size_t cap, count;
} rc_map_t;

static size_t rc_hash(const uint8_t *k, size_t cap)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < NODEKEY_LEN; i++) h = (h ^ k[i]) * 1099511628211ULL;
    return (size_t)h & (cap - 1);
}

static rc_entry_t *rc_find(rc_map_t *m, const uint8_t *key)
{
    if (!m->cap) return NULL;
    size_t i = rc_hash(key, m->cap);
    while (m->slots[i].used) {
        if (memcmp(m->slots[i].key, key, NODEKEY_LEN) == 0) return &m->slots[i];
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

static rc_entry_t *rc_get(rc_map_t *m, const uint8_t *key)
{
    if ((m->count + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 4096;
        rc_entry_t *old = m->slots;
        size_t oldcap = m->cap;
        m->slots = calloc(cap, sizeof *m->slots);
        if (!m->slots) { m->slots = old; return NULL; }
        m->cap = cap;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].used) {
                size_t j = rc_hash(old[i].key, cap);
                while (m->slots[j].used) j = (j + 1) & (cap - 1);
                m->slots[j] = old[i];
            }
        free(old);
    }
    size_t i = rc_hash(key, m->cap);
    while (m->slots[i].used) {
        if (memcmp(m->slots[i].key, key, NODEKEY_LEN) == 0) return &m->slots[i];
        i = (i + 1) & (m->cap - 1);
    }
    memset(&m->slots[i], 0, sizeof m->slots[i]);
    memcpy(m->slots[i].key, key, NODEKEY_LEN);
    m->slots[i].used = 1;
    m->count++;
    return &m->slots[i];
}

/* Adds a child's reported figure to parent's recomputed sum. 0 or -1 (OOM / overflow). */
static int rc_add(rc_map_t *m, uint32_t parent, uint32_t year, const uint8_t *fkey, int64_t fen)
{
    uint8_t key[NODEKEY_LEN];
    key_node(key, parent, year, fkey);
    rc_entry_t *e = rc_get(m, key);
    if (!e || __builtin_add_overflow(e->fen, fen, &e->fen)) return -1;
    e->contrib++;
    return 0;
}

static int key14_cmp(const void *a, const void *b)
{
    return memcmp(a, b, NODEKEY_LEN);
}

typedef struct {
    uint8_t level;
    uint32_t parent;
} ent_info_t;

/* Decodes a node key into a discrepancy and hands it to the caller. */
static void report_key(store_t *s, MDB_txn *txn, store_discrepancy_fn fn, void *ctx,
                       const uint8_t *key, store_discrepancy_t *d)
{
    fkey_t fd = key_fkey_decode(key_node_fkey(key));
    strcpy(d->entity, "?");
    strcpy(d->row, "?");
    intern_string(s, txn, KIND_ENTITY, key_entity(key), d->entity, sizeof d->entity);
    intern_string(s, txn, KIND_ROW, fd.row, d->row, sizeof d->row);
    d->year = key_year(key);
    d->table = fd.table;
    d->column = fd.column;
    if (fn) fn(d, ctx);
}

/* store_verify's printer: the discrepancy as one line of text. */
static void s_print_discrepancy(const store_discrepancy_t *d, void *ctx)
{
    char a[AMOUNT_BUF], b[AMOUNT_BUF], what[160];
    if (!d->has_stored)
        snprintf(what, sizeof what, "stored computed none, recomputed %s", amount_format(d->recomputed, a));
    else if (!d->has_recomputed)
        snprintf(what, sizeof what, "stored computed %s, recomputed none", amount_format(d->stored, a));
    else if (d->stored != d->recomputed)
        snprintf(what, sizeof what, "stored computed %s, recomputed %s", amount_format(d->stored, a),
                 amount_format(d->recomputed, b));
    else
        snprintf(what, sizeof what, "stored %u contributors, recomputed %u", d->stored_contributors,
                 d->recomputed_contributors);
    fprintf((FILE *)ctx, "%s %u %s/%s/%s: %s\n", d->entity, d->year, table_name(d->table), d->row,
            column_name(d->column), what);
}

long store_verify(store_t *self, FILE *report)
{
    return store_verify_each(self, report ? s_print_discrepancy : NULL, report);
}


long store_verify_each(store_t *self, store_discrepancy_fn fn, void *ctx)
{
    MDB_txn *txn;
    if (store_read_open(self, &txn)) return -1;
    long bad = 0;
    rc_map_t m = { 0 };
    ent_info_t *ents = NULL;
    uint32_t maxid = 0;
    uint8_t (*snap)[NODEKEY_LEN] = NULL;
    MDB_cursor *c = NULL;
    MDB_val k, v;
    int rc;

    /* the tree: level and parent of every entity id */
    if (mdb_cursor_open(txn, self->dbi[DB_ENTITIES], &c)) goto fail;
    if (mdb_cursor_get(c, &k, &v, MDB_LAST) == 0) maxid = be32_get(k.mv_data);
    mdb_cursor_close(c);
    c = NULL;
    ents = calloc((size_t)maxid + 1, sizeof *ents);
    if (!ents) goto fail;
    for (uint32_t id = 1; id <= maxid; id++) {
        store_entity_t e;
        if (entity_read(self, txn, id, &e, 0) == 0) { ents[id].level = (uint8_t)e.level; ents[id].parent = e.parent; }
    }

    for (int level = LEVEL_UNIT; level <= LEVEL_PROVINCE; level++) {
        /* recomputed figures of this level's nodes, snapshotted (adding to parents grows the map) */
        size_t ns = 0;
        snap = malloc((m.count + 1) * NODEKEY_LEN);
        if (!snap) goto fail;
        for (size_t i = 0; i < m.cap; i++) {
            uint32_t id = be32_get(m.slots[i].key);
            if (m.slots[i].used && id <= maxid && ents[id].level == level)
                memcpy(snap[ns++], m.slots[i].key, NODEKEY_LEN);
        }
        /* sorted, so a node's keys are adjacent and its declared tables decoded once each */
        sort_array(snap, ns, NODEKEY_LEN, key14_cmp);
        fact_walk_t walk;
        fact_walk_init(&walk, self, txn);
        uint32_t wid = 0, wyear = 0;
        for (size_t i = 0; i < ns; i++) {
            uint32_t id = key_entity(snap[i]), year = key_year(snap[i]);
            if (!ents[id].parent) continue;
            if (i == 0 || id != wid || year != wyear) {
                fact_walk_start(&walk, id, year, store_current(self, txn, id, year));
                wid = id;
                wyear = year;
            }
            int declared;
            int64_t dv;
            if (fact_walk_get(&walk, key_node_fkey(snap[i]), &declared, &dv)) { fact_walk_free(&walk); goto fail; }
            if (declared) continue;
            rc_entry_t *e = rc_find(&m, snap[i]);
            if (rc_add(&m, ents[id].parent, year, snap[i] + 8, e->fen)) { fact_walk_free(&walk); goto fail; }
        }
        fact_walk_free(&walk);
        free(snap);
        snap = NULL;
        /* current facts of this level's nodes: own figures of units, declarations above */
        if (mdb_cursor_open(txn, self->dbi[DB_CURRENT], &c)) goto fail;
        for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
            uint32_t id = be32_get(k.mv_data), year = be32_get((uint8_t *)k.mv_data + 4);
            if (id > maxid || ents[id].level != level || !ents[id].parent) continue;
            pack_scan_t sc;
            if (fact_scan_open(&sc, self, txn, id, year, be32_get(v.mv_data))) goto fail;
            uint8_t fkey[FKEY_LEN];
            pack_entry_t fe;
            int r;
            while ((r = pack_scan_next(&sc, fkey, &fe)) == 0)
                if (rc_add(&m, ents[id].parent, year, fkey, fe.fen)) { r = -1; break; }
            pack_scan_close(&sc);
            if (r != MDB_NOTFOUND) goto fail;
        }
        mdb_cursor_close(c);
        c = NULL;
    }

    /* compare with the stored figures, value by value (computed.c), in key order */
    if (mdb_cursor_open(txn, self->dbi[DB_COMPUTED], &c)) goto fail;
    for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size != NODETABLE_LEN) goto fail;
        const uint8_t *nk = k.mv_data;
        table_id t = (table_id)nk[EYKEY_LEN];
        if ((int)t <= 0 || (int)t >= TABLE_COUNT) goto fail;
        pack_reader_t r;
        pack_entry_t pe;
        int pr = pack_open(&r, v.mv_data, v.mv_size);
        while (pr == 0 && (pr = pack_next(&r, &pe)) == 0) {
            uint8_t fkey[FKEY_LEN], key[NODEKEY_LEN];
            key_fkey(fkey, t, pe.row, pe.column);
            key_node(key, key_entity(nk), key_year(nk), fkey);
            rc_entry_t *e = rc_find(&m, key);
            store_discrepancy_t d = { .has_stored = true, .stored = pe.fen, .stored_contributors = pe.aux };
            if (e) {
                e->seen = 1;
                if (e->fen == pe.fen && e->contrib == pe.aux) continue;
                d.has_recomputed = true;
                d.recomputed = e->fen;
                d.recomputed_contributors = e->contrib;
            }
            bad++;
            report_key(self, txn, fn, ctx, key, &d);
        }
        if (pr != MDB_NOTFOUND) goto fail;
    }
    mdb_cursor_close(c);
    c = NULL;
    /* recomputed figures missing from the store, in key order for a stable report */
    size_t nm = 0;
    snap = malloc((m.count + 1) * NODEKEY_LEN);
    if (!snap) goto fail;
    for (size_t i = 0; i < m.cap; i++)
        if (m.slots[i].used && !m.slots[i].seen) memcpy(snap[nm++], m.slots[i].key, NODEKEY_LEN);
    sort_array(snap, nm, NODEKEY_LEN, key14_cmp);
    for (size_t i = 0; i < nm; i++) {
        const rc_entry_t *e = rc_find(&m, snap[i]);
        store_discrepancy_t d = { .has_recomputed = true, .recomputed = e->fen,
                                  .recomputed_contributors = e->contrib };
        report_key(self, txn, fn, ctx, snap[i], &d);
        bad++;
    }
    free(snap);
    free(ents);
    free(m.slots);
    store_read_close(self, txn);
    return bad;
fail:
    if (c) mdb_cursor_close(c);
    free(snap);
    free(ents);
    free(m.slots);
    store_read_close(self, txn);
    return -1;
}
