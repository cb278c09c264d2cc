/*
 * incidents.c - how an incident is stored (see truce/records.h): an
 * aggregate in `incidents` (IncidentSummary: dates, parties, figure ranges,
 * counts, the first few places and sources), its claim ids in
 * `incident_claims`, and in `incident_members` the sources, places and
 * claimant/accused pairs it holds, each with the claim that brought it
 * first:
 *
 *   key   = u64 incident id (BE) | kind | name
 *   value = u64 first claim id (BE), and for pairs first the u64 seq of the
 *           first article that reported the pair
 *
 * Every change is a few B-tree operations whatever the incident's size. The
 * whole Incident (every claim, article, source, place, pair and figure, in
 * the order they came) is rebuilt from the claims when it is read: a name
 * is listed at the claim whose id its member entry names.
 *
 * Which incident a claim joins, and what an update announces, is
 * daemon/incident.c's business; this file only keeps the books.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "truce/records.h"
#include "truce/wire.h"

#define MEMBER_KEY_MAX 420   /* under LMDB's 511-byte key limit */
#define MEMBER_NAME_KEEP 384 /* longer names: this much, then a hash of all */
#define MEMBER_NAME_HASH 16
#define KIND_PAIR 'r'

const char *truce_claim_source_label(const Truce__V1__Claim *c, char *buf, size_t len)
{
	if (c->source != NULL && c->source[0] != '\0')
		return c->source;
	snprintf(buf, len, "article %llu", (unsigned long long)c->article_seq);
	return buf;
}

/* --- member keys ---------------------------------------------------------- */

/* Folds ASCII upper case to lower (as strcasecmp compares) when fold. */
static uint8_t fold_byte(uint8_t c, int fold)
{
	return fold && c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c;
}

/*
 * The key of a name in a set: id | kind | name, the name folded to ASCII
 * lower case for sources and places. A name too long for an LMDB key keeps
 * its first bytes and a BLAKE2b of the whole.
 */
static size_t member_key(uint8_t key[MEMBER_KEY_MAX], uint64_t id, int kind, const uint8_t *name,
                         size_t len, int fold)
{
	truce_put_be64(key, id);
	key[8] = (uint8_t)kind;
	uint8_t *p = key + 9;
	size_t keep = len <= MEMBER_NAME_KEEP + MEMBER_NAME_HASH ? len : MEMBER_NAME_KEEP;
	for (size_t i = 0; i < keep; i++)
		p[i] = fold_byte(name[i], fold);
	if (keep == len)
		return 9 + len;
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, MEMBER_NAME_HASH);
	for (size_t i = 0; i < len; i++) {
		uint8_t c = fold_byte(name[i], fold);
		crypto_generichash_update(&st, &c, 1);
	}
	crypto_generichash_final(&st, p + keep, MEMBER_NAME_HASH);
	return 9 + keep + MEMBER_NAME_HASH;
}

static size_t set_key(uint8_t key[MEMBER_KEY_MAX], uint64_t id, enum truce_incident_set set,
                      const char *name)
{
	return member_key(key, id, (int)set, (const uint8_t *)name, strlen(name), 1);
}

/* s, cut at n bytes, at dst; its length there. */
static size_t put_upto(char *dst, const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	memcpy(dst, s, len);
	return len;
}

/* A pair's name: claimant NUL, then 'a' and the accused, or 'n' for none;
 * each name cut at 64 bytes. */
static size_t pair_key(uint8_t key[MEMBER_KEY_MAX], uint64_t id, const Truce__V1__Claim *c)
{
	char name[2 * 64 + 2];
	size_t n = c->claimant != NULL ? put_upto(name, c->claimant, 64) : 0;
	name[n++] = '\0';
	name[n++] = c->accused != NULL ? 'a' : 'n';
	if (c->accused != NULL)
		n += put_upto(name + n, c->accused, 64);
	return member_key(key, id, KIND_PAIR, (const uint8_t *)name, n, 0);
}

/* --- writing --------------------------------------------------------------- */

int truce_txn_incident_summary(truce_txn *t, uint64_t id, Truce__V1__IncidentSummary **out)
{
	truce_bytes v;
	int rc = truce_txn_get(t, TRUCE_DB_INCIDENTS, id, &v);
	if (rc != 0)
		return rc;
	Truce__V1__IncidentSummary *s = truce__v1__incident_summary__unpack(NULL, v.len, v.data);
	if (s == NULL)
		return TRUCE_ECORRUPT;
	*out = s;
	return 0;
}

int truce_txn_incident_summary_put(truce_txn *t, const Truce__V1__IncidentSummary *s, int is_new)
{
	return truce__txn_put_msg(t, TRUCE_DB_INCIDENTS, s->id, &s->base, is_new);
}

int truce_txn_incident_summary_put_packed(truce_txn *t, uint64_t id, const uint8_t *data,
                                          size_t len, int is_new)
{
	return is_new ? truce_txn_append(t, TRUCE_DB_INCIDENTS, id, data, len)
	              : truce_txn_put(t, TRUCE_DB_INCIDENTS, id, data, len);
}

int truce_txn_incident_claim_add(truce_txn *t, uint64_t id, uint64_t claim_id)
{
	return truce_txn_dup_add(t, TRUCE_DB_INCIDENT_CLAIMS, id, claim_id);
}

int truce_txn_incident_set_add(truce_txn *t, uint64_t id, enum truce_incident_set set,
                               const char *name, uint64_t claim_id)
{
	uint8_t key[MEMBER_KEY_MAX], val[8];
	size_t kl = set_key(key, id, set, name);
	truce_put_be64(val, claim_id);
	int rc = truce_txn_kput(t, TRUCE_DB_INCIDENT_MEMBERS, key, kl, val, sizeof(val), 1, NULL);
	return rc == TRUCE_EEXIST ? 0 : rc == 0 ? 1 : rc;
}

int truce_txn_incident_set_has(truce_txn *t, uint64_t id, enum truce_incident_set set,
                               const char *name)
{
	uint8_t key[MEMBER_KEY_MAX];
	size_t kl = set_key(key, id, set, name);
	truce_bytes v;
	int rc = truce_txn_kget(t, TRUCE_DB_INCIDENT_MEMBERS, key, kl, &v);
	return rc == TRUCE_ENOTFOUND ? 0 : rc == 0 ? 1 : rc;
}

int truce_txn_incident_pair_add(truce_txn *t, uint64_t id, const Truce__V1__Claim *c,
                                uint64_t *first_article)
{
	uint8_t key[MEMBER_KEY_MAX], val[16];
	size_t kl = pair_key(key, id, c);
	truce_put_be64(val, c->article_seq);
	truce_put_be64(val + 8, c->id);
	truce_bytes old;
	int rc = truce_txn_kput(t, TRUCE_DB_INCIDENT_MEMBERS, key, kl, val, sizeof(val), 1, &old);
	if (rc == 0)
		return 1;
	if (rc != TRUCE_EEXIST)
		return rc;
	if (old.len != sizeof(val))
		return TRUCE_ECORRUPT;
	*first_article = truce_get_be64(old.data);
	return 0;
}

/* --- reading the whole incident --------------------------------------------- */

/* The claim that brought a member first; 0 when the set lacks it. */
static int member_first_claim(truce_txn *t, const uint8_t *key, size_t kl, size_t off,
                              uint64_t *claim_id)
{
	truce_bytes v;
	int rc = truce_txn_kget(t, TRUCE_DB_INCIDENT_MEMBERS, key, kl, &v);
	if (rc == TRUCE_ENOTFOUND) {
		*claim_id = 0;
		return 0;
	}
	if (rc != 0)
		return rc;
	if (v.len != off + 8)
		return TRUCE_ECORRUPT;
	*claim_id = truce_get_be64(v.data + off);
	return 0;
}

/* Growable arrays of an Incident being assembled; protobuf-c frees them
 * with free(), as it frees what it unpacked. */
static int grow(void **v, size_t n, size_t elem)
{
	if (n & (n - 1))
		return 0; /* not at a power of two: room left */
	void *nv = realloc(*v, (n == 0 ? 1 : 2 * n) * elem);
	if (nv == NULL)
		return TRUCE_ENOMEM;
	*v = nv;
	return 0;
}

static int push_str(char ***v, size_t *n, const char *s)
{
	char *d = strdup(s);
	if (d == NULL || grow((void **)v, *n, sizeof(**v)) != 0) {
		free(d);
		return TRUCE_ENOMEM;
	}
	(*v)[(*n)++] = d;
	return 0;
}

static int push_u64(uint64_t **v, size_t *n, uint64_t x)
{
	if (grow((void **)v, *n, sizeof(**v)) != 0)
		return TRUCE_ENOMEM;
	(*v)[(*n)++] = x;
	return 0;
}

static int push_figure(Truce__V1__Incident *inc, const Truce__V1__Claim *c, const char *label)
{
	if (grow((void **)&inc->figures, inc->n_figures, sizeof(*inc->figures)) != 0)
		return TRUCE_ENOMEM;
	Truce__V1__SourceFigure *f = malloc(sizeof(*f));
	if (f == NULL)
		return TRUCE_ENOMEM;
	truce__v1__source_figure__init(f);
	inc->figures[inc->n_figures++] = f;
	f->source = strdup(label);
	f->claimant = strdup(c->claimant != NULL ? c->claimant : "");
	f->has_article_seq = f->has_claim_id = 1;
	f->article_seq = c->article_seq;
	f->claim_id = c->id;
	f->has_killed = c->has_killed;
	f->killed = c->killed;
	f->has_wounded = c->has_wounded;
	f->wounded = c->wounded;
	return f->source != NULL && f->claimant != NULL ? 0 : TRUCE_ENOMEM;
}

static int push_pair(Truce__V1__Incident *inc, const Truce__V1__Claim *c)
{
	if (grow((void **)&inc->pairs, inc->n_pairs, sizeof(*inc->pairs)) != 0)
		return TRUCE_ENOMEM;
	Truce__V1__ClaimPair *p = malloc(sizeof(*p));
	if (p == NULL)
		return TRUCE_ENOMEM;
	truce__v1__claim_pair__init(p);
	inc->pairs[inc->n_pairs++] = p;
	p->claimant = strdup(c->claimant != NULL ? c->claimant : "");
	p->accused = c->accused != NULL ? strdup(c->accused) : NULL;
	p->has_article_seq = 1;
	p->article_seq = c->article_seq;
	return p->claimant != NULL && (c->accused == NULL || p->accused != NULL) ? 0 : TRUCE_ENOMEM;
}

/* Adds one claim of the incident to the whole record, listing each name at
 * the claim that brought it first. */
static int assemble_claim(truce_txn *t, Truce__V1__Incident *inc, const Truce__V1__Claim *c)
{
	uint8_t key[MEMBER_KEY_MAX];
	char buf[40];
	uint64_t first;
	const char *label = truce_claim_source_label(c, buf, sizeof(buf));
	int rc = push_u64(&inc->claim_ids, &inc->n_claim_ids, c->id);
	/* One article's claims have consecutive ids, so within an incident
	 * they are neighbours: a new article is one unlike the last. */
	if (rc == 0 && (inc->n_article_seqs == 0 ||
	                inc->article_seqs[inc->n_article_seqs - 1] != c->article_seq))
		rc = push_u64(&inc->article_seqs, &inc->n_article_seqs, c->article_seq);
	if (rc == 0)
		rc = member_first_claim(t, key, set_key(key, inc->id, TRUCE_ISET_SOURCE, label), 0,
		                        &first);
	if (rc == 0 && first == c->id)
		rc = push_str(&inc->sources, &inc->n_sources, label);
	if (rc == 0 && c->location != NULL && c->location[0] != '\0') {
		rc = member_first_claim(
		    t, key, set_key(key, inc->id, TRUCE_ISET_PLACE, c->location), 0, &first);
		if (rc == 0 && first == c->id)
			rc = push_str(&inc->places, &inc->n_places, c->location);
	}
	if (rc == 0)
		rc = member_first_claim(t, key, pair_key(key, inc->id, c), 8, &first);
	if (rc == 0 && first == c->id)
		rc = push_pair(inc, c);
	if (rc == 0 && (c->has_killed || c->has_wounded))
		rc = push_figure(inc, c, label);
	return rc;
}

typedef struct assembly {
	truce_txn *t;
	Truce__V1__Incident *inc;
} assembly;

static int assemble_one(void *vctx, uint64_t claim_id)
{
	assembly *a = vctx;
	truce_bytes v;
	int rc = truce_txn_get(a->t, TRUCE_DB_CLAIMS, claim_id, &v);
	if (rc != 0)
		return rc == TRUCE_ENOTFOUND ? TRUCE_ECORRUPT : rc;
	Truce__V1__Claim *c = truce__v1__claim__unpack(NULL, v.len, v.data);
	if (c == NULL)
		return TRUCE_ECORRUPT;
	rc = assemble_claim(a->t, a->inc, c);
	truce__v1__claim__free_unpacked(c, NULL);
	return rc;
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* The aggregate's own fields of the whole record. */
static int incident_from_summary(const Truce__V1__IncidentSummary *s, Truce__V1__Incident *inc)
{
	inc->has_id = 1;
	inc->id = s->id;
	inc->conflict = dup_or_null(s->conflict);
	inc->key = dup_or_null(s->key);
	inc->date_first = dup_or_null(s->date_first);
	inc->date_last = dup_or_null(s->date_last);
	inc->has_killed_low = s->has_killed_low;
	inc->killed_low = s->killed_low;
	inc->has_killed_high = s->has_killed_high;
	inc->killed_high = s->killed_high;
	inc->has_wounded_low = s->has_wounded_low;
	inc->wounded_low = s->wounded_low;
	inc->has_wounded_high = s->has_wounded_high;
	inc->wounded_high = s->wounded_high;
	inc->has_created_us = s->has_created_us;
	inc->created_us = s->created_us;
	inc->has_updated_us = s->has_updated_us;
	inc->updated_us = s->updated_us;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < s->n_parties; i++)
		rc = push_str(&inc->parties, &inc->n_parties, s->parties[i]);
	if ((s->conflict && !inc->conflict) || (s->key && !inc->key) ||
	    (s->date_first && !inc->date_first) || (s->date_last && !inc->date_last))
		rc = TRUCE_ENOMEM;
	return rc;
}

static int incident_assemble(truce_txn *t, uint64_t id, Truce__V1__Incident **out)
{
	Truce__V1__IncidentSummary *s;
	int rc = truce_txn_incident_summary(t, id, &s);
	if (rc != 0)
		return rc;
	Truce__V1__Incident *inc = malloc(sizeof(*inc));
	if (inc == NULL) {
		truce__v1__incident_summary__free_unpacked(s, NULL);
		return TRUCE_ENOMEM;
	}
	truce__v1__incident__init(inc);
	rc = incident_from_summary(s, inc);
	truce__v1__incident_summary__free_unpacked(s, NULL);
	assembly a = {.t = t, .inc = inc};
	if (rc == 0)
		rc = truce_txn_dup_scan(t, TRUCE_DB_INCIDENT_CLAIMS, id, assemble_one, &a);
	if (rc != 0) {
		truce__v1__incident__free_unpacked(inc, NULL);
		return rc;
	}
	*out = inc;
	return 0;
}

int truce_txn_incident_get(truce_txn *t, uint64_t id, Truce__V1__Incident **out)
{
	if (truce_store_schema(truce_txn_store(t)) >= 2)
		return incident_assemble(t, id, out);
	truce_bytes v;
	int rc = truce_txn_get(t, TRUCE_DB_INCIDENTS, id, &v);
	if (rc != 0)
		return rc;
	Truce__V1__Incident *inc = truce__v1__incident__unpack(NULL, v.len, v.data);
	if (inc == NULL)
		return TRUCE_ECORRUPT;
	*out = inc;
	return 0;
}

/* --- schema 1 -------------------------------------------------------------- */

static int copy_first(char ***dst, size_t *n, char *const *src, size_t n_src)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n_src && i < TRUCE_SUMMARY_SHOWN; i++)
		rc = push_str(dst, n, src[i]);
	return rc;
}

int truce_incident_summarize(const Truce__V1__Incident *inc, Truce__V1__IncidentSummary **out)
{
	Truce__V1__IncidentSummary *s = malloc(sizeof(*s));
	if (s == NULL)
		return TRUCE_ENOMEM;
	truce__v1__incident_summary__init(s);
	s->has_id = s->has_claim_count = s->has_source_count = 1;
	s->has_article_count = s->has_place_count = 1;
	s->id = inc->id;
	s->conflict = dup_or_null(inc->conflict);
	s->key = dup_or_null(inc->key);
	s->date_first = dup_or_null(inc->date_first);
	s->date_last = dup_or_null(inc->date_last);
	s->claim_count = (uint32_t)inc->n_claim_ids;
	s->source_count = (uint32_t)inc->n_sources;
	s->article_count = (uint32_t)inc->n_article_seqs;
	s->place_count = (uint32_t)inc->n_places;
	s->has_killed_low = inc->has_killed_low;
	s->killed_low = inc->killed_low;
	s->has_killed_high = inc->has_killed_high;
	s->killed_high = inc->killed_high;
	s->has_wounded_low = inc->has_wounded_low;
	s->wounded_low = inc->wounded_low;
	s->has_wounded_high = inc->has_wounded_high;
	s->wounded_high = inc->wounded_high;
	s->has_created_us = inc->has_created_us;
	s->created_us = inc->created_us;
	s->has_updated_us = inc->has_updated_us;
	s->updated_us = inc->updated_us;
	int rc = (inc->conflict && !s->conflict) || (inc->key && !s->key) ||
	                 (inc->date_first && !s->date_first) || (inc->date_last && !s->date_last)
	             ? TRUCE_ENOMEM
	             : 0;
	for (size_t i = 0; rc == 0 && i < inc->n_parties; i++)
		rc = push_str(&s->parties, &s->n_parties, inc->parties[i]);
	if (rc == 0)
		rc = copy_first(&s->places, &s->n_places, inc->places, inc->n_places);
	if (rc == 0)
		rc = copy_first(&s->sources, &s->n_sources, inc->sources, inc->n_sources);
	if (rc != 0) {
		truce__v1__incident_summary__free_unpacked(s, NULL);
		return rc;
	}
	*out = s;
	return 0;
}

/* Files one claim of a schema 1 incident as commit would have. */
static int upgrade_claim(truce_txn *t, uint64_t id, uint64_t claim_id)
{
	truce_bytes v;
	int rc = truce_txn_get(t, TRUCE_DB_CLAIMS, claim_id, &v);
	if (rc != 0)
		return rc == TRUCE_ENOTFOUND ? TRUCE_ECORRUPT : rc;
	Truce__V1__Claim *c = truce__v1__claim__unpack(NULL, v.len, v.data);
	if (c == NULL)
		return TRUCE_ECORRUPT;
	uint64_t first;
	rc = truce_txn_incident_claim_add(t, id, claim_id);
	if (rc == 0) {
		char buf[40];
		rc = truce_txn_incident_set_add(
		    t, id, TRUCE_ISET_SOURCE, truce_claim_source_label(c, buf, sizeof(buf)), c->id);
	}
	if (rc >= 0 && c->location != NULL && c->location[0] != '\0')
		rc = truce_txn_incident_set_add(t, id, TRUCE_ISET_PLACE, c->location, c->id);
	if (rc >= 0)
		rc = truce_txn_incident_pair_add(t, id, c, &first);
	truce__v1__claim__free_unpacked(c, NULL);
	return rc < 0 ? rc : 0;
}

int truce_txn_incident_upgrade(truce_txn *t, const Truce__V1__Incident *inc)
{
	Truce__V1__IncidentSummary *s;
	int rc = truce_incident_summarize(inc, &s);
	if (rc != 0)
		return rc;
	rc = truce_txn_incident_summary_put(t, s, 0);
	truce__v1__incident_summary__free_unpacked(s, NULL);
	for (size_t i = 0; rc == 0 && i < inc->n_claim_ids; i++)
		rc = upgrade_claim(t, inc->id, inc->claim_ids[i]);
	return rc;
}
