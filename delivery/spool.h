/* spool.h -- the store-and-forward directory of a submission sender: the collector's
 * spool, and the upstream spool of an aggregator that forwards to a higher one
 * (aggregator/upstream.c, docs/federation.md). Moved here from collector/ so both link
 * one copy.
 *
 * Layout (docs/protocol.md): DIR/<name>.pb holds one spool header (below) followed by one
 * packed Submission (exactly the bytes sent on the wire); DIR/rejected/<name>.pb + <name>.reason hold submissions the
 * aggregator refused; DIR/.<name>.pb.<pid>.tmp are files being written. <name> is the
 * submission id when the collector spooled it.
 *
 * Invariants: a file appears under DIR/<name>.pb only complete and durable (written to a
 * dot-temporary, fsynced, renamed, directory fsynced -- for a batch, once after the last
 * file and before any of them is sent); it leaves DIR only after an ACCEPTED ack
 * (unlinked) or a REJECTED ack (moved to rejected/ with its reason). A crash at any point
 * leaves the submission either pending or settled, never lost.
 */
#ifndef HUIZONG_SPOOL_H
#define HUIZONG_SPOOL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "group.h"
#include "submission.h"

#define SPOOL_NAME_MAX 200

/* The spool header, version 1: what delivery needs without decoding the submission.
 * Written big-endian at fixed offsets, SPOOL_HEADER_LEN bytes:
 *    0  magic "HZSPOOL\n" (8)      8  version (2)          10  header length (2)
 *   12  created_ms (8)            20  year (4)             24  fact count (4)
 *   28  digest (32: the submission's content digest, core/digest.h; all zero = none)
 *   60  id, NUL-padded (SUBMISSION_ID_MAX + 1)    125  entity, NUL-padded (+ 1)
 * A reader accepts a longer header of the same version (the length says where the
 * submission starts), so fields can be added at the end. A file without the magic is a
 * spool file of an earlier release (the bare submission): it is read by decoding it. */
#define SPOOL_MAGIC "HZSPOOL\n"
#define SPOOL_MAGIC_LEN 8
#define SPOOL_VERSION 1
#define SPOOL_DIGEST_LEN 32
#define SPOOL_HEADER_LEN (28 + SPOOL_DIGEST_LEN + SUBMISSION_ID_MAX + 1 + SUBMISSION_ENTITY_MAX + 1)

typedef struct {
    char id[SUBMISSION_ID_MAX + 1];
    char entity[SUBMISSION_ENTITY_MAX + 1];
    uint32_t year;
    uint32_t facts;
    uint64_t created_ms;
    uint8_t digest[SPOOL_DIGEST_LEN];   /* all zero until the digest is computed */
} spool_header_t;

/* The header of a validated submission (its digest when it carries one, else zero). */
void spool_header_of(spool_header_t *h, const submission_t *s);

typedef struct {
    char dir[PATH_MAX];
} spool_t;

typedef struct {
    char name[SPOOL_NAME_MAX + 1];   /* file name without .pb */
    int64_t mtime_ns;
} spool_entry_t;

/* $HUIZONG_SPOOL, else ./.huizong-spool */
const char *spool_default_dir(void);

/* Creates DIR and DIR/rejected as needed. Returns 0 or -1 with err. */
int spool_open(spool_t *sp, const char *dir, char *err, size_t errlen);
/* Durably writes DIR/<name>.pb. name must be a safe file name ([A-Za-z0-9._-], no
 * leading dot). Returns 0 or -1 with err. */
int spool_put(spool_t *sp, const char *name, const uint8_t *buf, size_t len, char *err, size_t errlen);
/* Durably writes DIR/<name>.pb: the header h, then the packed submission payload. name as
 * for spool_put. Returns 0 or -1 with err. */
int spool_put_submission(spool_t *sp, const char *name, const spool_header_t *h,
                         const uint8_t *payload, size_t len, char *err, size_t errlen);
/* spool_put_submission without the directory's fsync, for a batch of files of which none
 * is handed to a sender before spool_sync_names(sp): each file is complete and fsynced
 * when its name appears, and the names are durable after that one directory fsync (one
 * for the batch instead of one per file). Returns 0 or -1 with err. */
int spool_put_submission_batch(spool_t *sp, const char *name, const spool_header_t *h,
                               const uint8_t *payload, size_t len, char *err, size_t errlen);
/* fsyncs DIR: every name spool_put_submission_batch put there is durable. 0 or -1 with err. */
int spool_sync_names(spool_t *sp, char *err, size_t errlen);
/* Reads DIR/<name>.pb written by spool_put_submission: *h from the header (checked: magic,
 * version, lengths, a safe id and an entity), *payload (malloc'd) the packed submission.
 * When the header holds a digest, the submission is decoded and checked against it (its
 * content hashes to it, it carries it, its id/entity/year are the header's): a file
 * changed on disk -- a flipped bit, a truncation -- is refused. Returns 0; -1 if the file
 * cannot be read (err: vanished or I/O); -2 if it is damaged or not a spool file (err
 * says why; *h keeps the entity, year and fact count when the header itself read, else
 * h->entity is ""): the caller settles it as rejected. */
int spool_read_submission(spool_t *sp, const char *name, spool_header_t *h, uint8_t **payload,
                          size_t *len, char *err, size_t errlen);
/* spool_read_submission, and *parts (when not NULL): the file of several parts as the
 * digest check decoded it, when the file is one and its header holds a digest (else
 * NULL), so a caller that needs the parts does not decode the file a second time. The
 * caller destroys it (group_destroy). */
int spool_read_parts(spool_t *sp, const char *name, spool_header_t *h, uint8_t **payload,
                     size_t *len, submission_group_t **parts, char *err, size_t errlen);
/* Where the packed submission starts in the bytes of a spool file: after a version-1
 * header, else 0 (a file of an earlier release, or a bare protobuf). For tools that
 * send a spool file as it is (huizong-collector probe, the test kit). */
size_t spool_payload_offset(const uint8_t *data, size_t n);
/* Reads DIR/<name>.pb whole into a malloc'd buffer. */
int spool_read(spool_t *sp, const char *name, uint8_t **buf, size_t *len, char *err, size_t errlen);
/* Removes a settled (accepted) submission; a file already gone is not an error. */
int spool_remove(spool_t *sp, const char *name, char *err, size_t errlen);
/* Moves DIR/<name>.pb to DIR/rejected/ and writes the reason next to it. */
int spool_reject(spool_t *sp, const char *name, const char *reason, char *err, size_t errlen);
/* Pending entries, oldest first (modification time, then name). *out is malloc'd. */
int spool_list(spool_t *sp, spool_entry_t **out, size_t *n, char *err, size_t errlen);
/* Whether name is safe to use as a spool file name. */
int spool_name_ok(const char *name);

/* Durable file helpers shared with the watch command: write a whole file through a
 * dot-temporary next to it + fsync + rename + directory fsync; fsync a directory. */
int spool_write_file(const char *path, const void *buf, size_t len, char *err, size_t errlen);
int spool_sync_dir(const char *dir);

#endif
