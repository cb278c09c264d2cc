/*
 * qclient.c - truced's query socket (see truce/client.h): request/reply
 * over a DEALER socket with an empty delimiter frame (what REQ would send),
 * plus a receive timeout that REQ lacks; CURVE when the caller gives keys.
 */
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "truce/client.h"

struct truce_qclient {
	void *ctx;
	void *sock;
	char *endpoint;
	int timeout_ms;
	truce_client_keys keys;    /* off: plain */
	truce_handshake_watch *hw; /* diagnostics only: may be NULL */
	const char *failure;       /* why the last call timed out, if known */
};

static void close_socket(truce_qclient *q)
{
	truce_handshake_watch_stop(q->hw);
	q->hw = NULL;
	if (q->sock != NULL)
		zmq_close(q->sock);
	q->sock = NULL;
}

static int connect_socket(truce_qclient *q)
{
	int linger = 0;
	q->sock = zmq_socket(q->ctx, ZMQ_DEALER);
	if (q->sock == NULL)
		return TRUCE_ENET;
	if (truce_client_curve_setup(q->sock, &q->keys) != 0) {
		close_socket(q);
		return TRUCE_ENET;
	}
	truce_handshake_watch_start(q->ctx, q->sock, &q->hw);
	zmq_setsockopt(q->sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(q->sock, ZMQ_RCVTIMEO, &q->timeout_ms, sizeof(q->timeout_ms));
	if (zmq_connect(q->sock, q->endpoint) != 0) {
		close_socket(q);
		return TRUCE_EINVAL;
	}
	return 0;
}

int truce_qclient_open(const char *endpoint, int timeout_ms, const truce_client_keys *keys,
                       truce_qclient **out)
{
	truce_qclient *q = calloc(1, sizeof(*q));
	if (q == NULL)
		return TRUCE_ENOMEM;
	if (keys != NULL)
		q->keys = *keys;
	q->endpoint = strdup(endpoint);
	q->timeout_ms = timeout_ms;
	q->ctx = zmq_ctx_new();
	int rc = q->ctx == NULL        ? TRUCE_ENET
	         : q->endpoint == NULL ? TRUCE_ENOMEM
	                               : connect_socket(q);
	if (rc != 0) {
		truce_qclient_close(q);
		return rc;
	}
	*out = q;
	return 0;
}

void truce_qclient_close(truce_qclient *q)
{
	if (q == NULL)
		return;
	close_socket(q);
	if (q->ctx != NULL)
		zmq_ctx_term(q->ctx);
	truce_client_keys_clear(&q->keys);
	free(q->endpoint);
	free(q);
}

int truce_qclient_call(truce_qclient *q, const Truce__V1__QueryRequest *rq,
                       Truce__V1__QueryReply **out)
{
	uint8_t *buf;
	size_t len;
	int rc = truce_wire_pack(&rq->base, &buf, &len);
	if (rc != 0)
		return rc;
	rc = zmq_send(q->sock, "", 0, ZMQ_SNDMORE) < 0 || zmq_send(q->sock, buf, len, 0) < 0
	         ? TRUCE_ENET
	         : 0;
	free(buf);
	zmq_msg_t m;
	zmq_msg_init(&m);
	Truce__V1__QueryReply *r = NULL;
	while (rc == 0 && zmq_msg_recv(&m, q->sock, 0) >= 0) {
		if (!zmq_msg_more(&m)) {
			r = truce__v1__query_reply__unpack(NULL, zmq_msg_size(&m),
			                                   zmq_msg_data(&m));
			rc = r != NULL ? 0 : TRUCE_EPROTO;
			break;
		}
	}
	zmq_msg_close(&m);
	if (rc == 0 && r == NULL) {
		rc = TRUCE_ETIMEDOUT;
		q->failure = truce_handshake_watch_failure(q->hw, q->keys.on);
		close_socket(q);
		connect_socket(q);
	}
	if (rc == 0)
		*out = r;
	return rc;
}

const char *truce_qclient_failure(const truce_qclient *q)
{
	return q != NULL ? q->failure : NULL;
}
