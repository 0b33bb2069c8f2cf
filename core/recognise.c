/* recognise.c -- the one table recogniser: printed budget tables in grids of cells become
 * facts (see recognise.h; the words it looks for are data in recognise_vocab.c).
 *
 * Two passes over the grids:
 *   1. find every table by its printed title (a row holding one short text that classifies
 *      as a table, wherever it stands); read each block's 编制单位 line and the year of its
 *      title, so the entity and year are known before any fact is made;
 *   2. per block: unit line, 1-4 header rows (merged cells spread over the columns they
 *      cover), each column identified by its header text, then the data rows.
 *
 * Invariants:
 *   1. no amount passes through a double: cell text is scaled to fen by s_scale_fen();
 *   2. nothing is added to the caller's list unless the whole call had no error;
 *   3. a column or line that is not understood is reported (skipped with its text), never
 *      given an id by guess;
 *   4. a fact printed twice in one document with the same value is kept once (reported);
 *      with another value, or already present in the list (another file), it is an error.
 */
#include "recognise.h"

#include <assert.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "amount.h"
#include "codes.h"
#include "hierarchy.h"
#include "json.h"
#include "recognise_vocab.h"
#include "sort.h"
#include "utf8.h"

#define S_TEXT_MAX 512          /* normalised cell text kept for matching */
#define S_TITLE_MAX_BYTES 160   /* a title row longer than this is narrative, not a title */
#define S_HEADER_ROWS_MAX 4
#define S_COLS_MAX 64           /* columns of one printed table */
#define S_DEFAULT_DECIMALS 2    /* printed decimals of a number cell in General format */
#define S_ORDINAL_MAX 18        /* bytes of an ordinal prefix: "（二十一）", "廿一、" */

/* ---- text helpers ---- */

/* Normalises printed text for matching: drops whitespace (ASCII, U+3000, NBSP), quotes,
 * folds full-width ( ) : , to ASCII. Every cell passes here, often more than once: a byte
 * that starts none of those (CJK text, digits, letters) costs one test or two. */
static void s_norm(const char *in, char *out, size_t outlen)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)in;
    while (*p && o + 4 < outlen) {
        unsigned char ch = *p;
        /* most of the text: a CJK character (lead E4..E9, none of the ones mapped below)
         * copied whole, when the byte-wise copy would have copied all three bytes too */
        if (ch >= 0xE4 && ch <= 0xE9 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 && o + 6 < outlen) {
            out[o] = (char)ch;
            out[o + 1] = (char)p[1];
            out[o + 2] = (char)p[2];
            o += 3;
            p += 3;
            continue;
        }
        if (ch < 0x80) {
            if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '"' || ch == '\'') {
                p++;
                continue;
            }
        } else if (ch == 0xC2 || ch == 0xE2 || ch == 0xE3 || ch == 0xEF) {
            if (p[0] == 0xC2 && p[1] == 0xA0) { p += 2; continue; }                 /* NBSP */
            if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) { p += 3; continue; } /* U+3000 */
            if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] >= 0x9C && p[2] <= 0x9D)) { p += 3; continue; } /* “” */
            if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] >= 0x98 && p[2] <= 0x99)) { p += 3; continue; } /* ‘’ */
            if (p[0] == 0xEF && p[1] == 0xBC) {
                char c = 0;
                switch (p[2]) {
                case 0x88: c = '('; break;
                case 0x89: c = ')'; break;
                case 0x9A: c = ':'; break;
                case 0x8C: c = ','; break;
                case 0x8E: c = '.'; break;
                case 0x8D: c = '-'; break;                       /* － */
                default:
                    if (p[2] >= 0x90 && p[2] <= 0x99) c = (char)('0' + (p[2] - 0x90));   /* ０-９ */
                    break;
                }
                if (c) { out[o++] = c; p += 3; continue; }
            }
        }
        out[o++] = (char)*p++;
    }
    out[o] = '\0';
}

/* snprintf(dst, dstlen, "%s", src) without the format machinery (it ran for every cell
 * of every data line): src cut to dstlen - 1 bytes, as snprintf cuts. */
static void s_put(char *dst, size_t dstlen, const char *src)
{
    assert(dstlen > 0);
    size_t n = strlen(src);
    if (n >= dstlen) n = dstlen - 1;
    memmove(dst, src, n);
    dst[n] = '\0';
}

/* Drops an incomplete UTF-8 character that snprintf's truncation left at the end of s. */
static void s_utf8_trim(char *s)
{
    size_t n = strlen(s), k = n;
    while (k > 0 && ((unsigned char)s[k - 1] & 0xC0) == 0x80) k--;
    if (k == 0) return;
    unsigned char lead = (unsigned char)s[k - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (k - 1) < want) s[k - 1] = '\0';
}

static bool s_starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool s_ends(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Chinese numerals and digits that make up ordinals. */
static bool s_ordinal_char(const char *p, size_t *len)
{
    static const char NUM[][4] = { "一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
                                   "廿", "百", "零" };
    _Static_assert(sizeof "一" == 4, "the numerals are three UTF-8 bytes each");
    if (*p >= '0' && *p <= '9') { *len = 1; return true; }
    if ((unsigned char)*p < 0xE4) return false;        /* every numeral starts E4..E9 */
    for (size_t i = 0; i < sizeof NUM / sizeof NUM[0]; i++)
        if (p[0] == NUM[i][0] && p[1] == NUM[i][1] && p[2] == NUM[i][2]) { *len = 3; return true; }
    return false;
}

/* Drops an ordinal prefix ("一、", "(一)", "1.", "1、", "其中:") from a normalised label. */
static const char *s_strip_ordinal(const char *s)
{
    for (int round = 0; round < 2; round++) {
        if (s_starts(s, "其中:")) s += strlen("其中:");
        if (*s == '(') {
            const char *q = s + 1;
            size_t n;
            while (s_ordinal_char(q, &n)) q += n;
            if (*q == ')' && q > s + 1 && q - s <= S_ORDINAL_MAX) { s = q + 1; continue; }
        }
        const char *q = s;
        size_t n;
        while (s_ordinal_char(q, &n)) q += n;
        if (q > s && q - s <= S_ORDINAL_MAX) {
            if (s_starts(q, "、")) { s = q + strlen("、"); continue; }
            if (*q == '.' && !(q[1] >= '0' && q[1] <= '9')) { s = q + 1; continue; }
        }
        if (s_starts(s, "、")) { s += strlen("、"); continue; }
        break;
    }
    return s;
}

static bool s_all_digits(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return false;
    return true;
}

/* ---- exact decimal scaling (invariant 1) ---- */

/* Parses a printed amount (normalised: no blanks) in a unit of fen_per_unit fen. Returns 0,
 * 1 for an empty/dash cell, or -1 with a Chinese reason. */
static int s_scale_fen(const char *t, int64_t fen_per_unit, int64_t *fen, const char **reason)
{
    if (!*t || strcmp(t, "-") == 0 || strcmp(t, "—") == 0 || strcmp(t, "--") == 0 ||
        strcmp(t, "——") == 0 || strcmp(t, "/") == 0)
        return 1;                     /* printed as empty */
    const char *p = t;
    bool neg = false;
    if (*p == '-' || *p == '+') neg = (*p++ == '-');
    else if (*p == '(' && s_ends(p, ")")) { neg = true; p++; }   /* accounting negative */
    int64_t whole = 0;
    int digits = 0, group = -1;
    for (; *p && *p != '.' && *p != ')'; p++) {
        if (*p == ',') {
            if (digits == 0 || (group >= 0 && group != 3) || (group < 0 && digits > 3)) {
                *reason = "千分位分隔符位置不对";
                return -1;
            }
            group = 0;
            continue;
        }
        if (*p < '0' || *p > '9') { *reason = "不是数字"; return -1; }
        if (whole > (INT64_MAX - 9) / 10) { *reason = "金额过大"; return -1; }
        whole = whole * 10 + (*p - '0');
        digits++;
        if (group >= 0) group++;
    }
    if (group >= 0 && group != 3) { *reason = "千分位分隔符位置不对"; return -1; }
    int64_t frac = 0, scale = fen_per_unit;
    int fdigits = 0;
    if (*p == '.') {
        p++;
        for (; *p && *p != ')'; p++) {
            if (*p < '0' || *p > '9') { *reason = "不是数字"; return -1; }
            fdigits++;
            if (scale % 10 == 0) {
                scale /= 10;
                frac += (*p - '0') * scale;
            } else if (*p != '0') {
                *reason = "不是整分（小数位超出分）";
                return -1;
            }
        }
    }
    if (*p == ')') p++;
    if (*p) { *reason = "不是数字"; return -1; }
    if (digits == 0 && fdigits == 0) { *reason = "不是数字"; return -1; }
    if (whole > (INT64_MAX - frac) / fen_per_unit) { *reason = "金额过大"; return -1; }
    int64_t v = whole * fen_per_unit + frac;
    *fen = neg ? -v : v;
    return 0;
}

/* ---- the report ---- */

void recognise_report_init(recognise_report_t *r)
{
    memset(r, 0, sizeof *r);
}

static void s_strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

void recognise_report_free(recognise_report_t *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->ntables; i++) {
        free(r->tables[i].columns);
        s_strv_free(r->tables[i].skipped, r->tables[i].nskipped);
    }
    free(r->tables);
    free(r->submissions);
    s_strv_free(r->skipped_blocks, r->nskipped_blocks);
    s_strv_free(r->errors, r->nerrors < RECOGNISE_ERRORS_MAX ? r->nerrors : RECOGNISE_ERRORS_MAX);
    for (size_t i = 0; i < r->ngrids; i++) grid_destroy(&r->grids[i]);
    free(r->grids);
    free(r->narrative);
    memset(r, 0, sizeof *r);
}

static void s_strv_push(char ***v, size_t *n, const char *fmt, va_list ap)
{
    char buf[RECOGNISE_MESSAGE_MAX];
    vsnprintf(buf, sizeof buf, fmt, ap);
    char **nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (!nv) return;
    *v = nv;
    nv[*n] = strdup(buf);
    if (nv[*n]) (*n)++;
}

static void s_report_skip(recognised_table_t *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void s_report_skip(recognised_table_t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_strv_push(&t->skipped, &t->nskipped, fmt, ap);
    va_end(ap);
}

static void s_report_block(recognise_report_t *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void s_report_block(recognise_report_t *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_strv_push(&r->skipped_blocks, &r->nskipped_blocks, fmt, ap);
    va_end(ap);
}

/* ---- recognition state ---- */

typedef struct {
    char entity[SUBMISSION_ENTITY_MAX + 1];
    table_id table;
    char row[SUBMISSION_ROW_MAX + 1];
    column_id column;
    int64_t fen;
    char *name;
    uint32_t line;
    const grid_t *g;             /* its grid, for "表1!C5" in messages (s_fact_where) */
    uint32_t gcol;               /* its grid column */
    uint32_t unit;               /* printed precision (fact_t.unit_fen) */
} s_fact;

typedef struct {
    const grid_t *grid;
    uint32_t r0, r1;             /* title row .. last row (inclusive) */
    uint32_t first;              /* first row under the title (0 when the sheet name is it) */
    table_id table;              /* TABLE_NONE: known-but-skipped or unknown */
    char title[256];
    char org[256];               /* 编制单位 name, "" if none */
    uint32_t year;
    bool continued;              /* a page continuing the table of the page before */
} s_block;

typedef struct {
    const recognise_opts_t *opts;
    recognise_report_t *rep;
    s_fact *facts;
    size_t nfacts, capfacts;
    uint32_t *slots;             /* open addressing over facts: index + 1, 0 = empty */
    size_t nslots;               /* a power of two, at least twice nfacts */
    char entity[SUBMISSION_ENTITY_MAX + 1];
    const char *file;
    int64_t last_fen_per_unit;
    char last_unit[16];
    recognise_names_t *own_names;   /* built for this call when opts->names does not fit */
    char last_table_unit[SUBMISSION_ENTITY_MAX + 1];   /* the unit a table's lines ended under */
} s_ctx;

static void s_error(s_ctx *c, const grid_t *g, uint32_t row, int col, const char *value,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void s_error(s_ctx *c, const grid_t *g, uint32_t row, int col, const char *value,
                    const char *fmt, ...)
{
    recognise_report_t *r = c->rep;
    r->nerrors++;
    if (r->nerrors > RECOGNISE_ERRORS_MAX) return;
    char reason[RECOGNISE_MESSAGE_MAX / 2], where[160] = "", ref[16];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (g && col >= 0) snprintf(where, sizeof where, " %s!%s", g->name, grid_cell_ref(row, (uint32_t)col, ref));
    else if (g) snprintf(where, sizeof where, " %s", g->name);
    char msg[RECOGNISE_MESSAGE_MAX];
    if (value) snprintf(msg, sizeof msg, "%s%s：值 '%.80s'：%s", c->file, where, value, reason);
    else snprintf(msg, sizeof msg, "%s%s：%s", c->file, where, reason);
    char **nv = realloc(r->errors, r->nerrors * sizeof *nv);
    if (!nv) { r->nerrors--; return; }
    r->errors = nv;
    nv[r->nerrors - 1] = strdup(msg);
    if (!nv[r->nerrors - 1]) r->nerrors--;
}

static uint64_t s_fact_hash(const char *entity, table_id t, const char *row, column_id col)
{
    uint64_t h = 1469598103934665603ULL;                 /* FNV-1a */
    for (const char *p = entity; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
    for (const char *p = row; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ (uint64_t)t) * 1099511628211ULL;
    h = (h ^ (uint64_t)col) * 1099511628211ULL;
    return h;
}

/* Doubles the slot table (at least 512) and re-inserts every fact. 0 or -1. */
static int s_rehash(s_ctx *c)
{
    size_t n = c->nslots ? c->nslots * 2 : 512;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots) return -1;
    for (size_t i = 0; i < c->nfacts; i++) {
        const s_fact *f = &c->facts[i];
        size_t k = s_fact_hash(f->entity, f->table, f->row, f->column) & (n - 1);
        while (slots[k]) k = (k + 1) & (n - 1);
        slots[k] = (uint32_t)(i + 1);
    }
    free(c->slots);
    c->slots = slots;
    c->nslots = n;
    return 0;
}

/* Adds a fact (invariant 4). */
/* "表1!C5": where a fact was read, made only for a message (not once per fact). */
static const char *s_fact_where(const s_fact *f, char *buf, size_t len)
{
    char ref[16];
    snprintf(buf, len, "%s!%s", f->g ? f->g->name : "", grid_cell_ref(f->line - 1, f->gcol, ref));
    return buf;
}

static void s_emit(s_ctx *c, recognised_table_t *rt, const grid_t *g, const char *entity,
                   table_id t, const char *row, column_id col, int64_t fen, uint32_t unit,
                   const char *name, uint32_t grow, uint32_t gcol)
{
    char ref[16], where[64], fw[64];
    uint64_t hash = s_fact_hash(entity, t, row, col);
    if (c->nslots) {
        for (size_t k = hash & (c->nslots - 1);; k = (k + 1) & (c->nslots - 1)) {
            if (!c->slots[k]) break;
            s_fact *f = &c->facts[c->slots[k] - 1];
            if (!(f->table == t && f->column == col && strcmp(f->row, row) == 0 &&
                  strcmp(f->entity, entity) == 0))
                continue;
            if (f->fen == fen) {
                snprintf(where, sizeof where, "%s!%s", g->name, grid_cell_ref(grow, gcol, ref));
                s_report_skip(rt, "%s：%s/%s/%s 与 %s 相同，只记一次", where, table_name(t), row,
                              column_name(col), s_fact_where(f, fw, sizeof fw));
            } else {
                char a[AMOUNT_BUF];
                s_error(c, g, grow, (int)gcol, NULL, "%s %s 行 %s 列 %s 已在 %s 给出（%s 万元），数值不同",
                        entity, table_name(t), row, column_name(col), s_fact_where(f, fw, sizeof fw),
                        amount_format(f->fen, a));
            }
            return;
        }
    }
    if (c->nfacts >= SUBMISSION_FACTS_MAX) {
        s_error(c, g, grow, (int)gcol, NULL, "数据过多（一个文件最多 %d 个数）", SUBMISSION_FACTS_MAX);
        return;
    }
    if ((c->nfacts + 1) * 2 > c->nslots && s_rehash(c) != 0) {
        s_error(c, g, grow, -1, NULL, "内存不足");
        return;
    }
    if (c->nfacts == c->capfacts) {
        size_t cap = c->capfacts ? c->capfacts * 2 : 256;
        s_fact *nf = realloc(c->facts, cap * sizeof *nf);
        if (!nf) { s_error(c, g, grow, -1, NULL, "内存不足"); return; }
        c->facts = nf;
        c->capfacts = cap;
    }
    for (size_t k = hash & (c->nslots - 1);; k = (k + 1) & (c->nslots - 1))
        if (!c->slots[k]) {
            c->slots[k] = (uint32_t)(c->nfacts + 1);
            break;
        }
    s_fact *f = &c->facts[c->nfacts++];
    memset(f, 0, sizeof *f);
    utf8_copy(f->entity, sizeof f->entity, entity);
    f->table = t;
    utf8_copy(f->row, sizeof f->row, row);
    f->column = col;
    f->fen = fen;
    f->name = strdup(name ? name : "");
    f->line = grow + 1;
    f->gcol = gcol;
    f->unit = unit;
    f->g = g;
    rt->facts++;
}

/* ---- rows of a grid ---- */

/* Cells of one grid row: [first, first+count) in grid->cells (grid_finish() sorted them). */
static size_t s_row_first(const grid_t *g, uint32_t row)
{
    size_t lo = 0, hi = g->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->cells[mid].row < row) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Number of non-blank cells in a row, and the normalised text of the first of them. */
static int s_row_texts(const grid_t *g, uint32_t row, char *first, size_t firstlen,
                       uint32_t *first_col)
{
    int n = 0;
    if (first) first[0] = '\0';
    for (size_t i = s_row_first(g, row); i < g->count && g->cells[i].row == row; i++) {
        char t[S_TEXT_MAX];
        s_norm(g->cells[i].text, t, sizeof t);
        if (!t[0]) continue;
        if (n == 0 && first) {
            s_put(first, firstlen, t);
            if (first_col) *first_col = g->cells[i].col;
        }
        n++;
    }
    return n;
}

/* Whether a row holds a non-blank cell, and the normalised text of the first: what a data
 * line needs of s_row_texts(), without normalising the rest of the line. */
static bool s_row_first_text(const grid_t *g, uint32_t row, char *first, size_t firstlen)
{
    first[0] = '\0';
    for (size_t i = s_row_first(g, row); i < g->count && g->cells[i].row == row; i++) {
        char t[S_TEXT_MAX];
        s_norm(g->cells[i].text, t, sizeof t);
        if (!t[0]) continue;
        s_put(first, firstlen, t);
        return true;
    }
    return false;
}

/* The normalised text of (row, col), merged cells answering for their whole range. */
static void s_text_at(const grid_t *g, uint32_t row, uint32_t col, char *out, size_t outlen)
{
    const grid_cell_t *cell = grid_get_merged(g, row, col);
    if (cell) s_norm(cell->text, out, outlen);
    else out[0] = '\0';
}

/* A page label row: "表 2", "表1 | 1-1" (a table number and page numbers, no amounts). */
static bool s_label_row(const grid_t *g, uint32_t row)
{
    int n = 0;
    bool label = false;
    size_t first = s_row_first(g, row);
    if (first >= g->count || g->cells[first].row != row || !strstr(g->cells[first].text, "表"))
        return false;                                         /* a label row starts with 表 */
    for (size_t i = s_row_first(g, row); i < g->count && g->cells[i].row == row; i++) {
        char t[S_TEXT_MAX];
        s_norm(g->cells[i].text, t, sizeof t);
        if (!t[0]) continue;
        n++;
        const char *p = t;
        if (s_starts(p, "表")) {
            p += strlen("表");
            label = true;
        }
        if (g->cells[i].kind == GRID_NUMBER && !label) return false;
        for (; *p; p++)
            if (!((*p >= '0' && *p <= '9') || *p == '-')) return false;
    }
    return label && n <= 3;
}

/* The one text of a title row: the row holds a single distinct text (an exporter may
 * repeat a merged title in every cell it covers), page labels ("表5") aside. */
static bool s_title_text(const grid_t *g, uint32_t row, char *out, size_t outlen)
{
    out[0] = '\0';
    for (size_t i = s_row_first(g, row); i < g->count && g->cells[i].row == row; i++) {
        if (g->cells[i].kind != GRID_TEXT) return false;      /* before normalising: cheap */
        char t[S_TEXT_MAX];
        s_norm(g->cells[i].text, t, sizeof t);
        if (!t[0]) continue;
        if (s_starts(t, "表") && strspn(t + strlen("表"), "0123456789-.") == strlen(t + strlen("表")) &&
            t[strlen("表")]) continue;                    /* "表5" in its own cell */
        if (g->cells[i].kind != GRID_TEXT) return false;
        if (out[0] && strcmp(out, t) != 0) return false;
        utf8_copy(out, outlen, t);
    }
    return out[0] != '\0';
}

/* ---- fixed words, normalised once ---- */

#define S_FISCAL_LABELS_MAX 32   /* core/tables.c's fiscal income labels (a dozen) */

/* The tables' own labels (s_norm) and the fiscal income labels (table_text_normalise) are
 * constant: normalised once per process under call_once instead of on every title and
 * every fiscal line asked about. */
typedef struct {
    char labels[TABLE_COUNT][S_TEXT_MAX];
    char fiscal[S_FISCAL_LABELS_MAX][S_TEXT_MAX];
    size_t nfiscal;
} s_fixed_words;

static s_fixed_words S_WORDS;
static once_flag S_WORDS_ONCE = ONCE_FLAG_INIT;

static void s_words_build(void)
{
    for (int t = TABLE_NONE + 1; t < TABLE_COUNT; t++)
        s_norm(table_label((table_id)t), S_WORDS.labels[t], sizeof S_WORDS.labels[t]);
    S_WORDS.nfiscal = TABLE_FISCAL_INCOME.n < S_FISCAL_LABELS_MAX ? TABLE_FISCAL_INCOME.n : S_FISCAL_LABELS_MAX;
    for (size_t i = 0; i < S_WORDS.nfiscal; i++)
        table_text_normalise(TABLE_FISCAL_INCOME.labels[i], S_WORDS.fiscal[i], sizeof S_WORDS.fiscal[i]);
}

static const s_fixed_words *s_words(void)
{
    call_once(&S_WORDS_ONCE, s_words_build);
    return &S_WORDS;
}

/* ---- titles ---- */

/* Whether text ends with a table's own label ("…2024年 三公经费", as huizong's export and
 * template title a sheet) rather than 表. */
static bool s_ends_table_label(const char *text)
{
    const s_fixed_words *w = s_words();
    for (int t = TABLE_NONE + 1; t < TABLE_COUNT; t++)
        if (!s_ends(w->labels[t], "表") && s_ends(text, w->labels[t])) return true;
    return false;
}

/* Classifies a normalised single-cell row as a title. Returns 1 with *t set (TABLE_NONE for
 * a known non-v1 table), or 0 when the text is not a title. */
static int s_title_classify(const char *text, table_id *t)
{
    if (strlen(text) > S_TITLE_MAX_BYTES) return 0;
    /* the title must end in 表 (after a trailing "(分功能科目)" / "(2024年度)") */
    char core[S_TEXT_MAX];
    s_put(core, sizeof core, text);
    while (s_ends(core, ")")) {
        char *open = strrchr(core, '(');
        if (!open || open == core) break;
        *open = '\0';
    }
    if (!s_ends(core, "表") && !s_ends_table_label(core)) return 0;
    if (strstr(text, "目录") || strstr(text, "附件")) return 0;
    if (table_title_lookup(text, t)) return 1;
    *t = TABLE_NONE;
    return strstr(text, "预算") || strstr(text, "支出") || strstr(text, "收入") ? 1 : 0;
}

/* The year printed in a title ("2024年", "2024年度"), or 0. */
static uint32_t s_year_of(const char *text)
{
    for (const char *p = text; *p; p++) {
        if (p[0] >= '1' && p[0] <= '9' && isdigit((unsigned char)p[1]) &&
            isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) &&
            (p == text || !isdigit((unsigned char)p[-1])) && s_starts(p + 4, "年")) {
            return (uint32_t)atoi(p) ;
        }
    }
    return 0;
}

/* The organisation named before the year in a title ("宿州市医疗保障局部门2024年…" ->
 * "宿州市医疗保障局"), or "". */
static void s_title_org(const char *title, char *out, size_t outlen)
{
    out[0] = '\0';
    const char *p = title;
    while (*p && !(isdigit((unsigned char)*p) && s_year_of(p))) p++;
    if (!*p || p == title) return;
    size_t n = (size_t)(p - title);
    if (n >= outlen) n = outlen - 1;
    memcpy(out, title, n);
    out[n] = '\0';
    if (s_ends(out, "部门")) out[strlen(out) - strlen("部门")] = '\0';
}

/* A 编制单位 line: "编制单位:X", "编制部门:X", "部门/单位:X", "部门:X", "单位名称:X". */
static bool s_org_line(const grid_t *g, uint32_t row, char *out, size_t outlen)
{
    static const char *const KEYS[] = { "编制单位:", "编制部门:", "部门/单位:", "部门(单位):",
                                        "单位名称:", "部门名称:", "部门:" };
    for (size_t i = s_row_first(g, row); i < g->count && g->cells[i].row == row; i++) {
        char t[S_TEXT_MAX];
        s_norm(g->cells[i].text, t, sizeof t);
        for (size_t k = 0; k < sizeof KEYS / sizeof KEYS[0]; k++) {
            const char *at = strstr(t, KEYS[k]);
            if (!at) continue;
            const char *v = at + strlen(KEYS[k]);
            char rest[S_TEXT_MAX];
            s_put(rest, sizeof rest, v);
            char *unit = strstr(rest, "单位:");        /* "部门:X 金额单位:万元" on one cell */
            if (unit) *unit = '\0';
            if (s_ends(rest, "金额")) rest[strlen(rest) - strlen("金额")] = '\0';
            if (!rest[0] && i + 1 < g->count && g->cells[i + 1].row == row) {
                s_norm(g->cells[i + 1].text, rest, sizeof rest);
                if (strstr(rest, "单位:")) rest[0] = '\0';
            }
            s_put(out, outlen, rest);
            return true;
        }
    }
    return false;
}

/* A unit line: "单位:万元", "金额单位:元", or "单位:" then "万元" in the next cell. Returns
 * the unit or NULL. */
static const vocab_unit_t *s_unit_line(const grid_t *g, uint32_t row)
{
    bool pending = false;
    for (size_t i = s_row_first(g, row); i < g->count && g->cells[i].row == row; i++) {
        if (!pending && (g->cells[i].kind != GRID_TEXT || !strstr(g->cells[i].text, "位")))
            continue;                                         /* no 单位 in it: not a unit line */
        char t[S_TEXT_MAX];
        s_norm(g->cells[i].text, t, sizeof t);
        const char *v = NULL;
        if (pending) v = t;
        const char *at = strstr(t, "单位:");
        if (at) v = at + strlen("单位:");
        if (!v) continue;
        pending = (*v == '\0');
        for (size_t k = 0; k < VOCAB_NUNITS; k++) {
            size_t n = strlen(VOCAB_UNITS[k].label);
            if (strncmp(v, VOCAB_UNITS[k].label, n) == 0 && (v[n] == '\0' || v[n] == ')'))
                return &VOCAB_UNITS[k];
        }
    }
    return NULL;
}

/* ---- entity ---- */

/* The hierarchy's names in match form (s_norm), by hash: (hash, index) pairs sorted, a
 * candidate confirmed by normalising its name. Built once per hierarchy by the caller that
 * reads many files (recognise_names_new), so a file's lookups cost O(log n), not O(n): with
 * 27,000 entities a per-file scan would cost more than reading the file. */
typedef struct {
    uint64_t hash;
    uint32_t index;
} s_name_key;

struct recognise_names {
    const entity_t *items;       /* the hierarchy it was built from, to tell it still fits */
    size_t count;
    s_name_key *keys;            /* count entries, sorted by (hash, index) */
};

static uint64_t s_text_hash(const char *t)
{
    uint64_t h = 1469598103934665603ULL;                 /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)t; *p; p++) h = (h ^ *p) * 1099511628211ULL;
    return h;
}

static int s_name_key_cmp(const void *a, const void *b)
{
    const s_name_key *x = a, *y = b;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return x->index < y->index ? -1 : (x->index > y->index);
}

recognise_names_t *recognise_names_new(const hierarchy_t *h)
{
    assert(h);
    _Static_assert(sizeof(uint32_t) <= sizeof(size_t), "entity indices fit in 32 bits");
    if (h->count > UINT32_MAX) return NULL;
    recognise_names_t *self = calloc(1, sizeof *self);
    if (!self) return NULL;
    self->keys = malloc((h->count ? h->count : 1) * sizeof *self->keys);
    if (!self->keys) {
        free(self);
        return NULL;
    }
    for (size_t i = 0; i < h->count; i++) {
        char n[S_TEXT_MAX];
        s_norm(h->items[i].name, n, sizeof n);
        self->keys[i] = (s_name_key){ s_text_hash(n), (uint32_t)i };
    }
    sort_array(self->keys, h->count, sizeof *self->keys, s_name_key_cmp);   /* a total order */
    self->items = h->items;
    self->count = h->count;
    return self;
}

void recognise_names_destroy(recognise_names_t **self_p)
{
    if (!self_p || !*self_p) return;
    free((*self_p)->keys);
    free(*self_p);
    *self_p = NULL;
}

/* An entity whose name is exactly `name` (normalised), or NULL: the first of the
 * hierarchy's order when several share it, as a scan would find. */
static const entity_t *s_entity_by_name(s_ctx *c, const char *name)
{
    const hierarchy_t *h = c->opts->hierarchy;
    if (!h || !*name || !h->count) return NULL;
    const recognise_names_t *ix = c->opts->names;
    if (!ix || ix->items != h->items || ix->count != h->count) {
        if (!c->own_names) c->own_names = recognise_names_new(h);
        ix = c->own_names;
    }
    if (!ix) {                                   /* no memory for the index: scan */
        for (size_t i = 0; i < h->count; i++) {
            char n[S_TEXT_MAX];
            s_norm(h->items[i].name, n, sizeof n);
            if (strcmp(n, name) == 0) return &h->items[i];
        }
        return NULL;
    }
    uint64_t hash = s_text_hash(name);
    size_t lo = 0, hi = ix->count;
    while (lo < hi) {                            /* the first key of this hash */
        size_t mid = lo + (hi - lo) / 2;
        if (ix->keys[mid].hash < hash) lo = mid + 1;
        else hi = mid;
    }
    for (size_t k = lo; k < ix->count && ix->keys[k].hash == hash; k++) {
        const entity_t *e = &h->items[ix->keys[k].index];
        char n[S_TEXT_MAX];
        s_norm(e->name, n, sizeof n);
        if (strcmp(n, name) == 0) return e;
    }
    return NULL;
}

/* Resolves the document's entity from names (exact, then unique containment preferring the
 * highest level). Returns 0 or -1 after an error listing the candidates. */
static int s_resolve_entity(s_ctx *c, const char *const *names, size_t nnames)
{
    const recognise_opts_t *o = c->opts;
    if (o->entity && o->entity[0]) {
        s_put(c->entity, sizeof c->entity, o->entity);
        return 0;
    }
    if (!o->hierarchy) {
        s_error(c, NULL, 0, -1, NULL, "未给出单位代码：请用 --entity，或用 --hierarchy 给出单位清单以按编制单位名称匹配");
        return -1;
    }
    for (size_t k = 0; k < nnames; k++) {
        const entity_t *e = s_entity_by_name(c, names[k]);
        if (e) {
            s_put(c->entity, sizeof c->entity, e->code);
            return 0;
        }
    }
    char list[400] = "";
    /* pass 0: entities whose name holds the printed one (宿州市医疗保障 → 宿州市医疗保障局);
     * pass 1: entities whose name the printed one holds (a longer printed name) */
    for (int pass = 0; pass < 2; pass++)
    for (size_t k = 0; k < nnames; k++) {
        if (!names[k][0]) continue;
        const entity_t *best = NULL;
        int nbest = 0;
        size_t used = 0;
        list[0] = '\0';
        for (size_t i = 0; i < o->hierarchy->count; i++) {
            const entity_t *e = &o->hierarchy->items[i];
            char buf[S_TEXT_MAX];
            const char *n = (s_norm(e->name, buf, sizeof buf), buf);
            if (pass == 0 ? !strstr(n, names[k]) : !strstr(names[k], n)) continue;
            if (used < sizeof list - 80)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%s %s",
                                         used ? "、" : "", e->code, e->name);
            if (!best || e->level > best->level) { best = e; nbest = 1; }
            else if (e->level == best->level) nbest++;
        }
        if (best && nbest == 1) {
            s_put(c->entity, sizeof c->entity, best->code);
            return 0;
        }
        if (best) {
            s_error(c, NULL, 0, -1, names[k], "编制单位对应多个单位（%s），请用 --entity 指定", list);
            return -1;
        }
    }
    if (nnames == 0)
        s_error(c, NULL, 0, -1, NULL, "表中没有编制单位（编制单位/部门 行或表题中的单位名称），请用 --entity 指定");
    else
        s_error(c, NULL, 0, -1, names[0], "在单位清单中找不到编制单位，请用 --entity 指定");
    return -1;
}

/* ---- one table ---- */

typedef struct {
    int64_t fen;
    int state;                   /* 0 value, 1 empty */
    uint32_t unit;               /* printed precision in fen (s_printed_unit) */
} s_amount;

/* Whether a normalised cell text looks like data (a number or a code) rather than a header. */
static bool s_data_like(const grid_cell_t *cell, const char *t)
{
    if (cell->kind == GRID_NUMBER || cell->kind == GRID_FORMULA_NO_VALUE || cell->kind == GRID_DATE)
        return true;
    const char *p = t;
    if (*p == '-' || *p == '+' || *p == '(') p++;
    int digits = 0, dots = 0, other = 0;
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') digits++;
        else if (*p == '.') dots++;
        else if (*p != ',' && *p != ')') other++;
    }
    if (digits && dots <= 1 && !other) return true;
    const char *rest = s_starts(t, "其中:") ? t + strlen("其中:") : t;
    if (*rest && s_strip_ordinal(rest) != rest) return true;   /* "其中:" alone is a header */           /* 一、一般公共预算拨款收入 */
    return false;
}

static bool s_note(const char *t)
{
    return s_starts(t, "注:") || s_starts(t, "注") || s_starts(t, "备注") || s_starts(t, "说明") ||
           strstr(t, "无数据") || s_starts(t, "数据来源");
}

/* Function class code of a printed class name ("十九、国有资本经营预算支出" -> "223"). */
static bool s_class_code(const char *label, char out[8])
{
    for (int k = 200; k < 240; k++) {
        char code[4] = { (char)('0' + k / 100), (char)('0' + k / 10 % 10), (char)('0' + k % 10), '\0' };
        const char *n = code_known_name(CODE_FUNCTION, code);
        if (n && code_name_matches(n, label)) {
            utf8_copy(out, 8, code);
            return true;
        }
    }
    return false;
}

static const char *s_vocab_row(const vocab_row_t *v, size_t n, const char *label, bool *found)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].label, label) == 0) {
            *found = true;
            return v[i].row;
        }
    *found = false;
    return NULL;
}

/* Identifies one column from its header parts. */
static void s_identify(table_id t, bool basic_only, char parts[][S_TEXT_MAX], int nparts,
                       recognised_column_t *col)
{
    col->column = COL_NONE;
    col->role = "ignored";
    col->row[0] = '\0';
    if (nparts == 0) return;
    const char *leaf = parts[nparts - 1];
    char parents[S_TEXT_MAX * 2] = "";
    for (int i = 0; i < nparts - 1; i++) {
        strncat(parents, parts[i], sizeof parents - strlen(parents) - 2);
        strcat(parents, "/");
    }
    if (strcmp(leaf, "类") == 0 || strcmp(leaf, "款") == 0 || strcmp(leaf, "项") == 0) {
        col->role = strcmp(leaf, "类") == 0 ? "类" : strcmp(leaf, "款") == 0 ? "款" : "项";
        return;
    }
    if (strstr(leaf, "编码") || strstr(leaf, "代码") || strstr(leaf, "编号")) {
        col->role = "code";
        return;
    }
    if (t == TABLE_PROJECTS && (s_ends(leaf, "单位") || strstr(leaf, "实施单位"))) return; /* 项目单位: text */
    if (strstr(leaf, "名称") || strcmp(leaf, "项目") == 0 || strcmp(leaf, "收入项目") == 0 ||
        strcmp(leaf, "支出项目") == 0 || strcmp(leaf, "科目") == 0 ||
        strstr(leaf, "功能分类科目") || strstr(leaf, "经济分类科目")) {
        col->role = "name";
        return;
    }
    if (t == TABLE_THREE_PUBLIC) {
        /* printed across: each column is an item; "公务用车购置及运行费/小计" is its group */
        const char *item = (strcmp(leaf, "小计") == 0 && nparts > 1) ? parts[nparts - 2] : leaf;
        bool found;
        const char *row = s_vocab_row(VOCAB_THREE_PUBLIC, VOCAB_NTHREE_PUBLIC, item, &found);
        if (found) {
            col->role = "amount";
            col->column = COL_AMOUNT;
            s_put(col->row, sizeof col->row, row);
            return;
        }
    }
    column_id c;
    if (!column_header_lookup(t, parents, leaf, &c)) return;
    if (c == COL_NONE) {
        col->role = "subtotal";
        return;
    }
    if (t == TABLE_GPB_ECON && basic_only && c == COL_TOTAL) c = COL_BASIC;
    col->column = c;
    col->role = "amount";
}

typedef struct {
    s_ctx *c;
    const s_block *b;
    recognised_table_t *rt;
    const grid_t *g;
    int64_t fpu;
    uint32_t ncols;
    recognised_column_t cols[S_COLS_MAX];
    uint32_t header_r0, header_r1;
    int code_col, name_col;      /* grid columns of the code and (first) name, for messages */
    size_t last_first;           /* the facts of the last data line start here */
    uint32_t last_row;           /* its grid row (UINT32_MAX - 1: none) */
    /* per-unit lines */
    char unit[SUBMISSION_ENTITY_MAX + 1];
    bool has_unit_col;           /* a 单位代码 column beside the subject codes */
    bool subject_codes;          /* 类/款/项 or 科目编码 columns */
    bool pending;                /* a line named as the department, before its unit is known */
    s_amount pending_am[S_COLS_MAX];
    uint32_t pending_row;
    char pending_name[S_TEXT_MAX];
    size_t pending_first;        /* facts made after the pending line start here */
    char econ_class[8];          /* the class of the last economic line named without a code */
    bool unit_slip_told;
    int proj_main, proj_unit;
    /* fiscal / summary group state */
    int fiscal_group;            /* 0 本年, 1 上年结转 */
    bool has_income_total, has_expense_total, carry_amount;
    s_amount group_in[S_COLS_MAX], group_out[S_COLS_MAX];
    uint32_t group_in_row, group_out_row;
    bool group_in_seen, group_out_seen;
} s_table;

static void s_emit(s_ctx *c, recognised_table_t *rt, const grid_t *g, const char *entity,
                   table_id t, const char *row, column_id col, int64_t fen, uint32_t unit,
                   const char *name, uint32_t grow, uint32_t gcol);

/* Whether the table's block prints that it is empty: a note such as 本表无数据, 本单位无政府
 * 性基金预算支出 or 没有…安排的支出. An unfilled template prints no such note, so its empty
 * tables stay absent (没有数字) instead of reading as published-empty. */
static bool s_block_says_empty(const s_table *T)
{
    static const char *const SAYS[] = { "无数据", "无政府性基金", "无国有资本", "没有", "无相关",
                                        "未安排", "无此", "无该", "无三公", "无“三公”", "无\"三公\"" };
    const grid_t *g = T->g;
    for (size_t i = 0; i < g->count; i++) {
        const grid_cell_t *cell = &g->cells[i];
        if (cell->row < T->b->first || cell->row > T->b->r1) continue;
        for (size_t k = 0; k < sizeof SAYS / sizeof SAYS[0]; k++)
            if (strstr(cell->text, SAYS[k])) return true;
    }
    return false;
}

/* A table printed with no figure and a note saying so (s_block_says_empty): the empty-table
 * marker of examples/FORMAT.md (its total row, 0, in column total — amount for summary and
 * three_public), so table.required sees a table that was published empty as published,
 * exactly as the v1 CSV says it. */
static void s_emit_empty(s_table *T)
{
    table_id t = T->b->table;
    column_id col = (t == TABLE_SUMMARY || t == TABLE_THREE_PUBLIC) ? COL_AMOUNT : COL_TOTAL;
    s_emit(T->c, T->rt, T->g, T->c->entity, t, TABLE_ROW_TOTAL, col, 0, FACT_UNIT_FEN_DEFAULT,
           "本表无数据", T->b->r0, 0);
}

/* A date cell as the sheet shows it: an Excel serial day (1900 system, day 0 = 1899-12-30)
 * as yyyy-mm-dd; other text as it is. */
static const char *s_serial_date(const char *text, char *out, size_t outlen)
{
    char *end;
    long serial = strtol(text, &end, 10);
    if (end == text || (*end && *end != '.') || serial < 1 || serial > 2958465) return text;
    /* days since 1970-01-01, then the civil date (H. Hinnant's days_from_civil inverse) */
    long z = serial - 25569 + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    snprintf(out, outlen, "%04ld-%02ld-%02ld", y + (m <= 2), m, d);
    return out;
}

/* The printed precision of an amount cell, in fen of one unit of its last printed digit:
 * the decimals its number format shows (0.00 of 万元 -> 10000; #,##0 of 元 -> 100; General:
 * 2), else the digits its text prints (a CSV's "2,361.22").
 * Never finer than 1 fen. */
static uint32_t s_printed_unit(const s_table *T, const grid_cell_t *cell)
{
    int decimals = 0;
    if (cell && cell->kind == GRID_NUMBER) {
        /* a number format's decimals; General shows 9.6 for 9.60, so it says nothing: the
         * usual 2 decimals of the table's unit */
        decimals = cell->decimals != GRID_DECIMALS_UNKNOWN ? cell->decimals : S_DEFAULT_DECIMALS;
    } else if (cell) {
        const char *dot = strchr(cell->text, '.');
        for (const char *p = dot ? dot + 1 : ""; *p >= '0' && *p <= '9'; p++) decimals++;
    }
    int64_t unit = T->fpu;
    for (int i = 0; i < decimals && unit > 1; i++) unit /= 10;
    return unit > 0 && unit <= FACT_UNIT_FEN_MAX ? (uint32_t)unit : FACT_UNIT_FEN_MAX;
}

/* Reads the amount cell of (row, col), cell (NULL: empty). Returns 0 value, 1 empty, -1
 * error (reported). */
static int s_amount_at(s_table *T, uint32_t row, uint32_t col, const grid_cell_t *cell, int64_t *fen)
{
    if (!cell) return 1;
    char t[S_TEXT_MAX];
    s_norm(cell->text, t, sizeof t);
    switch (cell->kind) {
    case GRID_FORMULA_NO_VALUE:
        s_error(T->c, T->g, row, (int)col, cell->text, "公式没有缓存的计算结果（请在 Excel 中重新计算并保存）");
        return -1;
    case GRID_DATE: {
        char day[32];
        s_error(T->c, T->g, row, (int)col, s_serial_date(cell->text, day, sizeof day), "日期不能作为金额");
        return -1;
    }
    case GRID_ERROR:
        s_error(T->c, T->g, row, (int)col, cell->text, "公式错误值不能作为金额");
        return -1;
    default: break;
    }
    const char *why = NULL;
    int rc = s_scale_fen(t, T->fpu, fen, &why);
    if (rc < 0) {
        s_error(T->c, T->g, row, (int)col, cell->text, "%s（单位：%s）", why, T->rt->unit);
        return -1;
    }
    return rc;
}

/* Emits the amounts of row `row` on the given side for (entity, table row id). */
static void s_emit_row(s_table *T, const char *entity, const char *rowid, const char *name,
                       uint32_t row, int side, const s_amount *am)
{
    for (uint32_t k = 0; k < T->ncols; k++) {
        recognised_column_t *col = &T->cols[k];
        if (strcmp(col->role, "amount") != 0 || col->side != side || am[k].state) continue;
        const char *rid = col->row[0] ? col->row : rowid;
        s_emit(T->c, T->rt, T->g, entity, T->b->table, rid, col->column, am[k].fen, am[k].unit,
               name, row, col->grid_col);
    }
}

static bool s_any_amount(const s_table *T, int side, const s_amount *am)
{
    for (uint32_t k = 0; k < T->ncols; k++)
        if (strcmp(T->cols[k].role, "amount") == 0 && T->cols[k].side == side && !am[k].state)
            return true;
    return false;
}

/* The grid column of a side's name column, for messages (-1 if none). */
static int s_side_name_col(const s_table *T, int side)
{
    for (uint32_t k = 0; k < T->ncols; k++)
        if (strcmp(T->cols[k].role, "name") == 0 && T->cols[k].side == side) return (int)T->cols[k].grid_col;
    return -1;
}

/* The fiscal income row whose label (core/tables.c: "一般公共预算拨款(本年)", "上年结转一般
 * 公共预算拨款" ...) a line prints, or NULL. */
static const char *s_fiscal_label_row(const char *label)
{
    char a[S_TEXT_MAX];
    table_text_normalise(label, a, sizeof a);
    const s_fixed_words *w = s_words();
    for (size_t i = 0; i < w->nfiscal; i++)
        if (strcmp(a, w->fiscal[i]) == 0) return TABLE_FISCAL_INCOME.rows[i];
    for (size_t i = w->nfiscal; i < TABLE_FISCAL_INCOME.n; i++) {   /* beyond the cache */
        char b[S_TEXT_MAX];
        table_text_normalise(TABLE_FISCAL_INCOME.labels[i], b, sizeof b);
        if (strcmp(a, b) == 0) return TABLE_FISCAL_INCOME.rows[i];
    }
    return NULL;
}

/* One side of a 收支总表 / 财政拨款收支总表 line. */
static void s_double_side(s_table *T, uint32_t row, int side, const char *label_raw,
                          const s_amount *am)
{
    const char *label = s_strip_ordinal(label_raw);
    bool has = s_any_amount(T, side, am);
    if (!*label) {
        if (has) s_error(T->c, T->g, row, s_side_name_col(T, side), "", "有金额但没有项目名称");
        return;
    }
    table_id t = T->b->table;
    const char *ent = T->c->entity;
    bool found = false;
    const char *rid = NULL;
    if (t == TABLE_FISCAL && side == 0) {
        const char *own = s_fiscal_label_row(label);
        if (own) {                                  /* huizong's own labels (export, template) */
            if (strncmp(own, "carry_", 6) == 0 && has) T->carry_amount = true;
            s_emit_row(T, ent, own, label, row, side, am);
            return;
        }
        if (strcmp(label, "本年收入") == 0) {
            T->fiscal_group = 0;
            T->group_in_seen = has;
            memcpy(T->group_in, am, sizeof T->group_in);
            T->group_in_row = row;
            return;
        }
        if (s_starts(label, "上年结转")) {
            T->fiscal_group = 1;
            if (has) T->carry_amount = true;
            return;
        }
        const char *src = s_vocab_row(VOCAB_FISCAL_SOURCES, VOCAB_NFISCAL_SOURCES, label, &found);
        if (found) {
            char id[SUBMISSION_ROW_MAX];
            snprintf(id, sizeof id, "%s_%s", T->fiscal_group ? "carry" : "cur", src);
            if (T->fiscal_group && has) T->carry_amount = true;
            s_emit_row(T, ent, id, label, row, side, am);
            return;
        }
    }
    if (t == TABLE_FISCAL && side == 1 && strcmp(label, "本年支出") == 0) {
        T->group_out_seen = has;
        memcpy(T->group_out, am, sizeof T->group_out);
        T->group_out_row = row;
        return;
    }
    rid = s_vocab_row(VOCAB_SUMMARY_ROWS, VOCAB_NSUMMARY_ROWS, label, &found);
    if (found && t == TABLE_FISCAL && rid && strcmp(rid, "income_total") != 0 &&
        strcmp(rid, "expense_total") != 0)
        found = false, rid = NULL;                  /* the fiscal table has only the totals */
    if (found && side == 1 && rid && strcmp(rid, "carry_in") == 0) found = false, rid = NULL;
    if (found) {
        if (!rid) {
            if (has) s_report_skip(T->rt, "第%u行 %s：汇总行，无对应行代码（不写入）", row + 1, label);
            return;
        }
        if (strcmp(rid, "income_total") == 0) T->has_income_total = true;
        if (strcmp(rid, "expense_total") == 0) T->has_expense_total = true;
        if (has) s_emit_row(T, ent, rid, label, row, side, am);
        return;
    }
    if (side == 1) {
        char code[8];
        if (s_class_code(label, code)) {
            if (has) s_emit_row(T, ent, code, label, row, side, am);
            return;
        }
        if (has) {
            s_error(T->c, T->g, row, s_side_name_col(T, side), label_raw, "未识别的支出功能分类名称（%s）", T->rt->title);
            return;
        }
        return;
    }
    if (has) s_report_skip(T->rt, "第%u行 %s：无对应行代码（不写入）", row + 1, label);
}

/* The fiscal table without 总计 lines (达州): the group lines stand for the totals, as the
 * v1 transcription does (examples/README.md). */
static void s_double_finish(s_table *T)
{
    if (T->b->table != TABLE_FISCAL) return;
    if (!T->has_income_total && T->group_in_seen && !T->carry_amount)
        s_emit_row(T, T->c->entity, "income_total", "一、本年收入", T->group_in_row, 0, T->group_in);
    if (!T->has_expense_total && T->group_out_seen)
        s_emit_row(T, T->c->entity, "expense_total", "一、本年支出", T->group_out_row, 1, T->group_out);
}

/* Whether the data row at `row` repeats the header (a page break in the sheet). */
static bool s_header_repeat(s_table *T, uint32_t row)
{
    /* a header holds no numbers: a line with a numeric cell is data (and most lines are, so
     * this keeps the text comparison below off the common path) */
    for (size_t i = s_row_first(T->g, row); i < T->g->count && T->g->cells[i].row == row; i++)
        if (T->g->cells[i].kind == GRID_NUMBER) return false;
    int same = 0, cells = 0;
    for (uint32_t k = 0; k < T->ncols; k++) {
        char t[S_TEXT_MAX];
        const grid_cell_t *cell = grid_get(T->g, row, T->cols[k].grid_col);   /* not merged: cheap per row */
        s_norm(cell ? cell->text : "", t, sizeof t);
        if (!t[0]) continue;
        cells++;
        for (uint32_t h = T->header_r0; h <= T->header_r1; h++) {
            char u[S_TEXT_MAX];
            s_text_at(T->g, h, T->cols[k].grid_col, u, sizeof u);
            if (strcmp(t, u) == 0) { same++; break; }
        }
    }
    return cells > 0 && same == cells;
}

/* The economic code of a line printed with its name only (达州 表2-1): a class by its name,
 * else a 款 of the last class by its name; NULL when the chart has none or several. */
static const char *s_econ_code_by_name(s_table *T, const char *name)
{
    const char *code = code_by_name(CODE_ECONOMIC, NULL, name);
    if (code) {
        utf8_copy(T->econ_class, sizeof T->econ_class, code);
    } else if (T->econ_class[0]) {
        code = code_by_name(CODE_ECONOMIC, T->econ_class, name);
    }
    if (code) s_report_skip(T->rt, "%s：没有编码，按经济分类名称读作 %s", name, code);
    return code;
}

/* A 单位代码 cell that is no entity of the list, in a table of a department with exactly
 * one unit below it (达州 表2-1 prints 35001 for 335001): that unit, reported once per
 * table; otherwise the code as printed. */
static const char *s_unit_slip(s_table *T, const char *rowunit, uint32_t row)
{
    const hierarchy_t *h = T->c->opts->hierarchy;
    if (!h || hierarchy_find(h, rowunit)) return rowunit;
    const entity_t *only = NULL;
    for (size_t i = 0; i < h->count; i++)
        if (strcmp(h->items[i].parent, T->c->entity) == 0) {
            if (only) return rowunit;
            only = &h->items[i];
        }
    if (!only) return rowunit;
    if (!T->unit_slip_told) {
        s_report_skip(T->rt, "第%u行：单位代码 %s 不在单位清单中，读作 %s 唯一的下属单位 %s", row + 1,
                      rowunit, T->c->entity, only->code);
        T->unit_slip_told = true;
    }
    return only->code;
}

/* The department's lines between a pending unit line and the first line that names the
 * unit (达州 表2-1's class rows) belong to the unit too: copied once the unit is known. */
static void s_pending_copy(s_table *T)
{
    s_ctx *c = T->c;
    if (T->b->table == TABLE_PROJECTS) return;        /* projects are numbered per entity */
    size_t end = c->nfacts;
    for (size_t i = T->pending_first; i < end; i++) {
        s_fact f = c->facts[i];                        /* s_emit may move the array */
        if (strcmp(f.entity, c->entity) != 0 || f.table != T->b->table || strcmp(f.row, "total") == 0)
            continue;
        s_emit(c, T->rt, T->g, T->unit, f.table, f.row, f.column, f.fen, f.unit, f.name, f.line - 1,
               f.gcol);
    }
}

/* Whether a data line's code and name cells hold header words ("支出功能科目代码" /
 * "支出功能科目名称") instead of a code and a name. */
static bool s_header_words(const char *code, const char *name)
{
    if (!code[0] || s_all_digits(code)) return false;
    bool code_word = s_ends(code, "代码") || s_ends(code, "编码");
    bool name_word = !name[0] || s_ends(name, "名称");
    return code_word && name_word && strstr(code, "科目");
}

/* A line of a single-layout table. */
static void s_single_row(s_table *T, uint32_t row, const char *code, const char *name,
                         bool unit_code_col, const char *rowunit, const s_amount *am)
{
    s_ctx *c = T->c;
    table_id t = T->b->table;
    bool has = s_any_amount(T, 0, am);
    const char *ent = c->entity;
    if (!has) {
        bool next = T->last_row < row;
        for (uint32_t r = T->last_row + 1; next && r < row; r++)
            if (s_row_texts(T->g, r, NULL, 0, NULL) > 0) next = false;   /* only blank rows between */
        if (!code[0] && name[0] && next && T->last_first < c->nfacts) {
            /* a label wrapped onto the next line ("机关事业单位基本养老保险" / "缴费支出") */
            for (size_t i = T->last_first; i < c->nfacts; i++) {
                char *joined = malloc(strlen(c->facts[i].name) + strlen(name) + 1);
                if (!joined) continue;
                strcpy(joined, c->facts[i].name);
                strcat(joined, name);
                free(c->facts[i].name);
                c->facts[i].name = joined;
            }
            s_report_skip(T->rt, "第%u行 %s：接上一行的名称", row + 1, name);
            T->last_row = row;
            return;
        }
        if (code[0] || name[0]) s_report_skip(T->rt, "第%u行 %s %s：无金额", row + 1, code, name);
        return;
    }
    T->last_first = c->nfacts;
    T->last_row = row;
    if ((strcmp(code, "合计") == 0 || strcmp(code, "总计") == 0) && !name[0]) {
        name = code;                  /* 合计 printed in the code column (宿州 收入预算总表) */
        code = "";
    }
    if (s_header_words(code, name)) {
        /* 东西湖 表3: the one data line printed on a line labelled like the header */
        s_report_skip(T->rt, "第%u行 %s %s：标为表头文字的数据行，读作合计", row + 1, code, name);
        code = "";
        name = "合计";
    }
    bool total = strcmp(name, "合计") == 0 || strcmp(name, "总计") == 0 ||
                 strcmp(name, "三公经费合计") == 0 || (!code[0] && !name[0]);
    if (total && t == TABLE_PROJECTS && T->proj_main > 0) {
        /* a closing 合计 after the projects repeats the first (东西湖 表10 prints it with
         * another 单位资金): one total per table can be kept; the first one is */
        s_report_skip(T->rt, "第%u行 %s：项目之后的合计行，与表首合计重复（不写入）", row + 1, name);
        return;
    }
    /* a line for an entity: by its code in a unit-code column, or by its exact name */
    const entity_t *byname = (!code[0] && !total) ? s_entity_by_name(c, name) : NULL;
    if (!total && !code[0] && !byname && t == TABLE_GPB_ECON) {
        const char *ec = s_econ_code_by_name(T, name);
        if (ec) code = ec;
    }
    if (!total && !code[0] && rowunit[0]) unit_code_col = true, code = rowunit, rowunit = "";
    if (!total && ((unit_code_col && code[0]) || byname)) {
        const char *ucode = byname ? byname->code : code;
        if (strcmp(ucode, ent) == 0) {
            s_emit_row(T, ent, "total", name, row, 0, am);   /* repeats 合计 (invariant 4) */
            if (byname && T->has_unit_col && !T->unit[0]) {
                /* 达州: the unit line prints the department's name and no 单位代码; the
                 * lines under it carry the unit's code, which decides (see below) */
                T->pending = true;
                memcpy(T->pending_am, am, sizeof T->pending_am);
                T->pending_row = row;
                utf8_copy(T->pending_name, sizeof T->pending_name, name);
                T->pending_first = c->nfacts;
            }
            return;
        }
        bool known = byname || (c->opts->hierarchy ? hierarchy_find(c->opts->hierarchy, ucode) != NULL
                                                   : s_starts(ucode, ent));
        if (!known) {
            s_report_skip(T->rt, "第%u行 %s %s：不是单位清单中的单位（不写入）", row + 1, code, name);
            return;
        }
        utf8_copy(T->unit, sizeof T->unit, ucode);
        T->proj_unit = 0;
        s_emit_row(T, T->unit, "total", name, row, 0, am);
        return;
    }
    if (t == TABLE_THREE_PUBLIC && T->cols[0].row[0] == '\0') {
        bool found = false;
        bool across = false;
        for (uint32_t k = 0; k < T->ncols; k++)
            if (T->cols[k].row[0]) across = true;
        if (!across) {
            const char *rid = s_vocab_row(VOCAB_THREE_PUBLIC, VOCAB_NTHREE_PUBLIC, name, &found);
            if (!found) {
                s_error(c, T->g, row, T->name_col, name, "未识别的“三公”经费项目");
                return;
            }
            s_emit_row(T, ent, rid, name, row, 0, am);
            if (T->unit[0]) s_emit_row(T, T->unit, rid, name, row, 0, am);
            return;
        }
    }
    char rowid[SUBMISSION_ROW_MAX + 1];
    if (total) {
        snprintf(rowid, sizeof rowid, "total");
    } else if (t == TABLE_PROJECTS && T->subject_codes && !code[0]) {
        s_report_skip(T->rt, "第%u行 %s：功能分类小计行（不写入）", row + 1, name);
        return;
    } else if (t == TABLE_PROJECTS && !code[0] && s_all_digits(name)) {
        /* 东西湖 表10 line "31": a number where the project's name goes is no project */
        s_report_skip(T->rt, "第%u行 %s：名称是数字，不是项目（不写入）", row + 1, name);
        return;
    } else if (t == TABLE_PROJECTS) {
        if (!name[0]) {
            s_error(c, T->g, row, T->code_col, code, "项目没有名称");
            return;
        }
        snprintf(rowid, sizeof rowid, "P%02d", ++T->proj_main);
    } else if (code[0]) {
        if (!s_all_digits(code)) {
            s_error(c, T->g, row, T->code_col, code, "科目编码不是数字");
            return;
        }
        if (strlen(code) > SUBMISSION_ROW_MAX) {
            s_error(c, T->g, row, T->code_col, code, "科目编码过长");
            return;
        }
        utf8_copy(rowid, sizeof rowid, code);
    } else {
        s_report_skip(T->rt, "第%u行 %s：没有科目编码（不写入）", row + 1, name);
        return;
    }
    s_emit_row(T, ent, rowid, name, row, 0, am);
    /* the unit this line belongs to: the unit line above it, else its own 单位代码 cell */
    const char *unit = T->unit;
    if (!unit[0] && rowunit[0] && !total) rowunit = s_unit_slip(T, rowunit, row);
    if (!unit[0] && rowunit[0] && strcmp(rowunit, ent) != 0 && !total &&
        (c->opts->hierarchy ? hierarchy_find(c->opts->hierarchy, rowunit) != NULL : s_starts(rowunit, ent))) {
        unit = rowunit;
        if (T->pending) {             /* the line above named the unit's total */
            utf8_copy(T->unit, sizeof T->unit, rowunit);
            T->proj_unit = 0;
            T->pending = false;
            s_emit_row(T, T->unit, "total", T->pending_name, T->pending_row, 0, T->pending_am);
            s_pending_copy(T);
            unit = T->unit;
        }
    }
    if (unit[0] && !total) {
        char urow[SUBMISSION_ROW_MAX + 1];
        if (t == TABLE_PROJECTS) snprintf(urow, sizeof urow, "P%02d", ++T->proj_unit);
        else s_put(urow, sizeof urow, rowid);
        s_emit_row(T, unit, urow, name, row, 0, am);
    }
}

/* Pads a numeric 款/项 part Excel stored as a number (5 -> "05"). */
static void s_code_part(const grid_cell_t *cell, char *out, size_t outlen, size_t width)
{
    char t[S_TEXT_MAX];
    s_norm(cell ? cell->text : "", t, sizeof t);
    if (s_ends(t, ".0")) t[strlen(t) - 2] = '\0';
    if (s_all_digits(t) && strlen(t) < width) {
        char padded[S_TEXT_MAX];
        size_t pad = width - strlen(t);
        memset(padded, '0', pad);
        memcpy(padded + pad, t, strlen(t) + 1);
        utf8_copy(out, outlen, padded);
    } else {
        s_put(out, outlen, t);
    }
}

/* Whether an amount-less row is the first line of the body, not a header row: a row label
 * (合计, 收入总计, 一般公共预算拨款收入, 公务接待费 ...) right under a name header (项目,
 * 项目名称, 科目名称) -- an empty template (huizong template) has no amounts to end its
 * header. */
static bool s_body_row(const grid_t *g, uint32_t row)
{
    for (size_t i = s_row_first(g, row); i < g->count && g->cells[i].row == row; i++) {
        char t[S_TEXT_MAX], above[S_TEXT_MAX];
        s_norm(g->cells[i].text, t, sizeof t);
        const char *label = s_strip_ordinal(t);
        bool found = strcmp(label, "合计") == 0 || strcmp(label, "总计") == 0 || s_fiscal_label_row(label);
        if (!found) s_vocab_row(VOCAB_SUMMARY_ROWS, VOCAB_NSUMMARY_ROWS, label, &found);
        if (!found) s_vocab_row(VOCAB_THREE_PUBLIC, VOCAB_NTHREE_PUBLIC, label, &found);
        if (!found) continue;
        s_text_at(g, row - 1, g->cells[i].col, above, sizeof above);
        if (strstr(above, "名称") || strcmp(above, "项目") == 0) return true;
    }
    return false;
}

static void s_table_run(s_ctx *c, const s_block *b)
{
    recognise_report_t *rep = c->rep;
    if (rep->ntables == rep->captables) {
        size_t cap = rep->captables ? rep->captables * 2 : 16;
        recognised_table_t *nt = realloc(rep->tables, cap * sizeof *nt);
        if (!nt) { s_error(c, b->grid, b->r0, -1, NULL, "内存不足"); return; }
        rep->tables = nt;
        rep->captables = cap;
    }
    recognised_table_t *rt = &rep->tables[rep->ntables++];
    memset(rt, 0, sizeof *rt);
    s_put(rt->grid, sizeof rt->grid, b->grid->name);
    s_put(rt->title, sizeof rt->title, b->title);
    rt->table = b->table;

    /* all zero but cols[1..]: a column is cleared when the header adds it (only [0, ncols)
     * is read, and cols[0] when there is none); zeroing all S_COLS_MAX of them cost ~15k
     * instructions per table, more than a small table's recognition */
    s_table *T = malloc(sizeof *T);
    if (!T) { s_error(c, b->grid, b->r0, -1, NULL, "内存不足"); return; }
    memset(T, 0, offsetof(s_table, cols) + sizeof T->cols[0]);
    memset((char *)T + offsetof(s_table, header_r0), 0, sizeof *T - offsetof(s_table, header_r0));
    T->c = c;
    T->b = b;
    T->rt = rt;
    T->g = b->grid;
    /* a page continuing the table before: its lines stand under that table's unit line */
    if (b->continued) utf8_copy(T->unit, sizeof T->unit, c->last_table_unit);
    const grid_t *g = b->grid;

    /* preamble: 编制单位, unit, labels; the header starts at the first other row */
    const vocab_unit_t *unit = NULL;
    uint32_t r = b->first, hstart = UINT32_MAX;
    for (; r <= b->r1; r++) {
        char first[S_TEXT_MAX], org[256];
        int n = s_row_texts(g, r, first, sizeof first, NULL);
        if (n == 0) continue;
        const vocab_unit_t *u = s_unit_line(g, r);
        if (u) unit = u;
        if (u || s_org_line(g, r, org, sizeof org)) continue;
        if (n == 1 && (s_starts(first, "表") || (first[0] == '(' && s_year_of(first)))) continue;
        hstart = r;
        break;
    }
    if (unit) {
        T->fpu = unit->fen;
        s_put(rt->unit, sizeof rt->unit, unit->label);
    } else if (c->last_fen_per_unit) {
        T->fpu = c->last_fen_per_unit;
        s_put(rt->unit, sizeof rt->unit, c->last_unit);
        s_report_skip(rt, "没有单位行：沿用上一张表的单位 %s", c->last_unit);
    } else {
        s_error(c, g, b->r0, 0, b->title, "表格没有单位行（单位：元 / 万元），无法换算金额");
        free(T);
        return;
    }
    rt->fen_per_unit = T->fpu;
    c->last_fen_per_unit = T->fpu;
    s_put(c->last_unit, sizeof c->last_unit, rt->unit);
    if (hstart == UINT32_MAX) {
        s_report_skip(rt, "表格没有内容");
        free(T);
        return;
    }

    /* header rows: up to four rows without data, notes or blank lines */
    uint32_t hend = hstart;
    for (uint32_t h = hstart; h <= b->r1 && h < hstart + S_HEADER_ROWS_MAX; h++) {
        bool data = false, any = false;
        for (size_t i = s_row_first(g, h); i < g->count && g->cells[i].row == h; i++) {
            char t[S_TEXT_MAX];
            s_norm(g->cells[i].text, t, sizeof t);
            if (!t[0]) continue;
            any = true;
            if (s_data_like(&g->cells[i], t) || s_note(t)) data = true;
        }
        if (!any || data || (h > hstart && s_body_row(g, h))) break;
        hend = h;
    }
    T->header_r0 = hstart;
    T->header_r1 = hend;

    /* columns */
    uint32_t maxcol = 0;
    for (size_t i = s_row_first(g, hstart); i < g->count && g->cells[i].row <= b->r1; i++)
        if (g->cells[i].col + 1 > maxcol) maxcol = g->cells[i].col + 1;
    for (size_t m = 0; m < g->nmerges; m++)
        if (g->merges[m].r0 >= hstart && g->merges[m].r0 <= hend && g->merges[m].c1 + 1 > maxcol)
            maxcol = g->merges[m].c1 + 1;
    if (maxcol > S_COLS_MAX) {
        /* named at the farthest cell (a sheet claiming XFD1048576 is refused there) */
        uint32_t fr = hstart, fc = 0;
        for (size_t i = s_row_first(g, hstart); i < g->count && g->cells[i].row <= b->r1; i++)
            if (g->cells[i].col >= fc) fr = g->cells[i].row, fc = g->cells[i].col;
        s_error(c, g, fr, (int)fc, NULL, "表格列数过多（%u 列，上限 %d）", maxcol, S_COLS_MAX);
        free(T);
        return;
    }
    bool basic_only = strstr(b->title, "基本支出") != NULL;
    T->code_col = T->name_col = -1;
    T->last_row = UINT32_MAX - 1;
    T->last_first = SIZE_MAX;
    bool unit_code_col = false;
    int name_cols = 0;
    for (uint32_t col = 0; col < maxcol; col++) {
        char parts[S_HEADER_ROWS_MAX][S_TEXT_MAX];
        int np = 0;
        for (uint32_t h = hstart; h <= hend; h++) {
            char t[S_TEXT_MAX];
            s_text_at(g, h, col, t, sizeof t);
            /* a group heading without merge info (CSV): it covers the empty cells to its
             * right that have sub-headings below */
            if (!t[0] && h < hend && !grid_merge_at(g, h, col)) {
                char below[S_TEXT_MAX] = "";
                for (uint32_t h2 = h + 1; h2 <= hend && !below[0]; h2++) s_text_at(g, h2, col, below, sizeof below);
                for (uint32_t l = col; below[0] && l-- > 0;) {
                    char left[S_TEXT_MAX];
                    s_text_at(g, h, l, left, sizeof left);
                    if (!left[0]) continue;
                    char lbelow[S_TEXT_MAX] = "";
                    for (uint32_t h2 = h + 1; h2 <= hend && !lbelow[0]; h2++) s_text_at(g, h2, l, lbelow, sizeof lbelow);
                    if (lbelow[0]) s_put(t, sizeof t, left);
                    break;
                }
            }
            if (!t[0]) continue;
            if (np > 0 && strcmp(parts[np - 1], t) == 0) continue;
            s_put(parts[np++], S_TEXT_MAX, t);
        }
        recognised_column_t *rc = &T->cols[T->ncols];
        memset(rc, 0, sizeof *rc);
        rc->grid_col = col;
        /* the parts joined by "/", cut when full (as the snprintf chain it replaces cut) */
        size_t used = 0;
        for (int i = 0; i < np && used + 1 < sizeof rc->header; i++) {
            if (i) rc->header[used++] = '/';
            size_t n = strlen(parts[i]), room = sizeof rc->header - 1 - used;
            if (n > room) n = room;
            memcpy(rc->header + used, parts[i], n);
            used += n;
        }
        rc->header[used] = '\0';
        s_utf8_trim(rc->header);
        s_identify(b->table, basic_only, parts, np, rc);
        if (strcmp(rc->role, "name") == 0 && name_cols++ == 0) T->name_col = (int)col;
        if (strcmp(rc->role, "code") == 0 || strcmp(rc->role, "类") == 0) T->code_col = (int)col;
        if (strcmp(rc->role, "code") == 0 && strstr(rc->header, "单位")) unit_code_col = true;
        T->ncols++;
    }
    /* a 单位代码 column beside the subject codes (类/款/项 or 科目编码) says per line which
     * unit it belongs to (达州 部门支出总表) */
    for (uint32_t k = 0; k < T->ncols; k++)
        if (strcmp(T->cols[k].role, "类") == 0 ||
            (strcmp(T->cols[k].role, "code") == 0 && strstr(T->cols[k].header, "科目")))
            T->subject_codes = true;
    if (unit_code_col) {
        bool subject = false;
        for (uint32_t k = 0; k < T->ncols; k++)
            if (strcmp(T->cols[k].role, "类") == 0 ||
                (strcmp(T->cols[k].role, "code") == 0 && !strstr(T->cols[k].header, "单位")))
                subject = true;
        if (subject) {
            unit_code_col = false;
            T->has_unit_col = true;
            for (uint32_t k = 0; k < T->ncols; k++)
                if (strcmp(T->cols[k].role, "code") == 0 && strstr(T->cols[k].header, "单位"))
                    T->cols[k].role = "unit";
        }
    }
    /* double layout: the second name column starts the expense side */
    bool dbl = b->table == TABLE_SUMMARY || b->table == TABLE_FISCAL;
    if (dbl) {
        int seen = 0;
        for (uint32_t k = 0; k < T->ncols; k++) {
            if (strcmp(T->cols[k].role, "name") == 0) seen++;
            T->cols[k].side = seen >= 2 ? 1 : 0;
            if (b->table == TABLE_FISCAL && T->cols[k].side == 0 && strcmp(T->cols[k].role, "amount") == 0)
                T->cols[k].column = COL_TOTAL;
        }
        if (name_cols != 2)
            s_error(c, g, hstart, 0, NULL, "%s：收支两栏表应有两个“项目”列，找到 %d 个", b->title, name_cols);
    }
    /* the same column id twice on one side: the later one repeats it (达州 合计/小计) */
    for (uint32_t k = 0; k < T->ncols; k++)
        for (uint32_t j = 0; j < k; j++)
            if (strcmp(T->cols[k].role, "amount") == 0 && strcmp(T->cols[j].role, "amount") == 0 &&
                T->cols[k].column == T->cols[j].column && T->cols[k].side == T->cols[j].side &&
                strcmp(T->cols[k].row, T->cols[j].row) == 0) {
                T->cols[k].role = "repeat";
                break;
            }
    char ref0[16], ref1[16];
    snprintf(rt->range, sizeof rt->range, "%s:%s", grid_cell_ref(b->r0, 0, ref0),
             grid_cell_ref(b->r1, maxcol ? maxcol - 1 : 0, ref1));
    rt->columns = calloc(T->ncols ? T->ncols : 1, sizeof *rt->columns);
    if (rt->columns) {
        memcpy(rt->columns, T->cols, T->ncols * sizeof *T->cols);
        rt->ncolumns = T->ncols;
    }

    /* data rows */
    s_amount am[S_COLS_MAX];
    char last_cls[16] = "", last_kuan[16] = "";
    for (uint32_t row = hend + 1; row <= b->r1; row++) {
        char first[S_TEXT_MAX];
        if (!s_row_first_text(g, row, first, sizeof first)) continue;
        if (s_note(first)) {
            s_report_skip(rt, "第%u行 %.120s：说明（跳过）", row + 1, first);
            continue;
        }
        if (s_unit_line(g, row) || s_label_row(g, row)) continue;
        if (strcmp(first, "栏次") == 0 || strcmp(first, "行次") == 0) {
            s_report_skip(rt, "第%u行：栏次行（跳过）", row + 1);
            continue;
        }
        if (s_header_repeat(T, row)) {
            s_report_skip(rt, "第%u行：表头重复（分页）", row + 1);
            continue;
        }
        bool bad = false;
        char code[S_TEXT_MAX] = "", names[2][S_TEXT_MAX] = { "", "" }, cls[16] = "", kuan[16] = "", xiang[16] = "";
        char rowunit[SUBMISSION_ENTITY_MAX + 1] = "";
        bool split = false;
        /* the row's cells in column order, walked beside the columns (also in column
         * order) instead of one binary search of the grid per column */
        size_t ci = s_row_first(g, row);
        for (uint32_t k = 0; k < T->ncols; k++) {
            recognised_column_t *col = &T->cols[k];
            am[k].state = 1;
            const char *role = col->role;
            assert(k == 0 || col->grid_col > T->cols[k - 1].grid_col);
            while (ci < g->count && g->cells[ci].row == row && g->cells[ci].col < col->grid_col) ci++;
            const grid_cell_t *cell = ci < g->count && g->cells[ci].row == row &&
                                      g->cells[ci].col == col->grid_col ? &g->cells[ci] : NULL;
            if (strcmp(role, "amount") == 0) {
                int rc = s_amount_at(T, row, col->grid_col, cell, &am[k].fen);
                if (rc < 0) bad = true;
                am[k].state = rc == 0 ? 0 : 1;
                if (rc == 0) am[k].unit = s_printed_unit(T, cell);
            } else if (strcmp(role, "code") == 0) {
                if (!code[0]) s_code_part(cell, code, sizeof code, 0);
            } else if (strcmp(role, "unit") == 0) {
                char t[S_TEXT_MAX];
                s_code_part(cell, t, sizeof t, 0);
                utf8_copy(rowunit, sizeof rowunit, t);
            } else if (strcmp(role, "类") == 0) {
                split = true;
                s_code_part(cell, cls, sizeof cls, 3);
            } else if (strcmp(role, "款") == 0) {
                split = true;
                s_code_part(cell, kuan, sizeof kuan, 2);
            } else if (strcmp(role, "项") == 0) {
                split = true;
                s_code_part(cell, xiang, sizeof xiang, 2);
            } else if (strcmp(role, "name") == 0) {
                char t[S_TEXT_MAX];
                s_norm(cell ? cell->text : "", t, sizeof t);
                int side = dbl ? col->side : 0;
                if (!names[side][0]) s_put(names[side], sizeof names[side], s_strip_ordinal(t));
            }
        }
        if (bad) continue;
        if (split && !code[0]) {
            /* 类/款/项 in three columns: a blank 类 (or 款) repeats the line above */
            if (!cls[0] && (kuan[0] || xiang[0])) s_put(cls, sizeof cls, last_cls);
            if (!kuan[0] && xiang[0]) s_put(kuan, sizeof kuan, last_kuan);
            if (cls[0]) s_put(last_cls, sizeof last_cls, cls);
            if (kuan[0]) s_put(last_kuan, sizeof last_kuan, kuan);
            snprintf(code, sizeof code, "%s%s%s", cls, kuan[0] ? kuan : "", kuan[0] ? xiang : "");
        }
        rt->rows_read++;
        if (dbl) {
            s_double_side(T, row, 0, names[0], am);
            s_double_side(T, row, 1, names[1], am);
        } else {
            s_single_row(T, row, code, names[0], unit_code_col, rowunit, am);
        }
    }
    if (dbl) s_double_finish(T);
    if (rt->facts == 0 && T->c->entity[0] && s_block_says_empty(T)) s_emit_empty(T);
    utf8_copy(c->last_table_unit, sizeof c->last_table_unit, T->unit);
    free(T);
}

/* Drops a table number or ordinal before a normalised title ("表5-1…", "表1.", "一、"). */
static void s_title_strip(const char *first, char *out, size_t outlen)
{
    const char *t = first;
    if (s_starts(t, "表")) {
        const char *q = t + strlen("表");
        while ((*q >= '0' && *q <= '9') || *q == '-' || *q == '.') q++;
        if (q > t + strlen("表")) t = q;
    }
    while (*t >= '0' && *t <= '9') {            /* "1." / "10." before a title */
        const char *q = t;
        while (*q >= '0' && *q <= '9') q++;
        if (*q == '.') t = q + 1;
        break;
    }
    s_put(out, outlen, s_strip_ordinal(t));
}

int recognise_title(const char *text, table_id *table)
{
    char n[S_TEXT_MAX], stripped[S_TEXT_MAX];
    s_norm(text, n, sizeof n);
    s_title_strip(n, stripped, sizeof stripped);
    return s_title_classify(stripped, table);
}

/* ---- pass 1: blocks ---- */

/* A page of a document whose rows 0..r1 hold a table row (two cells or more) before any
 * title continues the table of the page before (its header repeated, no title): appends a
 * block over those rows for prev's table. 0, or -1 when memory runs out. */
static int s_continuation(s_block **v, size_t *nv, size_t *cap, const grid_t *g, uint32_t r1,
                          const s_block *prev)
{
    bool rows = false;
    for (uint32_t r = 0; r <= r1 && r < g->rows && !rows; r++)
        rows = s_row_texts(g, r, NULL, 0, NULL) >= 2;
    if (!rows) return 0;
    s_block b = *prev;
    b.continued = true;
    b.grid = g;
    b.r0 = 0;
    b.first = 0;
    b.r1 = r1;
    if (*nv == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        s_block *nb = realloc(*v, nc * sizeof *nb);
        if (!nb) return -1;
        *v = nb;
        *cap = nc;
    }
    (*v)[(*nv)++] = b;
    return 0;
}

/* Appends the block of table tid titled title (normalised), rows r0 (title) .. r1, its
 * content from first. 0 or -1 (no memory; *v unchanged). */
static int s_block_add(s_block **v, size_t *nv, size_t *cap, const grid_t *g, uint32_t r0,
                       uint32_t first, uint32_t r1, table_id tid, const char *title)
{
    if (*nv == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        s_block *nb = realloc(*v, nc * sizeof *nb);
        if (!nb) return -1;
        *v = nb;
        *cap = nc;
    }
    s_block *b = &(*v)[(*nv)++];
    memset(b, 0, sizeof *b);
    b->grid = g;
    b->r0 = r0;
    b->first = first;
    b->r1 = r1;
    b->table = tid;
    utf8_copy(b->title, sizeof b->title, title);
    b->year = s_year_of(title);
    return 0;
}

static int s_find_blocks(grid_t *const *grids, size_t n, bool continued, s_block **out,
                         size_t *nout)
{
    s_block *v = NULL;
    size_t nv = 0, cap = 0;
    for (size_t gi = 0; gi < n; gi++) {
        grid_t *g = grids[gi];
        grid_finish(g);
        size_t start = nv;
        uint32_t prev_row = UINT32_MAX;
        for (size_t i = 0; i < g->count; i++) {
            uint32_t row = g->cells[i].row;
            if (row == prev_row) continue;
            prev_row = row;
            char first[S_TEXT_MAX];
            if (!s_title_text(g, row, first, sizeof first)) continue;
            char stripped[S_TEXT_MAX];
            s_title_strip(first, stripped, sizeof stripped);
            table_id tid;
            if (!s_title_classify(stripped, &tid)) continue;
            if (s_block_add(&v, &nv, &cap, g, row, row + 1, g->rows ? g->rows - 1 : row, tid,
                            stripped) != 0) { free(v); return -1; }
            if (nv - 1 > start) v[nv - 2].r1 = row - 1;
        }
        if (nv == start && g->count) {
            /* no title row: a sheet named after its table ("表1 部门收支总表") */
            char n[S_TEXT_MAX], stripped[S_TEXT_MAX];
            table_id tid;
            s_norm(g->name, n, sizeof n);
            s_title_strip(n, stripped, sizeof stripped);
            if (s_title_classify(stripped, &tid) &&
                s_block_add(&v, &nv, &cap, g, 0, 0, g->rows - 1, tid, stripped) != 0) {
                free(v);
                return -1;
            }
        }
        if (continued && start > 0 && g->count && (nv == start || v[start].r0 > 0)) {
            /* rows above the page's first title (or a page without one) continue the table
             * of the page before; the block goes before this page's own blocks */
            s_block prev = v[start - 1];
            uint32_t r1 = nv == start ? g->rows - 1 : v[start].r0 - 1;
            size_t before = nv;
            if (prev.grid != g && s_continuation(&v, &nv, &cap, g, r1, &prev) != 0) {
                free(v);
                return -1;
            }
            if (nv > before && before > start) {
                s_block cont = v[nv - 1];
                memmove(&v[start + 1], &v[start], (before - start) * sizeof *v);
                v[start] = cont;
            }
        }
        for (size_t k = start; k < nv; k++) {
            s_block *b = &v[k];
            if (b->grid != g) continue;
            for (uint32_t r = b->first; r <= b->r1 && r < b->first + 5; r++) {
                if (!b->org[0]) s_org_line(g, r, b->org, sizeof b->org);
                char first[S_TEXT_MAX];
                if (!b->year && s_row_texts(g, r, first, sizeof first, NULL) == 1 && first[0] == '(')
                    b->year = s_year_of(first);
            }
        }
    }
    *out = v;
    *nout = nv;
    return 0;
}

/* Whether a block has anything under its title before the next one. */
static bool s_block_empty(const s_block *b)
{
    for (uint32_t r = b->first; r <= b->r1; r++)
        if (s_row_texts(b->grid, r, NULL, 0, NULL) > 0) return false;
    return true;
}

/* ---- the cover ---- */

#define S_COVER_ROWS 8           /* a cover's title stands in the first rows of its sheet */

/* The organisation and year a cover names ("达州市医疗保障事务中心 2023 年部门预算", or
 * "2024 年度" / "宁德市医疗保障局" / "部门预算" on three rows): the first rows of each grid,
 * consecutive one-text rows joined, up to "部门预算". org "" / *year 0 when there is none. */
static void s_cover(grid_t *const *grids, size_t n, char *org, size_t orglen, uint32_t *year)
{
    org[0] = '\0';
    *year = 0;
    for (size_t gi = 0; gi < n && !org[0]; gi++) {
        const grid_t *g = grids[gi];
        char joined[S_TEXT_MAX] = "";
        for (uint32_t r = 0; r < g->rows && r < S_COVER_ROWS; r++) {
            char first[S_TEXT_MAX];
            int k = s_row_texts(g, r, first, sizeof first, NULL);
            if (k != 1) { joined[0] = '\0'; continue; }
            if (strlen(joined) + strlen(first) + 1 >= sizeof joined) joined[0] = '\0';
            strcat(joined, first);
            char *at = strstr(joined, "部门预算");
            if (!at) continue;
            *at = '\0';
            uint32_t y = s_year_of(joined);
            if (!y) { joined[0] = '\0'; continue; }
            /* the name is what is left without "YYYY年(度)" */
            char name[S_TEXT_MAX] = "";
            for (const char *p = joined; *p;) {
                if (isdigit((unsigned char)*p) && s_year_of(p) == (uint32_t)atoi(p) && atoi(p) == (int)y) {
                    p += 4 + strlen("年");
                    if (s_starts(p, "度")) p += strlen("度");
                    continue;
                }
                size_t l = strlen(name);
                if (l + 2 < sizeof name) { name[l] = *p; name[l + 1] = '\0'; }
                p++;
            }
            if (s_ends(name, "部门")) name[strlen(name) - strlen("部门")] = '\0';
            utf8_copy(org, orglen, name);
            *year = y;
            break;
        }
    }
}

/* The entity/year groups of the facts, in the order they first appear. */
static void s_report_submissions(recognise_report_t *r, const s_ctx *c, uint32_t year)
{
    for (size_t i = 0; i < c->nfacts; i++) {
        size_t k = 0;
        while (k < r->nsubmissions && strcmp(r->submissions[k].entity, c->facts[i].entity) != 0) k++;
        if (k == r->nsubmissions) {
            recognised_submission_t *v = realloc(r->submissions, (k + 1) * sizeof *v);
            if (!v) return;
            r->submissions = v;
            memset(&v[k], 0, sizeof v[k]);
            s_put(v[k].entity, sizeof v[k].entity, c->facts[i].entity);
            v[k].year = year;
            r->nsubmissions++;
        }
        r->submissions[k].facts++;
    }
}

/* ---- the entry point ---- */

int recognise_grids(grid_t *const *grids, size_t n, const recognise_opts_t *opts,
                    submission_list_t *list, recognise_report_t *report)
{
    assert(opts && list && report);
    s_ctx c;
    memset(&c, 0, sizeof c);
    c.opts = opts;
    c.rep = report;
    c.file = opts->file ? opts->file : "";
    s_block *blocks = NULL;
    size_t nb = 0;
    if (s_find_blocks(grids, n, opts->continued_pages, &blocks, &nb) != 0) {
        s_error(&c, NULL, 0, -1, NULL, "内存不足");
        return -1;
    }

    /* year and entity (names from 编制单位 lines first, then titles) */
    uint32_t year = opts->year;
    for (size_t i = 0; i < nb && !year; i++)
        if (blocks[i].table != TABLE_NONE && blocks[i].year) year = blocks[i].year;
    for (size_t i = 0; i < nb && !year; i++) year = blocks[i].year;
    char cover_org[256];
    uint32_t cover_year;
    s_cover(grids, n, cover_org, sizeof cover_org, &cover_year);
    if (!year) year = cover_year;
    size_t known = 0;
    for (size_t i = 0; i < nb; i++) known += blocks[i].table != TABLE_NONE;
    if (known == 0 && (nb > 0 || cover_org[0])) {
        /* a cover, or only tables without a v1 id (政府采购支出表 ...): nothing to read, and
         * no error, so such a file can go with the others of its document (宿州 封面.csv);
         * the collector says so when no file gave a figure */
    } else if (known == 0) {
        s_error(&c, NULL, 0, -1, NULL, "没有找到可识别的预算表（按表题识别，如“部门收支总表”“一般公共预算支出表”）");
    } else {
        if (!year) s_error(&c, NULL, 0, -1, NULL, "表题中没有年度（如“2024年”），请用 --year 指定");
        for (size_t i = 0; i < nb && year; i++)   /* one document, one year */
            if (blocks[i].table != TABLE_NONE && blocks[i].year && blocks[i].year != year)
                s_error(&c, blocks[i].grid, blocks[i].r0, 0, blocks[i].title, "表题年度 %u 与%s %u 不一致",
                        blocks[i].year, opts->year ? " --year" : "其他表题的年度", year);
        const char **names = calloc(2 * nb + 1, sizeof *names);
        char (*orgs)[256] = calloc(nb + 1, sizeof *orgs);
        size_t nn = 0;
        if (names && orgs) {
            for (size_t i = 0; i < nb; i++)
                if (blocks[i].org[0] && blocks[i].table != TABLE_NONE) names[nn++] = blocks[i].org;
            for (size_t i = 0; i < nb; i++) {
                if (blocks[i].table == TABLE_NONE) continue;
                s_title_org(blocks[i].title, orgs[i], sizeof orgs[i]);
                if (orgs[i][0]) names[nn++] = orgs[i];
            }
            if (cover_org[0]) names[nn++] = cover_org;   /* the spare slot */
            s_resolve_entity(&c, names, nn);
        }
        free(names);
        free(orgs);
    }
    if (report->nerrors == 0) {
        for (size_t i = 0; i < nb; i++) {
            const s_block *b = &blocks[i];
            if (b->table == TABLE_NONE) {
                s_report_block(report, "%s!%u行 %s（无对应表，跳过）", b->grid->name, b->r0 + 1, b->title);
                continue;
            }
            if (s_block_empty(b)) continue;            /* a heading above the real title */
            s_table_run(&c, b);
        }
    }
    s_put(report->entity, sizeof report->entity, c.entity);
    report->year = year;
    free(blocks);

    /* across files: a fact already in the list is an error (invariant 4). Each existing
     * submission of this file's entities is looked up once and sorted for the search. */
    if (report->nerrors == 0) {
        enum { S_CACHE = 8 };
        const char *keys[S_CACHE] = { 0 };
        submission_t *subs[S_CACHE] = { 0 };
        size_t ncache = 0;
        char fw[64];
        for (size_t i = 0; i < c.nfacts; i++) {
            s_fact *f = &c.facts[i];
            submission_t *s = NULL;
            size_t k = 0;
            for (; k < ncache; k++)
                if (strcmp(keys[k], f->entity) == 0) { s = subs[k]; break; }
            if (k == ncache) {
                for (size_t j = 0; j < list->count && !s; j++)
                    if (list->items[j]->year == year && strcmp(list->items[j]->entity, f->entity) == 0)
                        s = list->items[j];
                if (s && s->count) submission_sort(s);
                if (ncache < S_CACHE) { keys[ncache] = f->entity; subs[ncache++] = s; }
            }
            if (s && s->count && submission_find(s, f->table, f->row, f->column))
                s_error(&c, NULL, 0, -1, NULL, "%s：%s %s 行 %s 列 %s 已由 %s 给出（同一事实不能给两次）",
                        s_fact_where(f, fw, sizeof fw), f->entity, table_name(f->table), f->row, column_name(f->column),
                        s->source ? s->source : "");
        }
    }
    int rc = 0;
    if (report->nerrors == 0) {
        submission_t *last = NULL;   /* facts come in runs of one entity: look up once a run */
        for (size_t i = 0; i < c.nfacts; i++) {
            s_fact *f = &c.facts[i];
            submission_t *s = last && strcmp(last->entity, f->entity) == 0 ? last
                                                                             : submission_list_get(list, f->entity, year);
            if (!s) { rc = -1; break; }
            last = s;
            if (!s->id[0]) submission_new_id(s->id);
            if (!s->source || !s->source[0]) {
                const char *base = strrchr(c.file, '/');
                submission_set_source(s, base ? base + 1 : c.file);
            }
            if (submission_add_unit(s, f->table, f->row, f->column, f->fen, f->name, f->line, f->unit) != 0) {
                rc = -1;
                break;
            }
        }
    }
    if (report->nerrors == 0) s_report_submissions(report, &c, year);
    for (size_t i = 0; i < c.nfacts; i++) free(c.facts[i].name);
    free(c.facts);
    free(c.slots);
    recognise_names_destroy(&c.own_names);
    if (rc != 0) s_error(&c, NULL, 0, -1, NULL, "内存不足");
    return report->nerrors ? -1 : 0;
}

/* ---- printing the mapping ---- */

void recognise_report_print_text(const recognise_report_t *r, FILE *out)
{
    recognise_report_print_mapping(r, out);
    size_t kept = r->nerrors < RECOGNISE_ERRORS_MAX ? r->nerrors : RECOGNISE_ERRORS_MAX;
    for (size_t i = 0; i < kept; i++) fprintf(out, "  错误：%s\n", r->errors[i]);
    if (r->nerrors > kept) fprintf(out, "  ……另有 %zu 个错误\n", r->nerrors - kept);
}

void recognise_report_print_mapping(const recognise_report_t *r, FILE *out)
{
    fprintf(out, "识别结果：单位 %s，年度 %u，%zu 张表", r->entity[0] ? r->entity : "?", r->year,
            r->ntables);
    for (size_t i = 0; i < r->nsubmissions; i++)
        fprintf(out, "%s%s %zu 个数", i ? "，" : "（", r->submissions[i].entity, r->submissions[i].facts);
    fputs(r->nsubmissions ? "）\n" : "\n", out);
    for (size_t i = 0; i < r->ntables; i++) {
        const recognised_table_t *t = &r->tables[i];
        fprintf(out, "  %s!%s  %s → %s（%s），单位：%s，读取 %zu 行，%zu 个数\n", t->grid, t->range,
                t->title, table_name(t->table), table_label(t->table), t->unit, t->rows_read, t->facts);
        for (size_t k = 0; k < t->ncolumns; k++) {
            const recognised_column_t *c = &t->columns[k];
            char ref[16];
            grid_cell_ref(0, c->grid_col, ref);
            ref[strcspn(ref, "0123456789")] = '\0';
            if (strcmp(c->role, "amount") == 0)
                fprintf(out, "    列 %s「%s」→ %s%s%s\n", ref, c->header, column_name(c->column),
                        c->row[0] ? " 行 " : "", c->row);
            else if (strcmp(c->role, "ignored") == 0)
                fprintf(out, "    列 %s「%s」→ 未识别的列（未读取）\n", ref, c->header[0] ? c->header : "无列名");
            else if (strcmp(c->role, "subtotal") == 0)
                fprintf(out, "    列 %s「%s」→ v1 无对应列（未读取）\n", ref, c->header);
            else if (strcmp(c->role, "repeat") == 0)
                fprintf(out, "    列 %s「%s」→ 重复的列（未读取）\n", ref, c->header);
            else
                fprintf(out, "    列 %s「%s」→ %s\n", ref, c->header,
                        strcmp(c->role, "name") == 0 ? "名称" : strcmp(c->role, "code") == 0 ? "编码" :
                        strcmp(c->role, "unit") == 0 ? "各行所属单位代码" : c->role);
        }
        for (size_t k = 0; k < t->nskipped; k++) fprintf(out, "    跳过：%s\n", t->skipped[k]);
    }
    for (size_t i = 0; i < r->nskipped_blocks; i++) fprintf(out, "  跳过：%s\n", r->skipped_blocks[i]);
    if (r->ntables == 0 && r->nerrors == 0) fprintf(out, "  没有数字：文件中没有可读取的表\n");
}

static void s_json_strv(FILE *out, const char *key, char **v, size_t n)
{
    fprintf(out, "\"%s\":[", key);
    for (size_t i = 0; i < n; i++) {
        if (i) fputc(',', out);
        json_write_string(out, v[i]);
    }
    fputc(']', out);
}

void recognise_report_print_json(const recognise_report_t *r, FILE *out)
{
    fprintf(out, "{\"entity\":");
    json_write_string(out, r->entity);
    fprintf(out, ",\"year\":%u,\"submissions\":[", r->year);
    for (size_t i = 0; i < r->nsubmissions; i++) {
        fprintf(out, "%s{\"entity\":", i ? "," : "");
        json_write_string(out, r->submissions[i].entity);
        fprintf(out, ",\"year\":%u,\"facts\":%zu}", r->submissions[i].year, r->submissions[i].facts);
    }
    fputs("],\"tables\":[", out);
    for (size_t i = 0; i < r->ntables; i++) {
        const recognised_table_t *t = &r->tables[i];
        if (i) fputc(',', out);
        fprintf(out, "{\"grid\":");
        json_write_string(out, t->grid);
        fprintf(out, ",\"range\":");
        json_write_string(out, t->range);
        fprintf(out, ",\"title\":");
        json_write_string(out, t->title);
        fprintf(out, ",\"table\":");
        json_write_string(out, table_name(t->table));
        fprintf(out, ",\"unit\":");
        json_write_string(out, t->unit);
        fprintf(out, ",\"fen_per_unit\":%lld,\"rows_read\":%zu,\"facts\":%zu,\"columns\":[",
                (long long)t->fen_per_unit, t->rows_read, t->facts);
        for (size_t k = 0; k < t->ncolumns; k++) {
            const recognised_column_t *c = &t->columns[k];
            char ref[16];
            grid_cell_ref(0, c->grid_col, ref);
            ref[strcspn(ref, "0123456789")] = '\0';
            if (k) fputc(',', out);
            fprintf(out, "{\"col\":");
            json_write_string(out, ref);
            fprintf(out, ",\"header\":");
            json_write_string(out, c->header);
            fprintf(out, ",\"role\":");
            json_write_string(out, c->role);
            fprintf(out, ",\"column\":");
            json_write_string(out, c->column ? column_name(c->column) : "");
            if (c->row[0]) {
                fprintf(out, ",\"row\":");
                json_write_string(out, c->row);
            }
            fputc('}', out);
        }
        fputs("],", out);
        s_json_strv(out, "skipped", t->skipped, t->nskipped);
        fputc('}', out);
    }
    fputs("],", out);
    s_json_strv(out, "skipped", r->skipped_blocks, r->nskipped_blocks);
    fputc(',', out);
    s_json_strv(out, "errors", r->errors, r->nerrors < RECOGNISE_ERRORS_MAX ? r->nerrors : RECOGNISE_ERRORS_MAX);
    fprintf(out, ",\"error_count\":%zu}\n", r->nerrors);
}
