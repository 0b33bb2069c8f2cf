/* grid.c -- the sparse cell grid every input format fills (see grid.h for the invariants). */
#include "grid.h"
#include "sort.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

#define GRID_INITIAL_CAP 256
#define GRID_TEXT_BLOCK_FIRST 1024 /* bytes of a grid's first block of cell texts ... */
#define GRID_TEXT_BLOCK 16384      /* ... doubling up to this (a budget sheet: a few blocks) */

/* Cell texts are copied into chained blocks instead of one malloc each: a sheet of a
 * thousand cells costs a few allocations, and a text never moves once set (the recogniser
 * and the report keep pointers to it until grid_destroy()). */
struct grid_text_block {
    struct grid_text_block *next;
    size_t used, cap;
    char data[];
};

/* A copy of text[0..len) NUL-terminated in the grid's blocks, or NULL without memory. */
static char *s_text_copy(grid_t *self, const char *text, size_t len) {
    struct grid_text_block *b = self->texts;
    if (!b || b->cap - b->used < len + 1) {
        size_t cap = !b ? GRID_TEXT_BLOCK_FIRST : b->cap < GRID_TEXT_BLOCK ? b->cap * 2 : GRID_TEXT_BLOCK;
        if (cap < len + 1) cap = len + 1;
        b = malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->used = 0;
        b->cap = cap;
        b->next = self->texts;
        self->texts = b;
    }
    char *copy = b->data + b->used;
    if (len) memcpy(copy, text, len);
    copy[len] = '\0';
    b->used += len + 1;
    return copy;
}
#define GRID_NUMBER_MIN_EXP10 30   /* grid_number_text refuses |v| < 1e-30 */

grid_t *grid_new(const char *name) {
    grid_t *self = calloc(1, sizeof *self);
    if (!self) return NULL;
    self->name = strdup(name ? name : "");
    if (!self->name) {
        free(self);
        return NULL;
    }
    self->sorted = 1;
    return self;
}

void grid_destroy(grid_t **self_p) {
    if (!self_p || !*self_p) return;
    grid_t *self = *self_p;
    for (struct grid_text_block *b = self->texts, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(self->cells);
    free(self->merges);
    free(self->name);
    free(self);
    *self_p = NULL;
}

int grid_set(grid_t *self, uint32_t row, uint32_t col, grid_kind kind, const char *text,
             size_t len, uint8_t decimals, char *err, size_t errlen) {
    assert(self && (text || len == 0));
    if (row >= GRID_ROWS_MAX || col >= GRID_COLS_MAX)
        return error_set(err, errlen, "单元格位置超出范围（行 %u，列 %u）", row + 1, col + 1);
    if (len > GRID_TEXT_MAX)
        return error_set(err, errlen, "单元格内容过长（%zu 字节，上限 %u）", len, GRID_TEXT_MAX);
    if (len == 0 && kind != GRID_FORMULA_NO_VALUE) return 0;
    if (self->count == self->cap) {
        if (self->cap >= GRID_CELLS_MAX)
            return error_set(err, errlen, "单元格过多（上限 %u）", GRID_CELLS_MAX);
        size_t cap = self->cap ? self->cap * 2 : GRID_INITIAL_CAP;
        grid_cell_t *cells = realloc(self->cells, cap * sizeof *cells);
        if (!cells) return error_set(err, errlen, "内存不足");
        self->cells = cells;
        self->cap = cap;
    }
    char *copy = s_text_copy(self, text, len);
    if (!copy) return error_set(err, errlen, "内存不足");
    grid_cell_t *c = &self->cells[self->count++];
    *c = (grid_cell_t){ .row = row, .col = col, .kind = (uint8_t)kind, .decimals = decimals,
                        .text = copy };
    if (row + 1 > self->rows) self->rows = row + 1;
    if (col + 1 > self->cols) self->cols = col + 1;
    self->sorted = 0;
    return 0;
}

int grid_merge(grid_t *self, uint32_t r0, uint32_t c0, uint32_t r1, uint32_t c1, char *err,
               size_t errlen) {
    assert(self);
    if (r0 > r1 || c0 > c1 || r1 >= GRID_ROWS_MAX || c1 >= GRID_COLS_MAX)
        return error_set(err, errlen, "合并单元格范围无效");
    if (self->nmerges == self->capmerges) {
        if (self->capmerges >= GRID_CELLS_MAX)
            return error_set(err, errlen, "合并单元格过多（上限 %u）", GRID_CELLS_MAX);
        size_t cap = self->capmerges ? self->capmerges * 2 : 32;
        grid_merge_t *m = realloc(self->merges, cap * sizeof *m);
        if (!m) return error_set(err, errlen, "内存不足");
        self->merges = m;
        self->capmerges = cap;
    }
    self->merges[self->nmerges++] = (grid_merge_t){ r0, c0, r1, c1 };
    return 0;
}

/* Sort key: (row, col, insertion index) is a total order, so equal positions keep their
 * input order without relying on qsort stability (C does not promise it). */
typedef struct {
    uint32_t row, col;
    size_t index;
} s_cell_key;

static int s_key_cmp(const void *a, const void *b) {
    const s_cell_key *x = a, *y = b;
    if (x->row != y->row) return x->row < y->row ? -1 : 1;
    if (x->col != y->col) return x->col < y->col ? -1 : 1;
    return x->index < y->index ? -1 : (x->index > y->index);
}

static int s_in_order(const grid_t *self) {
    for (size_t i = 1; i < self->count; i++) {
        const grid_cell_t *p = &self->cells[i - 1], *c = &self->cells[i];
        if (p->row > c->row || (p->row == c->row && p->col >= c->col)) return 0;
    }
    return 1;
}

void grid_finish(grid_t *self) {
    assert(self);
    if (self->sorted) return;
    self->sorted = 1;
    if (s_in_order(self)) return;      /* readers append row-major: the usual case */
    size_t n = self->count;
    s_cell_key *keys = malloc(n * sizeof *keys);
    grid_cell_t *tmp = malloc(n * sizeof *tmp);
    if (!keys || !tmp) abort();        /* n cells were allocated a moment ago */
    for (size_t i = 0; i < n; i++)
        keys[i] = (s_cell_key){ self->cells[i].row, self->cells[i].col, i };
    sort_array(keys, n, sizeof *keys, s_key_cmp);
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        grid_cell_t c = self->cells[keys[i].index];
        if (out && tmp[out - 1].row == c.row && tmp[out - 1].col == c.col) {
            tmp[out - 1] = c;          /* the later grid_set() of a cell wins (its old
                                          * text stays in the blocks until grid_destroy) */
        } else {
            tmp[out++] = c;
        }
    }
    memcpy(self->cells, tmp, out * sizeof *tmp);
    self->count = out;
    free(keys);
    free(tmp);
}

const grid_cell_t *grid_get(const grid_t *self, uint32_t row, uint32_t col) {
    assert(self && self->sorted);
    size_t lo = 0, hi = self->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const grid_cell_t *c = &self->cells[mid];
        if (c->row < row || (c->row == row && c->col < col)) lo = mid + 1;
        else hi = mid;
    }
    if (lo < self->count && self->cells[lo].row == row && self->cells[lo].col == col)
        return &self->cells[lo];
    return NULL;
}

const grid_merge_t *grid_merge_at(const grid_t *self, uint32_t row, uint32_t col) {
    assert(self);
    for (size_t i = 0; i < self->nmerges; i++) {
        const grid_merge_t *m = &self->merges[i];
        if (row >= m->r0 && row <= m->r1 && col >= m->c0 && col <= m->c1) return m;
    }
    return NULL;
}

const grid_cell_t *grid_get_merged(const grid_t *self, uint32_t row, uint32_t col) {
    const grid_merge_t *m = grid_merge_at(self, row, col);
    return m ? grid_get(self, m->r0, m->c0) : grid_get(self, row, col);
}

char *grid_cell_ref(uint32_t row, uint32_t col, char buf[16]) {
    char letters[8];
    int n = 0;
    uint32_t c = col + 1;
    while (c > 0 && n < (int)sizeof letters) {
        c--;
        letters[n++] = (char)('A' + c % 26);
        c /= 26;
    }
    int k = 0;
    while (n > 0) buf[k++] = letters[--n];
    snprintf(buf + k, (size_t)(16 - k), "%u", row + 1);
    return buf;
}

/* Rewrites "d.ddde±XX" (from %.*e) as a plain decimal. */
static void s_plain_from_exponent(const char *e, char out[64]) {
    int neg = (*e == '-');
    if (neg || *e == '+') e++;
    char digits[32];
    int nd = 0;
    const char *p = e;
    for (; *p && *p != 'e' && *p != 'E'; p++)
        if (*p >= '0' && *p <= '9' && nd < 31) digits[nd++] = *p;
    int exp10 = (*p == 'e' || *p == 'E') ? atoi(p + 1) : 0;
    while (nd > 1 && digits[nd - 1] == '0') nd--;    /* trailing zeros of the mantissa */
    /* value = 0.d1d2..dn * 10^(exp10 + 1) */
    int point = exp10 + 1;                            /* digits before the decimal point */
    assert(point > -GRID_NUMBER_MIN_EXP10 - 2 && point < 20);
    char *o = out;
    if (neg) *o++ = '-';
    if (point <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -point; i++) *o++ = '0';
        for (int i = 0; i < nd; i++) *o++ = digits[i];
    } else if (point >= nd) {
        for (int i = 0; i < nd; i++) *o++ = digits[i];
        for (int i = nd; i < point; i++) *o++ = '0';
    } else {
        for (int i = 0; i < point; i++) *o++ = digits[i];
        *o++ = '.';
        for (int i = point; i < nd; i++) *o++ = digits[i];
    }
    *o = '\0';
    if (strcmp(out, "-0") == 0) strcpy(out, "0");
}

/* What grid_number_text() accepts (see grid.h). */
static int s_number_in_range(double v) {
    return isfinite(v) && fabs(v) <= 1e18 && (v == 0 || fabs(v) >= 1e-30);
}

int grid_number_text(double v, char buf[64]) {
    /* Bounds keep the plain text under 64 bytes: at most 19 integer digits, or 17
     * significant digits after at most GRID_NUMBER_MIN_EXP10 zeros. */
    if (!s_number_in_range(v)) return -1;
    if (v == 0) {
        strcpy(buf, "0");
        return 0;
    }
    char e[64];
    for (int prec = 0; prec <= 16; prec++) {
        snprintf(e, sizeof e, "%.*e", prec, v);
        if (strtod(e, NULL) == v) break;
    }
    s_plain_from_exponent(e, buf);
    return 0;
}

/* DBL_DIG: a decimal of at most this many significant digits reads back from its double. */
#define GRID_EXACT_DIGITS 15

int grid_number_text_decimal(const char *plain, char buf[64]) {
    assert(plain);
    double v = strtod(plain, NULL);
    char digits[64], cand[80];
    const char *p = plain;
    int neg = (*p == '-'), nd = 0, point = -1;
    if (neg) p++;
    for (; *p; p++) {
        if (*p == '.') { point = nd; continue; }
        if (*p < '0' || *p > '9' || nd >= (int)sizeof digits - 1) return grid_number_text(v, buf);
        digits[nd++] = *p;
    }
    if (point < 1) return grid_number_text(v, buf);     /* not the plain form asked for */
    int first = 0;
    while (first < nd && digits[first] == '0') first++;
    if (nd - first <= GRID_EXACT_DIGITS) return grid_number_text(v, buf);
    /* round to GRID_EXACT_DIGITS significant digits (half up; the check below decides) */
    int cut = first + GRID_EXACT_DIGITS;
    int up = digits[cut] >= '5';
    nd = cut;
    for (int i = cut - 1; up && i >= 0; i--) {
        if (digits[i] == '9') { digits[i] = '0'; continue; }
        digits[i]++;
        up = 0;
    }
    if (up) {                                           /* 99.99… became 100.00… */
        memmove(digits + 1, digits, (size_t)nd);
        digits[0] = '1';
        nd++;
        point++;
    }
    /* the candidate in plain form: no leading zeros before the point, none trailing after */
    size_t k = 0;
    if (neg) cand[k++] = '-';
    int i = 0;
    while (i < point - 1 && digits[i] == '0') i++;
    for (; i < point; i++) cand[k++] = i < nd ? digits[i] : '0';
    int last = nd - 1;
    while (last >= point && digits[last] == '0') last--;
    if (last >= point) {
        cand[k++] = '.';
        for (int j = point; j <= last; j++) cand[k++] = digits[j];
    }
    cand[k] = '\0';
    if (strcmp(cand, "-0") == 0) strcpy(cand, "0");
    /* At most 15 digits and the same double: the one such decimal of v (DBL_DIG), so also
     * the shortest that grid_number_text would search for. Its bounds still apply. */
    if (k < 64 && s_number_in_range(v) && strtod(cand, NULL) == v) {
        memcpy(buf, cand, k + 1);
        return 0;
    }
    return grid_number_text(v, buf);
}
