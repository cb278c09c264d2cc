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
 *
 * Options come from config.c (one table for the command line and the
 * file); under systemd, notify.c tells the service manager when truced
 * serves, reloads and stops.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "truce/date.h"
#include "truce/keys.h"
#include "auth.h"
#include "config.h"
#include "notify.h"
#include "truced.h"

#define POLL_MS 200
#define DISK_CHECK_US (10 * 1000000LL) /* how often the free disk is looked at */
#define QUERY_PER_TURN 16
#define DEFAULT_HWM 100000
#define PUB_MAX_SUBSCRIPTION 4096 /* bytes in one subscribe frame */

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
	fprintf(f, "usage: truced [--config FILE [--check]] [OPTIONS]\n\n"
	           "The truce daemon: receives articles from collectors, extracts violation\n"
	           "claims, stores everything in LMDB and publishes live events.\n\n");
	truced_config_usage(f);
	fprintf(f, "  --config FILE       read settings from FILE (`key = value` lines, the keys\n"
	           "                      are the options above); options given here win\n"
	           "  --check             check the configuration (file, values, rules, keys)\n"
	           "                      and exit: 0 when truced would start with it\n"
	           "  --print-config      print the configuration in effect as a file and exit\n"
	           "  -h, --help          this text\n"
	           "  --version           print the version\n\n"
	           "Endpoints may be tcp://HOST:PORT or ipc://PATH. SIGTERM/SIGINT finish the\n"
	           "batch in hand, commit, ack and exit 0; SIGHUP re-reads the config file and\n"
	           "applies rules, allow and log-level (other keys need a restart; the log\n"
	           "says which), and reloads the rules and the allow-list. Without\n"
	           "--curve-secret there is no authentication and no encryption, so only\n"
	           "ipc:// and loopback tcp:// endpoints are allowed unless --insecure is given.\n"
	           "Under systemd (Type=notify) truced sends READY=1 once its sockets are bound\n"
	           "and the store is open, and logs to the journal without its own timestamps.\n");
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
	truced_config *cfg; /* SIGHUP changes its live options in place */
	const truced_cmdline *cl;
	truced_sockets socks;
	truce_store *store;
	truce_rules *rules;
	truced_pipeline pipe;
	truced_counters cnt;
	truced_metrics met; /* served as METRICS over the query socket */
	truced_notify notify;
	int64_t started_us;
	int64_t disk_checked_us;
	unsigned disk_warned_pct; /* the free % last warned about; 101: none */
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

/* One parse thread per core: while the main thread waits for its commit's
 * fsync, every core can parse the next batch. */
static void resolve_threads(truced_config *cfg)
{
	if (cfg->parse_threads == TRUCED_THREADS_AUTO) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		cfg->parse_threads = cores > 1 ? (size_t)cores : 0;
	}
}

static void log_config_error(void *ctx, const char *msg)
{
	const truced_log *lg = ctx;
	TRUCED_LOGF(lg, TRUCED_LOG_ERROR, "main", "%s", msg);
}

/*
 * SIGHUP with a config file: read it again (flags still win) and apply what
 * can change live; name each change that needs a restart. A file with an
 * error changes nothing.
 */
static void config_reread(truced_state *d)
{
	truced_config fresh;
	const char *path = d->cl->config_path;
	int rc = truced_config_build(&fresh, d->cl, log_config_error, &d->cfg->log);
	if (rc != 0) {
		TRUCED_LOGF(&d->cfg->log, TRUCED_LOG_WARN, "main",
		            "%s not applied: keeping the running configuration", path);
		truced_config_free(&fresh);
		return;
	}
	resolve_threads(&fresh);
	for (size_t i = 0; i < truced_option_count; i++) {
		const truced_option *o = &truced_options[i];
		char was[1024], now[1024];
		if (truced_option_equal(d->cfg, &fresh, o))
			continue;
		truced_option_format(d->cfg, o, was, sizeof(was));
		truced_option_format(&fresh, o, now, sizeof(now));
		/* The allow-list lives in the ZAP handler, which only runs with
		 * keys; turning keys on is a restart. */
		int live = o->live && (o->offset != offsetof(truced_config, allow_dir) ||
		                       d->socks.auth != NULL);
		if (!live) {
			TRUCED_LOGF(&d->cfg->log, TRUCED_LOG_WARN, "main",
			            "%s: %s changed ('%s' -> '%s') but needs a restart; still '%s'",
			            path, o->name, was, now, was);
			continue;
		}
		truced_option_move(d->cfg, &fresh, o);
		TRUCED_LOGF(&d->cfg->log, TRUCED_LOG_INFO, "main", "%s: %s is now '%s' (was '%s')",
		            path, o->name, now, was);
	}
	truced_config_free(&fresh);
}

static void reload(truced_state *d)
{
	truced_notify_send(&d->notify, "RELOADING=1\nSTATUS=reloading");
	if (d->cl->config_path != NULL)
		config_reread(d);
	rules_reload(d->cfg, &d->rules);
	truced_auth_reload(d->socks.auth, d->cfg->allow_dir);
	truced_notify_send(&d->notify, "READY=1\nSTATUS=serving");
}

/*
 * Warns as the data directory's file system fills: once when free space
 * falls under disk-warn, then at each further percent, and says when it
 * is back above.
 */
static void disk_check(truced_state *d, int64_t now)
{
	uint64_t avail, total;
	if (d->cfg->disk_warn == 0 || now - d->disk_checked_us < DISK_CHECK_US)
		return;
	d->disk_checked_us = now;
	if (truce_store_disk(d->store, &avail, &total) != 0 || total == 0)
		return;
	unsigned pct = (unsigned)(avail * 100 / total);
	if (pct < d->cfg->disk_warn && pct < d->disk_warned_pct) {
		TRUCED_LOGF(&d->cfg->log, TRUCED_LOG_WARN, "main",
		            "the disk of %s is filling: %u%% free (%llu of %llu MiB), under "
		            "disk-warn %zu%%",
		            d->cfg->data_dir, pct, (unsigned long long)(avail >> 20),
		            (unsigned long long)(total >> 20), d->cfg->disk_warn);
		d->disk_warned_pct = pct;
	} else if (pct >= d->cfg->disk_warn && d->disk_warned_pct <= 100) {
		TRUCED_LOGF(&d->cfg->log, TRUCED_LOG_INFO, "main",
		            "the disk of %s has %u%% free again", d->cfg->data_dir, pct);
		d->disk_warned_pct = 101;
	}
}

static void run_loop(truced_state *d)
{
	zmq_pollitem_t items[] = {
	    {.socket = d->socks.ingest, .events = ZMQ_POLLIN},
	    {.socket = d->socks.query, .events = ZMQ_POLLIN},
	};
	int pending = 0; /* a parsed batch waits: poll without waiting */
	while (!stop_signal) {
		int64_t now = truce_now_us();
		truced_notify_watchdog(&d->notify, now);
		disk_check(d, now);
		if (reload_signal) {
			reload_signal = 0;
			truced_pipe_env env = pipe_env(d);
			truced_pipeline_flush(&d->pipe, &env); /* parsed with the old rules */
			pending = 0;
			reload(d);
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
			truced_query_serve(
			    d->socks.query, d->store, d->started_us, truce_rules_version(d->rules),
			    &d->met, (unsigned)d->cfg->disk_warn, QUERY_PER_TURN, &d->cfg->log);
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

static void print_config_error(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "truced: %s\n", msg);
}

/*
 * --check: what the configuration names must also load: the rule files and
 * the key files. (The data directory is truced's to create; whether it is
 * free shows at start.) Returns 0 or 1, saying why on stderr.
 */
static int check_config(const truced_config *cfg, const char *path)
{
	char err[512] = "", z85[TRUCE_KEY_Z85_LEN + 1];
	int bad = 0;
	truce_rules *rules;
	if (cfg->rules_dir != NULL) {
		if (truce_rules_load_dir(cfg->rules_dir, &rules, err, sizeof(err)) != 0) {
			fprintf(stderr, "truced: rules %s: %s\n", cfg->rules_dir, err);
			bad = 1;
		} else {
			truce_rules_free(rules);
		}
	}
	if (cfg->curve_secret != NULL &&
	    truce_keys_load_secret(cfg->curve_secret, z85, err, sizeof(err)) != 0) {
		fprintf(stderr, "truced: curve-secret %s\n", err);
		bad = 1;
	}
	if (cfg->allow_dir != NULL && access(cfg->allow_dir, R_OK | X_OK) != 0) {
		fprintf(stderr, "truced: allow %s: %s\n", cfg->allow_dir, strerror(errno));
		bad = 1;
	}
	if (!bad)
		printf("truced: %s: configuration OK\n", path ? path : "(no file)");
	return bad;
}

/* Parses the command line and the file into cfg; -1 to exit 0, else an
 * exit code (0: run). */
static int configure(int argc, char **argv, truced_cmdline *cl, truced_config *cfg)
{
	if (truced_cmdline_parse(argc, argv, cl, print_config_error, NULL) != 0) {
		fprintf(stderr, "(see truced --help)\n");
		memset(cfg, 0, sizeof(*cfg));
		return 2;
	}
	if (cl->help || cl->version) {
		if (cl->help)
			usage(stdout);
		else
			printf("truced %s\n", TRUCE_VERSION);
		memset(cfg, 0, sizeof(*cfg));
		return -1;
	}
	if (truced_config_build(cfg, cl, print_config_error, NULL) != 0)
		return 2;
	if (cl->check)
		return check_config(cfg, cl->config_path) ? 2 : -1;
	if (cl->print_config) {
		truced_config_print(cfg, stdout);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	truced_cmdline cl;
	truced_config cfg;
	int prc = configure(argc, argv, &cl, &cfg);
	if (prc != 0) {
		truced_config_free(&cfg);
		truced_cmdline_free(&cl);
		return prc < 0 ? 0 : prc;
	}
	resolve_threads(&cfg);
	cfg.log.journal = truced_log_is_journal(STDERR_FILENO);
	install_signals();
	truced_state d = {
	    .cfg = &cfg, .cl = &cl, .started_us = truce_now_us(), .disk_warned_pct = 101};
	truced_metrics_init(&d.met, d.started_us, &d.cnt);
	truced_notify_open(&d.notify, &cfg.log);
	int rc = state_open(&d);
	if (rc != 0) {
		char msg[128];
		snprintf(msg, sizeof(msg), "STATUS=failed to start: %s", truce_strerror(rc));
		truced_notify_send(&d.notify, msg);
		state_close(&d);
		truced_notify_close(&d.notify);
		truced_config_free(&cfg);
		truced_cmdline_free(&cl);
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
	/* The sockets are bound and the store is open: collectors and
	 * subscribers that systemd starts after us can connect at once. */
	truced_notify_send(&d.notify, "READY=1\nSTATUS=serving");
	run_loop(&d);
	truced_notify_send(&d.notify, "STOPPING=1\nSTATUS=stopping");
	TRUCED_LOGF(&cfg.log, TRUCED_LOG_INFO, "main",
	            "stopping (signal %d): %llu received, %llu stored, %llu duplicates, %llu "
	            "rejected, %llu claims, %llu events in %llu batches",
	            (int)stop_signal, (unsigned long long)d.cnt.received,
	            (unsigned long long)d.cnt.stored, (unsigned long long)d.cnt.duplicates,
	            (unsigned long long)d.cnt.rejected, (unsigned long long)d.cnt.claims,
	            (unsigned long long)d.cnt.events, (unsigned long long)d.cnt.batches);
	state_close(&d);
	truced_notify_close(&d.notify);
	truced_config_free(&cfg);
	truced_cmdline_free(&cl);
	return 0;
}
