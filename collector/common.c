/* common.c -- what the collector's commands share: reading input files, levels,
 * progress lines, signals (findings are printed by core/findings.c).
 *
 * Invariant: input errors are printed as the reader reports them (file:line: field:
 * reason) and counted; a command decides what an error means for its exit code.
 */
#include "collector.h"

#include <signal.h>
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

size_t collector_read_files(char **files, size_t n, csv_encoding enc, submission_list_t *list)
{
    size_t failed = 0;
    progress_t p;
    progress_start(&p, "reading files", n);
    for (size_t i = 0; i < n; i++) {
        char err[1024] = "";
        if (csv_read_file(files[i], enc, list, err, sizeof err) != 0) {
            fprintf(stderr, "%s\n", err[0] ? err : files[i]);
            failed++;
        }
        progress_step(&p);
    }
    progress_end(&p);
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
