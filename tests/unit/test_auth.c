/* test_auth.c -- CURVE authentication and per-subtree authorisation: the authorisation
 * file (parsing, errors with line numbers), subtree checks against a real LMDB store
 * loaded from examples/entities.csv, reload and revocation, the zcert key readers, and
 * the ZAP handler end to end (real CURVE handshakes over ipc:// in a mkdtemp dir).
 *
 * It links huizong_aggregator (the table internals through aggregator/auth_int.h); the
 * client side, delivery/curve.c, comes with huizong_delivery. Every test works in its own
 * mkdtemp dir. */
#include <check.h>
#include "testkit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <czmq.h>
#include <zmq.h>

#include "auth_int.h"
#include "curve.h"
#include "hierarchy.h"
#include "store.h"

static char dir[64];
static char err[512];

static void setup(void)
{
    testkit_tmpdir(dir, sizeof dir, "auth");
    err[0] = '\0';
}

static void teardown(void)
{
    if (testkit_rmtree(dir) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

static const char *path_in(const char *name)
{
    static char bufs[4][256];
    static int next;
    char *p = bufs[next++ % 4];
    snprintf(p, 256, "%s/%s", dir, name);
    return p;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* A fresh keypair's public key (Z85). */
static void new_public(char out[41])
{
    char sec[41];
    ck_assert_int_eq(zmq_curve_keypair(out, sec), 0);
}

/* Writes a zcert pair BASENAME / BASENAME_secret in dir, returns the public key. */
static void new_cert(const char *base, char pub[41])
{
    zcert_t *c = zcert_new();
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(zcert_save(c, path_in(base)), 0);
    snprintf(pub, 41, "%s", zcert_public_txt(c));
    zcert_destroy(&c);
    char sec[300];
    snprintf(sec, sizeof sec, "%s_secret", path_in(base));
    ck_assert_int_eq(chmod(sec, 0600), 0);
}

static store_t *open_examples_store(void)
{
    return testkit_store_with_entities(dir, EXAMPLES_DIR "/entities.csv", NULL);
}

/* ---- the authorisation file -------------------------------------------------------- */

START_TEST(parse_valid_file)
{
    char a[41], b[41], c[41], text[1024];
    new_public(a);
    new_public(b);
    new_public(c);
    snprintf(text, sizeof text,
             "# authorised collectors of 湖北\n"
             "\n"
             "   # indented comment\n"
             "%s  420112   # 东西湖区\n"
             "%s\t608,335\n"
             "%s *\r\n"
             "#%s 999 (commented-out key line)\n"
             "# %s 998\n",
             a, b, c, a, b);
    write_file(path_in("auth"), text);
    auth_t *au = auth_new(NULL, NULL, path_in("auth"), err, sizeof err);
    ck_assert_msg(au != NULL, "%s", err);
    ck_assert_uint_eq(auth_count(au), 3);
    const auth_entry_t *e = auth_find(au, a);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->ncodes, 1);
    ck_assert_str_eq(e->codes[0], "420112");
    ck_assert_uint_eq(e->line, 4);
    ck_assert(!e->all);
    e = auth_find(au, b);
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(e->ncodes, 2);
    ck_assert_str_eq(e->codes[0], "608");
    ck_assert_str_eq(e->codes[1], "335");
    e = auth_find(au, c);
    ck_assert_ptr_nonnull(e);
    ck_assert(e->all);
    ck_assert_uint_eq(e->line, 6);
    ck_assert_str_eq(auth_server_public(au), "");
    ck_assert_ptr_null(auth_zap_socket(au));
    auth_destroy(&au);
    ck_assert_ptr_null(au);
}
END_TEST

/* Each bad line is reported with file:line and a reason. */
static void expect_error(const char *text, int line, const char *reason)
{
    write_file(path_in("bad"), text);
    auth_t *au = auth_new(NULL, NULL, path_in("bad"), err, sizeof err);
    ck_assert_ptr_null(au);
    char where[300];
    snprintf(where, sizeof where, "%s:%d: ", path_in("bad"), line);
    ck_assert_msg(strstr(err, where) == err, "expected '%s' at the start of: %s", where, err);
    ck_assert_msg(strstr(err, reason) != NULL, "expected '%s' in: %s", reason, err);
}

START_TEST(parse_errors_name_the_line)
{
    char a[41], b[41], text[512];
    new_public(a);
    new_public(b);
    snprintf(text, sizeof text, "# ok\n%s 420112\nnot-a-key 608\n", a);
    expect_error(text, 3, "'not-a-key' is not a public key");
    snprintf(text, sizeof text, "%s\n", a);
    expect_error(text, 1, "has no entity list");
    snprintf(text, sizeof text, "\n%s   # only a comment\n", a);
    expect_error(text, 2, "has no entity list");
    snprintf(text, sizeof text, "%s 420112, 608\n", a);
    expect_error(text, 1, "unexpected '608' after the entity list");
    snprintf(text, sizeof text, "%s 420112,,608\n", a);
    expect_error(text, 1, "empty entity code");
    snprintf(text, sizeof text, "%s 420112,\n", a);
    expect_error(text, 1, "empty entity code");
    snprintf(text, sizeof text, "%s 420112\n%s 608\n%s 335\n", a, b, a);
    expect_error(text, 3, "is already listed at line 1");
    /* 39 characters: one short of a key */
    snprintf(text, sizeof text, "%.39s 420112\n", a);
    expect_error(text, 1, "is not a public key");

    ck_assert_ptr_null(auth_new(NULL, NULL, path_in("missing"), err, sizeof err));
    ck_assert_msg(strstr(err, "missing: No such file or directory") != NULL, "%s", err);
}
END_TEST

/* Z85 has '#' (the 85th symbol), but a 32-byte key never starts with it, which is what
 * lets a leading '#' always mean "comment". */
START_TEST(keys_never_start_with_hash)
{
    uint8_t bin[32];
    char z85[41];
    memset(bin, 0xff, sizeof bin);              /* the largest 4-byte group */
    ck_assert_ptr_nonnull(zmq_z85_encode(z85, bin, sizeof bin));
    ck_assert_int_eq(z85[0], '%');              /* 0xffffffff / 85^4 = 82 -> '%' */
    for (int i = 0; i < 200; i++) {
        new_public(z85);
        ck_assert_int_ne(z85[0], '#');
        ck_assert_int_ne(z85[0], '$');
    }
}
END_TEST

START_TEST(empty_file_authorises_nobody)
{
    write_file(path_in("auth"), "# nobody yet\n");
    auth_t *au = auth_new(NULL, NULL, path_in("auth"), err, sizeof err);
    ck_assert_msg(au != NULL, "%s", err);
    ck_assert_uint_eq(auth_count(au), 0);
    char a[41];
    new_public(a);
    ck_assert(!auth_allows(au, a, "420112", NULL));
    auth_destroy(&au);
}
END_TEST

/* ---- subtrees ------------------------------------------------------------------------ */

START_TEST(subtrees_follow_the_hierarchy)
{
    store_t *store = open_examples_store();
    char district[41], suzhou[41], province[41], text[512];
    new_public(district);
    new_public(suzhou);
    new_public(province);
    snprintf(text, sizeof text, "%s 420112\n%s 608,335\n%s *\n", district, suzhou, province);
    write_file(path_in("auth"), text);
    auth_t *au = auth_new(NULL, NULL, path_in("auth"), err, sizeof err);
    ck_assert_msg(au != NULL, "%s", err);

    /* 东西湖区 420112: itself, its department 026 and every unit under it */
    ck_assert(auth_allows(au, district, "420112", store));
    ck_assert(auth_allows(au, district, "026", store));
    ck_assert(auth_allows(au, district, "026001", store));
    ck_assert(auth_allows(au, district, "026-hczx", store));
    ck_assert(auth_allows(au, district, "026-fwzx", store));
    /* not above it, not beside it */
    ck_assert(!auth_allows(au, district, "420100", store));
    ck_assert(!auth_allows(au, district, "420000", store));
    ck_assert(!auth_allows(au, district, "608", store));
    ck_assert(!auth_allows(au, district, "608001", store));
    ck_assert(!auth_allows(au, district, "nd-ybj-bj", store));
    ck_assert(!auth_allows(au, district, "no-such-entity", store));
    ck_assert(!auth_allows(au, district, "", store));

    ck_assert(auth_allows(au, suzhou, "608", store));
    ck_assert(auth_allows(au, suzhou, "608003", store));
    ck_assert(auth_allows(au, suzhou, "335001", store));
    ck_assert(!auth_allows(au, suzhou, "341300", store));
    ck_assert(!auth_allows(au, suzhou, "026001", store));

    ck_assert(auth_allows(au, province, "608", store));
    ck_assert(auth_allows(au, province, "nd-ybj-jjzx", store));
    ck_assert(auth_allows(au, province, "340000", store));

    /* unknown keys and no key at all */
    char stranger[41];
    new_public(stranger);
    ck_assert(!auth_allows(au, stranger, "026001", store));
    ck_assert(!auth_allows(au, NULL, "026001", store));
    ck_assert(!auth_allows(au, "short", "026001", store));

    char why[256];
    auth_refusal(au, district, "608", why, sizeof why);
    char expect[256];
    snprintf(expect, sizeof expect, "key %.8s… may not submit for 608 (authorised: 420112)", district);
    ck_assert_str_eq(why, expect);
    auth_refusal(au, suzhou, "026001", why, sizeof why);
    ck_assert_msg(strstr(why, "(authorised: 608,335)") != NULL, "%s", why);
    auth_refusal(au, stranger, "026001", why, sizeof why);
    ck_assert_msg(strstr(why, "is not (or no longer) in the aggregator's authorisation file") != NULL, "%s", why);

    auth_destroy(&au);
    store_destroy(&store);
}
END_TEST

/* ---- reload ---------------------------------------------------------------------------- */

START_TEST(reload_revokes_and_keeps_old_on_error)
{
    store_t *store = open_examples_store();
    char a[41], b[41], text[512];
    new_public(a);
    new_public(b);
    snprintf(text, sizeof text, "%s 420112\n%s 608\n", a, b);
    write_file(path_in("auth"), text);
    auth_t *au = auth_new(NULL, NULL, path_in("auth"), err, sizeof err);
    ck_assert_msg(au != NULL, "%s", err);
    ck_assert(auth_allows(au, a, "026001", store));
    ck_assert(auth_allows(au, b, "608001", store));

    /* revoke a, widen b */
    snprintf(text, sizeof text, "# %s 420112   revoked\n%s 608,420112\n", a, b);
    write_file(path_in("auth"), text);
    ck_assert_msg(auth_reload(au, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(auth_count(au), 1);
    ck_assert(!auth_allows(au, a, "026001", store));
    ck_assert(auth_allows(au, b, "026001", store));
    ck_assert(auth_allows(au, b, "608001", store));

    /* a broken file leaves the table in force */
    snprintf(text, sizeof text, "%s 420112\n%s 608 335\n", a, b);
    write_file(path_in("auth"), text);
    ck_assert_int_eq(auth_reload(au, err, sizeof err), -1);
    ck_assert_msg(strstr(err, ":2: unexpected '335'") != NULL, "%s", err);
    ck_assert_uint_eq(auth_count(au), 1);
    ck_assert(!auth_allows(au, a, "026001", store));
    ck_assert(auth_allows(au, b, "026001", store));

    /* a vanished file too */
    ck_assert_int_eq(unlink(path_in("auth")), 0);
    ck_assert_int_eq(auth_reload(au, err, sizeof err), -1);
    ck_assert(auth_allows(au, b, "608", store));

    auth_destroy(&au);
    store_destroy(&store);
}
END_TEST

/* ---- key files ------------------------------------------------------------------------- */

START_TEST(key_files_are_checked)
{
    char pub[41], got[41], sec[41];
    new_cert("c", pub);
    char secret_path[300];
    snprintf(secret_path, sizeof secret_path, "%s_secret", path_in("c"));

    ck_assert_msg(curve_read_cert(secret_path, 1, got, sec, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(got, pub);
    ck_assert_int_eq(strlen(sec), 40);
    ck_assert_msg(curve_read_cert(path_in("c"), 0, got, NULL, err, sizeof err) == 0, "%s", err);
    ck_assert_str_eq(got, pub);

    /* public file where the secret is needed, and the other way round */
    ck_assert_int_eq(curve_read_cert(path_in("c"), 1, got, sec, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "no curve/secret-key") != NULL, "%s", err);
    ck_assert_int_eq(curve_read_cert(secret_path, 0, got, NULL, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "holds a SECRET key") != NULL, "%s", err);

    /* a secret readable by others */
    ck_assert_int_eq(chmod(secret_path, 0644), 0);
    ck_assert_int_eq(curve_read_cert(secret_path, 1, got, sec, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "chmod 600") != NULL, "%s", err);
    write_file(path_in("auth"), "");
    ck_assert_ptr_null(auth_new(NULL, secret_path, path_in("auth"), err, sizeof err));
    ck_assert_msg(strstr(err, "chmod 600") != NULL, "%s", err);
    ck_assert_int_eq(chmod(secret_path, 0600), 0);

    /* halves that do not belong together */
    char other[41], text[512];
    new_public(other);
    snprintf(text, sizeof text, "curve\n    public-key = \"%s\"\n    secret-key = \"%s\"\n", other, sec);
    write_file(path_in("mixed_secret"), text);
    ck_assert_int_eq(chmod(path_in("mixed_secret"), 0600), 0);
    ck_assert_int_eq(curve_read_cert(path_in("mixed_secret"), 1, got, sec, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "does not belong") != NULL, "%s", err);

    /* garbage and missing files */
    write_file(path_in("junk"), "curve\n    public-key = \"too short\"\n");
    ck_assert_int_eq(curve_read_cert(path_in("junk"), 0, got, NULL, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "not a 40-character Z85 key") != NULL, "%s", err);
    ck_assert_int_eq(curve_read_cert(path_in("nothing"), 0, got, NULL, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "No such file") != NULL, "%s", err);

    /* the aggregator's reader: secret file yes, public file no */
    auth_t *au = auth_new(NULL, secret_path, path_in("auth"), err, sizeof err);
    ck_assert_msg(au != NULL, "%s", err);
    ck_assert_str_eq(auth_server_public(au), pub);
    auth_destroy(&au);
    ck_assert_ptr_null(auth_new(NULL, path_in("c"), path_in("auth"), err, sizeof err));
    ck_assert_msg(strstr(err, "no curve/secret-key") != NULL, "%s", err);
}
END_TEST

/* ---- the ZAP handler, end to end --------------------------------------------------------- */

/* Serves ZAP and reads the router for up to ms; returns 1 with the message's User-Id in
 * user (and its payload in body) if one arrived. */
static int pump(auth_t *au, void *router, int ms, char user[64], char body[64])
{
    int64_t end = zclock_mono() + ms;
    while (zclock_mono() < end) {
        zmq_pollitem_t items[3] = { { router, 0, ZMQ_POLLIN, 0 }, { auth_zap_socket(au), 0, ZMQ_POLLIN, 0 },
                                    { auth_monitor_socket(au), 0, ZMQ_POLLIN, 0 } };
        int n = zmq_poll(items, 3, 50);
        ck_assert_int_ge(n, 0);
        if ((items[1].revents | items[2].revents) & ZMQ_POLLIN) ck_assert_int_ge(auth_serve(au), 1);
        if (items[0].revents & ZMQ_POLLIN) {
            zmq_msg_t rid, msg;
            zmq_msg_init(&rid);
            zmq_msg_init(&msg);
            ck_assert_int_ge(zmq_msg_recv(&rid, router, 0), 0);
            ck_assert(zmq_msg_more(&rid));
            int len = zmq_msg_recv(&msg, router, 0);
            ck_assert_int_ge(len, 0);
            const char *u = zmq_msg_gets(&msg, "User-Id");
            snprintf(user, 64, "%s", u ? u : "");
            snprintf(body, 64, "%.*s", len, (const char *)zmq_msg_data(&msg));
            zmq_msg_close(&rid);
            zmq_msg_close(&msg);
            return 1;
        }
    }
    return 0;
}

static void *client(void *ctx, const char *endpoint, const char *key_base, const char *server_pub_file)
{
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    ck_assert_ptr_nonnull(s);
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (key_base) {
        char sec[300];
        snprintf(sec, sizeof sec, "%s_secret", path_in(key_base));
        ck_assert_msg(curve_configure_client(s, sec, server_pub_file, err, sizeof err) == 0, "%s", err);
    }
    ck_assert_int_eq(zmq_connect(s, endpoint), 0);
    ck_assert_int_eq(zmq_send(s, "hello", 5, 0), 5);
    return s;
}

START_TEST(zap_admits_listed_keys_only)
{
    char server_pub[41], good[41], bad[41], text[512];
    new_cert("server", server_pub);
    new_cert("good", good);
    new_cert("bad", bad);
    snprintf(text, sizeof text, "%s 420112\n", good);
    write_file(path_in("auth"), text);
    char server_sec[300];
    snprintf(server_sec, sizeof server_sec, "%s_secret", path_in("server"));

    void *ctx = zmq_ctx_new();
    auth_t *au = auth_new(ctx, server_sec, path_in("auth"), err, sizeof err);
    ck_assert_msg(au != NULL, "%s", err);
    /* a second handler in the same context cannot bind */
    ck_assert_ptr_null(auth_new(ctx, NULL, path_in("auth"), err, sizeof err));
    ck_assert_msg(strstr(err, "cannot bind inproc://zeromq.zap.01") != NULL, "%s", err);

    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    ck_assert_msg(auth_configure_router(au, router, err, sizeof err) == 0, "%s", err);
    int v = 0;
    size_t vl = sizeof v;
    ck_assert_int_eq(zmq_getsockopt(router, ZMQ_ZAP_ENFORCE_DOMAIN, &v, &vl), 0);
    ck_assert_int_eq(v, 1);
    char endpoint[300];
    snprintf(endpoint, sizeof endpoint, "ipc://%s/sock", dir);
    ck_assert_int_eq(zmq_bind(router, endpoint), 0);

    char user[64], body[64];
    void *c = client(ctx, endpoint, "good", path_in("server"));
    ck_assert_int_eq(pump(au, router, 3000, user, body), 1);
    ck_assert_str_eq(user, good);                 /* User-Id = the client's Z85 key */
    ck_assert_str_eq(body, "hello");
    ck_assert_uint_eq(auth_accepted(au), 1);
    zmq_close(c);

    c = client(ctx, endpoint, "bad", path_in("server"));
    ck_assert_int_eq(pump(au, router, 700, user, body), 0);
    ck_assert_uint_ge(auth_refused(au), 1);
    zmq_close(c);

    /* a plain (NULL mechanism) client never gets as far as ZAP: the monitor sees it */
    unsigned long refused = auth_refused(au);
    c = client(ctx, endpoint, NULL, NULL);
    ck_assert_int_eq(pump(au, router, 500, user, body), 0);
    ck_assert_uint_gt(auth_refused(au), refused);
    zmq_close(c);

    /* a listed key that trusts the wrong server key: handshake fails, nothing arrives */
    refused = auth_refused(au);
    c = client(ctx, endpoint, "good", path_in("bad"));
    ck_assert_int_eq(pump(au, router, 500, user, body), 0);
    ck_assert_uint_gt(auth_refused(au), refused);
    ck_assert_uint_eq(auth_accepted(au), 1);
    zmq_close(c);
    refused = auth_refused(au);

    /* revocation: the good key is refused on its next connection */
    write_file(path_in("auth"), "# everybody revoked\n");
    ck_assert_msg(auth_reload(au, err, sizeof err) == 0, "%s", err);
    c = client(ctx, endpoint, "good", path_in("server"));
    ck_assert_int_eq(pump(au, router, 700, user, body), 0);
    ck_assert_uint_gt(auth_refused(au), refused);
    ck_assert_uint_eq(auth_accepted(au), 1);
    zmq_close(c);

    zmq_close(router);
    auth_destroy(&au);
    ck_assert_int_eq(zmq_ctx_term(ctx), 0);
}
END_TEST

START_TEST(router_needs_keys_and_handler)
{
    write_file(path_in("auth"), "");
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    auth_t *au = auth_new(ctx, NULL, path_in("auth"), err, sizeof err);
    ck_assert_msg(au != NULL, "%s", err);
    ck_assert_int_eq(auth_configure_router(au, router, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "--curve-secret") != NULL, "%s", err);
    auth_destroy(&au);
    zmq_close(router);
    zmq_ctx_term(ctx);
}
END_TEST

/* RFC 27 directly: a REQ in the same context plays libzmq's part. */
static void zap_ask(void *req, int nframes, const char **frames, const size_t *lens)
{
    for (int i = 0; i < nframes; i++)
        ck_assert_int_ge(zmq_send(req, frames[i], lens[i], i + 1 < nframes ? ZMQ_SNDMORE : 0), 0);
}

static void zap_answer(auth_t *au, void *req, char code[8], char user[64], char request_id[16])
{
    zmq_pollitem_t it = { auth_zap_socket(au), 0, ZMQ_POLLIN, 0 };
    ck_assert_int_eq(zmq_poll(&it, 1, 2000), 1);
    ck_assert_int_eq(auth_zap_serve(au), 1);
    char f[6][64];
    int more = 1, n = 0;
    while (more && n < 6) {
        int len = zmq_recv(req, f[n], sizeof f[n] - 1, 0);
        ck_assert_int_ge(len, 0);
        f[n][len < 63 ? len : 63] = '\0';
        int64_t m = 0;
        size_t ml = sizeof m;
        zmq_getsockopt(req, ZMQ_RCVMORE, &m, &ml);
        more = (int)m;
        n++;
    }
    ck_assert_int_eq(n, 6);                     /* version, id, code, text, user, metadata */
    ck_assert(!more);
    ck_assert_str_eq(f[0], "1.0");
    snprintf(request_id, 16, "%.15s", f[1]);
    snprintf(code, 8, "%.7s", f[2]);
    snprintf(user, 64, "%s", f[4]);
}

START_TEST(zap_protocol_replies)
{
    char good[41], text[256];
    new_public(good);
    snprintf(text, sizeof text, "%s *\n", good);
    write_file(path_in("auth"), text);
    void *ctx = zmq_ctx_new();
    auth_t *au = auth_new(ctx, NULL, path_in("auth"), err, sizeof err);
    ck_assert_msg(au != NULL, "%s", err);
    void *req = zmq_socket(ctx, ZMQ_REQ);
    ck_assert_int_eq(zmq_connect(req, AUTH_ZAP_ENDPOINT), 0);
    uint8_t bin[32];
    ck_assert_ptr_nonnull(zmq_z85_decode(bin, good));
    char code[8], user[64], rid[16];

    const char *ok[] = { "1.0", "r1", AUTH_ZAP_DOMAIN, "10.0.0.1", "", "CURVE", (const char *)bin };
    size_t oklen[] = { 3, 2, strlen(AUTH_ZAP_DOMAIN), 8, 0, 5, 32 };
    zap_ask(req, 7, ok, oklen);
    zap_answer(au, req, code, user, rid);
    ck_assert_str_eq(code, "200");
    ck_assert_str_eq(user, good);
    ck_assert_str_eq(rid, "r1");

    const char *dom[] = { "1.0", "r2", "other", "10.0.0.1", "", "CURVE", (const char *)bin };
    size_t domlen[] = { 3, 2, 5, 8, 0, 5, 32 };
    zap_ask(req, 7, dom, domlen);
    zap_answer(au, req, code, user, rid);
    ck_assert_str_eq(code, "400");
    ck_assert_str_eq(user, "");
    ck_assert_str_eq(rid, "r2");

    const char *nul[] = { "1.0", "r3", AUTH_ZAP_DOMAIN, "10.0.0.1", "", "NULL" };
    size_t nullen[] = { 3, 2, strlen(AUTH_ZAP_DOMAIN), 8, 0, 4 };
    zap_ask(req, 6, nul, nullen);
    zap_answer(au, req, code, user, rid);
    ck_assert_str_eq(code, "400");

    const char *shortkey[] = { "1.0", "r4", AUTH_ZAP_DOMAIN, "10.0.0.1", "", "CURVE", "abc" };
    size_t shortlen[] = { 3, 2, strlen(AUTH_ZAP_DOMAIN), 8, 0, 5, 3 };
    zap_ask(req, 7, shortkey, shortlen);
    zap_answer(au, req, code, user, rid);
    ck_assert_str_eq(code, "400");

    const char *junk[] = { "2.0", "r5" };
    size_t junklen[] = { 3, 2 };
    zap_ask(req, 2, junk, junklen);
    zap_answer(au, req, code, user, rid);
    ck_assert_str_eq(code, "500");
    ck_assert_str_eq(rid, "r5");

    ck_assert_uint_eq(auth_accepted(au), 1);
    ck_assert_uint_eq(auth_refused(au), 4);
    /* nothing else waiting */
    ck_assert_int_eq(auth_serve(au), 0);
    zmq_close(req);
    auth_destroy(&au);
    ck_assert_int_eq(zmq_ctx_term(ctx), 0);
}
END_TEST

/* Repeated refusals of one key are printed once per AUTH_LOG_QUIET_MS, counted. */
START_TEST(refusal_log_is_rate_limited)
{
    write_file(path_in("auth"), "");
    auth_t *au = auth_new(NULL, NULL, path_in("auth"), err, sizeof err);
    ck_assert_msg(au != NULL, "%s", err);
    ck_assert_int_eq(auth_log_due(au, "keyA"), 0);
    ck_assert_int_eq(auth_log_due(au, "keyA"), -1);
    ck_assert_int_eq(auth_log_due(au, "keyA"), -1);
    ck_assert_int_eq(auth_log_due(au, "keyB"), 0);
    /* pretend keyA's last report is old: the next one reports the 2 swallowed */
    for (int i = 0; i < AUTH_LOG_SLOTS; i++)
        if (!strcmp(au->recent[i].key, "keyA")) au->recent[i].last_ms -= AUTH_LOG_QUIET_MS + 1;
    ck_assert_int_eq(auth_log_due(au, "keyA"), 2);
    ck_assert_int_eq(auth_log_due(au, "keyA"), -1);
    /* more tags than slots: the oldest is recycled, nothing breaks */
    char tag[16];
    for (int i = 0; i < 3 * AUTH_LOG_SLOTS; i++) {
        snprintf(tag, sizeof tag, "k%d", i);
        ck_assert_int_eq(auth_log_due(au, tag), 0);
    }
    auth_destroy(&au);
}
END_TEST

TESTKIT_MAIN("auth", setup, teardown, 20,
             parse_valid_file,
             parse_errors_name_the_line,
             keys_never_start_with_hash,
             empty_file_authorises_nobody,
             subtrees_follow_the_hierarchy,
             reload_revokes_and_keeps_old_on_error,
             key_files_are_checked,
             zap_admits_listed_keys_only,
             router_needs_keys_and_handler,
             zap_protocol_replies,
             refusal_log_is_rate_limited)
