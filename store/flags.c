/* flags.c -- persistence of findings: the current flags of every entity/year and the
 * history of each version's submission findings.
 *
 * DB_FLAGS key: entity(4) year(4) kind(1) row(4) table(1) column(1) seq(4), value = the
 * finding as protobuf Flag bytes (wire_pack_finding). kind 0 = the submission's own
 * findings (replaced as a whole by each new version), kind 1 = level findings (replaced
 * per key, and node-wide ones with row id 0, whenever a view of the node is evaluated).
 * DB_FLAGHIST key: entity(4) year(4) version(4) seq(4): the submission findings of every
 * version, so the flags of an earlier version stay readable.
 */
#include "store_int.h"
#include "sort.h"

#include <errno.h>
#include <stdlib.h>

#include "sort.h"

/* Deletes every key starting with prefix. */
static int del_prefix(store_t *s, MDB_txn *txn, int db, const uint8_t *prefix, size_t plen)
{
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, s->dbi[db], &c);
    if (rc) return rc;
    for (;;) {
        MDB_val k = { plen, (void *)prefix }, v;
        rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
        if (rc || k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0) break;
        if ((rc = mdb_cursor_del(c, 0))) break;
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int fkey_bcmp(const void *a, const void *b)
{
    return memcmp(a, b, FKEY_LEN);
}

/* Deletes the level flags of entity/year that are node-wide or on one of fkeys (sorted
 * here on a copy). 0 or an MDB error. */
static int level_flags_clear(store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year,
                             const uint8_t (*fkeys)[FKEY_LEN], size_t nkeys)
{
    uint8_t prefix[FLAGKIND_LEN];
    key_flag_kind(prefix, ent, year, FLAG_LEVEL);
    uint8_t (*sorted)[FKEY_LEN] = malloc((nkeys ? nkeys : 1) * FKEY_LEN);
    uint8_t (*del)[FLAGKEY_LEN] = NULL;
    size_t ndel = 0, capdel = 0;
    if (!sorted) return ENOMEM;
    if (nkeys) {
        memcpy(sorted, fkeys, nkeys * FKEY_LEN);
        if (!key_fkeys_ascending((const uint8_t (*)[FKEY_LEN])sorted, nkeys))
            sort_array(sorted, nkeys, FKEY_LEN, fkey_bcmp);
    }
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, s->dbi[DB_FLAGS], &c);
    if (rc) { free(sorted); return rc; }
    MDB_val k = { FLAGKIND_LEN, prefix }, v;
    for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        const uint8_t *kb = k.mv_data;
        if (k.mv_size < FLAGKIND_LEN || memcmp(kb, prefix, FLAGKIND_LEN) != 0) break;
        if (k.mv_size != FLAGKEY_LEN) continue;
        uint8_t fk[FKEY_LEN];
        key_flag_fkey(kb, fk);
        int hit = key_flag_row(kb) == 0 || bsearch(fk, sorted, nkeys, FKEY_LEN, fkey_bcmp);
        if (!hit) continue;
        if (ndel == capdel) {
            capdel = capdel ? capdel * 2 : 16;
            uint8_t (*d)[FLAGKEY_LEN] = realloc(del, capdel * FLAGKEY_LEN);
            if (!d) { rc = ENOMEM; break; }
            del = d;
        }
        memcpy(del[ndel++], kb, FLAGKEY_LEN);
    }
    mdb_cursor_close(c);
    if (rc == MDB_NOTFOUND) rc = 0;
    for (size_t i = 0; i < ndel && !rc; i++) {
        MDB_val dk = { FLAGKEY_LEN, del[i] };
        rc = mdb_del(txn, s->dbi[DB_FLAGS], &dk, NULL);
    }
    free(del);
    free(sorted);
    return rc;
}

static int flag_put(store_t *s, MDB_txn *txn, int db, const uint8_t *key, size_t klen,
                    const finding_t *f)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    if (wire_pack_finding(f, &buf, &len) != 0) return ENOMEM;
    MDB_val k = { klen, (void *)key }, v = { len, buf };
    int rc = mdb_put(txn, s->dbi[db], &k, &v, 0);
    free(buf);
    return rc;
}

static int finding_fkey(store_t *s, MDB_txn *txn, const finding_t *f, uint8_t fk[FKEY_LEN])
{
    uint32_t row;
    int rc = intern_get(s, txn, KIND_ROW, f->row, &row);
    if (rc) return rc;
    key_fkey(fk, f->table, row, f->column);
    return 0;
}

int flags_put_submission(store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year,
                         uint32_t version, const findings_t *f, char *err, size_t errlen)
{
    uint8_t prefix[FLAGKIND_LEN], key[FLAGKEY_LEN], hk[HISTKEY_LEN], fk[FKEY_LEN];
    key_flag_kind(prefix, ent, year, FLAG_SUBMISSION);
    int rc = del_prefix(s, txn, DB_FLAGS, prefix, FLAGKIND_LEN);
    for (size_t i = 0; i < f->count && !rc; i++) {
        if ((rc = finding_fkey(s, txn, &f->items[i], fk))) break;
        key_flag(key, ent, year, FLAG_SUBMISSION, fk, (uint32_t)i);
        if ((rc = flag_put(s, txn, DB_FLAGS, key, FLAGKEY_LEN, &f->items[i]))) break;
        key_hist(hk, ent, year, version, (uint32_t)i);
        rc = flag_put(s, txn, DB_FLAGHIST, hk, HISTKEY_LEN, &f->items[i]);
    }
    return rc ? store_mdb_fail(rc, err, errlen, "write flags") : 0;
}

int flags_put_level(store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year,
                    const uint8_t (*fkeys)[FKEY_LEN], size_t nkeys, const findings_t *f,
                    char *err, size_t errlen)
{
    uint8_t key[FLAGKEY_LEN], fk[FKEY_LEN];
    /* node-wide findings (row id 0, any table/column) and those of the viewed keys go. One
     * scan of the node's level flags (a handful) instead of a seek per viewed key. */
    int rc = level_flags_clear(s, txn, ent, year, fkeys, nkeys);
    /* a finding on a key outside the view (rules.h says there are none) still replaces */
    for (size_t i = 0; i < f->count && !rc; i++) {
        if ((rc = finding_fkey(s, txn, &f->items[i], fk))) break;
        int inview = fk[1] == 0 && fk[2] == 0 && fk[3] == 0 && fk[4] == 0;
        for (size_t j = 0; j < nkeys && !inview; j++) inview = memcmp(fkeys[j], fk, FKEY_LEN) == 0;
        if (!inview) {
            key_flag(key, ent, year, FLAG_LEVEL, fk, 0);
            rc = del_prefix(s, txn, DB_FLAGS, key, FLAGKEY_PREFIX);
        }
    }
    for (size_t i = 0; i < f->count && !rc; i++) {
        if ((rc = finding_fkey(s, txn, &f->items[i], fk))) break;
        key_flag(key, ent, year, FLAG_LEVEL, fk, (uint32_t)i);
        rc = flag_put(s, txn, DB_FLAGS, key, FLAGKEY_LEN, &f->items[i]);
    }
    return rc ? store_mdb_fail(rc, err, errlen, "write level flags") : 0;
}

static int finding_cmp(const void *a, const void *b)
{
    const finding_t *x = a, *y = b;
    int c = strcmp(x->entity, y->entity);
    if (!c) c = strcmp(x->rule, y->rule);
    if (!c) c = (int)x->table - (int)y->table;
    if (!c) c = strcmp(x->row, y->row);
    if (!c) c = (int)x->column - (int)y->column;
    /* the tie-breaks make it a total order (sort_array promises no stability): two flags
     * that compare equal print the same */
    if (!c) c = x->year < y->year ? -1 : x->year > y->year;
    if (!c) c = (int)x->verdict - (int)y->verdict;
    if (!c) c = strcmp(x->explanation ? x->explanation : "", y->explanation ? y->explanation : "");
    if (!c) c = (int)x->severity - (int)y->severity;
    if (!c) c = x->expected < y->expected ? -1 : x->expected > y->expected;
    if (!c) c = x->actual < y->actual ? -1 : x->actual > y->actual;
    if (!c) c = x->terms < y->terms ? -1 : x->terms > y->terms;
    if (!c) c = x->line < y->line ? -1 : x->line > y->line;
    if (!c) c = strcmp(x->source ? x->source : "", y->source ? y->source : "");
    return c;
}

int store_flags(store_t *self, uint32_t year, const char *entity, findings_t *out)
{
    MDB_txn *txn;
    MDB_cursor *c;
    findings_init(out);
    if (store_read_open(self, &txn)) return -1;
    uint8_t prefix[4];
    size_t plen = 0;
    int rc = 0;
    if (entity) {
        uint32_t id;
        if (intern_find(self, txn, KIND_ENTITY, entity, &id)) { store_read_close(self, txn); return -1; }
        be32_put(prefix, id);
        plen = 4;
    }
    if (mdb_cursor_open(txn, self->dbi[DB_FLAGS], &c)) { store_read_close(self, txn); return -1; }
    MDB_val k = { plen, prefix }, v;
    rc = mdb_cursor_get(c, &k, &v, plen ? MDB_SET_RANGE : MDB_FIRST);
    for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (plen && memcmp(k.mv_data, prefix, plen) != 0) { rc = MDB_NOTFOUND; break; }
        if (k.mv_size != FLAGKEY_LEN || key_year(k.mv_data) != year) continue;
        finding_t f;
        if (wire_unpack_finding(v.mv_data, v.mv_size, &f) != 0) { rc = -1; break; }
        finding_t *p = findings_push(out, &f);
        finding_free(&f);
        if (!p) { rc = -1; break; }
    }
    mdb_cursor_close(c);
    store_read_close(self, txn);
    if (rc != MDB_NOTFOUND) { findings_clear(out); return -1; }
    if (out->count > 1) sort_array(out->items, out->count, sizeof *out->items, finding_cmp);
    return 0;
}
