/* rules_engine.h -- internals of the submission rule engine, shared by core/rules*.c only.
 *
 * rules.c indexes a submission into one grid per table (rules_tab_t), links the printed
 * code hierarchy, and runs the rule registry: an ordered table of families, each one
 * function and the rule ids it may emit. The families live in rules_table.c (within one
 * table), rules_code.c (code rules), rules_cross.c (between tables). Adding a rule is one
 * enum value (rules.h), one catalogue entry (rules_catalogue.c), one function here and one
 * registry line in rules.c, and one test case (tests/unit/test_rules.c).
 *
 * Invariants:
 *  1. Every relation is judged by rounding_classify() with terms = the printed amounts in it.
 *  2. A figure that is not printed is absent: 0 in a sum, and not a term of the tolerance.
 *  3. A relation is checked when its checked figure is printed and at least one part is
 *     printed (rules_check_refs, check_rows, check_columns, check_hierarchy). Three rules also
 *     judge a relation one side of which is not printed, against 0, because a figure missing
 *     from one table while the other prints it is itself the inconsistency:
 *     cross.summary_income_sources (a source on one side only), cross.summary_*_classes /
 *     cross.fiscal_gpb_func (a class on one side only, compare_classes) and
 *     cross.project_funding_cover (unit funds or transfers with no matching income).
 *  4. No rule reads a table the submission does not print.
 *  5. A family emits only the ids it is registered with (asserted in debug builds).
 */
#ifndef HUIZONG_RULES_ENGINE_H
#define HUIZONG_RULES_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "codes.h"
#include "rules.h"

/* ---- the per-table grid ---- */

typedef struct {
    const char *row;
    const char *name;
    int64_t v[COL_COUNT];
    uint32_t line[COL_COUNT];
    uint32_t unit[COL_COUNT];     /* printed precision of each figure (fact_unit_fen) */
    uint32_t has;                 /* bit c: column c printed */
    int parent;                   /* nearest printed ancestor, RULES_ROOT, RULES_EXCLUDED */
    int malformed;
} rules_row_t;

#define RULES_ROOT (-1)           /* a code row with no printed ancestor */
#define RULES_EXCLUDED (-2)       /* the total row, or a non-code row in a code table */
_Static_assert(COL_COUNT <= 32, "rules_row_t.has holds one bit per column");

typedef struct {
    rules_row_t *rows;
    size_t n;
    uint32_t cols;                /* columns printed anywhere in the table */
    int *first;                   /* code tables: first child of each row, or -1 */
    int *next;                    /* next sibling of each row, or -1 */
    int roots;                    /* first root (parent RULES_ROOT), or -1 */
} rules_tab_t;

typedef struct rules_family rules_family_t;

typedef struct {
    const submission_t *s;
    entity_level level;              /* LEVEL_NONE: not known (rules_check) */
    const rule_settings_t *set;
    findings_t *out;
    rules_tab_t tab[TABLE_COUNT];
    const rules_family_t *running;   /* the family whose findings are being emitted */
    int err;
} rules_ctx_t;

#define ROW_HAS(r, c) (((r)->has >> (c)) & 1u)
#define RULES_N(a) (sizeof (a) / sizeof (a)[0])
/* A row list of a local array of ids. */
#define RULES_ROWS(a) ((table_rows_t){ (a), NULL, NULL, RULES_N(a) })

/* ---- the registry ---- */

#define RULES_FAMILY_IDS 6        /* the most ids one family emits (the code rules) */

/* A family runs once per table (per_table, t = each table in id order) or once per
 * submission (t = TABLE_NONE). */
typedef void (*rules_family_fn)(rules_ctx_t *cx, table_id t);
struct rules_family {
    rules_family_fn fn;
    bool per_table;
    size_t nids;
    rule_id ids[RULES_FAMILY_IDS];
};

/* Whether exactly one family of the submission (rules.c) or level (rules_level.c)
 * registry, or the narrative check (narrative_check.c), emits id. */
/* Folds out[from..) to at most RULES_FINDINGS_PER_RULE findings of each rule plus one
 * summary per rule over the bound (rules_fold.c). Each rule run calls it once on what it
 * appended. 0 or -1 (no memory: out keeps every finding, none lost). */
int rules_fold(findings_t *out, size_t from);
bool rules_submission_registered(rule_id id);
bool rules_level_registered(rule_id id);
/* Whether id is one of the text rules core/narrative_check.c emits. */
bool rules_text_registered(rule_id id);
/* (rules_version_registered: the version rules, rules_version.c) */

/* ---- grid access (rules.c) ---- */

int rules_row_index(const rules_tab_t *t, const char *row);        /* -1 if not printed */
const rules_row_t *rules_row_find(const rules_ctx_t *cx, table_id t, const char *row);
/* A figure, or NULL when it is not printed. */
const rules_row_t *rules_fig(const rules_ctx_t *cx, table_id t, const char *row, column_id c);
bool rules_is_total(const rules_row_t *r);
bool rules_table_present(const rules_ctx_t *cx, table_id t);
bool rules_table_prints(const rules_ctx_t *cx, table_id t, column_id c);
uint32_t rules_row_line(const rules_row_t *r);     /* first printed line of a row */
/* The 3-digit class of a numeric code row into cls; false for other rows. */
bool rules_class_prefix(const char *row, char cls[4]);

/* ---- labels (rules.c) ---- */

#define RULES_LABEL_MAX 400
void rules_label_copy(char *out, size_t n, const char *src);
void rules_label_cat(char *out, size_t n, size_t *o, const char *src);
/* "20805 行政事业单位养老支出", "合计", "收入总计", "P01 异地就医工作". */
void rules_row_label(table_id t, const rules_row_t *r, char *out, size_t n);
/* Short label of a part: the code or project id, or the fixed row's label. */
void rules_part_label(table_id t, const rules_row_t *r, char *out, size_t n);

/* ---- relations: a printed figure vs. the sum of parts (rules.c) ---- */

/* A part's label is either a string that outlives the relation (a row code, a column's or
 * a fixed row's label: rules_rel_part_ref) or a copy kept in the relation's text
 * (rules_rel_part), at text + off. Labels are only read when a relation fails, so a part
 * costs no copy in the usual case; and the first RULES_REL_INLINE parts live in the relation
 * itself (no allocation for most relations: one per printed figure was a malloc of 6 KB). */
typedef struct {
    const char *label;          /* NULL: the copy at text + off */
    size_t off;
    int64_t v;
} rules_part_t;

#define RULES_REL_INLINE 16

typedef struct {
    rule_id rule;
    table_id table;
    const char *row;
    column_id col;
    int64_t actual;
    uint32_t line;
    char ctx[300];              /* where: the column (default) or, for identities between
                                   columns, the row */
    char lhs[300];              /* label of the checked figure */
    /* Labels built only for a finding (rel_finish), when ctx / lhs are left empty: lhs_row's
     * rules_row_label, ctx_row's ("合计行" for the total row). Rows of r->table. */
    const rules_row_t *lhs_row, *ctx_row;
    rules_part_t *parts;        /* inline_parts until there are more */
    size_t nparts, cap;
    rules_part_t inline_parts[RULES_REL_INLINE];
    char *text;                 /* copied part labels, NUL-terminated one after another */
    size_t text_len, text_cap;
    int32_t extra_terms;        /* printed amounts beyond lhs and parts; -1 when lhs or a
                                   part is not printed (absent, so no rounding) */
    uint64_t units;             /* the printed precisions of lhs and parts, summed (fen): the
                                   tolerance is half of it (+ extra_terms default units) */
    char note[400];             /* what a scope difference consists of, etc. */
} rules_rel_t;

/* Invariant: a relation is used where rules_rel_init put it (parts may point into it) and
 * ends in rules_rel_check, rules_rel_check_cover or rules_rel_drop, which free what it holds. */
void rules_rel_init(rules_rel_t *r, rule_id rule, table_id t, const char *row, column_id c,
                    int64_t actual, uint32_t line);
void rules_rel_part(rules_ctx_t *cx, rules_rel_t *r, const char *label, int64_t v);
/* The printed precision of the lhs figure (rules_rel_init assumes FACT_UNIT_FEN_DEFAULT). */
void rules_rel_lhs_unit(rules_rel_t *r, uint32_t unit);
/* rules_rel_part with the part's printed precision (rules_rel_part: the default). */
void rules_rel_part_unit(rules_ctx_t *cx, rules_rel_t *r, const char *label, int64_t v, uint32_t unit);
/* The same, keeping the label by reference: it must outlive the relation and be shorter
 * than RULES_LABEL_MAX (what a copy would keep). */
void rules_rel_part_ref(rules_ctx_t *cx, rules_rel_t *r, const char *label, int64_t v, uint32_t unit);
/* rules_part_label's text without a copy: a string that lives as long as the row. */
const char *rules_part_label_ref(table_id t, const rules_row_t *r);
/* lhs = sum of parts; frees the parts. */
void rules_rel_check(rules_ctx_t *cx, rules_rel_t *r);
/* lhs <= sum of parts (a cover: spending from a source is at most its income). */
void rules_rel_check_cover(rules_ctx_t *cx, rules_rel_t *r);
/* Frees a relation that is not checked. */
void rules_rel_drop(rules_rel_t *r);
/* A finding that is not a relation (code rules). */
void rules_emit_plain(rules_ctx_t *cx, rule_id rule, verdict_t v, table_id t, const char *row,
                      column_id c, int64_t expected, int64_t actual, uint32_t line,
                      const char *explanation);

/* lhs figure = the sum of the listed figures that are printed; checked only when lhs and
 * at least one of them are printed (invariant 3). */
typedef struct { table_id t; const char *row; column_id c; } rules_ref_t;
void rules_check_refs(rules_ctx_t *cx, rule_id rule, rules_ref_t lhs, const rules_ref_t *parts,
                      size_t n, bool cover, const char *note);

/* ---- the families ---- */

/* rules_code.c: code.malformed, code.kind, code.unknown_class, code.unknown,
 * code.parent_prefix, code.name_mismatch over one table's code rows. */
void rules_codes(rules_ctx_t *cx, table_id t);

/* rules_version.c: table.required (the tables the entity's level must publish). */
void rules_required(rules_ctx_t *cx, table_id t);
/* Whether exactly one version rule function emits id. */
bool rules_version_registered(rule_id id);

/* rules_table.c */
void rules_code_sums(rules_ctx_t *cx, table_id t);      /* func_sum, econ_sum, total_row */
void rules_expense_columns(rules_ctx_t *cx, table_id t);
void rules_basic_split(rules_ctx_t *cx, table_id t);
void rules_funding_split(rules_ctx_t *cx, table_id t);
void rules_income_sources(rules_ctx_t *cx, table_id t);
void rules_project_sources(rules_ctx_t *cx, table_id t);
void rules_fiscal_columns(rules_ctx_t *cx, table_id t);
void rules_summary_totals(rules_ctx_t *cx, table_id t);
void rules_fiscal_totals(rules_ctx_t *cx, table_id t);
void rules_fiscal_balance(rules_ctx_t *cx, table_id t);
void rules_summary_balance(rules_ctx_t *cx, table_id t);
void rules_projects_total_row(rules_ctx_t *cx, table_id t);
/* lhs row = the listed rows (only those whose parent is lhs when the list names parents)
 * and, with classes, every numeric class row, in column c. */
void rules_check_rows(rules_ctx_t *cx, rule_id rule, table_id t, const char *lhs, column_id c,
                      table_rows_t rows, bool classes);

/* rules_cross.c */
void rules_three_public_parts(rules_ctx_t *cx, table_id t);
void rules_summary_expense_classes(rules_ctx_t *cx, table_id t);
void rules_summary_income_sources(rules_ctx_t *cx, table_id t);
void rules_summary_fiscal(rules_ctx_t *cx, table_id t);
void rules_fiscal_gpb_func(rules_ctx_t *cx, table_id t);
void rules_econ_func_basic(rules_ctx_t *cx, table_id t);
void rules_three_public_reception(rules_ctx_t *cx, table_id t);
void rules_projects_expense(rules_ctx_t *cx, table_id t);
void rules_project_funding_cover(rules_ctx_t *cx, table_id t);

#endif
