/* facts.c -- the facts database: every version of every entity/year, one LMDB value per
 * (entity, year, version, table) holding that table's facts as a packed list (pack.c).
 *
 * A fact used to be one LMDB entry (18-byte key, fen, line and its printed name again:
 * ~100 bytes of pages); packed, it costs a few bytes, and a version is a handful of puts.
 *
 * Invariants:
 *  1. A version's facts are written once, when it is applied, and never changed: a
 *     resubmission writes a new version (a few small values), it does not rewrite any.
 *  2. Inside a value the facts are ascending by (row id, column), so the version's facts in
 *     key order are its values in key order, each decoded front to back (fact_scan_*).
 *  3. A fact's printed name is stored only where it is not its row's label (DB_LABELS,
 *     first printed wins, never changed once stored): a fact whose name is non-empty and
 *     equals the label stores no name, every other one (an empty name too) stores its own.
 *     So reading a name back never depends on a label written after the fact.
 *  4. A point read is one mdb_get of the (version, table) value and a scan of it that stops
 *     at the first key not below the one asked (pack_find).
 */
#include "store_int.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>

/* The pack entry of one new fact: its name only where the label does not give it back
 * (invariant 3), storing the label when this is the row's first printed name. */
static int s_fact_entry(store_t *s, MDB_txn *txn, const fact_t *f, const fkey_t *fd,
                        pack_entry_t *pe)
{
    size_t nl = strlen(f->name);
    if (nl > SUBMISSION_NAME_MAX) nl = SUBMISSION_NAME_MAX;
    const char *lab = NULL;
    size_t ll = 0;
    int rc = label_find(s, txn, fd->table, fd->row, &lab, &ll);
    if (rc == MDB_NOTFOUND && nl) {
        if ((rc = label_put(s, txn, fd->table, fd->row, f->name, nl))) return rc;
        lab = f->name;
        ll = nl;
    } else if (rc == MDB_NOTFOUND) {
        lab = NULL;
    } else if (rc) {
        return rc;
    }
    int same = nl && lab && ll == nl && memcmp(lab, f->name, nl) == 0;
    pe->row = fd->row;
    pe->column = fd->column;
    pe->fen = f->fen;
    pe->aux = f->line;
    pe->name = same ? NULL : f->name;
    pe->name_len = same ? 0 : nl;
    return 0;
}

int facts_write(store_t *s, MDB_txn *txn, uint32_t ent, const submission_t *sub, uint32_t version,
                const kfact_t *newf, size_t n)
{
    pack_entry_t *pe = malloc((n ? n : 1) * sizeof *pe);
    pack_buf_t buf = { 0 };
    MDB_cursor *c = NULL;
    int rc = pe ? mdb_cursor_open(txn, s->dbi[DB_FACTS], &c) : ENOMEM;
    /* one cursor, keys ascending: each put starts from the previous one's leaf */
    for (size_t i = 0; i < n && !rc;) {
        table_id t = key_fkey_decode(newf[i].fkey).table;
        size_t m = 0;
        for (; i < n && !rc && key_fkey_decode(newf[i].fkey).table == t; i++) {
            fkey_t fd = key_fkey_decode(newf[i].fkey);
            rc = s_fact_entry(s, txn, &sub->facts[newf[i].idx], &fd, &pe[m++]);
        }
        if (rc || (rc = pack_encode(&buf, pe, m))) break;
        uint8_t kb[TABLEKEY_LEN];
        key_table(kb, ent, sub->year, version, t);
        MDB_val k = { TABLEKEY_LEN, kb }, v = { buf.len, buf.data };
        rc = mdb_cursor_put(c, &k, &v, 0);
    }
    if (c) mdb_cursor_close(c);
    pack_buf_free(&buf);
    free(pe);
    return rc;
}

int facts_get(store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year, uint32_t version,
              const uint8_t fkey[FKEY_LEN], int *present, int64_t *fen)
{
    *present = 0;
    *fen = 0;
    if (!version) return 0;
    fkey_t fd = key_fkey_decode(fkey);
    uint8_t kb[TABLEKEY_LEN];
    key_table(kb, ent, year, version, fd.table);
    MDB_val k = { TABLEKEY_LEN, kb }, v;
    int rc = mdb_get(txn, s->dbi[DB_FACTS], &k, &v);
    if (rc == 0) {
        pack_entry_t e;
        rc = pack_find(v.mv_data, v.mv_size, fd.row, fd.column, &e);
        if (rc == 0) { *present = 1; *fen = e.fen; }
    }
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* ---- every fact of a version ---- */

int fact_scan_open(pack_scan_t *sc, store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year,
                   uint32_t version)
{
    uint8_t prefix[EYVKEY_LEN];
    key_eyv(prefix, ent, year, version);
    return pack_scan_open(sc, txn, s->dbi[DB_FACTS], prefix, EYVKEY_LEN, version == 0);
}

/* ---- many point reads of one version ---- */

void fact_walk_init(fact_walk_t *w, store_t *s, MDB_txn *txn)
{
    memset(w, 0, sizeof *w);
    w->s = s;
    w->txn = txn;
}

void fact_walk_start(fact_walk_t *w, uint32_t ent, uint32_t year, uint32_t version)
{
    key_eyv(w->key, ent, year, version);
    w->loaded = 0;
    w->n = 0;
    w->pos = 0;
}

/* Decodes the value of w->key (its table byte set) into w->e. 0 or an MDB error. */
static int s_walk_load(fact_walk_t *w)
{
    w->n = 0;
    w->loaded = 1;
    MDB_val k = { TABLEKEY_LEN, w->key }, v;
    int rc = mdb_get(w->txn, w->s->dbi[DB_FACTS], &k, &v);
    if (rc) return rc == MDB_NOTFOUND ? 0 : rc;
    pack_reader_t r;
    if ((rc = pack_open(&r, v.mv_data, v.mv_size))) return rc;
    if (r.count > w->cap) {
        pack_entry_t *a = realloc(w->e, r.count * sizeof *a);
        if (!a) return ENOMEM;
        w->e = a;
        w->cap = r.count;
    }
    while ((rc = pack_next(&r, &w->e[w->n])) == 0) w->n++;   /* at most r.count */
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* An entry's (row, column) as one number: the order of a packed value (invariant 2). */
static inline uint64_t s_rc(uint32_t row, column_id column)
{
    return (uint64_t)row << 8 | (uint8_t)column;
}

int fact_walk_get(fact_walk_t *w, const uint8_t fkey[FKEY_LEN], int *present, int64_t *fen)
{
    *present = 0;
    *fen = 0;
    if (key_version(w->key) == 0) return 0;
    fkey_t fd = key_fkey_decode(fkey);
    if (!w->loaded || w->key[EYVKEY_LEN] != (uint8_t)fd.table) {
        w->key[EYVKEY_LEN] = (uint8_t)fd.table;
        w->pos = 0;
        int rc = s_walk_load(w);
        if (rc) { w->loaded = 0; return rc; }
    }
    uint64_t want = s_rc(fd.row, fd.column);
    const pack_entry_t *e = w->e;
    /* the first entry >= want: after the last one found when want is not before it
     * (galloping forward from there), else in e[0..pos) */
    size_t lo = 0, hi = w->pos;
    if (w->pos == 0 || s_rc(e[w->pos - 1].row, e[w->pos - 1].column) < want) {
        lo = w->pos;
        size_t step = 1;
        hi = lo;
        while (hi < w->n && s_rc(e[hi].row, e[hi].column) < want) {
            lo = hi + 1;
            hi = lo + step - 1 < w->n ? lo + step - 1 : w->n;
            step *= 2;
        }
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s_rc(e[mid].row, e[mid].column) < want) lo = mid + 1;
        else hi = mid;
    }
    w->pos = lo;
    if (lo < w->n && e[lo].row == fd.row && e[lo].column == fd.column) {
        *present = 1;
        *fen = e[lo].fen;
    }
    return 0;
}

void fact_walk_free(fact_walk_t *w)
{
    free(w->e);
    w->e = NULL;
    w->n = w->cap = 0;
}
