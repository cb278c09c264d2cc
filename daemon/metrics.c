/*
 * metrics.c - what truced counts about itself, for the METRICS query (and
 * from there `truce web`'s /metrics): histograms of batch sizes, parse and
 * commit times and ack latencies, rejections by class, queries by kind,
 * per-collector counts and the PUB socket's subscribers.
 *
 * The counters live in the daemon's top-level state and are touched only by
 * the main thread (the one that owns every socket), so nothing here locks.
 * truced serves them over its query socket rather than over HTTP of its
 * own: truced stays free of an HTTP server, and the web side, which renders
 * them, can be restarted, upgraded or left out without touching ingest.
 */
#include <stdlib.h>
#include <string.h>

#include "truce/date.h"
#include "truced.h"

#define TRUCED_MAX_COLLECTORS 256
#define COLLECTOR_NAME_MAX 128 /* bytes of a collector_id kept as a label */
#define PUB_MONITOR_EP "inproc://truced-pub-monitor"

static const double batch_bounds[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
static const double seconds_bounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                        0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};

static const char *const reject_names[TRUCED_REJECT_COUNT] = {
    [TRUCED_REJECT_MALFORMED] = "malformed", [TRUCED_REJECT_FRAMES] = "frames",
    [TRUCED_REJECT_MSG_ID] = "msg_id",       [TRUCED_REJECT_TOO_LARGE] = "too_large",
    [TRUCED_REJECT_BAD_UTF8] = "bad_utf8",   [TRUCED_REJECT_INVALID] = "invalid",
};

static const char *const query_names[TRUCED_QUERY_KINDS + 1] = {
    "events_after", "incident", "articles", "stats", "claims", "incidents", "metrics", "invalid",
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void hist_init(truced_hist *h, const double *bounds, size_t n)
{
	memset(h, 0, sizeof(*h));
	h->bounds = bounds;
	h->n_bounds = n;
}

static void hist_observe(truced_hist *h, double v)
{
	size_t i = 0;
	while (i < h->n_bounds && v > h->bounds[i])
		i++;
	h->counts[i]++;
	h->sum += v;
}

void truced_metrics_init(truced_metrics *m, int64_t started_us, const truced_counters *cnt)
{
	memset(m, 0, sizeof(*m));
	m->started_us = started_us;
	m->cnt = cnt;
	hist_init(&m->batch_size, batch_bounds, N_OF(batch_bounds));
	hist_init(&m->commit_s, seconds_bounds, N_OF(seconds_bounds));
	hist_init(&m->ack_s, seconds_bounds, N_OF(seconds_bounds));
	hist_init(&m->extract_s, seconds_bounds, N_OF(seconds_bounds));
}

void truced_metrics_free(truced_metrics *m)
{
	if (m->pub_monitor != NULL)
		zmq_close(m->pub_monitor);
	m->pub_monitor = NULL;
	for (size_t i = 0; i < m->n_collectors; i++)
		free(m->collectors[i].name);
	free(m->collectors);
	m->collectors = NULL;
	m->n_collectors = 0;
}

int truced_metrics_watch_pub(truced_metrics *m, void *ctx, void *pub)
{
	int linger = 0;
	if (zmq_socket_monitor(pub, PUB_MONITOR_EP, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) !=
	    0)
		return TRUCE_ENET;
	m->pub_monitor = zmq_socket(ctx, ZMQ_PAIR);
	if (m->pub_monitor == NULL)
		return TRUCE_ENET;
	zmq_setsockopt(m->pub_monitor, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_connect(m->pub_monitor, PUB_MONITOR_EP) != 0) {
		zmq_close(m->pub_monitor);
		m->pub_monitor = NULL;
		return TRUCE_ENET;
	}
	return 0;
}

void truced_metrics_poll(truced_metrics *m)
{
	if (m->pub_monitor == NULL)
		return;
	for (;;) {
		/* A monitor event is two frames: 16-bit event, 32-bit value;
		 * then the endpoint. */
		zmq_msg_t f;
		zmq_msg_init(&f);
		if (zmq_msg_recv(&f, m->pub_monitor, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&f);
			return;
		}
		uint16_t event = 0;
		if (zmq_msg_size(&f) >= sizeof(event))
			memcpy(&event, zmq_msg_data(&f), sizeof(event));
		while (zmq_msg_more(&f) && zmq_msg_recv(&f, m->pub_monitor, 0) >= 0)
			;
		zmq_msg_close(&f);
		if (event == ZMQ_EVENT_ACCEPTED)
			m->subscribers++;
		else if (event == ZMQ_EVENT_DISCONNECTED && m->subscribers > 0)
			m->subscribers--;
	}
}

/* The row of a collector_id, added while the table has room; the last
 * row, "(other)", takes the rest. NULL only when out of memory. */
static truced_collector_count *collector_row(truced_metrics *m, const char *id)
{
	char name[COLLECTOR_NAME_MAX + 1];
	size_t n = id != NULL ? strlen(id) : 0;
	if (n > COLLECTOR_NAME_MAX) {
		n = COLLECTOR_NAME_MAX;
		while (n > 0 && ((unsigned char)id[n] & 0xC0) == 0x80)
			n--; /* never cut a UTF-8 sequence */
	}
	memcpy(name, id != NULL ? id : "", n);
	name[n] = '\0';
	for (size_t i = 0; i < m->n_collectors; i++)
		if (strcmp(m->collectors[i].name, name) == 0)
			return &m->collectors[i];
	if (m->collectors == NULL) {
		m->collectors = calloc(TRUCED_MAX_COLLECTORS + 1, sizeof(*m->collectors));
		if (m->collectors == NULL)
			return NULL;
	}
	if (m->n_collectors == TRUCED_MAX_COLLECTORS) {
		truced_collector_count *other = &m->collectors[TRUCED_MAX_COLLECTORS];
		if (other->name == NULL)
			other->name = strdup("(other)");
		return other->name != NULL ? other : NULL;
	}
	truced_collector_count *row = &m->collectors[m->n_collectors];
	row->name = strdup(name);
	if (row->name == NULL)
		return NULL;
	m->n_collectors++;
	return row;
}

static void count_item(truced_metrics *m, const truced_item *it)
{
	truced_collector_count *row =
	    collector_row(m, it->article != NULL ? it->article->collector_id : NULL);
	switch (it->status) {
	case TRUCE__V1__ACK_STATUS__ACK_STORED:
		if (row != NULL)
			row->stored++;
		break;
	case TRUCE__V1__ACK_STATUS__ACK_DUPLICATE:
		if (row != NULL)
			row->duplicate++;
		break;
	default:
		if (row != NULL)
			row->rejected++;
		if (it->reject_class >= 0 && it->reject_class < TRUCED_REJECT_COUNT)
			m->rejected[it->reject_class]++;
		break;
	}
}

void truced_metrics_batch(truced_metrics *m, const truced_batch *b, int64_t parse_us,
                          int64_t commit_us, int64_t acked_us)
{
	hist_observe(&m->batch_size, (double)b->n);
	hist_observe(&m->extract_s, (double)parse_us / 1e6);
	hist_observe(&m->commit_s, (double)commit_us / 1e6);
	for (size_t i = 0; i < b->n; i++) {
		const truced_item *it = &b->items[i];
		hist_observe(&m->ack_s, (double)(acked_us - it->received_us) / 1e6);
		count_item(m, it);
	}
}

void truced_metrics_query(truced_metrics *m, int kind)
{
	if (m == NULL)
		return;
	m->queries[kind >= 0 && kind < TRUCED_QUERY_KINDS ? kind : TRUCED_QUERY_KINDS]++;
}

/* --- the METRICS reply ---------------------------------------------------- */

#define N_LABELS (TRUCED_REJECT_COUNT + TRUCED_EVENT_TYPES + TRUCED_QUERY_KINDS + 1)

struct truced_metrics_scratch {
	Truce__V1__Histogram hist[4];
	double bounds[4][TRUCED_HIST_MAX_BOUNDS];
	uint64_t counts[4][TRUCED_HIST_MAX_BOUNDS + 1];
	Truce__V1__LabelCount labels[N_LABELS];
	Truce__V1__LabelCount *rejected[TRUCED_REJECT_COUNT];
	Truce__V1__LabelCount *events[TRUCED_EVENT_TYPES];
	Truce__V1__LabelCount *queries[TRUCED_QUERY_KINDS + 1];
	Truce__V1__CollectorCounts *rows;
	Truce__V1__CollectorCounts **row_ptr;
};

static Truce__V1__Histogram *fill_hist(truced_metrics_scratch *s, int i, const truced_hist *h)
{
	Truce__V1__Histogram *out = &s->hist[i];
	truce__v1__histogram__init(out);
	memcpy(s->bounds[i], h->bounds, h->n_bounds * sizeof(double));
	memcpy(s->counts[i], h->counts, (h->n_bounds + 1) * sizeof(uint64_t));
	out->bounds = s->bounds[i];
	out->n_bounds = h->n_bounds;
	out->counts = s->counts[i];
	out->n_counts = h->n_bounds + 1;
	out->has_sum = 1;
	out->sum = h->sum;
	return out;
}

static Truce__V1__LabelCount *label(truced_metrics_scratch *s, size_t *used, const char *name,
                                    uint64_t n)
{
	Truce__V1__LabelCount *l = &s->labels[(*used)++];
	truce__v1__label_count__init(l);
	l->label = (char *)name;
	l->has_count = 1;
	l->count = n;
	return l;
}

static void fill_labels(const truced_metrics *m, truced_metrics_scratch *s, Truce__V1__Metrics *o)
{
	size_t used = 0;
	for (int i = 0; i < TRUCED_REJECT_COUNT; i++)
		s->rejected[i] = label(s, &used, reject_names[i], m->rejected[i]);
	for (int i = 0; i < TRUCED_EVENT_TYPES; i++)
		s->events[i] = label(s, &used, truce_event_type_name((Truce__V1__EventType)i),
		                     m->cnt != NULL ? m->cnt->events_by_type[i] : 0);
	for (int i = 0; i <= TRUCED_QUERY_KINDS; i++)
		s->queries[i] = label(s, &used, query_names[i], m->queries[i]);
	o->articles_rejected = s->rejected;
	o->n_articles_rejected = TRUCED_REJECT_COUNT;
	o->events = s->events;
	o->n_events = TRUCED_EVENT_TYPES;
	o->query_requests = s->queries;
	o->n_query_requests = TRUCED_QUERY_KINDS + 1;
}

static int fill_collectors(const truced_metrics *m, truced_metrics_scratch *s,
                           Truce__V1__Metrics *o)
{
	size_t n = m->n_collectors;
	if (n == TRUCED_MAX_COLLECTORS && m->collectors[n].name != NULL)
		n++; /* the "(other)" row */
	if (n == 0)
		return 0;
	s->rows = calloc(n, sizeof(*s->rows));
	s->row_ptr = calloc(n, sizeof(*s->row_ptr));
	if (s->rows == NULL || s->row_ptr == NULL)
		return TRUCE_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const truced_collector_count *c = &m->collectors[i];
		Truce__V1__CollectorCounts *r = &s->rows[i];
		truce__v1__collector_counts__init(r);
		r->collector = c->name;
		r->has_stored = r->has_duplicate = r->has_rejected = 1;
		r->stored = c->stored;
		r->duplicate = c->duplicate;
		r->rejected = c->rejected;
		s->row_ptr[i] = r;
	}
	o->collectors = s->row_ptr;
	o->n_collectors = n;
	return 0;
}

int truced_metrics_fill(const truced_metrics *m, size_t map_size, Truce__V1__Metrics *o,
                        truced_metrics_scratch **scratch)
{
	truced_metrics_scratch *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return TRUCE_ENOMEM;
	truced_counters zero = {0};
	const truced_counters *c = m->cnt != NULL ? m->cnt : &zero;
	truce__v1__metrics__init(o);
	o->has_started_us = o->has_articles_received = o->has_articles_stored = 1;
	o->has_articles_duplicate = o->has_claims = o->has_batches = 1;
	o->has_subscribers = o->has_map_size = o->has_map_grows = 1;
	o->started_us = m->started_us;
	o->articles_received = c->received;
	o->articles_stored = c->stored;
	o->articles_duplicate = c->duplicates;
	o->claims = c->claims;
	o->batches = c->batches;
	o->subscribers = m->subscribers;
	o->map_size = map_size;
	o->map_grows = c->grows;
	o->batch_size = fill_hist(s, 0, &m->batch_size);
	o->commit_seconds = fill_hist(s, 1, &m->commit_s);
	o->ack_seconds = fill_hist(s, 2, &m->ack_s);
	o->extract_seconds = fill_hist(s, 3, &m->extract_s);
	fill_labels(m, s, o);
	int rc = fill_collectors(m, s, o);
	if (rc != 0) {
		truced_metrics_scratch_free(s);
		return rc;
	}
	*scratch = s;
	return 0;
}

void truced_metrics_scratch_free(truced_metrics_scratch *s)
{
	if (s == NULL)
		return;
	free(s->rows);
	free(s->row_ptr);
	free(s);
}
