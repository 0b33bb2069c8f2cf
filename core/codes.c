/* codes.c -- shape of classification codes: well-formedness, level, parent (codes.h).
 *
 * Invariants: a function code is 3, 5 or 7 digits, an economic code 3 or 5; a code's
 * parent is its prefix two digits shorter. Malformed codes are never "fixed": the nearest
 * parent only says under which well-formed ancestor a mis-printed code is counted. The
 * chart data itself lives in classes.c.
 */
#include "codes.h"

#include <string.h>

bool code_is_numeric(const char *row)
{
    if (!row || !*row) return false;
    for (const char *p = row; *p; p++)
        if (*p < '0' || *p > '9') return false;
    return true;
}

static bool length_ok(code_kind kind, size_t n)
{
    if (kind == CODE_FUNCTION) return n == 3 || n == 5 || n == 7;
    if (kind == CODE_ECONOMIC) return n == 3 || n == 5;
    return false;
}

bool code_well_formed(code_kind kind, const char *row)
{
    return code_is_numeric(row) && length_ok(kind, strlen(row));
}

int code_level(code_kind kind, const char *row)
{
    return code_well_formed(kind, row) ? (int)(strlen(row) - 1) / 2 : 0;
}

static bool copy_prefix(const char *row, size_t n, char *out, size_t outlen)
{
    if (n + 1 > outlen) return false;
    memcpy(out, row, n);
    out[n] = '\0';
    return true;
}

bool code_parent(code_kind kind, const char *row, char *out, size_t outlen)
{
    if (code_level(kind, row) < 2) return false;
    return copy_prefix(row, strlen(row) - 2, out, outlen);
}

/* The longest well-formed proper prefix: "208010" -> "20801", "201999" -> "20199",
 * "2080" -> "208"; for a well-formed code this is its parent. */
bool code_nearest_parent(code_kind kind, const char *row, char *out, size_t outlen)
{
    if (!code_is_numeric(row)) return false;
    for (size_t n = strlen(row) - 1; n >= 3; n--)
        if (length_ok(kind, n)) return copy_prefix(row, n, out, outlen);
    return false;
}

code_kind code_kind_for_table(table_id t)
{
    switch (table_row_kind(t)) {
    case ROWS_FUNCTION: return CODE_FUNCTION;
    case ROWS_ECONOMIC: return CODE_ECONOMIC;
    case ROWS_PROJECT: return CODE_NONE;
    case ROWS_FIXED:
        /* summary and fiscal carry function class codes among their fixed rows */
        return (t == TABLE_SUMMARY || t == TABLE_FISCAL) ? CODE_FUNCTION : CODE_NONE;
    }
    return CODE_NONE;
}

/* Next character of a name for comparison: blanks skipped, full-width （） read as (). */
static const char *name_next(const char *p, int *c)
{
    for (;;) {
        if (*p == ' ' || *p == '\t') { p++; continue; }
        if (!strncmp(p, "\xE3\x80\x80", 3)) { p += 3; continue; }          /* U+3000 */
        if (!strncmp(p, "\xEF\xBC\x88", 3)) { *c = '('; return p + 3; }    /* （ */
        if (!strncmp(p, "\xEF\xBC\x89", 3)) { *c = ')'; return p + 3; }    /* ） */
        *c = (unsigned char)*p;
        return *p ? p + 1 : p;
    }
}

bool code_name_matches(const char *known, const char *printed)
{
    if (!known || !printed) return false;
    const char *a = known, *b = printed;
    for (;;) {
        int ca, cb;
        a = name_next(a, &ca);
        b = name_next(b, &cb);
        if (ca != cb) return false;
        if (ca == 0) return true;
    }
}
