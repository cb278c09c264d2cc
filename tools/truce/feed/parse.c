/*
 * parse.c - RSS and Atom with libxml2, and feed_parse(), the entry point
 * that sends JSON to jsonfeed.c (see feedparse.h).
 *
 * The document is read in the charset charset.c decides, which libxml2 is
 * told to use over the declaration (XML_PARSE_IGNORE_ENC): the HTTP header
 * wins, as RFC 3023 says. A document that is not well-formed is read again
 * in libxml2's recovery mode, because feeds with a stray "&nbsp;" or an
 * unescaped '&' are common and their items are fine; but one that simply
 * stops (a cut connection, a truncated cache file) is refused, since its
 * last item may be cut in half. No network access and no entity
 * substitution (XML_PARSE_NONET, no XML_PARSE_NOENT): a feed cannot make
 * the collector read files or other URLs.
 *
 * Elements are matched by local name and namespace: an RSS item may carry
 * <media:title> or <atom:link>, which are not its title or link.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>

#include "feedparse.h"
#include "truce/wire.h"

#define NS_RSS1 "http://purl.org/rss/1.0/"
#define NS_RSS090 "http://my.netscape.com/rdf/simple/0.9/"
#define NS_RSS2 "http://backend.userland.com/rss2"
#define NS_ATOM "http://www.w3.org/2005/Atom"
#define NS_ATOM03 "http://purl.org/atom/ns#"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_SY "http://purl.org/rss/1.0/modules/syndication/"

/* --- small helpers, also used by jsonfeed.c ------------------------------ */

char *feed_squeeze(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	if (out == NULL)
		return NULL;
	size_t k = 0;
	int space = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
			space = 1;
			continue;
		}
		if (space && k > 0)
			out[k++] = ' ';
		space = 0;
		out[k++] = (char)c;
	}
	out[k] = '\0';
	if (k == 0) {
		free(out);
		return NULL;
	}
	return out;
}

int feed_looks_html(const char *s)
{
	for (const char *p = strpbrk(s, "<&"); p != NULL; p = strpbrk(p + 1, "<&")) {
		if (*p == '<' && (isalpha((unsigned char)p[1]) || p[1] == '/' || p[1] == '!'))
			return 1;
		if (*p == '&') {
			size_t n = 1;
			while (n < 10 && (isalnum((unsigned char)p[n]) || (n == 1 && p[n] == '#')))
				n++;
			if (n > 1 && p[n] == ';')
				return 1;
		}
	}
	return 0;
}

char *feed_resolve_url(const char *link, const char *base)
{
	char *trimmed = link != NULL ? feed_squeeze(link, strlen(link)) : NULL;
	if (trimmed == NULL || base == NULL)
		return trimmed;
	xmlChar *abs = xmlBuildURI((const xmlChar *)trimmed, (const xmlChar *)base);
	if (abs == NULL) /* not a URI libxml2 can read: keep what the feed said */
		return trimmed;
	char *out = strdup((const char *)abs);
	xmlFree(abs);
	free(trimmed);
	return out;
}

feed_item *feed_doc_add_item(feed_doc *d)
{
	if (truce_grow(&d->items, &d->items_cap, d->n_items, sizeof(*d->items), 16) != 0)
		return NULL;
	feed_item *it = &d->items[d->n_items++];
	memset(it, 0, sizeof(*it));
	return it;
}

void feed_item_clear(feed_item *it)
{
	free(it->id);
	free(it->link);
	free(it->title);
	free(it->text);
	free(it->author);
	free(it->source);
}

void feed_doc_free(feed_doc *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n_items; i++)
		feed_item_clear(&d->items[i]);
	free(d->items);
	free(d->title);
	free(d->link);
	free(d);
}

/* --- element matching ---------------------------------------------------- */

static int named(const xmlNode *n, const char *local)
{
	return n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, (const xmlChar *)local) == 0;
}

static int in_ns(const xmlNode *n, const char *href)
{
	return n->ns != NULL && n->ns->href != NULL &&
	       xmlStrcmp(n->ns->href, (const xmlChar *)href) == 0;
}

/* An RSS core element: no namespace, or one of the RSS namespaces. */
static int is_rss(const xmlNode *n, const char *local)
{
	return named(n, local) &&
	       (n->ns == NULL || in_ns(n, NS_RSS1) || in_ns(n, NS_RSS090) || in_ns(n, NS_RSS2));
}

static int is_atom(const xmlNode *n, const char *local)
{
	return named(n, local) && (n->ns == NULL || in_ns(n, NS_ATOM) || in_ns(n, NS_ATOM03));
}

static int is_mod(const xmlNode *n, const char *href, const char *local)
{
	return named(n, local) && in_ns(n, href);
}

static int has_element_child(const xmlNode *n)
{
	for (const xmlNode *c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return 1;
	return 0;
}

/* The children of n as markup (inline XHTML, or HTML a feed forgot to
 * escape). */
static char *dump_children(xmlDoc *doc, xmlNode *n)
{
	xmlBufferPtr buf = xmlBufferCreate();
	if (buf == NULL)
		return NULL;
	for (xmlNode *c = n->children; c != NULL; c = c->next)
		xmlNodeDump(buf, doc, c, 0, 0);
	char *out = strdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	return out;
}

/* The text of an element, trimmed; *html set when it is markup: child
 * elements, an Atom type of html or xhtml (as_atom), or text that reads as
 * HTML (RSS descriptions are "entity-encoded HTML"). */
static char *elem_text(xmlDoc *doc, xmlNode *n, int as_atom, int *html)
{
	xmlChar *type = as_atom ? xmlGetProp(n, (const xmlChar *)"type") : NULL;
	xmlChar *mode = as_atom ? xmlGetProp(n, (const xmlChar *)"mode") : NULL;
	int typed_html =
	    type != NULL && (xmlStrcasecmp(type, (const xmlChar *)"html") == 0 ||
	                     xmlStrcasecmp(type, (const xmlChar *)"text/html") == 0 ||
	                     xmlStrcasecmp(type, (const xmlChar *)"xhtml") == 0 ||
	                     xmlStrcasecmp(type, (const xmlChar *)"application/xhtml+xml") == 0);
	int typed_text = type != NULL && (xmlStrcasecmp(type, (const xmlChar *)"text") == 0 ||
	                                  xmlStrcasecmp(type, (const xmlChar *)"text/plain") == 0);
	typed_html |= mode != NULL && xmlStrcasecmp(mode, (const xmlChar *)"escaped") == 0;
	xmlFree(type);
	xmlFree(mode);
	char *raw;
	if (has_element_child(n)) {
		raw = dump_children(doc, n);
		*html = 1;
	} else {
		xmlChar *c = xmlNodeGetContent(n);
		raw = c != NULL ? strdup((const char *)c) : NULL;
		xmlFree(c);
		*html = typed_html || (!typed_text && raw != NULL && feed_looks_html(raw));
	}
	if (raw == NULL)
		return NULL;
	/* Trim the ends only: inside, line breaks may matter (plain text). */
	size_t a = 0, b = strlen(raw);
	while (a < b && isspace((unsigned char)raw[a]))
		a++;
	while (b > a && isspace((unsigned char)raw[b - 1]))
		b--;
	if (a == b) {
		free(raw);
		return NULL;
	}
	memmove(raw, raw + a, b - a);
	raw[b - a] = '\0';
	return raw;
}

/* Text content squeezed into one line (titles, ids, names). */
static char *elem_line(xmlNode *n)
{
	xmlChar *c = xmlNodeGetContent(n);
	if (c == NULL)
		return NULL;
	char *out = feed_squeeze((const char *)c, (size_t)xmlStrlen(c));
	xmlFree(c);
	return out;
}

/* Whether n or an ancestor carries xml:base. */
static int has_xml_base(xmlNode *n)
{
	for (; n != NULL && n->type == XML_ELEMENT_NODE; n = n->parent) {
		xmlChar *b = xmlGetNsProp(n, (const xmlChar *)"base", XML_XML_NAMESPACE);
		xmlFree(b);
		if (b != NULL)
			return 1;
	}
	return 0;
}

/*
 * The URL an element holds (as text, or in attr), made absolute: against
 * xml:base where the feed sets one, else against site (RSS: the channel's
 * link; relative links in RSS mean the web site, which is often not where
 * the feed is served from), else against the document's own URL.
 */
static char *elem_url(xmlDoc *doc, xmlNode *n, const char *attr, const char *site)
{
	xmlChar *v = attr != NULL ? xmlGetProp(n, (const xmlChar *)attr) : xmlNodeGetContent(n);
	if (v == NULL)
		return NULL;
	char *out;
	if (site != NULL && !has_xml_base(n)) {
		out = feed_resolve_url((const char *)v, site);
	} else {
		xmlChar *base = xmlNodeGetBase(doc, n);
		out = feed_resolve_url((const char *)v, (const char *)base);
		xmlFree(base);
	}
	xmlFree(v);
	return out;
}

/* A link usable as a base: absolute http(s). */
static const char *site_base(const char *link)
{
	return link != NULL &&
	               (strncmp(link, "http://", 7) == 0 || strncmp(link, "https://", 8) == 0)
	           ? link
	           : NULL;
}

/* Replaces *slot with v when *slot is empty; frees v otherwise. */
static void keep_first(char **slot, char *v)
{
	if (*slot == NULL)
		*slot = v;
	else
		free(v);
}

static void set_date(feed_item *it, xmlNode *n)
{
	if (it->day[0] != '\0')
		return;
	xmlChar *c = xmlNodeGetContent(n);
	if (c != NULL && feed_parse_date((const char *)c, &it->pub_us, it->day) != 0)
		it->day[0] = '\0';
	xmlFree(c);
}

/*
 * What RSS and Atom items share once their elements are read: the link
 * (else a second-best one), the full text (else the summary) and the date
 * (else the second-best date). Takes the strings it is given.
 */
static void finish_item(feed_item *it, char *other_link, char *full, int full_html, char *summary,
                        int summary_html, xmlNode *date, xmlNode *other_date)
{
	keep_first(&it->link, other_link);
	if (full != NULL) {
		it->text = full;
		it->text_html = full_html;
		free(summary);
	} else {
		it->text = summary;
		it->text_html = summary_html;
	}
	if (date != NULL)
		set_date(it, date);
	if (other_date != NULL)
		set_date(it, other_date);
}

/* --- RSS ----------------------------------------------------------------- */

static void rss_item(xmlDoc *doc, xmlNode *item, const char *site, feed_item *it)
{
	char *description = NULL, *encoded = NULL, *guid_link = NULL;
	int desc_html = 0, enc_html = 0;
	xmlNode *dcdate = NULL, *pubdate = NULL;
	for (xmlNode *c = item->children; c != NULL; c = c->next) {
		if (is_rss(c, "title"))
			keep_first(&it->title, elem_line(c));
		else if (is_rss(c, "link"))
			keep_first(&it->link, elem_url(doc, c, NULL, site));
		else if (is_rss(c, "guid")) {
			char *g = elem_line(c);
			xmlChar *perma = xmlGetProp(c, (const xmlChar *)"isPermaLink");
			if (g != NULL &&
			    (perma == NULL || xmlStrcmp(perma, (const xmlChar *)"false")) &&
			    (strncmp(g, "http://", 7) == 0 || strncmp(g, "https://", 8) == 0))
				keep_first(&guid_link, strdup(g));
			xmlFree(perma);
			keep_first(&it->id, g);
		} else if (is_rss(c, "description")) {
			keep_first(&description, elem_text(doc, c, 0, &desc_html));
		} else if (is_mod(c, NS_CONTENT, "encoded")) {
			keep_first(&encoded, elem_text(doc, c, 0, &enc_html));
			enc_html = 1; /* content:encoded is HTML by definition */
		} else if (is_rss(c, "pubDate")) {
			pubdate = c;
		} else if (is_mod(c, NS_DC, "date")) {
			dcdate = c;
		} else if (is_rss(c, "author") || is_mod(c, NS_DC, "creator")) {
			keep_first(&it->author, elem_line(c));
		} else if (is_rss(c, "source")) { /* <source url="its feed">Its outlet</source> */
			keep_first(&it->source, elem_line(c));
		}
	}
	/* RDF items name themselves in rdf:about. */
	if (it->id == NULL) {
		xmlChar *about = xmlGetProp(item, (const xmlChar *)"about");
		if (about != NULL)
			it->id = feed_squeeze((const char *)about, (size_t)xmlStrlen(about));
		xmlFree(about);
	}
	finish_item(it, guid_link, encoded, enc_html, description, desc_html, pubdate, dcdate);
}

static int64_t sy_period(xmlNode *n)
{
	static const struct {
		const char *name;
		int64_t s;
	} periods[] = {{"hourly", 3600},
	               {"daily", 86400},
	               {"weekly", 7LL * 86400},
	               {"monthly", 30LL * 86400},
	               {"yearly", 365LL * 86400}};
	char *v = elem_line(n);
	int64_t s = 0;
	for (size_t i = 0; v != NULL && i < sizeof(periods) / sizeof(periods[0]); i++)
		if (strcasecmp(v, periods[i].name) == 0)
			s = periods[i].s;
	free(v);
	return s;
}

static long elem_long(xmlNode *n)
{
	char *v = elem_line(n), *end = NULL;
	long x = v != NULL ? strtol(v, &end, 10) : 0;
	if (v == NULL || end == v || x < 0 || x > 1000000)
		x = 0;
	free(v);
	return x;
}

/* The publisher's polling hint among the children of a channel or an Atom
 * feed, in seconds: RSS <ttl> (minutes), or sy:updatePeriod divided by
 * sy:updateFrequency, whichever is longer; 0 when none. */
static int64_t poll_hint(xmlNode *parent)
{
	int64_t ttl = 0, period = 0;
	long freq = 1;
	for (xmlNode *c = parent->children; c != NULL; c = c->next) {
		if (is_rss(c, "ttl"))
			ttl = (int64_t)elem_long(c) * 60;
		else if (is_mod(c, NS_SY, "updatePeriod"))
			period = sy_period(c);
		else if (is_mod(c, NS_SY, "updateFrequency"))
			freq = elem_long(c);
	}
	int64_t sy = freq > 0 ? period / freq : period;
	return ttl > sy ? ttl : sy;
}

/* Channel-level fields: title, link, and the publisher's polling hint. */
static void rss_channel(xmlDoc *doc, xmlNode *channel, feed_doc *d)
{
	for (xmlNode *c = channel->children; c != NULL; c = c->next) {
		if (is_rss(c, "title"))
			keep_first(&d->title, elem_line(c));
		else if (is_rss(c, "link"))
			keep_first(&d->link, elem_url(doc, c, NULL, NULL));
	}
	d->hint_s = poll_hint(channel);
}

static int add_rss_items(xmlDoc *doc, xmlNode *parent, feed_doc *d)
{
	for (xmlNode *c = parent->children; c != NULL; c = c->next) {
		if (!is_rss(c, "item"))
			continue;
		feed_item *it = feed_doc_add_item(d);
		if (it == NULL)
			return TRUCE_ENOMEM;
		rss_item(doc, c, site_base(d->link), it);
	}
	return 0;
}

static int read_rss(xmlDoc *doc, xmlNode *root, feed_doc *d, char *err, size_t errlen)
{
	xmlNode *channel = NULL;
	for (xmlNode *c = root->children; c != NULL && channel == NULL; c = c->next)
		if (is_rss(c, "channel"))
			channel = c;
	if (channel == NULL && d->kind == FEED_RSS) {
		snprintf(err, errlen, "RSS without a <channel>");
		return TRUCE_EINVAL;
	}
	if (channel != NULL) {
		rss_channel(doc, channel, d);
		int rc = add_rss_items(doc, channel, d);
		if (rc != 0)
			return rc;
	}
	/* RSS 1.0 puts items beside the channel (and some 0.91 feeds do). */
	return add_rss_items(doc, root, d);
}

/* --- Atom ---------------------------------------------------------------- */

/* An Atom link the entry's page is at: rel="alternate" or no rel. */
static int atom_alternate(xmlNode *link)
{
	xmlChar *rel = xmlGetProp(link, (const xmlChar *)"rel");
	int alt = rel == NULL || xmlStrcmp(rel, (const xmlChar *)"alternate") == 0;
	xmlFree(rel);
	return alt;
}

static void atom_entry(xmlDoc *doc, xmlNode *entry, feed_item *it)
{
	char *content = NULL, *summary = NULL, *any_link = NULL;
	int content_html = 0, summary_html = 0;
	xmlNode *published = NULL, *updated = NULL;
	for (xmlNode *c = entry->children; c != NULL; c = c->next) {
		if (is_atom(c, "id")) {
			keep_first(&it->id, elem_line(c));
		} else if (is_atom(c, "title")) {
			keep_first(&it->title, elem_line(c));
		} else if (is_atom(c, "link")) {
			char *href = elem_url(doc, c, "href", NULL);
			if (atom_alternate(c))
				keep_first(&it->link, href);
			else
				keep_first(&any_link, href);
		} else if (is_atom(c, "content")) {
			xmlChar *src = xmlGetProp(c, (const xmlChar *)"src");
			if (src == NULL) /* out-of-line content is not the entry's text */
				keep_first(&content, elem_text(doc, c, 1, &content_html));
			xmlFree(src);
		} else if (is_atom(c, "summary")) {
			keep_first(&summary, elem_text(doc, c, 1, &summary_html));
		} else if (is_atom(c, "published") || is_atom(c, "issued") ||
		           is_atom(c, "created")) {
			if (published == NULL)
				published = c;
		} else if (is_atom(c, "updated") || is_atom(c, "modified")) {
			if (updated == NULL)
				updated = c;
		} else if (is_atom(c, "author")) {
			for (xmlNode *a = c->children; a != NULL; a = a->next)
				if (is_atom(a, "name"))
					keep_first(&it->author, elem_line(a));
		} else if (is_atom(c, "source")) { /* the feed an aggregator took it from */
			for (xmlNode *a = c->children; a != NULL; a = a->next)
				if (is_atom(a, "title"))
					keep_first(&it->source, elem_line(a));
		}
	}
	finish_item(it, any_link, content, content_html, summary, summary_html, published, updated);
}

static int read_atom(xmlDoc *doc, xmlNode *root, feed_doc *d)
{
	for (xmlNode *c = root->children; c != NULL; c = c->next) {
		if (is_atom(c, "title")) {
			keep_first(&d->title, elem_line(c));
		} else if (is_atom(c, "link") && atom_alternate(c)) {
			keep_first(&d->link, elem_url(doc, c, "href", NULL));
		} else if (is_atom(c, "entry")) {
			feed_item *it = feed_doc_add_item(d);
			if (it == NULL)
				return TRUCE_ENOMEM;
			atom_entry(doc, c, it);
		}
	}
	d->hint_s = poll_hint(root); /* sy: serves Atom feeds too */
	return 0;
}

/* --- the document ----------------------------------------------------------- */

/* Whether the last kilobyte of the document closes the root element: a
 * document that fails to parse and does not is truncated. */
static int closes_root(const char *body, size_t len, const xmlNode *root)
{
	char tag[256];
	if (root->ns != NULL && root->ns->prefix != NULL)
		snprintf(tag, sizeof(tag), "</%s:%s", root->ns->prefix, root->name);
	else
		snprintf(tag, sizeof(tag), "</%s", root->name);
	size_t tl = strlen(tag), from = len > 1024 ? len - 1024 : 0;
	for (size_t i = len >= tl ? len - tl + 1 : 0; i-- > from;) {
		if (memcmp(body + i, tag, tl) != 0)
			continue;
		size_t k = i + tl;
		while (k < len && isspace((unsigned char)body[k]))
			k++;
		return k < len && body[k] == '>';
	}
	return 0;
}

typedef struct xml_read {
	xmlDoc *doc;
	int recovered;   /* not well-formed: read in recovery mode */
	char first[160]; /* the first error, with its line */
} xml_read;

static void read_xml(const char *body, size_t len, const char *base_url, const char *enc,
                     xml_read *r)
{
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
	if (enc[0] != '\0')
		opts |= XML_PARSE_IGNORE_ENC; /* the charset we decided wins */
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	if (ctxt == NULL)
		return;
	r->doc = xmlCtxtReadMemory(ctxt, body, (int)len, base_url, enc[0] ? enc : NULL, opts);
	if (r->doc == NULL || !ctxt->wellFormed) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);
		if (e != NULL && e->message != NULL) {
			snprintf(r->first, sizeof(r->first), "%s", e->message);
			r->first[strcspn(r->first, "\n")] = '\0';
			size_t n = strlen(r->first);
			snprintf(r->first + n, sizeof(r->first) - n, " (line %d)", e->line);
		} else {
			snprintf(r->first, sizeof(r->first), "not well-formed");
		}
		xmlFreeDoc(r->doc);
		r->doc = xmlCtxtReadMemory(ctxt, body, (int)len, base_url, enc[0] ? enc : NULL,
		                           opts | XML_PARSE_RECOVER);
		r->recovered = 1;
	}
	xmlFreeParserCtxt(ctxt);
}

static int read_doc(const char *body, size_t len, const char *content_type, const char *base_url,
                    feed_doc *d, char *err, size_t errlen)
{
	char enc[48], note[200];
	feed_charset(body, len, content_type, FEED_DOC_XML, enc, sizeof(enc), note, sizeof(note));
	snprintf(d->charset, sizeof(d->charset), "%s", enc[0] ? enc : "UTF-16");
	xml_read r;
	memset(&r, 0, sizeof(r));
	read_xml(body, len, base_url, enc, &r);
	xmlNode *root = r.doc != NULL ? xmlDocGetRootElement(r.doc) : NULL;
	int rc = TRUCE_EINVAL;
	if (root == NULL) {
		snprintf(err, errlen, "not XML: %s", r.first[0] ? r.first : "no root element");
	} else if (xmlStrcasecmp(root->name, (const xmlChar *)"html") == 0) {
		snprintf(err, errlen, "an HTML page, not a feed");
	} else if (named(root, "rss") || named(root, "RDF") || named(root, "feed")) {
		if (r.recovered && enc[0] != '\0' && !closes_root(body, len, root)) {
			snprintf(err, errlen, "truncated XML: the document ends before </%s> (%s)",
			         (const char *)root->name, r.first);
		} else {
			d->kind = named(root, "rss")   ? FEED_RSS
			          : named(root, "RDF") ? FEED_RDF
			                               : FEED_ATOM;
			rc = d->kind == FEED_ATOM ? read_atom(r.doc, root, d)
			                          : read_rss(r.doc, root, d, err, errlen);
		}
	} else {
		snprintf(err, errlen, "not a feed: the root element is <%.60s>",
		         (const char *)root->name);
	}
	if (rc == 0) {
		/* The charset's note, then the recovery's: as much as fits. */
		size_t n = strlen(note) < sizeof(d->note) ? strlen(note) : sizeof(d->note) - 1;
		memcpy(d->note, note, n);
		d->note[n] = '\0';
		if (r.recovered && n + 2 < sizeof(d->note))
			snprintf(d->note + n, sizeof(d->note) - n,
			         "%srecovered from an XML error: %.*s", n > 0 ? "; " : "",
			         (int)(sizeof(d->note) - n - 2), r.first);
	}
	xmlFreeDoc(r.doc);
	return rc;
}

/* Cuts the bytes that are not UTF-8 out of s, in place: libxml2 reads a
 * document in a charset it cannot convert as raw bytes, and what leaves
 * the parser must be text truced accepts. */
static void utf8_fix(char *s)
{
	if (s == NULL)
		return;
	size_t n = strlen(s), k = 0, i = 0, bad;
	if (truce_utf8_check((const uint8_t *)s, n, &bad) == 0)
		return;
	while (i < n) {
		if (truce_utf8_check((const uint8_t *)s + i, n - i, &bad) == 0) {
			memmove(s + k, s + i, n - i);
			k += n - i;
			break;
		}
		memmove(s + k, s + i, bad);
		k += bad;
		i += bad + 1; /* the offending byte */
	}
	s[k] = '\0';
}

/* Drops items with nothing to send or know them by; makes every string
 * UTF-8. */
static void drop_empty_items(feed_doc *d)
{
	utf8_fix(d->title);
	utf8_fix(d->link);
	size_t k = 0;
	for (size_t i = 0; i < d->n_items; i++) {
		feed_item *it = &d->items[i];
		utf8_fix(it->id);
		utf8_fix(it->link);
		utf8_fix(it->title);
		utf8_fix(it->text);
		utf8_fix(it->author);
		utf8_fix(it->source);
		if (it->id == NULL && it->link == NULL && it->title == NULL && it->text == NULL) {
			feed_item_clear(it);
			continue;
		}
		d->items[k++] = *it;
	}
	d->n_items = k;
}

int feed_parse(const char *body, size_t len, const char *content_type, const char *base_url,
               feed_doc **out, char *err, size_t errlen)
{
	size_t i = 0;
	if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0)
		i = 3; /* a UTF-8 byte order mark */
	while (i < len && isspace((unsigned char)body[i]))
		i++;
	if (i == len) {
		snprintf(err, errlen, "empty response");
		return TRUCE_EINVAL;
	}
	if (len > INT_MAX) {
		snprintf(err, errlen, "response of %zu bytes is too big to parse", len);
		return TRUCE_ETOOBIG;
	}
	if (body[i] == '{' || body[i] == '[')
		return feed_parse_json(body + i, len - i, content_type, base_url, out, err, errlen);
	xmlInitParser();
	feed_doc *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return TRUCE_ENOMEM;
	int rc = read_doc(body, len, content_type, base_url, d, err, errlen);
	if (rc != 0) {
		if (rc == TRUCE_ENOMEM)
			snprintf(err, errlen, "out of memory");
		feed_doc_free(d);
		return rc;
	}
	drop_empty_items(d);
	*out = d;
	return 0;
}
