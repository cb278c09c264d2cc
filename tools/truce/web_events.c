/*
 * web_events.c - /api/events: truce's events as Server-Sent Events, with
 * the never-miss promise of `truce watch`.
 *
 * One subscriber (the client library's truce_sub: catch-up, gap fill) runs
 * on the hub's thread. It takes events in batches and renders each batch
 * once into a chunk: one buffer of SSE frames ("id: <seq>", "data: <JSON>")
 * with the seq, offset and topic of each, shared read-only and refcounted
 * by every stream that sends it. The ring of recent events is a run of such
 * chunks. Each stream keeps its own cursor (the last seq it handled); an
 * unfiltered stream sends a chunk's bytes from the event after its cursor
 * straight into libmicrohttpd's buffer, a filtered one copies the frames
 * its topics want. The lock is held only to find and reference a chunk,
 * never while bytes are copied, so hundreds of streams woken by one batch
 * do not queue behind each other.
 *
 * A stream whose cursor lies before the ring (a client resuming from an
 * old Last-Event-ID, or ?since=0) first reads what it missed from truced's
 * query socket in bounded chunks, then joins the ring. The ring holds a
 * contiguous run of seqs, so a cursor moves by one seq at a time whichever
 * source it reads: no event is skipped or sent twice.
 *
 * truced sees one subscriber however many browsers are open, and a slow
 * browser holds up only its own stream (it falls behind the ring and reads
 * from the query socket when it comes back).
 *
 * A client that accepts gzip (browsers do) gets the stream compressed
 * (web_gzip.c): the first stream that reaches a chunk compresses it once,
 * and every other sends the same compressed bytes. JSON events shrink
 * several-fold, and so does the kernel's work of copying them into
 * hundreds of sockets, which is most of what a crowd of streams costs.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "truce/date.h"
#include "truce/json.h"
#include "web.h"
#include "web_gzip.h"

#define HUB_WAIT_MS 500     /* truce_sub_next slice: how often stop is noticed */
#define HUB_BATCH 1024      /* events in one chunk, at most */
#define HUB_BATCH_MS 5      /* ...or taken this long after the first of them */
#define STREAM_WAIT_MS 1000 /* a stream's wait for the next event */
#define CATCHUP_CHUNK 200   /* events per query while a stream catches up */
#define STREAM_FILL 65536   /* bytes a filtered stream gathers before sending */
#define SSE_RETRY_MS 2000

/* A batch of events rendered once: frames of seqs first .. first + n - 1
 * back to back in buf, frame i at buf[off[i] .. off[i + 1]). Immutable once
 * in the ring; freed when the ring and the last stream let go of it. */
typedef struct hub_chunk {
	atomic_uint refs;
	uint64_t first;
	size_t n, cap;
	char *buf;
	size_t len, buf_cap;
	size_t *off;  /* n + 1 */
	char **topic; /* n */
	/* buf[0 .. len) as one piece of deflate data (web_deflate_piece) and
	 * its CRC-32: made by the first gzip stream that wants it. */
	pthread_mutex_t gz_mu;
	int gz_done;
	unsigned char *gz;
	size_t gz_len, gz_cap;
	uint32_t crc;
} hub_chunk;

struct web_hub {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* a new chunk, or stop */
	pthread_t thread;
	int started;
	int stop;
	truce_sub *sub;
	web_qpool *qp;
	int keepalive_ms;
	size_t batch; /* events per chunk, at most */

	/* The ring: chunks of seqs first .. first + events - 1, contiguous. */
	hub_chunk **ring;
	size_t cap, head, n; /* chunks */
	size_t events, max_events, bytes, max_bytes;
	uint64_t first; /* with events == 0: the seq the next event will have */
	uint64_t clients;
};

/* --- frames and chunks ---------------------------------------------------- */

static int topic_match(const char *const *topics, size_t n, const char *topic)
{
	if (n == 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (strncmp(topic, topics[i], strlen(topics[i])) == 0)
			return 1;
	return 0;
}

static void chunk_unref(hub_chunk *c)
{
	if (c == NULL || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->topic[i]);
	free(c->topic);
	free(c->off);
	free(c->buf);
	free(c->gz);
	pthread_mutex_destroy(&c->gz_mu);
	free(c);
}

static hub_chunk *chunk_new(size_t cap)
{
	hub_chunk *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	atomic_init(&c->refs, 1);
	pthread_mutex_init(&c->gz_mu, NULL);
	c->cap = cap;
	c->off = calloc(cap + 1, sizeof(*c->off));
	c->topic = calloc(cap, sizeof(*c->topic));
	if (c->off == NULL || c->topic == NULL) {
		chunk_unref(c);
		return NULL;
	}
	return c;
}

/* Appends bytes to a chunk's buffer (jansson's dump callback, too). */
static int chunk_write(const char *data, size_t size, void *arg)
{
	hub_chunk *c = arg;
	if (c->len + size > c->buf_cap) {
		size_t cap = c->buf_cap ? c->buf_cap : 16384;
		while (cap < c->len + size)
			cap *= 2;
		char *b = realloc(c->buf, cap);
		if (b == NULL)
			return -1;
		c->buf = b;
		c->buf_cap = cap;
	}
	memcpy(c->buf + c->len, data, size);
	c->len += size;
	return 0;
}

/* Writes the SSE frame of ev, "id: N\ndata: <JSON>\n\n", through write
 * (jansson's dump callback: the JSON is never held as a string of its own). */
static int frame_write(const Truce__V1__Event *ev, json_dump_callback_t write, void *arg)
{
	char id[40];
	int n = snprintf(id, sizeof(id), "id: %llu\ndata: ", (unsigned long long)ev->seq);
	json_t *j = truce_json_event(ev);
	int rc = j != NULL && write(id, (size_t)n, arg) == 0 &&
	                 json_dump_callback(j, write, arg, JSON_COMPACT) == 0 &&
	                 write("\n\n", 2, arg) == 0
	             ? 0
	             : TRUCE_ENOMEM;
	json_decref(j);
	return rc;
}

/* Appends the frame of ev to c; on failure (out of memory) c is left as it
 * was. */
static int chunk_add(hub_chunk *c, const Truce__V1__Event *ev)
{
	size_t len0 = c->len;
	char *topic = strdup(ev->topic != NULL ? ev->topic : "");
	if (topic == NULL || frame_write(ev, chunk_write, c) != 0) {
		free(topic);
		c->len = len0;
		return TRUCE_ENOMEM;
	}
	if (c->n == 0)
		c->first = ev->seq;
	c->topic[c->n] = topic;
	c->n++;
	c->off[c->n] = c->len;
	return 0;
}

/* Compresses the chunk's frames once, for every gzip stream; the others
 * wait for the first. */
static int chunk_gz(hub_chunk *c)
{
	pthread_mutex_lock(&c->gz_mu);
	int rc = 0;
	if (!c->gz_done) {
		rc = web_deflate_piece(c->buf, c->len, &c->gz, &c->gz_len, &c->gz_cap);
		c->crc = (uint32_t)crc32(0, (const Bytef *)c->buf, (uInt)c->len);
		c->gz_done = rc == 0;
	}
	pthread_mutex_unlock(&c->gz_mu);
	return rc;
}

/* --- the hub ----------------------------------------------------------- */

static hub_chunk *ring_at(const web_hub *h, size_t i)
{
	return h->ring[(h->head + i) % h->cap];
}

static void ring_drop_oldest(web_hub *h)
{
	hub_chunk *c = ring_at(h, 0);
	h->bytes -= c->len;
	h->events -= c->n;
	h->first += c->n;
	h->head = (h->head + 1) % h->cap;
	h->n--;
	chunk_unref(c);
}

static void ring_clear(web_hub *h, uint64_t next)
{
	while (h->n > 0)
		ring_drop_oldest(h);
	h->first = next;
}

/* Appends a chunk (taking its reference); called with mu held. The newest
 * chunk stays even when it alone is over the bounds. */
static void ring_push(web_hub *h, hub_chunk *c)
{
	if (c->first != h->first + h->events)
		/* Not the next seq: only a truced whose store was replaced
		 * does that, or an event left out for want of memory. Start
		 * the ring over there. */
		ring_clear(h, c->first);
	while (h->n > 0 && (h->n == h->cap || h->events + c->n > h->max_events ||
	                    h->bytes + c->len > h->max_bytes))
		ring_drop_oldest(h);
	h->ring[(h->head + h->n) % h->cap] = c;
	h->n++;
	h->events += c->n;
	h->bytes += c->len;
}

/* The chunk that holds seq (first <= seq < first + events); mu held. */
static hub_chunk *ring_find(const web_hub *h, uint64_t seq)
{
	size_t lo = 0, hi = h->n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo + 1) / 2;
		if (ring_at(h, mid)->first <= seq)
			lo = mid;
		else
			hi = mid - 1;
	}
	return ring_at(h, lo);
}

/* Puts a chunk into the ring and wakes the streams; drops an empty one. */
static void hub_publish(web_hub *h, hub_chunk *c)
{
	if (c->n == 0) {
		chunk_unref(c);
		return;
	}
	pthread_mutex_lock(&h->mu);
	ring_push(h, c);
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

/*
 * The hub's thread: events from the subscriber into the ring. A burst is
 * taken in batches (what is queued, up to h->batch events or HUB_BATCH_MS),
 * each rendered into one chunk, and the streams are woken once per chunk:
 * with hundreds of streams, a wake-up per event would cost more than the
 * events. An event that cannot be rendered (out of memory) ends its chunk
 * and is left out; the streams read it from the query socket.
 */
static void *hub_main(void *arg)
{
	web_hub *h = arg;
	for (;;) {
		pthread_mutex_lock(&h->mu);
		int stop = h->stop;
		pthread_mutex_unlock(&h->mu);
		if (stop)
			return NULL;
		hub_chunk *c = chunk_new(h->batch);
		int rc = 0, taken = 0;
		int64_t started = 0;
		while (c != NULL && c->n < c->cap) {
			Truce__V1__Event *ev;
			/* The first event is waited for; the rest only if queued. */
			rc = truce_sub_next(h->sub, taken == 0 ? HUB_WAIT_MS : 1, &ev);
			if (rc != 0)
				break;
			if (taken++ == 0)
				started = truce_mono_ms();
			if ((c->n > 0 && ev->seq != c->first + c->n) || chunk_add(c, ev) != 0) {
				hub_publish(h, c);
				c = chunk_new(h->batch);
				if (c != NULL && chunk_add(c, ev) != 0) {
					chunk_unref(c);
					c = chunk_new(h->batch);
				}
			}
			truce__v1__event__free_unpacked(ev, NULL);
			if (truce_mono_ms() - started >= HUB_BATCH_MS)
				break;
		}
		if (c != NULL)
			hub_publish(h, c);
		if (taken == 0 && rc != TRUCE_ETIMEDOUT) {
			/* The query socket refused a backfill (or no memory):
			 * try again soon. */
			struct timespec ts = {0, HUB_WAIT_MS * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
}

/* The last event seq truced has stored, or 0 when it does not answer. */
static uint64_t truced_last_event(web_qpool *qp)
{
	Truce__V1__QueryRequest rq = TRUCE__V1__QUERY_REQUEST__INIT;
	rq.has_kind = 1;
	rq.kind = TRUCE__V1__QUERY_REQUEST__KIND__STATS;
	Truce__V1__QueryReply *r;
	uint64_t last = 0;
	if (web_query(qp, &rq, &r) == 0) {
		if (r->ok && r->stats != NULL)
			last = r->stats->last_event_seq;
		truce__v1__query_reply__free_unpacked(r, NULL);
	}
	return last;
}

int web_hub_start(const web_hub_opts *o, web_hub **out)
{
	web_hub *h = calloc(1, sizeof(*h));
	if (h == NULL)
		return TRUCE_ENOMEM;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	h->qp = o->qp;
	h->keepalive_ms = o->keepalive_ms;
	/* A chunk holds at least one event, so max_events chunks at most. */
	h->max_events = o->max_events > 0 ? o->max_events : 1;
	h->cap = h->max_events;
	h->batch = h->max_events < HUB_BATCH ? h->max_events : HUB_BATCH;
	h->max_bytes = o->max_bytes;
	h->ring = calloc(h->cap, sizeof(*h->ring));
	/* The ring starts at what truced has now: older events are one
	 * query away, and the subscriber begins right after them. */
	uint64_t last = truced_last_event(o->qp);
	h->first = last + 1;
	truce_sub_opts so = {.publish = o->publish,
	                     .query = o->query,
	                     .keys = o->keys,
	                     .since = last,
	                     .has_since = 1};
	int rc = h->ring != NULL ? truce_sub_open(&so, &h->sub) : TRUCE_ENOMEM;
	if (rc == 0)
		rc = pthread_create(&h->thread, NULL, hub_main, h) == 0 ? 0 : TRUCE_ENOMEM;
	if (rc != 0) {
		web_hub_free(h);
		return rc;
	}
	h->started = 1;
	*out = h;
	return 0;
}

void web_hub_stop(web_hub *h)
{
	if (h == NULL)
		return;
	pthread_mutex_lock(&h->mu);
	h->stop = 1;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	if (h->started)
		pthread_join(h->thread, NULL);
	h->started = 0;
}

void web_hub_free(web_hub *h)
{
	if (h == NULL)
		return;
	web_hub_stop(h);
	truce_sub_close(h->sub);
	if (h->ring != NULL)
		ring_clear(h, 0);
	free(h->ring);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
	free(h);
}

void web_hub_counts(web_hub *h, uint64_t *clients, uint64_t *buffered, uint64_t *last)
{
	pthread_mutex_lock(&h->mu);
	if (clients != NULL)
		*clients = h->clients;
	if (buffered != NULL)
		*buffered = h->events;
	if (last != NULL)
		*last = h->first + h->events - 1;
	pthread_mutex_unlock(&h->mu);
}

/* --- one stream ---------------------------------------------------------- */

typedef struct sse_stream {
	web_hub *h;
	uint64_t cursor; /* the last seq handled (sent, taken or filtered out) */
	char **topics;
	size_t n_topics;
	/* What to send next: the stream's own bytes buf[off .. len) (the
	 * hello, keepalives, frames copied for a filter or read from the
	 * query socket), else the shared chunk's bytes out[0 .. out_len). A
	 * gzip stream gathers its own bytes in buf and sends them compressed
	 * from z[zoff .. zlen); crc and isize are of what it compressed. */
	char *buf;
	size_t len, off, cap;
	int gzip, ended;
	unsigned char *z;
	size_t zlen, zoff, zcap;
	uint32_t crc;
	uint64_t isize;
	hub_chunk *chunk; /* referenced; events from index next not yet taken */
	size_t next;
	const char *out;
	size_t out_len;
	int64_t last_sent_ms;
} sse_stream;

static int stream_append(sse_stream *s, const char *data, size_t n)
{
	if (n == 0)
		return 0;
	if (s->buf == NULL || s->len + n > s->cap) {
		size_t cap = s->cap ? s->cap : 4096;
		while (cap < s->len + n)
			cap *= 2;
		char *b = realloc(s->buf, cap);
		if (b == NULL)
			return TRUCE_ENOMEM;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	return 0;
}

/* Takes the next bytes of the stream's chunk: all of the rest of it for a
 * stream without a filter (sent from the chunk itself), else the frames its
 * topics want, copied, up to STREAM_FILL. TRUCE_ENOMEM when a copy fails. */
static int take_from_chunk(sse_stream *s)
{
	hub_chunk *c = s->chunk;
	if (s->n_topics == 0 && s->gzip && s->next == 0) {
		/* The whole chunk: its compressed piece, shared. */
		if (chunk_gz(c) != 0)
			return TRUCE_ENOMEM;
		s->out = (const char *)c->gz;
		s->out_len = c->gz_len;
		s->crc = (uint32_t)crc32_combine(s->crc, c->crc, (z_off_t)c->len);
		s->isize += c->len;
		s->next = c->n;
		s->cursor = c->first + c->n - 1;
		return 0;
	}
	if (s->n_topics == 0 && !s->gzip) {
		s->out = c->buf + c->off[s->next];
		s->out_len = c->len - c->off[s->next];
		s->next = c->n;
		s->cursor = c->first + c->n - 1;
		return 0;
	}
	for (; s->next < c->n && s->len < STREAM_FILL; s->next++) {
		if (topic_match((const char *const *)s->topics, s->n_topics, c->topic[s->next]) &&
		    stream_append(s, c->buf + c->off[s->next],
		                  c->off[s->next + 1] - c->off[s->next]) != 0)
			return TRUCE_ENOMEM;
		s->cursor = c->first + s->next;
	}
	return 0;
}

/* A gzip stream's own bytes buf[0 .. len) become a piece of its own. */
static int stream_deflate_own(sse_stream *s)
{
	if (web_deflate_piece(s->buf, s->len, &s->z, &s->zlen, &s->zcap) != 0)
		return TRUCE_ENOMEM;
	s->crc = (uint32_t)crc32(s->crc, (const Bytef *)s->buf, (uInt)s->len);
	s->isize += s->len;
	s->len = s->off = 0;
	return 0;
}

static int stream_pending(const sse_stream *s)
{
	return s->len > s->off || s->zlen > s->zoff || s->out_len > 0;
}

/* jansson's dump callback onto the stream's own bytes. */
static int stream_write(const char *data, size_t n, void *arg)
{
	return stream_append(arg, data, n) == 0 ? 0 : -1;
}

/* Reads what the ring no longer (or not yet) holds from the query socket:
 * one chunk of events after the cursor. */
static int take_from_store(sse_stream *s)
{
	Truce__V1__QueryRequest rq = TRUCE__V1__QUERY_REQUEST__INIT;
	rq.has_kind = rq.has_after = rq.has_limit = 1;
	rq.kind = TRUCE__V1__QUERY_REQUEST__KIND__EVENTS_AFTER;
	rq.after = s->cursor;
	rq.limit = CATCHUP_CHUNK;
	Truce__V1__QueryReply *r;
	int rc = web_query(s->h->qp, &rq, &r);
	if (rc != 0)
		return rc;
	for (size_t i = 0; r->ok && i < r->n_events; i++) {
		const Truce__V1__Event *ev = r->events[i];
		if (ev->seq != s->cursor + 1)
			break; /* never skip: the next chunk starts at the cursor */
		if (topic_match((const char *const *)s->topics, s->n_topics,
		                ev->topic != NULL ? ev->topic : "")) {
			size_t len0 = s->len;
			rc = frame_write(ev, stream_write, s);
			if (rc != 0) {
				s->len = len0;
				break;
			}
		}
		s->cursor = ev->seq;
	}
	if (rc == 0 && !r->ok)
		rc = TRUCE_EIO;
	truce__v1__query_reply__free_unpacked(r, NULL);
	return rc;
}

static void deadline_in(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* References the ring's chunk holding the event after the cursor, or
 * waits a while for one; called with mu held. Returns 1 when the cursor
 * is before the ring (the query socket has those events). */
static int take_from_ring(sse_stream *s)
{
	web_hub *h = s->h;
	uint64_t want = s->cursor + 1;
	if (want < h->first)
		return 1;
	if (want < h->first + h->events) {
		s->chunk = ring_find(h, want);
		atomic_fetch_add(&s->chunk->refs, 1);
		s->next = (size_t)(want - s->chunk->first);
		return 0;
	}
	struct timespec ts;
	deadline_in(&ts, STREAM_WAIT_MS);
	pthread_cond_timedwait(&h->cv, &h->mu, &ts);
	return 0;
}

/* Gathers the next bytes to send: frames, or a keepalive comment after a
 * quiet spell. Returns -1 when the hub stops, or out of memory (the
 * client reconnects with Last-Event-ID). */
static int stream_fill(sse_stream *s)
{
	web_hub *h = s->h;
	while (!stream_pending(s)) {
		s->len = s->off = 0;
		s->zlen = s->zoff = 0;
		if (s->chunk != NULL && s->next < s->chunk->n) {
			if (take_from_chunk(s) != 0)
				return -1;
		} else {
			chunk_unref(s->chunk);
			s->chunk = NULL;
			pthread_mutex_lock(&h->mu);
			if (h->stop) {
				pthread_mutex_unlock(&h->mu);
				return -1;
			}
			int behind = take_from_ring(s);
			pthread_mutex_unlock(&h->mu);
			if (behind && take_from_store(s) != 0) {
				/* truced is away: wait a little, keep the stream. */
				struct timespec ts = {0, STREAM_WAIT_MS * 1000000L};
				nanosleep(&ts, NULL);
			}
			if (s->chunk == NULL && s->len == 0 &&
			    truce_mono_ms() - s->last_sent_ms >= h->keepalive_ms &&
			    stream_append(s, ": keepalive\n\n", 13) != 0)
				return -1;
		}
		if (s->gzip && s->len > 0 && stream_deflate_own(s) != 0)
			return -1;
	}
	return 0;
}

/* libmicrohttpd's content reader: copies the next bytes into its buffer,
 * from which it sends them (the one copy a byte makes in the web side). */
static ssize_t sse_read(void *cls, uint64_t pos, char *out, size_t max)
{
	sse_stream *s = cls;
	(void)pos;
	if (!s->ended && stream_fill(s) != 0) {
		/* A gzip stream ends its member first (what was gathered and
		 * not compressed is dropped: the client resumes before it). */
		s->len = s->off = s->zlen = s->zoff = s->out_len = 0;
		if (!s->gzip || web_gzip_end(s->crc, s->isize, &s->z, &s->zlen, &s->zcap) != 0)
			return MHD_CONTENT_READER_END_OF_STREAM;
		s->ended = 1;
	}
	if (s->ended && s->zlen == s->zoff)
		return MHD_CONTENT_READER_END_OF_STREAM;
	size_t n;
	if (s->zlen > s->zoff) {
		n = s->zlen - s->zoff < max ? s->zlen - s->zoff : max;
		memcpy(out, s->z + s->zoff, n);
		s->zoff += n;
	} else if (s->len > s->off) {
		n = s->len - s->off < max ? s->len - s->off : max;
		memcpy(out, s->buf + s->off, n);
		s->off += n;
	} else {
		n = s->out_len < max ? s->out_len : max;
		memcpy(out, s->out, n);
		s->out += n;
		s->out_len -= n;
	}
	s->last_sent_ms = truce_mono_ms();
	return (ssize_t)n;
}

static void sse_free(void *cls)
{
	sse_stream *s = cls;
	pthread_mutex_lock(&s->h->mu);
	s->h->clients--;
	pthread_mutex_unlock(&s->h->mu);
	chunk_unref(s->chunk);
	for (size_t i = 0; i < s->n_topics; i++)
		free(s->topics[i]);
	free(s->topics);
	free(s->buf);
	free(s->z);
	free(s);
}

struct MHD_Response *web_sse_response(web_hub *h, uint64_t after, const char *const *topics,
                                      size_t n_topics, int gzip)
{
	sse_stream *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->h = h;
	s->cursor = after;
	s->last_sent_ms = truce_mono_ms();
	s->topics = n_topics > 0 ? calloc(n_topics, sizeof(*s->topics)) : NULL;
	int ok = n_topics == 0 || s->topics != NULL;
	for (size_t i = 0; ok && i < n_topics; i++) {
		s->topics[i] = strdup(topics[i]);
		ok = s->topics[i] != NULL;
		s->n_topics += ok;
	}
	/* The first bytes tell EventSource how soon to reconnect. */
	char hello[32];
	int n = snprintf(hello, sizeof(hello), "retry: %d\n\n", SSE_RETRY_MS);
	s->gzip = gzip;
	ok = ok && (!gzip || web_gzip_begin(&s->z, &s->zlen, &s->zcap) == 0) &&
	     stream_append(s, hello, (size_t)n) == 0 && (!gzip || stream_deflate_own(s) == 0);
	pthread_mutex_lock(&h->mu);
	h->clients++;
	pthread_mutex_unlock(&h->mu);
	struct MHD_Response *resp = ok ? MHD_create_response_from_callback(
	                                     MHD_SIZE_UNKNOWN, STREAM_FILL, sse_read, s, sse_free)
	                               : NULL;
	if (resp == NULL)
		sse_free(s);
	return resp;
}
