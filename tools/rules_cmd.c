/* rules_cmd.c -- `huizong rules`: the rule catalogue, as people and scripts read it.
 * `--format markdown` is exactly docs/rules.md (a test keeps the two identical). */
#include <string.h>

#include "commands.h"
#include "csv.h"
#include "output.h"
#include "rules.h"
#include "tables.h"

int cmd_rules(int argc, char **argv)
{
    const char *format = "text";
    int vocabulary = 0;
    output_opts_t o;
    /* --format is read here (it has markdown too): output's rows after its first, --format */
    const opt_t options[] = { opt_text("format", &format), opt_flag("vocabulary", &vocabulary),
                              opt_table(output_options(&o) + 1), opt_end() };
    int parsed = options_parse("huizong rules", options, argc, argv, NULL);
    if (parsed == OPTIONS_BAD) return EXIT_USAGE;
    if (parsed != OPTIONS_OK) {
        FILE *out = parsed == OPTIONS_HELP ? stdout : stderr;
        fprintf(out, "usage: huizong rules [--format text|csv|json|markdown] [--header zh|ids]\n"
                     "                     [--encoding utf-8-bom|utf-8|gb18030] | --vocabulary\n\n"
                     "Prints the rule catalogue (version %s): id, default severity, scope, tables read,\n"
                     "English and Chinese descriptions. markdown is docs/rules.md.\n"
                     "--vocabulary prints the printed-table vocabulary (titles, column headers, row\n"
                     "labels, units with their ids): the generated part of examples/FORMAT.md.\n", RULES_CATALOGUE_VERSION);
        return parsed == OPTIONS_HELP ? EXIT_OK : EXIT_USAGE;
    }
    if (vocabulary) { table_vocabulary_markdown(stdout); return EXIT_OK; }
    if (!strcmp(format, "markdown")) { rules_write_markdown(stdout); return EXIT_OK; }
    int f = output_format_parse(format);
    if (f < 0) return EXIT_USAGE;
    o.format = (output_format)f;
    if (output_begin(&o) != 0) return EXIT_ERROR;
    const rule_info_t *rules;
    size_t n = rules_catalogue(&rules);
    if (f == FORMAT_CSV && o.header_ids) printf("id,severity,scope,tables,en,zh\n");
    else if (f == FORMAT_CSV) printf("规则,名称,默认严重程度,范围,所读表,英文说明,中文说明\n");
    if (f == FORMAT_JSON) printf("{\"catalogue\":\"%s\",\"rules\":[", RULES_CATALOGUE_VERSION);
    for (size_t i = 0; i < n; i++) {
        const rule_info_t *r = &rules[i];
        const char *zh = rules_name_zh(r->id);
        if (f == FORMAT_TEXT) {
            printf("%-32s ", r->id);
            findings_pad(stdout, zh ? zh : "", 20);
            printf(" %s %-6s %s\n    %s\n    %s\n", severity_label(r->severity),
                   rules_scope_name(r->scope), r->tables, r->zh, r->en);
        } else if (f == FORMAT_CSV) {
            printf("%s,", r->id);
            if (!o.header_ids) { csv_write_field(stdout, zh ? zh : ""); putchar(','); }
            printf("%s,%s,", o.header_ids ? severity_name(r->severity) : severity_label(r->severity),
                   rules_scope_name(r->scope));
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
            json_write_member(stdout, ",\"en\":", r->en);
            json_write_member(stdout, ",\"zh\":", r->zh);
            putchar('}');
        }
    }
    if (f == FORMAT_JSON) printf("\n]}\n");
    if (f == FORMAT_TEXT) printf("共 %zu 条规则，目录版本 %s\n", n, RULES_CATALOGUE_VERSION);
    return output_end(&o) == 0 ? EXIT_OK : EXIT_ERROR;
}
