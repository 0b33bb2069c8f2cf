/* curve.c -- loading a CURVE client's keys (a collector's, or an aggregator's forwarding
 * upstream) and configuring its DEALER (see curve.h).
 *
 * The files are CZMQ zcert files (ZPL text, `huizong keygen` writes them):
 *     curve
 *         public-key = "<40 Z85 characters>"
 *         secret-key = "<40 Z85 characters>"      (only in the BASENAME_secret file)
 * They are read with zconfig_load on the exact path given, not with zcert_load: zcert_load
 * silently prefers PATH_secret when it exists and never reports an undecodable key.
 */
#include "curve.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <czmq.h>
#include <zmq.h>

/* 1 if text is exactly a 40-character Z85 key (libzmq checks the alphabet). */
static int curve_z85_valid(const char *text)
{
    uint8_t bin[32];
    return text && strlen(text) == CURVE_Z85_LEN && zmq_z85_decode(bin, text) != NULL;
}

int curve_read_cert(const char *path, int want_secret, char public_out[CURVE_Z85_LEN + 1],
                    char secret_out[CURVE_Z85_LEN + 1], char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        return -1;
    }
    zconfig_t *root = zconfig_load(path);
    if (!root) {
        snprintf(err, errlen, "%s: not a readable zcert file (expected the text that "
                              "`huizong keygen` writes)", path);
        return -1;
    }
    const char *pub = zconfig_get(root, "/curve/public-key", NULL);
    const char *sec = zconfig_get(root, "/curve/secret-key", NULL);
    int rc = -1;
    char derived[CURVE_Z85_LEN + 1];
    if (!pub)
        snprintf(err, errlen, "%s: no curve/public-key in this file", path);
    else if (!curve_z85_valid(pub))
        snprintf(err, errlen, "%s: curve/public-key is not a 40-character Z85 key", path);
    else if (want_secret && !sec)
        snprintf(err, errlen, "%s: no curve/secret-key: give the keypair's secret file "
                              "(BASENAME_secret), not its public file", path);
    else if (!want_secret && sec)
        snprintf(err, errlen, "%s: this file holds a SECRET key; give the public certificate "
                              "(without _secret) here, and keep the secret one private", path);
    else if (want_secret && !curve_z85_valid(sec))
        snprintf(err, errlen, "%s: curve/secret-key is not a 40-character Z85 key", path);
    else if (want_secret && (zmq_curve_public(derived, sec) != 0 || strcmp(derived, pub) != 0))
        snprintf(err, errlen, "%s: curve/public-key does not belong to curve/secret-key", path);
    else if (want_secret && (st.st_mode & 077))
        snprintf(err, errlen, "%s: secret key file is accessible by group or others (mode %04o); "
                              "run: chmod 600 %s", path, (unsigned)(st.st_mode & 07777), path);
    else {
        memcpy(public_out, pub, CURVE_Z85_LEN + 1);
        if (want_secret) memcpy(secret_out, sec, CURVE_Z85_LEN + 1);
        rc = 0;
    }
    explicit_bzero(derived, sizeof derived);
    zconfig_destroy(&root);   /* note: CZMQ does not wipe the secret text it parsed */
    return rc;
}

int curve_client_load(curve_client_t *c, const char *key_file, const char *server_key_file,
                      char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    if (!key_file || !server_key_file) {
        snprintf(err, errlen, "CURVE needs both --key FILE (this collector's secret key) and "
                              "--server-key FILE (the aggregator's public key)");
        return -1;
    }
    if (curve_read_cert(key_file, 1, c->public_z85, c->secret_z85, err, errlen) != 0) return -1;
    if (curve_read_cert(server_key_file, 0, c->server_z85, NULL, err, errlen) != 0) {
        curve_client_clear(c);
        return -1;
    }
    return 0;
}

static int curve_setopt(void *sock, int opt, const void *value, size_t len, const char *name,
                        char *err, size_t errlen)
{
    if (zmq_setsockopt(sock, opt, value, len) == 0) return 0;
    snprintf(err, errlen, "setting %s: %s", name, zmq_strerror(errno));
    return -1;
}

int curve_client_apply(const curve_client_t *c, void *sock, char *err, size_t errlen)
{
    /* Z85 text of exactly 40 characters is accepted by libzmq for the three key options. */
    if (curve_setopt(sock, ZMQ_CURVE_SERVERKEY, c->server_z85, CURVE_Z85_LEN, "ZMQ_CURVE_SERVERKEY", err, errlen)) return -1;
    if (curve_setopt(sock, ZMQ_CURVE_PUBLICKEY, c->public_z85, CURVE_Z85_LEN, "ZMQ_CURVE_PUBLICKEY", err, errlen)) return -1;
    if (curve_setopt(sock, ZMQ_CURVE_SECRETKEY, c->secret_z85, CURVE_Z85_LEN, "ZMQ_CURVE_SECRETKEY", err, errlen)) return -1;
    return 0;
}

void curve_client_clear(curve_client_t *c)
{
    explicit_bzero(c, sizeof *c);
}

int curve_configure_client(void *zmq_socket, const char *key_file, const char *server_key_file,
                           char *err, size_t errlen)
{
    curve_client_t c;
    int rc = curve_client_load(&c, key_file, server_key_file, err, errlen);
    if (rc == 0) rc = curve_client_apply(&c, zmq_socket, err, errlen);
    curve_client_clear(&c);
    return rc;
}
