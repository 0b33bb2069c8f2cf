/* options.h -- a command's long options from one table: the one getopt_long loop.
 *
 * Every program and command (huizong-aggregator, the huizong-collector commands, the huizong
 * commands, hz-testkit) reads its options through options_parse: a table says, for each
 * --name, where its value goes and how it is read (text, a flag, a number in a range, or
 * a call), so no command writes its own getopt_long table, switch and number parsing, and
 * every refused number is worded the same way.
 */
#ifndef HUIZONG_OPTIONS_H
#define HUIZONG_OPTIONS_H

#include <stddef.h>
#include <stdio.h>
#include <unistd.h>   /* optind: where the operands start */
#include <stdint.h>

typedef enum {
    OPT_END = 0,   /* ends a table */
    OPT_TEXT,      /* --name VALUE: *(const char **)to = VALUE (the last one given wins) */
    OPT_FLAG,      /* --name: *(int *)to = 1 */
    OPT_INT,       /* --name N: a decimal integer in [min, max] into *(int *)to */
    OPT_UINT,      /*   ... into *(unsigned *)to */
    OPT_LONG,      /*   ... into *(long *)to */
    OPT_SIZE,      /*   ... into *(size_t *)to */
    OPT_INT64,     /*   ... into *(int64_t *)to */
    OPT_CALL,      /* --name VALUE: call(to, VALUE), 0 or -1 (it prints why) */
    OPT_TABLE,     /* not an option: the rows of the table at `to` belong here too */
} opt_kind;

typedef struct {
    const char *name;          /* without the leading "--" */
    opt_kind kind;
    void *to;                  /* see opt_kind; OPT_TABLE: the rows (const) */
    long long min, max;        /* the numeric kinds: what is accepted */
    const char *what;          /* the numeric kinds: what the refusal says the value must
                                  be ("a byte count >= 1024"); NULL: "a number in MIN..MAX" */
    int (*call)(void *to, const char *value);   /* OPT_CALL */
} opt_t;

/* The rows, built by these constructors (type-checked targets) in a command's table:
 *   const opt_t options[] = { opt_text("db", &db), opt_flag("insecure", &insecure),
 *                             opt_int("window", &window, 1, 1024, NULL), opt_end() }; */
static inline opt_t opt_text(const char *name, const char **to)
{
    return (opt_t){ name, OPT_TEXT, (void *)to, 0, 0, NULL, NULL };
}
static inline opt_t opt_flag(const char *name, int *to)
{
    return (opt_t){ name, OPT_FLAG, to, 0, 0, NULL, NULL };
}
static inline opt_t opt_int(const char *name, int *to, int min, int max, const char *what)
{
    return (opt_t){ name, OPT_INT, to, min, max, what, NULL };
}
static inline opt_t opt_uint(const char *name, unsigned *to, unsigned min, unsigned max,
                             const char *what)
{
    return (opt_t){ name, OPT_UINT, to, min, max, what, NULL };
}
static inline opt_t opt_long(const char *name, long *to, long min, long max, const char *what)
{
    return (opt_t){ name, OPT_LONG, to, min, max, what, NULL };
}
static inline opt_t opt_size(const char *name, size_t *to, long long min, long long max,
                             const char *what)
{
    return (opt_t){ name, OPT_SIZE, to, min, max, what, NULL };
}
static inline opt_t opt_int64(const char *name, int64_t *to, long long min, long long max,
                              const char *what)
{
    return (opt_t){ name, OPT_INT64, to, min, max, what, NULL };
}
static inline opt_t opt_call(const char *name, void *to, int (*call)(void *to, const char *value))
{
    return (opt_t){ name, OPT_CALL, to, 0, 0, NULL, call };
}
static inline opt_t opt_table(const opt_t *rows)
{
    return (opt_t){ "", OPT_TABLE, (void *)rows, 0, 0, NULL, NULL };
}
static inline opt_t opt_end(void)
{
    return (opt_t){ NULL, OPT_END, NULL, 0, 0, NULL, NULL };
}

#define OPTIONS_MAX 64         /* rows of one command, its included tables' counted */

enum {
    OPTIONS_OK = 0,            /* operands from argv[optind] */
    OPTIONS_HELP = 1,          /* --help or -h: the caller prints its usage on stdout */
    OPTIONS_USAGE = -1,        /* an unknown option or a missing value (getopt said which):
                                  the caller prints its usage on stderr */
    OPTIONS_BAD = -2,          /* a value refused, the reason printed on stderr */
};

/* Reads argv's options, from argv[1] (getopt is reset), into the targets of the rows of
 * `table` (ended by an OPT_END row). --help and -h are always known. A refused number is
 * reported as "<prog>: --name must be <what>, got 'VALUE'". Returns an OPTIONS_* code;
 * with a `usage`, it has been printed for OPTIONS_HELP (on stdout) and OPTIONS_USAGE (on
 * stderr). */
int options_parse(const char *prog, const opt_t *table, int argc, char **argv,
                  void (*usage)(FILE *out));

#endif
