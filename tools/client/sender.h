/*
 * sender.h - the collector side of the ingest contract, shared by
 * `truce collect` and `truce replay --publish`: frames sent as
 * [msg_id][Article] on a DEALER socket, at most a window of them
 * unacknowledged, each re-sent when its Ack does not come in time (the
 * timeout doubling up to a ceiling) until it is acked STORED, DUPLICATE or
 * REJECTED.
 *
 * The caller owns the socket (so it can add CURVE keys or other options
 * before connecting) and feeds articles either all at once (collect) or a
 * few at a time as a schedule allows (replay --pace): truce_sender_pump()
 * is one turn of the loop, truce_sender_run() loops until done.
 */
#ifndef TRUCE_TOOLS_SENDER_H
#define TRUCE_TOOLS_SENDER_H

#include <stddef.h>
#include <stdint.h>

#include "truce/wire.h"

#define TRUCE_SENDER_MAX_TIMEOUT_MS 30000

typedef struct truce_sender truce_sender;

enum truce_send_state { TRUCE_SEND_PENDING, TRUCE_SEND_INFLIGHT, TRUCE_SEND_DONE };

/* What is known about one queued article; valid until the sender is freed. */
typedef struct truce_send_item {
	enum truce_send_state state;
	unsigned sends;              /* times sent, re-sends included */
	Truce__V1__AckStatus status; /* when DONE */
	uint64_t seq;                /* Ack.article_seq, 0 if none */
	char *reason;                /* Ack.reason, NULL if none */
} truce_send_item;

/* Called once per article when its first Ack arrives. */
typedef void (*truce_sender_ack_fn)(void *ctx, size_t index, const truce_send_item *it);

typedef struct truce_sender_opts {
	size_t window;              /* most articles unacknowledged at once */
	int64_t timeout_ms;         /* first re-send timeout; doubles up to the ceiling */
	const char *label;          /* progress line prefix, e.g. "collect" */
	int progress;               /* print a progress line on stderr (when a tty) */
	truce_sender_ack_fn on_ack; /* may be NULL */
	void *ctx;
} truce_sender_opts;

/* A DEALER socket with the options the window needs (no linger, a send
 * high-water mark above the window), not yet connected. */
int truce_sender_socket(void *zctx, size_t window, void **sock);

int truce_sender_new(void *sock, const truce_sender_opts *o, truce_sender **out);
void truce_sender_free(truce_sender *s);

/* Queues one packed Article; the sender copies it and frees the copy once
 * the article is acked. *index (may be NULL) is its number: the order of
 * the calls, from 0. */
int truce_sender_add(truce_sender *s, const uint8_t *frame, size_t len, size_t *index);

/* One turn: re-sends what timed out, sends queued articles while the window
 * has room, then waits up to wait_ms for Acks and handles them. */
void truce_sender_pump(truce_sender *s, int wait_ms);

/* Pumps until every queued article is acked or deadline_ms has passed since
 * the call, printing progress; ends the progress line. */
void truce_sender_run(truce_sender *s, int64_t deadline_ms);

/* Counters, for reports and schedules. */
size_t truce_sender_count(const truce_sender *s);    /* queued so far */
size_t truce_sender_done(const truce_sender *s);     /* acked */
size_t truce_sender_inflight(const truce_sender *s); /* sent, not acked */
size_t truce_sender_status_count(const truce_sender *s, Truce__V1__AckStatus st);
const truce_send_item *truce_sender_item(const truce_sender *s, size_t index);

/* For reports: "STORED", "DUPLICATE", "REJECTED" or "UNACKED"; and whether
 * the article is safely in the store (acked STORED or DUPLICATE). */
const char *truce_send_status_name(const truce_send_item *it);
int truce_send_item_ok(const truce_send_item *it);

#endif
