/* spool.c -- the store-and-forward directory of the collector and of an aggregator
 * forwarding upstream (see spool.h).
 *
 * Invariant: every state change is a rename or an unlink followed by an fsync of the
 * directory, so after a crash a submission is in exactly one place: pending (DIR),
 * rejected (DIR/rejected) or gone (accepted). Temporaries start with a dot and end in
 * .tmp, so a listing never mistakes a half-written file for a pending submission.
 */
#include "spool.h"
#include "sort.h"

#include <assert.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "digest.h"
#include "group.h"
#include "wire.h"
#include "portable_name.h"

const char *spool_default_dir(void)
{
    const char *env = getenv("HUIZONG_SPOOL");
    return env && *env ? env : "./.huizong-spool";
}

int spool_name_ok(const char *name)
{
    return portable_name_ok(name, SPOOL_NAME_MAX);
}

static int spool_fail(char *err, size_t errlen, const char *what, const char *path)
{
    snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
    return -1;
}

int spool_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int spool_mkdir(const char *path, char *err, size_t errlen)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST) {
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return 0;
        errno = ENOTDIR;
    }
    return spool_fail(err, errlen, "cannot create directory", path);
}

int spool_open(spool_t *sp, const char *dir, char *err, size_t errlen)
{
    if (strlen(dir) + 32 >= sizeof sp->dir) {
        snprintf(err, errlen, "spool directory name too long: %s", dir);
        return -1;
    }
    snprintf(sp->dir, sizeof sp->dir, "%s", dir);
    char sub[PATH_MAX];
    snprintf(sub, sizeof sub, "%s/rejected", dir);
    if (spool_mkdir(sp->dir, err, errlen) || spool_mkdir(sub, err, errlen)) return -1;
    return 0;
}

/* dirname of path into out ("." when none). */
static void spool_parent(const char *path, char *out, size_t outlen)
{
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(out, outlen, ".");
    else if (slash == path) snprintf(out, outlen, "/");
    else snprintf(out, outlen, "%.*s", (int)(slash - path), path);
}

/* Writes n bytes at p to fd, through short writes and EINTR. 0 or -1 (errno set). */
static int s_write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The durable write of spool.h: head (hlen bytes, may be 0) then body into a dot-temporary,
 * fsync, rename into place, and -- with sync_dir -- fsync the directory. Two parts so a
 * spool file's header and packed submission go out without being copied together. */
static int s_write_file(const char *path, const void *head, size_t hlen, const void *body,
                        size_t blen, int sync_dir, char *err, size_t errlen)
{
    char parent[PATH_MAX], tmp[PATH_MAX + 64];
    spool_parent(path, parent, sizeof parent);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(tmp, sizeof tmp, "%s/.%s.%ld.tmp", parent, base, (long)getpid());

    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return spool_fail(err, errlen, "cannot create", tmp);
    if (s_write_all(fd, head, hlen) != 0 || s_write_all(fd, body, blen) != 0) {
        spool_fail(err, errlen, "cannot write", tmp);
        close(fd);
        unlink(tmp);
        return -1;
    }
    if (fsync(fd) != 0) {
        spool_fail(err, errlen, "cannot fsync", tmp);
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        spool_fail(err, errlen, "cannot rename into place", path);
        unlink(tmp);
        return -1;
    }
    if (sync_dir && spool_sync_dir(parent) != 0) return spool_fail(err, errlen, "cannot fsync directory", parent);
    return 0;
}

int spool_write_file(const char *path, const void *buf, size_t len, char *err, size_t errlen)
{
    return s_write_file(path, NULL, 0, buf, len, 1, err, errlen);
}

static int spool_path(const spool_t *sp, const char *sub, const char *name, const char *ext,
                      char *out, size_t outlen, char *err, size_t errlen)
{
    if (!spool_name_ok(name)) {
        snprintf(err, errlen, "unsafe spool file name '%s'", name);
        return -1;
    }
    snprintf(out, outlen, "%s%s%s/%s%s", sp->dir, sub ? "/" : "", sub ? sub : "", name, ext);
    return 0;
}

int spool_put(spool_t *sp, const char *name, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    char path[PATH_MAX + SPOOL_NAME_MAX + 32];
    if (spool_path(sp, NULL, name, ".pb", path, sizeof path, err, errlen)) return -1;
    return spool_write_file(path, buf, len, err, errlen);
}

int spool_read(spool_t *sp, const char *name, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
    char path[PATH_MAX + SPOOL_NAME_MAX + 32];
    if (spool_path(sp, NULL, name, ".pb", path, sizeof path, err, errlen)) return -1;
    FILE *f = fopen(path, "rb");
    if (!f) return spool_fail(err, errlen, "cannot open", path);
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        spool_fail(err, errlen, "cannot stat", path);
        fclose(f);
        return -1;
    }
    size_t n = (size_t)st.st_size;
    uint8_t *data = malloc(n ? n : 1);
    if (!data || fread(data, 1, n, f) != n) {
        snprintf(err, errlen, "cannot read %s", path);
        free(data);
        fclose(f);
        return -1;
    }
    fclose(f);
    *buf = data;
    *len = n;
    return 0;
}

int spool_remove(spool_t *sp, const char *name, char *err, size_t errlen)
{
    char path[PATH_MAX + SPOOL_NAME_MAX + 32];
    if (spool_path(sp, NULL, name, ".pb", path, sizeof path, err, errlen)) return -1;
    if (unlink(path) != 0 && errno != ENOENT) return spool_fail(err, errlen, "cannot remove", path);
    if (spool_sync_dir(sp->dir) != 0) return spool_fail(err, errlen, "cannot fsync directory", sp->dir);
    return 0;
}

int spool_reject(spool_t *sp, const char *name, const char *reason, char *err, size_t errlen)
{
    char from[PATH_MAX + SPOOL_NAME_MAX + 32], to[PATH_MAX + SPOOL_NAME_MAX + 32];
    char why[PATH_MAX + SPOOL_NAME_MAX + 32], rejdir[PATH_MAX + 16];
    if (spool_path(sp, NULL, name, ".pb", from, sizeof from, err, errlen) ||
        spool_path(sp, "rejected", name, ".pb", to, sizeof to, err, errlen) ||
        spool_path(sp, "rejected", name, ".reason", why, sizeof why, err, errlen))
        return -1;
    snprintf(rejdir, sizeof rejdir, "%s/rejected", sp->dir);
    /* The reason first: a crash before the rename leaves the submission pending (it is
     * resent and rejected again), never a rejected file without its reason. */
    size_t rlen = strlen(reason);
    char *text = malloc(rlen + 2);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(text, reason, rlen);
    text[rlen] = '\n';
    int rc = spool_write_file(why, text, rlen + 1, err, errlen);
    free(text);
    if (rc) return -1;
    if (rename(from, to) != 0) {
        if (errno == ENOENT) return 0;   /* settled by a concurrent collector */
        return spool_fail(err, errlen, "cannot move to rejected/", from);
    }
    if (spool_sync_dir(rejdir) != 0 || spool_sync_dir(sp->dir) != 0)
        return spool_fail(err, errlen, "cannot fsync directory", sp->dir);
    return 0;
}

static int spool_entry_cmp(const void *a, const void *b)
{
    const spool_entry_t *x = a, *y = b;
    if (x->mtime_ns != y->mtime_ns) return x->mtime_ns < y->mtime_ns ? -1 : 1;
    return strcmp(x->name, y->name);
}

int spool_list(spool_t *sp, spool_entry_t **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(sp->dir);
    if (!d) return spool_fail(err, errlen, "cannot open spool", sp->dir);
    spool_entry_t *items = NULL;
    size_t count = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 4 || strcmp(de->d_name + len - 3, ".pb") != 0) continue;
        char name[SPOOL_NAME_MAX + 1];
        if (len - 3 > SPOOL_NAME_MAX) continue;
        memcpy(name, de->d_name, len - 3);
        name[len - 3] = '\0';
        if (!spool_name_ok(name)) continue;
        char path[PATH_MAX + 300];
        snprintf(path, sizeof path, "%s/%s", sp->dir, de->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            spool_entry_t *grown = realloc(items, ncap * sizeof *grown);
            if (!grown) {
                free(items);
                closedir(d);
                snprintf(err, errlen, "out of memory listing %s", sp->dir);
                return -1;
            }
            items = grown;
            cap = ncap;
        }
        memcpy(items[count].name, name, len - 2);
        items[count].mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
        count++;
    }
    closedir(d);
    if (count) sort_array(items, count, sizeof *items, spool_entry_cmp);
    *out = items;
    *n = count;
    return 0;
}

/* ---- the spool header ---- */

_Static_assert(SPOOL_MAGIC_LEN == sizeof SPOOL_MAGIC - 1, "magic length");
_Static_assert(SPOOL_HEADER_LEN <= UINT16_MAX, "the header length is a 16-bit field");

#define SPOOL_OFF_VERSION 8
#define SPOOL_OFF_HLEN 10
#define SPOOL_OFF_CREATED 12
#define SPOOL_OFF_YEAR 20
#define SPOOL_OFF_FACTS 24
#define SPOOL_OFF_DIGEST 28
#define SPOOL_OFF_ID (SPOOL_OFF_DIGEST + SPOOL_DIGEST_LEN)
#define SPOOL_OFF_ENTITY (SPOOL_OFF_ID + SUBMISSION_ID_MAX + 1)
_Static_assert(SPOOL_OFF_ENTITY + SUBMISSION_ENTITY_MAX + 1 == SPOOL_HEADER_LEN, "header layout");

static void s_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static uint16_t s_get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void s_put32(uint8_t *p, uint32_t v) { s_put16(p, (uint16_t)(v >> 16)); s_put16(p + 2, (uint16_t)v); }
static uint32_t s_get32(const uint8_t *p) { return (uint32_t)s_get16(p) << 16 | s_get16(p + 2); }
static void s_put64(uint8_t *p, uint64_t v) { s_put32(p, (uint32_t)(v >> 32)); s_put32(p + 4, (uint32_t)v); }
static uint64_t s_get64(const uint8_t *p) { return (uint64_t)s_get32(p) << 32 | s_get32(p + 4); }

void spool_header_of(spool_header_t *h, const submission_t *s)
{
    assert(h && s);
    memset(h, 0, sizeof *h);
    snprintf(h->id, sizeof h->id, "%s", s->id);
    snprintf(h->entity, sizeof h->entity, "%s", s->entity);
    h->year = s->year;
    h->facts = (uint32_t)s->count;
    h->created_ms = s->created_ms;
    if (s->has_digest) memcpy(h->digest, s->digest, SPOOL_DIGEST_LEN);
}

static int s_put_submission(spool_t *sp, const char *name, const spool_header_t *h,
                            const uint8_t *payload, size_t len, int sync_dir, char *err, size_t errlen)
{
    assert(sp && name && h && (payload || !len));
    char path[PATH_MAX + SPOOL_NAME_MAX + 32];
    if (spool_path(sp, NULL, name, ".pb", path, sizeof path, err, errlen)) return -1;
    uint8_t head[SPOOL_HEADER_LEN];
    memset(head, 0, sizeof head);
    memcpy(head, SPOOL_MAGIC, SPOOL_MAGIC_LEN);
    s_put16(head + SPOOL_OFF_VERSION, SPOOL_VERSION);
    s_put16(head + SPOOL_OFF_HLEN, SPOOL_HEADER_LEN);
    s_put64(head + SPOOL_OFF_CREATED, h->created_ms);
    s_put32(head + SPOOL_OFF_YEAR, h->year);
    s_put32(head + SPOOL_OFF_FACTS, h->facts);
    memcpy(head + SPOOL_OFF_DIGEST, h->digest, SPOOL_DIGEST_LEN);
    memcpy(head + SPOOL_OFF_ID, h->id, strnlen(h->id, SUBMISSION_ID_MAX));
    memcpy(head + SPOOL_OFF_ENTITY, h->entity, strnlen(h->entity, SUBMISSION_ENTITY_MAX));
    return s_write_file(path, head, sizeof head, payload, len, sync_dir, err, errlen);
}

int spool_put_submission(spool_t *sp, const char *name, const spool_header_t *h,
                         const uint8_t *payload, size_t len, char *err, size_t errlen)
{
    return s_put_submission(sp, name, h, payload, len, 1, err, errlen);
}

int spool_put_submission_batch(spool_t *sp, const char *name, const spool_header_t *h,
                               const uint8_t *payload, size_t len, char *err, size_t errlen)
{
    return s_put_submission(sp, name, h, payload, len, 0, err, errlen);
}

int spool_sync_names(spool_t *sp, char *err, size_t errlen)
{
    if (spool_sync_dir(sp->dir) != 0) return spool_fail(err, errlen, "cannot fsync directory", sp->dir);
    return 0;
}

size_t spool_payload_offset(const uint8_t *data, size_t n)
{
    if (n < SPOOL_HEADER_LEN || memcmp(data, SPOOL_MAGIC, SPOOL_MAGIC_LEN) != 0) return 0;
    size_t hlen = s_get16(data + SPOOL_OFF_HLEN);
    if (s_get16(data + SPOOL_OFF_VERSION) != SPOOL_VERSION || hlen < SPOOL_HEADER_LEN || hlen > n)
        return 0;
    return hlen;
}

/* A NUL-padded text field of the header: non-empty, NUL-terminated inside the field. */
static int s_field(const uint8_t *p, size_t cap, char *out)
{
    size_t n = strnlen((const char *)p, cap);
    if (n == 0 || n == cap) return -1;
    memcpy(out, p, n);
    out[n] = '\0';
    return 0;
}

/* An earlier release's spool file: the bare packed submission. Its header is recovered
 * by decoding it (the only case where reading the spool decodes a submission). */
static int s_read_legacy(uint8_t *data, size_t n, spool_header_t *h,
                         uint8_t **payload, size_t *len, char *err, size_t errlen)
{
    char why[512] = "";
    submission_t *s = wire_unpack_submission(data, n, why, sizeof why);
    if (!s) {
        snprintf(err, errlen, "neither a spool header nor a submission (%s)", why);
        free(data);
        return -2;
    }
    spool_header_of(h, s);
    submission_destroy(&s);
    *payload = data;
    *len = n;
    return 0;
}

/* A file of several parts (group.h): every part's figures hash to its digest, and the
 * parts' digests to the header's. 0, or -1 with err. Frees g, unless it passed and the
 * caller asked for it (*keep not NULL): then *keep takes it. */
static int s_check_group(const spool_header_t *h, submission_group_t *g, submission_group_t **keep,
                         char *err, size_t errlen)
{
    int rc = -1;
    uint8_t d[SPOOL_DIGEST_LEN];
    size_t bad = g->count;
    for (size_t i = 0; i < g->count && bad == g->count; i++)
        if (!submission_digest_ok(g->members[i])) bad = i;
    if (bad < g->count)
        snprintf(err, errlen, "digest mismatch: the figures of %s %u in the file are not the figures "
                 "read from %s", g->members[bad]->entity, g->members[bad]->year,
                 g->source[0] ? g->source : "its input");
    else if (group_digest(g, d), !g->has_digest || memcmp(d, h->digest, SPOOL_DIGEST_LEN) != 0 ||
             memcmp(g->digest, h->digest, SPOOL_DIGEST_LEN) != 0)
        snprintf(err, errlen, "digest mismatch: the parts in the file are not the parts read from %s",
                 g->source[0] ? g->source : "its input");
    else if (strcmp(g->id, h->id) != 0 || strcmp(h->entity, GROUP_ENTITY) != 0)
        snprintf(err, errlen, "the file's id is not the header's");
    else
        rc = 0;
    if (rc == 0 && keep) *keep = g;
    else group_destroy(&g);
    return rc;
}

/* The submission after a header must be the one the header's digest was computed for:
 * it decodes, it carries that digest, and its content hashes to it (core/digest.h). A
 * header without a digest (an upstream spool of an earlier release) is not checked.
 * 0, or -1 with the reason in err. */
static int s_check_digest(const spool_header_t *h, const uint8_t *payload, size_t len,
                          submission_group_t **parts, char *err, size_t errlen)
{
    if (digest_is_zero(h->digest)) return 0;
    char why[512] = "";
    submission_t *s = NULL;
    submission_group_t *g = NULL;
    if (wire_unpack_message(payload, len, &s, &g, why, sizeof why) != 0) {
        snprintf(err, errlen, "the submission does not decode (%s)", why);
        return -1;
    }
    if (g) return s_check_group(h, g, parts, err, errlen);
    int rc = -1;
    if (!s->has_digest || memcmp(s->digest, h->digest, SPOOL_DIGEST_LEN) != 0)
        snprintf(err, errlen, "the submission's digest is not the header's");
    else if (!submission_digest_ok(s))
        snprintf(err, errlen, "digest mismatch: the figures in the file are not the figures "
                 "read from %s", s->source && s->source[0] ? s->source : "its input");
    else if (strcmp(s->id, h->id) != 0 || strcmp(s->entity, h->entity) != 0 || s->year != h->year)
        snprintf(err, errlen, "the submission's id, entity or year is not the header's");
    else
        rc = 0;
    submission_destroy(&s);
    return rc;
}

int spool_read_submission(spool_t *sp, const char *name, spool_header_t *h, uint8_t **payload,
                          size_t *len, char *err, size_t errlen)
{
    return spool_read_parts(sp, name, h, payload, len, NULL, err, errlen);
}

int spool_read_parts(spool_t *sp, const char *name, spool_header_t *h, uint8_t **payload,
                     size_t *len, submission_group_t **parts, char *err, size_t errlen)
{
    assert(sp && name && h && payload && len);
    if (parts) *parts = NULL;
    uint8_t *data;
    size_t n;
    if (spool_read(sp, name, &data, &n, err, errlen) != 0) return -1;
    memset(h, 0, sizeof *h);
    if (n == 0) {
        snprintf(err, errlen, "empty file");
        free(data);
        return -2;
    }
    /* A file cut inside its magic is a truncated spool file, not an earlier release's. */
    if (memcmp(data, SPOOL_MAGIC, n < SPOOL_MAGIC_LEN ? n : SPOOL_MAGIC_LEN) == 0 && n < SPOOL_MAGIC_LEN) {
        snprintf(err, errlen, "truncated spool header (%zu bytes)", n);
        free(data);
        return -2;
    }
    if (n < SPOOL_MAGIC_LEN || memcmp(data, SPOOL_MAGIC, SPOOL_MAGIC_LEN) != 0)
        return s_read_legacy(data, n, h, payload, len, err, errlen);
    const char *why = NULL;
    unsigned version = n >= SPOOL_OFF_HLEN + 2 ? s_get16(data + SPOOL_OFF_VERSION) : 0;
    size_t hlen = n >= SPOOL_OFF_HLEN + 2 ? s_get16(data + SPOOL_OFF_HLEN) : 0;
    if (version != SPOOL_VERSION) why = "unknown spool header version";
    else if (hlen < SPOOL_HEADER_LEN || hlen > n) why = "truncated spool header";
    else if (s_field(data + SPOOL_OFF_ID, SUBMISSION_ID_MAX + 1, h->id) || !spool_name_ok(h->id))
        why = "bad submission id in the spool header";
    else if (s_field(data + SPOOL_OFF_ENTITY, SUBMISSION_ENTITY_MAX + 1, h->entity))
        why = "bad entity in the spool header";
    if (why) {
        snprintf(err, errlen, "%s (%s.pb)", why, name);
        h->entity[0] = '\0';     /* a header that does not read names nothing */
        free(data);
        return -2;
    }
    h->created_ms = s_get64(data + SPOOL_OFF_CREATED);
    h->year = s_get32(data + SPOOL_OFF_YEAR);
    h->facts = s_get32(data + SPOOL_OFF_FACTS);
    memcpy(h->digest, data + SPOOL_OFF_DIGEST, SPOOL_DIGEST_LEN);
    if (s_check_digest(h, data + hlen, n - hlen, parts, err, errlen) != 0) {
        free(data);            /* h stays filled: the caller names entity and year */
        return -2;
    }
    /* The submission moves to the front of the buffer the caller keeps. */
    memmove(data, data + hlen, n - hlen);
    *payload = data;
    *len = n - hlen;
    return 0;
}
