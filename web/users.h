/* users.h -- the accounts of `huizong serve`: a users file of one line per user,
 *
 *     NAME<TAB>ROLE<TAB>CODE[,CODE...]<TAB>$argon2id$...   (libsodium crypto_pwhash_str)
 *
 * written by `huizong passwd`, read by `huizong serve`. ROLE is viewer or reviewer; the
 * codes are the subtrees the user may see (pages and API alike).
 *
 * Invariants: a name is 1..USER_NAME_MAX bytes of [A-Za-z0-9._-]; at most USER_SUBTREES_MAX
 * subtrees; the hash is never logged or sent anywhere.
 */
#ifndef HUIZONG_WEB_USERS_H
#define HUIZONG_WEB_USERS_H

#include <stddef.h>

#define USER_NAME_MAX 64
#define USER_SUBTREES_MAX 32
#define USER_CODE_MAX 64
#define USER_HASH_MAX 128

typedef enum { ROLE_VIEWER = 1, ROLE_REVIEWER = 2 } user_role;

typedef struct {
    char name[USER_NAME_MAX + 1];
    user_role role;
    size_t nsubtrees;
    char subtrees[USER_SUBTREES_MAX][USER_CODE_MAX + 1];
    char hash[USER_HASH_MAX + 1];
} user_t;

typedef struct {
    user_t *items;
    size_t count;
} users_t;

/* Reads FILE. Returns 0 (a missing file is an empty list), or -1 with "file:line: reason". */
int users_load(users_t *u, const char *path, char *err, size_t errlen);
void users_free(users_t *u);
/* The user named name, or NULL. */
const user_t *users_find(const users_t *u, const char *name);
/* Checks password against the user's hash (constant time in libsodium). 1 = match. */
int users_check_password(const user_t *user, const char *password);
/* Adds or replaces NAME with a fresh hash of password and writes the file atomically
 * (temp file, fsync, rename). Returns 0, or -1 with err. */
int users_set(const char *path, const char *name, user_role role, const char *subtrees_csv,
              const char *password, char *err, size_t errlen);
/* "viewer" | "reviewer" -> role, 0 if unknown. */
user_role user_role_from_name(const char *name);
const char *user_role_name(user_role r);
/* Whether a name is acceptable (see invariants). */
int user_name_valid(const char *name);

#endif
