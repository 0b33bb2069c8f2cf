/* amount.h -- money as int64 fen, parsed from and printed as 万元 decimals.
 *
 * Invariant: an amount is an int64 count of fen (分). 1 万元 = 10,000 元 = 1,000,000 fen,
 * so a 万元 figure with at most 6 decimals converts exactly; a 7th decimal would be a
 * fraction of a fen and is refused. No float or double ever holds an amount.
 */
#ifndef HUIZONG_AMOUNT_H
#define HUIZONG_AMOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FEN_PER_WANYUAN 1000000LL
/* Half a unit of the last printed decimal of a 2-decimal 万元 figure: 0.005 万元. */
#define AMOUNT_HALF_PRINTED_UNIT 5000LL
#define AMOUNT_BUF 32

/* Parse a 万元 decimal ("1773.19", "1,773.19", "-0.5", "0.000001", "22") into fen.
 * Leading/trailing blanks are ignored. Thousands separators are accepted only in
 * groups of three before the decimal point. Returns 0, or -1 with *reason set to a
 * static English sentence (never NULL on failure). */
int amount_parse(const char *text, size_t len, int64_t *fen, const char **reason);

/* The printed precision of a 万元 decimal that amount_parse accepted: the fen of one unit of
 * its last printed digit ("1773.19" -> 10000, "22" -> 1000000, "0.000001" -> 1). */
uint32_t amount_printed_unit(const char *text, size_t len);

/* Print fen as 万元 with at least 2 decimals and more only where needed to stay exact
 * ("1773.19", "-0.50", "0.000001"). Returns buf. */
char *amount_format(int64_t fen, char buf[AMOUNT_BUF]);

/* Overflow-checked addition: returns false (and leaves *sum) on overflow. */
bool amount_add(int64_t *sum, int64_t term);

/* Saturating a + b and a - b: the exact result, or INT64_MAX / INT64_MIN where it would not
 * fit. Every difference or sum of amounts a person reads (a flag's 差, a tree's net, a
 * reconciliation's 差额) goes through these, so a hostile or absurd figure prints as the
 * nearest representable amount instead of wrapping (signed overflow is undefined in C). */
int64_t amount_add_sat(int64_t a, int64_t b);
int64_t amount_sub_sat(int64_t a, int64_t b);

#endif
