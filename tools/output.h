/* output.h -- shared plumbing of the `huizong` subcommands: output formats, JSON strings,
 * opening the store read-only, and the labels people read beside codes. */
#ifndef HUIZONG_TOOLS_OUTPUT_H
#define HUIZONG_TOOLS_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "options.h"
#include "store.h"

typedef enum { FORMAT_TEXT = 0, FORMAT_CSV = 1, FORMAT_JSON = 2 } output_format;

/* "text" | "csv" | "json" -> format; -1 (and a message on stderr) if unknown. */
int output_format_parse(const char *name);

/* ---- The options every listing shares: --format, --header, --encoding. ----
 *
 * CSV is for Chinese Excel by default: UTF-8 with a byte order mark (Excel reads UTF-8
 * without one as the ANSI code page) and Chinese column headers. `--header ids` gives the
 * English machine headers (and id values) in plain UTF-8 without the mark, as scripts want
 * it; `--encoding utf-8-bom|utf-8` chooses the mark explicitly, `--encoding gb18030`
 * converts the whole output (what Chinese Excel saves and reads natively). Text
 * and JSON are always UTF-8 without a mark. */
typedef enum {
    ENCODING_DEFAULT = 0,        /* UTF-8 with the mark for Chinese headers, without for ids */
    ENCODING_UTF8_BOM, ENCODING_UTF8, ENCODING_GB18030
} output_encoding;
typedef struct {
    output_format format;
    bool header_ids;             /* --header ids */
    output_encoding encoding;
    int saved_stdout;            /* output_begin's copy of fd 1 while converting, else -1 */
    FILE *spill;                 /* the UTF-8 output being converted */
    opt_t rows[4];               /* output_options' rows: --format, --header, --encoding, end */
} output_opts_t;

#define OUTPUT_USAGE "[--format text|csv|json] [--header zh|ids] [--encoding utf-8-bom|utf-8|gb18030]"
/* Sets o to its defaults (text, Chinese headers, UTF-8 with BOM for CSV) and returns the
 * rows of --format (the first), --header and --encoding reading into it (a bad value: the
 * reason on stderr), for an opt_table() row of the command's table. */
const opt_t *output_options(output_opts_t *o);
/* Starts the output on stdout: for CSV the byte order mark, or (gb18030) stdout redirected
 * into a temporary file that output_end converts. Returns 0, or -1 (message on stderr). */
int output_begin(output_opts_t *o);
/* Ends it: converts and writes a gb18030 output. Returns 0, or -1 if the text could not be
 * converted or written (message on stderr). */
int output_end(output_opts_t *o);

/* The table an argument names: its id ("gpb_func"), its label or a printed title
 * ("一般公共预算支出表"). TABLE_NONE, with "未知表 'X'" and the list of valid tables on
 * stderr, if none. */
table_id tool_parse_table(const char *prog, const char *arg);
/* Opens DIR read-only, printing "huizong: cannot open database DIR: reason" on failure,
 * with a read snapshot open (store_snapshot_begin): everything the command reads until
 * store_destroy is one committed state. */
store_t *tool_open_store(const char *dir);
/* Parses a year argument; prints an error and returns 0 if invalid. */
uint32_t tool_parse_year(const char *text);
/* tool_parse_year as an OPT_CALL row's call: the year into *(uint32_t *)to. */
int tool_option_year(void *to, const char *text);
/* The Chinese label of a row of a table: fixed row ids, national code names, else the
 * label first printed for it in any submission, else "". */
const char *tool_row_label(store_t *store, table_id t, const char *row);
/* Whether colours should be used on out (a TTY and NO_COLOR unset). */
bool tool_use_colour(FILE *out);

#endif
