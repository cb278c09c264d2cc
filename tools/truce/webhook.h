/*
 * webhook.h - handing each event of `truce watch` to a receiver, retried
 * until it is taken (webhook.c).
 */
#ifndef TRUCE_WEBHOOK_H
#define TRUCE_WEBHOOK_H

#include <signal.h>
#include <stdint.h>

#include "truce/client.h"

typedef struct cli_webhook cli_webhook;

typedef struct cli_webhook_opts {
	const char *url;        /* --post: an http:// or https:// URL; or */
	const char *exec;       /* --exec: a /bin/sh command line */
	int64_t backoff_max_ms; /* the longest wait between two attempts */
	int timeout_ms;         /* one POST's time limit */
	truce_note_fn note;     /* failed attempts; NULL = silent */
	void *note_ctx;
} cli_webhook_opts;

/* Exactly one of url and exec. */
int cli_webhook_open(const cli_webhook_opts *o, cli_webhook **out);
void cli_webhook_close(cli_webhook *w);

/* Delivers ev, retrying with a doubling wait until it is taken: 0; or
 * TRUCE_EINTR when *stop was set first (the event was not delivered). */
int cli_webhook_deliver(cli_webhook *w, const Truce__V1__Event *ev,
                        const volatile sig_atomic_t *stop);

#endif
