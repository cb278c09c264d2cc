/*
 * fuzz_feed.c - libFuzzer target for the feed parsers (RSS, Atom, JSON
 * Feed, their charsets and dates; tools/truce/feed/feedparse.h) and for
 * what an item becomes on the wire.
 *
 * The first byte of an input picks the HTTP Content-Type the document
 * comes with (none, a plain type, or one with a charset that may lie), the
 * rest is the body. The parser must never crash, leak or read out of
 * bounds; a refusal always comes with a sentence; every string of every
 * item is UTF-8 without NUL; and every item the collector would send passes
 * truced's own validation (truce_wire_decode_article), so a feed can never
 * make the collector send what the daemon rejects for a detail.
 */
#include <stdlib.h>
#include <string.h>

#include "feedparse.h"
#include "truce/date.h"
#include "truce/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_string(const char *s)
{
	size_t bad;
	if (s != NULL && truce_utf8_check((const uint8_t *)s, strlen(s), &bad) != 0)
		abort();
}

static void check_item(const feed_item *it)
{
	check_string(it->id);
	check_string(it->link);
	check_string(it->title);
	check_string(it->text);
	check_string(it->author);
	check_string(it->source);
	if (it->day[0] != '\0' && truce_date_check(it->day) != 0)
		abort();
	uint8_t key[TRUCE_HASH_LEN], ckey[TRUCE_HASH_LEN];
	feed_item_key("http://fuzz.example/feed", it, key);
	/* the item's own source, as the collector sends it when feeds.conf names none */
	const feed_article_opts o = {.source = it->source != NULL ? it->source : "fuzz",
	                             .collector_id = "fuzz_feed"};
	uint8_t *frame;
	size_t len;
	if (feed_item_pack(it, &o, &frame, &len, ckey) != 0)
		return; /* nothing to send */
	const truce_limits lim = {.max_message = TRUCE_DEFAULT_MAX_MESSAGE,
	                          .max_body = TRUCE_DEFAULT_MAX_BODY};
	Truce__V1__Article *a = NULL;
	char reason[TRUCE_REASON_MAX];
	if (truce_wire_decode_article(frame, len, &lim, &a, reason, sizeof(reason)) != 0)
		abort(); /* the daemon would reject what the collector sends */
	uint8_t again[TRUCE_HASH_LEN];
	truce_content_key(a, again);
	if (memcmp(again, ckey, sizeof(again)) != 0)
		abort(); /* the collector's dedup key is the daemon's */
	truce_wire_article_free(a);
	free(frame);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {
	    NULL,
	    "application/rss+xml",
	    "application/atom+xml; charset=utf-8",
	    "text/xml; charset=windows-1251",
	    "application/feed+json",
	    "text/html; charset=\"iso-8859-1\"",
	    "text/xml; charset=no-such-charset",
	    "application/xml;charset=UTF-16",
	};
	if (size == 0)
		return 0;
	const char *ct = types[data[0] % (sizeof(types) / sizeof(types[0]))];
	const char *body = (const char *)data + 1;
	size--;
	char err[256];
	err[0] = '\0';
	feed_doc *d = NULL;
	int rc =
	    feed_parse(body, size, ct, "http://fuzz.example/dir/feed.xml", &d, err, sizeof(err));
	if (rc != 0) {
		if (d != NULL || err[0] == '\0' || memchr(err, '\0', sizeof(err)) == NULL)
			abort();
		return 0;
	}
	check_string(d->title);
	check_string(d->link);
	for (size_t i = 0; i < d->n_items; i++)
		check_item(&d->items[i]);
	feed_doc_free(d);
	/* The page reader: any bytes become a UTF-8 body without NUL. */
	char *page;
	size_t plen;
	if (feed_to_utf8(body, size, ct, FEED_DOC_HTML, &page, &plen) == 0) {
		size_t bad;
		if (memchr(page, '\0', plen) != NULL ||
		    truce_utf8_check((const uint8_t *)page, plen, &bad) != 0)
			abort();
		free(page);
	}
	return 0;
}
