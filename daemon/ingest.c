/*
 * ingest.c - the collectors' side of truced: the ROUTER socket.
 *
 * A collector's DEALER sends [msg_id][Article]; the ROUTER adds the sender's
 * identity in front. Every message that arrives becomes an item. The main
 * thread only receives (truced_ingest_recv); validation (decode, limits,
 * content key) runs on the parse threads (truced_ingest_validate): valid
 * items go on to extraction and commit, invalid ones are marked rejected
 * with a reason and go to quarantine in the same commit. Either way the
 * collector gets exactly one Ack per message, after the commit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "truce/date.h"
#include "truced.h"

int truced_batch_init(truced_batch *b, size_t cap)
{
	b->items = calloc(cap, sizeof(*b->items));
	if (b->items == NULL)
		return TRUCE_ENOMEM;
	b->n = 0;
	b->cap = cap;
	return 0;
}

static void item_clear(truced_item *it)
{
	if (it->has_payload)
		zmq_msg_close(&it->payload);
	truce_wire_article_free(it->article);
	truce_claims_free(&it->claims);
	memset(it, 0, sizeof(*it));
}

void truced_batch_reset(truced_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		item_clear(&b->items[i]);
	b->n = 0;
}

void truced_batch_free(truced_batch *b)
{
	truced_batch_reset(b);
	free(b->items);
	b->items = NULL;
	b->cap = 0;
}

static void item_reject(truced_item *it, enum truced_reject_class cls, const char *reason)
{
	it->rejected = 1;
	it->reject_class = cls;
	snprintf(it->reason, sizeof(it->reason), "%s", reason);
}

static size_t copy_frame(zmq_msg_t *f, uint8_t *dst, size_t cap)
{
	size_t n = zmq_msg_size(f);
	if (n > cap)
		n = cap;
	memcpy(dst, zmq_msg_data(f), n);
	return n;
}

/* The CURVE key the ZAP handler authenticated, recorded with the article. */
static void item_peer_key(truced_item *it, zmq_msg_t *f)
{
	const char *uid = zmq_msg_gets(f, "User-Id");
	if (uid != NULL)
		snprintf(it->peer_key, sizeof(it->peer_key), "%s", uid);
}

/*
 * Receives one whole multipart message into it. Frames past the expected
 * ones are read and dropped (counted), so the next message starts clean.
 * Returns 1 when a message was read, 0 when none waits, <0 on socket error.
 */
static int recv_message(void *sock, truced_item *it)
{
	zmq_msg_t f;
	zmq_msg_init(&f);
	if (zmq_msg_recv(&f, sock, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&f);
		return errno == EAGAIN || errno == EINTR ? 0 : TRUCE_ENET;
	}
	it->received_us = truce_now_us();
	it->identity_len = copy_frame(&f, it->identity, sizeof(it->identity));
	int more = zmq_msg_more(&f);
	zmq_msg_close(&f);
	while (more) {
		zmq_msg_init(&f);
		if (zmq_msg_recv(&f, sock, 0) < 0) {
			zmq_msg_close(&f);
			return TRUCE_ENET;
		}
		more = zmq_msg_more(&f);
		it->frames++;
		if (it->frames == 1)
			/* Every frame carries the connection's metadata; the first
			 * one is read in both cases below, so a malformed message
			 * lands in quarantine with its sender's key too. */
			item_peer_key(it, &f);
		if (it->frames == 1 && !more && !it->has_payload) {
			/* A lone frame: no msg_id, keep it as the payload for quarantine. */
			it->payload = f;
			it->has_payload = 1;
			continue;
		}
		if (it->frames == 1) {
			if (zmq_msg_size(&f) > TRUCE_MAX_MSG_ID)
				item_reject(it, TRUCED_REJECT_MSG_ID,
				            "msg_id frame is over 64 bytes");
			it->msg_id_len = copy_frame(&f, it->msg_id, sizeof(it->msg_id));
			zmq_msg_close(&f);
		} else if (it->frames == 2) {
			it->payload = f;
			it->has_payload = 1;
		} else {
			zmq_msg_close(&f);
		}
	}
	return 1;
}

/* The metric label of a decode error (its reason is a sentence). */
static enum truced_reject_class reject_class(int rc)
{
	switch (rc) {
	case TRUCE_ETOOBIG: return TRUCED_REJECT_TOO_LARGE;
	case TRUCE_EUTF8: return TRUCED_REJECT_BAD_UTF8;
	case TRUCE_EINVAL: return TRUCED_REJECT_INVALID;
	default: return TRUCED_REJECT_MALFORMED;
	}
}

static void item_validate(truced_item *it, const truce_limits *lim)
{
	char reason[TRUCE_REASON_MAX];
	if (it->rejected)
		return;
	if (it->frames != 2) {
		snprintf(reason, sizeof(reason), "expected 2 frames [msg_id][Article], got %u",
		         it->frames);
		item_reject(it, TRUCED_REJECT_FRAMES, reason);
		return;
	}
	int rc = truce_wire_decode_article(zmq_msg_data(&it->payload), zmq_msg_size(&it->payload),
	                                   lim, &it->article, reason, sizeof(reason));
	if (rc != 0) {
		item_reject(it, reject_class(rc), reason);
		return;
	}
	truce_content_key(it->article, it->key);
	truce_chain_frame_digest(zmq_msg_data(&it->payload), zmq_msg_size(&it->payload),
	                         it->frame_digest);
}

void truced_ingest_validate(truced_item *it, const truce_limits *lim, const truced_log *lg)
{
	item_validate(it, lim);
	/* Rejected at receipt (an oversized msg_id) or just now. */
	if (it->rejected)
		TRUCED_LOGF(lg, TRUCED_LOG_WARN, "ingest", "rejected a message: %s", it->reason);
}

int truced_ingest_recv(void *sock, truced_batch *b, const truced_log *lg)
{
	int got = 0;
	while (b->n < b->cap) {
		truced_item *it = &b->items[b->n];
		int rc = recv_message(sock, it);
		if (rc <= 0) {
			if (rc < 0)
				TRUCED_LOGF(lg, TRUCED_LOG_ERROR, "ingest", "receive failed: %s",
				            zmq_strerror(errno));
			item_clear(it);
			return rc < 0 && got == 0 ? rc : got;
		}
		b->n++;
		got++;
	}
	return got;
}

void truced_ingest_ack(void *sock, const truced_batch *b, const truced_log *lg)
{
	for (size_t i = 0; i < b->n; i++) {
		const truced_item *it = &b->items[i];
		Truce__V1__Ack ack = TRUCE__V1__ACK__INIT;
		ack.has_msg_id = 1;
		ack.msg_id.data = (uint8_t *)it->msg_id;
		ack.msg_id.len = it->msg_id_len;
		ack.has_status = 1;
		ack.status = it->status;
		if (it->status == TRUCE__V1__ACK_STATUS__ACK_REJECTED) {
			ack.reason = (char *)it->reason;
			ack.has_quarantine_seq = 1;
			ack.quarantine_seq = it->quarantine_seq;
		} else {
			ack.has_article_seq = 1;
			ack.article_seq = it->article_seq;
		}
		uint8_t buf[512];
		size_t n = truce__v1__ack__get_packed_size(&ack);
		if (n > sizeof(buf))
			continue; /* cannot happen: every field is bounded */
		truce__v1__ack__pack(&ack, buf);
		/* A collector that went away loses its Ack; it re-sends and gets
		 * DUPLICATE, so dropping here is safe. */
		if (zmq_send(sock, it->identity, it->identity_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) <
		        0 ||
		    zmq_send(sock, buf, n, ZMQ_DONTWAIT) < 0)
			TRUCED_LOGF(lg, TRUCED_LOG_DEBUG, "ingest", "ack not sent: %s",
			            zmq_strerror(errno));
	}
}
