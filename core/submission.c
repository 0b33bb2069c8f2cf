/* submission.c -- one entity's facts for one year: building, sorting, validating.
 *
 * Invariants: a submission owns every string it points at (row, name, source); facts are
 * in (table,row,column) order after submission_sort() and submission_validate(); a
 * submission that passed submission_validate() satisfies everything listed in
 * submission.h, so the store and the rules never re-check structure.
 */
#include "errors.h"
#include "sort.h"
#include "submission.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

submission_t *submission_new(const char *entity, uint32_t year)
{
    submission_t *self = calloc(1, sizeof *self);
    if (!self) return NULL;
    snprintf(self->entity, sizeof self->entity, "%s", entity ? entity : "");
    self->year = year;
    self->source = strdup("");
    if (!self->source) { free(self); return NULL; }
    return self;
}

void submission_destroy(submission_t **self_p)
{
    if (!self_p || !*self_p) return;
    submission_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++) {   /* a shared string is its first's */
        const fact_t *prev = i ? &self->facts[i - 1] : NULL;
        if (!prev || self->facts[i].row != prev->row) free(self->facts[i].row);
        if (!prev || self->facts[i].name != prev->name) free(self->facts[i].name);
    }
    free(self->facts);
    free(self->source);
    free(self->text);
    free(self->text_name);
    free(self);
    *self_p = NULL;
}

uint32_t fact_unit_fen(const fact_t *f)
{
    return f->unit_fen ? f->unit_fen : FACT_UNIT_FEN_DEFAULT;
}

bool fact_unit_fen_valid(uint32_t u)
{
    if (u == 0) return true;
    for (uint32_t p = 1; p <= FACT_UNIT_FEN_MAX; p *= 10)
        if (u == p) return true;
    return false;
}

int submission_add(submission_t *self, table_id table, const char *row, column_id column,
                   int64_t fen, const char *name, uint32_t line)
{
    return submission_add_unit(self, table, row, column, fen, name, line, 0);
}

int submission_add_unit(submission_t *self, table_id table, const char *row, column_id column,
                        int64_t fen, const char *name, uint32_t line, uint32_t unit_fen)
{
    if (self->count == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 64;
        fact_t *f = realloc(self->facts, cap * sizeof *f);
        if (!f) return -1;
        self->facts = f;
        self->cap = cap;
    }
    char *r = strdup(row ? row : "");
    char *n = strdup(name ? name : "");
    if (!r || !n) { free(r); free(n); return -1; }
    self->facts[self->count++] = (fact_t){ table, column, r, n, fen, line, unit_fen };
    return 0;
}

void submission_set_source(submission_t *self, const char *source)
{
    char *s = strdup(source ? source : "");
    if (!s) return;   /* keep the old source rather than lose it */
    free(self->source);
    self->source = s;
}

int submission_set_text(submission_t *self, const char *name, const char *text, size_t len)
{
    if (!text) {
        free(self->text);
        free(self->text_name);
        self->text = self->text_name = NULL;
        self->text_len = 0;
        return 0;
    }
    char *t = malloc(len + 1), *n = strdup(name ? name : "");
    if (!t || !n) { free(t); free(n); return -1; }
    memcpy(t, text, len);
    t[len] = '\0';
    free(self->text);
    free(self->text_name);
    self->text = t;
    self->text_len = len;
    self->text_name = n;
    return 0;
}

void submission_new_id(char out[SUBMISSION_ID_MAX + 1])
{
    unsigned char raw[16];
    /* sodium_init is idempotent and thread-safe; randombytes works without it on Linux,
     * but calling it keeps libsodium's own invariant. */
    if (sodium_init() < 0) abort();
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, SUBMISSION_ID_MAX + 1, raw, sizeof raw);
}

/* A total order over everything a fact holds: (table,row,column), then the source line
 * (duplicates sort earliest line first, as the messages name them), then amount and name,
 * so facts it calls equal are identical and no sort algorithm can reorder what matters. */
static int fact_cmp(const void *a, const void *b)
{
    const fact_t *x = a, *y = b;
    if (x->table != y->table) return x->table < y->table ? -1 : 1;
    int c = strcmp(x->row, y->row);
    if (c) return c;
    if (x->column != y->column) return x->column < y->column ? -1 : 1;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    if (x->fen != y->fen) return x->fen < y->fen ? -1 : 1;
    return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

void submission_sort(submission_t *self)
{
    /* A submission decoded from the wire or a spool was sorted by its sender: one linear
     * pass instead of a sort. As fact_cmp is a total order, sorted input is already the
     * one sorted order, so skipping the sort changes nothing. */
    for (size_t i = 1; i < self->count; i++)
        if (fact_cmp(&self->facts[i - 1], &self->facts[i]) > 0) {
            sort_array(self->facts, self->count, sizeof *self->facts, fact_cmp);
            return;
        }
}

const fact_t *submission_find(const submission_t *self, table_id t, const char *row, column_id c)
{
    size_t lo = 0, hi = self->count;
    fact_t key = { t, c, (char *)row, NULL, 0, 0, 0 };
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const fact_t *f = &self->facts[mid];
        int r;
        if (f->table != key.table) r = f->table < key.table ? -1 : 1;
        else if ((r = strcmp(f->row, key.row)) == 0 && f->column != key.column)
            r = f->column < key.column ? -1 : 1;
        if (r == 0) return f;
        if (r < 0) lo = mid + 1; else hi = mid;
    }
    return NULL;
}

/* Every byte of every CSV file and of every decoded fact passes through here: ASCII runs
 * are skipped eight bytes at a time, and a run of multi-byte characters (Chinese text) is
 * decoded one sequence after another without that test. A 3-byte sequence needs only its
 * continuation bytes checked, except after E0 (overlong when the second byte is below A0)
 * and ED (a surrogate when it is A0 or above). Accepts exactly the shortest-form UTF-8 of
 * U+0000..U+10FFFF without surrogates. */
bool submission_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        if (len - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ULL)) { i += 8; continue; }
        }
        if (s[i] < 0x80) { i++; continue; }
        do {
            unsigned c = s[i];
            if (c >= 0xE0 && c <= 0xEF) {                     /* CJK: the common case */
                if (len - i <= 2 || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80) return false;
                if ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0)) return false;
                i += 3;
            } else if (c >= 0xC2 && c <= 0xDF) {              /* C0, C1: always overlong */
                if (len - i <= 1 || (s[i + 1] & 0xC0) != 0x80) return false;
                i += 2;
            } else if (c >= 0xF0 && c <= 0xF4) {              /* F5..F7: above U+10FFFF */
                if (len - i <= 3 || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80 ||
                    (s[i + 3] & 0xC0) != 0x80) return false;
                if ((c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90)) return false;
                i += 4;
            } else {
                return false;             /* continuation, C0/C1, F5..FF: never a lead byte */
            }
        } while (i < len && s[i] >= 0x80);
    }
    return true;
}

static bool has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F) return true;
    return false;
}

/* A printable identifier (entity or id): non-empty, bounded, UTF-8, no control chars. */
static int check_ident(const char *what, const char *s, size_t max, char *err, size_t errlen)
{
    size_t n = strnlen(s, max + 1);
    if (n == 0) return error_set(err, errlen, "%s is empty", what);
    if (n > max) return error_set(err, errlen, "%s longer than %zu bytes", what, max);
    if (!submission_utf8_valid(s, n)) return error_set(err, errlen, "%s is not valid UTF-8", what);
    if (has_control(s)) return error_set(err, errlen, "%s contains a control character", what);
    return 0;
}

static int check_fact(const fact_t *f, size_t index, char *err, size_t errlen)
{
    char where[64];
    /* runs for every fact: the location is formatted only when the fact fails (first pass
     * without err, second pass with it) */
    if (err) {
        if (check_fact(f, index, NULL, 0) == 0) return 0;
        if (f->line) snprintf(where, sizeof where, "fact %zu (line %u)", index, f->line);
        else snprintf(where, sizeof where, "fact %zu", index);
    } else {
        where[0] = '\0';
    }

    if (!table_valid(f->table))
        return error_set(err, errlen, "%s: unknown table %d", where, (int)f->table);
    if (!column_valid(f->column))
        return error_set(err, errlen, "%s: unknown column %d", where, (int)f->column);
    if (!table_has_column(f->table, f->column))
        return error_set(err, errlen, "%s: table '%s' has no column '%s'", where,
                    table_name(f->table), column_name(f->column));
    size_t rn = f->row ? strlen(f->row) : 0;
    if (rn == 0) return error_set(err, errlen, "%s: row is empty", where);
    if (rn > SUBMISSION_ROW_MAX)
        return error_set(err, errlen, "%s: row longer than %d bytes", where, SUBMISSION_ROW_MAX);
    if (!submission_utf8_valid(f->row, rn))
        return error_set(err, errlen, "%s: row is not valid UTF-8", where);
    if (has_control(f->row))
        return error_set(err, errlen, "%s: row contains a control character", where);
    if (!fact_unit_fen_valid(f->unit_fen))
        return error_set(err, errlen, "%s: printed precision %u fen is not a power of ten up to %u",
                         where, f->unit_fen, FACT_UNIT_FEN_MAX);
    size_t nn = f->name ? strlen(f->name) : 0;
    if (nn > SUBMISSION_NAME_MAX)
        return error_set(err, errlen, "%s: name longer than %d bytes", where, SUBMISSION_NAME_MAX);
    if (nn && !submission_utf8_valid(f->name, nn))
        return error_set(err, errlen, "%s: name is not valid UTF-8", where);
    return 0;
}

int submission_text_check(const char *text, size_t len, const char *name, char *err, size_t errlen)
{
    const char *nm = name ? name : "";
    size_t nl = strnlen(nm, SUBMISSION_TEXT_NAME_MAX + 1);
    if (nl > SUBMISSION_TEXT_NAME_MAX)
        return error_set(err, errlen, "text name longer than %d bytes", SUBMISSION_TEXT_NAME_MAX);
    if (!submission_utf8_valid(nm, nl)) return error_set(err, errlen, "text name is not valid UTF-8");
    if (len > SUBMISSION_TEXT_MAX)
        return error_set(err, errlen, "text %s: %zu bytes, more than the limit of %u bytes (%u MiB)",
                         nm, len, SUBMISSION_TEXT_MAX, SUBMISSION_TEXT_MAX >> 20);
    if (!submission_utf8_valid(text, len)) return error_set(err, errlen, "text %s is not valid UTF-8", nm);
    return 0;
}

int submission_validate(submission_t *self, char *err, size_t errlen)
{
    if (check_ident("submission id", self->id, SUBMISSION_ID_MAX, err, errlen)) return -1;
    if (check_ident("entity", self->entity, SUBMISSION_ENTITY_MAX, err, errlen)) return -1;
    if (self->year < 1900 || self->year > 9999)
        return error_set(err, errlen, "year %u out of range 1900..9999", self->year);
    if (self->source && !submission_utf8_valid(self->source, strlen(self->source)))
        return error_set(err, errlen, "source is not valid UTF-8");
    if (self->text && submission_text_check(self->text, self->text_len, self->text_name, err, errlen))
        return -1;
    if (self->count == 0)
        return error_set(err, errlen, "submission %s/%u has no facts", self->entity, self->year);
    if (self->count > SUBMISSION_FACTS_MAX)
        return error_set(err, errlen, "too many facts (%zu, at most %d)", self->count,
                    SUBMISSION_FACTS_MAX);
    /* Check in input order so "fact N" means the Nth fact as sent. */
    for (size_t i = 0; i < self->count; i++)
        if (check_fact(&self->facts[i], i + 1, err, errlen)) return -1;
    submission_sort(self);
    for (size_t i = 1; i < self->count; i++) {
        const fact_t *a = &self->facts[i - 1], *b = &self->facts[i];
        if (a->table == b->table && a->column == b->column && strcmp(a->row, b->row) == 0)
            return error_set(err, errlen,
                        "duplicate fact %s/%s/%s: line %u and line %u",
                        table_name(a->table), a->row, column_name(a->column), a->line, b->line);
    }
    return 0;
}

void submission_list_init(submission_list_t *list)
{
    list->items = NULL;
    list->count = list->cap = 0;
}

submission_t *submission_list_get(submission_list_t *list, const char *entity, uint32_t year)
{
    for (size_t i = 0; i < list->count; i++)
        if (list->items[i]->year == year && strcmp(list->items[i]->entity, entity) == 0)
            return list->items[i];
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 4;
        submission_t **items = realloc(list->items, cap * sizeof *items);
        if (!items) return NULL;
        list->items = items;
        list->cap = cap;
    }
    submission_t *s = submission_new(entity, year);
    if (!s) return NULL;
    list->items[list->count++] = s;
    return s;
}

void submission_list_free(submission_list_t *list)
{
    for (size_t i = 0; i < list->count; i++) submission_destroy(&list->items[i]);
    free(list->items);
    submission_list_init(list);
}
