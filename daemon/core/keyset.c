/*
 * keyset.c - the store's map of content keys not yet in article_keys: open
 * addressing with linear probing over a power-of-two table kept at most
 * half full. The keys are SHA-256 digests, so their first eight bytes are
 * already a well-mixed hash.
 */
#include <stdlib.h>
#include <string.h>

#include "keyset.h"

#define KEYSET_MIN_SLOTS 1024

struct truce__keyset {
	truce__keyent *slot;
	size_t cap; /* slots, a power of two */
	size_t n;   /* entries */
};

static size_t home(const uint8_t key[TRUCE_HASH_LEN], size_t cap)
{
	uint64_t h;
	memcpy(&h, key, sizeof(h));
	return (size_t)h & (cap - 1);
}

/* The slot of key, or the empty one where it would go. */
static truce__keyent *find(truce__keyent *slot, size_t cap, const uint8_t key[TRUCE_HASH_LEN])
{
	for (size_t i = home(key, cap);; i = (i + 1) & (cap - 1)) {
		truce__keyent *e = &slot[i];
		if (e->seq == 0 || memcmp(e->key, key, TRUCE_HASH_LEN) == 0)
			return e;
	}
}

int truce__keyset_new(truce__keyset **out)
{
	truce__keyset *ks = calloc(1, sizeof(*ks));
	truce__keyent *slot = calloc(KEYSET_MIN_SLOTS, sizeof(*slot));
	if (ks == NULL || slot == NULL) {
		free(ks);
		free(slot);
		return TRUCE_ENOMEM;
	}
	ks->slot = slot;
	ks->cap = KEYSET_MIN_SLOTS;
	*out = ks;
	return 0;
}

void truce__keyset_free(truce__keyset *ks)
{
	if (ks != NULL)
		free(ks->slot);
	free(ks);
}

void truce__keyset_clear(truce__keyset *ks)
{
	memset(ks->slot, 0, ks->cap * sizeof(*ks->slot));
	ks->n = 0;
}

size_t truce__keyset_count(const truce__keyset *ks)
{
	return ks->n;
}

int truce__keyset_get(const truce__keyset *ks, const uint8_t key[TRUCE_HASH_LEN], uint64_t *seq)
{
	const truce__keyent *e = find(ks->slot, ks->cap, key);
	if (e->seq == 0)
		return TRUCE_ENOTFOUND;
	*seq = e->seq;
	return 0;
}

static int grow(truce__keyset *ks)
{
	size_t cap = ks->cap * 2;
	truce__keyent *slot = calloc(cap, sizeof(*slot));
	if (slot == NULL)
		return TRUCE_ENOMEM;
	for (size_t i = 0; i < ks->cap; i++)
		if (ks->slot[i].seq != 0)
			*find(slot, cap, ks->slot[i].key) = ks->slot[i];
	free(ks->slot);
	ks->slot = slot;
	ks->cap = cap;
	return 0;
}

int truce__keyset_put(truce__keyset *ks, const uint8_t key[TRUCE_HASH_LEN], uint64_t seq)
{
	if ((ks->n + 1) * 2 > ks->cap && grow(ks) != 0)
		return TRUCE_ENOMEM;
	truce__keyent *e = find(ks->slot, ks->cap, key);
	memcpy(e->key, key, TRUCE_HASH_LEN);
	e->seq = seq;
	ks->n++;
	return 0;
}

void truce__keyset_del(truce__keyset *ks, const uint8_t key[TRUCE_HASH_LEN])
{
	truce__keyent *hole = find(ks->slot, ks->cap, key);
	if (hole->seq == 0)
		return;
	/* Backward shift: move up each later entry of the run whose home
	 * is not between the hole and it, so no search stops short. */
	size_t mask = ks->cap - 1, h = (size_t)(hole - ks->slot);
	for (size_t j = (h + 1) & mask; ks->slot[j].seq != 0; j = (j + 1) & mask) {
		size_t home_j = home(ks->slot[j].key, ks->cap);
		if (((j - home_j) & mask) >= ((j - h) & mask)) {
			ks->slot[h] = ks->slot[j];
			h = j;
		}
	}
	memset(&ks->slot[h], 0, sizeof(ks->slot[h]));
	ks->n--;
}

static int by_key(const void *a, const void *b)
{
	return memcmp(((const truce__keyent *)a)->key, ((const truce__keyent *)b)->key,
	              TRUCE_HASH_LEN);
}

int truce__keyset_take(truce__keyset *ks, unsigned lo, unsigned hi, truce__keyent **out, size_t *n)
{
	truce__keyent *v = malloc((ks->n > 0 ? ks->n : 1) * sizeof(*v));
	if (v == NULL)
		return TRUCE_ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < ks->cap; i++) {
		const truce__keyent *e = &ks->slot[i];
		if (e->seq != 0 && e->key[0] >= lo && e->key[0] <= hi)
			v[k++] = *e;
	}
	/* removed after the pass: a removal moves entries of the table */
	for (size_t i = 0; i < k; i++)
		truce__keyset_del(ks, v[i].key);
	qsort(v, k, sizeof(*v), by_key);
	*out = v;
	*n = k;
	return 0;
}
