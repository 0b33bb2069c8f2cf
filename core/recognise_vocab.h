/* recognise_vocab.h -- the one vocabulary of printed budget tables: titles, column headers,
 * row labels and units, with their table / column / row ids. Data only, in
 * core/recognise_vocab.c; titles and headers are matched only by core/tables.c
 * (table_title_lookup, column_header_lookup: both sides through table_text_normalise), row
 * labels and units by core/recognise.c (after its s_norm(): whitespace removed, full-width
 * parentheses, colons and quotes folded to ASCII "()", ":" and nothing).
 */
#ifndef HUIZONG_RECOGNISE_VOCAB_H
#define HUIZONG_RECOGNISE_VOCAB_H

#include <stddef.h>
#include <stdint.h>

#include "tables.h"

/* A title rule: the normalised title contains every word of `all` and none of `none`.
 * Rules are tried in order; table TABLE_NONE means "known, not a v1 table: skipped". */
typedef struct {
    const char *all[3];
    const char *none;
    table_id table;
} vocab_title_t;

#define VOCAB_LEAVES_MAX 6   /* synonyms of one column rule */

/* A column rule: within `table` (TABLE_NONE: any table), a header whose last part equals
 * one of `leaves` (its synonyms) and whose upper parts contain `parent` (NULL: any) is
 * column `column`. COL_NONE means a known column with no v1 id (a 小计 the format does not
 * keep): reported, not read. */
typedef struct {
    table_id table;
    const char *parent;
    column_id column;
    const char *leaves[VOCAB_LEAVES_MAX];   /* the unused ones NULL */
} vocab_column_t;

/* A fixed row label ("一般公共预算拨款收入" -> "gpb"). row NULL: a group line (本年收入合计)
 * that has no id and is not written. */
typedef struct {
    const char *label;
    const char *row;
} vocab_row_t;

/* A unit of amounts as printed after 单位：. */
typedef struct {
    const char *label;
    int64_t fen;
    int decimals;      /* the most decimals that are still whole fen */
} vocab_unit_t;

extern const vocab_title_t VOCAB_TITLES[];
extern const size_t VOCAB_NTITLES;
extern const vocab_column_t VOCAB_COLUMNS[];
extern const size_t VOCAB_NCOLUMNS;
extern const vocab_row_t VOCAB_SUMMARY_ROWS[];   /* summary, both sides */
extern const size_t VOCAB_NSUMMARY_ROWS;
extern const vocab_row_t VOCAB_FISCAL_SOURCES[]; /* fiscal income lines: "gpb" -> cur_/carry_ */
extern const size_t VOCAB_NFISCAL_SOURCES;
extern const vocab_row_t VOCAB_THREE_PUBLIC[];   /* three_public columns-as-rows */
extern const size_t VOCAB_NTHREE_PUBLIC;
extern const vocab_unit_t VOCAB_UNITS[];
extern const size_t VOCAB_NUNITS;

#endif
