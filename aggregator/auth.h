/* auth.h -- who may talk to the aggregator (CURVE + ZAP) and what each key may submit.
 *
 * Two questions, answered from one table (the authorisation file):
 *  1. At connection time, by the ZAP handler (RFC 27): is this CURVE public key listed?
 *     Unknown keys get ZAP status 400 and libzmq drops the connection before any message
 *     is read. An accepted connection's messages carry the key as their "User-Id".
 *  2. Per submission, by auth_allows(): is the submission's entity inside one of the
 *     subtrees listed for that key ("*" = every entity)?
 *
 * The authorisation file, one key per line:
 *     PUBLIC_KEY_Z85   ENTITY[,ENTITY...]   [# comment]
 *     # a line whose first field starts with '#' is a comment
 * The key is the 40-character Z85 text `huizong keygen` prints (the "public-key" of a
 * zcert public file). Z85 does use '#', but never as the first character of a 32-byte
 * key (it would encode a 4-byte group >= 84 * 85^4 > 2^32), so a leading '#' is always
 * a comment: putting '#' in front of a key line comments it out.
 *
 * Invariants:
 *  - The ZAP handler is a REP socket bound on inproc://zeromq.zap.01 in the aggregator's
 *    own context and served from the aggregator's single poll loop (auth_zap_serve): the
 *    ZAP decisions, auth_allows and auth_reload all read and write one table in one
 *    thread, so a reload is seen by both at once, with no locks.
 *  - Only the domain AUTH_ZAP_DOMAIN with mechanism CURVE is ever accepted; with
 *    ZMQ_ZAP_ENFORCE_DOMAIN set on the ROUTER, a missing handler refuses everyone
 *    instead of accepting everyone. Other sockets of the same context that use the NULL
 *    mechanism without a ZAP domain (an events PUB) are not affected: libzmq 4.3 asks
 *    ZAP about NULL connections only when a domain is set. Any other domain is refused.
 *  - auth_reload replaces the table only if the new file parses completely; otherwise the
 *    old table stays in force. auth_allows always consults the current table, so a key
 *    removed by a reload is refused on connections it had already opened.
 */
#ifndef HUIZONG_AGG_AUTH_H
#define HUIZONG_AGG_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

#define AUTH_ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define AUTH_ZAP_DOMAIN "huizong"
/* The ZAP domain of the events PUB socket: its own key list (--events-authorized), so a
 * key that may watch cannot submit and a collector's key cannot watch unless listed. */
#define AUTH_EVENTS_DOMAIN "huizong-events"
#define AUTH_KEY_LEN 40            /* Z85 text of a 32-byte CURVE key */

typedef struct auth_t auth_t;

/* Reads the authorisation file; with secret_file (the server's zcert secret file) also
 * the server keypair; with zmq_ctx also binds the ZAP handler in that context (call it
 * before any CURVE socket of the context binds). secret_file and zmq_ctx may be NULL
 * (tests, checking a file). Returns NULL with "file:line: reason" in err. */
auth_t *auth_new(void *zmq_ctx, const char *secret_file, const char *authorized_file,
                 char *err, size_t errlen);
void auth_destroy(auth_t **self_p);

/* Makes router a CURVE server with the server secret key, in the ZAP domain, with
 * ZMQ_ZAP_ENFORCE_DOMAIN = 1, and monitors its failed handshakes (those ZAP never sees:
 * clients without CURVE or with a wrong server key) so they are logged. Call before
 * bind, for one router. Needs secret_file and zmq_ctx. */
int auth_configure_router(auth_t *self, void *router, char *err, size_t errlen);

/* The sockets the poll loop must watch (NULL when not set up): the ZAP handler and the
 * handshake monitor. */
void *auth_zap_socket(const auth_t *self);
void *auth_monitor_socket(const auth_t *self);
/* Answers every ZAP request waiting and logs every failed handshake reported, without
 * blocking. Returns how many were handled, or -1 on a socket error (logged). */
int auth_serve(auth_t *self);
/* Only the ZAP requests. */
int auth_zap_serve(auth_t *self);

/* true if the key (Z85 User-Id of the connection) is listed now and entity is one of its
 * entities or below one of them in the store's hierarchy (or the key has "*"). */
bool auth_allows(auth_t *self, const char *user_id_z85, const char *entity, store_t *store);
/* The same over a path the caller already looked up (store_ancestors; NULL for an entity
 * the store does not know): the intake looks each submission's entity up once. */
bool auth_allows_path(auth_t *self, const char *user_id_z85, const char *entity,
                      const store_path_t *path);
/* Why auth_allows said no, for the REJECTED ack and the log:
 * "key AbCdEfGh… may not submit for 608 (authorised: 420112)". */
void auth_refusal(const auth_t *self, const char *user_id_z85, const char *entity,
                  char *out, size_t outlen);

/* Re-reads the authorisation file. Returns 0 (new table in force) or -1 with err (the
 * old table stays in force). */
int auth_reload(auth_t *self, char *err, size_t errlen);
/* The subscribers' key list of the events feed (--events-authorized FILE: the format of
 * the authorisation file; the entities of a line are not used, write `*`). Re-read by
 * auth_reload. 0, or -1 with "FILE:LINE: reason" in err. */
int auth_load_subscribers(auth_t *self, const char *path, char *err, size_t errlen);
/* Makes a PUB socket (before bind) a CURVE server in domain AUTH_EVENTS_DOMAIN: only keys
 * of the subscribers' list complete the handshake. 0, or -1 with err. */
int auth_configure_pub(auth_t *self, void *pub, char *err, size_t errlen);
size_t auth_subscriber_count(const auth_t *self);

size_t auth_count(const auth_t *self);                 /* keys in force */
const char *auth_server_public(const auth_t *self);    /* Z85, "" without a secret file */
const char *auth_path(const auth_t *self);             /* the authorisation file */
/* Connections accepted by ZAP, and refused by ZAP or failed in the handshake, since
 * start (for logs and tests). */
unsigned long auth_accepted(const auth_t *self);
unsigned long auth_refused(const auth_t *self);

#endif
