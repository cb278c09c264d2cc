/*
 * state.c - the collector's durable state: an LMDB environment in --state
 * DIR (see feed.h).
 *
 *   feeds   feed URL -> the feed's record, as JSON (readable with mdb_dump,
 *           and new fields need no migration)
 *   items   item key (feed_item_key) -> state byte, 3 zero bytes, BE u32
 *           day last seen, BE u64 article seq: what became of every item
 *           seen in the last --forget days
 *   urls    content key -> item key of the first item with that key, so the
 *           same story in two feeds is sent once
 *   outbox  item key -> state, attempts, next page try, the feed's URL and
 *           the packed Article: what is still to be sent
 *
 * The core store (truce/store.h) is truced's schema with truced's named
 * databases; these four are the collector's own, so it opens LMDB itself.
 * A flock on DIR/feed.lock keeps a second `truce feed` off the same state
 * (LMDB would let two writers take turns, and both would send everything).
 * The map starts at 64 MiB and doubles before a turn whenever it is half
 * full, which leaves a turn (a few polls' articles) ample room; a turn that
 * still fills it fails whole, before anything of it is committed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <lmdb.h>

#include "feed.h"

#define STATE_MAP_START ((size_t)64 << 20)
#define STATE_LOCK "feed.lock"
#define ITEM_VAL_LEN 16
#define OUTBOX_HEAD 16 /* state, attempts (3 bytes BE), next_try_us (BE), url len (BE u32) */

enum { DB_FEEDS, DB_ITEMS, DB_URLS, DB_OUTBOX, DB_COUNT };
static const char *const db_names[DB_COUNT] = {"feeds", "items", "urls", "outbox"};

struct feed_state {
	MDB_env *env;
	MDB_dbi dbi[DB_COUNT];
	MDB_txn *txn; /* the turn's write transaction, or a reader's */
	int read_only;
	int lock_fd;
};

static int lmdb_err(int rc)
{
	switch (rc) {
	case 0: return 0;
	case MDB_NOTFOUND: return TRUCE_ENOTFOUND;
	case MDB_MAP_FULL: return TRUCE_EFULL;
	case ENOMEM: return TRUCE_ENOMEM;
	case ENOSPC: return TRUCE_ENOSPC;
	case EACCES:
	case EPERM: return TRUCE_EPERM;
	default: return TRUCE_EIO;
	}
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static int take_lock(feed_state *s, const char *dir, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, STATE_LOCK);
	s->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lock_fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return errno == EACCES ? TRUCE_EPERM : TRUCE_EIO;
	}
	if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		snprintf(err, errlen, "state directory %s is in use (another truce feed holds it)",
		         dir);
		return TRUCE_EBUSY;
	}
	return 0;
}

static int open_dbs(feed_state *s, const char *dir, char *err, size_t errlen)
{
	MDB_txn *t = NULL;
	int rc = mdb_txn_begin(s->env, NULL, s->read_only ? MDB_RDONLY : 0, &t);
	for (int i = 0; rc == 0 && i < DB_COUNT; i++)
		rc = mdb_dbi_open(t, db_names[i], s->read_only ? 0 : MDB_CREATE, &s->dbi[i]);
	if (rc != 0) {
		if (t != NULL)
			mdb_txn_abort(t);
		snprintf(err, errlen, "state %s: %s", dir,
		         rc == MDB_NOTFOUND ? "not a truce feed state" : mdb_strerror(rc));
		return lmdb_err(rc);
	}
	rc = mdb_txn_commit(t);
	if (rc != 0)
		snprintf(err, errlen, "state %s: %s", dir, mdb_strerror(rc));
	return lmdb_err(rc);
}

int feed_state_open(const char *dir, int read_only, feed_state **out, char *err, size_t errlen)
{
	struct stat st;
	if (read_only && stat(dir, &st) != 0) {
		snprintf(err, errlen, "no state in %s: %s", dir, strerror(errno));
		return TRUCE_ENOTFOUND;
	}
	if (!read_only && mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		return errno == EACCES ? TRUCE_EPERM : TRUCE_EIO;
	}
	feed_state *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return TRUCE_ENOMEM;
	s->read_only = read_only;
	s->lock_fd = -1;
	int rc = read_only ? 0 : take_lock(s, dir, err, errlen);
	if (rc == 0 && (rc = lmdb_err(mdb_env_create(&s->env))) == 0) {
		mdb_env_set_maxdbs(s->env, DB_COUNT);
		mdb_env_set_mapsize(s->env, STATE_MAP_START);
		int e = mdb_env_open(s->env, dir, read_only ? MDB_RDONLY : 0, 0600);
		if (e != 0) {
			snprintf(err, errlen, "%s %s: %s",
			         read_only ? "no state in" : "cannot open", dir, mdb_strerror(e));
			rc = e == ENOENT ? TRUCE_ENOTFOUND : lmdb_err(e);
		}
	}
	if (rc == 0)
		rc = open_dbs(s, dir, err, errlen);
	if (rc != 0) {
		feed_state_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

void feed_state_close(feed_state *s)
{
	if (s == NULL)
		return;
	if (s->txn != NULL)
		mdb_txn_abort(s->txn); /* an uncommitted turn is made again */
	if (s->env != NULL)
		mdb_env_close(s->env);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	free(s);
}

/* Doubles the map while it is over half full; only between transactions. */
static int grow_if_needed(feed_state *s)
{
	MDB_envinfo info;
	MDB_stat st;
	if (mdb_env_info(s->env, &info) != 0 || mdb_env_stat(s->env, &st) != 0)
		return TRUCE_EIO;
	size_t used = (info.me_last_pgno + 1) * (size_t)st.ms_psize;
	if (used * 2 < info.me_mapsize)
		return 0;
	return lmdb_err(mdb_env_set_mapsize(s->env, info.me_mapsize * 2));
}

/* The turn's transaction, begun on first use. */
static int txn(feed_state *s, MDB_txn **t)
{
	if (s->txn == NULL) {
		int rc = s->read_only ? 0 : grow_if_needed(s);
		if (rc == 0)
			rc = lmdb_err(
			    mdb_txn_begin(s->env, NULL, s->read_only ? MDB_RDONLY : 0, &s->txn));
		if (rc != 0)
			return rc;
	}
	*t = s->txn;
	return 0;
}

int feed_state_in_txn(const feed_state *s)
{
	return s->txn != NULL;
}

int feed_state_commit(feed_state *s)
{
	if (s->txn == NULL)
		return 0;
	int rc = s->read_only ? (mdb_txn_abort(s->txn), 0) : mdb_txn_commit(s->txn);
	s->txn = NULL;
	return lmdb_err(rc);
}

static int get(feed_state *s, int db, const void *k, size_t klen, MDB_val *v)
{
	MDB_txn *t;
	int rc = txn(s, &t);
	if (rc != 0)
		return rc;
	MDB_val key = {klen, (void *)k};
	return lmdb_err(mdb_get(t, s->dbi[db], &key, v));
}

static int put(feed_state *s, int db, const void *k, size_t klen, const void *v, size_t vlen)
{
	MDB_txn *t;
	int rc = txn(s, &t);
	if (rc != 0)
		return rc;
	MDB_val key = {klen, (void *)k}, val = {vlen, (void *)v};
	rc = mdb_put(t, s->dbi[db], &key, &val, 0);
	if (rc != 0) { /* the transaction is dead: the turn fails whole */
		mdb_txn_abort(s->txn);
		s->txn = NULL;
	}
	return lmdb_err(rc);
}

/* --- feed records --------------------------------------------------------- */

int feed_set_str(char **slot, const char *v)
{
	char *c = v != NULL ? strdup(v) : NULL;
	if (v != NULL && c == NULL)
		return TRUCE_ENOMEM;
	free(*slot);
	*slot = c;
	return 0;
}

void feed_rec_clear(feed_rec *r)
{
	free(r->url);
	free(r->etag);
	free(r->last_modified);
	free(r->title);
	free(r->last_result);
	free(r->last_error);
	memset(r, 0, sizeof(*r));
}

int feed_rec_copy(const feed_rec *from, feed_rec *to)
{
	feed_rec c = *from;
	c.url = c.etag = c.last_modified = c.title = c.last_result = c.last_error = NULL;
	if (feed_set_str(&c.url, from->url) || feed_set_str(&c.etag, from->etag) ||
	    feed_set_str(&c.last_modified, from->last_modified) ||
	    feed_set_str(&c.title, from->title) ||
	    feed_set_str(&c.last_result, from->last_result) ||
	    feed_set_str(&c.last_error, from->last_error)) {
		feed_rec_clear(&c);
		return TRUCE_ENOMEM;
	}
	*to = c;
	return 0;
}

static json_t *rec_json(const feed_rec *r)
{
	json_t *o = json_object();
	const struct {
		const char *k;
		const char *v;
	} strs[] = {{"etag", r->etag},
	            {"last_modified", r->last_modified},
	            {"title", r->title},
	            {"last_result", r->last_result},
	            {"last_error", r->last_error}};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strs[i].v != NULL)
			json_object_set_new(o, strs[i].k, json_string(strs[i].v));
	const struct {
		const char *k;
		json_int_t v;
	} nums[] = {{"last_poll_us", r->last_poll_us},
	            {"next_poll_us", r->next_poll_us},
	            {"last_new_us", r->last_new_us},
	            {"interval_ms", r->interval_ms},
	            {"hint_s", r->hint_s},
	            {"errors", r->errors},
	            {"polls", (json_int_t)r->polls},
	            {"items", (json_int_t)r->items},
	            {"sent", (json_int_t)r->sent},
	            {"pending", (json_int_t)r->pending},
	            {"same", (json_int_t)r->same},
	            {"rejected", (json_int_t)r->rejected},
	            {"unlisted", r->unlisted}};
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		json_object_set_new(o, nums[i].k, json_integer(nums[i].v));
	return o;
}

static int rec_of_json(const char *url, size_t url_len, const char *buf, size_t len, feed_rec *r)
{
	json_t *o = json_loadb(buf, len, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return TRUCE_ECORRUPT;
	}
	memset(r, 0, sizeof(*r));
	r->url = strndup(url, url_len);
	char **strs[] = {&r->etag, &r->last_modified, &r->title, &r->last_result, &r->last_error};
	const char *skeys[] = {"etag", "last_modified", "title", "last_result", "last_error"};
	int rc = r->url != NULL ? 0 : TRUCE_ENOMEM;
	for (size_t i = 0; rc == 0 && i < sizeof(skeys) / sizeof(skeys[0]); i++) {
		json_t *v = json_object_get(o, skeys[i]);
		if (json_is_string(v))
			rc = feed_set_str(strs[i], json_string_value(v));
	}
	int64_t *i64[] = {&r->last_poll_us, &r->next_poll_us, &r->last_new_us, &r->interval_ms,
	                  &r->hint_s};
	const char *ikeys[] = {"last_poll_us", "next_poll_us", "last_new_us", "interval_ms",
	                       "hint_s"};
	for (size_t i = 0; i < sizeof(ikeys) / sizeof(ikeys[0]); i++)
		*i64[i] = (int64_t)json_integer_value(json_object_get(o, ikeys[i]));
	uint64_t *u64[] = {&r->polls, &r->items, &r->sent, &r->pending, &r->same, &r->rejected};
	const char *ukeys[] = {"polls", "items", "sent", "pending", "same", "rejected"};
	for (size_t i = 0; i < sizeof(ukeys) / sizeof(ukeys[0]); i++)
		*u64[i] = (uint64_t)json_integer_value(json_object_get(o, ukeys[i]));
	r->errors = (uint32_t)json_integer_value(json_object_get(o, "errors"));
	r->unlisted = json_integer_value(json_object_get(o, "unlisted")) != 0;
	json_decref(o);
	if (rc != 0)
		feed_rec_clear(r);
	return rc;
}

int feed_state_get_feed(feed_state *s, const char *url, feed_rec *out)
{
	MDB_val v;
	int rc = get(s, DB_FEEDS, url, strlen(url), &v);
	if (rc != 0)
		return rc;
	return rec_of_json(url, strlen(url), v.mv_data, v.mv_size, out);
}

int feed_state_put_feed(feed_state *s, const feed_rec *r)
{
	json_t *o = rec_json(r);
	char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (text == NULL)
		return TRUCE_ENOMEM;
	int rc = put(s, DB_FEEDS, r->url, strlen(r->url), text, strlen(text));
	free(text);
	return rc;
}

/* Calls fn with every entry of db, in key order; a non-zero return stops
 * the walk and is returned. */
static int walk(feed_state *s, int db, int (*fn)(void *ctx, const MDB_val *k, const MDB_val *v),
                void *ctx)
{
	MDB_txn *t;
	int rc = txn(s, &t);
	MDB_cursor *c = NULL;
	if (rc == 0)
		rc = lmdb_err(mdb_cursor_open(t, s->dbi[db], &c));
	MDB_val k, v;
	for (int op = MDB_FIRST; rc == 0; op = MDB_NEXT) {
		int e = mdb_cursor_get(c, &k, &v, op);
		if (e == MDB_NOTFOUND)
			break;
		rc = e != 0 ? lmdb_err(e) : fn(ctx, &k, &v);
	}
	mdb_cursor_close(c);
	return rc;
}

typedef struct feeds_walk {
	int (*fn)(void *ctx, const feed_rec *r);
	void *ctx;
} feeds_walk;

static int one_feed(void *ctx, const MDB_val *k, const MDB_val *v)
{
	const feeds_walk *fw = ctx;
	feed_rec r;
	int rc = rec_of_json(k->mv_data, k->mv_size, v->mv_data, v->mv_size, &r);
	if (rc == TRUCE_ECORRUPT)
		return 0; /* not a record this version can read: skipped */
	if (rc == 0) {
		rc = fw->fn(fw->ctx, &r);
		feed_rec_clear(&r);
	}
	return rc;
}

int feed_state_feeds(feed_state *s, int (*fn)(void *ctx, const feed_rec *r), void *ctx)
{
	feeds_walk fw = {fn, ctx};
	return walk(s, DB_FEEDS, one_feed, &fw);
}

/* --- items and urls ------------------------------------------------------- */

int feed_state_item_get(feed_state *s, const uint8_t key[TRUCE_HASH_LEN], feed_item_rec *out)
{
	MDB_val v;
	int rc = get(s, DB_ITEMS, key, TRUCE_HASH_LEN, &v);
	if (rc != 0)
		return rc;
	if (v.mv_size != ITEM_VAL_LEN)
		return TRUCE_ECORRUPT;
	const uint8_t *p = v.mv_data;
	out->state = p[0];
	out->day = (uint32_t)get_be(p + 4, 4);
	out->seq = get_be(p + 8, 8);
	return 0;
}

int feed_state_item_put(feed_state *s, const uint8_t key[TRUCE_HASH_LEN], const feed_item_rec *r)
{
	uint8_t v[ITEM_VAL_LEN] = {0};
	v[0] = (uint8_t)r->state;
	put_be(v + 4, r->day, 4);
	put_be(v + 8, r->seq, 8);
	return put(s, DB_ITEMS, key, TRUCE_HASH_LEN, v, sizeof(v));
}

int feed_state_url_get(feed_state *s, const uint8_t ckey[TRUCE_HASH_LEN],
                       uint8_t item_key[TRUCE_HASH_LEN])
{
	MDB_val v;
	int rc = get(s, DB_URLS, ckey, TRUCE_HASH_LEN, &v);
	if (rc != 0)
		return rc;
	if (v.mv_size != TRUCE_HASH_LEN)
		return TRUCE_ECORRUPT;
	memcpy(item_key, v.mv_data, TRUCE_HASH_LEN);
	return 0;
}

int feed_state_url_put(feed_state *s, const uint8_t ckey[TRUCE_HASH_LEN],
                       const uint8_t item_key[TRUCE_HASH_LEN])
{
	return put(s, DB_URLS, ckey, TRUCE_HASH_LEN, item_key, TRUCE_HASH_LEN);
}

/* --- forgetting -------------------------------------------------------------- */

typedef struct prune_run {
	feed_state *s;
	MDB_cursor *c;
	uint32_t before;
	uint64_t n;
} prune_run;

/* Deletes the cursor's entry in place when it is an item done with and
 * not seen since before. */
static int prune_item(void *ctx, const MDB_val *k, const MDB_val *v)
{
	prune_run *p = ctx;
	const uint8_t *b = v->mv_data;
	(void)k;
	if (v->mv_size != ITEM_VAL_LEN || b[0] < FEED_ITEM_ACKED || get_be(b + 4, 4) >= p->before)
		return 0;
	p->n++;
	return lmdb_err(mdb_cursor_del(p->c, 0));
}

/* Deletes the content key when its item was forgotten. */
static int prune_url(void *ctx, const MDB_val *k, const MDB_val *v)
{
	prune_run *p = ctx;
	MDB_val key = {v->mv_size, v->mv_data}, item;
	(void)k;
	int rc = mdb_get(p->s->txn, p->s->dbi[DB_ITEMS], &key, &item);
	if (rc != MDB_NOTFOUND)
		return lmdb_err(rc);
	p->n++;
	return lmdb_err(mdb_cursor_del(p->c, 0));
}

/* walk() with the cursor handed to fn, for deletions in place. */
static int walk_del(feed_state *s, int db, int (*fn)(void *ctx, const MDB_val *k, const MDB_val *v),
                    prune_run *p)
{
	MDB_txn *t;
	int rc = txn(s, &t);
	if (rc == 0)
		rc = lmdb_err(mdb_cursor_open(t, s->dbi[db], &p->c));
	MDB_val k, v;
	for (int op = MDB_FIRST; rc == 0; op = MDB_NEXT) {
		int e = mdb_cursor_get(p->c, &k, &v, op);
		if (e == MDB_NOTFOUND)
			break;
		rc = e != 0 ? lmdb_err(e) : fn(p, &k, &v);
	}
	mdb_cursor_close(p->c);
	p->c = NULL;
	return rc;
}

int feed_state_prune(feed_state *s, uint32_t before_day, uint64_t *items, uint64_t *urls)
{
	prune_run p = {.s = s, .before = before_day};
	int rc = walk_del(s, DB_ITEMS, prune_item, &p);
	*items = p.n;
	p.n = 0;
	if (rc == 0)
		rc = walk_del(s, DB_URLS, prune_url, &p);
	*urls = p.n;
	return rc;
}

/* --- the outbox ------------------------------------------------------------ */

static int outbox_decode(const MDB_val *v, feed_outbox_rec *r)
{
	const uint8_t *p = v->mv_data;
	if (v->mv_size < OUTBOX_HEAD)
		return TRUCE_ECORRUPT;
	uint32_t url_len = (uint32_t)get_be(p + 12, 4);
	if (url_len + 1 > v->mv_size - OUTBOX_HEAD || p[OUTBOX_HEAD + url_len] != '\0')
		return TRUCE_ECORRUPT;
	r->state = p[0];
	r->attempts = (uint32_t)get_be(p + 1, 3);
	r->next_try_us = (int64_t)get_be(p + 4, 8);
	r->feed_url = (const char *)p + OUTBOX_HEAD;
	r->frame = p + OUTBOX_HEAD + url_len + 1;
	r->len = v->mv_size - OUTBOX_HEAD - url_len - 1;
	return 0;
}

int feed_state_outbox_get(feed_state *s, const uint8_t key[TRUCE_HASH_LEN], feed_outbox_rec *out)
{
	MDB_val v;
	int rc = get(s, DB_OUTBOX, key, TRUCE_HASH_LEN, &v);
	return rc != 0 ? rc : outbox_decode(&v, out);
}

int feed_state_outbox_put(feed_state *s, const uint8_t key[TRUCE_HASH_LEN],
                          const feed_outbox_rec *r)
{
	size_t url_len = strlen(r->feed_url), n = OUTBOX_HEAD + url_len + 1 + r->len;
	uint8_t *v = malloc(n);
	if (v == NULL)
		return TRUCE_ENOMEM;
	v[0] = (uint8_t)r->state;
	put_be(v + 1, r->attempts > 0xFFFFFF ? 0xFFFFFF : r->attempts, 3);
	put_be(v + 4, (uint64_t)r->next_try_us, 8);
	put_be(v + 12, url_len, 4);
	memcpy(v + OUTBOX_HEAD, r->feed_url, url_len + 1);
	memcpy(v + OUTBOX_HEAD + url_len + 1, r->frame, r->len);
	int rc = put(s, DB_OUTBOX, key, TRUCE_HASH_LEN, v, n);
	free(v);
	return rc;
}

int feed_state_outbox_del(feed_state *s, const uint8_t key[TRUCE_HASH_LEN])
{
	MDB_txn *t;
	int rc = txn(s, &t);
	if (rc != 0)
		return rc;
	MDB_val k = {TRUCE_HASH_LEN, (void *)key};
	rc = mdb_del(t, s->dbi[DB_OUTBOX], &k, NULL);
	return rc == MDB_NOTFOUND ? 0 : lmdb_err(rc);
}

typedef struct outbox_walk {
	int (*fn)(void *ctx, const uint8_t *key, const feed_outbox_rec *r);
	void *ctx;
} outbox_walk;

static int one_outbox(void *ctx, const MDB_val *k, const MDB_val *v)
{
	const outbox_walk *ow = ctx;
	feed_outbox_rec r;
	if (k->mv_size != TRUCE_HASH_LEN || outbox_decode(v, &r) != 0)
		return 0; /* not an entry this version can read: skipped */
	return ow->fn(ow->ctx, k->mv_data, &r);
}

int feed_state_outbox_scan(feed_state *s,
                           int (*fn)(void *ctx, const uint8_t *key, const feed_outbox_rec *r),
                           void *ctx)
{
	outbox_walk ow = {fn, ctx};
	return walk(s, DB_OUTBOX, one_outbox, &ow);
}
