/*
 * records.h - the stored records that mean more than their bytes:
 *
 *   incidents (incidents.c)  an incident is an aggregate (IncidentSummary)
 *                            plus member lists: its claims (incident_claims)
 *                            and the sources, places and claimant/accused
 *                            pairs it holds (incident_members). Adding a
 *                            claim updates them in place, so it costs the
 *                            same at 10 claims as at 10,000, and the whole
 *                            Incident is assembled when it is read.
 *   events (records.c)       stored without their claim, topic and
 *                            article_seq, which reading restores, so the
 *                            query socket returns an event byte for byte as
 *                            it was published and the store holds each
 *                            claim once.
 *   reads (records.c)        claims, incidents and events decoded as clients
 *                            see them, for the query socket and the record
 *                            source alike; either store schema.
 */
#ifndef TRUCE_RECORDS_H
#define TRUCE_RECORDS_H

#include "truce.pb-c.h"
#include "truce/store.h"

/* --- incidents ----------------------------------------------------------- */

#define TRUCE_SUMMARY_SHOWN 8 /* places and sources an IncidentSummary lists */

/* The name under which an incident lists a claim's outlet: its source, or
 * "article N" for an article without one (a report of its own, never merged
 * with other unattributed articles). Returns buf or c->source. */
const char *truce_claim_source_label(const Truce__V1__Claim *c, char *buf, size_t len);

/* The sets an incident keeps of its claims' names, each name with the claim
 * that brought it first. Sources and places compare as ASCII without case. */
enum truce_incident_set {
	TRUCE_ISET_SOURCE = 's',
	TRUCE_ISET_PLACE = 'p',
};

/* An incident's aggregate; TRUCE_ENOTFOUND when there is none. */
int truce_txn_incident_summary(truce_txn *t, uint64_t id, Truce__V1__IncidentSummary **out);
/* Stores it under its id (is_new: a new incident, appended). */
int truce_txn_incident_summary_put(truce_txn *t, const Truce__V1__IncidentSummary *s, int is_new);
/* The same for a summary already packed (bytes of an IncidentSummary). */
int truce_txn_incident_summary_put_packed(truce_txn *t, uint64_t id, const uint8_t *data,
                                          size_t len, int is_new);
/* Adds claim_id to the incident's claims. */
int truce_txn_incident_claim_add(truce_txn *t, uint64_t id, uint64_t claim_id);
/* Adds name to a set of the incident with the claim that brought it: 1 when
 * it is new, 0 when the set held it already. */
int truce_txn_incident_set_add(truce_txn *t, uint64_t id, enum truce_incident_set set,
                               const char *name, uint64_t claim_id);
/* 1 when the set holds name, else 0. */
int truce_txn_incident_set_has(truce_txn *t, uint64_t id, enum truce_incident_set set,
                               const char *name);
/* Records the claim's (claimant, accused) pair unless the incident holds it:
 * 1 when new; 0 when known, with *first_article = the seq of the article
 * that reported it first. */
int truce_txn_incident_pair_add(truce_txn *t, uint64_t id, const Truce__V1__Claim *c,
                                uint64_t *first_article);

/* The whole incident, assembled from its aggregate and its claims (or, in a
 * schema 1 store, as stored). TRUCE_ENOTFOUND when there is none. */
int truce_txn_incident_get(truce_txn *t, uint64_t id, Truce__V1__Incident **out);
/* The summary of a whole incident, as its aggregate would be. */
int truce_incident_summarize(const Truce__V1__Incident *inc, Truce__V1__IncidentSummary **out);
/* Rewrites one incident of a schema 1 store (its whole record) as an
 * aggregate with member lists (truce upgrade). */
int truce_txn_incident_upgrade(truce_txn *t, const Truce__V1__Incident *inc);

/* --- events -------------------------------------------------------------- */

/* The topic of an event about claim c: "claim.new.<conflict>.<ACCUSED>",
 * "incident.update.<conflict>". */
void truce_event_topic(Truce__V1__EventType type, const Truce__V1__Claim *c, char *buf, size_t len);
/* Stores ev (seq and claim_id set) under its seq, without its claim, topic
 * and article_seq. */
int truce_txn_event_append(truce_txn *t, const Truce__V1__EventWire *ev);
/* Restores what a stored event left out, from the claims db; an event
 * stored whole (schema 1) stays as it is. */
int truce_txn_event_expand(truce_txn *t, Truce__V1__Event *ev);

/* --- decoded reads --------------------------------------------------------- */

/* Receives each record (owned by fn: free with protobuf_c_message_free_unpacked),
 * or m = NULL for one that does not decode; non-zero stops the scan. */
typedef int (*truce_record_fn)(void *ctx, uint64_t key, ProtobufCMessage *m);
/* Claims, incidents (whole) or events (as published) with from <= key <= to,
 * in key order. The scan's own errors are negative; fn's return is passed on. */
int truce_txn_record_scan(truce_txn *t, enum truce_db db, uint64_t from, uint64_t to,
                          truce_record_fn fn, void *ctx);

/* Internal to the core: packs m and stores it under key (append: past the
 * last key). */
int truce__txn_put_msg(truce_txn *t, enum truce_db db, uint64_t key, const ProtobufCMessage *m,
                       int append);

#endif
