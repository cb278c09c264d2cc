/*
 * parse.c - the parse stage: validates every message of a batch (decode,
 * limits, content key) and runs the extractor on the valid ones, spread over
 * a small pool of threads, while the main thread commits the batch before.
 *
 * Both are pure functions of (message, limits, rules) with immutable rules,
 * so items can be handed out in any order: each thread (the pool's and,
 * once it has committed, the caller's) takes the next index from a shared
 * counter until the batch is done. truced_parse_start returns at once;
 * truced_parse_extend hands over items appended to the batch meanwhile;
 * truced_parse_finish joins in and returns when every item is done, so
 * commit only ever sees a batch parsed whole. The pool is idle between a
 * finish and the next start, which is when SIGHUP may swap the rules.
 *
 * A worker counts itself busy only once it has taken the batch, under the
 * lock: finish waits for the workers at work, never for one that has not
 * woken yet (which then finds no batch and goes back to sleep).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "truced.h"

struct truced_parse_pool {
	pthread_t *threads;
	int n_threads;
	pthread_mutex_t mu;
	pthread_cond_t work; /* items to take, or stop */
	pthread_cond_t idle; /* the last busy worker is done */
	uint64_t generation; /* bumped when items are handed out */
	int busy;            /* workers inside drain() */
	int stop;
	/* The batch being parsed, from start to finish; NULL otherwise. */
	truced_batch *batch;
	const truce_rules *rules;
	const truce_limits *lim;
	const truced_log *lg;
	atomic_size_t next;  /* the next item to take */
	atomic_size_t count; /* items handed out so far */
};

static void item_parse(const truce_rules *rules, truced_item *it, const truced_log *lg)
{
	const Truce__V1__Article *a = it->article;
	truce_article_in in;
	truce_article_in_from_wire(a, &in);
	int rc = truce_extract_article(rules, &in, &it->claims);
	if (rc != 0)
		/* The article is still stored: extraction is re-runnable
		 * (truce replay --reparse), losing the article is not. */
		TRUCED_LOGF(lg, TRUCED_LOG_WARN, "parse", "article %s: no claims extracted: %s",
		            a->id != NULL ? a->id : "(no id)", truce_strerror(rc));
}

/* Takes items off the shared counter until none is left. An index is
 * taken only below the count handed out (which only grows), so items
 * appended by an extend are taken once, by whoever comes first. */
static void drain(truced_parse_pool *p, truced_batch *b)
{
	size_t i = atomic_load(&p->next);
	for (;;) {
		if (i >= atomic_load_explicit(&p->count, memory_order_acquire))
			return;
		if (!atomic_compare_exchange_weak(&p->next, &i, i + 1))
			continue; /* another thread took i; i is now the next one */
		truced_item *it = &b->items[i];
		truced_ingest_validate(it, p->lim, p->lg);
		if (!it->rejected)
			item_parse(p->rules, it, p->lg);
		i = atomic_load(&p->next);
	}
}

static void *worker(void *arg)
{
	truced_parse_pool *p = arg;
	uint64_t seen = 0;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->generation == seen)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->stop)
			break;
		seen = p->generation;
		truced_batch *b = p->batch;
		if (b == NULL)
			continue; /* woke after the batch was finished */
		p->busy++;
		pthread_mutex_unlock(&p->mu);
		drain(p, b);
		pthread_mutex_lock(&p->mu);
		if (--p->busy == 0)
			pthread_cond_signal(&p->idle);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int truced_parse_pool_new(int n_threads, truced_parse_pool **out)
{
	truced_parse_pool *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return TRUCE_ENOMEM;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->idle, NULL);
	p->threads = calloc(n_threads > 0 ? (size_t)n_threads : 1, sizeof(*p->threads));
	if (p->threads == NULL) {
		truced_parse_pool_free(p);
		return TRUCE_ENOMEM;
	}
	for (int i = 0; i < n_threads; i++) {
		if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
			break;
		p->n_threads++;
	}
	*out = p;
	return 0;
}

void truced_parse_pool_free(truced_parse_pool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	free(p->threads);
	pthread_cond_destroy(&p->idle);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* Publishes the batch's items so far and wakes the workers for them. */
static void hand_out(truced_parse_pool *p)
{
	atomic_store_explicit(&p->count, p->batch->n, memory_order_release);
	if (p->n_threads == 0)
		return; /* the caller does it all in truced_parse_finish */
	pthread_mutex_lock(&p->mu);
	p->generation++;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
}

void truced_parse_start(truced_parse_pool *p, const truce_rules *rules, const truce_limits *lim,
                        truced_batch *b, const truced_log *lg)
{
	pthread_mutex_lock(&p->mu);
	/* Nothing to take until hand_out says how much: a worker that wakes
	 * between here and there finds the count at 0. */
	atomic_store(&p->count, 0);
	atomic_store(&p->next, 0);
	p->batch = b;
	p->rules = rules;
	p->lim = lim;
	p->lg = lg;
	pthread_mutex_unlock(&p->mu);
	hand_out(p);
}

void truced_parse_extend(truced_parse_pool *p)
{
	hand_out(p);
}

void truced_parse_finish(truced_parse_pool *p)
{
	drain(p, p->batch);
	pthread_mutex_lock(&p->mu);
	p->batch = NULL; /* a worker not yet awake finds nothing to do */
	while (p->busy > 0)
		pthread_cond_wait(&p->idle, &p->mu);
	pthread_mutex_unlock(&p->mu);
}
