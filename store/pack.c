/* pack.c -- the packed figure list: the value format of one LMDB record that holds many
 * figures of one table (facts.c: one version's facts of a table; rollup.c: one node's
 * computed figures of a table), so a figure costs a few bytes instead of an LMDB entry;
 * and the scan of every value under one key prefix (keys = prefix + table), in key order.
 *
 * Layout (every integer a LEB128 varint, "zz" = zigzag-coded signed):
 *
 *   scale(1) count  { row-delta  column(1)  zz(fen / 10^scale)  zz(aux-delta)  [len name] }*
 *
 * Invariants:
 *  1. Entries are strictly ascending by (row id, column): the order of their figure keys
 *     inside one table (keys.c), so a merge with a sorted key list is one forward pass.
 *  2. row-delta is the row id minus the previous entry's (the first: minus 0); aux-delta
 *     likewise for aux (a fact's source line, a computed figure's contributor count).
 *  3. Every fen of the list is a multiple of 10^scale (scale <= PACK_SCALE_MAX, the largest
 *     such power for that list: amounts arrive in 0.01 万元 = 10^4 fen steps), so the stored
 *     quotient is exact and fen = quotient * 10^scale with no rounding, ever.
 *  4. Bit 7 of the column byte (PACK_NAMED) says a name follows: a fact whose printed name
 *     is not its row's stored label (facts.c). Column ids are < 128 (asserted).
 *  5. Decoding checks every length against the value's end: a damaged value is
 *     MDB_CORRUPTED, never a read past it.
 */
#include "store_int.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#define PACK_NAMED 0x80u
#define PACK_SCALE_MAX 18           /* 10^18 < INT64_MAX */
#define PACK_VARINT_MAX 10          /* bytes of a 64-bit LEB128 varint */
/* the largest entry: row, column, fen, aux varints and a name's length and bytes */
#define PACK_ENTRY_MAX (4 * PACK_VARINT_MAX + 1 + SUBMISSION_NAME_MAX)

_Static_assert(COL_COUNT <= (int)PACK_NAMED, "a column id leaves bit 7 of its byte for PACK_NAMED");
_Static_assert(SUBMISSION_NAME_MAX < 65536, "a name's length is a small varint");

static const int64_t s_pow10[PACK_SCALE_MAX + 1] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
    1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
    100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
    1000000000000000000LL
};

static uint8_t *s_put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) { *p++ = (uint8_t)(v | 0x80); v >>= 7; }
    *p++ = (uint8_t)v;
    return p;
}

static int s_get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p == end) return -1;
        uint8_t b = *(*p)++;
        r |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) { *v = r; return 0; }
    }
    return -1;
}

static uint64_t s_zz(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static int64_t s_unzz(uint64_t u) { return (int64_t)(u >> 1) ^ -(int64_t)(u & 1); }

/* The largest power of ten dividing every fen (invariant 3). */
static unsigned s_scale(const pack_entry_t *e, size_t n)
{
    unsigned sc = PACK_SCALE_MAX;
    for (size_t i = 0; i < n && sc; i++)
        while (sc && e[i].fen % s_pow10[sc] != 0) sc--;
    return sc;
}

static int s_reserve(pack_buf_t *b, size_t more)
{
    if (b->len + more <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + more) cap *= 2;
    uint8_t *d = realloc(b->data, cap);
    if (!d) return ENOMEM;
    b->data = d;
    b->cap = cap;
    return 0;
}

int pack_encode(pack_buf_t *out, const pack_entry_t *e, size_t n)
{
    out->len = 0;
    if (s_reserve(out, 1 + PACK_VARINT_MAX)) return ENOMEM;
    unsigned sc = s_scale(e, n);
    uint8_t *p = out->data;
    *p++ = (uint8_t)sc;
    p = s_put_varint(p, n);
    out->len = (size_t)(p - out->data);
    uint32_t row = 0, aux = 0;
    for (size_t i = 0; i < n; i++) {
        assert(i == 0 || e[i].row > e[i - 1].row ||
               (e[i].row == e[i - 1].row && e[i].column > e[i - 1].column));   /* invariant 1 */
        assert((int)e[i].column >= 0 && (int)e[i].column < COL_COUNT);
        size_t nl = e[i].name ? e[i].name_len : 0;
        assert(nl <= SUBMISSION_NAME_MAX);
        if (s_reserve(out, PACK_ENTRY_MAX)) return ENOMEM;
        p = out->data + out->len;
        p = s_put_varint(p, e[i].row - row);
        *p++ = (uint8_t)((unsigned)e[i].column | (e[i].name ? PACK_NAMED : 0));
        p = s_put_varint(p, s_zz(e[i].fen / s_pow10[sc]));
        p = s_put_varint(p, s_zz((int64_t)e[i].aux - (int64_t)aux));
        if (e[i].name) {
            p = s_put_varint(p, nl);
            memcpy(p, e[i].name, nl);
            p += nl;
        }
        row = e[i].row;
        aux = e[i].aux;
        out->len = (size_t)(p - out->data);
    }
    return 0;
}

void pack_buf_free(pack_buf_t *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

int pack_open(pack_reader_t *r, const void *data, size_t len)
{
    memset(r, 0, sizeof *r);
    r->p = data;
    r->end = r->p + len;
    uint64_t n;
    if (len < 2 || r->p[0] > PACK_SCALE_MAX) return MDB_CORRUPTED;
    r->scale = r->p[0];
    r->p++;
    if (s_get_varint(&r->p, r->end, &n) || n > len) return MDB_CORRUPTED;
    r->count = r->left = (size_t)n;
    return 0;
}

int pack_next(pack_reader_t *r, pack_entry_t *e)
{
    if (!r->left) return r->p == r->end ? MDB_NOTFOUND : MDB_CORRUPTED;
    uint64_t drow, q, daux, nl;
    if (s_get_varint(&r->p, r->end, &drow) || drow > UINT32_MAX - r->row || r->p == r->end)
        return MDB_CORRUPTED;
    uint8_t col = *r->p++;
    if (s_get_varint(&r->p, r->end, &q) || s_get_varint(&r->p, r->end, &daux)) return MDB_CORRUPTED;
    int64_t quot = s_unzz(q), fen;
    if (__builtin_mul_overflow(quot, s_pow10[r->scale], &fen)) return MDB_CORRUPTED;
    r->row += (uint32_t)drow;
    r->aux = (uint32_t)((int64_t)r->aux + s_unzz(daux));
    e->row = r->row;
    e->column = (column_id)(col & ~PACK_NAMED);
    e->fen = fen;
    e->aux = r->aux;
    e->name = NULL;
    e->name_len = 0;
    if (col & PACK_NAMED) {
        if (s_get_varint(&r->p, r->end, &nl) || nl > (uint64_t)(r->end - r->p)) return MDB_CORRUPTED;
        e->name = (const char *)r->p;
        e->name_len = (size_t)nl;
        r->p += nl;
    }
    if ((int)e->column >= COL_COUNT) return MDB_CORRUPTED;
    r->left--;
    return 0;
}

int pack_find(const void *data, size_t len, uint32_t row, column_id column, pack_entry_t *e)
{
    pack_reader_t r;
    int rc = pack_open(&r, data, len);
    while (rc == 0 && (rc = pack_next(&r, e)) == 0) {
        if (e->row > row || (e->row == row && e->column >= column))   /* invariant 1: stop */
            return e->row == row && e->column == column ? 0 : MDB_NOTFOUND;
    }
    return rc;
}

/* ---- the values of one key prefix ---- */

int pack_scan_open(pack_scan_t *sc, MDB_txn *txn, MDB_dbi dbi, const uint8_t *prefix, size_t plen,
                   int empty)
{
    assert(plen <= sizeof sc->prefix);
    memset(sc, 0, sizeof *sc);
    memcpy(sc->prefix, prefix, plen);
    sc->plen = plen;
    if (empty) { sc->state = 2; return 0; }
    return mdb_cursor_open(txn, dbi, &sc->c);
}

int pack_scan_next(pack_scan_t *sc, uint8_t fkey[FKEY_LEN], pack_entry_t *e)
{
    for (;;) {
        if (sc->state == 2) return MDB_NOTFOUND;
        if (sc->state == 1) {
            int rc = pack_next(&sc->r, e);
            if (rc == 0) {
                key_fkey(fkey, sc->table, e->row, e->column);
                return 0;
            }
            if (rc != MDB_NOTFOUND) return rc;
        }
        MDB_val k = { sc->plen, sc->prefix }, v;
        int rc = mdb_cursor_get(sc->c, &k, &v, sc->state == 0 ? MDB_SET_RANGE : MDB_NEXT);
        if (rc == MDB_NOTFOUND || (rc == 0 && (k.mv_size != sc->plen + 1 ||
                                               memcmp(k.mv_data, sc->prefix, sc->plen) != 0))) {
            sc->state = 2;
            continue;
        }
        if (rc) return rc;
        sc->table = (table_id)((const uint8_t *)k.mv_data)[sc->plen];
        if ((int)sc->table <= 0 || (int)sc->table >= TABLE_COUNT) return MDB_CORRUPTED;
        if ((rc = pack_open(&sc->r, v.mv_data, v.mv_size))) return rc;
        sc->state = 1;
    }
}

void pack_scan_close(pack_scan_t *sc)
{
    if (sc->c) mdb_cursor_close(sc->c);
    sc->c = NULL;
}
