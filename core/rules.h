/* rules.h -- the rule catalogue and the rule engine.
 *
 * Rules are pure functions: they read a submission (or a view of one node of the tree that
 * the store builds inside its transaction) and append findings. The same code runs in
 * `huizong-collector check` before anything is sent and in the aggregator before a
 * submission is stored. Only findings that are not EXACT are appended: ROUNDING findings
 * (info, counted) and MISMATCH / MALFORMED / MISSING findings (error or warning).
 *
 * Every rule has an enum id (rule_id) and a stable string id, a default severity, English
 * and Chinese descriptions and the tables it reads; the catalogue (rules_catalogue.c,
 * indexed by rule_id) is the one source of truth (docs/rules.md is
 * generated from it by `huizong rules --format markdown`). A settings file may change a
 * rule's severity or switch it off:  one line per rule, `RULE_ID = error|warning|info|off`,
 * `#` comments; and set the tables each level must publish (table.required,
 * level.not_declared): `require.LEVEL = TABLE,TABLE,...` or `require.LEVEL = none`.
 *
 * A classification chart (core/chart.h, `--chart FILE`) may be attached to the settings:
 * with one, every code is looked up for the submission's year (code.unknown) and printed
 * names are compared with the chart's (code.name_mismatch); without one, only the built-in
 * national 类 lists and names of core/classes.c are used.
 */
#ifndef HUIZONG_RULES_H
#define HUIZONG_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "chart.h"
#include "findings.h"
#include "hierarchy.h"
#include "submission.h"

#define RULES_CATALOGUE_VERSION "1"

/* RULE_SCOPE_TEXT: a document's narrative (说明) against its submission's tables
 * (core/narrative_check.c; run where the text travels: collector check, the aggregator).
 * RULE_SCOPE_VERSION: a new version against the entity's current one (rules_version.c). */
typedef enum { RULE_SCOPE_TABLE, RULE_SCOPE_CROSS, RULE_SCOPE_CODE, RULE_SCOPE_LEVEL,
               RULE_SCOPE_VERSION, RULE_SCOPE_TEXT } rule_scope;

/* Rule ids, in catalogue (documentation) order: the enum indexes the catalogue, so a
 * misspelt id is a compile error, not a check that silently never fires. The string id
 * ("table.func_sum") is what findings, the store and settings files carry; it is mapped to
 * the enum once, when a settings file is loaded (rules_id_from_name). */
typedef enum {
    RULE_TABLE_FUNC_SUM,
    RULE_TABLE_ECON_SUM,
    RULE_TABLE_TOTAL_ROW,
    RULE_TABLE_EXPENSE_COLUMNS,
    RULE_TABLE_BASIC_SPLIT,
    RULE_TABLE_FUNDING_SPLIT,
    RULE_TABLE_INCOME_SOURCES,
    RULE_TABLE_SUMMARY_TOTALS,
    RULE_TABLE_FISCAL_TOTALS,
    RULE_TABLE_FISCAL_COLUMNS,
    RULE_TABLE_FISCAL_BALANCE,
    RULE_TABLE_PROJECTS_TOTAL_ROW,
    RULE_TABLE_PROJECT_SOURCES,
    RULE_TABLE_REQUIRED,
    RULE_CROSS_SUMMARY_BALANCE,
    RULE_CROSS_SUMMARY_FISCAL,
    RULE_CROSS_SUMMARY_EXPENSE_CLASSES,
    RULE_CROSS_SUMMARY_INCOME_SOURCES,
    RULE_CROSS_FISCAL_GPB_FUNC,
    RULE_CROSS_ECON_FUNC_BASIC,
    RULE_CROSS_THREE_PUBLIC_PARTS,
    RULE_CROSS_THREE_PUBLIC_RECEPTION,
    RULE_CROSS_PROJECTS_EXPENSE,
    RULE_CROSS_PROJECT_FUNDING_COVER,
    RULE_CODE_MALFORMED,
    RULE_CODE_PARENT_PREFIX,
    RULE_CODE_UNKNOWN_CLASS,
    RULE_CODE_UNKNOWN,
    RULE_CODE_KIND,
    RULE_CODE_NAME_MISMATCH,
    RULE_LEVEL_DECLARED_VS_COMPUTED,
    RULE_LEVEL_MISSING_SUBORDINATES,
    RULE_LEVEL_NOT_DECLARED,
    RULE_LEVEL_TRANSFER_UPPER,
    RULE_LEVEL_TRANSFER_SUB,
    RULE_VERSION_TABLE_WITHDRAWN,
    RULE_VERSION_FIGURE_WITHDRAWN,
    RULE_TEXT_AMOUNT,
    RULE_TEXT_CHANGE_PERCENT,
    RULE_TEXT_CHANGE_SIGN,
    RULE_TEXT_SHARE,
    RULE_TEXT_PROJECT_FUNDING,
    RULE_TEXT_PRIOR_YEAR,
    RULE_COUNT
} rule_id;

typedef struct {
    const char *id;          /* "table.func_sum" */
    const char *name_zh;     /* "功能分类逐级合计": the short name printed beside the id */
    severity_t severity;     /* default */
    rule_scope scope;
    const char *tables;      /* "gpb_func, expense, income" */
    const char *en;
    const char *zh;
} rule_info_t;

/* "table", "cross", "code", "level", "version", "text" ("?" for an invalid scope). */
const char *rules_scope_name(rule_scope s);

/* The catalogue, in documentation order: (*out)[id] describes rule id; returns RULE_COUNT. */
size_t rules_catalogue(const rule_info_t **out);
/* The catalogue entry of a string id ("table.func_sum"), or NULL if the catalogue has none. */
const rule_info_t *rules_find(const char *id);
/* The short Chinese name of a rule ("合计行" for table.total_row), printed beside the id
 * (the catalogue's name_zh); NULL for an id the catalogue does not have. */
const char *rules_name_zh(const char *id);
/* The enum of a string id; RULE_COUNT if the catalogue has none (settings files, CLIs). */
rule_id rules_id_from_name(const char *id);
/* The catalogue entry of id (asserts id < RULE_COUNT). */
const rule_info_t *rules_info(rule_id id);
/* Whether the engine registers a function for id (one family of the submission or level
 * registry, exactly one); the test of every catalogue entry asserts it for each id. */
bool rules_registered(rule_id id);

typedef struct rule_settings rule_settings_t;
/* NULL path: catalogue defaults. Returns NULL with "file:line: reason" on error. */
rule_settings_t *rule_settings_load(const char *path, char *err, size_t errlen);
void rule_settings_destroy(rule_settings_t **self_p);
/* The tables an entity of level l must publish (table.required), as a bit set of table
 * ids (bit t: table t); 0 when the level need not declare at all. Defaults: a department
 * publishes the nine tables of a 部门预算 (RULES_REQUIRED_DEPARTMENT); other levels none. */
uint32_t rule_settings_required(const rule_settings_t *self, entity_level l);
#define RULES_REQUIRED_DEPARTMENT                                                         \
    ((1u << TABLE_SUMMARY) | (1u << TABLE_INCOME) | (1u << TABLE_EXPENSE) |              \
     (1u << TABLE_FISCAL) | (1u << TABLE_GPB_FUNC) | (1u << TABLE_GPB_ECON) |            \
     (1u << TABLE_THREE_PUBLIC) | (1u << TABLE_GFB_FUNC) | (1u << TABLE_SOE_FUNC))
/* Attaches a chart (not owned; it must outlive the settings' use; NULL detaches). A NULL
 * self is ignored. */
void rule_settings_set_chart(rule_settings_t *self, const chart_t *chart);
/* The attached chart, or NULL. */
const chart_t *rule_settings_chart(const rule_settings_t *self);
/* Effective severity of a rule (SEV_OFF when switched off). */
severity_t rule_settings_severity(const rule_settings_t *self, rule_id id);
/* "catalogue 1, settings defaults" or "catalogue 1, settings FILE (sha ...)" */
const char *rule_settings_describe(const rule_settings_t *self);

/* The most findings of one rule one submission lists one by one (a rule of the system,
 * docs/rules.md "Bound"): the rest of that rule are one summary finding (same rule,
 * gravest severity, no row) saying in Chinese how many more there are and where the first
 * of them is. Applies to rules_check/rules_check_entity, rules_check_versions and the text
 * rules; not to level rules (their flags are replaced key by key). */
#define RULES_FINDINGS_PER_RULE 1000

/* Within-table, between-table and code rules over one submission (validated and sorted, or
 * not: `collector check` runs them before validation, and a key printed twice then counts
 * with its later fact). Appends to out; returns 0, or -1 on OOM (out keeps what was
 * appended). The relations are the same at every level of the hierarchy, for a unit's own
 * figures and for a department's declared consolidated ones, so the entity's level is not
 * an input: what differs between levels is checked by rules_check_level in the store. */
int rules_check(const submission_t *s, const rule_settings_t *settings, findings_t *out);
/* rules_check, plus what depends on the entity's level: the tables it must publish
 * (table.required, rule_settings_required). LEVEL_NONE checks as rules_check. */
int rules_check_entity(const submission_t *s, entity_level level, const rule_settings_t *settings,
                       findings_t *out);

/* ---- Version rules: what a new version drops that the previous one had. ----
 * prev is the entity's current version (number prev_version) and next the one replacing
 * it (both sorted). A table prev prints and next does not is version.table_withdrawn (one
 * finding per table, expected = the table's main figure in prev); every other figure of
 * prev that next lacks is version.figure_withdrawn (expected = its previous value). The
 * store runs this inside the write transaction, before the new version's flags are put. */
int rules_check_versions(const submission_t *prev, uint32_t prev_version, const submission_t *next,
                         const rule_settings_t *settings, findings_t *out);
/* The main figure of table t in s (the total row's total, the 支出总计 ...), for messages
 * and the tree: true and *key filled when s prints one. */
bool rules_table_main_figure(const submission_t *s, table_id t, const fact_t **main);

/* ---- Level rules: a view of one node that the store builds inside its transaction. ---- */

typedef struct {
    table_id table;
    char row[SUBMISSION_ROW_MAX + 1];
    column_id column;
} figure_key_t;

typedef struct {
    const char *code;
    const char *name;
    int has_reported;
    int64_t reported;
} child_value_t;

/* One node's figure for one key: what it declared, and what its children's reported
 * figures add up to (store_figure_t is this type; the store fills it). */
typedef struct {
    figure_key_t key;
    int has_declared;
    int64_t declared;
    int has_computed;
    int64_t computed;
    uint32_t contributors;        /* children whose reported figure entered computed */
} figure_t;

typedef struct {
    figure_t fig;
    size_t nchildren;
    child_value_t *children;      /* every child with a reported value for this key */
} level_figure_t;

typedef struct {
    const char *code;
    const char *name;
    entity_level level;
    int submitted;                /* has a current version for the year */
} level_child_t;

typedef struct {
    const char *entity;
    const char *name;
    entity_level level;
    uint32_t year;
    int declared_any;             /* the node itself has a declaration for the year */
    size_t nchildren;
    level_child_t *children;      /* every registered child */
    size_t nfigures;
    level_figure_t *figures;      /* the keys touched, plus the transfer keys
                                     income/total/upper, income/total/sub,
                                     expense/total/to_sub, expense/total/to_upper */
} level_view_t;

/* Level rules over one node. Every finding it appends has entity = view->entity and
 * either a key among view->figures or an empty row (node-wide, e.g. missing children);
 * the store replaces the node's earlier level findings for exactly those keys. */
int rules_check_level(const level_view_t *view, const rule_settings_t *settings, findings_t *out);

/* Writes docs/rules.md: catalogue version, the rules table, the rounding rule and the
 * settings file format. docs/rules.md is exactly this output (a test asserts it). */
void rules_write_markdown(FILE *out);

/* ---- Internals shared by core/rules*.c; not for other callers. ---- */

/* A growable explanation text; on OOM it stays truncated and `oom` is set. */
typedef struct { char *buf; size_t len, cap; int oom; } rules_text_t;
void rules_text_printf(rules_text_t *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void rules_text_free(rules_text_t *t);
/* A finding with these fields and every other one zero (no line, source or explanation). */
void rules_finding_init(finding_t *f, const char *entity, uint32_t year, verdict_t v, table_id t,
                        const char *row, column_id c, int64_t expected, int64_t actual,
                        uint32_t terms);
/* Pushes f as a finding of rule id unless it is EXACT or the rule is switched off: f->rule
 * is set from the catalogue, the severity from the settings (ROUNDING always info).
 * Returns 0, or -1 on OOM. */
int rules_emit(findings_t *out, const rule_settings_t *settings, rule_id id, finding_t *f);
/* Saturating fen arithmetic for sums and differences of untrusted figures: a saturated
 * result can only make a relation fail, never pass by wrapping around. */
int64_t rules_sat_add(int64_t a, int64_t b);
int64_t rules_sat_sub(int64_t a, int64_t b);

#endif
