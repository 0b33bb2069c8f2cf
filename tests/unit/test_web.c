/* test_web.c -- the pieces of `huizong serve` that need no HTTP: the users file (hashes,
 * replace, refusal of broken lines), the loopback rule, the subtree check of the index,
 * review decisions in the store (history, state per version, read-only readers see them)
 * and the review messages on the wire. Real files and LMDB envs in mkdtemp dirs. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "review_wire.h"
#include "store.h"
#include "testkit.h"
#include "users.h"
#include "web.h"

static char dir[64];

static void setup(void)
{
    testkit_tmpdir(dir, sizeof dir, "web");
}

static void teardown(void) { testkit_rmtree(dir); }

START_TEST(users_set_load_check)
{
    char path[128], err[256] = "";
    snprintf(path, sizeof path, "%s/users", dir);
    ck_assert_msg(users_set(path, "wh", ROLE_REVIEWER, "420112", "secret-one", err, sizeof err) == 0, "%s", err);
    ck_assert_msg(users_set(path, "hubei", ROLE_VIEWER, "420000,340000", "secret-two", err, sizeof err) == 0, "%s", err);
    /* replacing keeps one line per user and the new password only */
    ck_assert_msg(users_set(path, "wh", ROLE_VIEWER, "420112,026", "secret-three", err, sizeof err) == 0, "%s", err);
    users_t u;
    ck_assert_msg(users_load(&u, path, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(u.count, 2);
    const user_t *wh = users_find(&u, "wh");
    ck_assert_ptr_nonnull(wh);
    ck_assert_int_eq(wh->role, ROLE_VIEWER);
    ck_assert_uint_eq(wh->nsubtrees, 2);
    ck_assert_str_eq(wh->subtrees[1], "026");
    ck_assert(users_check_password(wh, "secret-three"));
    ck_assert(!users_check_password(wh, "secret-one"));
    const user_t *hb = users_find(&u, "hubei");
    ck_assert(users_check_password(hb, "secret-two"));
    ck_assert(strstr(hb->hash, "secret") == NULL);
    ck_assert_ptr_null(users_find(&u, "nobody"));
    users_free(&u);
}
END_TEST

START_TEST(users_refuse_bad)
{
    char path[128], err[256] = "";
    snprintf(path, sizeof path, "%s/users", dir);
    ck_assert_int_eq(users_set(path, "bad name", ROLE_VIEWER, "420112", "secret-one", err, sizeof err), -1);
    ck_assert_int_eq(users_set(path, "ok", ROLE_VIEWER, "420112,", "secret-one", err, sizeof err), -1);
    FILE *f = fopen(path, "w");
    fprintf(f, "# comment\nwh\tadmin\t420112\t$argon2id$x\n");
    fclose(f);
    users_t u;
    ck_assert_int_eq(users_load(&u, path, err, sizeof err), -1);
    ck_assert_msg(strstr(err, ":2: ") != NULL, "%s", err);    /* names the line */
    /* a missing file is an empty list, not an error */
    snprintf(path, sizeof path, "%s/none", dir);
    ck_assert_int_eq(users_load(&u, path, err, sizeof err), 0);
    ck_assert_uint_eq(u.count, 0);
}
END_TEST

START_TEST(loopback)
{
    ck_assert(web_host_is_loopback("127.0.0.1"));
    ck_assert(web_host_is_loopback("127.1.2.3"));
    ck_assert(web_host_is_loopback("::1"));
    ck_assert(web_host_is_loopback("localhost"));
    ck_assert(!web_host_is_loopback("0.0.0.0"));
    ck_assert(!web_host_is_loopback("10.0.0.1"));
    ck_assert(!web_host_is_loopback("::"));
    ck_assert(!web_host_is_loopback("example.org"));
}
END_TEST

static store_t *open_store(void)
{
    char err[256] = "";
    store_t *s = store_open(dir, 0, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    hierarchy_t h = { 0 };
    char path[256];
    snprintf(path, sizeof path, "%s/entities.csv", EXAMPLES_DIR);
    ck_assert_msg(hierarchy_load(&h, path, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(store_sync_hierarchy(s, &h, err, sizeof err) == 0, "%s", err);
    hierarchy_free(&h);
    return s;
}

START_TEST(index_within)
{
    store_t *s = open_store();
    nodes_t ix;
    ck_assert_int_eq(nodes_load(&ix, s), 0);
    ck_assert(nodes_within(&ix, "026-hczx", "420112"));
    ck_assert(nodes_within(&ix, "420112", "420112"));
    ck_assert(nodes_within(&ix, "026", "420000"));
    ck_assert(!nodes_within(&ix, "420000", "420112"));   /* an ancestor is not inside */
    ck_assert(!nodes_within(&ix, "608", "420000"));
    ck_assert(!nodes_within(&ix, "nope", "420000"));
    long at = nodes_find(&ix, "026");
    ck_assert_int_ge(at, 0);
    ck_assert_uint_gt(nodes_subtree_end(&ix, (size_t)at), (size_t)at + 3);
    nodes_free(&ix);
    store_destroy(&s);
}
END_TEST

START_TEST(reviews_history_and_state)
{
    store_t *s = open_store();
    char err[256] = "";
    store_review_t r = { 0 };
    r.version = 1;
    r.time_ms = 1000;
    strcpy(r.decision, "return");
    strcpy(r.reviewer, "wh");
    strcpy(r.reason, "单位资金无来源");
    ck_assert_msg(store_review_add(s, "026", 2024, &r, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(r.seq, 1);
    store_review_t v = { 0 };
    v.version = 1;
    v.time_ms = 1500;
    strcpy(v.decision, "verify");
    strcpy(v.reviewer, "wh");
    strcpy(v.flag, "code.kind/soe_func/303/");
    strcpy(v.reason, "已与部门核对");
    ck_assert_msg(store_review_add(s, "026", 2024, &v, err, sizeof err) == 0, "%s", err);
    store_review_t a = { 0 };
    a.version = 2;
    a.time_ms = 2000;
    strcpy(a.decision, "approve");
    strcpy(a.reviewer, "li");
    ck_assert_msg(store_review_add(s, "026", 2024, &a, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(a.seq, 3);
    /* another entity/year has its own sequence */
    ck_assert_msg(store_review_add(s, "026", 2023, &a, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(a.seq, 1);
    store_destroy(&s);

    /* a read-only reader (huizong serve) sees them, oldest first */
    s = store_open(dir, STORE_READONLY, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    store_review_t *rs = NULL;
    size_t n = 0;
    ck_assert_int_eq(store_reviews(s, "026", 2024, &rs, &n), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(rs[0].decision, "return");
    ck_assert_str_eq(rs[0].reason, "单位资金无来源");
    ck_assert_str_eq(rs[1].flag, "code.kind/soe_func/303/");
    ck_assert_str_eq(rs[2].reviewer, "li");
    const store_review_t *last = NULL;
    ck_assert_str_eq(store_review_state(rs, n, 1, &last), "returned");
    ck_assert_str_eq(last->reason, "单位资金无来源");
    ck_assert_str_eq(store_review_state(rs, n, 2, &last), "approved");
    ck_assert_str_eq(store_review_state(rs, n, 3, &last), "pending");
    ck_assert_ptr_null(last);
    free(rs);
    ck_assert_int_eq(store_reviews(s, "026-hczx", 2024, &rs, &n), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(store_review_add(s, "026", 2024, &r, err, sizeof err), -1);   /* read-only */
    store_destroy(&s);
}
END_TEST

START_TEST(wire_roundtrip)
{
    review_t r = { 0 }, back;
    strcpy(r.id, "abc");
    strcpy(r.entity, "026");
    r.year = 2024;
    r.version = 2;
    strcpy(r.decision, "return");
    strcpy(r.reason, "请补充");
    strcpy(r.reviewer, "wh");
    uint8_t *buf = NULL;
    size_t len = 0;
    char err[256] = "";
    ck_assert_int_eq(review_pack(&r, &buf, &len), 0);
    ck_assert_int_eq(review_unpack(buf, len, &back, err, sizeof err), 0);
    ck_assert_str_eq(back.reason, "请补充");
    ck_assert_uint_eq(back.version, 2);
    /* a truncated message is refused, not half-read */
    ck_assert_int_eq(review_unpack(buf, len - 3, &back, err, sizeof err), -1);
    free(buf);
    review_status_t st = { 0 }, st2;
    st.found = 1;
    strcpy(st.entity, "026");
    strcpy(st.state, "returned");
    strcpy(st.reason, "请补充");
    ck_assert_int_eq(review_status_pack(&st, &buf, &len), 0);
    ck_assert_int_eq(review_status_unpack(buf, len, &st2, err, sizeof err), 0);
    ck_assert_str_eq(st2.state, "returned");
    ck_assert(st2.found);
    free(buf);
    char entity[65];
    uint32_t year = 0, version = 0;
    ck_assert_int_eq(review_query_pack("026", 2024, 1, &buf, &len), 0);
    ck_assert_int_eq(review_query_unpack(buf, len, entity, &year, &version, err, sizeof err), 0);
    ck_assert_str_eq(entity, "026");
    ck_assert_uint_eq(version, 1);
    free(buf);
    /* invalid UTF-8 in a reason is refused */
    strcpy(r.reason, "\xff\xfe");
    ck_assert_int_eq(review_pack(&r, &buf, &len), 0);
    ck_assert_int_eq(review_unpack(buf, len, &back, err, sizeof err), -1);
    free(buf);
    ck_assert_str_eq(review_decision_label("return"), "退回");
    ck_assert_ptr_null(review_decision_label("delete"));
}
END_TEST

TESTKIT_MAIN("web", setup, teardown, 30,
             users_set_load_check, users_refuse_bad, loopback, index_within,
             reviews_history_and_state, wire_roundtrip)
