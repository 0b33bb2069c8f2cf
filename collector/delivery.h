/* delivery.h -- store-and-forward: spool submissions, send them, settle the spool by the
 * acks. Shared by submit, flush and run.
 *
 * Invariants: a submission is spooled (durably) before it is sent; the spool is a queue
 * that is always sent oldest first (created_ms, then file time), so a later version of
 * an entity/year can never overtake an earlier one that is still pending; each finished
 * job prints exactly one line on stdout.
 */
#ifndef HUIZONG_COL_DELIVERY_H
#define HUIZONG_COL_DELIVERY_H

#include "collector.h"
#include "group.h"
#include "sender.h"
#include "spool.h"

/* What delivery_spool*(..., mode) does after the durable write: nothing more, hand the
 * bytes to the sender now, or keep them for the next delivery_load_spool. */
enum { DELIVERY_SPOOL_ONLY = 0, DELIVERY_SEND = 1, DELIVERY_KEEP = 2 };

/* A file this process spooled with DELIVERY_KEEP: its packed bytes and parts list. */
typedef struct {
    char name[SPOOL_NAME_MAX + 1];
    spool_header_t h;
    uint8_t *buf;
    size_t len;
    char *parts;
} delivery_kept_t;

typedef struct {
    spool_t spool;
    sender_t *sender;
    unsigned accepted, rejected, pending, local_errors;
    size_t total;             /* jobs handed to the sender */
    progress_t progress;
    /* The parts of each file of several parts handed to the sender (read from its payload
     * when handed over), so a PENDING line -- which has no ack to name them -- still names
     * every entity/year: "NAME\tENTITY YEAR N facts \n..." per file. */
    char **parts;
    size_t nparts;
    /* Spooled with DELIVERY_KEEP and not loaded yet: delivery_load_spool sends these bytes
     * instead of reading back and decoding the files it has just written. */
    delivery_kept_t *kept;
    size_t nkept;
    /* Entity/years acked as a fresh version 1 (delivery_drop_first_versions). */
    collector_entity_year_t *firsts;
    size_t nfirsts, capfirsts;
    int batch_names;          /* inside delivery_spool_files: one directory fsync at its end */
} delivery_t;

/* Opens the spool (dir NULL: spool_default_dir()) and the sender. Returns 0 or an exit
 * code with the message printed. */
int delivery_open(delivery_t *d, const char *spool_dir, const char *endpoint, const sender_opts_t *o);
void delivery_close(delivery_t *d);

/* Durably spools one validated submission under its id (created_ms set if unset); then,
 * by mode, also hands it to the sender (DELIVERY_SEND) or keeps its bytes for the next
 * delivery_load_spool (DELIVERY_KEEP). Returns 0 or -1 (printed). */
int delivery_spool(delivery_t *d, submission_t *s, int mode);
/* Durably spools the parts of one file as ONE spool file (a Submission with members, sealed:
 * each part's digest and the file's), applied whole or not at all by the aggregator; mode
 * as for delivery_spool. Returns 0 or -1 (printed). */
int delivery_spool_group(delivery_t *d, submission_group_t *g, int mode);
/* Spools every submission of list: those with the same groups[] value (the parts of one
 * file, collector_read_files_grouped) as one file, a lone one as itself; mode as for
 * delivery_spool. Takes the submissions it groups out of list (their slots become NULL).
 * groups NULL: each alone. Except with DELIVERY_SEND the spool directory is fsynced once,
 * after the last file. Returns the number of spool files written, or -1 (printed; what was
 * spooled stays). */
long delivery_spool_files(delivery_t *d, submission_list_t *list, const size_t *groups, int mode);
/* Hands an already spooled submission to the sender. Returns 0 or -1 (printed). */
int delivery_enqueue(delivery_t *d, const submission_t *s);
/* Hands every pending spool file to the sender, oldest first. Call it once, before any
 * delivery_spool(..., DELIVERY_SEND). Unreadable files are moved to rejected/ (and counted
 * as rejected). Files kept by DELIVERY_KEEP go from memory; whatever was kept is released.
 * Returns the number of jobs added, or -1 on a local error (printed). */
long delivery_load_spool(delivery_t *d);
/* Sends until everything is settled, the deadline (seconds, <= 0: none) passes or a
 * signal arrives; whatever is left is reported PENDING. */
void delivery_wait(delivery_t *d, int deadline_s);
/* Removes from ey[0..n) every entity/year acked in this run as a fresh version 1 (not a
 * replay): it supersedes no version, so there is no returned version to report and no need
 * to ask the aggregator (collector_report_superseded). Returns how many are left, in order. */
size_t delivery_drop_first_versions(delivery_t *d, collector_entity_year_t *ey, size_t n);
/* The exit code for what happened (see collector.h). */
int delivery_exit_code(const delivery_t *d);

#endif
