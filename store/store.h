/* store.h -- the LMDB store: hierarchy, submissions (every version), the three figures of
 * every node (declared, computed, reported), and flags.
 *
 * Invariants (docs/store.md has the key layout and the rollup; docs/architecture.md the
 * consolidation model):
 *  - A submission is stored, rolled up and flagged in one write transaction; an ack is
 *    built only from a committed transaction (the caller sends it after store_apply_batch
 *    returns 0, which means the commit, with sync, succeeded).
 *  - For every node n and key k: computed(n,k) is a unit's own current fact, or for a
 *    higher node the sum of its children's reported(c,k); reported(n,k) = declared(n,k)
 *    where n declared k, else computed(n,k). Maintained by deltas along the ancestor
 *    path, never by recomputing the tree; `store_verify` recomputes from scratch to prove it.
 *  - A submission id is applied at most once; a repeated id gets the stored ack back.
 *  - Readers in other processes may open the same directory read-only at any time.
 */
#ifndef HUIZONG_STORE_H
#define HUIZONG_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "findings.h"
#include "hierarchy.h"
#include "narrative_check.h"
#include "rules.h"
#include "submission.h"
#include "wire.h"

typedef struct store_t store_t;

#define STORE_READONLY 1

store_t *store_open(const char *dir, int flags, char *err, size_t errlen);
/* store_open with a ceiling on the LMDB map (bytes; the aggregator's --map-size): the map
 * starts at map_max and never grows beyond it, so a full map is reported (MDB_MAP_FULL,
 * naming the size and --map-size) instead of grown. map_max 0 = store_open: start at
 * 64 MiB (HUIZONG_MAP_SIZE overrides) and double whenever full. */
store_t *store_open_sized(const char *dir, int flags, size_t map_max, char *err, size_t errlen);
/* The meaning of an LMDB or errno code for a person, naming dir: ENOSPC/EDQUOT (and EIO on
 * a file system with under 1 MiB free: LMDB's short write) → "磁盘已满 (disk full)";
 * MDB_MAP_FULL → the map size and how to raise it; EACCES/EROFS/ENOENT, corruption,
 * reader slots. map_max: the ceiling to name (0 = none). Returns buf. */
const char *store_strerror(int rc, const char *dir, size_t map_max, char *buf, size_t len);
/* Ends an open snapshot too. */
void store_destroy(store_t **self_p);

/* Hands back the memory of the write transactions so far (a writable handle; no
 * transaction of this handle open, in any thread, and no snapshot: then it does nothing).
 * LMDB keeps every page a write transaction dirtied in its malloc'd free list for the life
 * of the environment (me_dpages, freed only by mdb_env_close), so one 50 MB submission's
 * commit left ~67 MB in the heap for good; this closes and reopens the environment (same
 * map size, same databases), which frees them. The caches and everything committed are
 * untouched. Cheap (no sync), but not free: call it after a large write, not after every
 * one. 0, or -1 with err if the environment could not be reopened: the handle is then
 * unusable except for store_destroy. */
int store_release_pages(store_t *self, char *err, size_t errlen);

/* Read snapshots: between store_snapshot_begin and store_snapshot_end every query of this
 * handle (store_figures, store_versions, store_facts, store_flags, store_entities,
 * store_entity, store_ancestors, store_row_label, store_meta_get) reads the ONE committed
 * state that was current at begin, in one LMDB read transaction, however many commits the
 * aggregator makes meanwhile; so a command printing several figures prints figures that
 * add up with each other (tests/integration/snapshot_reads.sh). Without a snapshot each
 * query is its own read transaction. One snapshot per handle; a second begin while one is
 * open keeps the first. For a process's own reads only: never across a write
 * (store_apply_batch and store_write ignore it). begin: 0, or -1 if no read transaction
 * could be started. */
int store_snapshot_begin(store_t *self);
void store_snapshot_end(store_t *self);

/* Inserts or updates entities (code, name, level, parent). Returns 0 or -1 with err. */
int store_sync_hierarchy(store_t *self, const hierarchy_t *h, char *err, size_t errlen);
/* 0 and *out filled if the entity is registered, -1 if not. */
int store_entity(store_t *self, const char *code, entity_t *out);
/* The one walk up the hierarchy: the entity itself, then its parent, ..., up to its root,
 * as registered in the store, in one read transaction and never more than
 * HIERARCHY_DEPTH_MAX nodes. */
typedef struct {
    char code[HIERARCHY_DEPTH_MAX][ENTITY_CODE_MAX + 1];   /* [0] = the entity, last = root */
    size_t count;
    entity_level level;                                    /* the entity's ([0]) level */
} store_path_t;
/* Returns 0 with out filled, -1 if the entity is not registered (out->count = 0) or the
 * store cannot be read or holds a chain deeper than HIERARCHY_DEPTH_MAX (corrupt). */
int store_ancestors(store_t *self, const char *code, store_path_t *out);
/* The one wording of a submission refused for an entity the store does not know (the
 * aggregator's intake and the store's own check both use it): printf format, one %s. */
#define STORE_UNKNOWN_ENTITY "unknown entity '%s' (not in the aggregator's hierarchy)"
/* Every registered entity, parents before children (depth-first, children by code). */
int store_entities(store_t *self, hierarchy_t *out);

#define STORE_SENDER_MAX 63   /* a Z85 CURVE public key is 40 characters */

typedef struct {
    submission_t *submission;   /* in: structurally valid (submission_validate); a digest it
                                   carries was checked against its content
                                   (submission_digest_ok): the store binds the id to it */
    findings_t findings;        /* in: rules_check's findings (store copies) */
    ack_t ack;                  /* out: accepted / rejected / replayed, with all flags */
    /* in: the authenticated key that sent it ("" without CURVE). Its id is bound to this
     * key, its entity, year and content: a stored ack is replayed only to the same. */
    char sender[STORE_SENDER_MAX + 1];
    /* in: 0 = applied on its own; otherwise the parts of one file (group.h) are adjacent
     * items with the same nonzero group, applied all or none: if the store refuses one part,
     * every part is REJECTED (that one with its reason, the others naming it) and nothing
     * of the file is written. */
    size_t group;
} store_item_t;

/* The one wording of an id refused because it is bound to other content or another sender
 * (printf format, one %s: the id). Says nothing of what the id is bound to. */
#define STORE_ID_TAKEN "submission id '%s' is already bound to another submission (another " \
    "sender, entity, year or content); nothing of it is sent back: a new submission needs a new id"

/* Applies a batch in one write transaction: for each item, a replay of a known id, a
 * rejection (unknown entity, scope not allowed), or a new version with its rollup and
 * flags; the parts of a file (store_item_t.group) all or none. Returns 0 once committed (every item's ack is then final and may be sent), or -1
 * with err if nothing could be committed (no ack may be sent). */
int store_apply_batch(store_t *self, store_item_t *items, size_t n,
                      const rule_settings_t *settings, char *err, size_t errlen);

/* A node's figure for one key (core/rules.h figure_t: the one type the level rules read). */
typedef figure_t store_figure_t;

/* reported = declared where declared, else computed */
static inline int64_t store_figure_reported(const store_figure_t *f)
{
    return f->has_declared ? f->declared : f->computed;
}

/* Every figure of entity/year (table 0 = all), sorted by table, row, column. *out is
 * malloc'd. Returns 0, or -1 if the entity is unknown. */
int store_figures(store_t *self, const char *entity, uint32_t year, table_id table,
                  store_figure_t **out, size_t *n);

typedef struct {
    uint32_t version;
    char submission_id[SUBMISSION_ID_MAX + 1];
    uint64_t received_ms;
    uint32_t fact_count;
    char source[256];
    uint8_t digest[SUBMISSION_DIGEST_LEN];   /* its content digest (core/digest.h) */
    int has_digest;                          /* 0: stored before digests were kept */
} store_version_t;

/* Versions of entity/year, oldest first; *n = 0 if never submitted. */
int store_versions(store_t *self, const char *entity, uint32_t year, store_version_t **out, size_t *n);
/* The facts of one version (0 = current). NULL if none. */
submission_t *store_facts(store_t *self, const char *entity, uint32_t year, uint32_t version);
/* The narrative text stored with a version (text.c): the text as it travelled (UTF-8),
 * its file name, and the summary of its check against the version's facts (and the
 * previous year's, where the store held them). */
typedef struct {
    char name[SUBMISSION_TEXT_NAME_MAX + 1];
    char *text;                   /* malloc'd, NUL-terminated, len bytes */
    size_t len;
    narrative_summary_t summary;
} store_text_t;
/* The text of entity/year/version (0 = current). Returns 0 (out filled; free it with
 * store_text_clear), 1 if that version has no text or there is no such version, -1 on a
 * database error or a record that cannot be read. */
int store_text(store_t *self, const char *entity, uint32_t year, uint32_t version, store_text_t *out);
void store_text_clear(store_text_t *t);
/* Current flags for year (entity NULL = all), by entity, then rule, then key. */
int store_flags(store_t *self, uint32_t year, const char *entity, findings_t *out);
/* Label of a row code as first printed in any submission (NULL if never seen). The
 * returned string is valid until the next call. */
const char *store_row_label(store_t *self, table_id t, const char *row);

/* Named settings of the database (e.g. "rules": the catalogue and settings the aggregator
 * validates with). set: 0 or -1 with err; get: 0, or -1 if absent (out truncated to fit). */
int store_meta_set(store_t *self, const char *name, const char *value, char *err, size_t errlen);
int store_meta_get(store_t *self, const char *name, char *out, size_t outlen);

/* Review decisions (store/review.c), written only by the aggregator (the one writer) on a
 * Review message: one record per decision, never overwritten, so the history (submitted →
 * 退回 → resubmitted → 通过) stays readable. decision: approve | return | verify. */
typedef struct {
    uint32_t seq;              /* 1, 2, ... per entity/year, assigned by store_review_add */
    uint32_t version;          /* the version decided on (never 0 once stored) */
    uint64_t time_ms;
    char decision[16];
    char reviewer[65];
    char flag[256];            /* verify: RULE/TABLE/ROW/COLUMN */
    char reason[1024];
} store_review_t;

/* Appends r (seq assigned) in one synced write transaction. 0, or -1 with err. */
int store_review_add(store_t *self, const char *entity, uint32_t year, store_review_t *r,
                     char *err, size_t errlen);
/* Every decision on entity/year, oldest first; *out malloc'd (NULL, *n = 0 if none). 0 or -1. */
int store_reviews(store_t *self, const char *entity, uint32_t year, store_review_t **out, size_t *n);
/* The review state of version v from the decisions: "approved" / "returned" (the last
 * approve/return on v), else "pending"; *last set to that decision (NULL if pending). */
const char *store_review_state(const store_review_t *r, size_t n, uint32_t v, const store_review_t **last);

/* Recomputes every node's computed/reported figures from the stored current facts and
 * compares them with the maintained ones; prints each discrepancy to report. Returns the
 * number of discrepancies (0 = clean), or -1 on error. */
long store_verify(store_t *self, FILE *report);

/* One discrepancy store_verify_each finds: a node's figure whose maintained computed value
 * (stored) differs from the recomputed one, in amount or in contributors, or exists on
 * one side only (has_stored / has_recomputed false). */
typedef struct {
    char entity[ENTITY_CODE_MAX + 1];
    uint32_t year;
    table_id table;
    char row[SUBMISSION_ROW_MAX + 1];
    column_id column;
    bool has_stored, has_recomputed;
    int64_t stored, recomputed;                        /* fen */
    uint32_t stored_contributors, recomputed_contributors;
} store_discrepancy_t;
typedef void (*store_discrepancy_fn)(const store_discrepancy_t *d, void *ctx);
/* store_verify with each discrepancy handed to fn (may be NULL: count only), in key order
 * of the stored figures, then those only recomputed. Returns the count, or -1 on error. */
long store_verify_each(store_t *self, store_discrepancy_fn fn, void *ctx);

#endif
