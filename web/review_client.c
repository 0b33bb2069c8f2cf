/* review_client.c -- a review decision to the aggregator (see review_client.h). */
#include "review_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "review_exchange.h"
#include "review_wire.h"
#include "submission.h"

int review_client_send(void *zctx, const char *endpoint, const char *key, const char *server_key,
                       const review_request_t *rq, char *answer, size_t answerlen)
{
    review_t r;
    memset(&r, 0, sizeof r);
    char id[SUBMISSION_ID_MAX + 1];
    submission_new_id(id);
    snprintf(r.id, sizeof r.id, "%s", id);
    snprintf(r.entity, sizeof r.entity, "%s", rq->entity);
    r.year = rq->year;
    r.version = rq->version;
    snprintf(r.decision, sizeof r.decision, "%s", rq->decision);
    snprintf(r.reason, sizeof r.reason, "%s", rq->reason);
    snprintf(r.flag, sizeof r.flag, "%s", rq->flag);
    snprintf(r.reviewer, sizeof r.reviewer, "%s", rq->reviewer);
    uint8_t *buf = NULL, *reply = NULL;
    size_t len = 0, rlen = 0;
    char err[512] = "";
    if (review_pack(&r, &buf, &len) != 0) { snprintf(answer, answerlen, "内存不足"); return -1; }
    int rc = review_exchange(zctx, endpoint, key, server_key, REVIEW_FRAME_REVIEW, buf, len,
                             REVIEW_FRAME_ACK, REVIEW_TIMEOUT_MS, &reply, &rlen, err, sizeof err);
    free(buf);
    if (rc != 0) { snprintf(answer, answerlen, "审核未送达汇总服务: %s", err); return -1; }
    review_ack_t ack;
    rc = review_ack_unpack(reply, rlen, &ack, err, sizeof err);
    free(reply);
    if (rc != 0) { snprintf(answer, answerlen, "汇总服务的回复无法解码: %s", err); return -1; }
    snprintf(answer, answerlen, "%s", ack.reason);
    return ack.ok ? 0 : 1;
}
