/* common.c -- what the collector's commands share: reading input files, levels,
 * progress lines, signals (findings are printed by core/findings.c).
 *
 * Invariant: input errors are printed as the reader reports them (file:line: field:
 * reason) and counted; a command decides what an error means for its exit code.
 */
#include "collector.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <czmq.h>

#include "amount.h"
#include "digest.h"
#include "tables.h"

void collector_log_line(void *arg, const char *line)
{
    (void)arg;
    fprintf(stderr, "%s\n", line);
}

volatile sig_atomic_t collector_stop = 0;

static void collector_on_signal(int sig)
{
    (void)sig;
    collector_stop = 1;
}

void collector_signals(void)
{
    /* CZMQ (used for certificates) would install its own SIGINT/SIGTERM handler on first
     * use and swallow ours: switch that off first. */
    zsys_handler_set(NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = collector_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;   /* no SA_RESTART: a blocking poll returns EINTR */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int collector_encoding(const char *name, csv_encoding *out)
{
    int e = (int)csv_encoding_from_name(name);
    if (e < 0) {
        fprintf(stderr, "huizong-collector: unknown encoding '%s' (utf-8, gb18030, gbk or auto)\n", name);
        return -1;
    }
    *out = (csv_encoding)e;
    return 0;
}

/* Union-find over submission indexes: the parts of one file, and of files that share an
 * entity/year (merged into one submission), end up with one root. */
static size_t s_root(size_t *up, size_t k)
{
    while (up[k] != k) k = up[k] = up[up[k]];
    return k;
}

/* After file i was read: every submission it created or added to joins one group. */
static int s_join_file(submission_list_t *list, size_t **up, size_t *cap, size_t before,
                       const size_t *counts)
{
    if (list->count > *cap) {
        size_t *grown = realloc(*up, list->count * sizeof *grown);
        if (!grown) return -1;
        *up = grown;
        for (size_t k = *cap; k < list->count; k++) grown[k] = k;
        *cap = list->count;
    }
    size_t first = SIZE_MAX;
    for (size_t k = 0; k < list->count; k++) {
        if (k < before && list->items[k]->count == counts[k]) continue;   /* untouched */
        if (first == SIZE_MAX) first = s_root(*up, k);
        else (*up)[s_root(*up, k)] = first;
    }
    return 0;
}

size_t collector_read_files_grouped(char **files, size_t n, csv_encoding enc, submission_list_t *list,
                                    size_t **groups)
{
    size_t failed = 0, *up = NULL, cap = 0;
    progress_t p;
    progress_start(&p, "reading files", n);
    for (size_t i = 0; i < n; i++) {
        char err[1024] = "";
        size_t before = list->count;
        size_t *counts = malloc((before ? before : 1) * sizeof *counts);
        if (!counts) { fprintf(stderr, "huizong-collector: out of memory\n"); failed++; break; }
        for (size_t k = 0; k < before; k++) counts[k] = list->items[k]->count;
        if (csv_read_file(files[i], enc, list, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err[0] ? err : files[i]);
            failed++;
        }
        if (s_join_file(list, &up, &cap, before, counts) != 0) {
            fprintf(stderr, "huizong-collector: out of memory\n");
            failed++;
        }
        free(counts);
        progress_step(&p);
    }
    progress_end(&p);
    if (groups) {
        for (size_t k = 0; k < cap; k++) up[k] = s_root(up, k);
        *groups = up;
    } else {
        free(up);
    }
    /* After all files: a reader may merge one entity/year spread over several files. */
    for (size_t k = 0; k < list->count; k++) {
        submission_t *s = list->items[k];
        char err[1024] = "";
        if (submission_validate(s, err, sizeof err) != 0) {
            fprintf(stderr, "%s: %s %u: %s\n", s->source && s->source[0] ? s->source : "input",
                    s->entity, s->year, err);
            failed++;
        } else {
            submission_seal(s);   /* the digest of the figures as read: checked at every hop */
        }
    }
    return failed;
}

size_t collector_read_files(char **files, size_t n, csv_encoding enc, submission_list_t *list)
{
    return collector_read_files_grouped(files, n, enc, list, NULL);
}

entity_level collector_level(const hierarchy_t *h, const char *entity)
{
    const entity_t *e = h ? hierarchy_find(h, entity) : NULL;
    return e ? e->level : LEVEL_DEPARTMENT;
}

int collector_load_hierarchy(const char *path, hierarchy_t *h, int *loaded)
{
    memset(h, 0, sizeof *h);
    *loaded = 0;
    if (!path) return 0;
    char err[512] = "";
    if (hierarchy_load(h, path, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err[0] ? err : path);
        hierarchy_free(h);
        return -1;
    }
    *loaded = 1;
    return 0;
}

int collector_curve_options(curve_client_t *c, int *enabled, const char *key_file,
                            const char *server_key_file, const char *endpoint)
{
    memset(c, 0, sizeof *c);
    *enabled = 0;
    if (!key_file && !server_key_file) {
        if (endpoint && strncmp(endpoint, "tcp://", 6) == 0)
            fprintf(stderr, "huizong-collector: WARNING: no --key/--server-key: sending to %s "
                            "WITHOUT encryption or authentication (only an --insecure aggregator "
                            "accepts this)\n", endpoint);
        return 0;
    }
    char err[512];
    if (curve_client_load(c, key_file, server_key_file, err, sizeof err) != 0) {
        fprintf(stderr, "huizong-collector: %s\n", err);
        return -1;
    }
    *enabled = 1;
    return 0;
}
