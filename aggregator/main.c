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
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <czmq.h>

#include "hierarchy.h"
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

static int parse_size(const char *text, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    const char *db = NULL, *hierarchy = NULL, *settings_path = NULL, *chart_path = NULL;
    size_t map_max = 0;
    server_opts_t opts = { .batch = DEFAULT_BATCH, .max_msg = DEFAULT_MAX_MSG,
                           .batch_bytes = DEFAULT_BATCH_BYTES, .batch_ms = DEFAULT_BATCH_MS,
                           .rcvhwm = DEFAULT_RCVHWM };
    static const struct option longopts[] = {
        { "db", required_argument, 0, 'd' }, { "bind", required_argument, 0, 'b' },
        { "hierarchy", required_argument, 0, 'H' }, { "settings", required_argument, 0, 's' },
        { "batch", required_argument, 0, 'n' }, { "max-msg", required_argument, 0, 'm' },
        { "insecure", no_argument, 0, 'I' }, { "curve-secret", required_argument, 0, 'c' },
        { "authorized", required_argument, 0, 'a' }, { "events", required_argument, 0, 'E' },
        { "upstream", required_argument, 0, 'U' }, { "as", required_argument, 0, 'A' },
        { "upstream-key", required_argument, 0, 'K' }, { "upstream-server-key", required_argument, 0, 'S' },
        { "upstream-insecure", no_argument, 0, 'N' }, { "upstream-spool", required_argument, 0, 'P' },
        { "upstream-interval", required_argument, 0, 'T' }, { "help", no_argument, 0, 'h' },
        { "chart", required_argument, 0, 'C' },
        { "map-size", required_argument, 0, 'M' }, { "batch-bytes", required_argument, 0, 'X' },
        { "batch-ms", required_argument, 0, 'W' }, { "queue", required_argument, 0, 'Q' },
        { "events-authorized", required_argument, 0, 'e' },
        { 0, 0, 0, 0 } };
    upstream_opts_t up = { .interval_ms = UPSTREAM_DEFAULT_INTERVAL_MS };
    int c;
    long long v;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'b': opts.bind = optarg; break;
        case 'H': hierarchy = optarg; break;
        case 's': settings_path = optarg; break;
        case 'C': chart_path = optarg; break;
        case 'n':
            if (parse_size(optarg, 1, 100000, &v)) {
                fprintf(stderr, "huizong-aggregator: --batch must be 1..100000, got '%s'\n", optarg);
                return 2;
            }
            opts.batch = (size_t)v;
            break;
        case 'm':
            if (parse_size(optarg, 1024, 1LL << 40, &v)) {
                fprintf(stderr, "huizong-aggregator: --max-msg must be a byte count >= 1024, got '%s'\n", optarg);
                return 2;
            }
            opts.max_msg = v;
            break;
        case 'M':
            if (parse_size(optarg, 64 << 10, 1LL << 44, &v)) {
                fprintf(stderr, "huizong-aggregator: --map-size must be a byte count >= 65536, got '%s'\n", optarg);
                return 2;
            }
            map_max = (size_t)v;
            break;
        case 'X':
            if (parse_size(optarg, 0, 1LL << 40, &v)) {
                fprintf(stderr, "huizong-aggregator: --batch-bytes must be a byte count (0 = no bound), got '%s'\n", optarg);
                return 2;
            }
            opts.batch_bytes = (size_t)v;
            break;
        case 'W':
            if (parse_size(optarg, 0, 60000, &v)) {
                fprintf(stderr, "huizong-aggregator: --batch-ms must be 0..60000, got '%s'\n", optarg);
                return 2;
            }
            opts.batch_ms = (int)v;
            break;
        case 'Q':
            if (parse_size(optarg, 0, 100000, &v)) {
                fprintf(stderr, "huizong-aggregator: --queue must be 0..100000 (0 = libzmq's default), got '%s'\n", optarg);
                return 2;
            }
            opts.rcvhwm = (int)v;
            break;
        case 'I': opts.insecure = 1; break;
        case 'c': opts.curve_secret = optarg; break;
        case 'a': opts.authorized = optarg; break;
        case 'E': opts.events = optarg; break;
        case 'e': opts.events_authorized = optarg; break;
        case 'U': up.endpoint = optarg; break;
        case 'A': up.entity = optarg; break;
        case 'K': up.key_file = optarg; break;
        case 'S': up.server_key_file = optarg; break;
        case 'N': up.insecure = 1; break;
        case 'P': up.spool_dir = optarg; break;
        case 'T':
            if (parse_size(optarg, 10, 86400000, &v)) {
                fprintf(stderr, "huizong-aggregator: --upstream-interval must be 10..86400000 ms, got '%s'\n", optarg);
                return 2;
            }
            up.interval_ms = (int)v;
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
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
