/* hierarchy.c -- loading the entity tree from entities.csv (code,name,level,parent).
 *
 * Invariants after hierarchy_load() returns 0 (see hierarchy.h): unique codes, every
 * parent registered, a child's level strictly below its parent's, no cycles (implied by
 * the strict level order, and checked anyway so a future relaxation cannot loop forever).
 * On error the tree is left empty and err reads "file:line: reason".
 */
#include "errors.h"
#include "hierarchy.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "sort.h"
#include "submission.h"

_Static_assert(SUBMISSION_ENTITY_MAX == ENTITY_CODE_MAX,
               "a submission's entity code and a hierarchy code are the same thing");

static const char *const LEVEL_NAMES[] = { "none", "unit", "department", "district", "city",
                                           "province" };
static const char *const LEVEL_LABELS[] = { "?", "单位", "部门", "区县", "市", "省" };

entity_level level_from_name(const char *name)
{
    for (int l = LEVEL_UNIT; l <= LEVEL_PROVINCE; l++)
        if (name && (!strcasecmp(name, LEVEL_NAMES[l]) || !strcmp(name, LEVEL_LABELS[l])))
            return (entity_level)l;
    return LEVEL_NONE;
}

const char *level_name(entity_level l)
{
    return (l >= LEVEL_NONE && l <= LEVEL_PROVINCE) ? LEVEL_NAMES[l] : "none";
}

const char *level_label(entity_level l)
{
    return (l >= LEVEL_NONE && l <= LEVEL_PROVINCE) ? LEVEL_LABELS[l] : "?";
}

void hierarchy_free(hierarchy_t *h)
{
    free(h->items);
    free(h->by_code);
    h->items = NULL;
    h->by_code = NULL;
    h->count = h->cap = 0;
}

const entity_t *hierarchy_find(const hierarchy_t *h, const char *code)
{
    if (!h->by_code) {
        for (size_t i = 0; i < h->count; i++)
            if (strcmp(h->items[i].code, code) == 0) return &h->items[i];
        return NULL;
    }
    size_t lo = 0, hi = h->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(h->by_code[mid]->code, code);
        if (c == 0) return h->by_code[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

/* Code order, then file order (items are in file order): a total order (core/sort.h). */
static int s_by_code_cmp(const void *a, const void *b)
{
    const entity_t *x = *(const entity_t *const *)a, *y = *(const entity_t *const *)b;
    int c = strcmp(x->code, y->code);
    if (c) return c;
    return x < y ? -1 : x > y;
}

int hierarchy_index(hierarchy_t *h)
{
    free(h->by_code);
    h->by_code = malloc((h->count ? h->count : 1) * sizeof *h->by_code);
    if (!h->by_code) return -1;
    for (size_t i = 0; i < h->count; i++) h->by_code[i] = &h->items[i];
    sort_array(h->by_code, h->count, sizeof *h->by_code, s_by_code_cmp);
    return 0;
}

/* Builds h->by_code and refuses a repeated code, naming the earliest line that repeats one
 * (what a scan in file order would have found first). */
static int s_index(hierarchy_t *h, const char *path, const uint32_t *lines, char *err, size_t errlen)
{
    if (hierarchy_index(h)) return error_set(err, errlen, "%s: out of memory", path);
    /* equal codes are adjacent, in file order: the second of a run repeats its first */
    const entity_t *repeat = NULL, *first = NULL;
    for (size_t i = 1, run = 0; i < h->count; i++) {
        if (strcmp(h->by_code[run]->code, h->by_code[i]->code)) { run = i; continue; }
        if (i == run + 1 && (!repeat || h->by_code[i] < repeat)) {
            repeat = h->by_code[i];
            first = h->by_code[run];
        }
    }
    if (!repeat) return 0;
    return error_set(err, errlen, "%s:%u: duplicate code '%s' (first on line %u)", path,
                     lines[repeat - h->items], repeat->code, lines[first - h->items]);
}

static void trim(char **s)
{
    char *p = *s;
    while (*p == ' ' || *p == '\t') p++;
    char *e = p + strlen(p);
    while (e > p && (e[-1] == ' ' || e[-1] == '\t')) e--;
    *e = '\0';
    *s = p;
}

enum { H_CODE, H_NAME, H_LEVEL, H_PARENT, H_COUNT };
static const char *const HEAD[H_COUNT] = { "code", "name", "level", "parent" };

static int add_entity(hierarchy_t *h, char **v, const char *path, uint32_t line,
                      uint32_t *lines, char *err, size_t errlen)
{
    if (!*v[H_CODE]) return error_set(err, errlen, "%s:%u: empty code", path, line);
    if (strlen(v[H_CODE]) > SUBMISSION_ENTITY_MAX)
        return error_set(err, errlen, "%s:%u: code longer than %d bytes", path, line,
                    SUBMISSION_ENTITY_MAX);
    if (strlen(v[H_PARENT]) > SUBMISSION_ENTITY_MAX)
        return error_set(err, errlen, "%s:%u: parent longer than %d bytes", path, line,
                    SUBMISSION_ENTITY_MAX);
    if (strlen(v[H_NAME]) >= sizeof h->items[0].name)
        return error_set(err, errlen, "%s:%u: name longer than %zu bytes", path, line,
                    sizeof h->items[0].name - 1);
    for (int i = 0; i < H_COUNT; i++)
        if (!submission_utf8_valid(v[i], strlen(v[i])))
            return error_set(err, errlen, "%s:%u: %s is not valid UTF-8", path, line, HEAD[i]);
    entity_level lv = level_from_name(v[H_LEVEL]);
    if (lv == LEVEL_NONE)
        return error_set(err, errlen, "%s:%u: unknown level '%s' (unit, department, district, city, "
                    "province)", path, line, v[H_LEVEL]);
    if (!strcmp(v[H_CODE], v[H_PARENT]))
        return error_set(err, errlen, "%s:%u: '%s' is its own parent", path, line, v[H_CODE]);
    entity_t *e = &h->items[h->count++];
    memset(e, 0, sizeof *e);
    snprintf(e->code, sizeof e->code, "%s", v[H_CODE]);
    snprintf(e->name, sizeof e->name, "%s", v[H_NAME]);
    snprintf(e->parent, sizeof e->parent, "%s", v[H_PARENT]);
    e->level = lv;
    lines[h->count - 1] = line;
    return 0;
}

/* Parent checks run after the whole file is read, so a parent may be listed after its
 * children. */
static int check_tree(const hierarchy_t *h, const char *path, const uint32_t *lines,
                      char *err, size_t errlen)
{
    for (size_t i = 0; i < h->count; i++) {
        const entity_t *e = &h->items[i];
        if (!*e->parent) continue;
        const entity_t *p = hierarchy_find(h, e->parent);
        if (!p)
            return error_set(err, errlen, "%s:%u: parent '%s' of '%s' is not in the file", path,
                        lines[i], e->parent, e->code);
        if (p->level <= e->level)
            return error_set(err, errlen, "%s:%u: parent '%s' is a %s, not above %s '%s'", path,
                        lines[i], p->code, level_name(p->level), level_name(e->level), e->code);
    }
    /* Walk up from each entity; more steps than entities means a cycle. */
    for (size_t i = 0; i < h->count; i++) {
        const entity_t *e = &h->items[i];
        for (size_t steps = 0; e && *e->parent; steps++) {
            if (steps > h->count)
                return error_set(err, errlen, "%s:%u: '%s' is part of a parent cycle", path,
                            lines[i], h->items[i].code);
            e = hierarchy_find(h, e->parent);
        }
    }
    return 0;
}

static int load(hierarchy_t *h, const char *path, const char *d, size_t len, uint32_t **lines_p,
                char *err, size_t errlen)
{
    size_t pos = csv_bom_length(d, len);
    uint32_t line = 1, start = 1;
    const char *reason = NULL;
    int col[H_COUNT];
    csv_record_t rec;
    csv_record_init(&rec);
    int rc = csv_next_record(d, len, &pos, &line, &rec, &start, &reason);
    if (rc <= 0) {
        csv_record_free(&rec);
        return error_set(err, errlen, "%s:%u: %s", path, start, rc ? reason : "missing header");
    }
    for (int k = 0; k < H_COUNT; k++) col[k] = -1;
    for (size_t i = 0; i < rec.nfields; i++) {
        char *f = rec.fields[i];
        trim(&f);
        for (int k = 0; k < H_COUNT; k++)
            if (!strcasecmp(f, HEAD[k])) col[k] = (int)i;
    }
    for (int k = 0; k < H_COUNT; k++)
        if (col[k] < 0) {
            csv_record_free(&rec);
            return error_set(err, errlen, "%s:%u: header must be code,name,level,parent (no '%s')",
                        path, start, HEAD[k]);
        }
    size_t nheader = rec.nfields;
    while ((rc = csv_next_record(d, len, &pos, &line, &rec, &start, &reason)) == 1) {
        if (rec.nfields == 1 && !*rec.fields[0]) continue;
        if (rec.nfields != nheader) {
            size_t found = rec.nfields;
            csv_record_free(&rec);
            return error_set(err, errlen, "%s:%u: expected %zu fields, found %zu", path, start,
                        nheader, found);
        }
        if (h->count == h->cap) {
            size_t cap = h->cap ? h->cap * 2 : 32;
            entity_t *items = realloc(h->items, cap * sizeof *items);
            uint32_t *lines = realloc(*lines_p, cap * sizeof *lines);
            if (items) h->items = items;
            if (lines) *lines_p = lines;
            if (!items || !lines) {
                csv_record_free(&rec);
                return error_set(err, errlen, "%s: out of memory", path);
            }
            h->cap = cap;
        }
        char *v[H_COUNT];
        for (int k = 0; k < H_COUNT; k++) { v[k] = rec.fields[col[k]]; trim(&v[k]); }
        if (add_entity(h, v, path, start, *lines_p, err, errlen)) {
            csv_record_free(&rec);
            return -1;
        }
    }
    csv_record_free(&rec);
    if (rc < 0) return error_set(err, errlen, "%s:%u: %s", path, start, reason);
    if (h->count == 0) return error_set(err, errlen, "%s: no entities", path);
    if (s_index(h, path, *lines_p, err, errlen)) return -1;
    return check_tree(h, path, *lines_p, err, errlen);
}

int hierarchy_load(hierarchy_t *h, const char *path, char *err, size_t errlen)
{
    h->items = NULL;
    h->by_code = NULL;
    h->count = h->cap = 0;
    char *data;
    size_t len;
    if (csv_slurp(path, &data, &len, err, errlen)) return -1;
    uint32_t *lines = NULL;
    int rc = load(h, path, data, len, &lines, err, errlen);
    free(lines);
    free(data);
    if (rc) hierarchy_free(h);
    return rc;
}
