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

/* Writes a tiny RFC 4180 field (quoted when needed) to f. Shared by every CSV output. */
#include <stdio.h>
void csv_write_field(FILE *f, const char *s);

#endif
