/* xlsx_amount.h -- the one place an amount becomes a double: an xlsx NUMBER cell in 万元.
 *
 * libxlsxwriter only takes a double. Below 2^53 fen in magnitude (double)fen is exact and
 * fen / 1e6 is the double nearest the exact 万元 decimal, which the collector reads back as
 * its shortest round-trip text (core/grid.h grid_number_text) and parses as a decimal: the
 * same fen. A larger figure is written as its exact text instead. Used by `huizong export`
 * and `huizong template` (and so `gen --format xlsx`). */
#ifndef HUIZONG_XLSX_AMOUNT_H
#define HUIZONG_XLSX_AMOUNT_H

#ifdef HAVE_XLSXWRITER
#include <stdint.h>
#include <xlsxwriter.h>

/* Writes fen at (row, col) of ws in 万元 with format f (a number, or its exact text). */
void xlsx_write_amount(lxw_worksheet *ws, uint32_t row, uint16_t col, int64_t fen, lxw_format *f);
#endif

#endif
