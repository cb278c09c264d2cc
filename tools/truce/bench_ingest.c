/*
 * bench_ingest.c - `truce bench ingest`: the durable end-to-end benchmark.
 *
 * Drives a running truced the way collectors and subscribers do: a DEALER
 * sends generated articles of a chosen size (each carrying one plain
 * accusation, so every article yields a claim and an alert), a SUB socket
 * receives the claim.new events. For every article it records when it was
 * sent, when its Ack came back (the article is then committed and, with
 * --sync full, fsync'd) and when its alert arrived. It reports throughput
 * (articles/s, MB/s of article bytes) and latency percentiles for acks and
 * alerts. Run it at full speed (--rate 0) for throughput and at a fixed
 * rate (e.g. --rate 1000) for latency under a steady load.
 *
 * With --clients C the articles go out over C DEALER connections (article
 * i on connection i mod C), each keeping its own window of unacked
 * articles, as C collectors would: truced sees C peers.
 *
 * The alert (claim.new or claim.corroborated) is matched to its article
 * through the claim's article_id, the generated id "bench-<run>-<index>".
 * Generated articles are published a week apart, cycling through --days
 * days (2000), so an incident collects a handful of reports as in real
 * feeds rather than one incident swallowing the whole run; fewer days make
 * bigger incidents. With --realistic the articles are the bundled sample
 * articles (or --jsonl FILE) in turn, each under its own id and URL: real
 * news text, as costly to extract as what collectors send, with the dates
 * and outlets of the originals (so their copies pile into a few incidents).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "cli.h"
#include "truce/date.h"
#include "truce/keys.h"
#include "truce/wire.h"

#define DEFAULT_INGEST "tcp://127.0.0.1:7701"
#define DEFAULT_PUB "tcp://127.0.0.1:7702"
#define BENCH_TAIL_MS 5000   /* wait this long after the last ack for alerts */
#define BENCH_STALL_MS 30000 /* no ack for this long: the daemon is gone */
#define BENCH_MAX_CLIENTS 64

typedef struct bench_opts {
	const char *ingest;
	const char *pub;
	const char *jsonl; /* --realistic: the articles to send in turn */
	int realistic;
	uint64_t n;
	uint64_t size;
	uint64_t rate; /* articles/s; 0 = as fast as the window allows */
	uint64_t window;
	uint64_t days;
	uint64_t clients; /* DEALER connections, each with its own window */
	int json;
	cli_key_args keys;
} bench_opts;

typedef struct bench_rec {
	int64_t sent_us;
	int64_t ack_us;   /* 0 = not yet */
	int64_t alert_us; /* 0 = not yet */
	int status;
} bench_rec;

/* A sample article for --realistic, copied out of the reader. */
typedef struct bench_sample {
	char *title, *source, *published, *body;
	size_t body_len;
	int is_html;
} bench_sample;

typedef struct bench_run {
	const bench_opts *o;
	bench_sample *samples;
	size_t n_samples;
	char tag[32];
	bench_rec *recs;
	uint64_t acked, alerted, rejected;
	uint64_t bytes;     /* article body bytes sent */
	uint64_t *sent_by;  /* per client: articles sent */
	uint64_t *acked_by; /* per client: articles acked */
} bench_run;

/* Filler text in the register of a news article, so extraction does real
 * work on it rather than skipping an empty body. */
static const char filler[] =
    "Officials said the situation along the line of contact remained tense "
    "throughout the day, and residents of nearby villages reported hearing "
    "gunfire in the evening. Observers have called on both sides to respect "
    "the agreement reached earlier this year and to refrain from actions that "
    "could escalate the conflict further. ";

/* A generated body of exactly size bytes: one accusation, then filler. */
static char *generated_body(uint64_t i, size_t size)
{
	char *body = malloc(size + 1);
	if (body == NULL)
		return NULL;
	int n = snprintf(body, size + 1,
	                 "Armenia's defence ministry accused Azerbaijan of violating the "
	                 "ceasefire, saying %u soldiers were wounded near the village of Tegh. ",
	                 (unsigned)(1 + i % 9));
	size_t used = (size_t)n < size ? (size_t)n : size;
	while (used < size) {
		size_t k = sizeof(filler) - 1 < size - used ? sizeof(filler) - 1 : size - used;
		memcpy(body + used, filler, k);
		used += k;
	}
	body[size] = '\0';
	return body;
}

/* Packs article i into a malloc'd Article frame: generated text of o->size
 * bytes, or the next sample article (--realistic). */
static int bench_article(const bench_run *r, uint64_t i, uint8_t **buf, size_t *len,
                         size_t *body_len)
{
	char id[64], url[96], published[16];
	Truce__V1__Article a = TRUCE__V1__ARTICLE__INIT;
	char *body = NULL;
	snprintf(id, sizeof(id), "bench-%s-%" PRIu64, r->tag, i);
	snprintf(url, sizeof(url), "https://bench.invalid/%s/%" PRIu64, r->tag, i);
	a.id = id;
	a.url = url;
	a.collector_id = "bench";
	a.has_body = 1;
	if (r->o->realistic) {
		const bench_sample *smp = &r->samples[i % r->n_samples];
		a.source = smp->source;
		a.published = smp->published;
		a.title = smp->title;
		a.body.data = (uint8_t *)smp->body;
		a.body.len = smp->body_len;
		if (smp->is_html) {
			a.has_content_type = 1;
			a.content_type = TRUCE__V1__CONTENT_TYPE__CONTENT_HTML;
		}
	} else {
		body = generated_body(i, (size_t)r->o->size);
		if (body == NULL)
			return TRUCE_ENOMEM;
		time_t day = (time_t)(19000 + 7 * (i % r->o->days)) * 86400; /* from 2022 */
		struct tm tm;
		gmtime_r(&day, &tm);
		strftime(published, sizeof(published), "%Y-%m-%d", &tm);
		a.source = "truce bench";
		a.published = published;
		a.title = "Ceasefire violation reported";
		a.body.data = (uint8_t *)body;
		a.body.len = (size_t)r->o->size;
	}
	int rc = truce_wire_pack(&a.base, buf, len);
	*body_len = a.body.len;
	free(body);
	return rc;
}

static char *dup_opt(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static int keep_sample(void *vctx, const cli_input_article *a)
{
	bench_run *r = vctx;
	bench_sample *v = realloc(r->samples, (r->n_samples + 1) * sizeof(*v));
	if (v == NULL)
		return TRUCE_ENOMEM;
	r->samples = v;
	bench_sample *smp = &v[r->n_samples];
	smp->title = dup_opt(a->title);
	smp->source = dup_opt(a->source);
	smp->published = dup_opt(a->published);
	smp->body = malloc(a->body_len + 1);
	smp->body_len = a->body_len;
	smp->is_html = a->is_html;
	if (smp->body == NULL)
		return TRUCE_ENOMEM;
	memcpy(smp->body, a->body, a->body_len);
	smp->body[a->body_len] = '\0';
	r->n_samples++;
	return 0;
}

static void samples_free(bench_run *r)
{
	for (size_t i = 0; i < r->n_samples; i++) {
		free(r->samples[i].title);
		free(r->samples[i].source);
		free(r->samples[i].published);
		free(r->samples[i].body);
	}
	free(r->samples);
}

/* Reads the --realistic articles; says why on stderr when there are none. */
static int samples_load(bench_run *r)
{
	char seeds[4096];
	const char *path = r->o->jsonl;
	if (path == NULL) {
		cli_default_seeds(seeds, sizeof(seeds));
		path = seeds;
	}
	size_t bad = 0;
	if (cli_input_jsonl(path, keep_sample, r, &bad) != 0 || r->n_samples == 0) {
		fprintf(stderr, "truce bench ingest: no articles in %s\n", path);
		return CLI_EXIT_IO;
	}
	return 0;
}

static int bench_send(bench_run *r, void *dealer, uint64_t i)
{
	uint8_t *frame;
	size_t len, body_len;
	int rc = bench_article(r, i, &frame, &len, &body_len);
	if (rc != 0)
		return rc;
	uint64_t msg_id = i;
	r->recs[i].sent_us = truce_mono_us();
	if (zmq_send(dealer, &msg_id, sizeof(msg_id), ZMQ_SNDMORE) < 0 ||
	    zmq_send(dealer, frame, len, 0) < 0)
		rc = TRUCE_ENET;
	free(frame);
	r->bytes += body_len;
	return rc;
}

static void bench_on_ack(bench_run *r, void *dealer)
{
	zmq_msg_t m;
	zmq_msg_init(&m);
	while (zmq_msg_recv(&m, dealer, ZMQ_DONTWAIT) >= 0) {
		Truce__V1__Ack *ack =
		    truce__v1__ack__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
		uint64_t i;
		if (ack != NULL && ack->has_msg_id && ack->msg_id.len == sizeof(i)) {
			memcpy(&i, ack->msg_id.data, sizeof(i));
			if (i < r->o->n && r->recs[i].ack_us == 0) {
				r->recs[i].ack_us = truce_mono_us();
				r->recs[i].status = ack->status;
				r->acked++;
				r->acked_by[i % r->o->clients]++;
				r->rejected += ack->status == TRUCE__V1__ACK_STATUS__ACK_REJECTED;
			}
		}
		if (ack != NULL)
			truce__v1__ack__free_unpacked(ack, NULL);
	}
	zmq_msg_close(&m);
}

static void bench_on_alert(bench_run *r, void *sub)
{
	zmq_msg_t topic, body;
	zmq_msg_init(&topic);
	zmq_msg_init(&body);
	while (zmq_msg_recv(&topic, sub, ZMQ_DONTWAIT) >= 0) {
		if (!zmq_msg_more(&topic) || zmq_msg_recv(&body, sub, 0) < 0)
			continue;
		Truce__V1__Event *ev =
		    truce__v1__event__unpack(NULL, zmq_msg_size(&body), zmq_msg_data(&body));
		const char *aid = ev && ev->claim ? ev->claim->article_id : NULL;
		size_t pl = strlen("bench-") + strlen(r->tag) + 1;
		if (aid != NULL && strncmp(aid, "bench-", 6) == 0 &&
		    strncmp(aid + 6, r->tag, strlen(r->tag)) == 0 && aid[pl - 1] == '-') {
			uint64_t i;
			if (truce_parse_u64(aid + pl, &i) == 0 && i < r->o->n &&
			    r->recs[i].alert_us == 0) {
				r->recs[i].alert_us = truce_mono_us();
				r->alerted++;
			}
		}
		if (ev != NULL)
			truce__v1__event__free_unpacked(ev, NULL);
	}
	zmq_msg_close(&topic);
	zmq_msg_close(&body);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Percentiles (in ms) of the latencies end - sent over records where both
 * are known; *n gets how many. */
static void percentiles(const bench_run *r, int alert, double out[4], uint64_t *n)
{
	int64_t *v = malloc(r->o->n * sizeof(*v));
	*n = 0;
	memset(out, 0, 4 * sizeof(*out));
	if (v == NULL)
		return;
	for (uint64_t i = 0; i < r->o->n; i++) {
		int64_t end = alert ? r->recs[i].alert_us : r->recs[i].ack_us;
		if (end != 0)
			v[(*n)++] = end - r->recs[i].sent_us;
	}
	qsort(v, *n, sizeof(*v), cmp_i64);
	static const double q[3] = {0.50, 0.90, 0.99};
	for (int k = 0; k < 3; k++)
		out[k] = *n ? (double)v[(size_t)(q[k] * (double)(*n - 1))] / 1000.0 : 0;
	out[3] = *n ? (double)v[*n - 1] / 1000.0 : 0;
	free(v);
}

static void bench_report(const bench_run *r, int64_t elapsed_us)
{
	double secs = (double)elapsed_us / 1e6, ack[4], alert[4];
	uint64_t n_ack, n_alert;
	percentiles(r, 0, ack, &n_ack);
	percentiles(r, 1, alert, &n_alert);
	double aps = secs > 0 ? (double)r->acked / secs : 0;
	double mbs = secs > 0 ? (double)r->bytes / secs / 1e6 : 0;
	if (r->o->json) {
		printf("{\"articles\":%" PRIu64 ",\"acked\":%" PRIu64 ",\"rejected\":%" PRIu64
		       ",\"alerts\":%" PRIu64 ",\"seconds\":%.3f,\"articles_per_s\":%.0f,"
		       "\"mb_per_s\":%.2f,\"ack_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,"
		       "\"max\":%.3f},\"alert_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,"
		       "\"max\":%.3f},\"rate\":%" PRIu64 ",\"size\":%" PRIu64 ",\"window\":%" PRIu64
		       ",\"text\":\"%s\",\"clients\":%" PRIu64 "}\n",
		       r->o->n, r->acked, r->rejected, r->alerted, secs, aps, mbs, ack[0], ack[1],
		       ack[2], ack[3], alert[0], alert[1], alert[2], alert[3], r->o->rate,
		       r->o->realistic ? r->bytes / r->o->n : r->o->size, r->o->window,
		       r->o->realistic ? "realistic" : "generated", r->o->clients);
		return;
	}
	printf("articles   %" PRIu64 " sent, %" PRIu64 " acked (%" PRIu64 " rejected), %" PRIu64
	       " alerts\n",
	       r->o->n, r->acked, r->rejected, r->alerted);
	printf("text       %s, %.0f bytes an article on average\n",
	       r->o->realistic ? "realistic (sample articles in turn)" : "generated",
	       (double)r->bytes / (double)r->o->n);
	printf("clients    %" PRIu64 ", each with a window of %" PRIu64 "\n", r->o->clients,
	       r->o->window);
	printf("throughput %.0f articles/s, %.2f MB/s of article text, %.3f s\n", aps, mbs, secs);
	printf("ack        p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms\n", ack[0], ack[1],
	       ack[2], ack[3]);
	printf("alert      p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms\n", alert[0],
	       alert[1], alert[2], alert[3]);
}

/* The send/receive loop: keeps at most `window` articles unacked, paces
 * sends at `rate` when set, and waits a little for the last alerts. */
static int bench_loop(bench_run *r, void **dealers, void *sub, int64_t *elapsed_us)
{
	const bench_opts *o = r->o;
	uint64_t next = 0, seen_acks = 0;
	int64_t start = truce_mono_us(), done_at = 0, progress = start;
	while (r->alerted < o->n) {
		if (r->acked != seen_acks) {
			seen_acks = r->acked;
			progress = truce_mono_us();
		} else if (r->acked < o->n &&
		           truce_mono_us() - progress > (int64_t)BENCH_STALL_MS * 1000) {
			*elapsed_us = truce_mono_us() - start;
			return TRUCE_ETIMEDOUT;
		}
		int64_t now = truce_mono_us();
		int paced =
		    o->rate == 0 || (double)(now - start) >= (double)next * 1e6 / (double)o->rate;
		/* Article next goes out on connection next mod C, when that
		 * connection's window has room: in order, as C collectors
		 * sending in turn would. */
		uint64_t c = next % o->clients;
		while (next < o->n && r->sent_by[c] - r->acked_by[c] < o->window && paced) {
			int rc = bench_send(r, dealers[c], next++);
			if (rc != 0)
				return rc;
			r->sent_by[c]++;
			c = next % o->clients;
			paced = o->rate == 0 || (double)(truce_mono_us() - start) >=
			                            (double)next * 1e6 / (double)o->rate;
		}
		zmq_pollitem_t pi[BENCH_MAX_CLIENTS + 1];
		for (uint64_t k = 0; k < o->clients; k++)
			pi[k] = (zmq_pollitem_t){.socket = dealers[k], .events = ZMQ_POLLIN};
		pi[o->clients] = (zmq_pollitem_t){.socket = sub, .events = ZMQ_POLLIN};
		long tmo = next < o->n && o->rate != 0 ? 1 : 100;
		if (zmq_poll(pi, (int)o->clients + 1, tmo) < 0 && errno == EINTR)
			return TRUCE_EINTR;
		for (uint64_t k = 0; k < o->clients; k++)
			bench_on_ack(r, dealers[k]);
		bench_on_alert(r, sub);
		if (r->acked == o->n && done_at == 0) {
			done_at = truce_mono_us();
			*elapsed_us = done_at - start;
		}
		if (done_at != 0 && truce_mono_us() - done_at > (int64_t)BENCH_TAIL_MS * 1000)
			break; /* alerts that did not come: reported as missing */
	}
	if (done_at == 0)
		*elapsed_us = truce_mono_us() - start;
	return 0;
}

static void bench_usage(FILE *f)
{
	fprintf(f,
	        "usage: truce bench ingest [OPTIONS]\n\n"
	        "Sends generated articles to a running truced and measures durable ingest:\n"
	        "throughput until every article is acked (committed), and the latency of\n"
	        "acks and of the alerts that subscribers receive.\n\n"
	        "  --connect EP     truced ingest endpoint (default " DEFAULT_INGEST ")\n"
	        "  --publish EP     truced PUB endpoint (default " DEFAULT_PUB ")\n"
	        "  -n, --articles N articles to send (default 20000)\n"
	        "  --size B         bytes of generated article text each (default 3000)\n"
	        "  --realistic      send the bundled sample articles (tests/data/seeds.jsonl)\n"
	        "                   in turn instead of generated text: real news, as costly\n"
	        "                   to extract as what collectors send\n"
	        "  --jsonl FILE     with --realistic: these articles (corpus JSON Lines)\n"
	        "  --rate R         articles per second (default 0 = as fast as acks allow)\n"
	        "  --window W       most unacked articles at once, per client (default 2000)\n"
	        "  --clients C      send over C connections, as C collectors (default 1)\n"
	        "  --days D         distinct event days the articles cycle through, a week\n"
	        "                   apart (default 2000; N/D claims per incident)\n"
	        "  --json           one JSON object instead of the table\n" CLI_KEY_USAGE
	        "  -h, --help       this text\n\n"
	        "Start truced on a scratch data directory first; every run sends new articles.\n");
}

static int bench_args(int argc, char **argv, bench_opts *o)
{
	static const struct option opts[] = {
	    {"connect", required_argument, NULL, 'c'},
	    {"publish", required_argument, NULL, 'p'},
	    {"articles", required_argument, NULL, 'n'},
	    {"size", required_argument, NULL, 's'},
	    {"rate", required_argument, NULL, 'r'},
	    {"window", required_argument, NULL, 'w'},
	    {"days", required_argument, NULL, 'd'},
	    {"clients", required_argument, NULL, 'C'},
	    {"json", no_argument, NULL, 'j'},
	    {"realistic", no_argument, NULL, 'R'},
	    {"jsonl", required_argument, NULL, 'J'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_KEY_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		uint64_t *num = NULL;
		if (cli_key_args_take(&o->keys, c, optarg))
			continue;
		switch (c) {
		case 'c': o->ingest = optarg; break;
		case 'p': o->pub = optarg; break;
		case 'j': o->json = 1; break;
		case 'R': o->realistic = 1; break;
		case 'J': o->jsonl = optarg; break;
		case 'h': bench_usage(stdout); return -1;
		case 'n': num = &o->n; break;
		case 's': num = &o->size; break;
		case 'r': num = &o->rate; break;
		case 'w': num = &o->window; break;
		case 'd': num = &o->days; break;
		case 'C': num = &o->clients; break;
		default: return cli_usage_error("bench ingest", "unknown option");
		}
		if (num != NULL && truce_parse_u64(optarg, num) != 0)
			return cli_usage_error("bench ingest", "option wants a number: %s", optarg);
	}
	if (optind < argc)
		return cli_usage_error("bench ingest", "unexpected argument '%s'", argv[optind]);
	if (o->n == 0 || o->window == 0 || o->days == 0 || o->days > 10000 || o->size < 200 ||
	    o->size > (1u << 20) || o->clients == 0 || o->clients > BENCH_MAX_CLIENTS)
		return cli_usage_error("bench ingest", "--articles and --window must be > 0, "
		                                       "--days 1..10000, --size 200..1048576, "
		                                       "--clients 1..64");
	return 0;
}

int cmd_bench_ingest(int argc, char **argv)
{
	bench_opts o = {.ingest = DEFAULT_INGEST,
	                .pub = DEFAULT_PUB,
	                .n = 20000,
	                .size = 3000,
	                .window = 2000,
	                .days = 2000,
	                .clients = 1};
	int rc = bench_args(argc, argv, &o);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	truce_client_keys keys;
	rc = cli_key_args_load("bench ingest", &o.keys, &keys);
	if (rc != 0)
		return rc;
	bench_run r = {.o = &o};
	if (o.realistic && (rc = samples_load(&r)) != 0) {
		samples_free(&r);
		return rc;
	}
	snprintf(r.tag, sizeof(r.tag), "%llx%x", (unsigned long long)truce_now_us(),
	         (unsigned)getpid());
	r.recs = calloc(o.n, sizeof(*r.recs));
	r.sent_by = calloc(o.clients, sizeof(*r.sent_by));
	r.acked_by = calloc(o.clients, sizeof(*r.acked_by));
	void *ctx = zmq_ctx_new();
	void *dealers[BENCH_MAX_CLIENTS] = {NULL}, *sub = zmq_socket(ctx, ZMQ_SUB);
	int linger = 0, hwm = 1000000;
	int ok = r.recs != NULL && r.sent_by != NULL && r.acked_by != NULL;
	for (uint64_t k = 0; ok && k < o.clients; k++) {
		dealers[k] = zmq_socket(ctx, ZMQ_DEALER);
		zmq_setsockopt(dealers[k], ZMQ_LINGER, &linger, sizeof(linger));
		ok = truce_client_curve_setup(dealers[k], &keys) == 0 &&
		     zmq_connect(dealers[k], o.ingest) == 0;
	}
	zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(sub, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "claim.", strlen("claim."));
	ok = ok && truce_client_curve_setup(sub, &keys) == 0 && zmq_connect(sub, o.pub) == 0;
	truce_client_keys_clear(&keys);
	int64_t elapsed = 0;
	if (!ok) {
		fprintf(stderr, "truce bench ingest: cannot connect to %s / %s\n", o.ingest, o.pub);
		rc = CLI_EXIT_IO;
	} else {
		usleep(200000); /* let the SUB join before the first alert */
		rc = bench_loop(&r, dealers, sub, &elapsed);
		if (rc != 0)
			fprintf(stderr, "truce bench ingest: %s\n", truce_strerror(rc));
		bench_report(&r, elapsed);
		rc = rc == 0 && r.acked == o.n && r.rejected == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	}
	for (uint64_t k = 0; k < o.clients; k++)
		if (dealers[k] != NULL)
			zmq_close(dealers[k]);
	zmq_close(sub);
	zmq_ctx_term(ctx);
	free(r.recs);
	free(r.sent_by);
	free(r.acked_by);
	samples_free(&r);
	return rc;
}
