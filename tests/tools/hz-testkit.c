/* hz-testkit.c -- helper for the robustness integration tests (crash_kill9.sh, load.sh,
 * hostile_wire.sh). Not installed; lives in ${CMAKE_BINARY_DIR}/bin next to the real tools.
 *
 *   hz-testkit facts FILE|-
 *       Reads a CSV with a header naming at least entity, year, table, row, column, amount
 *       (a v1 submission file, or `huizong show --format csv` output) and prints one line
 *       per fact: entity TAB year TAB table TAB row TAB column TAB fen. Amounts go through
 *       core/amount.h, so "1,773.19", "1773.190000" and "1773.19" compare equal as fen.
 *
 *   hz-testkit make --out FILE --entity E --year Y [options]
 *       Writes the packed bytes of one deliberately hostile (or valid) Submission, built
 *       as a submission_t and packed by core/wire.c -- the encoder never validates, so
 *       anything the decoder must refuse can be expressed. See make_usage().
 *
 *   hz-testkit flip FILE OLD NEW
 *       Edits a spool file (or any packed Submission) in place: the first Fact.amount_fen
 *       equal to OLD fen becomes NEW, which must differ from it in exactly one bit of the
 *       encoded bytes (a bit flip on disk, not a re-encoding). Prints the offset and bit.
 *
 *   hz-testkit flood --to EP --count N --real FILE [--within MS]
 *       Peer A sends N garbage messages while peer B (another connection) sends the
 *       submission in FILE halfway through. Prints what each peer got back and how long
 *       B waited for its ack. Exit 0 if B was ACCEPTED within MS and A got only
 *       rejections. A reads its acks as they come, but the aggregator may still drop some
 *       when A's pipe is full (logged "ack for - not delivered"); the caller counts those.
 *
 *   hz-testkit fair --to EP --big-entity E --small-entity S --year Y [--big N] [--facts F]
 *                   [--name-len L] [--tries T] [--gap MS] [--window W] [--window-bytes B]
 *       The fair-service probe (tests/integration/fair_service.sh). Peer A streams N large
 *       submissions for E (F facts each, names L bytes: ~50 MB at the defaults), W at a
 *       time (and, with B, as many as fit in B bytes, at least one: the collector's
 *       --window-bytes), a new one (new id, new amounts) as each ack comes (the N are packed before
 *       the clock starts, so the probe's own packing is not timed); peer B meanwhile sends T
 *       one-fact submissions for S, one every MS ms whether or not the earlier ones are
 *       answered (open loop: a stall shows in every one it delays), and times each ack. Prints
 *       "small p50_ms=… p99_ms=… max_ms=… acked=… big_acked=… big_bytes=…". Exit 0 if
 *       every small one was ACCEPTED, 1 otherwise.
 *
 * Invariants: every amount is int64 fen end to end; every failure exits non-zero with a
 * message on stderr, so a test never mistakes a broken helper for a passing case.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include <sodium.h>

#include "amount.h"
#include "digest.h"
#include "options.h"
#include "sort.h"
#include "spool.h"
#include "csv.h"
#include "submission.h"
#include "tables.h"
#include "wire.h"

/* ------------------------------------------------------------------ facts */

static int read_all(const char *path, char **data, size_t *len)
{
    char err[256];
    if (strcmp(path, "-") != 0) {
        if (csv_slurp(path, data, len, err, sizeof err) == 0) return 0;
        fprintf(stderr, "hz-testkit: %s\n", err);
        return -1;
    }
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + n, 1, cap - n, stdin)) > 0) {
        n += got;
        if (n == cap) {
            char *grown = realloc(buf, cap * 2 + 1);
            if (!grown) { free(buf); buf = NULL; break; }
            buf = grown;
            cap *= 2;
        }
    }
    if (!buf) { fprintf(stderr, "hz-testkit: out of memory reading stdin\n"); return -1; }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

static int cmd_facts(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: hz-testkit facts FILE|-\n"); return 2; }
    char *data;
    size_t len;
    if (read_all(argv[1], &data, &len)) return 3;
    enum { F_ENTITY, F_YEAR, F_TABLE, F_ROW, F_COLUMN, F_AMOUNT, F_N };
    static const char *names[F_N] = { "entity", "year", "table", "row", "column", "amount" };
    int idx[F_N];
    csv_record_t rec;
    csv_record_init(&rec);
    size_t pos = csv_bom_length(data, len);
    uint32_t line = 1, start;
    const char *reason = NULL;
    int rc = 0, r, header = 1;
    while ((r = csv_next_record(data, len, &pos, &line, &rec, &start, &reason)) == 1) {
        if (header) {
            for (int f = 0; f < F_N; f++) {
                idx[f] = -1;
                for (size_t i = 0; i < rec.nfields; i++)
                    if (!strcmp(rec.fields[i], names[f])) idx[f] = (int)i;
                if (idx[f] < 0) {
                    fprintf(stderr, "hz-testkit: %s: no '%s' column in the header\n", argv[1], names[f]);
                    rc = 3;
                    goto out;
                }
            }
            header = 0;
            continue;
        }
        for (int f = 0; f < F_N; f++)
            if ((size_t)idx[f] >= rec.nfields) {
                fprintf(stderr, "hz-testkit: %s:%u: short record\n", argv[1], start);
                rc = 3;
                goto out;
            }
        const char *text = rec.fields[idx[F_AMOUNT]];
        int64_t fen;
        const char *why;
        if (amount_parse(text, strlen(text), &fen, &why)) {
            fprintf(stderr, "hz-testkit: %s:%u: amount '%s': %s\n", argv[1], start, text, why);
            rc = 3;
            goto out;
        }
        printf("%s\t%s\t%s\t%s\t%s\t%" PRId64 "\n", rec.fields[idx[F_ENTITY]], rec.fields[idx[F_YEAR]],
               rec.fields[idx[F_TABLE]], rec.fields[idx[F_ROW]], rec.fields[idx[F_COLUMN]], fen);
    }
    if (r < 0) {
        fprintf(stderr, "hz-testkit: %s:%u: %s\n", argv[1], line, reason);
        rc = 3;
    }
out:
    csv_record_free(&rec);
    free(data);
    return rc;
}

/* ------------------------------------------------------------------ make */

#define NUL_MARK "\x07"   /* a byte no generated value holds: becomes the NUL of --nul */

static void make_usage(FILE *f)
{
    fprintf(f,
        "usage: hz-testkit make --out FILE --entity E --year Y [--id ID] [--facts N]\n"
        "          [--fen V|max|min] [--table T] [--column C] [--row-len N] [--name-len N]\n"
        "          [--bad-utf8 entity|row|name|text] [--dup] [--scope S] [--truncate N]\n"
        "          [--text-len N] [--nul entity|row|name|source|id] [--digest HEX|zero]\n"
        "Fact i (1-based) is table T (default 3 expense), row \"total\" for i=1 else r<i>,\n"
        "column C (default 2 total), amount V fen (default 100), source line i+1.\n"
        "  --row-len N   fact 1's row is N bytes of 'x'   --name-len N  every name N bytes\n"
        "  --bad-utf8 W  put the byte 0xFF into W (fact 1's row/name, or the entity)\n"
        "  --dup         fact 2 repeats fact 1's table/row/column\n"
        "  --truncate N  write only the first N bytes of the packed message\n"
        "  --text-len N  a narrative text (Submission.text) of N bytes of 'a', named t.txt\n"

        "  --nul W       W (the entity, fact 1's row/name, the source or the id) gets \"\\0x\"\n"
        "                appended on the wire: a NUL inside the string, not at its end\n"
        "  --digest D    send Submission.digest: D in hex (64 digits), or 'zero', or 'auto'\n"
        "                (the real digest of the content, core/digest.h); default none\n");
}

static int cmd_make(int argc, char **argv)
{
    const char *out = NULL, *entity = NULL, *id = NULL, *bad = "", *nul = "", *digest = NULL;
    const char *fen_text = NULL;
    long year = -1, nfacts = 1, table = TABLE_EXPENSE, column = COL_TOTAL, scope = 0;
    long row_len = 0, name_len = 0, truncate_to = -1, text_len = -1;
    int dup = 0;
    /* numbers are taken as they are (out-of-range values are what some cases send) */
    const opt_t options[] = {
        opt_text("out", &out), opt_text("entity", &entity), opt_long("year", &year, LONG_MIN, LONG_MAX, NULL),
        opt_text("id", &id), opt_long("facts", &nfacts, LONG_MIN, LONG_MAX, NULL), opt_text("fen", &fen_text),
        opt_long("table", &table, LONG_MIN, LONG_MAX, NULL), opt_long("column", &column, LONG_MIN, LONG_MAX, NULL),
        opt_long("row-len", &row_len, LONG_MIN, LONG_MAX, NULL),
        opt_long("name-len", &name_len, LONG_MIN, LONG_MAX, NULL), opt_text("bad-utf8", &bad),
        opt_flag("dup", &dup), opt_long("scope", &scope, LONG_MIN, LONG_MAX, NULL),
        opt_long("truncate", &truncate_to, LONG_MIN, LONG_MAX, NULL),
        opt_long("text-len", &text_len, LONG_MIN, LONG_MAX, NULL), opt_text("nul", &nul),
        opt_text("digest", &digest), opt_end() };
    if (options_parse("hz-testkit make", options, argc, argv, make_usage) != OPTIONS_OK) return 2;
    /* --fen max / min: the int64 limits */
    int64_t fen = !fen_text ? 100 : !strcmp(fen_text, "max") ? INT64_MAX
                : !strcmp(fen_text, "min") ? INT64_MIN : strtoll(fen_text, NULL, 10);
    if (!out || !entity || year < 0 || year > UINT32_MAX || nfacts < 1 || nfacts > 10000000 ||
        row_len < 0 || name_len < 0 || (dup && nfacts < 2)) {
        make_usage(stderr);
        return 2;
    }
    submission_t *s = submission_new("", (uint32_t)year);
    if (!s) return 3;
    /* Written directly: submission_new() truncates to the field size, which is the point
     * of some cases (the entity's bytes are copied verbatim, up to its buffer). */
    snprintf(s->entity, sizeof s->entity, "%s", entity);
    if (!strcmp(bad, "entity")) s->entity[0] = (char)0xff;
    if (id) snprintf(s->id, sizeof s->id, "%s", id);
    else submission_new_id(s->id);
    s->scope = (scope_t)scope;
    s->created_ms = (uint64_t)time(NULL) * 1000;
    submission_set_source(s, "hz-testkit");

    char *longrow = NULL, *name = NULL;
    if (row_len) {
        longrow = malloc((size_t)row_len + 1);
        if (!longrow) return 3;
        memset(longrow, 'x', (size_t)row_len);
        longrow[row_len] = '\0';
    }
    name = malloc((size_t)name_len + 1);
    if (!name) return 3;
    memset(name, 'n', (size_t)name_len);
    name[name_len] = '\0';
    for (long i = 1; i <= nfacts; i++) {
        char row[32];
        if (i == 1 || (i == 2 && dup)) snprintf(row, sizeof row, "total");
        else snprintf(row, sizeof row, "r%ld", i);
        const char *r = (i == 1 && longrow) ? longrow : row;
        if (submission_add(s, (table_id)table, r, (column_id)column, fen, name, (uint32_t)i + 1)) {
            fprintf(stderr, "hz-testkit: out of memory\n");
            return 3;
        }
    }
    if (!strcmp(bad, "row")) s->facts[0].row[0] = (char)0xff;
    if (!strcmp(bad, "name")) {
        char *n = realloc(s->facts[0].name, 4);
        if (!n) return 3;
        memcpy(n, "a\xff" "b", 4);
        s->facts[0].name = n;
    }
    if (text_len >= 0) {
        char *t = malloc((size_t)text_len + 1);
        if (!t) return 3;
        memset(t, 'a', (size_t)text_len);
        if (!strcmp(bad, "text") && text_len > 0) t[text_len / 2] = (char)0xff;
        if (submission_set_text(s, "t.txt", t, (size_t)text_len)) return 3;
        free(t);
    }
    if (digest && !strcmp(digest, "auto")) {
        submission_seal(s);
    } else if (digest) {
        s->has_digest = 1;
        if (strcmp(digest, "zero") != 0 &&
            sodium_hex2bin(s->digest, sizeof s->digest, digest, strlen(digest), NULL, NULL, NULL)) {
            fprintf(stderr, "hz-testkit: --digest: not %d bytes of hex\n", SUBMISSION_DIGEST_LEN);
            return 2;
        }
    }
    /* --nul: the field's value gets NUL_MARK "x" appended here, and the mark byte becomes a
     * NUL in the packed bytes (a C string cannot hold one; the wire can). */
    char *nul_field = NULL;
    if (*nul) {
        char **slot = !strcmp(nul, "row") ? &s->facts[0].row : !strcmp(nul, "name") ? &s->facts[0].name
                    : !strcmp(nul, "source") ? &s->source : NULL;
        char fixed[SUBMISSION_ENTITY_MAX + 1];
        const char *base = slot ? *slot : !strcmp(nul, "entity") ? s->entity : !strcmp(nul, "id") ? s->id : NULL;
        if (!base) { make_usage(stderr); return 2; }
        size_t bl = strlen(base);
        nul_field = malloc(bl + 3);
        if (!nul_field) return 3;
        memcpy(nul_field, base, bl);
        memcpy(nul_field + bl, NUL_MARK "x", 3);
        if (slot) {
            char *copy = strdup(nul_field);
            if (!copy) return 3;
            free(*slot);
            *slot = copy;
        } else {
            char *dst = !strcmp(nul, "entity") ? s->entity : s->id;
            if (bl + 2 > SUBMISSION_ENTITY_MAX) { fprintf(stderr, "hz-testkit: --nul: too long\n"); return 2; }
            snprintf(fixed, sizeof fixed, "%s", nul_field);
            memcpy(dst, fixed, strlen(fixed) + 1);
        }
    }
    uint8_t *buf;
    size_t len;
    if (wire_pack_submission(s, &buf, &len)) { fprintf(stderr, "hz-testkit: pack failed\n"); return 3; }
    if (nul_field) {
        uint8_t *at = memmem(buf, len, nul_field, strlen(nul_field));
        if (!at) { fprintf(stderr, "hz-testkit: --nul: value not found in the packed bytes\n"); return 3; }
        at[strlen(nul_field) - 2] = 0;
        free(nul_field);
    }
    if (truncate_to >= 0 && (size_t)truncate_to < len) len = (size_t)truncate_to;
    FILE *f = fopen(out, "wb");
    if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
        fprintf(stderr, "hz-testkit: cannot write %s: %s\n", out, strerror(errno));
        return 3;
    }
    printf("%s %zu bytes id=%s\n", out, len, s->id);
    free(buf);
    free(longrow);
    free(name);
    submission_destroy(&s);
    return 0;
}

/* ------------------------------------------------------------------ flip */

/* The varint of v into out (at most 10 bytes); returns its length. */
static size_t varint_put(uint8_t *out, uint64_t v)
{
    size_t n = 0;
    do {
        out[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v) out[n] |= 0x80;
        n++;
    } while (v);
    return n;
}

static int cmd_flip(int argc, char **argv)
{
    if (argc != 4) { fprintf(stderr, "usage: hz-testkit flip FILE OLD NEW\n"); return 2; }
    int64_t from = strtoll(argv[2], NULL, 10), to = strtoll(argv[3], NULL, 10);
    /* Fact.amount_fen is field 4, sint64: tag 0x20, then the zigzag varint */
    uint8_t a[11] = { 0x20 }, b[11] = { 0x20 };
    size_t na = 1 + varint_put(a + 1, ((uint64_t)from << 1) ^ (uint64_t)(from >> 63));
    size_t nb = 1 + varint_put(b + 1, ((uint64_t)to << 1) ^ (uint64_t)(to >> 63));
    int bits = 0, bit = -1;
    size_t at_byte = 0;
    for (size_t i = 0; i < na && na == nb; i++)
        for (int k = 0; k < 8; k++)
            if ((a[i] ^ b[i]) >> k & 1) { bits++; bit = k; at_byte = i; }
    if (na != nb || bits != 1) {
        fprintf(stderr, "hz-testkit: flip: %s and %s are not one bit apart on the wire\n", argv[2], argv[3]);
        return 2;
    }
    FILE *f = fopen(argv[1], "r+b");
    if (!f) { fprintf(stderr, "hz-testkit: %s: %s\n", argv[1], strerror(errno)); return 3; }
    uint8_t buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    uint8_t *hit = memmem(buf, n, a, na);
    if (!hit) { fprintf(stderr, "hz-testkit: flip: no amount of %s fen in the first 64 KiB\n", argv[2]); fclose(f); return 3; }
    long off = (long)(hit - buf) + (long)at_byte;
    buf[off] ^= (uint8_t)(1u << bit);
    if (fseek(f, off, SEEK_SET) || fwrite(&buf[off], 1, 1, f) != 1 || fclose(f)) {
        fprintf(stderr, "hz-testkit: flip: cannot write %s\n", argv[1]);
        return 3;
    }
    printf("flipped bit %d of byte %ld: %s -> %s fen\n", bit, off, argv[2], argv[3]);
    return 0;
}

/* ------------------------------------------------------------------ flood */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *flood_socket(void *ctx, const char *to)
{
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(s, to) != 0) {
        fprintf(stderr, "hz-testkit: cannot connect to %s: %s\n", to, zmq_strerror(errno));
        return NULL;
    }
    return s;
}

/* Receives one ack from s into ack. 0, or -1 if what came back is not an ack. */
static int flood_recv(void *s, ack_t *ack)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    int rc = -1;
    if (zmq_msg_recv(&msg, s, ZMQ_DONTWAIT) >= 0) {
        char err[256];
        ack_init(ack);
        rc = wire_unpack_ack(zmq_msg_data(&msg), zmq_msg_size(&msg), ack, err, sizeof err);
        if (rc) fprintf(stderr, "hz-testkit: unreadable reply: %s\n", err);
    }
    zmq_msg_close(&msg);
    return rc;
}

static int cmd_flood(int argc, char **argv)
{
    const char *to = NULL, *real = NULL;
    long count = 2000, within = 5000;
    const opt_t options[] = { opt_text("to", &to), opt_long("count", &count, LONG_MIN, LONG_MAX, NULL),
                              opt_text("real", &real), opt_long("within", &within, LONG_MIN, LONG_MAX, NULL),
                              opt_end() };
    if (options_parse("hz-testkit flood", options, argc, argv, NULL) != OPTIONS_OK) goto usage;
    if (!to || !real || count < 2 || within < 1) goto usage;
    char *payload;
    size_t plen;
    if (read_all(real, &payload, &plen)) return 3;
    size_t skip = spool_payload_offset((const uint8_t *)payload, plen);   /* a spool file: its submission */
    memmove(payload, payload + skip, plen - skip);
    plen -= skip;

    void *ctx = zmq_ctx_new();
    void *a = flood_socket(ctx, to), *b = flood_socket(ctx, to);
    if (!a || !b) return 3;
    static const char garbage[] = "\xff\xfe garbage that is not a protobuf Submission \x01\x02";
    long sent = 0, rejected = 0, other = 0;
    int64_t b_sent_at = -1, b_waited = -1, start = now_ms(), limit = 30000;
    ack_t back;
    int b_status = ACK_NONE;
    char b_reason[512] = "", b_line[700] = "";
    int64_t last_ack = now_ms();
    /* Until everything is sent and answered, or the acks stop coming for a second: the
     * aggregator drops (and logs) acks to a peer whose pipe is full, by design. */
    while ((sent < count || b_waited < 0 ||
            (rejected + other < count && now_ms() - last_ack < 1000)) &&
           now_ms() - start < limit) {
        zmq_pollitem_t items[2] = {
            { a, 0, (short)(ZMQ_POLLIN | (sent < count ? ZMQ_POLLOUT : 0)), 0 },
            { b, 0, ZMQ_POLLIN, 0 } };
        if (zmq_poll(items, 2, 100) < 0 && errno != EINTR) break;
        if ((items[0].revents & ZMQ_POLLOUT) && sent < count) {
            if (zmq_send(a, garbage, sizeof garbage - 1, ZMQ_DONTWAIT) >= 0) sent++;
            if (sent == count / 2 && b_sent_at < 0) {
                if (zmq_send(b, payload, plen, 0) < 0) {
                    fprintf(stderr, "hz-testkit: send real: %s\n", zmq_strerror(errno));
                    return 3;
                }
                b_sent_at = now_ms();
            }
        }
        if (items[0].revents & ZMQ_POLLIN) {
            while (flood_recv(a, &back) == 0) {
                last_ack = now_ms();
                if (back.status == ACK_REJECTED) rejected++;
                else other++;
                if (rejected == 1) printf("flood first reason=%s\n", back.reason);
                ack_clear(&back);
            }
        }
        if ((items[1].revents & ZMQ_POLLIN) && flood_recv(b, &back) == 0) {
            b_waited = now_ms() - b_sent_at;
            b_status = back.status;
            snprintf(b_reason, sizeof b_reason, "%s", back.reason[0] ? back.reason : "-");
            snprintf(b_line, sizeof b_line, "entity=%s year=%u version=%u replayed=%d",
                     back.entity, back.year, back.version, back.replayed);
            ack_clear(&back);
        }
    }
    printf("flood sent=%ld rejected=%ld other=%ld\n", sent, rejected, other);
    printf("real status=%s %s waited_ms=%" PRId64 " reason=%s\n",
           b_status == ACK_ACCEPTED ? "ACCEPTED" : b_status == ACK_REJECTED ? "REJECTED" : "NONE",
           b_line, b_waited, b_reason);
    zmq_close(a);
    zmq_close(b);
    zmq_ctx_term(ctx);
    free(payload);
    return (rejected > 0 && other == 0 && b_status == ACK_ACCEPTED && b_waited <= within) ? 0 : 1;
usage:
    fprintf(stderr, "usage: hz-testkit flood --to EP --count N --real FILE [--within MS]\n");
    return 2;
}

/* ------------------------------------------------------------------ fair */

static int fair_pack(const char *entity, long year, long nfacts, long name_len, int64_t fen,
                     char id_out[SUBMISSION_ID_MAX + 1], uint8_t **buf, size_t *len)
{
    submission_t *s = submission_new(entity, (uint32_t)year);
    if (!s) return -1;
    submission_new_id(s->id);
    if (id_out) memcpy(id_out, s->id, SUBMISSION_ID_MAX + 1);
    s->created_ms = (uint64_t)time(NULL) * 1000;
    submission_set_source(s, "hz-testkit-fair");
    char *name = malloc((size_t)name_len + 1);
    if (!name) return -1;
    memset(name, 'n', (size_t)name_len);
    name[name_len] = '\0';
    int rc = 0;
    for (long i = 1; i <= nfacts && rc == 0; i++) {
        char row[32];
        if (i == 1) snprintf(row, sizeof row, "total");
        else snprintf(row, sizeof row, "r%ld", i);
        rc = submission_add(s, TABLE_EXPENSE, row, COL_TOTAL, fen, name, (uint32_t)i + 1);
    }
    free(name);
    if (rc == 0) rc = wire_pack_submission(s, buf, len);
    submission_destroy(&s);
    return rc ? -1 : 0;
}

static int fair_cmp_ms(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmd_fair(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "to", required_argument, 0, 't' }, { "big-entity", required_argument, 0, 'B' },
        { "small-entity", required_argument, 0, 'S' }, { "year", required_argument, 0, 'y' },
        { "big", required_argument, 0, 'n' }, { "facts", required_argument, 0, 'f' },
        { "name-len", required_argument, 0, 'N' }, { "tries", required_argument, 0, 'T' },
        { "gap", required_argument, 0, 'g' }, { "window", required_argument, 0, 'w' },
        { "window-bytes", required_argument, 0, 'W' }, { 0, 0, 0, 0 } };
    const char *to = NULL, *big_e = NULL, *small_e = NULL;
    long year = 2024, nbig = 6, facts = 100000, name_len = 480, tries = 50, gap = 100, window = 6;
    long window_bytes = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 't': to = optarg; break;
        case 'B': big_e = optarg; break;
        case 'S': small_e = optarg; break;
        case 'y': year = strtol(optarg, NULL, 10); break;
        case 'n': nbig = strtol(optarg, NULL, 10); break;
        case 'f': facts = strtol(optarg, NULL, 10); break;
        case 'N': name_len = strtol(optarg, NULL, 10); break;
        case 'T': tries = strtol(optarg, NULL, 10); break;
        case 'g': gap = strtol(optarg, NULL, 10); break;
        case 'w': window = strtol(optarg, NULL, 10); break;
        case 'W': window_bytes = strtol(optarg, NULL, 10); break;
        default: goto usage;
        }
    }
    if (!to || !big_e || !small_e || nbig < 1 || facts < 1 || tries < 1 || window < 1 || gap < 0 ||
        window_bytes < 0)
        goto usage;
    void *ctx = zmq_ctx_new();
    void *a = flood_socket(ctx, to), *b = flood_socket(ctx, to);
    if (!a || !b) return 3;
    int64_t *lat = calloc((size_t)tries, sizeof *lat), *sent_at = calloc((size_t)tries, sizeof *sent_at);
    char (*ids)[SUBMISSION_ID_MAX + 1] = calloc((size_t)tries, sizeof *ids);
    if (!lat || !sent_at || !ids) return 3;
    long big_sent = 0, big_acked = 0, big_inflight = 0, small_sent = 0, small_done = 0, small_ok = 0;
    size_t big_bytes = 0;
    /* The N large submissions are packed before the clock starts: packing one takes this
     * single-threaded probe ~0.5 s, during which it would read no ack and send no small
     * one, and that delay would be counted as the aggregator's (beyond N, while the small
     * ones are still going, they are packed on the way as before). */
    uint8_t **pre = calloc((size_t)nbig, sizeof *pre);
    size_t *pre_len = calloc((size_t)nbig, sizeof *pre_len);
    if (!pre || !pre_len) return 3;
    long npre = nbig;
    for (long i = 0; i < npre; i++)
        if (fair_pack(big_e, year, facts, name_len, 100 + i, NULL, &pre[i], &pre_len[i])) return 3;
    int64_t next_small = now_ms() + 200, start = now_ms();
    ack_t back;
    while (small_done < tries && now_ms() - start < 120000) {
        /* keep W large submissions in flight from A, and (--window-bytes, as the collector's
         * sender does) at most B bytes unless one alone is larger: the large ones are all of
         * one size, so the next one's is the first one's */
        while (big_inflight < window && big_sent < nbig &&
               !(window_bytes && big_inflight &&
                 (size_t)(big_inflight + 1) * big_bytes > (size_t)window_bytes)) {
            uint8_t *buf;
            size_t len;
            if (big_sent < npre) {
                buf = pre[big_sent];
                len = pre_len[big_sent];
                pre[big_sent] = NULL;
            } else if (fair_pack(big_e, year, facts, name_len, 100 + big_sent, NULL, &buf, &len)) {
                return 3;
            }
            if (zmq_send(a, buf, len, 0) < 0) { fprintf(stderr, "hz-testkit: send big: %s\n", zmq_strerror(errno)); return 3; }
            if ((size_t)len > big_bytes) big_bytes = len;
            free(buf);
            big_sent++;
            big_inflight++;
        }
        if (small_sent < tries && now_ms() >= next_small) {
            uint8_t *buf;
            size_t len;
            if (fair_pack(small_e, year, 1, 4, 100 + small_sent, ids[small_sent], &buf, &len)) return 3;
            if (zmq_send(b, buf, len, 0) < 0) { fprintf(stderr, "hz-testkit: send small: %s\n", zmq_strerror(errno)); return 3; }
            free(buf);
            sent_at[small_sent++] = now_ms();
            next_small += gap;
        }
        zmq_pollitem_t items[2] = { { a, 0, ZMQ_POLLIN, 0 }, { b, 0, ZMQ_POLLIN, 0 } };
        if (zmq_poll(items, 2, 5) < 0 && errno != EINTR) break;
        while ((items[0].revents & ZMQ_POLLIN) && flood_recv(a, &back) == 0) {
            big_acked++;
            big_inflight--;
            if (big_sent >= nbig) nbig++;   /* keep streaming until the small ones are done */
            ack_clear(&back);
        }
        while ((items[1].revents & ZMQ_POLLIN) && flood_recv(b, &back) == 0) {
            long k = -1;
            for (long i = 0; i < small_sent; i++)
                if (!strcmp(ids[i], back.submission_id)) { k = i; break; }
            if (k >= 0 && sent_at[k] >= 0) {
                lat[small_done++] = now_ms() - sent_at[k];
                sent_at[k] = -1;
                if (back.status == ACK_ACCEPTED) small_ok++;
                else fprintf(stderr, "hz-testkit: small submission not accepted: %s\n", back.reason);
            }
            ack_clear(&back);
        }
    }
    sort_array(lat, (size_t)small_done, sizeof *lat, fair_cmp_ms);
    int64_t p50 = small_done ? lat[(small_done - 1) / 2] : -1;
    int64_t p99 = small_done ? lat[(small_done * 99 + 99) / 100 - 1] : -1;
    int64_t mx = small_done ? lat[small_done - 1] : -1;
    printf("small p50_ms=%" PRId64 " p99_ms=%" PRId64 " max_ms=%" PRId64 " acked=%ld/%ld big_acked=%ld big_bytes=%zu\n",
           p50, p99, mx, small_ok, tries, big_acked, big_bytes);
    for (long i = 0; i < npre; i++) free(pre[i]);
    free(pre);
    free(pre_len);
    free(lat);
    free(sent_at);
    free(ids);
    zmq_close(a);
    zmq_close(b);
    zmq_ctx_term(ctx);
    return small_ok == tries ? 0 : 1;
usage:
    fprintf(stderr, "usage: hz-testkit fair --to EP --big-entity E --small-entity S [--year Y] [--big N]\n"
                    "          [--facts F] [--name-len L] [--tries T] [--gap MS] [--window W]\n"
                    "          [--window-bytes B]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "fair")) return cmd_fair(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "facts")) return cmd_facts(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "make")) return cmd_make(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "flood")) return cmd_flood(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "flip")) return cmd_flip(argc - 1, argv + 1);
    fprintf(stderr, "usage: hz-testkit facts|make|flood ... (see the comment in tests/tools/hz-testkit.c)\n");
    return 2;
}
