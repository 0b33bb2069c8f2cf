/* keys.c -- the fixed-width big-endian key codecs of every LMDB database.
 *
 * Invariant: integers are written big-endian at fixed offsets, so LMDB's memcmp order is
 * the numeric order of (entity, year, version, table, row id, column) and a scan over a
 * prefix visits exactly the records of that prefix, in order. Table and column ids fit a
 * byte (asserted in store_int.h). Every offset is written here, once for the encoder and
 * once for the decoder beside it, or in store_int.h for the few codecs every fact and level
 * view calls several times (key_fkey, key_ey, key_eyv, key_node and their decoders: inline
 * there, they were ~4 % of a batch's instructions as calls); no other file indexes into a key.
 */
#include "store_int.h"

#include <assert.h>

void key_node_table(uint8_t out[NODETABLE_LEN], uint32_t ent, uint32_t year, table_id t)
{
    assert((int)t > 0 && (int)t < TABLE_COUNT);
    key_ey(out, ent, year);
    out[EYKEY_LEN] = (uint8_t)t;
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

uint32_t key_child_id(const uint8_t key[CHILDKEY_LEN]) { return be32_get(key + 4); }
table_id key_table_id(const uint8_t key[TABLEKEY_LEN]) { return (table_id)key[EYVKEY_LEN]; }

void key_flag_fkey(const uint8_t key[FLAGKEY_LEN], uint8_t fkey[FKEY_LEN])
{
    fkey[0] = key[13];
    memcpy(fkey + 1, key + 9, 4);
    fkey[5] = key[14];
}

uint32_t key_flag_row(const uint8_t key[FLAGKEY_LEN]) { return be32_get(key + 9); }

int key_fkeys_ascending(const uint8_t (*fkeys)[FKEY_LEN], size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (memcmp(fkeys[i - 1], fkeys[i], FKEY_LEN) > 0) return 0;
    return 1;
}
