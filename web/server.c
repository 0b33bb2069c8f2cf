/* server.c -- `huizong serve`'s HTTP side (see web.h): routing, sessions, CSRF, login rate
 * limits, the subtree check, server-sent events, downloads.
 *
 * One libmicrohttpd daemon with a thread per connection (an SSE stream blocks its own
 * thread, never the others). The store handle is shared under store_lock: the JSON
 * builders are quick, and LMDB read transactions see each committed state.
 */
#include "web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "api.h"
#include "assets.h"
#include "json.h"
#include "review_client.h"
#include "store.h"
#include "users.h"
#include "wire.h"

#define WEB_SESSIONS_MAX 256
#define WEB_SESSION_TTL_S (8 * 3600)
#define WEB_TOKEN_BYTES 32                 /* session, CSRF and login-link tokens */
#define WEB_TOKEN_HEX (WEB_TOKEN_BYTES * 2)
#define WEB_LOGIN_WINDOW_S 300             /* failures counted over 5 minutes ... */
#define WEB_LOGIN_FAILURES_MAX 5           /* ... at most 5 per user ... */
#define WEB_LOGIN_FAILURES_ADDR_MAX 20     /* ... and 20 per address (several users behind one NAT) */
#define WEB_LIMITS_MAX 512
#define WEB_LINK_TTL_S 60                  /* a one-time login link */
#define WEB_BODY_MAX (64 * 1024)
#define WEB_SSE_POLL_MS 500
#define WEB_SSE_KEEPALIVE_S 15
#define WEB_SSE_MAX_S 600                  /* a stream ends after this (?for=N: sooner); the
                                            * browser reconnects by itself after `retry` */
#define WEB_SSE_BUF 4096
#define WEB_COOKIE "hz_session"
#define WEB_INDEX_TTL_S 5                  /* a hierarchy change shows within 5 s */

typedef struct {
    char token[WEB_TOKEN_HEX + 1];
    char csrf[WEB_TOKEN_HEX + 1];
    char link[WEB_TOKEN_HEX + 1];          /* a pending one-time login link, "" if none */
    time_t link_expires;
    char user[USER_NAME_MAX + 1];
    time_t expires;
    int used;
} session_t;

typedef struct {
    char key[128];                         /* "u:NAME" or "a:ADDRESS" */
    time_t window_start;
    int failures;
} limit_t;

typedef struct {
    const web_config_t *cfg;
    store_t *store;
    users_t users;
    int accounts;                          /* a users file was given */
    pthread_mutex_t lock;                  /* store, sessions, limits */
    session_t sessions[WEB_SESSIONS_MAX];
    limit_t limits[WEB_LIMITS_MAX];
    void *zctx;
    nodes_t ix;                        /* the hierarchy, reloaded every WEB_INDEX_TTL_S */
    time_t ix_loaded;
    int ix_valid;
    user_t dummy;                          /* checked for unknown names: same time as a real user */
} web_t;

static volatile sig_atomic_t s_stop;   /* set once SIGINT/SIGTERM arrived: SSE streams end */

/* ---- small helpers ----------------------------------------------------------------------- */

int web_host_is_loopback(const char *host)
{
    if (!strcmp(host, "localhost")) return 1;
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, host, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &a6) == 1) return IN6_IS_ADDR_LOOPBACK(&a6);
    return 0;
}

static void s_token(char out[WEB_TOKEN_HEX + 1])
{
    unsigned char raw[WEB_TOKEN_BYTES];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, WEB_TOKEN_HEX + 1, raw, sizeof raw);
}

static int s_token_eq(const char *a, const char *b)
{
    return a && b && strlen(a) == WEB_TOKEN_HEX && strlen(b) == WEB_TOKEN_HEX &&
           sodium_memcmp(a, b, WEB_TOKEN_HEX) == 0;
}

static enum MHD_Result s_send(struct MHD_Connection *c, unsigned status, const char *type,
                              const char *body, size_t len, const char *cookie)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
    if (cookie) MHD_add_response_header(r, "Set-Cookie", cookie);
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result s_json_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fprintf(f, "{\"error\":");
    json_write_string(f, msg);
    fprintf(f, ",\"status\":%u}\n", status);
    fclose(f);
    enum MHD_Result rc = s_send(c, status, "application/json; charset=utf-8", buf, len, NULL);
    free(buf);
    return rc;
}

static enum MHD_Result s_redirect(struct MHD_Connection *c, const char *to, const char *cookie)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Location", to);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (cookie) MHD_add_response_header(r, "Set-Cookie", cookie);
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_FOUND, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result s_asset(struct MHD_Connection *c, const char *path)
{
    const web_asset_t *a = web_asset_find(path);
    if (!a) return s_json_error(c, MHD_HTTP_NOT_FOUND, "没有这个页面 (not found)");
    return s_send(c, MHD_HTTP_OK, a->content_type, (const char *)a->data, a->len, NULL);
}

static void s_client_address(struct MHD_Connection *c, char *out, size_t outlen)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)outlen);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)outlen);
}

/* ---- sessions and limits (web->lock held) ------------------------------------------------ */

static session_t *s_session_find(web_t *w, const char *token)
{
    time_t now = time(NULL);
    for (int i = 0; i < WEB_SESSIONS_MAX; i++) {
        session_t *s = &w->sessions[i];
        if (!s->used) continue;
        if (s->expires < now) { memset(s, 0, sizeof *s); continue; }
        if (s_token_eq(s->token, token)) return s;
    }
    return NULL;
}

static session_t *s_session_new(web_t *w, const char *user)
{
    time_t now = time(NULL);
    session_t *slot = NULL;
    for (int i = 0; i < WEB_SESSIONS_MAX; i++) {
        session_t *s = &w->sessions[i];
        if (!s->used || s->expires < now) { slot = s; break; }
        if (!slot || s->expires < slot->expires) slot = s;   /* full: the oldest goes */
    }
    memset(slot, 0, sizeof *slot);
    slot->used = 1;
    s_token(slot->token);
    s_token(slot->csrf);
    snprintf(slot->user, sizeof slot->user, "%s", user);
    slot->expires = now + WEB_SESSION_TTL_S;
    return slot;
}

static limit_t *s_limit(web_t *w, const char *key)
{
    time_t now = time(NULL);
    limit_t *free_slot = NULL, *oldest = NULL;
    for (int i = 0; i < WEB_LIMITS_MAX; i++) {
        limit_t *l = &w->limits[i];
        if (l->key[0] && now - l->window_start >= WEB_LOGIN_WINDOW_S) memset(l, 0, sizeof *l);
        if (!l->key[0]) { if (!free_slot) free_slot = l; continue; }
        if (!strcmp(l->key, key)) return l;
        if (!oldest || l->window_start < oldest->window_start) oldest = l;
    }
    limit_t *l = free_slot ? free_slot : oldest;
    memset(l, 0, sizeof *l);
    snprintf(l->key, sizeof l->key, "%s", key);
    l->window_start = now;
    return l;
}

/* The hierarchy index (web->lock held): the cached one, reloaded once it is
 * WEB_INDEX_TTL_S old (a province's 25,000 entities take tens of ms to read). NULL if the
 * store cannot be read. */
static const nodes_t *s_index(web_t *w)
{
    time_t now = time(NULL);
    if (w->ix_valid && now - w->ix_loaded < WEB_INDEX_TTL_S) return &w->ix;
    nodes_t fresh;
    if (nodes_load(&fresh, w->store) != 0) return w->ix_valid ? &w->ix : NULL;
    if (w->ix_valid) nodes_free(&w->ix);
    w->ix = fresh;
    w->ix_valid = 1;
    w->ix_loaded = now;
    return &w->ix;
}

/* ---- request context --------------------------------------------------------------------- */

typedef struct {
    char *body;
    size_t len;
    int too_big;
    int started;
} request_t;

typedef struct {
    char user[USER_NAME_MAX + 1];
    user_role role;
    char csrf[WEB_TOKEN_HEX + 1];
    size_t nsubtrees;
    char subtrees[USER_SUBTREES_MAX][USER_CODE_MAX + 1];
    int anonymous;                 /* no users file: everything visible */
} who_t;

/* The session's user, or 0 if none (or no longer in the users file). */
static int s_who(web_t *w, struct MHD_Connection *c, who_t *who)
{
    memset(who, 0, sizeof *who);
    if (!w->accounts) {
        who->anonymous = 1;
        who->role = ROLE_REVIEWER;
        snprintf(who->user, sizeof who->user, "local");
        return 1;
    }
    const char *token = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, WEB_COOKIE);
    if (!token) return 0;
    pthread_mutex_lock(&w->lock);
    session_t *s = s_session_find(w, token);
    const user_t *u = s ? users_find(&w->users, s->user) : NULL;
    if (u) {
        snprintf(who->user, sizeof who->user, "%s", u->name);
        who->role = u->role;
        memcpy(who->csrf, s->csrf, sizeof who->csrf);
        who->nsubtrees = u->nsubtrees;
        memcpy(who->subtrees, u->subtrees, sizeof who->subtrees);
    }
    pthread_mutex_unlock(&w->lock);
    return u != NULL;
}

static int s_may_see(const nodes_t *ix, const who_t *who, const char *code)
{
    if (who->anonymous) return 1;
    for (size_t i = 0; i < who->nsubtrees; i++)
        if (nodes_within(ix, code, who->subtrees[i])) return 1;
    return 0;
}

/* The entity to answer for: ?entity=, else the user's first subtree, else the first root. */
static const char *s_entity_arg(struct MHD_Connection *c, const who_t *who, const nodes_t *ix)
{
    const char *e = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "entity");
    if (e && *e) return e;
    if (!who->anonymous && who->nsubtrees) return who->subtrees[0];
    return ix->h.count ? ix->h.items[0].code : "";
}

static uint32_t s_u32_arg(struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    if (!v || !*v) return 0;
    char *end = NULL;
    unsigned long n = strtoul(v, &end, 10);
    return *end || n > 1000000 ? 0 : (uint32_t)n;
}

/* ---- form bodies (application/x-www-form-urlencoded, through MHD's own decoder) --------- */

#define FORM_FIELDS_MAX 8
#define FORM_VALUE_MAX 2048
typedef struct {
    char name[FORM_FIELDS_MAX][32];
    char value[FORM_FIELDS_MAX][FORM_VALUE_MAX];
    int n;
} form_t;

/* Decodes "a=1&b=x%20y" with MHD_http_unescape (libmicrohttpd's decoder). */
static void s_form_parse(const char *body, size_t len, form_t *form)
{
    memset(form, 0, sizeof *form);
    char *copy = strndup(body ? body : "", len);
    char *save = NULL;
    for (char *pair = strtok_r(copy, "&", &save); pair && form->n < FORM_FIELDS_MAX;
         pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '=');
        if (!eq) continue;
        *eq = '\0';
        for (char *p = eq + 1; *p; p++) if (*p == '+') *p = ' ';
        MHD_http_unescape(pair);
        MHD_http_unescape(eq + 1);
        snprintf(form->name[form->n], sizeof form->name[0], "%s", pair);
        snprintf(form->value[form->n], sizeof form->value[0], "%s", eq + 1);
        form->n++;
    }
    free(copy);
}

static const char *s_form_get(const form_t *form, const char *name)
{
    for (int i = 0; i < form->n; i++)
        if (!strcmp(form->name[i], name)) return form->value[i];
    return NULL;
}

/* ---- the API ------------------------------------------------------------------------------ */

static char *s_session_cookie(const web_t *w, const char *token, int clear)
{
    char *cookie = NULL;
    if (asprintf(&cookie, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", WEB_COOKIE,
                 clear ? "" : token, w->cfg->tls_cert ? "; Secure" : "",
                 clear ? "; Max-Age=0" : "") < 0)
        return NULL;
    return cookie;
}

static enum MHD_Result s_login(web_t *w, struct MHD_Connection *c, const request_t *req)
{
    if (!w->accounts) return s_json_error(c, MHD_HTTP_BAD_REQUEST, "本服务未配置账户 (--users)");
    form_t form;
    s_form_parse(req->body, req->len, &form);
    const char *name = s_form_get(&form, "user"), *password = s_form_get(&form, "password");
    if (!name || !password) return s_json_error(c, MHD_HTTP_BAD_REQUEST, "需要 user 和 password");
    char addr[INET6_ADDRSTRLEN] = "", kuser[128], kaddr[128];
    s_client_address(c, addr, sizeof addr);
    snprintf(kuser, sizeof kuser, "u:%s", name);
    snprintf(kaddr, sizeof kaddr, "a:%s", addr);
    pthread_mutex_lock(&w->lock);
    limit_t *lu = s_limit(w, kuser), *la = s_limit(w, kaddr);
    int blocked = lu->failures >= WEB_LOGIN_FAILURES_MAX || la->failures >= WEB_LOGIN_FAILURES_ADDR_MAX;
    const user_t *u = users_find(&w->users, name);
    user_t copy;
    if (u) copy = *u;
    pthread_mutex_unlock(&w->lock);
    if (blocked) {
        fprintf(stderr, "huizong serve: login refused for %s from %s: too many failures\n", name, addr);
        return s_json_error(c, MHD_HTTP_TOO_MANY_REQUESTS, "登录失败次数过多，请 5 分钟后再试");
    }
    /* the hash check runs outside the lock: it takes tens of ms by design */
    int ok = users_check_password(u ? &copy : &w->dummy, password) && u;
    pthread_mutex_lock(&w->lock);
    if (!ok) {
        lu = s_limit(w, kuser);
        la = s_limit(w, kaddr);
        lu->failures++;
        la->failures++;
        pthread_mutex_unlock(&w->lock);
        fprintf(stderr, "huizong serve: login failed for %s from %s\n", name, addr);
        return s_json_error(c, MHD_HTTP_UNAUTHORIZED, "用户名或密码错误");
    }
    session_t *s = s_session_new(w, copy.name);
    char token[WEB_TOKEN_HEX + 1], csrf[WEB_TOKEN_HEX + 1];
    memcpy(token, s->token, sizeof token);
    memcpy(csrf, s->csrf, sizeof csrf);
    pthread_mutex_unlock(&w->lock);
    char *cookie = s_session_cookie(w, token, 0);
    char body[512];
    int len = snprintf(body, sizeof body, "{\"user\":\"%s\",\"role\":\"%s\",\"csrf\":\"%s\"}\n",
                       copy.name, user_role_name(copy.role), csrf);
    enum MHD_Result rc = s_send(c, MHD_HTTP_OK, "application/json; charset=utf-8", body, (size_t)len, cookie);
    free(cookie);
    return rc;
}

static enum MHD_Result s_logout(web_t *w, struct MHD_Connection *c)
{
    const char *token = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, WEB_COOKIE);
    pthread_mutex_lock(&w->lock);
    session_t *s = token ? s_session_find(w, token) : NULL;
    if (s) memset(s, 0, sizeof *s);
    pthread_mutex_unlock(&w->lock);
    char *cookie = s_session_cookie(w, "", 1);
    enum MHD_Result rc = s_send(c, MHD_HTTP_OK, "application/json; charset=utf-8", "{\"ok\":true}\n", 12, cookie);
    free(cookie);
    return rc;
}

/* POST /api/login-link: a one-time link (WEB_LINK_TTL_S) that opens a new session of the
 * same user, for a second browser (or a headless one in a test). */
static enum MHD_Result s_login_link(web_t *w, struct MHD_Connection *c)
{
    const char *token = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, WEB_COOKIE);
    char link[WEB_TOKEN_HEX + 1] = "";
    pthread_mutex_lock(&w->lock);
    session_t *s = token ? s_session_find(w, token) : NULL;
    if (s) {
        s_token(s->link);
        s->link_expires = time(NULL) + WEB_LINK_TTL_S;
        memcpy(link, s->link, sizeof link);
    }
    pthread_mutex_unlock(&w->lock);
    if (!link[0]) return s_json_error(c, MHD_HTTP_UNAUTHORIZED, "请先登录");
    char body[256];
    int len = snprintf(body, sizeof body, "{\"url\":\"/login?token=%s\",\"expires_s\":%d}\n", link, WEB_LINK_TTL_S);
    return s_send(c, MHD_HTTP_OK, "application/json; charset=utf-8", body, (size_t)len, NULL);
}

/* GET /login?token=T: consumes a one-time link, then to / with a fresh session cookie. */
static enum MHD_Result s_login_page(web_t *w, struct MHD_Connection *c)
{
    const char *link = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
    if (!link || !w->accounts) return s_asset(c, "/login.html");
    char user[USER_NAME_MAX + 1] = "", token[WEB_TOKEN_HEX + 1] = "";
    time_t now = time(NULL);
    pthread_mutex_lock(&w->lock);
    for (int i = 0; i < WEB_SESSIONS_MAX; i++) {
        session_t *s = &w->sessions[i];
        if (!s->used || !s->link[0] || !s_token_eq(s->link, link)) continue;
        int fresh = s->link_expires >= now;
        memset(s->link, 0, sizeof s->link);      /* one time, expired or not */
        if (fresh) memcpy(user, s->user, sizeof user);
        break;
    }
    if (user[0]) memcpy(token, s_session_new(w, user)->token, sizeof token);
    pthread_mutex_unlock(&w->lock);
    if (!user[0]) return s_asset(c, "/login.html");
    char *cookie = s_session_cookie(w, token, 0);
    const char *next = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "next");
    /* only a local path: never an open redirect */
    enum MHD_Result rc = s_redirect(c, next && next[0] == '/' && next[1] != '/' ? next : "/", cookie);
    free(cookie);
    return rc;
}

static enum MHD_Result s_me(struct MHD_Connection *c, const who_t *who)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fprintf(f, "{\"user\":");
    json_write_string(f, who->user);
    fprintf(f, ",\"role\":\"%s\",\"csrf\":\"%s\",\"anonymous\":%s,\"subtrees\":[",
            user_role_name(who->role), who->csrf, who->anonymous ? "true" : "false");
    for (size_t i = 0; i < who->nsubtrees; i++) {
        if (i) fputc(',', f);
        json_write_string(f, who->subtrees[i]);
    }
    fprintf(f, "]}\n");
    fclose(f);
    enum MHD_Result rc = s_send(c, MHD_HTTP_OK, "application/json; charset=utf-8", buf, len, NULL);
    free(buf);
    return rc;
}

/* Downloads: the existing exporter (`huizong export`) into a temp file, sent as is. */
static enum MHD_Result s_export(web_t *w, struct MHD_Connection *c, uint32_t year, const char *code)
{
    const char *fmt = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
    if (!fmt || (strcmp(fmt, "csv") && strcmp(fmt, "xlsx")))
        return s_json_error(c, MHD_HTTP_BAD_REQUEST, "format 应为 xlsx 或 csv");
    char dir[] = "/tmp/huizong-serve.XXXXXX";
    if (!mkdtemp(dir)) return s_json_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "无法创建临时目录");
    char out[512], ys[16];
    snprintf(out, sizeof out, "%s/export.%s", dir, fmt);
    snprintf(ys, sizeof ys, "%u", year);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) { dup2(devnull, 1); dup2(devnull, 2); }
        execl(w->cfg->self_exe, "huizong", "export", "--db", w->cfg->db, "--year", ys, "--entity",
              code, "--format", fmt, "--out", out, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid > 0) waitpid(pid, &status, 0);
    FILE *f = pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) <= 1 ? fopen(out, "rb") : NULL;
    enum MHD_Result rc;
    if (!f) {
        rc = s_json_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "导出失败 (huizong export)");
    } else {
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        char *data = malloc(n > 0 ? (size_t)n : 1);
        size_t got = data ? fread(data, 1, (size_t)n, f) : 0;
        fclose(f);
        struct MHD_Response *r = MHD_create_response_from_buffer(got, data, MHD_RESPMEM_MUST_FREE);
        MHD_add_response_header(r, "Content-Type", !strcmp(fmt, "csv") ? "text/csv; charset=utf-8"
                                : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        char disp[256];
        snprintf(disp, sizeof disp, "attachment; filename=\"%s-%u.%s\"", code, year, fmt);
        MHD_add_response_header(r, "Content-Disposition", disp);
        rc = MHD_queue_response(c, MHD_HTTP_OK, r);
        MHD_destroy_response(r);
    }
    unlink(out);
    rmdir(dir);
    return rc;
}

/* ---- server-sent events --------------------------------------------------------------- */

typedef struct {
    web_t *w;
    who_t who;
    void *sub;
    uint64_t last_seq;
    time_t last_write, deadline;
    char pending[WEB_SSE_BUF * 2];
    size_t plen, poff;
    int hello;
} sse_t;

static void s_sse_event(sse_t *s, const event_t *ev)
{
    int gap = s->last_seq && ev->seq != s->last_seq + 1;
    s->last_seq = ev->seq;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (gap) fprintf(f, "event: gap\ndata: {\"seq\":%llu}\n\n", (unsigned long long)ev->seq);
    /* an event about an entity outside the user's subtrees is not shown; totals of an
     * ancestor of the user's subtrees are not theirs to see either */
    pthread_mutex_lock(&s->w->lock);
    int visible = s->who.anonymous;
    const nodes_t *ix = visible ? NULL : s_index(s->w);
    if (ix) visible = s_may_see(ix, &s->who, ev->entity);
    pthread_mutex_unlock(&s->w->lock);
    if (visible) {
        fprintf(f, "id: %llu\nevent: %s\ndata: {\"seq\":%llu,\"kind\":", (unsigned long long)ev->seq,
                ev->kind, (unsigned long long)ev->seq);
        json_write_string(f, ev->kind);
        fprintf(f, ",\"entity\":");
        json_write_string(f, ev->entity);
        fprintf(f, ",\"year\":%u,\"version\":%u,\"submission_id\":", ev->year, ev->version);
        json_write_string(f, ev->submission_id);
        fprintf(f, ",\"detail\":");
        json_write_string(f, ev->detail);
        fprintf(f, "}\n\n");
    }
    fclose(f);
    if (len <= sizeof s->pending - s->plen) { memcpy(s->pending + s->plen, buf, len); s->plen += len; }
    free(buf);
}

static ssize_t s_sse_read(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    sse_t *s = cls;
    if (!s->hello) {
        s->hello = 1;
        s->plen = (size_t)snprintf(s->pending, sizeof s->pending, "retry: 2000\nevent: hello\ndata: {}\n\n");
    }
    while (s->poff == s->plen) {
        s->poff = s->plen = 0;
        if (s_stop || time(NULL) >= s->deadline) return MHD_CONTENT_READER_END_OF_STREAM;
        if (!s->sub) {
            s->sub = zmq_socket(s->w->zctx, ZMQ_SUB);
            int linger = 0;
            zmq_setsockopt(s->sub, ZMQ_LINGER, &linger, sizeof linger);
            zmq_setsockopt(s->sub, ZMQ_SUBSCRIBE, "", 0);
            for (size_t i = 0; i < s->w->cfg->nevents; i++) zmq_connect(s->sub, s->w->cfg->events[i]);
        }
        zmq_pollitem_t item = { s->sub, 0, ZMQ_POLLIN, 0 };
        int n = zmq_poll(&item, 1, WEB_SSE_POLL_MS);
        if (n > 0) {
            zmq_msg_t part[2];
            zmq_msg_init(&part[0]);
            zmq_msg_init(&part[1]);
            int ok = zmq_msg_recv(&part[0], s->sub, ZMQ_DONTWAIT) >= 0 && zmq_msg_more(&part[0]) &&
                     zmq_msg_recv(&part[1], s->sub, 0) >= 0;
            while (ok && zmq_msg_more(&part[1])) {   /* extra frames of a newer aggregator */
                zmq_msg_close(&part[1]);
                zmq_msg_init(&part[1]);
                zmq_msg_recv(&part[1], s->sub, 0);
            }
            event_t ev;
            char err[256];
            if (ok && wire_unpack_event(zmq_msg_data(&part[1]), zmq_msg_size(&part[1]), &ev, err, sizeof err) == 0)
                s_sse_event(s, &ev);
            zmq_msg_close(&part[0]);
            zmq_msg_close(&part[1]);
        }
        if (s->plen == 0 && time(NULL) - s->last_write >= WEB_SSE_KEEPALIVE_S)
            s->plen = (size_t)snprintf(s->pending, sizeof s->pending, ": keepalive\n\n");
    }
    size_t n = s->plen - s->poff;
    if (n > max) n = max;
    memcpy(out, s->pending + s->poff, n);
    s->poff += n;
    s->last_write = time(NULL);
    return (ssize_t)n;
}

static void s_sse_free(void *cls)
{
    sse_t *s = cls;
    if (s->sub) zmq_close(s->sub);
    free(s);
}

static enum MHD_Result s_events(web_t *w, struct MHD_Connection *c, const who_t *who)
{
    if (!w->cfg->nevents) return s_json_error(c, MHD_HTTP_NOT_FOUND, "未配置事件源 (--events)");
    sse_t *s = calloc(1, sizeof *s);
    s->w = w;
    s->who = *who;
    s->last_write = time(NULL);
    uint32_t span = s_u32_arg(c, "for");
    s->deadline = s->last_write + (span && span < WEB_SSE_MAX_S ? span : WEB_SSE_MAX_S);
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, WEB_SSE_BUF,
                                                              s_sse_read, s, s_sse_free);
    MHD_add_response_header(r, "Content-Type", "text/event-stream; charset=utf-8");
    fprintf(stderr, "huizong serve: event stream opened for %s\n", who->user);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return rc;
}

/* ---- review (POST /api/review) ---------------------------------------------------------- */

static enum MHD_Result s_review(web_t *w, struct MHD_Connection *c, const who_t *who,
                                const request_t *req)
{
    if (who->role != ROLE_REVIEWER) return s_json_error(c, MHD_HTTP_FORBIDDEN, "只有审核人 (reviewer) 可以审核");
    form_t form;
    s_form_parse(req->body, req->len, &form);
    review_request_t rq;
    memset(&rq, 0, sizeof rq);
    const char *entity = s_form_get(&form, "entity"), *year = s_form_get(&form, "year");
    const char *version = s_form_get(&form, "version"), *decision = s_form_get(&form, "decision");
    const char *reason = s_form_get(&form, "reason"), *flag = s_form_get(&form, "flag");
    if (!entity || !year || !decision)
        return s_json_error(c, MHD_HTTP_BAD_REQUEST, "需要 entity、year、decision");
    pthread_mutex_lock(&w->lock);
    const nodes_t *ix = s_index(w);
    int known = ix && nodes_find(ix, entity) >= 0, allowed = known && s_may_see(ix, who, entity);
    pthread_mutex_unlock(&w->lock);
    if (!known) return s_json_error(c, MHD_HTTP_NOT_FOUND, "没有这个单位");
    if (!allowed) return s_json_error(c, MHD_HTTP_FORBIDDEN, "无权查看此单位 (不在您的范围内)");
    snprintf(rq.entity, sizeof rq.entity, "%s", entity);
    rq.year = (uint32_t)strtoul(year, NULL, 10);
    rq.version = version ? (uint32_t)strtoul(version, NULL, 10) : 0;
    snprintf(rq.decision, sizeof rq.decision, "%s", decision);
    snprintf(rq.reason, sizeof rq.reason, "%s", reason ? reason : "");
    snprintf(rq.flag, sizeof rq.flag, "%s", flag ? flag : "");
    snprintf(rq.reviewer, sizeof rq.reviewer, "%s", who->user);
    if (!w->cfg->aggregator)
        return s_json_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "未配置汇总服务 (--aggregator)，审核无法保存");
    char answer[512] = "";
    int rc = review_client_send(w->zctx, w->cfg->aggregator, w->cfg->key, w->cfg->server_key, &rq,
                                answer, sizeof answer);
    if (rc < 0) return s_json_error(c, MHD_HTTP_BAD_GATEWAY, answer);
    if (rc > 0) return s_json_error(c, MHD_HTTP_UNPROCESSABLE_CONTENT, answer);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fprintf(f, "{\"ok\":true,\"message\":");
    json_write_string(f, answer);
    fprintf(f, "}\n");
    fclose(f);
    enum MHD_Result r = s_send(c, MHD_HTTP_OK, "application/json; charset=utf-8", buf, len, NULL);
    free(buf);
    return r;
}

/* ---- routing --------------------------------------------------------------------------- */

typedef int (*api_fn)(web_t *w, nodes_t *ix, struct MHD_Connection *c, uint32_t year,
                      const char *code, FILE *out);

static enum MHD_Result s_api_read(web_t *w, struct MHD_Connection *c, const who_t *who, const char *path)
{
    uint32_t year = s_u32_arg(c, "year");
    pthread_mutex_lock(&w->lock);
    const nodes_t *ixp = s_index(w);
    if (!ixp) {
        pthread_mutex_unlock(&w->lock);
        return s_json_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "无法读取数据库的层级");
    }
    nodes_t ix = *ixp;   /* a shallow copy: valid while the lock is held */
    const char *code = s_entity_arg(c, who, &ix);
    char codebuf[USER_CODE_MAX + 1];
    snprintf(codebuf, sizeof codebuf, "%s", code);
    enum MHD_Result result;
    int status = 0;
    char *buf = NULL;
    size_t len = 0;
    if (nodes_find(&ix, codebuf) < 0) status = MHD_HTTP_NOT_FOUND;
    else if (!s_may_see(&ix, who, codebuf)) status = MHD_HTTP_FORBIDDEN;
    else if (!year && strcmp(path, "/api/years") && strcmp(path, "/api/export")) status = MHD_HTTP_BAD_REQUEST;
    if (status || !strcmp(path, "/api/export")) {
        pthread_mutex_unlock(&w->lock);
        if (status == MHD_HTTP_NOT_FOUND) return s_json_error(c, status, "没有这个单位 (unknown entity)");
        if (status == MHD_HTTP_FORBIDDEN) return s_json_error(c, status, "无权查看此单位 (不在您的范围内)");
        if (status) return s_json_error(c, status, "需要 year 参数");
        if (!year) return s_json_error(c, MHD_HTTP_BAD_REQUEST, "需要 year 参数");
        return s_export(w, c, year, codebuf);
    }
    FILE *out = open_memstream(&buf, &len);
    int rc = 0;
    if (!strcmp(path, "/api/tree")) rc = web_api_tree(w->store, &ix, year, codebuf, out);
    else if (!strcmp(path, "/api/node")) rc = web_api_node(w->store, &ix, year, codebuf, out);
    else if (!strcmp(path, "/api/flags"))
        rc = web_api_flags(w->store, &ix, year, codebuf,
                           MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "severity"),
                           MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "rule"), out);
    else if (!strcmp(path, "/api/submissions"))
        rc = web_api_submissions(w->store, &ix, year, codebuf, s_u32_arg(c, "a"), s_u32_arg(c, "b"), out);
    else if (!strcmp(path, "/api/years")) rc = web_api_years(w->store, &ix, codebuf, out);
    else rc = -2;
    fclose(out);
    pthread_mutex_unlock(&w->lock);
    if (rc == -2) result = s_json_error(c, MHD_HTTP_NOT_FOUND, "没有这个接口 (unknown API)");
    else if (rc != 0) result = s_json_error(c, MHD_HTTP_NOT_FOUND, "没有这个单位 (unknown entity)");
    else result = s_send(c, MHD_HTTP_OK, "application/json; charset=utf-8", buf, len, NULL);
    free(buf);
    return result;
}

static enum MHD_Result s_handle(void *cls, struct MHD_Connection *c, const char *url,
                                const char *method, const char *version, const char *upload,
                                size_t *upload_size, void **con_cls)
{
    (void)version;
    web_t *w = cls;
    request_t *req = *con_cls;
    if (!req) {
        req = calloc(1, sizeof *req);
        if (!req) return MHD_NO;
        *con_cls = req;
        if (strcmp(method, "POST") == 0) return MHD_YES;   /* the body follows */
    }
    if (*upload_size) {
        if (req->len + *upload_size > WEB_BODY_MAX) req->too_big = 1;
        else {
            char *grown = realloc(req->body, req->len + *upload_size + 1);
            if (!grown) return MHD_NO;
            req->body = grown;
            memcpy(req->body + req->len, upload, *upload_size);
            req->len += *upload_size;
            req->body[req->len] = '\0';
        }
        *upload_size = 0;
        return MHD_YES;
    }
    int is_post = !strcmp(method, "POST");
    if (!is_post && strcmp(method, "GET") && strcmp(method, "HEAD"))
        return s_json_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "不支持的方法");
    if (req->too_big) return s_json_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "请求过大");

    if (!strcmp(url, "/app.js") || !strcmp(url, "/app.css") || !strcmp(url, "/login.js") ||
        !strcmp(url, "/favicon.svg"))
        return s_asset(c, url);
    if (!strcmp(url, "/login") && !is_post) return s_login_page(w, c);
    if (!strcmp(url, "/api/login") && is_post) return s_login(w, c, req);

    who_t who;
    int authed = s_who(w, c, &who);
    int is_api = !strncmp(url, "/api/", 5);
    if (!authed) {
        if (is_api) return s_json_error(c, MHD_HTTP_UNAUTHORIZED, "请先登录 (no session)");
        return s_asset(c, "/login.html");
    }
    if (is_post && !who.anonymous) {
        const char *csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
        if (!s_token_eq(csrf, who.csrf))
            return s_json_error(c, MHD_HTTP_FORBIDDEN, "缺少或错误的 CSRF 令牌 (X-CSRF-Token)");
    }
    if (!is_api) return s_asset(c, "/index.html");
    if (is_post) {
        if (!strcmp(url, "/api/logout")) return s_logout(w, c);
        if (!strcmp(url, "/api/login-link")) return s_login_link(w, c);
        if (!strcmp(url, "/api/review")) return s_review(w, c, &who, req);
        return s_json_error(c, MHD_HTTP_NOT_FOUND, "没有这个接口 (unknown API)");
    }
    if (!strcmp(url, "/api/me")) return s_me(c, &who);
    if (!strcmp(url, "/api/events")) return s_events(w, c, &who);
    return s_api_read(w, c, &who, url);
}

static void s_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                        enum MHD_RequestTerminationCode toe)
{
    (void)cls; (void)c; (void)toe;
    request_t *req = *con_cls;
    if (req) { free(req->body); free(req); }
    *con_cls = NULL;
}

/* ---- start ---------------------------------------------------------------------------- */

static char *s_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf) { buf[fread(buf, 1, (size_t)n, f)] = '\0'; }
    fclose(f);
    return buf;
}

/* "HOST:PORT" or "[V6]:PORT" into a socket address. 0 or -1. */
static int s_parse_listen(const char *listen, char *host, size_t hostlen, struct sockaddr_storage *ss)
{
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen) return -1;
    size_t hl = (size_t)(colon - listen);
    const char *h = listen;
    if (listen[0] == '[' && hl >= 2 && listen[hl - 1] == ']') { h++; hl -= 2; }
    if (hl >= hostlen) return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    struct addrinfo hints = { 0 }, *res = NULL;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    if (getaddrinfo(host, colon + 1, &hints, &res) != 0 || !res) return -1;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return 0;
}

int web_serve(const web_config_t *cfg)
{
    const char *listen = cfg->listen ? cfg->listen : "127.0.0.1:8080";
    char host[256];
    struct sockaddr_storage ss;
    if (s_parse_listen(listen, host, sizeof host, &ss) != 0) {
        fprintf(stderr, "huizong serve: --listen '%s' 应为 HOST:PORT\n", listen);
        return 2;
    }
    int tls = cfg->tls_cert && cfg->tls_key;
    if ((cfg->tls_cert != NULL) != (cfg->tls_key != NULL)) {
        fprintf(stderr, "huizong serve: --tls-cert 和 --tls-key 须同时给出\n");
        return 2;
    }
    if (!web_host_is_loopback(host) && !tls && !cfg->insecure) {
        fprintf(stderr, "huizong serve: refusing to listen on %s without TLS (--tls-cert/--tls-key), "
                        "or pass --insecure: 非本机地址必须使用 TLS\n", listen);
        return 2;
    }
    if (!web_host_is_loopback(host) && !cfg->users && !cfg->insecure) {
        fprintf(stderr, "huizong serve: refusing to listen on %s without accounts (--users): "
                        "非本机地址必须配置账户\n", listen);
        return 2;
    }
    if (sodium_init() < 0) { fprintf(stderr, "huizong serve: libsodium init failed\n"); return 3; }
    web_t *w = calloc(1, sizeof *w);
    w->cfg = cfg;
    pthread_mutex_init(&w->lock, NULL);
    char err[512] = "";
    if (cfg->users) {
        w->accounts = 1;
        if (users_load(&w->users, cfg->users, err, sizeof err) != 0) {
            fprintf(stderr, "huizong serve: %s\n", err);
            free(w);
            return 2;
        }
    }
    /* a hash no password matches (random), so an unknown user costs one verification too */
    char random_pw[WEB_TOKEN_HEX + 1];
    s_token(random_pw);
    if (crypto_pwhash_str(w->dummy.hash, random_pw, strlen(random_pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        fprintf(stderr, "huizong serve: crypto_pwhash_str failed (out of memory)\n");
        users_free(&w->users);
        free(w);
        return 3;
    }
    w->store = store_open(cfg->db, STORE_READONLY, err, sizeof err);
    if (!w->store) {
        fprintf(stderr, "huizong serve: cannot open database %s: %s\n", cfg->db, err);
        users_free(&w->users);
        free(w);
        return 3;
    }
    w->zctx = zmq_ctx_new();
    char *cert = tls ? s_read_file(cfg->tls_cert) : NULL, *key = tls ? s_read_file(cfg->tls_key) : NULL;
    if (tls && (!cert || !key)) {
        fprintf(stderr, "huizong serve: cannot read %s or %s\n", cfg->tls_cert, cfg->tls_key);
        return 3;
    }
    /* SIGINT/SIGTERM are blocked in every thread (the daemon's inherit the mask) and taken
     * by sigwait below; SIGPIPE of a closed browser connection is ignored */
    sigset_t stop_set;
    sigemptyset(&stop_set);
    sigaddset(&stop_set, SIGINT);
    sigaddset(&stop_set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_set, NULL);
    signal(SIGPIPE, SIG_IGN);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_ERROR_LOG | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0) |
                     (tls ? MHD_USE_TLS : 0);
    struct MHD_Daemon *d;
    if (tls)
        d = MHD_start_daemon(flags, 0, NULL, NULL, s_handle, w, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                             MHD_OPTION_NOTIFY_COMPLETED, s_completed, w, MHD_OPTION_HTTPS_MEM_CERT, cert,
                             MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_END);
    else
        d = MHD_start_daemon(flags, 0, NULL, NULL, s_handle, w, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                             MHD_OPTION_NOTIFY_COMPLETED, s_completed, w, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "huizong serve: cannot listen on %s: %s\n", listen, strerror(errno));
        store_destroy(&w->store);
        return 3;
    }
    /* port 0: the kernel chose one; print the real one (tests read it from this line) */
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = di ? di->port : 0;
    int v6 = ss.ss_family == AF_INET6;
    printf("huizong serve: serving %s://%s%s%s:%u on %s%s\n", tls ? "https" : "http", v6 ? "[" : "", host,
           v6 ? "]" : "", port, cfg->db,
           w->accounts ? "" : " (no accounts: everything visible to anyone who reaches it)");
    fflush(stdout);
    int sig = 0;
    sigwait(&stop_set, &sig);
    s_stop = 1;
    MHD_stop_daemon(d);
    zmq_ctx_term(w->zctx);
    if (w->ix_valid) nodes_free(&w->ix);
    store_destroy(&w->store);
    users_free(&w->users);
    free(cert);
    free(key);
    pthread_mutex_destroy(&w->lock);
    free(w);
    printf("huizong serve: stopped\n");
    return 0;
}
