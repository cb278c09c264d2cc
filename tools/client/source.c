/*
 * source.c - the stored log as `truce replay` reads it: from a data
 * directory opened read-only, or from a running daemon's query socket, in
 * bounded chunks either way; cursors over the claims and events of each
 * article; the progress bar.
 *
 * Local reads copy each chunk out of its read transaction and end the
 * transaction before the callbacks run: a paced publish may take hours, and
 * an LMDB snapshot held that long keeps the daemon from reusing pages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "truce/date.h"
#include "qclient.h"
#include "replay.h"

#define CHUNK_MAX_ITEMS 256
#define CHUNK_MAX_BYTES (4u << 20)
#define CHUNK_MAX_SCANNED 20000 /* time-filtered entries looked at per txn */
#define CURSOR_CHUNK 1000

struct replay_src {
	truce_store *st;   /* local */
	truce_qclient *qc; /* remote */
};

int replay_src_open(const replay_opts *o, replay_src **out, char *err, size_t errlen)
{
	replay_src *src = calloc(1, sizeof(*src));
	if (src == NULL)
		return TRUCE_ENOMEM;
	int rc;
	if (o->data != NULL) {
		truce_store_opts so = {.read_only = 1};
		rc = truce_store_open(o->data, &so, &src->st, err, errlen);
	} else {
		rc = truce_qclient_open_keys(o->connect, o->timeout_ms, o->ckeys, &src->qc);
		if (rc != 0)
			snprintf(err, errlen, "cannot connect to %s", o->connect);
	}
	if (rc != 0) {
		free(src);
		return rc;
	}
	*out = src;
	return 0;
}

void replay_src_close(replay_src *src)
{
	if (src == NULL)
		return;
	if (src->st != NULL)
		truce_store_close(src->st);
	truce_qclient_close(src->qc);
	free(src);
}

int replay_src_remote(const replay_src *src)
{
	return src->qc != NULL;
}

truce_store *replay_src_store(replay_src *src)
{
	return src->st;
}

/* One request; a reply with ok = false becomes TRUCE_EIO with its error on
 * stderr. */
static int remote_call(replay_src *src, const Truce__V1__QueryRequest *rq,
                       Truce__V1__QueryReply **out)
{
	Truce__V1__QueryReply *r;
	int rc = truce_qclient_call(src->qc, rq, &r);
	if (rc != 0) {
		/* A refused CURVE handshake looks like silence; say which. */
		const char *why = rc == TRUCE_ETIMEDOUT ? truce_qclient_failure(src->qc) : NULL;
		if (why != NULL)
			fprintf(stderr, "truce replay: %s\n", why);
		return rc;
	}
	if (!r->ok) {
		fprintf(stderr, "truce replay: query failed: %s\n",
		        r->error != NULL ? r->error : "no reason given");
		truce__v1__query_reply__free_unpacked(r, NULL);
		return TRUCE_EIO;
	}
	*out = r;
	return 0;
}

int replay_src_head(replay_src *src, replay_head *h)
{
	replay_head x;
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
	int use_time;
	int64_t since_us, until_us;
	raw_entry v[CHUNK_MAX_ITEMS];
	size_t n, bytes, scanned;
	uint64_t stopped_at; /* key the next chunk starts at; 0 = the range is done */
	int nomem;
} local_chunk;

static int in_time(int use_time, int64_t since_us, int64_t until_us,
                   const Truce__V1__ArticleRecord *rec)
{
	return !use_time ||
	       (rec != NULL && rec->received_us >= since_us && rec->received_us <= until_us);
}

/* Whether a stored value is in the time window; undecodable values are
 * kept, so that the caller reports them rather than skipping them. */
static int value_in_time(const local_chunk *ch, truce_bytes val)
{
	if (!ch->use_time)
		return 1;
	Truce__V1__StoredArticle *sa = truce__v1__stored_article__unpack(NULL, val.len, val.data);
	Truce__V1__ArticleRecord *rec =
	    sa != NULL ? truce__v1__article_record__unpack(NULL, sa->record.len, sa->record.data)
	               : NULL;
	int keep = rec == NULL || in_time(1, ch->since_us, ch->until_us, rec);
	if (rec != NULL)
		truce__v1__article_record__free_unpacked(rec, NULL);
	if (sa != NULL)
		truce__v1__stored_article__free_unpacked(sa, NULL);
	return keep;
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

static int emit(uint64_t key, const Truce__V1__StoredArticle *sa, replay_article_fn fn, void *ctx)
{
	Truce__V1__ArticleRecord *rec =
	    sa != NULL ? truce__v1__article_record__unpack(NULL, sa->record.len, sa->record.data)
	               : NULL;
	replay_article a = {.key = key, .sa = sa, .rec = rec};
	int rc = fn(ctx, &a);
	if (rec != NULL)
		truce__v1__article_record__free_unpacked(rec, NULL);
	return rc;
}

static int local_articles(replay_src *src, uint64_t from, uint64_t to, int use_time,
                          int64_t since_us, int64_t until_us, replay_article_fn fn, void *ctx)
{
	local_chunk *ch = calloc(1, sizeof(*ch));
	if (ch == NULL)
		return TRUCE_ENOMEM;
	ch->use_time = use_time;
	ch->since_us = since_us;
	ch->until_us = until_us;
	int rc = 0;
	while (rc == 0 && from != 0 && from <= to) {
		truce_txn *t;
		ch->n = ch->bytes = ch->scanned = 0;
		ch->stopped_at = 0;
		rc = truce_txn_begin(src->st, 0, &t);
		if (rc != 0)
			break;
		rc = truce_txn_scan(t, TRUCE_DB_ARTICLES, from, to, chunk_collect, ch);
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

static int remote_articles(replay_src *src, uint64_t from, uint64_t to, int use_time,
                           int64_t since_us, int64_t until_us, replay_article_fn fn, void *ctx)
{
	int rc = 0;
	while (rc == 0 && from <= to) {
		Truce__V1__QueryRequest rq = TRUCE__V1__QUERY_REQUEST__INIT;
		rq.has_kind = rq.has_from_seq = rq.has_to_seq = 1;
		rq.kind = TRUCE__V1__QUERY_REQUEST__KIND__ARTICLES;
		rq.from_seq = from;
		rq.to_seq = to;
		/* The daemon reads 0 as "no bound"; the bounds are applied
		 * here again, so a bound at the epoch itself is still right. */
		if (use_time) {
			rq.has_since_us = rq.has_until_us = 1;
			rq.since_us = since_us;
			rq.until_us = until_us;
		}
		Truce__V1__QueryReply *r;
		rc = remote_call(src, &rq, &r);
		if (rc != 0)
			break;
		uint64_t key = from - 1;
		for (size_t i = 0; rc == 0 && i < r->n_articles; i++) {
			const Truce__V1__StoredArticle *sa = r->articles[i];
			Truce__V1__ArticleRecord *rec = truce__v1__article_record__unpack(
			    NULL, sa->record.len, sa->record.data);
			key = rec != NULL && rec->seq > key ? rec->seq : key + 1;
			if (rec == NULL || in_time(use_time, since_us, until_us, rec)) {
				replay_article a = {.key = key, .sa = sa, .rec = rec};
				rc = fn(ctx, &a);
			}
			if (rec != NULL)
				truce__v1__article_record__free_unpacked(rec, NULL);
		}
		int more = r->more;
		size_t n = r->n_articles;
		truce__v1__query_reply__free_unpacked(r, NULL);
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

int replay_src_articles(replay_src *src, uint64_t from, uint64_t to, int use_time, int64_t since_us,
                        int64_t until_us, replay_article_fn fn, void *ctx)
{
	if (from == 0)
		from = 1;
	if (from > to || (use_time && since_us > until_us))
		return 0;
	return src->qc != NULL
	           ? remote_articles(src, from, to, use_time, since_us, until_us, fn, ctx)
	           : local_articles(src, from, to, use_time, since_us, until_us, fn, ctx);
}

/* --- cursors ------------------------------------------------------------ */

struct replay_cursor {
	replay_src *src;
	enum truce_db db;
	const ProtobufCMessageDescriptor *desc;
	ProtobufCMessage **buf; /* the current chunk, from pos on still owned */
	size_t n, pos;
	uint64_t next_id;
	int eof;
	void **cur; /* taken for the current article, owned */
	size_t ncur, capcur;
};

static uint64_t msg_article_seq(const replay_cursor *c, const ProtobufCMessage *m)
{
	return c->db == TRUCE_DB_CLAIMS ? ((const Truce__V1__Claim *)m)->article_seq
	                                : ((const Truce__V1__Event *)m)->article_seq;
}

static uint64_t msg_id(const replay_cursor *c, const ProtobufCMessage *m)
{
	return c->db == TRUCE_DB_CLAIMS ? ((const Truce__V1__Claim *)m)->id
	                                : ((const Truce__V1__Event *)m)->seq;
}

typedef struct msg_collect {
	const replay_cursor *c;
	ProtobufCMessage **v;
	size_t n, limit;
	uint64_t last_key;
} msg_collect;

static int collect_msg(void *vctx, uint64_t key, truce_bytes val)
{
	msg_collect *mc = vctx;
	if (mc->n == mc->limit)
		return 1;
	mc->last_key = key;
	ProtobufCMessage *m = protobuf_c_message_unpack(mc->c->desc, NULL, val.len, val.data);
	if (m == NULL) {
		fprintf(stderr, "truce replay: %s %llu does not decode; skipped\n",
		        mc->c->db == TRUCE_DB_CLAIMS ? "claim" : "event", (unsigned long long)key);
		return 0;
	}
	mc->v[mc->n++] = m;
	return 0;
}

/* Up to limit records with key >= from into v; *last = the last key looked
 * at (0 if none), *more when more may follow. */
static int fetch_msgs(replay_cursor *c, uint64_t from, size_t limit, ProtobufCMessage **v,
                      size_t *n, uint64_t *last, int *more)
{
	*n = 0;
	*last = 0;
	*more = 0;
	if (c->src->st != NULL) {
		truce_txn *t;
		msg_collect mc = {.c = c, .v = v, .limit = limit};
		int rc = truce_txn_begin(c->src->st, 0, &t);
		if (rc != 0)
			return rc;
		rc = truce_txn_scan(t, c->db, from, TRUCE_SEQ_MAX, collect_msg, &mc);
		truce_txn_abort(t);
		if (rc < 0) {
			for (size_t i = 0; i < mc.n; i++)
				protobuf_c_message_free_unpacked(mc.v[i], NULL);
			return rc;
		}
		*n = mc.n;
		*last = mc.last_key;
		*more = rc == 1;
		return 0;
	}
	Truce__V1__QueryRequest rq = TRUCE__V1__QUERY_REQUEST__INIT;
	rq.has_kind = rq.has_limit = 1;
	rq.limit = limit;
	if (c->db == TRUCE_DB_CLAIMS) {
		rq.kind = TRUCE__V1__QUERY_REQUEST__KIND__CLAIMS;
		rq.has_from_seq = 1;
		rq.from_seq = from;
	} else {
		rq.kind = TRUCE__V1__QUERY_REQUEST__KIND__EVENTS_AFTER;
		rq.has_after = 1;
		rq.after = from - 1;
	}
	Truce__V1__QueryReply *r;
	int rc = remote_call(c->src, &rq, &r);
	if (rc != 0)
		return rc;
	size_t got = c->db == TRUCE_DB_CLAIMS ? r->n_claims : r->n_events;
	for (size_t i = 0; rc == 0 && i < got && *n < limit; i++) {
		const ProtobufCMessage *m =
		    c->db == TRUCE_DB_CLAIMS ? &r->claims[i]->base : &r->events[i]->base;
		/* Own copies, so that the reply can go now. */
		uint8_t *buf;
		size_t len;
		rc = truce_wire_pack(m, &buf, &len);
		if (rc != 0)
			break;
		ProtobufCMessage *copy = protobuf_c_message_unpack(c->desc, NULL, len, buf);
		free(buf);
		if (copy == NULL) {
			rc = TRUCE_ENOMEM;
			break;
		}
		v[(*n)++] = copy;
		*last = msg_id(c, copy);
	}
	*more = r->more;
	truce__v1__query_reply__free_unpacked(r, NULL);
	if (rc != 0) {
		for (size_t i = 0; i < *n; i++)
			protobuf_c_message_free_unpacked(v[i], NULL);
		*n = 0;
	}
	return rc;
}

/* The article_seq of the first record with key >= id; TRUCE_SEQ_MAX when
 * there is none, 0 when it does not decode (so the search moves left:
 * starting early is slow, starting late would lose records). */
static int seq_at_or_after(replay_cursor *c, uint64_t id, uint64_t *seq)
{
	ProtobufCMessage *m[1];
	size_t n;
	uint64_t last;
	int more;
	int rc = fetch_msgs(c, id, 1, m, &n, &last, &more);
	if (rc != 0)
		return rc;
	*seq = n == 1 ? msg_article_seq(c, m[0]) : last != 0 ? 0 : TRUCE_SEQ_MAX;
	if (n == 1)
		protobuf_c_message_free_unpacked(m[0], NULL);
	return 0;
}

/* The smallest id whose record belongs to first_seq or a later article:
 * article_seq does not decrease along ids, so a binary search finds it. */
static int cursor_start(replay_cursor *c, uint64_t first_seq, uint64_t last_id)
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

int replay_cursor_new(replay_src *src, enum truce_db db, uint64_t first_seq, uint64_t last_id,
                      replay_cursor **out)
{
	if (db != TRUCE_DB_CLAIMS && db != TRUCE_DB_EVENTS)
		return TRUCE_EINVAL;
	replay_cursor *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return TRUCE_ENOMEM;
	c->src = src;
	c->db = db;
	c->desc =
	    db == TRUCE_DB_CLAIMS ? &truce__v1__claim__descriptor : &truce__v1__event__descriptor;
	c->buf = calloc(CURSOR_CHUNK, sizeof(*c->buf));
	int rc = c->buf != NULL ? cursor_start(c, first_seq, last_id) : TRUCE_ENOMEM;
	if (rc != 0) {
		replay_cursor_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

static void cur_clear(replay_cursor *c)
{
	for (size_t i = 0; i < c->ncur; i++)
		protobuf_c_message_free_unpacked(c->cur[i], NULL);
	c->ncur = 0;
}

static int cursor_refill(replay_cursor *c)
{
	uint64_t last;
	int more;
	c->n = c->pos = 0;
	int rc = fetch_msgs(c, c->next_id, CURSOR_CHUNK, c->buf, &c->n, &last, &more);
	if (rc != 0)
		return rc;
	if (!more || last == 0 || last == TRUCE_SEQ_MAX)
		c->eof = 1;
	else
		c->next_id = last + 1;
	return 0;
}

int replay_cursor_take(replay_cursor *c, uint64_t seq, void ***v, size_t *n)
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
		if (c->ncur == c->capcur) {
			size_t cap = c->capcur ? c->capcur * 2 : 16;
			void **nv = realloc(c->cur, cap * sizeof(*nv));
			if (nv == NULL) {
				protobuf_c_message_free_unpacked(m, NULL);
				return TRUCE_ENOMEM;
			}
			c->cur = nv;
			c->capcur = cap;
		}
		c->cur[c->ncur++] = m;
	}
	*v = c->cur;
	*n = c->ncur;
	return 0;
}

void replay_cursor_free(replay_cursor *c)
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

/* --- progress ----------------------------------------------------------- */

#define PROGRESS_AFTER_MS 1000 /* short runs draw nothing */
#define PROGRESS_EVERY_MS 200
#define PROGRESS_WIDTH 30

void replay_progress_start(replay_progress *p, int enabled, uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->enabled = enabled;
	p->total = total;
	p->start_ms = truce_mono_ms();
}

void replay_progress_update(replay_progress *p, uint64_t done, const char *extra)
{
	if (!p->enabled)
		return;
	int64_t now = truce_mono_ms();
	if (now - p->start_ms < PROGRESS_AFTER_MS || now - p->last_ms < PROGRESS_EVERY_MS)
		return;
	p->last_ms = now;
	char bar[PROGRESS_WIDTH + 1];
	uint64_t total = p->total > done ? p->total : done;
	size_t fill = total > 0 ? (size_t)(done * PROGRESS_WIDTH / total) : 0;
	for (size_t i = 0; i < PROGRESS_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[PROGRESS_WIDTH] = '\0';
	double rate = (double)done * 1000.0 / (double)(now - p->start_ms);
	long eta = rate > 0 ? (long)((double)(total - done) / rate) : 0;
	fprintf(stderr, "\rreplay [%s] %llu/%llu %3d%% eta %lds%s%s\033[K", bar,
	        (unsigned long long)done, (unsigned long long)total,
	        total > 0 ? (int)(done * 100 / total) : 100, eta, extra ? " " : "",
	        extra ? extra : "");
	fflush(stderr);
	p->drawn = 1;
}

void replay_progress_end(replay_progress *p)
{
	if (p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->drawn = 0;
}

uint64_t replay_range_total(const replay_opts *o, const replay_head *h)
{
	uint64_t from = o->from > 0 ? o->from : 1;
	uint64_t to = o->to < h->last_seq ? o->to : h->last_seq;
	return from <= to ? to - from + 1 : 0;
}
