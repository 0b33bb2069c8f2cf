/* status.c -- `huizong-collector status`: the review state (待审核 / 通过 / 退回) and reason
 * of an entity/year's latest version, asked of the aggregator (a StatusQuery, answered from
 * its store; core/review_wire.h). Also used by `submit` to tell a department that the
 * version it supersedes had been returned. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "collector.h"
#include "review_exchange.h"
#include "review_wire.h"

#define SUPERSEDED_TIMEOUT_MS 2000   /* submit's after-check: short, it is only information */

static void status_usage(FILE *f)
{
    fprintf(f,
        "usage: huizong-collector status --to ENDPOINT [--key F --server-key F] --entity CODE --year Y\n\n"
        "Prints the review state of CODE's latest version for year Y as the aggregator holds\n"
        "it: 待审核 (pending), 通过 (approved) or 退回 (returned) with the reason, who and when.\n"
        "exit: 0 answered, 1 refused (unknown entity, not authorised), 2 usage, 3 no answer\n");
}

/* The review state of entity/year's version (0 = latest), over a ZeroMQ context of zctx
 * (NULL: one of its own). 0, or -1 with err. */
static int s_query(void *zctx, const char *to, const char *key, const char *server_key,
                   const char *entity, unsigned year, unsigned version, int timeout_ms,
                   review_status_t *st, char *err, size_t errlen)
{
    uint8_t *buf = NULL, *reply = NULL;
    size_t len = 0, rlen = 0;
    if (review_query_pack(entity, year, version, &buf, &len) != 0) return -1;
    int rc = review_exchange(zctx, to, key, server_key, REVIEW_FRAME_STATUS, buf, len,
                             REVIEW_FRAME_STATUS, timeout_ms, &reply, &rlen, err, errlen);
    free(buf);
    if (rc == 0) rc = review_status_unpack(reply, rlen, st, err, errlen);
    free(reply);
    return rc;
}

void collector_report_superseded(const char *to, const char *key, const char *server_key,
                                 const collector_entity_year_t *ey, size_t n)
{
    /* one context (and its I/O thread) for every query, not one per query */
    void *zctx = n ? zmq_ctx_new() : NULL;
    for (size_t i = 0; i < n; i++) {
        review_status_t latest, prev;
        char err[256];
        if (s_query(zctx, to, key, server_key, ey[i].entity, ey[i].year, 0, SUPERSEDED_TIMEOUT_MS,
                    &latest, err, sizeof err) != 0 || !latest.found || latest.version < 2)
            continue;
        if (s_query(zctx, to, key, server_key, ey[i].entity, ey[i].year, latest.version - 1,
                    SUPERSEDED_TIMEOUT_MS, &prev, err, sizeof err) != 0 || strcmp(prev.state, "returned"))
            continue;
        printf("%s %u v%u 曾被退回 (理由: %s, 审核人 %s), 已由 v%u 替代, 等待重新审核\n", ey[i].entity,
               ey[i].year, prev.version, prev.reason, prev.reviewer, latest.version);
    }
    if (zctx) zmq_ctx_term(zctx);
}

int cmd_status(int argc, char **argv)
{
    const char *to = NULL, *key = NULL, *server_key = NULL, *entity = NULL;
    unsigned year = 0;
    const opt_t options[] = {
        opt_text("to", &to), opt_text("key", &key), opt_text("server-key", &server_key),
        opt_text("entity", &entity), opt_uint("year", &year, 1900, 9999, "a year 1900..9999"),
        opt_end() };
    int parsed = options_parse("huizong-collector", options, argc, argv, status_usage);
    if (parsed != OPTIONS_OK) return parsed == OPTIONS_HELP ? COL_EXIT_OK : COL_EXIT_INPUT;
    if (!to || !entity || year < 1900 || year > 9999 || (key != NULL) != (server_key != NULL)) {
        status_usage(stderr);
        return COL_EXIT_INPUT;
    }
    review_status_t st;
    char err[512] = "";
    if (s_query(NULL, to, key, server_key, entity, year, 0, REVIEW_TIMEOUT_MS, &st, err, sizeof err) != 0) {
        fprintf(stderr, "huizong-collector status: %s\n", err);
        return COL_EXIT_LOCAL;
    }
    if (st.error[0]) {
        fprintf(stderr, "huizong-collector status: %s\n", st.error);
        return COL_EXIT_FINDINGS;
    }
    if (!st.found) {
        printf("%s %u 未报送 (no version submitted)\n", entity, year);
        return COL_EXIT_OK;
    }
    printf("%s %u v%u %s (%s)", st.entity, st.year, st.version, review_state_label(st.state), st.state);
    if (st.reason[0]) printf(" 理由: %s", st.reason);
    if (st.reviewer[0]) {
        char when[32] = "";
        time_t t = (time_t)(st.time_ms / 1000);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
        printf("  审核人 %s %s", st.reviewer, when);
    }
    putchar('\n');
    return COL_EXIT_OK;
}
