/* text.c -- the narrative text (说明) a submission carries: judged against its facts inside
 * the submission's write transaction, and stored with the version it became.
 *
 * DB_TEXTS key: entity(4) year(4) version(4) (the submission key). Value: format(1) = 1,
 * the summary as TEXT_SUMMARY_FIELDS u32 (claims, items, checked, exact, rounding,
 * mismatched, then one per narrative_unchecked reason), the text's name, NUL, the text's
 * bytes (UTF-8, at most SUBMISSION_TEXT_MAX). A version without a text has no record.
 *
 * Invariants:
 *  1. The text's findings are the submission's own (flag kind 0, replaced with each new
 *     version); a finding with no table figure (a percentage, a share) has TABLE_NONE and
 *     row "", and is told apart from the others by its source (the text's name), line and
 *     rule (store_flags orders them so).
 *  2. The previous year is the entity's current version of year - 1 as this write
 *     transaction sees it: a 2023 version applied earlier in the same batch counts.
 *  3. Reading or checking the text never rejects the submission: the text was validated
 *     (size, UTF-8) before it reached the store.
 */
#include "store_int.h"

#include <errno.h>
#include <stdlib.h>

#include "narrative.h"
#include "narrative_check.h"

#define TEXT_FORMAT 1
#define TEXT_SUMMARY_FIELDS (6 + NARR_UNCHECKED_COUNT)
#define TEXT_HEADER_LEN (1 + 4 * TEXT_SUMMARY_FIELDS)

static void summary_put(uint8_t *p, const narrative_summary_t *m)
{
    size_t f[TEXT_SUMMARY_FIELDS] = { m->claims, m->items, m->checked, m->exact, m->rounding, m->mismatched };
    for (int i = 0; i < NARR_UNCHECKED_COUNT; i++) f[6 + i] = m->unchecked[i];
    for (int i = 0; i < TEXT_SUMMARY_FIELDS; i++) be32_put(p + 4 * i, f[i] > UINT32_MAX ? UINT32_MAX : (uint32_t)f[i]);
}

static void summary_get(const uint8_t *p, narrative_summary_t *m)
{
    size_t *f[6] = { &m->claims, &m->items, &m->checked, &m->exact, &m->rounding, &m->mismatched };
    for (int i = 0; i < 6; i++) *f[i] = be32_get(p + 4 * i);
    for (int i = 0; i < NARR_UNCHECKED_COUNT; i++) m->unchecked[i] = be32_get(p + 4 * (6 + i));
}

static int text_put(store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year, uint32_t version,
                    const submission_t *sub, const narrative_summary_t *m)
{
    const char *name = sub->text_name ? sub->text_name : "";
    size_t nl = strnlen(name, SUBMISSION_TEXT_NAME_MAX);
    uint8_t key[EYVKEY_LEN];
    key_eyv(key, ent, year, version);
    MDB_val k = { EYVKEY_LEN, key }, v = { TEXT_HEADER_LEN + nl + 1 + sub->text_len, NULL };
    int rc = mdb_put(txn, s->dbi[DB_TEXTS], &k, &v, MDB_RESERVE);
    if (rc) return rc;
    uint8_t *p = v.mv_data;
    p[0] = TEXT_FORMAT;
    summary_put(p + 1, m);
    memcpy(p + TEXT_HEADER_LEN, name, nl);
    p[TEXT_HEADER_LEN + nl] = 0;
    memcpy(p + TEXT_HEADER_LEN + nl + 1, sub->text, sub->text_len);
    return 0;
}

int text_apply(store_t *s, MDB_txn *txn, uint32_t ent, const submission_t *sub, uint32_t version,
               const rule_settings_t *settings, findings_t *out, char *err, size_t errlen)
{
    if (!sub->text) return 0;
    char why[256] = "";
    narrative_summary_t m;
    memset(&m, 0, sizeof m);
    /* invalid UTF-8 cannot reach here (invariant 3); NULL is out of memory */
    narrative_t *n = narrative_extract(sub->text, sub->text_len, why, sizeof why);
    if (!n) return error_set(err, errlen, "text of %s %u: %s", sub->entity, sub->year, why);
    submission_t *prior = NULL;
    if (sub->year > 1900) {
        uint32_t pv = store_current(s, txn, ent, sub->year - 1);
        if (pv) prior = facts_load(s, txn, sub->entity, ent, sub->year - 1, pv);
    }
    int rc = narrative_check_rules(n, sub, prior, sub->text_name, settings, out, &m);
    submission_destroy(&prior);
    narrative_destroy(&n);
    if (rc < 0) return error_set(err, errlen, "text of %s %u: out of memory", sub->entity, sub->year);
    rc = text_put(s, txn, ent, sub->year, version, sub, &m);
    return rc ? store_mdb_fail(rc, err, errlen, "write text") : 0;
}

int store_text(store_t *self, const char *entity, uint32_t year, uint32_t version, store_text_t *out)
{
    memset(out, 0, sizeof *out);
    MDB_txn *txn;
    if (store_read_open(self, &txn)) return -1;     /* the command's snapshot when one is open */
    uint32_t id;
    int res = 1;
    if (intern_find(self, txn, KIND_ENTITY, entity, &id) == 0) {
        if (!version) version = store_current(self, txn, id, year);
        uint8_t key[EYVKEY_LEN];
        key_eyv(key, id, year, version);
        MDB_val k = { EYVKEY_LEN, key }, v;
        int rc = version ? mdb_get(txn, self->dbi[DB_TEXTS], &k, &v) : MDB_NOTFOUND;
        if (rc == 0) {
            const uint8_t *p = v.mv_data;
            const uint8_t *nul = v.mv_size > TEXT_HEADER_LEN
                ? memchr(p + TEXT_HEADER_LEN, 0, v.mv_size - TEXT_HEADER_LEN) : NULL;
            size_t nl = nul ? (size_t)(nul - p) - TEXT_HEADER_LEN : 0;
            if (!nul || p[0] != TEXT_FORMAT || nl > SUBMISSION_TEXT_NAME_MAX) {
                res = -1;            /* a record this version of the code did not write */
            } else {
                size_t tl = v.mv_size - TEXT_HEADER_LEN - nl - 1;
                out->text = malloc(tl + 1);
                if (!out->text) res = -1;
                else {
                    summary_get(p + 1, &out->summary);
                    memcpy(out->name, p + TEXT_HEADER_LEN, nl);
                    out->name[nl] = '\0';
                    memcpy(out->text, nul + 1, tl);
                    out->text[tl] = '\0';
                    out->len = tl;
                    res = 0;
                }
            }
        } else if (rc != MDB_NOTFOUND) {
            res = -1;
        }
    }
    store_read_close(self, txn);
    return res;
}

void store_text_clear(store_text_t *t)
{
    free(t->text);
    memset(t, 0, sizeof *t);
}
