/*
 * keys.c - the client side of CURVE (see truce/client.h): a client's keys
 * loaded from key files, a socket made a CURVE client, and the handshake
 * watch that tells a refused key from a daemon that is not there.
 *
 * Secrets pass through stack buffers only and are wiped with
 * sodium_memzero before those go out of scope.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zmq.h>

#include "truce/client.h"

int truce_client_keys_load(const char *server_key_path, const char *secret_path,
                           truce_client_keys *out, char *err, size_t errlen)
{
	truce_client_keys k = {.on = 1};
	int rc = truce_keys_load_public(server_key_path, k.server_public, err, errlen);
	if (rc == 0)
		rc = truce_keys_load_secret(secret_path, k.secret, err, errlen);
	if (rc == 0 && zmq_curve_public(k.public_key, k.secret) != 0) {
		truce__errf(err, errlen, "cannot derive the public key of %s: %s", secret_path,
		            zmq_strerror(errno));
		rc = TRUCE_EINVAL;
	}
	if (rc == 0)
		*out = k;
	sodium_memzero(&k, sizeof(k));
	return rc;
}

int truce_client_curve_setup(void *sock, const truce_client_keys *k)
{
	if (k == NULL || !k->on)
		return 0;
	/* 41 bytes: a NUL-terminated Z85 string, which libzmq decodes. */
	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, k->server_public, TRUCE_KEY_Z85_LEN + 1) !=
	        0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, k->public_key, TRUCE_KEY_Z85_LEN + 1) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, k->secret, TRUCE_KEY_Z85_LEN + 1) != 0)
		return TRUCE_ENET;
	return 0;
}

struct truce_handshake_watch {
	void *sock;      /* the watched socket */
	void *mon;       /* PAIR reading its monitor events */
	uint16_t failed; /* last failure event, 0 = none (or a success since) */
	uint32_t value;
};

int truce_handshake_watch_start(void *zctx, void *sock, truce_handshake_watch **out)
{
	char ep[64];
	truce_handshake_watch *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return TRUCE_ENOMEM;
	/* Unique within the context: one monitor per socket. */
	snprintf(ep, sizeof(ep), "inproc://truce-handshake-%p", sock);
	int linger = 0;
	w->sock = sock;
	if (zmq_socket_monitor(sock, ep,
	                       ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
	                           ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	                           ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0 ||
	    (w->mon = zmq_socket(zctx, ZMQ_PAIR)) == NULL ||
	    zmq_setsockopt(w->mon, ZMQ_LINGER, &linger, sizeof(linger)) != 0 ||
	    zmq_connect(w->mon, ep) != 0) {
		truce_handshake_watch_stop(w);
		return TRUCE_ENET;
	}
	*out = w;
	return 0;
}

const char *truce_handshake_watch_failure(truce_handshake_watch *w, int curve_on)
{
	if (w == NULL)
		return NULL;
	zmq_msg_t m;
	zmq_msg_init(&m);
	while (zmq_msg_recv(&m, w->mon, ZMQ_DONTWAIT) >= 0) {
		if (zmq_msg_size(&m) >= 6) {
			uint16_t ev;
			memcpy(&ev, zmq_msg_data(&m), 2);
			memcpy(&w->value, (uint8_t *)zmq_msg_data(&m) + 2, 4);
			w->failed = ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED ? 0 : ev;
		}
		while (zmq_msg_more(&m) && zmq_msg_recv(&m, w->mon, 0) >= 0)
			; /* the endpoint frame */
	}
	zmq_msg_close(&m);
	if (w->failed == 0)
		return NULL;
	if (w->failed == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
		return "truced refused this client's key: is its .pub in truced's --allow "
		       "directory?";
	return curve_on ? "the CURVE handshake with truced failed: is --curve-server-key "
	                  "truced's .pub, and does truced run with --curve-secret?"
	                : "the handshake with truced failed: it probably requires CURVE "
	                  "(--curve-server-key, --curve-secret)";
}

void truce_handshake_watch_stop(truce_handshake_watch *w)
{
	if (w == NULL)
		return;
	zmq_socket_monitor(w->sock, NULL, 0);
	if (w->mon != NULL)
		zmq_close(w->mon);
	free(w);
}

void truce_client_keys_clear(truce_client_keys *k)
{
	sodium_memzero(k, sizeof(*k));
}
