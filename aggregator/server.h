/* server.h -- the aggregator's ROUTER socket and its single-threaded poll loop.
 *
 * Invariant (Titanic): an ack leaves this process only after the store transaction that
 * holds its submission has committed with sync. Every turn drains up to `batch` messages,
 * applies them in one write transaction (group commit), then sends their acks.
 */
#ifndef HUIZONG_AGG_SERVER_H
#define HUIZONG_AGG_SERVER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "rules.h"
#include "store.h"

typedef struct {
    const char *bind;           /* ZeroMQ endpoint to bind (tcp or ipc) */
    size_t batch;               /* most messages per write transaction */
    int64_t max_msg;            /* ZMQ_MAXMSGSIZE: bigger messages drop the connection */
    int insecure;               /* no CURVE: explicitly asked for */
    const char *curve_secret;   /* reserved for CURVE (server secret key file) */
    const char *authorized;     /* reserved for CURVE (authorized client keys) */
} server_opts_t;

/* Set from a signal handler; the loop finishes the current batch and returns. */
extern volatile sig_atomic_t server_stop;

/* Whether the security options allow serving at all (checked again before bind). */
int server_security_check(const server_opts_t *opts, char *err, size_t errlen);

/* Configures a ROUTER socket before it binds: delivery options, then security. This is
 * the one place CURVE and the ZAP handler are to be slotted in. Returns 0, or -1 with a
 * message in err. */
int server_configure(void *ctx, void *router, const server_opts_t *opts, char *err, size_t errlen);

/* Binds and serves until server_stop is set. Returns 0 on a clean stop, -1 with a
 * message on stderr if the socket could not be set up. */
int server_run(store_t *store, const rule_settings_t *settings, const server_opts_t *opts);

#endif
