/* query.c -- read-only queries: figures, versions, facts of a version, row labels.
 *
 * Invariants: each query runs in the handle's open snapshot (store_snapshot_begin) or else
 * in its own read transaction, so it works on a READONLY handle while the aggregator
 * writes, and sees one committed state; several queries in one snapshot see the same one.
 * Results are converted from interned ids to strings before the transaction ends.
 */
#include "array.h"
#include "store_int.h"
#include "sort.h"

#include <stdlib.h>

static int store_figure_cmp(const void *a, const void *b)
{
    const store_figure_t *x = a, *y = b;
    if (x->key.table != y->key.table) return (int)x->key.table - (int)y->key.table;
    int c = strcmp(x->key.row, y->key.row);
    if (!c) c = (int)x->key.column - (int)y->key.column;
    /* keys are unique in one entity's figures; the rest makes it a total order anyway */
    if (!c) c = x->has_declared - y->has_declared;
    if (!c) c = x->declared < y->declared ? -1 : x->declared > y->declared;
    if (!c) c = x->has_computed - y->has_computed;
    if (!c) c = x->computed < y->computed ? -1 : x->computed > y->computed;
    if (!c) c = x->contributors < y->contributors ? -1 : x->contributors > y->contributors;
    return c;
}

/* Appends a figure for fkey, or merges into the last one when it has the same key. */
static store_figure_t *fig_slot(store_figure_t **out, size_t *n, size_t *cap)
{
    if (array_reserve(out, cap, *n + 1, sizeof **out, 256)) return NULL;

    store_figure_t *f = &(*out)[(*n)++];
    memset(f, 0, sizeof *f);
    return f;
}

int store_figures(store_t *self, const char *entity, uint32_t year, table_id table,
                  store_figure_t **out, size_t *n)
{
    MDB_txn *txn;
    *out = NULL;
    *n = 0;
    if (store_read_open(self, &txn)) return -1;
    store_entity_t e;
    if (entity_by_code(self, txn, entity, &e)) { store_read_close(self, txn); return -1; }
    uint32_t cur = store_current(self, txn, e.id, year);
    size_t cap = 0;
    int rc = 0;

    /* merge the current facts (declared, or a unit's computed) with DB_COMPUTED, both
     * sorted by fkey */
    pack_scan_t sf, sc;
    uint8_t fkf[FKEY_LEN], fkc[FKEY_LEN];
    pack_entry_t ef, ec;
    if (fact_scan_open(&sf, self, txn, e.id, year, cur)) { store_read_close(self, txn); return -1; }
    if (computed_scan_open(&sc, self, txn, e.id, year)) {
        pack_scan_close(&sf);
        store_read_close(self, txn);
        return -1;
    }
    int rf = pack_scan_next(&sf, fkf, &ef), rcm = pack_scan_next(&sc, fkc, &ec);
    while (rf == 0 || rcm == 0) {
        int c = rf ? 1 : rcm ? -1 : memcmp(fkf, fkc, FKEY_LEN);
        fkey_t fd = key_fkey_decode(c <= 0 ? fkf : fkc);
        if (table == TABLE_NONE || fd.table == table) {
            store_figure_t *f = fig_slot(out, n, &cap);
            if (!f) { rc = -1; break; }
            f->key.table = fd.table;
            f->key.column = fd.column;
            if (intern_string(self, txn, KIND_ROW, fd.row, f->key.row, sizeof f->key.row)) {
                rc = -1;
                break;
            }
            if (c <= 0) {
                if (e.level == LEVEL_UNIT) { f->has_computed = 1; f->computed = ef.fen; }
                else { f->has_declared = 1; f->declared = ef.fen; }
            }
            if (c >= 0) {
                f->has_computed = 1;
                f->computed = ec.fen;
                f->contributors = ec.aux;
            }
        }
        if (c <= 0) rf = pack_scan_next(&sf, fkf, &ef);
        if (c >= 0) rcm = pack_scan_next(&sc, fkc, &ec);
    }
    if ((rf && rf != MDB_NOTFOUND) || (rcm && rcm != MDB_NOTFOUND)) rc = -1;
    pack_scan_close(&sf);
    pack_scan_close(&sc);
    store_read_close(self, txn);
    if (rc) { free(*out); *out = NULL; *n = 0; return -1; }
    if (*n > 1) sort_array(*out, *n, sizeof **out, store_figure_cmp);
    return 0;
}

/* submission record: received(8) created(8) facts(4) scope(1) id NUL source NUL */
static void version_decode(const MDB_val *k, const MDB_val *v, store_version_t *out)
{
    const uint8_t *p = v->mv_data;
    memset(out, 0, sizeof *out);
    out->version = key_version(k->mv_data);
    if (v->mv_size < 23) return;
    out->received_ms = be64_get(p);
    out->fact_count = be32_get(p + 16);
    const char *id = (const char *)p + 21;
    size_t il = strnlen(id, v->mv_size - 21);
    snprintf(out->submission_id, sizeof out->submission_id, "%.*s", (int)il, id);
    if (21 + il + 1 < v->mv_size) {
        const char *src = id + il + 1;
        snprintf(out->source, sizeof out->source, "%.*s",
                 (int)strnlen(src, v->mv_size - 22 - il), src);
    }
}

int store_versions(store_t *self, const char *entity, uint32_t year, store_version_t **out, size_t *n)
{
    MDB_txn *txn;
    MDB_cursor *c;
    *out = NULL;
    *n = 0;
    if (store_read_open(self, &txn)) return -1;
    uint32_t id;
    if (intern_find(self, txn, KIND_ENTITY, entity, &id)) { store_read_close(self, txn); return 0; }
    if (mdb_cursor_open(txn, self->dbi[DB_SUBMISSIONS], &c)) { store_read_close(self, txn); return -1; }
    uint8_t prefix[EYKEY_LEN];
    key_ey(prefix, id, year);
    size_t cap = 0;
    int rc;
    MDB_val k = { EYKEY_LEN, prefix }, v;
    for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size != EYVKEY_LEN || memcmp(k.mv_data, prefix, EYKEY_LEN) != 0) break;
        if (array_reserve(out, &cap, *n + 1, sizeof **out, 8)) { rc = -1; break; }

        version_decode(&k, &v, &(*out)[(*n)++]);
        binding_version_digest(self, txn, &(*out)[*n - 1]);
    }
    mdb_cursor_close(c);
    store_read_close(self, txn);
    if (rc == -1) { free(*out); *out = NULL; *n = 0; return -1; }
    return 0;
}

submission_t *store_facts(store_t *self, const char *entity, uint32_t year, uint32_t version)
{
    MDB_txn *txn;
    if (store_read_open(self, &txn)) return NULL;
    uint32_t id;
    submission_t *sub = NULL;
    if (intern_find(self, txn, KIND_ENTITY, entity, &id) == 0)
        sub = facts_load(self, txn, entity, id, year, version);
    store_read_close(self, txn);
    return sub;
}

submission_t *facts_load(store_t *self, MDB_txn *txn, const char *entity, uint32_t id,
                         uint32_t year, uint32_t version)
{
    submission_t *sub = NULL;
    if (!version) version = store_current(self, txn, id, year);
    if (!version) goto done;
    uint8_t prefix[EYVKEY_LEN];
    key_eyv(prefix, id, year, version);
    MDB_val k = { EYVKEY_LEN, prefix }, v;
    if (mdb_get(txn, self->dbi[DB_SUBMISSIONS], &k, &v) != 0) goto done;
    sub = submission_new(entity, year);
    if (!sub) goto done;
    const uint8_t *p = v.mv_data;
    if (v.mv_size >= 23) {
        sub->created_ms = be64_get(p + 8);
        sub->scope = (scope_t)p[20];
        store_version_t ver;
        version_decode(&k, &v, &ver);
        snprintf(sub->id, sizeof sub->id, "%s", ver.submission_id);
        submission_set_source(sub, ver.source);
    }
    pack_scan_t sc;
    if (fact_scan_open(&sc, self, txn, id, year, version)) goto fail;
    uint8_t fkey[FKEY_LEN];
    pack_entry_t fe;
    int rc;
    while ((rc = pack_scan_next(&sc, fkey, &fe)) == 0) {
        fkey_t fd = key_fkey_decode(fkey);
        char row[SUBMISSION_ROW_MAX + 1], name[SUBMISSION_NAME_MAX + 1];
        if ((rc = intern_string(self, txn, KIND_ROW, fd.row, row, sizeof row))) break;
        const char *nm = fe.name;
        size_t nl = fe.name_len;
        if (!nm && (rc = label_find(self, txn, fd.table, fd.row, &nm, &nl))) {
            if (rc == MDB_NOTFOUND) rc = MDB_CORRUPTED;   /* facts.c invariant 3: it has one */
            break;
        }
        if (nl > SUBMISSION_NAME_MAX) nl = SUBMISSION_NAME_MAX;
        memcpy(name, nm, nl);
        name[nl] = '\0';
        if (submission_add(sub, fd.table, row, fd.column, fe.fen, name, fe.aux)) { rc = -1; break; }
    }
    pack_scan_close(&sc);
    if (rc != MDB_NOTFOUND) goto fail;
    submission_sort(sub);
    goto done;
fail:
    submission_destroy(&sub);
done:
    return sub;
}

const char *store_row_label(store_t *self, table_id t, const char *row)
{
    MDB_txn *txn;
    if (store_read_open(self, &txn)) return NULL;
    uint32_t id;
    const char *res = NULL;
    if (intern_find(self, txn, KIND_ROW, row, &id) == 0) {
        uint8_t kb[LABELKEY_LEN];
        key_label(kb, t, id);
        MDB_val k = { LABELKEY_LEN, kb }, v;
        if (mdb_get(txn, self->dbi[DB_LABELS], &k, &v) == 0) {
            size_t n = v.mv_size < sizeof self->label - 1 ? v.mv_size : sizeof self->label - 1;
            memcpy(self->label, v.mv_data, n);
            self->label[n] = '\0';
            res = self->label;
        }
    }
    store_read_close(self, txn);
    return res;
}
