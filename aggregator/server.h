/* server.h -- the aggregator's ROUTER socket and its poll loop.
 *
 * Invariant (Titanic): an ack leaves this process only after the store transaction that
 * holds its submission has committed with sync. Every turn takes up to `batch` messages
 * checked by the intake worker (a second thread: intake_worker.h), applies them in one
 * write transaction (group commit), then sends their acks; the socket, the store and the
 * acks belong to the loop's thread alone.
 */
#ifndef HUIZONG_AGG_SERVER_H
#define HUIZONG_AGG_SERVER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "rules.h"
#include "store.h"
#include "upstream.h"

typedef struct {
    const char *bind;           /* ZeroMQ endpoint to bind (tcp or ipc) */
    size_t batch;               /* most messages per write transaction */
    size_t batch_bytes;         /* most bytes per batch (a larger message goes alone); 0 = no bound */
    int batch_ms;               /* stop draining this long after a batch's first message; 0 = none */
    int rcvhwm;                 /* ZMQ_RCVHWM: messages queued per peer before libzmq stops
                                 * reading from it (bounds memory); 0 = libzmq's default */
    int64_t max_msg;            /* ZMQ_MAXMSGSIZE: bigger messages drop the connection */
    int insecure;               /* no CURVE: explicitly asked for */
    const char *curve_secret;   /* CURVE: the server's zcert secret file */
    const char *authorized;     /* CURVE: the authorisation file (see auth.h) */
    const char *events;         /* PUB endpoint for live events (events.h), or NULL */
    const char *events_authorized;  /* subscribers' keys: CURVE on the events socket, or NULL
                                     * (then, without insecure, events are redacted) */
    const upstream_opts_t *upstream;  /* federation: forward --as ENTITY upstream, or NULL */
} server_opts_t;

/* Set from a signal handler; the loop finishes the current batch and returns. */
extern volatile sig_atomic_t server_stop;
/* Set from a SIGHUP handler; the loop re-reads the authorisation file between batches. */
extern volatile sig_atomic_t server_reload;

/* Whether the security options allow serving at all: CURVE (both --curve-secret and
 * --authorized) or an explicit --insecure, never both, never neither. */
int server_security_check(const server_opts_t *opts, char *err, size_t errlen);

/* Configures a ROUTER socket before it binds: delivery options, then security: with
 * auth, a CURVE server behind auth's ZAP handler (auth_configure_router); auth NULL is
 * allowed only with opts->insecure. Returns 0, or -1 with a message in err. */
int server_configure(auth_t *auth, void *router, const server_opts_t *opts, char *err, size_t errlen);

/* Loads entities.csv at path into the store (before the first message is read) and logs
 * a summary ("23 entities (4 province, ...)") on stderr. Returns 0, -1 if the file cannot
 * be read or is invalid (an input error), -2 if the store cannot take it (a database
 * error), with the reason on stderr. */
int server_load_hierarchy(store_t *store, const char *path);

/* Binds and serves until server_stop is set. Returns 0 on a clean stop; -2 with a message
 * on stderr if what the operator gave is wrong (key or authorisation file, an endpoint
 * that is not one: exit 2), -1 if the socket could not be set up (exit 3). */
int server_run(store_t *store, const rule_settings_t *settings, const server_opts_t *opts);

#endif
