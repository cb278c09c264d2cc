/*
 * replay.h - what the parts of `truce replay` share: the options, the
 * stored log as a source (a data directory read-only, or a daemon's query
 * socket), cursors over the claims and events derived from each article,
 * and the progress bar.
 *
 *   ../cmd_replay.c    options, printing (JSON Lines / table), --export,
 *                      --quarantine
 *   progress.c         the progress bar
 * reading the log goes through the client library's truce_source.
 *   verify.c           --verify: the hash chain
 *   reparse.c          --reparse: re-derive claims, compare with the stored
 *   publish.c          --publish: send the log to another daemon
 */
#ifndef TRUCE_CLI_REPLAY_H
#define TRUCE_CLI_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "truce/client.h"

enum replay_format { REPLAY_AUTO, REPLAY_TABLE, REPLAY_JSONL };

typedef struct replay_opts {
	const char *data;               /* --data DIR */
	const char *connect;            /* --connect QUERY_EP */
	cli_key_args keys;              /* CURVE for --connect and --publish */
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
	int threads; /* extraction threads (default: one per core) */
	/* --publish */
	const char *publish;
	double pace; /* 0 = as fast as possible, else speed-up factor */
	size_t window;
	int64_t send_timeout_ms;
	int64_t deadline_ms;
	/* --export */
	const char *export_path;
} replay_opts;

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

/* The articles the options select, for truce_source_articles; and how many
 * the range may hold, for the progress bar. */
truce_article_range replay_range(const replay_opts *o);
uint64_t replay_range_total(const replay_opts *o, const truce_source_head *h);

/* --- the modes ---------------------------------------------------------- */

int replay_verify(const replay_opts *o, truce_source *src);
int replay_reparse(const replay_opts *o, truce_source *src);
int replay_publish(const replay_opts *o, truce_source *src);

/* The bytes of ArticleRecord.article inside a serialized record (the
 * Article as the collector sent it); -1 when absent, repeated or the record
 * is malformed. */
int replay_article_bytes(const uint8_t *p, size_t len, const uint8_t **out, size_t *out_len);

#endif
