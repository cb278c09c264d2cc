/*
 * cmd_watch.c - `truce watch`: live alerts that never miss one. The client
 * library's subscriber (truce_sub) does the work: catch-up from --since or
 * --state, live events, holes filled from the query socket; this file
 * parses options, prints (or hands each event to webhook.c: --post,
 * --exec) and keeps the --state file.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "truce/json.h"
#include "truce/records.h"
#include "webhook.h"

#define DEFAULT_PUB "tcp://127.0.0.1:7702"
#define DEFAULT_QUERY "tcp://127.0.0.1:7703"
#define MAX_TOPICS 32
#define WAIT_SLICE_MS 500 /* how often a signal is noticed */

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
	uint64_t since;
	int has_since;
	uint64_t count;
	uint64_t hwm;
	int json;
	cli_key_args keys;     /* --curve-server-key, --curve-secret */
	cli_webhook_opts hook; /* --post or --exec: deliver instead of print */
} watch_opts;

static void print_counts(const Truce__V1__Claim *c)
{
	if (c->has_killed)
		printf(" | killed %d", c->killed);
	if (c->has_wounded)
		printf(" | wounded %d", c->wounded);
}

static void print_summary(const Truce__V1__IncidentSummary *inc)
{
	printf("incident %llu %s | %u source(s)", (unsigned long long)inc->id,
	       inc->key ? inc->key : "", (unsigned)inc->source_count);
	if (inc->has_killed_low)
		printf(" | killed %d-%d", inc->killed_low, inc->killed_high);
	if (inc->has_wounded_low)
		printf(" | wounded %d-%d", inc->wounded_low, inc->wounded_high);
	for (size_t i = 0; i < inc->n_places; i++)
		printf("%s%s", i == 0 ? " | " : ", ", inc->places[i]);
	if (inc->place_count > inc->n_places)
		printf(" and %u more", (unsigned)(inc->place_count - inc->n_places));
	putchar('\n');
}

static void print_readable(const Truce__V1__Event *ev)
{
	const Truce__V1__Claim *c = ev->claim;
	printf("#%llu %-18s ", (unsigned long long)ev->seq, truce_event_type_name(ev->type));
	if (ev->type == TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_NEW ||
	    ev->type == TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_UPDATE) {
		/* Events of a schema 1 store carry the whole incident. */
		Truce__V1__IncidentSummary *made = NULL;
		if (ev->summary == NULL && ev->incident != NULL)
			truce_incident_summarize(ev->incident, &made);
		const Truce__V1__IncidentSummary *inc = ev->summary ? ev->summary : made;
		if (inc != NULL) {
			print_summary(inc);
			if (made != NULL)
				truce__v1__incident_summary__free_unpacked(made, NULL);
			return;
		}
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

/* Writes the last seq handled through FILE.tmp, fsync and rename: a crash
 * leaves the old state or the new one. */
static void save_state(const watch_opts *o, uint64_t last)
{
	if (o->state == NULL)
		return;
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", o->state);
	FILE *f = fopen(tmp, "w");
	if (f == NULL)
		return;
	fprintf(f, "%llu\n", (unsigned long long)last);
	int ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	if (fclose(f) == 0 && ok)
		rename(tmp, o->state);
}

static void print_event(const watch_opts *o, const Truce__V1__Event *ev)
{
	if (o->json) {
		json_t *j = truce_json_event(ev);
		char *line = json_dumps(j, JSON_COMPACT);
		if (line != NULL)
			puts(line);
		free(line);
		json_decref(j);
	} else {
		print_readable(ev);
	}
	fflush(stdout);
}

static void print_note(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "truce watch: %s\n", msg);
}

/* Prints or delivers events until a signal, --count, or an error of the
 * query socket. With a webhook the state moves past an event only once it
 * was delivered; stopped while retrying, it stays just before it. */
static int watch_loop(const watch_opts *o, truce_sub *sub, cli_webhook *hook)
{
	uint64_t printed = 0, saved = truce_sub_last(sub);
	while (!watch_stop) {
		Truce__V1__Event *ev;
		int rc = truce_sub_next(sub, WAIT_SLICE_MS, &ev);
		if (rc == 0) {
			uint64_t seq = ev->seq;
			int drc = hook != NULL ? cli_webhook_deliver(hook, ev, &watch_stop) : 0;
			if (hook == NULL)
				print_event(o, ev);
			truce__v1__event__free_unpacked(ev, NULL);
			if (drc != 0) {
				save_state(o, seq - 1);
				return drc == TRUCE_EINTR ? CLI_EXIT_OK : CLI_EXIT_IO;
			}
			printed++;
		} else if (rc != TRUCE_ETIMEDOUT) {
			fprintf(stderr, "truce watch: %s\n", truce_strerror(rc));
			return CLI_EXIT_IO;
		}
		if (truce_sub_last(sub) != saved) {
			saved = truce_sub_last(sub);
			save_state(o, saved);
		}
		if (o->count > 0 && printed >= o->count)
			break;
	}
	return CLI_EXIT_OK;
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
	           "  --json           one JSON object per event\n"
	           "  --post URL       deliver each event as a JSON POST to URL instead of\n"
	           "                   printing it; retried until a 2xx (headers\n"
	           "                   Idempotency-Key and X-Truce-Seq: the event seq)\n"
	           "  --exec CMD       or run CMD (/bin/sh) per event, the JSON on its stdin,\n"
	           "                   TRUCE_EVENT_SEQ/_TOPIC/_TYPE set; exit 0 = delivered\n"
	           "  --backoff-max MS longest wait between two attempts (default 60000;\n"
	           "                   the first is 500 ms, doubling)\n"
	           "  --post-timeout MS one POST's time limit (default 10000)\n" CLI_KEY_USAGE
	           "  -h, --help       this text\n\n"
	           "With --post or --exec and --state, a restart neither loses nor repeats a\n"
	           "delivered event, but for the one delivered just before a crash (at least\n"
	           "once: receivers drop repeats by the Idempotency-Key).\n");
}

static int read_state(watch_opts *o)
{
	FILE *f = fopen(o->state, "r");
	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	char line[64] = "";
	uint64_t v;
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
	    {"post", required_argument, NULL, 'P'},
	    {"exec", required_argument, NULL, 'X'},
	    {"backoff-max", required_argument, NULL, 'B'},
	    {"post-timeout", required_argument, NULL, 'T'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_KEY_OPTIONS,
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
		case 'P': o->hook.url = optarg; break;
		case 'X': o->hook.exec = optarg; break;
		case 'B':
		case 'T': {
			uint64_t ms;
			if (truce_parse_u64(optarg, &ms) != 0 || ms < 10 || ms > 3600000)
				return cli_usage_error("watch", "--%s wants 10 to 3600000 ms",
				                       c == 'B' ? "backoff-max" : "post-timeout");
			if (c == 'B')
				o->hook.backoff_max_ms = (int64_t)ms;
			else
				o->hook.timeout_ms = (int)ms;
			break;
		}
		case 'h': watch_usage(stdout); return -1;
		case 't':
			if (o->n_topics == MAX_TOPICS)
				return cli_usage_error("watch", "at most %d topics", MAX_TOPICS);
			o->topics[o->n_topics++] = optarg;
			break;
		case 's':
			if (truce_parse_u64(optarg, &o->since) != 0)
				return cli_usage_error("watch", "--since wants a number");
			o->has_since = 1;
			break;
		case 'n':
			if (truce_parse_u64(optarg, &o->count) != 0)
				return cli_usage_error("watch", "--count wants a number");
			break;
		case 'H':
			if (truce_parse_u64(optarg, &o->hwm) != 0 || o->hwm == 0 ||
			    o->hwm > INT_MAX)
				return cli_usage_error("watch", "--hwm wants a positive number");
			break;
		default:
			if (cli_key_args_take(&o->keys, c, optarg))
				break;
			return cli_usage_error("watch", "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error("watch", "unexpected argument '%s'", argv[optind]);
	if (o->hook.url != NULL && o->hook.exec != NULL)
		return cli_usage_error("watch", "--post and --exec: one or the other");
	if (o->hook.url != NULL && strncmp(o->hook.url, "http://", 7) != 0 &&
	    strncmp(o->hook.url, "https://", 8) != 0)
		return cli_usage_error("watch", "--post wants an http:// or https:// URL");
	if (o->state != NULL && read_state(o) != 0)
		return cli_usage_error("watch", "cannot read state file %s", o->state);
	return 0;
}

int cmd_watch(int argc, char **argv)
{
	watch_opts o = {.connect = DEFAULT_PUB,
	                .query = DEFAULT_QUERY,
	                .hwm = 100000,
	                .hook = {.backoff_max_ms = 60000, .timeout_ms = 10000, .note = print_note}};
	int no_backfill = 0;
	int rc = parse_watch_args(argc, argv, &o, &no_backfill);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	/* With a webhook, a receiver (or --exec command) that hangs up is an
	 * attempt to retry; printing, a closed stdout ends the watch. */
	cli_catch_stop(on_signal, o.hook.url != NULL || o.hook.exec != NULL);
	cli_webhook *hook = NULL;
	if ((o.hook.url != NULL || o.hook.exec != NULL) && cli_webhook_open(&o.hook, &hook) != 0) {
		fprintf(stderr, "truce watch: cannot set up the webhook\n");
		return CLI_EXIT_IO;
	}
	truce_client_keys keys;
	rc = cli_key_args_load("watch", &o.keys, &keys);
	if (rc != 0) {
		cli_webhook_close(hook);
		return rc;
	}
	truce_sub_opts so = {.publish = o.connect,
	                     .query = no_backfill ? NULL : o.query,
	                     .keys = &keys,
	                     .since = o.since,
	                     .has_since = o.has_since,
	                     .topics = o.topics,
	                     .n_topics = (size_t)o.n_topics,
	                     .hwm = (int)o.hwm,
	                     .note = print_note};
	truce_sub *sub;
	rc = truce_sub_open(&so, &sub);
	truce_client_keys_clear(&keys);
	if (rc != 0) {
		fprintf(stderr, "truce watch: cannot connect to %s or %s: %s\n", o.connect, o.query,
		        truce_strerror(rc));
		cli_webhook_close(hook);
		return CLI_EXIT_IO;
	}
	rc = watch_loop(&o, sub, hook);
	truce_sub_close(sub);
	cli_webhook_close(hook);
	return rc;
}
