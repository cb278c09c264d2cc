/*
 * article.c - what a feed item becomes on the wire (see feedparse.h): its
 * identity in the collector's state, and the packed Article with the
 * content key truced will deduplicate it on.
 *
 * Everything here keeps an item inside truced's limits (wire.h), so an
 * ordinary item is never REJECTED for a detail the collector could fix: a
 * title over 4 KiB is cut at a character boundary, an id over 4 KiB is
 * replaced by its hash, a URL over 4 KiB is left out (the content key then
 * comes from the body), a date truced would refuse is left out.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "feedparse.h"
#include "truce/date.h"
#include "truce/wire.h"

void feed_item_key(const char *feed_url, const feed_item *it, uint8_t key[TRUCE_HASH_LEN])
{
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)feed_url, strlen(feed_url) + 1);
	const char *kind, *a, *b = "";
	if (it->id != NULL) {
		kind = "id";
		a = it->id;
	} else if (it->link != NULL) {
		kind = "link";
		a = it->link;
	} else {
		kind = "text";
		a = it->title != NULL ? it->title : "";
		b = it->text != NULL ? it->text : "";
	}
	crypto_hash_sha256_update(&st, (const uint8_t *)kind, strlen(kind) + 1);
	crypto_hash_sha256_update(&st, (const uint8_t *)a, strlen(a) + 1);
	crypto_hash_sha256_update(&st, (const uint8_t *)b, strlen(b));
	crypto_hash_sha256_final(&st, key);
}

/* The length of s cut to at most max bytes, never inside a UTF-8
 * sequence. */
static size_t utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n <= max)
		return n;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

int feed_item_pack(const feed_item *it, const feed_article_opts *o, uint8_t **frame, size_t *len,
                   uint8_t content_key[TRUCE_HASH_LEN])
{
	const char *body = o->page;
	size_t body_len = o->page_len;
	int html = 1;
	if (body == NULL) {
		int has_text = it->text != NULL && it->text[0] != '\0';
		body = has_text ? it->text : it->title;
		body_len = body != NULL ? strlen(body) : 0;
		html = has_text && it->text_html;
	}
	if (body == NULL || body_len == 0)
		return TRUCE_EINVAL;
	char *title = NULL, hexid[2 * TRUCE_HASH_LEN + 1];
	if (it->title != NULL &&
	    (title = strndup(it->title, utf8_cut(it->title, TRUCE_MAX_FIELD))) == NULL)
		return TRUCE_ENOMEM;
	const char *id = it->id != NULL ? it->id : it->link;
	if (id != NULL && strlen(id) > TRUCE_MAX_FIELD) {
		uint8_t h[TRUCE_HASH_LEN];
		crypto_hash_sha256(h, (const uint8_t *)id, strlen(id));
		truce_hex(h, sizeof(h), hexid);
		id = hexid;
	}
	const char *source = o->source;
	if (source != NULL && strlen(source) > TRUCE_MAX_FIELD)
		source = NULL;
	Truce__V1__Article art = TRUCE__V1__ARTICLE__INIT;
	art.id = (char *)id;
	art.url = it->link != NULL && strlen(it->link) <= TRUCE_MAX_FIELD ? it->link : NULL;
	art.source = (char *)source;
	art.title = title;
	art.published = truce_date_check(it->day) == 0 ? (char *)it->day : NULL;
	art.has_body = 1;
	art.body.data = (uint8_t *)body;
	art.body.len = body_len;
	art.has_content_type = 1;
	art.content_type =
	    html ? TRUCE__V1__CONTENT_TYPE__CONTENT_HTML : TRUCE__V1__CONTENT_TYPE__CONTENT_TEXT;
	art.collector_id = (char *)o->collector_id;
	truce_content_key(&art, content_key);
	int rc = truce_wire_pack(&art.base, frame, len);
	free(title);
	return rc;
}
