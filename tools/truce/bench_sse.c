/*
 * bench_sse.c - `truce bench sse`: many Server-Sent Events clients of
 * `truce web` at once (libcurl's multi interface, one thread), each
 * checking that it receives every event: seqs one after another from
 * --since, none missed, none repeated. With `truce bench ingest` running
 * meanwhile, it measures what a crowd of dashboards costs ingest
 * (tools/bench-web runs both and compares with a run without clients).
 */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <curl/curl.h>
#include <jansson.h>

#include "cli.h"
#include "truce/date.h"

#define LINE_KEEP 64 /* bytes of a line kept: enough for "id: <seq>" */

static volatile sig_atomic_t sse_stop;

static void on_signal(int sig)
{
	(void)sig;
	sse_stop = 1;
}

typedef struct sse_client {
	CURL *h;
	uint64_t last;   /* the last id seen */
	uint64_t events; /* ids seen */
	uint64_t bad;    /* ids that were not last + 1 */
	uint64_t bytes;
	char line[LINE_KEEP];
	size_t len;      /* of the current line, up to LINE_KEEP - 1 kept */
	int64_t last_ms; /* when the last event came */
	int done;        /* the transfer ended */
	long status;
} sse_client;

static void take_line(sse_client *c)
{
	size_t n = c->len < LINE_KEEP - 1 ? c->len : LINE_KEEP - 1;
	c->line[n] = '\0';
	uint64_t seq;
	if (strncmp(c->line, "id: ", 4) == 0 && truce_parse_u64(c->line + 4, &seq) == 0) {
		if (seq != c->last + 1)
			c->bad++;
		c->last = seq;
		c->events++;
		c->last_ms = truce_mono_ms();
	}
	c->len = 0;
}

/* libcurl's write callback: its signature takes a non-const buffer. Only
 * the start of each line is looked at (memchr finds the ends). */
// cppcheck-suppress constParameter
static size_t on_data(char *data, size_t size, size_t n, void *ctx)
{
	sse_client *c = ctx;
	size_t total = size * n;
	const char *p = data, *end = data + total;
	c->bytes += total;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t part = (size_t)((nl != NULL ? nl : end) - p);
		if (c->len < LINE_KEEP - 1) {
			size_t keep = part < LINE_KEEP - 1 - c->len ? part : LINE_KEEP - 1 - c->len;
			memcpy(c->line + c->len, p, keep);
		}
		c->len += part;
		if (nl == NULL)
			break;
		take_line(c);
		p = nl + 1;
	}
	return total;
}

typedef struct sse_opts {
	const char *url;
	uint64_t clients;
	uint64_t since;
	uint64_t until;  /* stop when every client has this seq (0: on idle) */
	uint64_t idle_s; /* stop after this long with no event anywhere */
	uint64_t max_s;
	const char *token;
	int json;
	int identity; /* no Accept-Encoding: gzip */
} sse_opts;

static void sse_usage(FILE *f)
{
	fprintf(f, "usage: truce bench sse --url URL [OPTIONS]\n\n"
	           "Opens N Server-Sent Events streams on truce web's /api/events and checks\n"
	           "that each receives every event in order (ids one after another), while\n"
	           "something else (truce bench ingest) feeds truced.\n\n"
	           "  --url URL        truce web's base URL, e.g. http://127.0.0.1:7780\n"
	           "  --clients N      streams at once (default 200)\n"
	           "  --since N        start after event seq N (default 0)\n"
	           "  --until N        stop once every stream has event N\n"
	           "  --idle S         ...or once no event came for S seconds (default 10)\n"
	           "  --max S          give up after S seconds (default 600)\n"
	           "  --token T        send Authorization: Bearer T\n"
	           "  --identity       ask for the stream uncompressed (default: gzip, as\n"
	           "                   browsers ask)\n"
	           "  --json           one JSON object instead of the table\n"
	           "Exit 0 when every stream got every event from --since to the last one seen.\n");
}

static int parse_sse_args(int argc, char **argv, sse_opts *o)
{
	static const struct option opts[] = {
	    {"url", required_argument, NULL, 'u'},
	    {"clients", required_argument, NULL, 'c'},
	    {"since", required_argument, NULL, 's'},
	    {"until", required_argument, NULL, 'U'},
	    {"idle", required_argument, NULL, 'i'},
	    {"max", required_argument, NULL, 'm'},
	    {"token", required_argument, NULL, 't'},
	    {"json", no_argument, NULL, 'j'},
	    {"identity", no_argument, NULL, 'I'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		uint64_t *num = c == 'c'   ? &o->clients
		                : c == 's' ? &o->since
		                : c == 'U' ? &o->until
		                : c == 'i' ? &o->idle_s
		                : c == 'm' ? &o->max_s
		                           : NULL;
		if (num != NULL) {
			if (truce_parse_u64(optarg, num) != 0)
				return cli_usage_error("bench sse", "a number, please: %s", optarg);
			continue;
		}
		switch (c) {
		case 'u': o->url = optarg; break;
		case 't': o->token = optarg; break;
		case 'j': o->json = 1; break;
		case 'I': o->identity = 1; break;
		case 'h': sse_usage(stdout); return -1;
		default: return cli_usage_error("bench sse", "unknown option");
		}
	}
	if (o->url == NULL || o->clients == 0 || o->clients > 10000)
		return cli_usage_error("bench sse", "--url, and 1 to 10000 --clients");
	return 0;
}

static int add_clients(const sse_opts *o, CURLM *m, sse_client *cl, struct curl_slist *hdr)
{
	char url[2048];
	snprintf(url, sizeof(url), "%s/api/events?since=%llu", o->url,
	         (unsigned long long)o->since);
	for (uint64_t i = 0; i < o->clients; i++) {
		sse_client *c = &cl[i];
		c->last = o->since;
		c->last_ms = truce_mono_ms();
		c->h = curl_easy_init();
		if (c->h == NULL)
			return TRUCE_ENOMEM;
		curl_easy_setopt(c->h, CURLOPT_URL, url);
		curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c);
		curl_easy_setopt(c->h, CURLOPT_PRIVATE, c);
		curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
		/* libcurl inflates; on_data sees the SSE text either way. */
		if (!o->identity)
			curl_easy_setopt(c->h, CURLOPT_ACCEPT_ENCODING, "gzip");
		curl_multi_add_handle(m, c->h);
	}
	return 0;
}

/* Whether to stop: every stream has --until, or all were quiet --idle s. */
static int finished(const sse_opts *o, const sse_client *cl, int64_t start_ms)
{
	int64_t now = truce_mono_ms(), newest = 0;
	int all_there = o->until > 0, open = 0;
	for (uint64_t i = 0; i < o->clients; i++) {
		if (cl[i].last < o->until)
			all_there = 0;
		if (cl[i].last_ms > newest)
			newest = cl[i].last_ms;
		open += !cl[i].done;
	}
	return all_there || open == 0 || now - newest >= (int64_t)o->idle_s * 1000 ||
	       now - start_ms >= (int64_t)o->max_s * 1000;
}

/* The CPU time (user + system) this process has used: the clients' own
 * cost, which on one machine competes with what they measure. */
static double cpu_seconds(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int report(const sse_opts *o, const sse_client *cl, double secs)
{
	uint64_t max_last = 0, min_last = UINT64_MAX, bad = 0, events = 0, bytes = 0, short_ = 0;
	uint64_t wire = 0; /* body bytes as sent: compressed, with gzip */
	for (uint64_t i = 0; i < o->clients; i++) {
		curl_off_t got = 0;
		if (cl[i].h != NULL &&
		    curl_easy_getinfo(cl[i].h, CURLINFO_SIZE_DOWNLOAD_T, &got) == CURLE_OK)
			wire += (uint64_t)got;
		max_last = cl[i].last > max_last ? cl[i].last : max_last;
		min_last = cl[i].last < min_last ? cl[i].last : min_last;
		bad += cl[i].bad;
		events += cl[i].events;
		bytes += cl[i].bytes;
	}
	for (uint64_t i = 0; i < o->clients; i++)
		short_ +=
		    cl[i].last != max_last || cl[i].bad != 0 || cl[i].events != max_last - o->since;
	double cpu = cpu_seconds();
	json_t *j =
	    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:f, s:f, s:f}", "clients",
	              (json_int_t)o->clients, "last_seq", (json_int_t)max_last, "events_delivered",
	              (json_int_t)events, "clients_incomplete", (json_int_t)short_, "out_of_order",
	              (json_int_t)bad, "bytes", (json_int_t)bytes, "wire_bytes", (json_int_t)wire,
	              "encoding", o->identity ? "identity" : "gzip", "seconds", secs,
	              "events_per_s", secs > 0 ? (double)events / secs : 0.0, "cpu_seconds", cpu);
	if (o->json) {
		char *s = json_dumps(j, JSON_COMPACT);
		if (s != NULL)
			puts(s);
		free(s);
	} else {
		printf("clients            %llu\n", (unsigned long long)o->clients);
		printf("events each        %llu..%llu (%llu events)\n",
		       (unsigned long long)o->since + 1, (unsigned long long)max_last,
		       (unsigned long long)(max_last - o->since));
		printf("incomplete clients %llu (lowest last seq %llu)\n",
		       (unsigned long long)short_, (unsigned long long)min_last);
		printf("out of order       %llu\n", (unsigned long long)bad);
		printf("delivered          %llu events, %.1f MB in %.1f s (%.0f events/s)\n",
		       (unsigned long long)events, (double)bytes / 1e6, secs,
		       secs > 0 ? (double)events / secs : 0.0);
		printf("on the wire        %.1f MB (%s)\n", (double)wire / 1e6,
		       o->identity ? "identity" : "gzip");
		printf("client CPU         %.2f s (user + system)\n", cpu);
	}
	json_decref(j);
	return short_ == 0 && max_last > o->since ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

int cmd_bench_sse(int argc, char **argv)
{
	sse_opts o = {.clients = 200, .idle_s = 10, .max_s = 600};
	int rc = parse_sse_args(argc, argv, &o);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	cli_catch_stop(on_signal, 1);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURLM *m = curl_multi_init();
	sse_client *cl = calloc(o.clients, sizeof(*cl));
	struct curl_slist *hdr = curl_slist_append(NULL, "Accept: text/event-stream");
	if (o.token != NULL) {
		char auth[600];
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", o.token);
		hdr = curl_slist_append(hdr, auth);
	}
	rc = m != NULL && cl != NULL && hdr != NULL ? add_clients(&o, m, cl, hdr) : TRUCE_ENOMEM;
	int64_t start = truce_mono_ms();
	while (rc == 0 && !sse_stop && !finished(&o, cl, start)) {
		int running;
		curl_multi_perform(m, &running);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			sse_client *c;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
			curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &c->status);
			c->done = 1;
		}
		curl_multi_poll(m, NULL, 0, 200, NULL);
	}
	double secs = (double)(truce_mono_ms() - start) / 1000;
	int exit_code = rc == 0 ? report(&o, cl, secs) : CLI_EXIT_IO;
	for (uint64_t i = 0; cl != NULL && i < o.clients; i++) {
		if (cl[i].h != NULL) {
			curl_multi_remove_handle(m, cl[i].h);
			curl_easy_cleanup(cl[i].h);
		}
	}
	curl_slist_free_all(hdr);
	free(cl);
	curl_multi_cleanup(m);
	curl_global_cleanup();
	return exit_code;
}
