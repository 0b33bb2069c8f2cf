/* review_wire.c -- review decisions and the status query on the wire (see review_wire.h). Like
 * wire.c, decoding trusts nothing: every string is checked for length and UTF-8. */
#include "review_wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "huizong.pb-c.h"
#include "submission.h"

const char *review_decision_label(const char *d)
{
    if (!strcmp(d, "approve")) return "通过";
    if (!strcmp(d, "return")) return "退回";
    if (!strcmp(d, "verify")) return "已核实";
    return NULL;
}

const char *review_state_label(const char *s)
{
    if (!strcmp(s, "approved")) return "通过";
    if (!strcmp(s, "returned")) return "退回";
    return "待审核";
}

/* Copies a decoded string into out[cap], refusing what does not fit or is not UTF-8. */
static int s_copy(char *out, size_t cap, const char *in, const char *field, char *err, size_t errlen)
{
    size_t n = in ? strlen(in) : 0;
    if (n >= cap) return error_set(err, errlen, "%s: %zu bytes, at most %zu", field, n, cap - 1);
    if (n && !submission_utf8_valid(in, n)) return error_set(err, errlen, "%s: invalid UTF-8", field);
    memcpy(out, in ? in : "", n);
    out[n] = '\0';
    return 0;
}

#define PACK(type, fn, m)                                                       \
    do {                                                                        \
        size_t n_ = huizong__##fn##__get_packed_size(m);                       \
        uint8_t *out_ = malloc(n_ ? n_ : 1);                                   \
        if (!out_) return -1;                                                   \
        *len = huizong__##fn##__pack(m, out_);                                 \
        *buf = out_;                                                            \
        return 0;                                                               \
    } while (0)

int review_pack(const review_t *r, uint8_t **buf, size_t *len)
{
    Huizong__Review m = HUIZONG__REVIEW__INIT;
    m.id = (char *)r->id;
    m.entity = (char *)r->entity;
    m.year = r->year;
    m.version = r->version;
    m.decision = (char *)r->decision;
    m.reason = (char *)r->reason;
    m.flag = (char *)r->flag;
    m.reviewer = (char *)r->reviewer;
    PACK(Huizong__Review, review, &m);
}

int review_unpack(const uint8_t *buf, size_t len, review_t *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    Huizong__Review *m = huizong__review__unpack(NULL, len, buf);
    if (!m) return error_set(err, errlen, "malformed protobuf (not a Review)");
    int rc = s_copy(r->id, sizeof r->id, m->id, "id", err, errlen) ||
             s_copy(r->entity, sizeof r->entity, m->entity, "entity", err, errlen) ||
             s_copy(r->decision, sizeof r->decision, m->decision, "decision", err, errlen) ||
             s_copy(r->reason, sizeof r->reason, m->reason, "reason", err, errlen) ||
             s_copy(r->flag, sizeof r->flag, m->flag, "flag", err, errlen) ||
             s_copy(r->reviewer, sizeof r->reviewer, m->reviewer, "reviewer", err, errlen) ? -1 : 0;
    r->year = m->year;
    r->version = m->version;
    huizong__review__free_unpacked(m, NULL);
    return rc;
}

int review_ack_pack(const review_ack_t *a, uint8_t **buf, size_t *len)
{
    Huizong__ReviewAck m = HUIZONG__REVIEW_ACK__INIT;
    m.id = (char *)a->id;
    m.ok = a->ok;
    m.reason = (char *)a->reason;
    m.version = a->version;
    m.time_ms = a->time_ms;
    PACK(Huizong__ReviewAck, review_ack, &m);
}

int review_ack_unpack(const uint8_t *buf, size_t len, review_ack_t *a, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    Huizong__ReviewAck *m = huizong__review_ack__unpack(NULL, len, buf);
    if (!m) return error_set(err, errlen, "malformed protobuf (not a ReviewAck)");
    int rc = s_copy(a->id, sizeof a->id, m->id, "id", err, errlen) ||
             s_copy(a->reason, sizeof a->reason, m->reason, "reason", err, errlen) ? -1 : 0;
    a->ok = m->ok;
    a->version = m->version;
    a->time_ms = m->time_ms;
    huizong__review_ack__free_unpacked(m, NULL);
    return rc;
}

int review_query_pack(const char *entity, uint32_t year, uint32_t version, uint8_t **buf, size_t *len)
{
    Huizong__StatusQuery m = HUIZONG__STATUS_QUERY__INIT;
    m.entity = (char *)entity;
    m.year = year;
    m.version = version;
    PACK(Huizong__StatusQuery, status_query, &m);
}

int review_query_unpack(const uint8_t *buf, size_t len, char entity[65], uint32_t *year,
                        uint32_t *version, char *err, size_t errlen)
{
    Huizong__StatusQuery *m = huizong__status_query__unpack(NULL, len, buf);
    if (!m) return error_set(err, errlen, "malformed protobuf (not a StatusQuery)");
    int rc = s_copy(entity, 65, m->entity, "entity", err, errlen);
    *year = m->year;
    *version = m->version;
    huizong__status_query__free_unpacked(m, NULL);
    return rc;
}

int review_status_pack(const review_status_t *s, uint8_t **buf, size_t *len)
{
    Huizong__StatusReply m = HUIZONG__STATUS_REPLY__INIT;
    m.found = s->found;
    m.entity = (char *)s->entity;
    m.year = s->year;
    m.version = s->version;
    m.state = (char *)s->state;
    m.reason = (char *)s->reason;
    m.reviewer = (char *)s->reviewer;
    m.time_ms = s->time_ms;
    m.error = (char *)s->error;
    PACK(Huizong__StatusReply, status_reply, &m);
}

int review_status_unpack(const uint8_t *buf, size_t len, review_status_t *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    Huizong__StatusReply *m = huizong__status_reply__unpack(NULL, len, buf);
    if (!m) return error_set(err, errlen, "malformed protobuf (not a StatusReply)");
    int rc = s_copy(s->entity, sizeof s->entity, m->entity, "entity", err, errlen) ||
             s_copy(s->state, sizeof s->state, m->state, "state", err, errlen) ||
             s_copy(s->reason, sizeof s->reason, m->reason, "reason", err, errlen) ||
             s_copy(s->reviewer, sizeof s->reviewer, m->reviewer, "reviewer", err, errlen) ||
             s_copy(s->error, sizeof s->error, m->error, "error", err, errlen) ? -1 : 0;
    s->found = m->found;
    s->year = m->year;
    s->version = m->version;
    s->time_ms = m->time_ms;
    huizong__status_reply__free_unpacked(m, NULL);
    return rc;
}

