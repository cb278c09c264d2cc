/*
 * fuzz_query.c - libFuzzer target for the query socket: any bytes as a
 * request frame through truced_query_answer (decode, kind and range
 * validation, the bounded chunked read, the packed reply) against a small
 * store made once in a temporary directory: a few articles (one over the
 * reply's byte budget), claims, incidents and events (made by the daemon's
 * incident assignment, stored as truced stores them). Every input must get
 * a reply that decodes, ok=false with an error or ok=true without one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "incident.h"
#include "truce/records.h"
#include "truced.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static truce_store *store;
static char dir[64];
static truced_counters counters = {.received = 3, .stored = 2, .rejected = 1};
static truced_metrics metrics; /* METRICS requests read it */

static void must(int rc, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "fuzz_query: %s: %s\n", what, truce_strerror(rc));
		exit(1);
	}
}

static void add_article(truce_txn *t, uint64_t seq, size_t body_len)
{
	static char url[64];
	char *body = malloc(body_len + 1);
	memset(body, 'a', body_len);
	body[body_len] = '\0';
	snprintf(url, sizeof(url), "https://example.org/%llu", (unsigned long long)seq);
	Truce__V1__Article a = TRUCE__V1__ARTICLE__INIT;
	a.id = "fuzz";
	a.url = url;
	a.has_body = 1;
	a.body.data = (uint8_t *)body;
	a.body.len = body_len;
	uint8_t key[TRUCE_HASH_LEN];
	truce_content_key(&a, key);
	Truce__V1__ArticleRecord r = TRUCE__V1__ARTICLE_RECORD__INIT;
	r.has_seq = r.has_received_us = r.has_content_key = 1;
	r.seq = seq;
	r.received_us = 1000000 * (int64_t)seq;
	r.content_key.data = key;
	r.content_key.len = sizeof(key);
	r.article = &a;
	uint8_t *buf;
	size_t len;
	must(truce_wire_pack(&r.base, &buf, &len), "pack");
	must(truce_txn_article_append(t, seq, key, buf, len, NULL, NULL), "article");
	free(buf);
	free(body);
}

/* Events stored as truced stores them (compact, with gap-free seqs). */
static int store_event(void *ctx, Truce__V1__EventWire *ev)
{
	truce_txn *t = ctx;
	uint64_t last;
	must(truce_txn_last(t, TRUCE_DB_EVENTS, &last), "last event");
	ev->has_seq = 1;
	ev->seq = last + 1;
	return truce_txn_event_append(t, ev);
}

static void populate(void)
{
	truce_txn *t;
	must(truce_txn_begin(store, 1, &t), "begin");
	add_article(t, 1, 100);
	add_article(t, 2, 5u << 20); /* over the 4 MiB reply budget */
	add_article(t, 3, 10);
	/* Claims through the daemon's own incident assignment: two incidents,
	 * their aggregates, member lists and events. */
	static truced_incident_cache cache; /* 16 KiB: not on the stack */
	for (uint64_t i = 1; i <= 4; i++) {
		Truce__V1__Claim c = TRUCE__V1__CLAIM__INIT;
		c.has_id = c.has_article_seq = c.has_wounded = 1;
		c.id = i;
		c.article_seq = i < 4 ? i : 3;
		c.claimant = "ARM";
		c.accused = i < 4 ? "AZE" : "NKR";
		c.conflict = "karabakh";
		c.event_date = i < 4 ? "2022-08-03" : "2021-05-01";
		c.location = i == 2 ? "Lachin" : NULL;
		c.wounded = (int32_t)i;
		truced_article_incidents art = {.n = 0};
		must(truced_incident_assign(t, &cache, &art, &c, 1000000, store_event, t),
		     "assign");
	}
	truced_incident_cache_clear(&cache);
	must(truce_txn_commit(t), "commit");
}

static void cleanup(void)
{
	char path[96];
	truce_store_close(store);
	const char *files[] = {"data.mdb", "lock.mdb", "truced.lock"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/truce-fuzzq.XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("fuzz_query: mkdtemp");
		exit(1);
	}
	char err[256] = "";
	truce_store_opts o = {.map_size = 64u << 20, .sync = TRUCE_SYNC_NONE};
	if (truce_store_open(dir, &o, &store, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz_query: %s\n", err);
		exit(1);
	}
	populate();
	truced_metrics_init(&metrics, 1, &counters);
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *out = NULL;
	size_t len = 0;
	if (truced_query_answer(store, 1, "fuzz", &metrics, 10, data, size, &out, &len) != 0)
		abort(); /* only an allocation failure may fail */
	Truce__V1__QueryReply *r = truce__v1__query_reply__unpack(NULL, len, out);
	if (r == NULL || !r->has_ok || r->ok != (r->error == NULL))
		abort(); /* a reply always decodes; an error exactly when not ok */
	size_t records = r->n_events + r->n_articles + r->n_claims + r->n_incidents;
	if (records > 1000 || (r->ok && r->more && records == 0))
		abort(); /* bounded chunks, and never an empty one asking for more */
	truce__v1__query_reply__free_unpacked(r, NULL);
	free(out);
	return 0;
}
