/* csv.c -- the v1 submission CSV reader (examples/FORMAT.md) and the RFC 4180 primitives.
 *
 * Invariants: a file is read all or nothing -- submissions are built in a private list and
 * moved into the caller's list only when the whole file parsed, so on error the caller's
 * list is untouched. Every error names FILE:LINE (the physical line where the record
 * starts), the column and the reason. Amounts go through amount_parse only (int64 fen).
 * Text is UTF-8 inside the reader; GB18030 input is converted with iconv first.
 */
#include "clock.h"
#include "errors.h"
#include "csv.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "amount.h"

/* ---------------------------------------------------------------- record reader */

void csv_record_init(csv_record_t *rec) { memset(rec, 0, sizeof *rec); }

void csv_record_free(csv_record_t *rec)
{
    free(rec->fields);
    free(rec->buf);
    free(rec->offs);
    csv_record_init(rec);
}

static int rec_putc(csv_record_t *rec, char c)
{
    if (rec->blen == rec->bcap) {
        size_t cap = rec->bcap ? rec->bcap * 2 : 256;
        char *b = realloc(rec->buf, cap);
        if (!b) return -1;
        rec->buf = b;
        rec->bcap = cap;
    }
    rec->buf[rec->blen++] = c;
    return 0;
}

/* Ends the current field: NUL-terminates it and remembers where it started. */
static int rec_end_field(csv_record_t *rec, size_t start)
{
    if (rec_putc(rec, '\0')) return -1;
    if (rec->nfields == rec->fcap) {
        size_t cap = rec->fcap ? rec->fcap * 2 : 16;
        size_t *o = realloc(rec->offs, cap * sizeof *o);
        if (!o) return -1;
        rec->offs = o;
        char **f = realloc(rec->fields, cap * sizeof *f);
        if (!f) return -1;
        rec->fields = f;
        rec->fcap = cap;
    }
    rec->offs[rec->nfields++] = start;
    return 0;
}

/* Consumes one line end (CRLF, LF or a lone CR) at *pos if there is one. */
static bool eat_eol(const char *d, size_t len, size_t *pos, uint32_t *line)
{
    if (*pos < len && d[*pos] == '\r') {
        (*pos)++;
        if (*pos < len && d[*pos] == '\n') (*pos)++;
        (*line)++;
        return true;
    }
    if (*pos < len && d[*pos] == '\n') {
        (*pos)++;
        (*line)++;
        return true;
    }
    return false;
}

int csv_next_record(const char *d, size_t len, size_t *pos, uint32_t *line,
                    csv_record_t *rec, uint32_t *start_line, const char **reason)
{
    while (eat_eol(d, len, pos, line)) {}   /* blank lines */
    if (*pos >= len) return 0;
    *start_line = *line;
    rec->nfields = 0;
    rec->blen = 0;
    for (;;) {
        size_t start = rec->blen;
        if (*pos < len && d[*pos] == '"') {
            (*pos)++;
            for (;;) {
                if (*pos >= len) { *reason = "unterminated quoted field"; return -1; }
                char c = d[*pos];
                if (c == '"') {
                    if (*pos + 1 < len && d[*pos + 1] == '"') {
                        if (rec_putc(rec, '"')) goto oom;
                        *pos += 2;
                        continue;
                    }
                    (*pos)++;
                    break;
                }
                if (c == '\0') { *reason = "NUL byte in the file"; return -1; }
                if (c == '\n') (*line)++;
                else if (c == '\r' && !(*pos + 1 < len && d[*pos + 1] == '\n')) (*line)++;
                if (rec_putc(rec, c)) goto oom;
                (*pos)++;
            }
            if (*pos < len && d[*pos] != ',' && d[*pos] != '\r' && d[*pos] != '\n') {
                *reason = d[*pos] == '\0' ? "NUL byte in the file"
                                          : "unexpected text after a closing quote";
                return -1;
            }
        } else {
            while (*pos < len && d[*pos] != ',' && d[*pos] != '\r' && d[*pos] != '\n') {
                if (d[*pos] == '\0') { *reason = "NUL byte in the file"; return -1; }
                if (rec_putc(rec, d[*pos])) goto oom;
                (*pos)++;
            }
        }
        if (rec_end_field(rec, start)) goto oom;
        if (*pos < len && d[*pos] == ',') { (*pos)++; continue; }
        eat_eol(d, len, pos, line);
        break;
    }
    for (size_t i = 0; i < rec->nfields; i++) rec->fields[i] = rec->buf + rec->offs[i];
    return 1;
oom:
    *reason = "out of memory";
    return -1;
}

size_t csv_bom_length(const char *d, size_t len)
{
    return (len >= 3 && (unsigned char)d[0] == 0xEF && (unsigned char)d[1] == 0xBB &&
            (unsigned char)d[2] == 0xBF) ? 3 : 0;
}

int csv_slurp(const char *path, char **data, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) { snprintf(err, errlen, "%s: %s", path, strerror(errno)); return -1; }
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        char *b = realloc(buf, cap * 2 + 1);
        if (!b) { free(buf); buf = NULL; break; }
        buf = b;
        cap *= 2;
    }
    int failed = ferror(f);
    fclose(f);
    if (!buf) { snprintf(err, errlen, "%s: out of memory", path); return -1; }
    if (failed) { free(buf); snprintf(err, errlen, "%s: read error", path); return -1; }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return 0;
}

void csv_write_field(FILE *f, const char *s)
{
    if (!s) s = "";
    if (!strpbrk(s, ",\"\r\n")) { fputs(s, f); return; }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

csv_encoding csv_encoding_from_name(const char *name)
{
    if (!name) return (csv_encoding)-1;
    if (!strcasecmp(name, "utf-8") || !strcasecmp(name, "utf8")) return CSV_ENCODING_UTF8;
    if (!strcasecmp(name, "gb18030") || !strcasecmp(name, "gbk") || !strcasecmp(name, "gb2312"))
        return CSV_ENCODING_GB18030;
    if (!strcasecmp(name, "auto")) return CSV_ENCODING_AUTO;
    return (csv_encoding)-1;
}

/* ---------------------------------------------------------------- submission reader */

enum { F_ENTITY, F_YEAR, F_TABLE, F_ROW, F_NAME, F_COLUMN, F_AMOUNT, F_COUNT };
static const char *const FIELD_EN[F_COUNT] = { "entity", "year", "table", "row", "name",
                                               "column", "amount" };
static const char *const FIELD_ZH[F_COUNT] = { "单位代码", "年度", "表", "行", "名称",
                                               "列", "金额" };

static uint32_t line_of(const char *d, size_t off)
{
    uint32_t line = 1;
    for (size_t i = 0; i < off; i++)
        if (d[i] == '\n') line++;
    return line;
}

/* Byte offset of the first invalid UTF-8 sequence, or len if all valid. Checked in chunks
 * of whole lines so the validator in submission.c stays the single definition. */
static size_t utf8_invalid_at(const char *d, size_t len)
{
    if (submission_utf8_valid(d, len)) return len;
    size_t start = 0;
    while (start < len) {
        const char *nl = memchr(d + start, '\n', len - start);
        size_t end = nl ? (size_t)(nl - d) + 1 : len;
        if (!submission_utf8_valid(d + start, end - start)) return start;
        start = end;
    }
    return len;
}

/* Converts GB18030 to UTF-8. On invalid input, err names the line. */
static int convert_gb18030(const char *name, const char *d, size_t len, char **out,
                           size_t *outlen, char *err, size_t errlen)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1) return error_set(err, errlen, "%s: iconv cannot convert GB18030", name);
    size_t cap = len * 2 + 16;
    char *buf = malloc(cap);
    if (!buf) { iconv_close(cd); return error_set(err, errlen, "%s: out of memory", name); }
    char *in = (char *)d, *o = buf;
    size_t inleft = len, oleft = cap;
    size_t r = iconv(cd, &in, &inleft, &o, &oleft);
    int e = errno;
    iconv_close(cd);
    if (r == (size_t)-1) {
        free(buf);
        size_t off = (size_t)(in - d);
        if (e == E2BIG) return error_set(err, errlen, "%s: out of memory converting GB18030", name);
        return error_set(err, errlen, "%s:%u: not valid GB18030 (byte %zu of the file)", name,
                    line_of(d, off), off + 1);
    }
    *out = buf;
    *outlen = cap - oleft;
    return 0;
}

static void trim(char **s)
{
    char *p = *s;
    while (*p == ' ' || *p == '\t') p++;
    char *e = p + strlen(p);
    while (e > p && (e[-1] == ' ' || e[-1] == '\t')) e--;
    *e = '\0';
    *s = p;
}

static bool has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F) return true;
    return false;
}

/* Maps the header record to field positions. */
static int read_header(const char *name, csv_record_t *rec, uint32_t line, int pos[F_COUNT],
                       char *err, size_t errlen)
{
    for (int f = 0; f < F_COUNT; f++) pos[f] = -1;
    bool any = false;
    for (size_t i = 0; i < rec->nfields; i++) {
        char *h = rec->fields[i];
        trim(&h);
        int which = -1;
        for (int f = 0; f < F_COUNT; f++)
            if (!strcasecmp(h, FIELD_EN[f]) || !strcmp(h, FIELD_ZH[f])) which = f;
        if (which < 0) continue;
        any = true;
        if (pos[which] >= 0)
            return error_set(err, errlen, "%s:%u: header names column '%s' twice", name, line,
                        FIELD_EN[which]);
        pos[which] = (int)i;
    }
    if (!any)
        return error_set(err, errlen, "%s:%u: missing header (expected entity,year,table,row,name,"
                    "column,amount or 单位代码,年度,表,行,名称,列,金额)", name, line);
    for (size_t i = 0; i < rec->nfields; i++) {
        bool known = false;
        for (int f = 0; f < F_COUNT; f++) known |= pos[f] == (int)i;
        /* Excel leaves unnamed trailing columns (",,"): ignored, their cells unread */
        if (!known && rec->fields[i][strspn(rec->fields[i], " \t")] != '\0')
            return error_set(err, errlen, "%s:%u: header: unknown column '%s'", name, line,
                        rec->fields[i]);
    }
    for (int f = 0; f < F_COUNT; f++)
        if (pos[f] < 0 && f != F_NAME)
            return error_set(err, errlen, "%s:%u: header: missing column '%s'", name, line,
                        FIELD_EN[f]);
    return 0;
}

/* Checks one data record and adds its fact. Returns 0, or -1 with err set. */
static int read_fact(const char *name, csv_record_t *rec, uint32_t line, const int pos[F_COUNT],
                     size_t nheader, submission_list_t *subs, char *err, size_t errlen)
{
    if (rec->nfields != nheader)
        return error_set(err, errlen, "%s:%u: expected %zu fields, found %zu", name, line, nheader,
                    rec->nfields);
    char *v[F_COUNT];
    for (int f = 0; f < F_COUNT; f++) {
        v[f] = pos[f] >= 0 ? rec->fields[pos[f]] : (char *)"";
        if (pos[f] >= 0) trim(&v[f]);
        if (!submission_utf8_valid(v[f], strlen(v[f])))
            return error_set(err, errlen, "%s:%u: column '%s': not valid UTF-8; if the file was "
                        "saved by Chinese Excel, use --encoding gb18030", name, line, FIELD_EN[f]);
        if (f != F_NAME && has_control(v[f]))
            return error_set(err, errlen, "%s:%u: column '%s': contains a control character", name,
                        line, FIELD_EN[f]);
    }
#define BAD(f, ...) do { char why_[256]; snprintf(why_, sizeof why_, __VA_ARGS__); \
        return error_set(err, errlen, "%s:%u: column '%s': %s", name, line, FIELD_EN[f], why_); } while (0)
    if (!*v[F_ENTITY]) BAD(F_ENTITY, "empty");
    if (strlen(v[F_ENTITY]) > SUBMISSION_ENTITY_MAX)
        BAD(F_ENTITY, "longer than %d bytes", SUBMISSION_ENTITY_MAX);
    const char *y = v[F_YEAR];
    if (strlen(y) != 4 || strspn(y, "0123456789") != 4 || y[0] == '0')
        BAD(F_YEAR, "'%s' is not a 4-digit year", y);
    uint32_t year = (uint32_t)atoi(y);
    if (year < 1900) BAD(F_YEAR, "%u is before 1900", year);
    table_id t = table_from_name(v[F_TABLE]);
    if (t == TABLE_NONE) BAD(F_TABLE, "unknown table '%s'", v[F_TABLE]);
    if (!*v[F_ROW]) BAD(F_ROW, "empty");
    if (strlen(v[F_ROW]) > SUBMISSION_ROW_MAX) BAD(F_ROW, "longer than %d bytes", SUBMISSION_ROW_MAX);
    if (strlen(v[F_NAME]) > SUBMISSION_NAME_MAX)
        BAD(F_NAME, "longer than %d bytes", SUBMISSION_NAME_MAX);
    column_id c = column_from_name(v[F_COLUMN]);
    if (c == COL_NONE) BAD(F_COLUMN, "unknown column '%s'", v[F_COLUMN]);
    if (!table_has_column(t, c))
        BAD(F_COLUMN, "table '%s' has no column '%s'", table_name(t), column_name(c));
    if (!*v[F_AMOUNT]) return 0;   /* FORMAT.md: empty cells are not rows */
    int64_t fen;
    const char *reason = NULL;
    if (amount_parse(v[F_AMOUNT], strlen(v[F_AMOUNT]), &fen, &reason))
        BAD(F_AMOUNT, "%s", reason);
#undef BAD
    submission_t *s = submission_list_get(subs, v[F_ENTITY], year);
    if (!s || submission_add_unit(s, t, v[F_ROW], c, fen, v[F_NAME], line,
                                  amount_printed_unit(v[F_AMOUNT], strlen(v[F_AMOUNT]))))
        return error_set(err, errlen, "%s:%u: out of memory", name, line);
    if (s->count > SUBMISSION_FACTS_MAX)
        return error_set(err, errlen, "%s:%u: more than %d facts for %s/%u", name, line,
                    SUBMISSION_FACTS_MAX, s->entity, year);
    return 0;
}

/* Finds the duplicate (table,row,column) within one entity/year whose later line is the
 * smallest, i.e. the first duplicate a reader going down the file meets. Sorts s. */
static void find_duplicate(submission_t *s, const fact_t **first, const fact_t **second)
{
    submission_sort(s);   /* ties sorted by line */
    for (size_t i = 1; i < s->count; i++) {
        const fact_t *a = &s->facts[i - 1], *b = &s->facts[i];
        if (a->table != b->table || a->column != b->column || strcmp(a->row, b->row)) continue;
        /* a run of equal keys: a is the earliest, b the second earliest */
        if (i >= 2 && s->facts[i - 2].table == a->table && s->facts[i - 2].column == a->column &&
            !strcmp(s->facts[i - 2].row, a->row))
            continue;
        if (!*second || b->line < (*second)->line) { *first = a; *second = b; }
    }
}

/* The first duplicate in the file before line `before` (0: anywhere); -1 with err if any. */
static int check_duplicates(const char *name, submission_list_t *subs, uint32_t before,
                            char *err, size_t errlen)
{
    const fact_t *a = NULL, *b = NULL;
    const submission_t *in = NULL;
    for (size_t i = 0; i < subs->count; i++) {
        const fact_t *x = NULL, *y = NULL;
        find_duplicate(subs->items[i], &x, &y);
        if (y && (!b || y->line < b->line)) { a = x; b = y; in = subs->items[i]; }
    }
    if (!b || (before && b->line >= before)) return 0;
    return error_set(err, errlen, "%s:%u: duplicate of line %u (%s/%u %s/%s/%s)", name, b->line,
                a->line, in->entity, in->year, table_name(a->table), a->row,
                column_name(a->column));
}

static int parse_utf8(const char *name, const char *d, size_t len, submission_list_t *subs,
                      char *err, size_t errlen)
{
    size_t pos = csv_bom_length(d, len);
    uint32_t line = 1, start = 1;
    csv_record_t rec;
    csv_record_init(&rec);
    const char *reason = NULL;
    int pos_of[F_COUNT];
    int rc = csv_next_record(d, len, &pos, &line, &rec, &start, &reason);
    if (rc == 0) {
        csv_record_free(&rec);
        return error_set(err, errlen, "%s:1: missing header (the file is empty)", name);
    }
    if (rc < 0 || read_header(name, &rec, start, pos_of, err, errlen)) {
        if (rc < 0) error_set(err, errlen, "%s:%u: %s", name, start, reason);
        csv_record_free(&rec);
        return -1;
    }
    size_t nheader = rec.nfields;
    while ((rc = csv_next_record(d, len, &pos, &line, &rec, &start, &reason)) == 1) {
        bool blank = true;   /* Excel writes ",,,,,," for an empty row */
        for (size_t i = 0; i < rec.nfields && blank; i++)
            blank = rec.fields[i][strspn(rec.fields[i], " \t")] == '\0';
        if (blank) continue;
        if (read_fact(name, &rec, start, pos_of, nheader, subs, err, errlen)) {
            char saved[1024];
            snprintf(saved, sizeof saved, "%s", err);
            if (check_duplicates(name, subs, start, err, errlen) == 0)
                snprintf(err, errlen, "%s", saved);
            csv_record_free(&rec);
            return -1;
        }
    }
    csv_record_free(&rec);
    if (rc < 0) {
        error_set(err, errlen, "%s:%u: %s", name, start, reason);
        return -1;
    }
    if (subs->count == 0) return error_set(err, errlen, "%s: no facts (only a header)", name);
    return check_duplicates(name, subs, 0, err, errlen);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int csv_read_buffer(const char *name, const char *data, size_t len, csv_encoding enc,
                    submission_list_t *list, char *err, size_t errlen)
{
    char *converted = NULL;
    size_t clen = 0;
    if (enc == CSV_ENCODING_AUTO)
        enc = submission_utf8_valid(data, len) ? CSV_ENCODING_UTF8 : CSV_ENCODING_GB18030;
    if (enc == CSV_ENCODING_GB18030) {
        if (convert_gb18030(name, data, len, &converted, &clen, err, errlen)) return -1;
        data = converted;
        len = clen;
    } else if (enc != CSV_ENCODING_UTF8) {
        return error_set(err, errlen, "%s: unknown encoding %d", name, (int)enc);
    } else {
        /* Catch bad bytes anywhere (the header too) with a line number; the per-field check
         * in read_fact names the column when the bytes are inside a data record. */
        size_t bad = utf8_invalid_at(data, len);
        if (bad < len) {
            size_t nl = bad;
            while (nl > 0 && data[nl - 1] != '\n') nl--;
            if (line_of(data, nl) == 1)
                return error_set(err, errlen, "%s:1: not valid UTF-8; if the file was saved by "
                            "Chinese Excel, use --encoding gb18030", name);
        }
    }

    submission_list_t subs;
    submission_list_init(&subs);
    int rc = parse_utf8(name, data, len, &subs, err, errlen);
    free(converted);
    if (rc) { submission_list_free(&subs); return -1; }

    size_t need = list->count + subs.count;
    if (need > list->cap) {
        submission_t **items = realloc(list->items, need * sizeof *items);
        if (!items) {
            submission_list_free(&subs);
            return error_set(err, errlen, "%s: out of memory", name);
        }
        list->items = items;
        list->cap = need;
    }
    uint64_t now_ms = clock_wall_ms();
    for (size_t i = 0; i < subs.count; i++) {
        submission_t *s = subs.items[i];
        submission_set_source(s, base_name(name));
        submission_new_id(s->id);
        s->created_ms = now_ms;
        submission_sort(s);
        list->items[list->count++] = s;
    }
    free(subs.items);
    return 0;
}

int csv_read_file(const char *path, csv_encoding enc, submission_list_t *list, char *err,
                  size_t errlen)
{
    char *data;
    size_t len;
    if (csv_slurp(path, &data, &len, err, errlen)) return -1;
    int rc = csv_read_buffer(path, data, len, enc, list, err, errlen);
    free(data);
    return rc;
}
