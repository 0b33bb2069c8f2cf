/* check.c -- `huizong-collector check`: read, validate and run the submission rules
 * locally, before anything is sent.
 *
 * Invariant: the rules are the same code the aggregator runs (rules_check),
 * so a clean check means the aggregator will raise no submission-level flag either
 * (level rules, which need the other entities, only run in the aggregator).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "amount.h"
#include "json.h"
#include "collector.h"
#include "rules.h"
#include "tables.h"

static void check_usage(FILE *f)
{
    fprintf(f,
        "usage: huizong-collector check FILE... [--encoding utf-8|gb18030|auto]\n"
        "                               [--hierarchy entities.csv] [--settings rules.conf]\n"
        "                               [--format text|json] [--max-errors N] [--chart FILE]\n"
        "\n"
        "Reads budget CSV files (examples/FORMAT.md), validates every submission and runs\n"
        "the submission rules locally. Nothing is sent. Each entity's level comes from\n"
        "--hierarchy; without it it is taken as a department and the required tables are not\n"
        "checked (the level is unknown). With --hierarchy, an entity\n"
        "that is not in it is an input error (the aggregator would refuse it). The level\n"
        "decides the tables that must be present (table.required; --settings require.LEVEL).\n"
        "--chart FILE (kind,code,name,first_year,last_year) flags every code the chart does\n"
        "not list for the year (code.unknown). Every input error of a file is printed at\n"
        "once (at most --max-errors per file, default %d).\n"
        "\n"
        "Exit status: 0 no error-severity findings, 1 error-severity findings,\n"
        "2 usage error or an input file that cannot be read (each error is printed).\n",
        CSV_MAX_ERRORS_DEFAULT);
}

int cmd_check(int argc, char **argv)
{
    const char *enc_name = "utf-8", *hier_path = NULL, *settings_path = NULL, *format = "text";
    const char *chart_path = NULL;
    static const struct option longopts[] = {
        { "encoding", required_argument, 0, 'e' }, { "hierarchy", required_argument, 0, 'H' },
        { "settings", required_argument, 0, 's' }, { "format", required_argument, 0, 'f' },
        { "max-errors", required_argument, 0, 'M' }, { "chart", required_argument, 0, 'C' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    size_t max_errors = CSV_MAX_ERRORS_DEFAULT;
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'e': enc_name = optarg; break;
        case 'H': hier_path = optarg; break;
        case 's': settings_path = optarg; break;
        case 'f': format = optarg; break;
        case 'C': chart_path = optarg; break;
        case 'M': if (collector_max_errors(optarg, &max_errors)) return COL_EXIT_INPUT; break;
        case 'h': check_usage(stdout); return COL_EXIT_OK;
        default: check_usage(stderr); return COL_EXIT_INPUT;
        }
    }
    int json = strcmp(format, "json") == 0;
    if (!json && strcmp(format, "text") != 0) {
        fprintf(stderr, "huizong-collector: --format must be text or json\n");
        return COL_EXIT_INPUT;
    }
    if (optind >= argc) {
        fprintf(stderr, "huizong-collector: check needs at least one FILE (see check --help)\n");
        return COL_EXIT_INPUT;
    }
    csv_encoding enc;
    if (collector_encoding(enc_name, &enc) != 0) return COL_EXIT_INPUT;
    hierarchy_t h;
    int have_h;
    if (collector_load_hierarchy(hier_path, &h, &have_h) != 0) return COL_EXIT_INPUT;
    char err[512] = "";
    rule_settings_t *settings = rule_settings_load(settings_path, err, sizeof err);
    if (!settings) {
        fprintf(stderr, "%s\n", err[0] ? err : settings_path);
        hierarchy_free(&h);
        return COL_EXIT_INPUT;
    }

    chart_t *chart = NULL;
    if (collector_load_chart(chart_path, settings, &chart) != 0) {
        rule_settings_destroy(&settings);
        hierarchy_free(&h);
        return COL_EXIT_INPUT;
    }

    submission_list_t list;
    submission_list_init(&list);
    size_t failed = collector_read_files_max(argv + optind, (size_t)(argc - optind), enc,
                                             max_errors, &list);
    unsigned total_e = 0, total_w = 0, total_i = 0;
    if (json) fputs("{\"submissions\":[", stdout);
    for (size_t i = 0; i < list.count; i++) {
        submission_t *s = list.items[i];
        findings_t fs;
        findings_init(&fs);
        entity_level level = collector_level(have_h ? &h : NULL, s->entity);
        const entity_t *known = have_h ? hierarchy_find(&h, s->entity) : NULL;
        if (have_h && !known) {
            /* the aggregator refuses an entity it does not know: an input error here too */
            fprintf(stderr, "%s: 单位代码 %s 不在层级文件 %s 中（%u 年度 %zu 个数字）；"
                            "the aggregator would refuse it\n",
                    s->source && s->source[0] ? s->source : "input", s->entity, hier_path,
                    s->year, s->count);
            failed++;
        }
        /* Without a hierarchy the level is a guess: the required tables are not checked
         * (a unit taken as a department would lack seven of them). */
        if (rules_check_entity(s, have_h ? level : LEVEL_NONE, settings, &fs) != 0) {
            fprintf(stderr, "huizong-collector: the rule engine failed on %s %u\n", s->entity, s->year);
            failed++;
        }
        unsigned ne, nw, ni;
        findings_count(&fs, &ne, &nw, &ni);
        total_e += ne;
        total_w += nw;
        total_i += ni;
        if (json) {
            printf("%s{\"entity\":", i ? "," : "");
            json_write_string(stdout, s->entity);
            printf(",\"year\":%u,\"facts\":%zu,\"level\":", s->year, s->count);
            json_write_string(stdout, level_name(level));
            fputs(",\"source\":", stdout);
            json_write_string(stdout, s->source);
            printf(",\"errors\":%u,\"warnings\":%u,\"info\":%u,\"findings\":[", ne, nw, ni);
            for (size_t k = 0; k < fs.count; k++) {
                if (k) fputc(',', stdout);
                findings_write_json(stdout, &fs.items[k], 0);
            }
            fputs("]}", stdout);
        } else {
            const entity_t *e = have_h ? hierarchy_find(&h, s->entity) : NULL;
            printf("%s %u: %zu facts (%s%s%s, %s): %u errors, %u warnings, %u info\n",
                   s->entity, s->year, s->count, e ? e->name : "", e ? ", " : "",
                   level_name(level), s->source && s->source[0] ? s->source : "-", ne, nw, ni);
            for (size_t k = 0; k < fs.count; k++) findings_write_line(stdout, &fs.items[k]);
        }
        findings_clear(&fs);
    }
    if (!have_h && !json && list.count)
        printf("note: no --hierarchy: the tables each level must publish (table.required) are "
               "not checked\n");
    if (json)
        printf("],\"input_errors\":%zu,\"errors\":%u,\"warnings\":%u,\"info\":%u}\n",
               failed, total_e, total_w, total_i);
    else if (list.count > 1 || failed)
        printf("%zu submissions: %u errors, %u warnings, %u info%s\n", list.count, total_e, total_w,
               total_i, failed ? "; input errors above" : "");
    submission_list_free(&list);
    rule_settings_destroy(&settings);
    chart_destroy(&chart);
    hierarchy_free(&h);
    if (failed) return COL_EXIT_INPUT;
    return total_e ? COL_EXIT_FINDINGS : COL_EXIT_OK;
}
