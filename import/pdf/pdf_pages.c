/* pdf_pages.c -- huizong-pdf-pages, the PDF feed's helper program: reads one PDF with
 * poppler-glib and writes its grids and narrative on stdout in the pipe format (pdf_wire.h).
 *
 * pdf_read_grids() (import/pdf/pdf.c) starts it in a child with RLIMIT_AS, RLIMIT_CPU, no
 * core dumps and a wall-clock alarm already set, so a hostile file costs at most those
 * limits; keeping poppler in its own executable means the collector and `huizong` do not
 * load poppler, glib, cairo, nss... (51 shared libraries) at every start. It is not meant to
 * be run by hand except to debug the feed (HZ_PDF_DEBUG keeps poppler's stderr and prints
 * the layout's lines). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fd.h"
#include "pdf.h"
#include "pdf_extract.h"

#define PDF_PAGES_EXIT_USAGE 1
#define PDF_PAGES_EXIT_WRITE 3   /* the result could not be built or written */

static void s_usage(FILE *f) {
    fprintf(f, "usage: huizong-pdf-pages [--pages-max N] [--] FILE.pdf\n"
               "  Reads FILE.pdf's text layer with poppler and writes its pages' grids and\n"
               "  narrative on stdout in the PDF feed's binary pipe format (import/pdf/pdf_wire.h).\n"
               "  huizong-collector and huizong run it, with memory, CPU and time limits, for\n"
               "  every PDF they read; it is installed next to them and not meant to be run by hand.\n"
               "  --pages-max N  refuse a document of more than N pages (default %u)\n"
               "  exit 0: the result was written (an unreadable PDF is a result too); 1: usage;\n"
               "  3: out of memory or stdout not writable\n", PDF_PAGES_MAX);
}

int main(int argc, char **argv) {
    uint32_t pages_max = PDF_PAGES_MAX;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            s_usage(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--pages-max") && i + 1 < argc) {
            char *end = NULL;
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (!*argv[i] || *end || v == 0 || v > UINT32_MAX) {
                fprintf(stderr, "huizong-pdf-pages：--pages-max 的值无效：'%s'\n", argv[i]);
                return PDF_PAGES_EXIT_USAGE;
            }
            pages_max = (uint32_t)v;
        } else if (!strcmp(argv[i], "--") && i + 2 == argc && !path) {
            path = argv[++i];    /* a file name starting with '-' */
        } else if (argv[i][0] == '-' || path) {
            s_usage(stderr);
            return PDF_PAGES_EXIT_USAGE;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        s_usage(stderr);
        return PDF_PAGES_EXIT_USAGE;
    }
    if (!getenv("HZ_PDF_DEBUG")) {
        /* poppler reports every syntax error of a damaged file on stderr: not for users */
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) { dup2(devnull, STDERR_FILENO); close(devnull); }
    }
    pdf_text_t out = {0};
    int bad = pdf_extract_encode(path, pages_max, &out) < 0 ||
              fd_write_all(STDOUT_FILENO, out.data, out.len) < 0;
    pdf_text_free(&out);
    return bad ? PDF_PAGES_EXIT_WRITE : 0;
}
