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
 * only when every article was STORED or DUPLICATE. The send window itself
 * lives in sender.c, shared with `truce replay --publish`. With --state
 * FILE the acked articles are remembered (collect_state.c) and a later run
 * with the same FILE skips them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <zmq.h>

#include "cli.h"
#include "truce/date.h"
#include "truce/keys.h"
#include "truce/wire.h"

#define DEFAULT_CONNECT "tcp://127.0.0.1:7701"

/* What the report says of an article besides its Ack (sender.h). */
typedef struct out_article {
	char *id;
	char where[300];
	uint8_t key[TRUCE_HASH_LEN]; /* content key, for --state */
} out_article;

typedef struct collect_opts {
	const char *connect;
	cli_key_args keys; /* --curve-server-key, --curve-secret */
	const char *collector_id;
	size_t window;
	int64_t timeout_ms;
	int64_t deadline_ms;
	int json;
	int quiet;
	int force_html;
	const char *state_path; /* --state */
	cli_input_defaults d;
} collect_opts;

typedef struct collect_run {
	collect_opts *o;
	truce_sender *snd;
	out_article *v; /* by sender index */
	size_t n, cap;
	truce_collect_state *state; /* --state, else NULL */
	size_t skipped;             /* acked in an earlier run: not sent */
} collect_run;

static int add_article(void *vctx, const cli_input_article *a)
{
	collect_run *run = vctx;
	if (truce_grow(&run->v, &run->cap, run->n, sizeof(*run->v), 256) != 0)
		return TRUCE_ENOMEM;
	Truce__V1__Article art;
	cli_input_to_wire(a, run->o->force_html, run->o->collector_id, &art);
	uint8_t key[TRUCE_HASH_LEN];
	truce_content_key(&art, key);
	if (run->state != NULL && truce_collect_state_has(run->state, key)) {
		run->skipped++;
		return 0;
	}
	uint8_t *frame;
	size_t len;
	if (truce_wire_pack(&art.base, &frame, &len) != 0)
		return TRUCE_ENOMEM;
	int rc = truce_sender_add(run->snd, frame, len, NULL);
	free(frame);
	if (rc != 0)
		return rc;
	out_article *oa = &run->v[run->n];
	memset(oa, 0, sizeof(*oa));
	oa->id = strdup(a->id != NULL ? a->id : "");
	snprintf(oa->where, sizeof(oa->where), "%s", a->where);
	memcpy(oa->key, key, sizeof(key));
	run->n++;
	return 0;
}

/* The sender's ack hook: remember what the daemon has stored. */
static void on_ack(void *vctx, size_t index, const truce_send_item *it)
{
	collect_run *run = vctx;
	if (run->state == NULL || index >= run->n ||
	    (it->status != TRUCE__V1__ACK_STATUS__ACK_STORED &&
	     it->status != TRUCE__V1__ACK_STATUS__ACK_DUPLICATE))
		return;
	if (truce_collect_state_add(run->state, run->v[index].key, it->seq) != 0)
		fprintf(stderr, "truce collect: cannot write %s\n", run->o->state_path);
}

static void report(const collect_run *run)
{
	for (size_t i = 0; i < run->n; i++) {
		const out_article *oa = &run->v[i];
		const truce_send_item *a = truce_sender_item(run->snd, i);
		if (run->o->json) {
			json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I}", "id", oa->id, "source",
			                      oa->where, "status", truce_send_status_name(a), "seq",
			                      (json_int_t)a->seq, "sends", (json_int_t)a->sends);
			if (a->reason != NULL)
				json_object_set_new(o, "reason", json_string(a->reason));
			char *s = json_dumps(o, JSON_COMPACT);
			if (s != NULL)
				puts(s);
			free(s);
			json_decref(o);
		} else if (!truce_send_item_ok(a) || !run->o->quiet) {
			printf("%-10s %-8s seq=%-8llu %s%s%s\n", truce_send_status_name(a), oa->id,
			       (unsigned long long)a->seq, oa->where, a->reason ? ": " : "",
			       a->reason ? a->reason : "");
		}
	}
	fprintf(stderr,
	        "collect: %zu articles: %zu stored, %zu duplicate, %zu rejected, %zu unacked\n",
	        run->n, truce_sender_status_count(run->snd, TRUCE__V1__ACK_STATUS__ACK_STORED),
	        truce_sender_status_count(run->snd, TRUCE__V1__ACK_STATUS__ACK_DUPLICATE),
	        truce_sender_status_count(run->snd, TRUCE__V1__ACK_STATUS__ACK_REJECTED),
	        run->n - truce_sender_done(run->snd));
}

static void collect_usage(FILE *f)
{
	fprintf(f,
	        "usage: truce collect [OPTIONS] --jsonl FILE | FILE... | -\n"
	        "       truce collect --watch DIR [OPTIONS]   (a drop folder: --watch --help)\n\n"
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
	        "  --state FILE        remember acked articles in FILE; a later run with the\n"
	        "                      same FILE sends only the others (resume after a crash)\n"
	        "  --json              one JSON report line per article on stdout\n"
	        "  -q, --quiet         report only articles that were not stored\n" CLI_KEY_USAGE
	        "  -h, --help          this text\n\n"
	        "Plain-text files: the first line is the title. Files ending in .html/.htm or\n"
	        "starting with '<' are sent as HTML.\n");
}

static int parse_collect_args(int argc, char **argv, collect_opts *o, const char **jsonl)
{
	static const struct option opts[] = {
	    {"connect", required_argument, NULL, 'c'},
	    {"jsonl", required_argument, NULL, 'j'},
	    {"source", required_argument, NULL, 's'},
	    {"published", required_argument, NULL, 'p'},
	    {"url", required_argument, NULL, 'u'},
	    {"html", no_argument, NULL, 'H'},
	    {"collector-id", required_argument, NULL, 'I'},
	    {"window", required_argument, NULL, 'w'},
	    {"timeout", required_argument, NULL, 't'},
	    {"deadline", required_argument, NULL, 'D'},
	    {"json", no_argument, NULL, 'J'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {"state", required_argument, NULL, 'S'},
	    CLI_KEY_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	uint64_t v;
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
		case 'S': o->state_path = optarg; break;
		case 'h': collect_usage(stdout); return -1;
		case 'w':
		case 't':
		case 'D':
			if (truce_parse_u64(optarg, &v) != 0 || v == 0 || v > 1000000000)
				return cli_usage_error("collect", "bad number '%s'", optarg);
			if (c == 'w')
				o->window = (size_t)v;
			else if (c == 't')
				o->timeout_ms = (int64_t)v;
			else
				o->deadline_ms = (int64_t)v * 1000;
			break;
		default:
			if (cli_key_args_take(&o->keys, c, optarg))
				break;
			return cli_usage_error("collect", "unknown option");
		}
	}
	if (*jsonl == NULL && optind >= argc)
		return cli_usage_error("collect", "give --jsonl FILE, FILE... or -");
	if (o->d.published != NULL && truce_date_check(o->d.published) != 0)
		return cli_usage_error("collect", "--published wants YYYY-MM-DD");
	return 0;
}

static int read_inputs(collect_run *run, const char *jsonl, int argc, char **argv)
{
	if (jsonl != NULL) {
		size_t bad = 0;
		if (cli_input_jsonl(jsonl, add_article, run, &bad) != 0) {
			fprintf(stderr, "truce collect: cannot read %s: %s\n", jsonl,
			        strerror(errno));
			return CLI_EXIT_IO;
		}
		if (bad > 0)
			fprintf(stderr, "truce collect: %zu unreadable lines in %s skipped\n", bad,
			        jsonl);
	}
	for (int i = optind; i < argc; i++) {
		if (cli_input_file(argv[i], &run->o->d, add_article, run) != 0) {
			fprintf(stderr, "truce collect: cannot read %s: %s\n", argv[i],
			        strerror(errno));
			return CLI_EXIT_IO;
		}
	}
	return 0;
}

static void run_free(collect_run *run)
{
	for (size_t i = 0; i < run->n; i++)
		free(run->v[i].id);
	free(run->v);
	truce_sender_free(run->snd);
}

int cmd_collect(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) /* a drop folder: collect_watch.c */
		if (strcmp(argv[i], "--watch") == 0 || strncmp(argv[i], "--watch=", 8) == 0)
			return cli_collect_watch(argc, argv);
	collect_opts o = {.connect = DEFAULT_CONNECT,
	                  .collector_id = "truce-collect",
	                  .window = 256,
	                  .timeout_ms = 2000,
	                  .deadline_ms = 300000};
	const char *jsonl = NULL;
	int rc = parse_collect_args(argc, argv, &o, &jsonl);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	collect_run run = {.o = &o};
	char serr[512] = "";
	if (o.state_path != NULL &&
	    truce_collect_state_open(o.state_path, &run.state, serr, sizeof(serr)) != 0) {
		fprintf(stderr, "truce collect: %s\n", serr[0] ? serr : "cannot open --state");
		return CLI_EXIT_IO;
	}
	truce_client_keys keys;
	rc = cli_key_args_load("collect", &o.keys, &keys);
	if (rc != 0) {
		truce_collect_state_free(run.state);
		return rc;
	}
	void *ctx = zmq_ctx_new();
	void *sock = NULL;
	truce_sender_opts so = {.window = o.window,
	                        .timeout_ms = o.timeout_ms,
	                        .label = "collect",
	                        .progress = !o.quiet,
	                        .on_ack = on_ack,
	                        .ctx = &run};
	rc = ctx != NULL ? truce_sender_socket(ctx, o.window, &sock) : TRUCE_ENET;
	if (rc == 0)
		rc = truce_client_curve_setup(sock, &keys);
	int curve_on = keys.on;
	truce_client_keys_clear(&keys);
	truce_handshake_watch *hw = NULL; /* diagnostics only: may stay NULL */
	if (rc == 0) {
		truce_handshake_watch_start(ctx, sock, &hw);
		rc = truce_sender_new(sock, &so, &run.snd);
	}
	if (rc != 0) {
		fprintf(stderr, "truce collect: %s\n", truce_strerror(rc));
		rc = CLI_EXIT_IO;
	} else {
		rc = read_inputs(&run, jsonl, argc, argv);
	}
	if (rc == 0 && run.skipped > 0)
		fprintf(stderr, "collect: %zu articles acked in an earlier run (%s): not sent\n",
		        run.skipped, o.state_path);
	if (rc != 0) {
		/* nothing sent yet */
	} else if (zmq_connect(sock, o.connect) != 0) {
		fprintf(stderr, "truce collect: cannot connect to %s: %s\n", o.connect,
		        zmq_strerror(errno));
		rc = CLI_EXIT_IO;
	} else {
		truce_sender_run(run.snd, o.deadline_ms);
		if (run.state != NULL && truce_collect_state_flush(run.state) != 0)
			fprintf(stderr, "truce collect: cannot write %s\n", o.state_path);
		report(&run);
		size_t ok =
		    truce_sender_status_count(run.snd, TRUCE__V1__ACK_STATUS__ACK_STORED) +
		    truce_sender_status_count(run.snd, TRUCE__V1__ACK_STATUS__ACK_DUPLICATE);
		rc = ok == run.n ? CLI_EXIT_OK : CLI_EXIT_FAIL;
		const char *why = truce_sender_done(run.snd) < run.n
		                      ? truce_handshake_watch_failure(hw, curve_on)
		                      : NULL;
		if (why != NULL)
			fprintf(stderr, "truce collect: %s\n", why);
	}
	truce_handshake_watch_stop(hw);
	run_free(&run);
	truce_collect_state_free(run.state);
	if (sock != NULL)
		zmq_close(sock);
	if (ctx != NULL)
		zmq_ctx_term(ctx);
	return rc;
}
