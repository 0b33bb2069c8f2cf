/* test_amount.c -- 万元 text <-> int64 fen: exactness, refusals, boundaries, round trips. */
#include <check.h>
#include "testkit.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amount.h"

static int64_t parse_ok(const char *s)
{
    int64_t fen = -12345;
    const char *reason = NULL;
    int rc = amount_parse(s, strlen(s), &fen, &reason);
    ck_assert_msg(rc == 0, "'%s' refused: %s", s, reason ? reason : "?");
    return fen;
}

static const char *parse_bad(const char *s)
{
    int64_t fen = 777;
    const char *reason = NULL;
    int rc = amount_parse(s, strlen(s), &fen, &reason);
    ck_assert_msg(rc == -1, "'%s' accepted as %lld", s, (long long)fen);
    ck_assert_ptr_nonnull(reason);
    ck_assert_int_eq(fen, 777);   /* untouched on failure */
    return reason;
}

START_TEST(parses_printed_figures)
{
    ck_assert_int_eq(parse_ok("1,773.19"), 1773190000LL);
    ck_assert_int_eq(parse_ok("1773.19"), 1773190000LL);
    ck_assert_int_eq(parse_ok("-0.5"), -500000LL);
    ck_assert_int_eq(parse_ok("0.000001"), 1LL);
    ck_assert_int_eq(parse_ok("22"), 22000000LL);
    ck_assert_int_eq(parse_ok("0.00"), 0LL);
    ck_assert_int_eq(parse_ok("+3.1"), 3100000LL);
    ck_assert_int_eq(parse_ok(" 650 "), 650000000LL);
    ck_assert_int_eq(parse_ok(".5"), 500000LL);
    ck_assert_int_eq(parse_ok("1,234,567.891234"), 1234567891234LL);
    ck_assert_int_eq(parse_ok("207150.81"), 207150810000LL);
}
END_TEST

START_TEST(refuses_bad_text)
{
    ck_assert_str_eq(parse_bad("1.1234567"), "more than 6 decimals (finer than one fen)");
    ck_assert_str_eq(parse_bad("12a"), "not a decimal number (unexpected character)");
    ck_assert_str_eq(parse_bad("abc"), "not a decimal number (unexpected character)");
    ck_assert_str_eq(parse_bad("1.2.3"), "not a decimal number (unexpected character)");
    ck_assert_str_eq(parse_bad("17,73"), "misplaced thousands separator");
    ck_assert_str_eq(parse_bad("1,,773"), "misplaced thousands separator");
    ck_assert_str_eq(parse_bad(",773"), "misplaced thousands separator");
    ck_assert_str_eq(parse_bad("1,7733"), "misplaced thousands separator");
    ck_assert_str_eq(parse_bad("1773,"), "misplaced thousands separator");
    ck_assert_str_eq(parse_bad("1234,567"), "misplaced thousands separator");
    ck_assert_str_eq(parse_bad(""), "empty amount");
    ck_assert_str_eq(parse_bad("   "), "empty amount");
    ck_assert_str_eq(parse_bad("-"), "sign without digits");
    ck_assert_str_eq(parse_bad("5."), "decimal point without digits after it");
    ck_assert_str_eq(parse_bad("1 000"), "not a decimal number (unexpected character)");
    ck_assert_str_eq(parse_bad("1e5"), "not a decimal number (unexpected character)");
}
END_TEST

START_TEST(int64_boundaries)
{
    ck_assert_int_eq(parse_ok("9223372036854.775807"), INT64_MAX);
    ck_assert_int_eq(parse_ok("-9223372036854.775808"), INT64_MIN);
    ck_assert_str_eq(parse_bad("9223372036854.775808"), "amount too large");
    ck_assert_str_eq(parse_bad("-9223372036854.775809"), "amount too large");
    ck_assert_str_eq(parse_bad("9223372036855"), "amount too large");
    ck_assert_str_eq(parse_bad("99999999999999999999999"), "amount too large");
    ck_assert_str_eq(parse_bad("9,223,372,036,854.775808"), "amount too large");
}
END_TEST

START_TEST(format_and_round_trip)
{
    char buf[AMOUNT_BUF];
    ck_assert_str_eq(amount_format(1773190000LL, buf), "1773.19");
    ck_assert_str_eq(amount_format(-500000LL, buf), "-0.50");
    ck_assert_str_eq(amount_format(1, buf), "0.000001");
    ck_assert_str_eq(amount_format(-1, buf), "-0.000001");
    ck_assert_str_eq(amount_format(0, buf), "0.00");
    ck_assert_str_eq(amount_format(22000000LL, buf), "22.00");
    ck_assert_str_eq(amount_format(1234567891234LL, buf), "1234567.891234");
    ck_assert_str_eq(amount_format(1230000LL, buf), "1.23");
    ck_assert_str_eq(amount_format(1234000LL, buf), "1.234");
    ck_assert_str_eq(amount_format(INT64_MAX, buf), "9223372036854.775807");
    ck_assert_str_eq(amount_format(INT64_MIN, buf), "-9223372036854.775808");

    const int64_t values[] = { 0, 1, -1, 5000, -5000, 999999, -999999, 1000000, -1000000,
                               1773190000LL, -1773190001LL, 123456789012345LL,
                               INT64_MAX, INT64_MIN, INT64_MIN + 1 };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        amount_format(values[i], buf);
        ck_assert_int_eq(parse_ok(buf), values[i]);
    }
}
END_TEST

START_TEST(checked_addition)
{
    int64_t s = INT64_MAX - 1;
    ck_assert(amount_add(&s, 1));
    ck_assert_int_eq(s, INT64_MAX);
    ck_assert(!amount_add(&s, 1));
    ck_assert_int_eq(s, INT64_MAX);
    s = INT64_MIN;
    ck_assert(!amount_add(&s, -1));
    ck_assert_int_eq(s, INT64_MIN);
    s = 100;
    ck_assert(amount_add(&s, -250));
    ck_assert_int_eq(s, -150);
}
END_TEST

/* Differences and sums as displayed never wrap (issue 10, finding 5). */
START_TEST(exact_differences_at_the_limits)
{
    char b[AMOUNT_BUF];
    ck_assert_str_eq(amount_format_diff(INT64_MIN, 1, b), "-9223372036854.775809");
    ck_assert_str_eq(amount_format_diff(INT64_MAX, -1, b), "9223372036854.775808");
    ck_assert_str_eq(amount_format_diff(INT64_MAX, INT64_MIN, b), "18446744073709.551615");
    ck_assert_str_eq(amount_format_diff(INT64_MIN, INT64_MAX, b), "-18446744073709.551615");
    ck_assert_str_eq(amount_format_diff(5000000, 2500000, b), "2.50");
    ck_assert_str_eq(amount_format_wide((__int128)INT64_MAX * 2 + 2, b), "18446744073709.551616");
    ck_assert(amount_diff_fits(INT64_MAX, 0));
    ck_assert(!amount_diff_fits(INT64_MIN, 1));
    ck_assert_str_eq(amount_format_bound(INT64_MAX, b), "≥9223372036854.775807");
    ck_assert_str_eq(amount_format_bound(INT64_MIN, b), "≤-9223372036854.775808");
    ck_assert_str_eq(amount_format_bound(-500000, b), "-0.50");
}
END_TEST

TESTKIT_MAIN("amount", NULL, NULL, 0,
             parses_printed_figures,
             refuses_bad_text,
             int64_boundaries,
             format_and_round_trip,
             checked_addition,
             exact_differences_at_the_limits)
