/*
 * store.h - the LMDB store: one environment, named databases, big-endian
 * u64 keys so that cursor order is numeric order.
 *
 *   articles          u64 article seq -> StoredArticle (record + hash chain)
 *   article_keys      32-byte content key -> u64 article seq (dedup); filed
 *                     in batches, complete up to meta "keys_upto"
 *   claims            u64 claim id -> Claim
 *   incidents         u64 incident id -> IncidentSummary (schema 1: Incident)
 *   incident_index    "<conflict>\0<YYYY-MM-DD>" -> u64 incident ids (DUPSORT)
 *   incident_claims   u64 incident id -> u64 claim ids (DUPSORT, fixed size)
 *   incident_members  u64 incident id, kind, name -> value: the sources,
 *                     places and claimant/accused pairs an incident holds
 *   events            u64 event seq -> Event (schema 2: without its claim)
 *   quarantine        u64 -> Quarantined
 *   meta              name -> value (schema, chain head, chain hash)
 *
 * The store knows byte strings and the article hash chain; what the values
 * mean (protobuf messages of truce.proto) is the business of records.h
 * (incidents, events) and of the callers.
 *
 * Schemas: "truce-store-3" is this code's. A store of schema 2 (truce
 * before the batched article_keys) opens as it is, and a writer marks it
 * schema 3 as it opens it, so that an older truce, which would take a
 * lagging article_keys for complete, no longer writes it. A store of schema
 * 1 (truce before the incident aggregates) opens read-only as it is, and
 * for writing only once `truce upgrade` converted it
 * (truce_store_opts.upgrade is that command's way in). A store of a newer
 * schema does not open.
 *
 * A writer holds an exclusive lock file in the data directory, so a second
 * daemon on the same directory fails with TRUCE_EBUSY. Readers (truce replay,
 * stats) open read-only, take no lock, and never block the writer.
 *
 * Map full: any write may return TRUCE_EFULL. The transaction is then dead:
 * the caller aborts it, calls truce_store_grow() and redoes the whole batch.
 */
#ifndef TRUCE_STORE_H
#define TRUCE_STORE_H

#include "truce.h"

typedef struct truce_store truce_store;
typedef struct truce_txn truce_txn;

enum truce_db {
	TRUCE_DB_ARTICLES = 0,
	TRUCE_DB_ARTICLE_KEYS,
	TRUCE_DB_CLAIMS,
	TRUCE_DB_INCIDENTS,
	TRUCE_DB_INCIDENT_INDEX,
	TRUCE_DB_EVENTS,
	TRUCE_DB_QUARANTINE,
	TRUCE_DB_META,
	TRUCE_DB_INCIDENT_CLAIMS,  /* schema 2 */
	TRUCE_DB_INCIDENT_MEMBERS, /* schema 2 */
	TRUCE_DB_COUNT
};

#define TRUCE_SCHEMA 3 /* the store schema this code writes */

enum truce_sync_mode {
	TRUCE_SYNC_FULL = 0, /* fsync data and meta at every commit (default) */
	TRUCE_SYNC_META = 1, /* MDB_NOMETASYNC: a crash may lose the last commit */
	TRUCE_SYNC_NONE = 2, /* MDB_NOSYNC: the OS decides; a crash may lose more */
};

typedef struct truce_store_opts {
	size_t map_size;   /* initial map size in bytes; 0 = 256 MiB */
	int read_only;     /* MDB_RDONLY, no lock file */
	int sync;          /* enum truce_sync_mode */
	int upgrade;       /* a writer that accepts an older schema (truce upgrade) */
	size_t keys_batch; /* dedup keys kept in memory before filing; 0 = 65536 */
} truce_store_opts;

#define TRUCE_SEQ_MAX UINT64_MAX

/* A value inside the map: valid until its transaction ends. */
typedef struct truce_bytes {
	const uint8_t *data;
	size_t len;
} truce_bytes;

/*
 * Opens (creating with mode 0700 unless read_only) the data directory DIR;
 * read_only, DIR may also be a store copied into one file (a backup, see
 * truce_store_copy), though not the data.mdb of a live store.
 * Errors: TRUCE_EBUSY (another writer holds DIR), TRUCE_EPERM, TRUCE_EIO,
 * TRUCE_ENOTFOUND (read_only and no store there), TRUCE_ESCHEMA (a writer
 * on a store that needs `truce upgrade`, or a store of a newer truce),
 * TRUCE_ECORRUPT (no truce schema). errbuf (may be NULL) gets a sentence
 * for the user that says what to do.
 */
int truce_store_open(const char *dir, const truce_store_opts *opts, truce_store **out, char *errbuf,
                     size_t errlen);
void truce_store_close(truce_store *s);
/* The schema of the open store: 1, 2 (read-only) or 3 (TRUCE_SCHEMA). */
int truce_store_schema(const truce_store *s);
/* Marks the store as of schema TRUCE_SCHEMA (truce upgrade's last step);
 * the articles after the last one are chained with BLAKE2b-256. */
int truce_txn_set_schema(truce_txn *t);

/* Doubles the map size. Call only with no transaction open in this process. */
int truce_store_grow(truce_store *s);
size_t truce_store_map_size(const truce_store *s);
/* Bytes in use (pages in use times page size). */
int truce_store_used(truce_store *s, uint64_t *bytes);
/* The file system holding the store: bytes available to unprivileged
 * users, and its size. */
int truce_store_disk(truce_store *s, uint64_t *avail, uint64_t *total);

int truce_txn_begin(truce_store *s, int write, truce_txn **out);
/* Commits and frees t whatever the result. TRUCE_EFULL: grow and redo. */
int truce_txn_commit(truce_txn *t);
void truce_txn_abort(truce_txn *t);
/* The store a transaction belongs to. */
truce_store *truce_txn_store(truce_txn *t);

/* The store's u64 key and value encoding: big-endian, so that LMDB's
 * bytewise order is numeric order. */
static inline void truce_put_be64(uint8_t b[8], uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		b[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

static inline uint64_t truce_get_be64(const uint8_t b[8])
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | b[i];
	return v;
}

/* Highest key of a u64-keyed db, 0 when empty. */
int truce_txn_last(truce_txn *t, enum truce_db db, uint64_t *seq);
/* Number of entries. */
int truce_txn_count(truce_txn *t, enum truce_db db, uint64_t *n);
/* TRUCE_ENOTFOUND when absent. */
/*
 * The receipt time of a value of the articles db (a StoredArticle), read
 * without decoding the article inside. TRUCE_ECORRUPT when the value does
 * not hold one. The query socket and the record source filter by it.
 */
int truce_stored_received_us(truce_bytes val, int64_t *us);

int truce_txn_get(truce_txn *t, enum truce_db db, uint64_t seq, truce_bytes *val);
/* Appends under seq, which must be greater than the last key (TRUCE_EINVAL). */
int truce_txn_append(truce_txn *t, enum truce_db db, uint64_t seq, const void *data, size_t len);
/* Inserts or replaces. */
int truce_txn_put(truce_txn *t, enum truce_db db, uint64_t seq, const void *data, size_t len);
/* Makes room for a value of len bytes under seq (appended past the last key
 * when append, else inserted or replaced) and points *out at it, for the
 * caller to fill before its next operation on the transaction: a record
 * packed in place is not copied again. Not for the DUPSORT dbs. */
int truce_txn_reserve(truce_txn *t, enum truce_db db, uint64_t seq, size_t len, int append,
                      uint8_t **out);

typedef int (*truce_id_fn)(void *ctx, uint64_t id);

/* Byte-keyed access for the dbs whose keys are not one u64 (records.c). */
int truce_txn_kget(truce_txn *t, enum truce_db db, const void *key, size_t klen, truce_bytes *val);
/* Inserts; with no_overwrite a present key is left as it is and gives
 * TRUCE_EEXIST with its value in *old (may be NULL). */
int truce_txn_kput(truce_txn *t, enum truce_db db, const void *key, size_t klen, const void *data,
                   size_t len, int no_overwrite, truce_bytes *old);
/* Adds the u64 value v under the u64 key of a fixed-size DUPSORT db
 * (incident_claims); present already is not an error. */
int truce_txn_dup_add(truce_txn *t, enum truce_db db, uint64_t key, uint64_t v);
/* Calls fn for each u64 value under key, in order; fn's non-zero return
 * stops and is returned. */
int truce_txn_dup_scan(truce_txn *t, enum truce_db db, uint64_t key, truce_id_fn fn, void *ctx);

/* Called for each entry in key order; a non-zero return stops the scan and
 * is returned by truce_txn_scan. */
typedef int (*truce_scan_fn)(void *ctx, uint64_t seq, truce_bytes val);
/* Entries with from <= key <= to, in order. */
int truce_txn_scan(truce_txn *t, enum truce_db db, uint64_t from, uint64_t to, truce_scan_fn fn,
                   void *ctx);

/* --- the article log ---------------------------------------------------- */

/* The seq stored under a content key; TRUCE_ENOTFOUND when new. */
int truce_txn_article_find(truce_txn *t, const uint8_t key[TRUCE_HASH_LEN], uint64_t *seq);

/*
 * Appends a serialized ArticleRecord under seq (= last article seq + 1, which
 * the caller packed into the record), chaining it: prev_hash = the chain
 * head, hash = the store's chain hash for seq over prev_hash and the
 * record (truce_chain_hash). Stores a StoredArticle, indexes the content key,
 * advances the chain head (written to meta when the transaction commits).
 * hash_out may be NULL. TRUCE_EEXIST when the key is already stored (then
 * *existing, unless NULL, is its seq, and nothing is written); TRUCE_EINVAL
 * on a seq gap.
 */
int truce_txn_article_append(truce_txn *t, uint64_t seq, const uint8_t key[TRUCE_HASH_LEN],
                             const void *record, size_t len, uint8_t hash_out[TRUCE_HASH_LEN],
                             uint64_t *existing);

/* The same with the record given in pieces, stored as their concatenation:
 * truced passes the ArticleRecord's own fields and the collector's frame,
 * so the frame is copied once, straight into the store. frame_digest, when
 * not NULL, is the BLAKE2b-256 of the last piece, which the chain hash
 * CHAIN_BLAKE2B_256_FRAME then takes as it is when that piece is the
 * record's article frame (truced computes it on a parse thread). */
int truce_txn_article_append_parts(truce_txn *t, uint64_t seq, const uint8_t key[TRUCE_HASH_LEN],
                                   const truce_bytes *parts, size_t n_parts,
                                   const uint8_t *frame_digest, uint8_t hash_out[TRUCE_HASH_LEN],
                                   uint64_t *existing);

/* The chain head: the hash of the last article and its seq (zeros and 0 on
 * an empty log). */
int truce_txn_chain_head(truce_txn *t, uint8_t head[TRUCE_HASH_LEN], uint64_t *seq);

/* The first article seq chained with BLAKE2b-256; the ones before use
 * SHA-256 (a store of schema 1 upgraded). TRUCE_SEQ_MAX in a schema 1 store. */
int truce_txn_chain_blake2b_from(truce_txn *t, uint64_t *seq);
/* The first article seq chained with CHAIN_BLAKE2B_256_FRAME, which the
 * ones from there on use; TRUCE_SEQ_MAX when none is (a store of schema 1
 * or 2 read as it is). */
int truce_txn_chain_frame_from(truce_txn *t, uint64_t *seq);
/* The digest of an article frame that CHAIN_BLAKE2B_256_FRAME chains (the
 * frame_digest of truce_txn_article_append_parts). Thread-safe. */
void truce_chain_frame_digest(const void *frame, size_t len, uint8_t out[TRUCE_HASH_LEN]);
/* The JSON name of a chain hash: "sha256", "blake2b-256",
 * "blake2b-256-frame", or "unknown". */
const char *truce_chain_hash_name(int alg);

/* The chain hash of a record for a StoredArticle.hash_alg (enum ChainHash):
 * H(prev || record), or for CHAIN_BLAKE2B_256_FRAME H(prev || head ||
 * H(frame)) where frame is the value of the record's last field when that
 * is its article (field 5) and head what comes before it (the whole record
 * and an empty frame otherwise). TRUCE_EINVAL for an unknown one. */
int truce_chain_hash(int alg, const uint8_t prev[TRUCE_HASH_LEN], const void *record, size_t len,
                     uint8_t out[TRUCE_HASH_LEN]);

/* --- incident index ----------------------------------------------------- */

int truce_txn_incident_index_add(truce_txn *t, const char *conflict, const char *day, uint64_t id);
/* Incident ids of a conflict indexed on days from day_from to day_to
 * (YYYY-MM-DD, inclusive), by day then id. */
int truce_txn_incident_index_scan(truce_txn *t, const char *conflict, const char *day_from,
                                  const char *day_to, truce_id_fn fn, void *ctx);

/* --- operations: sizes and copies --------------------------------------- */

/* The name of a db ("articles", ...), NULL for a value out of range. */
const char *truce_store_db_name(enum truce_db db);

/* What one named db takes (LMDB's mdb_stat). */
typedef struct truce_db_stat {
	uint64_t entries;
	uint64_t depth;          /* of its B-tree */
	uint64_t pages;          /* branch + leaf + overflow */
	uint64_t overflow_pages; /* values larger than a page */
	uint64_t bytes;          /* pages times the page size */
} truce_db_stat;

int truce_txn_db_stat(truce_txn *t, enum truce_db db, truce_db_stat *out);

#define TRUCE_COPY_COMPACT 1u /* leave out free pages and renumber (MDB_CP_COMPACT) */

/*
 * A consistent copy of the whole store as one read transaction sees it
 * (LMDB's mdb_env_copyfd2), safe while a writer runs and never blocking it.
 * Written to path.partial (0600), fsync'd, then linked to path, so a file at
 * path is always a whole copy; an existing path is never replaced
 * (TRUCE_EEXIST). The file is a store of its own: truce_store_open of it
 * read-only opens it, and as DIR/data.mdb it is a data directory. Call it
 * with no transaction of s open in this process. TRUCE_ENOSPC: the disk
 * filled, nothing is left behind.
 */
int truce_store_copy(truce_store *s, const char *path, unsigned flags, char *errbuf, size_t errlen);

/* --- meta --------------------------------------------------------------- */

int truce_txn_meta_get(truce_txn *t, const char *name, truce_bytes *val);
int truce_txn_meta_put(truce_txn *t, const char *name, const void *data, size_t len);

#endif
