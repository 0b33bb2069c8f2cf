/* hz-pdfgrid -- prints the grids huizong rebuilds from a PDF's text layer, as TSV, for
 * debugging the PDF feed and for the unit test's expectations.
 *
 *   hz-pdfgrid [--narrative] [--merges] [--memory MiB] FILE.pdf
 *
 * Per grid: a line "## 第3页", then one line per grid row, cells separated by tabs (empty
 * cells empty; a tab or newline inside a cell printed as a space). --merges adds a line
 * "# merge A1:H1" per merged range; --narrative prints "## 说明文字" and the narrative;
 * --memory sets the child's address-space limit (0: none, e.g. under valgrind).
 * Exit 0, 2 for a PDF without a text layer, 1 for any other error (reason on stderr). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grid.h"
#include "pdf.h"

static void s_print(const char *t) {
    for (; *t; t++) putchar(*t == '\t' || *t == '\n' ? ' ' : *t);
}

int main(int argc, char **argv) {
    int narrative = 0, merges = 0;
    const char *path = NULL;
    pdf_limits_t limits;
    pdf_limits_default(&limits);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--narrative")) narrative = 1;
        else if (!strcmp(argv[i], "--merges")) merges = 1;
        else if (!strcmp(argv[i], "--memory") && i + 1 < argc)
            limits.memory_bytes = strtoull(argv[++i], NULL, 10) << 20;
        else path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: hz-pdfgrid [--narrative] [--merges] FILE.pdf\n");
        return 1;
    }
    grid_t **grids = NULL;
    size_t n = 0;
    char *narr = NULL;
    char err[1024] = "";
    int rc = pdf_read_grids(path, &limits, &grids, &n, &narr, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "hz-pdfgrid: %s\n", err);
        return rc == PDF_ERR_NO_TEXT ? 2 : 1;
    }
    for (size_t g = 0; g < n; g++) {
        const grid_t *gr = grids[g];
        printf("## %s\n", gr->name);
        if (merges)
            for (size_t m = 0; m < gr->nmerges; m++) {
                char a[16], b[16];
                printf("# merge %s:%s\n", grid_cell_ref(gr->merges[m].r0, gr->merges[m].c0, a),
                       grid_cell_ref(gr->merges[m].r1, gr->merges[m].c1, b));
            }
        size_t i = 0;
        for (uint32_t r = 0; r < gr->rows; r++) {
            uint32_t c = 0;
            for (; i < gr->count && gr->cells[i].row == r; i++) {
                for (; c < gr->cells[i].col; c++) putchar('\t');
                s_print(gr->cells[i].text);
            }
            putchar('\n');
        }
    }
    if (narrative) printf("## 说明文字\n%s", narr);
    pdf_grids_free(&grids, &n);
    free(narr);
    return 0;
}
