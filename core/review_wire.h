/* review_wire.h -- review decisions (通过 / 退回 / 已核实) and the status query on the wire
 * (proto Review, ReviewAck, StatusQuery, StatusReply), shared by huizong serve (sends
 * reviews), the aggregator (stores them, answers status) and the collector (asks status).
 *
 * Frames: [REVIEW_FRAME_REVIEW][Review] → [REVIEW_FRAME_ACK][ReviewAck];
 *         [REVIEW_FRAME_STATUS][StatusQuery] → [REVIEW_FRAME_STATUS][StatusReply].
 */
#ifndef HUIZONG_REVIEW_WIRE_H
#define HUIZONG_REVIEW_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define REVIEW_FRAME_REVIEW "review"
#define REVIEW_FRAME_ACK "review-ack"
#define REVIEW_FRAME_STATUS "status"
#define REVIEW_REASON_MAX 1023
#define REVIEW_FLAG_MAX 255

typedef struct {
    char id[65];
    char entity[65];
    uint32_t year;
    uint32_t version;
    char decision[16];          /* approve | return | verify */
    char reason[REVIEW_REASON_MAX + 1];
    char flag[REVIEW_FLAG_MAX + 1];
    char reviewer[65];
    uint64_t time_ms;           /* set by the aggregator when stored */
} review_t;

typedef struct {
    char id[65];
    int ok;
    char reason[512];
    uint32_t version;
    uint64_t time_ms;
} review_ack_t;

typedef struct {
    int found;
    char entity[65];
    uint32_t year;
    uint32_t version;
    char state[16];             /* pending | approved | returned */
    char reason[REVIEW_REASON_MAX + 1];
    char reviewer[65];
    uint64_t time_ms;
    char error[256];
} review_status_t;

/* "approve" -> "通过", "return" -> "退回", "verify" -> "已核实"; NULL if unknown. */
const char *review_decision_label(const char *decision);
/* "pending" -> "待审核", "approved" -> "通过", "returned" -> "退回". */
const char *review_state_label(const char *state);

/* pack: *buf malloc'd, 0 or -1. unpack: 0, or -1 with err (malformed, bad UTF-8, too long). */
int review_pack(const review_t *r, uint8_t **buf, size_t *len);
int review_unpack(const uint8_t *buf, size_t len, review_t *r, char *err, size_t errlen);
int review_ack_pack(const review_ack_t *a, uint8_t **buf, size_t *len);
int review_ack_unpack(const uint8_t *buf, size_t len, review_ack_t *a, char *err, size_t errlen);
/* A status query for version (0 = the latest). */
int review_query_pack(const char *entity, uint32_t year, uint32_t version, uint8_t **buf, size_t *len);
int review_query_unpack(const uint8_t *buf, size_t len, char entity[65], uint32_t *year,
                        uint32_t *version, char *err, size_t errlen);
int review_status_pack(const review_status_t *s, uint8_t **buf, size_t *len);
int review_status_unpack(const uint8_t *buf, size_t len, review_status_t *s, char *err, size_t errlen);

#endif
