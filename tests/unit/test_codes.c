/* test_codes.c -- code shapes, parents, nearest parents of mis-printed codes, the national
 * chart data, and that every code the seed files print has its expected status. */
#include <check.h>
#include "testkit.h"
#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "csv.h"

START_TEST(shapes_and_levels)
{
    ck_assert(code_is_numeric("2080505"));
    ck_assert(!code_is_numeric(""));
    ck_assert(!code_is_numeric("P01"));
    ck_assert(!code_is_numeric("total"));
    ck_assert(code_well_formed(CODE_FUNCTION, "208"));
    ck_assert(code_well_formed(CODE_FUNCTION, "20805"));
    ck_assert(code_well_formed(CODE_FUNCTION, "2080505"));
    ck_assert(!code_well_formed(CODE_FUNCTION, "208010"));
    ck_assert(!code_well_formed(CODE_FUNCTION, "20"));
    ck_assert(!code_well_formed(CODE_ECONOMIC, "3010101"));
    ck_assert(code_well_formed(CODE_ECONOMIC, "30101"));
    ck_assert(!code_well_formed(CODE_NONE, "208"));
    ck_assert_int_eq(code_level(CODE_FUNCTION, "210"), 1);
    ck_assert_int_eq(code_level(CODE_FUNCTION, "21015"), 2);
    ck_assert_int_eq(code_level(CODE_FUNCTION, "2101501"), 3);
    ck_assert_int_eq(code_level(CODE_FUNCTION, "210159"), 0);
    ck_assert_int_eq(code_level(CODE_ECONOMIC, "30101"), 2);
    ck_assert_int_eq(code_level(CODE_ECONOMIC, "3010101"), 0);
}
END_TEST

START_TEST(parents)
{
    char out[16];
    ck_assert(code_parent(CODE_FUNCTION, "2080505", out, sizeof out));
    ck_assert_str_eq(out, "20805");
    ck_assert(code_parent(CODE_FUNCTION, "20805", out, sizeof out));
    ck_assert_str_eq(out, "208");
    ck_assert(!code_parent(CODE_FUNCTION, "208", out, sizeof out));
    ck_assert(!code_parent(CODE_FUNCTION, "208010", out, sizeof out));
    ck_assert(code_parent(CODE_ECONOMIC, "30101", out, sizeof out));
    ck_assert_str_eq(out, "301");
    ck_assert(!code_parent(CODE_FUNCTION, "2080505", out, 5));   /* no room */

    ck_assert(code_nearest_parent(CODE_FUNCTION, "208010", out, sizeof out));
    ck_assert_str_eq(out, "20801");
    ck_assert(code_nearest_parent(CODE_FUNCTION, "201999", out, sizeof out));
    ck_assert_str_eq(out, "20199");
    ck_assert(code_nearest_parent(CODE_FUNCTION, "2080", out, sizeof out));
    ck_assert_str_eq(out, "208");
    ck_assert(code_nearest_parent(CODE_FUNCTION, "20801099", out, sizeof out));
    ck_assert_str_eq(out, "2080109");
    ck_assert(code_nearest_parent(CODE_ECONOMIC, "3010101", out, sizeof out));
    ck_assert_str_eq(out, "30101");
    ck_assert(code_nearest_parent(CODE_ECONOMIC, "301011", out, sizeof out));
    ck_assert_str_eq(out, "30101");
    ck_assert(code_nearest_parent(CODE_FUNCTION, "2101505", out, sizeof out));
    ck_assert_str_eq(out, "21015");
    ck_assert(!code_nearest_parent(CODE_FUNCTION, "208", out, sizeof out));
    ck_assert(!code_nearest_parent(CODE_FUNCTION, "20", out, sizeof out));
    ck_assert(!code_nearest_parent(CODE_FUNCTION, "P01", out, sizeof out));
}
END_TEST

START_TEST(chart)
{
    ck_assert_str_eq(code_known_name(CODE_FUNCTION, "210"), "卫生健康支出");
    ck_assert_str_eq(code_known_name(CODE_FUNCTION, "208"), "社会保障和就业支出");
    ck_assert_str_eq(code_known_name(CODE_FUNCTION, "234"), "抗疫特别国债安排的支出");
    ck_assert_str_eq(code_known_name(CODE_FUNCTION, "20805"), "行政事业单位养老支出");
    ck_assert_str_eq(code_known_name(CODE_FUNCTION, "2080505"), "机关事业单位基本养老保险缴费支出");
    ck_assert_str_eq(code_known_name(CODE_FUNCTION, "21015"), "医疗保障管理事务");
    ck_assert_str_eq(code_known_name(CODE_ECONOMIC, "30101"), "基本工资");
    ck_assert_str_eq(code_known_name(CODE_ECONOMIC, "309"), "资本性支出（基本建设）");
    ck_assert_ptr_null(code_known_name(CODE_FUNCTION, "30101"));
    ck_assert_ptr_null(code_known_name(CODE_FUNCTION, "208010"));
    ck_assert_ptr_null(code_known_name(CODE_NONE, "210"));

    static const char *const fclasses[] = { "201", "202", "203", "204", "205", "206", "207",
        "208", "210", "211", "212", "213", "214", "215", "216", "217", "219", "220", "221",
        "222", "223", "224", "227", "229", "230", "231", "232", "233", "234" };
    for (size_t i = 0; i < sizeof fclasses / sizeof fclasses[0]; i++)
        ck_assert_msg(code_class_exists(CODE_FUNCTION, fclasses[i]), "%s", fclasses[i]);
    static const char *const eclasses[] = { "301", "302", "303", "307", "309", "310", "311",
                                            "312", "313", "399" };
    for (size_t i = 0; i < sizeof eclasses / sizeof eclasses[0]; i++)
        ck_assert_msg(code_class_exists(CODE_ECONOMIC, eclasses[i]), "%s", eclasses[i]);
    ck_assert(!code_class_exists(CODE_FUNCTION, "209"));
    ck_assert(!code_class_exists(CODE_FUNCTION, "218"));
    ck_assert(!code_class_exists(CODE_FUNCTION, "301"));
    ck_assert(!code_class_exists(CODE_ECONOMIC, "304"));
    ck_assert(!code_class_exists(CODE_FUNCTION, "20805"));   /* a 款 is not a class */

    ck_assert(code_name_matches("维修（护）费", "维修(护)费"));
    ck_assert(code_name_matches("卫生健康支出", " 卫生健康 支出"));
    ck_assert(!code_name_matches("卫生健康支出", "卫生健康"));
    ck_assert(!code_name_matches("医疗救助", "医疗保障"));

    ck_assert_int_eq(code_kind_for_table(TABLE_GPB_FUNC), CODE_FUNCTION);
    ck_assert_int_eq(code_kind_for_table(TABLE_EXPENSE), CODE_FUNCTION);
    ck_assert_int_eq(code_kind_for_table(TABLE_SUMMARY), CODE_FUNCTION);
    ck_assert_int_eq(code_kind_for_table(TABLE_GPB_ECON), CODE_ECONOMIC);
    ck_assert_int_eq(code_kind_for_table(TABLE_PROJECTS), CODE_NONE);
    ck_assert_int_eq(code_kind_for_table(TABLE_THREE_PUBLIC), CODE_NONE);
}
END_TEST

/* Every well-formed code in the seeds is in the chart, and a printed name either matches
 * the chart or is one of the seeds' known slips. */
START_TEST(seed_codes_known)
{
    static const char *const files[] = { "dazhou-2023.csv", "dongxihu-2024.csv",
                                         "ningde-2024.csv", "suzhou-2024.csv" };
    size_t checked = 0, malformed = 0;
    for (size_t k = 0; k < 4; k++) {
        submission_list_t list;
        submission_list_init(&list);
        char path[512], err[512];
        snprintf(path, sizeof path, "%s/%s", EXAMPLES_DIR, files[k]);
        ck_assert_msg(csv_read_file(path, CSV_ENCODING_UTF8, &list, err, sizeof err) == 0, "%s", err);
        for (size_t i = 0; i < list.count; i++) {
            const submission_t *s = list.items[i];
            for (size_t j = 0; j < s->count; j++) {
                const fact_t *f = &s->facts[j];
                code_kind kind = code_kind_for_table(f->table);
                if (kind == CODE_NONE || !code_is_numeric(f->row)) continue;
                if (!code_well_formed(kind, f->row)) { malformed++; continue; }
                const char *known = code_known_name(kind, f->row);
                /* economic codes printed in function tables are the seeds' own slips */
                if (kind == CODE_FUNCTION && f->row[0] == '3') continue;
                ck_assert_msg(known != NULL, "%s: %s %s unknown", files[k], table_name(f->table), f->row);
                if (*f->name)
                    ck_assert_msg(code_name_matches(known, f->name), "%s:%u: %s printed '%s', chart '%s'",
                                  files[k], f->line, f->row, f->name, known);
                checked++;
            }
        }
        submission_list_free(&list);
    }
    ck_assert_uint_gt(checked, 500);
    ck_assert_uint_gt(malformed, 0);   /* 宿州 prints 6-digit codes */
}
END_TEST

TESTKIT_MAIN("codes", NULL, NULL, 0,
             shapes_and_levels,
             parents,
             chart,
             seed_codes_known)
