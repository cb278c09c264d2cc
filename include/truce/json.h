/*
 * json.h - JSON renderings of truce records, for the tools' --json output
 * and the scoring format of ANNOTATION.md. Every function returns a new
 * jansson reference (never NULL for non-NULL input).
 */
#ifndef TRUCE_JSON_H
#define TRUCE_JSON_H

#include <jansson.h>

#include "truce/extract.h"
#include "truce/wire.h"

/* The claims of one article in the scoring format (plus evidence, offsets,
 * conflict, confidence), "incident": null. */
json_t *truce_json_claims(const truce_claims *claims);

json_t *truce_json_claim(const Truce__V1__Claim *c);
json_t *truce_json_incident(const Truce__V1__Incident *inc);
/* {"id", "conflict", "key", "date_first", "date_last", "parties", "places",
 * "sources" (the first few), "claim_count", "source_count", "article_count",
 * "place_count", "killed", "wounded"} */
json_t *truce_json_incident_summary(const Truce__V1__IncidentSummary *s);
/* {"seq", "type", "topic", "time", "claim", "incident"}: "incident" is the
 * summary (incident.* events; null for claim events). */
json_t *truce_json_event(const Truce__V1__Event *ev);
/* A stored article: seq, received (RFC 3339), received_us, collector_id,
 * peer_key, content_key, prev_hash, hash, hash_alg ("sha256" or
 * "blake2b-256") and the article's fields. */
json_t *truce_json_stored_article(const Truce__V1__StoredArticle *sa,
                                  const Truce__V1__ArticleRecord *rec);
/* The article alone, in the corpus format of ANNOTATION.md. */
json_t *truce_json_article(const Truce__V1__Article *a);
/* A daemon's Stats: counts, last seqs, uptime_s, db_size, chain_head (hex),
 * extractor; disk_avail and disk_size; disk_warning when the disk is under
 * truced's disk-warn; dbs: each named database's name, entries, pages,
 * bytes and depth. */
json_t *truce_json_stats(const Truce__V1__Stats *s);
/* The sentence of a disk under truced's disk-warn into buf, "" when not. */
void truce_stats_disk_warning(const Truce__V1__Stats *s, char *buf, size_t len);

#endif
