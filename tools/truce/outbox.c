/*
 * outbox.c - a sender for collectors that never finish (`truce feed`,
 * `truce collect --watch`): the client library's truce_sender with a tag
 * per article and a fresh socket from time to time (see cli.h).
 *
 * truce_sender numbers the articles it is given and keeps a small slot for
 * each until it is freed, which suits a run with an end. A collector that
 * runs for months would keep millions of slots, so once every article it
 * was given is acked and there were enough of them, the outbox closes the
 * socket and starts over with a new sender on a new socket. The new socket
 * is a new connection with a new routing id, so a late ack meant for the
 * old one (of a re-send) cannot be taken for an ack of the new numbering.
 */
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "cli.h"

/* Articles acked before the socket is renewed (when nothing is in flight). */
#define OUTBOX_RENEW 4096

struct cli_outbox {
	void *zctx;
	cli_outbox_opts o;
	char *connect;
	truce_client_keys keys;
	void *sock;
	truce_sender *snd;
	truce_handshake_watch *hw;
	void **tags; /* by sender index */
	size_t cap;
};

static void on_sender_ack(void *ctx, size_t index, const truce_send_item *it)
{
	cli_outbox *ob = ctx;
	if (index < truce_sender_count(ob->snd) && ob->o.on_ack != NULL)
		ob->o.on_ack(ob->o.ctx, ob->tags[index], it);
}

static void drop_socket(cli_outbox *ob)
{
	truce_handshake_watch_stop(ob->hw);
	ob->hw = NULL;
	truce_sender_free(ob->snd);
	ob->snd = NULL;
	if (ob->sock != NULL)
		zmq_close(ob->sock);
	ob->sock = NULL;
}

static int new_socket(cli_outbox *ob)
{
	truce_sender_opts so = {.window = ob->o.window,
	                        .timeout_ms = ob->o.timeout_ms,
	                        .label = ob->o.label,
	                        .progress = 0,
	                        .on_ack = on_sender_ack,
	                        .ctx = ob};
	int rc = truce_sender_socket(ob->zctx, ob->o.window, &ob->sock);
	if (rc == 0)
		rc = truce_client_curve_setup(ob->sock, &ob->keys);
	if (rc == 0) {
		truce_handshake_watch_start(ob->zctx, ob->sock, &ob->hw); /* diagnostics only */
		rc = zmq_connect(ob->sock, ob->connect) == 0 ? 0 : TRUCE_ENET;
	}
	if (rc == 0)
		rc = truce_sender_new(ob->sock, &so, &ob->snd);
	if (rc != 0)
		drop_socket(ob);
	return rc;
}

int cli_outbox_open(void *zctx, const cli_outbox_opts *o, cli_outbox **out)
{
	if (o->window == 0 || o->connect == NULL)
		return TRUCE_EINVAL;
	cli_outbox *ob = calloc(1, sizeof(*ob));
	if (ob == NULL)
		return TRUCE_ENOMEM;
	ob->zctx = zctx;
	ob->o = *o;
	if (o->keys != NULL)
		ob->keys = *o->keys; /* kept for the sockets to come */
	ob->connect = strdup(o->connect);
	int rc = ob->connect != NULL ? new_socket(ob) : TRUCE_ENOMEM;
	if (rc != 0) {
		cli_outbox_close(ob);
		return rc;
	}
	ob->o.connect = ob->connect;
	ob->o.keys = NULL;
	*out = ob;
	return 0;
}

void cli_outbox_close(cli_outbox *ob)
{
	if (ob == NULL)
		return;
	for (size_t i = 0;
	     ob->snd != NULL && ob->o.free_tag != NULL && i < truce_sender_count(ob->snd); i++)
		if (truce_sender_item(ob->snd, i)->state != TRUCE_SEND_DONE)
			ob->o.free_tag(ob->tags[i]);
	drop_socket(ob);
	truce_client_keys_clear(&ob->keys);
	free(ob->tags);
	free(ob->connect);
	free(ob);
}

int cli_outbox_add(cli_outbox *ob, const uint8_t *frame, size_t len, void *tag)
{
	size_t n = truce_sender_count(ob->snd);
	if (truce_grow(&ob->tags, &ob->cap, n, sizeof(*ob->tags), 256) != 0)
		return TRUCE_ENOMEM;
	int rc = truce_sender_add(ob->snd, frame, len, NULL);
	if (rc == 0)
		ob->tags[n] = tag;
	return rc;
}

size_t cli_outbox_unacked(const cli_outbox *ob)
{
	return truce_sender_count(ob->snd) - truce_sender_done(ob->snd);
}

size_t cli_outbox_room(const cli_outbox *ob)
{
	size_t u = cli_outbox_unacked(ob);
	return u < ob->o.window ? ob->o.window - u : 0;
}

int cli_outbox_pump(cli_outbox *ob, int wait_ms)
{
	truce_sender_pump(ob->snd, wait_ms);
	if (truce_sender_count(ob->snd) >= OUTBOX_RENEW && cli_outbox_unacked(ob) == 0) {
		drop_socket(ob);
		return new_socket(ob);
	}
	return 0;
}

int cli_outbox_readable(cli_outbox *ob)
{
	int events = 0;
	size_t len = sizeof(events);
	return zmq_getsockopt(ob->sock, ZMQ_EVENTS, &events, &len) == 0 && (events & ZMQ_POLLIN);
}

int cli_outbox_fd(cli_outbox *ob)
{
	int fd = -1;
	size_t len = sizeof(fd);
	zmq_getsockopt(ob->sock, ZMQ_FD, &fd, &len);
	return fd;
}

const char *cli_outbox_failure(cli_outbox *ob)
{
	return truce_handshake_watch_failure(ob->hw, ob->keys.on);
}
