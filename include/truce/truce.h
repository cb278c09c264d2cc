/*
 * truce.h - error codes and version shared by every truce module.
 *
 * Every fallible truce function returns 0 on success or one of the negative
 * codes below, and hands results back through out-parameters that are left
 * untouched (or freshly zeroed) on error: a caller never sees half a result.
 */
#ifndef TRUCE_TRUCE_H
#define TRUCE_TRUCE_H

#include <stddef.h>
#include <stdint.h>

#define TRUCE_VERSION "0.1.0"
#define TRUCE_HASH_LEN 32 /* content keys (SHA-256) and the article chain */

enum truce_err {
	TRUCE_OK = 0,
	TRUCE_ENOMEM = -1,    /* allocation failed */
	TRUCE_EINVAL = -2,    /* bad argument or malformed input */
	TRUCE_EIO = -3,       /* file system or storage error */
	TRUCE_ENOTFOUND = -4, /* no such record */
	TRUCE_EEXIST = -5,    /* record already present */
	TRUCE_EBUSY = -6,     /* resource held by someone else (lock) */
	TRUCE_EPROTO = -7,    /* undecodable wire data */
	TRUCE_ETOOBIG = -8,   /* over a configured size limit */
	TRUCE_EFULL = -9,     /* LMDB map full: grow and retry */
	TRUCE_ECORRUPT = -10, /* stored data fails a check */
	TRUCE_ENET = -11,     /* ZeroMQ socket error */
	TRUCE_ETIMEDOUT = -12,
	TRUCE_EUTF8 = -13,   /* invalid UTF-8 */
	TRUCE_EINTR = -14,   /* interrupted by a signal */
	TRUCE_EPERM = -15,   /* permission denied */
	TRUCE_ENOSPC = -16,  /* the disk (or quota) is full */
	TRUCE_ESCHEMA = -17, /* store of another schema: upgrade it, or a newer truce */
};

/* A static, human-readable description of a truce error code. */
const char *truce_strerror(int err);

/* Parses a non-negative decimal ("0", "42"; no sign, blank or suffix) into
 * *out; TRUCE_EINVAL on anything else or overflow, *out untouched. */
int truce_parse_u64(const char *s, uint64_t *out);

/* Makes room for element n of the growable array *arrp (a T ** passed as
 * void *) of *cap elements of elem bytes: when n == *cap the array doubles
 * (first elements when it is empty). TRUCE_ENOMEM on failure or overflow,
 * with the array and *cap as they were. */
int truce_grow(void *arrp, size_t *cap, size_t n, size_t elem, size_t first);

/* Internal to the core library: formats a sentence for the user into buf,
 * which may be NULL (then nothing happens). */
__attribute__((format(printf, 3, 4))) void truce__errf(char *buf, size_t len, const char *fmt, ...);

#endif
