/* json.h -- the one JSON string writer every `--format json` output uses. Output JSON is
 * built with printf by each command (flat records); only string escaping needs care. */
#ifndef HUIZONG_JSON_H
#define HUIZONG_JSON_H

#include <stdio.h>

/* Writes s (NULL = "") as a JSON string literal: quotes, backslashes and control
 * characters escaped; UTF-8 passes through unchanged. */
void json_write_string(FILE *out, const char *s);

/* Writes `key` as it is (the punctuation and the quoted name: ",\"reviewer\":") and then s
 * as json_write_string does: one string member of an object. */
void json_write_member(FILE *out, const char *key, const char *s);

#endif
