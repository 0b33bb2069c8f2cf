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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "huizong.pb-c.h"

#define WIRE_SOURCE_MAX 4096
#define WIRE_TEXT_MAX 65536     /* explanations and reasons */

/* NULL-safe: protobuf-c gives "" for absent proto3 strings, but a hand-built message may
 * carry NULL. */
static const char *str(const char *s) { return s ? s : ""; }

/* Copies src into dst (size n), truncating at a UTF-8 character boundary so a long
 * Chinese reason never ends in half a character. */
static void wire_copy_utf8(char *dst, size_t n, const char *src)
{
    size_t len = strlen(src);
    if (len >= n) {
        len = n - 1;
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80) len--;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
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

int wire_pack_submission(const submission_t *s, uint8_t **buf, size_t *len)
{
    Huizong__Submission m = HUIZONG__SUBMISSION__INIT;
    Huizong__Fact *facts = NULL, **ptrs = NULL;
    if (s->count) {
        facts = calloc(s->count, sizeof *facts);
        ptrs = calloc(s->count, sizeof *ptrs);
        if (!facts || !ptrs) { free(facts); free(ptrs); return -1; }
    }
    for (size_t i = 0; i < s->count; i++) {
        const fact_t *f = &s->facts[i];
        Huizong__Fact init = HUIZONG__FACT__INIT;
        facts[i] = init;
        facts[i].table = (Huizong__Table)f->table;
        facts[i].column = (Huizong__Column)f->column;
        facts[i].row = (char *)str(f->row);
        facts[i].name = (char *)str(f->name);
        facts[i].amount_fen = f->fen;
        facts[i].source_line = f->line;
        facts[i].unit_fen = f->unit_fen;
        ptrs[i] = &facts[i];
    }
    m.id = (char *)s->id;
    m.entity = (char *)s->entity;
    m.year = s->year;
    m.n_facts = s->count;
    m.facts = ptrs;
    m.source = (char *)str(s->source);
    m.created_ms = s->created_ms;
    m.scope = (Huizong__Scope)s->scope;
    size_t n = huizong__submission__get_packed_size(&m);
    uint8_t *out = malloc(n ? n : 1);
    if (out) *len = huizong__submission__pack(&m, out);
    free(facts);
    free(ptrs);
    if (!out) return -1;
    *buf = out;
    return 0;
}

/* A string field of an unpacked message as a malloc'd string the caller owns: taken from
 * the message (which then holds NULL, which free_unpacked skips) unless it is protobuf-c's
 * static empty default, which is copied. NULL only when out of memory. */
static char *wire_take_str(char **field)
{
    char *p = *field;
    if (!p || p == protobuf_c_empty_string) return strdup("");
    *field = NULL;
    return p;
}

/* Checks the decoded message before anything is copied out of it. */
static int check_submission(const Huizong__Submission *m, char *err, size_t errlen)
{
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

submission_t *wire_unpack_submission(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    Huizong__Submission *m = huizong__submission__unpack(NULL, len, buf);
    if (!m) { error_set(err, errlen, "malformed protobuf"); return NULL; }
    if (check_submission(m, err, errlen)) {
        huizong__submission__free_unpacked(m, NULL);
        return NULL;
    }
    submission_t *s = submission_new(str(m->entity), m->year);
    if (!s) goto oom;
    snprintf(s->id, sizeof s->id, "%s", str(m->id));
    s->scope = (scope_t)m->scope;
    s->created_ms = m->created_ms;
    submission_set_source(s, str(m->source));
    if (m->n_facts) {
        s->facts = malloc(m->n_facts * sizeof *s->facts);
        if (!s->facts) goto oom;
        s->cap = m->n_facts;
    }
    for (size_t i = 0; i < m->n_facts; i++) {
        Huizong__Fact *f = m->facts[i];
        /* the message's row and name strings were malloc'd by protobuf-c (NULL allocator =
         * malloc) and are taken over instead of copied; its shared empty default is not */
        char *row = wire_take_str(&f->row), *name = wire_take_str(&f->name);
        if (!row || !name) { free(row); free(name); goto oom; }
        s->facts[s->count++] = (fact_t){ (table_id)f->table, (column_id)f->column, row, name,
                                         f->amount_fen, f->source_line, f->unit_fen };
    }
    huizong__submission__free_unpacked(m, NULL);
    if (submission_validate(s, err, errlen)) {
        submission_destroy(&s);
        return NULL;
    }
    return s;
oom:
    huizong__submission__free_unpacked(m, NULL);
    submission_destroy(&s);
    error_set(err, errlen, "out of memory");
    return NULL;
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

void ack_clear(ack_t *ack) { findings_clear(&ack->flags); }

int wire_pack_ack(const ack_t *ack, uint8_t **buf, size_t *len)
{
    Huizong__Ack m = HUIZONG__ACK__INIT;
    Huizong__Flag *flags = NULL, **ptrs = NULL;
    size_t n = ack->flags.count;
    if (n) {
        flags = calloc(n, sizeof *flags);
        ptrs = calloc(n, sizeof *ptrs);
        if (!flags || !ptrs) { free(flags); free(ptrs); return -1; }
    }
    for (size_t i = 0; i < n; i++) {
        flag_from_finding(&flags[i], &ack->flags.items[i]);
        ptrs[i] = &flags[i];
    }
    m.submission_id = (char *)ack->submission_id;
    m.status = (Huizong__Status)ack->status;
    m.reason = (char *)ack->reason;
    m.version = ack->version;
    m.n_flags = n;
    m.flags = ptrs;
    m.replayed = ack->replayed ? 1 : 0;
    m.entity = (char *)ack->entity;
    m.year = ack->year;
    m.fact_count = ack->fact_count;
    size_t size = huizong__ack__get_packed_size(&m);
    uint8_t *out = malloc(size ? size : 1);
    if (out) *len = huizong__ack__pack(&m, out);
    free(flags);
    free(ptrs);
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

int wire_unpack_ack(const uint8_t *buf, size_t len, ack_t *ack, char *err, size_t errlen)
{
    ack_init(ack);
    Huizong__Ack *m = huizong__ack__unpack(NULL, len, buf);
    if (!m) return error_set(err, errlen, "malformed protobuf");
    int rc = -1;
    if (check_str("ack submission id", m->submission_id, SUBMISSION_ID_MAX, err, errlen) ||
        check_str("ack entity", m->entity, SUBMISSION_ENTITY_MAX, err, errlen) ||
        check_str("ack reason", m->reason, WIRE_TEXT_MAX, err, errlen))
        goto done;
    if ((int)m->status < ACK_NONE || (int)m->status > ACK_REJECTED) {
        error_set(err, errlen, "ack: unknown status %d", (int)m->status);
        goto done;
    }
    snprintf(ack->submission_id, sizeof ack->submission_id, "%s", str(m->submission_id));
    snprintf(ack->entity, sizeof ack->entity, "%s", str(m->entity));
    /* A longer reason is cut at the buffer: it is for people, and truncation is safe. */
    wire_copy_utf8(ack->reason, sizeof ack->reason, str(m->reason));
    ack->year = m->year;
    ack->status = (ack_status)m->status;
    ack->version = m->version;
    ack->fact_count = m->fact_count;
    ack->replayed = m->replayed ? 1 : 0;
    for (size_t i = 0; i < m->n_flags; i++) {
        finding_t f;
        char why[200];
        if (!m->flags[i] || finding_from_flag(&f, m->flags[i], why, sizeof why)) {
            error_set(err, errlen, "ack flag %zu: %s", i + 1, m->flags[i] ? why : "missing");
            goto done;
        }
        /* push copies the strings; free ours afterwards */
        finding_t *pushed = findings_push(&ack->flags, &f);
        finding_free(&f);
        if (!pushed) { error_set(err, errlen, "out of memory"); goto done; }
    }
    rc = 0;
done:
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
