/*
 * feedparse.h - reading a fetched feed: RSS 0.9x/1.0/2.0 and Atom 1.0 with
 * libxml2, JSON Feed 1.0/1.1 with jansson, their charsets and their dates.
 * No network and no state here: bytes in, items out, so the fuzz target
 * and the unit tests drive exactly what `truce feed` runs.
 *
 *   parse.c      the XML feeds and the entry point, feed_parse()
 *   jsonfeed.c   JSON Feed
 *   charset.c    which charset a document is in (HTTP header, XML
 *                declaration, and what the bytes say when those lie)
 *   pubdate.c    dates as feeds write them: RFC 822, RFC 3339 and the
 *                common broken forms
 *
 * Errors follow the project's contract: 0 or a negative TRUCE_E* code,
 * results through out-parameters, a sentence in err for the user.
 */
#ifndef TRUCE_FEED_FEEDPARSE_H
#define TRUCE_FEED_FEEDPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "truce/truce.h"

enum feed_kind {
	FEED_RSS,  /* RSS 0.91, 0.92, 2.0: <rss><channel><item> */
	FEED_RDF,  /* RSS 0.90 and 1.0: <rdf:RDF> with <item> beside <channel> */
	FEED_ATOM, /* Atom 1.0 (and 0.3, read the same way) */
	FEED_JSON, /* JSON Feed 1.0 and 1.1 */
};

/* One entry of a feed. Strings are UTF-8 without NUL; NULL when absent. */
typedef struct feed_item {
	char *id;       /* guid / id as written (trimmed) */
	char *link;     /* the item's page, made absolute against the feed's base */
	char *title;    /* whitespace runs collapsed */
	char *text;     /* content:encoded / content, else description / summary */
	int text_html;  /* text is HTML (escaped or CDATA markup, xhtml, content_html) */
	char *author;   /* author / dc:creator / author name */
	char *source;   /* the outlet an aggregator names as the item's origin (RSS
	                 * <source>, Atom <source><title>); NULL when none */
	char day[11];   /* publication day as the feed wrote it, YYYY-MM-DD; "" unknown */
	int64_t pub_us; /* the same instant in UTC, microseconds; 0 unknown */
} feed_item;

typedef struct feed_doc {
	enum feed_kind kind;
	char *title; /* the feed's own title, NULL when none */
	char *link;  /* the site it belongs to */
	/* The publisher's hint of how often to look, in seconds (RSS <ttl>,
	 * sy:updatePeriod / sy:updateFrequency, in RSS and in Atom); 0 when none. */
	int64_t hint_s;
	feed_item *items;
	size_t n_items, items_cap;
	char charset[48]; /* what the document was read as */
	/* Something worth a log line that did not stop the parse ("declared
	 * UTF-8 but is not: read as WINDOWS-1251", "recovered from an XML
	 * error: ..."); "" when none. */
	char note[200];
} feed_doc;

/*
 * Parses a fetched feed. content_type is the HTTP Content-Type header
 * (NULL when none): its charset wins over the XML declaration, as RFC 3023
 * says. base_url is the URL the document came from (after redirects): the
 * base of relative links. TRUCE_EINVAL with a sentence in err when the
 * body is not a feed (an HTML page, truncated XML, no items container,
 * JSON that is not a JSON Feed); TRUCE_ENOMEM.
 */
int feed_parse(const char *body, size_t len, const char *content_type, const char *base_url,
               feed_doc **out, char *err, size_t errlen);
void feed_doc_free(feed_doc *d);

/* --- internals shared by the parser's files ----------------------------- */

/* JSON Feed (jsonfeed.c); same contract as feed_parse. */
int feed_parse_json(const char *body, size_t len, const char *content_type, const char *base_url,
                    feed_doc **out, char *err, size_t errlen);

/* Appends a zeroed item to d; NULL on ENOMEM. */
feed_item *feed_doc_add_item(feed_doc *d);
/* Frees an item's strings. */
void feed_item_clear(feed_item *it);

/* A copy of s[0..n) with leading and trailing white space cut and inner
 * runs of white space made one space (titles, ids); NULL when nothing is
 * left or on ENOMEM. */
char *feed_squeeze(const char *s, size_t n);

/* 1 when text reads as HTML: a tag or a character reference in it. */
int feed_looks_html(const char *s);

/* link resolved against base (either may be NULL), fragment kept: a new
 * string, NULL when link is empty or on ENOMEM. */
char *feed_resolve_url(const char *link, const char *base);

/* What kind of document a charset is decided for: XML has a declaration,
 * HTML a <meta charset>, JSON neither. */
enum feed_doctype { FEED_DOC_XML, FEED_DOC_HTML, FEED_DOC_JSON };

/*
 * The charset a document is read in (charset.c). In order: a byte order
 * mark; the charset parameter of content_type (the HTTP header wins, RFC
 * 3023); the XML declaration's encoding or the HTML <meta> charset; UTF-8.
 * Then the bytes are checked, because feeds lie: a document said to be
 * UTF-8 that is not valid UTF-8 is guessed by uchardet (windows-1252 when
 * it cannot tell), and one said to be in a legacy charset whose bytes are
 * valid UTF-8 with multi-byte sequences is UTF-8. out gets an encoding name
 * libxml2 and iconv know ("" for UTF-16/32 with a BOM: libxml2 reads those
 * itself); note gets a sentence when a declaration was overruled ("" when
 * none was).
 */
void feed_charset(const char *body, size_t len, const char *content_type, enum feed_doctype type,
                  char *out, size_t outlen, char *note, size_t notelen);

/*
 * body (in the charset feed_charset decides for it) as UTF-8 without NUL
 * bytes, in a new NUL-terminated buffer: what truced accepts as an article
 * body. Bytes the charset cannot map are dropped. TRUCE_EINVAL when iconv
 * does not know the charset, TRUCE_ENOMEM.
 */
int feed_to_utf8(const char *body, size_t len, const char *content_type, enum feed_doctype type,
                 char **out, size_t *outlen);

/* The charset parameter of a Content-Type value into out ("" when none). */
void feed_content_type_charset(const char *content_type, char *out, size_t outlen);

/* --- the article an item becomes (article.c) ----------------------------- */

/*
 * An item's identity within its feed: SHA-256 of the feed's URL and the
 * item's GUID/id, else its link, else its title and text. What the
 * collector's state remembers as sent.
 */
void feed_item_key(const char *feed_url, const feed_item *it, uint8_t key[TRUCE_HASH_LEN]);

typedef struct feed_article_opts {
	const char *source;       /* Article.source: the feeds.conf name, else the item's */
	const char *collector_id; /* Article.collector_id */
	const char *page;         /* the linked page (UTF-8 HTML) instead of the item's text */
	size_t page_len;
} feed_article_opts;

/*
 * The packed Article an item becomes: id (GUID/id, else link), url (the
 * link), source, title (cut to truced's 4 KiB field limit at a character
 * boundary), published (the item's own day), body (the page, else the
 * item's text, else its title) with its content type, collector id; and
 * its content key (truce_content_key: what truced deduplicates on, so the
 * same URL in two feeds has one key). TRUCE_EINVAL when the item has
 * nothing to send as a body.
 */
int feed_item_pack(const feed_item *it, const feed_article_opts *o, uint8_t **frame, size_t *len,
                   uint8_t content_key[TRUCE_HASH_LEN]);

/*
 * A date as feeds write it (pubdate.c): RFC 822/1123 ("Wed, 03 Aug 2022
 * 10:15:00 +0300", zone names, two-digit years, no seconds, no weekday),
 * RFC 3339 / ISO 8601 ("2022-08-03T10:15:00.5+03:00", "+0300", a space for
 * the T, no zone, a date alone), and the broken forms seen in the wild
 * ("03 Aug 2022", "Aug 3, 2022 10:15 PM", "Wednesday, 03-Aug-22", asctime,
 * "2022/08/03", full and misspelt month names). day gets the calendar day
 * as written (the outlet's own date, before any zone shift) and us the
 * instant in UTC (a missing zone is read as UTC). TRUCE_EINVAL when it is
 * not a date from 1900 to 9999.
 */
int feed_parse_date(const char *s, int64_t *us, char day[11]);

#endif
