/*
 * cmd_bench.c - `truce bench`: the project's benchmarks, one subcommand each.
 *
 *   truce bench extract [--jsonl FILE] [--repeat N]
 *       extraction throughput on one core: the articles of FILE (default:
 *       the bundled seeds, tests/data/seeds.jsonl) are read into memory
 *       once, then extracted N times; prints MB/s of article text,
 *       articles/s, total bytes and time. Reading is not timed.
 *   truce bench ingest ...
 *       durable end-to-end ingest (tools/truce/bench_ingest.c).
 *   truce bench sse ...
 *       many event-stream clients of truce web (tools/truce/bench_sse.c).
 *   truce bench feed ...
 *       the feed collector: polls, parsing, sending (tools/truce/feed/bench.c).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "truce/date.h"
#include "truce/extract.h"
#include "truce/wire.h"

/* The articles as truced receives them: packed by the collector's mapping
 * and decoded by the daemon's, so the loop times exactly the parse stage. */
typedef struct bench_set {
	Truce__V1__Article **v;
	size_t n, cap;
	size_t bytes;
} bench_set;

static int keep_article(void *vctx, const cli_input_article *a)
{
	bench_set *set = vctx;
	if (truce_grow(&set->v, &set->cap, set->n, sizeof(*set->v), 64) != 0)
		return TRUCE_ENOMEM;
	Truce__V1__Article art;
	uint8_t *frame;
	size_t len;
	char reason[TRUCE_REASON_MAX];
	truce_limits lim = {TRUCE_DEFAULT_MAX_MESSAGE, TRUCE_DEFAULT_MAX_BODY};
	cli_input_to_wire(a, 0, NULL, &art);
	if (truce_wire_pack(&art.base, &frame, &len) != 0)
		return TRUCE_ENOMEM;
	int rc =
	    truce_wire_decode_article(frame, len, &lim, &set->v[set->n], reason, sizeof(reason));
	free(frame);
	if (rc != 0) {
		fprintf(stderr, "truce bench: %s: %s (left out)\n", a->where, reason);
		return 0;
	}
	set->bytes += a->body_len;
	set->n++;
	return 0;
}

static void set_free(bench_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		truce_wire_article_free(set->v[i]);
	free(set->v);
}

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bench_extract_usage(FILE *f)
{
	char path[4096];
	cli_default_seeds(path, sizeof(path));
	fprintf(f,
	        "usage: truce bench extract [--jsonl FILE] [--repeat N] [--rules DIR]\n\n"
	        "Extraction throughput on one core. FILE defaults to the bundled seeds\n"
	        "(%s); N defaults to 200.\n",
	        path);
}

static int bench_extract(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"jsonl", required_argument, NULL, 'j'},
	    {"repeat", required_argument, NULL, 'n'},
	    {"rules", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	char seeds[4096];
	cli_default_seeds(seeds, sizeof(seeds));
	const char *jsonl = seeds, *rules_dir = NULL;
	uint64_t repeat = 200;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': jsonl = optarg; break;
		case 'n':
			if (truce_parse_u64(optarg, &repeat) != 0 || repeat == 0 ||
			    repeat > 1000000)
				return cli_usage_error("bench extract",
				                       "--repeat wants 1..1000000");
			break;
		case 'r': rules_dir = optarg; break;
		case 'h': bench_extract_usage(stdout); return CLI_EXIT_OK;
		default: return cli_usage_error("bench extract", "unknown option");
		}
	}
	truce_rules *rules = NULL;
	char err[256] = "";
	int rc = rules_dir ? truce_rules_load_dir(rules_dir, &rules, err, sizeof(err))
	                   : truce_rules_load_default(&rules);
	if (rc != 0) {
		fprintf(stderr, "truce bench: cannot load rules: %s %s\n", truce_strerror(rc), err);
		return CLI_EXIT_IO;
	}
	bench_set set = {0};
	size_t bad = 0;
	if (cli_input_jsonl(jsonl, keep_article, &set, &bad) != 0 || set.n == 0) {
		fprintf(stderr, "truce bench: cannot read articles from %s\n", jsonl);
		set_free(&set);
		truce_rules_free(rules);
		return CLI_EXIT_IO;
	}
	size_t claims = 0, errors = 0;
	int64_t t0 = truce_mono_us();
	double c0 = cpu_s();
	for (uint64_t r = 0; r < repeat; r++) {
		for (size_t i = 0; i < set.n; i++) {
			truce_article_in in;
			truce_article_in_from_wire(set.v[i], &in);
			truce_claims out = {0};
			if (truce_extract_article(rules, &in, &out) != 0)
				errors++;
			claims += out.n;
			truce_claims_free(&out);
		}
	}
	double secs = (double)(truce_mono_us() - t0) / 1e6;
	double cpu = cpu_s() - c0;
	double total = (double)set.bytes * (double)repeat;
	double arts = (double)set.n * (double)repeat;
	if (secs <= 0)
		secs = 1e-9;
	if (cpu <= 0)
		cpu = 1e-9;
	/* CPU time is the one-core figure: on a loaded machine the wall clock
	 * also counts other processes' turns */
	printf("extract: %zu articles x %llu = %.0f articles, %.0f bytes in %.3f s (%.3f s CPU)\n",
	       set.n, (unsigned long long)repeat, arts, total, secs, cpu);
	printf("extract: %.1f MB/s, %.0f articles/s on one core (wall clock: %.1f MB/s); %zu "
	       "claims, %zu errors (rules %s)\n",
	       total / cpu / 1e6, arts / cpu, total / secs / 1e6, claims, errors,
	       truce_rules_version(rules));
	set_free(&set);
	truce_rules_free(rules);
	return errors ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

int cmd_bench(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "extract") == 0)
		return bench_extract(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "ingest") == 0)
		return cmd_bench_ingest(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "sse") == 0)
		return cmd_bench_sse(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "feed") == 0)
		return cmd_bench_feed(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("usage: truce bench extract|ingest|sse|feed [OPTIONS]\n");
		return CLI_EXIT_OK;
	}
	return cli_usage_error("bench", "want a benchmark: extract, ingest, sse or feed");
}
