/* curve.h -- the client side of CURVE: its own keypair and the aggregator's public key,
 * read from CZMQ zcert files (`huizong keygen`), applied to a DEALER before connect. The
 * client is a collector, or an aggregator forwarding upstream (--upstream-key,
 * --upstream-server-key); "collector" below means either.
 *
 * Invariants:
 *  - A key is used only after it decoded as 40-character Z85, and a keypair only after
 *    its public key was re-derived from the secret one (a zcert file whose halves do not
 *    match is refused instead of failing the handshake later with no explanation).
 *  - The collector's secret file must not be readable by group or others (like ssh).
 *  - The server key file must hold no secret key: a collector is given the aggregator's
 *    PUBLIC certificate only; a file with the server's secret in it is refused.
 *  - Secret key text is wiped from memory when the keys are released.
 */
#ifndef HUIZONG_CURVE_H
#define HUIZONG_CURVE_H

#include <stddef.h>

#define CURVE_Z85_LEN 40

typedef struct {
    char public_z85[CURVE_Z85_LEN + 1];   /* the collector's public key (its identity) */
    char secret_z85[CURVE_Z85_LEN + 1];   /* the collector's secret key */
    char server_z85[CURVE_Z85_LEN + 1];   /* the aggregator's public key */
} curve_client_t;

/* Reads one zcert file. With want_secret, the file must hold a matching keypair (a
 * `_secret` file); without, it must hold a public key and no secret. secret_out may be
 * NULL when !want_secret. Returns 0, or -1 with "FILE: reason" in err. */
int curve_read_cert(const char *path, int want_secret, char public_out[CURVE_Z85_LEN + 1],
                    char secret_out[CURVE_Z85_LEN + 1], char *err, size_t errlen);

/* Loads --key (the collector's zcert secret file) and --server-key (the aggregator's
 * zcert public file). Returns 0, or -1 with err. */
int curve_client_load(curve_client_t *c, const char *key_file, const char *server_key_file,
                      char *err, size_t errlen);
/* Makes sock (a DEALER, before zmq_connect) a CURVE client of the loaded server key. */
int curve_client_apply(const curve_client_t *c, void *sock, char *err, size_t errlen);
/* Wipes the secret key. */
void curve_client_clear(curve_client_t *c);

/* Both in one call: load the files, configure the socket, wipe the secret. */
int curve_configure_client(void *zmq_socket, const char *key_file, const char *server_key_file,
                           char *err, size_t errlen);

#endif
