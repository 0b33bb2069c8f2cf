/* codes.h -- government revenue/expenditure classification codes.
 *
 * Function codes (支出功能分类): 3 digits 类, 5 款, 7 项; economic codes (支出经济分类):
 * 3 digits 类, 5 款. A code's parent is its prefix of the next shorter valid length. The
 * national 类 lists ship as data (core/classes.c) with their names, so a printed class
 * that does not exist, or a printed name that contradicts the code, can be flagged.
 */
#ifndef HUIZONG_CODES_H
#define HUIZONG_CODES_H

#include <stdbool.h>
#include <stddef.h>

#include "tables.h"

typedef enum { CODE_NONE = 0, CODE_FUNCTION = 1, CODE_ECONOMIC = 2 } code_kind;

/* Whether row is all digits. */
bool code_is_numeric(const char *row);
/* Well-formed for kind: digits only and a valid length (3/5/7 function, 3/5 economic). */
bool code_well_formed(code_kind kind, const char *row);
/* Level: 1 类, 2 款, 3 项; 0 if malformed. */
int code_level(code_kind kind, const char *row);
/* Writes the parent code (prefix) into out; false for a 类 or malformed code. */
bool code_parent(code_kind kind, const char *row, char *out, size_t outlen);
/* For a malformed numeric code: the well-formed ancestor its leading digits name
 * ("208010" -> "20801" for function codes), so it is counted under that parent. */
bool code_nearest_parent(code_kind kind, const char *row, char *out, size_t outlen);
/* National name of a class/款/项 code when known, else NULL ("210" -> "卫生健康支出"). */
const char *code_known_name(code_kind kind, const char *code);
/* Whether a 3-digit class exists in the national chart. */
bool code_class_exists(code_kind kind, const char *cls);
/* Whether a printed name says the same as a chart name: blanks are ignored and ASCII and
 * full-width parentheses are equal ("维修(护)费" matches "维修（护）费"). */
bool code_name_matches(const char *known, const char *printed);
/* The code whose national name a printed name says (code_name_matches), for a table that
 * prints names without codes (达州 表2-1). With parent (a 3-digit class, or NULL) only codes
 * of that class count; a 3-digit class is found with parent NULL. NULL when no code, or more
 * than one, has that name: a name is never guessed into a code. */
const char *code_by_name(code_kind kind, const char *parent, const char *name);
/* Which code kind a table's code rows use. */
code_kind code_kind_for_table(table_id t);

#endif
