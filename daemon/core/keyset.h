/*
 * keyset.h - an in-memory map from 32-byte content keys to article seqs
 * (keyset.c), internal to the store: the dedup keys of the articles that
 * the article_keys database does not index yet (see store.c).
 */
#ifndef TRUCE_KEYSET_H
#define TRUCE_KEYSET_H

#include <stddef.h>
#include <stdint.h>

#include "truce/store.h"

typedef struct truce__keyset truce__keyset;

/* One entry, as truce__keyset_sorted() hands them out. */
typedef struct truce__keyent {
	uint8_t key[TRUCE_HASH_LEN];
	uint64_t seq; /* 0: an empty slot */
} truce__keyent;

/* 0 or TRUCE_ENOMEM. */
int truce__keyset_new(truce__keyset **out);
void truce__keyset_free(truce__keyset *ks);
void truce__keyset_clear(truce__keyset *ks);
size_t truce__keyset_count(const truce__keyset *ks);
/* 0 and *seq, or TRUCE_ENOTFOUND. */
int truce__keyset_get(const truce__keyset *ks, const uint8_t key[TRUCE_HASH_LEN], uint64_t *seq);
/* Adds a key that is not there (seq > 0): 0 or TRUCE_ENOMEM (the set is
 * then as it was). */
int truce__keyset_put(truce__keyset *ks, const uint8_t key[TRUCE_HASH_LEN], uint64_t seq);
/* Removes key, when there. */
void truce__keyset_del(truce__keyset *ks, const uint8_t key[TRUCE_HASH_LEN]);
/* Takes the entries whose key's first byte is within [lo, hi] out of the
 * set, into a new array of *n in key order (the caller frees it): 0, or
 * TRUCE_ENOMEM with the set as it was. */
int truce__keyset_take(truce__keyset *ks, unsigned lo, unsigned hi, truce__keyent **out, size_t *n);

#endif
