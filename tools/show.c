/* show.c -- `huizong show`: one entity's submitted facts and all its versions, for audit.
 * Every version stays readable; --version N shows an earlier one. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "digest.h"
#include "amount.h"
#include "commands.h"
#include "csv.h"
#include "output.h"

static void show_usage(FILE *out)
{
    fprintf(out,
        "usage: huizong show --db DIR --entity CODE --year Y [--version N] [--format text|csv|json]\n\n"
        "Prints the versions submitted for CODE in year Y (id, time, facts, source) and the facts\n"
        "of the current version (or of version N), with Chinese labels and source lines.\n"
        "exit: 0 ok, 2 usage, 3 unknown entity, nothing submitted, or database error\n");
}

static void format_time(uint64_t ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void show_text(store_t *store, const entity_t *e, uint32_t year,
                      const store_version_t *v, size_t nv, const submission_t *s, uint32_t shown)
{
    printf("%s %s [%s] %u\n", e->code, e->name, level_label(e->level), year);
    for (size_t i = 0; i < nv; i++) {
        char when[32];
        format_time(v[i].received_ms, when);
        printf("  版本 v%u%s  %s  %u facts  id %s  source %s\n", v[i].version,
               v[i].version == shown ? " *" : "", when, v[i].fact_count, v[i].submission_id,
               v[i].source);
        if (v[i].has_digest) {
            char hex[DIGEST_HEX_LEN + 1];
            digest_hex(v[i].digest, hex);
            printf("         digest %s\n", hex);   /* BLAKE2b of its figures (docs/protocol.md) */
        }
    }
    for (size_t i = 0; i < s->count; i++) {
        const fact_t *f = &s->facts[i];
        char amt[AMOUNT_BUF];
        const char *label = f->name && *f->name ? f->name : tool_row_label(store, f->table, f->row);
        printf("  %-12s %-16s %-28s %-10s %14s", table_name(f->table), f->row, label,
               column_name(f->column), amount_format(f->fen, amt));
        if (f->line) printf("  (%s:%u)", s->source ? s->source : "", f->line);
        putchar('\n');
    }
}

static void show_csv(const entity_t *e, uint32_t year, const submission_t *s, uint32_t version)
{
    printf("entity,year,version,table,row,name,column,amount,source,line\n");
    for (size_t i = 0; i < s->count; i++) {
        const fact_t *f = &s->facts[i];
        char amt[AMOUNT_BUF];
        printf("%s,%u,%u,%s,", e->code, year, version, table_name(f->table));
        csv_write_field(stdout, f->row);
        putchar(',');
        csv_write_field(stdout, f->name ? f->name : "");
        printf(",%s,%s,", column_name(f->column), amount_format(f->fen, amt));
        csv_write_field(stdout, s->source ? s->source : "");
        printf(",%u\n", f->line);
    }
}

static void show_json(const entity_t *e, uint32_t year, const store_version_t *v, size_t nv,
                      const submission_t *s, uint32_t version)
{
    printf("{\"entity\":");
    json_write_string(stdout, e->code);
    printf(",\"name\":");
    json_write_string(stdout, e->name);
    printf(",\"year\":%u,\"version\":%u,\"versions\":[", year, version);
    for (size_t i = 0; i < nv; i++) {
        printf("%s{\"version\":%u,\"submission_id\":", i ? "," : "", v[i].version);
        json_write_string(stdout, v[i].submission_id);
        printf(",\"received_ms\":%llu,\"facts\":%u,\"source\":",
               (unsigned long long)v[i].received_ms, v[i].fact_count);
        json_write_string(stdout, v[i].source);
        if (v[i].has_digest) {
            char hex[DIGEST_HEX_LEN + 1];
            digest_hex(v[i].digest, hex);
            printf(",\"digest\":\"%s\"", hex);
        }
        putchar('}');
    }
    printf("],\"facts\":[");
    for (size_t i = 0; i < s->count; i++) {
        const fact_t *f = &s->facts[i];
        char amt[AMOUNT_BUF];
        printf("%s\n{\"table\":\"%s\",\"row\":", i ? "," : "", table_name(f->table));
        json_write_string(stdout, f->row);
        printf(",\"name\":");
        json_write_string(stdout, f->name);
        printf(",\"column\":\"%s\",\"amount\":\"%s\",\"amount_fen\":%lld,\"line\":%u}",
               column_name(f->column), amount_format(f->fen, amt), (long long)f->fen, f->line);
    }
    printf("\n]}\n");
}

int cmd_show(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "db", required_argument, 0, 'd' }, { "year", required_argument, 0, 'y' },
        { "entity", required_argument, 0, 'e' }, { "version", required_argument, 0, 'v' },
        { "format", required_argument, 0, 'f' }, { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    const char *db = NULL, *code = NULL;
    uint32_t year = 0, version = 0;
    int format = FORMAT_TEXT, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'e': code = optarg; break;
        case 'y': if (!(year = tool_parse_year(optarg))) return EXIT_USAGE; break;
        case 'v': version = (uint32_t)strtoul(optarg, NULL, 10); break;
        case 'f': if ((format = output_format_parse(optarg)) < 0) return EXIT_USAGE; break;
        case 'h': show_usage(stdout); return EXIT_OK;
        default: show_usage(stderr); return EXIT_USAGE;
        }
    }
    if (!db || !code || !year) { show_usage(stderr); return EXIT_USAGE; }
    store_t *store = tool_open_store(db);
    if (!store) return EXIT_ERROR;
    int rc = EXIT_ERROR;
    entity_t e;
    store_version_t *v = NULL;
    size_t nv = 0;
    submission_t *s = NULL;
    if (store_entity(store, code, &e) != 0) {
        fprintf(stderr, "huizong show: unknown entity '%s'\n", code);
        goto done;
    }
    store_versions(store, code, year, &v, &nv);
    if (nv == 0) {
        fprintf(stderr, "huizong show: %s %s has no submission for %u\n", code, e.name, year);
        goto done;
    }
    if (!version) version = v[nv - 1].version;
    s = store_facts(store, code, year, version);
    if (!s) {
        fprintf(stderr, "huizong show: %s has no version %u for %u\n", code, version, year);
        goto done;
    }
    if (format == FORMAT_TEXT) show_text(store, &e, year, v, nv, s, version);
    else if (format == FORMAT_CSV) show_csv(&e, year, s, version);
    else show_json(&e, year, v, nv, s, version);
    rc = EXIT_OK;
done:
    submission_destroy(&s);
    free(v);
    store_destroy(&store);
    return rc;
}
