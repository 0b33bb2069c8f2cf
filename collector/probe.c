/* probe.c -- `huizong-collector probe`: a diagnostic that sends raw bytes to an
 * aggregator and prints the ack it gets back.
 *
 * For operators ("is the aggregator up, what does it say to this spool file?") and for
 * the integration tests that prove the aggregator answers garbage, odd framing and
 * REQ-style clients without falling over. It never touches the spool.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "collector.h"
#include "curve.h"
#include "digest.h"
#include "spool.h"
#include "wire.h"

static void probe_usage(FILE *f)
{
    fprintf(f,
        "usage: huizong-collector probe --to ENDPOINT [FILE] [--req] [--frames N] [--repeat N]\n"
        "                              [--timeout MS] [--key FILE --server-key FILE]\n"
        "\n"
        "Diagnostic: sends the bytes of FILE (a spool .pb file without its header, or any\n"
        "bytes as they are; none: an empty message)\n"
        "as one message and prints the aggregator's ack: status, version, replayed, reason.\n"
        "  --req         use a REQ socket (the aggregator sees an empty delimiter frame)\n"
        "  --frames N    send the payload as N frames of one message (default 1)\n"
        "  --repeat N    send the message N times back to back (DEALER only) and print every\n"
        "                ack (default 1)\n"
        "  --timeout MS  wait this long for each ack (default 3000)\n"
        "  --key FILE --server-key FILE  connect as a CURVE client (as submit does)\n"
        "\n"
        "Exit status: 0 an ack came back (whatever it says), 2 usage or unreadable FILE,\n"
        "3 socket error, 4 no ack within the timeout.\n");
}

static int probe_read(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "huizong-collector: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *data = malloc(cap);
    size_t got;
    while (data && (got = fread(data + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *grown = realloc(data, cap * 2);
            if (!grown) { free(data); data = NULL; break; }
            data = grown;
            cap *= 2;
        }
    }
    fclose(f);
    if (!data) return -1;
    *buf = data;
    *len = n;
    return 0;
}

static void probe_print(const uint8_t *data, size_t len)
{
    ack_t ack;
    ack_init(&ack);
    char err[256] = "";
    if (wire_unpack_ack(data, len, &ack, err, sizeof err) != 0) {
        printf("unreadable reply (%zu bytes): %s\n", len, err);
        return;
    }
    unsigned ne, nw, ni;
    findings_count(&ack.flags, &ne, &nw, &ni);
    char hex[DIGEST_HEX_LEN + 1] = "-";
    if (ack.has_digest) digest_hex(ack.digest, hex);
    printf("id=%s entity=%s year=%u facts=%u status=%s version=%u replayed=%d flags=E%u/W%u/I%u digest=%s reason=%s\n",
           ack.submission_id[0] ? ack.submission_id : "-", ack.entity[0] ? ack.entity : "-", ack.year,
           ack.fact_count, ack.status == ACK_ACCEPTED ? "ACCEPTED" : ack.status == ACK_REJECTED ? "REJECTED" : "?",
           ack.version, ack.replayed, ne, nw, ni, hex, ack.reason[0] ? ack.reason : "-");
    ack_clear(&ack);
}

int cmd_probe(int argc, char **argv)
{
    const char *to = NULL, *key = NULL, *server_key = NULL;
    int req = 0, frames = 1, repeat = 1, timeout = 3000;
    const opt_t options[] = {
        opt_text("to", &to), opt_flag("req", &req), opt_int("frames", &frames, 1, 100, NULL),
        opt_int("timeout", &timeout, 1, INT_MAX, NULL), opt_int("repeat", &repeat, 1, 1000, NULL),
        opt_text("key", &key), opt_text("server-key", &server_key), opt_end() };
    int parsed = options_parse("huizong-collector", options, argc, argv, probe_usage);
    if (parsed != OPTIONS_OK) return parsed == OPTIONS_HELP ? COL_EXIT_OK : COL_EXIT_INPUT;
    if (!to || (req && repeat > 1) || argc - optind > 1) {
        probe_usage(stderr);
        return COL_EXIT_INPUT;
    }
    uint8_t *buf = NULL;
    size_t len = 0;
    curve_client_t keys;
    int curve_on;
    if (collector_curve_options(&keys, &curve_on, key, server_key, to) != 0) return COL_EXIT_INPUT;
    if (optind < argc && probe_read(argv[optind], &buf, &len) != 0) return COL_EXIT_INPUT;
    if (buf) {                      /* a spool file is sent as its submission, without header */
        size_t skip = spool_payload_offset(buf, len);
        memmove(buf, buf + skip, len - skip);
        len -= skip;
    }

    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, req ? ZMQ_REQ : ZMQ_DEALER);
    int linger = 0, rc = COL_EXIT_LOCAL;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    char err[512];
    if (curve_on && curve_client_apply(&keys, s, err, sizeof err) != 0) {
        fprintf(stderr, "huizong-collector: %s\n", err);
        goto done;
    }
    if (zmq_connect(s, to) != 0) {
        fprintf(stderr, "huizong-collector: cannot connect to %s: %s\n", to, zmq_strerror(errno));
        goto done;
    }
    for (int r = 0; r < repeat; r++) {
        for (int i = 0; i < frames; i++) {
            if (zmq_send(s, buf ? buf : (uint8_t *)"", len, i + 1 < frames ? ZMQ_SNDMORE : 0) < 0) {
                fprintf(stderr, "huizong-collector: send: %s\n", zmq_strerror(errno));
                goto done;
            }
        }
    }
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    for (int got = 0; got < repeat;) {
        if (zmq_msg_recv(&msg, s, 0) < 0) {
            fprintf(stderr, "huizong-collector: no ack from %s within %d ms\n", to, timeout);
            rc = COL_EXIT_PENDING;
            break;
        }
        if (zmq_msg_more(&msg)) continue;   /* a delimiter before the ack */
        probe_print(zmq_msg_data(&msg), zmq_msg_size(&msg));
        rc = COL_EXIT_OK;
        got++;
    }
    zmq_msg_close(&msg);
done:
    free(buf);
    curve_client_clear(&keys);
    zmq_close(s);
    zmq_ctx_term(ctx);
    return rc;
}
