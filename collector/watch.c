/* watch.c -- `huizong-collector run --watch DIR`: a long-running collector.
 *
 * Every *.csv file that appears in DIR (and has stopped changing for one poll interval)
 * is read: a file that does not parse goes to DIR/failed/ with a .error file next to it;
 * one that does is spooled (durably) and then moved to DIR/done/. done/ therefore means
 * "safely in the spool", not "accepted": the spool and the printed lines say what the
 * aggregator answered. Pending submissions are retried with backoff for as long as the
 * process runs; SIGTERM/SIGINT stop it cleanly, leaving them in the spool for next time.
 * Submissions other collectors left pending in the same spool are picked up too (every
 * few seconds, whenever nothing of its own is outstanding).
 *
 * Writers should create files elsewhere and rename them into DIR: a file still being
 * written is only recognised by its size and time not changing between two polls.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "collector.h"
#include "import.h"
#include "sort.h"
#include "curve.h"
#include "delivery.h"

#define WATCH_MAX_CANDIDATES 4096
#define WATCH_RELOAD_S 5          /* rescan the spool for others' leftovers */

static void run_usage(FILE *f)
{
    fprintf(f,
        "usage: huizong-collector run --watch DIR --to ENDPOINT [--key FILE --server-key FILE]\n"
        "                             [--spool DIR] [--encoding E] [--hierarchy FILE]\n"
        "                             [--timeout MS] [--window N] [--window-bytes BYTES]\n"
        "                             [--interval MS]\n"
        "\n"
        "Runs until SIGTERM/SIGINT. Every *.csv, *.xlsx, *.xlsm, *.xls or *.pdf file dropped into\n"
        "the watched DIR is read (v1 CSV, printed tables or a published PDF, told apart by content; a printed\n"
        "file's entity is matched by its 编制单位 in --hierarchy FILE),\n"
        "spooled and sent; the file then moves to DIR/done/ (or to DIR/failed/ with a .error\n"
        "file if it cannot be read). Submissions already pending in the spool are sent at\n"
        "start; anything unacked is retried with backoff while the aggregator is away.\n"
        "Create files elsewhere and mv them into DIR so a half-written file is never read.\n"
        "\n"
        "  --interval MS    how often DIR is scanned (default 500)\n"
        "  --window-bytes BYTES  bytes in flight at once; a larger submission is sent\n"
        "                   alone, after the acks of those before it (default %u; 0 = no\n"
        "                   bound)\n"
        "  --key FILE       this collector's CURVE secret key (BASENAME_secret from\n"
        "                   `huizong keygen`)\n"
        "  --server-key FILE the aggregator's public certificate (its BASENAME); both are\n"
        "                   needed to reach an aggregator that runs CURVE (the default)\n"

        "\n"
        "Exit status: 0 after SIGTERM/SIGINT, 2 usage error, 3 local failure (spool or\n"
        "watched directory unusable, socket cannot be set up).\n", SENDER_WINDOW_BYTES);
}

typedef struct {
    char name[256];
    off_t size;
    int64_t mtime_ns;
    int seen;                 /* found in the latest scan */
} candidate_t;

typedef struct {
    const char *dir;
    const hierarchy_t *h;     /* --hierarchy, for printed files' entities; may be NULL */
    const recognise_names_t *names;   /* recognise_names_new(h), or NULL */
    csv_encoding enc;
    delivery_t *d;
    candidate_t *cands;
    size_t ncands;
} watch_t;

static int64_t watch_mtime(const struct stat *st)
{
    return (int64_t)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
}

/* Moves DIR/name to DIR/sub/name (a numbered name if that exists). Returns 0 or -1. */
static int watch_move(const watch_t *w, const char *name, const char *sub, char *dest, size_t destlen)
{
    char from[PATH_MAX];
    snprintf(from, sizeof from, "%s/%s", w->dir, name);
    snprintf(dest, destlen, "%s/%s/%s", w->dir, sub, name);
    struct stat st;
    for (int i = 1; stat(dest, &st) == 0 && i < 1000; i++)
        snprintf(dest, destlen, "%s/%s/%s.%d", w->dir, sub, name, i);
    if (rename(from, dest) != 0) {
        fprintf(stderr, "huizong-collector: cannot move %s to %s/: %s\n", from, sub, strerror(errno));
        return -1;
    }
    char subdir[PATH_MAX];
    snprintf(subdir, sizeof subdir, "%s/%s", w->dir, sub);
    spool_sync_dir(subdir);
    spool_sync_dir(w->dir);
    return 0;
}

static void watch_fail(const watch_t *w, const char *name, const char *message)
{
    char dest[PATH_MAX + 16], errpath[PATH_MAX + 32], err[512] = "";
    fprintf(stderr, "huizong-collector: %s\n", message);
    if (watch_move(w, name, "failed", dest, sizeof dest) != 0) return;
    snprintf(errpath, sizeof errpath, "%s.error", dest);
    size_t len = strlen(message);
    char *text = malloc(len + 2);
    if (!text) return;
    memcpy(text, message, len);
    text[len] = '\n';
    if (spool_write_file(errpath, text, len + 1, err, sizeof err) != 0)
        fprintf(stderr, "huizong-collector: %s\n", err);
    free(text);
}

/* Reads one stable file, spools and sends its submissions, files it. Returns 0, or -1 if
 * it must stay for a later try (the spool could not be written). */
static int watch_process(watch_t *w, const char *name)
{
    char path[PATH_MAX], err[1024] = "", dest[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/%s", w->dir, name);
    submission_list_t list;
    submission_list_init(&list);
    /* any format import_read_file knows (v1 CSV, workbooks, printed-sheet CSV, PDF) */
    import_opts_t io = { .enc = w->enc, .hierarchy = w->h, .names = w->names };
    recognise_report_t rep;
    recognise_report_init(&rep);
    if (import_read_file(path, &io, &list, &rep, NULL) != 0) {
        static char read_err[RECOGNISE_ERRORS_MAX * 400];   /* every error of the file */
        size_t used = 0, kept = rep.nerrors < RECOGNISE_ERRORS_MAX ? rep.nerrors : RECOGNISE_ERRORS_MAX;
        read_err[0] = '\0';
        for (size_t k = 0; k < kept && used + 2 < sizeof read_err; k++)
            used += (size_t)snprintf(read_err + used, sizeof read_err - used, "%s%s", k ? "\n" : "",
                                     rep.errors[k]);
        recognise_report_free(&rep);
        watch_fail(w, name, read_err[0] ? read_err : "cannot read the file");
        submission_list_free(&list);
        return 0;
    }
    recognise_report_free(&rep);
    for (size_t i = 0; i < list.count; i++) {
        if (submission_validate(list.items[i], err, sizeof err) != 0) {
            char msg[PATH_MAX + 1200];
            snprintf(msg, sizeof msg, "%s: %s %u: %s", path, list.items[i]->entity, list.items[i]->year, err);
            watch_fail(w, name, msg);
            submission_list_free(&list);
            return 0;
        }
    }
    /* All of the file or none of it: several parts travel as one spool file, applied whole
     * by the aggregator (delivery_spool_group); if it cannot be spooled the file stays in
     * DIR and is read again next scan. */
    if (list.count > 1) {
        size_t *same = calloc(list.count, sizeof *same);   /* all zero: one group */
        size_t n = list.count;
        long rc = same ? delivery_spool_files(w->d, &list, same, 1) : -1;
        free(same);
        submission_list_free(&list);
        if (rc < 0) return -1;
        fprintf(stderr, "huizong-collector: %s: %zu submission(s) spooled as one file\n", path, n);
        watch_move(w, name, "done", dest, sizeof dest);
        return 0;
    }
    for (size_t i = 0; i < list.count; i++) {
        if (delivery_spool(w->d, list.items[i], 0) != 0) {
            for (size_t k = 0; k < i; k++)
                spool_remove(&w->d->spool, list.items[k]->id, err, sizeof err);
            submission_list_free(&list);
            return -1;
        }
    }
    for (size_t i = 0; i < list.count; i++) delivery_enqueue(w->d, list.items[i]);
    fprintf(stderr, "huizong-collector: %s: %zu submission(s) spooled\n", path, list.count);
    submission_list_free(&list);
    watch_move(w, name, "done", dest, sizeof dest);
    return 0;
}

static candidate_t *watch_candidate(watch_t *w, const char *name)
{
    for (size_t i = 0; i < w->ncands; i++)
        if (strcmp(w->cands[i].name, name) == 0) return &w->cands[i];
    if (w->ncands == WATCH_MAX_CANDIDATES) return NULL;
    candidate_t *c = &w->cands[w->ncands++];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->size = -1;
    return c;
}

static int watch_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One scan: files unchanged since the previous scan are processed, in name order. */
static void watch_scan(watch_t *w)
{
    DIR *dir = opendir(w->dir);
    if (!dir) {
        fprintf(stderr, "huizong-collector: cannot read %s: %s\n", w->dir, strerror(errno));
        return;
    }
    for (size_t i = 0; i < w->ncands; i++) w->cands[i].seen = 0;
    char *ready[WATCH_MAX_CANDIDATES];
    size_t nready = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len < 5 || len >= sizeof w->cands[0].name) continue;
        const char *ext = strrchr(de->d_name, '.');
        if (!ext || (strcasecmp(ext, ".csv") != 0 && strcasecmp(ext, ".xlsx") != 0 &&
                     strcasecmp(ext, ".xlsm") != 0 && strcasecmp(ext, ".xls") != 0 &&
                     strcasecmp(ext, ".pdf") != 0))
            continue;                 /* which files are input; their format is read from content */
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", w->dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        candidate_t *c = watch_candidate(w, de->d_name);
        if (!c) continue;
        c->seen = 1;
        if (c->size == st.st_size && c->mtime_ns == watch_mtime(&st)) {
            if (nready < WATCH_MAX_CANDIDATES) ready[nready++] = c->name;
        } else {
            c->size = st.st_size;
            c->mtime_ns = watch_mtime(&st);
        }
    }
    closedir(dir);
    sort_array(ready, nready, sizeof *ready, watch_name_cmp);
    for (size_t i = 0; i < nready && !collector_stop; i++) {
        candidate_t *c = watch_candidate(w, ready[i]);
        if (c && watch_process(w, ready[i]) == 0) c->seen = 0;   /* gone: forget it */
    }
    /* Forget files that disappeared or were filed away. */
    size_t keep = 0;
    for (size_t i = 0; i < w->ncands; i++)
        if (w->cands[i].seen) w->cands[keep++] = w->cands[i];
    w->ncands = keep;
}

static void watch_sleep(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);   /* EINTR on a signal is what we want */
}

int cmd_run(int argc, char **argv)
{
    const char *watch_dir = NULL, *to = NULL, *spool_dir = NULL, *enc_name = "utf-8";
    const char *key = NULL, *server_key = NULL, *hier_path = NULL;
    sender_opts_t o;
    sender_opts_default(&o);
    o.log = collector_log_line;
    int interval = 500;
    const opt_t options[] = {
        opt_text("watch", &watch_dir), opt_text("to", &to), opt_text("spool", &spool_dir),
        opt_text("encoding", &enc_name), opt_text("hierarchy", &hier_path), opt_text("key", &key),
        opt_text("server-key", &server_key), opt_int("timeout", &o.timeout_ms, 10, INT_MAX, NULL),
        opt_int("window", &o.window, 1, INT_MAX, NULL), opt_int("interval", &interval, 10, 60000, NULL),
        opt_size("window-bytes", &o.window_bytes, 0, (size_t)1 << 40, "a byte count (0 = no bound)"),
        opt_end() };
    int parsed = options_parse("huizong-collector", options, argc, argv, run_usage);
    if (parsed != OPTIONS_OK) return parsed == OPTIONS_HELP ? COL_EXIT_OK : COL_EXIT_INPUT;
    if (!watch_dir || !to || optind < argc) {
        fprintf(stderr, "huizong-collector: run needs --watch DIR and --to ENDPOINT, and no files\n");
        return COL_EXIT_INPUT;
    }
    watch_t w = { .dir = watch_dir };
    if (collector_encoding(enc_name, &w.enc) != 0) return COL_EXIT_INPUT;
    static hierarchy_t hier;          /* lives as long as the run */
    int have_h = 0;
    if (collector_load_hierarchy(hier_path, &hier, &have_h) != 0) return COL_EXIT_INPUT;
    w.h = have_h ? &hier : NULL;
    static recognise_names_t *names;  /* its names indexed once for every file, as long */
    names = have_h ? recognise_names_new(&hier) : NULL;
    w.names = names;
    /* Loaded once for the whole run: every reconnect reuses them. */
    curve_client_t keys;
    int curve_on;
    if (collector_curve_options(&keys, &curve_on, key, server_key, to) != 0) return COL_EXIT_INPUT;
    o.curve = curve_on ? &keys : NULL;
    const char *subs[] = { "done", "failed" };
    for (int i = 0; i < 2; i++) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", watch_dir, subs[i]);
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            fprintf(stderr, "huizong-collector: cannot create %s: %s\n", p, strerror(errno));
            return COL_EXIT_LOCAL;
        }
    }
    w.cands = calloc(WATCH_MAX_CANDIDATES, sizeof *w.cands);
    if (!w.cands) return COL_EXIT_LOCAL;
    collector_signals();
    delivery_t d;
    int rc = delivery_open(&d, spool_dir, to, &o);
    if (rc != 0) {
        free(w.cands);
        return rc;
    }
    w.d = &d;
    if (delivery_load_spool(&d) < 0) {
        delivery_close(&d);
        free(w.cands);
        return COL_EXIT_LOCAL;
    }
    fprintf(stderr, "huizong-collector: watching %s, sending to %s, spool %s (%zu pending)\n",
            watch_dir, to, d.spool.dir, sender_outstanding(d.sender));
    struct timespec last_load;
    clock_gettime(CLOCK_MONOTONIC, &last_load);
    while (!collector_stop) {
        watch_scan(&w);
        /* Pick up what other collectors left pending in the spool (a submit that hit its
         * deadline), but only when nothing is outstanding here, so nothing is sent twice. */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (sender_outstanding(d.sender) == 0 && now.tv_sec - last_load.tv_sec >= WATCH_RELOAD_S) {
            last_load = now;
            if (delivery_load_spool(&d) < 0) {
                rc = COL_EXIT_LOCAL;
                break;
            }
        }
        if (sender_outstanding(d.sender) > 0) {
            if (sender_poll(d.sender, interval) != 0) {
                rc = COL_EXIT_LOCAL;
                break;
            }
        } else {
            watch_sleep(interval);
        }
    }
    size_t left = sender_outstanding(d.sender);
    fprintf(stderr, "huizong-collector: stopping; %zu submission(s) left pending in %s\n", left, d.spool.dir);
    delivery_close(&d);   /* pending ones stay in the spool, unprinted: they are not settled */
    free(w.cands);
    curve_client_clear(&keys);
    recognise_names_destroy(&names);
    if (have_h) hierarchy_free(&hier);
    return rc;
}
