/* review_exchange.c -- one request/reply with the aggregator for review messages (see
 * review_exchange.h): the network half of review_wire, kept apart so the codec stays pure
 * computation. */
#include "review_exchange.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "curve.h"
#include "errors.h"

int review_exchange(void *zctx, const char *endpoint, const char *key_file,
                    const char *server_key_file, const char *kind, const uint8_t *payload,
                    size_t len, const char *reply_kind, int timeout_ms, uint8_t **reply,
                    size_t *reply_len, char *err, size_t errlen)
{
    *reply = NULL;
    *reply_len = 0;
    void *ctx = zctx ? zctx : zmq_ctx_new();
    void *s = ctx ? zmq_socket(ctx, ZMQ_DEALER) : NULL;
    int rc = -1;
    if (!s) { error_set(err, errlen, "cannot create a ZeroMQ socket: %s", zmq_strerror(errno)); goto done; }
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (key_file && server_key_file && curve_configure_client(s, key_file, server_key_file, err, errlen) != 0)
        goto done;
    if (zmq_connect(s, endpoint) != 0) {
        error_set(err, errlen, "cannot connect to %s: %s", endpoint, zmq_strerror(errno));
        goto done;
    }
    if (zmq_send(s, kind, strlen(kind), ZMQ_SNDMORE) < 0 || zmq_send(s, payload, len, 0) < 0) {
        error_set(err, errlen, "send to %s: %s", endpoint, zmq_strerror(errno));
        goto done;
    }
    zmq_pollitem_t item = { s, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll(&item, 1, timeout_ms) <= 0) {
        error_set(err, errlen, "no answer from %s within %d ms", endpoint, timeout_ms);
        goto done;
    }
    zmq_msg_t k, body;
    zmq_msg_init(&k);
    zmq_msg_init(&body);
    if (zmq_msg_recv(&k, s, 0) >= 0 && zmq_msg_more(&k) && zmq_msg_recv(&body, s, 0) >= 0 &&
        zmq_msg_size(&k) == strlen(reply_kind) && !memcmp(zmq_msg_data(&k), reply_kind, zmq_msg_size(&k))) {
        *reply_len = zmq_msg_size(&body);
        *reply = malloc(*reply_len ? *reply_len : 1);
        if (*reply) { memcpy(*reply, zmq_msg_data(&body), *reply_len); rc = 0; }
    } else {
        error_set(err, errlen, "unexpected answer from %s (an older aggregator without reviews?)", endpoint);
    }
    zmq_msg_close(&k);
    zmq_msg_close(&body);
done:
    if (s) zmq_close(s);
    if (ctx && !zctx) zmq_ctx_term(ctx);
    return rc;
}
