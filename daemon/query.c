/*
 * query.c - the query socket (ROUTER): catch-up and audit reads.
 *
 * A client (REQ or DEALER) sends one QueryRequest and gets one QueryReply.
 * Long results come in bounded chunks: a reply holds at most QUERY_MAX_ITEMS
 * records or about QUERY_MAX_BYTES, with more = true; the client asks again
 * from where the chunk ended. Every read is its own LMDB read transaction,
 * so queries never block ingest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "truce/date.h"
#include "truce/records.h"
#include "truced.h"

#define QUERY_MAX_ITEMS 1000
#define QUERY_MAX_BYTES (4u << 20)
#define QUERY_MAX_ENVELOPE 8 /* routing frames we echo back */
#define QUERY_MAX_REQUEST 4096

typedef struct query_ctx {
	truce_store *st;
	int64_t started_us;
	const char *version;
	truced_metrics *m; /* counts requests, answers METRICS; may be NULL */
	unsigned disk_warn_pct;
} query_ctx;

/* Collects unpacked messages of one db for a reply chunk. */
typedef struct chunk {
	ProtobufCMessage **v;
	size_t n;
	size_t limit;
	size_t bytes;
	int more;
	int corrupt;
	int64_t since_us; /* articles only: receipt time filter */
	int64_t until_us;
} chunk;

static int article_in_time(const chunk *ch, truce_bytes val)
{
	if (ch->since_us == 0 && ch->until_us == 0)
		return 1;
	int64_t us;
	return truce_stored_received_us(val, &us) == 0 &&
	       (ch->since_us == 0 || us >= ch->since_us) &&
	       (ch->until_us == 0 || us <= ch->until_us);
}

/* A StoredArticle, read as it is stored. */
static int chunk_add_article(void *vctx, uint64_t seq, truce_bytes val)
{
	chunk *ch = vctx;
	(void)seq;
	if (ch->n >= ch->limit) {
		ch->more = 1;
		return 1;
	}
	/* Filter before the byte budget: a skipped record costs nothing. */
	if (!article_in_time(ch, val))
		return 0;
	/* A chunk holds at least one record however big: a client pages on
	 * from the end of the chunk, so an empty chunk with more = true (one
	 * article over the budget) would have it ask the same thing forever. */
	if (ch->n > 0 && ch->bytes + val.len > QUERY_MAX_BYTES) {
		ch->more = 1;
		return 1;
	}
	ProtobufCMessage *m = protobuf_c_message_unpack(&truce__v1__stored_article__descriptor,
	                                                NULL, val.len, val.data);
	if (m == NULL) {
		ch->corrupt = 1;
		return 1;
	}
	ch->v[ch->n++] = m;
	ch->bytes += val.len;
	return 0;
}

/* A claim, incident or event as clients see it (records.h). */
static int chunk_take(void *vctx, uint64_t key, ProtobufCMessage *m)
{
	chunk *ch = vctx;
	(void)key;
	if (m == NULL) {
		ch->corrupt = 1;
		return 1;
	}
	size_t len = ch->n < ch->limit ? protobuf_c_message_get_packed_size(m) : 0;
	if (ch->n >= ch->limit || (ch->n > 0 && ch->bytes + len > QUERY_MAX_BYTES)) {
		protobuf_c_message_free_unpacked(m, NULL);
		ch->more = 1;
		return 1;
	}
	ch->v[ch->n++] = m;
	ch->bytes += len;
	return 0;
}

static void chunk_free(chunk *ch)
{
	for (size_t i = 0; i < ch->n; i++)
		protobuf_c_message_free_unpacked(ch->v[i], NULL);
	free(ch->v);
}

static int read_chunk(truce_txn *t, enum truce_db db, uint64_t from, uint64_t to, uint64_t limit,
                      chunk *ch)
{
	ch->limit = limit == 0 || limit > QUERY_MAX_ITEMS ? QUERY_MAX_ITEMS : (size_t)limit;
	ch->v = calloc(ch->limit, sizeof(*ch->v));
	if (ch->v == NULL)
		return TRUCE_ENOMEM;
	if (from > to)
		return 0;
	int rc = db == TRUCE_DB_ARTICLES ? truce_txn_scan(t, db, from, to, chunk_add_article, ch)
	                                 : truce_txn_record_scan(t, db, from, to, chunk_take, ch);
	if (rc < 0)
		return rc;
	return ch->corrupt ? TRUCE_ECORRUPT : 0;
}

static void reply_error(Truce__V1__QueryReply *r, char *buf, size_t len, const char *msg)
{
	snprintf(buf, len, "%s", msg);
	r->has_ok = 1;
	r->ok = 0;
	r->error = buf;
}

/* What a reply points into until it is packed. */
typedef struct reply_parts {
	chunk ch;
	Truce__V1__Stats stats;
	uint8_t head[TRUCE_HASH_LEN];
	Truce__V1__DbStat dbs[TRUCE_DB_COUNT];
	Truce__V1__DbStat *db_ptrs[TRUCE_DB_COUNT];
	Truce__V1__Metrics metrics;
	truced_metrics_scratch *scratch;
} reply_parts;

/* Each named db's size, and the disk under the store. */
static int serve_sizes(truce_txn *t, query_ctx *q, reply_parts *p)
{
	Truce__V1__Stats *s = &p->stats;
	for (int i = 0; i < TRUCE_DB_COUNT; i++) {
		truce_db_stat ds;
		int rc = truce_txn_db_stat(t, (enum truce_db)i, &ds);
		if (rc != 0)
			return rc;
		Truce__V1__DbStat *d = &p->dbs[i];
		truce__v1__db_stat__init(d);
		d->name = (char *)truce_store_db_name((enum truce_db)i);
		d->has_entries = d->has_pages = d->has_bytes = d->has_depth = 1;
		d->entries = ds.entries;
		d->pages = ds.pages;
		d->bytes = ds.bytes;
		d->depth = (uint32_t)ds.depth;
		p->db_ptrs[i] = d;
	}
	s->dbs = p->db_ptrs;
	s->n_dbs = TRUCE_DB_COUNT;
	if (truce_store_disk(q->st, &s->disk_avail, &s->disk_size) == 0)
		s->has_disk_avail = s->has_disk_size = 1;
	s->has_disk_warn_pct = 1;
	s->disk_warn_pct = q->disk_warn_pct;
	return 0;
}

static int serve_stats(truce_txn *t, query_ctx *q, reply_parts *p)
{
	Truce__V1__Stats *s = &p->stats;
	uint64_t head_seq;
	int rc = truce_txn_count(t, TRUCE_DB_ARTICLES, &s->articles);
	if (rc == 0)
		rc = truce_txn_count(t, TRUCE_DB_CLAIMS, &s->claims);
	if (rc == 0)
		rc = truce_txn_count(t, TRUCE_DB_INCIDENTS, &s->incidents);
	if (rc == 0)
		rc = truce_txn_count(t, TRUCE_DB_EVENTS, &s->events);
	if (rc == 0)
		rc = truce_txn_count(t, TRUCE_DB_QUARANTINE, &s->quarantined);
	if (rc == 0)
		rc = truce_txn_last(t, TRUCE_DB_ARTICLES, &s->last_article_seq);
	if (rc == 0)
		rc = truce_txn_last(t, TRUCE_DB_EVENTS, &s->last_event_seq);
	if (rc == 0)
		rc = truce_txn_chain_head(t, p->head, &head_seq);
	if (rc == 0)
		rc = truce_store_used(q->st, &s->db_size);
	if (rc == 0)
		rc = truce_txn_chain_blake2b_from(t, &s->chain_blake2b_from);
	s->has_chain_blake2b_from = s->chain_blake2b_from != TRUCE_SEQ_MAX;
	if (rc == 0)
		rc = truce_txn_chain_frame_from(t, &s->chain_frame_from);
	s->has_chain_frame_from = s->chain_frame_from != TRUCE_SEQ_MAX;
	s->has_schema = 1;
	s->schema = (uint32_t)truce_store_schema(q->st);
	if (rc == 0)
		rc = serve_sizes(t, q, p);
	s->has_articles = s->has_claims = s->has_incidents = s->has_events = 1;
	s->has_quarantined = s->has_last_article_seq = s->has_last_event_seq = 1;
	s->has_uptime_us = s->has_db_size = s->has_chain_head = 1;
	s->uptime_us = truce_now_us() - q->started_us;
	s->chain_head.data = p->head;
	s->chain_head.len = TRUCE_HASH_LEN;
	s->extractor_version = (char *)q->version;
	return rc;
}

/* The inclusive seq range a request asks for, clamped to u64. */
static void request_range(const Truce__V1__QueryRequest *rq, uint64_t *from, uint64_t *to)
{
	*from = rq->has_from_seq && rq->from_seq > 0 ? rq->from_seq : 1;
	*to = rq->has_to_seq ? rq->to_seq : TRUCE_SEQ_MAX;
}

/* METRICS: the store's stats and truced's own counters. */
static int serve_metrics(truce_txn *t, query_ctx *q, Truce__V1__QueryReply *r, reply_parts *p)
{
	int rc = serve_stats(t, q, p);
	if (rc != 0)
		return rc;
	r->stats = &p->stats;
	if (q->m == NULL)
		return 0;
	rc = truced_metrics_fill(q->m, truce_store_map_size(q->st), &p->metrics, &p->scratch);
	if (rc == 0)
		r->metrics = &p->metrics;
	return rc;
}

/* Fills r from t for rq; the parts must outlive the packing. */
static int serve(truce_txn *t, query_ctx *q, const Truce__V1__QueryRequest *rq,
                 Truce__V1__QueryReply *r, reply_parts *p)
{
	uint64_t from, to;
	enum truce_db db;
	chunk *ch = &p->ch;
	request_range(rq, &from, &to);
	switch (rq->kind) {
	case TRUCE__V1__QUERY_REQUEST__KIND__STATS:
		r->stats = &p->stats;
		return serve_stats(t, q, p);
	case TRUCE__V1__QUERY_REQUEST__KIND__METRICS: return serve_metrics(t, q, r, p);
	case TRUCE__V1__QUERY_REQUEST__KIND__INCIDENT:
		from = to = rq->id;
		db = TRUCE_DB_INCIDENTS;
		break;
	case TRUCE__V1__QUERY_REQUEST__KIND__EVENTS_AFTER:
		if (rq->after == TRUCE_SEQ_MAX)
			from = 1, to = 0; /* nothing can follow the last seq */
		else
			from = rq->after + 1, to = TRUCE_SEQ_MAX;
		db = TRUCE_DB_EVENTS;
		break;
	case TRUCE__V1__QUERY_REQUEST__KIND__ARTICLES:
		ch->since_us = rq->has_since_us ? rq->since_us : 0;
		ch->until_us = rq->has_until_us ? rq->until_us : 0;
		db = TRUCE_DB_ARTICLES;
		break;
	case TRUCE__V1__QUERY_REQUEST__KIND__CLAIMS: db = TRUCE_DB_CLAIMS; break;
	case TRUCE__V1__QUERY_REQUEST__KIND__INCIDENTS: db = TRUCE_DB_INCIDENTS; break;
	default: return TRUCE_EINVAL;
	}
	int rc = read_chunk(t, db, from, to, rq->limit, ch);
	if (rc != 0)
		return rc;
	r->has_more = 1;
	r->more = ch->more;
	if (rq->kind == TRUCE__V1__QUERY_REQUEST__KIND__INCIDENT) {
		if (ch->n == 0)
			return TRUCE_ENOTFOUND;
		r->incident = (Truce__V1__Incident *)ch->v[0];
	} else if (db == TRUCE_DB_EVENTS) {
		r->events = (Truce__V1__Event **)ch->v, r->n_events = ch->n;
	} else if (db == TRUCE_DB_ARTICLES) {
		r->articles = (Truce__V1__StoredArticle **)ch->v, r->n_articles = ch->n;
	} else if (db == TRUCE_DB_CLAIMS) {
		r->claims = (Truce__V1__Claim **)ch->v, r->n_claims = ch->n;
	} else {
		r->incidents = (Truce__V1__Incident **)ch->v, r->n_incidents = ch->n;
	}
	return 0;
}

static int answer(query_ctx *q, const uint8_t *req, size_t len, uint8_t **out, size_t *out_len)
{
	Truce__V1__QueryReply r = TRUCE__V1__QUERY_REPLY__INIT;
	/* Outlives serve(): the reply points into it until packed. */
	reply_parts p = {.stats = TRUCE__V1__STATS__INIT};
	char err[TRUCE_REASON_MAX];
	Truce__V1__QueryRequest *rq =
	    len <= QUERY_MAX_REQUEST ? truce__v1__query_request__unpack(NULL, len, req) : NULL;
	truced_metrics_query(q->m, rq != NULL ? (int)rq->kind : -1);
	if (rq == NULL) {
		reply_error(&r, err, sizeof(err), "not a truce.v1.QueryRequest");
	} else {
		truce_txn *t = NULL;
		int rc = truce_txn_begin(q->st, 0, &t);
		if (rc == 0)
			rc = serve(t, q, rq, &r, &p);
		if (rc != 0) /* an error reply carries no half-filled stats or chunk */
			r = (Truce__V1__QueryReply)TRUCE__V1__QUERY_REPLY__INIT;
		if (rc == TRUCE_ENOTFOUND)
			snprintf(err, sizeof(err), "no incident %llu", (unsigned long long)rq->id);
		else if (rc == TRUCE_EINVAL)
			snprintf(err, sizeof(err), "unknown query kind %d", (int)rq->kind);
		else if (rc != 0)
			snprintf(err, sizeof(err), "%s", truce_strerror(rc));
		r.has_ok = 1;
		r.ok = rc == 0;
		r.error = rc == 0 ? NULL : err;
		int prc = truce_wire_pack(&r.base, out, out_len);
		if (t != NULL)
			truce_txn_abort(t); /* a read transaction just ends */
		chunk_free(&p.ch);
		truced_metrics_scratch_free(p.scratch);
		truce__v1__query_request__free_unpacked(rq, NULL);
		return prc;
	}
	return truce_wire_pack(&r.base, out, out_len);
}

int truced_query_answer(truce_store *st, int64_t started_us, const char *extractor_version,
                        truced_metrics *m, unsigned disk_warn_pct, const uint8_t *req, size_t len,
                        uint8_t **out, size_t *out_len)
{
	query_ctx q = {.st = st,
	               .started_us = started_us,
	               .version = extractor_version,
	               .m = m,
	               .disk_warn_pct = disk_warn_pct};
	return answer(&q, req, len, out, out_len);
}

/* Receives one request with its routing envelope; 1 when one was read. */
static int recv_request(void *sock, zmq_msg_t *env, int *n_env, zmq_msg_t *body)
{
	zmq_msg_t f;
	int more = 1, n = 0, have_body = 0;
	while (more) {
		zmq_msg_init(&f);
		if (zmq_msg_recv(&f, sock, n == 0 && !have_body ? ZMQ_DONTWAIT : 0) < 0) {
			zmq_msg_close(&f);
			break;
		}
		more = zmq_msg_more(&f);
		if (!more) {
			*body = f;
			have_body = 1;
		} else if (n < QUERY_MAX_ENVELOPE) {
			env[n++] = f;
		} else {
			zmq_msg_close(&f);
		}
	}
	*n_env = n;
	if (!have_body) {
		for (int i = 0; i < n; i++)
			zmq_msg_close(&env[i]);
		return 0;
	}
	return 1;
}

void truced_query_serve(void *sock, truce_store *st, int64_t started_us,
                        const char *extractor_version, truced_metrics *m, unsigned disk_warn_pct,
                        int max, const truced_log *lg)
{
	query_ctx q = {.st = st,
	               .started_us = started_us,
	               .version = extractor_version,
	               .m = m,
	               .disk_warn_pct = disk_warn_pct};
	for (int i = 0; i < max; i++) {
		zmq_msg_t env[QUERY_MAX_ENVELOPE], body;
		int n_env;
		if (!recv_request(sock, env, &n_env, &body))
			return;
		uint8_t *out = NULL;
		size_t out_len = 0;
		int rc = n_env >= 1
		             ? answer(&q, zmq_msg_data(&body), zmq_msg_size(&body), &out, &out_len)
		             : TRUCE_EINVAL;
		for (int k = 0; k < n_env; k++) {
			if (rc == 0)
				zmq_msg_send(&env[k], sock, ZMQ_SNDMORE | ZMQ_DONTWAIT);
			zmq_msg_close(&env[k]);
		}
		if (rc == 0 && zmq_send(sock, out, out_len, ZMQ_DONTWAIT) < 0)
			TRUCED_LOGF(lg, TRUCED_LOG_DEBUG, "query", "reply not sent: %s",
			            zmq_strerror(errno));
		if (rc != 0)
			TRUCED_LOGF(lg, TRUCED_LOG_WARN, "query", "request dropped: %s",
			            truce_strerror(rc));
		free(out);
		zmq_msg_close(&body);
	}
}
