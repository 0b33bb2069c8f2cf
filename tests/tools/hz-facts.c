/* hz-facts -- prints the facts the collector's readers make of files, one line per fact in
 * the form of tests/fixtures/printed/expected/ *.facts, for the fixture tests:
 *
 *   hz-facts [--entity CODE] [--year Y] [--hierarchy entities.csv] [--encoding E] FILE...
 *
 * The files are read with import_read_file() exactly as `huizong-collector check|submit`
 * reads them (all files into one list: the same entity/year from several files is one
 * submission) and validated; then every fact is printed as
 * `entity|year|table|row|column|fen` in LC_ALL=C sort order. With --submissions one line
 * per submission (`entity year facts`) is printed instead; with --units each line ends in
 * `|unit_fen` (the printed precision, fact_unit_fen). With --each every file is read on its
 * own and dropped after it (as `huizong-collector run --watch` takes files one by one) and
 * only `files facts` is printed: the bench's memory-over-N-files figure. Otherwise the files
 * go through import_read_files (workbooks read ahead by --readers N threads, default one per
 * processor, as check/submit do); --readers 1 reads them one after the other.
 * Exit 0; 2 when a file has an error (every error on stderr, nothing on stdout). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hierarchy.h"
#include "import.h"
#include "submission.h"

static int s_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* import_file_fn: a file's errors on stderr, as the collector prints them. */
static void s_file_done(size_t i, int rc, import_format fmt, recognise_report_t *rep, void *ud)
{
    char **files = ud;
    (void)fmt;
    if (rc == 0) return;
    size_t kept = rep->nerrors < RECOGNISE_ERRORS_MAX ? rep->nerrors : RECOGNISE_ERRORS_MAX;
    for (size_t k = 0; k < kept; k++) fprintf(stderr, "%s\n", rep->errors[k]);
    if (!rep->nerrors) fprintf(stderr, "%s: unreadable\n", files[i]);
}

int main(int argc, char **argv)
{
    import_opts_t io = { .enc = CSV_ENCODING_UTF8 };
    const char *hier = NULL;
    int per_sub = 0, units = 0, each = 0;
    unsigned readers = 0;
    char **files = calloc((size_t)argc, sizeof *files);
    size_t nfiles = 0;
    if (!files) return 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--entity") && i + 1 < argc) io.entity = argv[++i];
        else if (!strcmp(argv[i], "--year") && i + 1 < argc) io.year = (uint32_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--hierarchy") && i + 1 < argc) hier = argv[++i];
        else if (!strcmp(argv[i], "--submissions")) per_sub = 1;
        else if (!strcmp(argv[i], "--units")) units = 1;
        else if (!strcmp(argv[i], "--each")) each = 1;
        else if (!strcmp(argv[i], "--readers") && i + 1 < argc) readers = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--encoding") && i + 1 < argc) {
            const char *e = argv[++i];
            io.enc = !strcmp(e, "gb18030") ? CSV_ENCODING_GB18030 : !strcmp(e, "auto") ? CSV_ENCODING_AUTO : CSV_ENCODING_UTF8;
        } else files[nfiles++] = argv[i];
    }
    if (!nfiles) {
        fprintf(stderr, "usage: hz-facts [--entity CODE] [--year Y] [--hierarchy F] [--encoding E] FILE...\n");
        free(files);
        return 2;
    }
    hierarchy_t h;
    memset(&h, 0, sizeof h);
    recognise_names_t *names = NULL;
    if (hier) {
        char err[512] = "";
        if (hierarchy_load(&h, hier, err, sizeof err) != 0) {
            fprintf(stderr, "hz-facts: %s\n", err);
            free(files);
            return 2;
        }
        io.hierarchy = &h;
        names = recognise_names_new(&h);        /* as the collector keeps it for its files */
        io.names = names;
    }
    submission_list_t list;
    submission_list_init(&list);
    int bad = 0;
    if (each) {
        size_t total = 0;
        for (size_t i = 0; i < nfiles; i++) {
            recognise_report_t rep;
            recognise_report_init(&rep);
            if (import_read_file(files[i], &io, &list, &rep, NULL) != 0) bad = 1;
            recognise_report_free(&rep);
            for (size_t k = 0; k < list.count; k++) total += list.items[k]->count;
            submission_list_free(&list);
            submission_list_init(&list);
        }
        printf("%zu %zu\n", nfiles, total);
        recognise_names_destroy(&names);
        if (hier) hierarchy_free(&h);
        free(files);
        return bad ? 2 : 0;
    }
    if (import_read_files(files, nfiles, &io, readers, &list, s_file_done, files) != 0) bad = 1;
    size_t n = 0;
    for (size_t k = 0; k < list.count; k++) {
        char err[1024] = "";
        if (submission_validate(list.items[k], err, sizeof err) != 0) {
            fprintf(stderr, "%s %u: %s\n", list.items[k]->entity, list.items[k]->year, err);
            bad = 1;
        }
        n += list.items[k]->count;
    }
    if (!bad && per_sub) {
        for (size_t k = 0; k < list.count; k++)
            printf("%s %u %zu\n", list.items[k]->entity, list.items[k]->year, list.items[k]->count);
    } else if (!bad) {
        char **lines = calloc(n ? n : 1, sizeof *lines);
        size_t m = 0;
        for (size_t k = 0; lines && k < list.count; k++) {
            const submission_t *s = list.items[k];
            for (size_t f = 0; f < s->count; f++) {
                const fact_t *x = &s->facts[f];
                char buf[256];
                int n = snprintf(buf, sizeof buf, "%s|%u|%s|%s|%s|%lld", s->entity, s->year, table_name(x->table),
                                 x->row, column_name(x->column), (long long)x->fen);
                if (units && n > 0 && (size_t)n < sizeof buf)
                    snprintf(buf + n, sizeof buf - (size_t)n, "|%u", fact_unit_fen(x));
                lines[m++] = strdup(buf);
            }
        }
        if (lines) qsort(lines, m, sizeof *lines, s_cmp);
        for (size_t i = 0; lines && i < m; i++) {
            puts(lines[i] ? lines[i] : "");
            free(lines[i]);
        }
        free(lines);
    }
    submission_list_free(&list);
    recognise_names_destroy(&names);
    if (hier) hierarchy_free(&h);
    free(files);
    return bad ? 2 : 0;
}
