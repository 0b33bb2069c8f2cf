/* keys.c -- the fixed-width big-endian key codecs of every LMDB database.
 *
 * Invariant: integers are written big-endian at fixed offsets, so LMDB's memcmp order is
 * the numeric order of (entity, year, version, table, row id, column) and a scan over a
 * prefix visits exactly the records of that prefix, in order. Table and column ids fit a
 * byte (asserted in store_int.h). Every offset is written here, once for the encoder and
 * once for the decoder beside it; no other file indexes into a key.
 */
#include "store_int.h"

#include <assert.h>

void key_fkey(uint8_t out[FKEY_LEN], table_id t, uint32_t row, column_id c)
{
    /* validated submissions and stored flags only: TABLE_NONE/COL_NONE for node-wide flags */
    assert((int)t >= 0 && (int)t < TABLE_COUNT && (int)c >= 0 && (int)c < COL_COUNT);
    out[0] = (uint8_t)t;
    be32_put(out + 1, row);
    out[5] = (uint8_t)c;
}

void key_node_table(uint8_t out[NODETABLE_LEN], uint32_t ent, uint32_t year, table_id t)
{
    assert((int)t > 0 && (int)t < TABLE_COUNT);
    key_ey(out, ent, year);
    out[EYKEY_LEN] = (uint8_t)t;
}

void key_ey(uint8_t out[EYKEY_LEN], uint32_t ent, uint32_t year)
{
    be32_put(out, ent);
    be32_put(out + 4, year);
}

void key_eyv(uint8_t out[EYVKEY_LEN], uint32_t ent, uint32_t year, uint32_t version)
{
    key_ey(out, ent, year);
    be32_put(out + EYKEY_LEN, version);
}

void key_node(uint8_t out[NODEKEY_LEN], uint32_t ent, uint32_t year, const uint8_t fkey[FKEY_LEN])
{
    key_ey(out, ent, year);
    memcpy(out + EYKEY_LEN, fkey, FKEY_LEN);
}

void key_table(uint8_t out[TABLEKEY_LEN], uint32_t ent, uint32_t year, uint32_t version, table_id t)
{
    assert((int)t > 0 && (int)t < TABLE_COUNT);
    key_eyv(out, ent, year, version);
    out[EYVKEY_LEN] = (uint8_t)t;
}

/* The row comes before the table in a flag key so that a node's node-wide flags (row id 0)
 * are one contiguous prefix, as are the flags of one (row, table, column). */
void key_flag(uint8_t out[FLAGKEY_LEN], uint32_t ent, uint32_t year, int kind,
              const uint8_t fkey[FKEY_LEN], uint32_t seq)
{
    key_flag_kind(out, ent, year, kind);
    memcpy(out + 9, fkey + 1, 4);
    out[13] = fkey[0];
    out[14] = fkey[5];
    be32_put(out + 15, seq);
}

void key_flag_kind(uint8_t out[FLAGKIND_LEN], uint32_t ent, uint32_t year, int kind)
{
    key_ey(out, ent, year);
    out[EYKEY_LEN] = (uint8_t)kind;
}

void key_hist(uint8_t out[HISTKEY_LEN], uint32_t ent, uint32_t year, uint32_t version, uint32_t seq)
{
    key_eyv(out, ent, year, version);
    be32_put(out + EYVKEY_LEN, seq);
}

void key_label(uint8_t out[LABELKEY_LEN], table_id t, uint32_t row)
{
    out[0] = (uint8_t)t;
    be32_put(out + 1, row);
}

void key_child(uint8_t out[CHILDKEY_LEN], uint32_t parent, uint32_t child)
{
    be32_put(out, parent);
    be32_put(out + 4, child);
}

void key_id(uint8_t out[IDKEY_LEN], int kind, uint32_t id)
{
    out[0] = (uint8_t)kind;
    be32_put(out + 1, id);
}

/* ---- decoders ---- */

fkey_t key_fkey_decode(const uint8_t fkey[FKEY_LEN])
{
    fkey_t f = { (table_id)fkey[0], be32_get(fkey + 1), (column_id)fkey[5] };
    return f;
}

uint32_t key_entity(const uint8_t *key) { return be32_get(key); }
uint32_t key_year(const uint8_t *key) { return be32_get(key + 4); }
uint32_t key_version(const uint8_t *key) { return be32_get(key + EYKEY_LEN); }
uint32_t key_child_id(const uint8_t key[CHILDKEY_LEN]) { return be32_get(key + 4); }
const uint8_t *key_node_fkey(const uint8_t key[NODEKEY_LEN]) { return key + EYKEY_LEN; }
table_id key_table_id(const uint8_t key[TABLEKEY_LEN]) { return (table_id)key[EYVKEY_LEN]; }

void key_flag_fkey(const uint8_t key[FLAGKEY_LEN], uint8_t fkey[FKEY_LEN])
{
    fkey[0] = key[13];
    memcpy(fkey + 1, key + 9, 4);
    fkey[5] = key[14];
}

uint32_t key_flag_row(const uint8_t key[FLAGKEY_LEN]) { return be32_get(key + 9); }
