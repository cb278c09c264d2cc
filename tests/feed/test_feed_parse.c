/*
 * test_feed_parse.c - unit tests of the feed parsers (tools/truce/feed/
 * feedparse.h) on the fixtures in tests/feed/data/, which the HTTP test
 * server also serves: RSS 2.0, Atom, JSON Feed, RSS 1.0, RSS 0.90, 0.91 and
 * 0.92, an aggregator's items naming their outlets, windows-1251 with
 * a true and a lying declaration, a charset header that wins, ISO dates in
 * pubDate, relative links, HTML in descriptions, and the documents that
 * are not feeds (HTML, truncated XML, JSON of another kind).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feedparse.h"

static char *slurp(const char *name, size_t *len)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/tests/feed/data/%s", TRUCE_SOURCE_DIR, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static feed_doc *parse_file(const char *name, const char *ct, const char *base)
{
	size_t len;
	char *body = slurp(name, &len);
	char err[256] = "";
	feed_doc *d = NULL;
	int rc = feed_parse(body, len, ct, base, &d, err, sizeof(err));
	free(body);
	if (rc != 0)
		fail_msg("%s: %s", name, err);
	return d;
}

/* The error feed_parse gives for a file that is no feed. */
static void expect_error(const char *name, const char *ct, const char *want)
{
	size_t len;
	char *body = slurp(name, &len);
	char err[256] = "";
	feed_doc *d = NULL;
	int rc = feed_parse(body, len, ct, "http://t.example/x", &d, err, sizeof(err));
	free(body);
	assert_int_equal(rc, TRUCE_EINVAL);
	assert_null(d);
	if (strstr(err, want) == NULL)
		fail_msg("%s: error '%s' does not say '%s'", name, err, want);
}

static void test_rss2(void **state)
{
	(void)state;
	feed_doc *d =
	    parse_file("rss2.xml", "application/rss+xml", "https://caucasus-wire.example/rss.xml");
	assert_int_equal(d->kind, FEED_RSS);
	assert_string_equal(d->title, "Caucasus Wire");
	assert_int_equal(d->hint_s, 30 * 60);
	assert_int_equal(d->n_items, 4);
	feed_item *a = &d->items[0];
	assert_string_equal(a->id, "cw-20220803-001");
	assert_string_equal(a->title, "Shelling reported near Lachin"); /* not media:title */
	assert_string_equal(a->link,
	                    "https://caucasus-wire.example/news/2022/08/03/lachin-shelling");
	assert_string_equal(a->author, "Anna Petrosyan");
	assert_true(a->text_html); /* content:encoded wins over description */
	assert_non_null(strstr(a->text, "<b>violated the ceasefire</b>"));
	assert_string_equal(a->day, "2022-08-03");
	assert_int_equal(a->pub_us, INT64_C(1659507300) * 1000000); /* 06:15 UTC */
	feed_item *b = &d->items[1];
	assert_null(b->id);        /* no guid: the collector knows it by its link */
	assert_true(b->text_html); /* escaped HTML in the description */
	assert_non_null(strstr(b->text, "<a href=\"/places/kalbajar\">"));
	assert_string_equal(b->day, "2022-08-02"); /* as written, though 04:30 UTC on the 3rd */
	assert_int_equal(b->pub_us, INT64_C(1659501000) * 1000000);
	feed_item *c = &d->items[2];
	assert_string_equal(c->link, "https://caucasus-wire.example/news/2022/08/01/relative");
	assert_false(c->text_html);
	assert_string_equal(c->day, "2022-08-01");
	feed_item *e = &d->items[3];
	assert_string_equal(e->link, "https://caucasus-wire.example/news/2022/07/31/guid-link");
	assert_string_equal(e->day, "");
	feed_doc_free(d);
}

static void test_atom(void **state)
{
	(void)state;
	feed_doc *d = parse_file("atom.xml", "application/atom+xml", "https://atom.example/feed");
	assert_int_equal(d->kind, FEED_ATOM);
	assert_string_equal(d->title, "Frontline Notes");
	assert_string_equal(d->link, "https://atom.example/");
	assert_int_equal(d->n_items, 3);
	feed_item *a = &d->items[0];
	assert_string_equal(a->link, "https://atom.example/blog/posts/truce-broken"); /* xml:base */
	assert_string_equal(a->id, "tag:atom.example,2022-08-03:/posts/truce-broken");
	assert_string_equal(a->author, "Levon Grigoryan");
	assert_true(a->text_html);
	assert_string_equal(a->text, "<p>Armenia accused Azerbaijan of breaking the truce, "
	                             "wounding <em>three</em> civilians.</p>");
	assert_string_equal(a->day, "2022-08-03"); /* published wins over updated */
	feed_item *b = &d->items[1];
	assert_string_equal(b->link, "https://other.example/root/item/2"); /* entry's own base */
	assert_true(b->text_html);
	assert_non_null(strstr(b->text, "<strong>XHTML</strong>"));
	assert_string_equal(b->day, "2022-08-02");
	feed_item *c = &d->items[2];
	assert_string_equal(c->link, "https://atom.example/audio.mp3"); /* only link there is */
	assert_false(c->text_html);
	assert_string_equal(c->text, "Plain text content with a < sign.");
	feed_doc_free(d);
}

static void test_jsonfeed(void **state)
{
	(void)state;
	feed_doc *d =
	    parse_file("jsonfeed.json", "application/feed+json", "https://json.example/feed.json");
	assert_int_equal(d->kind, FEED_JSON);
	assert_string_equal(d->title, "Ceasefire Monitor JSON");
	assert_int_equal(d->n_items, 3); /* the string and the empty object are skipped */
	assert_string_equal(d->items[0].id, "1");
	assert_true(d->items[0].text_html);
	assert_string_equal(d->items[0].author, "Ilham Mammadov");
	assert_string_equal(d->items[0].day, "2022-08-03");
	assert_string_equal(d->items[1].id, "2"); /* a number, as 1.0 feeds write it */
	assert_string_equal(d->items[1].link, "https://json.example/2022/08/02/second");
	assert_false(d->items[1].text_html);
	assert_string_equal(d->items[1].author, "Old Style");
	assert_string_equal(d->items[1].day, "2022-08-02");
	assert_null(d->items[2].id);
	assert_string_equal(d->items[2].link, "https://elsewhere.example/story");
	assert_false(d->items[2].text_html);
	feed_doc_free(d);
}

static void test_rss1(void **state)
{
	(void)state;
	feed_doc *d = parse_file("rss1.xml", "application/rdf+xml", "https://rdf.example/rss");
	assert_int_equal(d->kind, FEED_RDF);
	assert_string_equal(d->title, "RDF Site Summary");
	assert_int_equal(d->hint_s, 86400 / 4); /* sy:updatePeriod daily, 4 times */
	assert_int_equal(d->n_items, 2);
	assert_string_equal(d->items[0].id, "https://rdf.example/a"); /* rdf:about */
	assert_string_equal(d->items[0].text, "<p>Full text of the <b>first</b> item.</p>");
	assert_string_equal(d->items[0].author, "Rdf Author");
	assert_string_equal(d->items[0].day, "2022-08-03");
	assert_string_equal(d->items[1].day, "2022-08-02");
	assert_false(d->items[1].text_html);
	feed_doc_free(d);
}

static void test_charsets(void **state)
{
	(void)state;
	const char *title = "Армения обвинила Азербайджан в нарушении перемирия";
	/* windows-1251 with a true declaration, no header charset. */
	feed_doc *d = parse_file("cp1251.xml", "application/xml", "https://ru.example/rss");
	assert_string_equal(d->items[0].title, title);
	assert_string_equal(d->title, "Новости Кавказа");
	assert_string_equal(d->note, "");
	feed_doc_free(d);
	/* The same bytes declared UTF-8: the declaration lies, the bytes tell. */
	d = parse_file("cp1251-lying.xml", "application/xml", "https://ru.example/rss");
	assert_string_equal(d->items[0].title, title);
	assert_non_null(strstr(d->note, "declared UTF-8 by the XML declaration but is not"));
	feed_doc_free(d);
	/* The HTTP header wins over the lying declaration (RFC 3023). */
	d = parse_file("cp1251-lying.xml", "text/xml; charset=windows-1251", NULL);
	assert_string_equal(d->items[0].title, title);
	assert_string_equal(d->note, "");
	assert_string_equal(d->charset, "windows-1251");
	feed_doc_free(d);
	/* A header that lies about UTF-8 bytes is overruled too. */
	d = parse_file("utf8-says-1251.xml", "text/xml; charset=\"koi8-r\"", NULL);
	assert_string_equal(d->items[1].title, "Обстрел у Лачина");
	assert_non_null(strstr(d->note, "declared koi8-r by the HTTP header but is UTF-8"));
	feed_doc_free(d);
}

static void test_iso_pubdate(void **state)
{
	(void)state;
	feed_doc *d = parse_file("iso8601.xml", NULL, "https://iso.example/rss");
	assert_int_equal(d->n_items, 2);
	assert_string_equal(d->items[0].day, "2022-08-03");
	assert_int_equal(d->items[0].pub_us, INT64_C(1659475800) * 1000000);
	assert_string_equal(d->items[1].day, "2022-08-02");
	feed_doc_free(d);
}

static void test_not_feeds(void **state)
{
	(void)state;
	expect_error("page.html", "text/html", "an HTML page, not a feed");
	expect_error("truncated.xml", "application/rss+xml",
	             "truncated XML: the document ends before </rss>");
	char err[256];
	feed_doc *d = NULL;
	const char *cases[][2] = {
	    {"", "empty response"},
	    {"   \n", "empty response"},
	    {"{\"version\": \"https://jsonfeed.org/version/1\"}", "no \"items\" array"},
	    {"[1, 2]", "not an object"},
	    {"{\"items\": [", "not JSON"},
	    {"<opml version=\"2.0\"><body/></opml>", "root element is <opml>"},
	    {"<rss version=\"2.0\"><item/></rss>", "RSS without a <channel>"},
	    {"plain words", "not XML"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		int rc =
		    feed_parse(cases[i][0], strlen(cases[i][0]), NULL, NULL, &d, err, sizeof(err));
		assert_int_equal(rc, TRUCE_EINVAL);
		if (strstr(err, cases[i][1]) == NULL)
			fail_msg("case %zu: '%s' does not say '%s'", i, err, cases[i][1]);
	}
}

/* Well-formedness errors that are not truncation are recovered from:
 * the common &nbsp; in RSS, and a bare ampersand. */
static void test_recovery(void **state)
{
	(void)state;
	const char *doc = "<rss version=\"2.0\"><channel><title>T &amp; &nbsp;x</title>"
	                  "<item><title>A & B</title><link>http://r.example/1</link>"
	                  "<description>Text&nbsp;here</description></item></channel></rss>";
	char err[256] = "";
	feed_doc *d = NULL;
	assert_int_equal(feed_parse(doc, strlen(doc), NULL, NULL, &d, err, sizeof(err)), 0);
	assert_int_equal(d->n_items, 1);
	assert_string_equal(d->items[0].link, "http://r.example/1");
	assert_non_null(strstr(d->note, "recovered from an XML error"));
	feed_doc_free(d);
}

/* No entity expansion from outside and no network: an external entity is
 * not read. */
static void test_no_external_entities(void **state)
{
	(void)state;
	const char *doc = "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY x SYSTEM "
	                  "\"file:///etc/passwd\">]><rss><channel><item><title>&x;</title>"
	                  "<link>http://e.example/</link></item></channel></rss>";
	char err[256] = "";
	feed_doc *d = NULL;
	assert_int_equal(feed_parse(doc, strlen(doc), NULL, NULL, &d, err, sizeof(err)), 0);
	assert_int_equal(d->n_items, 1);
	assert_true(d->items[0].title == NULL || strstr(d->items[0].title, "root:") == NULL);
	feed_doc_free(d);
}

static void expect_date(const char *s, const char *day, int64_t unix_s)
{
	int64_t us = -1;
	char got[11] = "";
	if (feed_parse_date(s, &us, got) != 0)
		fail_msg("'%s' did not parse", s);
	if (strcmp(got, day) != 0 || us != unix_s * 1000000)
		fail_msg("'%s': got %s %lld, want %s %lld", s, got, (long long)(us / 1000000), day,
		         (long long)unix_s);
}

static void test_dates(void **state)
{
	(void)state;
	const int64_t t = 1659521700; /* 2022-08-03 10:15:00 UTC */
	expect_date("Wed, 03 Aug 2022 10:15:00 GMT", "2022-08-03", t);
	expect_date("Wed, 03 Aug 2022 10:15:00 +0000", "2022-08-03", t);
	expect_date("Wed, 03 Aug 2022 14:15:00 +0400", "2022-08-03", t);
	expect_date("Wed, 3 Aug 2022 10:15 UT", "2022-08-03", t);
	expect_date("03 Aug 2022 06:15:00 EDT", "2022-08-03", t);
	expect_date("Wed, 03 Aug 22 10:15:00 Z", "2022-08-03", t);
	expect_date("Wednesday, 03-Aug-22 10:15:00 GMT", "2022-08-03", t); /* RFC 850 */
	expect_date("Wed Aug  3 10:15:00 2022", "2022-08-03", t);          /* asctime */
	expect_date("Wed, 03 August 2022 10:15:00 GMT", "2022-08-03", t);
	expect_date("wed, 03 aug 2022 10:15:00 gmt", "2022-08-03", t);
	expect_date("Aug 3, 2022 10:15 AM", "2022-08-03", t);
	expect_date("Aug 3, 2022 12:15 PM +02:00", "2022-08-03", t);
	expect_date("Wed, 03 Aug 2022 13:15:00 GMT+3", "2022-08-03", t);
	expect_date("2022-08-03T10:15:00Z", "2022-08-03", t);
	expect_date("2022-08-03T10:15:00.000Z", "2022-08-03", t);
	expect_date("2022-08-03T13:15:00+03:00", "2022-08-03", t);
	expect_date("2022-08-03T13:15:00+0300", "2022-08-03", t);
	expect_date("2022-08-03 10:15:00", "2022-08-03", t);
	expect_date("  2022-08-03T10:15Z ", "2022-08-03", t);
	expect_date("2022/08/03 10:15:00", "2022-08-03", t);
	expect_date("2022-08-04T00:45:00+14:30", "2022-08-04", t); /* the outlet's own day */
	expect_date("2022-08-03", "2022-08-03", 1659484800);
	expect_date("03 Aug 2022", "2022-08-03", 1659484800);
	expect_date("08/03/2022", "2022-08-03", 1659484800);
	expect_date("31/08/2022", "2022-08-31", 1661904000);
	expect_date("Sat, 31 Dec 2016 23:59:60 +0000", "2016-12-31", 1483228799);
	const char *bad[] = {"",
	                     "yesterday",
	                     "2022-13-01",
	                     "2022-02-30T00:00:00Z",
	                     "Wed, 32 Aug 2022 10:15:00 GMT",
	                     "Wed, 03 Foo 2022",
	                     "1850-01-01",
	                     "Aug 2022",
	                     "10:15:00",
	                     "2022-08-03T25:00:00Z",
	                     "123456789012"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int64_t us = 42;
		char day[11] = "x";
		if (feed_parse_date(bad[i], &us, day) == 0)
			fail_msg("'%s' parsed as %s", bad[i], day);
		assert_int_equal(us, 42); /* untouched */
	}
}
/* The RSS of before 2.0: 0.91 (Netscape's DTD, not fetched; ISO-8859-1),
 * 0.92 (items with no title and no link; <source> naming the outlet) and
 * 0.90 (RDF in Netscape's namespace; items of a title and a link). */
static void test_rss09x(void **state)
{
	(void)state;
	feed_doc *d = parse_file("rss091.xml", "application/rss+xml", "http://rss091.example/rss");
	assert_int_equal(d->kind, FEED_RSS);
	assert_string_equal(d->title, "Border Monitor 0.91");
	assert_int_equal(d->n_items, 2);
	assert_null(d->items[0].id); /* known by its link */
	assert_string_equal(d->items[0].link, "http://rss091.example/2022/08/03/tavush.html");
	assert_string_equal(d->items[0].title, "Gunfire reported overnight near Tavush");
	assert_non_null(
	    strstr(d->items[0].text, "ministry's communiqu\xc3\xa9 said")); /* Latin-1 */
	assert_false(d->items[0].text_html);
	assert_string_equal(d->items[0].day, ""); /* 0.91 items have no date */
	assert_null(d->items[0].source);
	feed_doc_free(d);

	d = parse_file("rss092.xml", NULL, "http://digest.example/rss");
	assert_int_equal(d->kind, FEED_RSS);
	assert_int_equal(d->n_items, 2);
	assert_string_equal(d->items[0].source, "Outlet A Daily");
	assert_true(d->items[0].text_html);
	assert_non_null(strstr(d->items[0].text, "<b>Sotk</b>"));
	assert_null(d->items[1].title);
	assert_null(d->items[1].link);
	assert_non_null(strstr(d->items[1].text, "this description is all of it"));
	feed_doc_free(d);

	d = parse_file("rss090.xml", NULL, "http://rss090.example/rss");
	assert_int_equal(d->kind, FEED_RDF);
	assert_string_equal(d->title, "Old Netscape Channel");
	assert_string_equal(d->link, "http://rss090.example/");
	assert_int_equal(d->n_items, 2);
	assert_string_equal(d->items[1].title, "Observers visit the border");
	assert_string_equal(d->items[1].link, "http://rss090.example/news/2");
	assert_null(d->items[1].text);
	feed_doc_free(d);
}

/* An aggregator in Atom: its entries name the feeds they came from, and
 * sy: hints work in Atom as in RSS. */
static void test_atom_aggregator(void **state)
{
	(void)state;
	feed_doc *d =
	    parse_file("planet.xml", "application/atom+xml", "https://planet.example/atom");
	assert_int_equal(d->kind, FEED_ATOM);
	assert_int_equal(d->hint_s, 3600); /* sy:updatePeriod hourly, once */
	assert_int_equal(d->n_items, 2);
	assert_string_equal(d->items[0].source, "Outlet B");
	assert_string_equal(d->items[0].title, "Ministry reports shelling of border positions");
	assert_string_equal(d->items[0].day, "2022-08-03");
	assert_null(d->items[1].source);
	feed_doc_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rss2),
	    cmocka_unit_test(test_atom),
	    cmocka_unit_test(test_jsonfeed),
	    cmocka_unit_test(test_rss1),
	    cmocka_unit_test(test_rss09x),
	    cmocka_unit_test(test_atom_aggregator),
	    cmocka_unit_test(test_charsets),
	    cmocka_unit_test(test_iso_pubdate),
	    cmocka_unit_test(test_not_feeds),
	    cmocka_unit_test(test_recovery),
	    cmocka_unit_test(test_no_external_entities),
	    cmocka_unit_test(test_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
