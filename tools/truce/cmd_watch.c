/*
 * cmd_watch.c - `truce watch`: live alerts that never miss one.
 *
 * The Clone pattern of the ZeroMQ guide: subscribe first (so live events
 * queue up), then backfill from the query socket everything after the last
 * seq we have, then print live events, skipping what the backfill already
 * printed. A jump in seq (events dropped at the PUB high-water mark, or
 * filtered by topic) is filled from the query socket before going on, so a
 * subscriber sees every matching event exactly once and in order.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <zmq.h>

#include "cli.h"
#include "truce/date.h"
#include "truce/keys.h"
#include "truce/json.h"
#include "truce/wire.h"

#define DEFAULT_PUB "tcp://127.0.0.1:7702"
#define DEFAULT_QUERY "tcp://127.0.0.1:7703"
#define MAX_TOPICS 32
#define QUERY_TIMEOUT_MS 5000
#define IDLE_CATCHUP_MS 2000 /* quiet this long: ask the query socket anyway */

static volatile sig_atomic_t watch_stop;

static void on_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

typedef struct watch_opts {
	const char *connect;
	const char *query;
	const char *state;
	const char *topics[MAX_TOPICS];
	int n_topics;
	unsigned long long since;
	int has_since;
	unsigned long long count;
	unsigned long long hwm;
	int json;
	truce_key_args keys; /* --curve-server-key, --curve-secret */
} watch_opts;

typedef struct watch_run {
	const watch_opts *o;
	void *ctx;
	void *sub;
	void *q;
	truce_client_keys keys;    /* kept for the query socket's reconnects */
	truce_handshake_watch *hw; /* the SUB socket's handshakes, for diagnostics */
	const char *said;          /* the refusal last reported */
	uint64_t last;             /* last seq handled (printed or filtered out) */
	int have_last;             /* whether last means anything yet */
	uint64_t printed;
} watch_run;

static int topic_match(const watch_opts *o, const char *topic)
{
	if (o->n_topics == 0)
		return 1;
	for (int i = 0; i < o->n_topics; i++)
		if (strncmp(topic, o->topics[i], strlen(o->topics[i])) == 0)
			return 1;
	return 0;
}

static void print_counts(const Truce__V1__Claim *c)
{
	if (c->has_killed)
		printf(" | killed %d", c->killed);
	if (c->has_wounded)
		printf(" | wounded %d", c->wounded);
}

static void print_readable(const Truce__V1__Event *ev)
{
	const Truce__V1__Claim *c = ev->claim;
	const Truce__V1__Incident *inc = ev->incident;
	printf("#%llu %-18s ", (unsigned long long)ev->seq, truce_event_type_name(ev->type));
	if (inc != NULL && (ev->type == TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_NEW ||
	                    ev->type == TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_UPDATE)) {
		printf("incident %llu %s | %zu source(s)", (unsigned long long)inc->id,
		       inc->key ? inc->key : "", inc->n_sources);
		if (inc->has_killed_low)
			printf(" | killed %d-%d", inc->killed_low, inc->killed_high);
		if (inc->has_wounded_low)
			printf(" | wounded %d-%d", inc->wounded_low, inc->wounded_high);
		for (size_t i = 0; i < inc->n_places; i++)
			printf("%s%s", i == 0 ? " | " : ", ", inc->places[i]);
		putchar('\n');
		return;
	}
	if (c == NULL) {
		putchar('\n');
		return;
	}
	printf("%s accuses %s | %s | %s", c->claimant ? c->claimant : "?",
	       c->accused ? c->accused : "nobody", c->event_date ? c->event_date : "date unknown",
	       c->location ? c->location : "place unknown");
	print_counts(c);
	printf(" | %s", c->source ? c->source : "unknown source");
	if (c->has_incident_id)
		printf(" | incident %llu", (unsigned long long)c->incident_id);
	putchar('\n');
}

static void save_state(const watch_run *w)
{
	if (w->o->state == NULL)
		return;
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", w->o->state);
	FILE *f = fopen(tmp, "w");
	if (f == NULL)
		return;
	fprintf(f, "%llu\n", (unsigned long long)w->last);
	if (fclose(f) == 0)
		rename(tmp, w->o->state);
}

/* Prints ev if it matches and is new; returns 1 when --count is reached. */
static int handle_event(watch_run *w, const Truce__V1__Event *ev)
{
	if (w->have_last && ev->seq <= w->last)
		return 0; /* already seen through the backfill */
	w->last = ev->seq;
	w->have_last = 1;
	if (topic_match(w->o, ev->topic ? ev->topic : "")) {
		if (w->o->json) {
			json_t *j = truce_json_event(ev);
			char *s = json_dumps(j, JSON_COMPACT);
			if (s != NULL)
				puts(s);
			free(s);
			json_decref(j);
		} else {
			print_readable(ev);
		}
		fflush(stdout);
		w->printed++;
	}
	save_state(w);
	return w->o->count > 0 && w->printed >= w->o->count;
}

/* A refused handshake looks like a quiet feed: say it, once. */
static void say_refused(watch_run *w)
{
	const char *why = truce_handshake_watch_failure(w->hw, w->keys.on);
	if (why != NULL && why != w->said)
		fprintf(stderr, "truce watch: %s\n", why);
	w->said = why;
}

static void *query_socket(watch_run *w)
{
	void *q = zmq_socket(w->ctx, ZMQ_DEALER);
	int linger = 0, tmo = QUERY_TIMEOUT_MS;
	if (q == NULL || truce_client_curve_setup(q, &w->keys) != 0) {
		if (q != NULL)
			zmq_close(q);
		return NULL;
	}
	zmq_setsockopt(q, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(q, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	if (zmq_connect(q, w->o->query) != 0) {
		zmq_close(q);
		return NULL;
	}
	return q;
}

/* One EVENTS_AFTER round trip; NULL on timeout (the socket is then reset,
 * since a late reply would otherwise answer the next request). */
static Truce__V1__QueryReply *query_events(watch_run *w, uint64_t after)
{
	Truce__V1__QueryRequest rq = TRUCE__V1__QUERY_REQUEST__INIT;
	rq.has_kind = rq.has_after = 1;
	rq.kind = TRUCE__V1__QUERY_REQUEST__KIND__EVENTS_AFTER;
	rq.after = after;
	uint8_t buf[64];
	size_t n = truce__v1__query_request__pack(&rq, buf);
	zmq_send(w->q, "", 0, ZMQ_SNDMORE);
	zmq_send(w->q, buf, n, 0);
	zmq_msg_t m;
	zmq_msg_init(&m);
	Truce__V1__QueryReply *r = NULL;
	while (zmq_msg_recv(&m, w->q, 0) >= 0) {
		if (!zmq_msg_more(&m)) {
			r = truce__v1__query_reply__unpack(NULL, zmq_msg_size(&m),
			                                   zmq_msg_data(&m));
			break;
		}
	}
	zmq_msg_close(&m);
	if (r == NULL) {
		zmq_close(w->q);
		w->q = query_socket(w);
	}
	return r;
}

/* Fetches and handles every stored event after w->last up to `upto`
 * (0 = to the end). Returns 1 when --count is reached, -1 on failure. */
static int backfill(watch_run *w, uint64_t upto)
{
	for (;;) {
		if (w->q == NULL || watch_stop)
			return -1;
		Truce__V1__QueryReply *r = query_events(w, w->have_last ? w->last : 0);
		if (r == NULL) {
			fprintf(stderr, "truce watch: no answer from %s, retrying\n", w->o->query);
			say_refused(w);
			continue;
		}
		if (!r->ok) {
			fprintf(stderr, "truce watch: query failed: %s\n",
			        r->error ? r->error : "?");
			truce__v1__query_reply__free_unpacked(r, NULL);
			return -1;
		}
		int done = 0, more = r->more && r->n_events > 0;
		for (size_t i = 0; i < r->n_events && !done; i++) {
			if (upto != 0 && r->events[i]->seq > upto) {
				more = 0;
				break;
			}
			done = handle_event(w, r->events[i]);
		}
		truce__v1__query_reply__free_unpacked(r, NULL);
		if (done)
			return 1;
		if (!more)
			return 0;
	}
}

static int live_loop(watch_run *w)
{
	zmq_msg_t topic, body;
	int64_t quiet_since = truce_now_us();
	while (!watch_stop) {
		zmq_pollitem_t pi = {.socket = w->sub, .events = ZMQ_POLLIN};
		if (zmq_poll(&pi, 1, 500) <= 0) {
			say_refused(w);
			/* A gap is only seen when the next event arrives. When the
			 * feed goes quiet, ask once in a while: the last events of a
			 * burst may have been dropped with nothing behind them. */
			if (w->q != NULL && w->have_last &&
			    truce_now_us() - quiet_since > (int64_t)IDLE_CATCHUP_MS * 1000) {
				quiet_since = truce_now_us();
				uint64_t before = w->last;
				int done = backfill(w, 0) == 1;
				if (w->last > before)
					fprintf(stderr,
					        "truce watch: events %llu..%llu missed live, "
					        "backfilling "
					        "(found while the feed was quiet)\n",
					        (unsigned long long)before + 1,
					        (unsigned long long)w->last);
				if (done)
					return 0;
			}
			continue;
		}
		quiet_since = truce_now_us();
		zmq_msg_init(&topic);
		zmq_msg_init(&body);
		int ok = zmq_msg_recv(&topic, w->sub, 0) >= 0 && zmq_msg_more(&topic) &&
		         zmq_msg_recv(&body, w->sub, 0) >= 0;
		Truce__V1__Event *ev =
		    ok ? truce__v1__event__unpack(NULL, zmq_msg_size(&body), zmq_msg_data(&body))
		       : NULL;
		zmq_msg_close(&topic);
		zmq_msg_close(&body);
		if (ev == NULL)
			continue;
		int done = 0;
		if (w->have_last && ev->seq > w->last + 1 && w->q != NULL) {
			fprintf(stderr, "truce watch: events %llu..%llu missed live, backfilling\n",
			        (unsigned long long)w->last + 1, (unsigned long long)ev->seq - 1);
			done = backfill(w, ev->seq - 1) == 1; /* fill the hole first */
		}
		if (!done)
			done = handle_event(w, ev);
		truce__v1__event__free_unpacked(ev, NULL);
		if (done)
			return 0;
	}
	return 0;
}

static void watch_usage(FILE *f)
{
	fprintf(f, "usage: truce watch [OPTIONS]\n\n"
	           "Prints violation alerts as truced publishes them. With --since or --state it\n"
	           "first prints every stored event after that seq, then continues live, with no\n"
	           "duplicate and no hole (holes are filled from the query socket).\n\n"
	           "  --connect EP     truced PUB endpoint (default " DEFAULT_PUB ")\n"
	           "  --query EP       truced query endpoint (default " DEFAULT_QUERY ")\n"
	           "  --topic PREFIX   only events whose topic starts with PREFIX (repeatable),\n"
	           "                   e.g. claim.new. | claim.new.karabakh. | incident.\n"
	           "  --since N        start after event seq N (0 = from the first event)\n"
	           "  --state FILE     remember the last seq in FILE and resume after it\n"
	           "  --count N        exit after printing N events\n"
	           "  --no-backfill    live events only; never ask the query socket\n"
	           "  --hwm N          live events queued here before ZeroMQ drops them\n"
	           "                   (default 100000; dropped events are backfilled)\n"
	           "  --json           one JSON object per event\n" TRUCE_KEY_USAGE
	           "  -h, --help       this text\n");
}

static int read_state(watch_opts *o)
{
	FILE *f = fopen(o->state, "r");
	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	char line[64] = "";
	unsigned long long v;
	int ok = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	if (!ok || truce_parse_u64(line, &v) != 0)
		return -1;
	if (!o->has_since) {
		o->since = v;
		o->has_since = 1;
	}
	return 0;
}

static int parse_watch_args(int argc, char **argv, watch_opts *o, int *no_backfill)
{
	static const struct option opts[] = {
	    {"connect", required_argument, NULL, 'c'},
	    {"query", required_argument, NULL, 'Q'},
	    {"topic", required_argument, NULL, 't'},
	    {"since", required_argument, NULL, 's'},
	    {"state", required_argument, NULL, 'S'},
	    {"count", required_argument, NULL, 'n'},
	    {"json", no_argument, NULL, 'j'},
	    {"no-backfill", no_argument, NULL, 'N'},
	    {"hwm", required_argument, NULL, 'H'},
	    {"help", no_argument, NULL, 'h'},
	    TRUCE_KEY_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o->connect = optarg; break;
		case 'Q': o->query = optarg; break;
		case 'S': o->state = optarg; break;
		case 'j': o->json = 1; break;
		case 'N': *no_backfill = 1; break;
		case 'h': watch_usage(stdout); return -1;
		case 't':
			if (o->n_topics == MAX_TOPICS)
				return truce_usage_error("watch", "at most %d topics", MAX_TOPICS);
			o->topics[o->n_topics++] = optarg;
			break;
		case 's':
			if (truce_parse_u64(optarg, &o->since) != 0)
				return truce_usage_error("watch", "--since wants a number");
			o->has_since = 1;
			break;
		case 'n':
			if (truce_parse_u64(optarg, &o->count) != 0)
				return truce_usage_error("watch", "--count wants a number");
			break;
		case 'H':
			if (truce_parse_u64(optarg, &o->hwm) != 0 || o->hwm == 0 ||
			    o->hwm > INT_MAX)
				return truce_usage_error("watch", "--hwm wants a positive number");
			break;
		default:
			if (truce_key_args_take(&o->keys, c, optarg))
				break;
			return truce_usage_error("watch", "unknown option");
		}
	}
	if (optind < argc)
		return truce_usage_error("watch", "unexpected argument '%s'", argv[optind]);
	if (o->state != NULL && read_state(o) != 0)
		return truce_usage_error("watch", "cannot read state file %s", o->state);
	return 0;
}

static int watch_open(watch_run *w, int no_backfill)
{
	const watch_opts *o = w->o;
	w->ctx = zmq_ctx_new();
	w->sub = zmq_socket(w->ctx, ZMQ_SUB);
	int linger = 0, hwm = (int)o->hwm;
	if (truce_client_curve_setup(w->sub, &w->keys) != 0) {
		fprintf(stderr, "truce watch: cannot set up CURVE: %s\n", zmq_strerror(errno));
		return TRUCE_EXIT_IO;
	}
	truce_handshake_watch_start(w->ctx, w->sub, &w->hw); /* NULL on failure: no hints */
	zmq_setsockopt(w->sub, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(w->sub, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	/* With backfill, subscribe to everything and filter here, after gap
	 * detection: a seq jump is then a real loss, never just a filtered
	 * topic. Live-only watchers let ZeroMQ filter by prefix instead. */
	if (no_backfill && o->n_topics > 0)
		for (int i = 0; i < o->n_topics; i++)
			zmq_setsockopt(w->sub, ZMQ_SUBSCRIBE, o->topics[i], strlen(o->topics[i]));
	else
		zmq_setsockopt(w->sub, ZMQ_SUBSCRIBE, "", 0);
	if (zmq_connect(w->sub, o->connect) != 0) {
		fprintf(stderr, "truce watch: cannot connect to %s: %s\n", o->connect,
		        zmq_strerror(errno));
		return TRUCE_EXIT_IO;
	}
	if (!no_backfill) {
		w->q = query_socket(w);
		if (w->q == NULL) {
			fprintf(stderr, "truce watch: cannot connect to %s\n", o->query);
			return TRUCE_EXIT_IO;
		}
	}
	return 0;
}

int truce_cmd_watch(int argc, char **argv)
{
	watch_opts o = {.connect = DEFAULT_PUB, .query = DEFAULT_QUERY, .hwm = 100000};
	int no_backfill = 0;
	int rc = parse_watch_args(argc, argv, &o, &no_backfill);
	if (rc != 0)
		return rc < 0 ? TRUCE_EXIT_OK : rc;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	watch_run w = {.o = &o, .last = o.since, .have_last = o.has_since};
	rc = truce_key_args_load("watch", &o.keys, &w.keys);
	if (rc != 0)
		return rc;
	rc = watch_open(&w, no_backfill);
	if (rc == 0 && o.has_since) {
		usleep(100000); /* let the SUB connect so nothing falls between */
		if (backfill(&w, 0) == 1)
			goto out;
	}
	if (rc == 0)
		rc = live_loop(&w);
out:
	if (w.q)
		zmq_close(w.q);
	truce_handshake_watch_stop(w.hw);
	if (w.sub)
		zmq_close(w.sub);
	if (w.ctx)
		zmq_ctx_term(w.ctx);
	truce_client_keys_clear(&w.keys);
	return rc;
}
