/* chart.c -- loading and looking up a classification chart file (chart.h).
 *
 * The file is read with the RFC 4180 reader of csv.c; entries are kept sorted so a lookup
 * is a binary search (a national chart has a few thousand codes, looked up once per
 * printed code row). Invariants: chart.h.
 */
#include "chart.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "errors.h"
#include "sort.h"

#define CHART_NAME_MAX 256
#define CHART_ERRORS_SHOWN 20     /* errors spelt out; the rest are counted */

typedef struct {
    code_kind kind;
    char code[8];
    char *name;
    uint32_t first, last;         /* 0 = unbounded */
} chart_entry_t;

struct chart {
    chart_entry_t *items;
    size_t count, cap;
};

static int entry_cmp(const void *a, const void *b)
{
    const chart_entry_t *x = a, *y = b;
    if (x->kind != y->kind) return (int)x->kind - (int)y->kind;
    int c = strcmp(x->code, y->code);
    if (c) return c;
    return x->first < y->first ? -1 : x->first > y->first;
}

void chart_destroy(chart_t **self_p)
{
    if (!self_p || !*self_p) return;
    chart_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++) free(self->items[i].name);
    free(self->items);
    free(self);
    *self_p = NULL;
}

size_t chart_count(const chart_t *self) { return self ? self->count : 0; }

/* Appends "NAME:LINE: reason" to the error text (the first CHART_ERRORS_SHOWN only). */
typedef struct { char *err; size_t errlen, used; unsigned n; } chart_errs_t;
static void chart_err(chart_errs_t *e, const char *name, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void chart_err(chart_errs_t *e, const char *name, uint32_t line, const char *fmt, ...)
{
    e->n++;
    if (e->n > CHART_ERRORS_SHOWN || !e->err || e->used + 1 >= e->errlen) return;
    char why[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    int k = snprintf(e->err + e->used, e->errlen - e->used, "%s%s:%u: %s", e->used ? "\n" : "",
                     name, line, why);
    if (k > 0) e->used += (size_t)k < e->errlen - e->used ? (size_t)k : e->errlen - e->used - 1;
}

static bool parse_year(const char *s, uint32_t *out)
{
    if (!*s) { *out = 0; return true; }
    if (strlen(s) != 4 || strspn(s, "0123456789") != 4 || s[0] == '0') return false;
    *out = (uint32_t)atoi(s);
    return *out >= 1900;
}

static char *trimmed(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t')) *--e = '\0';
    return s;
}

enum { C_KIND, C_CODE, C_NAME, C_FIRST, C_LAST, C_COUNT };
static const char *const CHART_FIELDS[C_COUNT] = { "kind", "code", "name", "first_year", "last_year" };

chart_t *chart_load_buffer(const char *name, const char *data, size_t len, char *err, size_t errlen)
{
    chart_errs_t e = { err, errlen, 0, 0 };
    if (err && errlen) err[0] = '\0';
    chart_t *self = calloc(1, sizeof *self);
    if (!self) { error_set(err, errlen, "%s: out of memory", name); return NULL; }
    if (!submission_utf8_valid(data, len)) {
        error_set(err, errlen, "%s: not valid UTF-8", name);
        free(self);
        return NULL;
    }
    size_t pos = csv_bom_length(data, len);
    uint32_t line = 1, start = 1;
    csv_record_t rec;
    csv_record_init(&rec);
    const char *reason = NULL;
    bool header = false;
    int rc;
    while ((rc = csv_next_record(data, len, &pos, &line, &rec, &start, &reason)) == 1) {
        if (rec.nfields && rec.fields[0][0] == '#') continue;
        if (!header) {
            bool ok = rec.nfields >= C_COUNT;
            for (int f = 0; ok && f < C_COUNT; f++) ok = strcmp(trimmed(rec.fields[f]), CHART_FIELDS[f]) == 0;
            if (!ok) {
                chart_err(&e, name, start, "header must be kind,code,name,first_year,last_year");
                break;
            }
            header = true;
            continue;
        }
        if (rec.nfields != C_COUNT) {
            chart_err(&e, name, start, "expected %d fields, found %zu", C_COUNT, rec.nfields);
            continue;
        }
        char *kind = trimmed(rec.fields[C_KIND]), *code = trimmed(rec.fields[C_CODE]);
        char *nm = trimmed(rec.fields[C_NAME]);
        code_kind k = !strcmp(kind, "func") ? CODE_FUNCTION : !strcmp(kind, "econ") ? CODE_ECONOMIC : CODE_NONE;
        uint32_t first = 0, last = 0;
        bool bad = false;
        if (k == CODE_NONE) { chart_err(&e, name, start, "kind '%s' is not func or econ", kind); bad = true; }
        else if (!code_well_formed(k, code)) {
            chart_err(&e, name, start, "code '%s' is not a %s code (%s)", code, kind,
                      k == CODE_FUNCTION ? "3, 5 or 7 digits" : "3 or 5 digits");
            bad = true;
        }
        if (!*nm || strlen(nm) > CHART_NAME_MAX) {
            chart_err(&e, name, start, "name empty or longer than %d bytes", CHART_NAME_MAX);
            bad = true;
        }
        if (!parse_year(trimmed(rec.fields[C_FIRST]), &first) || !parse_year(trimmed(rec.fields[C_LAST]), &last)) {
            chart_err(&e, name, start, "first_year/last_year must be 4-digit years or empty");
            bad = true;
        } else if (first && last && last < first) {
            chart_err(&e, name, start, "last_year %u is before first_year %u", last, first);
            bad = true;
        }
        if (bad) continue;
        if (self->count == self->cap) {
            size_t cap = self->cap ? self->cap * 2 : 256;
            chart_entry_t *items = realloc(self->items, cap * sizeof *items);
            if (!items) { chart_err(&e, name, start, "out of memory"); break; }
            self->items = items;
            self->cap = cap;
        }
        chart_entry_t *it = &self->items[self->count];
        it->kind = k;
        snprintf(it->code, sizeof it->code, "%s", code);
        it->first = first;
        it->last = last;
        if (!(it->name = strdup(nm))) { chart_err(&e, name, start, "out of memory"); break; }
        self->count++;
    }
    csv_record_free(&rec);
    if (rc < 0) chart_err(&e, name, start, "%s", reason);
    if (!header && !e.n) chart_err(&e, name, 1, "missing header kind,code,name,first_year,last_year");
    sort_array(self->items, self->count, sizeof *self->items, entry_cmp);
    for (size_t i = 1; i < self->count; i++) {
        const chart_entry_t *a = &self->items[i - 1], *b = &self->items[i];
        if (a->kind != b->kind || strcmp(a->code, b->code)) continue;
        if (!a->last || !b->first || a->last >= b->first)
            chart_err(&e, name, 0, "code %s %s is listed twice for overlapping years",
                      a->kind == CODE_FUNCTION ? "func" : "econ", a->code);
    }
    if (e.n) {
        if (e.n > CHART_ERRORS_SHOWN && err && e.used + 1 < errlen)
            snprintf(err + e.used, errlen - e.used, "\n%s: ……另有 %u 处错误", name, e.n - CHART_ERRORS_SHOWN);
        chart_destroy(&self);
        return NULL;
    }
    return self;
}

chart_t *chart_load(const char *path, char *err, size_t errlen)
{
    char *data;
    size_t len;
    if (csv_slurp(path, &data, &len, err, errlen)) return NULL;
    chart_t *c = chart_load_buffer(path, data, len, err, errlen);
    free(data);
    return c;
}

/* Index of the first entry of (kind, code), or -1. */
static long first_of(const chart_t *self, code_kind kind, const char *code)
{
    if (!self || !code) return -1;
    size_t lo = 0, hi = self->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const chart_entry_t *m = &self->items[mid];
        int c = m->kind != kind ? (int)m->kind - (int)kind : strcmp(m->code, code);
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    if (lo < self->count && self->items[lo].kind == kind && !strcmp(self->items[lo].code, code))
        return (long)lo;
    return -1;
}

const char *chart_name(const chart_t *self, code_kind kind, const char *code, uint32_t year)
{
    long i = first_of(self, kind, code);
    for (; i >= 0 && (size_t)i < self->count; i++) {
        const chart_entry_t *e = &self->items[i];
        if (e->kind != kind || strcmp(e->code, code)) break;
        if ((!e->first || year >= e->first) && (!e->last || year <= e->last)) return e->name;
    }
    return NULL;
}

bool chart_listed(const chart_t *self, code_kind kind, const char *code, uint32_t *first,
                  uint32_t *last)
{
    long i = first_of(self, kind, code);
    if (i < 0) return false;
    if (first) *first = self->items[i].first;
    if (last) *last = self->items[i].last;
    return true;
}
