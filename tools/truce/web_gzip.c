/*
 * web_gzip.c - Content-Encoding: gzip for /api/events, compressed once for
 * every client.
 *
 * A deflate stream is a run of blocks, and a block may refer back to bytes
 * of earlier blocks. A piece compressed from a fresh deflate state refers to
 * nothing before it, and one ended with Z_FULL_FLUSH ends on a byte boundary
 * with a non-final block, so pieces made that way can be put one after
 * another in any order and number: the result is one valid deflate stream
 * whose inflated bytes are the pieces' inputs, one after another. The hub
 * compresses each chunk of SSE frames once into such a piece, and every
 * stream with gzip sends the same compressed bytes after its own gzip
 * header; what is a stream's own (its first "retry:", keepalives, frames it
 * filtered or read from the query socket) becomes a piece of its own.
 *
 * An endless stream has no trailer; one that ends (truce web stops) gets
 * one, so that a client sees a complete gzip member then.
 */
#include <stdlib.h>
#include <string.h>

/* next_in as const: the input is only read. */
#define ZLIB_CONST
#include <zlib.h>

#include "truce/truce.h"
#include "web_gzip.h"

/* The fastest level: the JSON of a batch of events repeats its keys and
 * topics so much that level 1 already gets most of the gain, and the hub
 * compresses every byte every client receives. */
#define GZIP_LEVEL Z_BEST_SPEED
#define GZIP_MEM_LEVEL 8

static int buf_reserve(unsigned char **buf, size_t len, size_t *cap, size_t more)
{
	if (len + more <= *cap && *buf != NULL)
		return 0;
	size_t c = *cap ? *cap : 4096;
	while (c < len + more)
		c *= 2;
	unsigned char *b = realloc(*buf, c);
	if (b == NULL)
		return TRUCE_ENOMEM;
	*buf = b;
	*cap = c;
	return 0;
}

int web_deflate_piece(const void *in, size_t n, unsigned char **buf, size_t *len, size_t *cap)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	/* Raw deflate (negative window bits): the gzip framing is ours. */
	if (deflateInit2(&z, GZIP_LEVEL, Z_DEFLATED, -15, GZIP_MEM_LEVEL, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return TRUCE_ENOMEM;
	size_t len0 = *len;
	int rc = 0;
	z.next_in = in;
	z.avail_in = 0;
	size_t left = n;
	for (;;) {
		if (z.avail_in == 0 && left > 0) {
			z.avail_in = left > UINT32_MAX ? UINT32_MAX : (uInt)left;
			left -= z.avail_in;
		}
		/* deflateBound plus the flush's few bytes, at least 64. */
		size_t want = deflateBound(&z, z.avail_in) + 64;
		if (buf_reserve(buf, *len, cap, want) != 0) {
			rc = TRUCE_ENOMEM;
			break;
		}
		z.next_out = *buf + *len;
		z.avail_out = (uInt)(*cap - *len > UINT32_MAX ? UINT32_MAX : *cap - *len);
		uInt room = z.avail_out;
		int zr = deflate(&z, left > 0 ? Z_NO_FLUSH : Z_FULL_FLUSH);
		*len += room - z.avail_out;
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			rc = TRUCE_ENOMEM;
			break;
		}
		/* Done when all input is in and the flush fitted. */
		if (left == 0 && z.avail_in == 0 && z.avail_out > 0)
			break;
	}
	deflateEnd(&z);
	if (rc != 0)
		*len = len0;
	return rc;
}

int web_gzip_begin(unsigned char **buf, size_t *len, size_t *cap)
{
	/* Magic, deflate, no flags, no time, no extra flags, unknown OS. */
	static const unsigned char header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
	if (buf_reserve(buf, *len, cap, sizeof(header)) != 0)
		return TRUCE_ENOMEM;
	memcpy(*buf + *len, header, sizeof(header));
	*len += sizeof(header);
	return 0;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

int web_gzip_end(uint32_t crc, uint64_t isize, unsigned char **buf, size_t *len, size_t *cap)
{
	if (buf_reserve(buf, *len, cap, 10) != 0)
		return TRUCE_ENOMEM;
	unsigned char *p = *buf + *len;
	/* A final block with fixed codes holding only end-of-block: the bits
	 * 1 (final), 01 (fixed), 0000000 (end of block), padded. */
	p[0] = 0x03;
	p[1] = 0x00;
	put_le32(p + 2, crc);
	put_le32(p + 6, (uint32_t)isize);
	*len += 10;
	return 0;
}
