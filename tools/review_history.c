/* review_history.c -- the review history of an entity/year for `huizong show`: every
 * version's submission and every decision on it (通过 / 退回 / 已核实), in time order. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "review_history.h"

static void s_when(uint64_t ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *s_label(const char *decision)
{
    return !strcmp(decision, "approve") ? "通过" : !strcmp(decision, "return") ? "退回" : "已核实";
}

void review_history_print(store_t *store, const char *code, uint32_t year,
                          const store_version_t *v, size_t nv)
{
    store_review_t *r = NULL;
    size_t nr = 0;
    store_reviews(store, code, year, &r, &nr);
    if (nr == 0) { free(r); return; }
    printf("  审核历史:\n");
    size_t i = 0, j = 0;
    while (i < nv || j < nr) {
        char when[32];
        if (j == nr || (i < nv && v[i].received_ms <= r[j].time_ms)) {
            s_when(v[i].received_ms, when);
            printf("    %s  v%u %s\n", when, v[i].version, i ? "重新报送" : "报送");
            i++;
        } else {
            s_when(r[j].time_ms, when);
            printf("    %s  v%u %s", when, r[j].version, s_label(r[j].decision));
            if (r[j].flag[0]) printf(" [%s]", r[j].flag);
            if (r[j].reason[0]) printf(" — %s", r[j].reason);
            printf("  (%s)\n", r[j].reviewer);
            j++;
        }
    }
    free(r);
}
