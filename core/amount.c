/* amount.c -- exact 万元 <-> fen conversion (see amount.h for the invariant). */
#include "amount.h"

#include <assert.h>

#include <stdio.h>
#include <string.h>

/* amount_parse accumulates negatively so that INT64_MIN itself parses: that needs
 * |INT64_MIN| = INT64_MAX + 1 (two's complement, which int64_t guarantees; stated here). */
_Static_assert(INT64_MIN == -INT64_MAX - 1, "int64_t is two's complement");

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Checks the comma grouping of the integer part: "1,773" ok, "17,73" or "1,,7" not. */
static bool grouping_ok(const char *p, size_t n)
{
    size_t group = 0, commas = 0, first = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == ',') {
            if ((commas == 0 && (first == 0 || first > 3)) || (commas > 0 && group != 3))
                return false;
            commas++;
            group = 0;
        } else if (commas == 0) {
            first++;
        } else {
            group++;
        }
    }
    return commas == 0 || group == 3;
}

int amount_parse(const char *text, size_t len, int64_t *fen, const char **reason)
{
    const char *p = text, *end = text + len;
    while (p < end && is_blank(*p)) p++;
    while (end > p && is_blank(end[-1])) end--;
    if (p == end) { *reason = "empty amount"; return -1; }

    bool negative = false;
    if (*p == '-' || *p == '+') { negative = (*p == '-'); p++; }
    if (p == end) { *reason = "sign without digits"; return -1; }

    const char *int_start = p;
    size_t int_digits = 0;
    bool has_comma = false;
    while (p < end && (*p == ',' || (*p >= '0' && *p <= '9'))) {
        if (*p == ',') has_comma = true; else int_digits++;
        p++;
    }
    const char *int_end = p;
    const char *frac = NULL;
    size_t frac_digits = 0;
    if (p < end && *p == '.') {
        frac = ++p;
        while (p < end && *p >= '0' && *p <= '9') { p++; frac_digits++; }
    }
    if (p != end) { *reason = "not a decimal number (unexpected character)"; return -1; }
    if (int_digits == 0 && frac_digits == 0) { *reason = "no digits"; return -1; }
    if (frac && frac_digits == 0) { *reason = "decimal point without digits after it"; return -1; }
    if (frac_digits > 6) { *reason = "more than 6 decimals (finer than one fen)"; return -1; }
    if (has_comma && !grouping_ok(int_start, (size_t)(int_end - int_start))) {
        *reason = "misplaced thousands separator"; return -1;
    }

    /* Accumulate as a negative number so INT64_MIN itself is representable. */
    int64_t v = 0;
    for (const char *q = int_start; q < int_end; q++) {
        if (*q == ',') continue;
        int d = *q - '0';
        if (v < (INT64_MIN + d) / 10) { *reason = "amount too large"; return -1; }
        v = v * 10 - d;
    }
    for (size_t i = 0; i < 6; i++) {
        int d = (i < frac_digits) ? frac[i] - '0' : 0;
        if (v < (INT64_MIN + d) / 10) { *reason = "amount too large"; return -1; }
        v = v * 10 - d;
    }
    if (!negative) {
        if (v == INT64_MIN) { *reason = "amount too large"; return -1; }
        v = -v;
    }
    *fen = v;
    return 0;
}

char *amount_format(int64_t fen, char buf[AMOUNT_BUF])
{
    assert(buf);
    uint64_t mag = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    uint64_t whole = mag / (uint64_t)FEN_PER_WANYUAN;
    uint64_t frac = mag % (uint64_t)FEN_PER_WANYUAN;
    char digits[8];
    snprintf(digits, sizeof digits, "%06llu", (unsigned long long)frac);
    int keep = 6;
    while (keep > 2 && digits[keep - 1] == '0') keep--;
    digits[keep] = '\0';
    snprintf(buf, AMOUNT_BUF, "%s%llu.%s", fen < 0 ? "-" : "", (unsigned long long)whole, digits);
    return buf;
}

bool amount_add(int64_t *sum, int64_t term)
{
    int64_t r;
    if (__builtin_add_overflow(*sum, term, &r)) return false;
    *sum = r;
    return true;
}

int64_t amount_add_sat(int64_t a, int64_t b)
{
    int64_t r;
    if (!__builtin_add_overflow(a, b, &r)) return r;
    return b > 0 ? INT64_MAX : INT64_MIN;
}

int64_t amount_sub_sat(int64_t a, int64_t b)
{
    int64_t r;
    if (!__builtin_sub_overflow(a, b, &r)) return r;
    return b < 0 ? INT64_MAX : INT64_MIN;
}

uint32_t amount_printed_unit(const char *text, size_t len)
{
    uint32_t unit = (uint32_t)FEN_PER_WANYUAN;
    const char *dot = memchr(text, '.', len);
    if (!dot) return unit;
    for (const char *p = dot + 1; p < text + len && *p >= '0' && *p <= '9' && unit > 1; p++) unit /= 10;
    return unit;
}
