/* pgstream.c -- the PostgreSQL-backed service a team would build instead of huizong, as
 * a benchmark peer: K concurrent clients (like huizong's K collectors), ONE transaction per
 * submission that inserts its facts and upserts every ancestor's totals with
 * INSERT ... ON CONFLICT DO UPDATE, committed synchronously (the server runs with
 * fsync=on, synchronous_commit=on; bench/run.sh starts it and prints its settings).
 *
 * The schema is what an expert would pick: integer keys everywhere (entity id, smallint
 * table and column, an int id per row code from a dictionary table loaded up front), C
 * collation on the only text columns, the facts of an entity-year replaced as a whole
 * (old facts deleted and subtracted, new ones inserted and added, in one statement), the
 * totals keyed by (entity, year, table, row, column). Only units' facts roll up, to the
 * unit itself and each ancestor (the batch peer sums the same); a declaring entity's
 * submission stores its facts in the same transaction shape and moves no totals. Rows are
 * upserted in key order so concurrent clients take row locks in one order (no deadlocks);
 * a transaction that still fails with a deadlock or serialization error is retried and
 * counted.
 *
 * Reading the CSVs (core/csv.c) and building each statement's parameters happen before
 * the clock: what is timed is the server's work and the client round trips, as for
 * bench/aggdrive. Then one unit resubmits N corrected versions (one detail amount + 0.01
 * 万元 each time, the fact bench/resubmit picks), one at a time, each timed.
 *
 * usage: pgstream CONNINFO ENTITIES_CSV K RESUBMIT_UNIT N CSV...
 * prints: pg_stream_s, pg_stream_facts_per_s, pg_stream_submissions_per_s,
 *         pg_stream_retries, pg_stream_resubmit_p50_ms, pg_stream_resubmit_p99_ms,
 *         pg_stream_total_rows, pg_stream_check (ok when the root's totals equal the sum
 *         of the units' stored facts, read back from the server)
 * Exits 1 on any database error that is not retried.
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "sort.h"
#include "csv.h"
#include "hierarchy.h"

#define PGSTREAM_MAX_RETRIES 20      /* per transaction, deadlock / serialization only */

static const char *SCHEMA =
    "SET client_min_messages = warning;"
    "DROP TABLE IF EXISTS s_total, s_fact, s_row, s_entity;"
    "CREATE TABLE s_entity (id int PRIMARY KEY, code text COLLATE \"C\" NOT NULL,"
    "                       level smallint NOT NULL, parent int);"
    "CREATE TABLE s_row (id int PRIMARY KEY, code text COLLATE \"C\" NOT NULL UNIQUE);"
    "CREATE TABLE s_fact (entity int NOT NULL, year smallint NOT NULL, tbl smallint NOT NULL,"
    "                     row int NOT NULL, col smallint NOT NULL, fen bigint NOT NULL);"
    "CREATE INDEX s_fact_entity_year ON s_fact (entity, year);"
    "CREATE TABLE s_total (entity int NOT NULL, year smallint NOT NULL, tbl smallint NOT NULL,"
    "                      row int NOT NULL, col smallint NOT NULL, fen bigint NOT NULL,"
    "                      PRIMARY KEY (entity, year, tbl, row, col));";

/* $1 entity, $2 year, $3..$6 the new facts (table, row, column, fen), $7 the entities
 * whose totals move (the unit and its ancestors; empty for a declaration). A key whose
 * delta is 0 and that exists on both sides is not touched (a resubmission's unchanged
 * figures); a key on one side only is (a new or vanished figure). */
static const char *SUBMIT_SQL =
    "WITH old AS (DELETE FROM s_fact WHERE entity = $1 AND year = $2"
    "             RETURNING tbl, row, col, -fen AS fen),"
    " new AS (SELECT * FROM unnest($3::int2[], $4::int4[], $5::int2[], $6::int8[])"
    "         AS n(tbl, row, col, fen)),"
    " ins AS (INSERT INTO s_fact SELECT $1, $2, tbl, row, col, fen FROM new),"
    " delta AS (SELECT tbl, row, col, sum(fen)::bigint AS fen"
    "             FROM (SELECT * FROM old UNION ALL SELECT * FROM new) d"
    "            GROUP BY tbl, row, col HAVING sum(fen) <> 0 OR count(*) = 1)"
    " INSERT INTO s_total (entity, year, tbl, row, col, fen)"
    " SELECT a.id, $2, d.tbl, d.row, d.col, d.fen"
    "   FROM delta d CROSS JOIN unnest($7::int4[]) AS a(id)"
    "  ORDER BY 1, 3, 4, 5"
    " ON CONFLICT (entity, year, tbl, row, col) DO UPDATE SET fen = s_total.fen + EXCLUDED.fen";

/* A growable string. */
typedef struct { char *s; size_t len, cap; } buf_t;

static void buf_add(buf_t *b, const char *text, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        if (!b->s) { perror("pgstream"); exit(1); }
    }
    memcpy(b->s + b->len, text, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void buf_num(buf_t *b, long long v)
{
    char t[32];
    int n = snprintf(t, sizeof t, "%s%lld", b->len > 1 ? "," : "", v);
    buf_add(b, t, (size_t)n);
}

/* One submission's statement parameters, built before the clock. */
typedef struct {
    char entity[16], year[8];
    buf_t tbl, row, col, fen, anc;
    size_t facts;
    int client;
} job_t;

typedef struct {
    const char *conninfo;
    job_t *jobs;
    size_t njobs;
    int client;
    long retries;
    int failed;
} worker_t;

static void die_conn(PGconn *c, const char *what)
{
    fprintf(stderr, "pgstream: %s: %s", what, PQerrorMessage(c));
    exit(1);
}

static PGconn *s_connect(const char *conninfo)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) die_conn(c, "connect");
    PGresult *r = PQprepare(c, "submit", SUBMIT_SQL, 7, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) die_conn(c, "prepare");
    PQclear(r);
    return c;
}

/* Runs one submission's transaction (one statement: autocommit is one transaction),
 * retrying deadlocks and serialization failures. Returns 0, or -1 with a message. */
static int s_submit(PGconn *c, const job_t *j, long *retries)
{
    const char *v[7] = { j->entity, j->year, j->tbl.s, j->row.s, j->col.s, j->fen.s, j->anc.s };
    for (int attempt = 0;; attempt++) {
        PGresult *r = PQexecPrepared(c, "submit", 7, v, NULL, NULL, 0);
        if (PQresultStatus(r) == PGRES_COMMAND_OK) { PQclear(r); return 0; }
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        int retry = state && (!strcmp(state, "40P01") || !strcmp(state, "40001"));
        if (!retry || attempt >= PGSTREAM_MAX_RETRIES) {
            fprintf(stderr, "pgstream: entity %s: %s", j->entity, PQresultErrorMessage(r));
            PQclear(r);
            return -1;
        }
        PQclear(r);
        (*retries)++;
    }
}

static void *s_worker(void *arg)
{
    worker_t *w = arg;
    PGconn *c = s_connect(w->conninfo);
    for (size_t i = 0; i < w->njobs && !w->failed; i++)
        if (w->jobs[i].client == w->client && s_submit(c, &w->jobs[i], &w->retries) != 0)
            w->failed = 1;
    PQfinish(c);
    return NULL;
}

static void s_job_build(job_t *j, const submission_t *s, int entity_id, const buf_t *anc,
                        bench_rows_t *rows)
{
    memset(j, 0, sizeof *j);
    snprintf(j->entity, sizeof j->entity, "%d", entity_id);
    snprintf(j->year, sizeof j->year, "%u", s->year);
    buf_t *all[4] = { &j->tbl, &j->row, &j->col, &j->fen };
    for (int k = 0; k < 4; k++) buf_add(all[k], "{", 1);
    for (size_t i = 0; i < s->count; i++) {
        const fact_t *f = &s->facts[i];
        buf_num(&j->tbl, f->table);
        buf_num(&j->row, bench_rows_intern(rows, f->row));
        buf_num(&j->col, f->column);
        buf_num(&j->fen, f->fen);
    }
    for (int k = 0; k < 4; k++) buf_add(all[k], "}", 1);
    buf_add(&j->anc, anc->s, anc->len);
    j->facts = s->count;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static PGresult *s_exec(PGconn *c, const char *sql, ExecStatusType want)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != want) die_conn(c, sql);
    return r;
}

/* COPY text rows into a table. */
static void s_copy(PGconn *c, const char *table, const buf_t *data)
{
    char sql[128];
    snprintf(sql, sizeof sql, "COPY %s FROM STDIN", table);
    PQclear(s_exec(c, sql, PGRES_COPY_IN));
    if (PQputCopyData(c, data->s, (int)data->len) != 1 || PQputCopyEnd(c, NULL) != 1)
        die_conn(c, "COPY");
    PGresult *r = PQgetResult(c);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) die_conn(c, "COPY");
    PQclear(r);
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: pgstream CONNINFO ENTITIES_CSV K RESUBMIT_UNIT N CSV...\n");
        return 2;
    }
    const char *conninfo = argv[1];
    int k = (int)bench_count(argv[3], "K");
    const char *unit = argv[4];
    long nresub = bench_count(argv[5], "N");

    hierarchy_t h;
    char err[1024] = "";
    memset(&h, 0, sizeof h);
    if (hierarchy_load(&h, argv[2], err, sizeof err) != 0) {
        fprintf(stderr, "pgstream: %s\n", err);
        return 1;
    }
    /* entity id = its index in entities.csv; the ancestor list of every unit */
    buf_t entities = { 0 }, *anc = calloc(h.count, sizeof *anc);
    int root = -1;
    for (size_t i = 0; i < h.count; i++) {
        const entity_t *e = &h.items[i];
        const entity_t *p = e->parent[0] ? hierarchy_find(&h, e->parent) : NULL;
        char line[160];
        int n = snprintf(line, sizeof line, "%zu\t%s\t%d\t", i, e->code, (int)e->level);
        buf_add(&entities, line, (size_t)n);
        if (p) n = snprintf(line, sizeof line, "%td\n", p - h.items);
        else n = snprintf(line, sizeof line, "\\N\n");
        buf_add(&entities, line, (size_t)n);
        if (!p && root < 0) root = (int)i;
        buf_add(&anc[i], "{", 1);
        if (e->level == LEVEL_UNIT)
            for (const entity_t *a = e; a; a = a->parent[0] ? hierarchy_find(&h, a->parent) : NULL)
                buf_num(&anc[i], a - h.items);
        buf_add(&anc[i], "}", 1);
    }

    bench_rows_t rows;
    bench_rows_init(&rows);
    job_t *jobs = NULL;
    size_t njobs = 0, capjobs = 0, facts = 0;
    submission_t *resub = NULL;
    for (int a = 6; a < argc; a++) {
        submission_list_t list;
        submission_list_init(&list);
        if (csv_read_file(argv[a], CSV_ENCODING_AUTO, &list, err, sizeof err) != 0) {
            fprintf(stderr, "pgstream: %s\n", err);
            return 1;
        }
        for (size_t i = 0; i < list.count; i++) {
            const submission_t *s = list.items[i];
            const entity_t *e = hierarchy_find(&h, s->entity);
            if (!e) {
                fprintf(stderr, "pgstream: %s: entity %s is not in %s\n", argv[a], s->entity, argv[2]);
                return 1;
            }
            if (njobs == capjobs) {
                capjobs = capjobs ? capjobs * 2 : 1024;
                jobs = realloc(jobs, capjobs * sizeof *jobs);
            }
            s_job_build(&jobs[njobs], s, (int)(e - h.items), &anc[e - h.items], &rows);
            jobs[njobs].client = (a - 6) % k;    /* file i to client i mod K, as run.sh's collectors */
            facts += s->count;
            njobs++;
            if (!resub && !strcmp(s->entity, unit)) {
                resub = list.items[i];
                list.items[i] = NULL;
            }
        }
        submission_list_free(&list);
    }
    if (!resub) {
        fprintf(stderr, "pgstream: unit %s has no submission in the files\n", unit);
        return 1;
    }

    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) die_conn(c, "connect");
    PQclear(s_exec(c, SCHEMA, PGRES_COMMAND_OK));
    s_copy(c, "s_entity", &entities);
    buf_t rowdata = { 0 };
    for (int i = 0; i < BENCH_ROW_BUCKETS; i++) {
        if (!rows.code[i]) continue;
        char line[64];
        int n = snprintf(line, sizeof line, "%d\t", rows.id[i]);
        buf_add(&rowdata, line, (size_t)n);
        buf_add(&rowdata, rows.code[i], strlen(rows.code[i]));   /* generated codes: no tabs */
        buf_add(&rowdata, "\n", 1);
    }
    s_copy(c, "s_row", &rowdata);
    PQclear(s_exec(c, "ANALYZE", PGRES_COMMAND_OK));

    /* ---- the stream: K clients, one transaction per submission */
    pthread_t *th = calloc((size_t)k, sizeof *th);
    worker_t *w = calloc((size_t)k, sizeof *w);
    double t0 = bench_now();
    for (int i = 0; i < k; i++) {
        w[i] = (worker_t){ conninfo, jobs, njobs, i, 0, 0 };
        pthread_create(&th[i], NULL, s_worker, &w[i]);
    }
    long retries = 0;
    int failed = 0;
    for (int i = 0; i < k; i++) {
        pthread_join(th[i], NULL);
        retries += w[i].retries;
        failed |= w[i].failed;
    }
    double dt = bench_now() - t0;
    if (failed) return 1;
    fprintf(stderr, "pgstream: %zu submissions, %zu facts, %d clients: %.3f s (%ld retried)\n",
            njobs, facts, k, dt, retries);
    printf("pg_stream_s=%.3f\n", dt);
    printf("pg_stream_facts_per_s=%.0f\n", (double)facts / dt);
    printf("pg_stream_submissions_per_s=%.1f\n", (double)njobs / dt);
    printf("pg_stream_retries=%ld\n", retries);
    printf("pg_stream_clients=%d\n", k);

    /* ---- resubmissions of one unit, one at a time */
    PQfinish(c);
    c = s_connect(conninfo);
    fact_t *f = NULL;
    for (size_t i = 0; i < resub->count && !f; i++)
        if (strcmp(resub->facts[i].row, "total") && resub->facts[i].fen != 0) f = &resub->facts[i];
    if (!f) f = &resub->facts[0];
    const int64_t original = f->fen;
    const entity_t *ue = hierarchy_find(&h, unit);
    double *lat = calloc((size_t)nresub, sizeof *lat);
    long dummy = 0;
    for (long i = 0; i <= nresub; i++) {       /* i = 0: untimed warm-up */
        job_t j;
        f->fen = original + (int64_t)(i + 1) * 10000;
        s_job_build(&j, resub, (int)(ue - h.items), &anc[ue - h.items], &rows);
        double r0 = bench_now();
        if (s_submit(c, &j, &dummy) != 0) return 1;
        if (i > 0) lat[i - 1] = bench_now() - r0;
        free(j.tbl.s); free(j.row.s); free(j.col.s); free(j.fen.s); free(j.anc.s);
    }
    sort_array(lat, (size_t)nresub, sizeof *lat, cmp_double);
    printf("pg_stream_resubmit_p50_ms=%.3f\n", lat[(nresub - 1) / 2] * 1e3);
    printf("pg_stream_resubmit_p99_ms=%.3f\n", lat[(size_t)((nresub * 99 + 99) / 100) - 1] * 1e3);

    /* ---- the totals are right: the root's equal the sum of the units' stored facts */
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT (SELECT count(*) FROM s_total),"
             " (SELECT coalesce(sum(fen), 0) FROM s_total WHERE entity = %d) ="
             " (SELECT coalesce(sum(f.fen), 0) FROM s_fact f JOIN s_entity e ON e.id = f.entity"
             "   WHERE e.level = %d)", root, (int)LEVEL_UNIT);
    PGresult *r = s_exec(c, sql, PGRES_TUPLES_OK);
    printf("pg_stream_total_rows=%s\n", PQgetvalue(r, 0, 0));
    printf("pg_stream_check=%s\n", !strcmp(PQgetvalue(r, 0, 1), "t") ? "ok" : "WRONG");
    PQclear(r);
    PQfinish(c);
    return 0;
}
