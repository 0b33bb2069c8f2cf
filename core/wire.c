/* wire.c -- submission_t / ack_t / finding_t to and from protobuf (proto/huizong.proto).
 *
 * Invariants: the protobuf-c structs never escape this file. Decoding distrusts its input:
 * bytes protobuf-c refuses are "malformed protobuf"; every enum number, string length and
 * string encoding is checked before anything is copied into fixed-size fields, and a
 * decoded submission has passed submission_validate(). No input may crash the decoder
 * (it is a fuzz target).
 */
#include "errors.h"
#include "wire.h"

#include <assert.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "huizong.pb-c.h"
#include "utf8.h"

#define WIRE_SOURCE_MAX 4096
#define WIRE_TEXT_MAX 65536     /* explanations and reasons */

/* NULL-safe: protobuf-c gives "" for absent proto3 strings, but a hand-built message may
 * carry NULL. */
static const char *str(const char *s) { return s ? s : ""; }

/* ---- decoding with lengths: the allocator a submission is unpacked with ----
 *
 * protobuf-c hands a string field back NUL-terminated and forgets its length, so
 * "026001\0x" would read as "026001". It allocates every string as exactly its wire length
 * + 1 (protobuf-c.c, parse_required_member), so an allocator that records each block's size
 * in front of it gives the length back: a string whose strlen + 1 is not its block size
 * holds a NUL and is refused (wire_nul_str). Blocks are aligned as malloc's are.
 *
 * The allocator is an arena (wire_arena_t): every allocation of one unpack is carved from a
 * few large blocks and all of them are given back at once when the message is freed, the
 * strings a submission keeps having been copied out first (wire_copy_str). Why: a 50 MB
 * message unpacks into ~300,000 small blocks; with malloc, the ones kept (the rows' codes)
 * sat between the ones freed and the ~60 MB around them could not go back to the system
 * while the submission lived. Blocks from WIRE_ARENA_MMAP up are mapped, so they always do. */
#define WIRE_ALLOC_PREFIX 16
_Static_assert(WIRE_ALLOC_PREFIX >= sizeof(size_t) && WIRE_ALLOC_PREFIX % _Alignof(max_align_t) == 0,
               "the size prefix keeps malloc's alignment");
#define WIRE_ARENA_FIRST_MIN (16u << 10)     /* the first block: twice the message, within */
#define WIRE_ARENA_BLOCK_MAX (8u << 20)      /* ... these, doubling up to the max */
#define WIRE_ARENA_MMAP (256u << 10)         /* blocks this large are mapped, not malloc'd */

typedef struct wire_block {
    struct wire_block *next;
    size_t size, used;          /* bytes of data after the header */
    int mapped;
    max_align_t align[];        /* data starts here, aligned */
} wire_block_t;

typedef struct {
    wire_block_t *head;
    size_t next_size;
} wire_arena_t;

static void *wire_alloc(void *data, size_t size)
{
    wire_arena_t *a = data;
    if (size > SIZE_MAX - 2 * WIRE_ALLOC_PREFIX - sizeof(wire_block_t)) return NULL;
    size_t need = WIRE_ALLOC_PREFIX + ((size + WIRE_ALLOC_PREFIX - 1) & ~(size_t)(WIRE_ALLOC_PREFIX - 1));
    wire_block_t *b = a->head;
    if (!b || b->size - b->used < need) {
        size_t bsize = a->next_size;
        while (bsize < need) bsize = bsize > SIZE_MAX / 2 ? need : bsize * 2;
        size_t total = sizeof *b + bsize;
        int mapped = total >= WIRE_ARENA_MMAP;
        if (mapped) {
            void *p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            b = p == MAP_FAILED ? NULL : p;
        } else {
            b = malloc(total);
        }
        if (!b) return NULL;
        b->next = a->head;
        b->size = bsize;
        b->used = 0;
        b->mapped = mapped;
        a->head = b;
        if (a->next_size < WIRE_ARENA_BLOCK_MAX) a->next_size *= 2;
    }
    uint8_t *p = (uint8_t *)b->align + b->used;
    b->used += need;
    memcpy(p, &size, sizeof size);
    return p + WIRE_ALLOC_PREFIX;
}

static void wire_free(void *data, void *ptr)
{
    (void)data;     /* the arena gives everything back at once (wire_arena_release) */
    (void)ptr;
}

static void wire_arena_init(wire_arena_t *a, ProtobufCAllocator *alloc, size_t msg_len)
{
    a->head = NULL;
    a->next_size = msg_len < WIRE_ARENA_FIRST_MIN / 2 ? WIRE_ARENA_FIRST_MIN
                 : msg_len > WIRE_ARENA_BLOCK_MAX / 2 ? WIRE_ARENA_BLOCK_MAX : msg_len * 2;
    alloc->alloc = wire_alloc;
    alloc->free = wire_free;
    alloc->allocator_data = a;
}

static void wire_arena_release(wire_arena_t *a)
{
    for (wire_block_t *b = a->head, *next; b; b = next) {
        next = b->next;
        if (b->mapped) munmap(b, sizeof *b + b->size);
        else free(b);
    }
    a->head = NULL;
}

/* Whether a string of a message unpacked with the arena allocator holds a NUL byte before its
 * end (the static empty default never does). */
static int wire_nul_str(const char *s)
{
    if (!s || s == protobuf_c_empty_string) return 0;
    size_t size;
    memcpy(&size, s - WIRE_ALLOC_PREFIX, sizeof size);
    return strlen(s) + 1 != size;
}

/* A decoded string: at most max bytes and valid UTF-8. */
static int check_str(const char *what, const char *s, size_t max, char *err, size_t errlen)
{
    size_t n = strnlen(str(s), max + 1);
    if (n > max) return error_set(err, errlen, "%s longer than %zu bytes", what, max);
    if (!submission_utf8_valid(str(s), n)) return error_set(err, errlen, "%s is not valid UTF-8", what);
    return 0;
}

/* ---------------------------------------------------------------- submissions */

static void wire_text_pack(Huizong__Submission *m, const submission_t *s);

/* Fills m from s; *facts and *ptrs are the arrays m points at (caller frees both).
 * Strings are borrowed from s. 0 or -1 (no memory). */
static int s_fill_submission(Huizong__Submission *m, const submission_t *s, Huizong__Fact **facts_out,
                             Huizong__Fact ***ptrs_out)
{
    Huizong__Submission init = HUIZONG__SUBMISSION__INIT;
    *m = init;
    Huizong__Fact *facts = NULL, **ptrs = NULL;
    if (s->count) {
        facts = calloc(s->count, sizeof *facts);
        ptrs = calloc(s->count, sizeof *ptrs);
        if (!facts || !ptrs) { free(facts); free(ptrs); return -1; }
    }
    for (size_t i = 0; i < s->count; i++) {
        const fact_t *f = &s->facts[i];
        Huizong__Fact finit = HUIZONG__FACT__INIT;
        facts[i] = finit;
        facts[i].table = (Huizong__Table)f->table;
        facts[i].column = (Huizong__Column)f->column;
        facts[i].row = (char *)str(f->row);
        facts[i].name = (char *)str(f->name);
        facts[i].amount_fen = f->fen;
        facts[i].source_line = f->line;
        facts[i].unit_fen = f->unit_fen;
        ptrs[i] = &facts[i];
    }
    m->id = (char *)s->id;
    m->entity = (char *)s->entity;
    m->year = s->year;
    m->n_facts = s->count;
    m->facts = ptrs;
    m->source = (char *)str(s->source);
    m->created_ms = s->created_ms;
    m->scope = (Huizong__Scope)s->scope;
    if (s->has_digest) {
        m->digest.data = (uint8_t *)s->digest;
        m->digest.len = SUBMISSION_DIGEST_LEN;
    }
    wire_text_pack(m, s);
    *facts_out = facts;
    *ptrs_out = ptrs;
    return 0;
}

static int s_pack_message(const Huizong__Submission *m, uint8_t **buf, size_t *len)
{
    size_t n = huizong__submission__get_packed_size(m);
    uint8_t *out = malloc(n ? n : 1);
    if (!out) return -1;
    *len = huizong__submission__pack(m, out);
    *buf = out;
    return 0;
}

int wire_pack_submission_pbc(const submission_t *s, uint8_t **buf, size_t *len)
{
    Huizong__Submission m;
    Huizong__Fact *facts, **ptrs;
    if (s_fill_submission(&m, s, &facts, &ptrs)) return -1;
    int rc = s_pack_message(&m, buf, len);
    free(facts);
    free(ptrs);
    return rc;
}

int wire_pack_group_pbc(const submission_group_t *g, uint8_t **buf, size_t *len)
{
    Huizong__Submission m = HUIZONG__SUBMISSION__INIT;
    Huizong__Submission *members = calloc(g->count ? g->count : 1, sizeof *members);
    Huizong__Submission **mptrs = calloc(g->count ? g->count : 1, sizeof *mptrs);
    Huizong__Fact **facts = calloc(g->count ? g->count : 1, sizeof *facts);
    Huizong__Fact ***fptrs = calloc(g->count ? g->count : 1, sizeof *fptrs);
    int rc = -1;
    size_t filled = 0;
    if (!members || !mptrs || !facts || !fptrs) goto done;
    for (; filled < g->count; filled++) {
        if (s_fill_submission(&members[filled], g->members[filled], &facts[filled], &fptrs[filled]))
            goto done;
        mptrs[filled] = &members[filled];
    }
    m.id = (char *)g->id;
    m.source = (char *)str(g->source);
    m.n_members = g->count;
    m.members = mptrs;
    if (g->has_digest) {
        m.digest.data = (uint8_t *)g->digest;
        m.digest.len = SUBMISSION_DIGEST_LEN;
    }
    rc = s_pack_message(&m, buf, len);
done:
    for (size_t i = 0; i < filled; i++) { free(facts[i]); free(fptrs[i]); }
    free(members);
    free(mptrs);
    free(facts);
    free(fptrs);
    return rc;
}

/* A string field of an unpacked message: "" for protobuf-c's static empty default. */
static const char *wire_str(const char *field)
{
    return !field || field == protobuf_c_empty_string ? "" : field;
}

/* A string of the message (wire_str) as a malloc'd string the caller owns, copied out of
 * the arena (its length is in the block's prefix: no strlen); or, when it equals prev (the
 * same field of the fact before, already copied), prev itself: shared, not copied
 * (submission.h, "shared strings"). NULL only when out of memory. */
static char *wire_copy_str(const char *field, char *prev)
{
    size_t n = 0;
    if (*field) {
        memcpy(&n, field - WIRE_ALLOC_PREFIX, sizeof n);
        n--;                    /* the block holds the string and its NUL (check_submission) */
    }
    if (prev && strcmp(prev, field) == 0) return prev;     /* prev may be shorter: not memcmp */
    char *copy = malloc(n + 1);
    if (copy) memcpy(copy, field, n + 1);
    return copy;
}

/* Facts from..count still point at the message's strings: not the submission's to free. */
static void wire_forget_strings(submission_t *s, size_t from)
{
    for (size_t k = from; k < s->count; k++) s->facts[k].row = s->facts[k].name = NULL;
}

/* ---- the narrative text (fields 16, 17): kept apart from the other fields ---- */

static void wire_text_pack(Huizong__Submission *m, const submission_t *s)
{
    if (!s->text) return;
    m->text.data = (uint8_t *)s->text;
    m->text.len = s->text_len;
    m->text_name = (char *)str(s->text_name);
}

/* A text of the message: size (before anything is copied) and UTF-8, name included. */
static int wire_text_check(const Huizong__Submission *m, char *err, size_t errlen)
{
    if (m->text.len == 0) return 0;
    if (m->text.len > SUBMISSION_TEXT_MAX)   /* without scanning 64 MB of hostile bytes */
        return error_set(err, errlen, "text: %zu bytes, more than the limit of %u bytes",
                         m->text.len, SUBMISSION_TEXT_MAX);
    if (check_str("text name", m->text_name, SUBMISSION_TEXT_NAME_MAX, err, errlen)) return -1;
    return submission_text_check((const char *)m->text.data, m->text.len, str(m->text_name), err, errlen);
}

static int wire_text_unpack(const Huizong__Submission *m, submission_t *s)
{
    if (m->text.len == 0) return 0;
    return submission_set_text(s, str(m->text_name), (const char *)m->text.data, m->text.len);
}

/* Checks the decoded message before anything is copied out of it. */
static int check_submission(const Huizong__Submission *m, char *err, size_t errlen)
{
    /* A NUL inside a string is refused, never cut (the message was unpacked with
     * the arena allocator, which keeps the lengths). */
    if (wire_nul_str(m->id)) return error_set(err, errlen, "submission id contains a NUL byte");
    if (wire_nul_str(m->entity)) return error_set(err, errlen, "entity contains a NUL byte");
    if (wire_nul_str(m->source)) return error_set(err, errlen, "source contains a NUL byte");
    if (m->digest.len != 0 && m->digest.len != SUBMISSION_DIGEST_LEN)
        return error_set(err, errlen, "digest is %zu bytes, not %d", m->digest.len,
                         SUBMISSION_DIGEST_LEN);
    if (check_str("submission id", m->id, SUBMISSION_ID_MAX, err, errlen)) return -1;
    if (check_str("entity", m->entity, SUBMISSION_ENTITY_MAX, err, errlen)) return -1;
    if (check_str("source", m->source, WIRE_SOURCE_MAX, err, errlen)) return -1;
    if (m->year < 1900 || m->year > 9999)
        return error_set(err, errlen, "year %u out of range 1900..9999", m->year);
    if ((int)m->scope < SCOPE_DEFAULT || (int)m->scope > SCOPE_CONSOLIDATED)
        return error_set(err, errlen, "unknown scope %d (newer collector? upgrade the aggregator)",
                    (int)m->scope);
    if (m->n_facts > SUBMISSION_FACTS_MAX)
        return error_set(err, errlen, "too many facts (%zu, at most %d)", m->n_facts,
                    SUBMISSION_FACTS_MAX);
    if (wire_text_check(m, err, errlen)) return -1;
    for (size_t i = 0; i < m->n_facts; i++) {
        const Huizong__Fact *f = m->facts[i];
        char what[64];
        if (!f) return error_set(err, errlen, "fact %zu: missing", i + 1);
        if (!table_valid((int)f->table))
            return error_set(err, errlen, "fact %zu: unknown table %d (newer collector? upgrade the "
                        "aggregator)", i + 1, (int)f->table);
        if (!column_valid((int)f->column))
            return error_set(err, errlen, "fact %zu: unknown column %d (newer collector? upgrade the "
                        "aggregator)", i + 1, (int)f->column);
        if (wire_nul_str(f->row)) return error_set(err, errlen, "fact %zu: row contains a NUL byte", i + 1);
        if (wire_nul_str(f->name)) return error_set(err, errlen, "fact %zu: name contains a NUL byte", i + 1);
        if (!fact_unit_fen_valid(f->unit_fen))
            return error_set(err, errlen, "fact %zu: unit_fen %u is not a power of ten from 1 to %u",
                             i + 1, f->unit_fen, FACT_UNIT_FEN_MAX);
        /* the label is formatted only for a failing fact: this loop runs for every fact */
        if (check_str("", f->row, SUBMISSION_ROW_MAX, NULL, 0)) {
            snprintf(what, sizeof what, "fact %zu: row", i + 1);
            return check_str(what, f->row, SUBMISSION_ROW_MAX, err, errlen);
        }
        if (check_str("", f->name, SUBMISSION_NAME_MAX, NULL, 0)) {
            snprintf(what, sizeof what, "fact %zu: name", i + 1);
            return check_str(what, f->name, SUBMISSION_NAME_MAX, err, errlen);
        }
    }
    return 0;
}

/* One decoded Submission message (a single one, or a member of a file) as a validated
 * submission_t. Takes the strings it keeps out of m. NULL with err. */
static submission_t *s_from_message(Huizong__Submission *m, char *err, size_t errlen)
{
    if (m->n_members) {
        error_set(err, errlen, "a part of a file cannot itself hold parts");
        return NULL;
    }
    if (check_submission(m, err, errlen)) return NULL;
    submission_t *s = submission_new(str(m->entity), m->year);
    if (!s) goto oom;
    snprintf(s->id, sizeof s->id, "%s", str(m->id));
    s->scope = (scope_t)m->scope;
    s->created_ms = m->created_ms;
    submission_set_source(s, str(m->source));
    if (wire_text_unpack(m, s)) goto oom;
    if (m->digest.len == SUBMISSION_DIGEST_LEN) {
        memcpy(s->digest, m->digest.data, SUBMISSION_DIGEST_LEN);
        s->has_digest = 1;
    }
    if (m->n_facts) {
        s->facts = malloc(m->n_facts * sizeof *s->facts);
        if (!s->facts) goto oom;
        s->cap = m->n_facts;
    }
    /* The facts first point at the message's strings (in the arena) while they are
     * validated (which names a bad fact by its place in the message, then sorts them), and
     * only then are their strings copied out, in sorted order: so a row's columns, next to
     * each other, share its code and name, and so do consecutive rows printing the same
     * name (submission.h, "shared strings"). */
    for (size_t i = 0; i < m->n_facts; i++) {
        const Huizong__Fact *f = m->facts[i];
        s->facts[s->count++] = (fact_t){ (table_id)f->table, (column_id)f->column,
                                         (char *)wire_str(f->row), (char *)wire_str(f->name),
                                         f->amount_fen, f->source_line, f->unit_fen };
    }
    if (submission_validate(s, err, errlen)) {
        wire_forget_strings(s, 0);
        submission_destroy(&s);
        return NULL;
    }
    for (size_t i = 0; i < s->count; i++) {
        fact_t *f = &s->facts[i];
        const fact_t *prev = i ? &s->facts[i - 1] : NULL;
        f->row = wire_copy_str(f->row, prev ? prev->row : NULL);
        f->name = f->row ? wire_copy_str(f->name, prev ? prev->name : NULL) : NULL;
        if (!f->row || !f->name) {
            wire_forget_strings(s, i + 1);
            goto oom;
        }
    }
    return s;
oom:
    submission_destroy(&s);
    error_set(err, errlen, "out of memory");
    return NULL;
}

submission_t *wire_unpack_submission(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    wire_arena_t arena;
    ProtobufCAllocator alloc;
    wire_arena_init(&arena, &alloc, len);
    Huizong__Submission *m = huizong__submission__unpack(&alloc, len, buf);
    submission_t *s = NULL;
    if (!m)
        error_set(err, errlen, "malformed protobuf");
    else if (m->n_members)
        error_set(err, errlen, "a file of %zu parts where one submission was expected", m->n_members);
    else
        s = s_from_message(m, err, errlen);
    wire_arena_release(&arena);         /* the message with it: free_unpacked has nothing to do */
    return s;
}

/* The file (group) message m as a group; NULL with err naming the part that failed. */
static submission_group_t *s_group_from_message(Huizong__Submission *m, char *err, size_t errlen)
{
    if (wire_nul_str(m->id)) { error_set(err, errlen, "file id contains a NUL byte"); return NULL; }
    if (wire_nul_str(m->source)) { error_set(err, errlen, "source contains a NUL byte"); return NULL; }
    if (check_str("file id", m->id, SUBMISSION_ID_MAX, err, errlen) ||
        check_str("source", m->source, WIRE_SOURCE_MAX, err, errlen))
        return NULL;
    if (!*str(m->id)) { error_set(err, errlen, "file id is empty"); return NULL; }
    if (*str(m->entity) || m->year || m->n_facts) {
        error_set(err, errlen, "a file of parts carries no entity, year or facts of its own");
        return NULL;
    }
    if (m->n_members < 2 || m->n_members > GROUP_MEMBERS_MAX) {
        error_set(err, errlen, "a file of %zu parts (2..%d)", m->n_members, GROUP_MEMBERS_MAX);
        return NULL;
    }
    if (m->digest.len != 0 && m->digest.len != SUBMISSION_DIGEST_LEN) {
        error_set(err, errlen, "digest is %zu bytes, not %d", m->digest.len, SUBMISSION_DIGEST_LEN);
        return NULL;
    }
    submission_group_t *g = group_new(str(m->source));
    if (!g) { error_set(err, errlen, "out of memory"); return NULL; }
    snprintf(g->id, sizeof g->id, "%s", str(m->id));
    if (m->digest.len) {
        memcpy(g->digest, m->digest.data, SUBMISSION_DIGEST_LEN);
        g->has_digest = 1;
    }
    for (size_t i = 0; i < m->n_members; i++) {
        char why[512] = "";
        submission_t *s = m->members[i] ? s_from_message(m->members[i], why, sizeof why) : NULL;
        if (!s || group_add(g, s) != 0) {
            const Huizong__Submission *p = m->members[i];
            char ent[SUBMISSION_ENTITY_MAX + 1] = "?";
            if (p && !check_str("", p->entity, SUBMISSION_ENTITY_MAX, NULL, 0) && !wire_nul_str(p->entity))
                snprintf(ent, sizeof ent, "%s", str(p->entity));
            error_set(err, errlen, "part %zu (%s %u): %s", i + 1, ent, p ? p->year : 0,
                      s ? "out of memory" : why[0] ? why : "missing");
            submission_destroy(&s);
            group_destroy(&g);
            return NULL;
        }
        for (size_t k = 0; k < i; k++)
            if (g->members[k]->year == s->year && strcmp(g->members[k]->entity, s->entity) == 0) {
                error_set(err, errlen, "part %zu (%s %u): the same entity and year as part %zu",
                          i + 1, s->entity, s->year, k + 1);
                group_destroy(&g);
                return NULL;
            }
    }
    return g;
}

int wire_unpack_message(const uint8_t *buf, size_t len, submission_t **single,
                        submission_group_t **group, char *err, size_t errlen)
{
    *single = NULL;
    *group = NULL;
    wire_arena_t arena;
    ProtobufCAllocator alloc;
    wire_arena_init(&arena, &alloc, len);
    Huizong__Submission *m = huizong__submission__unpack(&alloc, len, buf);
    if (!m) {
        wire_arena_release(&arena);
        return error_set(err, errlen, "malformed protobuf");
    }
    if (m->n_members) *group = s_group_from_message(m, err, errlen);
    else *single = s_from_message(m, err, errlen);
    wire_arena_release(&arena);         /* the message with it: free_unpacked has nothing to do */
    return *single || *group ? 0 : -1;
}

/* ---------------------------------------------------------------- flags */

static void flag_from_finding(Huizong__Flag *m, const finding_t *f)
{
    Huizong__Flag init = HUIZONG__FLAG__INIT;
    *m = init;
    m->rule = (char *)f->rule;
    /* SEV_OFF never travels: a switched-off rule produces no flags. */
    m->severity = (f->severity >= SEV_ERROR && f->severity <= SEV_INFO)
                      ? (Huizong__Severity)f->severity : HUIZONG__SEVERITY__SEVERITY_UNSPECIFIED;
    m->verdict = (Huizong__Verdict)f->verdict;
    m->entity = (char *)f->entity;
    m->year = f->year;
    m->table = (Huizong__Table)f->table;
    m->row = (char *)f->row;
    m->column = (Huizong__Column)f->column;
    m->expected_fen = f->expected;
    m->actual_fen = f->actual;
    m->explanation = (char *)str(f->explanation);
    m->source_line = f->line;
    m->source = (char *)str(f->source);
    m->terms = f->terms;
}

/* Fills f from m (f's owned strings are fresh copies). On error f owns nothing. */
static int finding_from_flag(finding_t *f, const Huizong__Flag *m, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    if (check_str("flag rule", m->rule, sizeof f->rule - 1, err, errlen) ||
        check_str("flag entity", m->entity, sizeof f->entity - 1, err, errlen) ||
        check_str("flag row", m->row, sizeof f->row - 1, err, errlen) ||
        check_str("flag source", m->source, WIRE_SOURCE_MAX, err, errlen) ||
        check_str("flag explanation", m->explanation, WIRE_TEXT_MAX, err, errlen))
        return -1;
    if ((int)m->severity < 0 || (int)m->severity > SEV_INFO)
        return error_set(err, errlen, "flag: unknown severity %d", (int)m->severity);
    if ((int)m->verdict < 0 || (int)m->verdict > VERDICT_MISSING)
        return error_set(err, errlen, "flag: unknown verdict %d", (int)m->verdict);
    if ((int)m->table < 0 || (int)m->table >= TABLE_COUNT)
        return error_set(err, errlen, "flag: unknown table %d", (int)m->table);
    if ((int)m->column < 0 || (int)m->column >= COL_COUNT)
        return error_set(err, errlen, "flag: unknown column %d", (int)m->column);
    snprintf(f->rule, sizeof f->rule, "%s", str(m->rule));
    snprintf(f->entity, sizeof f->entity, "%s", str(m->entity));
    snprintf(f->row, sizeof f->row, "%s", str(m->row));
    f->severity = (severity_t)m->severity;
    f->verdict = (verdict_t)m->verdict;
    f->year = m->year;
    f->table = (table_id)m->table;
    f->column = (column_id)m->column;
    f->expected = m->expected_fen;
    f->actual = m->actual_fen;
    f->terms = m->terms;
    f->line = m->source_line;
    f->source = *str(m->source) ? strdup(m->source) : NULL;
    f->explanation = *str(m->explanation) ? strdup(m->explanation) : NULL;
    if ((*str(m->source) && !f->source) || (*str(m->explanation) && !f->explanation)) {
        finding_free(f);
        return error_set(err, errlen, "out of memory");
    }
    return 0;
}

int wire_pack_finding(const finding_t *f, uint8_t **buf, size_t *len)
{
    Huizong__Flag m;
    flag_from_finding(&m, f);
    size_t n = huizong__flag__get_packed_size(&m);
    uint8_t *out = malloc(n ? n : 1);
    if (!out) return -1;
    *len = huizong__flag__pack(&m, out);
    *buf = out;
    return 0;
}

int wire_unpack_finding(const uint8_t *buf, size_t len, finding_t *f)
{
    Huizong__Flag *m = huizong__flag__unpack(NULL, len, buf);
    if (!m) return -1;
    char err[128];
    int rc = finding_from_flag(f, m, err, sizeof err);
    huizong__flag__free_unpacked(m, NULL);
    return rc;
}

/* ---------------------------------------------------------------- acks */

void ack_init(ack_t *ack)
{
    memset(ack, 0, sizeof *ack);
    findings_init(&ack->flags);
}

void ack_clear(ack_t *ack)
{
    findings_clear(&ack->flags);
    for (size_t i = 0; i < ack->nmembers; i++) ack_clear(&ack->members[i]);
    free(ack->members);
    ack->members = NULL;
    ack->nmembers = 0;
}

ack_t *ack_add_member(ack_t *ack)
{
    ack_t *m = realloc(ack->members, (ack->nmembers + 1) * sizeof *m);
    if (!m) return NULL;
    ack->members = m;
    ack_init(&m[ack->nmembers]);
    return &m[ack->nmembers++];
}

/* The protobuf Ack of ack, built in freshly allocated arrays (strings borrowed);
 * s_ack_free releases them. -1 when out of memory (everything built is released). */
static void s_ack_free(Huizong__Ack *m)
{
    for (size_t i = 0; i < m->n_members; i++) s_ack_free(m->members[i]);
    free(m->members ? m->members[0] : NULL);   /* the members' structs are one array */
    free(m->members);
    free(m->flags ? m->flags[0] : NULL);       /* so are the flags */
    free(m->flags);
}

static int s_ack_build(Huizong__Ack *m, const ack_t *ack, int depth)
{
    Huizong__Ack init = HUIZONG__ACK__INIT;
    *m = init;
    size_t n = ack->flags.count;
    if (n) {
        Huizong__Flag *flags = calloc(n, sizeof *flags);
        m->flags = calloc(n, sizeof *m->flags);
        if (!flags || !m->flags) { free(flags); free(m->flags); m->flags = NULL; return -1; }
        for (size_t i = 0; i < n; i++) {
            flag_from_finding(&flags[i], &ack->flags.items[i]);
            m->flags[i] = &flags[i];
        }
        m->n_flags = n;
    }
    m->submission_id = (char *)ack->submission_id;
    m->status = (Huizong__Status)ack->status;
    m->reason = (char *)ack->reason;
    m->version = ack->version;
    m->replayed = ack->replayed ? 1 : 0;
    m->entity = (char *)ack->entity;
    m->year = ack->year;
    m->fact_count = ack->fact_count;
    if (ack->has_digest) {
        m->digest.data = (uint8_t *)ack->digest;
        m->digest.len = SUBMISSION_DIGEST_LEN;
    }
    if (ack->nmembers && depth == 0) {   /* a member's ack holds no members of its own */
        Huizong__Ack *mem = calloc(ack->nmembers, sizeof *mem);
        m->members = calloc(ack->nmembers, sizeof *m->members);
        if (!mem || !m->members) { free(mem); free(m->members); m->members = NULL; s_ack_free(m); return -1; }
        for (size_t i = 0; i < ack->nmembers; i++) {
            m->members[i] = &mem[i];
            m->n_members = i + 1;
            if (s_ack_build(&mem[i], &ack->members[i], depth + 1)) { s_ack_free(m); return -1; }
        }
    }
    return 0;
}

int wire_pack_ack(const ack_t *ack, uint8_t **buf, size_t *len)
{
    Huizong__Ack m;
    if (s_ack_build(&m, ack, 0)) return -1;
    size_t size = huizong__ack__get_packed_size(&m);
    uint8_t *out = malloc(size ? size : 1);
    if (out) *len = huizong__ack__pack(&m, out);
    s_ack_free(&m);
    if (!out) return -1;
    *buf = out;
    return 0;
}

void ack_identify(ack_t *ack, const submission_t *s)
{
    assert(ack && s);
    if (!ack->submission_id[0]) snprintf(ack->submission_id, sizeof ack->submission_id, "%s", s->id);
    if (!ack->entity[0]) snprintf(ack->entity, sizeof ack->entity, "%s", s->entity);
    if (!ack->year) ack->year = s->year;
    if (!ack->fact_count) ack->fact_count = (uint32_t)s->count;
}

/* Fills ack (initialised) from m; members one level deep. 0 or -1 with err. */
static int s_ack_from(ack_t *ack, const Huizong__Ack *m, int depth, char *err, size_t errlen)
{
    if (check_str("ack submission id", m->submission_id, SUBMISSION_ID_MAX, err, errlen) ||
        check_str("ack entity", m->entity, SUBMISSION_ENTITY_MAX, err, errlen) ||
        check_str("ack reason", m->reason, WIRE_TEXT_MAX, err, errlen))
        return -1;
    if ((int)m->status < ACK_NONE || (int)m->status > ACK_REJECTED)
        return error_set(err, errlen, "ack: unknown status %d", (int)m->status);
    snprintf(ack->submission_id, sizeof ack->submission_id, "%s", str(m->submission_id));
    snprintf(ack->entity, sizeof ack->entity, "%s", str(m->entity));
    /* A longer reason is cut at the buffer: it is for people, and truncation is safe. */
    utf8_copy(ack->reason, sizeof ack->reason, str(m->reason));
    ack->year = m->year;
    ack->status = (ack_status)m->status;
    ack->version = m->version;
    ack->fact_count = m->fact_count;
    ack->replayed = m->replayed ? 1 : 0;
    if (m->digest.len == SUBMISSION_DIGEST_LEN) {
        memcpy(ack->digest, m->digest.data, SUBMISSION_DIGEST_LEN);
        ack->has_digest = 1;
    } else if (m->digest.len != 0) {
        return error_set(err, errlen, "ack digest is %zu bytes, not %d", m->digest.len, SUBMISSION_DIGEST_LEN);
    }
    for (size_t i = 0; i < m->n_flags; i++) {
        finding_t f;
        char why[200];
        if (!m->flags[i] || finding_from_flag(&f, m->flags[i], why, sizeof why))
            return error_set(err, errlen, "ack flag %zu: %s", i + 1, m->flags[i] ? why : "missing");
        /* push copies the strings; free ours afterwards */
        finding_t *pushed = findings_push(&ack->flags, &f);
        finding_free(&f);
        if (!pushed) return error_set(err, errlen, "out of memory");
    }
    if (m->n_members && depth > 0) return error_set(err, errlen, "ack: a part's ack holds parts");
    if (m->n_members > GROUP_MEMBERS_MAX) return error_set(err, errlen, "ack: %zu parts", m->n_members);
    for (size_t i = 0; i < m->n_members; i++) {
        ack_t *a = ack_add_member(ack);
        if (!a) return error_set(err, errlen, "out of memory");
        if (!m->members[i]) return error_set(err, errlen, "ack part %zu: missing", i + 1);
        if (s_ack_from(a, m->members[i], depth + 1, err, errlen)) return -1;
    }
    return 0;
}

int wire_unpack_ack(const uint8_t *buf, size_t len, ack_t *ack, char *err, size_t errlen)
{
    ack_init(ack);
    Huizong__Ack *m = huizong__ack__unpack(NULL, len, buf);
    if (!m) return error_set(err, errlen, "malformed protobuf");
    int rc = s_ack_from(ack, m, 0, err, errlen);
    huizong__ack__free_unpacked(m, NULL);
    if (rc) ack_clear(ack);
    return rc;
}

/* ---------------------------------------------------------------- events */

int wire_pack_event(const event_t *ev, uint8_t **buf, size_t *len)
{
    Huizong__Event m = HUIZONG__EVENT__INIT;
    m.seq = ev->seq;
    m.kind = (char *)ev->kind;
    m.entity = (char *)ev->entity;
    m.year = ev->year;
    m.submission_id = (char *)ev->submission_id;
    m.version = ev->version;
    m.detail = (char *)ev->detail;
    m.time_ms = ev->time_ms;
    size_t n = huizong__event__get_packed_size(&m);
    uint8_t *out = malloc(n ? n : 1);
    if (!out) return -1;
    *len = huizong__event__pack(&m, out);
    *buf = out;
    return 0;
}

int wire_unpack_event(const uint8_t *buf, size_t len, event_t *ev, char *err, size_t errlen)
{
    memset(ev, 0, sizeof *ev);
    Huizong__Event *m = huizong__event__unpack(NULL, len, buf);
    if (!m) return error_set(err, errlen, "malformed protobuf (not an Event)");
    int rc = -1;
    if (check_str("event kind", m->kind, EVENT_KIND_MAX, err, errlen) ||
        check_str("event entity", m->entity, SUBMISSION_ENTITY_MAX, err, errlen) ||
        check_str("event submission_id", m->submission_id, SUBMISSION_ID_MAX, err, errlen) ||
        check_str("event detail", m->detail, EVENT_DETAIL_MAX, err, errlen))
        goto done;
    ev->seq = m->seq;
    snprintf(ev->kind, sizeof ev->kind, "%s", str(m->kind));
    snprintf(ev->entity, sizeof ev->entity, "%s", str(m->entity));
    ev->year = m->year;
    snprintf(ev->submission_id, sizeof ev->submission_id, "%s", str(m->submission_id));
    ev->version = m->version;
    snprintf(ev->detail, sizeof ev->detail, "%s", str(m->detail));
    ev->time_ms = m->time_ms;
    rc = 0;
done:
    huizong__event__free_unpacked(m, NULL);
    return rc;
}
