/* computed.c -- the computed database: the consolidated figures of every higher node
 * (department and up), one packed value (pack.c) per (node, year, table), each figure with
 * its contributor count.
 *
 * A figure used to be one LMDB entry (14-byte key, fen, contributors: ~60 bytes of pages);
 * packed, it costs a few bytes. The rollup reads and writes it only through the batch
 * overlay (rollup.c), so a value is read-modified-written once per batch per touched
 * (node, table), whatever the number of keys that moved in it.
 *
 * Invariants:
 *  1. A value holds exactly the present figures of its (node, year, table) (contributors
 *     >= 1), ascending by (row id, column); a (node, table) with none has no value, so
 *     "absent" and "0.00" stay distinct.
 *  2. Units have no value: a unit's computed figures are its current facts (facts.c).
 *  3. computed_update is the only writer; it merges sorted changes into the stored value in
 *     one forward pass and rewrites the value once.
 */
#include "store_int.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int computed_get(store_t *s, MDB_txn *txn, const uint8_t key[NODEKEY_LEN], int *present,
                 int64_t *fen, uint32_t *contrib)
{
    *present = 0;
    *fen = 0;
    *contrib = 0;
    fkey_t fd = key_fkey_decode(key_node_fkey(key));
    uint8_t kb[NODETABLE_LEN];
    key_node_table(kb, key_entity(key), key_year(key), fd.table);
    MDB_val k = { NODETABLE_LEN, kb }, v;
    int rc = mdb_get(txn, s->dbi[DB_COMPUTED], &k, &v);
    if (rc == 0) {
        pack_entry_t e;
        rc = pack_find(v.mv_data, v.mv_size, fd.row, fd.column, &e);
        if (rc == 0) {
            *present = 1;
            *fen = e.fen;
            *contrib = e.aux;
        }
    }
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int computed_table_open(pack_reader_t *r, store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year,
                        table_id t)
{
    uint8_t kb[NODETABLE_LEN];
    key_node_table(kb, ent, year, t);
    MDB_val k = { NODETABLE_LEN, kb }, v;
    int rc = mdb_get(txn, s->dbi[DB_COMPUTED], &k, &v);
    if (rc == MDB_NOTFOUND) {           /* invariant 1: no figure; pack_next says so */
        memset(r, 0, sizeof *r);
        return 0;
    }
    return rc ? rc : pack_open(r, v.mv_data, v.mv_size);
}

int computed_walk_get(computed_walk_t *w, store_t *s, MDB_txn *txn, const uint8_t key[NODEKEY_LEN],
                      int *present, int64_t *fen, uint32_t *contrib)
{
    *present = 0;
    *fen = 0;
    *contrib = 0;
    fkey_t fd = key_fkey_decode(key_node_fkey(key));
    if (!w->loaded || memcmp(w->key, key, EYKEY_LEN) != 0 || w->key[EYKEY_LEN] != (uint8_t)fd.table) {
        pack_reader_t r;
        w->loaded = 0;
        w->n = w->pos = 0;
        int rc = computed_table_open(&r, s, txn, key_entity(key), key_year(key), fd.table);
        if (rc) return rc;
        if (r.count > w->cap) {
            pack_entry_t *a = realloc(w->e, r.count * sizeof *a);
            if (!a) return ENOMEM;
            w->e = a;
            w->cap = r.count;
        }
        while (w->n < r.count && (rc = pack_next(&r, &w->e[w->n])) == 0) w->n++;
        if (rc && rc != MDB_NOTFOUND) return rc;
        memcpy(w->key, key, EYKEY_LEN);
        w->key[EYKEY_LEN] = (uint8_t)fd.table;
        w->loaded = 1;
    }
    /* entries ascending by (row, column) (invariant 1): the first >= the key, galloping
     * forward from the last one found when the key is not before it */
    uint64_t want = (uint64_t)fd.row << 8 | (uint8_t)fd.column;
#define RC(i) ((uint64_t)w->e[i].row << 8 | (uint8_t)w->e[i].column)
    size_t lo = 0, hi = w->pos;
    if (w->pos == 0 || RC(w->pos - 1) < want) {
        lo = hi = w->pos;
        for (size_t step = 1; hi < w->n && RC(hi) < want; step *= 2) {
            lo = hi + 1;
            hi = lo + step - 1 < w->n ? lo + step - 1 : w->n;
        }
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (RC(mid) < want) lo = mid + 1;
        else hi = mid;
    }
#undef RC
    w->pos = lo;
    if (lo < w->n && w->e[lo].row == fd.row && w->e[lo].column == fd.column) {
        *present = 1;
        *fen = w->e[lo].fen;
        *contrib = w->e[lo].aux;
    }
    return 0;
}

void computed_walk_free(computed_walk_t *w)
{
    free(w->e);
    *w = (computed_walk_t){ 0 };
}

int computed_scan_open(pack_scan_t *sc, store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year)
{
    uint8_t prefix[EYKEY_LEN];
    key_ey(prefix, ent, year);
    return pack_scan_open(sc, txn, s->dbi[DB_COMPUTED], prefix, EYKEY_LEN, 0);
}

static int s_reserve(computed_buf_t *w, size_t n)
{
    if (n <= w->cap) return 0;
    pack_entry_t *a = realloc(w->e, n * sizeof *a);
    if (!a) return ENOMEM;
    w->e = a;
    w->cap = n;
    return 0;
}

static int s_before(const pack_entry_t *a, const computed_change_t *b)
{
    return a->row < b->row || (a->row == b->row && a->column < b->column);
}

int computed_update(store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year, table_id t,
                    const computed_change_t *ch, size_t n, computed_buf_t *w)
{
    uint8_t kb[NODETABLE_LEN];
    key_node_table(kb, ent, year, t);
    MDB_val k = { NODETABLE_LEN, kb }, v;
    pack_reader_t r = { 0 };
    int rc = mdb_get(txn, s->dbi[DB_COMPUTED], &k, &v);
    if (rc == 0) rc = pack_open(&r, v.mv_data, v.mv_size);
    else if (rc == MDB_NOTFOUND) rc = 0;
    if (rc || (rc = s_reserve(w, r.count + n))) return rc;
    size_t m = 0;
    pack_entry_t cur;
    int have = r.count ? pack_next(&r, &cur) : MDB_NOTFOUND;
    for (size_t i = 0; i < n; i++) {
        assert(i == 0 || ch[i - 1].row < ch[i].row ||
               (ch[i - 1].row == ch[i].row && ch[i - 1].column < ch[i].column));
        for (; have == 0 && s_before(&cur, &ch[i]); have = pack_next(&r, &cur)) w->e[m++] = cur;
        if (have == 0 && cur.row == ch[i].row && cur.column == ch[i].column)
            have = pack_next(&r, &cur);                       /* replaced (or removed) */
        if (have != 0 && have != MDB_NOTFOUND) return have;
        if (ch[i].present)
            w->e[m++] = (pack_entry_t){ .row = ch[i].row, .column = ch[i].column,
                                        .fen = ch[i].fen, .aux = ch[i].contrib };
    }
    for (; have == 0; have = pack_next(&r, &cur)) w->e[m++] = cur;
    if (have != MDB_NOTFOUND) return have;
    if (m == 0) {                                             /* invariant 1 */
        rc = mdb_del(txn, s->dbi[DB_COMPUTED], &k, NULL);
        return rc == MDB_NOTFOUND ? 0 : rc;
    }
    if ((rc = pack_encode(&w->buf, w->e, m))) return rc;
    MDB_val nv = { w->buf.len, w->buf.data };
    return mdb_put(txn, s->dbi[DB_COMPUTED], &k, &nv, 0);
}

void computed_buf_free(computed_buf_t *w)
{
    free(w->e);
    pack_buf_free(&w->buf);
    memset(w, 0, sizeof *w);
}
