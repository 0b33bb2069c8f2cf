/* web.h -- `huizong serve`: the finance centre's web view over the store (docs/web.md).
 *
 * An HTTP(S) server (libmicrohttpd) that reads the LMDB store read-only through the
 * store's query API, serves the pages built into the binary (web/assets, embedded at build
 * time) and the JSON API under /api/ they are built from, turns the aggregator's event feed
 * into server-sent events (/api/events), and sends review decisions to the aggregator (the
 * store's only writer) as authenticated messages.
 *
 * Invariants:
 *  1. Nothing here opens LMDB for writing.
 *  2. With a users file, every /api/ answer but login needs a session (401 otherwise), and
 *     every entity asked for must lie in one of the user's subtrees (403 otherwise).
 *  3. Every POST needs the session's CSRF token in the X-CSRF-Token header (login aside).
 *  4. A non-loopback listen address needs TLS unless insecure is set.
 */
#ifndef HUIZONG_WEB_H
#define HUIZONG_WEB_H

#include <stddef.h>

#define WEB_EVENTS_MAX 8

typedef struct {
    const char *db;
    const char *listen;          /* HOST:PORT, default 127.0.0.1:8080 */
    const char *users;           /* users file, NULL = no accounts (everything visible) */
    const char *tls_cert, *tls_key;
    const char *events[WEB_EVENTS_MAX];
    size_t nevents;
    const char *aggregator;      /* where review decisions go */
    const char *key, *server_key;
    int insecure;
    const char *self_exe;        /* the huizong binary, for the exporters (downloads) */
} web_config_t;

/* Runs the server until SIGINT/SIGTERM. Returns 0, 2 for a bad configuration (message on
 * stderr), 3 if the store or the socket cannot be opened. */
int web_serve(const web_config_t *cfg);

/* Whether host (an IPv4/IPv6 literal or name) is a loopback address. */
int web_host_is_loopback(const char *host);

#endif
