/* tables.c -- table and column vocabulary of FORMAT.md v1 (see tables.h). */
#include "tables.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "recognise_vocab.h"

static const char *const TABLE_NAMES[TABLE_COUNT] = {
    "?", "summary", "income", "expense", "fiscal", "gpb_func", "gpb_econ",
    "three_public", "gfb_func", "soe_func", "projects",
};

static const char *const TABLE_LABELS[TABLE_COUNT] = {
    "?", "部门收支总表", "部门收入总表", "部门支出总表", "财政拨款收支总表",
    "一般公共预算支出表(功能分类)", "一般公共预算(基本)支出表(经济分类)", "三公经费",
    "政府性基金预算支出表", "国有资本经营预算支出表", "项目支出表",
};

static const char *const COLUMN_NAMES[COL_COUNT] = {
    "?", "amount", "total", "basic", "project", "ops", "to_upper", "to_sub",
    "gpb", "gfb", "soe", "fsm", "biz", "upper", "sub", "other", "carry",
    "xfer_gpb", "xfer_gfb", "personnel", "public", "current", "carry_gpb",
    "carry_gfb", "carry_soe", "unit_funds",
};

/* Income-source labels, shared by summary rows and income/projects columns. */
static const char *source_label(column_id c)
{
    switch (c) {
    case COL_GPB: return "一般公共预算拨款收入";
    case COL_GFB: return "政府性基金预算拨款收入";
    case COL_SOE: return "国有资本经营预算拨款收入";
    case COL_FSM: return "财政专户管理资金收入";
    case COL_BIZ: return "事业收入";
    case COL_OPS: return "事业单位经营收入";
    case COL_UPPER: return "上级补助收入";
    case COL_SUB: return "附属单位上缴收入";
    case COL_OTHER: return "其他收入";
    case COL_CARRY: return "上年结转(结余)";
    case COL_XFER_GPB: return "上级转移支付(提前下达一般公共预算)";
    case COL_XFER_GFB: return "上级转移支付(提前下达政府性基金)";
    default: return NULL;
    }
}

#define COLS(...) { __VA_ARGS__, COL_NONE }
static const column_id TABLE_COLUMNS[TABLE_COUNT][COL_COUNT] = {
    [TABLE_SUMMARY] = COLS(COL_AMOUNT),
    [TABLE_INCOME] = COLS(COL_TOTAL, COL_GPB, COL_GFB, COL_SOE, COL_FSM, COL_BIZ, COL_OPS,
                          COL_UPPER, COL_SUB, COL_OTHER, COL_CARRY, COL_XFER_GPB, COL_XFER_GFB),
    [TABLE_EXPENSE] = COLS(COL_TOTAL, COL_BASIC, COL_PROJECT, COL_OPS, COL_TO_UPPER, COL_TO_SUB),
    [TABLE_FISCAL] = COLS(COL_TOTAL, COL_GPB, COL_GFB, COL_SOE),
    [TABLE_GPB_FUNC] = COLS(COL_TOTAL, COL_BASIC, COL_PERSONNEL, COL_PUBLIC, COL_PROJECT,
                            COL_CURRENT, COL_CARRY),
    [TABLE_GPB_ECON] = COLS(COL_TOTAL, COL_PERSONNEL, COL_PUBLIC, COL_BASIC, COL_PROJECT),
    [TABLE_THREE_PUBLIC] = COLS(COL_AMOUNT),
    [TABLE_GFB_FUNC] = COLS(COL_TOTAL, COL_BASIC, COL_PROJECT),
    [TABLE_SOE_FUNC] = COLS(COL_TOTAL, COL_BASIC, COL_PROJECT),
    [TABLE_PROJECTS] = COLS(COL_TOTAL, COL_GPB, COL_GFB, COL_SOE, COL_CARRY_GPB, COL_CARRY_GFB,
                            COL_CARRY_SOE, COL_FSM, COL_UNIT_FUNDS, COL_XFER_GPB, COL_XFER_GFB),
};

bool table_valid(int t) { return t > TABLE_NONE && t < TABLE_COUNT; }
bool column_valid(int c) { return c > COL_NONE && c < COL_COUNT; }

table_id table_from_name(const char *name)
{
    for (int t = 1; t < TABLE_COUNT; t++)
        if (strcmp(name, TABLE_NAMES[t]) == 0) return (table_id)t;
    return TABLE_NONE;
}

const char *table_name(table_id t) { return table_valid(t) ? TABLE_NAMES[t] : "?"; }
const char *table_label(table_id t) { return table_valid(t) ? TABLE_LABELS[t] : "?"; }

row_kind table_row_kind(table_id t)
{
    switch (t) {
    case TABLE_INCOME: case TABLE_EXPENSE: case TABLE_GPB_FUNC: case TABLE_GFB_FUNC:
    case TABLE_SOE_FUNC:
        return ROWS_FUNCTION;
    case TABLE_GPB_ECON:
        return ROWS_ECONOMIC;
    case TABLE_PROJECTS:
        return ROWS_PROJECT;
    default:
        return ROWS_FIXED; /* summary and fiscal mix fixed ids with class codes */
    }
}

column_id column_from_name(const char *name)
{
    for (int c = 1; c < COL_COUNT; c++)
        if (strcmp(name, COLUMN_NAMES[c]) == 0) return (column_id)c;
    return COL_NONE;
}

const char *column_name(column_id c) { return column_valid(c) ? COLUMN_NAMES[c] : "?"; }

bool table_has_column(table_id t, column_id c)
{
    if (!table_valid(t) || !column_valid(c)) return false;
    for (const column_id *p = TABLE_COLUMNS[t]; *p != COL_NONE; p++)
        if (*p == c) return true;
    return false;
}

int table_columns(table_id t, column_id out[COL_COUNT])
{
    int n = 0;
    if (!table_valid(t)) return 0;
    for (const column_id *p = TABLE_COLUMNS[t]; *p != COL_NONE; p++) out[n++] = *p;
    return n;
}

const char *column_label(table_id t, column_id c)
{
    switch (c) {
    case COL_AMOUNT: return t == TABLE_THREE_PUBLIC ? "预算数" : "金额";
    case COL_TOTAL: return "合计";
    case COL_BASIC: return "基本支出";
    case COL_PROJECT: return "项目支出";
    case COL_PERSONNEL: return "人员经费";
    case COL_PUBLIC: return "公用经费";
    case COL_CURRENT: return "当年财政拨款";
    case COL_TO_UPPER: return "上缴上级支出";
    case COL_TO_SUB: return "对附属单位补助支出";
    case COL_CARRY_GPB: return "上年结转(一般公共预算)";
    case COL_CARRY_GFB: return "上年结转(政府性基金)";
    case COL_CARRY_SOE: return "上年结转(国有资本经营)";
    case COL_UNIT_FUNDS: return "单位资金";
    case COL_OPS: return t == TABLE_EXPENSE ? "事业单位经营支出" : "事业单位经营收入";
    case COL_CARRY: return t == TABLE_GPB_FUNC ? "上年结转" : "上年结转(结余)";
    case COL_GPB: return t == TABLE_INCOME ? source_label(c) : "一般公共预算";
    case COL_GFB: return t == TABLE_INCOME ? source_label(c) : "政府性基金预算";
    case COL_SOE: return t == TABLE_INCOME ? source_label(c) : "国有资本经营预算";
    default: {
        const char *s = source_label(c);
        return s ? s : "?";
    }
    }
}

/* ---- row lists ---- */

#define NELEM(a) (sizeof (a) / sizeof (a)[0])

static const char *const SUMMARY_INCOME_ROWS[] = {
    "gpb", "gfb", "soe", "fsm", "biz", "ops", "upper", "sub", "other", "xfer_gpb", "xfer_gfb",
    TABLE_ROW_CARRY_IN, "carry",
};
enum { SUMMARY_FISCAL_SOURCES = 3,      /* gpb gfb soe: the fiscal appropriations */
       SUMMARY_ALIASES = 1 };           /* the trailing `carry`, not summed */
const table_rows_t TABLE_SUMMARY_INCOME = { SUMMARY_INCOME_ROWS, NULL, NULL, NELEM(SUMMARY_INCOME_ROWS) };
const table_rows_t TABLE_SUMMARY_SOURCES = { SUMMARY_INCOME_ROWS, NULL, NULL,
                                             NELEM(SUMMARY_INCOME_ROWS) - SUMMARY_ALIASES };
const table_rows_t TABLE_SUMMARY_NONFISCAL = {
    SUMMARY_INCOME_ROWS + SUMMARY_FISCAL_SOURCES, NULL, NULL,
    NELEM(SUMMARY_INCOME_ROWS) - SUMMARY_ALIASES - SUMMARY_FISCAL_SOURCES };

static const char *const SUMMARY_TAIL_ROWS[] = { TABLE_ROW_EXPENSE_TOTAL, TABLE_ROW_CARRY_OUT };
static const char *const SUMMARY_TAIL_LABELS[] = { "支出总计", "结转下年" };
const table_rows_t TABLE_SUMMARY_TAIL = { SUMMARY_TAIL_ROWS, SUMMARY_TAIL_LABELS, NULL,
                                          NELEM(SUMMARY_TAIL_ROWS) };

static const char *const FISCAL_INCOME_ROWS[] = {
    "cur_gpb", "cur_gfb", "cur_soe", "carry_gpb", "carry_gfb", "carry_soe",
};
static const char *const FISCAL_INCOME_LABELS[] = {
    "一般公共预算拨款(本年)", "政府性基金预算拨款(本年)", "国有资本经营预算拨款(本年)",
    "上年结转一般公共预算拨款", "上年结转政府性基金预算拨款", "上年结转国有资本经营预算拨款",
};
enum { FISCAL_CURRENT_ROWS = 3 };       /* cur_*; the rest are carry_* */
const table_rows_t TABLE_FISCAL_INCOME = { FISCAL_INCOME_ROWS, FISCAL_INCOME_LABELS, NULL,
                                           NELEM(FISCAL_INCOME_ROWS) };
const table_rows_t TABLE_FISCAL_CARRY = {
    FISCAL_INCOME_ROWS + FISCAL_CURRENT_ROWS, FISCAL_INCOME_LABELS + FISCAL_CURRENT_ROWS, NULL,
    NELEM(FISCAL_INCOME_ROWS) - FISCAL_CURRENT_ROWS };

static const char *const THREE_PUBLIC_ROWS[] = {
    "abroad", TABLE_ROW_THREE_PUBLIC_VEHICLE, "vehicle_purchase", "vehicle_operation",
    TABLE_ROW_THREE_PUBLIC_RECEPTION,
};
static const char *const THREE_PUBLIC_LABELS[] = {
    "因公出国(境)费", "公务用车购置及运行费", "公务用车购置费", "公务用车运行费", "公务接待费",
};
static const char *const THREE_PUBLIC_PARENTS[] = {
    TABLE_ROW_TOTAL, TABLE_ROW_TOTAL, TABLE_ROW_THREE_PUBLIC_VEHICLE,
    TABLE_ROW_THREE_PUBLIC_VEHICLE, TABLE_ROW_TOTAL,
};
const table_rows_t TABLE_THREE_PUBLIC_ITEMS = { THREE_PUBLIC_ROWS, THREE_PUBLIC_LABELS,
                                                THREE_PUBLIC_PARENTS, NELEM(THREE_PUBLIC_ROWS) };

_Static_assert(NELEM(FISCAL_INCOME_LABELS) == NELEM(FISCAL_INCOME_ROWS), "a label per row");
_Static_assert(NELEM(THREE_PUBLIC_LABELS) == NELEM(THREE_PUBLIC_ROWS), "a label per row");
_Static_assert(NELEM(THREE_PUBLIC_PARENTS) == NELEM(THREE_PUBLIC_ROWS), "a parent per row");
_Static_assert(NELEM(SUMMARY_TAIL_LABELS) == NELEM(SUMMARY_TAIL_ROWS), "a label per row");

int table_rows_index(table_rows_t list, const char *row)
{
    for (size_t i = 0; i < list.n; i++)
        if (strcmp(list.rows[i], row) == 0) return (int)i;
    return -1;
}

static const char *list_label(table_rows_t list, const char *row)
{
    int i = table_rows_index(list, row);
    return i >= 0 && list.labels ? list.labels[i] : NULL;
}

const char *table_fixed_row_label(table_id t, const char *row)
{
    if (strcmp(row, TABLE_ROW_TOTAL) == 0) return "合计";
    if (t == TABLE_SUMMARY || t == TABLE_FISCAL) {
        if (strcmp(row, TABLE_ROW_INCOME_TOTAL) == 0) return "收入总计";
        if (strcmp(row, TABLE_ROW_EXPENSE_TOTAL) == 0) return "支出总计";
    }
    if (t == TABLE_SUMMARY) {
        const char *l = list_label(TABLE_SUMMARY_TAIL, row);
        if (l) return l;
        column_id c = table_source_column(row);
        if (c != COL_NONE) return source_label(c);
        /* any income column id printed as a summary row reads as its source */
        c = column_from_name(row);
        return c != COL_NONE ? source_label(c) : NULL;
    }
    if (t == TABLE_FISCAL) return list_label(TABLE_FISCAL_INCOME, row);
    if (t == TABLE_THREE_PUBLIC) return list_label(TABLE_THREE_PUBLIC_ITEMS, row);
    return NULL;
}

column_id table_source_column(const char *row)
{
    if (strcmp(row, TABLE_ROW_CARRY_IN) == 0) return COL_CARRY;
    return table_rows_index(TABLE_SUMMARY_INCOME, row) >= 0 ? column_from_name(row) : COL_NONE;
}

const table_transfer_t TABLE_TRANSFERS[TABLE_TRANSFER_COUNT] = {
    { { TABLE_INCOME, TABLE_ROW_TOTAL, COL_UPPER }, { TABLE_EXPENSE, TABLE_ROW_TOTAL, COL_TO_SUB } },
    { { TABLE_INCOME, TABLE_ROW_TOTAL, COL_SUB }, { TABLE_EXPENSE, TABLE_ROW_TOTAL, COL_TO_UPPER } },
};

const table_key_t *table_transfer_key(size_t i)
{
    assert(i < TABLE_TRANSFER_KEYS);
    return i < TABLE_TRANSFER_COUNT ? &TABLE_TRANSFERS[i].received
                                    : &TABLE_TRANSFERS[i - TABLE_TRANSFER_COUNT].paid;
}

/* ---- printed titles and column headers ---- */

/* Removes blanks, ASCII/CJK punctuation and brackets, so 维修（护）费 == 维修(护)费. */
void table_text_normalise(const char *in, char *out, size_t n)
{
    static const char *const drop[] = { "（", "）", "【", "】", "、", "，", "。", "：", "；",
                                        "“", "”", "‘", "’", "　", "·", "－", "—", NULL };
    size_t o = 0;
    for (const char *p = in; *p && o + 4 < n; ) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x80) {
            if (!strchr(" \t()[]{}<>,.:;\"'-_/\\", ch)) out[o++] = (char)ch;
            p++;
            continue;
        }
        int skip = 0;
        /* every dropped mark starts with C2, E2, E3 or EF; CJK ideographs (E4..E9) never do */
        for (int i = 0; (ch == 0xC2 || ch == 0xE2 || ch == 0xE3 || ch == 0xEF) && drop[i]; i++) {
            size_t l = strlen(drop[i]);
            if (strncmp(p, drop[i], l) == 0) { p += l; skip = 1; break; }
        }
        if (skip) continue;
        size_t l = ch >= 0xF0 ? 4 : ch >= 0xE0 ? 3 : 2;
        for (size_t i = 0; i < l && *p; i++) out[o++] = *p++;
    }
    out[o] = '\0';
}


#define TEXT_MAX 512     /* a title or header longer than this is not one */

/* ---- matching over the one vocabulary (core/recognise_vocab.c) ---- */

/* Cuts a table of contents' leaders and page number ("收支预算总表.....\t7") off raw title
 * text, in place. */
static void s_title_leaders(char *t)
{
    static const char *const TAIL[] = { "…", "．", "　", NULL };
    size_t l = strlen(t);
    for (;;) {
        while (l && strchr(" \t.0123456789-", t[l - 1])) l--;
        int cut = 0;
        for (int i = 0; TAIL[i]; i++) {
            size_t n = strlen(TAIL[i]);
            if (l >= n && memcmp(t + l - n, TAIL[i], n) == 0) { l -= n; cut = 1; }
        }
        if (!cut) break;
    }
    t[l] = '\0';
}

/* Cuts trailing bracketed notes ("(分功能科目)", "（2024年度）") off raw text, in place. */
static void s_title_notes(char *t)
{
    for (;;) {
        size_t n = strlen(t);
        while (n && (t[n - 1] == ' ' || t[n - 1] == '\t')) t[--n] = '\0';
        char *open = NULL;
        if (n && t[n - 1] == ')') open = strrchr(t, '(');
        else if (n >= 3 && strcmp(t + n - 3, "）") == 0) {
            for (char *p = t; (p = strstr(p, "（")); p += 3) open = p;
        }
        if (!open || open == t) break;
        *open = '\0';
    }
}

/* The vocabulary's words as table_text_normalise() makes them, once per process: the
 * recogniser asks for every header cell and title, and normalising the whole vocabulary
 * again each time was most of the cost of a lookup. Built under call_once (the words are
 * constant, so every thread would build the same); if memory runs out the lookups
 * normalise as they go, as before. */
typedef struct {
    char **title_all;                    /* VOCAB_NTITLES * 3, NULL where the rule has none */
    char **title_none;                   /* VOCAB_NTITLES */
    char **col_leaves;                   /* VOCAB_NCOLUMNS * VOCAB_LEAVES_MAX */
    char **col_parent;                   /* VOCAB_NCOLUMNS */
    char *labels[TABLE_COUNT];
    char *col_labels[TABLE_COUNT][COL_COUNT];
    bool ok;
} s_normal_vocab;

static s_normal_vocab S_NV;
static once_flag S_NV_ONCE = ONCE_FLAG_INIT;

/* A normalised copy of text (NULL stays NULL); *failed when memory runs out. */
static char *s_nv_dup(const char *text, bool *failed)
{
    if (!text) return NULL;
    char n[TEXT_MAX];
    table_text_normalise(text, n, sizeof n);
    char *d = strdup(n);
    if (!d) *failed = true;
    return d;
}

static void s_nv_build(void)
{
    bool failed = false;
    S_NV.title_all = calloc(VOCAB_NTITLES * 3 + 1, sizeof *S_NV.title_all);
    S_NV.title_none = calloc(VOCAB_NTITLES + 1, sizeof *S_NV.title_none);
    S_NV.col_leaves = calloc(VOCAB_NCOLUMNS * VOCAB_LEAVES_MAX + 1, sizeof *S_NV.col_leaves);
    S_NV.col_parent = calloc(VOCAB_NCOLUMNS + 1, sizeof *S_NV.col_parent);
    if (!S_NV.title_all || !S_NV.title_none || !S_NV.col_leaves || !S_NV.col_parent) return;
    for (size_t i = 0; i < VOCAB_NTITLES; i++) {
        for (int k = 0; k < 3; k++) S_NV.title_all[i * 3 + k] = s_nv_dup(VOCAB_TITLES[i].all[k], &failed);
        S_NV.title_none[i] = s_nv_dup(VOCAB_TITLES[i].none, &failed);
    }
    for (size_t i = 0; i < VOCAB_NCOLUMNS; i++) {
        for (int k = 0; k < VOCAB_LEAVES_MAX; k++)
            S_NV.col_leaves[i * VOCAB_LEAVES_MAX + k] = s_nv_dup(VOCAB_COLUMNS[i].leaves[k], &failed);
        S_NV.col_parent[i] = s_nv_dup(VOCAB_COLUMNS[i].parent, &failed);
    }
    for (int t = 0; t < TABLE_COUNT; t++) {
        S_NV.labels[t] = s_nv_dup(TABLE_LABELS[t], &failed);
        for (const column_id *c = TABLE_COLUMNS[t]; t > TABLE_NONE && *c != COL_NONE; c++)
            S_NV.col_labels[t][*c] = s_nv_dup(column_label((table_id)t, *c), &failed);
    }
    S_NV.ok = !failed;
}

/* The normalised form of a vocabulary word: from the cache, else normalised into buf. */
static const char *s_nv(char *cached, const char *raw, char *buf, size_t buflen)
{
    if (S_NV.ok) return cached;
    table_text_normalise(raw, buf, buflen);
    return buf;
}

int table_title_lookup(const char *title, table_id *table)
{
    char raw[TEXT_MAX], t[TEXT_MAX], w[TEXT_MAX];
    *table = TABLE_NONE;
    if (!title || strlen(title) >= TEXT_MAX) return 0;
    snprintf(raw, sizeof raw, "%s", title);
    s_title_leaders(raw);
    table_text_normalise(raw, t, sizeof t);     /* the rules see the notes too */
    s_title_notes(raw);
    table_text_normalise(raw, w, sizeof w);
    call_once(&S_NV_ONCE, s_nv_build);
    static const char BIAO[] = "表";
    size_t wl = strlen(w);
    if (wl < sizeof BIAO - 1 || strcmp(w + wl - (sizeof BIAO - 1), BIAO) != 0) {
        /* or it ends with a table's own label that is no 表 ("…2024年 三公经费": huizong's
         * export and template) */
        bool label = false;
        for (int i = TABLE_NONE + 1; i < TABLE_COUNT && !label; i++) {
            char buf[TEXT_MAX];
            const char *l = s_nv(S_NV.ok ? S_NV.labels[i] : NULL, TABLE_LABELS[i], buf, sizeof buf);
            size_t ll = strlen(l);
            label = ll && ll <= wl && strcmp(w + wl - ll, l) == 0 &&
                    strcmp(l + ll - (sizeof BIAO - 1), BIAO) != 0;
        }
        if (!label) return 0;
    }
    for (size_t i = 0; i < VOCAB_NTITLES; i++) {
        const vocab_title_t *v = &VOCAB_TITLES[i];
        bool ok = true;
        for (int k = 0; ok && k < 3 && v->all[k]; k++)
            if (!strstr(t, s_nv(S_NV.ok ? S_NV.title_all[i * 3 + k] : NULL, v->all[k], w, sizeof w))) ok = false;
        if (ok && v->none && strstr(t, s_nv(S_NV.ok ? S_NV.title_none[i] : NULL, v->none, w, sizeof w)))
            ok = false;
        if (ok) {
            *table = v->table;
            return 1;
        }
    }
    return 0;
}

table_id table_title_match(const char *title)
{
    table_id t;
    return table_title_lookup(title, &t) ? t : TABLE_NONE;
}

/* Whether the normalised header h is one of column rule i's synonyms. */
static bool s_leaf_among(const char *h, size_t i)
{
    const char *const *leaves = VOCAB_COLUMNS[i].leaves;
    char v[TEXT_MAX];
    for (int k = 0; k < VOCAB_LEAVES_MAX && leaves[k]; k++)
        if (!strcmp(h, s_nv(S_NV.ok ? S_NV.col_leaves[i * VOCAB_LEAVES_MAX + k] : NULL, leaves[k], v, sizeof v)))
            return true;
    return false;
}

int column_header_lookup(table_id t, const char *parents, const char *leaf, column_id *column)
{
    char h[TEXT_MAX], p[TEXT_MAX] = "", v[TEXT_MAX];
    *column = COL_NONE;
    if (!leaf || !table_valid(t)) return 0;
    table_text_normalise(leaf, h, sizeof h);
    if (!h[0]) return 0;
    if (parents) table_text_normalise(parents, p, sizeof p);
    call_once(&S_NV_ONCE, s_nv_build);
    /* pass 0: this table's synonyms; 1: every table's; 2: the column labels */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < VOCAB_NCOLUMNS; i++) {
            const vocab_column_t *e = &VOCAB_COLUMNS[i];
            if (e->table != (pass == 0 ? t : TABLE_NONE)) continue;
            if (!s_leaf_among(h, i)) continue;
            if (e->parent && !strstr(p, s_nv(S_NV.ok ? S_NV.col_parent[i] : NULL, e->parent, v, sizeof v)))
                continue;
            if (e->column == COL_NONE) return 1;       /* known, no v1 column */
            if (!table_has_column(t, e->column)) continue;
            *column = e->column;
            return 1;
        }
    }
    for (const column_id *c = TABLE_COLUMNS[t]; *c != COL_NONE; c++) {
        if (strcmp(h, s_nv(S_NV.ok ? S_NV.col_labels[t][*c] : NULL, column_label(t, *c), v, sizeof v)) == 0) {
            *column = *c;
            return 1;
        }
    }
    return 0;
}

column_id column_header_match(table_id t, const char *header)
{
    column_id c;
    return column_header_lookup(t, NULL, header, &c) ? c : COL_NONE;
}

/* ---- the vocabulary as markdown (examples/FORMAT.md) ---- */

static void s_md_cell(FILE *out, const char *text)
{
    for (const char *p = text ? text : ""; *p; p++) {
        if (*p == '|') fputs("\\|", out);
        else fputc(*p, out);
    }
}

/* | # | title contains | but not | table id | */
static void s_md_title(FILE *out, size_t n, const vocab_title_t *v)
{
    fprintf(out, "| %zu | ", n);
    for (int k = 0; k < 3 && v->all[k]; k++) {
        if (k) fputs(" + ", out);
        s_md_cell(out, v->all[k]);
    }
    fputs(" | ", out);
    s_md_cell(out, v->none ? v->none : "");
    fprintf(out, " | %s |\n", v->table == TABLE_NONE ? "—" : table_name(v->table));
}

/* | table | under | header | column id |: one line a synonym */
static void s_md_column(FILE *out, const vocab_column_t *v)
{
    for (int k = 0; k < VOCAB_LEAVES_MAX && v->leaves[k]; k++) {
        fprintf(out, "| %s | ", v->table == TABLE_NONE ? "*any*" : table_name(v->table));
        s_md_cell(out, v->parent ? v->parent : "");
        fputs(" | ", out);
        s_md_cell(out, v->leaves[k]);
        fprintf(out, " | %s |\n", v->column == COL_NONE ? "—" : column_name(v->column));
    }
}

void table_vocabulary_markdown(FILE *out)
{
    fprintf(out, "%s\n\n", TABLE_VOCAB_BEGIN);
    fputs("**Titles.** A title is one text ending in 表 (or in a table's own label, as huizong's "
          "export and template print 三公经费), after a number (表5-1, 一、, 1.) and before a "
          "bracketed note or a table of contents' page number; the first rule whose words it "
          "contains all (and not the excluded one) names the table. — means a known table "
          "without a v1 id: skipped and reported with its title.\n\n", out);
    fputs("| # | title contains | but not | table id |\n|---|---|---|---|\n", out);
    for (size_t i = 0; i < VOCAB_NTITLES; i++) s_md_title(out, i + 1, &VOCAB_TITLES[i]);
    fputs("\n**Column headers.** A column is named by its header parts top to bottom; its last "
          "part is matched, with the parts above it where a rule names one. The table's own "
          "rules are tried first, then the rules of every table (*any*), then each column's "
          "Chinese label (`column_label`, below); a rule only counts for a table that has the "
          "column. — means a known column v1 does not keep (a 小计): reported, not read.\n\n", out);
    fputs("| table | under | header | column id |\n|---|---|---|---|\n", out);
    for (size_t i = 0; i < VOCAB_NCOLUMNS; i++) s_md_column(out, &VOCAB_COLUMNS[i]);
    fputs("\n**Column labels** (also recognised, and what export and template print):\n\n"
          "| table | column id | label |\n|---|---|---|\n", out);
    for (int t = TABLE_NONE + 1; t < TABLE_COUNT; t++)
        for (const column_id *c = TABLE_COLUMNS[t]; *c != COL_NONE; c++)
            fprintf(out, "| %s | %s | %s |\n", table_name((table_id)t), column_name(*c),
                    column_label((table_id)t, *c));
    fputs("\n**Row labels** of the tables without codes. 收支总表 (both sides; — is a group line, "
          "not written):\n\n| label | row id |\n|---|---|\n", out);
    for (size_t i = 0; i < VOCAB_NSUMMARY_ROWS; i++)
        fprintf(out, "| %s | %s |\n", VOCAB_SUMMARY_ROWS[i].label,
                VOCAB_SUMMARY_ROWS[i].row ? VOCAB_SUMMARY_ROWS[i].row : "—");
    fputs("\n财政拨款收支总表, income side: huizong's own labels, then the source lines, whose "
          "group line above (本年收入 / 上年结转) makes them cur_… or carry_…:\n\n"
          "| label | row id |\n|---|---|\n", out);
    for (size_t i = 0; i < TABLE_FISCAL_INCOME.n; i++)
        fprintf(out, "| %s | %s |\n", TABLE_FISCAL_INCOME.labels[i], TABLE_FISCAL_INCOME.rows[i]);
    for (size_t i = 0; i < VOCAB_NFISCAL_SOURCES; i++)
        fprintf(out, "| %s | cur_%s / carry_%s |\n", VOCAB_FISCAL_SOURCES[i].label,
                VOCAB_FISCAL_SOURCES[i].row, VOCAB_FISCAL_SOURCES[i].row);
    fputs("\n三公经费 (lines, or columns when printed across):\n\n| label | row id |\n|---|---|\n", out);
    for (size_t i = 0; i < VOCAB_NTHREE_PUBLIC; i++)
        fprintf(out, "| %s | %s |\n", VOCAB_THREE_PUBLIC[i].label, VOCAB_THREE_PUBLIC[i].row);
    fputs("\n**Units** (after 单位： or 金额单位：):\n\n| unit | fen per unit |\n|---|---|\n", out);
    for (size_t i = 0; i < VOCAB_NUNITS; i++)
        fprintf(out, "| %s | %lld |\n", VOCAB_UNITS[i].label, (long long)VOCAB_UNITS[i].fen);
    fprintf(out, "\n%s\n", TABLE_VOCAB_END);
}
