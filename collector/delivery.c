/* delivery.c -- spool, send, settle (see delivery.h).
 *
 * Invariant: the spool changes only here and only by an ack: ACCEPTED (including a
 * replayed ack) unlinks the file, REJECTED moves it to rejected/ with the reason; a
 * submission without an ack stays where it is and is reported PENDING.
 */
#include "clock.h"
#include "sort.h"
#include "delivery.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wire.h"

static void delivery_line_head(const sender_job_info_t *job)
{
    printf("%s %u %u facts ", job->entity[0] ? job->entity : "-", job->year, job->facts);
}

/* The sender's verdict on one job: print its line and settle the spool. */
static void delivery_done(void *arg, const sender_job_info_t *job, const ack_t *ack)
{
    delivery_t *d = arg;
    char err[512] = "";
    delivery_line_head(job);
    if (!ack) {
        printf("PENDING (left in spool %s)\n", d->spool.dir);
        d->pending++;
    } else if (ack->status == ACK_ACCEPTED) {
        unsigned ne, nw, ni;
        findings_count(&ack->flags, &ne, &nw, &ni);
        printf("ACCEPTED v%u%s (flags: %u errors, %u warnings, %u info)\n", ack->version,
               ack->replayed ? " replayed" : "", ne, nw, ni);
        d->accepted++;
        fflush(stdout);   /* the line is out before the spool file goes: a kill between
                             the two never hides an ack that removed its spool file */
        if (spool_remove(&d->spool, job->name, err, sizeof err) != 0) {
            fprintf(stderr, "huizong-collector: accepted, but the spool file stays: %s\n", err);
            d->local_errors++;
        }
    } else {
        printf("REJECTED%s: %s\n", ack->replayed ? " (replayed)" : "",
               ack->reason[0] ? ack->reason : "no reason given");
        d->rejected++;
        fflush(stdout);
        if (spool_reject(&d->spool, job->name, ack->reason, err, sizeof err) != 0) {
            fprintf(stderr, "huizong-collector: rejected, but cannot move it to rejected/: %s\n", err);
            d->local_errors++;
        }
    }
    fflush(stdout);
    progress_step(&d->progress);
}

int delivery_open(delivery_t *d, const char *spool_dir, const char *endpoint, const sender_opts_t *o)
{
    memset(d, 0, sizeof *d);
    char err[512] = "";
    if (spool_open(&d->spool, spool_dir ? spool_dir : spool_default_dir(), err, sizeof err) != 0) {
        fprintf(stderr, "huizong-collector: spool: %s\n", err);
        return COL_EXIT_LOCAL;
    }
    if (!endpoint) return 0;
    d->sender = sender_new(endpoint, o, delivery_done, d, err, sizeof err);
    if (!d->sender) {
        fprintf(stderr, "huizong-collector: %s\n", err);
        return COL_EXIT_LOCAL;
    }
    return 0;
}

void delivery_close(delivery_t *d)
{
    sender_destroy(&d->sender);
}

static void delivery_info(sender_job_info_t *info, const char *name, const spool_header_t *h)
{
    memset(info, 0, sizeof *info);
    snprintf(info->name, sizeof info->name, "%s", name);
    snprintf(info->id, sizeof info->id, "%s", h->id);
    snprintf(info->entity, sizeof info->entity, "%s", h->entity);
    info->year = h->year;
    info->facts = h->facts;
}

/* Hands a packed submission to the sender (which takes buf). 0 or -1 (printed). */
static int delivery_hand_over(delivery_t *d, const char *name, const spool_header_t *h,
                              uint8_t *buf, size_t len)
{
    sender_job_info_t info;
    delivery_info(&info, name, h);
    if (sender_add(d->sender, &info, buf, len) != 0) {
        free(buf);
        fprintf(stderr, "huizong-collector: out of memory\n");
        return -1;
    }
    d->total++;
    return 0;
}

static int delivery_pack(const submission_t *s, uint8_t **buf, size_t *len)
{
    if (wire_pack_submission(s, buf, len) == 0) return 0;
    fprintf(stderr, "huizong-collector: cannot encode %s %u\n", s->entity, s->year);
    return -1;
}

int delivery_enqueue(delivery_t *d, const submission_t *s)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    if (delivery_pack(s, &buf, &len) != 0) return -1;
    spool_header_t h;
    spool_header_of(&h, s);
    return delivery_hand_over(d, s->id, &h, buf, len);
}

int delivery_spool(delivery_t *d, submission_t *s, int send)
{
    if (!s->created_ms) s->created_ms = clock_wall_ms();
    uint8_t *buf = NULL;
    size_t len = 0;
    char err[512] = "";
    if (delivery_pack(s, &buf, &len) != 0) return -1;
    spool_header_t h;
    spool_header_of(&h, s);
    if (spool_put_submission(&d->spool, s->id, &h, buf, len, err, sizeof err) != 0) {
        free(buf);
        fprintf(stderr, "huizong-collector: spool: %s\n", err);
        return -1;
    }
    if (send && d->sender) return delivery_hand_over(d, s->id, &h, buf, len);   /* packed once */
    free(buf);
    return 0;
}

typedef struct {
    spool_entry_t entry;
    spool_header_t h;
    size_t order;               /* position in the time-sorted listing: a stable tie-break */
    uint8_t *buf;
    size_t len;
} loaded_t;

static int loaded_cmp(const void *a, const void *b)
{
    const loaded_t *x = a, *y = b;
    if (x->h.created_ms != y->h.created_ms) return x->h.created_ms < y->h.created_ms ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* A spool file the collector cannot read back would be refused by any aggregator too:
 * settle it as rejected here rather than send it forever. */
static void delivery_unreadable(delivery_t *d, const char *name, const char *why)
{
    char reason[700], err[512] = "";
    snprintf(reason, sizeof reason, "unreadable spool file: %s", why);
    printf("- 0 0 facts REJECTED: %s (%s.pb)\n", reason, name);
    d->rejected++;
    if (spool_reject(&d->spool, name, reason, err, sizeof err) != 0) {
        fprintf(stderr, "huizong-collector: cannot move %s to rejected/: %s\n", name, err);
        d->local_errors++;
    }
}

/* Spool files are read by their header only: the submission inside was validated when
 * its CSV was read, and the aggregator validates it again on arrival (its own hop). */
long delivery_load_spool(delivery_t *d)
{
    spool_entry_t *entries = NULL;
    size_t n = 0;
    char err[512] = "";
    if (spool_list(&d->spool, &entries, &n, err, sizeof err) != 0) {
        fprintf(stderr, "huizong-collector: spool: %s\n", err);
        return -1;
    }
    loaded_t *items = calloc(n ? n : 1, sizeof *items);
    if (!items) {
        free(entries);
        fprintf(stderr, "huizong-collector: out of memory\n");
        return -1;
    }
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        loaded_t *it = &items[count];
        it->entry = entries[i];
        it->order = i;
        int rc = spool_read_submission(&d->spool, entries[i].name, &it->h, &it->buf, &it->len,
                                       err, sizeof err);
        if (rc == -2) {
            delivery_unreadable(d, entries[i].name, err);
            continue;
        }
        if (rc != 0) {
            /* Vanished (another collector settled it) or unreadable now: skip this round. */
            fprintf(stderr, "huizong-collector: spool: %s\n", err);
            continue;
        }
        count++;
    }
    free(entries);
    sort_array(items, count, sizeof *items, loaded_cmp);
    long added = 0;
    for (size_t i = 0; i < count; i++) {
        loaded_t *it = &items[i];
        if (delivery_hand_over(d, it->entry.name, &it->h, it->buf, it->len) != 0) {
            for (size_t k = i + 1; k < count; k++) free(items[k].buf);
            free(items);
            return -1;
        }
        added++;
    }
    free(items);
    return added;
}

void delivery_wait(delivery_t *d, int deadline_s)
{
    progress_start(&d->progress, "acks", d->total);
    uint64_t end = deadline_s > 0 ? clock_mono_ms() + (uint64_t)deadline_s * 1000 : 0;
    while (sender_outstanding(d->sender) > 0 && !collector_stop) {
        uint64_t now = clock_mono_ms();
        if (end && now >= end) break;
        int slice = 200;
        if (end && end - now < (uint64_t)slice) slice = (int)(end - now);
        if (sender_poll(d->sender, slice) != 0) {
            d->local_errors++;
            break;
        }
    }
    sender_abandon(d->sender);
    progress_end(&d->progress);
}

int delivery_exit_code(const delivery_t *d)
{
    if (d->local_errors) return COL_EXIT_LOCAL;
    if (d->rejected) return COL_EXIT_FINDINGS;
    if (d->pending) return COL_EXIT_PENDING;
    return COL_EXIT_OK;
}
