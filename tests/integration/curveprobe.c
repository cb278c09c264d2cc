/*
 * curveprobe.c - test helper: connects one socket to a truced endpoint and
 * reports, from libzmq's socket monitor, whether the ZMTP handshake
 * completed. A connection whose handshake fails never carries a message in
 * either direction, so "refused" here means the peer gets nothing from
 * that socket, whatever the daemon would have sent.
 *
 *   truce-curveprobe dealer|sub ENDPOINT [SERVER.pub CLIENT.key] [--wait MS]
 *
 * Prints one line: "ok", "refused: auth status N" (the ZAP status code),
 * "refused: protocol error 0xN", "refused: no detail" or "no handshake"
 * (nothing within --wait, default 3000 ms). Exits 0 only for "ok".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "truce/date.h"
#include "truce/client.h"
#include "truce/wire.h"

static int usage(void)
{
	fprintf(stderr, "usage: truce-curveprobe dealer|sub ENDPOINT [SERVER.pub CLIENT.key] "
	                "[--wait MS]\n");
	return 2;
}

/* Reads one monitor event; 0 when one came within ms. */
static int next_event(void *mon, int ms, uint16_t *event, uint32_t *value)
{
	zmq_pollitem_t pi = {.socket = mon, .events = ZMQ_POLLIN};
	if (zmq_poll(&pi, 1, ms) <= 0)
		return -1;
	zmq_msg_t m;
	zmq_msg_init(&m);
	if (zmq_msg_recv(&m, mon, 0) < 0 || zmq_msg_size(&m) < 6) {
		zmq_msg_close(&m);
		return -1;
	}
	const uint8_t *d = zmq_msg_data(&m);
	memcpy(event, d, 2);
	memcpy(value, d + 2, 4);
	while (zmq_msg_more(&m) && zmq_msg_recv(&m, mon, 0) >= 0)
		; /* the endpoint frame */
	zmq_msg_close(&m);
	return 0;
}

int main(int argc, char **argv)
{
	int wait_ms = 3000, nargs = 0;
	const char *args[4] = {0};
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc)
			wait_ms = atoi(argv[++i]);
		else if (nargs < 4)
			args[nargs++] = argv[i];
		else
			return usage();
	}
	if (nargs != 2 && nargs != 4)
		return usage();
	int type = strcmp(args[0], "sub") == 0 ? ZMQ_SUB : ZMQ_DEALER;
	truce_client_keys keys = {0};
	char err[512];
	if (nargs == 4 && truce_client_keys_load(args[2], args[3], &keys, err, sizeof(err)) != 0) {
		fprintf(stderr, "curveprobe: %s\n", err);
		return 3;
	}
	void *ctx = zmq_ctx_new();
	void *sock = zmq_socket(ctx, type);
	int linger = 0;
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	if (type == ZMQ_SUB)
		zmq_setsockopt(sock, ZMQ_SUBSCRIBE, "", 0);
	if (truce_client_curve_setup(sock, &keys) != 0 ||
	    zmq_socket_monitor(sock, "inproc://curveprobe", ZMQ_EVENT_ALL) != 0) {
		fprintf(stderr, "curveprobe: socket setup failed: %s\n", zmq_strerror(zmq_errno()));
		return 3;
	}
	void *mon = zmq_socket(ctx, ZMQ_PAIR);
	zmq_setsockopt(mon, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_connect(mon, "inproc://curveprobe");
	if (zmq_connect(sock, args[1]) != 0) {
		fprintf(stderr, "curveprobe: cannot connect %s\n", args[1]);
		return 3;
	}
	int64_t end = truce_now_us() + (int64_t)wait_ms * 1000;
	const char *verdict = "no handshake";
	char buf[64];
	int rc = 1;
	for (int64_t now; (now = truce_now_us()) < end;) {
		uint16_t ev;
		uint32_t val;
		if (next_event(mon, (int)((end - now) / 1000) + 1, &ev, &val) != 0)
			break;
		if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
			verdict = "ok";
			rc = 0;
			break;
		}
		if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
			snprintf(buf, sizeof(buf), "refused: auth status %u", val);
			verdict = buf;
			break;
		}
		if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
			snprintf(buf, sizeof(buf), "refused: protocol error 0x%x", val);
			verdict = buf;
			break;
		}
		if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
			verdict = "refused: no detail";
			break;
		}
		/* CONNECTED, DISCONNECTED, retries...: keep waiting. */
	}
	puts(verdict);
	truce_client_keys_clear(&keys);
	zmq_socket_monitor(sock, NULL, 0);
	zmq_close(mon);
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return rc;
}
