/* pdf_extract.h -- poppler's side of the PDF feed, linked only into huizong-pdf-pages: opens
 * a PDF, hands every page's characters to pdf_layout.c and encodes the grids and narrative
 * in the pipe format (pdf_wire.h). Nothing else links poppler-glib or glib, so a collector
 * or `huizong` that never reads a PDF does not pay for loading them. */
#ifndef HUIZONG_PDF_EXTRACT_H
#define HUIZONG_PDF_EXTRACT_H

#include <stdint.h>

#include "pdf_layout.h"

/* Reads the PDF at path (at most pages_max pages) and appends the whole result -- grids and
 * narrative, or the status and the reason naming the file -- to out in the pipe format.
 * 0, or -1 when memory ran out while encoding (out is then incomplete). */
int pdf_extract_encode(const char *path, uint32_t pages_max, pdf_text_t *out);

#endif
