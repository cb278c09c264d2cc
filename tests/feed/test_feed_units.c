/*
 * test_feed_units.c - unit tests of the feed collector's pieces that need
 * no network: feeds.conf and OPML (conf.c), durations, the schedule
 * (sched.c: adaptive interval, hints, backoff with jitter, Retry-After,
 * never giving up) and the durable state (state.c: records, items, the
 * outbox, the lock, a turn that is not committed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "feed.h"

static char tmpdir[64];

static int make_tmp(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/truce-feedunit.XXXXXX");
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int drop_tmp(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *write_tmp(const char *name, const char *text)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_durations(void **state)
{
	(void)state;
	int64_t ms;
	const struct {
		const char *s;
		int64_t ms;
	} ok[] = {{"90", 90000},
	          {"90s", 90000},
	          {"500ms", 500},
	          {"15m", 900000},
	          {"2h", 7200000},
	          {"1d", 86400000},
	          {"366d", 366LL * 86400000}};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(feed_parse_duration(ok[i].s, &ms), 0);
		assert_int_equal(ms, ok[i].ms);
	}
	const char *bad[] = {
	    "", "0", "0s", "-5m", "5x", "m", "1.5h", "367d", "99999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (feed_parse_duration(bad[i], &ms) == 0)
			fail_msg("'%s' parsed", bad[i]);
	char out[32];
	feed_format_duration(45000, out, sizeof(out));
	assert_string_equal(out, "45s");
	feed_format_duration(900000, out, sizeof(out));
	assert_string_equal(out, "15m");
	feed_format_duration(9000000, out, sizeof(out));
	assert_string_equal(out, "2h30m");
	feed_format_duration(3 * 86400000LL, out, sizeof(out));
	assert_string_equal(out, "3d");
}

static void test_conf(void **state)
{
	(void)state;
	const char *path = write_tmp(
	    "feeds.conf", "# comment\n"
	                  "\n"
	                  "https://a.example/rss  source=\"A News\" interval=15m\n"
	                  "   http://b.example/feed.json fetch_page=yes floor=1m ceiling=1d "
	                  "ca_file=/etc/ca.pem  # trailing comment\n"
	                  "https://c.example/atom\n");
	feed_conf_list l = {0};
	char err[256] = "";
	assert_int_equal(feed_conf_load(path, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0].url, "https://a.example/rss");
	assert_string_equal(l.v[0].source, "A News");
	assert_int_equal(l.v[0].floor_ms, 900000);
	assert_int_equal(l.v[0].ceiling_ms, 900000);
	assert_false(l.v[0].fetch_page);
	assert_true(l.v[1].fetch_page);
	assert_int_equal(l.v[1].floor_ms, 60000);
	assert_int_equal(l.v[1].ceiling_ms, 86400000);
	assert_string_equal(l.v[1].ca_file, "/etc/ca.pem");
	assert_non_null(strstr(l.v[1].where, "feeds.conf:4"));
	assert_null(l.v[2].source);
	/* --print writes lines that read back the same */
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	for (size_t i = 0; i < l.n; i++)
		feed_conf_print(f, &l.v[i]);
	fclose(f);
	feed_conf_list again = {0};
	assert_int_equal(feed_conf_load(write_tmp("again.conf", text), &again, err, sizeof(err)),
	                 0);
	assert_int_equal(again.n, 3);
	assert_string_equal(again.v[0].source, "A News");
	assert_int_equal(again.v[1].ceiling_ms, 86400000);
	assert_string_equal(again.v[1].ca_file, "/etc/ca.pem");
	free(text);
	feed_conf_list_free(&again);
	feed_conf_list_free(&l);

	const struct {
		const char *line, *err;
	} bad[] = {
	    {"https://a.example/x fetch_page=maybe", "fetch_page wants yes or no"},
	    {"https://a.example/x colour=red", "unknown option 'colour'"},
	    {"https://a.example/x source", "'source' is not name=value"},
	    {"https://a.example/x =x", "'=x' is not name=value"},
	    {"file:///etc/passwd", "not an http or https URL"},
	    {"not a url", "not a URL"},
	    {"https://a.example/x interval=", "interval wants a duration"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		feed_conf_list b = {0};
		err[0] = '\0';
		assert_int_equal(
		    feed_conf_load(write_tmp("bad.conf", bad[i].line), &b, err, sizeof(err)),
		    TRUCE_EINVAL);
		if (strstr(err, bad[i].err) == NULL || strstr(err, "bad.conf:1") == NULL)
			fail_msg("'%s': %s", bad[i].line, err);
		feed_conf_list_free(&b);
	}
	feed_conf_list none = {0};
	assert_int_equal(feed_conf_load("/nonexistent/feeds.conf", &none, err, sizeof(err)),
	                 TRUCE_EIO);
}

static void test_opml(void **state)
{
	(void)state;
	const char *path = write_tmp(
	    "subs.opml",
	    "<?xml version=\"1.0\"?><opml version=\"1.0\"><body>"
	    "<outline text=\"Folder\"><outline text=\"One\" xmlUrl=\"https://one.example/rss\"/>"
	    "<outline title=\"Two &amp; Co\" text=\"ignored\" xmlUrl=\" https://two.example/a \"/>"
	    "</outline><outline text=\"no url\"/></body></opml>");
	feed_conf_list l = {0};
	char err[256] = "";
	assert_int_equal(feed_opml_load(path, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].source, "One");
	assert_string_equal(l.v[1].url, "https://two.example/a");
	assert_string_equal(l.v[1].source, "Two & Co");
	/* the same URL in feeds.conf and the OPML list is one feed too many */
	assert_int_equal(feed_opml_load(path, &l, err, sizeof(err)), TRUCE_EINVAL);
	assert_non_null(strstr(err, "listed twice"));
	feed_conf_list_free(&l);
	assert_int_equal(feed_opml_load(write_tmp("x.opml", "<rss/>"), &l, err, sizeof(err)),
	                 TRUCE_EINVAL);
	assert_non_null(strstr(err, "not OPML"));
	feed_conf_list_free(&l);
}

static void test_sched(void **state)
{
	(void)state;
	const feed_limits lim = {.floor_ms = 60000, .ceiling_ms = 3600000};
	/* adaptive: halved with news, half again as long without, in bounds */
	assert_int_equal(feed_sched_adapt(600000, 3, 0, &lim), 300000);
	assert_int_equal(feed_sched_adapt(600000, 0, 0, &lim), 900000);
	assert_int_equal(feed_sched_adapt(70000, 5, 0, &lim), 60000);
	assert_int_equal(feed_sched_adapt(3000000, 0, 0, &lim), 3600000);
	assert_int_equal(feed_sched_adapt(600000, 20, 1, &lim), 600000); /* first poll */
	assert_int_equal(feed_sched_adapt(0, 0, 1, &lim), 60000);
	/* jitter: +-10 %, never past the ceiling; hints raise, up to the ceiling */
	assert_int_equal(feed_sched_ok(600000, 0, &lim, 0), 540000);
	assert_in_range(feed_sched_ok(600000, 0, &lim, UINT32_MAX), 659000, 660000);
	/* a hint is a lower bound: never polled sooner, the spread goes above */
	assert_int_equal(feed_sched_ok(600000, 1800000, &lim, 0), 1800000);
	assert_in_range(feed_sched_ok(600000, 1800000, &lim, UINT32_MAX), 1979000, 1980000);
	assert_int_equal(feed_sched_ok(600000, 100000, &lim, 0), 540000); /* below: no effect */
	assert_int_equal(feed_sched_ok(600000, 86400000, &lim, 0), 3600000);
	assert_int_equal(feed_sched_ok(600000, 86400000, &lim, UINT32_MAX), 3600000);
	/* errors: the floor doubled per failure, full jitter in the upper half */
	for (uint32_t e = 1; e <= 40; e++) {
		int64_t want = lim.floor_ms << (e - 1 < 10 ? e - 1 : 10);
		if (want > lim.ceiling_ms)
			want = lim.ceiling_ms;
		int64_t lo = feed_sched_error(e, 0, &lim, 0),
		        hi = feed_sched_error(e, 0, &lim, UINT32_MAX);
		assert_int_equal(lo, want / 2);
		assert_in_range(hi, want - want / 1000 - 1, want);
	}
	/* never given up: the thousandth failure still waits no more than the ceiling */
	assert_true(feed_sched_error(1000, 0, &lim, UINT32_MAX) <= lim.ceiling_ms);
	/* Retry-After is a lower bound, honoured beyond the ceiling up to a day */
	assert_int_equal(feed_sched_error(1, 7200000, &lim, 0), 7200000);
	assert_int_equal(feed_sched_error(1, 10 * 86400000LL, &lim, 0), FEED_MAX_RETRY_AFTER_MS);
}

static int count_feed(void *ctx, const feed_rec *r)
{
	(void)r;
	(*(int *)ctx)++;
	return 0;
}

static int count_outbox(void *ctx, const uint8_t *key, const feed_outbox_rec *r)
{
	(void)key;
	assert_string_equal(r->feed_url, "https://a.example/rss");
	(*(int *)ctx)++;
	return 0;
}

static void test_state(void **state)
{
	(void)state;
	char dir[128], err[256] = "";
	snprintf(dir, sizeof(dir), "%s/state", tmpdir);
	feed_state *st = NULL;
	assert_int_equal(feed_state_open(dir, 1, &st, err, sizeof(err)), TRUCE_ENOTFOUND);
	assert_int_equal(feed_state_open(dir, 0, &st, err, sizeof(err)), 0);
	feed_state *second = NULL;
	assert_int_equal(feed_state_open(dir, 0, &second, err, sizeof(err)), TRUCE_EBUSY);
	assert_non_null(strstr(err, "in use"));

	feed_rec r = {0};
	r.url = strdup("https://a.example/rss");
	r.etag = strdup("W/\"abc\"");
	r.last_modified = strdup("Wed, 03 Aug 2022 10:15:00 GMT");
	r.next_poll_us = 1234567;
	r.errors = 3;
	r.sent = 7;
	r.hint_s = 1800;
	assert_int_equal(feed_state_put_feed(st, &r), 0);
	uint8_t key[TRUCE_HASH_LEN] = {1}, ckey[TRUCE_HASH_LEN] = {2}, got[TRUCE_HASH_LEN];
	feed_item_rec ir = {.state = FEED_ITEM_SEND, .day = 19000};
	assert_int_equal(feed_state_item_put(st, key, &ir), 0);
	assert_int_equal(feed_state_url_put(st, ckey, key), 0);
	const uint8_t frame[] = "packed article";
	feed_outbox_rec ob = {.state = FEED_ITEM_PAGE,
	                      .attempts = 2,
	                      .next_try_us = 99,
	                      .feed_url = r.url,
	                      .frame = frame,
	                      .len = sizeof(frame)};
	assert_int_equal(feed_state_outbox_put(st, key, &ob), 0);
	assert_int_equal(feed_state_commit(st), 0);

	/* a turn that is not committed leaves nothing behind */
	uint8_t other[TRUCE_HASH_LEN] = {3};
	feed_item_rec acked = {.state = FEED_ITEM_ACKED, .day = 19000, .seq = 5};
	assert_int_equal(feed_state_item_put(st, other, &acked), 0);
	feed_state_close(st);

	assert_int_equal(feed_state_open(dir, 0, &st, err, sizeof(err)), 0);
	feed_item_rec got_ir;
	assert_int_equal(feed_state_item_get(st, other, &got_ir), TRUCE_ENOTFOUND);
	assert_int_equal(feed_state_item_get(st, key, &got_ir), 0);
	assert_int_equal(got_ir.state, FEED_ITEM_SEND);
	assert_int_equal(got_ir.day, 19000);
	assert_int_equal(feed_state_url_get(st, ckey, got), 0);
	assert_memory_equal(got, key, TRUCE_HASH_LEN);
	feed_outbox_rec back;
	assert_int_equal(feed_state_outbox_get(st, key, &back), 0);
	assert_int_equal(back.state, FEED_ITEM_PAGE);
	assert_int_equal(back.attempts, 2);
	assert_int_equal(back.next_try_us, 99);
	assert_int_equal(back.len, sizeof(frame));
	assert_memory_equal(back.frame, frame, sizeof(frame));
	feed_rec r2;
	assert_int_equal(feed_state_get_feed(st, r.url, &r2), 0);
	assert_string_equal(r2.etag, "W/\"abc\"");
	assert_string_equal(r2.last_modified, "Wed, 03 Aug 2022 10:15:00 GMT");
	assert_int_equal(r2.next_poll_us, 1234567);
	assert_int_equal(r2.errors, 3);
	assert_int_equal(r2.sent, 7);
	assert_int_equal(r2.hint_s, 1800); /* a 304 honours the last 200's <ttl> */
	assert_null(r2.title);
	feed_rec_clear(&r2);
	int nf = 0, no = 0;
	assert_int_equal(feed_state_feeds(st, count_feed, &nf), 0);
	assert_int_equal(feed_state_outbox_scan(st, count_outbox, &no), 0);
	assert_int_equal(nf, 1);
	assert_int_equal(no, 1);
	/* acked: the outbox forgets it, the item remembers its seq */
	ir = (feed_item_rec){.state = FEED_ITEM_ACKED, .day = 19001, .seq = 42};
	assert_int_equal(feed_state_item_put(st, key, &ir), 0);
	assert_int_equal(feed_state_outbox_del(st, key), 0);
	assert_int_equal(feed_state_commit(st), 0);
	assert_int_equal(feed_state_item_get(st, key, &got_ir), 0);
	assert_int_equal(got_ir.state, FEED_ITEM_ACKED);
	assert_int_equal(got_ir.seq, 42);
	assert_int_equal(feed_state_outbox_get(st, key, &back), TRUCE_ENOTFOUND);
	feed_state_commit(st);

	/* --status reads while the collector holds the state */
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_int_equal(feed_status(dir, 1, f, err, sizeof(err)), 0);
	fclose(f);
	assert_non_null(strstr(text, "\"feed\":\"https://a.example/rss\""));
	assert_non_null(strstr(text, "\"errors\":3"));
	free(text);
	feed_state_close(st);
	feed_rec_clear(&r);
}

/* Forgetting: only items done with and not seen since the cutoff go, with
 * their content keys; items still in the outbox stay whatever their age. */
static void test_prune(void **state)
{
	(void)state;
	char dir[128], err[256] = "";
	snprintf(dir, sizeof(dir), "%s/prune", tmpdir);
	feed_state *st = NULL;
	assert_int_equal(feed_state_open(dir, 0, &st, err, sizeof(err)), 0);
	const struct {
		int state;
		uint32_t day;
		int gone;
	} items[] = {
	    {FEED_ITEM_ACKED, 100, 1}, {FEED_ITEM_REJECTED, 100, 1}, {FEED_ITEM_SAME, 100, 1},
	    {FEED_ITEM_SEND, 100, 0},  {FEED_ITEM_PAGE, 100, 0},     {FEED_ITEM_ACKED, 200, 0},
	    {FEED_ITEM_ACKED, 199, 1},
	};
	size_t n = sizeof(items) / sizeof(items[0]);
	for (size_t i = 0; i < n; i++) {
		uint8_t key[TRUCE_HASH_LEN] = {(uint8_t)(i + 1)},
		        ckey[TRUCE_HASH_LEN] = {0, (uint8_t)i};
		feed_item_rec r = {.state = items[i].state, .day = items[i].day, .seq = i};
		assert_int_equal(feed_state_item_put(st, key, &r), 0);
		assert_int_equal(feed_state_url_put(st, ckey, key), 0);
	}
	assert_int_equal(feed_state_commit(st), 0);
	uint64_t ni = 0, nu = 0;
	assert_int_equal(feed_state_prune(st, 200, &ni, &nu), 0);
	assert_int_equal(feed_state_commit(st), 0);
	assert_int_equal(ni, 4);
	assert_int_equal(nu, 4);
	for (size_t i = 0; i < n; i++) {
		uint8_t key[TRUCE_HASH_LEN] = {(uint8_t)(i + 1)},
		        ckey[TRUCE_HASH_LEN] = {0, (uint8_t)i};
		uint8_t back[TRUCE_HASH_LEN];
		feed_item_rec r;
		int want = items[i].gone ? TRUCE_ENOTFOUND : 0;
		assert_int_equal(feed_state_item_get(st, key, &r), want);
		assert_int_equal(feed_state_url_get(st, ckey, back), want);
	}
	feed_state_commit(st);
	feed_state_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_durations), cmocka_unit_test(test_conf),
	    cmocka_unit_test(test_opml),      cmocka_unit_test(test_sched),
	    cmocka_unit_test(test_state),     cmocka_unit_test(test_prune),
	};
	return cmocka_run_group_tests(tests, make_tmp, drop_tmp);
}
