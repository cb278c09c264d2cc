/*
 * client_int.h - what the client library's modules share and a user of the
 * library does not see.
 */
#ifndef TRUCE_CLIENT_INT_H
#define TRUCE_CLIENT_INT_H

#include <stdarg.h>
#include <stdio.h>

#include "truce/client.h"

/* Formats a note and hands it to fn (nothing when fn is NULL). */
__attribute__((format(printf, 3, 4))) static inline void truce__note(truce_note_fn fn, void *ctx,
                                                                     const char *fmt, ...)
{
	if (fn == NULL)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn(ctx, msg);
}

#endif
