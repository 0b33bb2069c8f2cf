/* narrative.c -- reading amount, change and share claims out of a budget narrative.
 *
 * Three steps. (1) Lines are normalised (full-width digits and punctuation to ASCII, markup
 * such as <u>…</u> and _ dropped) and joined into paragraphs: table lines are skipped and a
 * line that does not end a sentence runs on into the next unless that one starts a heading
 * or list item. Every byte keeps the line it came from. (2) A paragraph is cut into tokens:
 * amounts (a number followed by 万元), percentages (a number followed by %), 持平 and
 * sentence ends, each amount or percentage with the keyword printed just before it
 * (增加/减少/增长/下降/占). (3) Tokens become claims sentence by sentence: an amount without a
 * keyword opens a statement about the subject printed before it, and the change, the
 * percentage, the share and 持平 that follow in the same sentence belong to it.
 */
#include "narrative.h"

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amount.h"
#include "array.h"
#include "submission.h"
#include "utf8.h"

/* Longest integer part read (digits); more would overflow fen. */
#define NARR_INT_DIGITS_MAX 12
/* Most decimals a formatted scaled number shows (10^18 still fits uint64). */
#define NARR_SCALED_DECIMALS_MAX 18
/* Most decimals a number may carry: the fen resolution of 万元. */
#define NARR_DECIMALS_MAX 6
/* A paragraph longer than this is cut (a run-on extraction artefact, not prose). */
#define NARR_PARAGRAPH_MAX (64 * 1024)
/* A sentence quoted in a claim is cut (on a UTF-8 boundary) at this many bytes. */
#define NARR_SENTENCE_MAX 900

const char *narrative_topic_label(narrative_topic t)
{
    switch (t) {
    case NARR_TOPIC_SUMMARY: return "收支总预算";
    case NARR_TOPIC_INCOME: return "收入预算";
    case NARR_TOPIC_EXPENSE: return "支出预算";
    case NARR_TOPIC_FISCAL: return "财政拨款收支";
    case NARR_TOPIC_GPB: return "一般公共预算";
    case NARR_TOPIC_THREE_PUBLIC: return "\"三公\"经费";
    case NARR_TOPIC_OPEX: return "机关运行经费";
    case NARR_TOPIC_PROJECTS: return "项目支出";
    case NARR_TOPIC_OTHER: return "其他事项";
    default: return "未识别";
    }
}

/* ---- number formatting ---- */

char *narrative_format_scaled(int64_t value, int decimals, char buf[NARRATIVE_NUM_BUF])
{
    if (decimals < 0) decimals = 0;
    if (decimals > NARR_SCALED_DECIMALS_MAX) decimals = NARR_SCALED_DECIMALS_MAX;
    uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    uint64_t scale = 1;
    for (int i = 0; i < decimals; i++) scale *= 10;
    int n = snprintf(buf, NARRATIVE_NUM_BUF, "%s%llu", value < 0 ? "-" : "",
                     (unsigned long long)(mag / scale));
    if (decimals > 0 && n > 0 && n + decimals + 1 < NARRATIVE_NUM_BUF) {
        uint64_t frac = mag % scale;
        buf[n] = '.';
        for (int i = decimals; i > 0; i--, frac /= 10) buf[n + i] = (char)('0' + frac % 10);
        buf[n + decimals + 1] = '\0';
    }
    return buf;
}

char *narrative_format_amount(int64_t fen, int decimals, char buf[NARRATIVE_NUM_BUF])
{
    if (decimals < 0) decimals = 0;
    if (decimals > NARR_DECIMALS_MAX) decimals = NARR_DECIMALS_MAX;
    int64_t div = 1;
    for (int i = decimals; i < NARR_DECIMALS_MAX; i++) div *= 10;
    while (fen % div != 0) { div /= 10; decimals++; }   /* never drop a significant digit */
    return narrative_format_scaled(fen / div, decimals, buf);
}

/* ---- the paragraph buffer: normalised bytes, each with its source line ---- */

typedef struct {
    char *buf;
    uint32_t *line;
    size_t len, cap;
    int oom;
} s_buf_t;

static void s_put(s_buf_t *b, const char *s, size_t n, uint32_t line)
{
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (b->len + n + 1 > cap) cap *= 2;
        char *nb = realloc(b->buf, cap);
        if (!nb) { b->oom = 1; return; }
        b->buf = nb;
        uint32_t *nl = realloc(b->line, cap * sizeof *nl);
        if (!nl) { b->oom = 1; return; }
        b->line = nl;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, s, n);
    for (size_t i = 0; i < n; i++) b->line[b->len + i] = line;
    b->len += n;
    b->buf[b->len] = '\0';
}

/* Full-width and typographic characters the documents print, as the ASCII the tokenizer
 * reads. Anything not listed is copied unchanged. */
static const struct { const char *from; const char *to; } NORMALISE[] = {
    {"\xEF\xBC\x8E", "."}, {"\xEF\xBC\x85", "%"}, {"\xEF\xBC\x88", "("}, {"\xEF\xBC\x89", ")"},
    {"\xEF\xBC\x8D", "-"}, {"\xEF\xBC\x9A", ":"}, {"\xEF\xBC\x9B", ";"}, {"\xEF\xBC\x8C", ","},
    {"\xEF\xBC\x81", "!"}, {"\xE3\x80\x80", " "}, {"\xC2\xA0", " "}, {"\xE2\x80\x9C", "\""},
    {"\xE2\x80\x9D", "\""}, {"\xE2\x80\x94", "-"}, {"\xEF\xBC\x85", "%"},
};

static void s_normalise_line(s_buf_t *b, const char *s, size_t n, uint32_t line)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '_' || c == '*') { i++; continue; }
        if (c == '\t') { s_put(b, " ", 1, line); i++; continue; }
        if (c == '<') {               /* <u>, </u>, <i>, <br/>: markup, dropped */
            size_t j = i + 1;
            while (j < n && j - i <= 6 && (s[j] == '/' || (s[j] >= 'a' && s[j] <= 'z') ||
                                           (s[j] >= 'A' && s[j] <= 'Z')))
                j++;
            if (j < n && s[j] == '>' && j > i + 1) { i = j + 1; continue; }
        }
        if (c == 0xEF && i + 2 < n && (unsigned char)s[i + 1] == 0xBC &&
            (unsigned char)s[i + 2] >= 0x90 && (unsigned char)s[i + 2] <= 0x99) {
            char d = (char)('0' + ((unsigned char)s[i + 2] - 0x90));
            s_put(b, &d, 1, line);
            i += 3;
            continue;
        }
        bool done = false;
        for (size_t k = 0; k < sizeof NORMALISE / sizeof NORMALISE[0]; k++) {
            size_t fl = strlen(NORMALISE[k].from);
            if (i + fl <= n && memcmp(s + i, NORMALISE[k].from, fl) == 0) {
                s_put(b, NORMALISE[k].to, strlen(NORMALISE[k].to), line);
                i += fl;
                done = true;
                break;
            }
        }
        if (done) continue;
        size_t cl = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (i + cl > n) cl = n - i;
        s_put(b, s + i, cl, line);
        i += cl;
    }
}

static bool s_is_digit(char c) { return c >= '0' && c <= '9'; }

static bool s_starts(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && memcmp(s, lit, l) == 0;
}

static bool s_ends(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && memcmp(s + n - l, lit, l) == 0;
}

static bool s_is_table_line(const char *s, size_t n)
{
    if (memchr(s, '\t', n)) return true;
    size_t i = 0;
    while (i < n && s[i] == ' ') i++;
    return i < n && s[i] == '|';
}

/* Whether a normalised line starts a heading or list item (and so never continues the
 * previous line): "- ", "(一)", "1.", "2、", "一、", "第". */
static bool s_starts_item(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] == ' ') i++;
    s += i; n -= i;
    if (n == 0) return false;
    if (s[0] == '-' || s[0] == '(' || s[0] == '#') return true;
    if (s_is_digit(s[0])) {
        size_t j = 0;
        while (j < n && s_is_digit(s[j])) j++;
        return j < n && (s[j] == '.' || s[j] == ')' || s_starts(s + j, n - j, "、"));
    }
    static const char *NUMERALS[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "第"};
    for (size_t k = 0; k < sizeof NUMERALS / sizeof NUMERALS[0]; k++) {
        size_t l = strlen(NUMERALS[k]);
        if (s_starts(s, n, NUMERALS[k])) {
            if (k == 10) return true;
            const char *r = s + l; size_t rn = n - l;
            while (rn >= 3 && (s_starts(r, rn, "一") || s_starts(r, rn, "二") || s_starts(r, rn, "十")))
                r += 3, rn -= 3;
            return s_starts(r, rn, "、");
        }
    }
    return false;
}

static bool s_ends_sentence(const char *s, size_t n)
{
    while (n > 0 && s[n - 1] == ' ') n--;
    /* a heading ("(二)一般公共预算当年拨款结构情况") ends its line like a sentence */
    return n == 0 || s_ends(s, n, "。") || s[n - 1] == ';' || s[n - 1] == ':' || s[n - 1] == '!' ||
           s_ends(s, n, "情况") || s_ends(s, n, "说明");
}

/* ---- tokens ---- */

typedef enum { TOK_AMOUNT, TOK_PCT, TOK_FLAT, TOK_END } s_tok_kind;
typedef enum { KW_NONE, KW_INC, KW_DEC, KW_SHARE } s_keyword;

typedef struct {
    s_tok_kind kind;
    size_t start, end;     /* the number (or word) itself; end includes the unit */
    int64_t value;
    int decimals;
    uint32_t line;
    s_keyword kw;
} s_tok_t;

static const struct { const char *word; s_keyword kw; } KEYWORDS[] = {
    {"增加", KW_INC}, {"增长", KW_INC}, {"提高", KW_INC}, {"上升", KW_INC}, {"增幅", KW_INC},
    {"减少", KW_DEC}, {"下降", KW_DEC}, {"降低", KW_DEC}, {"压减", KW_DEC}, {"降幅", KW_DEC},
    {"减幅", KW_DEC}, {"占比", KW_SHARE}, {"占", KW_SHARE},
};

static s_keyword s_keyword_before(const char *p, size_t start)
{
    size_t e = start;
    while (e > 0 && (p[e - 1] == ' ' || p[e - 1] == ':')) e--;
    if (s_ends(p, e, "了")) e -= strlen("了");
    if (s_ends(p, e, "为")) e -= strlen("为");
    for (size_t k = 0; k < sizeof KEYWORDS / sizeof KEYWORDS[0]; k++)
        if (s_ends(p, e, KEYWORDS[k].word)) return KEYWORDS[k].kw;
    return KW_NONE;
}

/* Reads the number at p[i] (a digit not preceded by a digit). On success fills *t with
 * kind AMOUNT or PCT and returns true; *next is always where scanning resumes. */
static bool s_number(const char *p, size_t n, size_t i, s_tok_t *t, size_t *next)
{
    size_t j = i;
    int64_t ip = 0;
    int digits = 0;
    while (j < n && s_is_digit(p[j])) {
        if (++digits > NARR_INT_DIGITS_MAX) { while (j < n && s_is_digit(p[j])) j++; *next = j; return false; }
        ip = ip * 10 + (p[j] - '0');
        j++;
    }
    /* thousands groups: ",ddd" not followed by a further digit */
    while (j + 3 < n && p[j] == ',' && s_is_digit(p[j + 1]) && s_is_digit(p[j + 2]) &&
           s_is_digit(p[j + 3]) && !(j + 4 < n && s_is_digit(p[j + 4]))) {
        for (size_t k = 1; k <= 3; k++) ip = ip * 10 + (p[j + k] - '0');
        digits += 3;
        if (digits > NARR_INT_DIGITS_MAX) { *next = j + 4; return false; }
        j += 4;
    }
    int64_t frac = 0;
    int fd = 0;
    if (j < n && p[j] == '.') {
        size_t k = j + 1;
        while (k < n && p[k] == ' ') k++;
        if (k < n && s_is_digit(p[k])) {
            while (k < n && s_is_digit(p[k])) {
                if (fd < NARR_DECIMALS_MAX + 1) frac = frac * 10 + (p[k] - '0');
                fd++;
                k++;
            }
            j = k;
        }
    }
    *next = j;
    size_t u = j;
    while (u < n && p[u] == ' ') u++;
    if (fd > NARR_DECIMALS_MAX) return false;
    if (s_starts(p + u, n - u, "万元") || s_starts(p + u, n - u, "万 元")) {
        int64_t scale = 1;
        for (int d = fd; d < NARR_DECIMALS_MAX; d++) scale *= 10;
        t->kind = TOK_AMOUNT;
        t->value = ip * FEN_PER_WANYUAN + frac * scale;
        t->decimals = fd;
        t->end = u + (s_starts(p + u, n - u, "万元") ? strlen("万元") : strlen("万 元"));
    } else if (u < n && p[u] == '%') {
        int64_t v = ip;
        for (int d = 0; d < fd; d++) v *= 10;
        t->kind = TOK_PCT;
        t->value = v + frac;
        t->decimals = fd;
        t->end = u + 1;
    } else {
        return false;
    }
    t->start = i;
    *next = t->end;
    return true;
}

typedef struct { s_tok_t *v; size_t count, cap; int oom; } s_toks_t;

static void s_tok_push(s_toks_t *ts, const s_tok_t *t)
{
    if (ts->oom) return;
    if (array_reserve(&ts->v, &ts->cap, ts->count + 1, sizeof *ts->v, 32)) {
        ts->oom = 1;
        return;
    }

    ts->v[ts->count++] = *t;
}

static void s_tokenize(const s_buf_t *b, s_toks_t *ts)
{
    const char *p = b->buf;
    size_t n = b->len, i = 0;
    while (i < n) {
        if (s_is_digit(p[i]) && (i == 0 || (!s_is_digit(p[i - 1]) && p[i - 1] != '.' && p[i - 1] != ','))) {
            s_tok_t t = {0};
            size_t next;
            if (s_number(p, n, i, &t, &next)) {
                t.line = b->line[i];
                t.kw = s_keyword_before(p, i);
                s_tok_push(ts, &t);
            }
            i = next > i ? next : i + 1;
            continue;
        }
        if (s_starts(p + i, n - i, "持平")) {
            s_tok_t t = {.kind = TOK_FLAT, .start = i, .end = i + strlen("持平"), .line = b->line[i]};
            s_tok_push(ts, &t);
            i = t.end;
            continue;
        }
        if (s_starts(p + i, n - i, "。") || p[i] == ';' || p[i] == '!') {
            size_t l = p[i] == ';' || p[i] == '!' ? 1 : strlen("。");
            s_tok_t t = {.kind = TOK_END, .start = i, .end = i + l, .line = b->line[i]};
            s_tok_push(ts, &t);
            i += l;
            continue;
        }
        i++;
    }
}

/* ---- topics ---- */

static bool s_has(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    if (l > n) return false;
    for (size_t i = 0; i + l <= n; i++)
        if (memcmp(s + i, lit, l) == 0) return true;
    return false;
}

/* The topic a sentence head (the text before its first number) announces, in priority
 * order; `cur` when it announces none. */
static narrative_topic s_topic(const char *s, size_t n, narrative_topic cur)
{
    static const char *OTHER[] = {"政府采购", "政府购买服务", "绩效", "国有资产", "车辆",
                                  "国有资本经营预算支出", "政府性基金预算支出",
                                  "购置公务用车", "单位价值", "项目情况"};
    static const char *GPB[] = {"一般公共预算支出", "一般公共预算拨款支出", "一般公共预算当年拨款",
                                "一般公共预算基本支出", "一般公共预算拨款基本支出",
                                "一般公共预算拨款规模", "一般公共预算拨款结构", "一般公共预算拨款具体",
                                "一般公共预算财政拨款支出"};
    if (s_has(s, n, "三公")) return NARR_TOPIC_THREE_PUBLIC;
    if (s_has(s, n, "运行经费")) return NARR_TOPIC_OPEX;
    for (size_t k = 0; k < sizeof OTHER / sizeof OTHER[0]; k++)
        if (s_has(s, n, OTHER[k])) return NARR_TOPIC_OTHER;
    if (s_has(s, n, "财政拨款收支")) return NARR_TOPIC_FISCAL;
    if (s_has(s, n, "安排项目支出") || s_has(s, n, "项目支出情况") || s_has(s, n, "项目支出安排")) return NARR_TOPIC_PROJECTS;
    for (size_t k = 0; k < sizeof GPB / sizeof GPB[0]; k++)
        if (s_has(s, n, GPB[k])) return NARR_TOPIC_GPB;
    if (s_has(s, n, "收支总预算") || s_has(s, n, "收支预算")) return NARR_TOPIC_SUMMARY;
    if (s_has(s, n, "收入预算")) return NARR_TOPIC_INCOME;
    if (s_has(s, n, "支出预算")) return NARR_TOPIC_EXPENSE;
    return cur;
}

/* ---- claims ---- */

static char *s_dup_trim(const char *s, size_t n, size_t max)
{
    while (n > 0 && (*s == ' ')) s++, n--;
    while (n > 0 && s[n - 1] == ' ') n--;
    n = utf8_cut(s, n, max);
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

static narrative_claim_t *s_claim_new(narrative_t *self)
{
    if (array_reserve(&self->items, &self->cap, self->count + 1, sizeof *self->items, 32))
        return NULL;

    narrative_claim_t *c = &self->items[self->count++];
    memset(c, 0, sizeof *c);
    return c;
}

/* Where a subject label starts: after the last delimiter before `end`, never before `from`. */
static size_t s_label_start(const char *p, size_t from, size_t end)
{
    static const char *DELIMS[] = {",", ":", ";", "。", "、", "其中"};
    size_t best = from;
    for (size_t k = 0; k < sizeof DELIMS / sizeof DELIMS[0]; k++) {
        size_t l = strlen(DELIMS[k]);
        for (size_t i = end; i >= from + l && i >= l; i--) {
            if (memcmp(p + i - l, DELIMS[k], l) == 0) {
                if (i > best) best = i;
                break;
            }
        }
    }
    return best;
}

/* The year named between a statement's amount and its change ("比 2023 年预算"). */
static uint32_t s_prior_year(const char *p, size_t from, size_t to)
{
    for (size_t i = from; i + 4 <= to; i++) {
        if (s_is_digit(p[i]) && s_is_digit(p[i + 1]) && s_is_digit(p[i + 2]) && s_is_digit(p[i + 3]) &&
            (i == 0 || !s_is_digit(p[i - 1])) && (i + 4 >= to || !s_is_digit(p[i + 4]))) {
            size_t j = i + 4;
            while (j < to && p[j] == ' ') j++;
            if (s_starts(p + j, to - j, "年"))
                return (uint32_t)((p[i] - '0') * 1000 + (p[i + 1] - '0') * 100 + (p[i + 2] - '0') * 10 + (p[i + 3] - '0'));
        }
    }
    return 0;
}

static void s_set_number(narrative_number_t *num, const s_tok_t *t)
{
    num->present = 1;
    num->value = t->value;
    num->decimals = t->decimals;
    num->line = t->line;
}

/* Turns one paragraph's tokens into claims. Returns 0 or -1 on OOM. */
static int s_claims(narrative_t *self, const s_buf_t *b, const s_toks_t *ts, uint32_t para,
                    narrative_topic *topic)
{
    const char *p = b->buf;
    size_t sstart = 0, ti = 0;
    long last_claim = -1;        /* index of the last statement opened, within the paragraph */
    while (sstart < b->len || ti < ts->count) {
        /* one sentence: tokens [ti, te), text [sstart, send) */
        size_t te = ti;
        while (te < ts->count && ts->v[te].kind != TOK_END) te++;
        size_t send = te < ts->count ? ts->v[te].end : b->len;
        size_t head_end = send;
        for (size_t k = ti; k < te; k++)
            if (ts->v[k].kind == TOK_AMOUNT || ts->v[k].kind == TOK_PCT) { head_end = ts->v[k].start; break; }
        *topic = s_topic(p + sstart, head_end - sstart, *topic);
        narrative_claim_t *cur = NULL;
        /* "…3311.22 万元。比 2023 年预算增加 78.02 万元": a sentence that starts with 比/较
         * goes on about the last statement of the sentence before */
        size_t h = sstart;
        while (h < head_end && p[h] == ' ') h++;
        if (last_claim >= 0 && (s_starts(p + h, head_end - h, "比") || s_starts(p + h, head_end - h, "较")))
            cur = &self->items[last_claim];
        last_claim = -1;
        size_t cur_end = sstart, prev_end = sstart;
        for (size_t k = ti; k < te; k++) {
            const s_tok_t *t = &ts->v[k];
            bool opens = false;
            if (t->kind == TOK_FLAT) {
                if (cur) { cur->flat = 1; cur->flat_line = t->line; }
                prev_end = t->end;
                continue;
            }
            if (t->kind == TOK_AMOUNT) {
                if ((t->kw == KW_INC || t->kw == KW_DEC) && cur && !cur->change.present) {
                    cur->change_dir = t->kw == KW_INC ? 1 : -1;
                    s_set_number(&cur->change, t);
                    cur->prior_year = s_prior_year(p, cur_end, t->start);
                } else {
                    opens = true;
                }
            } else if (t->kind == TOK_PCT) {
                if (t->kw == KW_NONE) { prev_end = t->end; continue; }
                if (t->kw == KW_SHARE && cur && !cur->share.present)
                    s_set_number(&cur->share, t);
                else if (t->kw != KW_SHARE && cur && !cur->pct.present) {
                    cur->pct_dir = t->kw == KW_INC ? 1 : -1;
                    s_set_number(&cur->pct, t);
                    if (!cur->change.present) cur->prior_year = s_prior_year(p, cur_end, t->start);
                } else {
                    opens = true;
                }
            }
            if (opens) {
                narrative_claim_t *c = s_claim_new(self);
                if (!c) return -1;
                c->paragraph = para;
                c->topic = *topic;
                size_t ls = s_label_start(p, prev_end, t->start);
                c->label = s_dup_trim(p + ls, t->start - ls, NARR_SENTENCE_MAX);
                c->sentence = s_dup_trim(p + sstart, send - sstart, NARR_SENTENCE_MAX);
                if (!c->label || !c->sentence) return -1;
                if (t->kind == TOK_AMOUNT && t->kw == KW_NONE) s_set_number(&c->amount, t);
                else if (t->kind == TOK_AMOUNT) { c->change_dir = t->kw == KW_INC ? 1 : -1; s_set_number(&c->change, t); c->prior_year = s_prior_year(p, sstart, t->start); }
                else if (t->kw == KW_SHARE) s_set_number(&c->share, t);
                else { c->pct_dir = t->kw == KW_INC ? 1 : -1; s_set_number(&c->pct, t); c->prior_year = s_prior_year(p, sstart, t->start); }
                cur = c;
                cur_end = t->end;
                last_claim = (long)(c - self->items);
            }
            prev_end = t->end;
        }
        if (te >= ts->count) break;
        sstart = ts->v[te].end;
        ti = te + 1;
    }
    return 0;
}

/* ---- the driver ---- */

void narrative_destroy(narrative_t **self_p)
{
    if (!self_p || !*self_p) return;
    narrative_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++) {
        free(self->items[i].label);
        free(self->items[i].sentence);
    }
    free(self->items);
    free(self);
    *self_p = NULL;
}

static int s_flush(narrative_t *self, s_buf_t *para, uint32_t *npara, narrative_topic *topic)
{
    if (para->len == 0) return 0;
    s_toks_t ts = {0};
    s_tokenize(para, &ts);
    int rc = ts.oom ? -1 : s_claims(self, para, &ts, (*npara)++, topic);
    free(ts.v);
    para->len = 0;
    return rc;
}

narrative_t *narrative_extract(const char *text, size_t len, char *err, size_t errlen)
{
    if (!submission_utf8_valid(text, len)) {
        uint32_t line = 1;
        size_t ls = 0;
        for (size_t i = 0; i <= len; i++) {
            if (i == len || text[i] == '\n') {
                if (!submission_utf8_valid(text + ls, i - ls)) break;
                line++;
                ls = i + 1;
            }
        }
        snprintf(err, errlen, "第 %u 行：文本不是合法的 UTF-8（GB18030 文本请先用 narrative_text_utf8 转换）", line);
        return NULL;
    }
    narrative_t *self = calloc(1, sizeof *self);
    if (!self) { snprintf(err, errlen, "内存不足"); return NULL; }
    s_buf_t para = {0}, ln = {0};
    uint32_t lineno = 0, npara = 0;
    narrative_topic topic = NARR_TOPIC_NONE;
    size_t pos = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) pos = 3;
    bool joinable = false;       /* the paragraph's last line did not end its sentence */
    int rc = 0;
    while (pos < len && rc == 0) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        lineno++;
        const char *s = text + pos;
        size_t n = end - pos;
        pos = nl ? end + 1 : len;
        if (s_is_table_line(s, n)) { rc = s_flush(self, &para, &npara, &topic); joinable = false; continue; }
        ln.len = 0;
        s_normalise_line(&ln, s, n, lineno);
        if (ln.oom) { rc = -1; break; }
        size_t k = 0;
        while (k < ln.len && ln.buf[k] == ' ') k++;
        if (k == ln.len) continue;                   /* blank lines neither join nor break */
        if (!(joinable && !s_starts_item(ln.buf, ln.len)) || para.len > NARR_PARAGRAPH_MAX)
            rc = s_flush(self, &para, &npara, &topic);
        if (rc) break;
        /* join: drop the leading blanks of a continuation */
        s_put(&para, ln.buf + (para.len ? k : 0), ln.len - (para.len ? k : 0), lineno);
        if (para.oom) { rc = -1; break; }
        joinable = !s_ends_sentence(ln.buf, ln.len);
    }
    if (rc == 0) rc = s_flush(self, &para, &npara, &topic);
    free(para.buf); free(para.line); free(ln.buf); free(ln.line);
    if (rc) { narrative_destroy(&self); snprintf(err, errlen, "内存不足"); return NULL; }
    return self;
}

int narrative_text_utf8(const char *in, size_t len, char **out, size_t *outlen, char *err, size_t errlen)
{
    *out = NULL;
    *outlen = 0;
    if (len >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0) { in += 3; len -= 3; }
    if (submission_utf8_valid(in, len)) {
        char *d = malloc(len + 1);
        if (!d) { snprintf(err, errlen, "内存不足"); return -1; }
        memcpy(d, in, len);
        d[len] = '\0';
        *out = d;
        *outlen = len;
        return 0;
    }
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1) { snprintf(err, errlen, "iconv 无法转换 GB18030"); return -1; }
    size_t cap = len * 2 + 16;
    char *buf = malloc(cap);
    if (!buf) { iconv_close(cd); snprintf(err, errlen, "内存不足"); return -1; }
    char *ip = (char *)in, *op = buf;
    size_t il = len, ol = cap - 1;
    if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
        snprintf(err, errlen, "第 %zu 字节：既不是 UTF-8 也不是 GB18030（%s）", (size_t)(ip - in), strerror(errno));
        iconv_close(cd);
        free(buf);
        return -1;
    }
    iconv_close(cd);
    *op = '\0';
    *out = buf;
    *outlen = (size_t)(op - buf);
    return 0;
}
