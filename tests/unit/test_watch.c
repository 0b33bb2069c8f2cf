/* test_watch.c -- `huizong watch` without sockets: gap detection on seq, the Clone-pattern
 * rule that drops events a snapshot already contains, and the labels of the text output.
 *
 * It links huizong_tools and drives watch_event (tools/watch_int.h) directly. Output goes
 * to a file in a mkdtemp dir and is read back. */
#include <check.h>
#include "testkit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"
#include "commands.h"
#include "watch_int.h"

static char dir[64];
static char out_path[128];
static int saved_stdout = -1;

static void setup(void)
{
    testkit_tmpdir(dir, sizeof dir, "watch");
    snprintf(out_path, sizeof out_path, "%s/out.txt", dir);
    fflush(stdout);
    saved_stdout = dup(fileno(stdout));
    ck_assert_ptr_nonnull(freopen(out_path, "w", stdout));
}

static void teardown(void)
{
    fflush(stdout);
    dup2(saved_stdout, fileno(stdout));
    close(saved_stdout);
    if (testkit_rmtree(dir) != 0) fprintf(stderr, "cannot remove %s\n", dir);
}

/* Everything printed so far. */
static const char *output(void)
{
    static char buf[8192];
    fflush(stdout);
    FILE *f = fopen(out_path, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void feed(watch_t *w, uint64_t seq, const char *kind, const char *entity, uint32_t year,
                 uint32_t version, const char *detail)
{
    event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.seq = seq;
    snprintf(ev.kind, sizeof ev.kind, "%s", kind);
    snprintf(ev.entity, sizeof ev.entity, "%s", entity);
    ev.year = year;
    ev.version = version;
    snprintf(ev.detail, sizeof ev.detail, "%s", detail);
    ev.time_ms = 1795436614931ULL;
    uint8_t *buf;
    size_t len;
    ck_assert_int_eq(wire_pack_event(&ev, &buf, &len), 0);
    watch_event(w, buf, len);
    free(buf);
}

START_TEST(test_gap_detection)
{
    watch_t w;
    memset(&w, 0, sizeof w);
    feed(&w, 5, "accepted", "026", 2024, 1, "facts=334 errors=0 warnings=3 info=9");
    feed(&w, 6, "totals", "420100", 2024, 1, "expense_total=3311220000 by=026");
    ck_assert_int_eq(w.gaps, 0);
    feed(&w, 9, "totals", "420000", 2024, 1, "expense_total=3311220000 by=026");
    ck_assert_int_eq(w.gaps, 1);
    ck_assert_ptr_nonnull(strstr(output(), "gap: missed events 7..8 — resynchronise with huizong tree/flags --db"));
    feed(&w, 3, "accepted", "026", 2024, 2, "facts=334");   /* a restarted process, clock went back */
    ck_assert_int_eq(w.gaps, 2);
    ck_assert_ptr_nonnull(strstr(output(), "sequence went back from 9 to 3"));
    ck_assert_int_eq(w.printed, 4);
}
END_TEST

START_TEST(test_snapshot_drops_contained)
{
    snap_entity_t snap[2] = { { "026", "武汉市东西湖区医疗保障局", 2 }, { "608", "宿州市医疗保障局", 0 } };
    watch_t w;
    memset(&w, 0, sizeof w);
    w.snap = snap;
    w.nsnap = 2;
    w.snap_year = 2024;
    feed(&w, 1, "accepted", "026", 2024, 2, "facts=334");                        /* in it */
    feed(&w, 2, "totals", "420100", 2024, 2, "expense_total=3311220000 by=026"); /* in it */
    feed(&w, 3, "flags", "026", 2024, 1, "raised=1 cleared=0 current=1 by=026"); /* older */
    ck_assert_int_eq(w.dropped, 3);
    ck_assert_int_eq(w.printed, 0);
    feed(&w, 4, "accepted", "026", 2024, 3, "facts=334");                        /* newer */
    feed(&w, 5, "totals", "420100", 2024, 3, "expense_total=3312220000 by=026");
    feed(&w, 6, "accepted", "026", 2023, 1, "facts=10");                         /* other year */
    feed(&w, 7, "accepted", "608", 2024, 1, "facts=272");                        /* never seen */
    feed(&w, 8, "rejected", "026", 2024, 0, "unknown entity 'x'");
    ck_assert_int_eq(w.dropped, 3);
    ck_assert_int_eq(w.printed, 5);
    ck_assert_int_eq(w.gaps, 0);
    const char *out = output();
    ck_assert_ptr_nonnull(strstr(out, "已接收 accepted 026 武汉市东西湖区医疗保障局 2024 v3"));
    ck_assert_ptr_nonnull(strstr(out, "合计 totals 420100 2024 支出总计 3312.22 万元 (by 026 v3)"));
    ck_assert_ptr_nonnull(strstr(out, "已拒绝 rejected 026"));
    ck_assert_ptr_null(strstr(out, "v2"));
}
END_TEST

START_TEST(test_year_filter_and_json)
{
    watch_t w;
    memset(&w, 0, sizeof w);
    w.year = 2024;
    w.format = FORMAT_JSON;
    feed(&w, 1, "accepted", "335", 2023, 1, "facts=123");
    feed(&w, 2, "flags", "026", 2024, 1, "raised=12 cleared=0 current=12 by=026");
    ck_assert_int_eq(w.printed, 1);
    ck_assert_int_eq(w.gaps, 0);   /* a filtered event still counts for the sequence */
    ck_assert_ptr_nonnull(strstr(output(), "{\"seq\":2,\"kind\":\"flags\",\"entity\":\"026\",\"year\":2024,"));
    ck_assert_ptr_null(strstr(output(), "\"335\""));
}
END_TEST

START_TEST(test_detail_get)
{
    char v[32];
    ck_assert_int_eq(watch_detail_get("raised=2 cleared=1 current=12 by=026", "cleared", v, sizeof v), 0);
    ck_assert_str_eq(v, "1");
    ck_assert_int_eq(watch_detail_get("raised=2 cleared=1 current=12 by=026", "by", v, sizeof v), 0);
    ck_assert_str_eq(v, "026");
    ck_assert_int_eq(watch_detail_get("xraised=2", "raised", v, sizeof v), -1);
    ck_assert_int_eq(watch_detail_get("", "raised", v, sizeof v), -1);
}
END_TEST

TESTKIT_MAIN("watch", setup, teardown, 0,
             test_gap_detection,
             test_snapshot_drops_contained,
             test_year_filter_and_json,
             test_detail_get)
