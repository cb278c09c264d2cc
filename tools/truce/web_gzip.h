/*
 * web_gzip.h - the pieces of an endless gzip stream that many clients share
 * (web_gzip.c). See there for why independently compressed pieces, put one
 * after another, make one valid gzip member.
 */
#ifndef TRUCE_WEB_GZIP_H
#define TRUCE_WEB_GZIP_H

#include <stddef.h>
#include <stdint.h>

/* Each appends to the growable buffer *buf (length *len, capacity *cap);
 * on failure (TRUCE_ENOMEM) *len is as it was. */

/* The start of a gzip member (no name, no time, unknown OS). */
int web_gzip_begin(unsigned char **buf, size_t *len, size_t *cap);

/* One piece of deflate data: in[0 .. n) compressed from a fresh state and
 * ended by a full flush (non-final blocks, byte-aligned, no reference to
 * anything before it). */
int web_deflate_piece(const void *in, size_t n, unsigned char **buf, size_t *len, size_t *cap);

/* The end of the member: an empty final block, then the CRC-32 and length
 * (mod 2^32) of everything the pieces held. */
int web_gzip_end(uint32_t crc, uint64_t isize, unsigned char **buf, size_t *len, size_t *cap);

#endif
