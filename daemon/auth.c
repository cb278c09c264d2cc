/*
 * auth.c - CURVE for truced: the server key on every socket, the allow-list
 * of client public keys (the *.pub files of --allow DIR) and the ZAP
 * handler (RFC 27) that admits exactly those keys.
 *
 * The ZAP handler runs on its own thread, not in the main loop's poll set:
 * the main loop can spend a long time inside one batch (parse, an fsync'd
 * commit, a map resize), and a handshake must not wait behind that, nor
 * should a flood of handshakes from unlisted keys take turns away from
 * ingest. The handler only reads the allow-list; SIGHUP makes the main
 * thread load a new list and swap it in under a mutex, which is the only
 * state the two threads share. libzmq hands the handler each CURVE
 * handshake after it proved the client holds the secret of the public key
 * it claims, so checking that key against the list is the whole decision.
 *
 * The pitfall this file exists for: a CURVE server socket whose context has
 * no ZAP handler bound accepts every client key (encryption without
 * authentication). Hence the handler is bound before any other socket of
 * the context binds, and it keeps answering until the context terminates.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <zmq.h>

#include "auth.h"
#include "truce/date.h"
#include "truce/keys.h"
#include "truce/wire.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_MAX_FRAMES 8                   /* a CURVE request has 7; more are read and dropped */
#define ALLOW_MAX 100000                   /* keys in the allow-list; a sanity bound */
#define DENY_LOG_QUIET_US (10 * 1000000LL) /* a refused client retries every 100 ms */

typedef struct allow_entry {
	uint8_t key[32];
	char name[64]; /* the .pub file it came from, for the log */
} allow_entry;

typedef struct allow_list {
	allow_entry *v;
	size_t n;
} allow_list;

struct truced_auth {
	void *zap; /* REP on inproc://zeromq.zap.01, used by the thread only */
	pthread_t thread;
	int thread_started;
	pthread_mutex_t mu; /* guards list */
	allow_list list;
	char *allow_dir;
	char secret[TRUCE_KEY_Z85_LEN + 1];
	char public_key[TRUCE_KEY_Z85_LEN + 1];
	const truced_log *lg;
	/* thread-only: quiets the log for a client that keeps retrying */
	uint8_t last_denied[32];
	int64_t last_denied_us;
};

static void allow_free(allow_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && strcmp(s + n - m, suffix) == 0;
}

/* Reads every DIR/NAME.pub. A file that is not a key is logged and
 * skipped: it can only make the list shorter, never admit anyone. */
static int allow_load(const char *dir, const truced_log *lg, allow_list *out)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		TRUCED_LOGF(lg, TRUCED_LOG_ERROR, "auth", "cannot read allow-list directory %s: %s",
		            dir, strerror(errno));
		return TRUCE_EIO;
	}
	struct stat st;
	if (fstat(dirfd(d), &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		TRUCED_LOGF(lg, TRUCED_LOG_WARN, "auth",
		            "allow-list directory %s is writable by group or others (mode %03o): "
		            "they can admit any key",
		            dir, (unsigned)(st.st_mode & 0777));
	allow_list l = {0};
	size_t cap = 0;
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !has_suffix(e->d_name, ".pub"))
			continue;
		char path[PATH_MAX], z85[TRUCE_KEY_Z85_LEN + 1], err[PATH_MAX + 128];
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= sizeof(path))
			continue;
		if (truce_keys_load_public(path, z85, err, sizeof(err)) != 0) {
			TRUCED_LOGF(lg, TRUCED_LOG_WARN, "auth", "skipped: %s", err);
			continue;
		}
		if (l.n == ALLOW_MAX) {
			TRUCED_LOGF(lg, TRUCED_LOG_ERROR, "auth", "over %d keys in %s", ALLOW_MAX,
			            dir);
			rc = TRUCE_ETOOBIG;
			break;
		}
		if ((rc = truce_grow(&l.v, &cap, l.n, sizeof(*l.v), 16)) != 0)
			break;
		allow_entry *ae = &l.v[l.n++];
		zmq_z85_decode(ae->key, z85); /* checked by truce_keys_load_public */
		snprintf(ae->name, sizeof(ae->name), "%.*s", (int)(strlen(e->d_name) - 4),
		         e->d_name);
	}
	closedir(d);
	if (rc != 0) {
		allow_free(&l);
		return rc;
	}
	if (l.n == 0)
		TRUCED_LOGF(lg, TRUCED_LOG_WARN, "auth",
		            "no client key in %s (*.pub): every client will be refused", dir);
	*out = l;
	return 0;
}

/* The name of key in the list (copied out under the lock), or -1. */
static int allow_find(truced_auth *a, const uint8_t key[32], char *name, size_t len)
{
	int found = -1;
	pthread_mutex_lock(&a->mu);
	for (size_t i = 0; i < a->list.n; i++) {
		if (memcmp(a->list.v[i].key, key, 32) == 0) {
			snprintf(name, len, "%s", a->list.v[i].name);
			found = 0;
			break;
		}
	}
	pthread_mutex_unlock(&a->mu);
	return found;
}

static int frame_is(zmq_msg_t *f, const char *s)
{
	size_t n = strlen(s);
	return zmq_msg_size(f) == n && memcmp(zmq_msg_data(f), s, n) == 0;
}

typedef struct zap_verdict {
	const char *status; /* "200", "400" or "500" */
	const char *text;
	char user_id[TRUCE_KEY_Z85_LEN + 1]; /* Z85 of the client key when allowed */
} zap_verdict;

/* Decides one request: f[0..n) are its frames. */
static void zap_decide(truced_auth *a, zmq_msg_t *f, int n, zap_verdict *v)
{
	char name[64] = "", addr[64] = "";
	v->status = "400";
	v->user_id[0] = '\0';
	if (n < 6 || !frame_is(&f[0], "1.0")) {
		v->status = "500";
		v->text = "malformed ZAP request";
		TRUCED_LOGF(a->lg, TRUCED_LOG_ERROR, "auth", "malformed ZAP request (%d frames)",
		            n);
		return;
	}
	snprintf(addr, sizeof(addr), "%.*s",
	         (int)(zmq_msg_size(&f[3]) < 63 ? zmq_msg_size(&f[3]) : 63),
	         (const char *)zmq_msg_data(&f[3]));
	if (!frame_is(&f[5], "CURVE")) {
		v->text = "only CURVE clients are allowed";
		TRUCED_LOGF(a->lg, TRUCED_LOG_WARN, "auth", "refused a non-CURVE client from %s",
		            addr[0] ? addr : "?");
		return;
	}
	if (!frame_is(&f[2], TRUCED_ZAP_DOMAIN) || n != 7 || zmq_msg_size(&f[6]) != 32) {
		v->text = "unexpected domain or credentials";
		TRUCED_LOGF(a->lg, TRUCED_LOG_WARN, "auth", "refused a ZAP request from %s: %s",
		            addr[0] ? addr : "?", v->text);
		return;
	}
	const uint8_t *key = zmq_msg_data(&f[6]);
	char z85[TRUCE_KEY_Z85_LEN + 1];
	zmq_z85_encode(z85, key, 32);
	if (allow_find(a, key, name, sizeof(name)) == 0) {
		v->status = "200";
		v->text = "OK";
		memcpy(v->user_id, z85, sizeof(z85));
		TRUCED_LOGF(a->lg, TRUCED_LOG_DEBUG, "auth", "client %s (%s) from %s admitted",
		            name, z85, addr[0] ? addr : "?");
		return;
	}
	v->text = "client key not allowed";
	int64_t now = truce_now_us();
	int repeat =
	    memcmp(a->last_denied, key, 32) == 0 && now - a->last_denied_us < DENY_LOG_QUIET_US;
	TRUCED_LOGF(a->lg, repeat ? TRUCED_LOG_DEBUG : TRUCED_LOG_WARN, "auth",
	            "refused client key %s from %s: not in the allow-list", z85,
	            addr[0] ? addr : "?");
	if (!repeat) {
		memcpy(a->last_denied, key, 32);
		a->last_denied_us = now;
	}
}

static void zap_reply(truced_auth *a, zmq_msg_t *f, int n, const zap_verdict *v)
{
	/* The request id is echoed as is; without one libzmq fails the
	 * handshake anyway, which is the right outcome. */
	const void *rid = n >= 2 ? zmq_msg_data(&f[1]) : "";
	size_t rid_len = n >= 2 ? zmq_msg_size(&f[1]) : 0;
	if (zmq_send(a->zap, "1.0", 3, ZMQ_SNDMORE) < 0 ||
	    zmq_send(a->zap, rid, rid_len, ZMQ_SNDMORE) < 0 ||
	    zmq_send(a->zap, v->status, strlen(v->status), ZMQ_SNDMORE) < 0 ||
	    zmq_send(a->zap, v->text, strlen(v->text), ZMQ_SNDMORE) < 0 ||
	    zmq_send(a->zap, v->user_id, strlen(v->user_id), ZMQ_SNDMORE) < 0 ||
	    zmq_send(a->zap, "", 0, 0) < 0)
		TRUCED_LOGF(a->lg, TRUCED_LOG_ERROR, "auth", "ZAP reply not sent: %s",
		            zmq_strerror(errno));
}

static void *auth_main(void *arg)
{
	truced_auth *a = arg;
	for (;;) {
		zmq_msg_t f[ZAP_MAX_FRAMES], m;
		int n = 0, more = 1, term = 0;
		while (more) {
			zmq_msg_init(&m);
			if (zmq_msg_recv(&m, a->zap, 0) < 0) {
				zmq_msg_close(&m);
				if (errno == EINTR)
					continue;
				term = 1; /* ETERM: the context is going away */
				break;
			}
			more = zmq_msg_more(&m);
			if (n < ZAP_MAX_FRAMES)
				f[n++] = m;
			else
				zmq_msg_close(&m);
		}
		if (!term) {
			zap_verdict v;
			zap_decide(a, f, n, &v);
			zap_reply(a, f, n, &v);
		}
		for (int i = 0; i < n; i++)
			zmq_msg_close(&f[i]);
		if (term)
			break;
	}
	zmq_close(a->zap);
	a->zap = NULL;
	return NULL;
}

int truced_auth_server_setup(const truced_auth *a, void *sock)
{
	if (a == NULL)
		return 0;
	int one = 1;
	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof(one)) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, a->secret, TRUCE_KEY_Z85_LEN + 1) != 0 ||
	    zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, TRUCED_ZAP_DOMAIN, strlen(TRUCED_ZAP_DOMAIN)) != 0)
		return TRUCE_ENET;
#ifdef ZMQ_ZAP_ENFORCE_DOMAIN
	/* Draft API: when present, a missing handler fails the handshake
	 * instead of admitting everyone. Without it, the order in
	 * truced_auth_start (handler bound first) gives the same guarantee. */
	zmq_setsockopt(sock, ZMQ_ZAP_ENFORCE_DOMAIN, &one, sizeof(one));
#endif
	return 0;
}

static void auth_destroy(truced_auth *a)
{
	if (a->zap != NULL)
		zmq_close(a->zap);
	allow_free(&a->list);
	free(a->allow_dir);
	pthread_mutex_destroy(&a->mu);
	sodium_memzero(a->secret, sizeof(a->secret));
	free(a);
}

int truced_auth_start(void *ctx, const char *secret_path, const char *allow_dir,
                      const truced_log *lg, truced_auth **out)
{
	char err[PATH_MAX + 128] = "";
	if (!zmq_has("curve")) {
		TRUCED_LOGF(lg, TRUCED_LOG_ERROR, "auth", "this libzmq was built without CURVE");
		return TRUCE_EINVAL;
	}
	truced_auth *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return TRUCE_ENOMEM;
	pthread_mutex_init(&a->mu, NULL);
	a->lg = lg;
	a->allow_dir = strdup(allow_dir);
	int rc = a->allow_dir != NULL ? 0 : TRUCE_ENOMEM;
	if (rc == 0 && (rc = truce_keys_load_secret(secret_path, a->secret, err, sizeof(err))) != 0)
		TRUCED_LOGF(lg, TRUCED_LOG_ERROR, "auth", "%s", err);
	if (rc == 0 && zmq_curve_public(a->public_key, a->secret) != 0)
		rc = TRUCE_EINVAL;
	if (rc == 0)
		rc = allow_load(allow_dir, lg, &a->list);
	if (rc == 0) {
		int linger = 0;
		a->zap = zmq_socket(ctx, ZMQ_REP);
		if (a->zap == NULL)
			rc = TRUCE_ENET;
		else
			zmq_setsockopt(a->zap, ZMQ_LINGER, &linger, sizeof(linger));
	}
	if (rc == 0 && zmq_bind(a->zap, ZAP_ENDPOINT) != 0) {
		TRUCED_LOGF(lg, TRUCED_LOG_ERROR, "auth", "cannot bind the ZAP handler: %s",
		            zmq_strerror(errno));
		rc = TRUCE_ENET;
	}
	if (rc == 0) {
		/* Signals belong to the main thread (they interrupt its poll);
		 * the handler thread starts with all of them blocked. */
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		rc = pthread_create(&a->thread, NULL, auth_main, a) == 0 ? 0 : TRUCE_ENOMEM;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		a->thread_started = rc == 0;
	}
	if (rc != 0) {
		auth_destroy(a);
		return rc;
	}
	TRUCED_LOGF(lg, TRUCED_LOG_INFO, "auth",
	            "CURVE on every socket: server public key %s; %zu client key(s) allowed "
	            "from %s",
	            a->public_key, a->list.n, allow_dir);
	*out = a;
	return 0;
}

void truced_auth_reload(truced_auth *a, const char *allow_dir)
{
	allow_list fresh, old;
	if (a == NULL)
		return;
	const char *dir = allow_dir != NULL ? allow_dir : a->allow_dir;
	char *new_dir = NULL;
	int moved = strcmp(dir, a->allow_dir) != 0;
	if ((moved && (new_dir = strdup(dir)) == NULL) || allow_load(dir, a->lg, &fresh) != 0) {
		free(new_dir);
		TRUCED_LOGF(a->lg, TRUCED_LOG_WARN, "auth", "keeping the allow-list of %zu key(s)",
		            a->list.n);
		return;
	}
	pthread_mutex_lock(&a->mu);
	old = a->list;
	a->list = fresh;
	pthread_mutex_unlock(&a->mu);
	allow_free(&old);
	if (new_dir != NULL) {
		free(a->allow_dir); /* only the main thread reads it */
		a->allow_dir = new_dir;
	}
	TRUCED_LOGF(a->lg, TRUCED_LOG_INFO, "auth",
	            "allow-list reloaded from %s: %zu client key(s)", a->allow_dir, fresh.n);
}

void truced_auth_free(truced_auth *a)
{
	if (a == NULL)
		return;
	if (a->thread_started)
		pthread_join(a->thread, NULL);
	auth_destroy(a);
}

int truced_endpoint_is_local(const char *ep)
{
	if (strncmp(ep, "ipc://", 6) == 0 || strncmp(ep, "inproc://", 9) == 0)
		return 1;
	if (strncmp(ep, "tcp://", 6) != 0)
		return 0;
	const char *host = ep + 6, *colon = strrchr(host, ':');
	char h[INET6_ADDRSTRLEN + 2];
	size_t n = colon != NULL ? (size_t)(colon - host) : 0;
	if (n == 0 || n >= sizeof(h))
		return 0;
	if (host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	memcpy(h, host, n);
	h[n] = '\0';
	if (strcmp(h, "localhost") == 0)
		return 1;
	struct in_addr v4;
	struct in6_addr v6;
	if (inet_pton(AF_INET, h, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, h, &v6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&v6) ||
		       (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
	return 0;
}
