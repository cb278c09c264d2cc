/*
 * web_query.c - query-socket clients for `truce web`'s request threads.
 *
 * A truce_qclient is a DEALER socket, which one thread may use at a time;
 * the web side answers requests on many threads. The pool holds a few
 * clients and hands each to one request at a time, so a slow query (a big
 * chunk of claims) never holds up the others, and truced sees a handful of
 * connections however many browsers are open.
 */
#include <pthread.h>
#include <stdlib.h>

#include "web.h"

struct web_qpool {
	pthread_mutex_t mu;
	pthread_cond_t freed;
	truce_qclient **clients;
	int *busy;
	int n;
};

void web_qpool_close(web_qpool *p)
{
	if (p == NULL)
		return;
	for (int i = 0; p->clients != NULL && i < p->n; i++)
		truce_qclient_close(p->clients[i]);
	free(p->clients);
	free(p->busy);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->freed);
	free(p);
}

int web_qpool_open(const char *endpoint, const truce_client_keys *keys, int n, int timeout_ms,
                   web_qpool **out)
{
	web_qpool *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return TRUCE_ENOMEM;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->freed, NULL);
	p->clients = calloc((size_t)n, sizeof(*p->clients));
	p->busy = calloc((size_t)n, sizeof(*p->busy));
	int rc = p->clients != NULL && p->busy != NULL ? 0 : TRUCE_ENOMEM;
	while (rc == 0 && p->n < n) {
		rc = truce_qclient_open(endpoint, timeout_ms, keys, &p->clients[p->n]);
		if (rc == 0)
			p->n++;
	}
	if (rc != 0) {
		web_qpool_close(p);
		return rc;
	}
	*out = p;
	return 0;
}

static int take(web_qpool *p)
{
	pthread_mutex_lock(&p->mu);
	for (;;) {
		for (int i = 0; i < p->n; i++)
			if (!p->busy[i]) {
				p->busy[i] = 1;
				pthread_mutex_unlock(&p->mu);
				return i;
			}
		pthread_cond_wait(&p->freed, &p->mu);
	}
}

static void give_back(web_qpool *p, int i)
{
	pthread_mutex_lock(&p->mu);
	p->busy[i] = 0;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->mu);
}

int web_query(web_qpool *p, const Truce__V1__QueryRequest *rq, Truce__V1__QueryReply **out)
{
	int i = take(p);
	int rc = truce_qclient_call(p->clients[i], rq, out);
	give_back(p, i);
	return rc;
}
