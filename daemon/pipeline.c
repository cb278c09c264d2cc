/*
 * pipeline.c - the order of truced's stages, with parse and commit of
 * consecutive batches overlapping:
 *
 *   turn k:  receive batch k+1, start its parse on the pool
 *            commit batch k, ack it, publish its events
 *            receive what arrived meanwhile into batch k+1 too
 *            finish batch k+1's parse (joining the pool)
 *
 * so while one core commits (and waits for fsync), the others validate and
 * extract the next batch. What arrives during a commit still joins the batch
 * committed right after it, while that batch has room: under light load an
 * article waits for one commit, not two (ack p50 at 1,000 articles/s fell
 * from 1.4 to 0.9 ms); under heavy load the batch is full before the commit
 * starts and all of its parse overlaps the commit. Everything that touches a
 * socket or the write transaction stays on the calling thread: acks follow
 * their commit, events follow the acks, and batches commit in arrival
 * order, so a duplicate in batch k+1 of an article of batch k is found at
 * its commit.
 */
#include "truce/date.h"
#include "truced.h"

int truced_pipeline_init(truced_pipeline *pl, size_t batch, int parse_threads)
{
	int rc = truced_batch_init(&pl->batch[0], batch);
	if (rc == 0)
		rc = truced_batch_init(&pl->batch[1], batch);
	if (rc == 0)
		rc = truced_parse_pool_new(parse_threads, &pl->pool);
	return rc;
}

void truced_pipeline_free(truced_pipeline *pl)
{
	truced_parse_pool_free(pl->pool);
	truced_batch_free(&pl->batch[0]);
	truced_batch_free(&pl->batch[1]);
	truced_outbox_free(&pl->outbox);
}

/* Commits, acks and publishes the parsed batch, then empties it. */
static void commit_ready(truced_pipeline *pl, const truced_pipe_env *env)
{
	truced_batch *b = pl->ready;
	if (b == NULL)
		return;
	int64_t t0 = truce_now_us();
	if (truced_commit_batch(env->store, pl->ready_version, b, &pl->outbox, env->cnt,
	                        env->log) == 0) {
		int64_t t1 = truce_now_us();
		truced_ingest_ack(env->ingest, b, env->log);
		int64_t t2 = truce_now_us();
		truced_publish(env->pub, &pl->outbox, env->log);
		truced_metrics_batch(env->met, b, pl->ready_parse_us, t1 - t0, t2);
	}
	truced_batch_reset(b);
	pl->ready = NULL;
}

/* Receives into b what waits, while it has room; the count received. */
static int take(truced_batch *b, const truced_pipe_env *env)
{
	int n = truced_ingest_recv(env->ingest, b, env->log);
	if (n > 0)
		env->cnt->received += (uint64_t)n;
	return n > 0 ? n : 0;
}

int truced_pipeline_turn(truced_pipeline *pl, const truced_pipe_env *env, int readable)
{
	truced_batch *next = pl->ready == &pl->batch[0] ? &pl->batch[1] : &pl->batch[0];
	int n = readable ? take(next, env) : 0;
	int64_t parse_start = truce_now_us();
	if (n > 0)
		truced_parse_start(pl->pool, env->rules, env->limits, next, env->log);
	int committed = pl->ready != NULL;
	commit_ready(pl, env);
	/* Late arrivals, received while the commit ran: they commit with this
	 * batch, right after, instead of waiting out a further commit. Without
	 * a commit this turn the receive above has just emptied the socket. */
	int late = committed && next->n < next->cap ? take(next, env) : 0;
	if (late > 0 && n == 0)
		truced_parse_start(pl->pool, env->rules, env->limits, next, env->log);
	else if (late > 0)
		truced_parse_extend(pl->pool);
	n += late;
	if (n > 0) {
		truced_parse_finish(pl->pool);
		pl->ready = next;
		pl->ready_version = truce_rules_version(env->rules);
		/* Wall time from start to finish, the commit before overlapping. */
		pl->ready_parse_us = truce_now_us() - parse_start;
	}
	return pl->ready != NULL;
}

void truced_pipeline_flush(truced_pipeline *pl, const truced_pipe_env *env)
{
	commit_ready(pl, env);
}
