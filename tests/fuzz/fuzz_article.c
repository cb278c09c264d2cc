/*
 * fuzz_article.c - libFuzzer target for the ingest socket's decoder: any
 * bytes as an Article frame through truce_wire_decode_article (size limit,
 * protobuf decode, UTF-8, NUL, field and date checks). A frame that passes
 * then goes where a stored article goes: content key, packing into the log
 * record, JSON rendering for replay. The decoder must never crash, leak or
 * read out of bounds, and its reason must always be a sentence.
 */
#include <stdlib.h>
#include <string.h>

#include "truce/json.h"
#include "truce/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Small limits, so that the over-limit paths are reachable too. */
	const truce_limits lim = {.max_message = 1u << 16, .max_body = 1u << 12};
	Truce__V1__Article *a = NULL;
	char reason[TRUCE_REASON_MAX];
	reason[0] = '\0';
	int rc = truce_wire_decode_article(data, size, &lim, &a, reason, sizeof(reason));
	if (rc != 0) {
		if (a != NULL || reason[0] == '\0' || memchr(reason, '\0', sizeof(reason)) == NULL)
			abort(); /* a rejection always comes with a reason, never an article */
		return 0;
	}
	/* The decoder promises a NUL one past the body. */
	if (a->body.data[a->body.len] != '\0')
		abort();
	uint8_t key[TRUCE_HASH_LEN];
	truce_content_key(a, key);
	uint8_t *buf;
	size_t len;
	if (truce_wire_pack(&a->base, &buf, &len) == 0) {
		/* What we store must decode again to the same validated article. */
		Truce__V1__Article *b = NULL;
		const truce_limits roomy = {.max_message = len + 1, .max_body = lim.max_body};
		if (truce_wire_decode_article(buf, len, &roomy, &b, reason, sizeof(reason)) != 0)
			abort();
		uint8_t key2[TRUCE_HASH_LEN];
		truce_content_key(b, key2);
		if (memcmp(key, key2, sizeof(key)) != 0)
			abort();
		truce_wire_article_free(b);
		free(buf);
	}
	json_t *j = truce_json_article(a);
	char *s = json_dumps(j, JSON_COMPACT);
	free(s);
	json_decref(j);
	truce_wire_article_free(a);
	return 0;
}
