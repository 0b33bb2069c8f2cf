/* review_client.h -- sends one review decision to the aggregator (the store's only writer)
 * as an authenticated Review message and waits for its ReviewAck (docs/protocol.md). */
#ifndef HUIZONG_WEB_REVIEW_CLIENT_H
#define HUIZONG_WEB_REVIEW_CLIENT_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char entity[65];
    uint32_t year;
    uint32_t version;          /* 0 = the current one */
    char decision[16];         /* "approve" (通过) | "return" (退回) | "verify" (已核实, a flag) */
    char reason[1024];         /* 退回's reason, or 已核实's note */
    char flag[256];            /* for "verify": RULE/TABLE/ROW/COLUMN of the flag */
    char reviewer[65];
} review_request_t;

/* Sends rq to endpoint (CURVE when key and server_key are given) and waits for the ack.
 * Returns 0 (stored; answer holds the aggregator's message), 1 (refused by the aggregator;
 * answer says why), or -1 (not delivered: no answer in time, bad keys; answer says why). */
int review_client_send(void *zctx, const char *endpoint, const char *key, const char *server_key,
                       const review_request_t *rq, char *answer, size_t answerlen);

#endif
