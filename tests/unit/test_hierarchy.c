/* test_hierarchy.c -- entities.csv: the seed tree, and every invariant violation reported
 * as file:line: reason with an empty tree afterwards. */
#include <check.h>
#include "testkit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hierarchy.h"

static char tmpdir[64], path[128];

static void setup(void)
{
    testkit_tmpdir(tmpdir, sizeof tmpdir, "hierarchy");
    snprintf(path, sizeof path, "%s/entities.csv", tmpdir);
}

static void teardown(void)
{
    unlink(path);
    rmdir(tmpdir);
}

static void write_text(const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* Loads text that must be refused with "PATH:reason". */
static void expect_error(const char *text, const char *reason)
{
    write_text(text);
    hierarchy_t h;
    char err[512], want[512];
    ck_assert_int_eq(hierarchy_load(&h, path, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s:%s", path, reason);
    ck_assert_str_eq(err, want);
    ck_assert_uint_eq(h.count, 0);
    ck_assert_ptr_null(h.items);
}

START_TEST(seed_tree)
{
    hierarchy_t h;
    char err[512] = "";
    ck_assert_msg(hierarchy_load(&h, EXAMPLES_DIR "/entities.csv", err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(h.count, 23);
    const entity_t *e = hierarchy_find(&h, "026-hczx");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->name, "武汉市东西湖区医疗保障基金核查中心");
    ck_assert_int_eq(e->level, LEVEL_UNIT);
    ck_assert_str_eq(e->parent, "026");
    e = hierarchy_find(&h, "026");
    ck_assert_int_eq(e->level, LEVEL_DEPARTMENT);
    ck_assert_str_eq(e->parent, "420112");
    e = hierarchy_find(&h, "420112");
    ck_assert_int_eq(e->level, LEVEL_DISTRICT);
    e = hierarchy_find(&h, "340000");
    ck_assert_int_eq(e->level, LEVEL_PROVINCE);
    ck_assert_str_eq(e->parent, "");
    ck_assert_ptr_null(hierarchy_find(&h, "999"));
    size_t roots = 0;
    for (size_t i = 0; i < h.count; i++) roots += h.items[i].parent[0] == '\0';
    ck_assert_uint_eq(roots, 4);
    hierarchy_free(&h);
    ck_assert_uint_eq(h.count, 0);
}
END_TEST

/* Every code of a large tree (written in an order unlike code order) is found, as itself;
 * codes that sort between, before and after the real ones are not. */
START_TEST(find_in_large_tree)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("code,name,level,parent\np,P,province,\n", f);
    for (int d = 0; d < 300; d++) {
        fprintf(f, "d%03d,D,department,p\n", (d * 7) % 300);
        for (int u = 0; u < 10; u++) fprintf(f, "u%03d-%d,U,unit,d%03d\n", (d * 7) % 300, u, (d * 7) % 300);
    }
    fclose(f);
    hierarchy_t h;
    char err[512] = "";
    ck_assert_msg(hierarchy_load(&h, path, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(h.count, 1 + 300 * 11);
    for (size_t i = 0; i < h.count; i++) ck_assert_ptr_eq(hierarchy_find(&h, h.items[i].code), &h.items[i]);
    ck_assert_ptr_null(hierarchy_find(&h, ""));
    ck_assert_ptr_null(hierarchy_find(&h, "a"));
    ck_assert_ptr_null(hierarchy_find(&h, "d1000"));
    ck_assert_ptr_null(hierarchy_find(&h, "zz"));
    hierarchy_free(&h);
}
END_TEST

START_TEST(levels)
{
    ck_assert_str_eq(level_label(LEVEL_UNIT), "单位");
    ck_assert_str_eq(level_label(LEVEL_DEPARTMENT), "部门");
    ck_assert_str_eq(level_label(LEVEL_DISTRICT), "区县");
    ck_assert_str_eq(level_label(LEVEL_CITY), "市");
    ck_assert_str_eq(level_label(LEVEL_PROVINCE), "省");
    ck_assert_str_eq(level_name(LEVEL_DEPARTMENT), "department");
    ck_assert_int_eq(level_from_name("department"), LEVEL_DEPARTMENT);
    ck_assert_int_eq(level_from_name("District"), LEVEL_DISTRICT);
    ck_assert_int_eq(level_from_name("省"), LEVEL_PROVINCE);
    ck_assert_int_eq(level_from_name("county"), LEVEL_NONE);
}
END_TEST

START_TEST(variants_accepted)
{
    /* BOM, CRLF, quoted fields with commas, a child listed before its parent, blank line */
    write_text("\xEF\xBB\xBF" "code,name,level,parent\r\n"
               "d1,\"局, 本级\",department,c1\r\n"
               "\r\n"
               "c1,\"某\"\"市\"\"\",city,\r\n");
    hierarchy_t h;
    char err[512] = "";
    ck_assert_msg(hierarchy_load(&h, path, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(h.count, 2);
    ck_assert_str_eq(hierarchy_find(&h, "d1")->name, "局, 本级");
    ck_assert_str_eq(hierarchy_find(&h, "c1")->name, "某\"市\"");
    hierarchy_free(&h);
}
END_TEST

START_TEST(violations)
{
    expect_error("code,name,level,parent\np,P,province,\nc,C,city,p\nc,C2,city,p\n",
                 "4: duplicate code 'c' (first on line 3)");
    expect_error("code,name,level,parent\np,P,province,\nc,C,city,zz\n",
                 "3: parent 'zz' of 'c' is not in the file");
    expect_error("code,name,level,parent\np,P,province,\nd,D,department,p\ne,E,department,d\n",
                 "4: parent 'd' is a department, not above department 'e'");
    expect_error("code,name,level,parent\np,P,province,\nu,U,unit,p\nc,C,city,u\n",
                 "4: parent 'u' is a unit, not above city 'c'");
    /* a two-entity cycle breaks the level order first */
    expect_error("code,name,level,parent\na,A,city,b\nb,B,department,a\n",
                 "2: parent 'b' is a department, not above city 'a'");
    expect_error("code,name,level,parent\na,A,city,a\n", "2: 'a' is its own parent");
    expect_error("code,name,level,parent\na,A,county,\n",
                 "2: unknown level 'county' (unit, department, district, city, province)");
    expect_error("code,name,level,parent\np,P,province,\n,X,unit,p\n", "3: empty code");
    expect_error("code,name,level,parent\np,P,province\n", "2: expected 4 fields, found 3");
    expect_error("code,name,level\np,P,province\n", "1: header must be code,name,level,parent (no 'parent')");
    expect_error("code,name,level,parent\np,\"P,province,\n", "2: 引号未闭合（unterminated quoted field）");
    expect_error("", "1: missing header");
}
END_TEST

START_TEST(missing_file)
{
    hierarchy_t h;
    char err[512];
    ck_assert_int_eq(hierarchy_load(&h, "/nonexistent/entities.csv", err, sizeof err), -1);
    ck_assert_str_eq(err, "/nonexistent/entities.csv: No such file or directory");
}
END_TEST

TESTKIT_MAIN("hierarchy", setup, teardown, 0,
             seed_tree,
             find_in_large_tree,
             levels,
             variants_accepted,
             violations,
             missing_file)
