/*
 * publish.c - live updates: [topic][Event] on the PUB socket.
 *
 * Events reach this stage only after their commit, so a subscriber never
 * sees an event that a crash could take back. PUB drops messages for a
 * subscriber past its high-water mark instead of slowing ingest; the
 * gap-free event seq lets that subscriber notice and backfill through the
 * query socket.
 */
#include <errno.h>
#include <string.h>

#include "truced.h"

void truced_publish(void *sock, truced_outbox *o, const truced_log *lg)
{
	for (size_t i = 0; i < o->n; i++) {
		const truced_outbound *ob = &o->v[i];
		if (zmq_send(sock, o->buf + ob->topic, ob->topic_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) <
		        0 ||
		    zmq_send(sock, o->buf + ob->data, ob->data_len, ZMQ_DONTWAIT) < 0)
			TRUCED_LOGF(lg, TRUCED_LOG_WARN, "publish", "event not published: %s",
			            zmq_strerror(errno));
	}
	truced_outbox_reset(o);
}
