/*
 * cmd_feed.c - `truce feed`: follows RSS, Atom and JSON Feed sources until
 * stopped, and hands every new article to truced at least once.
 *
 * This file is the command line: options, the feeds.conf / OPML lists,
 * signals (SIGTERM and SIGINT stop after the turn in hand is committed,
 * SIGHUP re-reads the lists), --status and --print. The collector itself
 * lives in feed/ (feed.h lists its modules).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "cli.h"
#include "feed.h"
#include "truce/date.h"

#define DEFAULT_CONNECT "tcp://127.0.0.1:7701"

typedef struct feed_cmd {
	feed_opts o;
	cli_key_args keys;
	cli_log log;
	const char *state;
	const char *feeds[16]; /* --feeds FILE (repeatable) */
	size_t nfeeds;
	const char *opml[16]; /* --opml FILE (repeatable) */
	size_t nopml;
	int status, json, print;
} feed_cmd;

static void feed_usage(FILE *f)
{
	fprintf(
	    f, "usage: truce feed [OPTIONS] --feeds FILE | --opml FILE ... --state DIR\n"
	       "       truce feed --status --state DIR [--json]\n"
	       "       truce feed --print --feeds FILE | --opml FILE ...\n\n"
	       "Follows RSS 0.9x/1.0/2.0, Atom 1.0 and JSON Feed 1.0/1.1 sources until stopped\n"
	       "and sends every new item to truced as an article, at least once: an item is\n"
	       "remembered as sent (in --state DIR) only when truced acked it, and the\n"
	       "articles not yet acked survive a crash in DIR. SIGHUP re-reads the feed lists;\n"
	       "SIGTERM or SIGINT stops.\n\n"
	       "  --feeds FILE          feeds.conf: the feeds to follow (below); repeatable\n"
	       "  --opml FILE           the feeds of an OPML subscription list (a feed reader's\n"
	       "                        export); repeatable, and combines with --feeds\n"
	       "  --state DIR           durable state: per feed its validators, polls and\n"
	       "                        errors; per item whether it was acked; the outbox\n"
	       "  --connect EP          truced ingest endpoint (default " DEFAULT_CONNECT ")\n"
	       "  --floor D             shortest interval between two polls of a feed (5m)\n"
	       "  --ceiling D           longest interval, and longest wait after errors (2h)\n"
	       "  --per-host N          most transfers to one host at once (2)\n"
	       "  --host-delay D        least time between two requests to one host (1s; 0: none)\n"
	       "  --parallel N          most transfers at once in all (32)\n"
	       "  --timeout D           longest time for one transfer (60s)\n"
	       "  --connect-timeout D   longest time to connect (15s)\n"
	       "  --max-redirects N     redirects followed (5)\n"
	       "  --max-size BYTES      largest feed response, after decompression (16 MiB)\n"
	       "  --max-page-size BYTES largest page for fetch_page (8 MiB)\n"
	       "  --collector-id ID     recorded with each article (truce-feed)\n"
	       "  --window N            most articles unacknowledged at once (64)\n"
	       "  --ack-timeout MS      first re-send timeout; doubles up to 30 s (2000)\n"
	       "  --forget D            forget items gone from their feeds for D (30d): one\n"
	       "                        that comes back after that is sent again (truced\n"
	       "                        acks it DUPLICATE)\n"
	       "  --once                poll every feed once, send what is new, exit (0 when\n"
	       "                        every article was acked)\n"
	       "  --status              one line per feed of DIR: last poll, result, next poll,\n"
	       "                        errors, items, sent, pending; --json: JSON Lines\n"
	       "  --print               print the feeds as feeds.conf lines and exit (turns an\n"
	       "                        OPML list into a feeds.conf)\n"
	       "  --log-level L         error, warn, info (default: one line per poll), "
	       "debug\n" CLI_KEY_USAGE "  -h, --help            this text\n\n"
	       "feeds.conf: one feed a line, URL then name=value options; '#' starts a comment;\n"
	       "a value with spaces goes in double quotes.\n\n"
	       "  https://example.org/rss.xml  source=\"Example News\"  interval=15m\n"
	       "  https://example.org/atom     fetch_page=yes  ceiling=6h\n\n"
	       "  source=NAME       the articles' source (default: the outlet an item names\n"
	       "                    in <source>, as aggregators write, else the feed's title)\n"
	       "  interval=D        poll every D (no adaptive interval for this feed)\n"
	       "  floor=D, ceiling=D  this feed's bounds of the adaptive interval\n"
	       "  fetch_page=yes    fetch each item's page (same politeness) and send it as\n"
	       "                    HTML for truced to clean, instead of the feed's text\n"
	       "  ca_file=PATH      verify this feed's HTTPS with these CA certificates\n\n"
	       "Durations: 90 or 90s, 500ms, 15m, 2h, 1d. The interval adapts between floor and\n"
	       "ceiling (halved after a poll with new items, half again as long after one\n"
	       "without); Cache-Control max-age, RSS <ttl> and sy:updatePeriod lengthen it;\n"
	       "429/503 Retry-After is honoured (up to a day); errors back off exponentially\n"
	       "with jitter up to the ceiling, and a feed is never given up.\n");
}

static int take_number(const char *arg, uint64_t max, uint64_t *v)
{
	return truce_parse_u64(arg, v) != 0 || *v == 0 || *v > max ? TRUCE_EINVAL : 0;
}

static int take_duration_opt(int c, const char *arg, feed_cmd *fc)
{
	int64_t ms = 0;
	if (!(c == 'd' && strcmp(arg, "0") == 0) && feed_parse_duration(arg, &ms) != 0)
		return cli_usage_error("feed", "bad duration '%s' (90s, 15m, 2h, 1d)", arg);
	switch (c) {
	case 'f': fc->o.lim.floor_ms = ms; break;
	case 'C': fc->o.lim.ceiling_ms = ms; break;
	case 'd': fc->o.http.host_delay_ms = ms; break;
	case 'T': fc->o.http.timeout_ms = ms; break;
	case 'G':
		if (ms < 86400 * INT64_C(1000))
			return cli_usage_error("feed", "--forget wants a day or more");
		fc->o.forget_days = (uint32_t)(ms / (86400 * INT64_C(1000)));
		break;
	default: fc->o.http.connect_timeout_ms = ms; break;
	}
	return 0;
}

static int take_number_opt(int c, const char *arg, feed_cmd *fc)
{
	uint64_t v;
	if (take_number(arg, (uint64_t)1 << 40, &v) != 0)
		return cli_usage_error("feed", "bad number '%s'", arg);
	switch (c) {
	case 'p': fc->o.http.per_host = v > 1000 ? 1000 : (int)v; break;
	case 'P': fc->o.http.parallel = v > 10000 ? 10000 : (int)v; break;
	case 'r': fc->o.http.max_redirects = v > 100 ? 100 : (long)v; break;
	case 'm': fc->o.max_feed_size = (size_t)v; break;
	case 'M': fc->o.max_page_size = (size_t)v; break;
	case 'w': fc->o.window = v > 100000 ? 100000 : (size_t)v; break;
	default: fc->o.ack_timeout_ms = (int64_t)(v > 600000 ? 600000 : v); break;
	}
	return 0;
}

static int parse_feed_args(int argc, char **argv, feed_cmd *fc)
{
	static const struct option opts[] = {
	    {"feeds", required_argument, NULL, 'F'},
	    {"opml", required_argument, NULL, 'O'},
	    {"state", required_argument, NULL, 'S'},
	    {"connect", required_argument, NULL, 'c'},
	    {"floor", required_argument, NULL, 'f'},
	    {"ceiling", required_argument, NULL, 'C'},
	    {"per-host", required_argument, NULL, 'p'},
	    {"host-delay", required_argument, NULL, 'd'},
	    {"parallel", required_argument, NULL, 'P'},
	    {"timeout", required_argument, NULL, 'T'},
	    {"connect-timeout", required_argument, NULL, 'K'},
	    {"max-redirects", required_argument, NULL, 'r'},
	    {"max-size", required_argument, NULL, 'm'},
	    {"max-page-size", required_argument, NULL, 'M'},
	    {"collector-id", required_argument, NULL, 'I'},
	    {"window", required_argument, NULL, 'w'},
	    {"ack-timeout", required_argument, NULL, 'a'},
	    {"forget", required_argument, NULL, 'G'},
	    {"once", no_argument, NULL, '1'},
	    {"status", no_argument, NULL, 's'},
	    {"json", no_argument, NULL, 'J'},
	    {"print", no_argument, NULL, 'L'},
	    {"log-level", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_KEY_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	int c, rc = 0;
	optind = 1;
	while (rc == 0 && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (fc->nfeeds == 16)
				return cli_usage_error("feed", "at most 16 --feeds");
			fc->feeds[fc->nfeeds++] = optarg;
			break;
		case 'O':
			if (fc->nopml == 16)
				return cli_usage_error("feed", "at most 16 --opml");
			fc->opml[fc->nopml++] = optarg;
			break;
		case 'S': fc->state = optarg; break;
		case 'c': fc->o.connect = optarg; break;
		case 'I': fc->o.collector_id = optarg; break;
		case '1': fc->o.once = 1; break;
		case 's': fc->status = 1; break;
		case 'J': fc->json = 1; break;
		case 'L': fc->print = 1; break;
		case 'l':
			if (cli_log_parse_level(optarg, &fc->log.level) != 0)
				return cli_usage_error(
				    "feed", "--log-level wants error, warn, info or debug");
			break;
		case 'h': feed_usage(stdout); return -1;
		case 'f':
		case 'C':
		case 'd':
		case 'T':
		case 'G':
		case 'K': rc = take_duration_opt(c, optarg, fc); break;
		case 'p':
		case 'P':
		case 'r':
		case 'm':
		case 'M':
		case 'w':
		case 'a': rc = take_number_opt(c, optarg, fc); break;
		default:
			if (cli_key_args_take(&fc->keys, c, optarg))
				break;
			return cli_usage_error("feed", "unknown option");
		}
	}
	if (rc != 0)
		return rc;
	if (optind < argc)
		return cli_usage_error("feed", "unexpected argument '%s'", argv[optind]);
	if (fc->status)
		return fc->state == NULL ? cli_usage_error("feed", "--status needs --state DIR")
		                         : 0;
	if (fc->nfeeds + fc->nopml == 0)
		return cli_usage_error("feed", "give --feeds FILE or --opml FILE");
	if (!fc->print && fc->state == NULL)
		return cli_usage_error("feed", "give --state DIR");
	if (fc->o.lim.floor_ms > fc->o.lim.ceiling_ms)
		return cli_usage_error("feed", "--floor is above --ceiling");
	return 0;
}

/* The feeds of every --feeds and --opml file; an exit code, and err. */
static int load_lists(const feed_cmd *fc, feed_conf_list *l, char *err, size_t errlen)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < fc->nfeeds; i++)
		rc = feed_conf_load(fc->feeds[i], l, err, errlen);
	for (size_t i = 0; rc == 0 && i < fc->nopml; i++)
		rc = feed_opml_load(fc->opml[i], l, err, errlen);
	if (rc == 0)
		return 0;
	feed_conf_list_free(l);
	return rc == TRUCE_EIO ? CLI_EXIT_IO : CLI_EXIT_USAGE;
}

/* SIGHUP: the lists again; the old ones stay when the new ones do not load. */
static void reload(feed_cmd *fc, feed_collector *c)
{
	feed_conf_list l = {0};
	char err[512];
	if (load_lists(fc, &l, err, sizeof(err)) != 0) {
		cli_logf(&fc->log, CLI_LOG_ERROR, "feed",
		         "SIGHUP: %s; following the feeds as they were", err);
		return;
	}
	int rc = feed_collector_configure(c, &l);
	cli_logf(&fc->log, rc == 0 ? CLI_LOG_INFO : CLI_LOG_ERROR, "feed", "SIGHUP: %zu feeds%s",
	         l.n, rc == 0 ? "" : " (out of memory: partly applied)");
	feed_conf_list_free(&l);
}

static int run(feed_cmd *fc, const feed_conf_list *l, feed_state *st, void *zctx)
{
	char err[512] = "";
	feed_collector *c;
	int rc = feed_collector_new(zctx, st, &fc->o, &c, err, sizeof(err));
	if (rc == 0 && (rc = feed_collector_configure(c, l)) != 0)
		snprintf(err, sizeof(err), "%s", truce_strerror(rc));
	if (rc != 0) {
		cli_logf(&fc->log, CLI_LOG_ERROR, "feed", "%s", err);
		return CLI_EXIT_IO;
	}
	int wake = cli_signals_install();
	cli_logf(&fc->log, CLI_LOG_INFO, "feed", "following %zu feeds; state %s; truced at %s",
	         l->n, fc->state, fc->o.connect);
	int64_t last_note = truce_mono_ms();
	while (!cli_signal_stop()) {
		if (cli_signal_reload())
			reload(fc, c);
		rc = feed_collector_turn(c, wake, 1000);
		if (rc != 0)
			break;
		if (fc->o.once && feed_collector_done(c))
			break;
		const char *why = NULL;
		if (truce_mono_ms() - last_note > 30000 &&
		    (why = feed_collector_failure(c)) != NULL) {
			cli_logf(&fc->log, CLI_LOG_WARN, "feed", "%s", why);
			last_note = truce_mono_ms();
		}
	}
	const feed_stats *s = feed_collector_stats(c);
	cli_logf(&fc->log, rc == 0 ? CLI_LOG_INFO : CLI_LOG_ERROR, "feed",
	         "stopping%s: %llu polls (%llu new content, %llu not modified, %llu errors), "
	         "%llu new items, %llu acked, %llu rejected, %llu same as another feed's",
	         rc != 0 ? " (the state cannot be written)" : "", (unsigned long long)s->polls,
	         (unsigned long long)s->ok, (unsigned long long)s->not_modified,
	         (unsigned long long)s->errors, (unsigned long long)s->items_new,
	         (unsigned long long)s->acked, (unsigned long long)s->rejected,
	         (unsigned long long)s->same);
	int done = feed_collector_done(c);
	feed_collector_free(c);
	if (rc != 0)
		return CLI_EXIT_IO;
	return fc->o.once && !done ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

int cmd_feed(int argc, char **argv)
{
	feed_cmd fc = {.o = {.connect = DEFAULT_CONNECT,
	                     .collector_id = "truce-feed",
	                     .window = 64,
	                     .ack_timeout_ms = 2000,
	                     .lim = {.floor_ms = 5LL * 60 * 1000, .ceiling_ms = 2LL * 3600 * 1000},
	                     .http = {.per_host = 2,
	                              .host_delay_ms = 1000,
	                              .parallel = 32,
	                              .max_redirects = 5,
	                              .connect_timeout_ms = 15000,
	                              .timeout_ms = 60000},
	                     .max_feed_size = 16u << 20,
	                     .max_page_size = TRUCE_DEFAULT_MAX_BODY,
	                     .forget_days = 30},
	               .log = {.level = CLI_LOG_INFO}};
	fc.o.log = &fc.log;
	int rc = parse_feed_args(argc, argv, &fc);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	char err[512] = "";
	if (fc.status) {
		rc = feed_status(fc.state, fc.json, stdout, err, sizeof(err));
		if (rc != 0)
			fprintf(stderr, "truce feed: %s\n", err);
		return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_IO;
	}
	feed_conf_list l = {0};
	if ((rc = load_lists(&fc, &l, err, sizeof(err))) != 0) {
		fprintf(stderr, "truce feed: %s\n", err);
		return rc;
	}
	if (fc.print) {
		for (size_t i = 0; i < l.n; i++)
			feed_conf_print(stdout, &l.v[i]);
		feed_conf_list_free(&l);
		return CLI_EXIT_OK;
	}
	truce_client_keys keys = {0};
	rc = cli_key_args_load("feed", &fc.keys, &keys);
	feed_state *st = NULL;
	if (rc == 0 && feed_state_open(fc.state, 0, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "truce feed: %s\n", err);
		rc = CLI_EXIT_IO;
	}
	void *zctx = rc == 0 ? zmq_ctx_new() : NULL;
	if (rc == 0) {
		fc.o.keys = &keys;
		rc = zctx != NULL ? run(&fc, &l, st, zctx) : CLI_EXIT_IO;
	}
	truce_client_keys_clear(&keys);
	feed_state_close(st);
	if (zctx != NULL)
		zmq_ctx_term(zctx);
	feed_conf_list_free(&l);
	return rc;
}
