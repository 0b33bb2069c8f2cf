/* review_exchange.h -- the network half of the review messages (core/review_wire.h):
 * in delivery/ because it opens ZeroMQ sockets; one request/reply on a fresh DEALER, used by huizong serve (reviews) and
 * huizong-collector (status). Needs ZeroMQ and the CURVE client (curve.h). */
#ifndef HUIZONG_REVIEW_EXCHANGE_H
#define HUIZONG_REVIEW_EXCHANGE_H

#include <stddef.h>
#include <stdint.h>

/* One request/reply with the aggregator: a fresh DEALER (a CURVE client when key_file and
 * server_key_file are given; zctx NULL = a context of its own), sends [kind][payload],
 * waits up to timeout_ms for [reply_kind][bytes]. Returns 0 with *reply malloc'd, or -1
 * with err ("no answer from ENDPOINT within N ms", bad keys, ...). */
#define REVIEW_TIMEOUT_MS 5000
int review_exchange(void *zctx, const char *endpoint, const char *key_file,
                    const char *server_key_file, const char *kind, const uint8_t *payload,
                    size_t len, const char *reply_kind, int timeout_ms, uint8_t **reply,
                    size_t *reply_len, char *err, size_t errlen);

#endif
