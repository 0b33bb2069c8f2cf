/* test_options.c -- core/options.c: what options_parse writes into the targets, what it
 * refuses (and how it says so), included tables, --help, unknown options, operands. */
#include <check.h>
#include "testkit.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

/* Runs options_parse on the words of `line` (argv[0] is "prog"), stderr captured into
 * said[saidlen]. */
static int parse(const opt_t *table, const char *line, char *said, size_t saidlen)
{
    static char buf[512];
    char *argv[32];
    int argc = 0;
    snprintf(buf, sizeof buf, "prog %s", line);
    for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " ")) argv[argc++] = t;
    argv[argc] = NULL;
    /* fd 2 into a temporary file: getopt_long's own messages are caught too */
    fflush(stderr);
    FILE *tmp = tmpfile();
    ck_assert_ptr_nonnull(tmp);
    int saved = dup(STDERR_FILENO);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(fileno(tmp), STDERR_FILENO), 0);
    int rc = options_parse("prog", table, argc, argv, NULL);
    fflush(stderr);
    ck_assert_int_ge(dup2(saved, STDERR_FILENO), 0);
    close(saved);
    rewind(tmp);
    size_t n = fread(said, 1, saidlen - 1, tmp);
    said[n] = '\0';
    fclose(tmp);
    return rc;
}

static int s_calls;
static int s_even(void *to, const char *value)
{
    s_calls++;
    int v = atoi(value);
    if (v % 2) { fprintf(stderr, "prog: --even is even, got '%s'\n", value); return -1; }
    *(int *)to = v;
    return 0;
}

START_TEST(every_kind_reaches_its_target)
{
    const char *text = NULL;
    int flag = 0, i = 0, even = 0;
    unsigned u = 0;
    long l = 0;
    size_t z = 0;
    int64_t w = 0;
    const opt_t inner[] = { opt_int64("wide", &w, INT64_MIN, INT64_MAX, NULL), opt_end() };
    const opt_t table[] = {
        opt_text("text", &text), opt_flag("flag", &flag), opt_int("int", &i, -5, 5, NULL),
        opt_uint("uint", &u, 1900, 9999, NULL), opt_long("long", &l, 0, 100, NULL),
        opt_size("size", &z, 0, 1LL << 40, NULL), opt_call("even", &even, s_even),
        opt_table(inner), opt_end() };
    char said[256];
    ck_assert_int_eq(parse(table, "--text 表 --flag --int -5 --uint 2024 --long 100 --size 1099511627776 "
                                  "--even 4 --wide -9223372036854775808 a.csv b.csv", said, sizeof said),
                     OPTIONS_OK);
    ck_assert_str_eq(text, "表");
    ck_assert_int_eq(flag, 1);
    ck_assert_int_eq(i, -5);
    ck_assert_uint_eq(u, 2024);
    ck_assert_int_eq(l, 100);
    ck_assert_uint_eq(z, 1ULL << 40);
    ck_assert_int_eq(even, 4);
    ck_assert(w == INT64_MIN);
    ck_assert_str_eq(said, "");
    /* the operands follow the options (getopt_long permutes them to the end) */
    ck_assert_int_eq(optind, 16);
}
END_TEST

START_TEST(refusals_name_the_option_and_the_value)
{
    int i = 0;
    size_t z = 0;
    int even = 0;
    const opt_t table[] = { opt_int("window", &i, 1, 1024, NULL),
                            opt_size("max-msg", &z, 1024, 1LL << 40, "a byte count >= 1024"),
                            opt_call("even", &even, s_even), opt_end() };
    char said[256];
    ck_assert_int_eq(parse(table, "--window 0", said, sizeof said), OPTIONS_BAD);
    ck_assert_str_eq(said, "prog: --window must be a number in 1..1024, got '0'\n");
    ck_assert_int_eq(parse(table, "--window 12x", said, sizeof said), OPTIONS_BAD);
    ck_assert_str_eq(said, "prog: --window must be a number in 1..1024, got '12x'\n");
    ck_assert_int_eq(parse(table, "--window 99999999999999999999", said, sizeof said), OPTIONS_BAD);
    ck_assert_int_eq(parse(table, "--max-msg 12", said, sizeof said), OPTIONS_BAD);
    ck_assert_str_eq(said, "prog: --max-msg must be a byte count >= 1024, got '12'\n");
    ck_assert_uint_eq(z, 0);                         /* a refused value is not stored */
    s_calls = 0;
    ck_assert_int_eq(parse(table, "--even 3", said, sizeof said), OPTIONS_BAD);
    ck_assert_int_eq(s_calls, 1);
    ck_assert_str_eq(said, "prog: --even is even, got '3'\n");
}
END_TEST

START_TEST(help_unknown_and_missing_values)
{
    const char *text = NULL;
    const opt_t table[] = { opt_text("text", &text), opt_end() };
    char said[256];
    ck_assert_int_eq(parse(table, "--help", said, sizeof said), OPTIONS_HELP);
    ck_assert_int_eq(parse(table, "-h", said, sizeof said), OPTIONS_HELP);
    ck_assert_int_eq(parse(table, "--bogus", said, sizeof said), OPTIONS_USAGE);
    ck_assert_msg(strstr(said, "--bogus") != NULL, "said: [%s]", said);
    ck_assert_int_eq(parse(table, "--text", said, sizeof said), OPTIONS_USAGE);
    ck_assert_ptr_nonnull(strstr(said, "--text"));
    /* an included table's absence: its options are unknown (flush without submit's) */
    const opt_t only[] = { opt_end() };
    ck_assert_int_eq(parse(only, "--text x", said, sizeof said), OPTIONS_USAGE);
}
END_TEST

static int s_usage_calls;
static FILE *s_usage_out;
static void s_usage(FILE *out)
{
    s_usage_calls++;
    s_usage_out = out;
}

START_TEST(usage_printed_where_it_belongs)
{
    const opt_t table[] = { opt_end() };
    char *argv_help[] = { "prog", "--help", NULL }, *argv_bad[] = { "prog", "--nope", NULL };
    s_usage_calls = 0;
    ck_assert_int_eq(options_parse("prog", table, 2, argv_help, s_usage), OPTIONS_HELP);
    ck_assert_int_eq(s_usage_calls, 1);
    ck_assert_ptr_eq(s_usage_out, stdout);
    ck_assert_int_eq(options_parse("prog", table, 2, argv_bad, s_usage), OPTIONS_USAGE);
    ck_assert_int_eq(s_usage_calls, 2);
    ck_assert_ptr_eq(s_usage_out, stderr);
}
END_TEST

TESTKIT_MAIN("options", NULL, NULL, 0,
             every_kind_reaches_its_target, refusals_name_the_option_and_the_value,
             help_unknown_and_missing_values, usage_printed_where_it_belongs)
