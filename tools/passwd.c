/* passwd.c -- `huizong passwd`: adds or updates an account of `huizong serve` (web/users.h).
 * The password is read from standard input (one line), never from the command line. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "options.h"
#include "users.h"

#define PASSWD_MIN 8
#define PASSWD_MAX 1024

static void passwd_usage(FILE *out)
{
    fprintf(out,
        "usage: huizong passwd --users FILE --user NAME --subtree CODE[,CODE...]\n"
        "                      [--role viewer|reviewer]   (password on standard input)\n\n"
        "Adds NAME to FILE, or replaces it, with a libsodium crypto_pwhash_str hash of the\n"
        "password read from standard input (at least %d bytes). NAME sees only the subtrees\n"
        "CODE...; a reviewer may also mark submissions 通过/退回 and flags 已核实.\n"
        "exit: 0 written, 2 usage or bad password, 3 the file could not be written\n", PASSWD_MIN);
}

int cmd_passwd(int argc, char **argv)
{
    const char *file = NULL, *name = NULL, *subtrees = NULL, *role_name = "viewer";
    const opt_t options[] = { opt_text("users", &file), opt_text("user", &name),
                              opt_text("subtree", &subtrees), opt_text("role", &role_name), opt_end() };
    int parsed = options_parse("huizong passwd", options, argc, argv, passwd_usage);
    if (parsed != OPTIONS_OK) return parsed == OPTIONS_HELP ? EXIT_OK : EXIT_USAGE;
    if (!file || !name || !subtrees || optind < argc) { passwd_usage(stderr); return EXIT_USAGE; }
    user_role role = user_role_from_name(role_name);
    if (!role) {
        fprintf(stderr, "huizong passwd: --role 应为 viewer 或 reviewer, 而不是 '%s'\n", role_name);
        return EXIT_USAGE;
    }
    char password[PASSWD_MAX + 2];
    if (!fgets(password, sizeof password, stdin)) {
        fprintf(stderr, "huizong passwd: 标准输入中没有密码\n");
        return EXIT_USAGE;
    }
    password[strcspn(password, "\r\n")] = '\0';
    if (strlen(password) < PASSWD_MIN) {
        fprintf(stderr, "huizong passwd: 密码至少 %d 个字节\n", PASSWD_MIN);
        sodium_memzero(password, sizeof password);
        return EXIT_USAGE;
    }
    char err[512] = "";
    int rc = users_set(file, name, role, subtrees, password, err, sizeof err);
    sodium_memzero(password, sizeof password);
    if (rc != 0) {
        fprintf(stderr, "huizong passwd: %s\n", err);
        return strstr(err, "无效") ? EXIT_USAGE : EXIT_ERROR;
    }
    printf("huizong passwd: %s (%s) → %s in %s\n", name, role_name, subtrees, file);
    return EXIT_OK;
}
