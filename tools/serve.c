/* serve.c -- `huizong serve`: the finance centre's web view (web/, docs/web.md). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "web.h"

static void serve_usage(FILE *out)
{
    fprintf(out,
        "usage: huizong serve --db DIR [--listen HOST:PORT] [--users FILE]\n"
        "                     [--tls-cert F --tls-key F] [--events ENDPOINT ...]\n"
        "                     [--aggregator ENDPOINT [--key F --server-key F]] [--insecure]\n\n"
        "Serves the web view of the store in DIR (read-only): 汇总树, node tables, 问题清单,\n"
        "submissions and review, and the JSON API under /api/ (docs/web.md). Listens on\n"
        "127.0.0.1:8080 by default; a non-loopback address needs --tls-cert/--tls-key and\n"
        "--users unless --insecure. --users FILE (written by `huizong passwd`) turns on\n"
        "accounts: each user sees only their subtrees. --events turns the aggregator's event\n"
        "feed into live updates; --aggregator is where review decisions (通过/退回/已核实) go.\n"
        "exit: 0 stopped by SIGINT/SIGTERM, 2 usage or configuration, 3 database or socket\n");
}

/* --events, once per feed. */
static int s_event(void *to, const char *endpoint)
{
    web_config_t *cfg = to;
    if (cfg->nevents == WEB_EVENTS_MAX) {
        fprintf(stderr, "huizong serve: at most %d --events\n", WEB_EVENTS_MAX);
        return -1;
    }
    cfg->events[cfg->nevents++] = endpoint;
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    web_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    const opt_t options[] = {
        opt_text("db", &cfg.db), opt_text("listen", &cfg.listen), opt_text("users", &cfg.users),
        opt_text("tls-cert", &cfg.tls_cert), opt_text("tls-key", &cfg.tls_key),
        opt_call("events", &cfg, s_event), opt_text("aggregator", &cfg.aggregator),
        opt_text("key", &cfg.key), opt_text("server-key", &cfg.server_key),
        opt_flag("insecure", &cfg.insecure), opt_end() };
    int parsed = options_parse("huizong serve", options, argc, argv, serve_usage);
    if (parsed != OPTIONS_OK) return parsed == OPTIONS_HELP ? EXIT_OK : EXIT_USAGE;
    if (!cfg.db || optind < argc) { serve_usage(stderr); return EXIT_USAGE; }
    if ((cfg.key != NULL) != (cfg.server_key != NULL)) {
        fprintf(stderr, "huizong serve: --key and --server-key go together\n");
        return EXIT_USAGE;
    }
    static char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    cfg.self_exe = exe;
    return web_serve(&cfg);
}
