/* bench_lmdb.c -- the storage raw limit: LMDB puts per second with every write
 * transaction committed durably (sync on, as the aggregator commits before it acks).
 *
 * Keys are shaped like one fact per entry (the store's format-1 fact keys: entity(4)
 * year(4) version(4) table(1) row(4) column(1), big-endian, 18 bytes; the store now packs
 * a version's facts of a table into one value, store/facts.c): each transaction
 * holds the facts of PUTS/200 submissions of ~200 facts, each for a random entity of a
 * 25,000-unit province, keys sorted within a submission. Values are 16 bytes (an amount in
 * fen and a source line). This is one put per fact; the store does more (rollup), which
 * is why it is a limit and not a prediction.
 *
 * usage: bench_lmdb DIR [TRANSACTIONS [PUTS_PER_TXN]]   (DIR: an empty temp directory)
 * prints: lmdb_put_synced_per_s, lmdb_commits_per_s, and lmdb_commit_p50_ms / _p99_ms:
 *         the latency of one synced transaction holding one submission's 200 facts
 */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "sort.h"

#define KEY_LEN 18
#define FACTS_PER_SUBMISSION 200
#define ENTITIES 25000
#define SINGLE_TXNS 200

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

static int check(int rc, const char *what)
{
    if (rc == 0) return 0;
    fprintf(stderr, "bench_lmdb: %s: %s\n", what, mdb_strerror(rc));
    exit(1);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_lmdb DIR [TRANSACTIONS [PUTS_PER_TXN]]\n");
        return 2;
    }
    long txns = argc > 2 ? bench_count(argv[2], "TRANSACTIONS") : 200;
    long per = argc > 3 ? bench_count(argv[3], "PUTS_PER_TXN") : 1000;

    MDB_env *env;
    check(mdb_env_create(&env), "mdb_env_create");
    check(mdb_env_set_mapsize(env, (size_t)4 << 30), "mdb_env_set_mapsize");
    check(mdb_env_open(env, argv[1], 0, 0600), argv[1]);   /* flags 0: synced commits */
    MDB_dbi dbi;
    MDB_txn *txn;
    check(mdb_txn_begin(env, NULL, 0, &txn), "mdb_txn_begin");
    check(mdb_dbi_open(txn, NULL, 0, &dbi), "mdb_dbi_open");
    check(mdb_txn_commit(txn), "mdb_txn_commit");

    uint32_t *versions = calloc(ENTITIES, sizeof *versions);
    uint32_t rng = 12345;
    uint8_t key[KEY_LEN], val[16];
    long puts = 0;
    double t0 = bench_now();
    for (long t = 0; t < txns; t++) {
        check(mdb_txn_begin(env, NULL, 0, &txn), "mdb_txn_begin");
        uint32_t entity = 0;
        for (long i = 0; i < per; i++) {
            if (i % FACTS_PER_SUBMISSION == 0) {
                rng = rng * 1103515245u + 12345u;
                entity = 1 + (rng >> 8) % ENTITIES;
                versions[entity - 1]++;
            }
            uint32_t f = (uint32_t)(i % FACTS_PER_SUBMISSION);
            be32(key, entity);
            be32(key + 4, 2024);
            be32(key + 8, versions[entity - 1]);
            key[12] = (uint8_t)(1 + f / 20);        /* table */
            be32(key + 13, 100 + f);                /* interned row id */
            key[17] = (uint8_t)(1 + f % 7);         /* column */
            memset(val, 0, sizeof val);
            be32(val + 4, (uint32_t)(i * 7919));    /* amount (fen), low word */
            be32(val + 8, f + 2);                   /* source line */
            MDB_val k = { KEY_LEN, key }, v = { sizeof val, val };
            check(mdb_put(txn, dbi, &k, &v, 0), "mdb_put");
            puts++;
        }
        check(mdb_txn_commit(txn), "mdb_txn_commit");
    }
    double secs = bench_now() - t0;
    fprintf(stderr, "bench_lmdb: %ld puts in %ld synced transactions (%ld per txn, %d-byte keys): %.3f s\n",
            puts, txns, per, KEY_LEN, secs);
    printf("lmdb_put_synced_per_s=%.0f\n", (double)puts / secs);
    printf("lmdb_commits_per_s=%.0f\n", (double)txns / secs);

    /* The floor under a single resubmission's latency: one submission's facts in one
     * synced transaction, each commit timed (the disk's fsync tail shows in the p99). */
    double lat[SINGLE_TXNS];
    for (int t = 0; t < SINGLE_TXNS; t++) {
        rng = rng * 1103515245u + 12345u;
        uint32_t entity = 1 + (rng >> 8) % ENTITIES;
        versions[entity - 1]++;
        double s0 = bench_now();
        check(mdb_txn_begin(env, NULL, 0, &txn), "mdb_txn_begin");
        for (uint32_t f = 0; f < FACTS_PER_SUBMISSION; f++) {
            be32(key, entity);
            be32(key + 4, 2024);
            be32(key + 8, versions[entity - 1]);
            key[12] = (uint8_t)(1 + f / 20);
            be32(key + 13, 100 + f);
            key[17] = (uint8_t)(1 + f % 7);
            memset(val, 0, sizeof val);
            MDB_val k = { KEY_LEN, key }, v = { sizeof val, val };
            check(mdb_put(txn, dbi, &k, &v, 0), "mdb_put");
        }
        check(mdb_txn_commit(txn), "mdb_txn_commit");
        lat[t] = bench_now() - s0;
    }
    sort_array(lat, SINGLE_TXNS, sizeof lat[0], cmp_double);
    printf("lmdb_commit_p50_ms=%.3f\n", lat[(SINGLE_TXNS - 1) / 2] * 1e3);
    printf("lmdb_commit_p99_ms=%.3f\n", lat[(SINGLE_TXNS * 99 + 99) / 100 - 1] * 1e3);
    free(versions);
    mdb_env_close(env);
    return 0;
}
