/*
 * client.h - the client library (libtruce-client): what a program needs to
 * talk to truced. `truce collect`, `truce watch`, `truce export`, `truce
 * replay`, `truce feed` and `truce web` are built on it, and a program of
 * yours can link it (`pkg-config --cflags --libs truce-client`; see
 * examples/collector.c).
 *
 *   CURVE keys        a client's keys, and why a handshake failed   keys.c
 *   sending           articles with an ack window and re-sends      sender.c
 *   querying          one request, one reply, with a timeout        qclient.c
 *   subscribing       live events with no gap and no duplicate      subscribe.c
 *   the stored log    articles, claims, incidents, events, read
 *                     from a data directory or a query socket       source.c
 *   collector state   what the daemon has acknowledged              collect_state.c
 *
 * Errors follow the core library's contract (truce/truce.h): 0 or a
 * negative TRUCE_E* code, results through out-parameters, nothing half-made
 * on error. The library prints nothing unless asked (a sender's progress
 * line, a note callback).
 */
#ifndef TRUCE_CLIENT_H
#define TRUCE_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "truce/keys.h"
#include "truce/store.h"
#include "truce/truce.h"
#include "truce/wire.h"

/* A sentence for the user (a skipped record, a refused handshake, a hole
 * filled), handed to the caller rather than printed by the library. */
typedef void (*truce_note_fn)(void *ctx, const char *msg);

/* ======================================================================
 * CURVE keys (keys.c)
 * ====================================================================== */

/* What a client needs to talk CURVE to truced. on = 0: plain ZMTP. */
typedef struct truce_client_keys {
	int on;
	char server_public[TRUCE_KEY_Z85_LEN + 1];
	char public_key[TRUCE_KEY_Z85_LEN + 1]; /* derived from secret */
	char secret[TRUCE_KEY_Z85_LEN + 1];
} truce_client_keys;

/* Loads the daemon's public key and the client's secret key, and derives
 * the client's public key from the secret. */
int truce_client_keys_load(const char *server_key_path, const char *secret_path,
                           truce_client_keys *out, char *err, size_t errlen);

/* Makes sock (not yet connected) a CURVE client of the server in k. A NULL
 * or off k leaves the socket plain. TRUCE_ENET when libzmq refuses. */
int truce_client_curve_setup(void *sock, const truce_client_keys *k);

/* Wipes the secret from memory (libzmq keeps its own copy per socket). */
void truce_client_keys_clear(truce_client_keys *k);

/* --- why nothing comes back --------------------------------------------- */

/*
 * A refused handshake looks, to a client, exactly like a daemon that is not
 * there: no ack, no reply, no event. A handshake watch reads libzmq's
 * monitor events of one socket so a command can say which it was.
 */
typedef struct truce_handshake_watch truce_handshake_watch;

/* Starts watching sock (created in zctx, before it connects). */
int truce_handshake_watch_start(void *zctx, void *sock, truce_handshake_watch **out);

/* Reads the events so far without blocking. Returns a sentence saying why
 * the last handshake failed (curve_on: whether this client used keys), or
 * NULL when none failed or a later one succeeded. */
const char *truce_handshake_watch_failure(truce_handshake_watch *w, int curve_on);

/* Stops and frees; call before closing the socket. NULL is fine. */
void truce_handshake_watch_stop(truce_handshake_watch *w);

/* ======================================================================
 * Sending articles (sender.c)
 *
 * The collector side of the ingest contract: frames sent as
 * [msg_id][Article] on a DEALER socket, at most a window of them
 * unacknowledged, each re-sent when its Ack does not come in time (the
 * timeout doubling up to a ceiling) until it is acked STORED, DUPLICATE or
 * REJECTED: at-least-once, and the daemon's dedup makes it exactly-once in
 * the store.
 *
 * The caller owns the socket (so it can add CURVE keys or other options
 * before connecting) and feeds articles either all at once (collect) or a
 * few at a time as a schedule allows (replay --pace): truce_sender_pump()
 * is one turn of the loop, truce_sender_run() loops until done.
 * ====================================================================== */

#define TRUCE_SENDER_MAX_TIMEOUT_MS 30000

typedef struct truce_sender truce_sender;

enum truce_send_state { TRUCE_SEND_PENDING, TRUCE_SEND_INFLIGHT, TRUCE_SEND_DONE };

/* What is known about one queued article; valid until the sender is freed. */
typedef struct truce_send_item {
	enum truce_send_state state;
	unsigned sends;              /* times sent, re-sends included */
	Truce__V1__AckStatus status; /* when DONE */
	uint64_t seq;                /* Ack.article_seq, 0 if none */
	char *reason;                /* Ack.reason, NULL if none */
} truce_send_item;

/* Called once per article when its first Ack arrives. */
typedef void (*truce_sender_ack_fn)(void *ctx, size_t index, const truce_send_item *it);

typedef struct truce_sender_opts {
	size_t window;              /* most articles unacknowledged at once */
	int64_t timeout_ms;         /* first re-send timeout; doubles up to the ceiling,
	                               TRUCE_SENDER_MAX_TIMEOUT_MS or timeout_ms if larger */
	const char *label;          /* progress line prefix, e.g. "collect" */
	int progress;               /* print a progress line on stderr (when a tty) */
	truce_sender_ack_fn on_ack; /* may be NULL */
	void *ctx;
} truce_sender_opts;

/* A DEALER socket with the options the window needs (no linger, a send
 * high-water mark above the window), not yet connected. */
int truce_sender_socket(void *zctx, size_t window, void **sock);

int truce_sender_new(void *sock, const truce_sender_opts *o, truce_sender **out);
void truce_sender_free(truce_sender *s);

/* Queues one packed Article; the sender copies it and frees the copy once
 * the article is acked. *index (may be NULL) is its number: the order of
 * the calls, from 0. */
int truce_sender_add(truce_sender *s, const uint8_t *frame, size_t len, size_t *index);

/* One turn: re-sends what timed out, sends queued articles while the window
 * has room, then waits up to wait_ms for Acks and handles them. */
void truce_sender_pump(truce_sender *s, int wait_ms);

/* Pumps until every queued article is acked or deadline_ms has passed since
 * the call, printing progress; ends the progress line. */
void truce_sender_run(truce_sender *s, int64_t deadline_ms);

/* Counters, for reports and schedules. */
size_t truce_sender_count(const truce_sender *s);    /* queued so far */
size_t truce_sender_done(const truce_sender *s);     /* acked */
size_t truce_sender_inflight(const truce_sender *s); /* sent, not acked */
size_t truce_sender_status_count(const truce_sender *s, Truce__V1__AckStatus st);
const truce_send_item *truce_sender_item(const truce_sender *s, size_t index);

/* For reports: "STORED", "DUPLICATE", "REJECTED" or "UNACKED"; and whether
 * the article is safely in the store (acked STORED or DUPLICATE). */
const char *truce_send_status_name(const truce_send_item *it);
int truce_send_item_ok(const truce_send_item *it);

/* ======================================================================
 * Querying (qclient.c): truced's query socket, request/reply over a DEALER
 * with a reply timeout (which REQ lacks).
 * ====================================================================== */

typedef struct truce_qclient truce_qclient;

/* Connects a DEALER to the query endpoint (lazy: never fails for a daemon
 * that is down; calls then time out). CURVE when keys is on (the client
 * keeps a copy for the reconnect after a timeout); NULL keys = plain. */
int truce_qclient_open(const char *endpoint, int timeout_ms, const truce_client_keys *keys,
                       truce_qclient **out);
void truce_qclient_close(truce_qclient *q);

/*
 * One request, one reply. TRUCE_ETIMEDOUT when no reply came in time (the
 * socket is then replaced so a late reply cannot answer the next request),
 * TRUCE_EPROTO when the reply does not decode. A reply with ok = false is
 * returned as 0: the caller reads its error.
 */
int truce_qclient_call(truce_qclient *q, const Truce__V1__QueryRequest *rq,
                       Truce__V1__QueryReply **out);

/* After TRUCE_ETIMEDOUT: a sentence saying the handshake was refused (and
 * the likely cause), or NULL when the daemon just did not answer. */
const char *truce_qclient_failure(const truce_qclient *q);

/* ======================================================================
 * The stored log (source.c): articles, claims, incidents and events, from
 * a data directory opened read-only or from a running daemon's query
 * socket, in bounded chunks either way.
 * ====================================================================== */

typedef struct truce_source truce_source;

typedef struct truce_source_opts {
	const char *data;              /* a data directory, opened read-only; or */
	const char *connect;           /* a daemon's query endpoint */
	const truce_client_keys *keys; /* CURVE for connect; NULL = plain */
	int timeout_ms;                /* query reply timeout (connect) */
	truce_note_fn note;            /* skipped records, refusals; NULL = silent */
	void *note_ctx;
} truce_source_opts;

/* Opens one of the two (data wins when both are set). On error err says
 * why in a sentence. */
int truce_source_open(const truce_source_opts *o, truce_source **out, char *err, size_t errlen);
void truce_source_close(truce_source *src);

/* Whether remote; remote sources have no quarantine. */
int truce_source_remote(const truce_source *src);
/* The open store of a local source (NULL when remote). */
truce_store *truce_source_store(truce_source *src);

/* The log's extent, read in one transaction: the last article seq, the
 * number of articles and the chain head of meta (hash and its seq; for a
 * remote store head_seq is the last article seq, which is all Stats says). */
typedef struct truce_source_head {
	uint64_t last_seq;
	uint64_t count;
	uint8_t hash[TRUCE_HASH_LEN];
	uint64_t head_seq;
	uint64_t last_claim; /* upper bounds, for the cursors' starting search */
	uint64_t last_event;
	/* The first seq chained with BLAKE2b-256, SHA-256 before it
	 * (TRUCE_SEQ_MAX: SHA-256 throughout, a schema 1 store). */
	uint64_t blake2b_from;
	/* The first seq chained with CHAIN_BLAKE2B_256_FRAME (TRUCE_SEQ_MAX:
	 * none). */
	uint64_t frame_from;
} truce_source_head;

int truce_source_get_head(truce_source *src, truce_source_head *h);

/* One stored article. key is its key in the articles db (remote: the seq
 * its record states, or the one after the previous article when it does not
 * decode). sa is NULL when the stored value does not decode, rec when the
 * record inside does not. Valid during the callback only. */
typedef struct truce_source_article {
	uint64_t key;
	const Truce__V1__StoredArticle *sa;
	const Truce__V1__ArticleRecord *rec;
} truce_source_article;

typedef int (*truce_source_article_fn)(void *ctx, const truce_source_article *a);

/* Which articles: seqs from..to (inclusive), and when use_time a receipt
 * time in [since_us, until_us]. */
typedef struct truce_article_range {
	uint64_t from, to;
	int use_time;
	int64_t since_us, until_us;
} truce_article_range;

/* The articles of a range in seq order, read in bounded chunks, each in its
 * own read transaction or query, so a slow callback (a paced publish) never
 * holds an LMDB snapshot. A non-zero return of fn stops the walk and is
 * returned. */
int truce_source_articles(truce_source *src, const truce_article_range *r,
                          truce_source_article_fn fn, void *ctx);

/* Called with each record in id order (a Truce__V1__Claim, Incident or
 * Event); valid during the call. A non-zero return stops the scan and is
 * returned. */
typedef int (*truce_source_record_fn)(void *ctx, const ProtobufCMessage *m);

/* Every claim (TRUCE_DB_CLAIMS), incident (TRUCE_DB_INCIDENTS) or event
 * (TRUCE_DB_EVENTS) with id (events: seq) >= first, in chunks. Records that
 * do not decode are skipped with a note. */
int truce_source_scan(truce_source *src, enum truce_db db, uint64_t first,
                      truce_source_record_fn fn, void *ctx);

/*
 * Claims (TRUCE_DB_CLAIMS) or events (TRUCE_DB_EVENTS) grouped by their
 * article_seq. Both are written in commit order, so their article_seq never
 * decreases along their ids: a cursor walks them once alongside the
 * articles, starting where article first_seq begins (last_id: an upper
 * bound of the ids, from truce_source_get_head).
 */
typedef struct truce_source_cursor truce_source_cursor;

int truce_source_cursor_new(truce_source *src, enum truce_db db, uint64_t first_seq,
                            uint64_t last_id, truce_source_cursor **out);
/* The records of article seq, in id order (claims: Truce__V1__Claim *,
 * events: Truce__V1__Event *); valid until the next call. Records of
 * articles before seq are skipped. */
int truce_source_cursor_take(truce_source_cursor *c, uint64_t seq, void ***v, size_t *n);
void truce_source_cursor_free(truce_source_cursor *c);

/* ======================================================================
 * Subscribing (subscribe.c): live events that never miss one.
 *
 * The Clone pattern of the ZeroMQ guide: subscribe first (so live events
 * queue up), then backfill from the query socket everything after the last
 * seq handled, then hand out live events, skipping what the backfill
 * already gave. A jump in seq (events dropped at the PUB high-water mark)
 * is filled from the query socket before going on, and a feed that stays
 * quiet is asked once in a while (the tail of a burst may have been dropped
 * with nothing behind it), so every matching event comes exactly once and
 * in order.
 * ====================================================================== */

typedef struct truce_sub truce_sub;

typedef struct truce_sub_opts {
	const char *publish;           /* truced's PUB endpoint */
	const char *query;             /* its query endpoint; NULL = live only, no backfill */
	const truce_client_keys *keys; /* CURVE for both; NULL = plain */
	uint64_t since;                /* with has_since: hand out events after this seq */
	int has_since;                 /* else: live events from the first one received */
	const char *const *topics;     /* topic prefixes to hand out; none = all */
	size_t n_topics;
	int hwm;              /* live events queued before ZeroMQ drops them (0: 100000) */
	int query_timeout_ms; /* 0: 5000 */
	int idle_catchup_ms;  /* quiet this long: ask the query socket (0: 2000) */
	truce_note_fn note;   /* holes filled, refused handshakes; NULL = silent */
	void *note_ctx;
} truce_sub_opts;

/* Connects both sockets (lazily: a daemon that is down is waited for). */
int truce_sub_open(const truce_sub_opts *o, truce_sub **out);

/*
 * The next matching event, in seq order: 0 and *ev (free it with
 * truce__v1__event__free_unpacked), or TRUCE_ETIMEDOUT when none came
 * within timeout_ms (call again), or another error (the query socket
 * refused a request). Backfill requests that time out are retried.
 */
int truce_sub_next(truce_sub *s, int timeout_ms, Truce__V1__Event **ev);

/* The last seq handled (handed out or filtered out), 0 before any; what a
 * subscriber saves to resume with since = last after a restart. */
uint64_t truce_sub_last(const truce_sub *s);

void truce_sub_close(truce_sub *s);

/* ======================================================================
 * Collector state (collect_state.c): the set of articles the daemon has
 * acknowledged as stored, so that a collector killed mid-run and started
 * again sends only what was not acknowledged.
 *
 * An article is known by its content key (truce_content_key: the URL, or
 * the body when there is none), which is what the daemon deduplicates on,
 * so the state is independent of input order and of the other collectors.
 *
 * FILE format (text, one record a line):
 *
 *   truce-collect-state 1
 *   <content key: 64 hex digits> <article seq>
 *   ...
 *
 * The lines after the header are the articles acked STORED or DUPLICATE, in
 * ack order. The file is rewritten whole to FILE.tmp, fsynced and renamed
 * over FILE, so a crash leaves the old or the new state, never a torn one.
 * Rewrites happen at most every TRUCE_COLLECT_STATE_FLUSH_MS while acks
 * arrive and once at the end: a collector killed between two rewrites sends
 * the last few acked articles again, and the daemon acks them DUPLICATE.
 * ====================================================================== */

#define TRUCE_COLLECT_STATE_FLUSH_MS 200

typedef struct truce_collect_state truce_collect_state;

/*
 * Opens the state at path: loads it when the file exists, starts empty when
 * it does not (FILE.tmp, a rewrite that never finished, is never read).
 * TRUCE_ECORRUPT when it is not a state file, is one of another version, or
 * has a line that is not a record or is cut short (err names the file and
 * the line); TRUCE_EIO when it cannot be read.
 */
int truce_collect_state_open(const char *path, truce_collect_state **out, char *err, size_t errlen);
void truce_collect_state_free(truce_collect_state *s);

/* 1 when the article with this content key was acked in an earlier run. */
int truce_collect_state_has(const truce_collect_state *s, const uint8_t key[TRUCE_HASH_LEN]);

/* Records an acked article; rewrites the file when the last rewrite is
 * older than the flush interval. */
int truce_collect_state_add(truce_collect_state *s, const uint8_t key[TRUCE_HASH_LEN],
                            uint64_t seq);

/* Rewrites the file now if anything changed since the last rewrite. */
int truce_collect_state_flush(truce_collect_state *s);

/* Articles recorded (loaded plus added). */
size_t truce_collect_state_count(const truce_collect_state *s);

#endif
