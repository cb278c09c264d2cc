/*
 * common.c - error strings, error sentences, number parsing and array
 * growth shared by every module.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "truce/truce.h"

const char *truce_strerror(int err)
{
	switch (err) {
	case TRUCE_OK: return "success";
	case TRUCE_ENOMEM: return "out of memory";
	case TRUCE_EINVAL: return "invalid argument or input";
	case TRUCE_EIO: return "input/output error";
	case TRUCE_ENOTFOUND: return "not found";
	case TRUCE_EEXIST: return "already exists";
	case TRUCE_EBUSY: return "resource busy (held by another process)";
	case TRUCE_EPROTO: return "malformed protocol message";
	case TRUCE_ETOOBIG: return "over the size limit";
	case TRUCE_EFULL: return "storage map full";
	case TRUCE_ECORRUPT: return "stored data is corrupt";
	case TRUCE_ENET: return "messaging error";
	case TRUCE_ETIMEDOUT: return "timed out";
	case TRUCE_EUTF8: return "invalid UTF-8";
	case TRUCE_EINTR: return "interrupted";
	case TRUCE_EPERM: return "permission denied";
	case TRUCE_ENOSPC: return "no space left on device";
	case TRUCE_ESCHEMA: return "store schema not this program's (upgrade it, or a newer truce)";
	}
	return "unknown error";
}

int truce_parse_u64(const char *s, uint64_t *out)
{
	if (s == NULL || *s < '0' || *s > '9')
		return TRUCE_EINVAL;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return TRUCE_EINVAL;
	*out = (uint64_t)v;
	return 0;
}

void truce__errf(char *buf, size_t len, const char *fmt, ...)
{
	if (buf == NULL || len == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

int truce_grow(void *arrp, size_t *cap, size_t n, size_t elem, size_t first)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : first;
	if (ncap <= n || ncap > SIZE_MAX / elem)
		return TRUCE_ENOMEM;
	/* arrp points at a T *: read and written through memcpy, so that no
	 * T * object is accessed as a void * (strict aliasing). */
	void *old;
	memcpy(&old, arrp, sizeof(old));
	void *nv = realloc(old, ncap * elem);
	if (nv == NULL)
		return TRUCE_ENOMEM;
	memcpy(arrp, &nv, sizeof(nv)); /* the caller's pointer now owns nv */
	*cap = ncap;
	// cppcheck-suppress memleak ; nv is stored in *arrp above
	return 0;
}
