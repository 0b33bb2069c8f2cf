/* rules_fold.c -- the bound on the findings one submission can cause: at most
 * RULES_FINDINGS_PER_RULE findings of one rule are listed one by one; the rest of that rule
 * become ONE finding that says, in Chinese, how many more there are, of which severities, and
 * where the first one not listed is. Nothing is dropped silently.
 *
 * Why: every finding is stored twice (the entity's flags and the version's history), travels
 * in the ack and is kept with the id for replay. A hostile or broken submission of 100,000
 * rows that each break one rule (a 50 MB message) otherwise made ~80 MB of findings, a
 * ~230 MB write transaction and a 57 MB ack, and held every other collector behind it.
 * A real budget has a few hundred findings at most (the four seeds: under 100 per rule),
 * so the bound changes nothing a person reads in a real one.
 *
 * Invariants:
 *  - Only out[from..) is looked at (what one rule run appended), in order; the first
 *    RULES_FINDINGS_PER_RULE of each rule keep their place, the summary takes the place of
 *    the first one folded.
 *  - A list with no rule over the bound is left exactly as it was.
 *  - Each rule run folds what it appended, once (rules_check_entity, rules_check_versions,
 *    narrative_check_rules): a summary is a finding of its rule like any other, so a
 *    second fold of the same list would count it.
 */
#include "rules_engine.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    size_t seen;              /* findings of this rule met so far */
    size_t at;                /* index of its summary in the compacted list */
    size_t folded;            /* how many the summary stands for */
    size_t by_sev[SEV_INFO + 1];
    severity_t gravest;
    verdict_t verdict;        /* the verdict of the first folded one of the gravest severity */
    int one_table;            /* every folded one is on table `table` */
    table_id table;
    char first_row[sizeof ((finding_t *)0)->row];
    table_id first_table;
    uint32_t first_line;
} fold_t;

/* The rule id of f, with a one-entry cache (a rule's findings come together). */
static rule_id s_rule_of(const finding_t *f, const char **last_name, rule_id *last_id)
{
    if (*last_name && strcmp(*last_name, f->rule) == 0) return *last_id;
    *last_name = f->rule;
    *last_id = rules_id_from_name(f->rule);
    return *last_id;
}

static int s_severity_graver(severity_t a, severity_t b)
{
    return a != SEV_NONE && (b == SEV_NONE || a < b);
}

/* Turns the slot of the first folded finding into the summary of fd. -1 on OOM. */
static int s_summary(finding_t *slot, const fold_t *fd)
{
    const char *zh = rules_name_zh(slot->rule);
    char where[200];
    if (fd->first_row[0])
        snprintf(where, sizeof where, "%s 行 %s", table_label(fd->first_table), fd->first_row);
    else
        snprintf(where, sizeof where, "%s", fd->first_table ? table_label(fd->first_table) : "全表");
    char line[32] = "";
    if (fd->first_line) snprintf(line, sizeof line, "（第 %u 行）", fd->first_line);
    char sev[160] = "";
    size_t n = 0;
    for (int s = SEV_ERROR; s <= SEV_INFO; s++)
        if (fd->by_sev[s] && n < sizeof sev)
            n += (size_t)snprintf(sev + n, sizeof sev - n, "%s%s %zu 条", n ? "、" : "",
                                  severity_label((severity_t)s), fd->by_sev[s]);
    char buf[800];
    snprintf(buf, sizeof buf, "另有 %zu 条“%s”（%s）发现未逐条列出：每份报送每条规则最多逐条列出 %d 条。"
             "其中%s；未列出的第一条在 %s%s。修正已列出的问题后再检查，其余的会逐条列出。",
             fd->folded, zh ? zh : slot->rule, slot->rule, RULES_FINDINGS_PER_RULE, sev, where, line);
    char *expl = strdup(buf);
    if (!expl) return -1;
    free(slot->explanation);
    slot->explanation = expl;
    slot->severity = fd->gravest;
    slot->verdict = fd->verdict;
    slot->table = fd->one_table ? fd->table : TABLE_NONE;
    slot->row[0] = '\0';
    slot->column = COL_NONE;
    slot->expected = slot->actual = 0;
    slot->terms = 0;
    slot->line = 0;
    return 0;
}

int rules_fold(findings_t *out, size_t from)
{
    assert(out && from <= out->count);
    if (out->count - from <= RULES_FINDINGS_PER_RULE) return 0;   /* cannot exceed */
    fold_t *fd = calloc(RULE_COUNT + 1, sizeof *fd);   /* [RULE_COUNT]: ids not in the catalogue */
    if (!fd) return -1;
    const char *last = NULL;
    rule_id lid = RULE_COUNT;
    int over = 0;
    for (size_t i = from; i < out->count && !over; i++)
        over = ++fd[s_rule_of(&out->items[i], &last, &lid)].seen > RULES_FINDINGS_PER_RULE;
    if (!over) { free(fd); return 0; }
    memset(fd, 0, (RULE_COUNT + 1) * sizeof *fd);
    last = NULL;
    size_t w = from;
    for (size_t i = from; i < out->count; i++) {
        finding_t *f = &out->items[i];
        fold_t *r = &fd[s_rule_of(f, &last, &lid)];
        if (r->seen++ < RULES_FINDINGS_PER_RULE) {
            out->items[w++] = *f;
            continue;
        }
        if (f->severity <= SEV_INFO) r->by_sev[f->severity]++;
        if (r->folded++ == 0) {        /* the first folded one keeps its slot as the summary */
            r->at = w;
            r->gravest = f->severity;
            r->verdict = f->verdict;
            r->one_table = 1;
            r->table = r->first_table = f->table;
            memcpy(r->first_row, f->row, sizeof r->first_row);
            r->first_line = f->line;
            out->items[w++] = *f;
            continue;
        }
        if (s_severity_graver(f->severity, r->gravest)) {
            r->gravest = f->severity;
            r->verdict = f->verdict;
        }
        if (f->table != r->table) r->one_table = 0;
        finding_free(f);
    }
    out->count = w;
    /* give back the room of the folded ones (~200 bytes each: 100,000 of them were 20 MB,
     * held until the submission is stored) */
    finding_t *shrunk = realloc(out->items, (w ? w : 1) * sizeof *out->items);
    if (shrunk) {
        out->items = shrunk;
        out->cap = w ? w : 1;
    }
    int rc = 0;
    for (size_t id = 0; id <= RULE_COUNT && !rc; id++)
        if (fd[id].folded) rc = s_summary(&out->items[fd[id].at], &fd[id]);
    free(fd);
    return rc;
}
