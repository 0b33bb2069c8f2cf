/* submission.h -- one entity's facts for one fiscal year, the unit of submission.
 *
 * A submission is what a collector reads out of CSV files and what the aggregator
 * validates, stores and rolls up. It owns all its strings. Invariants after
 * submission_validate() returns 0: entity and id are non-empty printable UTF-8, year is in
 * 1900..9999, every fact has a valid table/column for that table, a non-empty row of at most
 * SUBMISSION_ROW_MAX bytes, and no (table,row,column) appears twice; a text, when present,
 * is valid UTF-8 of at most SUBMISSION_TEXT_MAX bytes with a UTF-8 name of at most
 * SUBMISSION_TEXT_NAME_MAX bytes.
 */
#ifndef HUIZONG_SUBMISSION_H
#define HUIZONG_SUBMISSION_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "tables.h"

#define SUBMISSION_ID_MAX 64
#define SUBMISSION_ENTITY_MAX 64   /* == ENTITY_CODE_MAX (hierarchy.h), asserted in hierarchy.c */
#define SUBMISSION_ROW_MAX 48
#define SUBMISSION_NAME_MAX 512
#define SUBMISSION_FACTS_MAX 100000
/* The narrative text a submission may carry (collector --text): a published budget's text
 * is 40-90 KB; 2 MiB leaves room for a long one and bounds what a hostile peer can make the
 * aggregator store per version. */
#define SUBMISSION_TEXT_MAX (2u * 1024 * 1024)
/* The text's file name (provenance; findings name it as their source). */
#define SUBMISSION_TEXT_NAME_MAX 255
#define SUBMISSION_DIGEST_LEN 32     /* BLAKE2b-256 of the canonical form (core/digest.h) */

typedef enum { SCOPE_DEFAULT = 0, SCOPE_OWN = 1, SCOPE_DECLARED = 2, SCOPE_CONSOLIDATED = 3 } scope_t;

typedef struct {
    table_id table;
    column_id column;
    char *row;          /* owned, or the very pointer of the fact before it */
    char *name;         /* owned, may be ""; or the very pointer of the fact before it
                           (submission_share_strings: freed once, with the first) */
    int64_t fen;
    uint32_t line;      /* source line, 0 if unknown */
    uint32_t unit_fen;  /* printed precision: fen of one unit of the last printed digit
                           (10000 = 0.01 万元, 1000000 = 1 万元, 1 = 0.01 元); 0 = the
                           default FACT_UNIT_FEN_DEFAULT */
} fact_t;

/* The precision of an amount printed with 2 decimals of 万元, what v1 assumed throughout. */
#define FACT_UNIT_FEN_DEFAULT 10000u
/* The coarsest printed precision accepted: one 百万元 (a unit printed in whole 百万元). */
#define FACT_UNIT_FEN_MAX 100000000u
/* A fact's printed precision (its unit_fen, or the default when 0). */
uint32_t fact_unit_fen(const fact_t *f);
/* Whether u is a valid unit_fen: 0, or a power of ten from 1 to FACT_UNIT_FEN_MAX. */
bool fact_unit_fen_valid(uint32_t u);

typedef struct {
    char id[SUBMISSION_ID_MAX + 1];
    char entity[SUBMISSION_ENTITY_MAX + 1];
    uint32_t year;
    scope_t scope;
    char *source;       /* owned, may be "" */
    uint64_t created_ms;
    fact_t *facts;
    size_t count, cap;
    /* The document's narrative (说明) travelling with this submission: UTF-8, at most
     * SUBMISSION_TEXT_MAX bytes, owned; text NULL (and text_len 0) when it carries none.
     * text_name is the text file's name ("" when none), owned. */
    char *text;
    size_t text_len;
    char *text_name;
    /* The content digest its sender computed (core/digest.h), carried in Submission.digest
     * and the spool header; has_digest 0 = none sent (an older collector). */
    uint8_t digest[SUBMISSION_DIGEST_LEN];
    int has_digest;
} submission_t;

submission_t *submission_new(const char *entity, uint32_t year);
void submission_destroy(submission_t **self_p);
/* Appends a copy of the fact's strings. Returns 0 or -1 on allocation failure. */
int submission_add(submission_t *self, table_id table, const char *row, column_id column,
                   int64_t fen, const char *name, uint32_t line);
/* submission_add with the printed precision of the amount (unit_fen, 0 = default). */
int submission_add_unit(submission_t *self, table_id table, const char *row, column_id column,
                        int64_t fen, const char *name, uint32_t line, uint32_t unit_fen);
void submission_set_source(submission_t *self, const char *source);
/* Attaches a copy of a UTF-8 text (len bytes) named name, replacing any earlier one; text
 * NULL removes it. Returns 0, or -1 on allocation failure (the submission is unchanged).
 * Size and encoding are checked by submission_validate. */
int submission_set_text(submission_t *self, const char *name, const char *text, size_t len);
/* A fresh random 128-bit id in hex (libsodium randombytes). */
void submission_new_id(char out[SUBMISSION_ID_MAX + 1]);
/* Sorts facts by (table,row,column): the order the store and the rules expect. */
void submission_sort(submission_t *self);
/* Shared strings: a fact's row or name may be the very pointer of the fact before it (the
 * wire decoder keeps one copy of a row's code and of a name printed on consecutive rows:
 * 100,000 rows printing one 480-byte name held 48 MB of copies). submission_destroy frees
 * each once. So such a submission's facts are never reordered once shared: the decoder
 * sorts them first, and sorting sorted facts leaves them as they are (submission_sort). */
/* Finds a fact; requires submission_sort() first. NULL if absent. */
const fact_t *submission_find(const submission_t *self, table_id t, const char *row, column_id c);
/* Structural validation (see invariants above). Returns 0, or -1 with a reason naming
 * the offending fact (and its source line) in err. Sorts the facts. */
int submission_validate(submission_t *self, char *err, size_t errlen);

/* Whether s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
 * Shared by the CSV reader and the wire decoder so both refuse the same bytes. */
#include <stdbool.h>
bool submission_utf8_valid(const char *s, size_t len);
/* A text and its name as a submission may carry them (size, UTF-8): 0, or -1 with the
 * reason (naming the limit) in err. Shared by submission_validate and the wire decoder. */
int submission_text_check(const char *text, size_t len, const char *name, char *err, size_t errlen);

/* A growable list of submissions (a CSV file may hold several entity/years). */
typedef struct {
    submission_t **items;
    size_t count, cap;
} submission_list_t;

void submission_list_init(submission_list_t *list);
/* Finds the submission for entity/year, creating it if absent. NULL on OOM. */
submission_t *submission_list_get(submission_list_t *list, const char *entity, uint32_t year);
void submission_list_free(submission_list_t *list);

#endif
