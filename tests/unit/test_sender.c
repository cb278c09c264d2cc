/*
 * test_sender.c - the sender's ack window and re-sends
 * (tools/client/sender.c), driven against a ROUTER socket the test plays
 * truced with: the window is never exceeded, an article not acked in time
 * is sent again with the timeout doubling up to TRUCE_SENDER_MAX_TIMEOUT_MS,
 * late, duplicate and malformed acks change nothing, each article's status
 * is recorded and reported once, and what is never acked shows UNACKED.
 *
 * The re-send schedule is checked on a clock the test moves
 * (TRUCE_TEST_FAKE_CLOCK, helpers.h), so no assertion depends on how fast
 * the machine is; waits on the sockets are bounded by counts of short polls.
 */
#include <fcntl.h>
#include <unistd.h>

#include <zmq.h>

#include "helpers.h"
#include "truce/client.h"

#define MAX_ARTICLES 64
#define POLLS 500 /* of 20 ms: how long anything may take to arrive */

typedef struct fixture {
	void *zctx, *router, *dealer;
	truce_sender *s;
	uint8_t peer[256]; /* the DEALER's routing id, for replies */
	size_t peer_len;
	size_t got[MAX_ARTICLES]; /* frames received at the ROUTER per article */
	size_t frames;
	int acked[MAX_ARTICLES]; /* the ROUTER acked it */
	size_t on_ack[MAX_ARTICLES];
	const truce_send_item *on_ack_item[MAX_ARTICLES];
	size_t n_articles;
} fixture;

static void count_ack(void *ctx, size_t index, const truce_send_item *it)
{
	fixture *f = ctx;
	assert_true(index < f->n_articles);
	assert_int_equal(it->state, TRUCE_SEND_DONE);
	f->on_ack[index]++;
	f->on_ack_item[index] = it;
}

/* A ROUTER on an inproc endpoint and a sender on a DEALER connected to it,
 * with n articles queued ("article <i>"). */
static fixture *fixture_new(size_t window, int64_t timeout_ms, size_t n)
{
	static int serial;
	fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	char ep[64];
	snprintf(ep, sizeof(ep), "inproc://test-sender-%d", serial++);
	f->zctx = zmq_ctx_new();
	assert_non_null(f->zctx);
	f->router = zmq_socket(f->zctx, ZMQ_ROUTER);
	assert_non_null(f->router);
	int linger = 0;
	zmq_setsockopt(f->router, ZMQ_LINGER, &linger, sizeof(linger));
	assert_int_equal(zmq_bind(f->router, ep), 0);
	assert_int_equal(truce_sender_socket(f->zctx, window, &f->dealer), 0);
	assert_int_equal(zmq_connect(f->dealer, ep), 0);
	truce_sender_opts o = {
	    .window = window, .timeout_ms = timeout_ms, .on_ack = count_ack, .ctx = f};
	assert_int_equal(truce_sender_new(f->dealer, &o, &f->s), 0);
	assert_true(n <= MAX_ARTICLES);
	for (size_t i = 0; i < n; i++) {
		char a[32];
		int len = snprintf(a, sizeof(a), "article %zu", i);
		size_t index = 99;
		assert_int_equal(truce_sender_add(f->s, (const uint8_t *)a, (size_t)len, &index),
		                 0);
		assert_int_equal(index, i);
	}
	f->n_articles = n;
	assert_int_equal(truce_sender_count(f->s), n);
	return f;
}

static void fixture_free(fixture *f)
{
	truce_sender_free(f->s);
	zmq_close(f->dealer);
	zmq_close(f->router);
	zmq_ctx_term(f->zctx);
	free(f);
}

static size_t index_of(const uint8_t *id, size_t len)
{
	assert_int_equal(len, 8); /* the sender's msg_id: its index, big-endian */
	size_t i = 0;
	for (size_t k = 0; k < 8; k++)
		i = (i << 8) | id[k];
	return i;
}

/* Receives the messages that have arrived at the ROUTER, waiting up to
 * wait_ms for the first; checks each is [msg_id][the article]. */
static size_t router_take(fixture *f, int wait_ms)
{
	size_t n = 0;
	zmq_pollitem_t pi = {.socket = f->router, .events = ZMQ_POLLIN};
	while (zmq_poll(&pi, 1, n == 0 ? wait_ms : 0) > 0) {
		zmq_msg_t part[3];
		for (int k = 0; k < 3; k++) {
			zmq_msg_init(&part[k]);
			assert_true(zmq_msg_recv(&part[k], f->router, 0) >= 0);
			assert_int_equal(zmq_msg_more(&part[k]), k < 2);
		}
		f->peer_len = zmq_msg_size(&part[0]);
		assert_true(f->peer_len <= sizeof(f->peer));
		memcpy(f->peer, zmq_msg_data(&part[0]), f->peer_len);
		size_t i = index_of(zmq_msg_data(&part[1]), zmq_msg_size(&part[1]));
		assert_true(i < f->n_articles);
		char a[32];
		int len = snprintf(a, sizeof(a), "article %zu", i);
		assert_int_equal(zmq_msg_size(&part[2]), (size_t)len);
		assert_memory_equal(zmq_msg_data(&part[2]), a, (size_t)len);
		for (int k = 0; k < 3; k++)
			zmq_msg_close(&part[k]);
		f->got[i]++;
		f->frames++;
		n++;
	}
	return n;
}

/* Takes messages until the ROUTER has received `total` in all. */
static void router_wait_frames(fixture *f, size_t total)
{
	for (int k = 0; k < POLLS && f->frames < total; k++)
		router_take(f, 20);
	assert_int_equal(f->frames, total);
}

static void router_send(fixture *f, const void *data, size_t len)
{
	assert_true(f->peer_len > 0);
	assert_int_equal(zmq_send(f->router, f->peer, f->peer_len, ZMQ_SNDMORE), (int)f->peer_len);
	assert_int_equal(zmq_send(f->router, data, len, 0), (int)len);
}

/* Sends truced's Ack of article index, as daemon/ingest.c does. */
static void router_ack(fixture *f, size_t index, Truce__V1__AckStatus st, uint64_t seq,
                       const char *reason)
{
	uint8_t id[8];
	for (int k = 0; k < 8; k++)
		id[k] = (uint8_t)((uint64_t)index >> (56 - 8 * k));
	Truce__V1__Ack ack = TRUCE__V1__ACK__INIT;
	ack.has_msg_id = ack.has_status = 1;
	ack.msg_id.data = id;
	ack.msg_id.len = sizeof(id);
	ack.status = st;
	if (st == TRUCE__V1__ACK_STATUS__ACK_REJECTED) {
		ack.reason = (char *)reason;
		ack.has_quarantine_seq = 1;
		ack.quarantine_seq = seq;
	} else {
		ack.has_article_seq = 1;
		ack.article_seq = seq;
	}
	uint8_t buf[256];
	size_t len = truce__v1__ack__get_packed_size(&ack);
	assert_true(len <= sizeof(buf));
	truce__v1__ack__pack(&ack, buf);
	router_send(f, buf, len);
	if (index < MAX_ARTICLES)
		f->acked[index] = 1;
}

/* Pumps until `done` articles are acked. */
static void pump_until_done(fixture *f, size_t done)
{
	for (int k = 0; k < POLLS && truce_sender_done(f->s) < done; k++)
		truce_sender_pump(f->s, 20);
	assert_int_equal(truce_sender_done(f->s), done);
}

/* Articles received at the ROUTER and not acked by it. */
static size_t router_outstanding(const fixture *f)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n_articles; i++)
		n += f->got[i] > 0 && !f->acked[i];
	return n;
}

/* No more than `window` articles are ever unacknowledged, counted where
 * truced would count them, whatever order the acks come in and with
 * re-sends in between; every article gets through. */
static void test_window_never_exceeded(void **state)
{
	(void)state;
	const size_t window = 4, n = 30;
	fake_ms = 1000;
	fixture *f = fixture_new(window, 50, n);
	size_t most = 0, rounds = 0;
	while (truce_sender_done(f->s) < n && rounds++ < 10 * POLLS) {
		if (rounds % 3 == 0)
			fake_ms += 50; /* everything in flight is due again */
		truce_sender_pump(f->s, 5);
		assert_true(truce_sender_inflight(f->s) <= window);
		router_take(f, 5);
		size_t out = router_outstanding(f);
		assert_true(out <= window);
		if (out > most)
			most = out;
		/* Ack one when the window is full: alternately the oldest and
		 * the newest outstanding article. */
		if (out == window) {
			size_t pick = n;
			for (size_t i = 0; i < n; i++)
				if (f->got[i] > 0 && !f->acked[i] && (pick == n || rounds % 2 == 0))
					pick = i;
			router_ack(f, pick, TRUCE__V1__ACK_STATUS__ACK_STORED, pick + 1, NULL);
		} else if (truce_sender_done(f->s) + out == n && out > 0) {
			for (size_t i = 0; i < n; i++) /* the tail: ack the rest */
				if (f->got[i] > 0 && !f->acked[i])
					router_ack(f, i, TRUCE__V1__ACK_STATUS__ACK_STORED, i + 1,
					           NULL);
		}
	}
	assert_int_equal(truce_sender_done(f->s), n);
	assert_int_equal(most, window); /* the window is used, not just respected */
	assert_true(f->frames > n);     /* re-sends happened on the way */
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(f->on_ack[i], 1);
		assert_int_equal(truce_sender_item(f->s, i)->seq, i + 1);
	}
	assert_int_equal(truce_sender_inflight(f->s), 0);
	fixture_free(f);
}

/* One article never acked: sent again each time its timeout passes, the
 * timeout doubling from the first up to the ceiling and staying there;
 * never before it passes; and never again once acked. */
static void test_resend_timeout_doubles_to_ceiling(void **state)
{
	(void)state;
	const int64_t first = 20;
	fake_ms = 1000;
	fixture *f = fixture_new(2, first, 1);
	const truce_send_item *it = truce_sender_item(f->s, 0);
	assert_int_equal(it->state, TRUCE_SEND_PENDING);
	assert_int_equal(it->sends, 0);
	truce_sender_pump(f->s, 0);
	assert_int_equal(it->state, TRUCE_SEND_INFLIGHT);
	assert_int_equal(it->sends, 1);
	int64_t sent = fake_ms, timeout = first;
	int capped = 0;
	for (unsigned k = 2; capped < 3; k++) {
		fake_ms = sent + timeout - 1; /* a millisecond early: nothing */
		truce_sender_pump(f->s, 0);
		assert_int_equal(it->sends, k - 1);
		fake_ms = sent + timeout; /* due: sent again */
		truce_sender_pump(f->s, 0);
		assert_int_equal(it->sends, k);
		sent = fake_ms;
		capped += timeout == TRUCE_SENDER_MAX_TIMEOUT_MS;
		timeout = timeout * 2 < TRUCE_SENDER_MAX_TIMEOUT_MS ? timeout * 2
		                                                    : TRUCE_SENDER_MAX_TIMEOUT_MS;
	}
	/* Every send reached the daemon, the same article each time. */
	router_wait_frames(f, it->sends);
	assert_int_equal(f->got[0], it->sends);
	assert_int_equal(truce_sender_inflight(f->s), 1);
	assert_int_equal(truce_sender_done(f->s), 0);

	router_ack(f, 0, TRUCE__V1__ACK_STATUS__ACK_STORED, 1, NULL);
	pump_until_done(f, 1);
	unsigned sends = it->sends;
	fake_ms += 10 * TRUCE_SENDER_MAX_TIMEOUT_MS;
	truce_sender_pump(f->s, 0);
	assert_int_equal(it->sends, sends);
	assert_int_equal(router_take(f, 50), 0);
	fixture_free(f);
}

/* A first timeout above the ceiling is the ceiling: re-sends never come
 * faster than the caller asked for. */
static void test_long_first_timeout_never_shrinks(void **state)
{
	(void)state;
	const int64_t first = TRUCE_SENDER_MAX_TIMEOUT_MS + 10000;
	fake_ms = 1000;
	fixture *f = fixture_new(1, first, 1);
	const truce_send_item *it = truce_sender_item(f->s, 0);
	truce_sender_pump(f->s, 0);
	int64_t sent = fake_ms;
	for (unsigned k = 2; k < 5; k++) {
		fake_ms = sent + first - 1;
		truce_sender_pump(f->s, 0);
		assert_int_equal(it->sends, k - 1);
		fake_ms = sent + first;
		truce_sender_pump(f->s, 0);
		assert_int_equal(it->sends, k);
		sent = fake_ms;
	}
	fixture_free(f);
}

/* Each article's timeout is its own: a re-send of one does not delay or
 * hurry another. */
static void test_timeouts_per_article(void **state)
{
	(void)state;
	fake_ms = 1000;
	fixture *f = fixture_new(1, 100, 2); /* window 1: article 1 waits for 0 */
	truce_sender_pump(f->s, 0);
	fake_ms = 1100;
	truce_sender_pump(f->s, 0); /* 0 re-sent; 1 still waits */
	assert_int_equal(truce_sender_item(f->s, 0)->sends, 2);
	assert_int_equal(truce_sender_item(f->s, 1)->sends, 0);
	router_wait_frames(f, 2);
	router_ack(f, 0, TRUCE__V1__ACK_STATUS__ACK_STORED, 1, NULL);
	pump_until_done(f, 1);
	truce_sender_pump(f->s, 0); /* the window has room: 1 goes at 1100 */
	assert_int_equal(truce_sender_item(f->s, 1)->sends, 1);
	fake_ms = 1199;
	truce_sender_pump(f->s, 0);
	assert_int_equal(truce_sender_item(f->s, 1)->sends, 1);
	fake_ms = 1200;
	truce_sender_pump(f->s, 0);
	assert_int_equal(truce_sender_item(f->s, 1)->sends, 2);
	assert_int_equal(truce_sender_item(f->s, 0)->sends, 2);
	fixture_free(f);
}

/* STORED, DUPLICATE and REJECTED are recorded per article with their seq
 * and reason, counted, named, and reported once each through on_ack. */
static void test_statuses_recorded(void **state)
{
	(void)state;
	fixture *f = fixture_new(8, 60000, 3);
	truce_sender_pump(f->s, 0);
	router_wait_frames(f, 3);
	router_ack(f, 1, TRUCE__V1__ACK_STATUS__ACK_DUPLICATE, 7, NULL);
	router_ack(f, 2, TRUCE__V1__ACK_STATUS__ACK_REJECTED, 4, "body is not UTF-8 at byte 3");
	router_ack(f, 0, TRUCE__V1__ACK_STATUS__ACK_STORED, 11, NULL);
	pump_until_done(f, 3);

	const truce_send_item *a = truce_sender_item(f->s, 0), *b = truce_sender_item(f->s, 1),
	                      *c = truce_sender_item(f->s, 2);
	assert_int_equal(a->state, TRUCE_SEND_DONE);
	assert_int_equal(a->status, TRUCE__V1__ACK_STATUS__ACK_STORED);
	assert_int_equal(a->seq, 11);
	assert_null(a->reason);
	assert_string_equal(truce_send_status_name(a), "STORED");
	assert_true(truce_send_item_ok(a));
	assert_int_equal(b->status, TRUCE__V1__ACK_STATUS__ACK_DUPLICATE);
	assert_int_equal(b->seq, 7);
	assert_string_equal(truce_send_status_name(b), "DUPLICATE");
	assert_true(truce_send_item_ok(b));
	assert_int_equal(c->status, TRUCE__V1__ACK_STATUS__ACK_REJECTED);
	assert_int_equal(c->seq, 0); /* a rejected article has no seq */
	assert_string_equal(c->reason, "body is not UTF-8 at byte 3");
	assert_string_equal(truce_send_status_name(c), "REJECTED");
	assert_false(truce_send_item_ok(c));
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(f->on_ack[i], 1);
		assert_ptr_equal(f->on_ack_item[i], truce_sender_item(f->s, i));
	}
	assert_int_equal(truce_sender_status_count(f->s, TRUCE__V1__ACK_STATUS__ACK_STORED), 1);
	assert_int_equal(truce_sender_status_count(f->s, TRUCE__V1__ACK_STATUS__ACK_DUPLICATE), 1);
	assert_int_equal(truce_sender_status_count(f->s, TRUCE__V1__ACK_STATUS__ACK_REJECTED), 1);
	assert_int_equal(truce_sender_inflight(f->s), 0);
	assert_null(truce_sender_item(f->s, 3));
	fixture_free(f);
}

/* Runs fn with stderr sent to a file; returns how many bytes it printed. */
static long stderr_bytes_during(void (*fn)(fixture *), fixture *f)
{
	char path[] = "/tmp/truce-stderr-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	fn(f);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	long n = lseek(fd, 0, SEEK_END);
	close(fd);
	unlink(path);
	return n;
}

/* What no daemon should send, then the ack of article 1 (so that pumping
 * until it is done proves the junk ahead of it was read). */
static void send_junk_then_ack(fixture *f)
{
	const uint8_t short_id[3] = {0, 0, 0};
	Truce__V1__Ack ack = TRUCE__V1__ACK__INIT;
	ack.has_msg_id = ack.has_status = 1;
	ack.msg_id.data = (uint8_t *)short_id;
	ack.msg_id.len = sizeof(short_id);
	uint8_t buf[64];
	size_t len = truce__v1__ack__pack(&ack, buf);
	router_send(f, buf, len);              /* a msg_id that is no index */
	router_send(f, "\xff\xff\xff\xff", 4); /* not an Ack at all */
	router_ack(f, 40, TRUCE__V1__ACK_STATUS__ACK_STORED, 1, NULL); /* never queued */
	assert_true(zmq_send(f->router, f->peer, f->peer_len, ZMQ_SNDMORE) >= 0);
	assert_true(zmq_send(f->router, "x", 1, ZMQ_SNDMORE) >= 0); /* two frames */
	assert_true(zmq_send(f->router, "y", 1, 0) >= 0);
	router_ack(f, 1, TRUCE__V1__ACK_STATUS__ACK_STORED, 2, NULL);
	pump_until_done(f, 2);
}

/* An ack that comes after the article was sent again, an ack repeated with
 * another status, acks of articles never queued and acks that do not
 * decode: none changes what the first ack recorded, none is reported
 * twice, and the library prints nothing about them. */
static void test_late_duplicate_and_junk_acks(void **state)
{
	(void)state;
	fake_ms = 1000;
	fixture *f = fixture_new(4, 20, 3);
	truce_sender_pump(f->s, 0);
	fake_ms = 1020;
	truce_sender_pump(f->s, 0); /* all three sent twice */
	router_wait_frames(f, 6);
	/* The ack of the first send, then the ack of the re-send. */
	router_ack(f, 0, TRUCE__V1__ACK_STATUS__ACK_STORED, 5, NULL);
	router_ack(f, 0, TRUCE__V1__ACK_STATUS__ACK_DUPLICATE, 5, NULL);
	pump_until_done(f, 1);
	router_ack(f, 0, TRUCE__V1__ACK_STATUS__ACK_REJECTED, 9, "too late to matter");
	assert_int_equal(stderr_bytes_during(send_junk_then_ack, f), 0);

	const truce_send_item *a = truce_sender_item(f->s, 0);
	assert_int_equal(a->status, TRUCE__V1__ACK_STATUS__ACK_STORED);
	assert_int_equal(a->seq, 5);
	assert_null(a->reason);
	assert_int_equal(f->on_ack[0], 1);
	assert_int_equal(f->on_ack[1], 1);
	assert_int_equal(f->on_ack[2], 0);
	assert_int_equal(truce_sender_status_count(f->s, TRUCE__V1__ACK_STATUS__ACK_STORED), 2);
	assert_int_equal(truce_sender_status_count(f->s, TRUCE__V1__ACK_STATUS__ACK_DUPLICATE), 0);
	assert_int_equal(truce_sender_status_count(f->s, TRUCE__V1__ACK_STATUS__ACK_REJECTED), 0);
	assert_int_equal(truce_sender_done(f->s), 2);
	assert_int_equal(truce_sender_inflight(f->s), 1);
	assert_int_equal(truce_sender_item(f->s, 2)->state, TRUCE_SEND_INFLIGHT);
	fixture_free(f);
}

/* What is not acked when the deadline passes shows UNACKED: the article in
 * flight and the one the window kept back alike. */
static void test_unacked_after_deadline(void **state)
{
	(void)state;
	fixture *f = fixture_new(2, 20, 3); /* the real clock */
	truce_sender_pump(f->s, 0);
	router_wait_frames(f, 2);
	router_ack(f, 0, TRUCE__V1__ACK_STATUS__ACK_STORED, 1, NULL);
	pump_until_done(f, 1);
	/* (run may not even pump on a machine that stalls the test past the
	 * deadline: what it must leave is the same.) */
	truce_sender_run(f->s, 200); /* 1 and 2 are never acked */
	assert_int_equal(truce_sender_done(f->s), 1);
	assert_string_equal(truce_send_status_name(truce_sender_item(f->s, 0)), "STORED");
	for (size_t i = 1; i < 3; i++) {
		const truce_send_item *it = truce_sender_item(f->s, i);
		assert_int_not_equal(it->state, TRUCE_SEND_DONE);
		assert_string_equal(truce_send_status_name(it), "UNACKED");
		assert_false(truce_send_item_ok(it));
		assert_int_equal(f->on_ack[i], 0);
	}
	assert_int_equal(truce_sender_item(f->s, 1)->state, TRUCE_SEND_INFLIGHT);
	assert_true(truce_sender_item(f->s, 1)->sends >= 1);
	assert_int_equal(truce_sender_inflight(f->s),
	                 truce_sender_item(f->s, 2)->sends > 0 ? 2 : 1);

	/* With a window of 1 and nothing acked, the rest is never sent. */
	fixture *g = fixture_new(1, 20, 2);
	truce_sender_run(g->s, 100);
	assert_int_equal(truce_sender_done(g->s), 0);
	assert_int_equal(truce_sender_item(g->s, 1)->state, TRUCE_SEND_PENDING);
	assert_int_equal(truce_sender_item(g->s, 1)->sends, 0);
	assert_string_equal(truce_send_status_name(truce_sender_item(g->s, 1)), "UNACKED");
	fixture_free(g);
	fixture_free(f);
}

static void test_bad_options(void **state)
{
	(void)state;
	truce_sender *s = (truce_sender *)0x1;
	truce_sender_opts o = {.window = 0, .timeout_ms = 10};
	assert_int_equal(truce_sender_new(NULL, &o, &s), TRUCE_EINVAL);
	o.window = 1;
	o.timeout_ms = 0;
	assert_int_equal(truce_sender_new(NULL, &o, &s), TRUCE_EINVAL);
	assert_ptr_equal(s, (truce_sender *)0x1); /* untouched on error */
}

/* Each test starts on the real clock, even after one that failed. */
static int real_clock(void **state)
{
	(void)state;
	fake_ms = -1;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_window_never_exceeded, real_clock),
	    cmocka_unit_test_setup(test_resend_timeout_doubles_to_ceiling, real_clock),
	    cmocka_unit_test_setup(test_long_first_timeout_never_shrinks, real_clock),
	    cmocka_unit_test_setup(test_timeouts_per_article, real_clock),
	    cmocka_unit_test_setup(test_statuses_recorded, real_clock),
	    cmocka_unit_test_setup(test_late_duplicate_and_junk_acks, real_clock),
	    cmocka_unit_test_setup(test_unacked_after_deadline, real_clock),
	    cmocka_unit_test_setup(test_bad_options, real_clock),
	};
	return cmocka_run_group_tests_name("sender", tests, NULL, NULL);
}
