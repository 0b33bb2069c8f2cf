/* test_sort_order.c -- nothing depends on the sort algorithm being stable.
 *
 * C does not promise that qsort keeps equal elements in order (glibc 2.37 and later do
 * not). Every sort of core goes through sort_array (core/sort.h), so this test runs the
 * same paths -- submission_sort and the rule engine's index -- once with qsort and once
 * with a deliberately anti-stable sort (equal elements come out in reverse input order),
 * and requires identical results. A comparison without a total order fails here. */
#include <check.h>
#include "testkit.h"
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "rules.h"
#include "sort.h"

/* Reverses the array, then insertion-sorts it (stable on the reversed input): a correct
 * sort that reverses every run of equal elements. */
static void anti_stable_sort(void *base, size_t n, size_t size, sort_cmp_fn cmp)
{
    char *a = base, *tmp = malloc(size);
    ck_assert_ptr_nonnull(tmp);
    for (size_t i = 0; i < n / 2; i++) {
        memcpy(tmp, a + i * size, size);
        memcpy(a + i * size, a + (n - 1 - i) * size, size);
        memcpy(a + (n - 1 - i) * size, tmp, size);
    }
    for (size_t i = 1; i < n; i++) {
        memcpy(tmp, a + i * size, size);
        size_t j = i;
        while (j > 0 && cmp(a + (j - 1) * size, tmp) > 0) {
            memcpy(a + j * size, a + (j - 1) * size, size);
            j--;
        }
        memcpy(a + j * size, tmp, size);
    }
    free(tmp);
}

/* The sort itself: the anti-stable sort really reverses equal elements. */
static int first_int_cmp(const void *a, const void *b)
{
    int x = ((const int *)a)[0], y = ((const int *)b)[0];
    return (x > y) - (x < y);
}

START_TEST(anti_stable_reverses_ties)
{
    int v[4][2] = { { 1, 0 }, { 0, 1 }, { 1, 2 }, { 0, 3 } };
    anti_stable_sort(v, 4, sizeof v[0], first_int_cmp);
    ck_assert_int_eq(v[0][1], 3);
    ck_assert_int_eq(v[1][1], 1);
    ck_assert_int_eq(v[2][1], 2);
    ck_assert_int_eq(v[3][1], 0);
}
END_TEST

/* Facts out of order, with one key printed twice (two lines) and one fact repeated with
 * a different amount and name on the same line. */
static submission_t *scrambled(void)
{
    submission_t *s = submission_new("t001", 2024);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(submission_add(s, TABLE_GPB_FUNC, "20801", COL_TOTAL, 30000000, "人力资源", 3), 0);
    ck_assert_int_eq(submission_add(s, TABLE_GPB_FUNC, "208", COL_TOTAL, 50000000, "社会保障和就业支出", 1), 0);
    ck_assert_int_eq(submission_add(s, TABLE_EXPENSE, "total", COL_TOTAL, 10000, "", 9), 0);
    ck_assert_int_eq(submission_add(s, TABLE_GPB_FUNC, "208", COL_TOTAL, 30000000, "社会保障和就业支出", 2), 0);
    ck_assert_int_eq(submission_add(s, TABLE_GPB_FUNC, "208", COL_BASIC, 30000000, "甲", 4), 0);
    ck_assert_int_eq(submission_add(s, TABLE_GPB_FUNC, "208", COL_BASIC, 20000000, "乙", 4), 0);
    ck_assert_int_eq(submission_add(s, TABLE_GPB_FUNC, "20801", COL_BASIC, 30000000, "", 5), 0);
    return s;
}

START_TEST(submission_sort_is_total)
{
    submission_t *a = scrambled(), *b = scrambled();
    submission_sort(a);
    sort_impl_fn old = sort_set_impl(anti_stable_sort);
    submission_sort(b);
    sort_set_impl(old);
    ck_assert_uint_eq(a->count, b->count);
    for (size_t i = 0; i < a->count; i++) {
        const fact_t *x = &a->facts[i], *y = &b->facts[i];
        ck_assert_int_eq(x->table, y->table);
        ck_assert_str_eq(x->row, y->row);
        ck_assert_int_eq(x->column, y->column);
        ck_assert_uint_eq(x->line, y->line);
        ck_assert_int_eq(x->fen, y->fen);
        ck_assert_str_eq(x->name, y->name);
    }
    /* duplicates: earliest line first */
    const fact_t *f = submission_find(a, TABLE_GPB_FUNC, "208", COL_TOTAL);
    ck_assert_ptr_nonnull(f);
    submission_destroy(&a);
    submission_destroy(&b);
}
END_TEST

/* Findings as one comparable text. */
static char *findings_text(const findings_t *f)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    for (size_t i = 0; i < f->count; i++) {
        const finding_t *x = &f->items[i];
        fprintf(m, "%s %d %d %s %d %lld %lld %u %u %s\n", x->rule, x->verdict, x->table, x->row,
                x->column, (long long)x->expected, (long long)x->actual, x->terms, x->line,
                x->explanation ? x->explanation : "");
    }
    fclose(m);
    return buf;
}

static char *rules_text(const submission_t *s, sort_impl_fn impl, size_t *count)
{
    findings_t f;
    findings_init(&f);
    sort_impl_fn old = sort_set_impl(impl);
    ck_assert_int_eq(rules_check(s, NULL, &f), 0);
    sort_set_impl(old);
    char *t = findings_text(&f);
    *count = f.count;
    findings_clear(&f);
    return t;
}

/* An unsorted submission (collector check before validation) printing 208 twice: the later
 * line wins in the rule grid whatever the sort, so 208 = 3.00 = 20801 holds. */
START_TEST(rules_duplicate_key_later_wins)
{
    submission_t *s = scrambled();
    size_t na, nb;
    char *a = rules_text(s, NULL, &na), *b = rules_text(s, anti_stable_sort, &nb);
    ck_assert_str_eq(a, b);
    ck_assert_msg(strstr(a, "table.func_sum 3 5 208 2 ") == NULL, "208 total judged with 5.00: %s", a);
    /* basic: the two line-4 facts differ only in amount and name; the grid takes 乙 20.00 */
    ck_assert_msg(strstr(a, "table.func_sum 3 5 208 3 30000000 20000000") != NULL, "%s", a);
    free(a);
    free(b);
    submission_destroy(&s);
}
END_TEST

/* Every seed, facts reversed (unsorted input): the same findings with either sort. */
START_TEST(rules_seeds_any_sort)
{
    static const char *const FILES[] = { "dazhou-2023.csv", "dongxihu-2024.csv", "ningde-2024.csv",
                                         "suzhou-2024.csv" };
    size_t total = 0;
    for (size_t k = 0; k < sizeof FILES / sizeof FILES[0]; k++) {
        char path[512], err[512];
        snprintf(path, sizeof path, "%s/%s", EXAMPLES_DIR, FILES[k]);
        submission_list_t list = { 0 };
        ck_assert_msg(csv_read_file(path, CSV_ENCODING_UTF8, &list, err, sizeof err) == 0, "%s", err);
        for (size_t i = 0; i < list.count; i++) {
            submission_t *s = list.items[i];
            for (size_t j = 0; j < s->count / 2; j++) {
                fact_t t = s->facts[j];
                s->facts[j] = s->facts[s->count - 1 - j];
                s->facts[s->count - 1 - j] = t;
            }
            size_t na, nb;
            char *a = rules_text(s, NULL, &na), *b = rules_text(s, anti_stable_sort, &nb);
            ck_assert_msg(strcmp(a, b) == 0, "%s %s: findings depend on the sort", FILES[k], s->entity);
            total += na;
            free(a);
            free(b);
        }
        submission_list_free(&list);
    }
    ck_assert_uint_gt(total, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sort_order");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, anti_stable_reverses_ties);
    tcase_add_test(tc, submission_sort_is_total);
    tcase_add_test(tc, rules_duplicate_key_later_wins);
    tcase_add_test(tc, rules_seeds_any_sort);
    suite_add_tcase(s, tc);
    return testkit_run(s);
}
