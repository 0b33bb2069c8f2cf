/* meta.c -- small named settings of the database (the `meta` db): e.g. the rule catalogue
 * and settings the aggregator validates with, so every flag report can name them.
 * Keys are "m:" + name so they never collide with the store's own meta entries. */
#include <string.h>

#include "store_int.h"

typedef struct { const char *name, *value; } meta_kv;

static int meta_key(const char *name, char *buf, size_t len, MDB_val *k)
{
    int n = snprintf(buf, len, "m:%s", name);
    if (n < 0 || (size_t)n >= len) return -1;
    k->mv_data = buf;
    k->mv_size = (size_t)n;
    return 0;
}

static int meta_put_fn(store_t *s, MDB_txn *txn, void *ctx, char *err, size_t errlen)
{
    const meta_kv *kv = ctx;
    char buf[256];
    MDB_val k, v = { strlen(kv->value), (void *)kv->value };
    if (meta_key(kv->name, buf, sizeof buf, &k)) return error_set(err, errlen, "meta name too long");
    int rc = mdb_put(txn, s->dbi[DB_META], &k, &v, 0);
    if (rc == MDB_MAP_FULL) return rc;
    return rc ? store_mdb_fail(rc, err, errlen, "write meta") : 0;
}

int store_meta_set(store_t *self, const char *name, const char *value, char *err, size_t errlen)
{
    meta_kv kv = { name, value };
    return store_write(self, meta_put_fn, NULL, &kv, err, errlen);
}

int store_meta_get(store_t *self, const char *name, char *out, size_t outlen)
{
    MDB_txn *txn;
    char buf[256];
    MDB_val k, v;
    if (outlen == 0 || meta_key(name, buf, sizeof buf, &k) || store_read_open(self, &txn)) return -1;
    int rc = mdb_get(txn, self->dbi[DB_META], &k, &v);
    if (rc == 0) {
        size_t n = v.mv_size < outlen - 1 ? v.mv_size : outlen - 1;
        memcpy(out, v.mv_data, n);
        out[n] = '\0';
    }
    store_read_close(self, txn);
    return rc == 0 ? 0 : -1;
}
