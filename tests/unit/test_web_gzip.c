/*
 * test_web_gzip.c - unit tests of truce web's shared gzip pieces
 * (tools/truce/web_gzip.c), checked with zlib's own inflate: pieces
 * compressed independently and put one after another decompress to their
 * inputs one after another, in any order and number, and with the trailer
 * the whole is a gzip member whose CRC and length zlib verifies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "web_gzip.h"

typedef struct bytes {
	unsigned char *p;
	size_t len, cap;
} bytes;

/* SSE frames like the hub's: JSON with repeated keys, growing ids. */
static bytes frames(unsigned first, unsigned n)
{
	bytes b = {NULL, 0, 0};
	b.cap = (size_t)n * 200 + 1;
	b.p = malloc(b.cap);
	assert_non_null(b.p);
	for (unsigned i = 0; i < n; i++)
		b.len += (size_t)snprintf(
		    (char *)b.p + b.len, b.cap - b.len,
		    "id: %u\ndata: {\"seq\":%u,\"topic\":\"claim.new.ukr\",\"killed\":%u}\n\n",
		    first + i, first + i, (first + i) * 7919u % 101u);
	return b;
}

/* Bytes no compressor shrinks (a fixed-seed generator: reproducible). */
static bytes noise(size_t n)
{
	bytes b = {malloc(n), n, n};
	assert_non_null(b.p);
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		b.p[i] = (unsigned char)x;
	}
	return b;
}

static void cat(bytes *to, const bytes *from)
{
	to->p = realloc(to->p, to->len + from->len + 1);
	assert_non_null(to->p);
	memcpy(to->p + to->len, from->p, from->len);
	to->len += from->len;
}

/* Inflates in (window_bits: -15 raw, 31 gzip); returns zlib's last code. */
static int inflate_all(const bytes *in, int window_bits, bytes *out)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, window_bits), Z_OK);
	out->cap = 1 << 20;
	out->len = 0;
	out->p = malloc(out->cap);
	assert_non_null(out->p);
	z.next_in = in->p;
	z.avail_in = (uInt)in->len;
	int rc;
	do {
		if (out->len == out->cap) {
			out->cap *= 2;
			out->p = realloc(out->p, out->cap);
			assert_non_null(out->p);
		}
		z.next_out = out->p + out->len;
		z.avail_out = (uInt)(out->cap - out->len);
		rc = inflate(&z, Z_NO_FLUSH);
		out->len = out->cap - z.avail_out;
	} while (rc == Z_OK && (z.avail_in > 0 || z.avail_out == 0));
	inflateEnd(&z);
	return rc;
}

static void test_pieces_concatenate(void **state)
{
	(void)state;
	bytes in[4] = {frames(1, 1000), frames(1001, 1), noise(100000), frames(1002, 3000)};
	bytes gz = {NULL, 0, 0}, plain = {NULL, 0, 0};
	assert_int_equal(web_gzip_begin(&gz.p, &gz.len, &gz.cap), 0);
	assert_int_equal(gz.len, 10);
	uint32_t crc = (uint32_t)crc32(0, NULL, 0);
	for (int i = 0; i < 4; i++) {
		size_t before = gz.len;
		assert_int_equal(web_deflate_piece(in[i].p, in[i].len, &gz.p, &gz.len, &gz.cap), 0);
		if (i == 0) /* frames compress several-fold */
			assert_true((gz.len - before) * 4 < in[i].len);
		cat(&plain, &in[i]);
		crc = (uint32_t)crc32(crc, in[i].p, (uInt)in[i].len);
	}
	/* Without a trailer (an endless stream): every byte so far comes out,
	 * and zlib wants more, not an error. */
	bytes out;
	int rc = inflate_all(&gz, 31, &out);
	assert_true(rc == Z_OK || rc == Z_BUF_ERROR);
	assert_int_equal(out.len, plain.len);
	assert_memory_equal(out.p, plain.p, plain.len);
	free(out.p);
	/* With it: a complete gzip member, CRC and length checked by zlib. */
	assert_int_equal(web_gzip_end(crc, plain.len, &gz.p, &gz.len, &gz.cap), 0);
	assert_int_equal(inflate_all(&gz, 31, &out), Z_STREAM_END);
	assert_int_equal(out.len, plain.len);
	assert_memory_equal(out.p, plain.p, plain.len);
	free(out.p);
	/* A wrong CRC is caught: the trailer is checked, not ignored. */
	gz.len -= 10;
	assert_int_equal(web_gzip_end(crc ^ 1u, plain.len, &gz.p, &gz.len, &gz.cap), 0);
	assert_int_equal(inflate_all(&gz, 31, &out), Z_DATA_ERROR);
	free(out.p);
	for (int i = 0; i < 4; i++)
		free(in[i].p);
	free(gz.p);
	free(plain.p);
}

/* A piece made once is shared by streams that start at different pieces:
 * each piece stands alone, so any order and repetition inflates right. */
static void test_pieces_stand_alone(void **state)
{
	(void)state;
	bytes a = frames(1, 500), b = frames(501, 500);
	bytes pa = {NULL, 0, 0}, pb = {NULL, 0, 0};
	assert_int_equal(web_deflate_piece(a.p, a.len, &pa.p, &pa.len, &pa.cap), 0);
	assert_int_equal(web_deflate_piece(b.p, b.len, &pb.p, &pb.len, &pb.cap), 0);
	bytes raw = {NULL, 0, 0}, want = {NULL, 0, 0};
	const bytes *order[] = {&pb, &pa, &pb};
	const bytes *plain[] = {&b, &a, &b};
	for (int i = 0; i < 3; i++) {
		cat(&raw, order[i]);
		cat(&want, plain[i]);
	}
	bytes out;
	int rc = inflate_all(&raw, -15, &out);
	assert_true(rc == Z_OK || rc == Z_BUF_ERROR); /* no final block: not an end */
	assert_int_equal(out.len, want.len);
	assert_memory_equal(out.p, want.p, want.len);
	free(out.p);
	/* A tiny piece (a keepalive comment) works the same way. */
	bytes k = {NULL, 0, 0};
	assert_int_equal(web_deflate_piece(": keepalive\n\n", 13, &k.p, &k.len, &k.cap), 0);
	assert_true(k.len > 0 && k.len < 40);
	free(k.p);
	free(a.p);
	free(b.p);
	free(pa.p);
	free(pb.p);
	free(raw.p);
	free(want.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pieces_concatenate),
	    cmocka_unit_test(test_pieces_stand_alone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
