/* hz-facts -- the facts huizong reads from input files, one line each in the form of the
 * printed fixtures' expectations (tests/fixtures/printed/expected/NAME.facts), so a reader test
 * can diff what a workbook, CSV or PDF gives with what it must give:
 *
 *   hz-facts [--entity CODE] [--year Y] [--hierarchy entities.csv] FILE...
 *
 * Output: entity|year|table|row|column|fen, unsorted (the caller sorts with LC_ALL=C).
 * Reads through import_read_file(), exactly as huizong-collector does. Exit 0, or 2 with
 * every error on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hierarchy.h"
#include "import.h"
#include "tables.h"

int main(int argc, char **argv)
{
    import_opts_t io = { .enc = CSV_ENCODING_UTF8 };
    hierarchy_t h;
    int have_h = 0, failed = 0;
    submission_list_t list;
    submission_list_init(&list);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--entity") && i + 1 < argc) io.entity = argv[++i];
        else if (!strcmp(argv[i], "--year") && i + 1 < argc) io.year = (uint32_t)atoi(argv[++i]);
        else if (!strcmp(argv[i], "--hierarchy") && i + 1 < argc) {
            char err[512] = "";
            if (hierarchy_load(&h, argv[++i], err, sizeof err) != 0) {
                fprintf(stderr, "hz-facts: %s\n", err);
                return 2;
            }
            have_h = 1;
            io.hierarchy = &h;
        } else {
            recognise_report_t rep;
            recognise_report_init(&rep);
            if (import_read_file(argv[i], &io, &list, &rep, NULL) != 0) {
                size_t kept = rep.nerrors < RECOGNISE_ERRORS_MAX ? rep.nerrors : RECOGNISE_ERRORS_MAX;
                for (size_t k = 0; k < kept; k++) fprintf(stderr, "%s\n", rep.errors[k]);
                failed = 1;
            }
            recognise_report_free(&rep);
        }
    }
    for (size_t k = 0; k < list.count; k++) {
        const submission_t *s = list.items[k];
        for (size_t f = 0; f < s->count; f++)
            printf("%s|%u|%s|%s|%s|%lld\n", s->entity, s->year, table_name(s->facts[f].table),
                   s->facts[f].row, column_name(s->facts[f].column), (long long)s->facts[f].fen);
    }
    submission_list_free(&list);
    if (have_h) hierarchy_free(&h);
    return failed ? 2 : 0;
}
