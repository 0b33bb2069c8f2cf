/* review.c -- review decisions in the meta db (see store.h): key "r:" ENTITY 0x1f YEAR 0x1f
 * SEQ (8 hex digits, so keys sort by seq), value the fields joined by 0x1f:
 * version, time_ms, decision, reviewer, flag, reason.
 * The "r:" prefix keeps them apart from meta.c's "m:" settings and the store's own entries. */
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define REVIEW_SEP '\x1f'
#define REVIEW_KEY_MAX 128
#define REVIEW_VALUE_MAX 2048

static int s_prefix(char *buf, size_t len, const char *entity, uint32_t year)
{
    int n = snprintf(buf, len, "r:%s%c%04u%c", entity, REVIEW_SEP, year, REVIEW_SEP);
    return n < 0 || (size_t)n >= len ? -1 : n;
}

typedef struct {
    const char *entity;
    uint32_t year;
    store_review_t *r;
} review_put_t;

static int s_put(store_t *s, MDB_txn *txn, void *ctx, char *err, size_t errlen)
{
    review_put_t *p = ctx;
    char key[REVIEW_KEY_MAX], value[REVIEW_VALUE_MAX];
    int plen = s_prefix(key, sizeof key, p->entity, p->year);
    if (plen < 0) return error_set(err, errlen, "entity code too long");
    /* the next seq: one past the last key under the prefix */
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, s->dbi[DB_META], &c);
    if (rc) return store_mdb_fail(rc, err, errlen, "review cursor");
    uint32_t seq = 1;
    char upper[REVIEW_KEY_MAX];
    memcpy(upper, key, (size_t)plen);
    upper[plen] = '\x7f';
    MDB_val k = { (size_t)plen + 1, upper }, v;
    rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    rc = rc == 0 ? mdb_cursor_get(c, &k, &v, MDB_PREV) : mdb_cursor_get(c, &k, &v, MDB_LAST);
    if (rc == 0 && k.mv_size == (size_t)plen + 8 && memcmp(k.mv_data, key, (size_t)plen) == 0) {
        char hex[9];
        memcpy(hex, (char *)k.mv_data + plen, 8);
        hex[8] = '\0';
        seq = (uint32_t)strtoul(hex, NULL, 16) + 1;
    }
    mdb_cursor_close(c);
    p->r->seq = seq;
    snprintf(key + plen, sizeof key - (size_t)plen, "%08x", seq);
    int vn = snprintf(value, sizeof value, "%u%c%llu%c%s%c%s%c%s%c%s", p->r->version, REVIEW_SEP,
                      (unsigned long long)p->r->time_ms, REVIEW_SEP, p->r->decision, REVIEW_SEP,
                      p->r->reviewer, REVIEW_SEP, p->r->flag, REVIEW_SEP, p->r->reason);
    if (vn < 0 || (size_t)vn >= sizeof value) return error_set(err, errlen, "review record too long");
    MDB_val kk = { strlen(key), key }, vv = { (size_t)vn, value };
    rc = mdb_put(txn, s->dbi[DB_META], &kk, &vv, 0);
    if (rc == MDB_MAP_FULL) return rc;
    return rc ? store_mdb_fail(rc, err, errlen, "write review") : 0;
}

int store_review_add(store_t *self, const char *entity, uint32_t year, store_review_t *r,
                     char *err, size_t errlen)
{
    review_put_t p = { entity, year, r };
    return store_write(self, s_put, NULL, &p, err, errlen);
}

/* Splits a stored value into r. 0 or -1 if it does not have six fields. */
static int s_parse(const char *data, size_t len, store_review_t *r)
{
    char buf[REVIEW_VALUE_MAX];
    if (len >= sizeof buf) return -1;
    memcpy(buf, data, len);
    buf[len] = '\0';
    char *f[6];
    char *p = buf;
    for (int i = 0; i < 6; i++) {
        f[i] = p;
        char *sep = i < 5 ? strchr(p, REVIEW_SEP) : NULL;
        if (i < 5 && !sep) return -1;
        if (sep) { *sep = '\0'; p = sep + 1; }
    }
    r->version = (uint32_t)strtoul(f[0], NULL, 10);
    r->time_ms = strtoull(f[1], NULL, 10);
    snprintf(r->decision, sizeof r->decision, "%s", f[2]);
    snprintf(r->reviewer, sizeof r->reviewer, "%s", f[3]);
    snprintf(r->flag, sizeof r->flag, "%s", f[4]);
    snprintf(r->reason, sizeof r->reason, "%s", f[5]);
    return 0;
}

int store_reviews(store_t *self, const char *entity, uint32_t year, store_review_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    char key[REVIEW_KEY_MAX];
    int plen = s_prefix(key, sizeof key, entity, year);
    if (plen < 0) return -1;
    MDB_txn *txn;
    if (store_read_open(self, &txn)) return -1;     /* the command's snapshot when one is open */
    MDB_cursor *c;
    if (mdb_cursor_open(txn, self->dbi[DB_META], &c)) { store_read_close(self, txn); return -1; }
    MDB_val k = { (size_t)plen, key }, v;
    size_t cap = 0;
    int rc = 0;
    for (int got = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); got == 0;
         got = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size != (size_t)plen + 8 || memcmp(k.mv_data, key, (size_t)plen) != 0) break;
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            store_review_t *grown = realloc(*out, cap * sizeof *grown);
            if (!grown) { rc = -1; break; }
            *out = grown;
        }
        store_review_t *r = &(*out)[*n];
        memset(r, 0, sizeof *r);
        char hex[9];
        memcpy(hex, (char *)k.mv_data + plen, 8);
        hex[8] = '\0';
        r->seq = (uint32_t)strtoul(hex, NULL, 16);
        if (s_parse(v.mv_data, v.mv_size, r) == 0) (*n)++;
    }
    mdb_cursor_close(c);
    store_read_close(self, txn);
    return rc;
}

const char *store_review_state(const store_review_t *r, size_t n, uint32_t v, const store_review_t **last)
{
    *last = NULL;
    for (size_t i = 0; i < n; i++)
        if (r[i].version == v && (!strcmp(r[i].decision, "approve") || !strcmp(r[i].decision, "return")))
            *last = &r[i];
    if (!*last) return "pending";
    return !strcmp((*last)->decision, "approve") ? "approved" : "returned";
}
