/* spool.h -- the store-and-forward directory of a submission sender: the collector's
 * spool, and the upstream spool of an aggregator that forwards to a higher one
 * (aggregator/upstream.c, docs/federation.md). Moved here from collector/ so both link
 * one copy.
 *
 * Layout (docs/protocol.md): DIR/<name>.pb holds one packed Submission (exactly the bytes
 * sent on the wire); DIR/rejected/<name>.pb + <name>.reason hold submissions the
 * aggregator refused; DIR/.<name>.pb.<pid>.tmp are files being written. <name> is the
 * submission id when the collector spooled it.
 *
 * Invariants: a file appears under DIR/<name>.pb only complete and durable (written to a
 * dot-temporary, fsynced, renamed, directory fsynced); it leaves DIR only after an ACCEPTED ack
 * (unlinked) or a REJECTED ack (moved to rejected/ with its reason). A crash at any point
 * leaves the submission either pending or settled, never lost.
 */
#ifndef HUIZONG_SPOOL_H
#define HUIZONG_SPOOL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define SPOOL_NAME_MAX 200

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
/* Reads DIR/<name>.pb into a malloc'd buffer. */
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
