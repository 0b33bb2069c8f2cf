/* pdf_layout.c -- one page's characters rebuilt into lines, table regions, columns and a grid
 * (see pdf_layout.h for the steps and the tunables). */
#include "pdf_layout.h"
#include "sort.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "errors.h"

#define PDF_SPAN_WINDOW 8        /* lines either side checked for the gaps a phrase spans */
#define PDF_COL_TOL 0.15         /* em: extents closer than this belong to one column */
#define PDF_DEFAULT_PITCH 1.5    /* em: row pitch when a region has a single line */
#define PDF_ALIGN_TOL 0.3        /* em: values whose edges agree this well are aligned */
#define PDF_PAD_EM 0.5           /* em: a boundary this far past an aligned column's edge */
#define PDF_EDGE_EM 0.5          /* em: edges this close are aligned */
#define PDF_WRAP_EM 2.0          /* em: a wrapped line's centre is this close below */
#define PDF_FULL_EM 2.0          /* em: text ending this close to its cell's edge wrapped */
#define PDF_HEADER_PASSES 8      /* rounds of giving empty columns' headers their own */
#define PDF_TIE_EM 0.15          /* em: rows this close to equidistant: the upper one wins */
#define PDF_TITLE_SIZE 1.2       /* a line in a larger font than this (x the rows) is no row */
#define PDF_HEADER_WRAP_EM 1.38  /* em: header lines closer than this are one cell's wrapped
                                  * text (a wrapped line is ~1.2 em below; rows are >= 1.45) */
#define PDF_SPLIT_PHRASES_MAX 64 /* phrases of a line searched for glued header cells */
#define PDF_HEADER_LINES_MAX 12  /* header lines compared pairwise (3 rows, wrapped: ~9) */
#define PDF_GROUP_EM 0.5         /* em: a header centred this well over two columns is theirs */
#define PDF_HALF_ROW_EM 1.0      /* em: a header line this close below a row is a merged cell */
#define PDF_HEADER_ROW_EM 0.4    /* em: header cells whose centres agree this well are one row */
#define PDF_SPLIT_GAP_EM 0.15    /* em: glued header words are at least this far apart */
#define PDF_SPLIT_EM 0.25        /* em: a glued header phrase splits where a word starts this
                                  * close to where another line's cell text starts */

/* Where two words were joined into a phrase: the left word's right edge, the right word's
 * left edge and the byte offset of the right word in the phrase's text (without a space). */
typedef struct {
    double x1, x0;
    size_t at;
    int left_chars;              /* characters left of the cut */
} s_cut_t;

typedef struct {
    char *text;
    size_t len, cap;
    double x0, y0, x1, y1, size;
    int last_single;             /* the last word joined was one character */
    int nchars;
    s_cut_t *cuts;               /* joins inside a phrase, left to right (owned) */
    size_t ncuts;
    int left_aligned;            /* a header starting where another header line's text starts */
} s_word_t;

typedef struct {
    s_word_t *w;                 /* loose phrases, left to right (text lines, regions) */
    size_t n, cap;
    s_word_t *s;                 /* strict phrases: numbers never glued (table cells) */
    size_t ns;
    double yc, y0, y1, size;
    size_t nwords;               /* words summed into yc */
} s_line_t;

int pdf_text_append(pdf_text_t *t, const char *s, size_t len) {
    if (array_reserve(&t->data, &t->cap, t->len + len + 1, 1, 1024)) return -1;
    memcpy
(t->data + t->len, s, len);
    t->len += len;
    t->data[t->len] = '\0';
    return 0;
}

void pdf_text_free(pdf_text_t *t) {
    free(t->data);
    memset(t, 0, sizeof *t);
}

/* A word's text is a pdf_text_t kept in the word's own three fields. */
static int s_put(s_word_t *w, const char *s, size_t len) {
    pdf_text_t t = { w->text, w->len, w->cap };
    int rc = pdf_text_append(&t, s, len);
    w->text = t.data;
    w->len = t.len;
    w->cap = t.cap;
    return rc;
}


static size_t s_utf8(uint32_t c, char out[4]) {
    if (c < 0x80) { out[0] = (char)c; return 1; }
    if (c < 0x800) { out[0] = (char)(0xC0 | (c >> 6)); out[1] = (char)(0x80 | (c & 0x3F)); return 2; }
    if (c >= 0xD800 && c < 0xE000) c = 0xFFFD;
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12)); out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F)); return 3;
    }
    if (c > 0x10FFFF) c = 0xFFFD;
    if (c < 0x10000) return s_utf8(c, out);
    out[0] = (char)(0xF0 | (c >> 18)); out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F)); out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

static int s_is_space(uint32_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0xA0 ||
           c == 0x3000 || c == 0 || (c >= 0x2000 && c <= 0x200B);
}

static int s_is_digit(char c) { return c >= '0' && c <= '9'; }

/* "1,773.19", "-12", "5.2%", or a dash standing for nothing ("-", "—", "－"). */
static int s_is_number(const char *t) {
    if (!strcmp(t, "-") || !strcmp(t, "\xE2\x80\x94") || !strcmp(t, "\xEF\xBC\x8D")) return 1;
    const char *p = t;
    if (*p == '-' || *p == '+') p++;
    int digits = 0;
    for (; *p; p++) {
        if (s_is_digit(*p)) digits++;
        else if (*p == ',' || *p == '.') continue;
        else if (*p == '%' && p[1] == '\0') continue;
        else return 0;
    }
    return digits > 0;
}

/* A classification code or a 类/款/项 part ("208", "01", "2080505"): never glued to a name.
 * Four digits are left out: "2024 年" is one phrase. */
static int s_is_code(const char *t) {
    size_t n = strlen(t);
    if (n < 2 || n == 4) return 0;
    for (size_t i = 0; i < n; i++)
        if (!s_is_digit(t[i])) return 0;
    return 1;
}

static int s_ascii_alnum(char c) {
    return s_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void s_word_free(s_word_t *w) {
    free(w->text);
    w->text = NULL;
    free(w->cuts);
    w->cuts = NULL;
    w->ncuts = 0;
}

/* Appends b to a (the phrase grows to the right). */
static int s_word_join(s_word_t *a, const s_word_t *b, int space) {
    s_cut_t *cuts = realloc(a->cuts, (a->ncuts + 1 + b->ncuts) * sizeof *cuts);
    if (!cuts) return -1;
    a->cuts = cuts;
    size_t at = a->len + (space ? 1 : 0);
    cuts[a->ncuts++] = (s_cut_t){ .x1 = a->x1, .x0 = b->x0, .at = at, .left_chars = a->nchars };
    for (size_t k = 0; k < b->ncuts; k++) {
        cuts[a->ncuts] = b->cuts[k];
        cuts[a->ncuts].at += at;
        cuts[a->ncuts++].left_chars += a->nchars;
    }
    if (space && s_put(a, " ", 1) < 0) return -1;
    if (s_put(a, b->text, b->len) < 0) return -1;
    a->x1 = fmax(a->x1, b->x1);
    a->y0 = fmin(a->y0, b->y0);
    a->y1 = fmax(a->y1, b->y1);
    a->size = fmax(a->size, b->size);
    a->nchars += b->nchars;
    a->last_single = b->nchars == 1;
    return 0;
}

/* Should word b (right of phrase a on one line) be part of the same phrase? 2 = yes and the
 * two are a number broken by extraction (join without a space), 1 = yes, 0 = no. */
static int s_joins(const s_word_t *a, const s_word_t *b, int strict) {
    double em = fmin(a->size, b->size);
    double gap = b->x0 - a->x1;
    char last = a->len ? a->text[a->len - 1] : 0;
    if (gap < PDF_REPAIR_GAP * em && s_is_digit(b->text[0])) {
        /* "546." + "13", "2," + "361.22": the left part is a number ending in a separator. */
        if ((last == '.' || last == ',') && s_is_number(a->text) && a->len > 1) return 2;
    }
    if (gap < PDF_REPAIR_GAP * em && s_is_number(a->text) && s_is_digit(last) &&
        (b->text[0] == '.' || b->text[0] == ',') && b->len > 1 && s_is_digit(b->text[1]) &&
        s_is_number(b->text))
        return 2;
    int na = s_is_number(a->text), nb = s_is_number(b->text);
    if (na && nb) return 0;
    if (strict && (na || nb)) return 0;
    if (s_is_code(a->text) || s_is_code(b->text)) return 0;
    if (gap < PDF_PHRASE_GAP * em) return 1;
    if (!strict && a->last_single && b->nchars == 1 && !na && !nb &&
        gap < PDF_LETTERSPACE_GAP * em)
        return 1;
    return 0;
}

static int s_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Words from characters (step 1). */
static int s_words(const pdf_char_t *chars, size_t n, s_word_t **out, size_t *nout) {
    s_word_t *w = NULL;
    size_t nw = 0, cap = 0;
    int brk = 1;
    for (size_t i = 0; i < n; i++) {
        const pdf_char_t *c = &chars[i];
        if (s_is_space(c->ch) || !isfinite(c->x0) || !isfinite(c->y0) || !isfinite(c->x1) ||
            !isfinite(c->y1)) {
            brk = 1;
            continue;
        }
        double size = c->size > 0 && isfinite(c->size) ? c->size : fmax(c->y1 - c->y0, 1.0);
        double yc = (c->y0 + c->y1) / 2;
        s_word_t *cur = nw ? &w[nw - 1] : NULL;
        if (cur && !brk) {
            double cyc = (cur->y0 + cur->y1) / 2;
            double gap = c->x0 - cur->x1;
            if (fabs(yc - cyc) > PDF_LINE_TOL * size || gap > PDF_WORD_GAP * size ||
                gap < -0.5 * size)
                cur = NULL;
        } else {
            cur = NULL;
        }
        char u[4];
        size_t ul = s_utf8(c->ch, u);
        if (!cur) {
            if (array_reserve(&w, &cap, nw + 1, sizeof *w, 256)) goto fail;

            cur = &w[nw++];
            memset(cur, 0, sizeof *cur);
            cur->x0 = c->x0; cur->x1 = c->x1; cur->y0 = c->y0; cur->y1 = c->y1;
            cur->size = size;
        } else {
            cur->x1 = fmax(cur->x1, c->x1);
            cur->y0 = fmin(cur->y0, c->y0);
            cur->y1 = fmax(cur->y1, c->y1);
            cur->size = fmax(cur->size, size);
        }
        if (s_put(cur, u, ul) < 0) goto fail;
        cur->nchars++;
        cur->last_single = cur->nchars == 1;
        brk = 0;
    }
    *out = w;
    *nout = nw;
    return 0;
fail:
    for (size_t i = 0; i < nw; i++) s_word_free(&w[i]);
    free(w);
    return -1;
}

/* Word orders are total (sort_array needs that: qsort is not stable): position first, then
 * the remaining extents, then the text, so two distinct words never compare equal unless
 * they are the same word at the same place. */
static int s_cmp_word_rest(const s_word_t *x, const s_word_t *y) {
    if (x->x1 != y->x1) return (x->x1 > y->x1) - (x->x1 < y->x1);
    if (x->y0 != y->y0) return (x->y0 > y->y0) - (x->y0 < y->y0);
    if (x->y1 != y->y1) return (x->y1 > y->y1) - (x->y1 < y->y1);
    return strcmp(x->text ? x->text : "", y->text ? y->text : "");
}

static int s_cmp_word_y(const void *a, const void *b) {
    const s_word_t *x = a, *y = b;
    double p = (x->y0 + x->y1) / 2, q = (y->y0 + y->y1) / 2;
    if (p != q) return (p > q) - (p < q);
    if (x->x0 != y->x0) return (x->x0 > y->x0) - (x->x0 < y->x0);
    return s_cmp_word_rest(x, y);
}

static int s_cmp_word_x(const void *a, const void *b) {
    const s_word_t *x = a, *y = b;
    if (x->x0 != y->x0) return (x->x0 > y->x0) - (x->x0 < y->x0);
    return s_cmp_word_rest(x, y);
}

static void s_lines_free(s_line_t *lines, size_t n) {
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < lines[i].n; j++) s_word_free(&lines[i].w[j]);
        free(lines[i].w);
        for (size_t j = 0; j < lines[i].ns; j++) s_word_free(&lines[i].s[j]);
        free(lines[i].s);
    }
    free(lines);
}

/* Joins the words w[0..*n) of one line into phrases in place (step 3). */
static int s_phrases(s_word_t *w, size_t *n, int strict) {
    size_t m = 0;
    for (size_t j = 0; j < *n; j++) {
        if (m > 0) {
            int how = s_joins(&w[m - 1], &w[j], strict);
            if (how) {
                s_word_t *a = &w[m - 1];
                int space = how == 1 && w[j].x0 - a->x1 > PDF_WORD_GAP * a->size &&
                            s_ascii_alnum(a->text[a->len - 1]) && s_ascii_alnum(w[j].text[0]);
                if (s_word_join(a, &w[j], space) < 0) {
                    for (size_t k = j; k < *n; k++) s_word_free(&w[k]);
                    *n = m;
                    return -1;
                }
                s_word_free(&w[j]);
                continue;
            }
        }
        w[m++] = w[j];
    }
    *n = m;
    return 0;
}

/* Lines from words (step 2) and phrases within each line (step 3). Takes the words. */
static int s_lines(s_word_t *w, size_t nw, s_line_t **out, size_t *nout) {
    sort_array(w, nw, sizeof *w, s_cmp_word_y);
    s_line_t *lines = NULL;
    size_t nl = 0, cap = 0;
    size_t i = 0;
    for (; i < nw; i++) {
        double yc = (w[i].y0 + w[i].y1) / 2;
        s_line_t *l = nl ? &lines[nl - 1] : NULL;
        if (!l || fabs(yc - l->yc) > PDF_LINE_TOL * fmin(w[i].size, l->size)) {
            if (array_reserve(&lines, &cap, nl + 1, sizeof *lines, 64)) goto fail;

            l = &lines[nl++];
            memset(l, 0, sizeof *l);
            l->y0 = w[i].y0; l->y1 = w[i].y1; l->size = w[i].size;
        }
        if (array_reserve(&l->w, &l->cap, l->n + 1, sizeof *l->w, 8)) goto fail;

        l->w[l->n++] = w[i];
        w[i].text = NULL;
        l->yc = (l->yc * (double)l->nwords + yc) / (double)(l->nwords + 1);
        l->nwords++;
        l->y0 = fmin(l->y0, w[i].y0);
        l->y1 = fmax(l->y1, w[i].y1);
        l->size = fmin(l->size, w[i].size);
    }
    for (size_t k = 0; k < nl; k++) {
        s_line_t *l = &lines[k];
        sort_array(l->w, l->n, sizeof *l->w, s_cmp_word_x);
        l->s = malloc(l->n * sizeof *l->s);
        if (!l->s) goto fail;
        for (size_t j = 0; j < l->n; j++) {
            l->s[j] = l->w[j];
            l->s[j].text = NULL;
            l->s[j].cap = 0;
            l->s[j].len = 0;
            l->s[j].cuts = NULL;
            l->s[j].ncuts = 0;
            if (s_put(&l->s[j], l->w[j].text, l->w[j].len) < 0) { l->ns = j; goto fail; }
        }
        l->ns = l->n;
        if (s_phrases(l->w, &l->n, 0) < 0 || s_phrases(l->s, &l->ns, 1) < 0) goto fail;
    }
    free(w);
    *out = lines;
    *nout = nl;
    return 0;
fail:
    for (size_t k = i; k < nw; k++) s_word_free(&w[k]);
    free(w);
    s_lines_free(lines, nl);
    return -1;
}

typedef struct {
    double x0, x1;               /* the union of its values' extents */
    double lo, hi;               /* the cell range: boundaries halfway or by alignment */
    double edge;                 /* right edge a wrapped text runs to (s_full) */
    int names, amounts;          /* left-aligned texts / right-aligned amounts (s_bounds) */
    double min_x0, max_x0, min_x1, max_x1;
    size_t values, numbers;      /* phrases in it; of those, amounts ("1,773.19") */
    size_t digits;               /* of those, digit strings ("650", "22", "208") */
} s_col_t;

typedef struct {
    char *text;                  /* owned */
    int span;                    /* last column of the cell's merge (>= its column) */
    double x0, x1;               /* left and right edge of its text on the page */
    double ytop, ybot;           /* centres of its first and last line (a wrapped header) */
} s_cell_t;

/* Does phrase p cover the gap between two consecutive phrases of line m? */
static int s_spans(const s_word_t *p, const s_line_t *m) {
    for (size_t j = 0; j + 1 < m->ns; j++) {
        const s_word_t *a = &m->s[j], *b = &m->s[j + 1];
        if (a->x1 > p->x0 && a->x0 < p->x1 && b->x0 < p->x1 && b->x1 > p->x0 && a->x1 < b->x0)
            return 1;
    }
    return 0;
}

static int s_has_number(const s_line_t *l) {
    for (size_t j = 0; j < l->ns; j++)
        if (s_is_number(l->s[j].text) && strpbrk(l->s[j].text, "0123456789")) return 1;
    return 0;
}

static int s_cmp_col(const void *a, const void *b) {
    const s_col_t *x = a, *y = b;
    if (x->x0 != y->x0) return (x->x0 > y->x0) - (x->x0 < y->x0);
    if (x->x1 != y->x1) return (x->x1 > y->x1) - (x->x1 < y->x1);
    return (x->values > y->values) - (x->values < y->values);
}

static void s_place(const s_word_t *p, const s_col_t *cols, int ncols, int *c0, int *c1);

/* Cell ranges between neighbouring columns: past an aligned edge (numbers right-aligned,
 * names left-aligned) or halfway. */
static void s_bounds(s_col_t *iv, size_t m, double em) {
    for (size_t c = 0; c < m; c++) iv[c].names = iv[c].amounts = 0;
    for (size_t c = 0; c < m; c++) {
        if (c == 0) iv[c].lo = -INFINITY;
        iv[c].hi = iv[c].edge = INFINITY;
        if (c + 1 == m) break;
        s_col_t *l = &iv[c], *r = &iv[c + 1];
        double tol = PDF_ALIGN_TOL * em, gap = r->x0 - l->x1, pad = fmin(PDF_PAD_EM * em, gap / 2);
        int l_right = l->values > 0 && l->max_x1 - l->min_x1 <= tol &&
                      (l->max_x0 - l->min_x0 > tol || 2 * l->numbers > l->values);
        int r_left = r->values > 0 && r->max_x0 - r->min_x0 <= tol &&
                     (r->max_x1 - r->min_x1 > tol || 2 * r->numbers <= r->values);
        /* a column of names (indented or not): texts, not amounts or codes */
        int l_left = l->values > 0 && 2 * (l->numbers + l->digits) < l->values;
        int r_right = r->values > 0 && r->max_x1 - r->min_x1 <= tol && 2 * r->numbers > r->values;
        double cut = l_right && !r_left ? l->x1 + pad : r_left && !l_right ? r->x0 - pad
                                                                          : l->x1 + gap / 2;
        l->edge = cut;
        l->hi = cut;
        /* names left-aligned, amounts right-aligned to their right: a header in the gap is
         * placed by the cell it is centred in (s_place) */
        l->names = l_left;
        r->amounts = r_right;
        r->lo = cut;
    }
}

/* Of two header phrases placed in one column, the one that is not its header: one over none
 * of the column's values when the other is, else the one whose centre is farther from the
 * values' centre (an amount's header stands over it or left of its right edge). */
static const s_word_t *s_farther(const s_col_t *col, const s_word_t *p, const s_word_t *q) {
    int op = col->x1 > p->x0 && col->x0 < p->x1, oq = col->x1 > q->x0 && col->x0 < q->x1;
    if (op != oq) return op ? q : p;
    /* a header starting where the values end belongs to a column further right */
    int ap = p->x0 >= col->x1, aq = q->x0 >= col->x1;
    if (ap != aq) return ap ? p : q;
    double c = (col->x0 + col->x1) / 2;
    return fabs((p->x0 + p->x1) / 2 - c) > fabs((q->x0 + q->x1) / 2 - c) ? p : q;
}

/* Is phrase p of line i the second or third line of a wrapped header cell: a phrase at most
 * as wide starts (or is centred) where it does on a line less than PDF_HEADER_WRAP_EM above? */
static int s_is_fragment(const s_line_t *lines, size_t a, size_t i, const s_word_t *p) {
    double tol = PDF_ALIGN_TOL * p->size;
    for (size_t k = i; k-- > a && lines[i].yc - lines[k].yc <= PDF_HEADER_WRAP_EM * p->size;)
        for (size_t j = 0; j < lines[k].ns; j++) {
            const s_word_t *q = &lines[k].s[j];
            if ((fabs(q->x0 - p->x0) <= tol || fabs(q->x0 + q->x1 - p->x0 - p->x1) <= 2 * tol) &&
                q->x1 - q->x0 + tol >= p->x1 - p->x0)
                return 1;
        }
    return 0;
}

/* Is t a short digit string (a 类/款/项 part: "208", "01", "5")? */
static int s_code_part(const char *t) {
    size_t n = strlen(t);
    if (n < 1 || n > 3) return 0;
    for (size_t i = 0; i < n; i++)
        if (!s_is_digit(t[i])) return 0;
    return 1;
}

/* A 款 typed as a number ("5" for 05) is right-aligned in its cell where the text codes of
 * the column are left-aligned, so its extent makes a column of its own: two neighbouring
 * columns of short digit strings that no body line fills both are one column. */
static int s_merge_code_parts(const s_line_t *lines, size_t a, size_t b,
                              const unsigned char *body, s_col_t *iv, size_t *m, double em) {
    (void)em;
    for (size_t c = 0; c + 1 < *m;) {
        int ok = 1, shared = 0, any[2] = { 0, 0 };
        for (size_t i = a; i <= b && ok && !shared; i++) {
            if (!body[i - a]) continue;
            int in[2] = { 0, 0 };
            for (size_t j = 0; j < lines[i].ns && ok; j++) {
                const s_word_t *p = &lines[i].s[j];
                for (int k = 0; k < 2; k++)
                    if (iv[c + k].x1 > p->x0 && iv[c + k].x0 < p->x1) {
                        if (!s_code_part(p->text)) ok = 0;
                        in[k] = 1;
                    }
            }
            shared = in[0] && in[1];
            any[0] |= in[0];
            any[1] |= in[1];
        }
        if (ok && !shared && any[0] && any[1]) {
            iv[c].x1 = fmax(iv[c].x1, iv[c + 1].x1);
            memmove(&iv[c + 1], &iv[c + 2], (*m - c - 2) * sizeof *iv);
            (*m)--;
            continue;
        }
        c++;
    }
    return 0;
}

/* Columns of the region lines[a..b] (step 5): from the lines that hold numbers (the body;
 * header phrases are placed onto the body's columns afterwards, however they are aligned),
 * or from every line when there is no body (a table printed empty). Returns the count, or
 * -1 (memory). */
static int s_columns(const s_line_t *lines, size_t a, size_t b, s_col_t **out) {
    size_t cap = 0, n = 0, nlines = b - a + 1;
    for (size_t i = a; i <= b; i++) cap += lines[i].ns;
    size_t ivcap = 2 * cap + 1;  /* body extents, then one per header conflict at most */
    s_col_t *iv = calloc(ivcap, sizeof *iv);
    unsigned char *spanning = calloc(cap ? cap : 1, 1);   /* per phrase, in line order */
    unsigned char *body = calloc(nlines, 1);
    if (!iv || !spanning || !body) { free(iv); free(spanning); free(body); return -1; }
    size_t nbody = 0;
    for (size_t i = a; i <= b; i++) nbody += body[i - a] = (unsigned char)s_has_number(&lines[i]);
    int empty_table = nbody == 0;
    if (empty_table) memset(body, 1, nlines);
    double em = 0;
    for (size_t i = a, at = 0; i <= b; i++) {
        const s_line_t *l = &lines[i];
        for (size_t j = 0; j < l->ns; j++, at++) {
            const s_word_t *p = &l->s[j];
            if (!body[i - a]) continue;
            size_t lo = i > a + PDF_SPAN_WINDOW ? i - PDF_SPAN_WINDOW : a;
            size_t hi = i + PDF_SPAN_WINDOW < b ? i + PDF_SPAN_WINDOW : b;
            for (size_t k = lo; k <= hi && !spanning[at]; k++)
                if (k != i && body[k - a] && s_spans(p, &lines[k])) spanning[at] = 1;
            if (spanning[at]) continue;
            iv[n++] = (s_col_t){ .x0 = p->x0, .x1 = p->x1 };
            em = em > 0 ? fmin(em, p->size) : p->size;
        }
    }
    if (n == 0) {   /* every phrase spans another line's gap: take them all */
        for (size_t i = a; i <= b; i++)
            for (size_t j = 0; j < lines[i].ns; j++) {
                iv[n++] = (s_col_t){ .x0 = lines[i].s[j].x0, .x1 = lines[i].s[j].x1 };
                em = em > 0 ? fmin(em, lines[i].s[j].size) : lines[i].s[j].size;
            }
        memset(spanning, 0, cap ? cap : 1);
        memset(body, 1, nlines);
    }
    sort_array(iv, n, sizeof *iv, s_cmp_col);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && iv[i].x0 <= iv[m - 1].x1 + PDF_COL_TOL * em) {
            iv[m - 1].x1 = fmax(iv[m - 1].x1, iv[i].x1);
            continue;
        }
        iv[m++] = iv[i];
    }
    if (!empty_table && s_merge_code_parts(lines, a, b, body, iv, &m, em) < 0) {
        free(iv); free(spanning); free(body); return -1;
    }
    if (empty_table) {
        /* Only header lines: a centred header over nothing leaves extents that no line fills
         * together: merge such neighbours, the closest first, while no line would then have
         * two (non-spanning) phrases in one column. */
        unsigned char *occ = calloc(m * nlines + 1, 1);
        if (!occ) { free(iv); free(spanning); free(body); return -1; }
        for (size_t i = a, at = 0; i <= b; i++)
            for (size_t j = 0; j < lines[i].ns; j++, at++)
                for (size_t c = 0; c < m && !spanning[at]; c++)
                    if (iv[c].x1 > lines[i].s[j].x0 && iv[c].x0 < lines[i].s[j].x1)
                        occ[c * nlines + (i - a)] = 1;
        for (;;) {
            double best = INFINITY;
            size_t pick = m;
            for (size_t c = 0; c + 1 < m; c++) {
                int shared = 0;
                for (size_t i = 0; i < nlines && !shared; i++)
                    shared = occ[c * nlines + i] && occ[(c + 1) * nlines + i];
                double gap = iv[c + 1].x0 - iv[c].x1;
                if (!shared && gap < best) { best = gap; pick = c; }
            }
            if (pick == m) break;
            iv[pick].x1 = fmax(iv[pick].x1, iv[pick + 1].x1);
            for (size_t i = 0; i < nlines; i++)
                occ[pick * nlines + i] |= occ[(pick + 1) * nlines + i];
            memmove(&iv[pick + 1], &iv[pick + 2], (m - pick - 2) * sizeof *iv);
            memmove(&occ[(pick + 1) * nlines], &occ[(pick + 2) * nlines], (m - pick - 2) * nlines);
            m--;
        }
        free(occ);
    }
    /* Alignment of each column's values, for the boundaries between columns. */
    for (size_t c = 0; c < m; c++) {
        iv[c].min_x0 = iv[c].min_x1 = INFINITY;
        iv[c].max_x0 = iv[c].max_x1 = -INFINITY;
    }
    for (size_t i = a, at = 0; i <= b; i++)
        for (size_t j = 0; j < lines[i].ns; j++, at++) {
            const s_word_t *p = &lines[i].s[j];
            if (!body[i - a] || spanning[at]) continue;
            for (size_t c = 0; c < m; c++) {
                if (!(iv[c].x1 > p->x0 && iv[c].x0 < p->x1)) continue;
                s_col_t *col = &iv[c];
                col->min_x0 = fmin(col->min_x0, p->x0);
                col->max_x0 = fmax(col->max_x0, p->x0);
                col->min_x1 = fmin(col->min_x1, p->x1);
                col->max_x1 = fmax(col->max_x1, p->x1);
                col->values++;
                /* amounts are right-aligned; codes ("01", "208") are text */
                col->numbers += s_is_number(p->text) && strpbrk(p->text, ".,") != NULL;
                col->digits += s_is_number(p->text) && strpbrk(p->text, ".,-") == NULL;
                break;
            }
        }
    /* Whole amounts ("650", "22") look like codes: a column of digit strings right of a
     * column of names holds amounts (codes stand left of the names). */
    for (size_t c = 1; c < m; c++) {
        if (iv[c].numbers || !iv[c].values || iv[c].digits != iv[c].values) continue;
        for (size_t k = 0; k < c; k++)
            if (iv[k].values > iv[k].numbers + iv[k].digits) { iv[c].numbers = iv[c].values; break; }
    }
    free(spanning);
    free(body);
    s_bounds(iv, m, em);
    /* A header over a column that holds no number (an empty column) has no body extent: when
     * two phrases of one line land in one column, the one farther from the column's values
     * gets a column of its own. */
    for (int pass = 0; pass < PDF_HEADER_PASSES && m < ivcap; pass++) {
        size_t m0 = m;
        for (size_t i = a; i <= b && m < ivcap; i++) {
            const s_line_t *l = &lines[i];
            for (size_t j = 0; j + 1 < l->ns && m < ivcap; j++) {
                int c0, c1, d0, d1;
                s_place(&l->s[j], iv, (int)m, &c0, &c1);
                s_place(&l->s[j + 1], iv, (int)m, &d0, &d1);
                if (c1 != d0) continue;
                const s_word_t *p = s_farther(&iv[c1], &l->s[j], &l->s[j + 1]);
                int overlaps = 0;
                for (size_t c = 0; c < m && !overlaps; c++)
                    overlaps = iv[c].x1 > p->x0 && iv[c].x0 < p->x1;
                if (overlaps) continue;   /* over values already: a column would not help */
                iv[m++] = (s_col_t){ .x0 = p->x0, .x1 = p->x1 };
                sort_array(iv, m, sizeof *iv, s_cmp_col);
                s_bounds(iv, m, em);
            }
        }
        /* the same for two header cells on different lines (above the first number) that
         * stand side by side without touching: two empty columns' headers, one of them
         * wrapped, the other a row lower */
        size_t h = a;
        while (h <= b && !s_has_number(&lines[h])) h++;
        if (h > b || h > a + PDF_HEADER_LINES_MAX) h = a;   /* empty table, or no header */
        for (size_t i = a; i < h && m < ivcap; i++)
            for (size_t k = i + 1; k < h && m < ivcap; k++)
                for (size_t j = 0; j < lines[i].ns && m < ivcap && lines[i].ns <= PDF_SPLIT_PHRASES_MAX &&
                                   lines[k].ns <= PDF_SPLIT_PHRASES_MAX; j++)
                    for (size_t t = 0; t < lines[k].ns && m < ivcap; t++) {
                        const s_word_t *p = &lines[i].s[j], *q = &lines[k].s[t];
                        double tol = PDF_COL_TOL * em;
                        if (!(p->x1 + tol < q->x0 || q->x1 + tol < p->x0)) continue;
                        if (s_is_fragment(lines, a, i, p) || s_is_fragment(lines, a, k, q)) continue;
                        int c0, c1, d0, d1;
                        s_place(p, iv, (int)m, &c0, &c1);
                        s_place(q, iv, (int)m, &d0, &d1);
                        if (c0 != c1 || d0 != d1 || c0 != d0) continue;
                        const s_word_t *far = s_farther(&iv[c0], p, q);
                        /* lines of one header row (less than half a row apart): the other
                         * one may be over the values; a row apart, neither may (a group
                         * header above its columns' headers) */
                        int one_row = lines[k].yc - lines[i].yc <= PDF_HALF_ROW_EM * lines[i].size;
                        int overlaps = 0;
                        for (size_t c = 0; c < m && !overlaps; c++)
                            overlaps = (iv[c].x1 > far->x0 && iv[c].x0 < far->x1) ||
                                       (!one_row && ((iv[c].x1 > p->x0 && iv[c].x0 < p->x1) ||
                                                     (iv[c].x1 > q->x0 && iv[c].x0 < q->x1)));
                        if (overlaps) continue;
                        iv[m++] = (s_col_t){ .x0 = far->x0, .x1 = far->x1 };
                        sort_array(iv, m, sizeof *iv, s_cmp_col);
                        s_bounds(iv, m, em);
                    }
        if (m == m0) break;
    }
    *out = iv;
    return (int)m;
}

/* The columns [c0, c1] a phrase falls in: those whose values it overlaps (a header centred
 * over two columns spans both), else the one whose cell range holds most of it (a header
 * left-aligned at a cell's edge, far from the right-aligned numbers below it). */
static void s_place(const s_word_t *p, const s_col_t *cols, int ncols, int *c0, int *c1) {
    *c0 = -1;
    *c1 = -1;
    for (int c = 0; c < ncols; c++) {
        if (cols[c].x1 > p->x0 && cols[c].x0 < p->x1) {
            if (*c0 < 0) *c0 = c;
            *c1 = c;
        }
    }
    if (*c0 >= 0) return;
    /* In the gap between left-aligned names and right-aligned amounts: the column whose
     * cell, centred on the phrase, holds that column's values and not the other's. */
    double mid = (p->x0 + p->x1) / 2;
    for (int c = 0; c + 1 < ncols; c++) {
        const s_col_t *l = &cols[c], *r = &cols[c + 1];
        if (!(l->names && r->amounts && l->x1 <= p->x0 && r->x0 >= p->x1)) continue;
        /* headers printed left-aligned start their cells: the amounts' one */
        if (p->left_aligned) { *c0 = *c1 = c + 1; return; }
        double pad = PDF_PAD_EM * p->size;
        double right = 2 * mid - (l->x0 - pad);       /* the names' cell: its right edge */
        double left = 2 * mid - (r->x1 + pad);        /* the amounts' cell: its left edge */
        double vl = fmax(0, right - r->x0) + fmax(0, l->x1 - right);
        double vr = fmax(0, l->x1 - left) + fmax(0, left - r->x0);
        /* centred over both: a group header ("收入" over 项目 and 预算数) */
        if (vl > 0 && fabs(mid - (l->x0 + r->x1) / 2) <= PDF_GROUP_EM * p->size) {
            *c0 = c;
            *c1 = c + 1;
            return;
        }
        /* the names' only when a cell centred on it could be theirs; else a header
         * centred, or left-aligned, in the amounts' cell */
        *c0 = *c1 = vl <= 0 ? c : c + 1;
        (void)vr;
        return;
    }
    double best = -INFINITY;
    for (int c = 0; c < ncols; c++) {
        double ov = fmin(cols[c].hi, p->x1) - fmax(cols[c].lo, p->x0);
        if (ov > best) { best = ov; *c0 = *c1 = c; }
    }
    if (*c0 < 0) *c0 = *c1 = 0;
}

/* Concatenates two cell texts (wrapped text: no space between CJK, one between Latin). */
static char *s_concat(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    int space = la && lb && s_ascii_alnum(a[la - 1]) && s_ascii_alnum(b[0]);
    char *r = malloc(la + lb + 2);
    if (!r) return NULL;
    memcpy(r, a, la);
    if (space) r[la++] = ' ';
    memcpy(r + la, b, lb + 1);
    return r;
}

typedef struct {
    int region;                  /* index of its region, or -1 */
    int cont;                    /* a wrapped-text line: index of the line it joins, or -1 */
    int absorbed;                /* every cell moved to another line */
    s_cell_t *cells;             /* ncols of its region */
    int ncols;
} s_row_t;

static int s_line_all(const s_line_t *l, int numeric) {
    for (size_t j = 0; j < l->ns; j++)
        if (s_is_number(l->s[j].text) != numeric || (!numeric && s_is_code(l->s[j].text)))
            return 0;
    return 1;
}

/* Did the cell's text run to its column's right edge (so that the next line wraps it)? */
static int s_full(const s_cell_t *cell, const s_col_t *col, double em) {
    if (!cell->text) return 0;
    double edge = isfinite(col->edge) ? col->edge : col->x1;
    return cell->x1 >= edge - PDF_FULL_EM * em;
}

/* The first line of lines[a..b] holding a number (the first body row), or b + 1. */
static size_t s_first_body(const s_line_t *lines, size_t a, size_t b) {
    for (size_t i = a; i <= b; i++)
        if (s_has_number(&lines[i])) return i;
    return b + 1;
}

/* The end of the header lines the header steps look at: the first body line, at most
 * PDF_HEADER_LINES_MAX lines down (the steps compare header lines pairwise). */
static size_t s_header_end(const s_line_t *lines, size_t a, size_t b) {
    size_t h = s_first_body(lines, a, b);
    return h > a + PDF_HEADER_LINES_MAX ? a + PDF_HEADER_LINES_MAX : h;
}

/* Does a phrase (or a word joined into one) of another line within PDF_HEADER_WRAP_EM of
 * line i start at x? */
static int s_starts_near(const s_line_t *lines, size_t nl, size_t i, double x, double tol) {
    double reach = PDF_HEADER_WRAP_EM * lines[i].size;
    for (size_t k = i; k-- > 0 && lines[i].yc - lines[k].yc <= reach;)
        for (size_t j = 0; j < lines[k].ns; j++) {
            const s_word_t *q = &lines[k].s[j];
            if (fabs(q->x0 - x) <= tol) return 1;
            for (size_t c = 0; c < q->ncuts; c++)
                if (fabs(q->cuts[c].x0 - x) <= tol) return 1;
        }
    for (size_t k = i + 1; k < nl && lines[k].yc - lines[i].yc <= reach; k++)
        for (size_t j = 0; j < lines[k].ns; j++) {
            const s_word_t *q = &lines[k].s[j];
            if (fabs(q->x0 - x) <= tol) return 1;
            for (size_t c = 0; c < q->ncuts; c++)
                if (fabs(q->cuts[c].x0 - x) <= tol) return 1;
        }
    /* or a code or name of the first body row below the header (two cells merged down
     * the header rows, side by side: "部门(单位)代码部门(单位)名称") */
    for (size_t k = i + 1; k < nl && k <= i + PDF_HEADER_LINES_MAX; k++) {
        if (lines[k].y0 - lines[k - 1].y1 > PDF_REGION_GAP * lines[k - 1].size) break;
        if (!s_has_number(&lines[k])) continue;
        for (size_t j = 0; j < lines[k].ns; j++)
            if (!s_is_number(lines[k].s[j].text) && fabs(lines[k].s[j].x0 - x) <= tol) return 1;
        break;
    }
    return 0;
}

/* Splits phrase (*arr)[j] at its cut c: the right part becomes phrase j + 1. 0 or -1. */
static int s_split_at(s_word_t **arr, size_t *n, size_t j, size_t c) {
    s_word_t *p = &(*arr)[j];
    s_cut_t cut = p->cuts[c];
    s_word_t r = *p;
    r.text = NULL;
    r.len = r.cap = 0;
    r.cuts = NULL;
    r.ncuts = 0;
    r.x0 = cut.x0;
    r.nchars = p->nchars - cut.left_chars;
    if (s_put(&r, p->text + cut.at, p->len - cut.at) < 0) return -1;
    if (p->ncuts > c + 1) {
        r.cuts = malloc((p->ncuts - c - 1) * sizeof *r.cuts);
        if (!r.cuts) { s_word_free(&r); return -1; }
        for (size_t k = c + 1; k < p->ncuts; k++) {
            r.cuts[r.ncuts] = p->cuts[k];
            r.cuts[r.ncuts].at -= cut.at;
            r.cuts[r.ncuts++].left_chars -= cut.left_chars;
        }
    }
    s_word_t *na = realloc(*arr, (*n + 1) * sizeof *na);
    if (!na) { s_word_free(&r); return -1; }
    *arr = na;
    p = &na[j];
    size_t keep = cut.at;
    while (keep > 0 && p->text[keep - 1] == ' ') keep--;
    p->len = keep;
    p->text[keep] = '\0';
    p->x1 = cut.x1;
    p->nchars = cut.left_chars;
    p->ncuts = c;
    p->last_single = 0;
    memmove(&na[j + 2], &na[j + 1], (*n - j - 1) * sizeof *na);
    na[j + 1] = r;
    (*n)++;
    return 0;
}

/* Splits the phrases arr[0..*n) of line i at every cut where the right word starts where a
 * cell text of a nearby line starts. */
static int s_split_line(const s_line_t *lines, size_t nl, size_t i, s_word_t **arr, size_t *n) {
    for (size_t j = 0; j < *n; j++) {
        const s_word_t *p = &(*arr)[j];
        double tol = PDF_SPLIT_EM * p->size;
        for (size_t c = 0; c < p->ncuts; c++) {
            const s_cut_t *cut = &p->cuts[c];
            if (cut->left_chars < 2 || p->nchars - cut->left_chars < 1 ||
                cut->x0 - cut->x1 < PDF_SPLIT_GAP_EM * p->size ||
                !s_starts_near(lines, nl, i, cut->x0, tol))
                continue;
            if (s_split_at(arr, n, j, c) < 0) return -1;
            break;   /* phrase j + 1 (the rest) is examined next */
        }
    }
    return 0;
}

/* Header cells side by side whose texts run to their edges are glued into one phrase by
 * step 3 ("一般公共预算拨款政府性基金预算…", poppler puts a space between them but the gap
 * is below PDF_PHRASE_GAP): on a line without numbers, a phrase is split again where one
 * of its words starts where a cell text of a line within PDF_HEADER_WRAP_EM starts (the
 * wrapped second lines of those cells). Only with two or more characters on the left, so
 * letter-spaced "合 计" stays whole; both the loose and the strict phrases, before regions
 * are found (a glued header line would look like a title across the table). */
static int s_split_glued(s_line_t *lines, size_t nl) {
    for (size_t i = 0; i < nl; i++) {
        /* a header line has a few dozen cells: longer lines are prose or hostile */
        if (s_has_number(&lines[i]) || lines[i].ns > PDF_SPLIT_PHRASES_MAX) continue;
        if (s_split_line(lines, nl, i, &lines[i].s, &lines[i].ns) < 0 ||
            s_split_line(lines, nl, i, &lines[i].w, &lines[i].n) < 0)
            return -1;
    }
    return 0;
}

typedef struct {
    double y;                    /* the cell's vertical centre */
    size_t line;
    int col;
} s_hcell_t;

static int s_cmp_hcell(const void *a, const void *b) {
    const s_hcell_t *x = a, *y = b;
    if (x->y != y->y) return (x->y > y->y) - (x->y < y->y);
    if (x->line != y->line) return (x->line > y->line) - (x->line < y->line);
    return (x->col > y->col) - (x->col < y->col);   /* total: sort_array */
}

/* The header rows of rows[a..h): cells whose centres agree within PDF_HEADER_ROW_EM (a
 * wrapped cell's centre is between its lines, where the one-line cells of its row stand)
 * are one row, put on the topmost line that holds only cells of that row. A cell merged
 * down two rows sits half a row from each and stays a row of its own. */
static int s_header_rows(const s_line_t *lines, size_t a, size_t h, s_row_t *rows, int ncols) {
    size_t n = 0;
    for (size_t i = a; i < h; i++)
        for (int c = 0; c < ncols; c++) n += !rows[i].absorbed && rows[i].cells[c].text != NULL;
    if (n < 2) return 0;
    s_hcell_t *v = malloc(n * sizeof *v);
    if (!v) return -1;
    n = 0;
    for (size_t i = a; i < h; i++)
        for (int c = 0; c < ncols; c++)
            if (!rows[i].absorbed && rows[i].cells[c].text)
                v[n++] = (s_hcell_t){ (rows[i].cells[c].ytop + rows[i].cells[c].ybot) / 2, i, c };
    sort_array(v, n, sizeof *v, s_cmp_hcell);
    for (size_t k0 = 0; k0 < n;) {
        size_t k1 = k0 + 1;
        double em = lines[v[k0].line].size;
        while (k1 < n && v[k1].y - v[k0].y <= PDF_HEADER_ROW_EM * em) k1++;
        /* the anchor: the topmost line of the cluster holding no cell of another cluster */
        size_t anchor = SIZE_MAX;
        for (size_t k = k0; k < k1; k++) {
            size_t i = v[k].line;
            if (i >= anchor) continue;
            int alone = 1;
            for (int c = 0; c < ncols && alone; c++) {
                if (!rows[i].cells[c].text) continue;
                double y = (rows[i].cells[c].ytop + rows[i].cells[c].ybot) / 2;
                alone = y >= v[k0].y && y <= v[k1 - 1].y;
            }
            if (alone) anchor = i;
        }
        if (anchor != SIZE_MAX)
            for (size_t k = k0; k < k1; k++) {
                size_t i = v[k].line;
                int c = v[k].col;
                if (i == anchor) continue;
                int taken = rows[anchor].cells[c].text != NULL;
                for (int d = 0; d < c && !taken; d++)
                    taken = rows[anchor].cells[d].text && rows[anchor].cells[d].span >= c;
                if (taken) continue;
                rows[anchor].cells[c] = rows[i].cells[c];
                memset(&rows[i].cells[c], 0, sizeof rows[i].cells[c]);
            }
        k0 = k1;
    }
    free(v);
    return 0;
}

/* The vertical centre of header row i's cells (NAN when it has none). */
static double s_row_centre(const s_row_t *r, int ncols) {
    double sum = 0;
    int n = 0;
    for (int c = 0; c < ncols; c++)
        if (r->cells[c].text) { sum += (r->cells[c].ytop + r->cells[c].ybot) / 2; n++; }
    return n ? sum / n : NAN;
}

/* A cell merged down two or three header rows is printed centred between them: its line is
 * about half a row (< PDF_HALF_ROW_EM) below the row above. Its cells go up into that row
 * (where a workbook keeps a merged cell's text) when none of their columns is taken there,
 * so a header has the rows it was made with (达州 表3-3, 东西湖 表5-1). */
static void s_header_merged(const s_line_t *lines, size_t a, size_t h, s_row_t *rows, int ncols) {
    size_t up = SIZE_MAX;
    double last = 0;
    for (size_t i = a; i < h; i++) {
        if (rows[i].absorbed) continue;
        double y = s_row_centre(&rows[i], ncols);
        if (isnan(y)) continue;
        int free_cols = up != SIZE_MAX && y - last <= PDF_HALF_ROW_EM * lines[i].size;
        for (int c = 0; c < ncols && free_cols; c++) {
            if (!rows[i].cells[c].text) continue;
            for (int d = 0; d < ncols && free_cols; d++) {
                const s_cell_t *u = &rows[up].cells[d];
                const s_cell_t *m = &rows[i].cells[c];
                if (u->text && d <= (m->span > c ? m->span : c) && (u->span > d ? u->span : d) >= c)
                    free_cols = 0;
            }
        }
        if (!free_cols) {
            up = i;
            last = y;
            continue;
        }
        for (int c = 0; c < ncols; c++)
            if (rows[i].cells[c].text) {
                rows[up].cells[c] = rows[i].cells[c];
                memset(&rows[i].cells[c], 0, sizeof rows[i].cells[c]);
            }
        last = y;
    }
}

/* A header cell's text wrapped onto two or three lines comes out as lines about 1.2 em
 * apart (single-line cells of the same header row centred between them): in the header
 * lines of region lines[a..b], a cell on a line closer than PDF_HEADER_WRAP_EM below a cell
 * that starts where it starts (left-aligned wrap) or is centred where it is (centred wrap)
 * continues that cell's text, in whichever column it was placed. Real header rows are a
 * row height (>= 1.45 em) apart. */
static int s_header_wrap(const s_line_t *lines, size_t a, size_t b, s_row_t *rows, int ncols) {
    size_t h = s_header_end(lines, a, b);
    for (size_t i = a; i < h; i++) {
        if (rows[i].absorbed) continue;
        for (int c = 0; c < ncols; c++) {
            s_cell_t *top = &rows[i].cells[c];
            /* a header over several columns is a group header: its columns' headers are
             * centred under it a row lower, not its wrapped text */
            if (!top->text || top->span > c) continue;
            double last = lines[i].yc, em = lines[i].size, tol = PDF_ALIGN_TOL * em;
            for (size_t k = i + 1; k < h; k++) {
                if (lines[k].yc - last > PDF_HEADER_WRAP_EM * em) break;
                s_cell_t *next = NULL;
                for (int d = 0; d < ncols && !next; d++) {
                    s_cell_t *q = &rows[k].cells[d];
                    if (q->text && (fabs(q->x0 - top->x0) <= tol ||
                                    fabs((q->x0 + q->x1) / 2 - (top->x0 + top->x1) / 2) <= tol))
                        next = q;
                }
                if (!next) continue;
                /* the upper part ran to its cell's width: at least as wide as the rest */
                if (next->x1 - next->x0 > top->x1 - top->x0 + tol) continue;
                char *t = s_concat(top->text, next->text);
                if (!t) return -1;
                free(top->text);
                top->text = t;
                free(next->text);
                next->text = NULL;
                last = top->ybot = lines[k].yc;
            }
        }
    }
    if (s_header_rows(lines, a, h, rows, ncols) < 0) return -1;
    s_header_merged(lines, a, h, rows, ncols);
    for (size_t i = a; i < h; i++) {
        int any = 0;
        for (int c = 0; c < ncols; c++) any |= rows[i].cells[c].text != NULL;
        if (!any && lines[i].ns) rows[i].absorbed = 1;
    }
    return 0;
}

/* Builds the cells of region lines[a..b] (steps 5 and 6). */
static int s_region(const s_line_t *lines, size_t a, size_t b, s_row_t *rows, int region,
                    int *ncols_out) {
    s_col_t *cols = NULL;
    int ncols = s_columns(lines, a, b, &cols);
    if (ncols < 0) return -1;
    if (ncols == 0) ncols = 1;
    *ncols_out = ncols;
    /* Row pitch: the median distance between consecutive lines of two or more cells (lone
     * numbers and wrapped names between them would halve it). */
    double pitch = lines[a].size * PDF_DEFAULT_PITCH;
    double *d = malloc((b - a + 1) * sizeof *d);
    if (!d) { free(cols); return -1; }
    size_t nd = 0, prev = b + 1;
    for (size_t i = a; i <= b; i++) {
        if (lines[i].ns < 2) continue;
        if (prev <= b) d[nd++] = lines[i].yc - lines[prev].yc;
        prev = i;
    }
    if (nd > 0) {
        sort_array(d, nd, sizeof *d, s_cmp_double);
        pitch = d[nd / 2];
    }
    free(d);
    for (size_t i = a; i <= b; i++) {
        s_row_t *r = &rows[i];
        r->region = region;
        r->cont = -1;
        r->cells = calloc((size_t)ncols, sizeof *r->cells);
        if (!r->cells) { free(cols); return -1; }
        r->ncols = ncols;
        for (size_t j = 0; j < lines[i].ns; j++) {
            int c0, c1;
            s_place(&lines[i].s[j], cols, ncols, &c0, &c1);
            s_cell_t *cell = &r->cells[c0];
            if (cell->text) {
                char *t = malloc(strlen(cell->text) + lines[i].s[j].len + 2);
                if (!t) { free(cols); return -1; }
                sprintf(t, "%s %s", cell->text, lines[i].s[j].text);
                free(cell->text);
                cell->text = t;
            } else {
                cell->text = strdup(lines[i].s[j].text);
                if (!cell->text) { free(cols); return -1; }
            }
            if (c1 > cell->span) cell->span = c1;
            if (cell->span < c0) cell->span = c0;
            cell->x0 = cell->x1 > 0 ? fmin(cell->x0, lines[i].s[j].x0) : lines[i].s[j].x0;
            cell->ytop = cell->ybot = lines[i].yc;
            cell->x1 = fmax(cell->x1, lines[i].s[j].x1);
        }
    }
    if (s_header_wrap(lines, a, b, rows, ncols) < 0) { free(cols); return -1; }
    /* header lines are done; below, wrapped names and centred numbers of the body */
    size_t hbody = s_first_body(lines, a, b);
    if (hbody > b) hbody = a;
    /* Wrapped text: a text-only line whose cells are all in one column. */
    for (size_t i = a; i <= b; i++) {
        s_row_t *r = &rows[i];
        if (r->absorbed || !s_line_all(&lines[i], 0) || i < hbody) continue;
        int col = -1, one = 1;
        for (int c = 0; c < ncols; c++) {
            if (!r->cells[c].text) continue;
            if (col >= 0 || r->cells[c].span != c) one = 0;
            col = c;
        }
        if (col < 0 || !one) continue;
        /* The line above in this column ran to the cell's edge: this line continues it. */
        double em = lines[i].size;
        int upper = -1;
        for (size_t k = i; k-- > a;) {
            if (lines[i].yc - lines[k].yc > PDF_WRAP_EM * em) break;
            if (rows[k].cells[col].text) { upper = (int)k; break; }
        }
        if (upper >= 0 && s_full(&rows[upper].cells[col], &cols[col], em)) {
            r->cont = rows[upper].cont >= 0 ? rows[upper].cont : upper;
            continue;
        }
        /* Or this line ran to the edge and its row (code, numbers) is printed lower, centred
         * or at the bottom of the cell. */
        if (!s_full(&r->cells[col], &cols[col], em)) continue;
        double best = INFINITY;
        int target = -1;
        for (size_t k = a; k <= b; k++) {
            if (k == i) continue;
            const s_row_t *t = &rows[k];
            if (s_line_all(&lines[k], 0)) {
                /* another text-only line: a target only if it is not itself one column */
                int cnt = 0;
                for (int c = 0; c < ncols; c++) cnt += t->cells[c].text != NULL;
                if (cnt <= 1) continue;
            }
            double d = fabs(lines[k].yc - lines[i].yc);
            if (d < best - PDF_TIE_EM * lines[i].size) { best = d; target = (int)k; }
        }
        if (target >= 0 && best <= PDF_CONT_PITCH * pitch) r->cont = target;
    }
    free(cols);
    for (size_t k = a; k <= b; k++) {
        /* Join every line that continues k into k, top to bottom. */
        s_row_t *t = &rows[k];
        for (int c = 0; c < ncols; c++) {
            char *acc = NULL;
            int have = 0;
            for (size_t i = a; i <= b; i++) {
                const char *piece = NULL;
                if (i == k) piece = t->cells[c].text;
                else if (rows[i].cont == (int)k) piece = rows[i].cells[c].text;
                if (!piece) continue;
                if (i != k) have = 1;
                char *n2 = acc ? s_concat(acc, piece) : strdup(piece);
                free(acc);
                if (!n2) return -1;
                acc = n2;
            }
            if (!have) { free(acc); continue; }
            free(t->cells[c].text);
            t->cells[c].text = acc;
            if (t->cells[c].span < c) t->cells[c].span = c;
        }
    }
    for (size_t i = a; i <= b; i++) {
        if (rows[i].cont < 0) continue;
        rows[i].absorbed = 1;
        for (int c = 0; c < ncols; c++) { free(rows[i].cells[c].text); rows[i].cells[c].text = NULL; }
    }
    /* Numbers printed between rows (vertically centred in a merged cell). */
    for (size_t i = a; i <= b; i++) {
        s_row_t *r = &rows[i];
        if (r->absorbed || !s_line_all(&lines[i], 1) || r->cells[0].text) continue;
        int left = 0;
        for (int c = 0; c < ncols; c++) {
            if (!r->cells[c].text) continue;
            double best = INFINITY;
            int target = -1;
            for (size_t k = a; k <= b; k++) {
                const s_row_t *t = &rows[k];
                if (k == i || t->absorbed || t->cells[c].text) continue;
                if (s_line_all(&lines[k], 1) && !t->cells[0].text) continue;   /* another orphan */
                double d = fabs(lines[k].yc - lines[i].yc);
                if (d < best - PDF_TIE_EM * lines[i].size) { best = d; target = (int)k; }
            }
            if (target >= 0 && best <= PDF_ORPHAN_PITCH * pitch) {
                rows[target].cells[c] = r->cells[c];
                r->cells[c].text = NULL;
            } else {
                left++;
            }
        }
        if (!left) r->absorbed = 1;
    }
    return 0;
}

/* 类, 款 or 项 alone: the headers of split code columns, never one letter-spaced word
 * (a table printing no codes has no values under them to keep them apart). */
static int s_code_level(const char *t) {
    return !strcmp(t, "类") || !strcmp(t, "款") || !strcmp(t, "项");
}

/* Letter-spaced headers in the region lines[a..b] ("项    目"): two single characters on a
 * line are one cell when a phrase of another line lies under both; 类 款 项 over three code
 * columns stay apart. */
static int s_letterspace(s_line_t *lines, size_t a, size_t b) {
    for (size_t i = a; i <= b; i++) {
        s_line_t *l = &lines[i];
        size_t m = 0;
        for (size_t j = 0; j < l->ns; j++) {
            if (m > 0) {
                s_word_t *p = &l->s[m - 1], *q = &l->s[j];
                double em = fmin(p->size, q->size);
                int join = p->last_single && q->nchars == 1 && !s_is_number(p->text) &&
                           !s_is_number(q->text) && q->x0 - p->x1 < PDF_LETTERSPACE_GAP * em &&
                           !(s_code_level(p->text) && s_code_level(q->text));
                int under = 0;
                for (size_t k = a; k <= b && join && !under; k++) {
                    if (k == i) continue;
                    for (size_t t = 0; t < lines[k].ns && !under; t++) {
                        const s_word_t *u = &lines[k].s[t];
                        under = u->x0 < p->x1 && u->x1 > q->x0;
                    }
                }
                if (join && under) {
                    if (s_word_join(p, q, 0) < 0) return -1;
                    s_word_free(q);
                    continue;
                }
            }
            l->s[m++] = l->s[j];
        }
        l->ns = m;
    }
    return 0;
}

/* Marks the header phrases of region lines[a..b] (above its first number) that start where
 * a phrase of another header line starts: a header printed left-aligned in its cell. */
static void s_mark_aligned(s_line_t *lines, size_t a, size_t b) {
    size_t h = a;
    while (h <= b && h < a + PDF_HEADER_LINES_MAX && !s_has_number(&lines[h])) h++;
    for (size_t i = a; i < h; i++)
        for (size_t j = 0; j < lines[i].ns; j++) {
            s_word_t *p = &lines[i].s[j];
            double tol = PDF_ALIGN_TOL * p->size;
            p->left_aligned = 0;
            for (size_t k = a; k < h && !p->left_aligned; k++)
                for (size_t t = 0; k != i && t < lines[k].ns && !p->left_aligned; t++)
                    p->left_aligned = fabs(lines[k].s[t].x0 - p->x0) <= tol;
        }
}

/* May the one-phrase line l stand between the table rows above and below (a wrapped name, a
 * number centred between rows)? Not if it is in a larger font (a title) or covers two cells
 * of either row (a title, a note across the table). */
static int s_fits(const s_line_t *l, const s_line_t *above, const s_line_t *below) {
    if (l->size > PDF_TITLE_SIZE * fmin(above->size, below ? below->size : above->size))
        return 0;
    const s_line_t *rows[2] = { above, below };
    for (int r = 0; r < 2; r++) {
        if (!rows[r]) continue;
        int over = 0;
        for (size_t j = 0; j < rows[r]->ns; j++)
            for (size_t q = 0; q < l->n; q++)
                if (rows[r]->s[j].x1 > l->w[q].x0 && rows[r]->s[j].x0 < l->w[q].x1) over++;
        if (over >= 2) return 0;
    }
    return 1;
}

/* Is the one-phrase line i the upper part of a header cell that wraps: in the font of the
 * line below, less than PDF_HEADER_WRAP_EM above a line that holds two or more phrases or
 * its continuation, with a phrase at most as wide that starts where it starts, on a line
 * within PDF_HEADER_WRAP_EM below? */
static int s_wrap_top(const s_line_t *lines, size_t nl, size_t i) {
    const s_line_t *l = &lines[i];
    if (l->n != 1 || l->ns < 1 || i + 1 >= nl || s_has_number(l)) return 0;
    double em = l->size, tol = PDF_ALIGN_TOL * em;
    if (lines[i + 1].yc - l->yc > PDF_HEADER_WRAP_EM * em ||
        fabs(lines[i + 1].size - em) > 0.1 * em)
        return 0;
    const s_word_t *p = &l->s[0];
    for (size_t k = i + 1; k < nl && lines[k].yc - l->yc <= PDF_HEADER_WRAP_EM * em; k++)
        for (size_t j = 0; j < lines[k].ns; j++) {
            const s_word_t *q = &lines[k].s[j];
            if (fabs(q->x0 - p->x0) <= tol && q->x1 - q->x0 <= p->x1 - p->x0 + tol) return 1;
        }
    return 0;
}

/* Does the one-phrase line l start or end where a cell of lines[a..k) does (a name under
 * names, an amount under amounts)? Prose is indented or runs across. */
static int s_aligned(const s_line_t *l, const s_line_t *lines, size_t a, size_t k) {
    const s_word_t *p = &l->w[0];
    double tol = PDF_EDGE_EM * l->size;
    for (size_t i = a; i < k; i++)
        for (size_t j = 0; j < lines[i].ns; j++) {
            const s_word_t *q = &lines[i].s[j];
            if (fabs(q->x0 - p->x0) <= tol || fabs(q->x1 - p->x1) <= tol) return 1;
        }
    return 0;
}

/* HZ_PDF_DEBUG set: every line with its centre, font size and cell phrases (x-extents) on
 * stderr, for tuning the tunables on a real document (pdf.c keeps the child's stderr). */
static void s_debug_lines(const s_line_t *lines, size_t nl, const char *label) {
    for (size_t i = 0; i < nl; i++) {
        fprintf(stderr, "%s L%zu yc=%.1f y0=%.1f y1=%.1f size=%.1f:", label, i, lines[i].yc,
                lines[i].y0, lines[i].y1, lines[i].size);
        for (size_t j = 0; j < lines[i].ns; j++)
            fprintf(stderr, " [%.1f-%.1f %s]", lines[i].s[j].x0, lines[i].s[j].x1, lines[i].s[j].text);
        fputc('\n', stderr);
    }
}

int pdf_layout_page(const pdf_char_t *chars, size_t n, const char *label, grid_t **grid,
                    pdf_text_t *narrative, char *err, size_t errlen) {
    int tables = 0;
    if (pdf_layout_page_text(chars, n, label, grid, &tables, narrative, err, errlen) < 0) return -1;
    if (!tables) grid_destroy(grid);
    return 0;
}

int pdf_layout_page_text(const pdf_char_t *chars, size_t n, const char *label, grid_t **grid,
                         int *tables, pdf_text_t *narrative, char *err, size_t errlen) {
    assert(grid && narrative && label && tables);
    *grid = NULL;
    *tables = 0;
    if (n > PDF_CHARS_MAX)
        return error_set(err, errlen, "%s：字符过多（%zu，上限 %u）", label, n, PDF_CHARS_MAX);
    s_word_t *w = NULL;
    size_t nw = 0;
    if (s_words(chars, n, &w, &nw) < 0) return error_set(err, errlen, "内存不足");
    s_line_t *lines = NULL;
    size_t nl = 0;
    if (s_lines(w, nw, &lines, &nl) < 0) return error_set(err, errlen, "内存不足");
    int rc = -1;
    grid_t *g = NULL;
    int nregions = 0, ncols_page = 1;
    int *region_cols = NULL;
    s_row_t *rows = calloc(nl ? nl : 1, sizeof *rows);
    if (!rows) { error_set(err, errlen, "内存不足"); goto done; }
    for (size_t i = 0; i < nl; i++) { rows[i].region = -1; rows[i].cont = -1; }
    if (getenv("HZ_PDF_DEBUG")) s_debug_lines(lines, nl, label);
    if (s_split_glued(lines, nl) < 0) { error_set(err, errlen, "内存不足"); goto done; }
    /* Step 4: regions. */
    size_t free_from = 0;        /* lines before this belong to a region already */
    for (size_t i = 0; i < nl;) {
        if (lines[i].n < 2) { i++; continue; }
        size_t b = i, last_row = i;
        /* the upper lines of header cells that wrap, standing alone above the region */
        size_t top = i;
        while (top > free_from && s_wrap_top(lines, nl, top - 1)) top--;
        for (size_t k = i + 1; k < nl; k++) {
            if (lines[k].y0 - lines[k - 1].y1 > PDF_REGION_GAP * lines[k - 1].size) break;
            if (lines[k].n >= 2) { b = last_row = k; continue; }
            /* A one-phrase line: a row with one cell (an expense line whose income side is
             * empty), a wrapped name or a centred number, unless it is a title or a note. */
            size_t next = k + 1;
            while (next < nl && lines[next].n < 2 &&
                   lines[next].y0 - lines[next - 1].y1 <= PDF_REGION_GAP * lines[next - 1].size &&
                   lines[next].size <= PDF_TITLE_SIZE * lines[last_row].size)
                next++;
            const s_line_t *below = next < nl && lines[next].n >= 2 &&
                                    lines[next].y0 - lines[next - 1].y1 <=
                                        PDF_REGION_GAP * lines[next - 1].size
                                        ? &lines[next] : NULL;
            if (!below || !s_fits(&lines[k], &lines[last_row], below)) break;
            if (!(below && next - k <= PDF_SANDWICH_MAX) && !s_aligned(&lines[k], lines, i, k))
                break;
            b = k;
        }
        int nc = 0;
        i = top;
        free_from = b + 1;
        if (s_letterspace(lines, i, b) == 0) s_mark_aligned(lines, i, b);
        else nc = -1;
        if (nc < 0 || s_region(lines, i, b, rows, nregions, &nc) < 0) {
            error_set(err, errlen, "内存不足");
            goto done;
        }
        int *rcp = realloc(region_cols, (size_t)(nregions + 1) * sizeof *rcp);
        if (!rcp) { error_set(err, errlen, "内存不足"); goto done; }
        region_cols = rcp;
        region_cols[nregions++] = nc;
        if (nc > ncols_page) ncols_page = nc;
        i = b + 1;
    }
    *tables = nregions;
    if (nl > 0) {
        g = grid_new(label);
        if (!g) { error_set(err, errlen, "内存不足"); goto done; }
    }
    uint32_t r = 0;
    for (size_t i = 0; i < nl; i++) {
        s_line_t *l = &lines[i];
        if (rows[i].region < 0) {
            s_word_t acc = {0};
            for (size_t j = 0; j < l->n; j++)
                if ((j && s_put(&acc, " ", 1) < 0) || s_put(&acc, l->w[j].text, l->w[j].len) < 0) {
                    s_word_free(&acc);
                    error_set(err, errlen, "内存不足");
                    goto done;
                }
            int bad = (pdf_text_append(narrative, acc.text ? acc.text : "", acc.len) < 0 ||
                       pdf_text_append(narrative, "\n", 1) < 0);
            if (!bad && g) {
                bad = grid_set(g, r, 0, GRID_TEXT, acc.text ? acc.text : "", acc.len,
                               GRID_DECIMALS_UNKNOWN, err, errlen) < 0;
                if (!bad && ncols_page > 1)
                    bad = grid_merge(g, r, 0, r, (uint32_t)ncols_page - 1, err, errlen) < 0;
                r++;
            }
            s_word_free(&acc);
            if (bad) { if (!err[0]) error_set(err, errlen, "内存不足"); goto done; }
            continue;
        }
        if (rows[i].absorbed) continue;
        for (int c = 0; c < rows[i].ncols; c++) {
            s_cell_t *cell = &rows[i].cells[c];
            if (!cell->text) continue;
            if (grid_set(g, r, (uint32_t)c, GRID_TEXT, cell->text, strlen(cell->text),
                         GRID_DECIMALS_UNKNOWN, err, errlen) < 0)
                goto done;
            if (cell->span > c &&
                grid_merge(g, r, (uint32_t)c, r, (uint32_t)cell->span, err, errlen) < 0)
                goto done;
        }
        r++;
    }
    if (g) grid_finish(g);
    *grid = g;
    g = NULL;
    rc = 0;
done:
    if (rows) {
        for (size_t i = 0; i < nl; i++) {
            if (!rows[i].cells) continue;
            for (int c = 0; c < rows[i].ncols; c++) free(rows[i].cells[c].text);
            free(rows[i].cells);
        }
    }
    free(rows);
    free(region_cols);
    grid_destroy(&g);
    s_lines_free(lines, nl);
    return rc;
}
