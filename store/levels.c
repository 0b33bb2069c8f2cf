/* levels.c -- the level view of one node (rules.h level_view_t), built inside the write
 * transaction from the same figures the rollup maintains, and the persistence of the
 * level findings it produces.
 *
 * Invariants: a view shows, for each key, the node's declared figure (its current facts
 * when it is not a unit), its computed figure (a unit's own facts, or the stored / batch
 * figure with its contributor count) and every child's reported figure; every registered
 * child is listed with submitted = has a current version for the year.
 */
#include "store_int.h"
#include "sort.h"

#include <errno.h>
#include <stdlib.h>

int levels_reported(store_t *s, MDB_txn *txn, const store_entity_t *e, uint32_t year,
                    const uint8_t fkey[FKEY_LEN], computed_fn computed, void *ctx,
                    int *present, int64_t *fen)
{
    int rc = facts_get(s, txn, e->id, year, store_current(s, txn, e->id, year), fkey, present, fen);
    if (rc || *present || e->level == LEVEL_UNIT) return rc;
    uint8_t key[NODEKEY_LEN];
    uint32_t contrib;
    key_node(key, e->id, year, fkey);
    return computed(ctx, txn, s, key, present, fen, &contrib);
}

static int fkey_cmp(const void *a, const void *b)
{
    return memcmp(a, b, FKEY_LEN);
}

static int children_read(store_t *s, MDB_txn *txn, uint32_t ent, store_entity_t **out, size_t *n)
{
    uint8_t prefix[4];
    be32_put(prefix, ent);
    MDB_cursor *c;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc = mdb_cursor_open(txn, s->dbi[DB_CHILDREN], &c);
    if (rc) return rc;
    MDB_val k = { 4, prefix }, v;
    for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size != CHILDKEY_LEN || memcmp(k.mv_data, prefix, 4) != 0) break;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            store_entity_t *a = realloc(*out, cap * sizeof *a);
            if (!a) { rc = ENOMEM; break; }
            *out = a;
        }
        if ((rc = entity_read(s, txn, key_child_id(k.mv_data), &(*out)[*n], 0))) break;
        (*n)++;
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

void levels_scratch_free(levels_scratch_t *sc)
{
    free(sc->mem);
    free(sc->walk);
    *sc = (levels_scratch_t){ 0 };
}

/* Carves n bytes (aligned for any of levels_check's arrays) out of the scratch at *at. */
static void *s_carve(levels_scratch_t *sc, size_t *at, size_t n)
{
    void *p = (char *)sc->mem + *at;
    *at += (n + 15) & ~(size_t)15;
    return p;
}

int levels_check(store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year,
                 const uint8_t (*fkeys)[FKEY_LEN], size_t nkeys, computed_fn computed, void *ctx,
                 const rule_settings_t *settings, levels_scratch_t *scratch, findings_t *out,
                 char *err, size_t errlen)
{
    store_entity_t node, *kids = NULL;
    size_t nk = 0;
    int rc = entity_read(s, txn, ent, &node, 0);
    if (rc) return store_mdb_fail(rc, err, errlen, "read entity");
    if ((rc = children_read(s, txn, ent, &kids, &nk))) return store_mdb_fail(rc, err, errlen, "read children");

    level_view_t view = { .entity = node.e.code, .name = node.e.name, .level = node.level,
                          .year = year, .nchildren = nk, .nfigures = nkeys };
    uint32_t cur = store_current(s, txn, ent, year);
    view.declared_any = cur && node.level != LEVEL_UNIT;
    levels_scratch_t own = { 0 };
    levels_scratch_t *sc = scratch ? scratch : &own;
    fact_walk_t walk;
    fact_walk_init(&walk, s, txn);
    walk.e = sc->walk;                 /* the decoded entries' buffer, from the last view */
    walk.cap = sc->walk_cap;
    sc->walk = NULL;
    sc->walk_cap = 0;
    findings_t found;
    findings_init(&found);
    /* keys ascending, so each child's facts of one table are decoded once (fact_walk_t)
     * and its lookups stay in memory; child values are written before they are read
     * (f->nchildren counts them), so only the figures are zeroed */
    size_t nkk = nk ? nk : 1, nkeys1 = nkeys ? nkeys : 1;
    size_t need = 0, at = 0;
    const size_t sizes[] = { nkeys1 * FKEY_LEN, nkk * sizeof(uint32_t), nkk * sizeof(level_child_t),
                             nkeys1 * sizeof(level_figure_t), nkk * nkeys1 * sizeof(child_value_t) };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) need += (sizes[i] + 15) & ~(size_t)15;
    if (need > sc->cap) {
        void *m = malloc(need);
        if (!m) { rc = error_set(err, errlen, "out of memory"); goto done; }
        free(sc->mem);
        sc->mem = m;
        sc->cap = need;
    }
    uint8_t (*sorted)[FKEY_LEN] = s_carve(sc, &at, sizes[0]);
    uint32_t *kcur = s_carve(sc, &at, sizes[1]);
    level_child_t *lc = s_carve(sc, &at, sizes[2]);
    level_figure_t *figs = s_carve(sc, &at, sizes[3]);
    child_value_t *cv = s_carve(sc, &at, sizes[4]);
    memset(figs, 0, nkeys * sizeof *figs);
    memcpy(sorted, fkeys, nkeys * FKEY_LEN);
    if (!key_fkeys_ascending((const uint8_t (*)[FKEY_LEN])sorted, nkeys))
        sort_array(sorted, nkeys, FKEY_LEN, fkey_cmp);
    fkeys = (const uint8_t (*)[FKEY_LEN])sorted;
    for (size_t c = 0; c < nk; c++) {
        lc[c] = (level_child_t){ .code = kids[c].e.code, .name = kids[c].e.name, .level = kids[c].level };
        kcur[c] = store_current(s, txn, kids[c].id, year);
        lc[c].submitted = kcur[c] != 0;
    }
    view.children = lc;
    view.figures = figs;
    fact_walk_start(&walk, ent, year, cur);
    for (size_t i = 0; i < nkeys; i++) {
        level_figure_t *f = &figs[i];
        const uint8_t *fk = fkeys[i];
        fkey_t fd = key_fkey_decode(fk);
        f->fig.key.table = fd.table;
        f->fig.key.column = fd.column;
        if ((rc = intern_string(s, txn, KIND_ROW, fd.row, f->fig.key.row, sizeof f->fig.key.row)))
            goto mdb;
        int p = 0;
        int64_t v = 0;
        if ((rc = fact_walk_get(&walk, fk, &p, &v))) goto mdb;
        if (node.level == LEVEL_UNIT) {
            f->fig.has_computed = p;
            f->fig.computed = v;
        } else {
            f->fig.has_declared = p;
            f->fig.declared = v;
            uint8_t key[NODEKEY_LEN];
            key_node(key, ent, year, fk);
            if ((rc = computed(ctx, txn, s, key, &f->fig.has_computed, &f->fig.computed, &f->fig.contributors)))
                goto mdb;
        }
        f->children = &cv[i * nkk];
    }
    /* children outer, keys inner: one child's facts are read in key order, each of its
     * table values decoded once */
    for (size_t c = 0; c < nk; c++) {
        if (!kcur[c] && kids[c].level == LEVEL_UNIT) continue;     /* nothing reported */
        fact_walk_start(&walk, kids[c].id, year, kcur[c]);
        for (size_t i = 0; i < nkeys; i++) {
            const uint8_t *fk = fkeys[i];
            level_figure_t *f = &figs[i];
            int p = 0;
            int64_t v = 0;
            if ((rc = fact_walk_get(&walk, fk, &p, &v))) goto mdb;
            if (!p && kids[c].level != LEVEL_UNIT) {
                uint8_t key[NODEKEY_LEN];
                uint32_t contrib;
                key_node(key, kids[c].id, year, fk);
                if ((rc = computed(ctx, txn, s, key, &p, &v, &contrib))) goto mdb;
            }
            if (!p) continue;
            child_value_t *x = &f->children[f->nchildren++];
            x->code = kids[c].e.code;
            x->name = kids[c].e.name;
            x->has_reported = 1;
            x->reported = v;
        }
    }
    if (rules_check_level(&view, settings, &found) != 0) {
        rc = error_set(err, errlen, "level rules failed on '%s' %u", node.e.code, year);
        goto done;
    }
    for (size_t i = 0; i < found.count; i++) {
        snprintf(found.items[i].entity, sizeof found.items[i].entity, "%s", node.e.code);
        found.items[i].year = year;
    }
    if ((rc = flags_put_level(s, txn, ent, year, fkeys, nkeys, &found, err, errlen))) goto done;
    for (size_t i = 0; i < found.count; i++)
        if (!findings_push(out, &found.items[i])) { rc = error_set(err, errlen, "out of memory"); goto done; }
    goto done;
mdb:
    rc = store_mdb_fail(rc, err, errlen, "level view");
done:
    findings_clear(&found);
    sc->walk = walk.e;                 /* kept for the next view (freed with the scratch) */
    sc->walk_cap = walk.cap;
    if (sc == &own) levels_scratch_free(&own);
    free(kids);
    return rc;
}
