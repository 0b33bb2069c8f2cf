/* assets.h -- the pages' files (every file of web/assets), embedded in the binary at build time by
 * web/embed.cmake into the generated assets.c; nothing is fetched from anywhere. */
#ifndef HUIZONG_WEB_ASSETS_H
#define HUIZONG_WEB_ASSETS_H

#include <stddef.h>

typedef struct {
    const char *path;            /* "/app.js" */
    const char *content_type;
    const unsigned char *data;
    size_t len;
} web_asset_t;

/* The asset at path, or NULL. */
const web_asset_t *web_asset_find(const char *path);

#endif
