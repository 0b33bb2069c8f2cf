/* keygen.c -- `huizong keygen`: a new CURVE keypair as CZMQ zcert files.
 *
 *   BASENAME         the public certificate: give it to the other side (the aggregator's
 *                    goes to every collector as --server-key; a collector's public key
 *                    goes into the aggregator's authorisation file)
 *   BASENAME_secret  the keypair: stays on this machine, mode 0600
 *
 * Invariants: an existing file is never overwritten without --force, and never left half
 * written: both files are written under temporary names in the same directory, the secret
 * one chmod'ed to 0600 before its final name exists, then linked into place (link fails
 * instead of overwriting) or, with --force, renamed over the old ones. On any failure
 * nothing new is left behind. The public key is printed on stdout (Z85), alone on its
 * line, so scripts can capture it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <czmq.h>

#include "commands.h"

/* What the printed authorized.txt line carries when --entity is not given: a value no
 * hierarchy has, so a line pasted unchanged authorises nothing. */
#define KEYGEN_ENTITY_PLACEHOLDER "单位代码"

static void keygen_usage(FILE *f)
{
    fprintf(f,
        "usage: huizong keygen --out BASENAME [--name TEXT] [--entity CODE[,CODE...]]\n"
        "                      [--print line|key] [--force]\n"
        "\n"
        "Writes a new CURVE keypair in CZMQ zcert format and prints the line to paste into the\n"
        "aggregator's authorized.txt:  PUBLIC_KEY  ENTITIES  # NAME\n"
        "  BASENAME          public certificate: hand it to the other side\n"
        "  BASENAME_secret   secret certificate (mode 0600): never leaves this machine\n"
        "\n"
        "  --out BASENAME    where to write (refuses to overwrite existing files)\n"
        "  --name TEXT       a label stored in the certificates' metadata, e.g. the entity\n"
        "                    or host the key belongs to\n"
        "  --entity CODES    the entities the key may submit for, in the printed line\n"
        "                    (default the placeholder " KEYGEN_ENTITY_PLACEHOLDER ": replace it)\n"
        "  --print key       print the bare public key (Z85) instead, for scripts\n"
        "  --force           replace existing files\n"
        "  --help            this text\n"
        "\n"
        "Aggregator: huizong-aggregator --curve-secret BASENAME_secret --authorized FILE\n"
        "Collector:  huizong-collector submit --key BASENAME_secret --server-key AGGREGATOR_PUBLIC\n"
        "Authorisation file line for a collector:  PUBLIC_KEY  ENTITY[,ENTITY...]\n");
}

/* Removes the temporaries (whichever exist). */
static void keygen_cleanup(const char *tmp_pub, const char *tmp_sec)
{
    unlink(tmp_sec);
    unlink(tmp_pub);
}

/* Links (no --force) or renames (--force) tmp to final. Returns 0 or -1 (printed). */
static int keygen_install(const char *tmp, const char *final, int force)
{
    int rc = force ? rename(tmp, final) : link(tmp, final);
    if (rc == 0) return 0;
    if (errno == EEXIST)
        fprintf(stderr, "huizong keygen: %s already exists (use --force to replace it)\n", final);
    else
        fprintf(stderr, "huizong keygen: cannot write %s: %s\n", final, strerror(errno));
    return -1;
}

int cmd_keygen(int argc, char **argv)
{
    const char *out = NULL, *name = NULL, *entities = NULL;
    int force = 0, bare = 0;
    static const struct option longopts[] = {
        { "out", required_argument, 0, 'o' }, { "name", required_argument, 0, 'n' },
        { "force", no_argument, 0, 'f' }, { "entity", required_argument, 0, 'e' },
        { "print", required_argument, 0, 'p' }, { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 } };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:n:f", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'n': name = optarg; break;
        case 'f': force = 1; break;
        case 'e': entities = optarg; break;
        case 'p':
            if (!strcmp(optarg, "key")) bare = 1;
            else if (!strcmp(optarg, "line")) bare = 0;
            else { fprintf(stderr, "huizong keygen: --print is line or key, got '%s'\n", optarg); return EXIT_USAGE; }
            break;
        case 'h': keygen_usage(stdout); return EXIT_OK;
        default: keygen_usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "huizong keygen: unexpected argument '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (!out || !out[0]) {
        fprintf(stderr, "huizong keygen: --out BASENAME is required (see --help)\n");
        return EXIT_USAGE;
    }
    /* The entity list goes into authorized.txt as one field: codes separated by commas. */
    for (const char *p = entities; p && *p; p++) {
        if ((unsigned char)*p <= 0x20 || *p == '#' || *p == 0x7f) {
            fprintf(stderr, "huizong keygen: --entity is CODE[,CODE...] without blanks or '#'\n");
            return EXIT_USAGE;
        }
    }
    if (entities && !entities[0]) entities = NULL;
    /* zcert_load and friends use 256-byte buffers for "BASENAME_secret". */
    if (strlen(out) > 200) {
        fprintf(stderr, "huizong keygen: --out path is too long (200 characters at most)\n");
        return EXIT_USAGE;
    }
    /* The name goes into a quoted ZPL value that CZMQ does not escape. */
    for (const char *p = name; p && *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == '"' || *p == 0x7f) {
            fprintf(stderr, "huizong keygen: --name must not contain quotes or control characters\n");
            return EXIT_USAGE;
        }
    }
    if (!zsys_has_curve()) {
        fprintf(stderr, "huizong keygen: this libzmq was built without CURVE support\n");
        return EXIT_ERROR;
    }
    char final_sec[224], tmp_pub[240], tmp_sec[256];
    snprintf(final_sec, sizeof final_sec, "%s_secret", out);
    snprintf(tmp_pub, sizeof tmp_pub, "%s.tmp%ld", out, (long)getpid());
    snprintf(tmp_sec, sizeof tmp_sec, "%s_secret", tmp_pub);
    if (!force) {
        /* Checked again, atomically, by link(); this only spares generating a key. */
        if (access(out, F_OK) == 0 || access(final_sec, F_OK) == 0) {
            fprintf(stderr, "huizong keygen: %s already exists (use --force to replace it)\n",
                    access(out, F_OK) == 0 ? out : final_sec);
            return EXIT_ERROR;
        }
    }

    zcert_t *cert = zcert_new();
    if (!cert) {
        fprintf(stderr, "huizong keygen: cannot generate a keypair\n");
        return EXIT_ERROR;
    }
    if (name) zcert_set_meta(cert, "name", "%s", name);
    char created[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    zcert_set_meta(cert, "created-by", "huizong keygen");
    zcert_set_meta(cert, "created", "%s", created);

    int rc = EXIT_ERROR;
    keygen_cleanup(tmp_pub, tmp_sec);
    if (zcert_save(cert, tmp_pub) != 0) {
        fprintf(stderr, "huizong keygen: cannot write %s: %s\n", tmp_pub, strerror(errno));
        goto done;
    }
    /* CZMQ writes the secret file under a private umask; make sure of it before the
     * file gets its real name. */
    if (chmod(tmp_sec, 0600) != 0 || chmod(tmp_pub, 0644) != 0) {
        fprintf(stderr, "huizong keygen: cannot set the mode of %s: %s\n", tmp_sec, strerror(errno));
        goto done;
    }
    if (keygen_install(tmp_sec, final_sec, force) != 0) goto done;
    if (keygen_install(tmp_pub, out, force) != 0) {
        if (!force) unlink(final_sec);   /* we created it a moment ago */
        goto done;
    }
    if (bare) {
        printf("%s\n", zcert_public_txt(cert));
    } else {
        /* The authorized.txt line: key, entity list, and the name as a comment. */
        printf("%s  %s", zcert_public_txt(cert), entities ? entities : KEYGEN_ENTITY_PLACEHOLDER);
        if (name && name[0]) printf("  # %s", name);
        putchar('\n');
    }
    fprintf(stderr, "huizong keygen: wrote %s (public) and %s (secret, mode 0600)\n", out, final_sec);
    if (!bare)
        fprintf(stderr, "huizong keygen: add the line above to the aggregator's authorized.txt%s, "
                        "then: kill -HUP $(pidof huizong-aggregator)\n",
                entities ? "" : " after replacing " KEYGEN_ENTITY_PLACEHOLDER " with the entity codes "
                                "this key may submit for (comma-separated; * for all)");
    rc = EXIT_OK;
done:
    keygen_cleanup(tmp_pub, tmp_sec);
    zcert_destroy(&cert);
    return rc;
}
