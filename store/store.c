/* store.c -- the LMDB environment: open (read-write or read-only), map growth, the
 * write-retry loop, the hierarchy (entities + children index) and entity queries.
 *
 * Invariants: one environment per directory with the named databases of store_int.h;
 * commits are synced (no MDB_NOSYNC / MDB_NOMETASYNC) so a returned 0 means durable; a
 * write that hits MDB_MAP_FULL is replayed from scratch in a doubled map, so callers never
 * see a half-applied transaction; read-only handles follow the writer's map growth.
 */
#include "array.h"
#include "errors.h"
#include "sort.h"
#include "store_int.h"

#include <assert.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

static const char *const DB_NAMES[DB_COUNT] = {
    "meta", "strings", "ids", "entities", "children", "submissions", "subids",
    "current", "facts", "computed", "flags", "flaghist", "labels", "texts"
};

/* LMDB reports a short write (the usual face of a full disk) as EIO, so EIO on a file
 * system with less than this left is called what it is. */
#define STORE_DISK_FULL_SLACK (1u << 20)

const char *store_strerror(int rc, const char *dir, size_t map_max, char *buf, size_t len)
{
    struct statvfs vfs;
    int full = rc == ENOSPC || rc == EDQUOT;
    if (rc == EIO && dir && statvfs(dir, &vfs) == 0 &&
        (unsigned long long)vfs.f_bavail * vfs.f_frsize < STORE_DISK_FULL_SLACK)
        full = 1;
    if (full)
        snprintf(buf, len, "磁盘已满 (disk full%s): %s — free space on that file system, "
                 "nothing unacknowledged was stored", rc == EDQUOT ? ", quota exceeded" : "",
                 dir ? dir : "");
    else if (rc == MDB_MAP_FULL && map_max)
        snprintf(buf, len, "LMDB 映射区已满 (MDB_MAP_FULL): %s has used all of its map size of "
                 "%zu bytes (--map-size); raise it with --map-size BYTES", dir ? dir : "", map_max);
    else if (rc == MDB_MAP_FULL)
        snprintf(buf, len, "LMDB 映射区已满 (MDB_MAP_FULL): %s: the map could not grow further; "
                 "set a larger --map-size BYTES", dir ? dir : "");
    else if (rc == MDB_READERS_FULL)
        snprintf(buf, len, "LMDB 读者槽已满 (MDB_READERS_FULL): %s: too many processes read it at "
                 "once; stale slots of crashed readers are cleared at the next open", dir ? dir : "");
    else if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH)
        snprintf(buf, len, "不是 LMDB 数据库 (%s): %s", mdb_strerror(rc), dir ? dir : "");
    else if (rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND)
        snprintf(buf, len, "数据库已损坏 (%s): %s", mdb_strerror(rc), dir ? dir : "");
    else if (rc == EACCES || rc == EPERM)
        snprintf(buf, len, "无写权限 (permission denied): %s", dir ? dir : "");
    else if (rc == EROFS)
        snprintf(buf, len, "只读文件系统 (read-only file system): %s", dir ? dir : "");
    else if (rc == ENOENT)
        snprintf(buf, len, "目录不存在 (no such directory): %s", dir ? dir : "");
    else
        snprintf(buf, len, "%s: %s", mdb_strerror(rc), dir ? dir : "");
    return buf;
}

int store_mdb_fail(int rc, char *err, size_t errlen, const char *what)
{
    if (rc == MDB_MAP_FULL) return MDB_MAP_FULL;
    return error_set(err, errlen, "%s: %s", what, mdb_strerror(rc));
}

/* HUIZONG_MAP_SIZE (bytes) overrides the initial map size; tests use a tiny one to force
 * growth. Never below 64 KiB (LMDB needs a few pages per named database). */
static size_t store_initial_map(size_t map_max)
{
    if (map_max) return map_max;
    const char *env = getenv("HUIZONG_MAP_SIZE");
    if (env && *env) {
        char *end;
        unsigned long long v = strtoull(env, &end, 10);
        if (*end == '\0' && v >= (64u << 10)) return (size_t)v;
    }
    return STORE_DEFAULT_MAP;
}

static int store_open_dbs(store_t *s, char *err, size_t errlen)
{
    MDB_txn *txn;
    int rc = s->readonly ? store_read_begin(s, &txn) : mdb_txn_begin(s->env, NULL, 0, &txn);
    if (rc) return store_mdb_fail(rc, err, errlen, "begin");
    for (int i = 0; i < DB_COUNT; i++) {
        rc = mdb_dbi_open(txn, DB_NAMES[i], s->readonly ? 0 : MDB_CREATE, &s->dbi[i]);
        if (rc) {
            mdb_txn_abort(txn);
            /* i > 0: the store exists but predates this database (a reader opens read-only
             * and cannot create it; the aggregator does at its next start) */
            if (rc == MDB_NOTFOUND && i > 0 && s->readonly)
                return error_set(err, errlen, "%s: 数据库由较早版本写入，缺少 '%s'：请先用本版本的 "
                                 "huizong-aggregator 打开一次以升级 (written by an older "
                                 "version: start this version's aggregator on it once)",
                                 s->dir, DB_NAMES[i]);
            if (rc == MDB_NOTFOUND)
                return error_set(err, errlen, "%s: not a huizong store (no '%s' database)",
                                  s->dir, DB_NAMES[i]);
            return error_set(err, errlen, "%s: open database '%s': %s", s->dir, DB_NAMES[i],
                              mdb_strerror(rc));
        }
    }
    /* the layout's format (STORE_SCHEMA): a store of another one is refused by readers and
     * the writer alike, never misread */
    MDB_val k = { 6, "schema" }, v = { strlen(STORE_SCHEMA), STORE_SCHEMA };
    MDB_val old;
    rc = mdb_get(txn, s->dbi[DB_META], &k, &old);
    if (rc == 0 && (old.mv_size != v.mv_size || memcmp(old.mv_data, STORE_SCHEMA, v.mv_size) != 0)) {
        mdb_txn_abort(txn);
        int ol = old.mv_size < 16 ? (int)old.mv_size : 16;
        return error_set(err, errlen, "%s: 数据库格式为第 %.*s 版，本版本只读第 %s 版（事实按表打包存储）："
                         "请重建数据库：以空的 --db 目录启动 huizong-aggregator，再用 huizong-collector "
                         "重新报送原始文件 (store format %.*s, this version reads format %s only: "
                         "rebuild it by starting huizong-aggregator on an empty --db and sending the "
                         "budgets again with huizong-collector)", s->dir, ol, (const char *)old.mv_data,
                         STORE_SCHEMA, ol, (const char *)old.mv_data, STORE_SCHEMA);
    }
    if (rc != 0 && rc != MDB_NOTFOUND) {
        mdb_txn_abort(txn);
        return error_set(err, errlen, "%s: read meta: %s", s->dir, mdb_strerror(rc));
    }
    if (!s->readonly) {
        if (rc == MDB_NOTFOUND) rc = mdb_put(txn, s->dbi[DB_META], &k, &v, 0);
        if (rc == 0) rc = mdb_txn_commit(txn);
        else mdb_txn_abort(txn);
        char why[512];
        if (rc) return error_set(err, errlen, "initialise: %s",
                                 store_strerror(rc, s->dir, s->map_max, why, sizeof why));
    } else if ((rc = mdb_txn_commit(txn))) {   /* commit, not abort: keeps the handles */
        return error_set(err, errlen, "%s: open databases: %s", s->dir, mdb_strerror(rc));
    }
    return 0;
}

/* A new environment on s->dir (mapsize bytes of map when writable), opened. */
static int store_env_open(store_t *s, size_t mapsize)
{
    int rc = mdb_env_create(&s->env);
    if (rc == 0) rc = mdb_env_set_maxdbs(s->env, DB_COUNT + 2);
    if (rc == 0) rc = mdb_env_set_maxreaders(s->env, 256);
    if (rc == 0 && !s->readonly) rc = mdb_env_set_mapsize(s->env, mapsize);
    if (rc == 0) rc = mdb_env_open(s->env, s->dir, s->readonly ? MDB_RDONLY : 0, 0660);
    if (rc && s->env) {
        mdb_env_close(s->env);
        s->env = NULL;
    }
    return rc;
}

static size_t store_map_now(store_t *s, MDB_envinfo *info);

int store_release_pages(store_t *s, char *err, size_t errlen)
{
    assert(s);
    if (s->readonly || s->snapshot || !s->env) return 0;
    MDB_envinfo info;
    size_t mapsize = store_map_now(s, &info);
    /* closed first: LMDB's locks are per process, two handles on one directory would lose
     * them (LMDB's "do not open the same environment twice in one process") */
    mdb_env_close(s->env);
    s->env = NULL;
    char why[512];
    int rc = store_env_open(s, mapsize);
    if (rc) return error_set(err, errlen, "reopening the LMDB environment: %s",
                             store_strerror(rc, s->dir, s->map_max, why, sizeof why));
    s->mapsize = mapsize;
    if (store_open_dbs(s, err, errlen) != 0) {
        mdb_env_close(s->env);
        s->env = NULL;
        return -1;
    }
    return 0;
}

store_t *store_open(const char *dir, int flags, char *err, size_t errlen)
{
    return store_open_sized(dir, flags, 0, err, errlen);
}

store_t *store_open_sized(const char *dir, int flags, size_t map_max, char *err, size_t errlen)
{
    char why[512];
    store_t *s = calloc(1, sizeof *s);
    if (!s) { error_set(err, errlen, "out of memory"); return NULL; }
    s->readonly = (flags & STORE_READONLY) != 0;
    s->map_max = map_max;
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    if (!s->readonly && !(s->cache = store_cache_new())) {
        error_set(err, errlen, "out of memory");
        free(s);
        return NULL;
    }

    if (!s->readonly && mkdir(dir, 0770) != 0 && errno != EEXIST) {
        int e = errno;
        error_set(err, errlen, "cannot create the database directory: %s",
                  e == ENOENT ? (snprintf(why, sizeof why, "上级目录不存在 (parent directory missing): %s", dir), why)
                              : store_strerror(e, dir, 0, why, sizeof why));
        store_cache_free(s->cache);
        free(s);
        return NULL;
    }
    /* LMDB maps its lock file and touches it: on a file system with no free page that is
     * SIGBUS, not an error code. So a writable store is not opened on a full disk. */
    struct statvfs vfs;
    if (!s->readonly && statvfs(dir, &vfs) == 0 &&
        (unsigned long long)vfs.f_bavail * vfs.f_frsize < STORE_DISK_FULL_SLACK) {
        error_set(err, errlen, "%s", store_strerror(ENOSPC, dir, 0, why, sizeof why));
        store_cache_free(s->cache);
        free(s);
        return NULL;
    }
    int rc = store_env_open(s, store_initial_map(map_max));
    if (rc) {
        error_set(err, errlen, "cannot open the LMDB environment: %s",
                  store_strerror(rc, dir, map_max, why, sizeof why));
        store_cache_free(s->cache);
        free(s);
        return NULL;
    }
    int dead = 0;
    mdb_reader_check(s->env, &dead);     /* clear slots of crashed readers */
    MDB_envinfo info;
    mdb_env_info(s->env, &info);
    s->mapsize = info.me_mapsize;
    if (store_open_dbs(s, err, errlen) != 0) {
        mdb_env_close(s->env);
        store_cache_free(s->cache);
        free(s);
        return NULL;
    }
    return s;
}

void store_destroy(store_t **self_p)
{
    if (!self_p || !*self_p) return;
    store_snapshot_end(*self_p);
    if ((*self_p)->env) mdb_env_close((*self_p)->env);
    store_cache_free((*self_p)->cache);
    store_overlay_free(&(*self_p)->overlay);
    free(*self_p);
    *self_p = NULL;
}

int store_read_begin(store_t *s, MDB_txn **txn)
{
    int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn);
    if (rc == MDB_MAP_RESIZED) {
        /* the writer grew the map: adopt its size (no txn of ours is open here) */
        rc = mdb_env_set_mapsize(s->env, 0);
        if (rc == 0) rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn);
    }
    return rc;
}

int store_read_open(store_t *s, MDB_txn **txn)
{
    if (s->snapshot) { *txn = s->snapshot; return 0; }
    return store_read_begin(s, txn);
}

void store_read_close(store_t *s, MDB_txn *txn)
{
    if (txn && txn != s->snapshot) mdb_txn_abort(txn);
}

int store_snapshot_begin(store_t *self)
{
    assert(self);
    if (self->snapshot) return 0;       /* already reading one state */
    MDB_txn *txn;
    if (store_read_begin(self, &txn) != 0) return -1;
    self->snapshot = txn;
    return 0;
}

void store_snapshot_end(store_t *self)
{
    if (!self || !self->snapshot) return;
    mdb_txn_abort(self->snapshot);
    self->snapshot = NULL;
}

/* Sets the map to `next` bytes (capped at --map-size). No transaction of ours may be open. */
static int store_set_map(store_t *s, size_t next, char *err, size_t errlen)
{
    if (s->map_max && next > s->map_max) next = s->map_max;
    int rc = mdb_env_set_mapsize(s->env, next);
    if (rc) return error_set(err, errlen, "%s: grow map to %zu bytes: %s", s->dir, next,
                              mdb_strerror(rc));
    s->mapsize = next;
    return 0;
}

/* The map as it is now: ours, or larger if another process grew it. */
static size_t store_map_now(store_t *s, MDB_envinfo *info)
{
    mdb_env_info(s->env, info);
    return info->me_mapsize > s->mapsize ? info->me_mapsize : s->mapsize;
}

static int store_grow(store_t *s, char *err, size_t errlen)
{
    MDB_envinfo info;
    size_t next = store_map_now(s, &info) * 2;
    char why[512];
    if (s->map_max && s->mapsize >= s->map_max)   /* the operator's ceiling: do not grow */
        return error_set(err, errlen, "%s", store_strerror(MDB_MAP_FULL, s->dir, s->map_max, why, sizeof why));
    return store_set_map(s, next, err, errlen);
}

int store_reserve(store_t *s, size_t bytes, char *err, size_t errlen)
{
    if (s->readonly) return 0;
    MDB_envinfo info;
    MDB_stat st;
    size_t cur = store_map_now(s, &info);
    if (mdb_env_stat(s->env, &st) != 0) return 0;      /* no estimate: the retry loop copes */
    size_t used = ((size_t)info.me_last_pgno + 1) * st.ms_psize;
    if (used + bytes <= cur || (s->map_max && cur >= s->map_max)) return 0;
    size_t next = cur;
    while (next < used + bytes && next <= SIZE_MAX / 2) next *= 2;
    return store_set_map(s, next, err, errlen);
}

int store_write(store_t *s, store_write_fn fn, void (*reset)(void *ctx), void *ctx,
                char *err, size_t errlen)
{
    if (s->readonly) return error_set(err, errlen, "%s: store opened read-only", s->dir);
    for (int attempt = 0; attempt < 40; attempt++) {
        if (attempt && reset) reset(ctx);
        MDB_txn *txn;
        int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
        if (rc == MDB_MAP_RESIZED) {
            rc = mdb_env_set_mapsize(s->env, 0);
            if (rc == 0) rc = mdb_txn_begin(s->env, NULL, 0, &txn);
        }
        char why[512];
        if (rc) return error_set(err, errlen, "begin write: %s",
                                 store_strerror(rc, s->dir, s->map_max, why, sizeof why));
        rc = fn(s, txn, ctx, err, errlen);
        if (rc == 0 && (rc = intern_flush(s, txn)) != 0)
            error_set(err, errlen, "write the next ids: %s",
                      store_strerror(rc, s->dir, s->map_max, why, sizeof why));
        if (rc == 0) {
            rc = mdb_txn_commit(txn);          /* synced: durable once it returns 0 */
            if (rc == 0) return 0;
            store_cache_clear(s->cache);       /* it may hold ids of the lost transaction */
            if (rc != MDB_MAP_FULL)
                return error_set(err, errlen, "commit: %s",
                                 store_strerror(rc, s->dir, s->map_max, why, sizeof why));
        } else {
            mdb_txn_abort(txn);
            store_cache_clear(s->cache);
            if (rc != MDB_MAP_FULL) return -1;
        }
        if (store_grow(s, err, errlen) != 0) return -1;
    }
    return error_set(err, errlen, "%s: map still full after repeated growth", s->dir);
}

/* ---- entities ---- */

/* value: level(1) parent id(4) code NUL name NUL */
int entity_read(store_t *s, MDB_txn *txn, uint32_t id, store_entity_t *out, int with_parent)
{
    uint8_t kb[4];
    be32_put(kb, id);
    MDB_val k = { 4, kb }, v;
    int rc = mdb_get(txn, s->dbi[DB_ENTITIES], &k, &v);
    if (rc) return rc;
    const uint8_t *p = v.mv_data;
    if (v.mv_size < 7) return MDB_CORRUPTED;
    memset(out, 0, sizeof *out);
    out->id = id;
    out->level = (entity_level)p[0];
    out->parent = be32_get(p + 1);
    const char *code = (const char *)p + 5;
    size_t clen = strnlen(code, v.mv_size - 5);
    if (clen + 6 >= v.mv_size + 1) return MDB_CORRUPTED;
    const char *name = code + clen + 1;
    size_t nlen = strnlen(name, v.mv_size - 5 - clen - 1);
    snprintf(out->e.code, sizeof out->e.code, "%.*s", (int)clen, code);
    snprintf(out->e.name, sizeof out->e.name, "%.*s", (int)nlen, name);
    out->e.level = out->level;
    if (with_parent && out->parent) {
        rc = intern_string(s, txn, KIND_ENTITY, out->parent, out->e.parent, sizeof out->e.parent);
        if (rc) return rc;
    }
    return 0;
}

int entity_by_code(store_t *s, MDB_txn *txn, const char *code, store_entity_t *out)
{
    uint32_t id;
    int rc = intern_find(s, txn, KIND_ENTITY, code, &id);
    if (rc) return rc;
    return entity_read(s, txn, id, out, 1);
}

int entity_ancestor_ids(store_t *s, MDB_txn *txn, uint32_t ent, uint32_t ids[HIERARCHY_DEPTH_MAX],
                        size_t *n)
{
    assert(ids && n);
    *n = 0;
    while (ent) {
        if (*n == HIERARCHY_DEPTH_MAX) return MDB_CORRUPTED;   /* a cycle or a corrupt chain */
        store_entity_t e;
        int rc = entity_read(s, txn, ent, &e, 0);
        if (rc) return rc;
        ids[(*n)++] = ent;
        ent = e.parent;
    }
    return 0;
}

int store_ancestors(store_t *self, const char *code, store_path_t *out)
{
    assert(self && code && out);
    out->count = 0;
    MDB_txn *txn;
    if (store_read_open(self, &txn) != 0) return -1;
    uint32_t id, ids[HIERARCHY_DEPTH_MAX];
    size_t n = 0;
    store_entity_t e;
    int rc = intern_find(self, txn, KIND_ENTITY, code, &id);
    if (rc == 0) rc = entity_read(self, txn, id, &e, 0);
    if (rc == 0) rc = entity_ancestor_ids(self, txn, id, ids, &n);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = intern_string(self, txn, KIND_ENTITY, ids[i], out->code[i], sizeof out->code[i]);
    store_read_close(self, txn);
    if (rc) return -1;
    out->count = n;
    out->level = e.level;
    return 0;
}

uint32_t store_current(store_t *s, MDB_txn *txn, uint32_t ent, uint32_t year)
{
    uint8_t kb[EYKEY_LEN];
    key_ey(kb, ent, year);
    MDB_val k = { EYKEY_LEN, kb }, v;
    if (mdb_get(txn, s->dbi[DB_CURRENT], &k, &v) != 0 || v.mv_size < 4) return 0;
    return be32_get(v.mv_data);
}

/* Whether the entity has any stored figure: a current version or a computed figure. */
static int entity_has_data(store_t *s, MDB_txn *txn, uint32_t id)
{
    uint8_t kb[4];
    be32_put(kb, id);
    int dbs[2] = { DB_CURRENT, DB_COMPUTED };
    for (int i = 0; i < 2; i++) {
        MDB_cursor *c;
        if (mdb_cursor_open(txn, s->dbi[dbs[i]], &c)) return 1;
        MDB_val k = { 4, kb }, v;
        int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
        int has = rc == 0 && k.mv_size >= 4 && memcmp(k.mv_data, kb, 4) == 0;
        mdb_cursor_close(c);
        if (has) return 1;
    }
    return 0;
}

static int entity_write(store_t *s, MDB_txn *txn, uint32_t id, const entity_t *e, uint32_t parent)
{
    uint8_t buf[5 + sizeof e->code + sizeof e->name], kb[4];
    size_t cl = strlen(e->code), nl = strlen(e->name);
    buf[0] = (uint8_t)e->level;
    be32_put(buf + 1, parent);
    memcpy(buf + 5, e->code, cl + 1);
    memcpy(buf + 6 + cl, e->name, nl + 1);
    be32_put(kb, id);
    MDB_val k = { 4, kb }, v = { 7 + cl + nl, buf };
    return mdb_put(txn, s->dbi[DB_ENTITIES], &k, &v, 0);
}

static int child_link(store_t *s, MDB_txn *txn, uint32_t parent, uint32_t child, int add)
{
    uint8_t kb[CHILDKEY_LEN];
    key_child(kb, parent, child);
    MDB_val k = { CHILDKEY_LEN, kb }, v = { 0, "" };
    int rc = add ? mdb_put(txn, s->dbi[DB_CHILDREN], &k, &v, 0)
                 : mdb_del(txn, s->dbi[DB_CHILDREN], &k, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Upserts every entity. A change of parent or level of an entity that already has figures
 * is refused: its figures are inside its old ancestors' sums, and moving them would need
 * a rollup of its whole history (documented in docs/store.md). Entities absent from h are
 * kept. */
static int sync_fn(store_t *s, MDB_txn *txn, void *ctx, char *err, size_t errlen)
{
    const hierarchy_t *h = ctx;
    int rc;
    /* ids first, so a parent listed after its child still resolves */
    for (size_t i = 0; i < h->count; i++) {
        uint32_t id;
        if ((rc = intern_get(s, txn, KIND_ENTITY, h->items[i].code, &id)))
            return store_mdb_fail(rc, err, errlen, "intern entity");
    }
    for (size_t i = 0; i < h->count; i++) {
        const entity_t *e = &h->items[i];
        uint32_t id, parent = 0;
        intern_find(s, txn, KIND_ENTITY, e->code, &id);
        if (e->parent[0] && (rc = intern_find(s, txn, KIND_ENTITY, e->parent, &parent)))
            return error_set(err, errlen, "entity '%s': parent '%s' unknown", e->code, e->parent);
        store_entity_t old;
        rc = entity_read(s, txn, id, &old, 0);
        if (rc && rc != MDB_NOTFOUND) return store_mdb_fail(rc, err, errlen, "read entity");
        if (rc == 0 && (old.parent != parent || old.level != e->level)) {
            if (entity_has_data(s, txn, id))
                return error_set(err, errlen,
                                  "entity '%s': cannot change its parent or level: it already has figures",
                                  e->code);
            if (old.parent && (rc = child_link(s, txn, old.parent, id, 0)))
                return store_mdb_fail(rc, err, errlen, "unlink child");
        }
        if ((rc = entity_write(s, txn, id, e, parent)))
            return store_mdb_fail(rc, err, errlen, "write entity");
        if (parent && (rc = child_link(s, txn, parent, id, 1)))
            return store_mdb_fail(rc, err, errlen, "link child");
    }
    return 0;
}

int store_sync_hierarchy(store_t *self, const hierarchy_t *h, char *err, size_t errlen)
{
    return store_write(self, sync_fn, NULL, (void *)h, err, errlen);
}

int store_entity(store_t *self, const char *code, entity_t *out)
{
    MDB_txn *txn;
    if (store_read_open(self, &txn)) return -1;
    store_entity_t se;
    int rc = entity_by_code(self, txn, code, &se);
    store_read_close(self, txn);
    if (rc) return -1;
    *out = se.e;
    return 0;
}

static int entity_cmp_parent_code(const void *a, const void *b)
{
    const entity_t *x = a, *y = b;
    int c = strcmp(x->parent, y->parent);
    return c ? c : strcmp(x->code, y->code);
}

/* Appends `e` and, depth-first, its descendants; `sorted` is ordered by (parent, code). */
static int entities_dfs(const entity_t *sorted, size_t n, const entity_t *e, hierarchy_t *out,
                        int depth)
{
    if (depth >= HIERARCHY_DEPTH_MAX) return -1;   /* deeper than any real tree: corrupt */
    if (array_reserve(&out->items, &out->cap, out->count + 1, sizeof *out->items, 64)) return -1;

    out->items[out->count++] = *e;
    /* binary search the first entity whose parent is e->code */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(sorted[mid].parent, e->code) < 0) lo = mid + 1;
        else hi = mid;
    }
    for (size_t i = lo; i < n && strcmp(sorted[i].parent, e->code) == 0; i++)
        if (entities_dfs(sorted, n, &sorted[i], out, depth + 1) != 0) return -1;
    return 0;
}

int store_entities(store_t *self, hierarchy_t *out)
{
    MDB_txn *txn;
    MDB_cursor *c;
    out->items = NULL;
    out->by_code = NULL;
    out->count = out->cap = 0;
    if (store_read_open(self, &txn)) return -1;
    if (mdb_cursor_open(txn, self->dbi[DB_ENTITIES], &c)) { store_read_close(self, txn); return -1; }
    entity_t *all = NULL;
    size_t n = 0, cap = 0;
    MDB_val k, v;
    int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST), fail = 0;
    for (; rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            entity_t *na = realloc(all, cap * sizeof *na);
            if (!na) { fail = 1; break; }
            all = na;
        }
        store_entity_t se;
        if (entity_read(self, txn, be32_get(k.mv_data), &se, 1)) { fail = 1; break; }
        all[n++] = se.e;
    }
    mdb_cursor_close(c);
    store_read_close(self, txn);
    if (!fail) {
        sort_array(all, n, sizeof *all, entity_cmp_parent_code);
        for (size_t i = 0; i < n && !fail; i++)      /* roots (parent "") sort first */
            if (all[i].parent[0] == '\0' && entities_dfs(all, n, &all[i], out, 0)) fail = 1;
    }
    free(all);
    if (!fail && hierarchy_index(out)) fail = 1;
    if (fail) { hierarchy_free(out); return -1; }
    return 0;
}
