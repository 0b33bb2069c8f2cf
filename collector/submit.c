/* submit.c -- `huizong-collector submit` and `flush`: store-and-forward of submissions.
 *
 * Invariants: submit reads and validates every file before spooling anything (one bad
 * file: nothing is sent); every submission is durably spooled before its first send; the
 * whole spool is then sent oldest first, so an earlier pending version of an entity/year
 * is delivered before a newer one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"
#include "curve.h"
#include "delivery.h"
#include "rules.h"

#define EXIT_CODES_HELP \
    "Exit status: 0 every submission accepted (a replayed ack counts), 1 a submission was\n" \
    "rejected (moved to SPOOL/rejected/ with a .reason file), 2 usage or input error\n" \
    "(nothing sent), 3 local failure (spool not writable), 4 some submissions still\n" \
    "pending in the spool (aggregator not reachable before the deadline: run flush later).\n" \
    "1 takes precedence over 4. A collector whose key the aggregator refuses (or that\n" \
    "has no key, or the wrong --server-key) cannot connect: it exits 4, and the reason\n" \
    "is in the aggregator's log.\n"

static void submit_usage(FILE *f)
{
    fprintf(f,
        "usage: huizong-collector submit FILE... --to ENDPOINT [--key FILE --server-key FILE]\n"
        "                                [--spool DIR] [--timeout MS]\n"
        "                                [--deadline S] [--encoding E] [--strict]\n"
        "                                [--hierarchy FILE] [--settings FILE] [--window N]\n"
        "                                [--window-bytes BYTES]\n"
        "                                [--entity CODE] [--year Y]\n"
        "                                [--text DOC.txt [--text-entity CODE] [--text-encoding E]]\n"
        "                                [--max-errors N] [--chart FILE] [--readers N]\n"
        "\n"
        "Reads every FILE first (any CSV error: nothing is sent), writes each submission to\n"
        "the spool (default $HUIZONG_SPOOL, else ./.huizong-spool), then sends everything\n"
        "pending in the spool, oldest first, and removes each file once the aggregator has\n"
        "acked it as committed. Unacked sends are retried (new connection, backoff) until\n"
        "the deadline; resending is safe because submission ids are idempotent.\n"
        "\n"
        "  --to ENDPOINT    the aggregator, e.g. tcp://host:7800 or ipc:///tmp/hz.sock\n"
        "  --key FILE       this collector's CURVE secret key (BASENAME_secret from\n"
        "                   `huizong keygen`); with --server-key, the only way to reach an\n"
        "                   aggregator that runs CURVE (the default)\n"
        "  --server-key FILE the aggregator's public certificate (its BASENAME)\n"
        "  --spool DIR      spool directory\n"
        "  --timeout MS     wait per attempt for an ack (default 3000)\n"
        "  --deadline S     give up after S seconds, leaving the rest pending (default 60)\n"
        "  --encoding E     utf-8 (default), gb18030 or auto\n"
        "  --strict         refuse to send anything if a rule finds an error-severity flag\n"
        "  --hierarchy FILE entities.csv, for the levels --strict checks with and the entity\n"
        "                   --text goes with\n"
        "  --settings FILE  rule settings for --strict\n"
        "  --chart FILE     classification chart for --strict (code.unknown)\n"
        "  --window N       submissions in flight at once (default 64)\n"
        "  --window-bytes BYTES  bytes in flight at once; a larger submission is sent\n"
        "                   alone, after the acks of those before it (default %u; 0 = no\n"
        "                   bound)\n"
        "  --entity CODE    entity of printed-layout files (xlsx, xls, printed-sheet CSV);\n"
        "                   without it the 编制单位/title is matched in --hierarchy\n"
        "  --year Y         fiscal year of printed-layout files; without it, from the titles\n"
        "  FILE is a v1 CSV or printed tables (see `check --help`); several printed files of\n"
        "  one entity and year are one submission.\n"
        "  --entity 单位代码 / --year 年度：印刷版表格（xlsx、xls、CSV）的单位与年度；不给时\n"
        "  按编制单位名称（--hierarchy）与表题识别。有任何错误时不发送。\n"
        "  --text DOC.txt   the document's text (说明), sent with the submission of the\n"
        "                   highest-level entity read (by --hierarchy, else the shortest\n"
        "                   code); the aggregator checks its amounts, changes, percentages\n"
        "                   and shares against the tables and last year's submission and\n"
        "                   stores it with the version (huizong show --text). At most 2 MiB.\n"
        "  --text-entity CODE  send the text with CODE's submission instead\n"
        "  --text-encoding E   the text's encoding (default: as --encoding)\n"
        "  --max-errors N   input errors printed per file (default 100; all are counted)\n"
        "  --readers N      threads that unzip and parse workbooks ahead (default: one per\n"
        "                   processor, at most 8; 预读工作簿的线程数)\n"
        "\n"
        "One line per submission on stdout: ENTITY YEAR N facts ACCEPTED vN [replayed]\n"
        "(已入库；问题：错误 E，警告 W，提示 I) | REJECTED: reason | PENDING (未送达，留在待发目录).\n"
        "\n" EXIT_CODES_HELP, SENDER_WINDOW_BYTES);
}

static void flush_usage(FILE *f)
{
    fprintf(f,
        "usage: huizong-collector flush --to ENDPOINT [--key FILE --server-key FILE]\n"
        "                               [--spool DIR] [--timeout MS] [--deadline S] [--window N]\n"
        "                               [--window-bytes BYTES]\n"
        "\n"
        "Sends everything pending in the spool, oldest first (same sender, output and exit\n"
        "status as submit).\n"
        "\n" EXIT_CODES_HELP);
}

typedef struct {
    const char *to, *spool, *key, *server_key;
    int timeout_ms, deadline_s, window, strict;
    size_t window_bytes;
    collector_input_t in;        /* submit only */
} send_args_t;

/* Options shared by submit and flush; submit-only ones are unknown to flush. Returns 0,
 * 1 for --help, or an exit code + 1 on error. */
static int send_args_parse(int argc, char **argv, int is_submit, send_args_t *a)
{
    memset(a, 0, sizeof *a);
    a->timeout_ms = 3000;
    a->deadline_s = 60;
    a->window = 64;
    a->window_bytes = SENDER_WINDOW_BYTES;
    const opt_t submit_only[] = { opt_flag("strict", &a->strict), opt_table(collector_input_options(&a->in)), opt_end() };
    const opt_t options[] = {
        opt_text("to", &a->to), opt_text("spool", &a->spool), opt_text("key", &a->key),
        opt_text("server-key", &a->server_key), opt_int("timeout", &a->timeout_ms, 10, 3600000, NULL),
        opt_int("deadline", &a->deadline_s, 1, 30 * 86400, NULL), opt_int("window", &a->window, 1, 1024, NULL),
        opt_size("window-bytes", &a->window_bytes, 0, (size_t)1 << 40, "a byte count (0 = no bound)"),
        is_submit ? opt_table(submit_only) : opt_end(), opt_end() };
    int parsed = options_parse("huizong-collector", options, argc, argv,
                               is_submit ? submit_usage : flush_usage);
    if (parsed != OPTIONS_OK) return parsed == OPTIONS_HELP ? 1 : 1 + COL_EXIT_INPUT;
    if (collector_input_check(&a->in) != 0) return 1 + COL_EXIT_INPUT;
    if (!a->to) {
        fprintf(stderr, "huizong-collector: --to ENDPOINT is required (see --help)\n");
        return 1 + COL_EXIT_INPUT;
    }
    return 0;
}

/* --strict: run the rules and refuse if any error-severity finding. Returns 0 to go on,
 * or the exit code. */
static int submit_strict(const send_args_t *a, submission_list_t *list)
{
    hierarchy_t h;
    int have_h;
    if (collector_load_hierarchy(a->in.hierarchy, &h, &have_h) != 0) return COL_EXIT_INPUT;
    char err[512] = "";
    rule_settings_t *settings = rule_settings_load(a->in.settings, err, sizeof err);
    if (!settings) {
        fprintf(stderr, "%s\n", err[0] ? err : a->in.settings);
        hierarchy_free(&h);
        return COL_EXIT_INPUT;
    }
    chart_t *chart = NULL;
    if (collector_load_chart(a->in.chart, settings, &chart) != 0) {
        rule_settings_destroy(&settings);
        hierarchy_free(&h);
        return COL_EXIT_INPUT;
    }
    unsigned errors = 0;
    for (size_t i = 0; i < list->count; i++) {
        submission_t *s = list->items[i];
        findings_t fs;
        findings_init(&fs);
        /* without a hierarchy the level is unknown: no required-table check (as check) */
        rules_check_entity(s, have_h ? collector_level(&h, s->entity) : LEVEL_NONE, settings, &fs);
        narrative_summary_t m;
        collector_check_text(s, settings, &fs, &m);
        unsigned ne, nw, ni;
        findings_count(&fs, &ne, &nw, &ni);
        if (ne) {
            printf("%s %u（%zu 个数据）：%u 条错误级问题\n", s->entity, s->year, s->count, ne);
            for (size_t k = 0; k < fs.count; k++)
                if (fs.items[k].severity == SEV_ERROR) findings_write_line(stdout, &fs.items[k]);
        }
        errors += ne;
        findings_clear(&fs);
    }
    rule_settings_destroy(&settings);
    chart_destroy(&chart);
    hierarchy_free(&h);
    if (errors) {
        fprintf(stderr, "huizong-collector: --strict：%u 条错误级问题；未发送任何数据\n", errors);
        return COL_EXIT_FINDINGS;
    }
    return 0;
}

/* --text, and the 说明 of every PDF read: attaches each text to its submission. Returns 0,
 * or the exit code (printed). */
static int submit_text(const send_args_t *a, submission_list_t *list)
{
    csv_encoding enc;
    if (collector_encoding(a->in.text_enc_name ? a->in.text_enc_name : a->in.enc_name, &enc) != 0) return COL_EXIT_INPUT;
    hierarchy_t h;
    int have_h;
    if (collector_load_hierarchy(a->in.hierarchy, &h, &have_h) != 0) return COL_EXIT_INPUT;
    int rc = a->in.text ? collector_attach_text(a->in.text, a->in.text_entity, enc, list, have_h ? &h : NULL) : 0;
    if (rc == 0 && collector_import.ntexts) rc = collector_attach_pdf_texts(list, have_h ? &h : NULL);
    hierarchy_free(&h);
    if (rc != 0) {
        fprintf(stderr, "huizong-collector: input errors; nothing was sent\n");
        return COL_EXIT_INPUT;
    }
    return 0;
}

/* Sender options from the arguments; keys (when given) are loaded into *keys, which
 * must outlive the sender. Returns 0 or COL_EXIT_INPUT (printed). */
static int send_opts(const send_args_t *a, sender_opts_t *o, curve_client_t *keys)
{
    sender_opts_default(o);
    o->log = collector_log_line;
    o->give_up_on_refusal = 1;   /* one-shot: say why and leave the spool for the next flush */
    o->window = a->window;
    o->window_bytes = a->window_bytes;
    o->timeout_ms = a->timeout_ms;
    int enabled;
    if (collector_curve_options(keys, &enabled, a->key, a->server_key, a->to) != 0) return COL_EXIT_INPUT;
    o->curve = enabled ? keys : NULL;
    return 0;
}

int cmd_submit(int argc, char **argv)
{
    send_args_t a;
    int rc = send_args_parse(argc, argv, 1, &a);
    if (rc) return rc - 1;
    if (optind >= argc) {
        fprintf(stderr, "huizong-collector: submit needs at least one FILE (see submit --help)\n");
        return COL_EXIT_INPUT;
    }
    csv_encoding enc;
    if (collector_encoding(a.in.enc_name, &enc) != 0) return COL_EXIT_INPUT;

    submission_list_t list;
    submission_list_init(&list);
    sender_opts_t o;
    curve_client_t keys;
    if (send_opts(&a, &o, &keys) != 0) return COL_EXIT_INPUT;   /* before reading: nothing sent */
    collector_import.hierarchy_path = a.in.hierarchy;
    size_t *groups = NULL;
    if (collector_read_files_grouped(argv + optind, (size_t)(argc - optind), enc, a.in.max_errors,
                                     &list, &groups) > 0) {
        fprintf(stderr, "huizong-collector: input errors; nothing was sent\n");
        free(groups);
        submission_list_free(&list);
        curve_client_clear(&keys);
        return COL_EXIT_INPUT;
    }
    if ((a.in.text || collector_import.ntexts) && (rc = submit_text(&a, &list)) != 0) {
        free(groups);
        submission_list_free(&list);
        curve_client_clear(&keys);
        return rc;
    }
    if (a.strict && (rc = submit_strict(&a, &list)) != 0) {
        free(groups);
        submission_list_free(&list);
        curve_client_clear(&keys);
        return rc;
    }
    collector_signals();
    delivery_t d;
    if ((rc = delivery_open(&d, a.spool, a.to, &o)) != 0) {
        free(groups);
        submission_list_free(&list);
        curve_client_clear(&keys);
        return rc;
    }
    /* What was read, for the review states printed after the acks (delivery_spool_files
     * takes the submissions). */
    size_t nsent = list.count;
    collector_entity_year_t *sent = calloc(nsent ? nsent : 1, sizeof *sent);
    for (size_t i = 0; sent && i < nsent; i++) {
        snprintf(sent[i].entity, sizeof sent[i].entity, "%s", list.items[i]->entity);
        sent[i].year = list.items[i]->year;
    }
    /* A file's parts go as one (applied whole); whatever was spooled already on a failure
     * stays there and goes with the next flush. */
    long spooled = delivery_spool_files(&d, &list, groups, DELIVERY_KEEP);   /* sent by the load */
    if (spooled < 0) {
        free(sent);
        free(groups);
        submission_list_free(&list);
        delivery_close(&d);
        curve_client_clear(&keys);
        return COL_EXIT_LOCAL;
    }
    size_t mine = (size_t)spooled;
    free(groups);
    submission_list_free(&list);
    long n = delivery_load_spool(&d);
    if (n < 0) {
        delivery_close(&d);
        curve_client_clear(&keys);
        free(sent);
        return COL_EXIT_LOCAL;
    }
    if ((size_t)n > mine)
        fprintf(stderr, "huizong-collector: also sending %zu earlier submission(s) pending in %s\n",
                (size_t)n - mine, d.spool.dir);
    delivery_wait(&d, a.deadline_s);
    rc = delivery_exit_code(&d);
    if (sent) nsent = delivery_drop_first_versions(&d, sent, nsent);
    delivery_close(&d);
    curve_client_clear(&keys);
    if (sent && nsent && rc != COL_EXIT_PENDING) {
        fflush(stdout);
        collector_report_superseded(a.to, a.key, a.server_key, sent, nsent);
    }
    free(sent);
    return rc;
}

int cmd_flush(int argc, char **argv)
{
    send_args_t a;
    int rc = send_args_parse(argc, argv, 0, &a);
    if (rc) return rc - 1;
    if (optind < argc) {
        fprintf(stderr, "huizong-collector: flush takes no files (did you mean submit?)\n");
        return COL_EXIT_INPUT;
    }
    sender_opts_t o;
    curve_client_t keys;
    if (send_opts(&a, &o, &keys) != 0) return COL_EXIT_INPUT;
    collector_signals();
    delivery_t d;
    if ((rc = delivery_open(&d, a.spool, a.to, &o)) != 0) {
        curve_client_clear(&keys);
        return rc;
    }
    long n = delivery_load_spool(&d);
    if (n < 0) {
        delivery_close(&d);
        curve_client_clear(&keys);
        return COL_EXIT_LOCAL;
    }
    if (n == 0 && d.rejected == 0)
        fprintf(stderr, "huizong-collector: nothing pending in %s\n", d.spool.dir);
    delivery_wait(&d, a.deadline_s);
    rc = delivery_exit_code(&d);
    delivery_close(&d);
    curve_client_clear(&keys);
    return rc;
}
