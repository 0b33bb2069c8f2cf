/* main.c -- `huizong`: the command people use to read what the aggregator consolidated.
 *
 * Every subcommand opens the aggregator's LMDB directory read-only in this process (LMDB
 * readers in other processes never block the writer), so the tool works while the
 * aggregator runs, and never talks to it over the network.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command_t;

static const command_t COMMANDS[] = {
    { "tree", cmd_tree, "consolidated hierarchy with reported / declared / computed figures" },
    { "show", cmd_show, "one entity's submitted facts and versions" },
    { "flags", cmd_flags, "inconsistency flags with their arithmetic" },
    { "report", cmd_report, "a readable flag report for one entity and its subtree" },
    { "verify", cmd_verify, "recompute every total from the stored facts and compare" },
    { "rules", cmd_rules, "the rule catalogue (text, csv, json or markdown)" },
    { "export", cmd_export, "consolidated tables of a node as an Excel workbook or CSV" },
    { "template", cmd_template, "the empty printed-layout budget workbook of an entity, to fill in" },
    { "gen", cmd_gen, "generate a realistic hierarchy and submissions (tests, benchmarks)" },
    { "keygen", cmd_keygen, "write a CURVE keypair for an aggregator or a collector" },
    { "watch", cmd_watch, "print the aggregator's live events" },
};
#define NCOMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: huizong COMMAND [options]   (huizong COMMAND --help for details)\n\n"
                 "汇总 huizong: consolidated government budgets.\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-8s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fprintf(out, "\nexit codes: 0 ok, 1 findings or discrepancies reported, 2 usage error, "
                 "3 input or database error\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) { usage(stderr); return EXIT_USAGE; }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(argv[1], COMMANDS[i].name)) return COMMANDS[i].run(argc - 1, argv + 1);
    fprintf(stderr, "huizong: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return EXIT_USAGE;
}
