/* rules_cmd.c -- `huizong rules`: the rule catalogue, as people and scripts read it.
 * `--format markdown` is exactly docs/rules.md (a test keeps the two identical). */
#include <getopt.h>
#include <string.h>

#include "commands.h"
#include "csv.h"
#include "output.h"
#include "rules.h"
#include "tables.h"

int cmd_rules(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "format", required_argument, 0, 'f' }, { "vocabulary", no_argument, 0, 'v' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    const char *format = "text";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'f') { format = optarg; continue; }
        if (c == 'v') { table_vocabulary_markdown(stdout); return EXIT_OK; }
        FILE *out = c == 'h' ? stdout : stderr;
        fprintf(out, "usage: huizong rules [--format text|csv|json|markdown] | --vocabulary\n\n"
                     "Prints the rule catalogue (version %s): id, default severity, scope, tables read,\n"
                     "English and Chinese descriptions. markdown is docs/rules.md.\n"
                     "--vocabulary prints the printed-table vocabulary (titles, column headers, row\n"
                     "labels, units with their ids): the generated part of examples/FORMAT.md.\n", RULES_CATALOGUE_VERSION);
        return c == 'h' ? EXIT_OK : EXIT_USAGE;
    }
    if (!strcmp(format, "markdown")) { rules_write_markdown(stdout); return EXIT_OK; }
    int f = output_format_parse(format);
    if (f < 0) return EXIT_USAGE;
    const rule_info_t *rules;
    size_t n = rules_catalogue(&rules);
    if (f == FORMAT_CSV) printf("id,severity,scope,tables,en,zh\n");
    if (f == FORMAT_JSON) printf("{\"catalogue\":\"%s\",\"rules\":[", RULES_CATALOGUE_VERSION);
    for (size_t i = 0; i < n; i++) {
        const rule_info_t *r = &rules[i];
        if (f == FORMAT_TEXT) {
            printf("%-32s %-8s %-6s %s\n    %s\n    %s\n", r->id, severity_name(r->severity),
                   rules_scope_name(r->scope), r->tables, r->en, r->zh);
        } else if (f == FORMAT_CSV) {
            printf("%s,%s,%s,", r->id, severity_name(r->severity), rules_scope_name(r->scope));
            csv_write_field(stdout, r->tables);
            putchar(',');
            csv_write_field(stdout, r->en);
            putchar(',');
            csv_write_field(stdout, r->zh);
            putchar('\n');
        } else {
            printf("%s\n{\"id\":", i ? "," : "");
            json_write_string(stdout, r->id);
            printf(",\"severity\":\"%s\",\"scope\":\"%s\",\"tables\":", severity_name(r->severity),
                   rules_scope_name(r->scope));
            json_write_string(stdout, r->tables);
            printf(",\"en\":");
            json_write_string(stdout, r->en);
            printf(",\"zh\":");
            json_write_string(stdout, r->zh);
            putchar('}');
        }
    }
    if (f == FORMAT_JSON) printf("\n]}\n");
    if (f == FORMAT_TEXT) printf("%zu rules, catalogue %s\n", n, RULES_CATALOGUE_VERSION);
    return EXIT_OK;
}
