/* text.c -- `--text DOC.txt`: the document's narrative (说明) travels with a submission.
 *
 * check and submit read the text (UTF-8 or GB18030, as --encoding reads a CSV), attach it
 * to the submission of the files' highest-level entity (--text-entity CODE to choose
 * another) and, offline, judge its claims against that submission's tables with the same
 * text.* rules the aggregator runs (where the aggregator also has the previous year).
 *
 * Invariants: a text that cannot be read, is not valid in the chosen encoding, is larger
 * than SUBMISSION_TEXT_MAX (after conversion to UTF-8) or has no submission to go with is
 * an input error naming the file and the reason; nothing is then sent.
 */
#include "collector.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "narrative.h"
#include "narrative_check.h"

static const char *s_base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The submission the text goes with: --text-entity, else the highest level by the
 * hierarchy (entities it does not know count as departments), then the shortest code,
 * then the smallest. NULL (message printed) when there is none, or when that entity has
 * submissions for several years (the text is one year's document). */
static submission_t *s_target(const char *path, const char *entity, const submission_list_t *list,
                              const hierarchy_t *h)
{
    submission_t *best = NULL;
    for (size_t i = 0; i < list->count; i++) {
        submission_t *s = list->items[i];
        if (entity) {
            if (strcmp(s->entity, entity) == 0 && !best) best = s;
            continue;
        }
        if (!best) { best = s; continue; }
        int la = (int)collector_level(h, s->entity), lb = (int)collector_level(h, best->entity);
        size_t na = strlen(s->entity), nb = strlen(best->entity);
        if (la > lb || (la == lb && (na < nb || (na == nb && strcmp(s->entity, best->entity) < 0))))
            best = s;
    }
    if (!best) {
        fprintf(stderr, "%s: --text-entity %s：所读文件中没有该单位的报送数据\n", path, entity);
        return NULL;
    }
    for (size_t i = 0; i < list->count; i++) {
        const submission_t *s = list->items[i];
        if (s != best && strcmp(s->entity, best->entity) == 0) {
            fprintf(stderr, "%s: 单位 %s 有 %u 年和 %u 年两份报送，说明文本只能随其中一年报送；请分开提交\n",
                    path, best->entity, best->year, s->year);
            return NULL;
        }
    }
    return best;
}

int collector_attach_text(const char *path, const char *entity, csv_encoding enc,
                          submission_list_t *list, const hierarchy_t *h)
{
    char err[512] = "", *raw = NULL, *text = NULL;
    size_t rawlen = 0, len = 0;
    if (csv_slurp(path, &raw, &rawlen, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    int rc = -1;
    size_t bom = csv_bom_length(raw, rawlen);
    if (enc == CSV_ENCODING_UTF8 && !submission_utf8_valid(raw + bom, rawlen - bom)) {
        fprintf(stderr, "%s: 文本不是合法的 UTF-8；GB18030 文本请用 --encoding gb18030（或 auto）\n", path);
        goto done;
    }
    /* gb18030 and auto: narrative_text_utf8 keeps valid UTF-8 and converts anything else */
    if (narrative_text_utf8(raw, rawlen, &text, &len, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", path, err);
        goto done;
    }
    if (len > SUBMISSION_TEXT_MAX) {
        fprintf(stderr, "%s: 文本 %zu 字节（UTF-8），超过上限 %u 字节（%u MiB，SUBMISSION_TEXT_MAX）；未发送任何数据\n",
                path, len, SUBMISSION_TEXT_MAX, SUBMISSION_TEXT_MAX >> 20);
        goto done;
    }
    submission_t *s = s_target(path, entity, list, h);
    if (!s) goto done;
    if (submission_set_text(s, s_base_name(path), text, len) != 0) {
        fprintf(stderr, "%s: 内存不足\n", path);
        goto done;
    }
    if (submission_text_check(s->text, s->text_len, s->text_name, err, sizeof err) != 0) {
        fprintf(stderr, "%s: %s\n", path, err);
        submission_set_text(s, NULL, NULL, 0);
        goto done;
    }
    rc = 0;
done:
    free(raw);
    free(text);
    return rc;
}

int collector_check_text(const submission_t *s, const rule_settings_t *settings, findings_t *out,
                         narrative_summary_t *summary)
{
    memset(summary, 0, sizeof *summary);
    if (!s->text) return 0;
    char err[256] = "";
    narrative_t *n = narrative_extract(s->text, s->text_len, err, sizeof err);
    if (!n) {
        fprintf(stderr, "%s: %s\n", s->text_name, err);
        return -1;
    }
    int rc = narrative_check_rules(n, s, NULL, s->text_name, settings, out, summary);
    narrative_destroy(&n);
    return rc < 0 ? -1 : 0;
}

int collector_attach_pdf_texts(submission_list_t *list, const hierarchy_t *h)
{
    int failed = 0;
    for (size_t t = 0; t < collector_import.ntexts; t++) {
        const char *file = collector_import.texts[t].file, *text = collector_import.texts[t].text;
        size_t len = strlen(text);
        /* the PDF's own submissions: their source is its base name */
        submission_list_t mine = { 0 };
        for (size_t i = 0; i < list->count; i++) {
            const char *src = list->items[i]->source;
            if (src && strcmp(src, s_base_name(file)) == 0 && !list->items[i]->text) {
                submission_t **grown = realloc(mine.items, (mine.count + 1) * sizeof *grown);
                if (!grown) { failed++; break; }
                mine.items = grown;
                mine.items[mine.count++] = list->items[i];
            }
        }
        if (mine.count == 0) { free(mine.items); continue; }
        if (len > SUBMISSION_TEXT_MAX) {
            fprintf(stderr, "%s: 表外文字（说明）%zu 字节，超过上限 %u 字节，未随报送附上\n", file, len,
                    SUBMISSION_TEXT_MAX);
            free(mine.items);
            continue;
        }
        submission_t *s = s_target(file, NULL, &mine, h);
        /* the borrowed items stay the list's; only the array is ours */
        free(mine.items);
        if (!s) { failed++; continue; }
        char name[SUBMISSION_TEXT_NAME_MAX + 1];
        snprintf(name, sizeof name, "%s", s_base_name(file));
        char err[512] = "";
        if (submission_set_text(s, name, text, len) != 0 ||
            submission_text_check(s->text, s->text_len, s->text_name, err, sizeof err) != 0) {
            fprintf(stderr, "%s: %s\n", file, err[0] ? err : "内存不足");
            submission_set_text(s, NULL, NULL, 0);
            failed++;
        }
    }
    return failed ? -1 : 0;
}
