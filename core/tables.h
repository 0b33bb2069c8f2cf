/* tables.h -- the vocabulary of budget tables and their columns (FORMAT.md v1).
 *
 * Table and column numbers are the protobuf enum values (proto/huizong.proto), so a fact
 * travels as two small integers. Which columns a table may carry, and the Chinese label of
 * each (a column id like `ops` means 事业单位经营收入 in `income` but 事业单位经营支出 in
 * `expense`), is decided here and nowhere else.
 */
#ifndef HUIZONG_TABLES_H
#define HUIZONG_TABLES_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    TABLE_NONE = 0,
    TABLE_SUMMARY = 1,
    TABLE_INCOME = 2,
    TABLE_EXPENSE = 3,
    TABLE_FISCAL = 4,
    TABLE_GPB_FUNC = 5,
    TABLE_GPB_ECON = 6,
    TABLE_THREE_PUBLIC = 7,
    TABLE_GFB_FUNC = 8,
    TABLE_SOE_FUNC = 9,
    TABLE_PROJECTS = 10,
    TABLE_COUNT = 11
} table_id;

typedef enum {
    COL_NONE = 0,
    COL_AMOUNT, COL_TOTAL, COL_BASIC, COL_PROJECT, COL_OPS, COL_TO_UPPER, COL_TO_SUB,
    COL_GPB, COL_GFB, COL_SOE, COL_FSM, COL_BIZ, COL_UPPER, COL_SUB, COL_OTHER, COL_CARRY,
    COL_XFER_GPB, COL_XFER_GFB, COL_PERSONNEL, COL_PUBLIC, COL_CURRENT, COL_CARRY_GPB,
    COL_CARRY_GFB, COL_CARRY_SOE, COL_UNIT_FUNDS,
    COL_COUNT
} column_id;

/* A figure key (store/keys.c key_fkey) and a finding key hold the table and the column in
 * one byte each, and the rule grid (core/rules_engine.h) one bit per column. */
_Static_assert(TABLE_COUNT < 256 && COL_COUNT < 256, "table and column ids are stored in one byte");

/* Whether the table's rows are function codes (功能分类), economic codes (经济分类) or
 * fixed row ids only. */
typedef enum { ROWS_FIXED, ROWS_FUNCTION, ROWS_ECONOMIC, ROWS_PROJECT } row_kind;

/* Table by id string ("gpb_func") -> TABLE_NONE if unknown. */
table_id table_from_name(const char *name);
const char *table_name(table_id t);        /* "gpb_func" ("?" if invalid) */
const char *table_label(table_id t);       /* "一般公共预算支出表(功能分类)" */
row_kind table_row_kind(table_id t);
bool table_valid(int t);

column_id column_from_name(const char *name);
const char *column_name(column_id c);      /* "to_sub" */
bool column_valid(int c);
/* The column's Chinese label within a table ("事业单位经营收入" for income/ops). */
const char *column_label(table_id t, column_id c);
/* Whether table t may carry column c. */
bool table_has_column(table_id t, column_id c);
/* Columns of t in printed order; returns the count, fills out (COL_COUNT entries max). */
int table_columns(table_id t, column_id out[COL_COUNT]);

/* Label for a fixed row id of a table ("income_total" -> "收入总计", "gpb" -> "一般公共预算拨款收入",
 * "reception" -> "公务接待费"); NULL if the row is not a fixed id of that table. */
const char *table_fixed_row_label(table_id t, const char *row);

/* ---- Row ids: the one list of every fixed row id (FORMAT.md v1). ----
 *
 * Rules, the store (transfer keys), the exporter and the fixture generator read these
 * lists; no other file spells a row list. Each list is in printed order; labels are the
 * Chinese row labels table_fixed_row_label returns. */
#define TABLE_ROW_TOTAL "total"                  /* 合计, every code and projects table */
#define TABLE_ROW_INCOME_TOTAL "income_total"    /* 收入总计, summary and fiscal */
#define TABLE_ROW_EXPENSE_TOTAL "expense_total"  /* 支出总计, summary and fiscal */
#define TABLE_ROW_CARRY_IN "carry_in"            /* summary 上年结转(结余) */
#define TABLE_ROW_CARRY_OUT "carry_out"          /* summary 结转下年 */
#define TABLE_ROW_THREE_PUBLIC_VEHICLE "vehicle"
#define TABLE_ROW_THREE_PUBLIC_RECEPTION "reception"
/* The economic code that 三公 reception is booked under (30217 公务接待费). */
#define TABLE_ROW_ECON_RECEPTION "30217"

/* A row list: ids, and (when the list has them) each row's label and the row it is a part
 * of (NULL arrays when not). */
typedef struct {
    const char *const *rows;
    const char *const *labels;
    const char *const *parents;
    size_t n;
} table_rows_t;

/* 收支总表 income side in printed order: the source rows gpb gfb soe (fiscal), fsm biz ops
 * upper sub other xfer_gpb xfer_gfb (non-fiscal), carry_in, then `carry` (the income
 * column id, accepted as a summary row and labelled like carry_in, but not one of the
 * summed sources). Labels come from the income columns (table_source_column). */
extern const table_rows_t TABLE_SUMMARY_INCOME;
/* The summed sources: TABLE_SUMMARY_INCOME without the trailing `carry`. */
extern const table_rows_t TABLE_SUMMARY_SOURCES;
/* The sources that are not fiscal appropriations: fsm ... xfer_gfb, carry_in. */
extern const table_rows_t TABLE_SUMMARY_NONFISCAL;
/* 收支总表 expense side after the class rows: expense_total, carry_out. */
extern const table_rows_t TABLE_SUMMARY_TAIL;
/* 财政拨款收支总表 income side: cur_gpb cur_gfb cur_soe, then carry_gpb carry_gfb carry_soe. */
extern const table_rows_t TABLE_FISCAL_INCOME;
/* The fiscal carry-over rows (the last three of TABLE_FISCAL_INCOME). */
extern const table_rows_t TABLE_FISCAL_CARRY;
/* 三公经费 items in printed order, each with its parent: abroad, vehicle, reception are
 * parts of total; vehicle_purchase, vehicle_operation of vehicle. */
extern const table_rows_t TABLE_THREE_PUBLIC_ITEMS;

/* Index of row in list, or -1. */
int table_rows_index(table_rows_t list, const char *row);

/* The summary column of an income-side row: the income column of the same id, COL_CARRY
 * for carry_in; COL_NONE for a row that is not on the income side. */
column_id table_source_column(const char *row);

/* ---- The four transfer keys: flows between the subordinates of one node. ----
 * income/total/upper (上级补助收入) is paid as expense/total/to_sub (对附属单位补助支出);
 * income/total/sub (附属单位上缴收入) is paid as expense/total/to_upper (上缴上级支出). */
typedef struct { table_id table; const char *row; column_id column; } table_key_t;
typedef struct { table_key_t received, paid; } table_transfer_t;
enum { TABLE_TRANSFER_COUNT = 2, TABLE_TRANSFER_KEYS = 2 * TABLE_TRANSFER_COUNT };
extern const table_transfer_t TABLE_TRANSFERS[TABLE_TRANSFER_COUNT];
/* The keys one by one (i < TABLE_TRANSFER_KEYS): the received keys, then the paid keys. */
const table_key_t *table_transfer_key(size_t i);

/* ---- Printed titles and column headers (the table recogniser's vocabulary). ----
 *
 * The words are data in ONE place, core/recognise_vocab.c (titles: VOCAB_TITLES, column
 * synonyms: VOCAB_COLUMNS, row labels, units); these functions are the only code that
 * matches titles and headers against them, for the recogniser (core/recognise.c), the PDF
 * reader and code.name_mismatch alike. Matching compares normalised text
 * (table_text_normalise), so blanks (also inside words, as PDF extraction leaves them),
 * quotes, brackets and punctuation do not matter. */

/* Normalises text for comparison into out (n bytes): drops ASCII and full-width blanks,
 * brackets, quotes and punctuation; keeps letters, digits and ideographs. 维修（护）费 and
 * 维修(护)费 both become 维修护费. */
void table_text_normalise(const char *in, char *out, size_t n);

/* Looks a printed title up in the title rules: the text (a table of contents' leaders and
 * page number and trailing bracketed notes such as "(分功能科目)" cut off) must end in 表 and
 * contain the words of a rule; the entity, year and numbering before it do not matter.
 * Returns 1 with *table set when a rule matched (TABLE_NONE: a known table that is no v1
 * table, such as 项目支出绩效目标表 or 政府采购支出表), 0 with TABLE_NONE when none did. */
int table_title_lookup(const char *title, table_id *table);

/* The table a printed title names: every title variant of the seed documents and the
 * national templates ("部门收支总表", "2024 年度收支预算总表", "表 5-1. 一般公共预算支出表
 * (分功能科目)", "一、收入预算总表.....8"). TABLE_NONE for a title that is no v1 table or
 * not a title at all. */
table_id table_title_match(const char *title);

/* Looks up the column of table t that a header names: `leaf` is the lowest header text of
 * the column, `parents` (NULL or "") the header texts above it joined. This table's
 * synonyms are tried first, then those of every table, then the column labels of
 * column_label(); a synonym only counts when t carries its column. Returns 1 with *column
 * set when the header is known (COL_NONE: a known column without a v1 id, such as 本年收入/
 * 小计), 0 with COL_NONE when it is not. */
int column_header_lookup(table_id t, const char *parents, const char *leaf, column_id *column);

/* The column of table t a printed header names ("合计"/"小计"/"总计" -> COL_TOTAL,
 * "一般公共预算拨款"/"一般公共预算资金"/"一般公共预算"/"财政拨款收入" -> COL_GPB,
 * "上 级 转 移 支 付 (提 前 下 达 一 般 公 共 预 算)" -> COL_XFER_GPB, every column_label):
 * column_header_lookup without parents; COL_NONE when the header names none of t's
 * columns (a group header such as 财政拨款结转结余 is the recogniser's business). */
column_id column_header_match(table_id t, const char *header);

/* The whole printed-table vocabulary (title rules, column synonyms, row labels, units) as
 * markdown, between the markers TABLE_VOCAB_BEGIN / TABLE_VOCAB_END: exactly the
 * generated part of examples/FORMAT.md (`huizong rules --vocabulary`; a test keeps the two
 * identical). */
#define TABLE_VOCAB_BEGIN "<!-- vocabulary: generated by `huizong rules --vocabulary` from core/recognise_vocab.c; do not edit -->"
#define TABLE_VOCAB_END "<!-- end of the generated vocabulary -->"
#include <stdio.h>
void table_vocabulary_markdown(FILE *out);

#endif
