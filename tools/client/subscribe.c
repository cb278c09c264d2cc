/*
 * subscribe.c - live events that never miss one (see truce/client.h): a SUB
 * socket for the live feed and the query socket for what it missed.
 *
 * Events come from two places, in seq order: the reply of the last
 * EVENTS_AFTER request (the backfill, one bounded chunk at a time, so a
 * subscriber resuming from seq 0 of a large store never holds more than a
 * chunk), then the SUB socket. A live event whose seq jumps past the last
 * one handled is held back while the hole is filled from the query socket.
 *
 * With a query socket, the SUB socket subscribes to every topic and the
 * topic filter runs here, after the gap check: a jump in seq is then a real
 * loss, never a filtered topic. Live-only subscribers let ZeroMQ filter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "client_int.h"
#include "truce/date.h"

#define DEFAULT_HWM 100000
#define DEFAULT_QUERY_TIMEOUT_MS 5000
#define DEFAULT_IDLE_CATCHUP_MS 2000
#define BACKFILL_CHUNK 1000
#define POLL_SLICE_MS 500 /* the longest wait between two looks at the clock */
#define CONNECT_WAIT_MS 100

struct truce_sub {
	void *ctx;
	void *sock;
	truce_qclient *qc; /* NULL: live only */
	truce_client_keys keys;
	truce_handshake_watch *hw; /* the SUB socket's handshakes, for notes */
	const char *said;          /* the refusal last noted */
	char **topics;
	size_t n_topics;
	int idle_catchup_ms;
	truce_note_fn note;
	void *note_ctx;

	uint64_t last; /* last seq handled */
	int have_last;
	int catching_up;              /* a backfill is under way */
	int quiet_fill;               /* ...started because the feed went quiet */
	uint64_t upto;                /* ...up to this seq (0: to the end) */
	int64_t quiet_ms;             /* when the feed last spoke */
	Truce__V1__QueryReply *chunk; /* backfilled events not yet handed out */
	size_t pos;
	Truce__V1__Event *held; /* a live event that revealed a hole */
};

static int topic_match(const truce_sub *s, const char *topic)
{
	if (s->n_topics == 0)
		return 1;
	for (size_t i = 0; i < s->n_topics; i++)
		if (strncmp(topic, s->topics[i], strlen(s->topics[i])) == 0)
			return 1;
	return 0;
}

/* A refused handshake looks like a quiet feed: say so, once. */
static void note_refused(truce_sub *s)
{
	const char *why = truce_handshake_watch_failure(s->hw, s->keys.on);
	if (why != NULL && why != s->said)
		truce__note(s->note, s->note_ctx, "%s", why);
	s->said = why;
}

static int copy_topics(truce_sub *s, const truce_sub_opts *o)
{
	if (o->n_topics == 0)
		return 0;
	s->topics = calloc(o->n_topics, sizeof(*s->topics));
	if (s->topics == NULL)
		return TRUCE_ENOMEM;
	for (size_t i = 0; i < o->n_topics; i++) {
		s->topics[i] = strdup(o->topics[i]);
		if (s->topics[i] == NULL)
			return TRUCE_ENOMEM;
		s->n_topics++;
	}
	return 0;
}

static int open_sub_socket(truce_sub *s, const truce_sub_opts *o)
{
	int linger = 0, hwm = o->hwm > 0 ? o->hwm : DEFAULT_HWM;
	s->sock = zmq_socket(s->ctx, ZMQ_SUB);
	if (s->sock == NULL || truce_client_curve_setup(s->sock, &s->keys) != 0)
		return TRUCE_ENET;
	truce_handshake_watch_start(s->ctx, s->sock, &s->hw); /* NULL: no notes, no harm */
	zmq_setsockopt(s->sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(s->sock, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	if (o->query == NULL && s->n_topics > 0)
		for (size_t i = 0; i < s->n_topics; i++)
			zmq_setsockopt(s->sock, ZMQ_SUBSCRIBE, s->topics[i], strlen(s->topics[i]));
	else
		zmq_setsockopt(s->sock, ZMQ_SUBSCRIBE, "", 0);
	return zmq_connect(s->sock, o->publish) == 0 ? 0 : TRUCE_EINVAL;
}

int truce_sub_open(const truce_sub_opts *o, truce_sub **out)
{
	if (o == NULL || o->publish == NULL)
		return TRUCE_EINVAL;
	truce_sub *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return TRUCE_ENOMEM;
	if (o->keys != NULL)
		s->keys = *o->keys;
	s->idle_catchup_ms = o->idle_catchup_ms > 0 ? o->idle_catchup_ms : DEFAULT_IDLE_CATCHUP_MS;
	s->note = o->note;
	s->note_ctx = o->note_ctx;
	s->last = o->since;
	s->have_last = o->has_since;
	s->catching_up = o->has_since && o->query != NULL;
	s->quiet_ms = truce_mono_ms();
	s->ctx = zmq_ctx_new();
	int rc = s->ctx != NULL ? copy_topics(s, o) : TRUCE_ENET;
	if (rc == 0)
		rc = open_sub_socket(s, o);
	if (rc == 0 && o->query != NULL)
		rc = truce_qclient_open(o->query,
		                        o->query_timeout_ms > 0 ? o->query_timeout_ms
		                                                : DEFAULT_QUERY_TIMEOUT_MS,
		                        &s->keys, &s->qc);
	if (rc != 0) {
		truce_sub_close(s);
		return rc;
	}
	if (s->catching_up) {
		/* Let the SUB connect before the backfill reads the store, so
		 * that the live feed picks up where the backfill ends (a miss
		 * would still be filled, but later). */
		struct timespec ts = {0, CONNECT_WAIT_MS * 1000000L};
		nanosleep(&ts, NULL);
	}
	*out = s;
	return 0;
}

void truce_sub_close(truce_sub *s)
{
	if (s == NULL)
		return;
	if (s->chunk != NULL) {
		/* Handed-out events were detached (NULL); free the rest. */
		for (size_t i = 0; i < s->chunk->n_events; i++)
			if (s->chunk->events[i] != NULL)
				truce__v1__event__free_unpacked(s->chunk->events[i], NULL);
		s->chunk->n_events = 0;
		truce__v1__query_reply__free_unpacked(s->chunk, NULL);
	}
	if (s->held != NULL)
		truce__v1__event__free_unpacked(s->held, NULL);
	truce_qclient_close(s->qc);
	truce_handshake_watch_stop(s->hw);
	if (s->sock != NULL)
		zmq_close(s->sock);
	if (s->ctx != NULL)
		zmq_ctx_term(s->ctx);
	for (size_t i = 0; i < s->n_topics; i++)
		free(s->topics[i]);
	free(s->topics);
	truce_client_keys_clear(&s->keys);
	free(s);
}

uint64_t truce_sub_last(const truce_sub *s)
{
	return s->have_last ? s->last : 0;
}

/* Takes the next backfilled event out of the chunk (the chunk keeps a NULL
 * in its place), or NULL when the chunk is used up (and then freed). */
static Truce__V1__Event *chunk_take(truce_sub *s)
{
	if (s->chunk == NULL)
		return NULL;
	if (s->pos < s->chunk->n_events) {
		Truce__V1__Event *ev = s->chunk->events[s->pos];
		s->chunk->events[s->pos++] = NULL;
		return ev;
	}
	s->chunk->n_events = 0; /* every element was taken */
	truce__v1__query_reply__free_unpacked(s->chunk, NULL);
	s->chunk = NULL;
	return NULL;
}

/* The next chunk of the backfill: events after s->last. Ends the backfill
 * when the store has nothing more (or nothing more up to s->upto). A
 * request that times out is retried by the next call. */
static int backfill_chunk(truce_sub *s)
{
	Truce__V1__QueryRequest rq = TRUCE__V1__QUERY_REQUEST__INIT;
	rq.has_kind = rq.has_after = rq.has_limit = 1;
	rq.kind = TRUCE__V1__QUERY_REQUEST__KIND__EVENTS_AFTER;
	rq.after = s->have_last ? s->last : 0;
	rq.limit = BACKFILL_CHUNK;
	Truce__V1__QueryReply *r;
	int rc = truce_qclient_call(s->qc, &rq, &r);
	if (rc == TRUCE_ETIMEDOUT) {
		const char *why = truce_qclient_failure(s->qc);
		truce__note(s->note, s->note_ctx, "no answer from the query socket, retrying%s%s",
		            why ? ": " : "", why ? why : "");
		return 0;
	}
	if (rc != 0)
		return rc;
	if (!r->ok) {
		truce__note(s->note, s->note_ctx, "query failed: %s",
		            r->error ? r->error : "no reason given");
		truce__v1__query_reply__free_unpacked(r, NULL);
		return TRUCE_EIO;
	}
	size_t n = r->n_events;
	if (!r->more || n == 0 || (s->upto != 0 && r->events[n - 1]->seq >= s->upto))
		s->catching_up = 0;
	s->chunk = r;
	s->pos = 0;
	return 0;
}

/* Starts filling from s->last up to upto (0: the end). */
static void start_backfill(truce_sub *s, uint64_t upto, int quiet)
{
	s->catching_up = 1;
	s->upto = upto;
	s->quiet_fill = quiet;
}

/* One received live event, or NULL (nothing within wait_ms, or junk). */
static Truce__V1__Event *recv_live(truce_sub *s, int wait_ms)
{
	zmq_pollitem_t pi = {.socket = s->sock, .events = ZMQ_POLLIN};
	if (zmq_poll(&pi, 1, wait_ms) <= 0)
		return NULL;
	zmq_msg_t topic, body;
	zmq_msg_init(&topic);
	zmq_msg_init(&body);
	int ok = zmq_msg_recv(&topic, s->sock, 0) >= 0 && zmq_msg_more(&topic) &&
	         zmq_msg_recv(&body, s->sock, 0) >= 0;
	Truce__V1__Event *ev =
	    ok ? truce__v1__event__unpack(NULL, zmq_msg_size(&body), zmq_msg_data(&body)) : NULL;
	while (zmq_msg_more(&body) && zmq_msg_recv(&body, s->sock, 0) >= 0)
		; /* a frame more than the contract has: drop it */
	zmq_msg_close(&topic);
	zmq_msg_close(&body);
	return ev;
}

/* Hands ev out when it is new and matches (1), else frees it (0). */
static int accept_event(truce_sub *s, Truce__V1__Event *ev)
{
	if (s->have_last && ev->seq <= s->last) {
		truce__v1__event__free_unpacked(ev, NULL); /* already handled */
		return 0;
	}
	s->last = ev->seq;
	s->have_last = 1;
	if (topic_match(s, ev->topic != NULL ? ev->topic : ""))
		return 1;
	truce__v1__event__free_unpacked(ev, NULL);
	return 0;
}

/* A live event: hold it back and fill the hole first when its seq jumps. */
static int take_live(truce_sub *s, Truce__V1__Event *ev)
{
	s->quiet_ms = truce_mono_ms();
	if (s->qc != NULL && s->have_last && ev->seq > s->last + 1) {
		truce__note(s->note, s->note_ctx, "events %llu..%llu missed live, backfilling",
		            (unsigned long long)s->last + 1, (unsigned long long)ev->seq - 1);
		s->held = ev;
		start_backfill(s, ev->seq - 1, 0);
		return 0;
	}
	return accept_event(s, ev);
}

/* The feed has been quiet: ask the query socket what it has. */
static void check_quiet(truce_sub *s)
{
	note_refused(s);
	if (s->qc == NULL || !s->have_last || truce_mono_ms() - s->quiet_ms < s->idle_catchup_ms)
		return;
	s->quiet_ms = truce_mono_ms();
	start_backfill(s, 0, 1);
}

int truce_sub_next(truce_sub *s, int timeout_ms, Truce__V1__Event **out)
{
	int64_t deadline = truce_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	for (;;) {
		Truce__V1__Event *ev = chunk_take(s);
		if (ev != NULL) {
			if (accept_event(s, ev)) {
				*out = ev;
				return 0;
			}
			continue;
		}
		if (s->catching_up) {
			uint64_t before = s->last;
			int rc = backfill_chunk(s);
			if (rc != 0)
				return rc;
			if (s->chunk == NULL && truce_mono_ms() >= deadline)
				return TRUCE_ETIMEDOUT; /* the query socket is silent */
			if (s->quiet_fill && s->chunk != NULL && s->chunk->n_events > 0)
				truce__note(
				    s->note, s->note_ctx,
				    "events %llu..%llu missed live, backfilling (found while the "
				    "feed "
				    "was quiet)",
				    (unsigned long long)before + 1,
				    (unsigned long long)s->chunk->events[s->chunk->n_events - 1]
				        ->seq);
			if (s->chunk != NULL)
				s->quiet_fill = 0;
			continue;
		}
		if (s->held != NULL) {
			ev = s->held;
			s->held = NULL;
			if (accept_event(s, ev)) {
				*out = ev;
				return 0;
			}
			continue;
		}
		int64_t left = deadline - truce_mono_ms();
		if (left <= 0)
			return TRUCE_ETIMEDOUT;
		ev = recv_live(s, (int)(left < POLL_SLICE_MS ? left : POLL_SLICE_MS));
		if (ev == NULL) {
			check_quiet(s);
			continue;
		}
		if (take_live(s, ev)) {
			*out = ev;
			return 0;
		}
	}
}
