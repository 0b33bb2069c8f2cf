/* rules.c -- STUB until the rule catalogue lands (see rules.h). */
#include "rules.h"

#include <stdlib.h>

struct rule_settings { int unused; };

size_t rules_catalogue(const rule_info_t **out) { *out = NULL; return 0; }
const rule_info_t *rules_find(const char *id) { (void)id; return NULL; }
rule_settings_t *rule_settings_load(const char *path, char *err, size_t errlen)
{
    (void)path; (void)err; (void)errlen;
    return calloc(1, sizeof(rule_settings_t));
}
void rule_settings_destroy(rule_settings_t **self_p) { free(*self_p); *self_p = NULL; }
severity_t rule_settings_severity(const rule_settings_t *self, const char *rule_id)
{
    (void)self; (void)rule_id; return SEV_ERROR;
}
const char *rule_settings_describe(const rule_settings_t *self) { (void)self; return "catalogue 1, settings defaults"; }
int rules_check_submission(const submission_t *s, entity_level level, const rule_settings_t *settings, findings_t *out)
{
    (void)s; (void)level; (void)settings; (void)out; return 0;
}
int rules_check_level(const level_view_t *view, const rule_settings_t *settings, findings_t *out)
{
    (void)view; (void)settings; (void)out; return 0;
}
