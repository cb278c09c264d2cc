/*
 * feed.h - `truce feed`, the feed collector, in modules (the parsers are in
 * feedparse.h):
 *
 *   conf.c       feeds.conf and OPML subscription lists, durations
 *   state.c      the durable state in --state DIR (LMDB): per feed its
 *                validators, polls and errors; per item whether it was
 *                acked; the outbox of articles not yet acked
 *   sched.c      when to poll next: adaptive interval, hints, backoff
 *   http.c       libcurl multi: many transfers at once, per-host limits
 *                and delays, conditional GET, size caps
 *   collector.c  the loop that ties them: poll, parse, store, send, ack
 *   status.c     `truce feed --status`
 *   bench.c      `truce bench feed`
 *   cmd_feed.c   (tools/truce/) the command line and signals
 *
 * The promise (README, "Guarantees"): an item is remembered as sent only
 * when truced acked it, and an article is written to the outbox in the same
 * LMDB transaction that records the poll that found it, so a kill -9 at any
 * moment loses nothing: a poll not yet committed is made again (its
 * validators were not saved either), an article not yet acked is sent
 * again from the outbox, and truced acks a re-sent one as DUPLICATE.
 */
#ifndef TRUCE_FEED_FEED_H
#define TRUCE_FEED_FEED_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "feedparse.h"
#include "cli.h"

/* ======================================================================
 * Configuration (conf.c)
 * ====================================================================== */

/* One feed as feeds.conf (or an OPML outline) lists it. */
typedef struct feed_conf {
	char *url;
	char *source;     /* Article.source; NULL: the feed's own title */
	int64_t floor_ms; /* bounds of its adaptive interval; 0: the command's */
	int64_t ceiling_ms;
	int fetch_page;  /* send the linked page instead of the item's text */
	char *ca_file;   /* a CA bundle to verify this feed's HTTPS with */
	char where[128]; /* "feeds.conf:12", for messages */
} feed_conf;

typedef struct feed_conf_list {
	feed_conf *v;
	size_t n, cap;
} feed_conf_list;

/*
 * Reads feeds.conf into l (appending). Format, one feed a line:
 *
 *   URL [name=value ...]        # comments and blank lines are ignored
 *
 * names: source, interval, floor, ceiling, fetch_page (yes/no), ca_file;
 * values with spaces in double quotes. A line that does not parse, an
 * unknown name, a URL that is not http(s) or a URL listed twice is an
 * error naming its line (TRUCE_EINVAL); TRUCE_EIO when the file cannot
 * be read.
 */
int feed_conf_load(const char *path, feed_conf_list *l, char *err, size_t errlen);

/* Reads the feeds of an OPML subscription list (every <outline> with an
 * xmlUrl, at any depth; source from its title or text) into l. */
int feed_opml_load(const char *path, feed_conf_list *l, char *err, size_t errlen);

void feed_conf_list_free(feed_conf_list *l);

/* The line feeds.conf would have for c (for --opml --print). */
void feed_conf_print(FILE *f, const feed_conf *c);

/* "90" (seconds), "90s", "500ms", "15m", "2h", "1d" into milliseconds;
 * TRUCE_EINVAL on anything else or zero. */
int feed_parse_duration(const char *s, int64_t *ms);

/* A duration for people: "45s", "15m", "2h30m", "3d". */
void feed_format_duration(int64_t ms, char *out, size_t len);

/* ======================================================================
 * Durable state (state.c)
 * ====================================================================== */

typedef struct feed_state feed_state;

/* What is remembered of one feed (kept as JSON in the feeds db). */
typedef struct feed_rec {
	char *url;
	char *etag, *last_modified; /* validators of the last 200, for conditional GET */
	char *title;                /* the feed's own title */
	char *last_result;          /* "200: 20 items, 3 new", "304", "error: ..." */
	char *last_error;           /* the last error, NULL when none since */
	int64_t last_poll_us, next_poll_us, last_new_us; /* wall clock */
	int64_t interval_ms;                             /* the adaptive interval */
	/* The document's own hint (RSS <ttl>, sy:), kept from the last 200 so
	 * that the 304s after it honour it too. */
	int64_t hint_s;
	uint32_t errors; /* consecutive failed polls */

	uint64_t polls, items, sent, pending, same, rejected;
	int unlisted; /* no longer in the feed lists (its outbox is still sent) */
} feed_rec;

void feed_rec_clear(feed_rec *r);
/* A deep copy; TRUCE_ENOMEM. */
int feed_rec_copy(const feed_rec *from, feed_rec *to);
/* Replaces *slot with a copy of v (NULL allowed); TRUCE_ENOMEM. */
int feed_set_str(char **slot, const char *v);

enum feed_item_state {
	FEED_ITEM_PAGE = 1,     /* in the outbox, waiting for its page */
	FEED_ITEM_SEND = 2,     /* in the outbox, ready to send */
	FEED_ITEM_ACKED = 3,    /* truced acked it STORED or DUPLICATE */
	FEED_ITEM_REJECTED = 4, /* truced rejected it (the log says why) */
	FEED_ITEM_SAME = 5,     /* its URL came in another item first: not sent */
};

/* An article waiting in the outbox. */
typedef struct feed_outbox_rec {
	int state;            /* FEED_ITEM_PAGE or FEED_ITEM_SEND */
	uint32_t attempts;    /* page fetches tried */
	int64_t next_try_us;  /* when to fetch the page again */
	const char *feed_url; /* the feed that found it */
	const uint8_t *frame; /* the packed Article (with the feed's text) */
	size_t len;
} feed_outbox_rec;

/* Opens (creating, mode 0700) the state in dir; read_only for --status.
 * TRUCE_EBUSY when another `truce feed` holds dir. */
int feed_state_open(const char *dir, int read_only, feed_state **out, char *err, size_t errlen);
void feed_state_close(feed_state *s);

/*
 * All reads and writes go through one write transaction per turn of the
 * collector's loop, begun by the first call that needs it and committed by
 * feed_state_commit: one fsync for all the polls and acks of a turn.
 * TRUCE_EFULL from a write means the map could not grow in time: the turn
 * is lost (nothing of it was committed) and the caller must stop.
 */
int feed_state_commit(feed_state *s);
int feed_state_in_txn(const feed_state *s);

int feed_state_get_feed(feed_state *s, const char *url, feed_rec *out);
int feed_state_put_feed(feed_state *s, const feed_rec *r);
/* Every feed record, in URL order (one read transaction). */
int feed_state_feeds(feed_state *s, int (*fn)(void *ctx, const feed_rec *r), void *ctx);

/* What became of one item, and the last day (days since 1970-01-01) a poll
 * saw it in its feed. */
typedef struct feed_item_rec {
	int state; /* enum feed_item_state */
	uint32_t day;
	uint64_t seq; /* the article's seq, when acked */
} feed_item_rec;

int feed_state_item_get(feed_state *s, const uint8_t key[TRUCE_HASH_LEN], feed_item_rec *out);
int feed_state_item_put(feed_state *s, const uint8_t key[TRUCE_HASH_LEN], const feed_item_rec *r);

/*
 * Forgets the items that are done (acked, rejected, or the same as
 * another's) and that no poll has seen since before day, and the content
 * keys of the items forgotten; counts into *items and *urls. An item still
 * listed by its feed is seen at every poll, so only those that left their
 * feed go; one that came back would be sent again, and truced would ack it
 * DUPLICATE.
 */
int feed_state_prune(feed_state *s, uint32_t before_day, uint64_t *items, uint64_t *urls);

/* Which item first had a content key (the cross-feed dedup). */
int feed_state_url_get(feed_state *s, const uint8_t ckey[TRUCE_HASH_LEN],
                       uint8_t item_key[TRUCE_HASH_LEN]);
int feed_state_url_put(feed_state *s, const uint8_t ckey[TRUCE_HASH_LEN],
                       const uint8_t item_key[TRUCE_HASH_LEN]);

/* The outbox; a record read is valid until the transaction ends. */
int feed_state_outbox_get(feed_state *s, const uint8_t key[TRUCE_HASH_LEN], feed_outbox_rec *out);
int feed_state_outbox_put(feed_state *s, const uint8_t key[TRUCE_HASH_LEN],
                          const feed_outbox_rec *r);
int feed_state_outbox_del(feed_state *s, const uint8_t key[TRUCE_HASH_LEN]);
int feed_state_outbox_scan(feed_state *s,
                           int (*fn)(void *ctx, const uint8_t *key, const feed_outbox_rec *r),
                           void *ctx);

/* ======================================================================
 * Scheduling (sched.c): pure functions of the feed's history.
 * ====================================================================== */

typedef struct feed_limits {
	int64_t floor_ms, ceiling_ms;
} feed_limits;

/* Retry-After is honoured up to this long, whatever the ceiling. */
#define FEED_MAX_RETRY_AFTER_MS (24LL * 3600 * 1000)

/*
 * The adaptive interval after a successful poll: halved when it found new
 * items, one and a half times when it found none (a 304 included), within
 * the limits. The first poll of a feed (everything is new) leaves it.
 */
int64_t feed_sched_adapt(int64_t interval_ms, size_t new_items, int first_poll,
                         const feed_limits *lim);

/*
 * The wait before the next poll after a successful one: the interval,
 * raised by the publisher's hint (Cache-Control max-age, RSS ttl,
 * sy:updatePeriod; never above the ceiling) and spread by +-10 % (rnd: a
 * random 32-bit number) so that feeds added together do not stay in step.
 */
int64_t feed_sched_ok(int64_t interval_ms, int64_t hint_ms, const feed_limits *lim, uint32_t rnd);

/*
 * The wait after the errors-th failure in a row: the floor doubled for each
 * earlier failure, capped at the ceiling (so a broken feed is still tried
 * at least once a ceiling: none is ever given up), with full jitter in the
 * upper half; a Retry-After (ms, 0 when none) is a lower bound, honoured up
 * to FEED_MAX_RETRY_AFTER_MS.
 */
int64_t feed_sched_error(uint32_t errors, int64_t retry_after_ms, const feed_limits *lim,
                         uint32_t rnd);

/* ======================================================================
 * HTTP (http.c)
 * ====================================================================== */

typedef struct feed_http feed_http;

typedef struct feed_http_opts {
	int per_host;          /* most transfers (and connections) to one host at once */
	int64_t host_delay_ms; /* least time between two transfer starts to one host */
	int parallel;          /* most transfers at once in all */
	long max_redirects;
	int64_t connect_timeout_ms;
	int64_t timeout_ms; /* the whole transfer */
} feed_http_opts;

enum feed_http_kind { FEED_HTTP_FEED, FEED_HTTP_PAGE };

typedef struct feed_http_req {
	const char *url;
	const char *etag, *last_modified; /* validators for a conditional GET; NULL none */
	const char *ca_file;              /* NULL: the system's CAs */
	size_t max_size;                  /* body cap in bytes (after decompression) */
	enum feed_http_kind kind;
	void *owner;
} feed_http_req;

typedef struct feed_http_res {
	enum feed_http_kind kind;
	void *owner;
	char *url; /* as requested */
	int ok;    /* the HTTP exchange completed (any status); else error says why */
	char error[256];
	long status;
	char *body; /* NUL-terminated; len bytes */
	size_t len;
	char *content_type, *etag, *last_modified, *effective_url;
	int64_t retry_after_s; /* 0 when none */
	int64_t max_age_s;     /* Cache-Control max-age; 0 when none */
	int64_t elapsed_ms;    /* from the transfer's start */
} feed_http_res;

/* The User-Agent: names truce and its version. */
#define FEED_USER_AGENT "truce-feed/" TRUCE_VERSION " (truce " TRUCE_VERSION "; feed collector)"

int feed_http_new(const feed_http_opts *o, feed_http **out);
void feed_http_free(feed_http *h);

/* Queues a request behind the others to its host (copies the strings). */
int feed_http_submit(feed_http *h, const feed_http_req *r);

/*
 * Starts what the limits allow, waits up to wait_ms for progress on the
 * transfers or for an event on one of fds (readable; n may be 0), and runs
 * the transfers. Never waits past the moment a queued request may start.
 */
int feed_http_poll(feed_http *h, const int *fds, unsigned n, int wait_ms);

/* The next finished transfer (1, and *res: free it), or 0 when none. */
int feed_http_next(feed_http *h, feed_http_res **res);
void feed_http_res_free(feed_http_res *r);

size_t feed_http_active(const feed_http *h);
size_t feed_http_queued(const feed_http *h);

/* ======================================================================
 * The collector (collector.c)
 * ====================================================================== */

typedef struct feed_opts {
	const char *connect;           /* truced's ingest endpoint */
	const truce_client_keys *keys; /* CURVE; NULL = plain */
	const char *collector_id;
	size_t window;          /* most articles unacked at once */
	int64_t ack_timeout_ms; /* first re-send timeout */
	feed_limits lim;        /* interval floor and ceiling, unless a feed sets its own */
	feed_http_opts http;
	size_t max_feed_size, max_page_size; /* response caps */
	uint32_t forget_days; /* items gone from their feeds this long are forgotten */
	int once;             /* poll every feed once now, send it all, then feed_collector_done */
	const cli_log *log;
} feed_opts;

/* Counters since the start, for logs and the benchmark. */
typedef struct feed_stats {
	uint64_t polls, ok, not_modified, errors;  /* poll results */
	uint64_t items_new, acked, rejected, same; /* items */
	uint64_t pages, pages_failed;
	uint64_t turns;
} feed_stats;

typedef struct feed_collector feed_collector;

/* Loads every feed the state knows and the outbox, connects to truced. */
int feed_collector_new(void *zctx, feed_state *st, const feed_opts *o, feed_collector **out,
                       char *err, size_t errlen);
void feed_collector_free(feed_collector *c);

/* The feeds to follow (at start and on SIGHUP): new ones are polled now,
 * ones no longer listed stop being polled (what they found is still sent),
 * changed settings apply from the next poll. */
int feed_collector_configure(feed_collector *c, const feed_conf_list *l);

/*
 * One turn of the loop: starts due polls and page fetches, hands ready
 * articles to the sender, waits up to max_wait_ms for transfers, acks or
 * wake_fd (a signal pipe, -1 none), then handles what came and commits it
 * all in one transaction. An error return (the state cannot be written)
 * means the collector must stop: nothing of the failed turn was kept.
 */
int feed_collector_turn(feed_collector *c, int wake_fd, int max_wait_ms);

/* With opts.once: every feed was polled once and every article it found
 * acked (or rejected). */
int feed_collector_done(const feed_collector *c);

/* Polls every configured feed again now (the benchmark's second pass). */
void feed_collector_poll_all(feed_collector *c);

const feed_stats *feed_collector_stats(const feed_collector *c);

/* Why nothing is acked, when the handshake with truced failed; or NULL. */
const char *feed_collector_failure(feed_collector *c);

/* ======================================================================
 * `truce feed --status` (status.c): one line per feed of the state in dir
 * (a table, or one JSON object per line).
 * ====================================================================== */

int feed_status(const char *dir, int json, FILE *out, char *err, size_t errlen);

#endif
