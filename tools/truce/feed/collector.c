/*
 * collector.c - the loop of `truce feed` (see feed.h): poll the feeds that
 * are due, parse what comes back, put each new item's article in the
 * outbox, send the outbox to truced and forget an article only when it is
 * acked.
 *
 * Each turn does its writes in one LMDB transaction (feed_state_commit at
 * the end): the poll results of the turn (validators, next poll, errors),
 * the new items with their articles, the page fetches and the acks. An
 * article is handed to the sender only after the turn that wrote it
 * committed, and an ack is recorded in the turn it arrived in; so after a
 * kill -9 the outbox holds exactly the articles not known to be acked, and
 * a poll whose turn did not commit is made again with the old validators.
 *
 * Items are looked at oldest first (feeds list the newest first), so truced
 * receives a feed's backlog in the order it was published. The sender is
 * given at most a window of articles at a time, read from the outbox as
 * room frees up: the outbox may hold a long backlog while truced is down
 * without the collector holding it all in memory.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zmq.h>

#include "cli.h"
#include "feed.h"
#include "truce/date.h"

#define PAGE_ATTEMPTS 5 /* then the feed's own text is sent instead */
#define PRUNE_EVERY_MS (INT64_C(24) * 3600 * 1000)

/* One feed being followed. */
typedef struct feed_src {
	feed_conf conf; /* url, source, limits, fetch_page, ca_file */
	feed_rec rec;   /* mirrors the feeds db */
	int configured; /* listed in the configuration (else only its outbox is sent) */
	int polling;    /* a poll is in flight */
	int dirty;      /* rec to be written at the end of the turn */
	int64_t due_ms; /* monotonic */
	int polled;     /* polled since the start (or since feed_collector_poll_all) */
} feed_src;

/* An outbox article waiting for its page. */
typedef struct page_job {
	uint8_t key[TRUCE_HASH_LEN];
	char *url;
	feed_src *feed;
	int64_t due_ms;
	int fetching;
} page_job;

typedef struct key_list {
	uint8_t (*v)[TRUCE_HASH_LEN];
	size_t head, n, cap;
} key_list;

struct feed_collector {
	feed_opts o;
	feed_state *st;
	feed_http *http;
	cli_outbox *out;
	feed_src **feeds; /* sorted by URL */
	size_t nfeeds, capfeeds;
	/* SEND articles not yet given to the sender, and PAGE ones. Both are
	 * only handed out at the start of a turn, so what a turn finds goes
	 * out after that turn committed. */
	key_list ready;
	page_job **pages;
	size_t npages, cappages;
	feed_stats stats;
	int64_t pruned_ms; /* when items were last forgotten (0: not yet) */
	int failed;        /* a state write failed: the turn is lost */
};

/* Days since 1970-01-01 now: when an item was last seen. */
static uint32_t today(void)
{
	return (uint32_t)(truce_now_us() / (86400 * INT64_C(1000000)));
}

/* --- small lists ------------------------------------------------------------ */

static int keys_push(key_list *l, const uint8_t key[TRUCE_HASH_LEN])
{
	if (l->head > 0 && l->head + l->n == l->cap) {
		memmove(l->v, l->v + l->head, l->n * sizeof(*l->v));
		l->head = 0;
	}
	if (truce_grow(&l->v, &l->cap, l->head + l->n, sizeof(*l->v), 256) != 0)
		return TRUCE_ENOMEM;
	memcpy(l->v[l->head + l->n], key, TRUCE_HASH_LEN);
	l->n++;
	return 0;
}

static const uint8_t *keys_pop(key_list *l)
{
	if (l->n == 0)
		return NULL;
	l->n--;
	return l->v[l->head++];
}

/* --- feeds ------------------------------------------------------------------ */

static int cmp_src(const void *a, const void *b)
{
	return strcmp((*(feed_src *const *)a)->conf.url, (*(feed_src *const *)b)->conf.url);
}

static feed_src *find_feed(const feed_collector *c, const char *url)
{
	size_t lo = 0, hi = c->nfeeds;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int d = strcmp(c->feeds[mid]->conf.url, url);
		if (d == 0)
			return c->feeds[mid];
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void src_free(feed_src *f)
{
	if (f == NULL)
		return;
	free(f->conf.url);
	free(f->conf.source);
	free(f->conf.ca_file);
	feed_rec_clear(&f->rec);
	free(f);
}

/* A feed with its URL, from the state's record r (NULL: a new feed). The
 * table is left unsorted: the caller sorts. */
static feed_src *add_feed(feed_collector *c, const char *url, const feed_rec *r)
{
	if (truce_grow(&c->feeds, &c->capfeeds, c->nfeeds, sizeof(*c->feeds), 64) != 0)
		return NULL;
	feed_src *f = calloc(1, sizeof(*f));
	if (f == NULL || (f->conf.url = strdup(url)) == NULL) {
		free(f);
		return NULL;
	}
	if (r != NULL ? feed_rec_copy(r, &f->rec) != 0 : feed_set_str(&f->rec.url, url) != 0) {
		src_free(f);
		return NULL;
	}
	int64_t wait_us = f->rec.next_poll_us - truce_now_us();
	f->due_ms = truce_mono_ms() + (wait_us > 0 ? wait_us / 1000 : 0);
	c->feeds[c->nfeeds++] = f;
	return f;
}

static int load_feed(void *ctx, const feed_rec *r)
{
	return add_feed(ctx, r->url, r) != NULL ? 0 : TRUCE_ENOMEM;
}

static feed_limits limits_of(const feed_collector *c, const feed_src *f)
{
	feed_limits l = c->o.lim;
	if (f->conf.floor_ms > 0)
		l.floor_ms = f->conf.floor_ms;
	if (f->conf.ceiling_ms > 0)
		l.ceiling_ms = f->conf.ceiling_ms;
	if (l.ceiling_ms < l.floor_ms)
		l.ceiling_ms = l.floor_ms;
	return l;
}

int feed_collector_configure(feed_collector *c, const feed_conf_list *l)
{
	for (size_t i = 0; i < c->nfeeds; i++)
		c->feeds[i]->configured = 0;
	for (size_t i = 0; i < l->n; i++) {
		const feed_conf *want = &l->v[i];
		feed_src *f = find_feed(c, want->url);
		if (f == NULL) {
			f = add_feed(c, want->url, NULL);
			if (f == NULL)
				return TRUCE_ENOMEM;
			qsort(c->feeds, c->nfeeds, sizeof(*c->feeds), cmp_src);
		}
		if (feed_set_str(&f->conf.source, want->source) ||
		    feed_set_str(&f->conf.ca_file, want->ca_file))
			return TRUCE_ENOMEM;
		f->conf.floor_ms = want->floor_ms;
		f->conf.ceiling_ms = want->ceiling_ms;
		f->conf.fetch_page = want->fetch_page;
		snprintf(f->conf.where, sizeof(f->conf.where), "%s", want->where);
		f->configured = 1;
		if (c->o.once)
			f->due_ms = truce_mono_ms();
	}
	for (size_t i = 0; i < c->nfeeds; i++) { /* for --status */
		feed_src *f = c->feeds[i];
		if (f->rec.unlisted == f->configured) {
			f->rec.unlisted = !f->configured;
			f->dirty = 1;
		}
	}
	return 0;
}

void feed_collector_poll_all(feed_collector *c)
{
	int64_t now = truce_mono_ms();
	for (size_t i = 0; i < c->nfeeds; i++) {
		c->feeds[i]->due_ms = now;
		c->feeds[i]->polled = 0;
	}
}

/* --- the outbox at start ------------------------------------------------------ */

static int add_page_job(feed_collector *c, const uint8_t key[TRUCE_HASH_LEN], const char *url,
                        feed_src *f, int64_t due_ms)
{
	if (truce_grow(&c->pages, &c->cappages, c->npages, sizeof(*c->pages), 64) != 0)
		return TRUCE_ENOMEM;
	page_job *j = calloc(1, sizeof(*j));
	if (j == NULL || (j->url = strdup(url)) == NULL) {
		free(j);
		return TRUCE_ENOMEM;
	}
	memcpy(j->key, key, TRUCE_HASH_LEN);
	j->feed = f;
	j->due_ms = due_ms;
	c->pages[c->npages++] = j;
	return 0;
}

/* The URL inside a packed Article (a new string), NULL when none. */
static char *frame_url(const uint8_t *frame, size_t len)
{
	Truce__V1__Article *a = truce__v1__article__unpack(NULL, len, frame);
	char *url = a != NULL && a->url != NULL ? strdup(a->url) : NULL;
	if (a != NULL)
		truce__v1__article__free_unpacked(a, NULL);
	return url;
}

static int load_outbox(void *ctx, const uint8_t *key, const feed_outbox_rec *r)
{
	feed_collector *c = ctx;
	if (r->state != FEED_ITEM_PAGE)
		return keys_push(&c->ready, key);
	char *url = frame_url(r->frame, r->len);
	int64_t wait_us = r->next_try_us - truce_now_us();
	int rc = url != NULL ? add_page_job(c, key, url, find_feed(c, r->feed_url),
	                                    truce_mono_ms() + (wait_us > 0 ? wait_us / 1000 : 0))
	                     : keys_push(&c->ready, key); /* no page to fetch: send as it is */
	free(url);
	return rc;
}

/* --- acks ------------------------------------------------------------------------ */

static void fail(feed_collector *c, int rc)
{
	if (rc != 0 && !c->failed) {
		c->failed = rc;
		cli_logf(c->o.log, CLI_LOG_ERROR, "feed", "cannot write the state: %s",
		         truce_strerror(rc));
	}
}

static void on_ack(void *ctx, void *tag, const truce_send_item *it)
{
	feed_collector *c = ctx;
	uint8_t *key = tag;
	feed_outbox_rec r;
	int rc = feed_state_outbox_get(c->st, key, &r);
	if (rc == 0) {
		feed_src *f = find_feed(c, r.feed_url);
		int ok = truce_send_item_ok(it);
		if (ok) {
			c->stats.acked++;
		} else {
			c->stats.rejected++;
			cli_logf(c->o.log, CLI_LOG_WARN, "feed", "%s: an item was rejected: %s",
			         r.feed_url, it->reason != NULL ? it->reason : "no reason given");
		}
		if (f != NULL) {
			if (ok)
				f->rec.sent++;
			else
				f->rec.rejected++;
			if (f->rec.pending > 0)
				f->rec.pending--;
			f->dirty = 1;
		}
		feed_item_rec ir = {.state = ok ? FEED_ITEM_ACKED : FEED_ITEM_REJECTED,
		                    .day = today(),
		                    .seq = ok ? it->seq : 0};
		rc = feed_state_item_put(c->st, key, &ir);
		if (rc == 0)
			rc = feed_state_outbox_del(c->st, key);
	} else if (rc == TRUCE_ENOTFOUND) {
		rc = 0; /* acked before (a late ack of a re-send) */
	}
	fail(c, rc);
	free(key);
}

/* --- polls ------------------------------------------------------------------------ */

/* An article's source: the name feeds.conf gives the feed, else the outlet
 * the item names as its origin (an aggregator's items come from many),
 * else the feed's own title. */
static const char *source_of(const feed_src *f, const feed_doc *d, const feed_item *it)
{
	if (f->conf.source != NULL)
		return f->conf.source;
	if (it != NULL && it->source != NULL && strlen(it->source) <= TRUCE_MAX_FIELD)
		return it->source;
	if (d != NULL && d->title != NULL)
		return d->title;
	return f->rec.title;
}

/* One item of a fetched feed: known, a story another feed brought, or new
 * (its article into the outbox). 1 when new. */
static int take_item(feed_collector *c, feed_src *f, const feed_doc *d, const feed_item *it)
{
	uint8_t key[TRUCE_HASH_LEN], ckey[TRUCE_HASH_LEN], first[TRUCE_HASH_LEN];
	feed_item_key(f->conf.url, it, key);
	feed_item_rec ir;
	int rc = feed_state_item_get(c->st, key, &ir);
	if (rc == 0 && ir.day < today()) { /* seen again today: not to be forgotten */
		ir.day = today();
		rc = feed_state_item_put(c->st, key, &ir);
	}
	if (rc != TRUCE_ENOTFOUND)
		return rc;
	ir = (feed_item_rec){.state = FEED_ITEM_REJECTED, .day = today()};
	f->rec.items++;
	c->stats.items_new++;
	feed_article_opts ao = {.source = source_of(f, d, it), .collector_id = c->o.collector_id};
	uint8_t *frame;
	size_t len;
	rc = feed_item_pack(it, &ao, &frame, &len, ckey);
	if (rc == TRUCE_EINVAL) { /* nothing to send: no text, no title */
		f->rec.rejected++;
		cli_logf(c->o.log, CLI_LOG_DEBUG, "feed", "%s: an item with no text or title",
		         f->conf.url);
		return feed_state_item_put(c->st, key, &ir) == 0 ? 1 : TRUCE_EIO;
	}
	if (rc != 0)
		return rc;
	rc = feed_state_url_get(c->st, ckey, first);
	if (rc == 0) { /* the same story came in another item first */
		free(frame);
		f->rec.same++;
		c->stats.same++;
		ir.state = FEED_ITEM_SAME;
		rc = feed_state_item_put(c->st, key, &ir);
		return rc == 0 ? 1 : rc;
	}
	int page = f->conf.fetch_page && it->link != NULL &&
	           (strncmp(it->link, "http://", 7) == 0 || strncmp(it->link, "https://", 8) == 0);
	feed_outbox_rec ob = {.state = page ? FEED_ITEM_PAGE : FEED_ITEM_SEND,
	                      .feed_url = f->conf.url,
	                      .frame = frame,
	                      .len = len};
	rc = rc == TRUCE_ENOTFOUND ? feed_state_url_put(c->st, ckey, key) : rc;
	if (rc == 0)
		rc = feed_state_outbox_put(c->st, key, &ob);
	ir.state = ob.state;
	if (rc == 0)
		rc = feed_state_item_put(c->st, key, &ir);
	free(frame);
	if (rc == 0)
		rc = page ? add_page_job(c, key, it->link, f, truce_mono_ms())
		          : keys_push(&c->ready, key);
	f->rec.pending++;
	return rc == 0 ? 1 : rc;
}

/* The poll's outcome in the feed's record, the schedule and the log. */
static void poll_done(feed_collector *c, feed_src *f, const feed_http_res *res, const char *error,
                      size_t n_items, size_t n_new, int64_t hint_ms, const char *note)
{
	feed_limits lim = limits_of(c, f);
	int64_t wait, now_us = truce_now_us();
	char result[300], when[32];
	f->rec.polls++;
	f->rec.last_poll_us = now_us;
	if (error != NULL) {
		c->stats.errors++;
		f->rec.errors++;
		wait = feed_sched_error(f->rec.errors, res->retry_after_s * 1000, &lim,
		                        randombytes_random());
		snprintf(result, sizeof(result), "error: %s", error);
		feed_set_str(&f->rec.last_error, error);
		feed_format_duration(wait, when, sizeof(when));
		cli_logf(c->o.log, CLI_LOG_WARN, "feed", "%s: %s (%u in a row%s); next try in %s",
		         f->conf.url, error, f->rec.errors,
		         res->retry_after_s > 0 ? ", Retry-After honoured" : "", when);
	} else {
		int first = f->rec.polls == 1 || f->rec.interval_ms == 0;
		f->rec.interval_ms = feed_sched_adapt(f->rec.interval_ms, n_new, first, &lim);
		wait = feed_sched_ok(f->rec.interval_ms, hint_ms, &lim, randombytes_random());
		f->rec.errors = 0;
		feed_set_str(&f->rec.last_error, NULL);
		if (n_new > 0)
			f->rec.last_new_us = now_us;
		if (res->status == 304)
			snprintf(result, sizeof(result), "304 not modified");
		else
			snprintf(result, sizeof(result), "200: %zu items, %zu new", n_items, n_new);
		feed_format_duration(wait, when, sizeof(when));
		cli_logf(c->o.log, CLI_LOG_INFO, "feed", "%s: %s (%lld ms)%s%s; next poll in %s",
		         f->conf.url, result, (long long)res->elapsed_ms, note[0] ? "; " : "", note,
		         when);
	}
	feed_set_str(&f->rec.last_result, result);
	f->rec.next_poll_us = now_us + wait * 1000;
	f->due_ms = truce_mono_ms() + wait;
	f->dirty = 1;
}

static void handle_feed(feed_collector *c, feed_http_res *res)
{
	feed_src *f = res->owner;
	f->polling = 0;
	f->polled = 1;
	c->stats.polls++;
	char error[300];
	if (!res->ok) {
		poll_done(c, f, res, res->error, 0, 0, 0, "");
		return;
	}
	if (res->status == 304) {
		c->stats.not_modified++;
		int64_t hint = f->rec.hint_s > res->max_age_s ? f->rec.hint_s : res->max_age_s;
		poll_done(c, f, res, NULL, 0, 0, hint * 1000, "");
		return;
	}
	if (res->status != 200) {
		snprintf(error, sizeof(error), "HTTP %ld%s", res->status,
		         res->status == 429   ? " Too Many Requests"
		         : res->status == 503 ? " Service Unavailable"
		                              : "");
		poll_done(c, f, res, error, 0, 0, 0, "");
		return;
	}
	feed_doc *d = NULL;
	char perr[256] = "";
	if (feed_parse(res->body, res->len, res->content_type, res->effective_url, &d, perr,
	               sizeof(perr)) != 0) {
		snprintf(error, sizeof(error), "%s", perr);
		poll_done(c, f, res, error, 0, 0, 0, "");
		return;
	}
	size_t n_new = 0;
	int rc = 0;
	for (size_t i = d->n_items; i-- > 0 && rc >= 0;) {
		rc = take_item(c, f, d, &d->items[i]);
		n_new += rc > 0;
	}
	fail(c, rc < 0 ? rc : 0);
	c->stats.ok++;
	feed_set_str(&f->rec.etag, res->etag);
	feed_set_str(&f->rec.last_modified, res->last_modified);
	if (d->title != NULL)
		feed_set_str(&f->rec.title, d->title);
	f->rec.hint_s = d->hint_s;
	int64_t hint = d->hint_s > res->max_age_s ? d->hint_s : res->max_age_s;
	poll_done(c, f, res, NULL, d->n_items, n_new, hint * 1000, d->note);
	feed_doc_free(d);
}

/* --- pages ------------------------------------------------------------------------ */

static int is_html_type(const char *ct)
{
	return ct == NULL || strncasecmp(ct, "text/html", 9) == 0 ||
	       strncasecmp(ct, "application/xhtml", 17) == 0;
}

/* The article of an outbox entry with the page as its body. */
static int repack_with_page(const feed_outbox_rec *r, const char *page, size_t len, uint8_t **frame,
                            size_t *flen)
{
	Truce__V1__Article *a = truce__v1__article__unpack(NULL, r->len, r->frame);
	if (a == NULL)
		return TRUCE_ECORRUPT;
	Truce__V1__Article copy = *a;
	copy.has_body = 1;
	copy.body.data = (uint8_t *)page;
	copy.body.len = len;
	copy.has_content_type = 1;
	copy.content_type = TRUCE__V1__CONTENT_TYPE__CONTENT_HTML;
	int rc = truce_wire_pack(&copy.base, frame, flen);
	truce__v1__article__free_unpacked(a, NULL);
	return rc;
}

static void drop_page_job(feed_collector *c, page_job *j)
{
	for (size_t i = 0; i < c->npages; i++) {
		if (c->pages[i] == j) {
			c->pages[i] = c->pages[--c->npages];
			break;
		}
	}
	free(j->url);
	free(j);
}

/* Why a page cannot be had by trying again (into buf), or 0. */
static int page_permanent(const feed_http_res *res, char *buf, size_t len)
{
	if (!res->ok) {
		snprintf(buf, len, "%s", res->error);
		return strstr(res->error, "cap") != NULL; /* over the size cap */
	}
	snprintf(buf, len, "HTTP %ld", res->status);
	if (res->status == 200 && !is_html_type(res->content_type)) {
		snprintf(buf, len, "not HTML but %s", res->content_type);
		return 1;
	}
	return res->status >= 400 && res->status < 500 && res->status != 408 && res->status != 429;
}

/* The page came: the outbox entry becomes the article with the page. */
static int page_fetched(feed_collector *c, page_job *j, const feed_http_res *res,
                        const feed_outbox_rec *r, const char *feed_url)
{
	char *page = NULL;
	size_t plen = 0, flen = 0;
	uint8_t *frame = NULL;
	if (!res->ok || res->status != 200 || !is_html_type(res->content_type) ||
	    feed_to_utf8(res->body, res->len, res->content_type, FEED_DOC_HTML, &page, &plen) != 0)
		return 1;
	int rc = plen > 0 ? repack_with_page(r, page, plen, &frame, &flen) : 1;
	free(page);
	if (rc != 0)
		return 1;
	feed_outbox_rec now = *r;
	now.state = FEED_ITEM_SEND;
	now.frame = frame;
	now.len = flen;
	rc = feed_state_outbox_put(c->st, j->key, &now);
	free(frame);
	cli_logf(c->o.log, CLI_LOG_DEBUG, "feed", "%s: page %s fetched (%zu bytes)", feed_url,
	         j->url, plen);
	return rc;
}

/* The page did not come: try again later, or give up and send the feed's
 * text. */
static int page_failed(feed_collector *c, page_job *j, const feed_http_res *res,
                       const feed_outbox_rec *r, const char *feed_url)
{
	char why[300];
	int permanent = page_permanent(res, why, sizeof(why));
	feed_outbox_rec again = *r;
	again.attempts++;
	c->stats.pages_failed++;
	if (permanent || again.attempts >= PAGE_ATTEMPTS || c->o.once) {
		again.state = FEED_ITEM_SEND;
		cli_logf(c->o.log, CLI_LOG_WARN, "feed",
		         "%s: page %s not fetched (%s): sending the feed's text", feed_url, j->url,
		         why);
	} else {
		feed_limits lim = j->feed != NULL ? limits_of(c, j->feed) : c->o.lim;
		int64_t wait = feed_sched_error(again.attempts, res->retry_after_s * 1000, &lim,
		                                randombytes_random());
		again.next_try_us = truce_now_us() + wait * 1000;
		j->due_ms = truce_mono_ms() + wait;
		j->fetching = 0;
	}
	return feed_state_outbox_put(c->st, j->key, &again);
}

static void handle_page(feed_collector *c, feed_http_res *res)
{
	page_job *j = res->owner;
	feed_outbox_rec r;
	int rc = feed_state_outbox_get(c->st, j->key, &r);
	if (rc != 0) {
		fail(c, rc == TRUCE_ENOTFOUND ? 0 : rc);
		drop_page_job(c, j);
		return;
	}
	c->stats.pages++;
	/* r points into the map, which the writes below may move. */
	char *feed_url = strdup(r.feed_url);
	if (feed_url == NULL) {
		fail(c, TRUCE_ENOMEM);
		return;
	}
	rc = page_fetched(c, j, res, &r, feed_url);
	if (rc == 1)
		rc = page_failed(c, j, res, &r, feed_url);
	free(feed_url);
	if (rc == 0 && (rc = feed_state_outbox_get(c->st, j->key, &r)) == 0 &&
	    r.state == FEED_ITEM_SEND) {
		feed_item_rec ir = {.state = FEED_ITEM_SEND, .day = today()};
		rc = feed_state_item_put(c->st, j->key, &ir);
		if (rc == 0)
			rc = keys_push(&c->ready, j->key);
		drop_page_job(c, j);
	}
	fail(c, rc);
}

/* --- the turn -------------------------------------------------------------------- */

static int64_t submit_due(feed_collector *c, int64_t now)
{
	int64_t next = INT64_MAX;
	for (size_t i = 0; i < c->nfeeds; i++) {
		feed_src *f = c->feeds[i];
		if (!f->configured || f->polling || (c->o.once && f->polled))
			continue;
		if (f->due_ms > now) {
			next = f->due_ms < next ? f->due_ms : next;
			continue;
		}
		feed_http_req rq = {.url = f->conf.url,
		                    .etag = f->rec.etag,
		                    .last_modified = f->rec.last_modified,
		                    .ca_file = f->conf.ca_file,
		                    .max_size = c->o.max_feed_size,
		                    .kind = FEED_HTTP_FEED,
		                    .owner = f};
		if (feed_http_submit(c->http, &rq) == 0)
			f->polling = 1;
	}
	for (size_t i = 0; i < c->npages; i++) {
		page_job *j = c->pages[i];
		if (j->fetching)
			continue;
		if (j->due_ms > now) {
			next = j->due_ms < next ? j->due_ms : next;
			continue;
		}
		feed_http_req rq = {.url = j->url,
		                    .ca_file = j->feed != NULL ? j->feed->conf.ca_file : NULL,
		                    .max_size = c->o.max_page_size,
		                    .kind = FEED_HTTP_PAGE,
		                    .owner = j};
		if (feed_http_submit(c->http, &rq) == 0)
			j->fetching = 1;
	}
	return next;
}

/* Hands ready articles to the sender while its window has room. */
static void fill_sender(feed_collector *c)
{
	while (!c->failed && cli_outbox_room(c->out) > 0 && c->ready.n > 0) {
		const uint8_t *key = keys_pop(&c->ready);
		feed_outbox_rec r;
		int rc = feed_state_outbox_get(c->st, key, &r);
		if (rc == TRUCE_ENOTFOUND || (rc == 0 && r.state != FEED_ITEM_SEND))
			continue; /* acked meanwhile, or waiting for its page */
		uint8_t *tag = rc == 0 ? malloc(TRUCE_HASH_LEN) : NULL;
		if (tag == NULL) {
			fail(c, rc != 0 ? rc : TRUCE_ENOMEM);
			return;
		}
		memcpy(tag, key, TRUCE_HASH_LEN);
		rc = cli_outbox_add(c->out, r.frame, r.len, tag);
		if (rc != 0) {
			free(tag);
			fail(c, rc);
		}
	}
}

/* Once a day (and at the start): items gone from their feeds for
 * --forget days are forgotten, so the state does not grow for ever. */
static void forget_old(feed_collector *c)
{
	uint64_t items = 0, urls = 0;
	uint32_t now = today();
	c->pruned_ms = truce_mono_ms();
	if (now <= c->o.forget_days)
		return;
	int rc = feed_state_prune(c->st, now - c->o.forget_days, &items, &urls);
	fail(c, rc);
	if (rc == 0 && items + urls > 0)
		cli_logf(c->o.log, CLI_LOG_INFO, "feed",
		         "forgot %llu items not seen in their feeds for %u days (%llu URLs)",
		         (unsigned long long)items, c->o.forget_days, (unsigned long long)urls);
}

static int write_dirty(feed_collector *c)
{
	for (size_t i = 0; i < c->nfeeds; i++) {
		feed_src *f = c->feeds[i];
		if (!f->dirty)
			continue;
		int rc = feed_state_put_feed(c->st, &f->rec);
		if (rc != 0)
			return rc;
		f->dirty = 0;
	}
	return 0;
}

int feed_collector_turn(feed_collector *c, int wake_fd, int max_wait_ms)
{
	c->stats.turns++;
	int64_t now = truce_mono_ms();
	int64_t next = submit_due(c, now);
	fill_sender(c);
	int wait = max_wait_ms;
	if (next != INT64_MAX && next - now < wait)
		wait = next - now > 0 ? (int)(next - now) : 0;
	if (cli_outbox_unacked(c->out) > 0 && wait > 100)
		wait = 100; /* re-sends are timed by the sender's pump */
	cli_outbox_pump(c->out, 0);
	if (cli_outbox_readable(c->out))
		wait = 0;
	int fds[2] = {cli_outbox_fd(c->out), wake_fd};
	feed_http_poll(c->http, fds, wake_fd >= 0 ? 2 : 1, wait);
	feed_http_res *res;
	while (!c->failed && feed_http_next(c->http, &res)) {
		if (res->kind == FEED_HTTP_FEED)
			handle_feed(c, res);
		else
			handle_page(c, res);
		feed_http_res_free(res);
	}
	if (cli_outbox_pump(c->out, 0) != 0)
		cli_logf(c->o.log, CLI_LOG_WARN, "feed", "cannot renew the socket to truced");
	if (!c->failed && c->o.forget_days > 0 &&
	    (c->pruned_ms == 0 || truce_mono_ms() - c->pruned_ms >= PRUNE_EVERY_MS))
		forget_old(c);
	if (!c->failed)
		fail(c, write_dirty(c));
	if (!c->failed)
		fail(c, feed_state_commit(c->st));
	return c->failed;
}

int feed_collector_done(const feed_collector *c)
{
	if (c->ready.n > 0 || c->npages > 0 || cli_outbox_unacked(c->out) > 0)
		return 0;
	for (size_t i = 0; i < c->nfeeds; i++)
		if (c->feeds[i]->configured && (!c->feeds[i]->polled || c->feeds[i]->polling))
			return 0;
	return 1;
}

const feed_stats *feed_collector_stats(const feed_collector *c)
{
	return &c->stats;
}

const char *feed_collector_failure(feed_collector *c)
{
	return cli_outbox_failure(c->out);
}

int feed_collector_new(void *zctx, feed_state *st, const feed_opts *o, feed_collector **out,
                       char *err, size_t errlen)
{
	feed_collector *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return TRUCE_ENOMEM;
	c->o = *o;
	c->st = st;
	int rc = feed_http_new(&o->http, &c->http);
	if (rc != 0)
		snprintf(err, errlen, "cannot start libcurl: %s", truce_strerror(rc));
	if (rc == 0 && (rc = feed_state_feeds(st, load_feed, c)) != 0)
		snprintf(err, errlen, "cannot read the state: %s", truce_strerror(rc));
	if (rc == 0) {
		if (c->nfeeds > 1)
			qsort(c->feeds, c->nfeeds, sizeof(*c->feeds), cmp_src);
		rc = feed_state_outbox_scan(st, load_outbox, c);
		if (rc != 0)
			snprintf(err, errlen, "cannot read the outbox: %s", truce_strerror(rc));
	}
	feed_state_commit(st); /* ends the read of the loading */
	cli_outbox_opts oo = {.connect = o->connect,
	                      .keys = o->keys,
	                      .window = o->window,
	                      .timeout_ms = o->ack_timeout_ms,
	                      .label = "feed",
	                      .on_ack = on_ack,
	                      .free_tag = free,
	                      .ctx = c};
	if (rc == 0 && (rc = cli_outbox_open(zctx, &oo, &c->out)) != 0)
		snprintf(err, errlen, "cannot connect to %s: %s", o->connect, truce_strerror(rc));
	if (rc != 0) {
		feed_collector_free(c);
		return rc;
	}
	if (c->ready.n + c->npages > 0)
		cli_logf(o->log, CLI_LOG_INFO, "feed",
		         "%zu articles in the outbox from an earlier run (%zu waiting for a page)",
		         c->ready.n + c->npages, c->npages);
	*out = c;
	return 0;
}

void feed_collector_free(feed_collector *c)
{
	if (c == NULL)
		return;
	cli_outbox_close(c->out); /* before the tags' owner goes: no ack comes after */
	feed_http_free(c->http);
	for (size_t i = 0; i < c->nfeeds; i++)
		src_free(c->feeds[i]);
	for (size_t i = 0; i < c->npages; i++) {
		free(c->pages[i]->url);
		free(c->pages[i]);
	}
	free(c->pages);
	free(c->feeds);
	free(c->ready.v);
	free(c);
}
