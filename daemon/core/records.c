/*
 * records.c - events at rest and the decoded reads of claims, incidents and
 * events (see truce/records.h).
 *
 * An event is published with its claim, its topic and its article's seq;
 * the store keeps it without them (the claim is in the claims db already,
 * the rest follows from the claim) and puts them back on reading, so what
 * the query socket returns packs to the bytes that were published: the
 * same fields with the same values, packed by protobuf-c in field order.
 * Events of a schema 1 store were stored whole and are read as they are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "truce/records.h"
#include "truce/wire.h"

int truce__txn_put_msg(truce_txn *t, enum truce_db db, uint64_t key, const ProtobufCMessage *m,
                       int append)
{
	uint8_t *buf;
	int rc = truce_txn_reserve(t, db, key, protobuf_c_message_get_packed_size(m), append, &buf);
	if (rc == 0)
		protobuf_c_message_pack(m, buf);
	return rc;
}

/* --- events ---------------------------------------------------------------- */

/* Appends s (and a dot unless last) at *n, within len; cuts at len - 1. */
static void topic_part(char *buf, size_t len, size_t *n, const char *s, int last)
{
	for (; *s != '\0' && *n + 1 < len; s++)
		buf[(*n)++] = *s;
	if (!last && *n + 1 < len)
		buf[(*n)++] = '.';
	buf[*n] = '\0';
}

void truce_event_topic(Truce__V1__EventType type, const Truce__V1__Claim *c, char *buf, size_t len)
{
	const char *conflict =
	    c->conflict != NULL && c->conflict[0] != '\0' ? c->conflict : "unknown";
	int incident = type == TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_NEW ||
	               type == TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_UPDATE;
	size_t n = 0;
	if (len == 0)
		return;
	/* "name.conflict" or "name.conflict.ACCUSED", built without printf:
	 * truced makes two per claim. */
	topic_part(buf, len, &n, truce_event_type_name(type), 0);
	topic_part(buf, len, &n, conflict, incident);
	if (!incident)
		topic_part(buf, len, &n, c->accused != NULL ? c->accused : "none", 1);
}

int truce_txn_event_append(truce_txn *t, const Truce__V1__EventWire *ev)
{
	if (!ev->has_claim_id)
		return TRUCE_EINVAL;
	Truce__V1__EventWire at_rest = *ev;
	at_rest.has_claim = 0;
	at_rest.topic = NULL;
	at_rest.has_article_seq = 0;
	return truce__txn_put_msg(t, TRUCE_DB_EVENTS, ev->seq, &at_rest.base, 1);
}

int truce_txn_event_expand(truce_txn *t, Truce__V1__Event *ev)
{
	if (ev->claim != NULL || !ev->has_claim_id)
		return 0; /* stored whole */
	truce_bytes v;
	int rc = truce_txn_get(t, TRUCE_DB_CLAIMS, ev->claim_id, &v);
	if (rc != 0)
		return rc == TRUCE_ENOTFOUND ? TRUCE_ECORRUPT : rc;
	Truce__V1__Claim *c = truce__v1__claim__unpack(NULL, v.len, v.data);
	if (c == NULL)
		return TRUCE_ECORRUPT;
	char topic[160];
	truce_event_topic(ev->type, c, topic, sizeof(topic));
	free(ev->topic); /* protobuf-c's default allocator is malloc's */
	ev->topic = strdup(topic);
	ev->claim = c; /* freed with the event */
	ev->has_article_seq = 1;
	ev->article_seq = c->article_seq;
	return ev->topic != NULL ? 0 : TRUCE_ENOMEM;
}

/* --- decoded reads --------------------------------------------------------- */

typedef struct record_scan {
	truce_txn *t;
	enum truce_db db;
	truce_record_fn fn;
	void *ctx;
	int failed; /* the scan's own error, not fn's */
} record_scan;

static int scan_claim_or_event(void *vctx, uint64_t key, truce_bytes val)
{
	record_scan *rs = vctx;
	const ProtobufCMessageDescriptor *d = rs->db == TRUCE_DB_EVENTS
	                                          ? &truce__v1__event__descriptor
	                                          : &truce__v1__claim__descriptor;
	ProtobufCMessage *m = protobuf_c_message_unpack(d, NULL, val.len, val.data);
	if (m != NULL && rs->db == TRUCE_DB_EVENTS) {
		int rc = truce_txn_event_expand(rs->t, (Truce__V1__Event *)m);
		if (rc == TRUCE_ECORRUPT) { /* its claim is gone: undecodable */
			protobuf_c_message_free_unpacked(m, NULL);
			m = NULL;
		} else if (rc != 0) {
			protobuf_c_message_free_unpacked(m, NULL);
			rs->failed = rc;
			return 1;
		}
	}
	return rs->fn(rs->ctx, key, m);
}

static int scan_incident(void *vctx, uint64_t key, truce_bytes val)
{
	record_scan *rs = vctx;
	(void)val;
	Truce__V1__Incident *inc = NULL;
	int rc = truce_txn_incident_get(rs->t, key, &inc);
	if (rc != 0 && rc != TRUCE_ECORRUPT) {
		rs->failed = rc;
		return 1;
	}
	return rs->fn(rs->ctx, key, inc != NULL ? &inc->base : NULL);
}

int truce_txn_record_scan(truce_txn *t, enum truce_db db, uint64_t from, uint64_t to,
                          truce_record_fn fn, void *ctx)
{
	if (db != TRUCE_DB_CLAIMS && db != TRUCE_DB_INCIDENTS && db != TRUCE_DB_EVENTS)
		return TRUCE_EINVAL;
	record_scan rs = {.t = t, .db = db, .fn = fn, .ctx = ctx};
	int rc = truce_txn_scan(
	    t, db, from, to, db == TRUCE_DB_INCIDENTS ? scan_incident : scan_claim_or_event, &rs);
	return rs.failed != 0 ? rs.failed : rc;
}
