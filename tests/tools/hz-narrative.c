/* hz-narrative.c -- a developer's driver for core/narrative*: prints the claims of a text and
 * the findings against a submission CSV (not a user command: people use
 * huizong-collector check|submit --text and huizong show --text, docs/narrative.md).
 *
 *   hz-narrative TEXT [FACTS.csv [PRIOR.csv]] [--claims]
 *
 * Exit: 0 no mismatch, 1 mismatches, 2 usage or input error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "narrative.h"
#include "narrative_check.h"

static submission_t *s_load(const char *path, submission_list_t *list)
{
    char err[512];
    if (csv_read_file(path, CSV_ENCODING_AUTO, list, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return NULL;
    }
    if (list->count == 0) return NULL;
    submission_t *best = list->items[0];   /* the highest-level entity: the shortest code */
    for (size_t i = 1; i < list->count; i++)
        if (strlen(list->items[i]->entity) < strlen(best->entity)) best = list->items[i];
    submission_sort(best);
    return best;
}

int main(int argc, char **argv)
{
    const char *paths[3] = {0};
    int np = 0, claims = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--claims") == 0) claims = 1;
        else if (np < 3) paths[np++] = argv[i];
    }
    if (!paths[0]) { fprintf(stderr, "usage: hz-narrative TEXT [FACTS.csv [PRIOR.csv]] [--claims]\n"); return 2; }
    char err[512], *raw, *text;
    size_t rawlen, len;
    if (csv_slurp(paths[0], &raw, &rawlen, err, sizeof err) != 0) { fprintf(stderr, "%s\n", err); return 2; }
    if (narrative_text_utf8(raw, rawlen, &text, &len, err, sizeof err) != 0) { fprintf(stderr, "%s: %s\n", paths[0], err); return 2; }
    free(raw);
    narrative_t *n = narrative_extract(text, len, err, sizeof err);
    free(text);
    if (!n) { fprintf(stderr, "%s: %s\n", paths[0], err); return 2; }
    submission_list_t cur, pri;
    submission_list_init(&cur);
    submission_list_init(&pri);
    submission_t *s = paths[1] ? s_load(paths[1], &cur) : NULL;
    if (paths[1] && !s) { narrative_destroy(&n); return 2; }
    if (claims) {
        for (size_t i = 0; i < n->count; i++) {
            const narrative_claim_t *c = &n->items[i];
            char b[NARRATIVE_NUM_BUF];
            printf("P%u [%s] «%s»", c->paragraph, narrative_topic_label(c->topic), c->label);
            if (c->amount.present) printf(" L%u 金额 %s", c->amount.line, narrative_format_amount(c->amount.value, c->amount.decimals, b));
            if (c->change.present) printf(" L%u %s %s", c->change.line, c->change_dir > 0 ? "增加" : "减少", narrative_format_amount(c->change.value, c->change.decimals, b));
            if (c->pct.present) printf(" L%u %s %s%%", c->pct.line, c->pct_dir > 0 ? "增长" : "下降", narrative_format_scaled(c->pct.value, c->pct.decimals, b));
            if (c->share.present) printf(" L%u 占 %s%%", c->share.line, narrative_format_scaled(c->share.value, c->share.decimals, b));
            if (c->flat) printf(" L%u 持平", c->flat_line);
            if (c->prior_year) printf(" (比 %u 年)", c->prior_year);
            if (s) {
                char d[512];
                printf(" -> %s", narrative_describe(n, i, s, d, sizeof d));
            }
            printf("\n");
        }
    }
    int rc = 0;
    if (paths[1]) {
        submission_t *p = paths[2] ? s_load(paths[2], &pri) : NULL;
        if (paths[2] && !p) { narrative_destroy(&n); return 2; }
        findings_t out;
        findings_init(&out);
        narrative_summary_t sum;
        int m = narrative_check(n, s, p, paths[0], &out, &sum);
        for (size_t i = 0; i < out.count; i++)
            printf("%s %s %s L%u: %s\n", severity_name(out.items[i].severity), out.items[i].rule,
                   verdict_name(out.items[i].verdict), out.items[i].line,
                   out.items[i].explanation ? out.items[i].explanation : "");
        narrative_summary_print(stdout, &sum);
        rc = m > 0 ? 1 : m < 0 ? 2 : 0;
        findings_clear(&out);
        submission_list_free(&cur);
        submission_list_free(&pri);
    }
    narrative_destroy(&n);
    return rc;
}
