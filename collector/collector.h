/* collector.h -- the commands of huizong-collector and what they share.
 *
 * Exit codes (every command; documented in --help and docs/protocol.md):
 *   0  everything accepted / no error-severity findings
 *   1  a submission was rejected, or error-severity findings (check, submit --strict)
 *   2  usage error or unreadable input (CSV, hierarchy): nothing was sent
 *   3  local failure (spool directory cannot be written, socket cannot be set up)
 *   4  some submissions are still pending in the spool (aggregator not reachable in time)
 */
#ifndef HUIZONG_COL_COLLECTOR_H
#define HUIZONG_COL_COLLECTOR_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "csv.h"
#include "curve.h"
#include "findings.h"
#include "hierarchy.h"
#include "submission.h"

enum {
    COL_EXIT_OK = 0, COL_EXIT_FINDINGS = 1, COL_EXIT_INPUT = 2, COL_EXIT_LOCAL = 3,
    COL_EXIT_PENDING = 4
};

int cmd_check(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_flush(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_probe(int argc, char **argv);   /* diagnostic: raw bytes in, ack out */

/* Set by SIGTERM/SIGINT once collector_signals() ran. */
extern volatile sig_atomic_t collector_stop;
void collector_signals(void);

/* --encoding NAME -> 0, or -1 with a message on stderr. */
int collector_encoding(const char *name, csv_encoding *out);
/* Reads every file into list (all of them, reporting each error on stderr) and validates
 * every submission. Returns the number of files or submissions that failed. */
size_t collector_read_files(char **files, size_t n, csv_encoding enc, submission_list_t *list);
/* The same, and *groups (malloc'd, one entry per submission of list, NULL if none) says
 * which submissions belong together: those read from one file -- and from files sharing an
 * entity/year, which are merged -- have the same value (issue 10, finding 3: a file is
 * applied whole). */
size_t collector_read_files_grouped(char **files, size_t n, csv_encoding enc, submission_list_t *list,
                                    size_t **groups);
/* Level of an entity: from the hierarchy when given and known, else LEVEL_DEPARTMENT. */
entity_level collector_level(const hierarchy_t *h, const char *entity);
/* Loads --hierarchy when path is not NULL. Returns 0 or -1 with a message on stderr. */
int collector_load_hierarchy(const char *path, hierarchy_t *h, int *loaded);

/* The collector commands' --key/--server-key: neither given, *enabled = 0 (plain text,
 * with a warning on stderr for a tcp:// endpoint: only an --insecure aggregator accepts
 * it); both given, the keys are loaded and *enabled = 1; one alone or a bad file: an
 * error on stderr and -1. */
int collector_curve_options(curve_client_t *c, int *enabled, const char *key_file,
                            const char *server_key_file, const char *endpoint);;
/* The entries every sending command ends its getopt_long table with: --key FILE ('k'),
 * --server-key FILE ('K'), --help ('h') and the terminator. */
#define COLLECTOR_KEY_OPTIONS                                                      \
    { "key", required_argument, 0, 'k' }, { "server-key", required_argument, 0, 'K' }, \
    { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 }

/* The collector's sender log (sender_opts_t.log): each line on stderr. */
void collector_log_line(void *arg, const char *line);


/* Progress lines: core/progress.h. */
#include "progress.h"

#endif
