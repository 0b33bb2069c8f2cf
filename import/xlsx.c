/* xlsx.c -- .xlsx/.xlsm workbooks into grids, with libzip and libxml2's SAX parser (streaming).
 *
 * Parts read: [Content_Types].xml (must declare a workbook), xl/workbook.xml (sheet names)
 * and its rels (sheet parts), xl/sharedStrings.xml, xl/styles.xml (number formats: decimals
 * shown, dates), each sheet's cells (shared, inline and formula strings, cached values,
 * booleans, errors) and mergeCells.
 *
 * Numbers: the XML holds decimal text; it is validated and kept as text (an exponent form
 * such as 1.5E-2 is rewritten as a plain decimal by moving the point in the text), so no
 * amount passes through a double.
 *
 * Hostile input (import.h limits): entries whose declared size is above IMPORT_ENTRY_MAX or
 * whose ratio is above IMPORT_RATIO_MAX are refused before reading, and reading stops at
 * IMPORT_ENTRY_MAX bytes whatever was declared; any DOCTYPE stops the parser before an entity can
 * be declared (billion laughs); a shared-string index out of range, a cell beyond Excel's
 * grid or more than IMPORT_CELLS_MAX cells are errors.
 */
#include "import.h"

#include <assert.h>
#include <errno.h>
#include <libxml/parser.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <zip.h>

#include "array.h"
#include "errors.h"

#define S_CHUNK 65536
#define S_BOMB_MIN (1u << 20)

/* ---- zip parts through libxml2's SAX parser ---- */

/* The handlers of one part. They see what a non-namespace SAX parser sees: qualified names
 * ("x:c"), attributes as NULL-terminated name/value pairs (never a NULL array), text in
 * pieces. */
typedef void (*s_start_fn)(void *ud, const char *el, const char **atts);
typedef void (*s_end_fn)(void *ud, const char *el);
typedef void (*s_text_fn)(void *ud, const char *t, int len);

typedef struct {
    xmlParserCtxtPtr p;
    s_start_fn start;
    s_end_fn end;
    s_text_fn text;
    char err[512];
    bool failed;
} s_xml;

/* Stops the parser from a handler: xmlParseChunk returns and the entry is not read on. */
static void s_stop(s_xml *x)
{
    xmlStopParser(x->p);
}

static void s_doctype(void *ud, const xmlChar *name, const xmlChar *ext, const xmlChar *sys)
{
    (void)name; (void)ext; (void)sys;
    s_xml *x = ud;
    snprintf(x->err, sizeof x->err, "XML 含 DOCTYPE 声明（工作簿不应有，拒绝以防实体膨胀攻击）");
    x->failed = true;
    s_stop(x);
}

static void s_entity(void *ud, const xmlChar *name, int type, const xmlChar *pub,
                     const xmlChar *sys, xmlChar *content)
{
    (void)name; (void)type; (void)pub; (void)sys; (void)content;
    s_xml *x = ud;
    snprintf(x->err, sizeof x->err, "XML 含实体声明（拒绝）");
    x->failed = true;
    s_stop(x);
}

static void s_sax_start(void *ud, const xmlChar *el, const xmlChar **atts)
{
    static const char *none[] = { NULL };
    s_xml *x = ud;
    x->start(ud, (const char *)el, atts ? (const char **)atts : none);
}

static void s_sax_end(void *ud, const xmlChar *el)
{
    s_xml *x = ud;
    x->end(ud, (const char *)el);
}

static void s_sax_text(void *ud, const xmlChar *t, int len)
{
    s_xml *x = ud;
    x->text(ud, (const char *)t, len);
}

/* libxml2 reports every error here instead of printing it; the last one is read from the
 * context when the parse fails. */
static void s_sax_error(void *ud, xmlErrorPtr e) { (void)ud; (void)e; }

static void s_libxml_init(void) { xmlInitParser(); }
static once_flag S_LIBXML_ONCE = ONCE_FLAG_INIT;

/* Streams one zip entry through a parser with the given handlers. ud must start with an
 * s_xml. Returns 0, 1 if the entry is absent, or -1 with err.
 *
 * The parser is libxml2's push parser in SAX1 mode (no namespace processing, as the parts
 * are read by their qualified names) with the options that keep it to the bytes given:
 * no network, no DTD loaded, no entity substituted (XML_PARSE_NOENT off), the declared
 * encoding ignored (the parts are UTF-8). A DOCTYPE stops it before any declaration in it
 * is read (billion laughs), and an undeclared entity is a fatal error without a DTD.
 * libxml2 rather than expat: on the generated sheets it spends ~90 instructions per XML
 * byte where expat 2.5 spends ~125 (docs/performance.md, "Workbook import"). */
static int s_parse_entry(zip_t *z, xmlParserCtxtPtr *ctx, const char *name, void *ud, s_start_fn start,
                         s_end_fn end, s_text_fn text, char *err, size_t errlen)
{
    zip_int64_t idx = zip_name_locate(z, name, ZIP_FL_NOCASE);
    if (idx < 0) return 1;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(z, (zip_uint64_t)idx, 0, &st) != 0)
        return error_set(err, errlen, "%s：无法读取 zip 目录", name);
    if ((st.valid & ZIP_STAT_SIZE) && st.size > IMPORT_ENTRY_MAX)
        return error_set(err, errlen, "%s：解压后 %llu 字节，超过上限 %u（疑似 zip 炸弹）", name,
                         (unsigned long long)st.size, IMPORT_ENTRY_MAX);
    if ((st.valid & ZIP_STAT_SIZE) && (st.valid & ZIP_STAT_COMP_SIZE) && st.size > S_BOMB_MIN &&
        st.size / (st.comp_size ? st.comp_size : 1) > IMPORT_RATIO_MAX)
        return error_set(err, errlen, "%s：压缩比 %llu:1 异常（疑似 zip 炸弹）", name,
                         (unsigned long long)(st.size / (st.comp_size ? st.comp_size : 1)));
    call_once(&S_LIBXML_ONCE, s_libxml_init);
    zip_file_t *f = zip_fopen_index(z, (zip_uint64_t)idx, 0);
    if (!f) return error_set(err, errlen, "%s：无法解压（%s）", name, zip_strerror(z));
    char *buf = malloc(S_CHUNK);
    xmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;       /* for serror; startElement (not ...Ns): SAX1 */
    sax.startElement = s_sax_start;
    sax.endElement = s_sax_end;
    if (text) {                              /* text, CDATA and blanks alike, as expat gave */
        sax.characters = s_sax_text;
        sax.cdataBlock = s_sax_text;
        sax.ignorableWhitespace = s_sax_text;
    }
    sax.internalSubset = s_doctype;
    sax.externalSubset = s_doctype;
    sax.entityDecl = s_entity;
    sax.serror = s_sax_error;
    s_xml *x = ud;
    x->start = start;
    x->end = end;
    x->text = text;
    x->failed = false;
    x->err[0] = '\0';
    /* one parser for all the parts of a workbook (*ctx, freed by the caller): reset for
     * each part, its handlers and user data set anew; creating and freeing one per part
     * cost more than most parts' parsing */
    if (buf && *ctx) {
        xmlCtxtResetPush(*ctx, NULL, 0, NULL, NULL);
        memcpy((*ctx)->sax, &sax, sizeof sax);
        (*ctx)->userData = ud;
    } else if (buf) {
        *ctx = xmlCreatePushParserCtxt(&sax, ud, NULL, 0, NULL);
    }
    x->p = buf ? *ctx : NULL;
    if (!x->p) {
        free(buf);
        zip_fclose(f);
        return error_set(err, errlen, "内存不足");
    }
    xmlCtxtUseOptions(x->p, XML_PARSE_NONET | XML_PARSE_SAX1 | XML_PARSE_IGNORE_ENC | XML_PARSE_NOWARNING);
    int rc = 0;
    zip_uint64_t total = 0;
    while (rc == 0) {
        zip_int64_t n = zip_fread(f, buf, S_CHUNK);
        if (n < 0) {
            rc = error_set(err, errlen, "%s：解压失败（%s）", name, zip_file_strerror(f));
            break;
        }
        total += (zip_uint64_t)n;
        if (total > IMPORT_ENTRY_MAX) {
            rc = error_set(err, errlen, "%s：解压后超过 %u 字节（疑似 zip 炸弹）", name, IMPORT_ENTRY_MAX);
            break;
        }
        xmlParseChunk(x->p, buf, (int)n, n == 0);
        if (x->failed || !x->p->wellFormed || x->p->disableSAX) {
            if (x->err[0]) rc = error_set(err, errlen, "%s：%s", name, x->err);
            else {
                const xmlError *e = xmlCtxtGetLastError(x->p);
                char msg[256];
                snprintf(msg, sizeof msg, "%s", e && e->message ? e->message : "?");
                size_t ml = strlen(msg);
                while (ml && (msg[ml - 1] == '\n' || msg[ml - 1] == ' ')) msg[--ml] = '\0';
                rc = error_set(err, errlen, "%s：XML 格式错误（第 %lu 行：%s）", name,
                               (unsigned long)(e ? e->line : 0), msg);
            }
            break;
        }
        if (n == 0) break;
    }
    x->p = NULL;
    free(buf);
    zip_fclose(f);
    return rc;
}

static const char *s_attr(const char **atts, const char *name)
{
    for (int i = 0; atts[i]; i += 2)
        if (strcmp(atts[i], name) == 0) return atts[i + 1];
    return NULL;
}

/* Local element name without its namespace prefix ("x:c" -> "c"). */
static const char *s_local(const char *n)
{
    const char *l = n;                 /* names are a few bytes: a loop beats strrchr's call */
    for (const char *p = n; *p; p++)
        if (*p == ':') l = p + 1;
    return l;
}

/* A growable text buffer. */
typedef struct {
    char *s;
    size_t len, cap;
} s_buf;

/* Room for n more bytes and a NUL. 0 or -1 (no memory). */
static int s_buf_room(s_buf *b, size_t n)
{
    size_t need = b->len + n + 1, cap = b->cap ? b->cap : 256;
    if (need <= b->cap) return 0;
    while (cap < need) cap *= 2;
    char *ns = realloc(b->s, cap);
    if (!ns) return -1;
    b->s = ns;
    b->cap = cap;
    return 0;
}

static int s_buf_add(s_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > GRID_TEXT_MAX * 4) return 0;     /* longer text is cut by grid_set */
    if (s_buf_room(b, n) != 0) return -1;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

/* ---- [Content_Types].xml ---- */

typedef struct {
    s_xml x;
    bool workbook;
} s_types;

static void s_types_start(void *ud, const char *el, const char **atts)
{
    s_types *t = ud;
    if (strcmp(s_local(el), "Override") != 0) return;
    const char *ct = s_attr(atts, "ContentType");
    if (ct && (strstr(ct, "spreadsheetml.sheet.main") || strstr(ct, "sheet.macroEnabled.main") ||
               strstr(ct, "spreadsheetml.template.main")))
        t->workbook = true;
}

static void s_noend(void *ud, const char *el) { (void)ud; (void)el; }

/* ---- workbook.xml and rels ---- */

typedef struct {
    char name[128];
    char rid[64];
    char target[256];
} s_sheet;

typedef struct {
    s_xml x;
    s_sheet *sheets;
    size_t n;
    bool too_many;
} s_book;

static void s_book_start(void *ud, const char *el, const char **atts)
{
    s_book *b = ud;
    if (strcmp(s_local(el), "sheet") != 0) return;
    if (b->n >= IMPORT_SHEETS_MAX) { b->too_many = true; return; }
    s_sheet *s = &b->sheets[b->n++];
    memset(s, 0, sizeof *s);
    const char *name = s_attr(atts, "name");
    snprintf(s->name, sizeof s->name, "%s", name ? name : "");
    for (int i = 0; atts[i]; i += 2)
        if (strcmp(s_local(atts[i]), "id") == 0 && strchr(atts[i], ':'))
            snprintf(s->rid, sizeof s->rid, "%s", atts[i + 1]);
}

static void s_rels_start(void *ud, const char *el, const char **atts)
{
    s_book *b = ud;
    if (strcmp(s_local(el), "Relationship") != 0) return;
    const char *id = s_attr(atts, "Id"), *target = s_attr(atts, "Target");
    if (!id || !target) return;
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->sheets[i].rid, id) == 0) {
            if (target[0] == '/') snprintf(b->sheets[i].target, sizeof b->sheets[i].target, "%s", target + 1);
            else snprintf(b->sheets[i].target, sizeof b->sheets[i].target, "xl/%s", target);
        }
}

/* ---- sharedStrings.xml ---- */

/* The table is one text arena and an (offset, length) per string: a workbook of 100,000
 * strings costs a few reallocations, not 100,000 mallocs, and a cell finds its text and
 * length without strlen. */
typedef struct {
    uint32_t off, len;
} s_sst_at;

typedef struct {
    s_xml x;
    s_buf text;                   /* every string, NUL-terminated, one after the other */
    s_buf at;                     /* n s_sst_at, one per string */
    size_t n;
    s_buf cur;
    int in_si, in_t, in_rph;
    bool oom, too_many;
} s_sst;

static const s_sst_at *s_sst_get(const s_sst *s, size_t i)
{
    assert(i < s->n);
    return (const s_sst_at *)(const void *)s->at.s + i;
}

/* Appends the string of the <si> just closed. 0 or -1 (no memory). The arena is bounded by
 * the entry's size (IMPORT_ENTRY_MAX), so offsets fit in 32 bits. */
static int s_sst_push(s_sst *s, const char *t, size_t len)
{
    _Static_assert(IMPORT_ENTRY_MAX < UINT32_MAX / 2, "shared-string offsets are 32-bit");
    s_sst_at a = { (uint32_t)s->text.len, (uint32_t)len };
    if (s_buf_room(&s->at, sizeof a) != 0 || s_buf_room(&s->text, len) != 0) return -1;
    memcpy(s->at.s + s->n * sizeof a, &a, sizeof a);   /* realloc'd: aligned for s_sst_at */
    s->at.len += sizeof a;
    s->n++;
    if (len) memcpy(s->text.s + s->text.len, t, len);
    s->text.s[s->text.len + len] = '\0';
    s->text.len += len + 1;
    return 0;
}

static void s_sst_start(void *ud, const char *el, const char **atts)
{
    (void)atts;
    s_sst *s = ud;
    const char *l = s_local(el);
    if (strcmp(l, "si") == 0) { s->in_si = 1; s->cur.len = 0; if (s->cur.s) s->cur.s[0] = '\0'; }
    else if (strcmp(l, "rPh") == 0) s->in_rph = 1;
    else if (strcmp(l, "t") == 0 && s->in_si && !s->in_rph) s->in_t = 1;
}

static void s_sst_end(void *ud, const char *el)
{
    s_sst *s = ud;
    const char *l = s_local(el);
    if (strcmp(l, "t") == 0) s->in_t = 0;
    else if (strcmp(l, "rPh") == 0) s->in_rph = 0;
    else if (strcmp(l, "si") == 0) {
        s->in_si = 0;
        if (s->n >= IMPORT_STRINGS_MAX) {
            s->too_many = true;
            s->x.failed = true;
            snprintf(s->x.err, sizeof s->x.err, "共享字符串超过 %u 个", IMPORT_STRINGS_MAX);
            s_stop(&s->x);
            return;
        }
        if (s_sst_push(s, s->cur.s ? s->cur.s : "", s->cur.s ? s->cur.len : 0) != 0) s->oom = true;
    }
}

static void s_sst_text(void *ud, const char *t, int len)
{
    s_sst *s = ud;
    if (s->in_t && s_buf_add(&s->cur, t, (size_t)len) != 0) s->oom = true;
}

/* ---- styles.xml: per cell style, the decimals shown and whether it is a date ---- */

typedef struct {
    int id;
    uint8_t decimals;
    bool date;
    uint8_t pad;       /* "000000": a code shown with leading zeros to this width */
} s_fmt;

typedef struct {
    s_xml x;
    s_fmt fmts[512];
    size_t nfmts;
    uint8_t *xf_dec, *xf_pad;
    bool *xf_date;
    size_t nxf, capxf;
    int in_xfs;
} s_styles;

static void s_format_info(const char *code, uint8_t *dec, bool *date, uint8_t *pad)
{
    *pad = 0;
    size_t zeros = strspn(code, "0");
    if (zeros > 1 && code[zeros] == '\0' && zeros < 20) *pad = (uint8_t)zeros;
    *dec = 0;
    *date = false;
    bool quoted = false, bracket = false, after_point = false;
    for (const char *p = code; *p; p++) {
        if (*p == '"') { quoted = !quoted; continue; }
        if (quoted) continue;
        if (*p == '[') { bracket = true; continue; }
        if (*p == ']') { bracket = false; continue; }
        if (bracket) continue;
        if (*p == '\\') { if (p[1]) p++; continue; }
        if (*p == ';') break;                 /* the positive section decides */
        if (strchr("yYmMdDhHsS", *p)) *date = true;
        if (*p == '.') after_point = true;
        else if (after_point && (*p == '0' || *p == '#' || *p == '?')) (*dec)++;
        else if (after_point) after_point = false;
    }
    if (*date) *dec = 0;
}

static void s_builtin(int id, uint8_t *dec, bool *date)
{
    *date = (id >= 14 && id <= 22) || (id >= 45 && id <= 47) || (id >= 27 && id <= 36) ||
            (id >= 50 && id <= 58);
    *dec = (id == 2 || id == 4 || id == 8 || id == 10 || id == 40 || id == 7 || id == 39) ? 2 :
           (id == 11) ? 2 : (id == 0) ? GRID_DECIMALS_UNKNOWN : 0;
}

static void s_styles_start(void *ud, const char *el, const char **atts)
{
    s_styles *s = ud;
    const char *l = s_local(el);
    if (strcmp(l, "numFmt") == 0 && s->nfmts < sizeof s->fmts / sizeof s->fmts[0]) {
        const char *id = s_attr(atts, "numFmtId"), *code = s_attr(atts, "formatCode");
        if (!id || !code) return;
        s_fmt *f = &s->fmts[s->nfmts++];
        f->id = atoi(id);
        s_format_info(code, &f->decimals, &f->date, &f->pad);
    } else if (strcmp(l, "cellXfs") == 0) {
        s->in_xfs = 1;
    } else if (strcmp(l, "xf") == 0 && s->in_xfs) {
        if (s->nxf == s->capxf) {
            size_t cap = s->capxf ? s->capxf * 2 : 64;
            if (cap > 65536) return;
            uint8_t *d = realloc(s->xf_dec, cap);
            if (!d) return;
            s->xf_dec = d;
            bool *b = realloc(s->xf_date, cap * sizeof *b);
            if (!b) return;
            s->xf_date = b;
            uint8_t *pd = realloc(s->xf_pad, cap);
            if (!pd) return;
            s->xf_pad = pd;
            s->capxf = cap;
        }
        const char *idt = s_attr(atts, "numFmtId");
        int id = idt ? atoi(idt) : 0;
        uint8_t dec, pad = 0;
        bool date;
        s_builtin(id, &dec, &date);
        for (size_t i = 0; i < s->nfmts; i++)
            if (s->fmts[i].id == id) {
                dec = s->fmts[i].decimals;
                date = s->fmts[i].date;
                pad = s->fmts[i].pad;
            }
        s->xf_pad[s->nxf] = pad;
        s->xf_dec[s->nxf] = dec;
        s->xf_date[s->nxf] = date;
        s->nxf++;
    }
}

static void s_styles_end(void *ud, const char *el)
{
    s_styles *s = ud;
    if (strcmp(s_local(el), "cellXfs") == 0) s->in_xfs = 0;
}

/* ---- a sheet ---- */

/* <c t="...">, told apart once when the cell opens instead of by string at its end. Any
 * other value reads as a number, as "n" does. */
typedef enum { S_T_NUMBER, S_T_SHARED, S_T_INLINE, S_T_STR, S_T_ERROR, S_T_BOOL, S_T_DATE } s_ctype;

static s_ctype s_cell_type(const char *t)
{
    if (!t) return S_T_NUMBER;
    if (t[0] && !t[1]) {
        switch (t[0]) {
        case 's': return S_T_SHARED;
        case 'e': return S_T_ERROR;
        case 'b': return S_T_BOOL;
        case 'd': return S_T_DATE;
        default: return S_T_NUMBER;
        }
    }
    if (strcmp(t, "inlineStr") == 0) return S_T_INLINE;
    if (strcmp(t, "str") == 0) return S_T_STR;
    return S_T_NUMBER;
}

typedef struct {
    s_xml x;
    grid_t *g;
    const s_sst *sst;
    const s_styles *st;
    size_t *cells;                /* running count over the workbook */
    /* current cell */
    bool in_c, in_v, in_f, in_is_t;
    char ref[16];
    s_ctype type;
    int style;
    s_buf v, f;
    uint32_t next_row, next_col, row;
} s_sheetp;

static void s_fail(s_sheetp *s, const char *fmt, const char *a, const char *b)
{
    if (s->x.failed) return;
    s->x.failed = true;
    snprintf(s->x.err, sizeof s->x.err, fmt, a ? a : "", b ? b : "");
    s_stop(&s->x);
}

/* "AB12" -> (11, 27). Returns 0, or -1 when the reference is malformed or beyond Excel. */
static int s_ref(const char *ref, uint32_t *row, uint32_t *col)
{
    uint64_t c = 0, r = 0;
    const char *p = ref;
    int letters = 0, digits = 0;
    for (; *p >= 'A' && *p <= 'Z'; p++, letters++) {
        c = c * 26 + (uint64_t)(*p - 'A' + 1);
        if (letters > 3) return -1;
    }
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        r = r * 10 + (uint64_t)(*p - '0');
        if (digits > 7) return -1;
    }
    if (*p || letters == 0 || digits == 0 || r == 0 || c == 0) return -1;
    if (r > GRID_ROWS_MAX || c > GRID_COLS_MAX) return -1;
    *row = (uint32_t)(r - 1);
    *col = (uint32_t)(c - 1);
    return 0;
}

/* Up to DBL_DIG (15) significant digits a decimal is the shortest text of its double (two
 * such decimals never share a double), so only longer digit strings need grid_number_text. */
#define S_EXACT_DIGITS 15
#define S_CANONICAL_MAX 32      /* bytes of a number text taken as it stands (see below) */

/* Significant digits of a plain decimal ("-0012.3400" -> 4). */
static int s_significant_digits(const char *t)
{
    const char *first = NULL, *last = NULL;
    for (const char *p = t; *p; p++)
        if (*p >= '1' && *p <= '9') {
            if (!first) first = p;
            last = p;
        }
    if (!first) return 0;
    int n = 0;
    for (const char *p = first; p <= last; p++) n += *p >= '0' && *p <= '9';
    return n;
}

/* Whether t[0..len) is already what s_plain_number() and the S_EXACT_DIGITS rule would make
 * of it: -?(0|[1-9][0-9]*)(.[0-9]*[1-9])? with at most S_EXACT_DIGITS significant digits
 * and not "-0". What Excel and libxlsxwriter write for an amount ("12673.55", "987", "0")
 * is, so the common cell is taken as it stands, without a copy. */
static bool s_canonical_number(const char *t, size_t len)
{
    if (len > S_CANONICAL_MAX) return false;          /* long forms: s_plain_number decides */
    const char *p = t, *e = t + len;
    if (p < e && *p == '-') p++;
    if (p == e || *p < '0' || *p > '9') return false;
    const char *int0 = p;
    if (*p == '0') p++;                               /* a lone leading 0 ("0", "0.5") */
    else
        while (p < e && *p >= '0' && *p <= '9') p++;
    int sig = *int0 == '0' ? 0 : (int)(p - int0);
    if (p < e) {
        if (*p != '.' || p + 1 == e) return false;
        p++;
        const char *frac0 = p, *last = NULL;
        for (; p < e; p++) {
            if (*p < '0' || *p > '9') return false;
            if (*p != '0') last = p;
        }
        if (!last || last != e - 1) return false;    /* "1.50", "1.0": trailing zeros */
        if (sig == 0) {                               /* "0.0012": zeros before the first */
            while (frac0 < e && *frac0 == '0') frac0++;
        }
        sig += (int)(e - frac0);
    } else if (*int0 == '0' && t[0] == '-') {
        return false;                                 /* "-0" is written "0" */
    }
    return sig <= S_EXACT_DIGITS;
}

/* Validates an XML number and writes it as a plain decimal (no exponent). 0 or -1. */
static int s_plain_number(const char *in, char *out, size_t outlen)
{
    const char *p = in;
    while (*p == ' ') p++;
    bool neg = false;
    if (*p == '-' || *p == '+') neg = (*p++ == '-');
    char digits[64];
    int nd = 0, point = -1;
    for (; (*p >= '0' && *p <= '9') || *p == '.'; p++) {
        if (*p == '.') {
            if (point >= 0) return -1;
            point = nd;
            continue;
        }
        if (nd >= (int)sizeof digits - 1) return -1;
        digits[nd++] = *p;
    }
    if (nd == 0) return -1;
    if (point < 0) point = nd;
    long exp10 = 0;
    if (*p == 'e' || *p == 'E') {
        char *end;
        errno = 0;
        exp10 = strtol(p + 1, &end, 10);
        if (errno || end == p + 1 || exp10 > 30 || exp10 < -30) return -1;
        p = end;
    }
    while (*p == ' ') p++;
    if (*p) return -1;
    long pt = point + exp10;        /* digits before the point */
    char o[160];
    size_t k = 0;
    if (neg) o[k++] = '-';
    if (pt <= 0) {
        o[k++] = '0';
        o[k++] = '.';
        for (long i = 0; i < -pt; i++) o[k++] = '0';
        for (int i = 0; i < nd; i++) o[k++] = digits[i];
    } else {
        for (long i = 0; i < pt; i++) o[k++] = i < nd ? digits[i] : '0';
        if (pt < nd) {
            o[k++] = '.';
            for (int i = (int)pt; i < nd; i++) o[k++] = digits[i];
        }
    }
    o[k] = '\0';
    /* trim: leading zeros of the integer part, trailing zeros after the point */
    char *s = o + (neg ? 1 : 0);
    char *dot = strchr(s, '.');
    if (dot) {
        char *e = o + strlen(o) - 1;
        while (e > dot && *e == '0') *e-- = '\0';
        if (e == dot) *e = '\0';
    }
    while (s[0] == '0' && s[1] && s[1] != '.') memmove(s, s + 1, strlen(s));
    if (strcmp(o, "-0") == 0) strcpy(o, "0");
    if (strlen(o) + 1 > outlen) return -1;
    strcpy(out, o);
    return 0;
}

/* A style index ("3"): the digits by hand, anything else as atoi() read it before. */
static int s_style_index(const char *t)
{
    int v = 0;
    const char *p = t;
    for (; *p >= '0' && *p <= '9' && p - t < 9; p++) v = v * 10 + (*p - '0');
    return *p || p == t ? atoi(t) : v;
}

static void s_cell_start(s_sheetp *s, const char **atts)
{
    s->in_c = true;
    const char *r = NULL, *t = NULL, *st = NULL;
    for (int i = 0; atts[i]; i += 2) {          /* the first of each, as s_attr() finds */
        const char *a = atts[i];
        if (a[0] == '\0' || a[1] != '\0') continue;
        if (a[0] == 'r' && !r) r = atts[i + 1];
        else if (a[0] == 't' && !t) t = atts[i + 1];
        else if (a[0] == 's' && !st) st = atts[i + 1];
    }
    size_t n = r ? strlen(r) : 0;
    if (n >= sizeof s->ref) n = sizeof s->ref - 1;    /* cut as snprintf cut it */
    if (n) memcpy(s->ref, r, n);
    s->ref[n] = '\0';
    s->type = s_cell_type(t);
    s->style = st ? s_style_index(st) : 0;
    s->v.len = 0;
    s->f.len = 0;
    if (s->v.s) s->v.s[0] = '\0';
    if (s->f.s) s->f.s[0] = '\0';
}

static void s_sheet_start(void *ud, const char *el, const char **atts)
{
    s_sheetp *s = ud;
    if (s->x.failed) return;
    const char *l = s_local(el);
    if (l[0] && !l[1]) {                        /* the elements of every cell: c, v, f, t */
        switch (l[0]) {
        case 'c': s_cell_start(s, atts); return;
        case 'v': if (s->in_c) s->in_v = true; return;
        case 'f': if (s->in_c) s->in_f = true; return;
        case 't': if (s->in_c) s->in_is_t = true; return;
        default: return;
        }
    }
    if (strcmp(l, "row") == 0) {
        const char *r = s_attr(atts, "r");
        if (r) {
            char *end;
            unsigned long v = strtoul(r, &end, 10);
            if (*end || v == 0 || v > GRID_ROWS_MAX) {
                s_fail(s, "行号 %s 超出范围（上限 1048576）%s", r, NULL);
                return;
            }
            s->row = (uint32_t)(v - 1);
        } else {
            s->row = s->next_row;
        }
        s->next_row = s->row + 1;
        s->next_col = 0;
    } else if (strcmp(l, "mergeCell") == 0) {
        const char *ref = s_attr(atts, "ref");
        char a[32] = "", b[32] = "";
        const char *colon = ref ? strchr(ref, ':') : NULL;
        if (!ref || !colon || (size_t)(colon - ref) >= sizeof a) return;
        memcpy(a, ref, (size_t)(colon - ref));
        snprintf(b, sizeof b, "%s", colon + 1);
        uint32_t r0, c0, r1, c1;
        char err[256];
        if (s->g->nmerges >= IMPORT_MERGES_MAX) {
            s_fail(s, "合并单元格超过 %s 处%s", "20000", NULL);
            return;
        }
        if (s_ref(a, &r0, &c0) != 0 || s_ref(b, &r1, &c1) != 0 ||
            grid_merge(s->g, r0, c0, r1, c1, err, sizeof err) != 0)
            s_fail(s, "合并单元格 %s 无效%s", ref, NULL);
    }
}

static void s_cell_done(s_sheetp *s)
{
    uint32_t row = s->row, col = s->next_col;
    if (s->ref[0] && s_ref(s->ref, &row, &col) != 0) {
        s_fail(s, "单元格位置 %s 超出范围%s", s->ref, NULL);
        return;
    }
    s->next_col = col + 1;
    const char *v = s->v.s ? s->v.s : "";
    size_t vlen = s->v.s ? s->v.len : 0;
    grid_kind kind = GRID_TEXT;
    char text[128];
    const char *out = v;
    size_t outlen = vlen;
    uint8_t dec = GRID_DECIMALS_UNKNOWN, pad = 0;
    bool date = false;
    if (s->st && s->style >= 0 && (size_t)s->style < s->st->nxf) {
        dec = s->st->xf_dec[s->style];
        date = s->st->xf_date[s->style];
        pad = s->st->xf_pad[s->style];
    }
    switch (s->type) {
    case S_T_SHARED: {
        char *end;
        unsigned long i = strtoul(v, &end, 10);
        if (!v[0] || *end || !s->sst || i >= s->sst->n) {
            char ref[320];                 /* "表9 国有资本经营预算支出表!B6": sheet and cell */
            snprintf(ref, sizeof ref, "%.280s!%s", s->g->name, s->ref);
            s_fail(s, "单元格 %s：共享字符串序号 %s 超出范围", ref, v);
            return;
        }
        out = s->sst->text.s + s_sst_get(s->sst, i)->off;
        outlen = s_sst_get(s->sst, i)->len;
        break;
    }
    case S_T_INLINE:
    case S_T_STR:                        /* inline text, or a formula's cached string */
        break;
    case S_T_ERROR:
        kind = GRID_ERROR;
        break;
    case S_T_BOOL:
        out = strcmp(v, "1") == 0 ? "TRUE" : "FALSE";
        outlen = strlen(out);
        break;
    case S_T_NUMBER:
    case S_T_DATE:
        if (!v[0]) {
            if (s->f.len) {
                char buf[GRID_TEXT_MAX];
                snprintf(buf, sizeof buf, "=%s", s->f.s);
                char err[256];
                if (grid_set(s->g, row, col, GRID_FORMULA_NO_VALUE, buf, strlen(buf), dec, err, sizeof err) != 0)
                    s_fail(s, "%s%s", err, NULL);
                (*s->cells)++;
            }
            return;
        }
        if (s->type == S_T_DATE) {
            kind = GRID_DATE;
            break;
        }
        kind = date ? GRID_DATE : GRID_NUMBER;
        if (!s_canonical_number(v, vlen)) {
            if (s_plain_number(v, text, sizeof text) != 0) {
                s_fail(s, "单元格 %s：数值 '%s' 不是数字", s->ref, v);
                return;
            }
            /* the stored digits are a double's (libxlsxwriter writes 16, Excel 17
             * significant digits: 664.4299999999999): its shortest round-trip text is
             * what Excel shows and what the document printed (house rule: grid_number_text) */
            char shortest[64];
            if (s_significant_digits(text) > S_EXACT_DIGITS &&
                grid_number_text_decimal(text, shortest) == 0 && strlen(shortest) < sizeof text)
                memcpy(text, shortest, strlen(shortest) + 1);
            out = text;
            outlen = strlen(text);
        }
        if (pad > outlen && !memchr(out, '.', outlen) && out[0] != '-' && pad < sizeof text) {
            /* a code typed as a number and shown as "000000": keep the zeros it shows */
            memmove(text + (pad - outlen), out, outlen + 1);
            memset(text, '0', pad - outlen);
            out = text;
            outlen = pad;
        }
        break;
    }
    if (!outlen) return;
    if (++(*s->cells) > IMPORT_CELLS_MAX) {
        s_fail(s, "单元格超过 %s 个（预算表不会这么大）%s", "500000", NULL);
        return;
    }
    char err[256];
    size_t len = import_utf8_cut(out, outlen, GRID_TEXT_MAX);
    if (grid_set(s->g, row, col, kind, out, len, dec, err, sizeof err) != 0) s_fail(s, "%s%s", err, NULL);
}

static void s_sheet_end(void *ud, const char *el)
{
    s_sheetp *s = ud;
    if (s->x.failed) return;
    const char *l = s_local(el);
    if (!l[0] || l[1]) return;                  /* row, sheetData ...: nothing to close */
    switch (l[0]) {
    case 'v': s->in_v = false; break;
    case 'f': s->in_f = false; break;
    case 't': s->in_is_t = false; break;
    case 'c':
        if (s->in_c) {
            s->in_c = false;
            s_cell_done(s);
        }
        break;
    default: break;
    }
}

static void s_sheet_text(void *ud, const char *t, int len)
{
    s_sheetp *s = ud;
    if (s->x.failed || !s->in_c) return;
    if (s->in_v || (s->in_is_t && s->type == S_T_INLINE)) s_buf_add(&s->v, t, (size_t)len);
    else if (s->in_f) s_buf_add(&s->f, t, (size_t)len);
}

/* ---- the workbook ---- */

void grid_list_free(grid_list_t *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->count; i++) grid_destroy(&l->items[i]);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int s_list_add(grid_list_t *l, grid_t *g)
{
    if (array_reserve(&l->items, &l->cap, l->count + 1, sizeof *l->items, 8)) return -1;

    l->items[l->count++] = g;
    return 0;
}

int xlsx_read(const char *path, grid_list_t *out, char *err, size_t errlen)
{
    int zerr = 0;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    if (!z) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        int rc = error_set(err, errlen, "%s：不是可读的 zip 文件（%s）", path, zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return rc;
    }
    char e[600] = "";
    int rc = 0;
    s_types types = { 0 };
    s_book book = { 0 };
    s_sst sst = { 0 };
    s_styles styles = { 0 };
    grid_list_t grids = { 0 };
    xmlParserCtxtPtr ctx = NULL;
    /* not calloc: s_book_start clears each sheet it fills, and zeroing all 256 cost more
     * than reading a small workbook's directory */
    book.sheets = malloc(IMPORT_SHEETS_MAX * sizeof *book.sheets);
    if (!book.sheets) { rc = error_set(e, sizeof e, "内存不足"); goto done; }
    int r = s_parse_entry(z, &ctx, "[Content_Types].xml", &types, s_types_start, s_noend, NULL, e, sizeof e);
    if (r < 0) { rc = -1; goto done; }
    if (r == 1 || !types.workbook) {
        rc = error_set(e, sizeof e, "zip 文件中没有 Excel 工作簿（[Content_Types].xml 未声明工作簿；是改了扩展名的其他 zip 文件吗？）");
        goto done;
    }
    if (s_parse_entry(z, &ctx, "xl/workbook.xml", &book, s_book_start, s_noend, NULL, e, sizeof e) != 0) {
        if (!e[0]) snprintf(e, sizeof e, "工作簿缺少 xl/workbook.xml");
        rc = -1;
        goto done;
    }
    if (book.too_many) { rc = error_set(e, sizeof e, "工作表超过 %u 张", IMPORT_SHEETS_MAX); goto done; }
    if (s_parse_entry(z, &ctx, "xl/_rels/workbook.xml.rels", &book, s_rels_start, s_noend, NULL, e, sizeof e) < 0) {
        rc = -1;
        goto done;
    }
    if (s_parse_entry(z, &ctx, "xl/sharedStrings.xml", &sst, s_sst_start, s_sst_end, s_sst_text, e, sizeof e) < 0 ||
        sst.oom) {
        if (!e[0]) snprintf(e, sizeof e, "内存不足");
        rc = -1;
        goto done;
    }
    if (s_parse_entry(z, &ctx, "xl/styles.xml", &styles, s_styles_start, s_styles_end, NULL, e, sizeof e) < 0) {
        rc = -1;
        goto done;
    }
    size_t cells = 0;
    for (size_t i = 0; i < book.n; i++) {
        s_sheet *sh = &book.sheets[i];
        if (!sh->target[0]) continue;
        grid_t *g = grid_new(sh->name);
        if (!g || s_list_add(&grids, g) != 0) {
            grid_destroy(&g);
            rc = error_set(e, sizeof e, "内存不足");
            goto done;
        }
        s_sheetp sp = { 0 };
        sp.g = g;
        sp.sst = &sst;
        sp.st = &styles;
        sp.cells = &cells;
        char e2[600] = "";
        int pr = s_parse_entry(z, &ctx, sh->target, &sp, s_sheet_start, s_sheet_end, s_sheet_text, e2, sizeof e2);
        free(sp.v.s);
        free(sp.f.s);
        if (pr < 0) {
            rc = error_set(e, sizeof e, "工作表 %s：%s", sh->name, e2);
            goto done;
        }
        grid_finish(g);
    }
done:
    if (ctx) xmlFreeParserCtxt(ctx);
    zip_discard(z);
    free(sst.text.s);
    free(sst.at.s);
    free(sst.cur.s);
    free(styles.xf_dec);
    free(styles.xf_pad);
    free(styles.xf_date);
    free(book.sheets);
    if (rc != 0) {
        grid_list_free(&grids);
        return error_set(err, errlen, "%s：%s", path, e);
    }
    for (size_t i = 0; i < grids.count; i++)
        if (s_list_add(out, grids.items[i]) != 0) {
            for (size_t k = i; k < grids.count; k++) grid_destroy(&grids.items[k]);
            free(grids.items);
            return error_set(err, errlen, "内存不足");
        }
    free(grids.items);
    return 0;
}
