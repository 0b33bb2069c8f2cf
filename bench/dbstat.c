/* dbstat.c -- how much of an LMDB environment is in use, whatever the store's layout: the
 * pages of the main database and of every named database it lists (branch + leaf +
 * overflow, from mdb_stat), times the page size. Free pages (the freelist) and the file's
 * sparse tail are not counted: this is what the data costs, not what the file reserves.
 * Read-only (MDB_RDONLY), so it can run beside a live aggregator.
 *
 * usage: dbstat DBDIR
 * prints: db_used_bytes, db_pages_used, db_page_size, db_last_pgno (the file's high-water
 *         mark in pages), db_dbs (named databases), and db_entries_<name> for each
 * Exits 1 when the environment cannot be opened.
 */
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DBSTAT_MAX_DBS 64

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: dbstat DBDIR\n");
        return 2;
    }
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi main_dbi;
    int rc = mdb_env_create(&env);
    if (rc == 0) rc = mdb_env_set_maxdbs(env, DBSTAT_MAX_DBS);
    if (rc == 0) rc = mdb_env_open(env, argv[1], MDB_RDONLY, 0);
    if (rc == 0) rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
    if (rc == 0) rc = mdb_dbi_open(txn, NULL, 0, &main_dbi);
    if (rc != 0) {
        fprintf(stderr, "dbstat: %s: %s\n", argv[1], mdb_strerror(rc));
        return 1;
    }
    MDB_stat st;
    MDB_envinfo info;
    mdb_stat(txn, main_dbi, &st);
    mdb_env_info(env, &info);
    size_t pages = st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages;
    unsigned psize = st.ms_psize;
    int dbs = 0;
    MDB_cursor *cur;
    MDB_val k, v;
    mdb_cursor_open(txn, main_dbi, &cur);
    /* every key of the main database names a named database (the store keeps nothing
     * else there); one that does not open as a database is skipped */
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        char name[128];
        if (k.mv_size == 0 || k.mv_size >= sizeof name) continue;
        memcpy(name, k.mv_data, k.mv_size);
        name[k.mv_size] = '\0';
        MDB_dbi dbi;
        if (mdb_dbi_open(txn, name, 0, &dbi) != 0) continue;
        MDB_stat ds;
        mdb_stat(txn, dbi, &ds);
        pages += ds.ms_branch_pages + ds.ms_leaf_pages + ds.ms_overflow_pages;
        printf("db_entries_%s=%zu\n", name, ds.ms_entries);
        printf("db_pages_%s=%zu\n", name, ds.ms_branch_pages + ds.ms_leaf_pages + ds.ms_overflow_pages);
        dbs++;
    }
    mdb_cursor_close(cur);
    printf("db_used_bytes=%zu\n", pages * psize);
    printf("db_pages_used=%zu\n", pages);
    printf("db_page_size=%u\n", psize);
    printf("db_last_pgno=%zu\n", info.me_last_pgno);
    printf("db_dbs=%d\n", dbs);
    mdb_txn_abort(txn);
    mdb_env_close(env);
    return 0;
}
