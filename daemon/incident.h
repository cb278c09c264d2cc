/*
 * incident.h - grouping claims from many outlets into incidents.
 */
#ifndef TRUCED_INCIDENT_H
#define TRUCED_INCIDENT_H

#include "truce/store.h"
#include "truce/wire.h"

/* Receives each event the assignment produces (claim.new, claim.corroborated,
 * incident.new, incident.update) with its claim, and for incident.* events
 * the incident's summary, both as packed bytes; sets its seq and time,
 * stores and queues it. */
typedef int (*truced_event_fn)(void *ctx, Truce__V1__EventWire *ev);

#define TRUCED_ARTICLE_INCIDENTS 64

/* The incidents the claims of one article joined so far: the caller zeroes
 * it before the article's first claim and hands it to each. */
typedef struct truced_article_incidents {
	uint64_t ids[TRUCED_ARTICLE_INCIDENTS];
	size_t n;
} truced_article_incidents;

/*
 * The incident summaries one write transaction has decoded, by id: a claim
 * compares the incidents near its day, and the claims of a batch mostly
 * go to a few incidents, so each is decoded once a transaction instead of
 * once a candidate. An entry is the incident as stored (assignment updates
 * both together). It holds only for the transaction it was filled in:
 * zero it before the first claim of a transaction, and
 * truced_incident_cache_clear it when the transaction ends (committed or
 * aborted). Only truced_incident_assign may write incidents meanwhile.
 */
#define TRUCED_INCIDENT_CACHE 1024 /* slots, a power of two */

typedef struct truced_incident_cache {
	uint64_t ids[TRUCED_INCIDENT_CACHE]; /* 0: free (incident ids start at 1) */
	Truce__V1__IncidentSummary *sums[TRUCED_INCIDENT_CACHE];
	size_t n;
} truced_incident_cache;

void truced_incident_cache_clear(truced_incident_cache *cache);

/*
 * Attaches claim c (id and article_seq set) to the best-fitting incident of
 * its conflict, or opens a new one; stores the claim with its incident id,
 * updates the incident in place, and emits the events. Deterministic: the
 * same claims in the same order give the same incidents. The cost does not
 * depend on the incident's size.
 */
int truced_incident_assign(truce_txn *t, truced_incident_cache *cache,
                           truced_article_incidents *art, Truce__V1__Claim *c, int64_t now,
                           truced_event_fn emit, void *ctx);

#endif
