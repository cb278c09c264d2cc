/*
 * web_assets.h - the dashboard's files (tools/truce/web/), compiled into
 * the truce binary by embed.cmake, as the extractor's rules are.
 */
#ifndef TRUCE_WEB_ASSETS_H
#define TRUCE_WEB_ASSETS_H

#include <stddef.h>

typedef struct web_asset {
	const char *name; /* file name, e.g. "app.js" */
	const unsigned char *data;
	size_t len;
} web_asset;

extern const web_asset web__assets[];
extern const size_t web__assets_count;

#endif
