/*
 * source.c - the stored log as the tools read it (see truce/client.h): from
 * a data directory opened read-only, or from a running daemon's query
 * socket, in bounded chunks either way; whole-db scans of claims,
 * incidents and events; cursors over the claims and events of each
 * article. `truce replay` and `truce export` read through it.
 *
 * Local reads copy each chunk out of its read transaction and end the
 * transaction before the callbacks run: a paced publish may take hours, and
 * an LMDB snapshot held that long keeps the daemon from reusing pages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"
#include "truce/records.h"

#define CHUNK_MAX_ITEMS 256
#define CHUNK_MAX_BYTES (4u << 20)
#define CHUNK_MAX_SCANNED 20000 /* time-filtered entries looked at per txn */
#define CURSOR_CHUNK 1000

struct truce_source {
	truce_store *st;   /* local */
	truce_qclient *qc; /* remote */
	truce_note_fn note;
	void *note_ctx;
};

int truce_source_open(const truce_source_opts *o, truce_source **out, char *err, size_t errlen)
{
	if (o->data == NULL && o->connect == NULL) {
		truce__errf(err, errlen, "no data directory and no query endpoint given");
		return TRUCE_EINVAL;
	}
	truce_source *src = calloc(1, sizeof(*src));
	if (src == NULL)
		return TRUCE_ENOMEM;
	src->note = o->note;
	src->note_ctx = o->note_ctx;
	int rc;
	if (o->data != NULL) {
		truce_store_opts so = {.read_only = 1};
		rc = truce_store_open(o->data, &so, &src->st, err, errlen);
	} else {
		rc = truce_qclient_open(o->connect, o->timeout_ms > 0 ? o->timeout_ms : 10000,
		                        o->keys, &src->qc);
		if (rc != 0)
			truce__errf(err, errlen, "cannot connect to %s", o->connect);
	}
	if (rc != 0) {
		free(src);
		return rc;
	}
	*out = src;
	return 0;
}

void truce_source_close(truce_source *src)
{
	if (src == NULL)
		return;
	if (src->st != NULL)
		truce_store_close(src->st);
	truce_qclient_close(src->qc);
	free(src);
}

int truce_source_remote(const truce_source *src)
{
	return src->qc != NULL;
}

truce_store *truce_source_store(truce_source *src)
{
	return src->st;
}

/* One request; a reply with ok = false becomes TRUCE_EIO with its error as
 * a note. */
static int remote_call(truce_source *src, const Truce__V1__QueryRequest *rq,
                       Truce__V1__QueryReply **out)
{
	Truce__V1__QueryReply *r;
	int rc = truce_qclient_call(src->qc, rq, &r);
	if (rc != 0) {
		/* A refused CURVE handshake looks like silence; say which. */
		const char *why = rc == TRUCE_ETIMEDOUT ? truce_qclient_failure(src->qc) : NULL;
		if (why != NULL)
			truce__note(src->note, src->note_ctx, "%s", why);
		return rc;
	}
	if (!r->ok) {
		truce__note(src->note, src->note_ctx, "query failed: %s",
		            r->error != NULL ? r->error : "no reason given");
		truce__v1__query_reply__free_unpacked(r, NULL);
		return TRUCE_EIO;
	}
	*out = r;
	return 0;
}

int truce_source_get_head(truce_source *src, truce_source_head *h)
{
	truce_source_head x;
	memset(&x, 0, sizeof(x));
	if (src->qc != NULL) {
		Truce__V1__QueryRequest rq = TRUCE__V1__QUERY_REQUEST__INIT;
		rq.has_kind = 1;
		rq.kind = TRUCE__V1__QUERY_REQUEST__KIND__STATS;
		Truce__V1__QueryReply *r;
		int rc = remote_call(src, &rq, &r);
		if (rc != 0)
			return rc;
		const Truce__V1__Stats *s = r->stats;
		if (s == NULL || (s->chain_head.len != 0 && s->chain_head.len != TRUCE_HASH_LEN))
			rc = TRUCE_EPROTO;
		else {
			x.last_seq = x.head_seq = s->last_article_seq;
			x.count = s->articles;
			if (s->chain_head.len == TRUCE_HASH_LEN)
				memcpy(x.hash, s->chain_head.data, TRUCE_HASH_LEN);
			/* Claim ids are dense from 1; a low guess only makes the
			 * cursor start earlier (see cursor_start). */
			x.last_claim = s->claims;
			x.last_event = s->last_event_seq;
			x.blake2b_from =
			    s->has_chain_blake2b_from ? s->chain_blake2b_from : TRUCE_SEQ_MAX;
			x.frame_from =
			    s->has_chain_frame_from ? s->chain_frame_from : TRUCE_SEQ_MAX;
		}
		truce__v1__query_reply__free_unpacked(r, NULL);
		if (rc == 0)
			*h = x;
		return rc;
	}
	truce_txn *t;
	int rc = truce_txn_begin(src->st, 0, &t);
	if (rc != 0)
		return rc;
	rc = truce_txn_last(t, TRUCE_DB_ARTICLES, &x.last_seq);
	if (rc == 0)
		rc = truce_txn_count(t, TRUCE_DB_ARTICLES, &x.count);
	if (rc == 0)
		rc = truce_txn_chain_head(t, x.hash, &x.head_seq);
	if (rc == 0)
		rc = truce_txn_last(t, TRUCE_DB_CLAIMS, &x.last_claim);
	if (rc == 0)
		rc = truce_txn_last(t, TRUCE_DB_EVENTS, &x.last_event);
	if (rc == 0)
		rc = truce_txn_chain_blake2b_from(t, &x.blake2b_from);
	if (rc == 0)
		rc = truce_txn_chain_frame_from(t, &x.frame_from);
	truce_txn_abort(t);
	if (rc == 0)
		*h = x;
	return rc;
}

/* --- articles ----------------------------------------------------------- */

typedef struct raw_entry {
	uint64_t key;
	uint8_t *data;
	size_t len;
} raw_entry;

typedef struct local_chunk {
	const truce_article_range *r;
	raw_entry v[CHUNK_MAX_ITEMS];
	size_t n, bytes, scanned;
	uint64_t stopped_at; /* key the next chunk starts at; 0 = the range is done */
	int nomem;
} local_chunk;

static int in_time(const truce_article_range *r, int64_t us)
{
	return !r->use_time || (us >= r->since_us && us <= r->until_us);
}

/* Whether a stored value is in the time window; undecodable values are
 * kept, so that the caller reports them rather than skipping them. */
static int value_in_time(const local_chunk *ch, truce_bytes val)
{
	int64_t us;
	return !ch->r->use_time || truce_stored_received_us(val, &us) != 0 || in_time(ch->r, us);
}

static int chunk_collect(void *vctx, uint64_t key, truce_bytes val)
{
	local_chunk *ch = vctx;
	if (ch->n == CHUNK_MAX_ITEMS || (ch->n > 0 && ch->bytes + val.len > CHUNK_MAX_BYTES) ||
	    ch->scanned == CHUNK_MAX_SCANNED) {
		ch->stopped_at = key;
		return 1;
	}
	ch->scanned++;
	if (!value_in_time(ch, val))
		return 0;
	raw_entry *e = &ch->v[ch->n];
	e->data = malloc(val.len > 0 ? val.len : 1);
	if (e->data == NULL) {
		ch->nomem = 1;
		return 1;
	}
	memcpy(e->data, val.data, val.len);
	e->len = val.len;
	e->key = key;
	ch->n++;
	ch->bytes += val.len;
	return 0;
}

static int emit(uint64_t key, const Truce__V1__StoredArticle *sa, truce_source_article_fn fn,
                void *ctx)
{
	Truce__V1__ArticleRecord *rec =
	    sa != NULL ? truce__v1__article_record__unpack(NULL, sa->record.len, sa->record.data)
	               : NULL;
	truce_source_article a = {.key = key, .sa = sa, .rec = rec};
	int rc = fn(ctx, &a);
	if (rec != NULL)
		truce__v1__article_record__free_unpacked(rec, NULL);
	return rc;
}

static int local_articles(truce_source *src, const truce_article_range *r,
                          truce_source_article_fn fn, void *ctx)
{
	local_chunk *ch = calloc(1, sizeof(*ch));
	if (ch == NULL)
		return TRUCE_ENOMEM;
	ch->r = r;
	int rc = 0;
	uint64_t from = r->from;
	while (rc == 0 && from != 0 && from <= r->to) {
		truce_txn *t;
		ch->n = ch->bytes = ch->scanned = 0;
		ch->stopped_at = 0;
		rc = truce_txn_begin(src->st, 0, &t);
		if (rc != 0)
			break;
		rc = truce_txn_scan(t, TRUCE_DB_ARTICLES, from, r->to, chunk_collect, ch);
		truce_txn_abort(t);
		if (rc == 1)
			rc = ch->nomem ? TRUCE_ENOMEM : 0;
		for (size_t i = 0; i < ch->n; i++) {
			raw_entry *e = &ch->v[i];
			if (rc == 0) {
				Truce__V1__StoredArticle *sa =
				    truce__v1__stored_article__unpack(NULL, e->len, e->data);
				rc = emit(e->key, sa, fn, ctx);
				if (sa != NULL)
					truce__v1__stored_article__free_unpacked(sa, NULL);
			}
			free(e->data);
		}
		from = ch->stopped_at;
	}
	free(ch);
	return rc;
}

static int remote_articles(truce_source *src, const truce_article_range *r,
                           truce_source_article_fn fn, void *ctx)
{
	int rc = 0;
	uint64_t from = r->from;
	while (rc == 0 && from <= r->to) {
		Truce__V1__QueryRequest rq = TRUCE__V1__QUERY_REQUEST__INIT;
		rq.has_kind = rq.has_from_seq = rq.has_to_seq = 1;
		rq.kind = TRUCE__V1__QUERY_REQUEST__KIND__ARTICLES;
		rq.from_seq = from;
		rq.to_seq = r->to;
		/* The daemon reads 0 as "no bound"; the bounds are applied
		 * here again, so a bound at the epoch itself is still right. */
		if (r->use_time) {
			rq.has_since_us = rq.has_until_us = 1;
			rq.since_us = r->since_us;
			rq.until_us = r->until_us;
		}
		Truce__V1__QueryReply *rep;
		rc = remote_call(src, &rq, &rep);
		if (rc != 0)
			break;
		uint64_t key = from - 1;
		for (size_t i = 0; rc == 0 && i < rep->n_articles; i++) {
			const Truce__V1__StoredArticle *sa = rep->articles[i];
			Truce__V1__ArticleRecord *rec = truce__v1__article_record__unpack(
			    NULL, sa->record.len, sa->record.data);
			key = rec != NULL && rec->seq > key ? rec->seq : key + 1;
			if (rec == NULL || in_time(r, rec->received_us)) {
				truce_source_article a = {.key = key, .sa = sa, .rec = rec};
				rc = fn(ctx, &a);
			}
			if (rec != NULL)
				truce__v1__article_record__free_unpacked(rec, NULL);
		}
		int more = rep->more;
		size_t n = rep->n_articles;
		truce__v1__query_reply__free_unpacked(rep, NULL);
		if (rc != 0 || !more)
			break;
		if (n == 0 || key == TRUCE_SEQ_MAX) {
			rc = TRUCE_EPROTO; /* "more" but no progress */
			break;
		}
		from = key + 1;
	}
	return rc;
}

int truce_source_articles(truce_source *src, const truce_article_range *r,
                          truce_source_article_fn fn, void *ctx)
{
	truce_article_range x = *r;
	if (x.from == 0)
		x.from = 1;
	if (x.from > x.to || (x.use_time && x.since_us > x.until_us))
		return 0;
	return src->qc != NULL ? remote_articles(src, &x, fn, ctx)
	                       : local_articles(src, &x, fn, ctx);
}

/* --- claims, incidents and events ------------------------------------- */

/* A db of records with ids, and how the query socket pages it. */
typedef struct db_kind {
	enum truce_db db;
	const char *what; /* for notes */
	const ProtobufCMessageDescriptor *desc;
	Truce__V1__QueryRequest__Kind kind;
} db_kind;

static const db_kind *kind_of(enum truce_db db)
{
	static const db_kind kinds[] = {
	    {TRUCE_DB_CLAIMS, "claim", &truce__v1__claim__descriptor,
	     TRUCE__V1__QUERY_REQUEST__KIND__CLAIMS},
	    {TRUCE_DB_INCIDENTS, "incident", &truce__v1__incident__descriptor,
	     TRUCE__V1__QUERY_REQUEST__KIND__INCIDENTS},
	    {TRUCE_DB_EVENTS, "event", &truce__v1__event__descriptor,
	     TRUCE__V1__QUERY_REQUEST__KIND__EVENTS_AFTER},
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].db == db)
			return &kinds[i];
	return NULL;
}

static uint64_t record_id(const db_kind *k, const ProtobufCMessage *m)
{
	switch (k->db) {
	case TRUCE_DB_CLAIMS: return ((const Truce__V1__Claim *)m)->id;
	case TRUCE_DB_INCIDENTS: return ((const Truce__V1__Incident *)m)->id;
	default: return ((const Truce__V1__Event *)m)->seq;
	}
}

typedef struct msg_collect {
	const truce_source *src;
	const db_kind *k;
	ProtobufCMessage **v;
	size_t n, limit;
	uint64_t last_key;
} msg_collect;

static int collect_msg(void *vctx, uint64_t key, ProtobufCMessage *m)
{
	msg_collect *mc = vctx;
	if (mc->n == mc->limit) {
		if (m != NULL)
			protobuf_c_message_free_unpacked(m, NULL);
		return 1;
	}
	mc->last_key = key;
	if (m == NULL) {
		truce__note(mc->src->note, mc->src->note_ctx, "%s %llu does not decode; skipped",
		            mc->k->what, (unsigned long long)key);
		return 0;
	}
	mc->v[mc->n++] = m;
	return 0;
}

static void free_msgs(ProtobufCMessage **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		protobuf_c_message_free_unpacked(v[i], NULL);
}

static int local_records(truce_source *src, const db_kind *k, uint64_t from, size_t limit,
                         ProtobufCMessage **v, size_t *n, uint64_t *last, int *more)
{
	truce_txn *t;
	msg_collect mc = {.src = src, .k = k, .v = v, .limit = limit};
	int rc = truce_txn_begin(src->st, 0, &t);
	if (rc != 0)
		return rc;
	rc = truce_txn_record_scan(t, k->db, from, TRUCE_SEQ_MAX, collect_msg, &mc);
	truce_txn_abort(t);
	if (rc < 0) {
		free_msgs(mc.v, mc.n);
		return rc;
	}
	*n = mc.n;
	*last = mc.last_key;
	*more = rc == 1;
	return 0;
}

static int remote_records(truce_source *src, const db_kind *k, uint64_t from, size_t limit,
                          ProtobufCMessage **v, size_t *n, uint64_t *last, int *more)
{
	Truce__V1__QueryRequest rq = TRUCE__V1__QUERY_REQUEST__INIT;
	rq.has_kind = rq.has_limit = 1;
	rq.kind = k->kind;
	rq.limit = limit;
	if (k->db == TRUCE_DB_EVENTS) {
		rq.has_after = 1;
		rq.after = from - 1;
	} else {
		rq.has_from_seq = 1;
		rq.from_seq = from;
	}
	Truce__V1__QueryReply *r;
	int rc = remote_call(src, &rq, &r);
	if (rc != 0)
		return rc;
	ProtobufCMessage **got = k->db == TRUCE_DB_CLAIMS      ? (ProtobufCMessage **)r->claims
	                         : k->db == TRUCE_DB_INCIDENTS ? (ProtobufCMessage **)r->incidents
	                                                       : (ProtobufCMessage **)r->events;
	size_t ngot = k->db == TRUCE_DB_CLAIMS      ? r->n_claims
	              : k->db == TRUCE_DB_INCIDENTS ? r->n_incidents
	                                            : r->n_events;
	for (size_t i = 0; rc == 0 && i < ngot && *n < limit; i++) {
		/* Own copies, so that the reply can go now. */
		uint8_t *buf;
		size_t len;
		rc = truce_wire_pack(got[i], &buf, &len);
		if (rc != 0)
			break;
		ProtobufCMessage *copy = protobuf_c_message_unpack(k->desc, NULL, len, buf);
		free(buf);
		if (copy == NULL) {
			rc = TRUCE_ENOMEM;
			break;
		}
		v[(*n)++] = copy;
		*last = record_id(k, copy);
	}
	*more = r->more;
	truce__v1__query_reply__free_unpacked(r, NULL);
	if (rc != 0) {
		free_msgs(v, *n);
		*n = 0;
	}
	return rc;
}

/* Up to limit records with id >= from into v; *last = the last id looked
 * at (0 if none), *more when more may follow. */
static int fetch_records(truce_source *src, const db_kind *k, uint64_t from, size_t limit,
                         ProtobufCMessage **v, size_t *n, uint64_t *last, int *more)
{
	*n = 0;
	*last = 0;
	*more = 0;
	return src->st != NULL ? local_records(src, k, from, limit, v, n, last, more)
	                       : remote_records(src, k, from, limit, v, n, last, more);
}

int truce_source_scan(truce_source *src, enum truce_db db, uint64_t first,
                      truce_source_record_fn fn, void *ctx)
{
	const db_kind *k = kind_of(db);
	if (k == NULL)
		return TRUCE_EINVAL;
	ProtobufCMessage **v = calloc(CURSOR_CHUNK, sizeof(*v));
	if (v == NULL)
		return TRUCE_ENOMEM;
	uint64_t from = first > 0 ? first : 1;
	int rc = 0, more = 1;
	while (rc == 0 && more) {
		size_t n;
		uint64_t last;
		rc = fetch_records(src, k, from, CURSOR_CHUNK, v, &n, &last, &more);
		for (size_t i = 0; rc == 0 && i < n; i++)
			rc = fn(ctx, v[i]);
		free_msgs(v, n);
		if (last == 0 || last == TRUCE_SEQ_MAX)
			more = 0;
		from = last + 1;
	}
	free(v);
	return rc;
}

/* --- cursors ------------------------------------------------------------ */

struct truce_source_cursor {
	truce_source *src;
	const db_kind *k;
	ProtobufCMessage **buf; /* the current chunk, from pos on still owned */
	size_t n, pos;
	uint64_t next_id;
	int eof;
	void **cur; /* taken for the current article, owned */
	size_t ncur, capcur;
};

static uint64_t msg_article_seq(const truce_source_cursor *c, const ProtobufCMessage *m)
{
	return c->k->db == TRUCE_DB_CLAIMS ? ((const Truce__V1__Claim *)m)->article_seq
	                                   : ((const Truce__V1__Event *)m)->article_seq;
}

/* The article_seq of the first record with key >= id; TRUCE_SEQ_MAX when
 * there is none, 0 when it does not decode (so the search moves left:
 * starting early is slow, starting late would lose records). */
static int seq_at_or_after(truce_source_cursor *c, uint64_t id, uint64_t *seq)
{
	ProtobufCMessage *m[1];
	size_t n;
	uint64_t last;
	int more;
	int rc = fetch_records(c->src, c->k, id, 1, m, &n, &last, &more);
	if (rc != 0)
		return rc;
	*seq = n == 1 ? msg_article_seq(c, m[0]) : last != 0 ? 0 : TRUCE_SEQ_MAX;
	if (n == 1)
		protobuf_c_message_free_unpacked(m[0], NULL);
	return 0;
}

/* The smallest id whose record belongs to first_seq or a later article:
 * article_seq does not decrease along ids, so a binary search finds it. */
static int cursor_start(truce_source_cursor *c, uint64_t first_seq, uint64_t last_id)
{
	uint64_t lo = 1, hi = last_id < TRUCE_SEQ_MAX ? last_id + 1 : last_id;
	if (first_seq <= 1)
		hi = 1;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2, seq;
		int rc = seq_at_or_after(c, mid, &seq);
		if (rc != 0)
			return rc;
		if (seq >= first_seq)
			hi = mid;
		else
			lo = mid + 1;
	}
	c->next_id = lo;
	return 0;
}

int truce_source_cursor_new(truce_source *src, enum truce_db db, uint64_t first_seq,
                            uint64_t last_id, truce_source_cursor **out)
{
	if (db != TRUCE_DB_CLAIMS && db != TRUCE_DB_EVENTS)
		return TRUCE_EINVAL;
	truce_source_cursor *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return TRUCE_ENOMEM;
	c->src = src;
	c->k = kind_of(db);
	c->buf = calloc(CURSOR_CHUNK, sizeof(*c->buf));
	int rc = c->buf != NULL ? cursor_start(c, first_seq, last_id) : TRUCE_ENOMEM;
	if (rc != 0) {
		truce_source_cursor_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

static void cur_clear(truce_source_cursor *c)
{
	for (size_t i = 0; i < c->ncur; i++)
		protobuf_c_message_free_unpacked(c->cur[i], NULL);
	c->ncur = 0;
}

static int cursor_refill(truce_source_cursor *c)
{
	uint64_t last;
	int more;
	c->n = c->pos = 0;
	int rc = fetch_records(c->src, c->k, c->next_id, CURSOR_CHUNK, c->buf, &c->n, &last, &more);
	if (rc != 0)
		return rc;
	if (!more || last == 0 || last == TRUCE_SEQ_MAX)
		c->eof = 1;
	else
		c->next_id = last + 1;
	return 0;
}

int truce_source_cursor_take(truce_source_cursor *c, uint64_t seq, void ***v, size_t *n)
{
	cur_clear(c);
	for (;;) {
		if (c->pos == c->n) {
			if (c->eof)
				break;
			int rc = cursor_refill(c);
			if (rc != 0)
				return rc;
			if (c->n == 0)
				continue; /* eof now, or a chunk of undecodable records */
		}
		ProtobufCMessage *m = c->buf[c->pos];
		uint64_t as = msg_article_seq(c, m);
		if (as > seq)
			break;
		c->pos++;
		if (as < seq) {
			protobuf_c_message_free_unpacked(m, NULL);
			continue;
		}
		if (truce_grow(&c->cur, &c->capcur, c->ncur, sizeof(*c->cur), 16) != 0) {
			protobuf_c_message_free_unpacked(m, NULL);
			return TRUCE_ENOMEM;
		}
		c->cur[c->ncur++] = m;
	}
	*v = c->cur;
	*n = c->ncur;
	return 0;
}

void truce_source_cursor_free(truce_source_cursor *c)
{
	if (c == NULL)
		return;
	cur_clear(c);
	free(c->cur);
	if (c->buf != NULL)
		for (size_t i = c->pos; i < c->n; i++)
			protobuf_c_message_free_unpacked(c->buf[i], NULL);
	free(c->buf);
	free(c);
}
