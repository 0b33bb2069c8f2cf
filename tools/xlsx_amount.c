/* xlsx_amount.c -- see xlsx_amount.h. */
#include "xlsx_amount.h"

#ifdef HAVE_XLSXWRITER
#include "amount.h"

/* Magnitude below which a fen count is an exact double. */
#define XLSX_EXACT_FEN ((int64_t)1 << 53)

void xlsx_write_amount(lxw_worksheet *ws, uint32_t row, uint16_t col, int64_t fen, lxw_format *f)
{
    if (fen > -XLSX_EXACT_FEN && fen < XLSX_EXACT_FEN) {
        worksheet_write_number(ws, row, col, (double)fen / (double)FEN_PER_WANYUAN, f);
    } else {
        char buf[AMOUNT_BUF];
        worksheet_write_string(ws, row, col, amount_format(fen, buf), f);
    }
}
#endif
