/* portable_name.h -- the one test of a name that is safe as a file name, a key and a login:
 * ASCII letters, digits, '.', '_' and '-', not starting with '.', 1..max bytes. Used for
 * spool file names (delivery/spool.c) and web user names (web/users.c). */
#ifndef HUIZONG_PORTABLE_NAME_H
#define HUIZONG_PORTABLE_NAME_H

#include <stdbool.h>
#include <stddef.h>

/* Whether name is a portable name of at most max bytes. */
bool portable_name_ok(const char *name, size_t max);

#endif
