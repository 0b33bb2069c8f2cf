/* intake.h -- turning received frames into store items and acks.
 *
 * One batch = the messages drained from the ROUTER in one turn of the loop. Each message
 * becomes an intake_entry_t: either an item for store_apply_batch (decoded, validated,
 * checked by the rules) -- for a file of several parts (core/group.h), one item per part,
 * adjacent and of one store group, admitted all or none -- or an ack that is final without
 * the store (malformed bytes,
 * unknown entity, an entity the connection's CURVE key may not submit for). Invariant: nothing in a batch outlives intake_batch_reset(); the
 * aggregator's memory is flat across batches.
 */
#ifndef HUIZONG_AGG_INTAKE_H
#define HUIZONG_AGG_INTAKE_H

#include <stddef.h>
#include <stdint.h>

#include <zmq.h>

#include "auth.h"
#include "paths.h"
#include "rules.h"
#include "store.h"
#include "wire.h"

#define INTAKE_ROUTING_MAX 256
#define INTAKE_MAX_FRAMES 3         /* [routing id][""][payload] at most */

/* One received message: its frames (at most INTAKE_MAX_FRAMES kept, the rest counted),
 * moved out of the socket (libzmq messages are moved, never copied), so it can be checked
 * on another thread than the one that received it. */
typedef struct {
    zmq_msg_t frames[INTAKE_MAX_FRAMES];
    int n, extra;
    size_t bytes;               /* every frame's size: what the batch bounds count */
} intake_msg_t;

/* Receives one whole multipart message without blocking (all its frames are already here
 * once the first is). Returns 1 if a message was taken, 0 if none was ready, -1 on a
 * socket error (logged). */
int intake_msg_recv(void *socket, intake_msg_t *m);
/* Moves src's frames into dst (src is left empty). */
void intake_msg_move(intake_msg_t *dst, intake_msg_t *src);
/* Frees the frames (a message never checked is never acked: its collector resends it). */
void intake_msg_close(intake_msg_t *m);
/* Whether m is a review decision or status query (aggregator/review.h), which the main
 * thread answers at once instead of the intake. */
int intake_msg_is_review(const intake_msg_t *m);

typedef struct {
    uint8_t routing[INTAKE_ROUTING_MAX];  /* the ROUTER's peer identity frame */
    size_t routing_len;
    int delimiter;                        /* the peer sent an empty frame (REQ-style): echo it */
    char user_id[64];                     /* the connection's authenticated key ("User-Id"
                                             property; "" without CURVE): what a per-entity
                                             authorisation check reads */
    long item;                            /* index into batch->items, or -1: ack below is final */
    size_t nitems;                        /* store items of this message: 1, or a file's parts
                                             (items[item .. item + nitems), one group) */
    int group;                            /* a file of several parts: the ack below answers it
                                             (built from its parts' acks after the commit) */
    ack_t ack;                            /* the ack when item < 0 or group */
    size_t bytes;                         /* payload size, for the log */
} intake_entry_t;

typedef struct {
    size_t cap;
    size_t count;                 /* entries used */
    intake_entry_t *entries;
    size_t nitems;                /* items used */
    store_item_t *items;
    size_t items_cap;             /* grows: a file brings one item per part */
    size_t groups;                /* files numbered so far (store_item_t.group) */
    auth_t *auth;                 /* CURVE: who may submit for what; NULL with --insecure */
} intake_batch_t;

int intake_batch_init(intake_batch_t *b, size_t cap);
void intake_batch_free(intake_batch_t *b);
/* Frees every submission, finding and ack of the batch; keeps the arrays. */
void intake_batch_reset(intake_batch_t *b);

/* Adds one message. payload NULL with reject_reason set: a framing problem, rejected
 * without decoding. user_id may be NULL. Never fails: whatever arrives gets an entry
 * (and an ack). Touches no store: entity paths come from paths (read-only), so it may run
 * on a thread of its own while another commits. */
void intake_add(intake_batch_t *b, const paths_t *paths, const rule_settings_t *settings,
                const uint8_t *routing, size_t routing_len, int delimiter, const char *user_id,
                const uint8_t *payload, size_t len, const char *reject_reason);
/* intake_add that hands the payload back as soon as it is decoded, before the digest, the
 * authorisation and the rules run: release(release_arg) is called exactly once, after which
 * payload is not read again (a 50 MB message is not held while its decoded copy is
 * checked: docs/performance.md, "Issue 10"). release may be NULL (then it is intake_add). */
typedef void (intake_release_fn)(void *arg);
void intake_add_release(intake_batch_t *b, const paths_t *paths, const rule_settings_t *settings,
                        const uint8_t *routing, size_t routing_len, int delimiter,
                        const char *user_id, const uint8_t *payload, size_t len,
                        const char *reject_reason, intake_release_fn *release, void *release_arg);

/* Adds one received message (not a review one): its framing checked (one payload frame,
 * optionally after an empty delimiter), then intake_add. Closes m's frames. */
void intake_add_msg(intake_batch_t *b, const paths_t *paths, const rule_settings_t *settings,
                    intake_msg_t *m);

/* After store_apply_batch returned 0: fills what the store left empty in the acks
 * (id, entity, year, fact count) so every ack can be matched by its collector. */
void intake_committed(intake_batch_t *b);

/* The ack to send for entry i (after the store committed, for store items). */
const ack_t *intake_ack(const intake_batch_t *b, size_t i);

/* One line per submission on stderr: entity, year, id, facts, result, version, flags. */
void intake_log(const intake_batch_t *b, size_t i, int committed);

#endif
