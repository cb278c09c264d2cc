/*
 * keys.c - CURVE key files (read, check, create; see truce/keys.h), shared
 * by truced, the client library and `truce keygen`.
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
