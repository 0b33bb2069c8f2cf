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

/* One string field of a message: ours (a buffer of cap bytes), the message's, and the
 * name an error gives. A message's fields are listed once (s_review_strings,
 * s_status_strings) for packing and unpacking alike. */
typedef struct {
    char *ours;
    size_t cap;
    char **msg;
    const char *field;
} s_field_t;

/* pack: the message's strings point at ours; else (unpacking) s_copy for each, stopping at
 * the first refused. 0 or -1. */
static int s_strings(const s_field_t *f, size_t n, int pack, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        if (pack) *f[i].msg = f[i].ours;
        else if (s_copy(f[i].ours, f[i].cap, *f[i].msg, f[i].field, err, errlen)) return -1;
    }
    return 0;
}

static int s_review_strings(review_t *r, Huizong__Review *m, int pack, char *err, size_t errlen)
{
    const s_field_t f[] = {
        { r->id, sizeof r->id, &m->id, "id" }, { r->entity, sizeof r->entity, &m->entity, "entity" },
        { r->decision, sizeof r->decision, &m->decision, "decision" },
        { r->reason, sizeof r->reason, &m->reason, "reason" }, { r->flag, sizeof r->flag, &m->flag, "flag" },
        { r->reviewer, sizeof r->reviewer, &m->reviewer, "reviewer" } };
    return s_strings(f, sizeof f / sizeof f[0], pack, err, errlen);
}

static int s_status_strings(review_status_t *s, Huizong__StatusReply *m, int pack, char *err,
                            size_t errlen)
{
    const s_field_t f[] = {
        { s->entity, sizeof s->entity, &m->entity, "entity" }, { s->state, sizeof s->state, &m->state, "state" },
        { s->reason, sizeof s->reason, &m->reason, "reason" },
        { s->reviewer, sizeof s->reviewer, &m->reviewer, "reviewer" }, { s->error, sizeof s->error, &m->error, "error" } };
    return s_strings(f, sizeof f / sizeof f[0], pack, err, errlen);
}

/* Clears the decoded struct out[outsize] and unpacks buf as the message d describes
 * (NULL, with err naming it, if it is not one). */
static void *s_unpack(const ProtobufCMessageDescriptor *d, const uint8_t *buf, size_t len,
                      void *out, size_t outsize, char *err, size_t errlen)
{
    memset(out, 0, outsize);
    void *m = protobuf_c_message_unpack(d, NULL, len, buf);
    if (!m) error_set(err, errlen, "malformed protobuf (not a %s)", d->short_name);
    return m;
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
    s_review_strings((review_t *)r, &m, 1, NULL, 0);   /* packing only reads r */
    m.year = r->year;
    m.version = r->version;
    PACK(Huizong__Review, review, &m);
}

int review_unpack(const uint8_t *buf, size_t len, review_t *r, char *err, size_t errlen)
{
    Huizong__Review *m = s_unpack(&huizong__review__descriptor, buf, len, r, sizeof *r, err, errlen);
    if (!m) return -1;
    int rc = s_review_strings(r, m, 0, err, errlen);
    r->year = m->year;
    r->version = m->version;
    protobuf_c_message_free_unpacked(&m->base, NULL);
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
    s_status_strings((review_status_t *)s, &m, 1, NULL, 0);   /* packing only reads s */
    m.found = s->found;
    m.year = s->year;
    m.version = s->version;
    m.time_ms = s->time_ms;
    PACK(Huizong__StatusReply, status_reply, &m);
}

int review_status_unpack(const uint8_t *buf, size_t len, review_status_t *s, char *err, size_t errlen)
{
    Huizong__StatusReply *m = s_unpack(&huizong__status_reply__descriptor, buf, len, s, sizeof *s,
                                       err, errlen);
    if (!m) return -1;
    int rc = s_status_strings(s, m, 0, err, errlen);
    s->found = m->found;
    s->year = m->year;
    s->version = m->version;
    s->time_ms = m->time_ms;
    protobuf_c_message_free_unpacked(&m->base, NULL);
    return rc;
}
