/*
 * web_events.c - /api/events: truce's events as Server-Sent Events, with
 * the never-miss promise of `truce watch`.
 *
 * One subscriber (the client library's truce_sub: catch-up, gap fill) runs
 * on the hub's thread and puts every event, rendered once as an SSE frame
 * ("id: <seq>", "data: <JSON>"), into a ring of recent events. Each stream
 * keeps its own cursor (the last seq it handled) and copies frames after
 * it out of the ring; a stream whose cursor lies before the ring (a client
 * resuming from an old Last-Event-ID, or ?since=0) first reads what it
 * missed from truced's query socket in bounded chunks, then joins the ring.
 * The ring holds a contiguous run of seqs, so a cursor moves by one seq at
 * a time whichever source it reads: no event is skipped or sent twice.
 *
 * truced sees one subscriber however many browsers are open, and a slow
 * browser holds up only its own stream (it falls behind the ring and reads
 * from the query socket when it comes back).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "truce/date.h"
#include "truce/json.h"
#include "web.h"

#define HUB_WAIT_MS 500     /* truce_sub_next slice: how often stop is noticed */
#define HUB_BATCH 1024      /* events taken before the streams are woken */
#define HUB_BATCH_MS 5      /* ...or this long after the first of them */
#define STREAM_WAIT_MS 1000 /* a stream's wait for the next event */
#define CATCHUP_CHUNK 200   /* events per query while a stream catches up */
#define STREAM_FILL 65536   /* bytes a stream gathers before sending */
#define SSE_RETRY_MS 2000

typedef struct hub_event {
	uint64_t seq;
	char *topic;
	char *frame; /* "id: N\ndata: {...}\n\n" */
	size_t len;
} hub_event;

struct web_hub {
	pthread_mutex_t mu;
	pthread_cond_t cv; /* a new event, or stop */
	pthread_t thread;
	int started;
	int stop;
	truce_sub *sub;
	web_qpool *qp;
	int keepalive_ms;

	/* The ring: seqs first .. first + n - 1, contiguous. */
	hub_event *ring;
	size_t cap, head, n, bytes, max_bytes;
	uint64_t first; /* with n == 0: the seq the next event will have */
	uint64_t clients;
};

/* --- frames ------------------------------------------------------------ */

/* The SSE frame of one event; NULL when out of memory. */
static char *render_frame(const Truce__V1__Event *ev, size_t *len)
{
	json_t *j = truce_json_event(ev);
	char *data = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (data == NULL)
		return NULL;
	size_t need = strlen(data) + 48;
	char *f = malloc(need);
	if (f != NULL)
		*len = (size_t)snprintf(f, need, "id: %llu\ndata: %s\n\n",
		                        (unsigned long long)ev->seq, data);
	free(data);
	return f;
}

static int topic_match(const char *const *topics, size_t n, const char *topic)
{
	if (n == 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (strncmp(topic, topics[i], strlen(topics[i])) == 0)
			return 1;
	return 0;
}

/* --- the hub ----------------------------------------------------------- */

static hub_event *ring_at(web_hub *h, size_t i)
{
	return &h->ring[(h->head + i) % h->cap];
}

static void ring_drop_oldest(web_hub *h)
{
	hub_event *e = ring_at(h, 0);
	h->bytes -= e->len;
	free(e->topic);
	free(e->frame);
	h->head = (h->head + 1) % h->cap;
	h->n--;
	h->first++;
}

static void ring_clear(web_hub *h, uint64_t next)
{
	while (h->n > 0)
		ring_drop_oldest(h);
	h->first = next;
}

/* Appends one event (taking topic and frame); called with mu held. */
static void ring_push(web_hub *h, uint64_t seq, char *topic, char *frame, size_t len)
{
	if (seq != h->first + h->n)
		/* Not the next seq: only a truced whose store was replaced
		 * does that. Start the ring over there. */
		ring_clear(h, seq);
	while (h->n > 0 && (h->n == h->cap || h->bytes + len > h->max_bytes))
		ring_drop_oldest(h);
	hub_event *e = ring_at(h, h->n);
	e->seq = seq;
	e->topic = topic;
	e->frame = frame;
	e->len = len;
	h->bytes += len;
	h->n++;
}

/* Renders ev into the ring (and frees it). Out of memory, the event is
 * left out and the ring starts over at the next one: streams read this one
 * from the query socket. */
static void hub_take(web_hub *h, Truce__V1__Event *ev)
{
	size_t len = 0;
	char *frame = render_frame(ev, &len);
	char *topic = strdup(ev->topic != NULL ? ev->topic : "");
	uint64_t seq = ev->seq;
	truce__v1__event__free_unpacked(ev, NULL);
	if (frame == NULL || topic == NULL) {
		free(frame);
		free(topic);
		return;
	}
	pthread_mutex_lock(&h->mu);
	ring_push(h, seq, topic, frame, len);
	pthread_mutex_unlock(&h->mu);
}

/*
 * The hub's thread: events from the subscriber into the ring. A burst is
 * taken in batches (what is queued, up to HUB_BATCH events or HUB_BATCH_MS)
 * and the streams are woken once per batch: with hundreds of streams, a
 * wake-up per event would cost more than the events.
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
		int rc = 0, taken = 0;
		int64_t started = 0;
		while (taken < HUB_BATCH) {
			Truce__V1__Event *ev;
			/* The first event is waited for; the rest only if queued. */
			rc = truce_sub_next(h->sub, taken == 0 ? HUB_WAIT_MS : 1, &ev);
			if (rc != 0)
				break;
			if (taken++ == 0)
				started = truce_mono_ms();
			hub_take(h, ev);
			if (truce_mono_ms() - started >= HUB_BATCH_MS)
				break;
		}
		if (taken > 0) {
			pthread_mutex_lock(&h->mu);
			pthread_cond_broadcast(&h->cv);
			pthread_mutex_unlock(&h->mu);
		} else if (rc != TRUCE_ETIMEDOUT) {
			/* The query socket refused a backfill: try again soon. */
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
	h->cap = o->max_events > 0 ? o->max_events : 1;
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
		*buffered = h->n;
	if (last != NULL)
		*last = h->first + h->n - 1;
	pthread_mutex_unlock(&h->mu);
}

/* --- one stream ---------------------------------------------------------- */

typedef struct sse_stream {
	web_hub *h;
	uint64_t cursor; /* the last seq handled (sent or filtered out) */
	char **topics;
	size_t n_topics;
	char *buf; /* gathered bytes not yet sent: buf[off .. len) */
	size_t len, off, cap;
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

/* Copies the ring's frames after the cursor; called with mu held. Returns
 * 1 when the cursor is before the ring (the query socket has those). */
static int take_from_ring(sse_stream *s)
{
	web_hub *h = s->h;
	if (s->cursor + 1 < h->first)
		return 1;
	uint64_t i = s->cursor + 1 - h->first;
	for (; i < h->n && s->len < STREAM_FILL; i++) {
		const hub_event *e = ring_at(h, (size_t)i);
		if (topic_match((const char *const *)s->topics, s->n_topics, e->topic) &&
		    stream_append(s, e->frame, e->len) != 0)
			break;
		s->cursor = e->seq;
	}
	return 0;
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
			size_t len;
			char *f = render_frame(ev, &len);
			rc = f != NULL ? stream_append(s, f, len) : TRUCE_ENOMEM;
			free(f);
			if (rc != 0)
				break;
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

/* Gathers the next bytes to send: frames, or a keepalive comment after a
 * quiet spell. Returns -1 when the hub stops. */
static int stream_fill(sse_stream *s)
{
	web_hub *h = s->h;
	while (s->len == s->off) {
		s->len = s->off = 0;
		pthread_mutex_lock(&h->mu);
		if (h->stop) {
			pthread_mutex_unlock(&h->mu);
			return -1;
		}
		int behind = take_from_ring(s);
		if (!behind && s->len == 0) {
			struct timespec ts;
			deadline_in(&ts, STREAM_WAIT_MS);
			if (s->cursor + 1 >= h->first + h->n)
				pthread_cond_timedwait(&h->cv, &h->mu, &ts);
		}
		pthread_mutex_unlock(&h->mu);
		if (behind && take_from_store(s) != 0) {
			/* truced is away: wait a little, keep the stream. */
			struct timespec ts = {0, STREAM_WAIT_MS * 1000000L};
			nanosleep(&ts, NULL);
		}
		if (s->len == 0 && truce_mono_ms() - s->last_sent_ms >= h->keepalive_ms &&
		    stream_append(s, ": keepalive\n\n", 13) != 0)
			return -1;
	}
	return 0;
}

static ssize_t sse_read(void *cls, uint64_t pos, char *out, size_t max)
{
	sse_stream *s = cls;
	(void)pos;
	if (stream_fill(s) != 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	size_t n = s->len - s->off;
	if (n > max)
		n = max;
	memcpy(out, s->buf + s->off, n);
	s->off += n;
	s->last_sent_ms = truce_mono_ms();
	return (ssize_t)n;
}

static void sse_free(void *cls)
{
	sse_stream *s = cls;
	pthread_mutex_lock(&s->h->mu);
	s->h->clients--;
	pthread_mutex_unlock(&s->h->mu);
	for (size_t i = 0; i < s->n_topics; i++)
		free(s->topics[i]);
	free(s->topics);
	free(s->buf);
	free(s);
}

struct MHD_Response *web_sse_response(web_hub *h, uint64_t after, const char *const *topics,
                                      size_t n_topics)
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
	ok = ok && stream_append(s, hello, (size_t)n) == 0;
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
