/*
 * cmd_collect.c - `truce collect`: publishes articles to truced, at least
 * once.
 *
 * Articles go out on a DEALER socket as [msg_id][Article], at most --window
 * of them unacknowledged at a time (back-pressure: a slow daemon slows the
 * collector instead of queueing without bound). An article whose Ack does
 * not come within the resend timeout is sent again, with the timeout
 * doubling up to a ceiling, until --deadline; re-sends are safe because the
 * daemon acks a stored article as DUPLICATE. The collector forgets an
 * article only when it is acked STORED, DUPLICATE or REJECTED, and exits 0
 * only when every article was STORED or DUPLICATE.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <zmq.h>

#include "cli.h"
#include "truce/wire.h"

#define DEFAULT_CONNECT "tcp://127.0.0.1:7701"
#define MAX_TIMEOUT_MS 30000

enum art_state { ART_PENDING, ART_INFLIGHT, ART_DONE };

typedef struct out_article {
	uint8_t *frame; /* packed Article */
	size_t len;
	char *id;
	char where[300];
	enum art_state state;
	int64_t sent_ms;
	int64_t timeout_ms;
	unsigned sends;
	Truce__V1__AckStatus status;
	uint64_t seq;
	char *reason;
} out_article;

typedef struct collect_opts {
	const char *connect;
	const char *collector_id;
	size_t window;
	int64_t timeout_ms;
	int64_t deadline_ms;
	int json;
	int quiet;
	int force_html;
	truce_input_defaults d;
} collect_opts;

typedef struct collect_run {
	collect_opts *o;
	out_article *v;
	size_t n, cap;
	size_t inflight, done;
	size_t stored, duplicates, rejected;
} collect_run;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int add_article(void *vctx, const truce_input_article *a)
{
	collect_run *run = vctx;
	if (run->n == run->cap) {
		size_t cap = run->cap ? run->cap * 2 : 256;
		out_article *v = realloc(run->v, cap * sizeof(*v));
		if (v == NULL)
			return TRUCE_ENOMEM;
		run->v = v;
		run->cap = cap;
	}
	Truce__V1__Article art = TRUCE__V1__ARTICLE__INIT;
	art.id = a->id;
	art.url = a->url;
	art.source = a->source;
	art.title = a->title;
	art.published = a->published;
	art.has_body = 1;
	art.body.data = (uint8_t *)a->body;
	art.body.len = a->body_len;
	art.has_content_type = 1;
	art.content_type = a->is_html || run->o->force_html ? TRUCE__V1__CONTENT_TYPE__CONTENT_HTML
							     : TRUCE__V1__CONTENT_TYPE__CONTENT_TEXT;
	art.collector_id = (char *)run->o->collector_id;
	out_article *oa = &run->v[run->n];
	memset(oa, 0, sizeof(*oa));
	if (truce_wire_pack(&art.base, &oa->frame, &oa->len) != 0)
		return TRUCE_ENOMEM;
	oa->id = strdup(a->id != NULL ? a->id : "");
	snprintf(oa->where, sizeof(oa->where), "%s", a->where);
	run->n++;
	return 0;
}

static int send_article(void *sock, collect_run *run, size_t i)
{
	out_article *a = &run->v[i];
	uint8_t msg_id[8];
	for (int k = 0; k < 8; k++)
		msg_id[k] = (uint8_t)((uint64_t)i >> (56 - 8 * k));
	if (zmq_send(sock, msg_id, sizeof(msg_id), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
		return -1;
	if (zmq_send(sock, a->frame, a->len, ZMQ_DONTWAIT) < 0)
		return -1;
	if (a->state != ART_INFLIGHT)
		run->inflight++;
	a->state = ART_INFLIGHT;
	a->sent_ms = now_ms();
	a->timeout_ms = a->sends == 0 ? run->o->timeout_ms
				      : (a->timeout_ms * 2 > MAX_TIMEOUT_MS ? MAX_TIMEOUT_MS
									    : a->timeout_ms * 2);
	a->sends++;
	return 0;
}

static void handle_ack(collect_run *run, const uint8_t *buf, size_t len)
{
	Truce__V1__Ack *ack = truce__v1__ack__unpack(NULL, len, buf);
	if (ack == NULL || ack->msg_id.len != 8) {
		fprintf(stderr, "truce collect: ignoring a malformed ack\n");
		if (ack != NULL)
			truce__v1__ack__free_unpacked(ack, NULL);
		return;
	}
	uint64_t i = 0;
	for (int k = 0; k < 8; k++)
		i = (i << 8) | ack->msg_id.data[k];
	if (i < run->n && run->v[i].state == ART_INFLIGHT) {
		out_article *a = &run->v[i];
		a->state = ART_DONE;
		a->status = ack->status;
		a->seq = ack->has_article_seq ? ack->article_seq : 0;
		a->reason = ack->reason != NULL ? strdup(ack->reason) : NULL;
		run->inflight--;
		run->done++;
		run->stored += ack->status == TRUCE__V1__ACK_STATUS__ACK_STORED;
		run->duplicates += ack->status == TRUCE__V1__ACK_STATUS__ACK_DUPLICATE;
		run->rejected += ack->status == TRUCE__V1__ACK_STATUS__ACK_REJECTED;
	}
	/* else: a late ack of an article already acked by an earlier send */
	truce__v1__ack__free_unpacked(ack, NULL);
}

static void drain_acks(void *sock, collect_run *run, int wait_ms)
{
	zmq_pollitem_t pi = {.socket = sock, .events = ZMQ_POLLIN};
	if (zmq_poll(&pi, 1, wait_ms) <= 0)
		return;
	zmq_msg_t m;
	zmq_msg_init(&m);
	while (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) >= 0) {
		handle_ack(run, zmq_msg_data(&m), zmq_msg_size(&m));
		while (zmq_msg_more(&m) && zmq_msg_recv(&m, sock, 0) >= 0)
			; /* an ack is one frame; skip anything else */
	}
	zmq_msg_close(&m);
}

static void progress(const collect_run *run, int final)
{
	if (run->o->quiet || !isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\rcollect: %zu/%zu acked, %zu in flight", run->done, run->n,
		run->inflight);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

static void pump(void *sock, collect_run *run)
{
	int64_t start = now_ms(), last_progress = 0;
	size_t next = 0;
	while (run->done < run->n && now_ms() - start < run->o->deadline_ms) {
		int64_t now = now_ms();
		for (size_t i = 0; i < next; i++) {
			out_article *a = &run->v[i];
			if (a->state == ART_INFLIGHT && now - a->sent_ms >= a->timeout_ms)
				send_article(sock, run, i);
		}
		while (next < run->n && run->inflight < run->o->window) {
			if (send_article(sock, run, next) != 0)
				break;
			next++;
		}
		drain_acks(sock, run, 50);
		if (now - last_progress >= 1000) {
			progress(run, 0);
			last_progress = now;
		}
	}
	progress(run, 1);
}

static const char *status_name(const out_article *a)
{
	if (a->state != ART_DONE)
		return "UNACKED";
	switch (a->status) {
	case TRUCE__V1__ACK_STATUS__ACK_STORED:
		return "STORED";
	case TRUCE__V1__ACK_STATUS__ACK_DUPLICATE:
		return "DUPLICATE";
	default:
		return "REJECTED";
	}
}

static int article_ok(const out_article *a)
{
	return a->state == ART_DONE && a->status != TRUCE__V1__ACK_STATUS__ACK_REJECTED;
}

static void report(const collect_run *run)
{
	for (size_t i = 0; i < run->n; i++) {
		const out_article *a = &run->v[i];
		if (run->o->json) {
			json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I}", "id", a->id, "source",
					      a->where, "status", status_name(a), "seq",
					      (json_int_t)a->seq, "sends", (json_int_t)a->sends);
			if (a->reason != NULL)
				json_object_set_new(o, "reason", json_string(a->reason));
			char *s = json_dumps(o, JSON_COMPACT);
			if (s != NULL)
				puts(s);
			free(s);
			json_decref(o);
		} else if (!article_ok(a) || !run->o->quiet) {
			printf("%-10s %-8s seq=%-8llu %s%s%s\n", status_name(a), a->id,
			       (unsigned long long)a->seq, a->where, a->reason ? ": " : "",
			       a->reason ? a->reason : "");
		}
	}
	fprintf(stderr,
		"collect: %zu articles: %zu stored, %zu duplicate, %zu rejected, %zu unacked\n",
		run->n, run->stored, run->duplicates, run->rejected, run->n - run->done);
}

static void collect_usage(FILE *f)
{
	fprintf(f,
		"usage: truce collect [OPTIONS] --jsonl FILE | FILE... | -\n\n"
		"Sends articles to truced and waits until each is durably stored.\n"
		"Exit 0 only when every article was acked STORED or DUPLICATE.\n\n"
		"  --connect EP        truced ingest endpoint (default " DEFAULT_CONNECT ")\n"
		"  --jsonl FILE        articles in the corpus JSON Lines format (- = stdin)\n"
		"  --source NAME       outlet, for single files\n"
		"  --published DATE    publication date YYYY-MM-DD, for single files\n"
		"  --url URL           canonical URL, for single files\n"
		"  --html              treat every input as HTML\n"
		"  --collector-id ID   name recorded with the articles (default truce-collect)\n"
		"  --window N          most unacknowledged articles in flight (default 256)\n"
		"  --timeout MS        first re-send timeout; doubles up to 30 s (default 2000)\n"
		"  --deadline S        give up on unacked articles after S seconds (default 300)\n"
		"  --json              one JSON report line per article on stdout\n"
		"  -q, --quiet         report only articles that were not stored\n"
		"  -h, --help          this text\n\n"
		"Plain-text files: the first line is the title. Files ending in .html/.htm or\n"
		"starting with '<' are sent as HTML.\n");
}

static int parse_collect_args(int argc, char **argv, collect_opts *o, const char **jsonl)
{
	static const struct option opts[] = {
	    {"connect", required_argument, NULL, 'c'},	 {"jsonl", required_argument, NULL, 'j'},
	    {"source", required_argument, NULL, 's'},	 {"published", required_argument, NULL, 'p'},
	    {"url", required_argument, NULL, 'u'},	 {"html", no_argument, NULL, 'H'},
	    {"collector-id", required_argument, NULL, 'I'}, {"window", required_argument, NULL, 'w'},
	    {"timeout", required_argument, NULL, 't'},	 {"deadline", required_argument, NULL, 'D'},
	    {"json", no_argument, NULL, 'J'},		 {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},		 {NULL, 0, NULL, 0},
	};
	unsigned long long v;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o->connect = optarg; break;
		case 'j': *jsonl = optarg; break;
		case 's': o->d.source = optarg; break;
		case 'p': o->d.published = optarg; break;
		case 'u': o->d.url = optarg; break;
		case 'H': o->force_html = 1; break;
		case 'I': o->collector_id = optarg; break;
		case 'J': o->json = 1; break;
		case 'q': o->quiet = 1; break;
		case 'h': collect_usage(stdout); return -1;
		case 'w':
		case 't':
		case 'D':
			if (truce_parse_u64(optarg, &v) != 0 || v == 0 || v > 1000000000)
				return truce_usage_error("collect", "bad number '%s'", optarg);
			if (c == 'w')
				o->window = (size_t)v;
			else if (c == 't')
				o->timeout_ms = (int64_t)v;
			else
				o->deadline_ms = (int64_t)v * 1000;
			break;
		default: return truce_usage_error("collect", "unknown option");
		}
	}
	if (*jsonl == NULL && optind >= argc)
		return truce_usage_error("collect", "give --jsonl FILE, FILE... or -");
	if (o->d.published != NULL && truce_date_check(o->d.published) != 0)
		return truce_usage_error("collect", "--published wants YYYY-MM-DD");
	return 0;
}

static int read_inputs(collect_run *run, const char *jsonl, int argc, char **argv)
{
	if (jsonl != NULL) {
		size_t bad = 0;
		if (truce_input_jsonl(jsonl, add_article, run, &bad) != 0) {
			fprintf(stderr, "truce collect: cannot read %s: %s\n", jsonl,
				strerror(errno));
			return TRUCE_EXIT_IO;
		}
		if (bad > 0)
			fprintf(stderr, "truce collect: %zu unreadable lines in %s skipped\n", bad,
				jsonl);
	}
	for (int i = optind; i < argc; i++) {
		if (truce_input_file(argv[i], &run->o->d, add_article, run) != 0) {
			fprintf(stderr, "truce collect: cannot read %s: %s\n", argv[i],
				strerror(errno));
			return TRUCE_EXIT_IO;
		}
	}
	return 0;
}

static void run_free(collect_run *run)
{
	for (size_t i = 0; i < run->n; i++) {
		free(run->v[i].frame);
		free(run->v[i].id);
		free(run->v[i].reason);
	}
	free(run->v);
}

int truce_cmd_collect(int argc, char **argv)
{
	collect_opts o = {.connect = DEFAULT_CONNECT,
			  .collector_id = "truce-collect",
			  .window = 256,
			  .timeout_ms = 2000,
			  .deadline_ms = 300000};
	const char *jsonl = NULL;
	int rc = parse_collect_args(argc, argv, &o, &jsonl);
	if (rc != 0)
		return rc < 0 ? TRUCE_EXIT_OK : rc;
	collect_run run = {.o = &o};
	rc = read_inputs(&run, jsonl, argc, argv);
	if (rc != 0) {
		run_free(&run);
		return rc;
	}
	void *ctx = zmq_ctx_new();
	void *sock = zmq_socket(ctx, ZMQ_DEALER);
	int linger = 0, hwm = (int)(o.window * 4 + 16);
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	if (zmq_connect(sock, o.connect) != 0) {
		fprintf(stderr, "truce collect: cannot connect to %s: %s\n", o.connect,
			zmq_strerror(errno));
		rc = TRUCE_EXIT_IO;
	} else {
		pump(sock, &run);
		report(&run);
		rc = run.stored + run.duplicates == run.n ? TRUCE_EXIT_OK : TRUCE_EXIT_FAIL;
	}
	zmq_close(sock);
	zmq_ctx_term(ctx);
	run_free(&run);
	return rc;
}
