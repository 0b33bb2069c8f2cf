/* wire.h -- submissions, acks and flags to and from protobuf bytes (proto/huizong.proto).
 *
 * The only place the protobuf-c generated structs are touched for submissions, so the
 * rest of the code deals in submission_t and finding_t. Decoding never trusts its input:
 * sizes, enum values, string lengths and UTF-8 are checked, and the error says which
 * field was wrong.
 */
#ifndef HUIZONG_WIRE_H
#define HUIZONG_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "findings.h"
#include "group.h"
#include "submission.h"

/* Packs a submission. *buf is malloc'd; caller frees. Returns 0 or -1. */
int wire_pack_submission(const submission_t *s, uint8_t **buf, size_t *len);
/* Unpacks and structurally validates (submission_validate). NULL with err on failure
 * (also for a file of several parts: see wire_unpack_message). */
submission_t *wire_unpack_submission(const uint8_t *buf, size_t len, char *err, size_t errlen);
/* Packs a file of several parts (Submission with members). Returns 0 or -1. */
int wire_pack_group(const submission_group_t *g, uint8_t **buf, size_t *len);
/* The same two messages packed by protobuf-c itself: the reference the hand encoder
 * (wire_encode.c, which wire_pack_submission and wire_pack_group are) is tested against. */
int wire_pack_submission_pbc(const submission_t *s, uint8_t **buf, size_t *len);
int wire_pack_group_pbc(const submission_group_t *g, uint8_t **buf, size_t *len);
/* Unpacks either message: a single submission (*single) or a file of parts (*group, each
 * part validated as a single one, no (entity, year) twice). Returns 0 with exactly one of
 * them set, or -1 with err (naming the part that failed). */
int wire_unpack_message(const uint8_t *buf, size_t len, submission_t **single,
                        submission_group_t **group, char *err, size_t errlen);

typedef enum { ACK_NONE = 0, ACK_ACCEPTED = 1, ACK_REJECTED = 2 } ack_status;

typedef struct ack_s {
    char submission_id[SUBMISSION_ID_MAX + 1];
    char entity[SUBMISSION_ENTITY_MAX + 1];
    uint32_t year;
    ack_status status;
    char reason[512];
    uint32_t version;
    uint32_t fact_count;
    int replayed;
    findings_t flags;
    uint8_t digest[SUBMISSION_DIGEST_LEN];   /* the stored version's content digest */
    int has_digest;
    /* The answer to a file of several parts (group.h): one ack per part, in order; the
     * status is ACCEPTED only if every part's is. Owned; none for a single submission. */
    struct ack_s *members;
    size_t nmembers;
} ack_t;

void ack_init(ack_t *ack);
void ack_clear(ack_t *ack);   /* frees flags and members */
/* A new (initialised) member ack at the end of ack's members; NULL when out of memory. */
ack_t *ack_add_member(ack_t *ack);
/* The one place an ack gets the identity of the submission it answers: fills whichever of
 * submission id, entity, year and fact count are still empty from s (a field already set,
 * e.g. by a stored ack being replayed, is kept). */
void ack_identify(ack_t *ack, const submission_t *s);
int wire_pack_ack(const ack_t *ack, uint8_t **buf, size_t *len);
int wire_unpack_ack(const uint8_t *buf, size_t len, ack_t *ack, char *err, size_t errlen);

/* One flag <-> protobuf Flag bytes (used by the store to persist flags). */
int wire_pack_finding(const finding_t *f, uint8_t **buf, size_t *len);
int wire_unpack_finding(const uint8_t *buf, size_t len, finding_t *f);

/* One live event of the aggregator's PUB socket (proto Event; docs/events.md). seq
 * increases by one per event published by one aggregator process. kind is "accepted",
 * "rejected", "flags" or "totals"; detail is "key=value" pairs separated by spaces (see
 * docs/events.md), or a rejection's reason. */
#define EVENT_KIND_MAX 15
#define EVENT_DETAIL_MAX 600
typedef struct {
    uint64_t seq;
    char kind[EVENT_KIND_MAX + 1];
    char entity[SUBMISSION_ENTITY_MAX + 1];
    uint32_t year;
    char submission_id[SUBMISSION_ID_MAX + 1];
    uint32_t version;
    char detail[EVENT_DETAIL_MAX + 1];
    uint64_t time_ms;
} event_t;

/* Packs an event. *buf is malloc'd; caller frees. Returns 0 or -1. */
int wire_pack_event(const event_t *ev, uint8_t **buf, size_t *len);
/* Unpacks and checks an event (string lengths, UTF-8; an unknown kind is kept as is so a
 * newer aggregator's events reach an older subscriber). Returns 0, or -1 with err. */
int wire_unpack_event(const uint8_t *buf, size_t len, event_t *ev, char *err, size_t errlen);

#endif
