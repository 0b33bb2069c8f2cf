/* watch.c -- `huizong watch ENDPOINT`: print the aggregator's live events as they happen.
 *
 * A SUB socket on the aggregator's --events endpoint (docs/events.md). Unlike the other
 * subcommands this one talks to the network, read-only: it never sends anything.
 *
 * Invariants:
 *  - seq must grow by exactly one from event to event. Anything else is reported as a gap
 *    (events dropped by PUB at its high-water mark, a subscriber that fell behind, an
 *    aggregator restart) and makes the exit status 1: the reader must resynchronise from
 *    the database (`huizong tree/flags --db`), the events alone are no longer complete.
 *  - With --db (Clone pattern, zguide ch.5): subscribe FIRST, then read the snapshot, then
 *    drop every event the snapshot already contains. The snapshot is each entity's current
 *    version for one year (--year, else the latest year with figures) and every node's
 *    reported 支出总计, read in that order. An
 *    accepted event is contained when the snapshot's current version of its entity is at
 *    least its version; a flags/totals event names the last submission that moved it
 *    (by=ENTITY, version), and is contained when the snapshot's version of that entity is
 *    at least that. Versions are read before totals, so a total read "too new" is followed
 *    by the events that lead up to it, in order, and the display still ends right.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "clock.h"
#include "nodes.h"
#include "curve.h"
#include "sort.h"
#include "amount.h"
#include "commands.h"
#include "curve.h"
#include "output.h"
#include "watch_int.h"

#define WATCH_YEAR_MIN 1990     /* years searched for the default snapshot year */
#define WATCH_YEAR_MAX 2100

static volatile sig_atomic_t watch_stop = 0;

static void watch_on_signal(int sig)
{
    (void)sig;
    watch_stop = 1;
}

static void watch_usage(FILE *out)
{
    fprintf(out,
        "usage: huizong watch ENDPOINT [--format text|json] [--count N] [--timeout S]\n"
        "                     [--db DIR] [--year Y]\n"
        "\n"
        "Subscribes to an aggregator's live events (huizong-aggregator --events ENDPOINT) and\n"
        "prints each one as it happens: 已接收 accepted, 已拒绝 rejected, 标记 flags (raised and\n"
        "cleared per entity), 合计 totals (the new reported 支出总计 of every node a batch moved).\n"
        "\n"
        "  --format F    text (default) or json (one object per line)\n"
        "  --count N     exit after N events\n"
        "  --timeout S   exit after S seconds\n"
        "  --db DIR      first print a snapshot from the aggregator's database (read-only):\n"
        "                current versions and 支出总计 of one year; events it already contains\n"
        "                are then skipped\n"
        "  --year Y      only events of year Y, and the snapshot's year (default with --db:\n"
        "                the latest year the database has figures for)\n"
        "  --key FILE    this subscriber's CURVE secret cert (`huizong keygen`), listed in the\n"
        "                aggregator's --events-authorized file; with --server-key FILE (the\n"
        "                aggregator's public cert). Without them an aggregator that is not\n"
        "                --insecure sends only events without ids, amounts or reasons\n"
        "\n"
        "Every event carries a sequence number that grows by one. A jump is printed as\n"
        "  gap: missed events A..B — resynchronise with huizong tree/flags --db\n"
        "(a slow subscriber, events dropped at the publisher's high-water mark, or an\n"
        "aggregator restart: each process starts its sequence afresh).\n"
        "\n"
        "Exit status: 0 ok; 1 a gap was seen, or --count was not reached before --timeout;\n"
        "2 usage error; 3 the endpoint or the database cannot be opened.\n");
}

/* ---------------------------------------------------------------- snapshot */

static int snap_cmp(const void *a, const void *b)
{
    return strcmp(((const snap_entity_t *)a)->code, ((const snap_entity_t *)b)->code);
}

static snap_entity_t *snap_find(const watch_t *w, const char *code)
{
    if (!w->snap) return NULL;
    snap_entity_t key;
    snprintf(key.code, sizeof key.code, "%s", code);
    return bsearch(&key, w->snap, w->nsnap, sizeof *w->snap, snap_cmp);
}

static void snap_print(const watch_t *w, const snap_entity_t *e, int has_total, int64_t fen)
{
    char buf[AMOUNT_BUF];
    if (w->format == FORMAT_JSON) {
        printf("{\"snapshot\":true,\"entity\":");
        json_write_string(stdout, e->code);
        printf(",\"name\":");
        json_write_string(stdout, e->name);
        printf(",\"year\":%u,\"version\":%u", w->snap_year, e->version);
        if (has_total) printf(",\"expense_total_fen\":%lld,\"expense_total\":\"%s\"",
                              (long long)fen, amount_format(fen, buf));
        printf("}\n");
    } else {
        printf("快照 snapshot %s %s %u", e->code, e->name, w->snap_year);
        if (e->version) printf(" v%u", e->version);
        if (has_total) printf(" 支出总计 %s 万元", amount_format(fen, buf));
        putchar('\n');
    }
}

/* The latest year any root of the hierarchy has figures for (0 if none): every stored
 * version rolls up to a root, so that is the latest year anything was submitted for. */
static uint32_t snap_latest_year(store_t *store, const hierarchy_t *h)
{
    for (uint32_t year = WATCH_YEAR_MAX; year >= WATCH_YEAR_MIN; year--)
        for (size_t i = 0; i < h->count; i++) {
            if (h->items[i].parent[0]) continue;
            store_figure_t *figs = NULL;
            size_t n = 0;
            int found = store_figures(store, h->items[i].code, year, TABLE_NONE, &figs, &n) == 0 && n > 0;
            free(figs);
            if (found) return year;
        }
    return 0;
}

/* Versions first (all of them), totals second: see the file comment. */
static int watch_snapshot(watch_t *w)
{
    store_t *store = tool_open_store(w->db);
    if (!store) return -1;
    hierarchy_t h;
    memset(&h, 0, sizeof h);
    if (store_entities(store, &h) != 0) {
        fprintf(stderr, "huizong watch: cannot list the entities of %s\n", w->db);
        store_destroy(&store);
        return -1;
    }
    w->snap_year = w->year ? w->year : snap_latest_year(store, &h);
    if (!w->snap_year) {
        fprintf(stderr, "huizong watch: %s holds no figures yet; give --year Y\n", w->db);
        hierarchy_free(&h);
        store_destroy(&store);
        return -1;
    }
    w->snap = calloc(h.count ? h.count : 1, sizeof *w->snap);
    if (!w->snap) {
        hierarchy_free(&h);
        store_destroy(&store);
        return -1;
    }
    w->nsnap = h.count;
    for (size_t i = 0; i < h.count; i++) {
        snap_entity_t *e = &w->snap[i];
        snprintf(e->code, sizeof e->code, "%s", h.items[i].code);
        snprintf(e->name, sizeof e->name, "%s", h.items[i].name);
        store_version_t *v = NULL;
        size_t nv = 0;
        if (store_versions(store, e->code, w->snap_year, &v, &nv) == 0 && nv > 0)
            e->version = v[nv - 1].version;
        free(v);
    }
    /* Printed in the store's order (parents before children), looked up sorted. */
    for (size_t i = 0; i < h.count; i++) {
        int64_t fen = 0;
        int has_total = nodes_expense_total(store, w->snap[i].code, w->snap_year, &fen) == 0;
        if (has_total || w->snap[i].version) snap_print(w, &w->snap[i], has_total, fen);
    }
    sort_array(w->snap, w->nsnap, sizeof *w->snap, snap_cmp);
    hierarchy_free(&h);
    store_destroy(&store);
    fflush(stdout);
    return 0;
}

/* ---------------------------------------------------------------- events */

int watch_detail_get(const char *detail, const char *key, char *out, size_t outlen)
{
    size_t klen = strlen(key);
    for (const char *p = detail; p && *p;) {
        if (!strncmp(p, key, klen) && p[klen] == '=') {
            const char *v = p + klen + 1, *end = strchr(v, ' ');
            size_t n = end ? (size_t)(end - v) : strlen(v);
            if (n >= outlen) n = outlen - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return 0;
        }
        p = strchr(p, ' ');
        if (p) p++;
    }
    return -1;
}

/* Whether the snapshot already contains what the event reports. */
static int watch_contained(const watch_t *w, const event_t *ev)
{
    if (!w->snap) return 0;
    char by[SUBMISSION_ENTITY_MAX + 1];
    const char *who = NULL;
    if (!strcmp(ev->kind, "accepted")) who = ev->entity;
    else if ((!strcmp(ev->kind, "totals") || !strcmp(ev->kind, "flags")) &&
             watch_detail_get(ev->detail, "by", by, sizeof by) == 0)
        who = by;
    if (!who || !ev->version || ev->year != w->snap_year) return 0;
    const snap_entity_t *e = snap_find(w, who);
    return e && e->version >= ev->version;
}

static void watch_gap(watch_t *w, uint64_t seq)
{
    w->gaps++;
    if (w->format == FORMAT_JSON) {
        printf("{\"gap\":true,\"from\":%llu,\"to\":%llu,\"restarted\":%s}\n",
               (unsigned long long)(w->last_seq + 1), (unsigned long long)(seq - 1),
               seq <= w->last_seq ? "true" : "false");
    } else if (seq <= w->last_seq) {
        printf("gap: sequence went back from %llu to %llu (the aggregator restarted) — "
               "resynchronise with huizong tree/flags --db\n",
               (unsigned long long)w->last_seq, (unsigned long long)seq);
    } else {
        printf("gap: missed events %llu..%llu — resynchronise with huizong tree/flags --db\n",
               (unsigned long long)(w->last_seq + 1), (unsigned long long)(seq - 1));
    }
}

static const char *kind_label(const char *kind)
{
    if (!strcmp(kind, "accepted")) return "已接收";
    if (!strcmp(kind, "rejected")) return "已拒绝";
    if (!strcmp(kind, "flags")) return "标记";
    if (!strcmp(kind, "totals")) return "合计";
    return "事件";
}

static void watch_print_text(const watch_t *w, const event_t *ev)
{
    char stamp[16] = "--:--:--", v[96], a[96], b[96], by[80], buf[AMOUNT_BUF];
    time_t t = (time_t)(ev->time_ms / 1000);
    struct tm tm;
    if (gmtime_r(&t, &tm)) strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
    const snap_entity_t *e = snap_find(w, ev->entity);
    printf("#%llu %s %s %s %s%s%s %u", (unsigned long long)ev->seq, stamp, kind_label(ev->kind),
           ev->kind, ev->entity, e ? " " : "", e ? e->name : "", ev->year);
    if (watch_detail_get(ev->detail, "by", by, sizeof by) != 0) by[0] = '\0';
    if (!strcmp(ev->kind, "accepted")) {
        printf(" v%u id=%s", ev->version, ev->submission_id);
        if (watch_detail_get(ev->detail, "facts", v, sizeof v) == 0) printf(" %s facts", v);
        printf(" 错误 E%s", watch_detail_get(ev->detail, "errors", a, sizeof a) ? "?" : a);
        printf(" 警告 W%s", watch_detail_get(ev->detail, "warnings", a, sizeof a) ? "?" : a);
        printf(" 提示 I%s", watch_detail_get(ev->detail, "info", a, sizeof a) ? "?" : a);
        if (watch_detail_get(ev->detail, "replayed", a, sizeof a) == 0) printf(" 重放 replayed");
    } else if (!strcmp(ev->kind, "rejected")) {
        printf(" id=%s: %s", ev->submission_id[0] ? ev->submission_id : "-", ev->detail);
    } else if (!strcmp(ev->kind, "flags")) {
        printf(" 新增 raised %s, 消除 cleared %s, 现有 current %s",
               watch_detail_get(ev->detail, "raised", a, sizeof a) ? "?" : a,
               watch_detail_get(ev->detail, "cleared", b, sizeof b) ? "?" : b,
               watch_detail_get(ev->detail, "current", v, sizeof v) ? "?" : v);
    } else if (!strcmp(ev->kind, "totals")) {
        char *end = NULL;
        long long fen = 0;
        if (watch_detail_get(ev->detail, TABLE_ROW_EXPENSE_TOTAL, v, sizeof v) == 0 && strcmp(v, "-")) {
            errno = 0;
            fen = strtoll(v, &end, 10);   /* the detail carries fen, an integer */
        }
        if (end && end != v && !*end && !errno)
            printf(" 支出总计 %s 万元", amount_format((int64_t)fen, buf));
        else
            printf(" 支出总计 -");
    } else {
        printf(" %s", ev->detail);
    }
    if (by[0] && strcmp(by, ev->entity)) printf(" (by %s v%u)", by, ev->version);
    putchar('\n');
}

static void watch_print_json(const event_t *ev)
{
    printf("{\"seq\":%llu,\"kind\":", (unsigned long long)ev->seq);
    json_write_string(stdout, ev->kind);
    printf(",\"entity\":");
    json_write_string(stdout, ev->entity);
    printf(",\"year\":%u,\"submission_id\":", ev->year);
    json_write_string(stdout, ev->submission_id);
    printf(",\"version\":%u,\"time_ms\":%llu,\"detail\":", ev->version, (unsigned long long)ev->time_ms);
    json_write_string(stdout, ev->detail);
    printf("}\n");
}

void watch_event(watch_t *w, const uint8_t *data, size_t len)
{
    event_t ev;
    char err[256] = "";
    if (wire_unpack_event(data, len, &ev, err, sizeof err) != 0) {
        fprintf(stderr, "huizong watch: unreadable event: %s\n", err);
        return;
    }
    if (w->have_last && ev.seq != w->last_seq + 1) watch_gap(w, ev.seq);
    w->last_seq = ev.seq;
    w->have_last = 1;
    if (w->year && ev.year != w->year) return;
    if (watch_contained(w, &ev)) {
        w->dropped++;
        return;
    }
    if (w->format == FORMAT_JSON) watch_print_json(&ev);
    else watch_print_text(w, &ev);
    fflush(stdout);
    w->printed++;
}

/* Receives one whole message; the Event is its last frame. 1 taken, 0 none, -1 error. */
static int watch_recv(watch_t *w, void *sub)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    if (zmq_msg_recv(&msg, sub, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&msg);
        return errno == EAGAIN || errno == EINTR ? 0 : -1;
    }
    while (zmq_msg_more(&msg)) {
        zmq_msg_close(&msg);
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, sub, 0) < 0) {
            zmq_msg_close(&msg);
            return errno == EINTR ? 0 : -1;
        }
    }
    watch_event(w, zmq_msg_data(&msg), zmq_msg_size(&msg));
    zmq_msg_close(&msg);
    return 1;
}

static int watch_loop(watch_t *w, void *sub)
{
    uint64_t end = w->timeout_s ? clock_mono_ms() + (uint64_t)w->timeout_s * 1000 : 0;
    while (!watch_stop && !(w->count && w->printed >= w->count)) {
        long wait = 200;
        if (end) {
            uint64_t now = clock_mono_ms();
            if (now >= end) break;
            if (end - now < (uint64_t)wait) wait = (long)(end - now);
        }
        zmq_pollitem_t item = { sub, 0, ZMQ_POLLIN, 0 };
        int n = zmq_poll(&item, 1, wait);
        if (n < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "huizong watch: poll: %s\n", zmq_strerror(errno));
            return EXIT_ERROR;
        }
        while (n > 0 && !(w->count && w->printed >= w->count)) {
            int got = watch_recv(w, sub);
            if (got < 0) {
                fprintf(stderr, "huizong watch: receive: %s\n", zmq_strerror(errno));
                return EXIT_ERROR;
            }
            if (got == 0) break;
        }
    }
    if (w->gaps) return EXIT_FINDINGS;
    if (w->count && w->printed < w->count) {
        fprintf(stderr, "huizong watch: %ld of %ld events before the timeout\n", w->printed, w->count);
        return EXIT_FINDINGS;
    }
    return EXIT_OK;
}

static int watch_parse_long(const char *opt, const char *text, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < 1) {
        fprintf(stderr, "huizong watch: %s needs a positive number, got '%s'\n", opt, text);
        return -1;
    }
    *out = v;
    return 0;
}

int cmd_watch(int argc, char **argv)
{
    watch_t w;
    memset(&w, 0, sizeof w);
    static const struct option longopts[] = {
        { "format", required_argument, 0, 'f' }, { "count", required_argument, 0, 'n' },
        { "timeout", required_argument, 0, 't' }, { "db", required_argument, 0, 'd' },
        { "year", required_argument, 0, 'y' }, { "help", no_argument, 0, 'h' },
        { "key", required_argument, 0, 'k' }, { "server-key", required_argument, 0, 's' },
        { 0, 0, 0, 0 } };
    const char *key_file = NULL, *server_key_file = NULL;
    int c, f;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            f = output_format_parse(optarg);
            if (f < 0 || f == FORMAT_CSV) {
                if (f == FORMAT_CSV) fprintf(stderr, "huizong watch: --format is text or json\n");
                return EXIT_USAGE;
            }
            w.format = (output_format)f;
            break;
        case 'n': if (watch_parse_long("--count", optarg, &w.count)) return EXIT_USAGE; break;
        case 't': if (watch_parse_long("--timeout", optarg, &w.timeout_s)) return EXIT_USAGE; break;
        case 'd': w.db = optarg; break;
        case 'y': if (!(w.year = tool_parse_year(optarg))) return EXIT_USAGE; break;
        case 'k': key_file = optarg; break;
        case 's': server_key_file = optarg; break;
        case 'h': watch_usage(stdout); return EXIT_OK;
        default: watch_usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "huizong watch: exactly one ENDPOINT is required (see --help)\n");
        return EXIT_USAGE;
    }
    w.endpoint = argv[optind];
    if (!key_file != !server_key_file) {
        fprintf(stderr, "huizong watch: --key and --server-key go together\n");
        return EXIT_USAGE;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = watch_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    void *ctx = zmq_ctx_new();
    void *sub = ctx ? zmq_socket(ctx, ZMQ_SUB) : NULL;
    int rc = EXIT_ERROR, linger = 0;
    if (!sub) {
        fprintf(stderr, "huizong watch: cannot create a ZeroMQ socket: %s\n", zmq_strerror(errno));
        goto done;
    }
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    if (key_file) {
        char err[512] = "";
        if (curve_configure_client(sub, key_file, server_key_file, err, sizeof err) != 0) {
            fprintf(stderr, "huizong watch: %s\n", err);
            rc = EXIT_USAGE;
            goto done;
        }
    }
    if (zmq_connect(sub, w.endpoint) != 0) {
        fprintf(stderr, "huizong watch: cannot connect to %s: %s\n", w.endpoint, zmq_strerror(errno));
        goto done;
    }
    /* Subscribed first: whatever is committed while the snapshot is read arrives as an
     * event and is either contained in the snapshot (dropped) or newer (printed). */
    if (w.db && watch_snapshot(&w) != 0) goto done;
    rc = watch_loop(&w, sub);
done:
    if (sub) zmq_close(sub);
    if (ctx) zmq_ctx_term(ctx);
    free(w.snap);
    return rc;
}
