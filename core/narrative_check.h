/* narrative_check.h -- judging a narrative's claims against the tables of its submission.
 *
 * Every claim of narrative.h is checked with the same interval arithmetic as the table
 * rules: a number printed with d decimals stands for ± half a unit of its last digit (a
 * 2-decimal 万元 amount for ±0.005 万元, "3.82%" for ±0.005%), every table figure for
 * ±0.005 万元, and a relation holds within rounding when some values inside those intervals
 * satisfy it. All arithmetic is on integers (fen, percentage digits) with 128-bit
 * cross-multiplication; there is no floating point.
 *
 *  - text.amount          an amount equals the table figure its subject names (function
 *                         codes or names through the 类/款/项 chain, fund sources, 基本/项目
 *                         支出, 人员/公用经费, "三公" items)
 *  - text.change_percent  增长 P% = change ÷ (this year − change); 下降 P% = change ÷
 *                         (this year + change); a fall cannot exceed 100%
 *  - text.change_sign     增加 with 下降 (or 减少 with 增长) in one statement; 持平 with a change;
 *                         against the previous year, a change in the wrong direction
 *  - text.share           占 S% = part ÷ the whole the passage is about
 *  - text.project_funding 单位资金 / 财政专户 / 上级转移支付 / 财政拨款 of 项目支出 equal the 项目支出表
 *  - text.prior_year      with the previous year's submission: the change equals this
 *                         year's table figure − last year's
 *
 * The rules are catalogue entries (core/rules.h, RULE_SCOPE_TEXT), so a settings file can
 * change their severity. Findings use core/findings.h: EXACT is not appended, ROUNDING is
 * info, MISMATCH takes the rule's severity from the settings. `line` is the text line of the number judged, `source` the text
 * file's name, `explanation` the sentence, the table figure and the arithmetic in Chinese,
 * with the likely cause where the numbers show it.
 */
#ifndef HUIZONG_NARRATIVE_CHECK_H
#define HUIZONG_NARRATIVE_CHECK_H

#include <stddef.h>
#include <stdio.h>

#include "findings.h"
#include "narrative.h"
#include "rules.h"
#include "submission.h"


/* Why a claim could not be judged. */
typedef enum {
    NARR_UNCHECKED_NO_FIGURE = 0,   /* no table figure for that subject */
    NARR_UNCHECKED_NO_PRIOR,        /* prior year not available (or no figure in it) */
    NARR_UNCHECKED_AMBIGUOUS,       /* the subject names several different figures */
    NARR_UNCHECKED_NO_BASE,         /* last year's figure is 0: a percentage is undefined */
    NARR_UNCHECKED_NO_TABLE,        /* the passage is about something no table prints */
    NARR_UNCHECKED_COUNT
} narrative_unchecked;

const char *narrative_unchecked_label(narrative_unchecked u);   /* Chinese */

/* Per document. A claim item is one judgeable statement: an amount, a year-on-year
 * percentage or 持平, a share, or a change against the previous year. */
typedef struct {
    size_t claims;                  /* statements extracted */
    size_t items;                   /* judgeable items in them */
    size_t checked, exact, rounding, mismatched;
    size_t unchecked[NARR_UNCHECKED_COUNT];
} narrative_summary_t;

/* Judges every claim of `n` against submission `s` (sorted, e.g. from csv_read_file) and,
 * when `prior` is not NULL, against the previous year's submission of the same entity.
 * `source` names the text in findings (may be NULL). Appends ROUNDING and MISMATCH
 * findings to out and fills *summary (if not NULL). Returns the number of MISMATCH
 * findings appended, or -1 on out of memory. */
int narrative_check(const narrative_t *n, const submission_t *s, const submission_t *prior,
                    const char *source, findings_t *out, narrative_summary_t *summary);
/* The same with rule settings (NULL: the catalogue's defaults): a rule switched off emits
 * nothing (the summary still counts its arithmetic), an error rule set to warning emits
 * its MISMATCHes as warnings; ROUNDING is always info. The rules are the catalogue's
 * RULE_SCOPE_TEXT entries (core/rules.h). Returns as narrative_check. */
int narrative_check_rules(const narrative_t *n, const submission_t *s, const submission_t *prior,
                          const char *source, const rule_settings_t *settings, findings_t *out,
                          narrative_summary_t *summary);

/* What claim i's subject resolves to in s, for people (`huizong show --text`, the driver):
 * "一般公共预算支出表(功能分类) 2080505 机关事业单位基本养老保险缴费支出 / 合计 = 99.18" or
 * "无法核对：表中无该科目的数". Returns buf. */
char *narrative_describe(const narrative_t *n, size_t i, const submission_t *s, char *buf, size_t len);

/* Writes the summary in Chinese, one line per count ("说明核对：声明 83 项，可核对 …"). */
void narrative_summary_print(FILE *f, const narrative_summary_t *summary);
/* Writes the summary as one JSON object: {"claims":N,"items":N,"checked":N,"exact":N,
 * "rounding":N,"mismatched":N,"not_checkable":N,"reasons":[{"reason":"no_figure",
 * "label":"表中无该科目的数","count":N},...]} (reasons with a count only). */
void narrative_summary_write_json(FILE *f, const narrative_summary_t *summary);
/* "no_figure", "no_prior", "ambiguous", "no_base", "no_table". */
const char *narrative_unchecked_name(narrative_unchecked u);

#endif
