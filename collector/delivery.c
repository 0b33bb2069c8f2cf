/* delivery.c -- spool, send, settle (see delivery.h).
 *
 * Invariant: the spool changes only here and only by an ack: ACCEPTED (including a
 * replayed ack) unlinks the file, REJECTED moves it to rejected/ with the reason; a
 * submission without an ack stays where it is and is reported PENDING.
 */
#include "clock.h"
#include "sort.h"
#include "delivery.h"
#include "digest.h"
#include "group.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wire.h"

static void delivery_line_head(const sender_job_info_t *job)
{
    printf("%s %u %u facts ", job->entity[0] ? job->entity : "-", job->year, job->facts);
}

/* The verdict of one ack after its "ENTITY YEAR N facts " head: the one wording of a
 * single submission's line and of each part of a file. */
static void delivery_verdict(const ack_t *a)
{
    if (a->status == ACK_ACCEPTED) {
        unsigned ne, nw, ni;
        findings_count(&a->flags, &ne, &nw, &ni);
        printf("ACCEPTED v%u%s (已入库；问题：错误 %u，警告 %u，提示 %u)\n", a->version,
               a->replayed ? " replayed" : "", ne, nw, ni);
    } else {
        printf("REJECTED%s: %s\n", a->replayed ? " (replayed)" : "",
               a->reason[0] ? a->reason : "no reason given");
    }
}

/* The lines of a file of several parts: one per part, as if each had been sent alone. */
static void delivery_group_lines(const ack_t *ack)
{
    for (size_t i = 0; i < ack->nmembers; i++) {
        const ack_t *a = &ack->members[i];
        printf("%s %u %u facts ", a->entity[0] ? a->entity : "-", a->year, a->fact_count);
        delivery_verdict(a);
    }
}

/* The parts list of file `name` ("NAME\t" + one "ENTITY YEAR N facts " line per part), or NULL. */
static const char *delivery_parts(const delivery_t *d, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < d->nparts; i++)
        if (!strncmp(d->parts[i], name, n) && d->parts[i][n] == '\t') return d->parts[i] + n + 1;
    return NULL;
}

/* The parts list of file `name` as delivery_parts() reads it, from the group itself
 * (malloc'd; NULL without memory: its lines then name the file alone). */
static char *delivery_parts_text(const char *name, const submission_group_t *g)
{
    size_t cap = strlen(name) + 2 + g->count * (SUBMISSION_ENTITY_MAX + 40);
    char *text = malloc(cap);
    if (!text) return NULL;
    size_t o = (size_t)snprintf(text, cap, "%s\t", name);
    for (size_t i = 0; i < g->count && o < cap; i++)
        o += (size_t)snprintf(text + o, cap - o, "%s %u %zu facts \n", g->members[i]->entity,
                              g->members[i]->year, g->members[i]->count);
    return text;
}

/* Remembers a parts list (takes text; NULL: nothing to remember). */
static void delivery_add_parts(delivery_t *d, char *text)
{
    if (!text) return;
    char **grown = realloc(d->parts, (d->nparts + 1) * sizeof *grown);
    if (!grown) { free(text); return; }
    d->parts = grown;
    d->parts[d->nparts++] = text;
}

/* Remembers the parts of a file of several parts handed over without its parts list: its
 * payload decoded (nothing remembered if it does not decode: the aggregator will say why).
 * Only a spool file whose header holds no digest comes here -- every other one was decoded
 * once already, by the digest check, which handed its parts on. */
static void delivery_note_parts(delivery_t *d, const char *name, const uint8_t *buf, size_t len)
{
    submission_t *s = NULL;
    submission_group_t *g = NULL;
    char err[256];
    if (wire_unpack_message(buf, len, &s, &g, err, sizeof err) != 0 || !g) {
        submission_destroy(&s);
        return;
    }
    delivery_add_parts(d, delivery_parts_text(name, g));
    group_destroy(&g);
}

/* Forgets the parts of file `name` once its job is finished (a long `run` sees many files). */
static void delivery_forget_parts(delivery_t *d, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < d->nparts; i++)
        if (!strncmp(d->parts[i], name, n) && d->parts[i][n] == '\t') {
            free(d->parts[i]);
            d->parts[i] = d->parts[--d->nparts];
            return;
        }
}

/* One line per part of a file, each ending in `tail` (a PENDING or REJECTED verdict). */
static void delivery_part_lines(const delivery_t *d, const sender_job_info_t *job, const char *tail)
{
    const char *p = delivery_parts(d, job->name);
    if (!p) {
        delivery_line_head(job);
        printf("%s\n", tail);
        return;
    }
    for (const char *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
        printf("%.*s%s\n", (int)(nl - p), p, tail);
}

/* Settles a job's spool file once its line is out: an ACCEPTED one goes, a REJECTED one
 * moves to rejected/ with its reason, a pending one stays. stdout is flushed first, so a
 * kill between the two never hides an ack that removed its spool file. */
static void delivery_settle(delivery_t *d, const sender_job_info_t *job, const ack_t *ack)
{
    char err[512] = "";
    if (!ack) {
        d->pending++;
    } else if (ack->status == ACK_ACCEPTED) {
        d->accepted++;
        fflush(stdout);
        if (spool_remove(&d->spool, job->name, err, sizeof err) != 0) {
            fprintf(stderr, "huizong-collector: accepted, but the spool file stays: %s\n", err);
            d->local_errors++;
        }
    } else {
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

/* Remembers an entity/year whose submission was just stored as its version 1 (a fresh
 * ACCEPTED v1, not a replay): it supersedes nothing (delivery_drop_first_versions). */
static void delivery_note_first(delivery_t *d, const char *entity, uint32_t year, const ack_t *a)
{
    if (a->status != ACK_ACCEPTED || a->version != 1 || a->replayed || !entity[0]) return;
    if (d->nfirsts == d->capfirsts) {
        size_t cap = d->capfirsts ? d->capfirsts * 2 : 64;
        collector_entity_year_t *grown = realloc(d->firsts, cap * sizeof *grown);
        if (!grown) return;   /* not remembered: only asked about once more */
        d->firsts = grown;
        d->capfirsts = cap;
    }
    collector_entity_year_t *e = &d->firsts[d->nfirsts++];
    snprintf(e->entity, sizeof e->entity, "%s", entity);
    e->year = year;
}

static int entity_year_cmp(const void *a, const void *b)
{
    const collector_entity_year_t *x = a, *y = b;
    int c = strcmp(x->entity, y->entity);
    if (c) return c;
    return x->year < y->year ? -1 : x->year > y->year;
}

size_t delivery_drop_first_versions(delivery_t *d, collector_entity_year_t *ey, size_t n)
{
    if (!d->nfirsts) return n;
    sort_array(d->firsts, d->nfirsts, sizeof *d->firsts, entity_year_cmp);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (!bsearch(&ey[i], d->firsts, d->nfirsts, sizeof *d->firsts, entity_year_cmp))
            ey[kept++] = ey[i];
    return kept;
}

/* The sender's verdict on one job: print its line(s) and settle the spool. */
static void delivery_done(void *arg, const sender_job_info_t *job, const ack_t *ack)
{
    delivery_t *d = arg;
    if (ack && ack->nmembers)
        for (size_t i = 0; i < ack->nmembers; i++)
            delivery_note_first(d, ack->members[i].entity, ack->members[i].year, &ack->members[i]);
    else if (ack && strcmp(job->entity, GROUP_ENTITY))
        delivery_note_first(d, job->entity, job->year, ack);
    if (!strcmp(job->entity, GROUP_ENTITY) && (!ack || !ack->nmembers)) {
        /* a file of several parts without an ack per part: pending, or refused whole before
         * its parts were read (malformed, an older aggregator); never accepted whole */
        char tail[700];
        if (!ack) snprintf(tail, sizeof tail, "PENDING (未送达，留在待发目录 %.560s，下次 flush 再发)", d->spool.dir);
        else snprintf(tail, sizeof tail, "%s: %s", ack->status == ACK_ACCEPTED ? "ACCEPTED" : "REJECTED",
                      ack->reason[0] ? ack->reason : "no reason given");
        delivery_part_lines(d, job, tail);
        ack_t refused;
        if (ack && ack->status == ACK_ACCEPTED) {   /* a whole-file ack without parts: keep it */
            refused = *ack;
            refused.status = ACK_REJECTED;
            ack = &refused;
        }
        delivery_settle(d, job, ack);
        delivery_forget_parts(d, job->name);
        return;
    }
    delivery_forget_parts(d, job->name);
    if (ack && ack->nmembers) {
        delivery_group_lines(ack);   /* the refused part's line says why, the others name it */
    } else {
        delivery_line_head(job);
        if (!ack) printf("PENDING (未送达，留在待发目录 %s，下次 flush 再发)\n", d->spool.dir);
        else delivery_verdict(ack);
    }
    delivery_settle(d, job, ack);
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

/* Frees what delivery_spool_files(..., DELIVERY_KEEP) kept and no load handed over. */
static void delivery_drop_kept(delivery_t *d)
{
    for (size_t i = 0; i < d->nkept; i++) {
        free(d->kept[i].buf);
        free(d->kept[i].parts);
    }
    free(d->kept);
    d->kept = NULL;
    d->nkept = 0;
}

void delivery_close(delivery_t *d)
{
    sender_destroy(&d->sender);
    delivery_drop_kept(d);
    free(d->firsts);
    d->firsts = NULL;
    d->nfirsts = d->capfirsts = 0;
    for (size_t i = 0; i < d->nparts; i++) free(d->parts[i]);
    free(d->parts);
    d->parts = NULL;
    d->nparts = 0;
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

/* Hands a packed submission to the sender (which takes buf) with its parts list (taken;
 * NULL: none, or decoded here for a file of several parts). 0 or -1 (printed). */
static int delivery_hand_over(delivery_t *d, const char *name, const spool_header_t *h,
                              uint8_t *buf, size_t len, char *parts)
{
    sender_job_info_t info;
    delivery_info(&info, name, h);
    if (parts) delivery_add_parts(d, parts);
    else if (!strcmp(h->entity, GROUP_ENTITY)) delivery_note_parts(d, name, buf, len);
    if (sender_add(d->sender, &info, buf, len) != 0) {
        free(buf);
        fprintf(stderr, "huizong-collector: out of memory\n");
        return -1;
    }
    d->total++;
    return 0;
}

/* Keeps a spooled file's packed bytes (taken) for the next delivery_load_spool. Without
 * memory nothing is kept: that load reads the file back instead, as for any other. */
static void delivery_keep(delivery_t *d, const char *name, const spool_header_t *h,
                          uint8_t *buf, size_t len, char *parts)
{
    delivery_kept_t *grown = realloc(d->kept, (d->nkept + 1) * sizeof *grown);
    if (!grown) {
        free(buf);
        free(parts);
        return;
    }
    d->kept = grown;
    delivery_kept_t *k = &d->kept[d->nkept++];
    snprintf(k->name, sizeof k->name, "%s", name);
    k->h = *h;
    k->buf = buf;
    k->len = len;
    k->parts = parts;
}

/* What follows a durable spool write: hand the bytes over, keep them, or free them. */
static int delivery_spooled(delivery_t *d, const char *name, const spool_header_t *h,
                            uint8_t *buf, size_t len, char *parts, int mode)
{
    if (mode == DELIVERY_SEND && d->sender) return delivery_hand_over(d, name, h, buf, len, parts);
    if (mode == DELIVERY_KEEP) {
        delivery_keep(d, name, h, buf, len, parts);
        return 0;
    }
    free(buf);
    free(parts);
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
    return delivery_hand_over(d, s->id, &h, buf, len, NULL);
}

/* The durable write of one spool file; inside delivery_spool_files' batch without the
 * directory's fsync, which the batch does once at its end. */
static int delivery_put(delivery_t *d, const char *name, const spool_header_t *h,
                        const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    if (d->batch_names) return spool_put_submission_batch(&d->spool, name, h, buf, len, err, errlen);
    return spool_put_submission(&d->spool, name, h, buf, len, err, errlen);
}

int delivery_spool(delivery_t *d, submission_t *s, int mode)
{
    if (!s->created_ms) s->created_ms = clock_wall_ms();
    if (!s->has_digest) submission_seal(s);   /* read by a path that did not seal it yet */
    uint8_t *buf = NULL;
    size_t len = 0;
    char err[512] = "";
    if (delivery_pack(s, &buf, &len) != 0) return -1;
    spool_header_t h;
    spool_header_of(&h, s);
    if (delivery_put(d, s->id, &h, buf, len, err, sizeof err) != 0) {
        free(buf);
        fprintf(stderr, "huizong-collector: spool: %s\n", err);
        return -1;
    }
    return delivery_spooled(d, s->id, &h, buf, len, NULL, mode);   /* packed once */
}

int delivery_spool_group(delivery_t *d, submission_group_t *g, int mode)
{
    uint64_t now = clock_wall_ms();
    for (size_t i = 0; i < g->count; i++)
        if (!g->members[i]->created_ms) g->members[i]->created_ms = now;
    group_seal(g);
    uint8_t *buf = NULL;
    size_t len = 0;
    char err[512] = "";
    if (wire_pack_group(g, &buf, &len) != 0) {
        fprintf(stderr, "huizong-collector: cannot encode %s\n", g->source);
        return -1;
    }
    spool_header_t h;
    memset(&h, 0, sizeof h);
    snprintf(h.id, sizeof h.id, "%s", g->id);
    snprintf(h.entity, sizeof h.entity, "%s", GROUP_ENTITY);
    h.year = g->members[0]->year;
    h.facts = (uint32_t)group_facts(g);
    h.created_ms = g->members[0]->created_ms;
    memcpy(h.digest, g->digest, SPOOL_DIGEST_LEN);
    if (delivery_put(d, g->id, &h, buf, len, err, sizeof err) != 0) {
        free(buf);
        fprintf(stderr, "huizong-collector: spool: %s\n", err);
        return -1;
    }
    /* the parts list from the group itself: the bytes are not decoded again to name them */
    char *parts = mode != DELIVERY_SPOOL_ONLY ? delivery_parts_text(g->id, g) : NULL;
    return delivery_spooled(d, g->id, &h, buf, len, parts, mode);
}

static long delivery_spool_each(delivery_t *d, submission_list_t *list, const size_t *groups, int mode)
{
    long files = 0;
    for (size_t i = 0; i < list->count; i++) {
        if (!list->items[i]) continue;
        size_t n = 0;
        for (size_t k = i; k < list->count && groups; k++) n += list->items[k] && groups[k] == groups[i];
        files++;
        if (n <= 1) {
            if (delivery_spool(d, list->items[i], mode) != 0) return -1;
            continue;
        }
        submission_group_t *g = group_new(list->items[i]->source);
        if (!g) { fprintf(stderr, "huizong-collector: out of memory\n"); return -1; }
        for (size_t k = i; k < list->count; k++)
            if (list->items[k] && groups[k] == groups[i]) {
                if (group_add(g, list->items[k]) != 0) {
                    group_destroy(&g);
                    fprintf(stderr, "huizong-collector: out of memory\n");
                    return -1;
                }
                list->items[k] = NULL;   /* the group owns it now */
            }
        int rc = delivery_spool_group(d, g, mode);
        group_destroy(&g);
        if (rc != 0) return -1;
    }
    return files;
}

/* Unless each file is handed to the sender as it is written (DELIVERY_SEND), nothing
 * is sent before this returns: the directory is fsynced once for all the files, after
 * the last, instead of once per file. */
long delivery_spool_files(delivery_t *d, submission_list_t *list, const size_t *groups, int mode)
{
    d->batch_names = mode != DELIVERY_SEND;
    long files = delivery_spool_each(d, list, groups, mode);
    if (d->batch_names && files != 0) {
        char err[512] = "";
        if (spool_sync_names(&d->spool, err, sizeof err) != 0) {
            fprintf(stderr, "huizong-collector: spool: %s\n", err);
            files = -1;
        }
    }
    d->batch_names = 0;
    return files;
}

typedef struct {
    spool_entry_t entry;
    spool_header_t h;
    size_t order;               /* position in the time-sorted listing: a stable tie-break */
    uint8_t *buf;
    size_t len;
    char *parts;                /* its parts list (delivery_parts_text), or NULL */
} loaded_t;

static int loaded_cmp(const void *a, const void *b)
{
    const loaded_t *x = a, *y = b;
    if (x->h.created_ms != y->h.created_ms) return x->h.created_ms < y->h.created_ms ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* A spool file the collector cannot read back, or whose content no longer matches its
 * digest, would be refused by any aggregator too: settle it as rejected here rather than
 * send it forever. The line and the reason name the file and, when its header was
 * readable, the entity and year (spool_read_submission fills what it could read). */
static void delivery_unreadable(delivery_t *d, const char *name, const spool_header_t *h,
                                const char *why)
{
    char reason[900], err[512] = "";
    if (!strcmp(h->entity, GROUP_ENTITY))
        snprintf(reason, sizeof reason, "damaged spool file %s.pb (a file of several parts, "
                 "%u facts): %s", name, h->facts, why);
    else if (h->entity[0])
        snprintf(reason, sizeof reason, "damaged spool file %s.pb (entity %s, year %u): %s", name,
                 h->entity, h->year, why);
    else
        snprintf(reason, sizeof reason, "damaged spool file %s.pb (entity and year unknown: no "
                 "readable header): %s", name, why);
    printf("%s %u %u facts REJECTED: %s\n", h->entity[0] ? h->entity : "-", h->year, h->facts, reason);
    d->rejected++;
    if (spool_reject(&d->spool, name, reason, err, sizeof err) != 0) {
        fprintf(stderr, "huizong-collector: cannot move %s to rejected/: %s\n", name, err);
        d->local_errors++;
    }
}

static int kept_cmp(const void *a, const void *b)
{
    return strcmp(((const delivery_kept_t *)a)->name, ((const delivery_kept_t *)b)->name);
}

/* Spool files are read back whole: spool_read_parts checks the submission against the
 * digest its header holds (the figures as the collector read them), so a file changed on
 * disk is refused here, named, instead of sent. A file this process spooled and kept
 * (DELIVERY_KEEP) is not read back: its bytes are the ones just written, fsynced and
 * renamed into place, and reading them back would only return them from the page cache.
 * Which files go, and in which order, is still the listing's: a kept file that another
 * collector settled in the meantime is not listed, and is not sent. */
long delivery_load_spool(delivery_t *d)
{
    spool_entry_t *entries = NULL;
    size_t n = 0;
    char err[512] = "";
    if (spool_list(&d->spool, &entries, &n, err, sizeof err) != 0) {
        fprintf(stderr, "huizong-collector: spool: %s\n", err);
        delivery_drop_kept(d);
        return -1;
    }
    loaded_t *items = calloc(n ? n : 1, sizeof *items);
    if (!items) {
        free(entries);
        delivery_drop_kept(d);
        fprintf(stderr, "huizong-collector: out of memory\n");
        return -1;
    }
    if (d->nkept > 1) sort_array(d->kept, d->nkept, sizeof *d->kept, kept_cmp);
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        loaded_t *it = &items[count];
        it->entry = entries[i];
        it->order = i;
        delivery_kept_t key, *k = NULL;
        snprintf(key.name, sizeof key.name, "%s", entries[i].name);
        if (d->nkept) k = bsearch(&key, d->kept, d->nkept, sizeof *d->kept, kept_cmp);
        if (k && k->buf) {
            it->h = k->h;
            it->buf = k->buf;
            it->len = k->len;
            it->parts = k->parts;
            k->buf = NULL;
            k->parts = NULL;
            count++;
            continue;
        }
        submission_group_t *g = NULL;
        int rc = spool_read_parts(&d->spool, entries[i].name, &it->h, &it->buf, &it->len, &g,
                                  err, sizeof err);
        if (rc == -2) {
            delivery_unreadable(d, entries[i].name, &it->h, err);
            continue;
        }
        if (rc != 0) {
            /* Vanished (another collector settled it) or unreadable now: skip this round. */
            fprintf(stderr, "huizong-collector: spool: %s\n", err);
            continue;
        }
        if (g) it->parts = delivery_parts_text(entries[i].name, g);
        group_destroy(&g);
        count++;
    }
    free(entries);
    delivery_drop_kept(d);
    sort_array(items, count, sizeof *items, loaded_cmp);
    long added = 0;
    for (size_t i = 0; i < count; i++) {
        loaded_t *it = &items[i];
        if (delivery_hand_over(d, it->entry.name, &it->h, it->buf, it->len, it->parts) != 0) {
            for (size_t k = i + 1; k < count; k++) {
                free(items[k].buf);
                free(items[k].parts);
            }
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
        int rc = sender_poll(d->sender, slice);
        if (rc == SENDER_REFUSED) break;   /* logged; what is unsent stays PENDING in the spool */
        if (rc != 0) {
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
