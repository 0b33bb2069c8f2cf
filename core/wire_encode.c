/* wire_encode.c -- the Submission encoder (wire_pack_submission, wire_pack_group), by hand.
 *
 * What it is for: a collector packs every fact it spools once, and protobuf-c's generic
 * packer walks the field descriptors of each fact twice (the size, then the bytes) -- a
 * fifth of a collector's instructions (docs/performance.md, issue 16). This writes the same
 * bytes directly from submission_t.
 *
 * Invariant: the bytes are exactly those protobuf-c 1.4 packs for the message wire.c would
 * build (wire_pack_submission_pbc, wire_pack_group_pbc): fields in field-number order;
 * proto3 zero numbers, enums and empty strings and bytes left out; enums as int32 varints
 * (a negative one sign-extended to ten bytes); sint64 zigzag; strings, bytes and nested
 * messages length-prefixed. tests/unit/test_wire.c compares the two on every example file
 * and on edge values. A field added to Submission or Fact in proto/huizong.proto must be
 * added here as well.
 */
#include "wire.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* Field numbers of proto/huizong.proto. */
enum { FACT_TABLE = 1, FACT_ROW = 2, FACT_COLUMN = 3, FACT_AMOUNT = 4, FACT_LINE = 5,
       FACT_NAME = 6, FACT_UNIT = 7 };
enum { SUB_ID = 1, SUB_ENTITY = 2, SUB_YEAR = 3, SUB_FACTS = 4, SUB_SOURCE = 5,
       SUB_CREATED = 6, SUB_SCOPE = 7, SUB_DIGEST = 8, SUB_MEMBERS = 9, SUB_TEXT = 16,
       SUB_TEXT_NAME = 17 };
enum { WT_VARINT = 0, WT_LEN = 2 };

static size_t s_varint_size(uint64_t v)
{
    size_t n = 1;
    for (; v >= 0x80; v >>= 7) n++;
    return n;
}

static uint8_t *s_varint(uint8_t *o, uint64_t v)
{
    for (; v >= 0x80; v >>= 7) *o++ = (uint8_t)(v | 0x80);
    *o++ = (uint8_t)v;
    return o;
}

/* A number field as protobuf-c writes it: nothing when 0. */
static size_t s_num_size(unsigned field, uint64_t v)
{
    return v ? s_varint_size((uint64_t)field << 3) + s_varint_size(v) : 0;
}

static uint8_t *s_num(uint8_t *o, unsigned field, uint64_t v)
{
    if (!v) return o;
    o = s_varint(o, (uint64_t)field << 3 | WT_VARINT);
    return s_varint(o, v);
}

/* A length-delimited field of n bytes: tag, length, then the bytes (written by the caller
 * for a nested message). */
static size_t s_len_size(unsigned field, size_t n)
{
    return s_varint_size((uint64_t)field << 3) + s_varint_size(n) + n;
}

static uint8_t *s_len_head(uint8_t *o, unsigned field, size_t n)
{
    o = s_varint(o, (uint64_t)field << 3 | WT_LEN);
    return s_varint(o, n);
}

/* Bytes or a string: nothing when empty (or NULL). */
static size_t s_bytes_size(unsigned field, const void *p, size_t n)
{
    return p && n ? s_len_size(field, n) : 0;
}

static uint8_t *s_bytes(uint8_t *o, unsigned field, const void *p, size_t n)
{
    if (!p || !n) return o;
    o = s_len_head(o, field, n);
    memcpy(o, p, n);
    return o + n;
}

static size_t s_str_size(unsigned field, const char *s)
{
    return s ? s_bytes_size(field, s, strlen(s)) : 0;
}

static uint8_t *s_str(uint8_t *o, unsigned field, const char *s)
{
    return s ? s_bytes(o, field, s, strlen(s)) : o;
}

/* An enum as protobuf-c's int32_pack writes it. */
static uint64_t s_enum(int v) { return (uint64_t)(int64_t)(int32_t)v; }
static uint64_t s_zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }

/* What the size pass learns about a fact for the write pass: its packed size and the
 * lengths of its strings, so each string is measured once. */
typedef struct {
    size_t size, row_len, name_len;
} fact_sizes_t;

/* A string field of known length: nothing when empty (or NULL). */
static size_t s_strn_size(unsigned field, const char *s, size_t n)
{
    return s ? s_bytes_size(field, s, n) : 0;
}

static fact_sizes_t s_fact_size(const fact_t *f)
{
    fact_sizes_t z = { 0, f->row ? strlen(f->row) : 0, f->name ? strlen(f->name) : 0 };
    z.size = s_num_size(FACT_TABLE, s_enum(f->table)) + s_strn_size(FACT_ROW, f->row, z.row_len) +
             s_num_size(FACT_COLUMN, s_enum(f->column)) + s_num_size(FACT_AMOUNT, s_zigzag(f->fen)) +
             s_num_size(FACT_LINE, f->line) + s_strn_size(FACT_NAME, f->name, z.name_len) +
             s_num_size(FACT_UNIT, f->unit_fen);
    return z;
}

static uint8_t *s_fact(uint8_t *o, const fact_t *f, const fact_sizes_t *z)
{
    o = s_len_head(o, SUB_FACTS, z->size);
    o = s_num(o, FACT_TABLE, s_enum(f->table));
    o = s_bytes(o, FACT_ROW, f->row, z->row_len);
    o = s_num(o, FACT_COLUMN, s_enum(f->column));
    o = s_num(o, FACT_AMOUNT, s_zigzag(f->fen));
    o = s_num(o, FACT_LINE, f->line);
    o = s_bytes(o, FACT_NAME, f->name, z->name_len);
    return s_num(o, FACT_UNIT, f->unit_fen);
}

/* A single submission, or a member of a file of several parts; z[i] gets fact i's sizes
 * (z has s->count entries). */
static size_t s_submission_size(const submission_t *s, fact_sizes_t *z)
{
    size_t n = s_str_size(SUB_ID, s->id) + s_str_size(SUB_ENTITY, s->entity) +
               s_num_size(SUB_YEAR, s->year);
    for (size_t i = 0; i < s->count; i++) {
        z[i] = s_fact_size(&s->facts[i]);
        n += s_len_size(SUB_FACTS, z[i].size);
    }
    n += s_str_size(SUB_SOURCE, s->source) + s_num_size(SUB_CREATED, s->created_ms) +
         s_num_size(SUB_SCOPE, s_enum(s->scope));
    if (s->has_digest) n += s_bytes_size(SUB_DIGEST, s->digest, SUBMISSION_DIGEST_LEN);
    if (s->text) n += s_bytes_size(SUB_TEXT, s->text, s->text_len) + s_str_size(SUB_TEXT_NAME, s->text_name);
    return n;
}

static uint8_t *s_submission(uint8_t *o, const submission_t *s, const fact_sizes_t *z)
{
    o = s_str(o, SUB_ID, s->id);
    o = s_str(o, SUB_ENTITY, s->entity);
    o = s_num(o, SUB_YEAR, s->year);
    for (size_t i = 0; i < s->count; i++) o = s_fact(o, &s->facts[i], &z[i]);
    o = s_str(o, SUB_SOURCE, s->source);
    o = s_num(o, SUB_CREATED, s->created_ms);
    o = s_num(o, SUB_SCOPE, s_enum(s->scope));
    if (s->has_digest) o = s_bytes(o, SUB_DIGEST, s->digest, SUBMISSION_DIGEST_LEN);
    if (s->text) {
        o = s_bytes(o, SUB_TEXT, s->text, s->text_len);
        o = s_str(o, SUB_TEXT_NAME, s->text_name);
    }
    return o;
}

static int s_finish(uint8_t *out, const uint8_t *end, size_t n, uint8_t **buf, size_t *len)
{
    assert((size_t)(end - out) == n);   /* the size pass and the write pass agree */
    (void)end;
    *buf = out;
    *len = n;
    return 0;
}

int wire_pack_submission(const submission_t *s, uint8_t **buf, size_t *len)
{
    fact_sizes_t *z = malloc((s->count ? s->count : 1) * sizeof *z);
    if (!z) return -1;
    size_t n = s_submission_size(s, z);
    uint8_t *out = malloc(n ? n : 1);
    if (!out) {
        free(z);
        return -1;
    }
    uint8_t *end = s_submission(out, s, z);
    free(z);
    return s_finish(out, end, n, buf, len);
}

int wire_pack_group(const submission_group_t *g, uint8_t **buf, size_t *len)
{
    /* the file: id, source, digest and its members; entity, year and facts stay empty */
    size_t n = s_str_size(SUB_ID, g->id) + s_str_size(SUB_SOURCE, g->source), facts = 0;
    if (g->has_digest) n += s_bytes_size(SUB_DIGEST, g->digest, SUBMISSION_DIGEST_LEN);
    for (size_t i = 0; i < g->count; i++) facts += g->members[i]->count;
    size_t *sizes = malloc((g->count ? g->count : 1) * sizeof *sizes);
    fact_sizes_t *z = malloc((facts ? facts : 1) * sizeof *z);
    uint8_t *out = NULL, *o;
    if (!sizes || !z) goto oom;
    for (size_t i = 0, at = 0; i < g->count; at += g->members[i++]->count)
        n += s_len_size(SUB_MEMBERS, sizes[i] = s_submission_size(g->members[i], z + at));
    if (!(out = malloc(n ? n : 1))) goto oom;
    o = s_str(out, SUB_ID, g->id);
    o = s_str(o, SUB_SOURCE, g->source);
    if (g->has_digest) o = s_bytes(o, SUB_DIGEST, g->digest, SUBMISSION_DIGEST_LEN);
    for (size_t i = 0, at = 0; i < g->count; at += g->members[i++]->count) {
        o = s_len_head(o, SUB_MEMBERS, sizes[i]);
        o = s_submission(o, g->members[i], z + at);
    }
    free(sizes);
    free(z);
    return s_finish(out, o, n, buf, len);
oom:
    free(sizes);
    free(z);
    return -1;
}
