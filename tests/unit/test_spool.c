/* test_spool.c -- the spool file format (delivery/spool.c): a header that carries what
 * delivery needs (id, entity, year, fact count, created time, room for a digest) before
 * the packed submission, read back without decoding it; a bad header is refused as "not
 * a spool file" (-2), an earlier release's bare protobuf is still read. Real files in a
 * mkdtemp dir. */
#include <check.h>
#include "testkit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "spool.h"
#include "submission.h"
#include "wire.h"

static char dir[64];
static spool_t sp;
static char err[512];

static void setup(void)
{
    testkit_tmpdir(dir, sizeof dir, "spool");
    ck_assert_int_eq(spool_open(&sp, dir, err, sizeof err), 0);
}

static void teardown(void)
{
    if (testkit_rmtree(dir) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

static submission_t *sample(void)
{
    submission_t *s = submission_new("026001", 2024);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(submission_add(s, TABLE_SUMMARY, "expense_total", COL_AMOUNT, 331122000000LL, "支出总计", 7), 0);
    ck_assert_int_eq(submission_add(s, TABLE_SUMMARY, "income_total", COL_AMOUNT, 331122000000LL, "收入总计", 8), 0);
    s->created_ms = 1795436614931ULL;
    if (!s->id[0]) submission_new_id(s->id);
    ck_assert_msg(submission_validate(s, err, sizeof err) == 0, "%s", err);
    submission_seal(s);
    return s;
}

/* sample(), packed: *pb is malloc'd. */
static submission_t *sample_packed(uint8_t **pb, size_t *pblen)
{
    submission_t *s = sample();
    ck_assert_int_eq(wire_pack_submission(s, pb, pblen), 0);
    return s;
}

static void write_raw(const char *name, const void *buf, size_t len)
{
    ck_assert_int_eq(spool_put(&sp, name, buf, len, err, sizeof err), 0);
}

START_TEST(header_round_trip)
{
    uint8_t *pb;
    size_t pblen;
    submission_t *s = sample_packed(&pb, &pblen);
    spool_header_t h, back;
    spool_header_of(&h, s);
    ck_assert_mem_eq(h.digest, s->digest, SPOOL_DIGEST_LEN);
    ck_assert_int_eq(spool_put_submission(&sp, s->id, &h, pb, pblen, err, sizeof err), 0);
    uint8_t *payload;
    size_t len;
    ck_assert_int_eq(spool_read_submission(&sp, s->id, &back, &payload, &len, err, sizeof err), 0);
    ck_assert_str_eq(back.id, s->id);
    ck_assert_str_eq(back.entity, "026001");
    ck_assert_uint_eq(back.year, 2024);
    ck_assert_uint_eq(back.facts, 2);
    ck_assert_uint_eq(back.created_ms, 1795436614931ULL);
    ck_assert_mem_eq(back.digest, s->digest, SPOOL_DIGEST_LEN);
    ck_assert_uint_eq(len, pblen);
    ck_assert_mem_eq(payload, pb, pblen);                /* exactly the wire bytes */
    /* The whole file: the header, then the same bytes (what probe sends). */
    uint8_t *file;
    size_t flen;
    ck_assert_int_eq(spool_read(&sp, s->id, &file, &flen, err, sizeof err), 0);
    ck_assert_uint_eq(spool_payload_offset(file, flen), SPOOL_HEADER_LEN);
    ck_assert_uint_eq(flen, SPOOL_HEADER_LEN + pblen);
    free(file);
    free(payload);
    free(pb);
    submission_destroy(&s);
}
END_TEST

START_TEST(bad_headers_are_refused)
{
    uint8_t *pb;
    size_t pblen;
    submission_t *s = sample_packed(&pb, &pblen);
    spool_header_t h;
    spool_header_of(&h, s);
    ck_assert_int_eq(spool_put_submission(&sp, "good", &h, pb, pblen, err, sizeof err), 0);
    uint8_t *file;
    size_t flen;
    ck_assert_int_eq(spool_read(&sp, "good", &file, &flen, err, sizeof err), 0);
    uint8_t *payload = NULL;
    size_t len;
    spool_header_t back;

    write_raw("short", file, SPOOL_HEADER_LEN - 1);      /* truncated header */
    ck_assert_int_eq(spool_read_submission(&sp, "short", &back, &payload, &len, err, sizeof err), -2);
    ck_assert_ptr_nonnull(strstr(err, "truncated"));

    uint8_t *bad = malloc(flen);
    memcpy(bad, file, flen);
    bad[9] = 9;                                           /* version 9 */
    write_raw("version", bad, flen);
    ck_assert_int_eq(spool_read_submission(&sp, "version", &back, &payload, &len, err, sizeof err), -2);
    ck_assert_ptr_nonnull(strstr(err, "version"));

    memcpy(bad, file, flen);
    memset(bad + 60, 0, SUBMISSION_ID_MAX + 1);          /* no id */
    write_raw("noid", bad, flen);
    ck_assert_int_eq(spool_read_submission(&sp, "noid", &back, &payload, &len, err, sizeof err), -2);
    ck_assert_ptr_nonnull(strstr(err, "id"));

    ck_assert_int_eq(spool_read_submission(&sp, "absent", &back, &payload, &len, err, sizeof err), -1);
    free(bad);
    free(file);
    free(pb);
    submission_destroy(&s);
}
END_TEST

START_TEST(earlier_release_files_still_read)
{
    uint8_t *pb;
    size_t pblen;
    submission_t *s = sample_packed(&pb, &pblen);
    write_raw("legacy", pb, pblen);                       /* the bare protobuf of before */
    spool_header_t back;
    uint8_t *payload;
    size_t len;
    ck_assert_int_eq(spool_read_submission(&sp, "legacy", &back, &payload, &len, err, sizeof err), 0);
    ck_assert_str_eq(back.id, s->id);
    ck_assert_str_eq(back.entity, "026001");
    ck_assert_uint_eq(back.facts, 2);
    ck_assert_uint_eq(back.created_ms, 1795436614931ULL);
    ck_assert_uint_eq(len, pblen);
    ck_assert_uint_eq(spool_payload_offset(pb, pblen), 0);
    free(payload);
    const uint8_t junk[] = "not a submission at all";
    write_raw("junk", junk, sizeof junk);
    ck_assert_int_eq(spool_read_submission(&sp, "junk", &back, &payload, &len, err, sizeof err), -2);
    free(pb);
    submission_destroy(&s);
}
END_TEST

/* A file changed on disk is refused by its digest, with the header's entity and year kept
 * for the message: one flipped bit in an amount, a cut payload, an empty file. */
START_TEST(damaged_files_are_refused)
{
    uint8_t *pb;
    size_t pblen;
    submission_t *s = sample_packed(&pb, &pblen);
    spool_header_t h, back;
    spool_header_of(&h, s);
    ck_assert_int_eq(spool_put_submission(&sp, "good", &h, pb, pblen, err, sizeof err), 0);
    uint8_t *file, *payload = NULL;
    size_t flen, len;
    ck_assert_int_eq(spool_read(&sp, "good", &file, &flen, err, sizeof err), 0);

    /* 331122000000 fen -> 331122001024 fen: bit 10 of the first amount's zigzag varint */
    submission_t *t = sample();
    t->facts[0].fen += 1024;
    uint8_t *tb;
    size_t tl;
    ck_assert_int_eq(wire_pack_submission(t, &tb, &tl), 0);
    ck_assert_uint_eq(tl, pblen);                         /* same length: only bits differ */
    size_t differ = 0;
    for (size_t i = 0; i < pblen; i++) differ += pb[i] != tb[i] ? 1 : 0;
    ck_assert_uint_ge(differ, 1);
    uint8_t *flipped = malloc(flen);
    memcpy(flipped, file, SPOOL_HEADER_LEN);
    memcpy(flipped + SPOOL_HEADER_LEN, tb, tl);
    write_raw("flipped", flipped, flen);
    ck_assert_int_eq(spool_read_submission(&sp, "flipped", &back, &payload, &len, err, sizeof err), -2);
    ck_assert_msg(strstr(err, "digest mismatch") != NULL, "%s", err);
    ck_assert_str_eq(back.entity, "026001");
    ck_assert_uint_eq(back.year, 2024);

    write_raw("cut", file, flen - 3);                     /* a truncated submission */
    ck_assert_int_eq(spool_read_submission(&sp, "cut", &back, &payload, &len, err, sizeof err), -2);
    ck_assert_msg(strstr(err, "does not decode") != NULL, "%s", err);
    ck_assert_str_eq(back.entity, "026001");

    write_raw("empty", file, 0);
    ck_assert_int_eq(spool_read_submission(&sp, "empty", &back, &payload, &len, err, sizeof err), -2);
    ck_assert_str_eq(err, "empty file");
    ck_assert_str_eq(back.entity, "");

    write_raw("magic", file, 5);                          /* cut inside the magic */
    ck_assert_int_eq(spool_read_submission(&sp, "magic", &back, &payload, &len, err, sizeof err), -2);
    ck_assert_msg(strstr(err, "truncated spool header") != NULL, "%s", err);

    free(flipped);
    free(tb);
    free(file);
    free(pb);
    submission_destroy(&t);
    submission_destroy(&s);
}
END_TEST

TESTKIT_MAIN("spool", setup, teardown, 0,
             damaged_files_are_refused,
             header_round_trip,
             bad_headers_are_refused,
             earlier_release_files_still_read)
