/* verify.c -- `huizong verify`: recompute every node's totals from the stored facts and
 * compare them with the figures the aggregator maintained by deltas. A clean database
 * prints nothing but the summary line and exits 0.
 *
 * Text is one line a discrepancy (Chinese) and the summary 核对完毕：N 处差异; CSV (Chinese
 * headers by default, --header ids) and JSON one record a discrepancy, the JSON wrapped
 * with the count, so a script can tell a clean store from a broken one without parsing
 * text. */
#include <string.h>

#include "amount.h"
#include "commands.h"
#include "csv.h"
#include "output.h"

typedef struct {
    const output_opts_t *out;
    long n;
} verify_ctx;

static void verify_amount(char buf[AMOUNT_BUF], bool has, int64_t fen)
{
    if (has) amount_format(fen, buf); else buf[0] = '\0';
}

static void verify_print(const store_discrepancy_t *d, void *arg)
{
    verify_ctx *ctx = arg;
    char st[AMOUNT_BUF], re[AMOUNT_BUF];
    verify_amount(st, d->has_stored, d->stored);
    verify_amount(re, d->has_recomputed, d->recomputed);
    switch (ctx->out->format) {
    case FORMAT_TEXT:
        printf("%s %u %s/%s/%s：维护的汇总数 %s，重算 %s", d->entity, d->year, table_name(d->table),
               d->row, column_name(d->column), d->has_stored ? st : "无", d->has_recomputed ? re : "无");
        if (d->has_stored && d->has_recomputed && d->stored == d->recomputed)
            printf("；计入下级数 %u，重算 %u", d->stored_contributors, d->recomputed_contributors);
        putchar('\n');
        break;
    case FORMAT_CSV:
        printf("%s,%u,%s,", d->entity, d->year, table_name(d->table));
        csv_write_field(stdout, d->row);
        printf(",%s,%s,%s,%u,%u\n", column_name(d->column), st, re, d->stored_contributors,
               d->recomputed_contributors);
        break;
    case FORMAT_JSON:
        printf("%s\n{\"entity\":", ctx->n ? "," : "");
        json_write_string(stdout, d->entity);
        printf(",\"year\":%u,\"table\":\"%s\",\"row\":", d->year, table_name(d->table));
        json_write_string(stdout, d->row);
        printf(",\"column\":\"%s\",\"stored\":", column_name(d->column));
        if (d->has_stored) printf("\"%s\",\"stored_fen\":%lld", st, (long long)d->stored);
        else printf("null,\"stored_fen\":null");
        printf(",\"recomputed\":");
        if (d->has_recomputed) printf("\"%s\",\"recomputed_fen\":%lld", re, (long long)d->recomputed);
        else printf("null,\"recomputed_fen\":null");
        printf(",\"stored_contributors\":%u,\"recomputed_contributors\":%u}", d->stored_contributors,
               d->recomputed_contributors);
        break;
    }
    ctx->n++;
}

static void verify_usage(FILE *out)
{
    fprintf(out, "usage: huizong verify --db DIR " OUTPUT_USAGE "\n\n"
                 "Recomputes every node's computed and reported figures from the stored current\n"
                 "facts and declarations, and compares them with the maintained ones.\n"
                 "exit: 0 clean, 1 discrepancies (each printed), 3 database error\n");
}

int cmd_verify(int argc, char **argv)
{
    const char *db = NULL;
    output_opts_t out;
    const opt_t options[] = { opt_text("db", &db), opt_table(output_options(&out)), opt_end() };
    int parsed = options_parse("huizong verify", options, argc, argv, verify_usage);
    if (parsed != OPTIONS_OK) return parsed == OPTIONS_HELP ? EXIT_OK : EXIT_USAGE;
    store_t *store = tool_open_store(db);
    if (!store) return EXIT_ERROR;
    if (output_begin(&out) != 0) { store_destroy(&store); return EXIT_ERROR; }
    if (out.format == FORMAT_CSV && out.header_ids)
        printf("entity,year,table,row,column,stored,recomputed,stored_contributors,recomputed_contributors\n");
    else if (out.format == FORMAT_CSV)
        printf("单位代码,年度,表,行,列,维护的汇总数(万元),重算汇总数(万元),维护的计入下级数,重算计入下级数\n");
    else if (out.format == FORMAT_JSON)
        printf("{\"discrepancies\":[");
    verify_ctx ctx = { &out, 0 };
    long bad = store_verify_each(store, verify_print, &ctx);
    store_destroy(&store);
    if (out.format == FORMAT_JSON) printf("\n],\"count\":%ld}\n", bad < 0 ? 0 : bad);
    if (out.format == FORMAT_TEXT && bad >= 0) printf("核对完毕：%ld 处差异\n", bad);
    if (output_end(&out) != 0) return EXIT_ERROR;
    if (bad < 0) { fprintf(stderr, "huizong verify: could not read %s\n", db); return EXIT_ERROR; }
    return bad ? EXIT_FINDINGS : EXIT_OK;
}
