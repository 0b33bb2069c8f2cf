/* csv.h -- reading v1 submission CSV files (FORMAT.md) into submissions.
 *
 * All or nothing: any error rejects the whole file, and the message names the file, the
 * line, the field and the reason ("dongxihu.csv:12: column 'amount': more than 6 decimals").
 * Accepts a UTF-8 BOM, CRLF line ends, quoted fields ("1,773.19"), an English or Chinese
 * header (entity,year,table,row,name,column,amount / 单位代码,年度,表,行,名称,列,金额), and
 * GB18030/GBK input when asked (or detected with CSV_ENCODING_AUTO): converted with iconv.
 */
#ifndef HUIZONG_CSV_H
#define HUIZONG_CSV_H

#include <stddef.h>

#include "submission.h"

typedef enum { CSV_ENCODING_UTF8 = 0, CSV_ENCODING_GB18030 = 1, CSV_ENCODING_AUTO = 2 } csv_encoding;

csv_encoding csv_encoding_from_name(const char *name);  /* "utf-8", "gb18030", "gbk", "auto"; -1 if unknown */

/* Reads one file and appends its submissions (one per entity/year) to list; facts carry
 * their source line, and each new submission gets the file name as source and a fresh id.
 * Returns 0, or -1 with the message in err; on error list is unchanged. */
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
