/* common.c -- what the collector's commands share: reading input files, levels,
 * progress lines, signals (findings are printed by core/findings.c).
 *
 * Invariant: input errors are printed as the reader reports them (file:line: field:
 * reason) and counted; a command decides what an error means for its exit code.
 */
#include "collector.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <czmq.h>
#include <stdlib.h>

#include "json.h"

#include "amount.h"
#include "import.h"
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

collector_import_t collector_import;

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

/* Non-empty lines of a text (NULL: 0). */
static size_t s_count_lines(const char *t)
{
    size_t n = 0;
    for (const char *p = t; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        n += len > 0;
        p += len + (nl != NULL);
    }
    return n;
}

/* Keeps a copy of a file's narrative for collector_text_of(). */
static void s_keep_text(const char *file, const char *text)
{
    static int registered;
    if (!registered) registered = atexit(collector_texts_free) == 0;   /* submit/run exit anywhere */
    struct collector_text *v = realloc(collector_import.texts,
                                       (collector_import.ntexts + 1) * sizeof *v);
    if (!v) return;
    collector_import.texts = v;
    char *f = strdup(file), *t = strdup(text);
    if (!f || !t) {
        free(f);
        free(t);
        return;
    }
    v[collector_import.ntexts++] = (struct collector_text){ f, t };
}

const char *collector_text_of(const char *file)
{
    for (size_t i = collector_import.ntexts; file && i-- > 0;) {
        const char *f = collector_import.texts[i].file, *base = strrchr(f, '/');
        /* the path as given, or its base name (a submission's source) */
        if (strcmp(f, file) == 0 || (base && strcmp(base + 1, file) == 0))
            return collector_import.texts[i].text;
    }
    return NULL;
}

void collector_texts_free(void)
{
    for (size_t i = 0; i < collector_import.ntexts; i++) {
        free(collector_import.texts[i].file);
        free(collector_import.texts[i].text);
    }
    free(collector_import.texts);
    collector_import.texts = NULL;
    collector_import.ntexts = 0;
}

size_t collector_read_files(char **files, size_t n, csv_encoding enc, submission_list_t *list)
{
    return collector_read_files_grouped(files, n, enc, CSV_MAX_ERRORS_DEFAULT, list, NULL);
}

size_t collector_read_files_max(char **files, size_t n, csv_encoding enc, size_t max_errors,
                                submission_list_t *list)
{
    return collector_read_files_grouped(files, n, enc, max_errors, list, NULL);
}

/* What collector_read_files_grouped keeps from one file to the next. */
typedef struct {
    char **files;
    submission_list_t *list;
    size_t *up, cap;             /* union-find of submission indexes (s_join_file) */
    size_t *counts, before;      /* each submission's facts before the file at hand */
    size_t mapped, failed;
    progress_t progress;
} s_reading;

/* Shows what the recogniser made of a printed file (check, --format text|json). */
static void s_print_mapping(s_reading *r, size_t i, import_format fmt, const recognise_report_t *rep)
{
    FILE *out = collector_import.mapping;
    if (collector_import.json) {
        if (r->mapped++) fputc(',', out);
        fprintf(out, "{\"file\":");
        json_write_string(out, r->files[i]);
        fprintf(out, ",\"format\":\"%s\",\"mapping\":", import_format_name(fmt));
        recognise_report_print_json(rep, out);
        if (fmt == IMPORT_PDF) {
            fputs(",\"pages\":", out);
            import_print_pages_json(rep, out);
            fprintf(out, ",\"narrative_lines\":%zu", s_count_lines(import_narrative(rep)));
        }
        fputc('}', out);
    } else {
        fprintf(out, "%s（%s）\n", r->files[i], import_format_name(fmt));
        recognise_report_print_mapping(rep, out);   /* errors: stderr */
        if (fmt == IMPORT_PDF) {
            fprintf(out, "各页（表与从文字位置重建的单元格）：\n");
            import_print_pages_text(rep, out);
            fprintf(out, "表外文字（说明等）：%zu 行，随文件保留供说明核对\n",
                    s_count_lines(import_narrative(rep)));
        }
    }
}

/* import_file_fn: one file read (in order): its mapping, its errors, its group. */
static void s_file_done(size_t i, int rc, import_format fmt, recognise_report_t *rep, void *ud)
{
    s_reading *r = ud;
    if (collector_import.mapping && fmt != IMPORT_V1_CSV && fmt != IMPORT_UNKNOWN &&
        (rep->ntables || rep->nskipped_blocks || rep->ngrids))
        s_print_mapping(r, i, fmt, rep);
    if (rc == 0 && import_narrative(rep)) s_keep_text(r->files[i], import_narrative(rep));
    if (rc != 0) {
        size_t kept = rep->nerrors < RECOGNISE_ERRORS_MAX ? rep->nerrors : RECOGNISE_ERRORS_MAX;
        for (size_t k = 0; k < kept; k++) fprintf(stderr, "%s\n", rep->errors[k]);
        if (rep->nerrors > kept) fprintf(stderr, "%s：……另有 %zu 个错误\n", r->files[i], rep->nerrors - kept);
        if (rep->nerrors == 0) fprintf(stderr, "%s\n", r->files[i]);
    }
    submission_list_t *list = r->list;
    size_t *counts = NULL;
    if (s_join_file(list, &r->up, &r->cap, r->before, r->counts) != 0 ||
        !(counts = realloc(r->counts, (list->count ? list->count : 1) * sizeof *counts))) {
        fprintf(stderr, "huizong-collector: out of memory\n");
        r->failed++;
    }
    if (counts) {   /* what the next file is compared with */
        r->counts = counts;
        for (size_t k = 0; k < list->count; k++) counts[k] = list->items[k]->count;
        r->before = list->count;
    }
    progress_step(&r->progress);
}

size_t collector_read_files_grouped(char **files, size_t n, csv_encoding enc, size_t max_errors,
                                    submission_list_t *list, size_t **groups)
{
    hierarchy_t h;
    int have_h = 0;
    if (collector_load_hierarchy(collector_import.hierarchy_path, &h, &have_h) != 0) return 1;
    recognise_names_t *names = have_h ? recognise_names_new(&h) : NULL;   /* once, not per file */
    import_opts_t io = { .entity = collector_import.entity, .year = collector_import.year,
                         .hierarchy = have_h ? &h : NULL, .names = names, .enc = enc,
                         .max_errors = max_errors };
    s_reading r = { .files = files, .list = list };
    r.counts = malloc((list->count ? list->count : 1) * sizeof *r.counts);
    if (!r.counts) {
        fprintf(stderr, "huizong-collector: out of memory\n");
        recognise_names_destroy(&names);
        if (have_h) hierarchy_free(&h);
        return 1;
    }
    for (size_t k = 0; k < list->count; k++) r.counts[k] = list->items[k]->count;
    r.before = list->count;
    progress_start(&r.progress, "reading files", n);
    size_t failed = import_read_files(files, n, &io, collector_import.readers, list, s_file_done, &r);
    failed += r.failed;
    free(r.counts);
    size_t *up = r.up, cap = r.cap;
    progress_end(&r.progress);
    recognise_names_destroy(&names);
    if (have_h) hierarchy_free(&h);
    if (groups) {
        for (size_t k = 0; k < cap; k++) up[k] = s_root(up, k);
        *groups = up;
    } else {
        free(up);
    }
    if (list->count == 0 && failed == 0) {
        /* every file read, none held a figure (an empty template, a cover alone) */
        fprintf(stderr, "huizong-collector: 没有数字：所给文件中没有填写任何金额（%zu 个文件）\n", n);
        failed++;
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

const opt_t *collector_input_options(collector_input_t *in)
{
    memset(in, 0, sizeof *in);
    in->enc_name = "utf-8";
    in->max_errors = CSV_MAX_ERRORS_DEFAULT;
    const opt_t rows[] = {
        opt_text("encoding", &in->enc_name), opt_text("hierarchy", &in->hierarchy),
        opt_text("settings", &in->settings), opt_text("chart", &in->chart),
        opt_text("entity", &collector_import.entity),
        opt_uint("year", &collector_import.year, 1900, 9999, "a year 1900..9999"),
        opt_size("max-errors", &in->max_errors, 1, COLLECTOR_MAX_ERRORS_LIMIT, NULL),
        opt_uint("readers", &collector_import.readers, 1, IMPORT_READERS_MAX, "1..8 threads"),
        opt_text("text", &in->text), opt_text("text-entity", &in->text_entity),
        opt_text("text-encoding", &in->text_enc_name), opt_end() };
    _Static_assert(sizeof rows == sizeof in->rows, "collector_input_t.rows holds the rows");
    memcpy(in->rows, rows, sizeof rows);
    return in->rows;
}

int collector_input_check(const collector_input_t *in)
{
    if ((in->text_entity || in->text_enc_name) && !in->text) {
        fprintf(stderr, "huizong-collector: --text-entity and --text-encoding go with --text\n");
        return -1;
    }
    return 0;
}

int collector_load_chart(const char *path, rule_settings_t *settings, chart_t **out)
{
    *out = NULL;
    if (!path) return 0;
    char err[2048] = "";
    if (!(*out = chart_load(path, err, sizeof err))) {
        fprintf(stderr, "%s\n", err[0] ? err : path);
        return -1;
    }
    rule_settings_set_chart(settings, *out);
    return 0;
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
