/*
 * test_wire.c - decoding and validation of network input, content keys,
 * time parsing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "truce/wire.h"

static const truce_limits lim = {.max_message = 1 << 20, .max_body = 1000};

/* Packs an Article with the given body (NULL = no body) and published. */
static uint8_t *pack_article(const char *body, size_t body_len, const char *published, size_t *len)
{
	Truce__V1__Article a = TRUCE__V1__ARTICLE__INIT;
	a.id = "t1";
	a.published = (char *)published;
	if (body != NULL) {
		a.has_body = 1;
		a.body.data = (uint8_t *)body;
		a.body.len = body_len;
	}
	uint8_t *buf;
	assert_int_equal(truce_wire_pack(&a.base, &buf, len), 0);
	return buf;
}

static int decode(const char *body, size_t body_len, const char *published, char *reason)
{
	size_t len;
	uint8_t *buf = pack_article(body, body_len, published, &len);
	Truce__V1__Article *a = (Truce__V1__Article *)0x1;
	int rc = truce_wire_decode_article(buf, len, &lim, &a, reason, TRUCE_REASON_MAX);
	if (rc == 0) {
		assert_non_null(a);
		assert_int_equal(a->body.len, body_len);
		assert_memory_equal(a->body.data, body, body_len);
		assert_int_equal(a->body.data[body_len], '\0'); /* NUL-terminated */
		truce_wire_article_free(a);
	} else {
		assert_null(a); /* never half a result */
	}
	free(buf);
	return rc;
}

static void test_valid_article(void **state)
{
	(void)state;
	char reason[TRUCE_REASON_MAX];
	const char *b = "Azerbaijan said Armenian forces shelled Laçın on Monday.";
	assert_int_equal(decode(b, strlen(b), "2022-08-03", reason), 0);
}

static void test_rejections(void **state)
{
	(void)state;
	char reason[TRUCE_REASON_MAX];
	assert_int_equal(decode(NULL, 0, NULL, reason), TRUCE_EINVAL);
	assert_non_null(strstr(reason, "no body"));
	assert_int_equal(decode("", 0, NULL, reason), TRUCE_EINVAL);
	assert_int_equal(decode("ab\xff", 3, NULL, reason), TRUCE_EUTF8);
	assert_non_null(strstr(reason, "UTF-8"));
	assert_int_equal(decode("ab\xc3", 3, NULL, reason), TRUCE_EUTF8); /* cut sequence */
	assert_int_equal(decode("a\0b", 3, NULL, reason), TRUCE_EINVAL);
	assert_non_null(strstr(reason, "NUL"));
	char big[1001];
	memset(big, 'x', sizeof(big));
	assert_int_equal(decode(big, sizeof(big), NULL, reason), TRUCE_ETOOBIG);
	assert_non_null(strstr(reason, "1001"));
	assert_int_equal(decode("ok", 2, "2022-02-30", reason), TRUCE_EINVAL);
	assert_int_equal(decode("ok", 2, "yesterday", reason), TRUCE_EINVAL);
	assert_int_equal(decode("ok", 2, "2024-02-29", reason), 0);
}

static void test_garbage(void **state)
{
	(void)state;
	char reason[TRUCE_REASON_MAX];
	Truce__V1__Article *a = NULL;
	const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
	assert_int_equal(
	    truce_wire_decode_article(junk, sizeof(junk), &lim, &a, reason, sizeof(reason)),
	    TRUCE_EPROTO);
	assert_null(a);
	assert_int_equal(truce_wire_decode_article(junk, 0, &lim, &a, reason, sizeof(reason)),
	                 TRUCE_EPROTO);
	truce_limits small = {.max_message = 3, .max_body = 10};
	assert_int_equal(
	    truce_wire_decode_article(junk, sizeof(junk), &small, &a, reason, sizeof(reason)),
	    TRUCE_ETOOBIG);
	/* A body field whose length runs past the end. */
	const uint8_t trunc[] = {0x32, 0x20, 'a', 'b', 'c'};
	assert_int_equal(
	    truce_wire_decode_article(trunc, sizeof(trunc), &lim, &a, reason, sizeof(reason)),
	    TRUCE_EPROTO);
}

static void key_of(const char *url, const char *body, uint8_t key[TRUCE_HASH_LEN])
{
	Truce__V1__Article a = TRUCE__V1__ARTICLE__INIT;
	a.url = (char *)url;
	a.has_body = body != NULL;
	a.body.data = (uint8_t *)body;
	a.body.len = body ? strlen(body) : 0;
	truce_content_key(&a, key);
}

static void test_content_key(void **state)
{
	(void)state;
	uint8_t k1[TRUCE_HASH_LEN], k2[TRUCE_HASH_LEN];
	key_of("HTTPS://Example.COM/News/1#top", "x", k1);
	key_of("https://example.com/News/1", "y", k2);
	assert_memory_equal(k1, k2, TRUCE_HASH_LEN); /* URL wins over body */
	key_of("https://example.com/news/1", "x", k2);
	assert_memory_not_equal(k1, k2, TRUCE_HASH_LEN); /* paths are case-sensitive */
	key_of(NULL, "Shelling  near\n the line ", k1);
	key_of("", "Shelling near the line", k2);
	assert_memory_equal(k1, k2, TRUCE_HASH_LEN); /* whitespace folded */
	key_of(NULL, "Shelling near the lines", k2);
	assert_memory_not_equal(k1, k2, TRUCE_HASH_LEN);
}

/* The key of a URL is SHA-256 of "url\n" and the URL with scheme and host
 * in lower case, without its fragment: stores keep these keys, so they
 * must not change with how the bytes are fed to the hash (a URL longer
 * than a buffer of them included). */
static void test_content_key_url_bytes(void **state)
{
	(void)state;
	char url[700], want[720];
	strcpy(url, "HTTPS://News.Example.ORG/Path/");
	size_t n = strlen(url);
	for (; n < 600; n++)
		url[n] = (char)('A' + n % 26);
	url[n] = '\0';
	snprintf(want, sizeof(want), "url\nhttps://news.example.org/Path/%s", url + 30);
	strcat(url, "#Frag");
	uint8_t got[TRUCE_HASH_LEN], exp[TRUCE_HASH_LEN];
	key_of(url, "body", got);
	crypto_hash_sha256(exp, (const uint8_t *)want, strlen(want));
	assert_memory_equal(got, exp, TRUCE_HASH_LEN);
}

static void test_pb_next(void **state)
{
	(void)state;
	/* Article {id "x" (1), body "ok" (6), content_type 1 (7)} */
	const uint8_t msg[] = {0x0a, 0x01, 'x', 0x32, 0x02, 'o', 'k', 0x38, 0x01};
	const uint8_t *p = msg, *end = msg + sizeof(msg);
	truce_pb_field f;
	assert_int_equal(truce_pb_next(&p, end, &f), 0);
	assert_int_equal(f.number, 1);
	assert_int_equal(f.wire_type, 2);
	assert_int_equal(f.len, 1);
	assert_memory_equal(f.data, "x", 1);
	assert_int_equal(truce_pb_next(&p, end, &f), 0);
	assert_int_equal(f.number, 6);
	assert_int_equal(f.len, 2);
	assert_memory_equal(f.data, "ok", 2);
	assert_int_equal(truce_pb_next(&p, end, &f), 0);
	assert_int_equal(f.number, 7);
	assert_int_equal(f.wire_type, 0);
	assert_null(f.data);
	assert_ptr_equal(p, end);
	/* Cut short, or a group (wire type 3): -1, nothing moved. */
	const uint8_t cut[] = {0x32, 0x05, 'o', 'k'}, group[] = {0x0b, 0x0c};
	p = cut;
	assert_int_equal(truce_pb_next(&p, cut + sizeof(cut), &f), -1);
	assert_ptr_equal(p, cut);
	p = group;
	assert_int_equal(truce_pb_next(&p, group + sizeof(group), &f), -1);
	assert_ptr_equal(p, group);
}

/* The UTF-8 check reads ASCII eight bytes at a time: a bad byte (a lone
 * continuation byte, a truncated sequence) is found and its offset told
 * exactly wherever it falls in or after those blocks, and valid multi-byte
 * characters anywhere pass. */
static void test_utf8_offsets(void **state)
{
	(void)state;
	uint8_t buf[64];
	for (size_t at = 0; at + 2 < sizeof(buf); at++) {
		for (size_t len = at + 2; len <= sizeof(buf); len += 7) {
			memset(buf, 'a', sizeof(buf));
			buf[at] = 0xC3; /* "é" */
			buf[at + 1] = 0xA9;
			size_t bad = 12345;
			assert_int_equal(truce_utf8_check(buf, len, &bad), 0);
			assert_int_equal(bad, 12345);
			buf[at] = 0x80; /* a continuation byte alone */
			assert_int_equal(truce_utf8_check(buf, len, &bad), TRUCE_EUTF8);
			assert_int_equal(bad, at);
		}
		memset(buf, 'a', sizeof(buf));
		buf[at] = 0xE2; /* the first byte of three, then ASCII */
		size_t bad = 0;
		assert_int_equal(truce_utf8_check(buf, sizeof(buf), &bad), TRUCE_EUTF8);
		assert_int_equal(bad, at);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_article),
	    cmocka_unit_test(test_rejections),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_content_key),
	    cmocka_unit_test(test_content_key_url_bytes),
	    cmocka_unit_test(test_pb_next),
	    cmocka_unit_test(test_utf8_offsets),
	};
	return cmocka_run_group_tests_name("wire", tests, NULL, NULL);
}
