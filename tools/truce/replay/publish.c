/*
 * replay/publish.c - `truce replay --publish EP`: sends the stored articles,
 * in order, to another daemon's ingest socket exactly as a collector would
 * (the send window of sender.c: [msg_id][Article], acks, re-sends), at the
 * original pace, a multiple of it, or as fast as the window allows.
 *
 * What goes out is the Article bytes as they sit inside the stored record,
 * not a re-encoding, so a store replayed into an empty daemon holds the
 * same Article protobufs byte for byte (and, the extractor being a pure
 * function, the same claims and incidents).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zmq.h>

#include "truce/date.h"
#include "cli.h"
#include "replay.h"

#define ARTICLE_FIELD 5 /* ArticleRecord.article */

typedef struct publish_ctx {
	const replay_opts *o;
	truce_sender *snd;
	uint64_t *seqs; /* original seq, by sender index */
	size_t n, cap;
	int64_t t0_ms;   /* when the first article went out */
	int64_t base_us; /* its receipt time */
	int64_t last_change_ms;
	size_t last_done;
	uint64_t undecodable;
	int stalled;       /* no ack for --deadline with articles in flight */
	int stopped_early; /* stalled before every selected article was queued */
	replay_progress prog;
	uint64_t total;
} publish_ctx;

/* Found by walking the protobuf wire format; a repeated field 5 would be
 * merged by protobuf, so it is refused rather than guessed at. */
int replay_article_bytes(const uint8_t *p, size_t len, const uint8_t **out, size_t *out_len)
{
	const uint8_t *end = p + len, *art = NULL;
	size_t art_len = 0;
	int found = 0;
	truce_pb_field f;
	while (p < end) {
		if (truce_pb_next(&p, end, &f) != 0)
			return -1;
		if (f.wire_type == 2 && f.number == ARTICLE_FIELD) {
			art = f.data;
			art_len = f.len;
			found++;
		}
	}
	if (found != 1)
		return -1;
	*out = art;
	*out_len = art_len;
	return 0;
}

static void progress(publish_ctx *ctx)
{
	char extra[80];
	snprintf(extra, sizeof(extra), "(%zu acked)", truce_sender_done(ctx->snd));
	replay_progress_update(&ctx->prog, truce_sender_count(ctx->snd), extra);
}

/* One pump, watching for a daemon that stopped acking altogether. */
static void pump(publish_ctx *ctx, int wait_ms)
{
	truce_sender_pump(ctx->snd, wait_ms);
	int64_t now = truce_mono_ms();
	size_t done = truce_sender_done(ctx->snd);
	if (done != ctx->last_done || truce_sender_inflight(ctx->snd) == 0) {
		ctx->last_done = done;
		ctx->last_change_ms = now;
	} else if (now - ctx->last_change_ms >= ctx->o->deadline_ms) {
		ctx->stalled = 1;
	}
	progress(ctx);
}

static int publish_article(void *vctx, const truce_source_article *a)
{
	publish_ctx *ctx = vctx;
	if (a->sa == NULL || a->rec == NULL || a->rec->article == NULL) {
		fprintf(stderr, "truce replay: article %llu does not decode; not published\n",
		        (unsigned long long)a->key);
		ctx->undecodable++;
		return 0;
	}
	if (truce_grow(&ctx->seqs, &ctx->cap, ctx->n, sizeof(*ctx->seqs), 256) != 0)
		return TRUCE_ENOMEM;
	int64_t now = truce_mono_ms();
	if (ctx->n == 0) {
		ctx->t0_ms = now;
		ctx->base_us = a->rec->received_us;
		ctx->last_change_ms = now;
	}
	if (ctx->o->pace > 0) {
		/* Receipt times may step back (a clock set back): then the
		 * article is simply due now. */
		double gap_ms = (double)(a->rec->received_us - ctx->base_us) / 1000.0;
		int64_t due = ctx->t0_ms + (int64_t)(gap_ms / ctx->o->pace);
		while (!ctx->stalled && (now = truce_mono_ms()) < due)
			pump(ctx, (int)(due - now < 50 ? due - now : 50));
	}
	/* Back-pressure: hold the next article while the window is full, so a
	 * large store is never queued in memory whole. */
	while (!ctx->stalled && truce_sender_inflight(ctx->snd) >= ctx->o->window)
		pump(ctx, 50);
	if (ctx->stalled)
		return 1;
	const uint8_t *art;
	size_t len;
	uint8_t *packed = NULL;
	int rc;
	if (replay_article_bytes(a->sa->record.data, a->sa->record.len, &art, &len) != 0) {
		rc = truce_wire_pack(&a->rec->article->base, &packed, &len);
		if (rc != 0)
			return rc;
		art = packed;
	}
	rc = truce_sender_add(ctx->snd, art, len, NULL);
	free(packed);
	if (rc != 0)
		return rc;
	ctx->seqs[ctx->n++] = a->key;
	pump(ctx, 0);
	return 0;
}

/* One line per article (JSON Lines), or the failures only (table). */
static void report(const publish_ctx *ctx)
{
	for (size_t i = 0; i < ctx->n; i++) {
		const truce_send_item *it = truce_sender_item(ctx->snd, i);
		if (ctx->o->format == REPLAY_JSONL) {
			json_t *o =
			    json_pack("{s:I, s:s, s:I, s:I}", "seq", (json_int_t)ctx->seqs[i],
			              "status", truce_send_status_name(it), "new_seq",
			              (json_int_t)it->seq, "sends", (json_int_t)it->sends);
			if (it->reason != NULL)
				json_object_set_new(o, "reason", json_string(it->reason));
			char *s = json_dumps(o, JSON_COMPACT);
			if (s != NULL)
				puts(s);
			free(s);
			json_decref(o);
		} else if (!truce_send_item_ok(it)) {
			printf("%-10s seq=%-8llu%s%s\n", truce_send_status_name(it),
			       (unsigned long long)ctx->seqs[i], it->reason ? " " : "",
			       it->reason ? it->reason : "");
		}
	}
}

static int publish_run(const replay_opts *o, truce_source *src, publish_ctx *ctx)
{
	truce_source_head h;
	int rc = truce_source_get_head(src, &h);
	if (rc != 0)
		return rc;
	ctx->total = replay_range_total(o, &h);
	replay_progress_start(&ctx->prog, o->progress, ctx->total);
	truce_article_range r = replay_range(o);
	rc = truce_source_articles(src, &r, publish_article, ctx);
	if (rc == 1)
		rc = 0; /* stalled: reported below */
	ctx->stopped_early = ctx->stalled;
	if (rc == 0 && !ctx->stalled) {
		/* The rest of the window; progress is ours, not the sender's. */
		int64_t start = truce_mono_ms();
		while (truce_sender_done(ctx->snd) < truce_sender_count(ctx->snd) &&
		       truce_mono_ms() - start < o->deadline_ms)
			pump(ctx, 50);
	}
	replay_progress_end(&ctx->prog);
	return rc;
}

int replay_publish(const replay_opts *o, truce_source *src)
{
	publish_ctx ctx = {.o = o};
	void *zctx = zmq_ctx_new();
	void *sock = NULL;
	truce_sender_opts so = {
	    .window = o->window, .timeout_ms = o->send_timeout_ms, .label = "replay"};
	int rc = zctx != NULL ? truce_sender_socket(zctx, o->window, &sock) : TRUCE_ENET;
	if (rc == 0)
		rc = truce_client_curve_setup(sock, o->ckeys);
	truce_handshake_watch *hw = NULL; /* diagnostics only: may stay NULL */
	if (rc == 0) {
		truce_handshake_watch_start(zctx, sock, &hw);
		rc = truce_sender_new(sock, &so, &ctx.snd);
	}
	int code = CLI_EXIT_OK;
	int64_t start = truce_mono_ms();
	if (rc != 0) {
		fprintf(stderr, "truce replay: %s\n", truce_strerror(rc));
		code = CLI_EXIT_IO;
	} else if (zmq_connect(sock, o->publish) != 0) {
		fprintf(stderr, "truce replay: cannot connect to %s: %s\n", o->publish,
		        zmq_strerror(errno));
		code = CLI_EXIT_IO;
	} else if ((rc = publish_run(o, src, &ctx)) != 0) {
		fprintf(stderr, "truce replay: publishing to %s: %s\n", o->publish,
		        truce_strerror(rc));
		code = CLI_EXIT_IO;
	}
	if (code == CLI_EXIT_OK) {
		report(&ctx);
		size_t stored =
		    truce_sender_status_count(ctx.snd, TRUCE__V1__ACK_STATUS__ACK_STORED);
		size_t dup =
		    truce_sender_status_count(ctx.snd, TRUCE__V1__ACK_STATUS__ACK_DUPLICATE);
		size_t rej =
		    truce_sender_status_count(ctx.snd, TRUCE__V1__ACK_STATUS__ACK_REJECTED);
		if (ctx.stopped_early)
			fprintf(
			    stderr,
			    "truce replay: %s acked nothing for %lld s; gave up before the end\n",
			    o->publish, (long long)(o->deadline_ms / 1000));
		if (ctx.n == 0 && ctx.undecodable == 0) {
			if (!o->quiet)
				fprintf(stderr, "truce replay: no stored article in the range\n");
		} else {
			fprintf(stderr,
			        "replay: %zu articles published to %s in %.1f s: %zu stored, %zu "
			        "duplicate, %zu rejected, %zu unacked%s\n",
			        ctx.n, o->publish, (double)(truce_mono_ms() - start) / 1000.0,
			        stored, dup, rej, ctx.n - truce_sender_done(ctx.snd),
			        ctx.undecodable > 0 ? ", some undecodable (not sent)" : "");
		}
		code = stored + dup == ctx.n && ctx.undecodable == 0 && !ctx.stalled
		           ? CLI_EXIT_OK
		           : CLI_EXIT_FAIL;
		const char *why =
		    truce_sender_done(ctx.snd) < ctx.n
		        ? truce_handshake_watch_failure(hw, o->ckeys != NULL && o->ckeys->on)
		        : NULL;
		if (why != NULL)
			fprintf(stderr, "truce replay: %s\n", why);
	}
	truce_handshake_watch_stop(hw);
	truce_sender_free(ctx.snd);
	free(ctx.seqs);
	if (sock != NULL)
		zmq_close(sock);
	if (zctx != NULL)
		zmq_ctx_term(zctx);
	return code;
}
