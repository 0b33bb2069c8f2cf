/* csv.h -- reading v1 submission CSV files (FORMAT.md) into submissions.
 *
 * All or nothing: any error rejects the whole file, and every error of the file is reported
 * at once, each naming the file, the line, the field and the reason; an amount error shows
 * the value and says in Chinese what is wrong
 * ("dongxihu.csv:12: column 'amount'（金额）: “９.60”：含全角数字“９”，应为半角数字“9”").
 * Accepts a UTF-8 BOM, CRLF line ends, quoted fields ("1,773.19"), an English or Chinese
 * header (entity,year,table,row,name,column,amount / 单位代码,年度,表,行,名称,列,金额), and
 * GB18030/GBK input when asked (or detected with CSV_ENCODING_AUTO): converted with iconv.
 */
#ifndef HUIZONG_CSV_H
#define HUIZONG_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "submission.h"

typedef enum { CSV_ENCODING_UTF8 = 0, CSV_ENCODING_GB18030 = 1, CSV_ENCODING_AUTO = 2 } csv_encoding;

csv_encoding csv_encoding_from_name(const char *name);  /* "utf-8", "gb18030", "gbk", "auto"; -1 if unknown */

/* ---- Every error of a file at once. ---- */

#define CSV_MAX_ERRORS_DEFAULT 100   /* errors kept per read; the rest are only counted */

typedef struct {
    uint32_t line;        /* 0 when the error is about the whole file */
    size_t seq;           /* order of detection (ties of line keep it) */
    char *message;        /* "FILE:LINE: column 'x': reason", owned */
} csv_error_t;

typedef struct {
    csv_error_t *items;   /* in line order after a failed read */
    size_t count, cap;
    size_t max;           /* most errors kept (csv_errors_init) */
    size_t total;         /* errors found, kept or not */
    int oom, fatal;       /* internal: reading stopped early */
} csv_errors_t;

/* max 0: CSV_MAX_ERRORS_DEFAULT. */
void csv_errors_init(csv_errors_t *self, size_t max);
/* Frees the messages; the list can be reused (max is kept). */
void csv_errors_free(csv_errors_t *self);
/* The messages one a line into err (truncated to errlen), and a last line saying how many
 * more were found when some were not kept. */
void csv_errors_join(const csv_errors_t *self, char *err, size_t errlen);

/* Like csv_read_file / csv_read_buffer, but every error of the file is appended to errs
 * (up to errs->max, the rest counted in errs->total). Returns 0, or -1 (errs->total > 0);
 * on error list is unchanged. */
int csv_read_file_errors(const char *path, csv_encoding enc, submission_list_t *list,
                         csv_errors_t *errs);
int csv_read_buffer_errors(const char *name, const char *data, size_t len, csv_encoding enc,
                           submission_list_t *list, csv_errors_t *errs);

/* Reads one file and appends its submissions (one per entity/year) to list; facts carry
 * their source line, and each new submission gets the file name as source and a fresh id.
 * Returns 0, or -1 with every error in err (one a line, see csv_errors_join); on error
 * list is unchanged. */
int csv_read_file(const char *path, csv_encoding enc, submission_list_t *list, char *err, size_t errlen);
/* Same, from memory (name is used in messages). */
int csv_read_buffer(const char *name, const char *data, size_t len, csv_encoding enc,
                    submission_list_t *list, char *err, size_t errlen);

/* ---- The RFC 4180 record reader, shared with hierarchy.c (entities.csv). ---- */
#include <stdint.h>

typedef struct {
    char **fields;        /* nfields NUL-terminated strings, pointing into buf */
    size_t nfields, fcap;
    char *buf;
    size_t blen, bcap;
    size_t *offs;         /* field start offsets into buf (internal) */
} csv_record_t;

void csv_record_init(csv_record_t *rec);
void csv_record_free(csv_record_t *rec);
/* Reads the record starting at data[*pos] (len bytes in all). *line is the physical line
 * at *pos (1-based) and is advanced past the record; *start_line gets the line the record
 * starts on. Blank lines are skipped. Returns 1 (record read), 0 (end of data) or -1 with
 * a static reason (NUL byte, unterminated quote, text after a closing quote). */
int csv_next_record(const char *data, size_t len, size_t *pos, uint32_t *line,
                    csv_record_t *rec, uint32_t *start_line, const char **reason);
/* Length of a UTF-8 BOM at the start of data (3 or 0). */
size_t csv_bom_length(const char *data, size_t len);
/* Reads a whole file into malloc'd memory (NUL-terminated too). 0 or -1 with err. */
int csv_slurp(const char *path, char **data, size_t *len, char *err, size_t errlen);

/* Writes a tiny RFC 4180 field (quoted when needed) to f. Shared by every CSV output. */
#include <stdio.h>
void csv_write_field(FILE *f, const char *s);

#endif
