/*
 * bench.c - `truce bench feed`: the feed collector's speed against a
 * running truced and a feed server of your choice (tools/bench-feed starts
 * the local test server and a truced in a temp dir and runs this).
 *
 * N feeds (a URL template with %d, numbered from 1) are polled twice by the
 * real collector (collector.c, with a fresh state): the first poll fetches,
 * parses and sends every item and waits for every ack; the second is the
 * steady state of a collector with nothing new to find, every feed answering
 * 304 to a conditional GET. For each: wall time, feeds per second, this
 * process's CPU seconds (user + system) per 1,000 polls, and for the first,
 * articles per second acked by truced.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <zmq.h>

#include "cli.h"
#include "feed.h"
#include "truce/date.h"

typedef struct bench_pass {
	double wall_s, cpu_s;
	feed_stats before, after;
} bench_pass;

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Turns until every feed was polled and every article acked. */
static int run_pass(feed_collector *c, bench_pass *p, int64_t deadline_ms)
{
	p->before = *feed_collector_stats(c);
	int64_t t0 = truce_mono_us();
	double c0 = cpu_seconds();
	int rc = 0;
	while (rc == 0 && !feed_collector_done(c)) {
		if (truce_mono_us() - t0 > deadline_ms * 1000) {
			fprintf(stderr,
			        "truce bench feed: not done after %lld s (is truced running?)\n",
			        (long long)(deadline_ms / 1000));
			return CLI_EXIT_FAIL;
		}
		rc = feed_collector_turn(c, -1, 100);
	}
	p->wall_s = (double)(truce_mono_us() - t0) / 1e6;
	p->cpu_s = cpu_seconds() - c0;
	p->after = *feed_collector_stats(c);
	return rc == 0 ? 0 : CLI_EXIT_IO;
}

static void report(const char *name, const bench_pass *p)
{
	uint64_t polls = p->after.polls - p->before.polls;
	uint64_t acked = p->after.acked - p->before.acked;
	printf("%-11s %llu polls (%llu new content, %llu not modified, %llu errors) in %.2f s: "
	       "%.0f feeds/s; CPU %.2f s, %.3f s per 1,000 polls",
	       name, (unsigned long long)polls, (unsigned long long)(p->after.ok - p->before.ok),
	       (unsigned long long)(p->after.not_modified - p->before.not_modified),
	       (unsigned long long)(p->after.errors - p->before.errors), p->wall_s,
	       (double)polls / p->wall_s, p->cpu_s,
	       polls > 0 ? p->cpu_s * 1000.0 / (double)polls : 0.0);
	if (acked > 0)
		printf("; %llu articles acked: %.0f articles/s", (unsigned long long)acked,
		       (double)acked / p->wall_s);
	printf("\n");
}

static void bench_usage(FILE *f)
{
	fprintf(f, "usage: truce bench feed --url URL_WITH_%%d [-n FEEDS] [--connect EP]\n"
	           "                        [--per-host N] [--parallel N] [--window N]\n\n"
	           "Polls FEEDS feeds (the URL template with %%d = 1..FEEDS) twice with the real\n"
	           "collector and a fresh state: a first poll that sends every item to truced\n"
	           "and waits for the acks, and a second one that finds nothing new (304s).\n"
	           "Prints feeds/s, CPU seconds per 1,000 polls and articles/s.\n"
	           "tools/bench-feed runs it against the local test server and a temporary\n"
	           "truced.\n\n"
	           "  --url T        feed URL template, %%d is the feed's number\n"
	           "  -n N           feeds (default 1000)\n"
	           "  --connect EP   truced ingest endpoint (default tcp://127.0.0.1:7701)\n"
	           "  --per-host N   transfers at once to one host (default 8)\n"
	           "  --parallel N   transfers at once in all (default 64)\n"
	           "  --window N     unacked articles at once (default 256)\n");
}

typedef struct bench_args {
	const char *url;
	uint64_t n, per_host, parallel, window;
	const char *connect;
} bench_args;

static int parse_bench_args(int argc, char **argv, bench_args *a)
{
	static const struct option opts[] = {{"url", required_argument, NULL, 'u'},
	                                     {"connect", required_argument, NULL, 'c'},
	                                     {"per-host", required_argument, NULL, 'p'},
	                                     {"parallel", required_argument, NULL, 'P'},
	                                     {"window", required_argument, NULL, 'w'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
		uint64_t *slot = c == 'n'   ? &a->n
		                 : c == 'p' ? &a->per_host
		                 : c == 'P' ? &a->parallel
		                 : c == 'w' ? &a->window
		                            : NULL;
		if (c == 'u')
			a->url = optarg;
		else if (c == 'c')
			a->connect = optarg;
		else if (c == 'h') {
			bench_usage(stdout);
			return -1;
		} else if (slot == NULL)
			return cli_usage_error("bench feed", "unknown option");
		else if (truce_parse_u64(optarg, slot) != 0 || *slot == 0 || *slot > 1000000)
			return cli_usage_error("bench feed", "bad number '%s'", optarg);
	}
	const char *pct = a->url != NULL ? strstr(a->url, "%d") : NULL;
	if (pct == NULL || strchr(pct + 2, '%') != NULL || strchr(a->url, '%') != pct)
		return cli_usage_error("bench feed", "--url wants a template with one %%d");
	return 0;
}

/* The feed list of the template: URL with %d = 1..n. */
static int make_list(const bench_args *a, feed_conf_list *l)
{
	const char *pct = a->url != NULL ? strstr(a->url, "%d") : NULL;
	if (pct == NULL)
		return TRUCE_EINVAL;
	l->v = calloc(a->n, sizeof(*l->v));
	if (l->v == NULL)
		return TRUCE_ENOMEM;
	l->cap = a->n;
	for (uint64_t i = 1; i <= a->n; i++) {
		char url[4096];
		snprintf(url, sizeof(url), "%.*s%llu%s", (int)(pct - a->url), a->url,
		         (unsigned long long)i, pct + 2);
		if ((l->v[l->n].url = strdup(url)) == NULL)
			return TRUCE_ENOMEM;
		l->n++;
	}
	return 0;
}

int cmd_bench_feed(int argc, char **argv)
{
	bench_args a = {.n = 1000,
	                .per_host = 8,
	                .parallel = 64,
	                .window = 256,
	                .connect = "tcp://127.0.0.1:7701"};
	int rc = parse_bench_args(argc, argv, &a);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	char dir[] = "/tmp/truce-bench-feed.XXXXXX";
	if (mkdtemp(dir) == NULL) {
		perror("truce bench feed: mkdtemp");
		return CLI_EXIT_IO;
	}
	char state_dir[64], err[512] = "";
	snprintf(state_dir, sizeof(state_dir), "%s/state", dir);
	cli_log log = {.level = CLI_LOG_WARN};
	feed_opts o = {.connect = a.connect,
	               .collector_id = "truce-bench-feed",
	               .window = a.window,
	               .ack_timeout_ms = 5000,
	               .lim = {.floor_ms = 3600LL * 1000, .ceiling_ms = 3600LL * 1000},
	               .http = {.per_host = (int)a.per_host,
	                        .host_delay_ms = 0,
	                        .parallel = (int)a.parallel,
	                        .max_redirects = 5,
	                        .connect_timeout_ms = 10000,
	                        .timeout_ms = 60000},
	               .max_feed_size = 16u << 20,
	               .max_page_size = 8u << 20,
	               .forget_days = 30,
	               .once = 1,
	               .log = &log};
	feed_conf_list l = {0};
	feed_state *st = NULL;
	feed_collector *c = NULL;
	void *zctx = zmq_ctx_new();
	rc = make_list(&a, &l);
	if (rc == 0 && (rc = feed_state_open(state_dir, 0, &st, err, sizeof(err))) != 0)
		fprintf(stderr, "truce bench feed: %s\n", err);
	if (rc == 0 && (rc = feed_collector_new(zctx, st, &o, &c, err, sizeof(err))) != 0)
		fprintf(stderr, "truce bench feed: %s\n", err);
	if (rc == 0)
		rc = feed_collector_configure(c, &l);
	bench_pass first = {0}, second = {0};
	if (rc == 0) {
		printf("bench feed: %llu feeds, %s (per-host %llu, parallel %llu, window %llu)\n",
		       (unsigned long long)a.n, a.url, (unsigned long long)a.per_host,
		       (unsigned long long)a.parallel, (unsigned long long)a.window);
		rc = run_pass(c, &first, 600000);
		if (rc == 0) {
			report("first poll", &first);
			feed_collector_poll_all(c);
			rc = run_pass(c, &second, 600000);
		}
		if (rc == 0)
			report("second poll", &second);
	} else {
		rc = CLI_EXIT_IO;
	}
	feed_collector_free(c);
	feed_state_close(st);
	feed_conf_list_free(&l);
	if (zctx != NULL)
		zmq_ctx_term(zctx);
	const char *files[] = {"data.mdb", "lock.mdb", "feed.lock"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[128];
		snprintf(path, sizeof(path), "%s/%s", state_dir, files[i]);
		unlink(path);
	}
	rmdir(state_dir);
	rmdir(dir);
	return rc;
}
