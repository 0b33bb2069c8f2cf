/* pdf_wire.h -- the pipe between the PDF reader and its helper program: what
 * huizong-pdf-pages (import/pdf/pdf_pages.c) writes on its stdout and pdf_read_grids()
 * (import/pdf/pdf.c) reads back. Both sides link this one encoder/decoder, so the format
 * cannot drift between them; the decoder trusts nothing (the helper parsed a hostile file).
 *
 * Format (all integers u32 little-endian; "bytes" = u32 length + that many bytes):
 *   "HZPG" u32 version(1) u32 status(0 ok, 1 error, 2 no text layer) bytes message
 *   u32 ngrids, per grid: bytes name, u32 ncells, per cell: u32 row, u32 col, u8 kind,
 *   u8 decimals, bytes text; u32 nmerges, per merge: u32 r0 c0 r1 c1
 *   bytes narrative, "END!"
 */
#ifndef HUIZONG_PDF_WIRE_H
#define HUIZONG_PDF_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "grid.h"
#include "pdf.h"
#include "pdf_layout.h"

#define PDF_STATUS_OK 0u
#define PDF_STATUS_ERROR 1u
#define PDF_STATUS_NO_TEXT 2u
#define PDF_MESSAGE_MAX 1024u    /* an error message from the helper */

/* Appends the result to out in the pipe format. 0, or -1 when memory runs out. */
int pdf_result_encode(uint32_t status, const char *message, grid_t *const *grids, size_t n,
                      const char *narrative, size_t narrative_len, pdf_text_t *out);
/* Validates and decodes buf[0..len) (limits l: grid count); the returns of pdf_read_grids(),
 * with "PDF 解析进程返回的数据无效" for anything malformed (bad magic, a length beyond the
 * buffer or a limit, invalid UTF-8, a cell outside the grid limits, trailing bytes). */
int pdf_result_decode(const unsigned char *buf, size_t len, const pdf_limits_t *l,
                      grid_t ***grids, size_t *n, char **narrative, char *err, size_t errlen);

#endif
