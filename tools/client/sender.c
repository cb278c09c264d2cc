/*
 * sender.c - the send window of the ingest contract (see sender.h): msg_id
 * numbering, sending within the window, re-sends with a doubling timeout,
 * Ack matching. Shared by `truce collect` and `truce replay --publish` so
 * that a replayed store reaches a daemon exactly as a collector's articles
 * would.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "truce/date.h"
#include "truce/client.h"

#define MSG_ID_LEN 8 /* the article's index, big-endian */

typedef struct send_slot {
	truce_send_item it;
	uint8_t *frame; /* packed Article; freed once acked */
	size_t len;
	int64_t sent_ms;
	int64_t timeout_ms;
} send_slot;

struct truce_sender {
	void *sock;
	truce_sender_opts o;
	send_slot *v;
	size_t n, cap;
	size_t next; /* first article never sent */
	size_t lo;   /* first article not acked: re-sends are looked for from here */
	size_t inflight, done;
	size_t by_status[3];
};

int truce_sender_socket(void *zctx, size_t window, void **sock)
{
	void *s = zmq_socket(zctx, ZMQ_DEALER);
	if (s == NULL)
		return TRUCE_ENET;
	/* Enough send queue for the window and its re-sends, so that sending
	 * within the window never blocks. */
	int linger = 0, hwm = (int)(window * 4 + 16);
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	*sock = s;
	return 0;
}

int truce_sender_new(void *sock, const truce_sender_opts *o, truce_sender **out)
{
	if (o->window == 0 || o->timeout_ms <= 0)
		return TRUCE_EINVAL;
	truce_sender *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return TRUCE_ENOMEM;
	s->sock = sock;
	s->o = *o;
	if (s->o.label == NULL)
		s->o.label = "send";
	*out = s;
	return 0;
}

void truce_sender_free(truce_sender *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].frame);
		free(s->v[i].it.reason);
	}
	free(s->v);
	free(s);
}

int truce_sender_add(truce_sender *s, const uint8_t *frame, size_t len, size_t *index)
{
	if (truce_grow(&s->v, &s->cap, s->n, sizeof(*s->v), 256) != 0)
		return TRUCE_ENOMEM;
	send_slot *sl = &s->v[s->n];
	memset(sl, 0, sizeof(*sl));
	sl->frame = malloc(len > 0 ? len : 1);
	if (sl->frame == NULL)
		return TRUCE_ENOMEM;
	memcpy(sl->frame, frame, len);
	sl->len = len;
	if (index != NULL)
		*index = s->n;
	s->n++;
	return 0;
}

static int send_one(truce_sender *s, size_t i)
{
	send_slot *sl = &s->v[i];
	uint8_t msg_id[MSG_ID_LEN];
	for (int k = 0; k < MSG_ID_LEN; k++)
		msg_id[k] = (uint8_t)((uint64_t)i >> (56 - 8 * k));
	if (zmq_send(s->sock, msg_id, sizeof(msg_id), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
		return -1;
	if (zmq_send(s->sock, sl->frame, sl->len, ZMQ_DONTWAIT) < 0)
		return -1;
	if (sl->it.state != TRUCE_SEND_INFLIGHT)
		s->inflight++;
	sl->it.state = TRUCE_SEND_INFLIGHT;
	sl->sent_ms = truce_mono_ms();
	/* Doubling up to the ceiling, which a longer first timeout raises:
	 * re-sends never come faster than the caller asked for. */
	int64_t ceiling = s->o.timeout_ms > TRUCE_SENDER_MAX_TIMEOUT_MS
	                      ? s->o.timeout_ms
	                      : TRUCE_SENDER_MAX_TIMEOUT_MS;
	sl->timeout_ms = sl->it.sends == 0              ? s->o.timeout_ms
	                 : sl->timeout_ms * 2 > ceiling ? ceiling
	                                                : sl->timeout_ms * 2;
	sl->it.sends++;
	return 0;
}

static void handle_ack(truce_sender *s, const uint8_t *buf, size_t len)
{
	Truce__V1__Ack *ack = truce__v1__ack__unpack(NULL, len, buf);
	/* An ack that does not decode or name one of our msg_ids is dropped
	 * like a lost one (its article, if any, is sent again), silently: the
	 * library prints nothing it was not asked to. */
	if (ack == NULL || ack->msg_id.len != MSG_ID_LEN) {
		if (ack != NULL)
			truce__v1__ack__free_unpacked(ack, NULL);
		return;
	}
	uint64_t i = 0;
	for (int k = 0; k < MSG_ID_LEN; k++)
		i = (i << 8) | ack->msg_id.data[k];
	if (i < s->n && s->v[i].it.state == TRUCE_SEND_INFLIGHT) {
		send_slot *sl = &s->v[i];
		sl->it.state = TRUCE_SEND_DONE;
		sl->it.status = ack->status;
		sl->it.seq = ack->has_article_seq ? ack->article_seq : 0;
		sl->it.reason = ack->reason != NULL ? strdup(ack->reason) : NULL;
		free(sl->frame); /* never sent again */
		sl->frame = NULL;
		s->inflight--;
		s->done++;
		if ((unsigned)ack->status < 3)
			s->by_status[ack->status]++;
		if (s->o.on_ack != NULL)
			s->o.on_ack(s->o.ctx, (size_t)i, &sl->it);
	}
	/* else: a late ack of an article already acked by an earlier send */
	truce__v1__ack__free_unpacked(ack, NULL);
}

static void drain_acks(truce_sender *s, int wait_ms)
{
	zmq_pollitem_t pi = {.socket = s->sock, .events = ZMQ_POLLIN};
	if (zmq_poll(&pi, 1, wait_ms) <= 0)
		return;
	zmq_msg_t m;
	zmq_msg_init(&m);
	while (zmq_msg_recv(&m, s->sock, ZMQ_DONTWAIT) >= 0) {
		handle_ack(s, zmq_msg_data(&m), zmq_msg_size(&m));
		while (zmq_msg_more(&m) && zmq_msg_recv(&m, s->sock, 0) >= 0)
			; /* an ack is one frame; skip anything else */
	}
	zmq_msg_close(&m);
}

void truce_sender_pump(truce_sender *s, int wait_ms)
{
	int64_t now = truce_mono_ms();
	/* Acks arrive roughly in order, so skipping the acked prefix keeps a
	 * turn near the window's size; replay --publish pumps once per article,
	 * and scanning from 0 made that quadratic in the store. */
	while (s->lo < s->next && s->v[s->lo].it.state == TRUCE_SEND_DONE)
		s->lo++;
	for (size_t i = s->lo; i < s->next; i++) {
		send_slot *sl = &s->v[i];
		if (sl->it.state == TRUCE_SEND_INFLIGHT && now - sl->sent_ms >= sl->timeout_ms)
			send_one(s, i);
	}
	while (s->next < s->n && s->inflight < s->o.window) {
		if (send_one(s, s->next) != 0)
			break;
		s->next++;
	}
	drain_acks(s, wait_ms);
}

static void progress(const truce_sender *s, int final)
{
	if (!s->o.progress || !isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r%s: %zu/%zu acked, %zu in flight", s->o.label, s->done, s->n,
	        s->inflight);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

void truce_sender_run(truce_sender *s, int64_t deadline_ms)
{
	int64_t start = truce_mono_ms(), last_progress = 0;
	while (s->done < s->n && truce_mono_ms() - start < deadline_ms) {
		int64_t now = truce_mono_ms();
		truce_sender_pump(s, 50);
		if (now - last_progress >= 1000) {
			progress(s, 0);
			last_progress = now;
		}
	}
	progress(s, 1);
}

size_t truce_sender_count(const truce_sender *s)
{
	return s->n;
}

size_t truce_sender_done(const truce_sender *s)
{
	return s->done;
}

size_t truce_sender_inflight(const truce_sender *s)
{
	return s->inflight;
}

size_t truce_sender_status_count(const truce_sender *s, Truce__V1__AckStatus st)
{
	return (unsigned)st < 3 ? s->by_status[st] : 0;
}

const truce_send_item *truce_sender_item(const truce_sender *s, size_t index)
{
	return index < s->n ? &s->v[index].it : NULL;
}

const char *truce_send_status_name(const truce_send_item *it)
{
	if (it->state != TRUCE_SEND_DONE)
		return "UNACKED";
	switch (it->status) {
	case TRUCE__V1__ACK_STATUS__ACK_STORED: return "STORED";
	case TRUCE__V1__ACK_STATUS__ACK_DUPLICATE: return "DUPLICATE";
	default: return "REJECTED";
	}
}

int truce_send_item_ok(const truce_send_item *it)
{
	return it->state == TRUCE_SEND_DONE && it->status != TRUCE__V1__ACK_STATUS__ACK_REJECTED;
}
