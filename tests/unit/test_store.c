/* test_store.c -- the LMDB store: key order, rollup by deltas through declarations,
 * versions, replay, rejections, batches = one-by-one, map growth, read-only readers in
 * another process, and store_verify. Every test uses a fresh LMDB env in a mkdtemp dir. */
#include <check.h>
#include "testkit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "amount.h"
#include "csv.h"
#include "store.h"
#include "store_int.h"

static char dirs[8][64];
static int ndirs;

static const char *tmpdir(void)
{
    ck_assert_int_lt(ndirs, 8);
    char *d = dirs[ndirs++];
    testkit_tmpdir(d, sizeof dirs[0], "store");
    return d;
}

static void cleanup(void)
{
    for (int i = 0; i < ndirs; i++) {
        if (testkit_rmtree(dirs[i]) != 0) fprintf(stderr, "cannot remove %s\n", dirs[i]);
    }
    ndirs = 0;
}

/*   P (province) - C (city) - D (department) - U1, U2 (units)
 *                           - E (department) - U3 (unit) */
static void add_entity(hierarchy_t *h, const char *code, entity_level l, const char *parent)
{
    if (h->count == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 16;
        h->items = realloc(h->items, h->cap * sizeof *h->items);
    }
    entity_t *e = &h->items[h->count++];
    memset(e, 0, sizeof *e);
    snprintf(e->code, sizeof e->code, "%s", code);
    snprintf(e->name, sizeof e->name, "name of %s", code);
    e->level = l;
    snprintf(e->parent, sizeof e->parent, "%s", parent);
}

static store_t *open_tree(const char *dir)
{
    char err[256] = "";
    store_t *s = store_open(dir, 0, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    hierarchy_t h = { 0 };
    add_entity(&h, "U1", LEVEL_UNIT, "D");       /* before its parent: sync must cope */
    add_entity(&h, "P", LEVEL_PROVINCE, "");
    add_entity(&h, "C", LEVEL_CITY, "P");
    add_entity(&h, "D", LEVEL_DEPARTMENT, "C");
    add_entity(&h, "U2", LEVEL_UNIT, "D");
    add_entity(&h, "E", LEVEL_DEPARTMENT, "C");
    add_entity(&h, "U3", LEVEL_UNIT, "E");
    ck_assert_msg(store_sync_hierarchy(s, &h, err, sizeof err) == 0, "%s", err);
    hierarchy_free(&h);
    return s;
}

/* A submission from "table/row/column=fen;..." */
static submission_t *mk(const char *entity, const char *id, scope_t scope, const char *spec)
{
    submission_t *s = submission_new(entity, 2024);
    snprintf(s->id, sizeof s->id, "%s", id);
    s->scope = scope;
    char *copy = strdup(spec), *save = NULL;
    for (char *tok = strtok_r(copy, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        char t[32], r[64], c[32];
        long long fen;
        ck_assert_int_eq(sscanf(tok, "%31[^/]/%63[^/]/%31[^=]=%lld", t, r, c, &fen), 4);
        ck_assert_int_eq(submission_add(s, table_from_name(t), r, column_from_name(c), fen, "标签", 1), 0);
    }
    free(copy);
    char err[256];
    ck_assert_msg(submission_validate(s, err, sizeof err) == 0, "%s", err);
    return s;
}

/* Applies one submission alone; returns its status; *version set. Frees sub. */
static ack_status apply1(store_t *st, submission_t *sub, ack_t *out)
{
    store_item_t it = { .submission = sub };
    findings_init(&it.findings);
    char err[256] = "";
    ck_assert_msg(store_apply_batch(st, &it, 1, NULL, err, sizeof err) == 0, "%s", err);
    ack_status status = it.ack.status;
    if (out) *out = it.ack;
    else ack_clear(&it.ack);
    submission_destroy(&sub);
    return status;
}

/* The figure of entity for t/row/col; returns 0 if absent. */
static int fig(store_t *st, const char *entity, const char *key, store_figure_t *out)
{
    char t[32], r[64], c[32];
    ck_assert_int_eq(sscanf(key, "%31[^/]/%63[^/]/%31s", t, r, c), 3);
    store_figure_t *f = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_figures(st, entity, 2024, TABLE_NONE, &f, &n), 0);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (f[i].key.table == table_from_name(t) && strcmp(f[i].key.row, r) == 0 &&
            f[i].key.column == column_from_name(c)) {
            *out = f[i];
            found = 1;
        }
    free(f);
    return found;
}

static int64_t computed(store_t *st, const char *entity, const char *key)
{
    store_figure_t f;
    if (!fig(st, entity, key, &f) || !f.has_computed) return INT64_MIN;
    return f.computed;
}

static int64_t reported(store_t *st, const char *entity, const char *key)
{
    store_figure_t f;
    if (!fig(st, entity, key, &f) || !(f.has_computed || f.has_declared)) return INT64_MIN;
    return store_figure_reported(&f);
}

#define K "expense/total/total"
#define K2 "expense/total/basic"

START_TEST(test_key_order)
{
    /* memcmp order of encoded keys must equal numeric order of (entity, year, version, fkey) */
    uint32_t vals[] = { 0, 1, 255, 256, 1999, 2000, 2024, 65535, 65536, 16777216, 4294967295u };
    size_t nv = sizeof vals / sizeof *vals;
    for (size_t a = 0; a < nv; a++)
        for (size_t b = 0; b < nv; b++) {
            uint8_t ka[TABLEKEY_LEN], kb[TABLEKEY_LEN];
            /* year differs */
            key_table(ka, 3, vals[a], 9, TABLE_EXPENSE);
            key_table(kb, 3, vals[b], 9, TABLE_EXPENSE);
            int c = memcmp(ka, kb, TABLEKEY_LEN);
            ck_assert_int_eq(c < 0, vals[a] < vals[b]);
            ck_assert_int_eq(c == 0, vals[a] == vals[b]);
            /* entity dominates year */
            key_table(ka, vals[a], 9999, 1, TABLE_EXPENSE);
            key_table(kb, vals[b], 0, 1, TABLE_EXPENSE);
            if (vals[a] != vals[b]) ck_assert_int_eq(memcmp(ka, kb, TABLEKEY_LEN) < 0, vals[a] < vals[b]);
            /* version inside one entity/year, then the table */
            key_table(ka, 1, 2024, vals[a], TABLE_PROJECTS);
            key_table(kb, 1, 2024, vals[b], TABLE_SUMMARY);
            ck_assert_int_eq(memcmp(ka, kb, TABLEKEY_LEN) < 0, vals[a] < vals[b]);
            uint8_t fa[FKEY_LEN], fb[FKEY_LEN], na[NODEKEY_LEN], nb[NODEKEY_LEN];
            key_fkey(fa, TABLE_SUMMARY, vals[a], COL_AMOUNT);
            key_fkey(fb, TABLE_SUMMARY, vals[b], COL_AMOUNT);
            key_node(na, 5, 2024, fa);
            key_node(nb, 5, 2024, fb);
            ck_assert_int_eq(memcmp(na, nb, NODEKEY_LEN) < 0, vals[a] < vals[b]);
            /* table dominates row */
            key_fkey(fa, TABLE_SUMMARY, vals[a], COL_AMOUNT);
            key_fkey(fb, TABLE_INCOME, vals[b], COL_AMOUNT);
            ck_assert_int_lt(memcmp(fa, fb, FKEY_LEN), 0);
        }
    /* a node-wide flag (row id 0) sorts before every keyed flag of the node */
    uint8_t f0[FKEY_LEN], f1[FKEY_LEN], ka[FLAGKEY_LEN], kb[FLAGKEY_LEN];
    key_fkey(f0, TABLE_PROJECTS, 0, COL_TOTAL);
    key_fkey(f1, TABLE_SUMMARY, 1, COL_AMOUNT);
    key_flag(ka, 1, 2024, FLAG_LEVEL, f0, 99);
    key_flag(kb, 1, 2024, FLAG_LEVEL, f1, 0);
    ck_assert_int_lt(memcmp(ka, kb, FLAGKEY_LEN), 0);
}
END_TEST

START_TEST(test_unit_reaches_ancestors)
{
    store_t *s = open_tree(tmpdir());
    ck_assert_int_eq(apply1(s, mk("U1", "a1", SCOPE_DEFAULT, K "=1000000;" K2 "=250000"), NULL), ACK_ACCEPTED);
    const char *path[] = { "D", "C", "P" };
    for (int i = 0; i < 3; i++) {
        store_figure_t f;
        ck_assert(fig(s, path[i], K, &f));
        ck_assert(f.has_computed && !f.has_declared);
        ck_assert_int_eq(f.computed, 1000000);
        ck_assert_int_eq(f.contributors, 1);
        ck_assert_int_eq(computed(s, path[i], K2), 250000);
    }
    ck_assert_int_eq(computed(s, "U1", K), 1000000);
    ck_assert_int_eq(computed(s, "E", K), INT64_MIN);
    ck_assert_int_eq(apply1(s, mk("U3", "a2", SCOPE_OWN, K "=7"), NULL), ACK_ACCEPTED);
    store_figure_t f;
    ck_assert(fig(s, "C", K, &f));
    ck_assert_int_eq(f.computed, 1000007);
    ck_assert_int_eq(f.contributors, 2);   /* D and E */
    ck_assert_int_eq(computed(s, "D", K), 1000000);
    ck_assert_int_eq(store_verify(s, stderr), 0);
    store_destroy(&s);
    cleanup();
}
END_TEST

/* Every decoder reads back what its encoder wrote (store/keys.c). */
START_TEST(test_key_codecs)
{
    uint8_t fk[FKEY_LEN], node[NODEKEY_LEN], fact[TABLEKEY_LEN], flag[FLAGKEY_LEN], back[FKEY_LEN];
    uint8_t child[CHILDKEY_LEN], label[LABELKEY_LEN];
    key_fkey(fk, TABLE_GPB_FUNC, 0x01020304u, COL_BASIC);
    fkey_t d = key_fkey_decode(fk);
    ck_assert_int_eq(d.table, TABLE_GPB_FUNC);
    ck_assert_uint_eq(d.row, 0x01020304u);
    ck_assert_int_eq(d.column, COL_BASIC);
    key_node(node, 7, 2024, fk);
    ck_assert_uint_eq(key_entity(node), 7);
    ck_assert_uint_eq(key_year(node), 2024);
    ck_assert_mem_eq(key_node_fkey(node), fk, FKEY_LEN);
    key_table(fact, 9, 2023, 5, TABLE_GPB_FUNC);
    ck_assert_uint_eq(key_entity(fact), 9);
    ck_assert_uint_eq(key_year(fact), 2023);
    ck_assert_uint_eq(key_version(fact), 5);
    ck_assert_int_eq(key_table_id(fact), TABLE_GPB_FUNC);
    key_flag(flag, 3, 2024, FLAG_LEVEL, fk, 11);
    key_flag_fkey(flag, back);
    ck_assert_mem_eq(back, fk, FKEY_LEN);
    ck_assert_uint_eq(key_flag_row(flag), 0x01020304u);
    ck_assert_uint_eq(key_year(flag), 2024);
    key_child(child, 4, 8);
    ck_assert_uint_eq(key_entity(child), 4);
    ck_assert_uint_eq(key_child_id(child), 8);
    key_label(label, d.table, d.row);
    ck_assert_mem_eq(label, fk, LABELKEY_LEN);   /* a label key is its figure key's head */
}
END_TEST

/* The one hierarchy walk: entity first, root last; unknown entities are refused. */
START_TEST(test_ancestors)
{
    store_t *s = open_tree(tmpdir());
    store_path_t path;
    ck_assert_int_eq(store_ancestors(s, "U3", &path), 0);
    ck_assert_uint_eq(path.count, 4);
    const char *want[] = { "U3", "E", "C", "P" };
    for (int i = 0; i < 4; i++) ck_assert_str_eq(path.code[i], want[i]);
    ck_assert_int_eq(store_ancestors(s, "P", &path), 0);
    ck_assert_uint_eq(path.count, 1);
    ck_assert_int_eq(store_ancestors(s, "nobody", &path), -1);
    ck_assert_uint_eq(path.count, 0);
    store_destroy(&s);
    cleanup();
}
END_TEST

START_TEST(test_declaration_absorbs)
{
    store_t *s = open_tree(tmpdir());
    ck_assert_int_eq(apply1(s, mk("U1", "b1", SCOPE_DEFAULT, K "=100;" K2 "=10"), NULL), ACK_ACCEPTED);
    ck_assert_int_eq(apply1(s, mk("U2", "b2", SCOPE_DEFAULT, K "=50"), NULL), ACK_ACCEPTED);
    ck_assert_int_eq(apply1(s, mk("D", "b3", SCOPE_DECLARED, K "=160"), NULL), ACK_ACCEPTED);
    store_figure_t f;
    ck_assert(fig(s, "D", K, &f));
    ck_assert(f.has_declared);
    ck_assert_int_eq(f.declared, 160);
    ck_assert_int_eq(f.computed, 150);
    ck_assert_int_eq(f.contributors, 2);
    ck_assert_int_eq(computed(s, "C", K), 160);          /* the parent sees the declaration */
    ck_assert_int_eq(computed(s, "P", K), 160);
    ck_assert_int_eq(computed(s, "C", K2), 10);          /* undeclared key passes through */

    /* a unit's resubmission: +7 moves D's computed, stops at D's declaration */
    ck_assert_int_eq(apply1(s, mk("U1", "b4", SCOPE_DEFAULT, K "=107;" K2 "=13"), NULL), ACK_ACCEPTED);
    ck_assert(fig(s, "D", K, &f));
    ck_assert_int_eq(f.computed, 157);
    ck_assert_int_eq(store_figure_reported(&f), 160);
    ck_assert_int_eq(computed(s, "C", K), 160);
    ck_assert_int_eq(computed(s, "P", K), 160);
    ck_assert_int_eq(computed(s, "D", K2), 13);           /* every ancestor moved by +3 */
    ck_assert_int_eq(computed(s, "C", K2), 13);
    ck_assert_int_eq(computed(s, "P", K2), 13);

    /* D withdraws its declaration of K: reported falls back to computed, and C follows */
    ck_assert_int_eq(apply1(s, mk("D", "b5", SCOPE_CONSOLIDATED, K2 "=20"), NULL), ACK_ACCEPTED);
    ck_assert_int_eq(reported(s, "D", K), 157);
    ck_assert_int_eq(computed(s, "C", K), 157);
    ck_assert_int_eq(reported(s, "D", K2), 20);
    ck_assert_int_eq(computed(s, "D", K2), 13);
    ck_assert_int_eq(computed(s, "P", K2), 20);
    /* a city declaration absorbs too */
    ck_assert_int_eq(apply1(s, mk("C", "b6", SCOPE_DEFAULT, K "=1"), NULL), ACK_ACCEPTED);
    ck_assert_int_eq(computed(s, "P", K), 1);
    ck_assert_int_eq(computed(s, "C", K), 157);
    ck_assert_int_eq(store_verify(s, stderr), 0);
    store_destroy(&s);
    cleanup();
}
END_TEST

START_TEST(test_resubmission_removes_key_and_versions)
{
    store_t *s = open_tree(tmpdir());
    ck_assert_int_eq(apply1(s, mk("U1", "c1", SCOPE_DEFAULT, K "=100;" K2 "=20"), NULL), ACK_ACCEPTED);
    ck_assert_int_eq(apply1(s, mk("U2", "c2", SCOPE_DEFAULT, K "=1"), NULL), ACK_ACCEPTED);
    ack_t ack;
    ck_assert_int_eq(apply1(s, mk("U1", "c3", SCOPE_DEFAULT, K "=105"), &ack), ACK_ACCEPTED);
    ck_assert_int_eq(ack.version, 2);
    ck_assert_int_eq(ack.fact_count, 1);
    ack_clear(&ack);
    ck_assert_int_eq(computed(s, "D", K), 106);
    ck_assert_int_eq(computed(s, "P", K), 106);
    store_figure_t f;
    ck_assert(!fig(s, "D", K2, &f));            /* absent, not 0.00 */
    ck_assert(!fig(s, "P", K2, &f));
    /* a zero amount is present and counts as a contributor */
    ck_assert_int_eq(apply1(s, mk("U2", "c4", SCOPE_DEFAULT, K "=1;" K2 "=0"), NULL), ACK_ACCEPTED);
    ck_assert(fig(s, "C", K2, &f));
    ck_assert_int_eq(f.computed, 0);
    ck_assert_int_eq(f.contributors, 1);

    submission_t *v1 = store_facts(s, "U1", 2024, 1);
    ck_assert_ptr_nonnull(v1);
    ck_assert_int_eq(v1->count, 2);
    const fact_t *x = submission_find(v1, TABLE_EXPENSE, "total", COL_BASIC);
    ck_assert_ptr_nonnull(x);
    ck_assert_int_eq(x->fen, 20);
    ck_assert_str_eq(x->name, "标签");
    ck_assert_str_eq(v1->id, "c1");
    submission_destroy(&v1);
    submission_t *cur = store_facts(s, "U1", 2024, 0);
    ck_assert_int_eq(cur->count, 1);
    ck_assert_int_eq(cur->facts[0].fen, 105);
    submission_destroy(&cur);
    ck_assert_ptr_null(store_facts(s, "U3", 2024, 0));
    store_version_t *vs;
    size_t nv;
    ck_assert_int_eq(store_versions(s, "U1", 2024, &vs, &nv), 0);
    ck_assert_int_eq(nv, 2);
    ck_assert_int_eq(vs[0].version, 1);
    ck_assert_str_eq(vs[1].submission_id, "c3");
    ck_assert_int_eq(vs[1].fact_count, 1);
    ck_assert_uint_gt(vs[1].received_ms, 0);
    free(vs);
    ck_assert_str_eq(store_row_label(s, TABLE_EXPENSE, "total"), "标签");
    ck_assert_ptr_null(store_row_label(s, TABLE_SUMMARY, "total"));
    ck_assert_int_eq(store_verify(s, stderr), 0);
    store_destroy(&s);
    cleanup();
}
END_TEST

static void db_counts(store_t *s, size_t out[DB_COUNT])
{
    MDB_txn *txn;
    ck_assert_int_eq(mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn), 0);
    for (int i = 0; i < DB_COUNT; i++) {
        MDB_stat st;
        ck_assert_int_eq(mdb_stat(txn, s->dbi[i], &st), 0);
        out[i] = st.ms_entries;
    }
    mdb_txn_abort(txn);
}

START_TEST(test_replay_and_rejections)
{
    store_t *s = open_tree(tmpdir());
    finding_t f = { .rule = "sum.test", .severity = SEV_ERROR, .verdict = VERDICT_MISMATCH,
                    .entity = "U1", .year = 2024, .table = TABLE_EXPENSE, .row = "total",
                    .column = COL_TOTAL, .expected = 1, .actual = 2, .terms = 2 };
    store_item_t it = { .submission = mk("U1", "same", SCOPE_DEFAULT, K "=100") };
    findings_init(&it.findings);
    findings_push(&it.findings, &f);
    char err[256];
    ck_assert_int_eq(store_apply_batch(s, &it, 1, NULL, err, sizeof err), 0);
    ck_assert_int_eq(it.ack.status, ACK_ACCEPTED);
    ck_assert_int_eq(it.ack.replayed, 0);
    ck_assert_uint_ge(it.ack.flags.count, 1);           /* + level findings of the ancestors */
    ck_assert_str_eq(it.ack.flags.items[0].rule, "sum.test");
    ack_t first = it.ack;

    /* the same id again, alone and twice in one batch: applied once */
    store_item_t two[2] = { { .submission = mk("U1", "same", SCOPE_DEFAULT, K "=100") },
                            { .submission = mk("U1", "same", SCOPE_DEFAULT, K "=100") } };
    findings_init(&two[0].findings);
    findings_init(&two[1].findings);
    ck_assert_int_eq(store_apply_batch(s, two, 2, NULL, err, sizeof err), 0);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(two[i].ack.status, ACK_ACCEPTED);
        ck_assert_int_eq(two[i].ack.replayed, 1);
        ck_assert_int_eq(two[i].ack.version, first.version);
        ck_assert_int_eq(two[i].ack.fact_count, 1);
        ck_assert_str_eq(two[i].ack.submission_id, "same");
        ck_assert_int_eq(two[i].ack.flags.count, first.flags.count);
        ck_assert_str_eq(two[i].ack.flags.items[0].rule, "sum.test");
        ack_clear(&two[i].ack);
        submission_destroy(&two[i].submission);
    }
    ck_assert_int_eq(computed(s, "D", K), 100);
    /* the same id for other content, another entity, or from another sender: refused, and
     * nothing of the stored ack comes back (issue 10, finding 1) */
    struct { const char *entity, *facts, *sender; } other[] = {
        { "U1", K "=999", "" }, { "U2", K "=100", "" }, { "U1", K "=100", "someone-else" } };
    for (size_t i = 0; i < sizeof other / sizeof *other; i++) {
        store_item_t o = { .submission = mk(other[i].entity, "same", SCOPE_DEFAULT, other[i].facts) };
        snprintf(o.sender, sizeof o.sender, "%s", other[i].sender);
        findings_init(&o.findings);
        ck_assert_int_eq(store_apply_batch(s, &o, 1, NULL, err, sizeof err), 0);
        ck_assert_int_eq(o.ack.status, ACK_REJECTED);
        ck_assert_int_eq(o.ack.replayed, 0);
        ck_assert_int_eq(o.ack.version, 0);
        ck_assert_int_eq(o.ack.flags.count, 0);
        ck_assert_ptr_nonnull(strstr(o.ack.reason, "already bound to another submission"));
        ack_clear(&o.ack);
        submission_destroy(&o.submission);
    }
    ck_assert_int_eq(computed(s, "D", K), 100);
    store_version_t *vs;
    size_t nv;
    ck_assert_int_eq(store_versions(s, "U1", 2024, &vs, &nv), 0);
    ck_assert_int_eq(nv, 1);
    free(vs);
    findings_t fl;
    ck_assert_int_eq(store_flags(s, 2024, "U1", &fl), 0);
    ck_assert_int_eq(fl.count, 1);
    ck_assert_int_eq(fl.items[0].actual, 2);
    findings_clear(&fl);
    ack_clear(&first);
    findings_clear(&it.findings);
    submission_destroy(&it.submission);

    /* a new id, new batch with a fresh id inside the same batch twice: second is a replay */
    store_item_t dup[2] = { { .submission = mk("U2", "n1", SCOPE_DEFAULT, K "=5") },
                            { .submission = mk("U2", "n1", SCOPE_DEFAULT, K "=5") } };
    findings_init(&dup[0].findings);
    findings_init(&dup[1].findings);
    ck_assert_int_eq(store_apply_batch(s, dup, 2, NULL, err, sizeof err), 0);
    ck_assert_int_eq(dup[0].ack.replayed, 0);
    ck_assert_int_eq(dup[1].ack.replayed, 1);
    ck_assert_int_eq(dup[1].ack.version, 1);
    ck_assert_int_eq(computed(s, "D", K), 105);
    for (int i = 0; i < 2; i++) { ack_clear(&dup[i].ack); submission_destroy(&dup[i].submission); }

    /* rejections leave nothing behind, even next to an accepted item */
    size_t before[DB_COUNT], after[DB_COUNT];
    db_counts(s, before);
    ack_t a;
    ck_assert_int_eq(apply1(s, mk("NOPE", "r1", SCOPE_DEFAULT, K "=1"), &a), ACK_REJECTED);
    ck_assert_str_eq(a.reason, "unknown entity 'NOPE' (not in the aggregator's hierarchy)");
    ack_clear(&a);
    ck_assert_int_eq(apply1(s, mk("U3", "r2", SCOPE_DECLARED, K "=1"), &a), ACK_REJECTED);
    ck_assert_ptr_nonnull(strstr(a.reason, "unit"));
    ack_clear(&a);
    ck_assert_int_eq(apply1(s, mk("E", "r3", SCOPE_OWN, K "=1"), &a), ACK_REJECTED);
    ck_assert_ptr_nonnull(strstr(a.reason, "department"));
    ack_clear(&a);
    db_counts(s, after);
    for (int i = 0; i < DB_COUNT; i++) ck_assert_uint_eq(before[i], after[i]);
    /* overflow: rejected, and the accepted item next to it is intact */
    store_item_t mix[2] = { { .submission = mk("U3", "o1", SCOPE_DEFAULT, K "=9223372036854775000") },
                            { .submission = mk("E", "o2", SCOPE_DEFAULT, K2 "=4") } };
    findings_init(&mix[0].findings);
    findings_init(&mix[1].findings);
    ck_assert_int_eq(store_apply_batch(s, mix, 2, NULL, err, sizeof err), 0);
    ck_assert_int_eq(mix[0].ack.status, ACK_ACCEPTED);
    ck_assert_int_eq(mix[1].ack.status, ACK_ACCEPTED);
    for (int i = 0; i < 2; i++) { ack_clear(&mix[i].ack); submission_destroy(&mix[i].submission); }
    ack_t o;
    ck_assert_int_eq(apply1(s, mk("U1", "o3", SCOPE_DEFAULT, K "=9223372036854775000"), &o), ACK_REJECTED);
    ck_assert_ptr_nonnull(strstr(o.reason, "overflow"));
    ack_clear(&o);
    ck_assert_int_eq(computed(s, "D", K), 105);
    ck_assert_int_eq(computed(s, "C", K2), 4);
    submission_t *u1 = store_facts(s, "U1", 2024, 0);
    ck_assert_int_eq(u1->facts[0].fen, 100);
    submission_destroy(&u1);

    /* A file applied whole (store_item_t.group): its second part overflows after the first
     * was applied in the transaction, or its first part is refused before the second: every
     * part REJECTED, nothing of the file stored, the item beside it applied. */
    const char *lead[2] = { "U2", "NOPE" }, *why[2] = { "overflow", "unknown entity" };
    for (int c = 0; c < 2; c++) {
        db_counts(s, before);
        char id1[16], id2[16];
        snprintf(id1, sizeof id1, "g%da", c);
        snprintf(id2, sizeof id2, "g%db", c);
        store_item_t file[3] = {
            { .submission = mk(lead[c], id1, SCOPE_DEFAULT, K "=7"), .group = 1 },
            { .submission = mk("U1", id2, SCOPE_DEFAULT, c == 0 ? K "=9223372036854775000" : K "=1"), .group = 1 },
            { .submission = mk("E", c == 0 ? "beside0" : "beside1", SCOPE_DEFAULT, K2 "=4") } };
        for (int i = 0; i < 3; i++) findings_init(&file[i].findings);
        ck_assert_int_eq(store_apply_batch(s, file, 3, NULL, err, sizeof err), 0);
        ck_assert_int_eq(file[0].ack.status, ACK_REJECTED);
        ck_assert_int_eq(file[1].ack.status, ACK_REJECTED);
        ck_assert_int_eq(file[2].ack.status, ACK_ACCEPTED);
        const store_item_t *bad = &file[c == 0 ? 1 : 0], *other = &file[c == 0 ? 0 : 1];
        ck_assert_msg(strstr(bad->ack.reason, why[c]) != NULL, "%s", bad->ack.reason);
        ck_assert_msg(strstr(other->ack.reason, "not stored: its file is applied whole") != NULL, "%s",
                      other->ack.reason);
        ck_assert_int_eq(other->ack.version, 0);
        ck_assert_int_eq(other->ack.flags.count, 0);
        for (int i = 0; i < 3; i++) { ack_clear(&file[i].ack); submission_destroy(&file[i].submission); }
        ck_assert_int_eq(computed(s, "D", K), 105);
        u1 = store_facts(s, "U1", 2024, 0);
        ck_assert_int_eq(u1->facts[0].fen, 100);
        submission_destroy(&u1);
        submission_t *u2 = store_facts(s, "U2", 2024, 0);
        ck_assert_int_eq(u2->facts[0].fen, 5);
        submission_destroy(&u2);
        db_counts(s, after);
        /* only E's new version (submissions, facts, subids, flags...) was added: U1 and U2
         * kept one version each */
        store_version_t *vv;
        size_t nvv;
        ck_assert_int_eq(store_versions(s, "U1", 2024, &vv, &nvv), 0);
        ck_assert_uint_eq(nvv, 1);
        free(vv);
        ck_assert_int_eq(store_versions(s, "U2", 2024, &vv, &nvv), 0);
        ck_assert_uint_eq(nvv, 1);
        free(vv);
        ck_assert_uint_eq(after[DB_SUBIDS], before[DB_SUBIDS] + 1);
    }
    ck_assert_int_eq(store_verify(s, stderr), 0);
    /* an overflow first in its batch (undone by emptying the overlay) and after an accepted
     * item (undone from its log): the other item's figures stand either way */
    for (int order = 0; order < 2; order++) {
        char oid[2][8];
        snprintf(oid[0], sizeof oid[0], "ov%d", order);
        snprintf(oid[1], sizeof oid[1], "ok%d", order);
        store_item_t two[2] = { { .submission = mk("U1", oid[0], SCOPE_DEFAULT, K "=9223372036854775000") },
                                { .submission = mk("U2", oid[1], SCOPE_DEFAULT, order ? K "=5" : K "=6") } };
        if (order) { store_item_t t = two[0]; two[0] = two[1]; two[1] = t; }
        findings_init(&two[0].findings);
        findings_init(&two[1].findings);
        ck_assert_int_eq(store_apply_batch(s, two, 2, NULL, err, sizeof err), 0);
        ck_assert_int_eq(two[order].ack.status, ACK_REJECTED);
        ck_assert_int_eq(two[1 - order].ack.status, ACK_ACCEPTED);
        ck_assert_int_eq(computed(s, "D", K), order ? 105 : 106);
        for (int i = 0; i < 2; i++) { ack_clear(&two[i].ack); submission_destroy(&two[i].submission); }
    }
    ck_assert_int_eq(store_verify(s, stderr), 0);
    store_destroy(&s);
    cleanup();
}
END_TEST


/* Count of stored flags of entity for rule (and, if key != NULL, that key). */
static size_t flag_count(store_t *s, const char *entity, const char *rule, const char *key)
{
    findings_t fl;
    ck_assert_int_eq(store_flags(s, 2024, entity, &fl), 0);
    size_t n = 0;
    for (size_t i = 0; i < fl.count; i++) {
        const finding_t *f = &fl.items[i];
        ck_assert_str_eq(f->entity, entity);
        if (strcmp(f->rule, rule) != 0) continue;
        if (key) {
            char t[32], r[64], c[32];
            ck_assert_int_eq(sscanf(key, "%31[^/]/%63[^/]/%31s", t, r, c), 3);
            if (f->table != table_from_name(t) || strcmp(f->row, r) || f->column != column_from_name(c)) continue;
        }
        n++;
    }
    findings_clear(&fl);
    return n;
}

START_TEST(test_level_flags_follow_fixes)
{
    store_t *s = open_tree(tmpdir());
    ck_assert_int_eq(apply1(s, mk("U1", "f1", SCOPE_DEFAULT, K "=1000000"), NULL), ACK_ACCEPTED);
    ck_assert_uint_eq(flag_count(s, "D", "level.missing_subordinates", NULL), 1);   /* U2 */
    ck_assert_int_eq(apply1(s, mk("D", "f2", SCOPE_DECLARED, K "=2000000"), NULL), ACK_ACCEPTED);
    ack_t ack;
    ck_assert_int_eq(apply1(s, mk("U2", "f3", SCOPE_DEFAULT, K "=500000"), &ack), ACK_ACCEPTED);
    ck_assert_uint_eq(flag_count(s, "D", "level.missing_subordinates", NULL), 0);
    ck_assert_uint_eq(flag_count(s, "D", "level.declared_vs_computed", K), 1);    /* 2.00 vs 1.50 */
    int in_ack = 0;
    for (size_t i = 0; i < ack.flags.count; i++)
        in_ack |= strcmp(ack.flags.items[i].rule, "level.declared_vs_computed") == 0 &&
                  strcmp(ack.flags.items[i].entity, "D") == 0;
    ck_assert(in_ack);                      /* the ack carries the ancestors' new flags */
    ack_clear(&ack);
    /* the fix: U2 resubmits 1.00 -> computed 2.00 = declared: the flag is gone */
    ck_assert_int_eq(apply1(s, mk("U2", "f4", SCOPE_DEFAULT, K "=1000000"), NULL), ACK_ACCEPTED);
    ck_assert_uint_eq(flag_count(s, "D", "level.declared_vs_computed", K), 0);
    /* submission findings are replaced by the next version's */
    finding_t f = { .rule = "sum.test", .severity = SEV_ERROR, .verdict = VERDICT_MISMATCH,
                    .entity = "U1", .year = 2024, .table = TABLE_EXPENSE, .row = "total",
                    .column = COL_TOTAL };
    store_item_t it = { .submission = mk("U1", "f5", SCOPE_DEFAULT, K "=1000000") };
    findings_init(&it.findings);
    findings_push(&it.findings, &f);
    char err[256];
    ck_assert_int_eq(store_apply_batch(s, &it, 1, NULL, err, sizeof err), 0);
    ck_assert_uint_eq(flag_count(s, "U1", "sum.test", K), 1);
    ack_clear(&it.ack);
    findings_clear(&it.findings);
    submission_destroy(&it.submission);
    ck_assert_int_eq(apply1(s, mk("U1", "f6", SCOPE_DEFAULT, K "=1000000"), NULL), ACK_ACCEPTED);
    ck_assert_uint_eq(flag_count(s, "U1", "sum.test", NULL), 0);
    ck_assert_int_eq(store_verify(s, stderr), 0);
    store_destroy(&s);
    cleanup();
}
END_TEST

/* A mixed workload, applied as one batch or one by one. */
static const struct { const char *entity, *id; scope_t scope; const char *spec; } WORK[] = {
    { "U1", "w1", SCOPE_DEFAULT, K "=100;" K2 "=10;income/total/upper=5" },
    { "D", "w2", SCOPE_DECLARED, K "=300" },
    { "U2", "w3", SCOPE_DEFAULT, K "=50;" K2 "=7" },
    { "U1", "w4", SCOPE_DEFAULT, K "=120;income/total/upper=6" },
    { "U3", "w5", SCOPE_DEFAULT, K "=1;" K2 "=1" },
    { "D", "w6", SCOPE_DECLARED, K2 "=40" },
    { "NOPE", "w7", SCOPE_DEFAULT, K "=1" },
    { "E", "w8", SCOPE_DECLARED, K "=2" },
    { "U2", "w9", SCOPE_DEFAULT, K "=55" },
    { "U3", "w5", SCOPE_DEFAULT, K "=999" },
};
#define NWORK (sizeof WORK / sizeof *WORK)

static void figures_equal(store_t *a, store_t *b, const char *entity)
{
    store_figure_t *fa, *fb;
    size_t na, nb;
    ck_assert_int_eq(store_figures(a, entity, 2024, TABLE_NONE, &fa, &na), 0);
    ck_assert_int_eq(store_figures(b, entity, 2024, TABLE_NONE, &fb, &nb), 0);
    ck_assert_uint_eq(na, nb);
    for (size_t i = 0; i < na; i++) {
        ck_assert_int_eq(fa[i].key.table, fb[i].key.table);
        ck_assert_str_eq(fa[i].key.row, fb[i].key.row);
        ck_assert_int_eq(fa[i].has_declared, fb[i].has_declared);
        ck_assert_int_eq(fa[i].declared, fb[i].declared);
        ck_assert_int_eq(fa[i].has_computed, fb[i].has_computed);
        ck_assert_int_eq(fa[i].computed, fb[i].computed);
        ck_assert_int_eq(fa[i].contributors, fb[i].contributors);
    }
    free(fa);
    free(fb);
}

START_TEST(test_batch_equals_one_by_one)
{
    store_t *a = open_tree(tmpdir()), *b = open_tree(tmpdir());
    store_item_t items[NWORK];
    char err[256];
    for (size_t i = 0; i < NWORK; i++) {
        memset(&items[i], 0, sizeof items[i]);
        items[i].submission = mk(WORK[i].entity, WORK[i].id, WORK[i].scope, WORK[i].spec);
        findings_init(&items[i].findings);
    }
    ck_assert_int_eq(store_apply_batch(a, items, NWORK, NULL, err, sizeof err), 0);
    for (size_t i = 0; i < NWORK; i++) {
        ack_t ack;
        ack_status st = apply1(b, mk(WORK[i].entity, WORK[i].id, WORK[i].scope, WORK[i].spec), &ack);
        ck_assert_int_eq(items[i].ack.status, st);
        ck_assert_int_eq(items[i].ack.version, ack.version);
        ck_assert_int_eq(items[i].ack.replayed, ack.replayed);
        ack_clear(&ack);
        ack_clear(&items[i].ack);
        submission_destroy(&items[i].submission);
    }
    const char *all[] = { "P", "C", "D", "E", "U1", "U2", "U3" };
    for (int i = 0; i < 7; i++) figures_equal(a, b, all[i]);
    ck_assert_int_eq(computed(a, "D", K), 175);
    ck_assert_int_eq(reported(a, "D", K), 175);         /* w6 withdrew D's declaration of K */
    ck_assert_int_eq(computed(a, "C", K), 177);
    ck_assert_int_eq(computed(a, "C", K2), 41);
    ck_assert_int_eq(store_verify(a, stderr), 0);
    ck_assert_int_eq(store_verify(b, stderr), 0);
    store_destroy(&a);
    store_destroy(&b);
    cleanup();
}
END_TEST

START_TEST(test_map_growth)
{
    setenv("HUIZONG_MAP_SIZE", "262144", 1);
    store_t *s = open_tree(tmpdir());
    unsetenv("HUIZONG_MAP_SIZE");
    MDB_envinfo info;
    mdb_env_info(s->env, &info);
    ck_assert_uint_eq(info.me_mapsize, 262144);
    char err[256];
    int64_t total = 0;
    for (int round = 0; round < 6; round++) {
        store_item_t items[2];
        for (int u = 0; u < 2; u++) {
            char id[32];
            snprintf(id, sizeof id, "g%d-%d", round, u);
            submission_t *sub = submission_new(u ? "U2" : "U1", 2024);
            snprintf(sub->id, sizeof sub->id, "%s", id);
            for (int r = 0; r < 1500; r++) {
                char row[16], name[96];
                snprintf(row, sizeof row, "P%05d", r);
                /* a name of its own each round: stored with every fact (not the row's label) */
                snprintf(name, sizeof name, "一个相当长的项目名称用来填满页面，第 %d 轮", round);
                submission_add(sub, TABLE_PROJECTS, row, COL_TOTAL, round * 1000 + r, name, 1);
            }
            ck_assert_int_eq(submission_validate(sub, err, sizeof err), 0);
            items[u] = (store_item_t){ .submission = sub };
            findings_init(&items[u].findings);
        }
        ck_assert_msg(store_apply_batch(s, items, 2, NULL, err, sizeof err) == 0, "%s", err);
        for (int u = 0; u < 2; u++) {
            ck_assert_int_eq(items[u].ack.status, ACK_ACCEPTED);
            ack_clear(&items[u].ack);
            submission_destroy(&items[u].submission);
        }
    }
    for (int r = 0; r < 1500; r++) total += 2 * (5 * 1000 + r);
    mdb_env_info(s->env, &info);
    ck_assert_uint_ge(info.me_mapsize, 262144 * 8);       /* grew at least three times */
    store_figure_t *f;
    size_t n;
    ck_assert_int_eq(store_figures(s, "P", 2024, TABLE_PROJECTS, &f, &n), 0);
    ck_assert_uint_eq(n, 1500);
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++) sum += f[i].computed;
    ck_assert_int_eq(sum, total);
    free(f);
    submission_t *v1 = store_facts(s, "U2", 2024, 1);
    ck_assert_int_eq(v1->count, 1500);
    submission_destroy(&v1);
    ck_assert_int_eq(store_verify(s, stderr), 0);
    store_destroy(&s);
    cleanup();
}
END_TEST

/* computed P expense/total/total without Check assertions (runs in a forked child) */
static int64_t child_computed(store_t *r, const char *entity)
{
    store_figure_t *f;
    size_t n;
    int64_t v = -1;
    int rc = store_figures(r, entity, 2024, TABLE_EXPENSE, &f, &n);
    if (rc) {
        MDB_txn *t;
        int e = store_read_begin(r, &t);
        fprintf(stderr, "child: store_figures failed; read txn: %s\n", mdb_strerror(e));
        return -2;
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].key.row, "total") == 0 && f[i].key.column == COL_TOTAL) v = f[i].computed;
    free(f);
    return v;
}

static submission_t *big_submission(void)
{
    submission_t *sub = submission_new("U2", 2024);
    snprintf(sub->id, sizeof sub->id, "big");
    for (int r = 0; r < 3000; r++) {
        char row[16];
        snprintf(row, sizeof row, "P%05d", r);
        submission_add(sub, TABLE_PROJECTS, row, COL_TOTAL, 1, "名称名称名称名称名称名称名称名称", 1);
    }
    submission_add(sub, TABLE_EXPENSE, "total", COL_TOTAL, 42, "", 1);
    char err[256];
    ck_assert_int_eq(submission_validate(sub, err, sizeof err), 0);
    return sub;
}

/* The reader opens first; the writer then grows the map past the reader's mapping; the
 * reader's next query must adopt the new size (MDB_MAP_RESIZED) and see the new data. */
START_TEST(test_readonly_in_child)
{
    const char *dir = tmpdir();
    setenv("HUIZONG_MAP_SIZE", "262144", 1);
    store_t *s = open_tree(dir);
    unsetenv("HUIZONG_MAP_SIZE");
    ck_assert_int_eq(apply1(s, mk("U1", "ro1", SCOPE_DEFAULT, K "=42"), NULL), ACK_ACCEPTED);
    int up[2], down[2];
    ck_assert_int_eq(pipe(up), 0);
    ck_assert_int_eq(pipe(down), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char err[256], c = 'r';
        store_t *r = store_open(dir, STORE_READONLY, err, sizeof err);
        if (!r) fprintf(stderr, "child: %s\n", err);
        int ok = r && child_computed(r, "P") == 42;
        if (write(up[1], &c, 1) != 1 || read(down[0], &c, 1) != 1) ok = 0;
        ok = ok && child_computed(r, "P") == 84;
        store_figure_t *f = NULL;
        size_t n = 0;
        ok = ok && store_figures(r, "D", 2024, TABLE_PROJECTS, &f, &n) == 0 && n == 3000;
        free(f);
        entity_t e;
        ok = ok && store_entity(r, "U1", &e) == 0 && strcmp(e.parent, "D") == 0;
        ok = ok && store_verify(r, NULL) == 0;
        char e2[256];
        ok = ok && store_sync_hierarchy(r, &(hierarchy_t){ 0 }, e2, sizeof e2) == -1;
        store_destroy(&r);
        _exit(ok ? 0 : 1);
    }
    char c;
    ck_assert_int_eq(read(up[0], &c, 1), 1);
    ck_assert_int_eq(apply1(s, big_submission(), NULL), ACK_ACCEPTED);
    MDB_envinfo info;
    mdb_env_info(s->env, &info);
    ck_assert_uint_gt(info.me_mapsize, 262144);
    ck_assert_int_eq(write(down[1], &c, 1), 1);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    close(up[0]); close(up[1]); close(down[0]); close(down[1]);
    store_destroy(&s);
    char err[256];
    ck_assert_ptr_null(store_open("/nonexistent/hz", STORE_READONLY, err, sizeof err));
    cleanup();
}
END_TEST

/* A snapshot is one committed state for every query of the handle, however many commits
 * the writer makes meanwhile (issue 10, finding 4); ending it sees the new state. */
START_TEST(test_snapshot_is_one_state)
{
    const char *dir = tmpdir();
    store_t *s = open_tree(dir);
    ck_assert_int_eq(apply1(s, mk("U1", "sn1", SCOPE_DEFAULT, K "=42"), NULL), ACK_ACCEPTED);
    int up[2], down[2];
    ck_assert_int_eq(pipe(up), 0);
    ck_assert_int_eq(pipe(down), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char err[256], c = 'r';
        store_t *r = store_open(dir, STORE_READONLY, err, sizeof err);
        int ok = r && store_snapshot_begin(r) == 0 && child_computed(r, "P") == 42;
        if (write(up[1], &c, 1) != 1 || read(down[0], &c, 1) != 1) ok = 0;
        /* the writer has committed U1 = 50 and U2 = 8: the snapshot still sees 42 / none */
        ok = ok && child_computed(r, "P") == 42 && child_computed(r, "D") == 42;
        store_version_t *v = NULL;
        size_t nv = 0;
        ok = ok && store_versions(r, "U2", 2024, &v, &nv) == 0 && nv == 0;
        free(v);
        store_snapshot_end(r);
        ok = ok && child_computed(r, "P") == 58;
        store_destroy(&r);
        _exit(ok ? 0 : 1);
    }
    char c;
    ck_assert_int_eq(read(up[0], &c, 1), 1);
    ck_assert_int_eq(apply1(s, mk("U1", "sn2", SCOPE_DEFAULT, K "=50"), NULL), ACK_ACCEPTED);
    ck_assert_int_eq(apply1(s, mk("U2", "sn3", SCOPE_DEFAULT, K "=8"), NULL), ACK_ACCEPTED);
    ck_assert_int_eq(write(down[1], &c, 1), 1);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    close(up[0]); close(up[1]); close(down[0]); close(down[1]);
    store_destroy(&s);
    cleanup();
}
END_TEST

START_TEST(test_verify_detects_corruption)
{
    store_t *s = open_tree(tmpdir());
    for (size_t i = 0; i < NWORK; i++)
        apply1(s, mk(WORK[i].entity, WORK[i].id, WORK[i].scope, WORK[i].spec), NULL);
    ck_assert_int_eq(store_verify(s, stderr), 0);
    /* write a wrong computed figure for C, expense/total/total, through raw LMDB */
    MDB_txn *txn;
    ck_assert_int_eq(mdb_txn_begin(s->env, NULL, 0, &txn), 0);
    uint32_t c, row;
    ck_assert_int_eq(intern_find(s, txn, KIND_ENTITY, "C", &c), 0);
    ck_assert_int_eq(intern_find(s, txn, KIND_ROW, "total", &row), 0);
    uint8_t key[NODETABLE_LEN];
    key_node_table(key, c, 2024, TABLE_EXPENSE);
    MDB_val k = { NODETABLE_LEN, key }, v;
    ck_assert_int_eq(mdb_get(txn, s->dbi[DB_COMPUTED], &k, &v), 0);
    pack_entry_t e[64];
    size_t ne = 0, hit = 0;
    pack_reader_t r;
    ck_assert_int_eq(pack_open(&r, v.mv_data, v.mv_size), 0);
    ck_assert_uint_le(r.count, 64);
    while (pack_next(&r, &e[ne]) == 0) {
        if (e[ne].row == row && e[ne].column == COL_TOTAL) { e[ne].fen += 1; hit++; }
        ne++;
    }
    ck_assert_uint_eq(hit, 1);
    pack_buf_t b = { 0 };
    ck_assert_int_eq(pack_encode(&b, e, ne), 0);
    v.mv_data = b.data;
    v.mv_size = b.len;
    ck_assert_int_eq(mdb_put(txn, s->dbi[DB_COMPUTED], &k, &v, 0), 0);
    ck_assert_int_eq(mdb_txn_commit(txn), 0);
    pack_buf_free(&b);

    char *buf = NULL;
    size_t len = 0;
    FILE *rep = open_memstream(&buf, &len);
    ck_assert_int_eq(store_verify(s, rep), 1);
    fclose(rep);
    ck_assert_str_eq(buf, "C 2024 expense/total/total: stored computed 0.000178, recomputed 0.000177\n");
    free(buf);
    store_destroy(&s);
    cleanup();
}
END_TEST

START_TEST(test_hierarchy_sync_and_entities)
{
    store_t *s = open_tree(tmpdir());
    hierarchy_t h;
    ck_assert_int_eq(store_entities(s, &h), 0);
    const char *order[] = { "P", "C", "D", "U1", "U2", "E", "U3" };
    ck_assert_uint_eq(h.count, 7);
    for (int i = 0; i < 7; i++) ck_assert_str_eq(h.items[i].code, order[i]);
    ck_assert_int_eq(h.items[3].level, LEVEL_UNIT);
    ck_assert_str_eq(h.items[3].parent, "D");
    ck_assert_str_eq(h.items[3].name, "name of U1");
    /* moving an entity with figures is refused; one without figures may move */
    ck_assert_int_eq(apply1(s, mk("U1", "h1", SCOPE_DEFAULT, K "=1"), NULL), ACK_ACCEPTED);
    for (size_t i = 0; i < h.count; i++) {
        if (strcmp(h.items[i].code, "U1") == 0) strcpy(h.items[i].parent, "E");
    }
    char err[256] = "";
    ck_assert_int_eq(store_sync_hierarchy(s, &h, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "U1"));
    for (size_t i = 0; i < h.count; i++) {
        if (strcmp(h.items[i].code, "U1") == 0) strcpy(h.items[i].parent, "D");
        if (strcmp(h.items[i].code, "U3") == 0) strcpy(h.items[i].parent, "D");
    }
    ck_assert_msg(store_sync_hierarchy(s, &h, err, sizeof err) == 0, "%s", err);
    hierarchy_free(&h);
    ck_assert_int_eq(store_entities(s, &h), 0);
    const char *order2[] = { "P", "C", "D", "U1", "U2", "U3", "E" };
    for (int i = 0; i < 7; i++) ck_assert_str_eq(h.items[i].code, order2[i]);
    hierarchy_free(&h);
    ck_assert_int_eq(apply1(s, mk("U3", "h2", SCOPE_DEFAULT, K "=2"), NULL), ACK_ACCEPTED);
    ck_assert_int_eq(computed(s, "D", K), 3);
    ck_assert_int_eq(store_verify(s, stderr), 0);
    store_destroy(&s);
    cleanup();
}
END_TEST

START_TEST(test_example_data)
{
    store_t *s;
    char err[512] = "";
    s = store_open(tmpdir(), 0, err, sizeof err);
    ck_assert_ptr_nonnull(s);
    hierarchy_t h;
    ck_assert_msg(hierarchy_load(&h, EXAMPLES_DIR "/entities.csv", err, sizeof err) == 0, "%s", err);
    ck_assert_msg(store_sync_hierarchy(s, &h, err, sizeof err) == 0, "%s", err);
    hierarchy_free(&h);
    const char *files[] = { "dongxihu-2024.csv", "suzhou-2024.csv", "dazhou-2023.csv", "ningde-2024.csv" };
    submission_list_t list;
    submission_list_init(&list);
    for (int i = 0; i < 4; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", EXAMPLES_DIR, files[i]);
        ck_assert_msg(csv_read_file(path, CSV_ENCODING_UTF8, &list, err, sizeof err) == 0, "%s", err);
    }
    ck_assert_uint_gt(list.count, 3);
    store_item_t *items = calloc(list.count, sizeof *items);
    for (size_t i = 0; i < list.count; i++) {
        items[i].submission = list.items[i];
        ck_assert_msg(submission_validate(list.items[i], err, sizeof err) == 0, "%s", err);
        findings_init(&items[i].findings);
    }
    ck_assert_msg(store_apply_batch(s, items, list.count, NULL, err, sizeof err) == 0, "%s", err);
    for (size_t i = 0; i < list.count; i++) {
        ck_assert_msg(items[i].ack.status == ACK_ACCEPTED, "%s: %s", list.items[i]->entity, items[i].ack.reason);
        ack_clear(&items[i].ack);
    }
    free(items);
    /* the unit 026001 reaches its district and city; the department 026 declares */
    store_figure_t f;
    ck_assert(fig(s, "026", "summary/gpb/amount", &f));
    ck_assert(f.has_declared);
    ck_assert_int_eq(f.declared, 2361220000LL);
    submission_t *unit = store_facts(s, "026001", 2024, 0);
    ck_assert_ptr_nonnull(unit);
    const fact_t *uf = submission_find(unit, TABLE_SUMMARY, "gpb", COL_AMOUNT);
    if (uf) {
        ck_assert_int_eq(f.computed, uf->fen);
        ck_assert(fig(s, "420112", "summary/gpb/amount", &f));
        ck_assert_int_eq(f.computed, 2361220000LL);
    }
    submission_destroy(&unit);
    ck_assert_int_eq(store_verify(s, stderr), 0);
    submission_list_free(&list);
    store_destroy(&s);
    cleanup();
}
END_TEST

/* A narrative text travels with D's 2024 submission: stored with that version byte for
 * byte with its summary, judged in the transaction against the 2023 version applied
 * earlier in the same batch (one change holds, one slipped), its findings stored as D's
 * flags and put in the ack; a later version without text has none, the first keeps it. */
static const char NARR[] =
    "二、支出预算情况\n"
    "2024年支出预算1000.00万元，比2023年预算增加100.00万元，增长11.11%。\n"
    "四、\"三公\"经费情况\n"
    "2024年\"三公\"经费预算10.00万元，比2023年减少20.00万元，下降66.67%。\n";

static submission_t *mk_year(const char *id, uint32_t year, const char *spec)
{
    submission_t *s = mk("D", id, SCOPE_DEFAULT, spec);
    s->year = year;
    return s;
}

/* The stored text.prior_year flags of entity/2024 (each on line 4 of d.txt). */
static size_t text_flags(store_t *s, const char *entity)
{
    findings_t fl;
    ck_assert_int_eq(store_flags(s, 2024, entity, &fl), 0);
    size_t n = 0;
    for (size_t k = 0; k < fl.count; k++) {
        if (strncmp(fl.items[k].rule, "text.", 5) != 0) continue;
        ck_assert_str_eq(fl.items[k].rule, "text.prior_year");
        ck_assert_uint_eq(fl.items[k].line, 4);
        ck_assert_str_eq(fl.items[k].source, "d.txt");
        n++;
    }
    findings_clear(&fl);
    return n;
}

START_TEST(test_text_with_version)
{
    store_t *s = open_tree(tmpdir());
    store_item_t it[2] = {
        { .submission = mk_year("d23", 2023, "expense/total/total=900000000;three_public/total/amount=20000000") },
        { .submission = mk_year("d24", 2024, "expense/total/total=1000000000;three_public/total/amount=10000000") },
    };
    ck_assert_int_eq(submission_set_text(it[1].submission, "d.txt", NARR, strlen(NARR)), 0);
    for (int i = 0; i < 2; i++) findings_init(&it[i].findings);
    char err[256] = "";
    ck_assert_msg(store_apply_batch(s, it, 2, NULL, err, sizeof err) == 0, "%s", err);
    ck_assert_int_eq(it[1].ack.status, ACK_ACCEPTED);
    /* 10.00 − 20.00 = −10.00 against the stored 2023, the text says 减少 20.00 (line 4);
     * 1000.00 − 900.00 = 100.00 holds (line 2) */
    const finding_t *f = NULL;
    size_t ntext = 0;
    for (size_t k = 0; k < it[1].ack.flags.count; k++)
        if (strncmp(it[1].ack.flags.items[k].rule, "text.", 5) == 0) f = &it[1].ack.flags.items[k], ntext++;
    ck_assert_uint_eq(ntext, 1);
    ck_assert_str_eq(f->rule, "text.prior_year");
    ck_assert_int_eq(f->verdict, VERDICT_MISMATCH);
    ck_assert_uint_eq(f->line, 4);
    ck_assert_str_eq(f->source, "d.txt");
    for (size_t k = 0; k < it[0].ack.flags.count; k++)
        ck_assert_str_ne(it[0].ack.flags.items[k].rule, "text.prior_year");
    for (int i = 0; i < 2; i++) {
        ack_clear(&it[i].ack);
        submission_destroy(&it[i].submission);
    }
    ck_assert_uint_eq(text_flags(s, "D"), 1);
    store_text_t t;
    ck_assert_int_eq(store_text(s, "D", 2024, 0, &t), 0);
    ck_assert_uint_eq(t.len, strlen(NARR));
    ck_assert(memcmp(t.text, NARR, t.len) == 0);
    ck_assert_str_eq(t.name, "d.txt");
    ck_assert_uint_eq(t.summary.mismatched, 1);
    ck_assert_uint_ge(t.summary.exact, 3);
    ck_assert_uint_eq(t.summary.claims, 2);
    store_text_clear(&t);
    ck_assert_int_eq(store_text(s, "D", 2023, 0, &t), 1);    /* sent without a text */
    ck_assert_int_eq(store_text(s, "D", 2024, 7, &t), 1);    /* no such version */
    ck_assert_int_eq(store_text(s, "nobody", 2024, 0, &t), 1);

    /* version 2 without text: its flags replace the text's; version 1 keeps its text */
    ck_assert_int_eq(apply1(s, mk_year("d24b", 2024, "expense/total/total=1000000000"), NULL), ACK_ACCEPTED);
    ck_assert_int_eq(store_text(s, "D", 2024, 0, &t), 1);
    ck_assert_int_eq(store_text(s, "D", 2024, 1, &t), 0);
    ck_assert_uint_eq(t.len, strlen(NARR));
    store_text_clear(&t);
    ck_assert_uint_eq(text_flags(s, "D"), 0);
    ck_assert_int_eq(store_verify(s, stderr), 0);
    store_destroy(&s);
    cleanup();
}
END_TEST

/* The packed figure list (store/pack.c) reads back exactly what it was given: negative and
 * extreme amounts, the common power of ten, row gaps across varint byte boundaries, names
 * (empty ones too); a point read finds each entry and nothing between; a cut value is
 * MDB_CORRUPTED, never a read past its end. */
START_TEST(test_pack_roundtrip)
{
    pack_entry_t in[] = {
        { .row = 0, .column = COL_AMOUNT, .fen = 0, .aux = 7 },
        { .row = 0, .column = COL_TOTAL, .fen = -120000, .aux = 3, .name = "", .name_len = 0 },
        { .row = 127, .column = COL_BASIC, .fen = 40000, .aux = 9 },
        { .row = 128, .column = COL_AMOUNT, .fen = INT64_MAX / 10000 * 10000, .aux = 0,
          .name = "一般公共预算拨款收入", .name_len = strlen("一般公共预算拨款收入") },
        { .row = 4000000000u, .column = COL_UNIT_FUNDS, .fen = INT64_MIN / 10000 * 10000, .aux = 4294967295u },
    };
    size_t n = sizeof in / sizeof *in;
    pack_buf_t b = { 0 };
    ck_assert_int_eq(pack_encode(&b, in, n), 0);
    ck_assert_uint_eq(b.data[0], 4);                      /* every amount a multiple of 10^4 */
    pack_reader_t r;
    pack_entry_t e;
    ck_assert_int_eq(pack_open(&r, b.data, b.len), 0);
    ck_assert_uint_eq(r.count, n);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(pack_next(&r, &e), 0);
        ck_assert_uint_eq(e.row, in[i].row);
        ck_assert_int_eq(e.column, in[i].column);
        ck_assert(e.fen == in[i].fen);
        ck_assert_uint_eq(e.aux, in[i].aux);
        ck_assert_int_eq(e.name != NULL, in[i].name != NULL);
        if (e.name) ck_assert_mem_eq(e.name, in[i].name, in[i].name_len);
        ck_assert_uint_eq(e.name_len, in[i].name_len);
        ck_assert_int_eq(pack_find(b.data, b.len, in[i].row, in[i].column, &e), 0);
        ck_assert(e.fen == in[i].fen);
    }
    ck_assert_int_eq(pack_next(&r, &e), MDB_NOTFOUND);
    ck_assert_int_eq(pack_find(b.data, b.len, 0, COL_BASIC, &e), MDB_NOTFOUND);
    ck_assert_int_eq(pack_find(b.data, b.len, 129, COL_AMOUNT, &e), MDB_NOTFOUND);
    ck_assert_int_eq(pack_find(b.data, b.len, 4000000001u, COL_AMOUNT, &e), MDB_NOTFOUND);
    for (size_t cut = 0; cut < b.len; cut++) {          /* every truncation is caught */
        int rc = pack_open(&r, b.data, cut);
        while (rc == 0) rc = pack_next(&r, &e);
        ck_assert_int_eq(rc, MDB_CORRUPTED);
    }
    pack_entry_t odd = { .row = 1, .column = COL_AMOUNT, .fen = 1 };   /* 1 fen: scale 0 */
    ck_assert_int_eq(pack_encode(&b, &odd, 1), 0);
    ck_assert_uint_eq(b.data[0], 0);
    ck_assert_int_eq(pack_find(b.data, b.len, 1, COL_AMOUNT, &e), 0);
    ck_assert(e.fen == 1);
    pack_buf_free(&b);
}
END_TEST

/* A fact's printed name comes back as printed, whatever the row's label: stored only where
 * it differs from the label (store/facts.c invariant 3), and a label written after a fact
 * with an empty name does not change that fact's name. */
START_TEST(test_fact_names_read_back)
{
    store_t *s = open_tree(tmpdir());
    const char *names[] = { "", "社会保障和就业支出", "社会保障和就业", "" };
    const char *units[] = { "U1", "U2", "U3", "U1" };
    for (int i = 0; i < 4; i++) {
        submission_t *sub = submission_new(units[i], 2024);
        snprintf(sub->id, sizeof sub->id, "n%d", i);
        ck_assert_int_eq(submission_add(sub, TABLE_EXPENSE, "208", COL_TOTAL, 10000 * (i + 1), names[i], 5 + i), 0);
        ck_assert_int_eq(submission_add(sub, TABLE_EXPENSE, "208", COL_BASIC, 10000, names[3 - i], 6 + i), 0);
        char err[256];
        ck_assert_msg(submission_validate(sub, err, sizeof err) == 0, "%s", err);
        ck_assert_int_eq(apply1(s, sub, NULL), ACK_ACCEPTED);
    }
    for (int i = 0; i < 4; i++) {
        submission_t *f = store_facts(s, units[i], 2024, i == 3 ? 2 : 1);
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(f->count, 2);
        for (size_t j = 0; j < 2; j++) {
            int basic = f->facts[j].column == COL_BASIC;
            ck_assert_str_eq(f->facts[j].name, names[basic ? 3 - i : i]);
            ck_assert_uint_eq(f->facts[j].line, (uint32_t)(basic ? 6 + i : 5 + i));
            ck_assert(f->facts[j].fen == (basic ? 10000 : 10000 * (i + 1)));
        }
        submission_destroy(&f);
    }
    ck_assert_str_eq(store_row_label(s, TABLE_EXPENSE, "208"), "社会保障和就业支出");
    ck_assert_int_eq(store_verify(s, stderr), 0);
    store_destroy(&s);
    cleanup();
}
END_TEST

/* A store written in another layout (schema "1": one entry per fact) is refused, by the
 * writer and by readers, with a message that says to rebuild it. */
START_TEST(test_old_format_refused)
{
    const char *dir = tmpdir();
    store_t *s = open_tree(dir);
    MDB_txn *txn;
    ck_assert_int_eq(mdb_txn_begin(s->env, NULL, 0, &txn), 0);
    MDB_val k = { 6, "schema" }, v = { 1, "1" };
    ck_assert_int_eq(mdb_put(txn, s->dbi[DB_META], &k, &v, 0), 0);
    ck_assert_int_eq(mdb_txn_commit(txn), 0);
    store_destroy(&s);
    for (int ro = 0; ro < 2; ro++) {
        char err[1024] = "";
        ck_assert_ptr_null(store_open(dir, ro ? STORE_READONLY : 0, err, sizeof err));
        ck_assert_ptr_nonnull(strstr(err, "数据库格式为第 1 版"));
        ck_assert_ptr_nonnull(strstr(err, "请重建数据库"));
        ck_assert_ptr_nonnull(strstr(err, "store format 1, this version reads format 2 only"));
    }
    cleanup();
}
END_TEST

TESTKIT_MAIN("store", NULL, NULL, 60,
             test_pack_roundtrip,
             test_fact_names_read_back,
             test_old_format_refused,
             test_text_with_version,
             test_key_order,
             test_unit_reaches_ancestors,
             test_ancestors,
             test_key_codecs,
             test_declaration_absorbs,
             test_resubmission_removes_key_and_versions,
             test_replay_and_rejections,
             test_batch_equals_one_by_one,
             test_level_flags_follow_fixes,
             test_map_growth,
             test_readonly_in_child,
             test_snapshot_is_one_state,
             test_verify_detects_corruption,
             test_hierarchy_sync_and_entities,
             test_example_data)
