/*
 * http.c - fetching with libcurl's multi interface (see feed.h): one
 * thread, many transfers at once, and politeness per host.
 *
 * libcurl does the HTTP: redirects up to a limit, gzip and deflate (and
 * whatever else it was built with: Accept-Encoding ""), connect and total
 * timeouts, TLS verification (on; a feed may name its own CA file),
 * connection reuse, and the parsing of Retry-After and of each response's
 * headers. What it lacks is a queue per host with a minimum delay between
 * two requests to one server, so requests wait here, one FIFO per host
 * name, and start only when the host has fewer than per_host transfers
 * running and its last one was sent at least host_delay ago. libcurl's own
 * CURLMOPT_MAX_HOST_CONNECTIONS is set to the same number, so idle
 * connections it keeps for reuse never add up to more either. A request's
 * timeouts count from its start, not from its wait in the queue.
 *
 * The body is capped after decompression (a small gzip bomb is as big as
 * its inflated self), by the write callback refusing more; a Content-Length
 * over the cap is refused before any byte (CURLOPT_MAXFILESIZE_LARGE).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "feed.h"
#include "truce/date.h"

#define ACCEPT_FEED                                                                                \
	"application/rss+xml, application/atom+xml, application/feed+json, "                       \
	"application/json;q=0.9, "                                                                 \
	"application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
#define ACCEPT_PAGE "text/html, application/xhtml+xml;q=0.9, */*;q=0.8"

typedef struct http_host http_host;

typedef struct http_xfer {
	feed_http *h;
	http_host *host;
	CURL *easy;
	struct curl_slist *headers;
	feed_http_res *res;
	char *etag, *last_modified, *ca_file;
	size_t max_size, cap;
	int too_big;
	int64_t start_ms;
	char errbuf[CURL_ERROR_SIZE];
	struct http_xfer *next;                /* in its host's queue */
	struct http_xfer *prev_run, *next_run; /* in feed_http.running */
} http_xfer;

struct http_host {
	char *name;
	int active;
	int64_t last_start_ms;
	http_xfer *head, *tail; /* waiting to start */
	int waiting;            /* listed in feed_http.waiting */
	http_host *next;        /* hash chain */
};

struct feed_http {
	feed_http_opts o;
	CURLM *multi;
	http_host **buckets;
	size_t nbuckets;
	http_host **waiting; /* hosts with queued requests */
	size_t nwaiting, capwaiting, rotor;
	size_t active, queued;
	http_xfer *running;   /* started, not finished */
	feed_http_res **done; /* finished, first out first */
	size_t done_head, done_n, done_cap;
};

static void res_free(feed_http_res *r)
{
	if (r == NULL)
		return;
	free(r->url);
	free(r->body);
	free(r->content_type);
	free(r->etag);
	free(r->last_modified);
	free(r->effective_url);
	free(r);
}

void feed_http_res_free(feed_http_res *r)
{
	res_free(r);
}

static void xfer_free(http_xfer *x)
{
	if (x == NULL)
		return;
	if (x->easy != NULL) {
		curl_multi_remove_handle(x->h->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	curl_slist_free_all(x->headers);
	res_free(x->res);
	free(x->etag);
	free(x->last_modified);
	free(x->ca_file);
	free(x);
}

int feed_http_new(const feed_http_opts *o, feed_http **out)
{
	if (o->per_host < 1 || o->parallel < 1)
		return TRUCE_EINVAL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return TRUCE_EIO;
	feed_http *h = calloc(1, sizeof(*h));
	if (h == NULL)
		return TRUCE_ENOMEM;
	h->o = *o;
	h->nbuckets = 256;
	h->buckets = calloc(h->nbuckets, sizeof(*h->buckets));
	h->multi = curl_multi_init();
	if (h->buckets == NULL || h->multi == NULL) {
		feed_http_free(h);
		return TRUCE_ENOMEM;
	}
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)o->per_host);
	curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)o->parallel);
	curl_multi_setopt(h->multi, CURLMOPT_MAXCONNECTS, (long)o->parallel);
	*out = h;
	return 0;
}

void feed_http_free(feed_http *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; h->buckets != NULL && i < h->nbuckets; i++) {
		for (http_host *host = h->buckets[i], *next; host != NULL; host = next) {
			next = host->next;
			for (http_xfer *x = host->head, *xn; x != NULL; x = xn) {
				xn = x->next;
				xfer_free(x);
			}
			free(host->name);
			free(host);
		}
	}
	while (h->running != NULL) {
		http_xfer *x = h->running;
		h->running = x->next_run;
		xfer_free(x);
	}
	if (h->multi != NULL)
		curl_multi_cleanup(h->multi);
	for (size_t i = 0; i < h->done_n; i++)
		res_free(h->done[(h->done_head + i) % h->done_cap]);
	free(h->done);
	free(h->waiting);
	free(h->buckets);
	free(h);
	curl_global_cleanup();
}

static size_t hash_name(const char *s)
{
	size_t v = 1469598103934665603ULL;
	for (; *s != '\0'; s++)
		v = (v ^ (unsigned char)*s) * 1099511628211ULL;
	return v;
}

static http_host *host_get(feed_http *h, const char *name)
{
	size_t b = hash_name(name) % h->nbuckets;
	for (http_host *host = h->buckets[b]; host != NULL; host = host->next)
		if (strcmp(host->name, name) == 0)
			return host;
	http_host *host = calloc(1, sizeof(*host));
	if (host == NULL || (host->name = strdup(name)) == NULL) {
		free(host);
		return NULL;
	}
	host->last_start_ms = INT64_MIN / 2;
	host->next = h->buckets[b];
	h->buckets[b] = host;
	return host;
}

static int push_done(feed_http *h, feed_http_res *r)
{
	if (h->done_n == h->done_cap) {
		size_t cap = h->done_cap ? h->done_cap * 2 : 64;
		feed_http_res **v = malloc(cap * sizeof(*v));
		if (v == NULL)
			return TRUCE_ENOMEM;
		for (size_t i = 0; i < h->done_n; i++)
			v[i] = h->done[(h->done_head + i) % h->done_cap];
		free(h->done);
		h->done = v;
		h->done_cap = cap;
		h->done_head = 0;
	}
	h->done[(h->done_head + h->done_n) % h->done_cap] = r;
	h->done_n++;
	return 0;
}

int feed_http_next(feed_http *h, feed_http_res **res)
{
	if (h->done_n == 0)
		return 0;
	*res = h->done[h->done_head];
	h->done_head = (h->done_head + 1) % h->done_cap;
	h->done_n--;
	return 1;
}

/* The host part of url, lowercased, into out; 0 when the URL parses. */
static int url_host(const char *url, char *out, size_t outlen, char *err, size_t errlen)
{
	CURLU *u = curl_url();
	char *host = NULL;
	CURLUcode uc = u != NULL ? curl_url_set(u, CURLUPART_URL, url, 0) : CURLUE_OUT_OF_MEMORY;
	if (uc == CURLUE_OK)
		uc = curl_url_get(u, CURLUPART_HOST, &host, 0);
	if (uc == CURLUE_OK) {
		size_t i = 0;
		for (; host[i] != '\0' && i + 1 < outlen; i++)
			out[i] = (char)tolower((unsigned char)host[i]);
		out[i] = '\0';
	} else {
		snprintf(err, errlen, "not a URL: %s", curl_url_strerror(uc));
	}
	curl_free(host);
	curl_url_cleanup(u);
	return uc == CURLUE_OK ? 0 : TRUCE_EINVAL;
}

int feed_http_submit(feed_http *h, const feed_http_req *r)
{
	http_xfer *x = calloc(1, sizeof(*x));
	feed_http_res *res = calloc(1, sizeof(*res));
	if (x == NULL || res == NULL) {
		free(x);
		free(res);
		return TRUCE_ENOMEM;
	}
	x->h = h;
	x->res = res;
	res->kind = r->kind;
	res->owner = r->owner;
	x->max_size = r->max_size;
	int rc = feed_set_str(&res->url, r->url) || feed_set_str(&x->etag, r->etag) ||
	                 feed_set_str(&x->last_modified, r->last_modified) ||
	                 feed_set_str(&x->ca_file, r->ca_file)
	             ? TRUCE_ENOMEM
	             : 0;
	char name[256];
	if (rc == 0 && url_host(r->url, name, sizeof(name), res->error, sizeof(res->error)) != 0) {
		/* Not fetchable: finished at once, with the reason. */
		x->res = NULL;
		xfer_free(x);
		rc = push_done(h, res);
		if (rc != 0)
			res_free(res);
		return rc;
	}
	http_host *host = rc == 0 ? host_get(h, name) : NULL;
	if (host == NULL) {
		xfer_free(x);
		return TRUCE_ENOMEM;
	}
	if (!host->waiting) {
		if (truce_grow(&h->waiting, &h->capwaiting, h->nwaiting, sizeof(*h->waiting), 64) !=
		    0) {
			xfer_free(x);
			return TRUCE_ENOMEM;
		}
		h->waiting[h->nwaiting++] = host;
		host->waiting = 1;
	}
	x->host = host;
	if (host->tail != NULL)
		host->tail->next = x;
	else
		host->head = x;
	host->tail = x;
	h->queued++;
	return 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	http_xfer *x = ctx;
	feed_http_res *r = x->res;
	size_t len = size * n;
	if (r->len + len > x->max_size) {
		x->too_big = 1;
		return 0; /* CURLE_WRITE_ERROR: the transfer stops here */
	}
	if (r->len + len + 1 > x->cap) {
		size_t cap = x->cap ? x->cap : 16384;
		while (cap < r->len + len + 1)
			cap *= 2;
		char *b = realloc(r->body, cap);
		if (b == NULL)
			return 0;
		r->body = b;
		x->cap = cap;
	}
	memcpy(r->body + r->len, data, len);
	r->len += len;
	r->body[r->len] = '\0';
	return len;
}

static int header_line(struct curl_slist **list, const char *name, const char *value)
{
	char line[2048];
	if (value == NULL)
		return 0;
	snprintf(line, sizeof(line), "%s: %s", name, value);
	struct curl_slist *l = curl_slist_append(*list, line);
	if (l == NULL)
		return TRUCE_ENOMEM;
	*list = l;
	return 0;
}

/* libcurl calls this right before it sends a request, once connected: a
 * host's delay counts from there, since a new connection can take a while
 * after the handle was added (measured: the first of six requests reached
 * the server 60 ms after it was added, so the next came only 0.44 s after
 * it at --host-delay 500ms). */
static int on_prereq(void *clientp, char *primary_ip, char *local_ip, int primary_port,
                     int local_port)
{
	(void)primary_ip;
	(void)local_ip;
	(void)primary_port;
	(void)local_port;
	http_xfer *x = clientp;
	int64_t now = truce_mono_ms();
	if (now > x->host->last_start_ms)
		x->host->last_start_ms = now;
	return CURL_PREREQFUNC_OK;
}

static int start(feed_http *h, http_xfer *x, int64_t now)
{
	CURL *e = curl_easy_init();
	if (e == NULL)
		return TRUCE_ENOMEM;
	x->easy = e;
	int rc = header_line(&x->headers, "Accept",
	                     x->res->kind == FEED_HTTP_FEED ? ACCEPT_FEED : ACCEPT_PAGE);
	if (rc == 0)
		rc = header_line(&x->headers, "If-None-Match", x->etag);
	if (rc == 0)
		rc = header_line(&x->headers, "If-Modified-Since", x->last_modified);
	if (rc != 0)
		return rc;
	curl_easy_setopt(e, CURLOPT_URL, x->res->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, FEED_USER_AGENT);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, h->o.max_redirects);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)h->o.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)h->o.timeout_ms);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_size);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
	curl_easy_setopt(e, CURLOPT_PREREQDATA, x);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (x->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, x->ca_file);
	if (curl_multi_add_handle(h->multi, e) != CURLM_OK)
		return TRUCE_ENOMEM;
	x->start_ms = now;
	x->next_run = h->running;
	if (h->running != NULL)
		h->running->prev_run = x;
	h->running = x;
	x->host->active++;
	x->host->last_start_ms = now;
	h->active++;
	return 0;
}

/* A transfer that could not start: finished with the reason. */
static void fail_start(feed_http *h, http_xfer *x, int rc)
{
	feed_http_res *r = x->res;
	x->res = NULL;
	snprintf(r->error, sizeof(r->error), "cannot start the transfer: %s", truce_strerror(rc));
	if (x->easy != NULL) { /* never added: nothing to count down */
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
	}
	xfer_free(x);
	if (push_done(h, r) != 0)
		res_free(r);
}

/* Starts queued requests the limits allow; returns the ms until a waiting
 * host's delay ends (-1 when none waits for its delay alone). */
static int64_t dispatch(feed_http *h, int64_t now)
{
	int64_t soonest = -1;
	size_t n = h->nwaiting;
	for (size_t k = 0; k < n && h->active < (size_t)h->o.parallel; k++) {
		http_host *host = h->waiting[(h->rotor + k) % n];
		while (host->head != NULL && host->active < h->o.per_host &&
		       h->active < (size_t)h->o.parallel) {
			int64_t ready = host->last_start_ms + h->o.host_delay_ms;
			if (ready > now) {
				if (soonest < 0 || ready - now < soonest)
					soonest = ready - now;
				break;
			}
			http_xfer *x = host->head;
			host->head = x->next;
			if (host->head == NULL)
				host->tail = NULL;
			x->next = NULL;
			h->queued--;
			int rc = start(h, x, now);
			if (rc != 0)
				fail_start(h, x, rc);
		}
	}
	h->rotor = n > 0 ? (h->rotor + 1) % n : 0;
	/* Drop the hosts whose queues ran empty. */
	size_t k = 0;
	for (size_t i = 0; i < h->nwaiting; i++) {
		if (h->waiting[i]->head != NULL)
			h->waiting[k++] = h->waiting[i];
		else
			h->waiting[i]->waiting = 0;
	}
	h->nwaiting = k;
	return soonest;
}

static char *header_value(CURL *e, const char *name)
{
	struct curl_header *hd = NULL;
	if (curl_easy_header(e, name, 0, CURLH_HEADER, -1, &hd) != CURLHE_OK || hd == NULL)
		return NULL;
	return strdup(hd->value);
}

static int64_t max_age(CURL *e)
{
	char *cc = header_value(e, "Cache-Control");
	int64_t s = 0;
	const char *p = cc != NULL ? strstr(cc, "max-age=") : NULL;
	if (p != NULL && (p == cc || p[-1] == ' ' || p[-1] == ',')) {
		long long v = strtoll(p + 8, NULL, 10);
		s = v > 0 ? v : 0;
	}
	free(cc);
	return s;
}

static void finish(feed_http *h, http_xfer *x, CURLcode code)
{
	feed_http_res *r = x->res;
	CURL *e = x->easy;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
	if (code == CURLE_OK) {
		r->ok = 1;
	} else if (x->too_big || code == CURLE_FILESIZE_EXCEEDED) {
		snprintf(r->error, sizeof(r->error), "the response is over the %zu-byte cap",
		         x->max_size);
	} else {
		/* libcurl's error buffer says more than curl_easy_strerror */
		snprintf(r->error, sizeof(r->error), "%.250s",
		         x->errbuf[0] ? x->errbuf : curl_easy_strerror(code));
	}
	char *ct = NULL, *eff = NULL;
	curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ct);
	curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &eff);
	curl_off_t ra = 0;
	curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &ra);
	r->retry_after_s = ra > 0 ? (int64_t)ra : 0;
	int fail = feed_set_str(&r->content_type, ct) || feed_set_str(&r->effective_url, eff);
	if (r->ok) {
		r->etag = header_value(e, "ETag");
		r->last_modified = header_value(e, "Last-Modified");
		r->max_age_s = max_age(e);
	}
	if (!r->ok || r->status != 200) { /* only a 200's body is read */
		free(r->body);
		r->body = NULL;
		r->len = 0;
	}
	r->elapsed_ms = truce_mono_ms() - x->start_ms;
	if (x->prev_run != NULL)
		x->prev_run->next_run = x->next_run;
	else
		h->running = x->next_run;
	if (x->next_run != NULL)
		x->next_run->prev_run = x->prev_run;
	x->host->active--;
	h->active--;
	x->res = NULL;
	xfer_free(x);
	if (fail || push_done(h, r) != 0) {
		/* Out of memory: the owner still needs its answer. */
		snprintf(r->error, sizeof(r->error), "out of memory");
		r->ok = 0;
		if (push_done(h, r) != 0)
			res_free(r);
	}
}

static void harvest(feed_http *h)
{
	int running, left;
	curl_multi_perform(h->multi, &running);
	CURLMsg *m;
	while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		http_xfer *x = NULL;
		CURLcode code = m->data.result;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		finish(h, x, code);
	}
}

int feed_http_poll(feed_http *h, const int *fds, unsigned n, int wait_ms)
{
	struct curl_waitfd wfd[8];
	if (n > 8)
		n = 8;
	for (unsigned i = 0; i < n; i++) {
		wfd[i].fd = fds[i];
		wfd[i].events = CURL_WAIT_POLLIN;
		wfd[i].revents = 0;
	}
	int64_t delay = dispatch(h, truce_mono_ms());
	harvest(h);
	if (h->done_n > 0)
		wait_ms = 0; /* answers are ready: hand them out first */
	if (delay >= 0 && delay < wait_ms)
		wait_ms = (int)delay;
	int numfds = 0;
	if (curl_multi_poll(h->multi, n > 0 ? wfd : NULL, n, wait_ms, &numfds) != CURLM_OK)
		return TRUCE_EIO;
	harvest(h);
	dispatch(h, truce_mono_ms());
	return 0;
}

size_t feed_http_active(const feed_http *h)
{
	return h->active;
}

size_t feed_http_queued(const feed_http *h)
{
	return h->queued;
}
