/*
 * test_incident.c - incident assignment (daemon/incident.c) on a real LMDB
 * store: which claims join which incident (conflict, date windows, the
 * claims of one article, places, ties), corroboration, every source's
 * figures and the low-high ranges, the events and their topics in order,
 * determinism, failures that leave nothing written, and an incident of
 * thousands of claims whose records and events stay the size of a small
 * one's while it reads back whole.
 */
#include <sodium.h>

#include "helpers.h"
#include "incident.h"
#include "truce/date.h"
#include "truce/records.h"
#include "truce/store.h"

#define MAX_EVENTS 64

/* What the assignment emitted, copied out of the event. */
typedef struct seen_event {
	Truce__V1__EventType type;
	char topic[160];
	uint64_t claim_id;
	uint64_t claim_incident;
	uint64_t incident_id; /* 0 for claim events, which carry no incident */
	size_t incident_claims;
	size_t packed; /* the event's size as published */
} seen_event;

typedef struct fixture {
	char dir[SCRATCH_LEN];
	truce_store *st;
	truce_txn *t;
	truced_incident_cache cache; /* of the transaction t */
	int uncached;                /* every claim decodes its candidates from the store */
	int64_t now;
	uint64_t last_claim;
	truced_article_incidents art; /* of the article of the last claim */
	uint64_t art_seq;
	int keep_events; /* record only the last event (for long runs) */
	seen_event ev[MAX_EVENTS];
	size_t n_ev;
	size_t fail_at; /* the emit of this event number (1 = the first) fails */
	int fail_rc;
} fixture;

/* 2022-08-06 12:00 UTC, the receipt time of every test claim. */
#define RECEIPT_US ((int64_t)(19210 * 86400 + 43200) * 1000000)

static void fixture_open(fixture *f)
{
	memset(f, 0, sizeof(*f));
	scratch_make(f->dir, "incident");
	char data[SCRATCH_LEN + 8], err[256] = "";
	scratch_path(data, sizeof(data), f->dir, "data");
	assert_int_equal(truce_store_open(data, NULL, &f->st, err, sizeof(err)), 0);
	assert_int_equal(truce_txn_begin(f->st, 1, &f->t), 0);
	f->now = RECEIPT_US;
}

static void fixture_close(fixture *f)
{
	truced_incident_cache_clear(&f->cache);
	if (f->t != NULL)
		truce_txn_abort(f->t);
	truce_store_close(f->st);
	scratch_remove(f->dir);
}

static int setup(void **state)
{
	fixture *f = malloc(sizeof(*f));
	assert_non_null(f);
	fixture_open(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture_close(*state);
	free(*state);
	return 0;
}

static int record_event(void *ctx, Truce__V1__EventWire *ev)
{
	fixture *f = ctx;
	if (f->keep_events)
		f->n_ev = 0;
	assert_true(f->n_ev < MAX_EVENTS);
	if (f->fail_at != 0 && f->n_ev + 1 == f->fail_at)
		return f->fail_rc;
	seen_event *s = &f->ev[f->n_ev++];
	memset(s, 0, sizeof(*s));
	assert_true(ev->has_type);
	s->type = ev->type;
	assert_non_null(ev->topic);
	snprintf(s->topic, sizeof(s->topic), "%s", ev->topic);
	assert_true(ev->has_claim && ev->has_claim_id);
	Truce__V1__Claim *c = truce__v1__claim__unpack(NULL, ev->claim.len, ev->claim.data);
	assert_non_null(c);
	assert_true(ev->has_article_seq);
	assert_int_equal(ev->article_seq, c->article_seq);
	assert_int_equal(ev->claim_id, c->id);
	s->claim_id = c->id;
	assert_true(c->has_incident_id);
	s->claim_incident = c->incident_id;
	truce__v1__claim__free_unpacked(c, NULL);
	if (ev->has_summary) {
		Truce__V1__IncidentSummary *inc =
		    truce__v1__incident_summary__unpack(NULL, ev->summary.len, ev->summary.data);
		assert_non_null(inc);
		s->incident_id = inc->id;
		s->incident_claims = inc->claim_count;
		truce__v1__incident_summary__free_unpacked(inc, NULL);
	}
	s->packed = truce__v1__event_wire__get_packed_size(ev);
	return 0;
}

/* A claim of article `article` from outlet `source` (NULL: none), in the
 * conflict "karabakh", dated `date` (NULL: undated), with no place or
 * figures; the test sets the rest. */
static Truce__V1__Claim claim_of(uint64_t article, const char *source, const char *claimant,
                                 const char *accused, const char *date)
{
	Truce__V1__Claim c = TRUCE__V1__CLAIM__INIT;
	c.has_article_seq = 1;
	c.article_seq = article;
	c.source = (char *)source;
	c.claimant = (char *)claimant;
	c.accused = (char *)accused;
	c.event_date = (char *)date;
	c.conflict = "karabakh";
	c.evidence = "a sentence written for the test";
	return c;
}

static void set_killed(Truce__V1__Claim *c, int32_t n)
{
	c->has_killed = 1;
	c->killed = n;
}

static void set_wounded(Truce__V1__Claim *c, int32_t n)
{
	c->has_wounded = 1;
	c->wounded = n;
}

/* The incidents of the claim's article so far: a new article starts
 * afresh, as in the commit stage, whose articles' claims come in a row. */
static truced_article_incidents *article_of(fixture *f, const Truce__V1__Claim *c)
{
	if (c->article_seq != f->art_seq) {
		f->art_seq = c->article_seq;
		f->art.n = 0;
	}
	return &f->art;
}

/* Assigns c under the next claim id, as the commit stage does; returns its
 * incident id. */
static uint64_t assign(fixture *f, Truce__V1__Claim *c)
{
	c->has_id = 1;
	c->id = ++f->last_claim;
	if (f->uncached)
		truced_incident_cache_clear(&f->cache);
	assert_int_equal(
	    truced_incident_assign(f->t, &f->cache, article_of(f, c), c, f->now, record_event, f),
	    0);
	assert_true(c->has_incident_id);
	return c->incident_id;
}

/* assign() in the conflict `conflict`. */
static uint64_t assign_in(fixture *f, const char *conflict, Truce__V1__Claim *c)
{
	c->conflict = (char *)conflict;
	return assign(f, c);
}

/* The whole incident, as the query socket reads it. */
static Truce__V1__Incident *incident_get(fixture *f, uint64_t id)
{
	Truce__V1__Incident *inc = NULL;
	assert_int_equal(truce_txn_incident_get(f->t, id, &inc), 0);
	assert_non_null(inc);
	assert_int_equal(inc->id, id);
	return inc;
}

static uint64_t count_of(fixture *f, enum truce_db db)
{
	uint64_t n = 0;
	assert_int_equal(truce_txn_count(f->t, db, &n), 0);
	return n;
}

/* The i-th event emitted so far (from 0): its type and topic. */
static void assert_event(const fixture *f, size_t i, Truce__V1__EventType type, const char *topic)
{
	assert_true(i < f->n_ev);
	assert_int_equal(f->ev[i].type, type);
	assert_string_equal(f->ev[i].topic, topic);
}

static int has_string(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

static void test_conflict_and_date_window(void **state)
{
	fixture *f = *state;
	Truce__V1__Claim a = claim_of(1, "Outlet A", "ARM", "AZE", "2022-08-03");
	assert_int_equal(assign(f, &a), 1);
	/* Two days later, the other side's claim: the same incident. */
	Truce__V1__Claim b = claim_of(2, "Outlet B", "AZE", "ARM", "2022-08-05");
	assert_int_equal(assign(f, &b), 1);
	/* Three days after the incident's last day: too far for a dated claim. */
	Truce__V1__Claim c = claim_of(3, "Outlet C", "ARM", "AZE", "2022-08-08");
	assert_int_equal(assign(f, &c), 2);
	/* The same day and parties in another conflict: never the same incident. */
	Truce__V1__Claim d = claim_of(4, "Outlet D", "ARM", "AZE", "2022-08-03");
	assert_int_equal(assign_in(f, "donbas", &d), 3);
	/* No conflict at all: the conflict "unknown", its own incidents. */
	Truce__V1__Claim e = claim_of(5, "Outlet E", "ARM", "AZE", "2022-08-03");
	assert_int_equal(assign_in(f, NULL, &e), 4);

	Truce__V1__Incident *inc = incident_get(f, 1);
	assert_string_equal(inc->conflict, "karabakh");
	assert_string_equal(inc->key, "karabakh-2022-08-03");
	assert_string_equal(inc->date_first, "2022-08-03");
	assert_string_equal(inc->date_last, "2022-08-05");
	assert_int_equal(inc->n_claim_ids, 2);
	assert_int_equal(inc->claim_ids[0], a.id);
	assert_int_equal(inc->claim_ids[1], b.id);
	assert_int_equal(inc->n_article_seqs, 2);
	assert_int_equal(inc->n_parties, 2);
	assert_true(inc->has_created_us && inc->created_us == f->now);
	truce__v1__incident__free_unpacked(inc, NULL);
	inc = incident_get(f, 3);
	assert_string_equal(inc->conflict, "donbas");
	truce__v1__incident__free_unpacked(inc, NULL);
	inc = incident_get(f, 4);
	assert_string_equal(inc->conflict, "unknown");
	assert_string_equal(inc->key, "unknown-2022-08-03");
	truce__v1__incident__free_unpacked(inc, NULL);

	/* Each claim is stored with the incident it joined. */
	truce_bytes v;
	assert_int_equal(truce_txn_get(f->t, TRUCE_DB_CLAIMS, b.id, &v), 0);
	Truce__V1__Claim *sb = truce__v1__claim__unpack(NULL, v.len, v.data);
	assert_non_null(sb);
	assert_true(sb->has_incident_id);
	assert_int_equal(sb->incident_id, 1);
	assert_string_equal(sb->claimant, "AZE");
	truce__v1__claim__free_unpacked(sb, NULL);
	assert_int_equal(count_of(f, TRUCE_DB_CLAIMS), 5);
	assert_int_equal(count_of(f, TRUCE_DB_INCIDENTS), 4);
}

/* An undated claim is placed on its publication day, or failing that its
 * receipt day, and may be one day further away than a dated one. */
static void test_undated_claim_wider_window(void **state)
{
	fixture *f = *state;
	/* Per conflict, an incident on 2022-08-03 (1, 2, 3), then a claim three
	 * days later: dated (window 2), published (window 3), received (window
	 * 3). */
	const char *conflicts[] = {"dated", "published", "received"};
	for (int i = 0; i < 3; i++) {
		Truce__V1__Claim a =
		    claim_of(10 * (uint64_t)i + 1, "A", "ARM", "AZE", "2022-08-03");
		assert_int_equal(assign_in(f, conflicts[i], &a), i + 1);
	}
	Truce__V1__Claim dated = claim_of(2, "B", "ARM", "AZE", "2022-08-06");
	dated.published = "2022-08-06";
	assert_int_equal(assign_in(f, "dated", &dated), 4);
	Truce__V1__Claim published = claim_of(12, "B", "ARM", "AZE", NULL);
	published.published = "2022-08-06";
	assert_int_equal(assign_in(f, "published", &published), 2);
	Truce__V1__Claim received = claim_of(22, "B", "ARM", "AZE", NULL);
	assert_int_equal(assign_in(f, "received", &received), 3); /* f->now: 2022-08-06 */
	/* An event date that is no date counts as none. */
	Truce__V1__Claim bad = claim_of(23, "C", "ARM", "AZE", "2022-02-30");
	bad.published = "2022-08-05";
	assert_int_equal(assign_in(f, "received", &bad), 3);

	/* They take the incident's day, never widen it: their own day is only
	 * a bound (the clash was on or before it). */
	Truce__V1__Incident *inc = incident_get(f, 2);
	assert_string_equal(inc->date_first, "2022-08-03");
	assert_string_equal(inc->date_last, "2022-08-03");
	truce__v1__incident__free_unpacked(inc, NULL);
	inc = incident_get(f, 3);
	assert_string_equal(inc->date_last, "2022-08-03");
	assert_int_equal(inc->n_claim_ids, 3);
	truce__v1__incident__free_unpacked(inc, NULL);

	/* Four days is too far even for an undated claim. */
	Truce__V1__Claim far = claim_of(13, "D", "ARM", "AZE", NULL);
	far.published = "2022-08-10";
	assert_int_equal(assign_in(f, "published", &far), 5);
	/* A new incident of an undated claim is keyed by the day used. */
	inc = incident_get(f, 5);
	assert_string_equal(inc->key, "published-2022-08-10");
	truce__v1__incident__free_unpacked(inc, NULL);
}

/* A claim with neither an event date nor a publication date is placed by
 * its receipt: it joins the incident of its conflict that was last reported,
 * within WINDOW_UNDATED days of its receipt, whatever that incident's own
 * days (outlets report a clash in a burst, and a late report of an old
 * clash is still about it). It takes that incident's days, and does not
 * index it on its receipt day. */
static void test_receipt_dated_joins_last_reported(void **state)
{
	fixture *f = *state;
	int64_t receipt = f->now;
	/* Reported two days and one day before the receipt: clashes of 2019
	 * and of 2020, both between ARM and AZE. */
	f->now = receipt - 2 * 86400LL * 1000000;
	Truce__V1__Claim a = claim_of(1, "A", "ARM", "AZE", "2019-12-23");
	a.location = "Lachin";
	assert_int_equal(assign(f, &a), 1);
	f->now = receipt - 86400LL * 1000000;
	Truce__V1__Claim b = claim_of(2, "B", "AZE", "ARM", "2020-07-12");
	b.location = "Tovuz";
	assert_int_equal(assign(f, &b), 2);
	f->now = receipt;
	/* An undated article, received now: the last reported clash. */
	Truce__V1__Claim c = claim_of(3, "C", "ARM", "AZE", NULL);
	assert_int_equal(assign(f, &c), 2);
	Truce__V1__Incident *inc = incident_get(f, 2);
	assert_string_equal(inc->key, "karabakh-2020-07-12");
	assert_string_equal(inc->date_first, "2020-07-12");
	assert_string_equal(inc->date_last, "2020-07-12");
	assert_int_equal(inc->n_claim_ids, 2);
	truce__v1__incident__free_unpacked(inc, NULL);
	/* A place in common weighs more than a day between the reports. */
	Truce__V1__Claim d = claim_of(4, "D", "ARM", "AZE", NULL);
	d.location = "Lachin";
	assert_int_equal(assign(f, &d), 1);
	/* No party in common: its own incident, keyed by its receipt day. */
	Truce__V1__Claim e = claim_of(5, "E", "RUS", "TUR", NULL);
	assert_int_equal(assign(f, &e), 3);
	inc = incident_get(f, 3);
	assert_string_equal(inc->key, "karabakh-2022-08-06");
	truce__v1__incident__free_unpacked(inc, NULL);
	/* A claim dated on the receipt day did not find 2020's clash there:
	 * the undated claims did not index it on a day they only guessed. */
	Truce__V1__Claim g = claim_of(6, "G", "ARM", "AZE", "2022-08-06");
	assert_int_equal(assign(f, &g), 4);
	/* A claim with a publication day is placed by it, not by receipt:
	 * nothing of 2022-07 in karabakh. */
	Truce__V1__Claim h = claim_of(7, "H", "AZE", "ARM", NULL);
	h.published = "2022-07-01";
	assert_int_equal(assign(f, &h), 5);
}

/* Among incidents reported last, the latest report wins, then the newest
 * incident (claims committed together share one time); one reported more
 * than WINDOW_UNDATED days before the receipt is too old. */
static void test_receipt_dated_latest_report(void **state)
{
	fixture *f = *state;
	int64_t receipt = f->now, day = 86400LL * 1000000;
	f->now = receipt - 5 * day;
	Truce__V1__Claim a = claim_of(1, "A", "ARM", "AZE", "2020-01-10");
	assert_int_equal(assign_in(f, "old", &a), 1);
	f->now = receipt;
	Truce__V1__Claim b = claim_of(2, "B", "ARM", "AZE", NULL);
	assert_int_equal(assign_in(f, "old", &b), 2); /* four days too old: its own */

	f->now = receipt - 2 * day;
	Truce__V1__Claim c = claim_of(3, "C", "ARM", "AZE", "2020-05-01");
	assert_int_equal(assign_in(f, "late", &c), 3);
	Truce__V1__Claim d = claim_of(4, "D", "ARM", "AZE", "2021-05-01");
	assert_int_equal(assign_in(f, "late", &d), 4);
	f->now = receipt - day;
	/* A later report of the older clash (2020) makes it the latest. */
	Truce__V1__Claim e = claim_of(5, "E", "AZE", "ARM", "2020-05-01");
	assert_int_equal(assign_in(f, "late", &e), 3);
	f->now = receipt;
	Truce__V1__Claim g = claim_of(6, "G", "ARM", "AZE", NULL);
	assert_int_equal(assign_in(f, "late", &g), 3);

	/* Reported at the same time: the newest incident. */
	Truce__V1__Claim h = claim_of(7, "H", "ARM", "AZE", "2020-05-01");
	assert_int_equal(assign_in(f, "same", &h), 5);
	Truce__V1__Claim i = claim_of(8, "I", "ARM", "AZE", "2021-05-01");
	assert_int_equal(assign_in(f, "same", &i), 6);
	Truce__V1__Claim j = claim_of(9, "J", "AZE", "ARM", NULL);
	assert_int_equal(assign_in(f, "same", &j), 6);
}

/* The claims of one article join one incident within a month, even when
 * they share no party and their dates are far apart. */
static void test_article_claims_stay_together(void **state)
{
	fixture *f = *state;
	Truce__V1__Claim a = claim_of(7, "Outlet A", "ARM", "AZE", "2022-08-03");
	assert_int_equal(assign(f, &a), 1);
	/* A background sentence: another day, an observer, nobody blamed. */
	Truce__V1__Claim b = claim_of(7, "Outlet A", "OSCE", NULL, "2022-08-20");
	assert_int_equal(assign(f, &b), 1);
	/* The same from another article opens an incident of its own. */
	Truce__V1__Claim c = claim_of(8, "Outlet B", "RUS", NULL, "2022-08-24");
	assert_int_equal(assign(f, &c), 2);
	/* Of the same article but in another conflict: not together. */
	Truce__V1__Claim d = claim_of(8, "Outlet B", "RUS", NULL, "2022-08-24");
	assert_int_equal(assign_in(f, "donbas", &d), 3);
	/* The article's next claim still finds its incident past the other
	 * conflict's claim. */
	Truce__V1__Claim e = claim_of(8, "Outlet B", "UKR", NULL, "2022-08-30");
	assert_int_equal(assign(f, &e), 2);
	/* More than a month from the article's incident: a new one. */
	Truce__V1__Claim g = claim_of(8, "Outlet B", "RUS", NULL, "2022-10-15");
	assert_int_equal(assign(f, &g), 4);

	Truce__V1__Incident *inc = incident_get(f, 1);
	assert_string_equal(inc->date_last, "2022-08-20");
	assert_int_equal(inc->n_article_seqs, 1); /* one article, listed once */
	assert_int_equal(inc->n_sources, 1);
	assert_true(has_string(inc->parties, inc->n_parties, "OSCE"));
	truce__v1__incident__free_unpacked(inc, NULL);
}

/* Corroboration, every source's figures and the ranges across sources. */
static void test_corroboration_and_figures(void **state)
{
	fixture *f = *state;
	Truce__V1__Claim a = claim_of(1, "Outlet A", "NKR", "AZE", "2022-08-03");
	set_killed(&a, 2);
	set_wounded(&a, 14);
	assert_int_equal(assign(f, &a), 1);
	assert_int_equal(f->n_ev, 2);
	assert_event(f, 1, TRUCE__V1__EVENT_TYPE__EVENT_CLAIM_NEW, "claim.new.karabakh.AZE");

	/* Another outlet, the same claimant -> accused: corroborated. */
	Truce__V1__Claim b = claim_of(2, "Outlet B", "NKR", "AZE", "2022-08-03");
	set_killed(&b, 2);
	set_wounded(&b, 8);
	assert_int_equal(assign(f, &b), 1);
	assert_int_equal(f->n_ev, 4);
	assert_event(f, 2, TRUCE__V1__EVENT_TYPE__EVENT_CLAIM_CORROBORATED,
	             "claim.corroborated.karabakh.AZE");
	assert_event(f, 3, TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_UPDATE,
	             "incident.update.karabakh");

	/* The reverse pair is another claim, not a corroboration. */
	Truce__V1__Claim c = claim_of(3, "Outlet C", "AZE", "NKR", "2022-08-03");
	set_killed(&c, 1);
	assert_int_equal(assign(f, &c), 1);
	assert_event(f, 4, TRUCE__V1__EVENT_TYPE__EVENT_CLAIM_NEW, "claim.new.karabakh.NKR");
	/* Nor is a second claim of the pair in the article that first gave it. */
	Truce__V1__Claim d = claim_of(3, "Outlet C", "AZE", "NKR", "2022-08-03");
	assert_int_equal(assign(f, &d), 1);
	assert_event(f, 6, TRUCE__V1__EVENT_TYPE__EVENT_CLAIM_NEW, "claim.new.karabakh.NKR");
	/* Two articles without an outlet are two sources, not one. */
	Truce__V1__Claim e = claim_of(4, NULL, "NKR", "AZE", "2022-08-03");
	set_wounded(&e, 20);
	assert_int_equal(assign(f, &e), 1);
	Truce__V1__Claim g = claim_of(5, "", "NKR", "AZE", "2022-08-03");
	assert_int_equal(assign(f, &g), 1);
	assert_event(f, f->n_ev - 2, TRUCE__V1__EVENT_TYPE__EVENT_CLAIM_CORROBORATED,
	             "claim.corroborated.karabakh.AZE");

	Truce__V1__Incident *inc = incident_get(f, 1);
	assert_int_equal(inc->n_sources, 5);
	assert_string_equal(inc->sources[0], "Outlet A");
	assert_string_equal(inc->sources[1], "Outlet B");
	assert_string_equal(inc->sources[2], "Outlet C");
	assert_string_equal(inc->sources[3], "article 4");
	assert_string_equal(inc->sources[4], "article 5");
	/* Both figures kept (14 and 8 wounded), with who said them. */
	assert_int_equal(inc->n_figures, 4);
	const Truce__V1__SourceFigure *fa = inc->figures[0], *fb = inc->figures[1];
	assert_string_equal(fa->source, "Outlet A");
	assert_string_equal(fa->claimant, "NKR");
	assert_int_equal(fa->article_seq, 1);
	assert_int_equal(fa->claim_id, a.id);
	assert_true(fa->has_killed && fa->killed == 2);
	assert_true(fa->has_wounded && fa->wounded == 14);
	assert_string_equal(fb->source, "Outlet B");
	assert_true(fb->has_wounded && fb->wounded == 8);
	assert_string_equal(inc->figures[2]->source, "Outlet C");
	assert_true(inc->figures[2]->has_killed && inc->figures[2]->killed == 1);
	assert_false(inc->figures[2]->has_wounded); /* not stated is not 0 */
	assert_string_equal(inc->figures[3]->source, "article 4");
	/* The ranges: killed 1-2 (C, A/B), wounded 8-20 (B, article 4). */
	assert_true(inc->has_killed_low && inc->has_killed_high);
	assert_int_equal(inc->killed_low, 1);
	assert_int_equal(inc->killed_high, 2);
	assert_true(inc->has_wounded_low && inc->has_wounded_high);
	assert_int_equal(inc->wounded_low, 8);
	assert_int_equal(inc->wounded_high, 20);
	/* Each pair once, with the article that first reported it. */
	assert_int_equal(inc->n_pairs, 2);
	assert_string_equal(inc->pairs[0]->claimant, "NKR");
	assert_string_equal(inc->pairs[0]->accused, "AZE");
	assert_int_equal(inc->pairs[0]->article_seq, 1);
	assert_string_equal(inc->pairs[1]->claimant, "AZE");
	assert_int_equal(inc->pairs[1]->article_seq, 3);
	truce__v1__incident__free_unpacked(inc, NULL);
}

/* An incident with the figures of one source only has a range of one value
 * on that side, and none on the other. */
static void test_range_of_one_source(void **state)
{
	fixture *f = *state;
	Truce__V1__Claim a = claim_of(1, "Outlet A", "ARM", "AZE", "2022-08-03");
	set_killed(&a, 0); /* "no one was killed" is a figure */
	assert_int_equal(assign(f, &a), 1);
	Truce__V1__Incident *inc = incident_get(f, 1);
	assert_true(inc->has_killed_low && inc->has_killed_high);
	assert_int_equal(inc->killed_low, 0);
	assert_int_equal(inc->killed_high, 0);
	assert_false(inc->has_wounded_low || inc->has_wounded_high);
	truce__v1__incident__free_unpacked(inc, NULL);
	/* A claim with no figures adds none. */
	Truce__V1__Claim b = claim_of(2, "Outlet B", "ARM", "AZE", "2022-08-03");
	assert_int_equal(assign(f, &b), 1);
	inc = incident_get(f, 1);
	assert_int_equal(inc->n_figures, 1);
	truce__v1__incident__free_unpacked(inc, NULL);
}

/* In the conflict `conflict`: incident A on 2022-08-03 at Lachin and
 * incident B on 2022-08-07 at Kalbajar, both ARM -> AZE (four days apart, so
 * B does not join A); then a claim of the same pair on 2022-08-05, two days
 * from each, at `place`. Returns the incident it joins (A is *a). */
static uint64_t between_two(fixture *f, const char *conflict, const char *place, uint64_t *a)
{
	Truce__V1__Claim x = claim_of(f->last_claim + 1, "A", "ARM", "AZE", "2022-08-03");
	x.location = "Lachin";
	*a = assign_in(f, conflict, &x);
	Truce__V1__Claim y = claim_of(f->last_claim + 1, "B", "ARM", "AZE", "2022-08-07");
	y.location = "Kalbajar";
	assert_int_equal(assign_in(f, conflict, &y), *a + 1);
	Truce__V1__Claim z = claim_of(f->last_claim + 1, "C", "ARM", "AZE", "2022-08-05");
	z.location = (char *)place;
	return assign_in(f, conflict, &z);
}

static void test_places_weigh_ties_go_to_oldest(void **state)
{
	fixture *f = *state;
	uint64_t a, joined;
	/* Equal candidates: the oldest incident. */
	joined = between_two(f, "c1", NULL, &a);
	assert_int_equal(joined, a);
	/* The place of the newer incident outweighs the tie-break. */
	joined = between_two(f, "c2", "Kalbajar", &a);
	assert_int_equal(joined, a + 1);
	joined = between_two(f, "c3", "lachin", &a); /* case-blind */
	assert_int_equal(joined, a);
	/* A place neither names: still equal, still the oldest. A different
	 * village never keeps a claim out: one incident, both places. */
	joined = between_two(f, "c4", "Shusha", &a);
	assert_int_equal(joined, a);
	Truce__V1__Incident *inc = incident_get(f, a);
	assert_int_equal(inc->n_places, 2);
	assert_string_equal(inc->places[0], "Lachin");
	assert_string_equal(inc->places[1], "Shusha");
	truce__v1__incident__free_unpacked(inc, NULL);
}

/* Among fitting incidents the nearer date wins, even over the older
 * incident; holding both the claimant and the accused outweighs a nearer
 * date. */
static void test_nearest_date_and_pair_weigh(void **state)
{
	fixture *f = *state;
	Truce__V1__Claim a = claim_of(1, "A", "ARM", "AZE", "2022-08-03");
	assert_int_equal(assign(f, &a), 1);
	Truce__V1__Claim b = claim_of(2, "B", "ARM", "AZE", "2022-08-06");
	assert_int_equal(assign(f, &b), 2); /* three days on: its own */
	Truce__V1__Claim c = claim_of(3, "C", "ARM", "AZE", "2022-08-05");
	assert_int_equal(assign(f, &c), 2); /* one day from 2, two from 1 */

	/* In "other": incident 3 with ARM and AZE on 2022-08-03; incident 4
	 * of an article with TUR, RUS, OSCE and AZE on 2022-08-05. */
	Truce__V1__Claim d = claim_of(4, "D", "ARM", "AZE", "2022-08-03");
	assert_int_equal(assign_in(f, "other", &d), 3);
	Truce__V1__Claim e = claim_of(5, "E", "TUR", "RUS", "2022-08-05");
	assert_int_equal(assign_in(f, "other", &e), 4);
	Truce__V1__Claim g = claim_of(5, "E", "OSCE", "AZE", "2022-08-05");
	assert_int_equal(assign_in(f, "other", &g), 4); /* its article's incident */
	/* ARM -> AZE on 2022-08-05: 3 holds both parties, two days off; 4
	 * holds the accused only, on the day. */
	Truce__V1__Claim h = claim_of(6, "F", "ARM", "AZE", "2022-08-05");
	assert_int_equal(assign_in(f, "other", &h), 3);
}

/* A party in common (or the same article) is needed to join; places and
 * dates alone are not enough. */
static void test_needs_a_party_in_common(void **state)
{
	fixture *f = *state;
	Truce__V1__Claim a = claim_of(1, "A", "ARM", "AZE", "2022-08-03");
	a.location = "Lachin";
	assert_int_equal(assign(f, &a), 1);
	Truce__V1__Claim b = claim_of(2, "B", "RUS", "TUR", "2022-08-03");
	b.location = "Lachin";
	assert_int_equal(assign(f, &b), 2);
	/* Sharing only the accused is enough. */
	Truce__V1__Claim c = claim_of(3, "C", "NKR", "AZE", "2022-08-03");
	assert_int_equal(assign(f, &c), 1);
}

static void test_events_and_topics(void **state)
{
	fixture *f = *state;
	Truce__V1__Claim a = claim_of(1, "Outlet A", "ARM", "AZE", "2022-08-03");
	assert_int_equal(assign(f, &a), 1);
	/* A new incident: incident.new (with the incident holding the claim),
	 * then claim.new. */
	assert_int_equal(f->n_ev, 2);
	assert_event(f, 0, TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_NEW, "incident.new.karabakh");
	assert_int_equal(f->ev[0].incident_id, 1);
	assert_int_equal(f->ev[0].incident_claims, 1);
	assert_int_equal(f->ev[0].claim_id, a.id);
	assert_int_equal(f->ev[0].claim_incident, 1);
	assert_event(f, 1, TRUCE__V1__EVENT_TYPE__EVENT_CLAIM_NEW, "claim.new.karabakh.AZE");
	assert_int_equal(f->ev[1].incident_id, 0);
	assert_int_equal(f->ev[1].claim_incident, 1);

	/* Nothing the incident shows changes (same outlet, no place, no
	 * figures): claim.new only. Nobody accused: the topic says none. */
	Truce__V1__Claim b = claim_of(1, "Outlet A", "ARM", NULL, "2022-08-03");
	assert_int_equal(assign(f, &b), 1);
	assert_int_equal(f->n_ev, 3);
	assert_event(f, 2, TRUCE__V1__EVENT_TYPE__EVENT_CLAIM_NEW, "claim.new.karabakh.none");

	/* A new place: claim.new, then incident.update. */
	Truce__V1__Claim c = claim_of(1, "Outlet A", "AZE", "ARM", "2022-08-03");
	c.location = "Lachin";
	assert_int_equal(assign(f, &c), 1);
	assert_int_equal(f->n_ev, 5);
	assert_event(f, 3, TRUCE__V1__EVENT_TYPE__EVENT_CLAIM_NEW, "claim.new.karabakh.ARM");
	assert_event(f, 4, TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_UPDATE,
	             "incident.update.karabakh");
	assert_int_equal(f->ev[4].incident_id, 1);
	assert_int_equal(f->ev[4].incident_claims, 3);
	/* A new source: an update too, after the claim event. */
	Truce__V1__Claim d = claim_of(2, "Outlet B", "RUS", "AZE", "2022-08-03");
	assert_int_equal(assign(f, &d), 1);
	assert_int_equal(f->n_ev, 7);
	assert_event(f, 5, TRUCE__V1__EVENT_TYPE__EVENT_CLAIM_NEW, "claim.new.karabakh.AZE");
	assert_event(f, 6, TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_UPDATE,
	             "incident.update.karabakh");
	/* New figures from a known source: an update. */
	Truce__V1__Claim e = claim_of(2, "Outlet B", "NKR", "AZE", "2022-08-03");
	set_wounded(&e, 3);
	assert_int_equal(assign(f, &e), 1);
	assert_int_equal(f->n_ev, 9);
	assert_event(f, 8, TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_UPDATE,
	             "incident.update.karabakh");
	/* Another conflict: its own topics. */
	Truce__V1__Claim g = claim_of(3, "Outlet C", "UKR", "RUS", "2022-08-03");
	assert_int_equal(assign_in(f, "donbas", &g), 2);
	assert_int_equal(f->n_ev, 11);
	assert_event(f, 9, TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_NEW, "incident.new.donbas");
	assert_event(f, 10, TRUCE__V1__EVENT_TYPE__EVENT_CLAIM_NEW, "claim.new.donbas.RUS");
}

/* The claims of test_events_and_topics and more, in one order. */
static void assign_story(fixture *f)
{
	static const struct {
		uint64_t article;
		const char *source, *claimant, *accused, *date, *place, *conflict;
		int wounded;
	} story[] = {
	    {1, "A", "ARM", "AZE", "2022-08-03", "Lachin", "karabakh", 14},
	    {1, "A", "AZE", "ARM", "2022-08-03", NULL, "karabakh", -1},
	    {2, "B", "ARM", "AZE", "2022-08-04", "Shusha", "karabakh", 8},
	    {3, NULL, "RUS", NULL, "2022-08-05", NULL, "karabakh", -1},
	    {4, "C", "UKR", "RUS", "2022-08-03", "Avdiivka", "donbas", 2},
	    {5, "D", "ARM", "AZE", "2022-08-06", "Kalbajar", "karabakh", 1},
	    {6, "E", "AZE", "ARM", "2022-08-05", "Lachin", "karabakh", -1},
	    {7, "F", "ARM", "AZE", NULL, NULL, "karabakh", 5},
	    {7, "F", "OSCE", NULL, "2022-08-20", NULL, "karabakh", -1},
	};
	for (size_t i = 0; i < sizeof(story) / sizeof(story[0]); i++) {
		Truce__V1__Claim c = claim_of(story[i].article, story[i].source, story[i].claimant,
		                              story[i].accused, story[i].date);
		c.location = (char *)story[i].place;
		c.conflict = (char *)story[i].conflict;
		c.published = "2022-08-05";
		if (story[i].wounded >= 0)
			set_wounded(&c, story[i].wounded);
		assign(f, &c);
	}
}

static int same_records(truce_txn *t1, truce_txn *t2, enum truce_db db)
{
	uint64_t n1 = 0, n2 = 0;
	assert_int_equal(truce_txn_last(t1, db, &n1), 0);
	assert_int_equal(truce_txn_last(t2, db, &n2), 0);
	if (n1 != n2)
		return 0;
	for (uint64_t id = 1; id <= n1; id++) {
		truce_bytes v1, v2;
		assert_int_equal(truce_txn_get(t1, db, id, &v1), 0);
		assert_int_equal(truce_txn_get(t2, db, id, &v2), 0);
		if (v1.len != v2.len || memcmp(v1.data, v2.data, v1.len) != 0)
			return 0;
	}
	return 1;
}

/* The same claims in the same order give the same incidents, byte for
 * byte, and the same events; whether the transaction's decoded summaries
 * are kept from claim to claim (as in a commit) or each claim decodes
 * them from the store afresh. */
static void test_deterministic(void **state)
{
	fixture *f = *state, g;
	fixture_open(&g);
	g.uncached = 1;
	assign_story(f);
	assign_story(&g);
	assert_true(count_of(f, TRUCE_DB_INCIDENTS) >= 2);
	assert_true(same_records(f->t, g.t, TRUCE_DB_INCIDENTS));
	assert_true(same_records(f->t, g.t, TRUCE_DB_CLAIMS));
	assert_int_equal(f->n_ev, g.n_ev);
	for (size_t i = 0; i < f->n_ev; i++) {
		assert_int_equal(f->ev[i].type, g.ev[i].type);
		assert_string_equal(f->ev[i].topic, g.ev[i].topic);
		assert_int_equal(f->ev[i].claim_incident, g.ev[i].claim_incident);
	}
	fixture_close(&g);
}

/* An emit that fails stops the assignment with its error and no further
 * event; the caller aborts the transaction and nothing stays. */
static void test_emit_failure(void **state)
{
	fixture *f = *state;
	f->fail_at = 2; /* claim.new, after incident.new */
	f->fail_rc = TRUCE_ENOSPC;
	Truce__V1__Claim a = claim_of(1, "A", "ARM", "AZE", "2022-08-03");
	a.has_id = 1;
	a.id = 1;
	assert_int_equal(
	    truced_incident_assign(f->t, &f->cache, article_of(f, &a), &a, f->now, record_event, f),
	    TRUCE_ENOSPC);
	assert_int_equal(f->n_ev, 1);
	assert_int_equal(f->ev[0].type, TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_NEW);
	truced_incident_cache_clear(&f->cache);
	truce_txn_abort(f->t);
	assert_int_equal(truce_txn_begin(f->st, 0, &f->t), 0);
	assert_int_equal(count_of(f, TRUCE_DB_CLAIMS), 0);
	assert_int_equal(count_of(f, TRUCE_DB_INCIDENTS), 0);
	assert_int_equal(count_of(f, TRUCE_DB_INCIDENT_INDEX), 0);
}

/* Stores bytes that are no Incident under id, indexed on 2022-08-03. */
static void put_broken_incident(fixture *f, uint64_t id)
{
	const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
	assert_int_equal(truce_txn_put(f->t, TRUCE_DB_INCIDENTS, id, junk, sizeof(junk)), 0);
	assert_int_equal(truce_txn_incident_index_add(f->t, "karabakh", "2022-08-03", id), 0);
}

/* A candidate that does not decode: TRUCE_ECORRUPT before anything is
 * written or emitted, and the claim as it was. */
static void test_corrupt_candidate_writes_nothing(void **state)
{
	fixture *f = *state;
	Truce__V1__Claim a = claim_of(1, "A", "ARM", "AZE", "2022-08-03");
	assert_int_equal(assign(f, &a), 1);
	put_broken_incident(f, 2); /* after a good candidate, which is freed */
	size_t events = f->n_ev;
	Truce__V1__Claim b = claim_of(2, "B", "ARM", "AZE", "2022-08-03");
	b.has_id = 1;
	b.id = 2;
	assert_int_equal(
	    truced_incident_assign(f->t, &f->cache, article_of(f, &b), &b, f->now, record_event, f),
	    TRUCE_ECORRUPT);
	assert_false(b.has_incident_id);
	assert_int_equal(f->n_ev, events);
	truce_bytes v;
	assert_int_equal(truce_txn_get(f->t, TRUCE_DB_CLAIMS, 2, &v), TRUCE_ENOTFOUND);
	Truce__V1__Incident *inc = incident_get(f, 1);
	assert_int_equal(inc->n_claim_ids, 1);
	truce__v1__incident__free_unpacked(inc, NULL);
}

/* A member entry of the incident that is not what it should be (the pair's
 * first article and claim, 16 bytes): TRUCE_ECORRUPT, no event, the claim
 * not stored; the caller's abort takes back what the assignment wrote. */
static void test_corrupt_member_emits_nothing(void **state)
{
	fixture *f = *state;
	Truce__V1__Claim a = claim_of(1, "A", "ARM", "AZE", "2022-08-03");
	assert_int_equal(assign(f, &a), 1);
	/* incident_members: u64 incident id | 'r' | claimant NUL 'a' accused */
	uint8_t key[9 + 8] = {0, 0, 0, 0, 0, 0, 0, 1, 'r', 'A', 'R', 'M', 0, 'a', 'A', 'Z', 'E'};
	assert_int_equal(
	    truce_txn_kput(f->t, TRUCE_DB_INCIDENT_MEMBERS, key, sizeof(key), "xyz", 3, 0, NULL),
	    0);
	size_t events = f->n_ev;
	Truce__V1__Claim b = claim_of(2, "B", "ARM", "AZE", "2022-08-03");
	b.has_id = 1;
	b.id = 2;
	assert_int_equal(
	    truced_incident_assign(f->t, &f->cache, article_of(f, &b), &b, f->now, record_event, f),
	    TRUCE_ECORRUPT);
	assert_false(b.has_incident_id);
	assert_int_equal(f->n_ev, events);
	truce_bytes v;
	assert_int_equal(truce_txn_get(f->t, TRUCE_DB_CLAIMS, 2, &v), TRUCE_ENOTFOUND);
}

/* A pair's member key, as stores have it: incident id | 'r' | claimant cut
 * at 64 bytes | NUL | 'n' (no accused), or 'a' and the accused cut at 64. */
static void test_pair_member_key(void **state)
{
	fixture *f = *state;
	char longname[71];
	memset(longname, 'X', 70);
	longname[70] = '\0';
	Truce__V1__Claim a = claim_of(1, "A", longname, NULL, "2022-08-03");
	uint64_t id = assign(f, &a);
	Truce__V1__Claim b = claim_of(2, "B", "ARM", longname, "2022-08-03");
	assert_int_equal(assign(f, &b), id);
	uint8_t key[9 + 64 + 2 + 64];
	memset(key, 0, 8);
	key[7] = (uint8_t)id;
	key[8] = 'r';
	memset(key + 9, 'X', 64);
	key[9 + 64] = '\0';
	key[9 + 65] = 'n';
	truce_bytes v;
	assert_int_equal(truce_txn_kget(f->t, TRUCE_DB_INCIDENT_MEMBERS, key, 9 + 66, &v), 0);
	memcpy(key + 9, "ARM", 3);
	key[12] = '\0';
	key[13] = 'a';
	memset(key + 14, 'X', 64);
	assert_int_equal(truce_txn_kget(f->t, TRUCE_DB_INCIDENT_MEMBERS, key, 14 + 64, &v), 0);
}

/* The stored aggregate and a claim's events at one incident's size n. */
typedef struct incident_sizes {
	size_t summary;      /* the incidents db record */
	size_t update_event; /* incident.update as published */
	size_t claim_event;
} incident_sizes;

static incident_sizes sizes_at(fixture *f, uint64_t id)
{
	incident_sizes z;
	truce_bytes v;
	assert_int_equal(truce_txn_get(f->t, TRUCE_DB_INCIDENTS, id, &v), 0);
	z.summary = v.len;
	assert_true(f->n_ev == 1); /* keep_events: the last one */
	z.update_event = f->ev[0].packed;
	assert_int_equal(f->ev[0].type, TRUCE__V1__EVENT_TYPE__EVENT_INCIDENT_UPDATE);
	return z;
}

/*
 * One incident takes 3,000 claims from 3,000 articles: each of the first
 * 1,000 names a new outlet and a new village, the rest repeat them. Its
 * aggregate and its events are no bigger at 3,000 claims than at 20 (the
 * counts grow by a byte or two), while the whole incident reads back with
 * every claim, article, source, place and figure, in the order they came.
 */
static void test_big_incident_stays_small(void **state)
{
	fixture *f = *state;
	f->keep_events = 1;
	incident_sizes small = {0, 0, 0}, big = {0, 0, 0};
	char source[32], place[32];
	for (uint64_t i = 1; i <= 3000; i++) {
		snprintf(source, sizeof(source), "Outlet %llu", (unsigned long long)(i % 1000));
		snprintf(place, sizeof(place), "Village %llu", (unsigned long long)(i % 1000));
		Truce__V1__Claim c =
		    claim_of(i, source, i % 2 ? "ARM" : "NKR", "AZE", "2022-08-03");
		c.location = place;
		set_wounded(&c, (int32_t)(i % 50));
		assert_int_equal(assign(f, &c), 1);
		if (i == 20)
			small = sizes_at(f, 1);
	}
	big = sizes_at(f, 1);
	/* Counts of four digits and a date: a few bytes more, never more
	 * than a tenth. */
	assert_true(big.summary <= small.summary + small.summary / 10);
	assert_true(big.update_event <= small.update_event + small.update_event / 10);
	assert_true(big.summary < 1024);

	Truce__V1__Incident *inc = incident_get(f, 1);
	assert_int_equal(inc->n_claim_ids, 3000);
	assert_int_equal(inc->n_article_seqs, 3000);
	assert_int_equal(inc->n_sources, 1000);
	assert_int_equal(inc->n_places, 1000);
	assert_int_equal(inc->n_figures, 3000); /* 0 wounded (i % 50 == 0) is a figure too */
	assert_int_equal(inc->n_pairs, 2);
	assert_string_equal(inc->sources[0], "Outlet 1");
	assert_string_equal(inc->sources[999], "Outlet 0");
	assert_string_equal(inc->places[1], "Village 2");
	for (size_t i = 0; i < inc->n_claim_ids; i++)
		assert_int_equal(inc->claim_ids[i], i + 1);
	assert_int_equal(inc->wounded_low, 0);
	assert_int_equal(inc->wounded_high, 49);
	truce__v1__incident__free_unpacked(inc, NULL);
	Truce__V1__IncidentSummary *s;
	assert_int_equal(truce_txn_incident_summary(f->t, 1, &s), 0);
	assert_int_equal(s->claim_count, 3000);
	assert_int_equal(s->source_count, 1000);
	assert_int_equal(s->article_count, 3000);
	assert_int_equal(s->place_count, 1000);
	assert_int_equal(s->n_places, TRUCE_SUMMARY_SHOWN);
	assert_int_equal(s->n_sources, TRUCE_SUMMARY_SHOWN);
	truce__v1__incident_summary__free_unpacked(s, NULL);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_conflict_and_date_window, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_undated_claim_wider_window, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_receipt_dated_joins_last_reported, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_receipt_dated_latest_report, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_article_claims_stay_together, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corroboration_and_figures, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_range_of_one_source, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_places_weigh_ties_go_to_oldest, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nearest_date_and_pair_weigh, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_needs_a_party_in_common, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_events_and_topics, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_emit_failure, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt_candidate_writes_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt_member_emits_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pair_member_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_big_incident_stays_small, setup, teardown),
	};
	return cmocka_run_group_tests_name("incident", tests, NULL, NULL);
}
