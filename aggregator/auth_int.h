/* auth_int.h -- private to aggregator/auth.c and its unit test (tests/unit/test_auth.c):
 * the authorisation table and the refusal-log throttle, which the test inspects directly.
 * Nothing else may include it; the aggregator uses auth.h.
 */
#ifndef HUIZONG_AUTH_INT_H
#define HUIZONG_AUTH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "hierarchy.h"

#define AUTH_ZAP_FRAMES 8            /* a CURVE request has 7 */
#define AUTH_LOG_QUIET_MS 10000
#define AUTH_LOG_SLOTS 16

/* A DRAFT option in zmq.h 4.3.4 (so hidden from the header), but the Debian libzmq 4.3.4
 * implements it: setting it is checked, and serving stops if it fails. */
#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#define ZMQ_ZAP_ENFORCE_DOMAIN 93
#endif

typedef struct {
    char key[AUTH_KEY_LEN + 1];
    bool all;                        /* "*": every entity */
    char (*codes)[ENTITY_CODE_MAX + 1];
    size_t ncodes;
    unsigned line;
} auth_entry_t;

typedef struct {
    auth_entry_t *items;
    size_t count;
} auth_table_t;

typedef struct {
    char key[AUTH_KEY_LEN + 1];
    uint64_t last_ms;
    unsigned long quiet;             /* refusals not printed since last_ms */
} auth_recent_t;

struct auth_t {
    char *path;
    auth_table_t table;
    void *ctx;                       /* the aggregator's context, or NULL */
    void *zap;                       /* REP on AUTH_ZAP_ENDPOINT, or NULL */
    void *monitor;                   /* PAIR reading the router's handshake failures */
    bool has_secret;
    uint8_t secret[32];
    char public_z85[AUTH_KEY_LEN + 1];
    unsigned long accepted, refused;
    auth_recent_t recent[AUTH_LOG_SLOTS];
    char *sub_path;                  /* --events-authorized: subscribers' keys, or NULL */
    auth_table_t subscribers;        /* keys that may receive the full events (domain AUTH_EVENTS_DOMAIN) */
};

/* The entry of a key (z85) in the current table, or NULL. */
const auth_entry_t *auth_find(const auth_t *self, const char *key);
/* Whether to print a refusal tagged tag (a key, or a kind of handshake failure) now:
 * -1 if the same tag was printed less than AUTH_LOG_QUIET_MS ago (counted), else the
 * number of refusals not printed since the last time. */
long auth_log_due(auth_t *self, const char *tag);

#endif
