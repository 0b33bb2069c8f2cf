/* intern.c -- entity codes and row strings as u32 ids.
 *
 * DB_STRINGS maps kind(1) + string -> id(4, big-endian); DB_IDS maps kind(1) + id(4) ->
 * string. The next id of a kind is kept in DB_META under "next:<kind>". Invariants: ids
 * start at 1 and are never reused; the row "" is id 0 and never stored (it is the row of
 * node-wide flags). An id assigned in a transaction that aborts vanishes with it.
 */
#include "store_int.h"

#include <stdio.h>

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
    uint8_t buf[512];
    MDB_val k, v;
    int rc = intern_key(kind, str, buf, sizeof buf, &k);
    if (rc) return rc;
    rc = mdb_get(txn, s->dbi[DB_STRINGS], &k, &v);
    if (rc) return rc;
    if (v.mv_size != 4) return MDB_CORRUPTED;
    *id = be32_get(v.mv_data);
    return 0;
}

int intern_get(store_t *s, MDB_txn *txn, int kind, const char *str, uint32_t *id)
{
    int rc = intern_find(s, txn, kind, str, id);
    if (rc != MDB_NOTFOUND) return rc;

    char name[8] = { 'n', 'e', 'x', 't', ':', (char)kind, 0 };
    MDB_val mk = { strlen(name), name }, mv;
    uint32_t next = 1;
    rc = mdb_get(txn, s->dbi[DB_META], &mk, &mv);
    if (rc == 0 && mv.mv_size == 4) next = be32_get(mv.mv_data);
    else if (rc != MDB_NOTFOUND && rc != 0) return rc;

    uint8_t nb[4], buf[512], ib[5];
    be32_put(nb, next + 1);
    mv.mv_data = nb; mv.mv_size = 4;
    if ((rc = mdb_put(txn, s->dbi[DB_META], &mk, &mv, 0))) return rc;

    MDB_val k, v;
    if ((rc = intern_key(kind, str, buf, sizeof buf, &k))) return rc;
    be32_put(nb, next);
    v.mv_data = nb; v.mv_size = 4;
    if ((rc = mdb_put(txn, s->dbi[DB_STRINGS], &k, &v, 0))) return rc;
    ib[0] = (uint8_t)kind;
    be32_put(ib + 1, next);
    k.mv_data = ib; k.mv_size = 5;
    v.mv_data = (void *)str; v.mv_size = strlen(str);
    if ((rc = mdb_put(txn, s->dbi[DB_IDS], &k, &v, 0))) return rc;
    *id = next;
    return 0;
}

int intern_string(store_t *s, MDB_txn *txn, int kind, uint32_t id, char *buf, size_t len)
{
    if (kind == KIND_ROW && id == 0) { buf[0] = '\0'; return 0; }
    uint8_t ib[5];
    ib[0] = (uint8_t)kind;
    be32_put(ib + 1, id);
    MDB_val k = { 5, ib }, v;
    int rc = mdb_get(txn, s->dbi[DB_IDS], &k, &v);
    if (rc) return rc;
    size_t n = v.mv_size < len - 1 ? v.mv_size : len - 1;
    memcpy(buf, v.mv_data, n);
    buf[n] = '\0';
    return 0;
}
