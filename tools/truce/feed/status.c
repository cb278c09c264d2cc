/*
 * status.c - `truce feed --status`: one line per feed of the state, read
 * without disturbing a running collector (a read-only LMDB transaction,
 * no lock) (see feed.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "feed.h"
#include "truce/date.h"

typedef struct status_row {
	char *url, *row;
} status_row;

typedef struct status_run {
	FILE *out;
	int json;
	int64_t now_us;
	size_t n;
	status_row *rows; /* the table, printed once the widest URL is known */
	size_t nrows, width;
} status_run;

static int keep_row(status_run *run, const char *url, const char *row)
{
	status_row *v = realloc(run->rows, (run->nrows + 1) * sizeof(*v));
	if (v == NULL)
		return TRUCE_ENOMEM;
	run->rows = v;
	status_row *r = &v[run->nrows];
	r->url = strdup(url);
	r->row = strdup(row);
	if (r->url == NULL || r->row == NULL) {
		free(r->url);
		free(r->row);
		return TRUCE_ENOMEM;
	}
	run->nrows++;
	if (strlen(url) > run->width)
		run->width = strlen(url);
	return 0;
}

/* The table: FEED (as wide as the widest URL), the counts, RESULT last. */
static void print_table(status_run *run)
{
	int w = (int)run->width;
	if (run->nrows > 0)
		fprintf(run->out, "%-*s  %-10s %-10s %6s %6s %6s %7s %5s  %s\n", w, "FEED",
		        "LAST POLL", "NEXT POLL", "ERRORS", "ITEMS", "SENT", "PENDING", "SAME",
		        "RESULT");
	for (size_t i = 0; i < run->nrows; i++) {
		fprintf(run->out, "%-*s  %s\n", w, run->rows[i].url, run->rows[i].row);
		free(run->rows[i].url);
		free(run->rows[i].row);
	}
	free(run->rows);
}

static void ago(int64_t now_us, int64_t then_us, int future, char *out, size_t len)
{
	char d[32];
	if (then_us == 0) {
		snprintf(out, len, "-");
		return;
	}
	int64_t diff = future ? then_us - now_us : now_us - then_us;
	if (future && diff <= 0) {
		snprintf(out, len, "due");
		return;
	}
	feed_format_duration(diff > 0 ? diff / 1000 : 0, d, sizeof(d));
	snprintf(out, len, future ? "in %s" : "%s ago", d);
}

static void time_field(json_t *o, const char *k, int64_t us)
{
	char t[40];
	if (us == 0) {
		json_object_set_new(o, k, json_null());
		return;
	}
	truce_rfc3339(us, t, sizeof(t));
	json_object_set_new(o, k, json_string(t));
}

static int one_feed(void *ctx, const feed_rec *r)
{
	status_run *run = ctx;
	run->n++;
	if (run->json) {
		json_t *o = json_object();
		json_object_set_new(o, "feed", json_string(r->url));
		json_object_set_new(o, "listed", json_boolean(!r->unlisted));
		if (r->title != NULL)
			json_object_set_new(o, "title", json_string(r->title));
		time_field(o, "last_poll", r->last_poll_us);
		json_object_set_new(o, "result",
		                    r->last_result ? json_string(r->last_result) : json_null());
		time_field(o, "next_poll", r->next_poll_us);
		json_object_set_new(o, "interval_s", json_integer(r->interval_ms / 1000));
		json_object_set_new(o, "hint_s", json_integer(r->hint_s));
		json_object_set_new(o, "errors", json_integer(r->errors));
		json_object_set_new(o, "last_error",
		                    r->last_error ? json_string(r->last_error) : json_null());
		json_object_set_new(o, "polls", json_integer((json_int_t)r->polls));
		json_object_set_new(o, "items", json_integer((json_int_t)r->items));
		json_object_set_new(o, "sent", json_integer((json_int_t)r->sent));
		json_object_set_new(o, "pending", json_integer((json_int_t)r->pending));
		json_object_set_new(o, "same", json_integer((json_int_t)r->same));
		json_object_set_new(o, "rejected", json_integer((json_int_t)r->rejected));
		json_object_set_new(o, "etag", r->etag ? json_string(r->etag) : json_null());
		json_object_set_new(o, "last_modified",
		                    r->last_modified ? json_string(r->last_modified) : json_null());
		time_field(o, "last_new", r->last_new_us);
		char *s = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		if (s == NULL)
			return TRUCE_ENOMEM;
		fprintf(run->out, "%s\n", s);
		free(s);
		return 0;
	}
	char last[32], next[32], row[512];
	ago(run->now_us, r->last_poll_us, 0, last, sizeof(last));
	ago(run->now_us, r->next_poll_us, 1, next, sizeof(next));
	int n = snprintf(row, sizeof(row), "%-10s %-10s %6u %6llu %6llu %7llu %5llu  %s", last,
	                 next, r->errors, (unsigned long long)r->items, (unsigned long long)r->sent,
	                 (unsigned long long)r->pending, (unsigned long long)r->same,
	                 r->unlisted      ? "not in the feed lists any more"
	                 : r->last_result ? r->last_result
	                                  : "not polled yet");
	return n < 0 ? TRUCE_EIO : keep_row(run, r->url, row);
}

int feed_status(const char *dir, int json, FILE *out, char *err, size_t errlen)
{
	feed_state *st;
	int rc = feed_state_open(dir, 1, &st, err, errlen);
	if (rc != 0)
		return rc;
	status_run run = {.out = out, .json = json, .now_us = truce_now_us()};
	rc = feed_state_feeds(st, one_feed, &run);
	feed_state_commit(st);
	feed_state_close(st);
	if (!json)
		print_table(&run);
	if (rc != 0)
		snprintf(err, errlen, "cannot read the state in %s: %s", dir, truce_strerror(rc));
	else if (run.n == 0 && !json)
		fprintf(out, "no feeds in %s yet\n", dir);
	return rc;
}
