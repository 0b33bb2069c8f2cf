/* xls.c -- .xls (BIFF8) workbooks into grids with libfreexl.
 *
 * freexl gives each cell as an int, a double, a string or a date. A double becomes its
 * shortest round-trip decimal text (grid_number_text), so the recogniser parses amounts as
 * decimals; dates stay dates (never amounts). freexl reads no merge ranges: headers of an
 * .xls are identified from the text in each header cell (group headings cover the empty
 * cells to their right that have sub-headings, see recognise.c).
 */
#include "import.h"

#include <freexl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "errors.h"

int xls_read(const char *path, grid_list_t *out, char *err, size_t errlen)
{
    const void *h = NULL;
    int rc = freexl_open(path, &h);
    if (rc != FREEXL_OK) return error_set(err, errlen, "%s：不是可读的 .xls 工作簿（freexl 错误 %d）", path, rc);
    unsigned int nsheets = 0;
    if (freexl_get_info(h, FREEXL_BIFF_SHEET_COUNT, &nsheets) != FREEXL_OK || nsheets > IMPORT_SHEETS_MAX) {
        freexl_close(h);
        return error_set(err, errlen, "%s：工作表数目无法读取或超过 %u", path, IMPORT_SHEETS_MAX);
    }
    size_t first = out->count, cells = 0;
    int result = 0;
    for (unsigned short s = 0; s < nsheets && result == 0; s++) {
        const char *name = NULL;
        if (freexl_get_worksheet_name(h, s, &name) != FREEXL_OK || freexl_select_active_worksheet(h, s) != FREEXL_OK) {
            result = error_set(err, errlen, "%s：第 %u 张工作表无法读取", path, s + 1);
            break;
        }
        unsigned int rows = 0;
        unsigned short cols = 0;
        if (freexl_worksheet_dimensions(h, &rows, &cols) != FREEXL_OK) {
            result = error_set(err, errlen, "%s：工作表 %s 的大小无法读取", path, name ? name : "?");
            break;
        }
        if (rows > GRID_ROWS_MAX) {
            result = error_set(err, errlen, "%s：工作表 %s 有 %u 行，超出上限", path, name ? name : "?", rows);
            break;
        }
        grid_t *g = grid_new(name ? name : "");
        if (!g) { result = error_set(err, errlen, "内存不足"); break; }
        if (out->count == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 8;
            grid_t **n = realloc(out->items, cap * sizeof *n);
            if (!n) { grid_destroy(&g); result = error_set(err, errlen, "内存不足"); break; }
            out->items = n;
            out->cap = cap;
        }
        out->items[out->count++] = g;
        for (unsigned int r = 0; r < rows && result == 0; r++)
            for (unsigned short c = 0; c < cols && result == 0; c++) {
                FreeXL_CellValue v;
                if (freexl_get_cell_value(h, r, c, &v) != FREEXL_OK) continue;
                char buf[64], e[256];
                const char *text = NULL;
                grid_kind kind = GRID_TEXT;
                switch (v.type) {
                case FREEXL_CELL_INT:
                    snprintf(buf, sizeof buf, "%d", v.value.int_value);
                    text = buf;
                    kind = GRID_NUMBER;
                    break;
                case FREEXL_CELL_DOUBLE:
                    if (grid_number_text(v.value.double_value, buf) != 0) {
                        char ref[16];
                        result = error_set(err, errlen, "%s %s!%s：数值超出范围", path, g->name, grid_cell_ref(r, c, ref));
                        continue;
                    }
                    text = buf;
                    kind = GRID_NUMBER;
                    break;
                case FREEXL_CELL_TEXT:
                case FREEXL_CELL_SST_TEXT:
                    text = v.value.text_value;
                    break;
                case FREEXL_CELL_DATE:
                case FREEXL_CELL_DATETIME:
                case FREEXL_CELL_TIME:
                    text = v.value.text_value;
                    kind = GRID_DATE;
                    break;
                default:
                    continue;
                }
                if (!text || !text[0]) continue;
                if (++cells > IMPORT_CELLS_MAX) {
                    result = error_set(err, errlen, "%s：单元格超过 %u 个", path, IMPORT_CELLS_MAX);
                    break;
                }
                size_t len = import_utf8_cut(text, strlen(text), GRID_TEXT_MAX);
                if (grid_set(g, r, c, kind, text, len, GRID_DECIMALS_UNKNOWN, e, sizeof e) != 0)
                    result = error_set(err, errlen, "%s：%s", path, e);
            }
        grid_finish(g);
    }
    freexl_close(h);
    if (result != 0) {
        for (size_t i = first; i < out->count; i++) grid_destroy(&out->items[i]);
        out->count = first;
    }
    return result;
}
