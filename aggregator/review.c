/* review.c -- review decisions and status queries at the aggregator (see review.h). */
#include "review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "clock.h"
#include "review_wire.h"

static int s_kind_is(const void *kind, size_t len, const char *name)
{
    return len == strlen(name) && memcmp(kind, name, len) == 0;
}

int review_is_message(const void *kind, size_t kind_len)
{
    return s_kind_is(kind, kind_len, REVIEW_FRAME_REVIEW) || s_kind_is(kind, kind_len, REVIEW_FRAME_STATUS);
}

static void s_send(void *router, const uint8_t *rid, size_t rid_len, const char *kind,
                   const uint8_t *buf, size_t len)
{
    int rc = zmq_send(router, rid, rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    if (rc >= 0) rc = zmq_send(router, kind, strlen(kind), ZMQ_SNDMORE | ZMQ_DONTWAIT);
    if (rc >= 0) rc = zmq_send(router, buf, len, ZMQ_DONTWAIT);
    if (rc < 0) fprintf(stderr, "huizong-aggregator: %s answer not delivered: %s\n", kind, zmq_strerror(errno));
}

/* The version a decision is about: v, or the current one for 0. 0 if none exists. */
static uint32_t s_version(store_t *store, const char *entity, uint32_t year, uint32_t v)
{
    store_version_t *vs = NULL;
    size_t n = 0;
    store_versions(store, entity, year, &vs, &n);
    uint32_t found = 0;
    for (size_t i = 0; i < n; i++)
        if (v == 0 ? i + 1 == n : vs[i].version == v) found = vs[i].version;
    free(vs);
    return found;
}

static void s_review(void *router, store_t *store, auth_t *auth, const uint8_t *rid, size_t rid_len,
                     const char *uid, const uint8_t *payload, size_t len)
{
    review_t r;
    review_ack_t ack;
    memset(&ack, 0, sizeof ack);
    char err[256] = "";
    entity_t e;
    if (review_unpack(payload, len, &r, err, sizeof err) != 0) {
        snprintf(ack.reason, sizeof ack.reason, "审核消息无法解码: %s", err);
    } else if ((snprintf(ack.id, sizeof ack.id, "%s", r.id), !review_decision_label(r.decision))) {
        snprintf(ack.reason, sizeof ack.reason, "未知的审核决定 '%s' (approve, return, verify)", r.decision);
    } else if (store_entity(store, r.entity, &e) != 0) {
        snprintf(ack.reason, sizeof ack.reason, "未知单位 '%s'", r.entity);
    } else if (auth && !auth_allows(auth, uid, r.entity, store)) {
        auth_refusal(auth, uid, r.entity, ack.reason, sizeof ack.reason);
    } else if (!(ack.version = s_version(store, r.entity, r.year, r.version))) {
        snprintf(ack.reason, sizeof ack.reason, "%s %u 年没有版本 v%u", r.entity, r.year, r.version);
    } else if (!strcmp(r.decision, "return") && !r.reason[0]) {
        snprintf(ack.reason, sizeof ack.reason, "退回必须写明理由");
    } else if (!strcmp(r.decision, "verify") && !r.flag[0]) {
        snprintf(ack.reason, sizeof ack.reason, "已核实须指明问题 (flag)");
    } else if (!r.reviewer[0]) {
        snprintf(ack.reason, sizeof ack.reason, "缺少审核人");
    } else {
        store_review_t rec;
        memset(&rec, 0, sizeof rec);
        rec.version = ack.version;
        rec.time_ms = clock_wall_ms();
        snprintf(rec.decision, sizeof rec.decision, "%s", r.decision);
        snprintf(rec.reviewer, sizeof rec.reviewer, "%s", r.reviewer);
        snprintf(rec.flag, sizeof rec.flag, "%s", r.flag);
        snprintf(rec.reason, sizeof rec.reason, "%s", r.reason);
        char serr[512] = "";
        if (store_review_add(store, r.entity, r.year, &rec, serr, sizeof serr) != 0) {
            snprintf(ack.reason, sizeof ack.reason, "审核未保存: %s", serr);
            fprintf(stderr, "huizong-aggregator: review of %s %u NOT STORED: %s\n", r.entity, r.year, serr);
        } else {
            ack.ok = 1;
            ack.time_ms = rec.time_ms;
            snprintf(ack.reason, sizeof ack.reason, "%s v%u %s 已保存 (%s)", r.entity, ack.version,
                     review_decision_label(r.decision), r.reviewer);
        }
    }
    fprintf(stderr, "huizong-aggregator: review %s %u v%u %s by %s: %s\n", r.entity, r.year, ack.version,
            r.decision, r.reviewer, ack.ok ? "STORED" : ack.reason);
    uint8_t *buf = NULL;
    size_t blen = 0;
    if (review_ack_pack(&ack, &buf, &blen) == 0) s_send(router, rid, rid_len, REVIEW_FRAME_ACK, buf, blen);
    free(buf);
}

static void s_status(void *router, store_t *store, auth_t *auth, const uint8_t *rid, size_t rid_len,
                     const char *uid, const uint8_t *payload, size_t len)
{
    review_status_t st;
    memset(&st, 0, sizeof st);
    char err[256] = "";
    entity_t e;
    uint32_t asked = 0;
    snprintf(st.state, sizeof st.state, "pending");
    if (review_query_unpack(payload, len, st.entity, &st.year, &asked, err, sizeof err) != 0) {
        snprintf(st.error, sizeof st.error, "状态查询无法解码: %s", err);
    } else if (store_entity(store, st.entity, &e) != 0) {
        snprintf(st.error, sizeof st.error, "未知单位 '%s'", st.entity);
    } else if (auth && !auth_allows(auth, uid, st.entity, store)) {
        auth_refusal(auth, uid, st.entity, st.error, sizeof st.error);
    } else if ((st.version = s_version(store, st.entity, st.year, asked)) != 0) {
        st.found = 1;
        store_review_t *rs = NULL;
        size_t n = 0;
        store_reviews(store, st.entity, st.year, &rs, &n);
        const store_review_t *last = NULL;
        snprintf(st.state, sizeof st.state, "%s", store_review_state(rs, n, st.version, &last));
        if (last) {
            snprintf(st.reason, sizeof st.reason, "%s", last->reason);
            snprintf(st.reviewer, sizeof st.reviewer, "%s", last->reviewer);
            st.time_ms = last->time_ms;
        }
        free(rs);
    }
    uint8_t *buf = NULL;
    size_t blen = 0;
    if (review_status_pack(&st, &buf, &blen) == 0) s_send(router, rid, rid_len, REVIEW_FRAME_STATUS, buf, blen);
    free(buf);
}

int review_handle(void *router, store_t *store, auth_t *auth, const uint8_t *rid, size_t rid_len,
                  const char *uid, const void *kind, size_t kind_len, const uint8_t *payload, size_t len)
{
    if (s_kind_is(kind, kind_len, REVIEW_FRAME_REVIEW))
        s_review(router, store, auth, rid, rid_len, uid, payload, len);
    else
        s_status(router, store, auth, rid, rid_len, uid, payload, len);
    return 0;
}
