/* show.c -- `huizong show`: one entity's submitted facts and all its versions, for audit.
 * Every version stays readable; --version N shows an earlier one. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "digest.h"
#include "amount.h"
#include "commands.h"
#include "csv.h"
#include "output.h"
#include "review_history.h"

static void show_usage(FILE *out)
{
    fprintf(out,
        "usage: huizong show --db DIR --entity CODE --year Y [--version N]\n"
        "                    " OUTPUT_USAGE "\n\n"
        "       huizong show --text --db DIR --entity CODE --year Y [--version N] [--format text|json]\n\n"
        "Prints the versions submitted for CODE in year Y (id, time, facts, source) and the facts\n"
        "of the current version (or of version N), with Chinese labels and source lines.\n"
        "--text prints instead the narrative text (说明) that travelled with that version\n"
        "(huizong-collector --text), byte for byte as stored (UTF-8); with --format json, its\n"
        "name, the text and the summary of its check (claims, checked, exact, rounding,\n"
        "mismatched, not checkable with the reasons).\n"
        "exit: 0 ok, 2 usage, 3 unknown entity, nothing submitted, no text with that version\n"
        "(--text), or database error\n");
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
        printf("  版本 v%u%s  %s  %u 个数据  报送号 %s  来源 %s\n", v[i].version,
               v[i].version == shown ? " *" : "", when, v[i].fact_count, v[i].submission_id,
               v[i].source);
        if (v[i].has_digest) {
            char hex[DIGEST_HEX_LEN + 1];
            digest_hex(v[i].digest, hex);
            printf("         digest %s\n", hex);   /* BLAKE2b of its figures (docs/protocol.md) */
        }
    }
    review_history_print(store, e->code, year, v, nv);
    for (size_t i = 0; i < s->count; i++) {
        const fact_t *f = &s->facts[i];
        char amt[AMOUNT_BUF];
        const char *label = f->name && *f->name ? f->name : tool_row_label(store, f->table, f->row);
        printf("  %-12s %-16s ", table_name(f->table), f->row);
        findings_pad(stdout, label, 28);
        printf(" %-10s %14s", column_name(f->column), amount_format(f->fen, amt));
        if (f->line) printf("  （%s:%u）", s->source ? s->source : "", f->line);
        putchar('\n');
    }
}

static void show_csv(const entity_t *e, uint32_t year, const submission_t *s, uint32_t version,
                     bool ids)
{
    if (ids) printf("entity,year,version,table,row,name,column,amount,source,line\n");
    else printf("单位代码,年度,版本,表,行,名称,列,金额(万元),来源文件,来源行\n");
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

/* --text: the stored text of one version. EXIT_OK, or EXIT_ERROR (printed). */
static int show_narrative(store_t *store, const entity_t *e, uint32_t year, uint32_t version, int format)
{
    store_text_t t;
    int r = store_text(store, e->code, year, version, &t);
    if (r != 0) {
        if (r > 0) fprintf(stderr, "huizong show: %s %s %u version %u has no text (submitted without --text)\n",
                           e->code, e->name, year, version);
        else fprintf(stderr, "huizong show: cannot read the text of %s %u version %u\n", e->code, year, version);
        return EXIT_ERROR;
    }
    if (format == FORMAT_JSON) {
        printf("{\"entity\":");
        json_write_string(stdout, e->code);
        printf(",\"year\":%u,\"version\":%u,\"text_name\":", year, version);
        json_write_string(stdout, t.name);
        printf(",\"bytes\":%zu,\"summary\":", t.len);
        narrative_summary_write_json(stdout, &t.summary);
        fputs(",\"text\":", stdout);
        json_write_string(stdout, t.text);
        fputs("}\n", stdout);
    } else {
        fwrite(t.text, 1, t.len, stdout);   /* byte for byte: no header, no added newline */
    }
    store_text_clear(&t);
    return EXIT_OK;
}

int cmd_show(int argc, char **argv)
{
    int text = 0;
    const char *db = NULL, *code = NULL;
    uint32_t year = 0, version = 0;
    output_opts_t out;
    const opt_t options[] = {
        opt_text("db", &db), opt_call("year", &year, tool_option_year), opt_text("entity", &code),
        opt_uint("version", &version, 0, UINT32_MAX, NULL), opt_flag("text", &text),
        opt_table(output_options(&out)), opt_end() };
    int parsed = options_parse("huizong show", options, argc, argv, show_usage);
    if (parsed != OPTIONS_OK) return parsed == OPTIONS_HELP ? EXIT_OK : EXIT_USAGE;
    if (!db || !code || !year) { show_usage(stderr); return EXIT_USAGE; }
    output_format format = out.format;
    if (text && format == FORMAT_CSV) {
        fprintf(stderr, "huizong show: --text 只输出 text 或 json（prints text or json, not csv）\n");
        return EXIT_USAGE;
    }
    store_t *store = tool_open_store(db);
    if (!store) return EXIT_ERROR;
    int rc = EXIT_ERROR;
    entity_t e;
    store_version_t *v = NULL;
    size_t nv = 0;
    submission_t *s = NULL;
    if (store_entity(store, code, &e) != 0) {
        fprintf(stderr, "huizong show: 未知单位 '%s'（不在层级中）\n", code);
        goto done;
    }
    store_versions(store, code, year, &v, &nv);
    if (nv == 0) {
        fprintf(stderr, "huizong show: %s %s 无 %u 年报送数据\n", code, e.name, year);
        goto done;
    }
    if (!version) version = v[nv - 1].version;
    if (text) {
        rc = show_narrative(store, &e, year, version, format);
        goto done;
    }
    s = store_facts(store, code, year, version);
    if (!s) {
        fprintf(stderr, "huizong show: %s %u 年没有版本 %u\n", code, year, version);
        goto done;
    }
    if (output_begin(&out) != 0) goto done;
    if (format == FORMAT_TEXT) show_text(store, &e, year, v, nv, s, version);
    else if (format == FORMAT_CSV) show_csv(&e, year, s, version, out.header_ids);
    else show_json(&e, year, v, nv, s, version);
    rc = output_end(&out) == 0 ? EXIT_OK : EXIT_ERROR;
done:
    submission_destroy(&s);
    free(v);
    store_destroy(&store);
    return rc;
}
