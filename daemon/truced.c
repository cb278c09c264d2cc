/*
 * truced.c - the daemon's top level: options, sockets, signals and the
 * loop that moves each batch through ingest -> parse -> commit -> ack ->
 * publish, and answers the query socket in between.
 *
 * One thread owns every socket and the write transaction, which keeps the
 * ordering promises simple: a batch is acked only after its commit returned,
 * and its events are published only after that, in event seq order. Group
 * commit amortises the fsync: a batch is whatever waits on the socket when
 * the previous one is done (up to --batch), so load raises the batch size
 * instead of the latency.
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "truce/date.h"
#include "auth.h"
#include "truced.h"

#define DEFAULT_INGEST "tcp://127.0.0.1:7701"
#define DEFAULT_PUBLISH "tcp://127.0.0.1:7702"
#define DEFAULT_QUERY "tcp://127.0.0.1:7703"
#define DEFAULT_DATA "truce-data"
#define DEFAULT_BATCH 256
#define POLL_MS 200
#define QUERY_PER_TURN 16
#define DEFAULT_HWM 100000
#define PUB_MAX_SUBSCRIPTION 4096 /* bytes in one subscribe frame */

typedef struct truced_config {
	const char *data_dir;
	const char *ingest_ep;
	const char *publish_ep;
	const char *query_ep;
	const char *rules_dir;
	const char *curve_secret; /* server secret key file: CURVE on every socket */
	const char *allow_dir;    /* *.pub of the clients the ZAP handler admits */
	int insecure;             /* no keys, yet bind beyond loopback/ipc */
	size_t batch;
	size_t parse_threads;
	size_t map_size;
	size_t pub_hwm; /* events queued per subscriber before PUB drops */
	int sync;
	truce_limits limits;
	truced_log log;
} truced_config;

/* The only mutable state outside main's frame: what signal handlers set. */
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t reload_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void on_reload(int sig)
{
	(void)sig;
	reload_signal = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: truced [OPTIONS]\n\n"
	        "The truce daemon: receives articles from collectors, extracts violation\n"
	        "claims, stores everything in LMDB and publishes live events.\n\n"
	        "  --data DIR          data directory (default ./" DEFAULT_DATA ", created 0700)\n"
	        "  --ingest EP         collectors' ROUTER endpoint (default " DEFAULT_INGEST ")\n"
	        "  --publish EP        subscribers' PUB endpoint (default " DEFAULT_PUBLISH ")\n"
	        "  --query EP          query ROUTER endpoint (default " DEFAULT_QUERY ")\n"
	        "  --batch N           most messages per commit (default %d)\n"
	        "  --parse-threads N   extraction threads besides the main one (default:\n"
	        "                      cores - 1; 0 = extract on the main thread)\n"
	        "  --sync MODE         full (fsync every commit, default) | meta | none\n"
	        "  --map-size MIB      initial LMDB map size (default 256; grows when full)\n"
	        "  --max-message B     largest accepted frame in bytes (default %u)\n"
	        "  --max-body B        largest accepted article body (default %u)\n"
	        "  --rules DIR         extraction rule files overriding the built-in ones\n"
	        "  --pub-hwm N         events queued per subscriber before PUB drops them\n"
	        "                      (default %d; a subscriber backfills what it missed)\n"
	        "  --curve-secret FILE this server's secret key (truce keygen): every socket\n"
	        "                      becomes a CURVE server\n"
	        "  --allow DIR         *.pub public keys of the clients admitted (with\n"
	        "                      --curve-secret; SIGHUP reloads them)\n"
	        "  --insecure          without keys, still bind non-loopback endpoints\n"
	        "  --log-level L       error | warn | info (default) | debug\n"
	        "  -h, --help          this text\n"
	        "  --version           print the version\n\n"
	        "Endpoints may be tcp://HOST:PORT or ipc://PATH. SIGTERM/SIGINT finish the\n"
	        "batch in hand, commit, ack and exit 0; SIGHUP reloads the rules (and the\n"
	        "allow-list). Without --curve-secret there is no authentication and no\n"
	        "encryption, so only ipc:// and loopback tcp:// endpoints are allowed\n"
	        "unless --insecure is given.\n",
	        DEFAULT_BATCH, TRUCE_DEFAULT_MAX_MESSAGE, TRUCE_DEFAULT_MAX_BODY, DEFAULT_HWM);
}

/* A decimal count, 0 allowed. */
static int parse_count(const char *s, size_t *out)
{
	uint64_t v;
	if (truce_parse_u64(s, &v) != 0 || v > SIZE_MAX)
		return -1;
	*out = (size_t)v;
	return 0;
}

/* A positive decimal size. */
static int parse_size(const char *s, size_t *out)
{
	size_t v;
	if (parse_count(s, &v) != 0 || v == 0)
		return -1;
	*out = v;
	return 0;
}

static int parse_sync(const char *s, int *out)
{
	static const char *const names[] = {"full", "meta", "none"};
	for (int i = 0; i < 3; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	return -1;
}

/*
 * Without keys anyone who can reach an endpoint can feed, read and watch
 * the store, so plain sockets stay on this machine unless --insecure says
 * otherwise. Returns 1 (a usage error) when the options do not fit.
 */
static int check_security(const truced_config *cfg)
{
	const char *eps[] = {cfg->ingest_ep, cfg->publish_ep, cfg->query_ep};
	if ((cfg->curve_secret == NULL) != (cfg->allow_dir == NULL)) {
		fprintf(stderr, "truced: --curve-secret and --allow go together "
		                "(see truced --help)\n");
		return 1;
	}
	for (int i = 0; i < 3 && cfg->curve_secret == NULL && !cfg->insecure; i++) {
		if (!truced_endpoint_is_local(eps[i])) {
			fprintf(stderr,
			        "truced: refusing to bind %s without authentication: give "
			        "--curve-secret and --allow, or --insecure\n",
			        eps[i]);
			return 1;
		}
	}
	return 0;
}

/* Returns -1 to exit 0 (--help), 1 on a usage error, 0 to run. */
static int parse_args(int argc, char **argv, truced_config *cfg)
{
	static const struct option opts[] = {
	    {"data", required_argument, NULL, 'd'},
	    {"ingest", required_argument, NULL, 'i'},
	    {"publish", required_argument, NULL, 'p'},
	    {"query", required_argument, NULL, 'q'},
	    {"batch", required_argument, NULL, 'b'},
	    {"sync", required_argument, NULL, 's'},
	    {"map-size", required_argument, NULL, 'm'},
	    {"max-message", required_argument, NULL, 'M'},
	    {"max-body", required_argument, NULL, 'B'},
	    {"rules", required_argument, NULL, 'r'},
	    {"log-level", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {"parse-threads", required_argument, NULL, 'P'},
	    {"pub-hwm", required_argument, NULL, 'H'},
	    {"curve-secret", required_argument, NULL, 'K'},
	    {"allow", required_argument, NULL, 'A'},
	    {"insecure", no_argument, NULL, 'U'},
	    {NULL, 0, NULL, 0},
	};
	int c, bad = 0;
	while (!bad && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': cfg->data_dir = optarg; break;
		case 'i': cfg->ingest_ep = optarg; break;
		case 'p': cfg->publish_ep = optarg; break;
		case 'q': cfg->query_ep = optarg; break;
		case 'r': cfg->rules_dir = optarg; break;
		case 'K': cfg->curve_secret = optarg; break;
		case 'A': cfg->allow_dir = optarg; break;
		case 'U': cfg->insecure = 1; break;
		case 'b': bad = parse_size(optarg, &cfg->batch) != 0; break;
		case 'H':
			bad = parse_size(optarg, &cfg->pub_hwm) != 0 || cfg->pub_hwm > INT_MAX;
			break;
		case 'P':
			bad = parse_count(optarg, &cfg->parse_threads) != 0 ||
			      cfg->parse_threads > 64;
			break;
		case 'M': bad = parse_size(optarg, &cfg->limits.max_message) != 0; break;
		case 'B': bad = parse_size(optarg, &cfg->limits.max_body) != 0; break;
		case 's': bad = parse_sync(optarg, &cfg->sync) != 0; break;
		case 'l': bad = truced_log_parse_level(optarg, &cfg->log.level) != 0; break;
		case 'm':
			/* MiB: a count past SIZE_MAX >> 20 would wrap to a small map */
			bad = parse_size(optarg, &cfg->map_size) != 0 ||
			      cfg->map_size > SIZE_MAX >> 20;
			cfg->map_size <<= 20;
			break;
		case 'h': usage(stdout); return -1;
		case 'V': printf("truced %s\n", TRUCE_VERSION); return -1;
		default: bad = 1; break;
		}
	}
	if (bad || optind < argc) {
		/* A bad value is the word just parsed; otherwise a word was left over. */
		fprintf(stderr, "truced: bad option %s (see truced --help)\n",
		        bad ? argv[optind - 1] : argv[optind]);
		return 1;
	}
	return check_security(cfg);
}

typedef struct truced_sockets {
	void *ctx;
	void *ingest;
	void *pub;
	void *query;
	truced_auth *auth; /* NULL: plain sockets */
} truced_sockets;

static void *open_socket(truced_sockets *s, int type, const char *ep, int64_t maxmsg, int hwm,
                         const truced_log *lg)
{
	void *sock = zmq_socket(s->ctx, type);
	int linger = 2000;
	if (sock == NULL)
		return NULL;
	if (truced_auth_server_setup(s->auth, sock) != 0) {
		TRUCED_LOGF(lg, TRUCED_LOG_ERROR, "main", "cannot make %s a CURVE server: %s", ep,
		            zmq_strerror(errno));
		zmq_close(sock);
		return NULL;
	}
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	if (maxmsg > 0)
		/* Larger frames drop the connection before any allocation. */
		zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg));
	if (zmq_bind(sock, ep) != 0) {
		TRUCED_LOGF(lg, TRUCED_LOG_ERROR, "main", "cannot bind %s: %s", ep,
		            zmq_strerror(errno));
		zmq_close(sock);
		return NULL;
	}
	return sock;
}

static int sockets_open(truced_sockets *s, const truced_config *cfg)
{
	s->ctx = zmq_ctx_new();
	if (s->ctx == NULL)
		return TRUCE_ENET;
	/* The ZAP handler first: a CURVE socket bound before it would admit
	 * any client key. */
	if (cfg->curve_secret != NULL &&
	    truced_auth_start(s->ctx, cfg->curve_secret, cfg->allow_dir, &cfg->log, &s->auth) != 0)
		return TRUCE_EINVAL;
	/* The ingest limit leaves room for the protobuf framing around a
	 * maximal body; decode then applies the exact limits with reasons. */
	s->ingest = open_socket(s, ZMQ_ROUTER, cfg->ingest_ep, (int64_t)cfg->limits.max_message,
	                        DEFAULT_HWM, &cfg->log);
	/* PUB receives too: subscription frames, which need only a topic
	 * prefix. Without a limit a subscriber could make it allocate any size. */
	s->pub = s->ingest ? open_socket(s, ZMQ_PUB, cfg->publish_ep, PUB_MAX_SUBSCRIPTION,
	                                 (int)cfg->pub_hwm, &cfg->log)
	                   : NULL;
	s->query = s->pub ? open_socket(s, ZMQ_ROUTER, cfg->query_ep, 65536, DEFAULT_HWM, &cfg->log)
	                  : NULL;
	return s->query != NULL ? 0 : TRUCE_ENET;
}

static void sockets_close(truced_sockets *s)
{
	if (s->ingest)
		zmq_close(s->ingest);
	if (s->pub)
		zmq_close(s->pub);
	if (s->query)
		zmq_close(s->query);
	if (s->ctx)
		zmq_ctx_term(s->ctx);
	truced_auth_free(s->auth); /* its thread ends with the context */
}

static int rules_load(const truced_config *cfg, truce_rules **out)
{
	char err[256] = "";
	int rc = cfg->rules_dir ? truce_rules_load_dir(cfg->rules_dir, out, err, sizeof(err))
	                        : truce_rules_load_default(out);
	if (rc != 0)
		TRUCED_LOGF(&cfg->log, TRUCED_LOG_ERROR, "main", "cannot load rules: %s %s",
		            truce_strerror(rc), err);
	return rc;
}

/* SIGHUP: swap in new rules, keep the old ones if the new ones are bad. */
static void rules_reload(const truced_config *cfg, truce_rules **rules)
{
	truce_rules *fresh;
	if (rules_load(cfg, &fresh) != 0) {
		TRUCED_LOGF(&cfg->log, TRUCED_LOG_WARN, "main", "keeping rules %s",
		            truce_rules_version(*rules));
		return;
	}
	truce_rules_free(*rules);
	*rules = fresh;
	TRUCED_LOGF(&cfg->log, TRUCED_LOG_INFO, "main", "rules reloaded: %s",
	            truce_rules_version(*rules));
}

typedef struct truced_state {
	const truced_config *cfg;
	truced_sockets socks;
	truce_store *store;
	truce_rules *rules;
	truced_pipeline pipe;
	truced_counters cnt;
	truced_metrics met; /* served as METRICS over the query socket */
	int64_t started_us;
} truced_state;

static truced_pipe_env pipe_env(truced_state *d)
{
	truced_pipe_env env = {.ingest = d->socks.ingest,
	                       .pub = d->socks.pub,
	                       .store = d->store,
	                       .rules = d->rules,
	                       .limits = &d->cfg->limits,
	                       .log = &d->cfg->log,
	                       .cnt = &d->cnt,
	                       .met = &d->met};
	return env;
}

static void run_loop(truced_state *d)
{
	zmq_pollitem_t items[] = {
	    {.socket = d->socks.ingest, .events = ZMQ_POLLIN},
	    {.socket = d->socks.query, .events = ZMQ_POLLIN},
	};
	int pending = 0; /* a parsed batch waits: poll without waiting */
	while (!stop_signal) {
		if (reload_signal) {
			reload_signal = 0;
			truced_pipe_env env = pipe_env(d);
			truced_pipeline_flush(&d->pipe, &env); /* parsed with the old rules */
			pending = 0;
			rules_reload(d->cfg, &d->rules);
			truced_auth_reload(d->socks.auth);
		}
		int rc = zmq_poll(items, 2, pending ? 0 : POLL_MS);
		if (rc < 0 && errno != EINTR) {
			TRUCED_LOGF(&d->cfg->log, TRUCED_LOG_ERROR, "main", "poll failed: %s",
			            zmq_strerror(errno));
			break;
		}
		truced_metrics_poll(&d->met);
		int readable = rc > 0 && (items[0].revents & ZMQ_POLLIN);
		if (readable || pending) {
			truced_pipe_env env = pipe_env(d);
			pending = truced_pipeline_turn(&d->pipe, &env, readable);
		}
		if (rc > 0 && (items[1].revents & ZMQ_POLLIN))
			truced_query_serve(d->socks.query, d->store, d->started_us,
			                   truce_rules_version(d->rules), &d->met, QUERY_PER_TURN,
			                   &d->cfg->log);
	}
	truced_pipe_env env = pipe_env(d); /* the batch in hand is finished */
	truced_pipeline_flush(&d->pipe, &env);
}

static int state_open(truced_state *d)
{
	const truced_config *cfg = d->cfg;
	char err[512] = "";
	truce_store_opts so = {.map_size = cfg->map_size, .sync = cfg->sync};
	int rc = truce_store_open(cfg->data_dir, &so, &d->store, err, sizeof(err));
	if (rc != 0) {
		TRUCED_LOGF(&cfg->log, TRUCED_LOG_ERROR, "main", "cannot open %s: %s",
		            cfg->data_dir, err[0] ? err : truce_strerror(rc));
		return rc;
	}
	rc = rules_load(cfg, &d->rules);
	if (rc == 0)
		rc = truced_pipeline_init(&d->pipe, cfg->batch, (int)cfg->parse_threads);
	if (rc == 0)
		rc = sockets_open(&d->socks, cfg);
	if (rc == 0 && truced_metrics_watch_pub(&d->met, d->socks.ctx, d->socks.pub) != 0)
		TRUCED_LOGF(&cfg->log, TRUCED_LOG_WARN, "main",
		            "cannot monitor the PUB socket: subscribers are not counted");
	return rc;
}

static void state_close(truced_state *d)
{
	truced_metrics_free(&d->met); /* its monitor socket before the context ends */
	sockets_close(&d->socks);
	truced_pipeline_free(&d->pipe);
	if (d->rules)
		truce_rules_free(d->rules);
	if (d->store)
		truce_store_close(d->store);
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop; /* no SA_RESTART: zmq_poll returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_reload;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

int main(int argc, char **argv)
{
	truced_config cfg = {
	    .data_dir = DEFAULT_DATA,
	    .ingest_ep = DEFAULT_INGEST,
	    .publish_ep = DEFAULT_PUBLISH,
	    .query_ep = DEFAULT_QUERY,
	    .batch = DEFAULT_BATCH,
	    .pub_hwm = DEFAULT_HWM,
	    .parse_threads = SIZE_MAX, /* SIZE_MAX = cores - 1, resolved below */
	    .limits = {.max_message = TRUCE_DEFAULT_MAX_MESSAGE,
	               .max_body = TRUCE_DEFAULT_MAX_BODY},
	    .log = {.level = TRUCED_LOG_INFO, .out = stderr},
	};
	int prc = parse_args(argc, argv, &cfg);
	if (prc != 0)
		return prc < 0 ? 0 : 2;
	if (cfg.parse_threads == SIZE_MAX) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		cfg.parse_threads = cores > 1 ? (size_t)(cores - 1) : 0;
	}
	install_signals();
	truced_state d = {.cfg = &cfg, .started_us = truce_now_us()};
	truced_metrics_init(&d.met, d.started_us, &d.cnt);
	if (state_open(&d) != 0) {
		state_close(&d);
		return 1;
	}
	TRUCED_LOGF(&cfg.log, TRUCED_LOG_INFO, "main",
	            "truced %s: data %s, ingest %s, publish %s, query %s, rules %s", TRUCE_VERSION,
	            cfg.data_dir, cfg.ingest_ep, cfg.publish_ep, cfg.query_ep,
	            truce_rules_version(d.rules));
	if (cfg.curve_secret == NULL)
		TRUCED_LOGF(&cfg.log, cfg.insecure ? TRUCED_LOG_WARN : TRUCED_LOG_INFO, "main",
		            "%s",
		            cfg.insecure ? "running WITHOUT authentication or encryption, on "
		                           "non-loopback endpoints too (--insecure)"
		                         : "running without authentication or encryption: "
		                           "loopback and ipc endpoints only (see --curve-secret)");
	run_loop(&d);
	TRUCED_LOGF(&cfg.log, TRUCED_LOG_INFO, "main",
	            "stopping (signal %d): %llu received, %llu stored, %llu duplicates, %llu "
	            "rejected, %llu claims, %llu events in %llu batches",
	            (int)stop_signal, (unsigned long long)d.cnt.received,
	            (unsigned long long)d.cnt.stored, (unsigned long long)d.cnt.duplicates,
	            (unsigned long long)d.cnt.rejected, (unsigned long long)d.cnt.claims,
	            (unsigned long long)d.cnt.events, (unsigned long long)d.cnt.batches);
	state_close(&d);
	return 0;
}
