/* printed_csv.c -- a CSV saved from one printed sheet (what Excel's "save as CSV" gives for
 * a budget table) into one grid: each record a row, each field a text cell. UTF-8 or
 * GB18030 (converted with iconv; CSV_ENCODING_AUTO takes GB18030 when the bytes are not
 * UTF-8). Records are read with csv_next_record (core/csv.h), the same RFC 4180 reader as
 * the v1 CSV. The digits printed after the point are kept as the cell's decimals.
 */
#include "import.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

/* GB18030 -> UTF-8 (malloc'd, NUL-terminated). 0 or -1 with err naming the byte. */
static int s_gb18030(const char *path, const char *d, size_t len, char **out, size_t *outlen,
                     char *err, size_t errlen)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1) return error_set(err, errlen, "%s：无法转换 GB18030（iconv）", path);
    size_t cap = len * 2 + 16;
    char *buf = malloc(cap);
    if (!buf) {
        iconv_close(cd);
        return error_set(err, errlen, "内存不足");
    }
    char *in = (char *)d, *o = buf;
    size_t inleft = len, oleft = cap - 1;
    size_t r = iconv(cd, &in, &inleft, &o, &oleft);
    iconv_close(cd);
    if (r == (size_t)-1) {
        free(buf);
        return error_set(err, errlen, "%s：第 %zu 字节不是有效的 GB18030", path, (size_t)(in - d) + 1);
    }
    *o = '\0';
    *out = buf;
    *outlen = (size_t)(o - buf);
    return 0;
}

static uint8_t s_decimals(const char *t)
{
    const char *dot = strrchr(t, '.');
    if (!dot) return GRID_DECIMALS_UNKNOWN;
    uint8_t n = 0;
    for (const char *p = dot + 1; *p >= '0' && *p <= '9' && n < 20; p++) n++;
    return n;
}

int printed_csv_read(const char *path, csv_encoding enc, grid_list_t *out, char *err, size_t errlen)
{
    char *data = NULL, *conv = NULL;
    size_t len = 0;
    if (csv_slurp(path, &data, &len, err, errlen) != 0) return -1;
    if (enc == CSV_ENCODING_AUTO)
        enc = submission_utf8_valid(data, len) ? CSV_ENCODING_UTF8 : CSV_ENCODING_GB18030;
    const char *text = data;
    if (enc == CSV_ENCODING_GB18030) {
        if (s_gb18030(path, data, len, &conv, &len, err, errlen) != 0) {
            free(data);
            return -1;
        }
        text = conv;
    } else if (!submission_utf8_valid(data, len)) {
        free(data);
        return error_set(err, errlen, "%s：不是有效的 UTF-8；如为中文 Excel 保存的 CSV，请用 --encoding gb18030", path);
    }
    const char *base = strrchr(path, '/');
    grid_t *g = grid_new(base ? base + 1 : path);
    int rc = g ? 0 : error_set(err, errlen, "内存不足");
    size_t pos = csv_bom_length(text, len);
    uint32_t line = 1, start = 0;
    csv_record_t rec;
    csv_record_init(&rec);
    size_t cells = 0;
    while (rc == 0) {
        const char *reason = NULL;
        int r = csv_next_record(text, len, &pos, &line, &rec, &start, &reason);
        if (r == 0) break;
        if (r < 0) {
            rc = error_set(err, errlen, "%s:%u：%s", path, start ? start : line, reason);
            break;
        }
        for (size_t f = 0; f < rec.nfields && rc == 0; f++) {
            const char *t = rec.fields[f];
            if (!t[0]) continue;
            if (++cells > IMPORT_CELLS_MAX) {
                rc = error_set(err, errlen, "%s：单元格超过 %u 个", path, IMPORT_CELLS_MAX);
                break;
            }
            char e[256];
            size_t tl = strlen(t);
            if (grid_set(g, start - 1, (uint32_t)f, GRID_TEXT, t, tl, s_decimals(t), e, sizeof e) != 0)
                rc = error_set(err, errlen, "%s:%u：%s", path, start, e);
        }
    }
    csv_record_free(&rec);
    free(data);
    free(conv);
    if (rc == 0) {
        grid_finish(g);
        if (out->count == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 8;
            grid_t **n = realloc(out->items, cap * sizeof *n);
            if (!n) rc = error_set(err, errlen, "内存不足");
            else { out->items = n; out->cap = cap; }
        }
        if (rc == 0) out->items[out->count++] = g;
    }
    if (rc != 0) grid_destroy(&g);
    return rc;
}
