/*
 * test_store.c - unit tests of the LMDB store (daemon/core/store.c): append and
 * ordering, dedup by content key, the article hash chain (BLAKE2b-256 in a
 * new store, SHA-256 before an upgrade; a record given in pieces), quarantine,
 * reopen after close, the writer lock, read-only access, schemas (an older
 * one read-only or for an upgrade, a newer one never), the incident index,
 * and map growth.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <lmdb.h>
#include <sodium.h>

#include "../unit/helpers.h"
#include "truce.pb-c.h"
#include "truce/store.h"

typedef struct fixture {
	char scratch[SCRATCH_LEN];
	char dir[SCRATCH_LEN + 8]; /* scratch/data: the store creates it */
	truce_store *st;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	scratch_make(f->scratch, "store");
	scratch_path(f->dir, sizeof(f->dir), f->scratch, "data");
	char err[256] = "";
	assert_int_equal(truce_store_open(f->dir, NULL, &f->st, err, sizeof(err)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	truce_store_close(f->st);
	scratch_remove(f->scratch);
	free(f);
	return 0;
}

static void key_of(const char *s, uint8_t key[TRUCE_HASH_LEN])
{
	crypto_hash_sha256(key, (const unsigned char *)s, strlen(s));
}

/* Appends article seq in t: an ArticleRecord from collector `name`, with
 * the content key of `name` (the store finds the keys of the articles it
 * has not indexed yet in their records); *existing as the store says. */
static int append_named(truce_txn *t, uint64_t seq, const char *name, uint64_t *existing)
{
	uint8_t key[TRUCE_HASH_LEN], buf[256];
	key_of(name, key);
	Truce__V1__ArticleRecord r = TRUCE__V1__ARTICLE_RECORD__INIT;
	r.has_seq = r.has_content_key = 1;
	r.seq = seq;
	r.collector_id = (char *)name;
	r.content_key.data = key;
	r.content_key.len = sizeof(key);
	assert_true(truce__v1__article_record__get_packed_size(&r) <= sizeof(buf));
	size_t len = truce__v1__article_record__pack(&r, buf);
	return truce_txn_article_append(t, seq, key, buf, len, NULL, existing);
}

/* Appends article seq named `name` in its own transaction. */
static int append_one(truce_store *st, uint64_t seq, const char *name)
{
	truce_txn *t;
	assert_int_equal(truce_txn_begin(st, 1, &t), 0);
	int rc = append_named(t, seq, name, NULL);
	if (rc != 0) {
		truce_txn_abort(t);
		return rc;
	}
	return truce_txn_commit(t);
}

static void test_dir_created_owner_only(void **state)
{
	fixture *f = *state;
	struct stat sb;
	assert_int_equal(stat(f->dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
}

/* Scan callbacks: seen[0] counts, seen[1..] are the seqs in scan order. */
static int note_seq(void *ctx, uint64_t seq, truce_bytes val)
{
	uint64_t *seen = ctx;
	(void)val;
	seen[seen[0] + 1] = seq;
	seen[0]++;
	return 0;
}

static int collect_seq(void *ctx, uint64_t seq, truce_bytes val)
{
	assert_int_equal(val.len, 1);
	return note_seq(ctx, seq, val);
}

static void test_append_scan_in_order(void **state)
{
	fixture *f = *state;
	assert_int_equal(append_one(f->st, 1, "a"), 0);
	assert_int_equal(append_one(f->st, 2, "b"), 0);
	assert_int_equal(append_one(f->st, 3, "c"), 0);
	/* A gap in the sequence is refused. */
	assert_int_equal(append_one(f->st, 5, "e"), TRUCE_EINVAL);

	truce_txn *t;
	assert_int_equal(truce_txn_begin(f->st, 0, &t), 0);
	uint64_t last = 0, n = 0;
	assert_int_equal(truce_txn_last(t, TRUCE_DB_ARTICLES, &last), 0);
	assert_int_equal(truce_txn_count(t, TRUCE_DB_ARTICLES, &n), 0);
	assert_int_equal(last, 3);
	assert_int_equal(n, 3);
	truce_bytes v;
	assert_int_equal(truce_txn_get(t, TRUCE_DB_ARTICLES, 4, &v), TRUCE_ENOTFOUND);
	uint64_t seen[8] = {0};
	assert_int_equal(truce_txn_scan(t, TRUCE_DB_ARTICLES, 1, TRUCE_SEQ_MAX, note_seq, seen), 0);
	assert_int_equal(seen[0], 3);
	assert_int_equal(seen[1], 1);
	assert_int_equal(seen[2], 2);
	assert_int_equal(seen[3], 3);
	truce_txn_abort(t);
}

static void test_dedup_by_content_key(void **state)
{
	fixture *f = *state;
	assert_int_equal(append_one(f->st, 1, "same"), 0);
	assert_int_equal(append_one(f->st, 2, "same"), TRUCE_EEXIST);
	truce_txn *t;
	assert_int_equal(truce_txn_begin(f->st, 0, &t), 0);
	uint8_t key[TRUCE_HASH_LEN];
	uint64_t seq = 0;
	key_of("same", key);
	assert_int_equal(truce_txn_article_find(t, key, &seq), 0);
	assert_int_equal(seq, 1);
	key_of("other", key);
	assert_int_equal(truce_txn_article_find(t, key, &seq), TRUCE_ENOTFOUND);
	truce_txn_abort(t);
}

/* A duplicate is refused in the same lookup that would index it, with the
 * seq it is stored under, and the failed append leaves nothing. */
static void test_duplicate_gives_its_seq(void **state)
{
	fixture *f = *state;
	assert_int_equal(append_one(f->st, 1, "first"), 0);
	assert_int_equal(append_one(f->st, 2, "second"), 0);
	truce_txn *t;
	uint8_t key[TRUCE_HASH_LEN];
	uint64_t existing = 0, last = 0;
	key_of("first", key);
	assert_int_equal(truce_txn_begin(f->st, 1, &t), 0);
	assert_int_equal(truce_txn_article_append(t, 3, key, "again", 5, NULL, &existing),
	                 TRUCE_EEXIST);
	assert_int_equal(existing, 1);
	assert_int_equal(truce_txn_last(t, TRUCE_DB_ARTICLES, &last), 0);
	assert_int_equal(last, 2);
	/* The next append still takes seq 3: the duplicate moved nothing. */
	assert_int_equal(append_named(t, 3, "third", NULL), 0);
	assert_int_equal(truce_txn_commit(t), 0);
}

typedef struct chain_check {
	uint8_t prev[TRUCE_HASH_LEN];
	uint64_t n;
} chain_check;

static int check_link(void *ctx, uint64_t seq, truce_bytes val)
{
	chain_check *c = ctx;
	Truce__V1__StoredArticle *sa = truce__v1__stored_article__unpack(NULL, val.len, val.data);
	assert_non_null(sa);
	assert_int_equal(sa->prev_hash.len, TRUCE_HASH_LEN);
	assert_memory_equal(sa->prev_hash.data, c->prev, TRUCE_HASH_LEN);
	/* A new store chains with BLAKE2b-256 of the frame's digest and says
	 * so in each record; these records hold no frame (an empty one). */
	assert_true(sa->has_hash_alg);
	assert_int_equal(sa->hash_alg, TRUCE__V1__CHAIN_HASH__CHAIN_BLAKE2B_256_FRAME);
	uint8_t h[TRUCE_HASH_LEN], empty[TRUCE_HASH_LEN];
	crypto_generichash(empty, sizeof(empty), NULL, 0, NULL, 0);
	crypto_generichash_state hs;
	crypto_generichash_init(&hs, NULL, 0, TRUCE_HASH_LEN);
	crypto_generichash_update(&hs, c->prev, TRUCE_HASH_LEN);
	crypto_generichash_update(&hs, sa->record.data, sa->record.len);
	crypto_generichash_update(&hs, empty, sizeof(empty));
	crypto_generichash_final(&hs, h, TRUCE_HASH_LEN);
	assert_memory_equal(sa->hash.data, h, TRUCE_HASH_LEN);
	memcpy(c->prev, h, TRUCE_HASH_LEN);
	c->n++;
	assert_int_equal(seq, c->n);
	truce__v1__stored_article__free_unpacked(sa, NULL);
	return 0;
}

static void test_hash_chain(void **state)
{
	fixture *f = *state;
	const char *names[] = {"one", "two", "three", "four"};
	uint8_t last_hash[TRUCE_HASH_LEN];
	for (uint64_t i = 0; i < 4; i++) {
		truce_txn *t;
		assert_int_equal(truce_txn_begin(f->st, 1, &t), 0);
		uint8_t key[TRUCE_HASH_LEN];
		key_of(names[i], key);
		assert_int_equal(truce_txn_article_append(t, i + 1, key, names[i], strlen(names[i]),
		                                          last_hash, NULL),
		                 0);
		assert_int_equal(truce_txn_commit(t), 0);
	}
	truce_txn *t;
	assert_int_equal(truce_txn_begin(f->st, 0, &t), 0);
	chain_check c = {{0}, 0};
	assert_int_equal(truce_txn_scan(t, TRUCE_DB_ARTICLES, 1, TRUCE_SEQ_MAX, check_link, &c), 0);
	assert_int_equal(c.n, 4);
	uint8_t head[TRUCE_HASH_LEN];
	uint64_t head_seq;
	assert_int_equal(truce_txn_chain_head(t, head, &head_seq), 0);
	assert_int_equal(head_seq, 4);
	assert_memory_equal(head, last_hash, TRUCE_HASH_LEN);
	assert_memory_equal(head, c.prev, TRUCE_HASH_LEN);
	truce_txn_abort(t);
}

/* The number of content keys article_keys itself holds. */
static uint64_t keys_indexed(truce_store *st)
{
	truce_txn *t;
	truce_db_stat ds;
	assert_int_equal(truce_txn_begin(st, 0, &t), 0);
	assert_int_equal(truce_txn_db_stat(t, TRUCE_DB_ARTICLE_KEYS, &ds), 0);
	truce_txn_abort(t);
	return ds.entries;
}

/* Where article seq `name` is found by a reader, 0 when it is not. */
static uint64_t found_at(truce_store *st, const char *name)
{
	truce_txn *t;
	uint8_t key[TRUCE_HASH_LEN];
	uint64_t seq = 0;
	key_of(name, key);
	assert_int_equal(truce_txn_begin(st, 0, &t), 0);
	int rc = truce_txn_article_find(t, key, &seq);
	assert_true(rc == 0 || rc == TRUCE_ENOTFOUND);
	truce_txn_abort(t);
	return rc == 0 ? seq : 0;
}

/* Every one of articles 1..n (named "n<seq>") is refused as a duplicate
 * with its seq by a writer, and found by a reader. */
static void all_known(truce_store *st, uint64_t n)
{
	char name[32];
	truce_txn *t;
	uint64_t existing = 0;
	assert_int_equal(truce_txn_begin(st, 1, &t), 0);
	for (uint64_t i = 1; i <= n; i++) {
		snprintf(name, sizeof(name), "n%llu", (unsigned long long)i);
		assert_int_equal(append_named(t, n + 1, name, &existing), TRUCE_EEXIST);
		assert_int_equal(existing, i);
	}
	truce_txn_abort(t);
	for (uint64_t i = 1; i <= n; i += 7) {
		snprintf(name, sizeof(name), "n%llu", (unsigned long long)i);
		assert_int_equal(found_at(st, name), i);
	}
}

/* What meta says article_keys is complete up to. */
static uint64_t keys_upto(truce_store *st)
{
	truce_txn *t;
	truce_bytes v;
	assert_int_equal(truce_txn_begin(st, 0, &t), 0);
	assert_int_equal(truce_txn_meta_get(t, "keys_upto", &v), 0);
	assert_int_equal(v.len, 8);
	uint64_t seq = truce_get_be64(v.data);
	truce_txn_abort(t);
	return seq;
}

/* The dedup keys of recent articles live in memory and are filed in
 * article_keys a key range at a time once keys_batch have gathered: a
 * duplicate is refused with its seq wherever its key is (filed, in memory,
 * appended in the same transaction), after a reopen too (the keys rebuilt
 * from the records, some of them filed already), and readers find every
 * key. */
static void test_dedup_keys_filed_in_batches(void **state)
{
	fixture *f = *state;
	truce_store_close(f->st);
	char err[256] = "";
	truce_store_opts o = {.keys_batch = 3};
	assert_int_equal(truce_store_open(f->dir, &o, &f->st, err, sizeof(err)), 0);
	char name[32];
	truce_txn *t;
	uint64_t n = 0, existing = 0;
	for (int txn = 0; txn < 40; txn++) {
		assert_int_equal(truce_txn_begin(f->st, 1, &t), 0);
		for (int i = 0; i < 10; i++) {
			n++;
			snprintf(name, sizeof(name), "n%llu", (unsigned long long)n);
			assert_int_equal(append_named(t, n, name, NULL), 0);
		}
		assert_int_equal(append_named(t, n + 1, name, &existing), TRUCE_EEXIST);
		assert_int_equal(existing, n); /* this transaction's own */
		assert_int_equal(truce_txn_commit(t), 0);
	}
	/* each append past the third files a 64th of the key space: most
	 * keys are filed, and several turns have moved keys_upto */
	uint64_t filed = keys_indexed(f->st), upto = keys_upto(f->st);
	assert_true(filed >= 200 && filed < n);
	assert_true(upto >= 100 && upto < n);
	all_known(f->st, n);
	assert_int_equal(found_at(f->st, "none"), 0);

	/* A new opening knows the keys after keys_upto from the records. */
	truce_store_close(f->st);
	assert_int_equal(truce_store_open(f->dir, &o, &f->st, err, sizeof(err)), 0);
	all_known(f->st, n);
	for (int i = 0; i < 100; i++) { /* and files them again without a fuss */
		n++;
		snprintf(name, sizeof(name), "n%llu", (unsigned long long)n);
		assert_int_equal(append_one(f->st, n, name), 0);
	}
	assert_true(keys_upto(f->st) > upto);
	all_known(f->st, n);
	/* and so does one with the default batch, which files nothing */
	truce_store_close(f->st);
	assert_int_equal(truce_store_open(f->dir, NULL, &f->st, err, sizeof(err)), 0);
	filed = keys_indexed(f->st);
	all_known(f->st, n);
	assert_int_equal(append_one(f->st, n + 1, "c9"), 0);
	assert_int_equal(keys_indexed(f->st), filed);
	assert_int_equal(found_at(f->st, "c9"), n + 1);
}

/* Keys appended, and keys filed, in a transaction that is aborted: the
 * writer forgets the ones appended (those articles were never stored) and
 * keeps the ones filed in memory (article_keys never got them), in a store
 * that files a key range on every append. */
static void test_aborted_append_forgets_its_key(void **state)
{
	fixture *f = *state;
	truce_store_close(f->st);
	char err[256] = "", name[32];
	truce_store_opts o = {.keys_batch = 3};
	assert_int_equal(truce_store_open(f->dir, &o, &f->st, err, sizeof(err)), 0);
	uint64_t n = 0;
	truce_txn *t;
	for (int round = 0; round < 6; round++) {
		uint64_t filed = keys_indexed(f->st);
		assert_int_equal(truce_txn_begin(f->st, 1, &t), 0);
		for (uint64_t i = n + 1; i <= n + 40; i++) {
			snprintf(name, sizeof(name), "n%llu", (unsigned long long)i);
			assert_int_equal(append_named(t, i, name, NULL), 0);
		}
		truce_txn_abort(t);
		assert_int_equal(keys_indexed(f->st), filed);
		all_known(f->st, n);
		/* the same articles are new again, and now stored for good */
		for (uint64_t i = n + 1; i <= n + 30; i++) {
			snprintf(name, sizeof(name), "n%llu", (unsigned long long)i);
			assert_int_equal(append_one(f->st, i, name), 0);
		}
		n += 30;
	}
	all_known(f->st, n);
	assert_true(keys_indexed(f->st) > 0);
}

static void test_aborted_txn_leaves_nothing(void **state)
{
	fixture *f = *state;
	truce_txn *t;
	assert_int_equal(truce_txn_begin(f->st, 1, &t), 0);
	uint8_t key[TRUCE_HASH_LEN];
	key_of("gone", key);
	assert_int_equal(truce_txn_article_append(t, 1, key, "gone", 4, NULL, NULL), 0);
	assert_int_equal(truce_txn_append(t, TRUCE_DB_EVENTS, 1, "ev", 2), 0);
	truce_txn_abort(t);
	assert_int_equal(truce_txn_begin(f->st, 0, &t), 0);
	uint64_t n = 1;
	assert_int_equal(truce_txn_count(t, TRUCE_DB_ARTICLES, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(truce_txn_count(t, TRUCE_DB_EVENTS, &n), 0);
	assert_int_equal(n, 0);
	uint8_t head[TRUCE_HASH_LEN];
	assert_int_equal(truce_txn_chain_head(t, head, &n), 0);
	assert_int_equal(n, 0);
	truce_txn_abort(t);
}

static void test_quarantine_and_scan_range(void **state)
{
	fixture *f = *state;
	truce_txn *t;
	assert_int_equal(truce_txn_begin(f->st, 1, &t), 0);
	for (uint64_t i = 1; i <= 5; i++)
		assert_int_equal(truce_txn_append(t, TRUCE_DB_QUARANTINE, i, "q", 1), 0);
	/* Append refuses a key that is not past the last one. */
	assert_int_equal(truce_txn_append(t, TRUCE_DB_QUARANTINE, 3, "q", 1), TRUCE_EINVAL);
	truce_txn_abort(t);

	assert_int_equal(truce_txn_begin(f->st, 1, &t), 0);
	for (uint64_t i = 1; i <= 5; i++)
		assert_int_equal(truce_txn_append(t, TRUCE_DB_QUARANTINE, i, "q", 1), 0);
	assert_int_equal(truce_txn_commit(t), 0);

	uint64_t seen[8] = {0};
	assert_int_equal(truce_txn_begin(f->st, 0, &t), 0);
	assert_int_equal(truce_txn_scan(t, TRUCE_DB_QUARANTINE, 2, 4, collect_seq, seen), 0);
	assert_int_equal(seen[0], 3);
	assert_int_equal(seen[1], 2);
	assert_int_equal(seen[2], 3);
	assert_int_equal(seen[3], 4);
	memset(seen, 0, sizeof(seen));
	assert_int_equal(truce_txn_scan(t, TRUCE_DB_QUARANTINE, 9, 20, collect_seq, seen), 0);
	assert_int_equal(seen[0], 0);
	assert_int_equal(truce_txn_scan(t, TRUCE_DB_QUARANTINE, 4, 2, collect_seq, seen), 0);
	assert_int_equal(seen[0], 0);
	truce_txn_abort(t);
}

static void test_reopen_keeps_everything(void **state)
{
	fixture *f = *state;
	assert_int_equal(append_one(f->st, 1, "kept"), 0);
	truce_store_close(f->st);
	f->st = NULL;
	char err[256];
	assert_int_equal(truce_store_open(f->dir, NULL, &f->st, err, sizeof(err)), 0);
	truce_txn *t;
	assert_int_equal(truce_txn_begin(f->st, 0, &t), 0);
	uint8_t key[TRUCE_HASH_LEN], head[TRUCE_HASH_LEN];
	uint64_t seq = 0;
	key_of("kept", key);
	assert_int_equal(truce_txn_article_find(t, key, &seq), 0);
	assert_int_equal(seq, 1);
	assert_int_equal(truce_txn_chain_head(t, head, &seq), 0);
	assert_int_equal(seq, 1);
	truce_txn_abort(t);
	/* And the chain continues from the stored head. */
	assert_int_equal(append_one(f->st, 2, "next"), 0);
}

static void test_second_writer_refused_reader_allowed(void **state)
{
	fixture *f = *state;
	assert_int_equal(append_one(f->st, 1, "x"), 0);
	truce_store *other = NULL;
	char err[256] = "";
	assert_int_equal(truce_store_open(f->dir, NULL, &other, err, sizeof(err)), TRUCE_EBUSY);
	assert_null(other);
	assert_non_null(strstr(err, "in use"));

	truce_store_opts ro = {.read_only = 1};
	assert_int_equal(truce_store_open(f->dir, &ro, &other, err, sizeof(err)), 0);
	truce_txn *t;
	assert_int_equal(truce_txn_begin(other, 1, &t), TRUCE_EPERM);
	assert_int_equal(truce_txn_begin(other, 0, &t), 0);
	uint64_t n = 0;
	assert_int_equal(truce_txn_count(t, TRUCE_DB_ARTICLES, &n), 0);
	assert_int_equal(n, 1);
	truce_txn_abort(t);
	truce_store_close(other);
}

/* Overwrites meta's schema behind the store's back (what an older or a
 * newer truce would have written), through LMDB itself: the store API
 * would refuse a newer schema. The store is closed first. */
static void set_schema(fixture *f, const char *name)
{
	truce_store_close(f->st);
	f->st = NULL;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi meta;
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
	assert_int_equal(mdb_env_open(env, f->dir, 0, 0600), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, "meta", 0, &meta), 0);
	MDB_val k = {strlen("schema"), (void *)"schema"}, v = {strlen(name), (void *)name};
	assert_int_equal(mdb_put(txn, meta, &k, &v, 0), 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

static void test_schemas(void **state)
{
	fixture *f = *state;
	assert_int_equal(truce_store_schema(f->st), TRUCE_SCHEMA);
	assert_int_equal(append_one(f->st, 1, "a"), 0);
	char err[512] = "";
	truce_store *st = NULL;
	truce_store_opts ro = {.read_only = 1}, up = {.upgrade = 1};

	/* An older schema: read-only and for an upgrade, never for truced. */
	set_schema(f, "truce-store-1");
	assert_int_equal(truce_store_open(f->dir, NULL, &st, err, sizeof(err)), TRUCE_ESCHEMA);
	assert_non_null(strstr(err, "truce upgrade --data"));
	assert_int_equal(truce_store_open(f->dir, &ro, &st, err, sizeof(err)), 0);
	assert_int_equal(truce_store_schema(st), 1);
	truce_store_close(st);
	assert_int_equal(truce_store_open(f->dir, &up, &st, err, sizeof(err)), 0);
	assert_int_equal(truce_store_schema(st), 1);
	truce_store_close(st);

	/* A newer one: nobody. */
	set_schema(f, "truce-store-4");
	assert_int_equal(truce_store_open(f->dir, &ro, &st, err, sizeof(err)), TRUCE_ESCHEMA);
	assert_non_null(strstr(err, "newer truce"));
	assert_int_equal(truce_store_open(f->dir, &up, &st, err, sizeof(err)), TRUCE_ESCHEMA);
	/* Not a schema at all. */
	set_schema(f, "something-else");
	assert_int_equal(truce_store_open(f->dir, &ro, &st, err, sizeof(err)), TRUCE_ECORRUPT);
	/* Schema 2 opens as it is: a reader leaves it so, a writer marks it 3. */
	set_schema(f, "truce-store-2");
	assert_int_equal(truce_store_open(f->dir, &ro, &st, err, sizeof(err)), 0);
	assert_int_equal(truce_store_schema(st), 2);
	truce_store_close(st);
	assert_int_equal(truce_store_open(f->dir, NULL, &f->st, err, sizeof(err)), 0);
	assert_int_equal(truce_store_schema(f->st), 3);
	truce_store_close(f->st);
	assert_int_equal(truce_store_open(f->dir, &ro, &f->st, err, sizeof(err)), 0);
	assert_int_equal(truce_store_schema(f->st), 3);
}

/* The function a stored record names, after checking its hash with it. */
static int record_alg(truce_txn *t, uint64_t seq)
{
	truce_bytes v;
	assert_int_equal(truce_txn_get(t, TRUCE_DB_ARTICLES, seq, &v), 0);
	Truce__V1__StoredArticle *sa = truce__v1__stored_article__unpack(NULL, v.len, v.data);
	assert_non_null(sa);
	int alg = sa->has_hash_alg ? (int)sa->hash_alg : TRUCE__V1__CHAIN_HASH__CHAIN_SHA256;
	uint8_t h[TRUCE_HASH_LEN];
	assert_int_equal(
	    truce_chain_hash(alg, sa->prev_hash.data, sa->record.data, sa->record.len, h), 0);
	assert_memory_equal(h, sa->hash.data, TRUCE_HASH_LEN);
	truce__v1__stored_article__free_unpacked(sa, NULL);
	return alg;
}

/* The stored bytes of seq are what protobuf-c packs for the message they
 * decode to: the store lays the record out by hand, byte for byte as
 * before, so older readers and --verify see the same records. */
static void assert_packed_as_protobuf_c(truce_txn *t, uint64_t seq)
{
	truce_bytes v;
	assert_int_equal(truce_txn_get(t, TRUCE_DB_ARTICLES, seq, &v), 0);
	Truce__V1__StoredArticle *sa = truce__v1__stored_article__unpack(NULL, v.len, v.data);
	assert_non_null(sa);
	size_t n = truce__v1__stored_article__get_packed_size(sa);
	assert_int_equal(n, v.len);
	uint8_t *buf = malloc(n);
	assert_non_null(buf);
	truce__v1__stored_article__pack(sa, buf);
	assert_memory_equal(buf, v.data, n);
	free(buf);
	truce__v1__stored_article__free_unpacked(sa, NULL);
}

/* A record given in pieces is stored as their concatenation, chained as
 * one: pieces of 0, 1, 200 and 20,000 bytes (length varints of one to
 * three bytes), then a record in one piece after it. */
static void test_article_parts(void **state)
{
	fixture *f = *state;
	static uint8_t big[20000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	const truce_bytes cases[][2] = {
	    {{(const uint8_t *)"", 0}, {(const uint8_t *)"x", 1}},
	    {{(const uint8_t *)"head", 4}, {big, 200}},
	    {{big, 100}, {big + 100, sizeof(big) - 100}},
	};
	truce_txn *t;
	uint8_t key[TRUCE_HASH_LEN], hash[TRUCE_HASH_LEN], prev[TRUCE_HASH_LEN] = {0};
	assert_int_equal(truce_txn_begin(f->st, 1, &t), 0);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		size_t len = cases[c][0].len + cases[c][1].len;
		uint8_t *whole = malloc(len);
		assert_non_null(whole);
		memcpy(whole, cases[c][0].data, cases[c][0].len);
		memcpy(whole + cases[c][0].len, cases[c][1].data, cases[c][1].len);
		crypto_hash_sha256(key, whole, len);
		assert_int_equal(
		    truce_txn_article_append_parts(t, c + 1, key, cases[c], 2, NULL, hash, NULL),
		    0);
		uint8_t want[TRUCE_HASH_LEN];
		assert_int_equal(truce_chain_hash(TRUCE__V1__CHAIN_HASH__CHAIN_BLAKE2B_256_FRAME,
		                                  prev, whole, len, want),
		                 0);
		assert_memory_equal(hash, want, TRUCE_HASH_LEN);
		memcpy(prev, hash, TRUCE_HASH_LEN);
		truce_bytes v;
		assert_int_equal(truce_txn_get(t, TRUCE_DB_ARTICLES, c + 1, &v), 0);
		Truce__V1__StoredArticle *sa =
		    truce__v1__stored_article__unpack(NULL, v.len, v.data);
		assert_non_null(sa);
		assert_int_equal(sa->record.len, len);
		assert_memory_equal(sa->record.data, whole, len);
		truce__v1__stored_article__free_unpacked(sa, NULL);
		assert_packed_as_protobuf_c(t, c + 1);
		free(whole);
	}
	assert_int_equal(truce_txn_commit(t), 0);
	assert_int_equal(append_one(f->st, 4, "in one piece"), 0);
	assert_int_equal(truce_txn_begin(f->st, 0, &t), 0);
	assert_int_equal(record_alg(t, 4), TRUCE__V1__CHAIN_HASH__CHAIN_BLAKE2B_256_FRAME);
	assert_packed_as_protobuf_c(t, 4);
	truce_txn_abort(t);
}

/* BLAKE2b-256 of prev, head and the frame's BLAKE2b-256, by hand. */
static void frame_hash_by_hand(const uint8_t *prev, const uint8_t *head, size_t head_len,
                               const uint8_t *frame, size_t frame_len, uint8_t out[TRUCE_HASH_LEN])
{
	uint8_t d[TRUCE_HASH_LEN];
	crypto_generichash(d, sizeof(d), frame, frame_len, NULL, 0);
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, TRUCE_HASH_LEN);
	crypto_generichash_update(&st, prev, TRUCE_HASH_LEN);
	crypto_generichash_update(&st, head, head_len);
	crypto_generichash_update(&st, d, sizeof(d));
	crypto_generichash_final(&st, out, TRUCE_HASH_LEN);
}

/* CHAIN_BLAKE2B_256_FRAME: a record that ends in its article frame is
 * chained as prev, head, and the frame's digest, whether the digest is
 * handed in (as truced does) or taken by the store; any other record as
 * all head with an empty frame; a changed frame byte changes the hash. */
static void test_frame_chain_hash(void **state)
{
	fixture *f = *state;
	uint8_t frame[300], head[64], key[TRUCE_HASH_LEN], digest[TRUCE_HASH_LEN];
	for (size_t i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 13);
	/* ArticleRecord: seq = 1 (field 1), then field 5 with the frame */
	size_t h = 0;
	head[h++] = 0x08;
	head[h++] = 1;
	head[h++] = 0x2a;
	head[h++] = (uint8_t)(0x80 | (sizeof(frame) & 0x7f));
	head[h++] = (uint8_t)(sizeof(frame) >> 7);
	const truce_bytes parts[2] = {{head, h}, {frame, sizeof(frame)}};
	truce_chain_frame_digest(frame, sizeof(frame), digest);
	uint8_t zero[TRUCE_HASH_LEN] = {0}, want[TRUCE_HASH_LEN], got[TRUCE_HASH_LEN];
	frame_hash_by_hand(zero, head, h, frame, sizeof(frame), want);
	truce_txn *t;
	key_of("framed", key);
	assert_int_equal(truce_txn_begin(f->st, 1, &t), 0);
	assert_int_equal(truce_txn_article_append_parts(t, 1, key, parts, 2, digest, got, NULL), 0);
	truce_txn_abort(t);
	assert_memory_equal(got, want, TRUCE_HASH_LEN);
	assert_int_equal(truce_txn_begin(f->st, 1, &t), 0);
	assert_int_equal(truce_txn_article_append_parts(t, 1, key, parts, 2, NULL, got, NULL), 0);
	assert_int_equal(record_alg(t, 1), TRUCE__V1__CHAIN_HASH__CHAIN_BLAKE2B_256_FRAME);
	truce_txn_abort(t);
	assert_memory_equal(got, want, TRUCE_HASH_LEN);

	uint8_t whole[sizeof(head) + sizeof(frame)];
	memcpy(whole, head, h);
	memcpy(whole + h, frame, sizeof(frame));
	whole[h + 7] ^= 1;
	assert_int_equal(truce_chain_hash(TRUCE__V1__CHAIN_HASH__CHAIN_BLAKE2B_256_FRAME, zero,
	                                  whole, h + sizeof(frame), got),
	                 0);
	assert_memory_not_equal(got, want, TRUCE_HASH_LEN);
	/* the frame not last: field 1 after it, so all head */
	whole[h + 7] ^= 1;
	whole[h + sizeof(frame)] = 0x08;
	whole[h + sizeof(frame) + 1] = 2;
	frame_hash_by_hand(zero, whole, h + sizeof(frame) + 2, NULL, 0, want);
	assert_int_equal(truce_chain_hash(TRUCE__V1__CHAIN_HASH__CHAIN_BLAKE2B_256_FRAME, zero,
	                                  whole, h + sizeof(frame) + 2, got),
	                 0);
	assert_memory_equal(got, want, TRUCE_HASH_LEN);
}

/* A schema 1 log (SHA-256 throughout) upgraded goes on with BLAKE2b after
 * its last article; its records keep their function. */
static void test_upgrade_switches_the_chain_hash(void **state)
{
	fixture *f = *state;
	/* As a schema 1 store: no BLAKE2b seq (all ones reads as none). */
	const uint8_t never[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	truce_txn *t;
	assert_int_equal(truce_txn_begin(f->st, 1, &t), 0);
	assert_int_equal(truce_txn_meta_put(t, "chain_blake2b_from", never, sizeof(never)), 0);
	assert_int_equal(truce_txn_meta_put(t, "chain_frame_from", never, sizeof(never)), 0);
	assert_int_equal(truce_txn_commit(t), 0);
	assert_int_equal(append_one(f->st, 1, "old"), 0);
	assert_int_equal(append_one(f->st, 2, "older"), 0);
	set_schema(f, "truce-store-1");
	char err[256] = "";
	truce_store_opts up = {.upgrade = 1};
	assert_int_equal(truce_store_open(f->dir, &up, &f->st, err, sizeof(err)), 0);
	assert_int_equal(truce_txn_begin(f->st, 1, &t), 0);
	assert_int_equal(truce_txn_set_schema(t), 0);
	assert_int_equal(truce_txn_commit(t), 0);
	assert_int_equal(truce_store_schema(f->st), TRUCE_SCHEMA);
	assert_int_equal(append_one(f->st, 3, "new"), 0);
	uint64_t from = 0;
	assert_int_equal(truce_txn_begin(f->st, 0, &t), 0);
	assert_int_equal(truce_txn_chain_blake2b_from(t, &from), 0);
	assert_int_equal(from, 3);
	assert_int_equal(truce_txn_chain_frame_from(t, &from), 0);
	assert_int_equal(from, 3);
	assert_int_equal(record_alg(t, 1), TRUCE__V1__CHAIN_HASH__CHAIN_SHA256);
	assert_int_equal(record_alg(t, 2), TRUCE__V1__CHAIN_HASH__CHAIN_SHA256);
	assert_int_equal(record_alg(t, 3), TRUCE__V1__CHAIN_HASH__CHAIN_BLAKE2B_256_FRAME);
	for (uint64_t seq = 1; seq <= 3; seq++) /* with and without hash_alg */
		assert_packed_as_protobuf_c(t, seq);
	truce_txn_abort(t);
	/* An unknown function is no hash. */
	uint8_t h[TRUCE_HASH_LEN];
	assert_int_equal(truce_chain_hash(7, h, "x", 1, h), TRUCE_EINVAL);
}

static void test_read_only_missing_store(void **state)
{
	(void)state;
	truce_store_opts ro = {.read_only = 1};
	truce_store *st = NULL;
	char err[256] = "";
	assert_int_equal(truce_store_open("/nonexistent/truce/dir", &ro, &st, err, sizeof(err)),
	                 TRUCE_ENOTFOUND);
	assert_null(st);
	assert_true(strlen(err) > 0);
}

static int collect_id(void *ctx, uint64_t id)
{
	uint64_t *seen = ctx;
	seen[++seen[0]] = id;
	return 0;
}

static void test_incident_index(void **state)
{
	fixture *f = *state;
	truce_txn *t;
	assert_int_equal(truce_txn_begin(f->st, 1, &t), 0);
	assert_int_equal(truce_txn_incident_index_add(t, "karabakh", "2022-08-03", 1), 0);
	assert_int_equal(truce_txn_incident_index_add(t, "karabakh", "2022-08-03", 1), 0);
	assert_int_equal(truce_txn_incident_index_add(t, "karabakh", "2022-08-04", 2), 0);
	assert_int_equal(truce_txn_incident_index_add(t, "karabakh", "2022-09-01", 3), 0);
	assert_int_equal(truce_txn_incident_index_add(t, "karabakhx", "2022-08-03", 4), 0);
	assert_int_equal(truce_txn_incident_index_add(t, "donbas", "2022-08-03", 5), 0);
	assert_int_equal(truce_txn_commit(t), 0);

	uint64_t seen[16] = {0};
	assert_int_equal(truce_txn_begin(f->st, 0, &t), 0);
	assert_int_equal(truce_txn_incident_index_scan(t, "karabakh", "2022-08-01", "2022-08-10",
	                                               collect_id, seen),
	                 0);
	/* Same id twice on one day is indexed once; other conflicts (even
	 * one whose name extends this one) and other days stay out. */
	assert_int_equal(seen[0], 2);
	assert_int_equal(seen[1], 1);
	assert_int_equal(seen[2], 2);
	truce_txn_abort(t);
}

static void test_map_grows_when_full(void **state)
{
	(void)state;
	char dir[SCRATCH_LEN];
	scratch_make(dir, "store");
	truce_store_opts o = {.map_size = 64 << 10};
	truce_store *st;
	char err[256];
	assert_int_equal(truce_store_open(dir, &o, &st, err, sizeof(err)), 0);
	static uint8_t blob[16 << 10];
	memset(blob, 'x', sizeof(blob));
	uint64_t seq = 1;
	int grows = 0;
	while (seq <= 64) {
		truce_txn *t;
		assert_int_equal(truce_txn_begin(st, 1, &t), 0);
		int rc = truce_txn_append(t, TRUCE_DB_EVENTS, seq, blob, sizeof(blob));
		if (rc == 0) {
			rc = truce_txn_commit(t);
		} else {
			truce_txn_abort(t);
		}
		if (rc == TRUCE_EFULL) {
			assert_int_equal(truce_store_grow(st), 0);
			grows++;
			continue;
		}
		assert_int_equal(rc, 0);
		seq++;
	}
	assert_true(grows > 0);
	assert_true(truce_store_map_size(st) >= (size_t)1 << 20);
	truce_txn *t;
	uint64_t n = 0;
	assert_int_equal(truce_txn_begin(st, 0, &t), 0);
	assert_int_equal(truce_txn_count(t, TRUCE_DB_EVENTS, &n), 0);
	assert_int_equal(n, 64);
	truce_txn_abort(t);
	truce_store_close(st);
	scratch_remove(dir);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_dir_created_owner_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_append_scan_in_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dedup_by_content_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_duplicate_gives_its_seq, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_schemas, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_upgrade_switches_the_chain_hash, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hash_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_article_parts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_frame_chain_hash, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_aborted_txn_leaves_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dedup_keys_filed_in_batches, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_aborted_append_forgets_its_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_quarantine_and_scan_range, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reopen_keeps_everything, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_second_writer_refused_reader_allowed, setup,
	                                    teardown),
	    cmocka_unit_test(test_read_only_missing_store),
	    cmocka_unit_test_setup_teardown(test_incident_index, setup, teardown),
	    cmocka_unit_test(test_map_grows_when_full),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
