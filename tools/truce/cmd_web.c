/*
 * cmd_web.c - `truce web`: the dashboard, the JSON API, the event stream
 * and the metrics of a running truced, over HTTP. This file owns the
 * options, the listen address and its token, and the order things start
 * and stop in; web.h lists the modules that do the work.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "web.h"

#define DEFAULT_QUERY "tcp://127.0.0.1:7703"
#define DEFAULT_PUB "tcp://127.0.0.1:7702"
#define DEFAULT_LISTEN "127.0.0.1:7780"
#define TOKEN_MIN 16
#define TOKEN_MAX 256
#ifndef SCHED_IDLE
#define SCHED_IDLE 5 /* Linux's value; <sched.h> names it only with _GNU_SOURCE */
#endif

static volatile sig_atomic_t web_stop;

static void on_signal(int sig)
{
	(void)sig;
	web_stop = 1;
}

typedef struct web_opts {
	const char *query;
	const char *pub;
	const char *listen;
	const char *token_file;
	int insecure;
	uint64_t max_connections;
	uint64_t buffer_events;
	uint64_t buffer_mb;
	uint64_t query_clients;
	uint64_t timeout_ms;
	uint64_t keepalive_s;
	int normal_priority; /* --priority normal: not SCHED_IDLE */
	cli_key_args keys;
} web_opts;

static void web_usage(FILE *f)
{
	fprintf(f,
	        "usage: truce web [OPTIONS]\n\n"
	        "Serves a live incident dashboard, a JSON API, Server-Sent Events and\n"
	        "Prometheus metrics of a running truced over HTTP. Read-only: it talks to\n"
	        "truced's PUB and query sockets and never to its store.\n\n"
	        "  --connect-query EP    truced query endpoint (default " DEFAULT_QUERY ")\n"
	        "  --connect-pub EP      truced PUB endpoint (default " DEFAULT_PUB ")\n"
	        "  --listen HOST:PORT    where to serve HTTP (default " DEFAULT_LISTEN "; port 0\n"
	        "                        picks one; IPv6 as [::1]:PORT)\n"
	        "  --token-file FILE     require 'Authorization: Bearer TOKEN' (or the\n"
	        "                        truce_token cookie) for every data request; FILE holds\n"
	        "                        the token (%d-%d characters) and must be mode 0600\n"
	        "  --insecure            listen beyond loopback without a token\n"
	        "  --max-connections N   HTTP connections at once (default 512)\n"
	        "  --buffer-events N     recent events kept for event streams (default 100000)\n"
	        "  --buffer-mb N         ...and at most this many MiB of them (default 256)\n"
	        "  --query-clients N     query-socket connections to truced (default 4)\n"
	        "  --timeout MS          how long to wait for truced per query (default 5000)\n"
	        "  --keepalive S         a comment on a quiet event stream every S s (default "
	        "15)\n" CLI_KEY_USAGE "  -h, --help            this text\n\n"
	        "Endpoints: / (the dashboard), /api/incidents, /api/incidents/ID, /api/claims,\n"
	        "/api/articles/SEQ, /api/stats, /api/timeline, /api/events (SSE), /metrics.\n"
	        "SIGINT/SIGTERM close the streams and exit 0.\n",
	        TOKEN_MIN, TOKEN_MAX);
}

/* --- the listen address -------------------------------------------------- */

/* HOST:PORT or [V6]:PORT into a socket address. */
static int parse_listen(const char *s, struct sockaddr_storage *out)
{
	char host[256];
	const char *port;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (end == NULL || end[1] != ':' || (size_t)(end - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, (size_t)(end - s - 1));
		host[end - s - 1] = '\0';
		port = end + 2;
	} else {
		const char *colon = strrchr(s, ':');
		if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
			return -1;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		port = colon + 1;
	}
	uint64_t p;
	if (truce_parse_u64(port, &p) != 0 || p > 65535)
		return -1;
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
	                         .ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_NUMERICSERV | AI_PASSIVE};
	struct addrinfo *res;
	if (getaddrinfo(host[0] ? host : NULL, port, &hints, &res) != 0)
		return -1;
	memcpy(out, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

static int is_loopback(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)a;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (a->ss_family == AF_INET6) {
		const struct in6_addr *in6 = &((const struct sockaddr_in6 *)a)->sin6_addr;
		if (IN6_IS_ADDR_LOOPBACK(in6))
			return 1;
		return IN6_IS_ADDR_V4MAPPED(in6) && in6->s6_addr[12] == 127;
	}
	return 0;
}

/* --- the token ------------------------------------------------------------- */

/* Reads the token: the first line of a regular file only its owner may
 * read. Returns an exit code, saying why on stderr. */
static int read_token(const char *path, char *tok, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "truce web: cannot read token file %s: %s\n", path,
		        fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return CLI_EXIT_IO;
	}
	/* Checked on the open file, as the secret keys are. */
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		close(fd);
		fprintf(stderr,
		        "truce web: token file %s has mode %03o: group or others may read it; "
		        "`chmod 600 %s`\n",
		        path, (unsigned)(st.st_mode & 0777), path);
		return CLI_EXIT_IO;
	}
	ssize_t n = read(fd, tok, cap - 1);
	close(fd);
	tok[n > 0 ? n : 0] = '\0';
	tok[strcspn(tok, "\r\n")] = '\0';
	size_t len = strlen(tok);
	int ok = len >= TOKEN_MIN && len <= TOKEN_MAX;
	for (size_t i = 0; ok && i < len; i++)
		ok = tok[i] > ' ' && tok[i] < 127 && tok[i] != ';' && tok[i] != ',';
	if (!ok) {
		sodium_memzero(tok, cap);
		fprintf(stderr,
		        "truce web: token file %s: the first line must be a token of %d to %d "
		        "printable characters (no spaces, ';' or ','), e.g. from "
		        "`head -c 32 /dev/urandom | base64`\n",
		        path, TOKEN_MIN, TOKEN_MAX);
		return CLI_EXIT_IO;
	}
	return CLI_EXIT_OK;
}

/* --- options ---------------------------------------------------------------- */

static int parse_num(const char *name, const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
	if (truce_parse_u64(arg, out) != 0 || *out < min || *out > max)
		return cli_usage_error("web", "%s wants a number from %llu to %llu", name,
		                       (unsigned long long)min, (unsigned long long)max);
	return 0;
}

static int parse_web_args(int argc, char **argv, web_opts *o)
{
	static const struct option opts[] = {
	    {"connect-query", required_argument, NULL, 'q'},
	    {"connect-pub", required_argument, NULL, 'p'},
	    {"listen", required_argument, NULL, 'l'},
	    {"token-file", required_argument, NULL, 'T'},
	    {"insecure", no_argument, NULL, 'U'},
	    {"max-connections", required_argument, NULL, 'C'},
	    {"buffer-events", required_argument, NULL, 'E'},
	    {"buffer-mb", required_argument, NULL, 'M'},
	    {"query-clients", required_argument, NULL, 'Q'},
	    {"timeout", required_argument, NULL, 't'},
	    {"keepalive", required_argument, NULL, 'K'},
	    {"priority", required_argument, NULL, 'P'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_KEY_OPTIONS,
	    {NULL, 0, NULL, 0},
	};
	int c, rc = 0;
	optind = 1;
	while (rc == 0 && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'q': o->query = optarg; break;
		case 'p': o->pub = optarg; break;
		case 'l': o->listen = optarg; break;
		case 'T': o->token_file = optarg; break;
		case 'U': o->insecure = 1; break;
		case 'C':
			rc = parse_num("--max-connections", optarg, 4, 4096, &o->max_connections);
			break;
		case 'E':
			rc = parse_num("--buffer-events", optarg, 1, 10000000, &o->buffer_events);
			break;
		case 'M': rc = parse_num("--buffer-mb", optarg, 1, 65536, &o->buffer_mb); break;
		case 'Q':
			rc = parse_num("--query-clients", optarg, 1, 64, &o->query_clients);
			break;
		case 't': rc = parse_num("--timeout", optarg, 100, 600000, &o->timeout_ms); break;
		case 'K': rc = parse_num("--keepalive", optarg, 1, 3600, &o->keepalive_s); break;
		case 'P':
			if (strcmp(optarg, "idle") != 0 && strcmp(optarg, "normal") != 0)
				return cli_usage_error("web", "--priority wants idle or normal");
			o->normal_priority = strcmp(optarg, "normal") == 0;
			break;
		case 'h': web_usage(stdout); return -1;
		default:
			if (cli_key_args_take(&o->keys, c, optarg))
				break;
			return cli_usage_error("web", "unknown option");
		}
	}
	if (rc == 0 && optind < argc)
		return cli_usage_error("web", "unexpected argument '%s'", argv[optind]);
	return rc;
}

/* --- running ------------------------------------------------------------------ */

typedef struct web_parts {
	web_qpool *qp;
	web_hub *hub;
	web_api *api;
	web_server *ws;
} web_parts;

static void parts_close(web_parts *p)
{
	web_hub_stop(p->hub); /* ends the streams, so the server can stop */
	web_server_stop(p->ws);
	web_hub_free(p->hub);
	web_api_free(p->api);
	web_qpool_close(p->qp);
}

static int parts_open(const web_opts *o, const truce_client_keys *keys, const char *token,
                      const struct sockaddr_storage *addr, web_parts *p)
{
	char err[256] = "";
	int rc = web_qpool_open(o->query, keys, (int)o->query_clients, (int)o->timeout_ms, &p->qp);
	web_hub_opts ho = {.publish = o->pub,
	                   .query = o->query,
	                   .keys = keys,
	                   .qp = p->qp,
	                   .max_events = (size_t)o->buffer_events,
	                   .max_bytes = (size_t)o->buffer_mb << 20,
	                   .keepalive_ms = (int)o->keepalive_s * 1000};
	if (rc == 0)
		rc = web_hub_start(&ho, &p->hub);
	if (rc == 0)
		rc = web_api_new(&p->api);
	web_server_opts so = {.addr = (const struct sockaddr *)addr,
	                      .token = token,
	                      .loopback_hosts_only = is_loopback(addr),
	                      .qp = p->qp,
	                      .hub = p->hub,
	                      .api = p->api,
	                      .max_connections = (unsigned)o->max_connections,
	                      .timeout_s = (int)(o->keepalive_s * 2 + 5)};
	if (rc == 0)
		rc = web_server_start(&so, &p->ws, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "truce web: cannot start on %s: %s\n", o->listen,
		        err[0] ? err : truce_strerror(rc));
	return rc;
}

static int check_address(const web_opts *o, struct sockaddr_storage *addr)
{
	if (parse_listen(o->listen, addr) != 0)
		return cli_usage_error("web", "--listen wants HOST:PORT, e.g. " DEFAULT_LISTEN);
	if (!is_loopback(addr) && o->token_file == NULL && !o->insecure) {
		fprintf(stderr,
		        "truce web: refusing to listen on %s without a token: anyone who can reach "
		        "it could read the store; give --token-file FILE, or --insecure\n",
		        o->listen);
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

/*
 * Ingest comes first: the web side only reads, and 200 dashboards moving
 * gigabytes of events would otherwise take CPU from truced on the same
 * machine (measured: ingest -57% on 2 cores with normal priority, -7% with
 * SCHED_IDLE; see tools/bench-web). Set before any thread starts, so every
 * thread (libmicrohttpd's, ZeroMQ's, the hub's) inherits it.
 */
static void set_priority(const web_opts *o)
{
	struct sched_param sp = {.sched_priority = 0};
	if (!o->normal_priority && sched_setscheduler(0, SCHED_IDLE, &sp) != 0)
		fprintf(stderr, "truce web: cannot run at idle priority (%s); running as usual\n",
		        strerror(errno));
}

static void wait_for_signal(void)
{
	while (!web_stop) {
		struct timespec ts = {0, 200 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

int cmd_web(int argc, char **argv)
{
	web_opts o = {.query = DEFAULT_QUERY,
	              .pub = DEFAULT_PUB,
	              .listen = DEFAULT_LISTEN,
	              .max_connections = 512,
	              .buffer_events = 100000,
	              .buffer_mb = 256,
	              .query_clients = 4,
	              .timeout_ms = 5000,
	              .keepalive_s = 15};
	int rc = parse_web_args(argc, argv, &o);
	if (rc != 0)
		return rc < 0 ? CLI_EXIT_OK : rc;
	struct sockaddr_storage addr = {0};
	rc = check_address(&o, &addr);
	char token[TOKEN_MAX + 2] = "";
	if (rc == 0 && o.token_file != NULL)
		rc = read_token(o.token_file, token, sizeof(token));
	truce_client_keys keys;
	if (rc == 0)
		rc = cli_key_args_load("web", &o.keys, &keys);
	if (rc != 0)
		return rc;
	cli_catch_stop(on_signal, 1);
	set_priority(&o);
	web_parts p = {0};
	rc = parts_open(&o, &keys, o.token_file != NULL ? token : NULL, &addr, &p);
	truce_client_keys_clear(&keys);
	if (rc == 0) {
		char host[NI_MAXHOST] = "";
		getnameinfo((const struct sockaddr *)&addr, sizeof(addr), host, sizeof(host), NULL,
		            0, NI_NUMERICHOST);
		printf("truce web: serving http://%s%s%s:%u/ (truced query %s, publish %s%s)\n",
		       addr.ss_family == AF_INET6 ? "[" : "", host,
		       addr.ss_family == AF_INET6 ? "]" : "", web_server_port(p.ws), o.query, o.pub,
		       o.token_file != NULL ? ", token required" : "");
		fflush(stdout);
		wait_for_signal();
	}
	parts_close(&p);
	sodium_memzero(token, sizeof(token));
	return rc == 0 ? CLI_EXIT_OK : CLI_EXIT_IO;
}
