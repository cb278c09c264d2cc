/*
 * input.c - reads articles for the tools: corpus JSON Lines, plain text and
 * HTML files, stdin. It only frames articles; validation (UTF-8, sizes) is
 * the daemon's job, so that a collector never hides bad input from it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "truce/truce.h"

/* Whole-stream reader; "-" is stdin. Input files are bounded by memory only:
 * the daemon enforces article limits, and a collector should report them. */
static int read_all(const char *path, char **out, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL)
		return TRUCE_EIO;
	size_t cap = 8192, n = 0;
	char *buf = malloc(cap);
	int rc = buf != NULL ? 0 : TRUCE_ENOMEM;
	while (rc == 0) {
		if (cap - n < 4096 + 1) {
			char *nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				rc = TRUCE_ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			rc = ferror(f) ? TRUCE_EIO : 1; /* 1: end of input */
	}
	if (f != stdin)
		fclose(f);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static char *dup_json_string(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		return NULL;
	return strndup(json_string_value(v), json_string_length(v));
}

static void free_article(cli_input_article *a)
{
	free(a->id);
	free(a->url);
	free(a->source);
	free(a->title);
	free(a->published);
	free(a->body);
}

static int jsonl_line(const char *path, size_t lineno, const char *line, size_t len,
                      cli_input_fn fn, void *ctx, size_t *bad)
{
	json_error_t err;
	json_t *obj = json_loadb(line, len, JSON_ALLOW_NUL, &err);
	cli_input_article a;
	memset(&a, 0, sizeof(a));
	snprintf(a.where, sizeof(a.where), "%s:%zu", path, lineno);
	json_t *body = obj ? json_object_get(obj, "body") : NULL;
	if (!json_is_object(obj) || !json_is_string(body)) {
		fprintf(stderr, "%s: %s\n", a.where,
		        obj == NULL ? err.text : "not an object with a string \"body\"");
		json_decref(obj);
		(*bad)++;
		return 0;
	}
	a.body_len = json_string_length(body);
	a.body = malloc(a.body_len + 1);
	if (a.body != NULL) {
		memcpy(a.body, json_string_value(body), a.body_len);
		a.body[a.body_len] = '\0';
	}
	a.id = dup_json_string(obj, "id");
	a.url = dup_json_string(obj, "url");
	a.source = dup_json_string(obj, "source");
	a.title = dup_json_string(obj, "title");
	a.published = dup_json_string(obj, "published");
	json_t *ct = json_object_get(obj, "content_type");
	a.is_html = json_is_string(ct) && strcmp(json_string_value(ct), "html") == 0;
	json_decref(obj);
	int stop = a.body == NULL ? TRUCE_ENOMEM : fn(ctx, &a);
	free_article(&a);
	return stop;
}

int cli_input_jsonl(const char *path, cli_input_fn fn, void *ctx, size_t *bad_lines)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL)
		return TRUCE_EIO;
	char *line = NULL;
	size_t cap = 0, lineno = 0, bad = 0;
	ssize_t n;
	int rc = 0;
	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			n--;
		if (n == 0)
			continue;
		if (jsonl_line(path, lineno, line, (size_t)n, fn, ctx, &bad) != 0)
			break;
	}
	if (ferror(f))
		rc = TRUCE_EIO;
	free(line);
	if (f != stdin)
		fclose(f);
	if (bad_lines != NULL)
		*bad_lines = bad;
	return rc;
}

static int looks_html(const char *path, const char *body)
{
	const char *dot = strrchr(path, '.');
	if (dot != NULL && (strcasecmp(dot, ".html") == 0 || strcasecmp(dot, ".htm") == 0))
		return 1;
	while (*body == ' ' || *body == '\t' || *body == '\n' || *body == '\r')
		body++;
	return *body == '<';
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash != NULL ? slash + 1 : path;
}

int cli_input_file(const char *path, const cli_input_defaults *d, cli_input_fn fn, void *ctx)
{
	char *text;
	size_t len;
	int rc = read_all(path, &text, &len);
	if (rc != 0)
		return rc;
	cli_input_article a;
	memset(&a, 0, sizeof(a));
	snprintf(a.where, sizeof(a.where), "%s", path);
	a.is_html = looks_html(path, text);
	a.id = strdup(strcmp(path, "-") == 0 ? "stdin" : base_name(path));
	a.source = d != NULL && d->source != NULL ? strdup(d->source) : NULL;
	a.published = d != NULL && d->published != NULL ? strdup(d->published) : NULL;
	a.url = d != NULL && d->url != NULL ? strdup(d->url) : NULL;
	if (!a.is_html) {
		/* Plain text: the first line is the title, the rest the body. */
		char *nl = memchr(text, '\n', len);
		size_t tlen = nl != NULL ? (size_t)(nl - text) : len;
		a.title = strndup(text, tlen);
		size_t skip = nl != NULL ? tlen + 1 : len;
		a.body_len = len - skip;
		memmove(text, text + skip, a.body_len);
		text[a.body_len] = '\0';
		a.body = text;
	} else {
		a.body = text;
		a.body_len = len;
	}
	rc = a.id == NULL ? TRUCE_ENOMEM : fn(ctx, &a);
	free_article(&a);
	return rc < 0 ? rc : 0;
}

void cli_input_to_wire(const cli_input_article *a, int force_html, const char *collector_id,
                       Truce__V1__Article *out)
{
	Truce__V1__Article art = TRUCE__V1__ARTICLE__INIT;
	art.id = a->id;
	art.url = a->url;
	art.source = a->source;
	art.title = a->title;
	art.published = a->published;
	art.has_body = 1;
	art.body.data = (uint8_t *)a->body;
	art.body.len = a->body_len;
	art.has_content_type = 1;
	art.content_type = a->is_html || force_html ? TRUCE__V1__CONTENT_TYPE__CONTENT_HTML
	                                            : TRUCE__V1__CONTENT_TYPE__CONTENT_TEXT;
	art.collector_id = (char *)collector_id;
	*out = art;
}

void cli_default_seeds(char *out, size_t len)
{
	const char *src = getenv("TRUCE_SOURCE_DIR");
	if (src != NULL && *src != '\0') {
		snprintf(out, len, "%s/tests/data/seeds.jsonl", src);
		return;
	}
	/* CMake compiles sources by absolute path: the checkout is where this
	 * file is. */
	const char *me = __FILE__, *tail = strstr(me, "tools/truce/input.c");
	if (tail != NULL && tail > me)
		snprintf(out, len, "%.*stests/data/seeds.jsonl", (int)(tail - me), me);
	else
		snprintf(out, len, "tests/data/seeds.jsonl");
}
