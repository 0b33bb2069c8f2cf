/* narrative.h -- claims read out of a budget document's narrative (情况说明 / 编制说明).
 *
 * A published budget restates its tables in prose: "2024 年预算 416.25 万元，比 2023 年预算
 * 减少 77.94 万元，下降 23.04%", "基本支出 1088.71 万元，占 61.35%". This module finds those
 * statements in the document's UTF-8 text and returns them as claims, each with the numbers
 * exactly as printed (value and number of decimals), the subject label printed before the
 * amount, the topic of the passage (收入预算, 一般公共预算, 三公, ...), its sentence and the
 * 1-based line of every number. Judging claims against tables is narrative_check.h.
 *
 * Invariants:
 *  1. No floating point: an amount is int64 fen (1 万元 = 1,000,000 fen) with the count of
 *     万元 decimals it was printed with (0..6); a percentage is the printed digits as an
 *     integer with its decimals ("3.82 %" -> value 382, decimals 2).
 *  2. Numbers are read as these documents print them: thousands separators ("1,773.19"),
 *     markup around or inside them ("<u>218.06</u>", "_5.3_"), blanks inside ("546. 13",
 *     "32. 91 %"), full-width digits and punctuation ("１２．５", "％", "，"). Only a number
 *     followed by 万元 is an amount and only one followed by % a percentage.
 *  3. Table lines (tab-separated or `| a | b |` rows) are not narrative and are skipped; a
 *     sentence wrapped over several lines is joined, and every number keeps its own line.
 */
#ifndef HUIZONG_NARRATIVE_H
#define HUIZONG_NARRATIVE_H

#include <stddef.h>
#include <stdint.h>

/* What the passage a claim sits in is about: which table its subjects are read from. */
typedef enum {
    NARR_TOPIC_NONE = 0,     /* before any recognised heading or lead sentence */
    NARR_TOPIC_SUMMARY,      /* 收支总预算: 收支总表 */
    NARR_TOPIC_INCOME,       /* 收入预算: 收入总表 */
    NARR_TOPIC_EXPENSE,      /* 支出预算: 支出总表 */
    NARR_TOPIC_FISCAL,       /* 财政拨款收支: 财政拨款收支总表 */
    NARR_TOPIC_GPB,          /* 一般公共预算支出/拨款: 一般公共预算支出表 (and 基本支出经济分类) */
    NARR_TOPIC_THREE_PUBLIC, /* "三公"经费 */
    NARR_TOPIC_OPEX,         /* 机关运行经费: no table prints it */
    NARR_TOPIC_PROJECTS,     /* 项目支出: 项目支出表 */
    NARR_TOPIC_OTHER         /* 政府采购, 绩效, 国有资产...: no table of a submission */
} narrative_topic;

const char *narrative_topic_label(narrative_topic t);   /* "一般公共预算" */

/* A printed number: value in its unit (fen for amounts, the digits for percentages). */
typedef struct {
    int present;
    int64_t value;
    int decimals;
    uint32_t line;
} narrative_number_t;

/* One statement: a subject amount and what the sentence says about it. */
typedef struct {
    uint32_t paragraph;       /* 0-based index of the (joined) paragraph */
    narrative_topic topic;
    char *label;              /* subject as printed before the amount, markup removed */
    char *sentence;           /* the whole sentence, markup removed */
    narrative_number_t amount;   /* fen; absent for a percentage with no amount */
    int change_dir;           /* +1 增加, -1 减少, 0 none */
    narrative_number_t change;   /* fen */
    int pct_dir;              /* +1 增长, -1 下降, 0 none */
    narrative_number_t pct;      /* year-on-year percentage */
    narrative_number_t share;    /* 占 S% */
    int flat;                 /* 持平 */
    uint32_t flat_line;
    uint32_t prior_year;      /* year named in "比 2023 年…", 0 if "上年" or none */
} narrative_claim_t;

typedef struct {
    narrative_claim_t *items;
    size_t count, cap;
} narrative_t;

/* Extracts every claim of a UTF-8 text. Returns a new narrative (possibly with no claims),
 * or NULL with a reason in err (invalid UTF-8 with its line, out of memory). */
narrative_t *narrative_extract(const char *text, size_t len, char *err, size_t errlen);
void narrative_destroy(narrative_t **self_p);

/* The caller's conversion helper: text that is valid UTF-8 (a BOM is dropped) is copied,
 * anything else is converted from GB18030 with iconv. *out is malloc'd and NUL-terminated.
 * Returns 0, or -1 with the reason in err (bytes that are neither, with their offset). */
int narrative_text_utf8(const char *in, size_t len, char **out, size_t *outlen,
                        char *err, size_t errlen);

/* Formats a printed number as printed: fen with `decimals` 万元 decimals ("26", "1773.19"),
 * or percentage digits with their decimals ("3.82"). Returns buf. */
#define NARRATIVE_NUM_BUF 40
char *narrative_format_amount(int64_t fen, int decimals, char buf[NARRATIVE_NUM_BUF]);
char *narrative_format_scaled(int64_t value, int decimals, char buf[NARRATIVE_NUM_BUF]);

#endif
