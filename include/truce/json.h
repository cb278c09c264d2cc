/*
 * json.h - JSON renderings of truce records, for the tools' --json output
 * and the scoring format of ANNOTATION.md. Every function returns a new
 * jansson reference (never NULL for non-NULL input).
 */
#ifndef TRUCE_JSON_H
#define TRUCE_JSON_H

#include <jansson.h>

#include "truce/extract.h"

/* The claims of one article in the scoring format (plus evidence, offsets,
 * conflict, confidence), "incident": null. */
json_t *truce_json_claims(const truce_claims *claims);

#endif
