/*
 * keys.c - CURVE key files (read, check, create) and the client side of a
 * CURVE socket, shared by every truce command and by truced.
 *
 * Secrets pass through stack buffers only and are wiped with
 * sodium_memzero before those go out of scope.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <zmq.h>

#include "cli.h"
#include "truce/keys.h"

#define KEY_FILE_MAX 4096 /* a key file is one line; anything longer is not one */

/* Finds the key line in text: the first line not starting with '#', with
 * surrounding blanks trimmed. */
static int key_line(const char *text, const char **start, size_t *len)
{
	const char *p = text;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		size_t n = strcspn(p, "\r\n");
		if (*p != '#' && n > 0) {
			while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
				n--;
			*start = p;
			*len = n;
			return 0;
		}
		p += n;
	}
	return -1;
}

/* Reads and checks the key in the open file fd (closed here). */
static int key_read_fd(int fd, const char *path, char out[TRUCE_KEY_Z85_LEN + 1], char *err,
                       size_t errlen)
{
	char text[KEY_FILE_MAX + 1];
	size_t got = 0;
	ssize_t n;
	while (got < sizeof(text) - 1 && (n = read(fd, text + got, sizeof(text) - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			truce__errf(err, errlen, "cannot read key file %s: %s", path, strerror(e));
			return TRUCE_EIO;
		}
		got += (size_t)n;
	}
	close(fd);
	text[got] = '\0';
	const char *k;
	size_t klen;
	int rc = 0;
	uint8_t raw[32];
	if (got == sizeof(text) - 1) {
		truce__errf(err, errlen, "key file %s: over %d bytes, not a key file", path,
		            KEY_FILE_MAX);
		rc = TRUCE_EINVAL;
	} else if (key_line(text, &k, &klen) != 0) {
		truce__errf(err, errlen, "key file %s: no key in it", path);
		rc = TRUCE_EINVAL;
	} else if (klen != TRUCE_KEY_Z85_LEN) {
		truce__errf(err, errlen,
		            "key file %s: a CURVE key is %d Z85 characters, this one has %zu "
		            "(make keys with `truce keygen`)",
		            path, TRUCE_KEY_Z85_LEN, klen);
		rc = TRUCE_EINVAL;
	} else {
		char z85[TRUCE_KEY_Z85_LEN + 1];
		memcpy(z85, k, TRUCE_KEY_Z85_LEN);
		z85[TRUCE_KEY_Z85_LEN] = '\0';
		if (zmq_z85_decode(raw, z85) == NULL) {
			truce__errf(err, errlen, "key file %s: not a Z85 key", path);
			rc = TRUCE_EINVAL;
		} else {
			memcpy(out, z85, sizeof(z85));
		}
		sodium_memzero(z85, sizeof(z85));
	}
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(text, sizeof(text));
	return rc;
}

static int key_open(const char *path, char *err, size_t errlen, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int e = errno;
		truce__errf(err, errlen, "cannot open key file %s: %s", path, strerror(e));
		return e == ENOENT ? TRUCE_ENOTFOUND : e == EACCES ? TRUCE_EPERM : TRUCE_EIO;
	}
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		truce__errf(err, errlen, "key file %s: not a regular file", path);
		return TRUCE_EINVAL;
	}
	return fd;
}

int truce_keys_load_public(const char *path, char out[TRUCE_KEY_Z85_LEN + 1], char *err,
                           size_t errlen)
{
	struct stat st;
	int fd = key_open(path, err, errlen, &st);
	if (fd < 0)
		return fd;
	return key_read_fd(fd, path, out, err, errlen);
}

int truce_keys_load_secret(const char *path, char out[TRUCE_KEY_Z85_LEN + 1], char *err,
                           size_t errlen)
{
	struct stat st;
	int fd = key_open(path, err, errlen, &st);
	if (fd < 0)
		return fd;
	/* Checked on the open file, so a swap of the name after the check
	 * cannot slip a different file in. */
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		close(fd);
		truce__errf(err, errlen,
		            "secret key file %s has mode %03o: group or others may read it; "
		            "`chmod 600 %s` (or make a new pair with `truce keygen`)",
		            path, (unsigned)(st.st_mode & 0777), path);
		return TRUCE_EPERM;
	}
	return key_read_fd(fd, path, out, err, errlen);
}

/* Creates path fresh (O_EXCL: never through an existing file or symlink)
 * with mode and writes line + "\n" to it, durably. */
static int write_new(const char *path, mode_t mode, const char *line, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		int e = errno;
		truce__errf(err, errlen, "cannot create %s: %s%s", path, strerror(e),
		            e == EEXIST ? " (use --force to replace it)" : "");
		return e == EEXIST ? TRUCE_EEXIST : e == EACCES ? TRUCE_EPERM : TRUCE_EIO;
	}
	char buf[TRUCE_KEY_Z85_LEN + 2];
	int n = snprintf(buf, sizeof(buf), "%s\n", line);
	int ok = n > 0 && write(fd, buf, (size_t)n) == n && fsync(fd) == 0;
	int e = errno;
	sodium_memzero(buf, sizeof(buf));
	if (close(fd) != 0 || !ok) {
		unlink(path);
		truce__errf(err, errlen, "cannot write %s: %s", path, strerror(ok ? errno : e));
		return TRUCE_EIO;
	}
	return 0;
}

int truce_keys_write_pair(const char *prefix, int force, char public_out[TRUCE_KEY_Z85_LEN + 1],
                          char *err, size_t errlen)
{
	char key_path[PATH_MAX], pub_path[PATH_MAX];
	if ((size_t)snprintf(key_path, sizeof(key_path), "%s.key", prefix) >= sizeof(key_path) ||
	    (size_t)snprintf(pub_path, sizeof(pub_path), "%s.pub", prefix) >= sizeof(pub_path)) {
		truce__errf(err, errlen, "%s: path too long", prefix);
		return TRUCE_EINVAL;
	}
	char pub[TRUCE_KEY_Z85_LEN + 1], sec[TRUCE_KEY_Z85_LEN + 1];
	if (zmq_curve_keypair(pub, sec) != 0) {
		truce__errf(err, errlen, "cannot make a CURVE key pair: %s (libzmq without CURVE?)",
		            zmq_strerror(errno));
		return TRUCE_EINVAL;
	}
	if (force) {
		/* Remove, then create with O_EXCL: a replaced key is a new
		 * file with mode 0600 from its first byte, whatever the old
		 * one was. */
		if ((unlink(key_path) != 0 && errno != ENOENT) ||
		    (unlink(pub_path) != 0 && errno != ENOENT)) {
			truce__errf(err, errlen, "cannot replace %s: %s", prefix, strerror(errno));
			sodium_memzero(sec, sizeof(sec));
			return TRUCE_EIO;
		}
	} else if (access(pub_path, F_OK) == 0) {
		/* Checked first so that an existing .pub does not leave a fresh
		 * .key behind; the O_EXCL below still decides. */
		truce__errf(err, errlen,
		            "cannot create %s: File exists (use --force to replace it)", pub_path);
		sodium_memzero(sec, sizeof(sec));
		return TRUCE_EEXIST;
	}
	int rc = write_new(key_path, 0600, sec, err, errlen);
	sodium_memzero(sec, sizeof(sec));
	if (rc != 0)
		return rc;
	rc = write_new(pub_path, 0644, pub, err, errlen);
	if (rc != 0) {
		unlink(key_path);
		return rc;
	}
	memcpy(public_out, pub, sizeof(pub));
	return 0;
}

int truce_client_keys_load(const char *server_key_path, const char *secret_path,
                           truce_client_keys *out, char *err, size_t errlen)
{
	truce_client_keys k = {.on = 1};
	int rc = truce_keys_load_public(server_key_path, k.server_public, err, errlen);
	if (rc == 0)
		rc = truce_keys_load_secret(secret_path, k.secret, err, errlen);
	if (rc == 0 && zmq_curve_public(k.public_key, k.secret) != 0) {
		truce__errf(err, errlen, "cannot derive the public key of %s: %s", secret_path,
		            zmq_strerror(errno));
		rc = TRUCE_EINVAL;
	}
	if (rc == 0)
		*out = k;
	sodium_memzero(&k, sizeof(k));
	return rc;
}

int truce_client_curve_setup(void *sock, const truce_client_keys *k)
{
	if (k == NULL || !k->on)
		return 0;
	/* 41 bytes: a NUL-terminated Z85 string, which libzmq decodes. */
	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, k->server_public, TRUCE_KEY_Z85_LEN + 1) !=
	        0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, k->public_key, TRUCE_KEY_Z85_LEN + 1) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, k->secret, TRUCE_KEY_Z85_LEN + 1) != 0)
		return TRUCE_ENET;
	return 0;
}

struct truce_handshake_watch {
	void *sock;      /* the watched socket */
	void *mon;       /* PAIR reading its monitor events */
	uint16_t failed; /* last failure event, 0 = none (or a success since) */
	uint32_t value;
};

int truce_handshake_watch_start(void *zctx, void *sock, truce_handshake_watch **out)
{
	char ep[64];
	truce_handshake_watch *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return TRUCE_ENOMEM;
	/* Unique within the context: one monitor per socket. */
	snprintf(ep, sizeof(ep), "inproc://truce-handshake-%p", sock);
	int linger = 0;
	w->sock = sock;
	if (zmq_socket_monitor(sock, ep,
	                       ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
	                           ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	                           ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0 ||
	    (w->mon = zmq_socket(zctx, ZMQ_PAIR)) == NULL ||
	    zmq_setsockopt(w->mon, ZMQ_LINGER, &linger, sizeof(linger)) != 0 ||
	    zmq_connect(w->mon, ep) != 0) {
		truce_handshake_watch_stop(w);
		return TRUCE_ENET;
	}
	*out = w;
	return 0;
}

const char *truce_handshake_watch_failure(truce_handshake_watch *w, int curve_on)
{
	if (w == NULL)
		return NULL;
	zmq_msg_t m;
	zmq_msg_init(&m);
	while (zmq_msg_recv(&m, w->mon, ZMQ_DONTWAIT) >= 0) {
		if (zmq_msg_size(&m) >= 6) {
			uint16_t ev;
			memcpy(&ev, zmq_msg_data(&m), 2);
			memcpy(&w->value, (uint8_t *)zmq_msg_data(&m) + 2, 4);
			w->failed = ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED ? 0 : ev;
		}
		while (zmq_msg_more(&m) && zmq_msg_recv(&m, w->mon, 0) >= 0)
			; /* the endpoint frame */
	}
	zmq_msg_close(&m);
	if (w->failed == 0)
		return NULL;
	if (w->failed == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
		return "truced refused this client's key: is its .pub in truced's --allow "
		       "directory?";
	return curve_on ? "the CURVE handshake with truced failed: is --curve-server-key "
	                  "truced's .pub, and does truced run with --curve-secret?"
	                : "the handshake with truced failed: it probably requires CURVE "
	                  "(--curve-server-key, --curve-secret)";
}

void truce_handshake_watch_stop(truce_handshake_watch *w)
{
	if (w == NULL)
		return;
	zmq_socket_monitor(w->sock, NULL, 0);
	if (w->mon != NULL)
		zmq_close(w->mon);
	free(w);
}

void truce_client_keys_clear(truce_client_keys *k)
{
	sodium_memzero(k, sizeof(*k));
}

int truce_key_args_take(truce_key_args *a, int c, const char *arg)
{
	if (c == TRUCE_OPT_CURVE_SERVER_KEY)
		a->server_key = arg;
	else if (c == TRUCE_OPT_CURVE_SECRET)
		a->secret = arg;
	else
		return 0;
	return 1;
}

int truce_key_args_load(const char *cmd, const truce_key_args *a, truce_client_keys *out)
{
	char err[512] = "";
	if (a->server_key == NULL && a->secret == NULL) {
		memset(out, 0, sizeof(*out));
		return TRUCE_EXIT_OK;
	}
	if (a->server_key == NULL || a->secret == NULL) {
		fprintf(stderr,
		        "truce %s: CURVE needs both --curve-server-key and --curve-secret\n"
		        "(see `truce %s --help`)\n",
		        cmd, cmd);
		return TRUCE_EXIT_USAGE;
	}
	if (!zmq_has("curve")) {
		fprintf(stderr, "truce %s: this libzmq was built without CURVE\n", cmd);
		return TRUCE_EXIT_IO;
	}
	if (truce_client_keys_load(a->server_key, a->secret, out, err, sizeof(err)) != 0) {
		fprintf(stderr, "truce %s: %s\n", cmd, err);
		return TRUCE_EXIT_IO;
	}
	return TRUCE_EXIT_OK;
}
