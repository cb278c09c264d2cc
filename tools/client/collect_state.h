/*
 * collect_state.h - `truce collect --state FILE`: the set of articles the
 * daemon has acknowledged as stored, so that a collector killed mid-run and
 * started again with the same FILE sends only what was not acknowledged.
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
 */
#ifndef TRUCE_TOOLS_COLLECT_STATE_H
#define TRUCE_TOOLS_COLLECT_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "truce/truce.h"

#define TRUCE_COLLECT_STATE_FLUSH_MS 200

typedef struct truce_collect_state truce_collect_state;

/*
 * Opens the state at path: loads it when the file exists, starts empty when
 * it does not. TRUCE_ECORRUPT when it is not a state file (err says which
 * line), TRUCE_EIO when it cannot be read.
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
