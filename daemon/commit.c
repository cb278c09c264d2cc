/*
 * commit.c - the durable heart of truced: one LMDB write transaction per
 * batch (group commit). In that transaction, for each item in arrival order:
 *
 *   rejected   -> quarantine entry (reason + the bytes as received)
 *   known key  -> DUPLICATE of the first article's seq, nothing else written
 *   new        -> article log entry (hash-chained), its claims, their
 *                 incidents and the events announcing them
 *
 * Everything a message causes commits atomically with it, so a crash at any
 * moment leaves either all of it or none: the collector, never acked, sends
 * again and gets STORED once, with claims and events derived once.
 */
#include <stdlib.h>
#include <string.h>

#include "truce/date.h"
#include "truce/records.h"
#include "truce/wire.h"
#include "incident.h"
#include "truced.h"

/* Rejected payloads are kept up to this size; the quarantine records the
 * original size too. Bounded so that abuse cannot fill the disk 1:1. */
#define TRUCED_QUARANTINE_KEEP (1u << 20)
#define TRUCED_COMMIT_TRIES 16

typedef struct commit_run {
	truce_txn *t;
	const char *version;
	truced_outbox *out;
	int64_t now;
	uint64_t last_event;
	uint64_t last_claim;
	uint64_t last_article;
	uint64_t last_quarantine;
	truced_counters delta;
	uint8_t *scratch; /* an article record's own fields, before its frame */
	size_t scratch_cap;
	truced_incident_cache incidents; /* this transaction's */
} commit_run;

/* Room for n more bytes at the end of the outbox's buffer. */
static int outbox_room(truced_outbox *o, size_t n)
{
	if (o->len + n <= o->buf_cap)
		return 0;
	size_t cap = o->buf_cap ? o->buf_cap : (size_t)64 << 10;
	while (cap < o->len + n)
		cap *= 2;
	uint8_t *b = realloc(o->buf, cap);
	if (b == NULL)
		return TRUCE_ENOMEM;
	o->buf = b;
	o->buf_cap = cap;
	return 0;
}

/* Queues ev for PUB: its topic and the Event packed as published. */
static int outbox_push(truced_outbox *o, const Truce__V1__EventWire *ev)
{
	if (truce_grow(&o->v, &o->cap, o->n, sizeof(*o->v), 64) != 0)
		return TRUCE_ENOMEM;
	size_t tl = strlen(ev->topic), dl = truce__v1__event_wire__get_packed_size(ev);
	if (outbox_room(o, tl + dl) != 0)
		return TRUCE_ENOMEM;
	truced_outbound *ob = &o->v[o->n++];
	ob->topic = o->len;
	ob->topic_len = tl;
	memcpy(o->buf + o->len, ev->topic, tl);
	o->len += tl;
	ob->data = o->len;
	ob->data_len = truce__v1__event_wire__pack(ev, o->buf + o->len);
	o->len += ob->data_len;
	return 0;
}

void truced_outbox_reset(truced_outbox *o)
{
	o->n = 0;
	o->len = 0;
}

void truced_outbox_free(truced_outbox *o)
{
	truced_outbox_reset(o);
	free(o->v);
	free(o->buf);
	memset(o, 0, sizeof(*o));
}

/* Stores an event under the next gap-free seq and queues it for PUB. */
static int commit_event(void *vrun, Truce__V1__EventWire *ev)
{
	commit_run *run = vrun;
	ev->has_seq = 1;
	ev->seq = ++run->last_event;
	ev->has_time_us = 1;
	ev->time_us = run->now;
	int rc = truce_txn_event_append(run->t, ev);
	if (rc == 0)
		rc = outbox_push(run->out, ev);
	run->delta.events++;
	if ((unsigned)ev->type < TRUCED_EVENT_TYPES)
		run->delta.events_by_type[ev->type]++;
	return rc;
}

static int commit_reject(commit_run *run, truced_item *it)
{
	Truce__V1__Quarantined q = TRUCE__V1__QUARANTINED__INIT;
	q.has_seq = q.has_received_us = q.has_msg_id = q.has_frames = 1;
	q.seq = ++run->last_quarantine;
	q.received_us = it->received_us;
	q.reason = it->reason;
	q.msg_id.data = it->msg_id;
	q.msg_id.len = it->msg_id_len;
	q.frames = it->frames;
	if (it->has_payload) {
		size_t n = zmq_msg_size(&it->payload);
		q.has_payload = q.has_payload_size = 1;
		q.payload.data = zmq_msg_data(&it->payload);
		q.payload.len = n < TRUCED_QUARANTINE_KEEP ? n : TRUCED_QUARANTINE_KEEP;
		q.payload_size = n;
	}
	if (it->peer_key[0] != '\0')
		q.peer_key = it->peer_key;
	uint8_t *buf;
	size_t len;
	int rc = truce_wire_pack(&q.base, &buf, &len);
	if (rc != 0)
		return rc;
	rc = truce_txn_append(run->t, TRUCE_DB_QUARANTINE, q.seq, buf, len);
	free(buf);
	it->status = TRUCE__V1__ACK_STATUS__ACK_REJECTED;
	it->quarantine_seq = q.seq;
	run->delta.rejected++;
	return rc;
}

static void claim_from_extract(Truce__V1__Claim *c, const truce_claim *x)
{
	c->claimant = (char *)x->claimant;
	c->accused = x->accused[0] != '\0' ? (char *)x->accused : NULL;
	c->event_date = x->event_date[0] != '\0' ? (char *)x->event_date : NULL;
	c->location = x->location[0] != '\0' ? (char *)x->location : NULL;
	c->conflict = x->conflict[0] != '\0' ? (char *)x->conflict : NULL;
	c->has_killed = x->killed >= 0;
	c->killed = x->killed;
	c->has_wounded = x->wounded >= 0;
	c->wounded = x->wounded;
	c->evidence = x->evidence;
	c->has_evidence_start = c->has_evidence_end = 1;
	c->evidence_start = (uint32_t)x->evidence_start;
	c->evidence_end = (uint32_t)x->evidence_end;
	c->has_confidence = 1;
	c->confidence = x->confidence;
}

static int commit_claim(commit_run *run, const truced_item *it, truced_article_incidents *art,
                        const truce_claim *x)
{
	const Truce__V1__Article *a = it->article;
	Truce__V1__Claim c = TRUCE__V1__CLAIM__INIT;
	claim_from_extract(&c, x);
	c.has_id = c.has_article_seq = 1;
	c.id = ++run->last_claim;
	c.article_seq = it->article_seq;
	c.article_id = a->id;
	c.source = a->source;
	c.published = a->published;
	c.extractor_version = (char *)run->version;
	/* Incident assignment stores the claim (with its incident id) and
	 * emits the claim and incident events. */
	int rc =
	    truced_incident_assign(run->t, &run->incidents, art, &c, run->now, commit_event, run);
	run->delta.claims++;
	return rc;
}

#define RECORD_ARTICLE_TAG 0x2a /* ArticleRecord field 5, length-delimited */

/*
 * The ArticleRecord of a new article is built around the Article frame
 * exactly as the collector sent it: fields 1-4 and 6 packed by protobuf-c
 * into the run's scratch, then field 5's tag and length, then the frame's
 * bytes (protobuf reads fields in any order). The store lays the two parts
 * end to end straight into the record's place: nothing of the article is
 * decoded and encoded again, or copied but once, on its way to disk.
 */
static int record_head(commit_run *run, const truced_item *it, uint64_t seq, size_t frame,
                       size_t *len)
{
	Truce__V1__ArticleRecord rec = TRUCE__V1__ARTICLE_RECORD__INIT;
	rec.has_seq = rec.has_received_us = rec.has_content_key = 1;
	rec.seq = seq;
	rec.received_us = it->received_us;
	rec.collector_id = it->article->collector_id;
	rec.content_key.data = (uint8_t *)it->key;
	rec.content_key.len = TRUCE_HASH_LEN;
	rec.peer_key = it->peer_key[0] != '\0' ? (char *)it->peer_key : NULL;
	size_t need = truce__v1__article_record__get_packed_size(&rec) + 1 + 10;
	if (need > run->scratch_cap) {
		uint8_t *b = realloc(run->scratch, need);
		if (b == NULL)
			return TRUCE_ENOMEM;
		run->scratch = b;
		run->scratch_cap = need;
	}
	uint8_t *p = run->scratch;
	size_t n = truce__v1__article_record__pack(&rec, p);
	p[n++] = RECORD_ARTICLE_TAG;
	n += truce_pb_put_varint(p + n, frame);
	*len = n;
	return 0;
}

static int commit_article(commit_run *run, truced_item *it)
{
	uint64_t seq = run->last_article + 1, existing = 0;
	zmq_msg_t *payload = &it->payload;
	truce_bytes parts[2] = {{NULL, 0}, {zmq_msg_data(payload), zmq_msg_size(payload)}};
	int rc = record_head(run, it, seq, parts[1].len, &parts[0].len);
	parts[0].data = run->scratch;
	if (rc == 0)
		rc = truce_txn_article_append_parts(run->t, seq, it->key, parts, 2,
		                                    it->frame_digest, NULL, &existing);
	if (rc == TRUCE_EEXIST) {
		it->status = TRUCE__V1__ACK_STATUS__ACK_DUPLICATE;
		it->article_seq = existing;
		run->delta.duplicates++;
		return 0;
	}
	if (rc != 0)
		return rc;
	run->last_article = seq;
	it->status = TRUCE__V1__ACK_STATUS__ACK_STORED;
	it->article_seq = seq;
	run->delta.stored++;
	truced_article_incidents art = {.n = 0};
	for (size_t i = 0; rc == 0 && i < it->claims.n; i++)
		rc = commit_claim(run, it, &art, &it->claims.v[i]);
	return rc;
}

static int run_init(commit_run *run, truce_txn *t)
{
	int rc = truce_txn_last(t, TRUCE_DB_EVENTS, &run->last_event);
	if (rc == 0)
		rc = truce_txn_last(t, TRUCE_DB_CLAIMS, &run->last_claim);
	if (rc == 0)
		rc = truce_txn_last(t, TRUCE_DB_ARTICLES, &run->last_article);
	if (rc == 0)
		rc = truce_txn_last(t, TRUCE_DB_QUARANTINE, &run->last_quarantine);
	return rc;
}

static int commit_once(truce_store *st, const char *version, truced_batch *b, truced_outbox *out,
                       truced_counters *delta)
{
	commit_run run = {.version = version, .out = out, .now = truce_now_us()};
	int rc = truce_txn_begin(st, 1, &run.t);
	if (rc != 0)
		return rc;
	rc = run_init(&run, run.t);
	for (size_t i = 0; rc == 0 && i < b->n; i++) {
		truced_item *it = &b->items[i];
		rc = it->rejected ? commit_reject(&run, it) : commit_article(&run, it);
	}
	free(run.scratch);
	truced_incident_cache_clear(&run.incidents);
	if (rc != 0) {
		truce_txn_abort(run.t);
		return rc;
	}
	rc = truce_txn_commit(run.t);
	if (rc == 0)
		*delta = run.delta;
	return rc;
}

static void counters_add(truced_counters *c, const truced_counters *d)
{
	c->stored += d->stored;
	c->duplicates += d->duplicates;
	c->rejected += d->rejected;
	c->claims += d->claims;
	c->events += d->events;
	for (int i = 0; i < TRUCED_EVENT_TYPES; i++)
		c->events_by_type[i] += d->events_by_type[i];
	c->batches++;
}

int truced_commit_batch(truce_store *st, const char *extractor_version, truced_batch *b,
                        truced_outbox *out, truced_counters *cnt, const truced_log *lg)
{
	int rc = TRUCE_EFULL;
	for (int tries = 0; rc == TRUCE_EFULL && tries < TRUCED_COMMIT_TRIES; tries++) {
		truced_counters delta = {0};
		truced_outbox_reset(out);
		rc = commit_once(st, extractor_version, b, out, &delta);
		if (rc == 0) {
			counters_add(cnt, &delta);
			break;
		}
		if (rc != TRUCE_EFULL)
			break;
		int grc = truce_store_grow(st);
		if (grc != 0) {
			rc = grc;
			break;
		}
		cnt->grows++;
		TRUCED_LOGF(lg, TRUCED_LOG_INFO, "commit", "map full: grew the map to %zu MiB",
		            truce_store_map_size(st) >> 20);
	}
	if (rc != 0) {
		truced_outbox_reset(out);
		TRUCED_LOGF(lg, TRUCED_LOG_ERROR, "commit",
		            "batch of %zu not committed (%s): not acked, collectors will re-send",
		            b->n, truce_strerror(rc));
	}
	return rc;
}
