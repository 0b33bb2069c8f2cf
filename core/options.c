/* options.c -- options_parse (see options.h). */
#include "options.h"

#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPTIONS_VAL_BASE 256   /* getopt_long's val for row i: above every short option */

/* Appends the rows of t (and of the tables it includes) to rows; the count, or -1. */
static int s_flatten(const opt_t *t, const opt_t **rows, int n)
{
    for (; t->kind != OPT_END; t++) {
        if (t->kind == OPT_TABLE) {
            if ((n = s_flatten((const opt_t *)t->to, rows, n)) < 0) return -1;
            continue;
        }
        if (n == OPTIONS_MAX) return -1;
        rows[n++] = t;
    }
    return n;
}

static int s_number(const char *prog, const opt_t *o, const char *text)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < o->min || v > o->max) {
        if (o->what)
            fprintf(stderr, "%s: --%s must be %s, got '%s'\n", prog, o->name, o->what, text);
        else
            fprintf(stderr, "%s: --%s must be a number in %lld..%lld, got '%s'\n", prog, o->name,
                    o->min, o->max, text);
        return -1;
    }
    switch (o->kind) {
    case OPT_INT: *(int *)o->to = (int)v; break;
    case OPT_UINT: *(unsigned *)o->to = (unsigned)v; break;
    case OPT_LONG: *(long *)o->to = (long)v; break;
    case OPT_INT64: *(int64_t *)o->to = (int64_t)v; break;
    default: *(size_t *)o->to = (size_t)v; break;
    }
    return 0;
}

/* The getopt_long loop; options_parse adds the usage. */
static int s_parse(const char *prog, const opt_t *table, int argc, char **argv)
{
    const opt_t *rows[OPTIONS_MAX];
    int n = s_flatten(table, rows, 0);
    assert(n >= 0 && "a command has more than OPTIONS_MAX options");
    if (n < 0) return OPTIONS_USAGE;
    struct option longopts[OPTIONS_MAX + 2];
    for (int i = 0; i < n; i++) {
        assert(rows[i]->to);
        int takes = rows[i]->kind != OPT_FLAG;
        longopts[i] = (struct option){ rows[i]->name, takes ? required_argument : no_argument,
                                       NULL, OPTIONS_VAL_BASE + i };
    }
    longopts[n] = (struct option){ "help", no_argument, NULL, 'h' };
    longopts[n + 1] = (struct option){ 0 };
    optind = 0;   /* GNU getopt: 0 reinitialises it fully (1 keeps a previous parse's state) */
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') return OPTIONS_HELP;
        if (c < OPTIONS_VAL_BASE || c >= OPTIONS_VAL_BASE + n) return OPTIONS_USAGE;
        const opt_t *o = rows[c - OPTIONS_VAL_BASE];
        switch (o->kind) {
        case OPT_TEXT: *(const char **)o->to = optarg; break;
        case OPT_FLAG: *(int *)o->to = 1; break;
        case OPT_CALL:
            assert(o->call);
            if (o->call(o->to, optarg) != 0) return OPTIONS_BAD;
            break;
        default:
            if (s_number(prog, o, optarg) != 0) return OPTIONS_BAD;
        }
    }
    return OPTIONS_OK;
}

int options_parse(const char *prog, const opt_t *table, int argc, char **argv,
                  void (*usage)(FILE *out))
{
    int rc = s_parse(prog, table, argc, argv);
    if (usage && rc == OPTIONS_HELP) usage(stdout);
    if (usage && rc == OPTIONS_USAGE) usage(stderr);
    return rc;
}
