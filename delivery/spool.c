/* spool.c -- the store-and-forward directory of the collector and of an aggregator
 * forwarding upstream (see spool.h).
 *
 * Invariant: every state change is a rename or an unlink followed by an fsync of the
 * directory, so after a crash a submission is in exactly one place: pending (DIR),
 * rejected (DIR/rejected) or gone (accepted). Temporaries start with a dot and end in
 * .tmp, so a listing never mistakes a half-written file for a pending submission.
 */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *spool_default_dir(void)
{
    const char *env = getenv("HUIZONG_SPOOL");
    return env && *env ? env : "./.huizong-spool";
}

int spool_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > SPOOL_NAME_MAX || name[0] == '.') return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return 1;
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

int spool_write_file(const char *path, const void *buf, size_t len, char *err, size_t errlen)
{
    char parent[PATH_MAX], tmp[PATH_MAX + 64];
    spool_parent(path, parent, sizeof parent);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(tmp, sizeof tmp, "%s/.%s.%ld.tmp", parent, base, (long)getpid());

    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return spool_fail(err, errlen, "cannot create", tmp);
    const uint8_t *p = buf;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR) continue;
            spool_fail(err, errlen, "cannot write", tmp);
            close(fd);
            unlink(tmp);
            return -1;
        }
        p += w;
        left -= (size_t)w;
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
    if (spool_sync_dir(parent) != 0) return spool_fail(err, errlen, "cannot fsync directory", parent);
    return 0;
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
    if (count) qsort(items, count, sizeof *items, spool_entry_cmp);
    *out = items;
    *n = count;
    return 0;
}
