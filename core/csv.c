/* csv.c -- the v1 submission CSV reader (examples/FORMAT.md) and the RFC 4180 primitives.
 *
 * Invariants:
 *  1. A file is read all or nothing -- submissions are built in a private list and moved
 *     into the caller's list only when the whole file parsed, so on error the caller's
 *     list is untouched.
 *  2. Every error of a file is reported at once (up to csv_errors_t.max; the rest are
 *     counted): a bad record does not stop the reading, only a broken record structure
 *     (an unterminated quote, a NUL byte) or a bad header does.
 *  3. Every error names FILE:LINE (the physical line where the record starts), the column
 *     and the reason; an amount error also shows the offending value and says in Chinese
 *     what is wrong with it (全角 digits or comma, a unit, a bracketed negative, a thousands
 *     separator outside quotes).
 * Amounts go through amount_parse only (int64 fen). Text is UTF-8 inside the reader;
 * GB18030 input is converted with iconv first.
 */
#include "clock.h"
#include "errors.h"
#include "csv.h"

#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "amount.h"
#include "sort.h"

/* ---------------------------------------------------------------- record reader */

void csv_record_init(csv_record_t *rec) { memset(rec, 0, sizeof *rec); }

void csv_record_free(csv_record_t *rec)
{
    free(rec->fields);
    free(rec->buf);
    free(rec->offs);
    csv_record_init(rec);
}

/* Makes room for n more bytes in the record's buffer. */
static int rec_reserve(csv_record_t *rec, size_t n)
{
    if (rec->blen + n <= rec->bcap) return 0;
    size_t cap = rec->bcap ? rec->bcap * 2 : 256;
    while (cap < rec->blen + n) cap *= 2;
    char *b = realloc(rec->buf, cap);
    if (!b) return -1;
    rec->buf = b;
    rec->bcap = cap;
    return 0;
}

static int rec_putc(csv_record_t *rec, char c)
{
    if (rec_reserve(rec, 1)) return -1;
    rec->buf[rec->blen++] = c;
    return 0;
}

/* The bytes a field's scan stops at: END_PLAIN for an unquoted field (a separator, a line
 * end, a NUL to refuse), END_QUOTED inside quotes (the quote, a line end to count, a NUL). */
enum { END_PLAIN = 1, END_QUOTED = 2 };
static const unsigned char FIELD_END[256] = {
    ['\0'] = END_PLAIN | END_QUOTED, [','] = END_PLAIN, ['\r'] = END_PLAIN | END_QUOTED,
    ['\n'] = END_PLAIN | END_QUOTED, ['"'] = END_QUOTED,
};

/* Copies bytes from d[*pos] into the record until one FIELD_END marks with `mask` (or the
 * end of the data), scanning and copying in one pass; *pos stops at that byte. 0 or -1 (no
 * memory). */
static int field_copy(csv_record_t *rec, const char *d, size_t len, size_t *pos, unsigned mask)
{
    size_t p = *pos;
    for (;;) {
        if (rec_reserve(rec, 64)) return -1;
        char *o = rec->buf + rec->blen;
        size_t room = rec->bcap - rec->blen, lim = len - p < room ? len : p + room;
        while (p < lim && !(FIELD_END[(unsigned char)d[p]] & mask)) *o++ = d[p++];
        rec->blen = (size_t)(o - rec->buf);
        if (p < lim || p == len) break;   /* at an end byte, or at the end of the data */
    }
    *pos = p;
    return 0;
}

/* Remembers where a field (NUL-terminated already) starts in the record's buffer. */
static int rec_push_field(csv_record_t *rec, size_t start)
{
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

/* Ends the current field: NUL-terminates it and remembers where it started. */
static int rec_end_field(csv_record_t *rec, size_t start)
{
    if (rec_putc(rec, '\0')) return -1;
    return rec_push_field(rec, start);
}

/* The common record, one line (LF or CRLF) without a quote, another CR or a NUL: the
 * general reader would copy it byte by byte and cut it at every comma, which is what this
 * does with memchr and one memcpy. Returns 1 (read: *pos past its line end), 0 when the
 * line is not such a record (nothing consumed: the general reader reads it), -1 without
 * memory. Call it at the start of a record (rec empty), never at a line end. */
static int plain_record(const char *d, size_t len, size_t *pos, uint32_t *line, csv_record_t *rec)
{
    const char *p = d + *pos;
    size_t left = len - *pos;
    const char *nl = memchr(p, '\n', left);
    size_t n = nl ? (size_t)(nl - p) : left, eol = nl ? 1 : 0;
    const char *cr = memchr(p, '\r', n);
    if (cr) {
        if (!nl || cr != nl - 1) return 0;   /* a CR that is not a CRLF's */
        n--;
        eol++;
    }
    if (memchr(p, '"', n) || memchr(p, '\0', n)) return 0;
    if (rec_reserve(rec, n + 1)) return -1;
    memcpy(rec->buf, p, n);
    rec->buf[n] = '\0';
    rec->blen = n + 1;
    for (size_t start = 0;;) {
        char *comma = memchr(rec->buf + start, ',', n - start);
        if (comma) *comma = '\0';
        if (rec_push_field(rec, start)) return -1;
        if (!comma) break;
        start = (size_t)(comma - rec->buf) + 1;
    }
    *pos += n + eol;
    if (eol) (*line)++;
    return 1;
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
    int plain = plain_record(d, len, pos, line, rec);
    if (plain < 0) goto oom;
    for (; !plain;) {
        size_t start = rec->blen;
        if (*pos < len && d[*pos] == '"') {
            (*pos)++;
            for (;;) {
                if (field_copy(rec, d, len, pos, END_QUOTED)) goto oom;
                if (*pos >= len) { *reason = "引号未闭合（unterminated quoted field）"; return -1; }
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
                if (c == '\0') { *reason = "文件中有 NUL 字节（NUL byte in the file）"; return -1; }
                if (c == '\n') (*line)++;
                else if (c == '\r' && !(*pos + 1 < len && d[*pos + 1] == '\n')) (*line)++;
                if (rec_putc(rec, c)) goto oom;
                (*pos)++;
            }
            if (*pos < len && d[*pos] != ',' && d[*pos] != '\r' && d[*pos] != '\n') {
                *reason = d[*pos] == '\0' ? "文件中有 NUL 字节（NUL byte in the file）"
                                          : "右引号后还有文字（unexpected text after a closing quote）";
                return -1;
            }
        } else {
            if (field_copy(rec, d, len, pos, END_PLAIN)) goto oom;
            if (*pos < len && d[*pos] == '\0') { *reason = "文件中有 NUL 字节（NUL byte in the file）"; return -1; }
        }
        if (rec_end_field(rec, start)) goto oom;
        if (*pos < len && d[*pos] == ',') { (*pos)++; continue; }
        eat_eol(d, len, pos, line);
        break;
    }
    for (size_t i = 0; i < rec->nfields; i++) rec->fields[i] = rec->buf + rec->offs[i];
    return 1;
oom:
    *reason = "内存不足（out of memory）";
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
    if (!buf) { snprintf(err, errlen, "%s: 内存不足", path); return -1; }
    if (failed) { free(buf); snprintf(err, errlen, "%s: 读取出错", path); return -1; }
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
    if (!buf) { iconv_close(cd); return error_set(err, errlen, "%s: 内存不足", name); }
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

/* trim() of a field whose length is known: returns the trimmed length. */
static size_t trim_n(char **s, size_t n)
{
    char *p = *s, *e = p + n;
    while (p < e && (*p == ' ' || *p == '\t')) p++;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t')) e--;
    *e = '\0';
    *s = p;
    return (size_t)(e - p);
}

/* Length of field i of a record (csv_next_record NUL-terminates each in rec->buf). */
static size_t rec_field_len(const csv_record_t *rec, size_t i)
{
    size_t end = i + 1 < rec->nfields ? rec->offs[i + 1] : rec->blen;
    return end - rec->offs[i] - 1;
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

/* Whether s[0..n) holds a control character (below 0x20, or 0x7F): eight bytes a step, as
 * most fields are short ASCII. A byte below 0x20 sets its high bit in w - 0x20.. (only
 * below it can a borrow start), 0x7F is the zero byte of w ^ 0x7F..: both tests are exact
 * about whether there is one, which is all that is asked. */
static bool has_control(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w, del;
        memcpy(&w, s + i, 8);
        del = w ^ (0x7F * ones);
        if (((w - 0x20 * ones) & ~w & highs) | ((del - ones) & ~del & highs)) return true;
    }
    for (; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7F) return true;
    return false;
}

/* ---------------------------------------------------------------- the error list */

void csv_errors_init(csv_errors_t *self, size_t max)
{
    memset(self, 0, sizeof *self);
    self->max = max ? max : CSV_MAX_ERRORS_DEFAULT;
}

void csv_errors_free(csv_errors_t *self)
{
    for (size_t i = 0; i < self->count; i++) free(self->items[i].message);
    free(self->items);
    size_t max = self->max;
    memset(self, 0, sizeof *self);
    self->max = max;
}

static void errors_addv(csv_errors_t *self, uint32_t line, const char *fmt, va_list ap)
{
    self->total++;
    if (self->count >= self->max) return;
    if (self->count == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 8;
        csv_error_t *items = realloc(self->items, cap * sizeof *items);
        if (!items) { self->oom = 1; return; }
        self->items = items;
        self->cap = cap;
    }
    char buf[1200];
    vsnprintf(buf, sizeof buf, fmt, ap);
    char *m = strdup(buf);
    if (!m) { self->oom = 1; return; }
    self->items[self->count].line = line;
    self->items[self->count].seq = self->count;
    self->items[self->count++].message = m;
}

/* Records an error; always returns -1 so callers can `return add_error(...)`. */
static int add_error(csv_errors_t *self, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int add_error(csv_errors_t *self, uint32_t line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    errors_addv(self, line, fmt, ap);
    va_end(ap);
    return -1;
}

/* Errors of one file in line order (the reader meets duplicates only at the end). */
static int error_cmp(const void *a, const void *b)
{
    const csv_error_t *x = a, *y = b;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;     /* a total order (core/sort.h) */
}

void csv_errors_join(const csv_errors_t *self, char *err, size_t errlen)
{
    if (!err || !errlen) return;
    size_t o = 0;
    err[0] = '\0';
    for (size_t i = 0; i < self->count && o + 1 < errlen; i++) {
        int n = snprintf(err + o, errlen - o, "%s%s", i ? "\n" : "", self->items[i].message);
        if (n < 0) break;
        o += (size_t)n < errlen - o ? (size_t)n : errlen - o - 1;
    }
    if (self->total > self->count && o + 1 < errlen)
        snprintf(err + o, errlen - o, "\n……另有 %zu 处错误未列出（--max-errors %zu）",
                 self->total - self->count, self->max);
    if (self->oom && o + 1 < errlen && self->count == 0) snprintf(err, errlen, "内存不足");
}

/* ---------------------------------------------------------------- amounts, in Chinese */

/* A value as shown in a message: at most CSV_VALUE_SHOWN bytes, cut at a UTF-8 boundary. */
#define CSV_VALUE_SHOWN 40
static void show_value(const char *v, char *out, size_t n)
{
    size_t len = strlen(v);
    if (len <= CSV_VALUE_SHOWN) { snprintf(out, n, "%s", v); return; }
    size_t cut = CSV_VALUE_SHOWN;
    while (cut > 0 && ((unsigned char)v[cut] & 0xC0) == 0x80) cut--;
    snprintf(out, n, "%.*s…（共 %zu 字节）", (int)cut, v, len);
}

/* The full-width (全角) forms people type by mistake with a Chinese input method. */
static const struct { const char *utf8, *what, *fix; } FULLWIDTH[] = {
    { "\xEF\xBC\x8C", "全角逗号“，”", "小数点应为半角“.”；千位分隔符应为半角“,”且整个金额加英文引号" },
    { "\xEF\xBC\x8E", "全角句点“．”", "小数点应为半角“.”" },
    { "\xE3\x80\x82", "句号“。”", "小数点应为半角“.”" },
    { "\xEF\xBC\x8D", "全角负号“－”", "负号应为半角“-”" },
    { "\xE2\x88\x92", "减号“−”", "负号应为半角“-”" },
    { "\xE3\x80\x80", "全角空格", "去掉空格" },
};
/* Units and currency signs: the column holds bare 万元 figures. */
static const char *const UNITS[] = { "万元", "万", "亿元", "亿", "千元", "元", "￥", "¥", "%", "％" };

/* Says in Chinese what is wrong with an amount amount_parse refused (en: its reason). */
static void amount_reason_zh(const char *v, const char *en, char *out, size_t n)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
            snprintf(out, n, "含全角数字“%.3s”，应为半角数字“%c”", (const char *)p,
                     '0' + (p[2] - 0x90));
            return;
        }
    for (size_t i = 0; i < sizeof FULLWIDTH / sizeof FULLWIDTH[0]; i++)
        if (strstr(v, FULLWIDTH[i].utf8)) {
            snprintf(out, n, "含%s，%s", FULLWIDTH[i].what, FULLWIDTH[i].fix);
            return;
        }
    size_t len = strlen(v);
    bool open = v[0] == '(' || !strncmp(v, "（", 3);
    bool close = (len >= 1 && v[len - 1] == ')') || (len >= 3 && !strcmp(v + len - 3, "）"));
    if (open || close) {
        snprintf(out, n, "括号表示的负数（会计写法），应写作负号加数字，如“-9.60”");
        return;
    }
    for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0]; i++)
        if (strstr(v, UNITS[i])) {
            snprintf(out, n, "含单位“%s”，金额列只写数字（单位为万元）", UNITS[i]);
            return;
        }
    if (!strcmp(en, "misplaced thousands separator"))
        snprintf(out, n, "千位分隔符位置不对（应每三位一个，如\"1,773.19\"）");
    else if (!strcmp(en, "more than 6 decimals (finer than one fen)"))
        snprintf(out, n, "小数超过6位（万元的第7位小数不足一分）");
    else if (!strcmp(en, "amount too large"))
        snprintf(out, n, "金额过大（超出可表示范围）");
    else if (!strcmp(en, "sign without digits") || !strcmp(en, "no digits"))
        snprintf(out, n, "没有数字");
    else if (!strcmp(en, "decimal point without digits after it"))
        snprintf(out, n, "小数点后没有数字");
    else if (strchr(v, ' '))
        snprintf(out, n, "数字中间有空格");
    else
        snprintf(out, n, "不是十进制数字（只可含半角数字、小数点、负号和引号内的千位分隔符）");
}

static int amount_error(csv_errors_t *errs, const char *name, uint32_t line, const char *v,
                        const char *zh)
{
    char shown[CSV_VALUE_SHOWN * 2 + 64];
    show_value(v, shown, sizeof shown);
    return add_error(errs, line, "%s:%u: 列“金额”（amount）：“%s”：%s", name, line, shown, zh);
}

/* ---------------------------------------------------------------- the header and records */

/* Maps the header record to field positions. */
static int read_header(const char *name, csv_record_t *rec, uint32_t line, int pos[F_COUNT],
                       csv_errors_t *errs)
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
            return add_error(errs, line, "%s:%u: 表头两次写了列“%s”（%s）", name, line,
                             FIELD_ZH[which], FIELD_EN[which]);
        pos[which] = (int)i;
    }
    if (!any)
        return add_error(errs, line, "%s:%u: 缺少表头（应为 单位代码,年度,表,行,名称,列,金额 或 "
                         "entity,year,table,row,name,column,amount）", name, line);
    for (size_t i = 0; i < rec->nfields; i++) {
        bool known = false;
        for (int f = 0; f < F_COUNT; f++) known |= pos[f] == (int)i;
        /* Excel leaves unnamed trailing columns (",,"): ignored, their cells unread */
        if (!known && rec->fields[i][strspn(rec->fields[i], " \t")] != '\0')
            return add_error(errs, line, "%s:%u: 表头：未知列“%s”（可用：单位代码,年度,表,行,名称,列,金额）",
                             name, line, rec->fields[i]);
    }
    for (int f = 0; f < F_COUNT; f++)
        if (pos[f] < 0 && f != F_NAME)
            return add_error(errs, line, "%s:%u: 表头：缺少列“%s”（%s）", name, line,
                             FIELD_ZH[f], FIELD_EN[f]);
    return 0;
}

/* A record with more fields than the header: an amount with thousands separators written
 * without quotes (1,773.19 read as "1" and "773.19") is the usual cause, so try joining the
 * amount with the surplus fields that follow it. */
static int ragged_record(const char *name, csv_record_t *rec, uint32_t line,
                         const int pos[F_COUNT], size_t nheader, csv_errors_t *errs)
{
    size_t extra = rec->nfields - nheader, a = (size_t)pos[F_AMOUNT];
    if (rec->nfields > nheader && extra <= 4 && a + extra < rec->nfields) {
        char joined[256];
        size_t o = 0;
        bool fits = true;
        for (size_t i = a; i <= a + extra && fits; i++) {
            int k = snprintf(joined + o, sizeof joined - o, "%s%s", i > a ? "," : "", rec->fields[i]);
            fits = k >= 0 && (size_t)k < sizeof joined - o;
            if (fits) o += (size_t)k;
        }
        int64_t fen;
        const char *reason;
        char *j = joined;
        trim(&j);
        if (fits && strchr(j, ',') && amount_parse(j, strlen(j), &fen, &reason) == 0) {
            char zh[300];
            snprintf(zh, sizeof zh, "千位分隔符在引号外，被读成了 %zu 列；应写作 \"%s\"（加英文引号）或去掉逗号",
                     extra + 1, j);
            return amount_error(errs, name, line, j, zh);
        }
    }
    return add_error(errs, line, "%s:%u: 应有 %zu 个字段，实有 %zu 个（金额含逗号时请加英文引号）",
                     name, line, nheader, rec->nfields);
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* What the records of one file repeat: a table's rows come together, a file uses a few
 * columns and one submission per entity/year. Each hit is checked with the same
 * comparison the full lookup makes (names are unique), so it finds what the lookup would. */
#define READ_CACHE_COLUMNS 8
typedef struct {
    bool utf8_checked;        /* the whole file was valid UTF-8: every field is */
    table_id table;           /* TABLE_NONE: none yet */
    column_id columns[READ_CACHE_COLUMNS];
    size_t ncolumns, next_column;
    submission_t *last;       /* the submission the previous fact went to */
} read_cache_t;

static table_id cached_table(read_cache_t *c, const char *v)
{
    if (c->table != TABLE_NONE && strcmp(v, table_name(c->table)) == 0) return c->table;
    table_id t = table_from_name(v);
    if (t != TABLE_NONE) c->table = t;
    return t;
}

static column_id cached_column(read_cache_t *c, const char *v)
{
    for (size_t i = 0; i < c->ncolumns; i++)
        if (strcmp(v, column_name(c->columns[i])) == 0) return c->columns[i];
    column_id col = column_from_name(v);
    if (col == COL_NONE) return col;
    if (c->ncolumns < READ_CACHE_COLUMNS) c->columns[c->ncolumns++] = col;
    else c->columns[c->next_column++ % READ_CACHE_COLUMNS] = col;
    return col;
}

static submission_t *cached_submission(read_cache_t *c, submission_list_t *subs,
                                       const char *entity, uint32_t year)
{
    if (c->last && c->last->year == year && strcmp(c->last->entity, entity) == 0) return c->last;
    c->last = submission_list_get(subs, entity, year);
    return c->last;
}

/* Checks one data record and adds its fact; every error of the record is recorded.
 * Returns 0, or -1 when the record has an error. */
static int read_fact(const char *name, csv_record_t *rec, uint32_t line, const int pos[F_COUNT],
                     size_t nheader, submission_list_t *subs, csv_errors_t *errs,
                     read_cache_t *cache)
{
    if (rec->nfields != nheader) return ragged_record(name, rec, line, pos, nheader, errs);
    char *v[F_COUNT];
    size_t vl[F_COUNT];
    int bad = 0;
    bool unusable[F_COUNT] = { false };
    for (int f = 0; f < F_COUNT; f++) {
        v[f] = pos[f] >= 0 ? rec->fields[pos[f]] : (char *)"";
        vl[f] = pos[f] >= 0 ? trim_n(&v[f], rec_field_len(rec, (size_t)pos[f])) : 0;
        if (!cache->utf8_checked && !submission_utf8_valid(v[f], vl[f])) {
            bad = add_error(errs, line, "%s:%u: 列“%s”（%s）：不是有效的 UTF-8；文件若由中文 Excel "
                            "保存，请加 --encoding gb18030", name, line, FIELD_ZH[f], FIELD_EN[f]);
            unusable[f] = true;
        } else if (f != F_NAME && has_control(v[f], vl[f])) {
            bad = add_error(errs, line, "%s:%u: 列“%s”（%s）：含控制字符", name,
                            line, FIELD_ZH[f], FIELD_EN[f]);
            unusable[f] = true;
        }
    }
#define BAD(f, ...) do { char why_[256]; snprintf(why_, sizeof why_, __VA_ARGS__); \
        bad = add_error(errs, line, "%s:%u: 列“%s”（%s）：%s", name, line, FIELD_ZH[f], FIELD_EN[f], \
                        why_); } while (0)
    if (unusable[F_ENTITY]) {}
    else if (!*v[F_ENTITY]) BAD(F_ENTITY, "为空");
    else if (vl[F_ENTITY] > SUBMISSION_ENTITY_MAX)
        BAD(F_ENTITY, "超过 %d 字节", SUBMISSION_ENTITY_MAX);
    const char *y = v[F_YEAR];
    uint32_t year = 0;
    if (unusable[F_YEAR]) {}
    else if (vl[F_YEAR] != 4 || !is_digit(y[0]) || !is_digit(y[1]) || !is_digit(y[2]) ||
             !is_digit(y[3]) || y[0] == '0')
        BAD(F_YEAR, "“%s”不是四位年份", y);
    else if ((year = (uint32_t)((y[0] - '0') * 1000 + (y[1] - '0') * 100 + (y[2] - '0') * 10 +
                                (y[3] - '0'))) < 1900)
        BAD(F_YEAR, "%u 早于 1900 年", year);
    table_id t = unusable[F_TABLE] ? TABLE_NONE : cached_table(cache, v[F_TABLE]);
    if (!unusable[F_TABLE] && t == TABLE_NONE) BAD(F_TABLE, "未知表“%s”（表名见 examples/FORMAT.md，如 income、expense）", v[F_TABLE]);
    if (unusable[F_ROW]) {}
    else if (!*v[F_ROW]) BAD(F_ROW, "为空");
    else if (vl[F_ROW] > SUBMISSION_ROW_MAX) BAD(F_ROW, "超过 %d 字节", SUBMISSION_ROW_MAX);
    if (!unusable[F_NAME] && vl[F_NAME] > SUBMISSION_NAME_MAX)
        BAD(F_NAME, "超过 %d 字节", SUBMISSION_NAME_MAX);
    column_id c = unusable[F_COLUMN] ? COL_NONE : cached_column(cache, v[F_COLUMN]);
    if (unusable[F_COLUMN]) {}
    else if (c == COL_NONE) BAD(F_COLUMN, "未知列“%s”", v[F_COLUMN]);
    else if (t != TABLE_NONE && !table_has_column(t, c))
        BAD(F_COLUMN, "表“%s”（%s）没有列“%s”", table_label(t), table_name(t), column_name(c));
#undef BAD
    int64_t fen = 0;
    bool empty = !unusable[F_AMOUNT] && !*v[F_AMOUNT];   /* FORMAT.md: empty cells are not rows */
    if (!unusable[F_AMOUNT] && !empty) {
        const char *reason = NULL;
        if (amount_parse(v[F_AMOUNT], vl[F_AMOUNT], &fen, &reason)) {
            char zh[300];
            amount_reason_zh(v[F_AMOUNT], reason, zh, sizeof zh);
            bad = amount_error(errs, name, line, v[F_AMOUNT], zh);
        }
    }
    if (bad || empty) return bad;
    submission_t *s = cached_submission(cache, subs, v[F_ENTITY], year);
    if (!s || submission_add_unit(s, t, v[F_ROW], c, fen, v[F_NAME], line,
                                  amount_printed_unit(v[F_AMOUNT], vl[F_AMOUNT]))) {
        errs->oom = 1;
        return add_error(errs, line, "%s:%u: 内存不足", name, line);
    }
    if (s->count > SUBMISSION_FACTS_MAX) {
        errs->fatal = 1;
        return add_error(errs, line, "%s:%u: %s/%u 的数据超过 %d 条", name, line, s->entity, year,
                         SUBMISSION_FACTS_MAX);
    }
    return 0;
}

/* Every duplicate (table,row,column) within one entity/year: each later line is reported
 * against the first line of its key. Sorts s. */
static void check_duplicates(const char *name, submission_list_t *subs, csv_errors_t *errs)
{
    for (size_t k = 0; k < subs->count; k++) {
        submission_t *s = subs->items[k];
        submission_sort(s);   /* ties sorted by line */
        const fact_t *first = NULL;
        for (size_t i = 1; i < s->count; i++) {
            const fact_t *a = &s->facts[i - 1], *b = &s->facts[i];
            if (a->table != b->table || a->column != b->column || strcmp(a->row, b->row)) {
                first = NULL;
                continue;
            }
            if (!first) first = a;
            add_error(errs, b->line, "%s:%u: 与第 %u 行重复（%s/%u %s/%s/%s）", name, b->line,
                      first->line, s->entity, s->year, table_name(a->table), a->row,
                      column_name(a->column));
        }
    }
}

static int parse_utf8(const char *name, const char *d, size_t len, bool utf8_checked,
                      submission_list_t *subs, csv_errors_t *errs)
{
    read_cache_t cache = { .utf8_checked = utf8_checked, .table = TABLE_NONE };
    size_t pos = csv_bom_length(d, len);
    uint32_t line = 1, start = 1;
    csv_record_t rec;
    csv_record_init(&rec);
    const char *reason = NULL;
    int pos_of[F_COUNT];
    int rc = csv_next_record(d, len, &pos, &line, &rec, &start, &reason);
    if (rc == 0) {
        csv_record_free(&rec);
        return add_error(errs, 1, "%s:1: 缺少表头（文件为空）", name);
    }
    if (rc < 0) {
        csv_record_free(&rec);
        return add_error(errs, start, "%s:%u: %s", name, start, reason);
    }
    if (read_header(name, &rec, start, pos_of, errs)) {
        csv_record_free(&rec);
        return -1;
    }
    size_t nheader = rec.nfields, before = errs->total;
    while (!errs->oom && !errs->fatal &&
           (rc = csv_next_record(d, len, &pos, &line, &rec, &start, &reason)) == 1) {
        bool blank = true;   /* Excel writes ",,,,,," for an empty row */
        for (size_t i = 0; i < rec.nfields && blank; i++) {
            const char *f = rec.fields[i];
            /* a field that starts with text is not blank: no scan needed */
            blank = (f[0] == ' ' || f[0] == '\t' || f[0] == '\0') && f[strspn(f, " \t")] == '\0';
        }
        if (blank) continue;
        read_fact(name, &rec, start, pos_of, nheader, subs, errs, &cache);
    }
    csv_record_free(&rec);
    if (rc < 0) add_error(errs, start, "%s:%u: %s", name, start, reason);
    if (!errs->oom && !errs->fatal) check_duplicates(name, subs, errs);
    if (errs->total > before || rc < 0) {
        sort_array(errs->items, errs->count, sizeof *errs->items, error_cmp);
        return -1;
    }
    if (subs->count == 0) return add_error(errs, 0, "%s: 没有数据（只有表头）", name);
    return 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int csv_read_buffer_errors(const char *name, const char *data, size_t len, csv_encoding enc,
                           submission_list_t *list, csv_errors_t *errs)
{
    char *converted = NULL;
    size_t clen = 0;
    char err[512];
    bool utf8_checked = false;   /* every byte of data is valid UTF-8, checked once here */
    if (enc == CSV_ENCODING_AUTO)
        enc = submission_utf8_valid(data, len) ? CSV_ENCODING_UTF8 : CSV_ENCODING_GB18030;
    if (enc == CSV_ENCODING_GB18030) {
        if (convert_gb18030(name, data, len, &converted, &clen, err, sizeof err))
            return add_error(errs, 0, "%s", err);
        data = converted;
        len = clen;
    } else if (enc != CSV_ENCODING_UTF8) {
        return add_error(errs, 0, "%s: 未知编码 %d", name, (int)enc);
    } else {
        /* Catch bad bytes anywhere (the header too) with a line number; the per-field check
         * in read_fact names the column when the bytes are inside a data record. */
        size_t bad = utf8_invalid_at(data, len);
        utf8_checked = bad == len;
        if (bad < len) {
            size_t nl = bad;
            while (nl > 0 && data[nl - 1] != '\n') nl--;
            if (line_of(data, nl) == 1)
                return add_error(errs, 1, "%s:1: 不是有效的 UTF-8；文件若由中文 Excel 保存，"
                                 "请加 --encoding gb18030", name);
        }
    }

    submission_list_t subs;
    submission_list_init(&subs);
    int rc = parse_utf8(name, data, len, utf8_checked, &subs, errs);
    free(converted);
    if (rc) { submission_list_free(&subs); return -1; }

    size_t need = list->count + subs.count;
    if (need > list->cap) {
        submission_t **items = realloc(list->items, need * sizeof *items);
        if (!items) {
            submission_list_free(&subs);
            return add_error(errs, 0, "%s: 内存不足", name);
        }
        list->items = items;
        list->cap = need;
    }
    uint64_t now_ms = clock_wall_ms();
    for (size_t i = 0; i < subs.count; i++) {
        submission_t *s = subs.items[i];
        submission_set_source(s, base_name(name));
        submission_new_id(s->id);
        s->created_ms = now_ms;   /* sorted already: check_duplicates sorted every one */
        list->items[list->count++] = s;
    }
    free(subs.items);
    return 0;
}

int csv_read_file_errors(const char *path, csv_encoding enc, submission_list_t *list,
                         csv_errors_t *errs)
{
    char *data;
    size_t len;
    char err[512];
    if (csv_slurp(path, &data, &len, err, sizeof err)) return add_error(errs, 0, "%s", err);
    int rc = csv_read_buffer_errors(path, data, len, enc, list, errs);
    free(data);
    return rc;
}

int csv_read_buffer(const char *name, const char *data, size_t len, csv_encoding enc,
                    submission_list_t *list, char *err, size_t errlen)
{
    csv_errors_t errs;
    csv_errors_init(&errs, 0);
    int rc = csv_read_buffer_errors(name, data, len, enc, list, &errs);
    if (rc) csv_errors_join(&errs, err, errlen);
    csv_errors_free(&errs);
    return rc;
}

int csv_read_file(const char *path, csv_encoding enc, submission_list_t *list, char *err,
                  size_t errlen)
{
    csv_errors_t errs;
    csv_errors_init(&errs, 0);
    int rc = csv_read_file_errors(path, enc, list, &errs);
    if (rc) csv_errors_join(&errs, err, errlen);
    csv_errors_free(&errs);
    return rc;
}
