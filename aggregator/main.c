/* main.c -- huizong-aggregator: arguments and signals, then the library (server.h) does
 * the rest: store and hierarchy, then the loop.
 *
 * Invariants: the aggregator never serves without either authentication or an explicit
 * --insecure; the hierarchy (when given) is in the store before the first message is
 * read; SIGTERM/SIGINT only set a flag, so the current batch is finished and acked
 * before the process exits 0; SIGHUP only sets a flag too, and the loop re-reads the
 * authorisation file between batches.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <czmq.h>

#include "hierarchy.h"
#include "options.h"
#include "rules.h"
#include "server.h"
#include "store.h"

#define DEFAULT_BATCH 256
#define DEFAULT_MAX_MSG (64LL * 1024 * 1024)
/* Fair service (docs/durability.md): a batch stops at 8 MiB or 100 ms of draining, and a
 * peer has at most 2 messages queued in libzmq, so one collector's large submissions
 * neither delay the others' for more than one commit nor pile up in memory. */
#define DEFAULT_BATCH_BYTES (8LL * 1024 * 1024)
#define DEFAULT_BATCH_MS 100
#define DEFAULT_RCVHWM 2

static void usage(FILE *f)
{
    fprintf(f,
        "usage: huizong-aggregator --db DIR --bind ENDPOINT [options]\n"
        "\n"
        "Receives budget submissions from huizong-collector over ZeroMQ, checks them, stores\n"
        "them durably in the LMDB database DIR, rolls them up the hierarchy and acks each one\n"
        "only after its transaction is committed to disk.\n"
        "\n"
        "  --db DIR             database directory (created if missing)\n"
        "  --bind ENDPOINT      ZeroMQ endpoint to serve, e.g. tcp://*:7800 or ipc:///tmp/hz.sock\n"
        "  --hierarchy FILE     entities.csv (code,name,level,parent) to load into the store first\n"
        "  --settings FILE      rule settings (RULE_ID = error|warning|info|off,\n"
        "                       require.LEVEL = TABLE,...)\n"
        "  --chart FILE         classification chart (kind,code,name,first_year,last_year):\n"
        "                       codes not in it for the year are flagged (code.unknown)\n"
        "  --batch N            most submissions per write transaction (default %d)\n"
        "  --batch-bytes BYTES  most bytes per write transaction; a larger submission is\n"
        "                       committed alone, after the small ones already received\n"
        "                       (default %lld)\n"
        "  --batch-ms MS        stop gathering a batch MS ms after its first submission\n"
        "                       (default %d)\n"
        "  --queue N            submissions queued per connection before the aggregator stops\n"
        "                       reading from it (ZMQ_RCVHWM; bounds memory; default %d)\n"
        "  --max-msg BYTES      largest accepted message; bigger ones drop the connection\n"
        "                       (default %lld)\n"
        "  --map-size BYTES     ceiling of the LMDB map: the database never grows beyond it and\n"
        "                       a full map is reported (MDB_MAP_FULL) instead (default: no\n"
        "                       ceiling; starts at 64 MiB and doubles when full)\n"
        "  --curve-secret FILE  the server's CURVE secret key (BASENAME_secret written by\n"
        "                       `huizong keygen`; collectors get BASENAME as --server-key)\n"
        "  --authorized FILE    who may connect and submit for what: lines\n"
        "                         PUBLIC_KEY_Z85  ENTITY[,ENTITY...]|*   [# comment]\n"
        "                       a key may submit for its entities and everything below them;\n"
        "                       re-read on SIGHUP (a broken file keeps the old one)\n"
        "  --insecure           serve WITHOUT authentication or encryption (local demos and\n"
        "                       tests only; never on a network)\n"
        "\n"
        "Live events (docs/events.md, `huizong watch`):\n"
        "  --events ENDPOINT    publish accepted/rejected/flags/totals events on a PUB socket\n"
        "                       (e.g. tcp://127.0.0.1:7801); a slow subscriber loses events\n"
        "                       (it sees a gap), the aggregator never waits for it.\n"
        "                       Without --insecure the events carry no submission ids,\n"
        "                       amounts, counts or reasons, unless:\n"
        "  --events-authorized FILE  subscribers' public keys (lines: KEY *); the events\n"
        "                       socket is then CURVE (the --curve-secret key) and only they\n"
        "                       receive the full events (`huizong watch --key --server-key`);\n"
        "                       re-read on SIGHUP\n"
        "\n"
        "Federation (docs/federation.md): forward ENTITY's consolidated figures upstream:\n"
        "  --upstream ENDPOINT  the higher aggregator (its --bind endpoint)\n"
        "  --as ENTITY          the node this aggregator consolidates (e.g. a city code)\n"
        "  --upstream-key FILE  this aggregator's CURVE secret cert (as a collector's --key)\n"
        "  --upstream-server-key FILE  the upstream's public cert\n"
        "  --upstream-insecure  forward without CURVE (the upstream must run --insecure)\n"
        "  --upstream-spool DIR durable queue of forwards (default DB/upstream-spool)\n"
        "  --upstream-interval MS  forward each year at most every MS ms (default %d)\n"
        "\n"
        "  --help               this text\n"
        "\n"
        "CURVE (--curve-secret and --authorized) or --insecure is required. See\n"
        "docs/operations.md.\n"
        "\n"
        "Exit status (README's table): 0 after SIGTERM/SIGINT (the current batch is finished\n"
        "first); 2 usage or input errors (options, --settings, --hierarchy file, security\n"
        "options); 3 database or local errors (the database directory cannot be created or\n"
        "written, disk full, map full, the socket or keys cannot be set up).\n",
        DEFAULT_BATCH, DEFAULT_BATCH_BYTES, DEFAULT_BATCH_MS, DEFAULT_RCVHWM, DEFAULT_MAX_MSG,
        UPSTREAM_DEFAULT_INTERVAL_MS);
}

/* The federation options belong together: all or none, and exactly one way to secure
 * the upstream connection. Fills in the default spool DB/upstream-spool. */
static void on_signal(int sig)
{
    (void)sig;
    server_stop = 1;
}

static void on_hangup(int sig)
{
    (void)sig;
    server_reload = 1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;   /* no SA_RESTART: zmq_poll returns EINTR and the loop sees the flag */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_hangup;   /* re-read the authorisation file between batches */
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
    const char *db = NULL, *hierarchy = NULL, *settings_path = NULL, *chart_path = NULL;
    size_t map_max = 0;
    server_opts_t opts = { .batch = DEFAULT_BATCH, .max_msg = DEFAULT_MAX_MSG,
                           .batch_bytes = DEFAULT_BATCH_BYTES, .batch_ms = DEFAULT_BATCH_MS,
                           .rcvhwm = DEFAULT_RCVHWM };
    upstream_opts_t up = { .interval_ms = UPSTREAM_DEFAULT_INTERVAL_MS };
    const opt_t options[] = {
        opt_text("db", &db), opt_text("bind", &opts.bind), opt_text("hierarchy", &hierarchy),
        opt_text("settings", &settings_path), opt_text("chart", &chart_path),
        opt_size("batch", &opts.batch, 1, 100000, "1..100000"),
        opt_int64("max-msg", &opts.max_msg, 1024, 1LL << 40, "a byte count >= 1024"),
        opt_size("map-size", &map_max, 64 << 10, 1LL << 44, "a byte count >= 65536"),
        opt_size("batch-bytes", &opts.batch_bytes, 0, 1LL << 40, "a byte count (0 = no bound)"),
        opt_int("batch-ms", &opts.batch_ms, 0, 60000, "0..60000"),
        opt_int("queue", &opts.rcvhwm, 0, 100000, "0..100000 (0 = libzmq's default)"),
        opt_flag("insecure", &opts.insecure), opt_text("curve-secret", &opts.curve_secret),
        opt_text("authorized", &opts.authorized), opt_text("events", &opts.events),
        opt_text("events-authorized", &opts.events_authorized), opt_text("upstream", &up.endpoint),
        opt_text("as", &up.entity), opt_text("upstream-key", &up.key_file),
        opt_text("upstream-server-key", &up.server_key_file), opt_flag("upstream-insecure", &up.insecure),
        opt_text("upstream-spool", &up.spool_dir),
        opt_int("upstream-interval", &up.interval_ms, 10, 86400000, "10..86400000 ms"), opt_end() };
    int parsed = options_parse("huizong-aggregator", options, argc, argv, usage);
    if (parsed != OPTIONS_OK) return parsed == OPTIONS_HELP ? 0 : 2;
    if (optind < argc) {
        fprintf(stderr, "huizong-aggregator: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    if (!db || !opts.bind) {
        fprintf(stderr, "huizong-aggregator: --db DIR and --bind ENDPOINT are required (see --help)\n");
        return 2;
    }
    char up_spool[4096];
    if (upstream_opts_check(&up, db, up_spool, sizeof up_spool) != 0) return 2;
    if (up.endpoint) opts.upstream = &up;
    char err[512] = "";
    if (server_security_check(&opts, err, sizeof err) != 0) {
        fprintf(stderr, "huizong-aggregator: %s\n", err);
        return 2;
    }
    if (opts.insecure)
        fprintf(stderr,
            "huizong-aggregator: WARNING: --insecure: no authentication and no encryption.\n"
            "huizong-aggregator: WARNING: anyone who can reach %s can submit budgets.\n",
            opts.bind);

    /* CZMQ (used for certificates) would install its own SIGINT/SIGTERM handler on first
     * use and swallow ours: switch that off before installing ours. */
    zsys_handler_set(NULL);
    install_signals();
    rule_settings_t *settings = rule_settings_load(settings_path, err, sizeof err);
    if (!settings) {
        fprintf(stderr, "huizong-aggregator: %s\n", err[0] ? err : settings_path);
        return 2;
    }
    chart_t *chart = NULL;
    if (chart_path) {
        if (!(chart = chart_load(chart_path, err, sizeof err))) {
            fprintf(stderr, "huizong-aggregator: %s\n", err[0] ? err : chart_path);
            rule_settings_destroy(&settings);
            return 2;
        }
        rule_settings_set_chart(settings, chart);
        fprintf(stderr, "huizong-aggregator: chart %s: %zu codes\n", chart_path, chart_count(chart));
    }
    /* store_open creates the directory (one level) and names why it cannot */
    store_t *store = store_open_sized(db, 0, map_max, err, sizeof err);
    if (!store) {
        fprintf(stderr, "huizong-aggregator: cannot open the database %s: %s\n", db, err);
        rule_settings_destroy(&settings);
        chart_destroy(&chart);
        return 3;
    }
    int rc = 0;
    if (hierarchy) {
        int h = server_load_hierarchy(store, hierarchy);
        if (h != 0) rc = h == -1 ? 2 : 3;
    }
    /* Recorded so every flag report can name the rules it was produced with. */
    if (rc == 0 && store_meta_set(store, "rules", rule_settings_describe(settings), err, sizeof err)) {
        fprintf(stderr, "huizong-aggregator: cannot record the rule settings: %s\n", err);
        rc = 3;
    }
    if (rc == 0) {
        fprintf(stderr, "huizong-aggregator: database %s, rules: %s\n", db,
                rule_settings_describe(settings));
        int r = server_run(store, settings, &opts);
        rc = r == 0 ? 0 : r == -2 ? 2 : 3;
    }
    store_destroy(&store);
    rule_settings_destroy(&settings);
    chart_destroy(&chart);
    return rc;
}
