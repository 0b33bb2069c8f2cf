/* commands.h -- the subcommands of `huizong`, one file each (tools/<name>.c).
 *
 * Each takes the arguments after the subcommand name (argv[0] is the subcommand) and
 * returns the process exit code: 0 success, 1 findings/discrepancies reported (flags,
 * verify), 2 usage error, 3 input or database error.
 */
#ifndef HUIZONG_COMMANDS_H
#define HUIZONG_COMMANDS_H

#include "options.h"   /* every command reads its options with options_parse */

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2, EXIT_ERROR = 3 };

int cmd_tree(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_flags(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_passwd(int argc, char **argv);
int cmd_template(int argc, char **argv);

#endif
