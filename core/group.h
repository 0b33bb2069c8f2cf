/* group.h -- the submissions of one input file, applied whole or not at all (issue 10,
 * finding 3; docs/protocol.md "One verdict per file").
 *
 * A CSV may hold several entities and years. They travel as ONE message (Submission with
 * members, proto/huizong.proto), are spooled as one file, get one ack, and the aggregator
 * applies all of them in one transaction or none of them. A file of a single entity/year
 * stays a plain Submission, exactly as before.
 *
 * Invariants: a group owns its members; members have distinct (entity, year); the group's
 * digest is BLAKE2b-256 of its members' digests in member order, so it covers every figure
 * of the file and the order of its parts.
 */
#ifndef HUIZONG_GROUP_H
#define HUIZONG_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "submission.h"

/* A group's spool header and sender key stand for all its members: GROUP_ENTITY as the
 * entity means "several", and a sender never has a group in flight beside anything else
 * (delivery/sender.c), which keeps the order of every entity/year it holds. */
#define GROUP_ENTITY "*"
#define GROUP_MEMBERS_MAX 10000

typedef struct {
    char id[SUBMISSION_ID_MAX + 1];
    char *source;                /* owned: the file's name */
    submission_t **members;      /* owned */
    size_t count, cap;
    uint8_t digest[SUBMISSION_DIGEST_LEN];
    int has_digest;
} submission_group_t;

submission_group_t *group_new(const char *source);
void group_destroy(submission_group_t **self_p);
/* Appends s (the group takes it). 0 or -1 (no memory: s is not taken). */
int group_add(submission_group_t *self, submission_t *s);
/* Seals every member that is not sealed yet, then the group (its digest). */
void group_seal(submission_group_t *self);
/* The group digest of its members' digests as they are (each must be sealed). */
void group_digest(const submission_group_t *self, uint8_t out[SUBMISSION_DIGEST_LEN]);
/* Total facts of all members. */
size_t group_facts(const submission_group_t *self);

#endif
