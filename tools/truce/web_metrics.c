/*
 * web_metrics.c - /metrics: truced's own counters (the METRICS query) and
 * the web side's, in the Prometheus text exposition format (version 0.0.4).
 *
 * Names follow Prometheus's conventions: a truce_ prefix, base units in the
 * name (_seconds, _bytes), _total on counters, one # HELP and # TYPE per
 * family, label values escaped. truced's counters start at zero when it
 * starts (truce_start_time_seconds says when), which Prometheus's rate()
 * takes as a counter reset.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

typedef struct text {
	char *s;
	size_t len, cap;
	int oom;
} text;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
put(text *t, const char *fmt, ...)
{
	va_list ap;
	for (int tries = 0; tries < 2 && !t->oom; tries++) {
		size_t room = t->cap - t->len;
		va_start(ap, fmt);
		int n = vsnprintf(t->s ? t->s + t->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->oom = 1;
			return;
		}
		if ((size_t)n < room) {
			t->len += (size_t)n;
			return;
		}
		size_t cap = t->cap ? t->cap : 8192;
		while (cap <= t->len + (size_t)n)
			cap *= 2;
		char *s = realloc(t->s, cap);
		if (s == NULL) {
			t->oom = 1;
			return;
		}
		t->s = s;
		t->cap = cap;
	}
}

static void family(text *t, const char *name, const char *type, const char *help)
{
	put(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(text *t, const char *name, const char *type, const char *help, double v)
{
	family(t, name, type, help);
	put(t, "%s %.17g\n", name, v);
}

/* A label value with \, " and newline escaped. */
static void put_label(text *t, const char *v)
{
	for (const char *p = v; *p != '\0'; p++) {
		if (*p == '\\' || *p == '"')
			put(t, "\\%c", *p);
		else if (*p == '\n')
			put(t, "\\n");
		else
			put(t, "%c", *p);
	}
}

static void labelled(text *t, const char *name, const char *type, const char *help,
                     const char *label, Truce__V1__LabelCount **v, size_t n)
{
	family(t, name, type, help);
	for (size_t i = 0; i < n; i++) {
		put(t, "%s{%s=\"", name, label);
		put_label(t, v[i]->label != NULL ? v[i]->label : "");
		put(t, "\"} %llu\n", (unsigned long long)v[i]->count);
	}
}

static void histogram(text *t, const char *name, const char *help, const Truce__V1__Histogram *h)
{
	family(t, name, "histogram", help);
	if (h == NULL || h->n_counts != h->n_bounds + 1)
		return;
	uint64_t cum = 0;
	for (size_t i = 0; i < h->n_bounds; i++) {
		cum += h->counts[i];
		put(t, "%s_bucket{le=\"%g\"} %llu\n", name, h->bounds[i], (unsigned long long)cum);
	}
	cum += h->counts[h->n_bounds];
	put(t, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)cum);
	put(t, "%s_sum %.17g\n", name, h->sum);
	put(t, "%s_count %llu\n", name, (unsigned long long)cum);
}

static void collectors(text *t, const Truce__V1__Metrics *m)
{
	static const char *const statuses[] = {"stored", "duplicate", "rejected"};
	family(t, "truce_collector_articles_total", "counter",
	       "Articles acked per collector_id and status (the first 256 ids; then \"(other)\").");
	for (size_t i = 0; i < m->n_collectors; i++) {
		const Truce__V1__CollectorCounts *c = m->collectors[i];
		uint64_t v[] = {c->stored, c->duplicate, c->rejected};
		for (int k = 0; k < 3; k++) {
			put(t, "truce_collector_articles_total{collector=\"");
			put_label(t, c->collector != NULL ? c->collector : "");
			put(t, "\",status=\"%s\"} %llu\n", statuses[k], (unsigned long long)v[k]);
		}
	}
}

static void truced_metrics(text *t, const Truce__V1__Metrics *m)
{
	sample(t, "truce_start_time_seconds", "gauge", "When truced started, in Unix seconds.",
	       (double)m->started_us / 1e6);
	sample(t, "truce_articles_received_total", "counter",
	       "Messages received on the ingest socket.", (double)m->articles_received);
	sample(t, "truce_articles_stored_total", "counter", "Articles acked STORED.",
	       (double)m->articles_stored);
	sample(t, "truce_articles_duplicate_total", "counter", "Articles acked DUPLICATE.",
	       (double)m->articles_duplicate);
	labelled(t, "truce_articles_rejected_total", "counter",
	         "Messages acked REJECTED, by reason class.", "reason", m->articles_rejected,
	         m->n_articles_rejected);
	sample(t, "truce_claims_extracted_total", "counter", "Claims extracted and stored.",
	       (double)m->claims);
	labelled(t, "truce_events_published_total", "counter", "Events published, by type.", "type",
	         m->events, m->n_events);
	sample(t, "truce_batches_total", "counter", "Batches committed.", (double)m->batches);
	histogram(t, "truce_batch_messages", "Messages per committed batch.", m->batch_size);
	histogram(t, "truce_commit_duration_seconds",
	          "Time of one batch's write transaction, fsync included.", m->commit_seconds);
	histogram(t, "truce_ack_latency_seconds", "Time from a message's receipt to its ack.",
	          m->ack_seconds);
	histogram(t, "truce_extract_duration_seconds",
	          "Time the parse stage (claim extraction) took per batch.", m->extract_seconds);
	sample(t, "truce_subscribers", "gauge", "Connections to the PUB socket.",
	       (double)m->subscribers);
	labelled(t, "truce_query_requests_total", "counter",
	         "Requests on the query socket, by kind.", "kind", m->query_requests,
	         m->n_query_requests);
	sample(t, "truce_store_map_size_bytes", "gauge", "Size of the LMDB map.",
	       (double)m->map_size);
	sample(t, "truce_store_map_grows_total", "counter", "Times the LMDB map grew.",
	       (double)m->map_grows);
	collectors(t, m);
}

static void store_metrics(text *t, const Truce__V1__Stats *s, const Truce__V1__Metrics *m)
{
	sample(t, "truce_store_used_bytes", "gauge", "Bytes of the LMDB map in use.",
	       (double)s->db_size);
	if (m != NULL && m->map_size > 0)
		sample(t, "truce_store_map_used_ratio", "gauge",
		       "Share of the LMDB map in use (it grows when full).",
		       (double)s->db_size / (double)m->map_size);
	sample(t, "truce_store_articles", "gauge", "Articles in the store.", (double)s->articles);
	sample(t, "truce_store_claims", "gauge", "Claims in the store.", (double)s->claims);
	sample(t, "truce_store_incidents", "gauge", "Incidents in the store.",
	       (double)s->incidents);
	sample(t, "truce_store_events", "gauge", "Events in the store.", (double)s->events);
	sample(t, "truce_quarantine_messages", "gauge", "Rejected messages kept in quarantine.",
	       (double)s->quarantined);
	sample(t, "truce_last_event_seq", "gauge", "The last event's sequence number.",
	       (double)s->last_event_seq);
	sample(t, "truce_last_article_seq", "gauge", "The last article's sequence number.",
	       (double)s->last_article_seq);
}

static void web_side(text *t, web_hub *hub)
{
	uint64_t clients, buffered, last;
	web_hub_counts(hub, &clients, &buffered, &last);
	sample(t, "truce_web_sse_clients", "gauge", "Server-Sent Events streams open now.",
	       (double)clients);
	sample(t, "truce_web_events_buffered", "gauge",
	       "Recent events the web side holds for its streams.", (double)buffered);
	sample(t, "truce_web_last_event_seq", "gauge", "The last event seq the web side received.",
	       (double)last);
}

enum MHD_Result web_metrics_handle(const web_request *r)
{
	static const char *const known[] = {NULL};
	if (!web_args_known(r, known))
		return MHD_YES;
	Truce__V1__QueryRequest rq = TRUCE__V1__QUERY_REQUEST__INIT;
	rq.has_kind = 1;
	rq.kind = TRUCE__V1__QUERY_REQUEST__KIND__METRICS;
	Truce__V1__QueryReply *rep = NULL;
	int rc = web_query(r->qp, &rq, &rep);
	int up = rc == 0 && rep->ok && rep->stats != NULL;
	text t = {0};
	sample(&t, "truce_up", "gauge", "1 when truced answered the metrics query.", up);
	if (up && rep->metrics != NULL)
		truced_metrics(&t, rep->metrics);
	if (up)
		store_metrics(&t, rep->stats, rep->metrics);
	web_side(&t, r->hub);
	if (rep != NULL)
		truce__v1__query_reply__free_unpacked(rep, NULL);
	if (t.oom) {
		free(t.s);
		return MHD_NO;
	}
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(t.len, t.s, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL)
		free(t.s);
	return web_reply(r, MHD_HTTP_OK, resp, "text/plain; version=0.0.4; charset=utf-8");
}
