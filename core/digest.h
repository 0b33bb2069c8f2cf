/* digest.h -- the content digest of a submission: BLAKE2b-256 (libsodium
 * crypto_generichash) over its canonical form (docs/protocol.md, "The submission digest").
 *
 * What it is for: one value that says "these figures, for this entity, year and scope"
 * from the moment the collector read the file to the moment the aggregator stores it.
 * The collector computes it once when it reads the file, keeps it in the spool header and
 * in Submission.digest; the spool check, the aggregator's receipt check and the id binding
 * (an ack is replayed only for the same content) all compare against it.
 *
 * Canonical form, version 1 (every integer big-endian, every text field NUL-padded to a
 * fixed width; no field may contain a NUL byte, submission_validate guarantees it):
 *   "HZDIGEST1\n" (10)  entity (SUBMISSION_ENTITY_MAX + 1)  year (4)  scope (1)
 *   fact count (4), then for each fact in (table, row, column) order:
 *   table (1)  column (1)  row (SUBMISSION_ROW_MAX + 1)  fen (8, two's complement)
 * Not covered: the id (what the digest is bound to, not content), created_ms, the source
 * file name, the facts' printed names and source lines (labels and provenance: they move
 * no figure, and two reads of the same figures from differently laid-out files are the
 * same content). A changed label is therefore not detected by the digest.
 */
#ifndef HUIZONG_DIGEST_H
#define HUIZONG_DIGEST_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "submission.h"

#define DIGEST_HEX_LEN (SUBMISSION_DIGEST_LEN * 2)

/* The digest of s's canonical form into out. Sorts s's facts first (submission_sort), so
 * the order they were read in does not matter. */
void submission_digest(submission_t *s, uint8_t out[SUBMISSION_DIGEST_LEN]);
/* Computes the digest into s->digest and sets s->has_digest: what a sender does once,
 * when it reads the file (or builds the forward), before spooling. */
void submission_seal(submission_t *s);
/* Whether s carries a digest and it is the digest of its content. */
int submission_digest_ok(submission_t *s);
/* Feeds one fact to st as the canonical form has it: table (1), column (1), the row, fen
 * (8, big-endian two's complement). row_width > 0: the row NUL-padded to that width (the
 * canonical form); 0: the row and its NUL (the upstream's forward digest). */
void digest_update_fact(crypto_generichash_state *st, const fact_t *f, size_t row_width);
/* Lower-case hex of a digest into out (DIGEST_HEX_LEN + 1 bytes). */
void digest_hex(const uint8_t d[SUBMISSION_DIGEST_LEN], char out[DIGEST_HEX_LEN + 1]);
/* Whether all bytes are zero (the spool header's "no digest"). */
int digest_is_zero(const uint8_t d[SUBMISSION_DIGEST_LEN]);

#endif
