/* pages.c -- what `huizong-collector check` shows of a PDF: per page, the tables the
 * recogniser found there and the grid rebuilt from the word positions (import.h), so a user
 * sees why a figure was read as it was. Only reads the report; never changes it. */
#include "import.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tables.h"

/* The rows of a range "A5:H27" (0-based, inclusive). 0, or -1 when it is not one. */
static int s_range_rows(const char *range, uint32_t *r0, uint32_t *r1)
{
    const char *p = range;
    unsigned long a, b;
    char *end;
    while (*p >= 'A' && *p <= 'Z') p++;
    a = strtoul(p, &end, 10);
    if (end == p || *end != ':' || a == 0) return -1;
    p = end + 1;
    while (*p >= 'A' && *p <= 'Z') p++;
    b = strtoul(p, &end, 10);
    if (end == p || b < a) return -1;
    *r0 = (uint32_t)(a - 1);
    *r1 = (uint32_t)(b - 1);
    return 0;
}

static char *s_col_letters(uint32_t col, char buf[16])
{
    grid_cell_ref(0, col, buf);
    buf[strcspn(buf, "0123456789")] = '\0';
    return buf;
}

/* Whether table t of r stands on grid g and covers row. */
static int s_in_table(const recognised_table_t *t, const grid_t *g, uint32_t row)
{
    uint32_t r0, r1;
    return strcmp(t->grid, g->name) == 0 && s_range_rows(t->range, &r0, &r1) == 0 && row >= r0 &&
           row <= r1;
}

static int s_in_any_table(const recognise_report_t *r, const grid_t *g, uint32_t row)
{
    for (size_t i = 0; i < r->ntables; i++)
        if (s_in_table(&r->tables[i], g, row)) return 1;
    return 0;
}

/* One grid row as text: "  12 │ 208 │ 社会保障和就业支出 │ 1,773.19". *i walks the sorted cells. */
static void s_row_text(const grid_t *g, size_t *i, uint32_t row, FILE *out)
{
    fprintf(out, "    %4u", row + 1);
    uint32_t c = 0;
    for (; *i < g->count && g->cells[*i].row == row; (*i)++) {
        for (; c < g->cells[*i].col; c++) fputs(" │", out);
        fputs(" │ ", out);
        for (const char *t = g->cells[*i].text; *t; t++) fputc(*t == '\n' || *t == '\t' ? ' ' : *t, out);
        c++;
    }
    fputc('\n', out);
}

void import_print_pages_text(const recognise_report_t *r, FILE *out)
{
    for (size_t k = 0; k < r->ngrids; k++) {
        const grid_t *g = r->grids[k];
        fprintf(out, "  %s：", g->name);
        size_t found = 0;
        for (size_t i = 0; i < r->ntables; i++) {
            const recognised_table_t *t = &r->tables[i];
            if (strcmp(t->grid, g->name) != 0) continue;
            fprintf(out, "%s%s（%s）→ %s", found++ ? "；" : "", t->title[0] ? t->title : "续表",
                    t->range, table_name(t->table));
        }
        fprintf(out, "%s\n", found ? "" : "无识别的表");
        size_t i = 0;
        for (uint32_t row = 0; row < g->rows; row++) {
            while (i < g->count && g->cells[i].row < row) i++;
            if (i >= g->count || g->cells[i].row != row) continue;
            s_row_text(g, &i, row, out);
        }
    }
}

/* The rows of g from r0 to r1 that hold a cell, and (inside == 0) that no table covers. */
static void s_rows_json(const recognise_report_t *r, const grid_t *g, uint32_t r0, uint32_t r1,
                        int outside_only, FILE *out)
{
    fputc('[', out);
    size_t i = 0, nrows = 0;
    while (i < g->count) {
        uint32_t row = g->cells[i].row;
        size_t j = i;
        while (j < g->count && g->cells[j].row == row) j++;
        if (row >= r0 && row <= r1 && (!outside_only || !s_in_any_table(r, g, row))) {
            fprintf(out, "%s{\"row\":%u,\"cells\":[", nrows++ ? "," : "", row + 1);
            for (size_t c = i; c < j; c++) {
                char col[16];
                fprintf(out, "%s{\"col\":\"%s\",\"text\":", c > i ? "," : "",
                        s_col_letters(g->cells[c].col, col));
                json_write_string(out, g->cells[c].text);
                fputc('}', out);
            }
            fputs("]}", out);
        }
        i = j;
    }
    fputc(']', out);
}

void import_print_pages_json(const recognise_report_t *r, FILE *out)
{
    fputc('[', out);
    for (size_t k = 0; k < r->ngrids; k++) {
        const grid_t *g = r->grids[k];
        fprintf(out, "%s{\"page\":", k ? "," : "");
        json_write_string(out, g->name);
        fputs(",\"tables\":[", out);
        size_t found = 0;
        for (size_t i = 0; i < r->ntables; i++) {
            const recognised_table_t *t = &r->tables[i];
            uint32_t r0, r1;
            if (strcmp(t->grid, g->name) != 0 || s_range_rows(t->range, &r0, &r1) != 0) continue;
            fprintf(out, "%s{\"title\":", found++ ? "," : "");
            json_write_string(out, t->title);
            fputs(",\"table\":", out);
            json_write_string(out, table_name(t->table));
            fputs(",\"range\":", out);
            json_write_string(out, t->range);
            fputs(",\"rows\":", out);
            s_rows_json(r, g, r0, r1, 0, out);
            fputc('}', out);
        }
        fputs("],\"other_rows\":", out);
        s_rows_json(r, g, 0, UINT32_MAX, 1, out);
        fputc('}', out);
    }
    fputc(']', out);
}
