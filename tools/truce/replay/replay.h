/*
 * replay.h - what the parts of `truce replay` share: the options, the
 * stored log as a source (a data directory read-only, or a daemon's query
 * socket), cursors over the claims and events derived from each article,
 * and the progress bar.
 *
 *   ../cmd_replay.c    options, printing (JSON Lines / table), --export,
 *                      --quarantine
 *   client/source.c    the source and the cursors
 *   verify.c           --verify: the hash chain
 *   reparse.c          --reparse: re-derive claims, compare with the stored
 *   publish.c          --publish: send the log to another daemon
 */
#ifndef TRUCE_TOOLS_REPLAY_H
#define TRUCE_TOOLS_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "truce/keys.h"
#include "truce/store.h"
#include "truce/wire.h"

enum replay_format { REPLAY_AUTO, REPLAY_TABLE, REPLAY_JSONL };

typedef struct replay_opts {
	const char *data;               /* --data DIR */
	const char *connect;            /* --connect QUERY_EP */
	truce_key_args keys;            /* CURVE for --connect and --publish */
	const truce_client_keys *ckeys; /* loaded from keys */
	int timeout_ms;                 /* query socket reply timeout */
	uint64_t from, to;              /* article seqs, inclusive */
	int64_t since_us, until_us;
	int has_since, has_until;
	int ranged; /* any of --from/--to/--since/--until given */
	enum replay_format format;
	int quiet;    /* no progress bar, no notes */
	int progress; /* draw the progress bar (stderr is a terminal) */
	/* printing */
	int claims, events;
	/* --reparse */
	const char *rules_dir;
	int diff;
	/* --publish */
	const char *publish;
	double pace; /* 0 = as fast as possible, else speed-up factor */
	size_t window;
	int64_t send_timeout_ms;
	int64_t deadline_ms;
	/* --export */
	const char *export_path;
} replay_opts;

/* --- the source --------------------------------------------------------- */

typedef struct replay_src replay_src;

int replay_src_open(const replay_opts *o, replay_src **out, char *err, size_t errlen);
void replay_src_close(replay_src *src);

/* The log's extent, read in one transaction: the last article seq, the
 * number of articles and the chain head of meta (hash and its seq; for a
 * remote store head_seq is the last article seq, which is all Stats says). */
typedef struct replay_head {
	uint64_t last_seq;
	uint64_t count;
	uint8_t hash[TRUCE_HASH_LEN];
	uint64_t head_seq;
	uint64_t last_claim; /* upper bounds, for the cursors' starting search */
	uint64_t last_event;
} replay_head;

int replay_src_head(replay_src *src, replay_head *h);

/* One stored article. key is its key in the articles db (remote: the seq
 * its record states, or the one after the previous article when it does not
 * decode). sa is NULL when the stored value does not decode, rec when the
 * record inside does not. Valid during the callback only. */
typedef struct replay_article {
	uint64_t key;
	const Truce__V1__StoredArticle *sa;
	const Truce__V1__ArticleRecord *rec;
} replay_article;

typedef int (*replay_article_fn)(void *ctx, const replay_article *a);

/* Articles with from <= seq <= to (and, when use_time, a receipt time in
 * [since, until]) in seq order. Read in bounded chunks, each in its own
 * read transaction or query, so a slow callback (a paced publish) never
 * holds an LMDB snapshot. A non-zero return of fn stops the walk and is
 * returned. */
int replay_src_articles(replay_src *src, uint64_t from, uint64_t to, int use_time, int64_t since_us,
                        int64_t until_us, replay_article_fn fn, void *ctx);

/* Whether remote; remote sources have no quarantine. */
int replay_src_remote(const replay_src *src);
/* The open store of a local source (NULL when remote). */
truce_store *replay_src_store(replay_src *src);

/* --- cursors over claims and events, by article ------------------------- */

/*
 * Claims (db TRUCE_DB_CLAIMS) or events (TRUCE_DB_EVENTS) grouped by their
 * article_seq. Both are written in commit order, so their article_seq never
 * decreases along their ids: a cursor walks them once alongside the
 * articles, starting where article first_seq begins.
 */
typedef struct replay_cursor replay_cursor;

int replay_cursor_new(replay_src *src, enum truce_db db, uint64_t first_seq, uint64_t last_id,
                      replay_cursor **out);
/* The records of article seq, in id order (claims: Truce__V1__Claim *,
 * events: Truce__V1__Event *); valid until the next call. Records of
 * articles before seq are skipped. */
int replay_cursor_take(replay_cursor *c, uint64_t seq, void ***v, size_t *n);
void replay_cursor_free(replay_cursor *c);

/* --- progress ----------------------------------------------------------- */

typedef struct replay_progress {
	int enabled;
	uint64_t total;
	int64_t start_ms, last_ms;
	int drawn;
} replay_progress;

void replay_progress_start(replay_progress *p, int enabled, uint64_t total);
/* Redraws at most a few times a second, and only once the run is long. */
void replay_progress_update(replay_progress *p, uint64_t done, const char *extra);
void replay_progress_end(replay_progress *p);

/* The number of articles a range may hold, for the progress bar. */
uint64_t replay_range_total(const replay_opts *o, const replay_head *h);

/* --- the modes ---------------------------------------------------------- */

int replay_verify(const replay_opts *o, replay_src *src);
int replay_reparse(const replay_opts *o, replay_src *src);
int replay_publish(const replay_opts *o, replay_src *src);

#endif
