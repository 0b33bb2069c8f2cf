/* main.c -- huizong-collector: dispatch to the commands (check, submit, flush, run).
 *
 * Invariant: each command parses its own options and returns the exit code documented
 * in collector.h; nothing here touches the network or the spool.
 */
#include <stdio.h>
#include <string.h>

#include "collector.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: huizong-collector COMMAND [options]   (COMMAND --help for details)\n"
        "\n"
        "  check FILE...                 validate budget CSV files and run the rules locally\n"
        "  submit FILE... --to ENDPOINT  spool and send submissions to an aggregator\n"
        "  flush --to ENDPOINT           resend everything pending in the spool\n"
        "  run --watch DIR --to ENDPOINT keep sending every CSV file dropped into DIR\n"
        "  probe --to ENDPOINT [FILE]    diagnostic: send raw bytes, print the ack\n"
        "  status --to E --entity C --year Y  review state (通过/退回) of the latest version\n"
        "\n"
        "Exit status: 0 success, 1 rejected submissions or error-severity findings,\n"
        "2 usage or input error (nothing sent), 3 local failure (spool, socket),\n"
        "4 submissions left pending in the spool (aggregator unreachable).\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return COL_EXIT_INPUT;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return COL_EXIT_OK;
    }
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } commands[] = {
        { "check", cmd_check }, { "submit", cmd_submit }, { "flush", cmd_flush }, { "run", cmd_run },
        { "probe", cmd_probe }, { "status", cmd_status },
    };
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(cmd, commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "huizong-collector: unknown command '%s'\n", cmd);
    usage(stderr);
    return COL_EXIT_INPUT;
}
