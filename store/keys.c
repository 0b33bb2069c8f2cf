/* keys.c -- the fixed-width big-endian key codecs of every LMDB database.
 *
 * Invariant: integers are written big-endian at fixed offsets, so LMDB's memcmp order is
 * the numeric order of (entity, year, version, table, row id, column) and a scan over a
 * prefix visits exactly the records of that prefix, in order. Table and column ids fit a
 * byte (tables.h: TABLE_COUNT, COL_COUNT < 256).
 */
#include "store_int.h"

void key_fkey(uint8_t out[FKEY_LEN], table_id t, uint32_t row, column_id c)
{
    out[0] = (uint8_t)t;
    be32_put(out + 1, row);
    out[5] = (uint8_t)c;
}

void key_ey(uint8_t out[8], uint32_t ent, uint32_t year)
{
    be32_put(out, ent);
    be32_put(out + 4, year);
}

void key_eyv(uint8_t out[12], uint32_t ent, uint32_t year, uint32_t version)
{
    key_ey(out, ent, year);
    be32_put(out + 8, version);
}

void key_node(uint8_t out[NODEKEY_LEN], uint32_t ent, uint32_t year, const uint8_t fkey[FKEY_LEN])
{
    key_ey(out, ent, year);
    memcpy(out + 8, fkey, FKEY_LEN);
}

void key_fact(uint8_t out[FACTKEY_LEN], uint32_t ent, uint32_t year, uint32_t version,
              const uint8_t fkey[FKEY_LEN])
{
    key_eyv(out, ent, year, version);
    memcpy(out + 12, fkey, FKEY_LEN);
}

/* The row comes before the table in a flag key so that a node's node-wide flags (row id 0)
 * are one contiguous prefix, as are the flags of one (row, table, column). */
void key_flag(uint8_t out[FLAGKEY_LEN], uint32_t ent, uint32_t year, int kind,
              const uint8_t fkey[FKEY_LEN], uint32_t seq)
{
    key_ey(out, ent, year);
    out[8] = (uint8_t)kind;
    memcpy(out + 9, fkey + 1, 4);
    out[13] = fkey[0];
    out[14] = fkey[5];
    be32_put(out + 15, seq);
}

void key_hist(uint8_t out[16], uint32_t ent, uint32_t year, uint32_t version, uint32_t seq)
{
    key_eyv(out, ent, year, version);
    be32_put(out + 12, seq);
}
