/* output.h -- shared plumbing of the `huizong` subcommands: output formats, JSON strings,
 * opening the store read-only, and the labels people read beside codes. */
#ifndef HUIZONG_TOOLS_OUTPUT_H
#define HUIZONG_TOOLS_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "store.h"

typedef enum { FORMAT_TEXT = 0, FORMAT_CSV = 1, FORMAT_JSON = 2 } output_format;

/* "text" | "csv" | "json" -> format; -1 (and a message on stderr) if unknown. */
int output_format_parse(const char *name);
/* Opens DIR read-only, printing "huizong: cannot open database DIR: reason" on failure,
 * with a read snapshot open (store_snapshot_begin): everything the command reads until
 * store_destroy is one committed state. */
store_t *tool_open_store(const char *dir);
/* Parses a year argument; prints an error and returns 0 if invalid. */
uint32_t tool_parse_year(const char *text);
/* The Chinese label of a row of a table: fixed row ids, national code names, else the
 * label first printed for it in any submission, else "". */
const char *tool_row_label(store_t *store, table_id t, const char *row);
/* Whether colours should be used on out (a TTY and NO_COLOR unset). */
bool tool_use_colour(FILE *out);

#endif
