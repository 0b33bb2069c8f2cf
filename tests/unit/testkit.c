/* testkit.c -- the helpers of testkit.h that need the libraries (huizong_testkit, linked by
 * every suite): facts looked up in what a reader produced, submissions turned into store
 * items, a suite's temporary directory. */
#include "testkit.h"

#include <string.h>
#include <sys/stat.h>

#include "wire.h"

int64_t testkit_fen(const submission_list_t *l, const char *entity, table_id t, const char *row,
                    column_id c)
{
    for (size_t i = 0; i < l->count; i++) {
        const submission_t *s = l->items[i];
        if (strcmp(s->entity, entity) != 0) continue;
        for (size_t j = 0; j < s->count; j++)
            if (s->facts[j].table == t && s->facts[j].column == c && strcmp(s->facts[j].row, row) == 0)
                return s->facts[j].fen;
    }
    ck_abort_msg("fact %s %s %s %s not found", entity, table_name(t), row, column_name(c));
    return 0;
}

size_t testkit_items(submission_list_t *list, store_item_t *items, size_t max)
{
    size_t n = 0;
    char err[512];
    for (size_t i = 0; i < list->count && n < max; i++) {
        store_item_t *it = &items[n++];
        memset(it, 0, sizeof *it);
        it->submission = list->items[i];
        list->items[i] = NULL;
        submission_new_id(it->submission->id);
        ck_assert_msg(submission_validate(it->submission, err, sizeof err) == 0, "%s", err);
        findings_init(&it->findings);
        ack_init(&it->ack);
    }
    return n;
}

store_t *testkit_store_with_entities(const char *dir, const char *entities_csv, hierarchy_t *h)
{
    char db[512], err[512] = "";
    int n = snprintf(db, sizeof db, "%s/db", dir);
    ck_assert(n > 0 && (size_t)n < sizeof db);
    ck_assert_int_eq(mkdir(db, 0700), 0);
    store_t *st = store_open(db, 0, err, sizeof err);
    ck_assert_msg(st != NULL, "%s", err);
    hierarchy_t mine = { 0 };
    ck_assert_msg(hierarchy_load(&mine, entities_csv, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(store_sync_hierarchy(st, &mine, err, sizeof err) == 0, "%s", err);
    if (h) *h = mine;
    else hierarchy_free(&mine);
    return st;
}

void testkit_tmpdir(char *dir, size_t size, const char *name)
{
    int n = snprintf(dir, size, "/tmp/hz-%s-XXXXXX", name);
    ck_assert(n > 0 && (size_t)n < size);
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

void testkit_tsv(const char *path, void (*cell)(void *ctx, uint32_t row, uint32_t col, const char *text),
                 void *ctx)
{
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char line[8192];
    for (uint32_t row = 0; fgets(line, sizeof line, f); row++) {
        line[strcspn(line, "\n")] = '\0';
        char *p = line;
        for (uint32_t col = 0;; col++) {
            char *e = strchr(p, '\t');
            if (e) *e = '\0';
            cell(ctx, row, col, p);
            if (!e) break;
            p = e + 1;
        }
    }
    fclose(f);
}

char *testkit_generated(void (*write)(FILE *out), size_t *len)
{
    char *buf = NULL;
    FILE *m = open_memstream(&buf, len);
    ck_assert_ptr_nonnull(m);
    write(m);
    ck_assert_int_eq(fclose(m), 0);
    return buf;
}

char *testkit_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s missing", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    ck_assert_int_ge(size, 0);
    rewind(f);
    char *buf = malloc((size_t)size + 1);
    ck_assert_ptr_nonnull(buf);
    *len = fread(buf, 1, (size_t)size, f);
    ck_assert_uint_eq(*len, (size_t)size);
    fclose(f);
    buf[*len] = '\0';
    return buf;
}
