/* review.h -- the aggregator's side of review decisions and status queries (core/review_wire.h):
 * a Review from `huizong serve` is checked (authorised key, known entity, existing version,
 * a reason for 退回), stored in its own synced write transaction (store_review_add) and only
 * then acknowledged; a StatusQuery from a collector is answered from the store. */
#ifndef HUIZONG_AGG_REVIEW_H
#define HUIZONG_AGG_REVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "store.h"

/* Whether a message's first payload frame names a review or a status query. */
int review_is_message(const void *kind, size_t kind_len);

/* Handles one [kind][payload] message from the peer with routing id rid: answers it on
 * router (never blocking). uid is the authenticated CURVE key (NULL with --insecure,
 * then everything is allowed). Always returns 0: whatever arrives gets an answer. */
int review_handle(void *router, store_t *store, auth_t *auth, const uint8_t *rid, size_t rid_len,
                  const char *uid, const void *kind, size_t kind_len, const uint8_t *payload,
                  size_t len);

#endif
