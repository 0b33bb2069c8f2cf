/* sender.h -- delivering spooled submissions to an aggregator: a DEALER socket with a
 * window of in-flight submissions, acks matched by submission id, Lazy Pirate retries.
 * Used by the collector and by an aggregator forwarding upstream (aggregator/upstream.c);
 * it lives in delivery/ (huizong_delivery) so both link the same code.
 *
 * Invariants:
 *  - A job is finished only by an ack naming its submission id (ACCEPTED or REJECTED), or
 *    by sender_abandon (PENDING: it stays in the spool). Nothing is ever dropped silently.
 *  - When any in-flight submission gets no ack within the per-attempt timeout, the socket
 *    is closed (linger 0) and reopened after an exponential backoff, and every unacked
 *    submission is sent again. That is safe because the aggregator answers a repeated id
 *    with the ack it stored the first time.
 *  - At most one submission per entity/year is in flight, and they go in the order they
 *    were added, so versions of one entity/year are applied in the order they were made.
 *  - At most window submissions and window_bytes bytes are in flight (one larger than
 *    window_bytes goes alone), so a collector of large files has one of them in the
 *    aggregator's hands at a time instead of a window of them queued in its memory.
 *
 * The caller drives it with sender_poll(); it never blocks longer than asked.
 *
 * A socket monitor on the DEALER (zmq_socket_monitor) watches the security handshake: a key
 * the aggregator's ZAP refuses (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH), another mechanism on the
 * other side (_PROTOCOL), or connections closed again and again before the handshake
 * completes (what a wrong --server-key looks like from the client) are logged once, naming
 * the likely causes, instead of only "no ack"; with give_up_on_refusal the poll then
 * returns SENDER_REFUSED so a one-shot collector stops long before its deadline.
 */
#ifndef HUIZONG_SENDER_H
#define HUIZONG_SENDER_H

#include <stddef.h>
#include <stdint.h>

#include "curve.h"
#include "spool.h"
#include "submission.h"
#include "wire.h"

typedef struct {
    char name[SPOOL_NAME_MAX + 1];          /* spool file name (without .pb) */
    char id[SUBMISSION_ID_MAX + 1];         /* submission id inside the payload */
    char entity[SUBMISSION_ENTITY_MAX + 1];
    uint32_t year;
    uint32_t facts;
    uint32_t attempts;                      /* sends so far */
} sender_job_info_t;

/* Called once per job: ack is the aggregator's answer, or NULL when abandoned (pending). */
typedef void (sender_done_fn)(void *arg, const sender_job_info_t *job, const ack_t *ack);

typedef struct {
    int window;            /* in-flight submissions (default 64) */
    size_t window_bytes;   /* in-flight bytes: a submission that would take the window over
                              it waits until the ones in flight are acked, and one larger
                              than it goes alone (default SENDER_WINDOW_BYTES; 0 = no
                              bound). Bounds what a large file holds in the aggregator
                              (docs/durability.md, "Fair service") */
    int timeout_ms;        /* per attempt (default 3000) */
    int backoff_min_ms;    /* first wait before reconnecting (default 250) */
    int backoff_max_ms;    /* cap of the doubling (default 8000) */
    int verbose;           /* log reconnects on stderr */
    const char *who;       /* prefix of its log lines (default "huizong-collector"; an
                              aggregator forwarding upstream passes its own name) */
    const curve_client_t *curve;   /* CURVE client keys (must outlive the sender), or
                                      NULL: plain text, for an --insecure aggregator */
    /* Where the sender's diagnostics go (reconnects, unreadable replies, the reason
     * sender_poll returns -1): one line "who: ...", no newline. NULL: nowhere. The sender
     * itself never prints; the collector and the aggregator point this at stderr. */
    void (*log)(void *arg, const char *line);
    void *log_arg;
    /* When the handshake is refused (see the file comment): 0 keeps retrying (a service, an
     * aggregator forwarding upstream: the key may be authorised later), 1 makes sender_poll
     * return SENDER_REFUSED once the refusal is logged (default 0). */
    int give_up_on_refusal;
} sender_opts_t;

/* The default byte window: the aggregator's default --batch-bytes (8 MiB), beyond which it
 * takes a submission alone anyway, so a larger one gains nothing from company in flight. */
#define SENDER_WINDOW_BYTES (8u * 1024 * 1024)

/* Consecutive connections closed during the handshake that count as a refusal. */
#define SENDER_HANDSHAKE_TRIES 3
/* sender_poll's answer when the aggregator refuses the handshake (give_up_on_refusal). */
#define SENDER_REFUSED (-2)

typedef struct sender sender_t;

void sender_opts_default(sender_opts_t *o);
sender_t *sender_new(const char *endpoint, const sender_opts_t *opts, sender_done_fn *done,
                     void *arg, char *err, size_t errlen);
/* Finishes nothing: outstanding jobs are simply dropped (they are still in the spool). */
void sender_destroy(sender_t **self_p);

/* Queues a submission. Takes ownership of payload (malloc'd). Returns 0 or -1 (OOM). */
int sender_add(sender_t *self, const sender_job_info_t *info, uint8_t *payload, size_t len);
/* Sends, receives acks and retries for up to max_ms. Returns 0, -1 on a socket error
 * that retrying cannot fix (bad endpoint), or SENDER_REFUSED when the aggregator refuses the
 * security handshake and give_up_on_refusal is set (jobs stay outstanding: abandon them). */
int sender_poll(sender_t *self, int max_ms);
/* Jobs not yet finished. */
size_t sender_outstanding(const sender_t *self);
/* Finishes every outstanding job as pending (done(arg, job, NULL)). */
void sender_abandon(sender_t *self);

#endif
