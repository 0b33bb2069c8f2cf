/* chart.h -- a classification chart loaded from a file: the 支出功能分类 and
 * 部门预算支出经济分类 codes valid in each fiscal year, with their national names.
 *
 * File format (CSV, UTF-8, header required, `#` lines are comments):
 *
 *     kind,code,name,first_year,last_year
 *     func,2101501,行政运行,2019,
 *     econ,30217,公务接待费,2019,
 *
 * kind is `func` (支出功能分类: 3/5/7 digits) or `econ` (支出经济分类: 3/5 digits); first_year
 * and last_year bound the fiscal years the code is valid in (inclusive, empty = unbounded).
 * A code may be listed more than once with disjoint years (a renamed 项). Every error of the
 * file is reported, "FILE:LINE: reason", and a bad file loads nothing.
 *
 * Invariants after chart_load: entries sorted by (kind, code, first_year); every code is
 * well-formed for its kind; the year ranges of one code do not overlap.
 */
#ifndef HUIZONG_CHART_H
#define HUIZONG_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codes.h"

typedef struct chart chart_t;

/* Loads a chart file. Returns NULL with every error (one a line) in err. */
chart_t *chart_load(const char *path, char *err, size_t errlen);
/* Same, from memory (name is used in messages). */
chart_t *chart_load_buffer(const char *name, const char *data, size_t len, char *err, size_t errlen);
void chart_destroy(chart_t **self_p);
/* Number of entries. */
size_t chart_count(const chart_t *self);
/* The chart's name of code for fiscal year `year`, or NULL when the chart does not list the
 * code for that year. */
const char *chart_name(const chart_t *self, code_kind kind, const char *code, uint32_t year);
/* Whether the chart lists code in some year; *first and *last (0 = unbounded) of the
 * earliest listing. */
bool chart_listed(const chart_t *self, code_kind kind, const char *code, uint32_t *first,
                  uint32_t *last);

#endif
