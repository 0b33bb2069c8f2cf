/* review_history.h -- `huizong show`'s review history (tools/review_history.c). */
#ifndef HUIZONG_TOOLS_REVIEW_HISTORY_H
#define HUIZONG_TOOLS_REVIEW_HISTORY_H

#include "store.h"

/* Prints "  审核历史:" and one line per submission and decision, oldest first; nothing
 * when no decision was ever made. */
void review_history_print(store_t *store, const char *code, uint32_t year,
                          const store_version_t *v, size_t nv);

#endif
