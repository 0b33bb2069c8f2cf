/* grid.h -- a printed sheet as a grid of text cells: what every input format hands to the
 * table recogniser (core/recognise.c).
 *
 * An .xlsx or .xls sheet, a CSV saved from one printed sheet, or one page of a PDF rebuilt
 * from word positions all become a grid_t; the recogniser never knows which. A cell holds
 * text only: a numeric cell of a workbook arrives as its shortest round-trip decimal string
 * ("2361.22", not 2361.2199999999998), so money never passes through a double after the
 * reader (which must do that conversion itself, see grid_number_text()).
 *
 * Invariants (checked by assert in grid.c):
 *   1. rows and columns are 0-based; row < GRID_ROWS_MAX, col < GRID_COLS_MAX;
 *   2. after grid_finish(), cells are sorted by (row, col) and no (row, col) appears twice
 *      (a later grid_set() of the same cell replaces the earlier text);
 *   3. a merge range has r0 <= r1, c0 <= c1; its text lives in its top-left cell only, as in
 *      the file; grid_get_merged() answers for any cell inside the range.
 * Storage is sparse: memory grows with the cells that hold text, not with the sheet's
 * declared dimension, so a sheet claiming 1,048,576 rows costs nothing until it fills them.
 */
#ifndef HUIZONG_GRID_H
#define HUIZONG_GRID_H

#include <stddef.h>
#include <stdint.h>

#define GRID_ROWS_MAX 1048576u    /* Excel's own limit; readers refuse beyond it */
#define GRID_COLS_MAX 16384u
#define GRID_CELLS_MAX 2000000u   /* a budget document is a few thousand cells */
#define GRID_TEXT_MAX 4096u       /* bytes of one cell's text */
#define GRID_DECIMALS_UNKNOWN 255

typedef enum {
    GRID_EMPTY = 0,
    GRID_TEXT,             /* a string cell, or anything printed as text */
    GRID_NUMBER,           /* a number: text is a plain decimal ("-12.5", "3311.22") */
    GRID_FORMULA_NO_VALUE, /* a formula whose cached value is absent: an error if read */
    GRID_DATE,             /* a date-formatted number: never an amount */
    GRID_ERROR             /* #DIV/0!, #REF! ...: text holds the error literal */
} grid_kind;

typedef struct {
    uint32_t row, col;
    uint8_t kind;          /* grid_kind */
    uint8_t decimals;      /* decimals the cell's number format shows, or GRID_DECIMALS_UNKNOWN */
    char *text;            /* UTF-8, never NULL; owned by the grid (its text blocks) */
} grid_cell_t;

typedef struct {
    uint32_t r0, c0, r1, c1;
} grid_merge_t;

struct grid_text_block;    /* grid.c: where the cells' texts live */

typedef struct {
    char *name;            /* sheet name ("表5") or page label ("第3页"); owned */
    grid_cell_t *cells;
    size_t count, cap;
    grid_merge_t *merges;
    size_t nmerges, capmerges;
    uint32_t rows, cols;   /* 1 + the largest row / col holding a cell */
    int sorted;
    struct grid_text_block *texts;   /* the cells' texts, a few blocks per grid */
} grid_t;

/* A new empty grid named name (copied). NULL on allocation failure. */
grid_t *grid_new(const char *name);
void grid_destroy(grid_t **self_p);

/* Sets cell (row, col) to a copy of text[0..len). Returns 0, or -1 with a reason in err when
 * row/col/len exceed the limits above or memory runs out. Empty text is not stored. */
int grid_set(grid_t *self, uint32_t row, uint32_t col, grid_kind kind, const char *text,
             size_t len, uint8_t decimals, char *err, size_t errlen);
/* Records a merged range (inclusive). Returns 0 or -1 with a reason. */
int grid_merge(grid_t *self, uint32_t r0, uint32_t c0, uint32_t r1, uint32_t c1, char *err,
               size_t errlen);
/* Sorts the cells; call once after the last grid_set() and before any grid_get(). */
void grid_finish(grid_t *self);

/* The cell at (row, col), or NULL if it holds nothing. Requires grid_finish(). */
const grid_cell_t *grid_get(const grid_t *self, uint32_t row, uint32_t col);
/* Like grid_get, but a cell inside a merged range answers with the range's top-left cell. */
const grid_cell_t *grid_get_merged(const grid_t *self, uint32_t row, uint32_t col);
/* The merge range containing (row, col), or NULL. */
const grid_merge_t *grid_merge_at(const grid_t *self, uint32_t row, uint32_t col);

/* The A1-style reference of a cell: (11, 3) -> "D12". buf must hold 16 bytes. Returns buf. */
char *grid_cell_ref(uint32_t row, uint32_t col, char buf[16]);

/* The shortest decimal text that reads back as the same double (what Excel shows with
 * "General"): 2361.22 -> "2361.22", 1e-7 -> "0.0000001", never an exponent. Readers of
 * binary/XML number cells use it so that amounts are parsed as decimals, never as doubles.
 * Returns 0, or -1 if v is not finite, |v| > 1e18 or 0 < |v| < 1e-30. buf: 64 bytes. */
int grid_number_text(double v, char buf[64]);
/* grid_number_text(strtod(plain)) for a plain decimal ("664.42999999999995", as a reader
 * wrote it from the file's digits), found first without the search: the digits rounded to
 * 15 significant ones are the answer when they read back as the same double (two decimals
 * of at most DBL_DIG digits never share one). Same result and return value. */
int grid_number_text_decimal(const char *plain, char buf[64]);

#endif
