/*
 * jsonfeed.c - JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1)
 * with jansson (see feedparse.h).
 *
 * JSON is UTF-8 by its RFC, but a feed that is not gets the same treatment
 * as XML (charset.c guesses, iconv converts) rather than an error. Version
 * 1.0 wrote "author" where 1.1 writes "authors", and many feeds write ids
 * as numbers: both are read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "feedparse.h"

static char *json_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return NULL;
}

static char *json_line(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (json_is_string(v))
		return feed_squeeze(json_string_value(v), json_string_length(v));
	if (json_is_integer(v)) {
		char num[32];
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		return strdup(num);
	}
	return NULL;
}

static char *author_name(json_t *item)
{
	json_t *authors = json_object_get(item, "authors");
	if (json_is_array(authors) && json_array_size(authors) > 0)
		return json_line(json_array_get(authors, 0), "name");
	json_t *author = json_object_get(item, "author");
	return json_is_object(author) ? json_line(author, "name") : NULL;
}

static int read_item(json_t *o, const char *base_url, feed_item *it)
{
	it->id = json_line(o, "id");
	char *url = json_str(o, "url");
	if (url == NULL)
		url = json_str(o, "external_url");
	it->link = feed_resolve_url(url, base_url);
	free(url);
	it->title = json_line(o, "title");
	it->author = author_name(o);
	static const char *const texts[] = {"content_html", "content_text", "summary"};
	for (size_t i = 0; i < 3 && it->text == NULL; i++) {
		json_t *v = json_object_get(o, texts[i]);
		if (!json_is_string(v) || json_string_length(v) == 0)
			continue;
		it->text = strdup(json_string_value(v));
		if (it->text == NULL)
			return TRUCE_ENOMEM;
		it->text_html = i == 0 || (i == 2 && feed_looks_html(it->text));
	}
	static const char *const dates[] = {"date_published", "date_modified"};
	for (size_t i = 0; i < 2 && it->day[0] == '\0'; i++) {
		json_t *v = json_object_get(o, dates[i]);
		if (json_is_string(v) &&
		    feed_parse_date(json_string_value(v), &it->pub_us, it->day) != 0)
			it->day[0] = '\0';
	}
	return 0;
}

static int read_feed(json_t *root, const char *base_url, feed_doc *d, char *err, size_t errlen)
{
	if (!json_is_object(root)) {
		snprintf(err, errlen, "JSON, but not a JSON Feed (not an object)");
		return TRUCE_EINVAL;
	}
	json_t *version = json_object_get(root, "version"), *items = json_object_get(root, "items");
	if (!json_is_array(items)) {
		snprintf(err, errlen, "JSON, but not a JSON Feed (%s)",
		         json_is_string(version) ? "no \"items\" array"
		                                 : "no \"version\" nor \"items\"");
		return TRUCE_EINVAL;
	}
	d->kind = FEED_JSON;
	d->title = json_line(root, "title");
	char *home = json_str(root, "home_page_url");
	d->link = feed_resolve_url(home, base_url);
	free(home);
	/* Relative item URLs: against the site, as in RSS, else the feed. */
	if (d->link != NULL &&
	    (strncmp(d->link, "http://", 7) == 0 || strncmp(d->link, "https://", 8) == 0))
		base_url = d->link;
	size_t i;
	json_t *o;
	json_array_foreach(items, i, o)
	{
		if (!json_is_object(o))
			continue;
		feed_item *it = feed_doc_add_item(d);
		if (it == NULL || read_item(o, base_url, it) != 0)
			return TRUCE_ENOMEM;
		if (it->id == NULL && it->link == NULL && it->title == NULL && it->text == NULL) {
			feed_item_clear(it); /* nothing to know it by: forget it */
			d->n_items--;
		}
	}
	return 0;
}

int feed_parse_json(const char *body, size_t len, const char *content_type, const char *base_url,
                    feed_doc **out, char *err, size_t errlen)
{
	/* JSON is UTF-8 by its RFC; one that is not is converted, not refused. */
	char *conv = NULL;
	size_t clen = len;
	char cs[48], note[200];
	feed_charset(body, len, content_type, FEED_DOC_JSON, cs, sizeof(cs), note, sizeof(note));
	if (strcasecmp(cs, "UTF-8") != 0 &&
	    feed_to_utf8(body, len, content_type, FEED_DOC_JSON, &conv, &clen) != 0) {
		snprintf(err, errlen, "JSON in charset %s, which cannot be read", cs);
		return TRUCE_EINVAL;
	}
	json_error_t jerr;
	json_t *root = json_loadb(conv != NULL ? conv : body, clen, 0, &jerr);
	free(conv);
	if (root == NULL) {
		snprintf(err, errlen, "not JSON: %s (line %d)", jerr.text, jerr.line);
		return TRUCE_EINVAL;
	}
	feed_doc *d = calloc(1, sizeof(*d));
	int rc = d != NULL ? read_feed(root, base_url, d, err, errlen) : TRUCE_ENOMEM;
	json_decref(root);
	if (rc != 0) {
		if (rc == TRUCE_ENOMEM)
			snprintf(err, errlen, "out of memory");
		feed_doc_free(d);
		return rc;
	}
	snprintf(d->charset, sizeof(d->charset), "%s", cs[0] ? cs : "UTF-8");
	snprintf(d->note, sizeof(d->note), "%s", note);
	*out = d;
	return 0;
}
