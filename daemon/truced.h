/*
 * truced.h - the daemon's pipeline, stage by stage, in the order data flows:
 *
 *   ingest.c   ROUTER socket: receive [identity][msg_id][Article]; validate
 *              and content key (on the parse threads); later send each
 *              collector its Ack
 *   parse.c    validate a batch and run the extractor on its valid
 *              articles, on a thread pool, while the batch before commits
 *   commit.c   one LMDB write transaction per batch: dedup, article log with
 *              hash chain, claims, incidents, events, quarantine
 *   publish.c  PUB socket: [topic][Event] for every committed event
 *   query.c    ROUTER socket: catch-up, articles, incidents, stats
 *   metrics.c  the counters and histograms that query.c serves as METRICS
 *   pipeline.c the order of the stages: batch N+1 is received and parsed
 *              while batch N commits, acks and publishes
 *   truced.c   options, sockets, signals and the loop that ties them
 *
 * A message becomes a truced_item in ingest and leaves after its Ack: it is
 * acked only after the batch holding it committed (durability first), and
 * its events are published only after that.
 */
#ifndef TRUCED_H
#define TRUCED_H

#include <zmq.h>

#include "log.h"
#include "truce/extract.h"
#include "truce/store.h"
#include "truce/wire.h"

#define TRUCED_IDENTITY_MAX 256
#define TRUCED_PEER_KEY_MAX 48 /* Z85 of a CURVE public key is 40 chars */

/* One received message on its way through the pipeline. */
typedef struct truced_item {
	uint8_t identity[TRUCED_IDENTITY_MAX]; /* ROUTER routing id of the sender */
	size_t identity_len;
	uint8_t msg_id[TRUCE_MAX_MSG_ID];
	size_t msg_id_len;
	zmq_msg_t payload; /* the Article frame as received */
	int has_payload;
	unsigned frames; /* frames after the identity */
	int64_t received_us;
	char peer_key[TRUCED_PEER_KEY_MAX]; /* authenticated CURVE key, "" if none */

	Truce__V1__Article *article; /* decoded; NULL when rejected */
	uint8_t key[TRUCE_HASH_LEN]; /* content key */
	/* truce_chain_frame_digest of the payload: the chain hash's costly
	 * part, taken here on a parse thread, not in the commit */
	uint8_t frame_digest[TRUCE_HASH_LEN];
	truce_claims claims; /* from parse */

	/* Result, filled by commit. */
	Truce__V1__AckStatus status;
	char reason[TRUCE_REASON_MAX];
	int rejected;     /* set by ingest validation */
	int reject_class; /* why, for metrics: enum truced_reject_class */
	uint64_t article_seq;
	uint64_t quarantine_seq;
} truced_item;

typedef struct truced_batch {
	truced_item *items;
	size_t n;
	size_t cap;
} truced_batch;

/* A committed event waiting to be published: its topic and packed Event,
 * at offsets into the outbox's buffer. */
typedef struct truced_outbound {
	size_t topic, topic_len;
	size_t data, data_len;
} truced_outbound;

/* The events of one commit, packed into one buffer that lives across
 * batches (no allocation per event once it has grown). */
typedef struct truced_outbox {
	truced_outbound *v;
	size_t n;
	size_t cap;
	uint8_t *buf;
	size_t len;
	size_t buf_cap;
} truced_outbox;

/* Why a message was rejected, in a few words fit for a metric label (the
 * Ack's reason is a sentence with numbers in it). */
enum truced_reject_class {
	TRUCED_REJECT_MALFORMED = 0, /* not a decodable Article, unknown fields */
	TRUCED_REJECT_FRAMES,        /* not [msg_id][Article] */
	TRUCED_REJECT_MSG_ID,        /* msg_id over 64 bytes */
	TRUCED_REJECT_TOO_LARGE,     /* a field or the body over its limit */
	TRUCED_REJECT_BAD_UTF8,
	TRUCED_REJECT_INVALID, /* no body, a NUL, a bad date or content type */
	TRUCED_REJECT_COUNT
};

#define TRUCED_EVENT_TYPES 4 /* EventType values 0..3 */

/* Counters the daemon keeps for logs and stats. */
typedef struct truced_counters {
	uint64_t received;
	uint64_t stored;
	uint64_t duplicates;
	uint64_t rejected;
	uint64_t claims;
	uint64_t events;
	uint64_t events_by_type[TRUCED_EVENT_TYPES];
	uint64_t batches;
	uint64_t grows;
} truced_counters;

/* --- ingest.c ----------------------------------------------------------- */
int truced_batch_init(truced_batch *b, size_t cap);
void truced_batch_reset(truced_batch *b);
void truced_batch_free(truced_batch *b);
/*
 * Receives up to b->cap messages without blocking (the main loop's poll
 * waits). Returns the number received (>= 0) or a negative error when the
 * socket failed. Validation is truced_ingest_validate's, on the parse threads.
 */
int truced_ingest_recv(void *sock, truced_batch *b, const truced_log *lg);
/* Decodes and checks one received item (limits, UTF-8, fields) and computes
 * its content key, or marks it rejected with a reason. Thread-safe. */
void truced_ingest_validate(truced_item *it, const truce_limits *lim, const truced_log *lg);
/* Sends every item its Ack. */
void truced_ingest_ack(void *sock, const truced_batch *b, const truced_log *lg);

/* --- parse.c ------------------------------------------------------------ */
typedef struct truced_parse_pool truced_parse_pool;
/* n_threads workers; 0 = the caller parses alone in truced_parse_finish. */
int truced_parse_pool_new(int n_threads, truced_parse_pool **out);
void truced_parse_pool_free(truced_parse_pool *p);
/* Starts validating every item of b and extracting the claims of the valid
 * ones on the pool; returns at once. rules, lim and b stay untouched by the
 * caller until truced_parse_finish. */
void truced_parse_start(truced_parse_pool *p, const truce_rules *rules, const truce_limits *lim,
                        truced_batch *b, const truced_log *lg);
/* Hands the pool the items appended to the batch since start. */
void truced_parse_extend(truced_parse_pool *p);
/* Takes part in the batch started last; returns when all of it is done. */
void truced_parse_finish(truced_parse_pool *p);

/* --- commit.c ----------------------------------------------------------- */
/*
 * Commits the batch in one write transaction (growing the map and redoing
 * the batch when it is full), fills each item's Ack fields and appends the
 * committed events to out. On error nothing is committed, out is empty, and
 * no item may be acked: collectors will re-send.
 */
int truced_commit_batch(truce_store *st, const char *extractor_version, truced_batch *b,
                        truced_outbox *out, truced_counters *cnt, const truced_log *lg);
void truced_outbox_reset(truced_outbox *o);
void truced_outbox_free(truced_outbox *o);

/* --- publish.c ---------------------------------------------------------- */
void truced_publish(void *sock, truced_outbox *o, const truced_log *lg);

/* --- metrics.c ---------------------------------------------------------- */
#define TRUCED_HIST_MAX_BOUNDS 16
#define TRUCED_QUERY_KINDS 7 /* QueryRequest.Kind values 0..6 */

/* A Prometheus histogram: counts per bucket, the last one past the bounds. */
typedef struct truced_hist {
	const double *bounds;
	size_t n_bounds;
	uint64_t counts[TRUCED_HIST_MAX_BOUNDS + 1];
	double sum;
} truced_hist;

typedef struct truced_collector_count {
	char *name; /* collector_id, "" when not stated or undecodable */
	uint64_t stored, duplicate, rejected;
} truced_collector_count;

/*
 * What truced counts about itself since it started, beside the counters of
 * commit (cnt): histograms of the pipeline's stages, rejections by class,
 * queries by kind, per-collector counts (the first TRUCED_MAX_COLLECTORS
 * collector_ids, then one "(other)" row, so that a flood of made-up ids
 * cannot grow it), and the PUB socket's connections, read from its monitor.
 */
typedef struct truced_metrics {
	int64_t started_us;
	const truced_counters *cnt;
	truced_hist batch_size, commit_s, ack_s, extract_s;
	uint64_t rejected[TRUCED_REJECT_COUNT];
	uint64_t queries[TRUCED_QUERY_KINDS + 1]; /* the last: undecodable requests */
	truced_collector_count *collectors;
	size_t n_collectors;
	uint64_t subscribers;
	void *pub_monitor; /* PAIR socket on the PUB socket's monitor, or NULL */
} truced_metrics;

void truced_metrics_init(truced_metrics *m, int64_t started_us, const truced_counters *cnt);
void truced_metrics_free(truced_metrics *m);
/* Starts counting the PUB socket's subscribers (a monitor on it, in ctx). */
int truced_metrics_watch_pub(truced_metrics *m, void *ctx, void *pub);
/* Reads the PUB monitor's events so far, without blocking. */
void truced_metrics_poll(truced_metrics *m);
/* One batch done: its size, the parse and commit times (us), each item's
 * ack latency (acked_us - receipt), its collector and reject class. */
void truced_metrics_batch(truced_metrics *m, const truced_batch *b, int64_t parse_us,
                          int64_t commit_us, int64_t acked_us);
/* One query request of kind (-1: it did not decode). */
void truced_metrics_query(truced_metrics *m, int kind);
/* Fills out (pointing into m and scratch, valid until either changes) for
 * a METRICS reply. */
typedef struct truced_metrics_scratch truced_metrics_scratch;
int truced_metrics_fill(const truced_metrics *m, size_t map_size, Truce__V1__Metrics *out,
                        truced_metrics_scratch **scratch);
void truced_metrics_scratch_free(truced_metrics_scratch *s);

/* --- pipeline.c --------------------------------------------------------- */
/* What the stages work with, owned by the daemon's top level. */
typedef struct truced_pipe_env {
	void *ingest;
	void *pub;
	truce_store *store;
	const truce_rules *rules; /* may change between turns (SIGHUP) */
	const truce_limits *limits;
	const truced_log *log;
	truced_counters *cnt;
	truced_metrics *met; /* each batch's sizes and times */
} truced_pipe_env;

/*
 * Two batches in flight: one parsing on the pool while the one parsed before
 * commits, acks and publishes on the calling thread, which owns every socket
 * and the write transaction, so the ordering promises hold as with one
 * batch: a batch is acked after its commit, published after its acks, and
 * batches commit in the order they were received.
 */
typedef struct truced_pipeline {
	truced_batch batch[2];
	truced_batch *ready;       /* parsed, waiting for its commit; NULL if none */
	const char *ready_version; /* the rules version it was parsed with */
	int64_t ready_parse_us;    /* how long its parse took */
	truced_parse_pool *pool;
	truced_outbox outbox;
} truced_pipeline;

int truced_pipeline_init(truced_pipeline *pl, size_t batch, int parse_threads);
void truced_pipeline_free(truced_pipeline *pl);
/*
 * One turn: receives what waits on the ingest socket (when readable) and
 * starts parsing it, commits, acks and publishes the batch parsed in the
 * turn before, then adds to the new batch what arrived during that commit
 * (while it has room) and finishes its parse. Returns 1 while a parsed batch
 * waits for the next turn (poll without waiting), else 0.
 */
int truced_pipeline_turn(truced_pipeline *pl, const truced_pipe_env *env, int readable);
/* Commits the parsed batch still waiting, if any: before the rules change
 * (its claims carry the version that parsed them) and before exit. */
void truced_pipeline_flush(truced_pipeline *pl, const truced_pipe_env *env);
/* --- query.c ------------------------------------------------------------ */
/* Serves the requests waiting on the query socket (at most max); counts
 * them in m, and answers METRICS from it (m may be NULL). */
/* disk_warn_pct: truced's disk-warn, reported in Stats for truce stats. */
void truced_query_serve(void *sock, truce_store *st, int64_t started_us,
                        const char *extractor_version, truced_metrics *m, unsigned disk_warn_pct,
                        int max, const truced_log *lg);
/*
 * What the query socket does with one request frame, without the socket:
 * decode, validate, read, and a packed QueryReply in *out (malloc'd; the
 * caller frees it). Every request gets a reply, ok = false for a bad one;
 * only allocation failures return an error. Exposed for tests/fuzz.
 */
int truced_query_answer(truce_store *st, int64_t started_us, const char *extractor_version,
                        truced_metrics *m, unsigned disk_warn_pct, const uint8_t *req, size_t len,
                        uint8_t **out, size_t *out_len);

#endif
