/*
 * conf.c - the feeds to follow: feeds.conf, OPML subscription lists, and
 * durations (see feed.h for the format).
 *
 * feeds.conf is strict on purpose: a typo in an option name would
 * otherwise silently poll a feed every minute or never fetch its pages, so
 * an unknown name or a bad value is an error naming the line. URLs are
 * checked with libcurl's own URL parser, the one that will fetch them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "feed.h"

int feed_parse_duration(const char *s, int64_t *ms)
{
	if (s == NULL || !isdigit((unsigned char)*s))
		return TRUCE_EINVAL;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	int64_t unit;
	if (strcmp(end, "") == 0 || strcmp(end, "s") == 0)
		unit = 1000;
	else if (strcmp(end, "ms") == 0)
		unit = 1;
	else if (strcmp(end, "m") == 0)
		unit = 60LL * 1000;
	else if (strcmp(end, "h") == 0)
		unit = 3600LL * 1000;
	else if (strcmp(end, "d") == 0)
		unit = 86400LL * 1000;
	else
		return TRUCE_EINVAL;
	/* a year at most: longer is surely a typo */
	if (errno != 0 || v == 0 || v > (unsigned long long)(366LL * 86400 * 1000 / unit))
		return TRUCE_EINVAL;
	*ms = (int64_t)v * unit;
	return 0;
}

void feed_format_duration(int64_t ms, char *out, size_t len)
{
	long long s = (long long)(ms / 1000);
	if (ms < 0)
		snprintf(out, len, "-");
	else if (s < 60)
		snprintf(out, len, "%llds", s);
	else if (s < 3600 && s % 60 == 0)
		snprintf(out, len, "%lldm", s / 60);
	else if (s < 3600)
		snprintf(out, len, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400 && s % 3600 < 60)
		snprintf(out, len, "%lldh", s / 3600);
	else if (s < 86400)
		snprintf(out, len, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else if (s % 86400 < 3600)
		snprintf(out, len, "%lldd", s / 86400);
	else
		snprintf(out, len, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
}

/* A duration as feeds.conf reads it back, exactly. */
static void conf_duration(int64_t ms, char *out, size_t len)
{
	long long v = (long long)ms;
	if (v % 1000 != 0)
		snprintf(out, len, "%lldms", v);
	else if (v % 86400000 == 0)
		snprintf(out, len, "%lldd", v / 86400000);
	else if (v % 3600000 == 0)
		snprintf(out, len, "%lldh", v / 3600000);
	else if (v % 60000 == 0)
		snprintf(out, len, "%lldm", v / 60000);
	else
		snprintf(out, len, "%llds", v / 1000);
}

static void conf_clear(feed_conf *c)
{
	free(c->url);
	free(c->source);
	free(c->ca_file);
}

void feed_conf_list_free(feed_conf_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		conf_clear(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* 0 when url is an http(s) URL libcurl can fetch; else err says why. */
static int check_url(const char *url, char *err, size_t errlen)
{
	CURLU *u = curl_url();
	if (u == NULL)
		return TRUCE_ENOMEM;
	char *scheme = NULL;
	CURLUcode uc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (uc == CURLUE_OK)
		uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	int rc = 0;
	if (uc != CURLUE_OK) {
		snprintf(err, errlen, "not a URL: %s (%s)", url, curl_url_strerror(uc));
		rc = TRUCE_EINVAL;
	} else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
		snprintf(err, errlen, "not an http or https URL: %s", url);
		rc = TRUCE_EINVAL;
	}
	curl_free(scheme);
	curl_url_cleanup(u);
	return rc;
}

/* Appends a feed with the URL; TRUCE_EINVAL when the list has it already. */
static int add_feed(feed_conf_list *l, const char *url, const char *where, feed_conf **out,
                    char *err, size_t errlen)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].url, url) == 0) {
			snprintf(err, errlen, "%s: %s is listed twice (first at %s)", where, url,
			         l->v[i].where);
			return TRUCE_EINVAL;
		}
	}
	if (truce_grow(&l->v, &l->cap, l->n, sizeof(*l->v), 64) != 0)
		return TRUCE_ENOMEM;
	feed_conf *c = &l->v[l->n];
	memset(c, 0, sizeof(*c));
	if ((c->url = strdup(url)) == NULL)
		return TRUCE_ENOMEM;
	snprintf(c->where, sizeof(c->where), "%s", where);
	l->n++;
	*out = c;
	return 0;
}

/* The next word of a line: up to white space, or a double-quoted string
 * (for name="a value"). *p moves past it; NULL at the end of the line;
 * err set on an unclosed quote. */
static char *next_word(char **p, char *err, size_t errlen, const char *where)
{
	char *s = *p;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '#') {
		*p = s;
		return NULL;
	}
	char *start = s, *o = s;
	int quoted = 0;
	while (*s != '\0' && (quoted || (*s != ' ' && *s != '\t'))) {
		if (*s == '"') {
			quoted = !quoted;
			s++;
			continue;
		}
		*o++ = *s++;
	}
	if (quoted) {
		snprintf(err, errlen, "%s: a quote is not closed", where);
		return NULL;
	}
	if (*s != '\0')
		s++;
	*o = '\0';
	*p = s;
	return start;
}

static int yes_no(const char *v, int *out)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = 1;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = 0;
	else
		return TRUCE_EINVAL;
	return 0;
}

static int set_option(feed_conf *c, const char *name, const char *v, const char *where, char *err,
                      size_t errlen)
{
	int64_t ms;
	if (strcmp(name, "source") == 0)
		return feed_set_str(&c->source, v);
	if (strcmp(name, "ca_file") == 0)
		return feed_set_str(&c->ca_file, v);
	if (strcmp(name, "fetch_page") == 0) {
		if (yes_no(v, &c->fetch_page) == 0)
			return 0;
		snprintf(err, errlen, "%s: fetch_page wants yes or no, not '%s'", where, v);
		return TRUCE_EINVAL;
	}
	if (strcmp(name, "interval") == 0 || strcmp(name, "floor") == 0 ||
	    strcmp(name, "ceiling") == 0) {
		if (feed_parse_duration(v, &ms) != 0) {
			snprintf(err, errlen,
			         "%s: %s wants a duration (90s, 15m, 2h, 1d), not '%s'", where,
			         name, v);
			return TRUCE_EINVAL;
		}
		if (name[0] != 'c')
			c->floor_ms = ms;
		if (name[0] != 'f')
			c->ceiling_ms = ms;
		return 0;
	}
	snprintf(err, errlen,
	         "%s: unknown option '%s' (source, interval, floor, ceiling, fetch_page, ca_file)",
	         where, name);
	return TRUCE_EINVAL;
}

static int conf_line(feed_conf_list *l, char *line, const char *where, char *err, size_t errlen)
{
	char *p = line;
	err[0] = '\0';
	char *url = next_word(&p, err, errlen, where);
	if (url == NULL)
		return err[0] ? TRUCE_EINVAL : 0; /* blank or comment */
	char why[300];
	if (check_url(url, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s: %s", where, why);
		return TRUCE_EINVAL;
	}
	feed_conf *c;
	int rc = add_feed(l, url, where, &c, err, errlen);
	char *w;
	while (rc == 0 && (w = next_word(&p, err, errlen, where)) != NULL) {
		char *eq = strchr(w, '=');
		if (eq == NULL || eq == w) {
			snprintf(err, errlen, "%s: '%s' is not name=value", where, w);
			return TRUCE_EINVAL;
		}
		*eq = '\0';
		rc = set_option(c, w, eq + 1, where, err, errlen);
	}
	if (rc == 0 && err[0] != '\0')
		rc = TRUCE_EINVAL;
	if (rc == 0 && c->floor_ms > 0 && c->ceiling_ms > 0 && c->floor_ms > c->ceiling_ms) {
		snprintf(err, errlen, "%s: floor is above ceiling", where);
		rc = TRUCE_EINVAL;
	}
	return rc;
}

int feed_conf_load(const char *path, feed_conf_list *l, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return TRUCE_EIO;
	}
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	int rc = 0;
	while (rc == 0 && getline(&line, &cap, f) >= 0) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		char where[128];
		snprintf(where, sizeof(where), "%s:%zu", path, lineno);
		rc = conf_line(l, line, where, err, errlen);
	}
	if (rc == 0 && ferror(f)) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		rc = TRUCE_EIO;
	}
	free(line);
	fclose(f);
	return rc;
}

static int opml_walk(xmlNode *n, feed_conf_list *l, const char *path, char *err, size_t errlen)
{
	for (; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		xmlChar *url = xmlStrcasecmp(n->name, (const xmlChar *)"outline") == 0
		                   ? xmlGetProp(n, (const xmlChar *)"xmlUrl")
		                   : NULL;
		int rc = 0;
		if (url != NULL) {
			char where[128], why[300];
			snprintf(where, sizeof(where), "%s:%ld", path, xmlGetLineNo(n));
			char *u = feed_squeeze((const char *)url, (size_t)xmlStrlen(url));
			feed_conf *c = NULL;
			if (u == NULL || check_url(u, why, sizeof(why)) != 0) {
				snprintf(err, errlen, "%s: %s", where,
				         u != NULL ? why : "empty xmlUrl");
				rc = TRUCE_EINVAL;
			} else {
				rc = add_feed(l, u, where, &c, err, errlen);
			}
			xmlChar *name = rc == 0 ? xmlGetProp(n, (const xmlChar *)"title") : NULL;
			if (rc == 0 && name == NULL)
				name = xmlGetProp(n, (const xmlChar *)"text");
			if (name != NULL) {
				c->source =
				    feed_squeeze((const char *)name, (size_t)xmlStrlen(name));
				xmlFree(name);
			}
			free(u);
			xmlFree(url);
		}
		if (rc == 0)
			rc = opml_walk(n->children, l, path, err, errlen);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int feed_opml_load(const char *path, feed_conf_list *l, char *err, size_t errlen)
{
	xmlInitParser();
	xmlDoc *doc = xmlReadFile(path, NULL,
	                          XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	                              XML_PARSE_RECOVER);
	xmlNode *root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
	int rc;
	if (root == NULL) {
		snprintf(err, errlen, "cannot read %s as OPML", path);
		rc = TRUCE_EIO;
	} else if (xmlStrcasecmp(root->name, (const xmlChar *)"opml") != 0) {
		snprintf(err, errlen, "%s is not OPML (root element <%.40s>)", path,
		         (const char *)root->name);
		rc = TRUCE_EINVAL;
	} else {
		rc = opml_walk(root->children, l, path, err, errlen);
	}
	xmlFreeDoc(doc);
	return rc;
}

/* A value as feeds.conf reads it back: quoted when it has white space. */
static void print_value(FILE *f, const char *name, const char *v)
{
	int quote = strpbrk(v, " \t#") != NULL;
	fprintf(f, " %s=%s%s%s", name, quote ? "\"" : "", v, quote ? "\"" : "");
}

void feed_conf_print(FILE *f, const feed_conf *c)
{
	char d[32];
	fputs(c->url, f);
	if (c->source != NULL)
		print_value(f, "source", c->source);
	if (c->floor_ms > 0 && c->floor_ms == c->ceiling_ms) {
		conf_duration(c->floor_ms, d, sizeof(d));
		print_value(f, "interval", d);
	} else {
		if (c->floor_ms > 0) {
			conf_duration(c->floor_ms, d, sizeof(d));
			print_value(f, "floor", d);
		}
		if (c->ceiling_ms > 0) {
			conf_duration(c->ceiling_ms, d, sizeof(d));
			print_value(f, "ceiling", d);
		}
	}
	if (c->fetch_page)
		fputs(" fetch_page=yes", f);
	if (c->ca_file != NULL)
		print_value(f, "ca_file", c->ca_file);
	fputc('\n', f);
}
