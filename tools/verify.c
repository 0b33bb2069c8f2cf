/* verify.c -- `huizong verify`: recompute every node's totals from the stored facts and
 * compare them with the figures the aggregator maintained by deltas. A clean database
 * prints nothing but the summary line and exits 0. */
#include <getopt.h>
#include <string.h>

#include "commands.h"
#include "output.h"

int cmd_verify(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "db", required_argument, 0, 'd' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    const char *db = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'd') db = optarg;
        else {
            FILE *out = c == 'h' ? stdout : stderr;
            fprintf(out, "usage: huizong verify --db DIR\n\n"
                         "Recomputes every node's computed and reported figures from the stored current\n"
                         "facts and declarations, and compares them with the maintained ones.\n"
                         "exit: 0 clean, 1 discrepancies (each printed), 3 database error\n");
            return c == 'h' ? EXIT_OK : EXIT_USAGE;
        }
    }
    store_t *store = tool_open_store(db);
    if (!store) return EXIT_ERROR;
    long bad = store_verify(store, stdout);
    store_destroy(&store);
    if (bad < 0) { fprintf(stderr, "huizong verify: could not read %s\n", db); return EXIT_ERROR; }
    printf("verify: %ld discrepancies\n", bad);
    return bad ? EXIT_FINDINGS : EXIT_OK;
}
