/*
 * incident.h - grouping claims from many outlets into incidents.
 */
#ifndef TRUCED_INCIDENT_H
#define TRUCED_INCIDENT_H

#include "truce/store.h"
#include "truce/wire.h"

/* Receives each event the assignment produces (claim.new, claim.corroborated,
 * incident.new, incident.update); stores and queues it. */
typedef int (*truced_event_fn)(void *ctx, Truce__V1__Event *ev);

/*
 * Attaches claim c (id and article_seq set) to the best-fitting incident of
 * its conflict, or opens a new one; stores the claim with its incident id
 * and the incident, and emits the events. Deterministic: the same claims in
 * the same order give the same incidents.
 */
int truced_incident_assign(truce_txn *t, Truce__V1__Claim *c, int64_t now, truced_event_fn emit,
                           void *ctx);

#endif
