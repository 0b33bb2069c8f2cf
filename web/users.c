/* users.c -- the users file of `huizong serve` (see users.h). */
#include "users.h"
#include "portable_name.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define USERS_LINE_MAX 4096

user_role user_role_from_name(const char *name)
{
    if (!strcmp(name, "viewer")) return ROLE_VIEWER;
    if (!strcmp(name, "reviewer")) return ROLE_REVIEWER;
    return 0;
}

const char *user_role_name(user_role r)
{
    return r == ROLE_REVIEWER ? "reviewer" : "viewer";
}

int user_name_valid(const char *name)
{
    return portable_name_ok(name, USER_NAME_MAX);
}

/* Splits "A,B,C" into user->subtrees. 0, or -1 if a code is empty, too long or too many. */
static int s_parse_subtrees(user_t *user, const char *csv)
{
    user->nsubtrees = 0;
    const char *p = csv;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0 || len > USER_CODE_MAX || user->nsubtrees == USER_SUBTREES_MAX) return -1;
        memcpy(user->subtrees[user->nsubtrees], p, len);
        user->subtrees[user->nsubtrees++][len] = '\0';
        p += len + (comma ? 1 : 0);
        if (comma && !*p) return -1;
    }
    return user->nsubtrees ? 0 : -1;
}

/* One line "NAME\tROLE\tCODES\tHASH" -> user. 0 or -1 with a reason. */
static int s_parse_line(char *line, user_t *user, const char **reason)
{
    char *fields[4];
    char *save = NULL, *tok = strtok_r(line, "\t", &save);
    int n = 0;
    while (tok && n < 4) { fields[n++] = tok; tok = strtok_r(NULL, "\t", &save); }
    if (n != 4 || tok) { *reason = "需要 4 个以 TAB 分隔的字段 (name, role, subtrees, hash)"; return -1; }
    if (!user_name_valid(fields[0])) { *reason = "用户名无效"; return -1; }
    if (!(user->role = user_role_from_name(fields[1]))) { *reason = "角色应为 viewer 或 reviewer"; return -1; }
    if (s_parse_subtrees(user, fields[2]) != 0) { *reason = "下级范围 (subtrees) 无效"; return -1; }
    if (strlen(fields[3]) > USER_HASH_MAX || strncmp(fields[3], "$argon2", 7) != 0) {
        *reason = "密码散列无效 (应为 crypto_pwhash_str)";
        return -1;
    }
    strcpy(user->name, fields[0]);
    strcpy(user->hash, fields[3]);
    return 0;
}

int users_load(users_t *u, const char *path, char *err, size_t errlen)
{
    memset(u, 0, sizeof *u);
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) return 0;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[USERS_LINE_MAX];
    unsigned lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#') continue;
        user_t user;
        memset(&user, 0, sizeof user);
        const char *reason = NULL;
        if (s_parse_line(line, &user, &reason) != 0) {
            snprintf(err, errlen, "%s:%u: %s", path, lineno, reason);
            fclose(f);
            users_free(u);
            return -1;
        }
        user_t *grown = realloc(u->items, (u->count + 1) * sizeof *grown);
        if (!grown) { fclose(f); users_free(u); snprintf(err, errlen, "out of memory"); return -1; }
        u->items = grown;
        u->items[u->count++] = user;
    }
    fclose(f);
    return 0;
}

void users_free(users_t *u)
{
    free(u->items);
    memset(u, 0, sizeof *u);
}

const user_t *users_find(const users_t *u, const char *name)
{
    for (size_t i = 0; i < u->count; i++)
        if (!strcmp(u->items[i].name, name)) return &u->items[i];
    return NULL;
}

int users_check_password(const user_t *user, const char *password)
{
    return crypto_pwhash_str_verify(user->hash, password, strlen(password)) == 0;
}

int users_set(const char *path, const char *name, user_role role, const char *subtrees_csv,
              const char *password, char *err, size_t errlen)
{
    if (sodium_init() < 0) { snprintf(err, errlen, "libsodium 初始化失败"); return -1; }
    user_t fresh;
    memset(&fresh, 0, sizeof fresh);
    if (!user_name_valid(name)) { snprintf(err, errlen, "用户名 '%s' 无效 (字母、数字、. _ -)", name); return -1; }
    if (s_parse_subtrees(&fresh, subtrees_csv) != 0) {
        snprintf(err, errlen, "--subtree '%s' 无效 (CODE[,CODE…], 最多 %d 个)", subtrees_csv, USER_SUBTREES_MAX);
        return -1;
    }
    strcpy(fresh.name, name);
    fresh.role = role;
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        snprintf(err, errlen, "crypto_pwhash_str 失败 (内存不足)");
        return -1;
    }
    users_t u;
    if (users_load(&u, path, err, errlen) != 0) return -1;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) { snprintf(err, errlen, "%s: %s", tmp, strerror(errno)); users_free(&u); return -1; }
    int replaced = 0;
    for (size_t i = 0; i <= u.count; i++) {
        const user_t *w;
        if (i < u.count) {
            w = &u.items[i];
            if (!strcmp(w->name, name)) { if (replaced) continue; w = &fresh; replaced = 1; }
        } else {
            if (replaced) break;
            w = &fresh;
        }
        fprintf(f, "%s\t%s\t", w->name, user_role_name(w->role));
        for (size_t k = 0; k < w->nsubtrees; k++) fprintf(f, "%s%s", k ? "," : "", w->subtrees[k]);
        fprintf(f, "\t%s\n", w == &fresh ? hash : w->hash);
    }
    users_free(&u);
    sodium_memzero(hash, sizeof hash);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}
