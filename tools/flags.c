/* flags.c -- `huizong flags` and `huizong report`: the inconsistency flags a person reads.
 *
 * Each flag is printed with its arithmetic (the explanation the rule wrote), the figures
 * in 万元, and where the printed figure came from (file:line), grouped by entity with
 * counts by severity. `flags` filters the whole year; `report` walks one entity's
 * subtree. Colours only on a terminal.
 */
#include <stdlib.h>
#include <string.h>

#include "amount.h"
#include "commands.h"
#include "csv.h"
#include "nodes.h"
#include "output.h"
#include "rules.h"

typedef struct {
    const char *db, *entity, *rule;
    uint32_t year;
    severity_t severity;     /* SEV_NONE = all; else this severity and the graver ones */
    output_format format;
    output_opts_t out;
    bool subtree;            /* report: the entity and everything under it */
    char rules[256];         /* catalogue and settings the flags were produced with */
    char empty[160];         /* what an empty listing says: no data, or no flag selected */
} flags_opts;

static bool flag_selected(const flags_opts *o, const finding_t *f)
{
    /* error (1) < warning (2) < info (3): --severity warning shows errors and warnings. */
    if (o->severity != SEV_NONE && f->severity > o->severity) return false;
    if (o->rule && strcmp(o->rule, f->rule) != 0) return false;
    return true;
}

/* Prints one entity's group header with counts by severity. */
static void group_header(const nodes_t *nodes, const findings_t *all, size_t from, size_t to,
                         const flags_opts *o)
{
    size_t counts[5] = { 0 };
    for (size_t i = from; i < to; i++)
        if (flag_selected(o, &all->items[i]) && all->items[i].severity < 5)
            counts[all->items[i].severity]++;
    const finding_t *f = &all->items[from];
    long at = nodes_find(nodes, f->entity);
    printf("%s %s %u — 错误 %zu，警告 %zu，提示 %zu\n", f->entity,
           at >= 0 ? nodes->h.items[at].name : "", f->year, counts[SEV_ERROR],
           counts[SEV_WARNING], counts[SEV_INFO]);
}

/* report: the summary of the narrative text stored with an entity's current version, one
 * "说明 NAME：…" block after its flags (nothing when it was submitted without a text). */
static void narrative_summary_block(store_t *store, const flags_opts *o, const char *entity)
{
    store_text_t t;
    if (store_text(store, entity, o->year, 0, &t) != 0) return;
    printf("  说明 %s（%zu 字节）：", t.name, t.len);
    narrative_summary_print(stdout, &t.summary);
    store_text_clear(&t);
}

/* Whether entity has a flag o selects in all. */
static bool entity_shown(const flags_opts *o, const findings_t *all, const char *entity)
{
    for (size_t i = 0; i < all->count; i++)
        if (!strcmp(all->items[i].entity, entity) && flag_selected(o, &all->items[i])) return true;
    return false;
}

/* The stored rules description ("catalogue 1, settings defaults", "catalogue 1, settings F
 * (blake2b H)", written by the aggregator) as a person reads it: 规则目录 1，默认设置. */
static void flags_rules_zh(const char *in, char *out, size_t n)
{
    char version[32] = "";
    int used = 0;
    if (sscanf(in, "catalogue %31[^,], settings %n", version, &used) != 1 || !used) {
        snprintf(out, n, "%s", in);
        return;
    }
    const char *rest = in + used;
    if (!strcmp(rest, "defaults")) snprintf(out, n, "规则目录 %s，默认设置", version);
    else snprintf(out, n, "规则目录 %s，设置文件 %s", version, rest);
}

/* nodes [from, to): the report's subtree (from == to for `flags`). */
static int flags_print(const flags_opts *o, store_t *store, const nodes_t *nodes, const findings_t *all,
                       size_t from, size_t to)
{
    bool colour = o->format == FORMAT_TEXT && tool_use_colour(stdout), first = true;
    size_t errors = 0, shown = 0;
    unsigned csv = o->out.header_ids ? FINDING_CSV_IDS : 0;
    if (o->format == FORMAT_CSV) findings_write_csv_header_as(stdout, csv);
    if (o->format == FORMAT_JSON) printf("[");
    for (size_t i = 0; i < all->count;) {
        size_t j = i;
        while (j < all->count && !strcmp(all->items[j].entity, all->items[i].entity)) j++;
        bool any = false;
        for (size_t k = i; k < j; k++) any |= flag_selected(o, &all->items[k]);
        if (any && o->format == FORMAT_TEXT) group_header(nodes, all, i, j, o);
        for (size_t k = i; k < j; k++) {
            const finding_t *f = &all->items[k];
            if (!flag_selected(o, f)) continue;
            shown++;
            if (f->severity == SEV_ERROR) errors++;
            if (o->format == FORMAT_TEXT) findings_write_text(stdout, f, colour);
            else if (o->format == FORMAT_CSV) findings_write_csv_as(stdout, f, csv);
            else {
                fputs(first ? "\n" : ",\n", stdout);
                findings_write_json(stdout, f, FINDING_JSON_WHERE);
                first = false;
            }
        }
        if (any && o->subtree && o->format == FORMAT_TEXT) narrative_summary_block(store, o, all->items[i].entity);
        i = j;
    }
    /* report: the texts of entities that have no flag shown above */
    for (size_t n = from; o->format == FORMAT_TEXT && n < to; n++) {
        const entity_t *e = &nodes->h.items[n];
        if (entity_shown(o, all, e->code)) continue;
        store_text_t t;
        if (store_text(store, e->code, o->year, 0, &t) != 0) continue;
        printf("%s %s %u — 错误 0，警告 0，提示 0\n", e->code, e->name, o->year);
        store_text_clear(&t);
        narrative_summary_block(store, o, e->code);
    }
    if (o->format == FORMAT_JSON) printf("\n]\n");
    if (o->format == FORMAT_TEXT && shown == 0) printf("%s\n", o->empty);
    char rules[320];
    flags_rules_zh(o->rules, rules, sizeof rules);
    if (o->format == FORMAT_TEXT)
        printf("共 %zu 条问题，其中错误 %zu 条（%s）\n", shown, errors, rules);
    else if (shown == 0)
        fprintf(stderr, "%s\n", o->empty);
    return errors ? EXIT_FINDINGS : EXIT_OK;
}

static void flags_usage(FILE *out, bool report)
{
    if (report)
        fprintf(out, "usage: huizong report --db DIR --entity CODE --year Y [--severity S] [--rule ID]\n"
                     "                      " OUTPUT_USAGE "\n\n"
                     "Flag report for CODE and every entity under it: per entity, counts by severity and\n"
                     "each finding with its arithmetic and source line; for an entity whose current\n"
                     "version came with a narrative text (--text), the summary of its check.\n");
    else
        fprintf(out, "usage: huizong flags --db DIR --year Y [--entity CODE] [--severity error|warning|info]\n"
                     "                     [--rule ID] " OUTPUT_USAGE "\n\n"
                     "Lists the current flags of the year, grouped by entity, each with its arithmetic.\n");
    fprintf(out, "--severity S shows S and the graver severities (warning: errors and warnings);\n"
                 "错误/警告/提示 are accepted too. CSV is UTF-8 with a byte order mark and Chinese\n"
                 "headers for Excel unless --header ids / --encoding say otherwise.\n");
    fprintf(out, "exit: 0 no error-severity flag shown, 1 some shown, 2 usage, 3 database error\n");
}

static void flags_only_usage(FILE *out) { flags_usage(out, false); }
static void report_usage(FILE *out) { flags_usage(out, true); }

static int flags_run(int argc, char **argv, bool report)
{
    flags_opts o = { .subtree = report };
    const char *severity = NULL;
    const opt_t options[] = {
        opt_text("db", &o.db), opt_call("year", &o.year, tool_option_year), opt_text("entity", &o.entity),
        opt_text("severity", &severity), opt_text("rule", &o.rule), opt_table(output_options(&o.out)), opt_end() };
    int parsed = options_parse("huizong", options, argc, argv, report ? report_usage : flags_only_usage);
    if (parsed != OPTIONS_OK) return parsed == OPTIONS_HELP ? EXIT_OK : EXIT_USAGE;
    if (severity) {
        o.severity = severity_parse(severity);
        if (o.severity == SEV_NONE || o.severity == SEV_OFF) {
            fprintf(stderr, "huizong: unknown severity '%s' (error, warning, info; 错误, 警告, 提示)\n", severity);
            return EXIT_USAGE;
        }
    }
    o.format = o.out.format;
    if (!o.db || !o.year || (report && !o.entity)) { flags_usage(stderr, report); return EXIT_USAGE; }
    store_t *store = tool_open_store(o.db);
    if (!store) return EXIT_ERROR;
    nodes_t nodes;
    findings_t all;
    findings_init(&all);
    int rc = EXIT_ERROR;
    if (nodes_load(&nodes, store) != 0) { store_destroy(&store); return EXIT_ERROR; }
    long at = o.entity ? nodes_find(&nodes, o.entity) : 0;
    if (o.entity && at < 0) {
        fprintf(stderr, "huizong: 未知单位 '%s'（不在层级中）\n", o.entity);
        goto done;
    }
    if (!report) {
        if (store_flags(store, o.year, o.entity, &all) != 0) goto done;
    } else {
        size_t end = nodes_subtree_end(&nodes, (size_t)at);
        for (size_t i = (size_t)at; i < end; i++) {
            findings_t one;   /* store_flags fills a list afresh: gather each entity's */
            findings_init(&one);
            int bad = store_flags(store, o.year, nodes.h.items[i].code, &one);
            for (size_t k = 0; !bad && k < one.count; k++)
                if (!findings_push(&all, &one.items[k])) bad = 1;
            findings_clear(&one);
            if (bad) goto done;
        }
        if (o.format == FORMAT_TEXT)
            printf("问题报告 %s %s %u（%zu 个单位）\n\n", nodes.h.items[at].code,
                   nodes.h.items[at].name, o.year, end - (size_t)at);
    }
    if (!nodes_year_has_data(&nodes, store, o.year))
        snprintf(o.empty, sizeof o.empty, "无 %u 年数据", o.year);
    else
        snprintf(o.empty, sizeof o.empty, "%u 年无符合条件的问题", o.year);
    if (store_meta_get(store, "rules", o.rules, sizeof o.rules) != 0)
        snprintf(o.rules, sizeof o.rules, "catalogue %s, settings not recorded", RULES_CATALOGUE_VERSION);
    size_t from = 0, to = 0;
    if (report) {
        from = (size_t)at;
        to = nodes_subtree_end(&nodes, (size_t)at);
    }
    if (output_begin(&o.out) != 0) goto done;
    rc = flags_print(&o, store, &nodes, &all, from, to);
    if (output_end(&o.out) != 0) rc = EXIT_ERROR;
done:
    findings_clear(&all);
    nodes_free(&nodes);
    store_destroy(&store);
    return rc;
}

int cmd_flags(int argc, char **argv) { return flags_run(argc, argv, false); }
int cmd_report(int argc, char **argv) { return flags_run(argc, argv, true); }
