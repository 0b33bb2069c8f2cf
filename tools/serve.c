/* serve.c -- `huizong serve`: the finance centre's web view (web/, docs/web.md). */
#include <getopt.h>
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

int cmd_serve(int argc, char **argv)
{
    static const struct option OPTS[] = {
        { "db", required_argument, 0, 'd' }, { "listen", required_argument, 0, 'l' },
        { "users", required_argument, 0, 'u' }, { "tls-cert", required_argument, 0, 'c' },
        { "tls-key", required_argument, 0, 'k' }, { "events", required_argument, 0, 'e' },
        { "aggregator", required_argument, 0, 'a' }, { "key", required_argument, 0, 'K' },
        { "server-key", required_argument, 0, 'S' }, { "insecure", no_argument, 0, 'i' },
        { "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 } };
    web_config_t cfg;
    memset(&cfg, 0, sizeof cfg);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", OPTS, NULL)) != -1) {
        switch (c) {
        case 'd': cfg.db = optarg; break;
        case 'l': cfg.listen = optarg; break;
        case 'u': cfg.users = optarg; break;
        case 'c': cfg.tls_cert = optarg; break;
        case 'k': cfg.tls_key = optarg; break;
        case 'e':
            if (cfg.nevents == WEB_EVENTS_MAX) {
                fprintf(stderr, "huizong serve: at most %d --events\n", WEB_EVENTS_MAX);
                return EXIT_USAGE;
            }
            cfg.events[cfg.nevents++] = optarg;
            break;
        case 'a': cfg.aggregator = optarg; break;
        case 'K': cfg.key = optarg; break;
        case 'S': cfg.server_key = optarg; break;
        case 'i': cfg.insecure = 1; break;
        case 'h': serve_usage(stdout); return EXIT_OK;
        default: serve_usage(stderr); return EXIT_USAGE;
        }
    }
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
